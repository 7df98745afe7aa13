//! Property tests for derived prices: positive when derived, rounded once
//! by the market rule (charm endings at or above the exact price, steps
//! multiples of the step), and tiers never raising a price.
//!
//! The exact price is computed independently as an `i128` fraction on
//! inputs small enough to stay exact.

use chuhai_domain::calendar::Date;
use chuhai_domain::fx::{Conversion, FxLeg, FxSource};
use chuhai_domain::money::{Currency, Decimal, Money, Rate, RoundingMode};
use chuhai_domain::pricing::{
    derive_price, MarketRounding, OrderQuantityRules, PriceRule, PricingError, QuantityTier,
    VariantPricing,
};
use proptest::prelude::*;

const CURRENCIES: [Currency; 7] = [
    Currency::EUR,
    Currency::USD,
    Currency::CNY,
    Currency::JPY,
    Currency::BHD,
    Currency::KRW,
    Currency::CHF,
];

fn date() -> Date {
    Date::parse("2026-10-30").unwrap()
}

fn any_currency() -> impl Strategy<Value = Currency> {
    proptest::sample::select(CURRENCIES.to_vec())
}

fn any_mode() -> impl Strategy<Value = RoundingMode> {
    proptest::sample::select(RoundingMode::ALL.to_vec())
}

/// A positive euro rate: up to 7 significant digits, up to 5 decimals.
fn any_rate() -> impl Strategy<Value = Rate> {
    (1i64..10_000_000, 0u32..=5).prop_map(|(m, s)| Rate::from_decimal(Decimal::new(m, s)).unwrap())
}

/// A markup from 0 to 9.99 (999 %), up to 3 decimals.
fn any_markup() -> impl Strategy<Value = Rate> {
    (0i64..1000, 0u32..=3).prop_map(|(m, s)| Rate::from_decimal(Decimal::new(m, s)).unwrap())
}

/// A valid rounding rule for `currency`.
fn any_rounding(currency: Currency) -> impl Strategy<Value = MarketRounding> {
    let unit = 10u64.pow(u32::from(currency.exponent()));
    prop_oneof![
        Just(MarketRounding::None),
        any_mode().prop_map(|mode| MarketRounding::WholeUnits { mode }),
        (1u64..=1000, any::<bool>()).prop_flat_map(move |(every, default_cycle)| {
            let every = if default_cycle { unit } else { every };
            (0..every).prop_map(move |ending_minor| MarketRounding::CharmEnding {
                ending_minor,
                every_minor: (!default_cycle).then_some(every),
            })
        }),
        (1u64..=10_000, any_mode())
            .prop_map(|(step_minor, mode)| MarketRounding::NearestStep { step_minor, mode }),
    ]
}

fn leg(currency: Currency, rate: Rate) -> Option<FxLeg> {
    (currency != Currency::EUR).then_some(FxLeg {
        per_eur: rate,
        observed_on: date(),
    })
}

/// A market: conversion from `from` into a currency, and a rule for it.
fn any_market() -> impl Strategy<Value = (Conversion, PriceRule)> {
    (
        any_currency(),
        any_currency(),
        any_rate(),
        any_rate(),
        any_markup(),
    )
        .prop_flat_map(|(from, to, from_rate, to_rate, markup)| {
            let conversion = Conversion::from_legs(
                (from, leg(from, from_rate)),
                (to, leg(to, to_rate)),
                date(),
                FxSource::ECB,
            )
            .unwrap();
            any_rounding(to).prop_map(move |rounding| (conversion, PriceRule { markup, rounding }))
        })
}

fn parts(value: Decimal) -> (i128, i128) {
    (
        i128::from(value.mantissa() as i64),
        10i128.pow(value.scale()),
    )
}

/// The exact price `base × rate × (1 + markup)` in target minor units, as `(N, D)`.
fn exact(base: i64, conversion: &Conversion, markup: Rate) -> (i128, i128) {
    let (to_m, to_s) = parts(conversion.numerator());
    let (from_m, from_s) = parts(conversion.denominator());
    let (k_m, k_s) = parts(markup.as_decimal());
    let mut num = i128::from(base) * to_m * from_s * (k_s + k_m);
    let mut den = from_m * to_s * k_s;
    let shift = i32::from(conversion.to().exponent()) - i32::from(conversion.from().exponent());
    if shift >= 0 {
        num *= 10i128.pow(shift as u32);
    } else {
        den *= 10i128.pow(shift.unsigned_abs());
    }
    (num, den)
}

/// Checks `price` against the exact `n / d` for a rule of `step` minor units and `mode`.
fn check_step(
    price: i128,
    n: i128,
    d: i128,
    step: i128,
    mode: RoundingMode,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(price % step, 0, "not a multiple of the step {}", step);
    let error = price * d - n;
    prop_assert!(error.abs() < step * d, "off by a step or more");
    match mode {
        RoundingMode::HalfEven | RoundingMode::HalfUp => prop_assert!(2 * error.abs() <= step * d),
        RoundingMode::Up => prop_assert!(error >= 0),
        RoundingMode::Down => prop_assert!(error <= 0),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn derived_prices_are_positive_and_rounded_once_by_the_rule(
        (conversion, rule) in any_market(),
        base in 1i64..100_000_000,
    ) {
        let currency = conversion.to();
        let (n, d) = exact(base, &conversion, rule.markup);
        let derived = derive_price(Money::from_minor(base, conversion.from()), &conversion, &rule);
        let price = match derived {
            Ok(derived) => derived.amount,
            Err(PricingError::Invalid { field, reason }) => {
                // Only a price that rounds to nothing is refused: then the
                // exact price is below one step.
                prop_assert_eq!(field.as_str(), "rounding", "{}", reason);
                prop_assert!(reason.contains("≤ 0"));
                let step = match rule.rounding {
                    MarketRounding::None => 1,
                    MarketRounding::WholeUnits { .. } => 10i128.pow(u32::from(currency.exponent())),
                    MarketRounding::NearestStep { step_minor, .. } => i128::from(step_minor),
                    MarketRounding::CharmEnding { .. } => 0,
                };
                prop_assert!(n < step * d, "{} refused though its exact price is {}/{}", base, n, d);
                return Ok(());
            }
            Err(PricingError::Overflow { .. }) => {
                prop_assert!(n / d >= i128::from(i64::MAX) / 2);
                return Ok(());
            }
            Err(other) => return Err(TestCaseError::fail(other.to_string())),
        };
        prop_assert!(price.is_positive());
        prop_assert_eq!(price.currency(), currency);
        let p = i128::from(price.minor());
        match rule.rounding {
            MarketRounding::None => check_step(p, n, d, 1, RoundingMode::HalfEven)?,
            MarketRounding::WholeUnits { mode } => {
                check_step(p, n, d, 10i128.pow(u32::from(currency.exponent())), mode)?;
            }
            MarketRounding::NearestStep { step_minor, mode } => check_step(p, n, d, i128::from(step_minor), mode)?,
            MarketRounding::CharmEnding { ending_minor, every_minor } => {
                let every = i128::from(every_minor.unwrap_or(10u64.pow(u32::from(currency.exponent()))));
                prop_assert!(p * d >= n, "charm price below the exact price");
                prop_assert_eq!(p % every, i128::from(ending_minor), "wrong ending");
                // The smallest such price: one cycle less is below the exact price.
                prop_assert!((p - every) * d < n, "not the smallest charm price");
            }
        }
    }

    #[test]
    fn a_tier_never_raises_the_unit_price(
        (conversion, rule) in any_market(),
        base in 1i64..100_000_000,
        discount in 0i64..10_000,
        override_minor in proptest::option::of(1i64..1_000_000_000),
    ) {
        let pricing = VariantPricing {
            base: Money::from_minor(base, conversion.from()),
            rule,
            override_price: override_minor.map(|minor| Money::from_minor(minor, conversion.to())),
            compare_at: None,
            scheduled: Vec::new(),
            tiers: vec![QuantityTier { min_qty: 10, discount: Rate::from_decimal(Decimal::new(discount, 4)).unwrap() }],
            quantity_rules: OrderQuantityRules::ANY,
        };
        let single = pricing.quote(&conversion, 1, date());
        let bulk = pricing.quote(&conversion, 10, date());
        if let (Ok(single), Ok(bulk)) = (single, bulk) {
            prop_assert!(bulk.unit_price.minor() <= single.unit_price.minor(),
                "{} for 10 but {} for 1", bulk.unit_price, single.unit_price);
            prop_assert!(bulk.unit_price.is_positive());
            prop_assert_eq!(bulk.line_total.minor(), bulk.unit_price.minor() * 10);
        }
    }

    #[test]
    fn more_markup_never_lowers_the_price(
        (conversion, rule) in any_market(),
        base in 1i64..100_000_000,
        extra in 1i64..1000,
    ) {
        let higher = PriceRule {
            markup: Rate::from_decimal(rule.markup.as_decimal() + Decimal::new(extra, 3)).unwrap(),
            ..rule
        };
        let money = Money::from_minor(base, conversion.from());
        if let (Ok(low), Ok(high)) = (derive_price(money, &conversion, &rule), derive_price(money, &conversion, &higher)) {
            prop_assert!(high.amount.minor() >= low.amount.minor());
        }
    }
}

/// Found by `a_tier_never_raises_the_unit_price`: an override off the charm
/// grid (ending .128 where prices end in an odd thousandth) with a 0 %
/// tier was rounded up to .129 for 10 units.
#[test]
fn a_tier_on_an_off_grid_override_never_raises_it() {
    let conversion = Conversion::from_legs(
        (Currency::EUR, None),
        (
            Currency::BHD,
            Some(chuhai_domain::fx::FxLeg {
                per_eur: Rate::parse("30.34839").unwrap(),
                observed_on: date(),
            }),
        ),
        date(),
        chuhai_domain::fx::FxSource::ECB,
    )
    .unwrap();
    let pricing = VariantPricing {
        base: Money::from_minor(31_471_161, Currency::EUR),
        rule: PriceRule {
            markup: Rate::parse("17").unwrap(),
            rounding: MarketRounding::CharmEnding {
                ending_minor: 1,
                every_minor: Some(2),
            },
        },
        override_price: Some(Money::from_minor(852_903_128, Currency::BHD)),
        compare_at: None,
        scheduled: Vec::new(),
        tiers: vec![QuantityTier {
            min_qty: 10,
            discount: Rate::ZERO,
        }],
        quantity_rules: OrderQuantityRules::ANY,
    };
    let single = pricing.quote(&conversion, 1, date()).unwrap();
    let bulk = pricing.quote(&conversion, 10, date()).unwrap();
    assert_eq!(single.unit_price.minor(), 852_903_128);
    assert_eq!(bulk.unit_price.minor(), 852_903_128);
}
