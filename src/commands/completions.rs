//! `git align completions SHELL`.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::commands::Outcome;
use crate::error::Result;

/// Prints the completion script for a shell.
pub fn cmd_completions(args: &CompletionsArgs) -> Result<Outcome> {
    print!("{}", completion_script(args.shell));
    Ok(Outcome::Finished)
}

/// Lets git's own bash completion complete `git align ...`: it calls `_git_align`,
/// which hands the words after `align` to the generated `_git__align`.
const GIT_BASH_BRIDGE: &str = r#"
# git's completion (git-completion.bash) completes 'git align ...' with _git_align.
_git_align() {
    local i
    for ((i = 1; i < COMP_CWORD; i++)); do
        [[ ${COMP_WORDS[i]} == align ]] && break
    done
    local COMP_WORDS=("git-align" "${COMP_WORDS[@]:i+1}")
    local COMP_CWORD=$((COMP_CWORD - i))
    _git__align git-align "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
}
"#;

/// The completion script for `shell`, as committed under `completions/`.
pub fn completion_script(shell: clap_complete::Shell) -> String {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "git-align", &mut out);
    let mut script = String::from_utf8(out).expect("completion scripts are UTF-8");
    if shell == clap_complete::Shell::Bash {
        // clap_complete 4.6 spells the hyphen of `git-align` two ways in bash scripts
        // (`git__align` where it sets the command, `git__subcmd__align` where it matches
        // it), so completion stops after the subcommand; use one spelling.
        script = script.replace("git__subcmd__align", "git__align");
        script.push_str(GIT_BASH_BRIDGE);
    }
    script
}
