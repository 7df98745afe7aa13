//! The order state machine: every change of state is an [`OrderEvent`]
//! applied by [`OrderState::apply`], which refuses what is not allowed.
//!
//! ```text
//! placed ─pay→ paid ─allocate→ allocated ─ship_part→ partially_shipped ─ship_all→ shipped ─deliver→ delivered
//!   │           │ └─refund→ refunded    │ ├─refund→ refunded                                    │ ├─return→ returned ─refund→ refunded
//!   │           │                       │ └─ship_all→ shipped                                  │ └─refund→ refunded
//!   └cancel→ cancelled ←cancel┘ ←cancel─┘
//!
//! Refunding an order before it ships (paid or allocated) gives its
//! stock back, as cancelling does.
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

use super::error::OrderError;

/// Where an order is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// Checked out; stock held until the hold expires; not paid.
    Placed,
    /// Payment confirmed; stock held without expiry.
    Paid,
    /// Warehouses chosen for every line.
    Allocated,
    /// Some lines or units shipped.
    PartiallyShipped,
    /// Every unit shipped.
    Shipped,
    /// Delivered to the buyer.
    Delivered,
    /// Cancelled before shipping; holds released.
    Cancelled,
    /// Money returned to the buyer.
    Refunded,
    /// Goods came back after delivery.
    Returned,
}

impl OrderState {
    /// Every state, in lifecycle order.
    pub const ALL: [OrderState; 9] = [
        OrderState::Placed,
        OrderState::Paid,
        OrderState::Allocated,
        OrderState::PartiallyShipped,
        OrderState::Shipped,
        OrderState::Delivered,
        OrderState::Cancelled,
        OrderState::Refunded,
        OrderState::Returned,
    ];

    /// The snake_case name used in JSON and the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            OrderState::Placed => "placed",
            OrderState::Paid => "paid",
            OrderState::Allocated => "allocated",
            OrderState::PartiallyShipped => "partially_shipped",
            OrderState::Shipped => "shipped",
            OrderState::Delivered => "delivered",
            OrderState::Cancelled => "cancelled",
            OrderState::Refunded => "refunded",
            OrderState::Returned => "returned",
        }
    }

    /// Reads a name written by [`OrderState::as_str`].
    pub fn parse(text: &str) -> Option<OrderState> {
        OrderState::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether no event can leave this state.
    pub fn is_final(self) -> bool {
        OrderEvent::ALL.iter().all(|e| self.apply(*e).is_err())
    }

    /// Whether the order's stock is still held (so cancelling releases it).
    pub fn holds_stock(self) -> bool {
        matches!(
            self,
            OrderState::Placed | OrderState::Paid | OrderState::Allocated
        )
    }

    /// The state after `event`, or why the event is refused here.
    pub fn apply(self, event: OrderEvent) -> Result<OrderState, OrderError> {
        use OrderEvent as E;
        use OrderState as S;
        let next = match (self, event) {
            (S::Placed, E::Pay) => S::Paid,
            (S::Paid, E::Allocate) => S::Allocated,
            (S::Allocated | S::PartiallyShipped, E::ShipPart) => S::PartiallyShipped,
            (S::Allocated | S::PartiallyShipped, E::ShipAll) => S::Shipped,
            (S::Shipped, E::Deliver) => S::Delivered,
            (S::Placed | S::Paid | S::Allocated, E::Cancel) => S::Cancelled,
            (S::Paid | S::Allocated | S::Delivered | S::Returned, E::Refund) => S::Refunded,
            (S::Delivered, E::Return) => S::Returned,
            (from, event) => return Err(OrderError::IllegalTransition { from, event }),
        };
        Ok(next)
    }
}

impl fmt::Display for OrderState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// What happens to an order; each is stored with who and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderEvent {
    /// Payment confirmed (e.g. a bank transfer the seller saw arrive).
    Pay,
    /// Warehouses chosen.
    Allocate,
    /// Some units shipped.
    ShipPart,
    /// The last units shipped.
    ShipAll,
    /// Delivered.
    Deliver,
    /// Cancelled.
    Cancel,
    /// Refunded.
    Refund,
    /// Returned.
    Return,
}

impl OrderEvent {
    /// Every event.
    pub const ALL: [OrderEvent; 8] = [
        OrderEvent::Pay,
        OrderEvent::Allocate,
        OrderEvent::ShipPart,
        OrderEvent::ShipAll,
        OrderEvent::Deliver,
        OrderEvent::Cancel,
        OrderEvent::Refund,
        OrderEvent::Return,
    ];

    /// The snake_case name used in JSON and the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            OrderEvent::Pay => "pay",
            OrderEvent::Allocate => "allocate",
            OrderEvent::ShipPart => "ship_part",
            OrderEvent::ShipAll => "ship_all",
            OrderEvent::Deliver => "deliver",
            OrderEvent::Cancel => "cancel",
            OrderEvent::Refund => "refund",
            OrderEvent::Return => "return",
        }
    }

    /// Reads a name written by [`OrderEvent::as_str`].
    pub fn parse(text: &str) -> Option<OrderEvent> {
        OrderEvent::ALL.into_iter().find(|e| e.as_str() == text)
    }

    /// For messages: "an order that is shipped cannot be cancelled".
    pub const fn past_tense(self) -> &'static str {
        match self {
            OrderEvent::Pay => "paid",
            OrderEvent::Allocate => "allocated",
            OrderEvent::ShipPart => "partially shipped",
            OrderEvent::ShipAll => "shipped",
            OrderEvent::Deliver => "delivered",
            OrderEvent::Cancel => "cancelled",
            OrderEvent::Refund => "refunded",
            OrderEvent::Return => "returned",
        }
    }
}

impl fmt::Display for OrderEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_happy_path_runs_from_placed_to_delivered() {
        let mut s = OrderState::Placed;
        for e in [
            OrderEvent::Pay,
            OrderEvent::Allocate,
            OrderEvent::ShipPart,
            OrderEvent::ShipAll,
            OrderEvent::Deliver,
        ] {
            s = s.apply(e).unwrap();
        }
        assert_eq!(s, OrderState::Delivered);
    }

    #[test]
    fn a_shipped_order_cannot_be_cancelled_and_says_so() {
        let e = OrderState::Shipped.apply(OrderEvent::Cancel).unwrap_err();
        assert_eq!(
            e.to_string(),
            "an order that is shipped cannot be cancelled"
        );
    }

    #[test]
    fn paying_twice_is_refused() {
        let paid = OrderState::Placed.apply(OrderEvent::Pay).unwrap();
        assert!(paid.apply(OrderEvent::Pay).is_err());
    }

    #[test]
    fn cancelled_and_refunded_are_final() {
        assert!(OrderState::Cancelled.is_final());
        assert!(OrderState::Refunded.is_final());
        assert!(!OrderState::Returned.is_final());
    }

    #[test]
    fn names_round_trip() {
        for s in OrderState::ALL {
            assert_eq!(OrderState::parse(s.as_str()), Some(s));
        }
        for e in OrderEvent::ALL {
            assert_eq!(OrderEvent::parse(e.as_str()), Some(e));
        }
    }
}
