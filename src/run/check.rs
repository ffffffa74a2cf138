//! The `--exec` check of a branch's new tip, run before its ref moves.

use super::{Pause, Runner};
use crate::error::Result;
use crate::exec::{self, CheckOutcome};
use crate::state::{PauseReason, Step};

impl Runner<'_> {
    /// Whether the branch's new tip still has to pass the `--exec` check.
    pub(super) fn needs_check(&self, index: usize) -> bool {
        let branch = &self.state.branches[index];
        self.state.options.exec.is_some() && branch.checked != branch.new
    }

    /// Runs the `--exec` check on the branch's new tip (checkpointed first: it may take
    /// long). Some: pause (failed, interrupted, or a review checkpoint after it).
    pub(super) fn check(&mut self, index: usize) -> Result<Option<Pause>> {
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
        let outcome = exec::run_check(self.repo, &check, self.ui)?;
        crate::crashpoint::point();
        let report = |how: &str, tail: &str| {
            format!(
                "exec '{command}' on {name} ({}): {how}\n{tail}",
                tip.short()
            )
        };
        match outcome {
            CheckOutcome::Passed { tail } => {
                self.state.branches[index].checked = Some(tip);
                if self.state.options.pause_after.contains(&Step::Exec) {
                    let content = report("passed", &tail);
                    return Ok(Some(Pause::new(PauseReason::Checkpoint, content)));
                }
                Ok(None)
            }
            CheckOutcome::Failed { how, tail } => {
                self.ui.warn(format!("exec on {name} failed ({how})"));
                Ok(Some(Pause::new(
                    PauseReason::CheckFailed,
                    report(&how, &tail),
                )))
            }
            CheckOutcome::Interrupted(reason) => Ok(Some(Pause::new(
                reason,
                format!("exec on {name} was interrupted; it runs again on continue"),
            ))),
        }
    }
}
