//! The bench's generated repositories: git align must give what git rebase gives.

use crate::common::{bench_dir, TestRepo};

/// Aligns a copy with the bench's `align-with.sh rebase` loop.
fn rebase_loop(repo: &TestRepo) -> TestRepo {
    let oracle = repo.copy();
    let script = bench_dir().join("align-with.sh");
    oracle.bench_script(&[
        script.as_os_str(),
        "rebase".as_ref(),
        oracle.path.as_os_str(),
    ]);
    oracle
}

#[test]
fn synthetic_topics_and_stacks_match_git_rebase() {
    let repo = TestRepo::generated(&[
        "--branches",
        "40",
        "--commits",
        "3",
        "--files",
        "200",
        "--stacks",
        "2",
        "--depth",
        "4",
        "--upstream",
        "4",
    ]);
    let oracle = rebase_loop(&repo);
    repo.align_expect(&["--onto", "main"], 0);
    let (ours, theirs) = (repo.branches(), oracle.branches());
    assert_eq!(ours.len(), 40 + 8 + 1);
    for (name, oid) in &theirs {
        assert_eq!(repo.tree(&ours[name]), oracle.tree(oid), "tree of {name}");
    }
    assert_eq!(ours, theirs, "commit ids differ from git rebase's");
    repo.assert_fsck();
}

#[test]
fn conflicting_topics_are_the_ones_git_rebase_stops_on() {
    let repo = TestRepo::generated(&[
        "--branches",
        "20",
        "--commits",
        "2",
        "--files",
        "100",
        "--conflicts",
        "4",
    ]);
    let before = repo.branches();
    let oracle = rebase_loop(&repo);
    let rebase_conflicts: Vec<String> = oracle
        .branches()
        .into_iter()
        .filter(|(name, oid)| name.starts_with("topic/") && before[name] == *oid)
        .map(|(name, _)| name)
        .collect();
    let mut ours = Vec::new();
    let mut code = repo.align(&["--onto", "main"]).status.code();
    while code == Some(3) {
        let status = repo.status_json();
        assert_eq!(status["pause_reason"], "conflict");
        ours.push(status["current"].as_str().unwrap().to_string());
        code = repo.align(&["skip"]).status.code();
    }
    assert_eq!(code, Some(0));
    assert_eq!(ours, rebase_conflicts);
    assert_eq!(rebase_conflicts.len(), 4);
    for (name, oid) in oracle.branches() {
        assert_eq!(repo.rev(&name), oid, "{name}");
    }
}

#[test]
fn ripgrep_real_topics_match_git_rebase() {
    let repo = TestRepo::new();
    std::fs::remove_dir_all(&repo.path).unwrap();
    let script = bench_dir().join("realtopics.sh");
    let bundle = bench_dir().join("data/ripgrep.bundle");
    repo.bench_script(&[
        script.as_os_str(),
        bundle.as_os_str(),
        repo.path.as_os_str(),
        "60".as_ref(),
    ]);
    let before = repo.branches();
    let oracle = rebase_loop(&repo);
    let mut code = repo.align(&["--onto", "main"]).status.code();
    while code == Some(3) {
        assert_eq!(repo.status_json()["pause_reason"], "conflict");
        code = repo.align(&["skip"]).status.code();
    }
    assert_eq!(code, Some(0));
    let left_alone = |r: &TestRepo| -> Vec<String> {
        r.branches()
            .into_iter()
            .filter(|(n, oid)| n != "main" && before[n] == *oid)
            .map(|(n, _)| n)
            .collect()
    };
    assert_eq!(
        left_alone(&repo),
        left_alone(&oracle),
        "branches left by conflicts differ"
    );
    for (name, oid) in oracle.branches() {
        assert_eq!(repo.tree(&name), oracle.tree(&oid), "tree of {name}");
    }
    repo.assert_fsck();
}
