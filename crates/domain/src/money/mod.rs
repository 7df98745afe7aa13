//! Money, currencies, rates and rounding.
//!
//! - [`Currency`]: an active ISO 4217 currency with a minor unit (the table
//!   is built in; codes without a minor unit such as XAU or XXX are refused).
//! - [`Money`]: an integer count of minor units in one currency, with checked
//!   arithmetic, exact decimal text (`"70.00"`) and the JSON form
//!   `{"amount": "70.00", "currency": "AUD"}`.
//! - [`Rate`]: an exact non-negative decimal for FX, duty and VAT rates.
//! - [`RoundingMode`] and [`RoundingStep`]: every rounding from an exact
//!   decimal to money happens at a named step with a named mode
//!   (`Money::from_decimal`, `Money::mul_rate`, `Money::convert`).
//! - Allocation (`Money::allocate`, `Money::allocate_by_decimal`,
//!   `Money::split_evenly`): splitting without losing or creating a minor unit.
//!
//! No floating point is used anywhere in this module.

mod allocation;
mod amount;
mod amount_json;
mod currency;
mod decimal_text;
mod error;
mod exact;
mod iso4217;
mod rate;
mod ratio;
mod rounding;

#[cfg(test)]
mod proptests;

pub use amount::Money;
pub use currency::Currency;
pub use error::MoneyError;
pub use rate::Rate;
pub(crate) use ratio::Ratio;
pub use rounding::{RoundingMode, RoundingStep};

/// The exact decimal type taken by `Money::from_decimal` and
/// `Money::allocate_by_decimal`, re-exported so callers need no direct dependency.
pub use rust_decimal::Decimal;
