//! The demo seller's markets, products and prices, and the reference data
//! they need: the HS codes of its products and a week of ECB rates. The
//! full sets load with `chuhai import hs FILE` and `chuhai import fx FILE`.

use anyhow::{anyhow, Result};
use chuhai_domain::catalog::{parse_hs_csv, Locale};
use chuhai_domain::country::Country;
use chuhai_domain::market::{Incoterm, Market};
use chuhai_domain::money::{Currency, Rate, RoundingMode};
use chuhai_domain::pricing::{MarketRounding, PriceRule};
use chuhai_store::reference::HsRow;
use chuhai_store::Store;
use chuhai_web::services::{fx, imports, pricing};

/// ECB reference rates 2026-10-26 … 2026-10-30 for the demo's currencies
/// (from the ECB's euro foreign exchange reference rates).
pub const RATES: &str = include_str!("rates.csv");
/// HS 2022 entries of the demo products (UN Comtrade nomenclature).
const HS_CODES: &str = include_str!("hs-codes.csv");
/// The demo catalog, as a Shopify product CSV with Chuhai's trade columns.
const PRODUCTS: &str = include_str!("products.csv");

fn locales(list: &[&str]) -> Result<Vec<Locale>> {
    list.iter()
        .map(|l| Locale::parse(l).map_err(|e| anyhow!("{e}")))
        .collect()
}

/// A market from its facts, in the order they are usually told.
#[allow(clippy::too_many_arguments)]
fn market(
    code: &str,
    name: &str,
    countries: Vec<Country>,
    currency: Currency,
    langs: &[&str],
    tax_inclusive: bool,
    incoterm: Incoterm,
    markup_percent: &str,
    rounding: MarketRounding,
) -> Result<Market> {
    let locales = locales(langs)?;
    Ok(Market {
        code: code.into(),
        name: name.into(),
        countries,
        currency,
        default_locale: locales[0],
        locales,
        tax_inclusive,
        incoterm,
        rule: PriceRule {
            markup: Rate::percent(markup_percent)?,
            rounding,
        },
    })
}

pub fn demo_markets() -> Result<Vec<Market>> {
    let eu: Vec<Country> = Country::all()
        .iter()
        .copied()
        .filter(|c| c.is_eu_member())
        .collect();
    let charm = |ending_minor| MarketRounding::CharmEnding {
        ending_minor,
        every_minor: None,
    };
    Ok(vec![
        market(
            "us",
            "United States",
            vec![Country::US],
            Currency::USD,
            &["en-US"],
            false,
            Incoterm::Ddp,
            "25",
            charm(99),
        )?,
        market(
            "eu",
            "European Union",
            eu,
            Currency::EUR,
            &["de", "fr", "es", "it", "en"],
            true,
            Incoterm::Ddp,
            "30",
            charm(99),
        )?,
        market(
            "uk",
            "United Kingdom",
            vec![Country::GB],
            Currency::GBP,
            &["en-GB"],
            true,
            Incoterm::Ddp,
            "30",
            charm(99),
        )?,
        market(
            "jp",
            "Japan",
            vec![Country::JP],
            Currency::JPY,
            &["ja", "en"],
            true,
            Incoterm::Ddp,
            "30",
            MarketRounding::CharmEnding {
                ending_minor: 80,
                every_minor: Some(100),
            },
        )?,
        market(
            "au",
            "Australia",
            vec![Country::AU],
            Currency::AUD,
            &["en-AU"],
            true,
            Incoterm::Ddp,
            "30",
            charm(95),
        )?,
        market(
            "ch",
            "Switzerland",
            vec![Country::CH],
            Currency::CHF,
            &["de-CH", "fr-CH"],
            true,
            Incoterm::Dap,
            "30",
            MarketRounding::NearestStep {
                step_minor: 500,
                mode: RoundingMode::HalfUp,
            },
        )?,
    ])
}

pub async fn seed(store: &Store, seller_id: i64, now: i64) -> Result<()> {
    if store.hs_counts().await?.2 == 0 {
        let rows = parse_hs_csv(HS_CODES.as_bytes())?
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
    }
    fx::import_ecb(store, RATES)
        .await
        .map_err(|p| anyhow!("demo rates: {}", p.detail))?;
    if store.tariff_lines(None).await?.is_empty() {
        chuhai_web::services::landed::put_tariff_lines(
            store,
            chuhai_domain::landed::demo_tariff_lines(),
        )
        .await
        .map_err(|p| anyhow!("demo tariff lines: {}", p.detail))?;
    }
    for m in demo_markets()? {
        store.create_market(seller_id, &m, now).await?;
    }
    let report =
        imports::import_shopify(store, seller_id, PRODUCTS.as_bytes(), Currency::CNY, false)
            .await
            .map_err(|p| anyhow!("demo products: {}", p.detail))?;
    if !report.errors.is_empty() {
        return Err(anyhow!("demo products: {:?}", report.errors));
    }
    let today = chuhai_web::time::date_of(now);
    pricing::derive_all(store, seller_id, today)
        .await
        .map_err(|p| anyhow!("demo prices: {}", p.detail))?;
    Ok(())
}
