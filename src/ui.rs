//! How git-align talks to people: progress on stdout, warnings and hints on stderr.

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
            println!("{}", line.as_ref());
        }
    }

    /// A line shown only with `-v`.
    pub fn detail(&self, line: impl AsRef<str>) {
        if self.verbose && !self.quiet {
            println!("{}", line.as_ref());
        }
    }

    /// A warning, always shown.
    pub fn warn(&self, line: impl AsRef<str>) {
        eprintln!("warning: {}", line.as_ref());
    }

    /// A `hint:` line telling what to do next.
    pub fn hint(&self, line: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("hint: {}", line.as_ref());
        }
    }
}
