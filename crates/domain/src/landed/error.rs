//! `LandedError`: why a landed-cost quote (or a rule, or a tariff line) was
//! refused, with the path of the field concerned.

use std::fmt;

use serde::Serialize;

use crate::fx::FxError;
use crate::money::MoneyError;

/// What kind of problem a [`LandedError`] is; the stable snake_case
/// [`code`](LandedErrorKind::code) suits an RFC 9457 problem's `code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LandedErrorKind {
    /// A request value is missing or out of range (quantity ≤ 0, price ≤ 0,
    /// no origin, an incoterm other than DDP/DAP…).
    InvalidInput,
    /// No rule covers the destination country at all.
    UnknownDestination,
    /// Rules cover the destination, but none is valid on the date.
    OutsideValidity,
    /// No tariff line (and no `duty_rate`) gives the duty of an item.
    UnknownTariff,
    /// An exchange rate needed for a conversion is missing.
    MissingFxRate,
    /// A rule or tariff line used by the quote is itself wrong (e.g. a
    /// specific duty in another currency than the rule's).
    InvalidRule,
    /// Reverse pricing: no goods price reaches the target.
    TargetUnreachable,
    /// An amount does not fit in 64-bit minor units.
    Overflow,
}

impl LandedErrorKind {
    /// The stable name, e.g. `"unknown_tariff"`.
    pub const fn code(self) -> &'static str {
        match self {
            LandedErrorKind::InvalidInput => "invalid_input",
            LandedErrorKind::UnknownDestination => "unknown_destination",
            LandedErrorKind::OutsideValidity => "outside_validity",
            LandedErrorKind::UnknownTariff => "unknown_tariff",
            LandedErrorKind::MissingFxRate => "missing_fx_rate",
            LandedErrorKind::InvalidRule => "invalid_rule",
            LandedErrorKind::TargetUnreachable => "target_unreachable",
            LandedErrorKind::Overflow => "overflow",
        }
    }
}

impl fmt::Display for LandedErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.code())
    }
}

/// A refused quote: the kind, the path of the offending field in the
/// request (`items[2].unit_price`, `destination`, `date`,
/// `items[0].tariff_code`) and the reason in English, naming the values.
///
/// `Display` is `"{field}: {reason}"`. JSON: `{"kind", "field", "reason"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct LandedError {
    /// What kind of problem it is.
    pub kind: LandedErrorKind,
    /// Path of the field concerned, snake_case, e.g. `items[2].unit_price`.
    pub field: String,
    /// What is wrong, naming the value.
    pub reason: String,
}

impl LandedError {
    /// An error of `kind` about `field`.
    pub fn new(kind: LandedErrorKind, field: impl Into<String>, reason: impl Into<String>) -> Self {
        LandedError {
            kind,
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        LandedError::new(LandedErrorKind::InvalidInput, field, reason)
    }

    pub(crate) fn overflow(field: impl Into<String>, operation: impl fmt::Display) -> Self {
        LandedError::new(
            LandedErrorKind::Overflow,
            field,
            format!("amount out of range: {operation}"),
        )
    }

    /// A money error (overflow, currency mismatch) while computing `field`.
    pub(crate) fn money(field: impl Into<String>, error: MoneyError) -> Self {
        LandedError::new(LandedErrorKind::Overflow, field, error.to_string())
    }

    /// An FX error while converting `field`.
    pub(crate) fn fx(field: impl Into<String>, error: FxError) -> Self {
        let kind = match error {
            FxError::UnknownCurrency { .. } | FxError::NoRateOnOrBefore { .. } => {
                LandedErrorKind::MissingFxRate
            }
            _ => LandedErrorKind::Overflow,
        };
        LandedError::new(kind, field, error.to_string())
    }
}
