//! `git align continue` (alias `resume`).

use crate::cli::{ConflictWorktreeArg, ContinueArgs};
use crate::commands::{open_run, record_decision, Ctx, Outcome};
use crate::error::{Error, Result};
use crate::git::{BranchName, Repo};
use crate::plan::CommitSource;
use crate::run::Runner;
use crate::state::{ConflictWorktree, PauseReason, State, Step, Store};
use crate::trust;

/// Goes on from the last checkpoint; at a review checkpoint this approves the step, or
/// with `--revise` redoes it.
pub fn cmd_continue(ctx: &Ctx, args: &ContinueArgs) -> Result<Outcome> {
    let (_lock, mut store, mut state) = open_run(ctx, "continue")?;
    settle_exec(ctx, &mut state, args)?;
    follow_conflict_worktree_config(ctx, &mut state)?;
    match &args.revise {
        Some(feedback) => revise(&ctx.repo, &mut store, &mut state, feedback)?,
        None if state.pause_reason == Some(PauseReason::Checkpoint) => {
            record_decision(&mut state, "approve", None);
        }
        None => {}
    }
    ctx.ui.say(format!(
        "continuing run {}: {}",
        state.run_id,
        state.summary()
    ));
    let commits = CommitSource::default();
    let mut runner = Runner::new(&ctx.repo, store, state, commits, ctx.ui)?;
    runner.ensure_resolved()?;
    ctx.accepted();
    Ok(runner.drive()?.into())
}

/// `align.conflictWorktree` says where this repository resolves conflicts: changed while
/// the run was paused, it applies from the next conflict on, unless the run was started
/// with `--conflict-worktree` (the command line wins, as at the start; a warning says so).
fn follow_conflict_worktree_config(ctx: &Ctx, state: &mut State) -> Result<()> {
    const KEY: &str = "align.conflictWorktree";
    let Some(text) = ctx.repo.config_string(KEY)? else {
        return Ok(());
    };
    let wanted: ConflictWorktree =
        super::start::config_enum::<ConflictWorktreeArg>(KEY)(&text)?.into();
    let current = state.options.conflict_worktree;
    if wanted == current {
        return Ok(());
    }
    let source = state.options.sources.get("conflict_worktree");
    if source.map(String::as_str) == Some(super::start::COMMAND_LINE) {
        ctx.ui.warn(format!(
            "{KEY} is {} here, but this run was started with --conflict-worktree {}, which it keeps",
            wanted.as_str(),
            current.as_str()
        ));
        return Ok(());
    }
    state.options.conflict_worktree = wanted;
    state
        .options
        .sources
        .insert("conflict_worktree".into(), format!("git config {KEY}"));
    ctx.ui.say(format!(
        "conflicts are set up in the {} work tree from now on (git config {KEY})",
        match wanted {
            ConflictWorktree::Main => "main",
            ConflictWorktree::Linked => "linked",
        }
    ));
    Ok(())
}

/// Records the feedback and sets the current step up to run again: a rebase from the
/// branch's commits as they are now (a person may have changed them meanwhile), an exec
/// check with the feedback in `GIT_ALIGN_FEEDBACK`.
fn revise(repo: &Repo, store: &mut Store<'_>, state: &mut State, feedback: &str) -> Result<()> {
    let refuse = |state: &State, what: String| Error::WrongState {
        run_id: state.run_id.clone(),
        state: state.state.as_str().into(),
        what,
    };
    if !matches!(
        state.pause_reason,
        Some(PauseReason::Checkpoint | PauseReason::CheckFailed)
    ) {
        let why = state.pause_reason.map(|r| r.as_str()).unwrap_or("nothing");
        return Err(refuse(
            state,
            format!("--revise redoes a reviewed step, but the run stopped for {why}"),
        ));
    }
    let index = state
        .current
        .as_deref()
        .and_then(|name| state.branch_index(name));
    let (Some(index), Some(step @ (Step::Rebase | Step::Exec))) = (index, state.step) else {
        let step = state.step.map(|s| s.as_str()).unwrap_or("run");
        return Err(refuse(
            state,
            format!("there is nothing to redo after the {step} step ('git align continue' approves it, 'git align cancel' restores everything)"),
        ));
    };
    record_decision(state, "revise", Some(feedback.to_string()));
    let branch = &mut state.branches[index];
    branch.checked = None;
    if step == Step::Rebase {
        let now = repo
            .ref_target(&BranchName::new(&branch.name).refname())?
            .ok_or_else(|| Error::UnknownBranch(branch.name.clone()))?;
        if now != branch.original {
            store.keep(&state.run_id, &[now])?;
        }
        branch.replay_from(now);
    }
    Ok(())
}

/// Takes `--exec CMD` (a new check for the rest of the run; empty: none) or
/// `--trust-exec` (run the command the state holds, though it came from elsewhere), then
/// refuses, changing nothing, a command nobody here gave or confirmed.
fn settle_exec(ctx: &Ctx, state: &mut State, args: &ContinueArgs) -> Result<()> {
    let repo = &ctx.repo;
    if let Some(command) = &args.exec {
        let command = Some(command.clone()).filter(|c| !c.is_empty());
        state.options.exec.clone_from(&command);
        state
            .options
            .sources
            .insert("exec".into(), "command line (continue --exec)".into());
        match &command {
            Some(command) => trust::trust(repo, command)?,
            None => ctx.ui.say("no --exec check for the rest of the run"),
        }
    } else if args.trust_exec {
        if let Some(command) = &state.options.exec {
            ctx.ui
                .say(format!("trusting the run's --exec command: {command}"));
            trust::trust(repo, command)?;
        }
    }
    trust::require_trusted(repo, state.options.exec.as_deref())
}
