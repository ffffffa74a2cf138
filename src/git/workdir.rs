//! The work tree: comparing it with a tree, checking a tree out, linked worktrees' branches.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{GitContext, Oid, Repo};
use crate::error::Result;

impl Repo {
    /// Branches checked out in linked worktrees, with the worktree's path.
    pub fn linked_worktree_branches(&self) -> Result<HashMap<String, PathBuf>> {
        let mut out = HashMap::new();
        let names = self
            .inner
            .worktrees()
            .ctx(|| "cannot list worktrees".into())?;
        for name in names.iter().filter_map(|n| n.ok().flatten()) {
            let Ok(worktree) = self.inner.find_worktree(name) else {
                continue;
            };
            let Ok(repo) = git2::Repository::open_from_worktree(&worktree) else {
                continue;
            };
            let target = match super::git_refs_of(&repo)? {
                Some(git) => git.symbolic_target("HEAD")?,
                None => repo
                    .find_reference("HEAD")
                    .ok()
                    .and_then(|head| head.symbolic_target().ok().flatten().map(str::to_string)),
            };
            let branch = target.and_then(|t| t.strip_prefix("refs/heads/").map(str::to_string));
            if let Some(branch) = branch {
                out.insert(branch, worktree.path().to_path_buf());
            }
        }
        Ok(out)
    }

    /// The linked worktree at `path`, opened to compare and update its files (what this
    /// process made so far is written to disk first, so that it can read it).
    pub fn open_worktree(&self, path: &Path) -> Result<Repo> {
        self.flush_objects()?;
        let inner = git2::Repository::open(path)
            .ctx(|| format!("cannot open the worktree {}", path.display()))?;
        Ok(Repo {
            objects: None,
            git_refs: super::git_refs_of(&inner)?,
            inner,
            ort: Default::default(),
            attributes: Default::default(),
        })
    }

    /// The first path where index or work tree differ from `tree` (untracked files ignored).
    pub fn first_change_against(&self, tree: Oid) -> Result<Option<String>> {
        let tree = self.find_tree(tree)?;
        let mut opts = git2::DiffOptions::new();
        opts.include_untracked(false).include_ignored(false);
        let diff = self
            .inner
            .diff_tree_to_workdir_with_index(Some(&tree), Some(&mut opts))
            .ctx(|| "cannot compare the work tree".into())?;
        Ok(diff.deltas().next().map(|d| delta_path(&d)))
    }

    /// Makes index and work tree match `tree` (files not in it are removed), submodule
    /// entries included, as `git checkout` does.
    pub fn force_checkout(&self, tree: Oid) -> Result<()> {
        self.flush_objects()?;
        super::linked::force_checkout_in(&self.inner, tree)
            .ctx(|| "cannot update the work tree".into())?;
        let tree = self.find_tree(tree)?;
        self.match_gitlinks(&tree)
    }

    /// libgit2's checkout leaves the index entries of submodules (gitlinks) as they were;
    /// git sets them to the tree's. Sets them, and drops those the tree lacks.
    fn match_gitlinks(&self, tree: &git2::Tree<'_>) -> Result<()> {
        let what = || "cannot update the index's submodule entries".to_string();
        let mut wanted = HashMap::new();
        tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
            if entry.filemode() == GITLINK {
                let path = format!("{dir}{}", String::from_utf8_lossy(entry.name_bytes()));
                wanted.insert(path.into_bytes(), entry.id());
            }
            git2::TreeWalkResult::Ok
        })
        .ctx(what)?;
        let mut index = self.inner.index().ctx(what)?;
        let present: Vec<(Vec<u8>, git2::Oid)> = index
            .iter()
            .filter(|e| e.mode == GITLINK as u32)
            .map(|e| (e.path, e.id))
            .collect();
        if wanted.is_empty() && present.is_empty() {
            return Ok(());
        }
        let mut changed = false;
        for (path, id) in &present {
            if wanted.get(path) != Some(id) {
                let path = String::from_utf8_lossy(path).into_owned();
                index.remove_path(Path::new(&path)).ctx(what)?;
                changed = true;
            }
        }
        for (path, id) in &wanted {
            if !present.iter().any(|(p, i)| p == path && i == id) {
                index.add(&gitlink_entry(path, *id)).ctx(what)?;
                changed = true;
            }
        }
        if changed {
            index.write().ctx(what)?;
        }
        Ok(())
    }
}

fn delta_path(delta: &git2::DiffDelta<'_>) -> String {
    delta
        .new_file()
        .path()
        .or_else(|| delta.old_file().path())
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The file mode of a submodule (gitlink) entry.
const GITLINK: i32 = 0o160000;

/// An index entry for the submodule at `path` at commit `id`.
fn gitlink_entry(path: &[u8], id: git2::Oid) -> git2::IndexEntry {
    let zero = git2::IndexTime::new(0, 0);
    git2::IndexEntry {
        ctime: zero,
        mtime: zero,
        dev: 0,
        ino: 0,
        mode: GITLINK as u32,
        uid: 0,
        gid: 0,
        file_size: 0,
        id,
        flags: path.len().min(0xfff) as u16,
        flags_extended: 0,
        path: path.to_vec(),
    }
}
