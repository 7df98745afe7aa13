//! Why an order rule refused something.

use thiserror::Error;

use super::state::{OrderEvent, OrderState};

/// An order rule's refusal; `Invalid` names the field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OrderError {
    /// A field is missing or malformed (JSON path and why).
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    /// The transition is not allowed from the current state.
    #[error("an order that is {from} cannot be {}", event.past_tense())]
    IllegalTransition { from: OrderState, event: OrderEvent },
    /// A total does not fit in the money type.
    #[error("{0} overflows")]
    Overflow(&'static str),
}

impl OrderError {
    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> OrderError {
        OrderError::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }
}
