//! Sharing a run through a remote: pause on one clone, push, finish on another, cancel on
//! a third; leases and divergence; plain `git fetch` with the documented refspec; gc with
//! prune at every step; forged states on the remote refused or confirmed.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::TestRepo;
use crate::core::fixture;

/// What the fixture's branches become after an uninterrupted run.
fn aligned_fixture() -> BTreeMap<String, String> {
    let repo = fixture();
    repo.align_expect(&["--onto", "main"], 0);
    repo.branches()
}

/// Continues a run that pauses after every branch until it finishes, expiring reflogs
/// and pruning unreachable objects between the steps.
fn continue_to_the_end(repo: &TestRepo, args: &[&str]) {
    for _ in 0..30 {
        repo.gc_prune_at(&repo.path);
        let out = repo.align(args);
        match out.status.code() {
            Some(0) => return,
            Some(3) => continue,
            code => panic!(
                "continue exited {code:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }
    panic!("the run did not finish");
}

/// The branches of a (bare) repository.
fn branches_at(repo: &TestRepo, dir: &Path) -> BTreeMap<String, String> {
    repo.git_at(
        dir,
        &[
            "for-each-ref",
            "--format=%(refname:short) %(objectname)",
            "refs/heads/",
        ],
    )
    .lines()
    .map(|l| {
        let (name, oid) = l.split_once(' ').unwrap();
        (name.to_string(), oid.to_string())
    })
    .collect()
}

/// A paused run on a fixture with a bare `origin`, pushed there: (machine A, remote,
/// A's branches before the run).
fn paused_and_pushed(extra: &[&str]) -> (TestRepo, std::path::PathBuf, BTreeMap<String, String>) {
    let a = fixture();
    let before = a.branches();
    let remote = a.bare_origin();
    let mut args = vec!["--onto", "main", "--pause-after", "branch"];
    args.extend_from_slice(extra);
    a.align_expect(&args, 3);
    let said = a.align_expect(&["push"], 0);
    assert!(said.contains("pushed run"), "{said}");
    (a, remote, before)
}

#[test]
fn a_run_paused_on_one_clone_finishes_on_another_and_is_cancelled_on_a_third() {
    let expected = aligned_fixture();
    let (a, remote, before) = paused_and_pushed(&[]);
    let moved_on_a: Vec<String> = a
        .branches()
        .into_iter()
        .filter(|(name, oid)| before[name] != *oid)
        .map(|(name, _)| name)
        .collect();
    assert_eq!(moved_on_a.len(), 1, "one branch moved before the pause");
    assert_eq!(
        branches_at(&a, &remote)[&moved_on_a[0]],
        a.branches()[&moved_on_a[0]],
        "the moved branch was pushed"
    );
    a.gc_prune_at(&remote);

    let c = TestRepo::clone_of(&remote);
    c.align_expect(&["fetch"], 0);
    assert_eq!(
        c.branches(),
        a.branches(),
        "fetch creates every branch of the run"
    );

    let b = TestRepo::clone_of(&remote);
    b.align_expect(&["fetch"], 0);
    assert_eq!(b.status_json()["state"], "paused");
    assert_eq!(b.status_json()["run_id"], a.status_json()["run_id"]);
    continue_to_the_end(&b, &["continue"]);
    assert_eq!(
        b.branches(),
        expected,
        "finished on B as an uninterrupted run would"
    );
    b.align_expect(&["push"], 0);
    b.gc_prune_at(&remote);
    assert_eq!(branches_at(&b, &remote), expected);
    b.assert_fsck();

    c.gc_prune_at(&c.path);
    c.align_expect(&["cancel"], 0);
    assert_eq!(
        c.branches(),
        before,
        "cancel on C restores every pre-run oid"
    );
    c.assert_fsck();

    let remote_refs = branches_at(&c, &remote);
    let refused = c.align_expect(&["push"], 1);
    assert!(refused.contains("moved since it was fetched"), "{refused}");
    assert_eq!(
        branches_at(&c, &remote),
        remote_refs,
        "a refused push changes nothing"
    );
    let c_refs = c.refs();
    let refused = c.align_expect(&["fetch"], 1);
    assert!(refused.contains("diverged"), "{refused}");
    assert_eq!(c.refs(), c_refs, "a refused fetch changes nothing");

    a.align_expect(&["fetch"], 0);
    assert_eq!(
        a.branches(),
        expected,
        "A's branches follow the run B finished"
    );
    assert_eq!(a.status_json()["state"], "finished");
    a.assert_fsck();
}

#[test]
fn two_clones_going_on_with_the_same_run_second_push_is_refused_and_nothing_is_lost() {
    let (a, remote, _) = paused_and_pushed(&[]);
    let b = TestRepo::clone_of(&remote);
    b.align_expect(&["fetch"], 0);
    b.align_expect(&["continue"], 3);
    b.align_expect(&["push"], 0);
    a.align_expect(&["cancel"], 0);
    let a_state = a.rev("refs/align/state");
    let refused = a.align_expect(&["push"], 1);
    assert!(refused.contains("moved since it was fetched"), "{refused}");
    let refused = a.align_expect(&["fetch"], 1);
    assert!(refused.contains("diverged"), "{refused}");
    assert_eq!(a.rev("refs/align/state"), a_state);
    assert_eq!(
        b.git_at(&remote, &["rev-parse", "refs/align/state"]),
        b.rev("refs/align/state"),
        "the remote keeps B's run"
    );
    // Taking the remote's run over on purpose keeps A's checkpoints reachable until gc.
    let said = a.align_expect(&["fetch", "--force"], 0);
    assert!(said.contains(&a_state), "{said}");
    assert_eq!(a.rev("refs/align/state"), b.rev("refs/align/state"));
}

#[test]
fn plain_git_fetch_and_push_with_the_documented_refspec_carry_the_run() {
    let expected = aligned_fixture();
    let (_a, remote, _) = paused_and_pushed(&[]);
    let d = TestRepo::clone_of(&remote);
    d.git(&[
        "config",
        "--add",
        "remote.origin.fetch",
        "refs/align/*:refs/align/*",
    ]);
    d.git(&["fetch", "-q", "origin"]);
    assert_eq!(d.status_json()["state"], "paused");
    continue_to_the_end(&d, &["continue"]);
    assert_eq!(d.branches(), expected);
    d.git(&["push", "-q", "origin", "refs/align/*:refs/align/*"]);
    assert_eq!(
        d.git_at(&remote, &["rev-parse", "refs/align/state"]),
        d.rev("refs/align/state")
    );
}

/// A change to a state.json.
type Edit = dyn Fn(&mut serde_json::Value);

/// Replaces the remote's run with a checkpoint whose `state.json` is `edit`ed, made in
/// a scratch clone.
fn forge(remote: &Path, edit: impl Fn(&mut serde_json::Value)) {
    let f = TestRepo::clone_of(remote);
    f.git(&[
        "fetch",
        "-q",
        "origin",
        "+refs/align/state:refs/align/state",
    ]);
    let mut state: serde_json::Value =
        serde_json::from_str(&f.git(&["show", "refs/align/state:state.json"])).unwrap();
    edit(&mut state);
    let file = f.tmp_dir().join("forged.json");
    std::fs::write(&file, serde_json::to_vec(&state).unwrap()).unwrap();
    let blob = f.git(&["hash-object", "-w", &file.display().to_string()]);
    let listing: String = f
        .git(&["ls-tree", "refs/align/state"])
        .lines()
        .map(|l| match l.ends_with("\tstate.json") {
            true => format!("100644 blob {blob}\tstate.json\n"),
            false => format!("{l}\n"),
        })
        .collect();
    let tree = f.git_stdin(&["mktree"], &listing);
    let commit = f.git(&[
        "commit-tree",
        tree.trim(),
        "-p",
        "refs/align/state",
        "-m",
        "forged",
    ]);
    f.git(&[
        "push",
        "-q",
        "origin",
        &format!("{commit}:refs/align/state"),
    ]);
}

#[test]
fn forged_states_on_the_remote_are_refused_before_anything_changes() {
    let (_a, remote, _) = paused_and_pushed(&[]);
    let cases: Vec<(&str, Box<Edit>)> = vec![
        (
            "bad branch name",
            Box::new(|s| {
                let branch = serde_json::json!({
                    "name": "../../escape", "parent": s["onto"]["name"].clone(),
                    "original": s["onto"]["oid"].clone(), "new": null, "status": "pending"
                });
                s["branches"].as_array_mut().unwrap().push(branch);
            }),
        ),
        (
            "larger than",
            Box::new(|s| s["pause_content"] = serde_json::json!("x".repeat(2 << 20))),
        ),
        (
            "bad run id",
            Box::new(|s| s["run_id"] = serde_json::json!("../../../heads/main")),
        ),
    ];
    for (says, edit) in cases {
        forge(&remote, edit);
        let v = TestRepo::clone_of(&remote);
        let before = v.refs();
        let refused = v.align_expect(&["fetch"], 1);
        assert!(refused.contains(says), "{says}: {refused}");
        assert_eq!(v.refs(), before, "{says}: a refused fetch changes nothing");
    }
}

/// Adds a branch at the base (`new`: its recorded new tip) to a forged `state.json`.
fn add_branch(state: &mut serde_json::Value, name: &str, new: Option<&str>) {
    let branch = serde_json::json!({
        "name": name, "parent": state["onto"]["name"].clone(),
        "original": state["onto"]["oid"].clone(), "new": new, "status": "pending"
    });
    state["branches"].as_array_mut().unwrap().insert(0, branch);
}

#[test]
fn forged_names_objects_and_text_are_refused_before_anything_changes() {
    let (a, remote, _) = paused_and_pushed(&[]);
    let pushed = a.rev("refs/align/state");
    let tree = a.tree("main");
    let blob = a.rev("main:base.txt");
    let cases: Vec<(&str, Box<Edit>)> = vec![
        (
            "bad branch name \"HEAD\"",
            Box::new(|s| add_branch(s, "HEAD", None)),
        ),
        (
            "is not a commit",
            Box::new(move |s| add_branch(s, "forged", Some(&tree))),
        ),
        (
            "is not a commit",
            Box::new(move |s| s["onto"]["oid"] = serde_json::json!(blob.clone())),
        ),
        (
            "onto.name holds control characters",
            Box::new(|s| s["onto"]["name"] = serde_json::json!("main\nfinished: all aligned")),
        ),
        (
            "decision time holds control characters",
            Box::new(|s| {
                s["decisions"] = serde_json::json!([{"step": "branch", "branch": null,
                    "decision": "approve", "feedback": null, "at": "\u{1b}[2J"}])
            }),
        ),
        (
            "note holds control characters",
            Box::new(|s| {
                add_branch(s, "noted", None);
                s["branches"][0]["note"] = serde_json::json!("\u{1b}]0;owned\u{7}");
            }),
        ),
    ];
    for (says, edit) in cases {
        a.git(&[
            "push",
            "-q",
            "-f",
            "origin",
            &format!("{pushed}:refs/align/state"),
        ]);
        forge(&remote, edit);
        let v = TestRepo::clone_of(&remote);
        let before = v.refs();
        let refused = v.align_expect(&["fetch"], 1);
        assert!(refused.contains(says), "{says}: {refused}");
        assert!(
            refused.contains("nothing was changed here"),
            "{says}: {refused}"
        );
        assert!(
            !refused.contains('\u{1b}'),
            "{says}: an escape reached the terminal"
        );
        assert_eq!(v.refs(), before, "{says}: a refused fetch changes nothing");
        assert!(!v.branches().contains_key("HEAD"));
    }
}

#[test]
fn a_forged_keep_ref_that_is_not_a_commit_is_refused() {
    let (a, remote, _) = paused_and_pushed(&[]);
    let run = a.status_json()["run_id"].as_str().unwrap().to_string();
    let blob = a.rev("main:base.txt");
    a.git(&[
        "push",
        "-q",
        "-f",
        "origin",
        &format!("{blob}:refs/align/runs/{run}"),
    ]);
    let v = TestRepo::clone_of(&remote);
    let before = v.refs();
    let refused = v.align_expect(&["fetch"], 1);
    assert!(refused.contains("is not a commit"), "{refused}");
    assert_eq!(v.refs(), before, "a refused fetch changes nothing");
    v.gc_prune_at(&v.path);
}

#[test]
fn a_forged_worktree_path_never_deletes_a_folder_outside_the_repository() {
    let (_a, remote, _) = paused_and_pushed(&[]);
    let v = TestRepo::clone_of(&remote);
    // The folder a conflict worktree lives in exists once a conflict happened here.
    std::fs::create_dir_all(v.path.join(".git/align/worktrees")).unwrap();
    let victim = v.path.parent().unwrap().join("victim");
    std::fs::create_dir_all(victim.join("keep")).unwrap();
    std::fs::write(victim.join("keep/file"), "mine").unwrap();
    let escape = format!(
        "{}/.git/align/worktrees/../../../../victim",
        v.path.display()
    );
    let forged = escape.clone();
    forge(&remote, move |s| {
        s["worktree"] = serde_json::json!(forged.clone())
    });
    v.align_expect(&["fetch"], 0);
    let status = v.status_json();
    assert!(
        status["worktree"].is_null(),
        "status names a worktree that is not here"
    );
    assert_eq!(status["worktree_elsewhere"], escape.as_str());
    // A copy's state names the same folder: skip there, cancel here.
    let skipped = v.copy();
    let said = skipped.align(&["skip"]);
    assert!(said.status.code().is_some(), "skip ended");
    v.align_expect(&["cancel"], 0);
    let refetch = TestRepo::clone_of(&remote);
    std::fs::create_dir_all(refetch.path.join(".git/align/worktrees")).unwrap();
    let victim2 = refetch.path.parent().unwrap().join("victim");
    std::fs::create_dir_all(&victim2).unwrap();
    std::fs::write(victim2.join("file"), "mine").unwrap();
    let escape2 = format!(
        "{}/.git/align/worktrees/../../../../victim",
        refetch.path.display()
    );
    forge(&remote, move |s| {
        s["worktree"] = serde_json::json!(escape2.clone())
    });
    refetch.align_expect(&["fetch"], 0);
    forge(&remote, |s| {
        s["pause_content"] = serde_json::json!("second")
    });
    refetch.align_expect(&["fetch", "--force"], 0);
    assert_eq!(
        std::fs::read_to_string(victim.join("keep/file")).unwrap(),
        "mine"
    );
    assert_eq!(
        std::fs::read_to_string(victim2.join("file")).unwrap(),
        "mine"
    );
}

#[test]
fn an_exec_command_from_the_remote_runs_only_once_confirmed() {
    let (_a, remote, _) = paused_and_pushed(&[]);
    let marker = remote.parent().unwrap().join("exec-ran");
    let command = format!("echo \"$GIT_ALIGN_BRANCH\" >> {}", marker.display());
    forge(&remote, |s| {
        s["options"]["exec"] = serde_json::json!(command)
    });
    let v = TestRepo::clone_of(&remote);
    let said = v.align_expect(&["fetch"], 0);
    assert!(said.contains(&command), "fetch names the command: {said}");
    let state = v.rev("refs/align/state");
    for args in [&["continue"][..], &["skip"][..]] {
        let refused = v.align_expect(args, 1);
        assert!(refused.contains("came from another machine"), "{refused}");
        assert!(!marker.exists(), "{args:?} ran the command");
        assert_eq!(v.rev("refs/align/state"), state);
    }
    v.align_expect(&["continue", "--trust-exec"], 3);
    assert!(marker.exists(), "confirmed, the command ran");
    // A command given here again is trusted too.
    std::fs::remove_file(&marker).unwrap();
    v.align_expect(&["continue", "--exec", "true"], 3);
    assert!(!marker.exists(), "--exec CMD replaces the fetched command");
}

#[test]
fn a_conflict_paused_on_one_clone_is_resolved_on_another() {
    let a = crate::conflict::repo();
    let remote = a.bare_origin();
    a.align_expect(&["--onto", "main", "topic"], 3);
    a.align_expect(&["push"], 0);
    let b = TestRepo::clone_of(&remote);
    b.align_expect(&["fetch"], 0);
    let said = b.align_expect(&["continue"], 3);
    let worktree = b.status_json()["worktree"].as_str().unwrap().to_string();
    assert!(
        Path::new(&worktree).starts_with(b.path.join(".git")),
        "the conflict worktree is made here: {worktree} ({said})"
    );
    assert!(said.contains(&worktree), "{said}");
    let resolved = crate::conflict::with_line(2, "two, resolved");
    let resolved = resolved.replace("4\n", "four from main\n");
    crate::conflict::resolve(&b, "f.txt", &resolved);
    b.align_expect(&["continue"], 0);
    assert_eq!(b.git(&["show", "topic:f.txt"]) + "\n", resolved);
    assert_eq!(b.git(&["show", "topic:c.txt"]), "c");
    b.align_expect(&["push"], 0);
    a.align_expect(&["fetch"], 0);
    assert_eq!(a.rev("topic"), b.rev("topic"));
    assert!(
        !a.path.join(".git/align/worktrees/topic").exists(),
        "A's conflict worktree went with the run it belonged to"
    );
    a.assert_fsck();
}

#[test]
fn a_conflict_in_the_work_tree_travels_and_each_clone_gets_its_head_back() {
    let a = crate::conflict::repo();
    let remote = a.bare_origin();
    a.align_expect(
        &["--onto", "main", "--conflict-worktree", "main", "topic"],
        3,
    );
    assert!(a.path.join(".git/ALIGN_HEAD").exists());
    a.align_expect(&["push"], 0);

    // The option travels with the run: B's own clean work tree takes the conflict.
    let b = TestRepo::clone_of(&remote);
    b.align_expect(&["fetch"], 0);
    b.align_expect(&["continue"], 3);
    assert!(b.path.join(".git/ALIGN_HEAD").exists());
    assert!(b.git(&["status", "--porcelain"]).contains("UU f.txt"));
    let resolved = crate::conflict::with_line(2, "two, resolved on B");
    let resolved = resolved.replace("4\n", "four from main\n");
    b.write("f.txt", &resolved);
    b.git(&["add", "f.txt"]);
    b.align_expect(&["continue"], 0);
    assert_eq!(b.git(&["symbolic-ref", "--short", "HEAD"]), "main");
    assert_eq!(b.git(&["status", "--porcelain"]), "");
    b.align_expect(&["push"], 0);

    // A takes the finished run: its work tree is given back, at main.
    a.align_expect(&["fetch"], 0);
    assert_eq!(a.rev("topic"), b.rev("topic"));
    assert_eq!(a.git(&["symbolic-ref", "--short", "HEAD"]), "main");
    assert_eq!(a.git(&["status", "--porcelain"]), "");
    assert!(!a.path.join(".git/ALIGN_HEAD").exists());
    a.assert_fsck();
}
