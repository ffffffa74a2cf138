//! Alignment results against `git rebase` as the oracle; cancel, undo, log.

use crate::common::TestRepo;

const BASE: &str = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n";

fn edit_line(n: usize, text: &str) -> String {
    crate::common::replace_line(BASE, n, text)
}

/// main advanced by two commits after these branches forked:
/// independent feat-a (2 commits) and feat-b, a stack s1 <- s2 <- s3, a parent p with two
/// children c1 and c2, `upstream` whose first commit main also has, `fresh` already on
/// the new main.
pub fn fixture() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit(&[("base.txt", BASE), ("other.txt", "other\n")], "initial");
    let fork = repo.rev("HEAD");
    let topic = |name: &str, on: &str, commits: &[(&str, &str, &str)]| {
        repo.git(&["checkout", "-q", "-b", name, on]);
        for (file, content, message) in commits {
            repo.commit(&[(file, content)], message);
        }
    };
    topic(
        "feat-a",
        &fork,
        &[
            ("base.txt", &edit_line(15, "fifteen"), "a: edit 15"),
            ("a.txt", "a\n", "a: add a.txt"),
        ],
    );
    topic("feat-b", &fork, &[("b.txt", "b\n", "b: add b.txt")]);
    topic("s1", &fork, &[("s.txt", "s1\n", "s1")]);
    topic("s2", "s1", &[("s.txt", "s1\ns2\n", "s2")]);
    topic("s3", "s2", &[("s3.txt", "s3\n", "s3")]);
    topic("p", &fork, &[("p.txt", "p\n", "p")]);
    topic("c1", "p", &[("c1.txt", "c1\n", "c1")]);
    topic("c2", "p", &[("c2.txt", "c2\n", "c2")]);
    topic(
        "upstream",
        &fork,
        &[
            ("u.txt", "u\n", "u: add u.txt"),
            ("u2.txt", "u2\n", "u: add u2.txt"),
        ],
    );
    repo.checkout("main");
    repo.commit(&[("base.txt", &edit_line(1, "one"))], "main: edit 1");
    repo.commit(&[("u.txt", "u\n")], "main: add u.txt");
    topic("fresh", "main", &[("f.txt", "f\n", "fresh")]);
    repo.checkout("main");
    repo
}

/// The same alignment done with `git rebase` (`--update-refs` for stacks).
fn rebase_oracle(repo: &TestRepo) -> TestRepo {
    let oracle = repo.copy();
    let p_before = oracle.rev("p");
    for branch in ["feat-a", "feat-b", "upstream", "fresh"] {
        oracle.git(&["rebase", "-q", "main", branch]);
    }
    oracle.git(&["rebase", "-q", "--update-refs", "main", "s3"]);
    oracle.git(&["rebase", "-q", "--update-refs", "main", "c1"]);
    oracle.git(&["rebase", "-q", "--onto", "p", &p_before, "c2"]);
    oracle.checkout("main");
    oracle
}

#[test]
fn aligns_like_git_rebase_commit_for_commit() {
    let repo = fixture();
    let oracle = rebase_oracle(&repo);
    let out = repo.align_expect(&["--onto", "main"], 0);
    assert!(out.contains("finished"), "{out}");
    assert_eq!(
        repo.branches(),
        oracle.branches(),
        "git align and git rebase disagree"
    );
    assert_eq!(repo.rev("fresh"), oracle.rev("fresh"));
    assert_eq!(
        repo.git(&["rev-list", "--count", "main..upstream"]),
        "1",
        "the upstream commit is dropped"
    );
    assert_eq!(repo.status_json()["state"], "finished");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    repo.assert_fsck();
}

#[test]
fn plan_lists_stacks_and_dry_run_changes_nothing() {
    let repo = fixture();
    let before = repo.refs();
    let out = repo.align_expect(&["--dry-run"], 0);
    assert!(out.contains("s2  ") && out.contains("on s1"), "{out}");
    assert!(out.contains("c2") && out.contains("on p"), "{out}");
    assert!(out.contains("1 already upstream"), "{out}");
    assert!(
        out.contains("plan: replay 10 branches (11 commits)"),
        "{out}"
    );
    assert_eq!(repo.refs(), before);
}

#[test]
fn records_every_branch_in_the_state_and_keeps_objects_through_gc() {
    let repo = fixture();
    let originals = repo.branches();
    repo.align_expect(&["--onto", "main", "feat-*", "s*"], 0);
    let state = repo.state_json();
    assert_eq!(state["schema_version"], 1);
    let names: Vec<&str> = state["branches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["feat-a", "feat-b", "s1", "s2", "s3"]);
    for b in state["branches"].as_array().unwrap() {
        let name = b["name"].as_str().unwrap();
        assert_eq!(b["original"], originals[name].as_str());
        assert_eq!(b["new"], repo.rev(name).as_str());
        assert_eq!(b["status"], "aligned");
    }
    assert_eq!(repo.rev("p"), originals["p"], "unselected branches stay");
    repo.git(&["reflog", "expire", "--expire=now", "--all"]);
    repo.git(&["gc", "-q", "--prune=now"]);
    for oid in originals.values() {
        assert!(
            repo.git_ok(&["cat-file", "-e", oid]),
            "{oid} was lost to gc"
        );
    }
    repo.align_expect(&["undo"], 0);
    assert_eq!(repo.branches(), originals);
    repo.assert_fsck();
}

#[test]
fn reflog_names_the_run() {
    let repo = fixture();
    repo.align_expect(&["--onto", "main", "feat-a"], 0);
    let run = repo.state_json()["run_id"].as_str().unwrap().to_string();
    let reflog = repo.git(&["reflog", "-1", "--format=%gs", "feat-a"]);
    assert_eq!(reflog, format!("align: onto main ({run})"));
}

#[test]
fn checked_out_branch_gets_its_work_tree_updated() {
    let repo = fixture();
    repo.checkout("feat-a");
    repo.align_expect(&["--onto", "main", "feat-a"], 0);
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert_eq!(
        std::fs::read_to_string(repo.path.join("base.txt")).unwrap(),
        {
            let mut s = edit_line(1, "one");
            s = s.replace("15\n", "fifteen\n");
            s
        }
    );
    repo.align_expect(&["undo"], 0);
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert_eq!(repo.refs()["HEAD"], "ref: refs/heads/feat-a");
    assert!(!repo.path.join("u.txt").exists());
}

#[test]
fn cancel_restores_every_ref_and_head_exactly() {
    let repo = fixture();
    repo.checkout("s2");
    let before = repo.user_refs();
    repo.align_expect(&["--onto", "main", "--pause-after", "finish"], 3);
    assert_ne!(repo.user_refs(), before);
    assert_eq!(repo.status_json()["state"], "paused");
    assert_eq!(repo.status_json()["pause_reason"], "checkpoint");
    repo.align_expect(&["cancel"], 0);
    assert_eq!(repo.user_refs(), before);
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert_eq!(repo.status_json()["state"], "cancelled");
    let decisions = repo.status_json()["decisions"].clone();
    assert_eq!(decisions[0]["decision"], "cancel");
    let log = repo.align_expect(&["log", "-v"], 0);
    assert!(
        log.contains("cancelled") && log.contains("start: 10 branches onto main"),
        "{log}"
    );
    repo.assert_fsck();
}

#[test]
fn undo_refuses_a_branch_moved_since_and_force_overrides() {
    let repo = fixture();
    let before = repo.user_refs();
    repo.align_expect(&["--onto", "main"], 0);
    repo.branch("feat-b", "main");
    let moved = repo.user_refs();
    let out = repo.align_expect(&["undo"], 1);
    assert!(
        out.contains("feat-b") && out.contains("moved outside git-align"),
        "{out}"
    );
    assert_eq!(repo.user_refs(), moved, "a refused undo changes nothing");
    repo.align_expect(&["undo", "--force"], 0);
    assert_eq!(repo.user_refs(), before);
}

#[test]
fn merge_strategy_merges_the_base_like_git_merge() {
    let repo = fixture();
    let oracle = repo.copy();
    repo.align_expect(
        &[
            "--onto",
            "main",
            "--strategy",
            "merge",
            "feat-a",
            "s1",
            "s2",
        ],
        0,
    );
    for branch in ["feat-a", "s1"] {
        oracle.checkout(branch);
        oracle.git(&["merge", "-q", "--no-edit", "main"]);
    }
    oracle.checkout("s2");
    oracle.git(&["merge", "-q", "--no-edit", "s1"]);
    for branch in ["feat-a", "s1", "s2"] {
        assert_eq!(repo.tree(branch), oracle.tree(branch), "{branch}");
        assert_eq!(
            repo.git(&["log", "-1", "--format=%P%n%s", branch]),
            oracle.git(&["log", "-1", "--format=%P%n%s", branch]),
            "{branch}"
        );
    }
    repo.assert_fsck();
}

#[test]
fn a_branch_checked_out_in_a_clean_worktree_is_aligned_there() {
    let repo = fixture();
    let wt = repo.path.parent().unwrap().join("wt");
    repo.git(&["worktree", "add", "-q", wt.to_str().unwrap(), "s1"]);
    let before = repo.user_refs();
    repo.align_expect(&["--onto", "main", "s1", "s2", "feat-b"], 0);
    let s1 = repo.rev("s1");
    assert_ne!(Some(&s1), before.get("refs/heads/s1"), "s1 moved");
    assert_eq!(repo.git_at(&wt, &["rev-parse", "HEAD"]), s1);
    assert_eq!(
        repo.git_at(&wt, &["status", "--porcelain"]),
        "",
        "its files came along"
    );
    repo.align_expect(&["undo"], 0);
    assert_eq!(repo.user_refs(), before);
    assert_eq!(repo.git_at(&wt, &["status", "--porcelain"]), "");
}

#[test]
fn a_branch_checked_out_in_a_dirty_worktree_is_skipped_with_its_children() {
    let repo = fixture();
    let wt = repo.path.parent().unwrap().join("wt");
    repo.git(&["worktree", "add", "-q", wt.to_str().unwrap(), "s1"]);
    let tracked = repo.git_at(&wt, &["ls-files"]);
    let file = tracked.lines().next().unwrap();
    std::fs::write(wt.join(file), "a change of the user's\n").unwrap();
    let out = repo.align_expect(&["--onto", "main", "s1", "s2", "feat-b"], 0);
    assert!(out.contains("with uncommitted changes"), "{out}");
    let status = repo.status_json();
    let statuses: Vec<(String, String)> = status["branches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["name"].as_str().unwrap().into(),
                b["status"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(statuses.contains(&("s1".into(), "skipped".into())));
    assert!(statuses.contains(&("s2".into(), "skipped".into())));
    assert!(statuses.contains(&("feat-b".into(), "aligned".into())));
}

#[test]
fn config_supplies_base_and_branches() {
    let repo = fixture();
    repo.git(&["config", "align.base", "main"]);
    repo.git(&["config", "align.branches", "feat-a feat-b"]);
    let out = repo.align_expect(&[], 0);
    assert!(out.contains("plan: replay 2 branches"), "{out}");
    assert_eq!(
        repo.git(&["merge-base", "feat-b", "main"]),
        repo.rev("main")
    );
}

#[test]
fn status_without_a_run() {
    let repo = fixture();
    assert_eq!(
        repo.status_json(),
        serde_json::json!({"schema_version": 1, "state": "none"})
    );
    let out = repo.align_expect(&["status"], 0);
    assert!(out.contains("no alignment run in progress"));
}

#[test]
fn demo_runs_with_a_pause_and_a_resume() {
    let scratch = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(crate::common::BIN)
        .arg("demo")
        .env("TMPDIR", scratch.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("paused (checkpoint)") && text.contains("# exit 3"),
        "{text}"
    );
    assert!(text.contains("finished: 4 aligned"), "{text}");
}

fn stash_list(repo: &TestRepo) -> String {
    repo.git(&["stash", "list", "--format=%s"])
}

#[test]
fn autostash_puts_changes_aside_for_the_run_and_brings_them_back() {
    let repo = fixture();
    repo.checkout("feat-b");
    repo.write("b.txt", "changed\n");
    repo.write("n.txt", "new and staged\n");
    repo.git(&["add", "n.txt"]);
    let said = repo.align_expect(&["--onto", "main", "--autostash", "feat-b"], 0);
    assert!(said.contains("stashed your uncommitted changes"), "{said}");
    assert!(said.contains("applied your autostash"), "{said}");
    assert!(repo.git_ok(&["merge-base", "--is-ancestor", "main", "feat-b"]));
    assert_eq!(repo.git(&["symbolic-ref", "--short", "HEAD"]), "feat-b");
    assert_eq!(repo.git(&["diff", "--name-only", "HEAD"]), "b.txt\nn.txt");
    assert_eq!(
        std::fs::read_to_string(repo.path.join("b.txt")).unwrap(),
        "changed\n"
    );
    assert_eq!(
        stash_list(&repo),
        "",
        "the autostash is dropped once applied"
    );
    assert!(repo.status_json()["autostash"].is_string());
    repo.assert_fsck();
}

#[test]
fn autostash_waits_in_the_stash_list_through_a_pause_and_returns_on_cancel() {
    let repo = fixture();
    repo.git(&["config", "align.autostash", "true"]);
    repo.checkout("feat-b");
    let before = repo.branches();
    repo.write("b.txt", "changed\n");
    repo.align_expect(&["--onto", "main", "--pause-after", "finish", "feat-b"], 3);
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert!(stash_list(&repo).contains("git-align autostash"));
    let verbose = repo.align_expect(&["status", "-v"], 0);
    assert!(
        verbose.contains("setting: autostash = yes (git config align.autostash)"),
        "{verbose}"
    );
    repo.align_expect(&["cancel"], 0);
    assert_eq!(repo.branches(), before);
    assert_eq!(repo.git(&["status", "--porcelain"]), " M b.txt");
    assert_eq!(stash_list(&repo), "");

    // The command line wins over the config.
    let refused = repo.align_expect(&["--onto", "main", "--no-autostash", "feat-b"], 1);
    assert!(refused.contains("uncommitted changes: b.txt"), "{refused}");
}

#[test]
fn an_autostash_that_conflicts_stays_in_the_stash_list() {
    let repo = fixture();
    repo.checkout("feat-b");
    // main changes line 1 too: the changes do not apply onto the aligned branch.
    repo.write("base.txt", &edit_line(1, "the user's one"));
    let said = repo.align_expect(&["--onto", "main", "--autostash", "feat-b"], 0);
    assert!(
        said.contains("resulted in conflicts; your changes are safe in the stash list"),
        "{said}"
    );
    assert!(repo.git_ok(&["merge-base", "--is-ancestor", "main", "feat-b"]));
    // As `git rebase --autostash` leaves it: the conflict in the work tree, the entry kept.
    assert_eq!(repo.git(&["status", "--porcelain"]), "UU base.txt");
    assert!(stash_list(&repo).contains("git-align autostash"));
    assert!(repo
        .git(&["stash", "show", "-p"])
        .contains("+the user's one"));
}
