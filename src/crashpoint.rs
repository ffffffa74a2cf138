//! Crash injection for the crash-safety tests: with `GIT_ALIGN_CRASH_AT=N` the process
//! kills itself with SIGKILL when it passes its Nth crash point. Crash points sit between
//! every pair of writes that matter (objects, checkpoint, each ref move). Unset, a crash
//! point costs one atomic increment.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

static PASSED: AtomicUsize = AtomicUsize::new(0);

fn target() -> Option<usize> {
    static TARGET: OnceLock<Option<usize>> = OnceLock::new();
    *TARGET.get_or_init(|| std::env::var("GIT_ALIGN_CRASH_AT").ok()?.parse().ok())
}

/// Marks a crash point.
pub fn point() {
    let passed = PASSED.fetch_add(1, Ordering::SeqCst) + 1;
    if target() == Some(passed) {
        // SAFETY: sending SIGKILL to our own pid has no memory-safety preconditions.
        unsafe {
            libc::kill(libc::getpid(), libc::SIGKILL);
        }
    }
}
