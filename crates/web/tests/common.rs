//! A real server on 127.0.0.1:0 with a fresh SQLite database per test.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use chuhai_store::{Store, StoreConfig};
use chuhai_web::WebSettings;

/// The card provider's webhook secret of test servers.
#[allow(dead_code)]
pub const CARD_WEBHOOK_SECRET: &str = "whsec_test_chuhai";

fn settings() -> WebSettings {
    WebSettings {
        card_webhook_secret: Some(CARD_WEBHOOK_SECRET.into()),
        ..WebSettings::default()
    }
}
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};

/// Two tests of one case, `$sqlite` on an embedded SQLite app and
/// `$postgres` on a new PostgreSQL schema (skipped, with a note, only where
/// `CHUHAI_TEST_POSTGRES_URL` is unset outside CI; the schema is dropped
/// after), each with the given test attributes. `$case` takes the app and
/// gives it back.
#[macro_export]
macro_rules! on_both_backends {
    ($(#[$test:meta])* $case:ident: $sqlite:ident, $postgres:ident) => {
        $(#[$test])*
        async fn $sqlite() {
            $case($crate::common::TestApp::spawn().await).await;
        }

        $(#[$test])*
        async fn $postgres() {
            let Some(app) = $crate::common::TestApp::spawn_postgres().await else {
                return;
            };
            $case(app).await.drop_postgres_schema().await;
        }
    };
}

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub store: Store,
    dir: PathBuf,
    schema: Option<String>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A seller organisation made through the API, with its owner's token.
pub struct Tenant {
    pub org_id: i64,
    pub user_id: i64,
    pub email: String,
    pub token: String,
    pub token_id: i64,
}

pub const PASSWORD: &str = "correct horse battery";

impl TestApp {
    pub async fn spawn() -> TestApp {
        let dir = std::env::temp_dir().join(format!(
            "chuhai-web-test-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::open(StoreConfig::new(format!("sqlite://{}/t.db", dir.display())))
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = chuhai_web::app(store.clone(), settings());
        tokio::spawn(chuhai_web::serve(listener, app, std::future::pending()));
        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        TestApp {
            base: format!("http://{addr}"),
            client,
            store,
            dir,
            schema: None,
        }
    }

    /// The app on a new schema of `CHUHAI_TEST_POSTGRES_URL`'s database;
    /// `None` (and a note on stderr) when the variable is not set outside CI.
    /// Call [`TestApp::drop_postgres_schema`] at the end.
    pub async fn spawn_postgres() -> Option<TestApp> {
        let url = match std::env::var("CHUHAI_TEST_POSTGRES_URL") {
            Ok(u) if !u.trim().is_empty() => u,
            _ => {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "CI must set CHUHAI_TEST_POSTGRES_URL"
                );
                eprintln!("SKIPPED on PostgreSQL: CHUHAI_TEST_POSTGRES_URL is not set");
                return None;
            }
        };
        let schema = format!(
            "chuhai_web_t_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let store = Store::open(StoreConfig {
            url,
            schema: Some(schema.clone()),
            max_connections: 8,
        })
        .await
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = chuhai_web::app(store.clone(), settings());
        tokio::spawn(chuhai_web::serve(listener, app, std::future::pending()));
        let dir = std::env::temp_dir().join(format!("chuhai-web-test-{schema}"));
        Some(TestApp {
            base: format!("http://{addr}"),
            client: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            store,
            dir,
            schema: Some(schema),
        })
    }

    /// Drops the PostgreSQL schema of an app made by `spawn_postgres`.
    pub async fn drop_postgres_schema(&self) {
        if let Some(schema) = &self.schema {
            self.store.drop_schema(schema).await.unwrap();
        }
    }

    /// The URL of the test's SQLite database, to open it as another
    /// process would.
    pub fn database_url(&self) -> String {
        format!("sqlite://{}/t.db", self.dir.display())
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        let mut req = self.client.post(self.url(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }

    /// Signs up a seller `slug` and creates its owner's API token.
    pub async fn tenant(&self, slug: &str) -> Tenant {
        let email = format!("owner@{slug}.example");
        let res = self
            .post_json(
                "/api/v1/signup",
                None,
                &json!({
                    "organisation_name": format!("{slug} Trading Co."),
                    "slug": slug,
                    "owner_name": "Owner",
                    "email": email,
                    "password": PASSWORD,
                }),
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "{}",
            res.text().await.unwrap()
        );
        let body: Value = res.json().await.unwrap();
        let (token, token_id) = self.token(&email, None).await;
        Tenant {
            org_id: body["organisation"]["id"].as_i64().unwrap(),
            user_id: body["user"]["id"].as_i64().unwrap(),
            email,
            token,
            token_id,
        }
    }

    /// Creates an API token for `email` (with `scopes`, or all).
    pub async fn token(&self, email: &str, scopes: Option<&[&str]>) -> (String, i64) {
        let mut body = json!({"email": email, "password": PASSWORD});
        if let Some(s) = scopes {
            body["scopes"] = json!(s);
        }
        let res = self.post_json("/api/v1/auth/tokens", None, &body).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let v: Value = res.json().await.unwrap();
        (
            v["token"].as_str().unwrap().to_owned(),
            v["id"].as_i64().unwrap(),
        )
    }
}

/// Asserts a problem+json response with `status` and `code`; returns the body.
pub async fn expect_problem(res: Response, status: u16, code: &str) -> Value {
    assert_eq!(res.status().as_u16(), status, "unexpected status");
    assert_eq!(
        res.headers().get("content-type").unwrap(),
        "application/problem+json"
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status);
    body
}

/// ECB rates of 2026-10-26 … 2026-10-30 (Friday) for a few currencies.
pub const ECB_SAMPLE: &str = "Date,USD,JPY,GBP,CHF,AUD,CNY,
2026-10-30,1.1172,175.68,0.8338,0.9194,1.5904,7.4326,
2026-10-29,1.113,175.92,0.83578,0.9222,1.5842,7.4144,
";

/// Loads rates, HS codes of lamps and one market and one product for
/// `tenant`; returns ((product id, variant id), market id).
pub async fn seed_catalog(app: &TestApp, tenant: &Tenant) -> ((i64, i64), i64) {
    chuhai_web::services::fx::import_ecb(&app.store, ECB_SAMPLE)
        .await
        .unwrap();
    let hs = "section,hscode,description,parent,level
XX,94,Furniture,TOTAL,2
XX,9405,Luminaires,94,4
XX,940521,\"Luminaires and light fittings; electric, table, desk, for LED\",9405,6
XX,940542,\"Luminaires and light fittings; electric, for LED\",9405,6
";
    load_hs(app, hs).await;
    let res = app
        .post_json(
            "/api/v1/markets",
            Some(&tenant.token),
            &json!({
                "code": "us", "name": "United States", "countries": ["US"], "currency": "USD",
                "default_locale": "en-US", "locales": ["en-US"], "tax_inclusive": false, "incoterm": "DDP",
                "markup_percent": "25", "rounding": {"kind": "charm_ending", "ending_minor": 99}
            }),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    let market: Value = res.json().await.unwrap();
    let res = app
        .post_json(
            "/api/v1/products",
            Some(&tenant.token),
            &product_json("aurora-desk-lamp", "AUR-1", "168.00"),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    let product: Value = res.json().await.unwrap();
    (
        (
            product["id"].as_i64().unwrap(),
            product["variant_ids"][0].as_i64().unwrap(),
        ),
        market["id"].as_i64().unwrap(),
    )
}

/// A one-variant lamp as the API's product draft JSON.
pub fn product_json(handle: &str, sku: &str, price_cny: &str) -> Value {
    json!({
        "handle": handle,
        "status": "active",
        "vendor": "Lumi",
        "product_type": "Desk lamps",
        "tags": ["led"],
        "translations": [
            {"locale": "en", "title": "Aurora LED Desk Lamp", "description_html": "<p>Dimmable</p><script>x()</script>", "seo_title": null, "seo_description": null},
            {"locale": "zh-CN", "title": "Aurora LED台灯", "description_html": "<p>可调光</p>", "seo_title": null, "seo_description": null}
        ],
        "media": [],
        "option_names": [],
        "variants": [{
            "sku": sku, "option_values": [], "gtin": "6931234500018",
            "price": {"amount": price_cny, "currency": "CNY"}, "compare_at_price": null,
            "weight_grams": 1450, "image_url": null,
            "trade": {"hs_code": "940521", "country_of_origin": "CN", "goods_flags": {"battery": false, "liquid": false, "magnet": false, "powder": false, "dangerous_goods": false}}
        }]
    })
}

/// Replaces the HS nomenclature with `csv` (the nomenclature file's format).
/// The seeded destination import rules and the demo tariff lines.
pub async fn load_trade_rules(app: &TestApp) {
    chuhai_web::services::landed::seed_rules_if_empty(&app.store, 0)
        .await
        .unwrap();
    chuhai_web::services::landed::put_tariff_lines(
        &app.store,
        chuhai_domain::landed::demo_tariff_lines(),
    )
    .await
    .unwrap();
}

pub async fn load_hs(app: &TestApp, csv: &str) {
    let rows = chuhai_domain::catalog::parse_hs_csv(csv.as_bytes())
        .unwrap()
        .into_iter()
        .map(|e| chuhai_store::reference::HsRow {
            code: e.code.clone(),
            level: e.level.digits() as i64,
            parent: e.parent.clone(),
            section: e.section.clone(),
            description: e.description.clone(),
        })
        .collect();
    app.store.replace_hs_codes(rows).await.unwrap();
}

/// A warehouse operator (3PL) organisation with its owner's API token,
/// made in the store (sign-up makes sellers only).
pub async fn operator(app: &TestApp, slug: &str) -> Tenant {
    use chuhai_domain::accounts::{hash_password, Email, OrganisationKind, Role, Slug};
    use chuhai_store::accounts::{NewOrganisation, NewUser};
    let email = format!("ops@{slug}.example");
    let hash = hash_password(PASSWORD).0;
    let (org, user) = app
        .store
        .create_organisation_with_user(
            &NewOrganisation {
                kind: OrganisationKind::WarehouseOperator,
                slug: Slug::parse(slug).unwrap(),
                name: format!("{slug} Logistics"),
                name_zh: None,
            },
            &NewUser {
                email: Email::parse(&email).unwrap(),
                display_name: "Operator".into(),
                password_hash: hash,
                role: Role::Owner,
                locale: None,
            },
            0,
        )
        .await
        .unwrap();
    let (token, token_id) = app.token(&email, None).await;
    Tenant {
        org_id: org.id,
        user_id: user.id,
        email,
        token,
        token_id,
    }
}

/// Posts JSON and asserts the status; returns the body.
pub async fn post_ok(app: &TestApp, path: &str, token: &str, body: &Value, status: u16) -> Value {
    let res = app.post_json(path, Some(token), body).await;
    let got = res.status().as_u16();
    let text = res.text().await.unwrap();
    assert_eq!(got, status, "POST {path}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// A warehouse as the API's JSON: `code` in `country` (origin in CN).
pub fn warehouse_json(kind: &str, code: &str, country: &str, bins: &[&str]) -> Value {
    json!({
        "kind": kind, "code": code, "name": format!("Warehouse {code}"), "country": country,
        "address": "1 Dock Road", "latitude": "34.0420", "longitude": "-117.5727",
        "time_zone": "America/Los_Angeles", "utc_offset_minutes": -480, "cutoff_time": "14:00",
        "capacity_m2": "24000", "capacity_m3": "150000", "carrier_services": ["UPS Ground"],
        "bins": bins
    })
}

/// Ids of one of everything inventory keeps for a seller.
pub struct InventoryIds {
    pub warehouse: i64,
    pub reservation: i64,
    pub inbound: i64,
    pub count: i64,
}

/// Gives `tenant` (with `seed_catalog`'s SKU AUR-1) its own origin
/// warehouse with 10 units, a reservation, a draft inbound shipment and a
/// reviewed cycle count.
pub async fn seed_inventory(app: &TestApp, tenant: &Tenant) -> InventoryIds {
    let t = &tenant.token;
    let w = post_ok(
        app,
        "/api/v1/warehouses",
        t,
        &warehouse_json("origin", "SZX-1", "CN", &["A-01"]),
        201,
    )
    .await;
    let warehouse = w["id"].as_i64().unwrap();
    post_ok(
        app,
        &format!("/api/v1/warehouses/{warehouse}/entries"),
        t,
        &json!({"sku": "AUR-1", "entry_type": "receipt", "quantity": 10}),
        201,
    )
    .await;
    let r = post_ok(
        app,
        "/api/v1/reservations",
        t,
        &json!({"warehouse_id": warehouse, "sku": "AUR-1", "quantity": 1,
                "reference": {"kind": "order", "id": "SO-1"}}),
        201,
    )
    .await;
    let asn = post_ok(
        app,
        "/api/v1/inbound-shipments",
        t,
        &json!({"reference": "ASN-1", "origin": "Dongguan factory", "destination_warehouse_id": warehouse,
                "mode": "express", "carrier": "SF Express",
                "cartons": [{"carton_no": "CTN-1", "lines": [{"sku": "AUR-1", "quantity": 4}]}]}),
        201,
    )
    .await;
    let count = post_ok(
        app,
        &format!("/api/v1/warehouses/{warehouse}/counts"),
        t,
        &json!({"reference": "CC-1", "scope": {"by": "sku", "seller_id": tenant.org_id, "sku": "AUR-1"},
                "lines": [{"seller_id": tenant.org_id, "sku": "AUR-1", "counted": 10}]}),
        201,
    )
    .await;
    InventoryIds {
        warehouse,
        reservation: r["id"].as_i64().unwrap(),
        inbound: asn["id"].as_i64().unwrap(),
        count: count["id"].as_i64().unwrap(),
    }
}

/// A seller with the lamp AUR-1 in a US (DDP) market, the landed-cost
/// rules and `units` of AUR-1 in the seller's Shenzhen warehouse (`SZX-<SLUG>`);
/// returns (tenant, variant id, market id).
pub async fn shop(app: &TestApp, slug: &str, units: i64) -> (Tenant, i64, i64) {
    let t = app.tenant(slug).await;
    let ((_, variant), market) = seed_catalog(app, &t).await;
    load_trade_rules(app).await;
    let w = post_ok(
        app,
        "/api/v1/warehouses",
        &t.token,
        &warehouse_json(
            "origin",
            &format!("SZX-{}", slug.to_uppercase()),
            "CN",
            &["A-01"],
        ),
        201,
    )
    .await;
    post_ok(
        app,
        &format!("/api/v1/warehouses/{}/entries", w["id"]),
        &t.token,
        &json!({"sku": "AUR-1", "entry_type": "receipt", "quantity": units}),
        201,
    )
    .await;
    put_shipping(
        app,
        &t.token,
        w["id"].as_i64().unwrap(),
        &air_parcel_setup(),
    )
    .await;
    (t, variant, market)
}

/// A China origin warehouse's shipping setup: China Post air parcel (to
/// 30 kg) to the United States in two zones (postal codes from 9: the
/// West), first 500 g for CNY 48.00 then CNY 9.50 per started 500 g, 7–12
/// days; no dangerous goods.
pub fn air_parcel_setup() -> Value {
    json!({
        "currency": "CNY",
        "services": [{
            "code": "CN-AIRPARCEL", "name": "China Post Air Parcel", "carrier": "China Post",
            "max_weight": 30000, "dangerous_goods": [], "volumetric_divisor": 6000,
            "zones": [{"country": "US", "postal_prefix": "", "zone": "US-1"},
                      {"country": "US", "postal_prefix": "9", "zone": "US-W"}]
        }],
        "rates": [
            {"service": "CN-AIRPARCEL", "zone": "US-1",
             "pricing": {"first_weight": 500, "first_price_minor": 4800, "step_weight": 500, "step_price_minor": 950},
             "transit": {"min": 7, "max": 12}},
            {"service": "CN-AIRPARCEL", "zone": "US-W",
             "pricing": {"first_weight": 500, "first_price_minor": 4500, "step_weight": 500, "step_price_minor": 900},
             "transit": {"min": 6, "max": 10}}
        ]
    })
}

/// Replaces warehouse `id`'s shipping setup.
pub async fn put_shipping(app: &TestApp, token: &str, id: i64, setup: &Value) {
    let res = app
        .client
        .put(app.url(&format!("/api/v1/warehouses/{id}/shipping")))
        .bearer_auth(token)
        .json(setup)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

/// A US shipping address.
pub fn address() -> Value {
    json!({"name": "Ada Buyer", "line1": "1 Main St", "city": "Springfield", "region": "IL",
           "postal_code": "62704", "country": "US"})
}

/// A cart of `quantity` AUR-1 in `market`, to [`address`].
pub fn cart(market: i64, quantity: i64) -> Value {
    json!({"market_id": market, "lines": [{"sku": "AUR-1", "quantity": quantity}], "address": address()})
}

/// Signs in to the console as `email`; returns the session cookie value.
pub async fn console_session(app: &TestApp, email: &str) -> String {
    let res = app
        .client
        .get(app.url("/console/login"))
        .send()
        .await
        .unwrap();
    let cookie_of = |res: &reqwest::Response, name: &str| {
        res.headers()
            .get_all("set-cookie")
            .iter()
            .find_map(|v| {
                v.to_str()
                    .unwrap()
                    .strip_prefix(&format!("{name}="))
                    .map(|s| s.split(';').next().unwrap().to_owned())
            })
            .unwrap()
    };
    let csrf = cookie_of(&res, "chuhai_login_csrf");
    let res = app
        .client
        .post(app.url("/console/login"))
        .header("cookie", format!("chuhai_login_csrf={csrf}"))
        .form(&[
            ("email", email),
            ("password", PASSWORD),
            ("csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    cookie_of(&res, "chuhai_session")
}

/// A console page with the session `session` in language `lang`
/// (`en`, `zh-CN`): its status and HTML.
pub async fn console_page(app: &TestApp, session: &str, path: &str, lang: &str) -> (u16, String) {
    let res = app
        .client
        .get(app.url(path))
        .header(
            "cookie",
            format!("chuhai_session={session}; chuhai_lang={lang}"),
        )
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// A valid `POST /api/v1/export-shipments` body: a B2C parcel of a lamp
/// and two scarves to Germany (9610), order number `SO-2026-10-0042`.
pub fn b2c_de() -> Value {
    serde_json::from_str(include_str!("fixtures/shipment-b2c-de.json")).unwrap()
}

/// Loads the HS codes [`b2c_de`]'s commodity codes need.
pub async fn load_export_hs(app: &TestApp) {
    let hs = "section,hscode,description,parent,level
XX,94,Furniture,TOTAL,2
XX,9405,Luminaires,94,4
XX,940521,\"Luminaires; electric table, desk, bedside or floor-standing, for LED\",9405,6
XI,62,Apparel not knitted,TOTAL,2
XI,6214,\"Shawls, scarves\",62,4
XI,621410,\"Shawls, scarves; of silk\",6214,6
";
    load_hs(app, hs).await;
}

/// The CSRF secret a console page's forms carry.
pub fn hidden_csrf(html: &str) -> String {
    let i = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[i..i + 64].to_owned()
}
