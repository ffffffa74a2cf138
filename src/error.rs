//! Typed errors for the conditions git-align expects and explains.

/// Everything that can go wrong in git-align, each with a one-line message and a hint.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A git operation failed; `context` says what git-align was doing.
    #[error("{context}: {message}")]
    Git { context: String, message: String },
    /// A command that needs a run found none.
    #[error("no alignment run in progress")]
    NoRun,
    /// A start found a run that is not finished.
    #[error("alignment run {run_id} is {state}")]
    RunInProgress { run_id: String, state: String },
    /// The run is in a state where the command makes no sense.
    #[error("alignment run {run_id} is {state}: {what}")]
    WrongState {
        run_id: String,
        state: String,
        what: String,
    },
    /// A branch name given by the user does not exist.
    #[error("no local branch matches '{0}'")]
    UnknownBranch(String),
    /// A revision given by the user does not resolve.
    #[error("'{0}' is not a known revision")]
    UnknownRevision(String),
    /// No base could be found.
    #[error("cannot tell which branch to align onto (no align.base, no remote default branch, no main or master)")]
    NoBase,
    /// state.json could not be read.
    #[error("the run state in refs/align/state is unreadable: {0}")]
    CorruptState(String),
    /// state.json comes from a newer git-align.
    #[error("the run state has schema_version {0}; this git-align reads only version 1")]
    NewerSchema(u64),
    /// A branch is not where the run left it.
    #[error("branch '{branch}' was moved outside git-align (expected {expected}, found {actual})")]
    RefMoved {
        branch: String,
        expected: String,
        actual: String,
    },
    /// The work tree has changes that the command would overwrite.
    #[error("the work tree has uncommitted changes: {0}")]
    Dirty(String),
    /// Bad command-line usage found after parsing.
    #[error("{0}")]
    Usage(String),
    /// Another live git-align process holds the lock.
    #[error("another git-align is running in this repository ({0})")]
    Locked(String),
    /// refs/align/state moved under this process.
    #[error("the run state was advanced by another git-align process (refs/align/state moved)")]
    LostRace,
    /// A branch has a shape git-align cannot replay.
    #[error("branch '{branch}' cannot be aligned: {reason}")]
    Unsupported { branch: String, reason: String },
    /// The repository uses a feature git-align cannot work with (nothing was changed).
    #[error(
        "this repository {feature}, which git-align does not support: {why}; nothing was changed"
    )]
    UnsupportedRepository { feature: String, why: String },
    /// The system git is older than git-align needs for merging as git does.
    #[error("git {found} is too old: git-align merges through git {needed} or newer")]
    OldGit { found: String, needed: String },
    /// An object or file of the repository is not what git-align expects of it (a
    /// tree where a file should be, a file over a size limit, HEAD naming nothing).
    #[error("{0}")]
    BadObject(String),
    /// An object the run needs is missing.
    #[error("object {0} is missing from the repository")]
    MissingObject(String),
    /// A conflict is not resolved yet.
    #[error(
        "the conflict is not resolved yet:{}{}{}",
        list(" unmerged", unmerged),
        list(" conflict markers in", markers),
        list(" changes not added in", unstaged)
    )]
    Unresolved {
        unmerged: Vec<String>,
        markers: Vec<String>,
        unstaged: Vec<String>,
    },
    /// The conflict worktree of a paused run is missing.
    #[error("the conflict worktree {0} is gone")]
    WorktreeGone(String),
    /// git-align declined to do something that would lose a user's file.
    #[error("{0}")]
    Refused(String),
    /// A ref's lock file is in the way: another git command is writing it, or one was
    /// killed while it did.
    #[error("{refname} is locked by another git process ({path} exists)")]
    RefLocked { refname: String, path: String },
    /// `git align pause` found no process to ask.
    #[error("no git-align process is running in this repository")]
    NotRunning,
    /// A signal arrived before the run's first checkpoint.
    #[error("interrupted before the run started; nothing was changed")]
    Interrupted,
    /// Talking to a remote failed (what git said).
    #[error("{0}")]
    Remote(String),
    /// The local run and the remote's have each gone on from a common checkpoint.
    #[error("the alignment run here and the one on {remote} have diverged (local {local}, {remote} {theirs})")]
    Diverged {
        remote: String,
        local: String,
        theirs: String,
    },
    /// The remote's run moved since it was fetched: a push would lose its checkpoints.
    #[error(
        "the alignment run on {remote} moved since it was fetched ({theirs}); the push was refused"
    )]
    RemoteMoved { remote: String, theirs: String },
    /// The run fetched from a remote is unreadable or names what it may not.
    #[error("the run fetched from {remote} is refused: {why}")]
    ForeignState { remote: String, why: String },
    /// The run's `--exec` command did not come from this machine.
    #[error(
        "this run's --exec command came from another machine and has not been confirmed here: {0}"
    )]
    UntrustedExec(String),
    /// A file-system operation failed.
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
}

/// Result with git-align's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// What the user can do about it, printed as `hint:` lines.
    pub fn hint(&self) -> Option<String> {
        let hint = match self {
            Error::NoRun => "start one with 'git align --onto <base>'",
            Error::RunInProgress { .. } => {
                "finish it with 'git align continue', or drop it with 'git align cancel'"
            }
            Error::WrongState { .. } => "see 'git align status'",
            Error::UnknownBranch(_) => "list branches with 'git branch --list'",
            Error::UnknownRevision(_) => "check the name with 'git rev-parse --verify <rev>'",
            Error::NoBase => "name one with '--onto <rev>' or 'git config align.base <rev>'",
            Error::CorruptState(_) | Error::MissingObject(_) => {
                "'git align recover' goes back to the last readable checkpoint of the run (status names it), from which 'git align continue' or 'git align cancel' go on; if the run names objects this repository lacks, 'git align fetch' brings them; 'git update-ref -d refs/align/state' forgets the run (branches stay where they are)"
            }
            Error::NewerSchema(_) => "use a newer git-align for this run",
            Error::RefMoved { .. } => {
                "look at 'git reflog <branch>'; 'git align cancel --force' (after a finished run: 'git align undo --force') restores it anyway"
            }
            Error::Dirty(_) => "commit or stash your changes first ('git stash'), then try again",
            Error::Locked(_) => "wait for it, or stop it with 'git align pause'",
            Error::LostRace => "see 'git align status' for where the run stands now",
            Error::Unsupported { .. } => "align that branch by hand, or leave it out of the selection",
            Error::OldGit { .. } => "put a newer git first on PATH; a run it stopped goes on with 'git align continue'",
            Error::UnsupportedRepository { .. } => "git rebase --update-refs and git replay work on it; 'git align' does not yet",
            Error::Interrupted => "start it again with the same command",
            Error::RefLocked { .. } => "wait for the other git command to finish; if none is running (one was killed), the lock file is a leftover: remove it (git-align only reads the ref while it is there) and try again",
            Error::NotRunning => "'git align status' shows where the run stands",
            Error::Refused(_) => "see the warnings above",
            Error::Unresolved { .. } => "resolve the files in the worktree ('git align status' prints it), 'git add' them (or 'git checkout' changes that are not part of it), then 'git align continue' (or 'git align skip --commit' to drop the commit, 'git align skip' to leave the branch)",
            Error::WorktreeGone(_) => "'git align skip' leaves the branch, 'git align cancel' restores everything",
            Error::Remote(_) => "check the remote's name or URL with 'git remote -v'",
            Error::Diverged { .. } => "keep this machine's run with 'git align push --force', or take the remote's with 'git align fetch --force' (this machine's checkpoints stay in 'git reflog refs/align/state')",
            Error::RemoteMoved { .. } => "'git align fetch' brings the remote's run, and says whether it diverged from this one",
            Error::ForeignState { .. } => "nothing was changed here; the remote's refs/align/state was written by something other than git-align (or damaged): ask whoever pushed it",
            Error::UntrustedExec(_) => "run it with 'git align continue --trust-exec', or give the command to use with 'git align continue --exec CMD'",
            Error::Git { .. } | Error::Usage(_) | Error::Io { .. } | Error::BadObject(_) => {
                return None
            }
        };
        Some(hint.to_string())
    }

    /// The process exit code: 2 for bad usage, 1 for everything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => 2,
            _ => 1,
        }
    }

    /// Wraps an I/O error with what was being done.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Error {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

/// `" label: a, b;"` for a non-empty list, else nothing.
fn list(label: &str, items: &[String]) -> String {
    if items.is_empty() {
        String::new()
    } else {
        format!("{label}: {};", items.join(", "))
    }
}
