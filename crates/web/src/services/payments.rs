//! Payments of orders: card intents created for the order total, the card
//! provider's signed webhooks (verified, applied once per event id, the
//! order paid when the payment succeeds) and refunds, full or partial (the
//! order refunded when nothing is left). Every change of a payment is
//! written with its event and the order's state change in one transaction.

use chuhai_domain::money::{Currency, Money};
use chuhai_domain::orders::{OrderEvent, OrderState};
use chuhai_domain::payments::{verify, PaymentError, PaymentIntent, PaymentMethod, PaymentStatus};
use chuhai_store::accounts::Principal;
use chuhai_store::orders::{HoldAction, OrderRecord, OrderTransition};
use chuhai_store::payments::{Applied, NewPayment, PaymentAmounts, PaymentChange, PaymentRecord};
use rand_core::{OsRng, RngCore};
use serde::Deserialize;

use crate::problem::{FieldProblem, Problem};
use crate::state::AppState;

/// The header carrying the card provider's signature.
pub const SIGNATURE_HEADER: &str = "Chuhai-Signature";

/// The environment variable with the card provider's webhook secret, read
/// when the settings give none.
pub const WEBHOOK_SECRET_ENV: &str = "CHUHAI_CARD_WEBHOOK_SECRET";

impl From<PaymentError> for Problem {
    fn from(e: PaymentError) -> Self {
        match e {
            PaymentError::Invalid { field, reason } => Problem::field(field, reason),
            PaymentError::WrongStatus { status, .. } => {
                let mut p = Problem::conflict("payment_state", e.to_string());
                p.errors = vec![FieldProblem {
                    field: "status".into(),
                    reason: format!("the payment is {status}"),
                }];
                p
            }
        }
    }
}

fn parse_status(text: &str) -> Result<PaymentStatus, Problem> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| Problem::internal())
}

fn currency(record: &PaymentRecord) -> Result<Currency, Problem> {
    Currency::from_code(&record.currency).map_err(|_| Problem::internal())
}

/// The domain's intent of a stored payment.
pub fn intent(record: &PaymentRecord) -> Result<PaymentIntent, Problem> {
    let c = currency(record)?;
    let money = |minor| Money::from_minor(minor, c);
    parse_status(&record.status)?;
    serde_json::from_value(serde_json::json!({
        "method": record.method,
        "status": record.status,
        "amount": money(record.amount_minor),
        "authorised": money(record.authorised_minor),
        "captured": money(record.captured_minor),
        "refunded": money(record.refunded_minor),
    }))
    .map_err(|_| Problem::internal())
}

/// The latest of an order's payments with captured money left to refund.
pub fn refundable(payments: &[PaymentRecord]) -> Result<&PaymentRecord, Problem> {
    payments
        .iter()
        .rev()
        .find(|p| {
            p.status == PaymentStatus::Succeeded.as_str()
                || p.status == PaymentStatus::PartiallyRefunded.as_str()
        })
        .ok_or_else(|| {
            Problem::conflict(
                "payment_state",
                "the order has no captured payment left to refund",
            )
        })
}

/// A payment's status and amounts as the store writes them.
pub fn amounts(i: &PaymentIntent) -> PaymentAmounts {
    PaymentAmounts {
        status: i.status().as_str().to_owned(),
        authorised_minor: i.authorised().minor(),
        captured_minor: i.captured().minor(),
        refunded_minor: i.refunded().minor(),
    }
}

fn provider_reference() -> String {
    let mut bytes = [0u8; 12];
    OsRng.fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("pi_{hex}")
}

async fn find_order(state: &AppState, org: i64, id: i64) -> Result<OrderRecord, Problem> {
    state
        .store
        .order(org, id)
        .await?
        .ok_or_else(|| Problem::not_found("order"))
}

/// Creates a card payment intent for a placed order's total.
pub async fn create(
    state: &AppState,
    principal: &Principal,
    order_id: i64,
    method: PaymentMethod,
    now: i64,
) -> Result<PaymentRecord, Problem> {
    let org = principal.organisation.id;
    let order = find_order(state, org, order_id).await?;
    if method != PaymentMethod::Card {
        return Err(Problem::field(
            "method",
            "bank transfers are confirmed with POST /api/v1/orders/{id}/bank-transfer-confirmations; give \"card\"",
        ));
    }
    if order.state != OrderState::Placed.as_str() {
        let mut p = Problem::conflict(
            "illegal_transition",
            format!("an order that is {} cannot be paid", order.state),
        );
        p.errors = vec![FieldProblem {
            field: "state".into(),
            reason: format!("the order is {}", order.state),
        }];
        return Err(p);
    }
    let c = Currency::from_code(&order.currency).map_err(|_| Problem::internal())?;
    let intent = PaymentIntent::new(method, Money::from_minor(order.total_minor, c))?;
    let new = NewPayment {
        seller_id: org,
        order_id,
        method: "card".into(),
        status: intent.status().as_str().to_owned(),
        currency: order.currency.clone(),
        amount_minor: order.total_minor,
        provider_reference: provider_reference(),
    };
    Ok(state.store.create_payment(&new, now).await?)
}

/// Marks a placed order paid by a bank transfer the seller saw arrive:
/// a bank-transfer payment of the whole total is recorded (so it can be
/// refunded) with the order's change to `paid`, in one transaction.
pub async fn confirm_bank_transfer(
    state: &AppState,
    principal: &Principal,
    order_id: i64,
    bank_reference: &str,
    now: i64,
) -> Result<OrderRecord, Problem> {
    let org = principal.organisation.id;
    let order = find_order(state, org, order_id).await?;
    let detail = serde_json::json!({"method": "bank_transfer", "bank_reference": bank_reference});
    let t = order_transition(&order, OrderEvent::Pay, Some(principal.user.id), detail)?;
    let c = Currency::from_code(&order.currency).map_err(|_| Problem::internal())?;
    let total = Money::from_minor(order.total_minor, c);
    let mut i = PaymentIntent::new(PaymentMethod::BankTransfer, total)?;
    i.receive_transfer(total)?;
    let new = NewPayment {
        seller_id: org,
        order_id,
        method: "bank_transfer".into(),
        status: i.status().as_str().to_owned(),
        currency: order.currency.clone(),
        amount_minor: order.total_minor,
        // One transfer pays an order once; the bank's own reference is in
        // the order's event (banks' references are not unique across
        // sellers).
        provider_reference: format!("tt_{order_id}"),
    };
    state
        .store
        .record_received_payment(&new, "transfer_received", &t, now)
        .await?;
    find_order(state, org, order_id).await
}

/// The order's state change that goes with `event`, when the state machine
/// allows it from the order's state (`Err` otherwise).
fn order_transition(
    order: &OrderRecord,
    event: OrderEvent,
    user_id: Option<i64>,
    detail: serde_json::Value,
) -> Result<OrderTransition<'static>, Problem> {
    let from = OrderState::parse(&order.state).ok_or_else(Problem::internal)?;
    let to = from.apply(event)?;
    Ok(OrderTransition {
        event: event.as_str(),
        from_state: from.as_str(),
        to_state: to.as_str(),
        user_id,
        detail: Some(detail.to_string()),
        holds: match event {
            OrderEvent::Pay => HoldAction::KeepWithoutExpiry,
            // Refunded before it shipped: its stock goes back on sale.
            OrderEvent::Refund if from.holds_stock() => HoldAction::Release,
            _ => HoldAction::Keep,
        },
    })
}

/// Refunds `amount` of the order's captured payment; the order goes to
/// `refunded` when nothing is left to refund.
pub async fn refund(
    state: &AppState,
    principal: &Principal,
    order_id: i64,
    amount: Money,
    now: i64,
) -> Result<PaymentRecord, Problem> {
    let org = principal.organisation.id;
    let order = find_order(state, org, order_id).await?;
    let payments = state.store.order_payments(org, order_id).await?;
    let payment = refundable(&payments)?;
    let mut i = intent(payment)?;
    i.refund(amount)?;
    let order_change = if i.status() == PaymentStatus::Refunded {
        Some(order_transition(
            &order,
            OrderEvent::Refund,
            Some(principal.user.id),
            serde_json::json!({"payment_id": payment.id, "refunded": i.refunded()}),
        )?)
    } else {
        None
    };
    let event_id = format!("refund:{}:{}", payment.id, i.refunded().minor());
    let change = PaymentChange {
        payment_id: payment.id,
        event_id: &event_id,
        kind: "refund",
        before: payment.amounts(),
        after: Some(amounts(&i)),
        amount_minor: Some(amount.minor()),
        order: order_change,
    };
    if state
        .store
        .apply_payment_change(org, order_id, &change, now)
        .await?
        == Applied::Replayed
    {
        return Err(Problem::conflict(
            "state_conflict",
            "payment: changed meanwhile; read it again",
        ));
    }
    state
        .store
        .payment(org, payment.id)
        .await?
        .ok_or_else(|| Problem::not_found("payment"))
}

/// An event of the card provider, as it sends it.
#[derive(Debug, Deserialize)]
pub struct ProviderEvent {
    /// Unique per event (`evt_…`).
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub data: ProviderEventData,
}

#[derive(Debug, Deserialize)]
pub struct ProviderEventData {
    pub object: ProviderObject,
}

/// The intent (or, for `charge.refunded`, the charge) the event is about;
/// amounts in minor units.
#[derive(Debug, Deserialize)]
pub struct ProviderObject {
    pub id: String,
    /// The intent a charge belongs to.
    #[serde(default)]
    pub payment_intent: Option<String>,
    #[serde(default)]
    pub amount_received: Option<i64>,
    /// Everything refunded so far.
    #[serde(default)]
    pub amount_refunded: Option<i64>,
}

/// What a webhook did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookOutcome {
    Applied,
    Replayed,
    /// An event type Chuhai does not act on.
    Ignored,
}

fn webhook_secret(state: &AppState) -> Result<Vec<u8>, Problem> {
    state
        .settings
        .card_webhook_secret
        .clone()
        .or_else(|| std::env::var(WEBHOOK_SECRET_ENV).ok())
        .filter(|s| !s.is_empty())
        .map(String::into_bytes)
        .ok_or_else(|| {
            Problem::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "not_configured",
                format!(
                    "the card provider's webhook secret is not configured ({WEBHOOK_SECRET_ENV})"
                ),
            )
        })
}

fn bad_signature(detail: impl Into<String>) -> Problem {
    let mut p = Problem::new(
        axum::http::StatusCode::BAD_REQUEST,
        "invalid_signature",
        detail,
    );
    p.errors = vec![FieldProblem {
        field: SIGNATURE_HEADER.into(),
        reason: p.detail.clone(),
    }];
    p
}

/// Verifies and applies one webhook of the card provider.
pub async fn webhook(
    state: &AppState,
    signature: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<WebhookOutcome, Problem> {
    let secret = webhook_secret(state)?;
    let header = signature
        .ok_or_else(|| bad_signature(format!("the {SIGNATURE_HEADER} header is missing")))?;
    verify(&secret, header, body, now.div_euclid(1000))
        .map_err(|e| bad_signature(e.to_string()))?;
    let event: ProviderEvent = serde_json::from_slice(body).map_err(|e| {
        Problem::new(
            axum::http::StatusCode::BAD_REQUEST,
            "malformed_event",
            format!("the event is not the provider's JSON: {e}"),
        )
    })?;
    if !matches!(
        event.kind.as_str(),
        "payment_intent.amount_capturable_updated"
            | "payment_intent.succeeded"
            | "payment_intent.payment_failed"
            | "charge.refunded"
    ) {
        return Ok(WebhookOutcome::Ignored);
    }
    if state.store.payment_event_seen(&event.id).await? {
        return Ok(WebhookOutcome::Replayed);
    }
    match apply_event(state, &event, now).await {
        // The same event, delivered concurrently, may have been applied
        // between the check above and this attempt: that is a replay too.
        Err(e) if state.store.payment_event_seen(&event.id).await? => {
            tracing::debug!(event = %event.id, refused = %e.detail, "event applied concurrently");
            Ok(WebhookOutcome::Replayed)
        }
        other => other,
    }
}

async fn apply_event(
    state: &AppState,
    event: &ProviderEvent,
    now: i64,
) -> Result<WebhookOutcome, Problem> {
    let object = &event.data.object;
    let reference = object.payment_intent.as_deref().unwrap_or(&object.id);
    let payment = state
        .store
        .payment_by_reference(reference)
        .await?
        .ok_or_else(|| Problem::not_found("payment"))?;
    let order = state
        .store
        .order(payment.seller_id, payment.order_id)
        .await?
        .ok_or_else(|| Problem::not_found("order"))?;
    let c = currency(&payment)?;
    let mut i = intent(&payment)?;
    let detail = serde_json::json!({
        "method": "card", "payment_id": payment.id,
        "provider_reference": payment.provider_reference, "provider_event_id": event.id,
    });
    let mut moved = None;
    let mut order_change = None;
    let mut changed = true;
    match event.kind.as_str() {
        "payment_intent.amount_capturable_updated" => i.authorise()?,
        "payment_intent.payment_failed" => i.fail()?,
        "payment_intent.succeeded" => {
            if matches!(
                i.status(),
                PaymentStatus::RequiresConfirmation | PaymentStatus::Failed
            ) {
                // Captured at once (automatic capture): authorised first.
                i.authorise()?;
            }
            let received = object.amount_received.unwrap_or(i.authorised().minor());
            i.capture(Money::from_minor(received, c))
                .map_err(|e| prefixed(e, "data.object.amount_received"))?;
            moved = Some(received);
            order_change = Some(order_transition(&order, OrderEvent::Pay, None, detail)?);
        }
        _ => {
            // charge.refunded: `amount_refunded` is the total so far; a
            // refund asked here is already counted.
            let total = object.amount_refunded.ok_or_else(|| {
                Problem::field(
                    "data.object.amount_refunded",
                    "give the amount refunded so far",
                )
            })?;
            let delta = total - i.refunded().minor();
            if delta > 0 {
                i.refund(Money::from_minor(delta, c))
                    .map_err(|e| prefixed(e, "data.object.amount_refunded"))?;
                moved = Some(delta);
                if i.status() == PaymentStatus::Refunded {
                    // The money is back with the buyer whatever the order's
                    // state; the order follows only where that is legal.
                    order_change = order_transition(&order, OrderEvent::Refund, None, detail).ok();
                }
            } else {
                changed = false;
            }
        }
    }
    let change = PaymentChange {
        payment_id: payment.id,
        event_id: &event.id,
        kind: &event.kind,
        before: payment.amounts(),
        after: changed.then(|| amounts(&i)),
        amount_minor: moved,
        order: order_change,
    };
    Ok(
        match state
            .store
            .apply_payment_change(payment.seller_id, payment.order_id, &change, now)
            .await?
        {
            Applied::Applied => WebhookOutcome::Applied,
            Applied::Replayed => WebhookOutcome::Replayed,
        },
    )
}

fn prefixed(e: PaymentError, field: &str) -> Problem {
    match e {
        PaymentError::Invalid { reason, .. } => Problem::field(field, reason),
        other => other.into(),
    }
}
