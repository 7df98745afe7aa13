//! Card payments through the card provider's webhook, on SQLite and
//! PostgreSQL: a correctly signed `payment_intent.succeeded` pays the
//! order; a wrong signature, a stale timestamp or a tampered body answer
//! 400 and change nothing; a replayed event id changes nothing; refunds
//! partial then full take the order to `refunded`; a refund beyond what is
//! left is refused naming `amount`.

mod common;

use chuhai_domain::payments::sign;
use common::{cart, expect_problem, post_ok, shop, TestApp, CARD_WEBHOOK_SECRET};
use serde_json::{json, Value};

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A seller with the lamp AUR-1 in stock and a placed order of 2 of it;
/// returns (token, order).
async fn placed_order(app: &TestApp) -> (String, Value) {
    let (t, _, market) = shop(app, "lumi", 10).await;
    let c = post_ok(app, "/api/v1/carts", &t.token, &cart(market, 2), 201).await;
    let o = post_ok(
        app,
        &format!("/api/v1/carts/{}/checkout", c["id"]),
        &t.token,
        &json!({}),
        201,
    )
    .await;
    (t.token, o)
}

fn minor(v: &Value) -> i64 {
    v["amount"]
        .as_str()
        .unwrap()
        .replace('.', "")
        .parse()
        .unwrap()
}

fn money(minor: i64, currency: &str) -> Value {
    json!({"amount": format!("{}.{:02}", minor / 100, minor % 100), "currency": currency})
}

fn event(id: &str, kind: &str, object: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({"id": id, "type": kind, "data": {"object": object}})).unwrap()
}

async fn deliver(app: &TestApp, signature: &str, body: &[u8]) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/payments/card-provider/webhooks"))
        .header("Chuhai-Signature", signature)
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .unwrap()
}

async fn signed(app: &TestApp, body: &[u8]) -> reqwest::Response {
    deliver(
        app,
        &sign(CARD_WEBHOOK_SECRET.as_bytes(), now_secs(), body),
        body,
    )
    .await
}

async fn order_state(app: &TestApp, token: &str, id: i64) -> String {
    let o: Value = app
        .get(&format!("/api/v1/orders/{id}"), token)
        .await
        .json()
        .await
        .unwrap();
    o["state"].as_str().unwrap().to_owned()
}

async fn payments_and_refunds(app: TestApp) -> TestApp {
    let (token, order) = placed_order(&app).await;
    let id = order["id"].as_i64().unwrap();
    let total = minor(&order["total"]);
    let currency = order["total"]["currency"].as_str().unwrap().to_owned();
    let p = post_ok(
        &app,
        &format!("/api/v1/orders/{id}/payments"),
        &token,
        &json!({"method": "card"}),
        201,
    )
    .await;
    assert_eq!(p["status"], "requires_confirmation");
    assert_eq!(p["amount"], order["total"]);
    let pi = p["provider_reference"].as_str().unwrap().to_owned();
    assert!(pi.starts_with("pi_"), "{p}");

    // Bad signatures: nothing changes.
    let succeeded = event(
        "evt_2",
        "payment_intent.succeeded",
        json!({"id": pi, "amount_received": total}),
    );
    let wrong = sign(b"not the secret", now_secs(), &succeeded);
    let res = expect_problem(
        deliver(&app, &wrong, &succeeded).await,
        400,
        "invalid_signature",
    )
    .await;
    assert!(
        res["detail"].as_str().unwrap().contains("does not match"),
        "{res}"
    );
    let stale = sign(CARD_WEBHOOK_SECRET.as_bytes(), now_secs() - 301, &succeeded);
    let res = expect_problem(
        deliver(&app, &stale, &succeeded).await,
        400,
        "invalid_signature",
    )
    .await;
    assert!(
        res["detail"].as_str().unwrap().contains("tolerated"),
        "{res}"
    );
    let good = sign(CARD_WEBHOOK_SECRET.as_bytes(), now_secs(), &succeeded);
    let tampered = event(
        "evt_2",
        "payment_intent.succeeded",
        json!({"id": pi, "amount_received": total - 1}),
    );
    expect_problem(
        deliver(&app, &good, &tampered).await,
        400,
        "invalid_signature",
    )
    .await;
    expect_problem(
        app.client
            .post(app.url("/api/v1/payments/card-provider/webhooks"))
            .body(succeeded.clone())
            .send()
            .await
            .unwrap(),
        400,
        "invalid_signature",
    )
    .await;
    assert_eq!(order_state(&app, &token, id).await, "placed");

    // An unknown payment is 404.
    let unknown = event(
        "evt_x",
        "payment_intent.succeeded",
        json!({"id": "pi_unknown", "amount_received": total}),
    );
    expect_problem(signed(&app, &unknown).await, 404, "not_found").await;

    // Authorised, then captured: the order is paid.
    let authorised = event(
        "evt_1",
        "payment_intent.amount_capturable_updated",
        json!({"id": pi}),
    );
    let r: Value = signed(&app, &authorised).await.json().await.unwrap();
    assert_eq!(r["outcome"], "applied");
    let res = deliver(&app, &good, &succeeded).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["outcome"], "applied");
    assert_eq!(order_state(&app, &token, id).await, "allocated");

    // A replay (same event id, newly signed) changes nothing.
    let res = signed(&app, &succeeded).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["outcome"], "replayed");
    let list: Value = app
        .get(&format!("/api/v1/orders/{id}/payments"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["status"], "succeeded");
    assert_eq!(minor(&list[0]["captured"]), total);
    let full: Value = app
        .get(&format!("/api/v1/orders/{id}"), &token)
        .await
        .json()
        .await
        .unwrap();
    let events: Vec<&str> = full["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["place", "pay", "allocate"]);
    assert_eq!(
        full["timeline"][1]["detail"]["provider_reference"],
        pi.as_str()
    );

    // Refunds: partial, beyond what is left (422), then the rest.
    let refunds = format!("/api/v1/orders/{id}/refunds");
    let part = post_ok(
        &app,
        &refunds,
        &token,
        &json!({"amount": money(1000, &currency)}),
        201,
    )
    .await;
    assert_eq!(part["status"], "partially_refunded");
    assert_eq!(minor(&part["refunded"]), 1000);
    assert_eq!(order_state(&app, &token, id).await, "allocated");
    let res = app
        .post_json(
            &refunds,
            Some(&token),
            &json!({"amount": money(total - 1000 + 1, &currency)}),
        )
        .await;
    let p = expect_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "amount");
    let rest = post_ok(
        &app,
        &refunds,
        &token,
        &json!({"amount": money(total - 1000, &currency)}),
        201,
    )
    .await;
    assert_eq!(rest["status"], "refunded");
    assert_eq!(minor(&rest["refunded"]), total);
    assert_eq!(order_state(&app, &token, id).await, "refunded");
    // The provider's charge.refunded for what was refunded here changes
    // nothing more.
    let refunded = event(
        "evt_3",
        "charge.refunded",
        json!({"id": "ch_1", "payment_intent": pi, "amount_refunded": total}),
    );
    assert_eq!(signed(&app, &refunded).await.status(), 200);
    let list: Value = app
        .get(&format!("/api/v1/orders/{id}/payments"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(minor(&list[0]["refunded"]), total);
    // Nothing is left to refund.
    let res = app
        .post_json(
            &refunds,
            Some(&token),
            &json!({"amount": money(1, &currency)}),
        )
        .await;
    expect_problem(res, 409, "payment_state").await;
    app
}

/// A declined card can be tried again; concurrent deliveries of one
/// event apply it once; malformed and unhandled events change nothing.
async fn declines_and_concurrent_replays(app: TestApp) -> TestApp {
    let (token, order) = placed_order(&app).await;
    let id = order["id"].as_i64().unwrap();
    let total = minor(&order["total"]);
    let p = post_ok(
        &app,
        &format!("/api/v1/orders/{id}/payments"),
        &token,
        &json!({"method": "card"}),
        201,
    )
    .await;
    let pi = p["provider_reference"].as_str().unwrap().to_owned();
    let failed = event("evt_f", "payment_intent.payment_failed", json!({"id": pi}));
    assert_eq!(signed(&app, &failed).await.status(), 200);
    let list: Value = app
        .get(&format!("/api/v1/orders/{id}/payments"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["status"], "failed");
    assert_eq!(order_state(&app, &token, id).await, "placed");
    // Not the provider's JSON, though signed: 400, nothing changes.
    let res = signed(&app, b"{\"id\": 1}").await;
    expect_problem(res, 400, "malformed_event").await;
    // A type Chuhai does not act on.
    let other = event("evt_o", "customer.created", json!({"id": "cus_1"}));
    let r: Value = signed(&app, &other).await.json().await.unwrap();
    assert_eq!(r["outcome"], "ignored");
    // The buyer tries again and the provider captures at once; the same
    // event arrives 8 times concurrently: applied once.
    let succeeded = event(
        "evt_s",
        "payment_intent.succeeded",
        json!({"id": pi, "amount_received": total}),
    );
    let app = std::sync::Arc::new(app);
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let app = app.clone();
            let body = succeeded.clone();
            tokio::spawn(async move {
                let res = signed(&app, &body).await;
                assert_eq!(res.status(), 200);
                res.json::<Value>().await.unwrap()["outcome"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
        })
        .collect();
    let mut applied = 0;
    for t in tasks {
        if t.await.unwrap() == "applied" {
            applied += 1;
        }
    }
    assert_eq!(applied, 1);
    assert_eq!(order_state(&app, &token, id).await, "allocated");
    let full: Value = app
        .get(&format!("/api/v1/orders/{id}"), &token)
        .await
        .json()
        .await
        .unwrap();
    // Placed, paid once, allocated.
    assert_eq!(full["timeline"].as_array().unwrap().len(), 3);
    // A new intent for a paid order is refused.
    let res = app
        .post_json(
            &format!("/api/v1/orders/{id}/payments"),
            Some(&token),
            &json!({"method": "card"}),
        )
        .await;
    expect_problem(res, 409, "illegal_transition").await;
    std::sync::Arc::try_unwrap(app).unwrap_or_else(|_| panic!("app still shared"))
}

on_both_backends!(
    #[tokio::test]
    declines_and_concurrent_replays: declines_and_concurrent_replays_on_sqlite, declines_and_concurrent_replays_on_postgres
);

/// An order paid by bank transfer is refunded in full.
async fn bank_transfer_refunds(app: TestApp) -> TestApp {
    let (token, order) = placed_order(&app).await;
    let id = order["id"].as_i64().unwrap();
    let paid = post_ok(
        &app,
        &format!("/api/v1/orders/{id}/bank-transfer-confirmations"),
        &token,
        &json!({"bank_reference": "TT-2026-009"}),
        200,
    )
    .await;
    assert_eq!(paid["state"], "allocated");
    let list: Value = app
        .get(&format!("/api/v1/orders/{id}/payments"), &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["method"], "bank_transfer");
    assert_eq!(list[0]["status"], "succeeded");
    assert_eq!(list[0]["captured"], order["total"]);
    let refunded = post_ok(
        &app,
        &format!("/api/v1/orders/{id}/refunds"),
        &token,
        &json!({"amount": order["total"]}),
        201,
    )
    .await;
    assert_eq!(refunded["status"], "refunded");
    assert_eq!(order_state(&app, &token, id).await, "refunded");
    app
}

on_both_backends!(
    #[tokio::test]
    bank_transfer_refunds: bank_transfer_refunds_on_sqlite, bank_transfer_refunds_on_postgres
);

on_both_backends!(
    #[tokio::test]
    payments_and_refunds: card_payments_and_refunds_on_sqlite, card_payments_and_refunds_on_postgres
);
