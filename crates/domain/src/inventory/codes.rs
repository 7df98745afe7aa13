//! The small names a ledger entry carries: bin codes, lot numbers, reason
//! codes, the document an entry answers to, and the warehouse's day boundary.

use crate::text_newtype::text_newtype_impls;
use serde::{Deserialize, Serialize};

use super::error::LedgerError;
use crate::calendar::Date;

/// Longest piece of rejected input echoed in an error, in characters.
const MAX_ECHOED_CHARS: usize = 40;

fn echo(input: &str) -> String {
    match input.char_indices().nth(MAX_ECHOED_CHARS) {
        Some((cut, _)) => format!("{}…", &input[..cut]),
        None => input.to_owned(),
    }
}

/// A storage location inside a warehouse, e.g. `A-01-03` (aisle, rack,
/// level): 1–32 of `A-Z`, `0-9`, `-`, `_`, `.`, `/`. Letters are
/// upper-cased on parsing, so `a-01` and `A-01` are the same bin.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BinCode(String);

impl BinCode {
    /// Longest bin code, in characters.
    pub const MAX_CHARS: usize = 32;

    /// Parses a bin code as given (no trimming).
    pub fn parse(text: &str) -> Result<BinCode, LedgerError> {
        let err = |reason: String| LedgerError::invalid("bin", reason);
        if text.is_empty() {
            return Err(err("must not be empty".into()));
        }
        if text.chars().count() > Self::MAX_CHARS {
            return Err(err(format!(
                "{:?} is longer than {} characters",
                echo(text),
                Self::MAX_CHARS
            )));
        }
        if !text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'))
        {
            return Err(err(format!(
                "{:?} may contain only letters A-Z, digits and - _ . /",
                echo(text)
            )));
        }
        Ok(BinCode(text.to_ascii_uppercase()))
    }

    /// The code, upper-case, e.g. `"A-01-03"`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A lot or batch number as printed on the goods: 1–40 characters without
/// whitespace or control characters; case is kept.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LotCode(String);

impl LotCode {
    /// Longest lot number, in characters.
    pub const MAX_CHARS: usize = 40;

    /// Parses a lot number as given (no trimming).
    pub fn parse(text: &str) -> Result<LotCode, LedgerError> {
        let err = |reason: String| LedgerError::invalid("lot", reason);
        if text.is_empty() {
            return Err(err("must not be empty".into()));
        }
        if text.chars().count() > Self::MAX_CHARS {
            return Err(err(format!(
                "{:?} is longer than {} characters",
                echo(text),
                Self::MAX_CHARS
            )));
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(err(format!(
                "{:?} must not contain spaces or control characters",
                echo(text)
            )));
        }
        Ok(LotCode(text.to_owned()))
    }

    /// The lot number, e.g. `"L2026-10-A"`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why stock was adjusted, counted differently, damaged or disposed of:
/// 1–40 of `a-z`, `0-9` and `_`, e.g. `damaged_in_handling`, `cycle_count`.
/// Warehouses may use their own codes; [`ReasonCode::STANDARD`] lists the
/// ones Chuhai itself posts or suggests.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReasonCode(String);

impl ReasonCode {
    /// Longest reason code, in characters.
    pub const MAX_CHARS: usize = 40;
    /// Posted by [`review_count`](super::review_count) on count corrections.
    pub const CYCLE_COUNT: &'static str = "cycle_count";
    /// Codes suggested in forms; any other well-formed code is accepted.
    pub const STANDARD: [&'static str; 8] = [
        Self::CYCLE_COUNT,
        "damaged_in_handling",
        "damaged_on_arrival",
        "expired",
        "found",
        "lost",
        "quality_hold",
        "receiving_error",
    ];

    /// Parses a reason code (no trimming, no case folding).
    pub fn parse(text: &str) -> Result<ReasonCode, LedgerError> {
        let err = |reason: String| LedgerError::invalid("reason_code", reason);
        if text.is_empty() {
            return Err(err("must not be empty".into()));
        }
        if text.len() > Self::MAX_CHARS
            || !text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(err(format!(
                "{:?} must be 1 to {} of a-z, 0-9 and _, e.g. \"damaged_in_handling\"",
                echo(text),
                Self::MAX_CHARS
            )));
        }
        Ok(ReasonCode(text.to_owned()))
    }

    /// The code, e.g. `"lost"`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

text_newtype_impls!(BinCode, LedgerError);
text_newtype_impls!(LotCode, LedgerError);
text_newtype_impls!(ReasonCode, LedgerError);

/// The kind of document a ledger entry answers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceKind {
    /// An inbound shipment (advance shipping notice).
    Asn,
    /// A sales order (storefront, marketplace or trade order).
    Order,
    /// A checkout hold before payment.
    Checkout,
    /// A stock transfer between warehouses.
    Transfer,
    /// A cycle count.
    CycleCount,
    /// A stock adjustment document.
    Adjustment,
    /// A customer return.
    Return,
    /// A disposal or write-off order.
    Disposal,
    /// Entered by hand without another document.
    Manual,
}

/// The document an entry answers to: its kind and its id as the owning
/// module knows it (`"ASN-2026-0042"`, `"1234"`), 1–64 characters without
/// control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Reference {
    /// What kind of document.
    pub kind: ReferenceKind,
    /// Its id.
    pub id: String,
}

impl Reference {
    /// Longest document id, in characters.
    pub const MAX_ID_CHARS: usize = 64;

    /// A reference to document `id` of `kind`, checked.
    pub fn new(kind: ReferenceKind, id: impl Into<String>) -> Result<Reference, LedgerError> {
        let reference = Reference {
            kind,
            id: id.into(),
        };
        reference.validate()?;
        Ok(reference)
    }

    /// Checks the id; the error's field is `reference.id`.
    pub fn validate(&self) -> Result<(), LedgerError> {
        let err = |reason: String| LedgerError::invalid("reference.id", reason);
        if self.id.trim().is_empty() {
            return Err(err("must not be empty".into()));
        }
        if self.id.chars().count() > Self::MAX_ID_CHARS {
            return Err(err(format!(
                "{:?} is longer than {} characters",
                echo(&self.id),
                Self::MAX_ID_CHARS
            )));
        }
        if self.id.chars().any(char::is_control) {
            return Err(err("must not contain control characters".into()));
        }
        Ok(())
    }
}

/// A warehouse's offset from UTC, in whole minutes (−14:00 to +14:00),
/// which decides on which calendar day an entry's instant falls for ages
/// and storage fees. A fixed offset: the store passes the offset in force
/// for the period billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "i32", into = "i32")]
pub struct UtcOffset(i32);

impl UtcOffset {
    /// UTC itself.
    pub const UTC: UtcOffset = UtcOffset(0);
    /// Widest offset in use, in minutes.
    pub const MAX_MINUTES: i32 = 14 * 60;

    /// An offset of `minutes` east of UTC (negative west): Shanghai `480`,
    /// Los Angeles in summer `-420`.
    pub fn from_minutes(minutes: i32) -> Result<UtcOffset, LedgerError> {
        if minutes.abs() > Self::MAX_MINUTES {
            return Err(LedgerError::invalid(
                "utc_offset_minutes",
                format!("{minutes} is beyond ±{} minutes", Self::MAX_MINUTES),
            ));
        }
        Ok(UtcOffset(minutes))
    }

    /// The offset in minutes east of UTC.
    pub const fn minutes(self) -> i32 {
        self.0
    }

    /// The local calendar day of an instant given in milliseconds since
    /// 1970-01-01T00:00Z, clamped to 0001-01-01 ..= 9999-12-31.
    pub fn date_of(self, at_millis: i64) -> Date {
        let local = i128::from(at_millis) + i128::from(self.0) * 60_000;
        let days = local.div_euclid(86_400_000);
        let clamped = days.clamp(
            i128::from(Date::MIN.days_since_epoch()),
            i128::from(Date::MAX.days_since_epoch()),
        );
        // Within the clamp, the value fits in i32 and is a valid date.
        Date::from_days_since_epoch(clamped as i32).unwrap_or(Date::EPOCH)
    }
}

impl TryFrom<i32> for UtcOffset {
    type Error = LedgerError;
    fn try_from(minutes: i32) -> Result<Self, Self::Error> {
        UtcOffset::from_minutes(minutes)
    }
}

impl From<UtcOffset> for i32 {
    fn from(offset: UtcOffset) -> i32 {
        offset.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bin_codes_are_upper_cased_and_checked() {
        assert_eq!(BinCode::parse("a-01-03").unwrap().as_str(), "A-01-03");
        assert_eq!(BinCode::parse("A-01-03"), BinCode::parse("a-01-03"));
        for bad in ["", "A 01", "A\t1", "货架1", &"A".repeat(33)] {
            let err = BinCode::parse(bad).unwrap_err();
            assert_eq!(err.field(), Some("bin"), "{bad:?}");
        }
        let json = serde_json::to_string(&BinCode::parse("b.2/3").unwrap()).unwrap();
        assert_eq!(json, "\"B.2/3\"");
        assert!(serde_json::from_str::<BinCode>("\"a b\"").is_err());
    }

    #[test]
    fn lots_and_reasons() {
        assert_eq!(LotCode::parse("L2026-10-a").unwrap().as_str(), "L2026-10-a");
        assert!(LotCode::parse("L 1").is_err());
        assert!(LotCode::parse("").is_err());
        for code in ReasonCode::STANDARD {
            assert!(ReasonCode::parse(code).is_ok(), "{code}");
        }
        let err = ReasonCode::parse("Lost").unwrap_err();
        assert_eq!(err.field(), Some("reason_code"));
        assert!(err.to_string().contains("\"Lost\""), "{err}");
        assert!(ReasonCode::parse("").is_err());
    }

    #[test]
    fn references_need_an_id() {
        let r = Reference::new(ReferenceKind::Asn, "ASN-2026-0042").unwrap();
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"kind":"asn","id":"ASN-2026-0042"}"#
        );
        let err = Reference::new(ReferenceKind::Order, " ").unwrap_err();
        assert_eq!(err.field(), Some("reference.id"));
        assert!(Reference::new(ReferenceKind::Order, "x".repeat(65)).is_err());
        assert!(Reference::new(ReferenceKind::Order, "a\nb").is_err());
    }

    #[test]
    fn offsets_decide_the_local_day() {
        // 2026-10-30T20:00Z is already the 31st in Shanghai (+08:00).
        let at = 1_793_390_400_000; // 2026-10-30T20:00:00Z
        assert_eq!(UtcOffset::UTC.date_of(at).to_string(), "2026-10-30");
        let shanghai = UtcOffset::from_minutes(480).unwrap();
        assert_eq!(shanghai.date_of(at).to_string(), "2026-10-31");
        let los_angeles = UtcOffset::from_minutes(-420).unwrap();
        assert_eq!(los_angeles.date_of(at).to_string(), "2026-10-30");
        assert_eq!(UtcOffset::UTC.date_of(-1).to_string(), "1969-12-31");
        assert_eq!(UtcOffset::UTC.date_of(i64::MAX), Date::MAX);
        assert!(UtcOffset::from_minutes(841).is_err());
        assert!(serde_json::from_str::<UtcOffset>("900").is_err());
        assert_eq!(serde_json::to_string(&shanghai).unwrap(), "480");
    }
}
