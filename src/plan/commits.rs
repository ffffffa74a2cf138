//! Which commits a branch replays: its own part of its chain, less merges and changes
//! the base already has (by patch id), as `git rebase` picks them.

use std::collections::{HashMap, HashSet};

use super::{AlignPlan, History};
use crate::error::{Error, Result};
use crate::git::{CommitMeta, Oid};
use crate::state::BranchState;

/// The commits of one branch that a replay picks, and those dropped as already upstream
/// (each with the base commit that has its change).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BranchCommits {
    pub commits: Vec<Oid>,
    pub upstream: Vec<(Oid, Oid)>,
}

/// Patch ids of the base's commits since each fork point, computed once per fork point.
#[derive(Default)]
pub struct UpstreamIndex {
    /// fork point -> (changed paths -> upstream commits with those paths)
    by_fork: HashMap<Oid, HashMap<Vec<String>, Vec<Oid>>>,
    patch_ids: HashMap<Oid, Oid>,
}

impl UpstreamIndex {
    /// The base commit (since `fork`) that makes the same change as `commit`, if any.
    fn upstream_of(
        &mut self,
        history: &dyn History,
        onto: Oid,
        fork: Oid,
        commit: Oid,
    ) -> Result<Option<Oid>> {
        let paths = history.changed_paths(commit)?;
        self.base_commit_with(history, onto, fork, &paths, |index| {
            index.patch_id(history, commit)
        })
    }

    /// The base commit (since `fork`) whose change is the whole change from `from` to
    /// `to`, which touches `paths`: the commit a squash merge of that range made.
    pub(super) fn squashed_as(
        &mut self,
        history: &dyn History,
        onto: Oid,
        fork: Oid,
        (from, to): (Oid, Oid),
        paths: &[String],
    ) -> Result<Option<Oid>> {
        if paths.is_empty() {
            return Ok(None);
        }
        self.base_commit_with(history, onto, fork, paths, |_| {
            history.range_patch_id(from, to)
        })
    }

    /// The base commit since `fork` that changes exactly `paths` with the patch id `id`
    /// gives (asked only when some base commit changes those paths).
    fn base_commit_with(
        &mut self,
        history: &dyn History,
        onto: Oid,
        fork: Oid,
        paths: &[String],
        id: impl FnOnce(&mut UpstreamIndex) -> Result<Oid>,
    ) -> Result<Option<Oid>> {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.by_fork.entry(fork) {
            let mut by_paths: HashMap<Vec<String>, Vec<Oid>> = HashMap::new();
            for meta in history.walk(onto, &[fork])? {
                if meta.parents.len() == 1 {
                    by_paths
                        .entry(history.changed_paths(meta.id)?)
                        .or_default()
                        .push(meta.id);
                }
            }
            slot.insert(by_paths);
        }
        let Some(candidates) = self.by_fork[&fork].get(paths).cloned() else {
            return Ok(None);
        };
        let id = id(self)?;
        for candidate in candidates {
            if self.patch_id(history, candidate)? == id {
                return Ok(Some(candidate));
            }
        }
        Ok(None)
    }

    fn patch_id(&mut self, history: &dyn History, commit: Oid) -> Result<Oid> {
        if let Some(id) = self.patch_ids.get(&commit) {
            return Ok(*id);
        }
        let id = history.patch_id(commit)?;
        self.patch_ids.insert(commit, id);
        Ok(id)
    }
}

/// The commits each branch replays: the lists a plan computed in this process, else
/// derived again from the branch and the base (a run resumed in a new process), with one
/// index of the base's patch ids for the whole run.
#[derive(Default)]
pub struct CommitSource {
    planned: HashMap<String, Vec<Oid>>,
    upstream: UpstreamIndex,
}

impl CommitSource {
    /// The commits `plan` lists for each branch.
    pub fn from_plan(plan: &AlignPlan) -> CommitSource {
        CommitSource {
            planned: plan
                .branches
                .iter()
                .map(|b| (b.name.clone(), b.commits.clone()))
                .collect(),
            upstream: UpstreamIndex::default(),
        }
    }

    /// What `branch` replays (`own_from`: the commit its own commits start after, when
    /// that is not the base: its parent's original tip, or that of a landed branch it
    /// was stacked on): the plan's list the first time, derived afterwards (a replay
    /// again starts from the branch as it is now).
    pub fn take(
        &mut self,
        history: &dyn History,
        branch: &BranchState,
        own_from: Option<Oid>,
        onto: Oid,
    ) -> Result<Vec<Oid>> {
        match self.planned.remove(&branch.name) {
            Some(commits) => Ok(commits),
            None => self.derive(history, branch, own_from, onto),
        }
    }

    /// What `branch` replays, derived from its commits and the base's.
    pub fn derive(
        &mut self,
        history: &dyn History,
        branch: &BranchState,
        own_from: Option<Oid>,
        onto: Oid,
    ) -> Result<Vec<Oid>> {
        let picked = branch_commits(
            history,
            &branch.name,
            branch.original,
            own_from,
            onto,
            &mut self.upstream,
        )?;
        Ok(picked.commits)
    }
}

/// A branch's commits not on the base, newest first, following first parents. Merges that
/// only bring in base commits are kept here (and dropped when picking); merges of other
/// non-base history are refused, as a replay would have to flatten them.
pub fn chain(history: &dyn History, name: &str, tip: Oid, onto: Oid) -> Result<Vec<CommitMeta>> {
    let walked = history.walk(tip, &[onto])?;
    let in_walk: HashSet<Oid> = walked.iter().map(|c| c.id).collect();
    let by_id: HashMap<Oid, &CommitMeta> = walked.iter().map(|c| (c.id, c)).collect();
    let mut out = Vec::new();
    let mut next = Some(tip);
    while let Some(id) = next.filter(|id| in_walk.contains(id)) {
        let meta = by_id[&id];
        if let Some(foreign) = meta.parents.iter().skip(1).find(|p| in_walk.contains(p)) {
            return Err(Error::Unsupported {
                branch: name.to_string(),
                reason: format!(
                    "merge {} brings in {} which is not on the base; replaying it would flatten history",
                    id.short(),
                    foreign.short()
                ),
            });
        }
        out.push(meta.clone());
        next = meta.parents.first().copied();
    }
    if out.len() != walked.len() {
        return Err(Error::Unsupported {
            branch: name.to_string(),
            reason: "its history holds merges of other branches".into(),
        });
    }
    Ok(out)
}

/// Picks the commits to replay from a branch's own part of its chain (newest first):
/// merges and changes already upstream are dropped, like `git rebase` does.
pub fn pick_commits(
    history: &dyn History,
    own: &[CommitMeta],
    tip: Oid,
    onto: Oid,
    upstream: &mut UpstreamIndex,
) -> Result<BranchCommits> {
    let mut out = BranchCommits::default();
    let fork = history.merge_base(tip, onto)?;
    for meta in own.iter().rev() {
        if meta.parents.len() > 1 {
            continue;
        }
        let base_commit = match fork {
            Some(fork) => upstream.upstream_of(history, onto, fork, meta.id)?,
            None => None,
        };
        match base_commit {
            Some(base_commit) => out.upstream.push((meta.id, base_commit)),
            None => out.commits.push(meta.id),
        }
    }
    Ok(out)
}

/// The commits to replay for a branch whose own commits start after `own_from` (None:
/// the base). Used when a run resumes in a new process.
fn branch_commits(
    history: &dyn History,
    name: &str,
    tip: Oid,
    own_from: Option<Oid>,
    onto: Oid,
    upstream: &mut UpstreamIndex,
) -> Result<BranchCommits> {
    let chain = chain(history, name, tip, onto)?;
    let own_len = own_from
        .and_then(|p| chain.iter().position(|c| c.id == p))
        .unwrap_or(chain.len());
    pick_commits(history, &chain[..own_len], tip, onto, upstream)
}
