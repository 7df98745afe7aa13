//! Errors of the customs module: field problems with paths, and the
//! message-level failures (no signer, signer failed, totals overflow).

use std::fmt;

use serde::Serialize;

/// One problem with one field, e.g. path `items[2].gcode`, reason
/// "must be China's 10-digit commodity code; \"940542\" has 6 digits".
///
/// Paths use the JSON field names of [`ExportShipment`](super::ExportShipment)
/// (`order.order_no`, `logistics.gross_weight_g`, `items[0].qty`), and
/// `context.…` for the [`MessageContext`](super::MessageContext).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomsFieldError {
    /// Where the problem is.
    pub path: String,
    /// What is wrong, in English.
    pub reason: String,
}

impl fmt::Display for CustomsFieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.reason)
    }
}

/// Which CEB message a builder makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum CebMessageKind {
    /// CEB303, the order (电子订单).
    #[serde(rename = "CEB303")]
    Ceb303,
    /// CEB403, the receipt of payment (收款单).
    #[serde(rename = "CEB403")]
    Ceb403,
    /// CEB505, the waybill (运单).
    #[serde(rename = "CEB505")]
    Ceb505,
    /// CEB603, the export list (出口清单).
    #[serde(rename = "CEB603")]
    Ceb603,
}

impl CebMessageKind {
    /// `"CEB303"` etc.
    pub fn name(self) -> &'static str {
        match self {
            CebMessageKind::Ceb303 => "CEB303",
            CebMessageKind::Ceb403 => "CEB403",
            CebMessageKind::Ceb505 => "CEB505",
            CebMessageKind::Ceb603 => "CEB603",
        }
    }
}

impl fmt::Display for CebMessageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A signer's failure, in its own words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct SignError {
    /// Why signing failed (card not inserted, certificate expired…).
    pub reason: String,
}

impl SignError {
    /// A signing failure with this reason.
    pub fn new(reason: impl Into<String>) -> SignError {
        SignError {
            reason: reason.into(),
        }
    }
}

/// Why a message or summary could not be produced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomsError {
    /// The shipment (or context) has problems; all of them are listed.
    #[error("{} problem(s): {}", problems.len(), join(problems))]
    Invalid {
        /// Every problem found, in field order.
        problems: Vec<CustomsFieldError>,
    },
    /// appStatus 2 (declared) was asked for without a signer.
    #[error(
        "{message} with appStatus 2 (declared) must be signed, but no signer is configured: \
         configure a Signer (the company's customs IC card or signing service) or build it \
         as a draft (appStatus 1)"
    )]
    SignerRequired {
        /// The message that was being built.
        message: CebMessageKind,
    },
    /// The signer failed, or returned something that is not a well-formed
    /// CEB message.
    #[error("signing {message} failed: {source}")]
    Signing {
        /// The message that was being signed.
        message: CebMessageKind,
        /// The signer's error.
        source: SignError,
    },
    /// A total does not fit (minor units beyond 64 bits, quantities beyond
    /// 28 digits).
    #[error("{what} overflows")]
    Overflow {
        /// Which total.
        what: String,
    },
}

impl CustomsError {
    /// The field problems, when that is what the error is (empty otherwise).
    pub fn problems(&self) -> &[CustomsFieldError] {
        match self {
            CustomsError::Invalid { problems } => problems,
            _ => &[],
        }
    }
}

fn join(problems: &[CustomsFieldError]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
