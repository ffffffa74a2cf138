//! What git-align says: every pause names what paused and the command to go on (also
//! with `-q`), once.

use crate::common::TestRepo;
use crate::conflict::{repo as conflict_repo, with_line};

#[test]
fn a_quiet_pause_still_says_what_paused_and_how_to_go_on_in_one_line() {
    let repo = conflict_repo();
    let out = repo.align(&["-q", "--onto", "main", "topic"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    let worktree = repo.status_json()["worktree"].as_str().unwrap().to_string();
    assert_eq!(
        said.trim_end(),
        format!(
            "git-align paused (conflict) at topic: resolve it in {worktree}, then 'git align continue'"
        )
    );
}

#[test]
fn a_conflict_says_where_to_resolve_it_once() {
    let repo = conflict_repo();
    let out = repo.align(&["--onto", "main", "topic"]);
    assert_eq!(out.status.code(), Some(3));
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(said.matches("resolve it in").count(), 1, "{said}");
    assert_eq!(said.matches("'git align continue'").count(), 1, "{said}");
    assert!(said.contains("'git align skip --commit'"), "{said}");
}

#[test]
fn a_merge_conflict_of_a_stacked_branch_names_the_branch_merged() {
    let repo = TestRepo::new();
    repo.commit(&[("f.txt", &with_line(0, "1"))], "base");
    repo.git(&["checkout", "-q", "-b", "zsh/1"]);
    repo.commit(&[("z.txt", "z\n")], "zsh/1: add");
    repo.git(&["checkout", "-q", "-b", "zsh/2"]);
    repo.commit(&[("f.txt", &with_line(2, "two from zsh"))], "zsh/2: edit");
    repo.checkout("main");
    repo.commit(&[("f.txt", &with_line(2, "two from main"))], "main: edit");
    let said = repo.align_expect(&["--onto", "main", "--strategy", "merge"], 3);
    assert!(said.contains("conflict merging zsh/1 into zsh/2"), "{said}");
    let worktree = repo.status_json()["worktree"].as_str().unwrap().to_string();
    let file = std::fs::read_to_string(std::path::Path::new(&worktree).join("f.txt")).unwrap();
    assert!(file.contains("\n>>>>>>> zsh/1\n"), "{file}");
    repo.align_expect(&["cancel"], 0);
}

#[test]
fn a_conflict_in_the_work_tree_says_head_was_detached() {
    let repo = conflict_repo();
    let said = repo.align_expect(
        &["--onto", "main", "--conflict-worktree", "main", "topic"],
        3,
    );
    assert!(
        said.contains("this work tree's HEAD is detached for it; it goes back to main"),
        "{said}"
    );
    repo.align_expect(&["cancel"], 0);
}

/// Run from a hook (or `git --git-dir`), git-align gets `GIT_DIR`: the git it runs to
/// set a conflict up must still work in the conflict's worktree.
#[test]
fn a_conflict_set_up_with_git_dir_in_the_environment_stays_in_its_worktree() {
    let repo = conflict_repo();
    let out = repo
        .align_cmd(&["--onto", "main", "topic"])
        .env("GIT_DIR", repo.path.join(".git"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!repo.path.join(".git/CHERRY_PICK_HEAD").exists());
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    let worktree = repo.status_json()["worktree"].as_str().unwrap().to_string();
    assert!(!repo
        .git_at(std::path::Path::new(&worktree), &["ls-files", "-u"])
        .is_empty());
    repo.align_expect(&["cancel"], 0);
}

#[test]
fn align_conflict_worktree_set_during_a_paused_run_applies_from_the_next_conflict() {
    let repo = conflict_repo();
    repo.align_expect(&["--onto", "main", "topic", "other"], 3);
    assert_eq!(repo.status_json()["current"], "other");
    let worktree = std::path::PathBuf::from(repo.status_json()["worktree"].as_str().unwrap());
    assert_ne!(worktree, repo.path);
    let resolved = with_line(4, "four, resolved").replace("2\n", "two from main\n");
    std::fs::write(worktree.join("f.txt"), resolved).unwrap();
    repo.git(&["-C", worktree.to_str().unwrap(), "add", "f.txt"]);
    repo.git(&["config", "align.conflictWorktree", "main"]);
    let said = repo.align_expect(&["continue"], 3);
    assert!(
        said.contains("conflicts are set up in the main work tree from now on"),
        "{said}"
    );
    assert_eq!(repo.status_json()["current"], "topic");
    assert_eq!(
        std::path::PathBuf::from(repo.status_json()["worktree"].as_str().unwrap()),
        repo.path
    );
    repo.align_expect(&["cancel"], 0);
}
