//! Returns and refunds of delivered orders (RMA): the return's state
//! machine, why goods come back ([`ReturnReason`]), what the warehouse does
//! with each returned unit ([`Disposition`]), the seller's
//! [`ReturnsPolicy`] (return window, restocking fee, original shipping,
//! when the refund is due) and the refund it gives ([`refund_for`]),
//! every rounding at a named step.
//!
//! Goods come back to an overseas warehouse serving the seller, never to
//! an origin warehouse in China: units restocked or relabelled there are
//! sellable again (a `return` ledger entry); disposed units never re-enter
//! stock.

mod error;
mod policy;
mod reason;
mod refund;
mod state;

#[cfg(test)]
mod proptests;

pub use error::ReturnError;
pub use policy::{RefundTiming, ReturnsPolicy, MAX_RESTOCKING_FEE_BP, MAX_RETURN_WINDOW_DAYS};
pub use reason::{Disposition, ReturnReason};
pub use refund::{
    check_units, refund_for, share_of, RefundBreakdown, ReturnedLine, RESTOCKING_FEE_STEP,
    RETURN_SHARE_STEP,
};
pub use state::{ReturnEvent, ReturnStage, ReturnStatus};

/// A return's number, `RMA-000042`: on the API and on its ledger entries.
pub fn rma_number(id: i64) -> String {
    format!("RMA-{id:06}")
}
