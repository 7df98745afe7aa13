//! Webhooks out: subscribing URLs to events, and the worker that delivers
//! the outbox.
//!
//! Events and their deliveries are written by the store in the transaction
//! of the change they report (see `chuhai_store::webhooks`). The worker
//! claims due deliveries, POSTs each event's JSON signed with the
//! subscription's secret (`Chuhai-Signature: t=…,v1=…`, the same scheme as
//! the card provider's webhooks) and its id (`Chuhai-Event-Id`), marks it
//! delivered on a 2xx answer and otherwise schedules the next attempt with
//! [`DEFAULT_RETRY`]; after the last attempt it is failed. Delivery is at
//! least once: a receiver deduplicates by `Chuhai-Event-Id`.

use std::time::Duration;

use chuhai_domain::payments::sign;
use chuhai_domain::webhooks::{RetryPolicy, SubscriptionDraft, DEFAULT_RETRY};
use chuhai_store::webhooks::{AttemptOutcome, DueDelivery, SubscriptionRecord};
use chuhai_store::{Store, StoreError};

use crate::auth::new_secret;
use crate::problem::Problem;
use crate::time::now_millis;

pub const SIGNATURE_HEADER: &str = "Chuhai-Signature";
pub const EVENT_ID_HEADER: &str = "Chuhai-Event-Id";

/// How long a claimed delivery is kept from other workers while it is
/// sent. The worker renews the claim of the deliveries it has not sent yet
/// every [`RENEW_AFTER`], so a batch may take longer than this; when the
/// worker dies, its deliveries are due again at most this long after.
const CLAIM_MS: i64 = 15_000;
/// How often a worker renews its claims while it sends a batch: longer
/// than no single send (10 s timeout) plus the renewal can take.
const RENEW_AFTER: Duration = Duration::from_secs(4);
/// Deliveries claimed per pass.
const BATCH: i64 = 50;

/// Checks and stores a subscription with a new signing secret.
pub async fn subscribe(
    store: &Store,
    seller_id: i64,
    url: &str,
    events: &[String],
    now: i64,
) -> Result<SubscriptionRecord, Problem> {
    let draft =
        SubscriptionDraft::new(url, events).map_err(|e| Problem::field(e.field, e.reason))?;
    let names: Vec<String> = draft
        .events()
        .iter()
        .map(|k| k.as_str().to_owned())
        .collect();
    let secret = new_secret("whsec_");
    Ok(store
        .create_subscription(seller_id, draft.url(), &names, &secret, now)
        .await?)
}

/// The body sent for an outbox event: the same bytes on every attempt.
pub fn event_body(d: &DueDelivery) -> String {
    let data: serde_json::Value =
        serde_json::from_str(&d.payload).unwrap_or(serde_json::Value::Null);
    serde_json::json!({
        "id": format!("evt_{}", d.outbox_id),
        "type": d.kind,
        "created_at": crate::time::rfc3339(d.created_at),
        "data": data,
    })
    .to_string()
}

/// The HTTP client deliveries use: short timeouts, no redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default()
}

/// One pass of the worker at `now`: sends every delivery due, records each
/// outcome; returns how many were attempted. Tests call it with a chosen
/// `now` to step through retries without waiting.
pub async fn deliver_due(
    store: &Store,
    client: &reqwest::Client,
    policy: &RetryPolicy,
    now: i64,
) -> Result<usize, StoreError> {
    let due = store.claim_due_deliveries(now, BATCH, CLAIM_MS).await?;
    let n = due.len();
    let started = std::time::Instant::now();
    let mut renewed = started;
    for (i, d) in due.iter().enumerate() {
        if renewed.elapsed() >= RENEW_AFTER {
            let at = now.saturating_add(i64::try_from(started.elapsed().as_millis()).unwrap_or(0));
            let rest: Vec<i64> = due[i..].iter().map(|d| d.id).collect();
            store.renew_delivery_claims(&rest, at + CLAIM_MS).await?;
            renewed = std::time::Instant::now();
        }
        let body = event_body(d);
        let signature = sign(d.secret.as_bytes(), now.div_euclid(1000), body.as_bytes());
        let sent = client
            .post(&d.url)
            .header("Content-Type", "application/json")
            .header(SIGNATURE_HEADER, signature)
            .header(EVENT_ID_HEADER, format!("evt_{}", d.outbox_id))
            .body(body)
            .send()
            .await;
        let (code, error) = match sent {
            Ok(res) if res.status().is_success() => (Some(i64::from(res.status().as_u16())), None),
            Ok(res) => (
                Some(i64::from(res.status().as_u16())),
                Some(format!("answered {}", res.status())),
            ),
            Err(e) => (None, Some(e.to_string())),
        };
        let attempt = u32::try_from(d.attempts + 1).unwrap_or(u32::MAX);
        let outcome = match error {
            None => AttemptOutcome::Delivered {
                status_code: code.unwrap_or(200),
            },
            Some(error) => match policy.wait_after(attempt, d.id) {
                Some(wait) => AttemptOutcome::Retry {
                    status_code: code,
                    error,
                    next_attempt_at: now.saturating_add(
                        i64::try_from(wait)
                            .unwrap_or(i64::MAX / 2)
                            .saturating_mul(1000),
                    ),
                },
                None => AttemptOutcome::Failed {
                    status_code: code,
                    error,
                },
            },
        };
        store.record_delivery_attempt(d.id, &outcome, now).await?;
    }
    Ok(n)
}

/// Delivers webhooks every second (at once again after a full batch) for
/// as long as the server runs. Every server runs one; the store hands each
/// delivery to one of them.
pub async fn worker(store: Store) {
    let client = client();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        // A full batch may mean more are due: take the next at once.
        loop {
            match deliver_due(&store, &client, &DEFAULT_RETRY, now_millis()).await {
                Ok(0) => break,
                Ok(n) => {
                    tracing::debug!(attempted = n, "sent webhooks");
                    if i64::try_from(n).unwrap_or(0) < BATCH {
                        break;
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "the webhook worker failed; retrying");
                    break;
                }
            }
        }
    }
}
