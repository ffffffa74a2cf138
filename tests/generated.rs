//! Generated and real histories: git align must give what a `git rebase --update-refs`
//! loop gives, branch by branch.

use crate::common::oracle::{rebase_loop, verdicts, verdicts_text, Verdict};
use crate::common::synth::Synth;
use crate::common::{data_file, ConflictSeen, TestRepo};

#[test]
fn synthetic_topics_and_stacks_match_git_rebase() {
    let repo = TestRepo::generated(&Synth {
        topics: 40,
        commits: 3,
        files: 200,
        stacks: 2,
        depth: 4,
        upstream: 4,
        ..Synth::default()
    });
    let oracle = rebase_loop(&repo, "main");
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
fn renamed_files_in_the_base_match_git_rebase() {
    let repo = TestRepo::generated(&Synth {
        topics: 30,
        commits: 3,
        files: 300,
        shared_percent: 90,
        stacks: 1,
        depth: 3,
        renames: 40,
        ..Synth::default()
    });
    let oracle = rebase_loop(&repo, "main");
    repo.align_expect(&["--onto", "main"], 0);
    assert_eq!(
        repo.branches(),
        oracle.branches(),
        "commit ids differ from git rebase's"
    );
    repo.assert_fsck();
}

/// Aligns `repo` onto main, skipping every conflict; returns the branches paused on, in
/// order.
fn align_skipping_conflicts(repo: &TestRepo) -> Vec<String> {
    align_skipping_conflicts_seen(repo, &mut |_| {})
}

/// As [`align_skipping_conflicts`], calling `seen` with the branch at each conflict.
fn align_skipping_conflicts_seen(repo: &TestRepo, seen: &mut dyn FnMut(&str)) -> Vec<String> {
    let mut paused_on = Vec::new();
    let mut code = repo.align(&["--onto", "main"]).status.code();
    while code == Some(3) {
        let status = repo.status_json();
        assert_eq!(status["pause_reason"], "conflict");
        let branch = status["current"].as_str().unwrap().to_string();
        seen(&branch);
        paused_on.push(branch);
        code = repo.align(&["skip"]).status.code();
    }
    assert_eq!(code, Some(0));
    paused_on
}

/// Where `git rebase main <branch>` stops on a copy of `repo`: the commit it stops on,
/// and the conflict it leaves (unmerged entries, conflicted files).
fn rebase_stop(repo: &TestRepo, branch: &str) -> (String, ConflictSeen) {
    let copy = repo.copy();
    assert!(!copy.git_ok(&["rebase", "-q", "main", branch]));
    (
        copy.rev("REBASE_HEAD"),
        ConflictSeen::in_dir(&copy, &copy.path),
    )
}

#[test]
fn conflicting_topics_are_the_ones_git_rebase_stops_on() {
    let repo = TestRepo::generated(&Synth {
        topics: 20,
        commits: 2,
        files: 100,
        conflicts: 4,
        ..Synth::default()
    });
    let oracle = rebase_loop(&repo, "main");
    let expected = verdicts(&repo, &oracle, "main");
    let conflicts: Vec<String> = expected
        .iter()
        .filter(|(_, v)| **v == Verdict::Conflict)
        .map(|(name, _)| name.clone())
        .collect();
    assert_eq!(conflicts.len(), 4);
    let before = repo.copy();
    assert_eq!(align_skipping_conflicts(&repo), conflicts);
    assert_eq!(verdicts(&before, &repo, "main"), expected);
    for (name, oid) in oracle.branches() {
        assert_eq!(repo.rev(&name), oid, "{name}");
    }
}

/// A real-history workload of `tests/data/`: git align gives git rebase's verdict and
/// tree on every branch, and both agree with the verdicts recorded beside the bundle.
fn real_history_matches_git_rebase(bundle: &str, expected: &str) {
    let repo = TestRepo::from_bundle(bundle);
    let before = repo.copy();
    let oracle = rebase_loop(&repo, "main");
    let recorded = std::fs::read_to_string(data_file(expected)).unwrap();
    let theirs = verdicts_text(&verdicts(&before, &oracle, "main"));
    assert_eq!(
        theirs, recorded,
        "git rebase no longer gives the recorded verdicts"
    );
    let prediction = repo.align_expect(&["--onto", "main", "--dry-run", "--json"], 0);
    let prediction: serde_json::Value = serde_json::from_str(&prediction).unwrap();
    let mut predicted: Vec<String> = prediction["branches"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["prediction"] == "conflict")
        .map(|b| b["name"].as_str().unwrap().to_string())
        .collect();
    let mut compared = 0;
    let paused_on = align_skipping_conflicts_seen(&repo, &mut |branch| {
        let state = repo.state_json();
        let at = state["branches"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["name"] == branch)
            .unwrap();
        let commit = at["conflict"]["commit"].as_str().unwrap();
        let (stopped_at, theirs) = rebase_stop(&before, branch);
        if stopped_at == commit {
            let worktree = repo.status_json()["worktree"].as_str().unwrap().to_string();
            let ours = ConflictSeen::in_dir(&repo, std::path::Path::new(&worktree));
            assert_eq!(
                ours, theirs,
                "the conflict of {branch} differs from git rebase's"
            );
            compared += 1;
        }
    });
    // Every branch stops where a lone `git rebase main <branch>` stops (no conflict
    // here is in a branch stacked on one that moved).
    assert!(
        compared == paused_on.len(),
        "only {compared} of {} conflicts compared",
        paused_on.len()
    );
    // The dry run predicted exactly the branches the run stopped on.
    let mut stopped = paused_on.clone();
    stopped.sort();
    predicted.sort();
    assert_eq!(predicted, stopped, "the prediction differs from the run");
    let ours = verdicts_text(&verdicts(&before, &repo, "main"));
    assert_eq!(ours, recorded, "git align differs from git rebase");
    repo.assert_fsck();
}

#[test]
fn ripgrep_real_topics_match_git_rebase() {
    real_history_matches_git_rebase("ripgrep-topics.bundle", "ripgrep-topics.expected");
}

/// jinja's history across the rename of `src/jinja2/` to `src/jinja/` (and back): topics
/// that conflict, conflicts inside renamed files, clean merges only rename detection finds.
#[test]
fn jinja_real_topics_across_a_directory_rename_match_git_rebase() {
    real_history_matches_git_rebase("jinja-topics.bundle", "jinja-topics.expected");
}
