//! The exact offline optimum, as a mixed-integer programme solved by the
//! pure-Rust microlp solver through good_lp.
//!
//! **What is optimal.** For a set of orders routed as one batch: the
//! minimum total shipping cost from the same rate cards and rounding steps
//! the heuristic uses, over every way of shipping every unit of every
//! order — any units of a line from any warehouse holding them (splitting
//! a line is allowed, which only widens the choice), one package per order
//! × warehouse × service — subject to: the stock of each warehouse and SKU
//! shared by all orders; dangerous goods only on services carrying their
//! class; each package's actual weight within the service's limit; and,
//! for orders the heuristic delivered on time, only lanes that meet the
//! promise. Optionally, per order, at most as many packages from outside
//! the destination market as the heuristic used ([`OrderDemand::max_out_of_market`]):
//! and at most as many packages ([`OrderDemand::max_packages`]): the
//! optimum under the same rule order. Without them the optimum is cost
//! alone, and the gap also prices the preferences for in-market stock and
//! fewer packages.
//!
//! **Model.** Per order o, warehouse w, service s with a card to the
//! destination's zone: `y` binary (the package exists), `n` integer (the
//! started steps past the first weight), `q[l]` integer (units of line l).
//! `Σ q = quantity`; `Σ_o q ≤ stock`; `q ≤ quantity·y`;
//! `Σ q·grams ≤ max·y`; `step·n ≥ Σ q·grams − first·y` and
//! `step·n ≥ Σ q·mm³/divisor − first·y` (the ceiling of rounding step 1 is
//! exact here because the right side's bound is an integer); cost
//! `first_price·y + step_price·n`. The solver works in `f64`; the cost
//! reported is recomputed from the solution's packages with the integer
//! rate cards, never taken from the solver.

use std::collections::HashMap;

use chuhai_domain::routing::{
    weight::{chargeable_weight, volumetric_weight},
    CarrierService, Grams, OrderToRoute, RateCard, RoutingNetwork, RoutingWarehouse, StockLevels,
    WarehouseCode,
};
use good_lp::{
    constraint, microlp, variable, variables, Expression, Solution, SolverModel, Variable,
};

/// An order to include, and whether its promise binds.
pub struct OrderDemand<'a> {
    pub order: &'a OrderToRoute,
    /// Forbid lanes that arrive after the promised days.
    pub on_time: bool,
    /// At most this many packages from warehouses outside the destination
    /// market (`None`: no limit).
    pub max_out_of_market: Option<u32>,
    /// At most this many packages (`None`: no limit).
    pub max_packages: Option<u32>,
}

/// The optimum's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Optimum {
    /// Total cost from the integer rate cards, minor units.
    pub cost_minor: i64,
    pub packages: usize,
    /// The solver's objective, for cross-checking only.
    pub objective: f64,
}

/// Rate cards by warehouse, built once per network.
pub struct LaneIndex<'n> {
    network: &'n RoutingNetwork,
    cards: HashMap<&'n WarehouseCode, Vec<&'n RateCard>>,
    services: HashMap<&'n str, &'n CarrierService>,
    /// Handling days, and the warehouse's market test.
    warehouse: HashMap<&'n WarehouseCode, (u16, &'n RoutingWarehouse)>,
}

impl<'n> LaneIndex<'n> {
    pub fn new(network: &'n RoutingNetwork) -> LaneIndex<'n> {
        let mut cards: HashMap<&WarehouseCode, Vec<&RateCard>> = HashMap::new();
        for c in network.rate_cards() {
            cards.entry(&c.warehouse).or_default().push(c);
        }
        LaneIndex {
            network,
            cards,
            services: network
                .services()
                .iter()
                .map(|s| (s.code.as_str(), s))
                .collect(),
            warehouse: network
                .warehouses()
                .iter()
                .map(|w| (&w.code, (w.handling_days, w)))
                .collect(),
        }
    }
}

struct Package<'a> {
    order: usize,
    warehouse: &'a WarehouseCode,
    card: &'a RateCard,
    service: &'a CarrierService,
    y: Variable,
    /// (line index, variable)
    q: Vec<(usize, Variable)>,
}

/// Solves the batch MIP; `None` when infeasible or the solver fails.
pub fn optimum(
    lanes: &LaneIndex<'_>,
    stock: &StockLevels,
    orders: &[OrderDemand<'_>],
) -> Option<Optimum> {
    let network = lanes.network;
    let mut vars = variables!();
    let mut packages: Vec<Package<'_>> = Vec::new();
    let mut objective = Expression::from(0.0);
    let mut constraints = Vec::new();
    // (warehouse, sku) → the q variables drawing on it, and the stock.
    let mut draws: HashMap<(&WarehouseCode, &str), (u32, Vec<Variable>)> = HashMap::new();
    for (oi, demand) in orders.iter().enumerate() {
        let order = demand.order;
        let dest = &order.destination;
        let mut holders: HashMap<&WarehouseCode, Vec<(usize, u32)>> = HashMap::new();
        for (li, line) in order.lines.iter().enumerate() {
            for (w, units) in stock.holding(network, &line.sku) {
                if units > 0 {
                    holders.entry(w).or_default().push((li, units));
                }
            }
        }
        let mut per_line: Vec<Vec<Variable>> = vec![Vec::new(); order.lines.len()];
        let mut out_of_market = Expression::from(0.0);
        let mut all_packages = Expression::from(0.0);
        let mut holders: Vec<_> = holders.into_iter().collect();
        holders.sort_by(|a, b| a.0.cmp(b.0));
        for (w, held) in holders {
            let (handling, site) = lanes.warehouse[w];
            let in_market = site.serves_market(dest.country);
            for card in lanes.cards.get(w).map_or(&[][..], Vec::as_slice) {
                let service = lanes.services[card.service.as_str()];
                if network.zone_for(&service.code, dest.country, &dest.postal_code)
                    != Some(&card.zone)
                {
                    continue;
                }
                if demand.on_time
                    && order
                        .promised_days
                        .is_some_and(|p| card.transit.max + handling > p)
                {
                    continue;
                }
                let mut q = Vec::new();
                for &(li, units) in &held {
                    let line = &order.lines[li];
                    let carries = line
                        .dangerous_goods
                        .is_none_or(|c| service.dangerous_goods.contains(&c));
                    if !carries || line.unit_weight.0 > service.max_weight.0 {
                        continue;
                    }
                    let max = units.min(line.quantity);
                    let v = vars.add(variable().integer().min(0).max(max));
                    q.push((li, v));
                    per_line[li].push(v);
                    draws
                        .entry((w, line.sku.as_str()))
                        .or_insert((units, Vec::new()))
                        .1
                        .push(v);
                }
                if q.is_empty() {
                    continue;
                }
                let y = vars.add(variable().binary());
                if !in_market {
                    out_of_market += y;
                }
                all_packages += y;
                let n = vars.add(variable().integer().min(0));
                let p = &card.pricing;
                objective += p.first_price_minor as f64 * y + p.step_price_minor as f64 * n;
                let mut grams = Expression::from(0.0);
                let mut volumetric = Expression::from(0.0);
                for &(li, v) in &q {
                    let line = &order.lines[li];
                    grams += line.unit_weight.0 as f64 * v;
                    volumetric += (line.unit_size.volume_mm3() as f64
                        / f64::from(service.volumetric_divisor))
                        * v;
                    constraints.push(constraint!(v <= f64::from(line.quantity) * y));
                }
                let first = p.first_weight.0 as f64;
                let step = p.step_weight.0 as f64;
                constraints.push(constraint!(
                    grams.clone() <= service.max_weight.0 as f64 * y
                ));
                constraints.push(constraint!(step * n >= grams - first * y));
                constraints.push(constraint!(step * n >= volumetric - first * y));
                packages.push(Package {
                    order: oi,
                    warehouse: w,
                    card,
                    service,
                    y,
                    q,
                });
            }
        }
        if let Some(k) = demand.max_out_of_market {
            constraints.push(constraint!(out_of_market <= f64::from(k)));
        }
        if let Some(k) = demand.max_packages {
            constraints.push(constraint!(all_packages <= f64::from(k)));
        }
        for (li, vs) in per_line.into_iter().enumerate() {
            if vs.is_empty() {
                return None;
            }
            let sum: Expression = vs.into_iter().sum();
            constraints.push(constraint!(sum == f64::from(order.lines[li].quantity)));
        }
    }
    for (units, vs) in draws.into_values() {
        if vs.len() > 1 {
            let sum: Expression = vs.into_iter().sum();
            constraints.push(constraint!(sum <= f64::from(units)));
        }
    }
    let mut model = vars.minimise(objective.clone()).using(microlp);
    for c in constraints {
        model.add_constraint(c);
    }
    let solution = model.solve().ok()?;
    let mut cost_minor = 0i64;
    let mut used = 0usize;
    for p in &packages {
        let units: Vec<(usize, u64)> =
            p.q.iter()
                .map(|&(li, v)| (li, solution.value(v).round().max(0.0) as u64))
                .filter(|&(_, u)| u > 0)
                .collect();
        if units.is_empty() {
            continue;
        }
        let order = orders[p.order].order;
        let grams: u64 = units
            .iter()
            .map(|&(li, u)| order.lines[li].unit_weight.0 * u)
            .sum();
        let volume: u64 = units
            .iter()
            .map(|&(li, u)| order.lines[li].unit_size.volume_mm3() * u)
            .sum();
        let chargeable = chargeable_weight(
            Grams(grams),
            volumetric_weight(volume, p.service.volumetric_divisor),
        );
        cost_minor += p.card.pricing.price_minor(chargeable)?;
        used += 1;
        let _ = (p.warehouse, p.y);
    }
    Some(Optimum {
        cost_minor,
        packages: used,
        objective: objective.eval_with(&solution),
    })
}
