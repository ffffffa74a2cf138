//! One git-align process per repository: a lock file beside the git directory (pid, host,
//! start time), and the pause request that `git align pause` leaves for the running process.
//! The compare-and-swap on `refs/align/state` stays the final guard.

use std::fs;
use std::io::Write;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::git::Repo;

const LOCK_FILE: &str = "align.lock";
const PAUSE_FILE: &str = "align.pause";

/// Who holds the lock.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Holder {
    pub pid: u32,
    pub host: String,
    pub since: String,
}

impl Holder {
    fn is_alive(&self) -> bool {
        if self.host != hostname() {
            return true;
        }
        process_alive(self.pid)
    }
}

/// The held lock; released when dropped.
pub struct Lock {
    path: PathBuf,
}

impl Lock {
    /// Takes the lock, or fails with [`Error::Locked`] if a live process holds it. A lock
    /// left by a dead process is taken over with a message.
    pub fn acquire(repo: &Repo) -> Result<Lock> {
        let path = repo.common_dir().join(LOCK_FILE);
        for _ in 0..2 {
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut file) => {
                    let me = Holder {
                        pid: std::process::id(),
                        host: hostname(),
                        since: crate::time::now_rfc3339(),
                    };
                    let json = serde_json::to_vec(&me).expect("a holder serialises");
                    file.write_all(&json)
                        .map_err(|e| Error::io("cannot write the lock", e))?;
                    return Ok(Lock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    match read_holder(&path) {
                        Some(holder) if holder.is_alive() => {
                            return Err(Error::Locked {
                                pid: holder.pid,
                                host: holder.host,
                                since: holder.since,
                            })
                        }
                        holder => {
                            let pid = holder
                                .map(|h| h.pid.to_string())
                                .unwrap_or_else(|| "?".into());
                            eprintln!("git-align: removing a stale lock left by process {pid}");
                            let _ = fs::remove_file(&path);
                        }
                    }
                }
                Err(e) => return Err(Error::io(format!("cannot create {}", path.display()), e)),
            }
        }
        Err(Error::io(
            "cannot take the lock",
            std::io::Error::other("another process keeps creating it"),
        ))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

fn read_holder(path: &PathBuf) -> Option<Holder> {
    let bytes = fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The live process holding the lock, if any.
pub fn live_holder(repo: &Repo) -> Option<Holder> {
    read_holder(&repo.common_dir().join(LOCK_FILE)).filter(Holder::is_alive)
}

/// Leaves a pause request for the running process.
pub fn request_pause(repo: &Repo) -> Result<()> {
    let path = repo.common_dir().join(PAUSE_FILE);
    fs::write(&path, crate::time::now_rfc3339())
        .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))
}

/// Takes a pending pause request, if there is one.
pub fn take_pause_request(repo: &Repo) -> bool {
    fs::remove_file(repo.common_dir().join(PAUSE_FILE)).is_ok()
}

/// Drops a pause request that no process took.
pub fn clear_pause_request(repo: &Repo) {
    let _ = fs::remove_file(repo.common_dir().join(PAUSE_FILE));
}

fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: kill with signal 0 only checks whether the process exists.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// This machine's host name.
pub fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname NUL-terminates within it.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return "unknown".into();
    }
    let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}
