//! The `--exec` check of a branch's new tip, run before its ref moves.

use super::{Pause, Runner};
use crate::error::{Error, Result};
use crate::exec::{self, CheckOutcome};
use crate::git::{
    check_worktree_changes, check_worktree_head, check_worktree_path, prepare_check_worktree,
};
use crate::state::{PauseReason, Step};

impl Runner<'_> {
    /// The pause on the branch at `index` whose failed check waited in the queue: the
    /// check worktree back at its tip, its output, and the rest of the queue. `continue`
    /// runs the check again.
    pub(super) fn stop_on_failed_check(&mut self, index: usize, report: String) -> Result<Pause> {
        if let Some(tip) = self.state.branches[index].new {
            prepare_check_worktree(self.repo, tip)?;
        }
        self.state.step = Some(Step::Exec);
        let (header, tail) = report.split_once("\n\n").unwrap_or((&report, ""));
        let mut content = header.to_string();
        if let Some(queue) = self.state.queue_block(&self.state.branches[index].name) {
            content.push_str(&queue);
        }
        content.push_str(&format!("\n\n{tail}"));
        Ok(Pause::new(PauseReason::CheckFailed, content))
    }

    /// Retrying the check the run was paused on: commits made in the check worktree on
    /// top of the branch's new tip, or the tip amended there, become part of the branch
    /// (as committing or amending during `git rebase --exec` does), with a warning naming
    /// them. Changes not committed there are refused: the check runs on commits.
    fn pick_up_fix(&mut self, index: usize) -> Result<()> {
        let name = self.state.branches[index].name.clone();
        if self.retrying_check.as_deref() != Some(name.as_str()) {
            return Ok(());
        }
        let changes = check_worktree_changes(self.repo)?;
        if !changes.is_empty() {
            return Err(Error::Dirty(format!(
                "the check worktree {} has changes not committed in: {} (commit them there to have them picked up, or discard them)",
                check_worktree_path(self.repo).display(),
                changes.join(", ")
            )));
        }
        let (Some(tip), Some(head)) = (
            self.state.branches[index].new,
            check_worktree_head(self.repo),
        ) else {
            return Ok(());
        };
        if head == tip {
            return Ok(());
        }
        // Commits on top of the tip, or the tip amended (on the same parent).
        let tip_parent = self.repo.commit_meta(tip)?.parents.first().copied();
        let base = if self.repo.is_ancestor(tip, head)? {
            tip
        } else if let Some(parent) =
            tip_parent.filter(|p| self.repo.is_ancestor(*p, head).unwrap_or(false))
        {
            parent
        } else {
            return Err(Error::BadObject(format!(
                "HEAD of the check worktree {} is at {}, which neither builds on {name}'s new tip {} nor amends it: check the tip out there (or commit on it) and continue",
                check_worktree_path(self.repo).display(),
                head.short(),
                tip.short()
            )));
        };
        let picked: Vec<String> = self
            .repo
            .walk(head, &[base])?
            .iter()
            .rev()
            .map(|c| {
                Ok(format!(
                    "{} {}",
                    c.id.short(),
                    self.repo.commit_summary(c.id)?
                ))
            })
            .collect::<Result<_>>()?;
        self.ui.warn(format!(
            "picked up {} commit(s) made in the check worktree on top of {name}: {}",
            picked.len(),
            picked.join("; ")
        ));
        let branch = &mut self.state.branches[index];
        branch.new = Some(head);
        branch.note = Some(format!(
            "fixed in the check worktree ({} commit(s))",
            picked.len()
        ));
        Ok(())
    }

    /// Whether the branch's new tip still has to pass the `--exec` check.
    pub(super) fn needs_check(&self, index: usize) -> bool {
        let branch = &self.state.branches[index];
        self.state.options.exec.is_some() && branch.checked != branch.new
    }

    /// Runs the `--exec` check on the branch's new tip (checkpointed first: it may take
    /// long). Some: pause (interrupted, a review checkpoint after it, or failed with
    /// `stop_at_first`). A failed check otherwise leaves the branch waiting in the queue.
    pub(super) fn check(&mut self, index: usize) -> Result<Option<Pause>> {
        self.pick_up_fix(index)?;
        let tip = self.state.branches[index]
            .new
            .expect("a branch is checked once its new tip is known");
        self.state.step = Some(Step::Exec);
        self.state.branches[index].attempts.exec += 1;
        let name = self.state.branches[index].name.clone();
        self.checkpoints
            .record(&self.state, &[tip], &format!("exec on {name}"))?;
        crate::crashpoint::point();
        let command = self.state.options.exec.clone().unwrap_or_default();
        let feedback = self.state.feedback_for(&name).map(str::to_string);
        let branch = &self.state.branches[index];
        self.ui
            .say(format!("exec     {name} ({}): {command}", tip.short()));
        let check = exec::Check {
            command: &command,
            branch: &name,
            onto_name: &self.state.onto.name,
            onto: self.state.onto.oid,
            run_id: &self.state.run_id,
            original: branch.original,
            tip,
            attempt: branch.attempts.exec,
            feedback: feedback.as_deref(),
        };
        let worktree = prepare_check_worktree(self.repo, tip)?;
        let outcome = exec::run_check(self.repo, &worktree, &check, self.ui)?;
        crate::crashpoint::point();
        // What a pause shows: a header, a blank line, then the output's tail (which was
        // shown as it came, so only the header is repeated).
        let report = |how: &str, more: &str, tail: &str| {
            format!(
                "exec '{command}' on {name} ({}): {how}{more}\n\n{tail}",
                tip.short()
            )
        };
        let kept = format!(
            "\nit ran in {}, which stays at that tip while the branch waits: a fix committed there is picked up by 'git align continue'",
            worktree.display()
        );
        match outcome {
            CheckOutcome::Passed { tail } => {
                self.state.branches[index].checked = Some(tip);
                if self.state.options.pause_after.contains(&Step::Exec) {
                    let content = report("passed", "", &tail);
                    return Ok(Some(Pause::new(PauseReason::Checkpoint, content)));
                }
                Ok(None)
            }
            CheckOutcome::Failed { how, tail } => {
                self.ui.warn(format!("exec on {name} failed ({how})"));
                let report = report(&how, &kept, &tail);
                if self.state.options.stop_at_first {
                    return Ok(Some(Pause::new(PauseReason::CheckFailed, report)));
                }
                self.ui
                    .say(format!("waits    {name}: the other branches go on"));
                self.state.branches[index].queue_failed_check(&report);
                Ok(None)
            }
            CheckOutcome::Interrupted(reason) => Ok(Some(Pause::new(
                reason,
                format!("exec on {name} was interrupted; it runs again on continue"),
            ))),
        }
    }
}
