//! History: commits' ids, parents and trees, walks, ancestry, changed paths, patch ids.

use super::{found, GitContext, Oid, Repo};
use crate::error::Result;

/// A commit's id, parents and tree: what planning and replay need to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitMeta {
    pub id: Oid,
    pub parents: Vec<Oid>,
    pub tree: Oid,
}

impl Repo {
    /// A commit's id, parents and tree.
    pub fn commit_meta(&self, oid: Oid) -> Result<CommitMeta> {
        let commit = self.find_commit(oid)?;
        Ok(meta_of(&commit))
    }

    /// The best common ancestor of two commits, if any.
    pub fn merge_base(&self, one: Oid, two: Oid) -> Result<Option<Oid>> {
        let base = found(self.inner.merge_base(one.to_git(), two.to_git()))
            .ctx(|| format!("cannot find the merge base of {one} and {two}"))?;
        Ok(base.map(Oid::from_git))
    }

    /// Every best common ancestor of two commits (none for unrelated histories).
    pub fn merge_bases(&self, one: Oid, two: Oid) -> Result<Vec<Oid>> {
        let bases = found(self.inner.merge_bases(one.to_git(), two.to_git()))
            .ctx(|| format!("cannot find the merge bases of {one} and {two}"))?;
        Ok(bases
            .map(|bases| bases.iter().copied().map(Oid::from_git).collect())
            .unwrap_or_default())
    }

    /// Whether `ancestor` is reachable from `descendant` (or equal to it).
    pub fn is_ancestor(&self, ancestor: Oid, descendant: Oid) -> Result<bool> {
        if ancestor == descendant {
            return Ok(true);
        }
        self.inner
            .graph_descendant_of(descendant.to_git(), ancestor.to_git())
            .ctx(|| format!("cannot compare {ancestor} and {descendant}"))
    }

    /// Commits reachable from `tip` but not from any of `hide`, newest first, in
    /// topological order.
    pub fn walk(&self, tip: Oid, hide: &[Oid]) -> Result<Vec<CommitMeta>> {
        self.walk_many(&[tip], hide)
    }

    /// Commits reachable from any of `tips` but not from `hide`, newest first,
    /// topologically: one walk, each commit read once.
    pub fn walk_many(&self, tips: &[Oid], hide: &[Oid]) -> Result<Vec<CommitMeta>> {
        let mut walk = self.inner.revwalk().ctx(|| "cannot walk history".into())?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL)
            .ctx(|| "cannot walk history".into())?;
        for tip in tips {
            walk.push(tip.to_git())
                .ctx(|| format!("cannot walk from {tip}"))?;
        }
        for oid in hide {
            walk.hide(oid.to_git())
                .ctx(|| format!("cannot walk from {oid}"))?;
        }
        let mut out = Vec::new();
        for oid in walk {
            let oid = oid.ctx(|| "cannot walk history".into())?;
            out.push(self.commit_meta(Oid::from_git(oid))?);
        }
        Ok(out)
    }

    /// The paths that differ between two commits' trees, sorted.
    pub fn changed_paths_between(&self, from: Oid, to: Oid) -> Result<Vec<String>> {
        let (old, new) = (
            self.find_tree(self.tree_of(from)?)?,
            self.find_tree(self.tree_of(to)?)?,
        );
        let mut paths = Vec::new();
        self.collect_changes(Some(&old), Some(&new), "", &mut paths)?;
        paths.sort();
        Ok(paths)
    }

    /// The paths a commit changes against its first parent, sorted.
    pub fn changed_paths(&self, oid: Oid) -> Result<Vec<String>> {
        let commit = self.find_commit(oid)?;
        let new = commit
            .tree()
            .ctx(|| format!("cannot read the tree of {oid}"))?;
        let old = match commit.parent_ids().next() {
            Some(parent) => Some(self.find_tree(self.tree_of(Oid::from_git(parent))?)?),
            None => None,
        };
        let mut paths = Vec::new();
        self.collect_changes(old.as_ref(), Some(&new), "", &mut paths)?;
        paths.sort();
        Ok(paths)
    }

    /// Appends the paths that differ between two trees, walking both in git's entry
    /// order and descending only into subtrees that differ.
    fn collect_changes(
        &self,
        old: Option<&git2::Tree<'_>>,
        new: Option<&git2::Tree<'_>>,
        prefix: &str,
        out: &mut Vec<String>,
    ) -> Result<()> {
        let (mut olds, mut news) = (
            old.map(|t| t.iter().collect::<Vec<_>>())
                .unwrap_or_default(),
            new.map(|t| t.iter().collect::<Vec<_>>())
                .unwrap_or_default(),
        );
        olds.reverse();
        news.reverse();
        loop {
            let order = match (olds.last(), news.last()) {
                (None, None) => return Ok(()),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some(o), Some(n)) => super::tree_bytes::entry_order(o, n),
            };
            let (o, n) = match order {
                std::cmp::Ordering::Less => (olds.pop(), None),
                std::cmp::Ordering::Greater => (None, news.pop()),
                std::cmp::Ordering::Equal => (olds.pop(), news.pop()),
            };
            if let (Some(o), Some(n)) = (&o, &n) {
                if o.id() == n.id() && o.filemode() == n.filemode() {
                    continue;
                }
            }
            let entry = o.as_ref().or(n.as_ref()).expect("one side has the entry");
            let path = format!("{prefix}{}", String::from_utf8_lossy(entry.name_bytes()));
            let subtree = |e: &Option<git2::TreeEntry<'_>>| -> Result<Option<git2::Tree<'_>>> {
                match e {
                    Some(e) if e.kind() == Some(git2::ObjectType::Tree) => {
                        Ok(Some(self.find_tree(Oid::from_git(e.id()))?))
                    }
                    _ => Ok(None),
                }
            };
            let (old_sub, new_sub) = (subtree(&o)?, subtree(&n)?);
            let is_file = |e: &Option<git2::TreeEntry<'_>>| {
                e.as_ref()
                    .is_some_and(|e| e.kind() != Some(git2::ObjectType::Tree))
            };
            if is_file(&o) || is_file(&n) {
                out.push(path.clone());
            }
            if old_sub.is_some() || new_sub.is_some() {
                self.collect_changes(old_sub.as_ref(), new_sub.as_ref(), &format!("{path}/"), out)?;
            }
        }
    }

    /// The patch id of a commit against its first parent (equal for equal changes).
    /// Binary files count by their blobs, as git's patch ids count them (libgit2's
    /// alone says only "Binary files differ", so that every change of a binary file
    /// would look like every other).
    pub fn patch_id(&self, oid: Oid) -> Result<Oid> {
        let diff = self.first_parent_diff(oid)?;
        patch_id_of(&diff, &oid.to_string())
    }

    /// The patch id of the whole change from commit `from` to commit `to` (what one
    /// squashed commit of it would have).
    pub fn range_patch_id(&self, from: Oid, to: Oid) -> Result<Oid> {
        let (old, new) = (
            self.find_tree(self.tree_of(from)?)?,
            self.find_tree(self.tree_of(to)?)?,
        );
        let diff = self
            .inner
            .diff_tree_to_tree(Some(&old), Some(&new), None)
            .ctx(|| format!("cannot diff {from} with {to}"))?;
        patch_id_of(&diff, &format!("{from}..{to}"))
    }

    /// Whether commit `at` may hold the whole change from `from` to `to`, which touches
    /// `paths` (`changed_paths_between`): each is, in `at`, as `to` has it, or changed
    /// since `from` (a path `at` has as `from` had it cannot hold it). False when the
    /// change is empty.
    pub fn may_hold_change(&self, paths: &[String], from: Oid, to: Oid, at: Oid) -> Result<bool> {
        let [old, new, there] =
            [from, to, at].map(|commit| self.tree_of(commit).and_then(|tree| self.find_tree(tree)));
        let (old, new, there) = (old?, new?, there?);
        let entry = |tree: &git2::Tree<'_>, path: &str| {
            tree.get_path(std::path::Path::new(path))
                .ok()
                .filter(|e| e.kind() != Some(git2::ObjectType::Tree))
                .map(|e| (e.id(), e.filemode()))
        };
        Ok(!paths.is_empty()
            && paths.iter().all(|path| {
                let here = entry(&there, path);
                here == entry(&new, path) || here != entry(&old, path)
            }))
    }
}

/// A diff's patch id, as git's: binary files count by their blobs.
fn patch_id_of(diff: &git2::Diff<'_>, what: &str) -> Result<Oid> {
    let what = || format!("cannot compute the patch id of {what}");
    let id = diff.patchid(None).ctx(what)?;
    let mut binary = Vec::new();
    for index in 0..diff.deltas().len() {
        let Some(patch) = git2::Patch::from_diff(diff, index).ctx(what)? else {
            continue;
        };
        let delta = patch.delta();
        if delta.flags().is_binary() {
            binary.extend_from_slice(delta.old_file().id().as_bytes());
            binary.extend_from_slice(delta.new_file().id().as_bytes());
        }
    }
    if binary.is_empty() {
        return Ok(Oid::from_git(id));
    }
    binary.extend_from_slice(id.as_bytes());
    let mixed = git2::Oid::hash_object(git2::ObjectType::Blob, &binary).ctx(what)?;
    Ok(Oid::from_git(mixed))
}

impl Repo {
    fn first_parent_diff(&self, oid: Oid) -> Result<git2::Diff<'_>> {
        let commit = self.find_commit(oid)?;
        let tree = commit
            .tree()
            .ctx(|| format!("cannot read the tree of {oid}"))?;
        let parent_tree = match commit.parent(0) {
            Ok(parent) => Some(
                parent
                    .tree()
                    .ctx(|| format!("cannot read the parent of {oid}"))?,
            ),
            Err(_) => None,
        };
        self.inner
            .diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), None)
            .ctx(|| format!("cannot diff {oid}"))
    }
}

fn meta_of(commit: &git2::Commit<'_>) -> CommitMeta {
    CommitMeta {
        id: Oid::from_git(commit.id()),
        parents: commit.parent_ids().map(Oid::from_git).collect(),
        tree: Oid::from_git(commit.tree_id()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::Identity;

    #[test]
    fn changed_paths_descend_only_into_differing_subtrees() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repo::init(dir.path()).unwrap();
        let tool = Identity::tool().unwrap();
        let blob = |text: &str| repo.write_blob(text.as_bytes()).unwrap();
        let (a, b, c) = (blob("a"), blob("b"), blob("c"));
        let same = repo.write_tree(&[("x", a)], &[]).unwrap();
        let sub_old = repo.write_tree(&[("y", a), ("z", b)], &[]).unwrap();
        let sub_new = repo.write_tree(&[("y", a), ("z", c)], &[]).unwrap();
        let old = repo
            .write_tree(&[("f", a), ("g", b)], &[("d", sub_old), ("s", same)])
            .unwrap();
        // f changes, g becomes a folder, d/z changes, h is added; s stays.
        let g_dir = repo.write_tree(&[("inner", a)], &[]).unwrap();
        let new = repo
            .write_tree(
                &[("f", b), ("h", c)],
                &[("d", sub_new), ("g", g_dir), ("s", same)],
            )
            .unwrap();
        let first = repo.create_commit(old, &[], &tool, &tool, "old\n").unwrap();
        let second = repo
            .create_commit(new, &[first], &tool, &tool, "new\n")
            .unwrap();
        assert_eq!(
            repo.changed_paths(second).unwrap(),
            ["d/z", "f", "g", "g/inner", "h"]
        );
        assert_eq!(
            repo.changed_paths(first).unwrap(),
            ["d/y", "d/z", "f", "g", "s/x"]
        );
    }
}
