//! Detached linked worktrees that git-align makes for itself (the `--exec` check), laid
//! out as `git worktree add --detach` does, so git commands run inside them work as usual.
//! Their administrative folders are named with a prefix of git-align's own, which lets
//! the next run remove what a killed process left behind.

use std::fs;
use std::path::{Path, PathBuf};

use super::{GitContext, Oid, Repo};
use crate::error::{Error, Result};

/// The prefix of the administrative folder names (`.git/worktrees/<prefix>...`).
const ADMIN_PREFIX: &str = "align-";

/// A worktree checked out at one commit (detached HEAD); removed when dropped.
pub struct TempWorktree {
    checkout: PathBuf,
    admin: PathBuf,
}

impl TempWorktree {
    /// Checks out `commit` into a new folder under the system's temporary folder.
    pub fn create(repo: &Repo, commit: Oid, purpose: &str) -> Result<TempWorktree> {
        let folder = tempfile::Builder::new()
            .prefix(&format!("git-align-{purpose}-"))
            .tempdir()
            .map_err(|e| Error::io("cannot create a temporary worktree folder", e))?;
        let checkout = folder.keep();
        let unique = checkout
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(purpose)
            .trim_start_matches("git-align-")
            .to_string();
        let admin = repo
            .common_dir()
            .join("worktrees")
            .join(format!("{ADMIN_PREFIX}{unique}"));
        let worktree = TempWorktree { checkout, admin };
        worktree.populate(repo, commit)?;
        Ok(worktree)
    }

    /// Where the files are.
    pub fn path(&self) -> &Path {
        &self.checkout
    }

    fn populate(&self, repo: &Repo, commit: Oid) -> Result<()> {
        let io = |what: &str, e| Error::io(format!("cannot set up the worktree ({what})"), e);
        fs::create_dir_all(&self.admin).map_err(|e| io("admin folder", e))?;
        let dot_git = self.checkout.join(".git");
        fs::write(
            self.admin.join("gitdir"),
            format!("{}\n", dot_git.display()),
        )
        .map_err(|e| io("gitdir", e))?;
        fs::write(self.admin.join("commondir"), "../..\n").map_err(|e| io("commondir", e))?;
        fs::write(self.admin.join("HEAD"), format!("{commit}\n")).map_err(|e| io("HEAD", e))?;
        fs::write(&dot_git, format!("gitdir: {}\n", self.admin.display()))
            .map_err(|e| io(".git", e))?;
        let inner = git2::Repository::open(&self.checkout)
            .ctx(|| format!("cannot open worktree {}", self.checkout.display()))?;
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
}

impl Drop for TempWorktree {
    fn drop(&mut self) {
        remove(&self.checkout, &self.admin);
    }
}

fn remove(checkout: &Path, admin: &Path) {
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

/// Removes the worktrees a killed git-align left behind (call only while holding the
/// run lock, so no live process is using one). Returns the folders removed.
pub fn remove_stale(repo: &Repo) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(repo.common_dir().join("worktrees")) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().starts_with(ADMIN_PREFIX) {
            continue;
        }
        let admin = entry.path();
        let checkout = fs::read_to_string(admin.join("gitdir"))
            .ok()
            .map(|gitdir| PathBuf::from(gitdir.trim()))
            .and_then(|dot_git| dot_git.parent().map(Path::to_path_buf))
            .filter(|dir| is_ours(dir));
        if let Some(checkout) = &checkout {
            remove(checkout, &admin);
            removed.push(checkout.clone());
        } else {
            let _ = fs::remove_dir_all(&admin);
        }
    }
    removed
}

/// Only folders git-align created itself are ever deleted.
fn is_ours(dir: &Path) -> bool {
    dir.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("git-align-"))
}
