//! The generator, the heuristic batch and the MIP optimum on small instances.

use chuhai_routing_bench::generator::{generate, InstanceSpec, Scale, StockLevel};
use chuhai_routing_bench::optimum::{optimum, LaneIndex, OrderDemand};
use chuhai_routing_bench::run::{percentile, run_heuristic};

fn spec(seed: u64, stock: StockLevel, orders: usize) -> InstanceSpec {
    InstanceSpec {
        seed,
        scale: Scale::Seven,
        stock,
        skus: 100,
        orders,
    }
}

#[test]
fn the_same_seed_gives_the_same_instance_and_another_seed_another() {
    let a = generate(&spec(7, StockLevel::Tight, 50));
    let b = generate(&spec(7, StockLevel::Tight, 50));
    let c = generate(&spec(8, StockLevel::Tight, 50));
    assert_eq!(a.orders, b.orders);
    assert_ne!(a.orders, c.orders);
}

#[test]
fn instances_have_the_asked_shape() {
    let i = generate(&spec(1, StockLevel::Loose, 200));
    let codes: Vec<&str> = i
        .network
        .warehouses()
        .iter()
        .map(|w| w.code.as_str())
        .collect();
    assert_eq!(codes, ["US-W", "US-E", "DE", "UK", "JP", "AU", "CN"]);
    assert_eq!(i.orders.len(), 200);
    assert!(i.orders.iter().all(|o| (1..=6).contains(&o.lines.len())));
    let zones: std::collections::HashSet<_> = i
        .network
        .services()
        .iter()
        .flat_map(|s| s.zones.iter().map(|z| z.zone.as_str().to_owned()))
        .filter(|z| !z.starts_with("INT-"))
        .collect();
    assert!((50..=100).contains(&zones.len()), "{} zones", zones.len());
    let large = generate(&InstanceSpec {
        scale: Scale::Large(200),
        ..spec(1, StockLevel::Loose, 10)
    });
    assert_eq!(large.network.warehouses().len(), 200);
}

#[test]
fn the_heuristic_never_beats_the_optimum_and_loose_stock_fills_everything() {
    let inst = generate(&spec(3, StockLevel::Loose, 12));
    let out = run_heuristic(&inst);
    assert_eq!(out.fill_rate(), 1.0);
    let lanes = LaneIndex::new(&inst.network);
    for (i, d) in &out.routed {
        let order = &inst.orders[*i];
        let demand = [OrderDemand {
            order,
            on_time: d.promise_met == Some(true),
            max_out_of_market: None,
            max_packages: None,
        }];
        let best = optimum(&lanes, &inst.stock, &demand).expect("a routed order has an optimum");
        assert!(
            best.cost_minor <= d.total_cost.minor(),
            "order {i}: optimum {} above heuristic {}",
            best.cost_minor,
            d.total_cost.minor()
        );
        // The reported cost is the integer cards' price of the solution;
        // the solver's objective can only be at or below it.
        assert!(best.objective <= best.cost_minor as f64 + 0.5);
    }
}

#[test]
fn the_batch_optimum_shares_stock_and_is_at_most_the_heuristic() {
    let inst = generate(&spec(5, StockLevel::Tight, 8));
    let out = run_heuristic(&inst);
    let lanes = LaneIndex::new(&inst.network);
    let demands: Vec<OrderDemand<'_>> = out
        .routed
        .iter()
        .map(|(i, d)| OrderDemand {
            order: &inst.orders[*i],
            on_time: d.promise_met == Some(true),
            max_out_of_market: None,
            max_packages: None,
        })
        .collect();
    let batch = optimum(&lanes, &inst.stock, &demands).expect("the routed orders fit the stock");
    assert!(batch.cost_minor <= out.total_cost_minor());
    let per_order: i64 = demands
        .iter()
        .map(|d| {
            optimum(&lanes, &inst.stock, std::slice::from_ref(d))
                .unwrap()
                .cost_minor
        })
        .sum();
    // Relaxing the shared stock can only lower the optimum.
    assert!(per_order <= batch.cost_minor);
}

#[test]
fn with_ample_stock_the_batch_optimum_is_the_sum_of_order_optima_and_the_heuristic_meets_it_under_its_rules(
) {
    let inst = generate(&spec(11, StockLevel::Ample, 10));
    let out = run_heuristic(&inst);
    assert_eq!(out.fill_rate(), 1.0);
    let lanes = LaneIndex::new(&inst.network);
    let free = |i: usize, on_time: bool| OrderDemand {
        order: &inst.orders[i],
        on_time,
        max_out_of_market: None,
        max_packages: None,
    };
    // No order takes stock another needs: the batch optimum is exactly the
    // sum of the orders' own optima.
    let demands: Vec<OrderDemand<'_>> = out
        .routed
        .iter()
        .map(|(i, d)| free(*i, d.promise_met == Some(true)))
        .collect();
    let batch = optimum(&lanes, &inst.stock, &demands).expect("the batch fits the stock");
    let per_order: i64 = demands
        .iter()
        .map(|d| {
            optimum(&lanes, &inst.stock, std::slice::from_ref(d))
                .unwrap()
                .cost_minor
        })
        .sum();
    assert_eq!(batch.cost_minor, per_order);
    // Under its own rule order (no more out-of-market packages, no more
    // packages), the heuristic's choice is the cheapest: it is exact.
    for (i, d) in &out.routed {
        let same_rules = OrderDemand {
            max_out_of_market: Some(d.shipments.iter().filter(|s| !s.in_market).count() as u32),
            max_packages: Some(d.shipments.len() as u32),
            ..free(*i, d.promise_met == Some(true))
        };
        let best = optimum(&lanes, &inst.stock, &[same_rules]).unwrap();
        assert_eq!(best.cost_minor, d.total_cost.minor(), "order {i}");
    }
}

#[test]
fn percentile_is_nearest_rank() {
    let mut v: Vec<u64> = (1..=100).rev().collect();
    assert_eq!(percentile(&mut v, 50.0), 50);
    assert_eq!(percentile(&mut v, 99.0), 99);
    assert_eq!(percentile(&mut v, 100.0), 100);
    assert_eq!(percentile(&mut [], 50.0), 0);
}
