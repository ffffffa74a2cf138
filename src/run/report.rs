//! What a run tells a person: review content, the finish table, next steps, and what
//! checkpointing cost.

use std::time::Duration;

use crate::git::{Oid, Repo};
use crate::state::{BranchState, CheckpointCost, PauseReason, State};
use crate::ui::Ui;

/// The content of a `rebase` review checkpoint: the branch's move, then how its commits
/// changed, as `git range-diff` shows it (`replayed`: the branch's own commits before,
/// `onto..original` from the base or the parent's old tip, and after, `onto..new`).
pub fn rebase_review(repo: &Repo, branch: &BranchState, replayed: Ranges) -> String {
    let mut out = format!(
        "{}: {} -> {} ({} commit(s) rewritten)\n",
        branch.name,
        branch.original.short(),
        branch.new.map(|o| o.short()).unwrap_or_default(),
        branch.rewritten.len()
    );
    // What to review must not stop the run: without it, the header stays.
    match repo.range_diff(replayed.old, replayed.new) {
        Ok(range_diff) => out.push_str(&range_diff),
        Err(e) => out.push_str(&format!("(no range-diff: {e})\n")),
    }
    out
}

/// A branch's own commits before and after its replay, each as `(base, tip)`.
pub struct Ranges {
    pub old: (Oid, Oid),
    pub new: (Oid, Oid),
}

/// The content of a `rebase` review checkpoint of a merge: old -> new for the branch.
pub fn merge_summary(branch: &BranchState) -> String {
    format!(
        "{}: {} -> {} (merged)\n",
        branch.name,
        branch.original.short(),
        branch.new.map(|o| o.short()).unwrap_or_default()
    )
}

/// The content of a `branch` review checkpoint.
pub fn moved(branch: &BranchState) -> String {
    format!(
        "moved {} {} -> {}",
        branch.name,
        branch.original.short(),
        branch.new.map(|o| o.short()).unwrap_or_default()
    )
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

/// The one line a pause prints with `--quiet`: what paused, and the command to go on.
pub fn paused_line(state: &State, reason: PauseReason) -> String {
    let at = state
        .current
        .as_deref()
        .map(crate::ui::escape_line)
        .unwrap_or_else(|| "the run".into());
    let next = match (reason, &state.worktree) {
        (PauseReason::Conflict, Some(worktree)) => format!(
            "resolve it in {}, then 'git align continue'",
            crate::ui::escape_line(worktree)
        ),
        (PauseReason::CheckFailed, _) => "'git align continue' runs the check again".into(),
        (PauseReason::Checkpoint, _) => "'git align continue' approves".into(),
        _ => "'git align continue' goes on".into(),
    };
    format!("git-align paused ({}) at {at}: {next}", reason.as_str())
}

/// What a person can do at a pause, as a hint line.
pub fn next_steps(reason: PauseReason) -> &'static str {
    match reason {
        PauseReason::Checkpoint => "'git align continue' approves, 'git align continue --revise \"FEEDBACK\"' redoes the step, 'git align skip' leaves the branch, 'git align cancel' restores everything",
        PauseReason::CheckFailed => "'git align continue' runs the check again (--revise \"FEEDBACK\" passes feedback to it), 'git align skip' leaves the branch, 'git align cancel' restores everything",
        PauseReason::Conflict => "instead of resolving: 'git align skip --commit' drops only the commit that conflicts, 'git align skip' leaves the branch (and those stacked on it), 'git align cancel' restores everything",
        PauseReason::RefLocked => "if no other git command is running, remove the lock file named above (a leftover of a killed one), then 'git align continue'; 'git align cancel' restores everything",
        PauseReason::Request | PauseReason::Signal => "'git align continue' goes on, 'git align skip' leaves the current branch, 'git align cancel' restores everything",
    }
}

/// With `-v`: what checkpointing cost against the whole run (`run` long).
pub fn checkpoint_cost(ui: Ui, cost: CheckpointCost, run: Duration) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    ui.detail(format!(
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
