//! Ctrl-C, SIGTERM and SIGHUP become a flag that the run checks between steps; the run then
//! writes a checkpoint and exits 3. Further signals while it winds down change nothing.

use std::sync::atomic::{AtomicUsize, Ordering};

static SIGNALS: AtomicUsize = AtomicUsize::new(0);

/// Installs the handler (once, at program start).
pub fn install() {
    let result = ctrlc::set_handler(|| {
        if SIGNALS.fetch_add(1, Ordering::SeqCst) > 0 {
            eprintln!("git-align: still stopping at a safe point, please wait");
        }
    });
    if let Err(e) = result {
        eprintln!("warning: cannot handle signals ({e}); Ctrl-C will stop without a checkpoint");
    }
}

/// How many stop signals arrived so far.
pub fn count() -> usize {
    SIGNALS.load(Ordering::SeqCst)
}

/// Whether a signal asked the run to stop.
pub fn stop_requested() -> bool {
    SIGNALS.load(Ordering::SeqCst) > 0
}
