//! `/console/landed-cost`: a landed-cost quote with its breakdown (goods,
//! shipping, duty, each tax, fees; who pays what; the rates and rule used)
//! and the destination rules in force, with unverified rules marked.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chuhai_domain::calendar::Date;
use chuhai_domain::country::Country;
use chuhai_domain::landed::{Collection, LandedQuote, PaidBy};
use chuhai_domain::market::Incoterm;
use chuhai_domain::money::{Currency, Money};

use super::i18n::Tr;
use super::{html, locale, session, to_login, Shell};
use crate::problem::Problem;
use crate::services::landed::{self, QuoteBody, QuoteItemBody};
use crate::state::AppState;
use crate::time::today;

/// Item rows on the form.
const LINES: usize = 3;
/// Currencies offered for the answer and for prices.
const CURRENCIES: [&str; 12] = [
    "CNY", "USD", "EUR", "GBP", "JPY", "AUD", "CAD", "NZD", "SGD", "NOK", "CHF", "HKD",
];

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/console/landed-cost", get(landed_page))
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

struct LineForm {
    n: usize,
    sku: String,
    qty: String,
    price: String,
    price_currency: String,
}

struct AmountRow {
    key: &'static str,
    label: &'static str,
    value: String,
    strong: bool,
}

struct ItemRow {
    id: String,
    code: String,
    goods: String,
    duty: String,
    tax: String,
}

struct ChargeRow {
    name: String,
    collected: &'static str,
    paid_by: &'static str,
    amount: String,
}

struct RateRow {
    pair: String,
    rate: String,
    date: String,
    source: String,
}

struct Breakdown {
    rule_version: String,
    rule_verified: bool,
    customs_value: String,
    basis: String,
    de_minimis: String,
    items: Vec<ItemRow>,
    totals: Vec<AmountRow>,
    charges: Vec<ChargeRow>,
    payments: Vec<AmountRow>,
    rates: Vec<RateRow>,
    tariff_lines: String,
    notes: Vec<String>,
}

struct RuleRow {
    region: String,
    version: String,
    valid: String,
    verified: bool,
    source: String,
}

#[derive(Template)]
#[template(path = "landed.html")]
struct LandedPage {
    shell: Shell,
    destinations: Vec<Choice>,
    incoterm: String,
    date: String,
    currencies: Vec<Choice>,
    shipping: String,
    shipping_currency: String,
    currency_codes: Vec<&'static str>,
    lines: Vec<LineForm>,
    skus: Vec<String>,
    error: Option<String>,
    breakdown: Option<Breakdown>,
    rules: Vec<RuleRow>,
}

fn show(m: Money) -> String {
    format!("{} {}", m.to_major_string(), m.currency().code())
}

fn breakdown(q: &LandedQuote, t: &Tr) -> Breakdown {
    let amounts = |a: &chuhai_domain::landed::LandedAmounts| {
        vec![
            AmountRow {
                key: "goods",
                label: t.landed_goods,
                value: show(a.goods),
                strong: false,
            },
            AmountRow {
                key: "shipping",
                label: t.landed_shipping,
                value: show(a.shipping),
                strong: false,
            },
            AmountRow {
                key: "insurance",
                label: t.landed_insurance,
                value: show(a.insurance),
                strong: false,
            },
            AmountRow {
                key: "duty",
                label: t.landed_duty,
                value: show(a.duty),
                strong: false,
            },
            AmountRow {
                key: "tax",
                label: t.landed_tax,
                value: show(a.tax),
                strong: false,
            },
            AmountRow {
                key: "fees",
                label: t.landed_fees,
                value: show(a.fees),
                strong: false,
            },
            AmountRow {
                key: "landed_total",
                label: t.landed_total,
                value: show(a.landed_total),
                strong: true,
            },
        ]
    };
    Breakdown {
        rule_version: q.rule_version.clone(),
        rule_verified: q.rule_verified,
        customs_value: show(q.customs_value),
        basis: serde_json::to_value(q.valuation)
            .ok()
            .and_then(|v| v.as_str().map(str::to_uppercase))
            .unwrap_or_default(),
        de_minimis: q.de_minimis.summary.clone(),
        items: q
            .items
            .iter()
            .map(|l| ItemRow {
                id: l.id.clone(),
                code: l
                    .tariff_line
                    .as_ref()
                    .map(|c| c.as_str().to_owned())
                    .unwrap_or_else(|| l.hs_code.as_str().to_owned()),
                goods: show(l.amounts.goods),
                duty: show(l.amounts.duty),
                tax: show(l.amounts.tax),
            })
            .collect(),
        totals: amounts(&q.totals),
        charges: q
            .charges
            .iter()
            .map(|c| ChargeRow {
                name: c.name.clone(),
                collected: match c.collected {
                    Collection::AtCheckout => t.landed_at_checkout,
                    Collection::AtBorder => t.landed_at_border,
                },
                paid_by: match c.paid_by {
                    PaidBy::SellerInPrice => t.landed_seller_in_price,
                    PaidBy::BuyerAtCheckout => t.landed_buyer_at_checkout,
                    PaidBy::BuyerOnDelivery => t.landed_buyer_on_delivery,
                },
                amount: show(c.amount),
            })
            .collect(),
        payments: vec![
            AmountRow {
                key: "customer_checkout",
                label: t.landed_customer_checkout,
                value: show(q.payments.customer_pays_at_checkout),
                strong: true,
            },
            AmountRow {
                key: "customer_delivery",
                label: t.landed_customer_delivery,
                value: show(q.payments.customer_pays_on_delivery),
                strong: false,
            },
            AmountRow {
                key: "seller_pays",
                label: t.landed_seller_pays,
                value: show(q.payments.seller_pays_import_charges),
                strong: false,
            },
        ],
        rates: q
            .conversions
            .iter()
            .map(|c| RateRow {
                pair: format!("{} → {}", c.from().code(), c.to().code()),
                rate: c.rate(),
                date: c.rate_date().map(|d| d.to_string()).unwrap_or_default(),
                source: c
                    .0
                    .source()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
            })
            .collect(),
        tariff_lines: q
            .tariff_lines
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect::<Vec<_>>()
            .join(", "),
        notes: q.notes.clone(),
    }
}

/// Reads the form; `None` when nothing was asked yet.
fn parse_form(q: &HashMap<String, String>, today: Date) -> Option<Result<QuoteBody, String>> {
    let destination = q.get("destination").filter(|d| !d.is_empty())?;
    Some((|| {
        let destination =
            Country::from_alpha2(destination).map_err(|e| format!("destination: {e}"))?;
        let incoterm: Incoterm = q
            .get("incoterm")
            .map(String::as_str)
            .unwrap_or("DDP")
            .parse()
            .map_err(|e| format!("incoterm: {e}"))?;
        let date = match q.get("date").filter(|d| !d.is_empty()) {
            Some(d) => Date::parse(d).map_err(|e| format!("date: {e}"))?,
            None => today,
        };
        let currency = |field: &str, default: &str| {
            Currency::from_code(q.get(field).map(String::as_str).unwrap_or(default))
                .map_err(|e| format!("{field}: {e}"))
        };
        let answer = currency("currency", "EUR")?;
        let money = |field: &str, text: &str, cur: Currency| {
            Money::parse_major(text.trim(), cur).map_err(|e| format!("{field}: {e}"))
        };
        let shipping = money(
            "shipping",
            q.get("shipping").map(String::as_str).unwrap_or("0"),
            currency("shipping_currency", "CNY")?,
        )?;
        let mut items = Vec::new();
        for n in 1..=LINES {
            let sku = q.get(&format!("sku_{n}")).map(|s| s.trim()).unwrap_or("");
            if sku.is_empty() {
                continue;
            }
            let qty = q
                .get(&format!("qty_{n}"))
                .map(|s| s.trim())
                .unwrap_or("1")
                .parse::<i64>()
                .map_err(|_| format!("{}: {n} {}", "quantity", "must be a whole number"))?;
            let price = money(
                &format!("price_{n}"),
                q.get(&format!("price_{n}"))
                    .map(String::as_str)
                    .unwrap_or(""),
                currency(&format!("price_currency_{n}"), "CNY")?,
            )?;
            items.push(QuoteItemBody {
                sku: Some(sku.to_owned()),
                hs_code: None,
                tariff_code: None,
                origin: None,
                quantity: qty,
                unit_price: price,
                weight_kg: None,
                duty_rate: None,
            });
        }
        Ok(QuoteBody {
            destination,
            incoterm,
            date: Some(date),
            currency: answer,
            shipping,
            insurance: None,
            items,
        })
    })())
}

async fn landed_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let t = Tr::for_locale(lang);
    let today = today();
    let reference = landed::reference(&state.store, &state.landed_cache, p.generations.1).await?;

    let mut error = None;
    let mut result = None;
    if let Some(form) = parse_form(&q, today) {
        match form {
            Err(e) => error = Some(e),
            Ok(body) => {
                let quoted = match landed::request(
                    &state.store,
                    &reference,
                    p.organisation.id,
                    &body,
                    today,
                )
                .await
                {
                    Ok(req) => landed::quote_with(&reference, &req),
                    Err(e) => Err(e),
                };
                match quoted {
                    Ok(quote) => result = Some(breakdown(&quote, t)),
                    Err(e) => {
                        error = Some(
                            e.errors
                                .first()
                                .map(|f| format!("{}: {}", f.field, f.reason))
                                .unwrap_or(e.detail),
                        )
                    }
                }
            }
        }
    }

    let chosen = q.get("destination").cloned().unwrap_or_else(|| "DE".into());
    let mut countries: Vec<Country> = reference
        .rules
        .rules()
        .iter()
        .filter(|r| r.is_valid_on(today))
        .flat_map(|r| r.countries.iter().copied())
        .collect();
    countries.sort_by_key(|c| c.name(t.lang));
    countries.dedup();
    let destinations = countries
        .into_iter()
        .map(|c| Choice {
            value: c.alpha2().to_owned(),
            label: c.name(t.lang).to_owned(),
            selected: c.alpha2() == chosen,
        })
        .collect();
    let answer = q.get("currency").cloned().unwrap_or_else(|| "EUR".into());
    let currencies = CURRENCIES
        .iter()
        .map(|c| Choice {
            value: (*c).to_owned(),
            label: (*c).to_owned(),
            selected: *c == answer,
        })
        .collect();
    let mut skus = Vec::new();
    for product in state.store.all_products(p.organisation.id).await? {
        for v in &product.draft.variants {
            if let Some(sku) = &v.sku {
                skus.push(sku.as_str().to_owned());
            }
        }
    }
    let lines = (1..=LINES)
        .map(|n| {
            let get = |k: &str| q.get(&format!("{k}_{n}")).cloned();
            LineForm {
                n,
                sku: get("sku").unwrap_or_else(|| {
                    if n == 1 && q.is_empty() {
                        skus.first().cloned().unwrap_or_default()
                    } else {
                        String::new()
                    }
                }),
                qty: get("qty").unwrap_or_else(|| "1".into()),
                price: get("price").unwrap_or_default(),
                price_currency: get("price_currency").unwrap_or_else(|| "CNY".into()),
            }
        })
        .collect();
    let rules = reference
        .rules
        .rules()
        .iter()
        .map(|r| RuleRow {
            region: r.region.clone(),
            version: r.version.clone(),
            valid: match r.valid_until {
                Some(u) => format!("{} – {}", r.valid_from, u),
                None => format!("{} – {}", r.valid_from, t.landed_open_ended),
            },
            verified: r.verified,
            source: r.source.clone(),
        })
        .collect();
    Ok(html(
        StatusCode::OK,
        &LandedPage {
            shell: Shell::for_principal(
                &p,
                lang,
                "landed",
                uri.path_and_query()
                    .map(|pq| pq.as_str().to_owned())
                    .unwrap_or_else(|| "/console/landed-cost".into()),
            ),
            destinations,
            incoterm: q.get("incoterm").cloned().unwrap_or_else(|| "DDP".into()),
            date: q
                .get("date")
                .filter(|d| !d.is_empty())
                .cloned()
                .unwrap_or_else(|| today.to_string()),
            currencies,
            shipping: q.get("shipping").cloned().unwrap_or_else(|| "0.00".into()),
            shipping_currency: q
                .get("shipping_currency")
                .cloned()
                .unwrap_or_else(|| "CNY".into()),
            currency_codes: CURRENCIES.to_vec(),
            lines,
            skus,
            error,
            breakdown: result,
            rules,
        },
    ))
}
