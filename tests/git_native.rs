//! Fitting into git: the post-rewrite hook, notes, shipped hooks, completion scripts,
//! configuration and quiet output when piped.

use crate::common::TestRepo;
use crate::core::fixture;

const SELECTION: [&str; 5] = ["feat-a", "feat-b", "s1", "s2", "s3"];

/// Installs a hook that appends its input and arguments to files beside the repository.
fn install_logging_hook(repo: &TestRepo, name: &str) {
    let hook = repo.path.join(".git/hooks").join(name);
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(
        &hook,
        format!("#!/bin/sh\ncat >> ../{name}.input\necho \"$*\" >> ../{name}.args\n"),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn read_beside(repo: &TestRepo, file: &str) -> Vec<String> {
    let mut lines: Vec<String> = std::fs::read_to_string(repo.path.join("..").join(file))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect();
    lines.sort();
    lines
}

#[test]
fn post_rewrite_hook_gets_the_mapping_git_rebase_gives() {
    let repo = fixture();
    let oracle = repo.copy();
    install_logging_hook(&repo, "post-rewrite");
    install_logging_hook(&oracle, "post-rewrite");
    let mut args = vec!["--onto", "main"];
    args.extend(SELECTION);
    repo.align_expect(&args, 0);
    oracle.git(&["rebase", "-q", "main", "feat-a"]);
    oracle.git(&["rebase", "-q", "main", "feat-b"]);
    oracle.git(&["rebase", "-q", "--update-refs", "main", "s3"]);
    oracle.checkout("main");

    let mapping = read_beside(&repo, "post-rewrite.input");
    assert_eq!(mapping.len(), 6, "{mapping:?}");
    assert_eq!(mapping, read_beside(&oracle, "post-rewrite.input"));
    assert_eq!(
        read_beside(&repo, "post-rewrite.args"),
        ["rebase"],
        "once per run"
    );
}

#[test]
fn post_rewrite_hook_honours_core_hooks_path_and_runs_only_when_commits_moved() {
    let repo = fixture();
    repo.git(&["config", "core.hooksPath", "my-hooks"]);
    std::fs::create_dir_all(repo.path.join("my-hooks")).unwrap();
    std::fs::write(
        repo.path.join("my-hooks/post-rewrite"),
        "#!/bin/sh\ncat > ../hooked\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        repo.path.join("my-hooks/post-rewrite"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    repo.align_expect(&["--onto", "main", "fresh"], 0);
    assert!(
        !repo.path.join("../hooked").exists(),
        "nothing was rewritten"
    );
    repo.align_expect(&["--onto", "main", "feat-b"], 0);
    let input = std::fs::read_to_string(repo.path.join("../hooked")).unwrap();
    let (old, new) = input.trim().split_once(' ').unwrap();
    assert_eq!(new, repo.rev("feat-b"));
    assert_eq!(repo.git(&["log", "-1", "--format=%s", old]), "b: add b.txt");
}

#[test]
fn notes_are_copied_when_configured_like_git() {
    let repo = fixture();
    repo.git(&["notes", "add", "-m", "reviewed by Ann", "feat-b"]);
    repo.git(&[
        "notes",
        "--ref",
        "other",
        "add",
        "-m",
        "not copied",
        "feat-b",
    ]);
    let copy = repo.copy();

    repo.git(&["config", "notes.rewriteRef", "refs/notes/commits"]);
    repo.align_expect(&["--onto", "main", "feat-b"], 0);
    assert_eq!(repo.git(&["notes", "show", "feat-b"]), "reviewed by Ann");
    assert!(!repo.git_ok(&["notes", "--ref", "other", "show", "feat-b"]));

    copy.align_expect(&["--onto", "main", "feat-b"], 0);
    assert!(
        !copy.git_ok(&["notes", "show", "feat-b"]),
        "not configured: no copy"
    );
    repo.assert_fsck();
}

/// `repo` gets a bare remote `origin` (a copy of itself) and a second clone `../other`
/// that can push to it; main tracks origin/main.
fn with_remote(repo: &TestRepo) {
    repo.git(&["clone", "-q", "--bare", ".", "../remote.git"]);
    repo.git(&["remote", "add", "origin", "../remote.git"]);
    repo.git(&["fetch", "-q", "origin"]);
    repo.git(&["branch", "-q", "--set-upstream-to=origin/main", "main"]);
    repo.git(&["config", "pull.ff", "only"]);
    repo.git(&["clone", "-q", "../remote.git", "../other"]);
}

/// Someone else pushes a new commit to origin/main.
fn upstream_moves(repo: &TestRepo, file: &str) {
    repo.write(&format!("../other/{file}"), "upstream\n");
    repo.git(&["-C", "../other", "add", file]);
    repo.git(&[
        "-C",
        "../other",
        "commit",
        "-q",
        "-m",
        &format!("upstream {file}"),
    ]);
    repo.git(&["-C", "../other", "push", "-q", "origin", "main"]);
}

fn shipped(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("hooks")
            .join(name),
    )
    .unwrap()
}

#[test]
fn hooks_install_copies_the_shipped_hooks_and_never_overwrites_without_force() {
    let repo = fixture();
    let hooks = repo.path.join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let mine = "#!/bin/sh\ntouch ../my-pre-push-ran\n";
    std::fs::write(hooks.join("pre-push"), mine).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        hooks.join("pre-push"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();

    let refused = repo.align_expect(&["hooks", "install"], 1);
    assert!(
        refused.contains("pre-push") && refused.contains("left alone"),
        "{refused}"
    );
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-push")).unwrap(),
        mine
    );
    assert_eq!(
        std::fs::read_to_string(hooks.join("post-merge")).unwrap(),
        shipped("post-merge")
    );

    let said = repo.align_expect(&["hooks", "install", "--force"], 0);
    assert!(said.contains("pre-push.orig"), "{said}");
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-push.orig")).unwrap(),
        mine
    );
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-push")).unwrap(),
        shipped("pre-push")
    );
    let mode = std::fs::metadata(hooks.join("pre-push"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o111, 0o111);
    assert!(repo
        .align_expect(&["hooks", "install"], 0)
        .contains("already installed"));

    // The shipped pre-push warns about a branch of a paused run, then runs the old hook.
    with_remote(&repo);
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
    let pushed = repo.git_all(&["push", "origin", "feat-a:refs/heads/review/feat-a"]);
    assert!(
        pushed.contains("pushing feat-a, a branch of alignment run"),
        "{pushed}"
    );
    assert!(
        repo.path.join("../my-pre-push-ran").exists(),
        "the kept hook did not run"
    );
    let quiet = {
        repo.align_expect(&["cancel"], 0);
        repo.git_all(&["push", "origin", "feat-b:refs/heads/review/feat-b"])
    };
    assert!(!quiet.contains("alignment run"), "{quiet}");
}

#[test]
fn post_merge_hook_offers_an_alignment_after_a_pull_or_aligns_with_align_auto() {
    let repo = fixture();
    with_remote(&repo);
    repo.align_expect(&["hooks", "install"], 0);
    let feat_a = repo.rev("feat-a");

    upstream_moves(&repo, "first.txt");
    let pulled = repo.git_all(&["pull"]);
    assert!(pulled.contains("'git align' re-aligns the"), "{pulled}");
    assert_eq!(
        repo.rev("feat-a"),
        feat_a,
        "without align.auto nothing moves"
    );

    repo.git(&["config", "align.auto", "true"]);
    upstream_moves(&repo, "second.txt");
    let pulled = repo.git_all(&["pull"]);
    assert!(pulled.contains("finished:"), "{pulled}");
    assert!(repo.git_ok(&["merge-base", "--is-ancestor", "main", "feat-a"]));
    assert_eq!(repo.status_json()["state"], "finished");
    repo.assert_fsck();
}

/// Where the scripts clap generates are committed under `completions/` (the bash, zsh
/// and fish ones are written by hand, and tested in those shells: `tests/shell.rs`).
const COMPLETION_FILES: [(&str, &str); 2] = [
    ("elvish", "git-align.elv"),
    ("powershell", "_git-align.ps1"),
];

/// Compares a generated file with the committed one; `GIT_ALIGN_UPDATE_GENERATED=1`
/// rewrites the committed file instead.
fn assert_current(relative: &str, generated: &[u8]) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    if std::env::var_os("GIT_ALIGN_UPDATE_GENERATED").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, generated).unwrap();
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{relative} is stale: run GIT_ALIGN_UPDATE_GENERATED=1 cargo test generated_completion"
    );
}

#[test]
fn generated_completion_scripts_are_current() {
    let repo = TestRepo::new();
    for (shell, file) in COMPLETION_FILES {
        let out = repo.align(&["completions", shell]);
        assert!(out.status.success());
        assert_current(&format!("completions/{file}"), &out.stdout);
    }
}

#[test]
fn progress_is_drawn_on_a_terminal_and_never_when_piped() {
    if !crate::common::have_tool("script", "bsdutils") {
        return;
    }
    let repo = fixture();
    let on_terminal = repo.copy();
    let piped = repo.align(&["--onto", "main"]);
    assert!(piped.status.success());
    let text = [piped.stdout, piped.stderr].concat();
    assert!(
        !text.contains(&b'\r') && !text.contains(&0x1b),
        "control characters when piped"
    );

    // script(1) runs git-align on a pseudo-terminal.
    let out = on_terminal
        .command("script")
        .args([
            "-qec",
            &format!("{} --onto main", crate::common::BIN),
            "/dev/null",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(screen.contains("\r\x1b[K[ 0/10] "), "{screen:?}");
    assert!(screen.contains("finished: "), "{screen:?}");
    assert_eq!(on_terminal.branches(), repo.branches());
}

#[test]
fn quiet_prints_only_the_final_line_and_verbose_explains_steps() {
    let repo = fixture();
    let verbose = repo.copy();
    let quiet = repo.align_expect(&["--onto", "main", "-q", "feat-a"], 0);
    assert_eq!(quiet.trim(), "", "{quiet}");
    let said = verbose.align_expect(&["--onto", "main", "-v", "feat-a"], 0);
    assert!(
        said.contains("replaying feat-a: 2 commit(s) onto"),
        "{said}"
    );
    assert!(said.contains("checkpoint: moving feat-a"), "{said}");
    assert!(said.contains("checkpoints: "), "{said}");
}

#[test]
fn config_values_are_used_and_the_command_line_wins() {
    let repo = fixture();
    for (key, value) in [
        ("align.base", "main"),
        ("align.strategy", "merge"),
        ("align.branches", "feat-b"),
        ("align.pauseAfter", "finish"),
        ("align.exec", "test -e b.txt"),
        ("align.conflictWorktree", "main"),
    ] {
        repo.git(&["config", key, value]);
    }
    repo.align_expect(&[], 3);
    let status = repo.status_json();
    assert_eq!(status["strategy"], "merge");
    assert_eq!(status["options"]["conflict_worktree"], "main");
    assert_eq!(status["options"]["exec"], "test -e b.txt");
    assert_eq!(
        status["options"]["pause_after"],
        serde_json::json!(["finish"])
    );
    let names: Vec<&str> = status["branches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["feat-b"]);
    let verbose = repo.align_expect(&["status", "-v"], 0);
    assert!(
        verbose.contains("setting: strategy = merge (git config align.strategy)"),
        "{verbose}"
    );
    assert!(
        verbose.contains("setting: onto = main (git config align.base)"),
        "{verbose}"
    );
    assert!(
        verbose.contains("setting: conflict_worktree = main (git config align.conflictWorktree)"),
        "{verbose}"
    );
    repo.align_expect(&["continue"], 0);
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s", "feat-b"]),
        "Merge branch 'main' into feat-b"
    );

    repo.align_expect(
        &[
            "--strategy",
            "rebase",
            "--pause-after",
            "rebase",
            "--exec",
            "true",
            "--conflict-worktree",
            "linked",
            "feat-a",
        ],
        3,
    );
    let status = repo.status_json();
    assert_eq!(status["strategy"], "rebase");
    assert!(status["options"].get("conflict_worktree").is_none());
    assert_eq!(status["step"], "rebase");
    assert_eq!(status["options"]["exec"], "true");
    let verbose = repo.align_expect(&["status", "-v"], 0);
    assert!(
        verbose.contains("setting: strategy = rebase (command line)"),
        "{verbose}"
    );
    assert!(
        verbose.contains("setting: branches = 1 selected (command line)"),
        "{verbose}"
    );
    assert!(
        verbose.contains("setting: conflict_worktree = linked (command line)"),
        "{verbose}"
    );
    assert!(
        verbose.contains("setting: onto = main (git config align.base)"),
        "{verbose}"
    );
}
