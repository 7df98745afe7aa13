//! What the ECB rate files hold once read, and the cell rules shared by the
//! CSV and XML readers.
//!
//! Currencies: the ECB history lists currencies that ISO 4217 has since
//! withdrawn (CYP, EEK, LTL, LVL, MTL, ROL, SIT, SKK, TRL, HRK, and BGN since
//! Bulgaria joined the euro). [`crate::money::Currency`] refuses them, since
//! no money can be held in them, so the readers skip their columns and list
//! the codes in [`EcbRates::skipped_currencies`] for the caller to report.
//! Their cells are still checked, so a damaged file is refused as a whole.

use std::collections::{BTreeSet, HashMap};

use crate::calendar::{Date, DateError};
use crate::money::{Currency, MoneyError, Rate};

use super::error::FxImportError;

/// Longest piece of a rejected value kept in an error, in characters.
const MAX_ECHOED_CHARS: usize = 32;

/// One publication day of euro reference rates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcbDay {
    /// The day the rates are for.
    pub date: Date,
    /// Units of each currency per one euro (major units), in the file's
    /// order; currencies without a value that day are absent.
    pub rates: Vec<(Currency, Rate)>,
}

/// The content of an ECB rate file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcbRates {
    /// The days, oldest first (whatever the file's order), each date once.
    pub days: Vec<EcbDay>,
    /// Codes in the file that are not active ISO 4217 currencies (such as
    /// `CYP`, `HRK`, `BGN`); their values were checked but not kept.
    pub skipped_currencies: BTreeSet<String>,
}

/// How a file names a currency: one to keep, or a withdrawn code to skip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Column<'a> {
    Keep(Currency),
    Skip(&'a str),
}

pub(super) fn echo(value: &str) -> String {
    match value.char_indices().nth(MAX_ECHOED_CHARS) {
        Some((cut, _)) => format!("{}…", &value[..cut]),
        None => value.to_owned(),
    }
}

pub(super) fn value_error(line: usize, column: &str, value: &str, reason: String) -> FxImportError {
    FxImportError::Value {
        line,
        column: echo(column),
        value: echo(value),
        reason,
    }
}

/// Reads a currency code: three upper-case letters, kept when ISO 4217
/// knows it, skipped when it is withdrawn; anything else is an error reason.
pub(super) fn currency_column(code: &str) -> Result<Column<'_>, String> {
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err("expected a currency code of three upper-case letters, such as \"USD\"".into());
    }
    if code == "EUR" {
        return Err("EUR is the base of euro reference rates and has no rate".into());
    }
    match Currency::from_code(code) {
        Ok(currency) => Ok(Column::Keep(currency)),
        Err(MoneyError::UnknownCurrency { .. } | MoneyError::NoMinorUnit { .. }) => {
            Ok(Column::Skip(code))
        }
        Err(other) => Err(other.to_string()),
    }
}

/// Reads a rate cell: `None` for `N/A` or an empty cell, else a positive
/// plain decimal.
pub(super) fn rate_cell(text: &str) -> Result<Option<Rate>, String> {
    if text.is_empty() || text == "N/A" {
        return Ok(None);
    }
    match Rate::parse(text) {
        Ok(rate) if rate.is_zero() => Err("a reference rate must be positive".into()),
        Ok(rate) => Ok(Some(rate)),
        Err(MoneyError::InvalidRate { reason, .. }) => Err(format!("not a rate: {reason}")),
        Err(other) => Err(other.to_string()),
    }
}

/// Reads a date cell or attribute, `YYYY-MM-DD`.
pub(super) fn date_cell(text: &str) -> Result<Date, String> {
    Date::parse(text).map_err(|err| match err {
        DateError::Invalid { reason, .. } => format!("not a date: {reason}"),
        DateError::NoSuchDay { reason, .. } => format!("no such day: {reason}"),
    })
}

/// Sorts days oldest first and refuses a date given twice.
pub(super) fn finish(
    mut days: Vec<(EcbDay, usize)>,
    skipped_currencies: BTreeSet<String>,
    empty_reason: &'static str,
) -> Result<EcbRates, FxImportError> {
    if days.is_empty() {
        return Err(FxImportError::Empty {
            reason: empty_reason,
        });
    }
    let mut seen: HashMap<Date, usize> = HashMap::with_capacity(days.len());
    for (day, line) in &days {
        if let Some(first) = seen.insert(day.date, *line) {
            return Err(FxImportError::Line {
                line: *line,
                reason: format!("date {} was already given on line {first}", day.date),
            });
        }
    }
    days.sort_by_key(|(day, _)| day.date);
    Ok(EcbRates {
        days: days.into_iter().map(|(day, _)| day).collect(),
        skipped_currencies,
    })
}
