//! `LedgerError`: why an inventory entry, rule, count or invoice was refused.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A quantity bucket of a stock balance (or the units in one bin), as named
/// in errors and differences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    /// Units physically in the warehouse and sellable (reserved or not).
    OnHand,
    /// Units promised to orders or checkout holds.
    Reserved,
    /// Units on a shipped inbound shipment (ASN) not yet received.
    InTransit,
    /// Units in the warehouse but not sellable (damaged, quarantined).
    Damaged,
    /// `on_hand − reserved`: what can still be promised.
    Available,
    /// Physical units at one bin (and lot) of a warehouse.
    Location,
}

impl Bucket {
    /// The stable snake_case name, e.g. `"on_hand"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Bucket::OnHand => "on_hand",
            Bucket::Reserved => "reserved",
            Bucket::InTransit => "in_transit",
            Bucket::Damaged => "damaged",
            Bucket::Available => "available",
            Bucket::Location => "location",
        }
    }
}

impl fmt::Display for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Why the inventory rules refused something. Each variant has a stable
/// [`code`](LedgerError::code) for an RFC 9457 problem, and validation
/// errors name the field path (`quantity`, `reason_code`, `lines[2].counted`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    /// An input value is missing, malformed or out of range.
    #[error("{field}: {reason}")]
    Invalid {
        /// Path of the offending field, snake_case.
        field: String,
        /// What is wrong, naming the value.
        reason: String,
    },
    /// The entry would take a bucket below zero (e.g. reserving more than
    /// is available): nothing is changed.
    #[error("quantity: {reason}")]
    Insufficient {
        /// The bucket that would go below zero.
        bucket: Bucket,
        /// What the bucket holds now.
        have: i64,
        /// What the entry takes from it.
        need: i64,
        /// The full sentence, naming SKU, warehouse and bin.
        reason: String,
    },
    /// The ledger contradicts itself (more units leave than ever arrived),
    /// found while computing ages or fees from it.
    #[error("ledger: {reason}")]
    Inconsistent {
        /// What was found, naming the entry.
        reason: String,
    },
    /// A quantity or amount does not fit the integer or decimal range.
    #[error("{field}: out of range: {operation}")]
    Overflow {
        /// Path of the field being computed.
        field: String,
        /// The operation with its operands.
        operation: String,
    },
}

impl LedgerError {
    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> LedgerError {
        LedgerError::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn overflow(field: impl Into<String>, operation: impl Into<String>) -> LedgerError {
        LedgerError::Overflow {
            field: field.into(),
            operation: operation.into(),
        }
    }

    /// The same error with its field path put under `prefix`
    /// (`counted` under `lines[2]` is `lines[2].counted`).
    pub(crate) fn under(self, prefix: &str) -> LedgerError {
        match self {
            LedgerError::Invalid { field, reason } => LedgerError::Invalid {
                field: format!("{prefix}.{field}"),
                reason,
            },
            LedgerError::Overflow { field, operation } => LedgerError::Overflow {
                field: format!("{prefix}.{field}"),
                operation,
            },
            other => other,
        }
    }

    /// The stable code: `invalid_input`, `insufficient_stock`,
    /// `ledger_inconsistent` or `overflow`.
    pub const fn code(&self) -> &'static str {
        match self {
            LedgerError::Invalid { .. } => "invalid_input",
            LedgerError::Insufficient { .. } => "insufficient_stock",
            LedgerError::Inconsistent { .. } => "ledger_inconsistent",
            LedgerError::Overflow { .. } => "overflow",
        }
    }

    /// The field path the error is about, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            LedgerError::Invalid { field, .. } | LedgerError::Overflow { field, .. } => Some(field),
            LedgerError::Insufficient { .. } => Some("quantity"),
            LedgerError::Inconsistent { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_fields_and_prefixes() {
        let err = LedgerError::invalid("counted", "must not be negative").under("lines[2]");
        assert_eq!(err.to_string(), "lines[2].counted: must not be negative");
        assert_eq!(err.code(), "invalid_input");
        assert_eq!(err.field(), Some("lines[2].counted"));
        let err = LedgerError::Insufficient {
            bucket: Bucket::Available,
            have: 3,
            need: 5,
            reason: "5 needed, 3 available".into(),
        };
        assert_eq!(err.code(), "insufficient_stock");
        assert_eq!(err.field(), Some("quantity"));
        assert_eq!(err.clone().under("x"), err);
        assert_eq!(Bucket::InTransit.to_string(), "in_transit");
        assert_eq!(
            serde_json::to_string(&Bucket::OnHand).unwrap(),
            "\"on_hand\""
        );
    }
}
