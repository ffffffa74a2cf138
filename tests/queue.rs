//! Keep going: a conflict holds up only its own branch and the branches stacked on it;
//! every other branch is aligned first, then the conflicts are taken one by one from
//! the queue. `--stop-at-first` (or `align.stopAtFirst`) stops the world instead.

use crate::common::{file_with, TestRepo};

/// Twelve independent topics (`topic-00` .. `topic-11`), of which `topic-03`, `-06` and
/// `-09` edit a line `main` edits too; and a stack `stack-a` <- `stack-b` whose bottom
/// edits another such line.
fn repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit(&[("f.txt", &file_with(&[]))], "base");
    let conflicting = [3, 6, 9];
    for i in 0..12 {
        let name = format!("topic-{i:02}");
        repo.git(&["checkout", "-q", "-b", &name, "main"]);
        repo.commit(&[(&format!("t{i}.txt"), "new\n")], &format!("{name}: add"));
        if conflicting.contains(&i) {
            let text = format!("{name} was here");
            repo.commit(
                &[("f.txt", &file_with(&[(i, &text)]))],
                &format!("{name}: edit"),
            );
        }
    }
    repo.git(&["checkout", "-q", "-b", "stack-a", "main"]);
    repo.commit(
        &[("f.txt", &file_with(&[(15, "stack-a was here")]))],
        "stack-a: edit",
    );
    repo.git(&["checkout", "-q", "-b", "stack-b"]);
    repo.commit(&[("b.txt", "b\n")], "stack-b: add");
    repo.checkout("main");
    repo.commit(&[("m1.txt", "m\n")], "main: before");
    let main: Vec<(usize, &str)> = [3, 6, 9, 15]
        .iter()
        .map(|n| (*n, "main was here"))
        .collect();
    repo.commit(&[("f.txt", &file_with(&main))], "main: edit");
    repo.commit(&[("m2.txt", "m\n")], "main: after");
    repo
}

fn queue_of(repo: &TestRepo) -> Vec<(String, String)> {
    repo.status_json()["queue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            let branch = item["branch"].as_str().unwrap().to_string();
            let reason = item["reason"].as_str().unwrap().to_string();
            (branch, reason)
        })
        .collect()
}

fn pair(branch: &str, reason: &str) -> (String, String) {
    (branch.to_string(), reason.to_string())
}

/// Resolves the conflict the run is paused on by taking main's file with one line
/// naming the branch, and adds it.
fn resolve_current(repo: &TestRepo) -> String {
    let status = repo.status_json();
    let branch = status["current"].as_str().unwrap().to_string();
    let worktree = std::path::PathBuf::from(status["worktree"].as_str().unwrap());
    let content = file_with(&[(0, &format!("{branch} resolved"))]);
    std::fs::write(worktree.join("f.txt"), &content).unwrap();
    repo.git(&["-C", worktree.to_str().unwrap(), "add", "f.txt"]);
    branch
}

#[test]
fn clean_branches_go_on_and_conflicts_are_resolved_one_after_another() {
    let repo = repo();
    let before = repo.branches();
    let said = repo.align_expect(&["--onto", "main"], 3);
    let main = repo.rev("main");
    // The nine clean topics moved before the pause.
    for i in (0..12).filter(|i| ![3, 6, 9].contains(i)) {
        let name = format!("topic-{i:02}");
        assert!(
            repo.git_ok(&["merge-base", "--is-ancestor", &main, &name]),
            "{name} was not aligned before the pause"
        );
    }
    let expected_queue = vec![
        pair("stack-a", "conflict"),
        pair("stack-b", "waits"),
        pair("topic-03", "conflict"),
        pair("topic-06", "conflict"),
        pair("topic-09", "conflict"),
    ];
    assert_eq!(queue_of(&repo), expected_queue);
    assert!(said.contains("queue (5 waiting"), "{said}");
    assert_eq!(repo.status_json()["current"], "stack-a");
    assert_eq!(repo.rev("stack-b"), before["stack-b"], "stack-b waits");

    let mut resolved = Vec::new();
    let mut code = Some(3);
    while code == Some(3) {
        resolved.push(resolve_current(&repo));
        code = repo.align(&["continue"]).status.code();
    }
    assert_eq!(code, Some(0));
    assert_eq!(resolved, ["stack-a", "topic-03", "topic-06", "topic-09"]);
    for name in ["stack-a", "topic-03", "topic-06", "topic-09"] {
        assert_eq!(
            repo.git(&["show", &format!("{name}:f.txt")]),
            file_with(&[(0, &format!("{name} resolved"))]).trim_end()
        );
    }
    assert_eq!(repo.rev("stack-b~1"), repo.rev("stack-a"));
    repo.assert_fsck();
}

#[test]
fn a_skipped_queue_item_leaves_its_stack_and_the_queue_goes_on() {
    let repo = repo();
    let before = repo.branches();
    repo.align_expect(&["--onto", "main"], 3);
    assert_eq!(repo.status_json()["current"], "stack-a");
    repo.align_expect(&["skip"], 3);
    assert_eq!(repo.status_json()["current"], "topic-03");
    assert_eq!(repo.rev("stack-a"), before["stack-a"]);
    assert_eq!(repo.rev("stack-b"), before["stack-b"]);
    let branches = repo.state_json()["branches"].as_array().unwrap().clone();
    let status = |name: &str| {
        branches
            .iter()
            .find(|b| b["name"] == name)
            .map(|b| b["status"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(status("stack-b"), "skipped");
    assert_eq!(
        queue_of(&repo),
        [
            pair("topic-03", "conflict"),
            pair("topic-06", "conflict"),
            pair("topic-09", "conflict")
        ]
    );
    repo.align_expect(&["cancel"], 0);
    assert_eq!(repo.branches(), before);
}

#[test]
fn stop_at_first_pauses_on_the_first_conflict_with_the_rest_pending() {
    for how in ["flag", "config"] {
        let repo = repo();
        let before = repo.branches();
        if how == "flag" {
            repo.align_expect(&["--onto", "main", "--stop-at-first"], 3);
        } else {
            repo.git(&["config", "align.stopAtFirst", "true"]);
            repo.align_expect(&["--onto", "main"], 3);
        }
        assert_eq!(repo.status_json()["current"], "stack-a", "{how}");
        for i in 0..12 {
            let name = format!("topic-{i:02}");
            assert_eq!(repo.rev(&name), before[&name], "{how}: {name} moved");
        }
        assert_eq!(
            queue_of(&repo),
            [pair("stack-a", "conflict"), pair("stack-b", "waits")]
        );
        repo.align_expect(&["cancel"], 0);
        assert_eq!(repo.branches(), before);
    }
}

#[test]
fn a_queued_conflict_that_an_earlier_resolution_settles_is_not_asked_again() {
    let repo = repo();
    // `topic-10` carries the same conflicting change as `topic-09`.
    repo.git(&["checkout", "-q", "topic-10"]);
    repo.git(&["cherry-pick", "topic-09"]);
    repo.checkout("main");
    repo.align_expect(&["--onto", "main", "topic-09", "topic-10"], 3);
    assert_eq!(
        queue_of(&repo),
        [pair("topic-09", "conflict"), pair("topic-10", "conflict")]
    );
    resolve_current(&repo);
    let said = repo.align_expect(&["continue"], 0);
    assert!(
        said.contains("resolved topic-10 with a recorded resolution: f.txt"),
        "{said}"
    );
}

/// Every file under `.git/objects` and every ref: what a dry run must leave as it is.
fn objects_and_refs(repo: &TestRepo) -> (String, String) {
    let files = repo
        .command("find")
        .args([".git/objects", "-type", "f"])
        .output()
        .unwrap();
    let mut files: Vec<String> = String::from_utf8(files.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    files.sort();
    (files.join("\n"), repo.git(&["for-each-ref"]))
}

#[test]
fn dry_run_predicts_the_conflicts_and_their_base_commit_and_writes_nothing() {
    let repo = repo();
    let before = objects_and_refs(&repo);
    let said = repo.align_expect(&["--onto", "main", "--dry-run"], 0);
    assert_eq!(
        objects_and_refs(&repo),
        before,
        "the dry run wrote something"
    );
    let culprit = repo.git(&["rev-parse", "--short=7", "main~1"]);
    let line_of = |name: &str| {
        said.lines()
            .find(|l| l.trim_start().starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no line for {name}: {said}"))
            .to_string()
    };
    for name in ["stack-a", "topic-03", "topic-06", "topic-09"] {
        assert!(
            line_of(name).ends_with(&format!(
                "CONFLICT in f.txt (with {culprit} \"main: edit\")"
            )),
            "{} (expected {culprit})",
            line_of(name)
        );
    }
    assert!(line_of("stack-b").ends_with("waits for stack-a"), "{said}");
    assert!(line_of("topic-00").ends_with("1 commit on main"), "{said}");
    assert!(
        said.contains("prediction: 9 clean, 4 conflicting, 1 waiting"),
        "{said}"
    );

    let json = repo.align_expect(&["--onto", "main", "--dry-run", "--json"], 0);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let predicted: Vec<(String, String)> = value["branches"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["prediction"] != "clean")
        .map(|b| {
            let reason = if b["prediction"] == "waits" {
                "waits"
            } else {
                "conflict"
            };
            pair(b["name"].as_str().unwrap(), reason)
        })
        .collect();
    assert_eq!(
        objects_and_refs(&repo),
        before,
        "the dry run wrote something"
    );

    // The run agrees with the prediction.
    repo.align_expect(&["--onto", "main"], 3);
    assert_eq!(queue_of(&repo), predicted);
}

#[test]
fn dry_run_json_needs_dry_run() {
    let repo = repo();
    let out = repo.align(&["--onto", "main", "--json"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn failed_checks_wait_in_the_queue_while_the_other_branches_go_on() {
    let repo = TestRepo::new();
    repo.commit(&[("f.txt", "f\n")], "base");
    for name in ["s1", "topic-a", "topic-b", "topic-c"] {
        repo.git(&["checkout", "-q", "-b", name, "main"]);
        repo.commit(&[(&format!("{name}.txt"), "x\n")], &format!("{name}: add"));
    }
    repo.git(&["checkout", "-q", "-b", "s2", "s1"]);
    repo.commit(&[("s2.txt", "x\n")], "s2: add");
    repo.checkout("main");
    repo.commit(&[("m.txt", "m\n")], "main: moves on");
    let fixed = repo.tmp_dir().join("fixed");
    std::fs::create_dir_all(&fixed).unwrap();
    let check = format!(
        "case \"$GIT_ALIGN_BRANCH\" in s1|topic-b) test -e {}/$GIT_ALIGN_BRANCH ;; esac",
        fixed.display()
    );
    let before = repo.branches();
    repo.align_expect(&["--onto", "main", "--exec", &check], 3);
    let status = repo.status_json();
    assert_eq!(status["pause_reason"], "check_failed");
    assert_eq!(status["current"], "s1");
    assert_eq!(
        queue_of(&repo),
        [
            pair("s1", "check"),
            pair("s2", "waits"),
            pair("topic-b", "check")
        ]
    );
    let main = repo.rev("main");
    for name in ["topic-a", "topic-c"] {
        assert!(
            repo.git_ok(&["merge-base", "--is-ancestor", &main, name]),
            "{name}"
        );
    }
    for name in ["s1", "s2", "topic-b"] {
        assert_eq!(repo.rev(name), before[name], "{name} moved");
    }
    std::fs::write(fixed.join("s1"), "").unwrap();
    repo.align_expect(&["continue"], 3);
    assert_eq!(repo.status_json()["current"], "topic-b");
    assert_eq!(queue_of(&repo), [pair("topic-b", "check")]);
    assert_eq!(repo.rev("s2~1"), repo.rev("s1"));
    assert!(repo.git_ok(&["merge-base", "--is-ancestor", &main, "s2"]));
    std::fs::write(fixed.join("topic-b"), "").unwrap();
    repo.align_expect(&["continue"], 0);
    assert!(repo.git_ok(&["merge-base", "--is-ancestor", &main, "topic-b"]));
}

#[test]
fn skip_commit_drops_only_the_commit_that_conflicts() {
    let repo = repo();
    let before = repo.branches();
    repo.align_expect(&["--onto", "main", "topic-03"], 3);
    let said = repo.align_expect(&["skip", "--commit"], 0);
    assert!(said.contains("dropped"), "{said}");
    assert_eq!(
        repo.git(&["log", "--format=%s", "main..topic-03"]),
        "topic-03: add",
        "only the conflicting commit is gone"
    );
    assert_eq!(repo.rev("topic-03~1"), repo.rev("main"));
    assert!(repo.leftover_worktrees().is_empty());
    repo.align_expect(&["undo"], 0);
    assert_eq!(repo.branches(), before);

    // Not stopped on a conflict: refused, nothing changes.
    repo.align_expect(
        &["--onto", "main", "--pause-after", "rebase", "topic-00"],
        3,
    );
    let out = repo.align(&["skip", "--commit"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(repo.branches(), before);
    repo.align_expect(&["cancel"], 0);
}
