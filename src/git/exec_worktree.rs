//! The temporary worktrees of the `--exec` check: a detached checkout of the tip to
//! check under the system's temporary folder, removed when the check ends. Their
//! administrative folders are named with a prefix of git-align's own, which lets the
//! next run remove what a killed process left behind.

use std::fs;
use std::path::{Path, PathBuf};

use super::linked::{populate, remove};
use super::{Oid, Repo};
use crate::error::{Error, Result};

/// The prefix of the administrative folder names (`.git/worktrees/<prefix>...`) of the
/// temporary worktrees; `align-` is followed by the temporary folder's suffix.
const ADMIN_PREFIX: &str = "align-";
/// The temporary worktrees' administrative folders start with this.
const TEMP_ADMIN_PREFIX: &str = "align-exec-";

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
        populate(repo, &worktree.checkout, &worktree.admin, commit)?;
        Ok(worktree)
    }

    /// Where the files are.
    pub fn path(&self) -> &Path {
        &self.checkout
    }
}

impl Drop for TempWorktree {
    fn drop(&mut self) {
        remove(&self.checkout, &self.admin);
    }
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
        if !name.to_string_lossy().starts_with(TEMP_ADMIN_PREFIX) {
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
