//! The system git as the oracle: what a `git rebase --update-refs` loop makes of a
//! repository's branches.

use std::collections::BTreeMap;

use super::TestRepo;

/// What `git rebase` did with one branch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Rebased (or already on the base); the tree of its new tip.
    Clean(String),
    /// Left where it was: the rebase of its stack stopped on a conflict.
    Conflict,
}

/// A copy of `repo` with every branch rebased onto `onto` by `git rebase -q
/// --update-refs`, one by one in name order (a stack's lower branch first); a rebase
/// that stops is aborted. A branch thus gets the verdict of rebasing its own commits:
/// one stacked on a branch that conflicts conflicts on that same commit.
pub fn rebase_loop(repo: &TestRepo, onto: &str) -> TestRepo {
    let copy = repo.copy();
    let head = copy.git(&["symbolic-ref", "-q", "HEAD"]);
    copy.git(&["checkout", "-q", "--detach", onto]);
    for branch in copy.branches().keys().filter(|name| *name != onto) {
        if !copy.git_ok(&["rebase", "-q", "--update-refs", onto, branch]) {
            copy.git(&["rebase", "--abort"]);
        }
    }
    let head = head
        .strip_prefix("refs/heads/")
        .unwrap_or(&head)
        .to_string();
    copy.git(&["checkout", "-q", &head]);
    copy
}

/// Each branch's verdict: `Conflict` for a branch `after` left where `before` had it
/// though it has commits not on `onto`, else `Clean` with its tree.
pub fn verdicts(before: &TestRepo, after: &TestRepo, onto: &str) -> BTreeMap<String, Verdict> {
    let original = before.branches();
    let onto_oid = before.rev(onto);
    after
        .branches()
        .into_iter()
        .filter(|(name, _)| name != onto)
        .map(|(name, oid)| {
            let unmoved = original.get(&name) == Some(&oid);
            let behind = after.git_ok(&["merge-base", "--is-ancestor", &oid, &onto_oid]);
            let contains = after.git_ok(&["merge-base", "--is-ancestor", &onto_oid, &oid]);
            let verdict = if unmoved && !behind && !contains {
                Verdict::Conflict
            } else {
                Verdict::Clean(after.tree(&oid))
            };
            (name, verdict)
        })
        .collect()
}

/// Verdicts in the text form of `tests/data/*.expected`: `<branch> clean <tree>` or
/// `<branch> conflict`, one a line, by name.
pub fn verdicts_text(verdicts: &BTreeMap<String, Verdict>) -> String {
    verdicts
        .iter()
        .map(|(name, v)| match v {
            Verdict::Clean(tree) => format!("{name} clean {tree}\n"),
            Verdict::Conflict => format!("{name} conflict\n"),
        })
        .collect()
}
