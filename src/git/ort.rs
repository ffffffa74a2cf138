//! git's own merge (merge-ort), asked through `git merge-tree --write-tree --stdin`: one
//! long-lived process answers every merge of a run, so each costs a line written and a
//! record read, not a process start.
//!
//! git flushes each answer before writing the NUL that ends it, so that NUL comes with
//! the next answer. Each merge is therefore followed by a trivial one (the empty tree
//! merged with itself), whose answer brings the real one's end; its own end is taken at
//! the start of the next merge.
//!
//! `git rebase` reads `.gitattributes` from its work tree, which holds the side being
//! merged into ("ours"). git-align gives each process its attributes with
//! `--attr-source`: a tree of ours' `.gitattributes` files alone (the empty tree when
//! it has none). Successive commits of a branch mostly share that tree, so a process
//! is kept for each one met (a few at most).

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Stdio};

use super::merge::ConflictedPath;
use super::Oid;
use crate::error::{Error, Result};

/// The empty tree, which git knows without storing it.
const EMPTY_TREE: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/// The merge sent after each real one: the empty tree with itself.
const TRIVIAL_MERGE: &str = concat!(
    "4b825dc642cb6eb9a060e54bf8d69288fbee4904 -- ",
    "4b825dc642cb6eb9a060e54bf8d69288fbee4904 ",
    "4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
);

/// The oldest git whose `merge-tree` takes merge bases on `--stdin` and `--attr-source`.
const OLDEST_GIT: (u32, u32) = (2, 45);

/// What git's merge made of two commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrtMerge {
    /// Whether git merged without a conflict.
    pub clean: bool,
    /// The merged tree; on a conflict, with the conflicted files as git writes them.
    pub tree: Oid,
    /// The conflicted paths.
    pub conflicts: Vec<ConflictedPath>,
}

/// How many processes (one per attribute tree) are kept running at most.
const MAX_PROCESSES: usize = 4;

/// The merges of one repository: a process per attribute tree, started at its first
/// merge.
#[derive(Default)]
pub struct Ort {
    processes: Vec<(Option<Oid>, OrtProcess)>,
    /// Set by [`Ort::write_into`]: `GIT_OBJECT_DIRECTORY` for git (whose alternates
    /// file names the repository's objects).
    objects: Option<PathBuf>,
}

impl Ort {
    /// Ends every `git merge-tree` process (each reads its end of input and exits).
    pub fn end_processes(&mut self) {
        self.processes.clear();
    }

    /// Merges `theirs` into `ours` (commits) against `base` (None: the merge bases git
    /// finds), reading attributes from the tree `attributes` (None: there are none).
    pub fn merge(
        &mut self,
        git_dir: &Path,
        attributes: Option<Oid>,
        base: Option<Oid>,
        ours: Oid,
        theirs: Oid,
    ) -> Result<OrtMerge> {
        let at = match self
            .processes
            .iter()
            .position(|(key, _)| *key == attributes)
        {
            Some(at) => at,
            None => {
                if self.processes.len() == MAX_PROCESSES {
                    self.processes.remove(0);
                }
                let process = OrtProcess::start(git_dir, attributes, self.objects.as_ref())?;
                self.processes.push((attributes, process));
                self.processes.len() - 1
            }
        };
        let merged = self.processes[at].1.merge(base, ours, theirs);
        if merged.is_err() {
            self.processes.remove(at);
        }
        merged
    }

    /// From now on git writes the objects of its merges into `scratch` (an objects
    /// folder whose alternates file names the repository's own).
    pub fn write_into(&mut self, scratch: &Path) {
        self.processes.clear();
        self.objects = Some(scratch.to_path_buf());
    }
}

/// A running `git merge-tree --stdin`.
struct OrtProcess {
    child: Child,
    input: Option<ChildStdin>,
    output: BufReader<ChildStdout>,
    /// Where the process writes its standard error, read back when it fails.
    errors: File,
    /// Whether the NUL ending the last trivial merge's answer is still to be read.
    end_pending: bool,
}

impl OrtProcess {
    /// Starts `git merge-tree` on the repository at `git_dir`, reading attributes from
    /// `attr_source` (a tree-ish; None: the empty tree).
    fn start(
        git_dir: &Path,
        attr_source: Option<Oid>,
        objects: Option<&PathBuf>,
    ) -> Result<OrtProcess> {
        check_git_version()?;
        let source = attr_source.map_or_else(|| EMPTY_TREE.to_string(), |oid| oid.to_string());
        let errors = tempfile::tempfile()
            .map_err(|e| Error::io("cannot make a file for git's errors", e))?;
        let stderr = errors
            .try_clone()
            .map_err(|e| Error::io("cannot make a file for git's errors", e))?;
        let mut git = super::system_git();
        if let Some(scratch) = objects {
            git.env("GIT_OBJECT_DIRECTORY", scratch);
        }
        let mut child = git
            .arg("--git-dir")
            .arg(git_dir)
            .arg(format!("--attr-source={source}"))
            .args(["merge-tree", "--write-tree", "--stdin", "-z", "--messages"])
            .current_dir(git_dir)
            // Its own process group: a Ctrl-C meant for git-align (which pauses the run
            // at the next step) must not kill the merge it is waiting for. Should
            // git-align die, the process reads the end of its input and exits.
            .process_group(0)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .map_err(|e| Error::io("cannot run git merge-tree (is git installed?)", e))?;
        let input = child.stdin.take();
        let output = BufReader::new(child.stdout.take().expect("stdout was piped"));
        Ok(OrtProcess {
            child,
            input,
            output,
            errors,
            end_pending: false,
        })
    }

    /// Merges `theirs` into `ours` (commits) against `base` (None: the merge bases git
    /// finds, merged recursively as `git merge` does).
    fn merge(&mut self, base: Option<Oid>, ours: Oid, theirs: Oid) -> Result<OrtMerge> {
        let line = match base {
            Some(base) => format!("{base} -- {ours} {theirs}\n{TRIVIAL_MERGE}"),
            None => format!("{ours} {theirs}\n{TRIVIAL_MERGE}"),
        };
        let written = match self.input.as_mut() {
            Some(input) => input
                .write_all(line.as_bytes())
                .and_then(|()| input.flush()),
            None => Err(std::io::ErrorKind::BrokenPipe.into()),
        };
        let answer = written.map_err(|_| ()).and_then(|()| {
            if self.end_pending {
                self.end()?;
            }
            let merge = self.read_record()?;
            self.read_trivial()?;
            Ok(merge)
        });
        match answer {
            Ok(merge) => Ok(merge),
            Err(()) => Err(self.failure()),
        }
    }

    /// Reads one answer: status, tree, conflicted entries, then messages (whose
    /// conflict paths stand in for entries git did not stage).
    fn read_record(&mut self) -> std::result::Result<OrtMerge, ()> {
        let status = self.field()?;
        let tree = self.field()?.parse::<Oid>().map_err(|_| ())?;
        let mut staged = Vec::new();
        loop {
            let field = self.field()?;
            if field.is_empty() {
                break;
            }
            staged.push(parse_entry(&field)?);
        }
        let mut noted = Vec::new();
        loop {
            let count = self.field()?;
            if count.is_empty() {
                break;
            }
            let count: usize = count.parse().map_err(|_| ())?;
            let paths = (0..count)
                .map(|_| self.field())
                .collect::<std::result::Result<Vec<_>, ()>>()?;
            let kind = self.field()?;
            self.field()?;
            if kind.starts_with("CONFLICT") {
                noted.extend(paths);
            }
        }
        let clean = match status.as_str() {
            "1" => true,
            "0" => false,
            _ => return Err(()),
        };
        let conflicts = conflicted_paths(staged, noted);
        Ok(OrtMerge {
            clean,
            tree,
            conflicts,
        })
    }

    /// The trivial merge's answer, but for its end: clean, the empty tree, no conflicts.
    fn read_trivial(&mut self) -> std::result::Result<(), ()> {
        let (status, tree) = (self.field()?, self.field()?);
        if status != "1" || tree != EMPTY_TREE {
            return Err(());
        }
        self.end()?;
        self.end_pending = true;
        Ok(())
    }

    /// An empty field: the end of a list, or of an answer.
    fn end(&mut self) -> std::result::Result<(), ()> {
        match self.field()?.is_empty() {
            true => Ok(()),
            false => Err(()),
        }
    }

    /// One NUL-terminated field of the output (a path that is not UTF-8 is read
    /// lossily: it only names a conflict, which git itself sets up).
    fn field(&mut self) -> std::result::Result<String, ()> {
        let mut bytes = Vec::new();
        match self.output.read_until(0, &mut bytes) {
            Ok(_) if bytes.last() == Some(&0) => {
                bytes.pop();
                Ok(String::from_utf8_lossy(&bytes).into_owned())
            }
            _ => Err(()),
        }
    }

    /// The error for a process that stopped answering: the last line it printed.
    fn failure(&mut self) -> Error {
        self.input = None;
        // It may be blocked writing an answer nobody reads any more.
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut said = String::new();
        let _ = self.errors.rewind();
        let _ = self.errors.read_to_string(&mut said);
        Error::Git {
            context: "git merge-tree failed".into(),
            message: super::git_said(&said)
                .unwrap_or("it stopped without saying why")
                .to_string(),
        }
    }
}

impl Drop for OrtProcess {
    fn drop(&mut self) {
        self.input = None;
        let _ = self.child.wait();
    }
}

/// One conflicted file entry: `<mode> <object> <stage>\t<path>`.
fn parse_entry(field: &str) -> std::result::Result<(String, u8, Oid), ()> {
    let (meta, path) = field.split_once('\t').ok_or(())?;
    let mut parts = meta.split(' ');
    let (_mode, object, stage) = (parts.next(), parts.next(), parts.next());
    let object = object.ok_or(())?.parse::<Oid>().map_err(|_| ())?;
    let stage = stage.ok_or(())?.parse::<u8>().map_err(|_| ())?;
    Ok((path.to_string(), stage, object))
}

/// The conflicts by path, sorted: each staged path with its blob at stages 1, 2 and 3,
/// then every path a conflict message names that has no stage (e.g. a file git moved).
fn conflicted_paths(staged: Vec<(String, u8, Oid)>, noted: Vec<String>) -> Vec<ConflictedPath> {
    let mut out: Vec<ConflictedPath> = Vec::new();
    for (path, stage, object) in staged {
        let at = match out.iter().position(|c| c.path == path) {
            Some(at) => at,
            None => {
                out.push(ConflictedPath {
                    path,
                    base: None,
                    ours: None,
                    theirs: None,
                });
                out.len() - 1
            }
        };
        let entry = &mut out[at];
        match stage {
            1 => entry.base = Some(object),
            2 => entry.ours = Some(object),
            _ => entry.theirs = Some(object),
        }
    }
    for path in noted {
        if !out.iter().any(|c| c.path == path) {
            out.push(ConflictedPath {
                path,
                base: None,
                ours: None,
                theirs: None,
            });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Refuses a git too old for the merges git-align asks of it, saying which it found
/// (asked once per process).
fn check_git_version() -> Result<()> {
    static FOUND: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let version = match FOUND.get() {
        Some(version) => version.clone(),
        None => {
            let version = git_version()?;
            FOUND.get_or_init(|| version).clone()
        }
    };
    let mut numbers = version.split('.').map(|n| n.parse::<u32>().unwrap_or(0));
    let found = (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0));
    if found >= OLDEST_GIT {
        return Ok(());
    }
    Err(Error::OldGit {
        found: crate::ui::escape_line(&version),
        needed: format!("{}.{}", OLDEST_GIT.0, OLDEST_GIT.1),
    })
}

/// What `git --version` says, less its `git version ` prefix.
fn git_version() -> Result<String> {
    let out = super::system_git()
        .arg("--version")
        .output()
        .map_err(|e| Error::io("cannot run git (is it installed?)", e))?;
    let said = String::from_utf8_lossy(&out.stdout);
    Ok(said.trim().trim_start_matches("git version ").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(n: u8) -> Oid {
        Oid::from_bytes([n; 20])
    }

    #[test]
    fn conflicts_gather_stages_by_path_and_add_unstaged_paths() {
        let staged = vec![
            ("b".to_string(), 1, oid(1)),
            ("b".to_string(), 3, oid(3)),
            ("a".to_string(), 2, oid(2)),
        ];
        let paths = conflicted_paths(staged, vec!["c".into(), "a".into()]);
        let names: Vec<&str> = paths.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!(
            (paths[1].base, paths[1].ours, paths[1].theirs),
            (Some(oid(1)), None, Some(oid(3)))
        );
        assert_eq!(paths[2].ours, None);
    }

    #[test]
    fn an_entry_is_mode_object_stage_tab_path() {
        let field = format!("100644 {} 2\tdir/a b.txt", oid(7));
        assert_eq!(parse_entry(&field), Ok(("dir/a b.txt".into(), 2, oid(7))));
        assert_eq!(parse_entry("100644 nonsense"), Err(()));
    }
}
