//! Persistence of the run state: each checkpoint is a commit on `refs/align/state` whose
//! tree holds `state.json` and whose first parent is the previous checkpoint. Every update
//! is a compare-and-swap against the checkpoint this process last saw.

use std::collections::HashSet;

use super::{State, SCHEMA_VERSION};
use crate::error::{Error, Result};
use crate::git::{Identity, Oid, RefUpdate, Repo};

/// The ref whose history is the run's audit trail.
pub const STATE_REF: &str = "refs/align/state";
/// The ref that keeps every original and rewritten tip of the run reachable.
pub const KEEP_REF: &str = "refs/align/keep";
/// The file in a checkpoint's tree.
const STATE_FILE: &str = "state.json";
/// The largest `state.json` this binary accepts.
const MAX_STATE_BYTES: usize = 256 << 20;

/// One checkpoint read back from history.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    /// The checkpoint commit.
    pub commit: Oid,
    /// Its message's first line.
    pub message: String,
    /// When it was written (seconds since the epoch).
    pub time: i64,
    /// The state it holds.
    pub state: State,
}

/// Reads and writes checkpoints, remembering the last one seen for compare-and-swap.
pub struct Store<'r> {
    repo: &'r Repo,
    head: Option<Oid>,
    keep: Option<Oid>,
}

impl<'r> Store<'r> {
    /// Opens the store at the repository's current checkpoint.
    pub fn open(repo: &'r Repo) -> Result<Store<'r>> {
        Ok(Store {
            repo,
            head: repo.ref_target(STATE_REF)?,
            keep: repo.ref_target(KEEP_REF)?,
        })
    }

    /// The state at the current checkpoint, if there is one.
    pub fn load(&self) -> Result<Option<State>> {
        match self.head {
            Some(commit) => Ok(Some(read_state(self.repo, commit)?)),
            None => Ok(None),
        }
    }

    /// The checkpoint commit this store last saw.
    pub fn head(&self) -> Option<Oid> {
        self.head
    }

    /// Writes a checkpoint and moves `refs/align/state` to it if it is still where this
    /// store last saw it.
    pub fn save(&mut self, state: &State, event: &str) -> Result<Oid> {
        let json =
            serde_json::to_vec_pretty(state).map_err(|e| Error::CorruptState(e.to_string()))?;
        let blob = self.repo.write_blob(&json)?;
        let tree = self.repo.write_flat_tree(&[(STATE_FILE, blob)])?;
        let tool = Identity::tool()?;
        let message = format!("align {}: {event}\n", state.run_id);
        let parents: Vec<Oid> = self.head.into_iter().collect();
        let commit = self
            .repo
            .create_commit(tree, &parents, &tool, &tool, &message)?;
        let reflog = format!("align: checkpoint {}", state.run_id);
        crate::crashpoint::point();
        let update = self
            .repo
            .update_ref(STATE_REF, commit, self.head, &reflog)?;
        crate::crashpoint::point();
        match update {
            RefUpdate::Done => {
                self.head = Some(commit);
                Ok(commit)
            }
            RefUpdate::Moved { .. } => Err(Error::LostRace),
        }
    }

    /// Keeps `tips` reachable from `refs/align/keep`. With `fresh`, the chain of an earlier
    /// run is let go.
    pub fn keep(&mut self, tips: &[Oid], fresh: bool) -> Result<()> {
        let mut seen = HashSet::new();
        let previous = if fresh { None } else { self.keep };
        let parents: Vec<Oid> = previous
            .into_iter()
            .chain(tips.iter().copied())
            .filter(|oid| seen.insert(*oid))
            .collect();
        if parents.is_empty() || (parents.len() == 1 && previous.is_some()) {
            return Ok(());
        }
        let tree = self.repo.write_flat_tree(&[])?;
        let tool = Identity::tool()?;
        let commit = self.repo.create_commit(
            tree,
            &parents,
            &tool,
            &tool,
            "align: keep objects of the run\n",
        )?;
        match self
            .repo
            .update_ref(KEEP_REF, commit, self.keep, "align: keep")?
        {
            RefUpdate::Done => {
                self.keep = Some(commit);
                Ok(())
            }
            RefUpdate::Moved { .. } => Err(Error::LostRace),
        }
    }

    /// Every checkpoint, newest first, following first parents.
    pub fn history(&self) -> Result<Vec<Checkpoint>> {
        let mut out = Vec::new();
        let mut next = self.head;
        while let Some(commit) = next {
            let meta = self.repo.commit_meta(commit)?;
            out.push(Checkpoint {
                commit,
                message: self.repo.commit_summary(commit)?,
                time: self.repo.commit_time(commit)?,
                state: read_state(self.repo, commit)?,
            });
            next = meta.parents.first().copied();
        }
        Ok(out)
    }
}

/// Reads and validates the state held by a checkpoint commit.
pub fn read_state(repo: &Repo, commit: Oid) -> Result<State> {
    let bytes = repo
        .read_file_in_commit(commit, STATE_FILE)?
        .ok_or_else(|| {
            Error::CorruptState(format!("checkpoint {} has no {STATE_FILE}", commit.short()))
        })?;
    parse_state(&bytes)
}

/// Parses and validates `state.json`.
pub fn parse_state(bytes: &[u8]) -> Result<State> {
    if bytes.len() > MAX_STATE_BYTES {
        return Err(Error::CorruptState(format!(
            "{STATE_FILE} is {} bytes, larger than allowed",
            bytes.len()
        )));
    }
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| Error::CorruptState(format!("{STATE_FILE}: {e}")))?;
    let version = value
        .get("schema_version")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| Error::CorruptState(format!("{STATE_FILE} has no schema_version")))?;
    if version > SCHEMA_VERSION {
        return Err(Error::NewerSchema(version));
    }
    let state: State = serde_json::from_value(value)
        .map_err(|e| Error::CorruptState(format!("{STATE_FILE}: {e}")))?;
    validate(&state)?;
    Ok(state)
}

/// Checks what a forged or damaged state could abuse: branch names and duplicates.
fn validate(state: &State) -> Result<()> {
    let mut names = HashSet::new();
    for branch in &state.branches {
        if !is_safe_branch_name(&branch.name) {
            return Err(Error::CorruptState(format!(
                "bad branch name {:?}",
                branch.name
            )));
        }
        if !names.insert(branch.name.as_str()) {
            return Err(Error::CorruptState(format!(
                "branch {:?} listed twice",
                branch.name
            )));
        }
    }
    if let Some(current) = &state.current {
        if !names.contains(current.as_str()) {
            return Err(Error::CorruptState(format!(
                "current branch {current:?} is not in the run"
            )));
        }
    }
    Ok(())
}

/// Whether `name` is a branch name git accepts under `refs/heads/`.
pub fn is_safe_branch_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 1024
        && !name.starts_with('-')
        && !name.contains("..")
        && Repo::is_valid_refname(&format!("refs/heads/{name}"))
}
