//! Why a return rule refused something.

use thiserror::Error;

use super::state::{ReturnEvent, ReturnStatus};

/// A return rule's refusal; `Invalid` names the field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReturnError {
    /// A field is missing or malformed (JSON path and why).
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    /// The event is not allowed where the return is.
    #[error("a return that is {from} cannot be {}{}", event.past_tense(), why.map(|w| format!(" ({w})")).unwrap_or_default())]
    IllegalTransition {
        from: ReturnStatus,
        event: ReturnEvent,
        /// A reason beyond the status, when there is one.
        why: Option<&'static str>,
    },
    /// An amount does not fit in the money type.
    #[error("{0} overflows")]
    Overflow(&'static str),
}

impl ReturnError {
    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> ReturnError {
        ReturnError::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }
}
