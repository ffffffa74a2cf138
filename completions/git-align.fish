# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_git_align_global_optspecs
    string join \n onto= strategy= exec= pause-after= conflict-worktree= autostash no-autostash stop-at-first prune dry-run json q/quiet v/verbose h/help V/version
end

function __fish_git_align_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_git_align_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_git_align_using_subcommand
    set -l cmd (__fish_git_align_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c git-align -n "__fish_git_align_needs_command" -l onto -d 'The base to align onto [config: align.base; default: the remote\'s default branch, main, master]' -r
complete -c git-align -n "__fish_git_align_needs_command" -l strategy -d 'Replay commits (rebase) or merge the base into each branch [config: align.strategy]' -r -f -a "rebase\t'Replay each branch\'s commits onto the new base'
merge\t'Merge the new base into each branch'"
complete -c git-align -n "__fish_git_align_needs_command" -l exec -d 'After a branch is aligned, run CMD (sh -c) in a temporary worktree of its new tip; the branch moves only if CMD succeeds [config: align.exec]' -r
complete -c git-align -n "__fish_git_align_needs_command" -l pause-after -d 'Pause for review after these steps: rebase, exec, branch, finish [config: align.pauseAfter]' -r
complete -c git-align -n "__fish_git_align_needs_command" -l conflict-worktree -d 'Where a conflict is resolved: a linked worktree under the git directory, or this work tree when it is clean [config: align.conflictWorktree; default: linked]' -r -f -a "linked\t'A linked worktree of the branch\'s own under the git directory'
main\t'This work tree, when it is clean (HEAD is detached for the conflict, then put back)'"
complete -c git-align -n "__fish_git_align_needs_command" -l autostash -d 'Stash uncommitted changes of the checked-out branch for the run and apply them again at its end, as git rebase --autostash does [config: align.autostash]'
complete -c git-align -n "__fish_git_align_needs_command" -l no-autostash -d 'Refuse to start when the checked-out branch has uncommitted changes (the default)'
complete -c git-align -n "__fish_git_align_needs_command" -l stop-at-first -d 'Pause on the first conflict, leaving every branch after it pending (by default the other branches go on and conflicts wait in a queue) [config: align.stopAtFirst]'
complete -c git-align -n "__fish_git_align_needs_command" -l prune -d 'Delete the branches that landed on the base (squash- or rebase-merged upstream); undo and cancel bring them back. Never the checked-out branch, nor one checked out in another worktree [config: align.prune]'
complete -c git-align -n "__fish_git_align_needs_command" -l dry-run -d 'Print the plan, with each branch predicted (replayed in memory: clean, conflicting with the files and the base commit that brings the conflict, or waiting), and change nothing'
complete -c git-align -n "__fish_git_align_needs_command" -l json -d 'With --dry-run: print the plan and the prediction as JSON'
complete -c git-align -n "__fish_git_align_needs_command" -s q -l quiet -d 'Print only errors and warnings (no progress, no per-branch lines)'
complete -c git-align -n "__fish_git_align_needs_command" -s v -l verbose -d 'Explain each step'
complete -c git-align -n "__fish_git_align_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-align -n "__fish_git_align_needs_command" -s V -l version -d 'Print version'
complete -c git-align -n "__fish_git_align_needs_command" -a "start" -d 'Start a run (the default when no subcommand is given)'
complete -c git-align -n "__fish_git_align_needs_command" -a "status" -d 'Show where the run stands'
complete -c git-align -n "__fish_git_align_needs_command" -a "pause" -d 'Ask the running git-align (in another terminal) to stop at its next safe point'
complete -c git-align -n "__fish_git_align_needs_command" -a "continue" -d 'Continue a paused or interrupted run from its last checkpoint'
complete -c git-align -n "__fish_git_align_needs_command" -a "skip" -d 'Leave the current branch (and branches stacked on it) at its original commit and go on'
complete -c git-align -n "__fish_git_align_needs_command" -a "cancel" -d 'Restore every branch the run moved, and HEAD, to where they were before it'
complete -c git-align -n "__fish_git_align_needs_command" -a "undo" -d 'After a finished run: restore every branch it moved, like cancel'
complete -c git-align -n "__fish_git_align_needs_command" -a "log" -d 'List past runs and their checkpoints, from the history of refs/align/state'
complete -c git-align -n "__fish_git_align_needs_command" -a "recover" -d 'When the last checkpoint is unreadable: make the last readable one current again (a new checkpoint on top), so that continue or cancel can start from it'
complete -c git-align -n "__fish_git_align_needs_command" -a "push" -d 'Send the run (refs/align/*) and the branches it moved to a remote, so another machine can fetch it and continue or cancel there'
complete -c git-align -n "__fish_git_align_needs_command" -a "fetch" -d 'Bring the run from a remote and take it over here (creating or moving its branches)'
complete -c git-align -n "__fish_git_align_needs_command" -a "demo" -d 'Build a scratch repository and show a run with a pause and a resume'
complete -c git-align -n "__fish_git_align_needs_command" -a "completions" -d 'Print a shell completion script'
complete -c git-align -n "__fish_git_align_needs_command" -a "hooks" -d 'Install the git hooks git-align ships (pre-push, post-merge)'
complete -c git-align -n "__fish_git_align_needs_command" -a "hook" -d 'What the shipped hooks run (called by them, not by people)'
complete -c git-align -n "__fish_git_align_needs_command" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c git-align -n "__fish_git_align_using_subcommand start" -l onto -d 'The base to align onto [config: align.base; default: the remote\'s default branch, main, master]' -r
complete -c git-align -n "__fish_git_align_using_subcommand start" -l strategy -d 'Replay commits (rebase) or merge the base into each branch [config: align.strategy]' -r -f -a "rebase\t'Replay each branch\'s commits onto the new base'
merge\t'Merge the new base into each branch'"
complete -c git-align -n "__fish_git_align_using_subcommand start" -l exec -d 'After a branch is aligned, run CMD (sh -c) in a temporary worktree of its new tip; the branch moves only if CMD succeeds [config: align.exec]' -r
complete -c git-align -n "__fish_git_align_using_subcommand start" -l pause-after -d 'Pause for review after these steps: rebase, exec, branch, finish [config: align.pauseAfter]' -r
complete -c git-align -n "__fish_git_align_using_subcommand start" -l conflict-worktree -d 'Where a conflict is resolved: a linked worktree under the git directory, or this work tree when it is clean [config: align.conflictWorktree; default: linked]' -r -f -a "linked\t'A linked worktree of the branch\'s own under the git directory'
main\t'This work tree, when it is clean (HEAD is detached for the conflict, then put back)'"
complete -c git-align -n "__fish_git_align_using_subcommand start" -l autostash -d 'Stash uncommitted changes of the checked-out branch for the run and apply them again at its end, as git rebase --autostash does [config: align.autostash]'
complete -c git-align -n "__fish_git_align_using_subcommand start" -l no-autostash -d 'Refuse to start when the checked-out branch has uncommitted changes (the default)'
complete -c git-align -n "__fish_git_align_using_subcommand start" -l stop-at-first -d 'Pause on the first conflict, leaving every branch after it pending (by default the other branches go on and conflicts wait in a queue) [config: align.stopAtFirst]'
complete -c git-align -n "__fish_git_align_using_subcommand start" -l prune -d 'Delete the branches that landed on the base (squash- or rebase-merged upstream); undo and cancel bring them back. Never the checked-out branch, nor one checked out in another worktree [config: align.prune]'
complete -c git-align -n "__fish_git_align_using_subcommand start" -l dry-run -d 'Print the plan, with each branch predicted (replayed in memory: clean, conflicting with the files and the base commit that brings the conflict, or waiting), and change nothing'
complete -c git-align -n "__fish_git_align_using_subcommand start" -l json -d 'With --dry-run: print the plan and the prediction as JSON'
complete -c git-align -n "__fish_git_align_using_subcommand start" -s q -l quiet -d 'Print only errors and warnings (no progress, no per-branch lines)'
complete -c git-align -n "__fish_git_align_using_subcommand start" -s v -l verbose -d 'Explain each step'
complete -c git-align -n "__fish_git_align_using_subcommand start" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-align -n "__fish_git_align_using_subcommand status" -l json -d 'Print the state as JSON (stable fields, see the README)'
complete -c git-align -n "__fish_git_align_using_subcommand status" -s q -l quiet -d 'Print only errors and warnings (no progress, no per-branch lines)'
complete -c git-align -n "__fish_git_align_using_subcommand status" -s v -l verbose -d 'Explain each step'
complete -c git-align -n "__fish_git_align_using_subcommand status" -s h -l help -d 'Print help'
complete -c git-align -n "__fish_git_align_using_subcommand pause" -s q -l quiet -d 'Print only errors and warnings (no progress, no per-branch lines)'
complete -c git-align -n "__fish_git_align_using_subcommand pause" -s v -l verbose -d 'Explain each step'
complete -c git-align -n "__fish_git_align_using_subcommand pause" -s h -l help -d 'Print help'
complete -c git-align -n "__fish_git_align_using_subcommand continue" -l revise -d 'At a review checkpoint or a failed check: redo the step, passing FEEDBACK on (to the --exec command as GIT_ALIGN_FEEDBACK)' -r
complete -c git-align -n "__fish_git_align_using_subcommand continue" -l exec -d 'Check the rest of the run with CMD instead of the run\'s --exec command (\'\' for no check)' -r
complete -c git-align -n "__fish_git_align_using_subcommand continue" -l trust-exec -d 'Run the --exec command the run holds although it came from another machine (git align fetch); without this such a command never runs'
complete -c git-align -n "__fish_git_align_using_subcommand continue" -s q -l quiet -d 'Print only errors and warnings (no progress, no per-branch lines)'
complete -c git-align -n "__fish_git_align_using_subcommand continue" -s v -l verbose -d 'Explain each step'
complete -c git-align -n "__fish_git_align_using_subcommand continue" -s h -l help -d 'Print help'
complete -c git-align -n "__fish_git_align_using_subcommand skip" -l commit -d 'Drop only the commit that conflicts (as `git rebase --skip` does) and go on with the rest of the branch'
complete -c git-align -n "__fish_git_align_using_subcommand skip" -s q -l quiet -d 'Print only errors and warnings (no progress, no per-branch lines)'
complete -c git-align -n "__fish_git_align_using_subcommand skip" -s v -l verbose -d 'Explain each step'
complete -c git-align -n "__fish_git_align_using_subcommand skip" -s h -l help -d 'Print help'
complete -c git-align -n "__fish_git_align_using_subcommand cancel" -l force -d 'Restore branches even if someone moved them after the run did'
complete -c git-align -n "__fish_git_align_using_subcommand cancel" -s q -l quiet -d 'Print only errors and warnings (no progress, no per-branch lines)'
complete -c git-align -n "__fish_git_align_using_subcommand cancel" -s v -l verbose -d 'Explain each step'
complete -c git-align -n "__fish_git_align_using_subcommand cancel" -s h -l help -d 'Print help'
complete -c git-align -n "__fish_git_align_using_subcommand undo" -l force -d 'Restore branches even if someone moved them after the run did'
complete -c git-align -n "__fish_git_align_using_subcommand undo" -s q -l quiet -d 'Print only errors and warnings (no progress, no per-branch lines)'
complete -c git-align -n "__fish_git_align_using_subcommand undo" -s v -l verbose -d 'Explain each step'
complete -c git-align -n "__fish_git_align_using_subcommand undo" -s h -l help -d 'Print help'
complete -c git-align -n "__fish_git_align_using_subcommand log" -s n -l max-count -d 'How many runs to show' -r
complete -c git-align -n "__fish_git_align_using_subcommand log" -s q -l quiet -d 'Print only errors and warnings (no progress, no per-branch lines)'
complete -c git-align -n "__fish_git_align_using_subcommand log" -s v -l verbose -d 'Explain each step'
complete -c git-align -n "__fish_git_align_using_subcommand log" -s h -l help -d 'Print help'
complete -c git-align -n "__fish_git_align_using_subcommand recover" -s q -l quiet -d 'Print only errors and warnings (no progress, no per-branch lines)'
complete -c git-align -n "__fish_git_align_using_subcommand recover" -s v -l verbose -d 'Explain each step'
complete -c git-align -n "__fish_git_align_using_subcommand recover" -s h -l help -d 'Print help'
complete -c git-align -n "__fish_git_align_using_subcommand push" -l force -d 'When the two runs diverged: push overwrites the remote\'s, fetch replaces this one\'s'
complete -c git-align -n "__fish_git_align_using_subcommand push" -s q -l quiet -d 'Print only errors and warnings (no progress, no per-branch lines)'
complete -c git-align -n "__fish_git_align_using_subcommand push" -s v -l verbose -d 'Explain each step'
complete -c git-align -n "__fish_git_align_using_subcommand push" -s h -l help -d 'Print help'
complete -c git-align -n "__fish_git_align_using_subcommand fetch" -l force -d 'When the two runs diverged: push overwrites the remote\'s, fetch replaces this one\'s'
complete -c git-align -n "__fish_git_align_using_subcommand fetch" -s q -l quiet -d 'Print only errors and warnings (no progress, no per-branch lines)'
complete -c git-align -n "__fish_git_align_using_subcommand fetch" -s v -l verbose -d 'Explain each step'
complete -c git-align -n "__fish_git_align_using_subcommand fetch" -s h -l help -d 'Print help'
complete -c git-align -n "__fish_git_align_using_subcommand demo" -s q -l quiet -d 'Print only errors and warnings (no progress, no per-branch lines)'
complete -c git-align -n "__fish_git_align_using_subcommand demo" -s v -l verbose -d 'Explain each step'
complete -c git-align -n "__fish_git_align_using_subcommand demo" -s h -l help -d 'Print help'
complete -c git-align -n "__fish_git_align_using_subcommand completions" -s q -l quiet -d 'Print only errors and warnings (no progress, no per-branch lines)'
complete -c git-align -n "__fish_git_align_using_subcommand completions" -s v -l verbose -d 'Explain each step'
complete -c git-align -n "__fish_git_align_using_subcommand completions" -s h -l help -d 'Print help'
complete -c git-align -n "__fish_git_align_using_subcommand hooks; and not __fish_seen_subcommand_from install help" -s q -l quiet -d 'Print only errors and warnings (no progress, no per-branch lines)'
complete -c git-align -n "__fish_git_align_using_subcommand hooks; and not __fish_seen_subcommand_from install help" -s v -l verbose -d 'Explain each step'
complete -c git-align -n "__fish_git_align_using_subcommand hooks; and not __fish_seen_subcommand_from install help" -s h -l help -d 'Print help'
complete -c git-align -n "__fish_git_align_using_subcommand hooks; and not __fish_seen_subcommand_from install help" -f -a "install" -d 'Copy the shipped hooks into the repository\'s hooks folder (core.hooksPath honoured)'
complete -c git-align -n "__fish_git_align_using_subcommand hooks; and not __fish_seen_subcommand_from install help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c git-align -n "__fish_git_align_using_subcommand hooks; and __fish_seen_subcommand_from install" -l force -d 'Keep an existing hook as <name>.orig (the shipped hook runs it) instead of refusing'
complete -c git-align -n "__fish_git_align_using_subcommand hooks; and __fish_seen_subcommand_from install" -s q -l quiet -d 'Print only errors and warnings (no progress, no per-branch lines)'
complete -c git-align -n "__fish_git_align_using_subcommand hooks; and __fish_seen_subcommand_from install" -s v -l verbose -d 'Explain each step'
complete -c git-align -n "__fish_git_align_using_subcommand hooks; and __fish_seen_subcommand_from install" -s h -l help -d 'Print help'
complete -c git-align -n "__fish_git_align_using_subcommand hooks; and __fish_seen_subcommand_from help" -f -a "install" -d 'Copy the shipped hooks into the repository\'s hooks folder (core.hooksPath honoured)'
complete -c git-align -n "__fish_git_align_using_subcommand hooks; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c git-align -n "__fish_git_align_using_subcommand hook" -s q -l quiet -d 'Print only errors and warnings (no progress, no per-branch lines)'
complete -c git-align -n "__fish_git_align_using_subcommand hook" -s v -l verbose -d 'Explain each step'
complete -c git-align -n "__fish_git_align_using_subcommand hook" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-align -n "__fish_git_align_using_subcommand help; and not __fish_seen_subcommand_from start status pause continue skip cancel undo log recover push fetch demo completions hooks hook help" -f -a "start" -d 'Start a run (the default when no subcommand is given)'
complete -c git-align -n "__fish_git_align_using_subcommand help; and not __fish_seen_subcommand_from start status pause continue skip cancel undo log recover push fetch demo completions hooks hook help" -f -a "status" -d 'Show where the run stands'
complete -c git-align -n "__fish_git_align_using_subcommand help; and not __fish_seen_subcommand_from start status pause continue skip cancel undo log recover push fetch demo completions hooks hook help" -f -a "pause" -d 'Ask the running git-align (in another terminal) to stop at its next safe point'
complete -c git-align -n "__fish_git_align_using_subcommand help; and not __fish_seen_subcommand_from start status pause continue skip cancel undo log recover push fetch demo completions hooks hook help" -f -a "continue" -d 'Continue a paused or interrupted run from its last checkpoint'
complete -c git-align -n "__fish_git_align_using_subcommand help; and not __fish_seen_subcommand_from start status pause continue skip cancel undo log recover push fetch demo completions hooks hook help" -f -a "skip" -d 'Leave the current branch (and branches stacked on it) at its original commit and go on'
complete -c git-align -n "__fish_git_align_using_subcommand help; and not __fish_seen_subcommand_from start status pause continue skip cancel undo log recover push fetch demo completions hooks hook help" -f -a "cancel" -d 'Restore every branch the run moved, and HEAD, to where they were before it'
complete -c git-align -n "__fish_git_align_using_subcommand help; and not __fish_seen_subcommand_from start status pause continue skip cancel undo log recover push fetch demo completions hooks hook help" -f -a "undo" -d 'After a finished run: restore every branch it moved, like cancel'
complete -c git-align -n "__fish_git_align_using_subcommand help; and not __fish_seen_subcommand_from start status pause continue skip cancel undo log recover push fetch demo completions hooks hook help" -f -a "log" -d 'List past runs and their checkpoints, from the history of refs/align/state'
complete -c git-align -n "__fish_git_align_using_subcommand help; and not __fish_seen_subcommand_from start status pause continue skip cancel undo log recover push fetch demo completions hooks hook help" -f -a "recover" -d 'When the last checkpoint is unreadable: make the last readable one current again (a new checkpoint on top), so that continue or cancel can start from it'
complete -c git-align -n "__fish_git_align_using_subcommand help; and not __fish_seen_subcommand_from start status pause continue skip cancel undo log recover push fetch demo completions hooks hook help" -f -a "push" -d 'Send the run (refs/align/*) and the branches it moved to a remote, so another machine can fetch it and continue or cancel there'
complete -c git-align -n "__fish_git_align_using_subcommand help; and not __fish_seen_subcommand_from start status pause continue skip cancel undo log recover push fetch demo completions hooks hook help" -f -a "fetch" -d 'Bring the run from a remote and take it over here (creating or moving its branches)'
complete -c git-align -n "__fish_git_align_using_subcommand help; and not __fish_seen_subcommand_from start status pause continue skip cancel undo log recover push fetch demo completions hooks hook help" -f -a "demo" -d 'Build a scratch repository and show a run with a pause and a resume'
complete -c git-align -n "__fish_git_align_using_subcommand help; and not __fish_seen_subcommand_from start status pause continue skip cancel undo log recover push fetch demo completions hooks hook help" -f -a "completions" -d 'Print a shell completion script'
complete -c git-align -n "__fish_git_align_using_subcommand help; and not __fish_seen_subcommand_from start status pause continue skip cancel undo log recover push fetch demo completions hooks hook help" -f -a "hooks" -d 'Install the git hooks git-align ships (pre-push, post-merge)'
complete -c git-align -n "__fish_git_align_using_subcommand help; and not __fish_seen_subcommand_from start status pause continue skip cancel undo log recover push fetch demo completions hooks hook help" -f -a "hook" -d 'What the shipped hooks run (called by them, not by people)'
complete -c git-align -n "__fish_git_align_using_subcommand help; and not __fish_seen_subcommand_from start status pause continue skip cancel undo log recover push fetch demo completions hooks hook help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c git-align -n "__fish_git_align_using_subcommand help; and __fish_seen_subcommand_from hooks" -f -a "install" -d 'Copy the shipped hooks into the repository\'s hooks folder (core.hooksPath honoured)'
