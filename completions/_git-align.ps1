
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'git-align' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'git-align'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'git-align' {
            [CompletionResult]::new('--onto', '--onto', [CompletionResultType]::ParameterName, 'The base to align onto [config: align.base; default: the remote''s default branch, main, master]')
            [CompletionResult]::new('--strategy', '--strategy', [CompletionResultType]::ParameterName, 'Replay commits (rebase) or merge the base into each branch [config: align.strategy]')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'After a branch is aligned, run CMD (sh -c) in a temporary worktree of its new tip; the branch moves only if CMD succeeds [config: align.exec]')
            [CompletionResult]::new('--pause-after', '--pause-after', [CompletionResultType]::ParameterName, 'Pause for review after these steps: rebase, exec, branch, finish [config: align.pauseAfter]')
            [CompletionResult]::new('--conflict-worktree', '--conflict-worktree', [CompletionResultType]::ParameterName, 'Where a conflict is resolved: a linked worktree under the git directory, or this work tree when it is clean [config: align.conflictWorktree; default: linked]')
            [CompletionResult]::new('--autostash', '--autostash', [CompletionResultType]::ParameterName, 'Stash uncommitted changes of the checked-out branch for the run and apply them again at its end, as git rebase --autostash does [config: align.autostash]')
            [CompletionResult]::new('--no-autostash', '--no-autostash', [CompletionResultType]::ParameterName, 'Refuse to start when the checked-out branch has uncommitted changes (the default)')
            [CompletionResult]::new('--stop-at-first', '--stop-at-first', [CompletionResultType]::ParameterName, 'Pause on the first conflict, leaving every branch after it pending (by default the other branches go on and conflicts wait in a queue) [config: align.stopAtFirst]')
            [CompletionResult]::new('--prune', '--prune', [CompletionResultType]::ParameterName, 'Delete the branches that landed on the base (squash- or rebase-merged upstream); undo and cancel bring them back. Never the checked-out branch, nor one checked out in another worktree [config: align.prune]')
            [CompletionResult]::new('--no-prune', '--no-prune', [CompletionResultType]::ParameterName, 'Keep landed branches (the default; overrides align.prune)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan, with each branch predicted (replayed in memory: clean, conflicting with the files and the base commit that brings the conflict, or waiting), and change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'With --dry-run: print the plan and the prediction as JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Start a run (the default when no subcommand is given)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show where the run stands')
            [CompletionResult]::new('pause', 'pause', [CompletionResultType]::ParameterValue, 'Ask the running git-align (in another terminal) to stop at its next safe point')
            [CompletionResult]::new('continue', 'continue', [CompletionResultType]::ParameterValue, 'Continue a paused or interrupted run from its last checkpoint')
            [CompletionResult]::new('skip', 'skip', [CompletionResultType]::ParameterValue, 'Leave the current branch (and branches stacked on it) at its original commit and go on')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Restore every branch the run moved, and HEAD, to where they were before it')
            [CompletionResult]::new('undo', 'undo', [CompletionResultType]::ParameterValue, 'After a finished run: restore every branch it moved, like cancel')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'List past runs and their checkpoints, from the history of refs/align/state')
            [CompletionResult]::new('recover', 'recover', [CompletionResultType]::ParameterValue, 'When the last checkpoint is unreadable: make the last readable one current again (a new checkpoint on top), so that continue or cancel can start from it')
            [CompletionResult]::new('push', 'push', [CompletionResultType]::ParameterValue, 'Send the run (refs/align/*) and the branches it moved to a remote, so another machine can fetch it and continue or cancel there')
            [CompletionResult]::new('fetch', 'fetch', [CompletionResultType]::ParameterValue, 'Bring the run from a remote and take it over here (creating or moving its branches)')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Build a scratch repository and show a run with a pause and a resume')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('setup', 'setup', [CompletionResultType]::ParameterValue, 'Install the man page and your shell''s completion in your own folders (and with --hooks the shipped hooks in this repository); run again, it changes nothing')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve a local review page for this repository''s run (approve, revise, skip or cancel a paused run in the browser); Ctrl-C stops it')
            [CompletionResult]::new('hooks', 'hooks', [CompletionResultType]::ParameterValue, 'Install the git hooks git-align ships (pre-push, post-merge)')
            [CompletionResult]::new('hook', 'hook', [CompletionResultType]::ParameterValue, 'What the shipped hooks run (called by them, not by people)')
            [CompletionResult]::new('complete', 'complete', [CompletionResultType]::ParameterValue, 'Completion candidates for the words after `git align` (called by the shell completion scripts, not by people)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'git-align;start' {
            [CompletionResult]::new('--onto', '--onto', [CompletionResultType]::ParameterName, 'The base to align onto [config: align.base; default: the remote''s default branch, main, master]')
            [CompletionResult]::new('--strategy', '--strategy', [CompletionResultType]::ParameterName, 'Replay commits (rebase) or merge the base into each branch [config: align.strategy]')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'After a branch is aligned, run CMD (sh -c) in a temporary worktree of its new tip; the branch moves only if CMD succeeds [config: align.exec]')
            [CompletionResult]::new('--pause-after', '--pause-after', [CompletionResultType]::ParameterName, 'Pause for review after these steps: rebase, exec, branch, finish [config: align.pauseAfter]')
            [CompletionResult]::new('--conflict-worktree', '--conflict-worktree', [CompletionResultType]::ParameterName, 'Where a conflict is resolved: a linked worktree under the git directory, or this work tree when it is clean [config: align.conflictWorktree; default: linked]')
            [CompletionResult]::new('--autostash', '--autostash', [CompletionResultType]::ParameterName, 'Stash uncommitted changes of the checked-out branch for the run and apply them again at its end, as git rebase --autostash does [config: align.autostash]')
            [CompletionResult]::new('--no-autostash', '--no-autostash', [CompletionResultType]::ParameterName, 'Refuse to start when the checked-out branch has uncommitted changes (the default)')
            [CompletionResult]::new('--stop-at-first', '--stop-at-first', [CompletionResultType]::ParameterName, 'Pause on the first conflict, leaving every branch after it pending (by default the other branches go on and conflicts wait in a queue) [config: align.stopAtFirst]')
            [CompletionResult]::new('--prune', '--prune', [CompletionResultType]::ParameterName, 'Delete the branches that landed on the base (squash- or rebase-merged upstream); undo and cancel bring them back. Never the checked-out branch, nor one checked out in another worktree [config: align.prune]')
            [CompletionResult]::new('--no-prune', '--no-prune', [CompletionResultType]::ParameterName, 'Keep landed branches (the default; overrides align.prune)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan, with each branch predicted (replayed in memory: clean, conflicting with the files and the base commit that brings the conflict, or waiting), and change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'With --dry-run: print the plan and the prediction as JSON')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'git-align;status' {
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the state as JSON (stable fields, see the README)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'git-align;pause' {
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'git-align;continue' {
            [CompletionResult]::new('--revise', '--revise', [CompletionResultType]::ParameterName, 'At a review checkpoint or a failed check: redo the step, passing FEEDBACK on (to the --exec command as GIT_ALIGN_FEEDBACK)')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Check the rest of the run with CMD instead of the run''s --exec command ('''' for no check)')
            [CompletionResult]::new('--trust-exec', '--trust-exec', [CompletionResultType]::ParameterName, 'Run the --exec command the run holds although it came from another machine (git align fetch); without this such a command never runs')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'git-align;skip' {
            [CompletionResult]::new('--commit', '--commit', [CompletionResultType]::ParameterName, 'Drop only the commit that conflicts (as `git rebase --skip` does) and go on with the rest of the branch')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'git-align;cancel' {
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Restore branches even if someone moved them after the run did')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'git-align;undo' {
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Restore branches even if someone moved them after the run did')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'git-align;log' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'How many runs to show')
            [CompletionResult]::new('--max-count', '--max-count', [CompletionResultType]::ParameterName, 'How many runs to show')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'git-align;recover' {
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'git-align;push' {
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'When the two runs diverged: push overwrites the remote''s, fetch replaces this one''s')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'git-align;fetch' {
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'When the two runs diverged: push overwrites the remote''s, fetch replaces this one''s')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'git-align;demo' {
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'git-align;completions' {
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'git-align;setup' {
            [CompletionResult]::new('--shell', '--shell', [CompletionResultType]::ParameterName, 'The shell to install the completion for [default: the basename of $SHELL]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Say what would be installed, and install nothing')
            [CompletionResult]::new('--hooks', '--hooks', [CompletionResultType]::ParameterName, 'Also install the shipped git hooks in this repository (as `git align hooks install`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'git-align;serve' {
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The port to listen on, on 127.0.0.1 only (0: any free port)')
            [CompletionResult]::new('--open', '--open', [CompletionResultType]::ParameterName, 'Open the page in your browser')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'git-align;hooks' {
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Copy the shipped hooks into the repository''s hooks folder (core.hooksPath honoured)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'git-align;hooks;install' {
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Keep an existing hook as <name>.orig (the shipped hook runs it) instead of refusing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'git-align;hooks;help' {
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Copy the shipped hooks into the repository''s hooks folder (core.hooksPath honoured)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'git-align;hooks;help;install' {
            break
        }
        'git-align;hooks;help;help' {
            break
        }
        'git-align;hook' {
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'git-align;complete' {
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and warnings (no progress, no per-branch lines)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Explain each step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'git-align;help' {
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Start a run (the default when no subcommand is given)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show where the run stands')
            [CompletionResult]::new('pause', 'pause', [CompletionResultType]::ParameterValue, 'Ask the running git-align (in another terminal) to stop at its next safe point')
            [CompletionResult]::new('continue', 'continue', [CompletionResultType]::ParameterValue, 'Continue a paused or interrupted run from its last checkpoint')
            [CompletionResult]::new('skip', 'skip', [CompletionResultType]::ParameterValue, 'Leave the current branch (and branches stacked on it) at its original commit and go on')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Restore every branch the run moved, and HEAD, to where they were before it')
            [CompletionResult]::new('undo', 'undo', [CompletionResultType]::ParameterValue, 'After a finished run: restore every branch it moved, like cancel')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'List past runs and their checkpoints, from the history of refs/align/state')
            [CompletionResult]::new('recover', 'recover', [CompletionResultType]::ParameterValue, 'When the last checkpoint is unreadable: make the last readable one current again (a new checkpoint on top), so that continue or cancel can start from it')
            [CompletionResult]::new('push', 'push', [CompletionResultType]::ParameterValue, 'Send the run (refs/align/*) and the branches it moved to a remote, so another machine can fetch it and continue or cancel there')
            [CompletionResult]::new('fetch', 'fetch', [CompletionResultType]::ParameterValue, 'Bring the run from a remote and take it over here (creating or moving its branches)')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Build a scratch repository and show a run with a pause and a resume')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('setup', 'setup', [CompletionResultType]::ParameterValue, 'Install the man page and your shell''s completion in your own folders (and with --hooks the shipped hooks in this repository); run again, it changes nothing')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve a local review page for this repository''s run (approve, revise, skip or cancel a paused run in the browser); Ctrl-C stops it')
            [CompletionResult]::new('hooks', 'hooks', [CompletionResultType]::ParameterValue, 'Install the git hooks git-align ships (pre-push, post-merge)')
            [CompletionResult]::new('hook', 'hook', [CompletionResultType]::ParameterValue, 'What the shipped hooks run (called by them, not by people)')
            [CompletionResult]::new('complete', 'complete', [CompletionResultType]::ParameterValue, 'Completion candidates for the words after `git align` (called by the shell completion scripts, not by people)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'git-align;help;start' {
            break
        }
        'git-align;help;status' {
            break
        }
        'git-align;help;pause' {
            break
        }
        'git-align;help;continue' {
            break
        }
        'git-align;help;skip' {
            break
        }
        'git-align;help;cancel' {
            break
        }
        'git-align;help;undo' {
            break
        }
        'git-align;help;log' {
            break
        }
        'git-align;help;recover' {
            break
        }
        'git-align;help;push' {
            break
        }
        'git-align;help;fetch' {
            break
        }
        'git-align;help;demo' {
            break
        }
        'git-align;help;completions' {
            break
        }
        'git-align;help;setup' {
            break
        }
        'git-align;help;serve' {
            break
        }
        'git-align;help;hooks' {
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Copy the shipped hooks into the repository''s hooks folder (core.hooksPath honoured)')
            break
        }
        'git-align;help;hooks;install' {
            break
        }
        'git-align;help;hook' {
            break
        }
        'git-align;help;complete' {
            break
        }
        'git-align;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
