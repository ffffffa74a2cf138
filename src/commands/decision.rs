//! A person's decision on a paused run as the review page names it, taken by the very
//! command the command line runs (the same checks, the same recorded decision).

use crate::cli::{CancelArgs, ContinueArgs, SkipArgs};
use crate::commands::{cmd_cancel, cmd_continue, cmd_skip, Ctx, Outcome};
use crate::error::{Error, Result};

/// What a person decided at a pause (recorded in the state as a `Decision`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// `git align continue`: approve the step (or go on after a conflict or a stop).
    Approve,
    /// `git align continue --revise FEEDBACK`: redo the reviewed step.
    Revise(String),
    /// `git align skip`: leave the current branch and those stacked on it.
    Skip,
    /// `git align cancel`: put every branch back.
    Cancel,
}

impl Choice {
    /// The decision named `name` (`approve`, `revise`, `skip`, `cancel`); revise needs
    /// feedback that is not blank.
    pub fn parse(name: &str, feedback: Option<&str>) -> Result<Choice> {
        let feedback = feedback.map(str::trim).filter(|f| !f.is_empty());
        match (name, feedback) {
            ("approve", _) => Ok(Choice::Approve),
            ("revise", Some(feedback)) => Ok(Choice::Revise(feedback.to_string())),
            ("revise", None) => Err(Error::Usage("revise needs feedback".into())),
            ("skip", _) => Ok(Choice::Skip),
            ("cancel", _) => Ok(Choice::Cancel),
            (other, _) => Err(Error::Usage(format!(
                "unknown decision {:?} (approve, revise, skip or cancel)",
                crate::ui::escape_line(other)
            ))),
        }
    }

    /// Takes the decision through its command. A run's `--exec` command that came from
    /// another machine is not trusted by this (only `continue --trust-exec` does that).
    pub fn take(self, ctx: &Ctx) -> Result<Outcome> {
        match self {
            Choice::Approve => cmd_continue(ctx, &ContinueArgs::default()),
            Choice::Revise(feedback) => cmd_continue(
                ctx,
                &ContinueArgs {
                    revise: Some(feedback),
                    ..ContinueArgs::default()
                },
            ),
            Choice::Skip => cmd_skip(ctx, &SkipArgs::default()),
            Choice::Cancel => cmd_cancel(ctx, &CancelArgs::default()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revise_needs_feedback_and_unknown_names_are_refused() {
        assert_eq!(
            Choice::parse("revise", Some(" use the new API ")).unwrap(),
            Choice::Revise("use the new API".into())
        );
        assert!(Choice::parse("revise", Some("  ")).is_err());
        assert!(Choice::parse("revise", None).is_err());
        assert!(Choice::parse("merge", None).is_err());
        assert_eq!(Choice::parse("skip", Some("x")).unwrap(), Choice::Skip);
    }
}
