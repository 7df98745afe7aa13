//! A server killed with SIGKILL in the middle of concurrent checkouts and
//! started again on the same database, on SQLite and on PostgreSQL:
//! every order whose checkout was acknowledged exists with its total (and
//! is paid when its payment was acknowledged); the stock caches agree with
//! the ledger; every unit held belongs to a hold of an existing order; the
//! units received are exactly the units available, held and shipped; and
//! every webhook event of the seller (`order.created`, `order.paid`)
//! reaches the subscribed receiver after the restart.

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use chuhai_domain::catalog::Sku;
use chuhai_domain::inventory::{EntryType, StockKey};
use chuhai_domain::payments::sign;
use chuhai_store::inventory::HoldStatus;
use chuhai_store::{Store, StoreConfig};
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_chuhai");
const SECRET: &str = "whsec_crash_test";
/// Every cart: one lamp and two bulbs.
const LINES: [(&str, i64); 2] = [("LUMI-AUR-WHT", 1), ("LUMI-HALO-E27", 2)];
/// Units of each SKU received before the load: more than it can sell.
const RECEIVED: i64 = 1_000_000;
const CLIENTS: usize = 16;
/// Checkouts acknowledged before the kill.
const KILL_AFTER: usize = 120;

struct Server {
    child: Child,
    base: String,
}

impl Server {
    /// Starts `chuhai serve` on a free port with the demo and the card
    /// provider's webhook secret; `db` is `--data-dir DIR` or `--database-url URL`.
    async fn start(db: &[String]) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(BIN)
            .arg("serve")
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .args(db)
            .env_remove("CHUHAI_DATABASE_URL")
            .env_remove("CHUHAI_DATA_DIR")
            .env("CHUHAI_CARD_WEBHOOK_SECRET", SECRET)
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = reqwest::get(format!("{}/readyz", server.base)).await {
                if r.status() == 200 {
                    return server;
                }
            }
            assert!(Instant::now() < deadline, "the server never became ready");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGKILL: no request finishes, nothing is flushed or closed.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, and waits for the server to stop.
    fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    /// A failed assertion leaves no server running.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[derive(Clone)]
struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    async fn sign_in(base: &str) -> Api {
        let http = reqwest::Client::new();
        let v: Value = http
            .post(format!("{base}/api/v1/auth/tokens"))
            .json(&json!({"email": "demo@chuhai.test", "password": "chuhai-demo"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Api {
            http,
            base: base.to_owned(),
            token: v["token"].as_str().unwrap().to_owned(),
        }
    }

    /// POSTs `body`; the status and the answer (JSON, or Null).
    async fn post(&self, path: &str, body: &Value) -> Result<(u16, Value), reqwest::Error> {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await?;
        let status = res.status().as_u16();
        let text = res.text().await?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }
}

/// What the receiver got: (event type, order id) of every delivery.
type Received = Arc<Mutex<Vec<(String, i64)>>>;

/// A webhook receiver on 127.0.0.1 answering 200; returns its URL.
async fn receiver() -> (String, Received) {
    let got: Received = Arc::default();
    let sink = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: String| {
            let sink = sink.clone();
            async move {
                let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                let kind = v["type"].as_str().unwrap_or("").to_owned();
                let order = v["data"]["order_id"].as_i64().unwrap_or(0);
                sink.lock().unwrap().push((kind, order));
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hook"), got)
}

fn minor(money: &Value) -> i64 {
    money["amount"]
        .as_str()
        .unwrap()
        .replace('.', "")
        .parse()
        .unwrap()
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// What the clients were told.
#[derive(Default)]
struct Acknowledged {
    /// Order id → total in minor units, for every checkout answered 201.
    orders: BTreeMap<i64, i64>,
    /// Orders whose payment webhook was answered `applied`.
    paid: BTreeSet<i64>,
}

/// One client: checkouts paid by card, one after another, until a request
/// fails (the server died) or `stop` is set.
async fn client(
    api: Api,
    cart: Value,
    n: usize,
    acked: Arc<Mutex<Acknowledged>>,
    count: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
) {
    for i in 0.. {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok((201, c)) = api.post("/api/v1/carts", &cart).await else {
            return;
        };
        let cart_id = c["id"].as_i64().unwrap();
        let Ok((201, o)) = api
            .post(&format!("/api/v1/carts/{cart_id}/checkout"), &json!({}))
            .await
        else {
            return;
        };
        let (order, total) = (o["id"].as_i64().unwrap(), minor(&o["total"]));
        acked.lock().unwrap().orders.insert(order, total);
        count.fetch_add(1, Ordering::SeqCst);
        let Ok((201, p)) = api
            .post(
                &format!("/api/v1/orders/{order}/payments"),
                &json!({"method": "card"}),
            )
            .await
        else {
            return;
        };
        let body = serde_json::to_vec(&json!({
            "id": format!("evt_crash_{n}_{i}"),
            "type": "payment_intent.succeeded",
            "data": {"object": {"id": p["provider_reference"], "amount_received": total}},
        }))
        .unwrap();
        let Ok(res) = api
            .http
            .post(format!(
                "{}/api/v1/payments/card-provider/webhooks",
                api.base
            ))
            .header(
                "Chuhai-Signature",
                sign(SECRET.as_bytes(), now_secs(), &body),
            )
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
        else {
            return;
        };
        if res.status() != 200 {
            return;
        }
        match res.json::<Value>().await {
            Ok(v) if v["outcome"] == "applied" => {
                acked.lock().unwrap().paid.insert(order);
            }
            _ => return,
        }
    }
}

/// The seller's orders with an id above `after`: id → (state, total).
async fn orders_since(store: &Store, seller: i64, after: i64) -> BTreeMap<i64, (String, i64)> {
    let mut out = BTreeMap::new();
    let mut cursor = after;
    loop {
        let page = store.orders(seller, cursor, 500).await.unwrap();
        for o in &page.items {
            out.insert(o.id, (o.state.clone(), o.total_minor));
        }
        match page.next_after {
            Some(a) => cursor = a,
            None => return out,
        }
    }
}

/// Units received, reserved, released and committed (shipped) in the
/// ledger entries of `key` after entry id `after`.
async fn ledger_since(store: &Store, key: &StockKey, after: i64) -> BTreeMap<&'static str, i64> {
    let mut sums: BTreeMap<&'static str, i64> = BTreeMap::new();
    let mut cursor = after;
    loop {
        let page = store
            .ledger_entries(
                Some(key.seller),
                Some(key.warehouse),
                Some(&key.sku),
                cursor,
                1_000,
            )
            .await
            .unwrap();
        for r in &page.items {
            let e = &r.entry;
            let kind = match e.entry_type {
                EntryType::Receipt => "received",
                EntryType::Reservation => "reserved",
                EntryType::Release => "released",
                EntryType::Commit => "shipped",
                other => panic!("unexpected {other:?} entry during the test: {e:?}"),
            };
            *sums.entry(kind).or_default() += e.quantity;
        }
        match page.next_after {
            Some(a) => cursor = a,
            None => return sums,
        }
    }
}

async fn last_ledger_id(store: &Store, key: &StockKey) -> i64 {
    let mut cursor = 0;
    loop {
        let page = store
            .ledger_entries(
                Some(key.seller),
                Some(key.warehouse),
                Some(&key.sku),
                cursor,
                1_000,
            )
            .await
            .unwrap();
        match (page.next_after, page.items.last()) {
            (Some(a), _) => cursor = a,
            (None, Some(r)) => return r.id,
            (None, None) => return cursor,
        }
    }
}

/// The whole scenario on one database: `db` are the server's database
/// arguments, `store` a connection to the same database for the checks.
async fn kill_in_the_middle_of_checkouts(db: Vec<String>, store: Store) {
    let server = Server::start(&db).await;
    let api = Api::sign_in(&server.base).await;
    let (_, markets) = api.get("/api/v1/markets").await;
    let market = markets["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["market"]["code"] == "jp")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (_, warehouses) = api.get("/api/v1/warehouses").await;
    // Checkout holds at the first warehouse (by id), the seller's own in
    // Shenzhen: a Japanese cart of these lines routes there (Tokyo has no
    // Aurora lamps, and one parcel from China beats two).
    let warehouse = warehouses["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_i64().unwrap())
        .min()
        .unwrap();
    let seller = store
        .organisation_by_slug("lumi")
        .await
        .unwrap()
        .unwrap()
        .id;
    let keys: Vec<StockKey> = LINES
        .iter()
        .map(|(sku, _)| StockKey::new(seller, Sku::parse(sku).unwrap(), warehouse))
        .collect();

    // Before the load: the last order and ledger entry, the balances and
    // the open holds that were there already.
    let first_order = orders_since(&store, seller, 0)
        .await
        .keys()
        .last()
        .copied()
        .unwrap_or(0);
    let mut before = Vec::new();
    for k in &keys {
        before.push((
            last_ledger_id(&store, k).await,
            store.balance(k).await.unwrap(),
        ));
    }
    let holds_before: BTreeSet<i64> = store
        .open_holds(seller)
        .await
        .unwrap()
        .iter()
        .map(|h| h.id)
        .collect();
    for (sku, _) in LINES {
        let (status, v) = api
            .post(
                &format!("/api/v1/warehouses/{warehouse}/entries"),
                &json!({"sku": sku, "entry_type": "receipt", "quantity": RECEIVED}),
            )
            .await
            .unwrap();
        assert_eq!(status, 201, "{v}");
    }
    let (hook, received) = receiver().await;
    let (status, v) = api
        .post(
            "/api/v1/webhooks/subscriptions",
            &json!({"url": hook, "events": ["order.created", "order.paid"]}),
        )
        .await
        .unwrap();
    assert_eq!(status, 201, "{v}");

    // The load, killed in the middle.
    let cart = json!({
        "market_id": market,
        "lines": LINES.iter().map(|(s, q)| json!({"sku": s, "quantity": q})).collect::<Vec<_>>(),
        "address": {"name": "Aiko Buyer", "line1": "1-1 Marunouchi", "city": "Chiyoda-ku",
                    "region": "Tokyo", "postal_code": "100-0005", "country": "JP"},
    });
    let acked = Arc::new(Mutex::new(Acknowledged::default()));
    let count = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|n| {
            tokio::spawn(client(
                api.clone(),
                cart.clone(),
                n,
                acked.clone(),
                count.clone(),
                stop.clone(),
            ))
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(30);
    while count.load(Ordering::SeqCst) < KILL_AFTER {
        assert!(
            Instant::now() < deadline,
            "only {} checkouts in 30 s",
            count.load(Ordering::SeqCst)
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill();
    stop.store(true, Ordering::SeqCst);
    for c in clients {
        c.await.unwrap();
    }
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    assert!(acked.orders.len() >= KILL_AFTER);

    // Started again on the same database.
    let server = Server::start(&db).await;
    let api = Api::sign_in(&server.base).await;

    // Every acknowledged order exists with its total; every acknowledged
    // payment left it paid.
    for (&id, &total) in &acked.orders {
        let (status, o) = api.get(&format!("/api/v1/orders/{id}")).await;
        assert_eq!(status, 200, "acknowledged order {id} is missing: {o}");
        assert_eq!(minor(&o["total"]), total, "order {id}: {o}");
        if acked.paid.contains(&id) {
            // Paid orders are allocated at once (routed at checkout).
            assert_eq!(o["state"], "allocated", "order {id}: {o}");
        } else {
            assert!(o["state"] == "placed" || o["state"] == "allocated", "{o}");
        }
    }
    let orders = orders_since(&store, seller, first_order).await;
    assert!(orders.len() >= acked.orders.len());
    eprintln!(
        "killed after {} acknowledged checkouts ({} acknowledged paid); {} orders written",
        acked.orders.len(),
        acked.paid.len(),
        orders.len()
    );

    // The caches agree with the ledger.
    let report = store.verify_inventory().await.unwrap();
    assert!(report.is_clean(), "verify after the restart: {report:?}");

    // Every open hold placed during the test belongs to an order placed
    // during the test (placed or paid), and every such order holds all of
    // its lines; the units held are the open holds' units.
    let mut order_of_hold: BTreeMap<i64, i64> = BTreeMap::new();
    for (&id, (state, _)) in &orders {
        assert!(
            state == "placed" || state == "allocated",
            "order {id} is {state}"
        );
        let holds = store.order_hold_ids(id).await.unwrap();
        assert_eq!(holds.len(), LINES.len(), "order {id} holds {holds:?}");
        for h in holds {
            order_of_hold.insert(h, id);
        }
    }
    let open = store.open_holds(seller).await.unwrap();
    let mut held_by_key: BTreeMap<String, i64> = BTreeMap::new();
    let mut held_for_test: BTreeMap<String, i64> = BTreeMap::new();
    for h in &open {
        *held_by_key.entry(h.hold.key.to_string()).or_default() += h.hold.quantity;
        if holds_before.contains(&h.id) {
            continue;
        }
        *held_for_test.entry(h.hold.key.to_string()).or_default() += h.hold.quantity;
        assert_eq!(h.status, HoldStatus::Held);
        assert!(
            order_of_hold.contains_key(&h.id),
            "hold {} ({} units of {}) belongs to no order",
            h.id,
            h.hold.quantity,
            h.hold.key
        );
    }
    assert_eq!(
        order_of_hold.len(),
        open.iter()
            .filter(|h| !holds_before.contains(&h.id))
            .count(),
        "every hold of the test's orders is open"
    );
    for (k, (last_entry, balance)) in keys.iter().zip(&before) {
        let now = store.balance(k).await.unwrap();
        assert_eq!(
            now.reserved,
            held_by_key.get(&k.to_string()).copied().unwrap_or(0),
            "{k}: units reserved against open holds"
        );
        let units = LINES.iter().find(|(s, _)| *s == k.sku.as_str()).unwrap().1;
        assert_eq!(
            held_for_test.get(&k.to_string()).copied().unwrap_or(0),
            units * orders.len() as i64,
            "{k}: units held for the test's orders"
        );
        let sums = ledger_since(&store, k, *last_entry).await;
        let get = |n: &str| sums.get(n).copied().unwrap_or(0);
        assert_eq!(get("received"), RECEIVED);
        let (available, held) = (
            now.available() - balance.available(),
            now.reserved - balance.reserved,
        );
        assert_eq!(
            available + held + get("shipped"),
            get("received"),
            "{k}: available + held + shipped == received (during the test)"
        );
        assert_eq!(held, get("reserved") - get("released") - get("shipped"));
    }

    // Every webhook event of the test's orders reaches the receiver, the
    // ones written before the kill included.
    let mut expected: BTreeSet<(String, i64)> = BTreeSet::new();
    for (&id, (state, _)) in &orders {
        expected.insert(("order.created".into(), id));
        if state == "allocated" {
            expected.insert(("order.paid".into(), id));
        }
    }
    for &id in acked.orders.keys() {
        assert!(expected.contains(&("order.created".into(), id)));
    }
    for &id in &acked.paid {
        assert!(expected.contains(&("order.paid".into(), id)));
    }
    let waiting = Instant::now();
    let deadline = waiting + Duration::from_secs(40);
    loop {
        let got: BTreeSet<(String, i64)> = received.lock().unwrap().iter().cloned().collect();
        let missing: Vec<_> = expected.difference(&got).collect();
        if missing.is_empty() {
            eprintln!(
                "all {} webhook events arrived {:.1} s after the restart",
                expected.len(),
                waiting.elapsed().as_secs_f64()
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {} webhook events never arrived, e.g. {:?}",
            missing.len(),
            expected.len(),
            &missing[..missing.len().min(5)]
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_keeps_acknowledged_checkouts_stock_and_webhooks_across_a_kill() {
    let dir = std::env::temp_dir().join(format!("chuhai-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/chuhai.db", dir.display());
    // The server creates and seeds the database; the checks read it.
    let args = vec!["--data-dir".to_owned(), dir.display().to_string()];
    let server = Server::start(&args).await;
    server.stop();
    let store = Store::connect(StoreConfig::new(url)).await.unwrap();
    kill_in_the_middle_of_checkouts(args, store.clone()).await;
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_keeps_acknowledged_checkouts_stock_and_webhooks_across_a_kill() {
    let url = match std::env::var("CHUHAI_TEST_POSTGRES_URL") {
        Ok(u) if !u.trim().is_empty() => u,
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must set CHUHAI_TEST_POSTGRES_URL: the PostgreSQL tests may not be skipped"
            );
            eprintln!("SKIPPED on PostgreSQL: CHUHAI_TEST_POSTGRES_URL is not set");
            return;
        }
    };
    let schema = format!(
        "chuhai_crash_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    let mut config = StoreConfig::new(url.clone());
    config.schema = Some(schema.clone());
    config.max_connections = 4;
    // Creates the schema; the server migrates and seeds it.
    let store = Store::connect(config).await.unwrap();
    let sep = if url.contains('?') { '&' } else { '?' };
    let args = vec![
        "--database-url".to_owned(),
        format!("{url}{sep}options[search_path]={schema}"),
    ];
    kill_in_the_middle_of_checkouts(args, store.clone()).await;
    store.drop_schema(&schema).await.unwrap();
}
