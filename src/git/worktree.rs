//! Detached linked worktrees that git-align makes for itself, laid out as
//! `git worktree add --detach` does, so git commands run inside them work as usual:
//! temporary ones for the `--exec` check (their administrative folders are named with a
//! prefix of git-align's own, which lets the next run remove what a killed process left
//! behind), and one per conflict, under the git directory, where a person resolves it
//! (unless the work tree git-align runs in takes it: see `main_tree`).

use std::fs;
use std::path::{Path, PathBuf};

use super::{GitContext, Oid, Repo};
use crate::error::{Error, Result};

/// The prefix of the administrative folder names (`.git/worktrees/<prefix>...`) of the
/// temporary worktrees; `align-` is followed by the temporary folder's suffix.
const ADMIN_PREFIX: &str = "align-";
/// The temporary worktrees' administrative folders start with this.
const TEMP_ADMIN_PREFIX: &str = "align-exec-";
/// The conflict worktrees' administrative folders start with this.
const CONFLICT_ADMIN_PREFIX: &str = "align-conflict-";

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

/// Lays out a detached linked worktree at `checkout` (admin folder `admin`) and checks
/// out `commit` there.
fn populate(repo: &Repo, checkout: &Path, admin: &Path, commit: Oid) -> Result<()> {
    let io = |what: &str, e| Error::io(format!("cannot set up the worktree ({what})"), e);
    fs::create_dir_all(admin).map_err(|e| io("admin folder", e))?;
    let dot_git = checkout.join(".git");
    fs::write(admin.join("gitdir"), format!("{}\n", dot_git.display()))
        .map_err(|e| io("gitdir", e))?;
    fs::write(admin.join("commondir"), "../..\n").map_err(|e| io("commondir", e))?;
    fs::write(admin.join("HEAD"), format!("{commit}\n")).map_err(|e| io("HEAD", e))?;
    fs::write(&dot_git, format!("gitdir: {}\n", admin.display())).map_err(|e| io(".git", e))?;
    let inner = git2::Repository::open(checkout)
        .ctx(|| format!("cannot open worktree {}", checkout.display()))?;
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

/// What a conflict worktree applies on top of its detached HEAD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Apply {
    /// `git cherry-pick <commit>`.
    CherryPick,
    /// `git merge <commit>`.
    Merge,
}

/// Makes the worktree where a person resolves a conflict: `<git dir>/align/worktrees/
/// <label>`, HEAD detached at `at`, then `commit` cherry-picked (or merged) with the
/// conflicts left in the index (stages 1, 2, 3) and marked in the files, as git does.
pub fn create_conflict_worktree(
    repo: &Repo,
    label: &str,
    at: Oid,
    apply: Apply,
    commit: Oid,
) -> Result<PathBuf> {
    let checkout = conflict_worktree_path(repo, label);
    let safe = label.replace('/', "-");
    let admin = repo
        .common_dir()
        .join("worktrees")
        .join(format!("{CONFLICT_ADMIN_PREFIX}{safe}"));
    remove(&checkout, &admin);
    fs::create_dir_all(&checkout)
        .map_err(|e| Error::io(format!("cannot create {}", checkout.display()), e))?;
    populate(repo, &checkout, &admin, at)?;
    let inner = git2::Repository::open(&checkout)
        .ctx(|| format!("cannot open worktree {}", checkout.display()))?;
    let what = || format!("cannot apply {} in {}", commit.short(), checkout.display());
    match apply {
        Apply::CherryPick => {
            let target = inner.find_commit(commit.to_git()).ctx(what)?;
            inner.cherrypick(&target, None).ctx(what)?;
        }
        Apply::Merge => {
            let target = inner.find_annotated_commit(commit.to_git()).ctx(what)?;
            inner.merge(&[&target], None, None).ctx(what)?;
        }
    }
    Ok(checkout)
}

/// Where the conflict worktree for `label` (a branch name) is.
pub fn conflict_worktree_path(repo: &Repo, label: &str) -> PathBuf {
    repo.common_dir()
        .join("align/worktrees")
        .join(label.replace('/', "-"))
}

/// Whether the conflict set up on `partial` in the worktree at `checkout` is under way:
/// the cherry-pick or merge is in progress with HEAD at `partial`, or the person
/// committed on top of it. False when setting it up was cut short (or it was undone).
pub fn conflict_in_progress(repo: &Repo, checkout: &Path, partial: Oid) -> Result<bool> {
    match git2::Repository::open(checkout) {
        Ok(inner) => conflict_under_way(repo, &inner, partial),
        Err(_) => Ok(false),
    }
}

/// [`conflict_in_progress`] for a worktree already opened.
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

/// A resolved conflict worktree: its HEAD and the tree its index holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolved {
    pub head: Oid,
    pub tree: Oid,
}

/// Reads the resolution in a conflict worktree; refuses (listing the files) while the
/// index has unmerged paths or one of `paths` still holds conflict markers.
pub fn read_resolution(checkout: &Path, paths: &[String]) -> Result<Resolved> {
    let inner = git2::Repository::open(checkout)
        .map_err(|_| Error::WorktreeGone(checkout.display().to_string()))?;
    let mut index = inner
        .index()
        .ctx(|| format!("cannot read the index of {}", checkout.display()))?;
    let mut unmerged = Vec::new();
    for conflict in index.conflicts().ctx(|| "cannot read conflicts".into())? {
        let conflict = conflict.ctx(|| "cannot read conflicts".into())?;
        if let Some(entry) = conflict.our.or(conflict.their).or(conflict.ancestor) {
            unmerged.push(String::from_utf8_lossy(&entry.path).into_owned());
        }
    }
    let mut markers = Vec::new();
    for path in paths {
        let Some(entry) = index.get_path(Path::new(path), 0) else {
            continue;
        };
        let blob = inner
            .find_blob(entry.id)
            .ctx(|| format!("cannot read {path}"))?;
        if has_conflict_markers(blob.content()) {
            markers.push(path.clone());
        }
    }
    let unstaged = changes_not_added(&inner, &index, &unmerged)?;
    if !unmerged.is_empty() || !markers.is_empty() || !unstaged.is_empty() {
        return Err(Error::Unresolved {
            unmerged,
            markers,
            unstaged,
        });
    }
    let tree = index
        .write_tree()
        .ctx(|| "cannot write the resolved tree".into())?;
    let head = inner
        .head()
        .and_then(|h| h.peel_to_commit())
        .ctx(|| "cannot read HEAD of the worktree".into())?;
    Ok(Resolved {
        head: Oid::from_git(head.id()),
        tree: Oid::from_git(tree),
    })
}

/// Tracked files whose changes in the work tree are not in the index (besides the
/// unmerged ones): they would not be part of the resolution, and would be lost with the
/// worktree, so `continue` refuses as `git rebase --continue` does.
fn changes_not_added(
    inner: &git2::Repository,
    index: &git2::Index,
    unmerged: &[String],
) -> Result<Vec<String>> {
    let mut options = git2::DiffOptions::new();
    options.include_untracked(false).include_ignored(false);
    let diff = inner
        .diff_index_to_workdir(Some(index), Some(&mut options))
        .ctx(|| "cannot compare the work tree with the index".into())?;
    Ok(diff
        .deltas()
        .filter_map(|d| d.new_file().path().or(d.old_file().path()))
        .map(|p| p.to_string_lossy().into_owned())
        .filter(|p| !unmerged.contains(p))
        .collect())
}

fn has_conflict_markers(content: &[u8]) -> bool {
    content
        .split(|b| *b == b'\n')
        .any(|line| line.starts_with(b"<<<<<<< ") || line.starts_with(b">>>>>>> "))
}

/// Gives up the place a conflict was resolved in: a linked conflict worktree is removed;
/// a work tree that holds git-align's conflict gets its HEAD (reflog `message`), index
/// and files back.
pub fn release_conflict_worktree(repo: &Repo, worktree: Option<&str>, message: &str) -> Result<()> {
    super::main_tree::restore_head(repo, message)?;
    if let Some(path) = worktree {
        remove_conflict_worktree(repo, Path::new(path));
    }
    Ok(())
}

/// Removes a conflict worktree made by [`create_conflict_worktree`] (nothing else).
fn remove_conflict_worktree(repo: &Repo, checkout: &Path) {
    let ours = repo.common_dir().join("align/worktrees");
    if !checkout.starts_with(&ours) {
        return;
    }
    let Some(safe) = checkout.file_name().and_then(|n| n.to_str()) else {
        return;
    };
    let admin = repo
        .common_dir()
        .join("worktrees")
        .join(format!("{CONFLICT_ADMIN_PREFIX}{safe}"));
    remove(checkout, &admin);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflict_markers_are_found_at_line_starts_only() {
        assert!(has_conflict_markers(
            b"a\n<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> x\n"
        ));
        assert!(!has_conflict_markers(
            b"title\n=======\nsee <<<<<<< in the middle\n"
        ));
    }
}
