//! The run's state (what `state.json` holds) and its store on `refs/align/state`.

mod branch;
mod queue;
mod reconcile;
mod store;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::git::Oid;
pub use crate::git::{ConflictedPath, Head};

pub use branch::{Attempts, BranchState, BranchStatus, Conflict, ConflictKind, Resolution};
pub use queue::QueueItem;
pub use store::{
    keep_ref, read_state, run_of_message, Checkpoint, CheckpointCost, Store, KEEP_PREFIX, STATE_REF,
};

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
    /// A branch's ref is locked by another git process (or a leftover lock file).
    RefLocked,
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
            PauseReason::RefLocked => "ref_locked",
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
    /// Every step, in the order a branch goes through them.
    pub const ALL: [Step; 4] = [Step::Rebase, Step::Exec, Step::Branch, Step::Finish];

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
    /// Whether the run pauses on the first conflict instead of queueing conflicts while
    /// the other branches go on.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stop_at_first: bool,
    /// Whether landed branches are deleted at the end of the run.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub prune: bool,
    /// Where each start setting came from (`command line`, `git config align.base`, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sources: BTreeMap<String, String>,
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

/// A restore under way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Restoring {
    /// `cancel` or `undo`.
    pub verb: String,
    /// When it began, in seconds since the epoch: a lock file of a ref it restores made
    /// since then, and abandoned, is its own (see `Repo::clear_abandoned_ref_locks`).
    pub since: i64,
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
    pub head: Head,
    pub started_at: String,
    pub pause_reason: Option<PauseReason>,
    /// What the pause shows a person (a step's output, a conflict's files).
    #[serde(default)]
    pub pause_content: Option<String>,
    /// When the run paused (RFC 3339), while it is paused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused_at: Option<String>,
    pub current: Option<String>,
    pub step: Option<Step>,
    pub worktree: Option<String>,
    /// While `cancel` or `undo` puts the branches back (recorded before the first ref
    /// moves, cleared once the run is closed). Killed in between, the same command
    /// finishes the restore.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restoring: Option<Restoring>,
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
        head: Head,
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
            paused_at: None,
            current: None,
            step: None,
            worktree: None,
            restoring: None,
            autostash: None,
            branches,
            decisions: Vec::new(),
            resolutions: Vec::new(),
        }
    }

    /// The verb of the restore under way, if one is (`cancel` or `undo`).
    pub fn restoring_verb(&self) -> Option<&str> {
        self.restoring.as_ref().map(|r| r.verb.as_str())
    }

    /// Whether the run checkpoints every step of every branch (checks or review pauses)
    /// rather than batches of branches.
    pub fn checkpoints_every_step(&self) -> bool {
        self.options.exec.is_some() || !self.options.pause_after.is_empty()
    }

    /// The run goes on: running, no pause.
    pub fn resume(&mut self) {
        self.state = RunState::Running;
        self.pause_reason = None;
        self.pause_content = None;
        self.paused_at = None;
    }

    /// The run stops, resumable, for `reason`, showing `content`.
    pub fn pause(&mut self, reason: PauseReason, content: Option<String>) {
        self.state = RunState::Paused;
        self.pause_reason = Some(reason);
        // A check's output or a commit subject may hold terminal codes: kept escaped, so
        // that the state stays readable (and harmless) wherever it goes.
        self.pause_content = content.map(|text| crate::ui::escape_lines(&text));
        self.paused_at = Some(crate::time::now_rfc3339());
    }

    /// Every branch is done: the run is closed.
    pub fn finish(&mut self) {
        self.state = RunState::Finished;
        self.at_rest();
    }

    /// `verb` (cancel or undo) starts putting the branches back.
    pub fn begin_restore(&mut self, verb: &str) {
        self.restoring = Some(Restoring {
            verb: verb.to_string(),
            since: crate::time::now_seconds(),
        });
    }

    /// Every branch is back where it was: the run is closed.
    pub fn cancel(&mut self) {
        self.state = RunState::Cancelled;
        self.restoring = None;
        self.worktree = None;
        for branch in &mut self.branches {
            branch.conflict = None;
        }
        self.at_rest();
    }

    /// No branch current, no step, nothing paused.
    fn at_rest(&mut self) {
        self.current = None;
        self.step = None;
        self.pause_reason = None;
        self.pause_content = None;
        self.paused_at = None;
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
            paused_at: self.paused_at.clone(),
            current: self.current.clone(),
            step: self.step,
            worktree: self.worktree.clone(),
            restoring: self.restoring.clone(),
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
            BranchStatus::Landed,
            BranchStatus::Restored,
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
