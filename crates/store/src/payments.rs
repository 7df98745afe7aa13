//! Payments of orders and the provider events applied to them. A change of
//! a payment is written with its event, and with the order's state change
//! when there is one, in one transaction. An event id is applied once: a
//! replay finds its id taken and changes nothing.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::orders::OrderTransition;
use crate::{Millis, Store, StoreError};

/// A payment to create.
#[derive(Debug, Clone)]
pub struct NewPayment {
    pub seller_id: i64,
    pub order_id: i64,
    /// `card` or `bank_transfer`.
    pub method: String,
    pub status: String,
    /// ISO 4217 code of the order currency.
    pub currency: String,
    pub amount_minor: i64,
    /// The provider's id of the intent (`pi_…`).
    pub provider_reference: String,
}

/// A stored payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRecord {
    pub id: i64,
    pub seller_id: i64,
    pub order_id: i64,
    pub method: String,
    pub status: String,
    pub currency: String,
    pub amount_minor: i64,
    pub authorised_minor: i64,
    pub captured_minor: i64,
    pub refunded_minor: i64,
    pub provider_reference: String,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// The amounts and status of a payment after a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentAmounts {
    pub status: String,
    pub authorised_minor: i64,
    pub captured_minor: i64,
    pub refunded_minor: i64,
}

/// A provider event to apply to a payment.
#[derive(Debug, Clone)]
pub struct PaymentChange<'a> {
    pub payment_id: i64,
    /// Unique: the provider's event id, or ours for refunds asked here.
    pub event_id: &'a str,
    /// The event type (`payment_intent.succeeded`, `refund` …).
    pub kind: &'a str,
    /// The payment as read before the change: the write is refused when it
    /// changed meanwhile.
    pub before: PaymentAmounts,
    /// The payment after the change; `None` records the event only.
    pub after: Option<PaymentAmounts>,
    /// The amount the event moved.
    pub amount_minor: Option<i64>,
    /// The order's state change that goes with it.
    pub order: Option<OrderTransition<'a>>,
}

/// What applying an event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// Written.
    Applied,
    /// The event id was applied before: nothing changed.
    Replayed,
}

const PAYMENT_COLUMNS: &str = "id, seller_id, order_id, method, status, currency, amount_minor, \
     authorised_minor, captured_minor, refunded_minor, provider_reference, created_at, updated_at";

fn payment_from_row(r: &AnyRow) -> Result<PaymentRecord, StoreError> {
    Ok(PaymentRecord {
        id: r.try_get("id")?,
        seller_id: r.try_get("seller_id")?,
        order_id: r.try_get("order_id")?,
        method: r.try_get("method")?,
        status: r.try_get("status")?,
        currency: r.try_get("currency")?,
        amount_minor: r.try_get("amount_minor")?,
        authorised_minor: r.try_get("authorised_minor")?,
        captured_minor: r.try_get("captured_minor")?,
        refunded_minor: r.try_get("refunded_minor")?,
        provider_reference: r.try_get("provider_reference")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

impl PaymentRecord {
    /// Its status and amounts.
    pub fn amounts(&self) -> PaymentAmounts {
        PaymentAmounts {
            status: self.status.clone(),
            authorised_minor: self.authorised_minor,
            captured_minor: self.captured_minor,
            refunded_minor: self.refunded_minor,
        }
    }
}

impl Store {
    /// Creates a payment of one of the seller's orders.
    pub async fn create_payment(
        &self,
        p: &NewPayment,
        now: Millis,
    ) -> Result<PaymentRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        // Written only when the order is the seller's: no row, no order.
        let Some(row) = sqlx::query(&format!(
            "INSERT INTO payments (seller_id, order_id, method, status, currency, amount_minor,
                                   authorised_minor, captured_minor, refunded_minor,
                                   provider_reference, created_at, updated_at)
             SELECT $1, $2, $3, $4, $5, $6, 0, 0, 0, $7, $8, $8
             WHERE EXISTS (SELECT 1 FROM orders WHERE seller_id = $1 AND id = $2)
             RETURNING {PAYMENT_COLUMNS}"
        ))
        .bind(p.seller_id)
        .bind(p.order_id)
        .bind(&p.method)
        .bind(&p.status)
        .bind(&p.currency)
        .bind(p.amount_minor)
        .bind(&p.provider_reference)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Err(StoreError::NotFound { what: "order" });
        };
        let record = payment_from_row(&row)?;
        tx.commit().await?;
        Ok(record)
    }

    /// Writes a payment received in full at once (a bank transfer the
    /// seller saw arrive) with its event `event_kind` and the order's
    /// state change, in one transaction.
    pub async fn record_received_payment(
        &self,
        p: &NewPayment,
        event_kind: &str,
        t: &OrderTransition<'_>,
        now: Millis,
    ) -> Result<PaymentRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        self.transition_order_in_tx(&mut tx, p.seller_id, p.order_id, t, now)
            .await?;
        let row = sqlx::query(&format!(
            "INSERT INTO payments (seller_id, order_id, method, status, currency, amount_minor,
                                   authorised_minor, captured_minor, refunded_minor,
                                   provider_reference, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6, $6, 0, $7, $8, $8) RETURNING {PAYMENT_COLUMNS}"
        ))
        .bind(p.seller_id)
        .bind(p.order_id)
        .bind(&p.method)
        .bind(&p.status)
        .bind(&p.currency)
        .bind(p.amount_minor)
        .bind(&p.provider_reference)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let record = payment_from_row(&row)?;
        sqlx::query(
            "INSERT INTO payment_events (payment_id, provider_event_id, kind, status, amount_minor, at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(record.id)
        .bind(format!("{}:{}", event_kind, record.provider_reference))
        .bind(event_kind)
        .bind(&record.status)
        .bind(record.captured_minor)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(record)
    }

    /// One of the seller's payments.
    pub async fn payment(
        &self,
        seller_id: i64,
        id: i64,
    ) -> Result<Option<PaymentRecord>, StoreError> {
        sqlx::query(&format!(
            "SELECT {PAYMENT_COLUMNS} FROM payments WHERE seller_id = $1 AND id = $2"
        ))
        .bind(seller_id)
        .bind(id)
        .fetch_optional(self.reader())
        .await?
        .as_ref()
        .map(payment_from_row)
        .transpose()
    }

    /// The payment the provider knows as `reference` (whichever seller's:
    /// the provider's webhooks name no seller).
    pub async fn payment_by_reference(
        &self,
        reference: &str,
    ) -> Result<Option<PaymentRecord>, StoreError> {
        sqlx::query(&format!(
            "SELECT {PAYMENT_COLUMNS} FROM payments WHERE provider_reference = $1"
        ))
        .bind(reference)
        .fetch_optional(self.reader())
        .await?
        .as_ref()
        .map(payment_from_row)
        .transpose()
    }

    /// The payments of one of the seller's orders, oldest first.
    pub async fn order_payments(
        &self,
        seller_id: i64,
        order_id: i64,
    ) -> Result<Vec<PaymentRecord>, StoreError> {
        sqlx::query(&format!(
            "SELECT {PAYMENT_COLUMNS} FROM payments WHERE seller_id = $1 AND order_id = $2 ORDER BY id"
        ))
        .bind(seller_id)
        .bind(order_id)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(payment_from_row)
        .collect()
    }

    /// Whether the event id was applied already.
    pub async fn payment_event_seen(&self, event_id: &str) -> Result<bool, StoreError> {
        Ok(
            sqlx::query("SELECT 1 FROM payment_events WHERE provider_event_id = $1")
                .bind(event_id)
                .fetch_optional(self.reader())
                .await?
                .is_some(),
        )
    }

    /// Applies a provider event in one transaction: records the event id
    /// (a replay stops here, changing nothing), moves the payment from
    /// `before` to `after` (refused with `StateConflict` when it changed
    /// meanwhile) and the order with `order`.
    pub async fn apply_payment_change(
        &self,
        seller_id: i64,
        order_id: i64,
        c: &PaymentChange<'_>,
        now: Millis,
    ) -> Result<Applied, StoreError> {
        let mut tx = self.begin_write().await?;
        let applied = self
            .apply_payment_change_in_tx(&mut tx, seller_id, order_id, c, now)
            .await?;
        if applied == Applied::Applied {
            tx.commit().await?;
        }
        Ok(applied)
    }

    /// [`Store::apply_payment_change`] inside a transaction the caller
    /// commits (on `Replayed` nothing was written).
    pub(crate) async fn apply_payment_change_in_tx(
        &self,
        tx: &mut sqlx::AnyConnection,
        seller_id: i64,
        order_id: i64,
        c: &PaymentChange<'_>,
        now: Millis,
    ) -> Result<Applied, StoreError> {
        let status = c.after.as_ref().unwrap_or(&c.before).status.as_str();
        let inserted = sqlx::query(
            "INSERT INTO payment_events (payment_id, provider_event_id, kind, status, amount_minor, at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (provider_event_id) DO NOTHING",
        )
        .bind(c.payment_id)
        .bind(c.event_id)
        .bind(c.kind)
        .bind(status)
        .bind(c.amount_minor)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Ok(Applied::Replayed);
        }
        if let Some(after) = &c.after {
            let changed = sqlx::query(
                "UPDATE payments SET status = $1, authorised_minor = $2, captured_minor = $3,
                        refunded_minor = $4, updated_at = $5
                 WHERE id = $6 AND seller_id = $7 AND status = $8 AND authorised_minor = $9
                   AND captured_minor = $10 AND refunded_minor = $11",
            )
            .bind(&after.status)
            .bind(after.authorised_minor)
            .bind(after.captured_minor)
            .bind(after.refunded_minor)
            .bind(now)
            .bind(c.payment_id)
            .bind(seller_id)
            .bind(&c.before.status)
            .bind(c.before.authorised_minor)
            .bind(c.before.captured_minor)
            .bind(c.before.refunded_minor)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Err(StoreError::StateConflict {
                    what: "payment",
                    reason: "changed meanwhile; read it again".into(),
                });
            }
        }
        if let Some(t) = &c.order {
            self.transition_order_in_tx(&mut *tx, seller_id, order_id, t, now)
                .await?;
        }
        Ok(Applied::Applied)
    }
}
