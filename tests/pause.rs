//! Pausing a running alignment: signals, `git align pause`, one process at a time.

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use std::collections::BTreeMap;

use crate::common::{wait_for_exit, TestRepo};

/// A repository to pause in, and what an uninterrupted run makes of it.
fn setup() -> (TestRepo, BTreeMap<String, String>) {
    let template = TestRepo::small_generated(&["--stacks", "1"]);
    let clean = template.copy();
    clean.align_expect(&["--onto", "main"], 0);
    (template, clean.branches())
}

/// Starts git-align slowed down at each crash point, and waits until it holds the lock.
fn start_slow(repo: &TestRepo, args: &[&str]) -> Child {
    let child = repo
        .align_cmd(args)
        .env("GIT_ALIGN_TEST_DELAY_MS", "40")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !repo.path.join(".git/align.lock").exists() {
        assert!(Instant::now() < deadline, "the run never took the lock");
        std::thread::sleep(Duration::from_millis(10));
    }
    child
}

#[test]
fn sigint_pauses_at_a_safe_point_and_continue_finishes() {
    let (repo, expected) = setup();
    let child = start_slow(&repo, &["--onto", "main"]);
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    wait_for_exit(child, 3);
    let status = repo.status_json();
    assert_eq!(status["state"], "paused");
    assert_eq!(status["pause_reason"], "signal");
    crate::common::assert_status_truthful(&repo);
    repo.align_expect(&["continue"], 0);
    assert_eq!(repo.branches(), expected);
}

#[test]
fn pause_from_another_process_then_resume() {
    let (repo, expected) = setup();
    let child = start_slow(&repo, &["--onto", "main"]);
    let said = repo.align_expect(&["pause"], 0);
    assert!(said.contains("asked git-align"), "{said}");
    wait_for_exit(child, 3);
    assert_eq!(repo.status_json()["pause_reason"], "request");
    repo.align_expect(&["resume"], 0);
    assert_eq!(repo.branches(), expected);
}

#[test]
fn a_second_process_is_refused_while_one_runs() {
    let (repo, expected) = setup();
    repo.align_expect(
        &["--onto", "main", "--pause-after", "finish", "topic/0000"],
        3,
    );
    repo.align_expect(&["cancel"], 0);
    let child = start_slow(&repo, &["--onto", "main"]);
    let second = repo.align_expect(&["continue"], 1);
    assert!(second.contains("another git-align is running"), "{second}");
    wait_for_exit(child, 0);
    assert_eq!(repo.branches(), expected);
}
