//! A conflict set up in the work tree git-align was run in (`--conflict-worktree=main`),
//! the way `git rebase` leaves one: HEAD detached at the partial result, the commit
//! applied with its conflicts in the index and the files.
//!
//! While the work tree is lent to a conflict, `ALIGN_HEAD` in its git directory holds
//! three lines: HEAD as it was (`ref: refs/heads/<branch>`, or a commit), the commit HEAD
//! was on, and the partial result the conflict sits on. The work tree counts as lent, and
//! git-align may overwrite it, only while that file exists, no rebase, bisect or the like
//! is in progress, and HEAD is detached at one of those two commits or at a commit made
//! on the partial result. A user who checks out a branch there, or another commit, has
//! taken it back: the file is then only forgotten, and nothing is overwritten.
//!
//! The order of the writes keeps HEAD and the files in step at every instant: HEAD is
//! detached where it is before the checkout (so the checkout compares with the right
//! tree), and put back on its branch only after the files are.

use std::fs;
use std::path::PathBuf;

use super::checkout::{apply_commit, conflict_under_way, open, Apply};
use super::linked::{clear_worktree_state, read_tree, worktree_state};
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

/// What `ALIGN_HEAD` holds.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Lent {
    /// HEAD as it was: `ref: refs/heads/<branch>`, or a commit.
    head: String,
    /// The commit HEAD was on.
    was_at: Oid,
    /// The partial result the conflict sits on.
    partial: Oid,
}

impl Lent {
    fn to_text(&self) -> String {
        format!("{}\n{}\n{}\n", self.head, self.was_at, self.partial)
    }

    fn parse(text: &str) -> Option<Lent> {
        let mut lines = text.lines();
        Some(Lent {
            head: lines.next()?.trim().to_string(),
            was_at: lines.next()?.trim().parse().ok()?,
            partial: lines.next()?.trim().parse().ok()?,
        })
    }

    /// The branch HEAD was on, if it was on one.
    fn branch(&self) -> Option<&str> {
        self.head.strip_prefix("ref: ")
    }
}

/// The work tree as git-align names it in the state (no trailing slash).
pub fn main_worktree_path(repo: &Repo) -> Option<PathBuf> {
    repo.workdir().map(|dir| dir.components().collect())
}

/// Where HEAD goes back to (a branch name or a commit) while the work tree is lent to a
/// conflict.
pub fn lent_head(repo: &Repo) -> Result<Option<String>> {
    let Some((lent, _)) = lent_to_git_align(repo)? else {
        return Ok(None);
    };
    let head = lent.branch().unwrap_or(&lent.head);
    Ok(Some(head.trim_start_matches("refs/heads/").to_string()))
}

/// The work tree, if it is lent to the conflict on `partial` and that conflict is still
/// under way there (the cherry-pick or merge in progress, or committed on top of it).
pub fn main_conflict_on(repo: &Repo, partial: Oid) -> Result<Option<PathBuf>> {
    let Some((lent, inner)) = lent_to_git_align(repo)? else {
        return Ok(None);
    };
    let under_way = lent.partial == partial && conflict_under_way(repo, &inner, partial)?;
    Ok(main_worktree_path(repo).filter(|_| under_way))
}

/// Forgets an `ALIGN_HEAD` that no open run can own (the run was closed or its state
/// removed behind git-align's back), leaving HEAD and the files as they are. Returns
/// where HEAD was.
pub fn forget_stale_head(repo: &Repo) -> Result<Option<String>> {
    let Ok(text) = fs::read_to_string(marker(repo)) else {
        return Ok(None);
    };
    forget_head(repo)?;
    let head = text.lines().next().unwrap_or_default();
    Ok(Some(head.trim_start_matches("ref: ").to_string()))
}

/// Sets up the conflict of applying `commit` (cherry-pick or merge) on `at` in the work
/// tree: remembers HEAD, detaches it, checks out `at` and moves HEAD there (reflog
/// `message`), then applies `commit`, leaving conflicts in the index (stages 1, 2, 3)
/// and markers in the files. A work tree not lent already must be clean, with no git
/// operation in progress, and no untracked or ignored file may be in the way.
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
    let (lent, was_lent, inner) = match lent_to_git_align(repo)? {
        Some((lent, inner)) => (
            Lent {
                partial: at,
                ..lent
            },
            true,
            inner,
        ),
        None => {
            forget_head(repo)?;
            let inner = open(&workdir)?;
            if let Some(why) = unusable(repo, &inner)? {
                return Ok(MainConflict::Refused(why));
            }
            let head = Lent {
                head: head_text(repo, &inner)?,
                was_at: repo.head()?.oid.expect("a clean work tree has a commit"),
                partial: at,
            };
            (head, false, inner)
        }
    };
    write_marker(repo, &lent)?;
    crate::crashpoint::point();
    if !was_lent {
        set_head(repo, &inner, &lent.was_at.to_string(), message)?;
        crate::crashpoint::point();
    }
    clear_worktree_state(&inner)?;
    if let Err(e) = checkout(&inner, at, was_lent) {
        if e.code() == git2::ErrorCode::Conflict && !was_lent {
            // Nothing was written: HEAD goes back on its branch and the file goes.
            set_head(repo, &inner, &lent.head, message)?;
            forget_head(repo)?;
            return Ok(MainConflict::Refused(
                "untracked files would be overwritten".into(),
            ));
        }
        return Err(e).ctx(|| format!("cannot check out {} in the work tree", at.short()));
    }
    crate::crashpoint::point();
    set_head(repo, &inner, &at.to_string(), message)?;
    crate::crashpoint::point();
    if let Err(why) = apply_commit(&workdir, &apply, commit) {
        restore_head(repo, "align: back from a conflict that could not be set up")?;
        return Ok(MainConflict::Refused(format!(
            "applying {} there failed: {}",
            commit.short(),
            crate::ui::escape_line(&why)
        )));
    }
    Ok(MainConflict::Ready(workdir))
}

/// Puts HEAD back as `ALIGN_HEAD` remembers it (reflog `message`), the index and files
/// first, at where its branch is now (or the commit HEAD was on, if the branch is gone),
/// and forgets it. False when the work tree was not lent (then it is left as it is).
pub fn restore_head(repo: &Repo, message: &str) -> Result<bool> {
    let Some((lent, inner)) = lent_to_git_align(repo)? else {
        forget_head(repo)?;
        return Ok(false);
    };
    let branch_tip = lent
        .branch()
        .map(|refname| repo.ref_target(refname))
        .transpose()?
        .flatten();
    let target = branch_tip.unwrap_or(lent.was_at);
    clear_worktree_state(&inner)?;
    checkout(&inner, target, true).ctx(|| "cannot put the work tree back".into())?;
    crate::crashpoint::point();
    let head = match branch_tip {
        Some(_) => lent.head.clone(),
        None => target.to_string(),
    };
    set_head(repo, &inner, &head, message)?;
    crate::crashpoint::point();
    forget_head(repo)?;
    Ok(true)
}

fn marker(repo: &Repo) -> PathBuf {
    repo.git_dir().join(ALIGN_HEAD)
}

/// What `ALIGN_HEAD` holds, with the work tree's repository opened, if the work tree is
/// still lent to git-align (see the module documentation); None when it is not (or the
/// file is missing or unreadable).
fn lent_to_git_align(repo: &Repo) -> Result<Option<(Lent, git2::Repository)>> {
    let Some(lent) = fs::read_to_string(marker(repo))
        .ok()
        .and_then(|text| Lent::parse(&text))
    else {
        return Ok(None);
    };
    let Some(workdir) = main_worktree_path(repo) else {
        return Ok(None);
    };
    let inner = open(&workdir)?;
    let own_operation = matches!(
        worktree_state(&inner),
        git2::RepositoryState::Clean
            | git2::RepositoryState::CherryPick
            | git2::RepositoryState::Merge
    );
    // HEAD as `ALIGN_HEAD` keeps it: `ref: <refname>` on a branch, else its commit.
    let head = head_text(repo, &inner)?;
    let detached_at = match head.starts_with("ref: ") {
        true => None,
        false => head.parse::<Oid>().ok(),
    };
    let ours = match detached_at {
        Some(at) if own_operation => at == lent.was_at || repo.is_ancestor(lent.partial, at)?,
        _ => false,
    };
    Ok(ours.then_some((lent, inner)))
}

/// Why the user's work tree cannot take a conflict now, if it cannot.
fn unusable(repo: &Repo, inner: &git2::Repository) -> Result<Option<String>> {
    if let Some(operation) = operation_in_progress(worktree_state(inner)) {
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

/// HEAD as `ALIGN_HEAD` keeps it: `ref: <refname>` or a commit.
fn head_text(repo: &Repo, inner: &git2::Repository) -> Result<String> {
    if let Some(git) = repo.main_head_refs() {
        if let Some(refname) = git.symbolic_target("HEAD")? {
            return Ok(format!("ref: {refname}"));
        }
        let oid = git.target("HEAD")?;
        return oid
            .map(|oid| oid.to_string())
            .ok_or_else(|| Error::BadObject("HEAD names nothing".into()));
    }
    let head = inner
        .find_reference("HEAD")
        .ctx(|| "cannot read HEAD".into())?;
    match (head.symbolic_target().ok().flatten(), head.target()) {
        (Some(refname), _) => Ok(format!("ref: {refname}")),
        (None, Some(oid)) => Ok(oid.to_string()),
        (None, None) => Err(Error::BadObject("HEAD names nothing".into())),
    }
}

/// Points HEAD at `head` (`ref: <refname>` or a commit), with a reflog entry.
fn set_head(repo: &Repo, inner: &git2::Repository, head: &str, message: &str) -> Result<()> {
    let parse = |head: &str| {
        head.parse::<Oid>()
            .map_err(|_| Error::BadObject(format!("{ALIGN_HEAD} holds {head:?}")))
    };
    if let Some(git) = repo.main_head_refs() {
        return match head.strip_prefix("ref: ") {
            Some(refname) => git.set_head_symbolic(refname, message),
            None => git.set_head_detached(parse(head)?, message),
        };
    }
    match head.strip_prefix("ref: ") {
        Some(refname) => inner.reference_symbolic("HEAD", refname, true, message),
        None => {
            let oid = head
                .parse::<Oid>()
                .map_err(|_| Error::BadObject(format!("{ALIGN_HEAD} holds {head:?}")))?;
            inner.reference("HEAD", oid.to_git(), true, message)
        }
    }
    .map(|_| ())
    .ctx(|| "cannot move HEAD".into())
}

/// Writes `ALIGN_HEAD` atomically.
fn write_marker(repo: &Repo, lent: &Lent) -> Result<()> {
    let path = marker(repo);
    let temporary = path.with_extension("lock");
    fs::write(&temporary, lent.to_text())
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
/// (only in a work tree lent to git-align), otherwise nothing of the user's is
/// overwritten: an untracked or ignored file in the way fails it before any write.
fn checkout(
    inner: &git2::Repository,
    commit: Oid,
    force: bool,
) -> std::result::Result<(), git2::Error> {
    let tree = inner.find_commit(commit.to_git())?.tree()?;
    if super::git_refs_of(inner).ok().flatten().is_some() {
        // libgit2's checkout reads HEAD, which a reftable repository keeps in its tables.
        let target = tree.id().to_string();
        if !force {
            refuse_files_in_the_way(inner, &tree)?;
        }
        return match force {
            true => read_tree(inner, &["--reset", "-u", &target]),
            false => read_tree(inner, &["-m", "-u", "HEAD", &target]),
        };
    }
    let mut options = git2::build::CheckoutBuilder::new();
    if force {
        options.force();
    } else {
        options.safe().overwrite_ignored(false);
    }
    inner.checkout_tree(tree.as_object(), Some(&mut options))?;
    if force {
        // Whatever the checkout left of the conflict in the index (stages 1-3, entries
        // it did not rewrite) goes too: the index is the tree's.
        let mut index = inner.index()?;
        if index.has_conflicts() || index.write_tree()? != tree.id() {
            index.read_tree(&tree)?;
            index.write()?;
        }
    }
    Ok(())
}

/// Fails, as libgit2's safe checkout does, when a file `tree` adds to HEAD's is in the
/// work tree already (untracked or ignored: the user's either way), before anything is
/// written; `git read-tree -m -u` would overwrite an ignored one.
fn refuse_files_in_the_way(
    inner: &git2::Repository,
    tree: &git2::Tree<'_>,
) -> std::result::Result<(), git2::Error> {
    let head = super::linked::worktree_head(inner)
        .map(|oid| inner.find_commit(oid.to_git()).and_then(|c| c.tree()))
        .transpose()?;
    let diff = inner.diff_tree_to_tree(head.as_ref(), Some(tree), None)?;
    let workdir = inner.workdir().unwrap_or(inner.path());
    for delta in diff.deltas() {
        let added = delta.status() == git2::Delta::Added;
        let path = delta.new_file().path().map(|p| workdir.join(p));
        if added && path.is_some_and(|p| p.symlink_metadata().is_ok()) {
            return Err(git2::Error::new(
                git2::ErrorCode::Conflict,
                git2::ErrorClass::Checkout,
                "a file in the way",
            ));
        }
    }
    Ok(())
}
