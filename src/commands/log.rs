//! `git align log`: past runs, read from the history of `refs/align/state`.

use crate::cli::LogArgs;
use crate::commands::Ctx;
use crate::commands::Outcome;
use crate::error::Result;
use crate::state::{Checkpoint, Store};

/// Prints runs newest first; with `-v` every checkpoint of each.
pub fn cmd_log(ctx: &Ctx, args: &LogArgs) -> Result<Outcome> {
    let store = Store::open(&ctx.repo)?;
    // The current checkpoint must read (else: `git align recover`); older unreadable
    // ones, stepped over by a recover, are left out.
    store.load()?;
    let history = store.history()?;
    if history.is_empty() {
        println!("no alignment runs yet");
        return Ok(Outcome::Finished);
    }
    for run in group_by_run(&history).into_iter().take(args.max_count) {
        let (last, first) = (run[0], run[run.len() - 1]);
        let state = &last.state;
        println!(
            "run {}  {}  onto {} ({})  {}  {}",
            state.run_id,
            crate::time::rfc3339(first.time),
            crate::ui::escape_line(&state.onto.name),
            state.onto.oid.short(),
            state.state.as_str(),
            state.summary()
        );
        for checkpoint in &run {
            ctx.ui.detail(format!(
                "  {} {} {}",
                checkpoint.commit.short(),
                crate::time::rfc3339(checkpoint.time),
                crate::ui::escape_line(&checkpoint.message)
            ));
        }
    }
    Ok(Outcome::Finished)
}

/// Consecutive checkpoints of the same run, newest run first.
fn group_by_run(history: &[Checkpoint]) -> Vec<Vec<&Checkpoint>> {
    let mut runs: Vec<Vec<&Checkpoint>> = Vec::new();
    for checkpoint in history {
        match runs.last_mut() {
            Some(run) if run[0].state.run_id == checkpoint.state.run_id => run.push(checkpoint),
            _ => runs.push(vec![checkpoint]),
        }
    }
    runs
}
