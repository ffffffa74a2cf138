//! Shell completion candidates, read off the command-line definitions (so they never
//! drift from them) and filled with what the repository has: branch names and globs for
//! the branches to align, revisions for `--onto`, steps for `--pause-after`, remotes
//! for `push` and `fetch`. The shell scripts under `completions/` only hand the words
//! typed so far to `git align complete` and offer what it prints.

use clap::{Arg, Command};

/// What candidates may be made of, from the repository (empty outside one).
pub trait Names {
    /// Local branch names.
    fn branches(&self) -> Vec<String>;
    /// Names a revision may be given by: local and remote-tracking branches, tags, HEAD.
    fn revisions(&self) -> Vec<String>;
    /// Remote names.
    fn remotes(&self) -> Vec<String>;
}

/// The candidates for the last of `words` (the words after `git align`, the last one
/// being completed, perhaps empty), each starting with it. For `--option=value` the
/// candidates are the values alone, as shells replace only what follows `=`.
pub fn candidates(root: &Command, words: &[String], names: &dyn Names) -> Vec<String> {
    let mut root = root.clone();
    root.build();
    let (current, done) = match words.split_last() {
        Some((current, done)) => (current.as_str(), done),
        None => ("", words),
    };
    let at = walk(&root, done);
    let mut out = match (at.pending, current.split_once('=')) {
        (Some(arg), _) => values(arg, current, names),
        (None, Some((option, value))) if option.starts_with("--") => {
            match long_option(at.command, &option[2..]) {
                Some(arg) => values(arg, value, names),
                None => Vec::new(),
            }
        }
        _ if current.starts_with('-') => options(at.command),
        _ => positionals(&at, current, names),
    };
    let prefix = match current.split_once('=') {
        Some((option, value)) if at.pending.is_none() && option.starts_with("--") => value,
        _ => current,
    };
    out.retain(|c| c.starts_with(prefix));
    out.sort();
    out.dedup();
    out
}

/// Where the words typed so far leave the command line.
struct Position<'c> {
    /// The (sub)command the words are for.
    command: &'c Command,
    /// An option whose value comes next.
    pending: Option<&'c Arg>,
    /// How many positional words were given to `command`.
    positionals: usize,
    /// Whether `command` is the top level (where a subcommand may still be named).
    top: bool,
}

fn walk<'c>(root: &'c Command, words: &[String]) -> Position<'c> {
    let mut at = Position {
        command: root,
        pending: None,
        positionals: 0,
        top: true,
    };
    for word in words {
        if at.pending.take().is_some() {
            continue;
        }
        if let Some(long) = word.strip_prefix("--").filter(|l| !l.is_empty()) {
            // `--onto=main` carries its value; `--onto` waits for the next word.
            at.pending =
                long_option(at.command, long).filter(|arg| takes_value(arg) && !long.contains('='));
        } else if let Some(shorts) = word.strip_prefix('-').filter(|s| !s.is_empty()) {
            let last = shorts.chars().last().expect("not empty");
            at.pending = at
                .command
                .get_arguments()
                .find(|a| a.get_short() == Some(last))
                .filter(|arg| takes_value(arg) && shorts.len() == 1);
        } else if let Some(sub) = subcommand_named(at.command, word)
            .filter(|_| at.positionals == 0 && (at.top || at.command.has_subcommands()))
        {
            at = Position {
                command: sub,
                pending: None,
                positionals: 0,
                top: false,
            };
        } else {
            at.positionals += 1;
        }
    }
    at
}

fn takes_value(arg: &Arg) -> bool {
    arg.get_action().takes_values() && !arg.is_positional()
}

fn long_option<'c>(command: &'c Command, long: &str) -> Option<&'c Arg> {
    let name = long.split_once('=').map_or(long, |(name, _)| name);
    command.get_arguments().find(|a| a.get_long() == Some(name))
}

fn subcommand_named<'c>(command: &'c Command, word: &str) -> Option<&'c Command> {
    command
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .find(|s| s.get_name() == word || s.get_all_aliases().any(|a| a == word))
}

/// The long options of `command` a person may type.
fn options(command: &Command) -> Vec<String> {
    command
        .get_arguments()
        .filter(|a| !a.is_hide_set())
        .filter_map(|a| a.get_long())
        .map(|long| format!("--{long}"))
        .collect()
}

/// What the positional word being typed may be.
fn positionals(at: &Position<'_>, current: &str, names: &dyn Names) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if at.positionals == 0 && (at.top || at.command.has_subcommands()) {
        out.extend(
            at.command
                .get_subcommands()
                .filter(|s| !s.is_hide_set())
                .map(|s| s.get_name().to_string()),
        );
    }
    let positional = at
        .command
        .get_positionals()
        .filter(|a| !a.is_hide_set())
        .nth(at.positionals)
        .or_else(|| {
            // A list (the branches) takes every further word.
            at.command
                .get_positionals()
                .filter(|a| a.get_num_args().is_some_and(|n| n.max_values() > 1))
                .last()
        });
    if let Some(arg) = positional {
        out.extend(values(arg, current, names));
    }
    out
}

/// The values the definition of `arg` lists (`rebase`, `merge`), if it lists any.
pub fn listed_values(arg: &Arg) -> Vec<String> {
    arg.get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_string())
        .collect()
}

/// The values `arg` may take, `typed` being what was typed of it so far.
fn values(arg: &Arg, typed: &str, names: &dyn Names) -> Vec<String> {
    let listed = listed_values(arg);
    if !listed.is_empty() {
        return listed;
    }
    match arg.get_id().as_str() {
        "onto" => names.revisions(),
        "branches" => branches_and_globs(&names.branches()),
        "remote" => names.remotes(),
        "pause_after" => steps(typed),
        _ => Vec::new(),
    }
}

/// Branch names, and `folder/*` for each folder of them.
fn branches_and_globs(branches: &[String]) -> Vec<String> {
    let mut out = branches.to_vec();
    for branch in branches {
        let mut end = 0;
        while let Some(slash) = branch[end..].find('/') {
            end += slash + 1;
            out.push(format!("{}*", &branch[..end]));
        }
    }
    out
}

/// `--pause-after`'s steps, after those already typed (`rebase,ex` -> `rebase,exec`).
fn steps(typed: &str) -> Vec<String> {
    let before = typed.rfind(',').map_or("", |comma| &typed[..=comma]);
    crate::state::Step::ALL
        .iter()
        .map(|step| format!("{before}{}", step.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    struct Fixed;

    impl Names for Fixed {
        fn branches(&self) -> Vec<String> {
            vec!["main".into(), "topic/long".into(), "topic/x/y".into()]
        }
        fn revisions(&self) -> Vec<String> {
            vec!["main".into(), "origin/main".into(), "v1.0".into()]
        }
        fn remotes(&self) -> Vec<String> {
            vec!["origin".into(), "upstream".into()]
        }
    }

    fn complete(line: &str) -> Vec<String> {
        let mut words: Vec<String> = line.split(' ').map(str::to_string).collect();
        if line.is_empty() {
            words = vec![String::new()];
        }
        candidates(&crate::cli::Cli::command(), &words, &Fixed)
    }

    #[test]
    fn branches_and_globs_for_the_branches_to_align() {
        assert_eq!(complete("topic/l"), ["topic/long"]);
        assert_eq!(
            complete("main topic/"),
            ["topic/*", "topic/long", "topic/x/*", "topic/x/y"]
        );
        assert_eq!(
            complete("start --onto main to"),
            ["topic/*", "topic/long", "topic/x/*", "topic/x/y"]
        );
    }

    #[test]
    fn option_values() {
        assert_eq!(complete("--onto ma"), ["main"]);
        assert_eq!(complete("--onto=or"), ["origin/main"]);
        assert_eq!(
            complete("--pause-after "),
            ["branch", "exec", "finish", "rebase"]
        );
        assert_eq!(complete("--pause-after rebase,f"), ["rebase,finish"]);
        assert_eq!(complete("--strategy "), ["merge", "rebase"]);
        assert_eq!(complete("--onto=main topic/l"), ["topic/long"]);
    }

    #[test]
    fn subcommands_options_and_remotes() {
        let top = complete("");
        assert!(top.contains(&"continue".to_string()) && top.contains(&"main".to_string()));
        assert!(
            !top.iter().any(|c| c == "hook" || c == "complete"),
            "{top:?}"
        );
        assert_eq!(complete("push "), ["origin", "upstream"]);
        assert_eq!(complete("fetch --force u"), ["upstream"]);
        assert!(complete("continue --").contains(&"--revise".to_string()));
        assert_eq!(complete("hooks "), ["help", "install"]);
    }
}
