//! What routing is asked: an order's destination, lines and promise.

use serde::{Deserialize, Serialize};

use super::network::{DangerousGoodsClass, WarehouseCode};
use super::weight::{Grams, SizeMm};
use crate::catalog::Sku;
use crate::country::Country;
use crate::money::Currency;

/// Where the order goes; the zone is resolved per carrier service from
/// its zone chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Destination {
    pub country: Country,
    /// As written on the address; matched against zone-chart prefixes
    /// ignoring ASCII case.
    pub postal_code: String,
}

/// One line of an order to route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineToRoute {
    pub sku: Sku,
    /// Units ordered (> 0).
    pub quantity: u32,
    /// Actual weight of one packed unit, grams.
    pub unit_weight: Grams,
    /// Outside size of one packed unit, millimetres.
    pub unit_size: SizeMm,
    /// The UN class when the goods are dangerous (e.g. 9 for lithium batteries).
    pub dangerous_goods: Option<DangerousGoodsClass>,
}

/// An order to route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderToRoute {
    /// The order's number or other reference, carried into the decision.
    pub reference: String,
    pub destination: Destination,
    /// Distinct SKUs, 1 to [`MAX_PARTS`](super::MAX_PARTS) lines.
    pub lines: Vec<LineToRoute>,
    /// Days from now within which every package should arrive, if promised.
    pub promised_days: Option<u16>,
    /// Currency the costs are reported in; must be the rate cards' currency.
    pub currency: Currency,
}

/// What was refused or found missing at a warehouse after routing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FulfilmentFailure {
    /// The warehouse cannot ship anything of this order.
    Warehouse { warehouse: WarehouseCode },
    /// The warehouse cannot ship these SKUs (e.g. found short at picking).
    Lines {
        warehouse: WarehouseCode,
        skus: Vec<Sku>,
    },
}

/// Warehouses, and SKUs at warehouses, that routing must not use.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclusions {
    pub warehouses: Vec<WarehouseCode>,
    pub lines: Vec<(WarehouseCode, Sku)>,
}

impl Exclusions {
    /// These exclusions and what `failure` adds.
    pub fn with(mut self, failure: &FulfilmentFailure) -> Exclusions {
        match failure {
            FulfilmentFailure::Warehouse { warehouse } => {
                if !self.warehouses.contains(warehouse) {
                    self.warehouses.push(warehouse.clone());
                }
            }
            FulfilmentFailure::Lines { warehouse, skus } => {
                for sku in skus {
                    let pair = (warehouse.clone(), sku.clone());
                    if !self.lines.contains(&pair) {
                        self.lines.push(pair);
                    }
                }
            }
        }
        self
    }

    /// Whether nothing is excluded.
    pub fn is_empty(&self) -> bool {
        self.warehouses.is_empty() && self.lines.is_empty()
    }
}
