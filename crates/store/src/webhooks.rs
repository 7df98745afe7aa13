//! Webhooks out: sellers' subscriptions, the outbox of events and the
//! deliveries of each event to each matching subscription.
//!
//! An event is written by [`emit_in_tx`] inside the transaction of the
//! change it reports, together with one pending delivery per subscription
//! of the seller that asks for its kind, so that an event is never lost
//! nor sent for a change that was rolled back. A worker claims due
//! deliveries ([`Store::claim_due_deliveries`]) with a short claim so that
//! a delivery whose sender died is taken over, and records each attempt
//! ([`Store::record_delivery_attempt`]).

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{Backend, Millis, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionRecord {
    pub id: i64,
    pub seller_id: i64,
    pub url: String,
    /// Event names, e.g. `order.paid`.
    pub events: Vec<String>,
    pub secret: String,
    pub created_at: Millis,
}

/// A delivery of one event to one subscription, with its last attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub id: i64,
    pub subscription_id: i64,
    pub outbox_id: i64,
    pub kind: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Millis,
    pub last_attempt_at: Option<Millis>,
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: Millis,
}

/// A claimed delivery with what is needed to send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDelivery {
    pub id: i64,
    pub attempts: i64,
    pub url: String,
    pub secret: String,
    pub outbox_id: i64,
    pub kind: String,
    /// The event's data (JSON).
    pub payload: String,
    pub created_at: Millis,
}

/// What became of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    Delivered {
        status_code: i64,
    },
    /// Try again at `next_attempt_at`.
    Retry {
        status_code: Option<i64>,
        error: String,
        next_attempt_at: Millis,
    },
    /// That was the last attempt.
    Failed {
        status_code: Option<i64>,
        error: String,
    },
}

fn subscription_from_row(r: &AnyRow) -> Result<SubscriptionRecord, StoreError> {
    let events: String = r.try_get("events")?;
    Ok(SubscriptionRecord {
        id: r.try_get("id")?,
        seller_id: r.try_get("seller_id")?,
        url: r.try_get("url")?,
        events: serde_json::from_str(&events).unwrap_or_default(),
        secret: r.try_get("secret")?,
        created_at: r.try_get("created_at")?,
    })
}

/// Writes event `kind` with its `data` (JSON) for `seller_id`, and a
/// pending delivery for every live subscription of the seller that asks
/// for `kind`, inside the caller's transaction.
pub(crate) async fn emit_in_tx(
    conn: &mut sqlx::AnyConnection,
    seller_id: i64,
    kind: &str,
    data: &str,
    now: Millis,
) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query(
        "INSERT INTO webhook_outbox (seller_id, kind, payload, created_at) VALUES ($1, $2, $3, $4)
         RETURNING id",
    )
    .bind(seller_id)
    .bind(kind)
    .bind(data)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?
    .try_get("id")?;
    // Event names are a fixed set of `[a-z._]`, so matching the quoted
    // name in the JSON array is exact.
    sqlx::query(
        "INSERT INTO webhook_deliveries (seller_id, outbox_id, subscription_id, attempts, next_attempt_at, status)
         SELECT seller_id, $1, id, 0, $2, 'pending' FROM webhook_subscriptions
         WHERE seller_id = $3 AND disabled = 0 AND events LIKE $4",
    )
    .bind(id)
    .bind(now)
    .bind(seller_id)
    .bind(format!("%\"{kind}\"%"))
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

impl Store {
    /// Adds a subscription of `seller_id`.
    pub async fn create_subscription(
        &self,
        seller_id: i64,
        url: &str,
        events: &[String],
        secret: &str,
        now: Millis,
    ) -> Result<SubscriptionRecord, StoreError> {
        let events = serde_json::to_string(events).map_err(|e| StoreError::Corrupt {
            column: "webhook_subscriptions.events",
            reason: e.to_string(),
        })?;
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO webhook_subscriptions (seller_id, url, events, secret, created_at, disabled)
             VALUES ($1, $2, $3, $4, $5, 0) RETURNING id, seller_id, url, events, secret, created_at",
        )
        .bind(seller_id)
        .bind(url)
        .bind(&events)
        .bind(secret)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let record = subscription_from_row(&row)?;
        tx.commit().await?;
        Ok(record)
    }

    /// The seller's live subscriptions, oldest first.
    pub async fn subscriptions(
        &self,
        seller_id: i64,
    ) -> Result<Vec<SubscriptionRecord>, StoreError> {
        sqlx::query(
            "SELECT id, seller_id, url, events, secret, created_at FROM webhook_subscriptions
             WHERE seller_id = $1 AND disabled = 0 ORDER BY id",
        )
        .bind(seller_id)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(subscription_from_row)
        .collect()
    }

    /// Deletes one of the seller's subscriptions: nothing more is sent to
    /// it (its pending deliveries fail). `false` when not found.
    pub async fn delete_subscription(
        &self,
        seller_id: i64,
        id: i64,
        now: Millis,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE webhook_subscriptions SET disabled = 1 WHERE seller_id = $1 AND id = $2 AND disabled = 0",
        )
        .bind(seller_id)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed > 0 {
            sqlx::query(
                "UPDATE webhook_deliveries SET status = 'failed', last_error = 'subscription deleted',
                        last_attempt_at = COALESCE(last_attempt_at, $1)
                 WHERE subscription_id = $2 AND status = 'pending'",
            )
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(changed > 0)
    }

    /// The seller's deliveries, newest first, at most `limit`.
    pub async fn deliveries(
        &self,
        seller_id: i64,
        limit: i64,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        sqlx::query(
            "SELECT d.id, d.subscription_id, d.outbox_id, o.kind, d.status, d.attempts, d.next_attempt_at,
                    d.last_attempt_at, d.last_status_code, d.last_error, o.created_at
             FROM webhook_deliveries d JOIN webhook_outbox o ON o.id = d.outbox_id
             WHERE d.seller_id = $1 ORDER BY d.id DESC LIMIT $2",
        )
        .bind(seller_id)
        .bind(limit)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| {
            Ok(DeliveryRecord {
                id: r.try_get("id")?,
                subscription_id: r.try_get("subscription_id")?,
                outbox_id: r.try_get("outbox_id")?,
                kind: r.try_get("kind")?,
                status: r.try_get("status")?,
                attempts: r.try_get("attempts")?,
                next_attempt_at: r.try_get("next_attempt_at")?,
                last_attempt_at: r.try_get("last_attempt_at")?,
                last_status_code: r.try_get("last_status_code")?,
                last_error: r.try_get("last_error")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
    }

    /// Claims up to `limit` pending deliveries due at `now`, oldest first,
    /// for `claim_ms`: until then no other worker takes them; if the sender
    /// dies, they become due again.
    pub async fn claim_due_deliveries(
        &self,
        now: Millis,
        limit: i64,
        claim_ms: i64,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        let pick = match self.backend() {
            Backend::Sqlite => {
                "SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1
                 ORDER BY next_attempt_at, id LIMIT $2"
            }
            Backend::Postgres => {
                "SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1
                 ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED"
            }
        };
        let mut tx = self.begin_write().await?;
        let ids: Vec<i64> = sqlx::query(pick)
            .bind(now)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<Result<_, _>>()?;
        let mut due = Vec::with_capacity(ids.len());
        for id in ids {
            sqlx::query("UPDATE webhook_deliveries SET next_attempt_at = $1 WHERE id = $2")
                .bind(now + claim_ms)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let r = sqlx::query(
                "SELECT d.id, d.attempts, s.url, s.secret, o.id AS outbox_id, o.kind, o.payload, o.created_at
                 FROM webhook_deliveries d
                 JOIN webhook_subscriptions s ON s.id = d.subscription_id
                 JOIN webhook_outbox o ON o.id = d.outbox_id
                 WHERE d.id = $1",
            )
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            due.push(DueDelivery {
                id: r.try_get("id")?,
                attempts: r.try_get("attempts")?,
                url: r.try_get("url")?,
                secret: r.try_get("secret")?,
                outbox_id: r.try_get("outbox_id")?,
                kind: r.try_get("kind")?,
                payload: r.try_get("payload")?,
                created_at: r.try_get("created_at")?,
            });
        }
        tx.commit().await?;
        Ok(due)
    }

    /// Keeps claimed deliveries from other workers until `until` (those
    /// still pending): a worker still sending its batch renews its claim.
    pub async fn renew_delivery_claims(
        &self,
        ids: &[i64],
        until: Millis,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        for &id in ids {
            sqlx::query(
                "UPDATE webhook_deliveries SET next_attempt_at = $1 WHERE id = $2 AND status = 'pending'",
            )
            .bind(until)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records one attempt of a delivery (counted) and its outcome.
    pub async fn record_delivery_attempt(
        &self,
        id: i64,
        outcome: &AttemptOutcome,
        now: Millis,
    ) -> Result<(), StoreError> {
        let (status, code, error, next) = match outcome {
            AttemptOutcome::Delivered { status_code } => {
                ("delivered", Some(*status_code), None, now)
            }
            AttemptOutcome::Retry {
                status_code,
                error,
                next_attempt_at,
            } => (
                "pending",
                *status_code,
                Some(error.as_str()),
                *next_attempt_at,
            ),
            AttemptOutcome::Failed { status_code, error } => {
                ("failed", *status_code, Some(error.as_str()), now)
            }
        };
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE webhook_deliveries SET attempts = attempts + 1, status = $1, last_status_code = $2,
                    last_error = $3, next_attempt_at = $4, last_attempt_at = $5
             WHERE id = $6 AND status = 'pending'",
        )
        .bind(status)
        .bind(code)
        .bind(error)
        .bind(next)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
