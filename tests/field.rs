//! Faults as they happen in the field: locks left or held by others, processes that
//! died or linger, signals while refs move, branches changed by hand during a pause,
//! damaged checkpoints. After each: status truthful, continue and cancel exact.

use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::synth::Synth;
use crate::common::{assert_status_truthful, small_synth, start_slow, wait_for_exit, TestRepo};

/// A small generated repository and the branches an uninterrupted run makes of it.
fn setup() -> (TestRepo, std::collections::BTreeMap<String, String>) {
    let template = TestRepo::generated(&Synth {
        stacks: 1,
        ..small_synth()
    });
    let clean = template.copy();
    clean.align_expect(&["--onto", "main"], 0);
    (template, clean.branches())
}

#[test]
fn a_process_killed_but_not_reaped_does_not_hold_the_lock() {
    let (repo, expected) = setup();
    let mut child = start_slow(&repo, &["--onto", "main"], 40);
    while !repo.git_ok(&["rev-parse", "-q", "--verify", "refs/align/state"]) {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    // Not waited for: a zombie until the end of this test, as under an init that reaps
    // late. The kernel has released its lock all the same.
    std::thread::sleep(Duration::from_millis(100));
    assert_status_truthful(&repo);
    let out = repo.align(&["continue"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "continue after a killed run: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(repo.branches(), expected);
    child.wait().unwrap();
}

#[test]
fn a_lock_record_naming_a_live_unrelated_process_does_not_block() {
    let (repo, expected) = setup();
    crate::common::write_lock_record(&repo, 1);
    repo.align_expect(&["--onto", "main"], 0);
    assert_eq!(repo.branches(), expected);
}

#[test]
fn continue_and_cancel_started_together_leave_one_truthful_outcome() {
    for _ in 0..3 {
        let (repo, expected) = setup();
        let before = repo.branches();
        let child = start_slow(&repo, &["--onto", "main"], 20);
        repo.align_expect(&["pause"], 0);
        wait_for_exit(child, 3);
        let spawn = |args: &[&str]| {
            repo.align_cmd(args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (go_on, cancel) = (spawn(&["continue"]), spawn(&["cancel"]));
        let go_on = go_on.wait_with_output().unwrap().status.code();
        let cancel = cancel.wait_with_output().unwrap().status.code();
        assert_status_truthful(&repo);
        let state = repo.status_json()["state"].as_str().unwrap().to_string();
        match (go_on, cancel) {
            (Some(0), Some(1)) => {
                assert_eq!(state, "finished");
                assert_eq!(repo.branches(), expected);
            }
            (Some(1), Some(0)) => {
                assert_eq!(state, "cancelled");
                assert_eq!(repo.branches(), before);
            }
            // Cancel went second, after continue finished: it refuses a finished run.
            (Some(0), Some(0)) => unreachable!("both cannot win"),
            codes => panic!("continue and cancel ended {codes:?}"),
        }
        repo.assert_fsck();
    }
}

#[test]
fn a_ref_lock_left_by_a_killed_git_pauses_the_run_and_names_the_file() {
    let (repo, expected) = setup();
    if crate::common::ref_format() == "reftable" {
        return the_reftable_lock_left_by_a_killed_git_refuses_and_names_the_file(repo, expected);
    }
    let lock = repo.path.join(".git/refs/heads/topic/0003.lock");
    std::fs::write(&lock, "").unwrap();
    let said = repo.align_expect(&["--onto", "main"], 3);
    assert!(said.contains(&lock.display().to_string()), "{said}");
    let status = repo.status_json();
    assert_eq!(status["pause_reason"], "ref_locked");
    let failed = status["branches"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["status"] == "failed")
        .count();
    assert_eq!(failed, 0, "a locked ref is never a failed branch");
    assert_status_truthful(&repo);
    let cancelled = repo.copy();
    std::fs::remove_file(&lock).unwrap();
    repo.align_expect(&["continue"], 0);
    assert_eq!(repo.branches(), expected);
    repo.assert_fsck();

    // Cancel meets a lock on a branch the run moved: it names the file, changes nothing.
    let moved = cancelled.status_json()["branches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["status"] == "aligned")
        .map(|b| b["name"].as_str().unwrap().to_string())
        .expect("a branch moved before the pause");
    let refs = cancelled.refs();
    let lock = cancelled.path.join(format!(".git/refs/heads/{moved}.lock"));
    std::fs::write(&lock, "").unwrap();
    let refused = cancelled.align_expect(&["cancel"], 1);
    assert!(refused.contains(&lock.display().to_string()), "{refused}");
    assert!(refused.contains("remove it"), "{refused}");
    assert_eq!(cancelled.refs(), refs, "a refused cancel changes nothing");
    std::fs::remove_file(&lock).unwrap();
    cancelled.align_expect(&["cancel"], 0);
}

/// With the reftable backend one lock file guards every ref, the run's state ref too:
/// a run (or a cancel) met by one a killed git left refuses before it changes anything,
/// naming the file, and goes through once it is removed.
fn the_reftable_lock_left_by_a_killed_git_refuses_and_names_the_file(
    repo: TestRepo,
    expected: std::collections::BTreeMap<String, String>,
) {
    let lock = repo.path.join(".git/reftable/tables.list.lock");
    let refs = repo.refs();
    std::fs::write(&lock, "").unwrap();
    let said = repo.align_expect(&["--onto", "main"], 1);
    assert!(said.contains(&lock.display().to_string()), "{said}");
    assert_eq!(repo.refs(), refs, "a refused run changes nothing");
    std::fs::remove_file(&lock).unwrap();
    repo.align_expect(&["--onto", "main", "--pause-after", "finish"], 3);
    let paused = repo.refs();
    std::fs::write(&lock, "").unwrap();
    let refused = repo.align_expect(&["cancel"], 1);
    assert!(refused.contains(&lock.display().to_string()), "{refused}");
    assert_eq!(repo.refs(), paused, "a refused cancel changes nothing");
    std::fs::remove_file(&lock).unwrap();
    repo.align_expect(&["continue"], 0);
    assert_eq!(repo.branches(), expected);
}

#[test]
fn sigint_at_every_crash_point_pauses_truthfully_and_continue_and_cancel_are_exact() {
    let (repo, expected) = setup();
    let before = repo.user_refs();
    let mut point = 1;
    loop {
        let copy = repo.copy();
        let out = copy
            .align_cmd(&["--onto", "main"])
            .env("GIT_ALIGN_SIGINT_AT", point.to_string())
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stderr).to_string();
        let state = copy.status_json()["state"]
            .as_str()
            .unwrap_or("none")
            .to_string();
        match out.status.code() {
            // Past the last crash point: the run finished untouched.
            Some(0) if state == "finished" && copy.branches() == expected => break,
            Some(0) => panic!("point {point}: exit 0 with the run {state}: {said}"),
            Some(1) => {
                assert!(
                    said.contains("nothing was changed"),
                    "point {point}: {said}"
                );
                assert_eq!(copy.user_refs(), before, "point {point}");
            }
            Some(3) => {
                assert_eq!(state, "paused", "point {point}");
                assert_status_truthful(&copy);
                let cancelled = copy.copy();
                copy.align_expect(&["continue"], 0);
                assert_eq!(copy.branches(), expected, "point {point}: continue");
                cancelled.align_expect(&["cancel"], 0);
                assert_eq!(cancelled.user_refs(), before, "point {point}: cancel");
            }
            code => panic!("point {point}: exit {code:?}: {said}"),
        }
        point += 1;
        assert!(point < 500, "the run never got past its crash points");
    }
    assert!(point > 20, "only {point} points");
}

#[test]
fn a_pause_request_for_a_process_that_has_gone_does_not_stop_the_next_run() {
    let (repo, expected) = setup();
    std::fs::write(repo.path.join(".git/align.pause"), "999999\n").unwrap();
    repo.align_expect(&["--onto", "main"], 0);
    assert_eq!(repo.branches(), expected);
    let said = repo.align_expect(&["pause"], 1);
    assert!(said.contains("no git-align process is running"), "{said}");
}

#[test]
fn a_branch_checked_out_elsewhere_during_a_pause_is_not_moved_and_the_run_exits_4() {
    let repo = crate::core::fixture();
    repo.align_expect(&["--onto", "main", "--pause-after", "rebase"], 3);
    let current = repo.status_json()["current"].as_str().unwrap().to_string();
    let original = repo.rev(&current);
    let elsewhere = repo.path.parent().unwrap().join("elsewhere");
    repo.git(&[
        "worktree",
        "add",
        "-q",
        &elsewhere.display().to_string(),
        &current,
    ]);
    // A clean worktree would be aligned with its branch: this one has changes.
    let tracked = repo.git_at(&elsewhere, &["ls-files"]);
    let file = tracked.lines().next().unwrap().to_string();
    std::fs::write(elsewhere.join(&file), "a change of the user's\n").unwrap();
    let mut code = repo.align(&["continue"]).status.code();
    while code == Some(3) {
        code = repo.align(&["continue"]).status.code();
    }
    assert_eq!(code, Some(4), "a finished run with a failed branch");
    assert_eq!(repo.rev(&current), original, "{current} was moved");
    let status = repo.status_json();
    let row = status["branches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == current.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["status"], "failed");
    assert!(row["note"]
        .as_str()
        .unwrap()
        .contains("checked out with uncommitted changes"));
    assert_eq!(
        repo.git_at(&elsewhere, &["status", "--porcelain"]),
        format!(" M {file}"),
        "the other worktree keeps its change, and nothing else"
    );
}

#[test]
fn a_branch_deleted_during_a_pause_stays_deleted() {
    let repo = crate::core::fixture();
    repo.align_expect(
        &[
            "--onto",
            "main",
            "--pause-after",
            "branch",
            "feat-a",
            "feat-b",
        ],
        3,
    );
    let moved = repo.status_json()["current"].as_str().unwrap().to_string();
    repo.git(&["branch", "-D", &moved]);
    let said = repo.align_expect(&["cancel"], 0);
    assert!(said.contains("stays deleted"), "{said}");
    assert!(
        !repo.branches().contains_key(&moved),
        "cancel re-created {moved}"
    );
}

#[test]
fn a_run_that_would_change_nothing_keeps_the_last_run_for_undo() {
    let repo = crate::core::fixture();
    let before = repo.branches();
    repo.align_expect(&["--onto", "main"], 0);
    let run = repo.status_json()["run_id"].clone();
    let said = repo.align_expect(&["--onto", "main"], 0);
    assert!(said.contains("nothing to align"), "{said}");
    assert_eq!(repo.status_json()["run_id"], run);
    repo.align_expect(&["undo"], 0);
    assert_eq!(repo.branches(), before);
    let status = repo.status_json();
    assert!(
        status["branches"]
            .as_array()
            .unwrap()
            .iter()
            .all(|b| b["status"] == "restored" || b["new"] == b["original"]),
        "after undo every moved branch is shown restored: {status}"
    );
}

#[test]
fn status_into_a_closed_pipe_ends_quietly() {
    let repo = crate::core::fixture();
    repo.align_expect(&["--onto", "main", "--pause-after", "finish"], 3);
    let mut child = repo
        .align_cmd(&["status"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    assert!(
        status.success() || status.signal() == Some(libc::SIGPIPE),
        "status into a closed pipe: {status:?}"
    );
}

#[test]
fn an_unreadable_checkpoint_is_recovered_from_the_last_readable_one() {
    let (repo, expected) = setup();
    let child = start_slow(&repo, &["--onto", "main"], 20);
    repo.align_expect(&["pause"], 0);
    wait_for_exit(child, 3);
    let good = repo.rev("refs/align/state");
    let blob = repo.git_stdin(&["hash-object", "-w", "--stdin"], "{ not json");
    let tree = repo.git_stdin(&["mktree"], &format!("100644 blob {blob}\tstate.json\n"));
    let bad = repo.git(&["commit-tree", &tree, "-p", &good, "-m", "damaged"]);
    repo.git(&["update-ref", "refs/align/state", &bad]);
    let out = repo.align(&["status"]);
    let said = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        said.contains(&good[..7]),
        "status names the last readable one: {said}"
    );
    assert!(said.contains("git align recover"), "{said}");
    let said = repo.align_expect(&["recover"], 0);
    assert!(said.contains(&good[..7]), "{said}");
    assert_status_truthful(&repo);
    repo.align_expect(&["continue"], 0);
    assert_eq!(repo.branches(), expected);
    repo.align_expect(&["log", "-v"], 0);
    let history = repo.git(&["log", "--format=%s", "refs/align/state"]);
    assert!(
        history.contains("damaged"),
        "the damaged checkpoint stays in the chain"
    );
}

#[test]
fn undo_with_the_branch_checked_out_puts_submodule_entries_back() {
    let sub = TestRepo::new();
    let one = sub.commit(&[("s.txt", "one\n")], "one");
    let two = sub.commit(&[("s.txt", "two\n")], "two");
    let repo = TestRepo::new();
    let gitlink = |oid: &str| {
        repo.git(&[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("160000,{oid},sub"),
        ]);
    };
    repo.write("a.txt", "a\n");
    repo.git(&["add", "a.txt"]);
    gitlink(&one);
    repo.git(&["commit", "-q", "-m", "initial, sub at one"]);
    repo.git(&["checkout", "-q", "-b", "topic"]);
    // (No `git add -A` here: the submodule has no checkout, which would stage its removal.)
    repo.write("t.txt", "t\n");
    repo.git(&["add", "t.txt"]);
    repo.git(&["commit", "-q", "-m", "topic"]);
    repo.git(&["checkout", "-q", "main"]);
    gitlink(&two);
    repo.git(&["commit", "-q", "-m", "main moves sub to two"]);
    repo.git(&["checkout", "-q", "topic"]);
    repo.align_expect(&["--onto", "main", "topic"], 0);
    assert!(repo.git(&["ls-files", "--stage", "sub"]).contains(&two));
    repo.align_expect(&["undo"], 0);
    let staged = repo.git(&["diff", "--cached", "--name-only"]);
    assert_eq!(staged, "", "entries left staged after undo");
    assert!(repo.git(&["ls-files", "--stage", "sub"]).contains(&one));
}

/// Ctrl-C typed in a real terminal (a pty from script(1)) while `git align` runs: git
/// and git-align both get the signal and git passes it on too; the run pauses at a safe
/// point, counts the two as one request, and status tells the truth.
#[test]
fn ctrl_c_in_a_terminal_through_git_pauses_once() {
    if !crate::common::have_tool("script", "bsdutils") {
        return;
    }
    use std::io::Write;
    let (repo, expected) = setup();
    let mut child = repo
        .command("script")
        .args(["-qec", "git align --onto main", "/dev/null"])
        .env("GIT_ALIGN_TEST_DELAY_MS", "40")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !repo.git_ok(&["rev-parse", "-q", "--verify", "refs/align/state"]) {
        assert!(Instant::now() < deadline, "the run never checkpointed");
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut keyboard = child.stdin.take().unwrap();
    keyboard.write_all(b"\x03").unwrap();
    keyboard.flush().unwrap();
    let out = child.wait_with_output().unwrap();
    drop(keyboard);
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(
        !screen.contains("still stopping"),
        "one Ctrl-C counted twice: {screen}"
    );
    let status = repo.status_json();
    assert_eq!(status["state"], "paused", "{screen}");
    assert_eq!(status["pause_reason"], "signal");
    assert_status_truthful(&repo);
    repo.align_expect(&["continue"], 0);
    assert_eq!(repo.branches(), expected);
}
