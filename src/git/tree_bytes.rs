//! A tree object's bytes from its entries, in git's order: what libgit2's tree builder
//! writes, made here so that a new tree goes straight into the in-memory object store.

/// A tree entry's mode for a subtree.
pub const MODE_TREE: i32 = 0o040000;

/// One entry: name, mode and the object it names.
pub type TreeEntry = (Vec<u8>, i32, git2::Oid);

/// The bytes of a tree holding `entries` (names unique), sorted as git sorts them: by
/// name, a subtree's name compared as if it ended in `/`.
pub fn tree_bytes(mut entries: Vec<TreeEntry>) -> Vec<u8> {
    entries.sort_unstable_by(|a, b| sort_key(a).cmp(sort_key(b)));
    let mut out = Vec::with_capacity(entries.len() * 40);
    for (name, mode, oid) in &entries {
        out.extend_from_slice(format!("{mode:o} ").as_bytes());
        out.extend_from_slice(name);
        out.push(0);
        out.extend_from_slice(oid.as_bytes());
    }
    out
}

/// The name, and `/` after it for a subtree.
fn sort_key((name, mode, _): &TreeEntry) -> impl Iterator<Item = u8> + '_ {
    let slash = (*mode == MODE_TREE).then_some(b'/');
    name.iter().copied().chain(slash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trees_are_the_bytes_libgit2_writes() {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init_bare(dir.path()).unwrap();
        let blob = repo.blob(b"x\n").unwrap();
        let mut sub = repo.treebuilder(None).unwrap();
        sub.insert("inner", blob, 0o100644).unwrap();
        let sub = sub.write().unwrap();
        let entries: Vec<TreeEntry> = vec![
            (b"a.b".to_vec(), 0o100644, blob),
            (b"a".to_vec(), MODE_TREE, sub),
            (b"a-".to_vec(), 0o100755, blob),
            (b"z".to_vec(), 0o120000, blob),
            (b"a0".to_vec(), MODE_TREE, sub),
        ];
        let mut builder = repo.treebuilder(None).unwrap();
        for (name, mode, oid) in &entries {
            builder.insert(name.as_slice(), *oid, *mode).unwrap();
        }
        let expected = builder.write().unwrap();
        let bytes = tree_bytes(entries);
        assert_eq!(
            git2::Oid::hash_object(git2::ObjectType::Tree, &bytes).unwrap(),
            expected
        );
    }
}
