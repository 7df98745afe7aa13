//! Order totals: line amounts and the order total in the market currency,
//! and the CNY equivalent for the seller's books, every part summing
//! exactly to its total.
//!
//! Rounding steps: unit prices are already money (the pricing rules round
//! them); goods = unit price × quantity is exact; import charges come
//! rounded from the landed-cost quote. The only rounding here is
//! [`BOOKS_CONVERSION_STEP`]: the order total is converted to CNY once, and
//! that CNY total is split over the lines and shipping by largest remainder
//! in proportion to their market-currency amounts, so the CNY parts sum to
//! the CNY total exactly.

use serde::Serialize;

use crate::fx::Conversion;
use crate::money::{Currency, Money, RoundingMode, RoundingStep};

use super::error::OrderError;

/// The order total converted to CNY for the seller's books (ECB rates of
/// the order day, half-even).
pub const BOOKS_CONVERSION_STEP: RoundingStep =
    RoundingStep::new("order_books_cny", RoundingMode::HalfEven);

/// One line as priced at checkout, in the market currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLineInput {
    /// The SKU.
    pub sku: String,
    /// Units (> 0).
    pub quantity: u32,
    /// Price of one unit, ≥ 0, in the market currency.
    pub unit_price: Money,
    /// Import charges (duty, tax, fees) the buyer pays in the price under
    /// DDP; zero under DAP (they are due on delivery instead).
    pub import_charges: Money,
}

/// One line's amounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineAmounts {
    pub sku: String,
    pub quantity: u32,
    pub unit_price: Money,
    /// `unit_price × quantity`.
    pub goods: Money,
    /// Import charges included in what the buyer pays (DDP).
    pub import_charges: Money,
    /// `goods + import_charges`.
    pub total: Money,
    /// The line's share of the order's CNY total.
    pub total_cny: Money,
}

/// An order's amounts. Σ lines' `total` + `shipping` = `total`;
/// Σ lines' `total_cny` + `shipping_cny` = `total_cny`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderTotals {
    pub lines: Vec<LineAmounts>,
    /// Σ lines' goods.
    pub goods: Money,
    /// Σ lines' import charges (included in `total`, DDP).
    pub import_charges: Money,
    pub shipping: Money,
    /// What the buyer pays at checkout.
    pub total: Money,
    /// Import charges the buyer pays the carrier on delivery (DAP); not in
    /// `total`.
    pub due_on_delivery: Money,
    /// `total` in CNY at the day's rate ([`BOOKS_CONVERSION_STEP`]).
    pub total_cny: Money,
    /// Shipping's share of `total_cny`.
    pub shipping_cny: Money,
}

fn add(a: Money, b: Money, what: &'static str) -> Result<Money, OrderError> {
    a.checked_add(b).map_err(|_| OrderError::Overflow(what))
}

impl OrderTotals {
    /// Totals of `lines` plus `shipping` (all in one currency, the
    /// market's), with `due_on_delivery` shown apart, and the CNY books by
    /// `to_cny` (a conversion from the market currency to CNY).
    pub fn build(
        lines: &[OrderLineInput],
        shipping: Money,
        due_on_delivery: Money,
        to_cny: &Conversion,
    ) -> Result<OrderTotals, OrderError> {
        let currency = shipping.currency();
        if lines.is_empty() {
            return Err(OrderError::invalid(
                "lines",
                "an order needs at least one line",
            ));
        }
        if to_cny.from() != currency || to_cny.to() != Currency::CNY {
            return Err(OrderError::invalid(
                "currency",
                format!("the books conversion must be {currency} to CNY"),
            ));
        }
        for (name, m) in [("shipping", shipping), ("due_on_delivery", due_on_delivery)] {
            if m.currency() != currency || m.is_negative() {
                return Err(OrderError::invalid(
                    name,
                    format!("{m} must be zero or more in {currency}"),
                ));
            }
        }
        let zero = Money::zero(currency);
        let mut out = Vec::with_capacity(lines.len());
        let (mut goods_sum, mut import_sum) = (zero, zero);
        for (i, l) in lines.iter().enumerate() {
            if l.quantity == 0 {
                return Err(OrderError::invalid(
                    format!("lines[{i}].quantity"),
                    "must be at least 1",
                ));
            }
            for (name, m) in [
                ("unit_price", l.unit_price),
                ("import_charges", l.import_charges),
            ] {
                if m.currency() != currency || m.is_negative() {
                    return Err(OrderError::invalid(
                        format!("lines[{i}].{name}"),
                        format!("{m} must be zero or more in {currency}"),
                    ));
                }
            }
            let goods = l
                .unit_price
                .checked_mul(i64::from(l.quantity))
                .map_err(|_| OrderError::Overflow("a line's goods"))?;
            let total = add(goods, l.import_charges, "a line's total")?;
            goods_sum = add(goods_sum, goods, "the goods")?;
            import_sum = add(import_sum, l.import_charges, "the import charges")?;
            out.push(LineAmounts {
                sku: l.sku.clone(),
                quantity: l.quantity,
                unit_price: l.unit_price,
                goods,
                import_charges: l.import_charges,
                total,
                total_cny: Money::zero(Currency::CNY),
            });
        }
        let total = add(
            add(goods_sum, import_sum, "the total")?,
            shipping,
            "the total",
        )?;
        let total_cny = to_cny
            .apply(total, BOOKS_CONVERSION_STEP)
            .map_err(|_| OrderError::Overflow("the CNY total"))?;
        let mut weights: Vec<u64> = out.iter().map(|l| l.total.minor().unsigned_abs()).collect();
        weights.push(shipping.minor().unsigned_abs());
        let shares = if total.minor() == 0 {
            vec![Money::zero(Currency::CNY); weights.len()]
        } else {
            total_cny
                .allocate(&weights)
                .map_err(|_| OrderError::Overflow("the CNY shares"))?
        };
        for (line, share) in out.iter_mut().zip(&shares) {
            line.total_cny = *share;
        }
        Ok(OrderTotals {
            lines: out,
            goods: goods_sum,
            import_charges: import_sum,
            shipping,
            total,
            due_on_delivery,
            total_cny,
            shipping_cny: shares[shares.len() - 1],
        })
    }
}
