//! Routing quality and latency over seeded instances.
//!
//! Run: `cargo bench -p chuhai-routing-bench --bench routing`.
//! Environment: `ROUTING_SEEDS` (default 10), `ROUTING_ORDERS` (1,000),
//! `ROUTING_LARGE_LB_ORDERS` (orders per seed whose optimum is solved at
//! 2,000 warehouses, default 0: microlp needs about 30 s per order there,
//! with hundreds of candidate warehouses), `ROUTING_SMALL_ORDERS` (orders in the
//! exact batch comparison, default 20).
//!
//! Per seed the SKU count is one of 100 … 2,000. The gap is the
//! heuristic's cost over the optimum's minus one, on the orders the
//! heuristic routed. "Lower bound" is the sum of each order's own MIP
//! optimum against the initial stock: relaxing the stock shared between
//! orders can only lower the batch optimum, so the gap to it is an upper
//! bound on the gap to the batch optimum. On small batches the batch MIP
//! (stock shared) is solved exactly too.

use std::time::Instant;

use chuhai_routing_bench::generator::{generate, InstanceSpec, Scale, StockLevel};
use chuhai_routing_bench::optimum::{optimum, LaneIndex, OrderDemand};
use chuhai_routing_bench::run::{percentile, run_heuristic};

const SKUS: [usize; 10] = [100, 300, 500, 800, 1000, 1200, 1500, 1700, 1900, 2000];

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    let n = values.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

struct SeedRow {
    cost: f64,
    lb: f64,
    /// The heuristic's cost per order over the orders the optimum was solved for.
    lb_heur: f64,
    gap: f64,
    gap_same: f64,
    unsolved: usize,
    packages: f64,
    split: f64,
    fill: f64,
    p50_us: f64,
    p99_us: f64,
}

fn scenario(
    label: &str,
    scale: Scale,
    stock: StockLevel,
    seeds: usize,
    orders: usize,
    lb_orders: usize,
) {
    println!(
        "\n## {label}: {orders} orders per seed, optimum over {} routed orders per seed",
        if lb_orders >= orders {
            "all".to_owned()
        } else {
            format!("the first {lb_orders}")
        }
    );
    println!("seed  skus  cost/order  (on solved)  optimum(LB)/order  gap%   same-rules gap%  pkgs/order  split%  fill%  p50 µs  p99 µs  mip s");
    let mut rows = Vec::new();
    let mut all_latencies: Vec<u64> = Vec::new();
    for seed in 0..seeds {
        let skus = SKUS[seed % SKUS.len()];
        let inst = generate(&InstanceSpec {
            seed: seed as u64,
            scale,
            stock,
            skus,
            orders,
        });
        let mut out = run_heuristic(&inst);
        let lanes = LaneIndex::new(&inst.network);
        let started = Instant::now();
        let (mut heur, mut lb, mut lb_same, mut n) = (0i64, 0i64, 0i64, 0usize);
        let mut unsolved = 0usize;
        for (i, d) in out.routed.iter().take(lb_orders) {
            let mut demand = [OrderDemand {
                order: &inst.orders[*i],
                on_time: d.promise_met == Some(true),
                max_out_of_market: None,
                max_packages: None,
            }];
            let best = optimum(&lanes, &inst.stock, &demand);
            demand[0].max_out_of_market =
                Some(d.shipments.iter().filter(|s| !s.in_market).count() as u32);
            demand[0].max_packages = Some(d.shipments.len() as u32);
            let same = optimum(&lanes, &inst.stock, &demand);
            // The heuristic's own plan is feasible in both; a solver
            // failure is counted and the order left out of the gap.
            let (Some(best), Some(same)) = (best, same) else {
                unsolved += 1;
                continue;
            };
            heur += d.total_cost.minor();
            lb += best.cost_minor;
            lb_same += same.cost_minor;
            n += 1;
        }
        let mip_s = started.elapsed().as_secs_f64();
        let p50 = percentile(&mut out.latencies_ns, 50.0) as f64 / 1000.0;
        let p99 = percentile(&mut out.latencies_ns, 99.0) as f64 / 1000.0;
        all_latencies.extend_from_slice(&out.latencies_ns);
        let row = SeedRow {
            cost: out.total_cost_minor() as f64 / out.routed.len().max(1) as f64 / 100.0,
            lb: lb as f64 / n.max(1) as f64 / 100.0,
            lb_heur: heur as f64 / n.max(1) as f64 / 100.0,
            gap: if n == 0 {
                f64::NAN
            } else {
                (heur as f64 / lb as f64 - 1.0) * 100.0
            },
            gap_same: if n == 0 {
                f64::NAN
            } else {
                (heur as f64 / lb_same as f64 - 1.0) * 100.0
            },
            unsolved,
            packages: out.packages_per_order(),
            split: out.split_rate() * 100.0,
            fill: out.fill_rate() * 100.0,
            p50_us: p50,
            p99_us: p99,
        };
        println!(
            "{seed:>4}  {skus:>4}  {:>10.2}  {:>11.2}  {:>17.2}  {:>5.2}  {:>17.2}  {:>10.3}  {:>6.1}  {:>5.1}  {:>6.1}  {:>6.1}  {mip_s:>5.1}",
            row.cost, row.lb_heur, row.lb, row.gap, row.gap_same, row.packages, row.split, row.fill, row.p50_us, row.p99_us
        );
        rows.push(row);
    }
    let m = |f: fn(&SeedRow) -> f64| median(&mut rows.iter().map(f).collect::<Vec<_>>());
    println!(
        "median      {:>10.2}  {:>11.2}  {:>17.2}  {:>5.2}  {:>17.2}  {:>10.3}  {:>6.1}  {:>5.1}  {:>6.1}  {:>6.1}",
        m(|r| r.cost),
        m(|r| r.lb_heur),
        m(|r| r.lb),
        m(|r| r.gap),
        m(|r| r.gap_same),
        m(|r| r.packages),
        m(|r| r.split),
        m(|r| r.fill),
        m(|r| r.p50_us),
        m(|r| r.p99_us)
    );
    let worst_gap = rows.iter().map(|r| r.gap).fold(f64::NAN, f64::max);
    let worst_same = rows.iter().map(|r| r.gap_same).fold(f64::NAN, f64::max);
    let unsolved: usize = rows.iter().map(|r| r.unsolved).sum();
    println!("orders the solver failed on (left out of the gap): {unsolved}");
    println!(
        "all seeds: worst gap {worst_gap:.2} % (same rules {worst_same:.2} %); decision latency over {} decisions p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        all_latencies.len(),
        percentile(&mut all_latencies, 50.0) as f64 / 1000.0,
        percentile(&mut all_latencies, 99.0) as f64 / 1000.0,
        percentile(&mut all_latencies, 100.0) as f64 / 1000.0,
    );
}

fn exact_batches(seeds: usize, orders: usize) {
    println!("\n## Exact batch optimum (stock shared), 7 warehouses, tight stock, {orders} orders per seed");
    println!("seed  heuristic  batch optimum  per-order LB  gap to optimum %  gap to LB %  mip s");
    let mut gaps = Vec::new();
    for seed in 0..seeds {
        let inst = generate(&InstanceSpec {
            seed: 100 + seed as u64,
            scale: Scale::Seven,
            stock: StockLevel::Tight,
            skus: 100,
            orders,
        });
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
        let started = Instant::now();
        let batch =
            optimum(&lanes, &inst.stock, &demands).expect("the routed orders fit the stock");
        let secs = started.elapsed().as_secs_f64();
        let lb: i64 = demands
            .iter()
            .map(|d| {
                optimum(&lanes, &inst.stock, std::slice::from_ref(d))
                    .unwrap()
                    .cost_minor
            })
            .sum();
        let heur = out.total_cost_minor();
        let gap = (heur as f64 / batch.cost_minor as f64 - 1.0) * 100.0;
        gaps.push(gap);
        println!(
            "{seed:>4}  {:>9.2}  {:>13.2}  {:>12.2}  {:>16.2}  {:>11.2}  {secs:>5.1}",
            heur as f64 / 100.0,
            batch.cost_minor as f64 / 100.0,
            lb as f64 / 100.0,
            gap,
            (heur as f64 / lb as f64 - 1.0) * 100.0
        );
    }
    println!(
        "median gap to the exact batch optimum: {:.2} %",
        median(&mut gaps)
    );
}

fn main() {
    let seeds = env("ROUTING_SEEDS", 10);
    let orders = env("ROUTING_ORDERS", 1000);
    let large_lb = env("ROUTING_LARGE_LB_ORDERS", 0);
    let small = env("ROUTING_SMALL_ORDERS", 20);
    let only = std::env::var("ROUTING_ONLY").unwrap_or_default();
    println!("# Order routing benchmark ({seeds} seeds, costs in USD per order)");
    if only.is_empty() || only == "seven" {
        scenario(
            "7 warehouses, ample stock (exact optimum)",
            Scale::Seven,
            StockLevel::Ample,
            seeds,
            orders,
            orders,
        );
        scenario(
            "7 warehouses, loose stock",
            Scale::Seven,
            StockLevel::Loose,
            seeds,
            orders,
            orders,
        );
        scenario(
            "7 warehouses, tight stock",
            Scale::Seven,
            StockLevel::Tight,
            seeds,
            orders,
            orders,
        );
    }
    if only.is_empty() || only == "large" {
        scenario(
            "2,000 warehouses, loose stock",
            Scale::Large(2000),
            StockLevel::Loose,
            seeds,
            orders,
            large_lb,
        );
        scenario(
            "2,000 warehouses, tight stock",
            Scale::Large(2000),
            StockLevel::Tight,
            seeds,
            orders,
            large_lb,
        );
    }
    if only.is_empty() || only == "exact" {
        exact_batches(seeds, small);
    }
}
