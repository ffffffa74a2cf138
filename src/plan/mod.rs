//! Planning: which branches to align, on what, with which commits. Pure: it reads history
//! through [`History`] and writes nothing, so `--dry-run` is just printing the plan.

mod commits;
mod glob;
mod history;
mod landed;

use std::collections::{BTreeMap, HashMap, HashSet};

pub use commits::CommitSource;
pub use glob::glob_match;
pub use history::History;
pub use landed::{Landed, LandedHow};

use commits::{chain, pick_commits, UpstreamIndex};
use history::Preloaded;
use landed::OwnRange;

use crate::error::{Error, Result};
use crate::git::{CommitMeta, Oid};
use crate::state::{BranchState, Onto, Strategy};

/// What planning starts from: a snapshot of the refs and the user's choices.
#[derive(Debug, Clone)]
pub struct PlanInput {
    /// The base.
    pub onto: Onto,
    /// Every local branch and its tip.
    pub branches: Vec<(String, Oid)>,
    /// Branch names or globs; empty selects every branch with commits not on the base.
    pub patterns: Vec<String>,
    /// Branches checked out in other worktrees, with the worktree path.
    pub checked_out_elsewhere: BTreeMap<String, String>,
    /// Stacks as the previous run left them: which branch sat on which.
    pub lineage: Vec<Lineage>,
}

/// A stack a previous run recorded: `child` sat on `parent`, whose tip was one of
/// `parent_tips` (where the run found it, and where it moved it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lineage {
    pub child: String,
    pub parent: String,
    pub parent_tips: Vec<Oid>,
}

/// Where a branch's own commits start when a landed branch sat below them: its commits
/// are left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnFrom {
    /// The landed branch (perhaps deleted here, known from the previous run).
    pub below: String,
    /// Its tip: the branch's own commits are those after it.
    pub tip: Oid,
    /// How it landed.
    pub landed: Landed,
}

/// One branch in the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedBranch {
    pub name: String,
    /// The selected branch it sits on; None: the base.
    pub parent: Option<String>,
    pub original: Oid,
    /// Commits to replay, oldest first.
    pub commits: Vec<Oid>,
    /// Commits left out because the base already has the same change.
    pub upstream: Vec<Oid>,
    /// Why the branch is left alone, if it is.
    pub skip: Option<SkipReason>,
    /// Its change is already on the base: it is not replayed.
    pub landed: Option<Landed>,
    /// A landed branch it was stacked on, whose commits it leaves out.
    pub own_from: Option<OwnFrom>,
    /// Whether aligning would leave it as it is: its own commits already sit on the base
    /// (or on its parent), with nothing to drop.
    pub up_to_date: bool,
}

/// Why a plan leaves a branch alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// It is checked out in another worktree (at this path).
    CheckedOutElsewhere(String),
    /// The branch it is stacked on is left alone.
    ParentSkipped(String),
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::CheckedOutElsewhere(path) => write!(f, "checked out in worktree {path}"),
            SkipReason::ParentSkipped(parent) => write!(f, "its parent {parent} is skipped"),
        }
    }
}

/// The whole plan, parents before children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlignPlan {
    pub onto: Onto,
    pub branches: Vec<PlannedBranch>,
}

/// The branches of a run that starts from `plan`: pending, landed, or skipped for the
/// plan's reason. `subject` gives a commit's subject, for the notes.
pub fn initial_states(plan: &AlignPlan, subject: impl Fn(Oid) -> String) -> Vec<BranchState> {
    plan.branches
        .iter()
        .map(|b| {
            let parent = b.parent.as_deref().unwrap_or(&plan.onto.name);
            let mut branch = BranchState::pending(&b.name, parent, b.parent.is_some(), b.original);
            if let Some(why) = &b.skip {
                branch.skip(why.to_string());
            } else if let Some(landed) = &b.landed {
                branch.land(landed.as_commit, &describe_landed(landed, &subject));
            }
            if let Some(own_from) = &b.own_from {
                let note = describe_own_from(own_from);
                branch.start_after(own_from.tip, &own_from.below, &note);
            }
            branch
        })
        .collect()
}

/// `squash-merged as abc1234 "subject"`.
pub fn describe_landed(landed: &Landed, subject: impl Fn(Oid) -> String) -> String {
    format!(
        "{} as {} \"{}\"",
        landed.how.as_str(),
        landed.as_commit.short(),
        subject(landed.as_commit)
    )
}

/// `without p1's commits (p1 landed as abc1234)`.
fn describe_own_from(own_from: &OwnFrom) -> String {
    format!(
        "without {}'s commits ({} landed as {})",
        own_from.below,
        own_from.below,
        own_from.landed.as_commit.short()
    )
}

/// Builds the plan: selects branches, finds stacks (also those the previous run
/// remembers), finds landed branches, orders parents first and lists the commits each
/// branch replays.
pub fn plan(history: &dyn History, input: &PlanInput) -> Result<AlignPlan> {
    let tips: Vec<Oid> = input.branches.iter().map(|(_, tip)| *tip).collect();
    let preloaded = Preloaded::load(history, &tips, input.onto.oid)?;
    let history: &dyn History = &preloaded;
    let selected = select(&preloaded, input)?;
    let onto = input.onto.oid;
    let mut chains = BTreeMap::new();
    for (name, tip) in &selected {
        if history.merge_base(*tip, onto)?.is_none() {
            return Err(Error::Unsupported {
                branch: name.clone(),
                reason: format!("it has no history in common with {}", input.onto.name),
            });
        }
        chains.insert(name.clone(), chain(history, name, *tip, onto)?);
    }
    let owners = tip_owners(&selected);
    let mut planner = Planner {
        history,
        onto,
        upstream: UpstreamIndex::default(),
    };
    let mut planned = BTreeMap::new();
    for (name, tip) in &selected {
        let chain = &chains[name];
        let (mut parent, mut own_len) = find_parent(name, chain, &owners);
        let mut own_from = None;
        if let Some(remembered) =
            planner.landed_remembered_parent(name, chain, own_len, input, &owners)?
        {
            (parent, own_len, own_from) = remembered;
        }
        let own = &chain[..own_len];
        let picked = pick_commits(history, own, *tip, onto, &mut planner.upstream)?;
        let landed = planner.landed(chain, own_len, *tip, &picked)?;
        let rests_where_it_goes = match parent {
            Some(_) => own_from.is_none(),
            None => chain.last().map(|c| c.parents.first() == Some(&onto)) == Some(true),
        };
        let up_to_date = landed.is_some()
            || (rests_where_it_goes
                && picked.upstream.is_empty()
                && picked.commits.len() == own_len);
        let elsewhere = input.checked_out_elsewhere.get(name);
        planned.insert(
            name.clone(),
            PlannedBranch {
                name: name.clone(),
                parent,
                original: *tip,
                // A landed branch replays nothing.
                commits: if landed.is_some() {
                    Vec::new()
                } else {
                    picked.commits
                },
                upstream: picked
                    .upstream
                    .into_iter()
                    .map(|(commit, _)| commit)
                    .collect(),
                up_to_date,
                // A landed branch does not move: where it is checked out does not matter.
                skip: elsewhere
                    .filter(|_| landed.is_none())
                    .map(|path| SkipReason::CheckedOutElsewhere(path.clone())),
                landed,
                own_from,
            },
        );
    }
    let mut branches = parents_first(planned);
    reparent_past_landed(&mut branches);
    propagate_skips(&mut branches);
    Ok(AlignPlan {
        onto: input.onto.clone(),
        branches,
    })
}

/// What finding landed branches needs across branches: the history, the base, and one
/// index of the base's patch ids.
struct Planner<'h> {
    history: &'h dyn History,
    onto: Oid,
    upstream: UpstreamIndex,
}

/// A branch's parent, how many commits of its chain are its own, and the landed branch
/// whose commits it leaves out.
type Shape = (Option<String>, usize, Option<OwnFrom>);

impl Planner<'_> {
    /// Whether the branch with `chain` (whose first `own_len` commits are its own)
    /// landed on the base.
    fn landed(
        &mut self,
        chain: &[CommitMeta],
        own_len: usize,
        tip: Oid,
        picked: &commits::BranchCommits,
    ) -> Result<Option<Landed>> {
        let Some(fork) = self.history.merge_base(tip, self.onto)? else {
            return Ok(None);
        };
        let start = match chain.get(own_len) {
            Some(below) => below.id,
            None => fork,
        };
        let range = OwnRange { start, tip, picked };
        landed::detect(self.history, &mut self.upstream, self.onto, fork, &range)
    }

    /// When the previous run had `name` stacked on a branch that is not selected now at
    /// the tip recorded for it (deleted here, or moved away) and that branch's commits
    /// below `name` landed: `name`'s shape without them.
    fn landed_remembered_parent(
        &mut self,
        name: &str,
        chain: &[CommitMeta],
        own_len: usize,
        input: &PlanInput,
        owners: &HashMap<Oid, Vec<String>>,
    ) -> Result<Option<Shape>> {
        for lineage in input.lineage.iter().filter(|l| l.child == name) {
            let found = chain[..own_len]
                .iter()
                .position(|c| lineage.parent_tips.contains(&c.id) && !owners.contains_key(&c.id));
            let Some(at) = found.filter(|at| *at > 0) else {
                continue;
            };
            let below = &chain[at..];
            let (parent, ghost_len) = find_parent(&lineage.parent, below, owners);
            let tip = below[0].id;
            let picked = pick_commits(
                self.history,
                &below[..ghost_len],
                tip,
                self.onto,
                &mut self.upstream,
            )?;
            if let Some(landed) = self.landed(below, ghost_len, tip, &picked)? {
                let own_from = OwnFrom {
                    below: lineage.parent.clone(),
                    tip,
                    landed,
                };
                return Ok(Some((parent, at, Some(own_from))));
            }
        }
        Ok(None)
    }
}

/// Branches stacked on a landed branch go onto what it sat on (the base, or its own
/// parent), leaving its commits out. Parents come first in `branches`.
fn reparent_past_landed(branches: &mut [PlannedBranch]) {
    let mut seen: HashMap<String, (Option<String>, Oid, Option<Landed>)> = HashMap::new();
    for branch in branches.iter_mut() {
        if let Some((grandparent, tip, Some(landed))) =
            branch.parent.as_ref().and_then(|p| seen.get(p)).cloned()
        {
            let below = branch.parent.take().expect("stacked");
            branch.parent = grandparent;
            // A cut the previous run's record made is higher up the chain: it stays.
            if branch.own_from.is_none() {
                branch.own_from = Some(OwnFrom { below, tip, landed });
            }
            branch.up_to_date = branch.landed.is_some();
        }
        seen.insert(
            branch.name.clone(),
            (branch.parent.clone(), branch.original, branch.landed),
        );
    }
}

/// The branches the user selected, sorted by name.
fn select(history: &Preloaded<'_>, input: &PlanInput) -> Result<BTreeMap<String, Oid>> {
    let base_branch = input
        .onto
        .name
        .strip_prefix("refs/heads/")
        .unwrap_or(&input.onto.name);
    let mut selected = BTreeMap::new();
    if input.patterns.is_empty() {
        for (name, tip) in &input.branches {
            if name != base_branch && history.off_base(*tip) {
                selected.insert(name.clone(), *tip);
            }
        }
        return Ok(selected);
    }
    for pattern in &input.patterns {
        let pattern = pattern.strip_prefix("refs/heads/").unwrap_or(pattern);
        let matches: Vec<&(String, Oid)> = input
            .branches
            .iter()
            .filter(|(name, _)| glob_match(pattern, name))
            .collect();
        if matches.is_empty() {
            return Err(Error::UnknownBranch(pattern.to_string()));
        }
        let literal = !pattern.contains(['*', '?', '[']);
        for (name, tip) in matches {
            if name == base_branch {
                if literal {
                    return Err(Error::Usage(format!(
                        "'{name}' is the base; it cannot be aligned onto itself"
                    )));
                }
                continue;
            }
            selected.insert(name.clone(), *tip);
        }
    }
    Ok(selected)
}

fn tip_owners(selected: &BTreeMap<String, Oid>) -> HashMap<Oid, Vec<String>> {
    let mut owners: HashMap<Oid, Vec<String>> = HashMap::new();
    for (name, tip) in selected {
        owners.entry(*tip).or_default().push(name.clone());
    }
    owners
}

/// The nearest selected branch below `name` on its chain, and how many chain commits are
/// the branch's own. Branches at the same commit stack in name order.
fn find_parent(
    name: &str,
    chain: &[CommitMeta],
    owners: &HashMap<Oid, Vec<String>>,
) -> (Option<String>, usize) {
    for (i, meta) in chain.iter().enumerate() {
        let Some(names) = owners.get(&meta.id) else {
            continue;
        };
        let candidate = names
            .iter()
            .filter(|n| n.as_str() != name && (i > 0 || n.as_str() < name))
            .max();
        if let Some(parent) = candidate {
            return (Some(parent.clone()), i);
        }
    }
    (None, chain.len())
}

fn parents_first(mut planned: BTreeMap<String, PlannedBranch>) -> Vec<PlannedBranch> {
    let mut children: BTreeMap<Option<String>, Vec<String>> = BTreeMap::new();
    for branch in planned.values() {
        children
            .entry(branch.parent.clone())
            .or_default()
            .push(branch.name.clone());
    }
    let mut order = Vec::new();
    let mut stack: Vec<String> = children.get(&None).cloned().unwrap_or_default();
    stack.reverse();
    while let Some(name) = stack.pop() {
        if let Some(kids) = children.get(&Some(name.clone())) {
            stack.extend(kids.iter().rev().cloned());
        }
        if let Some(branch) = planned.remove(&name) {
            order.push(branch);
        }
    }
    order
}

fn propagate_skips(branches: &mut [PlannedBranch]) {
    let mut skipped: HashSet<String> = HashSet::new();
    for branch in branches.iter_mut() {
        if branch.skip.is_none() {
            if let Some(parent) = branch.parent.as_ref().filter(|p| skipped.contains(*p)) {
                branch.skip = Some(SkipReason::ParentSkipped(parent.clone()));
            }
        }
        if branch.skip.is_some() {
            skipped.insert(branch.name.clone());
        }
    }
}

/// Whether the plan has nothing to do.
pub fn is_empty(plan: &AlignPlan) -> bool {
    plan.branches.iter().all(|b| b.skip.is_some())
}

/// Whether a run would change nothing: every branch it would align already sits where
/// it goes. No run is started then, so `undo` still undoes the last one that did.
pub fn is_up_to_date(plan: &AlignPlan) -> bool {
    plan.branches
        .iter()
        .all(|b| b.skip.is_some() || b.up_to_date)
}

/// The names of the plan's landed branches.
pub fn landed_names(plan: &AlignPlan) -> Vec<&str> {
    plan.branches
        .iter()
        .filter(|b| b.landed.is_some())
        .map(|b| b.name.as_str())
        .collect()
}

/// Describes the plan for people, one line per branch.
pub fn describe(plan: &AlignPlan, strategy: Strategy) -> String {
    let total: usize = plan.branches.iter().map(|b| b.commits.len()).sum();
    let verb = match strategy {
        Strategy::Rebase => "replay",
        Strategy::Merge => "merge",
    };
    let mut out = format!(
        "plan: {verb} {} branch{} ({total} commit{}) onto {} ({})\n",
        plan.branches.len(),
        if plan.branches.len() == 1 { "" } else { "es" },
        if total == 1 { "" } else { "s" },
        plan.onto.name,
        plan.onto.oid.short()
    );
    let width = plan
        .branches
        .iter()
        .map(|b| b.name.len())
        .max()
        .unwrap_or(0);
    for b in &plan.branches {
        let on = b.parent.as_deref().unwrap_or(&plan.onto.name);
        let mut line = format!(
            "  {:width$}  {} commit{} on {on}",
            b.name,
            b.commits.len(),
            if b.commits.len() == 1 { "" } else { "s" }
        );
        if let Some(landed) = &b.landed {
            line = format!(
                "  {:width$}  landed as {} ({})",
                b.name,
                landed.as_commit.short(),
                landed.how.as_str()
            );
        } else if !b.upstream.is_empty() {
            line.push_str(&format!(", {} already upstream", b.upstream.len()));
        }
        if let Some(own_from) = &b.own_from {
            line.push_str(&format!(", {}", describe_own_from(own_from)));
        }
        if let Some(why) = &b.skip {
            line.push_str(&format!(" (skip: {why})"));
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake history: commits with parents, and a patch per commit (a change of file
    /// `file<patch>`); a squash commit makes the patches of several.
    #[derive(Default)]
    struct Fake {
        parents: HashMap<Oid, Vec<Oid>>,
        patch: HashMap<Oid, u8>,
        squash: HashMap<Oid, Vec<u8>>,
    }

    fn oid(n: u8) -> Oid {
        Oid::from_bytes([n; 20])
    }

    impl Fake {
        fn add(&mut self, n: u8, parents: &[u8], patch: u8) {
            self.parents
                .insert(oid(n), parents.iter().map(|p| oid(*p)).collect());
            self.patch.insert(oid(n), patch);
        }
        fn patches(&self, commit: Oid) -> Vec<u8> {
            self.squash
                .get(&commit)
                .cloned()
                .unwrap_or_else(|| vec![self.patch[&commit]])
        }
        fn files(patches: impl IntoIterator<Item = u8>) -> Vec<String> {
            let mut files: Vec<String> = patches.into_iter().map(|p| format!("file{p}")).collect();
            files.sort();
            files
        }
        fn id(patches: impl IntoIterator<Item = u8>) -> Oid {
            oid(patches.into_iter().fold(0u8, |sum, p| sum.wrapping_add(p)))
        }
        fn range(&self, from: Oid, to: Oid) -> Vec<u8> {
            let hidden = self.ancestors(from);
            self.ancestors(to)
                .into_iter()
                .filter(|c| !hidden.contains(c))
                .flat_map(|c| self.patches(c))
                .collect()
        }
        fn ancestors(&self, tip: Oid) -> HashSet<Oid> {
            let mut seen = HashSet::new();
            let mut todo = vec![tip];
            while let Some(c) = todo.pop() {
                if seen.insert(c) {
                    todo.extend(self.parents[&c].iter().copied());
                }
            }
            seen
        }
    }

    impl History for Fake {
        fn walk(&self, tip: Oid, hide: &[Oid]) -> Result<Vec<CommitMeta>> {
            let hidden: HashSet<Oid> = hide.iter().flat_map(|h| self.ancestors(*h)).collect();
            let mut out: Vec<CommitMeta> = self
                .ancestors(tip)
                .into_iter()
                .filter(|c| !hidden.contains(c))
                .map(|c| CommitMeta {
                    id: c,
                    parents: self.parents[&c].clone(),
                    tree: c,
                })
                .collect();
            out.sort_by_key(|c| std::cmp::Reverse(c.id));
            Ok(out)
        }
        fn merge_base(&self, one: Oid, two: Oid) -> Result<Option<Oid>> {
            let theirs = self.ancestors(two);
            Ok(self
                .ancestors(one)
                .into_iter()
                .filter(|c| theirs.contains(c))
                .max())
        }
        fn changed_paths(&self, commit: Oid) -> Result<Vec<String>> {
            Ok(Fake::files(self.patches(commit)))
        }
        fn patch_id(&self, commit: Oid) -> Result<Oid> {
            Ok(Fake::id(self.patches(commit)))
        }
        fn range_paths(&self, from: Oid, to: Oid) -> Result<Vec<String>> {
            Ok(Fake::files(self.range(from, to)))
        }
        fn range_patch_id(&self, from: Oid, to: Oid) -> Result<Oid> {
            Ok(Fake::id(self.range(from, to)))
        }
        fn may_hold_change(
            &self,
            _paths: &[String],
            _from: Oid,
            _to: Oid,
            _at: Oid,
        ) -> Result<bool> {
            Ok(false)
        }
        fn merge_changes_nothing(&self, _from: Oid, _to: Oid, _onto: Oid) -> Result<bool> {
            Ok(false)
        }
    }

    /// 1 <- 2 (old base) <- 3 <- 4 (main); commit ids grow with time.
    fn base() -> Fake {
        let mut f = Fake::default();
        f.add(1, &[], 1);
        f.add(2, &[1], 2);
        f.add(3, &[2], 3);
        f.add(4, &[3], 4);
        f
    }

    fn input(branches: &[(&str, u8)], patterns: &[&str]) -> PlanInput {
        PlanInput {
            onto: Onto {
                name: "main".into(),
                oid: oid(4),
            },
            branches: branches
                .iter()
                .map(|(n, t)| (n.to_string(), oid(*t)))
                .collect(),
            patterns: patterns.iter().map(|p| p.to_string()).collect(),
            checked_out_elsewhere: BTreeMap::new(),
            lineage: Vec::new(),
        }
    }

    #[test]
    fn finds_stacks_and_orders_parents_first() {
        let mut f = base();
        f.add(10, &[2], 10);
        f.add(11, &[10], 11);
        f.add(12, &[11], 12);
        f.add(13, &[11], 13);
        let plan = plan(
            &f,
            &input(
                &[
                    ("main", 4),
                    ("z-bottom", 10),
                    ("a-mid", 11),
                    ("b-top", 12),
                    ("c-top", 13),
                ],
                &[],
            ),
        )
        .unwrap();
        let names: Vec<_> = plan
            .branches
            .iter()
            .map(|b| (b.name.as_str(), b.parent.as_deref()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("z-bottom", None),
                ("a-mid", Some("z-bottom")),
                ("b-top", Some("a-mid")),
                ("c-top", Some("a-mid"))
            ]
        );
        assert_eq!(plan.branches[0].commits, vec![oid(10)]);
        assert_eq!(plan.branches[2].commits, vec![oid(12)]);
    }

    #[test]
    fn drops_commits_already_upstream() {
        let mut f = base();
        f.add(10, &[2], 3); // the same change as main's commit 3
        f.add(12, &[10], 12);
        let plan = plan(&f, &input(&[("t", 12)], &[])).unwrap();
        assert_eq!(plan.branches[0].commits, vec![oid(12)]);
        assert_eq!(plan.branches[0].upstream, vec![oid(10)]);
    }

    #[test]
    fn a_squash_merged_parent_is_landed_and_its_child_goes_onto_the_base() {
        let mut f = base();
        f.add(10, &[2], 10);
        f.add(11, &[10], 11);
        f.add(12, &[11], 12);
        f.add(5, &[4], 0);
        f.squash.insert(oid(5), vec![10, 11]);
        let mut inp = input(&[("p", 11), ("c", 12)], &[]);
        inp.onto.oid = oid(5);
        let plan = plan(&f, &inp).unwrap();
        let (p, c) = (&plan.branches[0], &plan.branches[1]);
        assert_eq!(
            p.landed,
            Some(Landed {
                how: LandedHow::Squashed,
                as_commit: oid(5)
            })
        );
        assert!(p.commits.is_empty());
        assert_eq!(c.parent, None);
        assert_eq!(c.commits, vec![oid(12)]);
        assert_eq!(
            c.own_from.as_ref().map(|o| (o.below.as_str(), o.tip)),
            Some(("p", oid(11)))
        );
    }

    #[test]
    fn a_remembered_parent_that_landed_and_was_deleted_is_left_out() {
        let mut f = base();
        f.add(9, &[2], 9);
        f.add(10, &[9], 10);
        f.add(11, &[10], 11);
        f.add(5, &[4], 0);
        f.squash.insert(oid(5), vec![9, 10]);
        let mut inp = input(&[("c", 11)], &[]);
        inp.onto.oid = oid(5);
        inp.lineage = vec![Lineage {
            child: "c".into(),
            parent: "p".into(),
            parent_tips: vec![oid(10)],
        }];
        let remembered = plan(&f, &inp).unwrap();
        assert_eq!(remembered.branches[0].commits, vec![oid(11)]);
        inp.lineage.clear();
        let forgotten = plan(&f, &inp).unwrap();
        assert_eq!(
            forgotten.branches[0].commits,
            vec![oid(9), oid(10), oid(11)]
        );
    }

    #[test]
    fn drops_merges_of_the_base() {
        let mut f = base();
        f.add(10, &[2], 10);
        f.add(11, &[10, 3], 11); // merge of the base into the branch
        f.add(12, &[11], 12);
        let plan = plan(&f, &input(&[("t", 12)], &[])).unwrap();
        assert_eq!(plan.branches[0].commits, vec![oid(10), oid(12)]);
    }

    #[test]
    fn default_selection_leaves_out_branches_on_the_base() {
        let mut f = base();
        f.add(10, &[4], 10);
        let plan = plan(&f, &input(&[("main", 4), ("old", 2), ("new", 10)], &[])).unwrap();
        let names: Vec<_> = plan.branches.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, vec!["new"]);
    }

    #[test]
    fn refuses_merges_of_other_branches() {
        let mut f = base();
        f.add(10, &[2], 10);
        f.add(11, &[2], 11);
        f.add(12, &[10, 11], 12);
        let err = plan(&f, &input(&[("m", 12)], &[])).unwrap_err();
        assert!(matches!(err, Error::Unsupported { .. }), "{err}");
    }

    #[test]
    fn unknown_branch_and_globs() {
        let mut f = base();
        f.add(10, &[2], 10);
        let err = plan(&f, &input(&[("topic/a", 10)], &["nope"])).unwrap_err();
        assert!(matches!(err, Error::UnknownBranch(_)));
        let plan = plan(&f, &input(&[("topic/a", 10)], &["topic/*"])).unwrap();
        assert_eq!(plan.branches.len(), 1);
    }

    #[test]
    fn skips_children_of_skipped_branches() {
        let mut f = base();
        f.add(10, &[2], 10);
        f.add(11, &[10], 11);
        let mut inp = input(&[("a", 10), ("b", 11)], &[]);
        inp.checked_out_elsewhere.insert("a".into(), "/wt".into());
        let plan = plan(&f, &inp).unwrap();
        assert!(plan.branches[0].skip.is_some());
        assert_eq!(
            plan.branches[1].skip,
            Some(SkipReason::ParentSkipped("a".into()))
        );
    }

    #[test]
    fn same_tip_branches_stack_by_name() {
        let mut f = base();
        f.add(10, &[2], 10);
        let plan = plan(&f, &input(&[("a", 10), ("b", 10)], &[])).unwrap();
        assert_eq!(plan.branches[1].parent.as_deref(), Some("a"));
        assert!(plan.branches[1].commits.is_empty());
    }

    #[test]
    fn globs() {
        assert!(glob_match("topic/*", "topic/a/b"));
        assert!(glob_match("f?at-[ab]", "feat-a"));
        assert!(!glob_match("feat-[ab]", "feat-c"));
    }
}
