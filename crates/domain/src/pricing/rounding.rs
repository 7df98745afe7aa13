//! `MarketRounding`: how a market turns an exact price into a shop price.
//!
//! Each rule rounds the exact value (base × rate × markup, never rounded
//! before) once, at a named [`RoundingStep`]:
//!
//! | rule | step | example (exact 12.3456) |
//! |---|---|---|
//! | `none` | `price_minor_unit`, half-even | USD 12.35 |
//! | `whole_units` | `price_whole_units`, mode given (default up) | USD 13.00; JPY whole yen |
//! | `charm_ending` | `price_charm_ending`, up | ending 99: USD 12.99; exact 12.9901 → 13.99 |
//! | `nearest_step` | `price_nearest_step`, mode given | CHF step 5: 12.35; step 500: 10.00 |
//!
//! "Nearest 5 for CHF" can mean the Swiss 5-Rappen rounding (0.05, the
//! smallest coin: `step_minor: 5`) or prices in steps of 5 francs
//! (`step_minor: 500`); both are `nearest_step`, and the mode says whether
//! "nearest" rounds half up (`half_up`, the Swiss convention) or never
//! below the exact price (`up`).
//!
//! JSON: `{"kind": "charm_ending", "ending_minor": 99}`,
//! `{"kind": "nearest_step", "step_minor": 5, "mode": "half_up"}`,
//! `{"kind": "whole_units"}` (mode `up`), `{"kind": "none"}`.

use serde::{Deserialize, Serialize};

use crate::money::{Currency, Money, RoundingMode, RoundingStep};

use super::error::PricingError;
use super::exact::ExactPrice;

/// Rounding of a price to the currency's minor unit (rule `none`).
pub const PRICE_MINOR_UNIT: RoundingStep =
    RoundingStep::new("price_minor_unit", RoundingMode::HalfEven);
/// Rounding of a price up to the next charm ending (rule `charm_ending`).
pub const PRICE_CHARM_ENDING: RoundingStep =
    RoundingStep::new("price_charm_ending", RoundingMode::Up);
/// Name of the step of rule `whole_units` (its mode is the rule's).
pub const PRICE_WHOLE_UNITS: &str = "price_whole_units";
/// Name of the step of rule `nearest_step` (its mode is the rule's).
pub const PRICE_NEAREST_STEP: &str = "price_nearest_step";

const fn default_whole_units_mode() -> RoundingMode {
    RoundingMode::Up
}

/// A market's price rounding rule, applied once to the exact price. All
/// amounts are in **minor units** of the market currency (cents, yen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum MarketRounding {
    /// To the currency's minor unit, half-even (the exact price, as close
    /// as money can hold it).
    None,
    /// To whole major units (USD 13.00, JPY 1,980 is already whole), with
    /// `mode`; default `up` so the price never falls below the exact one.
    WholeUnits {
        /// How to round to the whole unit; default `up`.
        #[serde(default = "default_whole_units_mode")]
        mode: RoundingMode,
    },
    /// The smallest price ≥ the exact price whose remainder modulo
    /// `every_minor` is `ending_minor`: ending 99 in USD gives x.99; with
    /// `every_minor: 1000`, ending 999 gives x9.99; in JPY `every_minor:
    /// 100, ending_minor: 80` gives …80 yen (1,980).
    CharmEnding {
        /// The ending, in minor units: 99 for .99.
        ending_minor: u64,
        /// The cycle the ending repeats in, in minor units; default one
        /// major unit (100 for USD, 1 for JPY).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        every_minor: Option<u64>,
    },
    /// To a multiple of `step_minor` with `mode`: CHF 0.05 is `step_minor:
    /// 5`, CHF 5.00 is 500, KRW 100 won is 100.
    NearestStep {
        /// The step, in minor units (positive).
        step_minor: u64,
        /// How to round to it: `half_up` for "nearest", `up` for never below.
        mode: RoundingMode,
    },
}

impl MarketRounding {
    /// The rule's name as in JSON, e.g. `"charm_ending"`.
    pub const fn kind(&self) -> &'static str {
        match self {
            MarketRounding::None => "none",
            MarketRounding::WholeUnits { .. } => "whole_units",
            MarketRounding::CharmEnding { .. } => "charm_ending",
            MarketRounding::NearestStep { .. } => "nearest_step",
        }
    }

    /// The named step this rule rounds at, with its mode.
    pub const fn step(&self) -> RoundingStep {
        match *self {
            MarketRounding::None => PRICE_MINOR_UNIT,
            MarketRounding::WholeUnits { mode } => RoundingStep::new(PRICE_WHOLE_UNITS, mode),
            MarketRounding::CharmEnding { .. } => PRICE_CHARM_ENDING,
            MarketRounding::NearestStep { mode, .. } => RoundingStep::new(PRICE_NEAREST_STEP, mode),
        }
    }

    /// Checks the rule against the market currency. Field paths are
    /// relative to the rule: `ending_minor`, `every_minor`, `step_minor`.
    ///
    /// Refused: a zero step or cycle; an ending not below its cycle (99 in
    /// JPY, whose major unit is 1 minor unit, needs `every_minor: 100`).
    pub fn validate(&self, currency: Currency) -> Result<(), PricingError> {
        match *self {
            MarketRounding::None | MarketRounding::WholeUnits { .. } => Ok(()),
            MarketRounding::NearestStep { step_minor, .. } => {
                if step_minor == 0 {
                    Err(PricingError::invalid(
                        "step_minor",
                        "the step must be at least 1 minor unit",
                    ))
                } else {
                    Ok(())
                }
            }
            MarketRounding::CharmEnding {
                ending_minor,
                every_minor,
            } => {
                let every = every_minor.unwrap_or_else(|| major_unit(currency));
                if every == 0 {
                    return Err(PricingError::invalid(
                        "every_minor",
                        "the cycle must be at least 1 minor unit",
                    ));
                }
                if ending_minor >= every {
                    let reason = match every_minor {
                        Some(_) => format!(
                            "the ending {ending_minor} must be below the cycle every_minor = {every}"
                        ),
                        None => format!(
                            "the ending {ending_minor} must be below one {currency} ({every} minor units); set every_minor for a longer cycle"
                        ),
                    };
                    return Err(PricingError::invalid("ending_minor", reason));
                }
                Ok(())
            }
        }
    }

    /// Rounds `exact` (positive) to a price in `currency` by this rule, once.
    /// The rule must have been validated for `currency`.
    pub(super) fn round(
        &self,
        exact: &ExactPrice,
        currency: Currency,
    ) -> Result<Money, PricingError> {
        let minor = match *self {
            MarketRounding::None => exact.round_to_step(1, RoundingMode::HalfEven),
            MarketRounding::WholeUnits { mode } => {
                exact.round_to_step(u128::from(major_unit(currency)), mode)
            }
            MarketRounding::NearestStep { step_minor, mode } => {
                exact.round_to_step(u128::from(step_minor), mode)
            }
            MarketRounding::CharmEnding {
                ending_minor,
                every_minor,
            } => {
                let every = u128::from(every_minor.unwrap_or_else(|| major_unit(currency)));
                let ending = u128::from(ending_minor);
                // Prices are whole minor units, so p ≥ exact ⇔ p ≥ ⌈exact⌉.
                exact
                    .round_to_step(1, RoundingMode::Up)
                    .and_then(|ceiling| {
                        if ceiling <= ending {
                            Some(ending)
                        } else {
                            let cycles = (ceiling - ending).div_ceil(every);
                            cycles.checked_mul(every)?.checked_add(ending)
                        }
                    })
            }
        };
        let minor = minor
            .and_then(|minor| i64::try_from(minor).ok())
            .ok_or_else(|| PricingError::Overflow {
                operation: format!(
                    "{} {currency} rounded by {} at step {}",
                    exact.display_major(currency),
                    self.kind(),
                    self.step()
                ),
            })?;
        if minor <= 0 {
            return Err(PricingError::invalid(
                "rounding",
                format!(
                    "rounding rule would produce a price ≤ 0: the exact price {} {currency} rounds to {} by {} at step {}",
                    exact.display_major(currency),
                    Money::from_minor(minor, currency),
                    self.kind(),
                    self.step()
                ),
            ));
        }
        Ok(Money::from_minor(minor, currency))
    }
}

/// Minor units in one major unit: 100 for USD, 1 for JPY, 1000 for BHD.
fn major_unit(currency: Currency) -> u64 {
    10u64.pow(u32::from(currency.exponent()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Ratio;

    /// An exact price of `num / den` minor units.
    fn exact(num: u128, den: u128) -> ExactPrice {
        ExactPrice::new(num, Ratio::new(1, den).unwrap())
    }

    fn round(rule: MarketRounding, value: ExactPrice, currency: Currency) -> String {
        rule.validate(currency).unwrap();
        rule.round(&value, currency).unwrap().to_major_string()
    }

    #[test]
    fn none_rounds_half_even_to_the_minor_unit() {
        let rule = MarketRounding::None;
        assert_eq!(round(rule, exact(123_456, 100), Currency::USD), "12.35");
        assert_eq!(round(rule, exact(123_450, 100), Currency::USD), "12.34");
        assert_eq!(round(rule, exact(12_345, 10), Currency::USD), "12.34");
        assert_eq!(round(rule, exact(12_355, 10), Currency::USD), "12.36");
        assert_eq!(round(rule, exact(15, 10), Currency::JPY), "2");
    }

    #[test]
    fn whole_units_default_up_or_as_named() {
        let up = MarketRounding::WholeUnits {
            mode: RoundingMode::Up,
        };
        assert_eq!(round(up, exact(123_456, 100), Currency::USD), "13.00");
        assert_eq!(round(up, exact(1_200, 1), Currency::USD), "12.00");
        assert_eq!(round(up, exact(17_561, 10), Currency::JPY), "1757");
        let half = MarketRounding::WholeUnits {
            mode: RoundingMode::HalfUp,
        };
        assert_eq!(round(half, exact(1_249, 1), Currency::USD), "12.00");
        assert_eq!(round(half, exact(1_250, 1), Currency::USD), "13.00");
        assert_eq!(round(up, exact(123_451, 10), Currency::BHD), "13.000");
    }

    #[test]
    fn charm_ending_is_the_smallest_price_at_or_above_with_the_ending() {
        let rule = MarketRounding::CharmEnding {
            ending_minor: 99,
            every_minor: None,
        };
        assert_eq!(round(rule, exact(123_456, 100), Currency::USD), "12.99");
        assert_eq!(round(rule, exact(1_299, 1), Currency::USD), "12.99");
        assert_eq!(round(rule, exact(129_901, 100), Currency::USD), "13.99");
        assert_eq!(round(rule, exact(1_300, 1), Currency::USD), "13.99");
        assert_eq!(round(rule, exact(1, 100), Currency::USD), "0.99");
        let nines = MarketRounding::CharmEnding {
            ending_minor: 999,
            every_minor: Some(1000),
        };
        assert_eq!(round(nines, exact(1_234, 1), Currency::USD), "19.99");
        let yen = MarketRounding::CharmEnding {
            ending_minor: 80,
            every_minor: Some(100),
        };
        assert_eq!(round(yen, exact(19_501, 10), Currency::JPY), "1980");
        assert_eq!(round(yen, exact(1_981, 1), Currency::JPY), "2080");
        let zero = MarketRounding::CharmEnding {
            ending_minor: 0,
            every_minor: None,
        };
        assert_eq!(round(zero, exact(1_201, 1), Currency::USD), "13.00");
    }

    #[test]
    fn nearest_step_rounds_to_multiples_with_the_mode() {
        let rappen = MarketRounding::NearestStep {
            step_minor: 5,
            mode: RoundingMode::HalfUp,
        };
        assert_eq!(round(rappen, exact(123_456, 100), Currency::CHF), "12.35");
        assert_eq!(round(rappen, exact(1_232, 1), Currency::CHF), "12.30");
        assert_eq!(round(rappen, exact(12_325, 10), Currency::CHF), "12.35");
        let francs = MarketRounding::NearestStep {
            step_minor: 500,
            mode: RoundingMode::HalfUp,
        };
        assert_eq!(round(francs, exact(1_234, 1), Currency::CHF), "10.00");
        assert_eq!(round(francs, exact(1_250, 1), Currency::CHF), "15.00");
        let won = MarketRounding::NearestStep {
            step_minor: 100,
            mode: RoundingMode::Up,
        };
        assert_eq!(round(won, exact(25_401, 1), Currency::KRW), "25500");
    }

    #[test]
    fn a_price_that_would_round_to_zero_is_refused() {
        let rule = MarketRounding::NearestStep {
            step_minor: 500,
            mode: RoundingMode::HalfEven,
        };
        let err = rule.round(&exact(2_49, 1), Currency::CHF).unwrap_err();
        assert_eq!(err.field(), Some("rounding"));
        let message = err.to_string();
        assert!(
            message.contains("rounding rule would produce a price ≤ 0"),
            "{message}"
        );
        assert!(message.contains("2.49 CHF"), "{message}");
        assert!(
            message.contains("price_nearest_step (half_even)"),
            "{message}"
        );
        let down = MarketRounding::WholeUnits {
            mode: RoundingMode::Down,
        };
        assert!(down.round(&exact(99, 1), Currency::USD).is_err());
        let tiny = MarketRounding::None;
        assert!(tiny.round(&exact(4, 10), Currency::USD).is_err());
    }

    #[test]
    fn validation_names_the_field() {
        let err = MarketRounding::NearestStep {
            step_minor: 0,
            mode: RoundingMode::Up,
        }
        .validate(Currency::CHF)
        .unwrap_err();
        assert_eq!(err.field(), Some("step_minor"));
        let err = MarketRounding::CharmEnding {
            ending_minor: 99,
            every_minor: None,
        }
        .validate(Currency::JPY)
        .unwrap_err();
        assert_eq!(err.field(), Some("ending_minor"));
        assert!(
            err.to_string().contains("below one JPY (1 minor units)"),
            "{err}"
        );
        let err = MarketRounding::CharmEnding {
            ending_minor: 100,
            every_minor: Some(100),
        }
        .validate(Currency::USD)
        .unwrap_err();
        assert!(err.to_string().contains("every_minor = 100"), "{err}");
        let err = MarketRounding::CharmEnding {
            ending_minor: 0,
            every_minor: Some(0),
        }
        .validate(Currency::USD)
        .unwrap_err();
        assert_eq!(err.field(), Some("every_minor"));
        assert!(MarketRounding::CharmEnding {
            ending_minor: 0,
            every_minor: None
        }
        .validate(Currency::JPY)
        .is_ok());
    }

    #[test]
    fn serde_is_tagged_snake_case() {
        let cases = [
            (MarketRounding::None, r#"{"kind":"none"}"#),
            (
                MarketRounding::WholeUnits {
                    mode: RoundingMode::Up,
                },
                r#"{"kind":"whole_units","mode":"up"}"#,
            ),
            (
                MarketRounding::CharmEnding {
                    ending_minor: 99,
                    every_minor: None,
                },
                r#"{"kind":"charm_ending","ending_minor":99}"#,
            ),
            (
                MarketRounding::NearestStep {
                    step_minor: 5,
                    mode: RoundingMode::HalfUp,
                },
                r#"{"kind":"nearest_step","step_minor":5,"mode":"half_up"}"#,
            ),
        ];
        for (rule, json) in cases {
            assert_eq!(serde_json::to_string(&rule).unwrap(), json);
            assert_eq!(serde_json::from_str::<MarketRounding>(json).unwrap(), rule);
        }
        let whole: MarketRounding = serde_json::from_str(r#"{"kind":"whole_units"}"#).unwrap();
        assert_eq!(
            whole,
            MarketRounding::WholeUnits {
                mode: RoundingMode::Up
            }
        );
        assert!(serde_json::from_str::<MarketRounding>(r#"{"kind":"nearest"}"#).is_err());
        assert!(serde_json::from_str::<MarketRounding>(
            r#"{"kind":"nearest_step","step_minor":5}"#
        )
        .is_err());
    }
}
