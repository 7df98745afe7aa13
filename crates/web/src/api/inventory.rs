//! Warehouses and stock: warehouses and their bins, stock by SKU across
//! warehouses, the ledger, reservations, inbound shipments (ASNs), cycle
//! counts, inventory age, storage fees and slow-mover alerts.
//!
//! A warehouse's operator (a 3PL, or a seller running its own origin
//! warehouse) moves stock there for the sellers it serves; a seller sees
//! and reserves its own stock in the warehouses serving it. Any other
//! organisation's warehouse, shipment, reservation or count is not found.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chuhai_domain::accounts::Scope;
use chuhai_domain::calendar::Date;
use chuhai_domain::catalog::Sku;
use chuhai_domain::country::Country;
use chuhai_domain::inventory::{
    AgeProfile, BillingMonth, BinCode, CountScope, CountedLine, CycleCount, EntryType, LedgerEntry,
    LotCode, ReasonCode, Reference, SlowMoverAlert, StorageFeeRules, StorageFeeSchedule,
    StorageFeeVersion, TransportMode, WarehouseDraft, WarehouseKind,
};
use chuhai_store::inventory::{
    CycleCountRecord, HoldRecord, InboundRecord, NewCarton, NewInbound, ReceiveCount, StockRow,
    WarehouseLabel, WarehouseRecord, WarehouseRole,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

use super::views::ListOf;
use crate::auth::ApiPrincipal;
use crate::extract::{ApiJson, ApiPath, Pagination};
use crate::problem::Problem;
use crate::services::inventory::{self as svc, Actor, ManualEntry};
use crate::state::AppState;
use crate::time::rfc3339;

type QueryResult<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

fn query<T>(q: QueryResult<T>) -> Result<T, Problem> {
    q.map(|Query(v)| v)
        .map_err(|e| Problem::field("query", e.body_text()))
}

fn day_text(d: Option<i64>) -> Option<String> {
    d.and_then(|d| i32::try_from(d).ok())
        .and_then(Date::from_days_since_epoch)
        .map(|d| d.to_string())
}

fn parse_date(field: &str, text: Option<&str>) -> Result<Date, Problem> {
    match text {
        None => Ok(crate::time::today()),
        Some(t) => Date::parse(t).map_err(|e| Problem::field(field, e.to_string())),
    }
}

// ---------------------------------------------------------------------------
// Warehouses

#[derive(Debug, Serialize, ToSchema)]
pub struct WarehouseView {
    pub id: i64,
    /// The organisation that runs it.
    pub operator_id: i64,
    /// `operator` (you run it) or `seller` (it serves you).
    pub role: String,
    /// `origin` or `overseas`.
    pub kind: String,
    pub code: String,
    pub name: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub address: String,
    /// Decimal degrees as exact text.
    pub latitude: Option<String>,
    pub longitude: Option<String>,
    /// IANA name, e.g. `America/Los_Angeles`.
    pub time_zone: String,
    /// The offset that decides the warehouse's day for ages and fees.
    pub utc_offset_minutes: i32,
    /// Daily order cut-off, local `HH:MM`.
    pub cutoff_time: String,
    pub capacity_m2: Option<String>,
    pub capacity_m3: Option<String>,
    pub carrier_services: Vec<String>,
    /// Its bins (on a single warehouse's page).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bins: Option<Vec<String>>,
    /// The sellers it serves (shown to its operator).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seller_ids: Option<Vec<i64>>,
    pub created_at: String,
}

impl WarehouseView {
    pub fn of(w: &WarehouseRecord, role: WarehouseRole) -> Self {
        let d = &w.draft;
        Self {
            id: w.id,
            operator_id: w.operator_id,
            role: match role {
                WarehouseRole::Operator => "operator",
                WarehouseRole::Seller => "seller",
            }
            .into(),
            kind: d.kind.as_str().into(),
            code: d.code.clone(),
            name: d.name.clone(),
            country: d.country.alpha2().into(),
            address: d.address.clone(),
            latitude: d.latitude.clone(),
            longitude: d.longitude.clone(),
            time_zone: d.time_zone.clone(),
            utc_offset_minutes: d.utc_offset_minutes,
            cutoff_time: d.cutoff_time.clone(),
            capacity_m2: d.capacity_m2.clone(),
            capacity_m3: d.capacity_m3.clone(),
            carrier_services: d.carrier_services.clone(),
            bins: None,
            seller_ids: None,
            created_at: rfc3339(w.created_at),
        }
    }
}

/// A new warehouse. Warehouse operators add origin or overseas
/// warehouses; a seller may add its own origin warehouse in China.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWarehouse {
    /// `origin` (in China) or `overseas`.
    #[schema(value_type = String)]
    pub kind: WarehouseKind,
    /// 2–20 of A-Z, 0-9 and `-`, unique for its operator.
    pub code: String,
    pub name: String,
    /// ISO 3166-1 alpha-2.
    #[schema(value_type = String)]
    pub country: Country,
    pub address: String,
    /// Decimal degrees as text, e.g. "33.9416".
    pub latitude: Option<String>,
    pub longitude: Option<String>,
    pub time_zone: String,
    /// Minutes east of UTC of its standard time (Los Angeles -480).
    pub utc_offset_minutes: i32,
    /// `HH:MM`, local.
    pub cutoff_time: String,
    pub capacity_m2: Option<String>,
    pub capacity_m3: Option<String>,
    #[serde(default)]
    pub carrier_services: Vec<String>,
    /// Bin codes to create with it, e.g. `A-01-01`.
    #[serde(default)]
    pub bins: Vec<String>,
}

/// The warehouses you run and those serving you.
#[utoipa::path(get, path = "/api/v1/warehouses", tag = "inventory",
    responses((status = 200, body = ListOf<WarehouseView>)),
    security(("bearer" = [])))]
pub async fn list_warehouses(
    State(state): State<AppState>,
    principal: ApiPrincipal,
) -> Result<Json<ListOf<WarehouseView>>, Problem> {
    principal.require(Scope::InventoryRead)?;
    let list = state
        .store
        .warehouses_for(principal.0.organisation.id)
        .await?;
    Ok(Json(ListOf {
        items: list.iter().map(|(w, r)| WarehouseView::of(w, *r)).collect(),
        next_cursor: None,
    }))
}

/// Add a warehouse you run.
#[utoipa::path(post, path = "/api/v1/warehouses", tag = "inventory",
    params(("Idempotency-Key" = Option<String>, Header)), request_body = NewWarehouse,
    responses((status = 201, body = WarehouseView), (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_warehouse(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiJson(req): ApiJson<NewWarehouse>,
) -> Result<(StatusCode, Json<WarehouseView>), Problem> {
    principal.require(Scope::InventoryWrite)?;
    let draft = WarehouseDraft {
        kind: req.kind,
        code: req.code,
        name: req.name,
        country: req.country,
        address: req.address,
        latitude: req.latitude,
        longitude: req.longitude,
        time_zone: req.time_zone,
        utc_offset_minutes: req.utc_offset_minutes,
        cutoff_time: req.cutoff_time,
        capacity_m2: req.capacity_m2,
        capacity_m3: req.capacity_m3,
        carrier_services: req.carrier_services,
    };
    let w =
        svc::create_warehouse(&state.store, Actor::from(&principal.0), &draft, &req.bins).await?;
    let mut view = WarehouseView::of(&w, WarehouseRole::Operator);
    view.bins = Some(
        state
            .store
            .bins(w.id)
            .await?
            .iter()
            .map(|b| b.to_string())
            .collect(),
    );
    Ok((StatusCode::CREATED, Json(view)))
}

/// One warehouse with its bins.
#[utoipa::path(get, path = "/api/v1/warehouses/{id}", tag = "inventory",
    params(("id" = i64, Path)),
    responses((status = 200, body = WarehouseView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get_warehouse(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<WarehouseView>, Problem> {
    principal.require(Scope::InventoryRead)?;
    let (w, role) = svc::warehouse(&state.store, principal.0.organisation.id, id).await?;
    let mut view = WarehouseView::of(&w, role);
    view.bins = Some(
        state
            .store
            .bins(w.id)
            .await?
            .iter()
            .map(|b| b.to_string())
            .collect(),
    );
    if role == WarehouseRole::Operator {
        view.seller_ids = Some(state.store.warehouse_sellers(w.id).await?);
    }
    Ok(Json(view))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddSeller {
    /// The seller's slug.
    pub seller: String,
}

/// Serve a seller from a warehouse you run.
#[utoipa::path(post, path = "/api/v1/warehouses/{id}/sellers", tag = "inventory",
    params(("id" = i64, Path)), request_body = AddSeller,
    responses((status = 200, body = WarehouseView), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn add_seller(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AddSeller>,
) -> Result<Json<WarehouseView>, Problem> {
    principal.require(Scope::InventoryWrite)?;
    svc::add_seller(
        &state.store,
        Actor::from(&principal.0),
        id,
        req.seller.trim(),
    )
    .await?;
    get_warehouse(State(state), principal, ApiPath(id)).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddBins {
    /// Bin codes: 1–32 of A-Z, 0-9, `-`, `_`, `.`, `/`.
    pub codes: Vec<String>,
}

/// Add bins to a warehouse you run (existing codes are kept).
#[utoipa::path(post, path = "/api/v1/warehouses/{id}/bins", tag = "inventory",
    params(("id" = i64, Path)), request_body = AddBins,
    responses((status = 200, body = WarehouseView), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn add_bins(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AddBins>,
) -> Result<Json<WarehouseView>, Problem> {
    principal.require(Scope::InventoryWrite)?;
    svc::add_bins(&state.store, Actor::from(&principal.0), id, &req.codes).await?;
    get_warehouse(State(state), principal, ApiPath(id)).await
}

// ---------------------------------------------------------------------------
// Stock

#[derive(Debug, Serialize, ToSchema)]
pub struct StockLine {
    pub warehouse_id: i64,
    pub warehouse_code: String,
    pub warehouse_name: String,
    pub country: String,
    pub seller_id: i64,
    pub sku: String,
    pub on_hand: i64,
    pub reserved: i64,
    /// `on_hand − reserved`: what can still be promised.
    pub available: i64,
    /// On shipped inbound shipments not yet received.
    pub in_transit: i64,
    pub damaged: i64,
    /// Earliest ETA (YYYY-MM-DD) of inbound shipments bringing more.
    pub next_eta: Option<String>,
}

fn stock_line(r: &StockRow, w: Option<&WarehouseRecord>) -> StockLine {
    StockLine {
        warehouse_id: r.key.warehouse,
        warehouse_code: w.map(|w| w.draft.code.clone()).unwrap_or_default(),
        warehouse_name: w.map(|w| w.draft.name.clone()).unwrap_or_default(),
        country: w
            .map(|w| w.draft.country.alpha2().to_owned())
            .unwrap_or_default(),
        seller_id: r.key.seller,
        sku: r.key.sku.to_string(),
        on_hand: r.balance.on_hand,
        reserved: r.balance.reserved,
        available: r.balance.available(),
        in_transit: r.balance.in_transit,
        damaged: r.balance.damaged,
        next_eta: day_text(r.next_eta),
    }
}

/// A [`StockView`] of one SKU written straight from the store's rows: the
/// same JSON, without a `String` per field of each of thousands of lines.
struct SkuStockView {
    rows: Vec<(StockRow, Arc<WarehouseLabel>)>,
}

impl Serialize for SkuStockView {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeSeq, SerializeStruct};
        struct Items<'a>(&'a [(StockRow, Arc<WarehouseLabel>)]);
        struct Line<'a>(&'a StockRow, &'a WarehouseLabel);
        impl Serialize for Items<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
                for (row, label) in self.0 {
                    seq.serialize_element(&Line(row, label))?;
                }
                seq.end()
            }
        }
        impl Serialize for Line<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let (r, w) = (self.0, self.1);
                let eta = r
                    .next_eta
                    .and_then(|d| i32::try_from(d).ok())
                    .and_then(Date::from_days_since_epoch);
                let mut line = serializer.serialize_struct("StockLine", 12)?;
                line.serialize_field("warehouse_id", &r.key.warehouse)?;
                line.serialize_field("warehouse_code", &w.code)?;
                line.serialize_field("warehouse_name", &w.name)?;
                line.serialize_field("country", &w.country)?;
                line.serialize_field("seller_id", &r.key.seller)?;
                line.serialize_field("sku", r.key.sku.as_str())?;
                line.serialize_field("on_hand", &r.balance.on_hand)?;
                line.serialize_field("reserved", &r.balance.reserved)?;
                line.serialize_field("available", &r.balance.available())?;
                line.serialize_field("in_transit", &r.balance.in_transit)?;
                line.serialize_field("damaged", &r.balance.damaged)?;
                line.serialize_field("next_eta", &eta)?;
                line.end()
            }
        }
        let sum = |f: fn(&StockRow) -> i64| self.rows.iter().map(|(r, _)| f(r)).sum::<i64>();
        let totals = StockTotals {
            on_hand: sum(|r| r.balance.on_hand),
            reserved: sum(|r| r.balance.reserved),
            available: sum(|r| r.balance.available()),
            in_transit: sum(|r| r.balance.in_transit),
            damaged: sum(|r| r.balance.damaged),
        };
        let mut view = serializer.serialize_struct("StockView", 2)?;
        view.serialize_field("totals", &totals)?;
        view.serialize_field("items", &Items(&self.rows))?;
        view.end()
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StockTotals {
    pub on_hand: i64,
    pub reserved: i64,
    pub available: i64,
    pub in_transit: i64,
    pub damaged: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StockView {
    /// Sums over the lines.
    pub totals: StockTotals,
    pub items: Vec<StockLine>,
}

fn stock_view(lines: Vec<StockLine>) -> StockView {
    let sum = |f: fn(&StockLine) -> i64| lines.iter().map(f).sum();
    StockView {
        totals: StockTotals {
            on_hand: sum(|l| l.on_hand),
            reserved: sum(|l| l.reserved),
            available: sum(|l| l.available),
            in_transit: sum(|l| l.in_transit),
            damaged: sum(|l| l.damaged),
        },
        items: lines,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StockQuery {
    /// One SKU (all of yours when absent).
    pub sku: Option<String>,
}

/// Your stock across every warehouse: on hand, reserved, available and
/// in transit with the next ETA, per warehouse.
#[utoipa::path(get, path = "/api/v1/stock", tag = "inventory", params(StockQuery),
    responses((status = 200, body = StockView), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn seller_stock(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    q: QueryResult<StockQuery>,
) -> Result<Response, Problem> {
    principal.require(Scope::InventoryRead)?;
    let q = query(q)?;
    let org = principal.0.organisation.id;
    if let Some(s) = q.sku.as_deref() {
        // One SKU: the query names each warehouse (thousands of them).
        let sku = Sku::parse(s).map_err(|e| Problem::field("sku", e.to_string()))?;
        let rows = state.store.stock_by_sku(org, &sku).await?;
        return Ok(Json(SkuStockView { rows }).into_response());
    }
    let rows = state.store.stock_rows(Some(org), None).await?;
    let warehouses: std::collections::HashMap<i64, WarehouseRecord> = state
        .store
        .warehouses_for(org)
        .await?
        .into_iter()
        .map(|(w, _)| (w.id, w))
        .collect();
    Ok(Json(stock_view(
        rows.iter()
            .map(|r| stock_line(r, warehouses.get(&r.key.warehouse)))
            .collect(),
    ))
    .into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SellerFilter {
    /// For the warehouse's operator: one seller (all when absent). A
    /// seller always sees only its own.
    pub seller_id: Option<i64>,
}

/// Stock in one warehouse: every seller's for its operator, your own otherwise.
#[utoipa::path(get, path = "/api/v1/warehouses/{id}/stock", tag = "inventory",
    params(("id" = i64, Path), SellerFilter),
    responses((status = 200, body = StockView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn warehouse_stock(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    q: QueryResult<SellerFilter>,
) -> Result<Json<StockView>, Problem> {
    principal.require(Scope::InventoryRead)?;
    let q = query(q)?;
    let org = principal.0.organisation.id;
    let (w, role) = svc::warehouse(&state.store, org, id).await?;
    let seller = match role {
        WarehouseRole::Seller => Some(org),
        WarehouseRole::Operator => q.seller_id,
    };
    let rows = state.store.stock_rows(seller, Some(w.id)).await?;
    Ok(Json(stock_view(
        rows.iter().map(|r| stock_line(r, Some(&w))).collect(),
    )))
}

// ---------------------------------------------------------------------------
// Ledger

#[derive(Debug, Serialize, ToSchema)]
pub struct EntryView {
    pub id: i64,
    pub seller_id: i64,
    pub sku: String,
    pub warehouse_id: i64,
    pub bin: Option<String>,
    pub lot: Option<String>,
    /// e.g. `receipt`, `putaway`, `reservation`, `adjustment_out`.
    pub entry_type: String,
    /// Positive; the entry type gives the sign.
    pub quantity: i64,
    #[schema(value_type = Object)]
    pub reference: Reference,
    pub user_id: Option<i64>,
    pub at: String,
    pub reason_code: Option<String>,
    pub counterpart_warehouse_id: Option<i64>,
}

impl EntryView {
    pub fn of(id: i64, e: &LedgerEntry) -> Self {
        Self {
            id,
            seller_id: e.key.seller,
            sku: e.key.sku.to_string(),
            warehouse_id: e.key.warehouse,
            bin: e.bin.as_ref().map(|b| b.to_string()),
            lot: e.lot.as_ref().map(|l| l.to_string()),
            entry_type: e.entry_type.as_str().into(),
            quantity: e.quantity,
            reference: e.reference.clone(),
            user_id: e.user,
            at: rfc3339(e.at),
            reason_code: e.reason_code.as_ref().map(|r| r.to_string()),
            counterpart_warehouse_id: e.counterpart_warehouse,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerQuery {
    pub sku: Option<String>,
    /// For the operator: one seller.
    pub seller_id: Option<i64>,
}

/// The ledger of a warehouse, oldest first (every seller's for its
/// operator, your own otherwise).
#[utoipa::path(get, path = "/api/v1/warehouses/{id}/ledger", tag = "inventory",
    params(("id" = i64, Path), LedgerQuery, ("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = ListOf<EntryView>), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn warehouse_ledger(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    q: QueryResult<LedgerQuery>,
    page: Pagination,
) -> Result<Json<ListOf<EntryView>>, Problem> {
    principal.require(Scope::InventoryRead)?;
    let q = query(q)?;
    let org = principal.0.organisation.id;
    let (w, role) = svc::warehouse(&state.store, org, id).await?;
    let seller = match role {
        WarehouseRole::Seller => Some(org),
        WarehouseRole::Operator => q.seller_id,
    };
    let sku = q
        .sku
        .as_deref()
        .map(Sku::parse)
        .transpose()
        .map_err(|e| Problem::field("sku", e.to_string()))?;
    let p = state
        .store
        .ledger_entries(seller, Some(w.id), sku.as_ref(), page.after, page.limit)
        .await?;
    Ok(Json(ListOf::from_page(p, |r| {
        EntryView::of(r.id, &r.entry)
    })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEntry {
    /// The stock's owner (a seller the warehouse serves); absent means you
    /// (your own origin warehouse).
    pub seller_id: Option<i64>,
    #[schema(value_type = String)]
    pub sku: Sku,
    /// `receipt`, `return`, `putaway`, `pick`, `ship`, `adjustment_in`,
    /// `adjustment_out`, `damage` or `disposal`.
    #[schema(value_type = String)]
    pub entry_type: EntryType,
    /// Units, positive.
    pub quantity: i64,
    /// A bin of this warehouse (needed for putaway and pick).
    #[schema(value_type = Option<String>)]
    pub bin: Option<BinCode>,
    #[schema(value_type = Option<String>)]
    pub lot: Option<LotCode>,
    /// Needed for adjustments, damage and disposal, e.g. `lost`, `found`.
    #[schema(value_type = Option<String>)]
    pub reason_code: Option<ReasonCode>,
    /// The document it answers to; a manual reference when absent.
    #[schema(value_type = Option<Object>)]
    pub reference: Option<Reference>,
}

/// Record a movement at a warehouse you run: receipt, putaway to a bin,
/// pick, ship, return, adjustment (with a reason), damage or disposal.
#[utoipa::path(post, path = "/api/v1/warehouses/{id}/entries", tag = "inventory",
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header)), request_body = NewEntry,
    responses((status = 201, body = EntryView), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "Not enough stock", body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn post_entry(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<NewEntry>,
) -> Result<(StatusCode, Json<EntryView>), Problem> {
    principal.require(Scope::InventoryWrite)?;
    let (entry_id, entry) = svc::post_entry(
        &state.store,
        Actor::from(&principal.0),
        id,
        ManualEntry {
            seller_id: req.seller_id,
            sku: req.sku,
            entry_type: req.entry_type,
            quantity: req.quantity,
            bin: req.bin,
            lot: req.lot,
            reason_code: req.reason_code,
            reference: req.reference,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(EntryView::of(entry_id, &entry))))
}

// ---------------------------------------------------------------------------
// Reservations

#[derive(Debug, Serialize, ToSchema)]
pub struct ReservationView {
    pub id: i64,
    pub warehouse_id: i64,
    pub sku: String,
    /// Units still held.
    pub quantity: i64,
    #[schema(value_type = Object)]
    pub reference: Reference,
    /// `held`, `released`, `committed` or `expired`.
    pub status: String,
    pub placed_at: String,
    pub expires_at: Option<String>,
    pub closed_at: Option<String>,
}

impl From<&HoldRecord> for ReservationView {
    fn from(h: &HoldRecord) -> Self {
        Self {
            id: h.id,
            warehouse_id: h.hold.key.warehouse,
            sku: h.hold.key.sku.to_string(),
            quantity: h.hold.quantity,
            reference: h.hold.reference.clone(),
            status: h.status.as_str().into(),
            placed_at: rfc3339(h.hold.placed_at),
            expires_at: h.hold.expires_at.map(rfc3339),
            closed_at: h.closed_at.map(rfc3339),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReservation {
    pub warehouse_id: i64,
    #[schema(value_type = String)]
    pub sku: Sku,
    pub quantity: i64,
    /// `{"kind": "order" | "checkout", "id": "…"}`.
    #[schema(value_type = Object)]
    pub reference: Reference,
    /// For checkout holds: released by the sweeper after this many seconds.
    pub expires_in_seconds: Option<i64>,
}

/// Reserve available units of your stock (atomic; never below zero).
#[utoipa::path(post, path = "/api/v1/reservations", tag = "inventory",
    params(("Idempotency-Key" = Option<String>, Header)), request_body = NewReservation,
    responses((status = 201, body = ReservationView), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "Not enough available", body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_reservation(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiJson(req): ApiJson<NewReservation>,
) -> Result<(StatusCode, Json<ReservationView>), Problem> {
    principal.require(Scope::InventoryWrite)?;
    let hold = svc::reserve(
        &state.store,
        Actor::from(&principal.0),
        req.warehouse_id,
        req.sku,
        req.quantity,
        req.reference,
        req.expires_in_seconds,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(ReservationView::from(&hold))))
}

/// One of your reservations.
#[utoipa::path(get, path = "/api/v1/reservations/{id}", tag = "inventory",
    params(("id" = i64, Path)),
    responses((status = 200, body = ReservationView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get_reservation(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ReservationView>, Problem> {
    principal.require(Scope::InventoryRead)?;
    let h = state
        .store
        .hold(principal.0.organisation.id, id)
        .await?
        .ok_or_else(|| Problem::not_found("reservation"))?;
    Ok(Json(ReservationView::from(&h)))
}

/// Release a reservation: its units become available again.
#[utoipa::path(post, path = "/api/v1/reservations/{id}/release", tag = "inventory",
    params(("id" = i64, Path)),
    responses((status = 200, body = ReservationView), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn release_reservation(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ReservationView>, Problem> {
    principal.require(Scope::InventoryWrite)?;
    let p = &principal.0;
    let h = state
        .store
        .release_hold(
            p.organisation.id,
            id,
            Some(p.user.id),
            crate::time::now_millis(),
        )
        .await?;
    Ok(Json(ReservationView::from(&h)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitReservation {
    /// Units shipped (all still held when absent).
    pub quantity: Option<i64>,
    /// The bin they leave from (the packing area when absent).
    #[schema(value_type = Option<String>)]
    pub bin: Option<BinCode>,
}

/// Commit a reservation on shipment: its units leave the warehouse.
#[utoipa::path(post, path = "/api/v1/reservations/{id}/commit", tag = "inventory",
    params(("id" = i64, Path)), request_body = CommitReservation,
    responses((status = 200, body = ReservationView), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn commit_reservation(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<CommitReservation>,
) -> Result<Json<ReservationView>, Problem> {
    principal.require(Scope::InventoryWrite)?;
    let p = &principal.0;
    let h = state
        .store
        .commit_hold(
            p.organisation.id,
            id,
            req.quantity,
            req.bin,
            Some(p.user.id),
            crate::time::now_millis(),
        )
        .await?;
    Ok(Json(ReservationView::from(&h)))
}

// ---------------------------------------------------------------------------
// Inbound shipments

#[derive(Debug, Serialize, ToSchema)]
pub struct InboundLineView {
    pub sku: String,
    pub expected: i64,
    /// Null until counted.
    pub received: Option<i64>,
    pub damaged: i64,
    pub short: i64,
    pub over: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CartonView {
    pub carton_no: String,
    pub received_at: Option<String>,
    pub lines: Vec<InboundLineView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InboundView {
    pub id: i64,
    pub seller_id: i64,
    pub reference: String,
    pub origin_warehouse_id: Option<i64>,
    pub origin: String,
    pub destination_warehouse_id: i64,
    /// `sea`, `air`, `rail` or `express`.
    pub mode: String,
    pub carrier: String,
    pub tracking_no: Option<String>,
    pub container_no: Option<String>,
    pub etd: Option<String>,
    pub eta: Option<String>,
    /// `draft`, `shipped`, `arrived`, `receiving` or `closed`.
    pub status: String,
    pub created_at: String,
    pub shipped_at: Option<String>,
    pub arrived_at: Option<String>,
    pub closed_at: Option<String>,
    /// Per SKU: expected, received, damaged, short, over; set when closed.
    #[schema(value_type = Option<Object>)]
    pub discrepancies: Option<chuhai_domain::inventory::DiscrepancyReport>,
    pub cartons: Vec<CartonView>,
}

impl From<&InboundRecord> for InboundView {
    fn from(r: &InboundRecord) -> Self {
        Self {
            id: r.id,
            seller_id: r.seller_id,
            reference: r.reference.clone(),
            origin_warehouse_id: r.origin_warehouse_id,
            origin: r.origin.clone(),
            destination_warehouse_id: r.destination_warehouse_id,
            mode: r.mode.as_str().into(),
            carrier: r.carrier.clone(),
            tracking_no: r.tracking_no.clone(),
            container_no: r.container_no.clone(),
            etd: r.etd.map(|d| d.to_string()),
            eta: r.eta.map(|d| d.to_string()),
            status: r.status.as_str().into(),
            created_at: rfc3339(r.created_at),
            shipped_at: r.shipped_at.map(rfc3339),
            arrived_at: r.arrived_at.map(rfc3339),
            closed_at: r.closed_at.map(rfc3339),
            discrepancies: r.report.clone(),
            cartons: r
                .cartons
                .iter()
                .map(|c| CartonView {
                    carton_no: c.carton_no.clone(),
                    received_at: c.received_at.map(rfc3339),
                    lines: c
                        .lines
                        .iter()
                        .map(|l| InboundLineView {
                            sku: l.sku.to_string(),
                            expected: l.expected,
                            received: l.received,
                            damaged: l.damaged,
                            short: l.short,
                            over: l.over,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInboundLine {
    #[schema(value_type = String)]
    pub sku: Sku,
    pub quantity: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInboundCarton {
    pub carton_no: String,
    pub lines: Vec<NewInboundLine>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInboundShipment {
    /// Your ASN number, unique among your shipments.
    pub reference: String,
    /// Where it leaves from, e.g. "Shenzhen, Yantian port".
    pub origin: String,
    /// Your origin warehouse, when it leaves from one.
    pub origin_warehouse_id: Option<i64>,
    /// A warehouse serving you.
    pub destination_warehouse_id: i64,
    /// `sea`, `air`, `rail` or `express`.
    #[schema(value_type = String)]
    pub mode: TransportMode,
    pub carrier: String,
    pub tracking_no: Option<String>,
    pub container_no: Option<String>,
    /// YYYY-MM-DD.
    #[schema(value_type = Option<String>)]
    pub etd: Option<Date>,
    #[schema(value_type = Option<String>)]
    pub eta: Option<Date>,
    pub cartons: Vec<NewInboundCarton>,
}

/// Your inbound shipments, or (for a warehouse operator) those coming to
/// your warehouses; newest first.
#[utoipa::path(get, path = "/api/v1/inbound-shipments", tag = "inventory",
    responses((status = 200, body = ListOf<InboundView>)),
    security(("bearer" = [])))]
pub async fn list_inbound(
    State(state): State<AppState>,
    principal: ApiPrincipal,
) -> Result<Json<ListOf<InboundView>>, Problem> {
    principal.require(Scope::InventoryRead)?;
    let list = state
        .store
        .inbounds_for(principal.0.organisation.id)
        .await?;
    Ok(Json(ListOf {
        items: list.iter().map(InboundView::from).collect(),
        next_cursor: None,
    }))
}

/// Create a draft inbound shipment (ASN) with its cartons.
#[utoipa::path(post, path = "/api/v1/inbound-shipments", tag = "inventory",
    params(("Idempotency-Key" = Option<String>, Header)), request_body = NewInboundShipment,
    responses((status = 201, body = InboundView), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_inbound(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiJson(req): ApiJson<NewInboundShipment>,
) -> Result<(StatusCode, Json<InboundView>), Problem> {
    principal.require(Scope::InventoryWrite)?;
    let new = NewInbound {
        seller_id: principal.0.organisation.id,
        reference: req.reference.trim().to_owned(),
        origin_warehouse_id: req.origin_warehouse_id,
        origin: req.origin.trim().to_owned(),
        destination_warehouse_id: req.destination_warehouse_id,
        mode: req.mode,
        carrier: req.carrier.trim().to_owned(),
        tracking_no: req.tracking_no,
        container_no: req.container_no,
        etd: req.etd,
        eta: req.eta,
        cartons: req
            .cartons
            .into_iter()
            .map(|c| NewCarton {
                carton_no: c.carton_no.trim().to_owned(),
                lines: c.lines.into_iter().map(|l| (l.sku, l.quantity)).collect(),
            })
            .collect(),
    };
    let r = svc::create_inbound(&state.store, Actor::from(&principal.0), new).await?;
    Ok((StatusCode::CREATED, Json(InboundView::from(&r))))
}

/// One inbound shipment (its seller's, or its destination operator's).
#[utoipa::path(get, path = "/api/v1/inbound-shipments/{id}", tag = "inventory",
    params(("id" = i64, Path)),
    responses((status = 200, body = InboundView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get_inbound(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<InboundView>, Problem> {
    principal.require(Scope::InventoryRead)?;
    let r = svc::inbound(&state.store, principal.0.organisation.id, id).await?;
    Ok(Json(InboundView::from(&r)))
}

/// Ship a draft shipment: its units show in transit at the destination.
#[utoipa::path(post, path = "/api/v1/inbound-shipments/{id}/ship", tag = "inventory",
    params(("id" = i64, Path)),
    responses((status = 200, body = InboundView), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn ship_inbound(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<InboundView>, Problem> {
    principal.require(Scope::InventoryWrite)?;
    let r = svc::ship(&state.store, Actor::from(&principal.0), id).await?;
    Ok(Json(InboundView::from(&r)))
}

/// Mark a shipped shipment arrived at its destination.
#[utoipa::path(post, path = "/api/v1/inbound-shipments/{id}/arrive", tag = "inventory",
    params(("id" = i64, Path)),
    responses((status = 200, body = InboundView), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn arrive_inbound(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<InboundView>, Problem> {
    principal.require(Scope::InventoryWrite)?;
    let r = svc::arrive(&state.store, Actor::from(&principal.0), id).await?;
    Ok(Json(InboundView::from(&r)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiveLine {
    pub carton_no: String,
    #[schema(value_type = String)]
    pub sku: Sku,
    /// Units received in good order.
    pub received: i64,
    /// Units found damaged.
    #[serde(default)]
    pub damaged: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiveRequest {
    pub lines: Vec<ReceiveLine>,
}

/// Record counted cartons of an arrived shipment at your warehouse
/// (short and over follow from what was shipped). Nothing is posted until
/// the shipment is closed.
#[utoipa::path(post, path = "/api/v1/inbound-shipments/{id}/receive", tag = "inventory",
    params(("id" = i64, Path)), request_body = ReceiveRequest,
    responses((status = 200, body = InboundView), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "Closed or not arrived", body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn receive_inbound(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ReceiveRequest>,
) -> Result<Json<InboundView>, Problem> {
    principal.require(Scope::InventoryWrite)?;
    let counts: Vec<ReceiveCount> = req
        .lines
        .into_iter()
        .map(|l| ReceiveCount {
            carton_no: l.carton_no.trim().to_owned(),
            sku: l.sku,
            received: l.received,
            damaged: l.damaged,
        })
        .collect();
    let r = svc::receive(&state.store, Actor::from(&principal.0), id, &counts).await?;
    Ok(Json(InboundView::from(&r)))
}

/// Close a shipment at your warehouse: posts receipts, shorts, overs and
/// damage to the ledger and returns the discrepancy report.
#[utoipa::path(post, path = "/api/v1/inbound-shipments/{id}/close", tag = "inventory",
    params(("id" = i64, Path)),
    responses((status = 200, body = InboundView), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn close_inbound(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<InboundView>, Problem> {
    principal.require(Scope::InventoryWrite)?;
    let r = svc::close(&state.store, Actor::from(&principal.0), id).await?;
    Ok(Json(InboundView::from(&r)))
}

// ---------------------------------------------------------------------------
// Cycle counts

#[derive(Debug, Serialize, ToSchema)]
pub struct CountView {
    pub id: i64,
    pub warehouse_id: i64,
    /// `review`, `posted` or `cancelled`.
    pub status: String,
    pub created_at: String,
    pub posted_at: Option<String>,
    #[schema(value_type = Object)]
    pub count: CycleCount,
    /// Expected vs counted per location, the corrections posting will make
    /// and any problems that prevent posting.
    #[schema(value_type = Object)]
    pub review: chuhai_domain::inventory::CountReview,
}

fn count_view(
    r: &CycleCountRecord,
    count: CycleCount,
    review: chuhai_domain::inventory::CountReview,
) -> CountView {
    CountView {
        id: r.id,
        warehouse_id: r.warehouse_id,
        status: r.status.clone(),
        created_at: rfc3339(r.created_at),
        posted_at: r.posted_at.map(rfc3339),
        count,
        review,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CountLineInput {
    pub seller_id: i64,
    #[schema(value_type = String)]
    pub sku: Sku,
    #[schema(value_type = Option<String>)]
    pub bin: Option<BinCode>,
    #[schema(value_type = Option<String>)]
    pub lot: Option<LotCode>,
    pub counted: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, tag = "by", rename_all = "snake_case")]
pub enum CountScopeInput {
    /// Everything in one bin (`null`: the unlocated area).
    Bin {
        #[schema(value_type = Option<String>)]
        bin: Option<BinCode>,
    },
    /// One seller's SKU, wherever it is in the warehouse.
    Sku {
        seller_id: i64,
        #[schema(value_type = String)]
        sku: Sku,
    },
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCount {
    /// Your count number, e.g. `CC-2026-11-01`.
    pub reference: String,
    pub scope: CountScopeInput,
    /// Counted without seeing expected quantities.
    #[serde(default)]
    pub blind: bool,
    pub lines: Vec<CountLineInput>,
}

/// Record a cycle count at a warehouse you run; it is reviewed (expected
/// vs counted, the corrections to post) and waits for posting.
#[utoipa::path(post, path = "/api/v1/warehouses/{id}/counts", tag = "inventory",
    params(("id" = i64, Path)), request_body = NewCount,
    responses((status = 201, body = CountView), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_count(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<NewCount>,
) -> Result<(StatusCode, Json<CountView>), Problem> {
    principal.require(Scope::InventoryWrite)?;
    let scope = match req.scope {
        CountScopeInput::Bin { bin } => CountScope::Bin { warehouse: id, bin },
        CountScopeInput::Sku { seller_id, sku } => CountScope::Sku {
            seller: seller_id,
            sku,
            warehouse: id,
        },
    };
    let count = CycleCount {
        id: req.reference.trim().to_owned(),
        scope,
        blind: req.blind,
        lines: req
            .lines
            .into_iter()
            .map(|l| CountedLine {
                seller: l.seller_id,
                sku: l.sku,
                bin: l.bin,
                lot: l.lot,
                counted: l.counted,
            })
            .collect(),
    };
    let (record, review) =
        svc::record_count(&state.store, Actor::from(&principal.0), id, count.clone()).await?;
    Ok((
        StatusCode::CREATED,
        Json(count_view(&record, count, review)),
    ))
}

/// One count at a warehouse you run, with its review.
#[utoipa::path(get, path = "/api/v1/counts/{id}", tag = "inventory",
    params(("id" = i64, Path)),
    responses((status = 200, body = CountView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get_count(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<CountView>, Problem> {
    principal.require(Scope::InventoryRead)?;
    let (r, c, rv) = svc::cycle_count(&state.store, principal.0.organisation.id, id).await?;
    Ok(Json(count_view(&r, c, rv)))
}

/// Post a reviewed count's corrections (409 `count_stale` when the stock
/// changed since the review).
#[utoipa::path(post, path = "/api/v1/counts/{id}/post", tag = "inventory",
    params(("id" = i64, Path)),
    responses((status = 200, body = CountView), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn post_count(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<CountView>, Problem> {
    principal.require(Scope::InventoryWrite)?;
    svc::post_count(&state.store, Actor::from(&principal.0), id).await?;
    let (r, c, rv) = svc::cycle_count(&state.store, principal.0.organisation.id, id).await?;
    Ok(Json(count_view(&r, c, rv)))
}

// ---------------------------------------------------------------------------
// Age, fees, slow movers

#[derive(Debug, Serialize, ToSchema)]
pub struct AgeLine {
    pub seller_id: i64,
    pub sku: String,
    pub days_0_30: i64,
    pub days_31_90: i64,
    pub days_91_180: i64,
    pub days_181_365: i64,
    pub days_over_365: i64,
    pub total: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgeView {
    /// The day the ages are counted on (YYYY-MM-DD).
    pub on: String,
    pub items: Vec<AgeLine>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgeQuery {
    /// YYYY-MM-DD (default: today at the warehouse).
    pub on: Option<String>,
    pub seller_id: Option<i64>,
}

fn age_line(seller: i64, sku: &Sku, p: &AgeProfile) -> AgeLine {
    AgeLine {
        seller_id: seller,
        sku: sku.to_string(),
        days_0_30: p.days_0_30,
        days_31_90: p.days_31_90,
        days_91_180: p.days_91_180,
        days_181_365: p.days_181_365,
        days_over_365: p.days_over_365,
        total: p.total(),
    }
}

/// Inventory age buckets (0–30, 31–90, 91–180, 181–365, > 365 days) by
/// FIFO of receipts, per SKU.
#[utoipa::path(get, path = "/api/v1/warehouses/{id}/age", tag = "inventory",
    params(("id" = i64, Path), AgeQuery),
    responses((status = 200, body = AgeView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn warehouse_age(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    q: QueryResult<AgeQuery>,
) -> Result<Json<AgeView>, Problem> {
    principal.require(Scope::InventoryRead)?;
    let q = query(q)?;
    let on =
        q.on.as_deref()
            .map(|t| parse_date("on", Some(t)))
            .transpose()?;
    let (on, rows) =
        svc::ages(&state.store, Actor::from(&principal.0), id, q.seller_id, on).await?;
    Ok(Json(AgeView {
        on: on.to_string(),
        items: rows
            .iter()
            .map(|(k, p)| age_line(k.seller, &k.sku, p))
            .collect(),
    }))
}

/// The storage fee rules of a warehouse in force on its local today.
#[utoipa::path(get, path = "/api/v1/warehouses/{id}/storage-fee-rules", tag = "inventory",
    params(("id" = i64, Path)),
    responses((status = 200, description = "price_per_m3_day, free_days, surcharge_tiers", body = Object),
              (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get_fee_rules(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<StorageFeeRules>, Problem> {
    principal.require(Scope::InventoryRead)?;
    let (w, _) = svc::warehouse(&state.store, principal.0.organisation.id, id).await?;
    svc::fee_rules(&state.store, &w)
        .await?
        .map(|v| Json(v.rules))
        .ok_or_else(|| Problem::not_found("storage fee rules"))
}

/// Set the storage fee rules of a warehouse you run from its local today
/// on (a new version; past days keep the rules they had): a price per m³
/// per day, free days and long-term surcharge tiers.
#[utoipa::path(put, path = "/api/v1/warehouses/{id}/storage-fee-rules", tag = "inventory",
    params(("id" = i64, Path)),
    request_body(content = Object, description = "{\"price_per_m3_day\": {\"amount\": \"0.45\", \"currency\": \"USD\"}, \"free_days\": 30, \"surcharge_tiers\": [{\"from_age_days\": 181, \"price_per_m3_day\": {…}}]}"),
    responses((status = 200, body = Object), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn set_fee_rules(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(rules): ApiJson<StorageFeeRules>,
) -> Result<Json<StorageFeeRules>, Problem> {
    principal.require(Scope::InventoryWrite)?;
    svc::add_fee_version(
        &state.store,
        Actor::from(&principal.0),
        id,
        None,
        rules.clone(),
    )
    .await?;
    Ok(Json(rules))
}

/// Every dated version of a warehouse's storage fee rules, oldest first:
/// each is in force from its `valid_from` (the warehouse's local day) to
/// the next one's. Days before the first version are not charged.
#[utoipa::path(get, path = "/api/v1/warehouses/{id}/storage-fee-rules/versions", tag = "inventory",
    params(("id" = i64, Path)),
    responses((status = 200, description = "[{valid_from, rules}]", body = Vec<Object>),
              (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list_fee_versions(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<StorageFeeSchedule>, Problem> {
    principal.require(Scope::InventoryRead)?;
    let (w, _) = svc::warehouse(&state.store, principal.0.organisation.id, id).await?;
    Ok(Json(svc::fee_schedule(&state.store, w.id).await?))
}

/// Schedule a version of the storage fee rules of a warehouse you run,
/// from `valid_from` (YYYY-MM-DD, the warehouse's local day; today or
/// later), or replace the not yet started version from that day. A
/// version in force before today never changes, so past storage invoices
/// stay the same. Returns every version.
#[utoipa::path(post, path = "/api/v1/warehouses/{id}/storage-fee-rules/versions", tag = "inventory",
    params(("id" = i64, Path)),
    request_body(content = Object, description = "{\"valid_from\": \"2027-01-01\", \"rules\": {\"price_per_m3_day\": …, \"free_days\": 30, \"surcharge_tiers\": […]}}"),
    responses((status = 201, description = "[{valid_from, rules}]", body = Vec<Object>),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn add_fee_version(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(version): ApiJson<StorageFeeVersion>,
) -> Result<(StatusCode, Json<StorageFeeSchedule>), Problem> {
    principal.require(Scope::InventoryWrite)?;
    let schedule = svc::add_fee_version(
        &state.store,
        Actor::from(&principal.0),
        id,
        Some(version.valid_from),
        version.rules,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(schedule)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvoiceQuery {
    /// YYYY-MM.
    pub month: String,
    /// Required for the warehouse's operator.
    pub seller_id: Option<i64>,
}

/// The monthly storage invoice of one seller at one warehouse, computed
/// from the ledger (FIFO ages per day, free days, surcharge tiers).
#[utoipa::path(get, path = "/api/v1/warehouses/{id}/storage-invoice", tag = "inventory",
    params(("id" = i64, Path), InvoiceQuery),
    responses((status = 200, description = "Lines per SKU with m³-days, base fee, surcharge, total", body = Object),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn storage_invoice(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    q: QueryResult<InvoiceQuery>,
) -> Result<Json<chuhai_domain::inventory::StorageInvoice>, Problem> {
    principal.require(Scope::InventoryRead)?;
    let q = query(q)?;
    let month =
        BillingMonth::parse(&q.month).map_err(|e| Problem::field("month", e.to_string()))?;
    let invoice = svc::storage_invoice(
        &state.store,
        Actor::from(&principal.0),
        id,
        q.seller_id,
        month,
    )
    .await?;
    Ok(Json(invoice))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlowQuery {
    /// Alert for stock crossing into a surcharge tier within this many days (default 30).
    pub within_days: Option<u32>,
    pub seller_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlowMoverView {
    pub seller_id: i64,
    pub sku: String,
    pub warehouse_id: i64,
    /// The tier's start age in days.
    pub tier_from_age_days: u32,
    /// The tier's extra price per m³ per day.
    #[schema(value_type = Object)]
    pub surcharge_per_m3_day: chuhai_domain::money::Money,
    /// The day the oldest of these units is first charged the tier.
    pub crosses_on: String,
    pub days_left: u32,
    /// Units crossing within the window.
    pub quantity: i64,
    pub oldest_received_on: String,
}

impl From<&SlowMoverAlert> for SlowMoverView {
    fn from(a: &SlowMoverAlert) -> Self {
        Self {
            seller_id: a.key.seller,
            sku: a.key.sku.to_string(),
            warehouse_id: a.key.warehouse,
            tier_from_age_days: a.tier_from_age_days,
            surcharge_per_m3_day: a.surcharge_per_m3_day,
            crosses_on: a.crosses_on.to_string(),
            days_left: a.days_left,
            quantity: a.quantity,
            oldest_received_on: a.oldest_received_on.to_string(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlowMoversView {
    pub within_days: u32,
    /// Soonest first.
    pub items: Vec<SlowMoverView>,
}

/// Stock about to cross into a long-term storage surcharge tier.
#[utoipa::path(get, path = "/api/v1/warehouses/{id}/slow-movers", tag = "inventory",
    params(("id" = i64, Path), SlowQuery),
    responses((status = 200, body = SlowMoversView),
              (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn slow_movers(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    q: QueryResult<SlowQuery>,
) -> Result<Json<SlowMoversView>, Problem> {
    principal.require(Scope::InventoryRead)?;
    let q = query(q)?;
    let within = q.within_days.unwrap_or(30).min(3650);
    let alerts = svc::slow_mover_alerts(
        &state.store,
        Actor::from(&principal.0),
        id,
        q.seller_id,
        within,
    )
    .await?;
    Ok(Json(SlowMoversView {
        within_days: within,
        items: alerts.iter().map(SlowMoverView::from).collect(),
    }))
}
