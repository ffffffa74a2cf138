//! Local branch names, and the full ref names they stand for.

/// A local branch's short name (`feat-a`, `topic/0001`); its ref is `refs/heads/<name>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BranchName(String);

impl BranchName {
    /// The branch called `name` (a short name, without `refs/heads/`).
    pub fn new(name: &str) -> BranchName {
        BranchName(name.to_string())
    }

    /// The full ref name, `refs/heads/<name>`.
    pub fn refname(&self) -> String {
        format!("refs/heads/{}", self.0)
    }

    /// Whether git would accept the name as a branch: a valid ref name under
    /// `refs/heads/` that `git branch` can create (not `HEAD`, not starting with `-`).
    pub fn is_valid(&self) -> bool {
        !self.0.is_empty()
            && self.0 != "HEAD"
            && !self.0.starts_with('-')
            && git2::Reference::is_valid_name(&self.refname())
    }
}

#[cfg(test)]
mod tests {
    use super::BranchName;

    #[test]
    fn names_git_refuses_are_invalid() {
        for bad in [
            "", "HEAD", "-x", "a..b", "a b", "x.lock", "a/", "/a", "a\nb", "@{x}",
        ] {
            assert!(!BranchName::new(bad).is_valid(), "{bad:?}");
        }
        for good in ["main", "topic/0001", "feat-a", "a.b", "HEADS"] {
            assert!(BranchName::new(good).is_valid(), "{good:?}");
        }
    }
}
