//! What every work tree git-align lends a conflict to needs, whichever kind it is:
//! opening it, applying a commit there with `git cherry-pick` or `git merge` themselves
//! (so conflicts, markers, merge drivers and rerere are git's), telling whether such a
//! conflict is still under way, and recording its resolution for rerere.

use std::path::Path;
use std::process::Stdio;

use super::{GitContext, Oid, Repo};
use crate::error::Result;

/// What a conflict's work tree applies on top of its detached HEAD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Apply {
    /// `git cherry-pick <commit>`.
    CherryPick,
    /// `git merge <commit>`; `name` (a branch name that points at the commit) is given
    /// instead, so that conflict markers are labelled as `git merge <name>` labels them.
    Merge { name: Option<String> },
}

/// Opens the repository of the work tree at `path` (a linked worktree or the main one).
pub(super) fn open(path: &Path) -> Result<git2::Repository> {
    git2::Repository::open(path).ctx(|| format!("cannot open {}", path.display()))
}

/// Applies `commit` on the detached HEAD of the work tree at `workdir` with the system
/// git, leaving conflicts in the index (stages 1, 2, 3) and marked in the files, and
/// `CHERRY_PICK_HEAD` or `MERGE_HEAD` set. The error says why git could not.
pub(super) fn apply_commit(
    workdir: &Path,
    apply: &Apply,
    commit: Oid,
) -> std::result::Result<(), String> {
    let mut git = super::system_git();
    git.arg("-C").arg(workdir);
    let (command, what) = match apply {
        Apply::CherryPick => (&["cherry-pick"][..], commit.to_string()),
        Apply::Merge { name } => (
            &["merge", "--no-ff", "--no-commit"][..],
            name.clone().unwrap_or_else(|| commit.to_string()),
        ),
    };
    let out = git
        .args(command)
        .arg(what)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    // 1: stopped on the conflict, which is what is asked for here (and then the
    // cherry-pick or merge is in progress).
    let state = match apply {
        Apply::CherryPick => "CHERRY_PICK_HEAD",
        Apply::Merge { .. } => "MERGE_HEAD",
    };
    let in_progress = open(workdir).is_ok_and(|inner| {
        inner.path().join(state).is_file()
            || super::git_refs_of(&inner)
                .ok()
                .flatten()
                .is_some_and(|git| git.target(state).ok().flatten().is_some())
    });
    if out.status.code() == Some(1) && in_progress {
        return Ok(());
    }
    let said = String::from_utf8_lossy(&out.stderr);
    Err(super::git_said(&said)
        .map_or_else(|| format!("git exited with {}", out.status), str::to_string))
}

/// Records the resolution in the work tree at `workdir` for `git rerere` (nothing
/// unless `rerere.enabled`), as `git rebase --continue` does. Returns why it could not
/// (a lock a killed git left, say): the resolution is still good, only git will not
/// know it.
pub fn record_for_rerere(workdir: &Path) -> Option<String> {
    let out = super::system_git()
        .arg("-C")
        .arg(workdir)
        .arg("rerere")
        .stdin(Stdio::null())
        .output();
    match out {
        Ok(out) if out.status.success() => None,
        Ok(out) => Some(String::from_utf8_lossy(&out.stderr).trim().to_string()),
        Err(e) => Some(e.to_string()),
    }
}

/// Whether the conflict set up on `partial` in an opened work tree is under way: the
/// cherry-pick or merge is in progress with HEAD at `partial`, or the person committed
/// on top of it. False when setting it up was cut short (or it was undone).
pub(super) fn conflict_under_way(
    repo: &Repo,
    inner: &git2::Repository,
    partial: Oid,
) -> Result<bool> {
    let Some(head) = super::linked::worktree_head(inner) else {
        return Ok(false);
    };
    if head == partial {
        return Ok(matches!(
            super::linked::worktree_state(inner),
            git2::RepositoryState::CherryPick | git2::RepositoryState::Merge
        ));
    }
    repo.is_ancestor(partial, head)
}
