//! The run's state (what `state.json` holds) and its store on `refs/align/state`.

mod store;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::git::Oid;

pub use store::{keep_ref, read_state, Checkpoint, CheckpointCost, Store, KEEP_PREFIX, STATE_REF};

/// The schema version this binary writes and reads.
pub const SCHEMA_VERSION: u64 = 1;

/// Where the run as a whole stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    Running,
    Paused,
    Finished,
    Cancelled,
}

impl RunState {
    /// Whether the run still holds branches (neither finished nor cancelled).
    pub fn is_open(self) -> bool {
        matches!(self, RunState::Running | RunState::Paused)
    }

    /// The name used in `state.json` and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Running => "running",
            RunState::Paused => "paused",
            RunState::Finished => "finished",
            RunState::Cancelled => "cancelled",
        }
    }
}

/// How a branch is brought onto its new base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Replay the branch's commits (like `git rebase`).
    #[default]
    Rebase,
    /// Merge the new base into the branch.
    Merge,
}

/// Where a person resolves a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ConflictWorktree {
    /// A linked worktree of the branch's own, under the git directory.
    #[default]
    Linked,
    /// The work tree git-align was run in, when it is clean (HEAD is detached there for
    /// the conflict and put back afterwards).
    Main,
}

impl ConflictWorktree {
    /// The name `--conflict-worktree` and `align.conflictWorktree` use.
    pub fn as_str(self) -> &'static str {
        match self {
            ConflictWorktree::Linked => "linked",
            ConflictWorktree::Main => "main",
        }
    }

    fn is_linked(&self) -> bool {
        *self == ConflictWorktree::Linked
    }
}

/// Why a run stopped before finishing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseReason {
    /// `git align pause` asked for it.
    Request,
    /// SIGINT, SIGTERM or SIGHUP.
    Signal,
    /// A `--pause-after` review checkpoint.
    Checkpoint,
    /// Replaying a commit conflicted.
    Conflict,
    /// The `--exec` check failed.
    CheckFailed,
}

impl PauseReason {
    /// The name used in `state.json` and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            PauseReason::Request => "request",
            PauseReason::Signal => "signal",
            PauseReason::Checkpoint => "checkpoint",
            PauseReason::Conflict => "conflict",
            PauseReason::CheckFailed => "check_failed",
        }
    }
}

/// A step of aligning one branch, or the end of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Replaying (or merging) the branch in memory.
    Rebase,
    /// Running the `--exec` check on the new tip.
    Exec,
    /// Moving the branch ref.
    Branch,
    /// The end of the run.
    Finish,
}

impl Step {
    /// The name used on the command line and in `state.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Rebase => "rebase",
            Step::Exec => "exec",
            Step::Branch => "branch",
            Step::Finish => "finish",
        }
    }

    /// Parses a step name.
    pub fn parse(text: &str) -> Option<Step> {
        match text.trim() {
            "rebase" => Some(Step::Rebase),
            "exec" => Some(Step::Exec),
            "branch" => Some(Step::Branch),
            "finish" => Some(Step::Finish),
            _ => None,
        }
    }
}

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
        }
    }
}

/// The base every branch is aligned onto.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Onto {
    /// The name the user gave (or the default that was found).
    pub name: String,
    /// The commit it resolved to when the run started.
    pub oid: Oid,
}

/// The options the run was started with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Options {
    /// Command run in a temporary worktree of each new tip.
    #[serde(default)]
    pub exec: Option<String>,
    /// Steps after which the run pauses for review.
    #[serde(default)]
    pub pause_after: Vec<Step>,
    /// Where conflicts are resolved.
    #[serde(default, skip_serializing_if = "ConflictWorktree::is_linked")]
    pub conflict_worktree: ConflictWorktree,
    /// Whether uncommitted changes of the checked-out branch may be stashed for the run.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub autostash: bool,
    /// Where each start setting came from (`command line`, `git config align.base`, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sources: BTreeMap<String, String>,
}

/// What HEAD was before the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadBefore {
    /// The branch HEAD was on, if any.
    pub branch: Option<String>,
    /// The commit HEAD resolved to.
    pub oid: Option<Oid>,
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
    /// The new tip that passed the `--exec` check, once it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked: Option<Oid>,
    /// How many times each step was tried.
    #[serde(default, skip_serializing_if = "Attempts::is_zero")]
    pub attempts: Attempts,
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
            checked: None,
            attempts: Attempts::default(),
        }
    }

    /// Whether the run knows `oid` as a tip of this branch (its original or new one).
    pub fn knows(&self, oid: Oid) -> bool {
        oid == self.original || Some(oid) == self.new
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
    pub paths: Vec<PathConflict>,
}

/// One conflicting path: its blob in the base, ours and theirs (null: absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathConflict {
    pub path: String,
    pub base: Option<Oid>,
    pub ours: Option<Oid>,
    pub theirs: Option<Oid>,
}

/// How a person resolved a conflict, reused when the same conflict comes up again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    /// The conflict it resolves.
    #[serde(flatten)]
    pub conflict: PathConflict,
    /// The resolved blob (null: the path was deleted).
    pub resolved: Option<Oid>,
    /// A commit that holds the resolution (kept reachable by the run).
    pub commit: Oid,
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

/// A person's decision at a pause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub step: String,
    pub branch: Option<String>,
    pub decision: String,
    pub feedback: Option<String>,
    pub at: String,
}

/// Everything about a run: the content of `state.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub schema_version: u64,
    pub run_id: String,
    pub state: RunState,
    pub onto: Onto,
    pub strategy: Strategy,
    pub options: Options,
    pub head: HeadBefore,
    pub started_at: String,
    pub pause_reason: Option<PauseReason>,
    /// What the pause shows a person (a step's output, a conflict's files).
    #[serde(default)]
    pub pause_content: Option<String>,
    pub current: Option<String>,
    pub step: Option<Step>,
    pub worktree: Option<String>,
    /// The stash entry holding the checked-out branch's uncommitted changes, put aside
    /// by `--autostash` and applied again when the run finishes or is cancelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autostash: Option<Oid>,
    /// In a checkpoint these live in `branches/*.json` beside `state.json`.
    #[serde(default)]
    pub branches: Vec<BranchState>,
    pub decisions: Vec<Decision>,
    /// Conflict resolutions of this run and earlier ones, reused when a conflict recurs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resolutions: Vec<Resolution>,
}

impl State {
    /// A run starting now: running, nothing paused or decided yet, no resolutions.
    pub fn started(
        run_id: String,
        onto: Onto,
        strategy: Strategy,
        options: Options,
        head: HeadBefore,
        branches: Vec<BranchState>,
    ) -> State {
        State {
            schema_version: SCHEMA_VERSION,
            run_id,
            state: RunState::Running,
            onto,
            strategy,
            options,
            head,
            started_at: crate::time::now_rfc3339(),
            pause_reason: None,
            pause_content: None,
            current: None,
            step: None,
            worktree: None,
            autostash: None,
            branches,
            decisions: Vec::new(),
            resolutions: Vec::new(),
        }
    }

    /// Everything but the branches: what `state.json` in a checkpoint holds.
    pub fn header(&self) -> State {
        State {
            schema_version: self.schema_version,
            run_id: self.run_id.clone(),
            state: self.state,
            onto: self.onto.clone(),
            strategy: self.strategy,
            options: self.options.clone(),
            head: self.head.clone(),
            started_at: self.started_at.clone(),
            pause_reason: self.pause_reason,
            pause_content: self.pause_content.clone(),
            current: self.current.clone(),
            step: self.step,
            worktree: self.worktree.clone(),
            autostash: self.autostash,
            branches: Vec::new(),
            decisions: self.decisions.clone(),
            resolutions: self.resolutions.clone(),
        }
    }

    /// The branch with this name.
    pub fn branch(&self, name: &str) -> Option<&BranchState> {
        self.branches.iter().find(|b| b.name == name)
    }

    /// Index of the branch with this name.
    pub fn branch_index(&self, name: &str) -> Option<usize> {
        self.branches.iter().position(|b| b.name == name)
    }

    /// Counts branches by status, in a fixed order, leaving out zeros.
    pub fn summary(&self) -> String {
        let order = [
            BranchStatus::Aligned,
            BranchStatus::Current,
            BranchStatus::Pending,
            BranchStatus::Skipped,
            BranchStatus::Conflict,
            BranchStatus::Failed,
        ];
        let parts: Vec<String> = order
            .iter()
            .filter_map(|status| {
                let n = self.branches.iter().filter(|b| b.status == *status).count();
                (n > 0).then(|| format!("{n} {}", status.as_str()))
            })
            .collect();
        parts.join(", ")
    }

    /// The feedback of the latest `revise` decision on `branch`, if any.
    pub fn feedback_for(&self, branch: &str) -> Option<&str> {
        self.decisions
            .iter()
            .rev()
            .find(|d| d.decision == "revise" && d.branch.as_deref() == Some(branch))
            .and_then(|d| d.feedback.as_deref())
    }

    /// Names of the branches stacked (directly or not) on `name`.
    pub fn descendants(&self, name: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut frontier = vec![name.to_string()];
        while let Some(parent) = frontier.pop() {
            for b in &self.branches {
                if b.stacked && b.parent == parent && !out.contains(&b.name) {
                    out.push(b.name.clone());
                    frontier.push(b.name.clone());
                }
            }
        }
        out
    }
}

impl State {
    /// The strategy's name.
    pub fn strategy_name(&self) -> &'static str {
        match self.strategy {
            Strategy::Rebase => "rebase",
            Strategy::Merge => "merge",
        }
    }
}
