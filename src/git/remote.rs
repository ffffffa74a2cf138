//! Talking to a remote. The transport is the system `git` (`ls-remote`, `fetch`,
//! `push`), so every protocol, credential helper and ssh setting a user has works as it
//! does for `git fetch`; everything else stays in libgit2.

use std::collections::HashMap;
use std::process::{Command, Stdio};

use super::{GitContext, Oid, Repo};
use crate::error::{Error, Result};

/// Set in the environment of the `git push` that `git align push` runs, so the shipped
/// `pre-push` hook knows the push is git-align's own.
pub const PUSHING_ENV: &str = "GIT_ALIGN_PUSHING";

/// One ref to set on the remote, guarded by a lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushUpdate {
    /// The remote ref to set.
    pub remote_ref: String,
    /// The commit it should point at (None: delete it).
    pub to: Option<Oid>,
    /// Where the remote ref must be for the push to go on (None: it must not exist).
    pub lease: Option<Oid>,
}

impl Repo {
    /// The names of the configured remotes.
    pub fn remote_names(&self) -> Result<Vec<String>> {
        let names = self
            .inner
            .remotes()
            .ctx(|| "cannot list the remotes".into())?;
        Ok((0..names.len())
            .filter_map(|i| names.get(i).ok().flatten())
            .map(str::to_string)
            .collect())
    }

    /// The refs of `remote` under `prefixes` (`refs/align/`), with their oids
    /// (`git ls-remote`).
    pub fn remote_refs(&self, remote: &str, prefixes: &[&str]) -> Result<HashMap<String, Oid>> {
        let args = ["ls-remote".to_string(), "--".into(), remote.into()];
        let out = self.run_git(&args, &[])?;
        let mut refs = HashMap::new();
        for line in out.lines() {
            let Some((oid, name)) = line.split_once('\t') else {
                continue;
            };
            if prefixes.iter().any(|p| name.starts_with(p)) {
                let oid: Oid = oid
                    .parse()
                    .map_err(|_| Error::Remote(format!("{remote} sent a bad oid for {name}")))?;
                refs.insert(name.to_string(), oid);
            }
        }
        Ok(refs)
    }

    /// Fetches `refspecs` from `remote` (no tags, forced updates as the refspecs say).
    pub fn fetch_refspecs(&self, remote: &str, refspecs: &[String]) -> Result<()> {
        let mut args = vec![
            "fetch".to_string(),
            "--quiet".into(),
            "--no-tags".into(),
            "--no-write-fetch-head".into(),
            "--".into(),
            remote.into(),
        ];
        args.extend(refspecs.iter().cloned());
        self.run_git(&args, &[]).map(|_| ())
    }

    /// Pushes every update in one atomic push, each with a lease: either all remote refs
    /// move or none does. A lease that no longer holds is [`Error::RemoteMoved`].
    pub fn push_atomic(&self, remote: &str, updates: &[PushUpdate]) -> Result<()> {
        self.flush_objects()?;
        let mut args = vec![
            "push".to_string(),
            "--quiet".into(),
            "--atomic".into(),
            "--porcelain".into(),
        ];
        for u in updates {
            let expected = u.lease.map(|o| o.to_string()).unwrap_or_default();
            args.push(format!("--force-with-lease={}:{expected}", u.remote_ref));
        }
        args.push("--".into());
        args.push(remote.into());
        args.extend(updates.iter().map(|u| {
            let to = u.to.map(|o| o.to_string()).unwrap_or_default();
            format!("{to}:{}", u.remote_ref)
        }));
        match self.run_git(&args, &[(PUSHING_ENV, "1")]) {
            Err(Error::Remote(said)) if said.contains("stale info") => Err(Error::RemoteMoved {
                remote: remote.to_string(),
                theirs: "while pushing".into(),
            }),
            other => other.map(|_| ()),
        }
    }

    /// Runs the system git on this repository; its standard output, or an error that
    /// carries what it printed on standard error.
    fn run_git(&self, args: &[String], env: &[(&str, &str)]) -> Result<String> {
        let mut cmd = Command::new("git");
        cmd.arg("--git-dir")
            .arg(self.inner.path())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in env {
            cmd.env(key, value);
        }
        let out = cmd
            .output()
            .map_err(|e| Error::io("cannot run git (is it installed?)", e))?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        if out.status.success() {
            return Ok(stdout);
        }
        let said = String::from_utf8_lossy(&out.stderr);
        let reason = rejection(&stdout)
            .or_else(|| super::git_said(&said).map(str::to_string))
            .unwrap_or_else(|| format!("exit status {}", out.status));
        Err(Error::Remote(format!("git {} failed: {reason}", args[0])))
    }
}

/// The first rejected ref of `git push --porcelain` output (`!\tsrc:dst\t[rejected] (why)`).
fn rejection(porcelain: &str) -> Option<String> {
    porcelain
        .lines()
        .find(|l| l.starts_with('!'))
        .map(|l| l.split('\t').skip(1).collect::<Vec<_>>().join(" "))
}
