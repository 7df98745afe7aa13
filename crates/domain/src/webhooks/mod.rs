//! Webhooks out: the events a seller can subscribe a URL to, the checks
//! on a subscription, and when a failed delivery is tried again. Deliveries
//! are signed like the card provider's webhooks
//! ([`crate::payments::sign`]: `t=<unix seconds>,v1=<HMAC-SHA256 hex>` over
//! `<t>.<body>`), so a seller verifies both the same way. No I/O: the store
//! keeps the outbox (an event is written in the same transaction as the
//! change it reports, so none is lost if the process dies) and the
//! deliveries; a worker sends them.

mod retry;
mod subscription;

pub use retry::{RetryPolicy, DEFAULT_RETRY};
pub use subscription::{EventKind, SubscriptionDraft, SubscriptionError};
