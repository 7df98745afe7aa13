//! `chuhai bench checkout`: completed checkouts per second against a
//! running server, over HTTP, with concurrent clients. A completed
//! checkout is: a cart created with its lines and shipping address (priced
//! with the landed cost), checked out (the stock held), a card payment
//! intent for the order's total, and the card provider's signed
//! `payment_intent.succeeded` webhook that pays the order.
//!
//! Afterwards the run is checked through the API: every completed checkout
//! is a paid order, and the units held at the warehouse grew by exactly the
//! units of the paid orders.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use chuhai_domain::payments::sign;
use serde_json::{json, Value};

/// What `chuhai bench checkout` was asked to do.
#[derive(Debug, Clone)]
pub struct CheckoutBench {
    /// The server's origin, e.g. `http://127.0.0.1:8080`.
    pub url: String,
    pub email: String,
    pub password: String,
    pub clients: usize,
    pub seconds: u64,
    /// The market's code, e.g. `us`.
    pub market: String,
    /// (SKU, units) of every cart.
    pub lines: Vec<(String, i64)>,
    /// Units of each SKU to receive at the first warehouse first (0: none).
    pub stock: i64,
    /// The card provider's webhook secret the server checks signatures with.
    pub webhook_secret: String,
}

/// Parses `SKU:UNITS,SKU:UNITS`.
pub fn parse_lines(text: &str) -> Result<Vec<(String, i64)>> {
    text.split(',')
        .map(|part| {
            let (sku, units) = part
                .trim()
                .split_once(':')
                .ok_or_else(|| anyhow!("'{part}': give SKU:UNITS"))?;
            let units: i64 = units
                .parse()
                .with_context(|| format!("'{part}': units must be a whole number"))?;
            if units < 1 {
                bail!("'{part}': units must be at least 1");
            }
            Ok((sku.to_owned(), units))
        })
        .collect()
}

/// The phases of one checkout, in order.
const PHASES: [&str; 4] = ["cart", "checkout", "payment intent", "webhook"];

#[derive(Default)]
struct Tally {
    /// Latency of each completed checkout, all four phases.
    latencies: Vec<Duration>,
    /// Summed time in each phase over completed checkouts.
    phase_total: [Duration; 4],
    /// Failures by phase, with the first answer of each.
    failures: BTreeMap<&'static str, (u64, String)>,
}

struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value> {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(b);
        }
        let res = req.send().await?;
        let status = res.status();
        let text = res.text().await?;
        if !status.is_success() {
            bail!("{path}: {status}: {}", truncate(&text));
        }
        Ok(serde_json::from_str(&text)?)
    }

    async fn get(&self, path: &str) -> Result<Value> {
        self.call(reqwest::Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: &Value) -> Result<Value> {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }
}

fn truncate(text: &str) -> &str {
    match text.char_indices().nth(300) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

/// Minor units of a money JSON value (`{"amount": "70.00", …}`): the
/// amount's digits without the decimal point (amounts are written with
/// exactly the currency's decimals).
fn minor_units(money: &Value) -> Result<i64> {
    let amount = money["amount"]
        .as_str()
        .ok_or_else(|| anyhow!("not a money value: {money}"))?;
    amount
        .replace('.', "")
        .parse()
        .with_context(|| format!("amount '{amount}'"))
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Units held (reserved) of `sku` at `warehouse`.
async fn held(client: &Client, sku: &str, warehouse: i64) -> Result<i64> {
    let v = client.get(&format!("/api/v1/stock?sku={sku}")).await?;
    Ok(v["items"]
        .as_array()
        .ok_or_else(|| anyhow!("stock of {sku}: {v}"))?
        .iter()
        .filter(|i| i["warehouse_id"].as_i64() == Some(warehouse))
        .map(|i| i["reserved"].as_i64().unwrap_or(0))
        .sum())
}

/// What the seller's orders with an id above `after` are: (state → count,
/// SKU → units of the paid ones), and the greatest order id (0: none).
struct OrdersSince {
    states: BTreeMap<String, u64>,
    paid_units: BTreeMap<String, i64>,
    last_id: i64,
}

async fn orders_since(client: &Client, after: i64) -> Result<OrdersSince> {
    let mut out = OrdersSince {
        states: BTreeMap::new(),
        paid_units: BTreeMap::new(),
        last_id: 0,
    };
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/orders?limit=200&cursor={c}"),
            None => "/api/v1/orders?limit=200".to_owned(),
        };
        let page = client.get(&path).await?;
        for o in page["items"].as_array().into_iter().flatten() {
            let id = o["id"].as_i64().unwrap_or(0);
            out.last_id = out.last_id.max(id);
            if id <= after {
                continue;
            }
            let state = o["state"].as_str().unwrap_or("?").to_owned();
            // Paid orders are allocated at once (routed at checkout).
            if state == "allocated" {
                for l in o["details"]["totals"]["lines"]
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    let sku = l["sku"].as_str().unwrap_or("?").to_owned();
                    *out.paid_units.entry(sku).or_default() += l["quantity"].as_i64().unwrap_or(0);
                }
            }
            *out.states.entry(state).or_default() += 1;
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return Ok(out),
        }
    }
}

fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

/// One checkout from cart to paid; the time spent in each phase.
async fn one_checkout(
    c: &Client,
    cart: &Value,
    secret: &[u8],
    event_id: String,
) -> Result<[Duration; 4], (usize, anyhow::Error)> {
    let mut spent = [Duration::ZERO; 4];
    let t = Instant::now();
    let created = c.post("/api/v1/carts", cart).await.map_err(|e| (0, e))?;
    spent[0] = t.elapsed();
    let cart_id = created["id"]
        .as_i64()
        .ok_or_else(|| (0, anyhow!("cart without id: {created}")))?;
    let t = Instant::now();
    let order = c
        .post(&format!("/api/v1/carts/{cart_id}/checkout"), &json!({}))
        .await
        .map_err(|e| (1, e))?;
    spent[1] = t.elapsed();
    let order_id = order["id"]
        .as_i64()
        .ok_or_else(|| (1, anyhow!("order without id: {order}")))?;
    let total = minor_units(&order["total"]).map_err(|e| (1, e))?;
    let t = Instant::now();
    let payment = c
        .post(
            &format!("/api/v1/orders/{order_id}/payments"),
            &json!({"method": "card"}),
        )
        .await
        .map_err(|e| (2, e))?;
    spent[2] = t.elapsed();
    let intent = payment["provider_reference"]
        .as_str()
        .ok_or_else(|| (2, anyhow!("payment without provider_reference: {payment}")))?;
    let t = Instant::now();
    let body = serde_json::to_vec(&json!({
        "id": event_id,
        "type": "payment_intent.succeeded",
        "data": {"object": {"id": intent, "amount_received": total}},
    }))
    .map_err(|e| (3, e.into()))?;
    let res = c
        .http
        .post(format!("{}/api/v1/payments/card-provider/webhooks", c.base))
        .header("Chuhai-Signature", sign(secret, now_secs(), &body))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| (3, e.into()))?;
    let status = res.status();
    let text = res.text().await.map_err(|e| (3, e.into()))?;
    if !status.is_success() || !text.contains("\"applied\"") {
        return Err((3, anyhow!("webhook: {status}: {}", truncate(&text))));
    }
    spent[3] = t.elapsed();
    Ok(spent)
}

pub async fn checkout(args: CheckoutBench) -> Result<()> {
    if args.lines.is_empty() {
        bail!("give at least one cart line");
    }
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients.max(1))
        .timeout(Duration::from_secs(60))
        .build()?;
    let base = args.url.trim_end_matches('/').to_owned();
    let res = http
        .post(format!("{base}/api/v1/auth/tokens"))
        .json(&json!({"email": args.email, "password": args.password}))
        .send()
        .await
        .with_context(|| format!("signing in at {base}"))?;
    if !res.status().is_success() {
        bail!("signing in as {}: {}", args.email, res.status());
    }
    let token = res.json::<Value>().await?["token"]
        .as_str()
        .ok_or_else(|| anyhow!("no token in the sign-in answer"))?
        .to_owned();
    let client = Arc::new(Client { http, base, token });

    let markets = client.get("/api/v1/markets").await?;
    let market = markets["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|m| m["market"]["code"].as_str() == Some(args.market.as_str()))
        .ok_or_else(|| anyhow!("no market with code '{}'", args.market))?;
    let market_id = market["id"].as_i64().unwrap_or(0);
    let country = market["market"]["countries"][0]
        .as_str()
        .ok_or_else(|| anyhow!("market {} has no country", args.market))?
        .to_owned();

    // The warehouse checkouts hold stock at: the first (lowest id) one of
    // the seller's that has every line's units, so stock received at the
    // first warehouse is where every hold goes.
    let warehouses = client.get("/api/v1/warehouses").await?;
    let warehouse = warehouses["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|w| w["id"].as_i64())
        .min()
        .ok_or_else(|| anyhow!("the seller has no warehouse"))?;
    if args.stock > 0 {
        for (sku, _) in &args.lines {
            client
                .post(
                    &format!("/api/v1/warehouses/{warehouse}/entries"),
                    &json!({"sku": sku, "entry_type": "receipt", "quantity": args.stock}),
                )
                .await
                .with_context(|| format!("receiving {} units of {sku}", args.stock))?;
        }
    }
    let address = match country.as_str() {
        "US" => json!({"name": "Ada Buyer", "line1": "1 Main St", "city": "Springfield",
                        "region": "IL", "postal_code": "62704", "country": "US"}),
        "GB" => json!({"name": "Ada Buyer", "line1": "1 High St", "city": "London",
                        "postal_code": "SW1A 1AA", "country": "GB"}),
        "JP" => json!({"name": "Aiko Buyer", "line1": "1-1 Marunouchi", "city": "Chiyoda-ku",
                        "region": "Tokyo", "postal_code": "100-0005", "country": "JP"}),
        other => json!({"name": "Ada Buyer", "line1": "1 Hauptstraße", "city": "Berlin",
                         "postal_code": "10115", "country": other}),
    };
    let cart = json!({
        "market_id": market_id,
        "lines": args.lines.iter().map(|(sku, q)| json!({"sku": sku, "quantity": q})).collect::<Vec<_>>(),
        "address": address,
    });
    // One checkout first: the cart prices, the stock and the webhook
    // secret work, or the run stops here with the reason.
    let mut held_before = BTreeMap::new();
    for (sku, _) in &args.lines {
        held_before.insert(sku.clone(), held(&client, sku, warehouse).await?);
    }
    let first_order = orders_since(&client, i64::MAX).await?.last_id;
    let secret = args.webhook_secret.clone().into_bytes();
    let run_id = format!("{}-{}", std::process::id(), now_secs());
    one_checkout(
        &client,
        &cart,
        &secret,
        format!("evt_bench_{run_id}_warmup"),
    )
    .await
    .map_err(|(phase, e)| anyhow!("the first checkout failed at {}: {e}", PHASES[phase]))?;

    println!(
        "checkout: {} clients for {} s against {}, market {} (id {market_id}), lines {}, stock at warehouse {warehouse}",
        args.clients,
        args.seconds,
        client.base,
        args.market,
        args.lines
            .iter()
            .map(|(s, q)| format!("{q} × {s}"))
            .collect::<Vec<_>>()
            .join(" + "),
    );
    let tally = Arc::new(Mutex::new(Tally::default()));
    let seq = Arc::new(AtomicU64::new(0));
    let cart = Arc::new(cart);
    let secret = Arc::new(secret);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.seconds);
    let mut tasks = Vec::with_capacity(args.clients);
    for _ in 0..args.clients {
        let (client, cart, secret, tally, seq, run_id) = (
            client.clone(),
            cart.clone(),
            secret.clone(),
            tally.clone(),
            seq.clone(),
            run_id.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut mine = Tally::default();
            // A client finishes the checkout it started when time is up.
            while Instant::now() < deadline {
                let n = seq.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                match one_checkout(&client, &cart, &secret, format!("evt_bench_{run_id}_{n}")).await
                {
                    Ok(spent) => {
                        mine.latencies.push(t.elapsed());
                        for (total, s) in mine.phase_total.iter_mut().zip(spent) {
                            *total += s;
                        }
                    }
                    Err((phase, e)) => {
                        let entry = mine
                            .failures
                            .entry(PHASES[phase])
                            .or_insert_with(|| (0, e.to_string()));
                        entry.0 += 1;
                    }
                }
            }
            let mut all = tally.lock().unwrap_or_else(|p| p.into_inner());
            all.latencies.extend(mine.latencies);
            for (a, m) in all.phase_total.iter_mut().zip(mine.phase_total) {
                *a += m;
            }
            for (phase, (n, first)) in mine.failures {
                all.failures.entry(phase).or_insert((0, first)).0 += n;
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    let elapsed = started.elapsed();
    let mut tally = std::mem::take(&mut *tally.lock().unwrap_or_else(|p| p.into_inner()));
    tally.latencies.sort();
    let done = tally.latencies.len();
    println!(
        "completed checkouts: {done} in {:.2} s = {:.0} /s; latency per checkout p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        elapsed.as_secs_f64(),
        done as f64 / elapsed.as_secs_f64(),
        percentile_ms(&tally.latencies, 0.50),
        percentile_ms(&tally.latencies, 0.99),
        percentile_ms(&tally.latencies, 1.0),
    );
    if done > 0 {
        let phases: Vec<String> = PHASES
            .iter()
            .zip(tally.phase_total)
            .map(|(name, total)| {
                format!(
                    "{name} {:.2} ms",
                    total.as_secs_f64() * 1000.0 / done as f64
                )
            })
            .collect();
        println!("mean per phase: {}", phases.join(", "));
    }
    let failed: u64 = tally.failures.values().map(|(n, _)| n).sum();
    for (phase, (n, first)) in &tally.failures {
        println!("failed at {phase}: {n} (first: {first})");
    }

    // Checks: every completed checkout (and the first one) is a paid order,
    // and the units held grew by the paid orders' units.
    let OrdersSince {
        states, paid_units, ..
    } = orders_since(&client, first_order).await?;
    let paid = states.get("allocated").copied().unwrap_or(0);
    let mut ok = paid == done as u64 + 1;
    println!(
        "orders since the start: {}; paid {paid} (completed checkouts + the first: {})",
        states
            .iter()
            .map(|(s, n)| format!("{s} {n}"))
            .collect::<Vec<_>>()
            .join(", "),
        done + 1
    );
    for (sku, units) in &args.lines {
        let grew = held(&client, sku, warehouse).await? - held_before[sku];
        let sold = paid_units.get(sku).copied().unwrap_or(0);
        let expected = units * (done as i64 + 1);
        println!("{sku}: held +{grew}, in paid orders {sold}, expected {expected}");
        // Units of orders left `placed` by a failed payment stay held too.
        let unpaid_allowed = failed as i64 * units;
        ok &= sold == expected && grew >= sold && grew <= sold + unpaid_allowed;
    }
    if ok {
        println!("check: paid orders == completed checkouts, units held == units sold: ok");
        Ok(())
    } else {
        bail!("check failed: paid orders or held units do not match the completed checkouts")
    }
}
