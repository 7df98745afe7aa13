//! Warehouses and the inventory ledger.
//!
//! The ledger (`inventory_ledger`) is append-only; `inventory_balances`
//! (on hand, reserved, in transit, damaged per seller, SKU and warehouse)
//! and `inventory_bin_stock` (units per bin and lot) are caches of it.
//! Every change goes through [`post_in_tx`]: in one transaction it locks
//! the balances and bin rows concerned (PostgreSQL: `FOR UPDATE`, in key
//! order; SQLite: the single writer), checks every entry with the domain's
//! [`StockBook`], writes the new caches and appends the entries — all or
//! nothing. Reservations are one conditional update
//! (`… SET reserved = reserved + n WHERE … AND on_hand - reserved >= n`)
//! in the transaction that appends the `reservation` entry, so they never
//! oversell on either backend, whatever the number of servers.
//!
//! [`Store::verify_inventory`] recomputes the caches from the ledger with
//! SQL generated from the domain's effect table ([`EntryType::unit_effect`],
//! [`LedgerEntry::location_moves`]) and compares them with the domain's
//! [`compare`]; [`Store::rebuild_inventory`] replaces them.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::sync::Arc;

use chuhai_domain::calendar::Date;
use chuhai_domain::catalog::{Dimensions, Sku};
use chuhai_domain::country::Country;
use chuhai_domain::inventory::{
    closing_entries, compare, shipping_entries, AsnAction, AsnStatus, Balance, BinCode, Bucket,
    Difference, DiscrepancyReport, EntryType, Hold, LedgerEntry, LedgerError, LocationDifference,
    LocationKey, LotCode, ReasonCode, ReceivedLine, Reference, ReferenceKind, StockBook, StockKey,
    TransportMode, WarehouseDraft, WarehouseKind,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::bulk::{insert_rows, Val};
use crate::{Backend, Millis, Page, Store, StoreError};

// ---------------------------------------------------------------------------
// Records

/// A stored warehouse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarehouseRecord {
    pub id: i64,
    /// The organisation that runs it.
    pub operator_id: i64,
    pub draft: WarehouseDraft,
    pub created_at: Millis,
}

/// How an organisation may use a warehouse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarehouseRole {
    /// It runs the warehouse: sees and moves every seller's stock there.
    Operator,
    /// The warehouse serves it: it sees and reserves its own stock there.
    Seller,
}

/// A stored ledger entry with its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRow {
    pub id: i64,
    pub entry: LedgerEntry,
}

/// One warehouse's stock of a SKU, with the earliest ETA of inbound
/// shipments bringing more (days since 1970-01-01).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockRow {
    pub key: StockKey,
    pub balance: Balance,
    pub next_eta: Option<i64>,
}

/// What a stock line shows of its warehouse.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WarehouseLabel {
    pub code: String,
    pub name: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
}

/// Where a hold is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldStatus {
    Held,
    Released,
    Committed,
    Expired,
}

impl HoldStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            HoldStatus::Held => "held",
            HoldStatus::Released => "released",
            HoldStatus::Committed => "committed",
            HoldStatus::Expired => "expired",
        }
    }

    fn parse(s: &str) -> Result<HoldStatus, StoreError> {
        Ok(match s {
            "held" => HoldStatus::Held,
            "released" => HoldStatus::Released,
            "committed" => HoldStatus::Committed,
            "expired" => HoldStatus::Expired,
            other => return Err(corrupt("inventory_holds.status", other)),
        })
    }
}

/// A stored reservation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldRecord {
    pub id: i64,
    /// Units still held in `hold.quantity` (0 once closed).
    pub hold: Hold,
    pub status: HoldStatus,
    pub closed_at: Option<Millis>,
}

/// What `verify` found: cached balances and bin stock that differ from
/// the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VerifyReport {
    pub entries: i64,
    pub balances_checked: usize,
    pub locations_checked: usize,
    pub balances: Vec<Difference>,
    pub locations: Vec<LocationDifference>,
}

impl VerifyReport {
    pub fn is_clean(&self) -> bool {
        self.balances.is_empty() && self.locations.is_empty()
    }
}

/// What `rebuild` wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RebuildReport {
    pub entries: i64,
    pub balances: u64,
    pub locations: u64,
}

/// A new inbound shipment (ASN) with its cartons.
#[derive(Debug, Clone)]
pub struct NewInbound {
    pub seller_id: i64,
    pub reference: String,
    pub origin_warehouse_id: Option<i64>,
    pub origin: String,
    pub destination_warehouse_id: i64,
    pub mode: TransportMode,
    pub carrier: String,
    pub tracking_no: Option<String>,
    pub container_no: Option<String>,
    pub etd: Option<Date>,
    pub eta: Option<Date>,
    pub cartons: Vec<NewCarton>,
}

#[derive(Debug, Clone)]
pub struct NewCarton {
    pub carton_no: String,
    pub lines: Vec<(Sku, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundLineRecord {
    pub id: i64,
    pub sku: Sku,
    pub expected: i64,
    pub received: Option<i64>,
    pub damaged: i64,
    pub short: i64,
    pub over: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartonRecord {
    pub id: i64,
    pub carton_no: String,
    pub received_at: Option<Millis>,
    pub lines: Vec<InboundLineRecord>,
}

/// A stored inbound shipment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundRecord {
    pub id: i64,
    pub seller_id: i64,
    pub reference: String,
    pub origin_warehouse_id: Option<i64>,
    pub origin: String,
    pub destination_warehouse_id: i64,
    pub mode: TransportMode,
    pub carrier: String,
    pub tracking_no: Option<String>,
    pub container_no: Option<String>,
    pub etd: Option<Date>,
    pub eta: Option<Date>,
    pub status: AsnStatus,
    pub created_at: Millis,
    pub shipped_at: Option<Millis>,
    pub arrived_at: Option<Millis>,
    pub closed_at: Option<Millis>,
    pub report: Option<DiscrepancyReport>,
    pub cartons: Vec<CartonRecord>,
}

impl InboundRecord {
    /// The ledger reference of this shipment: `asn` / its reference.
    pub fn ledger_reference(&self) -> Result<Reference, StoreError> {
        Reference::new(ReferenceKind::Asn, self.reference.clone()).map_err(StoreError::Ledger)
    }

    /// Every carton line as the domain counts it.
    pub fn received_lines(&self) -> Vec<ReceivedLine> {
        self.cartons
            .iter()
            .flat_map(|c| {
                c.lines.iter().map(|l| ReceivedLine {
                    carton: c.carton_no.clone(),
                    sku: l.sku.clone(),
                    expected: l.expected,
                    received: l.received,
                    damaged: l.damaged,
                })
            })
            .collect()
    }
}

/// One counted line of a receipt: carton, SKU, units in good order, damaged.
#[derive(Debug, Clone)]
pub struct ReceiveCount {
    pub carton_no: String,
    pub sku: Sku,
    pub received: i64,
    pub damaged: i64,
}

/// A stored cycle count with its review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleCountRecord {
    pub id: i64,
    pub warehouse_id: i64,
    /// JSON of the domain's `CycleCount`.
    pub count_body: String,
    /// JSON of the domain's `CountReview` made when it was recorded.
    pub review: String,
    /// `review`, `posted` or `cancelled`.
    pub status: String,
    pub created_by: Option<i64>,
    pub created_at: Millis,
    pub posted_at: Option<Millis>,
}

// ---------------------------------------------------------------------------
// Row mapping

fn corrupt(column: &'static str, reason: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        column,
        reason: reason.to_string(),
    }
}

fn sku(text: String, column: &'static str) -> Result<Sku, StoreError> {
    Sku::parse(&text).map_err(|e| corrupt(column, e))
}

fn reference_kind(text: &str) -> Result<ReferenceKind, StoreError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|e| corrupt("reference_kind", e))
}

fn reference_kind_name(kind: ReferenceKind) -> String {
    match serde_json::to_value(kind) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn day(d: Option<i64>) -> Option<Date> {
    d.and_then(|d| i32::try_from(d).ok())
        .and_then(Date::from_days_since_epoch)
}

fn days(d: Option<Date>) -> Option<i64> {
    d.map(|d| i64::from(d.days_since_epoch()))
}

const WAREHOUSE_COLUMNS: &str =
    "w.id, w.operator_id, w.kind, w.code, w.name, w.country, w.address, \
     w.latitude, w.longitude, w.time_zone, w.utc_offset_minutes, w.cutoff_time, w.capacity_m2, \
     w.capacity_m3, w.carrier_services, w.created_at";

fn warehouse_from_row(r: &AnyRow) -> Result<WarehouseRecord, StoreError> {
    let kind: String = r.try_get("kind")?;
    let country: String = r.try_get("country")?;
    let services: String = r.try_get("carrier_services")?;
    let offset: i64 = r.try_get("utc_offset_minutes")?;
    Ok(WarehouseRecord {
        id: r.try_get("id")?,
        operator_id: r.try_get("operator_id")?,
        draft: WarehouseDraft {
            kind: kind
                .parse::<WarehouseKind>()
                .map_err(|e| corrupt("warehouses.kind", e))?,
            code: r.try_get("code")?,
            name: r.try_get("name")?,
            country: Country::from_alpha2(&country)
                .map_err(|e| corrupt("warehouses.country", e))?,
            address: r.try_get("address")?,
            latitude: r.try_get("latitude")?,
            longitude: r.try_get("longitude")?,
            time_zone: r.try_get("time_zone")?,
            utc_offset_minutes: i32::try_from(offset)
                .map_err(|e| corrupt("warehouses.utc_offset_minutes", e))?,
            cutoff_time: r.try_get("cutoff_time")?,
            capacity_m2: r.try_get("capacity_m2")?,
            capacity_m3: r.try_get("capacity_m3")?,
            carrier_services: serde_json::from_str(&services)
                .map_err(|e| corrupt("warehouses.carrier_services", e))?,
        },
        created_at: r.try_get("created_at")?,
    })
}

const LEDGER_COLUMNS: &str = "id, seller_id, sku, warehouse_id, bin, lot, entry_type, quantity, \
     reference_kind, reference_id, user_id, at, reason_code, counterpart_warehouse_id";

fn ledger_from_row(r: &AnyRow) -> Result<LedgerRow, StoreError> {
    let bad = |c: &'static str| move |e: LedgerError| corrupt(c, e);
    let entry_type: String = r.try_get("entry_type")?;
    let bin: Option<String> = r.try_get("bin")?;
    let lot: Option<String> = r.try_get("lot")?;
    let reason: Option<String> = r.try_get("reason_code")?;
    let kind: String = r.try_get("reference_kind")?;
    let mut entry = LedgerEntry::new(
        StockKey::new(
            r.try_get("seller_id")?,
            sku(r.try_get("sku")?, "inventory_ledger.sku")?,
            r.try_get("warehouse_id")?,
        ),
        entry_type
            .parse::<EntryType>()
            .map_err(bad("inventory_ledger.entry_type"))?,
        r.try_get("quantity")?,
        Reference {
            kind: reference_kind(&kind)?,
            id: r.try_get("reference_id")?,
        },
        r.try_get("at")?,
    )
    .with_bin(
        bin.as_deref()
            .map(BinCode::parse)
            .transpose()
            .map_err(bad("inventory_ledger.bin"))?,
    )
    .with_lot(
        lot.as_deref()
            .map(LotCode::parse)
            .transpose()
            .map_err(bad("inventory_ledger.lot"))?,
    )
    .with_user(r.try_get("user_id")?);
    if let Some(reason) = reason {
        entry = entry
            .with_reason(ReasonCode::parse(&reason).map_err(bad("inventory_ledger.reason_code"))?);
    }
    if let Some(other) = r.try_get::<Option<i64>, _>("counterpart_warehouse_id")? {
        entry = entry.with_counterpart(other);
    }
    Ok(LedgerRow {
        id: r.try_get("id")?,
        entry,
    })
}

fn balance_from_row(r: &AnyRow) -> Result<(StockKey, Balance), StoreError> {
    Ok((
        StockKey::new(
            r.try_get("seller_id")?,
            sku(r.try_get("sku")?, "inventory_balances.sku")?,
            r.try_get("warehouse_id")?,
        ),
        Balance {
            on_hand: r.try_get("on_hand")?,
            reserved: r.try_get("reserved")?,
            in_transit: r.try_get("in_transit")?,
            damaged: r.try_get("damaged")?,
        },
    ))
}

fn location_from_row(r: &AnyRow) -> Result<(LocationKey, i64), StoreError> {
    let bin: String = r.try_get("bin")?;
    let lot: String = r.try_get("lot")?;
    Ok((
        LocationKey {
            stock: StockKey::new(
                r.try_get("seller_id")?,
                sku(r.try_get("sku")?, "inventory_bin_stock.sku")?,
                r.try_get("warehouse_id")?,
            ),
            bin: (!bin.is_empty())
                .then(|| BinCode::parse(&bin))
                .transpose()
                .map_err(|e| corrupt("inventory_bin_stock.bin", e))?,
            lot: (!lot.is_empty())
                .then(|| LotCode::parse(&lot))
                .transpose()
                .map_err(|e| corrupt("inventory_bin_stock.lot", e))?,
        },
        r.try_get("units")?,
    ))
}

const HOLD_COLUMNS: &str = "id, seller_id, sku, warehouse_id, reference_kind, reference_id, \
     quantity, placed_at, expires_at, status, closed_at";

fn hold_from_row(r: &AnyRow) -> Result<HoldRecord, StoreError> {
    let kind: String = r.try_get("reference_kind")?;
    let status: String = r.try_get("status")?;
    Ok(HoldRecord {
        id: r.try_get("id")?,
        hold: Hold {
            key: StockKey::new(
                r.try_get("seller_id")?,
                sku(r.try_get("sku")?, "inventory_holds.sku")?,
                r.try_get("warehouse_id")?,
            ),
            reference: Reference {
                kind: reference_kind(&kind)?,
                id: r.try_get("reference_id")?,
            },
            quantity: r.try_get("quantity")?,
            placed_at: r.try_get("placed_at")?,
            expires_at: r.try_get("expires_at")?,
        },
        status: HoldStatus::parse(&status)?,
        closed_at: r.try_get("closed_at")?,
    })
}

// ---------------------------------------------------------------------------
// Posting

/// `[[seller, sku, warehouse], …]` as JSON, for joins against a key list.
fn keys_json(keys: &BTreeSet<StockKey>) -> String {
    let rows: Vec<serde_json::Value> = keys
        .iter()
        .map(|k| serde_json::json!([k.seller, k.sku.as_str(), k.warehouse]))
        .collect();
    serde_json::Value::from(rows).to_string()
}

fn location_columns(l: &LocationKey) -> (String, String) {
    (
        l.bin
            .as_ref()
            .map(|b| b.as_str().to_owned())
            .unwrap_or_default(),
        l.lot
            .as_ref()
            .map(|b| b.as_str().to_owned())
            .unwrap_or_default(),
    )
}

fn locations_json(keys: &BTreeSet<LocationKey>) -> String {
    let rows: Vec<serde_json::Value> = keys
        .iter()
        .map(|l| {
            let (bin, lot) = location_columns(l);
            serde_json::json!([
                l.stock.seller,
                l.stock.sku.as_str(),
                l.stock.warehouse,
                bin,
                lot
            ])
        })
        .collect();
    serde_json::Value::from(rows).to_string()
}

/// The JSON list `$1` as rows with columns `c0 … cN` (integers where `ints`).
fn json_rows(backend: Backend, ints: &[bool]) -> String {
    let cols: Vec<String> = ints
        .iter()
        .enumerate()
        .map(|(i, int)| match (backend, int) {
            (Backend::Sqlite, _) => format!("value ->> {i} AS c{i}"),
            (Backend::Postgres, true) => format!("(e ->> {i})::bigint AS c{i}"),
            (Backend::Postgres, false) => format!("e ->> {i} AS c{i}"),
        })
        .collect();
    match backend {
        Backend::Sqlite => format!("(SELECT {} FROM json_each($1))", cols.join(", ")),
        Backend::Postgres => format!(
            "(SELECT {} FROM jsonb_array_elements($1::jsonb) AS e)",
            cols.join(", ")
        ),
    }
}

fn with_index(index: usize, many: bool, e: LedgerError) -> StoreError {
    if !many {
        return StoreError::Ledger(e);
    }
    StoreError::Ledger(match e {
        LedgerError::Invalid { field, reason } => LedgerError::Invalid {
            field: format!("entries[{index}].{field}"),
            reason,
        },
        other => other,
    })
}

/// Posts `entries` in the caller's write transaction: checks each with the
/// domain rules against the locked caches, refuses bins that are not the
/// warehouse's, writes the caches and appends the entries. On any refusal
/// nothing is written (the caller drops the transaction). Returns the new
/// entries' ids, ascending.
pub(crate) async fn post_in_tx(
    conn: &mut AnyConnection,
    backend: Backend,
    entries: &[LedgerEntry],
) -> Result<Vec<i64>, StoreError> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let many = entries.len() > 1;
    for (i, e) in entries.iter().enumerate() {
        e.validate().map_err(|err| with_index(i, many, err))?;
    }
    // Bins must be bins of the entry's warehouse.
    let mut bins: BTreeSet<(i64, &str)> = BTreeSet::new();
    for e in entries {
        if let Some(b) = &e.bin {
            bins.insert((e.key.warehouse, b.as_str()));
        }
    }
    if !bins.is_empty() {
        let list: Vec<serde_json::Value> = bins
            .iter()
            .map(|(w, b)| serde_json::json!([w, b]))
            .collect();
        let found = sqlx::query(&format!(
            "SELECT j.c0 AS warehouse_id, j.c1 AS code FROM {} j
             JOIN warehouse_bins b ON b.warehouse_id = j.c0 AND b.code = j.c1",
            json_rows(backend, &[true, false])
        ))
        .bind(serde_json::Value::from(list).to_string())
        .fetch_all(&mut *conn)
        .await?;
        let found: BTreeSet<(i64, String)> = found
            .iter()
            .map(|r| Ok((r.try_get("warehouse_id")?, r.try_get("code")?)))
            .collect::<Result<_, StoreError>>()?;
        for (i, e) in entries.iter().enumerate() {
            if let Some(b) = &e.bin {
                if !found.contains(&(e.key.warehouse, b.as_str().to_owned())) {
                    return Err(with_index(
                        i,
                        many,
                        LedgerError::Invalid {
                            field: "bin".into(),
                            reason: format!("{b} is not a bin of warehouse {}", e.key.warehouse),
                        },
                    ));
                }
            }
        }
    }
    let keys: BTreeSet<StockKey> = entries.iter().map(|e| e.key.clone()).collect();
    let mut locations: BTreeSet<LocationKey> = BTreeSet::new();
    for e in entries {
        for m in e.location_moves() {
            locations.insert(LocationKey {
                stock: e.key.clone(),
                bin: m.bin.cloned(),
                lot: e.lot.clone(),
            });
        }
    }
    let lock = match backend {
        Backend::Sqlite => "",
        Backend::Postgres => " FOR UPDATE OF b",
    };
    // Rows must exist to be locked; new keys start at zero.
    let key_rows: Vec<Vec<Val>> = keys
        .iter()
        .map(|k| {
            vec![
                Val::Int(k.seller),
                Val::Text(k.sku.as_str().to_owned()),
                Val::Int(k.warehouse),
                Val::Int(0),
                Val::Int(0),
                Val::Int(0),
                Val::Int(0),
            ]
        })
        .collect();
    insert_rows(
        conn,
        backend,
        "inventory_balances",
        &[
            "seller_id",
            "sku",
            "warehouse_id",
            "on_hand",
            "reserved",
            "in_transit",
            "damaged",
        ],
        "ON CONFLICT (seller_id, sku, warehouse_id) DO NOTHING",
        key_rows,
    )
    .await?;
    let rows = sqlx::query(&format!(
        "SELECT b.seller_id, b.sku, b.warehouse_id, b.on_hand, b.reserved, b.in_transit, b.damaged
         FROM {} j JOIN inventory_balances b
           ON b.seller_id = j.c0 AND b.sku = j.c1 AND b.warehouse_id = j.c2
         ORDER BY b.seller_id, b.sku, b.warehouse_id{lock}",
        json_rows(backend, &[true, false, true])
    ))
    .bind(keys_json(&keys))
    .fetch_all(&mut *conn)
    .await?;
    let balances: HashMap<StockKey, Balance> = rows
        .iter()
        .map(balance_from_row)
        .collect::<Result<_, _>>()?;
    let mut held: HashMap<LocationKey, i64> = HashMap::new();
    if !locations.is_empty() {
        let rows = sqlx::query(&format!(
            "SELECT b.seller_id, b.sku, b.warehouse_id, b.bin, b.lot, b.units
             FROM {} j JOIN inventory_bin_stock b
               ON b.seller_id = j.c0 AND b.sku = j.c1 AND b.warehouse_id = j.c2
              AND b.bin = j.c3 AND b.lot = j.c4
             ORDER BY b.seller_id, b.sku, b.warehouse_id, b.bin, b.lot{lock}",
            json_rows(backend, &[true, false, true, false, false])
        ))
        .bind(locations_json(&locations))
        .fetch_all(&mut *conn)
        .await?;
        held = rows
            .iter()
            .map(location_from_row)
            .collect::<Result<_, _>>()?;
    }
    let mut book = StockBook::from_parts(balances, held);
    for (i, e) in entries.iter().enumerate() {
        book.post(e).map_err(|err| with_index(i, many, err))?;
    }
    let balance_rows: Vec<Vec<Val>> = keys
        .iter()
        .map(|k| {
            let b = book.balance(k);
            vec![
                Val::Int(k.seller),
                Val::Text(k.sku.as_str().to_owned()),
                Val::Int(k.warehouse),
                Val::Int(b.on_hand),
                Val::Int(b.reserved),
                Val::Int(b.in_transit),
                Val::Int(b.damaged),
            ]
        })
        .collect();
    insert_rows(
        conn,
        backend,
        "inventory_balances",
        &[
            "seller_id",
            "sku",
            "warehouse_id",
            "on_hand",
            "reserved",
            "in_transit",
            "damaged",
        ],
        "ON CONFLICT (seller_id, sku, warehouse_id) DO UPDATE SET on_hand = excluded.on_hand, \
         reserved = excluded.reserved, in_transit = excluded.in_transit, damaged = excluded.damaged",
        balance_rows,
    )
    .await?;
    let location_rows: Vec<Vec<Val>> = locations
        .iter()
        .map(|l| {
            let (bin, lot) = location_columns(l);
            vec![
                Val::Int(l.stock.seller),
                Val::Text(l.stock.sku.as_str().to_owned()),
                Val::Int(l.stock.warehouse),
                Val::Text(bin),
                Val::Text(lot),
                Val::Int(book.units_at(l)),
            ]
        })
        .collect();
    insert_rows(
        conn,
        backend,
        "inventory_bin_stock",
        &["seller_id", "sku", "warehouse_id", "bin", "lot", "units"],
        "ON CONFLICT (seller_id, sku, warehouse_id, bin, lot) DO UPDATE SET units = excluded.units",
        location_rows,
    )
    .await?;
    append_entries(conn, backend, entries).await
}

/// Appends entries to the ledger (already checked); returns their ids.
async fn append_entries(
    conn: &mut AnyConnection,
    backend: Backend,
    entries: &[LedgerEntry],
) -> Result<Vec<i64>, StoreError> {
    let mut ids = Vec::with_capacity(entries.len());
    for chunk in entries.chunks(20_000) {
        let mut json = String::from("[");
        for (i, e) in chunk.iter().enumerate() {
            if i > 0 {
                json.push(',');
            }
            let row = serde_json::json!([
                e.key.seller,
                e.key.sku.as_str(),
                e.key.warehouse,
                e.bin.as_ref().map(|b| b.as_str()),
                e.lot.as_ref().map(|l| l.as_str()),
                e.entry_type.as_str(),
                e.quantity,
                reference_kind_name(e.reference.kind),
                e.reference.id,
                e.user,
                e.at,
                e.reason_code.as_ref().map(|r| r.as_str()),
                e.counterpart_warehouse,
            ]);
            let _ = write!(json, "{row}");
        }
        json.push(']');
        let rows = sqlx::query(&format!(
            "INSERT INTO inventory_ledger (seller_id, sku, warehouse_id, bin, lot, entry_type, quantity,
               reference_kind, reference_id, user_id, at, reason_code, counterpart_warehouse_id)
             SELECT c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12 FROM {} j WHERE true
             RETURNING id",
            json_rows(
                backend,
                &[
                    true, false, true, false, false, false, true, false, false, true, true, false,
                    true
                ]
            )
        ))
        .bind(json)
        .fetch_all(&mut *conn)
        .await?;
        for r in rows {
            ids.push(r.try_get::<i64, _>("id")?);
        }
    }
    ids.sort_unstable();
    Ok(ids)
}

// ---------------------------------------------------------------------------
// Reservations

/// The labels of warehouses by id, kept for the life of the store. A
/// warehouse's code, name and country never change once created (this
/// store has no statement that updates a warehouse row, and ids are never
/// reused), so a label read once stays true on every server sharing the
/// database. A future warehouse edit must clear this map.
#[derive(Debug, Default)]
pub(crate) struct WarehouseLabels {
    by_id: std::sync::RwLock<HashMap<i64, Arc<WarehouseLabel>>>,
}

/// Reservations waiting to be placed together (see [`Store::reserve`]).
#[derive(Default)]
pub(crate) struct ReserveQueue {
    pending: std::sync::Mutex<Vec<PendingReserve>>,
    /// Held by the request placing a batch.
    leader: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for ReserveQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReserveQueue")
    }
}

impl ReserveQueue {
    fn push(&self, p: PendingReserve) {
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(p);
    }

    fn take(&self) -> Vec<PendingReserve> {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

pub(crate) struct PendingReserve {
    hold: Hold,
    entry: LedgerEntry,
    reply: tokio::sync::oneshot::Sender<Result<HoldRecord, StoreError>>,
}

/// Inserts held holds in the order given; returns their ids in that order.
async fn insert_holds(
    conn: &mut AnyConnection,
    backend: Backend,
    holds: &[&Hold],
) -> Result<Vec<i64>, StoreError> {
    let rows: Vec<serde_json::Value> = holds
        .iter()
        .map(|h| {
            serde_json::json!([
                h.key.seller,
                h.key.sku.as_str(),
                h.key.warehouse,
                reference_kind_name(h.reference.kind),
                h.reference.id,
                h.quantity,
                h.placed_at,
                h.expires_at
            ])
        })
        .collect();
    let columns =
        "seller_id, sku, warehouse_id, reference_kind, reference_id, quantity, placed_at, \
                   expires_at, status";
    // Rows are inserted in array order, so their new ids ascend in it.
    let sql = match backend {
        Backend::Sqlite => format!(
            "INSERT INTO inventory_holds ({columns})
             SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5,
                    value ->> 6, value ->> 7, 'held'
             FROM json_each($1) ORDER BY key RETURNING id"
        ),
        Backend::Postgres => format!(
            "INSERT INTO inventory_holds ({columns})
             SELECT (e ->> 0)::bigint, e ->> 1, (e ->> 2)::bigint, e ->> 3, e ->> 4,
                    (e ->> 5)::bigint, (e ->> 6)::bigint, (e ->> 7)::bigint, 'held'
             FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(e, n) ORDER BY n
             RETURNING id"
        ),
    };
    let returned = sqlx::query(&sql)
        .bind(serde_json::Value::from(rows).to_string())
        .fetch_all(&mut *conn)
        .await?;
    let mut ids: Vec<i64> = returned
        .iter()
        .map(|r| r.try_get::<i64, _>("id"))
        .collect::<Result<_, _>>()?;
    ids.sort_unstable();
    if ids.len() != holds.len() {
        return Err(copy_error("not every hold was stored"));
    }
    Ok(ids)
}

/// Places `holds` in the caller's write transaction: each one's
/// conditional update (in key order, as every other posting locks rows),
/// then their `reservation` entries and hold rows. Refused with
/// `LedgerError::Insufficient` (bucket `available`) at the first hold that
/// finds fewer units available; the caller then drops the transaction and
/// nothing is held. Returns the holds' ids in the order given.
pub(crate) async fn reserve_in_tx(
    conn: &mut AnyConnection,
    backend: Backend,
    holds: &[(Hold, LedgerEntry)],
) -> Result<Vec<i64>, StoreError> {
    if holds.is_empty() {
        return Ok(Vec::new());
    }
    for (hold, entry) in holds {
        check_reservation(hold, entry)?;
    }
    let mut order: Vec<usize> = (0..holds.len()).collect();
    order.sort_by(|&a, &b| holds[a].0.key.cmp(&holds[b].0.key));
    for &i in &order {
        let hold = &holds[i].0;
        if !reserve_update(&mut *conn, hold).await? {
            let have = available_in(&mut *conn, &hold.key).await?;
            return Err(insufficient_to_reserve(hold, have));
        }
    }
    let entries: Vec<LedgerEntry> = holds.iter().map(|(_, e)| e.clone()).collect();
    append_entries(&mut *conn, backend, &entries).await?;
    let rows: Vec<&Hold> = holds.iter().map(|(h, _)| h).collect();
    // Ids ascend in the order the rows are given.
    insert_holds(&mut *conn, backend, &rows).await
}

/// Refuses an entry that is not the `reservation` entry of `hold`.
fn check_reservation(hold: &Hold, entry: &LedgerEntry) -> Result<(), StoreError> {
    entry.validate().map_err(StoreError::Ledger)?;
    if entry.entry_type != EntryType::Reservation
        || entry.key != hold.key
        || entry.quantity != hold.quantity
    {
        return Err(StoreError::Ledger(LedgerError::Invalid {
            field: "entry".into(),
            reason: "is not the reservation entry of this hold".into(),
        }));
    }
    Ok(())
}

/// A storage failure told to each request of a failed batch.
fn copy_error(message: &str) -> StoreError {
    StoreError::Backend(Box::new(std::io::Error::other(message.to_owned())))
}

/// The conditional update: holds `hold.quantity` more units if that many
/// are available. Returns whether it did.
async fn reserve_update(conn: &mut AnyConnection, hold: &Hold) -> Result<bool, StoreError> {
    let k = &hold.key;
    let n = sqlx::query(
        "UPDATE inventory_balances SET reserved = reserved + $1
         WHERE seller_id = $2 AND sku = $3 AND warehouse_id = $4 AND on_hand - reserved >= $1",
    )
    .bind(hold.quantity)
    .bind(k.seller)
    .bind(k.sku.as_str())
    .bind(k.warehouse)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

async fn available_in(conn: &mut AnyConnection, key: &StockKey) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "SELECT on_hand - reserved AS available FROM inventory_balances
         WHERE seller_id = $1 AND sku = $2 AND warehouse_id = $3",
    )
    .bind(key.seller)
    .bind(key.sku.as_str())
    .bind(key.warehouse)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        Some(r) => r.try_get("available")?,
        None => 0,
    })
}

fn insufficient_to_reserve(hold: &Hold, have: i64) -> StoreError {
    StoreError::Ledger(LedgerError::Insufficient {
        bucket: Bucket::Available,
        have,
        need: hold.quantity,
        reason: format!(
            "reservation of {} refused for {}: only {have} available",
            hold.quantity, hold.key
        ),
    })
}

// ---------------------------------------------------------------------------
// The SQL fold, generated from the domain's table

/// `SUM(quantity * CASE entry_type WHEN … END) AS <bucket>` for a bucket.
fn bucket_sum(name: &str, sign: impl Fn(EntryType) -> i64) -> String {
    let mut s = String::from("CAST(COALESCE(SUM(quantity * CASE entry_type");
    for t in EntryType::ALL {
        let v = sign(t);
        if v != 0 {
            let _ = write!(s, " WHEN '{}' THEN {v}", t.as_str());
        }
    }
    let _ = write!(s, " ELSE 0 END), 0) AS BIGINT) AS {name}");
    s
}

fn balance_fold_sql() -> String {
    format!(
        "SELECT seller_id, sku, warehouse_id, {}, {}, {}, {} FROM inventory_ledger
         GROUP BY seller_id, sku, warehouse_id",
        bucket_sum("on_hand", |t| t.unit_effect().on_hand),
        bucket_sum("reserved", |t| t.unit_effect().reserved),
        bucket_sum("in_transit", |t| t.unit_effect().in_transit),
        bucket_sum("damaged", |t| t.unit_effect().damaged),
    )
}

/// The per-unit change an entry type makes at the entry's own bin and in
/// the unlocated area when it names a bin (from the domain's location rules).
fn location_signs(t: EntryType) -> (i64, i64) {
    let probe = LedgerEntry::new(
        StockKey::new(1, Sku::parse("PROBE").expect("a valid SKU"), 1),
        t,
        1,
        Reference {
            kind: ReferenceKind::Manual,
            id: "probe".into(),
        },
        0,
    )
    .with_bin(Some(BinCode::parse("PROBE").expect("a valid bin")));
    let (mut at_bin, mut unlocated) = (0, 0);
    for m in probe.location_moves() {
        match m.bin {
            Some(_) => at_bin += m.delta,
            None => unlocated += m.delta,
        }
    }
    (at_bin, unlocated)
}

fn location_fold_sql() -> String {
    let case = |pick: fn((i64, i64)) -> i64| {
        let mut s = String::from("quantity * CASE entry_type");
        let mut types = Vec::new();
        for t in EntryType::ALL {
            let v = pick(location_signs(t));
            if v != 0 {
                let _ = write!(s, " WHEN '{}' THEN {v}", t.as_str());
                types.push(format!("'{}'", t.as_str()));
            }
        }
        s.push_str(" ELSE 0 END");
        (s, types.join(", "))
    };
    let (at_bin, at_bin_types) = case(|(b, _)| b);
    let (unlocated, unlocated_types) = case(|(_, u)| u);
    format!(
        "SELECT seller_id, sku, warehouse_id, bin, lot, CAST(SUM(units) AS BIGINT) AS units FROM (
           SELECT seller_id, sku, warehouse_id, COALESCE(bin, '') AS bin, COALESCE(lot, '') AS lot,
                  {at_bin} AS units
           FROM inventory_ledger WHERE entry_type IN ({at_bin_types})
           UNION ALL
           SELECT seller_id, sku, warehouse_id, '' AS bin, COALESCE(lot, '') AS lot,
                  {unlocated} AS units
           FROM inventory_ledger WHERE entry_type IN ({unlocated_types})
         ) moves GROUP BY seller_id, sku, warehouse_id, bin, lot"
    )
}

// ---------------------------------------------------------------------------
// The store's inventory operations

impl Store {
    // --- warehouses ---------------------------------------------------------

    /// Stores a warehouse run by `operator_id`; a code the operator already
    /// uses is a conflict on `code`. The draft is checked by the caller.
    pub async fn create_warehouse(
        &self,
        operator_id: i64,
        draft: &WarehouseDraft,
        now: Millis,
    ) -> Result<WarehouseRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO warehouses (operator_id, kind, code, name, country, address, latitude,
               longitude, time_zone, utc_offset_minutes, cutoff_time, capacity_m2, capacity_m3,
               carrier_services, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
             RETURNING id",
        )
        .bind(operator_id)
        .bind(draft.kind.as_str())
        .bind(&draft.code)
        .bind(&draft.name)
        .bind(draft.country.alpha2())
        .bind(&draft.address)
        .bind(&draft.latitude)
        .bind(&draft.longitude)
        .bind(&draft.time_zone)
        .bind(i64::from(draft.utc_offset_minutes))
        .bind(&draft.cutoff_time)
        .bind(&draft.capacity_m2)
        .bind(&draft.capacity_m3)
        .bind(serde_json::to_string(&draft.carrier_services).unwrap_or_else(|_| "[]".into()))
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| crate::error::conflict_on_unique(e, "code"))?;
        let id: i64 = row.try_get("id")?;
        tx.commit().await?;
        Ok(WarehouseRecord {
            id,
            operator_id,
            draft: draft.clone(),
            created_at: now,
        })
    }

    /// A warehouse and how `organisation_id` may use it; `None` when it
    /// neither runs it nor is served by it (or it does not exist).
    pub async fn warehouse_for(
        &self,
        organisation_id: i64,
        id: i64,
    ) -> Result<Option<(WarehouseRecord, WarehouseRole)>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {WAREHOUSE_COLUMNS} FROM warehouses w
             WHERE w.id = $2 AND (w.operator_id = $1 OR EXISTS (
               SELECT 1 FROM warehouse_sellers s WHERE s.warehouse_id = w.id AND s.seller_id = $1))"
        ))
        .bind(organisation_id)
        .bind(id)
        .fetch_optional(self.reader())
        .await?;
        match row {
            None => Ok(None),
            Some(r) => {
                let w = warehouse_from_row(&r)?;
                let role = if w.operator_id == organisation_id {
                    WarehouseRole::Operator
                } else {
                    WarehouseRole::Seller
                };
                Ok(Some((w, role)))
            }
        }
    }

    /// Every warehouse the organisation runs or is served by, by id.
    pub async fn warehouses_for(
        &self,
        organisation_id: i64,
    ) -> Result<Vec<(WarehouseRecord, WarehouseRole)>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {WAREHOUSE_COLUMNS} FROM warehouses w
             WHERE w.operator_id = $1 OR EXISTS (
               SELECT 1 FROM warehouse_sellers s WHERE s.warehouse_id = w.id AND s.seller_id = $1)
             ORDER BY w.id"
        ))
        .bind(organisation_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                let w = warehouse_from_row(r)?;
                let role = if w.operator_id == organisation_id {
                    WarehouseRole::Operator
                } else {
                    WarehouseRole::Seller
                };
                Ok((w, role))
            })
            .collect()
    }

    /// Lets the warehouse serve `seller_id` (idempotent). Only its operator
    /// may; another organisation's warehouse is not found.
    pub async fn add_warehouse_seller(
        &self,
        operator_id: i64,
        warehouse_id: i64,
        seller_id: i64,
        now: Millis,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "INSERT INTO warehouse_sellers (warehouse_id, seller_id, since)
             SELECT w.id, o.id, $4 FROM warehouses w, organisations o
             WHERE w.id = $2 AND w.operator_id = $1 AND o.id = $3 AND o.kind = 'seller'
             ON CONFLICT (warehouse_id, seller_id) DO NOTHING",
        )
        .bind(operator_id)
        .bind(warehouse_id)
        .bind(seller_id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            let known = sqlx::query(
                "SELECT (SELECT COUNT(*) FROM warehouses WHERE id = $1 AND operator_id = $2) AS w,
                        (SELECT COUNT(*) FROM organisations WHERE id = $3 AND kind = 'seller') AS s",
            )
            .bind(warehouse_id)
            .bind(operator_id)
            .bind(seller_id)
            .fetch_one(&mut *tx)
            .await?;
            if known.try_get::<i64, _>("w")? == 0 {
                return Err(StoreError::NotFound { what: "warehouse" });
            }
            if known.try_get::<i64, _>("s")? == 0 {
                return Err(StoreError::NotFound { what: "seller" });
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// The ids of the sellers a warehouse serves, ascending.
    pub async fn warehouse_sellers(&self, warehouse_id: i64) -> Result<Vec<i64>, StoreError> {
        let rows = sqlx::query(
            "SELECT seller_id FROM warehouse_sellers WHERE warehouse_id = $1 ORDER BY seller_id",
        )
        .bind(warehouse_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<i64, _>("seller_id")?))
            .collect()
    }

    /// Adds bins to a warehouse (existing codes are kept). Returns how many were new.
    pub async fn add_bins(&self, warehouse_id: i64, codes: &[BinCode]) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await?;
        let rows = codes
            .iter()
            .map(|c| vec![Val::Int(warehouse_id), Val::Text(c.as_str().to_owned())])
            .collect();
        let n = insert_rows(
            &mut tx,
            self.backend(),
            "warehouse_bins",
            &["warehouse_id", "code"],
            "ON CONFLICT (warehouse_id, code) DO NOTHING",
            rows,
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// A warehouse's bins, by code.
    pub async fn bins(&self, warehouse_id: i64) -> Result<Vec<BinCode>, StoreError> {
        let rows =
            sqlx::query("SELECT code FROM warehouse_bins WHERE warehouse_id = $1 ORDER BY code")
                .bind(warehouse_id)
                .fetch_all(self.reader())
                .await?;
        rows.iter()
            .map(|r| {
                let code: String = r.try_get("code")?;
                BinCode::parse(&code).map_err(|e| corrupt("warehouse_bins.code", e))
            })
            .collect()
    }

    // --- the ledger ---------------------------------------------------------

    /// Posts entries atomically after checking each against the caches
    /// (see [`post_in_tx`]). Returns their ids.
    pub async fn post_entries(&self, entries: &[LedgerEntry]) -> Result<Vec<i64>, StoreError> {
        let mut tx = self.begin_write().await?;
        let ids = post_in_tx(&mut tx, self.backend(), entries).await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// Ledger entries by ascending id after `after`, filtered by seller,
    /// warehouse and SKU (each optional).
    pub async fn ledger_entries(
        &self,
        seller_id: Option<i64>,
        warehouse_id: Option<i64>,
        sku: Option<&Sku>,
        after: i64,
        limit: u32,
    ) -> Result<Page<LedgerRow>, StoreError> {
        let mut sql = format!("SELECT {LEDGER_COLUMNS} FROM inventory_ledger WHERE id > $1");
        let mut n = 1;
        let mut binds: Vec<Val> = vec![Val::Int(after)];
        for (column, value) in [
            ("seller_id", seller_id.map(Val::Int)),
            ("warehouse_id", warehouse_id.map(Val::Int)),
            ("sku", sku.map(|s| Val::Text(s.as_str().to_owned()))),
        ] {
            if let Some(v) = value {
                n += 1;
                let _ = write!(sql, " AND {column} = ${n}");
                binds.push(v);
            }
        }
        let _ = write!(sql, " ORDER BY id LIMIT ${}", n + 1);
        let mut q = sqlx::query(&sql);
        for v in binds {
            q = match v {
                Val::Int(i) => q.bind(i),
                Val::Text(t) => q.bind(t),
                _ => q,
            };
        }
        let rows = q
            .bind(i64::from(limit) + 1)
            .fetch_all(self.reader())
            .await?;
        let rows = rows
            .iter()
            .map(ledger_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_rows(rows, limit, |r| r.id))
    }

    /// Every entry of one seller at one warehouse up to `until` (exclusive),
    /// in time order: the input of ages and storage fees.
    pub async fn stock_history(
        &self,
        seller_id: i64,
        warehouse_id: i64,
        until: Millis,
    ) -> Result<Vec<LedgerEntry>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {LEDGER_COLUMNS} FROM inventory_ledger
             WHERE seller_id = $1 AND warehouse_id = $2 AND at < $3 ORDER BY at, id"
        ))
        .bind(seller_id)
        .bind(warehouse_id)
        .bind(until)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| ledger_from_row(r).map(|l| l.entry))
            .collect()
    }

    // --- stock --------------------------------------------------------------

    /// A seller's stock of one SKU in every warehouse, with the earliest
    /// ETA of shipments bringing more and the warehouse's code, name and
    /// country, by warehouse: one query on the balances' primary key
    /// (seller, SKU, warehouse). Each column comes back as one
    /// comma-separated text (the aggregates of one pass see the rows in the
    /// same order), which keeps a SKU stocked in thousands of warehouses to
    /// one round trip and six values, and costs the database less than
    /// building one text or JSON value per row. Warehouse labels come from
    /// memory ([`WarehouseLabels`]); only labels not yet seen are read.
    pub async fn stock_by_sku(
        &self,
        seller_id: i64,
        sku: &Sku,
    ) -> Result<Vec<(StockRow, Arc<WarehouseLabel>)>, StoreError> {
        let list = |column: &str| match self.backend() {
            Backend::Sqlite => format!("COALESCE(group_concat({column}, ','), '')"),
            Backend::Postgres => format!("COALESCE(string_agg({column}::text, ','), '')"),
        };
        let row = sqlx::query(&format!(
            "SELECT {} AS warehouses, {} AS on_hand, {} AS reserved, {} AS in_transit,
                    {} AS damaged, {} AS eta
             FROM inventory_balances b
             LEFT JOIN (
               SELECT s.destination_warehouse_id AS warehouse_id, MIN(s.eta) AS eta
               FROM inbound_shipments s
               WHERE s.seller_id = $1 AND s.status IN ('shipped', 'arrived', 'receiving')
                 AND EXISTS (SELECT 1 FROM inbound_lines l WHERE l.shipment_id = s.id AND l.sku = $2)
               GROUP BY s.destination_warehouse_id
             ) t ON t.warehouse_id = b.warehouse_id
             WHERE b.seller_id = $1 AND b.sku = $2",
            list("b.warehouse_id"),
            list("b.on_hand"),
            list("b.reserved"),
            list("b.in_transit"),
            list("b.damaged"),
            list("COALESCE(CAST(t.eta AS TEXT), '-')"),
        ))
        .bind(seller_id)
        .bind(sku.as_str())
        .fetch_one(self.reader())
        .await?;
        // A column's values; `-` (no shipment on the way, in `eta`) is None.
        let cells = |name: &'static str| -> Result<Vec<Option<i64>>, StoreError> {
            let text: String = row.try_get(name)?;
            if text.is_empty() {
                return Ok(Vec::new());
            }
            text.split(',')
                .map(|n| match n {
                    "-" => Ok(None),
                    n => n
                        .parse::<i64>()
                        .map(Some)
                        .map_err(|e| corrupt("inventory_balances", e)),
                })
                .collect()
        };
        let column = |name: &'static str| -> Result<Vec<i64>, StoreError> {
            cells(name)?
                .into_iter()
                .map(|c| c.ok_or_else(|| corrupt("inventory_balances", "a missing amount")))
                .collect()
        };
        let warehouses = column("warehouses")?;
        let columns = [
            column("on_hand")?,
            column("reserved")?,
            column("in_transit")?,
            column("damaged")?,
        ];
        let eta = cells("eta")?;
        if columns.iter().any(|c| c.len() != warehouses.len()) || eta.len() != warehouses.len() {
            return Err(corrupt(
                "inventory_balances",
                "stock columns of unequal length",
            ));
        }
        let [on_hand, reserved, in_transit, damaged] = columns;
        let mut order: Vec<usize> = (0..warehouses.len()).collect();
        order.sort_unstable_by_key(|&i| warehouses[i]);
        let labels = self.warehouse_labels(&warehouses).await?;
        order
            .into_iter()
            .map(|i| {
                let warehouse = warehouses[i];
                let label = labels
                    .get(&warehouse)
                    .cloned()
                    .ok_or_else(|| corrupt("inventory_balances", "names no warehouse"))?;
                Ok((
                    StockRow {
                        key: StockKey::new(seller_id, sku.clone(), warehouse),
                        balance: Balance {
                            on_hand: on_hand[i],
                            reserved: reserved[i],
                            in_transit: in_transit[i],
                            damaged: damaged[i],
                        },
                        next_eta: eta[i],
                    },
                    label,
                ))
            })
            .collect()
    }

    /// The label (code, name, country) of one warehouse, if it exists.
    pub async fn warehouse_label(
        &self,
        id: i64,
    ) -> Result<Option<Arc<WarehouseLabel>>, StoreError> {
        Ok(self.warehouse_labels(&[id]).await?.remove(&id))
    }

    /// The labels of warehouses `ids`, from memory, reading the missing ones
    /// in one query.
    async fn warehouse_labels(
        &self,
        ids: &[i64],
    ) -> Result<HashMap<i64, Arc<WarehouseLabel>>, StoreError> {
        let mut found = HashMap::with_capacity(ids.len());
        let mut missing = Vec::new();
        {
            let known = self
                .warehouse_labels
                .by_id
                .read()
                .unwrap_or_else(|e| e.into_inner());
            for &id in ids {
                match known.get(&id) {
                    Some(label) => {
                        found.insert(id, label.clone());
                    }
                    None => missing.push(id),
                }
            }
        }
        if missing.is_empty() {
            return Ok(found);
        }
        let list = serde_json::to_string(&missing).map_err(|e| corrupt("warehouses", e))?;
        let sql = match self.backend() {
            Backend::Sqlite => {
                "SELECT w.id, w.code, w.name, w.country FROM json_each($1) j
                 JOIN warehouses w ON w.id = j.value"
            }
            Backend::Postgres => {
                "SELECT w.id, w.code, w.name, w.country FROM warehouses w
                 WHERE w.id IN (SELECT jsonb_array_elements_text($1::jsonb)::bigint)"
            }
        };
        let rows = sqlx::query(sql).bind(list).fetch_all(self.reader()).await?;
        let mut known = self
            .warehouse_labels
            .by_id
            .write()
            .unwrap_or_else(|e| e.into_inner());
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let label = Arc::new(WarehouseLabel {
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                country: r.try_get("country")?,
            });
            known.insert(id, label.clone());
            found.insert(id, label);
        }
        Ok(found)
    }

    /// Stock rows of a seller (every warehouse) or of a warehouse (every
    /// seller, or one), by SKU and warehouse, each with its next ETA.
    pub async fn stock_rows(
        &self,
        seller_id: Option<i64>,
        warehouse_id: Option<i64>,
    ) -> Result<Vec<StockRow>, StoreError> {
        let mut filter = String::from("true");
        let mut binds = Vec::new();
        if let Some(s) = seller_id {
            binds.push(s);
            let _ = write!(filter, " AND b.seller_id = ${}", binds.len());
        }
        if let Some(w) = warehouse_id {
            binds.push(w);
            let _ = write!(filter, " AND b.warehouse_id = ${}", binds.len());
        }
        let sql = format!(
            "SELECT b.seller_id, b.sku, b.warehouse_id, b.on_hand, b.reserved, b.in_transit,
                    b.damaged, t.eta
             FROM inventory_balances b
             LEFT JOIN (
               SELECT s.seller_id, l.sku, s.destination_warehouse_id AS warehouse_id,
                      MIN(s.eta) AS eta
               FROM inbound_shipments s JOIN inbound_lines l ON l.shipment_id = s.id
               WHERE s.status IN ('shipped', 'arrived', 'receiving')
               GROUP BY s.seller_id, l.sku, s.destination_warehouse_id
             ) t ON t.seller_id = b.seller_id AND t.sku = b.sku AND t.warehouse_id = b.warehouse_id
             WHERE {filter}
             ORDER BY b.sku, b.warehouse_id, b.seller_id"
        );
        let mut q = sqlx::query(&sql);
        for b in binds {
            q = q.bind(b);
        }
        let rows = q.fetch_all(self.reader()).await?;
        rows.iter()
            .map(|r| {
                let (key, balance) = balance_from_row(r)?;
                Ok(StockRow {
                    key,
                    balance,
                    next_eta: r.try_get("eta")?,
                })
            })
            .collect()
    }

    /// The cached balance of one key (zero when it has none).
    pub async fn balance(&self, key: &StockKey) -> Result<Balance, StoreError> {
        let row = sqlx::query(
            "SELECT seller_id, sku, warehouse_id, on_hand, reserved, in_transit, damaged
             FROM inventory_balances WHERE seller_id = $1 AND sku = $2 AND warehouse_id = $3",
        )
        .bind(key.seller)
        .bind(key.sku.as_str())
        .bind(key.warehouse)
        .fetch_optional(self.reader())
        .await?;
        Ok(match row {
            Some(r) => balance_from_row(&r)?.1,
            None => Balance::default(),
        })
    }

    /// The caches of one warehouse as a [`StockBook`] (balances and bin stock).
    pub async fn warehouse_book(&self, warehouse_id: i64) -> Result<StockBook, StoreError> {
        let rows = sqlx::query(
            "SELECT seller_id, sku, warehouse_id, on_hand, reserved, in_transit, damaged
             FROM inventory_balances WHERE warehouse_id = $1",
        )
        .bind(warehouse_id)
        .fetch_all(self.reader())
        .await?;
        let balances = rows
            .iter()
            .map(balance_from_row)
            .collect::<Result<_, _>>()?;
        let rows = sqlx::query(
            "SELECT seller_id, sku, warehouse_id, bin, lot, units
             FROM inventory_bin_stock WHERE warehouse_id = $1",
        )
        .bind(warehouse_id)
        .fetch_all(self.reader())
        .await?;
        let locations = rows
            .iter()
            .map(location_from_row)
            .collect::<Result<_, _>>()?;
        Ok(StockBook::from_parts(balances, locations))
    }

    // --- reservations ---------------------------------------------------------

    /// Places a hold: one conditional update
    /// (`reserved = reserved + n WHERE on_hand - reserved >= n`) and the
    /// `reservation` entry in one transaction. Refused with
    /// `LedgerError::Insufficient` (bucket `available`) when fewer units
    /// are available; nothing is written then.
    ///
    /// Reservations waiting at the same time in one process share one
    /// transaction (group commit): each still is its own conditional update
    /// and its own ledger entry, so each succeeds or is refused alone, but
    /// they pay for one `BEGIN` and one `COMMIT` (on PostgreSQL, one WAL
    /// flush) and their entries and holds are appended together. Batches
    /// update rows in key order, so batches of several servers on one
    /// PostgreSQL never deadlock.
    pub async fn reserve(
        &self,
        hold: &Hold,
        entry: &LedgerEntry,
    ) -> Result<HoldRecord, StoreError> {
        check_reservation(hold, entry)?;
        self.reserve_grouped(hold, entry).await
    }

    async fn reserve_grouped(
        &self,
        hold: &Hold,
        entry: &LedgerEntry,
    ) -> Result<HoldRecord, StoreError> {
        let (reply, mut answer) = tokio::sync::oneshot::channel();
        self.reserve_queue.push(PendingReserve {
            hold: hold.clone(),
            entry: entry.clone(),
            reply,
        });
        loop {
            tokio::select! {
                biased;
                done = &mut answer => {
                    return done.unwrap_or_else(|_| Err(copy_error("the reservation batch was abandoned")));
                }
                _turn = self.reserve_queue.leader.lock() => {
                    // Whoever leads answers everything it takes from the
                    // queue before it lets go: an empty queue means our
                    // request was answered already.
                    let batch = self.reserve_queue.take();
                    if !batch.is_empty() {
                        self.reserve_batch(batch).await;
                    }
                }
            }
        }
    }

    /// Places a batch of queued reservations in one write transaction and
    /// answers each.
    async fn reserve_batch(&self, mut batch: Vec<PendingReserve>) {
        // Rows are locked in key order, as every other posting does, so
        // batches of several servers never deadlock.
        batch.sort_by(|a, b| a.hold.key.cmp(&b.hold.key));
        let mut open: Vec<PendingReserve> = Vec::with_capacity(batch.len());
        let backend = self.backend();
        let outcome: Result<Vec<(PendingReserve, i64)>, StoreError> = async {
            let mut tx = self.begin_write().await?;
            for p in batch {
                // A caller that stopped waiting gets no hold.
                if p.reply.is_closed() {
                    continue;
                }
                if reserve_update(&mut tx, &p.hold).await? {
                    open.push(p);
                } else {
                    let have = available_in(&mut tx, &p.hold.key).await?;
                    let _ = p.reply.send(Err(insufficient_to_reserve(&p.hold, have)));
                }
            }
            if open.is_empty() {
                tx.commit().await?;
                return Ok(Vec::new());
            }
            let entries: Vec<LedgerEntry> = open.iter().map(|p| p.entry.clone()).collect();
            append_entries(&mut tx, backend, &entries).await?;
            let holds: Vec<&Hold> = open.iter().map(|p| &p.hold).collect();
            let ids = insert_holds(&mut tx, backend, &holds).await?;
            tx.commit().await?;
            Ok(std::mem::take(&mut open).into_iter().zip(ids).collect())
        }
        .await;
        match outcome {
            Ok(placed) => {
                for (p, id) in placed {
                    let record = HoldRecord {
                        id,
                        hold: p.hold,
                        status: HoldStatus::Held,
                        closed_at: None,
                    };
                    let _ = p.reply.send(Ok(record));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "a reservation batch failed; nothing in it was placed");
                for p in open {
                    let _ = p.reply.send(Err(copy_error(&e.to_string())));
                }
            }
        }
    }

    /// One of the seller's holds.
    pub async fn hold(&self, seller_id: i64, id: i64) -> Result<Option<HoldRecord>, StoreError> {
        sqlx::query(&format!(
            "SELECT {HOLD_COLUMNS} FROM inventory_holds WHERE seller_id = $1 AND id = $2"
        ))
        .bind(seller_id)
        .bind(id)
        .fetch_optional(self.reader())
        .await?
        .as_ref()
        .map(hold_from_row)
        .transpose()
    }

    /// The seller's holds still held, by id.
    pub async fn open_holds(&self, seller_id: i64) -> Result<Vec<HoldRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {HOLD_COLUMNS} FROM inventory_holds
             WHERE seller_id = $1 AND status = 'held' ORDER BY id"
        ))
        .bind(seller_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(hold_from_row).collect()
    }

    /// Locks a held hold of the seller in the transaction, or says why not.
    pub(crate) async fn held_in_tx(
        &self,
        conn: &mut AnyConnection,
        seller_id: i64,
        id: i64,
    ) -> Result<HoldRecord, StoreError> {
        let lock = match self.backend() {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        };
        let row = sqlx::query(&format!(
            "SELECT {HOLD_COLUMNS} FROM inventory_holds WHERE seller_id = $1 AND id = $2{lock}"
        ))
        .bind(seller_id)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound {
            what: "reservation",
        })?;
        let record = hold_from_row(&row)?;
        if record.status != HoldStatus::Held {
            return Err(StoreError::Ledger(LedgerError::Invalid {
                field: "status".into(),
                reason: format!("the reservation is already {}", record.status.as_str()),
            }));
        }
        Ok(record)
    }

    pub(crate) async fn close_hold(
        &self,
        conn: &mut AnyConnection,
        id: i64,
        left: i64,
        status: HoldStatus,
        now: Millis,
    ) -> Result<(), StoreError> {
        let (status, closed) = if left == 0 {
            (status, Some(now))
        } else {
            (HoldStatus::Held, None)
        };
        sqlx::query(
            "UPDATE inventory_holds SET quantity = $1, status = $2, closed_at = $3 WHERE id = $4",
        )
        .bind(left)
        .bind(status.as_str())
        .bind(closed)
        .bind(id)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// Releases every unit still held (a `release` entry).
    pub async fn release_hold(
        &self,
        seller_id: i64,
        id: i64,
        user: Option<i64>,
        now: Millis,
    ) -> Result<HoldRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        let record = self.held_in_tx(&mut tx, seller_id, id).await?;
        let entry = record.hold.release(user, now);
        post_in_tx(&mut tx, self.backend(), std::slice::from_ref(&entry)).await?;
        self.close_hold(&mut tx, id, 0, HoldStatus::Released, now)
            .await?;
        tx.commit().await?;
        self.hold(seller_id, id).await?.ok_or(StoreError::NotFound {
            what: "reservation",
        })
    }

    /// Ships `quantity` held units (all when `None`) from `bin` (the
    /// unlocated area when `None`): a `commit` entry.
    pub async fn commit_hold(
        &self,
        seller_id: i64,
        id: i64,
        quantity: Option<i64>,
        bin: Option<BinCode>,
        user: Option<i64>,
        now: Millis,
    ) -> Result<HoldRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        let record = self.held_in_tx(&mut tx, seller_id, id).await?;
        let q = quantity.unwrap_or(record.hold.quantity);
        let (entry, rest) = record
            .hold
            .commit(q, user, now)
            .map_err(StoreError::Ledger)?;
        let entry = entry.with_bin(bin);
        post_in_tx(&mut tx, self.backend(), std::slice::from_ref(&entry)).await?;
        let left = rest.map_or(0, |h| h.quantity);
        self.close_hold(&mut tx, id, left, HoldStatus::Committed, now)
            .await?;
        tx.commit().await?;
        self.hold(seller_id, id).await?.ok_or(StoreError::NotFound {
            what: "reservation",
        })
    }

    /// Releases holds whose expiry is at or before `now` (at most `limit`),
    /// each in its own transaction; a hold committed or released meanwhile
    /// is left alone. Returns how many were released.
    pub async fn sweep_expired_holds(&self, now: Millis, limit: u32) -> Result<u64, StoreError> {
        let rows = sqlx::query(
            "SELECT id, seller_id FROM inventory_holds
             WHERE status = 'held' AND expires_at IS NOT NULL AND expires_at <= $1
             ORDER BY expires_at, id LIMIT $2",
        )
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await?;
        let mut released = 0;
        for r in rows {
            let (id, seller): (i64, i64) = (r.try_get("id")?, r.try_get("seller_id")?);
            let mut tx = self.begin_write().await?;
            let record = match self.held_in_tx(&mut tx, seller, id).await {
                Ok(h) if h.hold.is_expired(now) => h,
                Ok(_) | Err(StoreError::Ledger(_)) | Err(StoreError::NotFound { .. }) => continue,
                Err(e) => return Err(e),
            };
            let entry = record.hold.release(None, now);
            post_in_tx(&mut tx, self.backend(), std::slice::from_ref(&entry)).await?;
            self.close_hold(&mut tx, id, 0, HoldStatus::Expired, now)
                .await?;
            tx.commit().await?;
            released += 1;
        }
        Ok(released)
    }

    // --- verify and rebuild ---------------------------------------------------

    /// Recomputes balances and bin stock from the ledger and compares them
    /// with the caches, in one consistent snapshot.
    pub async fn verify_inventory(&self) -> Result<VerifyReport, StoreError> {
        let mut tx = self.reader().begin().await?;
        if self.backend() == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        let entries: i64 = sqlx::query("SELECT COUNT(*) AS n FROM inventory_ledger")
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
        let folded = sqlx::query(&balance_fold_sql()).fetch_all(&mut *tx).await?;
        let ledger: HashMap<StockKey, Balance> = folded
            .iter()
            .map(balance_from_row)
            .collect::<Result<_, _>>()?;
        let cached = sqlx::query(
            "SELECT seller_id, sku, warehouse_id, on_hand, reserved, in_transit, damaged
             FROM inventory_balances",
        )
        .fetch_all(&mut *tx)
        .await?;
        let cache: HashMap<StockKey, Balance> = cached
            .iter()
            .map(balance_from_row)
            .collect::<Result<_, _>>()?;
        let folded = sqlx::query(&location_fold_sql())
            .fetch_all(&mut *tx)
            .await?;
        let ledger_locations: HashMap<LocationKey, i64> = folded
            .iter()
            .map(location_from_row)
            .collect::<Result<_, _>>()?;
        let cached = sqlx::query(
            "SELECT seller_id, sku, warehouse_id, bin, lot, units FROM inventory_bin_stock",
        )
        .fetch_all(&mut *tx)
        .await?;
        let cache_locations: HashMap<LocationKey, i64> = cached
            .iter()
            .map(location_from_row)
            .collect::<Result<_, _>>()?;
        tx.rollback().await?;
        let mut locations = Vec::new();
        for (key, &c) in &cache_locations {
            let l = ledger_locations.get(key).copied().unwrap_or(0);
            if c != l {
                locations.push(LocationDifference {
                    key: key.clone(),
                    cached: c,
                    ledger: l,
                });
            }
        }
        for (key, &l) in &ledger_locations {
            if l != 0 && !cache_locations.contains_key(key) {
                locations.push(LocationDifference {
                    key: key.clone(),
                    cached: 0,
                    ledger: l,
                });
            }
        }
        locations.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(VerifyReport {
            entries,
            balances_checked: cache.len().max(ledger.len()),
            locations_checked: cache_locations.len().max(ledger_locations.len()),
            balances: compare(&cache, &ledger),
            locations,
        })
    }

    /// Replaces the balances and bin stock with what the ledger gives, in
    /// one transaction that keeps writers out meanwhile.
    pub async fn rebuild_inventory(&self) -> Result<RebuildReport, StoreError> {
        let mut tx = self.begin_write().await?;
        if self.backend() == Backend::Postgres {
            sqlx::query(
                "LOCK TABLE inventory_ledger, inventory_balances, inventory_bin_stock,
                 inventory_holds IN EXCLUSIVE MODE",
            )
            .execute(&mut *tx)
            .await?;
        }
        let entries: i64 = sqlx::query("SELECT COUNT(*) AS n FROM inventory_ledger")
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
        sqlx::query("DELETE FROM inventory_balances")
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM inventory_bin_stock")
            .execute(&mut *tx)
            .await?;
        let balances = sqlx::query(&format!(
            "INSERT INTO inventory_balances (seller_id, sku, warehouse_id, on_hand, reserved,
               in_transit, damaged) SELECT * FROM ({}) f WHERE true",
            balance_fold_sql()
        ))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let locations = sqlx::query(&format!(
            "INSERT INTO inventory_bin_stock (seller_id, sku, warehouse_id, bin, lot, units)
             SELECT * FROM ({}) f WHERE units <> 0",
            location_fold_sql()
        ))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(RebuildReport {
            entries,
            balances,
            locations,
        })
    }

    // --- inbound shipments ------------------------------------------------------

    /// Stores a draft inbound shipment with its cartons; a reference the
    /// seller already used is a conflict on `reference`.
    pub async fn create_inbound(
        &self,
        new: &NewInbound,
        now: Millis,
    ) -> Result<InboundRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO inbound_shipments (seller_id, reference, origin_warehouse_id, origin,
               destination_warehouse_id, mode, carrier, tracking_no, container_no, etd, eta,
               status, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'draft', $12) RETURNING id",
        )
        .bind(new.seller_id)
        .bind(&new.reference)
        .bind(new.origin_warehouse_id)
        .bind(&new.origin)
        .bind(new.destination_warehouse_id)
        .bind(new.mode.as_str())
        .bind(&new.carrier)
        .bind(&new.tracking_no)
        .bind(&new.container_no)
        .bind(days(new.etd))
        .bind(days(new.eta))
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| crate::error::conflict_on_unique(e, "reference"))?;
        let id: i64 = row.try_get("id")?;
        for carton in &new.cartons {
            let c = sqlx::query(
                "INSERT INTO inbound_cartons (shipment_id, carton_no) VALUES ($1, $2) RETURNING id",
            )
            .bind(id)
            .bind(&carton.carton_no)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| crate::error::conflict_on_unique(e, "carton_no"))?;
            let carton_id: i64 = c.try_get("id")?;
            let rows = carton
                .lines
                .iter()
                .map(|(sku, q)| {
                    vec![
                        Val::Int(id),
                        Val::Int(carton_id),
                        Val::Text(sku.as_str().to_owned()),
                        Val::Int(*q),
                    ]
                })
                .collect();
            insert_rows(
                &mut tx,
                self.backend(),
                "inbound_lines",
                &["shipment_id", "carton_id", "sku", "expected"],
                "",
                rows,
            )
            .await
            .map_err(|e| match e {
                StoreError::Backend(b) => match b.downcast::<sqlx::Error>() {
                    Ok(s) => crate::error::conflict_on_unique(*s, "sku"),
                    Err(other) => StoreError::Backend(other),
                },
                other => other,
            })?;
        }
        let record = self.inbound_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(record)
    }

    async fn inbound_in(
        &self,
        conn: &mut AnyConnection,
        id: i64,
    ) -> Result<InboundRecord, StoreError> {
        let r = sqlx::query(
            "SELECT id, seller_id, reference, origin_warehouse_id, origin, destination_warehouse_id,
                    mode, carrier, tracking_no, container_no, etd, eta, status, created_at,
                    shipped_at, arrived_at, closed_at, report
             FROM inbound_shipments WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound {
            what: "inbound shipment",
        })?;
        let mode: String = r.try_get("mode")?;
        let status: String = r.try_get("status")?;
        let report: Option<String> = r.try_get("report")?;
        let mut record = InboundRecord {
            id,
            seller_id: r.try_get("seller_id")?,
            reference: r.try_get("reference")?,
            origin_warehouse_id: r.try_get("origin_warehouse_id")?,
            origin: r.try_get("origin")?,
            destination_warehouse_id: r.try_get("destination_warehouse_id")?,
            mode: mode
                .parse()
                .map_err(|e| corrupt("inbound_shipments.mode", e))?,
            carrier: r.try_get("carrier")?,
            tracking_no: r.try_get("tracking_no")?,
            container_no: r.try_get("container_no")?,
            etd: day(r.try_get("etd")?),
            eta: day(r.try_get("eta")?),
            status: status
                .parse()
                .map_err(|e| corrupt("inbound_shipments.status", e))?,
            created_at: r.try_get("created_at")?,
            shipped_at: r.try_get("shipped_at")?,
            arrived_at: r.try_get("arrived_at")?,
            closed_at: r.try_get("closed_at")?,
            report: report
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|e| corrupt("inbound_shipments.report", e))?,
            cartons: Vec::new(),
        };
        let cartons = sqlx::query(
            "SELECT id, carton_no, received_at FROM inbound_cartons WHERE shipment_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let lines = sqlx::query(
            "SELECT id, carton_id, sku, expected, received, damaged, short_units, over_units
             FROM inbound_lines WHERE shipment_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        for c in &cartons {
            let carton_id: i64 = c.try_get("id")?;
            let mut carton = CartonRecord {
                id: carton_id,
                carton_no: c.try_get("carton_no")?,
                received_at: c.try_get("received_at")?,
                lines: Vec::new(),
            };
            for l in &lines {
                if l.try_get::<i64, _>("carton_id")? == carton_id {
                    carton.lines.push(InboundLineRecord {
                        id: l.try_get("id")?,
                        sku: sku(l.try_get("sku")?, "inbound_lines.sku")?,
                        expected: l.try_get("expected")?,
                        received: l.try_get("received")?,
                        damaged: l.try_get("damaged")?,
                        short: l.try_get("short_units")?,
                        over: l.try_get("over_units")?,
                    });
                }
            }
            record.cartons.push(carton);
        }
        Ok(record)
    }

    /// Whether `organisation_id` may see shipment `id`: its seller, or the
    /// operator of its destination.
    async fn inbound_visible(
        &self,
        conn: &mut AnyConnection,
        organisation_id: i64,
        id: i64,
        lock: bool,
    ) -> Result<(), StoreError> {
        let lock = match (self.backend(), lock) {
            (Backend::Postgres, true) => " FOR UPDATE OF s",
            _ => "",
        };
        sqlx::query(&format!(
            "SELECT s.id FROM inbound_shipments s JOIN warehouses w ON w.id = s.destination_warehouse_id
             WHERE s.id = $2 AND (s.seller_id = $1 OR w.operator_id = $1){lock}"
        ))
        .bind(organisation_id)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .map(|_| ())
        .ok_or(StoreError::NotFound {
            what: "inbound shipment",
        })
    }

    /// One inbound shipment, seen by its seller or its destination's operator.
    pub async fn inbound_for(
        &self,
        organisation_id: i64,
        id: i64,
    ) -> Result<Option<InboundRecord>, StoreError> {
        let mut conn = self.reader().acquire().await?;
        match self
            .inbound_visible(&mut conn, organisation_id, id, false)
            .await
        {
            Ok(()) => Ok(Some(self.inbound_in(&mut conn, id).await?)),
            Err(StoreError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The shipments a seller sent or a warehouse operator receives, newest first.
    pub async fn inbounds_for(
        &self,
        organisation_id: i64,
    ) -> Result<Vec<InboundRecord>, StoreError> {
        let mut conn = self.reader().acquire().await?;
        let rows = sqlx::query(
            "SELECT s.id FROM inbound_shipments s JOIN warehouses w ON w.id = s.destination_warehouse_id
             WHERE s.seller_id = $1 OR w.operator_id = $1 ORDER BY s.id DESC",
        )
        .bind(organisation_id)
        .fetch_all(&mut *conn)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(self.inbound_in(&mut conn, r.try_get("id")?).await?);
        }
        Ok(out)
    }

    /// Marks a shipment shipped and posts its units in transit at the
    /// destination. Only its seller may.
    pub async fn ship_inbound(
        &self,
        seller_id: i64,
        id: i64,
        user: Option<i64>,
        now: Millis,
    ) -> Result<InboundRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        self.inbound_visible(&mut tx, seller_id, id, true).await?;
        let record = self.inbound_in(&mut tx, id).await?;
        if record.seller_id != seller_id {
            return Err(StoreError::NotFound {
                what: "inbound shipment",
            });
        }
        record
            .status
            .after(AsnAction::Ship)
            .map_err(StoreError::Ledger)?;
        let entries = shipping_entries(
            record.seller_id,
            record.destination_warehouse_id,
            &record.ledger_reference()?,
            &record.received_lines(),
            user,
            now,
        );
        post_in_tx(&mut tx, self.backend(), &entries).await?;
        sqlx::query(
            "UPDATE inbound_shipments SET status = 'shipped', shipped_at = $1 WHERE id = $2",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let record = self.inbound_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Marks a shipped shipment arrived at its destination.
    pub async fn arrive_inbound(
        &self,
        organisation_id: i64,
        id: i64,
        now: Millis,
    ) -> Result<InboundRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        self.inbound_visible(&mut tx, organisation_id, id, true)
            .await?;
        let record = self.inbound_in(&mut tx, id).await?;
        record
            .status
            .after(AsnAction::Arrive)
            .map_err(StoreError::Ledger)?;
        sqlx::query(
            "UPDATE inbound_shipments SET status = 'arrived', arrived_at = $1 WHERE id = $2",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let record = self.inbound_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Records counted lines (replacing earlier counts of the same lines).
    /// Each line must be a carton and SKU of the shipment. Nothing is
    /// posted until the shipment is closed.
    pub async fn receive_inbound(
        &self,
        organisation_id: i64,
        id: i64,
        counts: &[ReceiveCount],
        now: Millis,
    ) -> Result<InboundRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        self.inbound_visible(&mut tx, organisation_id, id, true)
            .await?;
        let record = self.inbound_in(&mut tx, id).await?;
        record
            .status
            .after(AsnAction::Receive)
            .map_err(StoreError::Ledger)?;
        for (i, c) in counts.iter().enumerate() {
            let field = |name: &str| format!("lines[{i}].{name}");
            chuhai_domain::inventory::check_count(c.received, c.damaged).map_err(|e| {
                StoreError::Ledger(match e {
                    LedgerError::Invalid { field: f, reason } => LedgerError::Invalid {
                        field: field(&f),
                        reason,
                    },
                    other => other,
                })
            })?;
            let Some(carton) = record.cartons.iter().find(|k| k.carton_no == c.carton_no) else {
                return Err(StoreError::Ledger(LedgerError::Invalid {
                    field: field("carton_no"),
                    reason: format!("{:?} is not a carton of this shipment", c.carton_no),
                }));
            };
            let Some(line) = carton.lines.iter().find(|l| l.sku == c.sku) else {
                return Err(StoreError::Ledger(LedgerError::Invalid {
                    field: field("sku"),
                    reason: format!("{} is not in carton {}", c.sku, c.carton_no),
                }));
            };
            let arrived = c.received + c.damaged;
            sqlx::query(
                "UPDATE inbound_lines SET received = $1, damaged = $2, short_units = $3, over_units = $4
                 WHERE id = $5",
            )
            .bind(c.received)
            .bind(c.damaged)
            .bind((line.expected - arrived).max(0))
            .bind((arrived - line.expected).max(0))
            .bind(line.id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE inbound_cartons SET received_at = $1 WHERE id = $2")
                .bind(now)
                .bind(carton.id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE inbound_shipments SET status = 'receiving' WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let record = self.inbound_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Closes a shipment: posts receipts, shorts, overs and damage (see
    /// the domain's `closing_entries`) and keeps the discrepancy report.
    /// Refused until at least one line is counted.
    pub async fn close_inbound(
        &self,
        organisation_id: i64,
        id: i64,
        user: Option<i64>,
        now: Millis,
    ) -> Result<InboundRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        self.inbound_visible(&mut tx, organisation_id, id, true)
            .await?;
        let record = self.inbound_in(&mut tx, id).await?;
        record
            .status
            .after(AsnAction::Close)
            .map_err(StoreError::Ledger)?;
        let lines = record.received_lines();
        if lines.iter().all(|l| l.received.is_none()) {
            return Err(StoreError::Ledger(LedgerError::Invalid {
                field: "lines".into(),
                reason: "nothing has been received yet; record the counts first".into(),
            }));
        }
        let (entries, report) = closing_entries(
            record.seller_id,
            record.destination_warehouse_id,
            &record.ledger_reference()?,
            &lines,
            user,
            now,
        )
        .map_err(StoreError::Ledger)?;
        post_in_tx(&mut tx, self.backend(), &entries).await?;
        sqlx::query(
            "UPDATE inbound_shipments SET status = 'closed', closed_at = $1, report = $2 WHERE id = $3",
        )
        .bind(now)
        .bind(serde_json::to_string(&report).map_err(|e| corrupt("report", e))?)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let record = self.inbound_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(record)
    }

    // --- cycle counts ---------------------------------------------------------

    /// Records a count with its review, awaiting posting.
    pub async fn insert_cycle_count(
        &self,
        warehouse_id: i64,
        count_body: &str,
        review: &str,
        user: Option<i64>,
        now: Millis,
    ) -> Result<CycleCountRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO cycle_counts (warehouse_id, count_body, review, status, created_by, created_at)
             VALUES ($1, $2, $3, 'review', $4, $5)
             RETURNING id, warehouse_id, count_body, review, status, created_by, created_at, posted_at",
        )
        .bind(warehouse_id)
        .bind(count_body)
        .bind(review)
        .bind(user)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let record = count_from_row(&row)?;
        tx.commit().await?;
        Ok(record)
    }

    /// A count at a warehouse the organisation runs.
    pub async fn cycle_count_for(
        &self,
        operator_id: i64,
        id: i64,
    ) -> Result<Option<CycleCountRecord>, StoreError> {
        sqlx::query(
            "SELECT c.id, c.warehouse_id, c.count_body, c.review, c.status, c.created_by,
                    c.created_at, c.posted_at
             FROM cycle_counts c JOIN warehouses w ON w.id = c.warehouse_id
             WHERE c.id = $2 AND w.operator_id = $1",
        )
        .bind(operator_id)
        .bind(id)
        .fetch_optional(self.reader())
        .await?
        .as_ref()
        .map(count_from_row)
        .transpose()
    }

    /// The counts of a warehouse, newest first.
    pub async fn cycle_counts(
        &self,
        warehouse_id: i64,
    ) -> Result<Vec<CycleCountRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, warehouse_id, count_body, review, status, created_by, created_at, posted_at
             FROM cycle_counts WHERE warehouse_id = $1 ORDER BY id DESC",
        )
        .bind(warehouse_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(count_from_row).collect()
    }

    /// Posts a reviewed count's corrections and marks it posted, once.
    pub async fn post_cycle_count(
        &self,
        id: i64,
        corrections: &[LedgerEntry],
        now: Millis,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE cycle_counts SET status = 'posted', posted_at = $1 WHERE id = $2 AND status = 'review'",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Ledger(LedgerError::Invalid {
                field: "status".into(),
                reason: "the count is not awaiting review".into(),
            }));
        }
        post_in_tx(&mut tx, self.backend(), corrections).await?;
        tx.commit().await?;
        Ok(())
    }

    // --- storage fees ---------------------------------------------------------

    /// Adds a version of a warehouse's storage fee rules (JSON of the
    /// domain's rules) in force from `valid_from` (days since 1970-01-01,
    /// the warehouse's local day), or replaces the version from that day.
    /// The caller checks that the day is not in the past.
    pub async fn put_storage_fee_version(
        &self,
        warehouse_id: i64,
        valid_from: i64,
        rules_json: &str,
        now: Millis,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO storage_fee_versions (warehouse_id, valid_from, rules, created_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (warehouse_id, valid_from)
             DO UPDATE SET rules = excluded.rules, created_at = excluded.created_at",
        )
        .bind(warehouse_id)
        .bind(valid_from)
        .bind(rules_json)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A warehouse's storage fee versions as (valid_from in days since
    /// 1970-01-01, rules JSON), by increasing `valid_from`.
    pub async fn storage_fee_versions(
        &self,
        warehouse_id: i64,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT valid_from, rules FROM storage_fee_versions
             WHERE warehouse_id = $1 ORDER BY valid_from",
        )
        .bind(warehouse_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("valid_from")?, r.try_get("rules")?)))
            .collect()
    }

    // --- the seller's catalog, as inventory needs it ------------------------------

    /// Of `skus`, those the seller has no variant with, in the order given.
    pub async fn unknown_skus(&self, seller_id: i64, skus: &[Sku]) -> Result<Vec<Sku>, StoreError> {
        if skus.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<&str> = skus.iter().map(Sku::as_str).collect();
        let sql = match self.backend() {
            Backend::Sqlite => {
                "SELECT v.sku FROM json_each($2) j JOIN variants v
                 ON v.organisation_id = $1 AND v.sku = j.value"
            }
            Backend::Postgres => {
                "SELECT v.sku FROM jsonb_array_elements_text($2::jsonb) j(sku) JOIN variants v
                 ON v.organisation_id = $1 AND v.sku = j.sku"
            }
        };
        let rows = sqlx::query(sql)
            .bind(seller_id)
            .bind(serde_json::to_string(&list).unwrap_or_default())
            .fetch_all(self.reader())
            .await?;
        let known: BTreeSet<String> = rows
            .iter()
            .map(|r| r.try_get::<String, _>("sku"))
            .collect::<Result<_, _>>()?;
        Ok(skus
            .iter()
            .filter(|s| !known.contains(s.as_str()))
            .cloned()
            .collect())
    }

    /// The package dimensions of the seller's variants that have them.
    pub async fn sku_dimensions(
        &self,
        seller_id: i64,
    ) -> Result<HashMap<Sku, Dimensions>, StoreError> {
        let rows = sqlx::query(
            "SELECT sku, length_mm, width_mm, height_mm FROM variants
             WHERE organisation_id = $1 AND length_mm IS NOT NULL AND width_mm IS NOT NULL
               AND height_mm IS NOT NULL",
        )
        .bind(seller_id)
        .fetch_all(self.reader())
        .await?;
        let mut out = HashMap::new();
        for r in rows {
            let s = sku(r.try_get("sku")?, "variants.sku")?;
            let dim = |c: &str| -> Result<u32, StoreError> {
                u32::try_from(r.try_get::<i64, _>(c)?)
                    .map_err(|e| corrupt("variants.dimensions", e))
            };
            let d = Dimensions::new(dim("length_mm")?, dim("width_mm")?, dim("height_mm")?)
                .map_err(|e| corrupt("variants.dimensions", e))?;
            out.insert(s, d);
        }
        Ok(out)
    }
}

fn count_from_row(r: &AnyRow) -> Result<CycleCountRecord, StoreError> {
    Ok(CycleCountRecord {
        id: r.try_get("id")?,
        warehouse_id: r.try_get("warehouse_id")?,
        count_body: r.try_get("count_body")?,
        review: r.try_get("review")?,
        status: r.try_get("status")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        posted_at: r.try_get("posted_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sql_fold_follows_the_domain_table() {
        let sql = balance_fold_sql();
        assert!(sql.contains("WHEN 'commit' THEN -1"), "{sql}");
        assert!(!sql.contains("'putaway' THEN"), "putaway moves no bucket");
        assert_eq!(location_signs(EntryType::Putaway), (1, -1));
        assert_eq!(location_signs(EntryType::Pick), (-1, 1));
        assert_eq!(location_signs(EntryType::Damage), (0, 0));
        assert_eq!(location_signs(EntryType::Disposal), (-1, 0));
        assert_eq!(location_signs(EntryType::Receipt), (1, 0));
    }
}
