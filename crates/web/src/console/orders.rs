//! `/console/orders`: the seller's orders (list with a state filter;
//! detail with lines and totals, shipping plan, shipments with tracking,
//! routing decisions with their explanation, its export shipment with
//! the CEB messages and trade documents, and the timeline), and
//! `/console/warehouses/{id}/fulfilment` for a warehouse's operator:
//! release a wave with its pick list, pack, ship with a tracking number,
//! record delivery.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use chuhai_domain::accounts::UiLocale;
use chuhai_domain::fulfilment::{Parcel, TrackingEvent, TrackingStatus};
use chuhai_domain::orders::{OrderEvent, OrderState};
use chuhai_store::accounts::Principal;
use serde::Deserialize;
use serde_json::Value;

use super::customs::{doc_links, DocLink, ShipmentView as ExportShipmentView};
use super::i18n::Tr;
use super::inventory::NotFoundPage;
use super::{after_step, html, locale, session, session_with_csrf, to_login, Shell};
use crate::problem::Problem;
use crate::services::customs;
use crate::services::fulfilment::{self as ful, ShipmentView};
use crate::services::orders as svc;
use crate::state::AppState;
use crate::time::{now_millis, rfc3339};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/console/orders", get(orders_page))
        .route("/console/orders/{id}", get(order_page))
        .route("/console/orders/{id}/bank-transfer", post(bank_transfer))
        .route("/console/orders/{id}/cancel", post(cancel))
        .route("/console/warehouses/{id}/fulfilment", get(fulfilment_page))
        .route("/console/warehouses/{id}/waves", post(release_wave))
        .route("/console/shipments/{id}/pack", post(pack))
        .route("/console/shipments/{id}/ship", post(ship))
        .route("/console/shipments/{id}/delivered", post(delivered))
}

fn state_name(t: &Tr, s: &str) -> &'static str {
    match s {
        "placed" => t.os_placed,
        "paid" => t.os_paid,
        "allocated" => t.os_allocated,
        "partially_shipped" => t.os_partially_shipped,
        "shipped" => t.os_shipped,
        "delivered" => t.os_delivered,
        "cancelled" => t.os_cancelled,
        "refunded" => t.os_refunded,
        "returned" => t.os_returned,
        _ => t.unknown,
    }
}

fn shipment_status_name(t: &Tr, s: &str) -> &'static str {
    match s {
        "pending" => t.ss_pending,
        "picking" => t.ss_picking,
        "packed" => t.ss_packed,
        "shipped" => t.ss_shipped,
        "delivered" => t.ss_delivered,
        "cancelled" => t.ss_cancelled,
        _ => t.unknown,
    }
}

/// `70.00 USD` from a JSON money value.
fn money(v: &Value) -> String {
    match (v["currency"].as_str(), v["amount"].as_str()) {
        (Some(c), Some(a)) => format!("{a} {c}"),
        _ => "—".into(),
    }
}

fn refusal(t: &Tr, p: &Problem) -> String {
    let reason = p
        .errors
        .first()
        .map(|e| format!("{}{}{}", e.field, t.colon, e.reason))
        .unwrap_or_else(|| p.detail.clone());
    format!("{}{}{}", t.refused, t.colon, reason)
}

// --- the list ----------------------------------------------------------------------------

struct OrderRow {
    id: i64,
    number: String,
    state: &'static str,
    state_key: String,
    total: String,
    ships_from: String,
    created: String,
}

struct StateChoice {
    key: &'static str,
    label: &'static str,
    selected: bool,
}

#[derive(Template)]
#[template(path = "orders.html")]
struct OrdersPage {
    shell: Shell,
    rows: Vec<OrderRow>,
    states: Vec<StateChoice>,
    next: Option<String>,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    state: Option<String>,
    after: Option<i64>,
}

async fn orders_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let t = Tr::for_locale(lang);
    let filter = q
        .state
        .as_deref()
        .filter(|s| !s.is_empty())
        .and_then(OrderState::parse);
    let page = state
        .store
        .orders_in_state(
            p.organisation.id,
            filter.map(OrderState::as_str),
            q.after.unwrap_or(0),
            50,
        )
        .await?;
    let mut rows = Vec::with_capacity(page.items.len());
    for o in &page.items {
        let body: Value = serde_json::from_str(&o.body).unwrap_or(Value::Null);
        let ships_from = body["shipping"]["packages"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter_map(|p| p["warehouse_code"].as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        rows.push(OrderRow {
            id: o.id,
            number: svc::number(o).to_string(),
            state: state_name(t, &o.state),
            state_key: o.state.clone(),
            total: chuhai_domain::money::Money::from_minor(
                o.total_minor,
                chuhai_domain::money::Currency::from_code(&o.currency)
                    .map_err(|_| Problem::internal())?,
            )
            .to_string(),
            ships_from,
            created: rfc3339(o.created_at),
        });
    }
    let states = OrderState::ALL
        .iter()
        .map(|s| StateChoice {
            key: s.as_str(),
            label: state_name(t, s.as_str()),
            selected: filter == Some(*s),
        })
        .collect();
    let next = page.next_after.map(|after| match filter {
        Some(s) => format!("/console/orders?state={}&after={after}", s.as_str()),
        None => format!("/console/orders?after={after}"),
    });
    let view = OrdersPage {
        shell: Shell::for_principal(&p, lang, "orders", "/console/orders"),
        rows,
        states,
        next,
    };
    Ok(html(StatusCode::OK, &view))
}

// --- one order ----------------------------------------------------------------------------

struct LineRow {
    sku: String,
    quantity: String,
    goods: String,
    import_charges: String,
    total: String,
}

struct TimelineRow {
    event: String,
    to_state: &'static str,
    at: String,
    detail: String,
}

struct ShipmentRow {
    id: i64,
    warehouse: String,
    service: String,
    status: &'static str,
    status_key: String,
    lines: String,
    cost: String,
    estimate: String,
    customs_mode: String,
    tracking: String,
    events: Vec<String>,
}

struct ConsideredRow {
    warehouse: String,
    in_market: bool,
    verdict: String,
}

struct PlanRow {
    packages: String,
    cost: String,
    status: String,
}

struct RoutingBlock {
    reason: String,
    at: String,
    won_on: String,
    warehouses: Vec<ConsideredRow>,
    plans: Vec<PlanRow>,
}

#[derive(Template)]
#[template(path = "order.html")]
struct OrderPage {
    shell: Shell,
    id: i64,
    number: String,
    state: &'static str,
    state_key: String,
    total: String,
    total_cny: String,
    cny_rate: String,
    incoterm: String,
    address: String,
    lines: Vec<LineRow>,
    shipping: String,
    due_on_delivery: String,
    shipments: Vec<ShipmentRow>,
    routings: Vec<RoutingBlock>,
    timeline: Vec<TimelineRow>,
    can_confirm: bool,
    can_cancel: bool,
    /// The export shipment recorded under the order's number.
    export_shipments: Vec<ExportShipmentView>,
    docs: Vec<DocLink>,
    /// A parcel leaves China by direct mail (9610) and no export
    /// shipment is recorded for the order.
    needs_9610: bool,
    error: Option<String>,
}

fn rule_words(t: &Tr, rule: &str) -> String {
    match rule {
        "on_time" => t.rule_on_time,
        "in_market" => t.rule_in_market,
        "fewest_packages" => t.rule_fewest_packages,
        "lowest_cost" => t.rule_lowest_cost,
        "fastest_transit" => t.rule_fastest_transit,
        "network_order" => t.rule_network_order,
        other => return other.to_owned(),
    }
    .to_owned()
}

fn routing_block(t: &Tr, reason: &str, at: i64, d: &Value) -> RoutingBlock {
    let e = &d["explanation"];
    let warehouses = e["warehouses"]
        .as_array()
        .map(|ws| {
            ws.iter()
                .map(|w| {
                    let verdict = match w["verdict"].as_str().unwrap_or("") {
                        "excluded" => t.verdict_excluded.to_owned(),
                        "no_service_to_zone" => t.verdict_no_service.to_owned(),
                        "candidate" => {
                            let list = |k: &str| {
                                w[k].as_array()
                                    .map(|a| {
                                        a.iter()
                                            .filter_map(Value::as_str)
                                            .collect::<Vec<_>>()
                                            .join(", ")
                                    })
                                    .unwrap_or_default()
                            };
                            let mut s =
                                format!("{}{}{}", t.verdict_candidate, t.colon, list("whole"));
                            let partial = list("partial");
                            if !partial.is_empty() {
                                s.push_str(&format!(
                                    " · {}{}{partial}",
                                    t.verdict_partial, t.colon
                                ));
                            }
                            s
                        }
                        other => other.to_owned(),
                    };
                    ConsideredRow {
                        warehouse: w["warehouse"].as_str().unwrap_or("").to_owned(),
                        in_market: w["in_market"].as_bool().unwrap_or(false),
                        verdict,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let plans = e["plans"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    let packages = p["packages"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .map(|pair| {
                                    let w = pair[0].as_str().unwrap_or("");
                                    match pair[1].as_str() {
                                        Some(s) => {
                                            let own = s
                                                .strip_prefix(w)
                                                .and_then(|r| r.strip_prefix('.'))
                                                .unwrap_or(s);
                                            format!("{w} · {own}")
                                        }
                                        None => w.to_owned(),
                                    }
                                })
                                .collect::<Vec<_>>()
                                .join(" + ")
                        })
                        .unwrap_or_default();
                    let status = match p["status"].as_str().unwrap_or("") {
                        "chosen" => t.plan_chosen.to_owned(),
                        "lost_on" => format!(
                            "{}{}{}",
                            t.plan_lost_on,
                            t.colon,
                            rule_words(t, p["rule"].as_str().unwrap_or(""))
                        ),
                        "rejected" => format!(
                            "{}{}{}",
                            t.plan_rejected,
                            t.colon,
                            p["reason"].as_str().unwrap_or("")
                        ),
                        other => other.to_owned(),
                    };
                    PlanRow {
                        packages,
                        cost: if p["cost"].is_null() {
                            "—".into()
                        } else {
                            money(&p["cost"])
                        },
                        status,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    RoutingBlock {
        reason: if reason == "reroute" {
            t.routing_reroute.to_owned()
        } else {
            t.routing_checkout.to_owned()
        },
        at: rfc3339(at),
        won_on: e["won_on"]
            .as_str()
            .map(|r| rule_words(t, r))
            .unwrap_or_else(|| t.rule_only_plan.to_owned()),
        warehouses,
        plans,
    }
}

fn shipment_row(t: &Tr, s: &ShipmentView) -> ShipmentRow {
    ShipmentRow {
        id: s.id,
        warehouse: s.warehouse_code.clone(),
        service: format!("{} · {}", s.carrier, s.service_name),
        status: shipment_status_name(t, &s.status),
        status_key: s.status.clone(),
        lines: s
            .lines
            .iter()
            .map(|l| format!("{} × {}", l.sku, l.quantity))
            .collect::<Vec<_>>()
            .join(", "),
        cost: s.cost.to_string(),
        estimate: format!("{}–{} {}", s.estimate_days.min, s.estimate_days.max, t.days),
        customs_mode: s.customs_mode.clone().unwrap_or_else(|| "—".into()),
        tracking: s.tracking_number.clone().unwrap_or_else(|| "—".into()),
        events: s
            .events
            .iter()
            .flatten()
            .map(|e| {
                let words = e
                    .detail
                    .as_ref()
                    .and_then(|d| {
                        d["location"]
                            .as_str()
                            .or_else(|| d["status"].as_str())
                            .map(str::to_owned)
                    })
                    .unwrap_or_default();
                format!(
                    "{} · {} {}",
                    e.at,
                    shipment_status_name(t, &e.status),
                    words
                )
            })
            .collect(),
    }
}

async fn render_order(
    state: &AppState,
    p: &Principal,
    lang: UiLocale,
    id: i64,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, Problem> {
    let t = Tr::for_locale(lang);
    let Some(o) = state.store.order(p.organisation.id, id).await? else {
        return Ok(not_found(p, lang, format!("/console/orders/{id}")));
    };
    let body: Value = serde_json::from_str(&o.body).map_err(|_| Problem::internal())?;
    let totals = &body["totals"];
    let lines = totals["lines"]
        .as_array()
        .map(|ls| {
            ls.iter()
                .map(|l| LineRow {
                    sku: l["sku"].as_str().unwrap_or("").to_owned(),
                    quantity: l["quantity"].to_string(),
                    goods: money(&l["goods"]),
                    import_charges: money(&l["import_charges"]),
                    total: money(&l["total"]),
                })
                .collect()
        })
        .unwrap_or_default();
    let a = &body["address"];
    let address = [
        a["name"].as_str(),
        a["line1"].as_str(),
        a["line2"].as_str(),
        a["city"].as_str(),
        a["region"].as_str(),
        a["postal_code"].as_str(),
        a["country"].as_str(),
    ]
    .iter()
    .flatten()
    .copied()
    .collect::<Vec<_>>()
    .join(", ");
    let mut shipments = Vec::new();
    for s in state.store.order_shipments(o.id).await? {
        let v = ful::shipment_view(state, &s, true).await?;
        shipments.push(shipment_row(t, &v));
    }
    let routings = state
        .store
        .order_routings(o.id)
        .await?
        .iter()
        .map(|r| {
            let d: Value = serde_json::from_str(&r.decision).unwrap_or(Value::Null);
            routing_block(t, &r.reason, r.at, &d)
        })
        .collect();
    let timeline = state
        .store
        .order_events(o.id)
        .await?
        .into_iter()
        .map(|e| TimelineRow {
            event: e.event,
            to_state: state_name(t, &e.to_state),
            at: rfc3339(e.at),
            detail: e
                .detail
                .and_then(|d| serde_json::from_str::<Value>(&d).ok())
                .map(|d| {
                    d.as_object()
                        .map(|m| {
                            m.iter()
                                .map(|(k, v)| match v.as_str() {
                                    Some(s) => format!("{k}: {s}"),
                                    None => format!("{k}: {v}"),
                                })
                                .collect::<Vec<_>>()
                                .join(" · ")
                        })
                        .unwrap_or_default()
                })
                .unwrap_or_default(),
        })
        .collect();
    let number = svc::number(&o).to_string();
    let export_shipments: Vec<ExportShipmentView> =
        customs::of_order(&state.store, p.organisation.id, &number)
            .await?
            .iter()
            .map(|r| ExportShipmentView::of(r, lang))
            .collect();
    let needs_9610 = export_shipments.is_empty()
        && shipments
            .iter()
            .any(|s| s.customs_mode == "9610" && s.status_key != "cancelled");
    let current = OrderState::parse(&o.state).ok_or_else(Problem::internal)?;
    let currency =
        chuhai_domain::money::Currency::from_code(&o.currency).map_err(|_| Problem::internal())?;
    let page = OrderPage {
        shell: Shell::for_principal(p, lang, "orders", format!("/console/orders/{}", o.id)),
        id: o.id,
        number,
        state: state_name(t, &o.state),
        state_key: o.state.clone(),
        total: chuhai_domain::money::Money::from_minor(o.total_minor, currency).to_string(),
        total_cny: chuhai_domain::money::Money::from_minor(
            o.total_cny_minor,
            chuhai_domain::money::Currency::CNY,
        )
        .to_string(),
        cny_rate: format!(
            "{} ({})",
            body["cny_rate"].as_str().unwrap_or(""),
            body["cny_rate_date"].as_str().unwrap_or("")
        ),
        incoterm: body["incoterm"].as_str().unwrap_or("").to_owned(),
        address,
        lines,
        shipping: money(&totals["shipping"]),
        due_on_delivery: money(&totals["due_on_delivery"]),
        shipments,
        routings,
        timeline,
        can_confirm: current.apply(OrderEvent::Pay).is_ok(),
        can_cancel: current.apply(OrderEvent::Cancel).is_ok(),
        export_shipments,
        docs: doc_links(t),
        needs_9610,
        error,
    };
    Ok(html(status, &page))
}

fn not_found(p: &Principal, lang: UiLocale, here: String) -> Response {
    let t = Tr::for_locale(lang);
    let page = NotFoundPage {
        shell: Shell::for_principal(p, lang, "orders", here),
        title: t.order_not_found,
        text: t.order_not_found_text,
        back: "/console/orders",
        back_label: t.back_orders,
    };
    html(StatusCode::NOT_FOUND, &page)
}

async fn order_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    match raw.parse::<i64>() {
        Ok(id) => render_order(&state, &p, lang, id, StatusCode::OK, None).await,
        Err(_) => Ok(not_found(&p, lang, format!("/console/orders/{raw}"))),
    }
}

#[derive(Deserialize)]
struct BankForm {
    csrf: String,
    bank_reference: String,
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

/// Runs an order step from a form; shows a refusal on the order's page.
async fn order_step<F, Fut>(
    state: AppState,
    headers: HeaderMap,
    raw: String,
    csrf: &str,
    step: F,
) -> Result<Response, Problem>
where
    F: FnOnce(AppState, Principal, i64) -> Fut,
    Fut: std::future::Future<Output = Result<(), Problem>>,
{
    let Some(p) = session_with_csrf(&state, &headers, csrf).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let Ok(id) = raw.parse::<i64>() else {
        return Ok(not_found(&p, lang, format!("/console/orders/{raw}")));
    };
    let result = step(state.clone(), p.clone(), id).await;
    after_step(result, &format!("/console/orders/{id}"), |status, e| {
        let error = refusal(Tr::for_locale(lang), &e);
        render_order(&state, &p, lang, id, status, Some(error))
    })
    .await
}

async fn bank_transfer(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<BankForm>,
) -> Result<Response, Problem> {
    let reference = form.bank_reference.trim().to_owned();
    order_step(state, headers, raw, &form.csrf, |s, p, id| async move {
        if reference.is_empty() || reference.chars().count() > 100 {
            return Err(Problem::field(
                "bank_reference",
                "give the bank's reference (1 to 100 characters)",
            ));
        }
        crate::services::payments::confirm_bank_transfer(&s, &p, id, &reference, now_millis())
            .await
            .map(|_| ())
    })
    .await
}

async fn cancel(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, Problem> {
    order_step(state, headers, raw, &form.csrf, |s, p, id| async move {
        svc::transition(&s, &p, id, OrderEvent::Cancel, None, now_millis())
            .await
            .map(|_| ())
    })
    .await
}

// --- fulfilment at a warehouse ---------------------------------------------------------------

struct PickRowView {
    bin: String,
    sku: String,
    quantity: u32,
    shipments: String,
}

struct WaveBlock {
    id: i64,
    cutoff: String,
    rows: Vec<PickRowView>,
    short: Vec<String>,
}

#[derive(Template)]
#[template(path = "fulfilment.html")]
struct FulfilmentPage {
    shell: Shell,
    warehouse_id: i64,
    code: String,
    name: String,
    cutoff: String,
    shipments: Vec<ShipmentRow>,
    waves: Vec<WaveBlock>,
    error: Option<String>,
}

async fn render_fulfilment(
    state: &AppState,
    p: &Principal,
    lang: UiLocale,
    raw: &str,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, Problem> {
    let t = Tr::for_locale(lang);
    let here = format!("/console/warehouses/{raw}/fulfilment");
    let Ok(id) = raw.parse::<i64>() else {
        return Ok(not_found(p, lang, here));
    };
    let w = match crate::services::inventory::operated(&state.store, p.organisation.id, id).await {
        Ok(w) => w,
        Err(e) if e.status == 403 || e.status == 404 => {
            let page = NotFoundPage {
                shell: Shell::for_principal(p, lang, "stock", here),
                title: t.warehouse_not_found,
                text: t.fulfilment_operator_only,
                back: "/console/warehouses",
                back_label: t.back_warehouses,
            };
            return Ok(html(StatusCode::NOT_FOUND, &page));
        }
        Err(e) => return Err(e),
    };
    let mut shipments = Vec::new();
    let mut after = 0;
    loop {
        let (views, next) =
            ful::warehouse_shipments(state, p.organisation.id, w.id, None, after, 200).await?;
        for v in views
            .iter()
            .filter(|v| v.status != "delivered" && v.status != "cancelled")
        {
            shipments.push(shipment_row(t, v));
        }
        match next {
            Some(n) if shipments.len() < 500 => after = n,
            _ => break,
        }
    }
    let waves = ful::waves(state, p.organisation.id, w.id)
        .await?
        .into_iter()
        .take(5)
        .map(|wave| WaveBlock {
            id: wave.id,
            cutoff: wave.cutoff_at.clone(),
            rows: wave
                .pick_list
                .rows
                .iter()
                .map(|r| PickRowView {
                    bin: r.row.bin.clone().unwrap_or_else(|| t.unlocated.to_owned()),
                    sku: r.row.sku.clone(),
                    quantity: r.row.quantity,
                    shipments: r
                        .row
                        .shipments
                        .iter()
                        .map(|s| format!("#{s}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                })
                .collect(),
            short: wave
                .pick_list
                .short
                .iter()
                .map(|s| format!("#{} {} ({}/{})", s.shipment, s.sku, s.found, s.needed))
                .collect(),
        })
        .collect();
    let page = FulfilmentPage {
        shell: Shell::for_principal(
            p,
            lang,
            "stock",
            format!("/console/warehouses/{}/fulfilment", w.id),
        ),
        warehouse_id: w.id,
        code: w.draft.code.clone(),
        name: w.draft.name.clone(),
        cutoff: w.draft.cutoff_time.clone(),
        shipments,
        waves,
        error,
    };
    Ok(html(status, &page))
}

async fn fulfilment_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    render_fulfilment(&state, &p, lang, &raw, StatusCode::OK, None).await
}

/// Runs a fulfilment step from a form; goes back to the warehouse's page.
async fn fulfilment_step<F, Fut>(
    state: AppState,
    headers: HeaderMap,
    warehouse: String,
    csrf: &str,
    step: F,
) -> Result<Response, Problem>
where
    F: FnOnce(AppState, Principal) -> Fut,
    Fut: std::future::Future<Output = Result<(), Problem>>,
{
    let Some(p) = session_with_csrf(&state, &headers, csrf).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let result = step(state.clone(), p.clone()).await;
    let done = format!("/console/warehouses/{warehouse}/fulfilment");
    after_step(result, &done, |status, e| {
        let error = refusal(Tr::for_locale(lang), &e);
        render_fulfilment(&state, &p, lang, &warehouse, status, Some(error))
    })
    .await
}

async fn release_wave(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, Problem> {
    let id = raw.parse::<i64>().unwrap_or(0);
    fulfilment_step(state, headers, raw, &form.csrf, |s, p| async move {
        ful::make_wave(&s, &p, id, None, now_millis())
            .await
            .map(|_| ())
    })
    .await
}

/// The warehouse a shipment is at, for coming back to its page.
async fn shipment_warehouse(state: &AppState, raw: &str) -> Result<(i64, String), Problem> {
    let id = raw
        .parse::<i64>()
        .map_err(|_| Problem::not_found("shipment"))?;
    let s = state
        .store
        .shipment(id)
        .await?
        .ok_or_else(|| Problem::not_found("shipment"))?;
    Ok((id, s.warehouse_id.to_string()))
}

#[derive(Deserialize)]
struct PackForm {
    csrf: String,
    carton: String,
    weight_g: String,
    length_mm: String,
    width_mm: String,
    height_mm: String,
}

fn number_field(field: &str, text: &str) -> Result<u32, Problem> {
    text.trim()
        .parse::<u32>()
        .map_err(|_| Problem::field(format!("parcel.{field}"), "must be a whole number"))
}

async fn pack(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<PackForm>,
) -> Result<Response, Problem> {
    let (id, warehouse) = shipment_warehouse(&state, &raw).await?;
    fulfilment_step(state, headers, warehouse, &form.csrf, |s, p| async move {
        let parcel = Parcel {
            carton: form.carton.trim().to_owned(),
            weight_g: number_field("weight_g", &form.weight_g)?,
            length_mm: number_field("length_mm", &form.length_mm)?,
            width_mm: number_field("width_mm", &form.width_mm)?,
            height_mm: number_field("height_mm", &form.height_mm)?,
        };
        ful::pack(&s, &p, id, parcel, now_millis())
            .await
            .map(|_| ())
    })
    .await
}

#[derive(Deserialize)]
struct ShipForm {
    csrf: String,
    tracking_number: String,
}

async fn ship(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<ShipForm>,
) -> Result<Response, Problem> {
    let (id, warehouse) = shipment_warehouse(&state, &raw).await?;
    fulfilment_step(state, headers, warehouse, &form.csrf, |s, p| async move {
        let body = ful::ShipBody {
            tracking_number: form.tracking_number,
        };
        ful::ship(&s, &p, id, body, now_millis()).await.map(|_| ())
    })
    .await
}

async fn delivered(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, Problem> {
    let (id, warehouse) = shipment_warehouse(&state, &raw).await?;
    fulfilment_step(state, headers, warehouse, &form.csrf, |s, p| async move {
        let event = TrackingEvent {
            status: TrackingStatus::Delivered,
            location: None,
            description: None,
        };
        ful::track(&s, &p, id, event, now_millis())
            .await
            .map(|_| ())
    })
    .await
}
