//! Objects: reading blobs, trees and commits; writing new ones; notes.

use std::path::Path;

use super::tree_bytes::{TreeEntry, MODE_TREE};
use super::{found, GitContext, Identity, Oid, Repo};
use crate::error::{Error, Result};

impl Repo {
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
        let entries = files
            .iter()
            .map(|(name, oid)| (name, oid, 0o100644))
            .chain(dirs.iter().map(|(name, oid)| (name, oid, MODE_TREE)))
            .map(|(name, oid, mode)| (name.as_bytes().to_vec(), mode, oid.to_git()))
            .collect();
        self.write_tree_entries(entries).map(Oid::from_git)
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
    pub(super) fn read_blob_limited(
        &self,
        oid: git2::Oid,
        name: &str,
        limit: usize,
    ) -> Result<Vec<u8>> {
        let odb = self
            .inner
            .odb()
            .ctx(|| "cannot open the object database".into())?;
        let (size, kind) = odb
            .read_header(oid)
            .map_err(|_| Error::MissingObject(oid.to_string()))?;
        if kind != git2::ObjectType::Blob {
            return Err(Error::BadObject(format!("{name} is not a file")));
        }
        if size > limit {
            return Err(Error::BadObject(format!(
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

    /// Whether the object exists and is a commit.
    pub fn is_commit(&self, oid: Oid) -> bool {
        self.inner
            .odb()
            .and_then(|odb| odb.read_header(oid.to_git()))
            .is_ok_and(|(_, kind)| kind == git2::ObjectType::Commit)
    }

    /// Whether the object exists.
    pub fn has_object(&self, oid: Oid) -> bool {
        self.inner
            .odb()
            .map(|odb| odb.exists(oid.to_git()))
            .unwrap_or(false)
    }

    pub(super) fn write_object(&self, kind: git2::ObjectType, data: &[u8]) -> Result<Oid> {
        let Some(objects) = &self.objects else {
            let odb = self
                .inner
                .odb()
                .ctx(|| "cannot open the object database".into())?;
            let oid = odb
                .write(kind, data)
                .ctx(|| "cannot write an object".into())?;
            return Ok(Oid::from_git(oid));
        };
        let oid = Oid::from_git(objects.write(kind, data)?);
        if kind == git2::ObjectType::Commit {
            objects.note_commit(oid);
        }
        Ok(oid)
    }

    /// Writes a tree of `entries` (name, mode, object; names unique).
    pub(super) fn write_tree_entries(&self, entries: Vec<TreeEntry>) -> Result<git2::Oid> {
        let bytes = super::tree_bytes::tree_bytes(entries);
        Ok(self.write_object(git2::ObjectType::Tree, &bytes)?.to_git())
    }

    pub(super) fn find_commit(&self, oid: Oid) -> Result<git2::Commit<'_>> {
        found(self.inner.find_commit(oid.to_git()))
            .ctx(|| format!("cannot read commit {oid}"))?
            .ok_or_else(|| Error::MissingObject(oid.to_string()))
    }

    pub(super) fn find_tree(&self, oid: Oid) -> Result<git2::Tree<'_>> {
        found(self.inner.find_tree(oid.to_git()))
            .ctx(|| format!("cannot read tree {oid}"))?
            .ok_or_else(|| Error::MissingObject(oid.to_string()))
    }

    /// The tree of a commit.
    pub fn tree_of(&self, commit: Oid) -> Result<Oid> {
        Ok(self.commit_meta(commit)?.tree)
    }

    /// The note on `oid` in `notes_ref`, if there is one.
    pub fn note(&self, notes_ref: &str, oid: Oid) -> Option<String> {
        if let Some(git) = &self.git_refs {
            let notes = format!("--ref={notes_ref}");
            let args = ["notes", notes.as_str(), "show", &oid.to_string()];
            return git.git(&args, None, "cannot read a note").ok();
        }
        let note = self.inner.find_note(Some(notes_ref), oid.to_git()).ok()?;
        note.message().ok().map(str::to_string)
    }

    /// Sets the note on `oid` in `notes_ref` (replacing one that is there). libgit2
    /// writes the note's objects and moves the notes ref in one call, so they must go
    /// straight to disk: on a repository with the in-memory store, this flushes it and
    /// opens a handle without it (to set many notes, call this on
    /// [`Repo::unbuffered`]).
    pub fn set_note(&self, notes_ref: &str, oid: Oid, text: &str, by: &Identity) -> Result<()> {
        if let Some(git) = &self.git_refs {
            self.flush_objects()?;
            return git.set_note(notes_ref, oid, text, by);
        }
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
}
