//! Returns in the console: the list of the organisation's returns (a
//! seller's own, and for a warehouse operator those coming back to its
//! warehouses), filtered by status, and one return with its lines,
//! inspection, refund, policy and timeline, and the forms of the steps its
//! status allows to whoever may take them: the seller authorises, rejects,
//! closes and refunds; the operator of the return's warehouse receives the
//! goods and inspects them.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post, MethodRouter};
use axum::{Form, Router};
use chuhai_domain::accounts::{OrganisationKind, UiLocale};
use chuhai_domain::money::{Currency, Money};
use chuhai_domain::returns::{
    rma_number, Disposition, RefundTiming, ReturnEvent, ReturnReason, ReturnStatus,
};
use chuhai_store::accounts::Principal;
use chuhai_store::inventory::WarehouseRole;
use chuhai_store::returns::ReturnRecord;
use serde::Deserialize;

use super::catalog::format_money;
use super::i18n::Tr;
use super::inventory::NotFoundPage;
use super::{after_step, html, locale, session, session_with_csrf, to_login, Shell};
use crate::extract::ApiPath;
use crate::problem::Problem;
use crate::services::returns::{self as svc, InspectionLineBody};
use crate::state::AppState;
use crate::time::{now_millis, rfc3339};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/console/returns", get(returns_page))
        .route("/console/returns/{id}", get(return_page))
        .route(
            "/console/returns/{id}/authorise",
            button(ReturnEvent::Authorise),
        )
        .route("/console/returns/{id}/reject", button(ReturnEvent::Reject))
        .route("/console/returns/{id}/close", button(ReturnEvent::Close))
        .route(
            "/console/returns/{id}/receive",
            button(ReturnEvent::Receive),
        )
        .route("/console/returns/{id}/inspect", post(inspect))
        .route("/console/returns/{id}/refund", button(ReturnEvent::Refund))
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

/// The steps the signed-in organisation may take on the return now.
struct Actions {
    authorise: bool,
    reject: bool,
    close: bool,
    receive: bool,
    inspect: bool,
    refund: bool,
}

impl Actions {
    /// Any step taken with one button under the return's facts (the
    /// inspection has its own form with the lines).
    fn buttons(&self) -> bool {
        self.authorise || self.reject || self.close || self.receive || self.refund
    }
}

#[derive(Template)]
#[template(path = "return.html")]
struct ReturnPage {
    shell: Shell,
    id: i64,
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
    actions: Actions,
    error: Option<String>,
}

/// What the seller and the operator of the return's warehouse may do
/// where the return is (the service checks the same again on each step).
async fn actions(state: &AppState, p: &Principal, r: &ReturnRecord) -> Result<Actions, Problem> {
    let org = p.organisation.id;
    let seller = r.seller_id == org;
    let operator = matches!(
        state.store.warehouse_for(org, r.warehouse_id).await?,
        Some((_, WarehouseRole::Operator))
    );
    let stage = svc::stage(r)?;
    let timing = svc::policy_of(r)?.refund_timing;
    let allows = |e: ReturnEvent| stage.apply(e, timing).is_ok();
    Ok(Actions {
        authorise: seller && allows(ReturnEvent::Authorise),
        reject: seller && allows(ReturnEvent::Reject),
        close: seller && allows(ReturnEvent::Close),
        refund: seller && allows(ReturnEvent::Refund),
        receive: operator && allows(ReturnEvent::Receive),
        inspect: operator && allows(ReturnEvent::Inspect),
    })
}

fn not_found(p: &Principal, lang: UiLocale, id: i64) -> Response {
    let t = Tr::for_locale(lang);
    let page = NotFoundPage {
        shell: Shell::for_principal(p, lang, "returns", format!("/console/returns/{id}")),
        title: t.rma_not_found,
        text: t.rma_not_found_text,
        back: "/console/returns",
        back_label: t.rma_back,
    };
    html(StatusCode::NOT_FOUND, &page)
}

async fn render_return(
    state: &AppState,
    p: &Principal,
    lang: UiLocale,
    id: i64,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, Problem> {
    let t = Tr::for_locale(lang);
    let Some(r) = state.store.return_for(p.organisation.id, id).await? else {
        return Ok(not_found(p, lang, id));
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
    let codes = warehouse_codes(state, p.organisation.id).await?;
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
        shell: Shell::for_principal(p, lang, "returns", format!("/console/returns/{id}")),
        id: r.id,
        number: rma_number(r.id),
        order: order_number(state, &r).await?,
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
        actions: actions(state, p, &r).await?,
        error,
    };
    Ok(html(status, &page))
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
    render_return(&state, &p, lang, id, StatusCode::OK, None).await
}

/// What a refused step says on the page: the field and its reason for
/// bad input, the rule's own words otherwise.
fn refusal(t: &Tr, p: &Problem) -> String {
    let reason = match p.errors.first() {
        Some(e) if p.status == 422 => format!("{}{}{}", e.field, t.colon, e.reason),
        _ => p.detail.clone(),
    };
    format!(
        "{}{}{} {}",
        t.refused, t.colon, reason, t.rma_nothing_changed
    )
}

/// Back to the return's page when the step worked, or the page with the
/// refusal on it.
async fn after_return_step(
    state: &AppState,
    headers: &HeaderMap,
    p: &Principal,
    id: i64,
    result: Result<(), Problem>,
) -> Result<Response, Problem> {
    let lang = locale(headers, Some(p));
    after_step(result, &format!("/console/returns/{id}"), |status, e| {
        let error = refusal(Tr::for_locale(lang), &e);
        render_return(state, p, lang, id, status, Some(error))
    })
    .await
}

#[derive(Deserialize)]
struct NoteForm {
    csrf: String,
    #[serde(default)]
    note: String,
}

/// A step taken with one button: the seller's decisions (with a note; a
/// rejection needs one), the operator's receipt and the seller's refund.
/// The goods of a return are received whole: the inspection then
/// accounts for every unit.
fn button(event: ReturnEvent) -> MethodRouter<AppState> {
    post(
        move |State(state): State<AppState>,
              headers: HeaderMap,
              ApiPath(id): ApiPath<i64>,
              Form(form): Form<NoteForm>| async move {
            let Some(p) = session_with_csrf(&state, &headers, &form.csrf).await? else {
                return Ok(to_login());
            };
            let note = Some(form.note.trim().to_owned()).filter(|n| !n.is_empty());
            let now = now_millis();
            let result = match (event, note) {
                (ReturnEvent::Receive, _) => svc::receive(&state, &p, id, now).await,
                (ReturnEvent::Refund, _) => svc::refund(&state, &p, id, now).await,
                (ReturnEvent::Reject, None) => Err(Problem::field(
                    "note",
                    "give the reason the return is rejected",
                )),
                (event, note) => svc::decide(&state, &p, id, event, note, now).await,
            };
            after_return_step(&state, &headers, &p, id, result.map(|_| ())).await
        },
    )
}

/// The inspection form's fields besides `csrf`: `restock.SKU`,
/// `relabel.SKU` and `dispose.SKU`, each a number of units (blank is 0),
/// in the order given.
fn inspection_lines(fields: &[(String, String)]) -> Result<Vec<InspectionLineBody>, Problem> {
    let mut lines = Vec::new();
    for (name, value) in fields.iter().filter(|(name, _)| name != "csrf") {
        let Some((disposition, sku)) = name
            .split_once('.')
            .filter(|(d, _)| Disposition::parse(d).is_some())
        else {
            return Err(Problem::field(
                name.clone(),
                "is not restock, relabel or dispose of a returned SKU",
            ));
        };
        let value = value.trim();
        let quantity = if value.is_empty() {
            0
        } else {
            value
                .parse::<i64>()
                .ok()
                .filter(|q| *q >= 0)
                .ok_or_else(|| {
                    Problem::field(name.clone(), "must be a whole number of units, 0 or more")
                })?
        };
        if quantity > 0 {
            lines.push(InspectionLineBody {
                sku: sku.to_owned(),
                disposition: disposition.to_owned(),
                quantity,
            });
        }
    }
    Ok(lines)
}

async fn inspect(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let csrf = fields
        .iter()
        .find(|(name, _)| name == "csrf")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let Some(p) = session_with_csrf(&state, &headers, &csrf).await? else {
        return Ok(to_login());
    };
    let result = match inspection_lines(&fields) {
        Ok(lines) => svc::inspect(&state, &p, id, &lines, now_millis())
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    after_return_step(&state, &headers, &p, id, result).await
}
