//! Fulfilment at a warehouse: shipments (the packages routing decided)
//! move `pending → picking → packed → shipped → delivered` (or are
//! cancelled before they leave); pending shipments are released to the
//! floor in waves by the warehouse's cut-off, with a pick list that says
//! which bin each unit comes from; packing records the parcel, shipping
//! the carrier's tracking number.

mod picks;
mod shipment;

pub use picks::{plan_picks, PickAssignment, PickLocation, PickNeed, PickPlan, PickRow, Shortfall};
pub use shipment::{
    cutoff_instant, next_cutoff, FulfilmentError, Parcel, ShipmentEvent, ShipmentStatus,
    TrackingEvent, TrackingNumber, TrackingStatus,
};
