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
        let [a, b, c, d] = [self.0[0], self.0[1], self.0[2], self.0[3]];
        let mut text = format!("{a:02x}{b:02x}{c:02x}{d:02x}");
        text.truncate(7);
        text
    }

    /// Builds an oid from raw bytes.
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
        let hex = text.as_bytes();
        if hex.len() != 40 {
            return Err(bad());
        }
        // A state holds tens of thousands of ids: each pair of digits decoded directly.
        let mut bytes = [0u8; 20];
        for (byte, pair) in bytes.iter_mut().zip(hex.chunks_exact(2)) {
            let (high, low) = (nibble(pair[0]), nibble(pair[1]));
            *byte = (high.ok_or_else(bad)? << 4) | low.ok_or_else(bad)?;
        }
        Ok(Oid(bytes))
    }
}

impl Serialize for Oid {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The value of one hexadecimal digit.
fn nibble(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// Reads an id from the text the deserializer has at hand, without copying it.
struct OidVisitor;

impl serde::de::Visitor<'_> for OidVisitor {
    type Value = Oid;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a 40-digit hexadecimal object id")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Oid, E> {
        text.parse().map_err(E::custom)
    }
}

impl<'de> Deserialize<'de> for Oid {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Oid, D::Error> {
        deserializer.deserialize_str(OidVisitor)
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
