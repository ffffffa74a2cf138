//! The executor of a run: carries branch after branch through its steps (replay, check,
//! move), pauses at safe points, and finishes.
//!
//! - [`check`]: the `--exec` check of a new tip;
//! - [`checkpoint`]: the write-ahead rule (keep -> save -> move) and the batching of
//!   checkpoints;
//! - [`conflict`]: a conflict's lifecycle, from the stop to the resolution;
//! - [`moves`]: moving branch refs and the checked-out work tree;
//! - [`report`]: what the run tells a person.

mod check;
mod checkpoint;
mod conflict;
mod moves;
mod prune;
mod report;

use std::time::Instant;

pub use moves::{bring_back_autostash, checkout_if_clean, compare_work_tree, WorkTree};
pub use report::{finish_table, next_steps};

use checkpoint::Checkpointer;

use crate::error::{Error, Result};
use crate::git::{release_conflict_worktree, BranchName, Identity, Oid, Repo};
use crate::plan::CommitSource;
use crate::replay::{self, BranchOutcome};
use crate::state::{
    BranchStatus, Conflict, ConflictKind, PauseReason, State, Step, Store, Strategy,
};
use crate::ui::Ui;
use crate::{lock, signals};

/// Why the run stops, and what it shows the person who takes it from there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pause {
    pub reason: PauseReason,
    pub content: Option<String>,
}

impl Pause {
    /// A pause for `reason` showing `content`.
    pub fn new(reason: PauseReason, content: String) -> Pause {
        Pause {
            reason,
            content: Some(content),
        }
    }
}

/// How a run ended in this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// Every branch is done; `failed` of them could not be aligned.
    Finished { failed: usize },
    /// Stopped, resumable.
    Paused(PauseReason),
}

/// Carries a run forward from its last checkpoint.
pub struct Runner<'r> {
    repo: &'r Repo,
    checkpoints: Checkpointer<'r>,
    /// The run's state, ahead of the last checkpoint between flushes.
    state: State,
    ui: Ui,
    committer: Identity,
    commits: CommitSource,
    /// Every branch before it is done or waits in the batch.
    cursor: usize,
    /// The branch whose failed check the run was paused on when this process took it up:
    /// a fix committed in the check worktree is picked up for it.
    retrying_check: Option<String>,
    started: Instant,
}

impl<'r> Runner<'r> {
    /// A runner for `state`, whose last checkpoint is the store's head, replaying the
    /// commits `commits` gives.
    pub fn new(
        repo: &'r Repo,
        store: Store<'r>,
        state: State,
        commits: CommitSource,
        ui: Ui,
    ) -> Result<Runner<'r>> {
        crate::trust::require_trusted(repo, state.options.exec.as_deref())?;
        let retrying_check = state
            .current
            .clone()
            .filter(|_| state.pause_reason == Some(PauseReason::CheckFailed));
        Ok(Runner {
            repo,
            checkpoints: Checkpointer::new(store, state.checkpoints_every_step()),
            state,
            ui,
            committer: repo.committer()?,
            commits,
            cursor: 0,
            retrying_check,
            started: Instant::now(),
        })
    }

    /// Runs until every branch is done or something pauses the run.
    pub fn drive(&mut self) -> Result<Ended> {
        self.state.resume();
        let mut progress = self.ui.progress(self.state.branches.len());
        let mut done_here = 0;
        loop {
            if let Some(reason) = self.interruption() {
                self.checkpoints.drop_batch(&mut self.state);
                self.cursor = 0;
                self.repo.discard_objects()?;
                return self.pause(Pause {
                    reason,
                    content: None,
                });
            }
            let Some(index) = self.next_branch() else {
                break;
            };
            progress.update(index, done_here, &self.state.branches[index].name);
            done_here += 1;
            if let Some(pause) = self.align(index)? {
                return self.pause(pause);
            }
            if self.checkpoints.due() {
                if let Some(pause) = self.flush()? {
                    return self.pause(pause);
                }
            }
        }
        if let Some(pause) = self.flush()? {
            return self.pause(pause);
        }
        if let Some(reason) = self.interruption() {
            // Cut short while the last batch moved: the rest stay current, continue
            // moves them.
            return self.pause(Pause {
                reason,
                content: None,
            });
        }
        if self.state.options.pause_after.contains(&Step::Finish)
            && self.state.step != Some(Step::Finish)
        {
            self.state.current = None;
            self.state.step = Some(Step::Finish);
            let table = finish_table(&self.state);
            return self.pause(Pause::new(PauseReason::Checkpoint, table));
        }
        self.finish()
    }

    fn interruption(&self) -> Option<PauseReason> {
        if signals::stop_requested() {
            Some(PauseReason::Signal)
        } else if lock::take_pause_request(self.repo) {
            Some(PauseReason::Request)
        } else {
            None
        }
    }

    /// The next branch to work on (branches are in parents-first order): the first
    /// that can move; once none can, the first conflict in the queue. With
    /// `stop_at_first`, simply the first not done.
    fn next_branch(&mut self) -> Option<usize> {
        let count = self.state.branches.len();
        if self.state.options.stop_at_first {
            let found = (self.cursor..count).find(|i| {
                matches!(
                    self.state.branches[*i].status,
                    BranchStatus::Pending | BranchStatus::Current | BranchStatus::Conflict
                ) && !self.checkpoints.waits(*i)
            })?;
            self.cursor = found;
            return Some(found);
        }
        let ready = (self.cursor..count).find(|i| {
            let branch = &self.state.branches[*i];
            matches!(branch.status, BranchStatus::Pending | BranchStatus::Current)
                && branch.check_failed.is_none()
                && !self.checkpoints.waits(*i)
                && !self.state.waits_for_parent(*i)
        });
        if let Some(found) = ready {
            self.cursor = found;
            return Some(found);
        }
        // Going on with it may free branches stacked on it, behind the cursor.
        self.cursor = 0;
        (0..count).find(|i| {
            let branch = &self.state.branches[*i];
            branch.status == BranchStatus::Conflict || branch.check_failed.is_some()
        })
    }

    /// Where to pick up the branch at `index`.
    fn resume_step(&self, index: usize) -> Step {
        let branch = &self.state.branches[index];
        if branch.status != BranchStatus::Current || branch.new.is_none() {
            return Step::Rebase;
        }
        if self.state.current.as_deref() != Some(branch.name.as_str()) {
            return Step::Branch;
        }
        match self.state.step {
            Some(Step::Rebase) | Some(Step::Exec) => Step::Exec,
            Some(Step::Branch) | Some(Step::Finish) | None => Step::Branch,
        }
    }

    /// Carries one branch through its steps. Some: pause there.
    fn align(&mut self, index: usize) -> Result<Option<Pause>> {
        let step = self.resume_step(index);
        self.state.current = Some(self.state.branches[index].name.clone());
        if let Some(report) = self.state.branches[index].check_failed.take() {
            return self.stop_on_failed_check(index, report).map(Some);
        }
        if step == Step::Rebase {
            let pause = if self.state.branches[index].conflict.is_some() {
                self.resolve_conflict(index)?
            } else {
                self.rebase(index)?
            };
            if pause.is_some() {
                return Ok(pause);
            }
            if self.state.branches[index].status != BranchStatus::Current {
                return Ok(None);
            }
            if self.state.options.pause_after.contains(&Step::Rebase) {
                let content = self.rebase_review(index)?;
                return Ok(Some(Pause::new(PauseReason::Checkpoint, content)));
            }
        }
        if step != Step::Branch && self.needs_check(index) {
            if let Some(pause) = self.check(index)? {
                return Ok(Some(pause));
            }
            if self.state.branches[index].check_failed.is_some() {
                return Ok(None);
            }
        }
        self.checkpoints.add(index);
        if self.state.checkpoints_every_step() {
            if let Some(pause) = self.flush()? {
                return Ok(Some(pause));
            }
            return Ok(self.branch_checkpoint(index));
        }
        Ok(None)
    }

    /// What a person reviews after the branch at `index` was replayed: its range-diff
    /// (its new commits written to disk first, for git to read), or for a merge its move.
    fn rebase_review(&self, index: usize) -> Result<String> {
        let branch = &self.state.branches[index];
        let Some(new) = branch
            .new
            .filter(|_| self.state.strategy == Strategy::Rebase)
        else {
            return Ok(report::merge_summary(branch));
        };
        let onto = self.state.onto.oid;
        let new_base = match branch.stacked {
            true => self.parent_of(index)?.new.unwrap_or(onto),
            false => onto,
        };
        let old_base = self.own_from(index)?.unwrap_or(onto);
        self.repo.flush_objects()?;
        let ranges = report::Ranges {
            old: (old_base, branch.original),
            new: (new_base, new),
        };
        Ok(report::rebase_review(self.repo, branch, ranges))
    }

    /// After a branch of a run that stops at every step moved: the `branch` review
    /// checkpoint, if asked for.
    fn branch_checkpoint(&mut self, index: usize) -> Option<Pause> {
        let branch = &self.state.branches[index];
        if branch.status != BranchStatus::Aligned
            || !self.state.options.pause_after.contains(&Step::Branch)
        {
            return None;
        }
        let content = report::moved(branch);
        self.state.current = Some(branch.name.clone());
        self.state.step = Some(Step::Branch);
        Some(Pause::new(PauseReason::Checkpoint, content))
    }

    /// Replays (or merges) the branch in memory and records its new tip.
    fn rebase(&mut self, index: usize) -> Result<Option<Pause>> {
        let Some(onto) = self.new_base_of(index)? else {
            return Ok(None);
        };
        self.state.step = Some(Step::Rebase);
        self.state.branches[index].begin_replay();
        let (name, original) = {
            let branch = &self.state.branches[index];
            (branch.name.clone(), branch.original)
        };
        let outcome = match self.state.strategy {
            Strategy::Rebase => {
                let commits = self.planned_commits(index)?;
                self.ui.detail(format!(
                    "replaying {name}: {} commit(s) onto {}",
                    commits.len(),
                    onto.short()
                ));
                let resolver = self.resolver();
                replay::replay_commits(self.repo, &commits, onto, &self.committer, &resolver)?
            }
            Strategy::Merge => {
                let message = replay::merge_message(&self.merge_label(index), &name);
                let author = self.repo.author()?;
                let resolver = self.resolver();
                replay::merge_into(
                    self.repo,
                    original,
                    onto,
                    &message,
                    &author,
                    &self.committer,
                    &resolver,
                )?
            }
        };
        self.record_outcome(index, outcome)
    }

    /// Records what replaying the branch gave: its new tip, or a conflict to resolve.
    fn record_outcome(&mut self, index: usize, outcome: BranchOutcome) -> Result<Option<Pause>> {
        let kind = match self.state.strategy {
            Strategy::Rebase => ConflictKind::Pick,
            Strategy::Merge => ConflictKind::Merge,
        };
        let branch = &mut self.state.branches[index];
        match outcome {
            BranchOutcome::Aligned {
                tip,
                rewritten,
                emptied,
                reused,
            } => {
                branch.replayed(tip, rewritten);
                if !emptied.is_empty() {
                    branch.note = Some(format!(
                        "dropped {} commit(s) that became empty",
                        emptied.len()
                    ));
                }
                if !reused.is_empty() {
                    self.ui.say(format!(
                        "resolved {} with a recorded resolution: {}",
                        branch.name,
                        reused.join(", ")
                    ));
                }
                Ok(None)
            }
            BranchOutcome::Conflict {
                commit,
                partial,
                rewritten,
                conflicts,
            } => {
                let conflict = Conflict {
                    kind,
                    commit,
                    partial,
                    paths: conflicts,
                };
                branch.stop_on(conflict, rewritten);
                if self.state.options.stop_at_first {
                    return self.stop_on_conflict(index).map(Some);
                }
                self.queue_conflict(index).map(|()| None)
            }
        }
    }

    /// The commit the branch goes onto: the base, or its parent's new tip. None when the
    /// parent was not aligned (the branch is then skipped).
    fn new_base_of(&mut self, index: usize) -> Result<Option<Oid>> {
        let branch = &self.state.branches[index];
        if !branch.stacked {
            return Ok(Some(self.state.onto.oid));
        }
        let parent = self.parent_of(index)?;
        match (parent.status, parent.new) {
            (BranchStatus::Aligned | BranchStatus::Current, Some(new)) => Ok(Some(new)),
            _ => {
                let note = format!("its parent {} was not aligned", parent.name);
                let branch = &mut self.state.branches[index];
                self.ui.say(format!("skipped  {} ({note})", branch.name));
                branch.skip(note);
                Ok(None)
            }
        }
    }

    /// The run's branch the branch at `index` is stacked on.
    fn parent_of(&self, index: usize) -> Result<&crate::state::BranchState> {
        let branch = &self.state.branches[index];
        self.state.branch(&branch.parent).ok_or_else(|| {
            Error::CorruptState(format!(
                "parent {} of {} is not in the run",
                branch.parent, branch.name
            ))
        })
    }

    /// The commit the branch's own commits start after: the tip of a landed branch it
    /// sat on, else its parent's original tip when it is stacked (None: the base).
    fn own_from(&self, index: usize) -> Result<Option<Oid>> {
        let branch = &self.state.branches[index];
        if branch.own_from.is_some() || !branch.stacked {
            return Ok(branch.own_from);
        }
        Ok(Some(self.parent_of(index)?.original))
    }

    /// The commits to replay for the branch at `index`: the plan's, the first time.
    fn planned_commits(&mut self, index: usize) -> Result<Vec<Oid>> {
        let own_from = self.own_from(index)?;
        let branch = &self.state.branches[index];
        self.commits
            .take(self.repo, branch, own_from, self.state.onto.oid)
    }

    /// The commits to replay for the branch at `index`, derived from the refs again.
    fn derive_commits(&mut self, index: usize) -> Result<Vec<Oid>> {
        let own_from = self.own_from(index)?;
        let branch = &self.state.branches[index];
        self.commits
            .derive(self.repo, branch, own_from, self.state.onto.oid)
    }

    /// How `git merge` names what is merged into the branch at `index`.
    fn merge_source(&self, index: usize) -> &str {
        let branch = &self.state.branches[index];
        if branch.stacked {
            &branch.parent
        } else {
            &self.state.onto.name
        }
    }

    fn merge_label(&self, index: usize) -> String {
        let name = self.merge_source(index);
        let exists = |refname: String| self.repo.ref_target(&refname).ok().flatten().is_some();
        if exists(BranchName::new(name).refname()) {
            format!("branch '{name}'")
        } else if exists(format!("refs/remotes/{name}")) {
            format!("remote-tracking branch '{name}'")
        } else {
            format!("commit '{name}'")
        }
    }

    /// Checkpoints the batch and moves its refs. Some: a locked ref stopped the moves.
    /// A branch still being worked on (current, or stopped on a conflict) stays the run's
    /// current branch afterwards; the checkpoint names the branches the batch moved.
    fn flush(&mut self) -> Result<Option<Pause>> {
        let at = (self.state.current.clone(), self.state.step);
        let every_step = self.state.checkpoints_every_step();
        let locked = self
            .checkpoints
            .flush(self.repo, &mut self.state, self.ui, every_step)?;
        let still_working = at
            .0
            .as_deref()
            .and_then(|name| self.state.branch(name))
            .is_some_and(|b| matches!(b.status, BranchStatus::Current | BranchStatus::Conflict));
        if still_working {
            (self.state.current, self.state.step) = at;
        }
        Ok(locked)
    }

    /// Checkpoints a pause and tells the user how to go on.
    fn pause(&mut self, pause: Pause) -> Result<Ended> {
        // What waits in the batch moves first; a locked ref met there becomes the reason
        // when the run was only asked to stop.
        let locked = self.flush()?;
        let pause = match (pause.reason, locked) {
            (PauseReason::Signal | PauseReason::Request, Some(locked)) => locked,
            (_, Some(locked)) => {
                let what = locked.content.unwrap_or_default();
                self.ui
                    .warn(format!("{what}; continue moves it once the lock is gone"));
                pause
            }
            (_, None) => pause,
        };
        let pending_tip: Vec<Oid> = self
            .state
            .current
            .as_deref()
            .and_then(|name| self.state.branch(name))
            .and_then(|b| b.new)
            .into_iter()
            .collect();
        let Pause { reason, content } = pause;
        self.state.pause(reason, content.clone());
        let at = self
            .state
            .current
            .clone()
            .unwrap_or_else(|| "the run".into());
        let event = format!("paused ({}) at {at}", reason.as_str());
        self.checkpoints.record(&self.state, &pending_tip, &event)?;
        self.ui.say(format!(
            "paused ({}): {}",
            reason.as_str(),
            self.state.summary()
        ));
        if let Some(content) = content {
            // The check's output was shown as it came: repeat only the header above it.
            let shown = match self.state.step {
                Some(Step::Exec) => content.split("\n\n").next().unwrap_or_default(),
                _ => content.trim_end(),
            };
            self.ui.say(shown);
        }
        self.report_checkpoint_cost();
        self.ui.hint(next_steps(reason));
        self.ui.quiet_line(report::paused_line(&self.state, reason));
        Ok(Ended::Paused(reason))
    }

    /// Closes the run: the last checkpoint, the post-rewrite hook, the autostash back.
    fn finish(&mut self) -> Result<Ended> {
        // A conflict set up in the work tree by a process killed before it checkpointed.
        release_conflict_worktree(self.repo, None, "align: back from a conflict")?;
        crate::git::remove_check_worktree(self.repo);
        self.prune_landed()?;
        self.state.finish();
        let summary = self.state.summary();
        self.checkpoints
            .record(&self.state, &[], &format!("finished: {summary}"))?;
        self.ui
            .say(format!("finished: {summary} onto {}", self.state.onto.name));
        let rewritten: Vec<(Oid, Oid)> = self
            .state
            .branches
            .iter()
            .filter(|b| b.status == BranchStatus::Aligned)
            .flat_map(|b| b.rewritten.iter().copied())
            .collect();
        crate::rewrite::after_rewrite(self.repo, &rewritten, self.ui)?;
        // Once the run is closed: a kill before this leaves the changes in the stash list.
        bring_back_autostash(self.repo, &self.state, self.ui)?;
        self.report_checkpoint_cost();
        let failed = self
            .state
            .branches
            .iter()
            .filter(|b| b.status == BranchStatus::Failed)
            .count();
        Ok(Ended::Finished { failed })
    }

    fn report_checkpoint_cost(&self) {
        report::checkpoint_cost(self.ui, self.checkpoints.cost(), self.started.elapsed());
    }
}
