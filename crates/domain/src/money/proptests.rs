//! Property tests: allocation, text round trips and rounding bounds.
//!
//! Exact reference values are computed with `Decimal` on inputs small enough
//! that `Decimal` itself stays exact.

use proptest::prelude::*;

use super::{Currency, Decimal, Money, MoneyError, Rate, RoundingMode, RoundingStep};

fn any_currency() -> impl Strategy<Value = Currency> {
    proptest::sample::select(Currency::all())
}

fn any_mode() -> impl Strategy<Value = RoundingMode> {
    proptest::sample::select(RoundingMode::ALL.to_vec())
}

/// A rate with up to 9 significant digits and up to 9 decimals, never zero.
fn any_rate() -> impl Strategy<Value = Rate> {
    (1i64..1_000_000_000, 0u32..=9)
        .prop_map(|(mantissa, scale)| Rate::from_decimal(Decimal::new(mantissa, scale)).unwrap())
}

fn step(mode: RoundingMode) -> RoundingStep {
    RoundingStep::new("proptest", mode)
}

/// One minor unit of `currency`, in major units.
fn unit(currency: Currency) -> Decimal {
    Decimal::new(1, u32::from(currency.exponent()))
}

/// Checks `rounded` against the `exact` value: within a unit, within half a
/// unit for the half modes, on the right side of `exact` for `up` and `down`.
fn check_rounding(exact: Decimal, rounded: Money, mode: RoundingMode) -> Result<(), TestCaseError> {
    let unit = unit(rounded.currency());
    let got = rounded.to_decimal();
    let error = got - exact;
    prop_assert!(
        error.abs() < unit,
        "{exact} → {rounded}: off by a unit or more"
    );
    match mode {
        RoundingMode::HalfEven | RoundingMode::HalfUp => {
            prop_assert!(
                error.abs() * Decimal::TWO <= unit,
                "{exact} → {rounded} at {mode}: beyond half a unit"
            );
        }
        // Up is away from zero, Down toward zero.
        RoundingMode::Up => prop_assert!(got.abs() >= exact.abs(), "{exact} → {rounded} at up"),
        RoundingMode::Down => prop_assert!(got.abs() <= exact.abs(), "{exact} → {rounded} at down"),
    }
    prop_assert!(
        got.is_zero() || exact.is_zero() || (got.is_sign_negative() == exact.is_sign_negative())
    );
    Ok(())
}

proptest! {
    #[test]
    fn allocation_sums_exactly_and_each_part_is_within_a_unit(
        minor in any::<i64>(),
        weights in proptest::collection::vec(0u64..=u64::from(u32::MAX), 1..16),
    ) {
        let total: u64 = weights.iter().sum();
        prop_assume!(total > 0);
        let money = Money::from_minor(minor, Currency::USD);
        let parts = money.allocate(&weights).unwrap();
        prop_assert_eq!(parts.len(), weights.len());
        let sum: i128 = parts.iter().map(|p| i128::from(p.minor())).sum();
        prop_assert_eq!(sum, i128::from(minor));
        for (part, &weight) in parts.iter().zip(&weights) {
            prop_assert_eq!(part.currency(), Currency::USD);
            // |part − minor × w / total| < 1  ⇔  |part × total − minor × w| < total
            let gap = i128::from(part.minor()) * i128::from(total)
                - i128::from(minor) * i128::from(weight);
            prop_assert!(gap.abs() < i128::from(total), "part {part} for weight {weight}");
        }
    }

    #[test]
    fn allocation_is_symmetric_for_negative_amounts(
        minor in (i64::MIN + 1)..=i64::MAX,
        weights in proptest::collection::vec(1u64..1000, 1..10),
    ) {
        let positive = Money::from_minor(minor, Currency::EUR).allocate(&weights).unwrap();
        let negative = Money::from_minor(-minor, Currency::EUR).allocate(&weights).unwrap();
        for (p, n) in positive.iter().zip(&negative) {
            prop_assert_eq!(p.minor(), -n.minor());
        }
    }

    #[test]
    fn even_split_parts_differ_by_at_most_one_and_sum_exactly(
        minor in any::<i64>(),
        parts in 1usize..50,
    ) {
        let split = Money::from_minor(minor, Currency::JPY).split_evenly(parts).unwrap();
        let sum: i128 = split.iter().map(|p| i128::from(p.minor())).sum();
        prop_assert_eq!(sum, i128::from(minor));
        let max = split.iter().map(|p| p.minor()).max().unwrap();
        let min = split.iter().map(|p| p.minor()).min().unwrap();
        prop_assert!(max - min <= 1);
    }

    #[test]
    fn decimal_weights_match_scaled_integer_weights(
        minor in any::<i64>(),
        weights in proptest::collection::vec(0u64..1_000_000, 1..10),
        scale in 0u32..6,
    ) {
        prop_assume!(weights.iter().any(|&w| w > 0));
        let decimals: Vec<Decimal> =
            weights.iter().map(|&w| Decimal::new(w as i64, scale)).collect();
        let money = Money::from_minor(minor, Currency::GBP);
        prop_assert_eq!(
            money.allocate_by_decimal(&decimals).unwrap(),
            money.allocate(&weights).unwrap()
        );
    }

    #[test]
    fn text_and_json_round_trip(minor in any::<i64>(), currency in any_currency()) {
        let money = Money::from_minor(minor, currency);
        let text = money.to_major_string();
        prop_assert_eq!(Money::parse_major(&text, currency), Ok(money));
        let decimals = text.split_once('.').map_or(0, |(_, f)| f.len());
        prop_assert_eq!(decimals, usize::from(currency.exponent()));
        let json = serde_json::to_string(&money).unwrap();
        prop_assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), money);
        let back = Money::from_decimal(money.to_decimal(), currency, step(RoundingMode::Up));
        prop_assert_eq!(back, Ok(money));
    }

    #[test]
    fn parse_accepts_any_plain_decimal_with_allowed_decimals(
        whole in 0u64..1_000_000_000_000,
        fraction in proptest::option::of("[0-9]{1,4}"),
        negative in any::<bool>(),
        currency in any_currency(),
    ) {
        let text = format!(
            "{}{whole}{}",
            if negative { "-" } else { "" },
            fraction.as_deref().map(|f| format!(".{f}")).unwrap_or_default()
        );
        let decimals = fraction.as_deref().map_or(0, str::len);
        match Money::parse_major(&text, currency) {
            Ok(money) => {
                prop_assert!(decimals <= usize::from(currency.exponent()));
                prop_assert_eq!(money.to_decimal(), Decimal::from_str_exact(&text).unwrap());
            }
            Err(MoneyError::TooManyDecimals { .. }) => {
                prop_assert!(decimals > usize::from(currency.exponent()));
            }
            Err(other) => prop_assert!(false, "{text}: {other}"),
        }
    }

    #[test]
    fn from_decimal_rounds_within_bounds(
        mantissa in any::<i64>(),
        scale in 0u32..=12,
        currency in any_currency(),
        mode in any_mode(),
    ) {
        let exact = Decimal::new(mantissa, scale);
        let rounded = Money::from_decimal(exact, currency, step(mode));
        match rounded {
            Ok(money) => check_rounding(exact, money, mode)?,
            // Only when the value itself is beyond i64 minor units.
            Err(MoneyError::Overflow { .. }) => {
                prop_assert!(exact.abs() / unit(currency) > Decimal::from(i64::MAX - 1));
            }
            Err(other) => prop_assert!(false, "{other}"),
        }
    }

    #[test]
    fn convert_rounds_once_within_bounds(
        minor in -1_000_000_000_000i64..=1_000_000_000_000,
        from in any_currency(),
        to in any_currency(),
        rate in any_rate(),
        mode in any_mode(),
    ) {
        let money = Money::from_minor(minor, from);
        // Exact: at most 13 + 9 digits and 13 decimals, well inside Decimal.
        let exact = money.to_decimal() * rate.as_decimal();
        match money.convert(rate, to, step(mode)) {
            Ok(converted) => {
                prop_assert_eq!(converted.currency(), to);
                check_rounding(exact, converted, mode)?;
            }
            Err(MoneyError::Overflow { .. }) => {
                prop_assert!(exact.abs() / unit(to) > Decimal::from(i64::MAX - 1));
            }
            Err(other) => prop_assert!(false, "{other}"),
        }
        // mul_rate is convert into the same currency.
        let same = money.mul_rate(rate, step(mode)).ok();
        prop_assert_eq!(same, money.convert(rate, from, step(mode)).ok());
    }

    #[test]
    fn modes_are_ordered_and_symmetric(
        mantissa in 0i64..=i64::MAX,
        scale in 0u32..=8,
        currency in any_currency(),
    ) {
        let exact = Decimal::new(mantissa, scale);
        let round = |value: Decimal, mode| {
            Money::from_decimal(value, currency, step(mode)).map(Money::minor)
        };
        let (Ok(down), Ok(up), Ok(half_up), Ok(half_even)) = (
            round(exact, RoundingMode::Down),
            round(exact, RoundingMode::Up),
            round(exact, RoundingMode::HalfUp),
            round(exact, RoundingMode::HalfEven),
        ) else {
            return Ok(()); // beyond i64 after rounding up: covered elsewhere
        };
        let minor_units = exact / unit(currency);
        // For positives: down ≤ exact ≤ up, and the half modes lie between.
        prop_assert!(Decimal::from(down) <= minor_units && minor_units <= Decimal::from(up));
        prop_assert!(up - down <= 1);
        prop_assert_eq!(up == down, minor_units.fract().is_zero());
        prop_assert!(down <= half_even && half_even <= half_up && half_up <= up);
        // Half-up and half-even disagree only on an exact tie, landing on an even unit.
        if half_up != half_even {
            prop_assert_eq!(minor_units.fract(), Decimal::new(5, 1));
            prop_assert_eq!(half_even % 2, 0);
        }
        // Every mode is symmetric about zero.
        for mode in RoundingMode::ALL {
            let positive = round(exact, mode).unwrap();
            prop_assert_eq!(round(-exact, mode), Ok(-positive), "{}", mode);
        }
    }
}
