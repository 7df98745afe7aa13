//! Warehouses and stock over the API: a 3PL serving a seller, an ASN from
//! draft to closed with its discrepancies, putaway, reservations, counts,
//! ages, storage fees and slow movers, and bad input refused naming the
//! field with nothing posted.

mod common;

use common::{
    expect_problem, operator, post_ok, product_json, seed_catalog, warehouse_json, Tenant, TestApp,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn get_json(app: &TestApp, path: &str, token: &str) -> Value {
    let res = app.get(path, token).await;
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "GET {path}: {text}");
    serde_json::from_str(&text).unwrap()
}

/// How many ledger entries the operator sees at a warehouse.
async fn ledger_len(app: &TestApp, warehouse: i64, token: &str) -> usize {
    get_json(
        app,
        &format!("/api/v1/warehouses/{warehouse}/ledger?limit=200"),
        token,
    )
    .await["items"]
        .as_array()
        .unwrap()
        .len()
}

/// A seller "lumi" (catalog with AUR-1) served by a 3PL "pacific" from an
/// overseas warehouse LAX-1 with bins.
struct Setup {
    app: TestApp,
    seller: Tenant,
    ops: Tenant,
    lax: i64,
}

async fn setup() -> Setup {
    let app = TestApp::spawn().await;
    let seller = app.tenant("lumi").await;
    seed_catalog(&app, &seller).await;
    let ops = operator(&app, "pacific").await;
    let w = post_ok(
        &app,
        "/api/v1/warehouses",
        &ops.token,
        &warehouse_json("overseas", "LAX-1", "US", &["A-01", "A-02"]),
        201,
    )
    .await;
    assert_eq!(w["bins"], json!(["A-01", "A-02"]));
    assert_eq!(w["role"], "operator");
    let lax = w["id"].as_i64().unwrap();
    let served = post_ok(
        &app,
        &format!("/api/v1/warehouses/{lax}/sellers"),
        &ops.token,
        &json!({"seller": "lumi"}),
        200,
    )
    .await;
    assert_eq!(served["seller_ids"], json!([seller.org_id]));
    Setup {
        app,
        seller,
        ops,
        lax,
    }
}

#[tokio::test]
async fn an_asn_shipped_to_a_3pl_is_received_into_stock_with_its_discrepancies() {
    let Setup {
        app,
        seller,
        ops,
        lax,
    } = setup().await;
    // The seller sees the warehouse serving it.
    let list = get_json(&app, "/api/v1/warehouses", &seller.token).await;
    assert_eq!(list["items"][0]["code"], "LAX-1");
    assert_eq!(list["items"][0]["role"], "seller");
    assert_eq!(list["items"][0]["latitude"], "34.0420");
    // A second SKU in the catalog.
    post_ok(
        &app,
        "/api/v1/products",
        &seller.token,
        &product_json("halo-bulb", "HALO-1", "39.00"),
        201,
    )
    .await;
    let asn = post_ok(
        &app,
        "/api/v1/inbound-shipments",
        &seller.token,
        &json!({
            "reference": "ASN-2026-0042", "origin": "Shenzhen, Yantian port",
            "destination_warehouse_id": lax, "mode": "sea", "carrier": "COSCO",
            "container_no": "CSNU1234565", "etd": "2026-10-02", "eta": "2026-11-03",
            "cartons": [
                {"carton_no": "CTN-1", "lines": [{"sku": "AUR-1", "quantity": 20}, {"sku": "HALO-1", "quantity": 10}]},
                {"carton_no": "CTN-2", "lines": [{"sku": "AUR-1", "quantity": 20}]}
            ]
        }),
        201,
    )
    .await;
    assert_eq!(asn["status"], "draft");
    let id = asn["id"].as_i64().unwrap();
    // Shipped: in transit at LAX with the ETA.
    let shipped = post_ok(
        &app,
        &format!("/api/v1/inbound-shipments/{id}/ship"),
        &seller.token,
        &json!({}),
        200,
    )
    .await;
    assert_eq!(shipped["status"], "shipped");
    let stock = get_json(&app, "/api/v1/stock?sku=AUR-1", &seller.token).await;
    assert_eq!(stock["items"][0]["warehouse_code"], "LAX-1");
    assert_eq!(stock["items"][0]["in_transit"], 40);
    assert_eq!(stock["items"][0]["available"], 0);
    assert_eq!(stock["items"][0]["next_eta"], "2026-11-03");
    // One SKU's stock has the same lines and totals as the whole listing.
    let all = get_json(&app, "/api/v1/stock", &seller.token).await;
    let of_aur: Vec<&Value> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["sku"] == "AUR-1")
        .collect();
    assert_eq!(
        stock["items"]
            .as_array()
            .unwrap()
            .iter()
            .collect::<Vec<_>>(),
        of_aur
    );
    assert_eq!(stock["totals"]["in_transit"], 40);
    assert_eq!(stock["items"][0]["warehouse_name"], "Warehouse LAX-1");
    assert_eq!(stock["items"][0]["country"], "US");
    // The seller may not receive at the 3PL's warehouse.
    let res = app
        .post_json(
            &format!("/api/v1/inbound-shipments/{id}/receive"),
            Some(&seller.token),
            &json!({"lines": [{"carton_no": "CTN-1", "sku": "AUR-1", "received": 20}]}),
        )
        .await;
    expect_problem(res, 403, "forbidden").await;
    // Receiving before arrival is refused.
    let res = app
        .post_json(
            &format!("/api/v1/inbound-shipments/{id}/receive"),
            Some(&ops.token),
            &json!({"lines": [{"carton_no": "CTN-1", "sku": "AUR-1", "received": 20}]}),
        )
        .await;
    let p = expect_problem(res, 409, "invalid_status").await;
    assert_eq!(p["errors"][0]["field"], "status");
    post_ok(
        &app,
        &format!("/api/v1/inbound-shipments/{id}/arrive"),
        &ops.token,
        &json!({}),
        200,
    )
    .await;
    let receiving = post_ok(
        &app,
        &format!("/api/v1/inbound-shipments/{id}/receive"),
        &ops.token,
        &json!({"lines": [
            {"carton_no": "CTN-1", "sku": "AUR-1", "received": 20},
            {"carton_no": "CTN-1", "sku": "HALO-1", "received": 11},
            {"carton_no": "CTN-2", "sku": "AUR-1", "received": 16, "damaged": 2}
        ]}),
        200,
    )
    .await;
    assert_eq!(receiving["status"], "receiving");
    assert_eq!(receiving["cartons"][1]["lines"][0]["short"], 2);
    assert_eq!(receiving["cartons"][0]["lines"][1]["over"], 1);
    let closed = post_ok(
        &app,
        &format!("/api/v1/inbound-shipments/{id}/close"),
        &ops.token,
        &json!({}),
        200,
    )
    .await;
    assert_eq!(closed["status"], "closed");
    let d = &closed["discrepancies"];
    assert_eq!(
        (
            &d["expected"],
            &d["received"],
            &d["damaged"],
            &d["short"],
            &d["over"]
        ),
        (&json!(50), &json!(47), &json!(2), &json!(2), &json!(1))
    );
    // In transit became available (less damaged and short).
    let stock = get_json(&app, "/api/v1/stock?sku=AUR-1", &seller.token).await;
    let line = &stock["items"][0];
    assert_eq!(
        (
            &line["on_hand"],
            &line["available"],
            &line["in_transit"],
            &line["damaged"]
        ),
        (&json!(36), &json!(36), &json!(0), &json!(2))
    );
    assert_eq!(line["next_eta"], Value::Null);
    // A closed ASN takes no more counts, and nothing more is posted.
    let before = ledger_len(&app, lax, &ops.token).await;
    let res = app
        .post_json(
            &format!("/api/v1/inbound-shipments/{id}/receive"),
            Some(&ops.token),
            &json!({"lines": [{"carton_no": "CTN-2", "sku": "AUR-1", "received": 20}]}),
        )
        .await;
    let p = expect_problem(res, 409, "invalid_status").await;
    assert!(p["detail"].as_str().unwrap().contains("closed"), "{p}");
    assert_eq!(ledger_len(&app, lax, &ops.token).await, before);
    // The operator sees the seller's stock at its warehouse.
    let at_lax = get_json(&app, &format!("/api/v1/warehouses/{lax}/stock"), &ops.token).await;
    assert_eq!(at_lax["totals"]["on_hand"], 36 + 11);
    // Putaway into a bin of this warehouse.
    let put = post_ok(
        &app,
        &format!("/api/v1/warehouses/{lax}/entries"),
        &ops.token,
        &json!({"seller_id": seller.org_id, "sku": "AUR-1", "entry_type": "putaway", "quantity": 30, "bin": "a-01"}),
        201,
    )
    .await;
    assert_eq!(put["bin"], "A-01");
    assert_eq!(put["entry_type"], "putaway");
}

#[tokio::test]
async fn bad_input_is_refused_naming_the_field_and_nothing_is_posted() {
    let Setup {
        app,
        seller,
        ops,
        lax,
    } = setup().await;
    let other = post_ok(
        &app,
        "/api/v1/warehouses",
        &ops.token,
        &warehouse_json("overseas", "EWR-1", "US", &["Z-99"]),
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let entries = format!("/api/v1/warehouses/{lax}/entries");
    post_ok(
        &app,
        &entries,
        &ops.token,
        &json!({"seller_id": seller.org_id, "sku": "AUR-1", "entry_type": "receipt", "quantity": 10}),
        201,
    )
    .await;
    let start = ledger_len(&app, lax, &ops.token).await;
    let base =
        json!({"seller_id": seller.org_id, "sku": "AUR-1", "entry_type": "receipt", "quantity": 5});
    let with = |patch: Value| {
        let mut b = base.clone();
        for (k, v) in patch.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    let cases = [
        (with(json!({"quantity": 0})), 422, "quantity"),
        (with(json!({"quantity": -3})), 422, "quantity"),
        (with(json!({"sku": "NOT-MINE"})), 422, "sku"),
        (
            with(json!({"entry_type": "adjustment_out", "quantity": 1})),
            422,
            "reason_code",
        ),
        (
            with(json!({"entry_type": "putaway", "bin": "Z-99"})),
            422,
            "bin",
        ),
        (
            with(json!({"entry_type": "reservation"})),
            422,
            "entry_type",
        ),
        (with(json!({"reason_code": "Lost"})), 422, "reason_code"),
        (
            with(json!({"entry_type": "ship", "quantity": 11})),
            409,
            "quantity",
        ),
    ];
    for (body, status, field) in cases {
        let res = app.post_json(&entries, Some(&ops.token), &body).await;
        let code = if status == 409 {
            "insufficient_stock"
        } else {
            "validation_failed"
        };
        let p = expect_problem(res, status, code).await;
        assert_eq!(p["errors"][0]["field"], field, "{body}: {p}");
    }
    // A seller the warehouse does not serve.
    let stranger = app.tenant("stranger").await;
    let res = app
        .post_json(
            &entries,
            Some(&ops.token),
            &with(json!({"seller_id": stranger.org_id})),
        )
        .await;
    let p = expect_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "seller_id");
    // Another tenant's warehouse answers 404, to a seller and to a 3PL.
    let rival = operator(&app, "rival").await;
    for token in [&stranger.token, &rival.token] {
        let res = app.post_json(&entries, Some(token), &base).await;
        expect_problem(res, 404, "not_found").await;
        let res = app
            .post_json(
                "/api/v1/reservations",
                Some(token),
                &json!({"warehouse_id": lax, "sku": "AUR-1", "quantity": 1,
                        "reference": {"kind": "order", "id": "SO-1"}}),
            )
            .await;
        expect_problem(res, 404, "not_found").await;
    }
    // A served seller may look but not move stock at the 3PL's warehouse.
    let res = app.post_json(&entries, Some(&seller.token), &base).await;
    expect_problem(res, 403, "forbidden").await;
    // An ASN with a SKU the seller does not own, a zero quantity, to a
    // warehouse that does not serve it.
    let asn = |dest: i64, sku: &str, q: i64| {
        json!({"reference": "ASN-X", "origin": "Shenzhen", "destination_warehouse_id": dest,
               "mode": "air", "carrier": "CA Cargo",
               "cartons": [{"carton_no": "C1", "lines": [{"sku": sku, "quantity": q}]}]})
    };
    let p = expect_problem(
        app.post_json(
            "/api/v1/inbound-shipments",
            Some(&seller.token),
            &asn(lax, "NOT-MINE", 5),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "cartons[0].lines[0].sku");
    let p = expect_problem(
        app.post_json(
            "/api/v1/inbound-shipments",
            Some(&seller.token),
            &asn(lax, "AUR-1", 0),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "cartons[0].lines[0].quantity");
    expect_problem(
        app.post_json(
            "/api/v1/inbound-shipments",
            Some(&seller.token),
            &asn(other, "AUR-1", 5),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    let p = expect_problem(
        app.post_json(
            "/api/v1/inbound-shipments",
            Some(&seller.token),
            &json!({"reference": "ASN-Y", "origin": "Shenzhen", "destination_warehouse_id": lax,
                    "mode": "boat", "carrier": "X", "cartons": []}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "mode");
    // A warehouse with bad facts names every field.
    let mut bad = warehouse_json("overseas", "lax 2", "US", &["ok", "not a bin"]);
    bad["latitude"] = json!("91");
    bad["cutoff_time"] = json!("25:00");
    let p = expect_problem(
        app.post_json("/api/v1/warehouses", Some(&ops.token), &bad)
            .await,
        422,
        "validation_failed",
    )
    .await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["code", "latitude", "cutoff_time", "bins[1]"]);
    // A seller cannot add an overseas warehouse.
    let p = expect_problem(
        app.post_json(
            "/api/v1/warehouses",
            Some(&seller.token),
            &warehouse_json("overseas", "MINE-1", "US", &[]),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "kind");
    // A read-only token cannot post.
    let (read_only, _) = app.token(&ops.email, Some(&["inventory:read"])).await;
    expect_problem(
        app.post_json(&entries, Some(&read_only), &base).await,
        403,
        "forbidden",
    )
    .await;
    assert_eq!(ledger_len(&app, lax, &ops.token).await, start);
    let stock = get_json(&app, "/api/v1/stock?sku=AUR-1", &seller.token).await;
    assert_eq!(stock["totals"]["on_hand"], 10);
}

#[tokio::test]
async fn reservations_are_held_released_committed_and_expire() {
    let Setup {
        app,
        seller,
        ops,
        lax,
    } = setup().await;
    post_ok(
        &app,
        &format!("/api/v1/warehouses/{lax}/entries"),
        &ops.token,
        &json!({"seller_id": seller.org_id, "sku": "AUR-1", "entry_type": "receipt", "quantity": 10}),
        201,
    )
    .await;
    let reserve = |q: i64, id: &str, expires: Option<i64>| {
        let mut b = json!({"warehouse_id": lax, "sku": "AUR-1", "quantity": q,
                           "reference": {"kind": "checkout", "id": id}});
        if let Some(e) = expires {
            b["expires_in_seconds"] = json!(e);
        }
        b
    };
    let held = post_ok(
        &app,
        "/api/v1/reservations",
        &seller.token,
        &reserve(7, "C-1", None),
        201,
    )
    .await;
    assert_eq!(held["status"], "held");
    let p = expect_problem(
        app.post_json(
            "/api/v1/reservations",
            Some(&seller.token),
            &reserve(4, "C-2", None),
        )
        .await,
        409,
        "insufficient_stock",
    )
    .await;
    assert!(
        p["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("only 3 available"),
        "{p}"
    );
    let id = held["id"].as_i64().unwrap();
    let part = post_ok(
        &app,
        &format!("/api/v1/reservations/{id}/commit"),
        &seller.token,
        &json!({"quantity": 2}),
        200,
    )
    .await;
    assert_eq!(
        (&part["status"], &part["quantity"]),
        (&json!("held"), &json!(5))
    );
    let released = post_ok(
        &app,
        &format!("/api/v1/reservations/{id}/release"),
        &seller.token,
        &json!({}),
        200,
    )
    .await;
    assert_eq!(released["status"], "released");
    expect_problem(
        app.post_json(
            &format!("/api/v1/reservations/{id}/release"),
            Some(&seller.token),
            &json!({}),
        )
        .await,
        409,
        "invalid_status",
    )
    .await;
    let stock = get_json(&app, "/api/v1/stock?sku=AUR-1", &seller.token).await;
    assert_eq!(
        (&stock["totals"]["on_hand"], &stock["totals"]["available"]),
        (&json!(8), &json!(8))
    );
    // A checkout hold lapses and the sweeper gives its units back.
    let hold = post_ok(
        &app,
        "/api/v1/reservations",
        &seller.token,
        &reserve(8, "C-3", Some(1)),
        201,
    )
    .await;
    assert!(hold["expires_at"].is_string());
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let swept = app
        .store
        .sweep_expired_holds(chuhai_web::time::now_millis(), 100)
        .await
        .unwrap();
    assert_eq!(swept, 1);
    let h = get_json(
        &app,
        &format!("/api/v1/reservations/{}", hold["id"]),
        &seller.token,
    )
    .await;
    assert_eq!(h["status"], "expired");
    let stock = get_json(&app, "/api/v1/stock?sku=AUR-1", &seller.token).await;
    assert_eq!(stock["totals"]["available"], 8);
    // An order hold must name an order or checkout.
    let mut bad = reserve(1, "X", None);
    bad["reference"]["kind"] = json!("asn");
    let p = expect_problem(
        app.post_json("/api/v1/reservations", Some(&seller.token), &bad)
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "reference.kind");
}

#[tokio::test]
async fn cycle_counts_are_reviewed_before_posting() {
    let Setup {
        app,
        seller,
        ops,
        lax,
    } = setup().await;
    let entries = format!("/api/v1/warehouses/{lax}/entries");
    for body in [
        json!({"seller_id": seller.org_id, "sku": "AUR-1", "entry_type": "receipt", "quantity": 10}),
        json!({"seller_id": seller.org_id, "sku": "AUR-1", "entry_type": "putaway", "quantity": 6, "bin": "A-01"}),
    ] {
        post_ok(&app, &entries, &ops.token, &body, 201).await;
    }
    let count = |reference: &str, counted: i64| {
        json!({"reference": reference, "scope": {"by": "bin", "bin": "A-01"}, "blind": true,
               "lines": [{"seller_id": seller.org_id, "sku": "AUR-1", "bin": "A-01", "counted": counted}]})
    };
    let counts = format!("/api/v1/warehouses/{lax}/counts");
    let c = post_ok(&app, &counts, &ops.token, &count("CC-1", 5), 201).await;
    assert_eq!(c["status"], "review");
    let line = &c["review"]["lines"][0];
    assert_eq!(
        (&line["expected"], &line["counted"], &line["difference"]),
        (&json!(6), &json!(5), &json!(-1))
    );
    assert_eq!(
        c["review"]["corrections"][0]["entry_type"],
        "count_correction_out"
    );
    // Nothing moves until the review is posted.
    let stock = get_json(&app, "/api/v1/stock?sku=AUR-1", &seller.token).await;
    assert_eq!(stock["totals"]["on_hand"], 10);
    let id = c["id"].as_i64().unwrap();
    let posted = post_ok(
        &app,
        &format!("/api/v1/counts/{id}/post"),
        &ops.token,
        &json!({}),
        200,
    )
    .await;
    assert_eq!(posted["status"], "posted");
    let stock = get_json(&app, "/api/v1/stock?sku=AUR-1", &seller.token).await;
    assert_eq!(stock["totals"]["on_hand"], 9);
    expect_problem(
        app.post_json(
            &format!("/api/v1/counts/{id}/post"),
            Some(&ops.token),
            &json!({}),
        )
        .await,
        409,
        "invalid_status",
    )
    .await;
    // A count reviewed against stock that then moves must be counted again.
    let c2 = post_ok(&app, &counts, &ops.token, &count("CC-2", 5), 201).await;
    post_ok(
        &app,
        &entries,
        &ops.token,
        &json!({"seller_id": seller.org_id, "sku": "AUR-1", "entry_type": "putaway", "quantity": 2, "bin": "A-01"}),
        201,
    )
    .await;
    expect_problem(
        app.post_json(
            &format!("/api/v1/counts/{}/post", c2["id"]),
            Some(&ops.token),
            &json!({}),
        )
        .await,
        409,
        "count_stale",
    )
    .await;
    // A count of a bin this warehouse does not have.
    let mut bad = count("CC-3", 1);
    bad["scope"]["bin"] = json!("Q-77");
    let p = expect_problem(
        app.post_json(&counts, Some(&ops.token), &bad).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "scope.bin");
    // Sellers do not count at the 3PL's warehouse.
    expect_problem(
        app.post_json(&counts, Some(&seller.token), &count("CC-4", 1))
            .await,
        403,
        "forbidden",
    )
    .await;
}

/// The seller's CRATE-1 (a 100 mm × 1 m × 1 m carton: 0.1 m³ a unit),
/// 10 units received today at the operator's warehouse.
async fn crates_received(app: &TestApp, seller: &Tenant, ops: &Tenant, lax: i64) {
    let mut product = product_json("crate-lamp", "CRATE-1", "500.00");
    product["variants"][0]["trade"]["dimensions"] =
        json!({"length_mm": 1000, "width_mm": 1000, "height_mm": 100});
    post_ok(app, "/api/v1/products", &seller.token, &product, 201).await;
    post_ok(
        app,
        &format!("/api/v1/warehouses/{lax}/entries"),
        &ops.token,
        &json!({"seller_id": seller.org_id, "sku": "CRATE-1", "entry_type": "receipt", "quantity": 10}),
        201,
    )
    .await;
}

#[tokio::test]
async fn ages_storage_invoices_and_slow_movers_come_from_the_ledger() {
    let Setup {
        app,
        seller,
        ops,
        lax,
    } = setup().await;
    crates_received(&app, &seller, &ops, lax).await;
    // Without rules there is no invoice.
    let today = chuhai_web::time::date_of(chuhai_web::time::now_millis() - 8 * 3_600_000);
    let (y, m, _) = today.ymd();
    let month = format!("{y:04}-{m:02}");
    let invoice_path = format!(
        "/api/v1/warehouses/{lax}/storage-invoice?month={month}&seller_id={}",
        seller.org_id
    );
    let res = app.get(&invoice_path, &ops.token).await;
    let p = expect_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "warehouse");
    // 1.00 USD per m³ per day from day one; a surcharge from day 1.
    let rules = json!({"price_per_m3_day": {"amount": "1.00", "currency": "USD"}, "free_days": 0,
                       "surcharge_tiers": [{"from_age_days": 1, "price_per_m3_day": {"amount": "0.50", "currency": "USD"}}]});
    let res = app
        .client
        .put(app.url(&format!("/api/v1/warehouses/{lax}/storage-fee-rules")))
        .bearer_auth(&ops.token)
        .json(&rules)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app
        .client
        .put(app.url(&format!("/api/v1/warehouses/{lax}/storage-fee-rules")))
        .bearer_auth(&seller.token)
        .json(&rules)
        .send()
        .await
        .unwrap();
    expect_problem(res, 403, "forbidden").await;
    let read = get_json(
        &app,
        &format!("/api/v1/warehouses/{lax}/storage-fee-rules"),
        &seller.token,
    )
    .await;
    assert_eq!(read, rules);
    // The seller's invoice for this month: 1 m³ held every day from today
    // (the warehouse's day, UTC−8) to the month's end; the surcharge from
    // the second day.
    let invoice = get_json(
        &app,
        &format!("/api/v1/warehouses/{lax}/storage-invoice?month={month}"),
        &seller.token,
    )
    .await;
    let last = chuhai_domain::inventory::BillingMonth::parse(&month)
        .unwrap()
        .last_day();
    let days = i64::from(last.days_since(today)) + 1;
    let line = &invoice["lines"][0];
    assert_eq!(line["sku"], "CRATE-1");
    assert_eq!(line["unit_volume_m3"], "0.1");
    assert_eq!(line["unit_days"], 10 * days);
    let expected_minor = days * 100 + (days - 1) * 50;
    assert_eq!(
        invoice["total"],
        json!({"amount": format!("{}.{:02}", expected_minor / 100, expected_minor % 100), "currency": "USD"})
    );
    // Reproducible: the same request gives the same invoice; the operator
    // must name the seller.
    let again = get_json(&app, &invoice_path, &ops.token).await;
    assert_eq!(again, invoice);
    let p = expect_problem(
        app.get(
            &format!("/api/v1/warehouses/{lax}/storage-invoice?month={month}"),
            &ops.token,
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "seller_id");
    // Ages: fresh today; in the 181–365 bucket 200 days on.
    let age = get_json(
        &app,
        &format!("/api/v1/warehouses/{lax}/age"),
        &seller.token,
    )
    .await;
    assert_eq!(age["items"][0]["sku"], "CRATE-1");
    assert_eq!(age["items"][0]["days_0_30"], 10);
    let later = today.add_days(200).unwrap();
    let age = get_json(
        &app,
        &format!("/api/v1/warehouses/{lax}/age?on={later}"),
        &ops.token,
    )
    .await;
    assert_eq!(age["items"][0]["days_181_365"], 10);
    assert_eq!(age["items"][0]["seller_id"], seller.org_id);
    // The units cross into the surcharge tier tomorrow.
    let slow = get_json(
        &app,
        &format!("/api/v1/warehouses/{lax}/slow-movers?within_days=5"),
        &seller.token,
    )
    .await;
    assert_eq!(slow["items"][0]["sku"], "CRATE-1");
    assert_eq!(slow["items"][0]["days_left"], 1);
    assert_eq!(slow["items"][0]["quantity"], 10);
}

#[tokio::test]
async fn a_storage_price_change_is_a_dated_version_and_past_days_keep_their_price() {
    let Setup {
        app,
        seller,
        ops,
        lax,
    } = setup().await;
    crates_received(&app, &seller, &ops, lax).await;
    let usd = |amount: &str| json!({"amount": amount, "currency": "USD"});
    let rules = |amount: &str| json!({"price_per_m3_day": usd(amount), "free_days": 0, "surcharge_tiers": []});
    let versions_path = format!("/api/v1/warehouses/{lax}/storage-fee-rules/versions");
    // The warehouse's today (UTC−8) and the days around it.
    let today = chuhai_web::time::date_of(chuhai_web::time::now_millis() - 8 * 3_600_000);
    let yesterday = today.add_days(-1).unwrap();
    let tomorrow = today.add_days(1).unwrap();
    // 1.00 from today (PUT is a version from today).
    let res = app
        .client
        .put(app.url(&format!("/api/v1/warehouses/{lax}/storage-fee-rules")))
        .bearer_auth(&ops.token)
        .json(&rules("1.00"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // Back-dating is refused and changes nothing.
    let res = app
        .post_json(
            &versions_path,
            Some(&ops.token),
            &json!({"valid_from": yesterday.to_string(), "rules": rules("9.00")}),
        )
        .await;
    let p = expect_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "valid_from");
    // Another currency than the warehouse's is refused.
    let euro = json!({"valid_from": tomorrow.to_string(),
                      "rules": {"price_per_m3_day": {"amount": "1.00", "currency": "EUR"}}});
    let p = expect_problem(
        app.post_json(&versions_path, Some(&ops.token), &euro).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "rules.price_per_m3_day");
    // Only the operator schedules prices.
    let next = json!({"valid_from": tomorrow.to_string(), "rules": rules("2.00")});
    expect_problem(
        app.post_json(&versions_path, Some(&seller.token), &next)
            .await,
        403,
        "forbidden",
    )
    .await;
    // 2.00 from tomorrow; then corrected to 3.00 before it starts.
    post_ok(&app, &versions_path, &ops.token, &next, 201).await;
    let corrected = json!({"valid_from": tomorrow.to_string(), "rules": rules("3.00")});
    let listed = post_ok(&app, &versions_path, &ops.token, &corrected, 201).await;
    assert_eq!(
        listed,
        json!([
            {"valid_from": today.to_string(), "rules": rules("1.00")},
            {"valid_from": tomorrow.to_string(), "rules": rules("3.00")}
        ])
    );
    assert_eq!(get_json(&app, &versions_path, &seller.token).await, listed);
    // The rules in force today are still today's.
    let in_force = get_json(
        &app,
        &format!("/api/v1/warehouses/{lax}/storage-fee-rules"),
        &seller.token,
    )
    .await;
    assert_eq!(in_force, rules("1.00"));
    // This month's invoice: 1 m³ held from today, 1.00 today and 3.00 on
    // every later day of the month.
    let (y, m, _) = today.ymd();
    let month = format!("{y:04}-{m:02}");
    let invoice = get_json(
        &app,
        &format!("/api/v1/warehouses/{lax}/storage-invoice?month={month}"),
        &seller.token,
    )
    .await;
    let last = chuhai_domain::inventory::BillingMonth::parse(&month)
        .unwrap()
        .last_day();
    let later_days = i64::from(last.days_since(today));
    let expected_minor = 100 + later_days * 300;
    assert_eq!(
        invoice["total"],
        usd(&format!(
            "{}.{:02}",
            expected_minor / 100,
            expected_minor % 100
        ))
    );
    let mut versions_used = vec![json!(today.to_string())];
    if later_days > 0 {
        versions_used.push(json!(tomorrow.to_string()));
    }
    assert_eq!(invoice["rule_versions"], json!(versions_used));
}
