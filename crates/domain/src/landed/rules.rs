//! Import rules as data: one [`ImportRule`] per destination region and
//! period, with thresholds, tax, flat duties and fees; a [`RuleSet`] finds
//! the rule for a country on a date.
//!
//! A rule that changes is a new version (a new row in the seed files, a new
//! JSON document in the store), never a new branch in code. Amounts in a
//! rule are [`Money`] in the rule's currency (checked by
//! [`ImportRule::problems`]); rates are [`Percent`].

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::calendar::Date;
use crate::country::Country;
use crate::money::{Currency, Money};

use super::error::{LandedError, LandedErrorKind};
use super::percent::Percent;

/// What the customs value is: goods with transport and insurance to the
/// border (CIF: EU, UK, Japan…), or goods alone (FOB: US, Canada,
/// Australia, New Zealand).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValuationBasis {
    /// Cost, insurance and freight: goods + transport + insurance.
    Cif,
    /// Free on board: goods only.
    Fob,
}

impl ValuationBasis {
    /// `"CIF"` or `"FOB"`.
    pub const fn label(self) -> &'static str {
        match self {
            ValuationBasis::Cif => "CIF",
            ValuationBasis::Fob => "FOB",
        }
    }
}

/// What the import tax is charged on, besides the customs value (which is
/// always in the base).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxBase {
    /// The duty is added (EU, UK, Japan, Canada, Australia…).
    pub duty: bool,
    /// International transport and insurance are added when the valuation
    /// basis left them out (FOB), as in Australia's "value of the taxable
    /// importation". Under CIF they are already in the customs value.
    pub transport_and_insurance: bool,
}

/// A tax rate for one country of a rule, optionally for a period within
/// the rule's validity (EU member states change their rates on their own
/// dates: Finland 25.5 % from 2024-09-01).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountryTaxRate {
    /// The country.
    pub country: Country,
    /// Its standard rate, in percent.
    pub percent: Percent,
    /// First day (inclusive); none = from the rule's start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<Date>,
    /// First day no longer valid (exclusive); none = to the rule's end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<Date>,
}

impl CountryTaxRate {
    fn covers(&self, date: Date) -> bool {
        self.valid_from.is_none_or(|from| from <= date)
            && self.valid_until.is_none_or(|until| date < until)
    }
}

/// The import tax of a rule: VAT, GST or consumption tax.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportTax {
    /// Its name as shown: `"VAT"`, `"GST"`, `"consumption tax"`.
    pub name: String,
    /// The rate for every country of the rule without an override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard_percent: Option<Percent>,
    /// Per-country rates (the 27 EU standard rates), possibly dated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub country_rates: Vec<CountryTaxRate>,
    /// What the tax is charged on besides the customs value.
    pub base: TaxBase,
    /// Import tax at or below this amount (rule currency) is not collected
    /// at the border (Switzerland: CHF 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_collected_up_to: Option<Money>,
}

impl ImportTax {
    /// The rate for `country` on `date`: its dated override when one
    /// covers the date, else the standard rate.
    pub fn percent_for(&self, country: Country, date: Date) -> Option<Percent> {
        self.country_rates
            .iter()
            .find(|rate| rate.country == country && rate.covers(date))
            .map(|rate| rate.percent)
            .or(self.standard_percent)
    }
}

/// What a threshold compares with its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdMeasure {
    /// The consignment's goods value without separately shown transport
    /// and insurance (EU IOSS €150, UK £135).
    IntrinsicValue,
    /// The consignment's customs value on the rule's valuation basis
    /// (Australia AUD 1,000 FOB, Japan JPY 10,000 CIF).
    CustomsValue,
    /// Each item's unit value, shipping excluded; decided per item line
    /// (Norway VOEC NOK 3,000 per item).
    ItemValue,
}

impl ThresholdMeasure {
    /// Words for explanations.
    pub const fn label(self) -> &'static str {
        match self {
            ThresholdMeasure::IntrinsicValue => "intrinsic value of the consignment",
            ThresholdMeasure::CustomsValue => "customs value of the consignment",
            ThresholdMeasure::ItemValue => "value per item",
        }
    }
}

/// How a measured value is compared with a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// `value ≤ limit` ("not exceeding").
    AtMost,
    /// `value < limit` ("under").
    Below,
}

impl Comparison {
    /// Whether `value` (minor units) passes against `limit`.
    pub const fn passes(self, value: i64, limit: i64) -> bool {
        match self {
            Comparison::AtMost => value <= limit,
            Comparison::Below => value < limit,
        }
    }

    /// `"≤"` or `"<"`.
    pub const fn symbol(self) -> &'static str {
        match self {
            Comparison::AtMost => "≤",
            Comparison::Below => "<",
        }
    }

    /// The opposite symbol, for "not below the limit".
    pub const fn negated_symbol(self) -> &'static str {
        match self {
            Comparison::AtMost => ">",
            Comparison::Below => "≥",
        }
    }
}

/// What a threshold relieves at the border.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Waiver {
    /// Customs duty only.
    Duty,
    /// Import tax only.
    Tax,
    /// Both.
    DutyAndTax,
}

impl Waiver {
    /// Whether duty is relieved.
    pub const fn duty(self) -> bool {
        matches!(self, Waiver::Duty | Waiver::DutyAndTax)
    }

    /// Whether import tax is relieved (at the border).
    pub const fn tax(self) -> bool {
        matches!(self, Waiver::Tax | Waiver::DutyAndTax)
    }
}

/// Which origins a threshold is for. JSON: `"any"`, `{"only": ["US","MX"]}`
/// or `{"except": ["CN","HK"]}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OriginScope {
    /// Every origin.
    #[default]
    Any,
    /// Only goods originating in these countries.
    Only(Vec<Country>),
    /// Goods of every origin but these.
    Except(Vec<Country>),
}

impl OriginScope {
    /// Whether goods of `origin` are in scope.
    pub fn includes(&self, origin: Country) -> bool {
        match self {
            OriginScope::Any => true,
            OriginScope::Only(list) => list.contains(&origin),
            OriginScope::Except(list) => !list.contains(&origin),
        }
    }

    fn is_any(&self) -> bool {
        matches!(self, OriginScope::Any)
    }
}

impl fmt::Display for OriginScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |list: &[Country]| {
            list.iter()
                .map(|c| c.alpha2())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            OriginScope::Any => f.write_str("any origin"),
            OriginScope::Only(list) => write!(f, "origin {} only", join(list)),
            OriginScope::Except(list) => write!(f, "origins other than {}", join(list)),
        }
    }
}

fn yes() -> bool {
    true
}

fn is_true(value: &bool) -> bool {
    *value
}

/// A low-value threshold: when the measured value passes the limit (and
/// every item's origin is in scope), duty and/or tax are relieved at the
/// border, and tax may move to checkout under a scheme.
///
/// Thresholds are evaluated in the order given: for duty and for tax
/// separately, the first threshold that applies and relieves it decides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    /// The limit, in the rule currency.
    pub limit: Money,
    /// What is compared with it.
    pub measure: ThresholdMeasure,
    /// `≤` or `<`.
    pub comparison: Comparison,
    /// What is relieved at the border.
    pub waives: Waiver,
    /// The scheme, e.g. `"IOSS"`, `"VOEC"`, `"LVG"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    /// Whether a relieved tax is instead charged at checkout by the seller
    /// or marketplace (EU IOSS, UK, Australia, NZ, Singapore, Norway).
    /// When false a relieved tax is not charged at all (Japan, Canada).
    #[serde(default)]
    pub tax_at_checkout: bool,
    /// Which origins it is for (Canada: CAD 20 for non-US/MX goods).
    #[serde(default, skip_serializing_if = "OriginScope::is_any")]
    pub origins: OriginScope,
    /// False when the fact was seen only in secondary sources.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub verified: bool,
    /// Free text shown with the decision.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// A flat duty per distinct tariff subheading (the first six digits of the
/// HS code) for consignments under a ceiling, replacing the tariff duty
/// (EU from 2026-07-01: €3 per subheading under €150 for IOSS sellers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlatDuty {
    /// Duty per distinct subheading, rule currency.
    pub per_subheading: Money,
    /// The consignment ceiling, rule currency.
    pub ceiling: Money,
    /// What is compared with the ceiling.
    pub measure: ThresholdMeasure,
    /// `≤` or `<` the ceiling.
    pub comparison: Comparison,
    /// The scheme it belongs to, e.g. `"IOSS"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    /// Whether it is collected at checkout with the scheme's tax.
    #[serde(default)]
    pub collected_at_checkout: bool,
    /// False when seen only in secondary sources.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub verified: bool,
}

/// What a fee is counted per.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeBasis {
    /// Once per consignment.
    PerConsignment,
    /// Once per unit (quantity) of every item.
    PerItem,
}

/// When a fee is charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeWhen {
    /// On every consignment.
    Always,
    /// When a low-value threshold or flat duty applies.
    LowValue,
    /// When no low-value relief applies (a formal entry).
    FormalEntry,
}

/// A government fee on import (a processing charge, a handling fee).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fee {
    /// Its name as shown.
    pub name: String,
    /// Amount per [`FeeBasis`], rule currency.
    pub amount: Money,
    /// Per consignment or per item.
    pub per: FeeBasis,
    /// When it is charged.
    pub when: FeeWhen,
    /// False when seen only in secondary sources.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub verified: bool,
}

/// A range of HS chapters, both ends included (Switzerland: 25–97).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChapterRange {
    /// First chapter (1–97).
    pub from: u8,
    /// Last chapter (1–97).
    pub to: u8,
}

impl ChapterRange {
    /// Whether `chapter` is in the range.
    pub const fn contains(self, chapter: u8) -> bool {
        self.from <= chapter && chapter <= self.to
    }
}

/// One version of a destination's import rules for low-value e-commerce
/// goods, valid from `valid_from` (inclusive) to `valid_until` (exclusive).
///
/// Serde (JSON in the store, seed data): the field names below; amounts as
/// `{"amount": "150.00", "currency": "EUR"}`, rates as percent strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportRule {
    /// Version id, unique in a rule set, e.g. `"EU-2026-07-01"`.
    pub version: String,
    /// Region code, e.g. `"EU"`, `"GB"`, `"US"`; tariff lines are filed under it.
    pub region: String,
    /// The countries the rule covers.
    pub countries: Vec<Country>,
    /// First day the version applies (inclusive).
    pub valid_from: Date,
    /// First day it no longer applies (exclusive); none = open-ended.
    #[serde(default)]
    pub valid_until: Option<Date>,
    /// False when the rule rests on facts seen only in secondary sources;
    /// the UI says so.
    pub verified: bool,
    /// Where the facts come from.
    pub source: String,
    /// The currency of the rule's thresholds, fixed amounts and results.
    pub currency: Currency,
    /// Customs valuation basis.
    pub valuation: ValuationBasis,
    /// The import tax; none where there is none (US).
    #[serde(default)]
    pub tax: Option<ImportTax>,
    /// Low-value thresholds, in priority order.
    #[serde(default)]
    pub thresholds: Vec<Threshold>,
    /// A flat duty per subheading for small consignments.
    #[serde(default)]
    pub flat_duty: Option<FlatDuty>,
    /// Government fees.
    #[serde(default)]
    pub fees: Vec<Fee>,
    /// HS chapters free of duty whatever the tariff says (Switzerland 25–97).
    #[serde(default)]
    pub duty_free_chapters: Vec<ChapterRange>,
    /// Facts shown with quotes that the rule does not compute (coming
    /// changes, conditions).
    #[serde(default)]
    pub notes: Vec<String>,
}

/// A problem found in a rule: the path of the field (`thresholds[0].limit`,
/// or `rules[3].valid_from` in a set) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleProblem {
    /// Path of the field.
    pub field: String,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for RuleProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

impl ImportRule {
    /// Whether the version applies on `date`.
    pub fn is_valid_on(&self, date: Date) -> bool {
        self.valid_from <= date && self.valid_until.is_none_or(|until| date < until)
    }

    /// Whether it covers `country`.
    pub fn covers(&self, country: Country) -> bool {
        self.countries.contains(&country)
    }

    /// Whether an HS chapter is duty-free under the rule.
    pub fn is_duty_free_chapter(&self, chapter: u8) -> bool {
        self.duty_free_chapters.iter().any(|r| r.contains(chapter))
    }

    /// Every problem of the rule on its own, naming fields: empty texts,
    /// an empty validity, amounts that are negative or in another currency
    /// than the rule's, countries without a tax rate, chapter ranges out of
    /// order.
    pub fn problems(&self) -> Vec<RuleProblem> {
        let mut out = Vec::new();
        let mut add = |field: String, reason: String| out.push(RuleProblem { field, reason });
        let code_ok = |text: &str| {
            !text.is_empty()
                && text.len() <= 40
                && text
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        };
        if !code_ok(&self.version) {
            add(
                "version".into(),
                format!(
                    "{:?} must be 1 to 40 of A-Z, 0-9, '-' and '_', e.g. \"EU-2026-07-01\"",
                    self.version
                ),
            );
        }
        if !code_ok(&self.region) {
            add(
                "region".into(),
                format!(
                    "{:?} must be a short upper-case code such as \"EU\"",
                    self.region
                ),
            );
        }
        if self.countries.is_empty() {
            add("countries".into(), "must name at least one country".into());
        }
        for (i, country) in self.countries.iter().enumerate() {
            if self.countries[..i].contains(country) {
                add(
                    format!("countries[{i}]"),
                    format!("{country} is listed twice"),
                );
            }
        }
        if let Some(until) = self.valid_until {
            if until <= self.valid_from {
                add(
                    "valid_until".into(),
                    format!(
                        "{until} must be after valid_from {} (valid_until is exclusive)",
                        self.valid_from
                    ),
                );
            }
        }
        if self.source.trim().is_empty() {
            add("source".into(), "must say where the facts come from".into());
        }
        let currency = self.currency;
        let mut money = |field: String, amount: Money, positive: bool| {
            if amount.currency() != currency {
                add(
                    field,
                    format!("{amount} must be in the rule currency {currency}"),
                );
            } else if amount.is_negative() || (positive && amount.is_zero()) {
                let want = if positive { "positive" } else { "zero or more" };
                add(field, format!("{amount} must be {want}"));
            }
        };
        if let Some(tax) = &self.tax {
            if let Some(limit) = tax.not_collected_up_to {
                money("tax.not_collected_up_to".into(), limit, false);
            }
        }
        for (i, threshold) in self.thresholds.iter().enumerate() {
            money(format!("thresholds[{i}].limit"), threshold.limit, true);
        }
        if let Some(flat) = &self.flat_duty {
            money(
                "flat_duty.per_subheading".into(),
                flat.per_subheading,
                false,
            );
            money("flat_duty.ceiling".into(), flat.ceiling, true);
        }
        for (i, fee) in self.fees.iter().enumerate() {
            money(format!("fees[{i}].amount"), fee.amount, false);
        }
        let mut add = |field: String, reason: String| out.push(RuleProblem { field, reason });
        if let Some(tax) = &self.tax {
            if tax.name.trim().is_empty() {
                add("tax.name".into(), "must name the tax, e.g. \"VAT\"".into());
            }
            for (i, rate) in tax.country_rates.iter().enumerate() {
                if !self.countries.contains(&rate.country) {
                    add(
                        format!("tax.country_rates[{i}].country"),
                        format!("{} is not one of the rule's countries", rate.country),
                    );
                }
                if let (Some(from), Some(until)) = (rate.valid_from, rate.valid_until) {
                    if until <= from {
                        add(
                            format!("tax.country_rates[{i}].valid_until"),
                            format!("{until} must be after valid_from {from}"),
                        );
                    }
                }
                let overlaps = tax.country_rates[..i].iter().any(|other| {
                    other.country == rate.country
                        && other
                            .valid_from
                            .is_none_or(|f| rate.valid_until.is_none_or(|u| f < u))
                        && rate
                            .valid_from
                            .is_none_or(|f| other.valid_until.is_none_or(|u| f < u))
                });
                if overlaps {
                    add(
                        format!("tax.country_rates[{i}]"),
                        format!("a second rate for {} over the same days", rate.country),
                    );
                }
            }
            if tax.standard_percent.is_none() {
                for country in &self.countries {
                    if !tax.country_rates.iter().any(|r| r.country == *country) {
                        add(
                            "tax.country_rates".into(),
                            format!("{country} has no rate and there is no standard_percent"),
                        );
                    }
                }
            }
        }
        for (i, threshold) in self.thresholds.iter().enumerate() {
            if threshold.tax_at_checkout && !threshold.waives.tax() {
                add(
                    format!("thresholds[{i}].tax_at_checkout"),
                    "tax can only move to checkout when the threshold waives it at the border"
                        .into(),
                );
            }
            if threshold
                .scheme
                .as_deref()
                .is_some_and(|s| s.trim().is_empty())
            {
                add(
                    format!("thresholds[{i}].scheme"),
                    "must not be blank".into(),
                );
            }
            if let OriginScope::Only(list) | OriginScope::Except(list) = &threshold.origins {
                if list.is_empty() {
                    add(
                        format!("thresholds[{i}].origins"),
                        "must name at least one country (or be \"any\")".into(),
                    );
                }
            }
        }
        if let Some(flat) = &self.flat_duty {
            if flat.measure == ThresholdMeasure::ItemValue {
                add(
                    "flat_duty.measure".into(),
                    "a flat duty is decided per consignment, not per item".into(),
                );
            }
        }
        for (i, fee) in self.fees.iter().enumerate() {
            if fee.name.trim().is_empty() {
                add(format!("fees[{i}].name"), "must not be blank".into());
            }
        }
        for (i, range) in self.duty_free_chapters.iter().enumerate() {
            if !(1..=97).contains(&range.from) || !(1..=97).contains(&range.to) {
                add(
                    format!("duty_free_chapters[{i}]"),
                    format!("chapters {}-{} must lie within 1-97", range.from, range.to),
                );
            } else if range.from > range.to {
                add(
                    format!("duty_free_chapters[{i}]"),
                    format!("{} is after {}", range.from, range.to),
                );
            }
        }
        out
    }
}

/// The rules in force, searchable by country and date.
///
/// Made with [`RuleSet::new`], which refuses a set whose rules have
/// problems or overlap (two versions of a region valid on the same day, or
/// one country in two regions on the same day).
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSet {
    rules: Vec<ImportRule>,
    /// For each country (sorted), the indices of the rules covering it,
    /// by `valid_from`.
    by_country: Vec<(Country, Vec<usize>)>,
}

fn periods_overlap(a: &ImportRule, b: &ImportRule) -> bool {
    a.valid_until.is_none_or(|until| b.valid_from < until)
        && b.valid_until.is_none_or(|until| a.valid_from < until)
}

impl RuleSet {
    /// A set of rules, checked: every problem of every rule (paths under
    /// `rules[i].`), duplicate versions, overlapping versions of a region,
    /// and a country covered by two regions on the same day.
    pub fn new(rules: Vec<ImportRule>) -> Result<RuleSet, Vec<RuleProblem>> {
        let problems = RuleSet::problems_of(&rules);
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut by_country: Vec<(Country, Vec<usize>)> = Vec::new();
        for (index, rule) in rules.iter().enumerate() {
            for country in &rule.countries {
                match by_country.binary_search_by_key(country, |(c, _)| *c) {
                    Ok(at) => by_country[at].1.push(index),
                    Err(at) => by_country.insert(at, (*country, vec![index])),
                }
            }
        }
        for (_, indices) in &mut by_country {
            indices.sort_by_key(|&i| rules[i].valid_from);
        }
        Ok(RuleSet { rules, by_country })
    }

    /// The seeded rules ([`super::seed_rules`]) as a set.
    pub fn seeded() -> RuleSet {
        RuleSet::new(super::seed_rules()).expect("the seeded rules are consistent (tested)")
    }

    /// Every problem of a list of rules, as [`RuleSet::new`] checks them.
    pub fn problems_of(rules: &[ImportRule]) -> Vec<RuleProblem> {
        let mut out = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            out.extend(rule.problems().into_iter().map(|p| RuleProblem {
                field: format!("rules[{i}].{}", p.field),
                reason: p.reason,
            }));
            for (j, earlier) in rules[..i].iter().enumerate() {
                if earlier.version == rule.version {
                    out.push(RuleProblem {
                        field: format!("rules[{i}].version"),
                        reason: format!("{} is also rules[{j}]'s version", rule.version),
                    });
                }
                if !periods_overlap(earlier, rule) {
                    continue;
                }
                if earlier.region == rule.region {
                    out.push(RuleProblem {
                        field: format!("rules[{i}].valid_from"),
                        reason: format!(
                            "{} overlaps {} (rules[{j}]) in region {}: versions of a region must not overlap",
                            rule.version, earlier.version, rule.region
                        ),
                    });
                } else if let Some(country) = rule
                    .countries
                    .iter()
                    .find(|c| earlier.countries.contains(c))
                {
                    out.push(RuleProblem {
                        field: format!("rules[{i}].countries"),
                        reason: format!(
                            "{country} is also covered by {} (rules[{j}]) on the same days",
                            earlier.version
                        ),
                    });
                }
            }
        }
        out
    }

    /// All rules, in the order given.
    pub fn rules(&self) -> &[ImportRule] {
        &self.rules
    }

    /// The rule version with this id.
    pub fn version(&self, version: &str) -> Option<&ImportRule> {
        self.rules.iter().find(|r| r.version == version)
    }

    /// The rule for goods imported into `country` on `date`.
    ///
    /// Errors (field `destination` or `date`): no rule covers the country
    /// ([`LandedErrorKind::UnknownDestination`]); rules cover it, but the
    /// date is outside every rule's validity
    /// ([`LandedErrorKind::OutsideValidity`], naming the periods known).
    pub fn rule_for(&self, country: Country, date: Date) -> Result<&ImportRule, LandedError> {
        let found = self
            .by_country
            .binary_search_by_key(&country, |(c, _)| *c)
            .ok()
            .map(|at| &self.by_country[at].1);
        let Some(indices) = found else {
            return Err(LandedError::new(
                LandedErrorKind::UnknownDestination,
                "destination",
                format!(
                    "no import rule covers {country} ({}); add a rule for it before quoting",
                    country.name_en()
                ),
            ));
        };
        if let Some(&index) = indices.iter().find(|&&i| self.rules[i].is_valid_on(date)) {
            return Ok(&self.rules[index]);
        }
        let periods: Vec<String> = indices
            .iter()
            .map(|&i| {
                let rule = &self.rules[i];
                match rule.valid_until {
                    Some(until) => format!("{} {}..{until}", rule.version, rule.valid_from),
                    None => format!("{} from {}", rule.version, rule.valid_from),
                }
            })
            .collect();
        Err(LandedError::new(
            LandedErrorKind::OutsideValidity,
            "date",
            format!(
                "{date} is outside every rule's validity for {country} (known: {})",
                periods.join("; ")
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    fn rule(version: &str, from: &str, until: Option<&str>) -> ImportRule {
        ImportRule {
            version: version.into(),
            region: "GB".into(),
            countries: vec![Country::GB],
            valid_from: day(from),
            valid_until: until.map(day),
            verified: true,
            source: "test".into(),
            currency: Currency::GBP,
            valuation: ValuationBasis::Cif,
            tax: Some(ImportTax {
                name: "VAT".into(),
                standard_percent: Some(Percent::parse("20").unwrap()),
                country_rates: vec![],
                base: TaxBase {
                    duty: true,
                    transport_and_insurance: false,
                },
                not_collected_up_to: None,
            }),
            thresholds: vec![],
            flat_duty: None,
            fees: vec![],
            duty_free_chapters: vec![],
            notes: vec![],
        }
    }

    #[test]
    fn problems_name_their_fields() {
        let mut bad = rule("gb 2021", "2021-01-01", Some("2020-01-01"));
        bad.countries.push(Country::GB);
        bad.thresholds.push(Threshold {
            limit: Money::from_minor(13_500, Currency::EUR),
            measure: ThresholdMeasure::IntrinsicValue,
            comparison: Comparison::AtMost,
            waives: Waiver::Duty,
            scheme: None,
            tax_at_checkout: true,
            origins: OriginScope::Only(vec![]),
            verified: true,
            note: String::new(),
        });
        bad.fees.push(Fee {
            name: " ".into(),
            amount: Money::from_minor(-1, Currency::GBP),
            per: FeeBasis::PerItem,
            when: FeeWhen::Always,
            verified: true,
        });
        bad.duty_free_chapters
            .push(ChapterRange { from: 97, to: 25 });
        let fields: Vec<String> = bad.problems().into_iter().map(|p| p.field).collect();
        for expected in [
            "version",
            "countries[1]",
            "valid_until",
            "thresholds[0].limit",
            "thresholds[0].tax_at_checkout",
            "thresholds[0].origins",
            "fees[0].amount",
            "fees[0].name",
            "duty_free_chapters[0]",
        ] {
            assert!(
                fields.iter().any(|f| f == expected),
                "{expected} in {fields:?}"
            );
        }
        assert!(rule("GB-2021-01-01", "2021-01-01", None)
            .problems()
            .is_empty());
    }

    #[test]
    fn rule_for_picks_the_version_of_the_day() {
        let set = RuleSet::new(vec![
            rule("GB-A", "2021-01-01", Some("2025-01-01")),
            rule("GB-B", "2025-01-01", None),
        ])
        .unwrap();
        let version = |date: &str| {
            set.rule_for(Country::GB, day(date))
                .map(|r| r.version.clone())
        };
        assert_eq!(version("2024-12-31").unwrap(), "GB-A");
        assert_eq!(version("2025-01-01").unwrap(), "GB-B");
        let err = version("2020-12-31").unwrap_err();
        assert_eq!(
            (err.kind, err.field.as_str()),
            (LandedErrorKind::OutsideValidity, "date")
        );
        assert!(err.reason.contains("GB-A 2021-01-01..2025-01-01"), "{err}");
        let err = set.rule_for(Country::US, day("2025-01-01")).unwrap_err();
        assert_eq!(err.kind, LandedErrorKind::UnknownDestination);
        assert_eq!(set.version("GB-B").unwrap().valid_from, day("2025-01-01"));
        // A country in two regions on the same days is refused.
        let mut other = rule("XX-1", "2024-01-01", None);
        other.region = "XX".into();
        let problems = RuleSet::new(vec![rule("GB-A", "2021-01-01", None), other]).unwrap_err();
        assert!(
            problems[0].reason.contains("GB is also covered by GB-A"),
            "{problems:?}"
        );
    }
}
