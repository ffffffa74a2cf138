
use builtin;
use str;

set edit:completion:arg-completer[git-align] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'git-align'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'git-align'= {
            cand --onto 'The base to align onto [config: align.base; default: the remote''s default branch, main, master]'
            cand --strategy 'Replay commits (rebase) or merge the base into each branch [config: align.strategy]'
            cand --exec 'After a branch is aligned, run CMD (sh -c) in a temporary worktree of its new tip; the branch moves only if CMD succeeds [config: align.exec]'
            cand --pause-after 'Pause for review after these steps: rebase, exec, branch, finish [config: align.pauseAfter]'
            cand --conflict-worktree 'Where a conflict is resolved: a linked worktree under the git directory, or this work tree when it is clean [config: align.conflictWorktree; default: linked]'
            cand --autostash 'Stash uncommitted changes of the checked-out branch for the run and apply them again at its end, as git rebase --autostash does [config: align.autostash]'
            cand --no-autostash 'Refuse to start when the checked-out branch has uncommitted changes (the default)'
            cand --stop-at-first 'Pause on the first conflict, leaving every branch after it pending (by default the other branches go on and conflicts wait in a queue) [config: align.stopAtFirst]'
            cand --prune 'Delete the branches that landed on the base (squash- or rebase-merged upstream); undo and cancel bring them back. Never the checked-out branch, nor one checked out in another worktree [config: align.prune]'
            cand --no-prune 'Keep landed branches (the default; overrides align.prune)'
            cand --dry-run 'Print the plan, with each branch predicted (replayed in memory: clean, conflicting with the files and the base commit that brings the conflict, or waiting), and change nothing'
            cand --json 'With --dry-run: print the plan and the prediction as JSON'
            cand -q 'Print only errors and warnings (no progress, no per-branch lines)'
            cand --quiet 'Print only errors and warnings (no progress, no per-branch lines)'
            cand -v 'Explain each step'
            cand --verbose 'Explain each step'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand start 'Start a run (the default when no subcommand is given)'
            cand status 'Show where the run stands'
            cand pause 'Ask the running git-align (in another terminal) to stop at its next safe point'
            cand continue 'Continue a paused or interrupted run from its last checkpoint'
            cand skip 'Leave the current branch (and branches stacked on it) at its original commit and go on'
            cand cancel 'Restore every branch the run moved, and HEAD, to where they were before it'
            cand undo 'After a finished run: restore every branch it moved, like cancel'
            cand log 'List past runs and their checkpoints, from the history of refs/align/state'
            cand recover 'When the last checkpoint is unreadable: make the last readable one current again (a new checkpoint on top), so that continue or cancel can start from it'
            cand push 'Send the run (refs/align/*) and the branches it moved to a remote, so another machine can fetch it and continue or cancel there'
            cand fetch 'Bring the run from a remote and take it over here (creating or moving its branches)'
            cand demo 'Build a scratch repository and show a run with a pause and a resume'
            cand completions 'Print a shell completion script'
            cand setup 'Install the man page and your shell''s completion in your own folders (and with --hooks the shipped hooks in this repository); run again, it changes nothing'
            cand serve 'Serve a local review page for this repository''s run (approve, revise, skip or cancel a paused run in the browser); Ctrl-C stops it'
            cand hooks 'Install the git hooks git-align ships (pre-push, post-merge)'
            cand hook 'What the shipped hooks run (called by them, not by people)'
            cand complete 'Completion candidates for the words after `git align` (called by the shell completion scripts, not by people)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'git-align;start'= {
            cand --onto 'The base to align onto [config: align.base; default: the remote''s default branch, main, master]'
            cand --strategy 'Replay commits (rebase) or merge the base into each branch [config: align.strategy]'
            cand --exec 'After a branch is aligned, run CMD (sh -c) in a temporary worktree of its new tip; the branch moves only if CMD succeeds [config: align.exec]'
            cand --pause-after 'Pause for review after these steps: rebase, exec, branch, finish [config: align.pauseAfter]'
            cand --conflict-worktree 'Where a conflict is resolved: a linked worktree under the git directory, or this work tree when it is clean [config: align.conflictWorktree; default: linked]'
            cand --autostash 'Stash uncommitted changes of the checked-out branch for the run and apply them again at its end, as git rebase --autostash does [config: align.autostash]'
            cand --no-autostash 'Refuse to start when the checked-out branch has uncommitted changes (the default)'
            cand --stop-at-first 'Pause on the first conflict, leaving every branch after it pending (by default the other branches go on and conflicts wait in a queue) [config: align.stopAtFirst]'
            cand --prune 'Delete the branches that landed on the base (squash- or rebase-merged upstream); undo and cancel bring them back. Never the checked-out branch, nor one checked out in another worktree [config: align.prune]'
            cand --no-prune 'Keep landed branches (the default; overrides align.prune)'
            cand --dry-run 'Print the plan, with each branch predicted (replayed in memory: clean, conflicting with the files and the base commit that brings the conflict, or waiting), and change nothing'
            cand --json 'With --dry-run: print the plan and the prediction as JSON'
            cand -q 'Print only errors and warnings (no progress, no per-branch lines)'
            cand --quiet 'Print only errors and warnings (no progress, no per-branch lines)'
            cand -v 'Explain each step'
            cand --verbose 'Explain each step'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'git-align;status'= {
            cand --json 'Print the state as JSON (stable fields, see the README)'
            cand -q 'Print only errors and warnings (no progress, no per-branch lines)'
            cand --quiet 'Print only errors and warnings (no progress, no per-branch lines)'
            cand -v 'Explain each step'
            cand --verbose 'Explain each step'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'git-align;pause'= {
            cand -q 'Print only errors and warnings (no progress, no per-branch lines)'
            cand --quiet 'Print only errors and warnings (no progress, no per-branch lines)'
            cand -v 'Explain each step'
            cand --verbose 'Explain each step'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'git-align;continue'= {
            cand --revise 'At a review checkpoint or a failed check: redo the step, passing FEEDBACK on (to the --exec command as GIT_ALIGN_FEEDBACK)'
            cand --exec 'Check the rest of the run with CMD instead of the run''s --exec command ('''' for no check)'
            cand --trust-exec 'Run the --exec command the run holds although it came from another machine (git align fetch); without this such a command never runs'
            cand -q 'Print only errors and warnings (no progress, no per-branch lines)'
            cand --quiet 'Print only errors and warnings (no progress, no per-branch lines)'
            cand -v 'Explain each step'
            cand --verbose 'Explain each step'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'git-align;skip'= {
            cand --commit 'Drop only the commit that conflicts (as `git rebase --skip` does) and go on with the rest of the branch'
            cand -q 'Print only errors and warnings (no progress, no per-branch lines)'
            cand --quiet 'Print only errors and warnings (no progress, no per-branch lines)'
            cand -v 'Explain each step'
            cand --verbose 'Explain each step'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'git-align;cancel'= {
            cand --force 'Restore branches even if someone moved them after the run did'
            cand -q 'Print only errors and warnings (no progress, no per-branch lines)'
            cand --quiet 'Print only errors and warnings (no progress, no per-branch lines)'
            cand -v 'Explain each step'
            cand --verbose 'Explain each step'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'git-align;undo'= {
            cand --force 'Restore branches even if someone moved them after the run did'
            cand -q 'Print only errors and warnings (no progress, no per-branch lines)'
            cand --quiet 'Print only errors and warnings (no progress, no per-branch lines)'
            cand -v 'Explain each step'
            cand --verbose 'Explain each step'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'git-align;log'= {
            cand -n 'How many runs to show'
            cand --max-count 'How many runs to show'
            cand -q 'Print only errors and warnings (no progress, no per-branch lines)'
            cand --quiet 'Print only errors and warnings (no progress, no per-branch lines)'
            cand -v 'Explain each step'
            cand --verbose 'Explain each step'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'git-align;recover'= {
            cand -q 'Print only errors and warnings (no progress, no per-branch lines)'
            cand --quiet 'Print only errors and warnings (no progress, no per-branch lines)'
            cand -v 'Explain each step'
            cand --verbose 'Explain each step'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'git-align;push'= {
            cand --force 'When the two runs diverged: push overwrites the remote''s, fetch replaces this one''s'
            cand -q 'Print only errors and warnings (no progress, no per-branch lines)'
            cand --quiet 'Print only errors and warnings (no progress, no per-branch lines)'
            cand -v 'Explain each step'
            cand --verbose 'Explain each step'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'git-align;fetch'= {
            cand --force 'When the two runs diverged: push overwrites the remote''s, fetch replaces this one''s'
            cand -q 'Print only errors and warnings (no progress, no per-branch lines)'
            cand --quiet 'Print only errors and warnings (no progress, no per-branch lines)'
            cand -v 'Explain each step'
            cand --verbose 'Explain each step'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'git-align;demo'= {
            cand -q 'Print only errors and warnings (no progress, no per-branch lines)'
            cand --quiet 'Print only errors and warnings (no progress, no per-branch lines)'
            cand -v 'Explain each step'
            cand --verbose 'Explain each step'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'git-align;completions'= {
            cand -q 'Print only errors and warnings (no progress, no per-branch lines)'
            cand --quiet 'Print only errors and warnings (no progress, no per-branch lines)'
            cand -v 'Explain each step'
            cand --verbose 'Explain each step'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'git-align;setup'= {
            cand --shell 'The shell to install the completion for [default: the basename of $SHELL]'
            cand --dry-run 'Say what would be installed, and install nothing'
            cand --hooks 'Also install the shipped git hooks in this repository (as `git align hooks install`)'
            cand -q 'Print only errors and warnings (no progress, no per-branch lines)'
            cand --quiet 'Print only errors and warnings (no progress, no per-branch lines)'
            cand -v 'Explain each step'
            cand --verbose 'Explain each step'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'git-align;serve'= {
            cand --port 'The port to listen on, on 127.0.0.1 only (0: any free port)'
            cand --open 'Open the page in your browser'
            cand -q 'Print only errors and warnings (no progress, no per-branch lines)'
            cand --quiet 'Print only errors and warnings (no progress, no per-branch lines)'
            cand -v 'Explain each step'
            cand --verbose 'Explain each step'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'git-align;hooks'= {
            cand -q 'Print only errors and warnings (no progress, no per-branch lines)'
            cand --quiet 'Print only errors and warnings (no progress, no per-branch lines)'
            cand -v 'Explain each step'
            cand --verbose 'Explain each step'
            cand -h 'Print help'
            cand --help 'Print help'
            cand install 'Copy the shipped hooks into the repository''s hooks folder (core.hooksPath honoured)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'git-align;hooks;install'= {
            cand --force 'Keep an existing hook as <name>.orig (the shipped hook runs it) instead of refusing'
            cand -q 'Print only errors and warnings (no progress, no per-branch lines)'
            cand --quiet 'Print only errors and warnings (no progress, no per-branch lines)'
            cand -v 'Explain each step'
            cand --verbose 'Explain each step'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'git-align;hooks;help'= {
            cand install 'Copy the shipped hooks into the repository''s hooks folder (core.hooksPath honoured)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'git-align;hooks;help;install'= {
        }
        &'git-align;hooks;help;help'= {
        }
        &'git-align;hook'= {
            cand -q 'Print only errors and warnings (no progress, no per-branch lines)'
            cand --quiet 'Print only errors and warnings (no progress, no per-branch lines)'
            cand -v 'Explain each step'
            cand --verbose 'Explain each step'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'git-align;complete'= {
            cand -q 'Print only errors and warnings (no progress, no per-branch lines)'
            cand --quiet 'Print only errors and warnings (no progress, no per-branch lines)'
            cand -v 'Explain each step'
            cand --verbose 'Explain each step'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'git-align;help'= {
            cand start 'Start a run (the default when no subcommand is given)'
            cand status 'Show where the run stands'
            cand pause 'Ask the running git-align (in another terminal) to stop at its next safe point'
            cand continue 'Continue a paused or interrupted run from its last checkpoint'
            cand skip 'Leave the current branch (and branches stacked on it) at its original commit and go on'
            cand cancel 'Restore every branch the run moved, and HEAD, to where they were before it'
            cand undo 'After a finished run: restore every branch it moved, like cancel'
            cand log 'List past runs and their checkpoints, from the history of refs/align/state'
            cand recover 'When the last checkpoint is unreadable: make the last readable one current again (a new checkpoint on top), so that continue or cancel can start from it'
            cand push 'Send the run (refs/align/*) and the branches it moved to a remote, so another machine can fetch it and continue or cancel there'
            cand fetch 'Bring the run from a remote and take it over here (creating or moving its branches)'
            cand demo 'Build a scratch repository and show a run with a pause and a resume'
            cand completions 'Print a shell completion script'
            cand setup 'Install the man page and your shell''s completion in your own folders (and with --hooks the shipped hooks in this repository); run again, it changes nothing'
            cand serve 'Serve a local review page for this repository''s run (approve, revise, skip or cancel a paused run in the browser); Ctrl-C stops it'
            cand hooks 'Install the git hooks git-align ships (pre-push, post-merge)'
            cand hook 'What the shipped hooks run (called by them, not by people)'
            cand complete 'Completion candidates for the words after `git align` (called by the shell completion scripts, not by people)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'git-align;help;start'= {
        }
        &'git-align;help;status'= {
        }
        &'git-align;help;pause'= {
        }
        &'git-align;help;continue'= {
        }
        &'git-align;help;skip'= {
        }
        &'git-align;help;cancel'= {
        }
        &'git-align;help;undo'= {
        }
        &'git-align;help;log'= {
        }
        &'git-align;help;recover'= {
        }
        &'git-align;help;push'= {
        }
        &'git-align;help;fetch'= {
        }
        &'git-align;help;demo'= {
        }
        &'git-align;help;completions'= {
        }
        &'git-align;help;setup'= {
        }
        &'git-align;help;serve'= {
        }
        &'git-align;help;hooks'= {
            cand install 'Copy the shipped hooks into the repository''s hooks folder (core.hooksPath honoured)'
        }
        &'git-align;help;hooks;install'= {
        }
        &'git-align;help;hook'= {
        }
        &'git-align;help;complete'= {
        }
        &'git-align;help;help'= {
        }
    ]
    $completions[$command]
}
