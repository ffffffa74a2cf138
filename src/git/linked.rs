//! Detached linked worktrees laid out as `git worktree add --detach` does, so that git
//! commands run inside them work as usual; and their removal.

use std::fs;
use std::path::Path;

use super::checkout::open;
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
    fs::write(admin.join("HEAD"), format!("{commit}\n")).map_err(|e| io("HEAD", e))?;
    fs::write(&dot_git, format!("gitdir: {}\n", admin.display())).map_err(|e| io(".git", e))?;
    let inner = open(checkout)?;
    let tree = repo.tree_of(commit)?;
    let tree = inner
        .find_tree(tree.to_git())
        .ctx(|| format!("cannot read the tree of {}", commit.short()))?;
    let mut options = git2::build::CheckoutBuilder::new();
    options.force();
    inner
        .checkout_tree(tree.as_object(), Some(&mut options))
        .ctx(|| format!("cannot check out {} in the worktree", commit.short()))
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
