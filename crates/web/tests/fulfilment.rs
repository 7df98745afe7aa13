//! Routing at checkout and fulfilment over HTTP, on SQLite and PostgreSQL:
//! a cart to the United States is routed to the 3PL's Los Angeles
//! warehouse (in market) rather than direct mail from China, priced from
//! its rate card; paying allocates it; the operator releases a wave with a
//! pick list, packs (units leave the bin), ships (the hold is committed in
//! the ledger, the order is shipped, `shipment.shipped` is queued) and
//! records delivery (the order is delivered). A warehouse that cannot
//! fulfil is routed around; refusals name their field and change nothing.

mod common;

use common::{cart, expect_problem, operator, post_ok, put_shipping, shop, TestApp};
use serde_json::{json, Value};

/// The 3PL's Los Angeles warehouse: USPS Ground Advantage in USD, two
/// zones (postal codes from 9: zone 1, elsewhere zone 5).
/// The days of the week as shipping setups name them, Monday first.
const WEEK: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

fn usps_setup() -> Value {
    json!({
        "currency": "USD",
        "services": [{
            "code": "USPS-GA", "name": "USPS Ground Advantage", "carrier": "USPS",
            "max_weight": 31000, "dangerous_goods": [], "volumetric_divisor": 5000,
            "zones": [{"country": "US", "postal_prefix": "", "zone": "US-Z5"},
                      {"country": "US", "postal_prefix": "9", "zone": "US-Z1"}]
        }],
        "rates": [
            {"service": "USPS-GA", "zone": "US-Z1",
             "pricing": {"first_weight": 500, "first_price_minor": 550, "step_weight": 500, "step_price_minor": 110},
             "transit": {"min": 2, "max": 5}},
            {"service": "USPS-GA", "zone": "US-Z5",
             "pricing": {"first_weight": 500, "first_price_minor": 790, "step_weight": 500, "step_price_minor": 160},
             "transit": {"min": 3, "max": 6}}
        ]
    })
}

struct World {
    app: TestApp,
    seller: String,
    seller_id: i64,
    ops: String,
    market: i64,
    lax: i64,
    szx: i64,
}

/// The seller `lumi` with 10 lamps in its Shenzhen warehouse and 5 in bin
/// A-01 of the 3PL's Los Angeles warehouse, both with shipping setups.
async fn world(app: TestApp) -> World {
    let (t, _, market) = shop(&app, "lumi", 10).await;
    let ops = operator(&app, "pacific").await;
    let w = post_ok(
        &app,
        "/api/v1/warehouses",
        &ops.token,
        &common::warehouse_json("overseas", "LAX-1", "US", &["A-01", "A-02"]),
        201,
    )
    .await;
    let lax = w["id"].as_i64().unwrap();
    post_ok(
        &app,
        &format!("/api/v1/warehouses/{lax}/sellers"),
        &ops.token,
        &json!({"seller": "lumi"}),
        200,
    )
    .await;
    post_ok(
        &app,
        &format!("/api/v1/warehouses/{lax}/entries"),
        &ops.token,
        &json!({"seller_id": t.org_id, "sku": "AUR-1", "entry_type": "receipt", "quantity": 5, "bin": "A-01"}),
        201,
    )
    .await;
    put_shipping(&app, &ops.token, lax, &usps_setup()).await;
    let list: Value = app
        .get("/api/v1/warehouses", &t.token)
        .await
        .json()
        .await
        .unwrap();
    let szx = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["code"] == "SZX-LUMI")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    World {
        app,
        seller_id: t.org_id,
        seller: t.token,
        ops: ops.token,
        market,
        lax,
        szx,
    }
}

async fn get(app: &TestApp, path: &str, token: &str) -> Value {
    let res = app.get(path, token).await;
    assert_eq!(res.status(), 200, "GET {path}");
    res.json().await.unwrap()
}

/// (available, on hand) of AUR-1 at warehouse `id`, seen by the seller.
async fn stock_at(app: &TestApp, token: &str, id: i64) -> (i64, i64) {
    let v = get(app, "/api/v1/stock?sku=AUR-1", token).await;
    let line = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["warehouse_id"] == id)
        .unwrap_or_else(|| panic!("no line for warehouse {id}: {v}"));
    (
        line["available"].as_i64().unwrap(),
        line["on_hand"].as_i64().unwrap(),
    )
}

async fn post(app: &TestApp, path: &str, token: &str, body: &Value) -> reqwest::Response {
    app.post_json(path, Some(token), body).await
}

/// Checks out a cart of `quantity` lamps and pays it by bank transfer;
/// returns the order id.
async fn paid_order(w: &World, quantity: i64) -> i64 {
    let c = post_ok(
        &w.app,
        "/api/v1/carts",
        &w.seller,
        &cart(w.market, quantity),
        201,
    )
    .await;
    let o = post_ok(
        &w.app,
        &format!("/api/v1/carts/{}/checkout", c["id"]),
        &w.seller,
        &json!({}),
        201,
    )
    .await;
    let id = o["id"].as_i64().unwrap();
    let paid = post_ok(
        &w.app,
        &format!("/api/v1/orders/{id}/bank-transfer-confirmations"),
        &w.seller,
        &json!({"bank_reference": format!("TT-{id}")}),
        200,
    )
    .await;
    assert_eq!(paid["state"], "allocated");
    id
}

async fn order_to_delivery(app: TestApp) -> TestApp {
    let w = world(app).await;
    let app = &w.app;
    post_ok(
        app,
        "/api/v1/webhooks/subscriptions",
        &w.seller,
        &json!({"url": "https://hooks.lumi.example/chuhai", "events": ["shipment.shipped", "shipment.delivered"]}),
        201,
    )
    .await;

    // The cart is routed to Los Angeles (in market) and priced from its
    // USD card: 2 × 1,450 g = 2,900 g, billed 3,000 g in zone 5 (62704):
    // USD 7.90 + 5 × 1.60 = USD 15.90.
    let c = post_ok(app, "/api/v1/carts", &w.seller, &cart(w.market, 2), 201).await;
    let plan = &c["shipping"];
    assert_eq!(plan["packages"].as_array().unwrap().len(), 1, "{c}");
    let p = &plan["packages"][0];
    assert_eq!(p["warehouse_code"], "LAX-1");
    assert_eq!(p["service"], "USPS-GA");
    assert_eq!(p["carrier"], "USPS");
    assert_eq!(p["zone"], "US-Z5");
    assert_eq!(p["in_market"], true);
    assert_eq!(p["customs_mode"], Value::Null);
    assert_eq!(p["billed_weight_g"], 3000);
    assert_eq!(plan["price"], json!({"amount": "15.90", "currency": "USD"}));
    assert_eq!(c["totals"]["shipping"], plan["price"]);
    assert_eq!(
        plan["reason"],
        "chosen for fewer packages from outside the destination market"
    );
    assert!(
        plan["alternatives"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["warehouse_codes"] == json!(["SZX-LUMI"])),
        "{plan}"
    );
    let o = post_ok(
        app,
        &format!("/api/v1/carts/{}/checkout", c["id"]),
        &w.seller,
        &json!({}),
        201,
    )
    .await;
    let order = o["id"].as_i64().unwrap();
    assert_eq!(stock_at(app, &w.seller, w.lax).await, (3, 5));
    // Not paid: the warehouse does not see it, and no wave can be made.
    let ships = get(
        app,
        &format!("/api/v1/warehouses/{}/shipments", w.lax),
        &w.ops,
    )
    .await;
    assert_eq!(ships["items"], json!([]));
    let res = post(
        app,
        &format!("/api/v1/warehouses/{}/waves", w.lax),
        &w.ops,
        &json!({}),
    )
    .await;
    let prob = expect_problem(res, 422, "validation_failed").await;
    assert_eq!(prob["errors"][0]["field"], "cutoff");

    post_ok(
        app,
        &format!("/api/v1/orders/{order}/bank-transfer-confirmations"),
        &w.seller,
        &json!({"bank_reference": "TT-7"}),
        200,
    )
    .await;
    let routing = get(app, &format!("/api/v1/orders/{order}/routing"), &w.seller).await;
    assert_eq!(routing[0]["reason"], "checkout");
    assert_eq!(routing[0]["decision"]["explanation"]["won_on"], "in_market");
    let shipments = get(app, &format!("/api/v1/orders/{order}/shipments"), &w.seller).await;
    let sid = shipments[0]["id"].as_i64().unwrap();
    assert_eq!(shipments[0]["status"], "pending");
    assert_eq!(shipments[0]["warehouse_code"], "LAX-1");

    // Only the operator releases waves; a far cut-off takes the shipment.
    let res = post(
        app,
        &format!("/api/v1/warehouses/{}/waves", w.lax),
        &w.seller,
        &json!({}),
    )
    .await;
    expect_problem(res, 403, "forbidden").await;
    let res = post(
        app,
        &format!("/api/v1/warehouses/{}/waves", w.lax),
        &w.ops,
        &json!({"cutoff_at": "yesterday"}),
    )
    .await;
    let prob = expect_problem(res, 422, "validation_failed").await;
    assert_eq!(prob["errors"][0]["field"], "cutoff_at");
    let wave = post_ok(
        app,
        &format!("/api/v1/warehouses/{}/waves", w.lax),
        &w.ops,
        &json!({"cutoff_at": "2100-01-01T00:00:00Z"}),
        201,
    )
    .await;
    assert_eq!(wave["shipments"], json!([sid]));
    assert_eq!(
        wave["rows"],
        json!([{"seller_id": w.seller_id, "bin": "A-01", "lot": null, "sku": "AUR-1", "quantity": 2, "shipments": [sid]}])
    );

    // Shipping before packing is refused, naming the status.
    let res = post(
        app,
        &format!("/api/v1/shipments/{sid}/ship"),
        &w.ops,
        &json!({"tracking_number": "9400111899223344556677"}),
    )
    .await;
    let prob = expect_problem(res, 409, "illegal_transition").await;
    assert_eq!(prob["errors"][0]["reason"], "the shipment is picking");
    // A bad parcel is refused and changes nothing.
    let parcel = json!({"carton": "C-40x30x20", "weight_g": 0, "length_mm": 400, "width_mm": 300, "height_mm": 200});
    let res = post(
        app,
        &format!("/api/v1/shipments/{sid}/pack"),
        &w.ops,
        &parcel,
    )
    .await;
    let prob = expect_problem(res, 422, "validation_failed").await;
    assert_eq!(prob["errors"][0]["field"], "parcel.weight_g");
    let s = get(app, &format!("/api/v1/shipments/{sid}"), &w.ops).await;
    assert_eq!(s["status"], "picking");
    // The seller cannot pack at a warehouse it does not run.
    let mut good = parcel.clone();
    good["weight_g"] = json!(3120);
    let res = post(
        app,
        &format!("/api/v1/shipments/{sid}/pack"),
        &w.seller,
        &good,
    )
    .await;
    expect_problem(res, 403, "forbidden").await;
    let packed = post_ok(
        app,
        &format!("/api/v1/shipments/{sid}/pack"),
        &w.ops,
        &good,
        200,
    )
    .await;
    assert_eq!(packed["status"], "packed");
    assert_eq!(packed["parcel"]["weight_g"], 3120);
    // The two units left bin A-01 for the packing station.
    let book = app.store.warehouse_book(w.lax).await.unwrap();
    let in_bin: i64 = book
        .locations()
        .iter()
        .filter(|(k, _)| k.bin.as_ref().is_some_and(|b| b.as_str() == "A-01"))
        .map(|(_, n)| *n)
        .sum();
    assert_eq!(in_bin, 3);

    let res = post(
        app,
        &format!("/api/v1/shipments/{sid}/ship"),
        &w.ops,
        &json!({"tracking_number": "#1"}),
    )
    .await;
    let prob = expect_problem(res, 422, "validation_failed").await;
    assert_eq!(prob["errors"][0]["field"], "tracking_number");
    let shipped = post_ok(
        app,
        &format!("/api/v1/shipments/{sid}/ship"),
        &w.ops,
        &json!({"tracking_number": "9400 1118 9922 3344 5566 77"}),
        200,
    )
    .await;
    assert_eq!(shipped["status"], "shipped");
    assert_eq!(shipped["tracking_number"], "9400111899223344556677");
    // The hold is committed: the units left Los Angeles' stock.
    assert_eq!(stock_at(app, &w.seller, w.lax).await, (3, 3));
    let o = get(app, &format!("/api/v1/orders/{order}"), &w.seller).await;
    assert_eq!(o["state"], "shipped");
    let events: Vec<&str> = o["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["place", "pay", "allocate", "ship_all"]);
    // The seller sees the tracking on its order.
    let seen = get(app, &format!("/api/v1/shipments/{sid}"), &w.seller).await;
    assert_eq!(seen["tracking_number"], "9400111899223344556677");

    // Carrier events: in transit keeps it shipped; delivered delivers the order.
    let t = post_ok(
        app,
        &format!("/api/v1/shipments/{sid}/tracking-events"),
        &w.ops,
        &json!({"status": "in_transit", "location": "Los Angeles CA NDC"}),
        200,
    )
    .await;
    assert_eq!(t["status"], "shipped");
    post_ok(
        app,
        &format!("/api/v1/shipments/{sid}/tracking-events"),
        &w.ops,
        &json!({"status": "delivered", "location": "Springfield IL"}),
        200,
    )
    .await;
    let o = get(app, &format!("/api/v1/orders/{order}"), &w.seller).await;
    assert_eq!(o["state"], "delivered");
    let res = post(
        app,
        &format!("/api/v1/shipments/{sid}/tracking-events"),
        &w.ops,
        &json!({"status": "delivered"}),
    )
    .await;
    expect_problem(res, 409, "illegal_transition").await;

    // shipment.shipped and shipment.delivered went to the outbox.
    let d: Value = get(app, "/api/v1/webhooks/deliveries", &w.seller).await;
    let kinds: Vec<&str> = d
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["event"].as_str().unwrap_or(""))
        .collect();
    assert!(kinds.contains(&"shipment.shipped"), "{d}");
    assert!(kinds.contains(&"shipment.delivered"), "{d}");
    let report = app.store.verify_inventory().await.unwrap();
    assert!(report.is_clean(), "{report:?}");
    w.app
}

async fn reroute_and_refund(app: TestApp) -> TestApp {
    let w = world(app).await;
    let app = &w.app;
    let order = paid_order(&w, 2).await;
    let shipments = get(app, &format!("/api/v1/orders/{order}/shipments"), &w.seller).await;
    let sid = shipments[0]["id"].as_i64().unwrap();
    assert_eq!(shipments[0]["warehouse_code"], "LAX-1");
    assert_eq!(stock_at(app, &w.seller, w.lax).await, (3, 5));
    assert_eq!(stock_at(app, &w.seller, w.szx).await, (10, 10));

    // A SKU not in the shipment, or no reason, is refused.
    let res = post(
        app,
        &format!("/api/v1/shipments/{sid}/cannot-fulfil"),
        &w.ops,
        &json!({"skus": ["NOPE-1"], "reason": "water damage"}),
    )
    .await;
    let prob = expect_problem(res, 422, "validation_failed").await;
    assert_eq!(prob["errors"][0]["field"], "skus[0]");
    let res = post(
        app,
        &format!("/api/v1/shipments/{sid}/cannot-fulfil"),
        &w.ops,
        &json!({"reason": " "}),
    )
    .await;
    expect_problem(res, 422, "validation_failed").await;
    assert_eq!(stock_at(app, &w.seller, w.lax).await, (3, 5));

    // Los Angeles cannot ship it: it goes by air parcel from Shenzhen.
    let new = post_ok(
        app,
        &format!("/api/v1/shipments/{sid}/cannot-fulfil"),
        &w.ops,
        &json!({"reason": "water damage in aisle A"}),
        200,
    )
    .await;
    assert_eq!(new[0]["warehouse_code"], "SZX-LUMI", "{new}");
    assert_eq!(new[0]["customs_mode"], "9610");
    assert_eq!(stock_at(app, &w.seller, w.lax).await, (5, 5));
    assert_eq!(stock_at(app, &w.seller, w.szx).await, (8, 10));
    let old = get(app, &format!("/api/v1/shipments/{sid}"), &w.seller).await;
    assert_eq!(old["status"], "cancelled");
    let routing = get(app, &format!("/api/v1/orders/{order}/routing"), &w.seller).await;
    assert_eq!(routing.as_array().unwrap().len(), 2);
    assert_eq!(routing[1]["reason"], "reroute");
    assert_eq!(
        routing[1]["decision"]["exclusions"]["warehouses"],
        json!(["LAX-1"])
    );
    // Re-routing a cancelled shipment is refused.
    let res = post(
        app,
        &format!("/api/v1/shipments/{sid}/cannot-fulfil"),
        &w.ops,
        &json!({"reason": "again"}),
    )
    .await;
    expect_problem(res, 409, "illegal_transition").await;

    // Refunded before it ships: the new shipment is cancelled and its
    // units are back on sale.
    let o = get(app, &format!("/api/v1/orders/{order}"), &w.seller).await;
    post_ok(
        app,
        &format!("/api/v1/orders/{order}/refunds"),
        &w.seller,
        &json!({"amount": o["total"]}),
        201,
    )
    .await;
    let o = get(app, &format!("/api/v1/orders/{order}"), &w.seller).await;
    assert_eq!(o["state"], "refunded");
    assert_eq!(stock_at(app, &w.seller, w.szx).await, (10, 10));
    let s = get(
        app,
        &format!("/api/v1/shipments/{}", new[0]["id"]),
        &w.seller,
    )
    .await;
    assert_eq!(s["status"], "cancelled");
    let report = app.store.verify_inventory().await.unwrap();
    assert!(report.is_clean(), "{report:?}");
    w.app
}

async fn setups_are_checked_whole(app: TestApp) -> TestApp {
    let w = world(app).await;
    let app = &w.app;
    let path = format!("/api/v1/warehouses/{}/shipping", w.lax);
    let before = get(app, &path, &w.ops).await;
    // The seller it serves may read it, not change it.
    assert_eq!(
        get(app, &path, &w.seller).await["services"],
        before["services"]
    );
    let res = app
        .client
        .put(app.url(&path))
        .bearer_auth(&w.seller)
        .json(&usps_setup())
        .send()
        .await
        .unwrap();
    expect_problem(res, 403, "forbidden").await;
    // Each setup refused names its field, and changes nothing.
    let mut bad_service = usps_setup();
    bad_service["rates"][1]["service"] = json!("FEDEX-HD");
    let mut bad_step = usps_setup();
    bad_step["rates"][0]["pricing"]["step_weight"] = json!(0);
    let mut bad_days = usps_setup();
    bad_days["dispatch_days"] = json!(["monday", "monday"]);
    for (bad, field) in [
        (bad_service, "rates[1].service"),
        (bad_step, "rates[0].pricing.step_weight"),
        (bad_days, "dispatch_days[1]"),
    ] {
        let res = app
            .client
            .put(app.url(&path))
            .bearer_auth(&w.ops)
            .json(&bad)
            .send()
            .await
            .unwrap();
        let prob = expect_problem(res, 422, "validation_failed").await;
        assert_eq!(prob["errors"][0]["field"], field);
    }
    assert_eq!(get(app, &path, &w.ops).await, before);
    assert_eq!(
        before["dispatch_days"],
        json!(WEEK),
        "every day when the setup leaves them out"
    );

    // Parcels that leave only on the day three days from Los Angeles'
    // today wait three days, whatever the time: the estimate of the next
    // cart read counts them (US-Z5 transit 3–6 days).
    let la_now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
        - 480 * 60_000;
    let c = post_ok(app, "/api/v1/carts", &w.seller, &cart(w.market, 2), 201).await;
    // Every day: today before the 14:00 cut-off, else tomorrow.
    let handling = i64::from(la_now.rem_euclid(86_400_000) >= 14 * 3_600_000);
    assert_eq!(
        c["shipping"]["estimate_days"],
        json!({"min": 3 + handling, "max": 6 + handling}),
        "{c}"
    );
    let la_today = la_now.div_euclid(86_400_000);
    // 1970-01-01 was a Thursday.
    let in_three_days = WEEK[(la_today + 3 + 3).rem_euclid(7) as usize];
    let mut one_day = usps_setup();
    one_day["dispatch_days"] = json!([in_three_days]);
    put_shipping(app, &w.ops, w.lax, &one_day).await;
    let again = get(app, &format!("/api/v1/carts/{}", c["id"]), &w.seller).await;
    assert_eq!(
        again["shipping"]["estimate_days"],
        json!({"min": 6, "max": 9}),
        "{again}"
    );
    put_shipping(app, &w.ops, w.lax, &usps_setup()).await;

    // A new price is used at once by the next cart read.
    let c = post_ok(app, "/api/v1/carts", &w.seller, &cart(w.market, 2), 201).await;
    assert_eq!(c["shipping"]["price"]["amount"], "15.90");
    let mut dearer = usps_setup();
    dearer["rates"][1]["pricing"]["first_price_minor"] = json!(890);
    put_shipping(app, &w.ops, w.lax, &dearer).await;
    let again = get(app, &format!("/api/v1/carts/{}", c["id"]), &w.seller).await;
    assert_eq!(again["shipping"]["price"]["amount"], "16.90");

    // A cart the network cannot carry says why and cannot check out:
    // 40 lamps weigh 58 kg, over every service's limit.
    post_ok(
        app,
        &format!("/api/v1/warehouses/{}/entries", w.lax),
        &w.ops,
        &json!({"seller_id": w.seller_id, "sku": "AUR-1", "entry_type": "receipt", "quantity": 40, "bin": "A-02"}),
        201,
    )
    .await;
    let c = post_ok(app, "/api/v1/carts", &w.seller, &cart(w.market, 40), 201).await;
    assert_eq!(c["shipping"], Value::Null);
    assert_eq!(c["shipping_problem"]["code"], "over_weight", "{c}");
    let res = post(
        app,
        &format!("/api/v1/carts/{}/checkout", c["id"]),
        &w.seller,
        &json!({}),
    )
    .await;
    let prob = expect_problem(res, 422, "over_weight").await;
    assert_eq!(prob["errors"][0]["field"], "lines");
    assert_eq!(stock_at(app, &w.seller, w.lax).await, (45, 45));
    w.app
}

on_both_backends!(
    #[tokio::test]
    order_to_delivery: an_order_is_routed_picked_packed_shipped_and_delivered_on_sqlite, an_order_is_routed_picked_packed_shipped_and_delivered_on_postgres
);

on_both_backends!(
    #[tokio::test]
    reroute_and_refund: a_warehouse_that_cannot_fulfil_is_routed_around_on_sqlite, a_warehouse_that_cannot_fulfil_is_routed_around_on_postgres
);

#[tokio::test]
async fn shipping_setups_are_checked_whole_and_carts_say_why_they_cannot_ship() {
    setups_are_checked_whole(TestApp::spawn().await).await;
}
