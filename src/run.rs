//! The executor of a run: aligns branch after branch, writes checkpoints, moves refs
//! write-ahead, and stops at safe points when asked.
//!
//! Crash safety rests on one rule: a branch ref moves only after a checkpoint records
//! its new oid (status `current` with `new` set, and the objects kept on
//! `refs/align/keep`). After a kill, every branch is at its original or its recorded new
//! oid, and [`reconcile`] tells which.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::exec::{self, CheckOutcome};
use crate::git::{
    conflict_in_progress, conflict_worktree_path, create_conflict_worktree, create_main_conflict,
    main_conflict_on, read_resolution, release_conflict_worktree, Apply, ConflictedPath, Identity,
    MainConflict, Oid, RefUpdate, Repo, Resolved, Unstash,
};
use crate::plan::{self, UpstreamIndex};
use crate::replay::{self, BranchOutcome};
use crate::state::{
    BranchStatus, Conflict, ConflictKind, ConflictWorktree, PathConflict, PauseReason, Resolution,
    RunState, State, Step, Store, Strategy,
};
use crate::ui::Ui;
use crate::{lock, signals};

/// How a command that runs the alignment ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Every branch done (or nothing to do): exit 0.
    Finished,
    /// Stopped, resumable: exit 3.
    Paused(PauseReason),
}

/// The shortest time between two checkpoints of a plain run; a checkpoint is also taken
/// at every pause and at the end.
const MIN_CHECKPOINT_INTERVAL: Duration = Duration::from_millis(50);
/// The longest: past it a batch's pack and ref moves would make a pause wait too long.
const MAX_CHECKPOINT_INTERVAL: Duration = Duration::from_millis(300);

/// Carries a run forward from its last checkpoint.
pub struct Runner<'r> {
    repo: &'r Repo,
    store: Store<'r>,
    /// The run's state, ahead of the last checkpoint between flushes.
    pub state: State,
    ui: Ui,
    committer: Identity,
    planned: HashMap<String, Vec<Oid>>,
    upstream: UpstreamIndex,
    batch: Vec<usize>,
    last_flush: Instant,
    flush_cost: Duration,
    cursor: usize,
    started: Instant,
}

impl<'r> Runner<'r> {
    /// A runner for `state`, whose last checkpoint is the store's head.
    pub fn new(repo: &'r Repo, mut store: Store<'r>, state: State, ui: Ui) -> Result<Runner<'r>> {
        crate::trust::require_trusted(repo, state.options.exec.as_deref())?;
        store.pack_checkpoints(!is_interactive(&state));
        Ok(Runner {
            repo,
            store,
            state,
            ui,
            committer: repo.committer()?,
            planned: HashMap::new(),
            upstream: UpstreamIndex::default(),
            batch: Vec::new(),
            last_flush: Instant::now(),
            flush_cost: Duration::ZERO,
            cursor: 0,
            started: Instant::now(),
        })
    }

    /// Reuses the commit lists a plan computed in this process.
    pub fn with_plan(mut self, plan: &plan::AlignPlan) -> Runner<'r> {
        for branch in &plan.branches {
            self.planned
                .insert(branch.name.clone(), branch.commits.clone());
        }
        self
    }

    /// The store, for commands that checkpoint around the run.
    pub fn store(&mut self) -> &mut Store<'r> {
        &mut self.store
    }

    /// Runs until every branch is done or something pauses the run.
    pub fn drive(&mut self) -> Result<Outcome> {
        self.state.state = RunState::Running;
        self.state.pause_reason = None;
        self.state.pause_content = None;
        let mut progress = self.ui.progress(self.state.branches.len());
        let mut done_here = 0;
        loop {
            if let Some(reason) = self.interruption() {
                self.drop_batch();
                self.repo.discard_objects()?;
                return self.pause(reason, None);
            }
            let Some(index) = self.next_branch() else {
                break;
            };
            progress.update(index, done_here, &self.state.branches[index].name);
            done_here += 1;
            if let Some((reason, content)) = self.align(index)? {
                return self.pause(reason, Some(content));
            }
            if self.flush_due() {
                self.flush()?;
            }
        }
        self.flush()?;
        if self.state.options.pause_after.contains(&Step::Finish)
            && self.state.step != Some(Step::Finish)
        {
            self.state.current = None;
            self.state.step = Some(Step::Finish);
            let table = finish_table(&self.state);
            return self.pause(PauseReason::Checkpoint, Some(table));
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

    /// The first branch still to do (branches are in parents-first order, and every
    /// branch before the cursor is done or waiting in the batch).
    fn next_branch(&mut self) -> Option<usize> {
        let found = (self.cursor..self.state.branches.len()).find(|i| {
            matches!(
                self.state.branches[*i].status,
                BranchStatus::Pending | BranchStatus::Current | BranchStatus::Conflict
            ) && !self.batch.contains(i)
        })?;
        self.cursor = found;
        Some(found)
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

    /// Carries one branch through its steps. Some: pause with that reason and content.
    fn align(&mut self, index: usize) -> Result<Option<(PauseReason, String)>> {
        let step = self.resume_step(index);
        self.state.current = Some(self.state.branches[index].name.clone());
        if step == Step::Rebase {
            let pause = if self.state.branches[index].conflict.is_some() {
                self.resolve_conflict(index)?
            } else {
                self.rebase(index)?
            };
            if let Some(pause) = pause {
                return Ok(Some(pause));
            }
            if self.state.branches[index].status != BranchStatus::Current {
                return Ok(None);
            }
            if self.state.options.pause_after.contains(&Step::Rebase) {
                return Ok(Some((PauseReason::Checkpoint, self.rebase_summary(index)?)));
            }
        }
        if step != Step::Branch && self.needs_check(index) {
            if let Some(pause) = self.check(index)? {
                return Ok(Some(pause));
            }
        }
        self.batch.push(index);
        if self.is_interactive() {
            self.flush()?;
            return Ok(self.branch_checkpoint(index));
        }
        Ok(None)
    }

    /// Whether the branch's new tip still has to pass the `--exec` check.
    fn needs_check(&self, index: usize) -> bool {
        let branch = &self.state.branches[index];
        self.state.options.exec.is_some() && branch.checked != branch.new
    }

    /// Runs the `--exec` check on the branch's new tip (checkpointed first: it may take
    /// long). Some: pause (failed, interrupted, or a review checkpoint after it).
    fn check(&mut self, index: usize) -> Result<Option<(PauseReason, String)>> {
        let tip = self.state.branches[index]
            .new
            .expect("a branch is checked once its new tip is known");
        self.state.step = Some(Step::Exec);
        self.state.branches[index].attempts.exec += 1;
        self.store.keep(&self.state.run_id, &[tip])?;
        let name = self.state.branches[index].name.clone();
        self.store.save(&self.state, &format!("exec on {name}"))?;
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
                    return Ok(Some((PauseReason::Checkpoint, report("passed", &tail))));
                }
                Ok(None)
            }
            CheckOutcome::Failed { how, tail } => {
                self.ui.warn(format!("exec on {name} failed ({how})"));
                Ok(Some((PauseReason::CheckFailed, report(&how, &tail))))
            }
            CheckOutcome::Interrupted(reason) => Ok(Some((
                reason,
                format!("exec on {name} was interrupted; it runs again on continue"),
            ))),
        }
    }

    /// After an interactive branch moved: the `branch` review checkpoint, if asked for.
    fn branch_checkpoint(&mut self, index: usize) -> Option<(PauseReason, String)> {
        let branch = &self.state.branches[index];
        if branch.status != BranchStatus::Aligned
            || !self.state.options.pause_after.contains(&Step::Branch)
        {
            return None;
        }
        let content = format!(
            "moved {} {} -> {}",
            branch.name,
            branch.original.short(),
            branch.new.map(|o| o.short()).unwrap_or_default()
        );
        self.state.current = Some(branch.name.clone());
        self.state.step = Some(Step::Branch);
        Some((PauseReason::Checkpoint, content))
    }

    /// Replays (or merges) the branch in memory and records its new tip.
    fn rebase(&mut self, index: usize) -> Result<Option<(PauseReason, String)>> {
        let Some(onto) = self.new_base_of(index)? else {
            return Ok(None);
        };
        self.state.step = Some(Step::Rebase);
        let branch = &mut self.state.branches[index];
        branch.status = BranchStatus::Current;
        branch.new = None;
        branch.checked = None;
        branch.rewritten.clear();
        branch.attempts.rebase += 1;
        let (name, original) = (branch.name.clone(), branch.original);
        let outcome = match self.state.strategy {
            Strategy::Rebase => {
                let commits = match self.planned.remove(&name) {
                    Some(commits) => commits,
                    None => self.derive_commits(index)?,
                };
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

    /// Settles a conflict the way an earlier resolution of the same conflict did.
    fn resolver(&self) -> impl Fn(&ConflictedPath) -> Option<Option<Oid>> + '_ {
        |conflict| {
            self.state
                .resolutions
                .iter()
                .find(|r| {
                    r.conflict.base == conflict.base
                        && r.conflict.ours == conflict.ours
                        && r.conflict.theirs == conflict.theirs
                })
                .map(|r| r.resolved)
        }
    }

    /// Records what replaying the branch gave: its new tip, or a conflict to resolve.
    fn record_outcome(
        &mut self,
        index: usize,
        outcome: BranchOutcome,
    ) -> Result<Option<(PauseReason, String)>> {
        let branch = &mut self.state.branches[index];
        match outcome {
            BranchOutcome::Aligned {
                tip,
                rewritten,
                emptied,
                reused,
            } => {
                branch.new = Some(tip);
                branch.rewritten.extend(rewritten);
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
                branch.status = BranchStatus::Conflict;
                branch.rewritten.extend(rewritten);
                let kind = match self.state.strategy {
                    Strategy::Rebase => ConflictKind::Pick,
                    Strategy::Merge => ConflictKind::Merge,
                };
                branch.conflict = Some(Conflict {
                    kind,
                    commit,
                    partial,
                    paths: conflicts
                        .into_iter()
                        .map(|c| PathConflict {
                            path: c.path,
                            base: c.base,
                            ours: c.ours,
                            theirs: c.theirs,
                        })
                        .collect(),
                });
                self.stop_on_conflict(index).map(Some)
            }
        }
    }

    /// Prepares the worktree where the conflict of the branch at `index` is resolved,
    /// and says where it is.
    fn stop_on_conflict(&mut self, index: usize) -> Result<(PauseReason, String)> {
        let branch = &self.state.branches[index];
        let conflict = branch
            .conflict
            .as_ref()
            .expect("a branch stops on a conflict it recorded");
        let apply = match conflict.kind {
            ConflictKind::Pick => Apply::CherryPick,
            ConflictKind::Merge => Apply::Merge,
        };
        self.store.keep(&self.state.run_id, &[conflict.partial])?;
        let path =
            self.make_conflict_worktree(&branch.name, conflict.partial, apply, conflict.commit)?;
        let files: Vec<&str> = conflict.paths.iter().map(|p| p.path.as_str()).collect();
        let what = match conflict.kind {
            ConflictKind::Pick => format!(
                "replaying {} ({}) of {}",
                conflict.commit.short(),
                self.repo.commit_summary(conflict.commit)?,
                branch.name
            ),
            ConflictKind::Merge => format!("merging {} into {}", self.state.onto.name, branch.name),
        };
        let content = format!(
            "conflict {what} in: {}\nresolve it in {}: edit the files, 'git add' them, then 'git align continue'",
            files.join(", "),
            path.display()
        );
        self.state.worktree = Some(path.display().to_string());
        Ok((PauseReason::Conflict, content))
    }

    /// Sets up the conflict of applying `commit` on `at` where the run's option says: in
    /// the work tree git-align runs in when asked for and it can take it, otherwise in a
    /// linked worktree of the branch's own. Returns where it is.
    fn make_conflict_worktree(
        &self,
        name: &str,
        at: Oid,
        apply: Apply,
        commit: Oid,
    ) -> Result<PathBuf> {
        if self.state.options.conflict_worktree == ConflictWorktree::Main {
            let message = format!("align: conflict in {name} ({})", self.state.run_id);
            match create_main_conflict(self.repo, at, apply, commit, &message)? {
                MainConflict::Ready(path) => return Ok(path),
                MainConflict::Refused(why) => self.ui.warn(format!(
                    "the work tree cannot take the conflict ({why}); it is in a linked worktree"
                )),
            }
        }
        create_conflict_worktree(self.repo, name, at, apply, commit)
    }

    /// Where the conflict of branch `name` (on `partial`) waits to be resolved, if it was
    /// set up here and is still under way there: its linked worktree, or the work tree
    /// lent to it.
    fn conflict_worktree_here(&self, name: &str, partial: Oid) -> Result<Option<PathBuf>> {
        let linked = conflict_worktree_path(self.repo, name);
        if self.state.worktree.as_deref().map(Path::new) == Some(linked.as_path())
            && conflict_in_progress(self.repo, &linked, partial)?
        {
            return Ok(Some(linked));
        }
        main_conflict_on(self.repo, partial)
    }

    /// Takes up the resolution a person made in the conflict worktree: commits it (with
    /// the original author and message), records it for reuse (checkpointed before the
    /// worktree goes), and replays the rest of the branch. Refuses, changing nothing,
    /// while the conflict is not resolved.
    fn resolve_conflict(&mut self, index: usize) -> Result<Option<(PauseReason, String)>> {
        let branch = &self.state.branches[index];
        let conflict = branch
            .conflict
            .clone()
            .expect("resolve_conflict is called for a branch stopped on a conflict");
        let Some(worktree) = self.conflict_worktree_here(&branch.name, conflict.partial)? else {
            // Made on another machine (the run was fetched), or removed: make it here.
            return self.stop_on_conflict(index).map(Some);
        };
        let paths: Vec<String> = conflict.paths.iter().map(|p| p.path.clone()).collect();
        let resolved = read_resolution(&worktree, &paths)?;
        let name = branch.name.clone();
        let tip = self.commit_resolution(index, &conflict, resolved)?;
        for path in &conflict.paths {
            self.state.resolutions.push(Resolution {
                conflict: path.clone(),
                resolved: self.repo.blob_at(tip, &path.path)?,
                commit: tip,
            });
        }
        let branch = &mut self.state.branches[index];
        branch.conflict = None;
        branch.status = BranchStatus::Current;
        self.state.step = Some(Step::Rebase);
        self.state.worktree = None;
        // Should the process die from here on, continue replays the branch again and the
        // recorded resolution settles the conflict.
        self.store.keep(&self.state.run_id, &[tip])?;
        self.store.save(&self.state, &format!("resolved {name}"))?;
        crate::crashpoint::point();
        let message = format!("align: {name} resolved ({})", self.state.run_id);
        release_conflict_worktree(self.repo, worktree.to_str(), &message)?;
        self.ui
            .say(format!("resolved  {name}: {}", paths.join(", ")));
        let rest = match conflict.kind {
            ConflictKind::Merge => Vec::new(),
            ConflictKind::Pick => {
                let commits = self.derive_commits(index)?;
                let at = commits.iter().position(|c| *c == conflict.commit);
                at.map(|i| commits[i + 1..].to_vec()).unwrap_or_default()
            }
        };
        let outcome = {
            let resolver = self.resolver();
            replay::replay_commits(self.repo, &rest, tip, &self.committer, &resolver)?
        };
        self.record_outcome(index, outcome)
    }

    /// The commit that carries the resolution: a new commit with the original's author
    /// and message on the worktree's HEAD (or HEAD itself if the person committed).
    fn commit_resolution(
        &mut self,
        index: usize,
        conflict: &Conflict,
        resolved: Resolved,
    ) -> Result<Oid> {
        let head_tree = self.repo.tree_of(resolved.head)?;
        if resolved.head != conflict.partial && resolved.tree == head_tree {
            return Ok(resolved.head);
        }
        match conflict.kind {
            ConflictKind::Pick => {
                if resolved.tree == head_tree {
                    let branch = &mut self.state.branches[index];
                    branch.note = Some(format!(
                        "dropped {} (empty after the resolution)",
                        conflict.commit.short()
                    ));
                    return Ok(resolved.head);
                }
                let new = self.repo.rewrite_commit(
                    conflict.commit,
                    &[resolved.head],
                    resolved.tree,
                    &self.committer,
                )?;
                self.state.branches[index]
                    .rewritten
                    .push((conflict.commit, new));
                Ok(new)
            }
            ConflictKind::Merge => {
                let label = self.merge_label(index);
                let message = replay::merge_message(&label, &self.state.branches[index].name);
                let author = self.repo.author()?;
                self.repo.create_commit(
                    resolved.tree,
                    &[resolved.head, conflict.commit],
                    &author,
                    &self.committer,
                    &message,
                )
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
        let parent = self.state.branch(&branch.parent).ok_or_else(|| {
            Error::CorruptState(format!(
                "parent {} of {} is not in the run",
                branch.parent, branch.name
            ))
        })?;
        match (parent.status, parent.new) {
            (BranchStatus::Aligned | BranchStatus::Current, Some(new)) => Ok(Some(new)),
            _ => {
                let note = format!("its parent {} was not aligned", parent.name);
                let branch = &mut self.state.branches[index];
                branch.status = BranchStatus::Skipped;
                branch.note = Some(note.clone());
                self.ui.say(format!("skipped  {} ({note})", branch.name));
                Ok(None)
            }
        }
    }

    fn derive_commits(&mut self, index: usize) -> Result<Vec<Oid>> {
        let branch = &self.state.branches[index];
        let parent_tip = if branch.stacked {
            self.state.branch(&branch.parent).map(|p| p.original)
        } else {
            None
        };
        let picked = plan::branch_commits(
            self.repo,
            &branch.name,
            branch.original,
            parent_tip,
            self.state.onto.oid,
            &mut self.upstream,
        )?;
        Ok(picked.commits)
    }

    fn merge_label(&self, index: usize) -> String {
        let branch = &self.state.branches[index];
        let name = if branch.stacked {
            &branch.parent
        } else {
            &self.state.onto.name
        };
        if self
            .repo
            .ref_target(&format!("refs/heads/{name}"))
            .ok()
            .flatten()
            .is_some()
        {
            format!("branch '{name}'")
        } else if self
            .repo
            .ref_target(&format!("refs/remotes/{name}"))
            .ok()
            .flatten()
            .is_some()
        {
            format!("remote-tracking branch '{name}'")
        } else {
            format!("commit '{name}'")
        }
    }

    fn rebase_summary(&self, index: usize) -> Result<String> {
        let branch = &self.state.branches[index];
        let mut out = format!(
            "{}: {} -> {} ({} commit(s) rewritten)\n",
            branch.name,
            branch.original.short(),
            branch.new.map(|o| o.short()).unwrap_or_default(),
            branch.rewritten.len()
        );
        for (old, new) in &branch.rewritten {
            out.push_str(&format!(
                "  {} -> {} {}\n",
                old.short(),
                new.short(),
                self.repo.commit_summary(*new)?
            ));
        }
        Ok(out)
    }

    fn is_interactive(&self) -> bool {
        is_interactive(&self.state)
    }

    fn flush_due(&self) -> bool {
        !self.batch.is_empty()
            && self.last_flush.elapsed()
                >= (self.flush_cost * 10).clamp(MIN_CHECKPOINT_INTERVAL, MAX_CHECKPOINT_INTERVAL)
    }

    /// Forgets the replays waiting for the next checkpoint, so that an interruption
    /// costs one checkpoint rather than their ref moves: they are pending again and are
    /// replayed (to the same commits) on continue.
    fn drop_batch(&mut self) {
        for index in std::mem::take(&mut self.batch) {
            let branch = &mut self.state.branches[index];
            branch.status = BranchStatus::Pending;
            branch.new = None;
            branch.checked = None;
            branch.rewritten.clear();
            branch.note = None;
        }
        self.cursor = 0;
    }

    /// Write-ahead, then move: keeps the batch's new tips, checkpoints them, moves their
    /// refs. The next checkpoint records them as aligned.
    fn flush(&mut self) -> Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let started = Instant::now();
        let batch = std::mem::take(&mut self.batch);
        let tips: Vec<Oid> = batch
            .iter()
            .filter_map(|i| self.state.branches[*i].new)
            .collect();
        self.store.keep(&self.state.run_id, &tips)?;
        let names: Vec<&str> = batch
            .iter()
            .map(|i| self.state.branches[*i].name.as_str())
            .collect();
        let event = format!("moving {}", abbreviate(&names));
        self.ui.detail(format!("checkpoint: {event}"));
        let previous = (self.state.current.clone(), self.state.step);
        self.state.current = names.last().map(|n| n.to_string());
        self.state.step = Some(Step::Branch);
        self.store.save(&self.state, &event)?;
        for index in batch {
            if signals::stop_requested() {
                // The rest stay `current` with their new oid recorded: continue moves them.
                break;
            }
            self.move_branch(index)?;
            crate::crashpoint::point();
        }
        (self.state.current, self.state.step) = if self.is_interactive() {
            previous
        } else {
            (None, None)
        };
        self.flush_cost = started.elapsed();
        self.last_flush = Instant::now();
        Ok(())
    }

    /// Moves one branch from its original to its new oid (compare-and-swap).
    fn move_branch(&mut self, index: usize) -> Result<()> {
        let (name, original, new) = {
            let b = &self.state.branches[index];
            (
                b.name.clone(),
                b.original,
                b.new
                    .expect("a branch is moved only once its new tip is known"),
            )
        };
        let refname = format!("refs/heads/{name}");
        let message = format!(
            "align: onto {} ({})",
            self.state.onto.name, self.state.run_id
        );
        let actual = self.repo.ref_target(&refname)?;
        let failure = if actual == Some(new) {
            None
        } else if actual != Some(original) {
            Some(format!(
                "moved outside git-align to {}; left alone",
                describe_oid(actual)
            ))
        } else if let Some(problem) = self.update_checked_out(&name, original, new)? {
            Some(problem)
        } else {
            match self
                .repo
                .update_ref(&refname, new, Some(original), &message)?
            {
                RefUpdate::Done => None,
                RefUpdate::Moved { actual } => Some(format!(
                    "moved outside git-align to {}; left alone",
                    describe_oid(actual)
                )),
            }
        };
        let branch = &mut self.state.branches[index];
        match failure {
            None => {
                branch.status = BranchStatus::Aligned;
                if original == new {
                    self.ui.say(format!("aligned  {name} (already up to date)"));
                } else {
                    self.ui.say(format!(
                        "aligned  {name} {} -> {}",
                        original.short(),
                        new.short()
                    ));
                }
            }
            Some(problem) => {
                branch.status = BranchStatus::Failed;
                self.ui.warn(format!("{name}: {problem}"));
                branch.note = Some(problem);
            }
        }
        Ok(())
    }

    /// If `name` is checked out here, brings the work tree and index from `from` to `to`
    /// (a crash may have left them at `to` already). Some: why it cannot.
    fn update_checked_out(&self, name: &str, from: Oid, to: Oid) -> Result<Option<String>> {
        if self.repo.head()?.branch.as_deref() != Some(name) {
            return Ok(None);
        }
        Ok(checkout_if_clean(self.repo, &[from, to], to)?
            .map(|path| format!("checked out with uncommitted changes ({path}); left alone")))
    }

    /// Checkpoints a pause and tells the user how to go on.
    fn pause(&mut self, reason: PauseReason, content: Option<String>) -> Result<Outcome> {
        let at = (self.state.current.clone(), self.state.step);
        self.flush()?;
        let still_working = at
            .0
            .as_deref()
            .and_then(|name| self.state.branch(name))
            .is_some_and(|b| matches!(b.status, BranchStatus::Current | BranchStatus::Conflict));
        if still_working {
            (self.state.current, self.state.step) = at;
        }
        let pending_tip = self
            .state
            .current
            .as_deref()
            .and_then(|name| self.state.branch(name))
            .and_then(|b| b.new);
        if let Some(tip) = pending_tip {
            self.store.keep(&self.state.run_id, &[tip])?;
        }
        self.state.state = RunState::Paused;
        self.state.pause_reason = Some(reason);
        self.state.pause_content = content.clone();
        let at = self
            .state
            .current
            .clone()
            .unwrap_or_else(|| "the run".into());
        self.store.save(
            &self.state,
            &format!("paused ({}) at {at}", reason.as_str()),
        )?;
        self.ui.say(format!(
            "paused ({}): {}",
            reason.as_str(),
            self.state.summary()
        ));
        if let Some(content) = content {
            // The check's output was shown as it came: repeat only its first line.
            let shown = match self.state.step {
                Some(Step::Exec) => content.lines().next().unwrap_or_default(),
                _ => content.trim_end(),
            };
            self.ui.say(shown);
        }
        self.report_checkpoint_cost();
        self.ui.hint(next_steps(reason));
        Ok(Outcome::Paused(reason))
    }

    fn finish(&mut self) -> Result<Outcome> {
        // A conflict set up in the work tree by a process killed before it checkpointed.
        release_conflict_worktree(self.repo, None, "align: back from a conflict")?;
        self.state.state = RunState::Finished;
        self.state.current = None;
        self.state.step = None;
        self.state.pause_reason = None;
        self.state.pause_content = None;
        let summary = self.state.summary();
        self.store
            .save(&self.state, &format!("finished: {summary}"))?;
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
        Ok(Outcome::Finished)
    }

    /// With `-v`: what checkpointing cost against the whole run.
    fn report_checkpoint_cost(&self) {
        let cost = self.store.cost();
        let run = self.started.elapsed();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        self.ui.detail(format!(
            "checkpoints: {} written in {:.1} ms ({:.1}% of {:.1} ms), slowest {:.1} ms, state {} bytes; new objects packed in {:.1} ms",
            cost.count,
            ms(cost.total),
            100.0 * cost.total.as_secs_f64() / run.as_secs_f64().max(1e-9),
            ms(run),
            ms(cost.largest),
            cost.last_bytes,
            ms(cost.packing)
        ));
    }
}

/// Applies the changes `--autostash` put aside to the work tree again, if they are still
/// in the stash list, and says how it went.
pub fn bring_back_autostash(repo: &Repo, state: &State, ui: Ui) -> Result<()> {
    let Some(stash) = state.autostash else {
        return Ok(());
    };
    match crate::git::unstash(repo, stash)? {
        Unstash::Applied => ui.say(format!("applied your autostash ({})", stash.short())),
        Unstash::Conflicted => {
            ui.warn(format!(
                "applying your autostash ({}) resulted in conflicts; your changes are safe in the stash list",
                stash.short()
            ));
            ui.hint("resolve the conflicts in the work tree and 'git stash drop' it, or 'git checkout -f' and apply it later");
        }
        Unstash::Kept => {
            ui.warn(format!(
                "your autostash ({}) cannot be applied here; it stays in the stash list",
                stash.short()
            ));
            ui.hint("'git stash list' shows it, 'git stash pop' applies it when you are ready");
        }
        Unstash::NotListed => ui.detail(format!(
            "the autostash {} is not in this repository's stash list; nothing to apply",
            stash.short()
        )),
    }
    Ok(())
}

/// Whether the run checkpoints every step of every branch (checks or review pauses).
fn is_interactive(state: &State) -> bool {
    state.options.exec.is_some() || !state.options.pause_after.is_empty()
}

/// Brings a loaded state in line with the refs after a crash or an interrupted flush:
/// branches whose ref is already at their recorded new oid are aligned; with
/// `interrupted` (no process is working on the run), a replay that was cut short is
/// pending again.
pub fn reconcile(repo: &Repo, state: &mut State, interrupted: bool) -> Result<()> {
    for branch in &mut state.branches {
        match (branch.status, branch.new) {
            (BranchStatus::Current, Some(new))
                if repo.ref_target(&format!("refs/heads/{}", branch.name))? == Some(new) =>
            {
                branch.status = BranchStatus::Aligned;
            }
            (BranchStatus::Current, None) if interrupted => {
                branch.status = BranchStatus::Pending;
            }
            _ => {}
        }
    }
    if state.state == RunState::Running
        && state.step == Some(Step::Branch)
        && state
            .current
            .as_deref()
            .and_then(|c| state.branch(c))
            .map(|b| b.status)
            == Some(BranchStatus::Aligned)
    {
        state.current = None;
        state.step = None;
    }
    Ok(())
}

/// How the work tree and index compare with some commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkTree {
    /// The repository has no work tree.
    Bare,
    /// They match this tree (of the first commit they match).
    Matches(Oid),
    /// They match none; this path differs from the first commit.
    Dirty(String),
}

/// Compares the work tree and index with each of `commits` in turn.
pub fn compare_work_tree(repo: &Repo, commits: &[Oid]) -> Result<WorkTree> {
    if repo.workdir().is_none() {
        return Ok(WorkTree::Bare);
    }
    let mut first_change = None;
    for commit in commits {
        let tree = repo.tree_of(*commit)?;
        match repo.first_change_against(tree)? {
            None => return Ok(WorkTree::Matches(tree)),
            Some(path) => {
                first_change.get_or_insert(path);
            }
        }
    }
    Ok(WorkTree::Dirty(first_change.unwrap_or_default()))
}

/// Brings the work tree and index to `to`'s tree if they are clean against one of the
/// `expected` commits; None when done (or nothing to do, or no work tree), Some(path) when
/// `path` has changes of the user's.
pub fn checkout_if_clean(repo: &Repo, expected: &[Oid], to: Oid) -> Result<Option<String>> {
    match compare_work_tree(repo, expected)? {
        WorkTree::Bare => Ok(None),
        WorkTree::Dirty(path) => Ok(Some(path)),
        WorkTree::Matches(tree) => {
            let target = repo.tree_of(to)?;
            if tree != target {
                repo.force_checkout(target)?;
                crate::crashpoint::point();
            }
            Ok(None)
        }
    }
}

/// The whole table, for the `finish` checkpoint.
pub fn finish_table(state: &State) -> String {
    let width = state
        .branches
        .iter()
        .map(|b| b.name.len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for b in &state.branches {
        out.push_str(&format!(
            "{:8} {:width$} {} -> {}\n",
            b.status.as_str(),
            b.name,
            b.original.short(),
            b.new.map(|o| o.short()).unwrap_or_else(|| "-".into())
        ));
    }
    out
}

/// What a person can do at a pause, as a hint line.
pub fn next_steps(reason: PauseReason) -> &'static str {
    match reason {
        PauseReason::Checkpoint => "'git align continue' approves, 'git align continue --revise \"FEEDBACK\"' redoes the step, 'git align skip' leaves the branch, 'git align cancel' restores everything",
        PauseReason::CheckFailed => "'git align continue' runs the check again (--revise \"FEEDBACK\" passes feedback to it), 'git align skip' leaves the branch, 'git align cancel' restores everything",
        PauseReason::Conflict => "resolve the files in the worktree named above and 'git add' them, then 'git align continue'; 'git align skip' leaves the branch (and those stacked on it), 'git align cancel' restores everything",
        PauseReason::Request | PauseReason::Signal => "'git align continue' goes on, 'git align skip' leaves the current branch, 'git align cancel' restores everything",
    }
}

fn describe_oid(oid: Option<Oid>) -> String {
    oid.map(|o| o.short())
        .unwrap_or_else(|| "nothing (deleted)".into())
}

fn abbreviate(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [first, .., last] if names.len() > 4 => {
            format!("{} branches ({first} .. {last})", names.len())
        }
        _ => names.join(", "),
    }
}
