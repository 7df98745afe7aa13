//! Carts and orders: carts with their lines and address; orders written at
//! checkout together with their per-seller number, stock holds and first
//! event; state changes as conditional updates with their event, in one
//! transaction.

use chuhai_domain::inventory::{Hold, LedgerEntry};
use chuhai_domain::orders::{OrderEvent, OrderState};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::bulk::{insert_rows, Val};
use crate::fulfilment::{
    cancel_open_shipments_in_tx, has_live_shipments, insert_routing_in_tx, NewRouting,
};
use crate::inventory::{post_in_tx, reserve_in_tx, HoldStatus};
use crate::{Millis, Page, Store, StoreError};

/// A cart line: units of one variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartLineRow {
    pub variant_id: i64,
    /// Units (> 0).
    pub quantity: i64,
}

/// A stored cart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartRecord {
    pub id: i64,
    pub seller_id: i64,
    pub market_id: i64,
    pub locale: String,
    /// JSON of the shipping address, when given.
    pub address: Option<String>,
    /// `open` or `checked_out`.
    pub status: String,
    pub order_id: Option<i64>,
    pub created_at: Millis,
    pub updated_at: Millis,
    /// By variant id.
    pub lines: Vec<CartLineRow>,
}

/// A cart to create.
#[derive(Debug, Clone)]
pub struct NewCart {
    pub seller_id: i64,
    pub market_id: i64,
    pub locale: String,
    pub address: Option<String>,
    pub lines: Vec<CartLineRow>,
}

/// An order to write at checkout.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub seller_id: i64,
    pub cart_id: i64,
    pub market_id: i64,
    /// ISO 4217 code of the market currency.
    pub currency: String,
    /// What the buyer pays, in minor units of `currency`.
    pub total_minor: i64,
    /// Its CNY equivalent, in fen.
    pub total_cny_minor: i64,
    /// JSON: address, lines, totals, landed cost, shipping.
    pub body: String,
    /// Who checked out.
    pub user_id: Option<i64>,
    /// Where the order ships from and how: stored with shipments holding
    /// the holds placed with the order.
    pub routing: Option<NewRouting>,
}

/// A stored order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRecord {
    pub id: i64,
    pub seller_id: i64,
    /// The seller's sequence number (the order number's digits).
    pub seq: i64,
    pub cart_id: i64,
    pub market_id: i64,
    pub state: String,
    pub currency: String,
    pub total_minor: i64,
    pub total_cny_minor: i64,
    pub body: String,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// One change of an order's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderEventRow {
    pub id: i64,
    pub event: String,
    /// `None` for the event that placed the order.
    pub from_state: Option<String>,
    pub to_state: String,
    pub user_id: Option<i64>,
    pub at: Millis,
    /// JSON that came with the event.
    pub detail: Option<String>,
}

/// A state change to record.
#[derive(Debug, Clone)]
pub struct OrderTransition<'a> {
    pub event: &'a str,
    pub from_state: &'a str,
    pub to_state: &'a str,
    pub user_id: Option<i64>,
    pub detail: Option<String>,
    /// What happens to the order's stock holds.
    pub holds: HoldAction,
}

/// What a state change does to the order's holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldAction {
    /// Nothing.
    Keep,
    /// Hold without expiry from now on; refused when a hold has lapsed.
    KeepWithoutExpiry,
    /// Give back every unit still held.
    Release,
}

const CART_COLUMNS: &str =
    "id, seller_id, market_id, locale, address, status, order_id, created_at, updated_at";
const ORDER_COLUMNS: &str = "id, seller_id, seq, cart_id, market_id, state, currency, \
     total_minor, total_cny_minor, body, created_at, updated_at";

fn cart_from_row(r: &AnyRow) -> Result<CartRecord, StoreError> {
    Ok(CartRecord {
        id: r.try_get("id")?,
        seller_id: r.try_get("seller_id")?,
        market_id: r.try_get("market_id")?,
        locale: r.try_get("locale")?,
        address: r.try_get("address")?,
        status: r.try_get("status")?,
        order_id: r.try_get("order_id")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        lines: Vec::new(),
    })
}

fn order_from_row(r: &AnyRow) -> Result<OrderRecord, StoreError> {
    Ok(OrderRecord {
        id: r.try_get("id")?,
        seller_id: r.try_get("seller_id")?,
        seq: r.try_get("seq")?,
        cart_id: r.try_get("cart_id")?,
        market_id: r.try_get("market_id")?,
        state: r.try_get("state")?,
        currency: r.try_get("currency")?,
        total_minor: r.try_get("total_minor")?,
        total_cny_minor: r.try_get("total_cny_minor")?,
        body: r.try_get("body")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

impl Store {
    // --- carts -----------------------------------------------------------------

    /// Creates a cart with its lines; returns its id.
    pub async fn create_cart(&self, cart: &NewCart, now: Millis) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO carts (seller_id, market_id, locale, address, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 'open', $5, $5) RETURNING id",
        )
        .bind(cart.seller_id)
        .bind(cart.market_id)
        .bind(&cart.locale)
        .bind(cart.address.as_deref())
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        // Every line in one statement.
        let lines: Vec<Vec<Val>> = cart
            .lines
            .iter()
            .map(|l| {
                vec![
                    Val::Int(id),
                    Val::Int(l.variant_id),
                    Val::Int(l.quantity),
                    Val::Int(now),
                ]
            })
            .collect();
        insert_rows(
            &mut tx,
            self.backend(),
            "cart_lines",
            &["cart_id", "variant_id", "quantity", "added_at"],
            "",
            lines,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// One of the seller's carts with its lines.
    pub async fn cart(&self, seller_id: i64, id: i64) -> Result<Option<CartRecord>, StoreError> {
        let Some(row) = sqlx::query(&format!(
            "SELECT {CART_COLUMNS} FROM carts WHERE seller_id = $1 AND id = $2"
        ))
        .bind(seller_id)
        .bind(id)
        .fetch_optional(self.reader())
        .await?
        else {
            return Ok(None);
        };
        let mut cart = cart_from_row(&row)?;
        cart.lines = sqlx::query(
            "SELECT variant_id, quantity FROM cart_lines WHERE cart_id = $1 ORDER BY variant_id",
        )
        .bind(id)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| {
            Ok(CartLineRow {
                variant_id: r.try_get("variant_id")?,
                quantity: r.try_get("quantity")?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
        Ok(Some(cart))
    }

    /// Locks an open cart of the seller in the transaction, or says why not.
    async fn open_cart_in_tx(
        conn: &mut sqlx::AnyConnection,
        seller_id: i64,
        id: i64,
        now: Millis,
    ) -> Result<(), StoreError> {
        // Touching the row locks it on PostgreSQL and tells open from not.
        let touched = sqlx::query(
            "UPDATE carts SET updated_at = $1 WHERE seller_id = $2 AND id = $3 AND status = 'open'",
        )
        .bind(now)
        .bind(seller_id)
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if touched == 0 {
            let exists = sqlx::query("SELECT 1 FROM carts WHERE seller_id = $1 AND id = $2")
                .bind(seller_id)
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
                .is_some();
            return Err(if exists {
                StoreError::StateConflict {
                    what: "cart",
                    reason: "is already checked out; it cannot change".into(),
                }
            } else {
                StoreError::NotFound { what: "cart" }
            });
        }
        Ok(())
    }

    /// Sets the units of a variant in an open cart (0 removes the line).
    pub async fn set_cart_line(
        &self,
        seller_id: i64,
        cart_id: i64,
        line: &CartLineRow,
        now: Millis,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        Self::open_cart_in_tx(&mut tx, seller_id, cart_id, now).await?;
        sqlx::query("DELETE FROM cart_lines WHERE cart_id = $1 AND variant_id = $2")
            .bind(cart_id)
            .bind(line.variant_id)
            .execute(&mut *tx)
            .await?;
        if line.quantity > 0 {
            sqlx::query(
                "INSERT INTO cart_lines (cart_id, variant_id, quantity, added_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(cart_id)
            .bind(line.variant_id)
            .bind(line.quantity)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Sets the shipping address (JSON) of an open cart.
    pub async fn set_cart_address(
        &self,
        seller_id: i64,
        cart_id: i64,
        address: &str,
        now: Millis,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        Self::open_cart_in_tx(&mut tx, seller_id, cart_id, now).await?;
        sqlx::query("UPDATE carts SET address = $1 WHERE id = $2")
            .bind(address)
            .bind(cart_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    // --- orders ----------------------------------------------------------------

    /// Checks out a cart in one transaction: closes the cart, places every
    /// hold (conditional updates: never more than is available), takes the
    /// seller's next order number, writes the order, its holds and its
    /// `placed` event (with its webhook event). When a hold is refused or
    /// the cart was checked out meanwhile, nothing is written; if the
    /// process stops midway, nothing is either, so no hold is ever left
    /// without its order.
    pub async fn place_order(
        &self,
        order: &NewOrder,
        holds: &[(Hold, LedgerEntry)],
        now: Millis,
    ) -> Result<OrderRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        Self::open_cart_in_tx(&mut tx, order.seller_id, order.cart_id, now).await?;
        let placed = reserve_in_tx(&mut tx, self.backend(), holds).await?;
        let seq: i64 = sqlx::query(
            "INSERT INTO order_counters (seller_id, last_seq) VALUES ($1, 1)
             ON CONFLICT (seller_id) DO UPDATE SET last_seq = order_counters.last_seq + 1
             RETURNING last_seq",
        )
        .bind(order.seller_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("last_seq")?;
        let row = sqlx::query(&format!(
            "INSERT INTO orders (seller_id, seq, cart_id, market_id, state, currency, total_minor,
                                 total_cny_minor, body, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 'placed', $5, $6, $7, $8, $9, $9) RETURNING {ORDER_COLUMNS}"
        ))
        .bind(order.seller_id)
        .bind(seq)
        .bind(order.cart_id)
        .bind(order.market_id)
        .bind(&order.currency)
        .bind(order.total_minor)
        .bind(order.total_cny_minor)
        .bind(&order.body)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let record = order_from_row(&row)?;
        sqlx::query("UPDATE carts SET status = 'checked_out', order_id = $1 WHERE id = $2")
            .bind(record.id)
            .bind(order.cart_id)
            .execute(&mut *tx)
            .await?;
        let links: Vec<Vec<Val>> = placed
            .iter()
            .map(|&h| vec![Val::Int(record.id), Val::Int(h)])
            .collect();
        insert_rows(
            &mut tx,
            self.backend(),
            "order_holds",
            &["order_id", "hold_id"],
            "",
            links,
        )
        .await?;
        if let Some(routing) = &order.routing {
            insert_routing_in_tx(
                &mut tx,
                order.seller_id,
                record.id,
                "checkout",
                routing,
                &placed,
                order.user_id,
                now,
            )
            .await?;
        }
        insert_event(
            &mut tx,
            &Facts {
                seller_id: order.seller_id,
                order_id: record.id,
                seq: record.seq,
                currency: &record.currency,
                total_minor: record.total_minor,
            },
            "place",
            None,
            "placed",
            order.user_id,
            now,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(record)
    }

    /// One of the seller's orders.
    pub async fn order(&self, seller_id: i64, id: i64) -> Result<Option<OrderRecord>, StoreError> {
        sqlx::query(&format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE seller_id = $1 AND id = $2"
        ))
        .bind(seller_id)
        .bind(id)
        .fetch_optional(self.reader())
        .await?
        .as_ref()
        .map(order_from_row)
        .transpose()
    }

    /// The seller's orders after id `after`, by id, at most `limit`.
    pub async fn orders(
        &self,
        seller_id: i64,
        after: i64,
        limit: u32,
    ) -> Result<Page<OrderRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE seller_id = $1 AND id > $2 ORDER BY id LIMIT $3"
        ))
        .bind(seller_id)
        .bind(after)
        .bind(i64::from(limit) + 1)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(order_from_row)
        .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_rows(rows, limit, |o| o.id))
    }

    /// The seller's orders in `state` (any when `None`) after id `after`,
    /// by id, at most `limit`.
    pub async fn orders_in_state(
        &self,
        seller_id: i64,
        state: Option<&str>,
        after: i64,
        limit: u32,
    ) -> Result<Page<OrderRecord>, StoreError> {
        let Some(state) = state else {
            return self.orders(seller_id, after, limit).await;
        };
        let rows = sqlx::query(&format!(
            "SELECT {ORDER_COLUMNS} FROM orders
             WHERE seller_id = $1 AND state = $2 AND id > $3 ORDER BY id LIMIT $4"
        ))
        .bind(seller_id)
        .bind(state)
        .bind(after)
        .bind(i64::from(limit) + 1)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(order_from_row)
        .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_rows(rows, limit, |o| o.id))
    }

    /// Cancels placed orders whose checkout hold has lapsed (expired, or
    /// due to expire at or before `now`), at most `limit`, each in its own
    /// transaction: the holds still held are released, the shipments
    /// cancelled, and `order.cancelled` written to the outbox. An order
    /// paid meanwhile is left alone. Returns how many were cancelled.
    pub async fn cancel_lapsed_orders(&self, now: Millis, limit: u32) -> Result<u64, StoreError> {
        let rows = sqlx::query(
            "SELECT o.id, o.seller_id FROM orders o
             WHERE o.state = 'placed' AND EXISTS (
               SELECT 1 FROM order_holds oh JOIN inventory_holds h ON h.id = oh.hold_id
               WHERE oh.order_id = o.id
                 AND (h.status = 'expired'
                      OR (h.status = 'held' AND h.expires_at IS NOT NULL AND h.expires_at <= $1)))
             ORDER BY o.id LIMIT $2",
        )
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await?;
        let mut cancelled = 0;
        for r in rows {
            let (id, seller): (i64, i64) = (r.try_get("id")?, r.try_get("seller_id")?);
            let t = OrderTransition {
                event: OrderEvent::Cancel.as_str(),
                from_state: OrderState::Placed.as_str(),
                to_state: OrderState::Cancelled.as_str(),
                user_id: None,
                detail: Some(r#"{"reason":"the checkout hold lapsed before payment"}"#.into()),
                holds: HoldAction::Release,
            };
            let mut tx = self.begin_write().await?;
            match self
                .transition_order_in_tx(&mut tx, seller, id, &t, now)
                .await
            {
                Ok(()) => {
                    tx.commit().await?;
                    cancelled += 1;
                }
                Err(StoreError::StateConflict { .. }) => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(cancelled)
    }

    /// An order's events, oldest first.
    pub async fn order_events(&self, order_id: i64) -> Result<Vec<OrderEventRow>, StoreError> {
        sqlx::query(
            "SELECT id, event, from_state, to_state, user_id, at, detail
             FROM order_events WHERE order_id = $1 ORDER BY id",
        )
        .bind(order_id)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| {
            Ok(OrderEventRow {
                id: r.try_get("id")?,
                event: r.try_get("event")?,
                from_state: r.try_get("from_state")?,
                to_state: r.try_get("to_state")?,
                user_id: r.try_get("user_id")?,
                at: r.try_get("at")?,
                detail: r.try_get("detail")?,
            })
        })
        .collect()
    }

    /// The ids of an order's stock holds.
    pub async fn order_hold_ids(&self, order_id: i64) -> Result<Vec<i64>, StoreError> {
        sqlx::query("SELECT hold_id FROM order_holds WHERE order_id = $1 ORDER BY hold_id")
            .bind(order_id)
            .fetch_all(self.reader())
            .await?
            .iter()
            .map(|r| Ok(r.try_get("hold_id")?))
            .collect()
    }

    /// Moves an order from `from_state` to `to_state` with its event, and
    /// does `holds` to its stock holds, in one transaction. Refused with
    /// `StateConflict` when the order is no longer in `from_state` (changed
    /// meanwhile) or, for `KeepWithoutExpiry`, a hold has lapsed.
    pub async fn transition_order(
        &self,
        seller_id: i64,
        order_id: i64,
        t: &OrderTransition<'_>,
        now: Millis,
    ) -> Result<OrderRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        self.transition_order_in_tx(&mut tx, seller_id, order_id, t, now)
            .await?;
        tx.commit().await?;
        self.order(seller_id, order_id)
            .await?
            .ok_or(StoreError::NotFound { what: "order" })
    }

    /// [`Store::transition_order`] inside a transaction the caller commits.
    pub(crate) async fn transition_order_in_tx(
        &self,
        tx: &mut sqlx::AnyConnection,
        seller_id: i64,
        order_id: i64,
        t: &OrderTransition<'_>,
        now: Millis,
    ) -> Result<(), StoreError> {
        // The conditional update answers what the order's event reports.
        let Some(row) = sqlx::query(
            "UPDATE orders SET state = $1, updated_at = $2 WHERE seller_id = $3 AND id = $4 AND state = $5
             RETURNING seq, currency, total_minor",
        )
        .bind(t.to_state)
        .bind(now)
        .bind(seller_id)
        .bind(order_id)
        .bind(t.from_state)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Err(StoreError::StateConflict {
                what: "order",
                reason: format!("is no longer {}; read it again", t.from_state),
            });
        };
        let currency: String = row.try_get("currency")?;
        let facts = Facts {
            seller_id,
            order_id,
            seq: row.try_get("seq")?,
            currency: &currency,
            total_minor: row.try_get("total_minor")?,
        };
        match t.holds {
            HoldAction::Keep => {}
            HoldAction::KeepWithoutExpiry => {
                // Every hold of the order, still open, in one statement;
                // refused when any has lapsed.
                let kept = sqlx::query(
                    "UPDATE inventory_holds SET expires_at = NULL
                     WHERE id IN (SELECT hold_id FROM order_holds WHERE order_id = $1)
                       AND status = 'held' AND (expires_at IS NULL OR expires_at > $2)",
                )
                .bind(order_id)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                let holds: i64 =
                    sqlx::query("SELECT COUNT(*) AS n FROM order_holds WHERE order_id = $1")
                        .bind(order_id)
                        .fetch_one(&mut *tx)
                        .await?
                        .try_get("n")?;
                if i64::try_from(kept).unwrap_or(i64::MAX) != holds {
                    return Err(StoreError::StateConflict {
                        what: "order",
                        reason: "its stock hold has lapsed; the stock may be sold to someone else"
                            .into(),
                    });
                }
            }
            HoldAction::Release => {
                let hold_ids: Vec<i64> = sqlx::query(
                    "SELECT hold_id FROM order_holds WHERE order_id = $1 ORDER BY hold_id",
                )
                .bind(order_id)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| r.try_get("hold_id"))
                .collect::<Result<_, _>>()?;
                cancel_open_shipments_in_tx(&mut *tx, order_id, t.user_id, now).await?;
                for &id in &hold_ids {
                    let record = match self.held_in_tx(&mut *tx, seller_id, id).await {
                        Ok(r) => r,
                        Err(StoreError::Ledger(_)) => continue,
                        Err(e) => return Err(e),
                    };
                    let entry = record.hold.release(t.user_id, now);
                    post_in_tx(&mut *tx, self.backend(), std::slice::from_ref(&entry)).await?;
                    self.close_hold(&mut *tx, id, 0, HoldStatus::Released, now)
                        .await?;
                }
            }
        }
        insert_event(
            &mut *tx,
            &facts,
            t.event,
            Some(t.from_state),
            t.to_state,
            t.user_id,
            now,
            t.detail.as_deref(),
        )
        .await?;
        // An order whose routing was decided at checkout has its
        // warehouses chosen: paying it allocates it.
        if t.to_state == OrderState::Paid.as_str() && has_live_shipments(&mut *tx, order_id).await?
        {
            let to = OrderState::Paid.apply(OrderEvent::Allocate).map_err(|e| {
                StoreError::StateConflict {
                    what: "order",
                    reason: e.to_string(),
                }
            })?;
            sqlx::query("UPDATE orders SET state = $1 WHERE id = $2")
                .bind(to.as_str())
                .bind(order_id)
                .execute(&mut *tx)
                .await?;
            insert_event(
                &mut *tx,
                &facts,
                OrderEvent::Allocate.as_str(),
                Some(OrderState::Paid.as_str()),
                to.as_str(),
                t.user_id,
                now,
                None,
            )
            .await?;
        }
        Ok(())
    }
}

/// What an order's webhook event tells about the order.
struct Facts<'a> {
    seller_id: i64,
    order_id: i64,
    seq: i64,
    currency: &'a str,
    total_minor: i64,
}

#[allow(clippy::too_many_arguments)]
async fn insert_event(
    conn: &mut sqlx::AnyConnection,
    order: &Facts<'_>,
    event: &str,
    from_state: Option<&str>,
    to_state: &str,
    user_id: Option<i64>,
    at: Millis,
    detail: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO order_events (order_id, event, from_state, to_state, user_id, at, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(order.order_id)
    .bind(event)
    .bind(from_state)
    .bind(to_state)
    .bind(user_id)
    .bind(at)
    .bind(detail)
    .execute(&mut *conn)
    .await?;
    let kind = match to_state {
        "placed" => "order.created",
        "paid" => "order.paid",
        "cancelled" => "order.cancelled",
        "refunded" => "order.refunded",
        _ => return Ok(()),
    };
    let data = serde_json::json!({
        "order_id": order.order_id,
        "number": order.seq,
        "state": to_state,
        "previous_state": from_state,
        "currency": order.currency,
        "total_minor": order.total_minor,
    });
    crate::webhooks::emit_in_tx(conn, order.seller_id, kind, &data.to_string(), at).await?;
    Ok(())
}
