//! The import charges of a quote one by one (the duty, each tax rate and
//! collection, each fee) with who pays them, and the payment split.

use crate::market::Incoterm;
use crate::money::Money;

use super::answer::{
    ChargeKind, Collection, DutyBasis, ImportCharge, LandedAmounts, PaidBy, PaymentSplit,
    TaxTreatment,
};
use super::decision::FlatDutyCheck;
use super::quote::Line;
use super::rules::ImportRule;
use super::split::Splitter;

/// The charges in rule-currency amounts, then each kind's answer-currency
/// total (`answer_totals`: duty, tax, fees) split over its charges by their
/// rule-currency amounts, so the charges of a kind sum to its total.
///
/// - Duty: one flat-duty charge (collected as the rule says), or one
///   border "Duty" charge when any line's duty was not relieved (even when
///   the tariff makes it zero: the duty is known).
/// - Tax: one charge per rate, collection and scheme, named like "VAT 19%".
/// - Fees: one per fee charged, at the border.
pub(super) fn import_charges(
    rule: &ImportRule,
    incoterm: Incoterm,
    lines: &[Line<'_>],
    flat: Option<&FlatDutyCheck>,
    fee_totals: &[(usize, Money)],
    answer_totals: [Money; 3],
    splitter: &mut Splitter,
) -> Vec<ImportCharge> {
    let rc = rule.currency;
    let answer = answer_totals[0].currency();
    let charge = |kind, name: String, collected, amount: Money| ImportCharge {
        kind,
        name,
        percent: None,
        scheme: None,
        collected,
        paid_by: PaidBy::of(incoterm, collected),
        base_in_rule_currency: None,
        amount_in_rule_currency: amount,
        amount: Money::zero(answer),
    };
    let mut charges: Vec<ImportCharge> = Vec::with_capacity(2 + fee_totals.len());
    let duty_total: i64 = lines.iter().map(|l| l.rc.duty.minor()).sum();
    match (flat.filter(|f| f.applies), &rule.flat_duty) {
        (Some(check), Some(flat_rule)) => {
            let collected = if flat_rule.collected_at_checkout {
                Collection::AtCheckout
            } else {
                Collection::AtBorder
            };
            let count = check.subheadings.len();
            let mut c = charge(
                ChargeKind::Duty,
                format!(
                    "Flat duty {} × {count} subheading{}",
                    flat_rule.per_subheading,
                    if count == 1 { "" } else { "s" }
                ),
                collected,
                Money::from_minor(duty_total, rc),
            );
            c.scheme = flat_rule.scheme.clone();
            charges.push(c);
        }
        _ => {
            if lines
                .iter()
                .any(|l| !matches!(l.duty_basis, DutyBasis::Relieved { .. }))
            {
                charges.push(charge(
                    ChargeKind::Duty,
                    "Duty".to_owned(),
                    Collection::AtBorder,
                    Money::from_minor(duty_total, rc),
                ));
            }
        }
    }
    let tax_name = rule.tax.as_ref().map_or("tax", |t| t.name.as_str());
    for line in lines {
        let collected = match line.treatment {
            TaxTreatment::AtCheckout => Collection::AtCheckout,
            TaxTreatment::AtBorder => Collection::AtBorder,
            TaxTreatment::NotCharged | TaxTreatment::NoTax => continue,
        };
        let Some(percent) = line.tax_percent else {
            continue;
        };
        let scheme = line
            .scheme
            .and_then(|k| rule.thresholds[k].scheme.as_deref());
        let same = charges.iter_mut().find(|c| {
            c.kind == ChargeKind::Tax
                && c.percent == Some(percent)
                && c.collected == collected
                && c.scheme.as_deref() == scheme
        });
        // Partial sums stay below the totals, which were added with checks.
        let plus = |a: Money, b: Money| Money::from_minor(a.minor() + b.minor(), rc);
        match same {
            Some(c) => {
                c.amount_in_rule_currency = plus(c.amount_in_rule_currency, line.rc.tax);
                c.base_in_rule_currency = c
                    .base_in_rule_currency
                    .map(|base| plus(base, line.tax_base));
            }
            None => {
                let mut c = charge(
                    ChargeKind::Tax,
                    format!("{tax_name} {percent}"),
                    collected,
                    line.rc.tax,
                );
                c.percent = Some(percent);
                c.scheme = scheme.map(str::to_owned);
                c.base_in_rule_currency = Some(line.tax_base);
                charges.push(c);
            }
        }
    }
    for &(f, amount) in fee_totals {
        charges.push(charge(
            ChargeKind::Fee,
            rule.fees[f].name.clone(),
            Collection::AtBorder,
            amount,
        ));
    }
    let kinds = [ChargeKind::Duty, ChargeKind::Tax, ChargeKind::Fee];
    for (kind, total) in kinds.into_iter().zip(answer_totals) {
        let first = charges.iter().position(|c| c.kind == kind);
        let Some(first) = first else {
            continue;
        };
        // Charges of a kind are contiguous: duty first, then taxes, then fees.
        let end = charges[first..]
            .iter()
            .position(|c| c.kind != kind)
            .map_or(charges.len(), |p| first + p);
        let parts = splitter.split(total, &charges[first..end], |c| {
            u64::try_from(c.amount_in_rule_currency.minor()).unwrap_or(0)
        });
        for (c, part) in charges[first..end].iter_mut().zip(parts) {
            c.amount = *part;
        }
    }
    charges
}

/// Who pays what: under DDP the customer pays the landed total at
/// checkout and the seller pays (remits) every import charge; under DAP
/// the customer pays goods, shipping, insurance and the charges collected
/// at checkout when ordering, and the border charges on delivery.
pub(super) fn payment_split(
    incoterm: Incoterm,
    charges: &[ImportCharge],
    totals: &LandedAmounts,
) -> PaymentSplit {
    let currency = totals.landed_total.currency();
    let sum_where = |collected: Collection| {
        Money::from_minor(
            charges
                .iter()
                .filter(|c| c.collected == collected)
                .map(|c| c.amount.minor())
                .sum(),
            currency,
        )
    };
    let at_checkout = sum_where(Collection::AtCheckout);
    let at_border = sum_where(Collection::AtBorder);
    if incoterm.seller_pays_import_charges() {
        PaymentSplit {
            customer_pays_at_checkout: totals.landed_total,
            customer_pays_on_delivery: Money::zero(currency),
            seller_pays_import_charges: totals.import_charges(),
            collected_at_checkout: at_checkout,
            collected_at_border: at_border,
        }
    } else {
        PaymentSplit {
            customer_pays_at_checkout: Money::from_minor(
                totals.landed_total.minor() - at_border.minor(),
                currency,
            ),
            customer_pays_on_delivery: at_border,
            seller_pays_import_charges: Money::zero(currency),
            collected_at_checkout: at_checkout,
            collected_at_border: at_border,
        }
    }
}
