//! The ref store of a repository whose refs libgit2 cannot read (the reftable backend,
//! git 3.0's default): every read and write of a ref goes through the system git, which
//! knows every backend (`git for-each-ref`, `git rev-parse`, `git symbolic-ref`, and
//! `git update-ref --stdin` transactions with old-value checks and reflog messages).
//! Objects still go through libgit2: they are the same in both backends.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use super::{Identity, Oid};
use crate::error::{Error, Result};
use crate::plan::glob_match;

/// git's name for "no object": a ref that must not exist, or one to delete.
const ZERO: &str = "0000000000000000000000000000000000000000";

/// Refs read and written by the system git in one git directory.
#[derive(Debug, Clone)]
pub(super) struct GitRefs {
    git_dir: PathBuf,
}

impl GitRefs {
    /// The refs of the repository (or linked worktree) whose git directory is `git_dir`.
    pub(super) fn new(git_dir: &Path) -> GitRefs {
        GitRefs {
            git_dir: git_dir.to_path_buf(),
        }
    }

    fn run(&self, args: &[&str], input: Option<&str>) -> Result<Output> {
        self.run_as(args, input, &[])
    }

    /// Runs git with `env` set (an identity, say), `input` on its standard input.
    fn run_as(&self, args: &[&str], input: Option<&str>, env: &[(&str, &str)]) -> Result<Output> {
        let mut git = quiet_git();
        git.arg("--git-dir")
            .arg(&self.git_dir)
            // Another writer holds the table stack for moments (a git a killed run
            // left finishing its write, say): wait for it, as libgit2's moves wait.
            .args(["-c", "reftable.lockTimeout=1000"])
            .args(args)
            .envs(env.iter().copied())
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let what = || format!("cannot run git {}", args.first().unwrap_or(&""));
        let mut child = git.spawn().map_err(|e| Error::io(what(), e))?;
        if let Some(input) = input {
            let mut stdin = child.stdin.take().expect("piped");
            stdin
                .write_all(input.as_bytes())
                .map_err(|e| Error::io(what(), e))?;
        }
        child.wait_with_output().map_err(|e| Error::io(what(), e))
    }

    /// Runs git; its standard output when it succeeds, else what it said.
    fn output(
        &self,
        args: &[&str],
        input: Option<&str>,
    ) -> Result<std::result::Result<String, String>> {
        let out = self.run(args, input)?;
        Ok(match out.status.success() {
            true => Ok(String::from_utf8_lossy(&out.stdout).into_owned()),
            false => Err(super::git_said(&String::from_utf8_lossy(&out.stderr))
                .unwrap_or("failed")
                .to_string()),
        })
    }

    fn failed(what: String, said: String) -> Error {
        Error::Git {
            context: what,
            message: said,
        }
    }

    /// Runs a git that answers "no" by exiting with 1 and nothing on standard error
    /// (`rev-parse -q --verify`, `symbolic-ref -q`): its output, None for that "no",
    /// and an error for any other failure (a table git cannot read is not "absent").
    fn asked(&self, args: &[&str]) -> Result<Option<String>> {
        let out = self.run(args, None)?;
        let said = String::from_utf8_lossy(&out.stderr);
        match out.status.code() {
            Some(0) => Ok(Some(
                String::from_utf8_lossy(&out.stdout).trim().to_string(),
            )),
            Some(1) if said.trim().is_empty() => Ok(None),
            _ => Err(Self::failed(
                format!("cannot run git {}", args.join(" ")),
                super::git_said(&said).unwrap_or("failed").to_string(),
            )),
        }
    }

    /// The oid `refname` (a full ref name, or HEAD) points to, through symbolic refs.
    pub(super) fn target(&self, refname: &str) -> Result<Option<Oid>> {
        let args = ["rev-parse", "-q", "--verify", "--end-of-options", refname];
        self.asked(&args)?.map(|text| parse_oid(&text)).transpose()
    }

    /// The commit `rev` names, if it names one.
    pub(super) fn resolve_commit(&self, rev: &str) -> Result<Option<Oid>> {
        self.target(&format!("{rev}^{{commit}}"))
    }

    /// The refs matching `pattern` (a prefix such as `refs/heads/`, or a glob whose `*`
    /// matches across `/`, as libgit2's), with their oids, sorted by name.
    pub(super) fn list(&self, pattern: &str) -> Result<Vec<(String, Oid)>> {
        let literal = pattern
            .find(['*', '?', '['])
            .map_or(pattern, |glob| &pattern[..glob]);
        // What for-each-ref matches by prefix: the literal part, up to its last slash.
        let prefix = literal.rfind('/').map_or("", |slash| &literal[..=slash]);
        let args = ["for-each-ref", "--format=%(objectname) %(refname)", prefix];
        let text = self
            .output(&args, None)?
            .map_err(|said| Self::failed(format!("cannot list refs {pattern}"), said))?;
        let mut out = Vec::new();
        for line in text.lines() {
            match line.split_once(' ') {
                Some((oid, name)) if name.starts_with(pattern) || glob_match(pattern, name) => {
                    out.push((name.to_string(), parse_oid(oid)?));
                }
                _ => {}
            }
        }
        out.sort();
        Ok(out)
    }

    /// The ref a symbolic ref points to (HEAD on a branch: `refs/heads/main`).
    pub(super) fn symbolic_target(&self, refname: &str) -> Result<Option<String>> {
        self.asked(&["symbolic-ref", "-q", refname])
    }

    /// Applies `updates` (`refname`, what it must be now, what it becomes; None: absent)
    /// in one transaction with reflog `message`: all or nothing. Err: what git said.
    pub(super) fn transaction(
        &self,
        updates: &[(&str, Option<Oid>, Option<Oid>)],
        message: &str,
    ) -> Result<std::result::Result<(), String>> {
        let mut input = String::from("start\n");
        for (refname, from, to) in updates {
            let from = from.map_or(ZERO.to_string(), |o| o.to_string());
            match to {
                Some(to) => input.push_str(&format!("update {refname} {to} {from}\n")),
                None => input.push_str(&format!("delete {refname} {from}\n")),
            }
        }
        input.push_str("prepare\ncommit\n");
        let args = ["update-ref", "--no-deref", "-m", message, "--stdin"];
        Ok(self.output(&args, Some(&input))?.map(|_| ()))
    }

    /// Points HEAD at `refname` (symbolic), with reflog `message`.
    pub(super) fn set_head_symbolic(&self, refname: &str, message: &str) -> Result<()> {
        self.output(&["symbolic-ref", "-m", message, "HEAD", refname], None)?
            .map(|_| ())
            .map_err(|said| Self::failed("cannot move HEAD".into(), said))
    }

    /// Detaches HEAD at `oid`, with reflog `message`.
    pub(super) fn set_head_detached(&self, oid: Oid, message: &str) -> Result<()> {
        let oid = oid.to_string();
        let args = ["update-ref", "--no-deref", "-m", message, "HEAD", &oid];
        self.output(&args, None)?
            .map(|_| ())
            .map_err(|said| Self::failed("cannot move HEAD".into(), said))
    }

    /// Sets the note on `oid` in `notes_ref` to `text` (replacing one there), made by `by`.
    pub(super) fn set_note(
        &self,
        notes_ref: &str,
        oid: Oid,
        text: &str,
        by: &Identity,
    ) -> Result<()> {
        // `Name <email> 1700000000 +0100`: the date is what follows the address.
        let header = by.header();
        let date = format!("@{}", header.rsplit_once("> ").map_or("", |(_, date)| date));
        let env = [
            ("GIT_AUTHOR_NAME", by.name.as_str()),
            ("GIT_AUTHOR_EMAIL", by.email.as_str()),
            ("GIT_AUTHOR_DATE", date.as_str()),
            ("GIT_COMMITTER_NAME", by.name.as_str()),
            ("GIT_COMMITTER_EMAIL", by.email.as_str()),
            ("GIT_COMMITTER_DATE", date.as_str()),
        ];
        let notes = format!("--ref={notes_ref}");
        let oid_text = oid.to_string();
        // As libgit2 writes it: the text as it is, not cleaned up.
        let args = [
            "notes",
            &notes,
            "add",
            "-f",
            "--no-stripspace",
            "-F",
            "-",
            &oid_text,
        ];
        let out = self.run_as(&args, Some(text), &env)?;
        match out.status.success() {
            true => Ok(()),
            false => Err(Self::failed(
                format!("cannot write the note on {} in {notes_ref}", oid.short()),
                String::from_utf8_lossy(&out.stderr).trim().to_string(),
            )),
        }
    }

    /// Runs git with `args` in this git directory; its output, or an error saying `what`.
    pub(super) fn git(&self, args: &[&str], input: Option<&str>, what: &str) -> Result<String> {
        self.output(args, input)?
            .map_err(|said| Self::failed(what.to_string(), said))
    }
}

/// The system git in a process group of its own: a Ctrl-C typed for git-align (which
/// pauses the run at its next safe point) must not kill the ref transaction or the
/// checkout it is waiting for, which would leave it half told.
pub(super) fn quiet_git() -> std::process::Command {
    use std::os::unix::process::CommandExt;
    let mut git = super::system_git();
    git.process_group(0);
    git
}

fn parse_oid(text: &str) -> Result<Oid> {
    text.parse::<Oid>()
        .map_err(|_| Error::BadObject(format!("git named {text:?} where an object id was due")))
}
