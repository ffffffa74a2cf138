//! `git align pause`: ask the running process to stop at its next safe point.

use crate::commands::Ctx;
use crate::commands::Outcome;
use crate::error::{Error, Result};
use crate::lock;

/// Leaves a pause request for the live git-align process; fails if none is running.
pub fn cmd_pause(ctx: &Ctx) -> Result<Outcome> {
    let holder = lock::live_holder(&ctx.repo).ok_or(Error::NotRunning)?;
    lock::request_pause(&ctx.repo, &holder)?;
    ctx.ui.say(match holder.pid {
        0 => "asked the running git-align to pause at its next safe point".to_string(),
        pid => format!("asked git-align (pid {pid}) to pause at its next safe point"),
    });
    Ok(Outcome::Finished)
}
