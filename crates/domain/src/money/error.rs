//! The one error type of the money module.

use super::currency::Currency;

/// What can go wrong making or computing with money, currencies and rates.
///
/// Every message names the offending value, so it can be shown to the user
/// (or put into an RFC 9457 problem's `detail`) as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The text is not an active ISO 4217 alpha code (codes are case-sensitive).
    #[error(
        "unknown currency code {code:?}: expected an active ISO 4217 code of three upper-case letters, such as \"USD\""
    )]
    UnknownCurrency {
        /// The text that was given.
        code: String,
    },

    /// The code is an ISO 4217 code without a minor unit (gold, SDR, XXX…),
    /// which Chuhai does not hold money in.
    #[error(
        "currency code {code:?} has no minor unit in ISO 4217 (metal, fund or accounting unit), so no money can be made of it"
    )]
    NoMinorUnit {
        /// The ISO 4217 code, e.g. "XAU".
        code: String,
    },

    /// The text is not a plain decimal number (`-`, digits, optional `.` and digits).
    #[error("invalid amount {input:?}: {reason}")]
    InvalidAmount {
        /// The text that was given.
        input: String,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// The amount has more decimals than its currency's minor unit allows.
    #[error("amount {input:?} has {decimals} decimals but {currency} allows at most {allowed}")]
    TooManyDecimals {
        /// The text that was given.
        input: String,
        /// The currency the amount was meant for.
        currency: Currency,
        /// How many decimals the text has.
        decimals: usize,
        /// The currency's exponent.
        allowed: u8,
    },

    /// A result does not fit in 64-bit minor units (or a rate in a decimal).
    #[error("amount out of range: {operation}")]
    Overflow {
        /// The operation with its operands, e.g. "92233720368547758.07 USD + 0.01 USD".
        operation: String,
    },

    /// Two amounts in different currencies were combined.
    #[error("currency mismatch: cannot {operation} {left} and {right}")]
    CurrencyMismatch {
        /// What was attempted, e.g. "add".
        operation: &'static str,
        /// The currency of the left operand.
        left: Currency,
        /// The currency of the right operand.
        right: Currency,
    },

    /// The text is not a valid rate (a non-negative plain decimal).
    #[error("invalid rate {input:?}: {reason}")]
    InvalidRate {
        /// The text (or decimal) that was given.
        input: String,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// An exchange rate of zero: converting with it would destroy the amount.
    #[error("cannot convert {amount} to {target} at an exchange rate of zero")]
    ZeroExchangeRate {
        /// The amount to convert, e.g. "70.00 AUD".
        amount: String,
        /// The target currency.
        target: Currency,
    },

    /// The text is not one of the rounding mode names.
    #[error(
        "unknown rounding mode {name:?}: expected one of \"half_even\", \"half_up\", \"up\", \"down\""
    )]
    UnknownRoundingMode {
        /// The text that was given.
        name: String,
    },

    /// An allocation was asked for zero parts.
    #[error("cannot allocate {amount} into zero parts")]
    NoAllocationParts {
        /// The amount to allocate, e.g. "70.00 AUD".
        amount: String,
    },

    /// An allocation's weights add up to zero, so no share is defined.
    #[error("cannot allocate {amount}: the weights add up to zero")]
    ZeroTotalWeight {
        /// The amount to allocate, e.g. "70.00 AUD".
        amount: String,
    },

    /// An allocation weight is negative or too large to be summed exactly.
    #[error("cannot allocate {amount}: invalid weight {weight} at index {index} ({reason})")]
    InvalidWeight {
        /// The amount to allocate, e.g. "70.00 AUD".
        amount: String,
        /// The weight as given.
        weight: String,
        /// Its position in the weights.
        index: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
}
