//! Carts, checkout and orders over HTTP.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chuhai_domain::accounts::Scope;
use chuhai_domain::orders::{OrderEvent, ShippingAddress};
use chuhai_store::orders::OrderRecord;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::customs::OrderExportShipmentView;
use super::views::ListOf;
use crate::auth::ApiPrincipal;
use crate::extract::{ApiJson, ApiPath, Pagination};
use crate::problem::Problem;
use crate::services::customs;
use crate::services::fulfilment::ShipmentView;
use crate::services::orders::{self, CartBody, CartLineBody, OrderBody, PricedCart};
use crate::state::AppState;
use crate::time::{now_millis, rfc3339};

/// One change of an order's state: who and when.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderEventView {
    pub event: String,
    pub from_state: Option<String>,
    pub to_state: String,
    /// The user who did it.
    pub user_id: Option<i64>,
    pub at: String,
    #[schema(value_type = Option<Object>)]
    pub detail: Option<serde_json::Value>,
}

/// An order: number, state, totals in the market currency and in CNY,
/// address, lines, landed cost and (on `GET /orders/{id}`) its timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderView {
    pub id: i64,
    /// Sequential per seller: `SO-000001`.
    pub number: String,
    pub state: String,
    pub cart_id: i64,
    pub market_id: i64,
    /// `{"amount": "70.00", "currency": "USD"}`: what the buyer pays.
    #[schema(value_type = Object)]
    pub total: serde_json::Value,
    /// The total in CNY at the order day's ECB rate, for the seller's books.
    #[schema(value_type = Object)]
    pub total_cny: serde_json::Value,
    #[schema(value_type = Object)]
    pub details: OrderBody,
    pub created_at: String,
    pub updated_at: String,
    /// Oldest first; only on `GET /api/v1/orders/{id}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Vec<OrderEventView>>,
    /// The export shipment recorded under the order's number (none or
    /// one), with its CEB messages and trade documents; only on
    /// `GET /api/v1/orders/{id}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export_shipments: Option<Vec<OrderExportShipmentView>>,
}

fn money_json(minor: i64, code: &str) -> Result<serde_json::Value, Problem> {
    let currency =
        chuhai_domain::money::Currency::from_code(code).map_err(|_| Problem::internal())?;
    serde_json::to_value(chuhai_domain::money::Money::from_minor(minor, currency))
        .map_err(|_| Problem::internal())
}

fn order_view(o: &OrderRecord) -> Result<OrderView, Problem> {
    Ok(OrderView {
        id: o.id,
        number: orders::number(o).to_string(),
        state: o.state.clone(),
        cart_id: o.cart_id,
        market_id: o.market_id,
        total: money_json(o.total_minor, &o.currency)?,
        total_cny: money_json(o.total_cny_minor, "CNY")?,
        details: serde_json::from_str(&o.body).map_err(|_| Problem::internal())?,
        created_at: rfc3339(o.created_at),
        updated_at: rfc3339(o.updated_at),
        timeline: None,
        export_shipments: None,
    })
}

/// Create a cart in one of your markets, optionally with lines and a
/// shipping address; answered priced.
#[utoipa::path(post, path = "/api/v1/carts", tag = "orders",
    params(("Idempotency-Key" = Option<String>, Header)),
    request_body(content = Object, description = "`market_id`, optional `locale`, `lines` ([{variant_id | sku, quantity}]) and `address`"),
    responses((status = 201, body = Object, description = "The cart, priced"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_cart(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiJson(body): ApiJson<CartBody>,
) -> Result<(StatusCode, Json<PricedCart>), Problem> {
    principal.require(Scope::OrdersWrite)?;
    let cart = orders::create_cart(&state, &principal.0, body, now_millis()).await?;
    Ok((StatusCode::CREATED, Json(cart)))
}

/// Show a cart priced now: lines at the market price (tiers applied),
/// shipping options, the landed-cost breakdown to its address and totals.
#[utoipa::path(get, path = "/api/v1/carts/{id}", tag = "orders",
    params(("id" = i64, Path)),
    responses((status = 200, body = Object, description = "The cart, priced"),
              (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get_cart(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<PricedCart>, Problem> {
    principal.require(Scope::OrdersRead)?;
    Ok(Json(orders::cart_view(&state, &principal.0, id).await?))
}

/// Set the units of a variant in a cart (add, change; 0 removes the line).
/// MOQ, pack size and increment are enforced, naming `line.quantity`.
#[utoipa::path(put, path = "/api/v1/carts/{id}/lines", tag = "orders",
    params(("id" = i64, Path)),
    request_body(content = Object, description = "{variant_id | sku, quantity}"),
    responses((status = 200, body = Object, description = "The cart, priced"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn set_cart_line(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<CartLineBody>,
) -> Result<Json<PricedCart>, Problem> {
    principal.require(Scope::OrdersWrite)?;
    Ok(Json(
        orders::set_line(&state, &principal.0, id, body, now_millis()).await?,
    ))
}

/// Set a cart's shipping address (a country the market sells to; a postal
/// code where the destination uses them).
#[utoipa::path(put, path = "/api/v1/carts/{id}/address", tag = "orders",
    params(("id" = i64, Path)),
    request_body(content = Object, description = "name, line1, line2, city, region, postal_code, country, phone"),
    responses((status = 200, body = Object, description = "The cart, priced"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn set_cart_address(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ShippingAddress>,
) -> Result<Json<PricedCart>, Problem> {
    principal.require(Scope::OrdersWrite)?;
    Ok(Json(
        orders::set_address(&state, &principal.0, id, body, now_millis()).await?,
    ))
}

/// Check out a cart: the order is written `placed` and the stock held
/// (expiring unless paid in time). Send an `Idempotency-Key`: a retried
/// checkout answers the same order; a cart is checked out once.
#[utoipa::path(post, path = "/api/v1/carts/{id}/checkout", tag = "orders",
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = OrderView),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn checkout(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<(StatusCode, Json<OrderView>), Problem> {
    principal.require(Scope::OrdersWrite)?;
    let order = orders::checkout(&state, &principal.0, id, now_millis()).await?;
    Ok((StatusCode::CREATED, Json(order_view(&order)?)))
}

/// List your orders, oldest first.
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders",
    params(("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = ListOf<OrderView>)),
    security(("bearer" = [])))]
pub async fn list_orders(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    page: Pagination,
) -> Result<Json<ListOf<OrderView>>, Problem> {
    principal.require(Scope::OrdersRead)?;
    let p = state
        .store
        .orders(principal.0.organisation.id, page.after, page.limit)
        .await?;
    let items = p
        .items
        .iter()
        .map(order_view)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(ListOf {
        items,
        next_cursor: p.next_after.map(crate::extract::encode_cursor),
    }))
}

/// Show an order with its timeline of events and the export shipment
/// recorded under its number (CEB messages and trade documents).
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders",
    params(("id" = i64, Path)),
    responses((status = 200, body = OrderView),
              (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get_order(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<OrderView>, Problem> {
    principal.require(Scope::OrdersRead)?;
    let order = state
        .store
        .order(principal.0.organisation.id, id)
        .await?
        .ok_or_else(|| Problem::not_found("order"))?;
    let mut view = order_view(&order)?;
    let events = state.store.order_events(order.id).await?;
    view.timeline = Some(
        events
            .into_iter()
            .map(|e| OrderEventView {
                event: e.event,
                from_state: e.from_state,
                to_state: e.to_state,
                user_id: e.user_id,
                at: rfc3339(e.at),
                detail: e.detail.and_then(|d| serde_json::from_str(&d).ok()),
            })
            .collect(),
    );
    view.export_shipments = Some(
        customs::of_order(&state.store, principal.0.organisation.id, &view.number)
            .await?
            .iter()
            .map(OrderExportShipmentView::from)
            .collect(),
    );
    Ok(Json(view))
}

/// An order's shipments: warehouse, carrier service, lines, status,
/// parcel, tracking number and events.
#[utoipa::path(get, path = "/api/v1/orders/{id}/shipments", tag = "orders",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Object>),
              (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn order_shipments(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<ShipmentView>>, Problem> {
    principal.require(Scope::OrdersRead)?;
    let order = state
        .store
        .order(principal.0.organisation.id, id)
        .await?
        .ok_or_else(|| Problem::not_found("order"))?;
    let mut out = Vec::new();
    for s in state.store.order_shipments(order.id).await? {
        out.push(crate::services::fulfilment::shipment_view(&state, &s, true).await?);
    }
    Ok(Json(out))
}

/// One routing decision of an order.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoutingView {
    pub id: i64,
    /// `checkout`, or `reroute` when a warehouse could not fulfil.
    pub reason: String,
    /// The packages, their costs and the explanation: every warehouse
    /// holding an order SKU with its verdict, the plans considered and the
    /// rule the chosen plan won on.
    #[schema(value_type = Object)]
    pub decision: serde_json::Value,
    pub user_id: Option<i64>,
    pub at: String,
}

/// An order's routing decisions with their explanations, oldest first.
#[utoipa::path(get, path = "/api/v1/orders/{id}/routing", tag = "orders",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<RoutingView>),
              (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn order_routing(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<RoutingView>>, Problem> {
    principal.require(Scope::OrdersRead)?;
    let order = state
        .store
        .order(principal.0.organisation.id, id)
        .await?
        .ok_or_else(|| Problem::not_found("order"))?;
    let out = state
        .store
        .order_routings(order.id)
        .await?
        .into_iter()
        .map(|r| {
            Ok(RoutingView {
                id: r.id,
                reason: r.reason,
                decision: serde_json::from_str(&r.decision).map_err(|_| Problem::internal())?,
                user_id: r.user_id,
                at: rfc3339(r.at),
            })
        })
        .collect::<Result<Vec<_>, Problem>>()?;
    Ok(Json(out))
}

/// A bank transfer (T/T) the seller saw arrive.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BankTransferBody {
    /// The bank's reference of the transfer.
    pub bank_reference: String,
}

/// Mark a placed order paid by a bank transfer the seller confirms: the
/// stock stays held without expiry. 409 when the order is not `placed` or
/// its hold has lapsed.
#[utoipa::path(post, path = "/api/v1/orders/{id}/bank-transfer-confirmations", tag = "orders",
    params(("id" = i64, Path)),
    request_body = BankTransferBody,
    responses((status = 200, body = OrderView),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn confirm_bank_transfer(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<BankTransferBody>,
) -> Result<Json<OrderView>, Problem> {
    principal.require(Scope::OrdersWrite)?;
    let reference = body.bank_reference.trim();
    if reference.is_empty() || reference.chars().count() > 100 {
        return Err(Problem::field(
            "bank_reference",
            "give the bank's reference (1 to 100 characters)",
        ));
    }
    let order = crate::services::payments::confirm_bank_transfer(
        &state,
        &principal.0,
        id,
        reference,
        now_millis(),
    )
    .await?;
    Ok(Json(order_view(&order)?))
}

/// Why an order is cancelled.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelBody {
    #[serde(default)]
    pub reason: Option<String>,
}

/// Cancel an order (placed, paid or allocated): its stock holds are
/// released. 409 naming the current state otherwise.
#[utoipa::path(post, path = "/api/v1/orders/{id}/cancel", tag = "orders",
    params(("id" = i64, Path)),
    request_body = CancelBody,
    responses((status = 200, body = OrderView),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn cancel_order(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<CancelBody>,
) -> Result<Json<OrderView>, Problem> {
    principal.require(Scope::OrdersWrite)?;
    if body
        .reason
        .as_ref()
        .is_some_and(|r| r.chars().count() > 500)
    {
        return Err(Problem::field("reason", "at most 500 characters"));
    }
    let detail = body.reason.map(|r| serde_json::json!({"reason": r}));
    let order = orders::transition(
        &state,
        &principal.0,
        id,
        OrderEvent::Cancel,
        detail,
        now_millis(),
    )
    .await?;
    Ok(Json(order_view(&order)?))
}
