//! The landed-cost quote: goods, shipping, insurance, duty, tax and fees
//! for a consignment to a destination, in the destination's rule currency
//! and in the answer currency, with the decision and who pays what.
//!
//! Order of work (rule currency unless said otherwise):
//! 1. Each item line's value (`unit_price × quantity`) is converted to the
//!    rule currency (`landed_fx_to_rule_currency`); shipping and insurance
//!    too, then allocated to the lines in proportion to their goods value
//!    (largest remainder, exact).
//! 2. Customs value per line: goods (FOB), or goods + shipping + insurance
//!    (CIF).
//! 3. Thresholds, in the rule's order, decide per line whether duty and
//!    tax are relieved; a flat duty per subheading may replace the tariff
//!    (each subheading's amount split over its lines by goods value).
//! 4. Duty per line from the flat duty, the request's `duty_rate`, or the
//!    tariff line (preferential rate for the origin; ad valorem + specific,
//!    minimum, maximum), exact until rounded once (`landed_duty`). HS
//!    chapters the rule makes duty-free pay none.
//! 5. Fees per consignment (allocated by goods value) or per unit.
//! 6. Tax per line on its base (customs value, + duty, + transport and
//!    insurance when the rule says so; at checkout: goods + shipping +
//!    insurance + duty), rounded once per line (`landed_tax`). Border tax
//!    at or below the rule's "not collected" amount is dropped.
//! 7. To the answer currency: goods per line are converted from the item's
//!    own currency (so a price in the answer currency is kept as is) and
//!    summed; shipping, insurance, duty, tax and fees are converted as
//!    totals (`landed_fx_to_answer_currency`) and allocated back to the
//!    lines in proportion to their rule-currency amounts. Lines therefore
//!    sum exactly to the totals, component by component.

use crate::calendar::Date;
use crate::catalog::HsCode;
use crate::country::Country;
use crate::fx::{Conversion, ReferenceRates};
use crate::money::{Currency, Money, RoundingMode, RoundingStep};

use super::answer::{DutyBasis, FxUsed, LandedAmounts, LandedLine, LandedQuote, TaxTreatment};
use super::charges::{import_charges, payment_split};
use super::decision::{
    check_flat_duty, check_thresholds, summarize, Consignment, DeMinimisDecision,
    TaxNotCollectedCheck,
};
use super::error::{LandedError, LandedErrorKind};
use super::exact::Exact;
use super::percent::Percent;
use super::request::{QuoteItem, QuoteRequest};
use super::rules::{FeeBasis, FeeWhen, ImportRule, RuleSet, ThresholdMeasure, ValuationBasis};
use super::split::Splitter;
use super::tariff::{DutyChoice, LineCode, TariffBook, TariffLine};

/// Rounding of every amount converted into the rule currency (item line
/// values, unit values for per-item thresholds, shipping, insurance):
/// half-even, the FX default.
pub const LANDED_FX_TO_RULE: RoundingStep =
    RoundingStep::new("landed_fx_to_rule_currency", RoundingMode::HalfEven);
/// Rounding of the duty of one item line (after ad valorem + specific,
/// minimum and maximum): half-up, as customs computations round.
pub const LANDED_DUTY: RoundingStep = RoundingStep::new("landed_duty", RoundingMode::HalfUp);
/// Rounding of the tax of one item line: half-up.
pub const LANDED_TAX: RoundingStep = RoundingStep::new("landed_tax", RoundingMode::HalfUp);
/// Rounding of goods per line and of each total converted into the answer
/// currency: half-even.
pub const LANDED_FX_TO_ANSWER: RoundingStep =
    RoundingStep::new("landed_fx_to_answer_currency", RoundingMode::HalfEven);

/// Conversions into the answer currency may reuse those into the rule
/// currency when both are the same currency and round alike.
const SAME_FX_ROUNDING: bool = matches!(
    (LANDED_FX_TO_RULE.mode(), LANDED_FX_TO_ANSWER.mode()),
    (RoundingMode::HalfEven, RoundingMode::HalfEven)
        | (RoundingMode::HalfUp, RoundingMode::HalfUp)
        | (RoundingMode::Up, RoundingMode::Up)
        | (RoundingMode::Down, RoundingMode::Down)
);

/// Conversions looked up once per quote and pair.
struct FxCache<'r> {
    rates: &'r ReferenceRates,
    date: Date,
    used: Vec<Conversion>,
}

impl FxCache<'_> {
    fn convert(
        &mut self,
        amount: Money,
        to: Currency,
        step: RoundingStep,
        field: &dyn Fn() -> String,
    ) -> Result<Money, LandedError> {
        let from = amount.currency();
        if from == to {
            return Ok(amount);
        }
        let conversion = match self.used.iter().find(|c| c.from() == from && c.to() == to) {
            Some(found) => *found,
            None => {
                let made = self
                    .rates
                    .conversion(from, to, self.date)
                    .map_err(|e| LandedError::fx(field(), e))?;
                self.used.push(made);
                made
            }
        };
        conversion
            .apply(amount, step)
            .map_err(|e| LandedError::fx(field(), e))
    }
}

fn minor_weight(money: Money) -> u64 {
    u64::try_from(money.minor()).unwrap_or(0)
}

/// How an item's duty is determined, before thresholds.
enum DutySpec<'t> {
    FreeChapter(u8),
    Requested(Percent),
    Line(&'t TariffLine, DutyChoice<'t>),
}

/// Finds the duty of `item` under `rule`; never guesses zero.
fn duty_spec<'t>(
    rule: &ImportRule,
    tariff: &'t TariffBook,
    region: Option<u16>,
    item: &QuoteItem,
    i: usize,
) -> Result<(DutySpec<'t>, Option<&'t TariffLine>), LandedError> {
    let hs = item.hs_code.as_str().as_bytes();
    let chapter = (hs[0] - b'0') * 10 + (hs[1] - b'0');
    let digits = match &item.tariff_code {
        Some(code) => code.as_str().as_bytes(),
        None => hs,
    };
    let line = region.and_then(|r| tariff.find_in(r, digits));
    let origin = item.origin.unwrap_or(Country::CN);
    if rule.is_duty_free_chapter(chapter) {
        return Ok((DutySpec::FreeChapter(chapter), line));
    }
    if let Some(percent) = item.duty_rate {
        return Ok((DutySpec::Requested(percent), line));
    }
    if let Some(line) = line {
        let choice = line.duty_for(origin);
        if let DutyChoice::Standard(rate) = choice {
            if let Some(currency) = rate.currency().filter(|c| *c != rule.currency) {
                return Err(LandedError::new(
                    LandedErrorKind::InvalidRule,
                    format!("items[{i}].tariff_code"),
                    format!(
                        "tariff line {} {} has amounts in {currency}, but {} computes in {}",
                        line.region, line.code, rule.version, rule.currency
                    ),
                ));
            }
        }
        return Ok((DutySpec::Line(line, choice), Some(line)));
    }
    let never_zero = "a quote never treats an unknown duty as zero";
    if region.is_none() {
        return Err(LandedError::new(
            LandedErrorKind::UnknownTariff,
            format!("items[{i}].hs_code"),
            format!(
                "no tariff lines for region {}: import its tariff or give items[{i}].duty_rate ({never_zero})",
                rule.region
            ),
        ));
    }
    if let Some(code) = &item.tariff_code {
        return Err(LandedError::new(
            LandedErrorKind::UnknownTariff,
            format!("items[{i}].tariff_code"),
            format!(
                "no {} tariff line for {code} or its 8- and 6-digit prefixes; add the line or give items[{i}].duty_rate ({never_zero})",
                rule.region
            ),
        ));
    }
    let candidates: Vec<String> = tariff
        .lines_under(&rule.region, item.hs_code)
        .iter()
        .map(|l| l.code.to_string())
        .collect();
    let reason = if candidates.is_empty() {
        format!(
            "no {} tariff line for HS {}; add the line or give items[{i}].duty_rate ({never_zero})",
            rule.region, item.hs_code
        )
    } else {
        format!(
            "{} has no 6-digit line for HS {} but national lines {}: give items[{i}].tariff_code ({never_zero})",
            rule.region,
            item.hs_code,
            candidates.join(", ")
        )
    };
    Err(LandedError::new(
        LandedErrorKind::UnknownTariff,
        format!("items[{i}].hs_code"),
        reason,
    ))
}

/// Per-line working values.
pub(super) struct Line<'t> {
    spec: DutySpec<'t>,
    pub(super) tariff_line: Option<&'t TariffLine>,
    pub(super) tax_percent: Option<Percent>,
    /// Unit price × quantity, in the item's currency.
    value: Money,
    /// Rule-currency amounts.
    pub(super) rc: LandedAmounts,
    /// Answer-currency amounts.
    pub(super) ans: LandedAmounts,
    pub(super) customs_value: Money,
    pub(super) duty_basis: DutyBasis,
    pub(super) tax_base: Money,
    pub(super) treatment: TaxTreatment,
    /// The threshold that moved the tax to checkout.
    pub(super) scheme: Option<usize>,
}

fn money_error(field: &'static str) -> impl Fn(crate::money::MoneyError) -> LandedError {
    move |e| LandedError::money(field, e)
}

/// Quotes the landed cost of `request` with the rules, tariff and rates
/// given. See the module documentation for the order of work and
/// [`super`] for the rounding steps.
///
/// Errors ([`LandedError`], naming the field): invalid input (quantity,
/// price, missing origin, incoterm other than DDP/DAP), no rule for the
/// destination, the date outside every rule's validity, no tariff line
/// and no `duty_rate` for an item, a missing exchange rate, overflow.
pub fn quote(
    request: &QuoteRequest,
    rules: &RuleSet,
    tariff: &TariffBook,
    rates: &ReferenceRates,
) -> Result<LandedQuote, LandedError> {
    request.check()?;
    let rule = rules.rule_for(request.destination, request.date)?;
    let rc = rule.currency;
    let ans = request.answer_currency;
    let n = request.items.len();
    let mut fx = FxCache {
        rates,
        date: request.date,
        used: Vec::with_capacity(3),
    };
    let tax_rule = rule.tax.as_ref();
    let standard_tax = match tax_rule {
        Some(tax) => Some(
            tax.percent_for(request.destination, request.date)
                .ok_or_else(|| {
                    LandedError::new(
                        LandedErrorKind::InvalidRule,
                        "destination",
                        format!(
                            "{} has no {} rate for {} on {}",
                            rule.version, tax.name, request.destination, request.date
                        ),
                    )
                })?,
        ),
        None => None,
    };
    let tax_name = tax_rule.map_or("tax", |t| t.name.as_str());
    let region = tariff.region_id(&rule.region);

    // 1. Lines in the rule currency; shipping and insurance over them.
    let mut lines: Vec<Line<'_>> = Vec::with_capacity(n);
    for (i, item) in request.items.iter().enumerate() {
        let field = || format!("items[{i}].unit_price");
        let value = item
            .unit_price
            .checked_mul(item.quantity)
            .map_err(|e| LandedError::money(field(), e))?;
        let goods = fx.convert(value, rc, LANDED_FX_TO_RULE, &field)?;
        let (spec, tariff_line) = duty_spec(rule, tariff, region, item, i)?;
        let tax_percent = standard_tax
            .map(|standard| tariff_line.and_then(|l| l.tax_percent).unwrap_or(standard));
        let mut amounts = LandedAmounts::zero(rc);
        amounts.goods = goods;
        lines.push(Line {
            spec,
            tariff_line,
            tax_percent,
            value,
            rc: amounts,
            ans: LandedAmounts::zero(ans),
            customs_value: goods,
            duty_basis: DutyBasis::Relieved { threshold: 0 },
            tax_base: Money::zero(rc),
            treatment: TaxTreatment::NoTax,
            scheme: None,
        });
    }
    let shipping = fx.convert(request.shipping, rc, LANDED_FX_TO_RULE, &|| {
        "shipping".into()
    })?;
    let insurance = fx.convert(request.insurance, rc, LANDED_FX_TO_RULE, &|| {
        "insurance".into()
    })?;
    let mut splitter = Splitter::new(n);
    let by_goods = |l: &Line<'_>| minor_weight(l.rc.goods);
    let parts = splitter.split(shipping, &lines, by_goods);
    for (line, part) in lines.iter_mut().zip(parts) {
        line.rc.shipping = *part;
    }
    let parts = splitter.split(insurance, &lines, by_goods);
    for (line, part) in lines.iter_mut().zip(parts) {
        line.rc.insurance = *part;
    }

    // 2. Customs values.
    let mut intrinsic = 0i64;
    let mut customs = 0i64;
    for line in &mut lines {
        if rule.valuation == ValuationBasis::Cif {
            line.customs_value =
                Money::checked_sum(rc, [line.rc.goods, line.rc.shipping, line.rc.insurance])
                    .map_err(money_error("items"))?;
        }
        intrinsic = intrinsic
            .checked_add(line.rc.goods.minor())
            .ok_or_else(|| LandedError::overflow("items", "the intrinsic value"))?;
        customs = customs
            .checked_add(line.customs_value.minor())
            .ok_or_else(|| LandedError::overflow("items", "the customs value"))?;
    }
    let intrinsic = Money::from_minor(intrinsic, rc);
    let customs = Money::from_minor(customs, rc);

    // 3. Thresholds and the flat duty.
    let mut unit_values: Vec<Money> = Vec::new();
    if rule
        .thresholds
        .iter()
        .any(|t| t.measure == ThresholdMeasure::ItemValue)
    {
        for (i, item) in request.items.iter().enumerate() {
            let field = || format!("items[{i}].unit_price");
            unit_values.push(fx.convert(item.unit_price, rc, LANDED_FX_TO_RULE, &field)?);
        }
    }
    let origins: Vec<Country> = request
        .items
        .iter()
        .map(|i| i.origin.unwrap_or(Country::CN))
        .collect();
    let flat = match &rule.flat_duty {
        Some(flat) => {
            let hs_codes: Vec<HsCode> = request.items.iter().map(|i| i.hs_code).collect();
            Some(
                check_flat_duty(flat, intrinsic, customs, &hs_codes)
                    .ok_or_else(|| LandedError::overflow("items", "the flat duty"))?,
            )
        }
        None => None,
    };
    let flat_applies = flat.as_ref().is_some_and(|f| f.applies);
    let mut duty_by = vec![None; n];
    let mut tax_by = vec![None; n];
    let checks = check_thresholds(
        rule,
        tax_name,
        &Consignment {
            origins: &origins,
            intrinsic,
            customs,
            unit_values: &unit_values,
            flat_duty: flat_applies,
        },
        &mut duty_by,
        &mut tax_by,
    );

    // 4. Duty.
    if let Some(check) = flat.as_ref().filter(|f| f.applies) {
        for subheading in &check.subheadings {
            let mine = |(line, item): &(&Line<'_>, &QuoteItem)| {
                if item.hs_code == *subheading {
                    minor_weight(line.rc.goods).max(1)
                } else {
                    0
                }
            };
            let pairs: Vec<(&Line<'_>, &QuoteItem)> = lines.iter().zip(&request.items).collect();
            let parts = splitter.split(check.per_subheading, &pairs, mine).to_vec();
            for ((line, item), part) in lines.iter_mut().zip(&request.items).zip(parts) {
                if item.hs_code == *subheading {
                    line.rc.duty = part;
                    line.duty_basis = DutyBasis::FlatDuty {
                        subheading: *subheading,
                    };
                }
            }
        }
    } else {
        for (i, (line, item)) in lines.iter_mut().zip(&request.items).enumerate() {
            if let Some(k) = duty_by[i] {
                line.duty_basis = DutyBasis::Relieved { threshold: k };
                continue;
            }
            let cv = Exact::minor(line.customs_value.minor());
            let exact = match &line.spec {
                DutySpec::FreeChapter(chapter) => {
                    line.duty_basis = DutyBasis::DutyFreeChapter { chapter: *chapter };
                    continue;
                }
                DutySpec::Requested(percent) => {
                    line.duty_basis = DutyBasis::RequestedRate { percent: *percent };
                    cv.times(percent.fraction().as_decimal())
                }
                DutySpec::Line(tariff_line, DutyChoice::Standard(rate)) => {
                    line.duty_basis = DutyBasis::Tariff {
                        line: tariff_line.code,
                        duty: (*rate).clone(),
                    };
                    rate.exact_duty(line.customs_value, item.quantity, item.weight_kg)
                }
                DutySpec::Line(tariff_line, DutyChoice::Preferential(rate)) => {
                    line.duty_basis = DutyBasis::Preferential {
                        line: tariff_line.code,
                        origin: rate.origin,
                        percent: rate.percent,
                    };
                    cv.times(rate.percent.fraction().as_decimal())
                }
            };
            let minor = exact
                .and_then(|e| e.round(LANDED_DUTY.mode()))
                .ok_or_else(|| LandedError::overflow(format!("items[{i}]"), "the duty"))?;
            line.rc.duty = Money::from_minor(minor, rc);
        }
    }

    // 5. Fees.
    let any_relief = flat_applies || checks.iter().any(|c| c.applies);
    let mut fee_totals: Vec<(usize, Money)> = Vec::new();
    for (f, fee) in rule.fees.iter().enumerate() {
        let applies = match fee.when {
            FeeWhen::Always => true,
            FeeWhen::LowValue => any_relief,
            FeeWhen::FormalEntry => !any_relief,
        };
        if !applies {
            continue;
        }
        let mut total = Money::zero(rc);
        match fee.per {
            FeeBasis::PerConsignment => {
                let parts = splitter.split(fee.amount, &lines, by_goods);
                for (line, part) in lines.iter_mut().zip(parts) {
                    line.rc.fees = line
                        .rc
                        .fees
                        .checked_add(*part)
                        .map_err(money_error("items"))?;
                }
                total = fee.amount;
            }
            FeeBasis::PerItem => {
                for (line, item) in lines.iter_mut().zip(&request.items) {
                    let part = fee
                        .amount
                        .checked_mul(item.quantity)
                        .map_err(money_error("items"))?;
                    line.rc.fees = line
                        .rc
                        .fees
                        .checked_add(part)
                        .map_err(money_error("items"))?;
                    total = total.checked_add(part).map_err(money_error("items"))?;
                }
            }
        }
        fee_totals.push((f, total));
    }

    // 6. Tax.
    if let Some(tax) = tax_rule {
        let add_transport =
            tax.base.transport_and_insurance && rule.valuation == ValuationBasis::Fob;
        for (i, line) in lines.iter_mut().enumerate() {
            let Some(percent) = line.tax_percent else {
                continue;
            };
            let (treatment, scheme) = match tax_by[i] {
                Some(k) if rule.thresholds[k].tax_at_checkout => {
                    (TaxTreatment::AtCheckout, Some(k))
                }
                Some(_) => (TaxTreatment::NotCharged, None),
                None => (TaxTreatment::AtBorder, None),
            };
            line.treatment = treatment;
            line.scheme = scheme;
            if treatment == TaxTreatment::NotCharged {
                continue;
            }
            let zero = Money::zero(rc);
            let (value, transport) = if treatment == TaxTreatment::AtCheckout {
                (line.rc.goods, true)
            } else {
                (line.customs_value, add_transport)
            };
            let (shipping, insurance) = if transport {
                (line.rc.shipping, line.rc.insurance)
            } else {
                (zero, zero)
            };
            let duty = if tax.base.duty { line.rc.duty } else { zero };
            let field = || format!("items[{i}]");
            line.tax_base = Money::checked_sum(rc, [value, shipping, insurance, duty])
                .map_err(|e| LandedError::money(field(), e))?;
            line.rc.tax = line
                .tax_base
                .mul_rate(percent.fraction(), LANDED_TAX)
                .map_err(|e| LandedError::money(field(), e))?;
        }
    }
    let mut not_collected = None;
    if let Some(limit) = tax_rule.and_then(|t| t.not_collected_up_to) {
        let at_border = |l: &Line<'_>| l.treatment == TaxTreatment::AtBorder;
        if lines.iter().any(at_border) {
            let border: i64 = lines
                .iter()
                .filter(|l| at_border(l))
                .map(|l| l.rc.tax.minor())
                .sum();
            let border_tax = Money::from_minor(border, rc);
            let applies = border <= limit.minor();
            let reason = if applies {
                for line in lines.iter_mut().filter(|l| at_border(l)) {
                    line.rc.tax = Money::zero(rc);
                    line.treatment = TaxTreatment::NotCharged;
                }
                format!("import {tax_name} {border_tax} ≤ {limit} is not collected")
            } else {
                format!("import {tax_name} {border_tax} > {limit} is collected")
            };
            not_collected = Some(TaxNotCollectedCheck {
                limit,
                border_tax,
                applies,
                reason,
            });
        }
    }
    let mut totals_rc = LandedAmounts::zero(rc);
    for line in &mut lines {
        line.rc.close()?;
        totals_rc.add(&line.rc)?;
    }

    // 7. The answer currency.
    let reuse = ans == rc && SAME_FX_ROUNDING;
    for (i, line) in lines.iter_mut().enumerate() {
        line.ans.goods = if reuse {
            line.rc.goods
        } else {
            let field = || format!("items[{i}].unit_price");
            fx.convert(line.value, ans, LANDED_FX_TO_ANSWER, &field)?
        };
    }
    let (shipping_ans, insurance_ans) = if reuse {
        (shipping, insurance)
    } else {
        (
            fx.convert(request.shipping, ans, LANDED_FX_TO_ANSWER, &|| {
                "shipping".into()
            })?,
            fx.convert(request.insurance, ans, LANDED_FX_TO_ANSWER, &|| {
                "insurance".into()
            })?,
        )
    };
    let answer_field = || String::from("answer_currency");
    let duty_ans = fx.convert(totals_rc.duty, ans, LANDED_FX_TO_ANSWER, &answer_field)?;
    let tax_ans = fx.convert(totals_rc.tax, ans, LANDED_FX_TO_ANSWER, &answer_field)?;
    let fees_ans = fx.convert(totals_rc.fees, ans, LANDED_FX_TO_ANSWER, &answer_field)?;
    let components: [(Money, Weigh, Place); 5] = [
        (
            shipping_ans,
            |l| minor_weight(l.rc.goods),
            |a, m| a.shipping = m,
        ),
        (
            insurance_ans,
            |l| minor_weight(l.rc.goods),
            |a, m| a.insurance = m,
        ),
        (duty_ans, |l| minor_weight(l.rc.duty), |a, m| a.duty = m),
        (tax_ans, |l| minor_weight(l.rc.tax), |a, m| a.tax = m),
        (fees_ans, |l| minor_weight(l.rc.fees), |a, m| a.fees = m),
    ];
    for (total, weigh, place) in components {
        let parts = splitter.split(total, &lines, weigh);
        for (line, part) in lines.iter_mut().zip(parts) {
            place(&mut line.ans, *part);
        }
    }
    let mut totals = LandedAmounts::zero(ans);
    for line in &mut lines {
        line.ans.close()?;
        totals.add(&line.ans)?;
    }

    // Charges, who pays, the decision.
    let charges = import_charges(
        rule,
        request.incoterm,
        &lines,
        flat.as_ref(),
        &fee_totals,
        [duty_ans, tax_ans, fees_ans],
        &mut splitter,
    );
    let payments = payment_split(request.incoterm, &charges, &totals);
    let summary = summarize(
        rule,
        tax_rule.map(|t| t.name.as_str()),
        &checks,
        flat.as_ref(),
        not_collected.as_ref(),
    );
    let duty_relieved = lines.iter().all(|l| {
        matches!(
            l.duty_basis,
            DutyBasis::Relieved { .. } | DutyBasis::FlatDuty { .. }
        )
    });
    let border_tax_relieved = lines.iter().all(|l| l.treatment != TaxTreatment::AtBorder);
    let mut notes = rule.notes.clone();
    if !rule.verified {
        notes.push(format!(
            "{} rests on unverified facts: check before relying on it.",
            rule.version
        ));
    }
    for check in checks.iter().filter(|c| c.applies && !c.verified) {
        notes.push(format!("Unverified threshold applied: {}.", check.reason));
    }
    if let Some(flat_rule) = rule.flat_duty.as_ref().filter(|f| !f.verified) {
        if flat_applies {
            notes.push(format!(
                "Unverified flat duty applied: {} per subheading.",
                flat_rule.per_subheading
            ));
        }
    }
    let mut tariff_lines: Vec<LineCode> = Vec::new();
    for line in lines.iter().filter_map(|l| l.tariff_line) {
        if !tariff_lines.contains(&line.code) {
            tariff_lines.push(line.code);
        }
    }
    let items = lines
        .into_iter()
        .zip(&request.items)
        .map(|(line, item)| LandedLine {
            id: item.id.clone(),
            hs_code: item.hs_code,
            tariff_line: line.tariff_line.map(|l| l.code),
            duty_basis: line.duty_basis,
            customs_value: line.customs_value,
            tax_percent: match line.treatment {
                TaxTreatment::AtCheckout | TaxTreatment::AtBorder => line.tax_percent,
                _ => None,
            },
            tax: line.treatment,
            amounts: line.ans,
            amounts_in_rule_currency: (rc != ans).then_some(line.rc),
        })
        .collect();
    Ok(LandedQuote {
        destination: request.destination,
        region: rule.region.clone(),
        rule_version: rule.version.clone(),
        rule_verified: rule.verified,
        rule_source: rule.source.clone(),
        incoterm: request.incoterm,
        date: request.date,
        rule_currency: rc,
        answer_currency: ans,
        valuation: rule.valuation,
        customs_value: customs,
        de_minimis: DeMinimisDecision {
            summary,
            thresholds: checks,
            flat_duty: flat,
            tax_not_collected: not_collected,
            duty_relieved,
            border_tax_relieved,
        },
        items,
        totals,
        totals_in_rule_currency: (rc != ans).then_some(totals_rc),
        charges,
        payments,
        conversions: fx.used.into_iter().map(FxUsed).collect(),
        tariff_lines,
        notes,
    })
}

/// The weight of a line for splitting one answer-currency component.
type Weigh = fn(&Line<'_>) -> u64;
/// Where a split part goes in a line's amounts.
type Place = fn(&mut LandedAmounts, Money);
