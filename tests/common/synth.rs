//! Synthetic repositories to align, for the tests and the benchmark, written as one
//! `git fast-import` stream (about a second for 1,000 branches on a 2,000-file tree).
//!
//! What a repository holds:
//! - `main`: a tree of `files` files of [`LINES`] lines each, then `history` commits;
//!   the tag `old-base` marks the commit every branch forks from;
//! - `topics` independent branches `topic/NNNN` of `commits` commits each: a commit
//!   edits one of lines 10-19 of an existing file (a `shared` share of them, in percent)
//!   or adds a file of its own;
//! - `stacks` stacks of `depth` branches `stack/S/D` (D zero-padded), each on the one
//!   below;
//! - the first `conflicts` topics start with an edit of line 2 of a file that `main`
//!   then edits on the same line (a conflict under `git rebase`);
//! - the next `upstream` topics start with a commit whose patch `main` also carries
//!   (`git rebase` drops it);
//! - then `main` moves on by `advance` commits editing lines 0-4 (clean against every
//!   branch but the conflicting ones), by `renames` commits each moving one file a
//!   topic edits into `moved/` (clean under rename detection), and by the upstreamed
//!   patches.
//!
//! The same options give the same repository, byte for byte.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Lines in each generated file.
pub const LINES: usize = 20;

/// What to generate; see the module documentation.
#[derive(Clone, Debug)]
pub struct Synth {
    pub topics: usize,
    pub commits: usize,
    pub files: usize,
    pub history: usize,
    pub advance: usize,
    pub stacks: usize,
    pub depth: usize,
    pub shared_percent: u32,
    pub conflicts: usize,
    pub upstream: usize,
    pub renames: usize,
    pub seed: u64,
}

impl Default for Synth {
    fn default() -> Synth {
        Synth {
            topics: 100,
            commits: 3,
            files: 2000,
            history: 20,
            advance: 10,
            stacks: 0,
            depth: 5,
            shared_percent: 50,
            conflicts: 0,
            upstream: 0,
            renames: 0,
            seed: 1,
        }
    }
}

/// A small deterministic generator (splitmix64): the same seed, the same repository.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `lo..hi`.
    fn below(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo) as u64) as usize
    }

    fn percent(&mut self) -> u32 {
        (self.next() % 100) as u32
    }
}

/// A tree as the generator sees it: path -> lines.
type Tree = BTreeMap<String, Vec<String>>;

/// One change of a commit: a file written, or a file deleted.
enum Change {
    Write(String, Vec<String>),
    Delete(String),
}

/// The fast-import stream under construction.
struct Stream {
    out: Vec<u8>,
    marks: usize,
    clock: u64,
}

impl Stream {
    /// Appends a commit to `branch` (after `parent`, a mark) and returns its mark.
    fn commit(
        &mut self,
        branch: &str,
        parent: Option<usize>,
        msg: &str,
        changes: &[Change],
    ) -> usize {
        self.marks += 1;
        self.clock += 60;
        let who = format!("Dev <dev@example.com> {} +0000", self.clock);
        let out = &mut self.out;
        writeln!(out, "commit refs/heads/{branch}\nmark :{}", self.marks).unwrap();
        writeln!(
            out,
            "author {who}\ncommitter {who}\ndata {}\n{msg}",
            msg.len()
        )
        .unwrap();
        if let Some(parent) = parent {
            writeln!(out, "from :{parent}").unwrap();
        }
        for change in changes {
            match change {
                Change::Write(path, lines) => {
                    let body = lines.join("\n") + "\n";
                    writeln!(out, "M 100644 inline {path}\ndata {}\n{body}", body.len()).unwrap();
                }
                Change::Delete(path) => writeln!(out, "D {path}").unwrap(),
            }
        }
        writeln!(out).unwrap();
        self.marks
    }

    fn tag(&mut self, name: &str, mark: usize) {
        writeln!(self.out, "reset refs/tags/{name}\nfrom :{mark}\n").unwrap();
    }
}

/// The generator's working state: options, randomness, the stream and the base tree.
struct Builder<'a> {
    opts: &'a Synth,
    rng: Rng,
    stream: Stream,
    paths: Vec<String>,
}

impl Builder<'_> {
    fn random_path(&mut self) -> String {
        let i = self.rng.below(0, self.paths.len());
        self.paths[i].clone()
    }

    /// Appends a tag to one random line in `lo..hi` of `path` in `tree`.
    fn edit(&mut self, tree: &mut Tree, path: &str, lo: usize, hi: usize, tag: &str) -> Change {
        let line = self.rng.below(lo, hi);
        let lines = tree.get_mut(path).expect("a generated path");
        lines[line] = format!("{} [{tag}]", lines[line]);
        Change::Write(path.to_string(), lines.clone())
    }

    /// Commits `count` commits of a branch, the first being `first` if given; returns
    /// the last commit's mark.
    fn branch(
        &mut self,
        name: &str,
        mut parent: usize,
        tree: &mut Tree,
        first: Option<Change>,
    ) -> usize {
        let label = name.replace('/', "-");
        let mut first = first;
        for c in 0..self.opts.commits.max(1) {
            let change = match first.take() {
                Some(change) => {
                    if let Change::Write(path, lines) = &change {
                        tree.insert(path.clone(), lines.clone());
                    }
                    change
                }
                None if self.rng.percent() < self.opts.shared_percent => {
                    let path = self.random_path();
                    self.edit(tree, &path, 10, LINES, &format!("{label}.{c}"))
                }
                None => {
                    let path = format!("topics/{label}/c{c}.txt");
                    let lines = numbered(&format!("{label} commit {c}"));
                    tree.insert(path.clone(), lines.clone());
                    Change::Write(path, lines)
                }
            };
            parent = self.stream.commit(
                name,
                Some(parent),
                &format!("{label}: change {c}"),
                &[change],
            );
        }
        parent
    }
}

/// `LINES` lines `"<prefix> line <k>"`.
fn numbered(prefix: &str) -> Vec<String> {
    (0..LINES).map(|k| format!("{prefix} line {k}")).collect()
}

/// Zero-padded decimal of at least `width` digits.
fn padded(n: usize, width: usize) -> String {
    format!("{n:0width$}")
}

impl Synth {
    /// Writes the repository into `dir` (which must not exist or be empty) with the
    /// system git commands `git` makes, `main` checked out. Returns the number of
    /// branches besides `main`.
    pub fn write(&self, dir: &Path, git: &dyn Fn() -> Command) -> std::io::Result<usize> {
        assert!(
            self.conflicts + self.upstream <= self.topics,
            "conflicting and upstreamed topics are topics"
        );
        let stream = self.stream();
        std::fs::create_dir_all(dir)?;
        run(git(), dir, &["init", "-q", "-b", "main"], None)?;
        run(git(), dir, &["fast-import", "--quiet"], Some(&stream))?;
        run(git(), dir, &["checkout", "-q", "-f", "main"], None)?;
        Ok(self.topics + self.stacks * self.depth)
    }

    /// The fast-import stream of the whole repository.
    fn stream(&self) -> Vec<u8> {
        let paths: Vec<String> = (0..self.files.max(1))
            .map(|i| format!("src/d{:02}/f{i:05}.txt", i % 50))
            .collect();
        let mut b = Builder {
            opts: self,
            rng: Rng(self.seed),
            stream: Stream {
                out: Vec::new(),
                marks: 0,
                clock: 1_700_000_000,
            },
            paths,
        };
        let mut main: Tree = b.paths.iter().map(|p| (p.clone(), numbered(p))).collect();
        let initial: Vec<Change> = main
            .iter()
            .map(|(p, l)| Change::Write(p.clone(), l.clone()))
            .collect();
        let mut tip = b.stream.commit("main", None, "initial tree", &initial);
        for h in 0..self.history {
            let path = b.random_path();
            let change = b.edit(&mut main, &path, 0, 5, &format!("h{h}"));
            tip = b
                .stream
                .commit("main", Some(tip), &format!("main history {h}"), &[change]);
        }
        let fork = tip;
        b.stream.tag("old-base", fork);

        // Which files main's advance edits, chosen first so conflicts can aim at them.
        let advance_files: Vec<String> =
            (0..self.advance.max(1)).map(|_| b.random_path()).collect();
        let mut conflicted = Vec::new();
        let mut upstreamed = Vec::new();
        let width = 4.max(self.topics.to_string().len());
        for t in 0..self.topics {
            let name = format!("topic/{}", padded(t, width));
            let first = if t < self.conflicts {
                let path = advance_files[t % advance_files.len()].clone();
                let mut lines = main[&path].clone();
                lines[2] = format!("{} [branch {name}]", lines[2]);
                conflicted.push(path.clone());
                Some(Change::Write(path, lines))
            } else if t < self.conflicts + self.upstream {
                let path = format!("upstreamed/{t}.txt");
                upstreamed.push((path.clone(), numbered(&format!("upstreamed {t}"))));
                Some(Change::Write(path, numbered(&format!("upstreamed {t}"))))
            } else {
                None
            };
            b.branch(&name, fork, &mut main.clone(), first);
        }
        let depth_width = (self.depth.max(1) - 1).to_string().len();
        for s in 0..self.stacks {
            let (mut parent, mut tree) = (fork, main.clone());
            for d in 0..self.depth {
                let name = format!("stack/{s}/{}", padded(d, depth_width));
                parent = b.branch(&name, parent, &mut tree, None);
            }
        }

        for (k, path) in advance_files.iter().take(self.advance).enumerate() {
            let change = if conflicted.contains(path) {
                let lines = main.get_mut(path).unwrap();
                lines[2] = format!("{} [main advance {k}]", lines[2]);
                Change::Write(path.clone(), lines.clone())
            } else {
                b.edit(&mut main, path, 0, 5, &format!("adv{k}"))
            };
            tip = b
                .stream
                .commit("main", Some(tip), &format!("main advance {k}"), &[change]);
        }
        for r in 0..self.renames {
            let from = b.random_path();
            let Some(lines) = main.remove(&from) else {
                continue;
            };
            let to = format!("moved/{r}/{}", from.rsplit('/').next().unwrap());
            main.insert(to.clone(), lines.clone());
            let changes = [Change::Delete(from.clone()), Change::Write(to, lines)];
            tip = b
                .stream
                .commit("main", Some(tip), &format!("main moves {from}"), &changes);
        }
        for (u, (path, lines)) in upstreamed.into_iter().enumerate() {
            let change = Change::Write(path, lines);
            tip = b.stream.commit(
                "main",
                Some(tip),
                &format!("upstream a topic's first change ({u})"),
                &[change],
            );
        }
        b.stream.out
    }
}

/// Runs `git` in `dir` with `args`, feeding `input` if given; an error if it fails.
fn run(mut git: Command, dir: &Path, args: &[&str], input: Option<&[u8]>) -> std::io::Result<()> {
    let mut child = git
        .current_dir(dir)
        .args(args)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .spawn()?;
    if let Some(input) = input {
        child.stdin.take().expect("piped").write_all(input)?;
    }
    let status = child.wait()?;
    if status.success() {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "git {args:?} failed: {status}"
        )))
    }
}
