//! `FxSource`: who published a set of reference rates.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::FxError;

/// Longest source name, in bytes.
const MAX_LEN: usize = 15;

/// The publisher of a set of exchange rates, e.g. [`FxSource::ECB`] for the
/// European Central Bank's euro reference rates, or `MANUAL` for rates a
/// platform operator typed in.
///
/// A short code of 1–15 characters `A–Z`, `0–9`, `_` or `-`, stored inline
/// (no allocation), so every derived price can carry its source for free.
/// In JSON it is the code string, e.g. `"ECB"`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FxSource {
    len: u8,
    bytes: [u8; MAX_LEN],
}

const fn is_allowed(byte: u8) -> bool {
    byte.is_ascii_uppercase() || byte.is_ascii_digit() || byte == b'_' || byte == b'-'
}

impl FxSource {
    /// The European Central Bank's euro foreign exchange reference rates.
    pub const ECB: FxSource = FxSource::known("ECB");
    /// Rates entered by hand.
    pub const MANUAL: FxSource = FxSource::known("MANUAL");

    const fn known(name: &str) -> FxSource {
        let input = name.as_bytes();
        assert!(!input.is_empty() && input.len() <= MAX_LEN);
        let mut bytes = [0u8; MAX_LEN];
        let mut i = 0;
        while i < input.len() {
            assert!(is_allowed(input[i]));
            bytes[i] = input[i];
            i += 1;
        }
        FxSource {
            len: input.len() as u8,
            bytes,
        }
    }

    /// A source code such as `"ECB"`: 1–15 characters `A–Z`, `0–9`, `_`, `-`.
    pub fn new(name: &str) -> Result<FxSource, FxError> {
        let invalid = |reason| FxError::InvalidSource {
            name: name.chars().take(32).collect(),
            reason,
        };
        if name.is_empty() {
            return Err(invalid("a source name cannot be empty"));
        }
        if name.len() > MAX_LEN {
            return Err(invalid("a source name has at most 15 characters"));
        }
        if !name.bytes().all(is_allowed) {
            return Err(invalid(
                "a source name uses only upper-case letters A-Z, digits, '_' and '-'",
            ));
        }
        let mut bytes = [0u8; MAX_LEN];
        bytes[..name.len()].copy_from_slice(name.as_bytes());
        Ok(FxSource {
            len: name.len() as u8,
            bytes,
        })
    }

    /// The code, e.g. `"ECB"`.
    pub fn as_str(&self) -> &str {
        // Only ASCII bytes are ever stored.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("")
    }
}

impl fmt::Display for FxSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl fmt::Debug for FxSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FxSource({})", self.as_str())
    }
}

impl FromStr for FxSource {
    type Err = FxError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        FxSource::new(name)
    }
}

impl Serialize for FxSource {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for FxSource {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SourceVisitor;

        impl Visitor<'_> for SourceVisitor {
            type Value = FxSource;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an FX source code string such as \"ECB\"")
            }

            fn visit_str<E: de::Error>(self, name: &str) -> Result<FxSource, E> {
                FxSource::new(name).map_err(E::custom)
            }
        }

        deserializer.deserialize_str(SourceVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_checked_and_round_trip() {
        assert_eq!(FxSource::ECB.as_str(), "ECB");
        assert_eq!(FxSource::new("ECB"), Ok(FxSource::ECB));
        assert_eq!(
            FxSource::new("PBOC-CFETS_2").unwrap().to_string(),
            "PBOC-CFETS_2"
        );
        for bad in ["", "ecb", "E C B", "ÉCB", "A234567890123456"] {
            let err = FxSource::new(bad).unwrap_err().to_string();
            assert!(err.contains("source name"), "{bad:?}: {err}");
        }
        assert_eq!(
            serde_json::to_string(&FxSource::MANUAL).unwrap(),
            "\"MANUAL\""
        );
        assert_eq!(
            serde_json::from_str::<FxSource>("\"ECB\"").unwrap(),
            FxSource::ECB
        );
        assert!(serde_json::from_str::<FxSource>("\"ecb\"").is_err());
        assert_eq!(format!("{:?}", FxSource::ECB), "FxSource(ECB)");
    }
}
