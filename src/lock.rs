//! One git-align process per repository: `align.lock` in the common git directory, held
//! with an open-file-description lock (`F_OFD_SETLK`), which the kernel releases when
//! the process ends however it ends (a crash, SIGKILL, a zombie not reaped yet). The
//! file also says who holds it (pid, host, start time), for messages only: whether the
//! lock is held is asked of the kernel, never read from a pid. The compare-and-swap on
//! `refs/align/state` stays the final guard.
//!
//! `git align pause` leaves a request, `align.pause`, addressed to the process holding
//! the lock; a request whose process has gone is dropped, never taken by the next run.

use std::fs::{self, File};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::MetadataExt;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::Duration;

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
    fn me() -> Holder {
        Holder {
            pid: std::process::id(),
            host: hostname(),
            since: crate::time::now_rfc3339(),
        }
    }

    /// For messages: `pid 123 on host, since ...`.
    fn describe(holder: Option<&Holder>) -> String {
        match holder {
            Some(h) => format!("pid {} on {}, since {}", h.pid, h.host, h.since),
            None => "it is just starting".into(),
        }
    }
}

/// The held lock; released when dropped (or by the kernel when the process ends).
pub struct Lock {
    path: PathBuf,
    /// Holds the kernel lock while open.
    _file: File,
}

impl Lock {
    /// Takes the lock, or fails with [`Error::Locked`] if another process holds it. The
    /// record a process that died left is replaced, with a message.
    pub fn acquire(repo: &Repo) -> Result<Lock> {
        let path = repo.common_dir().join(LOCK_FILE);
        let io = |e| Error::io(format!("cannot take the lock {}", path.display()), e);
        for _ in 0..5 {
            let mut file = fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(io)?;
            if !try_lock(&file).map_err(io)? {
                return Err(Error::Locked(Holder::describe(
                    wait_for_holder(&path).as_ref(),
                )));
            }
            if !is_at(&file, &path) {
                // A releasing process unlinked this file after we opened it: start over.
                continue;
            }
            if let Some(dead) = read_holder(&mut file) {
                eprintln!(
                    "git-align: removing a stale lock left by process {}",
                    dead.pid
                );
            }
            let record = serde_json::to_vec(&Holder::me()).expect("a holder serialises");
            file.set_len(0).map_err(io)?;
            file.rewind().map_err(io)?;
            file.write_all(&record).map_err(io)?;
            return Ok(Lock { path, _file: file });
        }
        Err(io(std::io::Error::other(
            "other processes keep taking and releasing it",
        )))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Unlinked while still held; whoever opened it meanwhile sees it is gone.
        let _ = fs::remove_file(&self.path);
    }
}

/// Takes the whole-file lock without waiting; false when another open file description
/// holds it.
fn try_lock(file: &File) -> std::io::Result<bool> {
    let mut spec = whole_file(libc::F_WRLCK as libc::c_short);
    // SAFETY: a valid descriptor and a valid, initialised `flock` struct.
    let rc = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_OFD_SETLK, &mut spec) };
    if rc == 0 {
        return Ok(true);
    }
    let error = std::io::Error::last_os_error();
    match error.raw_os_error() {
        Some(libc::EAGAIN) | Some(libc::EACCES) => Ok(false),
        _ => Err(error),
    }
}

/// Whether another open file description holds the lock on `file` (nothing is taken).
fn held_by_other(file: &File) -> std::io::Result<bool> {
    let mut spec = whole_file(libc::F_WRLCK as libc::c_short);
    // SAFETY: a valid descriptor and a valid, initialised `flock` struct.
    let rc = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_OFD_GETLK, &mut spec) };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(spec.l_type != libc::F_UNLCK as libc::c_short)
}

fn whole_file(kind: libc::c_short) -> libc::flock {
    // SAFETY: `flock` is plain data; all-zero is a valid value (pid 0, as OFD locks need).
    let mut spec: libc::flock = unsafe { std::mem::zeroed() };
    spec.l_type = kind;
    spec.l_whence = libc::SEEK_SET as libc::c_short;
    spec
}

/// Whether `file` is (still) the file at `path`.
fn is_at(file: &File, path: &Path) -> bool {
    match (file.metadata(), fs::metadata(path)) {
        (Ok(open), Ok(named)) => open.dev() == named.dev() && open.ino() == named.ino(),
        _ => false,
    }
}

fn read_holder(file: &mut File) -> Option<Holder> {
    let mut bytes = Vec::new();
    file.rewind().ok()?;
    file.read_to_end(&mut bytes).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The record of the process that holds the lock at `path`, given a moment to write it
/// (it takes the lock first, then writes who it is).
fn wait_for_holder(path: &Path) -> Option<Holder> {
    for _ in 0..20 {
        if let Some(holder) = File::open(path).ok().and_then(|mut f| read_holder(&mut f)) {
            return Some(holder);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    None
}

/// The process holding the lock, if one does (asked of the kernel; the record says who).
pub fn live_holder(repo: &Repo) -> Option<Holder> {
    let path = repo.common_dir().join(LOCK_FILE);
    let file = File::open(&path).ok()?;
    if !held_by_other(&file).unwrap_or(false) {
        return None;
    }
    Some(wait_for_holder(&path).unwrap_or(Holder {
        pid: 0,
        host: hostname(),
        since: String::new(),
    }))
}

/// Leaves a pause request for the running process `holder`.
pub fn request_pause(repo: &Repo, holder: &Holder) -> Result<()> {
    let path = repo.common_dir().join(PAUSE_FILE);
    let io = |e| Error::io(format!("cannot write {}", path.display()), e);
    // Written aside and renamed, so the running process never reads it half-written.
    let partial = path.with_extension(format!("pause.{}", std::process::id()));
    fs::write(&partial, format!("{}\n", holder.pid)).map_err(io)?;
    fs::rename(&partial, &path).map_err(io)
}

/// Takes a pause request addressed to this process, if there is one; a request for a
/// process that has gone (this one holds the lock now) is dropped.
pub fn take_pause_request(repo: &Repo) -> bool {
    let path = repo.common_dir().join(PAUSE_FILE);
    let Some(pid) = fs::read_to_string(&path)
        .ok()
        .and_then(|text| text.trim().parse::<u32>().ok())
    else {
        return false;
    };
    let _ = fs::remove_file(&path);
    // 0: asked while the holder had not said who it is yet.
    pid == std::process::id() || pid == 0
}

/// Drops a pause request that no process took.
pub fn clear_pause_request(repo: &Repo) {
    let _ = fs::remove_file(repo.common_dir().join(PAUSE_FILE));
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
