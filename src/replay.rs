//! The executor for one branch: replays its commits (or merges the base into it) in
//! memory, writing only new objects. Refs are moved elsewhere.

use crate::error::Result;
use crate::git::{ConflictedPath, Identity, Oid, Repo, Resolver, Side, TreeMerge};

/// What aligning one branch produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BranchOutcome {
    /// The branch's new tip.
    Aligned {
        tip: Oid,
        /// Rewritten commits as `(old, new)`.
        rewritten: Vec<(Oid, Oid)>,
        /// Commits dropped because they became empty.
        emptied: Vec<Oid>,
        /// Paths whose conflict a recorded resolution settled.
        reused: Vec<String>,
    },
    /// A commit did not apply cleanly.
    Conflict {
        /// The commit that conflicts.
        commit: Oid,
        /// The tip built so far (the commits before it, replayed).
        partial: Oid,
        /// The commits rewritten before it, as `(old, new)`.
        rewritten: Vec<(Oid, Oid)>,
        /// The conflicting paths.
        conflicts: Vec<ConflictedPath>,
    },
}

/// Replays `commits` (oldest first) onto `onto`, like `git rebase`: a commit whose parent
/// is already the current tip is kept as is, one that becomes empty is dropped, the rest
/// get new commits with their author and message.
pub fn replay_commits(
    repo: &Repo,
    commits: &[Oid],
    onto: Oid,
    committer: &Identity,
    resolver: Resolver<'_>,
) -> Result<BranchOutcome> {
    let mut current = onto;
    let mut current_tree = repo.tree_of(onto)?;
    let mut rewritten = Vec::new();
    let mut emptied = Vec::new();
    let mut reused = Vec::new();
    for &commit in commits {
        let meta = repo.commit_meta(commit)?;
        let Some(&parent) = meta.parents.first() else {
            rewritten.push((commit, commit));
            continue;
        };
        if parent == current {
            current = commit;
            current_tree = meta.tree;
            continue;
        }
        let parent_tree = repo.tree_of(parent)?;
        let sides = (
            Side {
                commit: parent,
                tree: parent_tree,
            },
            Side {
                commit: current,
                tree: current_tree,
            },
            Side {
                commit,
                tree: meta.tree,
            },
        );
        let tree = match repo.merge_commits(Some(sides.0), sides.1, sides.2, resolver)? {
            TreeMerge::Conflict(conflicts) => {
                return Ok(BranchOutcome::Conflict {
                    commit,
                    partial: current,
                    rewritten,
                    conflicts,
                })
            }
            TreeMerge::Clean {
                tree,
                reused: settled,
            } => {
                reused.extend(settled);
                tree
            }
        };
        match tree {
            tree if tree == current_tree && meta.tree != parent_tree => {
                emptied.push(commit);
            }
            tree => {
                let new = repo.rewrite_commit(commit, &[current], tree, committer)?;
                rewritten.push((commit, new));
                crate::crashpoint::point();
                current = new;
                current_tree = tree;
            }
        }
    }
    Ok(BranchOutcome::Aligned {
        tip: current,
        rewritten,
        emptied,
        reused,
    })
}

/// Merges `onto` into the branch at `tip`, like `git merge`: nothing when the branch
/// already has it, a fast-forward when the branch has nothing of its own, else a merge
/// commit with `message` (see [`merge_message`]).
pub fn merge_into(
    repo: &Repo,
    tip: Oid,
    onto: Oid,
    message: &str,
    author: &Identity,
    committer: &Identity,
    resolver: Resolver<'_>,
) -> Result<BranchOutcome> {
    let aligned = |tip, reused| BranchOutcome::Aligned {
        tip,
        rewritten: Vec::new(),
        emptied: Vec::new(),
        reused,
    };
    if repo.is_ancestor(onto, tip)? {
        return Ok(aligned(tip, Vec::new()));
    }
    if repo.is_ancestor(tip, onto)? {
        return Ok(aligned(onto, Vec::new()));
    }
    let side = |commit| -> Result<Side> {
        Ok(Side {
            commit,
            tree: repo.tree_of(commit)?,
        })
    };
    // One merge base: a three-way merge on it; several (or none): git's recursive merge.
    let base = match repo.merge_bases(tip, onto)?[..] {
        [base] => Some(side(base)?),
        _ => None,
    };
    match repo.merge_commits(base, side(tip)?, side(onto)?, resolver)? {
        TreeMerge::Conflict(conflicts) => Ok(BranchOutcome::Conflict {
            commit: onto,
            partial: tip,
            rewritten: Vec::new(),
            conflicts,
        }),
        TreeMerge::Clean { tree, reused } => {
            let merge = repo.create_commit(tree, &[tip, onto], author, committer, message)?;
            Ok(aligned(merge, reused))
        }
    }
}

/// The message `git merge` gives a merge of `label` into `branch`.
pub fn merge_message(label: &str, branch: &str) -> String {
    format!("Merge {label} into {branch}\n")
}
