//! Moving branches and the work tree of the checked-out one: the run's compare-and-swap
//! ref moves, and the work-tree comparisons that cancel and fetch use too.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::git::{BranchName, Oid, RefMove, RefUpdate, Repo, Unstash};
use crate::state::State;
use crate::ui::Ui;

/// Moves the branch at `index` from its original to its new oid (compare-and-swap, with
/// the run's reflog message), bringing the work tree along if it is checked out here or
/// in another worktree (`elsewhere`). A branch found anywhere else, or whose work tree
/// has uncommitted changes, is left alone and marked failed.
pub fn move_branch(
    repo: &Repo,
    state: &mut State,
    index: usize,
    elsewhere: &HashMap<String, PathBuf>,
    ui: Ui,
) -> Result<()> {
    let message = format!("align: onto {} ({})", state.onto.name, state.run_id);
    let branch = &mut state.branches[index];
    let (original, new) = (
        branch.original,
        branch
            .new
            .expect("a branch is moved only once its new tip is known"),
    );
    let refname = BranchName::new(&branch.name).refname();
    let moved_away = |actual: Option<Oid>| {
        format!(
            "moved outside git-align to {}; left alone",
            describe_oid(actual)
        )
    };
    let actual = repo.ref_target(&refname)?;
    let failure = if actual == Some(new) {
        None
    } else if actual != Some(original) {
        Some(moved_away(actual))
    } else if let Some(problem) = {
        // A locked ref stops here, before the work tree of a checked-out branch moves.
        repo.refuse_locked_refs(&[&refname])?;
        match elsewhere.get(&branch.name) {
            Some(path) => update_worktree(repo, path, original, new)?,
            None => update_checked_out(repo, &branch.name, original, new)?,
        }
    } {
        Some(problem)
    } else {
        match repo.update_ref(&refname, new, Some(original), &message)? {
            RefUpdate::Done => None,
            RefUpdate::Moved { actual } => Some(moved_away(actual)),
        }
    };
    match failure {
        None => aligned(branch, ui),
        Some(problem) => {
            ui.warn(format!(
                "{}: {}",
                branch.name,
                crate::ui::escape_line(&problem)
            ));
            branch.fail(problem);
        }
    }
    Ok(())
}

/// The branch's ref is at its new tip: says so.
fn aligned(branch: &mut crate::state::BranchState, ui: Ui) {
    branch.aligned();
    let new = branch.new.expect("an aligned branch has its new tip");
    if branch.original == new {
        ui.say(format!("aligned  {} (already up to date)", branch.name));
    } else {
        ui.say(format!(
            "aligned  {} {} -> {}",
            branch.name,
            branch.original.short(),
            new.short()
        ));
    }
}

/// Where refs are moved by the system git (reftable), a batch is one transaction
/// rather than a git per branch: moves together the branches of `batch` that need
/// nothing else (at their original, checked out nowhere), each checked against its
/// original. Returns the branches left for [`move_branch`] (all of them when the
/// transaction finds one moved, or with the files backend).
pub fn move_plain_branches(
    repo: &Repo,
    state: &mut State,
    batch: &[usize],
    elsewhere: &HashMap<String, PathBuf>,
    ui: Ui,
) -> Result<Vec<usize>> {
    if !repo.refs_through_git() || batch.len() < 2 {
        return Ok(batch.to_vec());
    }
    let here = repo.head()?.branch;
    let now: HashMap<String, Oid> = repo.local_branches()?.into_iter().collect();
    let (plain, rest): (Vec<usize>, Vec<usize>) = batch.iter().partition(|i| {
        let b = &state.branches[**i];
        b.new.is_some()
            && now.get(&b.name) == Some(&b.original)
            && here.as_deref() != Some(b.name.as_str())
            && !elsewhere.contains_key(&b.name)
    });
    let moves: Vec<RefMove> = plain
        .iter()
        .map(|i| {
            let b = &state.branches[*i];
            RefMove {
                refname: BranchName::new(&b.name).refname(),
                from: Some(b.original),
                to: b.new,
            }
        })
        .collect();
    let message = format!("align: onto {} ({})", state.onto.name, state.run_id);
    if !matches!(repo.move_refs_atomically(&moves, &message), Ok(None)) {
        // Someone moved one meanwhile, or a lock was in the way: nothing moved, and
        // each is looked at on its own (which says which, and pauses on a lock).
        return Ok(batch.to_vec());
    }
    for index in &plain {
        aligned(&mut state.branches[*index], ui);
        crate::crashpoint::point();
    }
    Ok(rest)
}

/// If `name` is checked out here, brings the work tree and index from `from` to `to`
/// (a crash may have left them at `to` already). Some: why it cannot.
fn update_checked_out(repo: &Repo, name: &str, from: Oid, to: Oid) -> Result<Option<String>> {
    if repo.head()?.branch.as_deref() != Some(name) {
        return Ok(None);
    }
    Ok(checkout_if_clean(repo, &[from, to], to)?
        .map(|path| format!("checked out with uncommitted changes ({path}); left alone")))
}

/// Brings the linked worktree at `path` (where the branch is checked out) from `from` to
/// `to`, as [`update_checked_out`] does here. Some: why it cannot.
fn update_worktree(repo: &Repo, path: &Path, from: Oid, to: Oid) -> Result<Option<String>> {
    let worktree = repo.open_worktree(path)?;
    Ok(checkout_if_clean(&worktree, &[from, to], to)?.map(|file| {
        format!(
            "checked out with uncommitted changes ({file}) in worktree {}; left alone",
            path.display()
        )
    }))
}

/// How the work tree and index compare with some commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkTree {
    /// The repository has no work tree.
    Bare,
    /// They match this tree (of the first commit they match).
    Matches(Oid),
    /// They match none; this path differs from the first commit.
    Dirty(String),
}

/// Compares the work tree and index with each of `commits` in turn.
pub fn compare_work_tree(repo: &Repo, commits: &[Oid]) -> Result<WorkTree> {
    if repo.workdir().is_none() {
        return Ok(WorkTree::Bare);
    }
    let mut first_change = None;
    for commit in commits {
        let tree = repo.tree_of(*commit)?;
        match repo.first_change_against(tree)? {
            None => return Ok(WorkTree::Matches(tree)),
            Some(path) => {
                first_change.get_or_insert(path);
            }
        }
    }
    Ok(WorkTree::Dirty(first_change.unwrap_or_default()))
}

/// Brings the work tree and index to `to`'s tree if they are clean against one of the
/// `expected` commits; None when done (or nothing to do, or no work tree), Some(path) when
/// `path` has changes of the user's.
pub fn checkout_if_clean(repo: &Repo, expected: &[Oid], to: Oid) -> Result<Option<String>> {
    match compare_work_tree(repo, expected)? {
        WorkTree::Bare => Ok(None),
        WorkTree::Dirty(path) => Ok(Some(path)),
        WorkTree::Matches(tree) => {
            let target = repo.tree_of(to)?;
            if tree != target {
                repo.force_checkout(target)?;
                crate::crashpoint::point();
            }
            Ok(None)
        }
    }
}

/// Applies the changes `--autostash` put aside to the work tree again, if they are still
/// in the stash list, and says how it went.
pub fn bring_back_autostash(repo: &Repo, state: &State, ui: Ui) -> Result<()> {
    let Some(stash) = state.autostash else {
        return Ok(());
    };
    match crate::git::unstash(repo, stash)? {
        Unstash::Applied => ui.say(format!("applied your autostash ({})", stash.short())),
        Unstash::Conflicted => {
            ui.warn(format!(
                "applying your autostash ({}) resulted in conflicts; your changes are safe in the stash list",
                stash.short()
            ));
            ui.hint("resolve the conflicts in the work tree and 'git stash drop' it, or 'git checkout -f' and apply it later");
        }
        Unstash::Kept => {
            ui.warn(format!(
                "your autostash ({}) cannot be applied here; it stays in the stash list",
                stash.short()
            ));
            ui.hint("'git stash list' shows it, 'git stash pop' applies it when you are ready");
        }
        Unstash::NotListed => ui.detail(format!(
            "the autostash {} is not in this repository's stash list; nothing to apply",
            stash.short()
        )),
    }
    Ok(())
}

/// An oid for a message, or what its absence means for a ref.
fn describe_oid(oid: Option<Oid>) -> String {
    oid.map(|o| o.short())
        .unwrap_or_else(|| "nothing (deleted)".into())
}
