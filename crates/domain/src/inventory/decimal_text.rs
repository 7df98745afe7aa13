//! Serde for exact decimals (volumes, m³-days) as JSON strings such as
//! `"0.018"`, never numbers, as for money and rates.

use std::fmt;

use rust_decimal::Decimal;
use serde::de::{self, Visitor};
use serde::{Deserializer, Serializer};

pub(crate) fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&value.normalize())
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    struct DecimalVisitor;
    impl Visitor<'_> for DecimalVisitor {
        type Value = Decimal;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a plain decimal string such as \"0.018\" (not a JSON number)")
        }
        fn visit_str<E: de::Error>(self, text: &str) -> Result<Decimal, E> {
            let digits = text.strip_prefix('-').unwrap_or(text);
            let plain = !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                && !digits.starts_with('.')
                && !digits.ends_with('.')
                && digits.bytes().filter(|&b| b == b'.').count() <= 1;
            if !plain {
                return Err(E::custom(format!("{text:?} is not a plain decimal")));
            }
            Decimal::from_str_exact(text)
                .map_err(|_| E::custom(format!("{text:?} has too many digits")))
        }
    }
    deserializer.deserialize_str(DecimalVisitor)
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Volume(#[serde(with = "super")] Decimal);

    #[test]
    fn strings_only_and_normalised() {
        let v = Volume(Decimal::new(18_000, 6));
        assert_eq!(serde_json::to_string(&v).unwrap(), "\"0.018\"");
        let back: Volume = serde_json::from_str("\"0.018\"").unwrap();
        assert_eq!(back, v);
        assert!(serde_json::from_str::<Volume>("0.018").is_err());
        for bad in ["\"\"", "\".5\"", "\"5.\"", "\"1e3\"", "\"1.2.3\"", "\"-\""] {
            assert!(serde_json::from_str::<Volume>(bad).is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<Volume>("\"-1.5\"").is_ok());
    }
}
