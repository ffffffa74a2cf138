//! `git align fetch [REMOTE]`: bring the run from a remote and take it over here.

use crate::cli::ShareArgs;
use crate::commands::Outcome;
use crate::commands::{verify_objects, Ctx};
use crate::error::{Error, Result};
use crate::git::{release_conflict_worktree, Oid, Repo};
use crate::lock::Lock;
use crate::run::{checkout_if_clean, compare_work_tree, WorkTree};
use crate::share::{self, Relation, Sync, INCOMING_PREFIX};
use crate::state::{keep_ref, read_state, State, Store, STATE_REF};
use crate::trust;

/// Fetches `refs/align/*` from the remote into a waiting area, checks the run it holds
/// (untrusted input), and takes it over when it holds every checkpoint this repository
/// has: the state, the run's keep ref, and the local branches (created, or moved to
/// where the run has them). A diverged run is refused unless `--force`.
pub fn cmd_fetch(ctx: &Ctx, args: &ShareArgs) -> Result<Outcome> {
    let repo = &ctx.repo;
    let _lock = Lock::acquire(repo)?;
    let mut store = Store::open(repo)?;
    let local = store.load().ok().flatten();
    let remote = share::choose_remote(repo, args.remote.as_deref(), local.as_ref())?;
    clear_incoming_locks(ctx);
    repo.fetch_refspecs(&remote, &[format!("+refs/align/*:{INCOMING_PREFIX}*")])?;
    let result =
        take_over(ctx, &mut store, local.as_ref(), &remote, args.force).map_err(|e| match e {
            Error::CorruptState(why) => Error::ForeignState {
                remote: remote.clone(),
                why,
            },
            other => other,
        });
    for refname in repo.refs_matching(&format!("{INCOMING_PREFIX}*"))? {
        repo.delete_ref(&refname)?;
    }
    result
}

/// Takes over the fetched run if it may be, saying what happened.
fn take_over(
    ctx: &Ctx,
    store: &mut Store<'_>,
    local: Option<&State>,
    remote: &str,
    force: bool,
) -> Result<Outcome> {
    let repo = &ctx.repo;
    let theirs = repo
        .ref_target(&format!("{INCOMING_PREFIX}state"))?
        .ok_or_else(|| {
            Error::Remote(format!(
                "{remote} has no alignment run ({STATE_REF} is missing there)"
            ))
        })?;
    let ours = store.head();
    let relation = share::relation(repo, ours, theirs)?;
    match relation {
        Relation::Ahead => {
            ctx.ui.say(format!(
                "the run here has every checkpoint {remote} has, and more; 'git align push' sends them"
            ));
            return Ok(Outcome::Finished);
        }
        Relation::Diverged if !force => {
            return Err(Error::Diverged {
                remote: remote.to_string(),
                local: ours.map(|o| o.short()).unwrap_or_default(),
                theirs: theirs.short(),
            })
        }
        _ => {}
    }
    let state = read_state(repo, theirs)?;
    verify_objects(repo, &state)?;
    let fixes = share::local_fixes(repo, &state, Sync::All)?;
    let head_fix = checked_out_fix(repo, &fixes)?;
    if let Some((fix, from)) = head_fix {
        if let WorkTree::Dirty(path) = compare_work_tree(repo, &[from])? {
            return Err(Error::Dirty(format!(
                "{path} (the checked-out branch {} would move)",
                fix.name
            )));
        }
    }
    let their_keep = repo.ref_target(&format!("{INCOMING_PREFIX}runs/{}", state.run_id))?;
    if let Some(keep) = their_keep {
        store.adopt_keep(&state.run_id, keep)?;
    }
    let reason = format!("align: fetch from {remote} ({})", state.run_id);
    // Branches this repository lacks are created first (killed then, nothing of the
    // user's changed, and fetching again goes on); branches it has move only after the
    // state that knows their new place.
    let (missing, existing): (Vec<_>, Vec<_>) =
        fixes.iter().cloned().partition(|f| f.from.is_none());
    share::apply_fixes(repo, &missing, &reason)?;
    crate::crashpoint::point();
    if relation != Relation::Same {
        move_state(repo, ours, theirs, &reason)?;
    }
    share::apply_fixes(repo, &existing, &reason)?;
    crate::here::mark_worked_here(repo, &state.run_id)?;
    if let Some((fix, from)) = head_fix {
        checkout_if_clean(repo, &[from], fix.to)?;
    }
    if relation != Relation::Same {
        // The conflict worktree of the run replaced goes (a conflict in the work tree
        // gives HEAD back, at where the branches now are); the fetched run makes its own.
        let worktree = local.and_then(|s| s.worktree.as_deref());
        release_conflict_worktree(repo, worktree, &reason)?;
    }
    report(ctx, &state, remote, relation, ours, &fixes);
    Ok(Outcome::Finished)
}

/// Moves `refs/align/state` to the fetched checkpoint, if it is still where it was.
fn move_state(repo: &Repo, ours: Option<Oid>, theirs: Oid, reason: &str) -> Result<()> {
    match repo.update_ref(STATE_REF, theirs, ours, reason)? {
        crate::git::RefUpdate::Done => Ok(()),
        crate::git::RefUpdate::Moved { .. } => Err(Error::LostRace),
    }
}

/// The fix that moves the branch HEAD is on, with where it was.
fn checked_out_fix<'f>(
    repo: &Repo,
    fixes: &'f [share::BranchFix],
) -> Result<Option<(&'f share::BranchFix, Oid)>> {
    let head = repo.head()?;
    Ok(fixes.iter().find_map(|fix| {
        let from = fix.from?;
        (head.branch.as_deref() == Some(fix.name.as_str())).then_some((fix, from))
    }))
}

fn report(
    ctx: &Ctx,
    state: &State,
    remote: &str,
    relation: Relation,
    ours: Option<Oid>,
    fixes: &[share::BranchFix],
) {
    let ui = ctx.ui;
    for fix in fixes {
        match fix.from {
            None => ui.say(format!("created  {} at {}", fix.name, fix.to.short())),
            Some(from) => ui.say(format!(
                "moved    {} {} -> {}",
                fix.name,
                from.short(),
                fix.to.short()
            )),
        }
    }
    if relation == Relation::Same {
        ui.say(format!(
            "already up to date with {remote}: run {} is {}",
            state.run_id,
            state.state.as_str()
        ));
    } else {
        if let Some(replaced) = ours.filter(|_| relation == Relation::Diverged) {
            ui.warn(format!(
                "replaced this repository's run state {replaced}; 'git update-ref {STATE_REF} {replaced}' brings it back (until git gc prunes it)"
            ));
        }
        ui.say(format!(
            "fetched run {} from {remote}: {} ({}), kept by {}",
            state.run_id,
            state.state.as_str(),
            state.summary(),
            keep_ref(&state.run_id)
        ));
    }
    if let Some(command) = state
        .options
        .exec
        .as_deref()
        .filter(|c| state.state.is_open() && !trust::is_trusted(&ctx.repo, c))
    {
        ui.warn(format!(
            "the run's --exec command came from {remote} and will not run until you confirm it: {command}"
        ));
        ui.hint("'git align continue --trust-exec' runs it; 'git align continue --exec CMD' uses CMD instead");
    }
}

/// Removes the ref lock files a killed fetch left in the waiting area: only git-align
/// writes there, and only while it holds the run lock, which this process does now.
fn clear_incoming_locks(ctx: &Ctx) {
    let area = ctx.repo.common_dir().join(INCOMING_PREFIX);
    let mut folders = vec![area];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "lock") {
                let _ = std::fs::remove_file(&path);
                ctx.ui.detail(format!(
                    "removed {}, left by a killed fetch",
                    path.display()
                ));
            }
        }
    }
}
