//! Properties of the return state machine and of refunds.

use proptest::prelude::*;

use crate::money::{Currency, Money};

use super::*;

fn event() -> impl Strategy<Value = ReturnEvent> {
    (0..ReturnEvent::ALL.len()).prop_map(|i| ReturnEvent::ALL[i])
}

fn timing() -> impl Strategy<Value = RefundTiming> {
    prop_oneof![
        Just(RefundTiming::OnReceipt),
        Just(RefundTiming::AfterInspection)
    ]
}

fn reason() -> impl Strategy<Value = ReturnReason> {
    (0..ReturnReason::ALL.len()).prop_map(|i| ReturnReason::ALL[i])
}

proptest! {
    /// Any sequence of events: refused ones change nothing; a final stage
    /// is never left; a refund comes once, after the goods arrived, and
    /// after inspection unless the policy refunds on receipt; inspection
    /// comes once, after the goods arrived.
    #[test]
    fn events_follow_the_table(events in proptest::collection::vec(event(), 0..20), t in timing()) {
        let mut s = ReturnStage::REQUESTED;
        let (mut received, mut refunds, mut inspections) = (false, 0, 0);
        for e in events {
            match s.apply(e, t) {
                Ok(next) => {
                    prop_assert!(!s.is_final());
                    match e {
                        ReturnEvent::Receive => received = true,
                        ReturnEvent::Refund => {
                            prop_assert!(received);
                            prop_assert!(s.inspected || t == RefundTiming::OnReceipt);
                            refunds += 1;
                        }
                        ReturnEvent::Inspect => {
                            prop_assert!(received);
                            inspections += 1;
                        }
                        _ => {}
                    }
                    s = next;
                }
                Err(ReturnError::IllegalTransition { from, event, .. }) => {
                    prop_assert_eq!(from, s.status);
                    prop_assert_eq!(event, e);
                }
                Err(other) => prop_assert!(false, "unexpected {other:?}"),
            }
        }
        prop_assert!(refunds <= 1);
        prop_assert!(inspections <= 1);
        prop_assert_eq!(s.status == ReturnStatus::Refunded, refunds == 1);
    }

    /// Every unit of an order returned for a fault, in any number of
    /// returns, refunds exactly the goods, the import charges and the
    /// shipping the buyer paid.
    #[test]
    fn returning_everything_refunds_everything(
        lines in proptest::collection::vec((1u32..20, 0i64..1_000_000, 0i64..100_000), 1..6),
        shipping in 0i64..100_000,
        splits in proptest::collection::vec(1u32..5, 1..40),
    ) {
        let usd = |m| Money::from_minor(m, Currency::USD);
        let policy = ReturnsPolicy::default();
        let order_units: u32 = lines.iter().map(|l| l.0).sum();
        let paid: i64 = lines.iter().map(|&(q, p, c)| p * i64::from(q) + c).sum::<i64>() + shipping;
        let mut returned: Vec<u32> = vec![0; lines.len()];
        let mut refunded = 0i64;
        let mut k = 0usize;
        // Return the lines a few units at a time, cycling over the splits.
        while returned.iter().zip(&lines).any(|(r, l)| *r < l.0) {
            let before_total: u32 = returned.iter().sum();
            let mut ret = Vec::new();
            for (i, &(q, p, c)) in lines.iter().enumerate() {
                let left = q - returned[i];
                let take = splits[k % splits.len()].min(left);
                k += 1;
                if take > 0 {
                    ret.push(ReturnedLine {
                        sku: format!("SKU-{i}"),
                        ordered: q,
                        returned_before: returned[i],
                        units: take,
                        unit_price: usd(p),
                        import_charges: usd(c),
                    });
                }
            }
            let r = refund_for(&ret, usd(shipping), order_units, before_total, ReturnReason::Defective, &policy).unwrap();
            prop_assert_eq!(r.restocking_fee.minor(), 0);
            prop_assert_eq!(r.total.minor(), r.goods.minor() + r.import_charges.minor() + r.shipping.minor());
            refunded += r.total.minor();
            for l in &ret {
                let i: usize = l.sku[4..].parse().unwrap();
                returned[i] += l.units;
            }
        }
        prop_assert_eq!(refunded, paid);
    }

    /// A refund is never negative, never more than goods + charges +
    /// shipping, the fee never more than the policy's share of the goods
    /// and zero for faults of the goods or the seller.
    #[test]
    fn refunds_are_bounded(
        (ordered, before, units) in (1u32..50).prop_flat_map(|o| (Just(o), 0..o))
            .prop_flat_map(|(o, b)| (Just(o), Just(b), 1..=o - b)),
        price in 0i64..1_000_000, charges in 0i64..100_000, shipping in 0i64..100_000,
        fee_bp in 0u32..=MAX_RESTOCKING_FEE_BP, refund_shipping in any::<bool>(), why in reason(),
    ) {
        let usd = |m| Money::from_minor(m, Currency::USD);
        let policy = ReturnsPolicy {
            restocking_fee_bp: fee_bp,
            refund_original_shipping: refund_shipping,
            ..ReturnsPolicy::default()
        };
        let r = refund_for(
            &[ReturnedLine { sku: "A".into(), ordered, returned_before: before, units, unit_price: usd(price), import_charges: usd(charges) }],
            usd(shipping), ordered, before, why, &policy,
        ).unwrap();
        prop_assert!(!r.total.is_negative());
        prop_assert!(r.import_charges.minor() <= charges && r.shipping.minor() <= shipping);
        prop_assert!(r.restocking_fee.minor() * 10_000 <= r.goods.minor() * i64::from(fee_bp));
        if why.is_seller_fault() {
            prop_assert_eq!(r.restocking_fee.minor(), 0);
        } else if !refund_shipping {
            prop_assert_eq!(r.shipping.minor(), 0);
        }
        prop_assert_eq!(
            r.total.minor(),
            r.goods.minor() + r.import_charges.minor() + r.shipping.minor() - r.restocking_fee.minor()
        );
    }
}
