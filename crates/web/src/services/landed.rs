//! Landed cost: the destination import rules, tariff lines and exchange
//! rates a quote is computed from, kept in memory per platform data
//! generation (every write to rules, tariff lines or rates bumps it, so a
//! server reloads on its next request and never quotes from stale data),
//! and the quote and reverse-pricing use cases.

use std::sync::{Arc, RwLock};

use chuhai_domain::calendar::Date;
use chuhai_domain::catalog::{HsCode, TariffCode};
use chuhai_domain::country::Country;
use chuhai_domain::fx::ReferenceRates;
use chuhai_domain::landed::{
    net_price_for_target, parse_tariff_csv, quote, seed_rules, ImportRule, LandedError,
    LandedQuote, NetPrice, Percent, QuoteItem, QuoteRequest, RuleSet, TariffBook, TariffLine,
};
use chuhai_domain::market::Incoterm;
use chuhai_domain::money::{Currency, Money, Rate};
use chuhai_store::trade::{ImportRuleRow, TariffLineRow};
use chuhai_store::{Millis, Store};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::problem::{FieldProblem, Problem};

/// Everything a quote is computed from, as of one platform data generation.
pub struct TradeReference {
    pub generation: i64,
    pub rules: RuleSet,
    pub tariff: TariffBook,
    pub rates: ReferenceRates,
    /// The loaded HS 2022 subheadings; empty when no nomenclature is
    /// loaded (then codes are checked for form only).
    pub hs_subheadings: std::collections::HashSet<String>,
}

/// The current [`TradeReference`], shared by all requests of a server.
#[derive(Default)]
pub struct LandedCache {
    current: RwLock<Option<Arc<TradeReference>>>,
    loading: tokio::sync::Mutex<()>,
}

impl LandedCache {
    fn get(&self, generation: i64) -> Option<Arc<TradeReference>> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .filter(|r| r.generation == generation)
            .cloned()
    }
}

/// The reference data as of `generation` (the platform generation the
/// caller's principal carries), loaded once per generation.
pub async fn reference(
    store: &Store,
    cache: &LandedCache,
    generation: i64,
) -> Result<Arc<TradeReference>, Problem> {
    if let Some(r) = cache.get(generation) {
        return Ok(r);
    }
    let _one_loader = cache.loading.lock().await;
    if let Some(r) = cache.get(generation) {
        return Ok(r);
    }
    let loaded = Arc::new(load(store, generation).await?);
    *cache.current.write().unwrap_or_else(|e| e.into_inner()) = Some(loaded.clone());
    Ok(loaded)
}

fn corrupt(what: &str, detail: impl std::fmt::Display) -> Problem {
    tracing::error!(%detail, "stored {what} cannot be read");
    Problem::internal()
}

async fn load(store: &Store, generation: i64) -> Result<TradeReference, Problem> {
    let rules = store
        .import_rules()
        .await?
        .iter()
        .map(|r| serde_json::from_str::<ImportRule>(&r.body).map_err(|e| corrupt("import rule", e)))
        .collect::<Result<Vec<_>, _>>()?;
    let rules = RuleSet::new(rules).map_err(|p| corrupt("import rules", format!("{p:?}")))?;
    let lines = store
        .tariff_lines(None)
        .await?
        .iter()
        .map(|l| serde_json::from_str::<TariffLine>(&l.body).map_err(|e| corrupt("tariff line", e)))
        .collect::<Result<Vec<_>, _>>()?;
    let tariff = TariffBook::new(lines).map_err(|p| corrupt("tariff lines", format!("{p:?}")))?;
    let source = crate::services::fx::SOURCE;
    let mut rates = ReferenceRates::new(source);
    for row in store.fx_rates(source.as_str()).await? {
        let (Ok(currency), Some(date), Ok(rate)) = (
            Currency::from_code(&row.currency),
            i32::try_from(row.date)
                .ok()
                .and_then(Date::from_days_since_epoch),
            Rate::parse(&row.per_eur),
        ) else {
            return Err(corrupt("exchange rate", &row.currency));
        };
        rates
            .insert(currency, date, rate)
            .map_err(|e| corrupt("exchange rate", e))?;
    }
    let hs_subheadings = store.hs_subheading_codes().await?.into_iter().collect();
    Ok(TradeReference {
        generation,
        rules,
        tariff,
        rates,
        hs_subheadings,
    })
}

fn rule_row(rule: &ImportRule, now: Millis) -> Result<ImportRuleRow, Problem> {
    Ok(ImportRuleRow {
        version: rule.version.clone(),
        region: rule.region.clone(),
        valid_from: i64::from(rule.valid_from.days_since_epoch()),
        valid_until: rule.valid_until.map(|d| i64::from(d.days_since_epoch())),
        verified: rule.verified,
        body: serde_json::to_string(rule).map_err(|_| Problem::internal())?,
        updated_at: now,
    })
}

/// Stores the rule versions built from TRADE-RULES.md when no rule is
/// stored yet. Returns how many were stored.
pub async fn seed_rules_if_empty(store: &Store, now: Millis) -> Result<u64, Problem> {
    if !store.import_rules().await?.is_empty() {
        return Ok(0);
    }
    let rows = seed_rules()
        .iter()
        .map(|r| rule_row(r, now))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(store.upsert_import_rules(rows).await?)
}

/// Adds rule versions (or replaces versions with the same id) after
/// checking them together with the stored ones: a rule change is a new
/// version with its start date. All or nothing.
pub async fn put_rules(store: &Store, rules: Vec<ImportRule>, now: Millis) -> Result<u64, Problem> {
    let mut all: Vec<ImportRule> = store
        .import_rules()
        .await?
        .iter()
        .filter_map(|r| serde_json::from_str::<ImportRule>(&r.body).ok())
        .filter(|r| !rules.iter().any(|n| n.version == r.version))
        .collect();
    let mut problems = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        for p in r.problems() {
            problems.push(FieldProblem {
                field: format!("[{i}].{}", p.field),
                reason: p.reason,
            });
        }
    }
    if problems.is_empty() {
        all.extend(rules.iter().cloned());
        if let Err(set) = RuleSet::new(all) {
            problems.extend(set.into_iter().map(|p| FieldProblem {
                field: p.field,
                reason: p.reason,
            }));
        }
    }
    if !problems.is_empty() {
        return Err(Problem::validation(problems));
    }
    let rows = rules
        .iter()
        .map(|r| rule_row(r, now))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(store.upsert_import_rules(rows).await?)
}

/// Imports tariff lines from the tariff CSV: all or nothing, every problem
/// with its line and column. Returns the lines written.
pub async fn import_tariff_csv(store: &Store, text: &str) -> Result<u64, Problem> {
    let lines = parse_tariff_csv(text).map_err(|problems| {
        let mut p = Problem::validation(
            problems
                .into_iter()
                .map(|c| FieldProblem {
                    field: if c.column.is_empty() {
                        format!("line {}", c.line)
                    } else {
                        format!("line {}, column {}", c.line, c.column)
                    },
                    reason: c.reason,
                })
                .collect(),
        );
        p.detail = format!("{} problem(s); no tariff line was imported", p.errors.len());
        p
    })?;
    put_tariff_lines(store, lines).await
}

/// Stores tariff lines, replacing lines with the same region and code.
pub async fn put_tariff_lines(store: &Store, lines: Vec<TariffLine>) -> Result<u64, Problem> {
    let rows = lines
        .iter()
        .map(|l| {
            Ok(TariffLineRow {
                region: l.region.clone(),
                tariff_code: l.code.as_str().to_owned(),
                body: serde_json::to_string(l).map_err(|_| Problem::internal())?,
            })
        })
        .collect::<Result<Vec<_>, Problem>>()?;
    Ok(store.upsert_tariff_lines(rows).await?)
}

/// The stored tariff lines of one region, or of all.
pub async fn tariff_lines(store: &Store, region: Option<&str>) -> Result<Vec<TariffLine>, Problem> {
    store
        .tariff_lines(region)
        .await?
        .iter()
        .map(|l| serde_json::from_str::<TariffLine>(&l.body).map_err(|e| corrupt("tariff line", e)))
        .collect()
}

/// One item of a quote as asked over the API: by the seller's SKU (its HS
/// code, tariff code for the destination, origin and weight come from the
/// catalog) or by HS code; what is given overrides the catalog.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteItemBody {
    #[serde(default)]
    pub sku: Option<String>,
    #[serde(default)]
    pub hs_code: Option<HsCode>,
    #[serde(default)]
    pub tariff_code: Option<TariffCode>,
    #[serde(default)]
    pub origin: Option<Country>,
    pub quantity: i64,
    pub unit_price: Money,
    /// Kilograms per unit, exact decimal text.
    #[serde(default)]
    pub weight_kg: Option<String>,
    /// A known or binding ad valorem duty in percent, replacing the tariff.
    #[serde(default)]
    pub duty_rate: Option<String>,
}

/// A landed-cost quote as asked over the API.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteBody {
    pub destination: Country,
    /// DDP or DAP ("DDU" is read as DAP).
    pub incoterm: Incoterm,
    /// Default: today (UTC).
    #[serde(default)]
    pub date: Option<Date>,
    /// The currency of the answer.
    pub currency: Currency,
    pub shipping: Money,
    #[serde(default)]
    pub insurance: Option<Money>,
    pub items: Vec<QuoteItemBody>,
}

fn invalid(field: String, reason: impl Into<String>) -> Problem {
    Problem::validation(vec![FieldProblem {
        field,
        reason: reason.into(),
    }])
}

/// A refused quote as a 422 problem whose `code` is the kind of refusal
/// (`unknown_tariff`, `outside_validity`…) and whose error names the field.
pub fn landed_problem(e: LandedError) -> Problem {
    let mut p = Problem::validation(vec![FieldProblem {
        field: e.field.clone(),
        reason: e.reason.clone(),
    }]);
    p.code = e.kind.code().to_owned();
    p.detail = e.to_string();
    p
}

/// Resolves SKUs against the seller's catalog and builds the domain request.
pub async fn request(
    store: &Store,
    reference: &TradeReference,
    organisation_id: i64,
    body: &QuoteBody,
    today: Date,
) -> Result<QuoteRequest, Problem> {
    let skus: Vec<&str> = body.items.iter().filter_map(|i| i.sku.as_deref()).collect();
    let found = if skus.is_empty() {
        Vec::new()
    } else {
        store
            .sku_trade(organisation_id, &skus, body.destination.alpha2())
            .await?
    };
    let mut items = Vec::with_capacity(body.items.len());
    for (i, it) in body.items.iter().enumerate() {
        let trade = match &it.sku {
            Some(sku) => Some(found.iter().find(|t| &t.sku == sku).ok_or_else(|| {
                invalid(
                    format!("items[{i}].sku"),
                    format!("no variant of yours has SKU '{sku}'"),
                )
            })?),
            None => None,
        };
        let hs_code = match (it.hs_code, trade.and_then(|t| t.hs_code.as_deref())) {
            (Some(hs), _) => hs,
            (None, Some(text)) => HsCode::parse(text).map_err(|_| Problem::internal())?,
            (None, None) => {
                return Err(invalid(
                    format!("items[{i}].hs_code"),
                    match &it.sku {
                        Some(sku) => format!("SKU '{sku}' has no HS code; give hs_code"),
                        None => "give an HS code (6 digits) or a SKU".to_owned(),
                    },
                ))
            }
        };
        if !reference.hs_subheadings.is_empty()
            && !reference.hs_subheadings.contains(hs_code.as_str())
        {
            return Err(invalid(
                format!("items[{i}].hs_code"),
                format!("{hs_code} is not an HS 2022 subheading"),
            ));
        }
        let tariff_code = match (it.tariff_code, trade.and_then(|t| t.tariff_code.as_deref())) {
            (Some(code), _) => Some(code),
            (None, Some(text)) => Some(TariffCode::parse(text).map_err(|_| Problem::internal())?),
            (None, None) => None,
        };
        let origin = match (it.origin, trade.and_then(|t| t.origin_country.as_deref())) {
            (Some(c), _) => Some(c),
            (None, Some(text)) => {
                Some(Country::from_alpha2(text).map_err(|_| Problem::internal())?)
            }
            (None, None) => None,
        };
        let weight_kg = match (&it.weight_kg, trade.and_then(|t| t.grams)) {
            (Some(text), _) => text
                .parse::<Decimal>()
                .ok()
                .filter(|d| !d.is_sign_negative() && !text.contains(['e', 'E']))
                .ok_or_else(|| {
                    invalid(
                        format!("items[{i}].weight_kg"),
                        format!("'{text}' is not a weight in kilograms such as \"1.45\""),
                    )
                })?,
            (None, Some(grams)) => Decimal::from(grams) / Decimal::from(1000),
            (None, None) => {
                return Err(invalid(
                    format!("items[{i}].weight_kg"),
                    "give the weight of one unit in kilograms (or a SKU with a weight)",
                ))
            }
        };
        let duty_rate = match &it.duty_rate {
            Some(text) => Some(Percent::parse(text).map_err(|_| {
                invalid(
                    format!("items[{i}].duty_rate"),
                    format!("'{text}' is not a percentage such as \"3.7\""),
                )
            })?),
            None => None,
        };
        items.push(QuoteItem {
            id: it.sku.clone().unwrap_or_else(|| format!("line {}", i + 1)),
            hs_code,
            tariff_code,
            origin,
            quantity: it.quantity,
            unit_price: it.unit_price,
            weight_kg,
            duty_rate,
        });
    }
    Ok(QuoteRequest {
        destination: body.destination,
        incoterm: body.incoterm,
        date: body.date.unwrap_or(today),
        answer_currency: body.currency,
        shipping: body.shipping,
        insurance: body
            .insurance
            .unwrap_or_else(|| Money::zero(body.shipping.currency())),
        items,
    })
}

/// A landed-cost quote.
pub fn quote_with(reference: &TradeReference, req: &QuoteRequest) -> Result<LandedQuote, Problem> {
    quote(req, &reference.rules, &reference.tariff, &reference.rates).map_err(landed_problem)
}

/// The net goods price of item `item` that makes the landed total reach
/// `target` (DDP pricing).
pub fn net_price_with(
    reference: &TradeReference,
    req: &QuoteRequest,
    item: usize,
    target: Money,
) -> Result<NetPrice, Problem> {
    if item >= req.items.len() {
        return Err(invalid(
            "item".into(),
            format!("{item} is not an item index (0 to {})", req.items.len() - 1),
        ));
    }
    net_price_for_target(
        req,
        item,
        target,
        &reference.rules,
        &reference.tariff,
        &reference.rates,
    )
    .map_err(landed_problem)
}
