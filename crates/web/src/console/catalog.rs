//! `/console/products` and `/console/markets`: the seller's catalog, a form
//! for a new product, each product with its price in every market, and the
//! seller's markets.

use std::collections::{BTreeSet, HashMap};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use chuhai_domain::accounts::UiLocale;
use chuhai_domain::calendar::Date;
use chuhai_domain::catalog::{
    pick, sanitize_description_html, DraftField, GoodsFlags, HsCode, Locale, ProductDraft,
    ProductHandle, ProductStatus, Sku, TradeData, TranslationDraft, VariantDraft,
};
use chuhai_domain::country::Country;
use chuhai_domain::market::Incoterm;
use chuhai_domain::money::{Currency, Money, Rate, RoundingMode};
use chuhai_domain::pricing::MarketRounding;
use chuhai_store::accounts::Principal;
use chuhai_store::markets::MarketRecord;
use chuhai_store::prices::StoredPrice;
use chuhai_store::StoreError;
use serde::Deserialize;

use super::i18n::Tr;
use super::{html, locale, session, session_with_csrf, to_login, Shell};
use crate::extract::encode_cursor;
use crate::problem::Problem;
use crate::services::pricing::derive_all;
use crate::state::AppState;
use crate::time::now_millis;

/// Products per page of the list.
const PAGE_SIZE: u32 = 50;
/// Longest title, in characters (as `ProductDraft::problems` checks).
const MAX_TITLE_CHARS: usize = 255;
/// Heaviest accepted variant, in grams.
const MAX_GRAMS: u32 = 1_000_000;
/// The currency of base prices entered in the console.
const BASE_CURRENCY: Currency = Currency::CNY;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/console/products", get(products))
        .route(
            "/console/products/new",
            get(new_product).post(create_product),
        )
        .route("/console/products/{id}", get(product))
        .route("/console/markets", get(markets))
}

// ---------------------------------------------------------------------------
// Formatting

/// Money as a seller reads it in the console: the currency's symbol (told
/// apart where symbols are shared: `US$`, `A$`, `CN¥`/`JP¥`), digits grouped
/// by thousands, exactly the currency's decimals: `US$31.99`, `€29.99`,
/// `¥5,180`, `CHF 25.00`. In Chinese, `¥` is the yuan and the yen is `JP¥`.
pub(crate) fn format_money(m: Money, lang: UiLocale) -> String {
    let zh = lang == UiLocale::ZhCn;
    let symbol = match (m.currency().code(), zh) {
        ("USD", _) => "US$",
        ("EUR", _) => "€",
        ("GBP", _) => "£",
        ("JPY", false) => "¥",
        ("JPY", true) => "JP¥",
        ("CNY", false) => "CN¥",
        ("CNY", true) => "¥",
        ("AUD", false) => "A$",
        ("AUD", true) => "AU$",
        ("CAD", _) => "CA$",
        ("HKD", _) => "HK$",
        ("NZD", _) => "NZ$",
        ("KRW", _) => "₩",
        ("INR", _) => "₹",
        _ => "",
    };
    let text = m.to_major_string();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if let Some(f) = fraction {
        grouped.push('.');
        grouped.push_str(f);
    }
    if symbol.is_empty() {
        format!("{sign}{} {grouped}", m.currency().code())
    } else {
        format!("{sign}{symbol}{grouped}")
    }
}

/// Minor units of `c` as plain major-unit text; below one unit without the
/// leading zero (`99` cents → `.99`, `500` → `5.00`, JPY `80` → `80`).
fn minor_text(minor: u64, c: Currency) -> String {
    let text = Money::from_minor(i64::try_from(minor).unwrap_or(i64::MAX), c).to_major_string();
    match text.strip_prefix("0.") {
        Some(rest) => format!(".{rest}"),
        None => text,
    }
}

/// `inner` in parentheses of the page's language.
fn paren(t: &Tr, inner: &str) -> String {
    if t.lang == "zh-CN" {
        format!("（{inner}）")
    } else {
        format!(" ({inner})")
    }
}

fn mode_name(mode: RoundingMode, t: &Tr) -> &'static str {
    match mode {
        RoundingMode::HalfEven => t.mode_half_even,
        RoundingMode::HalfUp => t.mode_half_up,
        RoundingMode::Up => t.mode_up,
        RoundingMode::Down => t.mode_down,
    }
}

/// A market's rounding rule in words: `Ends in .99`, `Ends in 80 (every
/// 100)`, `Steps of 5.00 (half up)`.
pub(super) fn describe_rounding(r: &MarketRounding, c: Currency, t: &Tr) -> String {
    match *r {
        MarketRounding::None => t.round_none.to_owned(),
        MarketRounding::WholeUnits { mode } => {
            format!("{}{}", t.round_whole, paren(t, mode_name(mode, t)))
        }
        MarketRounding::CharmEnding {
            ending_minor,
            every_minor,
        } => {
            let base = format!("{} {}", t.round_ends_in, minor_text(ending_minor, c));
            match every_minor {
                None => base,
                Some(every) => format!(
                    "{base}{}",
                    paren(t, &format!("{} {}", t.round_every, minor_text(every, c)))
                ),
            }
        }
        MarketRounding::NearestStep { step_minor, mode } => format!(
            "{} {}{}",
            t.round_step,
            minor_text(step_minor, c),
            paren(t, mode_name(mode, t))
        ),
    }
}

/// A markup fraction as a percentage: `0.25` → `+25%`.
pub(super) fn describe_markup(markup: &str) -> String {
    match Rate::parse(markup) {
        Ok(r) if r.is_zero() => "0%".to_owned(),
        Ok(r) => {
            let pct = (r.as_decimal() * chuhai_domain::money::Decimal::ONE_HUNDRED).normalize();
            format!("+{pct}%")
        }
        Err(_) => markup.to_owned(),
    }
}

/// An exchange rate shortened to 6 significant digits for reading.
pub(super) fn short_rate(rate: &str) -> String {
    Rate::parse(rate)
        .ok()
        .and_then(|r| r.as_decimal().round_sf(6))
        .map(|d| d.normalize().to_string())
        .unwrap_or_else(|| rate.to_owned())
}

pub(super) fn date_text(days: i64) -> String {
    i32::try_from(days)
        .ok()
        .and_then(Date::from_days_since_epoch)
        .map(|d| d.to_string())
        .unwrap_or_default()
}

fn status_name(s: ProductStatus, t: &Tr) -> &'static str {
    match s {
        ProductStatus::Draft => t.status_draft,
        ProductStatus::Active => t.status_active,
        ProductStatus::Archived => t.status_archived,
    }
}

pub(super) fn incoterm_note(i: Incoterm, t: &Tr) -> &'static str {
    match i {
        Incoterm::Ddp => t.incoterm_ddp,
        Incoterm::Dap => t.incoterm_dap,
        _ => "",
    }
}

fn flag_names(f: GoodsFlags, t: &Tr) -> String {
    let names: Vec<&str> = f
        .names()
        .map(|n| match n {
            "battery" => t.flag_battery,
            "liquid" => t.flag_liquid,
            "magnet" => t.flag_magnet,
            "powder" => t.flag_powder,
            "dangerous_goods" => t.flag_dangerous_goods,
            other => other,
        })
        .collect();
    if names.is_empty() {
        t.flags_none.to_owned()
    } else {
        names.join(list_separator(t))
    }
}

pub(super) fn list_separator(t: &Tr) -> &'static str {
    if t.lang == "zh-CN" {
        "、"
    } else {
        ", "
    }
}

fn english() -> Locale {
    Locale::parse("en").expect("en is a locale")
}

/// The product's title in the console's language, else English, else any.
pub(super) fn title_for(p: &ProductDraft, lang: UiLocale) -> String {
    let map: Vec<(Locale, &str)> = p
        .translations
        .iter()
        .map(|t| (t.locale, t.title.as_str()))
        .collect();
    let wanted = Locale::parse(lang.as_str()).unwrap_or_else(|_| english());
    pick(&map, &wanted, &english())
        .map(|(_, title)| (*title).to_owned())
        .unwrap_or_else(|| p.handle.as_str().to_owned())
}

/// The lowest and highest base price: `CN¥168.00` or `CN¥228.00 – CN¥318.00`.
fn price_range(variants: &[VariantDraft], lang: UiLocale) -> String {
    let Some(first) = variants.first().map(|v| v.price) else {
        return "—".to_owned();
    };
    if variants
        .iter()
        .any(|v| v.price.currency() != first.currency())
    {
        return variants
            .iter()
            .map(|v| format_money(v.price, lang))
            .collect::<Vec<_>>()
            .join(", ");
    }
    let min = variants.iter().map(|v| v.price.minor()).min().unwrap_or(0);
    let max = variants.iter().map(|v| v.price.minor()).max().unwrap_or(0);
    let show = |minor| format_money(Money::from_minor(minor, first.currency()), lang);
    if min == max {
        show(min)
    } else {
        format!("{} – {}", show(min), show(max))
    }
}

fn not_found_page(p: &Principal, lang: UiLocale, here: String) -> Response {
    let page = NotFoundPage {
        shell: Shell::for_principal(p, lang, "catalog", here),
    };
    html(StatusCode::NOT_FOUND, &page)
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFoundPage {
    shell: Shell,
}

// ---------------------------------------------------------------------------
// The list

struct ProductRow {
    id: i64,
    title: String,
    handle: String,
    status_key: &'static str,
    status: &'static str,
    variants: usize,
    price_range: String,
    hs_codes: String,
}

#[derive(Template)]
#[template(path = "products.html")]
struct ProductsPage {
    shell: Shell,
    products: Vec<ProductRow>,
    /// Whether this is a later page (to offer the first one).
    paged: bool,
    next_cursor: Option<String>,
}

#[derive(Deserialize)]
struct ListQuery {
    cursor: Option<String>,
}

/// The id a cursor from [`encode_cursor`] points after; anything else is
/// the first page.
fn cursor_after(raw: Option<&str>) -> i64 {
    raw.and_then(|c| c.strip_prefix("c1."))
        .filter(|hex| !hex.starts_with('+'))
        .and_then(|hex| i64::from_str_radix(hex, 16).ok())
        .filter(|v| *v > 0)
        .unwrap_or(0)
}

async fn products(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let after = cursor_after(q.cursor.as_deref());
    let page = state
        .store
        .list_products(p.organisation.id, after, PAGE_SIZE)
        .await?;
    let shell = Shell::for_principal(&p, lang, "catalog", "/console/products");
    let rows = page
        .items
        .iter()
        .map(|r| {
            let d = &r.draft;
            let hs: BTreeSet<&str> = d
                .variants
                .iter()
                .filter_map(|v| v.trade.hs_code.as_ref().map(HsCode::as_str))
                .collect();
            ProductRow {
                id: r.id,
                title: title_for(d, lang),
                handle: d.handle.as_str().to_owned(),
                status_key: d.status.as_str(),
                status: status_name(d.status, shell.t),
                variants: d.variants.len(),
                price_range: price_range(&d.variants, lang),
                hs_codes: if hs.is_empty() {
                    "—".to_owned()
                } else {
                    hs.into_iter().collect::<Vec<_>>().join(", ")
                },
            }
        })
        .collect();
    let page = ProductsPage {
        shell,
        products: rows,
        paged: after > 0,
        next_cursor: page.next_after.map(encode_cursor),
    };
    Ok(html(StatusCode::OK, &page))
}

// ---------------------------------------------------------------------------
// The form

/// What the form sends; every field may be missing.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ProductForm {
    csrf: String,
    title_en: String,
    title_zh: String,
    description: String,
    handle: String,
    sku: String,
    price: String,
    hs_code: String,
    origin: String,
    grams: String,
}

/// Messages shown next to the fields they are about.
#[derive(Default)]
struct FieldErrors(Vec<(&'static str, String)>);

impl FieldErrors {
    fn add(&mut self, field: &'static str, message: impl Into<String>) {
        // The first problem of a field is the one to fix first.
        if self.get(field).is_none() {
            self.0.push((field, message.into()));
        }
    }

    fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

struct CountryOption {
    code: &'static str,
    label: String,
}

#[derive(Template)]
#[template(path = "product_new.html")]
struct NewProductPage {
    shell: Shell,
    form: ProductForm,
    errors: FieldErrors,
    countries: Vec<CountryOption>,
}

/// Every country for the origin list: by English name in English, by code
/// (with the Chinese name) in Chinese.
fn country_options(lang: UiLocale) -> Vec<CountryOption> {
    let mut list: Vec<CountryOption> = Country::all()
        .iter()
        .map(|c| CountryOption {
            code: c.alpha2(),
            label: match lang {
                UiLocale::ZhCn => format!("{} {}", c.alpha2(), c.name_zh()),
                UiLocale::En => format!("{} ({})", c.name_en(), c.alpha2()),
            },
        })
        .collect();
    list.sort_by(|a, b| a.label.cmp(&b.label));
    list
}

fn form_page(
    p: &Principal,
    lang: UiLocale,
    status: StatusCode,
    form: ProductForm,
    errors: FieldErrors,
) -> Response {
    let page = NewProductPage {
        shell: Shell::for_principal(p, lang, "catalog", "/console/products/new"),
        form,
        errors,
        countries: country_options(lang),
    };
    html(status, &page)
}

async fn new_product(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let form = ProductForm {
        origin: "CN".to_owned(),
        ..ProductForm::default()
    };
    Ok(form_page(
        &p,
        lang,
        StatusCode::OK,
        form,
        FieldErrors::default(),
    ))
}

/// Plain text as description HTML: paragraphs at blank lines, line breaks
/// kept, everything escaped, then sanitised like every description.
fn plain_text_html(text: &str) -> String {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let normalised = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::new();
    let mut para: Vec<&str> = Vec::new();
    let flush = |para: &mut Vec<&str>, out: &mut String| {
        if !para.is_empty() {
            let lines: Vec<String> = para.iter().map(|l| escape(l.trim())).collect();
            out.push_str("<p>");
            out.push_str(&lines.join("<br>"));
            out.push_str("</p>");
            para.clear();
        }
    };
    for line in normalised.lines() {
        if line.trim().is_empty() {
            flush(&mut para, &mut out);
        } else {
            para.push(line);
        }
    }
    flush(&mut para, &mut out);
    out
}

/// Checks the form; on success, the product it describes.
async fn parse_form(
    state: &AppState,
    f: &ProductForm,
    t: &Tr,
) -> Result<Result<ProductDraft, FieldErrors>, Problem> {
    let mut errors = FieldErrors::default();
    let title_en = f.title_en.trim();
    if title_en.is_empty() {
        errors.add("title_en", t.err_required);
    } else if title_en.chars().count() > MAX_TITLE_CHARS {
        errors.add("title_en", t.err_too_long);
    }
    let title_zh = f.title_zh.trim();
    if title_zh.chars().count() > MAX_TITLE_CHARS {
        errors.add("title_zh", t.err_too_long);
    }
    let handle = match f.handle.trim() {
        "" if title_en.is_empty() => None,
        "" => {
            let made = ProductHandle::from_title(title_en);
            if made.is_none() {
                errors.add("handle", t.err_handle_none);
            }
            made
        }
        given => match ProductHandle::parse(given) {
            Ok(h) => Some(h),
            Err(_) => {
                errors.add("handle", t.err_handle);
                None
            }
        },
    };
    let sku = match f.sku.trim() {
        "" => {
            errors.add("sku", t.err_required);
            None
        }
        s => Sku::parse(s).map_err(|_| errors.add("sku", t.err_sku)).ok(),
    };
    let price = match f.price.trim() {
        "" => {
            errors.add("price", t.err_required);
            None
        }
        s => match Money::parse_major(s, BASE_CURRENCY) {
            Ok(m) if m.is_positive() => Some(m),
            Ok(_) => {
                errors.add("price", t.err_price_positive);
                None
            }
            Err(_) => {
                errors.add("price", t.err_price);
                None
            }
        },
    };
    let hs_code = match f.hs_code.trim() {
        "" => {
            errors.add("hs_code", t.err_required);
            None
        }
        s => match HsCode::parse(s) {
            Err(_) => {
                errors.add("hs_code", t.err_hs_format);
                None
            }
            Ok(code) => {
                // As imports do: checked against the nomenclature once one is loaded.
                let loaded = state.store.hs_counts().await?.2 > 0;
                let known = state
                    .store
                    .hs_code(code.as_str())
                    .await?
                    .is_some_and(|row| row.level == 6);
                if loaded && !known {
                    errors.add("hs_code", t.err_hs_unknown);
                    None
                } else {
                    Some(code)
                }
            }
        },
    };
    let origin = match f.origin.trim() {
        "" => {
            errors.add("origin", t.err_origin);
            None
        }
        s => Country::from_alpha2(s)
            .map_err(|_| errors.add("origin", t.err_origin))
            .ok(),
    };
    let grams = match f.grams.trim() {
        "" => {
            errors.add("grams", t.err_required);
            None
        }
        s => match s.parse::<u32>() {
            Ok(g) if (1..=MAX_GRAMS).contains(&g) => Some(g),
            _ => {
                errors.add("grams", t.err_weight);
                None
            }
        },
    };
    let (Some(handle), Some(sku), Some(price), Some(hs_code), Some(origin), Some(grams)) =
        (handle, sku, price, hs_code, origin, grams)
    else {
        return Ok(Err(errors));
    };
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let mut translations = vec![TranslationDraft {
        locale: english(),
        title: title_en.to_owned(),
        description_html: sanitize_description_html(&plain_text_html(&f.description)),
        seo_title: None,
        seo_description: None,
    }];
    let zh = Locale::parse("zh-CN").expect("zh-CN is a locale");
    if !title_zh.is_empty() {
        translations.push(TranslationDraft {
            locale: zh,
            title: title_zh.to_owned(),
            description_html: sanitize_description_html(""),
            seo_title: None,
            seo_description: None,
        });
    }
    let draft = ProductDraft {
        handle,
        status: ProductStatus::Active,
        vendor: None,
        product_type: None,
        tags: Vec::new(),
        translations,
        media: Vec::new(),
        option_names: Vec::new(),
        variants: vec![VariantDraft {
            sku: Some(sku),
            option_values: Vec::new(),
            gtin: None,
            price,
            compare_at_price: None,
            weight_grams: Some(grams),
            image_url: None,
            trade: TradeData {
                hs_code: Some(hs_code),
                country_of_origin: Some(origin),
                ..TradeData::default()
            },
        }],
    };
    // The domain's own rules, as a safety net: each problem on its field.
    for problem in draft.problems() {
        let field = match problem.field {
            DraftField::Title(l) if l == zh => "title_zh",
            DraftField::Title(_) | DraftField::Translations => "title_en",
            DraftField::Sku => "sku",
            DraftField::Price => "price",
            DraftField::WeightGrams => "grams",
            DraftField::HsCode => "hs_code",
            _ => "title_en",
        };
        errors.add(field, problem.reason);
    }
    Ok(if errors.is_empty() {
        Ok(draft)
    } else {
        Err(errors)
    })
}

async fn create_product(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<ProductForm>,
) -> Result<Response, Problem> {
    let Some(p) = session_with_csrf(&state, &headers, &form.csrf).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let t = Tr::for_locale(lang);
    let org = p.organisation.id;
    let draft = match parse_form(&state, &form, t).await? {
        Ok(d) => d,
        Err(errors) => {
            return Ok(form_page(
                &p,
                lang,
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
                errors,
            ))
        }
    };
    let taken = |field: &str, errors: &mut FieldErrors| match field {
        "handle" => errors.add("handle", t.err_handle_taken),
        _ => errors.add("sku", t.err_sku_taken),
    };
    let conflicts = state
        .store
        .catalog_conflicts(org, std::slice::from_ref(&draft))
        .await?;
    if !conflicts.is_empty() {
        let mut errors = FieldErrors::default();
        for c in &conflicts {
            taken(c.field, &mut errors);
        }
        return Ok(form_page(
            &p,
            lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            form,
            errors,
        ));
    }
    let ids = match state
        .store
        .insert_products(org, std::slice::from_ref(&draft), now_millis())
        .await
    {
        Ok(ids) => ids,
        // Another request took the handle or SKU since the check.
        Err(StoreError::Invalid { field, .. }) if field == "handle" || field == "sku" => {
            let mut errors = FieldErrors::default();
            taken(field, &mut errors);
            return Ok(form_page(
                &p,
                lang,
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
                errors,
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let id = ids.first().copied().ok_or_else(Problem::internal)?;
    let today = crate::time::today();
    let outcome = match derive_all(&state.store, org, today).await {
        Ok(_) => "saved",
        Err(e) => {
            tracing::warn!(organisation = org, product = id, detail = %e.detail, "prices not derived for a new product");
            "unpriced"
        }
    };
    Ok(Redirect::to(&format!("/console/products/{id}?{outcome}=1")).into_response())
}

// ---------------------------------------------------------------------------
// One product

struct TranslationView {
    locale: String,
    title: String,
    /// Sanitised HTML, safe to put on the page as it is.
    description_html: String,
}

struct VariantView {
    /// The variant's pricing rules page.
    pricing_href: String,
    sku: String,
    options: String,
    gtin: String,
    price: String,
    gross: String,
    net: String,
    dimensions: String,
    hs_code: String,
    hs_description: String,
    origin: String,
    flags: String,
    customs: String,
}

struct PriceLine {
    sku: String,
    amount: String,
    priced: bool,
}

struct MarketPriceView {
    code: String,
    name: String,
    currency: &'static str,
    prices: Vec<PriceLine>,
    tax: &'static str,
    incoterm: &'static str,
    incoterm_note: &'static str,
    rate: String,
    rate_source: String,
    markup: String,
    rounding: String,
}

#[derive(Template)]
#[template(path = "product.html")]
struct ProductPage {
    shell: Shell,
    title: String,
    handle: String,
    status_key: &'static str,
    status: &'static str,
    translations: Vec<TranslationView>,
    variants: Vec<VariantView>,
    markets: Vec<MarketPriceView>,
    saved: bool,
    unpriced: bool,
}

#[derive(Deserialize)]
struct ProductQuery {
    saved: Option<String>,
    unpriced: Option<String>,
}

fn grams_text(g: Option<u32>) -> String {
    g.map(|g| format!("{g} g"))
        .unwrap_or_else(|| "—".to_owned())
}

/// One market's column: the price of each variant and how it was made
/// (from the stored derivation; the market's current rule before any).
fn market_view(
    m: &MarketRecord,
    variant_ids: &[i64],
    skus: &[String],
    prices: &HashMap<(i64, i64), &StoredPrice>,
    lang: UiLocale,
    t: &Tr,
) -> MarketPriceView {
    let currency = m.market.currency;
    let lines = variant_ids
        .iter()
        .zip(skus)
        .map(|(vid, sku)| match prices.get(&(m.id, *vid)) {
            Some(sp) => PriceLine {
                sku: sku.clone(),
                amount: format_money(Money::from_minor(sp.amount_minor, currency), lang),
                priced: true,
            },
            None => PriceLine {
                sku: sku.clone(),
                amount: t.not_priced.to_owned(),
                priced: false,
            },
        })
        .collect();
    let derivation = variant_ids
        .iter()
        .find_map(|vid| prices.get(&(m.id, *vid)))
        .map(|sp| &sp.derivation);
    let (rate, rate_source, markup, rounding) = match derivation {
        Some(d) => {
            let rate = if d.fx_source.is_none() || d.base_currency == d.currency {
                t.no_conversion.to_owned()
            } else {
                // Broken only at the equals sign.
                format!(
                    "1\u{a0}{} = {}\u{a0}{}",
                    d.base_currency,
                    short_rate(&d.fx_rate),
                    d.currency
                )
            };
            let source = match (&d.fx_source, d.fx_date) {
                (Some(s), Some(day)) => format!("{s} · {}", date_text(day)),
                (Some(s), None) => s.clone(),
                _ => String::new(),
            };
            let rounding = serde_json::from_str::<MarketRounding>(&d.rounding)
                .map(|r| describe_rounding(&r, currency, t))
                .unwrap_or_else(|_| d.rounding.clone());
            (rate, source, describe_markup(&d.markup), rounding)
        }
        None => (
            "—".to_owned(),
            String::new(),
            describe_markup(&m.market.rule.markup.to_string()),
            describe_rounding(&m.market.rule.rounding, currency, t),
        ),
    };
    MarketPriceView {
        code: m.market.code.clone(),
        name: m.market.name.clone(),
        currency: currency.code(),
        prices: lines,
        tax: if m.market.tax_inclusive {
            t.tax_included
        } else {
            t.tax_excluded
        },
        incoterm: m.market.incoterm.as_str(),
        incoterm_note: incoterm_note(m.market.incoterm, t),
        rate,
        rate_source,
        markup,
        rounding,
    }
}

async fn product(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw_id): Path<String>,
    Query(q): Query<ProductQuery>,
) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let here = format!("/console/products/{raw_id}");
    let Ok(id) = raw_id.parse::<i64>() else {
        return Ok(not_found_page(&p, lang, "/console/products".to_owned()));
    };
    let org = p.organisation.id;
    let Some(record) = state.store.product(org, id).await? else {
        return Ok(not_found_page(&p, lang, here));
    };
    let t = Tr::for_locale(lang);
    let d = &record.draft;

    let mut translations: Vec<&TranslationDraft> = d.translations.iter().collect();
    // English first, then Chinese, then the rest by tag.
    translations.sort_by_key(|tr| match tr.locale.as_str() {
        "en" => (0, String::new()),
        "zh-CN" => (1, String::new()),
        other => (2, other.to_owned()),
    });
    let translations = translations
        .into_iter()
        .map(|tr| TranslationView {
            locale: tr.locale.as_str().to_owned(),
            title: tr.title.clone(),
            description_html: tr.description_html.as_str().to_owned(),
        })
        .collect();

    let mut hs_descriptions: HashMap<String, Option<String>> = HashMap::new();
    for v in &d.variants {
        if let Some(code) = &v.trade.hs_code {
            if !hs_descriptions.contains_key(code.as_str()) {
                let row = state.store.hs_code(code.as_str()).await?;
                hs_descriptions.insert(code.as_str().to_owned(), row.map(|r| r.description));
            }
        }
    }
    let skus: Vec<String> = d
        .variants
        .iter()
        .map(|v| {
            v.sku
                .as_ref()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default()
        })
        .collect();
    let mut variants: Vec<VariantView> = d
        .variants
        .iter()
        .zip(&skus)
        .map(|(v, sku)| {
            let tr = &v.trade;
            let (hs_code, hs_description) = match &tr.hs_code {
                Some(code) => (
                    code.as_str().to_owned(),
                    hs_descriptions
                        .get(code.as_str())
                        .cloned()
                        .flatten()
                        .unwrap_or_else(|| t.hs_not_loaded.to_owned()),
                ),
                None => ("—".to_owned(), String::new()),
            };
            let customs = [&tr.customs_description_en, &tr.customs_description_zh]
                .into_iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(" / ");
            VariantView {
                pricing_href: String::new(),
                sku: sku.clone(),
                options: d
                    .option_names
                    .iter()
                    .zip(&v.option_values)
                    .map(|(n, v)| format!("{n}: {v}"))
                    .collect::<Vec<_>>()
                    .join(list_separator(t)),
                gtin: v
                    .gtin
                    .as_ref()
                    .map(|g| g.as_str().to_owned())
                    .unwrap_or_else(|| "—".to_owned()),
                price: format_money(v.price, lang),
                gross: grams_text(v.weight_grams),
                net: grams_text(tr.net_weight_grams),
                dimensions: tr
                    .dimensions
                    .map(|dm| {
                        format!(
                            "{} × {} × {} mm",
                            dm.length_mm(),
                            dm.width_mm(),
                            dm.height_mm()
                        )
                    })
                    .unwrap_or_else(|| "—".to_owned()),
                hs_code,
                hs_description,
                origin: tr
                    .country_of_origin
                    .map(|c| format!("{} ({})", c.name(lang.as_str()), c.alpha2()))
                    .unwrap_or_else(|| "—".to_owned()),
                flags: flag_names(tr.goods_flags, t),
                customs: if customs.is_empty() {
                    "—".to_owned()
                } else {
                    customs
                },
            }
        })
        .collect();

    for (v, vid) in variants.iter_mut().zip(&record.variant_ids) {
        v.pricing_href = format!("/console/products/{id}/variants/{vid}/pricing");
    }

    let markets = state.store.list_markets(org).await?;
    let stored = state
        .store
        .prices_for_variants(org, &record.variant_ids)
        .await?;
    let by_key: HashMap<(i64, i64), &StoredPrice> = stored
        .iter()
        .map(|sp| ((sp.market_id, sp.variant_id), sp))
        .collect();
    let markets = markets
        .iter()
        .map(|m| market_view(m, &record.variant_ids, &skus, &by_key, lang, t))
        .collect();

    let page = ProductPage {
        shell: Shell::for_principal(&p, lang, "catalog", here),
        title: title_for(d, lang),
        handle: d.handle.as_str().to_owned(),
        status_key: d.status.as_str(),
        status: status_name(d.status, t),
        translations,
        variants,
        markets,
        saved: q.saved.is_some(),
        unpriced: q.unpriced.is_some(),
    };
    Ok(html(StatusCode::OK, &page))
}

// ---------------------------------------------------------------------------
// Markets

struct MarketRow {
    id: i64,
    code: String,
    name: String,
    countries: String,
    countries_all: String,
    currency: &'static str,
    currency_name: &'static str,
    locales: Vec<String>,
    tax: &'static str,
    incoterm: &'static str,
    incoterm_note: &'static str,
    markup: String,
    rounding: String,
}

#[derive(Template)]
#[template(path = "markets.html")]
struct MarketsPage {
    shell: Shell,
    markets: Vec<MarketRow>,
    /// After a market was made: what became of it (see `pricing.rs`).
    created: Option<super::pricing::CreatedNotice>,
}

async fn markets(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<super::pricing::MarketsQuery>,
) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let t = Tr::for_locale(lang);
    let list = state.store.list_markets(p.organisation.id).await?;
    let rows = list
        .iter()
        .map(|m| {
            let mk = &m.market;
            let names: Vec<&str> = mk.countries.iter().map(|c| c.name(lang.as_str())).collect();
            let all = names.join(list_separator(t));
            MarketRow {
                id: m.id,
                code: mk.code.clone(),
                name: mk.name.clone(),
                countries: if names.len() > 3 {
                    format!("{}{}", names.len(), t.countries_suffix)
                } else {
                    all.clone()
                },
                countries_all: all,
                currency: mk.currency.code(),
                currency_name: mk.currency.name(),
                locales: mk.locales.iter().map(|l| l.as_str().to_owned()).collect(),
                tax: if mk.tax_inclusive {
                    t.tax_included
                } else {
                    t.tax_excluded
                },
                incoterm: mk.incoterm.as_str(),
                incoterm_note: incoterm_note(mk.incoterm, t),
                markup: describe_markup(&mk.rule.markup.to_string()),
                rounding: describe_rounding(&mk.rule.rounding, mk.currency, t),
            }
        })
        .collect();
    let created = super::pricing::created_notice(&state, &list, &q).await?;
    let page = MarketsPage {
        shell: Shell::for_principal(&p, lang, "markets", "/console/markets"),
        markets: rows,
        created,
    };
    Ok(html(StatusCode::OK, &page))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(major: &str, code: &str) -> Money {
        let c = Currency::from_code(code).unwrap();
        Money::parse_major(major, c).unwrap()
    }

    #[test]
    fn formats_money_per_currency() {
        let en = UiLocale::En;
        assert_eq!(format_money(m("31.99", "USD"), en), "US$31.99");
        assert_eq!(format_money(m("29.99", "EUR"), en), "€29.99");
        assert_eq!(format_money(m("24.99", "GBP"), en), "£24.99");
        assert_eq!(format_money(m("5180", "JPY"), en), "¥5,180");
        assert_eq!(format_money(m("46.95", "AUD"), en), "A$46.95");
        assert_eq!(format_money(m("25", "CHF"), en), "CHF 25.00");
        assert_eq!(format_money(m("1234567.5", "CNY"), en), "CN¥1,234,567.50");
        assert_eq!(format_money(m("-0.05", "USD"), en), "-US$0.05");
        assert_eq!(format_money(m("1.250", "BHD"), en), "BHD 1.250");
        let zh = UiLocale::ZhCn;
        assert_eq!(format_money(m("99", "CNY"), zh), "¥99.00");
        assert_eq!(format_money(m("5180", "JPY"), zh), "JP¥5,180");
        assert_eq!(format_money(m("100", "JPY"), zh), "JP¥100");
    }

    #[test]
    fn describes_rules() {
        let t = Tr::for_locale(UiLocale::En);
        let charm = MarketRounding::CharmEnding {
            ending_minor: 99,
            every_minor: None,
        };
        assert_eq!(describe_rounding(&charm, Currency::USD, t), "Ends in .99");
        let yen = MarketRounding::CharmEnding {
            ending_minor: 80,
            every_minor: Some(100),
        };
        assert_eq!(
            describe_rounding(&yen, Currency::JPY, t),
            "Ends in 80 (every 100)"
        );
        let chf = MarketRounding::NearestStep {
            step_minor: 500,
            mode: RoundingMode::HalfUp,
        };
        assert_eq!(
            describe_rounding(&chf, Currency::CHF, t),
            "Steps of 5.00 (half up)"
        );
        assert_eq!(describe_markup("0.25"), "+25%");
        assert_eq!(describe_markup("0"), "0%");
        assert_eq!(short_rate("0.1503108468"), "0.150311");
        assert_eq!(short_rate("23.63622961"), "23.6362");
    }

    #[test]
    fn plain_text_becomes_paragraphs() {
        assert_eq!(
            plain_text_html("One <b>&\nline two\n\n  Second  "),
            "<p>One &lt;b&gt;&amp;<br>line two</p><p>Second</p>"
        );
        assert_eq!(plain_text_html("  \n "), "");
        let html = sanitize_description_html(&plain_text_html("a <script>x</script>"));
        assert!(!html.as_str().contains("<script"));
    }

    #[test]
    fn cursors_round_trip() {
        assert_eq!(cursor_after(Some(&encode_cursor(42))), 42);
        assert_eq!(cursor_after(Some("junk")), 0);
        assert_eq!(cursor_after(None), 0);
    }
}
