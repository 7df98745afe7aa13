//! Warehouses and stock in the console.
//!
//! For sellers: stock by SKU across warehouses (on hand, reserved,
//! available, in transit with the next ETA), inbound shipments, and per
//! warehouse its age buckets, storage fees and slow movers. For warehouse
//! operators: their sellers' stock, receiving inbound shipments carton by
//! carton, putaway into bins, adjustments and cycle counts reviewed before
//! posting. Every action goes through the same use cases as the API
//! (`services::inventory`), so the same rules refuse the same input.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chuhai_domain::accounts::{OrganisationKind, UiLocale};
use chuhai_domain::calendar::Date;
use chuhai_domain::catalog::Sku;
use chuhai_domain::inventory::{
    AsnStatus, BillingMonth, BinCode, CountReview, CountScope, CountedLine, CycleCount, EntryType,
    ReasonCode, TransportMode, WarehouseKind,
};
use chuhai_store::accounts::Principal;
use chuhai_store::inventory::{
    InboundRecord, ReceiveCount, StockRow, WarehouseRecord, WarehouseRole,
};
use serde::Deserialize;

use super::catalog::format_money;
use super::i18n::Tr;
use super::{html, locale, session, session_with_csrf, to_login, Shell};
use crate::problem::Problem;
use crate::services::inventory::{self as svc, Actor, ManualEntry};
use crate::state::AppState;
use crate::time::now_millis;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/console/stock", get(stock_page))
        .route("/console/inbound", get(inbound_list))
        .route("/console/inbound/{id}", get(inbound_page))
        .route("/console/inbound/{id}/ship", post(ship))
        .route("/console/inbound/{id}/arrive", post(arrive))
        .route("/console/inbound/{id}/receive", post(receive))
        .route("/console/inbound/{id}/close", post(close))
        .route("/console/warehouses", get(warehouses_page))
        .route("/console/warehouses/{id}", get(warehouse_page))
        .route("/console/warehouses/{id}/putaway", post(putaway))
        .route("/console/warehouses/{id}/adjust", post(adjust))
        .route("/console/warehouses/{id}/count", post(count))
        .route("/console/counts/{id}", get(count_page))
        .route("/console/counts/{id}/post", post(post_count))
}

/// Reasons offered for adjustments (codes of `ReasonCode::STANDARD`).
const ADJUST_REASONS: [&str; 6] = [
    "found",
    "lost",
    "damaged_in_handling",
    "receiving_error",
    "expired",
    "quality_hold",
];

fn reason_name(t: &Tr, code: &str) -> &'static str {
    match code {
        "found" => t.reason_found,
        "lost" => t.reason_lost,
        "damaged_in_handling" => t.reason_damaged_in_handling,
        "receiving_error" => t.reason_receiving_error,
        "expired" => t.reason_expired,
        _ => t.reason_quality_hold,
    }
}

fn mode_name(t: &Tr, m: TransportMode) -> &'static str {
    match m {
        TransportMode::Sea => t.mode_sea,
        TransportMode::Air => t.mode_air,
        TransportMode::Rail => t.mode_rail,
        TransportMode::Express => t.mode_express,
    }
}

fn status_name(t: &Tr, s: AsnStatus) -> &'static str {
    match s {
        AsnStatus::Draft => t.asn_draft,
        AsnStatus::Shipped => t.asn_shipped,
        AsnStatus::Arrived => t.asn_arrived,
        AsnStatus::Receiving => t.asn_receiving,
        AsnStatus::Closed => t.asn_closed,
    }
}

fn day_text(d: Option<i64>) -> String {
    d.and_then(|d| i32::try_from(d).ok())
        .and_then(Date::from_days_since_epoch)
        .map(|d| d.to_string())
        .unwrap_or_else(|| "—".to_owned())
}

/// What a refused action says on the page: the console's own words for
/// the usual refusals, the rule's reason otherwise.
fn refusal(t: &Tr, p: &Problem) -> String {
    let field = p.errors.first().map(|e| e.field.as_str()).unwrap_or("");
    let own = match (p.code.as_str(), field) {
        ("insufficient_stock", _) => Some(t.err_insufficient),
        ("invalid_status", _) => Some(t.err_status),
        ("count_stale", _) => Some(t.count_stale),
        (_, "quantity") => Some(t.err_quantity),
        (_, "bin") | (_, "scope.bin") => Some(t.err_bin),
        (_, "reason_code") => Some(t.err_reason),
        (_, f) if f == "sku" || f.ends_with(".sku") => Some(t.err_sku_not_sellers),
        (_, f) if f.ends_with("counted") => Some(t.err_counted),
        _ => None,
    };
    let reason = match own {
        Some(s) => s.to_owned(),
        None => p
            .errors
            .first()
            .map(|e| format!("{}{}{}", e.field, t.colon, e.reason))
            .unwrap_or_else(|| p.detail.clone()),
    };
    format!("{reason} {}", t.err_not_posted)
}

/// Problems a form can cause are shown on the page; others (storage
/// failures, 404s of the addressed object) propagate.
pub(super) fn shown(p: &Problem) -> bool {
    matches!(p.status, 403 | 409 | 422)
}

/// A page saying the addressed object is not there, with a way back
/// (shared by the inventory, order and return pages).
#[derive(Template)]
#[template(path = "inventory_not_found.html")]
pub(super) struct NotFoundPage {
    pub(super) shell: Shell,
    pub(super) title: &'static str,
    pub(super) text: &'static str,
    pub(super) back: &'static str,
    pub(super) back_label: &'static str,
}

fn not_found(p: &Principal, lang: UiLocale, what: &str, here: String) -> Response {
    let t = Tr::for_locale(lang);
    let (title, text, back, back_label) = match what {
        "inbound" => (
            t.asn_not_found,
            t.asn_not_found_text,
            "/console/inbound",
            t.back_inbound,
        ),
        "count" => (
            t.count_not_found,
            t.count_not_found_text,
            "/console/warehouses",
            t.back_warehouses,
        ),
        _ => (
            t.warehouse_not_found,
            t.warehouse_not_found_text,
            "/console/warehouses",
            t.back_warehouses,
        ),
    };
    let page = NotFoundPage {
        shell: Shell::for_principal(p, lang, "stock", here),
        title,
        text,
        back,
        back_label,
    };
    html(StatusCode::NOT_FOUND, &page)
}

async fn seller_names(
    state: &AppState,
    ids: Vec<i64>,
    lang: UiLocale,
) -> Result<HashMap<i64, String>, Problem> {
    let mut out = HashMap::new();
    for id in ids {
        if out.contains_key(&id) {
            continue;
        }
        if let Some(o) = state.store.organisation(id).await? {
            let name = match (&o.name_zh, lang) {
                (Some(zh), UiLocale::ZhCn) => zh.clone(),
                _ => o.name.clone(),
            };
            out.insert(id, name);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Stock by SKU

struct StockLineView {
    sku: String,
    warehouse_id: i64,
    warehouse: String,
    warehouse_name: String,
    seller: String,
    on_hand: i64,
    reserved: i64,
    available: i64,
    in_transit: i64,
    damaged: i64,
    eta: String,
}

struct SkuGroup {
    sku: String,
    lines: Vec<StockLineView>,
    on_hand: i64,
    reserved: i64,
    available: i64,
    in_transit: i64,
}

#[derive(Template)]
#[template(path = "stock.html")]
struct StockPage {
    shell: Shell,
    operator: bool,
    groups: Vec<SkuGroup>,
    sku: String,
}

#[derive(Deserialize, Default)]
struct StockQuery {
    sku: Option<String>,
}

fn is_operator(p: &Principal) -> bool {
    p.organisation.kind == OrganisationKind::WarehouseOperator
}

async fn stock_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<StockQuery>,
) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let org = p.organisation.id;
    let operator = is_operator(&p);
    let warehouses = state.store.warehouses_for(org).await?;
    let mut rows: Vec<StockRow> = Vec::new();
    if operator {
        for (w, role) in &warehouses {
            if *role == WarehouseRole::Operator {
                rows.extend(state.store.stock_rows(None, Some(w.id)).await?);
            }
        }
    } else {
        rows = state.store.stock_rows(Some(org), None).await?;
    }
    let filter = q.sku.as_deref().map(str::trim).unwrap_or("").to_owned();
    if !filter.is_empty() {
        let needle = filter.to_uppercase();
        rows.retain(|r| r.key.sku.as_str().to_uppercase().contains(&needle));
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.key.seller).collect();
    let names = seller_names(&state, ids, lang).await?;
    let by_id: std::collections::HashMap<i64, &(WarehouseRecord, WarehouseRole)> =
        warehouses.iter().map(|w| (w.0.id, w)).collect();
    let mut groups: BTreeMap<String, SkuGroup> = BTreeMap::new();
    for r in &rows {
        let w = by_id.get(&r.key.warehouse).copied();
        let g = groups
            .entry(r.key.sku.to_string())
            .or_insert_with(|| SkuGroup {
                sku: r.key.sku.to_string(),
                lines: Vec::new(),
                on_hand: 0,
                reserved: 0,
                available: 0,
                in_transit: 0,
            });
        g.on_hand += r.balance.on_hand;
        g.reserved += r.balance.reserved;
        g.available += r.balance.available();
        g.in_transit += r.balance.in_transit;
        g.lines.push(StockLineView {
            sku: r.key.sku.to_string(),
            warehouse_id: r.key.warehouse,
            warehouse: w.map(|(w, _)| w.draft.code.clone()).unwrap_or_default(),
            warehouse_name: w.map(|(w, _)| w.draft.name.clone()).unwrap_or_default(),
            seller: names.get(&r.key.seller).cloned().unwrap_or_default(),
            on_hand: r.balance.on_hand,
            reserved: r.balance.reserved,
            available: r.balance.available(),
            in_transit: r.balance.in_transit,
            damaged: r.balance.damaged,
            eta: if r.balance.in_transit > 0 {
                day_text(r.next_eta)
            } else {
                "—".to_owned()
            },
        });
    }
    let page = StockPage {
        shell: Shell::for_principal(&p, lang, "stock", "/console/stock"),
        operator,
        groups: groups.into_values().collect(),
        sku: filter,
    };
    Ok(html(StatusCode::OK, &page))
}

// ---------------------------------------------------------------------------
// Inbound shipments

struct InboundRowView {
    id: i64,
    reference: String,
    destination: String,
    mode: &'static str,
    carrier: String,
    etd: String,
    eta: String,
    units: i64,
    status: &'static str,
    status_key: &'static str,
}

#[derive(Template)]
#[template(path = "inbound_list.html")]
struct InboundListPage {
    shell: Shell,
    shipments: Vec<InboundRowView>,
}

fn warehouse_label(warehouses: &[(WarehouseRecord, WarehouseRole)], id: i64) -> String {
    warehouses
        .iter()
        .find(|(w, _)| w.id == id)
        .map(|(w, _)| format!("{} · {}", w.draft.code, w.draft.name))
        .unwrap_or_else(|| id.to_string())
}

async fn inbound_list(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let t = Tr::for_locale(lang);
    let org = p.organisation.id;
    let warehouses = state.store.warehouses_for(org).await?;
    let shipments = state
        .store
        .inbounds_for(org)
        .await?
        .iter()
        .map(|r| InboundRowView {
            id: r.id,
            reference: r.reference.clone(),
            destination: warehouse_label(&warehouses, r.destination_warehouse_id),
            mode: mode_name(t, r.mode),
            carrier: r.carrier.clone(),
            etd: r.etd.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
            eta: r.eta.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
            units: r
                .cartons
                .iter()
                .flat_map(|c| c.lines.iter())
                .map(|l| l.expected)
                .sum(),
            status: status_name(t, r.status),
            status_key: r.status.as_str(),
        })
        .collect();
    let page = InboundListPage {
        shell: Shell::for_principal(&p, lang, "stock", "/console/inbound"),
        shipments,
    };
    Ok(html(StatusCode::OK, &page))
}

struct LineView {
    id: i64,
    carton: String,
    sku: String,
    expected: i64,
    received: String,
    received_value: String,
    damaged: i64,
    short: i64,
    over: i64,
}

struct ReportLineView {
    sku: String,
    expected: i64,
    received: i64,
    damaged: i64,
    short: i64,
    over: i64,
}

#[derive(Template)]
#[template(path = "inbound.html")]
struct InboundPage {
    shell: Shell,
    id: i64,
    reference: String,
    status: &'static str,
    status_key: &'static str,
    origin: String,
    destination: String,
    mode: &'static str,
    carrier: String,
    container: String,
    tracking: String,
    etd: String,
    eta: String,
    lines: Vec<LineView>,
    can_ship: bool,
    can_arrive: bool,
    can_receive: bool,
    report: Option<Vec<ReportLineView>>,
    report_clean: bool,
    notice: Option<&'static str>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct NoticeQuery {
    saved: Option<String>,
    closed: Option<String>,
    posted: Option<String>,
}

async fn render_inbound(
    state: &AppState,
    p: &Principal,
    lang: UiLocale,
    r: &InboundRecord,
    status: StatusCode,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Result<Response, Problem> {
    let t = Tr::for_locale(lang);
    let org = p.organisation.id;
    let warehouses = state.store.warehouses_for(org).await?;
    let operator = warehouses
        .iter()
        .any(|(w, role)| w.id == r.destination_warehouse_id && *role == WarehouseRole::Operator);
    let lines = r
        .cartons
        .iter()
        .flat_map(|c| {
            c.lines.iter().map(|l| LineView {
                id: l.id,
                carton: c.carton_no.clone(),
                sku: l.sku.to_string(),
                expected: l.expected,
                received: l
                    .received
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "—".into()),
                received_value: l.received.unwrap_or(l.expected).to_string(),
                damaged: l.damaged,
                short: l.short,
                over: l.over,
            })
        })
        .collect();
    let report = r.report.as_ref().map(|rep| {
        rep.lines
            .iter()
            .map(|d| ReportLineView {
                sku: d.sku.to_string(),
                expected: d.expected,
                received: d.received,
                damaged: d.damaged,
                short: d.short,
                over: d.over,
            })
            .collect()
    });
    let page = InboundPage {
        shell: Shell::for_principal(p, lang, "stock", format!("/console/inbound/{}", r.id)),
        id: r.id,
        reference: r.reference.clone(),
        status: status_name(t, r.status),
        status_key: r.status.as_str(),
        origin: r.origin.clone(),
        destination: warehouse_label(&warehouses, r.destination_warehouse_id),
        mode: mode_name(t, r.mode),
        carrier: r.carrier.clone(),
        container: r.container_no.clone().unwrap_or_else(|| "—".into()),
        tracking: r.tracking_no.clone().unwrap_or_else(|| "—".into()),
        etd: r.etd.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
        eta: r.eta.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
        lines,
        can_ship: r.status == AsnStatus::Draft && r.seller_id == org,
        can_arrive: r.status == AsnStatus::Shipped,
        can_receive: operator && matches!(r.status, AsnStatus::Arrived | AsnStatus::Receiving),
        report_clean: r.report.as_ref().is_some_and(|rep| rep.is_clean()),
        report,
        notice,
        error,
    };
    Ok(html(status, &page))
}

async fn load_inbound(
    state: &AppState,
    p: &Principal,
    raw: &str,
) -> Result<Option<InboundRecord>, Problem> {
    match raw.parse::<i64>() {
        Ok(id) => Ok(state.store.inbound_for(p.organisation.id, id).await?),
        Err(_) => Ok(None),
    }
}

async fn inbound_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let t = Tr::for_locale(lang);
    let Some(r) = load_inbound(&state, &p, &raw).await? else {
        return Ok(not_found(
            &p,
            lang,
            "inbound",
            format!("/console/inbound/{raw}"),
        ));
    };
    let notice = if q.closed.is_some() {
        Some(t.asn_closed_note)
    } else if q.saved.is_some() {
        Some(t.counts_saved)
    } else {
        None
    };
    render_inbound(&state, &p, lang, &r, StatusCode::OK, notice, None).await
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

/// Runs one step of an inbound shipment from a form; shows a refusal on
/// the shipment's page.
async fn inbound_step<F, Fut>(
    state: AppState,
    headers: HeaderMap,
    raw: String,
    csrf: &str,
    after: &str,
    step: F,
) -> Result<Response, Problem>
where
    F: FnOnce(AppState, Actor, i64) -> Fut,
    Fut: std::future::Future<Output = Result<InboundRecord, Problem>>,
{
    let Some(p) = session_with_csrf(&state, &headers, csrf).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let t = Tr::for_locale(lang);
    let Some(r) = load_inbound(&state, &p, &raw).await? else {
        return Ok(not_found(
            &p,
            lang,
            "inbound",
            format!("/console/inbound/{raw}"),
        ));
    };
    match step(state.clone(), Actor::from(&p), r.id).await {
        Ok(_) => Ok(Redirect::to(&format!("/console/inbound/{}{after}", r.id)).into_response()),
        Err(e) if shown(&e) => {
            render_inbound(
                &state,
                &p,
                lang,
                &r,
                StatusCode::from_u16(e.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
                None,
                Some(refusal(t, &e)),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

async fn ship(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, Problem> {
    inbound_step(state, headers, raw, &form.csrf, "", |s, a, id| async move {
        svc::ship(&s.store, a, id).await
    })
    .await
}

async fn arrive(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, Problem> {
    inbound_step(state, headers, raw, &form.csrf, "", |s, a, id| async move {
        svc::arrive(&s.store, a, id).await
    })
    .await
}

async fn close(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, Problem> {
    inbound_step(
        state,
        headers,
        raw,
        &form.csrf,
        "?closed=1",
        |s, a, id| async move { svc::close(&s.store, a, id).await },
    )
    .await
}

/// The receive form: `csrf`, and per line `r_<line id>` (received in good
/// order) and `d_<line id>` (damaged).
async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let csrf = form.get("csrf").cloned().unwrap_or_default();
    let Some(p) = session_with_csrf(&state, &headers, &csrf).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let t = Tr::for_locale(lang);
    let Some(r) = load_inbound(&state, &p, &raw).await? else {
        return Ok(not_found(
            &p,
            lang,
            "inbound",
            format!("/console/inbound/{raw}"),
        ));
    };
    let mut counts = Vec::new();
    let mut bad = false;
    for c in &r.cartons {
        for l in &c.lines {
            let value = |prefix: &str| {
                form.get(&format!("{prefix}_{}", l.id))
                    .map(|v| v.trim().to_owned())
                    .unwrap_or_default()
            };
            let (received, damaged) = (value("r"), value("d"));
            if received.is_empty() && damaged.is_empty() {
                continue;
            }
            let parse = |v: &str| -> Option<i64> {
                if v.is_empty() {
                    Some(0)
                } else {
                    v.parse::<i64>().ok().filter(|n| *n >= 0)
                }
            };
            match (parse(&received), parse(&damaged)) {
                (Some(received), Some(damaged)) => counts.push(ReceiveCount {
                    carton_no: c.carton_no.clone(),
                    sku: l.sku.clone(),
                    received,
                    damaged,
                }),
                _ => bad = true,
            }
        }
    }
    if bad {
        let msg = format!("{} {}", t.err_counted, t.err_not_posted);
        return render_inbound(
            &state,
            &p,
            lang,
            &r,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(msg),
        )
        .await;
    }
    match svc::receive(&state.store, Actor::from(&p), r.id, &counts).await {
        Ok(_) => Ok(Redirect::to(&format!("/console/inbound/{}?saved=1", r.id)).into_response()),
        Err(e) if shown(&e) => {
            render_inbound(
                &state,
                &p,
                lang,
                &r,
                StatusCode::from_u16(e.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
                None,
                Some(refusal(t, &e)),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------
// Warehouses

struct WarehouseRowView {
    id: i64,
    code: String,
    name: String,
    kind: &'static str,
    country: String,
    cutoff: String,
    time_zone: String,
    capacity: String,
    carriers: String,
    run_by: &'static str,
}

#[derive(Template)]
#[template(path = "warehouses.html")]
struct WarehousesPage {
    shell: Shell,
    operator: bool,
    warehouses: Vec<WarehouseRowView>,
}

fn capacity_text(w: &WarehouseRecord) -> String {
    let d = &w.draft;
    match (&d.capacity_m2, &d.capacity_m3) {
        (Some(a), Some(v)) => format!("{a} m² · {v} m³"),
        (Some(a), None) => format!("{a} m²"),
        (None, Some(v)) => format!("{v} m³"),
        (None, None) => "—".into(),
    }
}

async fn warehouses_page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let t = Tr::for_locale(lang);
    let list = state.store.warehouses_for(p.organisation.id).await?;
    let warehouses = list
        .iter()
        .map(|(w, role)| WarehouseRowView {
            id: w.id,
            code: w.draft.code.clone(),
            name: w.draft.name.clone(),
            kind: match w.draft.kind {
                WarehouseKind::Origin => t.wh_kind_origin,
                WarehouseKind::Overseas => t.wh_kind_overseas,
            },
            country: w.draft.country.name(t.lang).to_owned(),
            cutoff: w.draft.cutoff_time.clone(),
            time_zone: w.draft.time_zone.clone(),
            capacity: capacity_text(w),
            carriers: w.draft.carrier_services.join(", "),
            run_by: match role {
                WarehouseRole::Operator => t.run_by_you,
                WarehouseRole::Seller => t.run_by_partner,
            },
        })
        .collect();
    let page = WarehousesPage {
        shell: Shell::for_principal(&p, lang, "stock", "/console/warehouses"),
        operator: is_operator(&p),
        warehouses,
    };
    Ok(html(StatusCode::OK, &page))
}

struct AgeRowView {
    seller: String,
    sku: String,
    buckets: [i64; 5],
    total: i64,
}

struct BinRowView {
    seller: String,
    sku: String,
    bin: String,
    units: i64,
}

struct InvoiceLineView {
    sku: String,
    m3_days: String,
    base: String,
    surcharge: String,
    total: String,
}

struct InvoiceView {
    month: String,
    lines: Vec<InvoiceLineView>,
    total: String,
}

struct SlowRowView {
    sku: String,
    quantity: i64,
    crosses_on: String,
    days_left: u32,
    surcharge: String,
}

struct SellerOption {
    id: i64,
    name: String,
}

#[derive(Template)]
#[template(path = "warehouse.html")]
struct WarehousePage {
    shell: Shell,
    id: i64,
    code: String,
    name: String,
    kind: &'static str,
    country: String,
    address: String,
    coordinates: String,
    cutoff: String,
    time_zone: String,
    capacity: String,
    carriers: String,
    operator: bool,
    stock: Vec<StockLineView>,
    ages: Vec<AgeRowView>,
    bin_stock: Vec<BinRowView>,
    fee_price: Option<String>,
    fee_free_days: u32,
    /// The day the rules in force started.
    fee_since: Option<String>,
    /// Versions not yet in force: (from day, price per m³ per day).
    fee_scheduled: Vec<(String, String)>,
    fee_tiers: Vec<(u32, String)>,
    invoice: Option<InvoiceView>,
    slow: Vec<SlowRowView>,
    sellers: Vec<SellerOption>,
    bins: Vec<String>,
    reasons: Vec<(&'static str, &'static str)>,
    notice: Option<&'static str>,
    error: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn render_warehouse(
    state: &AppState,
    p: &Principal,
    lang: UiLocale,
    w: &WarehouseRecord,
    role: WarehouseRole,
    status: StatusCode,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Result<Response, Problem> {
    let t = Tr::for_locale(lang);
    let actor = Actor::from(p);
    let operator = role == WarehouseRole::Operator;
    let seller_filter = (!operator).then_some(p.organisation.id);
    let rows = state.store.stock_rows(seller_filter, Some(w.id)).await?;
    // The sellers the operator may post for: those served, and itself when
    // it is a seller running its own origin warehouse.
    let mut seller_ids: Vec<i64> = Vec::new();
    if operator {
        if p.organisation.kind == OrganisationKind::Seller {
            seller_ids.push(p.organisation.id);
        }
        seller_ids.extend(state.store.warehouse_sellers(w.id).await?);
    }
    let names = seller_names(
        state,
        rows.iter()
            .map(|r| r.key.seller)
            .chain(seller_ids.iter().copied())
            .collect(),
        lang,
    )
    .await?;
    let stock = rows
        .iter()
        .map(|r| StockLineView {
            sku: r.key.sku.to_string(),
            warehouse_id: w.id,
            warehouse: w.draft.code.clone(),
            warehouse_name: w.draft.name.clone(),
            seller: names.get(&r.key.seller).cloned().unwrap_or_default(),
            on_hand: r.balance.on_hand,
            reserved: r.balance.reserved,
            available: r.balance.available(),
            in_transit: r.balance.in_transit,
            damaged: r.balance.damaged,
            eta: if r.balance.in_transit > 0 {
                day_text(r.next_eta)
            } else {
                "—".to_owned()
            },
        })
        .collect();
    let (_, ages) = svc::ages(&state.store, actor, w.id, None, None).await?;
    let ages = ages
        .iter()
        .map(|(k, a)| AgeRowView {
            seller: names.get(&k.seller).cloned().unwrap_or_default(),
            sku: k.sku.to_string(),
            buckets: [
                a.days_0_30,
                a.days_31_90,
                a.days_91_180,
                a.days_181_365,
                a.days_over_365,
            ],
            total: a.total(),
        })
        .collect();
    let book = state.store.warehouse_book(w.id).await?;
    let mut bin_stock: Vec<BinRowView> = book
        .locations()
        .iter()
        .filter(|(k, units)| **units != 0 && (operator || k.stock.seller == p.organisation.id))
        .map(|(k, units)| BinRowView {
            seller: names.get(&k.stock.seller).cloned().unwrap_or_default(),
            sku: k.stock.sku.to_string(),
            bin: k
                .bin
                .as_ref()
                .map(|b| b.to_string())
                .unwrap_or_else(|| t.unlocated.to_owned()),
            units: *units,
        })
        .collect();
    bin_stock.sort_by(|a, b| (&a.bin, &a.sku).cmp(&(&b.bin, &b.sku)));
    let today = w.draft.utc_offset()?.date_of(now_millis());
    let schedule = svc::fee_schedule(&state.store, w.id).await?;
    let in_force = schedule.in_force(today);
    let fee_since = in_force.map(|v| v.valid_from.to_string());
    let fee_scheduled = schedule
        .versions()
        .iter()
        .filter(|v| v.valid_from > today)
        .map(|v| {
            (
                v.valid_from.to_string(),
                format_money(v.rules.price_per_m3_day(), lang),
            )
        })
        .collect();
    let rules = in_force.map(|v| &v.rules);
    let month = BillingMonth::of(today);
    let invoice = match (&rules, operator) {
        (Some(_), false) => {
            let inv = svc::storage_invoice(&state.store, actor, w.id, None, month).await?;
            Some(InvoiceView {
                month: month.to_string(),
                lines: inv
                    .lines
                    .iter()
                    .map(|l| InvoiceLineView {
                        sku: l.sku.to_string(),
                        m3_days: l.m3_days.round_dp(3).normalize().to_string(),
                        base: format_money(l.base_fee, lang),
                        surcharge: format_money(l.surcharge, lang),
                        total: format_money(l.total, lang),
                    })
                    .collect(),
                total: format_money(inv.total, lang),
            })
        }
        _ => None,
    };
    let slow = svc::slow_mover_alerts(&state.store, actor, w.id, None, 30)
        .await?
        .iter()
        .map(|a| SlowRowView {
            sku: a.key.sku.to_string(),
            quantity: a.quantity,
            crosses_on: a.crosses_on.to_string(),
            days_left: a.days_left,
            surcharge: format_money(a.surcharge_per_m3_day, lang),
        })
        .collect();
    let mut sellers: Vec<SellerOption> = seller_ids
        .iter()
        .map(|id| SellerOption {
            id: *id,
            name: names.get(id).cloned().unwrap_or_else(|| id.to_string()),
        })
        .collect();
    sellers.dedup_by_key(|s| s.id);
    let page = WarehousePage {
        shell: Shell::for_principal(p, lang, "stock", format!("/console/warehouses/{}", w.id)),
        id: w.id,
        code: w.draft.code.clone(),
        name: w.draft.name.clone(),
        kind: match w.draft.kind {
            WarehouseKind::Origin => t.wh_kind_origin,
            WarehouseKind::Overseas => t.wh_kind_overseas,
        },
        country: w.draft.country.name(t.lang).to_owned(),
        address: w.draft.address.clone(),
        coordinates: match (&w.draft.latitude, &w.draft.longitude) {
            (Some(a), Some(o)) => format!("{a}, {o}"),
            _ => "—".into(),
        },
        cutoff: w.draft.cutoff_time.clone(),
        time_zone: w.draft.time_zone.clone(),
        capacity: capacity_text(w),
        carriers: w.draft.carrier_services.join(", "),
        operator,
        stock,
        ages,
        bin_stock,
        fee_price: rules
            .as_ref()
            .map(|r| format_money(r.price_per_m3_day(), lang)),
        fee_free_days: rules.as_ref().map_or(0, |r| r.free_days()),
        fee_since,
        fee_scheduled,
        fee_tiers: rules
            .as_ref()
            .map(|r| {
                r.surcharge_tiers()
                    .iter()
                    .map(|tier| {
                        (
                            tier.from_age_days,
                            format_money(tier.price_per_m3_day, lang),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        invoice,
        slow,
        sellers,
        bins: state
            .store
            .bins(w.id)
            .await?
            .iter()
            .map(|b| b.to_string())
            .collect(),
        reasons: ADJUST_REASONS
            .iter()
            .map(|c| (*c, reason_name(t, c)))
            .collect(),
        notice,
        error,
    };
    Ok(html(status, &page))
}

async fn load_warehouse(
    state: &AppState,
    p: &Principal,
    raw: &str,
) -> Result<Option<(WarehouseRecord, WarehouseRole)>, Problem> {
    match raw.parse::<i64>() {
        Ok(id) => Ok(state.store.warehouse_for(p.organisation.id, id).await?),
        Err(_) => Ok(None),
    }
}

async fn warehouse_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let t = Tr::for_locale(lang);
    let Some((w, role)) = load_warehouse(&state, &p, &raw).await? else {
        return Ok(not_found(
            &p,
            lang,
            "warehouse",
            format!("/console/warehouses/{raw}"),
        ));
    };
    let notice = q.posted.is_some().then_some(t.entry_posted);
    render_warehouse(&state, &p, lang, &w, role, StatusCode::OK, notice, None).await
}

#[derive(Deserialize)]
struct MoveForm {
    csrf: String,
    seller_id: String,
    sku: String,
    quantity: String,
    #[serde(default)]
    bin: String,
    #[serde(default)]
    direction: String,
    #[serde(default)]
    reason: String,
}

/// Posts a putaway or an adjustment from the warehouse page.
async fn movement(
    state: AppState,
    headers: HeaderMap,
    raw: String,
    form: MoveForm,
    adjust: bool,
) -> Result<Response, Problem> {
    let Some(p) = session_with_csrf(&state, &headers, &form.csrf).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let t = Tr::for_locale(lang);
    let Some((w, role)) = load_warehouse(&state, &p, &raw).await? else {
        return Ok(not_found(
            &p,
            lang,
            "warehouse",
            format!("/console/warehouses/{raw}"),
        ));
    };
    let refuse = |msg: String| (StatusCode::UNPROCESSABLE_ENTITY, msg);
    let outcome: Result<(), (StatusCode, String)> = async {
        let quantity = form
            .quantity
            .trim()
            .parse::<i64>()
            .map_err(|_| refuse(format!("{} {}", t.err_quantity, t.err_not_posted)))?;
        let sku = Sku::parse(form.sku.trim())
            .map_err(|_| refuse(format!("{} {}", t.err_sku_not_sellers, t.err_not_posted)))?;
        let seller_id = form.seller_id.trim().parse::<i64>().ok();
        let bin = match form.bin.trim() {
            "" => None,
            b => Some(
                BinCode::parse(b)
                    .map_err(|_| refuse(format!("{} {}", t.err_bin, t.err_not_posted)))?,
            ),
        };
        let (entry_type, reason) = if adjust {
            let reason = ReasonCode::parse(form.reason.trim())
                .map_err(|_| refuse(format!("{} {}", t.err_reason, t.err_not_posted)))?;
            let t = if form.direction == "in" {
                EntryType::AdjustmentIn
            } else {
                EntryType::AdjustmentOut
            };
            (t, Some(reason))
        } else {
            if bin.is_none() {
                return Err(refuse(format!("{} {}", t.err_bin, t.err_not_posted)));
            }
            (EntryType::Putaway, None)
        };
        svc::post_entry(
            &state.store,
            Actor::from(&p),
            w.id,
            ManualEntry {
                seller_id,
                sku,
                entry_type,
                quantity,
                bin,
                lot: None,
                reason_code: reason,
                reference: None,
            },
        )
        .await
        .map(|_| ())
        .map_err(|e| {
            if shown(&e) {
                (
                    StatusCode::from_u16(e.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
                    refusal(t, &e),
                )
            } else {
                (StatusCode::INTERNAL_SERVER_ERROR, String::new())
            }
        })
    }
    .await;
    match outcome {
        Ok(()) => {
            Ok(Redirect::to(&format!("/console/warehouses/{}?posted=1", w.id)).into_response())
        }
        Err((StatusCode::INTERNAL_SERVER_ERROR, _)) => Err(Problem::internal()),
        Err((status, msg)) => {
            render_warehouse(&state, &p, lang, &w, role, status, None, Some(msg)).await
        }
    }
}

async fn putaway(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<MoveForm>,
) -> Result<Response, Problem> {
    movement(state, headers, raw, form, false).await
}

async fn adjust(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<MoveForm>,
) -> Result<Response, Problem> {
    movement(state, headers, raw, form, true).await
}

#[derive(Deserialize)]
struct CountForm {
    csrf: String,
    bin: String,
    seller_id: String,
    sku: String,
    counted: String,
}

/// A blind count of one SKU in one bin, reviewed on its own page.
async fn count(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<CountForm>,
) -> Result<Response, Problem> {
    let Some(p) = session_with_csrf(&state, &headers, &form.csrf).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let t = Tr::for_locale(lang);
    let Some((w, role)) = load_warehouse(&state, &p, &raw).await? else {
        return Ok(not_found(
            &p,
            lang,
            "warehouse",
            format!("/console/warehouses/{raw}"),
        ));
    };
    let fail = |msg: &str| format!("{msg} {}", t.err_not_posted);
    let bin = match form.bin.trim() {
        "" => None,
        b => match BinCode::parse(b) {
            Ok(b) => Some(b),
            Err(_) => {
                return render_warehouse(
                    &state,
                    &p,
                    lang,
                    &w,
                    role,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    None,
                    Some(fail(t.err_bin)),
                )
                .await
            }
        },
    };
    let (Ok(sku), Some(counted), Ok(seller)) = (
        Sku::parse(form.sku.trim()),
        form.counted.trim().parse::<i64>().ok().filter(|c| *c >= 0),
        form.seller_id.trim().parse::<i64>(),
    ) else {
        return render_warehouse(
            &state,
            &p,
            lang,
            &w,
            role,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(fail(t.err_counted)),
        )
        .await;
    };
    let cc = CycleCount {
        id: format!("CC-{}-{}", w.draft.code, now_millis()),
        scope: CountScope::Bin {
            warehouse: w.id,
            bin: bin.clone(),
        },
        blind: true,
        lines: vec![CountedLine {
            seller,
            sku,
            bin,
            lot: None,
            counted,
        }],
    };
    match svc::record_count(&state.store, Actor::from(&p), w.id, cc).await {
        Ok((record, _)) => {
            Ok(Redirect::to(&format!("/console/counts/{}", record.id)).into_response())
        }
        Err(e) if shown(&e) => {
            render_warehouse(
                &state,
                &p,
                lang,
                &w,
                role,
                StatusCode::from_u16(e.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
                None,
                Some(refusal(t, &e)),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

struct CountLineView {
    sku: String,
    bin: String,
    expected: i64,
    counted: i64,
    difference: i64,
}

#[derive(Template)]
#[template(path = "count.html")]
struct CountPage {
    shell: Shell,
    id: i64,
    reference: String,
    warehouse_id: i64,
    lines: Vec<CountLineView>,
    can_post: bool,
    matches: bool,
    problems: Vec<String>,
    notice: Option<&'static str>,
    error: Option<String>,
}

async fn render_count(
    state: &AppState,
    p: &Principal,
    lang: UiLocale,
    id: i64,
    status: StatusCode,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Result<Response, Problem> {
    let t = Tr::for_locale(lang);
    let (record, count, review): (_, CycleCount, CountReview) =
        match svc::cycle_count(&state.store, p.organisation.id, id).await {
            Ok(v) => v,
            Err(e) if e.status == 404 => {
                return Ok(not_found(p, lang, "count", format!("/console/counts/{id}")))
            }
            Err(e) => return Err(e),
        };
    let page = CountPage {
        shell: Shell::for_principal(p, lang, "stock", format!("/console/counts/{id}")),
        id,
        reference: count.id.clone(),
        warehouse_id: record.warehouse_id,
        lines: review
            .lines
            .iter()
            .map(|l| CountLineView {
                sku: l.location.stock.sku.to_string(),
                bin: l
                    .location
                    .bin
                    .as_ref()
                    .map(|b| b.to_string())
                    .unwrap_or_else(|| t.unlocated.to_owned()),
                expected: l.expected,
                counted: l.counted,
                difference: l.difference,
            })
            .collect(),
        can_post: record.status == "review" && review.can_post() && !review.matches(),
        matches: review.matches(),
        problems: review.problems.iter().map(|p| p.reason.clone()).collect(),
        notice,
        error,
    };
    Ok(html(status, &page))
}

async fn count_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let t = Tr::for_locale(lang);
    let Ok(id) = raw.parse::<i64>() else {
        return Ok(not_found(
            &p,
            lang,
            "count",
            format!("/console/counts/{raw}"),
        ));
    };
    let notice = q.posted.is_some().then_some(t.count_posted);
    render_count(&state, &p, lang, id, StatusCode::OK, notice, None).await
}

async fn post_count(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, Problem> {
    let Some(p) = session_with_csrf(&state, &headers, &form.csrf).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let t = Tr::for_locale(lang);
    let Ok(id) = raw.parse::<i64>() else {
        return Ok(not_found(
            &p,
            lang,
            "count",
            format!("/console/counts/{raw}"),
        ));
    };
    match svc::post_count(&state.store, Actor::from(&p), id).await {
        Ok(_) => Ok(Redirect::to(&format!("/console/counts/{id}?posted=1")).into_response()),
        Err(e) if e.status == 404 => Ok(not_found(
            &p,
            lang,
            "count",
            format!("/console/counts/{id}"),
        )),
        Err(e) if shown(&e) => {
            let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::CONFLICT);
            render_count(&state, &p, lang, id, status, None, Some(refusal(t, &e))).await
        }
        Err(e) => Err(e),
    }
}
