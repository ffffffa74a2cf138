//! TestRepo: a temporary repository with a pinned environment (identities, dates, no
//! user or system config), driven through the real `git-align` binary. The system `git`
//! builds fixtures and serves as the oracle.

#![allow(dead_code)]

pub mod http;
pub mod manpage;
pub mod oracle;
pub mod serve;
pub mod synth;
pub mod webdriver;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use synth::Synth;

pub const BIN: &str = env!("CARGO_BIN_EXE_git-align");

/// A file of `tests/data/`.
pub fn data_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The small generated repository the crash and pause tests share: 12 topics and
/// stacks of 3, 2 commits each, on 40 files.
pub fn small_synth() -> Synth {
    Synth {
        topics: 12,
        commits: 2,
        files: 40,
        depth: 3,
        ..Synth::default()
    }
}

/// The ref backend of every repository the tests make: `files`, or what
/// `GIT_ALIGN_TEST_REF_FORMAT` names (`reftable`: the suite's ref-touching tests are run
/// again that way by `.ci/run`).
pub fn ref_format() -> String {
    std::env::var("GIT_ALIGN_TEST_REF_FORMAT").unwrap_or_else(|_| "files".into())
}

pub struct TestRepo {
    _tmp: tempfile::TempDir,
    pub path: PathBuf,
    home: PathBuf,
}

/// PATH with the git-align under test first, so `git align` (and hooks) run it.
fn search_path() -> String {
    let bin_dir = Path::new(BIN).parent().unwrap().display().to_string();
    format!("{bin_dir}:{}", std::env::var("PATH").unwrap_or_default())
}

/// The pinned environment every command runs with.
fn pin(cmd: &mut Command, home: &Path) {
    cmd.env_clear()
        .env("PATH", search_path())
        .env("HOME", home)
        .env("TMPDIR", home.join("tmp"))
        .env("TZ", "UTC")
        .env("LANG", "C")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", home.join("gitconfig"))
        .env("GIT_AUTHOR_NAME", "Ann Author")
        .env("GIT_AUTHOR_EMAIL", "ann@example.com")
        .env("GIT_AUTHOR_DATE", "@1700000000 +0000")
        .env("GIT_COMMITTER_NAME", "Cid Committer")
        .env("GIT_COMMITTER_EMAIL", "cid@example.com")
        .env("GIT_COMMITTER_DATE", "@1700003600 +0000")
        .env("GIT_EDITOR", "true")
        .env("GIT_SEQUENCE_EDITOR", "true");
}

impl TestRepo {
    /// An empty repository on `main`.
    pub fn new() -> TestRepo {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("repo");
        let home = tmp.path().join("home");
        std::fs::create_dir_all(home.join("tmp")).unwrap();
        std::fs::write(
            home.join("gitconfig"),
            format!(
                "[user]\n\tname = Cid Committer\n\temail = cid@example.com\n[init]\n\tdefaultBranch = main\n\tdefaultRefFormat = {}\n[advice]\n\tdetachedHead = false\n",
                ref_format()
            ),
        )
        .unwrap();
        let repo = TestRepo {
            _tmp: tmp,
            path,
            home,
        };
        repo.git_at(repo.path.parent().unwrap(), &["init", "-q", "repo"]);
        repo
    }

    /// A repository written by the synthetic generator.
    pub fn generated(opts: &Synth) -> TestRepo {
        let repo = TestRepo::new();
        std::fs::remove_dir_all(&repo.path).unwrap();
        opts.write(&repo.path, &|| {
            let mut cmd = Command::new("git");
            pin(&mut cmd, &repo.home);
            cmd
        })
        .unwrap();
        repo
    }

    /// A clone of a bundle of `tests/data/` with its `main` checked out, and every branch
    /// of the bundle as a local branch.
    pub fn from_bundle(name: &str) -> TestRepo {
        let repo = TestRepo::new();
        std::fs::remove_dir_all(&repo.path).unwrap();
        let (bundle, target) = (data_file(name), repo.path.display().to_string());
        repo.git_at(
            repo.path.parent().unwrap(),
            &[
                "clone",
                "-q",
                "-b",
                "main",
                &bundle.display().to_string(),
                &target,
            ],
        );
        let branches = repo.git(&[
            "for-each-ref",
            "--format=create refs/heads/%(refname:lstrip=3) %(objectname)",
            "refs/remotes/origin/",
        ]);
        let creates: String = branches
            .lines()
            .filter(|l| {
                !l.starts_with("create refs/heads/HEAD ")
                    && !l.starts_with("create refs/heads/main ")
            })
            .map(|l| {
                format!(
                    "{l}
"
                )
            })
            .collect();
        repo.git_stdin(&["update-ref", "--stdin"], &creates);
        repo.git(&["remote", "remove", "origin"]);
        repo
    }

    /// A copy of this repository (for running two tools on the same input).
    pub fn copy(&self) -> TestRepo {
        let copy = TestRepo::new();
        std::fs::remove_dir_all(&copy.path).unwrap();
        let status = Command::new("cp")
            .arg("-a")
            .arg(&self.path)
            .arg(&copy.path)
            .status()
            .unwrap();
        assert!(status.success());
        copy
    }

    /// A bare repository beside this one holding all its refs, added here as `origin`
    /// (and fetched, so `origin/*` exists); returns its path.
    pub fn bare_origin(&self) -> PathBuf {
        let bare = self.path.parent().unwrap().join("origin.git");
        let (source, target) = (self.path.display().to_string(), bare.display().to_string());
        self.git_at(
            self.path.parent().unwrap(),
            &["clone", "-q", "--bare", &source, &target],
        );
        self.git(&["remote", "add", "origin", &target]);
        self.git(&["fetch", "-q", "origin"]);
        bare
    }

    /// A fresh clone of `url` (its default branch checked out).
    pub fn clone_of(url: &Path) -> TestRepo {
        let repo = TestRepo::new();
        std::fs::remove_dir_all(&repo.path).unwrap();
        let target = repo.path.display().to_string();
        repo.git_at(
            repo.path.parent().unwrap(),
            &["clone", "-q", &url.display().to_string(), &target],
        );
        repo
    }

    /// Expires every reflog and prunes every unreachable object in `dir`, as
    /// `git gc --prune=now` after `git reflog expire --expire=now --all`.
    pub fn gc_prune_at(&self, dir: &Path) {
        self.git_at(dir, &["reflog", "expire", "--expire=now", "--all"]);
        self.git_at(dir, &["gc", "-q", "--prune=now"]);
    }

    /// Runs system git in `dir` (a bare remote, a parent folder); panics on failure.
    #[track_caller]
    pub fn git_at(&self, dir: &Path, args: &[&str]) -> String {
        let mut cmd = Command::new("git");
        cmd.current_dir(dir).args(args);
        pin(&mut cmd, &self.home);
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "git {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .trim_end()
            .to_string()
    }

    /// Runs system git; panics on failure.
    pub fn git(&self, args: &[&str]) -> String {
        self.git_at(&self.path, args)
    }

    /// Runs system git with `input` on its standard input; panics on failure.
    pub fn git_stdin(&self, args: &[&str], input: &str) -> String {
        use std::io::Write;
        let mut child = self
            .command("git")
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .trim_end()
            .to_string()
    }

    /// Runs system git, expects success, returns stdout and stderr together (what hooks
    /// print lands in stderr).
    #[track_caller]
    pub fn git_all(&self, args: &[&str]) -> String {
        let mut cmd = Command::new("git");
        cmd.current_dir(&self.path).args(args);
        pin(&mut cmd, &self.home);
        let out = cmd.output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "git {args:?} failed: {text}");
        text
    }

    /// Runs system git and returns whether it succeeded.
    pub fn git_ok(&self, args: &[&str]) -> bool {
        let mut cmd = Command::new("git");
        cmd.current_dir(&self.path).args(args);
        pin(&mut cmd, &self.home);
        cmd.output().unwrap().status.success()
    }

    /// Writes a file (creating folders) in the work tree.
    pub fn write(&self, file: &str, content: &str) {
        let path = self.path.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    /// Writes files and commits them on the current branch; returns the commit id.
    pub fn commit(&self, files: &[(&str, &str)], message: &str) -> String {
        for (file, content) in files {
            self.write(file, content);
        }
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.rev("HEAD")
    }

    pub fn rev(&self, rev: &str) -> String {
        self.git(&["rev-parse", rev])
    }

    pub fn checkout(&self, branch: &str) {
        self.git(&["checkout", "-q", branch]);
    }

    pub fn branch(&self, name: &str, at: &str) {
        self.git(&["branch", "-f", name, at]);
    }

    /// A command for any program, run in this repository with the pinned environment.
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(&self.path);
        pin(&mut cmd, &self.home);
        cmd
    }

    /// A command for the git-align binary in this repository.
    pub fn align_cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.current_dir(&self.path).args(args);
        pin(&mut cmd, &self.home);
        cmd
    }

    /// Runs git-align.
    pub fn align(&self, args: &[&str]) -> Output {
        self.align_cmd(args).output().unwrap()
    }

    /// Runs git-align and expects this exit code; returns stdout + stderr.
    #[track_caller]
    pub fn align_expect(&self, args: &[&str], code: i32) -> String {
        let out = self.align(args);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.status.code(), Some(code), "git align {args:?}:\n{text}");
        text
    }

    /// Every ref and its oid (HEAD included, symbolic HEAD shown as `ref: ...`).
    pub fn refs(&self) -> BTreeMap<String, String> {
        let mut out: BTreeMap<String, String> = self
            .git(&["for-each-ref", "--format=%(refname) %(objectname)"])
            .lines()
            .map(|l| {
                let (name, oid) = l.split_once(' ').unwrap();
                (name.to_string(), oid.to_string())
            })
            .collect();
        let head = match self.git_ok(&["symbolic-ref", "-q", "HEAD"]) {
            true => format!("ref: {}", self.git(&["symbolic-ref", "HEAD"])),
            false => self.rev("HEAD"),
        };
        out.insert("HEAD".into(), head);
        out
    }

    /// Refs outside `refs/align/` (what the user sees).
    pub fn user_refs(&self) -> BTreeMap<String, String> {
        self.refs()
            .into_iter()
            .filter(|(k, _)| !k.starts_with("refs/align/"))
            .collect()
    }

    /// Local branches and their oids.
    pub fn branches(&self) -> BTreeMap<String, String> {
        self.refs()
            .into_iter()
            .filter_map(|(k, v)| k.strip_prefix("refs/heads/").map(|b| (b.to_string(), v)))
            .collect()
    }

    /// `git align status --json`, parsed.
    #[track_caller]
    pub fn status_json(&self) -> serde_json::Value {
        let out = self.align(&["status", "--json"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// `git fsck --strict` passes.
    #[track_caller]
    pub fn assert_fsck(&self) {
        let out = Command::new("git")
            .current_dir(&self.path)
            .args(["fsck", "--strict", "--no-progress"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "fsck: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The state of the current checkpoint: its state.json with the branches of
    /// `branches/*.json` appended.
    pub fn state_json(&self) -> serde_json::Value {
        let mut state: serde_json::Value =
            serde_json::from_str(&self.git(&["show", "refs/align/state:state.json"])).unwrap();
        let files = self.git(&["ls-tree", "--name-only", "refs/align/state:branches"]);
        for file in files.lines() {
            let chunk: serde_json::Value = serde_json::from_str(
                &self.git(&["show", &format!("refs/align/state:branches/{file}")]),
            )
            .unwrap();
            let branches = state["branches"].as_array_mut().unwrap();
            branches.extend(chunk.as_array().unwrap().iter().cloned());
        }
        state
    }

    /// What git-align's temporary worktrees left: admin folders under `.git/worktrees`
    /// and checkouts in the temporary folder.
    pub fn leftover_worktrees(&self) -> Vec<String> {
        let admin = std::fs::read_dir(self.path.join(".git/worktrees"))
            .into_iter()
            .flatten();
        let checkouts = std::fs::read_dir(self.home.join("tmp"))
            .into_iter()
            .flatten();
        admin
            .chain(checkouts)
            .map(|e| e.unwrap().path().display().to_string())
            .filter(|p| p.contains("align-"))
            .collect()
    }

    /// The folder TMPDIR points at for this repository's commands.
    pub fn tmp_dir(&self) -> PathBuf {
        self.home.join("tmp")
    }

    /// Tree of a revision.
    pub fn tree(&self, rev: &str) -> String {
        self.rev(&format!("{rev}^{{tree}}"))
    }
}

/// `content` with its line `n` (from 1) replaced by `text`.
/// A 20-line file (`line 0` .. `line 19`) with line `n` replaced for each `(n, text)`.
pub fn file_with(changes: &[(usize, &str)]) -> String {
    (0..20)
        .map(|n| {
            changes
                .iter()
                .find(|(at, _)| *at == n)
                .map_or_else(|| format!("line {n}\n"), |(_, text)| format!("{text}\n"))
        })
        .collect()
}

pub fn replace_line(content: &str, n: usize, text: &str) -> String {
    content
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i + 1 == n {
                format!("{text}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect()
}

/// Waits for a spawned git-align and checks its exit code.
#[track_caller]
pub fn wait_for_exit(child: std::process::Child, code: i32) {
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Checks that status agrees with the refs: each branch is at its original or its new
/// oid, and is reported aligned exactly when it is at a new oid that differs.
#[track_caller]
pub fn assert_status_truthful(repo: &TestRepo) {
    let status = repo.status_json();
    let branches = repo.branches();
    let Some(listed) = status["branches"].as_array() else {
        assert_eq!(status["state"], "none", "a run lists its branches");
        return;
    };
    for b in listed {
        let name = b["name"].as_str().unwrap();
        let actual = branches.get(name).cloned().unwrap_or_default();
        let original = b["original"].as_str().unwrap();
        let new = b["new"].as_str();
        if b["pruned"] == true {
            assert_eq!(b["status"], "landed", "{name} is pruned but not landed");
            assert!(
                actual.is_empty() || actual == original,
                "{name} is pruned but at {actual}"
            );
            continue;
        }
        assert!(
            actual == original || Some(actual.as_str()) == new,
            "{name} is at {actual}, state knows {original} and {new:?}"
        );
        if Some(actual.as_str()) == new && new != Some(original) {
            assert_eq!(
                b["status"], "aligned",
                "{name} moved but status says {}",
                b["status"]
            );
        }
        if b["status"] == "aligned" {
            assert_eq!(
                Some(actual.as_str()),
                new,
                "{name} is said aligned but is not at new"
            );
        }
    }
}

/// Whether an optional system tool is installed; when it is not, says which Debian
/// package brings it (the test then skips; under `CI`, where `.ci/run` installs every
/// such tool, it fails).
pub fn have_tool(program: &str, package: &str) -> bool {
    let found = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
        .unwrap_or(false);
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{program} is missing, which CI installs (Debian package {package})"
        );
        eprintln!("skipped: {program} is not installed (Debian package {package})");
    }
    found
}

/// Starts git-align slowed down by `delay_ms` at each crash point, and waits until it
/// holds the lock (it says who it is in the lock file once it does).
pub fn start_slow(repo: &TestRepo, args: &[&str], delay_ms: u32) -> std::process::Child {
    let child = repo
        .align_cmd(args)
        .env("GIT_ALIGN_TEST_DELAY_MS", delay_ms.to_string())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let lock = repo.path.join(".git/align.lock");
    while !std::fs::read_to_string(&lock).is_ok_and(|record| record.contains("\"pid\"")) {
        assert!(
            std::time::Instant::now() < deadline,
            "the run never took the lock"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child
}

/// Writes a run-lock record naming `pid` on this host, as a process that held the lock
/// would have left it (no process holds the kernel lock).
pub fn write_lock_record(repo: &TestRepo, pid: u32) {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    std::fs::write(
        repo.path.join(".git/align.lock"),
        format!(
            r#"{{"pid":{pid},"host":"{}","since":"2026-01-01T00:00:00Z"}}"#,
            host.trim()
        ),
    )
    .unwrap();
}

/// A conflict as git leaves it: `git ls-files -u`, and each unmerged file's bytes.
#[derive(Debug, PartialEq, Eq)]
pub struct ConflictSeen {
    stages: String,
    files: BTreeMap<String, Vec<u8>>,
}

impl ConflictSeen {
    /// The conflict in the work tree at `dir` (of `repo` or one of its worktrees).
    pub fn in_dir(repo: &TestRepo, dir: &Path) -> ConflictSeen {
        let stages = repo.git_at(dir, &["ls-files", "-u"]);
        let mut files = BTreeMap::new();
        for line in stages.lines() {
            let path = line.split_once('\t').unwrap().1.to_string();
            let bytes = std::fs::read(dir.join(&path)).unwrap_or_default();
            files.insert(path, bytes);
        }
        ConflictSeen { stages, files }
    }
}
