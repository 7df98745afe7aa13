//! Properties of the order state machine and order totals.

use proptest::prelude::*;

use crate::calendar::Date;
use crate::fx::{Conversion, FxLeg, FxSource};
use crate::money::{Currency, Money, Rate};

use super::*;

fn event() -> impl Strategy<Value = OrderEvent> {
    (0..OrderEvent::ALL.len()).prop_map(|i| OrderEvent::ALL[i])
}

fn usd_to_cny(per_eur_usd: &str, per_eur_cny: &str) -> Conversion {
    let day = Date::from_ymd(2026, 10, 30).unwrap();
    let leg = |r: &str| {
        Some(FxLeg {
            per_eur: Rate::parse(r).unwrap(),
            observed_on: day,
        })
    };
    Conversion::from_legs(
        (Currency::USD, leg(per_eur_usd)),
        (Currency::CNY, leg(per_eur_cny)),
        day,
        FxSource::ECB,
    )
    .unwrap()
}

proptest! {
    /// Any sequence of events: refused ones change nothing, accepted ones
    /// follow the table, and a final state is never left.
    #[test]
    fn events_follow_the_table(events in proptest::collection::vec(event(), 0..20)) {
        let mut s = OrderState::Placed;
        for e in events {
            match s.apply(e) {
                Ok(next) => {
                    prop_assert!(!s.is_final());
                    prop_assert_ne!(next, OrderState::Placed);
                    s = next;
                }
                Err(OrderError::IllegalTransition { from, event }) => {
                    prop_assert_eq!(from, s);
                    prop_assert_eq!(event, e);
                }
                Err(other) => prop_assert!(false, "unexpected {other:?}"),
            }
        }
    }

    /// Cancelling is allowed exactly while stock is held.
    #[test]
    fn cancel_exactly_while_stock_is_held(i in 0..OrderState::ALL.len()) {
        let s = OrderState::ALL[i];
        prop_assert_eq!(s.apply(OrderEvent::Cancel).is_ok(), s.holds_stock());
    }

    /// Lines and shipping sum exactly to the total, in the market currency
    /// and in CNY.
    #[test]
    fn lines_sum_exactly(
        lines in proptest::collection::vec((1u32..500, 0i64..10_000_000, 0i64..1_000_000), 1..12),
        shipping in 0i64..100_000,
        usd in 1u32..30_000,
        cny in 1u32..120_000,
    ) {
        let usd_rate = format!("{}.{:04}", usd / 10_000, usd % 10_000);
        let cny_rate = format!("{}.{:04}", cny / 10_000, cny % 10_000);
        prop_assume!(usd_rate != "0.0000" && cny_rate != "0.0000");
        let conv = usd_to_cny(&usd_rate, &cny_rate);
        let inputs: Vec<OrderLineInput> = lines
            .iter()
            .enumerate()
            .map(|(i, &(q, p, c))| OrderLineInput {
                sku: format!("SKU-{i}"),
                quantity: q,
                unit_price: Money::from_minor(p, Currency::USD),
                import_charges: Money::from_minor(c, Currency::USD),
            })
            .collect();
        let shipping = Money::from_minor(shipping, Currency::USD);
        let t = OrderTotals::build(&inputs, shipping, Money::zero(Currency::USD), &conv).unwrap();
        let sum: i64 = t.lines.iter().map(|l| l.total.minor()).sum::<i64>() + t.shipping.minor();
        prop_assert_eq!(sum, t.total.minor());
        let goods: i64 = t.lines.iter().map(|l| l.goods.minor()).sum();
        prop_assert_eq!(goods, t.goods.minor());
        for l in &t.lines {
            prop_assert_eq!(l.goods.minor() + l.import_charges.minor(), l.total.minor());
            prop_assert_eq!(l.goods.minor(), l.unit_price.minor() * i64::from(l.quantity));
        }
        let cny_sum: i64 = t.lines.iter().map(|l| l.total_cny.minor()).sum::<i64>() + t.shipping_cny.minor();
        prop_assert_eq!(cny_sum, t.total_cny.minor());
        prop_assert_eq!(t.total_cny, conv.apply(t.total, BOOKS_CONVERSION_STEP).unwrap());
    }
}

#[test]
fn an_order_without_lines_is_refused() {
    let conv = usd_to_cny("1.1172", "7.4326");
    let e = OrderTotals::build(
        &[],
        Money::zero(Currency::USD),
        Money::zero(Currency::USD),
        &conv,
    )
    .unwrap_err();
    assert!(matches!(e, OrderError::Invalid { ref field, .. } if field == "lines"));
}

#[test]
fn a_usd_order_in_cny_at_the_ecb_cross_rate() {
    // 2 × 70.00 + 12.50 duty + 5.00 shipping = 157.50 USD;
    // × 7.4326 / 1.1172 = 1047.8401... → 1047.84 CNY.
    let conv = usd_to_cny("1.1172", "7.4326");
    let t = OrderTotals::build(
        &[OrderLineInput {
            sku: "AUR-1".into(),
            quantity: 2,
            unit_price: Money::from_minor(7000, Currency::USD),
            import_charges: Money::from_minor(1250, Currency::USD),
        }],
        Money::from_minor(500, Currency::USD),
        Money::zero(Currency::USD),
        &conv,
    )
    .unwrap();
    assert_eq!(t.total, Money::from_minor(15750, Currency::USD));
    assert_eq!(
        t.total_cny.minor(),
        t.lines[0].total_cny.minor() + t.shipping_cny.minor()
    );
    assert_eq!(
        t.total_cny,
        conv.apply(t.total, BOOKS_CONVERSION_STEP).unwrap()
    );
}
