//! The rule pipeline: from an order, the network and the stock to a
//! [`RoutingDecision`].
//!
//! 1. Hard rules filter: a warehouse must hold the stock and have a rate
//!    card to the destination's zone; a package's service must accept every
//!    dangerous-goods class in it and its actual weight.
//! 2. Lines go whole to one warehouse; a line that no single warehouse can
//!    fill is split into parts, taking first from in-market warehouses with
//!    the most units (fewest parts).
//! 3. Every subset of parts is priced at every shortlisted warehouse with
//!    its best service; a dynamic programme over subsets then finds the
//!    partition into packages that is best by [`RankingRule::ORDER`]
//!    (on time, in market, fewest packages, lowest cost, fastest). It is
//!    exact over the shortlist.
//! 4. The shortlist keeps, per set of lines a warehouse can ship, the
//!    [`SHORTLIST_PER_COVERAGE`] warehouses best at shipping that whole set;
//!    with fewer warehouses than that holding each coverage, every one is kept.

use std::collections::{HashMap, HashSet};

use super::decision::{
    Explanation, PlanConsidered, PlanStatus, RankingRule, RoutingDecision, Shipment, ShipmentLine,
    WarehouseConsidered, WarehouseVerdict,
};
use super::error::RoutingError;
use super::network::{DangerousGoodsSet, RoutingNetwork, TransitDays, WarehouseIdx};
use super::order::{Exclusions, FulfilmentFailure, OrderToRoute};
use super::stock::StockLevels;
use super::weight::{chargeable_weight, volumetric_weight, Grams};
use crate::customs::CustomsMode;
use crate::inventory::WarehouseKind;
use crate::money::Money;

/// Most parts (lines, after splitting lines no warehouse fills alone) an
/// order may have.
pub const MAX_PARTS: usize = 12;

/// Warehouses kept per stock coverage in the search (see the module doc).
pub const SHORTLIST_PER_COVERAGE: usize = 8;

/// Routes an order with nothing excluded.
pub fn route(
    network: &RoutingNetwork,
    stock: &StockLevels,
    order: &OrderToRoute,
) -> Result<RoutingDecision, RoutingError> {
    route_excluding(network, stock, order, &Exclusions::default())
}

/// Routes again after a warehouse could not fulfil: the previous
/// decision's exclusions plus the failure. `stock` is what is available to
/// this order (with the previous decision's holds released).
pub fn reroute(
    network: &RoutingNetwork,
    stock: &StockLevels,
    order: &OrderToRoute,
    previous: &RoutingDecision,
    failure: &FulfilmentFailure,
) -> Result<RoutingDecision, RoutingError> {
    let exclusions = previous.exclusions.clone().with(failure);
    route_excluding(network, stock, order, &exclusions)
}

/// The ranking key of a plan; compared field by field in
/// [`RankingRule::ORDER`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
struct PlanKey {
    late: u32,
    out_of_market: u32,
    packages: u32,
    cost: i64,
    transit: u32,
}

impl PlanKey {
    fn add(self, o: PlanKey) -> Option<PlanKey> {
        Some(PlanKey {
            late: self.late + o.late,
            out_of_market: self.out_of_market + o.out_of_market,
            packages: self.packages + o.packages,
            cost: self.cost.checked_add(o.cost)?,
            transit: self.transit + o.transit,
        })
    }

    /// The first rule on which `self` beats `other` (`self` < `other`).
    fn won_on(&self, other: &PlanKey) -> RankingRule {
        if self.late != other.late {
            RankingRule::OnTime
        } else if self.out_of_market != other.out_of_market {
            RankingRule::InMarket
        } else if self.packages != other.packages {
            RankingRule::FewestPackages
        } else if self.cost != other.cost {
            RankingRule::LowestCost
        } else if self.transit != other.transit {
            RankingRule::FastestTransit
        } else {
            RankingRule::NetworkOrder
        }
    }
}

/// A part of the order: a whole line, or the units of a split line that
/// one warehouse ships.
struct Part {
    line: usize,
    quantity: u32,
    weight: u64,
    volume: u64,
    dangerous: DangerousGoodsSet,
    pinned: Option<WarehouseIdx>,
}

/// A warehouse holding some of the order's SKUs.
struct Candidate {
    w: WarehouseIdx,
    in_market: bool,
    /// (service, card) to the destination.
    lanes: Vec<(u32, u32)>,
    /// Units available per line.
    available: Vec<u32>,
    /// Parts it can ship.
    mask: u32,
}

/// A priced package: a set of parts from one candidate with its best service.
#[derive(Clone, Copy)]
struct Package {
    candidate: u32,
    service: u32,
    card: u32,
    key: PlanKey,
    actual: u64,
    volumetric: u64,
    chargeable: u64,
    transit: TransitDays,
}

/// Why no service could take a set of parts.
#[derive(Default, Clone, Copy)]
struct Refusal {
    dangerous: bool,
    heavy: bool,
    overflow: bool,
}

impl Refusal {
    fn reason(self) -> String {
        match (self.dangerous, self.heavy) {
            (true, true) => "no service both carries its dangerous goods and takes its weight",
            (true, false) => "no service to the zone carries its dangerous-goods classes",
            (false, true) => "over the weight limit of every service to the zone",
            (false, false) if self.overflow => "the price overflows",
            (false, false) => "no service to the zone",
        }
        .to_owned()
    }
}

struct Search<'a> {
    network: &'a RoutingNetwork,
    order: &'a OrderToRoute,
    parts: Vec<Part>,
    candidates: Vec<Candidate>,
}

impl Search<'_> {
    /// The best service for `mask` of parts at candidate `c`.
    fn price(&self, c: usize, mask: u32) -> Result<Package, Refusal> {
        let cand = &self.candidates[c];
        let (mut weight, mut volume, mut dangerous) = (0u64, 0u64, DangerousGoodsSet::NONE);
        let mut bits = mask;
        while bits != 0 {
            let p = &self.parts[bits.trailing_zeros() as usize];
            weight = weight.saturating_add(p.weight);
            volume = volume.saturating_add(p.volume);
            dangerous = dangerous.union(p.dangerous);
            bits &= bits - 1;
        }
        let wh = &self.network.warehouses[cand.w as usize];
        let mut refusal = Refusal::default();
        let mut best: Option<Package> = None;
        for &(s, card) in &cand.lanes {
            let service = &self.network.services[s as usize];
            if !self.network.service_dg[s as usize].covers(dangerous) {
                refusal.dangerous = true;
                continue;
            }
            if weight > service.max_weight.0 {
                refusal.heavy = true;
                continue;
            }
            let volumetric = volumetric_weight(volume, service.volumetric_divisor);
            let chargeable = chargeable_weight(Grams(weight), volumetric);
            let rate = &self.network.cards[card as usize];
            let Some(cost) = rate.pricing.price_minor(chargeable) else {
                refusal.overflow = true;
                continue;
            };
            let transit = TransitDays {
                min: rate.transit.min.saturating_add(wh.handling_days),
                max: rate.transit.max.saturating_add(wh.handling_days),
            };
            let late = self.order.promised_days.is_some_and(|p| transit.max > p);
            let key = PlanKey {
                late: u32::from(late),
                out_of_market: u32::from(!cand.in_market),
                packages: 1,
                cost,
                transit: u32::from(transit.max),
            };
            if best.is_none_or(|b| key < b.key) {
                best = Some(Package {
                    candidate: c as u32,
                    service: s,
                    card,
                    key,
                    actual: weight,
                    volumetric: volumetric.0,
                    chargeable: chargeable.0,
                    transit,
                });
            }
        }
        best.ok_or(refusal)
    }
}

/// Routes an order, leaving out what `exclusions` names.
pub fn route_excluding(
    network: &RoutingNetwork,
    stock: &StockLevels,
    order: &OrderToRoute,
    exclusions: &Exclusions,
) -> Result<RoutingDecision, RoutingError> {
    check_order(network, order)?;
    let dest = &order.destination;
    let zone_per_service: Vec<Option<u32>> = (0..network.services.len())
        .map(|s| network.zone_of(s, dest.country, &dest.postal_code))
        .collect();
    if zone_per_service.iter().all(Option::is_none) {
        return Err(RoutingError::UnknownDestination {
            country: dest.country,
            postal_code: dest.postal_code.clone(),
        });
    }
    let excluded_w: HashSet<WarehouseIdx> = exclusions
        .warehouses
        .iter()
        .filter_map(|c| network.warehouse_idx(c).ok())
        .collect();
    let excluded_pairs: HashSet<(WarehouseIdx, &str)> = exclusions
        .lines
        .iter()
        .filter_map(|(c, sku)| Some((network.warehouse_idx(c).ok()?, sku.as_str())))
        .collect();

    // Candidates: every warehouse holding any line's SKU, found through
    // the stock index (never a scan of the network).
    let n_lines = order.lines.len();
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut by_w: HashMap<WarehouseIdx, usize> = HashMap::new();
    let mut excluded_seen: Vec<WarehouseIdx> = Vec::new();
    for (li, line) in order.lines.iter().enumerate() {
        for &(w, units) in stock.holders(&line.sku) {
            if units == 0 {
                continue;
            }
            if excluded_w.contains(&w) {
                if !excluded_seen.contains(&w) {
                    excluded_seen.push(w);
                }
                continue;
            }
            if excluded_pairs.contains(&(w, line.sku.as_str())) {
                continue;
            }
            let ci = *by_w.entry(w).or_insert_with(|| {
                candidates.push(Candidate {
                    w,
                    in_market: network.warehouses[w as usize].serves_market(dest.country),
                    lanes: network.lanes_to(w, &zone_per_service).collect(),
                    available: vec![0; n_lines],
                    mask: 0,
                });
                candidates.len() - 1
            });
            candidates[ci].available[li] = units;
        }
    }
    // Network order, so that ties and explanations are stable.
    candidates.sort_unstable_by_key(|c| c.w);

    // Parts: whole lines where one warehouse can fill them, else splits.
    let mut parts: Vec<Part> = Vec::with_capacity(n_lines);
    for (li, line) in order.lines.iter().enumerate() {
        let unit_volume = line.unit_size.volume_mm3();
        let dangerous = line
            .dangerous_goods
            .map_or(DangerousGoodsSet::NONE, |c| DangerousGoodsSet::NONE.with(c));
        let make = |quantity: u32, pinned| Part {
            line: li,
            quantity,
            weight: line.unit_weight.0.saturating_mul(u64::from(quantity)),
            volume: unit_volume.saturating_mul(u64::from(quantity)),
            dangerous,
            pinned,
        };
        let total: u64 = candidates.iter().map(|c| u64::from(c.available[li])).sum();
        if total < u64::from(line.quantity) {
            return Err(RoutingError::NoStock {
                sku: line.sku.clone(),
                requested: line.quantity,
                available: total,
            });
        }
        let reachable = || candidates.iter().filter(|c| !c.lanes.is_empty());
        let reachable_total: u64 = reachable().map(|c| u64::from(c.available[li])).sum();
        if reachable_total < u64::from(line.quantity) {
            return Err(RoutingError::NoServiceToZone {
                sku: line.sku.clone(),
                country: dest.country,
                postal_code: dest.postal_code.clone(),
            });
        }
        if reachable().any(|c| c.available[li] >= line.quantity) {
            parts.push(make(line.quantity, None));
            continue;
        }
        let mut holders: Vec<&Candidate> = reachable().filter(|c| c.available[li] > 0).collect();
        holders.sort_by_key(|c| (!c.in_market, std::cmp::Reverse(c.available[li]), c.w));
        let mut left = line.quantity;
        for c in holders {
            if left == 0 {
                break;
            }
            let take = left.min(c.available[li]);
            parts.push(make(take, Some(c.w)));
            left -= take;
        }
    }
    if parts.len() > MAX_PARTS {
        return Err(RoutingError::TooManyParts {
            parts: parts.len(),
            max: MAX_PARTS,
        });
    }
    let full: u32 = (1u32 << parts.len()) - 1;
    for c in &mut candidates {
        if c.lanes.is_empty() {
            continue;
        }
        for (pi, p) in parts.iter().enumerate() {
            let fits = match p.pinned {
                Some(w) => w == c.w,
                None => c.available[p.line] >= p.quantity,
            };
            if fits {
                c.mask |= 1 << pi;
            }
        }
    }
    let search = Search {
        network,
        order,
        parts,
        candidates,
    };

    // Price each candidate's whole coverage; shortlist per coverage.
    let mut whole: Vec<Option<Result<Package, Refusal>>> = vec![None; search.candidates.len()];
    let mut by_mask: HashMap<u32, Vec<usize>> = HashMap::new();
    for (ci, c) in search.candidates.iter().enumerate() {
        if c.mask == 0 {
            continue;
        }
        whole[ci] = Some(search.price(ci, c.mask));
        by_mask.entry(c.mask).or_default().push(ci);
    }
    let mut shortlisted = vec![false; search.candidates.len()];
    for list in by_mask.values_mut() {
        list.sort_by_key(|&ci| match whole[ci] {
            Some(Ok(p)) => (0, p.key, ci),
            _ => (1, PlanKey::default(), ci),
        });
        for &ci in list.iter().take(SHORTLIST_PER_COVERAGE) {
            shortlisted[ci] = true;
        }
    }

    // Best package for every subset of parts.
    let n_masks = 1usize << search.parts.len();
    let mut best_package: Vec<Option<Package>> = vec![None; n_masks];
    for ci in (0..search.candidates.len()).filter(|&ci| shortlisted[ci]) {
        let mask = search.candidates[ci].mask;
        let mut sub = mask;
        while sub != 0 {
            let priced = if sub == mask {
                whole[ci].and_then(Result::ok)
            } else {
                search.price(ci, sub).ok()
            };
            if let Some(p) = priced {
                let slot = &mut best_package[sub as usize];
                if slot.is_none_or(|b| p.key < b.key) {
                    *slot = Some(p);
                }
            }
            sub = (sub - 1) & mask;
        }
    }

    // Best partition into packages, over subsets.
    let mut best: Vec<Option<(PlanKey, u32)>> = vec![None; n_masks];
    best[0] = Some((PlanKey::default(), 0));
    for mask in 1..n_masks as u32 {
        let low = mask & mask.wrapping_neg();
        let rest = mask ^ low;
        // Every subset of `mask` that holds its lowest part.
        let mut sub_rest = rest;
        loop {
            let sub = sub_rest | low;
            if let (Some(p), Some((before, _))) =
                (best_package[sub as usize], best[(mask ^ sub) as usize])
            {
                if let Some(key) = before.add(p.key) {
                    if best[mask as usize].is_none_or(|(b, _)| key < b) {
                        best[mask as usize] = Some((key, sub));
                    }
                }
            }
            if sub_rest == 0 {
                break;
            }
            sub_rest = (sub_rest - 1) & rest;
        }
    }
    let Some((chosen_key, _)) = best[full as usize] else {
        return Err(diagnose(&search));
    };
    let mut packages: Vec<Package> = Vec::new();
    let mut mask = full;
    let mut masks = Vec::new();
    while mask != 0 {
        let (_, sub) = best[mask as usize].expect("reachable subsets have a best plan");
        packages.push(best_package[sub as usize].expect("chosen subsets are priced"));
        masks.push(sub);
        mask ^= sub;
    }

    let currency = network.currency;
    let mut shipments = Vec::with_capacity(packages.len());
    for (p, sub) in packages.iter().zip(&masks) {
        shipments.push(shipment(&search, p, *sub));
    }
    shipments.sort_by(|a, b| {
        a.warehouse
            .cmp(&b.warehouse)
            .then(a.service.cmp(&b.service))
    });
    let total_cost = Money::from_minor(chosen_key.cost, currency);
    let explanation = explain(
        &search,
        &whole,
        &shortlisted,
        &excluded_seen,
        full,
        chosen_key,
        &packages,
    );
    Ok(RoutingDecision {
        order: order.reference.clone(),
        shipments,
        total_cost,
        promise_met: order.promised_days.map(|_| chosen_key.late == 0),
        exclusions: exclusions.clone(),
        explanation,
    })
}

fn check_order(network: &RoutingNetwork, order: &OrderToRoute) -> Result<(), RoutingError> {
    if order.lines.is_empty() {
        return Err(RoutingError::EmptyOrder);
    }
    if order.currency != network.currency {
        return Err(RoutingError::CurrencyMismatch {
            order: order.currency,
            network: network.currency,
        });
    }
    if order.lines.len() > MAX_PARTS {
        return Err(RoutingError::TooManyParts {
            parts: order.lines.len(),
            max: MAX_PARTS,
        });
    }
    for (i, line) in order.lines.iter().enumerate() {
        if line.quantity == 0 {
            return Err(super::error::invalid(
                format!("lines[{i}].quantity"),
                "must be at least 1",
            ));
        }
        if order.lines[..i].iter().any(|l| l.sku == line.sku) {
            return Err(RoutingError::DuplicateSku(line.sku.clone()));
        }
    }
    Ok(())
}

fn shipment(search: &Search<'_>, p: &Package, mask: u32) -> Shipment {
    let network = search.network;
    let cand = &search.candidates[p.candidate as usize];
    let wh = &network.warehouses[cand.w as usize];
    let card = &network.cards[p.card as usize];
    let mut lines = Vec::new();
    let mut bits = mask;
    while bits != 0 {
        let part = &search.parts[bits.trailing_zeros() as usize];
        lines.push(ShipmentLine {
            sku: search.order.lines[part.line].sku.clone(),
            quantity: part.quantity,
        });
        bits &= bits - 1;
    }
    let direct_mail =
        wh.kind == WarehouseKind::Origin && search.order.destination.country != wh.country;
    Shipment {
        warehouse: wh.code.clone(),
        service: card.service.clone(),
        zone: network
            .zone_code(p.service as usize, card_zone(network, p))
            .clone(),
        lines,
        actual_weight: Grams(p.actual),
        volumetric_weight: Grams(p.volumetric),
        chargeable_weight: Grams(p.chargeable),
        billed_weight: card.pricing.billed_weight(Grams(p.chargeable)),
        cost: Money::from_minor(p.key.cost, network.currency),
        transit: p.transit,
        customs_mode: direct_mail.then_some(CustomsMode::M9610),
        in_market: cand.in_market,
    }
}

fn card_zone(network: &RoutingNetwork, p: &Package) -> u32 {
    let card = &network.cards[p.card as usize];
    let s = p.service as usize;
    (0u32..)
        .find(|&z| network.zone_code(s, z) == &card.zone)
        .expect("a card's zone is in its service's chart")
}

/// Names the reason no plan exists, from the first part nothing can carry.
fn diagnose(search: &Search<'_>) -> RoutingError {
    for (pi, part) in search.parts.iter().enumerate() {
        let mut refusal = Refusal::default();
        let mut carried = false;
        for ci in 0..search.candidates.len() {
            if search.candidates[ci].mask & (1 << pi) == 0 {
                continue;
            }
            match search.price(ci, 1 << pi) {
                Ok(_) => carried = true,
                Err(r) => {
                    refusal.dangerous |= r.dangerous;
                    refusal.heavy |= r.heavy;
                    refusal.overflow |= r.overflow;
                }
            }
        }
        if carried {
            continue;
        }
        let line = &search.order.lines[part.line];
        if refusal.dangerous {
            if let Some(class) = line.dangerous_goods {
                return RoutingError::DangerousGoodsNotCarried {
                    sku: line.sku.clone(),
                    class: class.number(),
                };
            }
        }
        if refusal.heavy {
            return RoutingError::OverWeight {
                sku: line.sku.clone(),
                weight_g: part.weight,
            };
        }
        if refusal.overflow {
            return RoutingError::Overflow;
        }
    }
    RoutingError::NoFeasiblePlan
}

#[allow(clippy::too_many_arguments)]
fn explain(
    search: &Search<'_>,
    whole: &[Option<Result<Package, Refusal>>],
    shortlisted: &[bool],
    excluded: &[WarehouseIdx],
    full: u32,
    chosen_key: PlanKey,
    chosen: &[Package],
) -> Explanation {
    let network = search.network;
    let code = |w: WarehouseIdx| network.warehouses[w as usize].code.clone();
    let lines = &search.order.lines;
    let mut warehouses = Vec::with_capacity(search.candidates.len() + excluded.len());
    for &w in excluded {
        warehouses.push(WarehouseConsidered {
            warehouse: code(w),
            in_market: network.warehouses[w as usize]
                .serves_market(search.order.destination.country),
            verdict: WarehouseVerdict::Excluded,
        });
    }
    for (ci, c) in search.candidates.iter().enumerate() {
        let verdict = if c.lanes.is_empty() {
            WarehouseVerdict::NoServiceToZone
        } else {
            let (mut whole_lines, mut partial) = (Vec::new(), Vec::new());
            for (li, line) in lines.iter().enumerate() {
                if c.available[li] >= line.quantity {
                    whole_lines.push(line.sku.clone());
                } else if c.available[li] > 0 {
                    partial.push(line.sku.clone());
                }
            }
            WarehouseVerdict::Candidate {
                whole: whole_lines,
                partial,
                shortlisted: shortlisted[ci],
            }
        };
        warehouses.push(WarehouseConsidered {
            warehouse: code(c.w),
            in_market: c.in_market,
            verdict,
        });
    }
    let currency = network.currency;
    let service_code = |p: &Package| network.cards[p.card as usize].service.clone();
    let mut ranked: Vec<(PlanKey, PlanConsidered)> = Vec::new();
    let mut rejected: Vec<PlanConsidered> = Vec::new();
    let chosen_single = (chosen.len() == 1).then(|| chosen[0].candidate);
    if chosen_single.is_none() {
        ranked.push((
            chosen_key,
            PlanConsidered {
                packages: chosen
                    .iter()
                    .map(|p| {
                        (
                            code(search.candidates[p.candidate as usize].w),
                            Some(service_code(p)),
                        )
                    })
                    .collect(),
                late_packages: chosen_key.late,
                out_of_market_packages: chosen_key.out_of_market,
                cost: Some(Money::from_minor(chosen_key.cost, currency)),
                status: PlanStatus::Chosen,
            },
        ));
    }
    for (ci, c) in search.candidates.iter().enumerate() {
        if c.mask != full {
            continue;
        }
        match whole[ci] {
            Some(Ok(p)) => ranked.push((
                p.key,
                PlanConsidered {
                    packages: vec![(code(c.w), Some(service_code(&p)))],
                    late_packages: p.key.late,
                    out_of_market_packages: p.key.out_of_market,
                    cost: Some(Money::from_minor(p.key.cost, currency)),
                    status: if chosen_single == Some(ci as u32) {
                        PlanStatus::Chosen
                    } else {
                        PlanStatus::LostOn {
                            rule: chosen_key.won_on(&p.key),
                        }
                    },
                },
            )),
            Some(Err(r)) => rejected.push(PlanConsidered {
                packages: vec![(code(c.w), None)],
                late_packages: 0,
                out_of_market_packages: u32::from(!c.in_market),
                cost: None,
                status: PlanStatus::Rejected { reason: r.reason() },
            }),
            None => {}
        }
    }
    // Chosen first, then by rank (stable: network order within a rank).
    ranked.sort_by_key(|(key, p)| (p.status != PlanStatus::Chosen, *key));
    let won_on = ranked.get(1).map(|(key, _)| chosen_key.won_on(key));
    let mut plans: Vec<PlanConsidered> = ranked.into_iter().map(|(_, p)| p).collect();
    plans.extend(rejected);
    Explanation {
        rule_order: RankingRule::ORDER.to_vec(),
        warehouses_without_stock: network.warehouses.len()
            - search.candidates.len()
            - excluded.len(),
        warehouses,
        plans,
        won_on,
    }
}
