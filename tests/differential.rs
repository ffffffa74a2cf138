//! Cases where the in-memory path once gave other results than git: each asserts what
//! `git rebase` gives.

use crate::common::oracle::rebase_loop;
use crate::common::TestRepo;

/// Writes raw bytes into the work tree.
fn write_bytes(repo: &TestRepo, file: &str, bytes: &[u8]) {
    std::fs::write(repo.path.join(file), bytes).unwrap();
}

/// Commits raw bytes as `file` on the current branch.
fn commit_bytes(repo: &TestRepo, file: &str, bytes: &[u8], message: &str) {
    write_bytes(repo, file, bytes);
    repo.git(&["add", file]);
    repo.git(&["commit", "-q", "-m", message]);
}

#[test]
fn a_binary_change_is_not_upstream_because_the_base_changed_the_same_file() {
    let repo = TestRepo::new();
    commit_bytes(&repo, "b.bin", b"v0\0zero", "initial");
    repo.git(&["checkout", "-q", "-b", "topic"]);
    commit_bytes(&repo, "b.bin", b"topic\0one", "topic: binary change");
    repo.git(&["checkout", "-q", "main"]);
    commit_bytes(&repo, "b.bin", b"main\0two", "main: binary change");
    commit_bytes(&repo, "b.bin", b"v0\0zero", "main: revert it");
    let oracle = rebase_loop(&repo, "main");
    repo.align_expect(&["--onto", "main", "topic"], 0);
    assert_eq!(
        repo.git(&["log", "--format=%s", "main..topic"]),
        "topic: binary change",
        "the commit was dropped as already upstream"
    );
    assert_eq!(repo.rev("topic"), oracle.rev("topic"));
}

#[test]
fn the_same_binary_change_upstream_is_dropped_like_git_does() {
    let repo = TestRepo::new();
    commit_bytes(&repo, "b.bin", b"v0\0zero", "initial");
    repo.commit(&[("other.txt", "o\n")], "other");
    repo.git(&["checkout", "-q", "-b", "topic", "HEAD~1"]);
    commit_bytes(&repo, "b.bin", b"same\0change", "topic: binary change");
    repo.commit(&[("t.txt", "t\n")], "topic: text");
    repo.git(&["checkout", "-q", "main"]);
    commit_bytes(
        &repo,
        "b.bin",
        b"same\0change",
        "main: the same binary change",
    );
    let oracle = rebase_loop(&repo, "main");
    repo.align_expect(&["--onto", "main", "topic"], 0);
    assert_eq!(
        repo.git(&["log", "--format=%s", "main..topic"]),
        "topic: text"
    );
    assert_eq!(repo.rev("topic"), oracle.rev("topic"));
}
