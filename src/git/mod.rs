//! The only module that talks to libgit2: a small repository wrapper whose methods return
//! plain values and git-align's own errors.

mod identity;
mod main_tree;
mod merge;
mod objects;
mod oid;
mod remote;
mod stash;
mod worktree;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use identity::Identity;
pub use main_tree::{
    create_main_conflict, forget_stale_head, lent_head, main_conflict_on, restore_head,
    MainConflict,
};
pub use merge::{ConflictedPath, Resolver, TreeMerge};
pub use oid::{BadOid, Oid};
pub use remote::{PushUpdate, PUSHING_ENV};
pub use stash::{stash_changes, unstash, Unstash};
pub use worktree::{
    conflict_in_progress, conflict_worktree_path, create_conflict_worktree, read_resolution,
    release_conflict_worktree, remove_stale as remove_stale_worktrees, Apply, Resolved,
    TempWorktree,
};

use crate::error::{Error, Result};

/// Process-wide libgit2 settings, set once before any repository is opened: objects read
/// are not re-hashed (git does not either; `git fsck` is the place for that), and objects
/// written are not checked for the existence of what they name (git-align builds trees
/// and commits only from objects it has just read or written).
pub fn tune_libgit2() {
    git2::opts::strict_hash_verification(false);
    git2::opts::strict_object_creation(false);
}

/// Reads a config value as a boolean the way git does (`true`, `yes`, `on`, `1`, ...).
pub fn parse_config_bool(value: &str) -> Option<bool> {
    git2::Config::parse_bool(value).ok()
}

/// Attaches what git-align was doing to a libgit2 failure.
trait GitContext<T> {
    fn ctx(self, what: impl FnOnce() -> String) -> Result<T>;
}

impl<T> GitContext<T> for std::result::Result<T, git2::Error> {
    fn ctx(self, what: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|e| Error::Git {
            context: what(),
            message: e.message().to_string(),
        })
    }
}

/// A commit's id, parents and tree: what planning and replay need to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitMeta {
    pub id: Oid,
    pub parents: Vec<Oid>,
    pub tree: Oid,
}

/// Where HEAD points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The branch HEAD is on (short name), or None when detached or unborn.
    pub branch: Option<String>,
    /// The commit HEAD resolves to.
    pub oid: Option<Oid>,
}

/// The result of a compare-and-swap ref update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefUpdate {
    /// The ref now points at the new oid.
    Done,
    /// The ref was not at the expected oid; it is at `actual` (None: missing).
    Moved { actual: Option<Oid> },
}

/// One ref in a restore transaction: move `refname` from `from` to `to`.
#[derive(Debug, Clone)]
pub struct RefMove {
    pub refname: String,
    pub from: Oid,
    pub to: Oid,
}

/// A git repository opened by git-align.
pub struct Repo {
    // Declared before `inner`, so dropped before the repository it belongs to.
    objects: Option<objects::ObjectBuffer>,
    inner: git2::Repository,
}

impl Repo {
    fn wrap(inner: git2::Repository) -> Result<Repo> {
        Ok(Repo {
            objects: Some(objects::ObjectBuffer::install(&inner)?),
            inner,
        })
    }

    /// The same repository opened again without the in-memory object store: what it
    /// writes goes to disk at once as loose objects (small, frequent writes such as
    /// checkpoints, which a pack per write would make slower).
    pub fn unbuffered(&self) -> Result<Repo> {
        let inner = git2::Repository::open(self.inner.path())
            .ctx(|| format!("cannot open repository {}", self.inner.path().display()))?;
        Ok(Repo {
            objects: None,
            inner,
        })
    }

    /// Writes the objects made so far to disk (one pack). Every ref update calls this
    /// first; call it before anything outside this process needs them.
    pub fn flush_objects(&self) -> Result<()> {
        match &self.objects {
            Some(objects) => objects.flush(&self.inner),
            None => Ok(()),
        }
    }

    /// Forgets the objects made since the last flush, which nothing refers to: a pause
    /// that drops the replays waiting for a checkpoint need not write them.
    pub fn discard_objects(&self) -> Result<()> {
        match &self.objects {
            Some(objects) => objects.discard(),
            None => Ok(()),
        }
    }

    /// Opens the repository the way git does: `GIT_DIR`, else the current directory upwards.
    pub fn discover() -> Result<Repo> {
        let inner = git2::Repository::open_from_env().ctx(|| "not in a git repository".into())?;
        Repo::wrap(inner)
    }

    /// Opens the repository at `path`.
    pub fn open(path: &Path) -> Result<Repo> {
        let inner = git2::Repository::open(path)
            .ctx(|| format!("cannot open repository {}", path.display()))?;
        Repo::wrap(inner)
    }

    /// Creates a new repository with `main` as its initial branch.
    pub fn init(path: &Path) -> Result<Repo> {
        let mut opts = git2::RepositoryInitOptions::new();
        opts.initial_head("main");
        let inner = git2::Repository::init_opts(path, &opts)
            .ctx(|| format!("cannot create repository {}", path.display()))?;
        Repo::wrap(inner)
    }

    /// The common git directory (shared by all worktrees).
    pub fn common_dir(&self) -> &Path {
        self.inner.commondir()
    }

    /// The git directory of this work tree (`.git`, or `.git/worktrees/<name>`).
    pub fn git_dir(&self) -> &Path {
        self.inner.path()
    }

    /// The work tree, if the repository has one.
    pub fn workdir(&self) -> Option<&Path> {
        self.inner.workdir()
    }

    /// Resolves a revision to a commit.
    pub fn resolve_commit(&self, rev: &str) -> Result<Oid> {
        let object = self
            .inner
            .revparse_single(rev)
            .map_err(|_| Error::UnknownRevision(rev.to_string()))?;
        let commit = object
            .peel_to_commit()
            .map_err(|_| Error::UnknownRevision(rev.to_string()))?;
        Ok(Oid::from_git(commit.id()))
    }

    /// The oid a ref points to, or None when it does not exist.
    pub fn ref_target(&self, refname: &str) -> Result<Option<Oid>> {
        match self.inner.find_reference(refname) {
            Ok(reference) => {
                let resolved = reference
                    .resolve()
                    .ctx(|| format!("cannot resolve {refname}"))?;
                Ok(resolved.target().map(Oid::from_git))
            }
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e).ctx(|| format!("cannot read {refname}")),
        }
    }

    /// Whether `name` is a valid full ref name.
    pub fn is_valid_refname(name: &str) -> bool {
        git2::Reference::is_valid_name(name)
    }

    /// Every local branch with its tip, sorted by name.
    pub fn local_branches(&self) -> Result<Vec<(String, Oid)>> {
        let mut out = Vec::new();
        let branches = self
            .inner
            .branches(Some(git2::BranchType::Local))
            .ctx(|| "cannot list branches".into())?;
        for item in branches {
            let (branch, _) = item.ctx(|| "cannot list branches".into())?;
            let reference = branch.get();
            let (Ok(name), Some(oid)) = (reference.shorthand(), reference.target()) else {
                continue;
            };
            out.push((name.to_string(), Oid::from_git(oid)));
        }
        out.sort();
        Ok(out)
    }

    /// Every value of a multi-valued config key, in config order.
    pub fn config_strings(&self, key: &str) -> Result<Vec<String>> {
        let config = self
            .inner
            .config()
            .ctx(|| "cannot read git config".into())?;
        let mut values = Vec::new();
        let mut entries = config
            .multivar(key, None)
            .ctx(|| format!("cannot read config {key}"))?;
        while let Some(entry) = entries.next() {
            let entry = entry.ctx(|| format!("cannot read config {key}"))?;
            if let Ok(value) = entry.value() {
                values.push(value.to_string());
            }
        }
        Ok(values)
    }

    /// The names of the refs matching a glob (`refs/notes/*`).
    pub fn refs_matching(&self, glob: &str) -> Result<Vec<String>> {
        let refs = self
            .inner
            .references_glob(glob)
            .ctx(|| format!("cannot list refs matching {glob}"))?;
        Ok(refs
            .filter_map(|r| r.ok().and_then(|r| r.name().ok().map(str::to_string)))
            .collect())
    }

    /// The note on `oid` in `notes_ref`, if there is one.
    pub fn note(&self, notes_ref: &str, oid: Oid) -> Option<String> {
        let note = self.inner.find_note(Some(notes_ref), oid.to_git()).ok()?;
        note.message().ok().map(str::to_string)
    }

    /// Sets the note on `oid` in `notes_ref` (replacing one that is there). libgit2
    /// writes the note's objects and moves the notes ref in one call, so they must go
    /// straight to disk: on a repository with the in-memory store, this flushes it and
    /// opens a handle without it (to set many notes, call this on
    /// [`Repo::unbuffered`]).
    pub fn set_note(&self, notes_ref: &str, oid: Oid, text: &str, by: &Identity) -> Result<()> {
        if self.objects.is_some() {
            self.flush_objects()?;
            return self.unbuffered()?.set_note(notes_ref, oid, text, by);
        }
        let signature = by.signature()?;
        self.inner
            .note(
                &signature,
                &signature,
                Some(notes_ref),
                oid.to_git(),
                text,
                true,
            )
            .ctx(|| format!("cannot write the note on {} in {notes_ref}", oid.short()))?;
        Ok(())
    }

    /// A config value, or None when unset.
    pub fn config_string(&self, key: &str) -> Result<Option<String>> {
        let config = self
            .inner
            .config()
            .ctx(|| "cannot read git config".into())?;
        match config.get_string(key) {
            Ok(value) => Ok(Some(value)),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e).ctx(|| format!("cannot read config {key}")),
        }
    }

    /// Sets a config value in the repository's own config file.
    pub fn set_config(&self, key: &str, value: &str) -> Result<()> {
        let mut config = self
            .inner
            .config()
            .ctx(|| "cannot read git config".into())?;
        config
            .set_str(key, value)
            .ctx(|| format!("cannot set config {key}"))
    }

    /// A boolean config value, or None when unset.
    pub fn config_bool(&self, key: &str) -> Result<Option<bool>> {
        let config = self
            .inner
            .config()
            .ctx(|| "cannot read git config".into())?;
        match config.get_bool(key) {
            Ok(value) => Ok(Some(value)),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e).ctx(|| format!("cannot read config {key}")),
        }
    }

    /// The short name of `refs/remotes/<remote>/HEAD`'s target (e.g. `origin/main`).
    pub fn remote_default_branch(&self, remote: &str) -> Result<Option<String>> {
        let refname = format!("refs/remotes/{remote}/HEAD");
        match self.inner.find_reference(&refname) {
            Ok(reference) => Ok(reference
                .symbolic_target()
                .ok()
                .flatten()
                .and_then(|t| t.strip_prefix("refs/remotes/"))
                .map(str::to_string)),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e).ctx(|| format!("cannot read {refname}")),
        }
    }

    /// Where HEAD points.
    pub fn head(&self) -> Result<Head> {
        let head = self
            .inner
            .find_reference("HEAD")
            .ctx(|| "cannot read HEAD".into())?;
        let branch = head
            .symbolic_target()
            .ok()
            .flatten()
            .and_then(|t| t.strip_prefix("refs/heads/"))
            .map(str::to_string);
        let oid = head
            .resolve()
            .ok()
            .and_then(|r| r.target())
            .map(Oid::from_git);
        Ok(Head { branch, oid })
    }

    /// Branches checked out in linked worktrees, with the worktree's path.
    pub fn linked_worktree_branches(&self) -> Result<HashMap<String, PathBuf>> {
        let mut out = HashMap::new();
        let names = self
            .inner
            .worktrees()
            .ctx(|| "cannot list worktrees".into())?;
        for name in names.iter().filter_map(|n| n.ok().flatten()) {
            let Ok(worktree) = self.inner.find_worktree(name) else {
                continue;
            };
            let Ok(repo) = git2::Repository::open_from_worktree(&worktree) else {
                continue;
            };
            let branch = repo.find_reference("HEAD").ok().and_then(|head| {
                let target = head.symbolic_target().ok().flatten()?;
                target.strip_prefix("refs/heads/").map(str::to_string)
            });
            if let Some(branch) = branch {
                out.insert(branch, worktree.path().to_path_buf());
            }
        }
        Ok(out)
    }

    /// The first path where index or work tree differ from `tree` (untracked files ignored).
    pub fn first_change_against(&self, tree: Oid) -> Result<Option<String>> {
        let tree = self.find_tree(tree)?;
        let mut opts = git2::DiffOptions::new();
        opts.include_untracked(false).include_ignored(false);
        let diff = self
            .inner
            .diff_tree_to_workdir_with_index(Some(&tree), Some(&mut opts))
            .ctx(|| "cannot compare the work tree".into())?;
        Ok(diff.deltas().next().map(|d| delta_path(&d)))
    }

    /// Makes index and work tree match `tree` (files not in it are removed).
    pub fn force_checkout(&self, tree: Oid) -> Result<()> {
        let tree = self.find_tree(tree)?;
        let mut builder = git2::build::CheckoutBuilder::new();
        builder.force();
        self.inner
            .checkout_tree(tree.as_object(), Some(&mut builder))
            .ctx(|| "cannot update the work tree".into())
    }

    /// A commit's id, parents and tree.
    pub fn commit_meta(&self, oid: Oid) -> Result<CommitMeta> {
        let commit = self.find_commit(oid)?;
        Ok(meta_of(&commit))
    }

    /// The best common ancestor of two commits, if any.
    pub fn merge_base(&self, one: Oid, two: Oid) -> Result<Option<Oid>> {
        match self.inner.merge_base(one.to_git(), two.to_git()) {
            Ok(oid) => Ok(Some(Oid::from_git(oid))),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e).ctx(|| format!("cannot find the merge base of {one} and {two}")),
        }
    }

    /// Whether `ancestor` is reachable from `descendant` (or equal to it).
    pub fn is_ancestor(&self, ancestor: Oid, descendant: Oid) -> Result<bool> {
        if ancestor == descendant {
            return Ok(true);
        }
        self.inner
            .graph_descendant_of(descendant.to_git(), ancestor.to_git())
            .ctx(|| format!("cannot compare {ancestor} and {descendant}"))
    }

    /// Commits reachable from `tip` but not from any of `hide`, newest first, in
    /// topological order.
    pub fn walk(&self, tip: Oid, hide: &[Oid]) -> Result<Vec<CommitMeta>> {
        self.walk_many(&[tip], hide)
    }

    /// Commits reachable from any of `tips` but not from `hide`, newest first,
    /// topologically: one walk, each commit read once.
    pub fn walk_many(&self, tips: &[Oid], hide: &[Oid]) -> Result<Vec<CommitMeta>> {
        let mut walk = self.inner.revwalk().ctx(|| "cannot walk history".into())?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL)
            .ctx(|| "cannot walk history".into())?;
        for tip in tips {
            walk.push(tip.to_git())
                .ctx(|| format!("cannot walk from {tip}"))?;
        }
        for oid in hide {
            walk.hide(oid.to_git())
                .ctx(|| format!("cannot walk from {oid}"))?;
        }
        let mut out = Vec::new();
        for oid in walk {
            let oid = oid.ctx(|| "cannot walk history".into())?;
            out.push(self.commit_meta(Oid::from_git(oid))?);
        }
        Ok(out)
    }

    /// The paths a commit changes against its first parent, sorted.
    pub fn changed_paths(&self, oid: Oid) -> Result<Vec<String>> {
        let commit = self.find_commit(oid)?;
        let new = commit
            .tree()
            .ctx(|| format!("cannot read the tree of {oid}"))?;
        let old = match commit.parent_ids().next() {
            Some(parent) => Some(self.find_tree(self.tree_of(Oid::from_git(parent))?)?),
            None => None,
        };
        let mut paths = Vec::new();
        self.collect_changes(old.as_ref(), Some(&new), "", &mut paths)?;
        paths.sort();
        Ok(paths)
    }

    /// Appends the paths that differ between two trees, walking both in git's entry
    /// order and descending only into subtrees that differ.
    fn collect_changes(
        &self,
        old: Option<&git2::Tree<'_>>,
        new: Option<&git2::Tree<'_>>,
        prefix: &str,
        out: &mut Vec<String>,
    ) -> Result<()> {
        let (mut olds, mut news) = (
            old.map(|t| t.iter().collect::<Vec<_>>())
                .unwrap_or_default(),
            new.map(|t| t.iter().collect::<Vec<_>>())
                .unwrap_or_default(),
        );
        olds.reverse();
        news.reverse();
        loop {
            let order = match (olds.last(), news.last()) {
                (None, None) => return Ok(()),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some(o), Some(n)) => git_entry_order(o, n),
            };
            let (o, n) = match order {
                std::cmp::Ordering::Less => (olds.pop(), None),
                std::cmp::Ordering::Greater => (None, news.pop()),
                std::cmp::Ordering::Equal => (olds.pop(), news.pop()),
            };
            if let (Some(o), Some(n)) = (&o, &n) {
                if o.id() == n.id() && o.filemode() == n.filemode() {
                    continue;
                }
            }
            let entry = o.as_ref().or(n.as_ref()).expect("one side has the entry");
            let path = format!("{prefix}{}", String::from_utf8_lossy(entry.name_bytes()));
            let subtree = |e: &Option<git2::TreeEntry<'_>>| -> Result<Option<git2::Tree<'_>>> {
                match e {
                    Some(e) if e.kind() == Some(git2::ObjectType::Tree) => {
                        Ok(Some(self.find_tree(Oid::from_git(e.id()))?))
                    }
                    _ => Ok(None),
                }
            };
            let (old_sub, new_sub) = (subtree(&o)?, subtree(&n)?);
            let is_file = |e: &Option<git2::TreeEntry<'_>>| {
                e.as_ref()
                    .is_some_and(|e| e.kind() != Some(git2::ObjectType::Tree))
            };
            if is_file(&o) || is_file(&n) {
                out.push(path.clone());
            }
            if old_sub.is_some() || new_sub.is_some() {
                self.collect_changes(old_sub.as_ref(), new_sub.as_ref(), &format!("{path}/"), out)?;
            }
        }
    }

    /// The patch id of a commit against its first parent (equal for equal changes).
    pub fn patch_id(&self, oid: Oid) -> Result<Oid> {
        let diff = self.first_parent_diff(oid)?;
        let id = diff
            .patchid(None)
            .ctx(|| format!("cannot compute the patch id of {oid}"))?;
        Ok(Oid::from_git(id))
    }

    fn first_parent_diff(&self, oid: Oid) -> Result<git2::Diff<'_>> {
        let commit = self.find_commit(oid)?;
        let tree = commit
            .tree()
            .ctx(|| format!("cannot read the tree of {oid}"))?;
        let parent_tree = match commit.parent(0) {
            Ok(parent) => Some(
                parent
                    .tree()
                    .ctx(|| format!("cannot read the parent of {oid}"))?,
            ),
            Err(_) => None,
        };
        self.inner
            .diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), None)
            .ctx(|| format!("cannot diff {oid}"))
    }

    /// Writes a commit that carries `original`'s author, extra headers and message on a
    /// new tree and parents, committed by `committer` (what `git rebase` does to a pick).
    pub fn rewrite_commit(
        &self,
        original: Oid,
        parents: &[Oid],
        tree: Oid,
        committer: &Identity,
    ) -> Result<Oid> {
        let commit = self.find_commit(original)?;
        let mut buf = Vec::new();
        buf.extend_from_slice(format!("tree {tree}\n").as_bytes());
        for parent in parents {
            buf.extend_from_slice(format!("parent {parent}\n").as_bytes());
        }
        let header = commit.raw_header_bytes();
        for line in header.split(|b| *b == b'\n') {
            if line.starts_with(b"author ") || line.starts_with(b"encoding ") {
                buf.extend_from_slice(line);
                buf.push(b'\n');
            }
            if line.starts_with(b"author ") {
                buf.extend_from_slice(format!("committer {}\n", committer.header()).as_bytes());
            }
        }
        buf.push(b'\n');
        buf.extend_from_slice(commit.message_raw_bytes());
        self.write_object(git2::ObjectType::Commit, &buf)
    }

    /// Writes a new commit with the given tree, parents, author and committer.
    pub fn create_commit(
        &self,
        tree: Oid,
        parents: &[Oid],
        author: &Identity,
        committer: &Identity,
        message: &str,
    ) -> Result<Oid> {
        let mut buf = format!("tree {tree}\n");
        for parent in parents {
            buf.push_str(&format!("parent {parent}\n"));
        }
        buf.push_str(&format!("author {}\n", author.header()));
        buf.push_str(&format!("committer {}\n\n", committer.header()));
        buf.push_str(message);
        self.write_object(git2::ObjectType::Commit, buf.as_bytes())
    }

    /// Writes a blob.
    pub fn write_blob(&self, data: &[u8]) -> Result<Oid> {
        self.write_object(git2::ObjectType::Blob, data)
    }

    /// Writes a tree of `files` (blobs) and `dirs` (subtrees).
    pub fn write_tree(&self, files: &[(&str, Oid)], dirs: &[(&str, Oid)]) -> Result<Oid> {
        let mut builder = self
            .inner
            .treebuilder(None)
            .ctx(|| "cannot build a tree".into())?;
        let entries = files
            .iter()
            .map(|(name, oid)| (name, oid, 0o100644))
            .chain(dirs.iter().map(|(name, oid)| (name, oid, 0o040000)));
        for (name, oid, mode) in entries {
            builder
                .insert(name, oid.to_git(), mode)
                .ctx(|| format!("cannot add {name} to a tree"))?;
        }
        let oid = builder.write().ctx(|| "cannot write a tree".into())?;
        Ok(Oid::from_git(oid))
    }

    /// The content of the blob at `name` in the root of `commit`'s tree; a blob larger
    /// than `limit` bytes is refused before it is read.
    pub fn read_file_in_commit(
        &self,
        commit: Oid,
        name: &str,
        limit: usize,
    ) -> Result<Option<Vec<u8>>> {
        let tree = self
            .find_commit(commit)?
            .tree()
            .ctx(|| format!("cannot read the tree of {commit}"))?;
        let Some(entry) = tree.get_name(name) else {
            return Ok(None);
        };
        self.read_blob_limited(entry.id(), name, limit).map(Some)
    }

    /// A blob's content, refused (unread) when it is larger than `limit` bytes.
    fn read_blob_limited(&self, oid: git2::Oid, name: &str, limit: usize) -> Result<Vec<u8>> {
        let odb = self
            .inner
            .odb()
            .ctx(|| "cannot open the object database".into())?;
        let (size, kind) = odb
            .read_header(oid)
            .map_err(|_| Error::MissingObject(oid.to_string()))?;
        if kind != git2::ObjectType::Blob {
            return Err(Error::CorruptState(format!("{name} is not a file")));
        }
        if size > limit {
            return Err(Error::CorruptState(format!(
                "{name} is {size} bytes, larger than the {limit} allowed"
            )));
        }
        let blob = self
            .inner
            .find_blob(oid)
            .map_err(|_| Error::MissingObject(oid.to_string()))?;
        Ok(blob.content().to_vec())
    }

    /// The blob at `path` in a commit's tree (None: no such file).
    pub fn blob_at(&self, commit: Oid, path: &str) -> Result<Option<Oid>> {
        let tree = self
            .find_commit(commit)?
            .tree()
            .ctx(|| format!("cannot read the tree of {commit}"))?;
        Ok(tree
            .get_path(Path::new(path))
            .ok()
            .filter(|e| e.kind() == Some(git2::ObjectType::Blob))
            .map(|e| Oid::from_git(e.id())))
    }

    /// The files directly in folder `dir` of a commit's tree, in name order (empty when
    /// there is no such folder); refused when they add up to more than `limit` bytes.
    pub fn read_dir_in_commit(
        &self,
        commit: Oid,
        dir: &str,
        limit: usize,
    ) -> Result<Vec<(String, Vec<u8>)>> {
        let tree = self
            .find_commit(commit)?
            .tree()
            .ctx(|| format!("cannot read the tree of {commit}"))?;
        let Some(entry) = tree.get_name(dir) else {
            return Ok(Vec::new());
        };
        let subtree = self.find_tree(Oid::from_git(entry.id()))?;
        let mut out = Vec::new();
        let mut left = limit;
        for entry in subtree.iter() {
            let name = format!("{dir}/{}", entry.name().unwrap_or_default());
            let bytes = self.read_blob_limited(entry.id(), &name, left)?;
            left -= bytes.len();
            out.push((name, bytes));
        }
        Ok(out)
    }

    /// The raw message of a commit.
    pub fn commit_message(&self, oid: Oid) -> Result<String> {
        let commit = self.find_commit(oid)?;
        Ok(String::from_utf8_lossy(commit.message_raw_bytes()).into_owned())
    }

    /// The first line of a commit's message.
    pub fn commit_summary(&self, oid: Oid) -> Result<String> {
        let message = self.commit_message(oid)?;
        Ok(message.lines().next().unwrap_or("").to_string())
    }

    /// Seconds since the epoch of a commit's committer date.
    pub fn commit_time(&self, oid: Oid) -> Result<i64> {
        Ok(self.find_commit(oid)?.time().seconds())
    }

    /// Whether the object exists.
    pub fn has_object(&self, oid: Oid) -> bool {
        self.inner
            .odb()
            .map(|odb| odb.exists(oid.to_git()))
            .unwrap_or(false)
    }

    /// Compare-and-swap: moves `refname` to `new` only if it is at `expected` (None: must
    /// not exist). Writes `message` to the reflog.
    pub fn update_ref(
        &self,
        refname: &str,
        new: Oid,
        expected: Option<Oid>,
        message: &str,
    ) -> Result<RefUpdate> {
        self.flush_objects()?;
        let result = match expected {
            Some(old) => {
                self.inner
                    .reference_matching(refname, new.to_git(), true, old.to_git(), message)
            }
            None => self.inner.reference(refname, new.to_git(), false, message),
        };
        match result {
            Ok(_) => Ok(RefUpdate::Done),
            Err(e)
                if matches!(
                    e.code(),
                    git2::ErrorCode::Modified
                        | git2::ErrorCode::Exists
                        | git2::ErrorCode::NotFound
                        | git2::ErrorCode::Locked
                ) =>
            {
                Ok(RefUpdate::Moved {
                    actual: self.ref_target(refname)?,
                })
            }
            Err(e) => Err(e).ctx(|| format!("cannot update {refname}")),
        }
    }

    /// Moves every ref in `moves` in one locked transaction, after checking that each is
    /// at its `from` oid. Returns the first ref found elsewhere, changing nothing.
    pub fn move_refs_atomically(
        &self,
        moves: &[RefMove],
        message: &str,
    ) -> Result<Option<(String, Option<Oid>)>> {
        self.flush_objects()?;
        let mut tx = self
            .inner
            .transaction()
            .ctx(|| "cannot start a ref transaction".into())?;
        for m in moves {
            tx.lock_ref(&m.refname)
                .ctx(|| format!("cannot lock {}", m.refname))?;
        }
        for m in moves {
            let actual = self.ref_target(&m.refname)?;
            if actual != Some(m.from) {
                return Ok(Some((m.refname.clone(), actual)));
            }
        }
        for m in moves {
            tx.set_target(&m.refname, m.to.to_git(), None, message)
                .ctx(|| format!("cannot update {}", m.refname))?;
        }
        tx.commit()
            .ctx(|| "cannot commit the ref transaction".into())?;
        Ok(None)
    }

    /// Deletes a ref if it exists.
    pub fn delete_ref(&self, refname: &str) -> Result<()> {
        match self.inner.find_reference(refname) {
            Ok(mut reference) => reference
                .delete()
                .ctx(|| format!("cannot delete {refname}")),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(()),
            Err(e) => Err(e).ctx(|| format!("cannot read {refname}")),
        }
    }

    /// The identity that commits: `GIT_COMMITTER_*`, else `user.name`/`user.email`.
    pub fn committer(&self) -> Result<Identity> {
        Identity::committer(self)
    }

    /// The identity that authors new commits: `GIT_AUTHOR_*`, else `user.name`/`user.email`.
    pub fn author(&self) -> Result<Identity> {
        Identity::author(self)
    }

    fn write_object(&self, kind: git2::ObjectType, data: &[u8]) -> Result<Oid> {
        let odb = self
            .inner
            .odb()
            .ctx(|| "cannot open the object database".into())?;
        let oid = Oid::from_git(
            odb.write(kind, data)
                .ctx(|| "cannot write an object".into())?,
        );
        if let (git2::ObjectType::Commit, Some(objects)) = (kind, &self.objects) {
            objects.note_commit(oid);
        }
        Ok(oid)
    }

    fn find_commit(&self, oid: Oid) -> Result<git2::Commit<'_>> {
        self.inner
            .find_commit(oid.to_git())
            .map_err(|_| Error::MissingObject(oid.to_string()))
    }

    fn find_tree(&self, oid: Oid) -> Result<git2::Tree<'_>> {
        self.inner
            .find_tree(oid.to_git())
            .map_err(|_| Error::MissingObject(oid.to_string()))
    }

    /// The tree of a commit.
    pub fn tree_of(&self, commit: Oid) -> Result<Oid> {
        Ok(self.commit_meta(commit)?.tree)
    }
}

fn meta_of(commit: &git2::Commit<'_>) -> CommitMeta {
    CommitMeta {
        id: Oid::from_git(commit.id()),
        parents: commit.parent_ids().map(Oid::from_git).collect(),
        tree: Oid::from_git(commit.tree_id()),
    }
}

fn delta_path(delta: &git2::DiffDelta<'_>) -> String {
    delta
        .new_file()
        .path()
        .or_else(|| delta.old_file().path())
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// git's tree entry order: by name, with a subtree's name compared as if it ended in `/`.
fn git_entry_order(a: &git2::TreeEntry<'_>, b: &git2::TreeEntry<'_>) -> std::cmp::Ordering {
    let key = |e: &git2::TreeEntry<'_>| {
        let mut name = e.name_bytes().to_vec();
        if e.kind() == Some(git2::ObjectType::Tree) {
            name.push(b'/');
        }
        name
    };
    key(a).cmp(&key(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_paths_descend_only_into_differing_subtrees() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repo::init(dir.path()).unwrap();
        let tool = Identity::tool().unwrap();
        let blob = |text: &str| repo.write_blob(text.as_bytes()).unwrap();
        let (a, b, c) = (blob("a"), blob("b"), blob("c"));
        let same = repo.write_tree(&[("x", a)], &[]).unwrap();
        let sub_old = repo.write_tree(&[("y", a), ("z", b)], &[]).unwrap();
        let sub_new = repo.write_tree(&[("y", a), ("z", c)], &[]).unwrap();
        let old = repo
            .write_tree(&[("f", a), ("g", b)], &[("d", sub_old), ("s", same)])
            .unwrap();
        // f changes, g becomes a folder, d/z changes, h is added; s stays.
        let g_dir = repo.write_tree(&[("inner", a)], &[]).unwrap();
        let new = repo
            .write_tree(
                &[("f", b), ("h", c)],
                &[("d", sub_new), ("g", g_dir), ("s", same)],
            )
            .unwrap();
        let first = repo.create_commit(old, &[], &tool, &tool, "old\n").unwrap();
        let second = repo
            .create_commit(new, &[first], &tool, &tool, "new\n")
            .unwrap();
        assert_eq!(
            repo.changed_paths(second).unwrap(),
            ["d/z", "f", "g", "g/inner", "h"]
        );
        assert_eq!(
            repo.changed_paths(first).unwrap(),
            ["d/y", "d/z", "f", "g", "s/x"]
        );
    }
}
