//! `--exec` checks and review checkpoints: approve, revise (feedback reaches the check),
//! skip and cancel, pauses while a check runs, and what the temporary worktrees leave.

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::common::{wait_for_exit, TestRepo};
use crate::core::fixture;

/// The branches these tests align, and what `git align` makes of them without checks.
const SELECTION: [&str; 3] = ["feat-a", "s1", "s2"];

fn aligned_without_checks() -> std::collections::BTreeMap<String, String> {
    let repo = fixture();
    let mut args = vec!["--onto", "main"];
    args.extend(SELECTION);
    repo.align_expect(&args, 0);
    repo.branches()
}

fn start_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["--onto", "main"];
    args.extend_from_slice(extra);
    args.extend(SELECTION);
    args
}

/// Lines the check appended to `log` (it writes one line per run).
fn log_lines(log: &Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn check_runs_in_a_worktree_of_each_new_tip_with_the_run_in_its_environment() {
    let repo = fixture();
    let log = repo.tmp_dir().join("../exec.log");
    let command = format!(
        "echo \"$GIT_ALIGN_BRANCH $(git rev-parse HEAD) $GIT_ALIGN_NEW $GIT_ALIGN_ONTO $GIT_ALIGN_RUN $(git status --porcelain | wc -l)\" >> {}",
        log.display()
    );
    repo.align_expect(&start_args(&["--exec", &command]), 0);
    let expected = aligned_without_checks();
    assert_eq!(repo.branches(), expected);
    let run_id = repo.status_json()["run_id"].as_str().unwrap().to_string();
    let lines = log_lines(&log);
    assert_eq!(lines.len(), SELECTION.len(), "{lines:?}");
    for line in lines {
        let fields: Vec<&str> = line.split(' ').collect();
        let branch = fields[0];
        assert_eq!(fields[1], expected[branch], "HEAD of the worktree: {line}");
        assert_eq!(fields[2], expected[branch], "GIT_ALIGN_NEW: {line}");
        assert_eq!(fields[3], "main");
        assert_eq!(fields[4], run_id);
        assert_eq!(fields[5], "0", "the worktree is clean: {line}");
    }
    assert!(
        repo.leftover_worktrees().is_empty(),
        "{:?}",
        repo.leftover_worktrees()
    );
    repo.assert_fsck();
}

#[test]
fn a_failing_check_pauses_before_the_branch_moves_then_retry_and_skip() {
    let repo = fixture();
    let before = repo.branches();
    let marks = repo.tmp_dir().join("..");
    // s1 fails until a file appears; feat-a always fails.
    let command = format!(
        "case $GIT_ALIGN_BRANCH in feat-a) echo feat-a is broken; exit 7;; s1) test -e {}/s1-fixed;; esac",
        marks.display()
    );
    let said = repo.align_expect(&start_args(&["--exec", &command]), 3);
    assert!(said.contains("exit status 7"), "{said}");
    let status = repo.status_json();
    assert_eq!(status["pause_reason"], "check_failed");
    assert_eq!(status["current"], "feat-a");
    assert_eq!(status["step"], "exec");
    let content = repo.state_json()["pause_content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(content.contains("feat-a is broken"), "{content}");
    assert_eq!(
        repo.branches()["feat-a"],
        before["feat-a"],
        "a failed branch must not move"
    );

    repo.align_expect(&["continue"], 3);
    assert_eq!(repo.state_json()["branches"][0]["attempts"]["exec"], 2);
    repo.align_expect(&["skip"], 3);
    assert_eq!(repo.status_json()["current"], "s1");
    std::fs::write(marks.join("s1-fixed"), "").unwrap();
    repo.align_expect(&["continue"], 0);

    let expected = aligned_without_checks();
    let branches = repo.branches();
    assert_eq!(branches["feat-a"], before["feat-a"]);
    assert_eq!(branches["s1"], expected["s1"]);
    assert_eq!(branches["s2"], expected["s2"]);
    let decisions = repo.status_json()["decisions"].clone();
    assert_eq!(decisions[0]["decision"], "skip");
    assert_eq!(decisions[0]["branch"], "feat-a");
    assert!(repo.leftover_worktrees().is_empty());
}

#[test]
fn checkpoints_at_each_step_with_approve_and_revise() {
    let repo = fixture();
    let log = repo.tmp_dir().join("../exec.log");
    let command = format!(
        "echo \"$GIT_ALIGN_BRANCH ${{GIT_ALIGN_FEEDBACK:-none}}\" >> {}",
        log.display()
    );
    let args = [
        "--onto",
        "main",
        "--exec",
        &command,
        "--pause-after",
        "rebase,exec,branch,finish",
        "feat-a",
    ];
    let expected = aligned_without_checks()["feat-a"].clone();
    let original = repo.rev("feat-a");
    let at = |step: &str| {
        let status = repo.status_json();
        assert_eq!(status["pause_reason"], "checkpoint");
        assert_eq!(status["step"], step, "{status}");
    };

    let said = repo.align_expect(&args, 3);
    at("rebase");
    assert!(
        said.contains("1 commit(s) rewritten") || said.contains("2 commit(s) rewritten"),
        "{said}"
    );
    assert_eq!(
        repo.rev("feat-a"),
        original,
        "nothing moves before the branch step"
    );

    repo.align_expect(&["continue"], 3);
    at("exec");
    assert_eq!(log_lines(&log), ["feat-a none"]);

    repo.align_expect(&["continue", "--revise", "use the new API"], 3);
    at("exec");
    assert_eq!(log_lines(&log), ["feat-a none", "feat-a use the new API"]);
    assert_eq!(repo.rev("feat-a"), original);

    repo.align_expect(&["continue"], 3);
    at("branch");
    assert_eq!(repo.rev("feat-a"), expected);

    let refused = repo.align_expect(&["continue", "--revise", "again"], 1);
    assert!(
        refused.contains("nothing to redo after the branch step"),
        "{refused}"
    );

    repo.align_expect(&["resume"], 3);
    at("finish");
    let table = repo.state_json()["pause_content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(table.contains("aligned  feat-a"), "{table}");
    repo.align_expect(&["continue"], 0);

    let decisions: Vec<(String, String)> = repo.status_json()["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["step"].as_str().unwrap().to_string(),
                d["decision"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected_decisions: Vec<(String, String)> = [
        ("rebase", "approve"),
        ("exec", "revise"),
        ("exec", "approve"),
        ("branch", "approve"),
        ("finish", "approve"),
    ]
    .iter()
    .map(|(s, d)| (s.to_string(), d.to_string()))
    .collect();
    assert_eq!(decisions, expected_decisions);
    assert_eq!(
        repo.status_json()["decisions"][1]["feedback"],
        "use the new API"
    );
    assert_eq!(repo.rev("feat-a"), expected);
}

#[test]
fn revising_the_rebase_step_replays_what_the_branch_has_now() {
    let repo = fixture();
    repo.align_expect(&["--onto", "main", "--pause-after", "rebase", "feat-b"], 3);
    repo.checkout("feat-b");
    repo.commit(&[("review.txt", "fix from review\n")], "b: review fix");
    let amended = repo.rev("feat-b");
    repo.checkout("main");

    repo.align_expect(&["continue", "--revise", "picked up the review fix"], 3);
    let status = repo.status_json();
    assert_eq!(status["step"], "rebase");
    assert_eq!(status["branches"][0]["original"], amended.as_str());
    repo.align_expect(&["continue"], 0);

    let files = repo.git(&["ls-tree", "--name-only", "feat-b"]);
    assert!(
        files.contains("review.txt") && files.contains("b.txt"),
        "{files}"
    );
    assert_eq!(repo.rev("feat-b^^"), repo.rev("main"));
    repo.align_expect(&["undo"], 0);
    assert_eq!(repo.rev("feat-b"), amended, "undo keeps the review fix");
}

#[test]
fn cancel_at_the_exec_checkpoint_restores_everything() {
    let repo = fixture();
    let before = repo.user_refs();
    repo.align_expect(&start_args(&["--exec", "true", "--pause-after", "exec"]), 3);
    repo.align_expect(&["continue"], 3);
    assert_ne!(repo.user_refs(), before, "the first branch has moved");
    repo.align_expect(&["cancel"], 0);
    assert_eq!(repo.user_refs(), before);
    assert_eq!(repo.status_json()["state"], "cancelled");
    assert!(repo.leftover_worktrees().is_empty());
}

/// Starts a run whose check for `s1` announces itself, then waits for a signal.
fn start_with_a_long_check(repo: &TestRepo, marks: &Path) -> Child {
    let command = format!(
        "if [ $GIT_ALIGN_BRANCH = s1 ] && [ ! -e {m}/again ]; then trap 'echo interrupted > {m}/got-int; exit 130' INT; touch {m}/started; sleep 300 & wait; fi",
        m = marks.display()
    );
    let child = repo
        .align_cmd(&start_args(&["--exec", &command]))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !marks.join("started").exists() {
        assert!(Instant::now() < deadline, "the check never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    child
}

fn finish_after_interruption(repo: &TestRepo, marks: &Path, reason: &str) {
    assert_eq!(repo.status_json()["pause_reason"], reason);
    assert!(
        marks.join("got-int").exists(),
        "the check did not get SIGINT"
    );
    let status = repo.status_json();
    assert_eq!(status["current"], "s1");
    assert_eq!(status["step"], "exec");
    crate::common::assert_status_truthful(repo);
    // The run's check worktree stays while it is paused; nothing else.
    let left: Vec<String> = repo
        .leftover_worktrees()
        .into_iter()
        .filter(|w| !w.contains("align-check"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    let refused = repo.align_expect(&["continue", "--revise", "x"], 1);
    assert!(
        refused.contains(&format!("stopped for {reason}")),
        "{refused}"
    );
    std::fs::write(marks.join("again"), "").unwrap();
    repo.align_expect(&["continue"], 0);
    assert_eq!(repo.branches(), aligned_without_checks());
}

#[test]
fn pause_from_another_process_stops_a_running_check() {
    let repo = fixture();
    let marks = repo.tmp_dir().join("..");
    let child = start_with_a_long_check(&repo, &marks);
    repo.align_expect(&["pause"], 0);
    wait_for_exit(child, 3);
    finish_after_interruption(&repo, &marks, "request");
}

#[test]
fn sigint_reaches_a_running_check_and_pauses() {
    let repo = fixture();
    let marks = repo.tmp_dir().join("..");
    let child = start_with_a_long_check(&repo, &marks);
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    wait_for_exit(child, 3);
    finish_after_interruption(&repo, &marks, "signal");
}

/// The check worktree a failed check's pause names.
fn check_worktree_named_in(said: &str) -> std::path::PathBuf {
    said.split("it ran in ")
        .nth(1)
        .and_then(|rest| rest.split(", which stays").next())
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| panic!("the pause does not name the check worktree: {said}"))
}

/// Three independent topics on `main`, which then moves on.
fn three_topics() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit(&[("f.txt", "f\n")], "base");
    for name in ["topic-a", "topic-b", "topic-c"] {
        repo.git(&["checkout", "-q", "-b", name, "main"]);
        repo.commit(&[(&format!("{name}.txt"), "x\n")], &format!("{name}: add"));
    }
    repo.checkout("main");
    repo.commit(&[("m.txt", "m\n")], "main: moves on");
    repo
}

#[test]
fn one_check_worktree_is_moved_from_tip_to_tip_keeping_untracked_files() {
    let repo = three_topics();
    // Each check appends to an untracked file; the third sees the first two's lines.
    let check = r#"echo "$GIT_ALIGN_BRANCH" >>build.log; test "$GIT_ALIGN_BRANCH" != topic-c || test "$(wc -l <build.log)" -eq 3"#;
    repo.align_expect(&["--onto", "main", "--exec", check], 0);
    let main = repo.rev("main");
    assert!(repo.git_ok(&["merge-base", "--is-ancestor", &main, "topic-c"]));
    assert!(
        !repo.path.join(".git/align/check").exists(),
        "removed at the end"
    );
    assert!(!repo.git(&["worktree", "list"]).contains("align"));
}

#[test]
fn a_fix_committed_in_the_check_worktree_is_picked_up_by_continue() {
    let repo = three_topics();
    let check = r#"test "$GIT_ALIGN_BRANCH" != topic-b || test -e fixed.txt"#;
    let said = repo.align_expect(&["--onto", "main", "--exec", check, "--stop-at-first"], 3);
    let worktree = check_worktree_named_in(&said);
    let at = worktree.to_str().unwrap();
    let tip = repo.git(&["-C", at, "rev-parse", "HEAD"]);

    // Changes not committed there are refused, and nothing moves.
    std::fs::write(worktree.join("topic-b.txt"), "edited\n").unwrap();
    let before = repo.branches();
    let out = repo.align(&["continue"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("topic-b.txt"));
    assert_eq!(repo.branches(), before);
    repo.git(&["-C", at, "checkout", "--", "topic-b.txt"]);

    std::fs::write(worktree.join("fixed.txt"), "fixed\n").unwrap();
    repo.git(&["-C", at, "add", "fixed.txt"]);
    repo.git(&["-C", at, "commit", "-q", "-m", "topic-b: the fix"]);
    let said = repo.align_expect(&["continue"], 0);
    assert!(
        said.contains("picked up 1 commit(s) made in the check worktree"),
        "{said}"
    );
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s", "topic-b"]),
        "topic-b: the fix"
    );
    assert_eq!(repo.rev("topic-b~1"), tip);
    repo.assert_fsck();
}

#[test]
fn a_tip_amended_in_the_check_worktree_is_picked_up() {
    let repo = three_topics();
    let check = r#"test "$GIT_ALIGN_BRANCH" != topic-b || test -e fixed.txt"#;
    let said = repo.align_expect(&["--onto", "main", "--exec", check, "--stop-at-first"], 3);
    let worktree = check_worktree_named_in(&said).display().to_string();
    let tip_parent = repo.git(&["-C", &worktree, "rev-parse", "HEAD~1"]);
    std::fs::write(std::path::Path::new(&worktree).join("fixed.txt"), "x\n").unwrap();
    repo.git(&["-C", &worktree, "add", "fixed.txt"]);
    repo.git(&["-C", &worktree, "commit", "-q", "--amend", "--no-edit"]);
    let said = repo.align_expect(&["continue"], 0);
    assert!(said.contains("picked up 1 commit(s)"), "{said}");
    assert_eq!(repo.rev("topic-b~1"), tip_parent);
    assert!(repo
        .git(&["show", "--stat", "topic-b"])
        .contains("fixed.txt"));
}
