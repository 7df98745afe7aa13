//! Reverse pricing: the net unit price of one item that makes a DDP
//! customer price (the landed total, duties and taxes included) come out
//! at or just under a target.
//!
//! Method: the answer is searched over whole minor units of the item's
//! price currency, each candidate priced by [`quote`] itself, so it
//! agrees with a quote to the last minor unit.
//!
//! 1. An upper bound: double the price until the goods alone exceed the
//!    target (then every higher price does too).
//! 2. Regimes: which thresholds apply (per item for per-item ones), whether
//!    the flat duty applies and whether a small border tax is left
//!    uncollected. Each of these switches at most once as the price rises,
//!    so the prices split into a few segments, found by bisection.
//! 3. Within a segment the landed total does not fall as the price rises,
//!    but across a switch it can (an EU consignment just over €150 of a
//!    0 % duty good no longer pays the €3 flat duty). So segments are
//!    tried from the highest down, and the first whose lowest price fits
//!    is bisected for its last price within the target.
//!
//! The result `p` always satisfies `landed(p) ≤ target < landed(p + 1)`,
//! and it is the largest such price whenever the landed total does not fall
//! within a segment — always for a single line; with several lines, the
//! per-line rounding of shares of shipping can make it move by one minor
//! unit the other way, and then `p` is still a boundary of that property.

use serde::Serialize;

use crate::fx::ReferenceRates;
use crate::money::Money;

use super::answer::LandedQuote;
use super::error::{LandedError, LandedErrorKind};
use super::quote::quote;
use super::request::QuoteRequest;
use super::rules::RuleSet;
use super::tariff::TariffBook;

/// The answer of [`net_price_for_target`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetPrice {
    /// The item's unit price (in the currency of the request's unit price).
    pub unit_price: Money,
    /// The quote at that price; its `totals.landed_total` ≤ the target.
    pub quote: LandedQuote,
    /// The landed total one minor unit higher, above the target.
    pub next_landed_total: Money,
}

struct Probe {
    landed: i64,
    goods: i64,
    regime: u64,
}

/// The highest unit price of `request.items[item]` (in its own currency,
/// whole minor units) whose quote's landed total is at most `target`.
/// Everything else in the request is kept; the price given in the request
/// is ignored. `target` is in the answer currency and includes duties and
/// taxes, as a DDP customer price does (the landed total is the same under
/// DAP; only who pays differs).
///
/// Errors: those of [`quote`]; `item` out of range (`items`); `target` in
/// another currency or not positive (`target`); a target below the landed
/// cost of the smallest price, or too large to reach
/// ([`LandedErrorKind::TargetUnreachable`]).
pub fn net_price_for_target(
    request: &QuoteRequest,
    item: usize,
    target: Money,
    rules: &RuleSet,
    tariff: &TariffBook,
    rates: &ReferenceRates,
) -> Result<NetPrice, LandedError> {
    let Some(priced) = request.items.get(item) else {
        return Err(LandedError::invalid(
            "items",
            format!("no item {item}: the request has {}", request.items.len()),
        ));
    };
    if target.currency() != request.answer_currency {
        return Err(LandedError::invalid(
            "target",
            format!(
                "{target} must be in the answer currency {}",
                request.answer_currency
            ),
        ));
    }
    if !target.is_positive() {
        return Err(LandedError::invalid(
            "target",
            format!("{target} must be above zero"),
        ));
    }
    let currency = priced.unit_price.currency();
    let quantity = priced.quantity.max(1);
    let limit = target.minor();
    let mut work = request.clone();
    let mut price_at = |p: i64| -> Result<LandedQuote, LandedError> {
        work.items[item].unit_price = Money::from_minor(p, currency);
        quote(&work, rules, tariff, rates)
    };
    let mut probe = |p: i64| -> Result<Probe, LandedError> {
        let q = price_at(p)?;
        let decision = &q.de_minimis;
        let mut regime = 0u64;
        let mut bit = 0;
        let mut set = |on: bool| {
            if on && bit < 64 {
                regime |= 1 << bit;
            }
            bit += 1;
        };
        for check in &decision.thresholds {
            set(if check.items.is_empty() {
                check.applies
            } else {
                check.items.contains(&item)
            });
        }
        set(decision.flat_duty.as_ref().is_some_and(|f| f.applies));
        set(decision
            .tax_not_collected
            .as_ref()
            .is_some_and(|t| t.applies));
        Ok(Probe {
            landed: q.totals.landed_total.minor(),
            goods: q.totals.goods.minor(),
            regime,
        })
    };

    let first = probe(1)?;
    if first.landed > limit {
        return Err(LandedError::new(
            LandedErrorKind::TargetUnreachable,
            "target",
            format!(
                "{target} is below the landed total at the smallest price ({})",
                Money::from_minor(first.landed, target.currency())
            ),
        ));
    }
    // 1. An upper bound where the goods alone exceed the target.
    let ceiling = i64::MAX / quantity / 4;
    let mut high = 2i64;
    let top = loop {
        let at = probe(high)?;
        if at.landed > limit && at.goods > limit {
            break at;
        }
        if high >= ceiling {
            return Err(LandedError::new(
                LandedErrorKind::TargetUnreachable,
                "target",
                format!("{target} is too large to reach with a unit price in {currency}"),
            ));
        }
        high = (high * 2).min(ceiling);
    };
    // 2. Where the regime switches, by bisection between differing ends.
    let mut starts = vec![1i64];
    let mut pending = vec![(1i64, first.regime, high, top.regime)];
    while let Some((a, ka, b, kb)) = pending.pop() {
        if ka == kb {
            continue;
        }
        if b - a == 1 {
            starts.push(b);
            continue;
        }
        let mid = a + (b - a) / 2;
        let km = probe(mid)?.regime;
        pending.push((a, ka, mid, km));
        pending.push((mid, km, b, kb));
    }
    starts.sort_unstable();
    starts.dedup();
    // 3. From the highest segment down, the first that fits.
    let mut found = None;
    for (index, &start) in starts.iter().enumerate().rev() {
        let end = starts.get(index + 1).map_or(high, |next| next - 1);
        if probe(start)?.landed > limit {
            continue;
        }
        let mut low = start;
        let mut above = end;
        if probe(end)?.landed <= limit {
            // Only below the top segment: end + 1 starts a segment whose
            // lowest price is already over the target.
            found = Some(end);
            break;
        }
        while above - low > 1 {
            let mid = low + (above - low) / 2;
            if probe(mid)?.landed <= limit {
                low = mid;
            } else {
                above = mid;
            }
        }
        found = Some(low);
        break;
    }
    let price = found.unwrap_or(1);
    let next_landed_total = price_at(price + 1)?.totals.landed_total;
    let quote = price_at(price)?;
    Ok(NetPrice {
        unit_price: Money::from_minor(price, currency),
        quote,
        next_landed_total,
    })
}
