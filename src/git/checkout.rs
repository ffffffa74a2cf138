//! What every work tree git-align lends a conflict to needs, whichever kind it is:
//! opening it, applying a commit there the way `git cherry-pick` or `git merge` would
//! (conflicts left in the index and the files), and telling whether such a conflict is
//! still under way.

use std::path::Path;

use super::{GitContext, Oid, Repo};
use crate::error::Result;

/// What a conflict's work tree applies on top of its detached HEAD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Apply {
    /// `git cherry-pick <commit>`.
    CherryPick,
    /// `git merge <commit>`.
    Merge,
}

/// Opens the repository of the work tree at `path` (a linked worktree or the main one).
pub(super) fn open(path: &Path) -> Result<git2::Repository> {
    git2::Repository::open(path).ctx(|| format!("cannot open {}", path.display()))
}

/// Applies `commit` on the work tree's HEAD, leaving conflicts in the index (stages 1,
/// 2, 3) and marked in the files, and `CHERRY_PICK_HEAD` or `MERGE_HEAD` set.
pub(super) fn apply_commit(
    inner: &git2::Repository,
    apply: Apply,
    commit: Oid,
) -> std::result::Result<(), git2::Error> {
    match apply {
        Apply::CherryPick => inner.cherrypick(&inner.find_commit(commit.to_git())?, None),
        Apply::Merge => inner.merge(
            &[&inner.find_annotated_commit(commit.to_git())?],
            None,
            None,
        ),
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
    let Some(head) = inner
        .head()
        .ok()
        .and_then(|h| h.target())
        .map(Oid::from_git)
    else {
        return Ok(false);
    };
    if head == partial {
        return Ok(matches!(
            inner.state(),
            git2::RepositoryState::CherryPick | git2::RepositoryState::Merge
        ));
    }
    repo.is_ancestor(partial, head)
}
