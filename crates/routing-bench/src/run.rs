//! The heuristic over a batch: orders routed one by one in arrival order,
//! each decision's units taken from the stock before the next order.

use std::time::Instant;

use chuhai_domain::routing::{route, RoutingDecision, RoutingError, StockLevels};

use crate::generator::Instance;

/// What the heuristic did with a batch.
pub struct BatchOutcome {
    /// (order index, decision) for every order routed.
    pub routed: Vec<(usize, RoutingDecision)>,
    /// (order index, error) for every order refused.
    pub failed: Vec<(usize, RoutingError)>,
    /// Time of each `route` call, nanoseconds (stock update excluded).
    pub latencies_ns: Vec<u64>,
    pub units_ordered: u64,
    pub units_shipped: u64,
}

/// Routes every order of the instance in order against a copy of its stock.
pub fn run_heuristic(instance: &Instance) -> BatchOutcome {
    let mut stock: StockLevels = instance.stock.clone();
    let mut out = BatchOutcome {
        routed: Vec::new(),
        failed: Vec::new(),
        latencies_ns: Vec::with_capacity(instance.orders.len()),
        units_ordered: 0,
        units_shipped: 0,
    };
    for (i, order) in instance.orders.iter().enumerate() {
        out.units_ordered += order
            .lines
            .iter()
            .map(|l| u64::from(l.quantity))
            .sum::<u64>();
        let start = Instant::now();
        let result = route(&instance.network, &stock, order);
        out.latencies_ns.push(start.elapsed().as_nanos() as u64);
        match result {
            Ok(d) => {
                stock
                    .commit(&instance.network, &d)
                    .expect("a decision never takes more than is available");
                out.units_shipped += d
                    .shipments
                    .iter()
                    .flat_map(|s| &s.lines)
                    .map(|l| u64::from(l.quantity))
                    .sum::<u64>();
                out.routed.push((i, d));
            }
            Err(e) => out.failed.push((i, e)),
        }
    }
    out
}

impl BatchOutcome {
    /// Total cost of the routed orders, minor units.
    pub fn total_cost_minor(&self) -> i64 {
        self.routed.iter().map(|(_, d)| d.total_cost.minor()).sum()
    }

    /// Packages per routed order.
    pub fn packages_per_order(&self) -> f64 {
        let p: usize = self.routed.iter().map(|(_, d)| d.shipments.len()).sum();
        p as f64 / self.routed.len().max(1) as f64
    }

    /// Share of routed orders shipped in more than one package.
    pub fn split_rate(&self) -> f64 {
        let s = self.routed.iter().filter(|(_, d)| d.is_split()).count();
        s as f64 / self.routed.len().max(1) as f64
    }

    /// Units shipped over units ordered.
    pub fn fill_rate(&self) -> f64 {
        self.units_shipped as f64 / self.units_ordered.max(1) as f64
    }
}

/// The `p`-th percentile (0–100, nearest rank) of `values`, which it sorts.
pub fn percentile(values: &mut [u64], p: f64) -> u64 {
    if values.is_empty() {
        return 0;
    }
    values.sort_unstable();
    let rank = ((p / 100.0) * values.len() as f64).ceil() as usize;
    values[rank.clamp(1, values.len()) - 1]
}
