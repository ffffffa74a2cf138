//! Landed branches: a branch whose change is already on the base (squash- or
//! rebase-merged upstream) is not replayed, and the branches stacked on it go onto the
//! base with only their own commits, as `git rebase --onto <base> <landed tip> <child>
//! --update-refs` puts them: the oracle every result here is compared with.

use std::collections::BTreeMap;

use crate::common::{file_with, TestRepo};

/// main: one commit; the stack p1 (2 commits, both editing line 2 of `f.txt`, so that
/// replaying the first onto a base with the second conflicts) <- c1 (edits line 12,
/// adds c1.txt) <- c2 (adds c2.txt); then main gains an unrelated commit.
fn stack() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit(&[("f.txt", &file_with(&[]))], "base");
    repo.git(&["checkout", "-q", "-b", "p1"]);
    repo.commit(&[("f.txt", &file_with(&[(2, "p1 draft")]))], "p1: draft");
    repo.commit(
        &[("f.txt", &file_with(&[(2, "p1 final"), (4, "p1 too")]))],
        "p1: final",
    );
    repo.git(&["checkout", "-q", "-b", "c1"]);
    repo.commit(
        &[
            (
                "f.txt",
                &file_with(&[(2, "p1 final"), (4, "p1 too"), (12, "c1")]),
            ),
            ("c1.txt", "c1\n"),
        ],
        "c1: edit",
    );
    repo.git(&["checkout", "-q", "-b", "c2"]);
    repo.commit(&[("c2.txt", "c2\n")], "c2: add");
    repo.checkout("main");
    repo.commit(&[("m.txt", "m\n")], "main: unrelated");
    repo
}

/// Squash-merges `branch` into main (as a forge's "squash and merge"); returns the
/// squash commit.
fn squash_merge(repo: &TestRepo, branch: &str) -> String {
    repo.checkout("main");
    repo.git(&["merge", "-q", "--squash", branch]);
    repo.commit(&[], &format!("{branch} (#1)"))
}

/// Copies `from..branch` onto main one by one (as a forge's "rebase and merge").
fn rebase_merge(repo: &TestRepo, from: &str, branch: &str) {
    repo.checkout("main");
    repo.git(&["cherry-pick", &format!("{from}..{branch}")]);
}

/// The branches after `git rebase --onto main <upstream> <tip> --update-refs` in a copy.
fn oracle(repo: &TestRepo, upstream: &str, tip: &str) -> BTreeMap<String, String> {
    let copy = repo.copy();
    copy.git(&[
        "rebase",
        "-q",
        "--update-refs",
        "--onto",
        "main",
        upstream,
        tip,
    ]);
    copy.branches()
}

/// The run's branch `name` as `status --json` shows it.
fn status_of(repo: &TestRepo, name: &str) -> serde_json::Value {
    let status = repo.status_json();
    status["branches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not in the run: {status}"))
        .clone()
}

#[track_caller]
fn assert_same_branches(
    got: &BTreeMap<String, String>,
    want: &BTreeMap<String, String>,
    names: &[&str],
) {
    for name in names {
        assert_eq!(got.get(*name), want.get(*name), "{name}");
    }
}

#[test]
fn a_squash_merged_parent_is_left_and_its_children_replay_only_their_own_commits() {
    let repo = stack();
    let p1 = repo.rev("p1");
    let squash = squash_merge(&repo, "p1");
    let want = oracle(&repo, "p1", "c2");
    let out = repo.align_expect(&["--onto", "main"], 0);
    assert!(out.contains("landed on main: p1"), "{out}");
    assert!(out.contains("--prune"), "{out}");
    let got = repo.branches();
    assert_eq!(got["p1"], p1, "a landed branch stays where it is");
    assert_same_branches(&got, &want, &["c1", "c2"]);
    let row = status_of(&repo, "p1");
    assert_eq!(row["status"], "landed");
    assert_eq!(row["landed_as"], squash.as_str());
    let human = repo.align_expect(&["status"], 0);
    assert!(human.contains("landed"), "{human}");
    assert!(
        human.contains("\"p1 (#1)\""),
        "the subject is shown: {human}"
    );
    assert_eq!(status_of(&repo, "c1")["parent"], "main");
    repo.assert_fsck();
}

#[test]
fn without_landed_detection_the_same_stack_would_conflict() {
    // What the test above guards against: replaying p1's commits onto the squash.
    let repo = stack();
    squash_merge(&repo, "p1");
    let copy = repo.copy();
    copy.git(&["checkout", "-q", "c2"]);
    assert!(
        !copy.git_ok(&["rebase", "-q", "--update-refs", "main"]),
        "a plain git rebase of the stack conflicts on p1's draft"
    );
}

#[test]
fn a_rebase_merged_parent_is_landed() {
    let repo = stack();
    let p1 = repo.rev("p1");
    rebase_merge(&repo, "p1~2", "p1");
    let copy_of_final = repo.rev("main");
    let want = oracle(&repo, "p1", "c2");
    repo.align_expect(&["--onto", "main"], 0);
    let got = repo.branches();
    assert_eq!(got["p1"], p1);
    assert_same_branches(&got, &want, &["c1", "c2"]);
    let row = status_of(&repo, "p1");
    assert_eq!(row["status"], "landed");
    assert_eq!(row["landed_as"], copy_of_final.as_str());
}

#[test]
fn a_branch_whose_commits_are_all_upstream_is_reported_landed_not_moved() {
    let repo = TestRepo::new();
    repo.commit(&[("f.txt", &file_with(&[]))], "base");
    repo.git(&["checkout", "-q", "-b", "topic"]);
    repo.commit(&[("t.txt", "t\n")], "topic: add");
    let topic = repo.rev("topic");
    repo.checkout("main");
    repo.commit(&[("m.txt", "m\n")], "main: before the copy");
    rebase_merge(&repo, "topic~1", "topic");
    let out = repo.align_expect(&["--onto", "main", "topic"], 0);
    assert!(out.contains("landed"), "{out}");
    assert_eq!(repo.rev("topic"), topic);
}

#[test]
fn a_landed_middle_branch_leaves_the_stack_below_and_above_it_aligned() {
    // a <- b <- c, and only b's own change lands on main (squashed).
    let repo = TestRepo::new();
    repo.commit(&[("f.txt", &file_with(&[]))], "base");
    repo.git(&["checkout", "-q", "-b", "a"]);
    repo.commit(&[("f.txt", &file_with(&[(1, "a")]))], "a: edit");
    repo.git(&["checkout", "-q", "-b", "b"]);
    repo.commit(
        &[("f.txt", &file_with(&[(1, "a"), (8, "b draft")]))],
        "b: draft",
    );
    repo.commit(&[("f.txt", &file_with(&[(1, "a"), (8, "b")]))], "b: final");
    repo.git(&["checkout", "-q", "-b", "c"]);
    repo.commit(&[("c.txt", "c\n")], "c: add");
    repo.checkout("main");
    repo.commit(&[("f.txt", &file_with(&[(8, "b")]))], "b's change (#2)");
    let b = repo.rev("b");
    // The oracle: a onto main, then c onto the new a without b's commits.
    let copy = repo.copy();
    copy.git(&["rebase", "-q", "main", "a"]);
    copy.git(&["rebase", "-q", "--onto", "a", "b", "c"]);
    let want = copy.branches();
    repo.align_expect(&["--onto", "main"], 0);
    let got = repo.branches();
    assert_eq!(got["b"], b);
    assert_same_branches(&got, &want, &["a", "c"]);
    assert_eq!(status_of(&repo, "b")["status"], "landed");
    assert_eq!(status_of(&repo, "c")["parent"], "a");
}

#[test]
fn later_base_edits_near_the_landed_lines_do_not_hide_the_landing() {
    let repo = stack();
    squash_merge(&repo, "p1");
    // main goes on editing the lines next to p1's.
    let near = file_with(&[
        (1, "main near"),
        (2, "p1 final"),
        (3, "main near"),
        (4, "p1 too"),
    ]);
    repo.commit(&[("f.txt", &near)], "main: edit near p1");
    let want = oracle(&repo, "p1", "c2");
    repo.align_expect(&["--onto", "main"], 0);
    assert_eq!(status_of(&repo, "p1")["status"], "landed");
    assert_same_branches(&repo.branches(), &want, &["c1", "c2"]);
}

#[test]
fn a_squash_whose_context_the_base_changed_first_is_found_by_merging() {
    // main edits a line near p1's before the squash: the squash commit's diff has
    // other context than p1's, so no patch id matches; merging p1 into main changes
    // nothing, which says it landed.
    let repo = stack();
    repo.commit(
        &[("f.txt", &file_with(&[(6, "main between")]))],
        "main: near",
    );
    let squash = squash_merge(&repo, "p1");
    let squash_diff = repo.git(&["diff", "main~1", "main"]);
    assert!(squash_diff.contains("main between"), "{squash_diff}");
    let want = oracle(&repo, "p1", "c2");
    repo.align_expect(&["--onto", "main"], 0);
    let row = status_of(&repo, "p1");
    assert_eq!(row["status"], "landed");
    assert_eq!(row["landed_as"], squash.as_str());
    assert!(
        row["note"].as_str().unwrap().starts_with("merged as"),
        "{row}"
    );
    assert_same_branches(&repo.branches(), &want, &["c1", "c2"]);
}

/// The stack aligned once onto main (so the run records it), then p1 squash-merged and
/// deleted here, as `git pull` + `git branch -D` leave it. Returns p1's recorded tip.
fn aligned_then_landed_and_deleted(repo: &TestRepo) -> String {
    repo.align_expect(&["--onto", "main"], 0);
    let p1 = repo.rev("p1");
    squash_merge(repo, "p1");
    repo.git(&["branch", "-D", "p1"]);
    p1
}

#[test]
fn a_deleted_landed_parent_is_remembered_from_the_previous_run() {
    let repo = stack();
    let p1 = aligned_then_landed_and_deleted(&repo);
    let want = oracle(&repo, &p1, "c2");
    let out = repo.align_expect(&["--onto", "main"], 0);
    assert!(out.contains("without p1's commits"), "{out}");
    assert_same_branches(&repo.branches(), &want, &["c1", "c2"]);
    assert_eq!(status_of(&repo, "c1")["own_from"], p1.as_str());
    // Without the record, the stack would replay p1's commits (and conflict).
    let forgetful = stack();
    aligned_then_landed_and_deleted(&forgetful);
    forgetful.git(&["update-ref", "-d", "refs/align/state"]);
    forgetful.align_expect(&["--onto", "main"], 3);
}

#[test]
fn the_remembered_stack_travels_with_push_and_fetch() {
    let first = stack();
    first.align_expect(&["--onto", "main"], 0);
    let origin = first.bare_origin();
    first.align_expect(&["push", "origin"], 0);
    let p1 = first.rev("p1");
    // Another clone takes the finished run, then p1 lands upstream and goes.
    let other = TestRepo::clone_of(&origin);
    other.align_expect(&["fetch", "origin"], 0);
    for name in ["c1", "c2"] {
        other.git(&["branch", "-f", name, &format!("origin/{name}")]);
    }
    other.git(&["branch", "-f", "p1", "origin/p1"]);
    squash_merge(&other, "p1");
    other.git(&["branch", "-D", "p1"]);
    let want = oracle(&other, &p1, "c2");
    other.align_expect(&["--onto", "main"], 0);
    assert_same_branches(&other.branches(), &want, &["c1", "c2"]);
}

#[test]
fn prune_deletes_landed_branches_and_undo_brings_them_back_exactly() {
    let repo = stack();
    squash_merge(&repo, "p1");
    let before = repo.user_refs();
    let out = repo.align_expect(&["--onto", "main", "--prune"], 0);
    assert!(out.contains("pruned   p1"), "{out}");
    assert!(!repo.branches().contains_key("p1"));
    let row = status_of(&repo, "p1");
    assert_eq!(row["pruned"], true);
    crate::common::assert_status_truthful(&repo);
    repo.align_expect(&["undo"], 0);
    assert_eq!(repo.user_refs(), before);
    repo.assert_fsck();
}

#[test]
fn prune_from_config_keeps_the_checked_out_and_other_worktrees_branches() {
    let repo = stack();
    repo.git(&["checkout", "-q", "-b", "q1", "main~1"]);
    repo.commit(&[("q.txt", "q\n")], "q1: add");
    rebase_merge(&repo, "q1~1", "q1");
    squash_merge(&repo, "p1");
    repo.git(&["config", "align.prune", "true"]);
    let elsewhere = repo.path.parent().unwrap().join("wt");
    repo.git(&["worktree", "add", "-q", elsewhere.to_str().unwrap(), "q1"]);
    repo.checkout("p1");
    let out = repo.align_expect(&["--onto", "main", "p1", "q1", "c1", "c2"], 0);
    assert!(
        out.contains("kept     p1 (landed; checked out here)"),
        "{out}"
    );
    assert!(
        out.contains("kept     q1 (landed; checked out in worktree"),
        "{out}"
    );
    let branches = repo.branches();
    assert!(branches.contains_key("p1") && branches.contains_key("q1"));
}

#[test]
fn cancel_of_a_paused_pruning_run_changes_nothing() {
    let repo = stack();
    squash_merge(&repo, "p1");
    let before = repo.user_refs();
    repo.align_expect(&["--onto", "main", "--prune", "--pause-after", "finish"], 3);
    assert!(repo.branches().contains_key("p1"), "pruned only at the end");
    repo.align_expect(&["cancel"], 0);
    assert_eq!(repo.user_refs(), before);
}

#[test]
fn dry_run_predicts_landed_branches() {
    let repo = stack();
    squash_merge(&repo, "p1");
    let before = repo.refs();
    let out = repo.align_expect(&["--onto", "main", "--dry-run"], 0);
    assert!(out.contains("landed as"), "{out}");
    assert!(out.contains("1 landed"), "{out}");
    let json = repo.align_expect(&["--onto", "main", "--dry-run", "--json"], 0);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let p1 = &value["branches"].as_array().unwrap()[0];
    assert_eq!(p1["prediction"], "landed");
    assert_eq!(repo.refs(), before);
}

#[test]
fn sigkill_at_every_crash_point_of_a_pruning_run() {
    let template = stack();
    squash_merge(&template, "p1");
    let points =
        crate::crash::kill_at_every_point(&template, &["--onto", "main", "--prune"], &["continue"]);
    assert!(points >= 15, "only {points} crash points exercised");
}

/// Real history: clean jinja topics of two commits or more squash-merged upstream one
/// after another (as a project merging pull requests does), each with a branch stacked
/// on it: every squashed topic is landed, and each stacked branch is what `git rebase
/// --onto main <topic> <child>` makes of it.
#[test]
fn real_topics_squash_merged_upstream_are_landed_and_their_children_follow_git() {
    let repo = TestRepo::from_bundle("jinja-topics.bundle");
    let expected =
        std::fs::read_to_string(crate::common::data_file("jinja-topics.expected")).unwrap();
    let clean = expected
        .lines()
        .filter(|l| l.contains(" clean "))
        .filter_map(|l| l.split(' ').next());
    repo.checkout("main");
    let mut squashed: Vec<String> = Vec::new();
    for topic in clean {
        let own: usize = repo
            .git(&["rev-list", "--count", &format!("main..{topic}")])
            .parse()
            .unwrap();
        if own < 2 || squashed.len() == 4 {
            continue;
        }
        let merged = repo.git_ok(&["merge", "-q", "--squash", topic])
            && !repo.git_ok(&["diff", "--cached", "--quiet"]);
        if !merged {
            repo.git(&["reset", "-q", "--hard"]);
            continue;
        }
        repo.commit(&[], &format!("{topic} (squashed)"));
        let child = format!("{topic}-child");
        repo.git(&["checkout", "-q", "-b", &child, topic]);
        repo.commit(&[(&format!("{topic}.child"), "child\n")], "child: add");
        repo.checkout("main");
        squashed.push(topic.to_string());
    }
    assert!(squashed.len() >= 3, "only {squashed:?} squash cleanly");
    let copy = repo.copy();
    for topic in &squashed {
        copy.git(&[
            "rebase",
            "-q",
            "--onto",
            "main",
            topic,
            &format!("{topic}-child"),
        ]);
    }
    let want = copy.branches();
    let mut selection: Vec<String> = squashed.clone();
    selection.extend(squashed.iter().map(|t| format!("{t}-child")));
    let mut args = vec!["--onto", "main"];
    args.extend(selection.iter().map(String::as_str));
    let before = repo.branches();
    repo.align_expect(&args, 0);
    let got = repo.branches();
    for topic in &squashed {
        assert_eq!(status_of(&repo, topic)["status"], "landed", "{topic}");
        assert_eq!(got[topic], before[topic], "{topic} stays");
        let child = format!("{topic}-child");
        assert_eq!(got[&child], want[&child], "{child}");
    }
}

#[test]
fn a_pruning_run_resumed_after_a_kill_keeps_a_branch_checked_out_meanwhile() {
    let template = stack();
    squash_merge(&template, "p1");
    template.checkout("main");
    // The first crash point at which p1 is marked for deletion and still there.
    let mut point = 1;
    let repo = loop {
        let repo = template.copy();
        let out = repo
            .align_cmd(&["--onto", "main", "--prune"])
            .env("GIT_ALIGN_CRASH_AT", point.to_string())
            .output()
            .unwrap();
        assert!(out.status.code().is_none(), "no such crash point: {point}");
        let marked = repo.status_json()["branches"]
            .as_array()
            .is_some_and(|b| b.iter().any(|b| b["name"] == "p1" && b["pruned"] == true));
        if marked && repo.branches().contains_key("p1") {
            break repo;
        }
        point += 1;
    };
    repo.checkout("p1");
    repo.align_expect(&["continue"], 0);
    assert!(
        repo.branches().contains_key("p1"),
        "the checked-out branch was deleted"
    );
    let row = status_of(&repo, "p1");
    assert_eq!(row["pruned"], serde_json::Value::Null, "{row}");
    assert!(
        row["note"]
            .as_str()
            .unwrap()
            .contains("kept: checked out here"),
        "{row}"
    );
}

#[test]
fn a_fetch_does_not_bring_back_a_branch_prune_deleted() {
    let first = stack();
    squash_merge(&first, "p1");
    first.align_expect(&["--onto", "main", "--prune"], 0);
    let origin = first.bare_origin();
    first.align_expect(&["push", "origin"], 0);
    let other = TestRepo::clone_of(&origin);
    other.align_expect(&["fetch", "origin"], 0);
    assert!(
        other.branches().contains_key("c1"),
        "the run's other branches come"
    );
    assert!(
        !other.branches().contains_key("p1"),
        "{:?}",
        other.branches()
    );
}

#[test]
fn a_branch_left_behind_past_a_landed_parent_remembers_it_once_deleted() {
    // First run: p1 landed, c1 checked out with changes in another worktree (skipped),
    // so its commits still sit on p1's. Then p1 goes, and the worktree is cleaned.
    let repo = stack();
    squash_merge(&repo, "p1");
    repo.git(&["checkout", "-q", "-b", "other", "main~1"]);
    repo.commit(&[("o.txt", "o\n")], "other: add");
    repo.checkout("main");
    let elsewhere = repo.path.parent().unwrap().join("wt");
    repo.git(&["worktree", "add", "-q", elsewhere.to_str().unwrap(), "c1"]);
    std::fs::write(elsewhere.join("c1.txt"), "changed\n").unwrap();
    repo.align_expect(&["--onto", "main", "p1", "c1", "other"], 0);
    assert_eq!(status_of(&repo, "c1")["status"], "skipped");
    let p1 = repo.rev("p1");
    repo.git(&["worktree", "remove", "--force", elsewhere.to_str().unwrap()]);
    repo.git(&["branch", "-D", "p1"]);
    let want = oracle(&repo, &p1, "c2");
    let out = repo.align_expect(&["--onto", "main", "c1", "c2"], 0);
    assert!(out.contains("without p1's commits"), "{out}");
    assert_same_branches(&repo.branches(), &want, &["c1", "c2"]);
}
