//! Warehouses and stock: the use cases behind the inventory API, the
//! console and the command line. They decide who may do what (a
//! warehouse's operator moves stock there; a seller sees and reserves its
//! own), check what the store cannot (SKUs of the seller's catalog,
//! sellers the warehouse serves), and compute ages, storage invoices and
//! slow-mover alerts from the ledger with the domain's rules.

use std::collections::{BTreeMap, BTreeSet};

use chuhai_domain::accounts::OrganisationKind;
use chuhai_domain::calendar::Date;
use chuhai_domain::catalog::Sku;
use chuhai_domain::inventory::{
    age_profile, fifo_layers_by_key, review_count, slow_movers, storage_invoice_from_ledger,
    AgeProfile, BillingMonth, BinCode, CountReview, CountScope, CycleCount, EntryType, Hold,
    InvoiceScope, LedgerEntry, LedgerError, LotCode, ReasonCode, Reference, ReferenceKind,
    SlowMoverAlert, StockKey, StorageFeeRules, StorageFeeSchedule, StorageFeeVersion,
    StorageInvoice, UtcOffset, WarehouseDraft, WarehouseKind,
};
use chuhai_store::accounts::Principal;
use chuhai_store::inventory::{
    CycleCountRecord, HoldRecord, InboundRecord, NewInbound, ReceiveCount, WarehouseRecord,
    WarehouseRole,
};
use chuhai_store::Store;

use crate::problem::{FieldProblem, Problem};
use crate::time::now_millis;

impl From<LedgerError> for Problem {
    fn from(e: LedgerError) -> Self {
        match e {
            LedgerError::Invalid { field, reason } if field == "status" => {
                let mut p = Problem::field(field, reason);
                p.status = 409;
                p.code = "invalid_status".into();
                p
            }
            LedgerError::Invalid { field, reason } => Problem::field(field, reason),
            LedgerError::Overflow { field, operation } => {
                Problem::field(field, format!("out of range: {operation}"))
            }
            LedgerError::Insufficient { reason, .. } => {
                let mut p = Problem::field("quantity", reason);
                p.status = 409;
                p.code = "insufficient_stock".into();
                p
            }
            LedgerError::Inconsistent { reason } => {
                Problem::conflict("ledger_inconsistent", reason)
            }
        }
    }
}

/// Who acts: an organisation and one of its users.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub org: i64,
    pub user: i64,
    pub kind: OrganisationKind,
}

impl From<&Principal> for Actor {
    fn from(p: &Principal) -> Self {
        Actor {
            org: p.organisation.id,
            user: p.user.id,
            kind: p.organisation.kind,
        }
    }
}

// ---------------------------------------------------------------------------
// Warehouses

/// A warehouse the organisation runs or is served by; any other is not found.
pub async fn warehouse(
    store: &Store,
    org: i64,
    id: i64,
) -> Result<(WarehouseRecord, WarehouseRole), Problem> {
    store
        .warehouse_for(org, id)
        .await?
        .ok_or_else(|| Problem::not_found("warehouse"))
}

/// A warehouse the organisation runs: not found when it has nothing to do
/// with it, forbidden when it is only served by it.
pub async fn operated(store: &Store, org: i64, id: i64) -> Result<WarehouseRecord, Problem> {
    match warehouse(store, org, id).await? {
        (w, WarehouseRole::Operator) => Ok(w),
        (w, WarehouseRole::Seller) => Err(Problem::forbidden(format!(
            "only the operator of warehouse {} may do this",
            w.draft.code
        ))),
    }
}

/// Stores a warehouse for the actor: warehouse operators run any; a seller
/// may run its own origin warehouse in China.
pub async fn create_warehouse(
    store: &Store,
    actor: Actor,
    draft: &WarehouseDraft,
    bins: &[String],
) -> Result<WarehouseRecord, Problem> {
    match (actor.kind, draft.kind) {
        (OrganisationKind::WarehouseOperator, _) => {}
        (OrganisationKind::Seller, WarehouseKind::Origin) => {}
        (OrganisationKind::Seller, WarehouseKind::Overseas) => {
            return Err(Problem::field(
                "kind",
                "a seller may add its own origin warehouse; overseas warehouses are added by their operator",
            ))
        }
        (OrganisationKind::Platform, _) => {
            return Err(Problem::forbidden(
                "warehouses are added by the organisations that run them",
            ))
        }
    }
    let mut errors: Vec<FieldProblem> = draft
        .problems()
        .into_iter()
        .map(|e| FieldProblem {
            field: e.field().unwrap_or("(body)").to_owned(),
            reason: match e {
                LedgerError::Invalid { reason, .. } => reason,
                other => other.to_string(),
            },
        })
        .collect();
    let mut codes = Vec::new();
    for (i, b) in bins.iter().enumerate() {
        match BinCode::parse(b) {
            Ok(c) => codes.push(c),
            Err(e) => errors.push(FieldProblem {
                field: format!("bins[{i}]"),
                reason: reason_of(e),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(Problem::validation(errors));
    }
    let w = store
        .create_warehouse(actor.org, draft, now_millis())
        .await?;
    if !codes.is_empty() {
        store.add_bins(w.id, &codes).await?;
    }
    Ok(w)
}

fn reason_of(e: LedgerError) -> String {
    match e {
        LedgerError::Invalid { reason, .. } => reason,
        other => other.to_string(),
    }
}

/// Lets a warehouse the actor runs serve the seller with `slug`.
pub async fn add_seller(
    store: &Store,
    actor: Actor,
    warehouse_id: i64,
    slug: &str,
) -> Result<i64, Problem> {
    let w = operated(store, actor.org, warehouse_id).await?;
    let seller = match store.organisation_by_slug(slug).await? {
        Some(o) if o.kind == OrganisationKind::Seller => o.id,
        _ => return Err(Problem::field("seller", format!("no seller '{slug}'"))),
    };
    store
        .add_warehouse_seller(actor.org, w.id, seller, now_millis())
        .await?;
    Ok(seller)
}

/// Adds bins to a warehouse the actor runs.
pub async fn add_bins(
    store: &Store,
    actor: Actor,
    warehouse_id: i64,
    codes: &[String],
) -> Result<Vec<BinCode>, Problem> {
    let w = operated(store, actor.org, warehouse_id).await?;
    let mut bins = Vec::new();
    let mut errors = Vec::new();
    if codes.is_empty() {
        errors.push(FieldProblem {
            field: "codes".into(),
            reason: "give at least one bin code".into(),
        });
    }
    for (i, c) in codes.iter().enumerate() {
        match BinCode::parse(c.trim()) {
            Ok(b) => bins.push(b),
            Err(e) => errors.push(FieldProblem {
                field: format!("codes[{i}]"),
                reason: reason_of(e),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(Problem::validation(errors));
    }
    store.add_bins(w.id, &bins).await?;
    Ok(store.bins(w.id).await?)
}

/// Refuses a seller the warehouse does not serve (its operator always may).
async fn check_served(store: &Store, w: &WarehouseRecord, seller: i64) -> Result<(), Problem> {
    if seller == w.operator_id || store.warehouse_sellers(w.id).await?.contains(&seller) {
        Ok(())
    } else {
        Err(Problem::field(
            "seller_id",
            format!(
                "seller {seller} is not served by warehouse {}",
                w.draft.code
            ),
        ))
    }
}

/// Refuses SKUs that are not variants of the seller's catalog; `fields`
/// pairs each SKU with the field it came from.
pub async fn check_skus(
    store: &Store,
    seller: i64,
    fields: &[(String, Sku)],
) -> Result<(), Problem> {
    let skus: Vec<Sku> = fields.iter().map(|(_, s)| s.clone()).collect();
    let unknown: BTreeSet<Sku> = store
        .unknown_skus(seller, &skus)
        .await?
        .into_iter()
        .collect();
    let errors: Vec<FieldProblem> = fields
        .iter()
        .filter(|(_, s)| unknown.contains(s))
        .map(|(field, s)| FieldProblem {
            field: field.clone(),
            reason: format!("{s} is not a SKU of the seller's catalog"),
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Problem::validation(errors))
    }
}

/// The seller whose stock an actor addresses at a warehouse: a seller's
/// own; for the operator, the one named (required when `required`).
fn seller_in_scope(
    actor: Actor,
    role: WarehouseRole,
    named: Option<i64>,
    required: bool,
) -> Result<Option<i64>, Problem> {
    match role {
        WarehouseRole::Seller => Ok(Some(actor.org)),
        WarehouseRole::Operator => match named {
            Some(s) => Ok(Some(s)),
            None if required => Err(Problem::field("seller_id", "is required")),
            None => Ok(None),
        },
    }
}

// ---------------------------------------------------------------------------
// Ledger entries posted by hand

/// Entry types an operator posts directly; the others come from
/// reservations, inbound shipments, counts and transfers.
pub const MANUAL_TYPES: [EntryType; 9] = [
    EntryType::Receipt,
    EntryType::Return,
    EntryType::Putaway,
    EntryType::Pick,
    EntryType::Ship,
    EntryType::AdjustmentIn,
    EntryType::AdjustmentOut,
    EntryType::Damage,
    EntryType::Disposal,
];

/// A movement an operator records at its warehouse.
#[derive(Debug, Clone)]
pub struct ManualEntry {
    /// The stock's owner; `None` means the actor itself (its own origin warehouse).
    pub seller_id: Option<i64>,
    pub sku: Sku,
    pub entry_type: EntryType,
    pub quantity: i64,
    pub bin: Option<BinCode>,
    pub lot: Option<LotCode>,
    pub reason_code: Option<ReasonCode>,
    pub reference: Option<Reference>,
}

/// Posts one movement at a warehouse the actor runs, for a seller it
/// serves and a SKU of that seller's catalog.
pub async fn post_entry(
    store: &Store,
    actor: Actor,
    warehouse_id: i64,
    m: ManualEntry,
) -> Result<(i64, LedgerEntry), Problem> {
    let w = operated(store, actor.org, warehouse_id).await?;
    if !MANUAL_TYPES.contains(&m.entry_type) {
        return Err(Problem::field(
            "entry_type",
            format!(
                "{} is posted by reservations, inbound shipments, counts or transfers, not by hand",
                m.entry_type
            ),
        ));
    }
    let seller = m.seller_id.unwrap_or(actor.org);
    check_served(store, &w, seller).await?;
    check_skus(store, seller, &[("sku".into(), m.sku.clone())]).await?;
    let reference = match m.reference {
        Some(r) => r,
        None => Reference::new(
            ReferenceKind::Manual,
            format!("{}-{}", w.draft.code, now_millis()),
        )?,
    };
    let mut entry = LedgerEntry::new(
        StockKey::new(seller, m.sku, w.id),
        m.entry_type,
        m.quantity,
        reference,
        now_millis(),
    )
    .with_bin(m.bin)
    .with_lot(m.lot)
    .with_user(Some(actor.user));
    if let Some(r) = m.reason_code {
        entry = entry.with_reason(r);
    }
    let ids = store.post_entries(std::slice::from_ref(&entry)).await?;
    Ok((ids.first().copied().unwrap_or(0), entry))
}

// ---------------------------------------------------------------------------
// Reservations

/// Holds `quantity` units of the seller's SKU at a warehouse serving it,
/// until `expires_in_secs` from now when given.
pub async fn reserve(
    store: &Store,
    actor: Actor,
    warehouse_id: i64,
    sku: Sku,
    quantity: i64,
    reference: Reference,
    expires_in_secs: Option<i64>,
) -> Result<HoldRecord, Problem> {
    let (w, _) = warehouse(store, actor.org, warehouse_id).await?;
    if actor.kind != OrganisationKind::Seller {
        return Err(Problem::forbidden(
            "only the seller that owns the stock may reserve it",
        ));
    }
    if !matches!(
        reference.kind,
        ReferenceKind::Order | ReferenceKind::Checkout
    ) {
        return Err(Problem::field(
            "reference.kind",
            "a reservation is for an order or a checkout",
        ));
    }
    check_skus(store, actor.org, &[("sku".into(), sku.clone())]).await?;
    let now = now_millis();
    let expires_at = match expires_in_secs {
        None => None,
        Some(s) if (1..=30 * 86_400).contains(&s) => Some(now + s * 1000),
        Some(_) => {
            return Err(Problem::field(
                "expires_in_seconds",
                "must be 1 to 2592000 (30 days)",
            ))
        }
    };
    let (hold, entry) = Hold::place(
        StockKey::new(actor.org, sku, w.id),
        quantity,
        reference,
        Some(actor.user),
        now,
        expires_at,
    )?;
    Ok(store.reserve(&hold, &entry).await?)
}

// ---------------------------------------------------------------------------
// Inbound shipments

/// Creates a draft inbound shipment to a warehouse serving the seller,
/// after checking its SKUs against the seller's catalog.
pub async fn create_inbound(
    store: &Store,
    actor: Actor,
    new: NewInbound,
) -> Result<InboundRecord, Problem> {
    if actor.kind != OrganisationKind::Seller {
        return Err(Problem::forbidden("inbound shipments are sent by sellers"));
    }
    let mut errors = Vec::new();
    let mut field = |f: String, r: &str| {
        errors.push(FieldProblem {
            field: f,
            reason: r.to_owned(),
        })
    };
    let text_ok = |s: &str, max: usize| {
        let n = s.trim().chars().count();
        n > 0 && n <= max && !s.chars().any(char::is_control)
    };
    if !text_ok(&new.reference, 64) {
        field("reference".into(), "must be 1 to 64 characters");
    }
    if !text_ok(&new.origin, 200) {
        field("origin".into(), "must be 1 to 200 characters");
    }
    if !text_ok(&new.carrier, 120) {
        field("carrier".into(), "must be 1 to 120 characters");
    }
    for (name, v) in [
        ("tracking_no", &new.tracking_no),
        ("container_no", &new.container_no),
    ] {
        if v.as_deref().is_some_and(|s| !text_ok(s, 64)) {
            field(name.into(), "must be 1 to 64 characters");
        }
    }
    if let (Some(etd), Some(eta)) = (new.etd, new.eta) {
        if eta < etd {
            field("eta".into(), "must not be before etd");
        }
    }
    if new.cartons.is_empty() {
        field("cartons".into(), "give at least one carton");
    }
    let mut skus = Vec::new();
    let mut numbers = BTreeSet::new();
    for (i, c) in new.cartons.iter().enumerate() {
        if !text_ok(&c.carton_no, 40) {
            field(
                format!("cartons[{i}].carton_no"),
                "must be 1 to 40 characters",
            );
        } else if !numbers.insert(c.carton_no.clone()) {
            field(
                format!("cartons[{i}].carton_no"),
                "is used by an earlier carton",
            );
        }
        if c.lines.is_empty() {
            field(format!("cartons[{i}].lines"), "give at least one SKU");
        }
        let mut seen = BTreeSet::new();
        for (j, (sku, q)) in c.lines.iter().enumerate() {
            if !(1..=LedgerEntry::MAX_QUANTITY).contains(q) {
                field(
                    format!("cartons[{i}].lines[{j}].quantity"),
                    "must be a positive number of units",
                );
            }
            if !seen.insert(sku.clone()) {
                field(
                    format!("cartons[{i}].lines[{j}].sku"),
                    "is already in this carton",
                );
            }
            skus.push((format!("cartons[{i}].lines[{j}].sku"), sku.clone()));
        }
    }
    if new.origin_warehouse_id == Some(new.destination_warehouse_id) {
        field(
            "destination_warehouse_id".into(),
            "must differ from the origin warehouse",
        );
    }
    if !errors.is_empty() {
        return Err(Problem::validation(errors));
    }
    warehouse(store, actor.org, new.destination_warehouse_id).await?;
    if let Some(origin) = new.origin_warehouse_id {
        warehouse(store, actor.org, origin).await?;
    }
    check_skus(store, actor.org, &skus).await?;
    Ok(store.create_inbound(&new, now_millis()).await?)
}

/// A shipment the actor may see, or 404.
pub async fn inbound(store: &Store, org: i64, id: i64) -> Result<InboundRecord, Problem> {
    store
        .inbound_for(org, id)
        .await?
        .ok_or_else(|| Problem::not_found("inbound shipment"))
}

/// Refuses anyone but the operator of the shipment's destination.
async fn destination_operator(store: &Store, org: i64, id: i64) -> Result<InboundRecord, Problem> {
    let asn = inbound(store, org, id).await?;
    operated(store, org, asn.destination_warehouse_id).await?;
    Ok(asn)
}

/// Records counts of a shipment at the actor's warehouse.
pub async fn receive(
    store: &Store,
    actor: Actor,
    id: i64,
    counts: &[ReceiveCount],
) -> Result<InboundRecord, Problem> {
    destination_operator(store, actor.org, id).await?;
    if counts.is_empty() {
        return Err(Problem::field("lines", "give at least one counted line"));
    }
    Ok(store
        .receive_inbound(actor.org, id, counts, now_millis())
        .await?)
}

/// Closes a shipment at the actor's warehouse: posts it and reports.
pub async fn close(store: &Store, actor: Actor, id: i64) -> Result<InboundRecord, Problem> {
    destination_operator(store, actor.org, id).await?;
    Ok(store
        .close_inbound(actor.org, id, Some(actor.user), now_millis())
        .await?)
}

/// Marks a shipment arrived (its seller or its destination's operator).
pub async fn arrive(store: &Store, actor: Actor, id: i64) -> Result<InboundRecord, Problem> {
    inbound(store, actor.org, id).await?;
    Ok(store.arrive_inbound(actor.org, id, now_millis()).await?)
}

/// Ships a seller's draft shipment: its units go in transit.
pub async fn ship(store: &Store, actor: Actor, id: i64) -> Result<InboundRecord, Problem> {
    let asn = inbound(store, actor.org, id).await?;
    if asn.seller_id != actor.org {
        return Err(Problem::forbidden("only the seller ships its shipment"));
    }
    Ok(store
        .ship_inbound(actor.org, id, Some(actor.user), now_millis())
        .await?)
}

// ---------------------------------------------------------------------------
// Cycle counts

/// Reviews a count at a warehouse the actor runs and records it for
/// posting: every counted SKU must be its seller's, every seller served.
pub async fn record_count(
    store: &Store,
    actor: Actor,
    warehouse_id: i64,
    count: CycleCount,
) -> Result<(CycleCountRecord, CountReview), Problem> {
    let w = operated(store, actor.org, warehouse_id).await?;
    if count.scope.warehouse() != w.id {
        return Err(Problem::field("scope", "is a scope of another warehouse"));
    }
    if let CountScope::Bin { bin: Some(b), .. } = &count.scope {
        if !store.bins(w.id).await?.contains(b) {
            return Err(Problem::field(
                "scope.bin",
                format!("{b} is not a bin of warehouse {}", w.draft.code),
            ));
        }
    }
    let mut by_seller: BTreeMap<i64, Vec<(String, Sku)>> = BTreeMap::new();
    if let CountScope::Sku { seller, sku, .. } = &count.scope {
        by_seller
            .entry(*seller)
            .or_default()
            .push(("scope.sku".into(), sku.clone()));
    }
    for (i, l) in count.lines.iter().enumerate() {
        by_seller
            .entry(l.seller)
            .or_default()
            .push((format!("lines[{i}].sku"), l.sku.clone()));
    }
    for (seller, skus) in &by_seller {
        check_served(store, &w, *seller).await?;
        check_skus(store, *seller, skus).await?;
    }
    let book = store.warehouse_book(w.id).await?;
    let review = review_count(&count, &book, Some(actor.user), now_millis())?;
    let record = store
        .insert_cycle_count(
            w.id,
            &serde_json::to_string(&count).map_err(|_| Problem::internal())?,
            &serde_json::to_string(&review).map_err(|_| Problem::internal())?,
            Some(actor.user),
            now_millis(),
        )
        .await?;
    Ok((record, review))
}

/// A count at a warehouse the actor runs, with its count and review.
pub async fn cycle_count(
    store: &Store,
    org: i64,
    id: i64,
) -> Result<(CycleCountRecord, CycleCount, CountReview), Problem> {
    let record = store
        .cycle_count_for(org, id)
        .await?
        .ok_or_else(|| Problem::not_found("cycle count"))?;
    let count: CycleCount =
        serde_json::from_str(&record.count_body).map_err(|_| Problem::internal())?;
    let review: CountReview =
        serde_json::from_str(&record.review).map_err(|_| Problem::internal())?;
    Ok((record, count, review))
}

/// Posts a reviewed count's corrections, if the stock it was reviewed
/// against has not changed since (else 409 `count_stale`: review again).
pub async fn post_count(store: &Store, actor: Actor, id: i64) -> Result<CountReview, Problem> {
    let (record, count, reviewed) = cycle_count(store, actor.org, id).await?;
    if record.status != "review" {
        return Err(LedgerError::Invalid {
            field: "status".into(),
            reason: format!("the count is already {}", record.status),
        }
        .into());
    }
    let book = store.warehouse_book(record.warehouse_id).await?;
    let now = now_millis();
    let current = review_count(&count, &book, Some(actor.user), now)?;
    let same = |a: &[LedgerEntry], b: &[LedgerEntry]| {
        a.len() == b.len()
            && a.iter().zip(b).all(|(x, y)| {
                let mut y = y.clone();
                y.at = x.at;
                y.user = x.user;
                *x == y
            })
    };
    if !same(&current.corrections, &reviewed.corrections) {
        return Err(Problem::conflict(
            "count_stale",
            "the stock changed since this count was reviewed; count again",
        ));
    }
    if !current.can_post() {
        return Err(Problem::conflict(
            "count_has_problems",
            current
                .problems
                .iter()
                .map(|p| p.reason.clone())
                .collect::<Vec<_>>()
                .join("; "),
        ));
    }
    store
        .post_cycle_count(id, &current.corrections, now)
        .await?;
    Ok(current)
}

// ---------------------------------------------------------------------------
// Ages, storage fees, slow movers

/// The first instant after `day` ends at the warehouse.
fn end_of_day(day: Date, offset: UtcOffset) -> i64 {
    (i64::from(day.days_since_epoch()) + 1) * 86_400_000 - i64::from(offset.minutes()) * 60_000
}

fn offset_of(w: &WarehouseRecord) -> Result<UtcOffset, Problem> {
    Ok(w.draft.utc_offset()?)
}

/// The sellers whose stock an actor looks at in a warehouse.
async fn sellers_at(
    store: &Store,
    actor: Actor,
    role: WarehouseRole,
    w: &WarehouseRecord,
    named: Option<i64>,
) -> Result<Vec<i64>, Problem> {
    Ok(match seller_in_scope(actor, role, named, false)? {
        Some(s) => vec![s],
        None => {
            let rows = store.stock_rows(None, Some(w.id)).await?;
            let set: BTreeSet<i64> = rows.iter().map(|r| r.key.seller).collect();
            set.into_iter().collect()
        }
    })
}

/// Age buckets (FIFO of receipts) of each SKU in a warehouse on `on`
/// (default: the warehouse's today). Returns the day used.
pub async fn ages(
    store: &Store,
    actor: Actor,
    warehouse_id: i64,
    seller: Option<i64>,
    on: Option<Date>,
) -> Result<(Date, Vec<(StockKey, AgeProfile)>), Problem> {
    let (w, role) = warehouse(store, actor.org, warehouse_id).await?;
    let offset = offset_of(&w)?;
    let on = on.unwrap_or_else(|| offset.date_of(now_millis()));
    let mut out = Vec::new();
    for s in sellers_at(store, actor, role, &w, seller).await? {
        let entries = store.stock_history(s, w.id, end_of_day(on, offset)).await?;
        for (key, layers) in fifo_layers_by_key(&entries, offset)? {
            let profile = age_profile(&layers, on);
            if profile.total() > 0 {
                out.push((key, profile));
            }
        }
    }
    Ok((on, out))
}

/// A warehouse's storage fee versions.
pub async fn fee_schedule(store: &Store, warehouse_id: i64) -> Result<StorageFeeSchedule, Problem> {
    let corrupt = |e: &dyn std::fmt::Display| {
        tracing::error!(error = %e, warehouse_id, "stored storage fee versions do not read");
        Problem::internal()
    };
    let mut versions = Vec::new();
    for (day, json) in store.storage_fee_versions(warehouse_id).await? {
        let valid_from = i32::try_from(day)
            .ok()
            .and_then(Date::from_days_since_epoch)
            .ok_or_else(|| corrupt(&day))?;
        let rules: StorageFeeRules = serde_json::from_str(&json).map_err(|e| corrupt(&e))?;
        versions.push(StorageFeeVersion { valid_from, rules });
    }
    StorageFeeSchedule::new(versions).map_err(|e| corrupt(&e))
}

/// The storage fee rules of a warehouse in force on its local today, if any.
pub async fn fee_rules(
    store: &Store,
    w: &WarehouseRecord,
) -> Result<Option<StorageFeeVersion>, Problem> {
    let today = offset_of(w)?.date_of(now_millis());
    Ok(fee_schedule(store, w.id).await?.in_force(today).cloned())
}

/// Adds a version of the storage fee rules of a warehouse its operator
/// runs, from `valid_from` (default: the warehouse's local today), or
/// replaces the version from that day. A version starts today or later,
/// and one that started before today never changes, so past invoices
/// stay as they were. Returns every version.
pub async fn add_fee_version(
    store: &Store,
    actor: Actor,
    warehouse_id: i64,
    valid_from: Option<Date>,
    rules: StorageFeeRules,
) -> Result<StorageFeeSchedule, Problem> {
    let w = operated(store, actor.org, warehouse_id).await?;
    let today = offset_of(&w)?.date_of(now_millis());
    let version = StorageFeeVersion {
        valid_from: valid_from.unwrap_or(today),
        rules,
    };
    let schedule = fee_schedule(store, w.id)
        .await?
        .with_version(version.clone(), today)?;
    let json = serde_json::to_string(&version.rules).map_err(|_| Problem::internal())?;
    store
        .put_storage_fee_version(
            w.id,
            i64::from(version.valid_from.days_since_epoch()),
            &json,
            now_millis(),
        )
        .await?;
    Ok(schedule)
}

/// The storage invoice of one seller at one warehouse for a month,
/// computed from the ledger and the warehouse's rules (so the same inputs
/// always give the same invoice).
pub async fn storage_invoice(
    store: &Store,
    actor: Actor,
    warehouse_id: i64,
    seller: Option<i64>,
    month: BillingMonth,
) -> Result<StorageInvoice, Problem> {
    let (w, role) = warehouse(store, actor.org, warehouse_id).await?;
    let seller = seller_in_scope(actor, role, seller, true)?.unwrap_or(actor.org);
    let schedule = fee_schedule(store, w.id).await?;
    if schedule.is_empty() {
        return Err(Problem::field("warehouse", "has no storage fee rules yet"));
    }
    let offset = offset_of(&w)?;
    let entries = store
        .stock_history(seller, w.id, end_of_day(month.last_day(), offset))
        .await?;
    let sizes = store.sku_dimensions(seller).await?;
    let scope = InvoiceScope {
        seller,
        warehouse: w.id,
        month,
    };
    Ok(storage_invoice_from_ledger(
        scope, &entries, offset, &schedule, &sizes,
    )?)
}

/// Stock that will cross into a surcharge tier within `within_days` of
/// the warehouse's today.
pub async fn slow_mover_alerts(
    store: &Store,
    actor: Actor,
    warehouse_id: i64,
    seller: Option<i64>,
    within_days: u32,
) -> Result<Vec<SlowMoverAlert>, Problem> {
    let (w, role) = warehouse(store, actor.org, warehouse_id).await?;
    let Some(StorageFeeVersion { rules, .. }) = fee_rules(store, &w).await? else {
        return Ok(Vec::new());
    };
    let offset = offset_of(&w)?;
    let today = offset.date_of(now_millis());
    let mut out = Vec::new();
    for s in sellers_at(store, actor, role, &w, seller).await? {
        let entries = store
            .stock_history(s, w.id, end_of_day(today, offset))
            .await?;
        let layers = fifo_layers_by_key(&entries, offset)?;
        out.extend(slow_movers(&layers, today, &rules, within_days));
    }
    Ok(out)
}

/// Releases lapsed checkout holds, and cancels the placed orders they
/// belonged to, every few seconds, for as long as the server runs. Every server runs one; a hold is released once whichever
/// server gets to it first (the store re-checks it in the transaction).
pub async fn sweeper(store: Store) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match store.sweep_expired_holds(now_millis(), 500).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(released = n, "released lapsed reservations"),
            Err(e) => tracing::warn!(error = %e, "the reservation sweeper failed; retrying"),
        }
        match store.cancel_lapsed_orders(now_millis(), 500).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(cancelled = n, "cancelled orders whose checkout hold lapsed"),
            Err(e) => tracing::warn!(error = %e, "cancelling lapsed orders failed; retrying"),
        }
    }
}
