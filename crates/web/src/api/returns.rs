//! Returns (RMA) and the seller's returns policy over HTTP.
//!
//! The seller asks for, authorises, rejects, closes and refunds its
//! returns; the operator of the overseas warehouse the goods go back to
//! receives and inspects them. Both see the return; any other
//! organisation's return is not found.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use chuhai_domain::accounts::Scope;
use chuhai_domain::money::{Currency, Money};
use chuhai_domain::returns::{ReturnEvent, ReturnStatus, ReturnsPolicy};
use chuhai_store::returns::ReturnRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::views::ListOf;
use crate::auth::ApiPrincipal;
use crate::extract::{ApiJson, ApiPath, Pagination};
use crate::problem::Problem;
use crate::services::returns::{self as svc, InspectionLineBody, ReturnBody, ReturnLineBody};
use crate::state::AppState;
use crate::time::{now_millis, rfc3339};

/// Units of a SKU returned.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReturnLineView {
    pub sku: String,
    pub quantity: i64,
}

/// What inspection decided for units of a SKU.
#[derive(Debug, Serialize, ToSchema)]
pub struct DispositionView {
    pub sku: String,
    /// `restock`, `relabel` or `dispose`.
    pub disposition: String,
    pub quantity: i64,
}

/// The refund a return gives: `total = goods + import_charges + shipping −
/// restocking_fee`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefundView {
    #[schema(value_type = Object)]
    pub goods: Money,
    #[schema(value_type = Object)]
    pub import_charges: Money,
    #[schema(value_type = Object)]
    pub shipping: Money,
    #[schema(value_type = Object)]
    pub restocking_fee: Money,
    #[schema(value_type = Object)]
    pub total: Money,
}

/// One change of a return's status: who and when.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReturnEventView {
    pub event: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub user_id: Option<i64>,
    pub at: String,
    #[schema(value_type = Option<Object>)]
    pub detail: Option<serde_json::Value>,
}

/// A return (RMA).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReturnView {
    pub id: i64,
    /// `RMA-000042`.
    pub number: String,
    pub order_id: i64,
    /// `requested`, `authorised`, `rejected`, `received`, `inspected`,
    /// `refunded` or `closed`.
    pub status: String,
    /// Whether every unit was inspected.
    pub inspected: bool,
    pub reason: String,
    pub note: Option<String>,
    /// The overseas warehouse the goods go back to.
    pub warehouse_id: i64,
    pub lines: Vec<ReturnLineView>,
    /// After inspection.
    pub dispositions: Vec<DispositionView>,
    /// Worked out when the return was asked for, under `policy`.
    pub refund: RefundView,
    /// The returns policy in force when it was asked for.
    #[schema(value_type = Object)]
    pub policy: ReturnsPolicy,
    /// The payment refunded (none before the refund, or when nothing was owed).
    pub payment_id: Option<i64>,
    pub received_at: Option<String>,
    pub refunded_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Oldest first; only on `GET /api/v1/returns/{id}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Vec<ReturnEventView>>,
}

fn return_view(r: &ReturnRecord) -> Result<ReturnView, Problem> {
    let c = Currency::from_code(&r.currency).map_err(|_| Problem::internal())?;
    let m = |minor| Money::from_minor(minor, c);
    Ok(ReturnView {
        id: r.id,
        number: chuhai_domain::returns::rma_number(r.id),
        order_id: r.order_id,
        status: r.status.clone(),
        inspected: r.inspected,
        reason: r.reason.clone(),
        note: r.note.clone(),
        warehouse_id: r.warehouse_id,
        lines: r
            .lines
            .iter()
            .map(|l| ReturnLineView {
                sku: l.sku.clone(),
                quantity: l.quantity,
            })
            .collect(),
        dispositions: r
            .dispositions
            .iter()
            .map(|d| DispositionView {
                sku: d.sku.clone(),
                disposition: d.disposition.clone(),
                quantity: d.quantity,
            })
            .collect(),
        refund: RefundView {
            goods: m(r.amounts.goods_minor),
            import_charges: m(r.amounts.import_charges_minor),
            shipping: m(r.amounts.shipping_minor),
            restocking_fee: m(r.amounts.restocking_fee_minor),
            total: m(r.amounts.refund_minor),
        },
        policy: svc::policy_of(r)?,
        payment_id: r.payment_id,
        received_at: r.received_at.map(rfc3339),
        refunded_at: r.refunded_at.map(rfc3339),
        created_at: rfc3339(r.created_at),
        updated_at: rfc3339(r.updated_at),
        timeline: None,
    })
}

/// Reading returns: a seller's order scope or an operator's inventory scope.
fn require_read(principal: &ApiPrincipal) -> Result<(), Problem> {
    principal
        .require(Scope::OrdersRead)
        .or_else(|_| principal.require(Scope::InventoryRead))
}

/// A return to ask for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReturnBody {
    /// `defective`, `damaged_in_transit`, `wrong_item`, `not_as_described`,
    /// `no_longer_needed` or `other`.
    pub reason: String,
    /// At most 500 characters.
    #[serde(default)]
    pub note: Option<String>,
    /// An overseas warehouse serving you; never an origin warehouse in China.
    pub warehouse_id: i64,
    /// Units per SKU of the order, at most those ordered and not yet returned.
    pub lines: Vec<NewReturnLine>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReturnLine {
    pub sku: String,
    pub quantity: i64,
}

/// Ask for a return (RMA) of units of a delivered order, to an overseas
/// warehouse serving you, within the return window of your returns
/// policy. The refund is worked out now under that policy.
#[utoipa::path(post, path = "/api/v1/orders/{id}/returns", tag = "returns",
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body = NewReturnBody,
    responses((status = 201, body = ReturnView),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "The order is not delivered", body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_return(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<NewReturnBody>,
) -> Result<(StatusCode, Json<ReturnView>), Problem> {
    principal.require(Scope::OrdersWrite)?;
    let body = ReturnBody {
        reason: body.reason,
        note: body.note,
        warehouse_id: body.warehouse_id,
        lines: body
            .lines
            .into_iter()
            .map(|l| ReturnLineBody {
                sku: l.sku,
                quantity: l.quantity,
            })
            .collect(),
    };
    let r = svc::create(&state, &principal.0, id, body, now_millis()).await?;
    Ok((StatusCode::CREATED, Json(return_view(&r)?)))
}

/// The returns of one of your orders, oldest first.
#[utoipa::path(get, path = "/api/v1/orders/{id}/returns", tag = "returns",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ReturnView>),
              (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn order_returns(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<ReturnView>>, Problem> {
    principal.require(Scope::OrdersRead)?;
    let org = principal.0.organisation.id;
    state
        .store
        .order(org, id)
        .await?
        .ok_or_else(|| Problem::not_found("order"))?;
    let list = state.store.order_returns(org, id).await?;
    Ok(Json(
        list.iter().map(return_view).collect::<Result<_, _>>()?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ReturnsQuery {
    /// Only returns in this status.
    pub status: Option<String>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// Your returns, and (for a warehouse operator) those coming back to your
/// warehouses, oldest first; optionally of one status.
#[utoipa::path(get, path = "/api/v1/returns", tag = "returns",
    params(ReturnsQuery),
    responses((status = 200, body = ListOf<ReturnView>),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list_returns(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    page: Pagination,
    q: Result<Query<ReturnsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ListOf<ReturnView>>, Problem> {
    require_read(&principal)?;
    let Query(q) = q.map_err(|e| Problem::field("query", e.body_text()))?;
    let status = match q.status.as_deref() {
        None => None,
        Some(s) => Some(ReturnStatus::parse(s).ok_or_else(|| {
            Problem::field(
                "status",
                format!(
                    "'{s}' is not one of {}",
                    ReturnStatus::ALL.map(|x| x.as_str()).join(", ")
                ),
            )
        })?),
    };
    let p = state
        .store
        .returns_for(
            principal.0.organisation.id,
            status.map(|s| s.as_str()),
            page.after,
            page.limit,
        )
        .await?;
    Ok(Json(ListOf {
        items: p.items.iter().map(return_view).collect::<Result<_, _>>()?,
        next_cursor: p.next_after.map(crate::extract::encode_cursor),
    }))
}

/// One return with its timeline (its seller's, or its warehouse operator's).
#[utoipa::path(get, path = "/api/v1/returns/{id}", tag = "returns",
    params(("id" = i64, Path)),
    responses((status = 200, body = ReturnView),
              (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get_return(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ReturnView>, Problem> {
    require_read(&principal)?;
    let r = svc::visible(&state, principal.0.organisation.id, id).await?;
    let mut view = return_view(&r)?;
    view.timeline = Some(
        state
            .store
            .return_events(r.id)
            .await?
            .into_iter()
            .map(|e| ReturnEventView {
                event: e.event,
                from_status: e.from_status,
                to_status: e.to_status,
                user_id: e.user_id,
                at: rfc3339(e.at),
                detail: e.detail.and_then(|d| serde_json::from_str(&d).ok()),
            })
            .collect(),
    );
    Ok(Json(view))
}

/// A seller's decision, with an optional note.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// At most 500 characters.
    #[serde(default)]
    pub note: Option<String>,
}

async fn decide(
    state: &AppState,
    principal: &ApiPrincipal,
    id: i64,
    event: ReturnEvent,
    body: DecisionBody,
) -> Result<Json<ReturnView>, Problem> {
    principal.require(Scope::OrdersWrite)?;
    let r = svc::decide(state, &principal.0, id, event, body.note, now_millis()).await?;
    Ok(Json(return_view(&r)?))
}

/// Authorise a requested return: the buyer may send the goods.
#[utoipa::path(post, path = "/api/v1/returns/{id}/authorise", tag = "returns",
    params(("id" = i64, Path)), request_body = DecisionBody,
    responses((status = 200, body = ReturnView),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn authorise_return(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<Json<ReturnView>, Problem> {
    decide(&state, &principal, id, ReturnEvent::Authorise, body).await
}

/// Reject a requested return: its units may be asked for again.
#[utoipa::path(post, path = "/api/v1/returns/{id}/reject", tag = "returns",
    params(("id" = i64, Path)), request_body = DecisionBody,
    responses((status = 200, body = ReturnView),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn reject_return(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<Json<ReturnView>, Problem> {
    decide(&state, &principal, id, ReturnEvent::Reject, body).await
}

/// Close a return without a refund: authorised goods that never came, or
/// an inspected return with nothing owed.
#[utoipa::path(post, path = "/api/v1/returns/{id}/close", tag = "returns",
    params(("id" = i64, Path)), request_body = DecisionBody,
    responses((status = 200, body = ReturnView),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn close_return(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<Json<ReturnView>, Problem> {
    decide(&state, &principal, id, ReturnEvent::Close, body).await
}

/// Record the goods of an authorised return received at your warehouse
/// (its operator only); the order becomes `returned`.
#[utoipa::path(post, path = "/api/v1/returns/{id}/receipt", tag = "returns",
    params(("id" = i64, Path)),
    responses((status = 200, body = ReturnView),
              (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn receive_return(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ReturnView>, Problem> {
    principal.require(Scope::InventoryWrite)?;
    let r = svc::receive(&state, &principal.0, id, now_millis()).await?;
    Ok(Json(return_view(&r)?))
}

/// Every returned unit's disposition.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionBody {
    /// Per SKU and disposition (`restock`, `relabel`, `dispose`) the units;
    /// each returned line's units are given exactly once.
    pub lines: Vec<InspectionLine>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionLine {
    pub sku: String,
    pub disposition: String,
    pub quantity: i64,
}

/// Inspect a received return at your warehouse (its operator only):
/// restocked and relabelled units are posted back to sellable stock there
/// (a `return` ledger entry); disposed units are not.
#[utoipa::path(post, path = "/api/v1/returns/{id}/inspection", tag = "returns",
    params(("id" = i64, Path)), request_body = InspectionBody,
    responses((status = 200, body = ReturnView),
              (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn inspect_return(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<InspectionBody>,
) -> Result<Json<ReturnView>, Problem> {
    principal.require(Scope::InventoryWrite)?;
    let lines: Vec<InspectionLineBody> = body
        .lines
        .into_iter()
        .map(|l| InspectionLineBody {
            sku: l.sku,
            disposition: l.disposition,
            quantity: l.quantity,
        })
        .collect();
    let r = svc::inspect(&state, &principal.0, id, &lines, now_millis()).await?;
    Ok(Json(return_view(&r)?))
}

/// Issue the return's refund when your policy makes it due (on receipt,
/// or after inspection): the order's payment, card or bank transfer, is
/// refunded by the return's refund total; the order becomes `refunded`
/// when nothing is left.
#[utoipa::path(post, path = "/api/v1/returns/{id}/refund", tag = "returns",
    params(("id" = i64, Path)),
    responses((status = 200, body = ReturnView),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn refund_return(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ReturnView>, Problem> {
    principal.require(Scope::OrdersWrite)?;
    let r = svc::refund(&state, &principal.0, id, now_millis()).await?;
    Ok(Json(return_view(&r)?))
}

/// Your returns policy (the default until you set one): return window in
/// days after delivery, restocking fee in basis points on returns the
/// buyer chose, whether those get the original shipping back, and when
/// the refund is due (`on_receipt` or `after_inspection`).
#[utoipa::path(get, path = "/api/v1/returns-policy", tag = "returns",
    responses((status = 200, body = Object, description = "The policy")),
    security(("bearer" = [])))]
pub async fn get_policy(
    State(state): State<AppState>,
    principal: ApiPrincipal,
) -> Result<Json<ReturnsPolicy>, Problem> {
    principal.require(Scope::OrdersRead)?;
    Ok(Json(
        svc::policy(&state, principal.0.organisation.id).await?,
    ))
}

/// Set your returns policy; returns already asked for keep theirs.
#[utoipa::path(put, path = "/api/v1/returns-policy", tag = "returns",
    request_body(content = Object, description = "return_window_days (1–365), restocking_fee_bp (0–5000), refund_original_shipping, refund_timing"),
    responses((status = 200, body = Object, description = "The policy"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn put_policy(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiJson(body): ApiJson<ReturnsPolicy>,
) -> Result<Json<ReturnsPolicy>, Problem> {
    principal.require(Scope::OrdersWrite)?;
    Ok(Json(
        svc::put_policy(&state, &principal.0, body, now_millis()).await?,
    ))
}
