//! The refund of a return, from the order's amounts and the seller's
//! policy.
//!
//! Rounding steps:
//! - Goods: unit price × units, exact.
//! - [`RETURN_SHARE_STEP`]: a line's import charges and the order's
//!   shipping are refunded in proportion to the units returned. The share
//!   is taken of the running total of units returned (earlier returns plus
//!   this one) and the share of the earlier returns is subtracted, so that
//!   returns of every unit, however split, refund exactly the whole amount.
//! - [`RESTOCKING_FEE_STEP`]: the fee on returns the buyer chose,
//!   goods × basis points / 10,000, rounded down (in the buyer's favour).

use serde::Serialize;

use crate::money::{Currency, Money, RoundingMode, RoundingStep};

use super::error::ReturnError;
use super::policy::ReturnsPolicy;
use super::reason::ReturnReason;

/// A proportional share of import charges or shipping (half-even).
pub const RETURN_SHARE_STEP: RoundingStep =
    RoundingStep::new("return_share", RoundingMode::HalfEven);

/// The restocking fee (down: never more than the policy's rate).
pub const RESTOCKING_FEE_STEP: RoundingStep =
    RoundingStep::new("return_restocking_fee", RoundingMode::Down);

/// An order line as a return sees it, amounts in the order currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnedLine {
    pub sku: String,
    /// Units ordered on the line.
    pub ordered: u32,
    /// Units of the line claimed by earlier returns.
    pub returned_before: u32,
    /// Units this return sends back (> 0).
    pub units: u32,
    /// Price of one unit.
    pub unit_price: Money,
    /// The whole line's import charges paid at checkout (DDP), ≥ 0.
    pub import_charges: Money,
}

/// What a return refunds. `total = goods + import_charges + shipping −
/// restocking_fee`, never below zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RefundBreakdown {
    /// Unit price × units over the returned lines.
    pub goods: Money,
    /// The returned units' share of the lines' import charges.
    pub import_charges: Money,
    /// The returned units' share of the original shipping, when refunded.
    pub shipping: Money,
    /// Kept by the seller on returns the buyer chose.
    pub restocking_fee: Money,
    /// What goes back to the buyer.
    pub total: Money,
}

/// Refuses `asked` units of a line of which `ordered` were ordered and
/// `returned_before` are claimed by earlier returns, naming `field`.
pub fn check_units(
    field: &str,
    ordered: u32,
    returned_before: u32,
    asked: u32,
) -> Result<(), ReturnError> {
    if asked == 0 {
        return Err(ReturnError::invalid(field, "must be at least 1"));
    }
    let left = ordered.saturating_sub(returned_before);
    if asked > left {
        return Err(ReturnError::invalid(
            field,
            format!(
                "{asked} units asked but only {left} of the {ordered} ordered are left to return"
            ),
        ));
    }
    Ok(())
}

/// `amount × part / whole`, rounded once at `step`; `amount ≥ 0`,
/// `part ≤ whole`, `whole > 0`.
pub fn share_of(
    amount: Money,
    part: u32,
    whole: u32,
    step: RoundingStep,
) -> Result<Money, ReturnError> {
    if whole == 0 || part > whole || amount.is_negative() {
        return Err(ReturnError::invalid(
            "units",
            format!("a share of {part} in {whole} units is not defined"),
        ));
    }
    let n = i128::from(amount.minor()) * i128::from(part);
    let minor = round_div(n, i128::from(whole), step.mode());
    i64::try_from(minor)
        .map(|m| Money::from_minor(m, amount.currency()))
        .map_err(|_| ReturnError::Overflow("a share"))
}

/// `n / d` for `n ≥ 0`, `d > 0`, rounded with `mode`.
fn round_div(n: i128, d: i128, mode: RoundingMode) -> i128 {
    let (q, r) = (n / d, n % d);
    if r == 0 {
        return q;
    }
    let up = match mode {
        RoundingMode::Down => false,
        RoundingMode::Up => true,
        RoundingMode::HalfUp => 2 * r >= d,
        RoundingMode::HalfEven => 2 * r > d || (2 * r == d && q % 2 == 1),
    };
    q + i128::from(up)
}

fn add(a: Money, b: Money, what: &'static str) -> Result<Money, ReturnError> {
    a.checked_add(b).map_err(|_| ReturnError::Overflow(what))
}

fn same_currency(field: &str, m: Money, currency: Currency) -> Result<(), ReturnError> {
    if m.currency() != currency || m.is_negative() {
        return Err(ReturnError::invalid(
            field,
            format!("{m} must be zero or more in {currency}"),
        ));
    }
    Ok(())
}

/// The refund of a return of `lines` for `reason` under `policy`.
/// `shipping` is the order's original shipping, `order_units` every unit
/// ordered and `order_returned_before` the units claimed by earlier
/// returns (for the shipping share).
pub fn refund_for(
    lines: &[ReturnedLine],
    shipping: Money,
    order_units: u32,
    order_returned_before: u32,
    reason: ReturnReason,
    policy: &ReturnsPolicy,
) -> Result<RefundBreakdown, ReturnError> {
    let currency = shipping.currency();
    same_currency("shipping", shipping, currency)?;
    if lines.is_empty() {
        return Err(ReturnError::invalid(
            "lines",
            "a return needs at least one line",
        ));
    }
    let zero = Money::zero(currency);
    let (mut goods, mut charges, mut fee_base) = (zero, zero, zero);
    let mut units: u32 = 0;
    for (i, l) in lines.iter().enumerate() {
        same_currency(&format!("lines[{i}].unit_price"), l.unit_price, currency)?;
        same_currency(
            &format!("lines[{i}].import_charges"),
            l.import_charges,
            currency,
        )?;
        check_units(
            &format!("lines[{i}].quantity"),
            l.ordered,
            l.returned_before,
            l.units,
        )?;
        let line_goods = l
            .unit_price
            .checked_mul(i64::from(l.units))
            .map_err(|_| ReturnError::Overflow("the goods"))?;
        let after = share_of(
            l.import_charges,
            l.returned_before + l.units,
            l.ordered,
            RETURN_SHARE_STEP,
        )?;
        let before = share_of(
            l.import_charges,
            l.returned_before,
            l.ordered,
            RETURN_SHARE_STEP,
        )?;
        let line_charges = after
            .checked_sub(before)
            .map_err(|_| ReturnError::Overflow("the import charges"))?;
        goods = add(goods, line_goods, "the goods")?;
        charges = add(charges, line_charges, "the import charges")?;
        fee_base = add(fee_base, line_goods, "the goods")?;
        units = units
            .checked_add(l.units)
            .ok_or(ReturnError::Overflow("the units"))?;
    }
    let refund_shipping = reason.is_seller_fault() || policy.refund_original_shipping;
    let shipping_share = if refund_shipping && order_units > 0 {
        let upto = order_returned_before
            .checked_add(units)
            .filter(|u| *u <= order_units)
            .ok_or_else(|| {
                ReturnError::invalid("lines", "more units returned than the order holds")
            })?;
        let after = share_of(shipping, upto, order_units, RETURN_SHARE_STEP)?;
        let before = share_of(
            shipping,
            order_returned_before,
            order_units,
            RETURN_SHARE_STEP,
        )?;
        after
            .checked_sub(before)
            .map_err(|_| ReturnError::Overflow("the shipping"))?
    } else {
        zero
    };
    let restocking_fee = if reason.is_seller_fault() {
        zero
    } else {
        let n = i128::from(fee_base.minor()) * i128::from(policy.restocking_fee_bp);
        let minor = round_div(n, 10_000, RESTOCKING_FEE_STEP.mode());
        Money::from_minor(
            i64::try_from(minor).map_err(|_| ReturnError::Overflow("the restocking fee"))?,
            currency,
        )
    };
    let total = add(
        add(goods, charges, "the refund")?,
        shipping_share,
        "the refund",
    )?
    .checked_sub(restocking_fee)
    .map_err(|_| ReturnError::Overflow("the refund"))?;
    if total.is_negative() {
        return Err(ReturnError::invalid(
            "restocking_fee_bp",
            "the restocking fee exceeds the refund",
        ));
    }
    Ok(RefundBreakdown {
        goods,
        import_charges: charges,
        shipping: shipping_share,
        restocking_fee,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::returns::RefundTiming;

    fn usd(minor: i64) -> Money {
        Money::from_minor(minor, Currency::USD)
    }

    fn line(ordered: u32, before: u32, units: u32, price: i64, charges: i64) -> ReturnedLine {
        ReturnedLine {
            sku: "AUR-1".into(),
            ordered,
            returned_before: before,
            units,
            unit_price: usd(price),
            import_charges: usd(charges),
        }
    }

    fn policy(fee_bp: u32, shipping: bool) -> ReturnsPolicy {
        ReturnsPolicy {
            return_window_days: 30,
            restocking_fee_bp: fee_bp,
            refund_original_shipping: shipping,
            refund_timing: RefundTiming::AfterInspection,
        }
    }

    #[test]
    fn a_defective_unit_gets_goods_charges_and_shipping_without_fee() {
        // 1 of 3 units at 29.99, charges 10.00 for the line, shipping 5.00:
        // charges 10.00 × 1/3 = 3.333… → 3.33; shipping 5.00 × 1/3 → 1.67.
        let r = refund_for(
            &[line(3, 0, 1, 2999, 1000)],
            usd(500),
            3,
            0,
            ReturnReason::Defective,
            &policy(1500, false),
        )
        .unwrap();
        assert_eq!(r.goods, usd(2999));
        assert_eq!(r.import_charges, usd(333));
        assert_eq!(r.shipping, usd(167));
        assert_eq!(r.restocking_fee, usd(0));
        assert_eq!(r.total, usd(2999 + 333 + 167));
    }

    #[test]
    fn a_change_of_mind_pays_the_fee_rounded_down_and_no_shipping() {
        // 15 % of 29.99 = 4.4985 → 4.49 (down).
        let r = refund_for(
            &[line(3, 0, 1, 2999, 0)],
            usd(500),
            3,
            0,
            ReturnReason::NoLongerNeeded,
            &policy(1500, false),
        )
        .unwrap();
        assert_eq!(r.restocking_fee, usd(449));
        assert_eq!(r.shipping, usd(0));
        assert_eq!(r.total, usd(2999 - 449));
    }

    #[test]
    fn the_policy_may_refund_shipping_on_a_change_of_mind() {
        let r = refund_for(
            &[line(2, 0, 2, 1000, 0)],
            usd(500),
            2,
            0,
            ReturnReason::Other,
            &policy(0, true),
        )
        .unwrap();
        assert_eq!(r.shipping, usd(500));
        assert_eq!(r.total, usd(2500));
    }

    #[test]
    fn returns_one_unit_at_a_time_refund_the_charges_exactly() {
        // 10.00 over 3 units: 3.33, then 6.67 − 3.33 = 3.34, then 3.33.
        let mut sum = 0;
        for before in 0..3 {
            let r = refund_for(
                &[line(3, before, 1, 0, 1000)],
                usd(0),
                3,
                before,
                ReturnReason::Defective,
                &policy(0, false),
            )
            .unwrap();
            sum += r.import_charges.minor();
        }
        assert_eq!(sum, 1000);
    }

    #[test]
    fn more_units_than_are_left_are_refused_naming_the_line() {
        let e = refund_for(
            &[line(3, 2, 2, 1000, 0)],
            usd(0),
            3,
            2,
            ReturnReason::Defective,
            &policy(0, false),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "lines[0].quantity: 2 units asked but only 1 of the 3 ordered are left to return"
        );
    }

    #[test]
    fn half_even_shares_and_down_fees() {
        // 0.05 × 1/2 = 0.025 → 0.02 (half-even); 0.15 × 1/2 → 0.08.
        assert_eq!(share_of(usd(5), 1, 2, RETURN_SHARE_STEP).unwrap(), usd(2));
        assert_eq!(share_of(usd(15), 1, 2, RETURN_SHARE_STEP).unwrap(), usd(8));
        assert_eq!(round_div(19_999, 10_000, RESTOCKING_FEE_STEP.mode()), 1);
    }

    #[test]
    fn yen_has_no_minor_units_to_lose() {
        let jpy = |m| Money::from_minor(m, Currency::JPY);
        let r = refund_for(
            &[ReturnedLine {
                sku: "AUR-1".into(),
                ordered: 3,
                returned_before: 0,
                units: 1,
                unit_price: jpy(4_999),
                import_charges: jpy(1_000),
            }],
            jpy(0),
            3,
            0,
            ReturnReason::NoLongerNeeded,
            &policy(1000, false),
        )
        .unwrap();
        // 1,000 × 1/3 = 333.3 → 333; fee 10 % of 4,999 = 499.9 → 499.
        assert_eq!(r.import_charges, jpy(333));
        assert_eq!(r.restocking_fee, jpy(499));
        assert_eq!(r.total, jpy(4_999 + 333 - 499));
    }
}
