//! The de minimis decision: which low-value thresholds apply to a
//! consignment (or to each item), whether a flat duty replaces the tariff,
//! and whether a small import tax is left uncollected, with the reasons.

use serde::Serialize;

use crate::catalog::HsCode;
use crate::country::Country;
use crate::money::Money;

use super::rules::{Comparison, FlatDuty, ImportRule, ThresholdMeasure, Waiver};

/// One threshold of the rule, checked against the consignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThresholdCheck {
    /// Its limit (rule currency).
    pub limit: Money,
    /// What was measured.
    pub measure: ThresholdMeasure,
    /// `≤` or `<`.
    pub comparison: Comparison,
    /// The measured value (rule currency); for a per-item threshold the
    /// highest unit value.
    pub measured: Money,
    /// Whether it applies (for a per-item threshold: to at least one item).
    pub applies: bool,
    /// For a per-item threshold, the indices of the items it applies to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<usize>,
    /// What it relieves at the border.
    pub waives: Waiver,
    /// The scheme, e.g. `"IOSS"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    /// Whether relieved tax is charged at checkout instead.
    pub tax_at_checkout: bool,
    /// False when the threshold rests on unverified facts.
    pub verified: bool,
    /// Why it applies or not, in English.
    pub reason: String,
}

/// The flat duty per subheading, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlatDutyCheck {
    /// Duty per distinct subheading.
    pub per_subheading: Money,
    /// The consignment ceiling.
    pub ceiling: Money,
    /// `≤` or `<`.
    pub comparison: Comparison,
    /// The measured consignment value.
    pub measured: Money,
    /// Whether it applies.
    pub applies: bool,
    /// The distinct 6-digit subheadings counted (when it applies).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subheadings: Vec<HsCode>,
    /// The flat duty charged (zero when it does not apply).
    pub amount: Money,
    /// Why, in English.
    pub reason: String,
}

/// The "small import tax is not collected" rule (Switzerland CHF 5), checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaxNotCollectedCheck {
    /// Tax up to this amount is not collected.
    pub limit: Money,
    /// The import tax computed at the border.
    pub border_tax: Money,
    /// Whether it was left uncollected.
    pub applies: bool,
    /// Why, in English.
    pub reason: String,
}

/// The de minimis decision of a quote, as text and as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeMinimisDecision {
    /// One or two sentences for people.
    pub summary: String,
    /// Every threshold of the rule, in its priority order.
    pub thresholds: Vec<ThresholdCheck>,
    /// The flat duty, when the rule has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flat_duty: Option<FlatDutyCheck>,
    /// The small-tax rule, when the rule has one and tax was due at the border.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_not_collected: Option<TaxNotCollectedCheck>,
    /// Whether duty is relieved (or replaced by the flat duty) for every item.
    pub duty_relieved: bool,
    /// Whether border tax is relieved for every item (charged at checkout
    /// or not at all).
    pub border_tax_relieved: bool,
}

fn relief_text(
    waives: Waiver,
    tax_name: &str,
    at_checkout: bool,
    scheme: Option<&str>,
    flat_duty: bool,
) -> String {
    let scheme = scheme.map(|s| format!(" ({s})")).unwrap_or_default();
    let duty = if flat_duty {
        "flat duty instead of the tariff"
    } else {
        "no duty"
    };
    match (waives, at_checkout) {
        (Waiver::Duty, _) => format!("{duty}{scheme}"),
        (Waiver::Tax, true) => format!("{tax_name} charged at checkout{scheme}"),
        (Waiver::Tax, false) => format!("no {tax_name}{scheme}"),
        (Waiver::DutyAndTax, true) => {
            format!("{duty}; {tax_name} charged at checkout{scheme}")
        }
        (Waiver::DutyAndTax, false) => format!("{duty} and no {tax_name}{scheme}"),
    }
}

/// What thresholds measure, in the rule currency.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Consignment<'a> {
    /// Each item's origin.
    pub(crate) origins: &'a [Country],
    /// Sum of the goods values.
    pub(crate) intrinsic: Money,
    /// Sum of the customs values.
    pub(crate) customs: Money,
    /// Each item's unit value (empty unless a per-item threshold needs it).
    pub(crate) unit_values: &'a [Money],
    /// Whether a flat duty replaces the tariff duty (for the wording).
    pub(crate) flat_duty: bool,
}

/// Checks every threshold of `rule` in order. For each item, the first
/// applying threshold that relieves duty (tax) is recorded in `duty_by`
/// (`tax_by`). A consignment threshold applies only when every item's
/// origin is in its scope; a per-item threshold is decided item by item
/// against `unit_values` (rule currency; only read when the rule has one).
pub(crate) fn check_thresholds(
    rule: &ImportRule,
    tax_name: &str,
    consignment: &Consignment<'_>,
    duty_by: &mut [Option<usize>],
    tax_by: &mut [Option<usize>],
) -> Vec<ThresholdCheck> {
    let Consignment {
        origins,
        intrinsic,
        customs,
        unit_values,
        flat_duty,
    } = *consignment;
    let mut checks = Vec::with_capacity(rule.thresholds.len());
    for (k, threshold) in rule.thresholds.iter().enumerate() {
        let limit = threshold.limit;
        let cmp = threshold.comparison;
        let relief = relief_text(
            threshold.waives,
            tax_name,
            threshold.tax_at_checkout,
            threshold.scheme.as_deref(),
            flat_duty,
        );
        let mut items = Vec::new();
        let (measured, applies, reason) = if threshold.measure == ThresholdMeasure::ItemValue {
            let mut highest = Money::zero(limit.currency());
            for (i, (value, origin)) in unit_values.iter().zip(origins).enumerate() {
                if value.minor() > highest.minor() {
                    highest = *value;
                }
                if threshold.origins.includes(*origin) && cmp.passes(value.minor(), limit.minor()) {
                    items.push(i);
                }
            }
            let count = items.len();
            let reason = if count == 0 {
                format!(
                    "no item has a value per item {} {limit}: no relief",
                    cmp.symbol()
                )
            } else {
                format!(
                    "{count} of {} items at {} {limit} per item: {relief}",
                    origins.len(),
                    cmp.symbol()
                )
            };
            (highest, count > 0, reason)
        } else {
            let measured = match threshold.measure {
                ThresholdMeasure::IntrinsicValue => intrinsic,
                _ => customs,
            };
            let outside = origins.iter().find(|o| !threshold.origins.includes(**o));
            if let Some(origin) = outside {
                let reason = format!(
                    "not for goods of origin {origin} (it covers {}): no relief from this threshold",
                    threshold.origins
                );
                (measured, false, reason)
            } else if cmp.passes(measured.minor(), limit.minor()) {
                let reason = format!(
                    "{} {measured} {} {limit}: {relief}",
                    capitalised(threshold.measure.label()),
                    cmp.symbol()
                );
                items.extend(0..origins.len());
                (measured, true, reason)
            } else {
                let reason = format!(
                    "{} {measured} {} {limit}: no relief",
                    capitalised(threshold.measure.label()),
                    cmp.negated_symbol()
                );
                (measured, false, reason)
            }
        };
        for &i in &items {
            if threshold.waives.duty() && duty_by[i].is_none() {
                duty_by[i] = Some(k);
            }
            if threshold.waives.tax() && tax_by[i].is_none() {
                tax_by[i] = Some(k);
            }
        }
        if threshold.measure != ThresholdMeasure::ItemValue {
            items.clear();
        }
        checks.push(ThresholdCheck {
            limit,
            measure: threshold.measure,
            comparison: cmp,
            measured,
            applies,
            items,
            waives: threshold.waives,
            scheme: threshold.scheme.clone(),
            tax_at_checkout: threshold.tax_at_checkout,
            verified: threshold.verified,
            reason,
        });
    }
    checks
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Checks the flat duty: whether the consignment is within the ceiling,
/// and if so the distinct subheadings of `hs_codes` and the amount.
pub(crate) fn check_flat_duty(
    flat: &FlatDuty,
    intrinsic: Money,
    customs: Money,
    hs_codes: &[HsCode],
) -> Option<FlatDutyCheck> {
    let measured = match flat.measure {
        ThresholdMeasure::CustomsValue => customs,
        _ => intrinsic,
    };
    let applies = flat
        .comparison
        .passes(measured.minor(), flat.ceiling.minor());
    let mut subheadings: Vec<HsCode> = Vec::new();
    if applies {
        for hs in hs_codes {
            if !subheadings.contains(hs) {
                subheadings.push(*hs);
            }
        }
    }
    let amount = flat
        .per_subheading
        .checked_mul(subheadings.len() as i64)
        .ok()?;
    let scheme = flat
        .scheme
        .as_deref()
        .map(|s| format!(" ({s})"))
        .unwrap_or_default();
    let reason = if applies {
        format!(
            "{} {measured} {} {}: flat duty {} × {} subheading{} = {amount}{scheme}",
            capitalised(flat.measure.label()),
            flat.comparison.symbol(),
            flat.ceiling,
            flat.per_subheading,
            subheadings.len(),
            if subheadings.len() == 1 { "" } else { "s" },
        )
    } else {
        format!(
            "{} {measured} {} {}: no flat duty, the tariff applies",
            capitalised(flat.measure.label()),
            flat.comparison.negated_symbol(),
            flat.ceiling
        )
    };
    Some(FlatDutyCheck {
        per_subheading: flat.per_subheading,
        ceiling: flat.ceiling,
        comparison: flat.comparison,
        measured,
        applies,
        subheadings,
        amount,
        reason,
    })
}

/// The summary sentence(s) of a decision.
pub(crate) fn summarize(
    rule: &ImportRule,
    tax_name: Option<&str>,
    checks: &[ThresholdCheck],
    flat: Option<&FlatDutyCheck>,
    not_collected: Option<&TaxNotCollectedCheck>,
) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for check in checks.iter().filter(|c| c.applies) {
        parts.push(&check.reason);
    }
    let flat_part;
    if let Some(flat) = flat.filter(|f| f.applies) {
        let count = flat.subheadings.len();
        flat_part = format!(
            "flat duty {} × {count} subheading{} = {}",
            flat.per_subheading,
            if count == 1 { "" } else { "s" },
            flat.amount
        );
        parts.push(&flat_part);
    }
    let mut text = if !parts.is_empty() {
        parts.join("; ")
    } else if checks.is_empty() && flat.is_none() {
        let charges = match tax_name {
            Some(name) => format!("duty and {name}"),
            None => "duty".to_owned(),
        };
        format!(
            "No low-value threshold in {}: {charges} on every consignment",
            rule.version
        )
    } else {
        let reasons: Vec<&str> = checks.iter().map(|c| c.reason.as_str()).collect();
        let mut text = reasons.join("; ");
        if let Some(flat) = flat {
            if !text.is_empty() {
                text.push_str("; ");
            }
            text.push_str(&flat.reason);
        }
        text
    };
    if let Some(check) = not_collected.filter(|c| c.applies) {
        text.push_str("; ");
        text.push_str(&check.reason);
    }
    text.push('.');
    text
}
