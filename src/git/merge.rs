//! Three-way tree merge for replaying commits in memory.
//!
//! The fast path walks only the subtrees that both sides changed (like git's merge-ort)
//! and merges file contents with libgit2's xdiff merge. Anything it does not handle
//! itself (add/add, modify/delete, type or mode changes, content conflicts) is handed to
//! libgit2's full tree merge with rename detection, whose verdict is final.

use std::collections::BTreeSet;
use std::ffi::CString;

use super::{GitContext, Oid, Repo};
use crate::error::Result;

/// The outcome of merging two trees against a common ancestor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TreeMerge {
    /// The merged tree.
    Clean(Oid),
    /// The merge conflicts in these paths.
    Conflict(Vec<String>),
}

const MODE_TREE: i32 = 0o040000;
const MODE_BLOB: i32 = 0o100644;
const MODE_EXEC: i32 = 0o100755;

type EntryKey = Option<(git2::Oid, i32)>;

impl Repo {
    /// Merges `theirs` into `ours`, both descending from `base` (all three are trees).
    pub fn merge_trees(&self, base: Oid, ours: Oid, theirs: Oid) -> Result<TreeMerge> {
        if ours == theirs || base == theirs {
            return Ok(TreeMerge::Clean(ours));
        }
        if base == ours {
            return Ok(TreeMerge::Clean(theirs));
        }
        let (base_tree, ours_tree, theirs_tree) = (
            self.find_tree(base)?,
            self.find_tree(ours)?,
            self.find_tree(theirs)?,
        );
        match self.merge_subtrees(Some(&base_tree), &ours_tree, &theirs_tree, "")? {
            Some(oid) => Ok(TreeMerge::Clean(Oid::from_git(oid))),
            None => self.merge_trees_fully(&base_tree, &ours_tree, &theirs_tree),
        }
    }

    /// Fast path: None means "not handled here, use the full merge".
    fn merge_subtrees(
        &self,
        base: Option<&git2::Tree<'_>>,
        ours: &git2::Tree<'_>,
        theirs: &git2::Tree<'_>,
        prefix: &str,
    ) -> Result<Option<git2::Oid>> {
        let mut names: BTreeSet<Vec<u8>> = theirs.iter().map(|e| e.name_bytes().to_vec()).collect();
        if let Some(base) = base {
            names.extend(base.iter().map(|e| e.name_bytes().to_vec()));
        }
        let mut builder = self
            .inner
            .treebuilder(Some(ours))
            .ctx(|| "cannot build a merged tree".into())?;
        let mut changed = false;
        for name in names {
            let b = base.and_then(|t| t.get_name_bytes(&name));
            let o = ours.get_name_bytes(&name);
            let t = theirs.get_name_bytes(&name);
            let (kb, ko, kt) = (key(&b), key(&o), key(&t));
            if ko == kt || kb == kt {
                continue;
            }
            let path = format!("{prefix}{}", String::from_utf8_lossy(&name));
            let cname = CString::new(name.clone()).expect("tree entry names hold no NUL");
            let merged = if kb == ko {
                kt
            } else {
                match self.merge_entry(kb, ko, kt, &path)? {
                    Some(entry) => Some(entry),
                    None => return Ok(None),
                }
            };
            match merged {
                Some((oid, mode)) if !(mode == MODE_TREE && self.is_empty_tree(oid)?) => {
                    builder
                        .insert(cname, oid, mode)
                        .ctx(|| format!("cannot add {path} to a merged tree"))?;
                }
                _ => {
                    if builder.get(cname.clone()).ok().flatten().is_some() {
                        builder
                            .remove(cname)
                            .ctx(|| format!("cannot remove {path} from a merged tree"))?;
                    }
                }
            }
            changed = true;
        }
        if !changed {
            return Ok(Some(ours.id()));
        }
        Ok(Some(
            builder
                .write()
                .ctx(|| "cannot write a merged tree".into())?,
        ))
    }

    /// Merges one entry both sides changed. None: not handled by the fast path.
    fn merge_entry(
        &self,
        base: EntryKey,
        ours: EntryKey,
        theirs: EntryKey,
        path: &str,
    ) -> Result<Option<(git2::Oid, i32)>> {
        let (Some((o_id, o_mode)), Some((t_id, t_mode))) = (ours, theirs) else {
            return Ok(None);
        };
        let base_mode = base.map(|(_, m)| m);
        if o_mode == MODE_TREE && t_mode == MODE_TREE && base_mode.is_none_or(|m| m == MODE_TREE) {
            let base_tree = match base {
                Some((id, _)) => Some(
                    self.inner
                        .find_tree(id)
                        .ctx(|| format!("cannot read {path}"))?,
                ),
                None => None,
            };
            let ours_tree = self
                .inner
                .find_tree(o_id)
                .ctx(|| format!("cannot read {path}"))?;
            let theirs_tree = self
                .inner
                .find_tree(t_id)
                .ctx(|| format!("cannot read {path}"))?;
            let prefix = format!("{path}/");
            return Ok(self
                .merge_subtrees(base_tree.as_ref(), &ours_tree, &theirs_tree, &prefix)?
                .map(|oid| (oid, MODE_TREE)));
        }
        let Some((b_id, b_mode)) = base else {
            return Ok(None);
        };
        let regular = |m: i32| m == MODE_BLOB || m == MODE_EXEC;
        if !(b_mode == o_mode && o_mode == t_mode && regular(b_mode)) {
            return Ok(None);
        }
        self.merge_blobs(b_id, o_id, t_id, path, b_mode)
    }

    fn merge_blobs(
        &self,
        base: git2::Oid,
        ours: git2::Oid,
        theirs: git2::Oid,
        path: &str,
        mode: i32,
    ) -> Result<Option<(git2::Oid, i32)>> {
        let read = |id| {
            self.inner
                .find_blob(id)
                .ctx(|| format!("cannot read {path}"))
        };
        let (base_blob, ours_blob, theirs_blob) = (read(base)?, read(ours)?, read(theirs)?);
        let input = |content| {
            let mut input = git2::MergeFileInput::new();
            input.content(content).path(path);
            input
        };
        let result = git2::merge_file(
            &input(base_blob.content()),
            &input(ours_blob.content()),
            &input(theirs_blob.content()),
            None,
        )
        .ctx(|| format!("cannot merge {path}"))?;
        if !result.is_automergeable() {
            return Ok(None);
        }
        let oid = self
            .inner
            .blob(result.content())
            .ctx(|| format!("cannot write the merged {path}"))?;
        Ok(Some((oid, mode)))
    }

    fn is_empty_tree(&self, oid: git2::Oid) -> Result<bool> {
        let tree = self
            .inner
            .find_tree(oid)
            .ctx(|| format!("cannot read tree {oid}"))?;
        Ok(tree.is_empty())
    }

    /// libgit2's complete merge (with rename detection), for everything the fast path
    /// leaves alone.
    fn merge_trees_fully(
        &self,
        base: &git2::Tree<'_>,
        ours: &git2::Tree<'_>,
        theirs: &git2::Tree<'_>,
    ) -> Result<TreeMerge> {
        let mut index = self
            .inner
            .merge_trees(base, ours, theirs, None)
            .ctx(|| "cannot merge trees".into())?;
        if index.has_conflicts() {
            let mut paths = BTreeSet::new();
            let conflicts = index
                .conflicts()
                .ctx(|| "cannot read merge conflicts".into())?;
            for conflict in conflicts {
                let conflict = conflict.ctx(|| "cannot read merge conflicts".into())?;
                for entry in [conflict.ancestor, conflict.our, conflict.their]
                    .into_iter()
                    .flatten()
                {
                    paths.insert(String::from_utf8_lossy(&entry.path).into_owned());
                }
            }
            return Ok(TreeMerge::Conflict(paths.into_iter().collect()));
        }
        let oid = index
            .write_tree_to(&self.inner)
            .ctx(|| "cannot write a merged tree".into())?;
        Ok(TreeMerge::Clean(Oid::from_git(oid)))
    }
}

fn key(entry: &Option<git2::TreeEntry<'_>>) -> EntryKey {
    entry.as_ref().map(|e| (e.id(), e.filemode()))
}
