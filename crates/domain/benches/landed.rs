//! Landed-cost quotes per second on one thread, for a 5-line cart.
//!
//! Run: `cargo bench -p chuhai-domain --bench landed`. Prints the median of
//! several runs per scenario; the target is at least 200,000 quotes/s.

use std::hint::black_box;
use std::time::Instant;

use chuhai_domain::calendar::Date;
use chuhai_domain::catalog::HsCode;
use chuhai_domain::country::Country;
use chuhai_domain::fx::{FxSource, ReferenceRates};
use chuhai_domain::landed::{quote, QuoteItem, QuoteRequest, RuleSet, TariffBook};
use chuhai_domain::market::Incoterm;
use chuhai_domain::money::{Currency, Decimal, Money, Rate};

const RUNS: usize = 7;
const QUOTES_PER_RUN: usize = 100_000;

fn rates() -> ReferenceRates {
    let mut table = ReferenceRates::new(FxSource::ECB);
    let start = Date::parse("2025-01-02").unwrap();
    // A year of daily rates, so lookups search a realistic series.
    for day in 0..365 {
        let date = start.add_days(day).unwrap();
        for (currency, rate) in [
            (Currency::USD, "1.1172"),
            (Currency::CNY, "7.4326"),
            (Currency::GBP, "0.8338"),
            (Currency::AUD, "1.5904"),
            (Currency::JPY, "175.68"),
            (Currency::CHF, "0.9194"),
            (Currency::CAD, "1.6012"),
        ] {
            table
                .insert(currency, date, Rate::parse(rate).unwrap())
                .unwrap();
        }
    }
    table
}

fn cart(destination: Country, answer: Currency, price_currency: Currency) -> QuoteRequest {
    let lines = [
        ("LUMI-AUR-WHT", "940521", 2, 16_800, 1450),
        ("LUMI-HALO-E27", "853952", 3, 3_900, 95),
        ("LUMI-NIM-30", "940511", 1, 22_800, 2600),
        ("LUMI-STR-10", "940531", 2, 5_900, 240),
        ("LUMI-LAN-01", "940542", 1, 11_800, 520),
    ];
    QuoteRequest {
        destination,
        incoterm: Incoterm::Ddp,
        date: Date::parse("2025-11-14").unwrap(),
        answer_currency: answer,
        shipping: Money::from_minor(8_800, price_currency),
        insurance: Money::from_minor(1_200, price_currency),
        items: lines
            .iter()
            .map(|&(sku, hs, quantity, minor, grams)| QuoteItem {
                id: sku.to_owned(),
                hs_code: HsCode::parse(hs).unwrap(),
                tariff_code: None,
                origin: Some(Country::CN),
                quantity,
                unit_price: Money::from_minor(minor, price_currency),
                weight_kg: Decimal::new(grams, 3),
                duty_rate: None,
            })
            .collect(),
    }
}

fn main() {
    let rules = RuleSet::seeded();
    let tariff = TariffBook::demo();
    let rates = rates();
    let scenarios = [
        (
            "DE, CNY prices, answer EUR",
            cart(Country::DE, Currency::EUR, Currency::CNY),
        ),
        (
            "DE, CNY prices, answer CNY",
            cart(Country::DE, Currency::CNY, Currency::CNY),
        ),
        (
            "US, USD prices, answer USD",
            cart(Country::US, Currency::USD, Currency::USD),
        ),
        (
            "AU, CNY prices, answer AUD",
            cart(Country::AU, Currency::AUD, Currency::CNY),
        ),
    ];
    println!(
        "landed-cost quotes, 5-line cart, one thread, median of {RUNS} runs of {QUOTES_PER_RUN}"
    );
    for (name, request) in &scenarios {
        // Warm up and check it quotes.
        let q = quote(request, &rules, &tariff, &rates).expect("the bench cart quotes");
        black_box(&q);
        let mut per_second = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let start = Instant::now();
            for _ in 0..QUOTES_PER_RUN {
                let q = quote(black_box(request), &rules, &tariff, &rates).unwrap();
                black_box(q);
            }
            per_second.push(QUOTES_PER_RUN as f64 / start.elapsed().as_secs_f64());
        }
        per_second.sort_by(f64::total_cmp);
        let median = per_second[RUNS / 2];
        println!(
            "{name:<28} {median:>10.0} quotes/s  ({:.2} µs/quote; landed {})",
            1e6 / median,
            q.totals.landed_total
        );
    }
}
