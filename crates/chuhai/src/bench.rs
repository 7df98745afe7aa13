//! `chuhai bench …`: measurements that are not tests. Figures go to
//! docs/benchmarks.md with the machine, date and command.

use std::time::Instant;

use anyhow::{anyhow, Result};
use chuhai_domain::accounts::{Email, OrganisationKind, Role, Slug};
use chuhai_domain::calendar::Date;
use chuhai_domain::catalog::synthetic_shopify_csv;
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
