//! `git align demo`: a scratch repository, and a run that pauses and resumes.

use std::path::Path;
use std::process::Command;

use crate::commands::Outcome;
use crate::error::{Error, Result};
use crate::git::{BranchName, Identity, Oid, Repo};

/// Builds a repository with branches and a stack, moves main on, then shows a run that
/// pauses at the `finish` review checkpoint, the status, the resume and the log.
pub fn cmd_demo() -> Result<Outcome> {
    let dir = tempfile::Builder::new()
        .prefix("git-align-demo-")
        .tempdir()
        .map_err(|e| Error::io("cannot create a scratch directory", e))?
        .keep();
    build_repository(&dir)?;
    println!("# a scratch repository in {}", dir.display());
    println!("# main moved on by one commit; feat-a, feat-b and the stack stack-1 <- stack-2 forked before\n");
    let steps: [&[&str]; 5] = [
        &["--dry-run"],
        &["--onto", "main", "--pause-after", "finish"],
        &["status"],
        &["continue"],
        &["log"],
    ];
    for args in steps {
        println!("$ git align {}", args.join(" "));
        let status = Command::new(
            std::env::current_exe().map_err(|e| Error::io("cannot find git-align", e))?,
        )
        .args(args)
        .current_dir(&dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .status()
        .map_err(|e| Error::io("cannot run git-align", e))?;
        println!("# exit {}\n", status.code().unwrap_or(-1));
    }
    println!(
        "# look around: cd {} && git log --graph --oneline --all",
        dir.display()
    );
    Ok(Outcome::Finished)
}

fn build_repository(dir: &Path) -> Result<()> {
    let repo = Repo::init(dir)?;
    repo.set_config("user.name", "Demo User")?;
    repo.set_config("user.email", "demo@example.com")?;
    let app: Vec<String> = (1..=12).map(|i| format!("line {i}")).collect();
    let base = commit(
        &repo,
        &[],
        &[("app.txt", &app.join("\n"))],
        "Initial commit",
        0,
    )?;
    let mut feat_a = app.clone();
    feat_a[9] = "line 10, improved by feat-a".into();
    let a = commit(
        &repo,
        &[base],
        &[("app.txt", &feat_a.join("\n"))],
        "feat-a: improve line 10",
        1,
    )?;
    let b = commit(
        &repo,
        &[base],
        &[("app.txt", &app.join("\n")), ("b.txt", "feature b")],
        "feat-b: add b.txt",
        2,
    )?;
    let s1 = commit(
        &repo,
        &[base],
        &[("app.txt", &app.join("\n")), ("stack.txt", "one")],
        "stack-1: add stack.txt",
        3,
    )?;
    let s2 = commit(
        &repo,
        &[s1],
        &[("app.txt", &app.join("\n")), ("stack.txt", "one\ntwo")],
        "stack-2: extend stack.txt",
        4,
    )?;
    let mut moved = app.clone();
    moved[0] = "line 1, changed on main".into();
    let main = commit(
        &repo,
        &[base],
        &[("app.txt", &moved.join("\n"))],
        "main: change line 1",
        5,
    )?;
    for (name, oid) in [
        ("feat-a", a),
        ("feat-b", b),
        ("stack-1", s1),
        ("stack-2", s2),
        ("main", main),
    ] {
        repo.update_ref(&BranchName::new(name).refname(), oid, None, "demo: create")?;
    }
    repo.force_checkout(repo.tree_of(main)?)?;
    Ok(())
}

fn commit(
    repo: &Repo,
    parents: &[Oid],
    files: &[(&str, &str)],
    message: &str,
    minute: i64,
) -> Result<Oid> {
    let mut entries = Vec::new();
    for (name, content) in files {
        entries.push((*name, repo.write_blob(format!("{content}\n").as_bytes())?));
    }
    let tree = repo.write_tree(&entries, &[])?;
    let who = Identity {
        name: "Demo User".into(),
        email: "demo@example.com".into(),
        time: 1_700_000_000 + minute * 60,
        offset_minutes: 0,
    };
    repo.create_commit(tree, parents, &who, &who, &format!("{message}\n"))
}
