//! Trees in git's entry order: a tree object's bytes from its entries (what libgit2's
//! tree builder writes, made here so that a new tree goes straight into the in-memory
//! object store), or from a tree and a few edits; and the names two trees differ in.

use std::cmp::Ordering;

/// A tree entry's mode for a subtree.
pub const MODE_TREE: i32 = 0o040000;

/// One entry: name, mode and the object it names.
pub type TreeEntry = (Vec<u8>, i32, git2::Oid);

/// An edit of a tree: the entry of a name set to `(mode, id)`, or removed (None).
pub type TreeEdit = (Vec<u8>, Option<(i32, git2::Oid)>);

/// The bytes of a tree holding `entries` (names unique), sorted as git sorts them: by
/// name, a subtree's name compared as if it ended in `/`.
pub fn tree_bytes(mut entries: Vec<TreeEntry>) -> Vec<u8> {
    entries.sort_unstable_by(|a, b| sort_key(a).cmp(sort_key(b)));
    let mut out = Vec::with_capacity(entries.len() * 40);
    for (name, mode, oid) in &entries {
        put_entry(&mut out, name, *mode, *oid);
    }
    out
}

/// The name, and `/` after it for a subtree.
fn sort_key((name, mode, _): &TreeEntry) -> impl Iterator<Item = u8> + '_ {
    order_key(name, *mode)
}

/// What git sorts a tree entry by: its name, and `/` after it for a subtree.
fn order_key(name: &[u8], mode: i32) -> impl Iterator<Item = u8> + '_ {
    let slash = (mode == MODE_TREE).then_some(b'/');
    name.iter().copied().chain(slash)
}

/// Git's order of two entries of one tree (no allocation: it runs for every entry of
/// the trees a run compares).
pub fn entry_order(a: &git2::TreeEntry<'_>, b: &git2::TreeEntry<'_>) -> Ordering {
    order_key(a.name_bytes(), a.filemode()).cmp(order_key(b.name_bytes(), b.filemode()))
}

/// The names whose entry differs between `old` (None: an empty tree) and `new`, in
/// git's order, found by walking both trees once side by side.
pub fn differing_names(old: Option<&git2::Tree<'_>>, new: &git2::Tree<'_>) -> Vec<Vec<u8>> {
    let mut olds = old.into_iter().flat_map(|t| t.iter()).peekable();
    let mut news = new.iter().peekable();
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut differs = |name: &[u8]| {
        if out.last().map(Vec::as_slice) != Some(name) {
            out.push(name.to_vec());
        }
    };
    loop {
        let order = match (olds.peek(), news.peek()) {
            (None, None) => return out,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(o), Some(n)) => entry_order(o, n),
        };
        match order {
            Ordering::Less => differs(olds.next().expect("peeked").name_bytes()),
            Ordering::Greater => differs(news.next().expect("peeked").name_bytes()),
            Ordering::Equal => {
                let (o, n) = (olds.next().expect("peeked"), news.next().expect("peeked"));
                if o.id() != n.id() || o.filemode() != n.filemode() {
                    differs(n.name_bytes());
                }
            }
        }
    }
}

/// The bytes of `tree` with `edits` made: each names an entry, set to `(mode, id)` or
/// removed (None). Unedited entries are copied in order, with no sorting or
/// allocation for them.
pub fn edited_tree_bytes(tree: &git2::Tree<'_>, edits: &[TreeEdit]) -> Vec<u8> {
    let mut added: Vec<TreeEntry> = edits
        .iter()
        .filter_map(|(name, set)| set.map(|(mode, oid)| (name.clone(), mode, oid)))
        .collect();
    added.sort_unstable_by(|a, b| sort_key(a).cmp(sort_key(b)));
    let edited = |name: &[u8]| edits.iter().any(|(n, _)| n.as_slice() == name);
    let mut out = Vec::with_capacity(tree.len() * 40 + added.len() * 40);
    let mut added = added.into_iter().peekable();
    for entry in tree.iter().filter(|e| !edited(e.name_bytes())) {
        while let Some(next) = added.next_if(|a| {
            sort_key(a).cmp(order_key(entry.name_bytes(), entry.filemode())) == Ordering::Less
        }) {
            put_entry(&mut out, &next.0, next.1, next.2);
        }
        put_entry(&mut out, entry.name_bytes(), entry.filemode(), entry.id());
    }
    for (name, mode, oid) in added {
        put_entry(&mut out, &name, mode, oid);
    }
    out
}

fn put_entry(out: &mut Vec<u8>, name: &[u8], mode: i32, oid: git2::Oid) {
    out.extend_from_slice(format!("{mode:o} ").as_bytes());
    out.extend_from_slice(name);
    out.push(0);
    out.extend_from_slice(oid.as_bytes());
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

        // The same tree made by edits of another: one entry replaced, one removed, two added.
        let tree = repo.find_tree(expected).unwrap();
        let edits = vec![
            (b"a-".to_vec(), None),
            (b"a.b".to_vec(), Some((0o100755, blob))),
            (b"a.a".to_vec(), Some((0o100644, blob))),
            (b"zz".to_vec(), Some((MODE_TREE, sub))),
        ];
        let mut builder = repo.treebuilder(Some(&tree)).unwrap();
        builder.remove("a-").unwrap();
        builder.insert("a.b", blob, 0o100755).unwrap();
        builder.insert("a.a", blob, 0o100644).unwrap();
        builder.insert("zz", sub, MODE_TREE).unwrap();
        let expected_edit = builder.write().unwrap();
        let edited = edited_tree_bytes(&tree, &edits);
        assert_eq!(
            git2::Oid::hash_object(git2::ObjectType::Tree, &edited).unwrap(),
            expected_edit
        );
        let after = repo.find_tree(expected_edit).unwrap();
        assert_eq!(
            differing_names(Some(&tree), &after),
            vec![
                b"a-".to_vec(),
                b"a.a".to_vec(),
                b"a.b".to_vec(),
                b"zz".to_vec()
            ]
        );
        assert_eq!(differing_names(Some(&tree), &tree), Vec::<Vec<u8>>::new());
    }
}
