//! The return's state machine. The status follows the goods and the money;
//! whether the goods were inspected is kept beside it, because a policy
//! that refunds on receipt lets the refund come before the inspection.
//!
//! ```text
//! requested ─authorise→ authorised ─receive→ received ─inspect→ inspected ─refund→ refunded
//!     └─reject→ rejected     └─close→ closed      │                  └─close→ closed
//!                                                 └─refund (policy: on receipt)→ refunded ─inspect→ refunded (inspected)
//! ```
//!
//! Final: rejected, closed, and refunded once inspected.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::error::ReturnError;
use super::policy::RefundTiming;

/// Where a return is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnStatus {
    /// Asked for; the seller has not decided.
    Requested,
    /// The seller agreed; the buyer may send the goods.
    Authorised,
    /// The seller refused.
    Rejected,
    /// The goods arrived at the return warehouse.
    Received,
    /// Every unit inspected and disposed of; the refund is due.
    Inspected,
    /// The money went back to the buyer.
    Refunded,
    /// Ended without a refund (the goods never came, or nothing is owed).
    Closed,
}

impl ReturnStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [ReturnStatus; 7] = [
        ReturnStatus::Requested,
        ReturnStatus::Authorised,
        ReturnStatus::Rejected,
        ReturnStatus::Received,
        ReturnStatus::Inspected,
        ReturnStatus::Refunded,
        ReturnStatus::Closed,
    ];

    /// The snake_case name used in JSON and the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            ReturnStatus::Requested => "requested",
            ReturnStatus::Authorised => "authorised",
            ReturnStatus::Rejected => "rejected",
            ReturnStatus::Received => "received",
            ReturnStatus::Inspected => "inspected",
            ReturnStatus::Refunded => "refunded",
            ReturnStatus::Closed => "closed",
        }
    }

    /// Reads a name written by [`ReturnStatus::as_str`].
    pub fn parse(text: &str) -> Option<ReturnStatus> {
        ReturnStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether the return's units count against what may still be returned
    /// of the order: every return except a rejected one and one closed
    /// before its goods arrived.
    pub const fn claims_units(self, received: bool) -> bool {
        match self {
            ReturnStatus::Rejected => false,
            ReturnStatus::Closed => received,
            _ => true,
        }
    }
}

impl fmt::Display for ReturnStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// What happens to a return; each is stored with who and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnEvent {
    /// The seller agrees to take the goods back.
    Authorise,
    /// The seller refuses.
    Reject,
    /// The warehouse received the goods.
    Receive,
    /// The warehouse inspected every unit and decided its disposition.
    Inspect,
    /// The refund was issued.
    Refund,
    /// Ended without a refund.
    Close,
}

impl ReturnEvent {
    /// Every event.
    pub const ALL: [ReturnEvent; 6] = [
        ReturnEvent::Authorise,
        ReturnEvent::Reject,
        ReturnEvent::Receive,
        ReturnEvent::Inspect,
        ReturnEvent::Refund,
        ReturnEvent::Close,
    ];

    /// The snake_case name used in JSON and the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            ReturnEvent::Authorise => "authorise",
            ReturnEvent::Reject => "reject",
            ReturnEvent::Receive => "receive",
            ReturnEvent::Inspect => "inspect",
            ReturnEvent::Refund => "refund",
            ReturnEvent::Close => "close",
        }
    }

    /// Reads a name written by [`ReturnEvent::as_str`].
    pub fn parse(text: &str) -> Option<ReturnEvent> {
        ReturnEvent::ALL.into_iter().find(|e| e.as_str() == text)
    }

    /// For messages: "a return that is requested cannot be received".
    pub const fn past_tense(self) -> &'static str {
        match self {
            ReturnEvent::Authorise => "authorised",
            ReturnEvent::Reject => "rejected",
            ReturnEvent::Receive => "received",
            ReturnEvent::Inspect => "inspected",
            ReturnEvent::Refund => "refunded",
            ReturnEvent::Close => "closed",
        }
    }
}

impl fmt::Display for ReturnEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A return's status and whether its goods were inspected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct ReturnStage {
    pub status: ReturnStatus,
    pub inspected: bool,
}

impl ReturnStage {
    /// A new return: requested, nothing inspected.
    pub const REQUESTED: ReturnStage = ReturnStage {
        status: ReturnStatus::Requested,
        inspected: false,
    };

    /// Whether no event can leave this stage.
    pub fn is_final(self) -> bool {
        ReturnEvent::ALL.iter().all(|e| {
            [RefundTiming::OnReceipt, RefundTiming::AfterInspection]
                .iter()
                .all(|t| self.apply(*e, *t).is_err())
        })
    }

    /// The stage after `event` under a policy refunding at `timing`, or
    /// why the event is refused here.
    pub fn apply(
        self,
        event: ReturnEvent,
        timing: RefundTiming,
    ) -> Result<ReturnStage, ReturnError> {
        use ReturnEvent as E;
        use ReturnStatus as S;
        let refuse = |why| ReturnError::IllegalTransition {
            from: self.status,
            event,
            why,
        };
        let to = |status, inspected| ReturnStage { status, inspected };
        match (self.status, event) {
            (S::Requested, E::Authorise) => Ok(to(S::Authorised, false)),
            (S::Requested, E::Reject) => Ok(to(S::Rejected, false)),
            (S::Authorised, E::Receive) => Ok(to(S::Received, false)),
            (S::Authorised, E::Close) => Ok(to(S::Closed, false)),
            (S::Received, E::Inspect) => Ok(to(S::Inspected, true)),
            (S::Refunded, E::Inspect) if !self.inspected => Ok(to(S::Refunded, true)),
            (S::Refunded, E::Inspect) => Err(refuse(Some("it was inspected already"))),
            (S::Inspected, E::Refund) => Ok(to(S::Refunded, true)),
            (S::Received, E::Refund) => match timing {
                RefundTiming::OnReceipt => Ok(to(S::Refunded, false)),
                RefundTiming::AfterInspection => {
                    Err(refuse(Some("the returns policy refunds after inspection")))
                }
            },
            (S::Inspected, E::Close) => Ok(to(S::Closed, true)),
            _ => Err(refuse(None)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AFTER: RefundTiming = RefundTiming::AfterInspection;
    const ON_RECEIPT: RefundTiming = RefundTiming::OnReceipt;

    fn run(events: &[ReturnEvent], timing: RefundTiming) -> Result<ReturnStage, ReturnError> {
        events
            .iter()
            .try_fold(ReturnStage::REQUESTED, |s, e| s.apply(*e, timing))
    }

    #[test]
    fn after_inspection_runs_authorise_receive_inspect_refund() {
        use ReturnEvent::*;
        let s = run(&[Authorise, Receive, Inspect, Refund], AFTER).unwrap();
        assert_eq!(s.status, ReturnStatus::Refunded);
        assert!(s.inspected);
        assert!(s.is_final());
    }

    #[test]
    fn on_receipt_refunds_before_inspection_and_inspects_after() {
        use ReturnEvent::*;
        let s = run(&[Authorise, Receive, Refund], ON_RECEIPT).unwrap();
        assert_eq!(s.status, ReturnStatus::Refunded);
        assert!(!s.inspected);
        assert!(!s.is_final(), "the goods still need inspecting");
        let s = s.apply(Inspect, ON_RECEIPT).unwrap();
        assert!(s.inspected && s.is_final());
    }

    #[test]
    fn a_refund_before_inspection_names_the_policy() {
        use ReturnEvent::*;
        let s = run(&[Authorise, Receive], AFTER).unwrap();
        let e = s.apply(Refund, AFTER).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a return that is received cannot be refunded (the returns policy refunds after inspection)"
        );
    }

    #[test]
    fn goods_cannot_arrive_before_authorisation() {
        let e = ReturnStage::REQUESTED
            .apply(ReturnEvent::Receive, AFTER)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "a return that is requested cannot be received"
        );
    }

    #[test]
    fn rejected_and_closed_are_final() {
        use ReturnEvent::*;
        assert!(run(&[Reject], AFTER).unwrap().is_final());
        assert!(run(&[Authorise, Close], AFTER).unwrap().is_final());
        assert!(run(&[Authorise, Receive, Inspect, Close], AFTER)
            .unwrap()
            .is_final());
    }

    #[test]
    fn only_returns_whose_goods_count_claim_units() {
        assert!(ReturnStatus::Requested.claims_units(false));
        assert!(!ReturnStatus::Rejected.claims_units(false));
        assert!(!ReturnStatus::Closed.claims_units(false));
        assert!(ReturnStatus::Closed.claims_units(true));
    }

    #[test]
    fn names_round_trip() {
        for s in ReturnStatus::ALL {
            assert_eq!(ReturnStatus::parse(s.as_str()), Some(s));
        }
        for e in ReturnEvent::ALL {
            assert_eq!(ReturnEvent::parse(e.as_str()), Some(e));
        }
    }
}
