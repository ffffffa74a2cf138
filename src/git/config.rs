//! git config: reading and setting values, git's boolean rules.

use super::{found, GitContext, Repo};
use crate::error::Result;

impl Repo {
    /// Every value of a multi-valued config key, in config order.
    pub fn config_strings(&self, key: &str) -> Result<Vec<String>> {
        let config = self
            .inner
            .config()
            .ctx(|| "cannot read git config".into())?;
        let mut values = Vec::new();
        let mut entries = config
            .multivar(key, None)
            .ctx(|| format!("cannot read config {key}"))?;
        while let Some(entry) = entries.next() {
            let entry = entry.ctx(|| format!("cannot read config {key}"))?;
            if let Ok(value) = entry.value() {
                values.push(value.to_string());
            }
        }
        Ok(values)
    }

    /// A config value, or None when unset.
    pub fn config_string(&self, key: &str) -> Result<Option<String>> {
        let config = self
            .inner
            .config()
            .ctx(|| "cannot read git config".into())?;
        found(config.get_string(key)).ctx(|| format!("cannot read config {key}"))
    }

    /// Sets a config value in the repository's own config file.
    pub fn set_config(&self, key: &str, value: &str) -> Result<()> {
        let mut config = self
            .inner
            .config()
            .ctx(|| "cannot read git config".into())?;
        config
            .set_str(key, value)
            .ctx(|| format!("cannot set config {key}"))
    }

    /// A boolean config value, or None when unset.
    pub fn config_bool(&self, key: &str) -> Result<Option<bool>> {
        let config = self
            .inner
            .config()
            .ctx(|| "cannot read git config".into())?;
        found(config.get_bool(key)).ctx(|| format!("cannot read config {key}"))
    }
}

/// Reads a config value as a boolean the way git does (`true`, `yes`, `on`, `1`, ...).
pub fn parse_config_bool(value: &str) -> Option<bool> {
    git2::Config::parse_bool(value).ok()
}
