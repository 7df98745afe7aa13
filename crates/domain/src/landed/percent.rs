//! `Percent`: a duty or tax rate written as a percentage ("19", "8.1"),
//! and the decimal-string serde used for weights.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::money::{MoneyError, Rate};

/// A non-negative percentage such as VAT `19` or duty `3.7`, exact.
///
/// Data is written in percent (rules and tariff files are edited by
/// people who read "19 %"), computation uses the fraction
/// ([`Percent::fraction`], `0.19`). JSON: the percent as a decimal string,
/// `"19"`, `"8.1"`. `Display` is `19%`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Percent {
    percent: Decimal,
    fraction: Rate,
}

impl Percent {
    /// 0 %.
    pub const ZERO: Percent = Percent {
        percent: Decimal::ZERO,
        fraction: Rate::ZERO,
    };

    /// Parses a plain decimal percentage exactly: `"19"`, `"8.1"`, `"0"`.
    /// Refused: signs, exponent notation, blanks, more than 26 decimals.
    pub fn parse(text: &str) -> Result<Percent, MoneyError> {
        let fraction = Rate::percent(text)?;
        // Rate::percent accepted the text, so it is a plain decimal.
        let percent = Decimal::from_str_exact(text)
            .map_err(|_| MoneyError::InvalidRate {
                input: text.to_owned(),
                reason: "not a plain decimal",
            })?
            .normalize();
        Ok(Percent { percent, fraction })
    }

    /// The rate as a fraction (19 % is `0.19`), for computing.
    pub fn fraction(self) -> Rate {
        self.fraction
    }

    /// The percentage as a decimal (19 % is `19`).
    pub fn as_decimal(self) -> Decimal {
        self.percent
    }

    /// Whether it is 0 %.
    pub fn is_zero(self) -> bool {
        self.percent.is_zero()
    }
}

impl fmt::Display for Percent {
    /// `19%`, `8.1%`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.percent)
    }
}

impl fmt::Debug for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Percent({}%)", self.percent)
    }
}

impl FromStr for Percent {
    type Err = MoneyError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Percent::parse(text)
    }
}

impl Serialize for Percent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.percent)
    }
}

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PercentVisitor;
        impl Visitor<'_> for PercentVisitor {
            type Value = Percent;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a percentage as a decimal string such as \"19\" or \"8.1\"")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Percent, E> {
                Percent::parse(text).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(PercentVisitor)
    }
}

/// Serde for an exact non-negative `Decimal` written as a string
/// (`"0.25"` kg); JSON numbers are refused, as for money and rates.
pub(crate) mod decimal_string {
    use super::*;

    pub(crate) fn parse(text: &str) -> Result<Decimal, String> {
        let bad = |reason: &str| format!("{text:?} is not a non-negative decimal: {reason}");
        if text.is_empty()
            || !text.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            || text.starts_with('.')
            || text.ends_with('.')
            || text.bytes().filter(|&b| b == b'.').count() > 1
        {
            return Err(bad(
                "write digits with at most one decimal point, e.g. \"0.25\"",
            ));
        }
        Decimal::from_str_exact(text).map_err(|_| bad("too many digits"))
    }

    pub(crate) fn serialize<S: Serializer>(
        value: &Decimal,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Decimal, D::Error> {
        struct DecimalVisitor;
        impl Visitor<'_> for DecimalVisitor {
            type Value = Decimal;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal string such as \"0.25\" (not a JSON number)")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Decimal, E> {
                parse(text).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(DecimalVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_percent_and_keeps_the_fraction_exact() {
        let vat = Percent::parse("8.10").unwrap();
        assert_eq!(vat.to_string(), "8.1%");
        assert_eq!(vat.fraction(), Rate::parse("0.081").unwrap());
        assert_eq!(Percent::parse("0").unwrap(), Percent::ZERO);
        assert!(Percent::parse("-1").is_err());
        assert!(Percent::parse("1e2").is_err());
        assert_eq!(serde_json::to_string(&vat).unwrap(), "\"8.1\"");
        let back: Percent = serde_json::from_str("\"25.5\"").unwrap();
        assert_eq!(back.fraction(), Rate::parse("0.255").unwrap());
        assert!(serde_json::from_str::<Percent>("19").is_err());
    }

    #[test]
    fn decimal_strings_are_plain_and_non_negative() {
        assert_eq!(decimal_string::parse("0.25").unwrap(), Decimal::new(25, 2));
        for bad in ["", "-1", ".5", "5.", "1e3", "1,5", "1.2.3", " 1"] {
            assert!(decimal_string::parse(bad).is_err(), "{bad:?}");
        }
    }
}
