//! The errors of pricing: bad input (naming the field), an order quantity
//! the rules refuse, an exchange rate missing.

use serde::Serialize;

use crate::fx::FxError;

/// What can go wrong deriving a price or answering a price query.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    /// An input is invalid; `field` is its path in the request (snake_case,
    /// e.g. `base`, `rule.rounding.step_minor`, `tiers[1].discount`), ready
    /// for an RFC 9457 problem's field list.
    #[error("{field}: {reason}")]
    Invalid {
        /// Path of the offending field.
        field: String,
        /// What is wrong with it, naming the value.
        reason: String,
    },
    /// The quantity breaks an order quantity rule (MOQ, pack size, increment).
    #[error("quantity: {0}")]
    Quantity(#[from] QuantityError),
    /// No exchange rate could be found or applied.
    #[error(transparent)]
    Fx(#[from] FxError),
    /// A price does not fit in 64-bit minor units, or the factors have too
    /// many digits to be multiplied exactly.
    #[error("amount out of range: {operation}")]
    Overflow {
        /// The operation with its operands.
        operation: String,
    },
}

impl PricingError {
    pub(crate) fn invalid(field: &str, reason: impl Into<String>) -> PricingError {
        PricingError::Invalid {
            field: field.to_owned(),
            reason: reason.into(),
        }
    }

    /// The same error with its field path put under `prefix`
    /// (`rounding.step_minor` under `rule` is `rule.rounding.step_minor`).
    pub(crate) fn under(self, prefix: &str) -> PricingError {
        match self {
            PricingError::Invalid { field, reason } => PricingError::Invalid {
                field: format!("{prefix}.{field}"),
                reason,
            },
            other => other,
        }
    }

    /// The field path, for validation errors.
    pub fn field(&self) -> Option<&str> {
        match self {
            PricingError::Invalid { field, .. } => Some(field),
            PricingError::Quantity(_) => Some("quantity"),
            _ => None,
        }
    }
}

/// Which order quantity rule a quantity breaks. Each says the next
/// quantity that would be accepted, when there is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum QuantityError {
    /// Zero units were asked for.
    #[error("the quantity must be at least 1")]
    Zero,
    /// Fewer units than the minimum order quantity.
    #[error("{quantity} is below the minimum order quantity (MOQ) of {moq}")]
    BelowMinimum {
        /// Units asked for.
        quantity: u32,
        /// The minimum order quantity, in units.
        moq: u32,
    },
    /// Not a whole number of packs.
    #[error(
        "{quantity} is not a whole number of packs of {pack_size}; the next allowed quantity is {next_allowed}"
    )]
    NotWholePacks {
        /// Units asked for.
        quantity: u32,
        /// Units per pack.
        pack_size: u32,
        /// The smallest allowed quantity above.
        next_allowed: u64,
    },
    /// Above the MOQ but not on a step of the order increment.
    #[error(
        "{quantity} is off the order increment: from the minimum of {moq}, quantities go up by {increment}; the next allowed quantity is {next_allowed}"
    )]
    OffIncrement {
        /// Units asked for.
        quantity: u32,
        /// The minimum order quantity, in units.
        moq: u32,
        /// The order increment, in units.
        increment: u32,
        /// The smallest allowed quantity above.
        next_allowed: u64,
    },
}
