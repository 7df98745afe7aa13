//! `RoutingError`: why an order could not be routed, or why a routing
//! network, a stock figure or an order was refused.

use crate::catalog::Sku;
use crate::country::Country;
use crate::money::Currency;

/// Why routing refused an input or found no way to ship an order.
///
/// Each variant names the reason; [`RoutingError::code`] gives a stable
/// snake_case name for an RFC 9457 problem's `code`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoutingError {
    /// A field of the network, a rate card or the order is wrong.
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    /// The order has no lines.
    #[error("the order has no lines")]
    EmptyOrder,
    /// Two lines of the order name the same SKU (merge them first).
    #[error("SKU {0} appears on more than one line")]
    DuplicateSku(Sku),
    /// The order asks for costs in another currency than the rate cards'.
    #[error("the order's costs are asked in {order} but the rate cards are in {network}")]
    CurrencyMismatch { order: Currency, network: Currency },
    /// A warehouse, service or zone code is not part of the network.
    #[error("{kind} {code:?} is not in the routing network")]
    Unknown { kind: &'static str, code: String },
    /// No carrier service has a zone for the destination.
    #[error("no carrier service has a zone for {country} {postal_code:?}")]
    UnknownDestination {
        country: Country,
        postal_code: String,
    },
    /// The warehouses together hold fewer units than the line asks for.
    #[error("SKU {sku}: {requested} asked, {available} available in all warehouses")]
    NoStock {
        sku: Sku,
        requested: u32,
        available: u64,
    },
    /// Stock exists, but no warehouse holding it has a service to the
    /// destination's zone.
    #[error("SKU {sku}: no warehouse holding it ships to {country} {postal_code:?}")]
    NoServiceToZone {
        sku: Sku,
        country: Country,
        postal_code: String,
    },
    /// The line is dangerous goods of a class that no service from the
    /// warehouses holding it can carry to the destination.
    #[error("SKU {sku}: no service from a warehouse holding it carries dangerous goods class {class} to the destination")]
    DangerousGoodsNotCarried { sku: Sku, class: u8 },
    /// The line alone weighs more than every service from the warehouses
    /// holding it accepts (grams).
    #[error(
        "SKU {sku}: {weight_g} g is over the weight limit of every service that could carry it"
    )]
    OverWeight { sku: Sku, weight_g: u64 },
    /// Candidate groups exist, but no combination covers every line (for
    /// example a dangerous line and a heavy line that no service carries together).
    #[error("no combination of warehouses and services can carry every line")]
    NoFeasiblePlan,
    /// After splitting lines that no single warehouse can fill, the order
    /// has more parts than routing considers at once.
    #[error("the order needs {parts} parts, more than the {max} routing considers")]
    TooManyParts { parts: usize, max: usize },
    /// A cost does not fit in 64-bit minor units.
    #[error("a shipping cost does not fit in 64-bit minor units")]
    Overflow,
}

impl RoutingError {
    /// The stable name, e.g. `"no_stock"`.
    pub const fn code(&self) -> &'static str {
        match self {
            RoutingError::Invalid { .. } => "invalid_input",
            RoutingError::EmptyOrder => "empty_order",
            RoutingError::DuplicateSku(_) => "duplicate_sku",
            RoutingError::CurrencyMismatch { .. } => "currency_mismatch",
            RoutingError::Unknown { .. } => "unknown_code",
            RoutingError::UnknownDestination { .. } => "unknown_destination",
            RoutingError::NoStock { .. } => "no_stock",
            RoutingError::NoServiceToZone { .. } => "no_service_to_zone",
            RoutingError::DangerousGoodsNotCarried { .. } => "dangerous_goods_not_carried",
            RoutingError::OverWeight { .. } => "over_weight",
            RoutingError::NoFeasiblePlan => "no_feasible_plan",
            RoutingError::TooManyParts { .. } => "too_many_parts",
            RoutingError::Overflow => "overflow",
        }
    }
}

pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> RoutingError {
    RoutingError::Invalid {
        field: field.into(),
        reason: reason.into(),
    }
}
