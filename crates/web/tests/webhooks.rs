//! Webhooks out, on SQLite and PostgreSQL: a seller's subscribed receiver
//! gets `order.created` and `order.paid`, signed so that
//! `chuhai_domain::payments::verify` accepts them with the subscription's
//! secret; a receiver answering 500 is tried again on the retry schedule
//! (the worker's clock is passed in, so no waiting) until it answers 2xx;
//! another seller's receiver gets nothing; a bad URL answers 422 naming
//! `url`.

mod common;

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use chuhai_domain::payments::verify;
use chuhai_domain::webhooks::DEFAULT_RETRY;
use chuhai_web::services::webhooks::{client, deliver_due};
use common::{cart, expect_problem, post_ok, shop, TestApp};
use serde_json::{json, Value};

/// What a receiver got: (Chuhai-Signature, Chuhai-Event-Id, body).
type Got = Arc<Mutex<Vec<(String, String, String)>>>;

/// A receiver on 127.0.0.1 answering `status` (changeable); returns its URL.
async fn receiver(status: Arc<AtomicU16>) -> (String, Got) {
    let got: Got = Arc::default();
    let sink = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let sink = sink.clone();
            let status = status.clone();
            async move {
                let h = |n: &str| {
                    headers
                        .get(n)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_owned()
                };
                sink.lock()
                    .unwrap()
                    .push((h("chuhai-signature"), h("chuhai-event-id"), body));
                StatusCode::from_u16(status.load(Ordering::SeqCst)).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hook"), got)
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// A seller with the lamp AUR-1 in stock; returns (token, cart id).
async fn seller_with_cart(app: &TestApp, slug: &str) -> (String, i64) {
    let (t, _, market) = shop(app, slug, 10).await;
    let c = post_ok(app, "/api/v1/carts", &t.token, &cart(market, 2), 201).await;
    (t.token, c["id"].as_i64().unwrap())
}

async fn subscribe(app: &TestApp, token: &str, url: &str, events: &[&str]) -> Value {
    post_ok(
        app,
        "/api/v1/webhooks/subscriptions",
        token,
        &json!({"url": url, "events": events}),
        201,
    )
    .await
}

async fn deliveries(app: &TestApp, token: &str) -> Vec<Value> {
    let v: Value = app
        .get("/api/v1/webhooks/deliveries", token)
        .await
        .json()
        .await
        .unwrap();
    v.as_array().unwrap().clone()
}

async fn signed_retried_and_isolated(app: TestApp) -> TestApp {
    let ok = Arc::new(AtomicU16::new(200));
    let down = Arc::new(AtomicU16::new(500));
    let other = Arc::new(AtomicU16::new(200));
    let (ok_url, ok_got) = receiver(ok.clone()).await;
    let (down_url, down_got) = receiver(down.clone()).await;
    let (other_url, other_got) = receiver(other.clone()).await;

    let (token, cart) = seller_with_cart(&app, "lumi").await;
    let (b_token, _) = seller_with_cart(&app, "other").await;

    // A bad URL is refused, naming it.
    let res = app
        .post_json(
            "/api/v1/webhooks/subscriptions",
            Some(&token),
            &json!({"url": "ftp://example.com/hook", "events": ["order.paid"]}),
        )
        .await;
    let p = expect_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "url", "{p}");
    let res = app
        .post_json(
            "/api/v1/webhooks/subscriptions",
            Some(&token),
            &json!({"url": "https://example.com/hook", "events": ["order.teleported"]}),
        )
        .await;
    let p = expect_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "events[0]", "{p}");

    let sub = subscribe(&app, &token, &ok_url, &["order.created", "order.paid"]).await;
    let secret = sub["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{sub}");
    let down_sub = subscribe(&app, &token, &down_url, &["order.created"]).await;
    subscribe(
        &app,
        &b_token,
        &other_url,
        &["order.created", "order.paid", "order.cancelled"],
    )
    .await;
    // The secret is shown once: the listing leaves it out.
    let list: Value = app
        .get("/api/v1/webhooks/subscriptions", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert!(list[0].get("secret").is_none(), "{list}");

    // Checkout and a bank transfer: order.created then order.paid.
    let order = post_ok(
        &app,
        &format!("/api/v1/carts/{cart}/checkout"),
        &token,
        &json!({}),
        201,
    )
    .await;
    let id = order["id"].as_i64().unwrap();
    post_ok(
        &app,
        &format!("/api/v1/orders/{id}/bank-transfer-confirmations"),
        &token,
        &json!({"bank_reference": "TT-1"}),
        200,
    )
    .await;

    let http = client();
    let t0 = now_ms();
    assert_eq!(
        deliver_due(&app.store, &http, &DEFAULT_RETRY, t0)
            .await
            .unwrap(),
        3
    );
    // Nothing more is due right away.
    assert_eq!(
        deliver_due(&app.store, &http, &DEFAULT_RETRY, t0)
            .await
            .unwrap(),
        0
    );
    {
        let got = ok_got.lock().unwrap();
        assert_eq!(got.len(), 2);
        let mut kinds = Vec::new();
        for (signature, event_id, body) in got.iter() {
            verify(secret.as_bytes(), signature, body.as_bytes(), t0 / 1000)
                .unwrap_or_else(|e| panic!("{signature}: {e:?}"));
            // Signed with another secret, it would not verify.
            assert!(verify(b"whsec_wrong", signature, body.as_bytes(), t0 / 1000).is_err());
            let v: Value = serde_json::from_str(body).unwrap();
            assert_eq!(&v["id"], event_id);
            assert_eq!(v["data"]["order_id"], id);
            kinds.push(v["type"].as_str().unwrap().to_owned());
        }
        kinds.sort();
        assert_eq!(kinds, ["order.created", "order.paid"]);
    }
    assert!(other_got.lock().unwrap().is_empty());
    assert!(deliveries(&app, &b_token).await.is_empty());

    // The receiver that answered 500 is tried again after the first wait.
    assert_eq!(down_got.lock().unwrap().len(), 1);
    let failing = |ds: &[Value]| {
        ds.iter()
            .find(|d| d["subscription_id"] == down_sub["id"])
            .unwrap()
            .clone()
    };
    let d = failing(&deliveries(&app, &token).await);
    assert_eq!(d["status"], "pending", "{d}");
    assert_eq!(d["attempts"], 1);
    assert_eq!(d["last_status_code"], 500);
    // Not before the first wait (30 s) ...
    assert_eq!(
        deliver_due(&app.store, &http, &DEFAULT_RETRY, t0 + 29_000)
            .await
            .unwrap(),
        0
    );
    // ... and once it has passed (30 s plus at most 10 %).
    assert_eq!(
        deliver_due(&app.store, &http, &DEFAULT_RETRY, t0 + 34_000)
            .await
            .unwrap(),
        1
    );
    assert_eq!(down_got.lock().unwrap().len(), 2);
    let d = failing(&deliveries(&app, &token).await);
    assert_eq!(
        (d["status"].as_str(), d["attempts"].as_i64()),
        (Some("pending"), Some(2))
    );
    // The endpoint recovers: the next attempt (60–66 s later) delivers,
    // with the same event id.
    down.store(204, Ordering::SeqCst);
    assert_eq!(
        deliver_due(&app.store, &http, &DEFAULT_RETRY, t0 + 34_000 + 67_000)
            .await
            .unwrap(),
        1
    );
    let d = failing(&deliveries(&app, &token).await);
    assert_eq!(d["status"], "delivered", "{d}");
    assert_eq!(d["attempts"], 3);
    assert_eq!(d["last_status_code"], 204);
    {
        let got = down_got.lock().unwrap();
        assert_eq!(got.len(), 3);
        assert!(got.iter().all(|(_, e, _)| *e == got[0].1));
    }
    assert!(deliveries(&app, &token)
        .await
        .iter()
        .all(|d| d["status"] == "delivered"));

    // A deleted subscription gets nothing more; another seller cannot
    // delete it.
    let path = format!("/api/v1/webhooks/subscriptions/{}", sub["id"]);
    let res = app
        .client
        .delete(app.url(&path))
        .bearer_auth(&b_token)
        .send()
        .await
        .unwrap();
    expect_problem(res, 404, "not_found").await;
    let res = app
        .client
        .delete(app.url(&path))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    post_ok(
        &app,
        &format!("/api/v1/orders/{id}/cancel"),
        &token,
        &json!({}),
        200,
    )
    .await;
    assert_eq!(
        deliver_due(&app.store, &http, &DEFAULT_RETRY, now_ms())
            .await
            .unwrap(),
        0
    );
    assert_eq!(ok_got.lock().unwrap().len(), 2);
    app
}

on_both_backends!(
    #[tokio::test]
    signed_retried_and_isolated: webhooks_on_sqlite, webhooks_on_postgres
);
