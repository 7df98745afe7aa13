//! Carts, checkout and orders over HTTP: pricing with the landed cost,
//! the refusals that name their field and change nothing, idempotent
//! checkout, the order state machine with its timeline, and the flash sale
//! (2,000 concurrent checkouts for 100 units) on SQLite and PostgreSQL,
//! and the export shipment an order page links.

mod common;

use std::sync::Arc;

use common::{
    address, b2c_de, cart, console_page, console_session, expect_problem, load_export_hs, post_ok,
    shop, TestApp,
};
use serde_json::{json, Value};

async fn checkout(app: &TestApp, token: &str, cart: i64, key: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/carts/{cart}/checkout")))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(&json!({}))
        .send()
        .await
        .unwrap()
}

/// Checks out a new cart of `quantity` AUR-1 in `market`: the order placed.
async fn placed_order(app: &TestApp, token: &str, market: i64, quantity: i64) -> Value {
    let c = post_ok(app, "/api/v1/carts", token, &cart(market, quantity), 201).await;
    checkout(app, token, c["id"].as_i64().unwrap(), "k")
        .await
        .json()
        .await
        .unwrap()
}

/// `GET /api/v1/orders/{id}`.
async fn get_order(app: &TestApp, token: &str, id: i64) -> Value {
    let res = app.get(&format!("/api/v1/orders/{id}"), token).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn available(app: &TestApp, token: &str) -> i64 {
    let v: Value = app
        .get("/api/v1/stock?sku=AUR-1", token)
        .await
        .json()
        .await
        .unwrap();
    v["totals"]["available"].as_i64().unwrap()
}

fn minor(v: &Value) -> i64 {
    let s = v["amount"].as_str().unwrap().replace('.', "");
    s.parse().unwrap()
}

#[tokio::test]
async fn a_cart_is_priced_with_landed_cost_and_checks_out_once() {
    let app = TestApp::spawn().await;
    let (t, _, market) = shop(&app, "lumi", 10).await;
    let c = post_ok(&app, "/api/v1/carts", &t.token, &cart(market, 2), 201).await;
    assert_eq!(c["currency"], "USD");
    assert_eq!(c["incoterm"], "DDP");
    assert_eq!(c["lines"][0]["quantity"], 2);
    // Routed from the seller's China origin warehouse by air parcel (direct
    // mail, customs mode 9610): 2 × 1,450 g = 2,900 g, billed as the first
    // 500 g and 5 started steps of 500 g: CNY 48.00 + 5 × 9.50 = CNY 95.50.
    let package = &c["shipping"]["packages"][0];
    assert_eq!(package["warehouse_code"], "SZX-LUMI", "{c}");
    assert_eq!(package["service"], "CN-AIRPARCEL");
    assert_eq!(package["zone"], "US-1");
    assert_eq!(package["customs_mode"], "9610");
    assert_eq!(package["chargeable_weight_g"], 2900);
    assert_eq!(package["billed_weight_g"], 3000);
    // Transit 7–12 days plus a handling day once the warehouse's 14:00
    // cut-off (UTC−8) has passed.
    let now_min = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        / 60;
    let handling = i64::from((now_min - 480).rem_euclid(1440) >= 14 * 60);
    assert_eq!(
        package["estimate_days"],
        json!({"min": 7 + handling, "max": 12 + handling})
    );
    assert_eq!(c["shipping"]["price"], c["totals"]["shipping"]);
    assert_eq!(c["shipping"]["price"]["currency"], "USD");
    assert!(c["landed_cost"]["items"].is_array(), "{c}");
    let totals = &c["totals"];
    // Lines and shipping sum exactly to the total, in USD and in CNY.
    let line = &totals["lines"][0];
    assert_eq!(
        minor(&line["total"]) + minor(&totals["shipping"]),
        minor(&totals["total"])
    );
    assert_eq!(
        minor(&line["goods"]) + minor(&line["import_charges"]),
        minor(&line["total"])
    );
    assert!(minor(&line["import_charges"]) > 0, "DDP includes duty: {c}");
    assert_eq!(
        minor(&line["total_cny"]) + minor(&totals["shipping_cny"]),
        minor(&totals["total_cny"])
    );
    let id = c["id"].as_i64().unwrap();

    let res = checkout(&app, &t.token, id, "k-1").await;
    assert_eq!(res.status(), 201);
    let first: Value = res.json().await.unwrap();
    assert_eq!(first["number"], "SO-000001");
    assert_eq!(first["state"], "placed");
    assert_eq!(first["total"], totals["total"]);
    assert_eq!(available(&app, &t.token).await, 8);
    // A retry with the same key answers the same order.
    let again: Value = checkout(&app, &t.token, id, "k-1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["id"], first["id"]);
    // Another key cannot check the cart out twice; nothing more is held.
    expect_problem(
        checkout(&app, &t.token, id, "k-2").await,
        409,
        "state_conflict",
    )
    .await;
    assert_eq!(available(&app, &t.token).await, 8);
    let list: Value = app
        .get("/api/v1/orders", &t.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    // The cart cannot change any more.
    let res = app
        .client
        .put(app.url(&format!("/api/v1/carts/{id}/lines")))
        .bearer_auth(&t.token)
        .json(&json!({"sku": "AUR-1", "quantity": 3}))
        .send()
        .await
        .unwrap();
    expect_problem(res, 409, "state_conflict").await;
}

#[tokio::test]
async fn orders_move_through_the_state_machine_with_a_timeline() {
    let app = TestApp::spawn().await;
    let (t, _, market) = shop(&app, "lumi", 10).await;
    let o = placed_order(&app, &t.token, market, 3).await;
    let id = o["id"].as_i64().unwrap();
    let paid = post_ok(
        &app,
        &format!("/api/v1/orders/{id}/bank-transfer-confirmations"),
        &t.token,
        &json!({"bank_reference": "TT-2026-001"}),
        200,
    )
    .await;
    // Paid, and allocated at once: its warehouses were chosen at checkout.
    assert_eq!(paid["state"], "allocated");
    // Paying twice is an illegal transition naming the current state.
    let res = app
        .post_json(
            &format!("/api/v1/orders/{id}/bank-transfer-confirmations"),
            Some(&t.token),
            &json!({"bank_reference": "TT-2026-001"}),
        )
        .await;
    let p = expect_problem(res, 409, "illegal_transition").await;
    assert_eq!(p["errors"][0]["field"], "state");
    assert!(p["errors"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("allocated"));
    assert_eq!(available(&app, &t.token).await, 7);
    let cancelled = post_ok(
        &app,
        &format!("/api/v1/orders/{id}/cancel"),
        &t.token,
        &json!({"reason": "buyer asked"}),
        200,
    )
    .await;
    assert_eq!(cancelled["state"], "cancelled");
    // Cancelling released the hold.
    assert_eq!(available(&app, &t.token).await, 10);
    let res = app
        .post_json(
            &format!("/api/v1/orders/{id}/cancel"),
            Some(&t.token),
            &json!({}),
        )
        .await;
    expect_problem(res, 409, "illegal_transition").await;
    let full: Value = get_order(&app, &t.token, id).await;
    let events: Vec<&str> = full["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["place", "pay", "allocate", "cancel"]);
    assert_eq!(full["timeline"][1]["user_id"], t.user_id);
    assert_eq!(
        full["timeline"][1]["detail"]["bank_reference"],
        "TT-2026-001"
    );
    assert!(app.store.verify_inventory().await.unwrap().is_clean());
}

#[tokio::test]
async fn bad_carts_are_refused_naming_the_field_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let (t, variant, market) = shop(&app, "lumi", 10).await;
    // Sold in packs of 6 from 12 units.
    app.client
        .put(app.url(&format!("/api/v1/variants/{variant}/order-rules")))
        .bearer_auth(&t.token)
        .json(&json!({"moq": 12, "pack_size": 6, "increment": 6}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let p = expect_problem(
        app.post_json("/api/v1/carts", Some(&t.token), &cart(market, 6))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "lines[0].quantity", "{p}");
    let p = expect_problem(
        app.post_json("/api/v1/carts", Some(&t.token), &cart(market, 15))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "lines[0].quantity", "{p}");
    // No postal code for a US address.
    let mut body = cart(market, 12);
    body["address"]["postal_code"] = Value::Null;
    let p = expect_problem(
        app.post_json("/api/v1/carts", Some(&t.token), &body).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "address.postal_code");
    // A destination the market does not sell to.
    let mut body = cart(market, 12);
    body["address"]["country"] = json!("DE");
    let p = expect_problem(
        app.post_json("/api/v1/carts", Some(&t.token), &body).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "address.country");
    let list: Value = app
        .get("/api/v1/orders", &t.token)
        .await
        .json()
        .await
        .unwrap();
    assert!(list["items"].as_array().unwrap().is_empty());
    // An empty cart, and a cart without an address, cannot check out.
    let empty = post_ok(
        &app,
        "/api/v1/carts",
        &t.token,
        &json!({"market_id": market, "address": address()}),
        201,
    )
    .await;
    let p = expect_problem(
        checkout(&app, &t.token, empty["id"].as_i64().unwrap(), "e").await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "lines");
    let bare = post_ok(
        &app,
        "/api/v1/carts",
        &t.token,
        &json!({"market_id": market, "lines": [{"sku": "AUR-1", "quantity": 12}]}),
        201,
    )
    .await;
    let p = expect_problem(
        checkout(&app, &t.token, bare["id"].as_i64().unwrap(), "b").await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "address");
    // More than the stock: refused, nothing held.
    let big = post_ok(&app, "/api/v1/carts", &t.token, &cart(market, 12), 201).await;
    expect_problem(
        checkout(&app, &t.token, big["id"].as_i64().unwrap(), "g").await,
        409,
        "insufficient_stock",
    )
    .await;
    assert_eq!(available(&app, &t.token).await, 10);
    let list: Value = app
        .get("/api/v1/orders", &t.token)
        .await
        .json()
        .await
        .unwrap();
    assert!(list["items"].as_array().unwrap().is_empty());
}

/// 2,000 buyers check out one unit each of a SKU with 100 units, all at
/// once: exactly 100 orders, numbered 1 to 100 without gaps, all paid;
/// nothing oversold; the ledger verifies.
async fn flash_sale(app: TestApp) -> Arc<TestApp> {
    const BUYERS: usize = 2_000;
    const UNITS: i64 = 100;
    let (t, _, market) = shop(&app, "flash", UNITS).await;
    let app = Arc::new(app);
    let token = Arc::new(t.token.clone());
    // Carts first, a few at a time.
    let mut carts = Vec::with_capacity(BUYERS);
    for chunk in (0..BUYERS).collect::<Vec<_>>().chunks(100) {
        let mut tasks = Vec::new();
        for _ in chunk {
            let (app, token) = (app.clone(), token.clone());
            tasks.push(tokio::spawn(async move {
                post_ok(&app, "/api/v1/carts", &token, &cart(market, 1), 201).await["id"]
                    .as_i64()
                    .unwrap()
            }));
        }
        for task in tasks {
            carts.push(task.await.unwrap());
        }
    }
    let started = std::time::Instant::now();
    let mut tasks = Vec::with_capacity(BUYERS);
    for (i, id) in carts.iter().copied().enumerate() {
        let (app, token) = (app.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let res = checkout(&app, &token, id, &format!("flash-{i}")).await;
            let status = res.status().as_u16();
            let body: Value = res.json().await.unwrap();
            (status, body)
        }));
    }
    let mut placed = Vec::new();
    for task in tasks {
        let (status, body) = task.await.unwrap();
        match status {
            201 => placed.push(body["id"].as_i64().unwrap()),
            409 => assert_eq!(body["code"], "insufficient_stock", "{body}"),
            other => panic!("checkout answered {other}: {body}"),
        }
    }
    eprintln!("{BUYERS} checkouts in {:?}", started.elapsed());
    assert_eq!(placed.len(), UNITS as usize);
    for id in &placed {
        post_ok(
            &app,
            &format!("/api/v1/orders/{id}/bank-transfer-confirmations"),
            &token,
            &json!({"bank_reference": format!("TT-{id}")}),
            200,
        )
        .await;
    }
    let mut numbers = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/orders?limit=200&cursor={c}"),
            None => "/api/v1/orders?limit=200".to_owned(),
        };
        let page: Value = app.get(&path, &token).await.json().await.unwrap();
        for o in page["items"].as_array().unwrap() {
            assert_eq!(o["state"], "allocated");
            numbers.push(o["number"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    numbers.sort();
    let expected: Vec<String> = (1..=UNITS).map(|n| format!("SO-{n:06}")).collect();
    assert_eq!(numbers, expected);
    assert_eq!(available(&app, &token).await, 0);
    let report = app.store.verify_inventory().await.unwrap();
    assert!(report.is_clean(), "{report:?}");
    app
}

on_both_backends!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    flash_sale: flash_sale_never_oversells_on_sqlite, flash_sale_never_oversells_on_postgres
);

#[tokio::test]
async fn an_unpaid_order_is_cancelled_when_its_checkout_hold_lapses() {
    let app = TestApp::spawn().await;
    let (t, _, market) = shop(&app, "lumi", 10).await;
    let o = placed_order(&app, &t.token, market, 3).await;
    let id = o["id"].as_i64().unwrap();
    assert_eq!(available(&app, &t.token).await, 7);
    let now = chuhai_web::time::now_millis();
    // Not yet lapsed: nothing happens.
    assert_eq!(app.store.cancel_lapsed_orders(now, 100).await.unwrap(), 0);
    // 30 minutes later the hold has lapsed: the order is cancelled, its
    // units are back on sale and its parcel will not ship.
    let later = now + 31 * 60 * 1000;
    assert_eq!(app.store.cancel_lapsed_orders(later, 100).await.unwrap(), 1);
    assert_eq!(app.store.cancel_lapsed_orders(later, 100).await.unwrap(), 0);
    let full: Value = get_order(&app, &t.token, id).await;
    assert_eq!(full["state"], "cancelled");
    assert_eq!(full["timeline"][1]["event"], "cancel");
    assert_eq!(
        full["timeline"][1]["detail"]["reason"],
        "the checkout hold lapsed before payment"
    );
    assert_eq!(available(&app, &t.token).await, 10);
    let shipments: Value = app
        .get(&format!("/api/v1/orders/{id}/shipments"), &t.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shipments[0]["status"], "cancelled");
    assert!(app.store.verify_inventory().await.unwrap().is_clean());
}

/// The order page links the CEB messages and trade documents of the
/// export shipment recorded under the order's number — the seller's own,
/// never another seller's with the same number — and says when there is
/// none, asking for a 9610 declaration when a parcel ships direct from
/// China. `GET /api/v1/orders/{id}` lists the same shipment.
async fn the_order_links_its_customs_documents(app: TestApp) -> TestApp {
    let (t, _, market) = shop(&app, "lumi", 10).await;
    load_export_hs(&app).await;
    let o = placed_order(&app, &t.token, market, 1).await;
    let id = o["id"].as_i64().unwrap();
    let number = o["number"].as_str().unwrap().to_owned();
    let path = format!("/console/orders/{id}");
    let session = console_session(&app, &t.email).await;

    // None recorded yet; the parcel leaves Shenzhen by air parcel (9610).
    let (status, html) = console_page(&app, &session, &path, "en").await;
    assert_eq!(status, 200);
    assert!(html.contains("Customs and trade documents"), "{html}");
    assert!(
        html.contains("No export shipment is recorded for this order."),
        "{html}"
    );
    assert!(
        html.contains("it needs a 9610 export declaration.")
            && html.contains("<a href=\"/console/customs\">"),
        "{html}"
    );
    assert!(!html.contains("/console/customs/shipments/"), "{html}");
    let (_, html) = console_page(&app, &session, &path, "zh-CN").await;
    assert!(
        html.contains("报关与贸易单证") && html.contains("此订单尚未录入出口货物。"),
        "{html}"
    );
    let view: Value = get_order(&app, &t.token, id).await;
    assert_eq!(view["export_shipments"], json!([]));

    // Another seller's shipment under the same number is not this order's.
    let mut body = b2c_de();
    body["shipment"]["order"]["order_no"] = json!(number);
    let other = app.tenant("other").await;
    let theirs = post_ok(&app, "/api/v1/export-shipments", &other.token, &body, 201).await;
    let theirs = theirs["id"].as_i64().unwrap();
    let (_, html) = console_page(&app, &session, &path, "en").await;
    assert!(
        html.contains("No export shipment is recorded for this order."),
        "{html}"
    );
    assert!(!html.contains(&format!("/console/customs/shipments/{theirs}/")));

    let ours = post_ok(&app, "/api/v1/export-shipments", &t.token, &body, 201).await;
    assert_eq!(ours["mode"], "9610");
    let ours = ours["id"].as_i64().unwrap();
    assert_ne!(ours, theirs);
    let (_, html) = console_page(&app, &session, &path, "en").await;
    for m in ["CEB303", "CEB403", "CEB505", "CEB603"] {
        let link = format!("href=\"/console/customs/shipments/{ours}/messages/{m}\"");
        assert!(html.contains(&link), "{link}: {html}");
    }
    for d in ["commercial-invoice", "packing-list", "proforma-invoice"] {
        let link = format!("href=\"/console/customs/shipments/{ours}/documents/{d}\"");
        assert!(html.contains(&link), "{link}: {html}");
    }
    assert!(html.contains("data-mode=\"9610\""), "{html}");
    assert!(!html.contains("No export shipment is recorded"), "{html}");
    assert!(
        !html.contains("it needs a 9610 export declaration"),
        "{html}"
    );
    assert!(!html.contains(&format!("/console/customs/shipments/{theirs}/")));
    // The links answer.
    let res = app
        .client
        .get(app.url(&format!(
            "/console/customs/shipments/{ours}/documents/packing-list"
        )))
        .header("cookie", format!("chuhai_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");

    let view: Value = get_order(&app, &t.token, id).await;
    let x = &view["export_shipments"];
    assert_eq!(x.as_array().unwrap().len(), 1, "{view}");
    assert_eq!(x[0]["id"], ours);
    assert_eq!(x[0]["mode"], "9610");
    assert_eq!(
        x[0]["messages"][0],
        format!("/api/v1/export-shipments/{ours}/messages/ceb303")
    );
    assert_eq!(
        x[0]["documents"][2],
        format!("/api/v1/export-shipments/{ours}/documents/proforma-invoice")
    );
    let res = app
        .get(x[0]["messages"][3].as_str().unwrap(), &t.token)
        .await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains(&number));
    app
}

on_both_backends!(
    #[tokio::test]
    the_order_links_its_customs_documents: the_order_links_its_customs_documents_on_sqlite, the_order_links_its_customs_documents_on_postgres
);
