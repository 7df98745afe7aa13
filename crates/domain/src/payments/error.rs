//! Why a payment operation is refused.

use thiserror::Error;

use super::intent::PaymentStatus;

/// A refused payment operation, naming the field or the state.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PaymentError {
    /// An amount or field is not acceptable.
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    /// The operation is not allowed in the intent's status.
    #[error("a payment that is {status} cannot be {action}")]
    WrongStatus {
        status: PaymentStatus,
        action: &'static str,
    },
}

impl PaymentError {
    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> PaymentError {
        PaymentError::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// The field a problem is about (`status` for a wrong status).
    pub fn field(&self) -> &str {
        match self {
            PaymentError::Invalid { field, .. } => field,
            PaymentError::WrongStatus { .. } => "status",
        }
    }
}
