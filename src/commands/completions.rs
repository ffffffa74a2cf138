//! `git align completions SHELL` (the scripts), and `git align complete WORDS...` (what
//! the bash, zsh and fish scripts ask for the candidates).

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::{Cli, CompleteArgs, CompletionsArgs};
use crate::commands::Outcome;
use crate::complete::{candidates, Names};
use crate::error::Result;
use crate::git::Repo;

/// Prints the completion script for a shell.
pub fn cmd_completions(args: &CompletionsArgs) -> Result<Outcome> {
    print!("{}", completion_script(args.shell));
    Ok(Outcome::Finished)
}

/// Prints the candidates for the last of the words, one a line.
pub fn cmd_complete(args: &CompleteArgs) -> Result<Outcome> {
    let names = RepoNames(Repo::discover().ok());
    for candidate in candidates(&Cli::command(), &args.words, &names) {
        println!("{candidate}");
    }
    Ok(Outcome::Finished)
}

/// The completion script for `shell`, as committed under `completions/` (and installed
/// by `git align setup`): for bash, zsh and fish a script that asks `git align complete`,
/// so that branches, revisions and remotes are offered; for the others, clap's
/// (subcommands and options).
pub fn completion_script(shell: Shell) -> String {
    match shell {
        Shell::Bash => include_str!("../../completions/git-align.bash").to_string(),
        Shell::Zsh => include_str!("../../completions/_git-align").to_string(),
        Shell::Fish => include_str!("../../completions/git-align.fish").to_string(),
        other => {
            let mut out = Vec::new();
            clap_complete::generate(other, &mut Cli::command(), "git-align", &mut out);
            String::from_utf8(out).expect("completion scripts are UTF-8")
        }
    }
}

/// The names the repository has (none outside one).
struct RepoNames(Option<Repo>);

impl RepoNames {
    fn refs(&self, glob: &str, prefix: &str) -> Vec<String> {
        let Some(repo) = &self.0 else {
            return Vec::new();
        };
        repo.refs_matching(glob)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|name| name.strip_prefix(prefix).map(str::to_string))
            .collect()
    }
}

impl Names for RepoNames {
    fn branches(&self) -> Vec<String> {
        self.refs("refs/heads/*", "refs/heads/")
    }

    fn revisions(&self) -> Vec<String> {
        let mut out = self.branches();
        out.extend(
            self.refs("refs/remotes/*", "refs/remotes/")
                .into_iter()
                .filter(|name| !name.ends_with("/HEAD")),
        );
        out.extend(self.refs("refs/tags/*", "refs/tags/"));
        out.push("HEAD".into());
        out
    }

    fn remotes(&self) -> Vec<String> {
        self.0
            .as_ref()
            .and_then(|repo| repo.remote_names().ok())
            .unwrap_or_default()
    }
}
