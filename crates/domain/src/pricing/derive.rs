//! Deriving a market price from the seller's base price: the hot path.
//!
//! `price = round(base × rate × (1 + markup))`, where
//! 1. `base` is the variant's base price (minor units of the base currency),
//! 2. `rate` is the exact cross rate of the [`Conversion`] (two euro rates
//!    and the exponent shift between the currencies, as a ratio of integers),
//! 3. `markup` is the price list's fraction (0.25 for 25 %),
//!
//! multiplied exactly (256-bit products, no decimal truncation), and then
//! 4. rounded **once** by the market's [`MarketRounding`] at its named step.
//!
//! Nothing is rounded in between, so the order of the factors does not
//! matter and a price can be recomputed from its record. The hot path does
//! not allocate: [`DerivedPrice`] holds only `Copy` data.

use serde::{Deserialize, Serialize};

use crate::fx::Conversion;
use crate::money::{Currency, Money, Rate, Ratio};

use super::error::PricingError;
use super::exact::ExactPrice;
use super::rounding::MarketRounding;

/// How a price list derives prices in its market: a markup over the
/// converted base price, then the market's rounding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceRule {
    /// Markup over the converted base price as a fraction: `0.25` for 25 %
    /// (build it with `Rate::percent("25")`); zero for none. Never negative.
    pub markup: Rate,
    /// How the exact result becomes a price.
    pub rounding: MarketRounding,
}

impl PriceRule {
    /// Checks the rule for prices in `currency`; field paths are relative to
    /// the rule (`rounding.step_minor`…).
    pub fn validate(&self, currency: Currency) -> Result<(), PricingError> {
        self.rounding
            .validate(currency)
            .map_err(|err| err.under("rounding"))
    }
}

/// A price derived for one variant in one market, with what it was made
/// from: enough to explain it and to recompute it exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DerivedPrice {
    /// The price, in the market currency.
    pub amount: Money,
    /// The base price it was derived from.
    pub base: Money,
    /// The exchange rate used: legs, their dates, the source, the date asked for.
    pub conversion: Conversion,
    /// The markup applied (fraction).
    pub markup: Rate,
    /// The rounding rule applied.
    pub rounding: MarketRounding,
}

/// Checks that `price` is positive and in the conversion's target currency.
pub(super) fn check_price(
    field: &str,
    price: Money,
    currency: Currency,
) -> Result<(), PricingError> {
    if price.currency() != currency {
        return Err(PricingError::invalid(
            field,
            format!("the price {price} must be in the market currency {currency}"),
        ));
    }
    if !price.is_positive() {
        return Err(PricingError::invalid(
            field,
            format!("a price must be positive, got {price}"),
        ));
    }
    Ok(())
}

/// The exact, unrounded `base × rate × (1 + markup)` in the target's minor
/// units, after checking the base against the conversion.
pub(super) fn exact_price(
    base: Money,
    conversion: &Conversion,
    markup: Rate,
) -> Result<ExactPrice, PricingError> {
    if base.currency() != conversion.from() {
        return Err(PricingError::invalid(
            "base",
            format!(
                "the base price {base} is not in {}, the currency the conversion is from",
                conversion.from()
            ),
        ));
    }
    if !base.is_positive() {
        return Err(PricingError::invalid(
            "base",
            format!("base price must be positive, got {base}"),
        ));
    }
    Ratio::one_plus(markup.as_decimal())
        .and_then(|markup| conversion.minor_ratio().checked_mul(markup))
        .map(|factor| ExactPrice::new(u128::from(base.minor().unsigned_abs()), factor))
        .ok_or_else(|| PricingError::Overflow {
            operation: format!(
                "{base} × {} × (1 + {markup}) has too many digits to be computed exactly",
                conversion.rate_display(10)
            ),
        })
}

/// Derives the price of `base` in the conversion's target currency by
/// `rule`: exact `base × rate × (1 + markup)`, rounded once by the rule.
///
/// Errors (field paths in [`PricingError::Invalid`]):
/// - `base`: not positive ("base price must be positive"), or not in the
///   conversion's source currency;
/// - `rule.rounding.*`: an invalid rounding rule;
/// - `rounding`: the rule would produce a price ≤ 0 (e.g. a tiny price
///   rounded to a 5-franc step);
/// - [`PricingError::Overflow`] beyond 64-bit minor units.
pub fn derive_price(
    base: Money,
    conversion: &Conversion,
    rule: &PriceRule,
) -> Result<DerivedPrice, PricingError> {
    let currency = conversion.to();
    rule.validate(currency).map_err(|err| err.under("rule"))?;
    let exact = exact_price(base, conversion, rule.markup)?;
    let amount = rule.rounding.round(&exact, currency)?;
    Ok(DerivedPrice {
        amount,
        base,
        conversion: *conversion,
        markup: rule.markup,
        rounding: rule.rounding,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Date;
    use crate::fx::{FxLeg, FxSource};
    use crate::money::RoundingMode;

    fn cny_usd() -> Conversion {
        let day = Date::parse("2026-10-30").unwrap();
        let leg = |rate| {
            Some(FxLeg {
                per_eur: Rate::parse(rate).unwrap(),
                observed_on: day,
            })
        };
        Conversion::from_legs(
            (Currency::CNY, leg("7.4326")),
            (Currency::USD, leg("1.1172")),
            day,
            FxSource::ECB,
        )
        .unwrap()
    }

    #[test]
    fn derives_with_one_rounding_and_records_the_inputs() {
        // 100.00 CNY × 1.1172 / 7.4326 × 1.40 = 21.0435… USD → charm 21.99
        let rule = PriceRule {
            markup: Rate::percent("40").unwrap(),
            rounding: MarketRounding::CharmEnding {
                ending_minor: 99,
                every_minor: None,
            },
        };
        let base = Money::from_minor(10_000, Currency::CNY);
        let price = derive_price(base, &cny_usd(), &rule).unwrap();
        assert_eq!(price.amount, Money::from_minor(2_199, Currency::USD));
        assert_eq!(price.base, base);
        assert_eq!(price.markup, rule.markup);
        assert_eq!(price.conversion.rate_date(), Date::parse("2026-10-30").ok());
        let plain = PriceRule {
            markup: Rate::ZERO,
            rounding: MarketRounding::None,
        };
        // 100.00 CNY → 15.031079… USD → 15.03
        let price = derive_price(base, &cny_usd(), &plain).unwrap();
        assert_eq!(price.amount, Money::from_minor(1_503, Currency::USD));
    }

    #[test]
    fn refuses_bad_base_and_zero_results_naming_the_field() {
        let rule = PriceRule {
            markup: Rate::ZERO,
            rounding: MarketRounding::None,
        };
        let err = derive_price(Money::zero(Currency::CNY), &cny_usd(), &rule).unwrap_err();
        assert_eq!(
            err.to_string(),
            "base: base price must be positive, got 0.00 CNY"
        );
        let err =
            derive_price(Money::from_minor(-1, Currency::CNY), &cny_usd(), &rule).unwrap_err();
        assert_eq!(err.field(), Some("base"));
        let err =
            derive_price(Money::from_minor(100, Currency::EUR), &cny_usd(), &rule).unwrap_err();
        assert_eq!(err.field(), Some("base"));
        // 0.01 CNY is 0.0015 USD: rounds to 0.00.
        let err = derive_price(Money::from_minor(1, Currency::CNY), &cny_usd(), &rule).unwrap_err();
        assert_eq!(err.field(), Some("rounding"));
        assert!(
            err.to_string().contains("would produce a price ≤ 0"),
            "{err}"
        );
        let bad_rule = PriceRule {
            markup: Rate::ZERO,
            rounding: MarketRounding::NearestStep {
                step_minor: 0,
                mode: RoundingMode::HalfUp,
            },
        };
        let err =
            derive_price(Money::from_minor(100, Currency::CNY), &cny_usd(), &bad_rule).unwrap_err();
        assert_eq!(err.field(), Some("rule.rounding.step_minor"));
    }

    #[test]
    fn serde_of_rules() {
        let rule: PriceRule = serde_json::from_str(
            r#"{"markup": "0.25", "rounding": {"kind": "nearest_step", "step_minor": 5, "mode": "half_up"}}"#,
        )
        .unwrap();
        assert_eq!(rule.markup, Rate::percent("25").unwrap());
        assert!(serde_json::from_str::<PriceRule>(
            r#"{"markup": "-0.1", "rounding": {"kind": "none"}}"#
        )
        .is_err());
        assert!(serde_json::from_str::<PriceRule>(
            r#"{"markup": "0.1", "rounding": {"kind": "none"}, "x": 1}"#
        )
        .is_err());
    }
}
