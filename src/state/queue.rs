//! The queue: the branches of a run that wait for a person, in the order they are taken.
//! A branch that conflicts waits with its files while every other branch goes on; a
//! branch stacked on one that waits, waits for it.

use serde::Serialize;

use super::{BranchStatus, State};

/// One branch in the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueItem {
    pub branch: String,
    /// `conflict` (its replay stopped on one), `check` (its new tip failed the `--exec`
    /// check) or `waits` (for the branch it sits on).
    pub reason: &'static str,
    /// The conflicting files.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// The branch it waits for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on: Option<String>,
    /// The end of the failed check's output.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
}

impl State {
    /// Whether the branch at `index` waits for the branch it is stacked on: that one
    /// stopped on a conflict, failed its check or has yet to pass it, or waits itself (a
    /// parent comes first, so a parent still pending when its child's turn comes is
    /// waiting).
    pub fn waits_for_parent(&self, index: usize) -> bool {
        let branch = &self.branches[index];
        branch.stacked
            && self.branch(&branch.parent).is_some_and(|parent| {
                let unchecked = self.options.exec.is_some()
                    && parent.status == BranchStatus::Current
                    && parent.checked != parent.new;
                unchecked
                    || matches!(
                        parent.status,
                        BranchStatus::Conflict | BranchStatus::Pending
                    )
            })
    }

    /// The branches waiting for a person, in order: each stopped on a conflict (with its
    /// files), and each pending one stacked on a branch that waits.
    pub fn queue(&self) -> Vec<QueueItem> {
        let mut waiting: Vec<&str> = Vec::new();
        let mut items = Vec::new();
        for branch in &self.branches {
            if let Some(conflict) = branch
                .conflict
                .as_ref()
                .filter(|_| branch.status == BranchStatus::Conflict)
            {
                waiting.push(&branch.name);
                items.push(QueueItem {
                    branch: branch.name.clone(),
                    reason: "conflict",
                    files: conflict.paths.iter().map(|p| p.path.clone()).collect(),
                    on: None,
                    output: None,
                });
            } else if branch.check_failed.is_some() || self.paused_on_check_of(&branch.name) {
                waiting.push(&branch.name);
                items.push(QueueItem {
                    branch: branch.name.clone(),
                    reason: "check",
                    files: Vec::new(),
                    on: None,
                    output: branch.check_failed.clone(),
                });
            } else if branch.status == BranchStatus::Pending
                && branch.stacked
                && waiting.contains(&branch.parent.as_str())
            {
                waiting.push(&branch.name);
                items.push(QueueItem {
                    branch: branch.name.clone(),
                    reason: "waits",
                    files: Vec::new(),
                    on: Some(branch.parent.clone()),
                    output: None,
                });
            }
        }
        items
    }

    /// The queue as a block of the message of a pause on branch `current`, when anything
    /// besides it waits.
    pub fn queue_block(&self, current: &str) -> Option<String> {
        let items = self.queue();
        if items.iter().all(|item| item.branch == current) {
            return None;
        }
        let lines = self.queue_lines();
        Some(format!(
            "\nqueue ({} waiting, taken in this order):\n  {}",
            lines.len(),
            lines.join("\n  ")
        ))
    }

    /// Whether the run is paused on the failed check of branch `name`.
    fn paused_on_check_of(&self, name: &str) -> bool {
        self.pause_reason == Some(super::PauseReason::CheckFailed)
            && self.current.as_deref() == Some(name)
    }

    /// The queue as lines for a person (names escaped): `topic  conflict in f.txt,
    /// g.txt`, `child  waits for topic`.
    pub fn queue_lines(&self) -> Vec<String> {
        let e = crate::ui::escape_line;
        self.queue()
            .into_iter()
            .map(|item| match (item.on, item.reason) {
                (Some(on), _) => format!("{}  waits for {}", e(&item.branch), e(&on)),
                (None, "check") => format!("{}  check failed", e(&item.branch)),
                (None, _) => format!(
                    "{}  conflict in {}",
                    e(&item.branch),
                    e(&item.files.join(", "))
                ),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::{ConflictedPath, Oid};
    use crate::state::{BranchState, Conflict, ConflictKind, Head, Onto, Options, Strategy};

    fn state_with(branches: Vec<BranchState>) -> State {
        let onto = Onto {
            name: "main".into(),
            oid: Oid::from_bytes([9; 20]),
        };
        let head = Head {
            branch: None,
            oid: None,
        };
        let options = Options::default();
        State::started(
            "run".into(),
            onto,
            Strategy::Rebase,
            options,
            head,
            branches,
        )
    }

    fn branch(name: &str, parent: Option<&str>, status: BranchStatus) -> BranchState {
        let oid = Oid::from_bytes([1; 20]);
        let mut b = BranchState::pending(name, parent.unwrap_or("main"), parent.is_some(), oid);
        b.status = status;
        if status == BranchStatus::Conflict {
            b.conflict = Some(Conflict {
                kind: ConflictKind::Pick,
                commit: oid,
                partial: oid,
                paths: vec![ConflictedPath {
                    path: "f.txt".into(),
                    base: None,
                    ours: None,
                    theirs: None,
                }],
            });
        }
        b
    }

    #[test]
    fn conflicts_and_the_branches_stacked_on_them_are_queued_in_order() {
        let mut state = state_with(vec![
            branch("a", None, BranchStatus::Aligned),
            branch("b", None, BranchStatus::Conflict),
            branch("b1", Some("b"), BranchStatus::Pending),
            branch("b2", Some("b1"), BranchStatus::Pending),
            branch("c", None, BranchStatus::Conflict),
            branch("d", Some("a"), BranchStatus::Pending),
        ]);
        assert_eq!(
            state.queue_lines(),
            [
                "b  conflict in f.txt",
                "b1  waits for b",
                "b2  waits for b1",
                "c  conflict in f.txt"
            ]
        );
        assert!(state.waits_for_parent(2) && state.waits_for_parent(3));
        assert!(!state.waits_for_parent(5));
        state.branches[1].status = BranchStatus::Aligned;
        assert!(!state.waits_for_parent(2));
    }
}
