//! Returns and refunds (RMA), on SQLite and PostgreSQL: a delivered order's
//! units come back to an overseas warehouse, are inspected (restocked and
//! relabelled units sellable again through a `return` ledger entry,
//! disposed ones not) and refunded under the seller's returns policy
//! through the order's card or bank-transfer payment; webhooks go out for
//! each step. Bad requests answer 4xx naming the field and change nothing;
//! another seller's orders and returns are not found. The console's forms
//! take a return through the same steps. After each scenario the inventory
//! caches agree with the ledger.

mod common;

use chuhai_domain::catalog::Sku;
use chuhai_domain::inventory::StockKey;
use chuhai_domain::payments::sign;
use common::{
    cart, console_page, console_session, expect_problem, hidden_csrf, operator, post_ok, shop,
    warehouse_json, Tenant, TestApp, CARD_WEBHOOK_SECRET,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

const DAY_MS: i64 = 86_400_000;

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn minor(v: &Value) -> i64 {
    v["amount"]
        .as_str()
        .unwrap()
        .replace('.', "")
        .parse()
        .unwrap()
}

/// A seller `lumi` with 20 AUR-1 in its Shenzhen warehouse, and an
/// operator running the overseas warehouse LAX-1 serving it.
struct Shop {
    seller: Tenant,
    market: i64,
    ops: Tenant,
    /// LAX-1, overseas, serving the seller.
    lax: i64,
    /// The seller's origin warehouse in China.
    szx: i64,
}

async fn setup(app: &TestApp) -> Shop {
    let (seller, _, market) = shop(app, "lumi", 20).await;
    let ops = operator(app, "wareco").await;
    let lax = post_ok(
        app,
        "/api/v1/warehouses",
        &ops.token,
        &warehouse_json("overseas", "LAX-1", "US", &[]),
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    post_ok(
        app,
        &format!("/api/v1/warehouses/{lax}/sellers"),
        &ops.token,
        &json!({"seller": "lumi"}),
        200,
    )
    .await;
    let list: Value = app
        .get("/api/v1/warehouses", &seller.token)
        .await
        .json()
        .await
        .unwrap();
    let szx = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["kind"] == "origin")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    Shop {
        seller,
        market,
        ops,
        lax,
        szx,
    }
}

#[derive(Clone, Copy)]
enum Pay {
    Card,
    BankTransfer,
}

/// Places an order of `units` AUR-1, pays it, and takes it through
/// allocation, shipping (the holds committed) and delivery at
/// `delivered_at`: the one place that moves an order to `delivered`.
async fn delivered_order(
    app: &TestApp,
    s: &Shop,
    units: i64,
    pay: Pay,
    delivered_at: i64,
) -> Value {
    let t = &s.seller.token;
    let c = post_ok(app, "/api/v1/carts", t, &cart(s.market, units), 201).await;
    let o = post_ok(
        app,
        &format!("/api/v1/carts/{}/checkout", c["id"]),
        t,
        &json!({}),
        201,
    )
    .await;
    let id = o["id"].as_i64().unwrap();
    match pay {
        Pay::BankTransfer => {
            post_ok(
                app,
                &format!("/api/v1/orders/{id}/bank-transfer-confirmations"),
                t,
                &json!({"bank_reference": format!("TT-{id}")}),
                200,
            )
            .await;
        }
        Pay::Card => {
            let p = post_ok(
                app,
                &format!("/api/v1/orders/{id}/payments"),
                t,
                &json!({"method": "card"}),
                201,
            )
            .await;
            let body = serde_json::to_vec(&json!({
                "id": format!("evt_paid_{id}"), "type": "payment_intent.succeeded",
                "data": {"object": {"id": p["provider_reference"], "amount_received": minor(&o["total"])}}
            }))
            .unwrap();
            let res = app
                .client
                .post(app.url("/api/v1/payments/card-provider/webhooks"))
                .header(
                    "Chuhai-Signature",
                    sign(CARD_WEBHOOK_SECRET.as_bytes(), now_ms() / 1000, &body),
                )
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
        }
    }
    // Paying allocated it to the seller's own Shenzhen warehouse, which
    // the seller runs: wave, pack and ship it there.
    post_ok(
        app,
        &format!("/api/v1/warehouses/{}/waves", s.szx),
        t,
        &json!({"cutoff_at": "2100-01-01T00:00:00Z"}),
        201,
    )
    .await;
    let shipments = get(app, &format!("/api/v1/orders/{id}/shipments"), t).await;
    let sid = shipments[0]["id"].as_i64().unwrap();
    post_ok(
        app,
        &format!("/api/v1/shipments/{sid}/pack"),
        t,
        &json!({"carton": "C-45", "weight_g": 1500, "length_mm": 450, "width_mm": 200, "height_mm": 150}),
        200,
    )
    .await;
    post_ok(
        app,
        &format!("/api/v1/shipments/{sid}/ship"),
        t,
        &json!({"tracking_number": format!("LX{id:09}CN")}),
        200,
    )
    .await;
    // The carrier's delivery, dated `delivered_at`.
    app.store
        .track_shipment(
            sid,
            true,
            r#"{"status":"delivered"}"#,
            Some(s.seller.user_id),
            delivered_at,
        )
        .await
        .unwrap();
    app.get(&format!("/api/v1/orders/{id}"), t)
        .await
        .json()
        .await
        .unwrap()
}

async fn get(app: &TestApp, path: &str, token: &str) -> Value {
    let res = app.get(path, token).await;
    assert_eq!(res.status(), StatusCode::OK, "GET {path}");
    res.json().await.unwrap()
}

async fn put(app: &TestApp, path: &str, token: &str, body: &Value) -> reqwest::Response {
    app.client
        .put(app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// Units of AUR-1 of the seller on hand at `warehouse`.
async fn on_hand(app: &TestApp, s: &Shop, warehouse: i64) -> i64 {
    app.store
        .balance(&StockKey::new(
            s.seller.org_id,
            Sku::parse("AUR-1").unwrap(),
            warehouse,
        ))
        .await
        .unwrap()
        .on_hand
}

async fn assert_ledger_clean(app: &TestApp) {
    let report = app.store.verify_inventory().await.unwrap();
    assert!(report.is_clean(), "{report:?}");
}

/// `amount × part / whole` rounded half to even, in minor units.
fn half_even_share(amount: i64, part: i64, whole: i64) -> i64 {
    let (q, r) = (amount * part / whole, amount * part % whole);
    if 2 * r > whole || (2 * r == whole && q % 2 == 1) {
        q + 1
    } else {
        q
    }
}

fn line_amounts(order: &Value) -> (i64, i64, i64) {
    let line = &order["details"]["totals"]["lines"][0];
    (
        minor(&line["unit_price"]),
        minor(&line["import_charges"]),
        line["quantity"].as_i64().unwrap(),
    )
}

async fn webhook_events(app: &TestApp, token: &str) -> Vec<String> {
    let list: Value = get(app, "/api/v1/webhooks/deliveries", token).await;
    let mut events: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["event"].as_str().unwrap().to_owned())
        .collect();
    events.sort();
    events
}

/// Card-paid order of 3: two units back because the buyer no longer needs
/// them (10 % restocking fee, no shipping), one restocked and one disposed,
/// refunded after inspection; then the last unit back as defective.
async fn restock_dispose_and_card_refund(app: TestApp) -> TestApp {
    let s = setup(&app).await;
    let t = s.seller.token.clone();
    let ops = s.ops.token.clone();
    let res = put(
        &app,
        "/api/v1/returns-policy",
        &t,
        &json!({"return_window_days": 30, "restocking_fee_bp": 1000,
                "refund_original_shipping": false, "refund_timing": "after_inspection"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    post_ok(
        &app,
        "/api/v1/webhooks/subscriptions",
        &t,
        &json!({"url": "https://hooks.lumi.example/in",
                "events": ["return.requested", "return.received", "return.refunded"]}),
        201,
    )
    .await;
    let order = delivered_order(&app, &s, 3, Pay::Card, now_ms()).await;
    let id = order["id"].as_i64().unwrap();
    assert_eq!(order["state"], "delivered");
    let (unit_price, charges, ordered) = line_amounts(&order);
    assert_eq!(ordered, 3);
    let szx_before = on_hand(&app, &s, s.szx).await;

    let r = post_ok(
        &app,
        &format!("/api/v1/orders/{id}/returns"),
        &t,
        &json!({"reason": "no_longer_needed", "note": "gift duplicate", "warehouse_id": s.lax,
                "lines": [{"sku": "AUR-1", "quantity": 2}]}),
        201,
    )
    .await;
    let rid = r["id"].as_i64().unwrap();
    assert_eq!(r["status"], "requested");
    assert_eq!(r["warehouse_id"], s.lax);
    // Goods 2 × unit price; charges 2/3 of the line's, half-even; 10 % fee
    // on the goods, rounded down; no shipping for a change of mind.
    let goods = 2 * unit_price;
    let charge_share = half_even_share(charges, 2, 3);
    let fee = goods * 1000 / 10_000;
    assert_eq!(minor(&r["refund"]["goods"]), goods);
    assert_eq!(minor(&r["refund"]["import_charges"]), charge_share);
    assert_eq!(minor(&r["refund"]["shipping"]), 0);
    assert_eq!(minor(&r["refund"]["restocking_fee"]), fee);
    let first_refund = goods + charge_share - fee;
    assert_eq!(minor(&r["refund"]["total"]), first_refund);
    assert_eq!(r["refund"]["total"]["currency"], "USD");

    let listed = get(&app, &format!("/api/v1/orders/{id}/returns"), &t).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);

    // Out of order: refund, receipt before authorisation; a seller is not
    // the warehouse's operator.
    let p = expect_problem(
        app.post_json(
            &format!("/api/v1/returns/{rid}/refund"),
            Some(&t),
            &json!({}),
        )
        .await,
        409,
        "illegal_transition",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "status");
    expect_problem(
        app.post_json(
            &format!("/api/v1/returns/{rid}/receipt"),
            Some(&ops),
            &json!({}),
        )
        .await,
        409,
        "illegal_transition",
    )
    .await;
    post_ok(
        &app,
        &format!("/api/v1/returns/{rid}/authorise"),
        &t,
        &json!({}),
        200,
    )
    .await;
    expect_problem(
        app.post_json(
            &format!("/api/v1/returns/{rid}/receipt"),
            Some(&t),
            &json!({}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    // The operator sees the return coming to its warehouse, and may not
    // decide for the seller.
    let seen = get(&app, "/api/v1/returns?status=authorised", &ops).await;
    assert_eq!(seen["items"][0]["id"], rid);
    expect_problem(
        app.post_json(
            &format!("/api/v1/returns/{rid}/close"),
            Some(&ops),
            &json!({}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;

    let r = post_ok(
        &app,
        &format!("/api/v1/returns/{rid}/receipt"),
        &ops,
        &json!({}),
        200,
    )
    .await;
    assert_eq!(r["status"], "received");
    assert!(r["received_at"].is_string());
    let o = get(&app, &format!("/api/v1/orders/{id}"), &t).await;
    assert_eq!(o["state"], "returned");

    // The policy refunds after inspection.
    let p = expect_problem(
        app.post_json(
            &format!("/api/v1/returns/{rid}/refund"),
            Some(&t),
            &json!({}),
        )
        .await,
        409,
        "illegal_transition",
    )
    .await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("refunds after inspection"),
        "{p}"
    );

    // Inspection must give every unit a disposition: nothing is written.
    let p = expect_problem(
        app.post_json(
            &format!("/api/v1/returns/{rid}/inspection"),
            Some(&ops),
            &json!({"lines": [{"sku": "AUR-1", "disposition": "restock", "quantity": 1}]}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "lines");
    let p = expect_problem(
        app.post_json(
            &format!("/api/v1/returns/{rid}/inspection"),
            Some(&ops),
            &json!({"lines": [{"sku": "AUR-1", "disposition": "resell", "quantity": 2}]}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "lines[0].disposition");
    assert_eq!(on_hand(&app, &s, s.lax).await, 0);
    assert_eq!(
        get(&app, &format!("/api/v1/returns/{rid}"), &t).await["status"],
        "received"
    );

    let r = post_ok(
        &app,
        &format!("/api/v1/returns/{rid}/inspection"),
        &ops,
        &json!({"lines": [{"sku": "AUR-1", "disposition": "restock", "quantity": 1},
                          {"sku": "AUR-1", "disposition": "dispose", "quantity": 1}]}),
        200,
    )
    .await;
    assert_eq!(r["status"], "inspected");
    assert_eq!(r["inspected"], true);
    assert_eq!(r["dispositions"].as_array().unwrap().len(), 2);
    // The restocked unit is sellable at LAX-1; the disposed one is not;
    // nothing came back to China.
    assert_eq!(on_hand(&app, &s, s.lax).await, 1);
    assert_eq!(on_hand(&app, &s, s.szx).await, szx_before);
    let ledger = get(
        &app,
        &format!(
            "/api/v1/warehouses/{}/ledger?seller_id={}",
            s.lax, s.seller.org_id
        ),
        &ops,
    )
    .await;
    let entries = ledger["items"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{ledger}");
    assert_eq!(entries[0]["entry_type"], "return");
    assert_eq!(entries[0]["quantity"], 1);
    assert_eq!(entries[0]["reference"]["kind"], "return");
    assert_eq!(entries[0]["reference"]["id"], r["number"]);

    let r = post_ok(
        &app,
        &format!("/api/v1/returns/{rid}/refund"),
        &t,
        &json!({}),
        200,
    )
    .await;
    assert_eq!(r["status"], "refunded");
    let payments = get(&app, &format!("/api/v1/orders/{id}/payments"), &t).await;
    assert_eq!(r["payment_id"], payments[0]["id"]);
    assert_eq!(payments[0]["status"], "partially_refunded");
    assert_eq!(minor(&payments[0]["refunded"]), first_refund);
    assert_eq!(
        get(&app, &format!("/api/v1/orders/{id}"), &t).await["state"],
        "returned"
    );
    // Refunded once only.
    expect_problem(
        app.post_json(
            &format!("/api/v1/returns/{rid}/refund"),
            Some(&t),
            &json!({}),
        )
        .await,
        409,
        "illegal_transition",
    )
    .await;
    let full = get(&app, &format!("/api/v1/returns/{rid}"), &t).await;
    let events: Vec<&str> = full["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        ["request", "authorise", "receive", "inspect", "refund"]
    );

    // The last unit, defective: no fee; the rest of the line's charges.
    let p = expect_problem(
        app.post_json(
            &format!("/api/v1/orders/{id}/returns"),
            Some(&t),
            &json!({"reason": "defective", "warehouse_id": s.lax,
                    "lines": [{"sku": "AUR-1", "quantity": 2}]}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "lines[0].quantity");
    assert!(
        p["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("only 1 of the 3 ordered"),
        "{p}"
    );
    let r2 = post_ok(
        &app,
        &format!("/api/v1/orders/{id}/returns"),
        &t,
        &json!({"reason": "defective", "warehouse_id": s.lax,
                "lines": [{"sku": "AUR-1", "quantity": 1}]}),
        201,
    )
    .await;
    assert_eq!(minor(&r2["refund"]["restocking_fee"]), 0);
    assert_eq!(
        minor(&r2["refund"]["import_charges"]),
        charges - charge_share,
        "all returns together refund the line's charges exactly"
    );
    // A refund made apart from the returns leaves less than the last
    // return's refund on the payment: its refund is refused, nothing moves.
    let r2id = r2["id"].as_i64().unwrap();
    post_ok(
        &app,
        &format!("/api/v1/returns/{r2id}/authorise"),
        &t,
        &json!({}),
        200,
    )
    .await;
    post_ok(
        &app,
        &format!("/api/v1/returns/{r2id}/receipt"),
        &ops,
        &json!({}),
        200,
    )
    .await;
    post_ok(
        &app,
        &format!("/api/v1/returns/{r2id}/inspection"),
        &ops,
        &json!({"lines": [{"sku": "AUR-1", "disposition": "dispose", "quantity": 1}]}),
        200,
    )
    .await;
    assert_eq!(
        on_hand(&app, &s, s.lax).await,
        1,
        "a disposed unit is not stock"
    );
    // Leave one cent less on the payment than the second return owes.
    let captured =
        minor(&get(&app, &format!("/api/v1/orders/{id}/payments"), &t).await[0]["captured"]);
    let apart = captured - first_refund - minor(&r2["refund"]["total"]) + 1;
    assert!(apart > 0);
    post_ok(
        &app,
        &format!("/api/v1/orders/{id}/refunds"),
        &t,
        &json!({"amount": {"amount": format!("{}.{:02}", apart / 100, apart % 100), "currency": "USD"}}),
        201,
    )
    .await;
    let p = expect_problem(
        app.post_json(
            &format!("/api/v1/returns/{r2id}/refund"),
            Some(&t),
            &json!({}),
        )
        .await,
        409,
        "payment_state",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "refund.total");
    assert_eq!(
        get(&app, &format!("/api/v1/returns/{r2id}"), &t).await["status"],
        "inspected"
    );
    let payments = get(&app, &format!("/api/v1/orders/{id}/payments"), &t).await;
    assert_eq!(minor(&payments[0]["refunded"]), first_refund + apart);

    let events = webhook_events(&app, &t).await;
    assert_eq!(
        events,
        [
            "return.received",
            "return.received",
            "return.refunded",
            "return.requested",
            "return.requested"
        ]
    );
    assert_ledger_clean(&app).await;
    app
}

/// Bank-transfer order of 2, a policy refunding on receipt with the
/// original shipping: the wrong item comes back, is refunded on receipt
/// (the order refunded in full), then relabelled into stock.
async fn bank_transfer_refund_on_receipt(app: TestApp) -> TestApp {
    let s = setup(&app).await;
    let t = s.seller.token.clone();
    let ops = s.ops.token.clone();
    let res = put(
        &app,
        "/api/v1/returns-policy",
        &t,
        &json!({"return_window_days": 14, "restocking_fee_bp": 0,
                "refund_original_shipping": true, "refund_timing": "on_receipt"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let policy = get(&app, "/api/v1/returns-policy", &t).await;
    assert_eq!(policy["refund_timing"], "on_receipt");
    let order = delivered_order(&app, &s, 2, Pay::BankTransfer, now_ms() - 13 * DAY_MS).await;
    let id = order["id"].as_i64().unwrap();
    let r = post_ok(
        &app,
        &format!("/api/v1/orders/{id}/returns"),
        &t,
        &json!({"reason": "wrong_item", "warehouse_id": s.lax,
                "lines": [{"sku": "AUR-1", "quantity": 2}]}),
        201,
    )
    .await;
    let rid = r["id"].as_i64().unwrap();
    assert_eq!(minor(&r["refund"]["total"]), minor(&order["total"]));
    post_ok(
        &app,
        &format!("/api/v1/returns/{rid}/authorise"),
        &t,
        &json!({"note": "send it back"}),
        200,
    )
    .await;
    post_ok(
        &app,
        &format!("/api/v1/returns/{rid}/receipt"),
        &ops,
        &json!({}),
        200,
    )
    .await;
    let r = post_ok(
        &app,
        &format!("/api/v1/returns/{rid}/refund"),
        &t,
        &json!({}),
        200,
    )
    .await;
    assert_eq!(r["status"], "refunded");
    assert_eq!(r["inspected"], false);
    let payments = get(&app, &format!("/api/v1/orders/{id}/payments"), &t).await;
    assert_eq!(payments[0]["method"], "bank_transfer");
    assert_eq!(payments[0]["status"], "refunded");
    assert_eq!(
        get(&app, &format!("/api/v1/orders/{id}"), &t).await["state"],
        "refunded"
    );
    let r = post_ok(
        &app,
        &format!("/api/v1/returns/{rid}/inspection"),
        &ops,
        &json!({"lines": [{"sku": "AUR-1", "disposition": "relabel", "quantity": 2}]}),
        200,
    )
    .await;
    assert_eq!(r["status"], "refunded");
    assert_eq!(r["inspected"], true);
    assert_eq!(on_hand(&app, &s, s.lax).await, 2);
    expect_problem(
        app.post_json(
            &format!("/api/v1/returns/{rid}/inspection"),
            Some(&ops),
            &json!({"lines": [{"sku": "AUR-1", "disposition": "relabel", "quantity": 2}]}),
        )
        .await,
        409,
        "illegal_transition",
    )
    .await;
    assert_eq!(on_hand(&app, &s, s.lax).await, 2);
    assert_ledger_clean(&app).await;
    app
}

async fn no_returns(app: &TestApp, token: &str, order: i64) {
    let listed = get(app, &format!("/api/v1/orders/{order}/returns"), token).await;
    assert_eq!(listed, json!([]), "nothing was written");
}

/// Refused requests name the field and write nothing; a rejected return
/// gives its units back; another seller sees none of it.
async fn refusals(app: TestApp) -> TestApp {
    let s = setup(&app).await;
    let t = s.seller.token.clone();
    let body = |warehouse: i64, quantity: i64| {
        json!({"reason": "defective", "warehouse_id": warehouse,
               "lines": [{"sku": "AUR-1", "quantity": quantity}]})
    };
    // Not delivered yet.
    let c = post_ok(&app, "/api/v1/carts", &t, &cart(s.market, 1), 201).await;
    let placed = post_ok(
        &app,
        &format!("/api/v1/carts/{}/checkout", c["id"]),
        &t,
        &json!({}),
        201,
    )
    .await;
    let pid = placed["id"].as_i64().unwrap();
    let p = expect_problem(
        app.post_json(
            &format!("/api/v1/orders/{pid}/returns"),
            Some(&t),
            &body(s.lax, 1),
        )
        .await,
        409,
        "order_state",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "state");
    assert_eq!(p["errors"][0]["reason"], "the order is placed");
    no_returns(&app, &t, pid).await;

    let order = delivered_order(&app, &s, 2, Pay::BankTransfer, now_ms()).await;
    let id = order["id"].as_i64().unwrap();
    let path = format!("/api/v1/orders/{id}/returns");
    let refused = |body: Value, field: &'static str, reason: &'static str| {
        let app = &app;
        let t = &t;
        let path = &path;
        async move {
            let p = expect_problem(
                app.post_json(path, Some(t), &body).await,
                422,
                "validation_failed",
            )
            .await;
            assert_eq!(p["errors"][0]["field"], field, "{p}");
            assert!(
                p["errors"][0]["reason"].as_str().unwrap().contains(reason),
                "{p}"
            );
        }
    };
    refused(
        body(s.lax, 3),
        "lines[0].quantity",
        "only 2 of the 2 ordered",
    )
    .await;
    refused(body(s.lax, 0), "lines[0].quantity", "at least 1").await;
    refused(body(s.szx, 1), "warehouse_id", "origin warehouse in CN").await;
    refused(
        json!({"reason": "defective", "warehouse_id": s.lax, "lines": [{"sku": "AUR-9", "quantity": 1}]}),
        "lines[0].sku",
        "not a line of order",
    )
    .await;
    refused(
        json!({"reason": "broken", "warehouse_id": s.lax, "lines": [{"sku": "AUR-1", "quantity": 1}]}),
        "reason",
        "not one of defective",
    )
    .await;
    refused(
        json!({"reason": "defective", "warehouse_id": s.lax, "lines": []}),
        "lines",
        "at least one line",
    )
    .await;
    // An overseas warehouse that does not serve the seller.
    let other = post_ok(
        &app,
        "/api/v1/warehouses",
        &s.ops.token,
        &warehouse_json("overseas", "NYC-1", "US", &[]),
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    refused(
        body(other, 1),
        "warehouse_id",
        "not a warehouse serving you",
    )
    .await;
    no_returns(&app, &t, id).await;

    // Out of the return window (30 days by default).
    let late = delivered_order(&app, &s, 1, Pay::BankTransfer, now_ms() - 31 * DAY_MS).await;
    let late_id = late["id"].as_i64().unwrap();
    let p = expect_problem(
        app.post_json(
            &format!("/api/v1/orders/{late_id}/returns"),
            Some(&t),
            &body(s.lax, 1),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "order_id");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("return window of 30 days"),
        "{p}"
    );
    no_returns(&app, &t, late_id).await;

    // A policy out of bounds is refused and the default stays.
    let res = put(
        &app,
        "/api/v1/returns-policy",
        &t,
        &json!({"return_window_days": 30, "restocking_fee_bp": 9000,
                "refund_original_shipping": false, "refund_timing": "after_inspection"}),
    )
    .await;
    let p = expect_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "restocking_fee_bp");
    assert_eq!(
        get(&app, "/api/v1/returns-policy", &t).await["restocking_fee_bp"],
        0
    );

    // Rejected: the units may be asked for again; a rejected return is final.
    let r = post_ok(&app, &path, &t, &body(s.lax, 2), 201).await;
    let rid = r["id"].as_i64().unwrap();
    post_ok(
        &app,
        &format!("/api/v1/returns/{rid}/reject"),
        &t,
        &json!({"note": "used"}),
        200,
    )
    .await;
    expect_problem(
        app.post_json(
            &format!("/api/v1/returns/{rid}/authorise"),
            Some(&t),
            &json!({}),
        )
        .await,
        409,
        "illegal_transition",
    )
    .await;
    let again = post_ok(&app, &path, &t, &body(s.lax, 2), 201).await;
    let again_id = again["id"].as_i64().unwrap();
    let rejected = get(&app, "/api/v1/returns?status=rejected", &t).await;
    let ids: Vec<i64> = rejected["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [rid]);
    expect_problem(
        app.get("/api/v1/returns?status=lost", &t).await,
        422,
        "validation_failed",
    )
    .await;

    // Two returns of every unit at once: one is written, the other refused.
    let both = delivered_order(&app, &s, 2, Pay::BankTransfer, now_ms()).await;
    let both_path = format!("/api/v1/orders/{}/returns", both["id"]);
    let all = body(s.lax, 2);
    let (first, second) = tokio::join!(
        app.post_json(&both_path, Some(&t), &all),
        app.post_json(&both_path, Some(&t), &all),
    );
    let mut statuses = [first.status().as_u16(), second.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses[0], 201, "{statuses:?}");
    assert!(matches!(statuses[1], 409 | 422), "{statuses:?}");
    let listed = get(&app, &both_path, &t).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    // Closed before the goods came: the units may be asked for again.
    let r = listed[0]["id"].as_i64().unwrap();
    post_ok(
        &app,
        &format!("/api/v1/returns/{r}/authorise"),
        &t,
        &json!({}),
        200,
    )
    .await;
    let closed = post_ok(
        &app,
        &format!("/api/v1/returns/{r}/close"),
        &t,
        &json!({}),
        200,
    )
    .await;
    assert_eq!(closed["status"], "closed");
    post_ok(&app, &both_path, &t, &body(s.lax, 2), 201).await;

    // Another seller: not found; its list is empty.
    let b = app.tenant("other-seller").await;
    for path in [
        format!("/api/v1/returns/{again_id}"),
        format!("/api/v1/orders/{id}/returns"),
    ] {
        expect_problem(app.get(&path, &b.token).await, 404, "not_found").await;
    }
    for action in ["authorise", "reject", "close", "refund", "receipt"] {
        expect_problem(
            app.post_json(
                &format!("/api/v1/returns/{again_id}/{action}"),
                Some(&b.token),
                &json!({}),
            )
            .await,
            404,
            "not_found",
        )
        .await;
    }
    expect_problem(
        app.post_json(
            &format!("/api/v1/orders/{id}/returns"),
            Some(&b.token),
            &body(s.lax, 1),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    let list = get(&app, "/api/v1/returns", &b.token).await;
    assert_eq!(list["items"], json!([]));
    assert_eq!(
        get(&app, &format!("/api/v1/returns/{again_id}"), &t).await["status"],
        "requested"
    );
    assert_ledger_clean(&app).await;
    app
}

/// The console lists returns (the seller's, and the operator's incoming),
/// filters them by status and shows one with its refund and timeline, in
/// English and Chinese; another seller's return is not found.
#[tokio::test]
async fn the_console_lists_and_shows_returns() {
    let app = TestApp::spawn().await;
    let s = setup(&app).await;
    let t = s.seller.token.clone();
    let order = delivered_order(&app, &s, 2, Pay::BankTransfer, now_ms()).await;
    let r = post_ok(
        &app,
        &format!("/api/v1/orders/{}/returns", order["id"]),
        &t,
        &json!({"reason": "damaged_in_transit", "note": "box crushed", "warehouse_id": s.lax,
                "lines": [{"sku": "AUR-1", "quantity": 1}]}),
        201,
    )
    .await;
    let rid = r["id"].as_i64().unwrap();
    let number = r["number"].as_str().unwrap().to_owned();
    post_ok(
        &app,
        &format!("/api/v1/returns/{rid}/authorise"),
        &t,
        &json!({}),
        200,
    )
    .await;
    post_ok(
        &app,
        &format!("/api/v1/returns/{rid}/receipt"),
        &s.ops.token,
        &json!({}),
        200,
    )
    .await;

    let seller = console_session(&app, &s.seller.email).await;
    let (status, html) = console_page(&app, &seller, "/console/returns", "en").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!("data-number=\"{number}\"")),
        "{html}"
    );
    assert!(
        html.contains("Damaged in transit") && html.contains("LAX-1"),
        "{html}"
    );
    let (_, html) = console_page(&app, &seller, "/console/returns?status=requested", "en").await;
    assert!(html.contains("data-testid=\"returns-empty\""), "{html}");
    let (_, html) = console_page(&app, &seller, "/console/returns?status=received", "zh-CN").await;
    assert!(
        html.contains("已收货") && html.contains("运输途中损坏"),
        "{html}"
    );

    let path = format!("/console/returns/{rid}");
    let (status, html) = console_page(&app, &seller, &path, "en").await;
    assert_eq!(status, 200);
    assert!(html.contains("box crushed"), "{html}");
    let total = r["refund"]["total"]["amount"].as_str().unwrap();
    assert!(html.contains(total), "the refund total {total}: {html}");
    assert!(html.contains("Requested") && html.contains("Authorised") && html.contains("Received"));
    assert!(html.contains("Not inspected yet."), "{html}");
    let (_, html) = console_page(&app, &seller, &path, "zh-CN").await;
    assert!(
        html.contains("退款合计") && html.contains("质检后退款"),
        "{html}"
    );

    let ops = console_session(&app, &s.ops.email).await;
    let (_, html) = console_page(&app, &ops, "/console/returns", "en").await;
    assert!(
        html.contains(&format!("data-number=\"{number}\"")),
        "{html}"
    );

    let other = app.tenant("other-seller").await;
    let other = console_session(&app, &other.email).await;
    let (status, html) = console_page(&app, &other, &path, "en").await;
    assert_eq!(status, 404);
    assert!(!html.contains("box crushed"));
    let (_, html) = console_page(&app, &other, "/console/returns", "en").await;
    assert!(!html.contains(&number), "{html}");
}

/// Posts the form of `step` on return `rid`'s console page as the user of
/// `session`: the status and where it leads (a redirect's target), or the
/// page shown.
async fn return_form(
    app: &TestApp,
    session: &str,
    rid: i64,
    step: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let (_, page) = console_page(app, session, &format!("/console/returns/{rid}"), "en").await;
    let csrf = hidden_csrf(&page);
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let res = app
        .client
        .post(app.url(&format!("/console/returns/{rid}/{step}")))
        .header(
            "cookie",
            format!("chuhai_session={session}; chuhai_lang=en"),
        )
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    match res.headers().get("location") {
        Some(to) => (status, to.to_str().unwrap().to_owned()),
        None => (status, res.text().await.unwrap()),
    }
}

async fn return_status(app: &TestApp, token: &str, rid: i64) -> String {
    get(app, &format!("/api/v1/returns/{rid}"), token).await["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The forms a return's page shows to the user of `session`.
async fn forms_shown(app: &TestApp, session: &str, rid: i64) -> Vec<&'static str> {
    let (status, html) = console_page(app, session, &format!("/console/returns/{rid}"), "en").await;
    assert_eq!(status, 200);
    [
        "authorise",
        "reject",
        "receive",
        "inspect",
        "refund",
        "close",
    ]
    .into_iter()
    .filter(|f| html.contains(&format!("data-testid=\"{f}-form\"")))
    .collect()
}

/// A return worked from the console: the seller authorises, the
/// warehouse's operator receives the goods and restocks them, the seller
/// refunds; each sees only the steps that are theirs and that the status
/// allows. Refused steps are shown on the page and change nothing; a
/// rejection needs its reason; a return whose goods never came is closed.
async fn the_console_works_a_return(app: TestApp) -> TestApp {
    let s = setup(&app).await;
    let t = s.seller.token.clone();
    let order = delivered_order(&app, &s, 3, Pay::BankTransfer, now_ms()).await;
    let id = order["id"].as_i64().unwrap();
    let r = post_ok(
        &app,
        &format!("/api/v1/orders/{id}/returns"),
        &t,
        &json!({"reason": "defective", "warehouse_id": s.lax,
                "lines": [{"sku": "AUR-1", "quantity": 2}]}),
        201,
    )
    .await;
    let rid = r["id"].as_i64().unwrap();
    let refund_total = minor(&r["refund"]["total"]);
    assert!(refund_total > 0);
    let path = format!("/console/returns/{rid}");
    let seller = console_session(&app, &s.seller.email).await;
    let ops = console_session(&app, &s.ops.email).await;

    assert_eq!(
        forms_shown(&app, &seller, rid).await,
        ["authorise", "reject"]
    );
    assert!(forms_shown(&app, &ops, rid).await.is_empty());
    let (_, html) = console_page(&app, &seller, &path, "zh-CN").await;
    assert!(
        html.contains("批准退货") && html.contains("拒绝原因"),
        "{html}"
    );

    // Out of turn: the operator inspects before the goods came, the
    // seller receives at a warehouse it does not run; a form without the
    // session's secret is not taken. None of it changes anything.
    let (status, html) = return_form(&app, &ops, rid, "inspect", &[("restock.AUR-1", "2")]).await;
    assert_eq!(status, 409, "{html}");
    assert!(
        html.contains("a return that is requested cannot be inspected")
            && html.contains("Nothing was changed.")
            && html.contains("data-testid=\"return-error\""),
        "{html}"
    );
    let (status, html) = return_form(&app, &seller, rid, "receive", &[]).await;
    assert_eq!(status, 403, "{html}");
    assert!(
        html.contains("only the operator of warehouse LAX-1 may do this"),
        "{html}"
    );
    let res = app
        .client
        .post(app.url(&format!("{path}/authorise")))
        .header("cookie", format!("chuhai_session={seller}"))
        .form(&[("csrf", "f".repeat(64))])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/console/login");
    assert_eq!(return_status(&app, &t, rid).await, "requested");
    assert_eq!(on_hand(&app, &s, s.lax).await, 0);

    let (status, to) = return_form(
        &app,
        &seller,
        rid,
        "authorise",
        &[("note", "send it to LAX-1")],
    )
    .await;
    assert_eq!((status, to.as_str()), (303, path.as_str()));
    assert_eq!(return_status(&app, &t, rid).await, "authorised");
    assert_eq!(forms_shown(&app, &seller, rid).await, ["close"]);
    assert_eq!(forms_shown(&app, &ops, rid).await, ["receive"]);
    let (_, html) = console_page(&app, &seller, &path, "en").await;
    assert!(html.contains("send it to LAX-1"), "{html}");

    let (status, _) = return_form(&app, &ops, rid, "receive", &[]).await;
    assert_eq!(status, 303);
    assert_eq!(return_status(&app, &t, rid).await, "received");
    assert_eq!(
        get(&app, &format!("/api/v1/orders/{id}"), &t).await["state"],
        "returned"
    );
    // The policy refunds after inspection: no refund yet.
    assert!(forms_shown(&app, &seller, rid).await.is_empty());
    assert_eq!(forms_shown(&app, &ops, rid).await, ["inspect"]);

    // Every unit needs one outcome, as a whole number.
    let (status, html) = return_form(&app, &ops, rid, "inspect", &[("restock.AUR-1", "1")]).await;
    assert_eq!(status, 422);
    assert!(
        html.contains("1 of the 2 returned units of AUR-1 have a disposition"),
        "{html}"
    );
    let (status, html) = return_form(&app, &ops, rid, "inspect", &[("restock.AUR-1", "two")]).await;
    assert_eq!(status, 422);
    assert!(
        html.contains("restock.AUR-1: must be a whole number of units, 0 or more"),
        "{html}"
    );
    assert_eq!(return_status(&app, &t, rid).await, "received");
    assert_eq!(on_hand(&app, &s, s.lax).await, 0);

    let (status, _) = return_form(
        &app,
        &ops,
        rid,
        "inspect",
        &[
            ("restock.AUR-1", "2"),
            ("relabel.AUR-1", ""),
            ("dispose.AUR-1", "0"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let inspected = get(&app, &format!("/api/v1/returns/{rid}"), &t).await;
    assert_eq!(inspected["status"], "inspected");
    assert_eq!(
        inspected["dispositions"],
        json!([{"sku": "AUR-1", "disposition": "restock", "quantity": 2}])
    );
    assert_eq!(on_hand(&app, &s, s.lax).await, 2);
    let ledger = get(
        &app,
        &format!(
            "/api/v1/warehouses/{}/ledger?seller_id={}",
            s.lax, s.seller.org_id
        ),
        &s.ops.token,
    )
    .await;
    assert_eq!(ledger["items"][0]["entry_type"], "return");
    assert_eq!(ledger["items"][0]["quantity"], 2);
    assert_eq!(forms_shown(&app, &seller, rid).await, ["refund", "close"]);

    let (status, _) = return_form(&app, &seller, rid, "refund", &[]).await;
    assert_eq!(status, 303);
    assert_eq!(return_status(&app, &t, rid).await, "refunded");
    let payments = get(&app, &format!("/api/v1/orders/{id}/payments"), &t).await;
    assert_eq!(minor(&payments[0]["refunded"]), refund_total);
    // Two of three units came back: the order is not refunded in full.
    assert_eq!(
        get(&app, &format!("/api/v1/orders/{id}"), &t).await["state"],
        "returned"
    );
    assert!(forms_shown(&app, &seller, rid).await.is_empty());
    assert!(forms_shown(&app, &ops, rid).await.is_empty());
    // Refunding twice is refused and refunds nothing more.
    let (status, _) = return_form(&app, &seller, rid, "refund", &[]).await;
    assert_eq!(status, 409);
    let payments = get(&app, &format!("/api/v1/orders/{id}/payments"), &t).await;
    assert_eq!(minor(&payments[0]["refunded"]), refund_total);

    // The last unit: a rejection needs its reason.
    let last = json!({"reason": "no_longer_needed", "warehouse_id": s.lax,
                      "lines": [{"sku": "AUR-1", "quantity": 1}]});
    let r2 = post_ok(
        &app,
        &format!("/api/v1/orders/{id}/returns"),
        &t,
        &last,
        201,
    )
    .await;
    let r2 = r2["id"].as_i64().unwrap();
    let (status, html) = return_form(&app, &seller, r2, "reject", &[("note", "  ")]).await;
    assert_eq!(status, 422);
    assert!(
        html.contains("note: give the reason the return is rejected"),
        "{html}"
    );
    assert_eq!(return_status(&app, &t, r2).await, "requested");
    let (status, _) =
        return_form(&app, &seller, r2, "reject", &[("note", "past the 30 days")]).await;
    assert_eq!(status, 303);
    assert_eq!(return_status(&app, &t, r2).await, "rejected");
    let (_, html) = console_page(&app, &seller, &format!("/console/returns/{r2}"), "en").await;
    assert!(html.contains("past the 30 days"), "{html}");
    // Rejected units may be asked for again; authorised goods that never
    // came are closed without a refund.
    let r3 = post_ok(
        &app,
        &format!("/api/v1/orders/{id}/returns"),
        &t,
        &last,
        201,
    )
    .await;
    let r3 = r3["id"].as_i64().unwrap();
    let (status, _) = return_form(&app, &seller, r3, "authorise", &[]).await;
    assert_eq!(status, 303);
    let (status, _) = return_form(&app, &seller, r3, "close", &[]).await;
    assert_eq!(status, 303);
    assert_eq!(return_status(&app, &t, r3).await, "closed");
    let payments = get(&app, &format!("/api/v1/orders/{id}/payments"), &t).await;
    assert_eq!(minor(&payments[0]["refunded"]), refund_total);
    assert_eq!(on_hand(&app, &s, s.lax).await, 2);
    assert_ledger_clean(&app).await;
    app
}

on_both_backends!(
    #[tokio::test]
    the_console_works_a_return: the_console_works_a_return_on_sqlite, the_console_works_a_return_on_postgres
);

on_both_backends!(
    #[tokio::test]
    restock_dispose_and_card_refund: restock_dispose_and_card_refund_on_sqlite, restock_dispose_and_card_refund_on_postgres
);

on_both_backends!(
    #[tokio::test]
    bank_transfer_refund_on_receipt: bank_transfer_refund_on_receipt_on_sqlite, bank_transfer_refund_on_receipt_on_postgres
);

on_both_backends!(
    #[tokio::test]
    refusals: refusals_on_sqlite, refusals_on_postgres
);
