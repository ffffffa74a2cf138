//! The man page `man/git-align.1`, made from the command-line definitions (the text of
//! `--help`: synopsis, commands, options, configuration keys) and the hand-written
//! sections below. A test compares it with the committed page, which the binary
//! installs (`git align setup`).

use clap::{Arg, Command, CommandFactory};

/// The whole page, in roff.
pub fn page() -> String {
    let mut cli = git_align::cli::Cli::command();
    cli.build();
    let mut out = String::new();
    out.push_str(&format!(
        ".TH GIT\\-ALIGN 1 \"\" \"git\\-align {}\" \"git-align manual\"\n",
        env!("CARGO_PKG_VERSION")
    ));
    // Left-adjusted, no hyphenation, as git's own pages.
    out.push_str(".ad l\n.nh\n");
    section(&mut out, "NAME");
    out.push_str(&format!("git\\-align \\- {}\n", roff(&about(&cli))));
    section(&mut out, "SYNOPSIS");
    // One hanging paragraph a command.
    out.push_str(".in +4n\n");
    out.push_str(&synopsis("git align", &cli, false));
    for sub in visible_subcommands(&cli) {
        out.push_str(".br\n");
        out.push_str(&synopsis(
            &format!("git align {}", sub.get_name()),
            sub,
            true,
        ));
    }
    out.push_str(".in\n");
    section(&mut out, "DESCRIPTION");
    out.push_str(DESCRIPTION);
    section(&mut out, "COMMANDS");
    for sub in visible_subcommands(&cli) {
        out.push_str(&format!(
            ".TP\n\\fBgit align {}\\fR\n{}\n",
            roff(sub.get_name()),
            roff(&about(sub))
        ));
        let aliases: Vec<&str> = sub.get_visible_aliases().collect();
        if !aliases.is_empty() {
            out.push_str(&format!("Also: {}.\n", roff(&aliases.join(", "))));
        }
        let options: Vec<&Arg> = documented(sub).filter(|a| !a.is_global_set()).collect();
        if !options.is_empty() {
            out.push_str(".RS\n");
            for arg in options {
                out.push_str(&option_item(arg));
            }
            out.push_str(".RE\n");
        }
    }
    section(&mut out, "OPTIONS");
    out.push_str("Options of a run (\\fBgit align\\fR or \\fBgit align start\\fR), and \\fB\\-q\\fR and \\fB\\-v\\fR of every command:\n");
    for arg in documented(&cli) {
        out.push_str(&option_item(arg));
    }
    section(&mut out, "EXIT STATUS");
    out.push_str(EXIT_STATUS);
    section(&mut out, "CONFIGURATION");
    out.push_str("Each start option has a \\fBgit config\\fR key; the command line wins:\n");
    for (key, option) in config_keys(&cli) {
        out.push_str(&format!(
            ".TP\n\\fB{}\\fR\nThe default of \\fB\\-\\-{}\\fR.\n",
            roff(&key),
            roff(&option)
        ));
    }
    out.push_str(CONFIGURATION);
    section(&mut out, "FILES AND REFS");
    out.push_str(FILES);
    section(&mut out, "HOOKS");
    out.push_str(HOOKS);
    section(&mut out, "EXAMPLES");
    out.push_str(EXAMPLES);
    section(&mut out, "SEE ALSO");
    out.push_str(SEE_ALSO);
    out
}

fn section(out: &mut String, name: &str) {
    out.push_str(&format!(".SH \"{name}\"\n"));
}

/// Text for roff: backslashes and hyphens escaped, no line starting with a control
/// character.
fn roff(text: &str) -> String {
    text.replace('\\', "\\e")
        .replace('-', "\\-")
        .lines()
        .map(|line| match line.starts_with(['.', '\'']) {
            true => format!("\\&{line}"),
            false => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn about(command: &Command) -> String {
    command
        .get_about()
        .map(|a| a.to_string())
        .unwrap_or_default()
}

fn visible_subcommands(command: &Command) -> impl Iterator<Item = &Command> {
    command
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
}

/// The arguments `--help` shows, less `--help` and `--version`.
fn documented(command: &Command) -> impl Iterator<Item = &Arg> {
    command
        .get_arguments()
        .filter(|a| !a.is_hide_set() && !matches!(a.get_id().as_str(), "help" | "version"))
}

/// `git align push [--force] [REMOTE]`.
fn synopsis(prefix: &str, command: &Command, skip_global: bool) -> String {
    let mut line = format!(".ti -4n\n\\fB{}\\fR", roff(prefix));
    for arg in documented(command).filter(|a| !(skip_global && a.is_global_set())) {
        line.push(' ');
        line.push_str(&usage(arg));
    }
    if command.has_subcommands() && prefix != "git align" {
        line.push_str(" \\fICOMMAND\\fR");
    }
    line + "\n"
}

/// How one argument is written: `[--onto \fIREV\fR]`, `[\fIBRANCH|GLOB\fR...]`.
fn usage(arg: &Arg) -> String {
    let listed = git_align::complete::listed_values(arg);
    let value = match arg.get_value_names().and_then(|names| names.first()) {
        _ if !listed.is_empty() => listed.join("|"),
        Some(name) => name.to_string(),
        None => arg.get_id().as_str().to_uppercase(),
    };
    let many = arg.get_num_args().is_some_and(|n| n.max_values() > 1);
    let text = match arg.get_long() {
        Some(long) if arg.get_action().takes_values() => {
            format!("\\-\\-{} \\fI{}\\fR", roff(long), roff(&value))
        }
        Some(long) => format!("\\-\\-{}", roff(long)),
        None if many => format!("\\fI{}\\fR...", roff(&value)),
        None => format!("\\fI{}\\fR", roff(&value)),
    };
    match arg.is_required_set() {
        true => text,
        false => format!("[{text}]"),
    }
}

/// One option as an indented paragraph, with its values.
fn option_item(arg: &Arg) -> String {
    let mut head = usage(arg)
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    if let Some(short) = arg.get_short() {
        head = format!("\\-{short}, {head}");
    }
    let mut text = format!(
        ".TP\n\\fB{}\\fR\n{}\n",
        head,
        roff(&arg.get_help().map(|h| h.to_string()).unwrap_or_default())
    );
    let values: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| {
            let help = v.get_help().map(|h| format!(": {h}")).unwrap_or_default();
            format!("\\fB{}\\fR{}", roff(v.get_name()), roff(&help))
        })
        .collect();
    if !values.is_empty() && arg.get_long() != Some("shell") {
        text.push_str(&format!(".br\nValues: {}.\n", values.join("; ")));
    }
    text
}

/// `(align.base, onto)` for every option whose help names its config key.
fn config_keys(command: &Command) -> Vec<(String, String)> {
    let mut keys = Vec::new();
    for arg in documented(command) {
        let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
        let (Some(at), Some(long)) = (help.find("[config: "), arg.get_long()) else {
            continue;
        };
        let key: String = help[at + "[config: ".len()..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '.')
            .collect();
        keys.push((key, long.to_string()));
    }
    keys
}

const DESCRIPTION: &str = r#"Re\-aligns many branches at once onto an updated base: independent topics, and stacks
(a branch whose history holds another selected branch's tip sits on it). Each branch's
own commits are replayed in memory with git's own merges, as \fBgit rebase\fR replays
them; a branch whose change already landed on the base (squash\- or rebase\-merged) is
not replayed, and the branches stacked on it go onto the base with only their own
commits.
.PP
A run is one workflow that can be paused and resumed: by Ctrl\-C, by \fBgit align
pause\fR from another terminal, at review checkpoints (\fB\-\-pause\-after\fR), on a
failed check (\fB\-\-exec\fR) or on a conflict. A conflict holds up only its branch and
those stacked on it; the others go on, and the conflicts wait in a queue. Progress is
committed as JSON on the hidden ref \fIrefs/align/state\fR, so a paused run travels
with the repository (\fBgit align push\fR, \fBgit align fetch\fR). \fBgit align
cancel\fR puts every branch back exactly, and \fBgit align undo\fR does so after a
finished run.
"#;

const EXIT_STATUS: &str = r#".TP
\fB0\fR
Finished, or nothing to do.
.TP
\fB1\fR
An error; nothing changed that the message does not name.
.TP
\fB2\fR
Bad usage.
.TP
\fB3\fR
Paused: resumable with \fBgit align continue\fR (or \fBskip\fR, \fBcancel\fR).
.TP
\fB4\fR
Finished, but some branches could not be aligned; \fBgit align status\fR says why.
"#;

const CONFIGURATION: &str = r#".TP
\fBalign.remote\fR
The remote whose default branch is the base when \fBalign.base\fR is unset, and the
remote of \fBpush\fR and \fBfetch\fR when the base names none (default \fBorigin\fR).
.TP
\fBalign.auto\fR
\fBtrue\fR: the shipped \fBpost\-merge\fR hook aligns after a pull instead of
suggesting it.
.PP
git's own \fBcore.hooksPath\fR, \fBnotes.rewriteRef\fR, \fBnotes.rewrite.rebase\fR,
\fBnotes.rewriteMode\fR, \fBmerge.conflictStyle\fR, \fBmerge.renames\fR,
\fBmerge.directoryRenames\fR, \fBuser.name\fR and \fBuser.email\fR are honoured as
\fBgit rebase\fR honours them.
"#;

const FILES: &str = r#".TP
\fIrefs/align/state\fR
The run: a chain of checkpoint commits whose trees hold \fIstate.json\fR; its history
is the audit trail (\fBgit align log\fR).
.TP
\fIrefs/align/runs/<run id>\fR
Keeps every original and rewritten tip of the run reachable, so that \fBgit gc\fR never
loses what \fBcancel\fR or \fBcontinue\fR needs.
.TP
\fI$GIT_DIR/align/\fR
The run lock, pause requests, and the worktrees where conflicts are resolved.
.TP
\fI$TMPDIR/git\-align\-check\-<hash>\fR
The worktree where \fB\-\-exec\fR checks run.
"#;

const HOOKS: &str = r#"Like \fBgit rebase\fR, a run calls the \fBpost\-rewrite\fR hook with \fBrebase\fR and
the rewritten commits, and copies notes as \fBnotes.rewriteRef\fR says.
\fBgit align hooks install\fR (or \fBgit align setup \-\-hooks\fR) installs two hooks:
\fBpre\-push\fR warns when pushing a branch of an unfinished run, \fBpost\-merge\fR says
after a pull what \fBgit align\fR would do (or does it, with \fBalign.auto\fR).
"#;

const EXAMPLES: &str = r#".TP
\fBgit align \-\-onto origin/main 'topic/*'\fR
Align every branch under topic/ (and the stacks among them) onto origin/main.
.TP
\fBgit align \-\-dry\-run\fR
Print the plan with a prediction for each branch: clean, conflicting (with the base
commit that brings the conflict), waiting, or landed.
.TP
\fBgit align \-\-exec 'make test' \-\-pause\-after finish\fR
Check each new tip before its branch moves, and stop for a review before closing the
run.
.TP
\fBgit align \-\-prune\fR
Align, and delete the branches that landed upstream (\fBgit align undo\fR brings them
back).
.TP
\fBgit align continue\fR
After resolving a conflict in the worktree the pause names, or after a review.
.TP
\fBgit align push\fR, then on another machine \fBgit align fetch && git align continue\fR
Hand a paused run over.
"#;

const SEE_ALSO: &str = r#"\fBgit\-rebase\fR(1), \fBgit\-replay\fR(1), \fBgit\-merge\-tree\fR(1),
\fBgit\-worktree\fR(1), \fBgit\-config\fR(1), \fBgithooks\fR(5)
"#;
