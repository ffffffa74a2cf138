//! SIGKILL at every crash point of a run: status stays truthful, continue finishes with
//! the same commits as an uninterrupted run, cancel restores every ref.

use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;

use crate::common::synth::Synth;
use crate::common::{assert_status_truthful, small_synth, TestRepo};

fn template() -> TestRepo {
    TestRepo::generated(&Synth {
        stacks: 2,
        upstream: 2,
        ..small_synth()
    })
}

/// Runs `args` killed at crash point 1, 2, ... until a run gets through; checks every
/// crashed repository. Returns how many crash points were exercised.
pub(crate) fn kill_at_every_point(template: &TestRepo, args: &[&str], finish: &[&str]) -> usize {
    let clean = template.copy();
    let clean_out = clean.align(args);
    assert!(matches!(clean_out.status.code(), Some(0) | Some(3)));
    let mut code = clean_out.status.code();
    while code == Some(3) {
        code = clean.align(finish).status.code();
    }
    assert_eq!(code, Some(0));
    let expected = clean.branches();
    let before = template.user_refs();
    kill_each_point_of(template, args, |repo, point| {
        check_after_crash(repo, point, &before, &expected, finish)
    })
}

fn check_after_crash(
    repo: &TestRepo,
    point: usize,
    before: &std::collections::BTreeMap<String, String>,
    expected: &std::collections::BTreeMap<String, String>,
    finish: &[&str],
) {
    let state = repo.status_json()["state"].as_str().unwrap().to_string();
    if state == "none" {
        assert_eq!(
            repo.user_refs(),
            *before,
            "crash point {point}: no run recorded, nothing may move"
        );
        return;
    }
    assert_status_truthful(repo);
    let cancelled = repo.copy();
    if state == "finished" {
        assert_eq!(repo.branches(), *expected, "crash point {point}");
        cancelled.align_expect(&["undo"], 0);
    } else {
        // A run killed once paused on a conflict goes on as that pause says.
        let paused_on_conflict = repo.status_json()["pause_reason"] == "conflict";
        let first: &[&str] = if paused_on_conflict {
            finish
        } else {
            &["continue"]
        };
        let out = repo.align(first);
        let mut code = out.status.code();
        while code == Some(3) {
            code = repo.align(finish).status.code();
        }
        assert_eq!(
            code,
            Some(0),
            "crash point {point}: continue failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            repo.branches(),
            *expected,
            "crash point {point}: continue gives other commits"
        );
        cancelled.align_expect(&["cancel"], 0);
    }
    for copy in [repo, &cancelled] {
        let left = copy.leftover_worktrees();
        assert!(
            left.is_empty(),
            "crash point {point}: worktrees left: {left:?}"
        );
    }
    assert_eq!(
        cancelled.user_refs(),
        *before,
        "crash point {point}: cancel is not exact"
    );
    repo.assert_fsck();
}

#[test]
fn sigkill_at_every_crash_point_of_a_plain_run() {
    let points = kill_at_every_point(&template(), &["--onto", "main"], &["continue"]);
    assert!(points >= 30, "only {points} crash points exercised");
}

/// A run that queues its conflicts (the clean branches go on), each then skipped.
#[test]
fn sigkill_at_every_crash_point_of_a_run_that_queues_conflicts() {
    let template = TestRepo::generated(&Synth {
        conflicts: 3,
        stacks: 1,
        ..small_synth()
    });
    let points = kill_at_every_point(&template, &["--onto", "main"], &["skip"]);
    assert!(points >= 30, "only {points} crash points exercised");
}

#[test]
fn sigkill_with_the_aligned_branch_checked_out() {
    let template = template();
    template.git(&["checkout", "-q", "stack/1/2"]);
    let points = kill_at_every_point(&template, &["--onto", "main", "stack/1/*"], &["continue"]);
    assert!(points >= 5, "only {points} crash points exercised");
}

#[test]
fn sigkill_at_every_crash_point_of_a_run_with_exec_checks_and_stacks() {
    let args = [
        "--onto",
        "main",
        "--exec",
        "git diff --quiet HEAD && test -n \"$GIT_ALIGN_BRANCH\"",
        "stack/0/*",
        "stack/1/0",
        "topic/0000",
    ];
    let points = kill_at_every_point(&template(), &args, &["continue"]);
    assert!(points >= 30, "only {points} crash points exercised");
}

/// Runs `args` in a copy of `template` killed at crash point 1, 2, ... until a run gets
/// through, handing each killed copy to `check`. Returns how many points were exercised.
fn kill_each_point_of(
    template: &TestRepo,
    args: &[&str],
    check: impl Fn(&TestRepo, usize),
) -> usize {
    let mut point = 1;
    loop {
        let repo = template.copy();
        let out = repo
            .align_cmd(args)
            .env("GIT_ALIGN_CRASH_AT", point.to_string())
            .output()
            .unwrap();
        if out.status.signal().is_none() {
            assert!(
                matches!(out.status.code(), Some(0) | Some(3)),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            return point - 1;
        }
        assert_eq!(out.status.signal(), Some(9), "crash point {point}");
        check(&repo, point);
        point += 1;
    }
}

/// HEAD is back on `branch`, with its files and a clean index, and nothing of the
/// conflict is left in the work tree.
fn assert_head_restored(repo: &TestRepo, branch: &str, point: usize) {
    assert_eq!(
        repo.git(&["symbolic-ref", "--short", "HEAD"]),
        branch,
        "crash point {point}"
    );
    assert_eq!(
        repo.git(&["status", "--porcelain", "--untracked-files=all"]),
        "",
        "crash point {point}"
    );
    assert!(
        !repo.path.join(".git/ALIGN_HEAD").exists(),
        "crash point {point}"
    );
    assert!(
        !repo.path.join(".git/CHERRY_PICK_HEAD").exists(),
        "crash point {point}"
    );
}

/// Resolves the conflict of the `conflict` test repository in the work tree, continues
/// to the end, and checks the result.
fn resolve_in_work_tree_and_finish(repo: &TestRepo, point: usize) {
    let resolution =
        crate::conflict::with_line(2, "two, resolved").replace("4\n", "four from main\n");
    while repo.status_json()["state"] != "finished" {
        if repo.git_ok(&["rev-parse", "-q", "--verify", "CHERRY_PICK_HEAD"]) {
            repo.write("f.txt", &resolution);
            repo.git(&["add", "f.txt"]);
        }
        let out = repo.align(&["continue"]);
        assert!(
            matches!(out.status.code(), Some(0) | Some(3)),
            "crash point {point}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(
        repo.git(&["show", "topic:f.txt"]),
        resolution.trim_end(),
        "crash point {point}"
    );
    assert_eq!(
        repo.git(&["log", "--format=%s", "main..topic"]),
        "topic: add c\ntopic: change 2\ntopic: add a",
        "crash point {point}"
    );
    assert_head_restored(repo, "topic", point);
    assert_eq!(repo.tree("HEAD"), repo.tree("topic"), "crash point {point}");
    repo.assert_fsck();
}

#[test]
fn sigkill_while_a_conflict_is_set_up_in_the_work_tree_and_resolved() {
    let template = crate::conflict::repo();
    template.checkout("topic");
    template.git(&["config", "align.conflictWorktree", "main"]);
    let before = template.user_refs();
    let cancel_restores = |repo: &TestRepo, point: usize| {
        let cancelled = repo.copy();
        match cancelled.status_json()["state"].as_str().unwrap() {
            "none" => {}
            "finished" => drop(cancelled.align_expect(&["undo"], 0)),
            _ => drop(cancelled.align_expect(&["cancel"], 0)),
        }
        assert_eq!(cancelled.user_refs(), before, "crash point {point}");
        assert_head_restored(&cancelled, "topic", point);
    };

    // Killed while the conflict is set up.
    let args = ["--onto", "main", "topic"];
    let points = kill_each_point_of(&template, &args, |repo, point| {
        assert_status_truthful(repo);
        cancel_restores(repo, point);
        if repo.status_json()["state"] == "none" {
            repo.align_expect(&args, 3);
        }
        resolve_in_work_tree_and_finish(repo, point);
    });
    assert!(points >= 8, "only {points} crash points exercised");

    // Killed while the resolution is taken up and HEAD put back.
    let paused = template.copy();
    paused.align_expect(&args, 3);
    let resolution =
        crate::conflict::with_line(2, "two, resolved").replace("4\n", "four from main\n");
    paused.write("f.txt", &resolution);
    paused.git(&["add", "f.txt"]);
    let points = kill_each_point_of(&paused, &["continue"], |repo, point| {
        assert_status_truthful(repo);
        cancel_restores(repo, point);
        resolve_in_work_tree_and_finish(repo, point);
    });
    assert!(points >= 12, "only {points} crash points exercised");
}

/// Whether the user's change is in the work tree or, failing that, in the stash list.
fn change_is_kept(repo: &TestRepo, file: &str, content: &str) -> bool {
    std::fs::read_to_string(repo.path.join(file)).unwrap_or_default() == content
        || repo.git(&["stash", "list"]).contains("git-align autostash")
}

#[test]
fn sigkill_during_a_run_with_an_autostash_never_loses_the_changes() {
    let template = template();
    template.git(&["checkout", "-q", "stack/1/2"]);
    let file = template
        .git(&["ls-files"])
        .lines()
        .next()
        .unwrap()
        .to_string();
    let content = "the user's uncommitted change\n";
    template.write(&file, content);
    let args = ["--onto", "main", "--autostash", "stack/1/*"];
    let points = kill_each_point_of(&template, &args, |repo, point| {
        assert_status_truthful(repo);
        assert!(change_is_kept(repo, &file, content), "crash point {point}");
        let cancelled = repo.copy();
        let state = repo.status_json()["state"].as_str().unwrap().to_string();
        if state != "none" && state != "finished" {
            cancelled.align_expect(&["cancel"], 0);
            assert!(
                change_is_kept(&cancelled, &file, content),
                "crash point {point}"
            );
            let out = repo.align(&["continue"]);
            assert_eq!(out.status.code(), Some(0), "crash point {point}");
            assert!(change_is_kept(repo, &file, content), "crash point {point}");
        }
    });
    assert!(points >= 5, "only {points} crash points exercised");
}

/// Kills `verb` (cancel or undo) of `template`'s run at every crash point: status tells
/// the truth (no branch said aligned at its original), the same command again restores
/// every branch exactly, leaving no lock file behind.
fn kill_every_point_of_a_restore(
    template: &TestRepo,
    verb: &str,
    before: &BTreeMap<String, String>,
) {
    let points = kill_each_point_of(template, &[verb], |repo, point| {
        assert_status_truthful(repo);
        if repo.status_json()["state"] != "cancelled" {
            let out = repo.align(&[verb]);
            assert_eq!(
                out.status.code(),
                Some(0),
                "crash point {point}: {verb} again: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert_eq!(
            repo.user_refs(),
            *before,
            "crash point {point}: {verb} is not exact"
        );
        assert_eq!(
            repo.status_json()["state"],
            "cancelled",
            "crash point {point}"
        );
        assert_status_truthful(repo);
        repo.assert_fsck();
    });
    assert!(points >= 3, "only {points} crash points exercised");
}

#[test]
fn sigkill_at_every_crash_point_of_cancel_and_undo() {
    let template = template();
    template.git(&["checkout", "-q", "stack/1/2"]);
    let before = template.user_refs();
    let paused = template.copy();
    paused.align_expect(&["--onto", "main", "--pause-after", "finish"], 3);
    kill_every_point_of_a_restore(&paused, "cancel", &before);
    let finished = template.copy();
    finished.align_expect(&["--onto", "main"], 0);
    kill_every_point_of_a_restore(&finished, "undo", &before);
}
