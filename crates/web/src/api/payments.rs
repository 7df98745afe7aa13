//! Payments of orders over HTTP: card intents, the card provider's
//! webhooks and refunds.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chuhai_domain::accounts::Scope;
use chuhai_domain::money::{Currency, Money};
use chuhai_domain::payments::PaymentMethod;
use chuhai_store::payments::PaymentRecord;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::ApiPrincipal;
use crate::extract::{ApiJson, ApiPath};
use crate::problem::Problem;
use crate::services::payments::{self, WebhookOutcome, SIGNATURE_HEADER};
use crate::state::AppState;
use crate::time::{now_millis, rfc3339};

/// A payment of an order: method, status and its amounts, which never pass
/// each other (refunded ≤ captured ≤ authorised ≤ amount).
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentView {
    pub id: i64,
    pub order_id: i64,
    /// `card` or `bank_transfer`.
    pub method: String,
    /// `requires_confirmation`, `requires_capture`, `succeeded`,
    /// `partially_refunded`, `refunded`, `failed` or `cancelled`.
    pub status: String,
    /// The order total to pay.
    #[schema(value_type = Object)]
    pub amount: Money,
    #[schema(value_type = Object)]
    pub authorised: Money,
    #[schema(value_type = Object)]
    pub captured: Money,
    #[schema(value_type = Object)]
    pub refunded: Money,
    /// The card provider's id of the intent (`pi_…`): the buyer's page
    /// confirms the card against it.
    pub provider_reference: String,
    pub created_at: String,
    pub updated_at: String,
}

fn payment_view(p: &PaymentRecord) -> Result<PaymentView, Problem> {
    let c = Currency::from_code(&p.currency).map_err(|_| Problem::internal())?;
    Ok(PaymentView {
        id: p.id,
        order_id: p.order_id,
        method: p.method.clone(),
        status: p.status.clone(),
        amount: Money::from_minor(p.amount_minor, c),
        authorised: Money::from_minor(p.authorised_minor, c),
        captured: Money::from_minor(p.captured_minor, c),
        refunded: Money::from_minor(p.refunded_minor, c),
        provider_reference: p.provider_reference.clone(),
        created_at: rfc3339(p.created_at),
        updated_at: rfc3339(p.updated_at),
    })
}

/// How the buyer pays.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePaymentBody {
    /// `card`.
    #[schema(value_type = String)]
    pub method: PaymentMethod,
}

/// Create a card payment intent for a placed order's total. The card
/// provider then reports authorisation, capture, failure and refunds
/// through its webhook; the order is paid when the payment succeeds.
#[utoipa::path(post, path = "/api/v1/orders/{id}/payments", tag = "payments",
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body = CreatePaymentBody,
    responses((status = 201, body = PaymentView),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_payment(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<CreatePaymentBody>,
) -> Result<(StatusCode, Json<PaymentView>), Problem> {
    principal.require(Scope::OrdersWrite)?;
    let p = payments::create(&state, &principal.0, id, body.method, now_millis()).await?;
    Ok((StatusCode::CREATED, Json(payment_view(&p)?)))
}

/// The payments of an order, oldest first.
#[utoipa::path(get, path = "/api/v1/orders/{id}/payments", tag = "payments",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<PaymentView>),
              (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list_payments(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<PaymentView>>, Problem> {
    principal.require(Scope::OrdersRead)?;
    let org = principal.0.organisation.id;
    state
        .store
        .order(org, id)
        .await?
        .ok_or_else(|| Problem::not_found("order"))?;
    let list = state.store.order_payments(org, id).await?;
    Ok(Json(
        list.iter().map(payment_view).collect::<Result<_, _>>()?,
    ))
}

/// How much to give back.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundBody {
    /// `{"amount": "10.00", "currency": "USD"}`, in the order currency.
    #[schema(value_type = Object)]
    pub amount: Money,
}

/// Refund part or all of what the order's payment captured. Refused
/// beyond what is left, naming `amount`. When nothing is left the order
/// goes to `refunded` (409 where its state does not allow it, e.g. shipped
/// and not yet delivered).
#[utoipa::path(post, path = "/api/v1/orders/{id}/refunds", tag = "payments",
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body = RefundBody,
    responses((status = 201, body = PaymentView),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_refund(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<RefundBody>,
) -> Result<(StatusCode, Json<PaymentView>), Problem> {
    principal.require(Scope::OrdersWrite)?;
    let p = payments::refund(&state, &principal.0, id, body.amount, now_millis()).await?;
    Ok((StatusCode::CREATED, Json(payment_view(&p)?)))
}

/// What the webhook did with the event.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookReceipt {
    pub received: bool,
    /// `applied`, `replayed` (the event id was applied before: nothing
    /// changed) or `ignored` (a type Chuhai does not act on).
    pub outcome: String,
}

/// The card provider's webhook. The `Chuhai-Signature` header is
/// `t=<unix seconds>,v1=<hex HMAC-SHA256 over "<t>." + body>` with the
/// platform's webhook secret, within 300 s of now. Handles
/// `payment_intent.amount_capturable_updated`, `payment_intent.succeeded`
/// (the order is paid), `payment_intent.payment_failed` and
/// `charge.refunded`. A replayed event id answers 200 and changes nothing.
#[utoipa::path(post, path = "/api/v1/payments/card-provider/webhooks", tag = "payments",
    params(("Chuhai-Signature" = String, Header)),
    request_body(content = Object, description = "The provider's event: `id`, `type`, `data.object` (`id`, `payment_intent`, `amount_received`, `amount_refunded`)"),
    responses((status = 200, body = WebhookReceipt),
              (status = 400, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn card_webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<WebhookReceipt>, Problem> {
    let signature = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    let outcome = payments::webhook(&state, signature, &body, now_millis()).await?;
    Ok(Json(WebhookReceipt {
        received: true,
        outcome: match outcome {
            WebhookOutcome::Applied => "applied",
            WebhookOutcome::Replayed => "replayed",
            WebhookOutcome::Ignored => "ignored",
        }
        .into(),
    }))
}
