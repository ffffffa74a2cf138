//! How git-align talks to people: progress on stdout, warnings and hints on stderr, and
//! on a terminal a progress line (on stderr) that other output clears first.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Whether a progress line is on the screen (it is cleared before any other output).
static PROGRESS_SHOWN: AtomicBool = AtomicBool::new(false);

/// Output settings for one command.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ui {
    /// Only errors and the final line.
    pub quiet: bool,
    /// Explain each step.
    pub verbose: bool,
}

impl Ui {
    /// A line of normal output.
    pub fn say(&self, line: impl AsRef<str>) {
        if !self.quiet {
            clear_progress();
            println!("{}", line.as_ref());
        }
    }

    /// A line shown only with `-v`.
    pub fn detail(&self, line: impl AsRef<str>) {
        if self.verbose && !self.quiet {
            clear_progress();
            println!("{}", line.as_ref());
        }
    }

    /// A warning, always shown.
    pub fn warn(&self, line: impl AsRef<str>) {
        clear_progress();
        eprintln!("warning: {}", line.as_ref());
    }

    /// A line shown only with `--quiet`, where it stands for the lines `say` and `hint`
    /// leave out (on standard error, as errors are).
    pub fn quiet_line(&self, line: impl AsRef<str>) {
        if self.quiet {
            eprintln!("{}", line.as_ref());
        }
    }

    /// A `hint:` line telling what to do next.
    pub fn hint(&self, line: impl AsRef<str>) {
        if !self.quiet {
            clear_progress();
            eprintln!("hint: {}", line.as_ref());
        }
    }

    /// A progress meter for `total` items, drawn only when both stdout and stderr are
    /// terminals and the output is not `--quiet`.
    pub fn progress(&self, total: usize) -> Progress {
        let shown =
            !self.quiet && std::io::stdout().is_terminal() && std::io::stderr().is_terminal();
        Progress {
            shown,
            total,
            started: Instant::now(),
            last_drawn: None,
        }
    }
}

/// A one-line progress meter: done / total, the current item, rate and time left.
pub struct Progress {
    shown: bool,
    total: usize,
    started: Instant,
    last_drawn: Option<Instant>,
}

/// How often the progress line is redrawn at most.
const REDRAW_EVERY: Duration = Duration::from_millis(100);

impl Progress {
    /// Shows that `done` items are finished and `current` is under way.
    pub fn update(&mut self, done: usize, done_here: usize, current: &str) {
        if !self.shown || self.last_drawn.is_some_and(|t| t.elapsed() < REDRAW_EVERY) {
            return;
        }
        self.last_drawn = Some(Instant::now());
        let line = progress_line(done, self.total, done_here, self.started.elapsed(), current);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[K{line}");
        let _ = err.flush();
        PROGRESS_SHOWN.store(true, Ordering::SeqCst);
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        clear_progress();
    }
}

/// `[ 120/1010] topic/0119  45.0 branches/s, about 20 s left` (rate and time left from
/// the `done_here` items this process did in `elapsed`).
fn progress_line(
    done: usize,
    total: usize,
    done_here: usize,
    elapsed: Duration,
    current: &str,
) -> String {
    let width = total.to_string().len();
    let mut line = format!("[{done:>width$}/{total}] {current}");
    let seconds = elapsed.as_secs_f64();
    if done_here > 0 && seconds > 0.0 {
        let rate = done_here as f64 / seconds;
        let left = total.saturating_sub(done) as f64 / rate;
        line.push_str(&format!("  {rate:.1} branches/s, about {left:.0} s left"));
    }
    line
}

fn clear_progress() {
    if PROGRESS_SHOWN.swap(false, Ordering::SeqCst) {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[K");
        let _ = err.flush();
    }
}

/// Untrusted text (from a state that may come from another machine) for one line of
/// output: control characters, newlines included, are shown escaped (`\n`, `\u{1b}`), so
/// that nothing can forge a line or drive the terminal.
pub fn escape_line(text: &str) -> String {
    text.chars()
        .map(|c| match c.is_control() {
            true => c.escape_default().to_string(),
            false => c.to_string(),
        })
        .collect()
}

/// Untrusted text of several lines: each line escaped as [`escape_line`] does, tabs kept.
pub fn escape_lines(text: &str) -> String {
    text.split('\n')
        .map(|line| {
            line.split('\t')
                .map(escape_line)
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_line_gives_counts_rate_and_time_left() {
        assert_eq!(
            progress_line(10, 100, 10, Duration::from_secs(2), "topic/0010"),
            "[ 10/100] topic/0010  5.0 branches/s, about 18 s left"
        );
        assert_eq!(progress_line(0, 7, 0, Duration::ZERO, "a"), "[0/7] a");
    }

    #[test]
    fn untrusted_text_cannot_forge_lines_or_drive_the_terminal() {
        assert_eq!(escape_line("main\nfinished: 0"), "main\\nfinished: 0");
        assert_eq!(escape_line("\u{1b}[2Jx"), "\\u{1b}[2Jx");
        assert_eq!(escape_lines("a\tb\nc\u{7}"), "a\tb\nc\\u{7}");
        assert_eq!(escape_line("topic/é"), "topic/é");
    }
}
