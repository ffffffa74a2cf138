//! New objects are kept in memory (libgit2's mempack backend) and written as one pack
//! just before a ref update can point at them, instead of one loose file per object.
//! Every ref update in [`Repo`](super::Repo) flushes first, so no ref ever names an
//! object that is not on disk; a kill before a flush loses only unreferenced objects.
//!
//! The pack holds what the new commits need and the disk lacks: each commit, and the
//! parts of its tree not on disk yet (a replayed commit changes a few paths, so only the
//! trees along them are walked). libgit2's own mempack dump walks every commit's whole
//! tree, which for a 2,000-file tree costs more than the replay itself. The pack is
//! written without deltas (libgit2's delta search took half of a 5,000-branch run) by
//! git-align's own pack writer; `git gc` deltifies it later, as it does for every pack
//! a fetch or push leaves.

use std::cell::RefCell;
use std::collections::HashSet;

use super::pack_writer::PackWriter;
use super::{GitContext, Oid};
use crate::error::{Error, Result};

/// The in-memory object store added to a repository's object database.
pub struct ObjectBuffer {
    // Declared before `odb`, so dropped first: the mempack lives inside the odb.
    mempack: git2::Mempack<'static>,
    odb: git2::Odb<'static>,
    /// The object database on disk alone, to tell what a pack must carry (and to write
    /// loose objects to).
    disk: git2::Odb<'static>,
    /// Where loose objects go instead of the disk, once [`ObjectBuffer::write_into`].
    scratch: RefCell<Option<git2::Odb<'static>>>,
    /// Commits written to memory since the last flush.
    commits: RefCell<Vec<Oid>>,
}

impl ObjectBuffer {
    /// Puts a mempack in front of the repository's object database: from now on new
    /// objects of this repository go to memory until [`ObjectBuffer::flush`].
    pub fn install(repo: &git2::Repository) -> Result<ObjectBuffer> {
        let odb = repo
            .odb()
            .ctx(|| "cannot open the object database".into())?;
        // SAFETY: `Odb` is a reference-counted handle to the repository's object
        // database (git_repository_odb takes a reference), so it stays valid on its own;
        // the lifetime only ties it to the `Repository` for convenience. The mempack is a
        // pointer to a backend owned by that odb, and this struct drops it first.
        let odb: git2::Odb<'static> = unsafe { std::mem::transmute(odb) };
        let mempack = odb
            .add_new_mempack_backend(1000)
            .ctx(|| "cannot add an in-memory object store".into())?;
        // SAFETY: as above, the backend lives as long as `odb`, which outlives it here.
        let mempack: git2::Mempack<'static> = unsafe { std::mem::transmute(mempack) };
        // The same object database without the mempack: a second handle on the
        // repository, whose odb outlives it (reference-counted, as above).
        let plain = git2::Repository::open(repo.path())
            .ctx(|| format!("cannot open repository {}", repo.path().display()))?;
        let disk = plain
            .odb()
            .ctx(|| "cannot open the object database".into())?;
        // SAFETY: as for `odb` above.
        let disk: git2::Odb<'static> = unsafe { std::mem::transmute(disk) };
        Ok(ObjectBuffer {
            mempack,
            odb,
            disk,
            scratch: RefCell::new(None),
            commits: RefCell::new(Vec::new()),
        })
    }

    /// Writes an object into memory: its id hashed here, and nothing asked of the disk
    /// (libgit2's odb looks for every object it writes on disk first, and reads the
    /// pack folder again each time it is not there, which for new objects is always).
    /// The next flush packs what the disk lacks.
    pub fn write(&self, kind: git2::ObjectType, data: &[u8]) -> Result<git2::Oid> {
        use git2::Binding;
        let what = || "cannot write an object".to_string();
        let oid = git2::Oid::hash_object(kind, data).ctx(what)?;
        let backend = self.mempack.raw();
        // SAFETY: the mempack backend lives as long as `odb`, which outlives
        // `self.mempack`; its write copies `data` and keeps nothing of ours.
        let code = unsafe {
            let write = (*backend).write.expect("a mempack backend writes");
            write(
                backend,
                oid.raw(),
                data.as_ptr().cast(),
                data.len(),
                kind.raw(),
            )
        };
        if code < 0 {
            return Err(Error::Git {
                context: what(),
                message: git2::Error::last_error(code).message().to_string(),
            });
        }
        Ok(oid)
    }

    /// Notes a commit written to memory, so the next flush packs it.
    pub fn note_commit(&self, oid: Oid) {
        self.commits.borrow_mut().push(oid);
    }

    /// Writes the new commits and the objects they need that the disk lacks as one pack
    /// (with its index), and empties the buffer (in a dry run: loose, in its scratch
    /// folder).
    pub fn flush(&self, repo: &git2::Repository) -> Result<()> {
        let commits = std::mem::take(&mut *self.commits.borrow_mut());
        if self.scratch.borrow().is_some() {
            // A dry run: loose objects in its scratch folder, never a pack here.
            for commit in commits {
                self.write_loose(repo, commit)?;
            }
            return Ok(());
        }
        if !commits.is_empty() {
            let mut missing = Vec::new();
            let mut seen = HashSet::new();
            for commit in commits {
                self.add_commit(repo, &mut missing, &mut seen, commit)?;
            }
            if !missing.is_empty() {
                self.write_pack(repo, &missing)?;
            }
        }
        self.mempack
            .reset()
            .ctx(|| "cannot empty the in-memory object store".into())
    }

    /// Writes `objects` (held in memory) as one pack in the repository's pack folder.
    fn write_pack(&self, repo: &git2::Repository, objects: &[git2::Oid]) -> Result<()> {
        let folder = repo.commondir().join("objects/pack");
        let io = |e| Error::io(format!("cannot write a pack in {}", folder.display()), e);
        let mut pack = PackWriter::create(&folder, objects.len()).map_err(io)?;
        for oid in objects {
            let object = self
                .odb
                .read(*oid)
                .ctx(|| format!("cannot read object {oid}"))?;
            pack.add(*oid, object.kind(), object.data()).map_err(io)?;
        }
        // A kill here leaves a temporary pack file and no ref naming its objects.
        crate::crashpoint::point();
        pack.finish().map_err(io)?;
        self.disk
            .refresh()
            .ctx(|| "cannot read the new pack".into())
    }

    /// Writes `commit` and the part of its tree the disk lacks as loose objects, for a
    /// git process to read, leaving the buffer as it is (its next flush finds them on
    /// disk). A merge git makes needs one commit's few new objects: a pack for them
    /// would cost more than the merge.
    pub fn write_loose(&self, repo: &git2::Repository, commit: Oid) -> Result<()> {
        let mut missing = Vec::new();
        let mut seen = HashSet::new();
        self.add_commit(repo, &mut missing, &mut seen, commit)?;
        self.write_missing(missing)
    }

    /// Writes `tree` and the objects it holds that the disk lacks as loose objects.
    pub fn write_tree_loose(&self, repo: &git2::Repository, tree: Oid) -> Result<()> {
        let mut missing = Vec::new();
        let mut seen = HashSet::new();
        self.add_tree(repo, &mut missing, &mut seen, tree.to_git())?;
        self.write_missing(missing)
    }

    /// Writes objects held in memory to disk (or the scratch folder), loose.
    fn write_missing(&self, missing: Vec<git2::Oid>) -> Result<()> {
        let scratch = self.scratch.borrow();
        let target = scratch.as_ref().unwrap_or(&self.disk);
        // What an object names goes first: a kill between two writes never leaves an
        // object on disk whose tree or blobs are not (the next process would take it
        // as whole, and skip them).
        for oid in missing.into_iter().rev() {
            let object = self
                .odb
                .read(oid)
                .ctx(|| format!("cannot read object {oid}"))?;
            target
                .write(object.kind(), object.data())
                .ctx(|| format!("cannot write object {oid}"))?;
        }
        Ok(())
    }

    /// From now on loose objects go to `scratch` (a repository of its own), which is
    /// also read as part of the disk.
    pub fn write_into(&self, scratch: &git2::Repository) -> Result<()> {
        let objects = scratch.path().join("objects");
        self.disk
            .add_disk_alternate(&objects.to_string_lossy())
            .ctx(|| format!("cannot read {}", objects.display()))?;
        let odb = scratch
            .odb()
            .ctx(|| "cannot open the scratch object database".into())?;
        // SAFETY: as for `odb` in `install`: reference-counted, valid on its own.
        let odb: git2::Odb<'static> = unsafe { std::mem::transmute(odb) };
        *self.scratch.borrow_mut() = Some(odb);
        Ok(())
    }

    /// Forgets the objects held in memory (nothing names them yet).
    pub fn discard(&self) -> Result<()> {
        self.commits.borrow_mut().clear();
        self.mempack
            .reset()
            .ctx(|| "cannot empty the in-memory object store".into())
    }

    fn on_disk(&self, oid: git2::Oid) -> bool {
        self.disk.exists_ext(oid, git2::OdbLookupFlags::NO_REFRESH)
    }

    /// Adds a commit and the part of its tree the disk lacks. `seen` holds every object
    /// looked at in this flush: the commits of a run share most of their trees.
    fn add_commit(
        &self,
        repo: &git2::Repository,
        missing: &mut Vec<git2::Oid>,
        seen: &mut HashSet<git2::Oid>,
        commit: Oid,
    ) -> Result<()> {
        let commit = commit.to_git();
        if !seen.insert(commit) || self.on_disk(commit) {
            return Ok(());
        }
        let what = || format!("cannot pack commit {commit}");
        let tree = repo.find_commit(commit).ctx(what)?.tree_id();
        missing.push(commit);
        self.add_tree(repo, missing, seen, tree)
    }

    /// Adds a tree that may be new, and whatever it holds that the disk lacks.
    fn add_tree(
        &self,
        repo: &git2::Repository,
        missing: &mut Vec<git2::Oid>,
        seen: &mut HashSet<git2::Oid>,
        tree: git2::Oid,
    ) -> Result<()> {
        if !seen.insert(tree) || self.on_disk(tree) {
            return Ok(());
        }
        let what = || format!("cannot pack tree {tree}");
        missing.push(tree);
        for entry in repo.find_tree(tree).ctx(what)?.iter() {
            match entry.kind() {
                Some(git2::ObjectType::Tree) => self.add_tree(repo, missing, seen, entry.id())?,
                Some(git2::ObjectType::Blob)
                    if seen.insert(entry.id()) && !self.on_disk(entry.id()) =>
                {
                    missing.push(entry.id())
                }
                _ => {}
            }
        }
        Ok(())
    }
}
