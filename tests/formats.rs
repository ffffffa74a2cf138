//! Repository formats of git 3.0: the reftable ref backend works as the files one does
//! (the whole suite also runs on it with `GIT_ALIGN_TEST_REF_FORMAT=reftable`, as
//! `.ci/run` does; this test runs on it whatever the suite's format), and a SHA-256
//! repository is refused in one line that names it, changing nothing.

use crate::common::TestRepo;

/// A repository made with `git init` and these options (the test's usual one removed).
fn init(args: &[&str]) -> TestRepo {
    let repo = TestRepo::new();
    std::fs::remove_dir_all(&repo.path).unwrap();
    let mut init = vec!["init", "-q", "-b", "main"];
    init.extend(args);
    init.push("repo");
    repo.git_at(repo.path.parent().unwrap(), &init);
    repo
}

#[test]
fn a_reftable_repository_runs_pauses_continues_and_undoes_as_a_files_one() {
    let repo = init(&["--ref-format=reftable"]);
    assert_eq!(repo.git(&["rev-parse", "--show-ref-format"]), "reftable");
    repo.commit(&[("f.txt", "f\n")], "base");
    repo.git(&["checkout", "-q", "-b", "bottom"]);
    repo.commit(&[("b.txt", "b\n")], "bottom: add");
    repo.git(&["checkout", "-q", "-b", "top"]);
    repo.commit(&[("t.txt", "t\n")], "top: add");
    repo.checkout("main");
    repo.commit(&[("m.txt", "m\n")], "main: add");
    repo.checkout("top");
    let before = repo.user_refs();
    let oracle = repo.copy();
    oracle.git(&["rebase", "-q", "--update-refs", "main"]);
    repo.align_expect(&["--onto", "main", "--pause-after", "finish"], 3);
    assert_eq!(repo.status_json()["state"], "paused");
    crate::common::assert_status_truthful(&repo);
    repo.align_expect(&["continue"], 0);
    for branch in ["bottom", "top"] {
        assert_eq!(repo.rev(branch), oracle.rev(branch), "{branch}");
    }
    assert_eq!(
        repo.tree("HEAD"),
        repo.tree("top"),
        "the checked-out branch's files"
    );
    let reflog = repo.git(&["reflog", "-1", "--format=%gs", "bottom"]);
    assert!(reflog.starts_with("align: onto main"), "{reflog}");
    repo.assert_fsck();
    repo.align_expect(&["undo"], 0);
    assert_eq!(repo.user_refs(), before);
}

#[test]
fn a_sha256_repository_is_refused_in_one_line_naming_it() {
    let repo = init(&["--object-format=sha256"]);
    repo.commit(&[("f.txt", "f\n")], "base");
    repo.git(&["branch", "topic"]);
    let refs = repo.refs();
    for args in [&["--onto", "main"][..], &["status"][..], &["cancel"][..]] {
        let out = repo.align(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let said = String::from_utf8_lossy(&out.stderr);
        let first = said.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("error: this repository names its objects with SHA-256"),
            "{said}"
        );
        assert!(!said.contains("not in a git repository"), "{said}");
    }
    assert_eq!(repo.refs(), refs, "nothing changed");
}
