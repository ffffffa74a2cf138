//! `git align status [--json]`.

use crate::cli::StatusArgs;
use crate::commands::Ctx;
use crate::commands::{reconcile, Outcome};
use crate::error::{Error, Result};
use std::path::Path;

use crate::git::Repo;
use crate::lock;
use crate::state::{RunState, State, Store, SCHEMA_VERSION};
use crate::ui::{escape_line, escape_lines};

/// Prints where the run stands, reconciled with the refs (a branch whose ref already
/// moved is shown aligned even if the last checkpoint predates the move).
pub fn cmd_status(ctx: &Ctx, args: &StatusArgs) -> Result<Outcome> {
    if args.json {
        let document = status_document(&ctx.repo)?;
        println!(
            "{}",
            serde_json::to_string_pretty(&document).expect("json serialises")
        );
        return Ok(Outcome::Finished);
    }
    let Some((_, state, here)) = load_reconciled(&ctx.repo)? else {
        println!("no alignment run in progress");
        return Ok(Outcome::Finished);
    };
    print_human(&state, &here);
    if ctx.ui.verbose {
        print_settings(&state);
    }
    Ok(Outcome::Finished)
}

/// The `status --json` document: the run's state reconciled with the refs, and what
/// this repository says besides (also the review page's `GET /api/state`).
pub fn status_document(repo: &Repo) -> Result<serde_json::Value> {
    Ok(match load_reconciled(repo)? {
        Some((store, state, here)) => json_document(&store, &state, &here),
        None => no_run_document(),
    })
}

/// The run's last checkpoint reconciled with the refs, and what this repository says
/// besides; None without a run.
fn load_reconciled(repo: &Repo) -> Result<Option<(Store<'_>, State, Here)>> {
    let store = Store::open(repo)?;
    let Some(mut state) = store.load().map_err(|e| name_last_readable(&store, e))? else {
        return Ok(None);
    };
    let here = Here::look(repo, &state)?;
    reconcile(repo, &mut state, here.interrupted)?;
    Ok(Some((store, state, here)))
}

/// The document when there is no run.
fn no_run_document() -> serde_json::Value {
    serde_json::json!({"schema_version": SCHEMA_VERSION, "state": "none"})
}

fn json_document(store: &Store<'_>, state: &State, here: &Here) -> serde_json::Value {
    let mut value = serde_json::to_value(state).expect("the state serialises");
    value["interrupted"] = serde_json::Value::Bool(here.interrupted);
    value["live"] = serde_json::Value::Bool(here.pid.is_some());
    value["checkpoint"] = serde_json::json!(store.head().map(|o| o.to_string()));
    value["queue"] = serde_json::to_value(state.queue()).expect("the queue serialises");
    if here.worktree.is_none() && state.worktree.is_some() {
        // Set up on another machine (or removed): not a place to resolve it here.
        value["worktree_elsewhere"] = value["worktree"].take();
    }
    value
}

/// An unreadable current checkpoint, said with the last readable one.
fn name_last_readable(store: &Store<'_>, error: Error) -> Error {
    let Error::CorruptState(why) = error else {
        return error;
    };
    match store.last_readable() {
        Ok(Some((commit, state))) => Error::CorruptState(format!(
            "{why} (the last readable checkpoint is {}, run {} {})",
            commit.short(),
            state.run_id,
            state.state.as_str()
        )),
        _ => Error::CorruptState(why),
    }
}

/// What this repository says about the run besides its state.
struct Here {
    /// The run says running, but no process holds the lock.
    interrupted: bool,
    /// The process working on it.
    pid: Option<u32>,
    /// The state's conflict worktree, if it is one of this repository's.
    worktree: Option<String>,
    /// Where HEAD goes back to, while the work tree is lent to a conflict.
    lent_head: Option<String>,
}

impl Here {
    fn look(repo: &Repo, state: &State) -> Result<Here> {
        let holder = lock::live_holder(repo);
        let worktree = state
            .worktree
            .clone()
            .filter(|path| crate::git::is_conflict_place_here(repo, Path::new(path)));
        Ok(Here {
            interrupted: state.state == RunState::Running && holder.is_none(),
            pid: holder.map(|h| h.pid),
            worktree,
            lent_head: crate::git::lent_head(repo)?,
        })
    }
}

/// The lines of `git align status`; every text from the state is escaped.
fn print_human(state: &State, here: &Here) {
    let e = escape_line;
    let mut headline = format!(
        "run {} onto {} ({}), {}: {}",
        state.run_id,
        e(&state.onto.name),
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
    if here.interrupted {
        headline.push_str(" but no git-align process is working on it (interrupted)");
    } else if let Some(pid) = here.pid.filter(|_| state.state == RunState::Running) {
        headline.push_str(&format!(" by process {pid}"));
    }
    println!("{headline}");
    if let Some(verb) = state.restoring_verb() {
        let verb = e(verb);
        println!(
            "an interrupted '{verb}' is putting the branches back: 'git align {verb}' finishes it"
        );
    }
    if let (Some(current), Some(step)) = (&state.current, state.step) {
        println!("current: {}, step {}", e(current), step.as_str());
    }
    match (&state.worktree, here.worktree.as_deref()) {
        (Some(_), Some(worktree)) => println!("worktree: {}", e(worktree)),
        (Some(elsewhere), None) => println!(
            "worktree: not here (the conflict was set up at {} on another machine, or removed); 'git align continue' sets it up here",
            e(elsewhere)
        ),
        _ => {}
    }
    if let Some(head) = &here.lent_head {
        println!(
            "this work tree is lent to the conflict: HEAD goes back to {} on continue, skip or cancel",
            e(head)
        );
    }
    let width = state
        .branches
        .iter()
        .map(|b| e(&b.name).len())
        .max()
        .unwrap_or(0);
    // One write for the table: a run may have tens of thousands of branches.
    let mut table = String::new();
    for b in &state.branches {
        let new = b.new.map(|o| o.short()).unwrap_or_else(|| "-".into());
        table.push_str(&format!(
            "  {:8} {:width$}  {} -> {new}  on {}",
            b.status.as_str(),
            e(&b.name),
            b.original.short(),
            e(&b.parent)
        ));
        if let Some(note) = &b.note {
            table.push_str(&format!("  ({})", e(note)));
        }
        table.push('\n');
    }
    print!("{table}");
    if let Some(content) = &state.pause_content {
        println!("{}", escape_lines(content.trim_end()));
    }
    let queue = state.queue_lines();
    // A pause on a conflict lists the queue in its message, printed just above.
    if !queue.is_empty() && state.pause_reason != Some(crate::state::PauseReason::Conflict) {
        println!("queue ({} waiting):", queue.len());
        for line in queue {
            println!("  {}", e(&line));
        }
    }
    for d in &state.decisions {
        let feedback = d
            .feedback
            .as_deref()
            .map(|f| format!(": {}", e(f)))
            .unwrap_or_default();
        println!(
            "decision: {} at {} of {} ({}){feedback}",
            e(&d.decision),
            e(&d.step),
            d.branch
                .as_deref()
                .map(e)
                .unwrap_or_else(|| "the run".into()),
            e(&d.at)
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
        println!(
            "setting: {key} = {} ({})",
            escape_line(&value),
            escape_line(source)
        );
    }
}
