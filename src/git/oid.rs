//! Object ids as plain values, independent of git2.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A git object id (SHA-1), serialised as 40 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Oid([u8; 20]);

impl Oid {
    pub(crate) fn from_git(oid: git2::Oid) -> Oid {
        let mut bytes = [0u8; 20];
        bytes.copy_from_slice(&oid.as_bytes()[..20]);
        Oid(bytes)
    }

    pub(crate) fn to_git(self) -> git2::Oid {
        git2::Oid::from_bytes(&self.0).expect("20 bytes make a valid SHA-1 oid")
    }

    /// The first seven hex digits, for messages.
    pub fn short(&self) -> String {
        self.to_string()[..7].to_string()
    }

    /// Builds an oid from raw bytes (tests and fakes).
    pub fn from_bytes(bytes: [u8; 20]) -> Oid {
        Oid(bytes)
    }
}

impl fmt::Display for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Oid({})", self.short())
    }
}

/// Why a string is not an object id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadOid(pub String);

impl fmt::Display for BadOid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}' is not a 40-digit object id", self.0)
    }
}

impl FromStr for Oid {
    type Err = BadOid;

    fn from_str(text: &str) -> Result<Oid, BadOid> {
        let bad = || BadOid(text.chars().take(60).collect());
        if text.len() != 40 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let mut bytes = [0u8; 20];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
        }
        Ok(Oid(bytes))
    }
}

impl Serialize for Oid {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Oid {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Oid, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_hex() {
        let text = "0123456789abcdef0123456789abcdef01234567";
        let oid: Oid = text.parse().unwrap();
        assert_eq!(oid.to_string(), text);
        assert_eq!(oid.short(), "0123456");
    }

    #[test]
    fn rejects_bad_text() {
        assert!("xyz".parse::<Oid>().is_err());
        assert!("g123456789abcdef0123456789abcdef01234567"
            .parse::<Oid>()
            .is_err());
    }
}
