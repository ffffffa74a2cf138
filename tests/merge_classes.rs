//! Merges as git makes them, one case per kind of merge: each case builds a fork
//! (`topic` off `main`, then `main` moves on), rebases `topic` with `git rebase` and
//! aligns it with git align, and asserts git's verdict; a clean branch gets git's
//! commits, a conflict git's unmerged index entries and git's conflicted files, byte for
//! byte, in the worktree git align sets up.

use std::path::Path;

use crate::common::oracle::{rebase_loop, verdicts, Verdict};
use crate::common::{ConflictSeen, TestRepo};

/// A fork: `base` runs on `main`, `topic` on the new branch `topic`, then `main` on
/// `main` again. Each is a shell script; `c MESSAGE` commits every change.
struct Fork<'a> {
    base: &'a str,
    topic: &'a str,
    main: &'a str,
}

impl Fork<'_> {
    fn build(&self) -> TestRepo {
        let repo = TestRepo::new();
        let script = format!(
            "set -e\nc() {{ git add -A && git commit -q --allow-empty -m \"$1\"; }}\n{}\ngit checkout -q -b topic\n{}\ngit checkout -q main\n{}\n",
            self.base, self.topic, self.main
        );
        let out = repo.command("sh").args(["-c", &script]).output().unwrap();
        assert!(
            out.status.success(),
            "the fork could not be built: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        repo
    }
}

/// What `git rebase main topic` leaves on a copy of `repo` when it stops.
fn rebase_conflict(repo: &TestRepo) -> ConflictSeen {
    let copy = repo.copy();
    assert!(!copy.git_ok(&["rebase", "-q", "main", "topic"]));
    ConflictSeen::in_dir(&copy, &copy.path)
}

/// Rebases and aligns the fork, asserts they agree, and returns git's verdict.
#[track_caller]
fn agree(fork: &Fork<'_>) -> Verdict {
    agree_with(fork, &[])
}

/// As [`agree`], with `config` (`name=value`) set in the repository first.
#[track_caller]
fn agree_with(fork: &Fork<'_>, config: &[(&str, &str)]) -> Verdict {
    let repo = fork.build();
    for (name, value) in config {
        repo.git(&["config", name, value]);
    }
    let oracle = rebase_loop(&repo, "main");
    let verdict = verdicts(&repo, &oracle, "main").remove("topic").unwrap();
    let before = repo.branches();
    let out = repo.align(&["--onto", "main", "topic"]);
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    match &verdict {
        Verdict::Clean(_) => {
            assert_eq!(out.status.code(), Some(0), "git rebase is clean: {said}");
            assert_eq!(repo.rev("topic"), oracle.rev("topic"), "other commits");
        }
        Verdict::Conflict => {
            assert_eq!(out.status.code(), Some(3), "git rebase stops: {said}");
            let worktree = repo.status_json()["worktree"].as_str().unwrap().to_string();
            assert_eq!(
                ConflictSeen::in_dir(&repo, Path::new(&worktree)),
                rebase_conflict(&repo)
            );
            repo.align_expect(&["cancel"], 0);
            assert_eq!(repo.branches(), before);
        }
    }
    repo.assert_fsck();
    verdict
}

const BASE_FILE: &str = "seq 1 30 >f; c base";

#[test]
fn content_merges_use_the_histogram_diff() {
    // Found by search: the Myers and histogram merges of these are both clean and differ.
    let fork = Fork {
        base: r"printf '## v1\n}\nb\n## v1\n\nb\n\n\n}\nreturn x;\n' >f; c base",
        topic: r"printf '## v1\n}\nb\n## v1\n\n\n\n}\nreturn x;\n' >f; c topic",
        main: r"printf '## v1\n}\nb\n## v1\n{\nreturn x;\n\n\nb\n\n}\nreturn x;\n- fix\nreturn x;\n## v1\n' >f; c main",
    };
    assert!(matches!(agree(&fork), Verdict::Clean(_)));
}

#[test]
fn edits_of_different_lines_of_one_file_merge() {
    let fork = Fork {
        base: BASE_FILE,
        topic: "sed -i 's/^25$/topic/' f; c topic",
        main: "sed -i 's/^5$/main/' f; c main",
    };
    assert!(matches!(agree(&fork), Verdict::Clean(_)));
}

#[test]
fn edits_of_the_same_line_conflict_with_gits_markers() {
    let fork = Fork {
        base: BASE_FILE,
        topic: "sed -i 's/^5$/topic/' f; c 'topic: five'",
        main: "sed -i 's/^5$/main/' f; c main",
    };
    assert_eq!(agree(&fork), Verdict::Conflict);
}

#[test]
fn the_diff3_conflict_style_is_honoured() {
    let fork = Fork {
        base: BASE_FILE,
        topic: "sed -i 's/^5$/topic/' f; c topic",
        main: "sed -i 's/^5$/main/' f; c main",
    };
    assert_eq!(
        agree_with(&fork, &[("merge.conflictStyle", "diff3")]),
        Verdict::Conflict
    );
}

#[test]
fn rename_rename_conflicts() {
    let fork = Fork {
        base: BASE_FILE,
        topic: "git mv f g; c topic",
        main: "git mv f h; c main",
    };
    assert_eq!(agree(&fork), Verdict::Conflict);
}

#[test]
fn rename_delete_conflicts() {
    let fork = Fork {
        base: BASE_FILE,
        topic: "git mv f g; c topic",
        main: "git rm -q f; c main",
    };
    assert_eq!(agree(&fork), Verdict::Conflict);
}

#[test]
fn delete_rename_conflicts() {
    let fork = Fork {
        base: BASE_FILE,
        topic: "git rm -q f; c topic",
        main: "git mv f h; c main",
    };
    assert_eq!(agree(&fork), Verdict::Conflict);
}

#[test]
fn a_file_added_to_a_folder_the_base_moved_conflicts_by_default() {
    let fork = Fork {
        base: "mkdir a; seq 1 10 >a/x; seq 11 20 >a/y; c base",
        topic: "echo new >a/new; c topic",
        main: "git mv a b; c main",
    };
    assert_eq!(agree(&fork), Verdict::Conflict);
}

#[test]
fn a_file_added_to_a_folder_the_base_moved_follows_it_when_configured() {
    let fork = Fork {
        base: "mkdir a; seq 1 10 >a/x; seq 11 20 >a/y; c base",
        topic: "echo new >a/new; c topic",
        main: "git mv a b; c main",
    };
    let verdict = agree_with(&fork, &[("merge.directoryRenames", "true")]);
    assert!(matches!(verdict, Verdict::Clean(_)));
}

/// A rename on `main` that changes `changed` of 20 lines, while `topic` edits the file.
fn rename_with_changes(changed: usize) -> Verdict {
    let main = format!("git mv f g; sed -i '1,{changed}s/$/ renamed/' g; c main",);
    let fork = Fork {
        base: "seq 100 119 >f; c base",
        topic: "sed -i 's/^119$/topic/' f; c topic",
        main: &main,
    };
    agree(&fork)
}

#[test]
fn renames_near_the_similarity_threshold_are_paired_as_git_pairs_them() {
    for changed in [8, 9, 10, 11, 12] {
        rename_with_changes(changed);
    }
}

#[test]
fn many_inexact_renames_are_all_detected() {
    let fork = Fork {
        base: "mkdir d; for i in $(seq 1 600); do seq $i $((i + 20)) >d/f$i; done; c base",
        topic: "sed -i '5s/$/ topic/' d/f7; c topic",
        main: "git mv d e; for i in $(seq 1 600); do echo end >>e/f$i; done; c main",
    };
    assert!(matches!(agree(&fork), Verdict::Clean(_)));
}

#[test]
fn add_add_with_other_modes_conflicts() {
    let fork = Fork {
        base: "echo base >b; c base",
        topic: "echo same >x; c topic",
        main: "echo same >x; chmod +x x; c main",
    };
    agree(&fork);
}

#[test]
fn merge_binary_attribute_conflicts() {
    let fork = Fork {
        base: "seq 1 30 >f; echo 'f merge=binary' >.gitattributes; c base",
        topic: "sed -i 's/^25$/topic/' f; c topic",
        main: "sed -i 's/^5$/main/' f; c main",
    };
    assert_eq!(agree(&fork), Verdict::Conflict);
}

#[test]
fn unset_merge_attribute_conflicts() {
    let fork = Fork {
        base: "seq 1 30 >f; echo 'f -merge' >.gitattributes; c base",
        topic: "sed -i 's/^25$/topic/' f; c topic",
        main: "sed -i 's/^5$/main/' f; c main",
    };
    assert_eq!(agree(&fork), Verdict::Conflict);
}

#[test]
fn union_attribute_in_a_subfolder_of_the_base_merges_both() {
    let fork = Fork {
        base: "mkdir -p doc; seq 1 3 >doc/log; c base",
        topic: "echo topic >>doc/log; c topic",
        main: "echo main >>doc/log; echo 'log merge=union' >doc/.gitattributes; c main; git checkout -q -b elsewhere HEAD~1",
    };
    assert!(matches!(agree(&fork), Verdict::Clean(_)));
}

#[test]
fn a_custom_merge_driver_is_run() {
    let fork = Fork {
        base: "seq 1 30 >f; echo 'f merge=theirs' >.gitattributes; c base",
        topic: "sed -i 's/^5$/topic/' f; c topic",
        main: "sed -i 's/^5$/main/' f; c main",
    };
    let config = [
        ("merge.theirs.name", "take theirs"),
        ("merge.theirs.driver", "cp %B %A"),
    ];
    assert!(matches!(agree_with(&fork, &config), Verdict::Clean(_)));
}

#[test]
fn a_rename_with_edits_follows_the_rename() {
    let fork = Fork {
        base: BASE_FILE,
        topic: "sed -i 's/^25$/topic/' f; c topic",
        main: "git mv f g; sed -i 's/^5$/main/' g; c main",
    };
    assert!(matches!(agree(&fork), Verdict::Clean(_)));
}

#[test]
fn modify_delete_conflicts() {
    let fork = Fork {
        base: BASE_FILE,
        topic: "sed -i 's/^25$/topic/' f; c topic",
        main: "git rm -q f; c main",
    };
    assert_eq!(agree(&fork), Verdict::Conflict);
}

#[test]
fn a_mode_change_and_an_edit_merge() {
    let fork = Fork {
        base: BASE_FILE,
        topic: "chmod +x f; c topic",
        main: "sed -i 's/^5$/main/' f; c main",
    };
    assert!(matches!(agree(&fork), Verdict::Clean(_)));
}

#[test]
fn symlinks_changed_on_both_sides_conflict() {
    let fork = Fork {
        base: "ln -s one l; c base",
        topic: "ln -sfn two l; c topic",
        main: "ln -sfn three l; c main",
    };
    assert_eq!(agree(&fork), Verdict::Conflict);
}

#[test]
fn a_file_that_became_a_folder_conflicts_with_its_edit() {
    let fork = Fork {
        base: BASE_FILE,
        topic: "sed -i 's/^5$/topic/' f; c topic",
        main: "git rm -q f; mkdir f; echo x >f/x; c main",
    };
    assert_eq!(agree(&fork), Verdict::Conflict);
}

#[test]
fn submodule_commits_changed_on_both_sides_conflict() {
    let gitlink = |n: u32| {
        format!(
            "git update-index --add --cacheinfo 160000,{},sub",
            "1".repeat(39) + &n.to_string()
        )
    };
    let (base, topic, main) = (gitlink(1), gitlink(2), gitlink(3));
    let fork = Fork {
        base: &format!("echo x >x; git add x; {base}; git commit -qm base"),
        topic: &format!("{topic}; git commit -qm topic"),
        main: &format!("{main}; git commit -qm main"),
    };
    agree(&fork);
}

#[test]
fn crlf_files_merge_as_git_merges_them() {
    let fork = Fork {
        base: r"printf 'a\r\nb\r\nc\r\nd\r\ne\r\nf\r\n' >f; c base",
        topic: r"printf 'a\r\nb\r\nc\r\nd\r\ne\r\ntopic\r\n' >f; c topic",
        main: r"printf 'main\r\nb\r\nc\r\nd\r\ne\r\nf\r\n' >f; c main",
    };
    assert!(matches!(agree(&fork), Verdict::Clean(_)));
}

#[test]
fn empty_commits_are_kept_and_emptied_ones_dropped() {
    let fork = Fork {
        base: BASE_FILE,
        topic:
            "c 'topic: empty'; sed -i 's/^5$/same/' f; c 'topic: same as main'; echo t >t; c topic",
        main: "sed -i 's/^5$/same/' f; c main",
    };
    assert!(matches!(agree(&fork), Verdict::Clean(_)));
}

#[test]
fn renormalize_is_honoured() {
    let fork = Fork {
        base: r"printf 'a\nb\nc\n' >f; c base",
        topic: r"printf 'a\nb\ntopic\n' >f; c topic",
        main: r"printf 'a\r\nb\r\nc\r\n' >f; echo 'f text eol=lf' >.gitattributes; c main",
    };
    agree_with(&fork, &[("merge.renormalize", "true")]);
}

#[test]
fn a_git_too_old_to_merge_stops_the_run_with_one_line_and_continue_finishes_it() {
    let fork = Fork {
        base: BASE_FILE,
        topic: "sed -i 's/^25$/topic/' f; c topic",
        main: "sed -i 's/^5$/main/' f; c main",
    };
    let repo = fork.build();
    let oracle = rebase_loop(&repo, "main");
    let real_git = repo
        .command("sh")
        .args(["-c", "command -v git"])
        .output()
        .unwrap();
    let real_git = String::from_utf8(real_git.stdout).unwrap();
    let bin = repo.tmp_dir().join("old-git");
    std::fs::create_dir_all(&bin).unwrap();
    let fake = bin.join("git");
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\n[ \"$1\" = --version ] && {{ echo 'git version 2.39.5'; exit 0; }}\nexec {} \"$@\"\n",
            real_git.trim()
        ),
    )
    .unwrap();
    let mode = <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o755);
    std::fs::set_permissions(&fake, mode).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let before = repo.branches();
    let out = repo
        .align_cmd(&["--onto", "main", "topic"])
        .env("PATH", &path)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert_eq!(
        said.lines().next().unwrap(),
        "error: git 2.39.5 is too old: git-align merges through git 2.45 or newer"
    );
    assert_eq!(repo.branches(), before);
    repo.align_expect(&["continue"], 0);
    assert_eq!(repo.rev("topic"), oracle.rev("topic"));
}

#[test]
fn attributes_the_replayed_commit_adds_do_not_decide_its_own_merge() {
    // git rebase reads attributes from its work tree (the side merged into), which
    // lacks the topic's new .gitattributes.
    let fork = Fork {
        base: "mkdir -p doc; seq 1 3 >doc/log; c base",
        topic: "echo topic >>doc/log; echo 'log merge=union' >doc/.gitattributes; c topic",
        main: "echo main >>doc/log; c main",
    };
    assert_eq!(agree(&fork), Verdict::Conflict);
}
