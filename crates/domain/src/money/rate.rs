//! `Rate`: an exact, non-negative decimal factor (FX, duty, VAT/GST).

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::decimal_text::split_plain_decimal;
use super::error::MoneyError;

/// An exact, non-negative decimal factor: an exchange rate (target major
/// units per one source major unit, e.g. USD→CNY `7.1234`), a duty rate or a
/// VAT/GST rate as a fraction (`0.19` for 19 %).
///
/// Never a float: it is parsed from text digit for digit (up to 28 decimals
/// and 28–29 significant digits, `rust_decimal`'s range) and is refused
/// rather than rounded when the text does not fit. In JSON (serde) it is a
/// string such as `"0.19"`.
///
/// Equality is numeric (`0.190 == 0.19`); `Display` keeps the digits as
/// given (`0.190`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Rate(Decimal);

impl Rate {
    /// The factor 0.
    pub const ZERO: Rate = Rate(Decimal::ZERO);
    /// The factor 1.
    pub const ONE: Rate = Rate(Decimal::ONE);

    /// Parses a plain decimal fraction exactly: `"0.19"`, `"7.1234"`, `"1"`.
    ///
    /// Refused: a sign (rates are never negative), exponent notation,
    /// `NaN`/`inf`, blanks, underscores, an empty string, and digits beyond an
    /// exact decimal's range.
    pub fn parse(text: &str) -> Result<Rate, MoneyError> {
        let invalid = |reason| MoneyError::InvalidRate {
            input: text.to_owned(),
            reason,
        };
        let parts = split_plain_decimal(text).map_err(invalid)?;
        if parts.negative {
            return Err(invalid("a rate cannot be negative"));
        }
        Decimal::from_str_exact(text).map(Rate).map_err(|_| {
            invalid("too many digits for an exact decimal (at most 28 decimals and 28 significant digits)")
        })
    }

    /// A percentage given as text, as a fraction: `percent("19")` is 0.19,
    /// `percent("7.5")` is 0.075. Exact; same rules as [`Rate::parse`].
    pub fn percent(text: &str) -> Result<Rate, MoneyError> {
        let Rate(mut value) = Rate::parse(text)?;
        // Dividing by 100 is moving the decimal point: exact by construction.
        value
            .set_scale(value.scale() + 2)
            .map_err(|_| MoneyError::InvalidRate {
                input: text.to_owned(),
                reason: "too many decimals for a percentage (at most 26)",
            })?;
        Ok(Rate(value))
    }

    /// Wraps a decimal that is already exact; refused when negative.
    pub fn from_decimal(value: Decimal) -> Result<Rate, MoneyError> {
        if value.is_sign_negative() && !value.is_zero() {
            return Err(MoneyError::InvalidRate {
                input: value.to_string(),
                reason: "a rate cannot be negative",
            });
        }
        // Normalise -0 to 0 so that Display never shows "-0".
        Ok(Rate(if value.is_zero() { value.abs() } else { value }))
    }

    /// The rate as a decimal (a fraction, not percent).
    pub fn as_decimal(self) -> Decimal {
        self.0
    }

    /// Whether the rate is zero.
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }
}

impl fmt::Display for Rate {
    /// The decimal fraction with the digits as given, e.g. `0.19`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Rate({})", self.0)
    }
}

impl FromStr for Rate {
    type Err = MoneyError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Rate::parse(text)
    }
}

impl Serialize for Rate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RateVisitor;

        impl Visitor<'_> for RateVisitor {
            type Value = Rate;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal string such as \"0.19\" (a rate must be a decimal string, not a JSON number)")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Rate, E> {
                Rate::parse(text).map_err(E::custom)
            }
        }

        deserializer.deserialize_str(RateVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exactly_and_displays_as_given() {
        let rate = Rate::parse("7.1234").unwrap();
        assert_eq!(rate.as_decimal(), Decimal::new(71234, 4));
        assert_eq!(rate.to_string(), "7.1234");
        assert_eq!(Rate::parse("0.190").unwrap().to_string(), "0.190");
        assert_eq!(Rate::parse("0.190").unwrap(), Rate::parse("0.19").unwrap());
        assert_eq!(Rate::parse("1").unwrap(), Rate::ONE);
        assert_eq!(Rate::parse("0").unwrap(), Rate::ZERO);
        assert!(Rate::parse("0.0").unwrap().is_zero());
        // 28 decimals is still exact.
        let fine = "0.1234567890123456789012345678";
        assert_eq!(Rate::parse(fine).unwrap().to_string(), fine);
    }

    #[test]
    fn percent_moves_the_point_two_places() {
        assert_eq!(Rate::percent("19").unwrap(), Rate::parse("0.19").unwrap());
        assert_eq!(Rate::percent("19").unwrap().to_string(), "0.19");
        assert_eq!(Rate::percent("7.5").unwrap().to_string(), "0.075");
        assert_eq!(Rate::percent("0").unwrap(), Rate::ZERO);
        assert_eq!(Rate::percent("100").unwrap(), Rate::ONE);
        assert!(Rate::percent("0.12345678901234567890123456").is_ok());
        assert!(Rate::percent("0.123456789012345678901234567").is_err());
        assert!(Rate::percent("-5").is_err());
    }

    #[test]
    fn refuses_anything_but_a_plain_decimal_and_names_it() {
        for bad in [
            "", "-0.19", "+0.19", "1e3", "1E-2", "NaN", "inf", " 1", "1 ", "1_000", "1,5", ".5",
            "5.", "0x10", "1.2.3", "--1", "١",
        ] {
            let err = Rate::parse(bad).unwrap_err();
            assert!(matches!(err, MoneyError::InvalidRate { .. }), "{bad:?}");
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
        let err = Rate::parse("1e3").unwrap_err().to_string();
        assert!(err.contains("exponent notation"), "{err}");
        let err = Rate::parse("-1").unwrap_err().to_string();
        assert!(err.contains("negative"), "{err}");
        // More than 28 decimals would need rounding: refused.
        assert!(Rate::parse("0.12345678901234567890123456789").is_err());
        assert!(Rate::parse("100000000000000000000000000000").is_err());
    }

    #[test]
    fn from_decimal_refuses_negative() {
        assert!(Rate::from_decimal(Decimal::new(-1, 2)).is_err());
        assert_eq!(
            Rate::from_decimal(Decimal::new(19, 2)).unwrap().to_string(),
            "0.19"
        );
        assert_eq!(Rate::from_decimal(-Decimal::ZERO).unwrap().to_string(), "0");
    }

    #[test]
    fn serde_is_a_string() {
        let rate = Rate::parse("0.075").unwrap();
        assert_eq!(serde_json::to_string(&rate).unwrap(), "\"0.075\"");
        assert_eq!(serde_json::from_str::<Rate>("\"0.075\"").unwrap(), rate);
        let err = serde_json::from_str::<Rate>("0.075")
            .unwrap_err()
            .to_string();
        assert!(err.contains("decimal string"), "{err}");
        assert!(serde_json::from_str::<Rate>("\"1e2\"").is_err());
    }
}
