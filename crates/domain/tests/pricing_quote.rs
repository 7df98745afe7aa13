//! Price queries end to end: each rule (derivation, rounding, override,
//! schedule, compare-at, tiers, MOQ) and the errors that name the field.

use chuhai_domain::calendar::Date;
use chuhai_domain::fx::{Conversion, FxSource, ReferenceRates};
use chuhai_domain::money::{Currency, Money, Rate, RoundingMode};
use chuhai_domain::pricing::{
    derive_price, CompareAtOrigin, ExplanationStep, MarketRounding, OrderQuantityRules,
    PriceListKind, PriceRule, PricingError, QuantityError, QuantityTier, ScheduledPriceList,
    VariantPricing,
};
use serde_json::json;

fn day(text: &str) -> Date {
    Date::parse(text).unwrap()
}

fn money(text: &str, currency: Currency) -> Money {
    Money::parse_major(text, currency).unwrap()
}

fn cny(text: &str) -> Money {
    money(text, Currency::CNY)
}

fn usd(text: &str) -> Money {
    money(text, Currency::USD)
}

/// ECB rates of Thursday 2026-10-22 and Friday 2026-10-23.
fn rates() -> ReferenceRates {
    let mut rates = ReferenceRates::new(FxSource::ECB);
    for (date, currency, value) in [
        ("2026-10-22", Currency::USD, "1.1205"),
        ("2026-10-22", Currency::CNY, "7.4747"),
        ("2026-10-23", Currency::USD, "1.1193"),
        ("2026-10-23", Currency::CNY, "7.466"),
        ("2026-10-23", Currency::JPY, "175.51"),
        ("2026-10-23", Currency::CHF, "0.9227"),
    ] {
        rates
            .insert(currency, day(date), Rate::parse(value).unwrap())
            .unwrap();
    }
    rates
}

fn conversion(to: Currency, date: &str) -> Conversion {
    rates().conversion(Currency::CNY, to, day(date)).unwrap()
}

const CHARM_99: MarketRounding = MarketRounding::CharmEnding {
    ending_minor: 99,
    every_minor: None,
};

fn us_rule() -> PriceRule {
    PriceRule {
        markup: Rate::percent("40").unwrap(),
        rounding: CHARM_99,
    }
}

/// A variant with base 100.00 CNY in the US market at +40 %, ending in .99.
fn variant() -> VariantPricing {
    VariantPricing {
        base: cny("100.00"),
        rule: us_rule(),
        override_price: None,
        compare_at: None,
        scheduled: Vec::new(),
        tiers: Vec::new(),
        quantity_rules: OrderQuantityRules::ANY,
    }
}

fn singles_day(rule: PriceRule, override_price: Option<Money>) -> ScheduledPriceList {
    ScheduledPriceList {
        name: "Singles' Day".into(),
        starts_on: day("2026-10-24"),
        ends_before: day("2026-10-26"),
        rule,
        override_price,
    }
}

fn sale_rule() -> PriceRule {
    PriceRule {
        markup: Rate::percent("10").unwrap(),
        rounding: CHARM_99,
    }
}

#[test]
fn a_derived_price_explains_base_rate_markup_and_rounding() {
    // Friday: 100 × 1.1193 / 7.466 × 1.4 = 20.9887… → 20.99 USD.
    let quote = variant()
        .quote(
            &conversion(Currency::USD, "2026-10-23"),
            1,
            day("2026-10-23"),
        )
        .unwrap();
    assert_eq!(quote.unit_price, usd("20.99"));
    assert_eq!(quote.line_total, usd("20.99"));
    assert_eq!(quote.schedule, None);
    assert_eq!(quote.compare_at, None);
    let json = serde_json::to_value(&quote).unwrap();
    assert_eq!(
        json["explanation"],
        json!([
            {"step": "base", "price": {"amount": "100.00", "currency": "CNY"}},
            {
                "step": "fx", "from": "CNY", "to": "USD", "requested_date": "2026-10-23", "source": "ECB",
                "from_leg": {"per_eur": "7.466", "observed_on": "2026-10-23"},
                "to_leg": {"per_eur": "1.1193", "observed_on": "2026-10-23"},
                "rate": "0.1499196357"
            },
            {"step": "markup", "markup": "0.40", "price_list": "regular"},
            {
                "step": "rounding", "rule": {"kind": "charm_ending", "ending_minor": 99},
                "rounding_step": "price_charm_ending (up)", "exact": "≈20.98874900",
                "result": {"amount": "20.99", "currency": "USD"}
            },
            {"step": "order_quantity", "quantity": 1, "rules": {"moq": 1, "pack_size": 1, "increment": 1}}
        ])
    );
}

#[test]
fn a_weekend_query_uses_fridays_rate_and_says_which() {
    let saturday = day("2026-10-24");
    let quote = variant()
        .quote(&conversion(Currency::USD, "2026-10-24"), 1, saturday)
        .unwrap();
    let fx = quote
        .explanation
        .iter()
        .find_map(|step| match step {
            ExplanationStep::Fx { conversion } => Some(*conversion),
            _ => None,
        })
        .unwrap();
    assert_eq!(fx.requested_date(), saturday);
    assert_eq!(fx.rate_date(), Some(day("2026-10-23")));
    assert_eq!(quote.unit_price, usd("20.99"));
}

#[test]
fn market_rounding_rules_whole_yen_and_swiss_steps() {
    let jpy = VariantPricing {
        rule: PriceRule {
            markup: Rate::percent("40").unwrap(),
            rounding: MarketRounding::CharmEnding {
                ending_minor: 80,
                every_minor: Some(100),
            },
        },
        ..variant()
    };
    // 100 × 175.51 / 7.466 × 1.4 = 3291.1… yen → 3380 (…80 at or above).
    let quote = jpy
        .quote(
            &conversion(Currency::JPY, "2026-10-23"),
            1,
            day("2026-10-23"),
        )
        .unwrap();
    assert_eq!(quote.unit_price, money("3380", Currency::JPY));
    let whole = VariantPricing {
        rule: PriceRule {
            markup: Rate::ZERO,
            rounding: MarketRounding::WholeUnits {
                mode: RoundingMode::HalfUp,
            },
        },
        ..variant()
    };
    // 100 × 175.51 / 7.466 = 2350.79… yen → 2351.
    let quote = whole
        .quote(
            &conversion(Currency::JPY, "2026-10-23"),
            1,
            day("2026-10-23"),
        )
        .unwrap();
    assert_eq!(quote.unit_price, money("2351", Currency::JPY));
    let rappen = VariantPricing {
        rule: PriceRule {
            markup: Rate::ZERO,
            rounding: MarketRounding::NearestStep {
                step_minor: 5,
                mode: RoundingMode::HalfUp,
            },
        },
        ..variant()
    };
    // 100 × 0.9227 / 7.466 = 12.3587… CHF → 12.35.
    let quote = rappen
        .quote(
            &conversion(Currency::CHF, "2026-10-23"),
            1,
            day("2026-10-23"),
        )
        .unwrap();
    assert_eq!(quote.unit_price, money("12.35", Currency::CHF));
    let francs = VariantPricing {
        rule: PriceRule {
            markup: Rate::ZERO,
            rounding: MarketRounding::NearestStep {
                step_minor: 500,
                mode: RoundingMode::HalfUp,
            },
        },
        ..variant()
    };
    let quote = francs
        .quote(
            &conversion(Currency::CHF, "2026-10-23"),
            1,
            day("2026-10-23"),
        )
        .unwrap();
    assert_eq!(quote.unit_price, money("10.00", Currency::CHF));
}

#[test]
fn a_manual_override_is_the_price_as_set() {
    let pricing = VariantPricing {
        override_price: Some(usd("18.50")),
        ..variant()
    };
    let quote = pricing
        .quote(
            &conversion(Currency::USD, "2026-10-23"),
            3,
            day("2026-10-23"),
        )
        .unwrap();
    assert_eq!(quote.unit_price, usd("18.50"));
    assert_eq!(quote.line_total, usd("55.50"));
    assert_eq!(
        quote.explanation[1],
        ExplanationStep::Override {
            price: usd("18.50"),
            price_list: PriceListKind::Regular
        }
    );
    assert!(!quote
        .explanation
        .iter()
        .any(|s| matches!(s, ExplanationStep::Rounding { .. })));
}

#[test]
fn a_scheduled_list_applies_from_its_start_until_before_its_end() {
    let pricing = VariantPricing {
        scheduled: vec![singles_day(sale_rule(), None)],
        ..variant()
    };
    let price_on = |date: &str| {
        pricing
            .quote(&conversion(Currency::USD, date), 1, day(date))
            .unwrap()
    };
    // Before, and on the end day (excluded): the regular 20.99.
    assert_eq!(price_on("2026-10-23").unit_price, usd("20.99"));
    assert_eq!(price_on("2026-10-26").unit_price, usd("20.99"));
    // On the start day and the day after: 100 × 1.1193 / 7.466 × 1.1 = 16.49…
    for date in ["2026-10-24", "2026-10-25"] {
        let quote = price_on(date);
        assert_eq!(quote.unit_price, usd("16.99"), "{date}");
        assert_eq!(quote.schedule.as_deref(), Some("Singles' Day"));
        // Without an explicit compare-at, the regular price is shown.
        assert_eq!(quote.compare_at, Some(usd("20.99")));
        assert!(quote.explanation.contains(&ExplanationStep::CompareAt {
            price: usd("20.99"),
            origin: CompareAtOrigin::RegularPrice
        }));
        assert!(quote.explanation.contains(&ExplanationStep::Markup {
            markup: Rate::percent("10").unwrap(),
            price_list: PriceListKind::Scheduled
        }));
    }
}

#[test]
fn the_latest_started_schedule_wins_and_its_override_beats_its_rule() {
    let mut flash = singles_day(sale_rule(), Some(usd("9.99")));
    flash.name = "Flash sale".into();
    flash.starts_on = day("2026-10-25");
    let pricing = VariantPricing {
        scheduled: vec![singles_day(sale_rule(), None), flash],
        ..variant()
    };
    let quote = pricing
        .quote(
            &conversion(Currency::USD, "2026-10-25"),
            1,
            day("2026-10-25"),
        )
        .unwrap();
    assert_eq!(quote.unit_price, usd("9.99"));
    assert_eq!(quote.schedule.as_deref(), Some("Flash sale"));
    let quote = pricing
        .quote(
            &conversion(Currency::USD, "2026-10-24"),
            1,
            day("2026-10-24"),
        )
        .unwrap();
    assert_eq!(quote.schedule.as_deref(), Some("Singles' Day"));
}

#[test]
fn an_explicit_compare_at_is_shown_only_above_the_price() {
    let pricing = VariantPricing {
        compare_at: Some(usd("29.99")),
        ..variant()
    };
    let quote = pricing
        .quote(
            &conversion(Currency::USD, "2026-10-23"),
            1,
            day("2026-10-23"),
        )
        .unwrap();
    assert_eq!(quote.compare_at, Some(usd("29.99")));
    let low = VariantPricing {
        compare_at: Some(usd("20.99")),
        ..variant()
    };
    let quote = low
        .quote(
            &conversion(Currency::USD, "2026-10-23"),
            1,
            day("2026-10-23"),
        )
        .unwrap();
    assert_eq!(quote.compare_at, None);
    assert!(quote.explanation.iter().any(|step| matches!(
        step,
        ExplanationStep::CompareAtIgnored { reason, .. } if reason.contains("not above the selling price 20.99 USD")
    )));
}

#[test]
fn quantity_tiers_discount_the_exact_price_before_rounding() {
    let tier = |min_qty, percent| QuantityTier {
        min_qty,
        discount: Rate::percent(percent).unwrap(),
    };
    let pricing = VariantPricing {
        tiers: vec![tier(100, "5"), tier(500, "12")],
        ..variant()
    };
    let unit = |quantity| {
        pricing
            .quote(
                &conversion(Currency::USD, "2026-10-23"),
                quantity,
                day("2026-10-23"),
            )
            .unwrap()
    };
    assert_eq!(unit(99).unit_price, usd("20.99"));
    // 20.98874… × 0.95 = 19.939… → 19.99
    let hundred = unit(100);
    assert_eq!(hundred.unit_price, usd("19.99"));
    assert_eq!(hundred.line_total, usd("1999.00"));
    assert!(hundred
        .explanation
        .contains(&ExplanationStep::TierDiscount {
            min_qty: 100,
            discount: Rate::percent("5").unwrap()
        }));
    // 20.98874… × 0.88 = 18.4700… → 18.99
    assert_eq!(unit(500).unit_price, usd("18.99"));
    // A tier on an override: 18.50 × 0.95 = 17.575 → 17.99 by the list's rounding.
    let overridden = VariantPricing {
        override_price: Some(usd("18.50")),
        ..pricing.clone()
    };
    let quote = overridden
        .quote(
            &conversion(Currency::USD, "2026-10-23"),
            100,
            day("2026-10-23"),
        )
        .unwrap();
    assert_eq!(quote.unit_price, usd("17.99"));
}

#[test]
fn b2b_order_rules_refuse_quantities_naming_the_rule() {
    let pricing = VariantPricing {
        quantity_rules: OrderQuantityRules {
            moq: 120,
            pack_size: 12,
            increment: 24,
        },
        ..variant()
    };
    let ask = |quantity| {
        pricing.quote(
            &conversion(Currency::USD, "2026-10-23"),
            quantity,
            day("2026-10-23"),
        )
    };
    assert_eq!(
        ask(60).unwrap_err(),
        PricingError::Quantity(QuantityError::BelowMinimum {
            quantity: 60,
            moq: 120
        })
    );
    assert_eq!(
        ask(130).unwrap_err().to_string(),
        "quantity: 130 is not a whole number of packs of 12; the next allowed quantity is 144"
    );
    assert!(matches!(
        ask(132).unwrap_err(),
        PricingError::Quantity(QuantityError::OffIncrement {
            next_allowed: 144,
            ..
        })
    ));
    assert_eq!(ask(0).unwrap_err().field(), Some("quantity"));
    let quote = ask(144).unwrap();
    assert_eq!(quote.line_total, usd("3022.56"));
}

#[test]
fn bad_input_is_refused_naming_the_field() {
    let usd_conversion = conversion(Currency::USD, "2026-10-23");
    let date = day("2026-10-23");
    let field_of = |pricing: VariantPricing| {
        let err = pricing.quote(&usd_conversion, 1, date).unwrap_err();
        (err.field().map(str::to_owned), err.to_string())
    };
    let (field, message) = field_of(VariantPricing {
        base: cny("0"),
        ..variant()
    });
    assert_eq!(field.as_deref(), Some("base"));
    assert_eq!(message, "base: base price must be positive, got 0.00 CNY");
    let (field, message) = field_of(VariantPricing {
        override_price: Some(usd("-1.00")),
        ..variant()
    });
    assert_eq!(field.as_deref(), Some("override_price"));
    assert!(message.contains("must be positive"), "{message}");
    let (field, _) = field_of(VariantPricing {
        compare_at: Some(cny("30.00")),
        ..variant()
    });
    assert_eq!(field.as_deref(), Some("compare_at"));
    let mut backwards = singles_day(sale_rule(), None);
    backwards.ends_before = backwards.starts_on;
    let (field, _) = field_of(VariantPricing {
        scheduled: vec![backwards],
        ..variant()
    });
    assert_eq!(field.as_deref(), Some("scheduled[0].ends_before"));
    let (field, message) = field_of(VariantPricing {
        rule: PriceRule {
            markup: Rate::ZERO,
            rounding: MarketRounding::NearestStep {
                step_minor: 5000,
                mode: RoundingMode::HalfEven,
            },
        },
        ..variant()
    });
    assert_eq!(field.as_deref(), Some("rule.rounding"));
    assert!(
        message.contains("rounding rule would produce a price ≤ 0"),
        "{message}"
    );
    let (field, _) = field_of(VariantPricing {
        rule: PriceRule {
            markup: Rate::ZERO,
            rounding: MarketRounding::CharmEnding {
                ending_minor: 100,
                every_minor: None,
            },
        },
        ..variant()
    });
    assert_eq!(field.as_deref(), Some("rule.rounding.ending_minor"));
    let err = variant()
        .quote(&usd_conversion, 1, day("2026-10-24"))
        .unwrap_err();
    assert_eq!(err.field(), Some("conversion"));
}

#[test]
fn json_input_refuses_unknown_currencies_negative_markups_and_unknown_fields() {
    let good = json!({
        "base": {"amount": "100.00", "currency": "CNY"},
        "rule": {"markup": "0.40", "rounding": {"kind": "charm_ending", "ending_minor": 99}},
        "tiers": [{"min_qty": 100, "discount": "0.05"}],
        "quantity_rules": {"moq": 12, "pack_size": 12}
    });
    let parsed: VariantPricing = serde_json::from_value(good.clone()).unwrap();
    assert_eq!(parsed.quantity_rules.increment, 1);
    assert_eq!(parsed.rule, us_rule());
    let mut unknown = good.clone();
    unknown["base"]["currency"] = json!("XYZ");
    let err = serde_json::from_value::<VariantPricing>(unknown)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown currency code \"XYZ\""), "{err}");
    let mut negative = good.clone();
    negative["rule"]["markup"] = json!("-0.1");
    assert!(serde_json::from_value::<VariantPricing>(negative).is_err());
    let mut extra = good;
    extra["surprise"] = json!(1);
    assert!(serde_json::from_value::<VariantPricing>(extra).is_err());
}

#[test]
fn derive_price_is_the_bulk_path_and_agrees_with_quote() {
    let usd_conversion = conversion(Currency::USD, "2026-10-23");
    let derived = derive_price(cny("100.00"), &usd_conversion, &us_rule()).unwrap();
    let quoted = variant()
        .quote(&usd_conversion, 1, day("2026-10-23"))
        .unwrap();
    assert_eq!(derived.amount, quoted.unit_price);
    assert_eq!(derived.conversion.rate_date(), Some(day("2026-10-23")));
    assert_eq!(derived.conversion.source(), Some(FxSource::ECB));
    let json = serde_json::to_value(derived).unwrap();
    assert_eq!(
        json["amount"],
        json!({"amount": "20.99", "currency": "USD"})
    );
    assert_eq!(json["markup"], "0.40");
    assert_eq!(json["conversion"]["to_leg"]["observed_on"], "2026-10-23");
}
