//! The answer of a landed-cost quote: amounts per line and in total, in
//! the rule currency and the answer currency, the import charges one by
//! one with who pays them, the exchange rates used, and the decision.

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::calendar::Date;
use crate::catalog::HsCode;
use crate::country::Country;
use crate::fx::Conversion;
use crate::market::Incoterm;
use crate::money::{Currency, Money};

use super::decision::DeMinimisDecision;
use super::error::LandedError;
use super::percent::Percent;
use super::rules::ValuationBasis;
use super::tariff::{DutyRate, LineCode};

/// The components of a landed cost, all in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LandedAmounts {
    /// Goods (unit price × quantity).
    pub goods: Money,
    /// International transport.
    pub shipping: Money,
    /// Insurance.
    pub insurance: Money,
    /// Customs duty (tariff or flat).
    pub duty: Money,
    /// VAT / GST / consumption tax, at checkout or at the border.
    pub tax: Money,
    /// Government fees.
    pub fees: Money,
    /// The sum of the above: what the goods cost landed.
    pub landed_total: Money,
}

impl LandedAmounts {
    pub(crate) fn zero(currency: Currency) -> Self {
        let zero = Money::zero(currency);
        LandedAmounts {
            goods: zero,
            shipping: zero,
            insurance: zero,
            duty: zero,
            tax: zero,
            fees: zero,
            landed_total: zero,
        }
    }

    /// The import charges: duty + tax + fees.
    pub fn import_charges(&self) -> Money {
        Money::from_minor(
            self.duty.minor() + self.tax.minor() + self.fees.minor(),
            self.duty.currency(),
        )
    }

    /// Adds `other` (same currency) component by component; an error on
    /// overflow. Both sides are in one currency by construction.
    pub(crate) fn add(&mut self, other: &LandedAmounts) -> Result<(), LandedError> {
        let currency = self.goods.currency();
        let sum = |a: Money, b: Money| {
            a.minor()
                .checked_add(b.minor())
                .map(|minor| Money::from_minor(minor, currency))
                .ok_or_else(|| LandedError::overflow("items", "a total"))
        };
        self.goods = sum(self.goods, other.goods)?;
        self.shipping = sum(self.shipping, other.shipping)?;
        self.insurance = sum(self.insurance, other.insurance)?;
        self.duty = sum(self.duty, other.duty)?;
        self.tax = sum(self.tax, other.tax)?;
        self.fees = sum(self.fees, other.fees)?;
        self.landed_total = sum(self.landed_total, other.landed_total)?;
        Ok(())
    }

    /// Sets `landed_total` to the sum of the components.
    pub(crate) fn close(&mut self) -> Result<(), LandedError> {
        let total = [
            self.shipping,
            self.insurance,
            self.duty,
            self.tax,
            self.fees,
        ]
        .iter()
        .try_fold(self.goods.minor(), |sum, m| sum.checked_add(m.minor()))
        .ok_or_else(|| LandedError::overflow("items", "the landed total"))?;
        self.landed_total = Money::from_minor(total, self.goods.currency());
        Ok(())
    }
}

/// Where the duty of an item line comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DutyBasis {
    /// The tariff line's duty.
    Tariff {
        /// The line used.
        line: LineCode,
        /// Its duty.
        duty: DutyRate,
    },
    /// A preferential rate of the tariff line for the item's origin.
    Preferential {
        /// The line used.
        line: LineCode,
        /// The origin.
        origin: Country,
        /// The rate.
        percent: Percent,
    },
    /// The request's `duty_rate`.
    RequestedRate {
        /// The rate.
        percent: Percent,
    },
    /// The rule makes the item's HS chapter duty-free.
    DutyFreeChapter {
        /// The chapter.
        chapter: u8,
    },
    /// A low-value threshold relieves the duty.
    Relieved {
        /// Index of the threshold in `de_minimis.thresholds`.
        threshold: usize,
    },
    /// The flat duty per subheading replaces the tariff.
    FlatDuty {
        /// The item's subheading.
        subheading: HsCode,
    },
}

/// How an item's import tax is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaxTreatment {
    /// Charged at checkout by the seller or marketplace under a scheme.
    AtCheckout,
    /// Collected at the border on import.
    AtBorder,
    /// Relieved by a threshold, or below the "not collected" amount.
    NotCharged,
    /// The destination has no import tax.
    NoTax,
}

/// Where a charge is collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Collection {
    /// At checkout, under a low-value scheme (IOSS, UK, Australia…).
    AtCheckout,
    /// At the border, on import.
    AtBorder,
}

/// Who pays a charge, under the quote's incoterm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaidBy {
    /// DDP: the seller pays (remits) it; it is in the customer's price.
    SellerInPrice,
    /// DAP, collected at checkout under a scheme: the buyer pays it at checkout.
    BuyerAtCheckout,
    /// DAP, collected at the border: the buyer pays it on delivery.
    BuyerOnDelivery,
}

impl PaidBy {
    pub(crate) fn of(incoterm: Incoterm, collection: Collection) -> PaidBy {
        match (incoterm.seller_pays_import_charges(), collection) {
            (true, _) => PaidBy::SellerInPrice,
            (false, Collection::AtCheckout) => PaidBy::BuyerAtCheckout,
            (false, Collection::AtBorder) => PaidBy::BuyerOnDelivery,
        }
    }
}

/// What kind of import charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChargeKind {
    /// Customs duty.
    Duty,
    /// Import tax (VAT, GST, consumption tax).
    Tax,
    /// A government fee.
    Fee,
}

/// One import charge of the quote: the duty, each tax rate ("VAT 19%"),
/// each fee, with where it is collected and who pays it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportCharge {
    /// Duty, tax or fee.
    pub kind: ChargeKind,
    /// As shown: `"Duty"`, `"Flat duty 3.00 EUR × 2 subheadings"`, `"VAT 19%"`.
    pub name: String,
    /// The tax rate, for taxes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent: Option<Percent>,
    /// The scheme it is collected under (`"IOSS"`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    /// At checkout or at the border.
    pub collected: Collection,
    /// Who pays it.
    pub paid_by: PaidBy,
    /// The tax base, for taxes (rule currency).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_in_rule_currency: Option<Money>,
    /// The amount in the rule currency.
    pub amount_in_rule_currency: Money,
    /// The amount in the answer currency.
    pub amount: Money,
}

/// One item line of a quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LandedLine {
    /// The request's `id`.
    pub id: String,
    /// The HS code.
    pub hs_code: HsCode,
    /// The tariff line used (for duty or a reduced tax rate), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tariff_line: Option<LineCode>,
    /// Where the duty comes from.
    pub duty_basis: DutyBasis,
    /// Customs value of the line (rule currency).
    pub customs_value: Money,
    /// The tax rate applied (none when no tax is charged).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_percent: Option<Percent>,
    /// How the line's tax is handled.
    pub tax: TaxTreatment,
    /// Amounts in the answer currency.
    pub amounts: LandedAmounts,
    /// Amounts in the rule currency, when it is not the answer currency
    /// (otherwise they are `amounts`; see [`LandedLine::rule_currency_amounts`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amounts_in_rule_currency: Option<LandedAmounts>,
}

impl LandedLine {
    /// The line's amounts in the rule currency.
    pub fn rule_currency_amounts(&self) -> LandedAmounts {
        self.amounts_in_rule_currency.unwrap_or(self.amounts)
    }
}

/// An exchange rate the quote used: the exact conversion, shown in JSON
/// as `{"from", "to", "rate", "rate_date", "source", "requested_date"}`
/// where `rate` is units of `to` per unit of `from` with 10 significant
/// digits (the computation used the exact ratio of the euro rates) and
/// `rate_date` the date of the older euro rate used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FxUsed(pub Conversion);

impl FxUsed {
    /// Converted from.
    pub fn from(&self) -> Currency {
        self.0.from()
    }

    /// Converted to.
    pub fn to(&self) -> Currency {
        self.0.to()
    }

    /// The rate for reading, 10 significant digits.
    pub fn rate(&self) -> String {
        self.0.rate_display(10)
    }

    /// The date of the rates used (the older leg).
    pub fn rate_date(&self) -> Option<Date> {
        self.0.rate_date()
    }
}

impl Serialize for FxUsed {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut fields = serializer.serialize_struct("FxUsed", 6)?;
        fields.serialize_field("from", &self.0.from())?;
        fields.serialize_field("to", &self.0.to())?;
        fields.serialize_field("rate", &self.rate())?;
        fields.serialize_field("rate_date", &self.0.rate_date())?;
        fields.serialize_field("source", &self.0.source())?;
        fields.serialize_field("requested_date", &self.0.requested_date())?;
        fields.end()
    }
}

/// Who pays what, in the answer currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PaymentSplit {
    /// What the customer pays at checkout: under DDP the landed total;
    /// under DAP goods, shipping, insurance and the charges collected at
    /// checkout.
    pub customer_pays_at_checkout: Money,
    /// What the customer pays on delivery: under DAP the border charges.
    pub customer_pays_on_delivery: Money,
    /// Import charges the seller pays or remits (DDP).
    pub seller_pays_import_charges: Money,
    /// Charges collected at checkout under a scheme (whoever bears them).
    pub collected_at_checkout: Money,
    /// Charges collected at the border.
    pub collected_at_border: Money,
}

/// A landed-cost quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LandedQuote {
    /// Destination country.
    pub destination: Country,
    /// The rule's region.
    pub region: String,
    /// The rule version used, e.g. `"EU-2026-07-01"`.
    pub rule_version: String,
    /// Whether that version rests on verified facts only.
    pub rule_verified: bool,
    /// The rule's sources.
    pub rule_source: String,
    /// The incoterm (DDU given is DAP).
    pub incoterm: Incoterm,
    /// The date quoted.
    pub date: Date,
    /// The rule currency (what is computed in).
    pub rule_currency: Currency,
    /// The answer currency.
    pub answer_currency: Currency,
    /// The customs valuation basis.
    pub valuation: ValuationBasis,
    /// The consignment's customs value (rule currency).
    pub customs_value: Money,
    /// The de minimis decision and why.
    pub de_minimis: DeMinimisDecision,
    /// Item lines; they sum exactly to `totals`.
    pub items: Vec<LandedLine>,
    /// Totals in the answer currency.
    pub totals: LandedAmounts,
    /// Totals in the rule currency, when it is not the answer currency
    /// (otherwise they are `totals`; see [`LandedQuote::rule_currency_totals`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub totals_in_rule_currency: Option<LandedAmounts>,
    /// The import charges one by one; per kind they sum to the totals.
    pub charges: Vec<ImportCharge>,
    /// Who pays what.
    pub payments: PaymentSplit,
    /// Every exchange rate used (identities left out).
    pub conversions: Vec<FxUsed>,
    /// The distinct tariff lines used.
    pub tariff_lines: Vec<LineCode>,
    /// The rule's notes and warnings about unverified facts used.
    pub notes: Vec<String>,
}

impl LandedQuote {
    /// The totals in the rule currency.
    pub fn rule_currency_totals(&self) -> LandedAmounts {
        self.totals_in_rule_currency.unwrap_or(self.totals)
    }
}
