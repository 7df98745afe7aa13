//! Catalog, markets, exchange rates and prices over the API.

mod common;

use common::{expect_problem, product_json, seed_catalog, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn a_created_product_lists_with_its_variants_and_sanitised_description() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    let ((product_id, variant_id), _) = seed_catalog(&app, &t).await;
    let list: Value = app
        .get("/api/v1/products", &t.token)
        .await
        .json()
        .await
        .unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], product_id);
    assert_eq!(items[0]["variant_ids"], json!([variant_id]));
    let p = &items[0]["product"];
    assert_eq!(p["handle"], "aurora-desk-lamp");
    assert_eq!(p["variants"][0]["sku"], "AUR-1");
    assert_eq!(
        p["variants"][0]["price"],
        json!({"amount": "168.00", "currency": "CNY"})
    );
    assert_eq!(p["variants"][0]["trade"]["hs_code"], "940521");
    assert_eq!(p["translations"][0]["description_html"], "<p>Dimmable</p>");
    assert_eq!(p["translations"][1]["title"], "Aurora LED台灯");
}

#[tokio::test]
async fn bad_products_are_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    seed_catalog(&app, &t).await;
    // Zero price.
    let res = app
        .post_json(
            "/api/v1/products",
            Some(&t.token),
            &product_json("lamp-2", "AUR-2", "0.00"),
        )
        .await;
    let p = expect_problem(res, 422, "validation_failed").await;
    assert!(
        p["errors"][0]["field"]
            .as_str()
            .unwrap()
            .starts_with("variants[0].price"),
        "{p}"
    );
    // An HS code that is not in the nomenclature.
    let mut body = product_json("lamp-3", "AUR-3", "10.00");
    body["variants"][0]["trade"]["hs_code"] = json!("940599");
    let res = app
        .post_json("/api/v1/products", Some(&t.token), &body)
        .await;
    let p = expect_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "variants[0].trade.hs_code");
    // A malformed HS code and an unknown currency fail while parsing.
    let mut body = product_json("lamp-4", "AUR-4", "10.00");
    body["variants"][0]["trade"]["hs_code"] = json!("94A");
    let p = expect_problem(
        app.post_json("/api/v1/products", Some(&t.token), &body)
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "variants[0].trade.hs_code");
    let mut body = product_json("lamp-5", "AUR-5", "10.00");
    body["variants"][0]["price"]["currency"] = json!("XYZ");
    let p = expect_problem(
        app.post_json("/api/v1/products", Some(&t.token), &body)
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "variants[0].price.currency");
    // A taken SKU is a conflict; nothing was written by any of these.
    let res = app
        .post_json(
            "/api/v1/products",
            Some(&t.token),
            &product_json("lamp-6", "AUR-1", "10.00"),
        )
        .await;
    let p = expect_problem(res, 409, "already_exists").await;
    assert_eq!(p["errors"][0]["field"], "sku");
    let list: Value = app
        .get("/api/v1/products", &t.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn price_query_explains_base_rate_markup_and_rounding() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    let ((_, variant), market) = seed_catalog(&app, &t).await;
    // Saturday 2026-10-31 uses Friday's rates.
    let res = app
        .get(
            &format!("/api/v1/variants/{variant}/price?market={market}&quantity=2&date=2026-10-31"),
            &t.token,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    let q = &v["quote"];
    // 168 CNY × (1.1172 / 7.4326) × 1.25 = 31.5656… USD → charm .99 → 31.99.
    assert_eq!(
        q["unit_price"],
        json!({"amount": "31.99", "currency": "USD"})
    );
    assert_eq!(
        q["line_total"],
        json!({"amount": "63.98", "currency": "USD"})
    );
    let steps: Vec<&str> = q["explanation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert!(
        steps.contains(&"base")
            && steps.contains(&"fx")
            && steps.contains(&"markup")
            && steps.contains(&"rounding"),
        "{steps:?}"
    );
    let text = q["explanation"].to_string();
    assert!(
        text.contains("2026-10-30"),
        "the rate's own date is named: {text}"
    );
    assert!(text.contains("ECB"));
}

#[tokio::test]
async fn conversion_on_a_weekend_uses_fridays_rate_and_says_so() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    seed_catalog(&app, &t).await;
    let v: Value = app
        .get(
            "/api/v1/fx/conversion?from=CNY&to=USD&date=2026-11-01&amount=1234.56",
            &t.token,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["rate_date"], "2026-10-30");
    assert_eq!(v["uses_earlier_rate"], true);
    assert_eq!(v["source"], "ECB");
    // 1234.56 × 1.1172 / 7.4326 = 185.5691… → 185.57 (half-even, one rounding).
    assert_eq!(
        v["converted"],
        json!({"amount": "185.57", "currency": "USD"})
    );
    let res = app
        .get(
            "/api/v1/fx/conversion?from=CNY&to=USD&date=1999-01-01",
            &t.token,
        )
        .await;
    let p = expect_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "date");
    let res = app
        .get(
            "/api/v1/fx/conversion?from=CNY&to=XXX&date=2026-11-01",
            &t.token,
        )
        .await;
    let p = expect_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "to");
}

#[tokio::test]
async fn derive_stores_a_price_per_variant_and_market() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    seed_catalog(&app, &t).await;
    let res = app
        .client
        .post(app.url("/api/v1/prices/derive?date=2026-10-30"))
        .bearer_auth(&t.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let r: Value = res.json().await.unwrap();
    assert_eq!(r["prices"], 1);
    assert_eq!(app.store.derived_price_count(t.org_id).await.unwrap(), 1);
}

#[tokio::test]
async fn markets_are_validated() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    let res = app
        .post_json(
            "/api/v1/markets",
            Some(&t.token),
            &json!({
                "code": "jp", "name": "Japan", "countries": [], "currency": "JPY",
                "default_locale": "ja", "locales": ["en"], "tax_inclusive": true, "incoterm": "EXW",
                "markup_percent": "30", "rounding": {"kind": "charm_ending", "ending_minor": 99}
            }),
        )
        .await;
    let p = expect_problem(res, 422, "validation_failed").await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["countries", "incoterm", "locales", "rule"]);
    let res = app
        .post_json(
            "/api/v1/markets",
            Some(&t.token),
            &json!({"code": "x", "name": "X", "countries": ["ZZ"], "currency": "USD", "default_locale": "en",
                    "locales": ["en"], "tax_inclusive": true, "incoterm": "DDU", "markup_percent": "30", "rounding": {"kind": "none"}}),
        )
        .await;
    let p = expect_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "countries[0]");
}

const CSV_HEADER: &str = "Handle,Title,Body (HTML),Vendor,Variant SKU,Variant Price,Variant Barcode,Variant Grams,HS code\n";

#[tokio::test]
async fn shopify_import_is_all_or_nothing_unless_partial() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    seed_catalog(&app, &t).await;
    let csv = format!(
        "{CSV_HEADER}desk-a,Desk A,<p>A</p>,Lumi,DA-1,99.00,6931234500025,900,940521\n\
         desk-b,Desk B,<p>B</p>,Lumi,DB-1,99.00,4.6347E+11,900,940521\n\
         desk-c,Desk C,<p>C</p>,Lumi,DC-1,-5.00,,900,940521\n"
    );
    let send = |partial: bool| {
        app.client
            .post(app.url(&format!("/api/v1/products/import?partial={partial}")))
            .bearer_auth(&t.token)
            .header("content-type", "text/csv")
            .body(csv.clone())
            .send()
    };
    let p = expect_problem(send(false).await.unwrap(), 422, "validation_failed").await;
    let errors = p["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{p}");
    assert!(
        errors[0]["field"].as_str().unwrap().starts_with("row 3: "),
        "{p}"
    );
    assert!(
        errors[0]["reason"]
            .as_str()
            .unwrap()
            .contains("scientific notation"),
        "{p}"
    );
    assert!(
        errors[1]["field"].as_str().unwrap().starts_with("row 4: "),
        "{p}"
    );
    let list: Value = app
        .get("/api/v1/products", &t.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        1,
        "nothing was imported"
    );

    let res = send(true).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let r: Value = res.json().await.unwrap();
    assert_eq!(r["imported_products"], 1);
    assert_eq!(r["errors"].as_array().unwrap().len(), 2);
    let list: Value = app
        .get("/api/v1/products", &t.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn unknown_columns_and_broken_quoting_are_errors() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    let post = |body: String| {
        app.client
            .post(app.url("/api/v1/products/import"))
            .bearer_auth(&t.token)
            .header("content-type", "text/csv")
            .body(body)
            .send()
    };
    let p = expect_problem(
        post("Handle,Title,Variant Prise\nx,X,1\n".into())
            .await
            .unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert!(p.to_string().contains("Variant Prise"), "{p}");
    let p = expect_problem(
        post(format!(
            "{CSV_HEADER}desk-a,\"Desk A,<p>A</p>,Lumi,DA-1,99.00,,900,940521\n"
        ))
        .await
        .unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert!(
        p["errors"][0]["field"]
            .as_str()
            .unwrap()
            .starts_with("row "),
        "{p}"
    );
}

#[tokio::test]
async fn export_then_import_elsewhere_round_trips() {
    let app = TestApp::spawn().await;
    let a = app.tenant("lumi").await;
    seed_catalog(&app, &a).await;
    let res = app.get("/api/v1/products/export", &a.token).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = res.text().await.unwrap();
    assert!(
        csv.starts_with("Title,URL handle,") || csv.contains("URL handle"),
        "{csv}"
    );
    let b = app.tenant("other").await;
    let res = app
        .client
        .post(app.url("/api/v1/products/import"))
        .bearer_auth(&b.token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let a_list: Value = app
        .get("/api/v1/products", &a.token)
        .await
        .json()
        .await
        .unwrap();
    let b_list: Value = app
        .get("/api/v1/products", &b.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(a_list["items"][0]["product"], b_list["items"][0]["product"]);
}

#[tokio::test]
async fn sales_tiers_compare_at_and_moq_shape_the_quote() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    let ((_, variant), market) = seed_catalog(&app, &t).await;
    // A Singles' Day sale at a 5 % markup, and a fixed sale price for this variant.
    let res = app
        .post_json(
            &format!("/api/v1/markets/{market}/price-lists"),
            Some(&t.token),
            &json!({"name": "Singles' Day", "starts_on": "2026-11-11", "ends_before": "2026-11-12", "markup_percent": "5"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let list: Value = res.json().await.unwrap();
    let put = |body: Value| {
        app.client
            .put(app.url(&format!(
                "/api/v1/markets/{market}/variants/{variant}/pricing"
            )))
            .bearer_auth(&t.token)
            .json(&body)
            .send()
    };
    let res = put(json!({
        "compare_at_price": {"amount": "39.99", "currency": "USD"},
        "tiers": [{"min_qty": 10, "discount_percent": "10"}],
        "scheduled_overrides": [{"price_list_id": list["id"], "price": {"amount": "24.99", "currency": "USD"}}]
    }))
    .await
    .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::NO_CONTENT,
        "{}",
        res.text().await.unwrap()
    );
    let (app_ref, token) = (&app, &t.token);
    let quote = |q: &str| {
        let path = format!("/api/v1/variants/{variant}/price?market={market}&{q}");
        async move { app_ref.get(&path, token).await }
    };
    // A normal day: derived 31.99, compare-at 39.99 shown.
    let v: Value = quote("quantity=1&date=2026-10-30")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["quote"]["unit_price"]["amount"], "31.99");
    assert_eq!(v["quote"]["compare_at"]["amount"], "39.99");
    // The sale day: the list's fixed price.
    let v: Value = quote("quantity=1&date=2026-11-11")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["quote"]["unit_price"]["amount"], "24.99");
    assert_eq!(v["quote"]["schedule"], "Singles' Day");
    // Ten units: 10 % off the exact price, then the .99 rounding once.
    let v: Value = quote("quantity=10&date=2026-10-30")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["quote"]["unit_price"]["amount"], "28.99");
    // B2B rules: MOQ 20 in packs of 10.
    let res = app
        .client
        .put(app.url(&format!("/api/v1/variants/{variant}/order-rules")))
        .bearer_auth(&t.token)
        .json(&json!({"moq": 20, "pack_size": 10, "increment": 10}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let p = expect_problem(
        quote("quantity=10&date=2026-10-30").await,
        422,
        "validation_failed",
    )
    .await;
    assert!(p.to_string().contains("20"), "{p}");
    let p = expect_problem(
        quote("quantity=25&date=2026-10-30").await,
        422,
        "validation_failed",
    )
    .await;
    assert!(p.to_string().contains("pack"), "{p}");
    assert_eq!(
        quote("quantity=30&date=2026-10-30").await.status(),
        StatusCode::OK
    );
    // Bad input names the field; nothing changes.
    let p = expect_problem(
        put(json!({"override_price": {"amount": "10.00", "currency": "EUR"}}))
            .await
            .unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "override_price");
    let p = expect_problem(
        put(json!({"tiers": [{"min_qty": 1, "discount_percent": "5"}]}))
            .await
            .unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "tiers[0].min_qty");
    let v: Value = quote("quantity=30&date=2026-10-30")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        v["quote"]["compare_at"]["amount"], "39.99",
        "the earlier settings stand"
    );
}

#[tokio::test]
async fn google_feed_lists_priced_variants_for_a_market() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    let (_, market) = seed_catalog(&app, &t).await;
    let res = app
        .client
        .post(app.url("/api/v1/prices/derive?date=2026-10-30"))
        .bearer_auth(&t.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .get(
            &format!("/api/v1/markets/{market}/google-feed?storefront_url=https://lumi.example"),
            &t.token,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["x-chuhai-left-out"], "0");
    let tsv = res.text().await.unwrap();
    let lines: Vec<&str> = tsv.lines().collect();
    assert_eq!(lines.len(), 2, "{tsv}");
    let header: Vec<&str> = lines[0].split('\t').collect();
    let row: Vec<&str> = lines[1].split('\t').collect();
    let col = |name: &str| row[header.iter().position(|h| *h == name).unwrap()];
    assert_eq!(col("id"), "AUR-1");
    assert_eq!(col("price"), "31.99 USD");
    assert_eq!(
        col("link"),
        "https://lumi.example/products/aurora-desk-lamp?variant=AUR-1"
    );
    assert_eq!(col("gtin"), "6931234500018");
    assert_eq!(col("availability"), "in_stock");
    let res = app
        .get(
            &format!("/api/v1/markets/{market}/google-feed?storefront_url=ftp://x"),
            &t.token,
        )
        .await;
    let p = expect_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "storefront_url");
}

#[tokio::test]
async fn large_imports_run_as_background_jobs_with_progress() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    seed_catalog(&app, &t).await;
    let csv =
        format!("{CSV_HEADER}desk-a,Desk A,<p>A</p>,Lumi,DA-1,99.00,6931234500025,900,940521\n");
    let res = app
        .client
        .post(app.url("/api/v1/products/import?background=true"))
        .bearer_auth(&t.token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let job: Value = res.json().await.unwrap();
    assert_eq!(job["status"], "queued");
    assert_eq!(location, format!("/api/v1/jobs/{}", job["id"]));
    // Nothing happens until a worker takes the job.
    let list: Value = app
        .get("/api/v1/products", &t.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert!(chuhai_web::services::jobs::run_next(&app.store)
        .await
        .unwrap());
    assert!(
        !chuhai_web::services::jobs::run_next(&app.store)
            .await
            .unwrap(),
        "one job, run once"
    );
    let job: Value = app.get(&location, &t.token).await.json().await.unwrap();
    assert_eq!(job["status"], "succeeded");
    assert_eq!(job["done"], job["total"]);
    assert_eq!(job["report"]["imported_products"], 1);
    let list: Value = app
        .get("/api/v1/products", &t.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    // Another tenant cannot see the job.
    let other = app.tenant("other").await;
    expect_problem(app.get(&location, &other.token).await, 404, "not_found").await;
}

#[tokio::test]
async fn derivation_skips_a_market_without_rates_and_keeps_manual_prices() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    let ((_, variant), us) = seed_catalog(&app, &t).await;
    let res = app
        .post_json(
            "/api/v1/markets",
            Some(&t.token),
            &json!({"code": "ca", "name": "Canada", "countries": ["CA"], "currency": "CAD", "default_locale": "en-CA",
                    "locales": ["en-CA"], "tax_inclusive": false, "incoterm": "DAP", "markup_percent": "30",
                    "rounding": {"kind": "charm_ending", "ending_minor": 99}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = app
        .client
        .put(app.url(&format!("/api/v1/markets/{us}/variants/{variant}/pricing")))
        .bearer_auth(&t.token)
        .json(&json!({"override_price": {"amount": "29.99", "currency": "USD"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let r: Value = app
        .client
        .post(app.url("/api/v1/prices/derive?date=2026-10-30"))
        .bearer_auth(&t.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["prices"], 1, "{r}");
    assert_eq!(r["skipped"][0]["market"], "ca");
    assert_eq!(r["skipped"][0]["sku"], "*");
    assert!(
        r["skipped"][0]["reason"].as_str().unwrap().contains("CAD"),
        "{r}"
    );
    let stored = app.store.prices_in_market(t.org_id, us).await.unwrap();
    assert_eq!(
        stored,
        vec![(variant, 2999)],
        "the manual price is the market's price"
    );
}
