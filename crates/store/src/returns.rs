//! Returns (RMA) of orders and the sellers' returns policies. A return is
//! written with its lines and first event, after checking in the same
//! transaction that the units it claims are still left on the order; every
//! later change of its status is a conditional update with its event, and
//! with what goes with it (disposition rows and `return` ledger entries,
//! the payment's refund, the order's state change, the webhook), in one
//! transaction: all or nothing.

use std::collections::BTreeMap;

use chuhai_domain::inventory::LedgerEntry;
use chuhai_domain::returns::{RefundTiming, ReturnsPolicy};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::inventory::post_in_tx;
use crate::orders::OrderTransition;
use crate::payments::{Applied, PaymentChange};
use crate::{Millis, Page, Store, StoreError};

/// Amounts of a return's refund, in minor units of the order currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReturnAmounts {
    pub goods_minor: i64,
    pub import_charges_minor: i64,
    pub shipping_minor: i64,
    pub restocking_fee_minor: i64,
    /// What goes back to the buyer.
    pub refund_minor: i64,
}

/// A return to write.
#[derive(Debug, Clone)]
pub struct NewReturn {
    pub seller_id: i64,
    pub order_id: i64,
    /// The order states in which a return may be asked for.
    pub order_states: Vec<String>,
    pub reason: String,
    pub note: Option<String>,
    /// The overseas warehouse the goods go back to.
    pub warehouse_id: i64,
    /// JSON of the policy in force.
    pub policy: String,
    pub currency: String,
    pub amounts: ReturnAmounts,
    /// (SKU, units).
    pub lines: Vec<(String, i64)>,
    /// The units per SKU that earlier returns of the order claimed when the
    /// return was worked out: refused as changed meanwhile otherwise.
    pub claimed_before: BTreeMap<String, i64>,
    pub user_id: Option<i64>,
}

/// A returned line: units of a SKU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnLineRow {
    pub sku: String,
    pub quantity: i64,
}

/// What inspection decided for units of a SKU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DispositionRow {
    pub sku: String,
    /// `restock`, `relabel` or `dispose`.
    pub disposition: String,
    pub quantity: i64,
}

/// A stored return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnRecord {
    pub id: i64,
    pub seller_id: i64,
    pub order_id: i64,
    pub status: String,
    pub inspected: bool,
    pub reason: String,
    pub note: Option<String>,
    pub warehouse_id: i64,
    /// JSON of the policy in force when it was asked for.
    pub policy: String,
    pub currency: String,
    pub amounts: ReturnAmounts,
    pub payment_id: Option<i64>,
    pub received_at: Option<Millis>,
    pub refunded_at: Option<Millis>,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub lines: Vec<ReturnLineRow>,
    pub dispositions: Vec<DispositionRow>,
}

/// One change of a return's status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnEventRow {
    pub id: i64,
    pub event: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub user_id: Option<i64>,
    pub at: Millis,
    pub detail: Option<String>,
}

/// A change of a return's status and everything that goes with it.
#[derive(Debug, Clone)]
pub struct ReturnChange<'a> {
    pub seller_id: i64,
    pub return_id: i64,
    pub event: &'a str,
    /// The status and inspection flag as read: refused when changed meanwhile.
    pub from_status: &'a str,
    pub from_inspected: bool,
    pub to_status: &'a str,
    pub to_inspected: bool,
    pub user_id: Option<i64>,
    pub detail: Option<String>,
    /// Marks the goods received now.
    pub received: bool,
    /// Inspection's dispositions.
    pub dispositions: Vec<DispositionRow>,
    /// Ledger entries to post (returned units back in stock).
    pub entries: Vec<LedgerEntry>,
    /// The refund: the payment change (none when nothing was owed).
    pub refund: Option<Option<PaymentChange<'a>>>,
    /// The order's state change.
    pub order: Option<OrderTransition<'a>>,
    /// The webhook kind to emit (`return.received` …).
    pub webhook: Option<&'a str>,
}

const RETURN_COLUMNS: &str = "id, seller_id, order_id, status, inspected, reason, note, \
     warehouse_id, policy, currency, goods_minor, import_charges_minor, shipping_minor, \
     restocking_fee_minor, refund_minor, payment_id, received_at, refunded_at, created_at, updated_at";

fn return_from_row(r: &AnyRow) -> Result<ReturnRecord, StoreError> {
    Ok(ReturnRecord {
        id: r.try_get("id")?,
        seller_id: r.try_get("seller_id")?,
        order_id: r.try_get("order_id")?,
        status: r.try_get("status")?,
        inspected: r.try_get::<i64, _>("inspected")? != 0,
        reason: r.try_get("reason")?,
        note: r.try_get("note")?,
        warehouse_id: r.try_get("warehouse_id")?,
        policy: r.try_get("policy")?,
        currency: r.try_get("currency")?,
        amounts: ReturnAmounts {
            goods_minor: r.try_get("goods_minor")?,
            import_charges_minor: r.try_get("import_charges_minor")?,
            shipping_minor: r.try_get("shipping_minor")?,
            restocking_fee_minor: r.try_get("restocking_fee_minor")?,
            refund_minor: r.try_get("refund_minor")?,
        },
        payment_id: r.try_get("payment_id")?,
        received_at: r.try_get("received_at")?,
        refunded_at: r.try_get("refunded_at")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        lines: Vec::new(),
        dispositions: Vec::new(),
    })
}

/// Units per SKU claimed by the order's returns (all but rejected ones and
/// ones closed before their goods arrived).
async fn claimed_in(
    conn: &mut sqlx::AnyConnection,
    order_id: i64,
) -> Result<BTreeMap<String, i64>, StoreError> {
    let rows = sqlx::query(
        "SELECT l.sku, CAST(SUM(l.quantity) AS BIGINT) AS units
         FROM return_lines l JOIN returns r ON r.id = l.return_id
         WHERE r.order_id = $1 AND r.status <> 'rejected'
           AND NOT (r.status = 'closed' AND r.received_at IS NULL)
         GROUP BY l.sku",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("sku")?, r.try_get("units")?)))
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn insert_event(
    conn: &mut sqlx::AnyConnection,
    return_id: i64,
    event: &str,
    from_status: Option<&str>,
    to_status: &str,
    user_id: Option<i64>,
    at: Millis,
    detail: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO return_events (return_id, event, from_status, to_status, user_id, at, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(return_id)
    .bind(event)
    .bind(from_status)
    .bind(to_status)
    .bind(user_id)
    .bind(at)
    .bind(detail)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Emits `kind` for the return as it is now in the transaction.
async fn emit(
    conn: &mut sqlx::AnyConnection,
    seller_id: i64,
    return_id: i64,
    kind: &str,
    at: Millis,
) -> Result<(), StoreError> {
    let r = sqlx::query(&format!(
        "SELECT {RETURN_COLUMNS} FROM returns WHERE seller_id = $1 AND id = $2"
    ))
    .bind(seller_id)
    .bind(return_id)
    .fetch_one(&mut *conn)
    .await?;
    let r = return_from_row(&r)?;
    let data = serde_json::json!({
        "return_id": r.id,
        "order_id": r.order_id,
        "status": r.status,
        "reason": r.reason,
        "warehouse_id": r.warehouse_id,
        "currency": r.currency,
        "refund_minor": r.amounts.refund_minor,
    });
    crate::webhooks::emit_in_tx(conn, seller_id, kind, &data.to_string(), at).await?;
    Ok(())
}

impl Store {
    // --- policies --------------------------------------------------------------

    /// The seller's returns policy, when it set one.
    pub async fn returns_policy(
        &self,
        seller_id: i64,
    ) -> Result<Option<ReturnsPolicy>, StoreError> {
        let Some(r) = sqlx::query(
            "SELECT return_window_days, restocking_fee_bp, refund_original_shipping, refund_timing
             FROM returns_policies WHERE seller_id = $1",
        )
        .bind(seller_id)
        .fetch_optional(self.reader())
        .await?
        else {
            return Ok(None);
        };
        let timing: String = r.try_get("refund_timing")?;
        let window: i64 = r.try_get("return_window_days")?;
        let fee: i64 = r.try_get("restocking_fee_bp")?;
        let corrupt = |column: &'static str, v: &dyn std::fmt::Display| StoreError::Corrupt {
            column,
            reason: v.to_string(),
        };
        Ok(Some(ReturnsPolicy {
            return_window_days: u32::try_from(window)
                .map_err(|_| corrupt("returns_policies.return_window_days", &window))?,
            restocking_fee_bp: u32::try_from(fee)
                .map_err(|_| corrupt("returns_policies.restocking_fee_bp", &fee))?,
            refund_original_shipping: r.try_get::<i64, _>("refund_original_shipping")? != 0,
            refund_timing: RefundTiming::parse(&timing)
                .ok_or_else(|| corrupt("returns_policies.refund_timing", &timing))?,
        }))
    }

    /// Sets the seller's returns policy (checked by the caller); returns
    /// that were asked for keep the policy they were asked under.
    pub async fn put_returns_policy(
        &self,
        seller_id: i64,
        p: &ReturnsPolicy,
        now: Millis,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO returns_policies (seller_id, return_window_days, restocking_fee_bp,
                                           refund_original_shipping, refund_timing, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (seller_id) DO UPDATE SET return_window_days = excluded.return_window_days,
               restocking_fee_bp = excluded.restocking_fee_bp,
               refund_original_shipping = excluded.refund_original_shipping,
               refund_timing = excluded.refund_timing, updated_at = excluded.updated_at",
        )
        .bind(seller_id)
        .bind(i64::from(p.return_window_days))
        .bind(i64::from(p.restocking_fee_bp))
        .bind(i64::from(p.refund_original_shipping))
        .bind(p.refund_timing.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // --- returns ---------------------------------------------------------------

    /// Units per SKU claimed by the returns of one of the seller's orders.
    pub async fn claimed_return_units(
        &self,
        order_id: i64,
    ) -> Result<BTreeMap<String, i64>, StoreError> {
        let mut conn = self.reader().acquire().await?;
        claimed_in(&mut conn, order_id).await
    }

    /// Writes a return `requested` with its lines, event and
    /// `return.requested` webhook, in one transaction. Refused with
    /// `StateConflict` when the order left `order_states` or its returns
    /// changed since `claimed_before` was read.
    pub async fn create_return(
        &self,
        r: &NewReturn,
        now: Millis,
    ) -> Result<ReturnRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        // Touching the order locks it on PostgreSQL, so two returns of the
        // same order are written one after the other.
        let mut touch = String::from(
            "UPDATE orders SET updated_at = updated_at WHERE seller_id = $1 AND id = $2 AND state IN (",
        );
        for i in 0..r.order_states.len() {
            if i > 0 {
                touch.push_str(", ");
            }
            touch.push_str(&format!("${}", i + 3));
        }
        touch.push(')');
        let mut q = sqlx::query(&touch).bind(r.seller_id).bind(r.order_id);
        for s in &r.order_states {
            q = q.bind(s);
        }
        if q.execute(&mut *tx).await?.rows_affected() == 0 {
            return Err(StoreError::StateConflict {
                what: "order",
                reason: "changed meanwhile; read it again".into(),
            });
        }
        if claimed_in(&mut tx, r.order_id).await? != r.claimed_before {
            return Err(StoreError::StateConflict {
                what: "order",
                reason: "its returns changed meanwhile; read them again".into(),
            });
        }
        let a = r.amounts;
        let id: i64 = sqlx::query(
            "INSERT INTO returns (seller_id, order_id, status, inspected, reason, note, warehouse_id,
                                  policy, currency, goods_minor, import_charges_minor, shipping_minor,
                                  restocking_fee_minor, refund_minor, created_at, updated_at)
             VALUES ($1, $2, 'requested', 0, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
             RETURNING id",
        )
        .bind(r.seller_id)
        .bind(r.order_id)
        .bind(&r.reason)
        .bind(r.note.as_deref())
        .bind(r.warehouse_id)
        .bind(&r.policy)
        .bind(&r.currency)
        .bind(a.goods_minor)
        .bind(a.import_charges_minor)
        .bind(a.shipping_minor)
        .bind(a.restocking_fee_minor)
        .bind(a.refund_minor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        for (sku, quantity) in &r.lines {
            sqlx::query("INSERT INTO return_lines (return_id, sku, quantity) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(sku)
                .bind(quantity)
                .execute(&mut *tx)
                .await?;
        }
        insert_event(
            &mut tx,
            id,
            "request",
            None,
            "requested",
            r.user_id,
            now,
            None,
        )
        .await?;
        emit(&mut tx, r.seller_id, id, "return.requested", now).await?;
        tx.commit().await?;
        self.return_of_seller(r.seller_id, id)
            .await?
            .ok_or(StoreError::NotFound { what: "return" })
    }

    async fn with_lines(&self, mut r: ReturnRecord) -> Result<ReturnRecord, StoreError> {
        r.lines =
            sqlx::query("SELECT sku, quantity FROM return_lines WHERE return_id = $1 ORDER BY sku")
                .bind(r.id)
                .fetch_all(self.reader())
                .await?
                .iter()
                .map(|row| {
                    Ok(ReturnLineRow {
                        sku: row.try_get("sku")?,
                        quantity: row.try_get("quantity")?,
                    })
                })
                .collect::<Result<_, StoreError>>()?;
        r.dispositions = sqlx::query(
            "SELECT sku, disposition, quantity FROM return_dispositions WHERE return_id = $1
             ORDER BY sku, disposition",
        )
        .bind(r.id)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|row| {
            Ok(DispositionRow {
                sku: row.try_get("sku")?,
                disposition: row.try_get("disposition")?,
                quantity: row.try_get("quantity")?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
        Ok(r)
    }

    /// One of the seller's returns.
    pub async fn return_of_seller(
        &self,
        seller_id: i64,
        id: i64,
    ) -> Result<Option<ReturnRecord>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {RETURN_COLUMNS} FROM returns WHERE seller_id = $1 AND id = $2"
        ))
        .bind(seller_id)
        .bind(id)
        .fetch_optional(self.reader())
        .await?;
        self.one(row).await
    }

    /// A return the organisation may see: its own as seller, or one coming
    /// back to a warehouse it runs.
    pub async fn return_for(&self, org: i64, id: i64) -> Result<Option<ReturnRecord>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {RETURN_COLUMNS} FROM returns r WHERE r.id = $2 AND (r.seller_id = $1 OR EXISTS (
               SELECT 1 FROM warehouses w WHERE w.id = r.warehouse_id AND w.operator_id = $1))"
        ))
        .bind(org)
        .bind(id)
        .fetch_optional(self.reader())
        .await?;
        self.one(row).await
    }

    /// The returns the organisation may see (its own, and those coming to
    /// warehouses it runs), by id after `after`, at most `limit`,
    /// optionally of one status.
    pub async fn returns_for(
        &self,
        org: i64,
        status: Option<&str>,
        after: i64,
        limit: u32,
    ) -> Result<Page<ReturnRecord>, StoreError> {
        let by_status = if status.is_some() {
            "AND r.status = $4"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {RETURN_COLUMNS} FROM returns r
             WHERE (r.seller_id = $1 OR EXISTS (
               SELECT 1 FROM warehouses w WHERE w.id = r.warehouse_id AND w.operator_id = $1))
               AND r.id > $2 {by_status}
             ORDER BY r.id LIMIT $3"
        );
        let mut q = sqlx::query(&sql)
            .bind(org)
            .bind(after)
            .bind(i64::from(limit) + 1);
        if let Some(s) = status {
            q = q.bind(s);
        }
        let rows = q.fetch_all(self.reader()).await?;
        let out = self.many(&rows).await?;
        Ok(Page::from_rows(out, limit, |r| r.id))
    }

    /// The returns of one of the seller's orders, oldest first.
    pub async fn order_returns(
        &self,
        seller_id: i64,
        order_id: i64,
    ) -> Result<Vec<ReturnRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {RETURN_COLUMNS} FROM returns WHERE seller_id = $1 AND order_id = $2 ORDER BY id"
        ))
        .bind(seller_id)
        .bind(order_id)
        .fetch_all(self.reader())
        .await?;
        self.many(&rows).await
    }

    async fn one(&self, row: Option<AnyRow>) -> Result<Option<ReturnRecord>, StoreError> {
        match row {
            None => Ok(None),
            Some(r) => Ok(Some(self.with_lines(return_from_row(&r)?).await?)),
        }
    }

    async fn many(&self, rows: &[AnyRow]) -> Result<Vec<ReturnRecord>, StoreError> {
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(self.with_lines(return_from_row(r)?).await?);
        }
        Ok(out)
    }

    /// A return's events, oldest first.
    pub async fn return_events(&self, return_id: i64) -> Result<Vec<ReturnEventRow>, StoreError> {
        sqlx::query(
            "SELECT id, event, from_status, to_status, user_id, at, detail
             FROM return_events WHERE return_id = $1 ORDER BY id",
        )
        .bind(return_id)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| {
            Ok(ReturnEventRow {
                id: r.try_get("id")?,
                event: r.try_get("event")?,
                from_status: r.try_get("from_status")?,
                to_status: r.try_get("to_status")?,
                user_id: r.try_get("user_id")?,
                at: r.try_get("at")?,
                detail: r.try_get("detail")?,
            })
        })
        .collect()
    }

    /// Applies a change to a return in one transaction: its status (refused
    /// with `StateConflict` when it changed meanwhile), dispositions,
    /// ledger entries, the payment's refund, the order's state change, the
    /// event and the webhook.
    pub async fn change_return(
        &self,
        c: &ReturnChange<'_>,
        now: Millis,
    ) -> Result<ReturnRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE returns SET status = $1, inspected = $2, updated_at = $3,
                    received_at = CASE WHEN $4 = 1 THEN $3 ELSE received_at END
             WHERE seller_id = $5 AND id = $6 AND status = $7 AND inspected = $8",
        )
        .bind(c.to_status)
        .bind(i64::from(c.to_inspected))
        .bind(now)
        .bind(i64::from(c.received))
        .bind(c.seller_id)
        .bind(c.return_id)
        .bind(c.from_status)
        .bind(i64::from(c.from_inspected))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::StateConflict {
                what: "return",
                reason: format!("is no longer {}; read it again", c.from_status),
            });
        }
        let order_id: i64 = sqlx::query("SELECT order_id FROM returns WHERE id = $1")
            .bind(c.return_id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("order_id")?;
        for d in &c.dispositions {
            sqlx::query(
                "INSERT INTO return_dispositions (return_id, sku, disposition, quantity)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(c.return_id)
            .bind(&d.sku)
            .bind(&d.disposition)
            .bind(d.quantity)
            .execute(&mut *tx)
            .await?;
        }
        post_in_tx(&mut tx, self.backend(), &c.entries).await?;
        if let Some(refund) = &c.refund {
            let payment_id = match refund {
                Some(p) => {
                    if self
                        .apply_payment_change_in_tx(&mut tx, c.seller_id, order_id, p, now)
                        .await?
                        == Applied::Replayed
                    {
                        return Err(StoreError::StateConflict {
                            what: "return",
                            reason: "was refunded already".into(),
                        });
                    }
                    Some(p.payment_id)
                }
                None => None,
            };
            sqlx::query("UPDATE returns SET payment_id = $1, refunded_at = $2 WHERE id = $3")
                .bind(payment_id)
                .bind(now)
                .bind(c.return_id)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(t) = &c.order {
            self.transition_order_in_tx(&mut tx, c.seller_id, order_id, t, now)
                .await?;
        }
        insert_event(
            &mut tx,
            c.return_id,
            c.event,
            Some(c.from_status),
            c.to_status,
            c.user_id,
            now,
            c.detail.as_deref(),
        )
        .await?;
        if let Some(kind) = c.webhook {
            emit(&mut tx, c.seller_id, c.return_id, kind, now).await?;
        }
        tx.commit().await?;
        self.return_of_seller(c.seller_id, c.return_id)
            .await?
            .ok_or(StoreError::NotFound { what: "return" })
    }
}
