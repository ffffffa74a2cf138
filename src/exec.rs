//! The `--exec` check: runs the user's command through `sh -c` in a temporary worktree
//! of a branch's new tip, shows its output as it comes and keeps the tail for the state.
//! A signal or a pause request while it runs is passed on to the command (SIGINT, then
//! SIGTERM, then SIGKILL if it does not stop), and the check counts as interrupted.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::git::{Oid, Repo, GIT_LOCATION_VARS};
use crate::state::PauseReason;
use crate::ui::Ui;
use crate::{crashpoint, lock, signals};

/// How much of the output the state keeps.
const TAIL_LINES: usize = 40;
const TAIL_BYTES: usize = 4096;
/// How often the running command is looked at.
const POLL: Duration = Duration::from_millis(10);
/// After asking the command to stop: when to insist (SIGTERM), when to kill it.
const TERM_AFTER: Duration = Duration::from_secs(3);
const KILL_AFTER: Duration = Duration::from_secs(10);
/// What the check is run on; each field reaches the command as a `GIT_ALIGN_*` variable.
pub struct Check<'a> {
    pub command: &'a str,
    pub branch: &'a str,
    pub onto_name: &'a str,
    pub onto: Oid,
    pub run_id: &'a str,
    pub original: Oid,
    pub tip: Oid,
    pub attempt: u32,
    pub feedback: Option<&'a str>,
}

/// How a check ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckOutcome {
    /// Exit status 0; the output's tail.
    Passed { tail: String },
    /// Any other end; `how` is "exit status N" or "killed by signal N".
    Failed { how: String, tail: String },
    /// A signal or a pause request stopped it; it runs again on continue.
    Interrupted(PauseReason),
}

/// Runs the check in `worktree` (at the tip) and waits for it (or for an interruption).
pub fn run_check(repo: &Repo, worktree: &Path, check: &Check, ui: Ui) -> Result<CheckOutcome> {
    let output = tempfile::tempfile().map_err(|e| Error::io("cannot capture the output", e))?;
    let mut child = spawn(check, worktree, &output)?;
    crashpoint::point();
    let mut reader = output
        .try_clone()
        .map_err(|e| Error::io("cannot read the output", e))?;
    let (status, interrupted) = supervise(repo, &mut child, &mut reader, ui)?;
    if let Some(reason) = interrupted {
        return Ok(CheckOutcome::Interrupted(reason));
    }
    let tail = tail_of(&mut reader)?;
    if status.success() {
        Ok(CheckOutcome::Passed { tail })
    } else {
        Ok(CheckOutcome::Failed {
            how: describe(status),
            tail,
        })
    }
}

fn spawn(check: &Check, worktree: &Path, output: &File) -> Result<Child> {
    let io = |e| Error::io("cannot capture the output", e);
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(check.command)
        .current_dir(worktree)
        .stdin(Stdio::null())
        .stdout(output.try_clone().map_err(io)?)
        .stderr(output.try_clone().map_err(io)?)
        .process_group(0)
        .env("GIT_ALIGN_BRANCH", check.branch)
        .env("GIT_ALIGN_ONTO", check.onto_name)
        .env("GIT_ALIGN_ONTO_OID", check.onto.to_string())
        .env("GIT_ALIGN_RUN", check.run_id)
        .env("GIT_ALIGN_ORIGINAL", check.original.to_string())
        .env("GIT_ALIGN_NEW", check.tip.to_string())
        .env("GIT_ALIGN_ATTEMPT", check.attempt.to_string())
        .env_remove("GIT_ALIGN_FEEDBACK")
        .env_remove(crashpoint::CRASH_VAR)
        .env_remove(crashpoint::DELAY_VAR)
        .env_remove(crashpoint::SIGINT_VAR);
    for var in GIT_LOCATION_VARS {
        command.env_remove(var);
    }
    if let Some(feedback) = check.feedback {
        command.env("GIT_ALIGN_FEEDBACK", feedback);
    }
    command
        .spawn()
        .map_err(|e| Error::io(format!("cannot run sh -c '{}'", check.command), e))
}

/// Waits for the command, echoing its output, and passes interruptions on to it.
fn supervise(
    repo: &Repo,
    child: &mut Child,
    reader: &mut File,
    ui: Ui,
) -> Result<(ExitStatus, Option<PauseReason>)> {
    let mut shown = 0u64;
    let mut interrupted: Option<(PauseReason, Instant, usize)> = None;
    let mut sent = 0;
    loop {
        shown = echo_new_output(reader, shown, ui)?;
        if let Some(status) = child
            .try_wait()
            .map_err(|e| Error::io("cannot wait for the check", e))?
        {
            echo_new_output(reader, shown, ui)?;
            // A check that stopped as the signal came (the same Ctrl-C reached it, or it
            // was ended with the terminal) was interrupted, not failed: it runs again.
            let stopped_with_us = !status.success() && signals::stop_requested();
            let reason = interrupted
                .map(|(reason, ..)| reason)
                .or(stopped_with_us.then_some(PauseReason::Signal));
            return Ok((status, reason));
        }
        if interrupted.is_none() {
            interrupted = interruption(repo).map(|r| (r, Instant::now(), signals::count()));
        }
        if let Some((_, since, signals_then)) = interrupted {
            let wanted = escalation(since.elapsed(), signals::count() - signals_then);
            while sent < wanted {
                sent += 1;
                signal_group(
                    child,
                    [libc::SIGINT, libc::SIGTERM, libc::SIGKILL][sent - 1],
                );
            }
        }
        std::thread::sleep(POLL);
    }
}

fn interruption(repo: &Repo) -> Option<PauseReason> {
    if signals::stop_requested() {
        Some(PauseReason::Signal)
    } else if lock::take_pause_request(repo) {
        Some(PauseReason::Request)
    } else {
        None
    }
}

/// How many stop signals the command should have had by now: SIGINT at once, SIGTERM
/// after a while or at the next signal to git-align, SIGKILL after that.
fn escalation(elapsed: Duration, more_signals: usize) -> usize {
    let by_time = if elapsed >= KILL_AFTER {
        3
    } else if elapsed >= TERM_AFTER {
        2
    } else {
        1
    };
    by_time.max(1 + more_signals).min(3)
}

fn signal_group(child: &Child, signal: libc::c_int) {
    if let Ok(pid) = libc::pid_t::try_from(child.id()) {
        // SAFETY: kill has no memory-safety preconditions; the child leads its own group.
        unsafe {
            libc::kill(-pid, signal);
        }
    }
}

fn echo_new_output(reader: &mut File, shown: u64, ui: Ui) -> Result<u64> {
    let io = |e| Error::io("cannot read the check's output", e);
    let end = reader.metadata().map_err(io)?.len();
    if end <= shown {
        return Ok(shown);
    }
    if !ui.quiet {
        reader.seek(SeekFrom::Start(shown)).map_err(io)?;
        let mut fresh = Vec::new();
        Read::by_ref(reader)
            .take(end - shown)
            .read_to_end(&mut fresh)
            .map_err(io)?;
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(&fresh);
        let _ = out.flush();
    }
    Ok(end)
}

/// The last lines of the output (at most [`TAIL_LINES`] lines and [`TAIL_BYTES`] bytes).
fn tail_of(reader: &mut File) -> Result<String> {
    let io = |e| Error::io("cannot read the check's output", e);
    let end = reader.metadata().map_err(io)?.len();
    let start = end.saturating_sub(TAIL_BYTES as u64);
    reader.seek(SeekFrom::Start(start)).map_err(io)?;
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes).map_err(io)?;
    let text = String::from_utf8_lossy(&bytes);
    let mut lines: Vec<&str> = text.lines().collect();
    if start > 0 && !lines.is_empty() {
        lines.remove(0); // cut in the middle
    }
    let keep = &lines[lines.len().saturating_sub(TAIL_LINES)..];
    Ok(keep.join("\n"))
}

fn describe(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(signal)) => format!("killed by signal {signal}"),
        (None, None) => "an unknown status".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escalates_by_time_and_by_further_signals() {
        assert_eq!(escalation(Duration::ZERO, 0), 1);
        assert_eq!(escalation(Duration::ZERO, 1), 2);
        assert_eq!(escalation(TERM_AFTER, 0), 2);
        assert_eq!(escalation(KILL_AFTER, 0), 3);
        assert_eq!(escalation(Duration::ZERO, 7), 3);
    }
}
