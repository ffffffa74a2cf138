//! `git align skip`.

use crate::cli::SkipArgs;
use crate::commands::{open_run, record_decision, Ctx, Outcome};
use crate::error::{Error, Result};
use crate::git::{release_conflict_worktree, remove_conflict_worktree_of, BranchName, RefUpdate};
use crate::plan::CommitSource;
use crate::run::Runner;
use crate::state::{BranchStatus, ConflictKind, State, Store};

/// Leaves the current branch (and every branch stacked on it) at its original commit,
/// then goes on with the rest; with `--commit`, drops only the commit that conflicts.
pub fn cmd_skip(ctx: &Ctx, args: &SkipArgs) -> Result<Outcome> {
    let (_lock, store, mut state) = open_run(ctx, "skip")?;
    if args.commit {
        return skip_commit(ctx, store, state);
    }
    crate::trust::require_trusted(&ctx.repo, state.options.exec.as_deref())?;
    let index = state
        .current
        .as_deref()
        .and_then(|c| state.branch_index(c))
        .filter(|i| {
            !matches!(
                state.branches[*i].status,
                BranchStatus::Aligned | BranchStatus::Skipped
            )
        })
        .or_else(|| {
            state
                .branches
                .iter()
                .position(|b| matches!(b.status, BranchStatus::Current | BranchStatus::Conflict))
        })
        .ok_or_else(|| Error::WrongState {
            run_id: state.run_id.clone(),
            state: state.state.as_str().into(),
            what: "no branch is current, there is nothing to skip".into(),
        })?;
    let name = state.branches[index].name.clone();
    restore_if_moved(ctx, &state.branches[index])?;
    state.current = Some(name.clone());
    record_decision(&mut state, "skip", None);
    release_conflict_worktree(
        &ctx.repo,
        state.worktree.take().as_deref(),
        &format!("align: skip {name} ({})", state.run_id),
    )?;
    remove_conflict_worktree_of(&ctx.repo, &name);
    state.branches[index].skip("skipped by request".into());
    ctx.ui.say(format!("skipped  {name}"));
    for child in state.descendants(&name) {
        if let Some(i) = state.branch_index(&child) {
            let b = &mut state.branches[i];
            // Pending, or queued on a tip of the branch skipped.
            if matches!(
                b.status,
                BranchStatus::Pending | BranchStatus::Conflict | BranchStatus::Current
            ) {
                b.skip(format!("stacked on {name}, which was skipped"));
                ctx.ui.say(format!("skipped  {child} (stacked on {name})"));
            }
        }
    }
    state.current = None;
    state.step = None;
    let commits = CommitSource::default();
    let mut runner = Runner::new(&ctx.repo, store, state, commits, ctx.ui)?;
    ctx.accepted();
    Ok(runner.drive()?.into())
}

/// `skip --commit`: the run must be stopped on a conflict replaying a commit.
fn skip_commit(ctx: &Ctx, store: Store<'_>, mut state: State) -> Result<Outcome> {
    let picking = state
        .current
        .as_deref()
        .and_then(|name| state.branch(name))
        .and_then(|b| b.conflict.as_ref())
        .is_some_and(|c| c.kind == ConflictKind::Pick);
    if !picking {
        return Err(Error::WrongState {
            run_id: state.run_id.clone(),
            state: state.state.as_str().into(),
            what: "'skip --commit' drops a commit whose replay conflicts, and the run is not stopped on one".into(),
        });
    }
    record_decision(&mut state, "skip commit", None);
    let commits = CommitSource::default();
    let runner = Runner::new(&ctx.repo, store, state, commits, ctx.ui)?;
    ctx.accepted();
    Ok(runner.drop_conflicting_commit()?.into())
}

/// A branch skipped after its ref moved goes back to its original commit.
fn restore_if_moved(ctx: &Ctx, branch: &crate::state::BranchState) -> Result<()> {
    let Some(new) = branch.new else {
        return Ok(());
    };
    let refname = BranchName::new(&branch.name).refname();
    if ctx.repo.ref_target(&refname)? != Some(new) || new == branch.original {
        return Ok(());
    }
    match ctx
        .repo
        .update_ref(&refname, branch.original, Some(new), "align: skip")?
    {
        RefUpdate::Done => Ok(()),
        RefUpdate::Moved { actual } => Err(Error::RefMoved {
            branch: branch.name.clone(),
            expected: new.to_string(),
            actual: actual
                .map(|o| o.to_string())
                .unwrap_or_else(|| "nothing".into()),
        }),
    }
}
