//! `chuhai bench …`: measurements that are not tests. Figures go to
//! docs/benchmarks.md with the machine, date and command.

pub mod checkout;

use std::time::Instant;

use anyhow::{anyhow, Result};
use chuhai_domain::accounts::{Email, OrganisationKind, Role, Slug};
use chuhai_domain::calendar::Date;
use chuhai_domain::catalog::{synthetic_shopify_csv, Sku};
use chuhai_domain::country::Country;
use chuhai_domain::inventory::{
    EntryType, Hold, LedgerEntry, Reference, ReferenceKind, StockKey, WarehouseDraft, WarehouseKind,
};
use chuhai_domain::money::{Currency, RoundingMode};
use chuhai_domain::pricing::MarketRounding;
use chuhai_store::accounts::{NewOrganisation, NewUser};
use chuhai_store::{Store, StoreConfig};
use chuhai_web::services::{fx, imports, pricing};

use crate::demo::catalog::demo_markets;

/// Peak resident memory of this process so far, in MiB (Linux).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Imports a synthetic Shopify CSV of `rows` rows into a fresh seller with
/// `markets` markets, then derives and stores every price.
pub async fn catalog(rows: usize, markets: usize, database_url: Option<String>) -> Result<()> {
    let dir = std::env::temp_dir().join(format!("chuhai-bench-{}", std::process::id()));
    let url = match database_url {
        Some(u) => u,
        None => {
            std::fs::create_dir_all(&dir)?;
            format!("sqlite://{}/bench.db", dir.display())
        }
    };
    let store = Store::open(StoreConfig::new(url)).await?;
    let slug = format!("bench-{}", std::process::id());
    let (org, _) = store
        .create_organisation_with_user(
            &NewOrganisation {
                kind: OrganisationKind::Seller,
                slug: Slug::parse(&slug)?,
                name: "Benchmark Seller".into(),
                name_zh: None,
            },
            &NewUser {
                email: Email::parse(&format!("{slug}@bench.example"))?,
                display_name: "Bench".into(),
                password_hash: "-".into(),
                role: Role::Owner,
                locale: None,
            },
            0,
        )
        .await?;
    fx::import_ecb(&store, crate::demo::catalog::RATES)
        .await
        .map_err(|p| anyhow!("{}", p.detail))?;
    // `markets` markets cycling through the demo's currencies and rules.
    let templates = demo_markets()?;
    for i in 0..markets {
        let mut m = templates[i % templates.len()].clone();
        m.code = format!("{}-{i}", m.code);
        if i >= templates.len() {
            m.rule.rounding = match i % 3 {
                0 => MarketRounding::None,
                1 => MarketRounding::NearestStep {
                    step_minor: 5,
                    mode: RoundingMode::HalfUp,
                },
                _ => m.rule.rounding,
            };
            if m.currency == Currency::JPY {
                m.rule.rounding = MarketRounding::WholeUnits {
                    mode: RoundingMode::Up,
                };
            }
        }
        store.create_market(org.id, &m, 0).await?;
    }
    let csv = synthetic_shopify_csv(rows, 42);
    println!(
        "synthetic Shopify CSV: {rows} rows, {:.1} MB",
        csv.len() as f64 / 1e6
    );

    let started = Instant::now();
    let report = imports::import_shopify(&store, org.id, csv.as_bytes(), Currency::CNY, false)
        .await
        .map_err(|p| anyhow!("{}", p.detail))?;
    let import_secs = started.elapsed().as_secs_f64();
    if !report.errors.is_empty() {
        return Err(anyhow!(
            "import errors: {:?}",
            &report.errors[..report.errors.len().min(5)]
        ));
    }
    println!(
        "import: {} rows → {} products, {} variants in {import_secs:.2} s ({:.0} rows/s)",
        report.rows,
        report.imported_products,
        report.imported_variants,
        report.rows as f64 / import_secs
    );

    let date = Date::parse("2026-10-30")?;
    let started = Instant::now();
    let derived = pricing::derive_all(&store, org.id, date)
        .await
        .map_err(|p| anyhow!("{}", p.detail))?;
    let derive_secs = started.elapsed().as_secs_f64();
    println!(
        "derive + persist: {} prices ({} variants × {} markets, {} skipped) in {derive_secs:.2} s ({:.0} prices/s)",
        derived.prices,
        derived.variants,
        derived.markets,
        derived.skipped.len(),
        derived.prices as f64 / derive_secs
    );
    if let Some(mib) = peak_rss_mib() {
        println!("peak RSS of the process: {mib:.0} MiB");
    }
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// Which parts of `chuhai bench inventory` to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InventoryPart {
    All,
    Reservations,
    Query,
    Rebuild,
}

/// Parameters of `chuhai bench inventory`.
#[derive(Debug, Clone)]
pub struct InventoryBench {
    pub database_url: Option<String>,
    pub part: InventoryPart,
    pub clients: usize,
    pub seconds: u64,
    pub skus: usize,
    pub warehouses: usize,
    pub queries: usize,
    pub ledger_entries: usize,
}

/// A store for one benchmark run: a temporary SQLite file, or a fresh
/// schema in the PostgreSQL database given (dropped at the end).
struct BenchStore {
    store: Store,
    schema: Option<String>,
    dir: std::path::PathBuf,
}

impl BenchStore {
    async fn open(url: Option<&str>, connections: u32, tag: &str) -> Result<BenchStore> {
        let dir =
            std::env::temp_dir().join(format!("chuhai-bench-inv-{}-{tag}", std::process::id()));
        let (config, schema) = match url {
            Some(u) if u.starts_with("postgres") => {
                let schema = format!("chuhai_bench_{}_{tag}", std::process::id());
                let mut c = StoreConfig::new(u);
                c.schema = Some(schema.clone());
                c.max_connections = connections;
                (c, Some(schema))
            }
            Some(u) => (StoreConfig::new(u), None),
            None => {
                let _ = std::fs::remove_dir_all(&dir);
                std::fs::create_dir_all(&dir)?;
                let mut c = StoreConfig::new(format!("sqlite://{}/bench.db", dir.display()));
                c.max_connections = connections;
                (c, None)
            }
        };
        Ok(BenchStore {
            store: Store::open(config).await?,
            schema,
            dir,
        })
    }

    async fn close(self) -> Result<()> {
        if let Some(s) = &self.schema {
            self.store.drop_schema(s).await?;
        }
        self.store.close().await;
        let _ = std::fs::remove_dir_all(&self.dir);
        Ok(())
    }
}

async fn bench_org(store: &Store, kind: OrganisationKind, slug: &str) -> Result<i64> {
    let (org, _) = store
        .create_organisation_with_user(
            &NewOrganisation {
                kind,
                slug: Slug::parse(slug)?,
                name: slug.to_owned(),
                name_zh: None,
            },
            &NewUser {
                email: Email::parse(&format!("{slug}@bench.example"))?,
                display_name: "Bench".into(),
                password_hash: "-".into(),
                role: if kind == OrganisationKind::Seller {
                    Role::Owner
                } else {
                    Role::WarehouseOperator
                },
                locale: None,
            },
            0,
        )
        .await?;
    Ok(org.id)
}

fn bench_warehouse(code: String) -> WarehouseDraft {
    WarehouseDraft {
        kind: WarehouseKind::Overseas,
        code,
        name: "Bench warehouse".into(),
        country: Country::US,
        address: "1 Bench Road".into(),
        latitude: None,
        longitude: None,
        time_zone: "America/Los_Angeles".into(),
        utc_offset_minutes: -480,
        cutoff_time: "14:00".into(),
        capacity_m2: None,
        capacity_m3: None,
        carrier_services: vec![],
    }
}

fn bench_sku(i: usize) -> Sku {
    Sku::parse(&format!("BENCH-{i:05}")).expect("a valid SKU")
}

fn manual_ref(id: &str) -> Reference {
    Reference {
        kind: ReferenceKind::Manual,
        id: id.to_owned(),
    }
}

/// Nearest-rank percentile of sorted durations, in milliseconds.
fn percentile(sorted: &[std::time::Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

/// `clients` tasks reserving 1 unit at a time for `seconds` against
/// `skus` SKUs (1 = one hot SKU) with `stock` units each; then checks that
/// nothing was oversold and that the caches agree with the ledger.
async fn reservation_run(args: &InventoryBench, skus: usize, stock: i64, tag: &str) -> Result<()> {
    let bs = BenchStore::open(
        args.database_url.as_deref(),
        (args.clients as u32).clamp(4, 80),
        tag,
    )
    .await?;
    let store = bs.store.clone();
    let seller = bench_org(
        &store,
        OrganisationKind::Seller,
        &format!("bench-seller-{tag}"),
    )
    .await?;
    let w = store
        .create_warehouse(seller, &bench_warehouse("BENCH-1".into()), 0)
        .await?;
    let receipts: Vec<LedgerEntry> = (0..skus)
        .map(|i| {
            LedgerEntry::new(
                StockKey::new(seller, bench_sku(i), w.id),
                EntryType::Receipt,
                stock,
                manual_ref("BENCH-OPENING"),
                1,
            )
        })
        .collect();
    store.post_entries(&receipts).await?;
    let deadline = Instant::now() + std::time::Duration::from_secs(args.seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..args.clients {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut refused) = (0u64, 0u64);
            let mut rng: u64 = 0x9E37_79B9_7F4A_7C15 ^ (c as u64 + 1);
            let mut n = 0u64;
            while Instant::now() < deadline {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                let sku = bench_sku((rng % skus as u64) as usize);
                n += 1;
                let key = StockKey::new(seller, sku, w.id);
                let reference = Reference {
                    kind: ReferenceKind::Checkout,
                    id: format!("C{c}-{n}"),
                };
                let (hold, entry) = Hold::place(key, 1, reference, None, 2, None)?;
                match store.reserve(&hold, &entry).await {
                    Ok(_) => ok += 1,
                    Err(chuhai_store::StoreError::Ledger(_)) => refused += 1,
                    Err(e) => return Err(anyhow!(e)),
                }
            }
            Ok::<_, anyhow::Error>((ok, refused))
        }));
    }
    let (mut ok, mut refused) = (0u64, 0u64);
    for t in tasks {
        let (o, r) = t.await??;
        ok += o;
        refused += r;
    }
    let secs = started.elapsed().as_secs_f64();
    // Zero oversell: every SKU's reserved ≤ on hand, and the reserved
    // units are exactly the successful reservations.
    let rows = store.stock_rows(Some(seller), Some(w.id)).await?;
    let reserved: i64 = rows.iter().map(|r| r.balance.reserved).sum();
    let oversold = rows.iter().filter(|r| r.balance.available() < 0).count();
    let verify = store.verify_inventory().await?;
    println!(
        "reservations, {} clients, {}: {ok} placed + {refused} refused in {secs:.1} s = {:.0} reservations/s ({:.0} attempts/s); reserved {reserved} = placed {ok}: {}; oversold SKUs: {oversold}; ledger = caches: {}",
        args.clients,
        if skus == 1 {
            "one hot SKU".to_owned()
        } else {
            format!("{skus} SKUs")
        },
        ok as f64 / secs,
        (ok + refused) as f64 / secs,
        if reserved == ok as i64 { "yes" } else { "NO" },
        if verify.is_clean() { "yes" } else { "NO" },
    );
    // When more was asked than there was, exactly the stock was placed.
    let sold_out = (ok + refused) as i64 > stock * skus as i64;
    if sold_out {
        println!(
            "  sold out: {ok} placed of {} units, {refused} refused",
            stock * skus as i64
        );
    }
    if reserved != ok as i64
        || oversold > 0
        || !verify.is_clean()
        || (sold_out && ok as i64 != stock * skus as i64)
    {
        return Err(anyhow!("the reservation invariants failed"));
    }
    bs.close().await
}

/// One SKU in `warehouses` warehouses (among 20 SKUs in each): the time
/// of `stock_by_sku`, sequentially, `queries` times.
async fn query_run(args: &InventoryBench) -> Result<()> {
    let bs = BenchStore::open(args.database_url.as_deref(), 8, "query").await?;
    let store = bs.store.clone();
    let seller = bench_org(&store, OrganisationKind::Seller, "bench-seller-q").await?;
    let operator = bench_org(&store, OrganisationKind::WarehouseOperator, "bench-3pl-q").await?;
    let setup = Instant::now();
    let mut entries = Vec::new();
    for i in 0..args.warehouses {
        let w = store
            .create_warehouse(operator, &bench_warehouse(format!("W-{i:05}")), 0)
            .await?;
        for s in 0..20 {
            entries.push(LedgerEntry::new(
                StockKey::new(seller, bench_sku(s), w.id),
                EntryType::Receipt,
                10 + (i as i64 % 7),
                manual_ref("BENCH-OPENING"),
                1,
            ));
        }
    }
    for chunk in entries.chunks(20_000) {
        store.post_entries(chunk).await?;
    }
    println!(
        "stock query setup: {} warehouses × 20 SKUs = {} balances in {:.1} s",
        args.warehouses,
        entries.len(),
        setup.elapsed().as_secs_f64()
    );
    let sku = bench_sku(7);
    for _ in 0..50 {
        store.stock_by_sku(seller, &sku).await?;
    }
    let mut times = Vec::with_capacity(args.queries);
    let mut rows = 0;
    for _ in 0..args.queries {
        let t = Instant::now();
        rows = store.stock_by_sku(seller, &sku).await?.len();
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "stock of one SKU across {rows} warehouses, {} queries: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        args.queries,
        percentile(&times, 50.0),
        percentile(&times, 99.0),
        percentile(&times, 100.0)
    );
    bs.close().await
}

/// A ledger of `ledger_entries` entries over 10,000 SKUs in 10 warehouses
/// (receipts, reservations, releases and shipments), then the time to
/// rebuild every cache from it and to verify them.
async fn rebuild_run(args: &InventoryBench) -> Result<()> {
    let bs = BenchStore::open(args.database_url.as_deref(), 8, "rebuild").await?;
    let store = bs.store.clone();
    let seller = bench_org(&store, OrganisationKind::Seller, "bench-seller-r").await?;
    let mut warehouses = Vec::new();
    for i in 0..10 {
        warehouses.push(
            store
                .create_warehouse(seller, &bench_warehouse(format!("R-{i}")), 0)
                .await?
                .id,
        );
    }
    let keys = 10_000 * warehouses.len();
    let fill = Instant::now();
    let batch = 50_000;
    let mut done = 0;
    while done < args.ledger_entries {
        let n = batch.min(args.ledger_entries - done);
        let chunk: Vec<LedgerEntry> = (done..done + n)
            .map(|i| {
                let k = i % keys;
                let round = i / keys;
                // Per key: receipt 10, reserve 2, release 1, ship 3, receipt 10, …
                let (t, q) = match round % 4 {
                    0 => (EntryType::Receipt, 10),
                    1 => (EntryType::Reservation, 2),
                    2 => (EntryType::Release, 1),
                    _ => (EntryType::Ship, 3),
                };
                LedgerEntry::new(
                    StockKey::new(seller, bench_sku(k % 10_000), warehouses[k / 10_000]),
                    t,
                    q,
                    manual_ref("BENCH-LEDGER"),
                    1_000 + i as i64,
                )
            })
            .collect();
        store.post_entries(&chunk).await?;
        done += n;
        if done % 1_000_000 == 0 {
            eprintln!(
                "ledger: {done} entries posted in {:.0} s",
                fill.elapsed().as_secs_f64()
            );
        }
    }
    println!(
        "ledger of {} entries over {keys} stock keys posted (checked, in batches of {batch}) in {:.1} s",
        args.ledger_entries,
        fill.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let r = store.rebuild_inventory().await?;
    println!(
        "rebuild of the caches from {} ledger entries ({} balances, {} bin locations): {:.2} s",
        r.entries,
        r.balances,
        r.locations,
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let v = store.verify_inventory().await?;
    println!(
        "verify against the ledger: {:.2} s, {} differences",
        t.elapsed().as_secs_f64(),
        v.balances.len() + v.locations.len()
    );
    if !v.is_clean() {
        return Err(anyhow!("verify found differences after the rebuild"));
    }
    bs.close().await
}

/// `chuhai bench inventory`: reservations/s (hot and spread), the stock
/// query across warehouses, and the rebuild of the caches.
pub async fn inventory(args: InventoryBench) -> Result<()> {
    let backend = match args.database_url.as_deref() {
        Some(u) if u.starts_with("postgres") => "PostgreSQL",
        _ => "SQLite",
    };
    println!("backend: {backend}");
    if matches!(args.part, InventoryPart::All | InventoryPart::Reservations) {
        // Hot: one SKU with more stock than the run can reserve.
        reservation_run(&args, 1, 10_000_000, "hot").await?;
        reservation_run(&args, args.skus, 10_000, "spread").await?;
        // And one SKU that sells out during the run: exactly its stock is placed.
        reservation_run(&args, 1, 5_000, "sellout").await?;
    }
    if matches!(args.part, InventoryPart::All | InventoryPart::Query) {
        query_run(&args).await?;
    }
    if matches!(args.part, InventoryPart::All | InventoryPart::Rebuild) {
        rebuild_run(&args).await?;
    }
    if let Some(mib) = peak_rss_mib() {
        println!("peak RSS of the process: {mib:.0} MiB");
    }
    Ok(())
}
