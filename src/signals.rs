//! Ctrl-C, SIGTERM and SIGHUP become a flag that the run checks between steps; the run then
//! writes a checkpoint and exits 3. Further signals while it winds down change nothing.
//!
//! Run as `git align`, one Ctrl-C reaches git-align twice: from the terminal (git and
//! git-align share its process group) and from git, which passes the signal on to its
//! child. Signals that come within [`SAME_REQUEST`] of the first count as that one.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Signals this close to the last one counted are the same request.
const SAME_REQUEST: Duration = Duration::from_millis(500);

static SIGNALS: AtomicUsize = AtomicUsize::new(0);
static LAST: Mutex<Option<Instant>> = Mutex::new(None);

/// Installs the handler (once, at program start).
pub fn install() {
    let result = ctrlc::set_handler(|| {
        let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
        if last.is_some_and(|at| at.elapsed() < SAME_REQUEST) {
            return;
        }
        *last = Some(Instant::now());
        if SIGNALS.fetch_add(1, Ordering::SeqCst) > 0 {
            eprintln!("git-align: still stopping at a safe point, please wait");
        }
    });
    if let Err(e) = result {
        eprintln!("warning: cannot handle signals ({e}); Ctrl-C will stop without a checkpoint");
    }
}

/// How many stop requests arrived so far.
pub fn count() -> usize {
    SIGNALS.load(Ordering::SeqCst)
}

/// Whether a signal asked the run to stop.
pub fn stop_requested() -> bool {
    SIGNALS.load(Ordering::SeqCst) > 0
}
