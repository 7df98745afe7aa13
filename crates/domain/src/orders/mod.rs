//! Orders and checkout: the order state machine, order numbers, order
//! totals that sum exactly (with the seller's CNY books), and the checks a
//! cart must pass before it becomes an order (quantities are checked by
//! [`crate::pricing::OrderQuantityRules`]; the shipping address here).

mod address;
mod error;
mod number;
mod state;
mod totals;

#[cfg(test)]
mod proptests;

pub use address::ShippingAddress;
pub use error::OrderError;
pub use number::OrderNumber;
pub use state::{OrderEvent, OrderState};
pub use totals::{LineAmounts, OrderLineInput, OrderTotals, BOOKS_CONVERSION_STEP};

/// How long checkout holds stock for an unpaid order, in milliseconds:
/// paying within it keeps the stock; afterwards the sweeper gives it back.
pub const CHECKOUT_HOLD_MS: i64 = 30 * 60 * 1000;
