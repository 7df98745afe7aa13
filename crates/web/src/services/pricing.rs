//! Deriving and quoting market prices.

use std::collections::HashMap;
use std::sync::Arc;

use chuhai_domain::calendar::Date;
use chuhai_domain::fx::Conversion;
use chuhai_domain::money::{Currency, Money, Rate};
use chuhai_domain::pricing::{
    derive_price, OrderQuantityRules, PriceQuote, PriceRule, PricingError, QuantityTier,
    ScheduledPriceList, VariantPricing,
};
use chuhai_store::catalog::VariantPriceInput;
use chuhai_store::markets::MarketRecord;
use chuhai_store::price_config::VariantPriceConfig;
use chuhai_store::prices::{DerivedPriceRow, PriceDerivation};
use chuhai_store::Store;
use serde::Serialize;

use super::fx::conversion;
use super::pricing_cache::{PricingCache, QuoteInputs, QuoteKey};
use crate::problem::{FieldProblem, Problem};
use crate::time::now_millis;

/// A variant that could not be priced in a market, and why.
#[derive(Debug, Clone, Serialize)]
pub struct SkippedPrice {
    pub sku: String,
    pub market: String,
    pub reason: String,
}

/// What a derivation run did.
#[derive(Debug, Clone, Serialize)]
pub struct DeriveReport {
    pub date: String,
    pub markets: usize,
    pub variants: usize,
    pub prices: u64,
    pub skipped: Vec<SkippedPrice>,
}

impl From<PricingError> for Problem {
    fn from(e: PricingError) -> Self {
        match e.field() {
            Some(field) => Problem::field(field.to_owned(), e.to_string()),
            None => Problem::validation(vec![FieldProblem {
                field: "(pricing)".into(),
                reason: e.to_string(),
            }]),
        }
    }
}

/// Derives every variant's price in every market of the seller for `date`
/// and replaces the stored prices, in one transaction. A manual price set
/// in a market's regular list is stored as that market's price; a market
/// with no exchange rate on or before `date` is reported in `skipped` (SKU
/// `*`) and gets no prices.
pub async fn derive_all(
    store: &Store,
    organisation_id: i64,
    date: Date,
) -> Result<DeriveReport, Problem> {
    let markets = store.list_markets(organisation_id).await?;
    let variants = store.variant_price_inputs(organisation_id).await?;
    let mut conversions: HashMap<(i64, Currency), (usize, Conversion)> = HashMap::new();
    let mut derivations = Vec::new();
    let mut rows = Vec::with_capacity(markets.len() * variants.len());
    let mut skipped = Vec::new();
    let manual = store.manual_prices(organisation_id).await?;
    // A market without an exchange rate is left out (and reported); the
    // others are still priced.
    let mut unpriced: HashMap<i64, String> = HashMap::new();
    // Variant-major order matches the table's primary key (variant, market),
    // so rows are appended rather than scattered.
    for v in &variants {
        for m in &markets {
            if unpriced.contains_key(&m.id) {
                continue;
            }
            let base_currency = v.base_price.currency();
            let key = (m.id, base_currency);
            if let std::collections::hash_map::Entry::Vacant(slot) = conversions.entry(key) {
                match conversion(store, base_currency, m.market.currency, date).await {
                    Ok(conv) => {
                        derivations.push(derivation_record(m, &conv, date));
                        slot.insert((derivations.len() - 1, conv));
                    }
                    Err(p) => {
                        let reason = p
                            .errors
                            .first()
                            .map(|e| e.reason.clone())
                            .unwrap_or(p.detail);
                        skipped.push(SkippedPrice {
                            sku: "*".into(),
                            market: m.market.code.clone(),
                            reason: reason.clone(),
                        });
                        unpriced.insert(m.id, reason);
                        continue;
                    }
                }
            }
            let (index, conv) = &conversions[&key];
            if let Some(amount_minor) = manual.get(&(m.id, v.variant_id)) {
                rows.push(DerivedPriceRow {
                    market_id: m.id,
                    variant_id: v.variant_id,
                    amount_minor: *amount_minor,
                    derivation: *index,
                });
                continue;
            }
            match derive_price(v.base_price, conv, &m.market.rule) {
                Ok(p) => rows.push(DerivedPriceRow {
                    market_id: m.id,
                    variant_id: v.variant_id,
                    amount_minor: p.amount.minor(),
                    derivation: *index,
                }),
                Err(e) => skipped.push(SkippedPrice {
                    sku: v.sku.clone(),
                    market: m.market.code.clone(),
                    reason: e.to_string(),
                }),
            }
        }
    }
    let prices = store
        .replace_derived_prices(organisation_id, &derivations, &rows, now_millis())
        .await?;
    Ok(DeriveReport {
        date: date.to_string(),
        markets: markets.len(),
        variants: variants.len(),
        prices,
        skipped,
    })
}

fn derivation_record(m: &MarketRecord, conv: &Conversion, date: Date) -> PriceDerivation {
    PriceDerivation {
        market_id: m.id,
        base_currency: conv.from().code().to_owned(),
        currency: conv.to().code().to_owned(),
        fx_rate: conv.rate_display(10),
        fx_date: conv.rate_date().map(|d| i64::from(d.days_since_epoch())),
        fx_source: conv.source().map(|s| s.as_str().to_owned()),
        requested_date: i64::from(date.days_since_epoch()),
        markup: m.market.rule.markup.to_string(),
        rounding: serde_json::to_string(&m.market.rule.rounding).unwrap_or_default(),
    }
}

/// Builds a variant's pricing in a market from what is stored: the market
/// rule, manual and compare-at prices, scheduled lists and tiers.
pub async fn variant_pricing(
    store: &Store,
    organisation_id: i64,
    variant: &VariantPriceInput,
    market: &MarketRecord,
) -> Result<VariantPricing, Problem> {
    let cfg = store
        .variant_price_config(organisation_id, market.id, variant.variant_id)
        .await?;
    pricing_from_parts(variant, market, &cfg)
}

/// A variant's pricing from its hand-set configuration (stored or proposed).
pub fn pricing_from_parts(
    variant: &VariantPriceInput,
    market: &MarketRecord,
    cfg: &VariantPriceConfig,
) -> Result<VariantPricing, Problem> {
    let currency = market.market.currency;
    let money = |m: i64| Money::from_minor(m, currency);
    let day = |d: i64| {
        i32::try_from(d)
            .ok()
            .and_then(Date::from_days_since_epoch)
            .ok_or_else(Problem::internal)
    };
    let mut scheduled = Vec::new();
    for (list, override_minor) in &cfg.scheduled {
        let markup = match &list.markup {
            Some(m) => Rate::parse(m).map_err(|_| Problem::internal())?,
            None => market.market.rule.markup,
        };
        let rounding = match &list.rounding {
            Some(r) => serde_json::from_str(r).map_err(|_| Problem::internal())?,
            None => market.market.rule.rounding,
        };
        scheduled.push(ScheduledPriceList {
            name: list.name.clone(),
            starts_on: day(list.starts_on)?,
            ends_before: day(list.ends_before)?,
            rule: PriceRule { markup, rounding },
            override_price: override_minor.map(money),
        });
    }
    let tiers = cfg
        .tiers
        .iter()
        .map(|(min_qty, discount)| {
            Ok(QuantityTier {
                min_qty: u32::try_from(*min_qty).map_err(|_| Problem::internal())?,
                discount: Rate::parse(discount).map_err(|_| Problem::internal())?,
            })
        })
        .collect::<Result<Vec<_>, Problem>>()?;
    Ok(VariantPricing {
        base: variant.base_price,
        rule: market.market.rule,
        override_price: cfg.override_minor.map(money),
        compare_at: cfg.compare_at_minor.map(money),
        scheduled,
        tiers,
        quantity_rules: OrderQuantityRules {
            moq: variant.moq,
            pack_size: variant.pack_size,
            increment: variant.increment,
        },
    })
}

/// The unit price of a variant in a market for a quantity on a date, with
/// the explanation of how it was made. The quote's inputs are cached under
/// the data generations the caller's principal carries.
#[allow(clippy::too_many_arguments)]
pub async fn quote(
    store: &Store,
    cache: &PricingCache,
    generations: (i64, i64),
    organisation_id: i64,
    variant_id: i64,
    market_id: i64,
    quantity: u32,
    date: Date,
) -> Result<(PriceQuote, i64, String), Problem> {
    let key = QuoteKey {
        organisation_id,
        generations,
        variant_id,
        market_id,
        date: date.days_since_epoch(),
    };
    let inputs = match cache.get(&key) {
        Some(hit) => hit,
        None => {
            let variant = store
                .variant_price_input(organisation_id, variant_id)
                .await?
                .ok_or_else(|| Problem::not_found("variant"))?;
            let market = store
                .market(organisation_id, market_id)
                .await?
                .ok_or_else(|| Problem::field("market", "is not one of your markets"))?;
            let conversion = conversion(
                store,
                variant.base_price.currency(),
                market.market.currency,
                date,
            )
            .await?;
            let pricing = variant_pricing(store, organisation_id, &variant, &market).await?;
            let inputs = Arc::new(QuoteInputs {
                pricing,
                conversion,
                market_code: market.market.code,
            });
            cache.insert(key, inputs.clone());
            inputs
        }
    };
    let q = inputs.pricing.quote(&inputs.conversion, quantity, date)?;
    Ok((q, market_id, inputs.market_code.clone()))
}
