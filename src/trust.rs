//! Which `--exec` commands this repository has agreed to run. A run's state can come
//! from another machine (`git align fetch`, or a plain `git fetch` of `refs/align/*`),
//! and its `--exec` command would then run here: it runs only once a person here gave
//! it (`--exec`, `git config align.exec`) or confirmed it (`continue --trust-exec`).
//! The list lives beside the lock, in `<git dir>/align/trusted-exec`, never in the
//! shared state.

use std::fs;
use std::io::Write;
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::git::Repo;

/// The file that lists the trusted commands, one JSON string a line.
const TRUST_FILE: &str = "align/trusted-exec";

fn trust_file(repo: &Repo) -> PathBuf {
    repo.common_dir().join(TRUST_FILE)
}

/// Whether `command` was given or confirmed in this repository.
pub fn is_trusted(repo: &Repo, command: &str) -> bool {
    if repo
        .config_string("align.exec")
        .ok()
        .flatten()
        .is_some_and(|configured| configured == command)
    {
        return true;
    }
    let Ok(text) = fs::read_to_string(trust_file(repo)) else {
        return false;
    };
    text.lines()
        .filter_map(|line| serde_json::from_str::<String>(line).ok())
        .any(|trusted| trusted == command)
}

/// Records that `command` may run in this repository.
pub fn trust(repo: &Repo, command: &str) -> Result<()> {
    if is_trusted(repo, command) {
        return Ok(());
    }
    let path = trust_file(repo);
    let io = |e| {
        Error::io(
            format!("cannot record a trusted command in {}", path.display()),
            e,
        )
    };
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(io)?;
    }
    let line = serde_json::to_string(command).expect("a string serialises");
    let mut file = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(io)?;
    writeln!(file, "{line}").map_err(io)
}

/// Refuses a run whose `--exec` command nobody here gave or confirmed.
pub fn require_trusted(repo: &Repo, exec: Option<&str>) -> Result<()> {
    match exec {
        Some(command) if !is_trusted(repo, command) => {
            Err(Error::UntrustedExec(format!("{command:?}")))
        }
        _ => Ok(()),
    }
}
