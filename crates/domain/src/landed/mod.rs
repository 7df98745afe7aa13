//! Landed cost: what goods cost delivered to a buyer abroad — goods,
//! shipping, insurance, customs duty, import tax (VAT/GST/consumption tax)
//! and fees — under the destination's low-value rules, and who pays what
//! under DDP or DAP.
//!
//! - Rules as data: [`ImportRule`] (effective-dated, serde), [`RuleSet`]
//!   ([`RuleSet::rule_for`] a country and date), [`seed_rules`] built from
//!   TRADE-RULES.md and kept as CSV tables under `landed/seed/` (format in
//!   [`parse_rule_tables`]).
//! - Tariff: [`TariffLine`]s by region and national code with ad valorem,
//!   specific, compound, minimum/maximum duties, reduced tax rates and
//!   preferential rates; [`TariffBook`] finds the most specific line
//!   (10 → 8 → 6 digits); CSV import/export ([`parse_tariff_csv`],
//!   [`write_tariff_csv`], header [`TARIFF_CSV_HEADER`]);
//!   [`demo_tariff_lines`] with illustrative rates.
//! - The quote: [`quote`] answers a [`QuoteRequest`] with a
//!   [`LandedQuote`]; [`net_price_for_target`] finds the highest net price
//!   whose landed total stays within a target customer price (DDP).
//!
//! # Rounding steps
//!
//! Money is integer minor units; rates are exact decimals. Every rounding
//! happens at one of these named steps:
//!
//! | step | mode | what |
//! |---|---|---|
//! | [`LANDED_FX_TO_RULE`] `landed_fx_to_rule_currency` | half-even | each item line value (unit price × quantity), each unit value (per-item thresholds), shipping and insurance, into the rule currency |
//! | [`LANDED_DUTY`] `landed_duty` | half-up | the duty of one item line, once, after ad valorem + specific and the minimum/maximum |
//! | [`LANDED_TAX`] `landed_tax` | half-up | the tax of one item line, on its base |
//! | [`LANDED_FX_TO_ANSWER`] `landed_fx_to_answer_currency` | half-even | each item line's goods value (from its own currency), and the shipping, insurance, duty, tax and fee totals, into the answer currency |
//!
//! Splits are not roundings but exact allocations (largest remainder,
//! [`Money::allocate`](crate::money::Money::allocate)): shipping,
//! insurance, consignment fees and the flat duty over the lines by goods
//! value; answer-currency totals of duty, tax and fees over the lines (and
//! over the charges) by their rule-currency amounts. So item lines sum
//! exactly to the totals, component by component, in both currencies.

mod answer;
mod charges;
mod csv_table;
mod decision;
mod error;
mod exact;
mod percent;
mod quote;
mod request;
mod reverse;
mod rules;
mod seed;
mod split;
mod tariff;
mod tariff_csv;

pub use answer::{
    ChargeKind, Collection, DutyBasis, FxUsed, ImportCharge, LandedAmounts, LandedLine,
    LandedQuote, PaidBy, PaymentSplit, TaxTreatment,
};
pub use csv_table::CsvProblem;
pub use decision::{DeMinimisDecision, FlatDutyCheck, TaxNotCollectedCheck, ThresholdCheck};
pub use error::{LandedError, LandedErrorKind};
pub use percent::Percent;
pub use quote::{quote, LANDED_DUTY, LANDED_FX_TO_ANSWER, LANDED_FX_TO_RULE, LANDED_TAX};
pub use request::{QuoteItem, QuoteRequest, MAX_ITEMS, MAX_QUANTITY};
pub use reverse::{net_price_for_target, NetPrice};
pub use rules::{
    ChapterRange, Comparison, CountryTaxRate, Fee, FeeBasis, FeeWhen, FlatDuty, ImportRule,
    ImportTax, OriginScope, RuleProblem, RuleSet, TaxBase, Threshold, ThresholdMeasure,
    ValuationBasis, Waiver,
};
pub use seed::{parse_rule_tables, seed_rules, seed_tables};
pub use tariff::{
    DutyChoice, DutyRate, LineCode, OriginRate, QuantityUnit, TariffBook, TariffLine,
};
pub use tariff_csv::{
    demo_tariff_csv, demo_tariff_lines, parse_tariff_csv, write_tariff_csv, TARIFF_CSV_HEADER,
};
