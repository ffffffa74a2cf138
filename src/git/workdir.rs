//! The work tree: comparing it with a tree, checking a tree out, linked worktrees' branches.

use std::collections::HashMap;
use std::path::PathBuf;

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
            let branch = repo.find_reference("HEAD").ok().and_then(|head| {
                let target = head.symbolic_target().ok().flatten()?;
                target.strip_prefix("refs/heads/").map(str::to_string)
            });
            if let Some(branch) = branch {
                out.insert(branch, worktree.path().to_path_buf());
            }
        }
        Ok(out)
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

    /// Makes index and work tree match `tree` (files not in it are removed).
    pub fn force_checkout(&self, tree: Oid) -> Result<()> {
        let tree = self.find_tree(tree)?;
        let mut builder = git2::build::CheckoutBuilder::new();
        builder.force();
        self.inner
            .checkout_tree(tree.as_object(), Some(&mut builder))
            .ctx(|| "cannot update the work tree".into())
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
