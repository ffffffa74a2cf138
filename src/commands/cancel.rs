//! `git align cancel` (alias `abort`) and `git align undo`: put every branch back.

use crate::cli::CancelArgs;
use crate::commands::{open_run, reconcile, record_decision, Ctx, Outcome};
use crate::error::{Error, Result};
use crate::git::{
    release_conflict_worktree, remove_conflict_worktree_of, restore_head, BranchName, Oid, RefMove,
    Repo,
};
use crate::lock::{self, Lock};
use crate::run::{bring_back_autostash, checkout_if_clean, compare_work_tree, WorkTree};
use crate::state::{RunState, State, Store};

/// Cancels an open run: every branch it moved goes back to its original commit.
pub fn cmd_cancel(ctx: &Ctx, args: &CancelArgs) -> Result<Outcome> {
    let (_lock, store, state) = open_run(ctx, "cancel")?;
    lock::clear_pause_request(&ctx.repo);
    restore(ctx, store, state, args.force, "cancel")
}

/// Undoes the last run after it finished.
pub fn cmd_undo(ctx: &Ctx, args: &CancelArgs) -> Result<Outcome> {
    let _lock = Lock::acquire(&ctx.repo)?;
    let store = Store::open(&ctx.repo)?;
    let mut state = store.load()?.ok_or(Error::NoRun)?;
    if state.state != RunState::Finished || state.restoring_verb() == Some("cancel") {
        return Err(Error::WrongState {
            run_id: state.run_id,
            state: state.state.as_str().into(),
            what: "only a finished run can be undone (use 'git align cancel' for an open one)"
                .into(),
        });
    }
    crate::commands::verify_objects(&ctx.repo, &state)?;
    reconcile(&ctx.repo, &mut state, true)?;
    restore(ctx, store, state, args.force, "undo")
}

/// Restores every branch in one ref transaction (after a checkpoint that says the
/// restore is under way), the work tree of the checked-out one, then checkpoints the run
/// as cancelled.
fn restore(
    ctx: &Ctx,
    mut store: Store<'_>,
    mut state: State,
    force: bool,
    verb: &str,
) -> Result<Outcome> {
    let repo = &ctx.repo;
    let moves = planned_moves(ctx, &state, force)?;
    let message = format!("align: {verb} ({})", state.run_id);
    // A conflict in the work tree goes first, so that HEAD is the user's again.
    restore_head(repo, &message)?;
    let head = repo.head()?;
    let checked_out = head
        .branch
        .as_deref()
        .and_then(|name| state.branch(name))
        .and_then(|b| b.new.map(|new| (new, b.original)));
    if let Some((new, original)) = checked_out {
        if let WorkTree::Dirty(path) = compare_work_tree(repo, &[new, original])? {
            return Err(Error::Dirty(format!(
                "{path} (the checked-out branch would be restored)"
            )));
        }
    }
    let worktrees = moved_in_worktrees(repo, &state)?;
    for (name, worktree, new, original) in &worktrees {
        if let WorkTree::Dirty(path) = compare_work_tree(worktree, &[*new, *original])? {
            return Err(Error::Dirty(format!(
                "{path} (in the worktree of {name}, which would be restored)"
            )));
        }
    }
    let refnames: Vec<&str> = moves.iter().map(|m| m.refname.as_str()).collect();
    if let Some(restoring) = state.restoring.as_ref().filter(|r| {
        // A date a day old or in the future is not that of a restore just killed.
        (crate::time::now_seconds() - 86_400..=crate::time::now_seconds()).contains(&r.since)
    }) {
        // The restore this one finishes was killed while it held the refs' locks.
        let removed = repo.clear_abandoned_ref_locks(&refnames, restoring.since)?;
        if !removed.is_empty() {
            ctx.ui.say(format!(
                "removed {} ref lock file(s) the interrupted {} left",
                removed.len(),
                restoring.verb
            ));
        }
    }
    // A leftover ref lock refuses the restore before anything is written.
    repo.refuse_locked_refs(&refnames)?;
    // Write-ahead: killed from here on, the state says the restore is under way, and the
    // same command finishes it.
    state.begin_restore(verb);
    store.save(
        &state,
        &format!("{verb}: restoring {} branches", moves.len()),
    )?;
    crate::crashpoint::point();
    let moved = repo.move_refs_atomically(&moves, &message);
    if !matches!(moved, Ok(None)) {
        // Nothing moved: the state says so again.
        state.restoring = None;
        store.save(&state, &format!("{verb}: nothing restored"))?;
    }
    if let Some((refname, actual)) = moved? {
        return Err(Error::RefMoved {
            branch: refname.trim_start_matches("refs/heads/").into(),
            expected: "the oid the run recorded".into(),
            actual: actual
                .map(|o| o.to_string())
                .unwrap_or_else(|| "nothing".into()),
        });
    }
    crate::crashpoint::point();
    if let Some((new, original)) = checked_out {
        checkout_if_clean(repo, &[new, original], original)?;
    }
    for (_, worktree, new, original) in &worktrees {
        checkout_if_clean(worktree, &[*new, *original], *original)?;
    }
    release_conflict_worktree(repo, state.worktree.as_deref(), &message)?;
    for branch in &state.branches {
        remove_conflict_worktree_of(repo, &branch.name);
    }
    crate::git::remove_check_worktree(repo);
    record_decision(&mut state, "cancel", None);
    state.cancel();
    reconcile(repo, &mut state, true)?;
    store.save(
        &state,
        &format!("{verb}: restored {} branches", moves.len()),
    )?;
    if verb == "cancel" {
        // Once the run is closed: a kill before this leaves the changes in the stash list.
        bring_back_autostash(repo, &state, ctx.ui)?;
    }
    let short = |oid: Option<Oid>| oid.map_or("(deleted)".into(), |o| o.short());
    for m in &moves {
        ctx.ui.say(format!(
            "restored {} {} -> {}",
            m.refname.trim_start_matches("refs/heads/"),
            short(m.from),
            short(m.to)
        ));
    }
    ctx.ui.say(format!(
        "{verb}: run {} restored ({} branches moved back)",
        state.run_id,
        moves.len()
    ));
    Ok(Outcome::Finished)
}

/// The branches the run moved that are checked out in other worktrees: each name, its
/// worktree, and its new and original tips.
fn moved_in_worktrees(repo: &Repo, state: &State) -> Result<Vec<(String, Repo, Oid, Oid)>> {
    let mut out = Vec::new();
    for (name, path) in repo.linked_worktree_branches()? {
        let Some(branch) = state.branch(&name) else {
            continue;
        };
        // Only a branch the run moved there: its ref is at the new tip.
        let Some(new) = branch.new.filter(|new| *new != branch.original) else {
            continue;
        };
        if repo.ref_target(&BranchName::new(&name).refname())? == Some(new) {
            out.push((name, repo.open_worktree(&path)?, new, branch.original));
        }
    }
    Ok(out)
}

/// For every branch the run may have moved: where it is now, and back to the original.
/// A branch that is neither at its original nor its recorded new oid was moved by
/// someone else: refused unless `force`.
fn planned_moves(ctx: &Ctx, state: &State, force: bool) -> Result<Vec<RefMove>> {
    let mut moves = Vec::new();
    for b in &state.branches {
        let refname = BranchName::new(&b.name).refname();
        let actual = ctx.repo.ref_target(&refname)?;
        if b.pruned {
            match actual {
                None => moves.push(RefMove {
                    refname,
                    from: None,
                    to: Some(b.original),
                }),
                Some(other) if other != b.original => ctx.ui.warn(format!(
                    "{} was created again at {} after the run deleted it; left there",
                    b.name,
                    other.short()
                )),
                Some(_) => {}
            }
            continue;
        }
        // A branch the run never moved (pending, skipped) is not the run's to restore.
        if b.new.is_none() || actual == Some(b.original) {
            continue;
        }
        if actual.is_none() {
            ctx.ui.warn(format!(
                "{} was deleted during the run and stays deleted ('git branch {} {}' brings its original back)",
                b.name,
                b.name,
                b.original.short()
            ));
            continue;
        }
        match actual {
            Some(_) if actual == b.new || force => moves.push(RefMove {
                refname,
                from: actual,
                to: Some(b.original),
            }),
            _ => {
                return Err(Error::RefMoved {
                    branch: b.name.clone(),
                    expected: b.known_tips(),
                    actual: actual
                        .map(|o| o.to_string())
                        .unwrap_or_else(|| "nothing (deleted)".into()),
                })
            }
        }
    }
    Ok(moves)
}
