//! Property tests of routing over random stock and orders on the test network.

use proptest::prelude::*;

use super::tests::{code, line, network};
use super::weight::{chargeable_weight, volumetric_weight};
use super::*;
use crate::catalog::Sku;
use crate::country::Country;
use crate::money::Currency;

const WAREHOUSES: [&str; 4] = ["US-W", "US-E", "DE", "CN"];
const SKUS: [&str; 5] = ["A", "B", "C", "D", "E"];
const DESTINATIONS: [(Country, &str); 4] = [
    (Country::US, "94105"),
    (Country::US, "10001"),
    (Country::DE, "10115"),
    (Country::FR, "75001"),
];

/// (quantity, unit grams, dangerous-goods class) of a line.
type LineSpec = (u32, u64, Option<u8>);

fn case() -> impl Strategy<Value = (Vec<u32>, usize, Vec<LineSpec>, Option<u16>)> {
    (
        prop::collection::vec(0u32..6, WAREHOUSES.len() * SKUS.len()),
        0..DESTINATIONS.len(),
        prop::collection::vec(
            (
                1u32..5,
                50u64..3000,
                prop::option::weighted(0.2, prop_oneof![Just(9u8), Just(3u8)]),
            ),
            1..=SKUS.len(),
        ),
        prop::option::of(2u16..12),
    )
}

fn build(
    net: &RoutingNetwork,
    units: &[u32],
    dest: usize,
    lines: &[LineSpec],
    promise: Option<u16>,
) -> (StockLevels, OrderToRoute) {
    let mut stock = StockLevels::new();
    for (wi, w) in WAREHOUSES.iter().enumerate() {
        for (si, s) in SKUS.iter().enumerate() {
            let n = units[wi * SKUS.len() + si];
            stock
                .set(net, &code(w), &Sku::parse(s).unwrap(), n)
                .unwrap();
        }
    }
    let (country, postal) = DESTINATIONS[dest];
    let order = OrderToRoute {
        reference: "P".to_owned(),
        destination: Destination {
            country,
            postal_code: postal.to_owned(),
        },
        lines: lines
            .iter()
            .enumerate()
            .map(|(i, &(q, g, dg))| line(SKUS[i], q, g, dg))
            .collect(),
        promised_days: promise,
        currency: Currency::USD,
    };
    (stock, order)
}

/// (late, out of market, packages, cost) of a whole-order plan from one
/// warehouse with one service, priced from the public pieces; `None` when
/// the warehouse lacks stock or the service cannot take the order.
fn single_plan_keys(
    net: &RoutingNetwork,
    stock: &StockLevels,
    order: &OrderToRoute,
) -> Vec<(u32, u32, u32, i64)> {
    let mut out = Vec::new();
    let dest = &order.destination;
    for w in net.warehouses() {
        if order
            .lines
            .iter()
            .any(|l| stock.available(net, &w.code, &l.sku) < l.quantity)
        {
            continue;
        }
        let weight: u64 = order
            .lines
            .iter()
            .map(|l| l.unit_weight.0 * u64::from(l.quantity))
            .sum();
        let volume: u64 = order
            .lines
            .iter()
            .map(|l| l.unit_size.volume_mm3() * u64::from(l.quantity))
            .sum();
        for card in net.rate_cards().iter().filter(|c| c.warehouse == w.code) {
            let service = net
                .services()
                .iter()
                .find(|s| s.code == card.service)
                .unwrap();
            if net.zone_for(&service.code, dest.country, &dest.postal_code) != Some(&card.zone) {
                continue;
            }
            let carries = order.lines.iter().all(|l| {
                l.dangerous_goods
                    .is_none_or(|c| service.dangerous_goods.contains(&c))
            });
            if !carries || weight > service.max_weight.0 {
                continue;
            }
            let chargeable = chargeable_weight(
                Grams(weight),
                volumetric_weight(volume, service.volumetric_divisor),
            );
            let cost = card.pricing.price_minor(chargeable).unwrap();
            let late = order
                .promised_days
                .is_some_and(|p| card.transit.max + w.handling_days > p);
            out.push((
                u32::from(late),
                u32::from(!w.serves_market(dest.country)),
                1,
                cost,
            ));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn decisions_keep_every_invariant((units, dest, lines, promise) in case()) {
        let net = network();
        let (stock, order) = build(&net, &units, dest, &lines, promise);
        let Ok(d) = route(&net, &stock, &order) else {
            return Ok(());
        };
        // Never more than available: committing the decision succeeds.
        let mut after = stock.clone();
        prop_assert!(after.commit(&net, &d).is_ok());
        for l in &order.lines {
            // Every line fully allocated.
            let shipped: u32 = d.shipments.iter()
                .flat_map(|s| &s.lines)
                .filter(|x| x.sku == l.sku)
                .map(|x| x.quantity)
                .sum();
            prop_assert_eq!(shipped, l.quantity);
        }
        for s in &d.shipments {
            let service = net.services().iter().find(|x| x.code == s.service).unwrap();
            for x in &s.lines {
                let l = order.lines.iter().find(|l| l.sku == x.sku).unwrap();
                // Dangerous goods never on a service that cannot carry them.
                if let Some(class) = l.dangerous_goods {
                    prop_assert!(service.dangerous_goods.contains(&class));
                }
                let at = stock.available(&net, &s.warehouse, &x.sku);
                prop_assert!(x.quantity <= at);
            }
        }
        // The total is the sum of the packages' costs.
        let sum = d.shipments.iter().map(|s| s.cost.minor()).sum::<i64>();
        prop_assert_eq!(d.total_cost.minor(), sum);
        // No single-warehouse plan ranks better by the rule order
        // (on time, in market, packages, cost).
        let late = d.shipments.iter().filter(|s| order.promised_days.is_some_and(|p| s.transit.max > p)).count() as u32;
        let out = d.shipments.iter().filter(|s| !s.in_market).count() as u32;
        let chosen = (late, out, d.shipments.len() as u32, d.total_cost.minor());
        for alt in single_plan_keys(&net, &stock, &order) {
            prop_assert!(chosen <= alt, "chosen {:?} worse than single plan {:?}", chosen, alt);
        }
    }

    #[test]
    fn routing_fails_only_for_a_named_reason((units, dest, lines, promise) in case()) {
        let net = network();
        let (stock, order) = build(&net, &units, dest, &lines, promise);
        if let Err(e) = route(&net, &stock, &order) {
            // With stock everywhere, the order routes unless its goods
            // cannot travel.
            let short = order.lines.iter().any(|l| {
                WAREHOUSES.iter().map(|w| stock.available(&net, &code(w), &l.sku)).sum::<u32>() < l.quantity
            });
            if !short {
                prop_assert!(matches!(
                    e,
                    RoutingError::DangerousGoodsNotCarried { .. }
                        | RoutingError::OverWeight { .. }
                        | RoutingError::NoServiceToZone { .. }
                        | RoutingError::NoFeasiblePlan
                        | RoutingError::TooManyParts { .. }
                ), "{e:?}");
            }
        }
    }
}
