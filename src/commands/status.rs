//! `git align status [--json]`.

use crate::cli::StatusArgs;
use crate::commands::Ctx;
use crate::commands::{reconcile, Outcome};
use crate::error::Result;
use crate::lock;
use crate::state::{RunState, State, Store, SCHEMA_VERSION};

/// Prints where the run stands, reconciled with the refs (a branch whose ref already
/// moved is shown aligned even if the last checkpoint predates the move).
pub fn cmd_status(ctx: &Ctx, args: &StatusArgs) -> Result<Outcome> {
    let store = Store::open(&ctx.repo)?;
    let Some(mut state) = store.load()? else {
        if args.json {
            println!(
                "{}",
                serde_json::json!({"schema_version": SCHEMA_VERSION, "state": "none"})
            );
        } else {
            println!("no alignment run in progress");
        }
        return Ok(Outcome::Finished);
    };
    let holder = lock::live_holder(&ctx.repo);
    let interrupted = state.state == RunState::Running && holder.is_none();
    reconcile(&ctx.repo, &mut state, interrupted)?;
    if args.json {
        let mut value = serde_json::to_value(&state).expect("the state serialises");
        value["interrupted"] = serde_json::Value::Bool(interrupted);
        value["checkpoint"] = serde_json::json!(store.head().map(|o| o.to_string()));
        println!(
            "{}",
            serde_json::to_string_pretty(&value).expect("json serialises")
        );
    } else {
        let lent = crate::git::lent_head(&ctx.repo)?;
        print_human(&state, interrupted, holder.map(|h| h.pid), lent.as_deref());
        if ctx.ui.verbose {
            print_settings(&state);
        }
    }
    Ok(Outcome::Finished)
}

fn print_human(state: &State, interrupted: bool, pid: Option<u32>, lent_head: Option<&str>) {
    let mut headline = format!(
        "run {} onto {} ({}), {}: {}",
        state.run_id,
        state.onto.name,
        state.onto.oid.short(),
        state.strategy_name(),
        state.state.as_str()
    );
    if let Some(reason) = state
        .pause_reason
        .filter(|_| state.state == RunState::Paused)
    {
        headline.push_str(&format!(" ({})", reason.as_str()));
    }
    if interrupted {
        headline.push_str(" but no git-align process is working on it (interrupted)");
    } else if let Some(pid) = pid.filter(|_| state.state == RunState::Running) {
        headline.push_str(&format!(" by process {pid}"));
    }
    println!("{headline}");
    if let (Some(current), Some(step)) = (&state.current, state.step) {
        println!("current: {current}, step {}", step.as_str());
    }
    if let Some(worktree) = &state.worktree {
        println!("worktree: {worktree}");
    }
    if let Some(head) = lent_head {
        println!(
            "this work tree is lent to the conflict: HEAD goes back to {head} on continue, skip or cancel"
        );
    }
    let width = state
        .branches
        .iter()
        .map(|b| b.name.len())
        .max()
        .unwrap_or(0);
    for b in &state.branches {
        let new = b.new.map(|o| o.short()).unwrap_or_else(|| "-".into());
        let mut line = format!(
            "  {:8} {:width$}  {} -> {new}  on {}",
            b.status.as_str(),
            b.name,
            b.original.short(),
            b.parent
        );
        if let Some(note) = &b.note {
            line.push_str(&format!("  ({note})"));
        }
        println!("{line}");
    }
    if let Some(content) = &state.pause_content {
        println!("{}", content.trim_end());
    }
    for d in &state.decisions {
        let feedback = d
            .feedback
            .as_deref()
            .map(|f| format!(": {f}"))
            .unwrap_or_default();
        println!(
            "decision: {} at {} of {} ({}){feedback}",
            d.decision,
            d.step,
            d.branch.as_deref().unwrap_or("the run"),
            d.at
        );
    }
    if state.state.is_open() {
        let hint = state
            .pause_reason
            .map(crate::run::next_steps)
            .unwrap_or("'git align continue', 'git align skip' or 'git align cancel'");
        eprintln!("hint: {hint}");
    }
}

/// With `-v`: each start setting and where it came from.
fn print_settings(state: &State) {
    let options = &state.options;
    let steps: Vec<&str> = options.pause_after.iter().map(|s| s.as_str()).collect();
    let values = [
        ("onto", state.onto.name.clone()),
        ("strategy", state.strategy_name().to_string()),
        ("branches", format!("{} selected", state.branches.len())),
        (
            "pause_after",
            if steps.is_empty() {
                "-".into()
            } else {
                steps.join(",")
            },
        ),
        ("exec", options.exec.clone().unwrap_or_else(|| "-".into())),
        (
            "conflict_worktree",
            options.conflict_worktree.as_str().to_string(),
        ),
        (
            "autostash",
            if options.autostash { "yes" } else { "no" }.to_string(),
        ),
    ];
    for (key, value) in values {
        let source = options
            .sources
            .get(key)
            .map(String::as_str)
            .unwrap_or("unknown");
        println!("setting: {key} = {value} ({source})");
    }
}
