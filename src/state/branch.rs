//! One branch of a run: where it stands, and the transitions between its statuses.

use serde::{Deserialize, Serialize};

use crate::git::{ConflictedPath, Oid};

/// Where one branch stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BranchStatus {
    /// Not started.
    Pending,
    /// Being aligned; with `new` set, its ref may already be there.
    Current,
    /// At its new oid.
    Aligned,
    /// Left at its original oid.
    Skipped,
    /// Replay stopped on a conflict.
    Conflict,
    /// Could not be aligned (see `note`).
    Failed,
    /// Put back at its original oid by `cancel` or `undo`.
    Restored,
    /// Its change is already on the base (see `landed_as`): not replayed, left where it
    /// is (or deleted by `--prune`).
    Landed,
}

impl BranchStatus {
    /// The name used in `state.json` and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            BranchStatus::Pending => "pending",
            BranchStatus::Current => "current",
            BranchStatus::Aligned => "aligned",
            BranchStatus::Skipped => "skipped",
            BranchStatus::Conflict => "conflict",
            BranchStatus::Failed => "failed",
            BranchStatus::Restored => "restored",
            BranchStatus::Landed => "landed",
        }
    }
}

/// One branch of the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchState {
    /// Short branch name (`feat-a`, `topic/0001`).
    pub name: String,
    /// The branch it sits on, or the base's name.
    pub parent: String,
    /// Whether `parent` is another branch of the run (false: the base).
    #[serde(default)]
    pub stacked: bool,
    /// Its tip before the run.
    pub original: Oid,
    /// Its tip after alignment, once known.
    pub new: Option<Oid>,
    /// Where it stands.
    pub status: BranchStatus,
    /// Why it was skipped or failed, or what happened to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Commits rewritten, as `[old, new]` pairs (for the post-rewrite hook).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rewritten: Vec<(Oid, Oid)>,
    /// While the branch is stopped on a conflict: where and what.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict: Option<Conflict>,
    /// The end of the output of the `--exec` check its new tip failed, while it waits in
    /// the queue (cleared once the run pauses on it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_failed: Option<String>,
    /// The new tip that passed the `--exec` check, once it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked: Option<Oid>,
    /// How many times each step was tried.
    #[serde(default, skip_serializing_if = "Attempts::is_zero")]
    pub attempts: Attempts,
    /// The base commit that brought its change, when it landed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub landed_as: Option<Oid>,
    /// Whether `--prune` deleted it (once landed): `cancel` and `undo` create it again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pruned: bool,
    /// The commit its own commits start after, when a landed branch sat between it and
    /// its parent (that branch's tip): what is below is left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub own_from: Option<Oid>,
    /// The landed branch whose tip `own_from` is (remembered by the next run, also once
    /// that branch is deleted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub landed_below: Option<String>,
}

impl BranchState {
    /// A branch not started yet, at `original`.
    pub fn pending(name: &str, parent: &str, stacked: bool, original: Oid) -> BranchState {
        BranchState {
            name: name.to_string(),
            parent: parent.to_string(),
            stacked,
            original,
            new: None,
            status: BranchStatus::Pending,
            note: None,
            rewritten: Vec::new(),
            conflict: None,
            check_failed: None,
            checked: None,
            attempts: Attempts::default(),
            landed_as: None,
            pruned: false,
            own_from: None,
            landed_below: None,
        }
    }

    /// Its change is already on the base, brought by `commit` (`note` says how).
    pub fn land(&mut self, commit: Oid, note: &str) {
        self.status = BranchStatus::Landed;
        self.landed_as = Some(commit);
        self.note = Some(crate::ui::escape_line(note));
    }

    /// Its own commits are those after `tip`, that of the landed branch `below`, as
    /// `note` says.
    pub fn start_after(&mut self, tip: Oid, below: &str, note: &str) {
        self.own_from = Some(tip);
        self.landed_below = Some(below.to_string());
        self.add_note(note);
    }

    /// To be deleted by `--prune` (write-ahead: marked before its ref goes).
    pub fn prune(&mut self) {
        self.pruned = true;
    }

    /// Its ref is gone: `--prune` deleted it.
    pub fn pruned_now(&mut self) {
        self.add_note("deleted by --prune");
    }

    /// Left where it is by `--prune`, for `why`.
    pub fn keep_landed(&mut self, why: &str) {
        self.pruned = false;
        self.add_note(&format!("kept: {why}"));
    }

    /// Adds `text` to the note, once.
    fn add_note(&mut self, text: &str) {
        let text = crate::ui::escape_line(text);
        self.note = Some(match self.note.take() {
            Some(note) if note.ends_with(&text) => note,
            Some(note) => format!("{note}; {text}"),
            None => text,
        });
    }

    /// Whether the run knows `oid` as a tip of this branch (its original or new one).
    pub fn knows(&self, oid: Oid) -> bool {
        oid == self.original || Some(oid) == self.new
    }

    /// Starts (or starts again) replaying the branch: current, no new tip known yet.
    pub fn begin_replay(&mut self) {
        self.status = BranchStatus::Current;
        self.new = None;
        self.checked = None;
        self.check_failed = None;
        self.rewritten.clear();
        self.attempts.rebase += 1;
    }

    /// The replay gave `tip`, rewriting `rewritten`; the ref has not moved yet.
    pub fn replayed(&mut self, tip: Oid, rewritten: Vec<(Oid, Oid)>) {
        self.new = Some(tip);
        self.rewritten.extend(rewritten);
    }

    /// The replay stopped on `conflict`, after rewriting `rewritten`.
    pub fn stop_on(&mut self, conflict: Conflict, rewritten: Vec<(Oid, Oid)>) {
        self.status = BranchStatus::Conflict;
        self.rewritten.extend(rewritten);
        self.conflict = Some(conflict);
    }

    /// A person resolved the conflict: the replay goes on from the resolution.
    pub fn resolved(&mut self) {
        self.conflict = None;
        self.status = BranchStatus::Current;
    }

    /// Its ref is at its new tip.
    pub fn aligned(&mut self) {
        self.status = BranchStatus::Aligned;
    }

    /// Its new tip failed the `--exec` check, which printed `tail` last: it waits in
    /// the queue.
    pub fn queue_failed_check(&mut self, tail: &str) {
        self.check_failed = Some(crate::ui::escape_lines(tail));
    }

    /// Left at its original commit, for `why`.
    pub fn skip(&mut self, why: String) {
        self.status = BranchStatus::Skipped;
        self.conflict = None;
        self.check_failed = None;
        self.rewritten.clear();
        self.new = None;
        self.note = Some(crate::ui::escape_line(&why));
    }

    /// Put back at its original oid by a cancel or undo.
    pub fn restored(&mut self) {
        self.status = BranchStatus::Restored;
    }

    /// Could not be aligned, for `why`.
    pub fn fail(&mut self, why: String) {
        self.status = BranchStatus::Failed;
        self.note = Some(crate::ui::escape_line(&why));
    }

    /// Back to not started: what was replayed is forgotten (it replays to the same
    /// commits).
    pub fn reset_to_pending(&mut self) {
        self.status = BranchStatus::Pending;
        self.conflict = None;
        self.new = None;
        self.checked = None;
        self.check_failed = None;
        self.rewritten.clear();
        self.note = None;
    }

    /// Replays from `now` instead of the recorded original (a person changed the branch
    /// during a review); `now` becomes the original `cancel` restores.
    pub fn replay_from(&mut self, now: Oid) {
        self.reset_to_pending();
        if now != self.original {
            self.note = Some(format!(
                "replayed from {} (changed during review; was {})",
                now.short(),
                self.original.short()
            ));
            self.original = now;
        }
    }

    /// The tips the run knows, for messages: `abc1234` or `abc1234 or def5678`.
    pub fn known_tips(&self) -> String {
        match self.new {
            Some(new) => format!("{} or {}", self.original.short(), new.short()),
            None => self.original.short(),
        }
    }
}

/// How a conflict came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    /// Replaying (cherry-picking) `commit` onto `partial`.
    Pick,
    /// Merging `commit` (the new base) into `partial` (the branch).
    Merge,
}

/// A branch stopped on a conflict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub kind: ConflictKind,
    /// The commit being replayed (or merged).
    pub commit: Oid,
    /// What it is applied to: the branch rebuilt so far (or its tip, for a merge).
    pub partial: Oid,
    /// The conflicting paths with their blob on each side.
    pub paths: Vec<ConflictedPath>,
}

/// How a person resolved a conflict, reused when the same conflict comes up again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    /// The conflict it resolves.
    #[serde(flatten)]
    pub conflict: ConflictedPath,
    /// The resolved blob (null: the path was deleted).
    pub resolved: Option<Oid>,
    /// A commit that holds the resolution (kept reachable by the run).
    pub commit: Oid,
}

impl Resolution {
    /// How `conflict` was resolved before, if one of `resolutions` resolves the same
    /// conflict: Some(Some(blob)) keeps that content, Some(None) deletes the path.
    pub fn recorded(resolutions: &[Resolution], conflict: &ConflictedPath) -> Option<Option<Oid>> {
        resolutions
            .iter()
            .find(|r| r.conflict.is_same_conflict(conflict))
            .map(|r| r.resolved)
    }
}

/// Per-step attempt counters of one branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Attempts {
    #[serde(default)]
    pub rebase: u32,
    #[serde(default)]
    pub exec: u32,
}

impl Attempts {
    fn is_zero(&self) -> bool {
        self.rebase == 0 && self.exec == 0
    }
}
