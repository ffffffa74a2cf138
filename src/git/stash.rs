//! The autostash: uncommitted changes of the checked-out branch put aside for a run and
//! brought back at its end, as `git rebase --autostash` does. The entry waits in the
//! stash list (`refs/stash`) until it is applied, so nothing is lost whatever becomes of
//! the run: a user can always `git stash pop` it.

use super::{GitContext, Identity, Oid, Repo};
use crate::error::Result;

/// What bringing an autostash back came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unstash {
    /// Applied to the work tree and dropped from the stash list.
    Applied,
    /// Applied with conflicts, left in the work tree as `git stash apply` leaves them; the
    /// entry stays in the stash list.
    Conflicted,
    /// It cannot be applied; it stays in the stash list, the work tree unchanged.
    Kept,
    /// It is not in this repository's stash list (applied already, dropped by the user,
    /// or the run was stashed on another machine).
    NotListed,
}

/// Stashes the changes to tracked files (index and work tree) with `message`, leaving
/// the work tree and index at HEAD; returns the stash commit.
pub fn stash_changes(repo: &Repo, stasher: &Identity, message: &str) -> Result<Oid> {
    if repo.git_refs.is_some() {
        return by_git::stash(repo, stasher, message);
    }
    let mut inner = open(repo)?;
    let oid = inner
        .stash_save(&stasher.signature()?, message, None)
        .ctx(|| "cannot stash the uncommitted changes".into())?;
    Ok(Oid::from_git(oid))
}

/// Applies the stash entry `stash` to the work tree (without restoring the index, as
/// `git stash apply` does) and drops it from the list, unless that left conflicts.
pub fn unstash(repo: &Repo, stash: Oid) -> Result<Unstash> {
    if repo.git_refs.is_some() {
        return by_git::unstash(repo, stash);
    }
    let mut inner = open(repo)?;
    let mut position = None;
    inner
        .stash_foreach(|index, _, oid| {
            if *oid == stash.to_git() {
                position = Some(index);
            }
            position.is_none()
        })
        .ctx(|| "cannot read the stash list".into())?;
    let Some(index) = position else {
        return Ok(Unstash::NotListed);
    };
    if inner.stash_apply(index, None).is_err() {
        return Ok(Unstash::Kept);
    }
    let conflicted = inner
        .index()
        .ctx(|| "cannot read the index".into())?
        .has_conflicts();
    if conflicted {
        return Ok(Unstash::Conflicted);
    }
    inner
        .stash_drop(index)
        .ctx(|| format!("cannot drop stash@{{{index}}}"))?;
    Ok(Unstash::Applied)
}

/// A second handle on the repository (libgit2's stash calls need a mutable one).
fn open(repo: &Repo) -> Result<git2::Repository> {
    super::checkout::open(repo.git_dir())
}

/// The same through the system git, for refs libgit2 cannot write (reftable).
mod by_git {
    use std::process::{Command, Stdio};

    use super::{Oid, Repo, Unstash};
    use crate::error::{Error, Result};
    use crate::git::Identity;

    fn git(repo: &Repo) -> Command {
        let mut git = crate::git::git_refs::quiet_git();
        if let Some(workdir) = repo.workdir() {
            git.arg("-C").arg(workdir);
        }
        git.stdin(Stdio::null());
        git
    }

    fn run(mut git: Command, what: &str) -> Result<std::process::Output> {
        git.output().map_err(|e| Error::io(what.to_string(), e))
    }

    pub(super) fn stash(repo: &Repo, stasher: &Identity, message: &str) -> Result<Oid> {
        let before = repo.ref_target("refs/stash")?;
        let mut push = git(repo);
        push.args(["stash", "push", "-q", "-m", message])
            .env("GIT_COMMITTER_NAME", &stasher.name)
            .env("GIT_COMMITTER_EMAIL", &stasher.email);
        let out = run(push, "cannot stash the uncommitted changes")?;
        if !out.status.success() {
            return Err(Error::Git {
                context: "cannot stash the uncommitted changes".into(),
                message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            });
        }
        // git stash saves nothing where it sees no change (a submodule's, say): the
        // entry on top would then be an older one of the user's, never to be taken.
        match repo.ref_target("refs/stash")? {
            Some(entry) if Some(entry) != before => Ok(entry),
            _ => Err(Error::Refused(
                "git stash saw no change to put aside; commit or stash it yourself".into(),
            )),
        }
    }

    pub(super) fn unstash(repo: &Repo, stash: Oid) -> Result<Unstash> {
        let mut list = git(repo);
        list.args(["stash", "list", "--format=%H"]);
        let listed = run(list, "cannot read the stash list")?;
        let position = String::from_utf8_lossy(&listed.stdout)
            .lines()
            .position(|line| line.trim() == stash.to_string());
        let Some(index) = position else {
            return Ok(Unstash::NotListed);
        };
        let entry = format!("stash@{{{index}}}");
        let mut apply = git(repo);
        apply
            .args(["stash", "apply", "-q", &entry])
            .stdout(Stdio::null());
        let applied = run(apply, "cannot apply the stash")?;
        let mut unmerged = git(repo);
        unmerged.args(["ls-files", "--unmerged"]);
        let conflicted = !run(unmerged, "cannot read the index")?.stdout.is_empty();
        if conflicted {
            return Ok(Unstash::Conflicted);
        }
        if !applied.status.success() {
            return Ok(Unstash::Kept);
        }
        let mut drop = git(repo);
        drop.args(["stash", "drop", "-q", &entry]);
        run(drop, "cannot drop the stash entry")?;
        Ok(Unstash::Applied)
    }
}
