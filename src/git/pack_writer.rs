//! Writes a pack and its index (both version 2) from objects at hand, without deltas:
//! each object is deflated once as it is added, and its offset and CRC noted, so the
//! index follows from those with no second pass over the pack. (libgit2's pack builder
//! lists every ref of the repository to order each pack it writes, and its indexer then
//! inflates and hashes the whole pack again.)

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use flate2::write::ZlibEncoder;
use flate2::Compression;
use sha1::{Digest, Sha1};

/// What git calls a pack's object types.
fn type_code(kind: git2::ObjectType) -> io::Result<u8> {
    match kind {
        git2::ObjectType::Commit => Ok(1),
        git2::ObjectType::Tree => Ok(2),
        git2::ObjectType::Blob => Ok(3),
        git2::ObjectType::Tag => Ok(4),
        other => Err(io::Error::other(format!("cannot pack a {other}"))),
    }
}

/// One object written: where, and the CRC-32 of its bytes in the pack.
struct Entry {
    oid: [u8; 20],
    offset: u64,
    crc: u32,
}

/// A pack being written into a temporary file of the pack folder.
pub struct PackWriter {
    folder: PathBuf,
    file: tempfile::NamedTempFile<BufWriter<File>>,
    hasher: Sha1,
    offset: u64,
    entries: Vec<Entry>,
    /// The deflated bytes of the object being added (kept for its allocation).
    deflated: Vec<u8>,
}

impl PackWriter {
    /// Starts a pack of `count` objects in `folder` (`objects/pack`).
    pub fn create(folder: &Path, count: usize) -> io::Result<PackWriter> {
        let count = u32::try_from(count).map_err(|_| io::Error::other("too many objects"))?;
        let file = tempfile::Builder::new()
            .prefix("tmp_pack_")
            .make_in(folder, |path| File::create_new(path).map(BufWriter::new))?;
        let mut pack = PackWriter {
            folder: folder.to_path_buf(),
            file,
            hasher: Sha1::new(),
            offset: 0,
            entries: Vec::with_capacity(count as usize),
            deflated: Vec::new(),
        };
        let mut header = Vec::with_capacity(12);
        header.extend_from_slice(b"PACK");
        header.extend_from_slice(&2u32.to_be_bytes());
        header.extend_from_slice(&count.to_be_bytes());
        pack.put(&header)?;
        Ok(pack)
    }

    /// Adds an object (its id is the caller's: objects are never hashed again here).
    pub fn add(&mut self, oid: git2::Oid, kind: git2::ObjectType, data: &[u8]) -> io::Result<()> {
        let header = object_header(type_code(kind)?, data.len());
        let mut encoder = ZlibEncoder::new(std::mem::take(&mut self.deflated), Compression::fast());
        encoder.write_all(data)?;
        let deflated = encoder.finish()?;
        let mut crc = crc32fast::Hasher::new();
        crc.update(&header);
        crc.update(&deflated);
        let mut id = [0u8; 20];
        id.copy_from_slice(oid.as_bytes());
        self.entries.push(Entry {
            oid: id,
            offset: self.offset,
            crc: crc.finalize(),
        });
        self.put(&header)?;
        self.put(&deflated)?;
        self.deflated = deflated;
        self.deflated.clear();
        Ok(())
    }

    /// Ends the pack with its checksum, writes its index, and moves both into place
    /// (the index last: git reads a pack once its index is there). Returns the pack's
    /// path.
    pub fn finish(mut self) -> io::Result<PathBuf> {
        let checksum: [u8; 20] = self.hasher.clone().finalize().into();
        self.file.write_all(&checksum)?;
        self.file.as_file_mut().flush()?;
        let name = format!("pack-{}", super::Oid::from_bytes(checksum));
        let pack_path = self.folder.join(format!("{name}.pack"));
        let index = index_bytes(&mut self.entries, &checksum);
        let mut index_file = tempfile::Builder::new()
            .prefix("tmp_idx_")
            .tempfile_in(&self.folder)?;
        index_file.write_all(&index)?;
        let pack = self.file.into_temp_path();
        read_only(&pack)?;
        pack.persist(&pack_path).map_err(|e| e.error)?;
        let index_path = index_file.into_temp_path();
        read_only(&index_path)?;
        index_path
            .persist(self.folder.join(format!("{name}.idx")))
            .map_err(|e| e.error)?;
        Ok(pack_path)
    }

    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.hasher.update(bytes);
        self.offset += bytes.len() as u64;
        self.file.write_all(bytes)
    }
}

/// A pack entry's header: the type, then the size, 4 bits and then 7 at a time.
fn object_header(type_code: u8, size: usize) -> Vec<u8> {
    let mut size = size as u64;
    let mut first = (type_code << 4) | (size & 0x0f) as u8;
    size >>= 4;
    let mut out = Vec::with_capacity(10);
    while size > 0 {
        out.push(first | 0x80);
        first = (size & 0x7f) as u8;
        size >>= 7;
    }
    out.push(first);
    out
}

/// A version 2 index of `entries` (sorted here by id) for the pack `checksum` names.
fn index_bytes(entries: &mut [Entry], checksum: &[u8; 20]) -> Vec<u8> {
    entries.sort_unstable_by_key(|entry| entry.oid);
    let mut out = Vec::with_capacity(8 + 1024 + entries.len() * 32 + 40);
    out.extend_from_slice(b"\xfftOc");
    out.extend_from_slice(&2u32.to_be_bytes());
    let mut fanout = [0u32; 256];
    for entry in entries.iter() {
        fanout[entry.oid[0] as usize] += 1;
    }
    let mut total = 0u32;
    for count in fanout {
        total += count;
        out.extend_from_slice(&total.to_be_bytes());
    }
    for entry in entries.iter() {
        out.extend_from_slice(&entry.oid);
    }
    for entry in entries.iter() {
        out.extend_from_slice(&entry.crc.to_be_bytes());
    }
    let mut large = Vec::new();
    for entry in entries.iter() {
        let small = match u32::try_from(entry.offset) {
            Ok(offset) if offset < 0x8000_0000 => offset,
            _ => {
                large.push(entry.offset);
                0x8000_0000 | (large.len() as u32 - 1)
            }
        };
        out.extend_from_slice(&small.to_be_bytes());
    }
    for offset in large {
        out.extend_from_slice(&offset.to_be_bytes());
    }
    out.extend_from_slice(checksum);
    let own: [u8; 20] = Sha1::digest(&out).into();
    out.extend_from_slice(&own);
    out
}

fn read_only(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o444))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_written_four_bits_then_seven_at_a_time() {
        assert_eq!(object_header(3, 5), vec![0x35]);
        assert_eq!(object_header(1, 16), vec![0x90, 0x01]);
        assert_eq!(object_header(2, 0x1234), vec![0xa4, 0xa3, 0x02]);
    }

    #[test]
    fn a_written_pack_reads_back_through_libgit2() {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init_bare(dir.path()).unwrap();
        let data: Vec<&[u8]> = vec![b"one\n", b"two\n", &[0u8; 70_000]];
        let oids: Vec<git2::Oid> = data
            .iter()
            .map(|d| git2::Oid::hash_object(git2::ObjectType::Blob, d).unwrap())
            .collect();
        let folder = dir.path().join("objects/pack");
        let mut pack = PackWriter::create(&folder, data.len()).unwrap();
        for (oid, d) in oids.iter().zip(&data) {
            pack.add(*oid, git2::ObjectType::Blob, d).unwrap();
        }
        pack.finish().unwrap();
        let odb = repo.odb().unwrap();
        odb.refresh().unwrap();
        for (oid, d) in oids.iter().zip(&data) {
            assert_eq!(odb.read(*oid).unwrap().data(), *d);
        }
    }
}
