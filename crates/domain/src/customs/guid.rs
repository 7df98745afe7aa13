//! `MessageGuid`: the 36-character identifier every CEB record carries.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A CEB `guid`: 36 characters, `8-4-4-4-12` hexadecimal digits, written
/// in upper case (as the customs samples do).
///
/// The domain never draws random numbers: a guid is either given (the
/// caller may use a random UUID) or derived with [`MessageGuid::derive`]
/// from what identifies the record, so the same record at the same
/// application time always gets the same guid.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MessageGuid(String);

impl MessageGuid {
    /// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (any case; kept upper).
    pub fn parse(text: &str) -> Result<MessageGuid, String> {
        let ok = text.len() == 36
            && text.char_indices().all(|(i, c)| match i {
                8 | 13 | 18 | 23 => c == '-',
                _ => c.is_ascii_hexdigit(),
            });
        if ok {
            Ok(MessageGuid(text.to_ascii_uppercase()))
        } else {
            Err(format!(
                "{:?} is not a guid of the form XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX",
                text.chars().take(40).collect::<String>()
            ))
        }
    }

    /// A guid derived from `parts`: the 128-bit FNV-1a hash of the parts
    /// (each followed by a 0 byte so `["ab","c"]` ≠ `["a","bc"]`), shaped
    /// as an RFC 9562 version-8 (custom) UUID. Not a secret and not
    /// collision-proof against an adversary; unique enough for the records
    /// of one company, since the parts name the message, the company, the
    /// record and the application time.
    pub fn derive(parts: &[&str]) -> MessageGuid {
        const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
        const PRIME: u128 = 0x0000000001000000000000000000013B;
        let mut hash = OFFSET;
        for part in parts {
            for &byte in part.as_bytes().iter().chain(std::iter::once(&0u8)) {
                hash ^= u128::from(byte);
                hash = hash.wrapping_mul(PRIME);
            }
        }
        // Version 8 in bits 48–51, variant 0b10 in bits 64–65.
        hash = (hash & !(0xF << 76)) | (0x8 << 76);
        hash = (hash & !(0x3 << 62)) | (0x2 << 62);
        let hex = format!("{hash:032X}");
        MessageGuid(format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        ))
    }

    /// The 36 characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MessageGuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for MessageGuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MessageGuid({})", self.0)
    }
}

impl TryFrom<String> for MessageGuid {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        MessageGuid::parse(&text)
    }
}

impl From<MessageGuid> for String {
    fn from(guid: MessageGuid) -> String {
        guid.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_guids_are_stable_distinct_and_well_shaped() {
        let a = MessageGuid::derive(&["CEB303", "3301964J31", "SO-1", "20261030140509"]);
        let b = MessageGuid::derive(&["CEB303", "3301964J31", "SO-1", "20261030140509"]);
        let c = MessageGuid::derive(&["CEB303", "3301964J31", "SO-2", "20261030140509"]);
        let d = MessageGuid::derive(&["ab", "c"]);
        let e = MessageGuid::derive(&["a", "bc"]);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(d, e);
        for guid in [&a, &c, &d] {
            assert_eq!(MessageGuid::parse(guid.as_str()).as_ref(), Ok(guid));
            assert_eq!(&guid.as_str()[14..15], "8", "{guid}");
            assert!("89AB".contains(&guid.as_str()[19..20]), "{guid}");
        }
    }

    #[test]
    fn parse_checks_the_shape() {
        let guid = MessageGuid::parse("4cde1cfd-eded-46b1-946c-b8022e42fc94").unwrap();
        assert_eq!(guid.as_str(), "4CDE1CFD-EDED-46B1-946C-B8022E42FC94");
        for bad in [
            "",
            "4CDE1CFD-EDED-46B1-946C-B8022E42FC9",
            "4CDE1CFDEEDED-46B1-946C-B8022E42FC94",
            "4CDE1CFD-EDED-46B1-946C-B8022E42FC9G",
        ] {
            assert!(MessageGuid::parse(bad).is_err(), "{bad}");
        }
    }
}
