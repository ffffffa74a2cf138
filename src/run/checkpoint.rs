//! The write-ahead rule, in one place: a branch ref moves only after a checkpoint that
//! records its new tip, whose objects are kept reachable first (keep -> save -> move).
//! After a kill, every branch is at its original or its recorded new oid, and
//! [`State::reconcile`] tells which.
//!
//! A plain run groups the branches replayed within a short while into one batch: one
//! checkpoint, then their ref moves. A run that checkpoints every step (`--exec`,
//! `--pause-after`) flushes each branch on its own.

use std::time::{Duration, Instant};

use super::{moves, Pause};
use crate::error::{Error, Result};
use crate::git::{Oid, Repo};
use crate::signals;
use crate::state::{BranchStatus, CheckpointCost, PauseReason, State, Step, Store};
use crate::ui::Ui;

/// The shortest time between two checkpoints of a plain run; a checkpoint is also taken
/// at every pause and at the end.
const MIN_CHECKPOINT_INTERVAL: Duration = Duration::from_millis(50);
/// The longest: past it a batch's pack and ref moves would make a pause wait too long.
const MAX_CHECKPOINT_INTERVAL: Duration = Duration::from_millis(300);

/// Owns the run's store and the batch of branches waiting for their checkpoint.
pub struct Checkpointer<'r> {
    store: Store<'r>,
    /// Indexes of branches replayed whose refs wait for the next checkpoint.
    batch: Vec<usize>,
    last_flush: Instant,
    flush_cost: Duration,
}

impl<'r> Checkpointer<'r> {
    /// Checkpoints into `store`; `every_step` for runs that stop at every step (their
    /// checkpoints are written loose rather than into the run's packs).
    pub fn new(mut store: Store<'r>, every_step: bool) -> Checkpointer<'r> {
        store.pack_checkpoints(!every_step);
        Checkpointer {
            store,
            batch: Vec::new(),
            last_flush: Instant::now(),
            flush_cost: Duration::ZERO,
        }
    }

    /// Records `state` as a checkpoint named `event`, after making `tips` reachable from
    /// the run's keep ref. Once this returns, refs may move to those tips.
    pub fn record(&mut self, state: &State, tips: &[Oid], event: &str) -> Result<()> {
        self.store.keep(&state.run_id, tips)?;
        self.store.save(state, event)?;
        Ok(())
    }

    /// Makes `tips` reachable from the run's keep ref (their objects on disk), for what
    /// points at them outside a checkpoint: a conflict's worktree.
    pub fn keep(&mut self, run_id: &str, tips: &[Oid]) -> Result<()> {
        self.store.keep(run_id, tips)
    }

    /// Adds the branch at `index` (its new tip known) to the batch.
    pub fn add(&mut self, index: usize) {
        self.batch.push(index);
    }

    /// Whether the branch at `index` waits in the batch.
    pub fn waits(&self, index: usize) -> bool {
        self.batch.contains(&index)
    }

    /// Whether the batch has waited long enough for its checkpoint: ten times what the
    /// last one cost, within bounds.
    pub fn due(&self) -> bool {
        !self.batch.is_empty()
            && self.last_flush.elapsed()
                >= (self.flush_cost * 10).clamp(MIN_CHECKPOINT_INTERVAL, MAX_CHECKPOINT_INTERVAL)
    }

    /// Forgets the batch, so that an interruption costs one checkpoint rather than its
    /// ref moves: its branches are pending again, and so is every branch stacked on one
    /// of them that was replayed onto its forgotten tip (queued on a conflict or a failed
    /// check): continue replays them all.
    pub fn drop_batch(&mut self, state: &mut State) {
        for index in std::mem::take(&mut self.batch) {
            state.branches[index].reset_to_pending();
            let name = state.branches[index].name.clone();
            for child in state.descendants(&name) {
                if let Some(branch) = state.branches.iter_mut().find(|b| b.name == child) {
                    if branch.status == BranchStatus::Conflict || branch.check_failed.is_some() {
                        branch.reset_to_pending();
                    }
                }
            }
        }
    }

    /// Write-ahead, then move: checkpoints the batch's new tips, then moves their refs
    /// (stopping at a signal, or at a ref another git process holds locked: the rest stay
    /// `current` with their new tip recorded, and continue moves them). The next
    /// checkpoint records them as aligned. Some: the run must pause for a locked ref.
    pub fn flush(
        &mut self,
        repo: &Repo,
        state: &mut State,
        ui: Ui,
        every_step: bool,
    ) -> Result<Option<Pause>> {
        if self.batch.is_empty() {
            return Ok(None);
        }
        let started = Instant::now();
        let batch = std::mem::take(&mut self.batch);
        let tips: Vec<Oid> = batch
            .iter()
            .filter_map(|i| state.branches[*i].new)
            .collect();
        let names: Vec<&str> = batch
            .iter()
            .map(|i| state.branches[*i].name.as_str())
            .collect();
        let event = format!("moving {}", abbreviate(&names));
        ui.detail(format!("checkpoint: {event}"));
        let previous = (state.current.clone(), state.step);
        state.current = names.last().map(|n| n.to_string());
        state.step = Some(Step::Branch);
        self.record(state, &tips, &event)?;
        let mut locked = None;
        let elsewhere = repo.linked_worktree_branches()?;
        let batch = moves::move_plain_branches(repo, state, &batch, &elsewhere, ui)?;
        for index in batch {
            if signals::stop_requested() {
                break;
            }
            match moves::move_branch(repo, state, index, &elsewhere, ui) {
                Err(Error::RefLocked { refname, path }) => {
                    locked = Some(Pause::new(
                        PauseReason::RefLocked,
                        format!("{refname} is locked: {path} exists (another git command is writing it, or one was killed while it did)"),
                    ));
                    break;
                }
                other => other?,
            }
            crate::crashpoint::point();
        }
        (state.current, state.step) = if every_step { previous } else { (None, None) };
        self.flush_cost = started.elapsed();
        self.last_flush = Instant::now();
        Ok(locked)
    }

    /// What checkpointing has cost so far.
    pub fn cost(&self) -> CheckpointCost {
        self.store.cost()
    }
}

/// Names for a checkpoint message: all of a few, or the count with the first and last.
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
