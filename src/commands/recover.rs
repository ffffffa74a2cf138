//! `git align recover`: when the current checkpoint cannot be read (damaged, or forged
//! by someone else), go back to the last one that can, keeping the whole chain.

use crate::commands::{Ctx, Outcome};
use crate::error::{Error, Result};
use crate::lock::Lock;
use crate::state::{run_of_message, Store};

/// Writes the last readable checkpoint's state as a new checkpoint on top of the
/// unreadable ones; refuses when the current checkpoint reads fine.
pub fn cmd_recover(ctx: &Ctx) -> Result<Outcome> {
    let repo = &ctx.repo;
    let _lock = Lock::acquire(repo)?;
    let mut store = Store::open(repo)?;
    let broken = match store.load() {
        Ok(None) => return Err(Error::NoRun),
        Ok(Some(state)) => {
            return Err(Error::WrongState {
                run_id: state.run_id,
                state: state.state.as_str().into(),
                what: "its last checkpoint reads fine; there is nothing to recover".into(),
            })
        }
        Err(Error::CorruptState(why)) => why,
        Err(missing @ Error::MissingObject(_)) => missing.to_string(),
        Err(e) => return Err(e),
    };
    let head = store.head().expect("an unreadable state has a checkpoint");
    let (commit, state) = store.last_readable()?.ok_or_else(|| {
        Error::CorruptState(format!(
            "no checkpoint of refs/align/state can be read ({broken})"
        ))
    })?;
    // Only a checkpoint of the same run: an earlier run's would let go of this one's
    // branches. (The unreadable one's message says its run: `align <run id>: ...`.)
    let broken_message = repo.commit_summary(head)?;
    if run_of_message(&broken_message).is_some_and(|run| run != state.run_id) {
        return Err(Error::CorruptState(format!(
            "the last readable checkpoint ({}) belongs to run {}, not to the run whose checkpoint is unreadable ({broken})",
            commit.short(),
            state.run_id
        )));
    }
    store.save(
        &state,
        &format!(
            "recovered {} from checkpoint {} (the newer ones are unreadable)",
            state.run_id,
            commit.short()
        ),
    )?;
    ctx.ui.say(format!(
        "recovered run {} from checkpoint {} ({} was unreadable: {})",
        state.run_id,
        commit.short(),
        head.short(),
        crate::ui::escape_line(&broken)
    ));
    ctx.ui.hint(
        "'git align status' shows it as the refs are now; 'git align continue' or 'git align cancel' go on from it",
    );
    Ok(Outcome::Finished)
}
