//! Hand-set pricing: scheduled price lists (sales), manual and compare-at
//! prices, volume tiers, and order quantity rules (MOQ, pack, increment).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chuhai_domain::accounts::Scope;
use chuhai_domain::calendar::Date;
use chuhai_domain::money::{Money, Rate};
use chuhai_domain::pricing::{MarketRounding, OrderQuantityRules};
use chuhai_store::price_config::{NewVariantPriceConfig, PriceListRecord, VariantPriceConfig};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::ApiPrincipal;
use crate::extract::{ApiJson, ApiPath};
use crate::problem::{FieldProblem, Problem};
use crate::services::{fx, pricing};
use crate::state::AppState;
use crate::time::now_millis;

#[derive(Debug, Serialize, ToSchema)]
pub struct PriceListView {
    pub id: i64,
    pub market_id: i64,
    pub name: String,
    /// Markup fraction (e.g. "0.1"); null uses the market's.
    pub markup: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub rounding: Option<MarketRounding>,
    /// First day (inclusive), YYYY-MM-DD.
    pub starts_on: String,
    /// First day it no longer applies (exclusive), YYYY-MM-DD.
    pub ends_before: String,
}

fn day(d: i64) -> String {
    i32::try_from(d)
        .ok()
        .and_then(Date::from_days_since_epoch)
        .map(|d| d.to_string())
        .unwrap_or_default()
}

impl From<&PriceListRecord> for PriceListView {
    fn from(l: &PriceListRecord) -> Self {
        Self {
            id: l.id,
            market_id: l.market_id,
            name: l.name.clone(),
            markup: l.markup.clone(),
            rounding: l
                .rounding
                .as_deref()
                .and_then(|r| serde_json::from_str(r).ok()),
            starts_on: day(l.starts_on),
            ends_before: day(l.ends_before),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPriceList {
    pub name: String,
    /// YYYY-MM-DD, inclusive.
    #[schema(value_type = String)]
    pub starts_on: Date,
    /// YYYY-MM-DD, exclusive (a one-day sale on 11-11 ends before 11-12).
    #[schema(value_type = String)]
    pub ends_before: Date,
    /// e.g. "10" for 10 %; absent uses the market's markup.
    pub markup_percent: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub rounding: Option<MarketRounding>,
}

/// Add a scheduled price list (e.g. a sale) to a market.
#[utoipa::path(post, path = "/api/v1/markets/{id}/price-lists", tag = "pricing",
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header)), request_body = NewPriceList,
    responses((status = 201, body = PriceListView), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_price_list(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(market_id): ApiPath<i64>,
    ApiJson(req): ApiJson<NewPriceList>,
) -> Result<(StatusCode, Json<PriceListView>), Problem> {
    principal.require(Scope::CatalogWrite)?;
    let org = principal.0.organisation.id;
    let market = state
        .store
        .market(org, market_id)
        .await?
        .ok_or_else(|| Problem::not_found("market"))?;
    let mut errors = Vec::new();
    if req.name.trim().is_empty() || req.name.chars().count() > 120 {
        errors.push(FieldProblem {
            field: "name".into(),
            reason: "must be 1 to 120 characters".into(),
        });
    }
    if req.ends_before <= req.starts_on {
        errors.push(FieldProblem {
            field: "ends_before".into(),
            reason: "must be after starts_on".into(),
        });
    }
    let markup = match req.markup_percent.as_deref() {
        None => None,
        Some(m) => match Rate::percent(m) {
            Ok(r) => Some(r),
            Err(e) => {
                errors.push(FieldProblem {
                    field: "markup_percent".into(),
                    reason: e.to_string(),
                });
                None
            }
        },
    };
    if let Some(r) = &req.rounding {
        if let Err(e) = r.validate(market.market.currency) {
            errors.push(FieldProblem {
                field: "rounding".into(),
                reason: e.to_string(),
            });
        }
    }
    if !errors.is_empty() {
        return Err(Problem::validation(errors));
    }
    let list = state
        .store
        .create_price_list(
            org,
            &PriceListRecord {
                id: 0,
                market_id,
                name: req.name.trim().to_owned(),
                markup: markup.map(|m| m.to_string()),
                rounding: req
                    .rounding
                    .map(|r| serde_json::to_string(&r).unwrap_or_default()),
                starts_on: i64::from(req.starts_on.days_since_epoch()),
                ends_before: i64::from(req.ends_before.days_since_epoch()),
            },
            now_millis(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(PriceListView::from(&list))))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PriceListList {
    pub items: Vec<PriceListView>,
}

/// A market's scheduled price lists.
#[utoipa::path(get, path = "/api/v1/markets/{id}/price-lists", tag = "pricing",
    params(("id" = i64, Path)),
    responses((status = 200, body = PriceListList), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list_price_lists(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(market_id): ApiPath<i64>,
) -> Result<Json<PriceListList>, Problem> {
    principal.require(Scope::CatalogRead)?;
    let org = principal.0.organisation.id;
    state
        .store
        .market(org, market_id)
        .await?
        .ok_or_else(|| Problem::not_found("market"))?;
    let lists = state.store.price_lists(org, market_id).await?;
    Ok(Json(PriceListList {
        items: lists.iter().map(PriceListView::from).collect(),
    }))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TierInput {
    /// From this many units (at least 2).
    pub min_qty: u32,
    /// e.g. "5" for 5 % off.
    pub discount_percent: String,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduledOverrideInput {
    pub price_list_id: i64,
    #[schema(value_type = Object)]
    pub price: Money,
}

/// A variant's hand-set pricing in one market; replaces what was set.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VariantPricingInput {
    /// A manual price in the market's currency, instead of the derived one.
    #[schema(value_type = Option<Object>)]
    pub override_price: Option<Money>,
    /// A "was" price to show struck through, in the market's currency.
    #[schema(value_type = Option<Object>)]
    pub compare_at_price: Option<Money>,
    #[serde(default)]
    pub tiers: Vec<TierInput>,
    #[serde(default)]
    pub scheduled_overrides: Vec<ScheduledOverrideInput>,
}

/// Set a variant's manual, compare-at and sale prices and volume tiers in a market.
#[utoipa::path(put, path = "/api/v1/markets/{id}/variants/{variant_id}/pricing", tag = "pricing",
    params(("id" = i64, Path), ("variant_id" = i64, Path)), request_body = VariantPricingInput,
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn set_variant_pricing(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath((market_id, variant_id)): ApiPath<(i64, i64)>,
    ApiJson(req): ApiJson<VariantPricingInput>,
) -> Result<StatusCode, Problem> {
    principal.require(Scope::CatalogWrite)?;
    let org = principal.0.organisation.id;
    let market = state
        .store
        .market(org, market_id)
        .await?
        .ok_or_else(|| Problem::not_found("market"))?;
    let variant = state
        .store
        .variant_price_input(org, variant_id)
        .await?
        .ok_or_else(|| Problem::not_found("variant"))?;
    let currency = market.market.currency;
    let mut errors = Vec::new();
    let mut check_money = |field: String, m: &Money| {
        if m.currency() != currency {
            errors.push(FieldProblem {
                field,
                reason: format!("must be in {currency}, the market's currency"),
            });
        } else if !m.is_positive() {
            errors.push(FieldProblem {
                field,
                reason: "must be positive".into(),
            });
        }
    };
    if let Some(m) = &req.override_price {
        check_money("override_price".into(), m);
    }
    if let Some(m) = &req.compare_at_price {
        check_money("compare_at_price".into(), m);
    }
    for (i, o) in req.scheduled_overrides.iter().enumerate() {
        check_money(format!("scheduled_overrides[{i}].price"), &o.price);
    }
    let mut tiers = Vec::new();
    for (i, t) in req.tiers.iter().enumerate() {
        match Rate::percent(&t.discount_percent) {
            Ok(d) if t.min_qty >= 2 && d.as_decimal() < Rate::ONE.as_decimal() => {
                tiers.push((i64::from(t.min_qty), d.to_string()))
            }
            Ok(_) if t.min_qty < 2 => errors.push(FieldProblem {
                field: format!("tiers[{i}].min_qty"),
                reason: "must be at least 2".into(),
            }),
            Ok(_) => errors.push(FieldProblem {
                field: format!("tiers[{i}].discount_percent"),
                reason: "must be below 100".into(),
            }),
            Err(e) => errors.push(FieldProblem {
                field: format!("tiers[{i}].discount_percent"),
                reason: e.to_string(),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(Problem::validation(errors));
    }
    let config = NewVariantPriceConfig {
        override_minor: req.override_price.map(|m| m.minor()),
        compare_at_minor: req.compare_at_price.map(|m| m.minor()),
        tiers,
        scheduled_overrides: req
            .scheduled_overrides
            .iter()
            .map(|o| (o.price_list_id, o.price.minor()))
            .collect(),
    };
    // Check the whole result with the domain's rules before saving: the
    // pricing as it would be, on today's rates.
    let lists = state.store.price_lists(org, market_id).await?;
    for (i, o) in req.scheduled_overrides.iter().enumerate() {
        if !lists.iter().any(|l| l.id == o.price_list_id) {
            return Err(Problem::field(
                format!("scheduled_overrides[{i}].price_list_id"),
                "is not a price list of this market",
            ));
        }
    }
    let proposed = VariantPriceConfig {
        override_minor: config.override_minor,
        compare_at_minor: config.compare_at_minor,
        tiers: config.tiers.clone(),
        scheduled: lists
            .into_iter()
            .map(|l| {
                let o = config
                    .scheduled_overrides
                    .iter()
                    .find(|(id, _)| *id == l.id)
                    .map(|(_, a)| *a);
                (l, o)
            })
            .collect(),
    };
    let candidate = pricing::pricing_from_parts(&variant, &market, &proposed)?;
    let today = crate::time::today();
    if let Ok(conv) =
        fx::conversion(&state.store, variant.base_price.currency(), currency, today).await
    {
        candidate.validate(&conv, today)?;
    }
    state
        .store
        .set_variant_price_config(org, market_id, variant_id, &config)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderRulesInput {
    /// Minimum order quantity, in units.
    pub moq: u32,
    /// Units per pack: quantities are whole packs.
    pub pack_size: u32,
    /// From the MOQ, quantities go up in steps of this many units.
    pub increment: u32,
}

/// Set a variant's B2B order rules: MOQ, pack size and order increment.
#[utoipa::path(put, path = "/api/v1/variants/{id}/order-rules", tag = "pricing",
    params(("id" = i64, Path)), request_body = OrderRulesInput,
    responses((status = 200, body = OrderRulesInput), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn set_order_rules(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(variant_id): ApiPath<i64>,
    ApiJson(req): ApiJson<OrderRulesInput>,
) -> Result<Json<OrderRulesInput>, Problem> {
    principal.require(Scope::CatalogWrite)?;
    let rules = OrderQuantityRules {
        moq: req.moq,
        pack_size: req.pack_size,
        increment: req.increment,
    };
    rules.validate()?;
    state
        .store
        .set_order_rules(
            principal.0.organisation.id,
            variant_id,
            i64::from(req.moq),
            i64::from(req.pack_size),
            i64::from(req.increment),
        )
        .await?;
    Ok(Json(req))
}
