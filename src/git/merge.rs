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
    /// The merged tree, and the paths whose conflict a recorded resolution settled.
    Clean { tree: Oid, reused: Vec<String> },
    /// The merge conflicts in these paths.
    Conflict(Vec<ConflictedPath>),
}

/// One conflicting path: its blob in the base, ours and theirs (None: absent there).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ConflictedPath {
    pub path: String,
    pub base: Option<Oid>,
    pub ours: Option<Oid>,
    pub theirs: Option<Oid>,
}

/// Settles a conflict the way a person did before: Some(Some(blob)) keeps that content,
/// Some(None) deletes the path, None: no recorded resolution.
pub type Resolver<'a> = &'a dyn Fn(&ConflictedPath) -> Option<Option<Oid>>;

/// The merged tree without reused resolutions.
fn clean(tree: Oid) -> TreeMerge {
    TreeMerge::Clean {
        tree,
        reused: Vec::new(),
    }
}

const MODE_TREE: i32 = 0o040000;
const MODE_BLOB: i32 = 0o100644;
const MODE_EXEC: i32 = 0o100755;

type EntryKey = Option<(git2::Oid, i32)>;

impl Repo {
    /// Merges `theirs` into `ours`, both descending from `base` (all three are trees);
    /// conflicts that `resolver` knows are settled as recorded.
    pub fn merge_trees(
        &self,
        base: Oid,
        ours: Oid,
        theirs: Oid,
        resolver: Resolver<'_>,
    ) -> Result<TreeMerge> {
        if ours == theirs || base == theirs {
            return Ok(clean(ours));
        }
        if base == ours {
            return Ok(clean(theirs));
        }
        let (base_tree, ours_tree, theirs_tree) = (
            self.find_tree(base)?,
            self.find_tree(ours)?,
            self.find_tree(theirs)?,
        );
        match self.merge_subtrees(Some(&base_tree), &ours_tree, &theirs_tree, "")? {
            Some(oid) => Ok(clean(Oid::from_git(oid))),
            None => self.merge_trees_fully(&base_tree, &ours_tree, &theirs_tree, resolver),
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
        resolver: Resolver<'_>,
    ) -> Result<TreeMerge> {
        let mut index = self
            .inner
            .merge_trees(base, ours, theirs, None)
            .ctx(|| "cannot merge trees".into())?;
        let mut reused = Vec::new();
        if index.has_conflicts() {
            let conflicts = conflicted_paths(&index)?;
            let settled: Vec<Option<Option<Oid>>> = conflicts.iter().map(resolver).collect();
            if settled.iter().any(Option::is_none) {
                return Ok(TreeMerge::Conflict(conflicts));
            }
            for (conflict, resolution) in conflicts.iter().zip(settled.into_iter().flatten()) {
                settle(&mut index, conflict, resolution)?;
                reused.push(conflict.path.clone());
            }
        }
        let oid = index
            .write_tree_to(&self.inner)
            .ctx(|| "cannot write a merged tree".into())?;
        Ok(TreeMerge::Clean {
            tree: Oid::from_git(oid),
            reused,
        })
    }
}

/// The conflicts of a merge index, one per path (a rename conflict names each path).
fn conflicted_paths(index: &git2::Index) -> Result<Vec<ConflictedPath>> {
    let mut out: Vec<ConflictedPath> = Vec::new();
    let conflicts = index
        .conflicts()
        .ctx(|| "cannot read merge conflicts".into())?;
    for conflict in conflicts {
        let conflict = conflict.ctx(|| "cannot read merge conflicts".into())?;
        let blob = |e: &Option<git2::IndexEntry>| e.as_ref().map(|e| Oid::from_git(e.id));
        let (base, ours, theirs) = (
            blob(&conflict.ancestor),
            blob(&conflict.our),
            blob(&conflict.their),
        );
        for entry in [&conflict.ancestor, &conflict.our, &conflict.their]
            .into_iter()
            .flatten()
        {
            let path = String::from_utf8_lossy(&entry.path).into_owned();
            if !out.iter().any(|c| c.path == path) {
                out.push(ConflictedPath {
                    path,
                    base,
                    ours,
                    theirs,
                });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Replaces a path's conflict entries by its recorded resolution.
fn settle(index: &mut git2::Index, conflict: &ConflictedPath, resolved: Option<Oid>) -> Result<()> {
    let path = std::path::Path::new(&conflict.path);
    let mode = index
        .conflict_get(path)
        .ok()
        .and_then(|c| c.our.or(c.their).map(|e| e.mode))
        .unwrap_or(MODE_BLOB as u32);
    index
        .conflict_remove(path)
        .ctx(|| format!("cannot settle the conflict in {}", conflict.path))?;
    if let Some(blob) = resolved {
        let entry = git2::IndexEntry {
            ctime: git2::IndexTime::new(0, 0),
            mtime: git2::IndexTime::new(0, 0),
            dev: 0,
            ino: 0,
            mode,
            uid: 0,
            gid: 0,
            file_size: 0,
            id: blob.to_git(),
            flags: 0,
            flags_extended: 0,
            path: conflict.path.as_bytes().to_vec(),
        };
        index
            .add(&entry)
            .ctx(|| format!("cannot settle the conflict in {}", conflict.path))?;
    }
    Ok(())
}

fn key(entry: &Option<git2::TreeEntry<'_>>) -> EntryKey {
    entry.as_ref().map(|e| (e.id(), e.filemode()))
}
