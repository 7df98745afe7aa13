//! Export shipments over HTTP: classification, CEB messages, the monthly
//! summary declaration and the trade documents (PDF text read back with
//! poppler's `pdftotext`).

mod common;

use common::{b2c_de, expect_problem, load_export_hs, TestApp};
use serde_json::{json, Value};

/// A change made to a valid request body.
type Edit = Box<dyn Fn(&mut Value)>;

#[tokio::test]
async fn a_b2c_parcel_is_9610_with_its_four_messages() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    load_export_hs(&app).await;
    let res = app
        .post_json("/api/v1/export-shipments", Some(&t.token), &b2c_de())
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let s: Value = res.json().await.unwrap();
    assert_eq!(s["mode"], "9610");
    assert_eq!(s["order_type"], "E");
    assert_eq!(s["destination"], "DE");
    assert_eq!(s["export_date"], "2026-10-30");
    assert_eq!(
        s["messages"],
        json!(["CEB303", "CEB403", "CEB505", "CEB603"])
    );
    assert!(s["reason_zh"].as_str().unwrap().contains("9610"), "{s}");
    let id = s["id"].as_i64().unwrap();

    let res = app
        .get(
            &format!("/api/v1/export-shipments/{id}/messages/ceb303"),
            &t.token,
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "application/xml; charset=utf-8"
    );
    let xml = res.text().await.unwrap();
    assert!(
        xml.contains("xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\""),
        "{xml}"
    );
    assert!(
        xml.contains("<ceb:orderNo>SO-2026-10-0042</ceb:orderNo>"),
        "{xml}"
    );
    assert!(xml.contains("<ceb:orderType>E</ceb:orderType>"), "{xml}");
    assert!(xml.contains("<ceb:appStatus>1</ceb:appStatus>"), "{xml}");
    // appTime is the record's creation in China time: stable on a re-read.
    let again = app
        .get(
            &format!("/api/v1/export-shipments/{id}/messages/CEB303"),
            &t.token,
        )
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(xml, again);
    let list = app
        .get(
            &format!("/api/v1/export-shipments/{id}/messages/ceb603"),
            &t.token,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains("<ceb:gcode>6214100000</ceb:gcode>"), "{list}");
    let res = app
        .get(
            &format!("/api/v1/export-shipments/{id}/messages/ceb999"),
            &t.token,
        )
        .await;
    expect_problem(res, 404, "not_found").await;

    // The same order number again is a conflict; nothing new is stored.
    let res = app
        .post_json("/api/v1/export-shipments", Some(&t.token), &b2c_de())
        .await;
    expect_problem(res, 409, "duplicate_order_no").await;
    let all: Value = app
        .get("/api/v1/export-shipments", &t.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn b2b_and_warehouse_shipments_are_9710_and_9810() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    let mut b2b = b2c_de();
    b2b["shipment"]["sale_kind"] = json!("b2b");
    b2b["shipment"]["order"]["order_no"] = json!("TO-1");
    b2b["shipment"]["payment"] = Value::Null;
    b2b["shipment"]["declaration"]["statistics_flag"] = json!("simplified");
    let res = app
        .post_json("/api/v1/export-shipments", Some(&t.token), &b2b)
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let s: Value = res.json().await.unwrap();
    assert_eq!(s["mode"], "9710");
    assert_eq!(s["messages"], json!(["CEB303", "CEB505", "CEB603"]));
    let res = app
        .get(
            &format!("/api/v1/export-shipments/{}/messages/ceb403", s["id"]),
            &t.token,
        )
        .await;
    expect_problem(res, 404, "not_found").await;

    let mut fba = b2b.clone();
    fba["shipment"]["sale_kind"] = json!("stock_transfer");
    fba["shipment"]["order"]["order_no"] = json!("W-1");
    fba["shipment"]["order"]["buyer"] = Value::Null;
    fba["shipment"]["overseas_warehouse"] =
        json!({"name": "Chuhai Frankfurt 海外仓", "country": "DE", "registered": true});
    fba["trade"]["ioss_number"] = Value::Null;
    let res = app
        .post_json("/api/v1/export-shipments", Some(&t.token), &fba)
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let s: Value = res.json().await.unwrap();
    assert_eq!(s["mode"], "9810");
    assert_eq!(s["order_type"], "W");
}

#[tokio::test]
async fn bad_shipments_name_the_field_and_store_nothing() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    load_export_hs(&app).await;
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "gcode of 8 digits",
            Box::new(|v| v["shipment"]["items"][0]["gcode"] = json!("94052100")),
            "shipment.items[0].gcode",
        ),
        (
            "HS subheading not in the nomenclature",
            Box::new(|v| v["shipment"]["items"][1]["gcode"] = json!("6299100000")),
            "shipment.items[1].gcode",
        ),
        (
            "zero quantity",
            Box::new(|v| v["shipment"]["items"][1]["qty"] = json!("0")),
            "shipment.items[1].qty",
        ),
        (
            "IOSS number of the wrong form",
            Box::new(|v| v["trade"]["ioss_number"] = json!("IM27600")),
            "trade.ioss_number",
        ),
        (
            "unknown destination country",
            Box::new(|v| v["shipment"]["declaration"]["destination_country"] = json!("XX")),
            "shipment.declaration.destination_country",
        ),
    ];
    for (what, edit, field) in cases {
        let mut body = b2c_de();
        edit(&mut body);
        let res = app
            .post_json("/api/v1/export-shipments", Some(&t.token), &body)
            .await;
        let status = res.status().as_u16();
        let p: Value = res.json().await.unwrap();
        assert!(status == 422 || status == 400, "{what}: {status} {p}");
        let fields: Vec<&str> = p["errors"]
            .as_array()
            .map(|a| a.iter().filter_map(|e| e["field"].as_str()).collect())
            .unwrap_or_default();
        assert!(
            fields.contains(&field) || p["detail"].as_str().unwrap_or("").contains(field),
            "{what}: expected {field} in {p}"
        );
    }
    let all: Value = app
        .get("/api/v1/export-shipments", &t.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["items"], json!([]));
}

#[tokio::test]
async fn another_sellers_shipment_answers_404() {
    let app = TestApp::spawn().await;
    let lumi = app.tenant("lumi").await;
    let other = app.tenant("other").await;
    let s: Value = app
        .post_json("/api/v1/export-shipments", Some(&lumi.token), &b2c_de())
        .await
        .json()
        .await
        .unwrap();
    let id = s["id"].as_i64().unwrap();
    for path in [
        format!("/api/v1/export-shipments/{id}"),
        format!("/api/v1/export-shipments/{id}/messages/ceb303"),
        format!("/api/v1/export-shipments/{id}/documents/commercial-invoice"),
    ] {
        let res = app.get(&path, &other.token).await;
        expect_problem(res, 404, "not_found").await;
    }
}

#[tokio::test]
async fn the_monthly_summary_groups_last_months_9610_lists() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    // Two October parcels to Germany, one November parcel.
    for (no, date) in [
        ("A-1", "2026-10-30"),
        ("A-2", "2026-10-31"),
        ("A-3", "2026-11-02"),
    ] {
        let mut body = b2c_de();
        body["shipment"]["order"]["order_no"] = json!(no);
        body["shipment"]["logistics"]["logistics_no"] = json!(format!("YT{no}"));
        body["shipment"]["declaration"]["export_date"] = json!(date);
        let res = app
            .post_json("/api/v1/export-shipments", Some(&t.token), &body)
            .await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    }
    let v: Value = app
        .get("/api/v1/customs/summary?month=2026-10", &t.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["month"], "2026-10");
    let rows = v["rows"].as_array().unwrap();
    // One row per 10-digit code: the lamp and the scarf.
    assert_eq!(rows.len(), 2, "{v}");
    let scarf = rows.iter().find(|r| r["gcode"] == "6214100000").unwrap();
    assert_eq!(scarf["list_count"], 2);
    assert_eq!(
        scarf["value"],
        json!({"amount": "84.00", "currency": "EUR"})
    );
    let csv = app
        .get("/api/v1/customs/summary?month=2026-10&format=csv", &t.token)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    let res = app
        .get("/api/v1/customs/summary?month=2026-13", &t.token)
        .await;
    let p = expect_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "month");
}

fn pdf_text(bytes: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("chuhai-pdf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Tests run in parallel: one file per document.
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = dir.join(format!("{n}.pdf"));
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (Debian poppler-utils) must be installed to check documents");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn documents_print_the_shipment_with_ioss_and_incoterm() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    let s: Value = app
        .post_json("/api/v1/export-shipments", Some(&t.token), &b2c_de())
        .await
        .json()
        .await
        .unwrap();
    let id = s["id"].as_i64().unwrap();
    let get = |kind: &str| {
        let path = format!("/api/v1/export-shipments/{id}/documents/{kind}");
        let app = &app;
        let token = t.token.clone();
        async move {
            let res = app.get(&path, &token).await;
            assert_eq!(res.status(), 200, "{path}");
            assert_eq!(res.headers()["content-type"], "application/pdf");
            res.bytes().await.unwrap().to_vec()
        }
    };
    let invoice = pdf_text(&get("commercial-invoice").await);
    for needle in [
        "COMMERCIAL INVOICE",
        "CI-SO-2026-10-0042",
        "IOSS VAT identification number",
        "IM2760000742",
        "DDP",
        "丝绸围巾",
        "6214100000",
        "42.00",
        "104.50",
        "深圳市流明照明有限公司",
    ] {
        assert!(invoice.contains(needle), "{needle} not in:\n{invoice}");
    }
    let packing = pdf_text(&get("packing-list").await);
    for needle in ["PACKING LIST", "LUMI/FRA 1-1", "45 × 22 × 15", "1.900"] {
        assert!(packing.contains(needle), "{needle} not in:\n{packing}");
    }
    assert!(
        !packing.contains("104.50"),
        "a packing list shows no prices"
    );
    let proforma = pdf_text(&get("proforma-invoice").await);
    assert!(proforma.contains("PROFORMA INVOICE"));
    assert!(proforma.contains("PI-SO-2026-10-0042"));
    let res = app
        .get(
            &format!("/api/v1/export-shipments/{id}/documents/receipt"),
            &t.token,
        )
        .await;
    expect_problem(res, 404, "not_found").await;
}

#[tokio::test]
async fn the_console_lists_shipments_with_messages_documents_and_the_summary() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    let s: Value = app
        .post_json("/api/v1/export-shipments", Some(&t.token), &b2c_de())
        .await
        .json()
        .await
        .unwrap();
    let id = s["id"].as_i64().unwrap();
    let session = common::console_session(&app, &t.email).await;
    let page = |path: String, lang: &'static str| {
        let app = &app;
        let session = session.clone();
        async move {
            app.client
                .get(app.url(&path))
                .header(
                    "cookie",
                    format!("chuhai_session={session}; chuhai_lang={lang}"),
                )
                .send()
                .await
                .unwrap()
        }
    };
    let html = page("/console/customs?month=2026-10".into(), "en")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("data-order=\"SO-2026-10-0042\" data-mode=\"9610\""),
        "{html}"
    );
    assert!(html.contains(&format!(
        "/console/customs/shipments/{id}/documents/commercial-invoice"
    )));
    assert!(html.contains(&format!("/console/customs/shipments/{id}/messages/CEB603")));
    // The October summary has the lamp and the scarf lines.
    assert_eq!(
        html.matches("data-testid=\"summary-row\"").count(),
        2,
        "{html}"
    );
    assert!(html.contains("data-gcode=\"6214100000\""));
    let zh = page("/console/customs?month=2026-10".into(), "zh-CN")
        .await
        .text()
        .await
        .unwrap();
    assert!(zh.contains("报关与单证"));
    assert!(zh.contains("9610 汇总申报"));
    let pdf = page(
        format!("/console/customs/shipments/{id}/documents/packing-list"),
        "en",
    )
    .await;
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
    let csv = page(
        "/console/customs/summary?month=2026-10&format=csv".into(),
        "en",
    )
    .await
    .text()
    .await
    .unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    // Another seller's console sees neither the shipment nor its files.
    let other = app.tenant("other").await;
    let other_session = common::console_session(&app, &other.email).await;
    let res = app
        .client
        .get(app.url(&format!(
            "/console/customs/shipments/{id}/documents/packing-list"
        )))
        .header("cookie", format!("chuhai_session={other_session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn a_9810_export_links_the_sellers_inbound_shipment() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    common::seed_catalog(&app, &t).await;
    let ids = common::seed_inventory(&app, &t).await;
    let other = app.tenant("other").await;
    let mut transfer = b2c_de();
    transfer["shipment"]["sale_kind"] = json!("stock_transfer");
    transfer["shipment"]["order"]["order_no"] = json!("W-ASN-1");
    transfer["shipment"]["order"]["buyer"] = Value::Null;
    transfer["shipment"]["payment"] = Value::Null;
    transfer["shipment"]["declaration"]["statistics_flag"] = json!("simplified");
    transfer["shipment"]["items"][1]["gcode"] = json!("9405420000");
    transfer["shipment"]["overseas_warehouse"] =
        json!({"name": "Frankfurt 海外仓", "country": "DE", "registered": true});
    transfer["trade"]["ioss_number"] = Value::Null;
    transfer["inbound_shipment_id"] = json!(ids.inbound);

    // Another seller cannot link this seller's inbound shipment.
    let res = app
        .post_json("/api/v1/export-shipments", Some(&other.token), &transfer)
        .await;
    let p = expect_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "inbound_shipment_id");
    // A B2C parcel is not the export side of an inbound shipment.
    let mut parcel = b2c_de();
    parcel["shipment"]["items"][1]["gcode"] = json!("9405420000");
    parcel["inbound_shipment_id"] = json!(ids.inbound);
    let res = app
        .post_json("/api/v1/export-shipments", Some(&t.token), &parcel)
        .await;
    let p = expect_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "inbound_shipment_id");

    let res = app
        .post_json("/api/v1/export-shipments", Some(&t.token), &transfer)
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let s: Value = res.json().await.unwrap();
    assert_eq!(s["mode"], "9810");
    assert_eq!(s["inbound_shipment_id"], ids.inbound);
    let session = common::console_session(&app, &t.email).await;
    let html = app
        .client
        .get(app.url("/console/customs"))
        .header("cookie", format!("chuhai_session={session}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!("href=\"/console/inbound/{}\"", ids.inbound)),
        "{html}"
    );
}
