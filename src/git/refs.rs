//! Refs: reading, listing, compare-and-swap moves with reflog messages, transactions.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::{found, GitContext, Oid, Repo};
use crate::error::{Error, Result};

/// Where HEAD points (and, in a run's state, where it pointed before the run).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Head {
    /// The branch HEAD is on (short name), or None when detached or unborn.
    pub branch: Option<String>,
    /// The commit HEAD resolves to.
    pub oid: Option<Oid>,
}

/// The result of a compare-and-swap ref update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefUpdate {
    /// The ref now points at the new oid.
    Done,
    /// The ref was not at the expected oid; it is at `actual` (None: missing).
    Moved { actual: Option<Oid> },
}

/// One ref in a transaction: move `refname` from `from` to `to` (None: absent, so a
/// move from None creates the ref and one to None deletes it).
#[derive(Debug, Clone)]
pub struct RefMove {
    pub refname: String,
    pub from: Option<Oid>,
    pub to: Option<Oid>,
}

/// How long a ref that another writer holds locked is waited for: a concurrent git
/// command (`git gc` packing refs) holds it for far less.
const LOCK_WAIT: Duration = Duration::from_secs(1);

/// Runs `attempt` until it does not fail on a locked ref, for at most [`LOCK_WAIT`].
fn while_locked<T>(
    mut attempt: impl FnMut() -> std::result::Result<T, git2::Error>,
) -> std::result::Result<T, git2::Error> {
    let deadline = Instant::now() + LOCK_WAIT;
    loop {
        match attempt() {
            Err(e) if e.code() == git2::ErrorCode::Locked && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

impl Repo {
    /// A libgit2 failure on `refname`: a lock file in the way becomes
    /// [`Error::RefLocked`] naming it, anything else a git error saying `what`.
    fn ref_error(&self, error: git2::Error, refname: &str, what: &str) -> Error {
        if error.code() != git2::ErrorCode::Locked {
            return Error::Git {
                context: format!("{what} {refname}"),
                message: error.message().to_string(),
            };
        }
        // libgit2 says "failed to lock file '<path>' for writing".
        let path = error
            .message()
            .split('\'')
            .nth(1)
            .map(str::to_string)
            .unwrap_or_else(|| {
                self.common_dir()
                    .join(format!("{refname}.lock"))
                    .display()
                    .to_string()
            });
        Error::RefLocked {
            refname: refname.to_string(),
            path,
        }
    }

    /// Removes the lock files of `refnames` that a restore begun at `since` (seconds since
    /// the epoch), whose process has since died, left: made since then, and untouched for
    /// [`LOCK_WAIT`] (waited for, if need be), which no live git holds a ref lock for.
    /// Returns the files removed.
    pub fn clear_abandoned_ref_locks(&self, refnames: &[&str], since: i64) -> Result<Vec<PathBuf>> {
        let since = UNIX_EPOCH + Duration::from_secs(since.max(0) as u64);
        let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
        let candidates: Vec<(PathBuf, SystemTime)> = self
            .lock_files(refnames)
            .into_iter()
            .map(|(_, path)| path)
            .filter_map(|path| modified(&path).map(|at| (path, at)))
            .filter(|(_, at)| *at >= since)
            .collect();
        if let Some(newest) = candidates.iter().map(|(_, at)| *at).max() {
            let age = SystemTime::now().duration_since(newest).unwrap_or_default();
            std::thread::sleep(LOCK_WAIT.saturating_sub(age));
        }
        let mut removed = Vec::new();
        for (path, at) in candidates {
            if modified(&path) == Some(at) {
                std::fs::remove_file(&path)
                    .map_err(|e| Error::io(format!("cannot remove {}", path.display()), e))?;
                removed.push(path);
            }
        }
        Ok(removed)
    }

    /// Refuses ([`Error::RefLocked`]) when one of `refnames` has a lock file, so that a
    /// transaction over them is not started in vain.
    pub fn refuse_locked_refs(&self, refnames: &[&str]) -> Result<()> {
        for (refname, path) in self.lock_files(refnames) {
            if path.exists() {
                return Err(Error::RefLocked {
                    refname: refname.to_string(),
                    path: path.display().to_string(),
                });
            }
        }
        Ok(())
    }

    /// The lock file each of `refnames` is written under: its own (files backend), or
    /// the one of the whole table stack (reftable).
    fn lock_files<'n>(&self, refnames: &[&'n str]) -> Vec<(&'n str, PathBuf)> {
        match self.git_refs {
            None => refnames
                .iter()
                .map(|refname| (*refname, self.common_dir().join(format!("{refname}.lock"))))
                .collect(),
            Some(_) => refnames
                .first()
                .map(|refname| {
                    (
                        *refname,
                        self.common_dir().join("reftable/tables.list.lock"),
                    )
                })
                .into_iter()
                .collect(),
        }
    }

    /// Whether refs go through the system git (reftable): a transaction of many refs
    /// then costs one git, where one per ref would cost a git each.
    pub fn refs_through_git(&self) -> bool {
        self.git_refs.is_some()
    }

    /// Resolves a revision to a commit.
    pub fn resolve_commit(&self, rev: &str) -> Result<Oid> {
        if let Some(git) = &self.git_refs {
            return git
                .resolve_commit(rev)?
                .ok_or_else(|| Error::UnknownRevision(rev.to_string()));
        }
        let object = self
            .inner
            .revparse_single(rev)
            .map_err(|_| Error::UnknownRevision(rev.to_string()))?;
        let commit = object
            .peel_to_commit()
            .map_err(|_| Error::UnknownRevision(rev.to_string()))?;
        Ok(Oid::from_git(commit.id()))
    }

    /// The oid a ref points to, or None when it does not exist.
    pub fn ref_target(&self, refname: &str) -> Result<Option<Oid>> {
        if let Some(git) = &self.git_refs {
            return git.target(refname);
        }
        let Some(reference) =
            found(self.inner.find_reference(refname)).ctx(|| format!("cannot read {refname}"))?
        else {
            return Ok(None);
        };
        let resolved = reference
            .resolve()
            .ctx(|| format!("cannot resolve {refname}"))?;
        Ok(resolved.target().map(Oid::from_git))
    }

    /// Every local branch with its tip, sorted by name.
    pub fn local_branches(&self) -> Result<Vec<(String, Oid)>> {
        if let Some(git) = &self.git_refs {
            let branches = git.list("refs/heads/")?.into_iter();
            return Ok(branches
                .filter_map(|(name, oid)| {
                    Some((name.strip_prefix("refs/heads/")?.to_string(), oid))
                })
                .collect());
        }
        let mut out = Vec::new();
        let branches = self
            .inner
            .branches(Some(git2::BranchType::Local))
            .ctx(|| "cannot list branches".into())?;
        for item in branches {
            let (branch, _) = item.ctx(|| "cannot list branches".into())?;
            let reference = branch.get();
            let (Ok(name), Some(oid)) = (reference.shorthand(), reference.target()) else {
                continue;
            };
            out.push((name.to_string(), Oid::from_git(oid)));
        }
        out.sort();
        Ok(out)
    }

    /// The names of the refs matching a glob (`refs/notes/*`).
    pub fn refs_matching(&self, glob: &str) -> Result<Vec<String>> {
        if let Some(git) = &self.git_refs {
            return Ok(git.list(glob)?.into_iter().map(|(name, _)| name).collect());
        }
        let refs = self
            .inner
            .references_glob(glob)
            .ctx(|| format!("cannot list refs matching {glob}"))?;
        Ok(refs
            .filter_map(|r| r.ok().and_then(|r| r.name().ok().map(str::to_string)))
            .collect())
    }

    /// The short name of `refs/remotes/<remote>/HEAD`'s target (e.g. `origin/main`).
    pub fn remote_default_branch(&self, remote: &str) -> Result<Option<String>> {
        let refname = format!("refs/remotes/{remote}/HEAD");
        if let Some(git) = &self.git_refs {
            return Ok(git
                .symbolic_target(&refname)?
                .and_then(|t| t.strip_prefix("refs/remotes/").map(str::to_string)));
        }
        let reference =
            found(self.inner.find_reference(&refname)).ctx(|| format!("cannot read {refname}"))?;
        Ok(reference.and_then(|r| {
            r.symbolic_target()
                .ok()
                .flatten()
                .and_then(|t| t.strip_prefix("refs/remotes/"))
                .map(str::to_string)
        }))
    }

    /// Where HEAD points.
    pub fn head(&self) -> Result<Head> {
        if let Some(git) = &self.git_refs {
            let branch = git
                .symbolic_target("HEAD")?
                .and_then(|t| t.strip_prefix("refs/heads/").map(str::to_string));
            return Ok(Head {
                branch,
                oid: git.target("HEAD")?,
            });
        }
        let head = self
            .inner
            .find_reference("HEAD")
            .ctx(|| "cannot read HEAD".into())?;
        let branch = head
            .symbolic_target()
            .ok()
            .flatten()
            .and_then(|t| t.strip_prefix("refs/heads/"))
            .map(str::to_string);
        let oid = head
            .resolve()
            .ok()
            .and_then(|r| r.target())
            .map(Oid::from_git);
        Ok(Head { branch, oid })
    }

    /// Compare-and-swap: moves `refname` to `new` only if it is at `expected` (None: must
    /// not exist). Writes `message` to the reflog. A ref another writer holds locked is
    /// waited for a moment, then reported ([`Error::RefLocked`]), never taken as moved.
    pub fn update_ref(
        &self,
        refname: &str,
        new: Oid,
        expected: Option<Oid>,
        message: &str,
    ) -> Result<RefUpdate> {
        self.flush_objects()?;
        if let Some(git) = &self.git_refs {
            let update = [(refname, expected, Some(new))];
            return match git.transaction(&update, message)? {
                Ok(()) => Ok(RefUpdate::Done),
                Err(said) => match self.ref_target(refname)? {
                    actual if actual != expected => Ok(RefUpdate::Moved { actual }),
                    _ => Err(self.git_refs_failure(refname, said)),
                },
            };
        }
        let result = while_locked(|| match expected {
            Some(old) => self
                .inner
                .reference_matching(refname, new.to_git(), true, old.to_git(), message)
                .map(|_| ()),
            None => self
                .inner
                .reference(refname, new.to_git(), false, message)
                .map(|_| ()),
        });
        match result {
            Ok(_) => Ok(RefUpdate::Done),
            Err(e)
                if matches!(
                    e.code(),
                    git2::ErrorCode::Modified | git2::ErrorCode::Exists | git2::ErrorCode::NotFound
                ) =>
            {
                Ok(RefUpdate::Moved {
                    actual: self.ref_target(refname)?,
                })
            }
            Err(e) => Err(self.ref_error(e, refname, "cannot update")),
        }
    }

    /// Moves every ref in `moves` in one locked transaction, after checking that each is
    /// at its `from` oid. Returns the first ref found elsewhere, changing nothing. A ref
    /// another writer holds locked is waited for a moment, then reported, changing
    /// nothing.
    pub fn move_refs_atomically(
        &self,
        moves: &[RefMove],
        message: &str,
    ) -> Result<Option<(String, Option<Oid>)>> {
        self.flush_objects()?;
        if let Some(git) = &self.git_refs {
            // One listing instead of a git per ref.
            let now: std::collections::HashMap<String, Oid> =
                git.list("refs/")?.into_iter().collect();
            for m in moves {
                let actual = now.get(&m.refname).copied();
                if actual != m.from {
                    return Ok(Some((m.refname.clone(), actual)));
                }
            }
            let updates: Vec<(&str, Option<Oid>, Option<Oid>)> = moves
                .iter()
                .map(|m| (m.refname.as_str(), m.from, m.to))
                .collect();
            return match git.transaction(&updates, message)? {
                Ok(()) => Ok(None),
                Err(said) => {
                    let refname = moves.first().map_or("a ref", |m| m.refname.as_str());
                    Err(self.git_refs_failure(refname, said))
                }
            };
        }
        let mut locked_ref = None;
        let tx = while_locked(|| {
            let mut tx = self.inner.transaction()?;
            for m in moves {
                locked_ref = Some(m.refname.as_str());
                tx.lock_ref(&m.refname)?;
            }
            Ok(tx)
        });
        let mut tx = match tx {
            Ok(tx) => tx,
            Err(e) => {
                let refname = locked_ref.unwrap_or("a ref");
                return Err(self.ref_error(e, refname, "cannot lock"));
            }
        };
        for m in moves {
            let actual = self.ref_target(&m.refname)?;
            if actual != m.from {
                return Ok(Some((m.refname.clone(), actual)));
            }
        }
        for m in moves {
            match m.to {
                Some(to) => tx.set_target(&m.refname, to.to_git(), None, message),
                None => tx.remove(&m.refname),
            }
            .ctx(|| format!("cannot update {}", m.refname))?;
        }
        tx.commit()
            .ctx(|| "cannot commit the ref transaction".into())?;
        Ok(None)
    }

    /// What a failed ref transaction of the system git means: the table stack locked by
    /// another writer ([`Error::RefLocked`]), or another failure.
    fn git_refs_failure(&self, refname: &str, said: String) -> Error {
        let lock = self.common_dir().join("reftable/tables.list.lock");
        if lock.exists() {
            return Error::RefLocked {
                refname: refname.to_string(),
                path: lock.display().to_string(),
            };
        }
        Error::Git {
            context: format!("cannot update {refname}"),
            message: said,
        }
    }

    /// Deletes a ref if it exists.
    pub fn delete_ref(&self, refname: &str) -> Result<()> {
        if let Some(git) = &self.git_refs {
            let Some(actual) = git.target(refname)? else {
                return Ok(());
            };
            return git
                .transaction(&[(refname, Some(actual), None)], "align: delete")?
                .map_err(|said| self.git_refs_failure(refname, said));
        }
        match found(self.inner.find_reference(refname)).ctx(|| format!("cannot read {refname}"))? {
            Some(mut reference) => reference
                .delete()
                .ctx(|| format!("cannot delete {refname}")),
            None => Ok(()),
        }
    }
}
