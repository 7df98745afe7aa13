//! Shipping setups, shipments, waves, packing, shipping, tracking and
//! re-routing over HTTP.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use chuhai_domain::accounts::Scope;
use chuhai_domain::fulfilment::{Parcel, TrackingEvent};
use chuhai_domain::routing::WarehouseShipping;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::ApiPrincipal;
use crate::extract::{ApiJson, ApiPath, Pagination};
use crate::problem::Problem;
use crate::services::fulfilment::{
    self as svc, CannotFulfilBody, SetupView, ShipBody, ShipmentView, WaveView,
};
use crate::state::AppState;
use crate::time::now_millis;

type QueryResult<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

/// Show a warehouse's shipping setup: carrier services with their zone
/// charts, the market it serves and its rate cards.
#[utoipa::path(get, path = "/api/v1/warehouses/{id}/shipping", tag = "fulfilment",
    params(("id" = i64, Path)),
    responses((status = 200, body = Object, description = "The setup"),
              (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get_shipping(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SetupView>, Problem> {
    principal.require(Scope::InventoryRead)?;
    Ok(Json(
        svc::shipping_setup(&state, principal.0.organisation.id, id).await?,
    ))
}

/// Replace a warehouse's shipping setup (its operator only): `currency`,
/// `market` (countries counted as its own market), `services` (code,
/// name, carrier, `max_weight` g, `dangerous_goods` UN classes,
/// `volumetric_divisor` cm³/kg, `zones` [{country, postal_prefix, zone}])
/// and `rates` [{service, zone, pricing {first_weight, first_price_minor,
/// step_weight, step_price_minor}, transit {min, max}}]. Checked whole;
/// 422 names the field.
#[utoipa::path(put, path = "/api/v1/warehouses/{id}/shipping", tag = "fulfilment",
    params(("id" = i64, Path)),
    request_body(content = Object, description = "The whole setup"),
    responses((status = 200, body = Object, description = "The setup"),
              (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn put_shipping(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<WarehouseShipping>,
) -> Result<Json<SetupView>, Problem> {
    principal.require(Scope::InventoryWrite)?;
    Ok(Json(
        svc::put_shipping_setup(&state, &principal.0, id, body, now_millis()).await?,
    ))
}

/// Filter of a warehouse's shipments.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ShipmentQuery {
    /// pending, picking, packed, shipped, delivered or cancelled.
    pub status: Option<String>,
    #[serde(default)]
    pub limit: Option<u32>,
    #[serde(default)]
    pub cursor: Option<String>,
}

/// A page of shipments.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShipmentPage {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<ShipmentView>,
    pub next_cursor: Option<String>,
}

/// The shipments at a warehouse you run, of paid orders, by id.
#[utoipa::path(get, path = "/api/v1/warehouses/{id}/shipments", tag = "fulfilment",
    params(("id" = i64, Path), ShipmentQuery),
    responses((status = 200, body = ShipmentPage),
              (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn warehouse_shipments(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    q: QueryResult<ShipmentQuery>,
    page: Pagination,
) -> Result<Json<ShipmentPage>, Problem> {
    principal.require(Scope::InventoryRead)?;
    let Query(q) = q.map_err(|e| Problem::field("query", e.body_text()))?;
    let (items, next) = svc::warehouse_shipments(
        &state,
        principal.0.organisation.id,
        id,
        q.status.as_deref(),
        page.after,
        page.limit,
    )
    .await?;
    Ok(Json(ShipmentPage {
        items,
        next_cursor: next.map(crate::extract::encode_cursor),
    }))
}

/// What releases a wave.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WaveBody {
    /// RFC 3339 instant: shipments allocated up to it join the wave;
    /// default the warehouse's next cut-off (today's until it passes).
    #[serde(default)]
    pub cutoff_at: Option<String>,
}

/// Release a wave at a warehouse you run: every pending shipment of an
/// allocated order up to the cut-off, with the pick list (bin, SKU, units,
/// shipments). Shipments whose units cannot all be found are left out and
/// listed under `short`.
#[utoipa::path(post, path = "/api/v1/warehouses/{id}/waves", tag = "fulfilment",
    params(("id" = i64, Path)),
    request_body = WaveBody,
    responses((status = 201, body = Object, description = "The wave and its pick list"),
              (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_wave(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<WaveBody>,
) -> Result<(StatusCode, Json<WaveView>), Problem> {
    principal.require(Scope::InventoryWrite)?;
    let cutoff = body
        .cutoff_at
        .as_deref()
        .map(|t| {
            crate::time::parse_rfc3339(t)
                .ok_or_else(|| Problem::field("cutoff_at", "is not an RFC 3339 instant"))
        })
        .transpose()?;
    let wave = svc::make_wave(&state, &principal.0, id, cutoff, now_millis()).await?;
    Ok((StatusCode::CREATED, Json(wave)))
}

/// The waves of a warehouse you run, newest first (at most 100).
#[utoipa::path(get, path = "/api/v1/warehouses/{id}/waves", tag = "fulfilment",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Object>),
              (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list_waves(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<WaveView>>, Problem> {
    principal.require(Scope::InventoryRead)?;
    Ok(Json(
        svc::waves(&state, principal.0.organisation.id, id).await?,
    ))
}

/// One wave with its pick list.
#[utoipa::path(get, path = "/api/v1/warehouses/{id}/waves/{wave_id}", tag = "fulfilment",
    params(("id" = i64, Path), ("wave_id" = i64, Path)),
    responses((status = 200, body = Object),
              (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get_wave(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath((id, wave_id)): ApiPath<(i64, i64)>,
) -> Result<Json<WaveView>, Problem> {
    principal.require(Scope::InventoryRead)?;
    Ok(Json(
        svc::wave(&state, principal.0.organisation.id, id, wave_id).await?,
    ))
}

/// Show a shipment with its events (the seller's own, or one at a
/// warehouse you run).
#[utoipa::path(get, path = "/api/v1/shipments/{id}", tag = "fulfilment",
    params(("id" = i64, Path)),
    responses((status = 200, body = Object),
              (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get_shipment(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ShipmentView>, Problem> {
    principal.require(Scope::OrdersRead)?;
    Ok(Json(
        svc::get_shipment(&state, principal.0.organisation.id, id).await?,
    ))
}

/// Pack a shipment of a wave (its warehouse's operator): records the
/// carton, weight and size; its units leave their bins for the packing
/// station (`pick` entries in the ledger).
#[utoipa::path(post, path = "/api/v1/shipments/{id}/pack", tag = "fulfilment",
    params(("id" = i64, Path)),
    request_body(content = Object, description = "{carton, weight_g, length_mm, width_mm, height_mm}"),
    responses((status = 200, body = Object),
              (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn pack(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Parcel>,
) -> Result<Json<ShipmentView>, Problem> {
    principal.require(Scope::InventoryWrite)?;
    Ok(Json(
        svc::pack(&state, &principal.0, id, body, now_millis()).await?,
    ))
}

/// Ship a packed parcel with the carrier's tracking number (its
/// warehouse's operator): the stock holds are committed in the ledger, the
/// order becomes partially shipped or shipped, `shipment.shipped` is sent.
#[utoipa::path(post, path = "/api/v1/shipments/{id}/ship", tag = "fulfilment",
    params(("id" = i64, Path)),
    request_body(content = Object, description = "{tracking_number}"),
    responses((status = 200, body = Object),
              (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn ship(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ShipBody>,
) -> Result<Json<ShipmentView>, Problem> {
    principal.require(Scope::InventoryWrite)?;
    Ok(Json(
        svc::ship(&state, &principal.0, id, body, now_millis()).await?,
    ))
}

/// Record a carrier's tracking event on a shipped parcel: `in_transit`,
/// `out_for_delivery`, `exception` or `delivered` (the order is delivered
/// with its last parcel).
#[utoipa::path(post, path = "/api/v1/shipments/{id}/tracking-events", tag = "fulfilment",
    params(("id" = i64, Path)),
    request_body(content = Object, description = "{status, location?, description?}"),
    responses((status = 200, body = Object),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn track(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<TrackingEvent>,
) -> Result<Json<ShipmentView>, Problem> {
    principal.require(Scope::InventoryWrite)?;
    Ok(Json(
        svc::track(&state, &principal.0, id, body, now_millis()).await?,
    ))
}

/// Report that a shipment's warehouse cannot fulfil it (all of it, or the
/// SKUs named): it is cancelled, its holds released, and its lines routed
/// again without that warehouse (or those SKUs there). Answers the new
/// shipments.
#[utoipa::path(post, path = "/api/v1/shipments/{id}/cannot-fulfil", tag = "fulfilment",
    params(("id" = i64, Path)),
    request_body(content = Object, description = "{skus?: [..], reason}"),
    responses((status = 200, body = Vec<Object>),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn cannot_fulfil(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<CannotFulfilBody>,
) -> Result<Json<Vec<ShipmentView>>, Problem> {
    principal.require(Scope::InventoryWrite)?;
    Ok(Json(
        svc::cannot_fulfil(&state, &principal.0, id, body, now_millis()).await?,
    ))
}
