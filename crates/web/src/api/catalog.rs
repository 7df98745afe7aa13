//! `/api/v1/products`, `/api/v1/markets`, prices and exchange rates.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chuhai_domain::accounts::Scope;
use chuhai_domain::calendar::Date;
use chuhai_domain::catalog::ProductDraft;
use chuhai_domain::market::Market;
use chuhai_domain::money::{Currency, Money};
use chuhai_domain::pricing::PriceQuote;
use chuhai_store::catalog::ProductRecord;
use chuhai_store::markets::MarketRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::views::ListOf;
use crate::auth::ApiPrincipal;
use crate::extract::{ApiJson, ApiPath, Pagination};
use crate::problem::{FieldProblem, Problem};
use crate::services::{fx, imports, pricing};
use crate::state::AppState;
use crate::time::{now_millis, rfc3339};

/// A product with its translations, media and variants.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductView {
    pub id: i64,
    /// The id of each variant, in the order of `product.variants`.
    pub variant_ids: Vec<i64>,
    /// The product as a draft: handle, status, translations, media,
    /// option names and variants with their trade data.
    #[schema(value_type = Object)]
    pub product: ProductDraft,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&ProductRecord> for ProductView {
    fn from(p: &ProductRecord) -> Self {
        Self {
            id: p.id,
            variant_ids: p.variant_ids.clone(),
            product: p.draft.clone(),
            created_at: rfc3339(p.created_at),
            updated_at: rfc3339(p.updated_at),
        }
    }
}

/// List your products with their variants.
#[utoipa::path(get, path = "/api/v1/products", tag = "catalog",
    params(("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = ListOf<ProductView>)),
    security(("bearer" = [])))]
pub async fn list_products(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    page: Pagination,
) -> Result<Json<ListOf<ProductView>>, Problem> {
    principal.require(Scope::CatalogRead)?;
    let p = state
        .store
        .list_products(principal.0.organisation.id, page.after, page.limit)
        .await?;
    Ok(Json(ListOf::from_page(p, |r| ProductView::from(r))))
}

/// Show one product.
#[utoipa::path(get, path = "/api/v1/products/{id}", tag = "catalog",
    params(("id" = i64, Path)),
    responses((status = 200, body = ProductView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get_product(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ProductView>, Problem> {
    principal.require(Scope::CatalogRead)?;
    let p = state
        .store
        .product(principal.0.organisation.id, id)
        .await?
        .ok_or_else(|| Problem::not_found("product"))?;
    Ok(Json(ProductView::from(&p)))
}

/// Create a product. The body is a product draft: `handle`, `status`,
/// `translations`, `variants` (each with `sku`, `price` money and trade data).
#[utoipa::path(post, path = "/api/v1/products", tag = "catalog",
    request_body(content = Object, description = "A product draft"),
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = ProductView),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_product(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiJson(draft): ApiJson<ProductDraft>,
) -> Result<(StatusCode, Json<ProductView>), Problem> {
    principal.require(Scope::CatalogWrite)?;
    let org = principal.0.organisation.id;
    let mut errors: Vec<FieldProblem> = draft
        .problems()
        .into_iter()
        .map(|p| FieldProblem {
            field: match p.variant {
                Some(v) => format!("variants[{v}].{}", field_name(&format!("{:?}", p.field))),
                None => field_name(&format!("{:?}", p.field)),
            },
            reason: p.reason,
        })
        .collect();
    // Codes are checked only when a nomenclature is loaded.
    let nomenclature_loaded = state.store.hs_counts().await?.2 > 0;
    for (i, v) in draft.variants.iter().enumerate() {
        if let Some(hs) = &v.trade.hs_code {
            if nomenclature_loaded && state.store.hs_code(hs.as_str()).await?.is_none() {
                errors.push(FieldProblem {
                    field: format!("variants[{i}].trade.hs_code"),
                    reason: format!("{} is not an HS 2022 subheading", hs.as_str()),
                });
            }
        }
    }
    if !errors.is_empty() {
        return Err(Problem::validation(errors));
    }
    let conflicts = state
        .store
        .catalog_conflicts(org, std::slice::from_ref(&draft))
        .await?;
    if !conflicts.is_empty() {
        let mut p = Problem::validation(
            conflicts
                .iter()
                .map(|c| FieldProblem {
                    field: c.field.to_owned(),
                    reason: format!("'{}' {}", c.value, c.reason),
                })
                .collect(),
        );
        if conflicts.iter().all(|c| !c.value.is_empty()) {
            p.status = 409;
            p.code = "already_exists".into();
        }
        return Err(p);
    }
    let ids = state
        .store
        .insert_products(org, std::slice::from_ref(&draft), now_millis())
        .await?;
    let p = state
        .store
        .product(org, ids[0])
        .await?
        .ok_or_else(Problem::internal)?;
    Ok((StatusCode::CREATED, Json(ProductView::from(&p))))
}

/// `Title(en)` → `title`, `HsCode` → `hs_code`: the Debug name in snake case.
fn field_name(debug: &str) -> String {
    let base = debug.split('(').next().unwrap_or(debug);
    let mut out = String::new();
    for (i, c) in base.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `shopify` (the only format for now).
    pub format: Option<String>,
    /// Save the products without errors and report the rest.
    pub partial: Option<bool>,
    /// Currency of the file's prices (default CNY).
    pub currency: Option<String>,
    /// Run as a background job: answers 202 with the job to follow at
    /// `/api/v1/jobs/{id}` (for large files).
    pub background: Option<bool>,
}

/// Import products from a Shopify product CSV (request body, `text/csv`).
/// Any error saves nothing (422 listing every row, column and reason)
/// unless `partial=true`.
#[utoipa::path(post, path = "/api/v1/products/import", tag = "catalog", params(ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, description = "Import report", body = Object),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn import_products(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    query: Result<Query<ImportQuery>, axum::extract::rejection::QueryRejection>,
    body: Bytes,
) -> Result<Response, Problem> {
    principal.require(Scope::CatalogWrite)?;
    let Query(q) = query.map_err(|e| Problem::field("query", e.body_text()))?;
    if q.format.as_deref().is_some_and(|f| f != "shopify") {
        return Err(Problem::field("format", "only 'shopify' is supported"));
    }
    let currency = match q.currency.as_deref() {
        None => Currency::CNY,
        Some(c) => Currency::from_code(c).map_err(|e| Problem::field("currency", e.to_string()))?,
    };
    let partial = q.partial.unwrap_or(false);
    if q.background.unwrap_or(false) {
        let job = crate::services::jobs::enqueue_import(
            &state.store,
            principal.0.organisation.id,
            &body,
            currency,
            partial,
        )
        .await?;
        return Ok((
            StatusCode::ACCEPTED,
            [(header::LOCATION, format!("/api/v1/jobs/{}", job.id))],
            Json(JobView::from(&job)),
        )
            .into_response());
    }
    let report = imports::import_shopify(
        &state.store,
        principal.0.organisation.id,
        &body,
        currency,
        partial,
    )
    .await?;
    if !report.errors.is_empty() && !partial {
        let mut p = Problem::validation(
            report
                .errors
                .iter()
                .map(|e| FieldProblem {
                    field: if e.row > 0 {
                        format!("row {}: {}", e.row, e.column)
                    } else {
                        e.column.clone()
                    },
                    reason: e.reason.clone(),
                })
                .collect(),
        );
        p.detail = format!(
            "{} error(s); nothing was imported (ask partial=true to import the good rows)",
            report.errors.len()
        );
        return Err(p);
    }
    Ok(Json(report).into_response())
}

/// Export your products as a Shopify product CSV.
#[utoipa::path(get, path = "/api/v1/products/export", tag = "catalog",
    responses((status = 200, content_type = "text/csv", body = String)),
    security(("bearer" = [])))]
pub async fn export_products(
    State(state): State<AppState>,
    principal: ApiPrincipal,
) -> Result<Response, Problem> {
    principal.require(Scope::CatalogRead)?;
    let csv = imports::export_shopify(&state.store, principal.0.organisation.id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"products.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarketView {
    pub id: i64,
    /// Code, name, countries, currency, locales, tax-inclusive display,
    /// Incoterm and the price rule (markup and rounding).
    #[schema(value_type = Object)]
    pub market: Market,
    pub created_at: String,
}

impl From<&MarketRecord> for MarketView {
    fn from(m: &MarketRecord) -> Self {
        Self {
            id: m.id,
            market: m.market.clone(),
            created_at: rfc3339(m.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarketList {
    pub items: Vec<MarketView>,
}

/// List your markets.
#[utoipa::path(get, path = "/api/v1/markets", tag = "pricing",
    responses((status = 200, body = MarketList)), security(("bearer" = [])))]
pub async fn list_markets(
    State(state): State<AppState>,
    principal: ApiPrincipal,
) -> Result<Json<MarketList>, Problem> {
    principal.require(Scope::CatalogRead)?;
    let markets = state
        .store
        .list_markets(principal.0.organisation.id)
        .await?;
    Ok(Json(MarketList {
        items: markets.iter().map(MarketView::from).collect(),
    }))
}

/// A new market.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMarketRequest {
    pub code: String,
    pub name: String,
    /// ISO 3166-1 alpha-2 codes.
    #[schema(value_type = Vec<String>)]
    pub countries: Vec<chuhai_domain::country::Country>,
    #[schema(value_type = String)]
    pub currency: Currency,
    #[schema(value_type = String)]
    pub default_locale: chuhai_domain::catalog::Locale,
    #[schema(value_type = Vec<String>)]
    pub locales: Vec<chuhai_domain::catalog::Locale>,
    pub tax_inclusive: bool,
    /// DDP or DAP (DDU is read as DAP).
    #[schema(value_type = String)]
    pub incoterm: chuhai_domain::market::Incoterm,
    /// e.g. "30" for 30 %.
    pub markup_percent: String,
    /// e.g. `{"kind": "charm_ending", "ending_minor": 99}`, `{"kind": "whole_units"}`,
    /// `{"kind": "nearest_step", "step_minor": 500, "mode": "half_up"}`, `{"kind": "none"}`.
    #[schema(value_type = Object)]
    pub rounding: chuhai_domain::pricing::MarketRounding,
}

/// Create a market.
#[utoipa::path(post, path = "/api/v1/markets", tag = "pricing", request_body = NewMarketRequest,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = MarketView), (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_market(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiJson(req): ApiJson<NewMarketRequest>,
) -> Result<(StatusCode, Json<MarketView>), Problem> {
    principal.require(Scope::CatalogWrite)?;
    let markup = chuhai_domain::money::Rate::percent(&req.markup_percent)
        .map_err(|e| Problem::field("markup_percent", e.to_string()))?;
    let market = Market {
        code: req.code,
        name: req.name,
        countries: req.countries,
        currency: req.currency,
        default_locale: req.default_locale,
        locales: req.locales,
        tax_inclusive: req.tax_inclusive,
        incoterm: req.incoterm,
        rule: chuhai_domain::pricing::PriceRule {
            markup,
            rounding: req.rounding,
        },
    };
    let problems = market.problems();
    if !problems.is_empty() {
        return Err(Problem::validation(
            problems
                .into_iter()
                .map(|e| FieldProblem {
                    field: e.field.to_owned(),
                    reason: e.reason,
                })
                .collect(),
        ));
    }
    let m = state
        .store
        .create_market(principal.0.organisation.id, &market, now_millis())
        .await?;
    Ok((StatusCode::CREATED, Json(MarketView::from(&m))))
}

fn parse_date(field: &'static str, raw: Option<&str>) -> Result<Date, Problem> {
    match raw {
        Some(d) => Date::parse(d).map_err(|e| Problem::field(field, e.to_string())),
        None => Ok(crate::time::today()),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PriceQuery {
    /// The market's id.
    pub market: i64,
    /// Units (default 1).
    pub quantity: Option<u32>,
    /// YYYY-MM-DD (default today, UTC): rates and schedules of that day.
    pub date: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PriceQuoteView {
    pub variant_id: i64,
    pub market_id: i64,
    pub market: String,
    /// Unit price, line total, compare-at, and the explanation: base
    /// price, exchange rate (with date and source), markup, rounding,
    /// override, schedule or tier that applied.
    #[schema(value_type = Object)]
    pub quote: PriceQuote,
}

/// The price of a variant in a market for a quantity on a date, explained.
#[utoipa::path(get, path = "/api/v1/variants/{id}/price", tag = "pricing",
    params(("id" = i64, Path), PriceQuery),
    responses((status = 200, body = PriceQuoteView), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn variant_price(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    query: Result<Query<PriceQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<PriceQuoteView>, Problem> {
    principal.require(Scope::CatalogRead)?;
    let Query(q) = query.map_err(|e| Problem::field("market", e.body_text()))?;
    let date = parse_date("date", q.date.as_deref())?;
    let (quote, market_id, market_code) = pricing::quote(
        &state.store,
        &state.pricing_cache,
        principal.0.generations,
        principal.0.organisation.id,
        id,
        q.market,
        q.quantity.unwrap_or(1),
        date,
    )
    .await?;
    Ok(Json(PriceQuoteView {
        variant_id: id,
        market_id,
        market: market_code,
        quote,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeriveQuery {
    /// YYYY-MM-DD (default today, UTC).
    pub date: Option<String>,
}

/// Derive and store every variant's price in every market.
#[utoipa::path(post, path = "/api/v1/prices/derive", tag = "pricing", params(DeriveQuery),
    responses((status = 200, description = "Derivation report", body = Object),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn derive_prices(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    Query(q): Query<DeriveQuery>,
) -> Result<Response, Problem> {
    principal.require(Scope::CatalogWrite)?;
    let date = parse_date("date", q.date.as_deref())?;
    let report = pricing::derive_all(&state.store, principal.0.organisation.id, date).await?;
    Ok(Json(report).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConversionQuery {
    /// ISO 4217 code, e.g. CNY.
    pub from: String,
    pub to: String,
    /// YYYY-MM-DD: the latest rates on or before it are used.
    pub date: String,
    /// Optional amount in `from` (major units, e.g. "100.00") to convert.
    pub amount: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversionView {
    pub from: String,
    pub to: String,
    pub requested_date: String,
    /// The day of the rate used (the older of the two legs).
    pub rate_date: Option<String>,
    /// True when a day before the requested one was used (weekend, holiday).
    pub uses_earlier_rate: bool,
    pub source: Option<String>,
    /// Units of `to` per unit of `from`, exact to 12 significant digits.
    pub rate: String,
    #[schema(value_type = Option<Object>)]
    pub converted: Option<Money>,
    /// The rounding step applied to `converted`.
    pub rounding: String,
}

/// Convert between currencies with ECB reference rates on a date.
#[utoipa::path(get, path = "/api/v1/fx/conversion", tag = "reference", params(ConversionQuery),
    responses((status = 200, body = ConversionView), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn fx_conversion(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    query: Result<Query<ConversionQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ConversionView>, Problem> {
    principal.require(Scope::CatalogRead)?;
    let Query(q) = query.map_err(|e| Problem::field("query", e.body_text()))?;
    let from = Currency::from_code(&q.from).map_err(|e| Problem::field("from", e.to_string()))?;
    let to = Currency::from_code(&q.to).map_err(|e| Problem::field("to", e.to_string()))?;
    let date = parse_date("date", Some(&q.date))?;
    let conv = fx::conversion(&state.store, from, to, date).await?;
    let step = chuhai_domain::money::RoundingStep::new(
        "fx_conversion",
        chuhai_domain::money::RoundingMode::HalfEven,
    );
    let converted = match q.amount.as_deref() {
        None => None,
        Some(a) => {
            let m =
                Money::parse_major(a, from).map_err(|e| Problem::field("amount", e.to_string()))?;
            Some(
                conv.apply(m, step)
                    .map_err(|e| Problem::field("amount", e.to_string()))?,
            )
        }
    };
    Ok(Json(ConversionView {
        from: from.code().into(),
        to: to.code().into(),
        requested_date: date.to_string(),
        rate_date: conv.rate_date().map(|d| d.to_string()),
        uses_earlier_rate: conv.uses_earlier_rate(),
        source: conv.source().map(|s| s.as_str().to_owned()),
        rate: conv.rate_display(12),
        converted,
        rounding: step.to_string(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// The storefront's origin for product links, e.g. https://shop.example.com.
    pub storefront_url: String,
}

/// A Google Merchant Center product feed (TSV) for one market: every active
/// variant with a derived price there. Variants left out are listed in the
/// `X-Chuhai-Left-Out` header (count).
#[utoipa::path(get, path = "/api/v1/markets/{id}/google-feed", tag = "catalog",
    params(("id" = i64, Path), FeedQuery),
    responses((status = 200, content_type = "text/tab-separated-values", body = String),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn google_feed(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    query: Result<Query<FeedQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Problem> {
    principal.require(Scope::CatalogRead)?;
    let org = &principal.0.organisation;
    let market = state
        .store
        .market(org.id, id)
        .await?
        .ok_or_else(|| Problem::not_found("market"))?;
    let Query(q) = query.map_err(|_| Problem::field("storefront_url", "is required"))?;
    let (tsv, left_out) = crate::services::feeds::google_feed(
        &state.store,
        org.id,
        &market,
        &q.storefront_url,
        &org.name,
    )
    .await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/tab-separated-values; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"google-{}.tsv\"", market.market.code),
            ),
            (
                header::HeaderName::from_static("x-chuhai-left-out"),
                left_out.len().to_string(),
            ),
        ],
        tsv,
    )
        .into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobView {
    pub id: i64,
    pub kind: String,
    /// `queued`, `running`, `succeeded` or `failed`.
    pub status: String,
    /// Stages done out of `total`.
    pub done: i64,
    pub total: i64,
    /// While running, the current stage; when finished, the outcome (an
    /// import report, or `{"error": …}`).
    #[schema(value_type = Option<Object>)]
    pub report: Option<serde_json::Value>,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
}

impl From<&chuhai_store::jobs::JobRecord> for JobView {
    fn from(j: &chuhai_store::jobs::JobRecord) -> Self {
        Self {
            id: j.id,
            kind: j.kind.clone(),
            status: j.status.clone(),
            done: j.done,
            total: j.total,
            report: j
                .report
                .as_deref()
                .and_then(|r| serde_json::from_str(r).ok()),
            created_at: rfc3339(j.created_at),
            started_at: j.started_at.map(rfc3339),
            finished_at: j.finished_at.map(rfc3339),
        }
    }
}

/// A background job and its progress.
#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "catalog",
    params(("id" = i64, Path)),
    responses((status = 200, body = JobView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get_job(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<JobView>, Problem> {
    principal.require(Scope::CatalogRead)?;
    let job = state
        .store
        .job(principal.0.organisation.id, id)
        .await?
        .ok_or_else(|| Problem::not_found("job"))?;
    Ok(Json(JobView::from(&job)))
}
