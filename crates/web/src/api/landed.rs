//! `/api/v1/landed-cost`: quotes of duties, taxes and fees to the
//! destination, reverse (DDP) pricing, and the destination rules and
//! tariff lines they are computed from.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chuhai_domain::accounts::{Role, Scope};
use chuhai_domain::landed::{write_tariff_csv, ImportRule, LandedQuote, NetPrice};
use chuhai_domain::money::Money;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::ApiPrincipal;
use crate::extract::ApiJson;
use crate::problem::Problem;
use crate::services::landed::{self, QuoteBody};
use crate::state::AppState;
use crate::time::{now_millis, today};

fn require_platform_admin(principal: &ApiPrincipal) -> Result<(), Problem> {
    if principal.0.user.role != Role::PlatformAdmin {
        return Err(Problem::forbidden(
            "destination rules and tariff lines are platform reference data: only a platform administrator changes them",
        ));
    }
    Ok(())
}

async fn priced(
    state: &AppState,
    principal: &ApiPrincipal,
    body: &QuoteBody,
) -> Result<
    (
        std::sync::Arc<landed::TradeReference>,
        chuhai_domain::landed::QuoteRequest,
    ),
    Problem,
> {
    principal.require(Scope::CatalogRead)?;
    let reference =
        landed::reference(&state.store, &state.landed_cache, principal.0.generations.1).await?;
    let req = landed::request(
        &state.store,
        &reference,
        principal.0.organisation.id,
        body,
        today(),
    )
    .await?;
    Ok((reference, req))
}

/// Quote the landed cost of a cart: goods, shipping, insurance, duty,
/// taxes (each named, e.g. "VAT 19%") and fees, in the answer currency and
/// the destination's, with the customs value and its basis, the de
/// minimis decision and why, every exchange rate used (rate, date,
/// source), who pays what under the Incoterm, and the rule version and
/// tariff lines used. Items are given by SKU (HS code, tariff code,
/// origin and weight from the catalog) or by `hs_code`; a known duty may
/// be given as `duty_rate` (percent). An unknown duty is never taken as 0.
#[utoipa::path(post, path = "/api/v1/landed-cost/quotes", tag = "landed-cost",
    request_body(content = Object, description = "destination, incoterm (DDP or DAP; DDU = DAP), date (default today), currency (of the answer), shipping and insurance (money), items [{sku or hs_code (+ tariff_code), origin, quantity, unit_price (money), weight_kg, duty_rate}]"),
    responses((status = 200, description = "The quote", body = Object),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_quote(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiJson(body): ApiJson<QuoteBody>,
) -> Result<Json<LandedQuote>, Problem> {
    let (reference, req) = priced(&state, &principal, &body).await?;
    Ok(Json(landed::quote_with(&reference, &req)?))
}

/// A reverse (DDP) pricing question: the cart, which item to price, and the
/// landed total the customer should pay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NetPriceBody {
    /// The cart, as for a quote.
    #[schema(value_type = Object)]
    pub quote: QuoteBody,
    /// The index of the item whose unit price is solved for (default 0).
    #[serde(default)]
    pub item: usize,
    /// The landed total the customer pays, duties and taxes included, in
    /// the answer currency.
    #[schema(value_type = Object)]
    pub target: Money,
}

/// The largest unit price of one item whose landed total (duties and taxes
/// included, DDP) stays at or below a target; with the quote at that price
/// and the landed total one minor unit higher.
#[utoipa::path(post, path = "/api/v1/landed-cost/net-price", tag = "landed-cost",
    request_body = NetPriceBody,
    responses((status = 200, description = "unit_price, quote, next_landed_total", body = Object),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn net_price(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiJson(body): ApiJson<NetPriceBody>,
) -> Result<Json<NetPrice>, Problem> {
    let (reference, req) = priced(&state, &principal, &body.quote).await?;
    Ok(Json(landed::net_price_with(
        &reference,
        &req,
        body.item,
        body.target,
    )?))
}

/// One dated version of a destination's import rules.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleView {
    pub version: String,
    pub region: String,
    /// YYYY-MM-DD, inclusive.
    pub valid_from: String,
    /// YYYY-MM-DD, exclusive; null = open-ended.
    pub valid_until: Option<String>,
    /// False when a fact rests on secondary sources only.
    pub verified: bool,
    /// The whole rule: countries, valuation basis, taxes, thresholds,
    /// flat duties, fees, duty-free chapters, notes.
    #[schema(value_type = Object)]
    pub rule: ImportRule,
}

/// The destination import rules, every dated version.
#[utoipa::path(get, path = "/api/v1/landed-cost/rules", tag = "landed-cost",
    responses((status = 200, body = Vec<RuleView>)),
    security(("bearer" = [])))]
pub async fn list_rules(
    State(state): State<AppState>,
    principal: ApiPrincipal,
) -> Result<Json<Vec<RuleView>>, Problem> {
    principal.require(Scope::CatalogRead)?;
    let reference =
        landed::reference(&state.store, &state.landed_cache, principal.0.generations.1).await?;
    Ok(Json(
        reference
            .rules
            .rules()
            .iter()
            .map(|r| RuleView {
                version: r.version.clone(),
                region: r.region.clone(),
                valid_from: r.valid_from.to_string(),
                valid_until: r.valid_until.map(|d| d.to_string()),
                verified: r.verified,
                rule: r.clone(),
            })
            .collect(),
    ))
}

/// Add destination rule versions (platform administrators). A rule change
/// is a new version with its start date; the set is checked as a whole
/// (no two versions of a region overlap). All or nothing.
#[utoipa::path(post, path = "/api/v1/landed-cost/rules", tag = "landed-cost",
    request_body(content = Vec<Object>, description = "Rule versions, as listed by GET"),
    responses((status = 201, description = "How many versions were stored", body = Object),
              (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn put_rules(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiJson(rules): ApiJson<Vec<ImportRule>>,
) -> Result<(StatusCode, Json<serde_json::Value>), Problem> {
    require_platform_admin(&principal)?;
    let n = landed::put_rules(&state.store, rules, now_millis()).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "stored": n })),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct TariffQuery {
    /// A region code (`EU`, `US`, `GB`…); all when absent.
    pub region: Option<String>,
    /// `json` (default) or `csv` (the import format).
    pub format: Option<String>,
}

/// The tariff lines (duty per national code, reduced VAT rates,
/// preferential rates by origin), as JSON or as the import CSV.
#[utoipa::path(get, path = "/api/v1/landed-cost/tariff-lines", tag = "landed-cost",
    params(TariffQuery),
    responses((status = 200, body = Vec<Object>)),
    security(("bearer" = [])))]
pub async fn list_tariff_lines(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    Query(q): Query<TariffQuery>,
) -> Result<Response, Problem> {
    principal.require(Scope::CatalogRead)?;
    let lines = landed::tariff_lines(&state.store, q.region.as_deref()).await?;
    match q.format.as_deref().unwrap_or("json") {
        "json" => Ok(Json(lines).into_response()),
        "csv" => Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"tariff-lines.csv\"",
                ),
            ],
            write_tariff_csv(&lines),
        )
            .into_response()),
        _ => Err(Problem::field("format", "must be json or csv")),
    }
}

/// Import tariff lines from CSV (platform administrators): header
/// `region,tariff_code,description,ad_valorem_percent,specific_amount,specific_per,specific_currency,minimum,maximum,tax_rate_percent,preferential`.
/// A line with the same region and code is replaced. Any error imports
/// nothing and lists every line, column and reason.
#[utoipa::path(post, path = "/api/v1/landed-cost/tariff-lines", tag = "landed-cost",
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, description = "How many lines were stored", body = Object),
              (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn import_tariff_lines(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    body: Bytes,
) -> Result<(StatusCode, Json<serde_json::Value>), Problem> {
    require_platform_admin(&principal)?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| Problem::field("body", "the CSV must be UTF-8 text"))?;
    let n = landed::import_tariff_csv(&state.store, text).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "stored": n })),
    ))
}
