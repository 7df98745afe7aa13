//! Shipping setups of warehouses, routing decisions of orders, shipments,
//! waves and tracking. Every step is one transaction with its event:
//! packing posts the `pick` entries (bin → packing station), shipping
//! commits the shipment's stock holds (`commit` entries) and moves the
//! order to partially shipped or shipped, delivery of the last parcel
//! moves it to delivered; `shipment.shipped` and `shipment.delivered` go
//! to the webhook outbox in the same transaction.

use chuhai_domain::inventory::LedgerEntry;
use chuhai_domain::orders::{OrderEvent, OrderState};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::inventory::{post_in_tx, HoldStatus};
use crate::orders::{HoldAction, OrderTransition};
use crate::{Millis, Page, Store, StoreError};

/// A warehouse's stored shipping setup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippingSetupRecord {
    pub warehouse_id: i64,
    pub currency: String,
    /// JSON of the domain's `WarehouseShipping`.
    pub setup: String,
    pub updated_at: Millis,
}

/// A line of a shipment to write: units of a SKU and the index of its hold
/// among the holds placed with it.
#[derive(Debug, Clone)]
pub struct NewShipmentLine {
    pub sku: String,
    pub quantity: i64,
    pub hold: usize,
}

/// A package of a routing decision, to become a shipment.
#[derive(Debug, Clone)]
pub struct NewShipment {
    pub warehouse_id: i64,
    pub service: String,
    pub service_name: String,
    pub carrier: String,
    pub zone: String,
    pub currency: String,
    pub cost_minor: i64,
    pub transit_min: i64,
    pub transit_max: i64,
    pub customs_mode: Option<String>,
    pub lines: Vec<NewShipmentLine>,
}

/// A routing decision to store with its shipments.
#[derive(Debug, Clone)]
pub struct NewRouting {
    /// JSON of the decision and its explanation.
    pub decision: String,
    /// JSON of what it excluded.
    pub exclusions: String,
    pub shipments: Vec<NewShipment>,
}

/// A stored line of a shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentLineRow {
    pub sku: String,
    pub quantity: i64,
    pub hold_id: i64,
}

/// Units of a SKU to pick for a shipment from a location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickRowStored {
    pub sku: String,
    /// `None`: the unlocated area.
    pub bin: Option<String>,
    pub lot: Option<String>,
    pub quantity: i64,
}

/// A stored shipment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentRecord {
    pub id: i64,
    pub seller_id: i64,
    pub order_id: i64,
    pub routing_id: i64,
    pub warehouse_id: i64,
    pub status: String,
    pub service: String,
    pub service_name: String,
    pub carrier: String,
    pub zone: String,
    pub currency: String,
    pub cost_minor: i64,
    pub transit_min: i64,
    pub transit_max: i64,
    pub customs_mode: Option<String>,
    pub lines: Vec<ShipmentLineRow>,
    pub picks: Option<Vec<PickRowStored>>,
    pub wave_id: Option<i64>,
    /// JSON of the parcel, once packed.
    pub parcel: Option<String>,
    pub tracking_number: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub shipped_at: Option<Millis>,
    pub delivered_at: Option<Millis>,
}

/// One event of a shipment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentEventRow {
    pub id: i64,
    pub event: String,
    pub status: String,
    pub detail: Option<String>,
    pub user_id: Option<i64>,
    pub at: Millis,
}

/// A stored routing decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingRecord {
    pub id: i64,
    pub order_id: i64,
    pub reason: String,
    pub decision: String,
    pub exclusions: String,
    pub user_id: Option<i64>,
    pub at: Millis,
}

/// A stored wave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaveRecord {
    pub id: i64,
    pub warehouse_id: i64,
    pub cutoff_at: Millis,
    /// JSON: the pick list and the shipments left out.
    pub pick_list: String,
    pub user_id: Option<i64>,
    pub created_at: Millis,
}

/// A shipment put in a wave with its picks.
#[derive(Debug, Clone)]
pub struct WavedShipment {
    pub shipment_id: i64,
    pub picks: Vec<PickRowStored>,
}

const SHIPMENT_COLUMNS: &str = "id, seller_id, order_id, routing_id, warehouse_id, status, service, \
     service_name, carrier, zone, currency, cost_minor, transit_min, transit_max, customs_mode, \
     lines, picks, wave_id, parcel, tracking_number, created_at, updated_at, shipped_at, delivered_at";

fn corrupt(column: &'static str, e: serde_json::Error) -> StoreError {
    StoreError::Corrupt {
        column,
        reason: e.to_string(),
    }
}

fn shipment_from_row(r: &AnyRow) -> Result<ShipmentRecord, StoreError> {
    let lines: String = r.try_get("lines")?;
    let picks: Option<String> = r.try_get("picks")?;
    Ok(ShipmentRecord {
        id: r.try_get("id")?,
        seller_id: r.try_get("seller_id")?,
        order_id: r.try_get("order_id")?,
        routing_id: r.try_get("routing_id")?,
        warehouse_id: r.try_get("warehouse_id")?,
        status: r.try_get("status")?,
        service: r.try_get("service")?,
        service_name: r.try_get("service_name")?,
        carrier: r.try_get("carrier")?,
        zone: r.try_get("zone")?,
        currency: r.try_get("currency")?,
        cost_minor: r.try_get("cost_minor")?,
        transit_min: r.try_get("transit_min")?,
        transit_max: r.try_get("transit_max")?,
        customs_mode: r.try_get("customs_mode")?,
        lines: serde_json::from_str(&lines).map_err(|e| corrupt("shipments.lines", e))?,
        picks: picks
            .map(|p| serde_json::from_str(&p))
            .transpose()
            .map_err(|e| corrupt("shipments.picks", e))?,
        wave_id: r.try_get("wave_id")?,
        parcel: r.try_get("parcel")?,
        tracking_number: r.try_get("tracking_number")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        shipped_at: r.try_get("shipped_at")?,
        delivered_at: r.try_get("delivered_at")?,
    })
}

fn setup_from_row(r: &AnyRow) -> Result<ShippingSetupRecord, StoreError> {
    Ok(ShippingSetupRecord {
        warehouse_id: r.try_get("warehouse_id")?,
        currency: r.try_get("currency")?,
        setup: r.try_get("setup")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn wave_from_row(r: &AnyRow) -> Result<WaveRecord, StoreError> {
    Ok(WaveRecord {
        id: r.try_get("id")?,
        warehouse_id: r.try_get("warehouse_id")?,
        cutoff_at: r.try_get("cutoff_at")?,
        pick_list: r.try_get("pick_list")?,
        user_id: r.try_get("user_id")?,
        created_at: r.try_get("created_at")?,
    })
}

#[allow(clippy::too_many_arguments)]
async fn insert_shipment_event(
    conn: &mut AnyConnection,
    shipment_id: i64,
    event: &str,
    status: &str,
    detail: Option<&str>,
    user_id: Option<i64>,
    at: Millis,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO shipment_events (shipment_id, event, status, detail, user_id, at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(shipment_id)
    .bind(event)
    .bind(status)
    .bind(detail)
    .bind(user_id)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Moves a shipment from one of `from` to `to`, or says it changed meanwhile.
async fn move_shipment(
    conn: &mut AnyConnection,
    id: i64,
    from: &[&str],
    to: &str,
    now: Millis,
) -> Result<(), StoreError> {
    let list = from
        .iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let changed = sqlx::query(&format!(
        "UPDATE shipments SET status = $1, updated_at = $2 WHERE id = $3 AND status IN ({list})"
    ))
    .bind(to)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(StoreError::StateConflict {
            what: "shipment",
            reason: format!("is no longer {}; read it again", from.join(" or ")),
        });
    }
    Ok(())
}

async fn shipment_in_tx(conn: &mut AnyConnection, id: i64) -> Result<ShipmentRecord, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {SHIPMENT_COLUMNS} FROM shipments WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound { what: "shipment" })?;
    shipment_from_row(&row)
}

/// Writes a routing decision and its shipments for an order whose holds
/// (`hold_ids`, in the order placed) are already written; returns its id.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_routing_in_tx(
    conn: &mut AnyConnection,
    seller_id: i64,
    order_id: i64,
    reason: &str,
    routing: &NewRouting,
    hold_ids: &[i64],
    user_id: Option<i64>,
    now: Millis,
) -> Result<i64, StoreError> {
    let routing_id: i64 = sqlx::query(
        "INSERT INTO order_routings (order_id, reason, decision, exclusions, user_id, at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(order_id)
    .bind(reason)
    .bind(&routing.decision)
    .bind(&routing.exclusions)
    .bind(user_id)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?
    .try_get("id")?;
    for s in &routing.shipments {
        let mut lines = Vec::with_capacity(s.lines.len());
        for l in &s.lines {
            let hold_id = *hold_ids.get(l.hold).ok_or(StoreError::Invalid {
                field: "shipments.lines",
                reason: format!("names hold {} of {}", l.hold, hold_ids.len()),
            })?;
            lines.push(ShipmentLineRow {
                sku: l.sku.clone(),
                quantity: l.quantity,
                hold_id,
            });
        }
        let lines = serde_json::to_string(&lines).map_err(|e| corrupt("shipments.lines", e))?;
        let id: i64 = sqlx::query(
            "INSERT INTO shipments (seller_id, order_id, routing_id, warehouse_id, status, service,
                 service_name, carrier, zone, currency, cost_minor, transit_min, transit_max,
                 customs_mode, lines, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)
             RETURNING id",
        )
        .bind(seller_id)
        .bind(order_id)
        .bind(routing_id)
        .bind(s.warehouse_id)
        .bind(&s.service)
        .bind(&s.service_name)
        .bind(&s.carrier)
        .bind(&s.zone)
        .bind(&s.currency)
        .bind(s.cost_minor)
        .bind(s.transit_min)
        .bind(s.transit_max)
        .bind(s.customs_mode.as_deref())
        .bind(&lines)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?
        .try_get("id")?;
        insert_shipment_event(conn, id, "route", "pending", None, user_id, now).await?;
    }
    Ok(routing_id)
}

/// Whether the order has shipments not cancelled (its routing was decided).
pub(crate) async fn has_live_shipments(
    conn: &mut AnyConnection,
    order_id: i64,
) -> Result<bool, StoreError> {
    Ok(
        sqlx::query(
            "SELECT 1 FROM shipments WHERE order_id = $1 AND status <> 'cancelled' LIMIT 1",
        )
        .bind(order_id)
        .fetch_optional(&mut *conn)
        .await?
        .is_some(),
    )
}

/// Cancels every shipment of the order that has not left (its holds are
/// released by the caller), with an event each.
pub(crate) async fn cancel_open_shipments_in_tx(
    conn: &mut AnyConnection,
    order_id: i64,
    user_id: Option<i64>,
    now: Millis,
) -> Result<(), StoreError> {
    let ids: Vec<i64> = sqlx::query(
        "SELECT id FROM shipments WHERE order_id = $1
         AND status IN ('pending', 'picking', 'packed') ORDER BY id",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| r.try_get("id"))
    .collect::<Result<_, _>>()?;
    for id in ids {
        move_shipment(
            conn,
            id,
            &["pending", "picking", "packed"],
            "cancelled",
            now,
        )
        .await?;
        insert_shipment_event(
            conn,
            id,
            "cancel",
            "cancelled",
            Some(r#"{"reason":"order cancelled"}"#),
            user_id,
            now,
        )
        .await?;
    }
    Ok(())
}

fn shipment_webhook(s: &ShipmentRecord, order_seq: i64, status: &str) -> String {
    serde_json::json!({
        "shipment_id": s.id,
        "order_id": s.order_id,
        "order_number": order_seq,
        "status": status,
        "carrier": s.carrier,
        "service": s.service,
        "tracking_number": s.tracking_number,
        "lines": s.lines.iter().map(|l| serde_json::json!({"sku": l.sku, "quantity": l.quantity})).collect::<Vec<_>>(),
    })
    .to_string()
}

async fn order_state_in_tx(
    conn: &mut AnyConnection,
    order_id: i64,
) -> Result<(OrderState, i64), StoreError> {
    let row = sqlx::query("SELECT state, seq FROM orders WHERE id = $1")
        .bind(order_id)
        .fetch_one(&mut *conn)
        .await?;
    let text: String = row.try_get("state")?;
    let state = OrderState::parse(&text).ok_or_else(|| StoreError::Corrupt {
        column: "orders.state",
        reason: format!("unknown state {text:?}"),
    })?;
    Ok((state, row.try_get("seq")?))
}

/// Statuses of the order's shipments other than `except`, not cancelled.
async fn other_statuses(
    conn: &mut AnyConnection,
    order_id: i64,
    except: i64,
) -> Result<Vec<String>, StoreError> {
    sqlx::query(
        "SELECT status FROM shipments WHERE order_id = $1 AND id <> $2 AND status <> 'cancelled'",
    )
    .bind(order_id)
    .bind(except)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| Ok(r.try_get("status")?))
    .collect()
}

impl Store {
    /// Applies `event` to the order of shipment `s` (in `state`), keeping
    /// its holds, inside the caller's transaction.
    #[allow(clippy::too_many_arguments)]
    async fn advance_order_in_tx(
        &self,
        tx: &mut AnyConnection,
        s: &ShipmentRecord,
        state: OrderState,
        event: OrderEvent,
        detail: String,
        user_id: Option<i64>,
        now: Millis,
    ) -> Result<(), StoreError> {
        let to = state.apply(event).map_err(|e| StoreError::StateConflict {
            what: "order",
            reason: e.to_string(),
        })?;
        self.transition_order_in_tx(
            tx,
            s.seller_id,
            s.order_id,
            &OrderTransition {
                event: event.as_str(),
                from_state: state.as_str(),
                to_state: to.as_str(),
                user_id,
                detail: Some(detail),
                holds: HoldAction::Keep,
            },
            now,
        )
        .await
    }

    // --- shipping setups ---------------------------------------------------------

    /// Replaces a warehouse's shipping setup (checked by the caller).
    pub async fn put_shipping_setup(
        &self,
        warehouse_id: i64,
        currency: &str,
        setup: &str,
        user_id: Option<i64>,
        now: Millis,
    ) -> Result<ShippingSetupRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO warehouse_shipping (warehouse_id, currency, setup, updated_at, updated_by)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (warehouse_id) DO UPDATE SET currency = excluded.currency,
               setup = excluded.setup, updated_at = excluded.updated_at,
               updated_by = excluded.updated_by",
        )
        .bind(warehouse_id)
        .bind(currency)
        .bind(setup)
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(ShippingSetupRecord {
            warehouse_id,
            currency: currency.to_owned(),
            setup: setup.to_owned(),
            updated_at: now,
        })
    }

    /// A warehouse's shipping setup, if it has one.
    pub async fn shipping_setup(
        &self,
        warehouse_id: i64,
    ) -> Result<Option<ShippingSetupRecord>, StoreError> {
        sqlx::query(
            "SELECT warehouse_id, currency, setup, updated_at FROM warehouse_shipping
             WHERE warehouse_id = $1",
        )
        .bind(warehouse_id)
        .fetch_optional(self.reader())
        .await?
        .as_ref()
        .map(setup_from_row)
        .transpose()
    }

    /// The shipping setups of every warehouse the organisation runs or is
    /// served by, by warehouse id.
    pub async fn shipping_setups_for(
        &self,
        organisation_id: i64,
    ) -> Result<Vec<ShippingSetupRecord>, StoreError> {
        sqlx::query(
            "SELECT ws.warehouse_id, ws.currency, ws.setup, ws.updated_at
             FROM warehouse_shipping ws JOIN warehouses w ON w.id = ws.warehouse_id
             WHERE w.operator_id = $1 OR EXISTS (
               SELECT 1 FROM warehouse_sellers s WHERE s.warehouse_id = w.id AND s.seller_id = $1)
             ORDER BY ws.warehouse_id",
        )
        .bind(organisation_id)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(setup_from_row)
        .collect()
    }

    /// For every warehouse with a shipping setup that the organisation runs
    /// or is served by, by id: (warehouse id, when its setup last changed,
    /// its UTC offset in minutes, its cut-off `HH:MM`) — what a cached
    /// network of the organisation depends on.
    pub async fn shipping_setup_versions(
        &self,
        organisation_id: i64,
    ) -> Result<Vec<(i64, Millis, i32, String)>, StoreError> {
        sqlx::query(
            "SELECT ws.warehouse_id, ws.updated_at, w.utc_offset_minutes, w.cutoff_time
             FROM warehouse_shipping ws JOIN warehouses w ON w.id = ws.warehouse_id
             WHERE w.operator_id = $1 OR EXISTS (
               SELECT 1 FROM warehouse_sellers s WHERE s.warehouse_id = w.id AND s.seller_id = $1)
             ORDER BY ws.warehouse_id",
        )
        .bind(organisation_id)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| {
            let offset: i64 = r.try_get("utc_offset_minutes")?;
            Ok((
                r.try_get("warehouse_id")?,
                r.try_get("updated_at")?,
                i32::try_from(offset).map_err(|e| StoreError::Corrupt {
                    column: "warehouses.utc_offset_minutes",
                    reason: e.to_string(),
                })?,
                r.try_get("cutoff_time")?,
            ))
        })
        .collect()
    }

    // --- routing decisions and shipments -----------------------------------------

    /// An order's routing decisions, oldest first.
    pub async fn order_routings(&self, order_id: i64) -> Result<Vec<RoutingRecord>, StoreError> {
        sqlx::query(
            "SELECT id, order_id, reason, decision, exclusions, user_id, at
             FROM order_routings WHERE order_id = $1 ORDER BY id",
        )
        .bind(order_id)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| {
            Ok(RoutingRecord {
                id: r.try_get("id")?,
                order_id: r.try_get("order_id")?,
                reason: r.try_get("reason")?,
                decision: r.try_get("decision")?,
                exclusions: r.try_get("exclusions")?,
                user_id: r.try_get("user_id")?,
                at: r.try_get("at")?,
            })
        })
        .collect()
    }

    /// An order's shipments, by id.
    pub async fn order_shipments(&self, order_id: i64) -> Result<Vec<ShipmentRecord>, StoreError> {
        sqlx::query(&format!(
            "SELECT {SHIPMENT_COLUMNS} FROM shipments WHERE order_id = $1 ORDER BY id"
        ))
        .bind(order_id)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(shipment_from_row)
        .collect()
    }

    /// A shipment by id.
    pub async fn shipment(&self, id: i64) -> Result<Option<ShipmentRecord>, StoreError> {
        sqlx::query(&format!(
            "SELECT {SHIPMENT_COLUMNS} FROM shipments WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.reader())
        .await?
        .as_ref()
        .map(shipment_from_row)
        .transpose()
    }

    /// A shipment's events, oldest first.
    pub async fn shipment_events(
        &self,
        shipment_id: i64,
    ) -> Result<Vec<ShipmentEventRow>, StoreError> {
        sqlx::query(
            "SELECT id, event, status, detail, user_id, at FROM shipment_events
             WHERE shipment_id = $1 ORDER BY id",
        )
        .bind(shipment_id)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| {
            Ok(ShipmentEventRow {
                id: r.try_get("id")?,
                event: r.try_get("event")?,
                status: r.try_get("status")?,
                detail: r.try_get("detail")?,
                user_id: r.try_get("user_id")?,
                at: r.try_get("at")?,
            })
        })
        .collect()
    }

    /// A warehouse's shipments after id `after`, by id, in `status` when
    /// given; only shipments of orders that are allocated or further.
    pub async fn warehouse_shipments(
        &self,
        warehouse_id: i64,
        status: Option<&str>,
        after: i64,
        limit: u32,
    ) -> Result<Page<ShipmentRecord>, StoreError> {
        let filter = if status.is_some() {
            "AND status = $4"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {SHIPMENT_COLUMNS} FROM shipments s
             WHERE warehouse_id = $1 AND id > $2 {filter}
               AND EXISTS (SELECT 1 FROM orders o WHERE o.id = s.order_id AND o.state <> 'placed')
             ORDER BY id LIMIT $3"
        );
        let mut q = sqlx::query(&sql)
            .bind(warehouse_id)
            .bind(after)
            .bind(i64::from(limit) + 1);
        if let Some(st) = status {
            q = q.bind(st);
        }
        let rows = q
            .fetch_all(self.reader())
            .await?
            .iter()
            .map(shipment_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_rows(rows, limit, |s| s.id))
    }

    /// Pending shipments at a warehouse, created at or before `up_to`, of
    /// orders that are allocated (or partially shipped), oldest first.
    pub async fn waveable_shipments(
        &self,
        warehouse_id: i64,
        up_to: Millis,
    ) -> Result<Vec<ShipmentRecord>, StoreError> {
        sqlx::query(&format!(
            "SELECT {SHIPMENT_COLUMNS} FROM shipments s
             WHERE warehouse_id = $1 AND status = 'pending' AND created_at <= $2
               AND EXISTS (SELECT 1 FROM orders o WHERE o.id = s.order_id
                           AND o.state IN ('allocated', 'partially_shipped'))
             ORDER BY created_at, id"
        ))
        .bind(warehouse_id)
        .bind(up_to)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(shipment_from_row)
        .collect()
    }

    /// Shipments at a warehouse in a wave but not yet packed (their picks
    /// are promised to them).
    pub async fn picking_shipments(
        &self,
        warehouse_id: i64,
    ) -> Result<Vec<ShipmentRecord>, StoreError> {
        sqlx::query(&format!(
            "SELECT {SHIPMENT_COLUMNS} FROM shipments
             WHERE warehouse_id = $1 AND status = 'picking' ORDER BY id"
        ))
        .bind(warehouse_id)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(shipment_from_row)
        .collect()
    }

    // --- waves --------------------------------------------------------------------

    /// Writes a wave and puts its shipments in it with their picks; refused
    /// whole when one of them is no longer pending.
    pub async fn create_wave(
        &self,
        warehouse_id: i64,
        cutoff_at: Millis,
        pick_list: &str,
        shipments: &[WavedShipment],
        user_id: Option<i64>,
        now: Millis,
    ) -> Result<WaveRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO waves (warehouse_id, cutoff_at, pick_list, user_id, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(warehouse_id)
        .bind(cutoff_at)
        .bind(pick_list)
        .bind(user_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        for s in shipments {
            let picks =
                serde_json::to_string(&s.picks).map_err(|e| corrupt("shipments.picks", e))?;
            let changed = sqlx::query(
                "UPDATE shipments SET status = 'picking', wave_id = $1, picks = $2, updated_at = $3
                 WHERE id = $4 AND warehouse_id = $5 AND status = 'pending'",
            )
            .bind(id)
            .bind(&picks)
            .bind(now)
            .bind(s.shipment_id)
            .bind(warehouse_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                return Err(StoreError::StateConflict {
                    what: "wave",
                    reason: format!(
                        "shipment {} is no longer pending; make the wave again",
                        s.shipment_id
                    ),
                });
            }
            let detail = serde_json::json!({"wave_id": id}).to_string();
            insert_shipment_event(
                &mut tx,
                s.shipment_id,
                "wave",
                "picking",
                Some(&detail),
                user_id,
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(WaveRecord {
            id,
            warehouse_id,
            cutoff_at,
            pick_list: pick_list.to_owned(),
            user_id,
            created_at: now,
        })
    }

    /// A warehouse's waves, newest first, at most `limit`.
    pub async fn waves(
        &self,
        warehouse_id: i64,
        limit: u32,
    ) -> Result<Vec<WaveRecord>, StoreError> {
        sqlx::query(
            "SELECT id, warehouse_id, cutoff_at, pick_list, user_id, created_at FROM waves
             WHERE warehouse_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(warehouse_id)
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(wave_from_row)
        .collect()
    }

    /// One wave of a warehouse.
    pub async fn wave(&self, warehouse_id: i64, id: i64) -> Result<Option<WaveRecord>, StoreError> {
        sqlx::query(
            "SELECT id, warehouse_id, cutoff_at, pick_list, user_id, created_at FROM waves
             WHERE warehouse_id = $1 AND id = $2",
        )
        .bind(warehouse_id)
        .bind(id)
        .fetch_optional(self.reader())
        .await?
        .as_ref()
        .map(wave_from_row)
        .transpose()
    }

    // --- pack, ship, track ---------------------------------------------------------

    /// Packs a shipment in a wave: posts its `pick` entries (bins → packing
    /// station) and records the parcel, in one transaction.
    pub async fn pack_shipment(
        &self,
        id: i64,
        parcel: &str,
        picks: &[LedgerEntry],
        user_id: Option<i64>,
        now: Millis,
    ) -> Result<ShipmentRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        move_shipment(&mut tx, id, &["picking"], "packed", now).await?;
        sqlx::query("UPDATE shipments SET parcel = $1 WHERE id = $2")
            .bind(parcel)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        post_in_tx(&mut tx, self.backend(), picks).await?;
        insert_shipment_event(&mut tx, id, "pack", "packed", Some(parcel), user_id, now).await?;
        tx.commit().await?;
        self.shipment(id)
            .await?
            .ok_or(StoreError::NotFound { what: "shipment" })
    }

    /// Ships a packed shipment: commits each line's hold (the units leave
    /// the warehouse), records the tracking number, moves the order to
    /// partially shipped or shipped and writes `shipment.shipped` to the
    /// outbox, in one transaction.
    pub async fn ship_shipment(
        &self,
        id: i64,
        tracking_number: &str,
        detail: &str,
        user_id: Option<i64>,
        now: Millis,
    ) -> Result<ShipmentRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        move_shipment(&mut tx, id, &["packed"], "shipped", now).await?;
        sqlx::query("UPDATE shipments SET tracking_number = $1, shipped_at = $2 WHERE id = $3")
            .bind(tracking_number)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let s = shipment_in_tx(&mut tx, id).await?;
        for line in &s.lines {
            let record = self.held_in_tx(&mut tx, s.seller_id, line.hold_id).await?;
            let (entry, rest) = record
                .hold
                .commit(line.quantity, user_id, now)
                .map_err(StoreError::Ledger)?;
            post_in_tx(&mut tx, self.backend(), std::slice::from_ref(&entry)).await?;
            let left = rest.map_or(0, |h| h.quantity);
            self.close_hold(&mut tx, line.hold_id, left, HoldStatus::Committed, now)
                .await?;
        }
        insert_shipment_event(&mut tx, id, "ship", "shipped", Some(detail), user_id, now).await?;
        let (state, seq) = order_state_in_tx(&mut tx, s.order_id).await?;
        let others = other_statuses(&mut tx, s.order_id, id).await?;
        let all_left = others.iter().all(|st| {
            chuhai_domain::fulfilment::ShipmentStatus::parse(st)
                .is_some_and(chuhai_domain::fulfilment::ShipmentStatus::has_left)
        });
        let event = if all_left {
            OrderEvent::ShipAll
        } else {
            OrderEvent::ShipPart
        };
        let order_detail =
            serde_json::json!({"shipment_id": id, "tracking_number": tracking_number}).to_string();
        self.advance_order_in_tx(&mut tx, &s, state, event, order_detail, user_id, now)
            .await?;
        crate::webhooks::emit_in_tx(
            &mut tx,
            s.seller_id,
            "shipment.shipped",
            &shipment_webhook(&s, seq, "shipped"),
            now,
        )
        .await?;
        tx.commit().await?;
        self.shipment(id)
            .await?
            .ok_or(StoreError::NotFound { what: "shipment" })
    }

    /// Records a carrier's tracking event on a shipped parcel; `delivered`
    /// makes the shipment delivered, and the order delivered when it was
    /// its last parcel (with `shipment.delivered` to the outbox).
    pub async fn track_shipment(
        &self,
        id: i64,
        delivered: bool,
        detail: &str,
        user_id: Option<i64>,
        now: Millis,
    ) -> Result<ShipmentRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        if delivered {
            move_shipment(&mut tx, id, &["shipped"], "delivered", now).await?;
            sqlx::query("UPDATE shipments SET delivered_at = $1 WHERE id = $2")
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        } else {
            let s = shipment_in_tx(&mut tx, id).await?;
            if s.status != "shipped" {
                return Err(StoreError::StateConflict {
                    what: "shipment",
                    reason: format!("is {}; tracking applies to shipped parcels", s.status),
                });
            }
        }
        let status = if delivered { "delivered" } else { "shipped" };
        insert_shipment_event(&mut tx, id, "track", status, Some(detail), user_id, now).await?;
        if delivered {
            let s = shipment_in_tx(&mut tx, id).await?;
            let (state, seq) = order_state_in_tx(&mut tx, s.order_id).await?;
            let others = other_statuses(&mut tx, s.order_id, id).await?;
            if state == OrderState::Shipped && others.iter().all(|st| st == "delivered") {
                let order_detail = serde_json::json!({"shipment_id": id}).to_string();
                self.advance_order_in_tx(
                    &mut tx,
                    &s,
                    state,
                    OrderEvent::Deliver,
                    order_detail,
                    user_id,
                    now,
                )
                .await?;
            }
            crate::webhooks::emit_in_tx(
                &mut tx,
                s.seller_id,
                "shipment.delivered",
                &shipment_webhook(&s, seq, "delivered"),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        self.shipment(id)
            .await?
            .ok_or(StoreError::NotFound { what: "shipment" })
    }
}

/// What routing needs of a variant: weight, size and goods flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkuShipping {
    pub sku: String,
    /// Gross weight, else net weight, grams.
    pub grams: Option<i64>,
    pub length_mm: Option<i64>,
    pub width_mm: Option<i64>,
    pub height_mm: Option<i64>,
    pub goods_flags: chuhai_domain::catalog::GoodsFlags,
}

impl Store {
    /// The shipping facts of the seller's variants with these SKUs (those
    /// that exist).
    pub async fn sku_shipping(
        &self,
        organisation_id: i64,
        skus: &[&str],
    ) -> Result<Vec<SkuShipping>, StoreError> {
        let mut out = Vec::with_capacity(skus.len());
        for sku in skus {
            // Variants are written only with a generation bump.
            let found = self
                .cached(organisation_id, format!("shipping:{sku}"), async {
                    let row = sqlx::query(
                        "SELECT sku, COALESCE(grams, net_grams) AS g, length_mm, width_mm, height_mm,
                                goods_flags
                         FROM variants WHERE organisation_id = $1 AND sku = $2",
                    )
                    .bind(organisation_id)
                    .bind(*sku)
                    .fetch_optional(self.reader())
                    .await?;
                    row.map(|r| {
                        let flags: String = r.try_get("goods_flags")?;
                        Ok::<_, StoreError>(SkuShipping {
                            sku: r.try_get("sku")?,
                            grams: r.try_get("g")?,
                            length_mm: r.try_get("length_mm")?,
                            width_mm: r.try_get("width_mm")?,
                            height_mm: r.try_get("height_mm")?,
                            goods_flags: chuhai_domain::catalog::GoodsFlags::parse_list(&flags)
                                .map_err(|e| StoreError::Corrupt {
                                    column: "variants.goods_flags",
                                    reason: e.to_string(),
                                })?,
                        })
                    })
                    .transpose()
                })
                .await?;
            out.extend(found);
        }
        Ok(out)
    }
}

impl Store {
    /// Routes a shipment elsewhere, in one transaction: cancels the
    /// shipment (pending or picking), releases its holds, places the new
    /// holds (none expiring; their units may be the ones just released)
    /// and writes the new routing decision with its shipments. When a hold
    /// is refused or the shipment moved on meanwhile, nothing changes.
    /// Returns the new shipments' ids.
    #[allow(clippy::too_many_arguments)]
    pub async fn reroute_shipment(
        &self,
        seller_id: i64,
        shipment_id: i64,
        holds: &[(chuhai_domain::inventory::Hold, LedgerEntry)],
        routing: &NewRouting,
        detail: &str,
        user_id: Option<i64>,
        now: Millis,
    ) -> Result<Vec<i64>, StoreError> {
        let mut tx = self.begin_write().await?;
        move_shipment(
            &mut tx,
            shipment_id,
            &["pending", "picking"],
            "cancelled",
            now,
        )
        .await?;
        insert_shipment_event(
            &mut tx,
            shipment_id,
            "cancel",
            "cancelled",
            Some(detail),
            user_id,
            now,
        )
        .await?;
        let old = shipment_in_tx(&mut tx, shipment_id).await?;
        for line in &old.lines {
            let record = match self.held_in_tx(&mut tx, seller_id, line.hold_id).await {
                Ok(r) => r,
                Err(StoreError::Ledger(_)) => continue,
                Err(e) => return Err(e),
            };
            let entry = record.hold.release(user_id, now);
            post_in_tx(&mut tx, self.backend(), std::slice::from_ref(&entry)).await?;
            self.close_hold(&mut tx, line.hold_id, 0, HoldStatus::Released, now)
                .await?;
        }
        let placed = crate::inventory::reserve_in_tx(&mut tx, self.backend(), holds).await?;
        for hold in &placed {
            sqlx::query("INSERT INTO order_holds (order_id, hold_id) VALUES ($1, $2)")
                .bind(old.order_id)
                .bind(hold)
                .execute(&mut *tx)
                .await?;
        }
        let routing_id = insert_routing_in_tx(
            &mut tx,
            seller_id,
            old.order_id,
            "reroute",
            routing,
            &placed,
            user_id,
            now,
        )
        .await?;
        let ids = sqlx::query("SELECT id FROM shipments WHERE routing_id = $1 ORDER BY id")
            .bind(routing_id)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<Result<Vec<i64>, _>>()?;
        tx.commit().await?;
        Ok(ids)
    }
}
