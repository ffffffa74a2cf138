//! `git align [start]`: plan, checkpoint, run.

use std::collections::BTreeMap;

use clap::ValueEnum;

use crate::cli::{ConflictWorktreeArg, StartArgs, StrategyArg};
use crate::commands::Outcome;
use crate::commands::{remove_stale_worktrees, Ctx};
use crate::error::{Error, Result};
use crate::git::Repo;
use crate::lock::Lock;
use crate::plan::{self, AlignPlan, CommitSource, Lineage, PlanInput};
use crate::run::{compare_work_tree, Runner, WorkTree};
use crate::state::{ConflictWorktree, Onto, Options, Resolution, State, Step, Store, Strategy};

/// Starts a run: refuses if one is open, plans, checkpoints the plan, then aligns.
pub fn cmd_start(ctx: &Ctx, args: &StartArgs) -> Result<Outcome> {
    let repo = &ctx.repo;
    refuse_open_run(&Store::open(repo)?)?;
    let settings = Settings::resolve(repo, args)?;
    // A dry run writes nothing, also not what planning merges (to tell landed branches).
    let _scratch = args.dry_run.then(|| repo.write_nothing()).transpose()?;
    let plan = make_plan(repo, &settings)?;
    if args.dry_run {
        let resolutions = earlier_resolutions(repo, &Store::open(repo)?)?;
        return super::dry_run::print_prediction(
            ctx,
            &plan,
            settings.strategy,
            &resolutions,
            args.json,
        );
    }
    ctx.ui
        .say(plan::describe(&plan, settings.strategy).trim_end());
    if plan::is_empty(&plan) {
        ctx.ui.say("nothing to align");
        return Ok(Outcome::Finished);
    }
    let reviewed = settings.options.exec.is_some() || !settings.options.pause_after.is_empty();
    let landed = plan::landed_names(&plan);
    let pruning = settings.options.prune && !landed.is_empty();
    if !landed.is_empty() && !settings.options.prune {
        ctx.ui.say(format!(
            "landed on {}: {} (left as they are; --prune deletes them)",
            crate::ui::escape_line(&plan.onto.name),
            crate::ui::escape_line(&landed.join(", "))
        ));
    }
    if plan::is_up_to_date(&plan) && !reviewed && !pruning {
        ctx.ui.say(format!(
            "nothing to align: every branch already sits on {}",
            plan.onto.name
        ));
        return Ok(Outcome::Finished);
    }
    if crate::signals::stop_requested() {
        return Err(Error::Interrupted);
    }
    let dirty = dirty_checkout(repo, &plan)?;
    if let (Some(why), false) = (&dirty, settings.options.autostash) {
        return Err(Error::Dirty(why.clone()));
    }
    let _lock = Lock::acquire(repo)?;
    remove_stale_worktrees(ctx);
    let mut store = Store::open(repo)?;
    refuse_open_run(&store)?;
    // No run is open: a check worktree is a leftover.
    crate::git::remove_check_worktree(repo);
    if let Some(head) = crate::git::forget_stale_head(repo)? {
        ctx.ui.warn(format!(
            "forgot ALIGN_HEAD, left by a run that is no longer open (HEAD was {head}); HEAD and the files are as they were"
        ));
    }
    let resolutions = earlier_resolutions(repo, &store)?;
    let mut state = new_state(repo, &plan, settings, resolutions)?;
    if dirty.is_some() {
        let message = format!("git-align autostash ({})", state.run_id);
        let stash = crate::git::stash_changes(repo, &repo.committer()?, &message)?;
        ctx.ui.say(format!(
            "stashed your uncommitted changes ({})",
            stash.short()
        ));
        state.autostash = Some(stash);
    }
    if let Some(command) = &state.options.exec {
        // Given here: it may run here, also after a crash, on 'git align continue'.
        crate::trust::trust(repo, command)?;
    }
    let kept: Vec<_> = state
        .branches
        .iter()
        .map(|b| b.original)
        .chain(state.resolutions.iter().map(|r| r.commit))
        .chain(state.autostash)
        .collect();
    store.keep(&state.run_id, &kept)?;
    store.save(
        &state,
        &format!(
            "start: {} branches onto {}",
            state.branches.len(),
            state.onto.name
        ),
    )?;
    store.release_other_runs(&state.run_id)?;
    crate::here::mark_worked_here(repo, &state.run_id)?;
    let commits = CommitSource::from_plan(&plan);
    Ok(Runner::new(repo, store, state, commits, ctx.ui)?
        .drive()?
        .into())
}

/// The plan for these settings (pure: writes nothing).
fn make_plan(repo: &Repo, settings: &Settings) -> Result<AlignPlan> {
    let lineage = match Store::open(repo)?.load() {
        Ok(Some(previous)) => lineage_of(&previous),
        // An unreadable previous run only costs its memory of stacks.
        _ => Vec::new(),
    };
    let input = PlanInput {
        lineage,
        onto: settings.onto.clone(),
        branches: repo.local_branches()?,
        patterns: settings.branches.clone(),
        checked_out_elsewhere: dirty_worktrees(repo)?,
    };
    plan::plan(repo, &input)
}

/// The branches checked out in other worktrees with uncommitted changes, each with the
/// worktree and the first changed path (a clean one is aligned there, its files with it).
fn dirty_worktrees(repo: &Repo) -> Result<BTreeMap<String, String>> {
    let mut dirty = BTreeMap::new();
    for (branch, path) in repo.linked_worktree_branches()? {
        let Some(tip) = repo.ref_target(&crate::git::BranchName::new(&branch).refname())? else {
            continue;
        };
        let worktree = repo.open_worktree(&path)?;
        if let WorkTree::Dirty(file) = compare_work_tree(&worktree, &[tip])? {
            let place = format!("{} with uncommitted changes ({file})", path.display());
            dirty.insert(branch, place);
        }
    }
    Ok(dirty)
}

/// What a start with these options would find: the base, and how many selected branches
/// do not contain it yet (for the post-merge hook).
pub(crate) fn preview(repo: &Repo, args: &StartArgs) -> Result<(Onto, usize)> {
    let settings = Settings::resolve(repo, args)?;
    let plan = make_plan(repo, &settings)?;
    let mut behind = 0;
    for branch in plan
        .branches
        .iter()
        .filter(|b| b.skip.is_none() && b.landed.is_none())
    {
        if !repo.is_ancestor(settings.onto.oid, branch.original)? {
            behind += 1;
        }
    }
    Ok((settings.onto, behind))
}

/// The stacks `previous` recorded: each stacked branch, its parent, and the parent's
/// tips the run knew (its original, and where the run moved it).
fn lineage_of(previous: &State) -> Vec<Lineage> {
    let stacked = previous
        .branches
        .iter()
        .filter(|b| b.stacked)
        .filter_map(|child| {
            let parent = previous.branch(&child.parent)?;
            Some(Lineage {
                child: child.name.clone(),
                parent: parent.name.clone(),
                parent_tips: std::iter::once(parent.original).chain(parent.new).collect(),
            })
        });
    // A branch the run took past a landed one remembers it too (it may not have moved).
    let past_landed = previous.branches.iter().filter_map(|child| {
        Some(Lineage {
            child: child.name.clone(),
            parent: child.landed_below.clone()?,
            parent_tips: vec![child.own_from?],
        })
    });
    stacked.chain(past_landed).collect()
}

fn refuse_open_run(store: &Store<'_>) -> Result<()> {
    match store.load()? {
        Some(state) if state.state.is_open() => Err(Error::RunInProgress {
            run_id: state.run_id,
            state: state.state.as_str().into(),
        }),
        Some(state) if state.restoring.is_some() => Err(Error::WrongState {
            run_id: state.run_id,
            state: "being restored by an interrupted 'undo'".into(),
            what: "'git align undo' finishes restoring it before a new run starts".into(),
        }),
        _ => Ok(()),
    }
}

/// The start options after command line and `git config align.*` are merged.
struct Settings {
    onto: Onto,
    branches: Vec<String>,
    strategy: Strategy,
    options: Options,
}

impl Settings {
    fn resolve(repo: &Repo, args: &StartArgs) -> Result<Settings> {
        let StartArgs {
            onto,
            strategy,
            exec,
            pause_after,
            conflict_worktree,
            autostash,
            no_autostash,
            stop_at_first,
            prune,
            no_prune,
            dry_run: _,
            json: _,
            branches,
        } = args;
        let mut from = Sources::new(repo);
        let (onto, onto_source) = resolve_base(repo, onto.as_deref())?;
        from.noted.insert("onto".into(), onto_source);
        let given_branches = (!branches.is_empty()).then(|| branches.clone());
        let branches = from
            .pick(
                ("branches", given_branches),
                ("align.branches", |v| Ok(split_list(v))),
                "every branch ahead of the base",
            )?
            .unwrap_or_default();
        let strategy = from
            .pick(
                ("strategy", *strategy),
                (
                    "align.strategy",
                    config_enum::<StrategyArg>("align.strategy"),
                ),
                DEFAULT,
            )?
            .map_or(Strategy::Rebase, Into::into);
        let given_steps = (!pause_after.is_empty()).then(|| pause_after.clone());
        let pause_after = from
            .pick(
                ("pause_after", given_steps),
                ("align.pauseAfter", parse_steps),
                DEFAULT,
            )?
            .unwrap_or_default();
        let exec = from
            .pick(
                ("exec", exec.clone()),
                ("align.exec", |v| Ok(v.to_string())),
                DEFAULT,
            )?
            .filter(|command| !command.trim().is_empty());
        let conflict_worktree = from
            .pick(
                ("conflict_worktree", *conflict_worktree),
                (
                    "align.conflictWorktree",
                    config_enum::<ConflictWorktreeArg>("align.conflictWorktree"),
                ),
                DEFAULT,
            )?
            .map_or(ConflictWorktree::Linked, Into::into);
        let given_autostash = (*autostash || *no_autostash).then_some(*autostash);
        let autostash = from
            .pick(
                ("autostash", given_autostash),
                ("align.autostash", |v| parse_bool("align.autostash", v)),
                DEFAULT,
            )?
            .unwrap_or(false);
        let stop_at_first = from
            .pick(
                ("stop_at_first", stop_at_first.then_some(true)),
                ("align.stopAtFirst", |v| parse_bool("align.stopAtFirst", v)),
                DEFAULT,
            )?
            .unwrap_or(false);
        let given_prune = (*prune || *no_prune).then_some(*prune);
        let prune = from
            .pick(
                ("prune", given_prune),
                ("align.prune", |v| parse_bool("align.prune", v)),
                DEFAULT,
            )?
            .unwrap_or(false);
        Ok(Settings {
            onto,
            branches,
            strategy,
            options: Options {
                exec,
                pause_after,
                conflict_worktree,
                autostash,
                stop_at_first,
                prune,
                sources: from.noted,
            },
        })
    }
}

/// Where a setting came from, as `status -v` says it.
pub(super) const COMMAND_LINE: &str = "command line";
/// Where an unset setting comes from.
const DEFAULT: &str = "default";

/// Reads start settings from the command line or else `git config`, noting where each
/// came from (`status -v` prints it).
struct Sources<'r> {
    repo: &'r Repo,
    noted: BTreeMap<String, String>,
}

impl<'r> Sources<'r> {
    fn new(repo: &'r Repo) -> Sources<'r> {
        Sources {
            repo,
            noted: BTreeMap::new(),
        }
    }

    /// The setting `name` as the command line `given` it, else as `read` makes it of
    /// config `key`; None when neither has it (the source noted is then `otherwise`).
    fn pick<T>(
        &mut self,
        (name, given): (&str, Option<T>),
        (key, read): (&str, impl FnOnce(&str) -> Result<T>),
        otherwise: &str,
    ) -> Result<Option<T>> {
        let (value, source) = match (given, self.repo.config_string(key)?) {
            (Some(value), _) => (Some(value), COMMAND_LINE.to_string()),
            (None, Some(text)) => (Some(read(&text)?), format!("git config {key}")),
            (None, None) => (None, otherwise.to_string()),
        };
        self.noted.insert(name.to_string(), source);
        Ok(value)
    }
}

/// A config value split on commas and white space.
fn split_list(value: &str) -> Vec<String> {
    value
        .split([',', ' '])
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The steps of `align.pauseAfter`.
fn parse_steps(value: &str) -> Result<Vec<Step>> {
    split_list(value)
        .iter()
        .map(|s| {
            Step::parse(s).ok_or_else(|| {
                Error::Usage(format!(
                    "align.pauseAfter holds '{s}', not a step (rebase, exec, branch, finish)"
                ))
            })
        })
        .collect()
}

/// Reads config `key` as one of the values of the command-line option it stands for.
pub(super) fn config_enum<E: ValueEnum>(key: &'static str) -> impl FnOnce(&str) -> Result<E> {
    move |value| {
        E::from_str(value, false).map_err(|_| {
            let names: Vec<String> = E::value_variants()
                .iter()
                .filter_map(|v| v.to_possible_value())
                .map(|v| v.get_name().to_string())
                .collect();
            Error::Usage(format!("{key} is '{value}'; use {}", names.join(" or ")))
        })
    }
}

/// Reads a config boolean the way git does (`true`, `yes`, `on`, `1`, ...).
fn parse_bool(key: &str, value: &str) -> Result<bool> {
    crate::git::parse_config_bool(value)
        .ok_or_else(|| Error::Usage(format!("{key} is '{value}', not a boolean")))
}

/// `--onto`, else `align.base`, else the remote's default branch, else main or master;
/// with where it came from.
fn resolve_base(repo: &Repo, arg: Option<&str>) -> Result<(Onto, String)> {
    let named = match arg {
        Some(name) => Some((name.to_string(), COMMAND_LINE.to_string())),
        None => repo
            .config_string("align.base")?
            .map(|name| (name, "git config align.base".to_string())),
    };
    if let Some((name, source)) = named {
        let oid = repo.resolve_commit(&name)?;
        return Ok((Onto { name, oid }, source));
    }
    let remote = repo
        .config_string("align.remote")?
        .unwrap_or_else(|| "origin".into());
    let remote_default = repo
        .remote_default_branch(&remote)?
        .map(|name| (name, format!("default branch of remote {remote}")));
    let candidates = remote_default
        .into_iter()
        .chain(["main", "master"].map(|name| (name.to_string(), "default".to_string())));
    for (name, source) in candidates {
        if let Ok(oid) = repo.resolve_commit(&name) {
            return Ok((Onto { name, oid }, source));
        }
    }
    Err(Error::NoBase)
}

/// When the branch checked out here is to be aligned and the work tree has changes to
/// tracked files: the first changed path, and why it matters.
fn dirty_checkout(repo: &Repo, plan: &AlignPlan) -> Result<Option<String>> {
    let head = repo.head()?;
    let (Some(branch), Some(oid)) = (head.branch, head.oid) else {
        return Ok(None);
    };
    if repo.workdir().is_none()
        || !plan
            .branches
            .iter()
            .any(|b| b.name == branch && b.skip.is_none())
    {
        return Ok(None);
    }
    Ok(repo
        .first_change_against(repo.tree_of(oid)?)?
        .map(|path| {
            format!(
                "{path} (branch {branch} is checked out and would be aligned; --autostash puts the changes aside for the run)"
            )
        }))
}

/// The conflict resolutions the previous run knew (theirs and older), still present.
fn earlier_resolutions(repo: &Repo, store: &Store<'_>) -> Result<Vec<Resolution>> {
    let previous = store.load()?.map(|s| s.resolutions).unwrap_or_default();
    Ok(previous
        .into_iter()
        .filter(|r| repo.is_commit(r.commit))
        .collect())
}

fn new_state(
    repo: &Repo,
    plan: &AlignPlan,
    settings: Settings,
    resolutions: Vec<Resolution>,
) -> Result<State> {
    let mut state = State::started(
        new_run_id(),
        settings.onto,
        settings.strategy,
        settings.options,
        repo.head()?,
        plan::initial_states(plan, |commit| {
            crate::ui::escape_line(&repo.commit_summary(commit).unwrap_or_default())
        }),
    );
    state.resolutions = resolutions;
    Ok(state)
}

/// A run id that sorts by time: `20261123-112530-4f2a`.
fn new_run_id() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let stamp = crate::time::rfc3339(now.as_secs() as i64);
    let compact: String = stamp
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == 'T')
        .collect();
    let salt = (now.subsec_nanos() ^ std::process::id().rotate_left(16)) & 0xffff;
    format!("{}-{salt:04x}", compact.replace('T', "-"))
}
