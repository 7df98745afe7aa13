//! Markets and prices set by hand: the form for a new market (its prices
//! derived at once), each market's page with its sales (scheduled price
//! lists), and each variant's pricing rules: per market a manual price, a
//! compare-at price, volume discounts and sale prices, and the variant's
//! order quantities (MOQ, pack size, increment).
//!
//! Every form is checked as the API checks the same request (the domain's
//! own rules last); on an error the page comes back with 422, each message
//! next to its field, and nothing is saved.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chuhai_domain::accounts::UiLocale;
use chuhai_domain::calendar::Date;
use chuhai_domain::catalog::Locale;
use chuhai_domain::country::Country;
use chuhai_domain::market::{Incoterm, Market};
use chuhai_domain::money::{Currency, Decimal, Money, Rate, RoundingMode};
use chuhai_domain::pricing::{
    ExplanationStep, MarketRounding, OrderQuantityRules, PriceRule, PricingError,
};
use chuhai_store::accounts::Principal;
use chuhai_store::catalog::{ProductRecord, VariantPriceInput};
use chuhai_store::markets::MarketRecord;
use chuhai_store::price_config::{NewVariantPriceConfig, PriceListRecord, VariantPriceConfig};
use chuhai_store::StoreError;
use serde::Deserialize;

use super::catalog::{
    date_text, describe_markup, describe_rounding, format_money, incoterm_note, list_separator,
    short_rate, title_for,
};
use super::i18n::Tr;
use super::{html, locale, session, session_with_csrf, to_login, Shell};
use crate::problem::Problem;
use crate::services::{fx, pricing};
use crate::state::AppState;
use crate::time::{now_millis, today};

/// The currency of base prices entered in the console.
const BASE_CURRENCY: Currency = Currency::CNY;
/// Longest market or sale name, in characters (as `Market::problems`).
const MAX_NAME_CHARS: usize = 120;
/// Rows of volume discounts offered on the form.
const TIER_ROWS: usize = 3;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/console/markets/new", get(new_market).post(create_market))
        .route("/console/markets/{id}", get(market_page))
        .route("/console/markets/{id}/sales", post(create_sale))
        .route(
            "/console/products/{id}/variants/{variant}/pricing",
            get(variant_pricing),
        )
        .route(
            "/console/products/{id}/variants/{variant}/pricing/{market}",
            post(save_market_pricing),
        )
        .route(
            "/console/products/{id}/variants/{variant}/order-rules",
            post(save_order_rules),
        )
}

// ---------------------------------------------------------------------------
// Shared pieces

/// Messages shown next to the fields they are about; the first problem of
/// a field is the one shown.
#[derive(Default)]
struct Errors(Vec<(String, String)>);

impl Errors {
    fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        let field = field.into();
        if self.get(&field).is_none() {
            self.0.push((field, message.into()));
        }
    }

    fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    fn owned(&self, field: &str) -> Option<String> {
        self.get(field).map(str::to_owned)
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn days(d: Date) -> i64 {
    i64::from(d.days_since_epoch())
}

/// A percentage as typed: `30`, `7.5`, `30 %`.
fn parse_percent(text: &str) -> Option<Rate> {
    let t = text.trim().trim_end_matches('%').trim_end();
    Rate::percent(t).ok()
}

/// A fraction (`0.3`) as the percentage to type again (`30`).
fn percent_text(fraction: &str) -> String {
    Rate::parse(fraction)
        .map(|r| {
            (r.as_decimal() * Decimal::ONE_HUNDRED)
                .normalize()
                .to_string()
        })
        .unwrap_or_else(|_| fraction.to_owned())
}

fn minor_major_text(minor: i64, c: Currency) -> String {
    Money::from_minor(minor, c).to_major_string()
}

/// An amount of the market's currency as typed; `None` when empty.
fn parse_amount(
    text: &str,
    currency: Currency,
    field: &str,
    errors: &mut Errors,
    t: &Tr,
) -> Option<Money> {
    match text.trim() {
        "" => None,
        s => match Money::parse_major(s, currency) {
            Ok(m) if m.is_positive() => Some(m),
            Ok(_) => {
                errors.add(field, t.err_price_positive);
                None
            }
            Err(_) => {
                errors.add(field, t.err_amount);
                None
            }
        },
    }
}

/// What a pricing error from the domain says, without its field path.
fn pricing_reason(e: &PricingError) -> String {
    match e {
        PricingError::Invalid { reason, .. } => reason.clone(),
        other => other.to_string(),
    }
}

/// "No exchange rate for CAD is loaded: import rates with `…`."
struct NoRate {
    currency: &'static str,
}

#[derive(Template)]
#[template(path = "market_not_found.html")]
struct NotFoundPage {
    shell: Shell,
    product: bool,
}

fn not_found(p: &Principal, lang: UiLocale, here: String, product: bool) -> Response {
    let active = if product { "catalog" } else { "markets" };
    let page = NotFoundPage {
        shell: Shell::for_principal(p, lang, active, here),
        product,
    };
    html(StatusCode::NOT_FOUND, &page)
}

// ---------------------------------------------------------------------------
// The markets page, after a new market

#[derive(Deserialize, Default)]
pub(super) struct MarketsQuery {
    created: Option<String>,
    unpriced: Option<String>,
}

/// What the markets page says about a market just made.
pub(super) struct CreatedNotice {
    pub(super) id: i64,
    pub(super) name: String,
    /// Its prices were derived.
    pub(super) priced: bool,
    /// Not priced for want of an exchange rate into this currency.
    pub(super) no_rate: Option<&'static str>,
}

/// The notice for `?created=CODE[&unpriced=1]`, when CODE is one of the
/// seller's markets. Whether a rate is missing is looked up again rather
/// than taken from the address.
pub(super) async fn created_notice(
    state: &AppState,
    markets: &[MarketRecord],
    q: &MarketsQuery,
) -> Result<Option<CreatedNotice>, Problem> {
    let Some(code) = q.created.as_deref() else {
        return Ok(None);
    };
    let Some(m) = markets.iter().find(|m| m.market.code == code) else {
        return Ok(None);
    };
    let priced = q.unpriced.is_none();
    let currency = m.market.currency;
    let no_rate = if priced {
        None
    } else {
        fx::conversion(&state.store, BASE_CURRENCY, currency, today())
            .await
            .is_err()
            .then_some(currency.code())
    };
    Ok(Some(CreatedNotice {
        id: m.id,
        name: m.market.name.clone(),
        priced,
        no_rate,
    }))
}

// ---------------------------------------------------------------------------
// A new market

#[derive(Deserialize, Default)]
#[serde(default)]
struct MarketForm {
    csrf: String,
    code: String,
    name: String,
    countries: String,
    currency: String,
    default_locale: String,
    locales: String,
    tax_inclusive: Option<String>,
    incoterm: String,
    markup: String,
    rounding: String,
    charm_ending: String,
    charm_every: String,
    step: String,
}

struct CurrencyOption {
    code: &'static str,
    label: String,
}

#[derive(Template)]
#[template(path = "market_new.html")]
struct NewMarketPage {
    shell: Shell,
    form: MarketForm,
    errors: Errors,
    currencies: Vec<CurrencyOption>,
    incoterm_ddp: &'static str,
    incoterm_dap: &'static str,
}

fn market_form_page(
    p: &Principal,
    lang: UiLocale,
    status: StatusCode,
    form: MarketForm,
    errors: Errors,
) -> Response {
    let t = Tr::for_locale(lang);
    let currencies = Currency::all()
        .iter()
        .map(|c| CurrencyOption {
            code: c.code(),
            label: format!("{} — {}", c.code(), c.name()),
        })
        .collect();
    let page = NewMarketPage {
        shell: Shell::for_principal(p, lang, "markets", "/console/markets/new"),
        form,
        errors,
        currencies,
        incoterm_ddp: incoterm_note(Incoterm::Ddp, t),
        incoterm_dap: incoterm_note(Incoterm::Dap, t),
    };
    html(status, &page)
}

async fn new_market(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let form = MarketForm {
        incoterm: "DDP".to_owned(),
        rounding: "charm".to_owned(),
        charm_ending: "99".to_owned(),
        ..MarketForm::default()
    };
    Ok(market_form_page(
        &p,
        lang,
        StatusCode::OK,
        form,
        Errors::default(),
    ))
}

/// A whole number typed in a field, at least `min`.
fn parse_whole(text: &str, min: u64, field: &str, errors: &mut Errors, t: &Tr) -> Option<u64> {
    match text.trim() {
        "" => {
            errors.add(field, t.err_required);
            None
        }
        s => match s.parse::<u64>() {
            Ok(n) if n >= min => Some(n),
            Ok(_) => {
                errors.add(field, t.err_at_least_one);
                None
            }
            Err(_) => {
                errors.add(field, t.err_whole_number);
                None
            }
        },
    }
}

/// Checks the new-market form; on success, the market it describes.
fn parse_market(f: &MarketForm, t: &Tr) -> Result<Market, Errors> {
    let mut errors = Errors::default();
    let code = f.code.trim().to_ascii_lowercase();
    let code_ok = (1..=20).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if code.is_empty() {
        errors.add("code", t.err_required);
    } else if !code_ok {
        errors.add("code", t.err_market_code);
    }
    let name = f.name.trim();
    if name.is_empty() {
        errors.add("name", t.err_required);
    } else if name.chars().count() > MAX_NAME_CHARS {
        errors.add("name", t.err_name_length);
    }

    let mut countries: Vec<Country> = Vec::new();
    for raw in f
        .countries
        .split(|c: char| c == ',' || c == '，' || c.is_whitespace())
        .filter(|s| !s.is_empty())
    {
        match Country::from_alpha2(raw) {
            Ok(c) if !countries.contains(&c) => countries.push(c),
            Ok(_) => {}
            Err(_) => errors.add("countries", format!("{} {raw}", t.err_country_unknown)),
        }
    }
    if countries.is_empty() {
        errors.add("countries", t.err_required);
    }

    let currency = match f.currency.trim() {
        "" => {
            errors.add("currency", t.err_currency);
            None
        }
        s => Currency::from_code(s)
            .map_err(|_| errors.add("currency", t.err_currency))
            .ok(),
    };

    let default_locale = match f.default_locale.trim() {
        "" => {
            errors.add("default_locale", t.err_required);
            None
        }
        s => Locale::parse(s)
            .map_err(|_| errors.add("default_locale", format!("{} {s}", t.err_locale)))
            .ok(),
    };
    let mut locales: Vec<Locale> = default_locale.into_iter().collect();
    for raw in f
        .locales
        .split(|c: char| c == ',' || c == '，' || c.is_whitespace())
        .filter(|s| !s.is_empty())
    {
        match Locale::parse(raw) {
            Ok(l) if !locales.contains(&l) => locales.push(l),
            Ok(_) => {}
            Err(_) => errors.add("locales", format!("{} {raw}", t.err_locale)),
        }
    }

    let incoterm = match f.incoterm.parse::<Incoterm>() {
        Ok(i @ (Incoterm::Ddp | Incoterm::Dap)) => Some(i),
        _ => {
            errors.add("incoterm", t.err_incoterm);
            None
        }
    };

    let markup = match f.markup.trim() {
        "" => {
            errors.add("markup", t.err_required);
            None
        }
        s => parse_percent(s)
            .ok_or(())
            .map_err(|_| errors.add("markup", t.err_percent))
            .ok(),
    };

    let rounding = match f.rounding.as_str() {
        "none" => Some(MarketRounding::None),
        "whole" => Some(MarketRounding::WholeUnits {
            mode: RoundingMode::Up,
        }),
        "charm" => {
            let ending = match f.charm_ending.trim() {
                "" => {
                    errors.add("charm_ending", t.err_required);
                    None
                }
                s => s
                    .parse::<u64>()
                    .map_err(|_| errors.add("charm_ending", t.err_whole_number))
                    .ok(),
            };
            let every = match f.charm_every.trim() {
                "" => Some(None),
                s => parse_whole(s, 1, "charm_every", &mut errors, t).map(Some),
            };
            match (ending, every) {
                (Some(ending_minor), Some(every_minor)) => Some(MarketRounding::CharmEnding {
                    ending_minor,
                    every_minor,
                }),
                _ => None,
            }
        }
        "step" => parse_whole(&f.step, 1, "step", &mut errors, t).map(|step_minor| {
            MarketRounding::NearestStep {
                step_minor,
                mode: RoundingMode::HalfUp,
            }
        }),
        _ => {
            errors.add("rounding", t.err_rounding);
            None
        }
    };
    if let (Some(r), Some(c)) = (rounding, currency) {
        if let Err(e) = r.validate(c) {
            match e.field() {
                Some("ending_minor") => errors.add("charm_ending", t.err_ending_cycle),
                Some("every_minor") => errors.add("charm_every", t.err_at_least_one),
                Some("step_minor") => errors.add("step", t.err_at_least_one),
                _ => errors.add("rounding", pricing_reason(&e)),
            }
        }
    }

    let (Some(currency), Some(default_locale), Some(incoterm), Some(markup), Some(rounding)) =
        (currency, default_locale, incoterm, markup, rounding)
    else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let market = Market {
        code,
        name: name.to_owned(),
        countries,
        currency,
        default_locale,
        locales,
        tax_inclusive: f.tax_inclusive.is_some(),
        incoterm,
        rule: PriceRule { markup, rounding },
    };
    // The domain's own rules, as the API applies them.
    for problem in market.problems() {
        let field = match problem.field {
            "rule" => "rounding",
            other => other,
        };
        errors.add(field, problem.reason);
    }
    if errors.is_empty() {
        Ok(market)
    } else {
        Err(errors)
    }
}

async fn create_market(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<MarketForm>,
) -> Result<Response, Problem> {
    let Some(p) = session_with_csrf(&state, &headers, &form.csrf).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let t = Tr::for_locale(lang);
    let org = p.organisation.id;
    let market = match parse_market(&form, t) {
        Ok(m) => m,
        Err(errors) => {
            return Ok(market_form_page(
                &p,
                lang,
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
                errors,
            ))
        }
    };
    match state.store.create_market(org, &market, now_millis()).await {
        Ok(_) => {}
        Err(StoreError::Conflict { .. }) => {
            let mut errors = Errors::default();
            errors.add("code", t.err_market_code_taken);
            return Ok(market_form_page(
                &p,
                lang,
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
                errors,
            ));
        }
        Err(e) => return Err(e.into()),
    }
    // The market is saved either way; its prices may wait for a rate.
    let code = &market.code;
    let target = match pricing::derive_all(&state.store, org, today()).await {
        // A market without an exchange rate is reported, not an error.
        Ok(r) if r.skipped.iter().any(|s| s.sku == "*" && &s.market == code) => {
            format!("/console/markets?created={code}&unpriced=1")
        }
        Ok(_) => format!("/console/markets?created={code}"),
        Err(e) => {
            tracing::warn!(organisation = org, market = %code, detail = %e.detail, "prices not derived for a new market");
            format!("/console/markets?created={code}&unpriced=1")
        }
    };
    Ok(Redirect::to(&target).into_response())
}

// ---------------------------------------------------------------------------
// One market and its sales

#[derive(Deserialize, Default)]
#[serde(default)]
struct SaleForm {
    csrf: String,
    name: String,
    starts_on: String,
    ends_before: String,
    markup: String,
}

struct SaleRow {
    name: String,
    starts_on: String,
    ends_before: String,
    last_day: String,
    markup: String,
    status_key: &'static str,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "market.html")]
struct MarketPage {
    shell: Shell,
    id: i64,
    code: String,
    name: String,
    countries: String,
    currency: &'static str,
    currency_name: &'static str,
    locales: String,
    tax: &'static str,
    incoterm: &'static str,
    incoterm_note: &'static str,
    markup: String,
    rounding: String,
    rate: String,
    rate_source: String,
    no_rate: Option<NoRate>,
    sales: Vec<SaleRow>,
    form: SaleForm,
    errors: Errors,
    added: bool,
}

#[derive(Deserialize)]
struct MarketQuery {
    sale_added: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn render_market(
    state: &AppState,
    p: &Principal,
    lang: UiLocale,
    m: &MarketRecord,
    status: StatusCode,
    form: SaleForm,
    errors: Errors,
    added: bool,
) -> Result<Response, Problem> {
    let t = Tr::for_locale(lang);
    let org = p.organisation.id;
    let mk = &m.market;
    let day = today();
    let (rate, rate_source, no_rate) =
        match fx::conversion(&state.store, BASE_CURRENCY, mk.currency, day).await {
            Ok(c) if c.is_identity() => (t.no_conversion.to_owned(), String::new(), None),
            Ok(c) => (
                format!(
                    "1\u{a0}{} = {}\u{a0}{}",
                    c.from(),
                    short_rate(&c.rate_display(10)),
                    c.to()
                ),
                match (c.source(), c.rate_date()) {
                    (Some(s), Some(d)) => format!("{} · {d}", s.as_str()),
                    (Some(s), None) => s.as_str().to_owned(),
                    _ => String::new(),
                },
                None,
            ),
            Err(_) => (
                "—".to_owned(),
                String::new(),
                Some(NoRate {
                    currency: mk.currency.code(),
                }),
            ),
        };
    let today_days = days(day);
    let sales = state
        .store
        .price_lists(org, m.id)
        .await?
        .iter()
        .map(|l| {
            let (status_key, status) = if today_days < l.starts_on {
                ("upcoming", t.sale_status_upcoming)
            } else if today_days < l.ends_before {
                ("on", t.sale_status_on)
            } else {
                ("ended", t.sale_status_ended)
            };
            SaleRow {
                name: l.name.clone(),
                starts_on: date_text(l.starts_on),
                ends_before: date_text(l.ends_before),
                last_day: date_text(l.ends_before - 1),
                markup: match &l.markup {
                    Some(f) => describe_markup(f),
                    None => format!(
                        "{} ({})",
                        t.market_markup,
                        describe_markup(&mk.rule.markup.to_string())
                    ),
                },
                status_key,
                status,
            }
        })
        .collect();
    let here = format!("/console/markets/{}", m.id);
    let page = MarketPage {
        shell: Shell::for_principal(p, lang, "markets", here),
        id: m.id,
        code: mk.code.clone(),
        name: mk.name.clone(),
        countries: mk
            .countries
            .iter()
            .map(|c| format!("{} ({})", c.name(lang.as_str()), c.alpha2()))
            .collect::<Vec<_>>()
            .join(list_separator(t)),
        currency: mk.currency.code(),
        currency_name: mk.currency.name(),
        locales: mk
            .locales
            .iter()
            .map(|l| l.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        tax: if mk.tax_inclusive {
            t.tax_included
        } else {
            t.tax_excluded
        },
        incoterm: mk.incoterm.as_str(),
        incoterm_note: incoterm_note(mk.incoterm, t),
        markup: describe_markup(&mk.rule.markup.to_string()),
        rounding: describe_rounding(&mk.rule.rounding, mk.currency, t),
        rate,
        rate_source,
        no_rate,
        sales,
        form,
        errors,
        added,
    };
    Ok(html(status, &page))
}

async fn market_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw_id): Path<String>,
    Query(q): Query<MarketQuery>,
) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let here = format!("/console/markets/{raw_id}");
    let market = match raw_id.parse::<i64>() {
        Ok(id) => state.store.market(p.organisation.id, id).await?,
        Err(_) => None,
    };
    let Some(m) = market else {
        return Ok(not_found(&p, lang, here, false));
    };
    render_market(
        &state,
        &p,
        lang,
        &m,
        StatusCode::OK,
        SaleForm::default(),
        Errors::default(),
        q.sale_added.is_some(),
    )
    .await
}

fn parse_date_field(text: &str, field: &str, errors: &mut Errors, t: &Tr) -> Option<Date> {
    match text.trim() {
        "" => {
            errors.add(field, t.err_required);
            None
        }
        s => Date::parse(s)
            .map_err(|_| errors.add(field, t.err_date))
            .ok(),
    }
}

async fn create_sale(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw_id): Path<String>,
    Form(form): Form<SaleForm>,
) -> Result<Response, Problem> {
    let Some(p) = session_with_csrf(&state, &headers, &form.csrf).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let t = Tr::for_locale(lang);
    let org = p.organisation.id;
    let here = format!("/console/markets/{raw_id}");
    let market = match raw_id.parse::<i64>() {
        Ok(id) => state.store.market(org, id).await?,
        Err(_) => None,
    };
    let Some(m) = market else {
        return Ok(not_found(&p, lang, here, false));
    };

    // As `POST /api/v1/markets/{id}/price-lists` checks.
    let mut errors = Errors::default();
    let name = form.name.trim();
    if name.is_empty() {
        errors.add("name", t.err_required);
    } else if name.chars().count() > MAX_NAME_CHARS {
        errors.add("name", t.err_name_length);
    }
    let starts = parse_date_field(&form.starts_on, "starts_on", &mut errors, t);
    let ends = parse_date_field(&form.ends_before, "ends_before", &mut errors, t);
    if let (Some(s), Some(e)) = (starts, ends) {
        if e <= s {
            errors.add("ends_before", t.err_ends_after_start);
        }
    }
    let markup = match form.markup.trim() {
        "" => None,
        s => match parse_percent(s) {
            Some(r) => Some(r),
            None => {
                errors.add("markup", t.err_percent);
                None
            }
        },
    };
    let (Some(starts), Some(ends), true) = (starts, ends, errors.is_empty()) else {
        return render_market(
            &state,
            &p,
            lang,
            &m,
            StatusCode::UNPROCESSABLE_ENTITY,
            form,
            errors,
            false,
        )
        .await;
    };
    state
        .store
        .create_price_list(
            org,
            &PriceListRecord {
                id: 0,
                market_id: m.id,
                name: name.to_owned(),
                markup: markup.map(|r| r.to_string()),
                rounding: None,
                starts_on: days(starts),
                ends_before: days(ends),
            },
            now_millis(),
        )
        .await?;
    Ok(Redirect::to(&format!("/console/markets/{}?sale_added=1#sales", m.id)).into_response())
}

// ---------------------------------------------------------------------------
// A variant's pricing rules

/// The variant of a product, as the pricing page needs it.
struct VariantContext {
    product: ProductRecord,
    /// Position of the variant in the product.
    index: usize,
    input: VariantPriceInput,
}

impl VariantContext {
    fn product_id(&self) -> i64 {
        self.product.id
    }

    fn variant_id(&self) -> i64 {
        self.input.variant_id
    }

    fn base(&self) -> String {
        format!(
            "/console/products/{}/variants/{}",
            self.product_id(),
            self.variant_id()
        )
    }
}

async fn load_variant(
    state: &AppState,
    org: i64,
    raw_product: &str,
    raw_variant: &str,
) -> Result<Option<VariantContext>, Problem> {
    let (Ok(pid), Ok(vid)) = (raw_product.parse::<i64>(), raw_variant.parse::<i64>()) else {
        return Ok(None);
    };
    let Some(product) = state.store.product(org, pid).await? else {
        return Ok(None);
    };
    let Some(index) = product.variant_ids.iter().position(|v| *v == vid) else {
        return Ok(None);
    };
    let Some(input) = state.store.variant_price_input(org, vid).await? else {
        return Ok(None);
    };
    Ok(Some(VariantContext {
        product,
        index,
        input,
    }))
}

/// What the form of one market holds, as typed.
#[derive(Default, Clone)]
struct MarketFields {
    override_price: String,
    compare_at: String,
    /// `(from quantity, discount %)` per row.
    tiers: Vec<(String, String)>,
    /// Sale price per price list id.
    sales: HashMap<i64, String>,
}

impl MarketFields {
    fn from_form(pairs: &[(String, String)]) -> Self {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(name, _)| name == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        MarketFields {
            override_price: get("override_price"),
            compare_at: get("compare_at"),
            tiers: (0..TIER_ROWS)
                .map(|i| (get(&format!("tier_qty_{i}")), get(&format!("tier_pct_{i}"))))
                .collect(),
            sales: pairs
                .iter()
                .filter_map(|(k, v)| {
                    k.strip_prefix("sale_")
                        .and_then(|id| id.parse::<i64>().ok())
                        .map(|id| (id, v.clone()))
                })
                .collect(),
        }
    }

    fn from_config(cfg: &VariantPriceConfig, c: Currency) -> Self {
        let mut tiers: Vec<(String, String)> = cfg
            .tiers
            .iter()
            .map(|(q, d)| (q.to_string(), percent_text(d)))
            .collect();
        tiers.resize(TIER_ROWS.max(tiers.len()), Default::default());
        MarketFields {
            override_price: cfg
                .override_minor
                .map(|m| minor_major_text(m, c))
                .unwrap_or_default(),
            compare_at: cfg
                .compare_at_minor
                .map(|m| minor_major_text(m, c))
                .unwrap_or_default(),
            tiers,
            sales: cfg
                .scheduled
                .iter()
                .filter_map(|(l, o)| o.map(|m| (l.id, minor_major_text(m, c))))
                .collect(),
        }
    }
}

struct TierRow {
    number: usize,
    qty_name: String,
    pct_name: String,
    qty: String,
    pct: String,
    qty_error: Option<String>,
    pct_error: Option<String>,
}

struct SaleField {
    input: String,
    name: String,
    dates: String,
    value: String,
    error: Option<String>,
}

struct QuoteView {
    amount: String,
    compare_at: Option<String>,
    quantity: u32,
    how: String,
    sale: Option<String>,
}

struct MarketPricingView {
    id: i64,
    code: String,
    name: String,
    currency: &'static str,
    action: String,
    quote: Option<QuoteView>,
    quote_problem: Option<String>,
    no_rate: Option<NoRate>,
    derived: Option<String>,
    override_price: String,
    override_error: Option<String>,
    compare_at: String,
    compare_error: Option<String>,
    tiers: Vec<TierRow>,
    sales: Vec<SaleField>,
    general_error: Option<String>,
    has_errors: bool,
    saved: bool,
}

/// What the order quantity form holds, as typed.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RulesForm {
    csrf: String,
    moq: String,
    pack_size: String,
    increment: String,
}

#[derive(Template)]
#[template(path = "variant_pricing.html")]
struct VariantPricingPage {
    shell: Shell,
    product_href: String,
    product_title: String,
    sku: String,
    options: String,
    base_price: String,
    rules_action: String,
    rules: RulesForm,
    rules_errors: Errors,
    rules_saved: bool,
    markets: Vec<MarketPricingView>,
}

#[derive(Deserialize)]
struct PricingQuery {
    saved: Option<i64>,
    rules_saved: Option<String>,
}

/// The form of one market as submitted, with its problems.
struct Submitted {
    market_id: i64,
    fields: MarketFields,
    errors: Errors,
}

#[allow(clippy::too_many_arguments)]
async fn render_pricing(
    state: &AppState,
    p: &Principal,
    lang: UiLocale,
    ctx: &VariantContext,
    status: StatusCode,
    submitted: Option<Submitted>,
    rules: Option<(RulesForm, Errors)>,
    query: &PricingQuery,
) -> Result<Response, Problem> {
    let t = Tr::for_locale(lang);
    let org = p.organisation.id;
    let vid = ctx.variant_id();
    let day = today();
    let draft = &ctx.product.draft;
    let variant = &draft.variants[ctx.index];
    let stored_rules = OrderQuantityRules {
        moq: ctx.input.moq,
        pack_size: ctx.input.pack_size,
        increment: ctx.input.increment,
    };
    // The smallest quantity that may be ordered: with an MOQ, 1 is refused.
    let quantity = if stored_rules.validate().is_ok() {
        u32::try_from(stored_rules.next_allowed(1)).unwrap_or(1)
    } else {
        1
    };
    let derived: HashMap<i64, i64> = state
        .store
        .prices_for_variants(org, &[vid])
        .await?
        .into_iter()
        .map(|sp| (sp.market_id, sp.amount_minor))
        .collect();

    let mut markets = Vec::new();
    for m in state.store.list_markets(org).await? {
        let currency = m.market.currency;
        let cfg = state.store.variant_price_config(org, m.id, vid).await?;
        let (fields, errors) = match &submitted {
            Some(s) if s.market_id == m.id => (s.fields.clone(), Some(&s.errors)),
            _ => (MarketFields::from_config(&cfg, currency), None),
        };
        let err = |field: &str| errors.and_then(|e| e.owned(field));
        let (quote, quote_problem, no_rate) = match pricing::quote(
            &state.store,
            &state.pricing_cache,
            p.generations,
            org,
            vid,
            m.id,
            quantity,
            day,
        )
        .await
        {
            Ok((q, _, _)) => {
                let mut how = if q
                    .explanation
                    .iter()
                    .any(|s| matches!(s, ExplanationStep::Override { .. }))
                {
                    t.quote_manual.to_owned()
                } else {
                    t.quote_derived.to_owned()
                };
                if let Some(ExplanationStep::TierDiscount { discount, .. }) = q
                    .explanation
                    .iter()
                    .find(|s| matches!(s, ExplanationStep::TierDiscount { .. }))
                {
                    how.push_str(&format!(
                        "{}{} −{}%",
                        list_separator(t),
                        t.quote_tier,
                        percent_text(&discount.to_string())
                    ));
                }
                (
                    Some(QuoteView {
                        amount: format_money(q.unit_price, lang),
                        compare_at: q.compare_at.map(|c| format_money(c, lang)),
                        quantity: q.quantity,
                        how,
                        sale: q.schedule,
                    }),
                    None,
                    None,
                )
            }
            Err(e) if e.errors.iter().any(|f| f.field == "date") => (
                None,
                None,
                Some(NoRate {
                    currency: currency.code(),
                }),
            ),
            Err(e) => (None, Some(e.detail), None),
        };
        let tiers = fields
            .tiers
            .iter()
            .enumerate()
            .map(|(i, (qty, pct))| TierRow {
                number: i + 1,
                qty_name: format!("tier_qty_{i}"),
                pct_name: format!("tier_pct_{i}"),
                qty: qty.clone(),
                pct: pct.clone(),
                qty_error: err(&format!("tier_qty_{i}")),
                pct_error: err(&format!("tier_pct_{i}")),
            })
            .collect();
        let sales = cfg
            .scheduled
            .iter()
            .map(|(l, _)| SaleField {
                input: format!("sale_{}", l.id),
                name: l.name.clone(),
                dates: format!(
                    "{} – {}",
                    date_text(l.starts_on),
                    date_text(l.ends_before - 1)
                ),
                value: fields.sales.get(&l.id).cloned().unwrap_or_default(),
                error: err(&format!("sale_{}", l.id)),
            })
            .collect();
        markets.push(MarketPricingView {
            id: m.id,
            code: m.market.code.clone(),
            name: m.market.name.clone(),
            currency: currency.code(),
            action: format!("{}/pricing/{}", ctx.base(), m.id),
            quote,
            quote_problem,
            no_rate,
            derived: derived
                .get(&m.id)
                .map(|a| format_money(Money::from_minor(*a, currency), lang)),
            override_error: err("override_price"),
            override_price: fields.override_price,
            compare_error: err("compare_at"),
            compare_at: fields.compare_at,
            tiers,
            sales,
            general_error: err("general"),
            has_errors: errors.is_some_and(|e| !e.is_empty()),
            saved: query.saved == Some(m.id),
        });
    }

    let (rules, rules_errors) = rules.unwrap_or_else(|| {
        (
            RulesForm {
                csrf: String::new(),
                moq: stored_rules.moq.to_string(),
                pack_size: stored_rules.pack_size.to_string(),
                increment: stored_rules.increment.to_string(),
            },
            Errors::default(),
        )
    });
    let here = format!("{}/pricing", ctx.base());
    let page = VariantPricingPage {
        shell: Shell::for_principal(p, lang, "catalog", here),
        product_href: format!("/console/products/{}", ctx.product_id()),
        product_title: title_for(draft, lang),
        sku: ctx.input.sku.clone(),
        options: draft
            .option_names
            .iter()
            .zip(&variant.option_values)
            .map(|(n, v)| format!("{n}: {v}"))
            .collect::<Vec<_>>()
            .join(list_separator(t)),
        base_price: format_money(ctx.input.base_price, lang),
        rules_action: format!("{}/order-rules", ctx.base()),
        rules,
        rules_errors,
        rules_saved: query.rules_saved.is_some(),
        markets,
    };
    Ok(html(status, &page))
}

const NO_QUERY: PricingQuery = PricingQuery {
    saved: None,
    rules_saved: None,
};

async fn variant_pricing(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((raw_product, raw_variant)): Path<(String, String)>,
    Query(q): Query<PricingQuery>,
) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let here = format!("/console/products/{raw_product}/variants/{raw_variant}/pricing");
    let Some(ctx) = load_variant(&state, p.organisation.id, &raw_product, &raw_variant).await?
    else {
        return Ok(not_found(&p, lang, here, true));
    };
    render_pricing(&state, &p, lang, &ctx, StatusCode::OK, None, None, &q).await
}

/// Where a pricing error of the domain belongs on the form: `tiers[1]`
/// is the row it came from, `scheduled[0]` the market's first sale.
fn form_field(domain_field: &str, tier_rows: &[usize], lists: &[PriceListRecord]) -> String {
    let indexed = |prefix: &str| {
        domain_field
            .strip_prefix(prefix)
            .and_then(|rest| rest.split_once("]."))
            .and_then(|(i, name)| i.parse::<usize>().ok().map(|i| (i, name)))
    };
    match domain_field {
        "override_price" => return "override_price".to_owned(),
        "compare_at" => return "compare_at".to_owned(),
        _ => {}
    }
    if let Some((i, name)) = indexed("tiers[") {
        if let Some(row) = tier_rows.get(i) {
            let kind = if name == "min_qty" { "qty" } else { "pct" };
            return format!("tier_{kind}_{row}");
        }
    }
    if let Some((i, "override_price")) = indexed("scheduled[") {
        if let Some(l) = lists.get(i) {
            return format!("sale_{}", l.id);
        }
    }
    "general".to_owned()
}

async fn save_market_pricing(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((raw_product, raw_variant, raw_market)): Path<(String, String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, Problem> {
    let csrf = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    let Some(p) = session_with_csrf(&state, &headers, csrf).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let t = Tr::for_locale(lang);
    let org = p.organisation.id;
    let here = format!("/console/products/{raw_product}/variants/{raw_variant}/pricing");
    let Some(ctx) = load_variant(&state, org, &raw_product, &raw_variant).await? else {
        return Ok(not_found(&p, lang, here, true));
    };
    let market = match raw_market.parse::<i64>() {
        Ok(id) => state.store.market(org, id).await?,
        Err(_) => None,
    };
    let Some(market) = market else {
        return Ok(not_found(&p, lang, here, false));
    };
    let currency = market.market.currency;
    let fields = MarketFields::from_form(&pairs);
    let lists = state.store.price_lists(org, market.id).await?;

    // As `PUT /api/v1/markets/{id}/variants/{variant_id}/pricing` checks.
    let mut errors = Errors::default();
    let override_price = parse_amount(
        &fields.override_price,
        currency,
        "override_price",
        &mut errors,
        t,
    );
    let compare_at = parse_amount(&fields.compare_at, currency, "compare_at", &mut errors, t);
    let mut tiers: Vec<(i64, String)> = Vec::new();
    let mut tier_rows: Vec<usize> = Vec::new();
    for (row, (qty, pct)) in fields.tiers.iter().enumerate() {
        let (qty_field, pct_field) = (format!("tier_qty_{row}"), format!("tier_pct_{row}"));
        let (qty, pct) = (qty.trim(), pct.trim());
        if qty.is_empty() && pct.is_empty() {
            continue;
        }
        let min_qty = match qty {
            "" => {
                errors.add(&qty_field, t.err_required);
                None
            }
            s => match s.parse::<u32>() {
                Ok(n) if n >= 2 => Some(n),
                Ok(_) => {
                    errors.add(&qty_field, t.err_min_qty_two);
                    None
                }
                Err(_) => {
                    errors.add(&qty_field, t.err_whole_number);
                    None
                }
            },
        };
        let discount = match pct {
            "" => {
                errors.add(&pct_field, t.err_required);
                None
            }
            s => match parse_percent(s) {
                Some(d) if d.as_decimal() < Rate::ONE.as_decimal() => Some(d),
                Some(_) => {
                    errors.add(&pct_field, t.err_discount_below_100);
                    None
                }
                None => {
                    errors.add(&pct_field, t.err_percent);
                    None
                }
            },
        };
        if let Some(n) = min_qty {
            if tiers.iter().any(|(q, _)| *q == i64::from(n)) {
                errors.add(&qty_field, t.err_tier_duplicate);
            }
        }
        if let (Some(n), Some(d)) = (min_qty, discount) {
            tiers.push((i64::from(n), d.to_string()));
            tier_rows.push(row);
        }
    }
    let mut scheduled_overrides = Vec::new();
    for l in &lists {
        let field = format!("sale_{}", l.id);
        let typed = fields.sales.get(&l.id).map(String::as_str).unwrap_or("");
        if let Some(m) = parse_amount(typed, currency, &field, &mut errors, t) {
            scheduled_overrides.push((l.id, m.minor()));
        }
    }

    if errors.is_empty() {
        // The whole result, checked by the domain's rules on today's rates.
        let proposed = VariantPriceConfig {
            override_minor: override_price.map(|m| m.minor()),
            compare_at_minor: compare_at.map(|m| m.minor()),
            tiers: tiers.clone(),
            scheduled: lists
                .iter()
                .map(|l| {
                    let o = scheduled_overrides
                        .iter()
                        .find(|(id, _)| *id == l.id)
                        .map(|(_, a)| *a);
                    (l.clone(), o)
                })
                .collect(),
        };
        let candidate = pricing::pricing_from_parts(&ctx.input, &market, &proposed)?;
        let day = today();
        if let Ok(conv) =
            fx::conversion(&state.store, ctx.input.base_price.currency(), currency, day).await
        {
            if let Err(e) = candidate.validate(&conv, day) {
                let field = e
                    .field()
                    .map(|f| form_field(f, &tier_rows, &lists))
                    .unwrap_or_else(|| "general".to_owned());
                errors.add(field, pricing_reason(&e));
            }
        }
    }
    if !errors.is_empty() {
        let submitted = Submitted {
            market_id: market.id,
            fields,
            errors,
        };
        return render_pricing(
            &state,
            &p,
            lang,
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(submitted),
            None,
            &NO_QUERY,
        )
        .await;
    }
    state
        .store
        .set_variant_price_config(
            org,
            market.id,
            ctx.variant_id(),
            &NewVariantPriceConfig {
                override_minor: override_price.map(|m| m.minor()),
                compare_at_minor: compare_at.map(|m| m.minor()),
                tiers,
                scheduled_overrides,
            },
        )
        .await?;
    Ok(Redirect::to(&format!(
        "{}/pricing?saved={}#market-{}",
        ctx.base(),
        market.id,
        market.market.code
    ))
    .into_response())
}

async fn save_order_rules(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((raw_product, raw_variant)): Path<(String, String)>,
    Form(form): Form<RulesForm>,
) -> Result<Response, Problem> {
    let Some(p) = session_with_csrf(&state, &headers, &form.csrf).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let t = Tr::for_locale(lang);
    let org = p.organisation.id;
    let here = format!("/console/products/{raw_product}/variants/{raw_variant}/pricing");
    let Some(ctx) = load_variant(&state, org, &raw_product, &raw_variant).await? else {
        return Ok(not_found(&p, lang, here, true));
    };

    // As `PUT /api/v1/variants/{id}/order-rules` checks.
    let mut errors = Errors::default();
    let whole = |text: &str, field: &str, errors: &mut Errors| {
        parse_whole(text, 1, field, errors, t).and_then(|n| match u32::try_from(n) {
            Ok(n) => Some(n),
            Err(_) => {
                errors.add(field, t.err_whole_number);
                None
            }
        })
    };
    let moq = whole(&form.moq, "moq", &mut errors);
    let pack_size = whole(&form.pack_size, "pack_size", &mut errors);
    let increment = match form.increment.trim() {
        "" => pack_size,
        s => whole(s, "increment", &mut errors),
    };
    if let (Some(moq), Some(pack_size), Some(increment)) = (moq, pack_size, increment) {
        let rules = OrderQuantityRules {
            moq,
            pack_size,
            increment,
        };
        match rules.validate() {
            Ok(()) if errors.is_empty() => {
                state
                    .store
                    .set_order_rules(
                        org,
                        ctx.variant_id(),
                        i64::from(moq),
                        i64::from(pack_size),
                        i64::from(increment),
                    )
                    .await?;
                return Ok(Redirect::to(&format!(
                    "{}/pricing?rules_saved=1#order-rules",
                    ctx.base()
                ))
                .into_response());
            }
            Ok(()) => {}
            Err(e) => match e.field() {
                Some(f @ ("moq" | "increment")) => errors.add(f, t.err_whole_packs),
                Some(f @ "pack_size") => errors.add(f, t.err_at_least_one),
                _ => errors.add("moq", pricing_reason(&e)),
            },
        }
    }
    render_pricing(
        &state,
        &p,
        lang,
        &ctx,
        StatusCode::UNPROCESSABLE_ENTITY,
        None,
        Some((form, errors)),
        &NO_QUERY,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> MarketForm {
        MarketForm {
            code: "CA".into(),
            name: "Canada".into(),
            countries: "ca".into(),
            currency: "CAD".into(),
            default_locale: "en-CA".into(),
            locales: "fr-CA, en-CA".into(),
            incoterm: "DAP".into(),
            markup: "30".into(),
            rounding: "charm".into(),
            charm_ending: "99".into(),
            ..MarketForm::default()
        }
    }

    #[test]
    fn reads_a_market_form() {
        let t = Tr::for_locale(UiLocale::En);
        let m = parse_market(&form(), t).unwrap_or_else(|_| panic!("valid"));
        assert_eq!(m.code, "ca");
        assert_eq!(m.countries, vec![Country::CA]);
        assert_eq!(m.locales.len(), 2);
        assert_eq!(m.locales[0].as_str(), "en-CA");
        assert_eq!(m.incoterm, Incoterm::Dap);
        assert_eq!(m.rule.markup.to_string(), "0.30");
        assert!(!m.tax_inclusive);

        let bad = MarketForm {
            countries: "CA, XX".into(),
            currency: String::new(),
            incoterm: "FOB".into(),
            markup: "ten".into(),
            charm_ending: "100".into(),
            ..form()
        };
        let errors = parse_market(&bad, t).expect_err("invalid");
        assert!(errors.get("countries").unwrap().contains("XX"));
        assert_eq!(errors.get("currency"), Some(t.err_currency));
        assert_eq!(errors.get("incoterm"), Some(t.err_incoterm));
        assert_eq!(errors.get("markup"), Some(t.err_percent));

        let yen = MarketForm {
            currency: "JPY".into(),
            charm_ending: "80".into(),
            ..form()
        };
        let errors = parse_market(&yen, t).expect_err("80 needs a cycle in JPY");
        assert_eq!(errors.get("charm_ending"), Some(t.err_ending_cycle));
        let yen = MarketForm {
            charm_every: "100".into(),
            ..yen
        };
        assert!(parse_market(&yen, t).is_ok());
    }

    #[test]
    fn maps_domain_fields_to_the_form() {
        let list = PriceListRecord {
            id: 7,
            market_id: 1,
            name: "Sale".into(),
            markup: None,
            rounding: None,
            starts_on: 0,
            ends_before: 1,
        };
        let lists = [list];
        assert_eq!(
            form_field("tiers[1].discount", &[0, 2], &lists),
            "tier_pct_2"
        );
        assert_eq!(form_field("tiers[0].min_qty", &[1], &lists), "tier_qty_1");
        assert_eq!(
            form_field("scheduled[0].override_price", &[], &lists),
            "sale_7"
        );
        assert_eq!(form_field("override_price", &[], &lists), "override_price");
        assert_eq!(form_field("base", &[], &lists), "general");
        assert_eq!(percent_text("0.075"), "7.5");
        assert_eq!(
            parse_percent("30 %").map(|r| r.to_string()),
            Some("0.30".into())
        );
    }
}
