//! Landed-cost quotes: the worked examples of TRADE-RULES.md to the cent,
//! the seeded rules market by market, errors naming their fields, and
//! reverse pricing.

use chuhai_domain::calendar::Date;
use chuhai_domain::catalog::{HsCode, TariffCode};
use chuhai_domain::country::Country;
use chuhai_domain::fx::{FxSource, ReferenceRates};
use chuhai_domain::landed::{
    net_price_for_target, quote, ChargeKind, Collection, DutyBasis, DutyRate, ImportRule,
    ImportTax, LandedErrorKind, LandedQuote, PaidBy, Percent, QuoteItem, QuoteRequest, RuleSet,
    TariffBook, TaxBase, TaxTreatment, ValuationBasis,
};
use chuhai_domain::market::Incoterm;
use chuhai_domain::money::{Currency, Decimal, Money, Rate};

fn day(text: &str) -> Date {
    Date::parse(text).unwrap()
}

fn money(text: &str, currency: Currency) -> Money {
    Money::parse_major(text, currency).unwrap()
}

fn eur(text: &str) -> Money {
    money(text, Currency::EUR)
}

fn pct(text: &str) -> Percent {
    Percent::parse(text).unwrap()
}

/// Euro rates from 2015 on, for every currency the seeded rules use.
fn rates() -> ReferenceRates {
    let mut table = ReferenceRates::new(FxSource::MANUAL);
    for (currency, rate) in [
        (Currency::USD, "1.10"),
        (Currency::CNY, "7.50"),
        (Currency::GBP, "0.85"),
        (Currency::CAD, "1.50"),
        (Currency::AUD, "1.60"),
        (Currency::NZD, "1.80"),
        (Currency::JPY, "160"),
        (Currency::SGD, "1.45"),
        (Currency::NOK, "11.50"),
        (Currency::CHF, "0.95"),
        (Currency::SAR, "4.125"),
        (Currency::AED, "4.04"),
    ] {
        table
            .insert(currency, day("2015-01-01"), Rate::parse(rate).unwrap())
            .unwrap();
    }
    table
}

fn item(id: &str, hs: &str, origin: Country, quantity: i64, unit_price: Money) -> QuoteItem {
    QuoteItem {
        id: id.into(),
        hs_code: HsCode::parse(hs).unwrap(),
        tariff_code: None,
        origin: Some(origin),
        quantity,
        unit_price,
        weight_kg: Decimal::new(5, 1),
        duty_rate: None,
    }
}

fn request(
    destination: Country,
    date: &str,
    incoterm: Incoterm,
    shipping: Money,
    insurance: Money,
    items: Vec<QuoteItem>,
) -> QuoteRequest {
    QuoteRequest {
        destination,
        incoterm,
        date: day(date),
        answer_currency: shipping.currency(),
        shipping,
        insurance,
        items,
    }
}

fn seeded(req: &QuoteRequest) -> LandedQuote {
    quote(req, &RuleSet::seeded(), &TariffBook::demo(), &rates()).unwrap()
}

fn amount(q: &LandedQuote, kind: ChargeKind) -> Vec<String> {
    q.charges
        .iter()
        .filter(|c| c.kind == kind)
        .map(|c| format!("{} {}", c.name, c.amount))
        .collect()
}

/// Lines sum exactly to totals in both currencies.
fn assert_lines_sum(q: &LandedQuote) {
    for (totals, pick) in [(&q.totals, false), (&q.rule_currency_totals(), true)] {
        let lines: Vec<_> = q
            .items
            .iter()
            .map(|l| {
                if pick {
                    l.rule_currency_amounts()
                } else {
                    l.amounts
                }
            })
            .collect();
        let sum = |f: fn(&chuhai_domain::landed::LandedAmounts) -> Money| {
            lines.iter().map(|a| f(a).minor()).sum::<i64>()
        };
        assert_eq!(sum(|a| a.goods), totals.goods.minor());
        assert_eq!(sum(|a| a.shipping), totals.shipping.minor());
        assert_eq!(sum(|a| a.insurance), totals.insurance.minor());
        assert_eq!(sum(|a| a.duty), totals.duty.minor());
        assert_eq!(sum(|a| a.tax), totals.tax.minor());
        assert_eq!(sum(|a| a.fees), totals.fees.minor());
        assert_eq!(sum(|a| a.landed_total), totals.landed_total.minor());
    }
}

// ---------------------------------------------------------------- example 1

/// The illustrative importing country of example 1: 7 % duty (given per
/// item), 18 % VAT on customs value + duty, no thresholds.
fn example_country(valuation: ValuationBasis) -> RuleSet {
    RuleSet::new(vec![ImportRule {
        version: "TEST-EXAMPLE-1".into(),
        region: "TEST".into(),
        countries: vec![Country::from_alpha2("BR").unwrap()],
        valid_from: day("2020-01-01"),
        valid_until: None,
        verified: true,
        source: "TRADE-RULES.md worked example 1 (US export guidance)".into(),
        currency: Currency::USD,
        valuation,
        tax: Some(ImportTax {
            name: "VAT".into(),
            standard_percent: Some(pct("18")),
            country_rates: vec![],
            base: TaxBase {
                duty: true,
                transport_and_insurance: false,
            },
            not_collected_up_to: None,
        }),
        thresholds: vec![],
        flat_duty: None,
        fees: vec![],
        duty_free_chapters: vec![],
        notes: vec![],
    }])
    .unwrap()
}

fn example_1(valuation: ValuationBasis, freight: &str, insurance: &str) -> LandedQuote {
    let usd = |t: &str| money(t, Currency::USD);
    let mut goods = item("goods", "940542", Country::CN, 1, usd("932"));
    goods.duty_rate = Some(pct("7"));
    let req = request(
        Country::from_alpha2("BR").unwrap(),
        "2026-03-02",
        Incoterm::Ddp,
        usd(freight),
        usd(insurance),
        vec![goods],
    );
    quote(
        &req,
        &example_country(valuation),
        &TariffBook::default(),
        &rates(),
    )
    .unwrap()
}

#[test]
fn example_1_cif_to_the_cent() {
    let q = example_1(ValuationBasis::Cif, "16", "52");
    assert_eq!(q.customs_value.to_string(), "1000.00 USD");
    assert_eq!(q.totals.duty.to_string(), "70.00 USD");
    assert_eq!(q.totals.tax.to_string(), "192.60 USD");
    assert_eq!(q.totals.import_charges().to_string(), "262.60 USD");
    assert_eq!(q.totals.landed_total.to_string(), "1262.60 USD");
    let vat = q
        .charges
        .iter()
        .find(|c| c.kind == ChargeKind::Tax)
        .unwrap();
    assert_eq!(vat.name, "VAT 18%");
    assert_eq!(
        vat.base_in_rule_currency.unwrap().to_string(),
        "1070.00 USD"
    );
    assert_eq!(
        q.items[0].duty_basis,
        DutyBasis::RequestedRate { percent: pct("7") }
    );
    assert!(q.conversions.is_empty(), "everything is in USD");
    assert_lines_sum(&q);
}

#[test]
fn example_1_fob_to_the_cent() {
    let q = example_1(ValuationBasis::Fob, "16", "52");
    assert_eq!(q.customs_value.to_string(), "932.00 USD");
    assert_eq!(q.totals.duty.to_string(), "65.24 USD");
    assert_eq!(q.totals.tax.to_string(), "179.50 USD");
    // The example's landed cost on FOB counts goods, duty and VAT:
    // 932 + 65.24 + 179.50 = 1,176.74; freight and insurance are paid on
    // top (they are in our landed total, not in the duty or VAT base).
    let goods_duty_vat = q.totals.goods.minor() + q.totals.duty.minor() + q.totals.tax.minor();
    assert_eq!(goods_duty_vat, 117_674);
    assert_eq!(q.totals.landed_total.to_string(), "1244.74 USD");
    // Without freight and insurance in the quote, the landed total is the
    // example's figure.
    let bare = example_1(ValuationBasis::Fob, "0", "0");
    assert_eq!(bare.totals.duty.to_string(), "65.24 USD");
    assert_eq!(bare.totals.tax.to_string(), "179.50 USD");
    assert_eq!(bare.totals.landed_total.to_string(), "1176.74 USD");
}

// ---------------------------------------------------------------- example 2

#[test]
fn example_2_australia_to_the_cent() {
    // One euro = 1 AUD = 0.91 USD, so US$1 = A$1/0.91 and US$1,274 = A$1,400.
    let mut table = ReferenceRates::new(FxSource::MANUAL);
    table
        .insert(Currency::AUD, day("2026-03-02"), Rate::parse("1").unwrap())
        .unwrap();
    table
        .insert(
            Currency::USD,
            day("2026-03-02"),
            Rate::parse("0.91").unwrap(),
        )
        .unwrap();
    let aud = |t: &str| money(t, Currency::AUD);
    let mut goods = item(
        "goods",
        "940542",
        Country::US,
        1,
        money("1274", Currency::USD),
    );
    goods.duty_rate = Some(pct("5"));
    let req = request(
        Country::AU,
        "2026-03-02",
        Incoterm::Dap,
        aud("100"),
        aud("30"),
        vec![goods],
    );
    let q = quote(&req, &RuleSet::seeded(), &TariffBook::demo(), &table).unwrap();
    assert_eq!(q.rule_version, "AU-2018-07-01");
    assert_eq!(q.valuation, ValuationBasis::Fob);
    assert_eq!(q.totals.goods.to_string(), "1400.00 AUD");
    assert_eq!(q.customs_value.to_string(), "1400.00 AUD");
    assert_eq!(q.totals.duty.to_string(), "70.00 AUD");
    let gst = q
        .charges
        .iter()
        .find(|c| c.kind == ChargeKind::Tax)
        .unwrap();
    assert_eq!(gst.name, "GST 10%");
    assert_eq!(
        gst.base_in_rule_currency.unwrap().to_string(),
        "1600.00 AUD"
    );
    assert_eq!(gst.amount.to_string(), "160.00 AUD");
    assert_eq!(q.totals.import_charges().to_string(), "230.00 AUD");
    assert_eq!(q.totals.landed_total.to_string(), "1760.00 AUD");
    // Above AUD 1,000: duty and GST at the border, paid by the buyer on delivery (DAP).
    assert!(!q.de_minimis.thresholds[0].applies);
    assert_eq!(gst.collected, Collection::AtBorder);
    assert_eq!(gst.paid_by, PaidBy::BuyerOnDelivery);
    assert_eq!(
        q.payments.customer_pays_on_delivery.to_string(),
        "230.00 AUD"
    );
    assert_eq!(
        q.payments.customer_pays_at_checkout.to_string(),
        "1530.00 AUD"
    );
    // The conversion is on the quote, with its rate, date and source.
    assert_eq!(q.conversions.len(), 1);
    let fx = &q.conversions[0];
    assert_eq!((fx.from(), fx.to()), (Currency::USD, Currency::AUD));
    assert_eq!(fx.rate(), "1.098901099");
    assert_eq!(fx.rate_date(), Some(day("2026-03-02")));
    assert_eq!(fx.0.source(), Some(FxSource::MANUAL));
    let json = serde_json::to_value(q.conversions[0]).unwrap();
    assert_eq!(json["rate"], "1.098901099");
    assert_eq!(json["rate_date"], "2026-03-02");
    assert_eq!(json["source"], "MANUAL");
}

// ---------------------------------------------------------------- EU

fn eu_quote(date: &str, incoterm: Incoterm, items: Vec<QuoteItem>, shipping: &str) -> LandedQuote {
    seeded(&request(
        Country::DE,
        date,
        incoterm,
        eur(shipping),
        eur("0"),
        items,
    ))
}

#[test]
fn eu_ioss_at_and_below_150_euro() {
    for price in ["150.00", "120.00"] {
        let q = eu_quote(
            "2026-03-02",
            Incoterm::Dap,
            vec![item("lamp", "940542", Country::CN, 1, eur(price))],
            "10",
        );
        assert_eq!(q.rule_version, "EU-2021-07-01");
        assert!(q.de_minimis.thresholds[0].applies, "{price}");
        assert!(
            q.de_minimis.summary.contains("IOSS"),
            "{}",
            q.de_minimis.summary
        );
        assert_eq!(q.totals.duty.to_string(), "0.00 EUR");
        assert_eq!(q.items[0].duty_basis, DutyBasis::Relieved { threshold: 0 });
        assert_eq!(q.items[0].tax, TaxTreatment::AtCheckout);
        // VAT under IOSS is on the price including shipping.
        let vat = &q.charges[0];
        assert_eq!(vat.name, "VAT 19%");
        assert_eq!(vat.scheme.as_deref(), Some("IOSS"));
        assert_eq!(vat.collected, Collection::AtCheckout);
        assert_eq!(vat.paid_by, PaidBy::BuyerAtCheckout);
        assert_eq!(q.payments.customer_pays_on_delivery.to_string(), "0.00 EUR");
        assert_eq!(q.payments.collected_at_checkout, q.totals.tax);
        assert_eq!(q.charges.len(), 1, "no duty charge: relieved");
    }
    let at_limit = eu_quote(
        "2026-03-02",
        Incoterm::Dap,
        vec![item("lamp", "940542", Country::CN, 1, eur("150.00"))],
        "10",
    );
    assert_eq!(at_limit.totals.tax.to_string(), "30.40 EUR");
    assert_eq!(at_limit.totals.landed_total.to_string(), "190.40 EUR");
    assert_eq!(
        at_limit.de_minimis.summary,
        "Intrinsic value of the consignment 150.00 EUR ≤ 150.00 EUR: no duty; VAT charged at checkout (IOSS)."
    );
}

#[test]
fn eu_above_150_euro_pays_duty_and_vat_at_the_border() {
    let q = eu_quote(
        "2026-03-02",
        Incoterm::Dap,
        vec![item("lamp", "940542", Country::CN, 1, eur("150.01"))],
        "10",
    );
    assert!(!q.de_minimis.thresholds[0].applies);
    assert!(q.de_minimis.thresholds[0]
        .reason
        .contains("150.01 EUR > 150.00 EUR"));
    // CIF 160.01 × 4.7 % = 7.52047 → 7.52; VAT 19 % × 167.53 = 31.8307 → 31.83.
    assert_eq!(q.customs_value.to_string(), "160.01 EUR");
    assert_eq!(q.totals.duty.to_string(), "7.52 EUR");
    assert_eq!(q.totals.tax.to_string(), "31.83 EUR");
    assert_eq!(q.totals.landed_total.to_string(), "199.36 EUR");
    assert_eq!(
        q.items[0].duty_basis,
        DutyBasis::Tariff {
            line: "940542".parse().unwrap(),
            duty: DutyRate::ad_valorem(pct("4.7"))
        }
    );
    assert!(q
        .charges
        .iter()
        .all(|c| c.collected == Collection::AtBorder));
    assert!(q
        .charges
        .iter()
        .all(|c| c.paid_by == PaidBy::BuyerOnDelivery));
    assert_eq!(
        q.payments.customer_pays_on_delivery.to_string(),
        "39.35 EUR"
    );
    assert_eq!(
        q.payments.customer_pays_at_checkout.to_string(),
        "160.01 EUR"
    );
    // DDP: the same amounts, all in the customer's price, paid by the seller.
    let ddp = eu_quote(
        "2026-03-02",
        Incoterm::Ddp,
        vec![item("lamp", "940542", Country::CN, 1, eur("150.01"))],
        "10",
    );
    assert_eq!(ddp.totals, q.totals);
    assert!(ddp
        .charges
        .iter()
        .all(|c| c.paid_by == PaidBy::SellerInPrice));
    assert_eq!(
        ddp.payments.customer_pays_at_checkout.to_string(),
        "199.36 EUR"
    );
    assert_eq!(
        ddp.payments.seller_pays_import_charges.to_string(),
        "39.35 EUR"
    );
}

#[test]
fn eu_vat_rate_follows_the_member_state_and_its_date() {
    let lamp = || vec![item("lamp", "940542", Country::CN, 1, eur("100.00"))];
    let vat = |country: Country, date: &str| {
        let q = seeded(&request(
            country,
            date,
            Incoterm::Ddp,
            eur("0"),
            eur("0"),
            lamp(),
        ));
        let tax = q
            .charges
            .iter()
            .find(|c| c.kind == ChargeKind::Tax)
            .unwrap();
        tax.name.clone()
    };
    let fi = Country::from_alpha2("FI").unwrap();
    assert_eq!(vat(fi, "2024-08-31"), "VAT 24%");
    assert_eq!(vat(fi, "2024-09-01"), "VAT 25.5%");
    assert_eq!(
        vat(Country::from_alpha2("HU").unwrap(), "2026-03-02"),
        "VAT 27%"
    );
    assert_eq!(
        vat(Country::from_alpha2("LU").unwrap(), "2026-03-02"),
        "VAT 17%"
    );
    assert_eq!(
        vat(Country::from_alpha2("LU").unwrap(), "2023-06-01"),
        "VAT 16%"
    );
    assert_eq!(
        vat(Country::from_alpha2("RO").unwrap(), "2026-07-02"),
        "VAT 21%"
    );
}

#[test]
fn eu_flat_duty_of_3_euro_per_subheading_from_july_2026() {
    // 1 silk blouse + 2 wool blouses = 2 subheadings = EUR 6.
    let blouses = || {
        vec![
            item("silk", "620610", Country::CN, 1, eur("30.00")),
            item("wool", "620620", Country::CN, 2, eur("40.00")),
        ]
    };
    let after = eu_quote("2026-07-01", Incoterm::Dap, blouses(), "0");
    assert_eq!(after.rule_version, "EU-2026-07-01");
    let flat = after.de_minimis.flat_duty.as_ref().unwrap();
    assert!(flat.applies);
    assert_eq!(flat.subheadings.len(), 2);
    assert_eq!(flat.amount.to_string(), "6.00 EUR");
    assert_eq!(after.totals.duty.to_string(), "6.00 EUR");
    assert_eq!(after.items[0].amounts.duty.to_string(), "3.00 EUR");
    assert_eq!(after.items[1].amounts.duty.to_string(), "3.00 EUR");
    assert_eq!(
        amount(&after, ChargeKind::Duty),
        ["Flat duty 3.00 EUR × 2 subheadings 6.00 EUR"]
    );
    let duty = &after.charges[0];
    assert_eq!(duty.collected, Collection::AtCheckout);
    assert_eq!(duty.scheme.as_deref(), Some("IOSS"));
    // VAT under IOSS on goods + the flat duty: 19 % × 116 = 22.04.
    assert_eq!(after.totals.tax.to_string(), "22.04 EUR");
    assert_eq!(after.totals.landed_total.to_string(), "138.04 EUR");
    assert_eq!(
        after.de_minimis.summary,
        "Intrinsic value of the consignment 110.00 EUR ≤ 150.00 EUR: flat duty instead of the tariff; \
         VAT charged at checkout (IOSS); flat duty 3.00 EUR × 2 subheadings = 6.00 EUR."
    );

    // The day before: no duty at all under IOSS.
    let before = eu_quote("2026-06-30", Incoterm::Dap, blouses(), "0");
    assert_eq!(before.rule_version, "EU-2021-07-01");
    assert_eq!(before.totals.duty.to_string(), "0.00 EUR");
    assert_eq!(before.totals.tax.to_string(), "20.90 EUR");

    // Three blouses of one subheading: EUR 3.
    let same = eu_quote(
        "2026-07-01",
        Incoterm::Dap,
        vec![item("wool", "620620", Country::CN, 3, eur("40.00"))],
        "0",
    );
    assert_eq!(same.totals.duty.to_string(), "3.00 EUR");
    // Above EUR 150 the tariff applies again: 12 % of 160.00.
    let above = eu_quote(
        "2026-07-01",
        Incoterm::Dap,
        vec![item("wool", "620620", Country::CN, 4, eur("40.00"))],
        "0",
    );
    assert!(!above.de_minimis.flat_duty.as_ref().unwrap().applies);
    assert_eq!(above.totals.duty.to_string(), "19.20 EUR");
    // After 2028-07-01 no EU version is seeded yet.
    let err = quote(
        &request(
            Country::DE,
            "2028-07-01",
            Incoterm::Dap,
            eur("0"),
            eur("0"),
            blouses(),
        ),
        &RuleSet::seeded(),
        &TariffBook::demo(),
        &rates(),
    )
    .unwrap_err();
    assert_eq!(err.kind, LandedErrorKind::OutsideValidity);
    assert_eq!(err.field, "date");
    assert!(
        err.reason.contains("outside every rule's validity"),
        "{err}"
    );
}

// ---------------------------------------------------------------- UK, US, CA

#[test]
fn uk_at_135_pounds_and_above() {
    let gbp = |t: &str| money(t, Currency::GBP);
    let uk = |price: &str| {
        seeded(&request(
            Country::GB,
            "2026-03-02",
            Incoterm::Dap,
            gbp("5"),
            gbp("0"),
            vec![item("scarf", "621410", Country::CN, 1, gbp(price))],
        ))
    };
    let at = uk("135.00");
    assert!(at.de_minimis.thresholds[0].applies);
    assert_eq!(at.totals.duty.to_string(), "0.00 GBP");
    // VAT 20 % at the point of sale on 140.00.
    assert_eq!(at.totals.tax.to_string(), "28.00 GBP");
    assert_eq!(at.charges[0].collected, Collection::AtCheckout);
    let above = uk("135.01");
    assert!(!above.de_minimis.thresholds[0].applies);
    // CIF 140.01 × 8 % = 11.2008 → 11.20; VAT 20 % × 151.21 = 30.242 → 30.24.
    assert_eq!(above.totals.duty.to_string(), "11.20 GBP");
    assert_eq!(above.totals.tax.to_string(), "30.24 GBP");
    assert!(above
        .charges
        .iter()
        .all(|c| c.collected == Collection::AtBorder));
}

#[test]
fn us_de_minimis_before_and_after_2025_08_29() {
    let usd = |t: &str| money(t, Currency::USD);
    let us = |date: &str, origin: Country| {
        seeded(&request(
            Country::US,
            date,
            Incoterm::Ddp,
            usd("20"),
            usd("0"),
            vec![item("lamp", "940542", origin, 2, usd("100.00"))],
        ))
    };
    let vn = Country::from_alpha2("VN").unwrap();
    // Until 2025-05-02: USD 800 for every origin.
    let early = us("2025-03-01", Country::CN);
    assert_eq!(early.rule_version, "US-2016-03-10");
    assert!(early.de_minimis.thresholds[0].applies);
    assert_eq!(early.totals.duty.to_string(), "0.00 USD");
    assert_eq!(early.totals.tax.to_string(), "0.00 USD");
    // From 2025-05-02: suspended for China and Hong Kong only.
    let cn = us("2025-06-01", Country::CN);
    assert_eq!(cn.rule_version, "US-2025-05-02");
    assert!(!cn.de_minimis.thresholds[0].applies);
    assert!(cn.de_minimis.thresholds[0].reason.contains("origin CN"));
    // FOB: 3.9 % of 200.00 = 7.80, shipping not in the value.
    assert_eq!(cn.totals.duty.to_string(), "7.80 USD");
    let other = us("2025-06-01", vn);
    assert!(other.de_minimis.thresholds[0].applies);
    assert_eq!(other.totals.duty.to_string(), "0.00 USD");
    // From 2025-08-29: no de minimis at all.
    for origin in [Country::CN, vn] {
        let late = us("2025-08-29", origin);
        assert_eq!(late.rule_version, "US-2025-08-29");
        assert!(late.de_minimis.thresholds.is_empty());
        assert_eq!(late.totals.duty.to_string(), "7.80 USD");
        assert!(late
            .de_minimis
            .summary
            .starts_with("No low-value threshold"));
        assert!(late.charges.iter().all(|c| c.kind == ChargeKind::Duty));
    }
    // USMCA origin: the preferential rate of the demo tariff.
    let mx = us("2025-08-29", Country::from_alpha2("MX").unwrap());
    assert_eq!(mx.totals.duty.to_string(), "0.00 USD");
    assert!(matches!(
        mx.items[0].duty_basis,
        DutyBasis::Preferential { .. }
    ));
}

#[test]
fn canada_20_dollars_and_the_us_mx_thresholds() {
    let cad = |t: &str| money(t, Currency::CAD);
    let ca = |price: &str, origin: Country| {
        seeded(&request(
            Country::CA,
            "2026-03-02",
            Incoterm::Dap,
            cad("0"),
            cad("0"),
            vec![item("towel", "630260", origin, 1, cad(price))],
        ))
    };
    let small = ca("20.00", Country::CN);
    assert!(small.de_minimis.thresholds[0].applies);
    assert_eq!(small.totals.import_charges().to_string(), "0.00 CAD");
    assert_eq!(small.items[0].tax, TaxTreatment::NotCharged);
    assert!(small.charges.is_empty());
    let over = ca("20.01", Country::CN);
    assert!(!over.de_minimis.thresholds[0].applies);
    // 17 % of 20.01 = 3.4017 → 3.40; GST 5 % × 23.41 = 1.1705 → 1.17.
    assert_eq!(over.totals.duty.to_string(), "3.40 CAD");
    assert_eq!(over.totals.tax.to_string(), "1.17 CAD");
    // US goods of CAD 100: no duty (≤ 150) but GST (> 40).
    let us = ca("100.00", Country::US);
    assert!(!us.de_minimis.thresholds[0].applies);
    assert!(!us.de_minimis.thresholds[1].applies);
    assert!(us.de_minimis.thresholds[2].applies);
    assert_eq!(us.totals.duty.to_string(), "0.00 CAD");
    assert_eq!(us.totals.tax.to_string(), "5.00 CAD");
}

// ---------------------------------------------------------------- other markets

#[test]
fn switzerland_duty_free_chapters_and_the_5_franc_rule() {
    let chf = |t: &str| money(t, Currency::CHF);
    let ch = |date: &str, price: &str| {
        seeded(&request(
            Country::CH,
            date,
            Incoterm::Dap,
            chf("0"),
            chf("0"),
            vec![item("lamp", "940542", Country::CN, 2, chf(price))],
        ))
    };
    // 2023: a specific duty of CHF 0.75 per kg (2 × 0.5 kg), VAT 7.7 %.
    let old = ch("2023-06-01", "50.00");
    assert_eq!(old.rule_version, "CH-2018-01-01");
    assert_eq!(old.totals.duty.to_string(), "0.75 CHF");
    assert_eq!(old.totals.tax.to_string(), "7.76 CHF");
    // 2024: chapter 94 is duty-free; VAT 8.1 % of 100.00 = 8.10.
    let new = ch("2024-01-01", "50.00");
    assert_eq!(new.totals.duty.to_string(), "0.00 CHF");
    assert_eq!(
        new.items[0].duty_basis,
        DutyBasis::DutyFreeChapter { chapter: 94 }
    );
    assert_eq!(new.totals.tax.to_string(), "8.10 CHF");
    // VAT of CHF 4.86 (on 60.00) is not collected.
    let small = ch("2024-01-01", "30.00");
    let check = small.de_minimis.tax_not_collected.as_ref().unwrap();
    assert!(check.applies);
    assert_eq!(check.border_tax.to_string(), "4.86 CHF");
    assert_eq!(small.totals.tax.to_string(), "0.00 CHF");
    assert_eq!(small.items[0].tax, TaxTreatment::NotCharged);
}

#[test]
fn norway_voec_decides_per_item() {
    let nok = |t: &str| money(t, Currency::NOK);
    let q = seeded(&request(
        Country::NO,
        "2026-03-02",
        Incoterm::Dap,
        nok("100"),
        nok("0"),
        vec![
            item("scarf", "621410", Country::CN, 3, nok("500.00")),
            item("bag", "420292", Country::CN, 1, nok("3000.00")),
        ],
    ));
    let voec = &q.de_minimis.thresholds[0];
    assert_eq!(voec.items, [0]);
    assert_eq!(q.items[0].tax, TaxTreatment::AtCheckout);
    assert_eq!(q.items[0].duty_basis, DutyBasis::Relieved { threshold: 0 });
    assert_eq!(q.items[1].tax, TaxTreatment::AtBorder);
    assert_eq!(q.charges.len(), 3, "{:#?}", q.charges);
    assert_lines_sum(&q);
}

#[test]
fn japan_and_the_unverified_2028_version() {
    let jpy = |t: &str| money(t, Currency::JPY);
    let jp = |date: &str| {
        seeded(&request(
            Country::JP,
            date,
            Incoterm::Ddp,
            jpy("1000"),
            jpy("0"),
            vec![item("towel", "630260", Country::CN, 1, jpy("9000"))],
        ))
    };
    let now = jp("2026-03-02");
    assert!(now.rule_verified);
    assert_eq!(now.totals.import_charges().to_string(), "0 JPY");
    let later = jp("2028-04-01");
    assert!(!later.rule_verified);
    assert!(later.notes.iter().any(|n| n.contains("unverified")));
    // RCEP rate for CN of the demo tariff: 5.9 % of CIF 10,000 = 590;
    // consumption tax 10 % of 10,590 = 1,059.
    assert_eq!(later.totals.duty.to_string(), "590 JPY");
    assert_eq!(later.totals.tax.to_string(), "1059 JPY");
}

#[test]
fn answers_in_another_currency_with_lines_summing_to_totals() {
    let cny = |t: &str| money(t, Currency::CNY);
    let mut req = request(
        Country::FR,
        "2026-03-02",
        Incoterm::Ddp,
        cny("88.88"),
        cny("11.11"),
        vec![
            item("a", "940521", Country::CN, 3, cny("168.00")),
            item("b", "853952", Country::CN, 7, cny("39.00")),
            item("c", "940531", Country::CN, 1, cny("59.00")),
        ],
    );
    req.answer_currency = Currency::USD;
    let q = seeded(&req);
    assert_eq!(q.rule_currency, Currency::EUR);
    assert_eq!(q.totals.goods.currency(), Currency::USD);
    assert_lines_sum(&q);
    let pairs: Vec<(Currency, Currency)> =
        q.conversions.iter().map(|c| (c.from(), c.to())).collect();
    assert!(pairs.contains(&(Currency::CNY, Currency::EUR)));
    assert!(pairs.contains(&(Currency::EUR, Currency::USD)));
    assert!(pairs.contains(&(Currency::CNY, Currency::USD)));
    let charges: i64 = q.charges.iter().map(|c| c.amount.minor()).sum();
    assert_eq!(charges, q.totals.import_charges().minor());
    // The goods, in CNY from the start, keep their exact value in CNY.
    req.answer_currency = Currency::CNY;
    let in_cny = seeded(&req);
    assert_eq!(in_cny.totals.goods.to_string(), "836.00 CNY");
    assert_eq!(in_cny.totals.shipping.to_string(), "88.88 CNY");
    // Amounts in the rule currency are listed only when it is not the
    // answer currency; otherwise they are the answer amounts.
    let json = serde_json::to_value(&q).unwrap();
    assert_eq!(json["totals_in_rule_currency"]["goods"]["currency"], "EUR");
    assert_eq!(
        json["items"][0]["amounts_in_rule_currency"]["goods"]["currency"],
        "EUR"
    );
    req.answer_currency = Currency::EUR;
    let in_eur = seeded(&req);
    assert_eq!(in_eur.totals_in_rule_currency, None);
    assert_eq!(in_eur.rule_currency_totals(), in_eur.totals);
    assert_eq!(
        in_eur.items[0].rule_currency_amounts(),
        in_eur.items[0].amounts
    );
    let json = serde_json::to_value(&in_eur).unwrap();
    assert!(json.get("totals_in_rule_currency").is_none());
    assert!(json["items"][0].get("amounts_in_rule_currency").is_none());
}

// ---------------------------------------------------------------- errors

fn error_of(req: &QuoteRequest) -> (LandedErrorKind, String, String) {
    let err = quote(req, &RuleSet::seeded(), &TariffBook::demo(), &rates()).unwrap_err();
    (err.kind, err.field, err.reason)
}

fn de_lamp() -> QuoteRequest {
    request(
        Country::DE,
        "2026-03-02",
        Incoterm::Ddp,
        eur("5"),
        eur("0"),
        vec![
            item("ok", "940542", Country::CN, 1, eur("10")),
            item("x", "940542", Country::CN, 1, eur("10")),
            item("y", "940542", Country::CN, 1, eur("10")),
        ],
    )
}

#[test]
fn errors_name_their_field() {
    let mut req = de_lamp();
    req.destination = Country::from_alpha2("BR").unwrap();
    let (kind, field, reason) = error_of(&req);
    assert_eq!(
        (kind, field.as_str()),
        (LandedErrorKind::UnknownDestination, "destination")
    );
    assert!(reason.contains("BR"), "{reason}");

    let mut req = de_lamp();
    req.date = day("2019-01-01");
    let (kind, field, reason) = error_of(&req);
    assert_eq!(
        (kind, field.as_str()),
        (LandedErrorKind::OutsideValidity, "date")
    );
    assert!(reason.contains("outside every rule's validity"), "{reason}");

    let mut req = de_lamp();
    req.items[2].quantity = 0;
    assert_eq!(error_of(&req).1, "items[2].quantity");
    let mut req = de_lamp();
    req.items[2].unit_price = eur("0");
    assert_eq!(error_of(&req).1, "items[2].unit_price");
    let mut req = de_lamp();
    req.items[1].origin = None;
    let (kind, field, _) = error_of(&req);
    assert_eq!(
        (kind, field.as_str()),
        (LandedErrorKind::InvalidInput, "items[1].origin")
    );
    let mut req = de_lamp();
    req.shipping = eur("-1");
    assert_eq!(error_of(&req).1, "shipping");
    let mut req = de_lamp();
    req.incoterm = Incoterm::Exw;
    assert_eq!(error_of(&req).1, "incoterm");
    let mut req = de_lamp();
    req.items.clear();
    assert_eq!(error_of(&req).1, "items");

    // Unknown duty is never zero.
    let mut req = de_lamp();
    req.items[1].hs_code = HsCode::parse("010121").unwrap();
    let (kind, field, reason) = error_of(&req);
    assert_eq!(
        (kind, field.as_str()),
        (LandedErrorKind::UnknownTariff, "items[1].hs_code")
    );
    assert!(
        reason.contains("never treats an unknown duty as zero"),
        "{reason}"
    );
    let mut req = de_lamp();
    req.items[1].hs_code = HsCode::parse("010121").unwrap();
    req.items[1].tariff_code = Some(TariffCode::parse("0101210000").unwrap());
    assert_eq!(error_of(&req).1, "items[1].tariff_code");
    // A duty_rate makes it known.
    let mut req = de_lamp();
    req.items[1].hs_code = HsCode::parse("010121").unwrap();
    req.items[1].duty_rate = Some(pct("0"));
    assert!(quote(&req, &RuleSet::seeded(), &TariffBook::demo(), &rates()).is_ok());
    // A tariff code of another HS code.
    let mut req = de_lamp();
    req.items[0].tariff_code = Some(TariffCode::parse("4202929800").unwrap());
    assert_eq!(error_of(&req).1, "items[0].tariff_code");

    // A missing exchange rate names the amount that needed it.
    let mut req = de_lamp();
    req.items[2].unit_price = money("10000", Currency::KRW);
    let (kind, field, reason) = error_of(&req);
    assert_eq!(
        (kind, field.as_str()),
        (LandedErrorKind::MissingFxRate, "items[2].unit_price")
    );
    assert!(reason.contains("KRW"), "{reason}");
    let mut req = de_lamp();
    req.answer_currency = Currency::SEK;
    let (kind, _, _) = error_of(&req);
    assert_eq!(kind, LandedErrorKind::MissingFxRate);
}

#[test]
fn national_lines_are_preferred_and_a_bare_hs_code_needs_a_fallback() {
    let bag = |code: Option<&str>| {
        let mut bag = item("bag", "420292", Country::CN, 1, eur("200.00"));
        bag.tariff_code = code.map(|c| TariffCode::parse(c).unwrap());
        seeded(&request(
            Country::DE,
            "2026-03-02",
            Incoterm::Ddp,
            eur("0"),
            eur("0"),
            vec![bag],
        ))
    };
    assert_eq!(bag(Some("4202929800")).totals.duty.to_string(), "5.40 EUR");
    assert_eq!(bag(Some("4202929110")).totals.duty.to_string(), "19.40 EUR");
    assert_eq!(bag(None).totals.duty.to_string(), "7.40 EUR");
    assert_eq!(
        bag(Some("4202929110")).tariff_lines[0].to_string(),
        "42029291"
    );
}

// ---------------------------------------------------------------- JSON

#[test]
fn request_and_quote_travel_as_json() {
    let json = r#"{
        "destination": "DE", "incoterm": "DDU", "date": "2026-07-01",
        "answer_currency": "EUR",
        "shipping": {"amount": "4.90", "currency": "EUR"},
        "insurance": {"amount": "0.00", "currency": "EUR"},
        "items": [{"id": "LUMI-AUR-WHT", "hs_code": "940521", "origin": "CN",
                   "quantity": 1, "unit_price": {"amount": "39.00", "currency": "EUR"},
                   "weight_kg": "1.45"}]
    }"#;
    let req: QuoteRequest = serde_json::from_str(json).unwrap();
    assert_eq!(req.incoterm, Incoterm::Dap);
    let q = seeded(&req);
    let out = serde_json::to_value(&q).unwrap();
    assert_eq!(
        out["totals"]["duty"],
        serde_json::json!({"amount": "3.00", "currency": "EUR"})
    );
    assert_eq!(out["charges"][0]["collected"], "at_checkout");
    assert_eq!(out["charges"][0]["paid_by"], "buyer_at_checkout");
    assert_eq!(out["items"][0]["duty_basis"]["kind"], "flat_duty");
    assert_eq!(out["de_minimis"]["thresholds"][0]["comparison"], "at_most");
    assert_eq!(out["rule_version"], "EU-2026-07-01");
    let back: QuoteRequest = serde_json::from_value(serde_json::to_value(&req).unwrap()).unwrap();
    assert_eq!(back, req);
    assert!(serde_json::from_str::<QuoteRequest>(&json.replace("\"1.45\"", "1.45")).is_err());
}

#[test]
fn rules_travel_as_json_and_overlaps_are_refused() {
    let rules = chuhai_domain::landed::seed_rules();
    let json = serde_json::to_string(&rules).unwrap();
    let back: Vec<ImportRule> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, rules);
    let mut overlapping = rules.clone();
    let mut copy = overlapping
        .iter()
        .find(|r| r.version == "GB-2021-01-01")
        .unwrap()
        .clone();
    copy.version = "GB-2025-01-01".into();
    copy.valid_from = day("2025-01-01");
    copy.thresholds[0].limit = money("-1", Currency::GBP);
    overlapping.push(copy);
    let problems = RuleSet::new(overlapping).unwrap_err();
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        text.iter()
            .any(|t| t.contains("valid_from") && t.contains("overlaps GB-2021-01-01")),
        "{text:#?}"
    );
    assert!(
        text.iter().any(|t| t.contains("thresholds[0].limit")),
        "{text:#?}"
    );
}

// ---------------------------------------------------------------- reverse

#[test]
fn reverse_pricing_finds_the_largest_net_price() {
    let rules = RuleSet::seeded();
    let book = TariffBook::demo();
    let fx = rates();
    let req = request(
        Country::AU,
        "2026-03-02",
        Incoterm::Ddp,
        money("12.00", Currency::AUD),
        money("0", Currency::AUD),
        vec![item(
            "lamp",
            "940542",
            Country::US,
            1,
            money("1", Currency::CNY),
        )],
    );
    let target = money("99.99", Currency::AUD);
    let net = net_price_for_target(&req, 0, target, &rules, &book, &fx).unwrap();
    assert!(net.quote.totals.landed_total.minor() <= target.minor());
    assert!(net.next_landed_total.minor() > target.minor());
    assert_eq!(net.unit_price.currency(), Currency::CNY);
    // Quoting the answer again gives the same landed total.
    let mut again = req.clone();
    again.items[0].unit_price = net.unit_price;
    let q = quote(&again, &rules, &book, &fx).unwrap();
    assert_eq!(q.totals.landed_total, net.quote.totals.landed_total);

    // Just over EUR 150 a 0 % good no longer pays the EUR 3 flat duty: the
    // landed total drops there, and the search finds the higher price.
    let mut line = book.lines().to_vec();
    line.push(chuhai_domain::landed::TariffLine {
        region: "EU".into(),
        code: "999999".parse().unwrap(),
        description: "duty-free test line (illustrative)".into(),
        duty: DutyRate::ad_valorem(pct("0")),
        tax_percent: None,
        preferential: vec![],
    });
    let free_book = TariffBook::new(line).unwrap();
    let free = request(
        Country::DE,
        "2026-07-01",
        Incoterm::Ddp,
        eur("0"),
        eur("0"),
        vec![item("free", "999999", Country::CN, 1, eur("1"))],
    );
    // At 150.00: 150 + 3 + 19 % × 153 = 182.07; at 150.01: 150.01 × 1.19 = 178.51.
    let target = eur("180.00");
    let net = net_price_for_target(&free, 0, target, &rules, &free_book, &fx).unwrap();
    assert_eq!(net.unit_price.to_string(), "151.26 EUR");
    assert_eq!(net.quote.totals.landed_total.to_string(), "180.00 EUR");
    assert_eq!(net.next_landed_total.to_string(), "180.01 EUR");

    let err = net_price_for_target(&free, 0, eur("0.01"), &rules, &free_book, &fx).unwrap_err();
    assert_eq!(err.kind, LandedErrorKind::TargetUnreachable);
    let err = net_price_for_target(&free, 0, money("1", Currency::USD), &rules, &free_book, &fx)
        .unwrap_err();
    assert_eq!(err.field, "target");
}
