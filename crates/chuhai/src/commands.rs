//! `chuhai import …`, `chuhai export …`, `chuhai prices …`.

use std::io::Write;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use chuhai_domain::calendar::Date;
use chuhai_domain::catalog::parse_hs_csv;
use chuhai_domain::money::Currency;
use chuhai_store::reference::HsRow;
use chuhai_store::Store;
use chuhai_web::problem::Problem;
use chuhai_web::services::{feeds, fx, imports, landed, pricing};

use crate::cli::{ExportCommand, ImportCommand, InventoryCommand, PricesCommand};
use crate::open_store;

/// A problem as a command-line error: its detail, one line per field.
fn problem(p: Problem) -> anyhow::Error {
    if p.errors.is_empty() {
        anyhow::anyhow!("{}", p.detail)
    } else {
        let lines: Vec<String> = p
            .errors
            .iter()
            .map(|e| format!("  {}: {}", e.field, e.reason))
            .collect();
        anyhow::anyhow!("{}\n{}", p.code, lines.join("\n"))
    }
}

async fn seller(store: &Store, slug: &str) -> Result<i64> {
    match store.organisation_by_slug(slug).await? {
        Some(o) if o.kind == chuhai_domain::accounts::OrganisationKind::Seller => Ok(o.id),
        Some(_) => bail!("'{slug}' is not a seller organisation"),
        None => bail!("no organisation with slug '{slug}'"),
    }
}

use chuhai_web::time::today;

pub async fn import(cmd: ImportCommand) -> Result<()> {
    match cmd {
        ImportCommand::Hs { file, db } => {
            let store = open_store(&db, true).await?;
            let started = Instant::now();
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let entries = parse_hs_csv(bytes.as_slice())
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let rows = entries
                .into_iter()
                .map(|e| HsRow {
                    code: e.code.clone(),
                    level: e.level.digits() as i64,
                    parent: e.parent.clone(),
                    section: e.section.clone(),
                    description: e.description.clone(),
                })
                .collect();
            store.replace_hs_codes(rows).await?;
            let (c, h, s) = store.hs_counts().await?;
            println!(
                "loaded HS nomenclature: {c} chapters, {h} headings, {s} subheadings in {:.2} s",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        ImportCommand::Tariffs { file, db } => {
            let store = open_store(&db, true).await?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let n = landed::import_tariff_csv(&store, &text)
                .await
                .map_err(problem)
                .with_context(|| format!("{}: nothing was imported", file.display()))?;
            println!("loaded {n} tariff lines");
            Ok(())
        }
        ImportCommand::Rules { file, db } => {
            let store = open_store(&db, true).await?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let rules: Vec<chuhai_domain::landed::ImportRule> =
                chuhai_web::extract::parse_json(text.as_bytes())
                    .map_err(problem)
                    .with_context(|| format!("{}: nothing was imported", file.display()))?;
            let n = landed::put_rules(&store, rules, chuhai_web::time::now_millis())
                .await
                .map_err(problem)
                .with_context(|| format!("{}: nothing was imported", file.display()))?;
            println!("stored {n} rule versions");
            Ok(())
        }
        ImportCommand::Fx { file, db } => {
            let store = open_store(&db, true).await?;
            let started = Instant::now();
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let r = fx::import_ecb(&store, &text).await.map_err(problem)?;
            println!(
                "loaded {} ECB rates over {} days ({} … {}) in {:.2} s",
                r.rates,
                r.days,
                r.first_date.as_deref().unwrap_or("-"),
                r.last_date.as_deref().unwrap_or("-"),
                started.elapsed().as_secs_f64()
            );
            if !r.skipped_currencies.is_empty() {
                println!(
                    "skipped withdrawn currencies: {}",
                    r.skipped_currencies.join(", ")
                );
            }
            Ok(())
        }
        ImportCommand::Products {
            format,
            seller: slug,
            currency,
            partial,
            file,
            db,
        } => {
            if format != "shopify" {
                bail!("--format {format}: only 'shopify' is supported");
            }
            let currency =
                Currency::from_code(&currency).map_err(|e| anyhow::anyhow!("--currency: {e}"))?;
            let store = open_store(&db, true).await?;
            let org = seller(&store, &slug).await?;
            let started = Instant::now();
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            eprintln!("importing {} ({} bytes)", file.display(), bytes.len());
            let r = imports::import_shopify_with_progress(
                &store,
                org,
                &bytes,
                currency,
                partial,
                &imports::Progress::Terminal,
            )
            .await
            .map_err(problem)?;
            eprintln!("done in {:.2} s", started.elapsed().as_secs_f64());
            for e in &r.errors {
                let at = if e.row > 0 {
                    format!("row {}", e.row)
                } else {
                    "product".to_owned()
                };
                println!("error: {at}, column '{}': {}", e.column, e.reason);
            }
            if !r.ignored_columns.is_empty() {
                println!(
                    "ignored Shopify columns Chuhai does not keep: {}",
                    r.ignored_columns.join(", ")
                );
            }
            println!(
                "{} rows read; {} products ({} variants) imported; {} errors{}",
                r.rows,
                r.imported_products,
                r.imported_variants,
                r.errors.len(),
                if !r.errors.is_empty() && !partial {
                    " — nothing was saved (use --partial to save the good rows)"
                } else {
                    ""
                }
            );
            if !r.errors.is_empty() && !partial {
                std::process::exit(2);
            }
            Ok(())
        }
    }
}

pub async fn export(cmd: ExportCommand) -> Result<()> {
    match cmd {
        ExportCommand::Products {
            format,
            seller: slug,
            output,
            db,
        } => {
            if format != "shopify" {
                bail!("--format {format}: only 'shopify' is supported");
            }
            let store = open_store(&db, true).await?;
            let org = seller(&store, &slug).await?;
            let csv = imports::export_shopify(&store, org)
                .await
                .map_err(problem)?;
            write_out(output, &csv)
        }
        ExportCommand::Tariffs { region, output, db } => {
            let store = open_store(&db, true).await?;
            let lines = landed::tariff_lines(&store, region.as_deref())
                .await
                .map_err(problem)?;
            write_out(
                output,
                chuhai_domain::landed::write_tariff_csv(&lines).as_bytes(),
            )
        }
        ExportCommand::Rules { output, db } => {
            let store = open_store(&db, true).await?;
            let rules = store
                .import_rules()
                .await?
                .iter()
                .map(|r| serde_json::from_str::<serde_json::Value>(&r.body))
                .collect::<Result<Vec<_>, _>>()?;
            let mut json = serde_json::to_string_pretty(&rules)?;
            json.push('\n');
            write_out(output, json.as_bytes())
        }
        ExportCommand::Feed {
            seller: slug,
            market,
            storefront_url,
            output,
            db,
        } => {
            let store = open_store(&db, true).await?;
            let org = seller(&store, &slug).await?;
            let markets = store.list_markets(org).await?;
            let Some(m) = markets.iter().find(|m| m.market.code == market) else {
                let codes: Vec<&str> = markets.iter().map(|m| m.market.code.as_str()).collect();
                bail!(
                    "--market {market}: no such market (markets: {})",
                    codes.join(", ")
                );
            };
            let name = store
                .organisation(org)
                .await?
                .map(|o| o.name)
                .unwrap_or_default();
            let (tsv, left_out) = feeds::google_feed(&store, org, m, &storefront_url, &name)
                .await
                .map_err(problem)?;
            for (sku, reason) in &left_out {
                eprintln!("left out {sku}: {reason}");
            }
            write_out(output, &tsv)
        }
    }
}

fn write_out(output: Option<std::path::PathBuf>, bytes: &[u8]) -> Result<()> {
    match output {
        Some(path) => {
            std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))
        }
        None => Ok(std::io::stdout().write_all(bytes)?),
    }
}

pub async fn prices(cmd: PricesCommand) -> Result<()> {
    match cmd {
        PricesCommand::Derive {
            seller: slug,
            date,
            db,
        } => {
            let store = open_store(&db, true).await?;
            let org = seller(&store, &slug).await?;
            let date = match date {
                Some(d) => Date::parse(&d).map_err(|e| anyhow::anyhow!("--date: {e}"))?,
                None => today(),
            };
            let started = Instant::now();
            let r = pricing::derive_all(&store, org, date)
                .await
                .map_err(problem)?;
            println!(
                "derived {} prices ({} variants × {} markets) for {} in {:.2} s",
                r.prices,
                r.variants,
                r.markets,
                r.date,
                started.elapsed().as_secs_f64()
            );
            for s in &r.skipped {
                println!("skipped {} in {}: {}", s.sku, s.market, s.reason);
            }
            Ok(())
        }
    }
}

/// Prints what `verify` found, one line per difference.
fn print_report(r: &chuhai_store::inventory::VerifyReport) {
    for d in &r.balances {
        let buckets: Vec<String> = d
            .buckets()
            .iter()
            .map(|b| {
                format!(
                    "{b} cached {} ledger {}",
                    d.cached.get(*b),
                    d.ledger.get(*b)
                )
            })
            .collect();
        println!("balance {}: {}", d.key, buckets.join(", "));
    }
    for d in &r.locations {
        let bin = d
            .key
            .bin
            .as_ref()
            .map_or_else(|| "(unlocated)".to_owned(), |b| b.to_string());
        let lot = d
            .key
            .lot
            .as_ref()
            .map(|l| format!(" lot {l}"))
            .unwrap_or_default();
        println!(
            "bin stock {} in {bin}{lot}: cached {} ledger {}",
            d.key.stock, d.cached, d.ledger
        );
    }
    println!(
        "{} ledger entries; {} balances and {} bin locations checked; {} differences",
        r.entries,
        r.balances_checked,
        r.locations_checked,
        r.balances.len() + r.locations.len()
    );
}

pub async fn inventory(cmd: InventoryCommand) -> Result<()> {
    match cmd {
        InventoryCommand::Verify { db } => {
            let store = open_store(&db, true).await?;
            let started = Instant::now();
            let report = store.verify_inventory().await?;
            print_report(&report);
            eprintln!("verified in {:.2} s", started.elapsed().as_secs_f64());
            if !report.is_clean() {
                store.close().await;
                std::process::exit(1);
            }
            Ok(())
        }
        InventoryCommand::Rebuild { db } => {
            let store = open_store(&db, true).await?;
            let before = store.verify_inventory().await?;
            print_report(&before);
            let started = Instant::now();
            let r = store.rebuild_inventory().await?;
            println!(
                "rebuilt {} balances and {} bin locations from {} ledger entries in {:.2} s",
                r.balances,
                r.locations,
                r.entries,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
    }
}
