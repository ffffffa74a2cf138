//! Crash injection for the crash-safety tests: with `GIT_ALIGN_CRASH_AT=N` the process
//! kills itself with SIGKILL when it passes its Nth crash point. Crash points sit between
//! every pair of writes that matter (objects, checkpoint, each ref move). Unset, a crash
//! point costs one atomic increment. `GIT_ALIGN_TEST_DELAY_MS=N` sleeps N ms at each
//! crash point, to widen the windows in which tests send signals;
//! `GIT_ALIGN_SIGINT_AT=N` sends the process SIGINT (as Ctrl-C does) at its Nth crash
//! point, and goes on once the handler has taken it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// The variable naming the crash point to die at.
pub const CRASH_VAR: &str = "GIT_ALIGN_CRASH_AT";
/// The variable naming the delay at each crash point.
pub const DELAY_VAR: &str = "GIT_ALIGN_TEST_DELAY_MS";
/// The variable naming the crash point to be interrupted at.
pub const SIGINT_VAR: &str = "GIT_ALIGN_SIGINT_AT";

static PASSED: AtomicUsize = AtomicUsize::new(0);

fn target() -> Option<usize> {
    static TARGET: OnceLock<Option<usize>> = OnceLock::new();
    *TARGET.get_or_init(|| std::env::var(CRASH_VAR).ok()?.parse().ok())
}

fn interrupt_at() -> Option<usize> {
    static AT: OnceLock<Option<usize>> = OnceLock::new();
    *AT.get_or_init(|| std::env::var(SIGINT_VAR).ok()?.parse().ok())
}

fn delay() -> Option<std::time::Duration> {
    static DELAY: OnceLock<Option<std::time::Duration>> = OnceLock::new();
    *DELAY.get_or_init(|| {
        let ms = std::env::var(DELAY_VAR).ok()?.parse().ok()?;
        Some(std::time::Duration::from_millis(ms))
    })
}

/// Marks a crash point.
pub fn point() {
    if let Some(delay) = delay() {
        std::thread::sleep(delay);
    }
    let passed = PASSED.fetch_add(1, Ordering::SeqCst) + 1;
    if target() == Some(passed) {
        // SAFETY: sending SIGKILL to our own pid has no memory-safety preconditions.
        unsafe {
            libc::kill(libc::getpid(), libc::SIGKILL);
        }
    }
    if interrupt_at() == Some(passed) {
        // SAFETY: sending SIGINT to our own pid has no memory-safety preconditions.
        unsafe {
            libc::kill(libc::getpid(), libc::SIGINT);
        }
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while !crate::signals::stop_requested() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }
}
