//! The subcommands: a file for each (`cancel.rs` also holds `undo`, `hooks.rs` also the
//! internal `hook`), each with a `cmd_<verb>` function that returns how the command
//! ended, and the steps several of them share (opening a run, recording decisions).

mod cancel;
mod completions;
mod continue_;
mod decision;
mod demo;
mod dry_run;
mod fetch;
mod hooks;
mod log;
mod pause;
mod push;
mod recover;
mod serve;
mod setup;
mod skip;
mod start;
mod status;

pub use cancel::{cmd_cancel, cmd_undo};
pub use completions::{cmd_complete, cmd_completions};
pub use continue_::cmd_continue;
pub use decision::Choice;
pub use demo::cmd_demo;
pub use fetch::cmd_fetch;
pub use hooks::{cmd_hook, cmd_hooks};
pub use log::cmd_log;
pub use pause::cmd_pause;
pub use push::cmd_push;
pub use recover::cmd_recover;
pub use serve::cmd_serve;
pub use setup::cmd_setup;
pub use skip::cmd_skip;
pub use start::cmd_start;
pub use status::{cmd_status, status_document};

use crate::error::{Error, Result};
use crate::git::BranchName;
use crate::git::Repo;
use crate::here;
use crate::lock::Lock;
use crate::run::Ended;
use crate::share;
use crate::state::{Decision, PauseReason, State, Store};
use crate::ui::Ui;

/// How a command ended, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done (or nothing to do): exit 0.
    Finished,
    /// Stopped, resumable: exit 3.
    Paused(PauseReason),
    /// The run finished, but some branches could not be aligned (each says why in
    /// `status`): exit 4.
    FinishedWithFailures,
}

impl From<Ended> for Outcome {
    fn from(ended: Ended) -> Outcome {
        match ended {
            Ended::Finished { failed: 0 } => Outcome::Finished,
            Ended::Finished { .. } => Outcome::FinishedWithFailures,
            Ended::Paused(reason) => Outcome::Paused(reason),
        }
    }
}

/// What every command gets: the repository and the output settings.
pub struct Ctx {
    pub repo: Repo,
    pub ui: Ui,
    /// Told when a decision (continue, skip) has been taken and the run goes on: the
    /// review page answers then, while the run goes on behind it.
    pub on_accepted: Option<Box<dyn Fn()>>,
}

impl Ctx {
    /// A command's context, for the command line.
    pub fn new(repo: Repo, ui: Ui) -> Ctx {
        Ctx {
            repo,
            ui,
            on_accepted: None,
        }
    }

    /// The decision is taken (checked and recorded); the run goes on now.
    fn accepted(&self) {
        if let Some(tell) = &self.on_accepted {
            tell();
        }
    }
}

/// The lock, the store and the state of an open (running or paused) run, reconciled
/// with the refs: what continue, skip and cancel start from.
fn open_run<'r>(ctx: &'r Ctx, what: &str) -> Result<(Lock, Store<'r>, State)> {
    let repo = &ctx.repo;
    let lock = Lock::acquire(repo)?;
    remove_stale_worktrees(ctx);
    let store = Store::open(repo)?;
    let mut state = store.load()?.ok_or(Error::NoRun)?;
    if !state.state.is_open() {
        return Err(Error::WrongState {
            run_id: state.run_id,
            state: state.state.as_str().into(),
            what: format!("there is nothing to {what}"),
        });
    }
    if let Some(verb) = state.restoring_verb().filter(|verb| *verb != what) {
        return Err(Error::WrongState {
            run_id: state.run_id.clone(),
            state: format!("being restored by an interrupted '{verb}'"),
            what: format!("'git align {verb}' finishes restoring it"),
        });
    }
    verify_objects(repo, &state)?;
    if !here::worked_here(repo, &state.run_id) {
        create_missing_branches(ctx, &state)?;
        here::mark_worked_here(repo, &state.run_id)?;
    }
    reconcile(repo, &mut state, true)?;
    Ok((lock, store, state))
}

/// Brings a loaded state in line with the refs; `interrupted`: no process is working on
/// the run.
fn reconcile(repo: &Repo, state: &mut State, interrupted: bool) -> Result<()> {
    state.reconcile(
        |name| repo.ref_target(&BranchName::new(name).refname()),
        interrupted,
    )
}

/// Removes the temporary worktrees a killed git-align left behind (lock held).
fn remove_stale_worktrees(ctx: &Ctx) {
    for path in crate::git::remove_stale_worktrees(&ctx.repo) {
        ctx.ui
            .detail(format!("removed a stale worktree at {}", path.display()));
    }
}

/// Creates the branches of a run brought here by a plain `git fetch` that this
/// repository lacks, at the oid the run has them at. (Once a run has been worked on
/// here, a missing branch was deleted by the user, and stays deleted.)
fn create_missing_branches(ctx: &Ctx, state: &State) -> Result<()> {
    let fixes = share::local_fixes(&ctx.repo, state, share::Sync::CreateMissing)?;
    share::apply_fixes(
        &ctx.repo,
        &fixes,
        &format!("align: branch of run {}", state.run_id),
    )?;
    for fix in fixes {
        ctx.ui.say(format!(
            "created  {} at {} (a branch of the run)",
            fix.name,
            fix.to.short()
        ));
    }
    Ok(())
}

/// Refuses a run whose base, tips or conflict commits are missing (a partial fetch) or
/// are not commits (a forged state: a branch must never point at a tree or a blob).
pub(crate) fn verify_objects(repo: &Repo, state: &State) -> Result<()> {
    let conflicts = state.branches.iter().filter_map(|b| b.conflict.as_ref());
    let needed = std::iter::once(state.onto.oid)
        .chain(state.branches.iter().map(|b| b.original))
        .chain(state.branches.iter().filter_map(|b| b.new))
        .chain(state.branches.iter().filter_map(|b| b.checked))
        .chain(conflicts.flat_map(|c| [c.commit, c.partial]))
        .chain(state.resolutions.iter().map(|r| r.commit))
        .chain(state.autostash);
    // One object header read per oid; the second look only tells a failure's kind.
    let Some(oid) = needed.into_iter().find(|oid| !repo.is_commit(*oid)) else {
        return Ok(());
    };
    Err(match repo.has_object(oid) {
        false => Error::MissingObject(oid.to_string()),
        true => Error::CorruptState(format!("{oid} is not a commit, where the run needs one")),
    })
}

/// Records a person's decision at the current step.
fn record_decision(state: &mut State, decision: &str, feedback: Option<String>) {
    let step = state
        .step
        .map(|s| s.as_str().to_string())
        .unwrap_or_else(|| {
            state
                .pause_reason
                .map(|r| r.as_str())
                .unwrap_or("run")
                .to_string()
        });
    state.decisions.push(Decision {
        step,
        branch: state.current.clone(),
        decision: decision.into(),
        // Kept as text the state can always hold (no terminal codes).
        feedback: feedback.map(|text| crate::ui::escape_lines(&text)),
        at: crate::time::now_rfc3339(),
    });
}
