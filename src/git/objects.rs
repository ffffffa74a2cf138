//! New objects are kept in memory (libgit2's mempack backend) and written as one pack
//! just before a ref update can point at them, instead of one loose file per object.
//! Every ref update in [`Repo`](super::Repo) flushes first, so no ref ever names an
//! object that is not on disk; a kill before a flush loses only unreferenced objects.

use std::io::Write;

use super::GitContext;
use crate::error::{Error, Result};

/// The size of a pack with no objects: a 12-byte header and a 20-byte checksum.
const EMPTY_PACK: usize = 12 + 20;

/// The in-memory object store added to a repository's object database.
pub struct ObjectBuffer {
    // Declared before `odb`, so dropped first: the mempack lives inside the odb.
    mempack: git2::Mempack<'static>,
    odb: git2::Odb<'static>,
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
        Ok(ObjectBuffer { mempack, odb })
    }

    /// Writes the objects held in memory as one pack (with its index) and empties the
    /// buffer. Nothing is written when the buffer is empty.
    pub fn flush(&self, repo: &git2::Repository) -> Result<()> {
        let mut pack = git2::Buf::new();
        self.mempack
            .dump(repo, &mut pack)
            .ctx(|| "cannot pack new objects".into())?;
        if pack.len() > EMPTY_PACK {
            let mut writer = self.odb.packwriter().ctx(|| "cannot write a pack".into())?;
            writer
                .write_all(&pack)
                .map_err(|e| Error::io("cannot write a pack", e))?;
            writer.commit().ctx(|| "cannot write a pack".into())?;
        }
        self.mempack
            .reset()
            .ctx(|| "cannot empty the in-memory object store".into())
    }
}
