//! The linked worktree where a person resolves a conflict: `<git dir>/align/worktrees/
//! <branch>`, detached at the branch rebuilt so far with the commit applied in conflict
//! (unless the work tree git-align runs in takes the conflict: see `main_tree`); reading
//! the resolution made there; giving the place back.

use std::fs;
use std::path::{Path, PathBuf};

use super::checkout::{apply_commit, conflict_under_way, open, Apply};
use super::linked::{populate, remove};
use super::{GitContext, Oid, Repo};
use crate::error::{Error, Result};

/// The conflict worktrees' administrative folders start with this.
const CONFLICT_ADMIN_PREFIX: &str = "align-conflict-";

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
    apply_commit(&checkout, &apply, commit).map_err(|message| Error::Git {
        context: format!("cannot apply {} in {}", commit.short(), checkout.display()),
        message,
    })?;
    Ok(checkout)
}

/// Where the conflict worktree for `label` (a branch name) is.
pub fn conflict_worktree_path(repo: &Repo, label: &str) -> PathBuf {
    repo.common_dir()
        .join("align/worktrees")
        .join(label.replace('/', "-"))
}

/// Whether `path` (recorded in a state) is where this repository resolves a conflict:
/// one of its own conflict worktrees, or its work tree while it is lent to a conflict.
pub fn is_conflict_place_here(repo: &Repo, path: &Path) -> bool {
    let linked = path.parent() == Some(repo.common_dir().join("align/worktrees").as_path())
        && path.join(".git").is_file();
    let main = super::main_tree::main_worktree_path(repo).as_deref() == Some(path)
        && super::main_tree::lent_head(repo).ok().flatten().is_some();
    linked || main
}

/// Whether the conflict set up on `partial` in the worktree at `checkout` is under way:
/// the cherry-pick or merge is in progress with HEAD at `partial`, or the person
/// committed on top of it. False when setting it up was cut short (or it was undone).
pub fn conflict_in_progress(repo: &Repo, checkout: &Path, partial: Oid) -> Result<bool> {
    match open(checkout) {
        Ok(inner) => conflict_under_way(repo, &inner, partial),
        Err(_) => Ok(false),
    }
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
    let head = super::linked::worktree_head(&inner).ok_or_else(|| Error::Git {
        context: "cannot read HEAD of the worktree".into(),
        message: checkout.display().to_string(),
    })?;
    Ok(Resolved {
        head,
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

/// Removes the conflict worktree of branch `name` if git-align made one here (one whose
/// setup a kill cut short is known to no state), also when the repository was moved or
/// copied since (its two halves then name each other's old paths): both are in the git
/// directory, named by git-align, and each still names the other's kind of place.
pub fn remove_conflict_worktree_of(repo: &Repo, name: &str) {
    let checkout = conflict_worktree_path(repo, name);
    remove_conflict_worktree(repo, &checkout);
    let Some(safe) = checkout.file_name().and_then(|n| n.to_str()) else {
        return;
    };
    let admin = repo
        .common_dir()
        .join("worktrees")
        .join(format!("{CONFLICT_ADMIN_PREFIX}{safe}"));
    let names = |file: PathBuf, tail: String| {
        fs::read_to_string(file).is_ok_and(|text| text.trim_end().ends_with(&tail))
    };
    if names(
        checkout.join(".git"),
        format!("/worktrees/{CONFLICT_ADMIN_PREFIX}{safe}"),
    ) {
        let _ = fs::remove_dir_all(&checkout);
    }
    if names(
        admin.join("gitdir"),
        format!("/align/worktrees/{safe}/.git"),
    ) {
        let _ = fs::remove_dir_all(&admin);
    }
}

/// Removes a conflict worktree made by [`create_conflict_worktree`], and nothing else:
/// `checkout` (a path from the state, which may come from another machine) must name a
/// folder directly in `<git dir>/align/worktrees`, and the worktree git-align registered
/// under that name must point back at it. Anything else is left alone.
fn remove_conflict_worktree(repo: &Repo, checkout: &Path) {
    let ours = repo.common_dir().join("align/worktrees");
    let Some(name) = checkout.file_name().and_then(|n| n.to_str()) else {
        return;
    };
    if checkout.parent() != Some(ours.as_path()) {
        return;
    }
    let checkout = ours.join(name);
    let admin = repo
        .common_dir()
        .join("worktrees")
        .join(format!("{CONFLICT_ADMIN_PREFIX}{name}"));
    let registered = fs::read_to_string(admin.join("gitdir"))
        .is_ok_and(|gitdir| Path::new(gitdir.trim()) == checkout.join(".git"));
    if registered {
        remove(&checkout, &admin);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_registered_conflict_worktree_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repo::init(&dir.path().join("repo")).unwrap();
        let outside = dir.path().join("x");
        fs::create_dir_all(outside.join("keep")).unwrap();
        let ours = repo.common_dir().join("align/worktrees");
        fs::create_dir_all(ours.join("unregistered")).unwrap();
        let escapes = [
            ours.join("../../../../x"),
            ours.join("..").join("..").join("..").join("x"),
            outside.clone(),
            ours.join("unregistered"),
            ours.clone(),
        ];
        for path in escapes {
            remove_conflict_worktree(&repo, &path);
        }
        assert!(outside.join("keep").is_dir());
        assert!(ours.join("unregistered").is_dir());
    }

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
