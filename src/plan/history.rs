//! How planning reads history: the [`History`] trait (the repository, or a test's
//! fake), and [`Preloaded`], every commit the plan needs read in one walk.

use std::collections::{HashMap, HashSet};

use crate::error::Result;
use crate::git::{CommitMeta, Oid, Repo};

/// The read-only questions planning asks of a repository.
pub trait History {
    /// Commits reachable from `tip` but not from `hide`, newest first, topologically.
    fn walk(&self, tip: Oid, hide: &[Oid]) -> Result<Vec<CommitMeta>>;
    /// Commits reachable from any of `tips` but not from `hide` (in no particular order).
    fn walk_many(&self, tips: &[Oid], hide: &[Oid]) -> Result<Vec<CommitMeta>> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for tip in tips {
            out.extend(
                self.walk(*tip, hide)?
                    .into_iter()
                    .filter(|c| seen.insert(c.id)),
            );
        }
        Ok(out)
    }
    /// The best common ancestor of two commits.
    fn merge_base(&self, one: Oid, two: Oid) -> Result<Option<Oid>>;
    /// Paths a commit changes against its first parent, sorted.
    fn changed_paths(&self, commit: Oid) -> Result<Vec<String>>;
    /// A commit's patch id against its first parent.
    fn patch_id(&self, commit: Oid) -> Result<Oid>;
    /// Paths the whole change from commit `from` to commit `to` touches, sorted.
    fn range_paths(&self, from: Oid, to: Oid) -> Result<Vec<String>>;
    /// The patch id of the whole change from commit `from` to commit `to`.
    fn range_patch_id(&self, from: Oid, to: Oid) -> Result<Oid>;
    /// Whether commit `at` may hold the whole (non-empty) change from `from` to `to`:
    /// each path it touches is in `at` as in `to`, or changed since `from` (cheap: a
    /// filter before [`History::merge_changes_nothing`]).
    fn may_hold_change(&self, paths: &[String], from: Oid, to: Oid, at: Oid) -> Result<bool>;
    /// Whether git's merge of the change from `from` to `to` into `onto` changes nothing.
    fn merge_changes_nothing(&self, from: Oid, to: Oid, onto: Oid) -> Result<bool>;
}

impl History for Repo {
    fn walk(&self, tip: Oid, hide: &[Oid]) -> Result<Vec<CommitMeta>> {
        Repo::walk(self, tip, hide)
    }
    fn walk_many(&self, tips: &[Oid], hide: &[Oid]) -> Result<Vec<CommitMeta>> {
        Repo::walk_many(self, tips, hide)
    }
    fn merge_base(&self, one: Oid, two: Oid) -> Result<Option<Oid>> {
        Repo::merge_base(self, one, two)
    }
    fn changed_paths(&self, commit: Oid) -> Result<Vec<String>> {
        Repo::changed_paths(self, commit)
    }
    fn patch_id(&self, commit: Oid) -> Result<Oid> {
        Repo::patch_id(self, commit)
    }
    fn range_paths(&self, from: Oid, to: Oid) -> Result<Vec<String>> {
        Repo::changed_paths_between(self, from, to)
    }
    fn range_patch_id(&self, from: Oid, to: Oid) -> Result<Oid> {
        Repo::range_patch_id(self, from, to)
    }
    fn may_hold_change(&self, paths: &[String], from: Oid, to: Oid, at: Oid) -> Result<bool> {
        Repo::may_hold_change(self, paths, from, to, at)
    }
    fn merge_changes_nothing(&self, from: Oid, to: Oid, onto: Oid) -> Result<bool> {
        Repo::merge_changes_nothing(self, from, to, onto)
    }
}

/// Every commit of the branches that the base does not have, read in one walk: answers
/// the walks and merge bases planning asks about those branches from memory (a stack of
/// N branches would otherwise walk its commits N times), and hands the rest on.
pub(super) struct Preloaded<'h> {
    inner: &'h dyn History,
    onto: Oid,
    commits: HashMap<Oid, CommitMeta>,
}

impl<'h> Preloaded<'h> {
    pub(super) fn load(inner: &'h dyn History, tips: &[Oid], onto: Oid) -> Result<Preloaded<'h>> {
        let commits = inner
            .walk_many(tips, &[onto])?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        Ok(Preloaded {
            inner,
            onto,
            commits,
        })
    }

    /// Whether the base lacks `commit` (it is one of the loaded ones).
    pub(super) fn off_base(&self, commit: Oid) -> bool {
        self.commits.contains_key(&commit)
    }

    /// The loaded commits reachable from `tip`, every commit before its parents (a
    /// depth-first post-order, reversed).
    fn reachable(&self, tip: Oid) -> Vec<CommitMeta> {
        let mut seen = HashSet::from([tip]);
        let mut post_order = Vec::new();
        let mut stack = vec![(tip, 0)];
        while let Some((id, next_parent)) = stack.pop() {
            let meta = &self.commits[&id];
            match meta.parents.get(next_parent) {
                Some(parent) => {
                    stack.push((id, next_parent + 1));
                    if self.commits.contains_key(parent) && seen.insert(*parent) {
                        stack.push((*parent, 0));
                    }
                }
                None => post_order.push(meta.clone()),
            }
        }
        post_order.reverse();
        post_order
    }

    /// The fork point of a branch whose commits off the base form one line: the parent
    /// of its oldest commit (None: it has no history in common with the base). Unknown
    /// (`Err(())`) when a merge is on the way.
    fn linear_fork_point(&self, tip: Oid) -> std::result::Result<Option<Oid>, ()> {
        let mut id = tip;
        loop {
            let meta = &self.commits[&id];
            match meta.parents.as_slice() {
                [] => return Ok(None),
                [parent] if self.commits.contains_key(parent) => id = *parent,
                [parent] => return Ok(Some(*parent)),
                _ => return Err(()),
            }
        }
    }
}

impl History for Preloaded<'_> {
    fn walk(&self, tip: Oid, hide: &[Oid]) -> Result<Vec<CommitMeta>> {
        if hide == [self.onto] && self.off_base(tip) {
            return Ok(self.reachable(tip));
        }
        self.inner.walk(tip, hide)
    }
    fn merge_base(&self, one: Oid, two: Oid) -> Result<Option<Oid>> {
        if two == self.onto && self.off_base(one) {
            if let Ok(fork) = self.linear_fork_point(one) {
                return Ok(fork);
            }
        }
        self.inner.merge_base(one, two)
    }
    fn changed_paths(&self, commit: Oid) -> Result<Vec<String>> {
        self.inner.changed_paths(commit)
    }
    fn patch_id(&self, commit: Oid) -> Result<Oid> {
        self.inner.patch_id(commit)
    }
    fn range_paths(&self, from: Oid, to: Oid) -> Result<Vec<String>> {
        self.inner.range_paths(from, to)
    }
    fn range_patch_id(&self, from: Oid, to: Oid) -> Result<Oid> {
        self.inner.range_patch_id(from, to)
    }
    fn may_hold_change(&self, paths: &[String], from: Oid, to: Oid, at: Oid) -> Result<bool> {
        self.inner.may_hold_change(paths, from, to, at)
    }
    fn merge_changes_nothing(&self, from: Oid, to: Oid, onto: Oid) -> Result<bool> {
        self.inner.merge_changes_nothing(from, to, onto)
    }
}
