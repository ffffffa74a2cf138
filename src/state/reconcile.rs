//! Bringing a loaded state in line with the refs after a crash or an interrupted batch
//! of ref moves.

use super::{BranchStatus, RunState, State, Step};
use crate::error::Result;
use crate::git::Oid;

impl State {
    /// Branches whose ref (`tip_of` a branch name) is already at their recorded new oid
    /// are aligned; with `interrupted` (no process is working on the run), a replay that
    /// was cut short is pending again. A run stopped right after moving the current
    /// branch has no current branch any more. While a cancel or undo puts branches back
    /// (or after it), a moved branch found at its original is restored.
    pub fn reconcile(
        &mut self,
        tip_of: impl Fn(&str) -> Result<Option<Oid>>,
        interrupted: bool,
    ) -> Result<()> {
        let restoring = self.restoring.is_some() || self.state == RunState::Cancelled;
        for branch in &mut self.branches {
            if restoring {
                let moved = branch.pruned
                    || matches!(branch.status, BranchStatus::Aligned | BranchStatus::Current)
                        && branch.new.is_some_and(|new| new != branch.original);
                if moved && tip_of(&branch.name)? == Some(branch.original) {
                    branch.restored();
                }
                continue;
            }
            match (branch.status, branch.new) {
                (BranchStatus::Current, Some(new)) if tip_of(&branch.name)? == Some(new) => {
                    branch.aligned();
                }
                (BranchStatus::Current, None) if interrupted => branch.reset_to_pending(),
                _ => {}
            }
        }
        let current_aligned = self
            .current
            .as_deref()
            .and_then(|c| self.branch(c))
            .is_some_and(|b| b.status == BranchStatus::Aligned);
        if self.state == RunState::Running && self.step == Some(Step::Branch) && current_aligned {
            self.current = None;
            self.step = None;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::state::{BranchState, Head, Onto, Options, Strategy};

    fn oid(n: u8) -> Oid {
        Oid::from_bytes([n; 20])
    }

    /// A running run of three branches at 1, 2, 3, moving to 11, 12, 13.
    fn state() -> State {
        let branches = (1..=3)
            .map(|n| BranchState::pending(&format!("b{n}"), "main", false, oid(n)))
            .collect();
        let onto = Onto {
            name: "main".into(),
            oid: oid(9),
        };
        let head = Head {
            branch: None,
            oid: None,
        };
        State::started(
            "run".into(),
            onto,
            Strategy::Rebase,
            Options::default(),
            head,
            branches,
        )
    }

    fn refs(pairs: &[(&str, u8)]) -> HashMap<String, Oid> {
        pairs
            .iter()
            .map(|(n, o)| (n.to_string(), oid(*o)))
            .collect()
    }

    fn reconcile(state: &mut State, refs: &HashMap<String, Oid>, interrupted: bool) {
        state
            .reconcile(|name| Ok(refs.get(name).copied()), interrupted)
            .unwrap();
    }

    #[test]
    fn a_branch_whose_ref_reached_its_new_tip_is_aligned() {
        let mut state = state();
        for (i, b) in state.branches.iter_mut().enumerate() {
            b.begin_replay();
            b.replayed(oid(11 + i as u8), Vec::new());
        }
        reconcile(&mut state, &refs(&[("b1", 11), ("b2", 2), ("b3", 7)]), true);
        let statuses: Vec<_> = state.branches.iter().map(|b| b.status).collect();
        assert_eq!(
            statuses,
            [
                BranchStatus::Aligned,
                BranchStatus::Current,
                BranchStatus::Current
            ]
        );
    }

    #[test]
    fn a_replay_cut_short_is_pending_again_only_when_nobody_works_on_the_run() {
        let mut state = state();
        state.branches[0].begin_replay();
        let at = refs(&[("b1", 1)]);
        reconcile(&mut state, &at, false);
        assert_eq!(state.branches[0].status, BranchStatus::Current);
        reconcile(&mut state, &at, true);
        assert_eq!(state.branches[0].status, BranchStatus::Pending);
        assert_eq!(state.branches[0].new, None);
    }

    #[test]
    fn a_run_stopped_after_moving_its_current_branch_has_no_current_branch() {
        let mut state = state();
        state.branches[1].begin_replay();
        state.branches[1].replayed(oid(12), Vec::new());
        state.current = Some("b2".into());
        state.step = Some(Step::Branch);
        reconcile(&mut state, &refs(&[("b2", 12)]), true);
        assert_eq!(state.current, None);
        assert_eq!(state.step, None);
        assert_eq!(state.branches[1].status, BranchStatus::Aligned);
    }

    #[test]
    fn a_moved_branch_back_at_its_original_during_a_restore_is_restored() {
        let mut state = state();
        for (i, b) in state.branches.iter_mut().enumerate() {
            b.begin_replay();
            b.replayed(oid(11 + i as u8), Vec::new());
            b.aligned();
        }
        state.finish();
        state.begin_restore("undo");
        reconcile(&mut state, &refs(&[("b1", 1), ("b2", 12), ("b3", 3)]), true);
        let statuses: Vec<_> = state.branches.iter().map(|b| b.status).collect();
        assert_eq!(
            statuses,
            [
                BranchStatus::Restored,
                BranchStatus::Aligned,
                BranchStatus::Restored
            ]
        );
    }

    #[test]
    fn conflicts_and_finished_branches_are_left_as_they_are() {
        let mut state = state();
        state.branches[0].fail("moved outside git-align".into());
        state.branches[1].skip("skipped by request".into());
        let before = state.clone();
        reconcile(&mut state, &refs(&[]), true);
        assert_eq!(state, before);
    }
}
