//! A conflict set up in the work tree git-align was run in (`--conflict-worktree=main`),
//! the way `git rebase` leaves one: HEAD detached at the partial result, the commit
//! applied with its conflicts in the index and the files. HEAD as it was is kept in
//! `ALIGN_HEAD` in the work tree's git directory (a symbolic ref or an oid, as git keeps
//! `ORIG_HEAD`) for as long as the work tree holds git-align's conflict. While that file
//! exists and HEAD is detached (or still on the branch it names), the work tree is
//! git-align's to overwrite, and [`restore_head`] puts HEAD, the index and the files
//! back; once the user has checked out another branch there, the file is only forgotten.

use std::fs;
use std::path::{Path, PathBuf};

use super::worktree::Apply;
use super::{GitContext, Oid, Repo};
use crate::error::{Error, Result};

/// The file that remembers HEAD while the work tree holds a conflict.
const ALIGN_HEAD: &str = "ALIGN_HEAD";

/// What setting up a conflict in the work tree came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MainConflict {
    /// The conflict is in the work tree at this path.
    Ready(PathBuf),
    /// The work tree cannot take it (it is as it was); why, in a few words.
    Refused(String),
}

/// Whether the work tree holds a conflict git-align set up (and HEAD is to be put back).
pub fn holds_main_conflict(repo: &Repo) -> bool {
    marker(repo).exists()
}

/// Forgets an `ALIGN_HEAD` that no open run can own (the run was closed or its state
/// removed behind git-align's back), leaving HEAD and the files as they are. Returns
/// what it held.
pub fn forget_stale_head(repo: &Repo) -> Result<Option<String>> {
    let Some(text) = remembered_head(repo) else {
        return Ok(None);
    };
    forget_head(repo)?;
    Ok(Some(text.trim().trim_start_matches("ref: ").to_string()))
}

/// The work tree as git-align names it in the state (no trailing slash).
pub fn main_worktree_path(repo: &Repo) -> Option<PathBuf> {
    repo.workdir().map(|dir| dir.components().collect())
}

/// Sets up the conflict of applying `commit` (cherry-pick or merge) on `at` in the work
/// tree: remembers HEAD, checks out `at`, detaches HEAD there (reflog `message`), then
/// applies `commit`, leaving conflicts in the index (stages 1, 2, 3) and markers in the
/// files. A work tree that does not hold one of git-align's conflicts already must be
/// clean, with no git operation in progress, and no untracked file may be in the way.
pub fn create_main_conflict(
    repo: &Repo,
    at: Oid,
    apply: Apply,
    commit: Oid,
    message: &str,
) -> Result<MainConflict> {
    let Some(workdir) = main_worktree_path(repo) else {
        return Ok(MainConflict::Refused(
            "the repository has no work tree".into(),
        ));
    };
    let inner = open(&workdir)?;
    let ours = lent_to_git_align(repo, &inner)?;
    if !ours {
        forget_head(repo)?;
        if let Some(why) = unusable(repo, &inner)? {
            return Ok(MainConflict::Refused(why));
        }
        remember_head(repo, &inner)?;
        crate::crashpoint::point();
    }
    inner
        .cleanup_state()
        .ctx(|| "cannot clear the work tree's merge state".into())?;
    if let Err(e) = checkout(&inner, at, ours) {
        if e.code() == git2::ErrorCode::Conflict && !ours {
            forget_head(repo)?;
            return Ok(MainConflict::Refused(
                "untracked files would be overwritten".into(),
            ));
        }
        return Err(e).ctx(|| format!("cannot check out {} in the work tree", at.short()));
    }
    crate::crashpoint::point();
    inner
        .reference("HEAD", at.to_git(), true, message)
        .ctx(|| "cannot detach HEAD".into())?;
    crate::crashpoint::point();
    if let Err(e) = apply_commit(&inner, apply, commit) {
        restore_head(repo, "align: back from a conflict that could not be set up")?;
        return Ok(MainConflict::Refused(format!(
            "applying {} there failed: {}",
            commit.short(),
            e.message()
        )));
    }
    Ok(MainConflict::Ready(workdir))
}

/// Puts HEAD back as `ALIGN_HEAD` recorded it (reflog `message`), with the index and
/// files of the commit it names, and forgets it. False when there was nothing to restore.
pub fn restore_head(repo: &Repo, message: &str) -> Result<bool> {
    let Some(text) = remembered_head(repo) else {
        return Ok(false);
    };
    let Some(workdir) = main_worktree_path(repo) else {
        forget_head(repo)?;
        return Ok(false);
    };
    let inner = open(&workdir)?;
    if !lent_to_git_align(repo, &inner)? {
        forget_head(repo)?;
        return Ok(false);
    }
    let text = text.trim();
    let (branch, commit) = match text.strip_prefix("ref: ") {
        Some(refname) => (Some(refname), inner.refname_to_id(refname).ok()),
        None => (
            None,
            Some(
                text.parse::<Oid>()
                    .map_err(|_| Error::CorruptState(format!("{ALIGN_HEAD} holds {text:?}")))?
                    .to_git(),
            ),
        ),
    };
    inner
        .cleanup_state()
        .ctx(|| "cannot clear the work tree's merge state".into())?;
    if let Some(commit) = commit {
        checkout(&inner, Oid::from_git(commit), true)
            .ctx(|| "cannot put the work tree back".into())?;
        crate::crashpoint::point();
    }
    match (branch, commit) {
        (Some(refname), _) => inner.reference_symbolic("HEAD", refname, true, message),
        (None, Some(oid)) => inner.reference("HEAD", oid, true, message),
        (None, None) => unreachable!("an oid always names a commit"),
    }
    .ctx(|| "cannot put HEAD back".into())?;
    crate::crashpoint::point();
    forget_head(repo)?;
    Ok(true)
}

fn marker(repo: &Repo) -> PathBuf {
    repo.git_dir().join(ALIGN_HEAD)
}

fn remembered_head(repo: &Repo) -> Option<String> {
    fs::read_to_string(marker(repo)).ok()
}

/// Whether the work tree is still lent to git-align: `ALIGN_HEAD` exists and HEAD is
/// detached (as git-align left it) or on the branch `ALIGN_HEAD` names (git-align was
/// killed before it detached HEAD, or after it put it back). A user who checked out
/// another branch there has taken the work tree back.
fn lent_to_git_align(repo: &Repo, inner: &git2::Repository) -> Result<bool> {
    let Some(remembered) = remembered_head(repo) else {
        return Ok(false);
    };
    let head = inner
        .find_reference("HEAD")
        .ctx(|| "cannot read HEAD".into())?;
    Ok(match head.symbolic_target().ok().flatten() {
        None => true,
        Some(refname) => remembered.trim().strip_prefix("ref: ") == Some(refname),
    })
}

fn open(workdir: &Path) -> Result<git2::Repository> {
    git2::Repository::open(workdir).ctx(|| format!("cannot open {}", workdir.display()))
}

/// Why the user's work tree cannot take a conflict now, if it cannot.
fn unusable(repo: &Repo, inner: &git2::Repository) -> Result<Option<String>> {
    if let Some(operation) = operation_in_progress(inner.state()) {
        return Ok(Some(format!("a {operation} is in progress there")));
    }
    let Some(head) = repo.head()?.oid else {
        return Ok(Some("HEAD has no commit yet".into()));
    };
    Ok(repo
        .first_change_against(repo.tree_of(head)?)?
        .map(|path| format!("{path} has uncommitted changes")))
}

fn operation_in_progress(state: git2::RepositoryState) -> Option<&'static str> {
    use git2::RepositoryState as S;
    match state {
        S::Clean => None,
        S::Merge => Some("merge"),
        S::Revert | S::RevertSequence => Some("revert"),
        S::CherryPick | S::CherryPickSequence => Some("cherry-pick"),
        S::Bisect => Some("bisect"),
        S::Rebase | S::RebaseInteractive | S::RebaseMerge => Some("rebase"),
        S::ApplyMailbox | S::ApplyMailboxOrRebase => Some("git am"),
    }
}

/// Writes `ALIGN_HEAD` (atomically) with HEAD as it is.
fn remember_head(repo: &Repo, inner: &git2::Repository) -> Result<()> {
    let head = inner
        .find_reference("HEAD")
        .ctx(|| "cannot read HEAD".into())?;
    let text = match (head.symbolic_target().ok().flatten(), head.target()) {
        (Some(refname), _) => format!("ref: {refname}\n"),
        (None, Some(oid)) => format!("{oid}\n"),
        (None, None) => return Err(Error::CorruptState("HEAD names nothing".into())),
    };
    let path = marker(repo);
    let temporary = path.with_extension("lock");
    fs::write(&temporary, text)
        .and_then(|()| fs::rename(&temporary, &path))
        .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))
}

fn forget_head(repo: &Repo) -> Result<()> {
    match fs::remove_file(marker(repo)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(Error::io(format!("cannot remove {ALIGN_HEAD}"), e))
        }
        _ => Ok(()),
    }
}

/// Makes the index and files those of `commit`; `force` overwrites whatever is there
/// (only in a work tree that holds git-align's conflict), otherwise nothing of the
/// user's is overwritten and a conflict with an untracked file fails before any write.
fn checkout(
    inner: &git2::Repository,
    commit: Oid,
    force: bool,
) -> std::result::Result<(), git2::Error> {
    let tree = inner.find_commit(commit.to_git())?.tree()?;
    let mut options = git2::build::CheckoutBuilder::new();
    if force {
        options.force();
    } else {
        options.safe();
    }
    inner.checkout_tree(tree.as_object(), Some(&mut options))?;
    if force {
        // Entries left in conflict (stages 1-3) go too: the index is the tree's.
        let mut index = inner.index()?;
        if index.has_conflicts() {
            index.read_tree(&tree)?;
            index.write()?;
        }
    }
    Ok(())
}

fn apply_commit(
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
