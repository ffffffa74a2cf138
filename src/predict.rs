//! `--dry-run`'s prediction: each branch of a plan replayed in memory as the run would
//! replay it (the same merges, the same recorded resolutions), telling which will
//! conflict, in which files, and which commit of the base brings the conflict (the
//! first one, along the base's first parents since the fork point, onto which the
//! replay conflicts). Nothing is written to the repository (see `Repo::write_nothing`).

use serde::Serialize;

use crate::error::Result;
use crate::git::{Identity, Oid, Repo, Resolver};
use crate::plan::AlignPlan;
use crate::replay::{self, BranchOutcome};
use crate::state::Strategy;

/// What a run would make of one branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "prediction", rename_all = "snake_case")]
pub enum Prediction {
    /// Aligned without a person.
    Clean,
    /// Stops on a conflict in `files`; `culprit` is the base commit that brings it.
    Conflict {
        files: Vec<String>,
        culprit: Option<Culprit>,
    },
    /// Stacked on a branch that conflicts (or waits): waits for it.
    Waits { on: String },
    /// Left alone by the plan.
    Skipped { why: String },
    /// Already on the base (`landed_as`): not replayed.
    Landed { landed_as: Oid },
}

/// The base commit a conflict comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Culprit {
    pub commit: Oid,
    pub subject: String,
}

/// How a prediction replays: the repository, the run's strategy and resolutions.
pub struct Predictor<'a> {
    pub repo: &'a Repo,
    pub plan: &'a AlignPlan,
    pub strategy: Strategy,
    pub committer: &'a Identity,
    pub resolver: Resolver<'a>,
}

impl Predictor<'_> {
    /// The prediction for every branch of the plan, in its order.
    pub fn predict(&self) -> Result<Vec<Prediction>> {
        let mut out: Vec<Prediction> = Vec::new();
        // The new tip of each branch predicted clean, by plan index.
        let mut tips: Vec<Option<Oid>> = Vec::new();
        for (index, branch) in self.plan.branches.iter().enumerate() {
            let parent = self.parent_index(index);
            let (prediction, tip) = if let Some(why) = &branch.skip {
                let why = why.to_string();
                (Prediction::Skipped { why }, None)
            } else if let Some(landed) = &branch.landed {
                let landed_as = landed.as_commit;
                (Prediction::Landed { landed_as }, None)
            } else if let Some(p) = parent.filter(|p| tips[*p].is_none()) {
                let on = self.plan.branches[p].name.clone();
                (Prediction::Waits { on }, None)
            } else {
                let onto = parent.map_or(self.plan.onto.oid, |p| tips[p].expect("clean"));
                match self.replay(index, onto)? {
                    Ok(tip) => (Prediction::Clean, Some(tip)),
                    Err(files) => {
                        let culprit = self.culprit(index)?;
                        (Prediction::Conflict { files, culprit }, None)
                    }
                }
            };
            out.push(prediction);
            tips.push(tip);
        }
        Ok(out)
    }

    fn parent_index(&self, index: usize) -> Option<usize> {
        let parent = self.plan.branches[index].parent.as_deref()?;
        self.plan.branches.iter().position(|b| b.name == parent)
    }

    /// Replays the branch at `index` alone onto `onto`: its new tip, or the files of
    /// its conflict.
    fn replay(&self, index: usize, onto: Oid) -> Result<std::result::Result<Oid, Vec<String>>> {
        let branch = &self.plan.branches[index];
        let outcome = match self.strategy {
            Strategy::Rebase => replay::replay_commits(
                self.repo,
                &branch.commits,
                onto,
                self.committer,
                self.resolver,
            )?,
            Strategy::Merge => replay::merge_into(
                self.repo,
                branch.original,
                onto,
                "prediction\n",
                self.committer,
                self.committer,
                self.resolver,
            )?,
        };
        Ok(match outcome {
            BranchOutcome::Aligned { tip, .. } => Ok(tip),
            BranchOutcome::Conflict { conflicts, .. } => {
                Err(conflicts.into_iter().map(|c| c.path).collect())
            }
        })
    }

    /// Whether the branch at `index` replays onto `base` (with the branches it is
    /// stacked on replayed first) without a conflict of its own: where one of those
    /// conflicts, its own replay is not what brings a conflict there.
    fn replays_onto(&self, index: usize, base: Oid) -> Result<bool> {
        let mut chain = vec![index];
        while let Some(parent) = self.parent_index(*chain.last().expect("not empty")) {
            chain.push(parent);
        }
        let mut onto = base;
        for &at in chain.iter().rev() {
            match self.replay(at, onto)? {
                Ok(tip) => onto = tip,
                Err(_) => return Ok(at != index),
            }
        }
        Ok(true)
    }

    /// The first base commit since the fork point onto which the branch conflicts
    /// (by bisection along the base's first parents).
    fn culprit(&self, index: usize) -> Result<Option<Culprit>> {
        let mut bottom = index;
        while let Some(parent) = self.parent_index(bottom) {
            bottom = parent;
        }
        let original = self.plan.branches[bottom].original;
        let Some(fork) = self.repo.merge_base(original, self.plan.onto.oid)? else {
            return Ok(None);
        };
        let line = self.base_line(fork)?;
        if line.is_empty() {
            return Ok(None);
        }
        // Onto the last commit (the base itself) the branch conflicts.
        let (mut low, mut high) = (0, line.len() - 1);
        while low < high {
            let middle = (low + high) / 2;
            if self.replays_onto(index, line[middle])? {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        let commit = line[high];
        let subject = self.repo.commit_summary(commit)?;
        Ok(Some(Culprit { commit, subject }))
    }

    /// The base's commits since `fork` along first parents, oldest first.
    fn base_line(&self, fork: Oid) -> Result<Vec<Oid>> {
        let mut line = Vec::new();
        let mut at = self.plan.onto.oid;
        while at != fork && !self.repo.is_ancestor(at, fork)? {
            line.push(at);
            match self.repo.commit_meta(at)?.parents.first() {
                Some(&parent) => at = parent,
                None => break,
            }
        }
        line.reverse();
        Ok(line)
    }
}
