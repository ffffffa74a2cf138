//! The worktree of the `--exec` check: one per repository, in the system's temporary
//! folder (outside the repository, so that tools looking upwards for their project
//! files, such as cargo workspaces or `node_modules`, do not find the repository's),
//! detached at the tip being checked and moved from tip to tip. Moving it writes only
//! the files that differ between the two tips and leaves untracked files (build
//! outputs) alone, as the work tree of `git rebase --exec` does, so a check that builds
//! builds incrementally. A failed check leaves it as it was, for a look and for a fix
//! committed there; the run removes it when it ends.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use super::checkout::open;
use super::linked::{detach_worktree_head, force_checkout_in, populate, remove, worktree_head};
use super::{GitContext, Oid, Repo};
use crate::error::{Error, Result};

/// The check worktree's administrative folder name (`.git/worktrees/<name>`).
const ADMIN: &str = "align-check";
/// The administrative folders of the temporary worktrees older versions made per check
/// start with this.
const TEMP_ADMIN_PREFIX: &str = "align-exec-";

/// Where the check worktree is: `$TMPDIR/git-align-check-<hash of the git directory>`.
pub fn check_worktree_path(repo: &Repo) -> PathBuf {
    // FNV-1a: stable across processes and builds, unlike std's hasher.
    let hash = repo
        .common_dir()
        .as_os_str()
        .as_encoded_bytes()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
        });
    std::env::temp_dir().join(format!("git-align-check-{hash:016x}"))
}

fn admin_path(repo: &Repo) -> PathBuf {
    repo.common_dir().join("worktrees").join(ADMIN)
}

/// Whether the check worktree exists and is registered as git-align made it.
fn is_registered(repo: &Repo) -> bool {
    let checkout = check_worktree_path(repo);
    fs::read_to_string(admin_path(repo).join("gitdir"))
        .is_ok_and(|gitdir| Path::new(gitdir.trim()) == checkout.join(".git"))
        && checkout.join(".git").is_file()
}

/// Puts the check worktree at `tip` (made if missing) and says where it is.
pub fn prepare_check_worktree(repo: &Repo, tip: Oid) -> Result<PathBuf> {
    let checkout = check_worktree_path(repo);
    if !is_registered(repo) {
        remove(&checkout, &admin_path(repo));
        fs::create_dir_all(&checkout)
            .map_err(|e| Error::io(format!("cannot create {}", checkout.display()), e))?;
        populate(repo, &checkout, &admin_path(repo), tip)?;
        return Ok(checkout);
    }
    let inner = open(&checkout)?;
    force_checkout_in(&inner, repo.tree_of(tip)?)
        .ctx(|| format!("cannot check out {} in {}", tip.short(), checkout.display()))?;
    detach_worktree_head(&inner, tip, "align: check")?;
    Ok(checkout)
}

/// The commit the check worktree's HEAD is at, if there is one.
pub fn check_worktree_head(repo: &Repo) -> Option<Oid> {
    if !is_registered(repo) {
        return None;
    }
    let inner = open(&check_worktree_path(repo)).ok()?;
    worktree_head(&inner)
}

/// Tracked files of the check worktree with changes not committed (`git status`).
pub fn check_worktree_changes(repo: &Repo) -> Result<Vec<String>> {
    let out = super::system_git()
        .arg("-C")
        .arg(check_worktree_path(repo))
        .args(["status", "--porcelain", "--untracked-files=no"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Error::io("cannot run git status", e))?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| line.get(3..))
        .map(str::to_string)
        .collect())
}

/// Removes the check worktree (the run ended, or a new one starts): its administrative
/// folder in the git directory, and its files when they are this repository's (a
/// moved or copied repository leaves the original's alone).
pub fn remove_check_worktree(repo: &Repo) {
    if is_registered(repo) {
        remove(&check_worktree_path(repo), &admin_path(repo));
    } else {
        let _ = fs::remove_dir_all(admin_path(repo));
    }
}

/// Removes the temporary worktrees a killed older git-align left behind (call only
/// while holding the run lock). Returns the folders removed.
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
