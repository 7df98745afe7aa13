//! The pick list of a wave: which bin each shipment's units come from.
//!
//! Each SKU's needs are met from the fewest locations: bins holding the
//! most units first (ties by bin code), the unlocated area (units received
//! but not put away) last. Shipments are served in the order given
//! (oldest first), and a shipment whose units cannot all be found is left
//! out of the wave whole, with its shortfall, so that it can be re-routed.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::catalog::Sku;
use crate::inventory::{BinCode, LotCode};

/// Units of a SKU a shipment needs picked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickNeed {
    pub shipment: i64,
    pub sku: Sku,
    pub quantity: u32,
}

/// Units of a SKU that can be picked at a location (`None`: unlocated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickLocation {
    pub sku: Sku,
    pub bin: Option<BinCode>,
    /// The lot, when the stock there is lot-tracked.
    pub lot: Option<LotCode>,
    pub quantity: u32,
}

/// Units of one shipment's SKU to take from one location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PickAssignment {
    pub shipment: i64,
    pub sku: Sku,
    /// `None`: the unlocated area.
    pub bin: Option<BinCode>,
    pub lot: Option<LotCode>,
    pub quantity: u32,
}

/// A line of the printed pick list: walk to `bin`, take `quantity` of `sku`
/// for these shipments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PickRow {
    pub bin: Option<BinCode>,
    pub lot: Option<LotCode>,
    pub sku: Sku,
    pub quantity: u32,
    pub shipments: Vec<i64>,
}

/// A shipment left out of the wave: units it needs that are not there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shortfall {
    pub shipment: i64,
    pub sku: Sku,
    pub needed: u32,
    pub found: u32,
}

/// What [`plan_picks`] decides.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct PickPlan {
    /// Per shipment, SKU and location.
    pub assignments: Vec<PickAssignment>,
    /// The pick list, by bin code (unlocated last), then SKU.
    pub rows: Vec<PickRow>,
    /// Shipments left out, with what they lack.
    pub short: Vec<Shortfall>,
}

impl PickPlan {
    /// The shipments in the wave, in the order given.
    pub fn shipments(&self) -> Vec<i64> {
        let mut out: Vec<i64> = Vec::new();
        for a in &self.assignments {
            if !out.contains(&a.shipment) {
                out.push(a.shipment);
            }
        }
        out
    }
}

/// Plans the picks of `needs` (oldest shipment first) from `locations`.
pub fn plan_picks(needs: &[PickNeed], locations: &[PickLocation]) -> PickPlan {
    // Per SKU: (bin, units left), most units first, unlocated last.
    type Place = (Option<BinCode>, Option<LotCode>, u32);
    let mut stock: HashMap<&Sku, Vec<Place>> = HashMap::new();
    for l in locations.iter().filter(|l| l.quantity > 0) {
        stock
            .entry(&l.sku)
            .or_default()
            .push((l.bin.clone(), l.lot.clone(), l.quantity));
    }
    for places in stock.values_mut() {
        places.sort_by(|a, b| {
            a.0.is_none()
                .cmp(&b.0.is_none())
                .then(b.2.cmp(&a.2))
                .then(a.0.cmp(&b.0))
                .then(a.1.cmp(&b.1))
        });
    }
    let mut order: Vec<i64> = Vec::new();
    for n in needs {
        if !order.contains(&n.shipment) {
            order.push(n.shipment);
        }
    }
    let mut plan = PickPlan::default();
    for shipment in order {
        let lines: Vec<&PickNeed> = needs.iter().filter(|n| n.shipment == shipment).collect();
        // Try the whole shipment on a copy; keep it only if every line is found.
        let mut trial = stock.clone();
        let mut taken: Vec<PickAssignment> = Vec::new();
        let mut short: Vec<Shortfall> = Vec::new();
        for n in lines {
            let mut left = n.quantity;
            if let Some(places) = trial.get_mut(&n.sku) {
                for (bin, lot, units) in places.iter_mut() {
                    if left == 0 {
                        break;
                    }
                    let take = (*units).min(left);
                    if take > 0 {
                        *units -= take;
                        left -= take;
                        taken.push(PickAssignment {
                            shipment,
                            sku: n.sku.clone(),
                            bin: bin.clone(),
                            lot: lot.clone(),
                            quantity: take,
                        });
                    }
                }
            }
            if left > 0 {
                short.push(Shortfall {
                    shipment,
                    sku: n.sku.clone(),
                    needed: n.quantity,
                    found: n.quantity - left,
                });
            }
        }
        if short.is_empty() {
            stock = trial;
            plan.assignments.extend(taken);
        } else {
            plan.short.extend(short);
        }
    }
    type RowKey = (bool, Option<BinCode>, Sku, Option<LotCode>);
    let mut rows: BTreeMap<RowKey, PickRow> = BTreeMap::new();
    for a in &plan.assignments {
        let row = rows
            .entry((a.bin.is_none(), a.bin.clone(), a.sku.clone(), a.lot.clone()))
            .or_insert_with(|| PickRow {
                bin: a.bin.clone(),
                lot: a.lot.clone(),
                sku: a.sku.clone(),
                quantity: 0,
                shipments: Vec::new(),
            });
        row.quantity += a.quantity;
        if !row.shipments.contains(&a.shipment) {
            row.shipments.push(a.shipment);
        }
    }
    plan.rows = rows.into_values().collect();
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sku(s: &str) -> Sku {
        Sku::parse(s).unwrap()
    }
    fn bin(b: &str) -> Option<BinCode> {
        Some(BinCode::parse(b).unwrap())
    }
    fn need(shipment: i64, s: &str, q: u32) -> PickNeed {
        PickNeed {
            shipment,
            sku: sku(s),
            quantity: q,
        }
    }
    fn loc(s: &str, b: Option<BinCode>, q: u32) -> PickLocation {
        PickLocation {
            sku: sku(s),
            bin: b,
            lot: None,
            quantity: q,
        }
    }

    #[test]
    fn units_come_from_the_fullest_bin_first_and_unlocated_last() {
        let plan = plan_picks(
            &[need(1, "LAMP", 5)],
            &[
                loc("LAMP", None, 100),
                loc("LAMP", bin("A-02"), 3),
                loc("LAMP", bin("A-01"), 4),
            ],
        );
        let got: Vec<(Option<&str>, u32)> = plan
            .assignments
            .iter()
            .map(|a| (a.bin.as_ref().map(BinCode::as_str), a.quantity))
            .collect();
        assert_eq!(got, vec![(Some("A-01"), 4), (Some("A-02"), 1)]);
        assert!(plan.short.is_empty());
    }

    #[test]
    fn the_pick_list_groups_shipments_by_bin_and_sku() {
        let plan = plan_picks(
            &[need(1, "LAMP", 2), need(2, "LAMP", 3), need(2, "CORD", 1)],
            &[loc("LAMP", bin("B-01"), 10), loc("CORD", None, 5)],
        );
        assert_eq!(plan.rows.len(), 2);
        assert_eq!(plan.rows[0].bin, bin("B-01"));
        assert_eq!(plan.rows[0].quantity, 5);
        assert_eq!(plan.rows[0].shipments, vec![1, 2]);
        assert_eq!(plan.rows[1].bin, None);
        assert_eq!(plan.rows[1].sku, sku("CORD"));
        assert_eq!(plan.shipments(), vec![1, 2]);
    }

    #[test]
    fn a_shipment_that_cannot_be_found_whole_is_left_out_and_takes_nothing() {
        // Shipment 1 needs 4 LAMP and 1 CORD, but there is no CORD: it
        // takes no LAMP, so shipment 2 still gets its 6.
        let plan = plan_picks(
            &[need(1, "LAMP", 4), need(1, "CORD", 1), need(2, "LAMP", 6)],
            &[loc("LAMP", bin("A-01"), 6)],
        );
        assert_eq!(plan.shipments(), vec![2]);
        assert_eq!(
            plan.short,
            vec![Shortfall {
                shipment: 1,
                sku: sku("CORD"),
                needed: 1,
                found: 0
            }]
        );
    }

    #[test]
    fn never_more_is_assigned_than_a_location_holds() {
        let needs: Vec<PickNeed> = (1..=10).map(|s| need(s, "LAMP", 3)).collect();
        let locs = [loc("LAMP", bin("A-01"), 7), loc("LAMP", bin("A-02"), 8)];
        let plan = plan_picks(&needs, &locs);
        for l in &locs {
            let taken: u32 = plan
                .assignments
                .iter()
                .filter(|a| a.bin == l.bin)
                .map(|a| a.quantity)
                .sum();
            assert!(taken <= l.quantity);
        }
        // 15 units serve 5 shipments of 3.
        assert_eq!(plan.shipments().len(), 5);
        assert_eq!(plan.short.len(), 5);
    }
}
