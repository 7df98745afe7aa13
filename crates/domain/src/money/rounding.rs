//! Rounding: named modes, named steps, and the only ways an exact decimal
//! becomes `Money`.
//!
//! Chuhai rounds only where a product is computed from exact decimals — an
//! FX conversion, a duty or tax rate applied, a price given in decimals — and
//! always once, to the target currency's minor unit, with a mode chosen and
//! named by the step (`RoundingStep::new("fx_conversion", HalfEven)`). The
//! intermediate product is exact (no float, no 28-digit truncation).
//!
//! | value | `half_even` | `half_up` | `up` | `down` |
//! |------:|-----:|-----:|-----:|-----:|
//! |  2.5  |  2   |  3   |  3   |  2   |
//! |  3.5  |  4   |  4   |  4   |  3   |
//! |  2.25 |  2.2 |  2.3 |  2.3 |  2.2 |
//! | −2.5  | −2   | −3   | −3   | −2   |
//! |  2.4  |  2   |  2   |  3   |  2   |
//! | −2.4  | −2   | −2   | −3   | −2   |
//!
//! All modes are symmetric about zero: `up` and `half_up` move away from
//! zero, `down` toward zero.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::amount::Money;
use super::currency::Currency;
use super::error::MoneyError;
use super::exact::round_scaled;
use super::rate::Rate;

/// How a value between two minor units is rounded. The serde/DB names
/// (`half_even`, `half_up`, `up`, `down`) are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RoundingMode {
    /// To the nearest unit; an exact half goes to the even neighbour
    /// ("banker's rounding"): 2.5 → 2, 3.5 → 4, −2.5 → −2. Unbiased over many
    /// values; the default for FX.
    #[serde(rename = "half_even")]
    HalfEven,
    /// To the nearest unit; an exact half goes away from zero (commercial
    /// rounding): 2.5 → 3, −2.5 → −3.
    #[serde(rename = "half_up")]
    HalfUp,
    /// Away from zero whenever anything is left: 2.01 → 3, −2.01 → −3.
    #[serde(rename = "up")]
    Up,
    /// Toward zero, dropping what is left (truncation): 2.99 → 2, −2.99 → −2.
    #[serde(rename = "down")]
    Down,
}

impl RoundingMode {
    /// Every mode, for listings and tests.
    pub const ALL: [RoundingMode; 4] = [
        RoundingMode::HalfEven,
        RoundingMode::HalfUp,
        RoundingMode::Up,
        RoundingMode::Down,
    ];

    /// The stable snake_case name used in JSON and the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            RoundingMode::HalfEven => "half_even",
            RoundingMode::HalfUp => "half_up",
            RoundingMode::Up => "up",
            RoundingMode::Down => "down",
        }
    }
}

impl fmt::Display for RoundingMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for RoundingMode {
    type Err = MoneyError;

    /// Reads the stable name (`"half_even"`…); case-sensitive.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        RoundingMode::ALL
            .into_iter()
            .find(|mode| mode.as_str() == name)
            .ok_or_else(|| MoneyError::UnknownRoundingMode {
                name: name.to_owned(),
            })
    }
}

/// A named place in the product where an exact value is rounded to money,
/// with the mode used there, e.g. `RoundingStep::new("fx_conversion",
/// RoundingMode::HalfEven)` or `RoundingStep::new("vat", RoundingMode::HalfUp)`.
///
/// Define each step once as a `const` next to the rule that rounds, and
/// document it there; the name shows in errors and audit trails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RoundingStep {
    name: &'static str,
    mode: RoundingMode,
}

impl RoundingStep {
    /// A step called `name` (snake_case by convention) rounding with `mode`.
    pub const fn new(name: &'static str, mode: RoundingMode) -> RoundingStep {
        RoundingStep { name, mode }
    }

    /// The step's name, e.g. `"fx_conversion"`.
    pub const fn name(self) -> &'static str {
        self.name
    }

    /// The mode it rounds with.
    pub const fn mode(self) -> RoundingMode {
        self.mode
    }
}

impl fmt::Display for RoundingStep {
    /// `fx_conversion (half_even)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name, self.mode)
    }
}

impl Money {
    /// An exact decimal amount in **major units** (e.g. `12.345` USD), rounded
    /// once to `currency`'s minor unit with `step`'s mode: 12.345 USD at
    /// `half_even` is 12.34 USD, at `half_up` 12.35 USD.
    ///
    /// An error only when the result does not fit in `i64` minor units.
    pub fn from_decimal(
        amount: Decimal,
        currency: Currency,
        step: RoundingStep,
    ) -> Result<Money, MoneyError> {
        let shift = i32::from(currency.exponent()) - amount.scale() as i32;
        round_scaled(
            amount.is_sign_negative(),
            amount.mantissa().unsigned_abs(),
            1,
            shift,
            step.mode(),
        )
        .map(|minor| Money::from_minor(minor, currency))
        .ok_or_else(|| MoneyError::Overflow {
            operation: format!("{amount} {currency} rounded at step {step}"),
        })
    }

    /// `self × rate` in the same currency (a duty or VAT amount, a discount),
    /// multiplied exactly and rounded once to the currency's minor unit with
    /// `step`'s mode. `rate` is a fraction: VAT 19 % is `Rate::percent("19")`.
    ///
    /// An error only when the result does not fit in `i64` minor units.
    pub fn mul_rate(self, rate: Rate, step: RoundingStep) -> Result<Money, MoneyError> {
        self.times_rate_in(rate, self.currency(), step)
            .ok_or_else(|| MoneyError::Overflow {
                operation: format!("{self} * {rate} rounded at step {step}"),
            })
    }

    /// Converts into `target` at `rate` = units of `target` per one unit of
    /// `self`'s currency (major units: USD→CNY `7.1234` turns 100.00 USD into
    /// 712.34 CNY). The product is exact; it is rounded once, to `target`'s
    /// exponent, with `step`'s mode (so converting to JPY rounds to whole yen).
    ///
    /// Errors: a zero rate ([`MoneyError::ZeroExchangeRate`]), or a result
    /// beyond `i64` minor units.
    pub fn convert(
        self,
        rate: Rate,
        target: Currency,
        step: RoundingStep,
    ) -> Result<Money, MoneyError> {
        if rate.is_zero() {
            return Err(MoneyError::ZeroExchangeRate {
                amount: self.to_string(),
                target,
            });
        }
        self.times_rate_in(rate, target, step)
            .ok_or_else(|| MoneyError::Overflow {
                operation: format!(
                    "{self} converted to {target} at {rate}, rounded at step {step}"
                ),
            })
    }

    /// `self × rate` expressed in `target`'s minor units, rounded once.
    fn times_rate_in(self, rate: Rate, target: Currency, step: RoundingStep) -> Option<Money> {
        let rate = rate.as_decimal();
        // minor × 10^-source_exp × mantissa × 10^-scale, in units of 10^-target_exp.
        let shift = i32::from(target.exponent())
            - i32::from(self.currency().exponent())
            - rate.scale() as i32;
        round_scaled(
            self.is_negative(),
            u128::from(self.minor().unsigned_abs()),
            rate.mantissa().unsigned_abs(),
            shift,
            step.mode(),
        )
        .map(|minor| Money::from_minor(minor, target))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RoundingMode::*;

    fn step(mode: RoundingMode) -> RoundingStep {
        RoundingStep::new("test_step", mode)
    }

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    fn round(text: &str, currency: Currency, mode: RoundingMode) -> String {
        Money::from_decimal(dec(text), currency, step(mode))
            .unwrap()
            .to_major_string()
    }

    #[test]
    fn names_are_stable_both_ways() {
        for (mode, name) in [
            (HalfEven, "half_even"),
            (HalfUp, "half_up"),
            (Up, "up"),
            (Down, "down"),
        ] {
            assert_eq!(mode.as_str(), name);
            assert_eq!(mode.to_string(), name);
            assert_eq!(name.parse::<RoundingMode>(), Ok(mode));
            assert_eq!(serde_json::to_string(&mode).unwrap(), format!("\"{name}\""));
            assert_eq!(
                serde_json::from_str::<RoundingMode>(&format!("\"{name}\"")).unwrap(),
                mode
            );
        }
        let err = "HalfEven".parse::<RoundingMode>().unwrap_err();
        assert!(err.to_string().contains("\"HalfEven\""), "{err}");
        assert!(serde_json::from_str::<RoundingMode>("\"half-even\"").is_err());
        let fx = RoundingStep::new("fx_conversion", HalfEven);
        assert_eq!((fx.name(), fx.mode()), ("fx_conversion", HalfEven));
        assert_eq!(fx.to_string(), "fx_conversion (half_even)");
    }

    #[test]
    fn each_mode_on_halves_to_whole_yen() {
        let cases = [
            // value, half_even, half_up, up, down
            ("0.5", "0", "1", "1", "0"),
            ("1.5", "2", "2", "2", "1"),
            ("2.5", "2", "3", "3", "2"),
            ("-0.5", "0", "-1", "-1", "0"),
            ("-1.5", "-2", "-2", "-2", "-1"),
            ("-2.5", "-2", "-3", "-3", "-2"),
            ("2.4", "2", "2", "3", "2"),
            ("2.6", "3", "3", "3", "2"),
            ("-2.4", "-2", "-2", "-3", "-2"),
            ("-2.6", "-3", "-3", "-3", "-2"),
            ("2.50000000000000000000000001", "3", "3", "3", "2"),
            ("7", "7", "7", "7", "7"),
        ];
        for (value, half_even, half_up, up, down) in cases {
            let jpy = Currency::JPY;
            assert_eq!(round(value, jpy, HalfEven), half_even, "{value} half_even");
            assert_eq!(round(value, jpy, HalfUp), half_up, "{value} half_up");
            assert_eq!(round(value, jpy, Up), up, "{value} up");
            assert_eq!(round(value, jpy, Down), down, "{value} down");
        }
    }

    #[test]
    fn half_even_on_quarter_and_tenths_to_cents_and_dimes() {
        // No ISO currency has one decimal, so the .25 → .2 / .35 → .4 cases
        // are checked one place further down: to cents.
        assert_eq!(round("0.025", Currency::USD, HalfEven), "0.02");
        assert_eq!(round("0.035", Currency::USD, HalfEven), "0.04");
        assert_eq!(round("-0.025", Currency::USD, HalfEven), "-0.02");
        assert_eq!(round("-0.035", Currency::USD, HalfEven), "-0.04");
        assert_eq!(round("0.025", Currency::USD, HalfUp), "0.03");
        assert_eq!(round("-0.025", Currency::USD, HalfUp), "-0.03");
        assert_eq!(round("12.345", Currency::USD, HalfEven), "12.34");
        assert_eq!(round("12.355", Currency::USD, HalfEven), "12.36");
        // To whole yen: 0.25 and 0.35 are below the half.
        assert_eq!(round("0.25", Currency::JPY, HalfEven), "0");
        assert_eq!(round("0.35", Currency::JPY, HalfEven), "0");
        assert_eq!(round("0.25", Currency::JPY, Up), "1");
    }

    #[test]
    fn rounds_to_three_decimals_for_bhd_and_pads_short_values() {
        assert_eq!(round("1.2345", Currency::BHD, HalfEven), "1.234");
        assert_eq!(round("1.2355", Currency::BHD, HalfEven), "1.236");
        assert_eq!(round("1.2345", Currency::BHD, HalfUp), "1.235");
        assert_eq!(round("1.2341", Currency::BHD, Up), "1.235");
        assert_eq!(round("-1.2349", Currency::BHD, Down), "-1.234");
        assert_eq!(round("1.2", Currency::BHD, Down), "1.200");
        assert_eq!(round("70", Currency::USD, Down), "70.00");
    }

    #[test]
    fn from_decimal_overflow_is_an_error() {
        let huge = dec("92233720368547758.08");
        let err = Money::from_decimal(huge, Currency::USD, step(Down)).unwrap_err();
        assert!(matches!(err, MoneyError::Overflow { .. }));
        assert!(
            err.to_string().contains("92233720368547758.08 USD"),
            "{err}"
        );
        assert!(err.to_string().contains("test_step"), "{err}");
        assert_eq!(
            Money::from_decimal(dec("-92233720368547758.08"), Currency::USD, step(Down)),
            Ok(Money::from_minor(i64::MIN, Currency::USD))
        );
        assert!(Money::from_decimal(Decimal::MAX, Currency::JPY, step(Down)).is_err());
        // Rounding up across the limit is caught too.
        let edge = dec("92233720368547758.075");
        assert!(Money::from_decimal(edge, Currency::USD, step(Up)).is_err());
        assert!(Money::from_decimal(edge, Currency::USD, step(Down)).is_ok());
    }

    #[test]
    fn mul_rate_applies_vat_and_duty() {
        let price = Money::from_minor(7000, Currency::EUR);
        let vat = Rate::percent("19").unwrap();
        assert_eq!(
            price.mul_rate(vat, step(HalfUp)),
            Ok(Money::from_minor(1330, Currency::EUR))
        );
        // 0.05 EUR × 10 % = 0.005 EUR: the half case.
        let tiny = Money::from_minor(5, Currency::EUR);
        let ten = Rate::percent("10").unwrap();
        assert_eq!(tiny.mul_rate(ten, step(HalfEven)).unwrap().minor(), 0);
        assert_eq!(tiny.mul_rate(ten, step(HalfUp)).unwrap().minor(), 1);
        assert_eq!(
            tiny.checked_neg()
                .unwrap()
                .mul_rate(ten, step(HalfUp))
                .unwrap()
                .minor(),
            -1
        );
        assert_eq!(
            price.mul_rate(Rate::ZERO, step(Up)),
            Ok(Money::zero(Currency::EUR))
        );
        let max = Money::from_minor(i64::MAX, Currency::EUR);
        assert!(max
            .mul_rate(Rate::parse("1.01").unwrap(), step(Down))
            .is_err());
    }

    #[test]
    fn convert_rounds_once_to_the_target_exponent() {
        let rate = Rate::parse("7.1234").unwrap();
        let usd = Money::from_minor(10_000, Currency::USD);
        let cny = usd.convert(rate, Currency::CNY, step(HalfEven)).unwrap();
        assert_eq!(cny, Money::from_minor(71_234, Currency::CNY));
        // 1.00 USD at 155.5 JPY: 155.5 yen, half to even → 156, down → 155.
        let one = Money::from_minor(100, Currency::USD);
        let jpy_rate = Rate::parse("155.5").unwrap();
        assert_eq!(
            one.convert(jpy_rate, Currency::JPY, step(HalfEven))
                .unwrap()
                .minor(),
            156
        );
        assert_eq!(
            one.convert(jpy_rate, Currency::JPY, step(Down))
                .unwrap()
                .minor(),
            155
        );
        // JPY → BHD: more decimals in the target than in the source.
        let yen = Money::from_minor(1000, Currency::JPY);
        let bhd = yen.convert(
            Rate::parse("0.0025").unwrap(),
            Currency::BHD,
            step(HalfEven),
        );
        assert_eq!(bhd, Ok(Money::from_minor(2500, Currency::BHD)));
        let err = one
            .convert(Rate::ZERO, Currency::JPY, step(Down))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot convert 1.00 USD to JPY at an exchange rate of zero"
        );
    }

    #[test]
    fn convert_is_exact_where_a_decimal_product_would_truncate() {
        // 28 significant digits in the rate times 19 in the amount: more than a
        // Decimal holds, yet rounded exactly once.
        let rate = Rate::parse("1.000000000000000000000000005").unwrap();
        let big = Money::from_minor(1_000_000_000_000_000_000, Currency::USD);
        let out = big.convert(rate, Currency::EUR, step(Up)).unwrap();
        assert_eq!(out.minor(), 1_000_000_000_000_000_001);
        let out = big.convert(rate, Currency::EUR, step(HalfEven)).unwrap();
        assert_eq!(out.minor(), 1_000_000_000_000_000_000);
        let err = Money::from_minor(i64::MAX, Currency::USD)
            .convert(Rate::parse("1000").unwrap(), Currency::JPY, step(Down))
            .unwrap_err();
        assert!(err.to_string().contains("converted to JPY"), "{err}");
    }
}
