//! Sharing a run through a remote: where each branch of a run belongs, which remote refs
//! a push sets (each with a lease), and how a fetched run is taken over here.
//!
//! On the remote a run is `refs/align/state` and its keep ref `refs/align/runs/<run id>`,
//! the same refs as here, plus the branches the run moved. A checkpoint's first parent is the one before
//! it, so "the remote has nothing this machine lacks" is "the remote's checkpoint is an
//! ancestor of ours": that is the lease of a push and the divergence test of a fetch.

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::git::{BranchName, Oid, PushUpdate, RefUpdate, Repo};
use crate::state::{keep_ref, BranchState, BranchStatus, RunState, State, KEEP_PREFIX, STATE_REF};

/// Where fetched run refs (`refs/align/*` of the remote) wait while they are checked,
/// before they replace ours.
pub const INCOMING_PREFIX: &str = "refs/align-incoming/";

/// How two checkpoints of the same chain relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// The same checkpoint.
    Same,
    /// Ours is missing (no run here) or an ancestor of theirs: theirs can be taken.
    Behind,
    /// Theirs is an ancestor of ours: we have all they have, and more.
    Ahead,
    /// Each has checkpoints the other lacks.
    Diverged,
}

/// How our checkpoint relates to theirs (both present in this repository).
pub fn relation(repo: &Repo, ours: Option<Oid>, theirs: Oid) -> Result<Relation> {
    Ok(match ours {
        None => Relation::Behind,
        Some(ours) if ours == theirs => Relation::Same,
        Some(ours) if repo.is_ancestor(ours, theirs)? => Relation::Behind,
        Some(ours) if repo.is_ancestor(theirs, ours)? => Relation::Ahead,
        Some(_) => Relation::Diverged,
    })
}

/// Where a branch of the run belongs now: None while it is being aligned (either its
/// original or its new oid is right).
pub fn wanted_tip(run: RunState, branch: &BranchState) -> Option<Oid> {
    if run == RunState::Cancelled {
        return Some(branch.original);
    }
    match branch.status {
        BranchStatus::Aligned => branch.new.or(Some(branch.original)),
        BranchStatus::Current => None,
        _ => Some(branch.original),
    }
}

/// A local branch to set so that it is where the run has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchFix {
    pub name: String,
    /// Where it is (None: it does not exist here).
    pub from: Option<Oid>,
    pub to: Oid,
}

/// How far [`local_fixes`] goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sync {
    /// Create the missing branches; leave the others as they are.
    CreateMissing,
    /// Also move branches to where the run has them now, refusing (naming it) a branch
    /// at an oid the run does not know.
    All,
}

/// The local branches to create (or, with [`Sync::All`], move) so that they are where
/// `state` has them. A branch at an oid the run does not know is never touched.
pub fn local_fixes(repo: &Repo, state: &State, sync: Sync) -> Result<Vec<BranchFix>> {
    let local: HashMap<String, Oid> = repo.local_branches()?.into_iter().collect();
    let mut fixes = Vec::new();
    // A branch `--prune` deleted (and no cancel brought back) stays deleted.
    let deleted = |b: &&BranchState| b.pruned && b.status == BranchStatus::Landed;
    for branch in state.branches.iter().filter(|b| !deleted(b)) {
        let wanted = wanted_tip(state.state, branch);
        let fix = |from: Option<Oid>, to: Oid| BranchFix {
            name: branch.name.clone(),
            from,
            to,
        };
        match local.get(&branch.name).copied() {
            None => fixes.push(fix(None, wanted.unwrap_or(branch.original))),
            Some(_) if sync == Sync::CreateMissing => {}
            Some(at) if !branch.knows(at) => {
                return Err(Error::RefMoved {
                    branch: branch.name.clone(),
                    expected: branch.known_tips(),
                    actual: at.to_string(),
                })
            }
            Some(at) => fixes.extend(wanted.filter(|to| *to != at).map(|to| fix(Some(at), to))),
        }
    }
    Ok(fixes)
}

/// Creates or moves each branch (compare-and-swap on where it was found), with `reason`
/// in the reflog.
pub fn apply_fixes(repo: &Repo, fixes: &[BranchFix], reason: &str) -> Result<()> {
    for fix in fixes {
        let refname = BranchName::new(&fix.name).refname();
        if let RefUpdate::Moved { actual } = repo.update_ref(&refname, fix.to, fix.from, reason)? {
            return Err(Error::RefMoved {
                branch: fix.name.clone(),
                expected: fix
                    .from
                    .map(|o| o.short())
                    .unwrap_or_else(|| "no branch".into()),
                actual: actual
                    .map(|o| o.to_string())
                    .unwrap_or_else(|| "nothing".into()),
            });
        }
    }
    Ok(())
}

/// The remote to share a run through: the one named, else the base's remote (`origin`
/// of `origin/main`, or `branch.<base>.remote`), else `align.remote`, else `origin`.
pub fn choose_remote(repo: &Repo, named: Option<&str>, state: Option<&State>) -> Result<String> {
    if let Some(named) = named {
        return Ok(named.to_string());
    }
    let remotes = repo.remote_names()?;
    if let Some(base) = state.map(|s| s.onto.name.as_str()) {
        if let Some(remote) = remotes.iter().find(|r| {
            base.strip_prefix(r.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
        }) {
            return Ok(remote.clone());
        }
        if let Some(remote) = repo
            .config_string(&format!("branch.{base}.remote"))?
            .filter(|r| r != ".")
        {
            return Ok(remote);
        }
    }
    if let Some(remote) = repo.config_string("align.remote")? {
        return Ok(remote);
    }
    if remotes.iter().any(|r| r == "origin") {
        return Ok("origin".into());
    }
    Err(Error::Remote(
        "no remote named, and this repository has no 'origin'".into(),
    ))
}

/// What a push of the run sets on the remote, given the remote's refs: the state and
/// the run's keep ref, every branch the run moved, and every branch the remote holds at
/// a tip the run has since left; the keep refs of earlier runs go. Each update's lease
/// is the remote's value as listed, so a remote that moves meanwhile refuses the whole
/// (atomic) push. A remote branch at an oid the run does not know is refused, naming it.
pub fn push_updates(
    state: &State,
    checkpoint: Oid,
    keep: Option<Oid>,
    remote: &HashMap<String, Oid>,
    local_tips: &HashMap<String, Oid>,
) -> Result<Vec<PushUpdate>> {
    let run_keep = keep_ref(&state.run_id);
    let mut updates = vec![update(remote, STATE_REF, Some(checkpoint))];
    if let Some(keep) = keep.filter(|k| remote.get(&run_keep) != Some(k)) {
        updates.push(update(remote, &run_keep, Some(keep)));
    }
    let mut stale: Vec<&String> = remote
        .keys()
        .filter(|r| r.starts_with(KEEP_PREFIX) && **r != run_keep)
        .collect();
    stale.sort();
    updates.extend(stale.into_iter().map(|r| update(remote, r, None)));
    for branch in &state.branches {
        let refname = BranchName::new(&branch.name).refname();
        let theirs = remote.get(&refname).copied();
        if let Some(at) = theirs.filter(|at| !branch.knows(*at)) {
            return Err(Error::Remote(format!(
                "branch '{}' on the remote is at {}, which the run does not know; the push was refused",
                branch.name,
                at.short()
            )));
        }
        let wanted = wanted_tip(state.state, branch).or_else(|| {
            local_tips
                .get(&branch.name)
                .copied()
                .filter(|at| branch.knows(*at))
        });
        let Some(to) = wanted else { continue };
        let moved = Some(to) == branch.new && to != branch.original;
        if theirs == Some(to) || (theirs.is_none() && !moved) {
            continue;
        }
        updates.push(update(remote, &refname, Some(to)));
    }
    Ok(updates)
}

/// Sets `refname` on the remote to `to`, leased on its listed value.
fn update(remote: &HashMap<String, Oid>, refname: &str, to: Option<Oid>) -> PushUpdate {
    PushUpdate {
        remote_ref: refname.to_string(),
        to,
        lease: remote.get(refname).copied(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Head, Onto, Options, Strategy};

    fn oid(n: u8) -> Oid {
        Oid::from_bytes([n; 20])
    }

    fn branch(name: &str, original: u8, new: Option<u8>, status: BranchStatus) -> BranchState {
        let mut branch = BranchState::pending(name, "main", false, oid(original));
        branch.new = new.map(oid);
        branch.status = status;
        branch
    }

    fn run(state: RunState, branches: Vec<BranchState>) -> State {
        let onto = Onto {
            name: "main".into(),
            oid: oid(9),
        };
        let head = Head {
            branch: None,
            oid: None,
        };
        let mut run = State::started(
            "r".into(),
            onto,
            Strategy::Rebase,
            Options::default(),
            head,
            branches,
        );
        run.state = state;
        run
    }

    fn targets(updates: &[PushUpdate]) -> Vec<(String, Option<Oid>, Option<Oid>)> {
        updates
            .iter()
            .map(|u| (u.remote_ref.clone(), u.to, u.lease))
            .collect()
    }

    #[test]
    fn a_paused_run_pushes_its_moved_branches_and_leaves_pending_ones() {
        let state = run(
            RunState::Paused,
            vec![
                branch("done", 1, Some(2), BranchStatus::Aligned),
                branch("todo", 3, None, BranchStatus::Pending),
                branch("local-only", 4, Some(5), BranchStatus::Aligned),
            ],
        );
        let remote = HashMap::from([
            (STATE_REF.to_string(), oid(20)),
            ("refs/align/runs/earlier".to_string(), oid(19)),
            ("refs/heads/done".to_string(), oid(1)),
            ("refs/heads/todo".to_string(), oid(3)),
        ]);
        let updates = push_updates(&state, oid(21), Some(oid(22)), &remote, &HashMap::new());
        assert_eq!(
            targets(&updates.unwrap()),
            [
                (STATE_REF.into(), Some(oid(21)), Some(oid(20))),
                ("refs/align/runs/r".into(), Some(oid(22)), None),
                ("refs/align/runs/earlier".into(), None, Some(oid(19))),
                ("refs/heads/done".into(), Some(oid(2)), Some(oid(1))),
                ("refs/heads/local-only".into(), Some(oid(5)), None),
            ]
        );
    }

    #[test]
    fn a_cancelled_run_puts_the_remote_branches_back() {
        let state = run(
            RunState::Cancelled,
            vec![branch("done", 1, Some(2), BranchStatus::Aligned)],
        );
        let remote = HashMap::from([("refs/heads/done".to_string(), oid(2))]);
        let updates = push_updates(&state, oid(21), None, &remote, &HashMap::new()).unwrap();
        assert_eq!(
            targets(&updates)[1],
            ("refs/heads/done".into(), Some(oid(1)), Some(oid(2)))
        );
    }

    #[test]
    fn a_remote_branch_the_run_does_not_know_refuses_the_push() {
        let state = run(
            RunState::Paused,
            vec![branch("done", 1, Some(2), BranchStatus::Aligned)],
        );
        let remote = HashMap::from([("refs/heads/done".to_string(), oid(7))]);
        let refused = push_updates(&state, oid(21), None, &remote, &HashMap::new());
        assert!(matches!(refused, Err(Error::Remote(m)) if m.contains("'done'")));
    }
}
