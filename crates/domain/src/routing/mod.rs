//! Order routing: which warehouse(s) ship which lines of an order, with
//! which carrier service, at what cost, and why.
//!
//! - [`RoutingNetwork`]: carrier services (weight limit, dangerous-goods
//!   classes, volumetric divisor, zone chart by country and postal prefix),
//!   warehouses (origin in China or overseas, market, handling days) and
//!   [`RateCard`]s per warehouse × service × zone (first weight + price per
//!   started step, transit days), checked and indexed once.
//! - [`StockLevels`]: units available per warehouse and SKU, indexed by SKU.
//! - [`route`], [`route_excluding`], [`reroute`]: the rule pipeline (see
//!   `pipeline`), giving a [`RoutingDecision`] with its [`Explanation`] or a
//!   [`RoutingError`] naming the reason.
//! - [`weight`]: the chargeable-weight rounding steps.
//!
//! Pure: no I/O, no clock, no floating point; money is integer minor units.

mod decision;
mod error;
mod network;
mod order;
mod pipeline;
pub mod setup;
mod stock;
pub mod weight;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use decision::{
    Explanation, PlanConsidered, PlanStatus, RankingRule, RoutingDecision, Shipment, ShipmentLine,
    WarehouseConsidered, WarehouseVerdict,
};
pub use error::RoutingError;
pub use network::{
    CarrierService, DangerousGoodsClass, DangerousGoodsSet, RateCard, RoutingNetwork,
    RoutingWarehouse, ServiceCode, TransitDays, WarehouseCode, ZoneCode, ZoneRule,
};
pub use order::{Destination, Exclusions, FulfilmentFailure, LineToRoute, OrderToRoute};
pub use pipeline::{reroute, route, route_excluding, MAX_PARTS, SHORTLIST_PER_COVERAGE};
pub(crate) use setup::weekday_of_day;
pub use setup::{assemble, every_day, handling_days, LaneRate, Site, WarehouseShipping};
pub use stock::StockLevels;
pub use weight::{Grams, SizeMm, WeightPricing};
