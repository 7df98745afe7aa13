//! A seller's returns policy: how long after delivery goods may be sent
//! back, the restocking fee on returns the buyer chose, whether the
//! original shipping is refunded on them, and when the refund is due.

use serde::{Deserialize, Serialize};

use super::error::ReturnError;

/// Longest return window a policy may give, in days.
pub const MAX_RETURN_WINDOW_DAYS: u32 = 365;

/// Highest restocking fee a policy may charge, in basis points (50 %).
pub const MAX_RESTOCKING_FEE_BP: u32 = 5_000;

const DAY_MS: i64 = 86_400_000;

/// When the refund of a return is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundTiming {
    /// As soon as the goods arrive at the return warehouse.
    OnReceipt,
    /// Once every returned unit was inspected.
    AfterInspection,
}

impl RefundTiming {
    /// The snake_case name used in JSON and the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            RefundTiming::OnReceipt => "on_receipt",
            RefundTiming::AfterInspection => "after_inspection",
        }
    }

    /// Reads a name written by [`RefundTiming::as_str`].
    pub fn parse(text: &str) -> Option<RefundTiming> {
        [RefundTiming::OnReceipt, RefundTiming::AfterInspection]
            .into_iter()
            .find(|t| t.as_str() == text)
    }
}

/// A seller's returns policy. The default: 30 days after delivery, no
/// restocking fee, original shipping refunded only when the goods or the
/// seller were at fault, refund after inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnsPolicy {
    /// Days after delivery during which a return may be asked for
    /// (1 ..= [`MAX_RETURN_WINDOW_DAYS`]).
    pub return_window_days: u32,
    /// Fee kept on the goods of returns the buyer chose (no longer needed,
    /// other), in basis points of the goods (0 ..= [`MAX_RESTOCKING_FEE_BP`]);
    /// never charged when the goods or the seller were at fault.
    pub restocking_fee_bp: u32,
    /// Whether returns the buyer chose get the original shipping back;
    /// returns for a fault of the goods or the seller always do.
    pub refund_original_shipping: bool,
    /// When the refund is due.
    pub refund_timing: RefundTiming,
}

impl Default for ReturnsPolicy {
    fn default() -> Self {
        ReturnsPolicy {
            return_window_days: 30,
            restocking_fee_bp: 0,
            refund_original_shipping: false,
            refund_timing: RefundTiming::AfterInspection,
        }
    }
}

impl ReturnsPolicy {
    /// Checks the bounds, naming the field.
    pub fn check(&self) -> Result<(), ReturnError> {
        if !(1..=MAX_RETURN_WINDOW_DAYS).contains(&self.return_window_days) {
            return Err(ReturnError::invalid(
                "return_window_days",
                format!("must be 1 to {MAX_RETURN_WINDOW_DAYS} days"),
            ));
        }
        if self.restocking_fee_bp > MAX_RESTOCKING_FEE_BP {
            return Err(ReturnError::invalid(
                "restocking_fee_bp",
                format!("must be 0 to {MAX_RESTOCKING_FEE_BP} basis points"),
            ));
        }
        Ok(())
    }

    /// The last instant (ms since 1970) a return may be asked for, for an
    /// order delivered at `delivered_at` (ms): `return_window_days` whole
    /// days later.
    pub fn window_ends(&self, delivered_at: i64) -> i64 {
        delivered_at.saturating_add(i64::from(self.return_window_days) * DAY_MS)
    }

    /// Refuses a return asked for at `now` (ms) of an order delivered at
    /// `delivered_at` when the window has closed.
    pub fn check_window(&self, delivered_at: i64, now: i64) -> Result<(), ReturnError> {
        if now > self.window_ends(delivered_at) {
            return Err(ReturnError::invalid(
                "order_id",
                format!(
                    "the return window of {} days after delivery has closed",
                    self.return_window_days
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_includes_its_last_millisecond_and_not_the_next() {
        let p = ReturnsPolicy::default();
        let delivered = 1_000;
        let last = delivered + 30 * DAY_MS;
        assert!(p.check_window(delivered, last).is_ok());
        let e = p.check_window(delivered, last + 1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "order_id: the return window of 30 days after delivery has closed"
        );
    }

    #[test]
    fn bounds_are_named() {
        let p = ReturnsPolicy {
            return_window_days: 0,
            ..ReturnsPolicy::default()
        };
        assert!(
            matches!(p.check(), Err(ReturnError::Invalid { field, .. }) if field == "return_window_days")
        );
        let p = ReturnsPolicy {
            restocking_fee_bp: 5_001,
            ..ReturnsPolicy::default()
        };
        assert!(
            matches!(p.check(), Err(ReturnError::Invalid { field, .. }) if field == "restocking_fee_bp")
        );
        assert!(ReturnsPolicy::default().check().is_ok());
    }

    #[test]
    fn timings_round_trip() {
        for t in [RefundTiming::OnReceipt, RefundTiming::AfterInspection] {
            assert_eq!(RefundTiming::parse(t.as_str()), Some(t));
        }
    }
}
