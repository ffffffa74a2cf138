//! The conflict lifecycle of a branch: stopped on a conflict, the conflict set up where
//! a person resolves it, the resolution read, committed, recorded for reuse, and the
//! rest of the branch replayed.

use std::path::{Path, PathBuf};

use super::{Pause, Runner};
use crate::error::{Error, Result};
use crate::git::{
    conflict_in_progress, conflict_worktree_path, create_conflict_worktree, create_main_conflict,
    lent_head, main_conflict_on, read_resolution, record_for_rerere, release_conflict_worktree,
    remove_conflict_worktree_of, Apply, ConflictedPath, MainConflict, Oid, Resolved,
};
use crate::replay;
use crate::state::{Conflict, ConflictKind, ConflictWorktree, PauseReason, Resolution, Step};

impl Runner<'_> {
    /// Settles a conflict the way an earlier resolution of the same conflict did.
    pub(super) fn resolver(&self) -> impl Fn(&ConflictedPath) -> Option<Option<Oid>> + '_ {
        |conflict| Resolution::recorded(&self.state.resolutions, conflict)
    }

    /// Leaves the conflict of the branch at `index` in the queue (its partial result
    /// kept, as a checkpoint will name it); the other branches go on.
    pub(super) fn queue_conflict(&mut self, index: usize) -> Result<()> {
        let branch = &self.state.branches[index];
        let conflict = branch
            .conflict
            .as_ref()
            .expect("a branch is queued on a conflict it recorded");
        self.checkpoints
            .keep(&self.state.run_id, &[conflict.partial])?;
        let files: Vec<&str> = conflict.paths.iter().map(|p| p.path.as_str()).collect();
        self.ui.say(format!(
            "conflict {} in {}: it waits, the other branches go on",
            crate::ui::escape_line(&branch.name),
            crate::ui::escape_line(&files.join(", "))
        ));
        Ok(())
    }

    /// Prepares the worktree where the conflict of the branch at `index` is resolved,
    /// and says where it is.
    pub(super) fn stop_on_conflict(&mut self, index: usize) -> Result<Pause> {
        // The batch moves first: a checkpoint it writes must not name a worktree that a
        // kill before the pause's own checkpoint would leave unannounced.
        if let Some(locked) = self.flush()? {
            return Ok(locked);
        }
        let branch = &self.state.branches[index];
        let conflict = branch
            .conflict
            .as_ref()
            .expect("a branch stops on a conflict it recorded");
        let apply = match conflict.kind {
            ConflictKind::Pick => Apply::CherryPick,
            ConflictKind::Merge => {
                let source = self.merge_source(index).to_string();
                let names_it = self.repo.resolve_commit(&source).ok() == Some(conflict.commit);
                Apply::Merge {
                    name: names_it.then_some(source),
                }
            }
        };
        self.checkpoints
            .keep(&self.state.run_id, &[conflict.partial])?;
        let path =
            self.make_conflict_worktree(&branch.name, conflict.partial, apply, conflict.commit)?;
        let files: Vec<&str> = conflict.paths.iter().map(|p| p.path.as_str()).collect();
        let what = match conflict.kind {
            ConflictKind::Pick => format!(
                "replaying {} ({}) of {}",
                conflict.commit.short(),
                self.repo.commit_summary(conflict.commit)?,
                branch.name
            ),
            ConflictKind::Merge => {
                format!("merging {} into {}", self.merge_source(index), branch.name)
            }
        };
        let mut content = format!(
            "conflict {what} in: {}\nresolve it in {}: edit the files, 'git add' them, then 'git align continue'",
            files.join(", "),
            path.display()
        );
        if let Some(head) = lent_head(self.repo)? {
            content.push_str(&format!(
                "\nthis work tree's HEAD is detached for it; it goes back to {head} on continue, skip or cancel"
            ));
        }
        if let Some(queue) = self.state.queue_block(&self.state.branches[index].name) {
            content.push_str(&queue);
        }
        self.state.worktree = Some(path.display().to_string());
        Ok(Pause::new(PauseReason::Conflict, content))
    }

    /// Sets up the conflict of applying `commit` on `at` where the run's option says: in
    /// the work tree git-align runs in when asked for and it can take it, otherwise in a
    /// linked worktree of the branch's own. Returns where it is.
    fn make_conflict_worktree(
        &self,
        name: &str,
        at: Oid,
        apply: Apply,
        commit: Oid,
    ) -> Result<PathBuf> {
        if self.state.options.conflict_worktree == ConflictWorktree::Main {
            let message = format!("align: conflict in {name} ({})", self.state.run_id);
            match create_main_conflict(self.repo, at, apply.clone(), commit, &message)? {
                MainConflict::Ready(path) => return Ok(path),
                MainConflict::Refused(why) => self.ui.warn(format!(
                    "the work tree cannot take the conflict ({why}); it is in a linked worktree"
                )),
            }
        }
        create_conflict_worktree(self.repo, name, at, apply, commit)
    }

    /// Where the conflict of branch `name` (on `partial`) waits to be resolved, if it was
    /// set up here and is still under way there: its linked worktree, or the work tree
    /// lent to it.
    fn conflict_worktree_here(&self, name: &str, partial: Oid) -> Result<Option<PathBuf>> {
        let linked = conflict_worktree_path(self.repo, name);
        if self.state.worktree.as_deref().map(Path::new) == Some(linked.as_path())
            && conflict_in_progress(self.repo, &linked, partial)?
        {
            return Ok(Some(linked));
        }
        main_conflict_on(self.repo, partial)
    }

    /// Refuses, before anything changes, to go on from the current branch's conflict
    /// while its files here are not resolved (what going on would refuse once started).
    pub fn ensure_resolved(&self) -> Result<()> {
        let current = self.state.current.as_deref();
        let Some(branch) = current.and_then(|name| self.state.branch(name)) else {
            return Ok(());
        };
        let Some(conflict) = &branch.conflict else {
            return Ok(());
        };
        let Some(worktree) = self.conflict_worktree_here(&branch.name, conflict.partial)? else {
            return Ok(());
        };
        let paths: Vec<String> = conflict.paths.iter().map(|p| p.path.clone()).collect();
        read_resolution(&worktree, &paths).map(|_| ())
    }

    /// Takes up the resolution a person made in the conflict worktree: commits it (with
    /// the original author and message), records it for reuse (checkpointed before the
    /// worktree goes), and replays the rest of the branch. Refuses, changing nothing,
    /// while the conflict is not resolved.
    pub(super) fn resolve_conflict(&mut self, index: usize) -> Result<Option<Pause>> {
        let branch = &self.state.branches[index];
        let conflict = branch
            .conflict
            .clone()
            .expect("resolve_conflict is called for a branch stopped on a conflict");
        let Some(worktree) = self.conflict_worktree_here(&branch.name, conflict.partial)? else {
            // Queued and not set up yet, made on another machine (the run was fetched),
            // or removed. A resolution recorded since (of the same conflict in another
            // branch) may settle it: the branch is replayed again; else it is set up here.
            let settled = {
                let resolver = self.resolver();
                conflict.paths.iter().all(|path| resolver(path).is_some())
            };
            if settled {
                self.state.branches[index].resolved();
                return self.rebase(index);
            }
            return self.stop_on_conflict(index).map(Some);
        };
        let paths: Vec<String> = conflict.paths.iter().map(|p| p.path.clone()).collect();
        let resolved = read_resolution(&worktree, &paths)?;
        if let Some(why) = record_for_rerere(&worktree) {
            self.ui.warn(format!(
                "git rerere could not record the resolution: {}",
                crate::ui::escape_line(&why)
            ));
        }
        let name = branch.name.clone();
        let tip = self.commit_resolution(index, &conflict, resolved)?;
        for path in &conflict.paths {
            self.state.resolutions.push(Resolution {
                conflict: path.clone(),
                resolved: self.repo.blob_at(tip, &path.path)?,
                commit: tip,
            });
        }
        self.state.branches[index].resolved();
        self.state.step = Some(Step::Rebase);
        self.state.worktree = None;
        // Should the process die from here on, continue replays the branch again and the
        // recorded resolution settles the conflict.
        self.checkpoints
            .record(&self.state, &[tip], &format!("resolved {name}"))?;
        crate::crashpoint::point();
        let message = format!("align: {name} resolved ({})", self.state.run_id);
        release_conflict_worktree(self.repo, worktree.to_str(), &message)?;
        self.ui
            .say(format!("resolved  {name}: {}", paths.join(", ")));
        let rest = match conflict.kind {
            ConflictKind::Merge => Vec::new(),
            ConflictKind::Pick => self.commits_after(index, conflict.commit)?,
        };
        let outcome = {
            let resolver = self.resolver();
            replay::replay_commits(self.repo, &rest, tip, &self.committer, &resolver)?
        };
        self.record_outcome(index, outcome)
    }

    /// Drops the commit the current branch stopped on (`skip --commit`, as `git rebase
    /// --skip`): its conflict worktree is given up, the rest of the branch is replayed
    /// onto the branch rebuilt so far, and the run goes on.
    pub fn drop_conflicting_commit(mut self) -> Result<super::Ended> {
        let index = self
            .state
            .current
            .as_deref()
            .and_then(|name| self.state.branch_index(name))
            .expect("skip --commit checked the run is stopped on a conflict");
        let conflict = self.state.branches[index]
            .conflict
            .clone()
            .expect("skip --commit checked the run is stopped on a conflict");
        let name = self.state.branches[index].name.clone();
        let message = format!(
            "align: {name}: dropped {} ({})",
            conflict.commit.short(),
            self.state.run_id
        );
        let rest = self.commits_after(index, conflict.commit)?;
        release_conflict_worktree(self.repo, self.state.worktree.take().as_deref(), &message)?;
        remove_conflict_worktree_of(self.repo, &name);
        self.state.resume();
        self.state.step = Some(Step::Rebase);
        let branch = &mut self.state.branches[index];
        branch.resolved();
        branch.note = Some(format!("dropped {} by request", conflict.commit.short()));
        self.ui
            .say(format!("dropped  {} from {name}", conflict.commit.short()));
        let outcome = {
            let resolver = self.resolver();
            replay::replay_commits(
                self.repo,
                &rest,
                conflict.partial,
                &self.committer,
                &resolver,
            )?
        };
        if let Some(pause) = self.record_outcome(index, outcome)? {
            return self.pause(pause);
        }
        self.drive()
    }

    /// The commits of the branch at `index` after `commit` (where it stopped), derived
    /// from the refs again; an error if the branch no longer has that commit.
    fn commits_after(&mut self, index: usize, commit: Oid) -> Result<Vec<Oid>> {
        let commits = self.derive_commits(index)?;
        match commits.iter().position(|c| *c == commit) {
            Some(at) => Ok(commits[at + 1..].to_vec()),
            None => Err(Error::RefMoved {
                branch: self.state.branches[index].name.clone(),
                expected: format!("a branch holding {}", commit.short()),
                actual: "a branch without it".into(),
            }),
        }
    }

    /// The commit that carries the resolution: a new commit with the original's author
    /// and message on the worktree's HEAD (or HEAD itself if the person committed).
    fn commit_resolution(
        &mut self,
        index: usize,
        conflict: &Conflict,
        resolved: Resolved,
    ) -> Result<Oid> {
        let head_tree = self.repo.tree_of(resolved.head)?;
        if resolved.head != conflict.partial && resolved.tree == head_tree {
            return Ok(resolved.head);
        }
        match conflict.kind {
            ConflictKind::Pick => {
                if resolved.tree == head_tree {
                    let branch = &mut self.state.branches[index];
                    branch.note = Some(format!(
                        "dropped {} (empty after the resolution)",
                        conflict.commit.short()
                    ));
                    return Ok(resolved.head);
                }
                let new = self.repo.rewrite_commit(
                    conflict.commit,
                    &[resolved.head],
                    resolved.tree,
                    &self.committer,
                )?;
                self.state.branches[index]
                    .rewritten
                    .push((conflict.commit, new));
                Ok(new)
            }
            ConflictKind::Merge => {
                let label = self.merge_label(index);
                let message = replay::merge_message(&label, &self.state.branches[index].name);
                let author = self.repo.author()?;
                self.repo.create_commit(
                    resolved.tree,
                    &[resolved.head, conflict.commit],
                    &author,
                    &self.committer,
                    &message,
                )
            }
        }
    }
}
