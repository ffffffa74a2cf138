//! Three-way merges for replaying commits, with git's answer on every merge.
//!
//! A merge whose two sides changed different paths (and neither removed a folder the
//! other added to) is made in memory: the result is the changed entries of each side,
//! which is what git's merge-ort gives, and the walk descends only into subtrees both
//! sides changed. Every other merge (a path both changed, removed folders, anything
//! rename detection, content merging or `.gitattributes` could decide) is git's own,
//! through `git merge-tree` (see `ort`).

use super::tree_bytes::{differing_names, edited_tree_bytes, MODE_TREE};
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

impl ConflictedPath {
    /// Whether `other` is the same conflict: the same blobs on each side, and, for a
    /// conflict git names without any blob (a file it moved, say), the same path.
    pub fn is_same_conflict(&self, other: &ConflictedPath) -> bool {
        let blobs = (self.base, self.ours, self.theirs);
        blobs == (other.base, other.ours, other.theirs)
            && (blobs != (None, None, None) || self.path == other.path)
    }
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

const MODE_BLOB: i32 = 0o100644;

type EntryKey = Option<(git2::Oid, i32)>;

/// One side of a three-way merge: a commit and its tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Side {
    pub commit: Oid,
    pub tree: Oid,
}

impl Repo {
    /// Whether merging the change from commit `from` to commit `to` into commit `onto`,
    /// as git merges, changes nothing: `onto` already has all of it.
    pub fn merge_changes_nothing(&self, from: Oid, to: Oid, onto: Oid) -> Result<bool> {
        let side = |commit: Oid| -> Result<Side> {
            Ok(Side {
                commit,
                tree: self.tree_of(commit)?,
            })
        };
        let ours = side(onto)?;
        Ok(
            match self.merge_commits(Some(side(from)?), ours, side(to)?, &|_| None)? {
                TreeMerge::Clean { tree, .. } => tree == ours.tree,
                TreeMerge::Conflict(_) => false,
            },
        )
    }

    /// Merges `theirs` into `ours` against `base` (None: the merge bases git finds, as
    /// `git merge` does), as git's merge-ort does; conflicts that `resolver` knows are
    /// settled as recorded.
    pub fn merge_commits(
        &self,
        base: Option<Side>,
        ours: Side,
        theirs: Side,
        resolver: Resolver<'_>,
    ) -> Result<TreeMerge> {
        if let Some(base) = base {
            if let Some(tree) = self.merge_disjoint(base.tree, ours.tree, theirs.tree)? {
                return Ok(clean(tree));
            }
        }
        if base.is_none() {
            // git finds the merge bases itself, walking parents that may be in memory.
            self.flush_objects()?;
        }
        for side in base.iter().chain([&ours, &theirs]) {
            self.write_commit_to_disk(side.commit)?;
        }
        let attributes = self.attributes_of(ours.tree)?;
        if let Some(tree) = attributes {
            self.write_tree_to_disk(tree)?;
        }
        let merged = self.ort.borrow_mut().merge(
            self.common_dir(),
            attributes,
            base.map(|b| b.commit),
            ours.commit,
            theirs.commit,
        )?;
        if merged.clean {
            return Ok(clean(merged.tree));
        }
        let settled: Vec<Option<Option<Oid>>> = merged.conflicts.iter().map(resolver).collect();
        if merged.conflicts.is_empty() || settled.iter().any(Option::is_none) {
            return Ok(TreeMerge::Conflict(merged.conflicts));
        }
        let resolutions: Vec<(&ConflictedPath, Option<Oid>)> = merged
            .conflicts
            .iter()
            .zip(settled.into_iter().flatten())
            .collect();
        Ok(TreeMerge::Clean {
            tree: self.settle(merged.tree, &resolutions)?,
            reused: merged.conflicts.into_iter().map(|c| c.path).collect(),
        })
    }

    /// The merge of trees whose sides changed different paths, or None when git must
    /// decide.
    fn merge_disjoint(&self, base: Oid, ours: Oid, theirs: Oid) -> Result<Option<Oid>> {
        if ours == theirs || base == theirs {
            return Ok(Some(ours));
        }
        if base == ours {
            return Ok(Some(theirs));
        }
        let (base_tree, ours_tree, theirs_tree) = (
            self.find_tree(base)?,
            self.find_tree(ours)?,
            self.find_tree(theirs)?,
        );
        Ok(self
            .merge_subtrees(Some(&base_tree), &ours_tree, &theirs_tree, "")?
            .map(Oid::from_git))
    }

    /// One level of [`Repo::merge_disjoint`]: None means "git decides".
    fn merge_subtrees(
        &self,
        base: Option<&git2::Tree<'_>>,
        ours: &git2::Tree<'_>,
        theirs: &git2::Tree<'_>,
        prefix: &str,
    ) -> Result<Option<git2::Oid>> {
        // Only what theirs changed from the base can change ours.
        let mut names = differing_names(base, theirs);
        names.sort_unstable();
        names.dedup();
        let mut edits = Vec::new();
        for name in names {
            let b = base.and_then(|t| t.get_name_bytes(&name));
            let o = ours.get_name_bytes(&name);
            let t = theirs.get_name_bytes(&name);
            let (kb, ko, kt) = (key(&b), key(&o), key(&t));
            if kb == kt || (ko == kt && is_same_edit(kb, ko)) {
                continue;
            }
            let path = format!("{prefix}{}", String::from_utf8_lossy(&name));
            let merged = if kb == ko {
                kt
            } else {
                match self.merge_folders(kb, ko, kt, &path)? {
                    Some(tree) => Some((tree, MODE_TREE)),
                    None => return Ok(None),
                }
            };
            let set = match merged {
                Some((oid, mode)) if !(mode == MODE_TREE && self.is_empty_tree(oid)?) => {
                    Some((mode, oid))
                }
                _ => None,
            };
            edits.push((name, set));
        }
        if edits.is_empty() {
            return Ok(Some(ours.id()));
        }
        let bytes = edited_tree_bytes(ours, &edits);
        Ok(Some(
            self.write_object(git2::ObjectType::Tree, &bytes)?.to_git(),
        ))
    }

    /// A folder both sides changed (present on both, and in the base if anywhere),
    /// merged a level down; None for any other entry both sides changed.
    fn merge_folders(
        &self,
        base: EntryKey,
        ours: EntryKey,
        theirs: EntryKey,
        path: &str,
    ) -> Result<Option<git2::Oid>> {
        let is_tree = |k: EntryKey| k.is_some_and(|(_, mode)| mode == MODE_TREE);
        if !(is_tree(ours) && is_tree(theirs) && (base.is_none() || is_tree(base))) {
            return Ok(None);
        }
        let read = |k: EntryKey| -> Result<Option<git2::Tree<'_>>> {
            k.map(|(id, _)| {
                self.inner
                    .find_tree(id)
                    .ctx(|| format!("cannot read {path}"))
            })
            .transpose()
        };
        let (base_tree, ours_tree, theirs_tree) = (read(base)?, read(ours)?, read(theirs)?);
        let (Some(ours_tree), Some(theirs_tree)) = (ours_tree, theirs_tree) else {
            return Ok(None);
        };
        self.merge_subtrees(
            base_tree.as_ref(),
            &ours_tree,
            &theirs_tree,
            &format!("{path}/"),
        )
    }

    fn is_empty_tree(&self, oid: git2::Oid) -> Result<bool> {
        let tree = self
            .inner
            .find_tree(oid)
            .ctx(|| format!("cannot read tree {oid}"))?;
        Ok(tree.is_empty())
    }

    /// The tree of `tree`'s `.gitattributes` files alone, at their paths (None: it has
    /// none), remembered by tree, so the trees of successive commits are mostly looked
    /// up, not walked.
    fn attributes_of(&self, tree: Oid) -> Result<Option<Oid>> {
        if let Some(&known) = self.attributes.borrow().get(&tree) {
            return Ok(known);
        }
        let mut entries = Vec::new();
        for entry in self.find_tree(tree)?.iter() {
            let kept = if entry.name_bytes() == b".gitattributes" && entry.filemode() != MODE_TREE {
                Some((entry.id(), entry.filemode()))
            } else if entry.filemode() == MODE_TREE {
                self.attributes_of(Oid::from_git(entry.id()))?
                    .map(|sub| (sub.to_git(), MODE_TREE))
            } else {
                None
            };
            if let Some((id, mode)) = kept {
                entries.push((entry.name_bytes().to_vec(), mode, id));
            }
        }
        let found = match entries.is_empty() {
            true => None,
            false => Some(Oid::from_git(self.write_tree_entries(entries)?)),
        };
        self.attributes.borrow_mut().insert(tree, found);
        Ok(found)
    }

    /// `tree` (git's merge, with conflicted files as git writes them) with each
    /// conflicted path replaced by its recorded resolution (None: deleted).
    fn settle(&self, tree: Oid, resolutions: &[(&ConflictedPath, Option<Oid>)]) -> Result<Oid> {
        let baseline = self.find_tree(tree)?;
        let mut update = git2::build::TreeUpdateBuilder::new();
        for (conflict, resolved) in resolutions {
            match resolved {
                Some(blob) => {
                    let mode = baseline
                        .get_path(std::path::Path::new(&conflict.path))
                        .map(|e| e.filemode())
                        .unwrap_or(MODE_BLOB);
                    update.upsert(conflict.path.as_str(), blob.to_git(), file_mode(mode));
                }
                None => {
                    update.remove(conflict.path.as_str());
                }
            }
        }
        let oid = update
            .create_updated(&self.inner, &baseline)
            .ctx(|| "cannot write a merged tree".into())?;
        Ok(Oid::from_git(oid))
    }
}

/// Whether both sides making the same change `ours` to `base` needs nothing from git:
/// true for the same new content of a file both keep; false where rename detection
/// could pair the change with another path (an addition or a deletion) and for folders
/// (which may hold such changes).
fn is_same_edit(base: EntryKey, ours: EntryKey) -> bool {
    let file = |k: EntryKey| k.is_some_and(|(_, mode)| mode != MODE_TREE);
    file(base) && file(ours)
}

/// The file mode git2's tree update takes for a tree entry's mode.
fn file_mode(mode: i32) -> git2::FileMode {
    match mode {
        0o100755 => git2::FileMode::BlobExecutable,
        0o120000 => git2::FileMode::Link,
        0o160000 => git2::FileMode::Commit,
        _ => git2::FileMode::Blob,
    }
}

fn key(entry: &Option<git2::TreeEntry<'_>>) -> EntryKey {
    entry.as_ref().map(|e| (e.id(), e.filemode()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conflict(path: &str, blobs: [Option<u8>; 3]) -> ConflictedPath {
        let oid = |b: Option<u8>| b.map(|n| Oid::from_bytes([n; 20]));
        ConflictedPath {
            path: path.into(),
            base: oid(blobs[0]),
            ours: oid(blobs[1]),
            theirs: oid(blobs[2]),
        }
    }

    #[test]
    fn a_conflict_git_names_without_blobs_is_the_same_only_at_the_same_path() {
        let moved = conflict("d", [None, None, None]);
        assert!(moved.is_same_conflict(&conflict("d", [None, None, None])));
        assert!(!moved.is_same_conflict(&conflict("e", [None, None, None])));
        let edited = conflict("f", [Some(1), Some(2), Some(3)]);
        assert!(edited.is_same_conflict(&conflict("g", [Some(1), Some(2), Some(3)])));
        assert!(!edited.is_same_conflict(&conflict("f", [Some(1), Some(2), Some(4)])));
    }
}
