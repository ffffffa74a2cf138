//! Pausing a running alignment: signals, `git align pause`, one process at a time.

use std::process::{Child, Stdio};

use std::collections::BTreeMap;

use crate::common::synth::Synth;
use crate::common::{small_synth, wait_for_exit, TestRepo};

/// A repository to pause in, and what an uninterrupted run makes of it.
fn setup() -> (TestRepo, BTreeMap<String, String>) {
    let template = TestRepo::generated(&Synth {
        stacks: 1,
        ..small_synth()
    });
    let clean = template.copy();
    clean.align_expect(&["--onto", "main"], 0);
    (template, clean.branches())
}

/// Starts git-align slowed down by 40 ms at each crash point, once it holds the lock.
fn start_slow(repo: &TestRepo, args: &[&str]) -> Child {
    crate::common::start_slow(repo, args, 40)
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

/// A run paused by a pause request part-way through.
fn paused_part_way(repo: &TestRepo) {
    let child = start_slow(repo, &["--onto", "main"]);
    repo.align_expect(&["pause"], 0);
    wait_for_exit(child, 3);
}

#[test]
fn two_concurrent_continues_one_proceeds_the_other_is_refused() {
    let (repo, expected) = setup();
    paused_part_way(&repo);
    let spawn = || {
        repo.align_cmd(&["continue"])
            .env("GIT_ALIGN_TEST_DELAY_MS", "20")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (first, second) = (spawn(), spawn());
    let outputs = [
        first.wait_with_output().unwrap(),
        second.wait_with_output().unwrap(),
    ];
    let mut codes: Vec<i32> = outputs.iter().map(|o| o.status.code().unwrap()).collect();
    codes.sort();
    assert_eq!(codes, [0, 1], "one proceeds, one is refused");
    let refused = outputs.iter().find(|o| o.status.code() == Some(1)).unwrap();
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains("another git-align is running")
            || message.contains("advanced by another git-align process"),
        "{message}"
    );
    assert_eq!(repo.status_json()["state"], "finished");
    assert_eq!(repo.branches(), expected);
    repo.assert_fsck();
}

#[test]
fn a_stale_lock_from_a_killed_process_is_taken_over() {
    let (repo, expected) = setup();
    paused_part_way(&repo);
    let mut dead = std::process::Command::new("true").spawn().unwrap();
    let pid = dead.id();
    dead.wait().unwrap();
    crate::common::write_lock_record(&repo, pid);
    let said = repo.align_expect(&["continue"], 0);
    assert!(
        said.contains(&format!("removing a stale lock left by process {pid}")),
        "{said}"
    );
    assert_eq!(repo.branches(), expected);
    assert!(!repo.path.join(".git/align.lock").exists());
}
