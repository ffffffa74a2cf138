//! `git align continue` (alias `resume`).

use crate::cli::ContinueArgs;
use crate::commands::{open_run, record_decision, Ctx, Outcome};
use crate::error::{Error, Result};
use crate::git::{BranchName, Repo};
use crate::plan::CommitSource;
use crate::run::Runner;
use crate::state::{PauseReason, State, Step, Store};
use crate::trust;

/// Goes on from the last checkpoint; at a review checkpoint this approves the step, or
/// with `--revise` redoes it.
pub fn cmd_continue(ctx: &Ctx, args: &ContinueArgs) -> Result<Outcome> {
    let (_lock, mut store, mut state) = open_run(ctx, "continue")?;
    settle_exec(ctx, &mut state, args)?;
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
    Ok(Runner::new(&ctx.repo, store, state, commits, ctx.ui)?
        .drive()?
        .into())
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
