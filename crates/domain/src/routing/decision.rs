//! What routing answers: the shipments and the explanation of the choice.

use std::fmt::Write as _;

use serde::Serialize;

use super::network::{ServiceCode, TransitDays, WarehouseCode, ZoneCode};
use super::order::Exclusions;
use super::weight::Grams;
use crate::catalog::Sku;
use crate::customs::CustomsMode;
use crate::money::Money;

/// Units of one SKU in a shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShipmentLine {
    pub sku: Sku,
    pub quantity: u32,
}

/// One package: from one warehouse, with one service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shipment {
    pub warehouse: WarehouseCode,
    pub service: ServiceCode,
    /// The destination's zone in the service's chart.
    pub zone: ZoneCode,
    pub lines: Vec<ShipmentLine>,
    /// Sum of unit weights × quantities, grams.
    pub actual_weight: Grams,
    /// Rounding step 1: volume / divisor, rounded up, grams.
    pub volumetric_weight: Grams,
    /// Rounding step 2: the larger of actual and volumetric, grams.
    pub chargeable_weight: Grams,
    /// Rounding step 3: chargeable weight rounded up to the card's steps, grams.
    pub billed_weight: Grams,
    /// Rounding step 4: the card's price for the billed weight.
    pub cost: Money,
    /// Handling days plus the card's transit, in days from now.
    pub transit: TransitDays,
    /// `9610` for direct mail from a China origin warehouse; none for
    /// shipments from an overseas warehouse.
    pub customs_mode: Option<CustomsMode>,
    /// Whether the warehouse counts the destination as its own market.
    pub in_market: bool,
}

/// The rules that rank feasible plans, in the order they are applied: a
/// plan wins on the first rule where it is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RankingRule {
    /// Fewer packages that would arrive after the promised days.
    OnTime,
    /// Fewer packages from warehouses outside the destination market (so
    /// the China origin's direct mail, 9610, is the fallback).
    InMarket,
    /// Fewer packages.
    FewestPackages,
    /// Lower total cost from the rate cards.
    LowestCost,
    /// Lower sum of the packages' latest transit days.
    FastestTransit,
    /// Equal on every rule: the plan found first (warehouses in network order).
    NetworkOrder,
}

impl RankingRule {
    /// Every rule, in the order applied.
    pub const ORDER: [RankingRule; 6] = [
        RankingRule::OnTime,
        RankingRule::InMarket,
        RankingRule::FewestPackages,
        RankingRule::LowestCost,
        RankingRule::FastestTransit,
        RankingRule::NetworkOrder,
    ];

    /// A short English sentence.
    pub const fn describe(self) -> &'static str {
        match self {
            RankingRule::OnTime => "fewer packages late for the promised delivery",
            RankingRule::InMarket => "fewer packages from outside the destination market",
            RankingRule::FewestPackages => "fewer packages",
            RankingRule::LowestCost => "lower shipping cost",
            RankingRule::FastestTransit => "shorter transit",
            RankingRule::NetworkOrder => "all rules equal; found first in network order",
        }
    }
}

/// Why a warehouse holding some of the order's SKUs took part or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum WarehouseVerdict {
    /// Excluded by a re-route.
    Excluded,
    /// Holds stock but has no rate card to the destination's zone.
    NoServiceToZone,
    /// A candidate: which lines it can ship whole, which only in part.
    Candidate {
        whole: Vec<Sku>,
        partial: Vec<Sku>,
        /// False when a large network left it out of the search because
        /// better warehouses with the same stock coverage exist.
        shortlisted: bool,
    },
}

/// One warehouse's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WarehouseConsidered {
    pub warehouse: WarehouseCode,
    pub in_market: bool,
    #[serde(flatten)]
    pub verdict: WarehouseVerdict,
}

/// How a plan fared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PlanStatus {
    /// The plan chosen.
    Chosen,
    /// Feasible, but lost to the chosen plan on this rule.
    LostOn { rule: RankingRule },
    /// Not feasible, and why.
    Rejected { reason: String },
}

/// A plan considered: every whole-order plan from a single warehouse, and
/// the chosen plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanConsidered {
    /// (warehouse, service) per package; empty service when rejected.
    pub packages: Vec<(WarehouseCode, Option<ServiceCode>)>,
    pub late_packages: u32,
    pub out_of_market_packages: u32,
    pub cost: Option<Money>,
    #[serde(flatten)]
    pub status: PlanStatus,
}

/// Why the decision is what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The ranking rules in the order applied.
    pub rule_order: Vec<RankingRule>,
    /// Warehouses in the network holding none of the order's SKUs (not listed).
    pub warehouses_without_stock: usize,
    /// Every warehouse that holds some of the order's SKUs.
    pub warehouses: Vec<WarehouseConsidered>,
    /// Plans considered, chosen first, then feasible by rank, then rejected.
    pub plans: Vec<PlanConsidered>,
    /// The rule on which the chosen plan beat the runner-up; `None` when
    /// it was the only feasible plan considered.
    pub won_on: Option<RankingRule>,
}

/// Where and how an order ships, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoutingDecision {
    pub order: String,
    /// Packages, by warehouse code.
    pub shipments: Vec<Shipment>,
    /// Sum of the shipments' costs.
    pub total_cost: Money,
    /// Whether every package arrives within the promised days; `None`
    /// without a promise.
    pub promise_met: Option<bool>,
    /// What the routing was told not to use (from re-routes).
    pub exclusions: Exclusions,
    pub explanation: Explanation,
}

impl RoutingDecision {
    /// Whether more than one package ships.
    pub fn is_split(&self) -> bool {
        self.shipments.len() > 1
    }

    /// The decision and its explanation as plain English text, for people.
    pub fn explain_text(&self) -> String {
        let mut out = String::new();
        let e = &self.explanation;
        let _ = writeln!(
            out,
            "Order {}: {} package(s), {} in total.",
            self.order,
            self.shipments.len(),
            self.total_cost
        );
        for s in &self.shipments {
            let lines: Vec<String> = s
                .lines
                .iter()
                .map(|l| format!("{} × {}", l.quantity, l.sku))
                .collect();
            let _ = writeln!(
                out,
                "- {} via {} (zone {}): {}; {} g actual, {} g volumetric, {} g billed; {}; {}–{} days{}{}",
                s.warehouse,
                s.service,
                s.zone,
                lines.join(", "),
                s.actual_weight.0,
                s.volumetric_weight.0,
                s.billed_weight.0,
                s.cost,
                s.transit.min,
                s.transit.max,
                if s.in_market { "; in market" } else { "; from outside the market" },
                s.customs_mode.map_or(String::new(), |m| format!("; customs {}", m.code())),
            );
        }
        match self.promise_met {
            Some(true) => out.push_str("Every package meets the promised delivery.\n"),
            Some(false) => out.push_str("No feasible plan meets the promised delivery.\n"),
            None => {}
        }
        let rules: Vec<&str> = e.rule_order.iter().map(|r| r.describe()).collect();
        let _ = writeln!(out, "Rules, in order: {}.", rules.join("; "));
        match e.won_on {
            Some(rule) => {
                let _ = writeln!(out, "Chosen over the runner-up on: {}.", rule.describe());
            }
            None => out.push_str("Chosen as the only feasible plan considered.\n"),
        }
        let _ = writeln!(
            out,
            "Warehouses holding none of the SKUs: {}.",
            e.warehouses_without_stock
        );
        for w in &e.warehouses {
            let what = match &w.verdict {
                WarehouseVerdict::Excluded => "excluded by re-route".to_owned(),
                WarehouseVerdict::NoServiceToZone => {
                    "holds stock but has no service to the destination zone".to_owned()
                }
                WarehouseVerdict::Candidate {
                    whole,
                    partial,
                    shortlisted,
                } => format!(
                    "can ship whole: [{}]; in part: [{}]{}",
                    join(whole),
                    join(partial),
                    if *shortlisted {
                        ""
                    } else {
                        "; not shortlisted"
                    }
                ),
            };
            let _ = writeln!(out, "- warehouse {}: {what}", w.warehouse);
        }
        for p in &e.plans {
            let packages: Vec<String> = p
                .packages
                .iter()
                .map(|(w, s)| match s {
                    Some(s) => format!("{w}/{s}"),
                    None => w.to_string(),
                })
                .collect();
            let status = match &p.status {
                PlanStatus::Chosen => "chosen".to_owned(),
                PlanStatus::LostOn { rule } => format!("lost on {}", rule.describe()),
                PlanStatus::Rejected { reason } => format!("rejected: {reason}"),
            };
            let cost = p.cost.map_or(String::new(), |c| format!(", {c}"));
            let _ = writeln!(out, "- plan [{}]{cost}: {status}", packages.join(" + "));
        }
        out
    }
}

fn join(skus: &[Sku]) -> String {
    skus.iter().map(Sku::as_str).collect::<Vec<_>>().join(", ")
}
