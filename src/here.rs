//! What this repository alone knows about runs, kept in the common git directory and
//! never shared: which runs git-align has worked on here.

use std::fs;
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::git::Repo;

/// Whether a git-align command has worked on run `run_id` in this repository (started
/// it, took it over with `git align fetch`, or went on with it), as opposed to a run
/// brought by a plain `git fetch` of `refs/align/*`. Local: never shared.
pub fn worked_here(repo: &Repo, run_id: &str) -> bool {
    worked_marker(repo, run_id).exists()
}

/// Records that this repository worked on run `run_id`.
pub fn mark_worked_here(repo: &Repo, run_id: &str) -> Result<()> {
    let path = worked_marker(repo, run_id);
    let io = |e| Error::io(format!("cannot write {}", path.display()), e);
    fs::create_dir_all(path.parent().expect("the marker is in a folder")).map_err(io)?;
    fs::write(&path, b"").map_err(io)
}

fn worked_marker(repo: &Repo, run_id: &str) -> PathBuf {
    repo.common_dir().join("align/runs-here").join(run_id)
}
