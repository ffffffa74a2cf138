//! Fitting into git: the post-rewrite hook, notes, shipped hooks, completions, man page,
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
