//! `git align completions SHELL`.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::commands::Ctx;
use crate::error::Result;
use crate::run::Outcome;

/// Prints the completion script for a shell.
pub fn cmd_completions(_ctx: Option<&Ctx>, args: &CompletionsArgs) -> Result<Outcome> {
    print!("{}", completion_script(args.shell));
    Ok(Outcome::Finished)
}

/// The completion script for `shell`, as committed under `completions/`.
pub fn completion_script(shell: clap_complete::Shell) -> String {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "git-align", &mut out);
    String::from_utf8(out).expect("completion scripts are UTF-8")
}
