//! Every route is documented, every documented route exists, and no route
//! shows one tenant's objects to another.

mod common;

use std::collections::BTreeSet;

use common::{expect_problem, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// (METHOD, path template) of every operation in the OpenAPI document.
fn documented_operations() -> BTreeSet<(String, String)> {
    let doc = serde_json::to_value(chuhai_web::api::openapi()).unwrap();
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                ops.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    ops
}

#[tokio::test]
async fn openapi_document_is_3_1_and_served() {
    let app = TestApp::spawn().await;
    let served: Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        served["openapi"].as_str().unwrap().starts_with("3.1."),
        "{}",
        served["openapi"]
    );
    assert_eq!(
        served,
        serde_json::to_value(chuhai_web::api::openapi()).unwrap()
    );
    assert!(served["components"]["securitySchemes"]["bearer"].is_object());
    let docs = app
        .client
        .get(app.url("/api/docs"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(docs.contains("/api/docs/swagger-ui-bundle.js"));
    assert!(
        !docs.contains("http://") && !docs.contains("https://"),
        "the docs page loads nothing from elsewhere"
    );
    let bundle = app
        .client
        .get(app.url("/api/docs/swagger-ui-bundle.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(bundle.status(), 200);
    assert!(bundle.bytes().await.unwrap().len() > 1_000_000);
}

#[tokio::test]
async fn every_documented_route_exists() {
    let app = TestApp::spawn().await;
    let ops = documented_operations();
    assert!(ops.len() >= 12, "{ops:?}");
    for (method, template) in &ops {
        let path = template
            .replace("{id}", "999")
            .replace("{user_id}", "999")
            .replace("{variant_id}", "999");
        let res = app
            .client
            .request(
                Method::from_bytes(method.as_bytes()).unwrap(),
                app.url(&path),
            )
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_ne!(
            res.status(),
            405,
            "{method} {template} is documented but not routed"
        );
        if res.status() == 404 {
            let body: Value = res.json().await.unwrap();
            assert_ne!(
                body["code"], "route_not_found",
                "{method} {template} is documented but not routed"
            );
        }
    }
}

/// Routes that name no tenant-owned object in their path.
const NOT_ADDRESSED: &[(&str, &str)] = &[
    ("GET", "/api/v1/me"),
    ("POST", "/api/v1/signup"),
    ("POST", "/api/v1/auth/tokens"),
    ("GET", "/api/v1/auth/tokens"),
    ("GET", "/api/v1/admin/organisations"),
    // The caller's own catalog, markets and prices, never another's.
    ("GET", "/api/v1/products"),
    ("POST", "/api/v1/products"),
    ("POST", "/api/v1/products/import"),
    ("GET", "/api/v1/products/export"),
    ("GET", "/api/v1/markets"),
    ("POST", "/api/v1/markets"),
    ("POST", "/api/v1/prices/derive"),
    ("GET", "/api/v1/fx/conversion"),
    ("POST", "/api/v1/export-shipments"),
    ("GET", "/api/v1/export-shipments"),
    ("GET", "/api/v1/customs/summary"),
    ("POST", "/api/v1/landed-cost/quotes"),
    ("POST", "/api/v1/landed-cost/net-price"),
    // Reference data shared by every organisation (written by the platform).
    ("GET", "/api/v1/landed-cost/rules"),
    ("POST", "/api/v1/landed-cost/rules"),
    ("GET", "/api/v1/landed-cost/tariff-lines"),
    ("POST", "/api/v1/landed-cost/tariff-lines"),
    // The caller's own warehouses, stock and shipments; a warehouse named
    // in a body is checked by the use case (tests/inventory.rs).
    ("GET", "/api/v1/warehouses"),
    ("POST", "/api/v1/warehouses"),
    ("GET", "/api/v1/stock"),
    ("POST", "/api/v1/reservations"),
    ("GET", "/api/v1/inbound-shipments"),
    ("POST", "/api/v1/inbound-shipments"),
    // The caller's own carts and orders.
    ("POST", "/api/v1/carts"),
    ("GET", "/api/v1/orders"),
    // The caller's own returns (and those coming to its warehouses) and
    // its own returns policy.
    ("GET", "/api/v1/returns"),
    ("GET", "/api/v1/returns-policy"),
    ("PUT", "/api/v1/returns-policy"),
    // The card provider's webhook: signed with the platform's secret; the
    // payment is found by the provider's id (tests/payments.rs).
    ("POST", "/api/v1/payments/card-provider/webhooks"),
    // The caller's own webhook subscriptions and deliveries.
    ("POST", "/api/v1/webhooks/subscriptions"),
    ("GET", "/api/v1/webhooks/subscriptions"),
    ("GET", "/api/v1/webhooks/deliveries"),
    // Reference data shared by every organisation.
    ("GET", "/api/v1/hs-codes"),
    ("GET", "/api/v1/hs-codes/{code}"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
];

#[tokio::test]
async fn another_tenants_objects_answer_404_on_every_route() {
    let app = TestApp::spawn().await;
    let a = app.tenant("tenant-a").await;
    let b = app.tenant("tenant-b").await;
    let (a_product, a_market) = common::seed_catalog(&app, &a).await;
    let a_job = chuhai_web::services::jobs::enqueue_import(
        &app.store,
        a.org_id,
        b"Handle,Title\n",
        chuhai_domain::money::Currency::CNY,
        false,
    )
    .await
    .unwrap()
    .id;
    let mut shipment: Value =
        serde_json::from_str(include_str!("fixtures/shipment-b2c-de.json")).unwrap();
    // Only lamps are in the nomenclature seed_catalog loads.
    shipment["shipment"]["items"][1]["gcode"] = json!("9405420000");
    let a_shipment: Value = app
        .post_json("/api/v1/export-shipments", Some(&a.token), &shipment)
        .await
        .json()
        .await
        .unwrap();
    let a_shipment = a_shipment["id"].as_i64().unwrap().to_string();
    let inv = common::seed_inventory(&app, &a).await;
    common::load_trade_rules(&app).await;
    common::put_shipping(&app, &a.token, inv.warehouse, &common::air_parcel_setup()).await;
    let cart_body = json!({"market_id": a_market, "lines": [{"variant_id": a_product.1, "quantity": 1}],
        "address": {"name": "Ada", "line1": "1 Main St", "city": "Springfield", "postal_code": "62704", "country": "US"}});
    let a_cart = common::post_ok(&app, "/api/v1/carts", &a.token, &cart_body, 201).await["id"]
        .as_i64()
        .unwrap();
    let ordered = common::post_ok(&app, "/api/v1/carts", &a.token, &cart_body, 201).await["id"]
        .as_i64()
        .unwrap();
    let a_order = common::post_ok(
        &app,
        &format!("/api/v1/carts/{ordered}/checkout"),
        &a.token,
        &json!({}),
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let a_parcel = app.store.order_shipments(a_order).await.unwrap()[0].id;
    // A paid order of A's, released in a wave at A's own warehouse.
    let waved = common::post_ok(&app, "/api/v1/carts", &a.token, &cart_body, 201).await["id"]
        .as_i64()
        .unwrap();
    let paid = common::post_ok(
        &app,
        &format!("/api/v1/carts/{waved}/checkout"),
        &a.token,
        &json!({}),
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    common::post_ok(
        &app,
        &format!("/api/v1/orders/{paid}/bank-transfer-confirmations"),
        &a.token,
        &json!({"bank_reference": "TT-A"}),
        200,
    )
    .await;
    let a_wave = common::post_ok(
        &app,
        &format!("/api/v1/warehouses/{}/waves", inv.warehouse),
        &a.token,
        &json!({"cutoff_at": "2100-01-01T00:00:00Z"}),
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    // A return of another of A's orders, delivered.
    let returned = common::post_ok(&app, "/api/v1/carts", &a.token, &cart_body, 201).await["id"]
        .as_i64()
        .unwrap();
    let a_returned_order = common::post_ok(
        &app,
        &format!("/api/v1/carts/{returned}/checkout"),
        &a.token,
        &json!({}),
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    // Paying allocates it (its routing was decided at checkout).
    for (event, from, to) in [
        ("pay", "placed", "paid"),
        ("ship_all", "allocated", "shipped"),
        ("deliver", "shipped", "delivered"),
    ] {
        app.store
            .transition_order(
                a.org_id,
                a_returned_order,
                &chuhai_store::orders::OrderTransition {
                    event,
                    from_state: from,
                    to_state: to,
                    user_id: Some(a.user_id),
                    detail: None,
                    holds: chuhai_store::orders::HoldAction::Keep,
                },
                0,
            )
            .await
            .unwrap();
    }
    let a_return = app
        .store
        .create_return(
            &chuhai_store::returns::NewReturn {
                seller_id: a.org_id,
                order_id: a_returned_order,
                order_states: vec!["delivered".into()],
                reason: "defective".into(),
                note: None,
                warehouse_id: inv.warehouse,
                policy: serde_json::to_string(&chuhai_domain::returns::ReturnsPolicy::default())
                    .unwrap(),
                currency: "USD".into(),
                amounts: chuhai_store::returns::ReturnAmounts {
                    goods_minor: 100,
                    import_charges_minor: 0,
                    shipping_minor: 0,
                    restocking_fee_minor: 0,
                    refund_minor: 100,
                },
                lines: vec![("AUR-1".into(), 1)],
                claimed_before: Default::default(),
                user_id: Some(a.user_id),
            },
            0,
        )
        .await
        .unwrap()
        .id;
    let a_hook = common::post_ok(
        &app,
        "/api/v1/webhooks/subscriptions",
        &a.token,
        &json!({"url": "https://hooks.tenant-a.example/in", "events": ["order.paid"]}),
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let mut checked = 0;
    for (method, template) in documented_operations() {
        if NOT_ADDRESSED.contains(&(method.as_str(), template.as_str())) {
            continue;
        }
        // Fill the path with tenant A's ids; every new route must say here
        // which of A's objects it addresses.
        let member = json!({"email": "intruder@tenant-b.example", "display_name": "Intruder", "password": common::PASSWORD});
        // Each body is valid, so that only ownership can refuse it.
        let (path, body) = match template.as_str() {
            "/api/v1/organisations/{id}" | "/api/v1/organisations/{id}/users" => {
                (template.replace("{id}", &a.org_id.to_string()), member)
            }
            "/api/v1/organisations/{id}/users/{user_id}" => (
                template
                    .replace("{id}", &a.org_id.to_string())
                    .replace("{user_id}", &a.user_id.to_string()),
                member,
            ),
            "/api/v1/auth/tokens/{id}" => {
                (template.replace("{id}", &a.token_id.to_string()), member)
            }
            "/api/v1/products/{id}" => (template.replace("{id}", &a_product.0.to_string()), member),
            "/api/v1/variants/{id}/price" => (
                format!(
                    "{}?market={}",
                    template.replace("{id}", &a_product.1.to_string()),
                    a_market
                ),
                member,
            ),
            "/api/v1/markets/{id}/price-lists" => (
                template.replace("{id}", &a_market.to_string()),
                json!({"name": "Sale", "starts_on": "2026-11-11", "ends_before": "2026-11-12"}),
            ),
            "/api/v1/markets/{id}/variants/{variant_id}/pricing" => (
                template
                    .replace("{id}", &a_market.to_string())
                    .replace("{variant_id}", &a_product.1.to_string()),
                json!({"tiers": []}),
            ),
            "/api/v1/markets/{id}/google-feed" => (
                format!(
                    "{}?storefront_url=https://shop.example",
                    template.replace("{id}", &a_market.to_string())
                ),
                member.clone(),
            ),
            "/api/v1/jobs/{id}" => (template.replace("{id}", &a_job.to_string()), member.clone()),
            "/api/v1/variants/{id}/order-rules" => (
                template.replace("{id}", &a_product.1.to_string()),
                json!({"moq": 1, "pack_size": 1, "increment": 1}),
            ),
            "/api/v1/export-shipments/{id}" => {
                (template.replace("{id}", &a_shipment), member.clone())
            }
            "/api/v1/export-shipments/{id}/messages/{kind}" => (
                template
                    .replace("{id}", &a_shipment)
                    .replace("{kind}", "ceb303"),
                member.clone(),
            ),
            "/api/v1/export-shipments/{id}/documents/{kind}" => (
                template
                    .replace("{id}", &a_shipment)
                    .replace("{kind}", "commercial-invoice"),
                member.clone(),
            ),
            "/api/v1/warehouses/{id}"
            | "/api/v1/warehouses/{id}/stock"
            | "/api/v1/warehouses/{id}/ledger"
            | "/api/v1/warehouses/{id}/age"
            | "/api/v1/warehouses/{id}/slow-movers" => (
                template.replace("{id}", &inv.warehouse.to_string()),
                member.clone(),
            ),
            "/api/v1/warehouses/{id}/storage-invoice" => (
                format!(
                    "{}?month=2026-10",
                    template.replace("{id}", &inv.warehouse.to_string())
                ),
                member.clone(),
            ),
            "/api/v1/warehouses/{id}/sellers" => (
                template.replace("{id}", &inv.warehouse.to_string()),
                json!({"seller": "tenant-b"}),
            ),
            "/api/v1/warehouses/{id}/bins" => (
                template.replace("{id}", &inv.warehouse.to_string()),
                json!({"codes": ["B-01"]}),
            ),
            "/api/v1/warehouses/{id}/entries" => (
                template.replace("{id}", &inv.warehouse.to_string()),
                json!({"sku": "AUR-1", "entry_type": "receipt", "quantity": 1}),
            ),
            "/api/v1/warehouses/{id}/counts" => (
                template.replace("{id}", &inv.warehouse.to_string()),
                json!({"reference": "CC-9", "scope": {"by": "bin", "bin": null}, "lines": []}),
            ),
            "/api/v1/warehouses/{id}/storage-fee-rules" => (
                template.replace("{id}", &inv.warehouse.to_string()),
                json!({"price_per_m3_day": {"amount": "0.45", "currency": "USD"}}),
            ),
            "/api/v1/warehouses/{id}/storage-fee-rules/versions" => (
                template.replace("{id}", &inv.warehouse.to_string()),
                json!({"valid_from": "2099-01-01", "rules": {"price_per_m3_day": {"amount": "0.45", "currency": "USD"}}}),
            ),
            "/api/v1/reservations/{id}"
            | "/api/v1/reservations/{id}/release"
            | "/api/v1/reservations/{id}/commit" => (
                template.replace("{id}", &inv.reservation.to_string()),
                json!({}),
            ),
            "/api/v1/inbound-shipments/{id}"
            | "/api/v1/inbound-shipments/{id}/ship"
            | "/api/v1/inbound-shipments/{id}/arrive"
            | "/api/v1/inbound-shipments/{id}/close" => (
                template.replace("{id}", &inv.inbound.to_string()),
                json!({}),
            ),
            "/api/v1/inbound-shipments/{id}/receive" => (
                template.replace("{id}", &inv.inbound.to_string()),
                json!({"lines": [{"carton_no": "CTN-1", "sku": "AUR-1", "received": 4}]}),
            ),
            "/api/v1/counts/{id}" | "/api/v1/counts/{id}/post" => {
                (template.replace("{id}", &inv.count.to_string()), json!({}))
            }
            "/api/v1/carts/{id}" | "/api/v1/carts/{id}/checkout" => {
                (template.replace("{id}", &a_cart.to_string()), json!({}))
            }
            "/api/v1/carts/{id}/lines" => (
                template.replace("{id}", &a_cart.to_string()),
                json!({"sku": "AUR-1", "quantity": 2}),
            ),
            "/api/v1/carts/{id}/address" => (
                template.replace("{id}", &a_cart.to_string()),
                cart_body["address"].clone(),
            ),
            "/api/v1/orders/{id}" | "/api/v1/orders/{id}/cancel" => {
                (template.replace("{id}", &a_order.to_string()), json!({}))
            }
            "/api/v1/orders/{id}/payments" => (
                template.replace("{id}", &a_order.to_string()),
                json!({"method": "card"}),
            ),
            "/api/v1/orders/{id}/refunds" => (
                template.replace("{id}", &a_order.to_string()),
                json!({"amount": {"amount": "1.00", "currency": "USD"}}),
            ),
            "/api/v1/orders/{id}/bank-transfer-confirmations" => (
                template.replace("{id}", &a_order.to_string()),
                json!({"bank_reference": "TT-1"}),
            ),
            "/api/v1/orders/{id}/shipments" | "/api/v1/orders/{id}/routing" => {
                (template.replace("{id}", &a_order.to_string()), json!({}))
            }
            "/api/v1/warehouses/{id}/shipping" => (
                template.replace("{id}", &inv.warehouse.to_string()),
                common::air_parcel_setup(),
            ),
            "/api/v1/warehouses/{id}/shipments" | "/api/v1/warehouses/{id}/waves" => (
                template.replace("{id}", &inv.warehouse.to_string()),
                json!({}),
            ),
            "/api/v1/warehouses/{id}/waves/{wave_id}" => (
                template
                    .replace("{id}", &inv.warehouse.to_string())
                    .replace("{wave_id}", &a_wave.to_string()),
                json!({}),
            ),
            "/api/v1/shipments/{id}" => {
                (template.replace("{id}", &a_parcel.to_string()), json!({}))
            }
            "/api/v1/shipments/{id}/pack" => (
                template.replace("{id}", &a_parcel.to_string()),
                json!({"carton": "C-1", "weight_g": 1500, "length_mm": 300, "width_mm": 200, "height_mm": 150}),
            ),
            "/api/v1/shipments/{id}/ship" => (
                template.replace("{id}", &a_parcel.to_string()),
                json!({"tracking_number": "LX123456789CN"}),
            ),
            "/api/v1/shipments/{id}/tracking-events" => (
                template.replace("{id}", &a_parcel.to_string()),
                json!({"status": "in_transit"}),
            ),
            "/api/v1/shipments/{id}/cannot-fulfil" => (
                template.replace("{id}", &a_parcel.to_string()),
                json!({"reason": "damaged"}),
            ),
            "/api/v1/orders/{id}/returns" => (
                template.replace("{id}", &a_returned_order.to_string()),
                json!({"reason": "defective", "warehouse_id": inv.warehouse,
                       "lines": [{"sku": "AUR-1", "quantity": 1}]}),
            ),
            "/api/v1/returns/{id}"
            | "/api/v1/returns/{id}/authorise"
            | "/api/v1/returns/{id}/reject"
            | "/api/v1/returns/{id}/close"
            | "/api/v1/returns/{id}/receipt"
            | "/api/v1/returns/{id}/refund" => {
                (template.replace("{id}", &a_return.to_string()), json!({}))
            }
            "/api/v1/returns/{id}/inspection" => (
                template.replace("{id}", &a_return.to_string()),
                json!({"lines": [{"sku": "AUR-1", "disposition": "restock", "quantity": 1}]}),
            ),
            "/api/v1/webhooks/subscriptions/{id}" => {
                (template.replace("{id}", &a_hook.to_string()), json!({}))
            }
            other => panic!("{method} {other} has no tenant-isolation case: add one here"),
        };
        let res = app
            .client
            .request(
                Method::from_bytes(method.as_bytes()).unwrap(),
                app.url(&path),
            )
            .bearer_auth(&b.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let p = expect_problem(res, 404, "not_found").await;
        assert!(
            !p.to_string().contains("tenant-a"),
            "{method} {path} leaked: {p}"
        );
        checked += 1;
    }
    assert_eq!(checked, 74);
    // A's order was neither paid nor cancelled by B.
    let order: Value = app
        .get(&format!("/api/v1/orders/{a_order}"), &a.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(order["state"], "placed");
    // A's return was neither decided, received nor refunded by B.
    let r: Value = app
        .get(&format!("/api/v1/returns/{a_return}"), &a.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["status"], "requested");
    // A's subscription was not deleted by B.
    let hooks: Value = app
        .get("/api/v1/webhooks/subscriptions", &a.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(hooks[0]["id"], a_hook);
    // A's token still works and was not revoked by B's DELETE.
    assert_eq!(app.get("/api/v1/me", &a.token).await.status(), 200);
    // Listings show B only its own.
    let list: Value = app
        .get("/api/v1/auth/tokens", &b.token)
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [b.token_id]);
    let me: Value = app.get("/api/v1/me", &b.token).await.json().await.unwrap();
    assert_eq!(me["organisation"]["id"], b.org_id);
}

#[tokio::test]
async fn not_addressed_list_names_only_documented_routes() {
    let ops = documented_operations();
    for (m, p) in NOT_ADDRESSED {
        assert!(
            ops.contains(&(m.to_string(), p.to_string())),
            "{m} {p} is not documented"
        );
    }
}
