//! The only module that talks to libgit2: a small repository wrapper whose methods return
//! plain values and git-align's own errors.

mod branch_name;
mod checkout;
mod config;
mod conflict_worktree;
mod exec_worktree;
mod git_refs;
mod history;
mod identity;
mod linked;
mod main_tree;
mod merge;
mod object_buffer;
mod objects;
mod oid;
mod ort;
mod pack_writer;
mod range_diff;
mod refs;
mod remote;
mod stash;
mod tree_bytes;
mod workdir;

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;

pub use branch_name::BranchName;
pub use checkout::{record_for_rerere, Apply};
pub use config::parse_config_bool;
pub use conflict_worktree::{
    conflict_in_progress, conflict_worktree_path, create_conflict_worktree, is_conflict_place_here,
    read_resolution, release_conflict_worktree, remove_conflict_worktree_of, Resolved,
};
pub use exec_worktree::{
    check_worktree_changes, check_worktree_head, check_worktree_path, prepare_check_worktree,
    remove_check_worktree, remove_stale as remove_stale_worktrees,
};
pub use history::CommitMeta;
pub use identity::Identity;
pub use main_tree::{
    create_main_conflict, forget_stale_head, lent_head, main_conflict_on, restore_head,
    MainConflict,
};
pub use merge::{ConflictedPath, Resolver, Side, TreeMerge};
pub use oid::Oid;
pub use refs::{Head, RefMove, RefUpdate};
pub use remote::{PushUpdate, PUSHING_ENV};
pub use stash::{stash_changes, unstash, Unstash};

use crate::error::{Error, Result};

/// Process-wide libgit2 settings, set once before any repository is opened: objects read
/// are not re-hashed (git does not either; `git fsck` is the place for that), and objects
/// written are not checked for the existence of what they name (git-align builds trees
/// and commits only from objects it has just read or written).
pub fn tune_libgit2() {
    git2::opts::strict_hash_verification(false);
    git2::opts::strict_object_creation(false);
    // A reftable repository opens for its objects; its refs go through the system git
    // (see `git_refs`), never through libgit2, which cannot read them.
    // SAFETY: set once, before any repository is opened or another thread runs.
    let _ = unsafe { git2::opts::set_extensions(&["refstorage"]) };
    // Trees read are kept parsed whatever their size (libgit2 keeps none over 4 KiB):
    // a folder of 2,000 files is an 80 KiB tree, which every commit of a run that
    // touches it would otherwise parse again.
    // SAFETY: as above.
    let _ = unsafe { git2::opts::set_cache_object_limit(git2::ObjectType::Tree, 1 << 20) };
}

/// The system git's ref store for a repository whose refs are in a backend libgit2
/// cannot read (`extensions.refstorage`, e.g. reftable); None for the files backend.
fn git_refs_of(inner: &git2::Repository) -> Result<Option<git_refs::GitRefs>> {
    let config = inner
        .config()
        .ctx(|| "cannot read the configuration".into())?;
    Ok(match config.get_string("extensions.refstorage") {
        Ok(backend) if backend != "files" => Some(git_refs::GitRefs::new(inner.path())),
        _ => None,
    })
}

/// The feature a repository libgit2 refused to open uses, when it is one (rather than no
/// repository at all): its object format (SHA-256), or another extension.
fn unsupported_repository(libgit2_said: &str) -> Option<Error> {
    if libgit2_said.contains("object format") {
        let format = match libgit2_said.rsplit('\'').nth(1).unwrap_or("sha256") {
            "sha256" => "SHA-256".to_string(),
            other => other.to_string(),
        };
        return Some(Error::UnsupportedRepository {
            feature: format!("names its objects with {format} (extensions.objectFormat)"),
            why: "libgit2 1.9, git-align's object layer, reads SHA-1 repositories only (its SHA-256 support is experimental and must be built in)".into(),
        });
    }
    let extension = libgit2_said.split("extension name ").nth(1)?.trim();
    Some(Error::UnsupportedRepository {
        feature: format!("uses {extension}"),
        why: "libgit2, through which git-align reads objects, does not know that extension".into(),
    })
}

/// Attaches what git-align was doing to a libgit2 failure.
trait GitContext<T> {
    fn ctx(self, what: impl FnOnce() -> String) -> Result<T>;
}

impl<T> GitContext<T> for std::result::Result<T, git2::Error> {
    fn ctx(self, what: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|e| Error::Git {
            context: what(),
            message: e.message().to_string(),
        })
    }
}

/// The variables that tell git which repository, work tree, index or object folder to
/// use: set in git's hooks (and by `git --git-dir`), they must not steer a git that
/// git-align runs on a place it names itself.
pub const GIT_LOCATION_VARS: [&str; 7] = [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_PREFIX",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
];

/// The system git, without the location variables of the environment git-align runs
/// in: the caller names the place (`-C`, `--git-dir`).
pub(crate) fn system_git() -> std::process::Command {
    let mut git = std::process::Command::new("git");
    for var in GIT_LOCATION_VARS {
        git.env_remove(var);
    }
    git
}

/// What a failed git said last: the last non-empty line of its standard error, less
/// git's `fatal: ` prefix.
pub(crate) fn git_said(stderr: &str) -> Option<&str> {
    stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.trim_start_matches("fatal: ").trim())
}

/// A libgit2 lookup with "not found" as None rather than an error.
fn found<T>(
    result: std::result::Result<T, git2::Error>,
) -> std::result::Result<Option<T>, git2::Error> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// A git repository opened by git-align.
pub struct Repo {
    // Declared before `inner`, so dropped before the repository it belongs to.
    objects: Option<object_buffer::ObjectBuffer>,
    inner: git2::Repository,
    /// The system git's ref store, when libgit2 cannot read the refs (reftable).
    git_refs: Option<git_refs::GitRefs>,
    /// git's merges, for those the in-memory merge leaves to git.
    ort: RefCell<ort::Ort>,
    /// The tree of a tree's `.gitattributes` files alone, by tree.
    attributes: RefCell<HashMap<Oid, Option<Oid>>>,
}

impl Repo {
    fn wrap(inner: git2::Repository) -> Result<Repo> {
        Ok(Repo {
            objects: Some(object_buffer::ObjectBuffer::install(&inner)?),
            git_refs: git_refs_of(&inner)?,
            inner,
            ort: RefCell::default(),
            attributes: RefCell::default(),
        })
    }

    /// The system git's refs of the main work tree (its HEAD), when refs go through it.
    fn main_head_refs(&self) -> Option<git_refs::GitRefs> {
        self.git_refs
            .as_ref()
            .map(|_| git_refs::GitRefs::new(self.common_dir()))
    }

    /// Ends the helper processes (git's merges), waiting for them: before a process
    /// exits without dropping the repository.
    pub fn end_helpers(&self) {
        self.ort.borrow_mut().end_processes();
    }

    /// The same repository opened again without the in-memory object store: what it
    /// writes goes to disk at once as loose objects (small, frequent writes such as
    /// checkpoints, which a pack per write would make slower).
    pub fn unbuffered(&self) -> Result<Repo> {
        let inner = git2::Repository::open(self.inner.path())
            .ctx(|| format!("cannot open repository {}", self.inner.path().display()))?;
        Ok(Repo {
            objects: None,
            git_refs: git_refs_of(&inner)?,
            inner,
            ort: RefCell::default(),
            attributes: RefCell::default(),
        })
    }

    /// Writes the objects made so far to disk (one pack). Every ref update calls this
    /// first; call it before anything outside this process needs them.
    pub fn flush_objects(&self) -> Result<()> {
        match &self.objects {
            Some(objects) => objects.flush(&self.inner),
            None => Ok(()),
        }
    }

    /// Writes `commit` and the new objects it needs to disk (loose), for a git process to
    /// read; the in-memory store keeps them until its next flush.
    pub fn write_commit_to_disk(&self, commit: Oid) -> Result<()> {
        match &self.objects {
            Some(objects) => objects.write_loose(&self.inner, commit),
            None => Ok(()),
        }
    }

    /// Writes the tree `tree` and what it holds to disk (loose), for a git process to
    /// read.
    pub fn write_tree_to_disk(&self, tree: Oid) -> Result<()> {
        match &self.objects {
            Some(objects) => objects.write_tree_loose(&self.inner, tree),
            None => Ok(()),
        }
    }

    /// Makes everything this repository handle writes from now on go to a temporary
    /// folder (dropped with the returned guard), read as part of the repository: a dry
    /// run that merges, git's merges included, writes nothing to the repository.
    /// Refs must not be updated afterwards.
    pub fn write_nothing(&self) -> Result<tempfile::TempDir> {
        let dir = tempfile::Builder::new()
            .prefix("git-align-scratch-")
            .tempdir()
            .map_err(|e| Error::io("cannot make a scratch folder", e))?;
        let scratch = git2::Repository::init_bare(dir.path())
            .ctx(|| "cannot make a scratch object database".into())?;
        let objects = scratch.path().join("objects");
        self.inner
            .odb()
            .and_then(|odb| odb.add_disk_alternate(&objects.to_string_lossy()))
            .ctx(|| "cannot read the scratch object database".into())?;
        if let Some(buffer) = &self.objects {
            buffer.write_into(&scratch)?;
        }
        let own = self.common_dir().join("objects");
        let alternates = objects.join("info/alternates");
        std::fs::write(&alternates, format!("{}\n", own.display()))
            .map_err(|e| Error::io(format!("cannot write {}", alternates.display()), e))?;
        self.ort.borrow_mut().write_into(&objects);
        Ok(dir)
    }

    /// Forgets the objects made since the last flush, which nothing refers to: a pause
    /// that drops the replays waiting for a checkpoint need not write them.
    pub fn discard_objects(&self) -> Result<()> {
        match &self.objects {
            Some(objects) => objects.discard(),
            None => Ok(()),
        }
    }

    /// Opens the repository the way git does: `GIT_DIR`, else the current directory upwards.
    pub fn discover() -> Result<Repo> {
        match git2::Repository::open_from_env() {
            Ok(inner) => Repo::wrap(inner),
            Err(e) => Err(unsupported_repository(e.message()).unwrap_or(Error::Git {
                context: "not in a git repository".into(),
                message: e.message().to_string(),
            })),
        }
    }

    /// Creates a new repository with `main` as its initial branch.
    pub fn init(path: &Path) -> Result<Repo> {
        let mut opts = git2::RepositoryInitOptions::new();
        opts.initial_head("main");
        let inner = git2::Repository::init_opts(path, &opts)
            .ctx(|| format!("cannot create repository {}", path.display()))?;
        Repo::wrap(inner)
    }

    /// The common git directory (shared by all worktrees).
    pub fn common_dir(&self) -> &Path {
        self.inner.commondir()
    }

    /// The git directory of this work tree (`.git`, or `.git/worktrees/<name>`).
    pub fn git_dir(&self) -> &Path {
        self.inner.path()
    }

    /// The work tree, if the repository has one.
    pub fn workdir(&self) -> Option<&Path> {
        self.inner.workdir()
    }

    /// The identity that commits: `GIT_COMMITTER_*`, else `user.name`/`user.email`.
    pub fn committer(&self) -> Result<Identity> {
        Identity::committer(self)
    }

    /// The identity that authors new commits: `GIT_AUTHOR_*`, else `user.name`/`user.email`.
    pub fn author(&self) -> Result<Identity> {
        Identity::author(self)
    }
}
