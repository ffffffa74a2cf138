//! `git align push [REMOTE]`: send the run to a remote, so another machine can go on.

use std::collections::HashMap;

use crate::cli::ShareArgs;
use crate::commands::Ctx;
use crate::commands::Outcome;
use crate::error::{Error, Result};
use crate::lock::Lock;
use crate::share::{self, Relation};
use crate::state::{keep_ref, Store, STATE_REF};

/// Pushes `refs/align/state`, the run's keep ref and the branches the run moved, in one
/// atomic push where every ref is leased on the value the remote listed. Refused when
/// the remote's run has checkpoints this repository lacks, unless `--force`.
pub fn cmd_push(ctx: &Ctx, args: &ShareArgs) -> Result<Outcome> {
    let repo = &ctx.repo;
    let _lock = Lock::acquire(repo)?;
    let store = Store::open(repo)?;
    let state = store.load()?.ok_or(Error::NoRun)?;
    let checkpoint = store.head().expect("a loaded state has a checkpoint");
    let remote = share::choose_remote(repo, args.remote.as_deref(), Some(&state))?;
    let listed = repo.remote_refs(&remote, &["refs/align/", "refs/heads/"])?;
    if let Some(theirs) = listed.get(STATE_REF).copied() {
        let relation = match repo.has_object(theirs) {
            true => share::relation(repo, Some(checkpoint), theirs)?,
            false => Relation::Behind,
        };
        let refused = match relation {
            Relation::Behind if theirs != checkpoint => Some(Error::RemoteMoved {
                remote: remote.clone(),
                theirs: theirs.short(),
            }),
            Relation::Diverged => Some(Error::Diverged {
                remote: remote.clone(),
                local: checkpoint.short(),
                theirs: theirs.short(),
            }),
            _ => None,
        };
        if let Some(error) = refused.filter(|_| !args.force) {
            return Err(error);
        }
    }
    let local_tips: HashMap<String, _> = repo.local_branches()?.into_iter().collect();
    let keep = repo.ref_target(&keep_ref(&state.run_id))?;
    let updates = share::push_updates(&state, checkpoint, keep, &listed, &local_tips)?;
    repo.push_atomic(&remote, &updates)?;
    let branches = updates
        .iter()
        .filter(|u| u.remote_ref.starts_with("refs/heads/"))
        .count();
    ctx.ui.say(format!(
        "pushed run {} ({}) to {remote}: checkpoint {}, {branches} branch(es)",
        state.run_id,
        state.state.as_str(),
        checkpoint.short()
    ));
    Ok(Outcome::Finished)
}
