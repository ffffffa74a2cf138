//! Conflicts: a worktree to resolve in, continue with the resolution, skip, cancel,
//! remembered resolutions; the user's own work tree and index are never touched.

use crate::common::TestRepo;

const FILE: &str = "1\n2\n3\n4\n5\n";

pub(crate) fn with_line(n: usize, text: &str) -> String {
    crate::common::replace_line(FILE, n, text)
}

/// main changes line 2 after `topic` forked; topic has three commits, the middle one
/// changes line 2 too. `other` also changes line 4, which main changes as well.
pub(crate) fn repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit(&[("f.txt", FILE)], "base");
    repo.git(&["checkout", "-q", "-b", "topic"]);
    repo.commit(&[("a.txt", "a\n")], "topic: add a");
    repo.commit(
        &[("f.txt", &with_line(2, "two from topic"))],
        "topic: change 2",
    );
    repo.commit(&[("c.txt", "c\n")], "topic: add c");
    repo.git(&["checkout", "-q", "-b", "other", "main"]);
    repo.commit(
        &[("f.txt", &with_line(4, "four from other"))],
        "other: change 4",
    );
    repo.checkout("main");
    let mut main = with_line(2, "two from main");
    main = main.replace("4\n", "four from main\n");
    repo.commit(&[("f.txt", &main)], "main: change 2 and 4");
    repo
}

/// What must not change in the user's own work tree: HEAD, index, file contents.
fn own_work_tree(repo: &TestRepo) -> (String, Vec<u8>, String) {
    (
        repo.git(&["rev-parse", "HEAD"]),
        std::fs::read(repo.path.join(".git/index")).unwrap(),
        repo.git(&["status", "--porcelain", "--untracked-files=all"]),
    )
}

fn worktree(repo: &TestRepo) -> std::path::PathBuf {
    std::path::PathBuf::from(repo.status_json()["worktree"].as_str().unwrap())
}

pub(crate) fn resolve(repo: &TestRepo, file: &str, content: &str) {
    let wt = worktree(repo);
    std::fs::write(wt.join(file), content).unwrap();
    repo.git(&["-C", wt.to_str().unwrap(), "add", file]);
}

#[test]
fn conflict_mid_branch_is_resolved_in_its_worktree_and_the_rest_replayed() {
    let repo = repo();
    repo.write("scratch.txt", "the user's own untracked file\n");
    let before = own_work_tree(&repo);
    let said = repo.align_expect(&["--onto", "main", "topic"], 3);
    assert!(
        said.contains("conflict replaying") && said.contains("f.txt"),
        "{said}"
    );
    let status = repo.status_json();
    assert_eq!(status["pause_reason"], "conflict");
    assert_eq!(status["current"], "topic");
    assert_eq!(status["branches"][0]["status"], "conflict");
    let wt = worktree(&repo);
    assert!(wt.starts_with(repo.path.join(".git")), "{}", wt.display());

    // The worktree is in the state git leaves a conflicted cherry-pick in.
    let wt_git = |args: &[&str]| {
        let mut all = vec!["-C", wt.to_str().unwrap()];
        all.extend_from_slice(args);
        repo.git(&all)
    };
    assert_eq!(
        wt_git(&["ls-files", "--unmerged"]).lines().count(),
        3,
        "stages 1, 2, 3"
    );
    assert!(wt_git(&["status", "--porcelain"]).contains("UU f.txt"));
    assert_eq!(wt_git(&["log", "-1", "--format=%s"]), "topic: add a");
    let marked = std::fs::read_to_string(wt.join("f.txt")).unwrap();
    assert!(
        marked.contains("<<<<<<< ") && marked.contains(">>>>>>> "),
        "{marked}"
    );

    let resolution = with_line(2, "two from both").replace("4\n", "four from main\n");
    resolve(&repo, "f.txt", &resolution);
    repo.align_expect(&["continue"], 0);

    assert_eq!(repo.git(&["show", "topic:f.txt"]), resolution.trim_end());
    let subjects = repo.git(&["log", "--format=%s", "main..topic"]);
    assert_eq!(subjects, "topic: add c\ntopic: change 2\ntopic: add a");
    assert_eq!(
        repo.git(&["log", "-1", "--format=%an", "topic~1"]),
        "Ann Author"
    );
    assert!(!wt.exists(), "the worktree is removed");
    assert!(repo.leftover_worktrees().is_empty());
    assert_eq!(
        own_work_tree(&repo),
        before,
        "the user's work tree was touched"
    );
    repo.assert_fsck();
}

#[test]
fn continue_is_refused_while_unmerged_paths_or_markers_remain() {
    let repo = repo();
    repo.align_expect(&["--onto", "main", "topic"], 3);
    let refs = repo.refs();
    let refused = repo.align_expect(&["continue"], 1);
    assert!(refused.contains("unmerged: f.txt"), "{refused}");
    let wt = worktree(&repo);
    repo.git(&["-C", wt.to_str().unwrap(), "add", "f.txt"]);
    let refused = repo.align_expect(&["continue"], 1);
    assert!(refused.contains("conflict markers in: f.txt"), "{refused}");
    resolve(
        &repo,
        "f.txt",
        &with_line(2, "two").replace("4\n", "four from main\n"),
    );
    std::fs::write(wt.join("a.txt"), "an edit not added\n").unwrap();
    let refused = repo.align_expect(&["continue"], 1);
    assert!(refused.contains("changes not added in: a.txt"), "{refused}");
    assert_eq!(repo.refs(), refs, "a refused continue changes nothing");
    assert_eq!(repo.status_json()["pause_reason"], "conflict");
}

#[test]
fn two_conflicting_branches_one_resolved_one_skipped() {
    let repo = repo();
    let other_before = repo.rev("other");
    repo.align_expect(&["--onto", "main", "topic", "other"], 3);
    let first = repo.status_json()["current"].as_str().unwrap().to_string();
    assert_eq!(first, "other", "branches go in name order");
    let said = repo.align_expect(&["skip"], 3);
    assert!(said.contains("skipped  other"), "{said}");
    assert_eq!(repo.status_json()["current"], "topic");
    resolve(
        &repo,
        "f.txt",
        &with_line(2, "two").replace("4\n", "four from main\n"),
    );
    repo.align_expect(&["continue"], 0);
    assert_eq!(repo.rev("other"), other_before);
    assert!(repo.git_ok(&["merge-base", "--is-ancestor", "main", "topic"]));
    let status = repo.status_json();
    assert_eq!(status["branches"][0]["status"], "skipped");
    assert_eq!(status["branches"][1]["status"], "aligned");
    assert!(repo.leftover_worktrees().is_empty());
}

#[test]
fn conflict_in_a_stack_parent_and_then_in_its_child() {
    let repo = repo();
    repo.git(&["checkout", "-q", "-b", "child", "topic"]);
    repo.commit(
        &[("f.txt", &with_line(2, "two from child"))],
        "child: change 2 again",
    );
    repo.checkout("main");
    repo.align_expect(&["--onto", "main", "topic", "child"], 3);
    assert_eq!(repo.status_json()["current"], "topic");
    let parent_resolution = with_line(2, "two, parent resolved").replace("4\n", "four from main\n");
    resolve(&repo, "f.txt", &parent_resolution);

    let said = repo.align_expect(&["continue"], 3);
    assert!(said.contains("child"), "{said}");
    assert_eq!(repo.status_json()["current"], "child");
    let wt = worktree(&repo);
    let ours = repo.git(&["-C", wt.to_str().unwrap(), "show", ":2:f.txt"]);
    assert_eq!(
        ours,
        parent_resolution.trim_end(),
        "the child sits on the resolved parent"
    );
    let child_resolution = with_line(2, "two, child resolved").replace("4\n", "four from main\n");
    resolve(&repo, "f.txt", &child_resolution);
    repo.align_expect(&["continue"], 0);

    assert_eq!(
        repo.git(&["show", "topic:f.txt"]),
        parent_resolution.trim_end()
    );
    assert_eq!(
        repo.git(&["show", "child:f.txt"]),
        child_resolution.trim_end()
    );
    assert_eq!(repo.rev("child~1"), repo.rev("topic"));
    repo.assert_fsck();
}

#[test]
fn skipping_a_conflicted_parent_skips_its_stack() {
    let repo = repo();
    repo.git(&["checkout", "-q", "-b", "child", "topic"]);
    repo.commit(&[("d.txt", "d\n")], "child: add d");
    repo.checkout("main");
    let before = repo.branches();
    repo.align_expect(&["--onto", "main", "topic", "child"], 3);
    let said = repo.align_expect(&["skip"], 0);
    assert!(said.contains("skipped  child (stacked on topic)"), "{said}");
    assert_eq!(repo.branches(), before);
    assert!(repo.leftover_worktrees().is_empty() && !worktree_dir(&repo).exists());
}

fn worktree_dir(repo: &TestRepo) -> std::path::PathBuf {
    repo.path.join(".git/align/worktrees/topic")
}

#[test]
fn cancel_during_a_conflict_restores_everything_and_removes_the_worktree() {
    let repo = repo();
    let before = repo.user_refs();
    let own = own_work_tree(&repo);
    repo.align_expect(&["--onto", "main", "other", "topic"], 3);
    repo.align_expect(&["skip"], 3);
    assert!(worktree_dir(&repo).exists());
    repo.align_expect(&["cancel"], 0);
    assert_eq!(repo.user_refs(), before);
    assert!(!worktree_dir(&repo).exists());
    assert!(!repo.git(&["worktree", "list"]).contains("align"));
    assert_eq!(own_work_tree(&repo), own);
    repo.assert_fsck();
}

#[test]
fn a_recorded_resolution_is_reused_in_the_run_and_after_undo() {
    let repo = repo();
    // `copy` carries the same conflicting change as topic (a cherry-pick of it).
    repo.git(&["checkout", "-q", "-b", "copy", "main~1"]);
    repo.git(&["cherry-pick", "topic~1"]);
    repo.checkout("main");
    repo.align_expect(&["--onto", "main", "topic", "copy"], 3);
    assert_eq!(repo.status_json()["current"], "copy");
    let resolution = with_line(2, "two, once").replace("4\n", "four from main\n");
    resolve(&repo, "f.txt", &resolution);
    let said = repo.align_expect(&["continue"], 0);
    assert!(
        said.contains("resolved topic with a recorded resolution: f.txt"),
        "{said}"
    );
    assert_eq!(repo.git(&["show", "topic:f.txt"]), resolution.trim_end());
    let first = repo.branches();

    repo.align_expect(&["undo"], 0);
    let said = repo.align_expect(&["--onto", "main", "topic", "copy"], 0);
    assert!(
        said.contains("resolved copy with a recorded resolution"),
        "{said}"
    );
    assert_eq!(repo.git(&["show", "copy:f.txt"]), resolution.trim_end());
    assert_eq!(repo.branches(), first, "the same commits again");
}

#[test]
fn merge_strategy_conflict_pauses_the_same_way() {
    let repo = repo();
    repo.align_expect(&["--onto", "main", "--strategy", "merge", "topic"], 3);
    let wt = worktree(&repo);
    assert!(repo
        .git(&["-C", wt.to_str().unwrap(), "status", "--porcelain"])
        .contains("UU f.txt"));
    resolve(
        &repo,
        "f.txt",
        &with_line(2, "two merged").replace("4\n", "four from main\n"),
    );
    repo.align_expect(&["continue"], 0);
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s", "topic"]),
        "Merge branch 'main' into topic"
    );
    assert_eq!(repo.rev("topic^2"), repo.rev("main"));
    assert_eq!(
        repo.git(&["show", "topic:f.txt"]),
        with_line(2, "two merged")
            .replace("4\n", "four from main\n")
            .trim_end()
    );
}

/// The branch HEAD is on, or None when it is detached.
fn head_branch(repo: &TestRepo) -> Option<String> {
    let out = repo
        .command("git")
        .args(["symbolic-ref", "-q", "--short", "HEAD"])
        .output()
        .unwrap();
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// HEAD, the index's entries and the work tree's status (a work tree lent to a
/// conflict gets an index file of the same entries back, not the same bytes).
fn index_and_files(repo: &TestRepo) -> (String, String, String) {
    (
        repo.git(&["rev-parse", "HEAD"]),
        repo.git(&["ls-files", "--stage"]),
        repo.git(&["status", "--porcelain", "--untracked-files=all"]),
    )
}

fn same_dir(one: &std::path::Path, two: &std::path::Path) -> bool {
    one.canonicalize().unwrap() == two.canonicalize().unwrap()
}

#[test]
fn conflict_in_the_main_work_tree_when_asked_for_then_head_is_put_back() {
    let repo = repo();
    repo.checkout("topic");
    repo.git(&["config", "align.conflictWorktree", "main"]);
    let original = repo.rev("topic");
    let said = repo.align_expect(&["--onto", "main", "topic"], 3);
    assert!(said.contains("conflict replaying"), "{said}");
    assert!(same_dir(&worktree(&repo), &repo.path));
    assert!(!worktree_dir(&repo).exists(), "no linked worktree");

    // As `git rebase` leaves it: HEAD detached at the partial result, a cherry-pick in
    // progress, the index in conflict.
    assert_eq!(head_branch(&repo), None);
    assert_eq!(repo.rev("HEAD~1"), repo.rev("main"));
    assert_eq!(repo.git(&["log", "-1", "--format=%s"]), "topic: add a");
    assert_eq!(repo.rev("CHERRY_PICK_HEAD"), repo.rev("topic~1"));
    assert_eq!(repo.git(&["ls-files", "--unmerged"]).lines().count(), 3);
    assert!(repo.git(&["status", "--porcelain"]).contains("UU f.txt"));
    let status = repo.align_expect(&["status"], 0);
    assert!(
        status.contains("this work tree is lent to the conflict: HEAD goes back to topic"),
        "{status}"
    );

    let refs = repo.refs();
    let refused = repo.align_expect(&["continue"], 1);
    assert!(refused.contains("unmerged: f.txt"), "{refused}");
    assert_eq!(repo.refs(), refs, "a refused continue changes nothing");
    assert_eq!(head_branch(&repo), None);

    let resolution = with_line(2, "two from both").replace("4\n", "four from main\n");
    repo.write("f.txt", &resolution);
    repo.git(&["add", "f.txt"]);
    repo.align_expect(&["continue"], 0);

    assert_ne!(repo.rev("topic"), original);
    assert_eq!(repo.git(&["show", "topic:f.txt"]), resolution.trim_end());
    assert_eq!(
        repo.git(&["log", "--format=%s", "main..topic"]),
        "topic: add c\ntopic: change 2\ntopic: add a"
    );
    // HEAD is on the branch again, which moved with its work tree.
    assert_eq!(head_branch(&repo).as_deref(), Some("topic"));
    assert_eq!(
        repo.git(&["status", "--porcelain", "--untracked-files=all"]),
        ""
    );
    assert_eq!(repo.tree("HEAD"), repo.tree("topic"));
    assert!(!repo.git_ok(&["rev-parse", "-q", "--verify", "CHERRY_PICK_HEAD"]));
    assert!(!repo.path.join(".git/ALIGN_HEAD").exists());
    let reflog = repo.git(&["reflog", "--format=%gs", "HEAD"]);
    assert!(reflog.contains("align: conflict in topic"), "{reflog}");
    assert!(reflog.contains("align: topic resolved"), "{reflog}");
    assert!(repo.leftover_worktrees().is_empty());
    repo.assert_fsck();
}

#[test]
fn a_main_work_tree_with_changes_is_left_alone_and_a_linked_worktree_used() {
    let repo = repo();
    repo.write("f.txt", "the user's unfinished edit\n");
    let before = own_work_tree(&repo);
    let said = repo.align_expect(&["--onto", "main", "--conflict-worktree=main", "topic"], 3);
    assert!(
        said.contains("the work tree cannot take the conflict (f.txt has uncommitted changes)"),
        "{said}"
    );
    assert!(worktree(&repo).starts_with(repo.path.join(".git/align")));
    assert_eq!(own_work_tree(&repo), before);
    resolve(
        &repo,
        "f.txt",
        &with_line(2, "two").replace("4\n", "four from main\n"),
    );
    repo.align_expect(&["continue"], 0);
    assert_eq!(own_work_tree(&repo), before, "the user's edit was touched");
    assert_eq!(head_branch(&repo).as_deref(), Some("main"));
}

#[test]
fn skip_and_cancel_during_a_main_work_tree_conflict_put_head_back() {
    let repo = repo();
    repo.git(&["config", "align.conflictWorktree", "main"]);
    repo.write("scratch.txt", "the user's own untracked file\n");
    let before = repo.user_refs();
    let own = index_and_files(&repo);
    repo.align_expect(&["--onto", "main", "other", "topic"], 3);
    assert_eq!(repo.status_json()["current"], "other");
    assert_eq!(head_branch(&repo), None);
    assert!(repo.git(&["status", "--porcelain"]).contains("UU f.txt"));

    // skip puts HEAD back, then the next conflict is set up in the work tree again.
    let said = repo.align_expect(&["skip"], 3);
    assert!(said.contains("skipped  other"), "{said}");
    assert_eq!(repo.status_json()["current"], "topic");
    assert_eq!(head_branch(&repo), None);
    assert_eq!(repo.git(&["log", "-1", "--format=%s"]), "topic: add a");
    assert_eq!(repo.rev("other"), before["refs/heads/other"]);

    repo.write("f.txt", "half a resolution\n");
    repo.align_expect(&["cancel"], 0);
    assert_eq!(repo.user_refs(), before);
    assert_eq!(head_branch(&repo).as_deref(), Some("main"));
    assert_eq!(index_and_files(&repo), own);
    assert!(!repo.path.join(".git/ALIGN_HEAD").exists());
    assert!(!repo.path.join(".git/CHERRY_PICK_HEAD").exists());
    repo.assert_fsck();
}

#[test]
fn an_untracked_or_ignored_file_in_the_way_keeps_the_conflict_out_of_the_main_work_tree() {
    let repo = repo();
    // The partial result of topic adds a.txt, which the user has as an untracked file.
    repo.write("a.txt", "the user's own a.txt\n");
    let before = own_work_tree(&repo);
    let said = repo.align_expect(
        &["--onto", "main", "--conflict-worktree", "main", "topic"],
        3,
    );
    assert!(
        said.contains("(untracked files would be overwritten); it is in a linked worktree"),
        "{said}"
    );
    assert!(worktree_dir(&repo).exists());
    assert_eq!(own_work_tree(&repo), before);
    assert!(!repo.path.join(".git/ALIGN_HEAD").exists());
    repo.align_expect(&["cancel"], 0);
    assert_eq!(own_work_tree(&repo), before);

    // An ignored file in the way is the user's too.
    std::fs::remove_file(repo.path.join("a.txt")).unwrap();
    std::fs::write(repo.path.join(".git/info/exclude"), "a.txt\n").unwrap();
    repo.write("a.txt", "the user's ignored a.txt\n");
    let said = repo.align_expect(
        &["--onto", "main", "--conflict-worktree", "main", "topic"],
        3,
    );
    assert!(said.contains("it is in a linked worktree"), "{said}");
    assert_eq!(
        std::fs::read_to_string(repo.path.join("a.txt")).unwrap(),
        "the user's ignored a.txt\n"
    );
}

#[test]
fn merge_strategy_conflict_in_the_main_work_tree() {
    let repo = repo();
    let said = repo.align_expect(
        &[
            "--onto",
            "main",
            "--strategy",
            "merge",
            "--conflict-worktree",
            "main",
            "topic",
        ],
        3,
    );
    assert!(said.contains("conflict merging main into topic"), "{said}");
    assert_eq!(head_branch(&repo), None);
    assert_eq!(repo.rev("HEAD"), repo.rev("topic"));
    assert_eq!(repo.rev("MERGE_HEAD"), repo.rev("main"));
    let resolution = with_line(2, "two merged").replace("4\n", "four from main\n");
    repo.write("f.txt", &resolution);
    repo.git(&["add", "f.txt"]);
    repo.align_expect(&["continue"], 0);
    assert_eq!(repo.rev("topic^2"), repo.rev("main"));
    assert_eq!(repo.git(&["show", "topic:f.txt"]), resolution.trim_end());
    assert_eq!(head_branch(&repo).as_deref(), Some("main"));
    assert_eq!(
        repo.git(&["status", "--porcelain", "--untracked-files=all"]),
        ""
    );
    assert!(!repo.path.join(".git/MERGE_HEAD").exists());
    repo.assert_fsck();
}

#[test]
fn checking_out_a_branch_during_a_main_work_tree_conflict_takes_the_work_tree_back() {
    let repo = repo();
    let before = repo.branches();
    repo.align_expect(
        &["--onto", "main", "--conflict-worktree", "main", "topic"],
        3,
    );
    assert_eq!(head_branch(&repo), None);
    // Back to the branch HEAD was on, as `git checkout -f` does it.
    repo.git(&["checkout", "-q", "-f", "main"]);
    repo.write("f.txt", "the user's edit\n");
    let own = own_work_tree(&repo);

    // The work tree is the user's again: the conflict goes to a linked worktree.
    let said = repo.align_expect(&["continue"], 3);
    assert!(
        said.contains("the work tree cannot take the conflict (f.txt has uncommitted changes)"),
        "{said}"
    );
    assert!(worktree_dir(&repo).exists());
    assert!(!repo.path.join(".git/ALIGN_HEAD").exists());
    assert_eq!(own_work_tree(&repo), own);

    repo.align_expect(&["cancel"], 0);
    assert_eq!(repo.branches(), before);
    assert_eq!(own_work_tree(&repo), own, "cancel must not take it back");
    assert_eq!(head_branch(&repo).as_deref(), Some("main"));
}

#[test]
fn an_align_head_no_open_run_owns_is_forgotten_at_start() {
    let repo = repo();
    std::fs::write(repo.path.join(".git/ALIGN_HEAD"), "ref: refs/heads/gone\n").unwrap();
    let said = repo.align_expect(
        &["--onto", "main", "--conflict-worktree", "main", "topic"],
        3,
    );
    assert!(
        said.contains(
            "forgot ALIGN_HEAD, left by a run that is no longer open (HEAD was refs/heads/gone)"
        ),
        "{said}"
    );
    assert_eq!(head_branch(&repo), None);
    repo.write(
        "f.txt",
        &with_line(2, "two").replace("4\n", "four from main\n"),
    );
    repo.git(&["add", "f.txt"]);
    repo.align_expect(&["continue"], 0);
    assert_eq!(head_branch(&repo).as_deref(), Some("main"));
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_resolution_committed_in_the_main_work_tree_is_used_as_it_is() {
    let repo = repo();
    repo.align_expect(
        &["--onto", "main", "--conflict-worktree", "main", "topic"],
        3,
    );
    let resolution = with_line(2, "two, committed").replace("4\n", "four from main\n");
    repo.write("f.txt", &resolution);
    repo.git(&["add", "f.txt"]);
    repo.git(&["commit", "-q", "--no-edit"]);
    let committed = repo.rev("HEAD");
    repo.align_expect(&["continue"], 0);
    assert_eq!(repo.rev("topic~1"), committed);
    assert_eq!(repo.git(&["show", "topic:f.txt"]), resolution.trim_end());
    assert_eq!(head_branch(&repo).as_deref(), Some("main"));
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

/// With `rerere.enabled`, a resolution recorded by a `git rebase` is applied when git
/// align sets the same conflict up (the run still stops, as `git rebase` does).
#[test]
fn rerere_applies_a_resolution_git_recorded() {
    let repo = repo();
    repo.git(&["config", "rerere.enabled", "true"]);
    let topic = repo.rev("topic");
    assert!(!repo.git_ok(&["rebase", "-q", "main", "topic"]));
    let resolved = with_line(2, "two, resolved");
    let resolved = resolved.replace("4\n", "four from main\n");
    repo.write("f.txt", &resolved);
    repo.git(&["add", "f.txt"]);
    repo.git(&["-c", "core.editor=true", "rebase", "--continue"]);
    let rebased = repo.rev("topic");
    repo.git(&["checkout", "-q", "main"]);
    repo.branch("topic", &topic);

    repo.align_expect(&["--onto", "main", "topic"], 3);
    let wt = worktree(&repo);
    assert_eq!(
        std::fs::read_to_string(wt.join("f.txt")).unwrap(),
        resolved,
        "rerere did not apply the recorded resolution"
    );
    repo.git(&["-C", wt.to_str().unwrap(), "add", "f.txt"]);
    repo.align_expect(&["continue"], 0);
    assert_eq!(repo.tree("topic"), repo.tree(&rebased));
}

/// A resolution made in git align's conflict worktree is recorded for rerere: a later
/// `git rebase` of the same conflict gets it.
#[test]
fn rerere_records_a_resolution_made_here() {
    let repo = repo();
    repo.git(&["config", "rerere.enabled", "true"]);
    repo.align_expect(&["--onto", "main", "topic"], 3);
    let resolved = with_line(2, "two, resolved here").replace("4\n", "four from main\n");
    resolve(&repo, "f.txt", &resolved);
    repo.align_expect(&["continue"], 0);
    repo.align_expect(&["undo"], 0);
    assert!(!repo.git_ok(&["rebase", "-q", "main", "topic"]));
    assert_eq!(
        std::fs::read_to_string(repo.path.join("f.txt")).unwrap(),
        resolved,
        "git rerere did not get the resolution"
    );
    repo.git(&["rebase", "--abort"]);
}
