//! The `chuhai` binary as a user runs it: serve with the demo on SQLite,
//! and two servers sharing one PostgreSQL.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chuhai_domain::accounts::{Email, OrganisationKind, Role, Slug};
use chuhai_domain::catalog::Sku;
use chuhai_domain::country::Country;
use chuhai_domain::inventory::{
    EntryType, LedgerEntry, Reference, ReferenceKind, StockKey, WarehouseDraft, WarehouseKind,
};
use chuhai_store::accounts::{NewOrganisation, NewUser};
use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_chuhai");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(envs: &[(&str, String)], extra: &[&str]) -> Server {
        let port = free_port();
        let mut cmd = Command::new(BIN);
        cmd.args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .args(extra)
            .env_remove("CHUHAI_DATABASE_URL")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in envs {
            cmd.env(k, v);
        }
        Server {
            child: cmd.spawn().unwrap(),
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    async fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = reqwest::get(format!("{}/readyz", self.base)).await {
                if r.status() == 200 {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "server at {} never became ready",
                self.base
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Sends SIGTERM and returns the exit code.
    fn terminate(mut self) -> Option<i32> {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

async fn api_token(
    client: &reqwest::Client,
    base: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    client
        .post(format!("{base}/api/v1/auth/tokens"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn serve_seeds_the_demo_on_sqlite_and_stops_gracefully() {
    let dir = std::env::temp_dir().join(format!("chuhai-bin-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut server = Server::start(&[("CHUHAI_DATA_DIR", dir.display().to_string())], &[]);
    let stdout = server.child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().unwrap().unwrap();
    let second = lines.next().unwrap().unwrap();
    assert!(
        first.starts_with("Chuhai console: http://127.0.0.1:"),
        "{first}"
    );
    assert_eq!(second, "Demo login: demo@chuhai.test / chuhai-demo");
    server.wait_ready().await;
    assert!(dir.join("chuhai.db").exists());
    let client = reqwest::Client::new();
    let res = api_token(&client, &server.base, "demo@chuhai.test", "chuhai-demo").await;
    assert_eq!(res.status(), 201);
    let token = res.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let me: Value = client
        .get(format!("{}/api/v1/me", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["organisation"]["name"], "Shenzhen Lumi Lighting Co.");
    assert_eq!(me["organisation"]["name_zh"], "深圳光米照明");
    assert_eq!(me["organisation"]["slug"], "lumi");
    // The demo's export shipments: one of each customs mode, 9610 twice.
    let shipments: Value = client
        .get(format!("{}/api/v1/export-shipments", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let modes: Vec<&str> = shipments["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["mode"].as_str().unwrap())
        .collect();
    assert_eq!(modes, ["9610", "9610", "9710", "9810"]);
    // The demo's warehouses: its own in Shenzhen and six run by the 3PL,
    // with stock, and a shipment on its way to Los Angeles.
    let warehouses: Value = client
        .get(format!("{}/api/v1/warehouses", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let codes: Vec<&str> = warehouses["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["SZX-1", "LAX-1", "EWR-1", "FRA-1", "FXT-1", "TYO-1", "SYD-1"]
    );
    let stock: Value = client
        .get(format!("{}/api/v1/stock?sku=LUMI-AUR-WHT", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let lax = stock["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["warehouse_code"] == "LAX-1")
        .unwrap();
    assert_eq!(
        (&lax["on_hand"], &lax["reserved"], &lax["in_transit"]),
        (&json!(180), &json!(6), &json!(60))
    );
    assert!(lax["next_eta"].is_string(), "{lax}");
    assert_eq!(server.terminate(), Some(0));
    // The seeded ledger and its caches agree.
    let verify = Command::new(BIN)
        .args([
            "inventory",
            "verify",
            "--data-dir",
            &dir.display().to_string(),
        ])
        .env_remove("CHUHAI_DATABASE_URL")
        .output()
        .unwrap();
    assert_eq!(
        verify.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn openapi_command_prints_the_document() {
    let out = Command::new(BIN).arg("openapi").output().unwrap();
    assert!(out.status.success());
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["paths"]["/api/v1/me"]["get"].is_object());
}

#[test]
fn bad_database_url_is_a_clear_error() {
    let out = Command::new(BIN)
        .args(["migrate", "--database-url", "mysql://x@y/z"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unsupported database URL 'mysql://x@y/z'"),
        "{err}"
    );
}

/// The PostgreSQL URL for tests, or `None` (with a plain message) to skip.
fn postgres_url() -> Option<String> {
    match std::env::var("CHUHAI_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("CI must set CHUHAI_TEST_POSTGRES_URL: the PostgreSQL tests may not be skipped")
        }
        _ => {
            eprintln!("SKIPPED on PostgreSQL: CHUHAI_TEST_POSTGRES_URL is not set");
            None
        }
    }
}

#[tokio::test]
async fn two_servers_share_one_postgres() {
    let Some(url) = postgres_url() else { return };
    let schema = format!(
        "chuhai_two_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    let mut config = chuhai_store::StoreConfig::new(url.clone());
    config.schema = Some(schema.clone());
    config.max_connections = 1;
    let admin = chuhai_store::Store::connect(config).await.unwrap();
    let sep = if url.contains('?') { '&' } else { '?' };
    let db_url = format!("{url}{sep}options[search_path]={schema}");
    // Both start on an empty schema at once: migrations and the demo seed
    // must not collide.
    let a = Server::start(&[("CHUHAI_DATABASE_URL", db_url.clone())], &[]);
    let b = Server::start(&[("CHUHAI_DATABASE_URL", db_url.clone())], &[]);
    a.wait_ready().await;
    b.wait_ready().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    // A token made on A works on B; revoked on B, it stops working on A.
    let res = api_token(&client, &a.base, "demo@chuhai.test", "chuhai-demo").await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let token = created["token"].as_str().unwrap();
    let me = client
        .get(format!("{}/api/v1/me", b.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let res = client
        .delete(format!("{}/api/v1/auth/tokens/{}", b.base, created["id"]))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let me = client
        .get(format!("{}/api/v1/me", a.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 401);

    // A console session started on A is valid on B.
    let page = client
        .get(format!("{}/console/login", a.base))
        .send()
        .await
        .unwrap();
    let csrf_cookie = page
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .find_map(|v| {
            v.to_str()
                .unwrap()
                .strip_prefix("chuhai_login_csrf=")
                .map(|s| s.split(';').next().unwrap().to_owned())
        })
        .unwrap();
    let res = client
        .post(format!("{}/console/login", a.base))
        .header(COOKIE, format!("chuhai_login_csrf={csrf_cookie}"))
        .form(&[
            ("email", "demo@chuhai.test"),
            ("password", "chuhai-demo"),
            ("csrf", csrf_cookie.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let session = res
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .find_map(|v| {
            v.to_str()
                .unwrap()
                .strip_prefix("chuhai_session=")
                .map(|s| s.split(';').next().unwrap().to_owned())
        })
        .unwrap();
    let dash = client
        .get(format!("{}/console", b.base))
        .header(COOKIE, format!("chuhai_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(dash.status(), 200);
    assert!(dash
        .text()
        .await
        .unwrap()
        .contains("Shenzhen Lumi Lighting Co."));

    // Failed sign-ins count across both servers.
    for i in 0..5 {
        let base = if i % 2 == 0 { &a.base } else { &b.base };
        let res = api_token(&client, base, "warehouse@chuhai.test", "wrong password").await;
        assert_eq!(res.status(), 401);
    }
    let res = api_token(&client, &b.base, "warehouse@chuhai.test", "chuhai-demo").await;
    assert_eq!(res.status(), 429);

    // Reservations through both servers at once never oversell: 200
    // requests for the 150 units of LUMI-FF-10M available at LAX-1.
    let res = api_token(&client, &a.base, "demo@chuhai.test", "chuhai-demo").await;
    let token = res.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let warehouses: Value = client
        .get(format!("{}/api/v1/warehouses", a.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let lax = warehouses["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["code"] == "LAX-1")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..200 {
        let client = client.clone();
        let base = if i % 2 == 0 {
            a.base.clone()
        } else {
            b.base.clone()
        };
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            client
                .post(format!("{base}/api/v1/reservations"))
                .bearer_auth(token)
                .json(
                    &json!({"warehouse_id": lax, "sku": "LUMI-FF-10M", "quantity": 1,
                              "reference": {"kind": "checkout", "id": format!("CO-{i}")}}),
                )
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = std::collections::BTreeMap::new();
    for t in tasks {
        *statuses.entry(t.await.unwrap()).or_insert(0) += 1;
    }
    assert_eq!(
        statuses,
        std::collections::BTreeMap::from([(201, 150), (409, 50)])
    );
    let stock: Value = client
        .get(format!("{}/api/v1/stock?sku=LUMI-FF-10M", b.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let at_lax = stock["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["warehouse_id"] == lax)
        .unwrap();
    assert_eq!(
        (&at_lax["reserved"], &at_lax["available"]),
        (&json!(150), &json!(0))
    );
    assert!(admin.verify_inventory().await.unwrap().is_clean());

    // The demo was seeded once.
    assert_eq!(
        admin.list_organisations(0, 50).await.unwrap().items.len(),
        3
    );
    assert_eq!(a.terminate(), Some(0));
    assert_eq!(b.terminate(), Some(0));
    admin.drop_schema(&schema).await.unwrap();
}

#[tokio::test]
async fn json_logs_are_one_object_per_line_with_the_url_and_demo_login() {
    let dir = std::env::temp_dir().join(format!("chuhai-bin-json-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut server = Server::start(
        &[
            ("CHUHAI_DATA_DIR", dir.display().to_string()),
            ("RUST_LOG", "info".into()),
        ],
        &["--log-format", "json"],
    );
    let stdout = server.child.stdout.take().unwrap();
    let mut serving = None;
    for line in BufReader::new(stdout).lines().take(20) {
        let line = line.unwrap();
        let v: Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON: {line}: {e}"));
        assert!(
            v["level"].is_string() && v["timestamp"].is_string(),
            "{line}"
        );
        if v["message"] == "Chuhai is serving" {
            serving = Some(v);
            break;
        }
    }
    let serving = serving.expect("a 'Chuhai is serving' line");
    assert!(serving["url"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1:"));
    assert_eq!(serving["demo_login"], "demo@chuhai.test / chuhai-demo");
    server.wait_ready().await;
    assert_eq!(server.terminate(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn inventory_verify_reports_drift_with_a_failing_status_and_rebuild_repairs_it() {
    let dir = std::env::temp_dir().join(format!("chuhai-bin-inv-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/chuhai.db", dir.display());
    let run = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .args(["--database-url", &url])
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    // A ledger with stock: one seller's receipt at one warehouse.
    let store = chuhai_store::Store::open(chuhai_store::StoreConfig::new(url.clone()))
        .await
        .unwrap();
    let (seller, _) = store
        .create_organisation_with_user(
            &NewOrganisation {
                kind: OrganisationKind::Seller,
                slug: Slug::parse("lumi").unwrap(),
                name: "Lumi".into(),
                name_zh: None,
            },
            &NewUser {
                email: Email::parse("owner@lumi.example").unwrap(),
                display_name: "Owner".into(),
                password_hash: "x".into(),
                role: Role::Owner,
                locale: None,
            },
            0,
        )
        .await
        .unwrap();
    let w = store
        .create_warehouse(
            seller.id,
            &WarehouseDraft {
                kind: WarehouseKind::Origin,
                code: "SZX-1".into(),
                name: "Shenzhen".into(),
                country: Country::CN,
                address: "Bao'an, Shenzhen".into(),
                latitude: None,
                longitude: None,
                time_zone: "Asia/Shanghai".into(),
                utc_offset_minutes: 480,
                cutoff_time: "17:00".into(),
                capacity_m2: None,
                capacity_m3: None,
                carrier_services: vec![],
            },
            0,
        )
        .await
        .unwrap();
    store
        .post_entries(&[LedgerEntry::new(
            StockKey::new(seller.id, Sku::parse("LAMP-1").unwrap(), w.id),
            EntryType::Receipt,
            12,
            Reference::new(ReferenceKind::Manual, "M-1").unwrap(),
            1_000,
        )])
        .await
        .unwrap();
    let ok = run(&["inventory", "verify"]);
    let text = String::from_utf8_lossy(&ok.stdout).to_string();
    assert_eq!(ok.status.code(), Some(0), "{text}");
    assert!(
        text.contains("1 ledger entries; 1 balances and 1 bin locations checked; 0 differences"),
        "{text}"
    );
    // Drift the cached balance behind the ledger's back.
    let changed = store
        .execute_unchecked(
            "UPDATE inventory_balances SET on_hand = on_hand + 7 WHERE sku = 'LAMP-1'",
        )
        .await
        .unwrap();
    assert_eq!(changed, 1);
    store.close().await;
    let bad = run(&["inventory", "verify"]);
    let text = String::from_utf8_lossy(&bad.stdout).to_string();
    assert_eq!(bad.status.code(), Some(1), "{text}");
    assert!(
        text.contains("balance LAMP-1 of seller 1 at warehouse 1: on_hand cached 19 ledger 12"),
        "{text}"
    );
    assert!(text.contains("; 1 differences"), "{text}");
    let rebuilt = run(&["inventory", "rebuild"]);
    let text = String::from_utf8_lossy(&rebuilt.stdout).to_string();
    assert!(rebuilt.status.success(), "{text}");
    assert!(text.contains("rebuilt "), "{text}");
    let ok = run(&["inventory", "verify"]);
    assert_eq!(ok.status.code(), Some(0));
    let help = Command::new(BIN)
        .args(["inventory", "verify", "--help"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("Example: chuhai inventory verify"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn tariff_lines_import_all_or_nothing_and_export_again() {
    let dir = std::env::temp_dir().join(format!("chuhai-bin-tariffs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let header = "region,tariff_code,description,ad_valorem_percent,specific_amount,specific_per,specific_currency,minimum,maximum,tax_rate_percent,preferential\n";
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        format!("{header}EU,9405210010,Desk lamps,2.5,,,,,,,\nEU,94052,too short,2.5,,,,,,,\n"),
    )
    .unwrap();
    let good = dir.join("good.csv");
    std::fs::write(
        &good,
        format!("{header}EU,9405210010,Desk lamps,2.5,,,,,,,\n"),
    )
    .unwrap();
    let data = dir.join("data");
    let run = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .env("CHUHAI_DATA_DIR", &data)
            .env_remove("CHUHAI_DATABASE_URL")
            .output()
            .unwrap()
    };
    let out = run(&["import", "tariffs", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3, column tariff_code"), "{err}");
    // Nothing of the bad file was loaded, not even its good first line.
    let out = run(&["export", "tariffs", "--region", "EU"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), header);

    let out = run(&["import", "tariffs", good.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "loaded 1 tariff lines\n"
    );
    let out = run(&["export", "tariffs", "--region", "EU"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{header}EU,9405210010,Desk lamps,2.5,,,,,,,\n")
    );
    let _ = std::fs::remove_dir_all(&dir);
}
