//! `QuoteRequest`: what a landed-cost quote is asked for, and its checks.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::calendar::Date;
use crate::catalog::{HsCode, TariffCode};
use crate::country::Country;
use crate::market::Incoterm;
use crate::money::{Currency, Money};

use super::error::LandedError;
use super::percent::{decimal_string, Percent};

/// Most units of one item line a quote takes.
pub const MAX_QUANTITY: i64 = 1_000_000;

/// Most item lines in one quote.
pub const MAX_ITEMS: usize = 1_000;

/// A landed-cost question: these goods, shipped to `destination` on
/// `date` under `incoterm`, answered in `answer_currency`.
///
/// JSON field names as below; money as `{"amount": "70.00", "currency":
/// "AUD"}`, `weight_kg` and `duty_rate` as decimal strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteRequest {
    /// Country the goods are imported into.
    pub destination: Country,
    /// DDP (seller pays import charges, in the customer price) or DAP
    /// (buyer pays them; `"DDU"` is read as DAP).
    pub incoterm: Incoterm,
    /// The date that picks the rule version and the exchange rates (for
    /// Australia the date of export, for Canada the date of direct shipment).
    pub date: Date,
    /// The currency of the answer's amounts.
    pub answer_currency: Currency,
    /// International transport charged for the consignment (any currency).
    pub shipping: Money,
    /// Insurance for the consignment (any currency).
    pub insurance: Money,
    /// The goods, one line per item.
    pub items: Vec<QuoteItem>,
}

/// One item line of a [`QuoteRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteItem {
    /// The caller's label (SKU, order line id), echoed in the answer.
    pub id: String,
    /// The 6-digit HS code.
    pub hs_code: HsCode,
    /// The destination's national tariff code (8–10 digits), when known;
    /// otherwise the 6-digit HS fallback line is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tariff_code: Option<TariffCode>,
    /// Country of origin (required: it decides preferential rates and
    /// origin-dependent thresholds).
    #[serde(default)]
    pub origin: Option<Country>,
    /// Units, at least 1.
    pub quantity: i64,
    /// Price of one unit, above zero (any currency).
    pub unit_price: Money,
    /// Weight of one unit in kilograms (for per-kg duties), exact.
    #[serde(with = "decimal_string")]
    pub weight_kg: Decimal,
    /// An ad valorem duty in percent that replaces the tariff table for
    /// this item (e.g. a binding ruling).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duty_rate: Option<Percent>,
}

impl QuoteRequest {
    /// Checks what can be checked without rules; every error names its field.
    pub(crate) fn check(&self) -> Result<(), LandedError> {
        if !matches!(self.incoterm, Incoterm::Ddp | Incoterm::Dap) {
            return Err(LandedError::invalid(
                "incoterm",
                format!(
                    "{} is not quoted: a landed cost is for DDP or DAP (DDU is read as DAP)",
                    self.incoterm
                ),
            ));
        }
        for (field, amount) in [("shipping", self.shipping), ("insurance", self.insurance)] {
            if amount.is_negative() {
                return Err(LandedError::invalid(
                    field,
                    format!("{amount} must be zero or more"),
                ));
            }
        }
        if self.items.is_empty() {
            return Err(LandedError::invalid(
                "items",
                "a quote needs at least one item",
            ));
        }
        if self.items.len() > MAX_ITEMS {
            return Err(LandedError::invalid(
                "items",
                format!(
                    "{} items; a quote takes at most {MAX_ITEMS}",
                    self.items.len()
                ),
            ));
        }
        for (i, item) in self.items.iter().enumerate() {
            item.check(i)?;
        }
        Ok(())
    }
}

impl QuoteItem {
    fn check(&self, i: usize) -> Result<(), LandedError> {
        if self.quantity <= 0 || self.quantity > MAX_QUANTITY {
            return Err(LandedError::invalid(
                format!("items[{i}].quantity"),
                format!("{} must be from 1 to {MAX_QUANTITY}", self.quantity),
            ));
        }
        if !self.unit_price.is_positive() {
            return Err(LandedError::invalid(
                format!("items[{i}].unit_price"),
                format!("{} must be above zero", self.unit_price),
            ));
        }
        if self.weight_kg.is_sign_negative() && !self.weight_kg.is_zero() {
            return Err(LandedError::invalid(
                format!("items[{i}].weight_kg"),
                format!("{} must be zero or more", self.weight_kg),
            ));
        }
        if self.origin.is_none() {
            return Err(LandedError::invalid(
                format!("items[{i}].origin"),
                "missing country of origin: it decides preferential rates and low-value thresholds",
            ));
        }
        if let Some(code) = self.tariff_code {
            if code.hs_code() != self.hs_code {
                return Err(LandedError::invalid(
                    format!("items[{i}].tariff_code"),
                    format!(
                        "{code} belongs to HS {}, but hs_code is {}",
                        code.hs_code(),
                        self.hs_code
                    ),
                ));
            }
        }
        Ok(())
    }
}
