//! A decision from the page, taken in a thread of its own by the command line's path
//! (`Choice::take`). The page is answered as soon as the decision is accepted; the run
//! then goes on behind it, and the page follows it by polling. An error the run meets
//! after that is kept for the page to show.

use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::commands::{Choice, Ctx, Outcome};
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::ui::Ui;

/// What the decision's thread tells the server first.
enum Told {
    /// Checked and recorded: the run goes on.
    Accepted,
    /// The command ended (a cancel, or a decision refused).
    Ended(Result<Outcome>),
}

/// The thread carrying out the last decision, while it runs, and what stopped it if it
/// failed after the decision was accepted.
#[derive(Default)]
pub struct Background {
    running: Option<JoinHandle<()>>,
    failed: Arc<Mutex<Option<serde_json::Value>>>,
}

impl Background {
    /// Whether the last decision's run is still going on, after waiting up to `grace`
    /// for one that is just ending (paused, about to let go of the run).
    pub fn busy(&self, grace: Duration) -> bool {
        let started = Instant::now();
        loop {
            let running = self.running.as_ref().is_some_and(|t| !t.is_finished());
            if !running || started.elapsed() >= grace {
                return running;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// `{"error", "hint"}` of the last decision's run, when it failed after the
    /// decision was accepted.
    pub fn failure(&self) -> Option<serde_json::Value> {
        self.failed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Takes `decision` on the repository this process runs in; returns once it is
    /// accepted (the run goes on in the background) or refused.
    pub fn take(&mut self, decision: Choice) -> Result<()> {
        self.wait();
        *self.failed.lock().unwrap_or_else(|e| e.into_inner()) = None;
        let (tell, told) = mpsc::channel();
        let ended = tell.clone();
        let failed = Arc::clone(&self.failed);
        self.running = Some(std::thread::spawn(move || {
            let accepted = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let seen = Arc::clone(&accepted);
            let result = Repo::discover().and_then(|repo| {
                let ctx = Ctx {
                    repo,
                    ui: Ui {
                        quiet: true,
                        verbose: false,
                    },
                    on_accepted: Some(Box::new(move || {
                        seen.store(true, std::sync::atomic::Ordering::SeqCst);
                        // The page may have gone; the run goes on all the same.
                        let _ = tell.send(Told::Accepted);
                    })),
                };
                decision.take(&ctx)
            });
            if let (Err(e), true) = (&result, accepted.load(std::sync::atomic::Ordering::SeqCst)) {
                let message = crate::ui::escape_lines(&e.to_string());
                eprintln!("error: {message}");
                let report = serde_json::json!({"error": message, "hint": e.hint()});
                *failed.lock().unwrap_or_else(|e| e.into_inner()) = Some(report);
            }
            let _ = ended.send(Told::Ended(result));
        }));
        // A refusal ends the command before it accepts anything.
        match told.recv() {
            Ok(Told::Accepted) => Ok(()),
            Ok(Told::Ended(result)) => result.map(|_| ()),
            Err(_) => Err(Error::io(
                "the decision was not carried out",
                std::io::Error::other("its thread ended without an answer"),
            )),
        }
    }

    /// Waits for the last decision's run to end (it pauses at its next safe point once
    /// Ctrl-C stopped the server).
    pub fn wait(&mut self) {
        if let Some(thread) = self.running.take() {
            let _ = thread.join();
        }
    }
}
