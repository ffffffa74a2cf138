//! Detached linked worktrees laid out as `git worktree add --detach` does, so that git
//! commands run inside them work as usual; and their removal.

use std::fs;
use std::path::Path;

use super::checkout::open;
use super::git_refs::GitRefs;
use super::{GitContext, Oid, Repo};
use crate::error::{Error, Result};

/// Lays out a detached linked worktree at `checkout` (admin folder `admin`) and checks
/// out `commit` there.
pub(super) fn populate(repo: &Repo, checkout: &Path, admin: &Path, commit: Oid) -> Result<()> {
    let io = |what: &str, e| Error::io(format!("cannot set up the worktree ({what})"), e);
    fs::create_dir_all(admin).map_err(|e| io("admin folder", e))?;
    let dot_git = checkout.join(".git");
    fs::write(admin.join("gitdir"), format!("{}\n", dot_git.display()))
        .map_err(|e| io("gitdir", e))?;
    fs::write(admin.join("commondir"), "../..\n").map_err(|e| io("commondir", e))?;
    fs::write(&dot_git, format!("gitdir: {}\n", admin.display())).map_err(|e| io(".git", e))?;
    if repo.git_refs.is_some() {
        // As `git worktree add` makes it: HEAD in the worktree's own table stack.
        fs::write(admin.join("HEAD"), "ref: refs/heads/.invalid\n").map_err(|e| io("HEAD", e))?;
        fs::create_dir_all(admin.join("reftable")).map_err(|e| io("reftable", e))?;
        fs::write(admin.join("reftable/tables.list"), "").map_err(|e| io("reftable", e))?;
        GitRefs::new(admin).set_head_detached(commit, "align: worktree")?;
    } else {
        fs::write(admin.join("HEAD"), format!("{commit}\n")).map_err(|e| io("HEAD", e))?;
    }
    let inner = open(checkout)?;
    force_checkout_in(&inner, repo.tree_of(commit)?)
        .ctx(|| format!("cannot check out {} in the worktree", commit.short()))
}

/// Makes the index and files of an opened work tree those of `tree`, discarding what
/// differs (files of the user's that are not tracked stay). Through git where libgit2
/// cannot (its checkout reads HEAD, which a reftable repository keeps in its tables).
pub(super) fn force_checkout_in(
    inner: &git2::Repository,
    tree: Oid,
) -> std::result::Result<(), git2::Error> {
    if super::git_refs_of(inner).ok().flatten().is_some() {
        return read_tree(inner, &["--reset", "-u", &tree.to_string()]);
    }
    let tree = inner.find_tree(tree.to_git())?;
    let mut options = git2::build::CheckoutBuilder::new();
    options.force();
    inner.checkout_tree(tree.as_object(), Some(&mut options))
}

/// `git read-tree ARGS` in an opened work tree; a failure (a file in the way) as
/// libgit2's checkout conflict.
pub(super) fn read_tree(
    inner: &git2::Repository,
    args: &[&str],
) -> std::result::Result<(), git2::Error> {
    let workdir = inner.workdir().unwrap_or(inner.path());
    let git = |args: &[&str]| {
        super::git_refs::quiet_git()
            .arg("--git-dir")
            .arg(inner.path())
            .arg("--work-tree")
            .arg(workdir)
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
    };
    // A merge wants the index's stat data current (a copied work tree has other inodes):
    // what only looks changed is not a change of the user's.
    let _ = git(&["update-index", "-q", "--refresh"]);
    let out = git(&[&["read-tree"], args].concat());
    match out {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(git2::Error::new(
            git2::ErrorCode::Conflict,
            git2::ErrorClass::Checkout,
            String::from_utf8_lossy(&out.stderr).trim(),
        )),
        Err(e) => Err(git2::Error::from_str(&format!(
            "cannot run git read-tree: {e}"
        ))),
    }
}

/// The operation under way in an opened work tree: what libgit2 tells from its files,
/// and in a reftable repository what the pseudorefs git keeps in the tables say
/// (`CHERRY_PICK_HEAD`, `REVERT_HEAD`).
pub(super) fn worktree_state(inner: &git2::Repository) -> git2::RepositoryState {
    let state = inner.state();
    let Ok(Some(git)) = super::git_refs_of(inner) else {
        return state;
    };
    let set = |name: &str| git.target(name).ok().flatten().is_some();
    match state {
        git2::RepositoryState::Clean if set("CHERRY_PICK_HEAD") => {
            git2::RepositoryState::CherryPick
        }
        git2::RepositoryState::Clean if set("REVERT_HEAD") => git2::RepositoryState::Revert,
        other => other,
    }
}

/// Clears what an operation left in an opened work tree (its state files, and in a
/// reftable repository its pseudorefs), as libgit2's `cleanup_state`.
pub(super) fn clear_worktree_state(inner: &git2::Repository) -> Result<()> {
    inner
        .cleanup_state()
        .ctx(|| "cannot clear the work tree's merge state".into())?;
    if let Some(git) = super::git_refs_of(inner)? {
        for pseudoref in ["CHERRY_PICK_HEAD", "REVERT_HEAD"] {
            if let Some(at) = git.target(pseudoref)? {
                git.transaction(&[(pseudoref, Some(at), None)], "align: clear")?
                    .map_err(|said| Error::Git {
                        context: format!("cannot remove {pseudoref}"),
                        message: said,
                    })?;
            }
        }
    }
    Ok(())
}

/// Removes a linked worktree: its files and its administrative folder.
pub(super) fn remove(checkout: &Path, admin: &Path) {
    // The command may have left read-only folders (build outputs); make them writable.
    let _ = make_writable(checkout);
    let _ = fs::remove_dir_all(checkout);
    let _ = fs::remove_dir_all(admin);
}

fn make_writable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta = fs::symlink_metadata(path)?;
    if meta.is_dir() {
        let mut perms = meta.permissions();
        perms.set_mode(perms.mode() | 0o700);
        fs::set_permissions(path, perms)?;
        for entry in fs::read_dir(path)? {
            make_writable(&entry?.path())?;
        }
    }
    Ok(())
}

/// The commit HEAD of an opened work tree is at (None: unborn or unreadable), whichever
/// backend its refs are in.
pub(super) fn worktree_head(inner: &git2::Repository) -> Option<Oid> {
    match super::git_refs_of(inner).ok()? {
        Some(git) => git.target("HEAD").ok().flatten(),
        None => inner.head().ok()?.target().map(Oid::from_git),
    }
}

/// Detaches HEAD of an opened work tree at `tip`, whichever backend its refs are in.
pub(super) fn detach_worktree_head(
    inner: &git2::Repository,
    tip: Oid,
    message: &str,
) -> Result<()> {
    match super::git_refs_of(inner)? {
        Some(git) => git.set_head_detached(tip, message),
        None => inner
            .set_head_detached(tip.to_git())
            .ctx(|| format!("cannot move HEAD of {}", inner.path().display())),
    }
}
