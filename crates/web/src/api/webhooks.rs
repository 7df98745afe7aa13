//! Webhooks out over HTTP: a seller's subscriptions and the deliveries
//! made to them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chuhai_domain::accounts::Scope;
use chuhai_store::webhooks::{DeliveryRecord, SubscriptionRecord};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::ApiPrincipal;
use crate::extract::{ApiJson, ApiPath};
use crate::problem::Problem;
use crate::services::webhooks;
use crate::state::AppState;
use crate::time::{now_millis, rfc3339};

/// A subscription: where to send which events.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionView {
    pub id: i64,
    pub url: String,
    /// Event names, e.g. `order.paid`.
    pub events: Vec<String>,
    pub created_at: String,
}

impl From<&SubscriptionRecord> for SubscriptionView {
    fn from(s: &SubscriptionRecord) -> Self {
        SubscriptionView {
            id: s.id,
            url: s.url.clone(),
            events: s.events.clone(),
            created_at: rfc3339(s.created_at),
        }
    }
}

/// A new subscription with its signing secret, shown only here.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedSubscriptionView {
    #[serde(flatten)]
    pub subscription: SubscriptionView,
    /// The HMAC-SHA256 secret deliveries are signed with
    /// (`Chuhai-Signature: t=…,v1=…`). It is not shown again.
    pub secret: String,
}

/// Where to send which events.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSubscriptionBody {
    /// An `https` URL (plain `http` only to localhost).
    pub url: String,
    /// Event names: `order.created`, `order.paid`, `order.cancelled`,
    /// `order.refunded`, …
    pub events: Vec<String>,
}

/// One delivery of an event to a subscription, with its last attempt.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: i64,
    pub subscription_id: i64,
    /// The event's id (`Chuhai-Event-Id`).
    pub event_id: String,
    pub event: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i64,
    /// When a pending delivery is tried next.
    pub next_attempt_at: Option<String>,
    pub last_attempt_at: Option<String>,
    /// The receiver's HTTP status on the last attempt, when it answered.
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: String,
}

impl From<&DeliveryRecord> for DeliveryView {
    fn from(d: &DeliveryRecord) -> Self {
        DeliveryView {
            id: d.id,
            subscription_id: d.subscription_id,
            event_id: format!("evt_{}", d.outbox_id),
            event: d.kind.clone(),
            status: d.status.clone(),
            attempts: d.attempts,
            next_attempt_at: (d.status == "pending").then(|| rfc3339(d.next_attempt_at)),
            last_attempt_at: d.last_attempt_at.map(rfc3339),
            last_status_code: d.last_status_code,
            last_error: d.last_error.clone(),
            created_at: rfc3339(d.created_at),
        }
    }
}

/// Subscribe a URL to events. The answer carries the signing secret, once.
#[utoipa::path(post, path = "/api/v1/webhooks/subscriptions", tag = "webhooks",
    request_body = CreateSubscriptionBody,
    responses((status = 201, body = CreatedSubscriptionView),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_subscription(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiJson(body): ApiJson<CreateSubscriptionBody>,
) -> Result<(StatusCode, Json<CreatedSubscriptionView>), Problem> {
    principal.require(Scope::AccountWrite)?;
    let s = webhooks::subscribe(
        &state.store,
        principal.0.organisation.id,
        &body.url,
        &body.events,
        now_millis(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedSubscriptionView {
            subscription: SubscriptionView::from(&s),
            secret: s.secret.clone(),
        }),
    ))
}

/// The organisation's subscriptions, oldest first (secrets not shown).
#[utoipa::path(get, path = "/api/v1/webhooks/subscriptions", tag = "webhooks",
    responses((status = 200, body = Vec<SubscriptionView>)),
    security(("bearer" = [])))]
pub async fn list_subscriptions(
    State(state): State<AppState>,
    principal: ApiPrincipal,
) -> Result<Json<Vec<SubscriptionView>>, Problem> {
    principal.require(Scope::AccountRead)?;
    let list = state
        .store
        .subscriptions(principal.0.organisation.id)
        .await?;
    Ok(Json(list.iter().map(SubscriptionView::from).collect()))
}

/// Delete a subscription: nothing more is sent to it; its pending
/// deliveries are failed.
#[utoipa::path(delete, path = "/api/v1/webhooks/subscriptions/{id}", tag = "webhooks",
    params(("id" = i64, Path)),
    responses((status = 204),
              (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn delete_subscription(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, Problem> {
    principal.require(Scope::AccountWrite)?;
    if state
        .store
        .delete_subscription(principal.0.organisation.id, id, now_millis())
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Problem::not_found("webhook subscription"))
    }
}

/// The organisation's deliveries, newest first (the latest 200).
#[utoipa::path(get, path = "/api/v1/webhooks/deliveries", tag = "webhooks",
    responses((status = 200, body = Vec<DeliveryView>)),
    security(("bearer" = [])))]
pub async fn list_deliveries(
    State(state): State<AppState>,
    principal: ApiPrincipal,
) -> Result<Json<Vec<DeliveryView>>, Problem> {
    principal.require(Scope::AccountRead)?;
    let list = state
        .store
        .deliveries(principal.0.organisation.id, 200)
        .await?;
    Ok(Json(list.iter().map(DeliveryView::from).collect()))
}
