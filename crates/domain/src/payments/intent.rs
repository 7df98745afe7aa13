//! A payment intent: what a buyer is to pay for an order, and how much of
//! it has been authorised, captured and refunded.
//!
//! Amounts only move forward and always hold
//! `refunded ≤ captured ≤ authorised ≤ amount`, all in the intent's
//! currency. Statuses:
//!
//! ```text
//! requires_confirmation ──confirm──▶ requires_capture ──capture──▶ succeeded
//!        │                                 │   (partial capture: the rest is released)
//!        └──────cancel──────▶ cancelled ◀──┘ cancel (releases the authorisation)
//! succeeded ──refund (part)──▶ partially_refunded ──refund (rest)──▶ refunded
//! requires_confirmation ──fail──▶ failed ──confirm (retry)──▶ …
//! ```
//!
//! A bank transfer (T/T) has no authorisation: the seller confirms the
//! money received, which captures it in one step.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::error::PaymentError;
use crate::money::{Currency, Money};

/// How the buyer pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// Bank transfer (telegraphic transfer, common in B2B): confirmed by
    /// the seller when the money arrives.
    BankTransfer,
    /// A card, through the card provider: authorised, then captured.
    Card,
}

/// Where a payment intent is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Created; waiting for the buyer (card) or the money (bank transfer).
    RequiresConfirmation,
    /// The card was authorised; the money is held, not yet taken.
    RequiresCapture,
    /// The money was taken (captured, or the transfer received).
    Succeeded,
    /// Part of the captured money was given back.
    PartiallyRefunded,
    /// All captured money was given back.
    Refunded,
    /// The provider declined; the buyer may try again.
    Failed,
    /// Given up before any money was taken.
    Cancelled,
}

impl PaymentStatus {
    /// The status as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::RequiresConfirmation => "requires_confirmation",
            PaymentStatus::RequiresCapture => "requires_capture",
            PaymentStatus::Succeeded => "succeeded",
            PaymentStatus::PartiallyRefunded => "partially_refunded",
            PaymentStatus::Refunded => "refunded",
            PaymentStatus::Failed => "failed",
            PaymentStatus::Cancelled => "cancelled",
        }
    }

    /// Whether money has been taken (and so the order is paid).
    pub fn is_paid(self) -> bool {
        matches!(
            self,
            PaymentStatus::Succeeded | PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded
        )
    }
}

impl fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A payment intent (see the module documentation for its statuses).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentIntent {
    method: PaymentMethod,
    status: PaymentStatus,
    amount: Money,
    authorised: Money,
    captured: Money,
    refunded: Money,
}

impl PaymentIntent {
    /// An intent to pay `amount` (above zero) by `method`.
    pub fn new(method: PaymentMethod, amount: Money) -> Result<PaymentIntent, PaymentError> {
        if !amount.is_positive() {
            return Err(PaymentError::invalid(
                "amount",
                format!("{amount} must be above zero"),
            ));
        }
        let zero = Money::zero(amount.currency());
        Ok(PaymentIntent {
            method,
            status: PaymentStatus::RequiresConfirmation,
            amount,
            authorised: zero,
            captured: zero,
            refunded: zero,
        })
    }

    pub fn method(&self) -> PaymentMethod {
        self.method
    }

    pub fn status(&self) -> PaymentStatus {
        self.status
    }

    /// What is to be paid.
    pub fn amount(&self) -> Money {
        self.amount
    }

    pub fn currency(&self) -> Currency {
        self.amount.currency()
    }

    /// Held on the card (card payments), or received (bank transfers).
    pub fn authorised(&self) -> Money {
        self.authorised
    }

    /// Taken.
    pub fn captured(&self) -> Money {
        self.captured
    }

    /// Given back.
    pub fn refunded(&self) -> Money {
        self.refunded
    }

    /// Captured and not refunded: what the seller keeps.
    pub fn net(&self) -> Money {
        Money::from_minor(
            self.captured.minor() - self.refunded.minor(),
            self.currency(),
        )
    }

    fn refuse(&self, action: &'static str) -> PaymentError {
        PaymentError::WrongStatus {
            status: self.status,
            action,
        }
    }

    fn check_amount(&self, field: &str, amount: Money, at_most: Money) -> Result<(), PaymentError> {
        if amount.currency() != self.currency() {
            return Err(PaymentError::invalid(
                field,
                format!(
                    "{amount} is not in the payment's currency {}",
                    self.currency()
                ),
            ));
        }
        if !amount.is_positive() {
            return Err(PaymentError::invalid(
                field,
                format!("{amount} must be above zero"),
            ));
        }
        if amount.minor() > at_most.minor() {
            return Err(PaymentError::invalid(
                field,
                format!("{amount} is more than the {at_most} available"),
            ));
        }
        Ok(())
    }

    /// The card provider authorised the whole amount.
    pub fn authorise(&mut self) -> Result<(), PaymentError> {
        match (self.method, self.status) {
            (PaymentMethod::Card, PaymentStatus::RequiresConfirmation | PaymentStatus::Failed) => {
                self.authorised = self.amount;
                self.status = PaymentStatus::RequiresCapture;
                Ok(())
            }
            _ => Err(self.refuse("authorised")),
        }
    }

    /// The card provider declined; the buyer may try again.
    pub fn fail(&mut self) -> Result<(), PaymentError> {
        match self.status {
            PaymentStatus::RequiresConfirmation | PaymentStatus::Failed => {
                self.status = PaymentStatus::Failed;
                Ok(())
            }
            _ => Err(self.refuse("declined")),
        }
    }

    /// Takes `amount` of the authorisation (at most all of it); the rest of
    /// the authorisation is released.
    pub fn capture(&mut self, amount: Money) -> Result<(), PaymentError> {
        if self.status != PaymentStatus::RequiresCapture {
            return Err(self.refuse("captured"));
        }
        self.check_amount("amount", amount, self.authorised)?;
        self.captured = amount;
        self.status = PaymentStatus::Succeeded;
        Ok(())
    }

    /// A bank transfer of the whole amount was received (confirmed by the
    /// seller): authorised and captured at once.
    pub fn receive_transfer(&mut self, received: Money) -> Result<(), PaymentError> {
        if self.method != PaymentMethod::BankTransfer
            || self.status != PaymentStatus::RequiresConfirmation
        {
            return Err(self.refuse("confirmed as received"));
        }
        if received != self.amount {
            return Err(PaymentError::invalid(
                "amount",
                format!(
                    "{received} received is not the {} to pay: a short or excess transfer is settled with the buyer first",
                    self.amount
                ),
            ));
        }
        self.authorised = received;
        self.captured = received;
        self.status = PaymentStatus::Succeeded;
        Ok(())
    }

    /// Gives back `amount` of what was captured (a partial or the last
    /// refund).
    pub fn refund(&mut self, amount: Money) -> Result<(), PaymentError> {
        if !matches!(
            self.status,
            PaymentStatus::Succeeded | PaymentStatus::PartiallyRefunded
        ) {
            return Err(self.refuse("refunded"));
        }
        self.check_amount("amount", amount, self.net())?;
        self.refunded = Money::from_minor(self.refunded.minor() + amount.minor(), self.currency());
        self.status = if self.refunded == self.captured {
            PaymentStatus::Refunded
        } else {
            PaymentStatus::PartiallyRefunded
        };
        Ok(())
    }

    /// Gives up before money is taken (an authorisation is released).
    pub fn cancel(&mut self) -> Result<(), PaymentError> {
        match self.status {
            PaymentStatus::RequiresConfirmation
            | PaymentStatus::RequiresCapture
            | PaymentStatus::Failed => {
                self.authorised = Money::zero(self.currency());
                self.status = PaymentStatus::Cancelled;
                Ok(())
            }
            _ => Err(self.refuse("cancelled")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn usd(minor: i64) -> Money {
        Money::from_minor(minor, Currency::USD)
    }

    #[test]
    fn a_card_payment_is_authorised_captured_and_refunded_in_parts() {
        let mut p = PaymentIntent::new(PaymentMethod::Card, usd(10_000)).unwrap();
        assert_eq!(p.status(), PaymentStatus::RequiresConfirmation);
        p.authorise().unwrap();
        assert_eq!(
            (p.status(), p.authorised()),
            (PaymentStatus::RequiresCapture, usd(10_000))
        );
        // Capture less than authorised (one line could not be shipped).
        p.capture(usd(8_000)).unwrap();
        assert_eq!(
            (p.status(), p.captured()),
            (PaymentStatus::Succeeded, usd(8_000))
        );
        assert!(p.status().is_paid());
        p.refund(usd(3_000)).unwrap();
        assert_eq!(
            (p.status(), p.refunded(), p.net()),
            (PaymentStatus::PartiallyRefunded, usd(3_000), usd(5_000))
        );
        // More than is left is refused, naming the amount; nothing changes.
        let err = p.refund(usd(5_001)).unwrap_err();
        assert_eq!(err.field(), "amount");
        assert_eq!(p.refunded(), usd(3_000));
        p.refund(usd(5_000)).unwrap();
        assert_eq!((p.status(), p.net()), (PaymentStatus::Refunded, usd(0)));
        let err = p.refund(usd(1)).unwrap_err();
        assert_eq!(
            err,
            PaymentError::WrongStatus {
                status: PaymentStatus::Refunded,
                action: "refunded"
            }
        );
    }

    #[test]
    fn illegal_steps_are_refused_and_change_nothing() {
        let mut p = PaymentIntent::new(PaymentMethod::Card, usd(500)).unwrap();
        let before = p.clone();
        assert_eq!(p.capture(usd(500)).unwrap_err().field(), "status");
        assert_eq!(p.refund(usd(1)).unwrap_err().field(), "status");
        assert_eq!(p.receive_transfer(usd(500)).unwrap_err().field(), "status");
        assert_eq!(p, before);
        p.fail().unwrap();
        p.authorise().unwrap(); // a retry after a decline
        assert_eq!(p.capture(usd(501)).unwrap_err().field(), "amount");
        assert_eq!(p.capture(usd(0)).unwrap_err().field(), "amount");
        let eur = Money::from_minor(500, Currency::EUR);
        assert_eq!(p.capture(eur).unwrap_err().field(), "amount");
        assert_eq!(p.status(), PaymentStatus::RequiresCapture);
        p.cancel().unwrap();
        assert_eq!(
            (p.status(), p.authorised()),
            (PaymentStatus::Cancelled, usd(0))
        );
        assert_eq!(p.authorise().unwrap_err().field(), "status");
        assert_eq!(
            PaymentIntent::new(PaymentMethod::Card, usd(0))
                .unwrap_err()
                .field(),
            "amount"
        );
    }

    #[test]
    fn a_bank_transfer_is_paid_when_the_seller_confirms_the_whole_amount() {
        let mut p = PaymentIntent::new(PaymentMethod::BankTransfer, usd(250_000)).unwrap();
        assert_eq!(p.authorise().unwrap_err().field(), "status");
        assert_eq!(
            p.receive_transfer(usd(249_000)).unwrap_err().field(),
            "amount"
        );
        assert_eq!(p.status(), PaymentStatus::RequiresConfirmation);
        p.receive_transfer(usd(250_000)).unwrap();
        assert_eq!(
            (p.status(), p.captured()),
            (PaymentStatus::Succeeded, usd(250_000))
        );
        assert_eq!(p.cancel().unwrap_err().field(), "status");
    }

    #[derive(Debug, Clone)]
    enum Step {
        Authorise,
        Fail,
        Capture(i64),
        Refund(i64),
        Cancel,
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            Just(Step::Authorise),
            Just(Step::Fail),
            (0i64..12_000).prop_map(Step::Capture),
            (0i64..12_000).prop_map(Step::Refund),
            Just(Step::Cancel),
        ]
    }

    proptest! {
        /// Whatever is attempted, amounts never pass each other, a refused
        /// step changes nothing, and the status says what the amounts do.
        #[test]
        fn amounts_never_disagree(steps in proptest::collection::vec(step(), 0..20)) {
            let mut p = PaymentIntent::new(PaymentMethod::Card, usd(10_000)).unwrap();
            for s in steps {
                let before = p.clone();
                let result = match s {
                    Step::Authorise => p.authorise(),
                    Step::Fail => p.fail(),
                    Step::Capture(m) => p.capture(usd(m)),
                    Step::Refund(m) => p.refund(usd(m)),
                    Step::Cancel => p.cancel(),
                };
                if result.is_err() {
                    prop_assert_eq!(&p, &before);
                }
                prop_assert!(0 <= p.refunded().minor());
                prop_assert!(p.refunded().minor() <= p.captured().minor());
                prop_assert!(p.captured().minor() <= p.authorised().minor());
                prop_assert!(p.authorised().minor() <= p.amount().minor());
                prop_assert_eq!(p.status() == PaymentStatus::Refunded, p.captured().is_positive() && p.refunded() == p.captured());
                prop_assert_eq!(p.status().is_paid(), p.captured().is_positive());
            }
        }
    }
}
