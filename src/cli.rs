//! Command-line definitions (clap). Each doc comment is the help text.

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::state::{ConflictWorktree, Step, Strategy};

/// Re-align many branches and stacks onto an updated base, as one run you can pause,
/// resume, share and cancel.
#[derive(Debug, Parser)]
#[command(
    name = "git-align",
    bin_name = "git-align",
    version,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub start: StartArgs,
    /// Print only errors and warnings (no progress, no per-branch lines)
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Explain each step
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a run (the default when no subcommand is given)
    Start(StartArgs),
    /// Show where the run stands
    Status(StatusArgs),
    /// Ask the running git-align (in another terminal) to stop at its next safe point
    Pause,
    /// Continue a paused or interrupted run from its last checkpoint
    #[command(alias = "resume")]
    Continue(ContinueArgs),
    /// Leave the current branch (and branches stacked on it) at its original commit and go on
    Skip(SkipArgs),
    /// Restore every branch the run moved, and HEAD, to where they were before it
    #[command(alias = "abort")]
    Cancel(CancelArgs),
    /// After a finished run: restore every branch it moved, like cancel
    Undo(CancelArgs),
    /// List past runs and their checkpoints, from the history of refs/align/state
    Log(LogArgs),
    /// When the last checkpoint is unreadable: make the last readable one current again
    /// (a new checkpoint on top), so that continue or cancel can start from it
    Recover,
    /// Send the run (refs/align/*) and the branches it moved to a remote, so another
    /// machine can fetch it and continue or cancel there
    Push(ShareArgs),
    /// Bring the run from a remote and take it over here (creating or moving its branches)
    Fetch(ShareArgs),
    /// Build a scratch repository and show a run with a pause and a resume
    Demo,
    /// Print a shell completion script
    Completions(CompletionsArgs),
    /// Install the man page and your shell's completion in your own folders (and with
    /// --hooks the shipped hooks in this repository); run again, it changes nothing
    Setup(SetupArgs),
    /// Serve a local review page for this repository's run (approve, revise, skip or
    /// cancel a paused run in the browser); Ctrl-C stops it
    Serve(ServeArgs),
    /// Install the git hooks git-align ships (pre-push, post-merge)
    Hooks(HooksArgs),
    /// What the shipped hooks run (called by them, not by people)
    #[command(hide = true)]
    Hook(HookArgs),
    /// Completion candidates for the words after `git align` (called by the shell
    /// completion scripts, not by people)
    #[command(hide = true)]
    Complete(CompleteArgs),
}

/// Options of `git align complete`.
#[derive(Debug, Args)]
pub struct CompleteArgs {
    /// The words after `git align`, the last one being completed (perhaps empty)
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub words: Vec<String>,
}

/// Options of `git align skip`.
#[derive(Debug, Args, Default, Clone)]
pub struct SkipArgs {
    /// Drop only the commit that conflicts (as `git rebase --skip` does) and go on with
    /// the rest of the branch
    #[arg(long)]
    pub commit: bool,
}

/// Options of `git align start`.
#[derive(Debug, Args, Default, Clone)]
pub struct StartArgs {
    /// The base to align onto [config: align.base; default: the remote's default branch, main, master]
    #[arg(long, value_name = "REV")]
    pub onto: Option<String>,
    /// Replay commits (rebase) or merge the base into each branch [config: align.strategy]
    #[arg(long, value_enum)]
    pub strategy: Option<StrategyArg>,
    /// After a branch is aligned, run CMD (sh -c) in a temporary worktree of its new tip;
    /// the branch moves only if CMD succeeds [config: align.exec]
    #[arg(long, value_name = "CMD")]
    pub exec: Option<String>,
    /// Pause for review after these steps: rebase, exec, branch, finish [config: align.pauseAfter]
    #[arg(long, value_name = "STEP[,STEP]", value_delimiter = ',', value_parser = parse_step)]
    pub pause_after: Vec<Step>,
    /// Where a conflict is resolved: a linked worktree under the git directory, or this
    /// work tree when it is clean [config: align.conflictWorktree; default: linked]
    #[arg(long, value_enum, value_name = "WHERE")]
    pub conflict_worktree: Option<ConflictWorktreeArg>,
    /// Stash uncommitted changes of the checked-out branch for the run and apply them
    /// again at its end, as git rebase --autostash does [config: align.autostash]
    #[arg(long, overrides_with = "no_autostash")]
    pub autostash: bool,
    /// Refuse to start when the checked-out branch has uncommitted changes (the default)
    #[arg(long)]
    pub no_autostash: bool,
    /// Pause on the first conflict, leaving every branch after it pending (by default the
    /// other branches go on and conflicts wait in a queue) [config: align.stopAtFirst]
    #[arg(long)]
    pub stop_at_first: bool,
    /// Delete the branches that landed on the base (squash- or rebase-merged upstream);
    /// undo and cancel bring them back. Never the checked-out branch, nor one checked
    /// out in another worktree [config: align.prune]
    #[arg(long, overrides_with = "no_prune")]
    pub prune: bool,
    /// Keep landed branches (the default; overrides align.prune)
    #[arg(long)]
    pub no_prune: bool,
    /// Print the plan, with each branch predicted (replayed in memory: clean,
    /// conflicting with the files and the base commit that brings the conflict, or
    /// waiting), and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// With --dry-run: print the plan and the prediction as JSON
    #[arg(long, requires = "dry_run")]
    pub json: bool,
    /// Branches or globs to align [config: align.branches; default: every branch with commits not on the base]
    #[arg(value_name = "BRANCH|GLOB")]
    pub branches: Vec<String>,
}

/// `--strategy` values.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum StrategyArg {
    /// Replay each branch's commits onto the new base
    Rebase,
    /// Merge the new base into each branch
    Merge,
}

impl From<StrategyArg> for Strategy {
    fn from(arg: StrategyArg) -> Strategy {
        match arg {
            StrategyArg::Rebase => Strategy::Rebase,
            StrategyArg::Merge => Strategy::Merge,
        }
    }
}

/// `--conflict-worktree` values.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ConflictWorktreeArg {
    /// A linked worktree of the branch's own under the git directory
    Linked,
    /// This work tree, when it is clean (HEAD is detached for the conflict, then put back)
    Main,
}

impl From<ConflictWorktreeArg> for ConflictWorktree {
    fn from(arg: ConflictWorktreeArg) -> ConflictWorktree {
        match arg {
            ConflictWorktreeArg::Linked => ConflictWorktree::Linked,
            ConflictWorktreeArg::Main => ConflictWorktree::Main,
        }
    }
}

fn parse_step(text: &str) -> Result<Step, String> {
    Step::parse(text)
        .ok_or_else(|| format!("'{text}' is not a step (rebase, exec, branch, finish)"))
}

/// Options of `git align status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print the state as JSON (stable fields, see the README)
    #[arg(long)]
    pub json: bool,
}

/// Options of `git align continue`.
#[derive(Debug, Args, Default)]
pub struct ContinueArgs {
    /// At a review checkpoint or a failed check: redo the step, passing FEEDBACK on
    /// (to the --exec command as GIT_ALIGN_FEEDBACK)
    #[arg(long, value_name = "FEEDBACK")]
    pub revise: Option<String>,
    /// Run the --exec command the run holds although it came from another machine
    /// (git align fetch); without this such a command never runs
    #[arg(long, conflicts_with = "exec")]
    pub trust_exec: bool,
    /// Check the rest of the run with CMD instead of the run's --exec command ('' for no check)
    #[arg(long, value_name = "CMD")]
    pub exec: Option<String>,
}

/// Options of `git align cancel` and `undo`.
#[derive(Debug, Args, Default)]
pub struct CancelArgs {
    /// Restore branches even if someone moved them after the run did
    #[arg(long)]
    pub force: bool,
}

/// Options of `git align serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The port to listen on, on 127.0.0.1 only (0: any free port)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Open the page in your browser
    #[arg(long)]
    pub open: bool,
}

/// Options of `git align log`.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// How many runs to show
    #[arg(short = 'n', long, default_value_t = 20)]
    pub max_count: usize,
}

/// Options of `git align push` and `git align fetch`.
#[derive(Debug, Args)]
pub struct ShareArgs {
    /// The remote [default: the base's remote, align.remote, origin]
    #[arg(value_name = "REMOTE")]
    pub remote: Option<String>,
    /// When the two runs diverged: push overwrites the remote's, fetch replaces this one's
    #[arg(long)]
    pub force: bool,
}

/// Options of `git align completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Options of `git align setup`.
#[derive(Debug, Args)]
pub struct SetupArgs {
    /// Say what would be installed, and install nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Also install the shipped git hooks in this repository (as `git align hooks install`)
    #[arg(long)]
    pub hooks: bool,
    /// The shell to install the completion for [default: the basename of $SHELL]
    #[arg(long, value_enum)]
    pub shell: Option<clap_complete::Shell>,
}

/// Options of `git align hooks`.
#[derive(Debug, Args)]
pub struct HooksArgs {
    #[command(subcommand)]
    pub action: HooksAction,
}

/// What `git align hooks` does.
#[derive(Debug, Subcommand)]
pub enum HooksAction {
    /// Copy the shipped hooks into the repository's hooks folder (core.hooksPath honoured)
    Install {
        /// Keep an existing hook as <name>.orig (the shipped hook runs it) instead of refusing
        #[arg(long)]
        force: bool,
    },
}

/// Options of `git align hook`.
#[derive(Debug, Args)]
pub struct HookArgs {
    /// The hook being run
    #[arg(value_enum)]
    pub name: HookName,
    /// The arguments git gave the hook
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

/// The hooks git-align ships.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum HookName {
    /// Warns when pushing branches of a half-finished run
    PrePush,
    /// After a pull moved the base: says what `git align` would do, or does it
    PostMerge,
}
