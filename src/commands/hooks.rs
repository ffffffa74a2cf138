//! `git align hooks install` and `git align hook NAME`: the hooks git-align ships (the
//! scripts in `hooks/`, built into the binary) and what they run.

use std::io::BufRead;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::cli::{HookArgs, HookName, HooksAction, HooksArgs, StartArgs};
use crate::commands::Outcome;
use crate::commands::{start, Ctx};
use crate::error::{Error, Result};
use crate::rewrite::hooks_dir;
use crate::state::Store;

/// The shipped hooks: name and script.
const SHIPPED: [(&str, &str); 2] = [
    ("pre-push", include_str!("../../hooks/pre-push")),
    ("post-merge", include_str!("../../hooks/post-merge")),
];

/// Installs the shipped hooks; an existing different hook is left alone (exit 1) unless
/// `--force`, which keeps it as `<name>.orig` for the shipped hook to chain to.
pub fn cmd_hooks(ctx: &Ctx, args: &HooksArgs) -> Result<Outcome> {
    let HooksAction::Install { force } = args.action;
    let dir = hooks_dir(&ctx.repo)?;
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    let mut refused = Vec::new();
    for (name, script) in SHIPPED {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(existing) if existing == script => {
                ctx.ui.say(format!("{name}: already installed"));
                continue;
            }
            Ok(_) if !force => {
                ctx.ui.warn(format!(
                    "{name}: {} exists; left alone (--force keeps it as {name}.orig and chains to it)",
                    path.display()
                ));
                refused.push(name);
                continue;
            }
            Ok(_) => keep_as_orig(&path, name, ctx)?,
            Err(_) => {}
        }
        write_executable(&path, script)?;
        ctx.ui.say(format!("{name}: installed {}", path.display()));
    }
    if refused.is_empty() {
        Ok(Outcome::Finished)
    } else {
        Err(Error::Refused(format!(
            "not installed: {} (a hook is already there)",
            refused.join(", ")
        )))
    }
}

fn keep_as_orig(path: &Path, name: &str, ctx: &Ctx) -> Result<()> {
    let orig = path.with_file_name(format!("{name}.orig"));
    if orig.exists() {
        return Err(Error::Refused(format!(
            "{} exists already; move it away first",
            orig.display()
        )));
    }
    std::fs::rename(path, &orig)
        .map_err(|e| Error::io(format!("cannot rename {}", path.display()), e))?;
    ctx.ui.say(format!(
        "{name}: kept your hook as {} (the shipped hook runs it after its own work)",
        orig.display()
    ));
    Ok(())
}

fn write_executable(path: &Path, script: &str) -> Result<()> {
    std::fs::write(path, script)
        .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| Error::io(format!("cannot make {} executable", path.display()), e))
}

/// Runs what a shipped hook asks for.
pub fn cmd_hook(ctx: &Ctx, args: &HookArgs) -> Result<Outcome> {
    match args.name {
        HookName::PrePush => pre_push(ctx, std::io::stdin().lock()),
        HookName::PostMerge => post_merge(ctx),
    }
}

/// Warns about pushed branches that belong to an open run (git gives one line per ref:
/// `<local ref> <local oid> <remote ref> <remote oid>`).
fn pre_push(ctx: &Ctx, input: impl BufRead) -> Result<Outcome> {
    if std::env::var_os(crate::git::PUSHING_ENV).is_some() {
        // 'git align push' itself: sending the run's branches is the point.
        return Ok(Outcome::Finished);
    }
    let Some(state) = Store::open(&ctx.repo)?.load()? else {
        return Ok(Outcome::Finished);
    };
    if !state.state.is_open() {
        return Ok(Outcome::Finished);
    }
    for line in input.lines().map_while(std::io::Result::ok) {
        let Some(branch) = line
            .split_whitespace()
            .next()
            .and_then(|r| r.strip_prefix("refs/heads/"))
        else {
            continue;
        };
        if let Some(b) = state.branch(branch) {
            ctx.ui.warn(format!(
                "pushing {branch}, a branch of alignment run {} which is {} ({} here)",
                state.run_id,
                state.state.as_str(),
                b.status.as_str()
            ));
            ctx.ui.hint("the run may still move it, or put it back on cancel; 'git align continue' or 'git align cancel' first");
        }
    }
    Ok(Outcome::Finished)
}

/// After a merge (a pull) on the base branch: says what `git align` would do, or with
/// `align.auto=true` does it.
fn post_merge(ctx: &Ctx) -> Result<Outcome> {
    let repo = &ctx.repo;
    let Some(current) = repo.head()?.branch else {
        return Ok(Outcome::Finished);
    };
    if Store::open(repo)?
        .load()?
        .is_some_and(|s| s.state.is_open())
    {
        return Ok(Outcome::Finished);
    }
    let Ok((onto, behind)) = start::preview(repo, &StartArgs::default()) else {
        return Ok(Outcome::Finished);
    };
    let on_base = onto.name == current || onto.name.ends_with(&format!("/{current}"));
    if !on_base || behind == 0 {
        return Ok(Outcome::Finished);
    }
    if repo.config_bool("align.auto")? == Some(true) {
        ctx.ui.say(format!(
            "git-align: {onto} moved; aligning {behind} branch(es)",
            onto = onto.name
        ));
        return start::cmd_start(ctx, &StartArgs::default());
    }
    ctx.ui.hint(format!(
        "{} moved; 'git align' re-aligns the {behind} branch(es) that do not contain it yet ('git config align.auto true' does it after every pull)",
        onto.name
    ));
    Ok(Outcome::Finished)
}
