//! `git range-diff`: a branch's commits before and after a replay, matched the way git
//! matches them (unchanged, changed with the hunks that differ, dropped, added).

use super::{git_said, Oid, Repo};
use crate::error::{Error, Result};

/// Lines of a range-diff kept in a review's content; the rest is left to the command
/// the content names.
const MOST_LINES: usize = 400;
/// Bytes kept, for lines that are long (minified files): the state holds the content.
const MOST_BYTES: usize = 256 << 10;

impl Repo {
    /// What `git range-diff old_base..old_tip new_base..new_tip` prints, without colour,
    /// cut after `MOST_LINES` lines (the last line then says how many were left out and
    /// the command that shows them all). The commits must be on disk.
    pub fn range_diff(
        &self,
        (old_base, old_tip): (Oid, Oid),
        (new_base, new_tip): (Oid, Oid),
    ) -> Result<String> {
        let old = format!("{old_base}..{old_tip}");
        let new = format!("{new_base}..{new_tip}");
        let out = super::git_refs::quiet_git()
            .arg("--git-dir")
            .arg(self.git_dir())
            .args(["range-diff", "--no-color", &old, &new])
            .output()
            .map_err(|e| Error::io("cannot run git range-diff", e))?;
        if !out.status.success() {
            return Err(Error::Git {
                context: format!("git range-diff {old} {new}"),
                message: git_said(&String::from_utf8_lossy(&out.stderr))
                    .unwrap_or("failed")
                    .to_string(),
            });
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let lines: Vec<&str> = text.lines().collect();
        let mut kept = lines[..lines.len().min(MOST_LINES)].join("\n");
        kept.push('\n');
        if kept.len() > MOST_BYTES {
            let mut end = MOST_BYTES;
            while !kept.is_char_boundary(end) {
                end -= 1;
            }
            kept.truncate(end);
            kept.push('\n');
        }
        if kept.len() < text.len() {
            kept.push_str(&format!(
                "... cut here, the whole of it: git range-diff {} {}\n",
                short_range(old_base, old_tip),
                short_range(new_base, new_tip)
            ));
        }
        Ok(kept)
    }
}

fn short_range(base: Oid, tip: Oid) -> String {
    format!("{}..{}", base.short(), tip.short())
}
