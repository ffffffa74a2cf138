//! What `git rebase` does once commits are rewritten, done the same way at the end of a
//! run: copy notes (`notes.rewriteRef`, `notes.rewrite.rebase`, `notes.rewriteMode`,
//! `GIT_NOTES_REWRITE_REF`, `GIT_NOTES_REWRITE_MODE`) and run the `post-rewrite` hook
//! with the argument `rebase` and one `old new` line per rewritten commit on its input.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::error::{Error, Result};
use crate::git::{Identity, Oid, Repo};
use crate::ui::Ui;

/// Copies notes and runs the hook for these rewritten commits (nothing when empty).
pub fn after_rewrite(repo: &Repo, pairs: &[(Oid, Oid)], ui: Ui) -> Result<()> {
    if pairs.is_empty() {
        return Ok(());
    }
    let copied = copy_notes(repo, pairs)?;
    if copied > 0 {
        ui.detail(format!("copied {copied} note(s) to the rewritten commits"));
    }
    run_post_rewrite(repo, pairs, ui)
}

/// How notes of a rewritten commit meet a note the new commit already has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NotesMode {
    Overwrite,
    Concatenate,
    CatSortUniq,
    Ignore,
}

impl NotesMode {
    fn parse(text: &str) -> Result<NotesMode> {
        match text {
            "overwrite" => Ok(NotesMode::Overwrite),
            "concatenate" => Ok(NotesMode::Concatenate),
            "cat_sort_uniq" => Ok(NotesMode::CatSortUniq),
            "ignore" => Ok(NotesMode::Ignore),
            other => Err(Error::Usage(format!(
                "notes.rewriteMode '{other}' is not overwrite, concatenate, cat_sort_uniq or ignore"
            ))),
        }
    }

    fn combine(self, existing: Option<String>, copied: &str) -> Option<String> {
        let Some(existing) = existing else {
            return Some(copied.to_string());
        };
        match self {
            NotesMode::Ignore => None,
            NotesMode::Overwrite => Some(copied.to_string()),
            NotesMode::Concatenate => Some(format!("{}\n\n{copied}", existing.trim_end())),
            NotesMode::CatSortUniq => {
                let mut lines: Vec<&str> = existing.lines().chain(copied.lines()).collect();
                lines.sort_unstable();
                lines.dedup();
                Some(lines.join("\n") + "\n")
            }
        }
    }
}

/// The notes refs to copy, as git picks them for a rebase.
fn notes_refs(repo: &Repo) -> Result<Vec<String>> {
    let patterns: Vec<String> = match std::env::var("GIT_NOTES_REWRITE_REF") {
        Ok(list) => list.split(':').map(str::to_string).collect(),
        Err(_) => {
            if repo.config_bool("notes.rewrite.rebase")? == Some(false) {
                return Ok(Vec::new());
            }
            repo.config_strings("notes.rewriteRef")?
        }
    };
    let mut refs = Vec::new();
    for pattern in patterns.iter().filter(|p| !p.is_empty()) {
        if pattern.contains('*') {
            refs.extend(repo.refs_matching(pattern)?);
        } else {
            refs.push(pattern.clone());
        }
    }
    refs.dedup();
    Ok(refs)
}

fn copy_notes(repo: &Repo, pairs: &[(Oid, Oid)]) -> Result<usize> {
    let refs = notes_refs(repo)?;
    if refs.is_empty() {
        return Ok(0);
    }
    let mode = match std::env::var("GIT_NOTES_REWRITE_MODE") {
        Ok(mode) => NotesMode::parse(&mode)?,
        Err(_) => match repo.config_string("notes.rewriteMode")? {
            Some(mode) => NotesMode::parse(&mode)?,
            None => NotesMode::Concatenate,
        },
    };
    let committer: Identity = repo.committer()?;
    // One handle that writes notes straight to disk, for all of them.
    repo.flush_objects()?;
    let writer = repo.unbuffered()?;
    let mut copied = 0;
    for notes_ref in &refs {
        for (old, new) in pairs {
            let Some(note) = repo.note(notes_ref, *old) else {
                continue;
            };
            if let Some(text) = mode.combine(repo.note(notes_ref, *new), &note) {
                writer.set_note(notes_ref, *new, &text, &committer)?;
                copied += 1;
            }
        }
    }
    Ok(copied)
}

/// The folder git runs hooks from: `core.hooksPath` (relative to the top of the work
/// tree), else the `hooks` folder of the git directory.
pub fn hooks_dir(repo: &Repo) -> Result<PathBuf> {
    match repo.config_string("core.hooksPath")? {
        Some(path) => {
            let path = PathBuf::from(expand_home(&path));
            Ok(match (path.is_absolute(), repo.workdir()) {
                (false, Some(top)) => top.join(path),
                _ => path,
            })
        }
        None => Ok(repo.common_dir().join("hooks")),
    }
}

fn expand_home(path: &str) -> String {
    match (path.strip_prefix("~/"), std::env::var("HOME")) {
        (Some(rest), Ok(home)) => format!("{home}/{rest}"),
        _ => path.to_string(),
    }
}

fn run_post_rewrite(repo: &Repo, pairs: &[(Oid, Oid)], ui: Ui) -> Result<()> {
    let hook = hooks_dir(repo)?.join("post-rewrite");
    if !is_executable(&hook) {
        return Ok(());
    }
    let input: String = pairs
        .iter()
        .map(|(old, new)| format!("{old} {new}\n"))
        .collect();
    let cwd = repo.workdir().unwrap_or(repo.common_dir());
    let mut child = Command::new(&hook)
        .arg("rebase")
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| Error::io(format!("cannot run {}", hook.display()), e))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A hook that does not read its input is fine.
        let _ = stdin.write_all(input.as_bytes());
    }
    let status = child
        .wait()
        .map_err(|e| Error::io("cannot wait for the post-rewrite hook", e))?;
    if !status.success() {
        // git ignores the hook's exit status; say so rather than hide it.
        ui.warn(format!("the post-rewrite hook exited with {status}"));
    }
    Ok(())
}

/// Whether `path` is a file git would run as a hook.
pub fn is_executable(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_modes_combine_like_git() {
        let copied = "from old\n";
        assert_eq!(
            NotesMode::Concatenate.combine(None, copied).as_deref(),
            Some(copied)
        );
        assert_eq!(
            NotesMode::Concatenate
                .combine(Some("there\n".into()), copied)
                .as_deref(),
            Some("there\n\nfrom old\n")
        );
        assert_eq!(
            NotesMode::CatSortUniq
                .combine(Some("b\na\n".into()), "a\nc\n")
                .as_deref(),
            Some("a\nb\nc\n")
        );
        assert_eq!(NotesMode::Ignore.combine(Some("x".into()), copied), None);
        assert_eq!(
            NotesMode::Overwrite
                .combine(Some("x".into()), copied)
                .as_deref(),
            Some(copied)
        );
    }
}
