//! `git align continue` (alias `resume`).

use crate::cli::ContinueArgs;
use crate::commands::{open_run, record_decision, Ctx};
use crate::error::Result;
use crate::run::{Outcome, Runner};
use crate::state::PauseReason;

/// Goes on from the last checkpoint; at a review checkpoint this approves the step.
pub fn cmd_continue(ctx: &Ctx, args: &ContinueArgs) -> Result<Outcome> {
    let ContinueArgs {} = args;
    let (_lock, store, mut state) = open_run(&ctx.repo, "continue")?;
    if state.pause_reason == Some(PauseReason::Checkpoint) {
        record_decision(&mut state, "approve", None);
    }
    ctx.ui.say(format!(
        "continuing run {}: {}",
        state.run_id,
        state.summary()
    ));
    Runner::new(&ctx.repo, store, state, ctx.ui)?.drive()
}
