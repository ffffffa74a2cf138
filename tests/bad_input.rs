//! Bad input: a one-line error, the right exit code, and nothing changed.

use crate::common::TestRepo;
use crate::core::fixture;

/// Runs git-align, expects `code`, an `error:` line, and no ref changed.
#[track_caller]
fn refused(repo: &TestRepo, args: &[&str], code: i32, says: &str) {
    let before = repo.refs();
    let out = repo.align(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(code),
        "git align {args:?}: {stderr}"
    );
    assert!(
        stderr.contains(says),
        "git align {args:?} should say {says:?}: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let errors = stderr.lines().filter(|l| l.starts_with("error")).count();
    assert!(errors <= 1, "one error line: {stderr}");
    assert_eq!(repo.refs(), before, "git align {args:?} changed refs");
}

#[test]
fn unknown_branch_base_and_flag() {
    let repo = fixture();
    refused(
        &repo,
        &["--onto", "main", "no-such-branch"],
        1,
        "no local branch matches 'no-such-branch'",
    );
    refused(
        &repo,
        &["--onto", "nowhere"],
        1,
        "'nowhere' is not a known revision",
    );
    refused(&repo, &["--no-such-flag"], 2, "unexpected argument");
    refused(&repo, &["--pause-after", "lunch"], 2, "not a step");
    refused(&repo, &["--onto", "main", "main"], 2, "is the base");
    refused(
        &repo,
        &["--onto", "main", "--conflict-worktree", "here"],
        2,
        "invalid value 'here'",
    );
}

#[test]
fn bad_config_values() {
    let repo = fixture();
    for (key, value, says) in [
        ("align.strategy", "squash", "align.strategy is 'squash'"),
        (
            "align.pauseAfter",
            "lunch",
            "align.pauseAfter holds 'lunch'",
        ),
        (
            "align.conflictWorktree",
            "here",
            "align.conflictWorktree is 'here'; use linked or main",
        ),
    ] {
        repo.git(&["config", key, value]);
        refused(&repo, &["--onto", "main"], 2, says);
        repo.git(&["config", "--unset", key]);
    }
}

#[test]
fn commands_that_need_a_run_say_there_is_none() {
    let repo = fixture();
    for verb in ["continue", "skip", "cancel", "undo"] {
        refused(&repo, &[verb], 1, "no alignment run in progress");
    }
    refused(&repo, &["pause"], 1, "no git-align process is running");
}

#[test]
fn second_start_while_a_run_is_paused() {
    let repo = fixture();
    repo.align_expect(&["--onto", "main", "--pause-after", "finish"], 3);
    let state = repo.rev("refs/align/state");
    refused(&repo, &["--onto", "main"], 1, "is paused");
    assert_eq!(repo.rev("refs/align/state"), state);
    refused(&repo, &["undo"], 1, "only a finished run can be undone");
}

#[test]
fn dirty_work_tree_on_a_branch_to_align() {
    let repo = fixture();
    repo.checkout("feat-b");
    repo.write("b.txt", "changed\n");
    refused(&repo, &["--onto", "main"], 1, "uncommitted changes");
    assert!(!repo.git_ok(&["rev-parse", "-q", "--verify", "refs/align/state"]));
    assert_eq!(
        std::fs::read_to_string(repo.path.join("b.txt")).unwrap(),
        "changed\n"
    );
}

/// Replaces the current checkpoint's state.json with `content`.
fn forge_state(repo: &TestRepo, content: &str) {
    repo.write("../forged.json", content);
    let blob = repo.git(&["hash-object", "-w", "../forged.json"]);
    let tree = repo.git_stdin(&["mktree"], &format!("100644 blob {blob}\tstate.json\n"));
    let parent = repo.rev("refs/align/state");
    let commit = repo.git(&["commit-tree", &tree, "-p", &parent, "-m", "forged"]);
    repo.git(&["update-ref", "refs/align/state", &commit]);
}

#[test]
fn corrupted_state_json() {
    let repo = fixture();
    repo.align_expect(&["--onto", "main", "--pause-after", "finish"], 3);
    forge_state(&repo, "{ this is not json");
    for args in [
        &["status"][..],
        &["continue"],
        &["cancel"],
        &["--onto", "main"],
        &["log"],
    ] {
        refused(
            &repo,
            args,
            1,
            "the run state in refs/align/state is unreadable",
        );
    }
}

#[test]
fn state_from_a_newer_schema() {
    let repo = fixture();
    repo.align_expect(&["--onto", "main", "--pause-after", "finish"], 3);
    forge_state(&repo, r#"{"schema_version": 2, "anything": "new"}"#);
    refused(&repo, &["status"], 1, "schema_version 2");
    refused(&repo, &["continue"], 1, "schema_version 2");
}

#[test]
fn state_with_a_dangerous_branch_name() {
    let repo = fixture();
    repo.align_expect(&["--onto", "main", "--pause-after", "finish", "feat-b"], 3);
    let state = repo
        .state_json()
        .to_string()
        .replace("\"feat-b\"", "\"../../HEAD\"");
    forge_state(&repo, &state);
    refused(&repo, &["continue"], 1, "bad branch name");
}

#[test]
fn state_naming_missing_objects() {
    let repo = fixture();
    repo.align_expect(&["--onto", "main", "--pause-after", "finish", "feat-b"], 3);
    let onto = repo.rev("main");
    let state = repo
        .state_json()
        .to_string()
        .replace(&onto, "1234567890123456789012345678901234567890");
    forge_state(&repo, &state);
    refused(&repo, &["continue"], 1, "is missing");
}

#[test]
fn a_ref_moved_behind_the_runs_back_fails_that_branch_only() {
    let repo = fixture();
    repo.align_expect(
        &[
            "--onto",
            "main",
            "--pause-after",
            "rebase",
            "feat-b",
            "feat-a",
        ],
        3,
    );
    // Paused after replaying feat-a in memory; someone moves it.
    let status = repo.status_json();
    assert_eq!(status["current"], "feat-a");
    repo.branch("feat-a", "main~1");
    let moved = repo.rev("feat-a");
    let out = repo.align_expect(&["continue"], 3);
    assert!(out.contains("moved outside git-align"), "{out}");
    assert_eq!(repo.rev("feat-a"), moved, "the moved branch is left alone");
}
