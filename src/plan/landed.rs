//! Branches that already landed on the base: merged upstream by "rebase and merge"
//! (each commit copied), "squash and merge" (one commit with the branch's whole change),
//! or otherwise brought in whole. A landed branch is not replayed, and the branches
//! stacked on it go on without its commits.

use super::commits::{BranchCommits, UpstreamIndex};
use super::History;
use crate::error::{Error, Result};
use crate::git::Oid;

/// How a branch's change came to be on the base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LandedHow {
    /// Every commit of it has a copy on the base, by patch id (rebase-merged).
    Rebased,
    /// One base commit makes its whole change (squash-merged).
    Squashed,
    /// Merging it into the base, as git merges, changes nothing (merged, or squashed
    /// with other edits around it).
    Contained,
}

impl LandedHow {
    /// The word for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            LandedHow::Rebased => "rebase-merged",
            LandedHow::Squashed => "squash-merged",
            LandedHow::Contained => "merged",
        }
    }
}

/// A branch whose change is already on the base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Landed {
    pub how: LandedHow,
    /// The base commit that brought it: the copy of its newest commit, the squash
    /// commit, or the first base commit that holds all of it.
    pub as_commit: Oid,
}

/// A branch's own commits: those after `start` up to `tip`, as planning picked them.
pub(super) struct OwnRange<'a> {
    pub start: Oid,
    pub tip: Oid,
    pub picked: &'a BranchCommits,
}

/// Whether the branch whose own commits are `range` landed on `onto` (forked at `fork`),
/// and as what.
pub(super) fn detect(
    history: &dyn History,
    upstream: &mut UpstreamIndex,
    onto: Oid,
    fork: Oid,
    range: &OwnRange<'_>,
) -> Result<Option<Landed>> {
    if range.picked.commits.is_empty() {
        return Ok(range.picked.upstream.last().map(|(_, copy)| Landed {
            how: LandedHow::Rebased,
            as_commit: *copy,
        }));
    }
    // The paths of the branch's whole change, read once for both looks below.
    let paths = history.range_paths(range.start, range.tip)?;
    let whole = (range.start, range.tip);
    if let Some(squash) = upstream.squashed_as(history, onto, fork, whole, &paths)? {
        return Ok(Some(Landed {
            how: LandedHow::Squashed,
            as_commit: squash,
        }));
    }
    // The cheap look first: most branches fail it, and only those that pass are merged.
    if history.may_hold_change(&paths, range.start, range.tip, onto)?
        && merges_to_nothing(history, range, onto)?
    {
        return Ok(Some(Landed {
            how: LandedHow::Contained,
            as_commit: first_holding(history, range, onto, fork)?,
        }));
    }
    Ok(None)
}

/// Whether merging `range` into `onto` changes nothing. A git too old to merge cannot
/// tell: the branch is then taken as not landed (the run's own merges say the same
/// error, at a point `continue` resumes from).
fn merges_to_nothing(history: &dyn History, range: &OwnRange<'_>, onto: Oid) -> Result<bool> {
    match history.merge_changes_nothing(range.start, range.tip, onto) {
        Err(Error::OldGit { .. }) => Ok(false),
        other => other,
    }
}

/// The first commit on the base's first-parent line (after `fork`, up to `onto`) into
/// which merging `range` changes nothing: found by bisection, as a change that landed
/// stays on the base.
fn first_holding(history: &dyn History, range: &OwnRange<'_>, onto: Oid, fork: Oid) -> Result<Oid> {
    let first_parents: std::collections::HashMap<Oid, Option<Oid>> = history
        .walk(onto, &[fork])?
        .into_iter()
        .map(|c| (c.id, c.parents.first().copied()))
        .collect();
    // Oldest first; `onto` (last) holds it.
    let mut line = vec![onto];
    while let Some(Some(parent)) = first_parents.get(line.last().expect("not empty")) {
        line.push(*parent);
    }
    line.reverse();
    let (mut low, mut high) = (0, line.len() - 1);
    while low < high {
        let middle = (low + high) / 2;
        if merges_to_nothing(history, range, line[middle])? {
            high = middle;
        } else {
            low = middle + 1;
        }
    }
    Ok(line[high])
}
