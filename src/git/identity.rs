//! Who commits, and when: git's `GIT_COMMITTER_*` variables, then `user.*` config.

use super::{GitContext, Repo};
use crate::error::{Error, Result};

/// A name, an email and a timestamp, as in a commit's author or committer line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub name: String,
    pub email: String,
    /// Seconds since the epoch.
    pub time: i64,
    /// Offset from UTC in minutes.
    pub offset_minutes: i32,
}

impl Identity {
    /// The committer git would use: `GIT_COMMITTER_NAME`/`EMAIL`/`DATE`, else `user.name`,
    /// `user.email` and the current time.
    pub(crate) fn committer(repo: &Repo) -> Result<Identity> {
        Identity::from_env(repo, "COMMITTER")
    }

    /// The author git would use for a new commit (a merge): `GIT_AUTHOR_*`, else config.
    pub(crate) fn author(repo: &Repo) -> Result<Identity> {
        Identity::from_env(repo, "AUTHOR")
    }

    fn from_env(repo: &Repo, role: &str) -> Result<Identity> {
        let var = |what: &str| std::env::var(format!("GIT_{role}_{what}"));
        let name = match var("NAME") {
            Ok(name) => name,
            Err(_) => repo.config_string("user.name")?.ok_or_else(no_identity)?,
        };
        let email = match var("EMAIL") {
            Ok(email) => email,
            Err(_) => match repo.config_string("user.email")? {
                Some(email) => email,
                None => std::env::var("EMAIL").map_err(|_| no_identity())?,
            },
        };
        let (time, offset_minutes) = match var("DATE") {
            Ok(date) => parse_date(&date).ok_or_else(|| {
                Error::Usage(format!("GIT_{role}_DATE '{date}' is not a date git-align reads (use '@<seconds> <+hhmm>' or ISO 8601)"))
            })?,
            Err(_) => now_local()?,
        };
        Ok(Identity {
            name,
            email,
            time,
            offset_minutes,
        })
    }

    /// The identity as a libgit2 signature (for the notes API).
    pub(crate) fn signature(&self) -> Result<git2::Signature<'static>> {
        git2::Signature::new(
            &self.name,
            &self.email,
            &git2::Time::new(self.time, self.offset_minutes),
        )
        .ctx(|| format!("'{} <{}>' is not a valid identity", self.name, self.email))
    }

    /// git-align's own identity for checkpoint commits, at the current time.
    pub fn tool() -> Result<Identity> {
        let (time, offset_minutes) = now_local()?;
        Ok(Identity {
            name: "git-align".into(),
            email: "git-align@localhost".into(),
            time,
            offset_minutes,
        })
    }

    /// The identity as it stands in a commit header: `Name <email> 1700000000 +0100`.
    pub fn header(&self) -> String {
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let offset = self.offset_minutes.abs();
        format!(
            "{} <{}> {} {}{:02}{:02}",
            self.name,
            self.email,
            self.time,
            sign,
            offset / 60,
            offset % 60
        )
    }
}

fn no_identity() -> Error {
    Error::Usage(
        "no committer identity: set 'git config user.name' and 'git config user.email'".into(),
    )
}

fn now_local() -> Result<(i64, i32)> {
    let sig = git2::Signature::now("x", "x").ctx(|| "cannot read the clock".into())?;
    Ok((sig.when().seconds(), sig.when().offset_minutes()))
}

/// Parses the date forms scripts use with `GIT_COMMITTER_DATE`: `@<seconds> [<+hhmm>]`,
/// `<seconds> <+hhmm>`, and ISO 8601 `YYYY-MM-DD[T ]HH:MM:SS[Z|+hh:mm|+hhmm]`.
pub fn parse_date(text: &str) -> Option<(i64, i32)> {
    let text = text.trim();
    let mut parts = text.split_whitespace();
    let first = parts.next()?;
    let zone = parts.next();
    if let Ok(seconds) = first.trim_start_matches('@').parse::<i64>() {
        let offset = match zone {
            Some(zone) => parse_zone(zone)?,
            None => 0,
        };
        return Some((seconds, offset));
    }
    parse_iso(text)
}

fn parse_zone(zone: &str) -> Option<i32> {
    if zone == "Z" {
        return Some(0);
    }
    let (sign, digits) = match zone.as_bytes().first()? {
        b'+' => (1, &zone[1..]),
        b'-' => (-1, &zone[1..]),
        _ => return None,
    };
    let digits: String = digits.chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits[2..].parse().ok()?;
    Some(sign * (hours * 60 + minutes))
}

fn parse_iso(text: &str) -> Option<(i64, i32)> {
    let text = text.replacen(' ', "T", 1);
    let (date, rest) = text.split_once('T')?;
    let mut ymd = date.split('-').map(|p| p.parse::<i64>().ok());
    let (year, month, day) = (ymd.next()??, ymd.next()??, ymd.next()??);
    let rest = rest.trim();
    let zone_at = rest.find(['Z', '+', '-']).unwrap_or(rest.len());
    let (clock, zone) = rest.split_at(zone_at);
    let mut hms = clock.trim().split(':').map(|p| p.parse::<i64>().ok());
    let (hour, minute, second) = (
        hms.next()??,
        hms.next()??,
        hms.next().flatten().unwrap_or(0),
    );
    let offset = if zone.trim().is_empty() {
        0
    } else {
        parse_zone(zone.trim())?
    };
    let days = crate::time::days_from_civil(year, month, day);
    let local = days * 86_400 + hour * 3600 + minute * 60 + second;
    Some((local - i64::from(offset) * 60, offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_raw_and_iso_dates() {
        assert_eq!(parse_date("@1700000000 +0100"), Some((1_700_000_000, 60)));
        assert_eq!(parse_date("1700000000 -0230"), Some((1_700_000_000, -150)));
        assert_eq!(parse_date("2023-11-14T22:13:20Z"), Some((1_700_000_000, 0)));
        assert_eq!(
            parse_date("2023-11-14 23:13:20 +01:00"),
            Some((1_700_000_000, 60))
        );
        assert_eq!(parse_date("yesterday"), None);
    }

    #[test]
    fn formats_header() {
        let id = Identity {
            name: "A".into(),
            email: "a@x".into(),
            time: 5,
            offset_minutes: -90,
        };
        assert_eq!(id.header(), "A <a@x> 5 -0130");
    }
}
