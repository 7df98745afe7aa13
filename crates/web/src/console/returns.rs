//! Returns in the console: the list of the organisation's returns (a
//! seller's own, and for a warehouse operator those coming back to its
//! warehouses), filtered by status, and one return with its lines,
//! inspection, refund, policy and timeline.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chuhai_domain::accounts::{OrganisationKind, UiLocale};
use chuhai_domain::money::{Currency, Money};
use chuhai_domain::returns::{rma_number, Disposition, RefundTiming, ReturnReason, ReturnStatus};
use chuhai_store::returns::ReturnRecord;
use serde::Deserialize;

use super::catalog::format_money;
use super::i18n::Tr;
use super::inventory::NotFoundPage;
use super::{html, locale, session, to_login, Shell};
use crate::extract::ApiPath;
use crate::problem::Problem;
use crate::services::returns as svc;
use crate::state::AppState;
use crate::time::rfc3339;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/console/returns", get(returns_page))
        .route("/console/returns/{id}", get(return_page))
}

fn status_text(t: &Tr, status: &str) -> &'static str {
    match ReturnStatus::parse(status) {
        Some(ReturnStatus::Requested) => t.rma_status_requested,
        Some(ReturnStatus::Authorised) => t.rma_status_authorised,
        Some(ReturnStatus::Rejected) => t.rma_status_rejected,
        Some(ReturnStatus::Received) => t.rma_status_received,
        Some(ReturnStatus::Inspected) => t.rma_status_inspected,
        Some(ReturnStatus::Refunded) => t.rma_status_refunded,
        Some(ReturnStatus::Closed) => t.rma_status_closed,
        None => "—",
    }
}

fn reason_text(t: &Tr, reason: &str) -> &'static str {
    match ReturnReason::parse(reason) {
        Some(ReturnReason::Defective) => t.rma_reason_defective,
        Some(ReturnReason::DamagedInTransit) => t.rma_reason_damaged_in_transit,
        Some(ReturnReason::WrongItem) => t.rma_reason_wrong_item,
        Some(ReturnReason::NotAsDescribed) => t.rma_reason_not_as_described,
        Some(ReturnReason::NoLongerNeeded) => t.rma_reason_no_longer_needed,
        Some(ReturnReason::Other) => t.rma_reason_other,
        None => "—",
    }
}

fn disposition_text(t: &Tr, d: &str) -> &'static str {
    match Disposition::parse(d) {
        Some(Disposition::Restock) => t.rma_disp_restock,
        Some(Disposition::Relabel) => t.rma_disp_relabel,
        Some(Disposition::Dispose) => t.rma_disp_dispose,
        None => "—",
    }
}

fn money(r: &ReturnRecord, minor: i64, lang: UiLocale) -> Result<String, Problem> {
    let c = Currency::from_code(&r.currency).map_err(|_| Problem::internal())?;
    Ok(format_money(Money::from_minor(minor, c), lang))
}

/// Warehouse codes by id, of the warehouses the organisation sees.
async fn warehouse_codes(state: &AppState, org: i64) -> Result<HashMap<i64, String>, Problem> {
    Ok(state
        .store
        .warehouses_for(org)
        .await?
        .into_iter()
        .map(|(w, _)| (w.id, w.draft.code))
        .collect())
}

async fn order_number(state: &AppState, r: &ReturnRecord) -> Result<String, Problem> {
    Ok(state
        .store
        .order(r.seller_id, r.order_id)
        .await?
        .map(|o| crate::services::orders::number(&o).to_string())
        .unwrap_or_else(|| format!("#{}", r.order_id)))
}

struct ReturnRowView {
    id: i64,
    number: String,
    order: String,
    status_key: String,
    status: &'static str,
    reason: &'static str,
    warehouse: String,
    units: i64,
    refund: String,
    created: String,
}

struct StatusTab {
    key: &'static str,
    label: &'static str,
    current: bool,
}

#[derive(Template)]
#[template(path = "returns.html")]
struct ReturnsPage {
    shell: Shell,
    operator: bool,
    all_current: bool,
    tabs: Vec<StatusTab>,
    returns: Vec<ReturnRowView>,
}

#[derive(Deserialize)]
struct ReturnsQuery {
    status: Option<String>,
}

async fn returns_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ReturnsQuery>,
) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let t = Tr::for_locale(lang);
    let org = p.organisation.id;
    let status = q.status.as_deref().and_then(ReturnStatus::parse);
    let page = state
        .store
        .returns_for(org, status.map(|s| s.as_str()), 0, 200)
        .await?;
    let codes = warehouse_codes(&state, org).await?;
    let mut returns = Vec::with_capacity(page.items.len());
    for r in &page.items {
        returns.push(ReturnRowView {
            id: r.id,
            number: rma_number(r.id),
            order: order_number(&state, r).await?,
            status_key: r.status.clone(),
            status: status_text(t, &r.status),
            reason: reason_text(t, &r.reason),
            warehouse: codes
                .get(&r.warehouse_id)
                .cloned()
                .unwrap_or_else(|| format!("#{}", r.warehouse_id)),
            units: r.lines.iter().map(|l| l.quantity).sum(),
            refund: money(r, r.amounts.refund_minor, lang)?,
            created: rfc3339(r.created_at),
        });
    }
    let tabs = ReturnStatus::ALL
        .iter()
        .map(|s| StatusTab {
            key: s.as_str(),
            label: status_text(t, s.as_str()),
            current: status == Some(*s),
        })
        .collect();
    let page = ReturnsPage {
        shell: Shell::for_principal(&p, lang, "returns", "/console/returns"),
        operator: p.organisation.kind == OrganisationKind::WarehouseOperator,
        all_current: status.is_none(),
        tabs,
        returns,
    };
    Ok(html(StatusCode::OK, &page))
}

struct LineView {
    sku: String,
    quantity: i64,
}

struct DispositionView {
    sku: String,
    disposition: &'static str,
    quantity: i64,
}

struct EventView {
    status: &'static str,
    at: String,
    note: String,
}

#[derive(Template)]
#[template(path = "return.html")]
struct ReturnPage {
    shell: Shell,
    number: String,
    order: String,
    status_key: String,
    status: &'static str,
    reason: &'static str,
    note: String,
    warehouse: String,
    policy: String,
    lines: Vec<LineView>,
    dispositions: Vec<DispositionView>,
    goods: String,
    import_charges: String,
    shipping: String,
    restocking_fee: String,
    total: String,
    timeline: Vec<EventView>,
}

async fn return_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let t = Tr::for_locale(lang);
    let here = format!("/console/returns/{id}");
    let Some(r) = state.store.return_for(p.organisation.id, id).await? else {
        let page = NotFoundPage {
            shell: Shell::for_principal(&p, lang, "returns", here),
            title: t.rma_not_found,
            text: t.rma_not_found_text,
            back: "/console/returns",
            back_label: t.rma_back,
        };
        return Ok(html(StatusCode::NOT_FOUND, &page));
    };
    let policy = svc::policy_of(&r)?;
    let policy_text = format!(
        "{} {} · {} {}.{:02} % · {} · {}",
        policy.return_window_days,
        t.rma_window_days,
        t.rma_restocking_fee,
        policy.restocking_fee_bp / 100,
        policy.restocking_fee_bp % 100,
        if policy.refund_original_shipping {
            t.rma_shipping_refunded
        } else {
            t.rma_shipping_faults_only
        },
        match policy.refund_timing {
            RefundTiming::OnReceipt => t.rma_timing_on_receipt,
            RefundTiming::AfterInspection => t.rma_timing_after_inspection,
        }
    );
    let codes = warehouse_codes(&state, p.organisation.id).await?;
    let timeline = state
        .store
        .return_events(r.id)
        .await?
        .into_iter()
        .map(|e| EventView {
            status: status_text(t, &e.to_status),
            at: rfc3339(e.at),
            note: e
                .detail
                .and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok())
                .and_then(|d| d["note"].as_str().map(str::to_owned))
                .unwrap_or_default(),
        })
        .collect();
    let page = ReturnPage {
        shell: Shell::for_principal(&p, lang, "returns", here),
        number: rma_number(r.id),
        order: order_number(&state, &r).await?,
        status_key: r.status.clone(),
        status: status_text(t, &r.status),
        reason: reason_text(t, &r.reason),
        note: r.note.clone().unwrap_or_default(),
        warehouse: codes
            .get(&r.warehouse_id)
            .cloned()
            .unwrap_or_else(|| format!("#{}", r.warehouse_id)),
        policy: policy_text,
        lines: r
            .lines
            .iter()
            .map(|l| LineView {
                sku: l.sku.clone(),
                quantity: l.quantity,
            })
            .collect(),
        dispositions: r
            .dispositions
            .iter()
            .map(|d| DispositionView {
                sku: d.sku.clone(),
                disposition: disposition_text(t, &d.disposition),
                quantity: d.quantity,
            })
            .collect(),
        goods: money(&r, r.amounts.goods_minor, lang)?,
        import_charges: money(&r, r.amounts.import_charges_minor, lang)?,
        shipping: money(&r, r.amounts.shipping_minor, lang)?,
        restocking_fee: money(&r, r.amounts.restocking_fee_minor, lang)?,
        total: money(&r, r.amounts.refund_minor, lang)?,
        timeline,
    };
    Ok(html(StatusCode::OK, &page))
}
