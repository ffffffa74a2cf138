//! The `git-align` binary: parse, install signal handling, run, map the outcome to an
//! exit code (0 finished, 1 error, 2 bad usage, 3 paused, 4 finished with branches that
//! could not be aligned).

use clap::Parser;

use git_align::cli::{Cli, Command};
use git_align::commands::Outcome;
use git_align::commands::{self, Ctx};
use git_align::error::Error;
use git_align::git::Repo;
use git_align::signals;
use git_align::ui::Ui;

fn main() {
    // Like git: output into a closed pipe (`git align status | head -1`) ends the process
    // quietly instead of failing a write.
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    git_align::git::tune_libgit2();
    signals::install();
    let code = match run(cli) {
        Ok(Outcome::Finished) => 0,
        Ok(Outcome::Paused(_)) => 3,
        Ok(Outcome::FinishedWithFailures) => 4,
        Err(e) => {
            eprintln!("error: {}", git_align::ui::escape_lines(&e.to_string()));
            if let Some(hint) = e.hint() {
                eprintln!("hint: {hint}");
            }
            e.exit_code()
        }
    };
    std::process::exit(code);
}

fn run(cli: Cli) -> Result<Outcome, Error> {
    let ui = Ui {
        quiet: cli.quiet,
        verbose: cli.verbose,
    };
    match cli.command {
        Some(Command::Demo) => return commands::cmd_demo(),
        Some(Command::Completions(args)) => return commands::cmd_completions(&args),
        Some(Command::Complete(args)) => return commands::cmd_complete(&args),
        Some(Command::Setup(args)) => return commands::cmd_setup(&args, ui),
        _ => {}
    }
    let ctx = Ctx::new(Repo::discover()?, ui);
    let outcome = run_in(&ctx, cli);
    // The process ends now: freeing what libgit2 holds (its caches, the in-memory
    // objects: 4% of a 5,000-branch run) is left to the kernel, as git leaves it; only
    // the helper processes are waited for.
    ctx.repo.end_helpers();
    std::mem::forget(ctx);
    outcome
}

fn run_in(ctx: &Ctx, cli: Cli) -> Result<Outcome, Error> {
    match cli.command {
        None => commands::cmd_start(ctx, &cli.start),
        Some(Command::Start(args)) => commands::cmd_start(ctx, &args),
        Some(Command::Status(args)) => commands::cmd_status(ctx, &args),
        Some(Command::Pause) => commands::cmd_pause(ctx),
        Some(Command::Continue(args)) => commands::cmd_continue(ctx, &args),
        Some(Command::Skip(args)) => commands::cmd_skip(ctx, &args),
        Some(Command::Cancel(args)) => commands::cmd_cancel(ctx, &args),
        Some(Command::Undo(args)) => commands::cmd_undo(ctx, &args),
        Some(Command::Log(args)) => commands::cmd_log(ctx, &args),
        Some(Command::Recover) => commands::cmd_recover(ctx),
        Some(Command::Push(args)) => commands::cmd_push(ctx, &args),
        Some(Command::Fetch(args)) => commands::cmd_fetch(ctx, &args),
        Some(Command::Serve(args)) => commands::cmd_serve(ctx, &args),
        Some(Command::Hooks(args)) => commands::cmd_hooks(ctx, &args),
        Some(Command::Hook(args)) => commands::cmd_hook(ctx, &args),
        Some(Command::Demo)
        | Some(Command::Completions(_))
        | Some(Command::Complete(_))
        | Some(Command::Setup(_)) => unreachable!("handled above"),
    }
}
