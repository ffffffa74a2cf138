//! At home in the shell: the completion scripts in real shells (bash with git's own
//! completion and bash-completion's loader, zsh, fish), `git align setup`, and the man
//! page (`git align --help` through `git help`).

use std::path::Path;

use crate::common::{have_tool, TestRepo};

/// A repository with branches in folders, a remote with a remote-tracking branch, and a
/// tag.
fn repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit(&[("f.txt", "f\n")], "base");
    for name in ["topic/long-name", "topic/x/deep", "feature"] {
        repo.git(&["branch", name]);
    }
    repo.git(&["tag", "v1.0"]);
    repo.git(&["remote", "add", "origin", "../nowhere.git"]);
    repo.git(&["update-ref", "refs/remotes/origin/main", "HEAD"]);
    repo
}

const GIT_BASH_COMPLETION: &str = "/usr/share/bash-completion/completions/git";
const BASH_COMPLETION: &str = "/usr/share/bash-completion/bash_completion";

/// Whether bash-completion and git's bash completion are installed (else the test is
/// skipped, with the package to install).
fn have_bash_completion() -> bool {
    let found = Path::new(GIT_BASH_COMPLETION).exists() && Path::new(BASH_COMPLETION).exists();
    if !found {
        eprintln!("skipped: bash-completion or git's bash completion is missing (Debian packages bash-completion, git)");
    }
    found
}

/// The candidates bash offers for `line` (the cursor at its end), through git's own
/// completion, which loads the script `git align setup` installed.
fn bash(repo: &TestRepo, line: &str) -> Vec<String> {
    let program = format!(
        r#"source {BASH_COMPLETION}; source {GIT_BASH_COMPLETION}
COMP_LINE="$1"; COMP_POINT=${{#COMP_LINE}}
read -ra COMP_WORDS <<< "$1"; [[ "$1" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))
__git_wrap__git_main
printf '%s\n' "${{COMPREPLY[@]}}""#
    );
    let out = repo
        .command("bash")
        .args(["-c", &program, "bash", line])
        .output()
        .unwrap();
    candidates(&out)
}

/// The candidates zsh's `_git-align` offers for `words` (`compadd` stubbed to print).
fn zsh(repo: &TestRepo, words: &[&str]) -> Vec<String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/_git-align");
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "compadd() {{ [[ $1 == -a ]] && print -l -- \"${{(@P)2}}\" }}; compset() {{ : }}; words=({}); CURRENT={}; source '{}'",
        quoted.join(" "),
        words.len(),
        script.display()
    );
    let out = repo
        .command("zsh")
        .args(["-f", "-c", &program])
        .output()
        .unwrap();
    candidates(&out)
}

/// The candidates fish offers for `line`, with the script `git align setup` installed.
fn fish(repo: &TestRepo, line: &str) -> Vec<String> {
    let out = repo
        .command("fish")
        .args(["-c", &format!("complete -C '{line}'")])
        .output()
        .unwrap();
    candidates(&out)
        .into_iter()
        .map(|c| c.split('\t').next().unwrap_or_default().to_string())
        .collect()
}

fn candidates(out: &std::process::Output) -> Vec<String> {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim_end().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    lines.sort();
    lines
}

#[test]
fn bash_completes_branches_revisions_steps_and_remotes_through_gits_completion() {
    if !have_bash_completion() {
        return;
    }
    let repo = repo();
    repo.align_expect(&["setup", "--shell", "bash"], 0);
    assert_eq!(bash(&repo, "git align topic/l"), ["topic/long-name"]);
    assert_eq!(
        bash(&repo, "git align feature topic/"),
        ["topic/*", "topic/long-name", "topic/x/*", "topic/x/deep"]
    );
    assert_eq!(bash(&repo, "git align --onto ma"), ["main"]);
    assert_eq!(bash(&repo, "git align --onto origin/"), ["origin/main"]);
    assert_eq!(bash(&repo, "git align --onto=v"), ["v1.0"]);
    assert_eq!(
        bash(&repo, "git align --pause-after "),
        ["branch", "exec", "finish", "rebase"]
    );
    assert_eq!(
        bash(&repo, "git align --pause-after rebase,fi"),
        ["rebase,finish"]
    );
    assert_eq!(bash(&repo, "git align push "), ["origin"]);
    assert_eq!(bash(&repo, "git align --strategy "), ["merge", "rebase"]);
    assert_eq!(bash(&repo, "git align continue --rev"), ["--revise"]);
    let top = bash(&repo, "git align ");
    for wanted in ["continue", "status", "setup", "feature", "main"] {
        assert!(top.iter().any(|c| c == wanted), "{wanted} missing: {top:?}");
    }
    for internal in ["hook", "complete"] {
        assert!(
            !top.iter().any(|c| c == internal),
            "{internal} offered: {top:?}"
        );
    }
}

#[test]
fn zsh_completes_branches_revisions_and_remotes() {
    if !have_tool("zsh", "zsh") {
        return;
    }
    let repo = repo();
    assert_eq!(zsh(&repo, &["align", "--onto", "ma"]), ["main"]);
    assert_eq!(zsh(&repo, &["git-align", "topic/l"]), ["topic/long-name"]);
    assert_eq!(zsh(&repo, &["align", "fetch", ""]), ["origin"]);
    assert_eq!(zsh(&repo, &["align", "--pause-after=re"]), ["rebase"]);
}

#[test]
fn fish_completes_git_align_and_git_dash_align() {
    if !have_tool("fish", "fish") {
        return;
    }
    let repo = repo();
    repo.align_expect(&["setup", "--shell", "fish"], 0);
    assert_eq!(fish(&repo, "git align --onto ma"), ["main"]);
    assert_eq!(fish(&repo, "git align topic/l"), ["topic/long-name"]);
    assert_eq!(fish(&repo, "git-align push "), ["origin"]);
    assert_eq!(
        fish(&repo, "git align --pause-after=re"),
        ["--pause-after=rebase"]
    );
}

/// The test's HOME (where `setup` installs).
fn home_of(repo: &TestRepo) -> std::path::PathBuf {
    repo.tmp_dir().parent().unwrap().to_path_buf()
}

/// Every file under the test's home, with its content and modification time.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else {
                let meta = std::fs::metadata(&path).unwrap();
                out.push((
                    path.display().to_string(),
                    std::fs::read(&path).unwrap(),
                    meta.modified().unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn setup_installs_once_and_then_changes_nothing() {
    let repo = repo();
    let home = home_of(&repo);
    let dry = repo.align_expect(&["setup", "--shell", "zsh", "--dry-run"], 0);
    assert!(dry.contains("would be installed"), "{dry}");
    let before = snapshot(&home);
    let first = repo.align_expect(&["setup", "--shell", "zsh"], 0);
    assert!(first.contains("man page: installed"), "{first}");
    assert!(first.contains("zsh completion: installed"), "{first}");
    assert!(first.contains("fpath="), "{first}");
    let after_first = snapshot(&home);
    assert_ne!(before, after_first);
    assert!(home.join(".local/share/man/man1/git-align.1").is_file());
    assert!(home
        .join(".local/share/zsh/site-functions/_git-align")
        .is_file());
    let second = repo.align_expect(&["setup", "--shell", "zsh"], 0);
    assert!(!second.contains("installed"), "{second}");
    assert_eq!(second.matches("up to date").count(), 2, "{second}");
    assert_eq!(
        snapshot(&home),
        after_first,
        "the second setup changed something"
    );
}

#[test]
fn setup_with_hooks_installs_the_shipped_hooks_here() {
    let repo = repo();
    repo.align_expect(&["setup", "--shell", "bash", "--hooks"], 0);
    for hook in ["pre-push", "post-merge"] {
        assert!(repo.path.join(".git/hooks").join(hook).is_file(), "{hook}");
    }
    let again = repo.align_expect(&["setup", "--shell", "bash", "--hooks"], 0);
    assert!(again.contains("already installed"), "{again}");
}

#[test]
fn git_align_help_shows_the_installed_man_page() {
    if !have_tool("man", "man-db") {
        return;
    }
    let repo = repo();
    repo.align_expect(&["setup", "--shell", "bash"], 0);
    let home = home_of(&repo);
    let out = repo
        .command("git")
        .args(["align", "--help"])
        .env(
            "MANPATH",
            format!("{}:", home.join(".local/share/man").display()),
        )
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .env("MANWIDTH", "80")
        .output()
        .unwrap();
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for heading in [
        "SYNOPSIS",
        "COMMANDS",
        "EXIT STATUS",
        "CONFIGURATION",
        "EXAMPLES",
        "SEE ALSO",
    ] {
        assert!(page.contains(heading), "{heading} missing:\n{page}");
    }
}

#[test]
fn the_man_page_is_current_and_has_every_section() {
    let page = crate::common::manpage::page();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("man/git-align.1");
    if std::env::var_os("GIT_ALIGN_UPDATE_GENERATED").is_some() {
        std::fs::write(&path, &page).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == page,
        "man/git-align.1 is stale: run GIT_ALIGN_UPDATE_GENERATED=1 cargo test man_page"
    );
    for section in [
        "NAME",
        "SYNOPSIS",
        "DESCRIPTION",
        "COMMANDS",
        "OPTIONS",
        "EXIT STATUS",
        "CONFIGURATION",
        "FILES AND REFS",
        "HOOKS",
        "EXAMPLES",
        "SEE ALSO",
    ] {
        assert!(page.contains(&format!(".SH \"{section}\"")), "{section}");
    }
    // The synopsis names each option's value, and each visible command has a line.
    assert!(page.contains("\\-\\-onto \\fIREV\\fR"), "{page}");
    for command in [
        "status", "continue", "cancel", "undo", "push", "fetch", "setup",
    ] {
        assert!(
            page.contains(&format!("\\fBgit align {command}")),
            "{command}"
        );
    }
    assert!(
        !page.contains("git align hook\\fR"),
        "the internal hook command is listed"
    );
    assert!(!page.contains("git\\-align\\-start(1)"));
}
