//! Errors of the FX module: one for using rates, one for importing them.

use crate::calendar::Date;
use crate::money::{Currency, Rate};

use super::source::FxSource;

/// What can go wrong looking up, storing or applying exchange rates.
///
/// Every message names the currency, date or value concerned, so it can be
/// shown as it is (or put into an RFC 9457 problem's `detail`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FxError {
    /// The table holds no rate at all for this currency (the ECB publishes
    /// about 30 currencies; AED, SAR and most others are not among them).
    #[error("{fx_source} publishes no rates for {currency}")]
    UnknownCurrency {
        /// The currency asked for.
        currency: Currency,
        /// The table's source.
        fx_source: FxSource,
    },

    /// The table has rates for the currency, but none on or before the date.
    #[error("no {fx_source} rate for {currency} on or before {date} (the earliest is {earliest})")]
    NoRateOnOrBefore {
        /// The currency asked for.
        currency: Currency,
        /// The date asked for.
        date: Date,
        /// The table's source.
        fx_source: FxSource,
        /// The earliest date the table has for the currency.
        earliest: Date,
    },

    /// EUR was given a rate: it is the base of reference rates (1 by definition).
    #[error("EUR is the base of euro reference rates and cannot have a rate of its own")]
    BaseCurrencyRate,

    /// A rate of zero was given: it would make every conversion from that
    /// currency undefined.
    #[error("the {currency} rate for {date} must be positive, got {rate}")]
    NonPositiveRate {
        /// The currency of the rate.
        currency: Currency,
        /// Its date.
        date: Date,
        /// The rate given.
        rate: Rate,
    },

    /// Money in one currency was given to a conversion from another.
    #[error("cannot convert {amount} with a conversion from {expected} to {target}")]
    CurrencyMismatch {
        /// The amount given, e.g. "70.00 AUD".
        amount: String,
        /// The conversion's source currency.
        expected: Currency,
        /// The conversion's target currency.
        target: Currency,
    },

    /// A source name that is not a short upper-case code.
    #[error("invalid FX source name {name:?}: {reason}")]
    InvalidSource {
        /// The name given (at most 32 characters of it).
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// A result does not fit (in 64-bit minor units, or a rate too long to
    /// be kept exact).
    #[error("amount out of range: {operation}")]
    Overflow {
        /// The operation with its operands.
        operation: String,
    },
}

/// Why a rate file (ECB CSV or XML) was refused. Line numbers count from 1,
/// the header being line 1 in a CSV file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FxImportError {
    /// One value is wrong: a date that is not a date, a rate that is not a
    /// positive decimal, a currency code that is not three letters.
    #[error("line {line}, column {column}, value {value:?}: {reason}")]
    Value {
        /// The line of the value.
        line: usize,
        /// The CSV column name (`Date`, `USD`…) or the XML attribute
        /// (`Cube@time`, `Cube@rate`, `Cube@currency`).
        column: String,
        /// The value as written (at most 32 characters of it).
        value: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A line or element is wrong as a whole: wrong number of cells, a
    /// repeated date, a repeated currency, XML that is not well formed.
    #[error("line {line}: {reason}")]
    Line {
        /// The line concerned.
        line: usize,
        /// What is wrong.
        reason: String,
    },

    /// The text holds no rates at all, so it is not what it claims to be.
    #[error("no exchange rates found: {reason}")]
    Empty {
        /// What was expected.
        reason: &'static str,
    },
}
