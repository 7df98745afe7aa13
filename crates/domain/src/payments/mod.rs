//! Payments: the life of a payment intent (authorise, capture, refund,
//! with amounts that can never disagree), bank transfers (T/T) confirmed
//! by the seller, and the signatures of a card provider's webhooks
//! (HMAC-SHA256 over the timestamp and the body, with a tolerance against
//! replays). No I/O: the store keeps intents and the event ids already
//! seen; the web layer receives webhooks.

mod error;
mod intent;
mod signature;

pub use error::PaymentError;
pub use intent::{PaymentIntent, PaymentMethod, PaymentStatus};
pub use signature::{sign, verify, SignatureError, WebhookSignature, SIGNATURE_TOLERANCE_SECS};
