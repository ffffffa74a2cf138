//! `--prune`: deleting the branches that landed, at the end of a run. Write-ahead like
//! every move: a checkpoint marks them pruned before their refs go, so that after a
//! kill `continue` finishes the deletions and `cancel`/`undo` create them again.

use super::Runner;
use crate::error::Result;
use crate::git::{BranchName, RefMove};
use crate::state::BranchStatus;

impl Runner<'_> {
    /// Deletes the run's landed branches (with `--prune`), except the checked-out one,
    /// those checked out in other worktrees, and those moved since the run started.
    pub(super) fn prune_landed(&mut self) -> Result<()> {
        if !self.state.options.prune {
            return Ok(());
        }
        let here = self.repo.head()?.branch;
        let elsewhere = self.repo.linked_worktree_branches()?;
        let mut deletions = Vec::new();
        for (index, branch) in self.state.branches.iter_mut().enumerate() {
            if branch.status != BranchStatus::Landed {
                continue;
            }
            let refname = BranchName::new(&branch.name).refname();
            let actual = self.repo.ref_target(&refname)?;
            if branch.pruned && actual.is_none() {
                // Deleted by a process killed before its last checkpoint.
                branch.pruned_now();
                continue;
            }
            // Asked again after a kill too: the branch may have been checked out since.
            let kept_because = if here.as_deref() == Some(branch.name.as_str()) {
                Some("checked out here".to_string())
            } else if let Some(path) = elsewhere.get(&branch.name) {
                Some(format!("checked out in worktree {}", path.display()))
            } else if actual != Some(branch.original) {
                Some("moved since the run started".to_string())
            } else {
                None
            };
            if let Some(why) = kept_because {
                self.ui.say(format!(
                    "kept     {} (landed; {})",
                    branch.name,
                    crate::ui::escape_line(&why)
                ));
                branch.keep_landed(&why);
                continue;
            }
            branch.prune();
            let deletion = RefMove {
                refname,
                from: actual,
                to: None,
            };
            deletions.push((index, deletion));
        }
        if deletions.is_empty() {
            return Ok(());
        }
        let event = format!("pruning {} landed branches", deletions.len());
        self.checkpoints.record(&self.state, &[], &event)?;
        crate::crashpoint::point();
        let message = format!("align: prune landed branch ({})", self.state.run_id);
        for (index, deletion) in &deletions {
            let moved = self
                .repo
                .move_refs_atomically(std::slice::from_ref(deletion), &message)?
                .is_some();
            let branch = &mut self.state.branches[*index];
            let name = &branch.name;
            if moved {
                self.ui
                    .warn(format!("{name} moved while being pruned; left as it is"));
                branch.keep_landed("moved while being pruned");
            } else {
                self.ui.say(format!(
                    "pruned   {name} (landed; 'git align undo' brings it back)"
                ));
                branch.pruned_now();
            }
            crate::crashpoint::point();
        }
        Ok(())
    }
}
