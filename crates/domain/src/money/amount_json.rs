//! Money's JSON (serde) form: `{"amount": "70.00", "currency": "AUD"}`.
//!
//! The amount is a decimal string in major units with exactly the
//! currency's decimals when written; when read it goes through
//! [`Money::parse_major`], so it must be exact for the currency. A JSON
//! number is refused: it would pass through a float in most clients.

use std::fmt;

use serde::de::{self, Visitor};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::amount::Money;
use super::currency::Currency;

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut fields = serializer.serialize_struct("Money", 2)?;
        fields.serialize_field("amount", self.major_text().as_str())?;
        fields.serialize_field("currency", &self.currency())?;
        fields.end()
    }
}

/// The wire shape, before the amount is checked against the currency.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MoneyJson {
    amount: AmountText,
    currency: Currency,
}

/// The `amount` field: only a JSON string is accepted.
struct AmountText(String);

const AMOUNT_MUST_BE_TEXT: &str = "amount must be a decimal string such as \"70.00\"";

impl<'de> Deserialize<'de> for AmountText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AmountVisitor;

        impl Visitor<'_> for AmountVisitor {
            type Value = AmountText;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(
                    f,
                    "a decimal string ({AMOUNT_MUST_BE_TEXT}, not a JSON number)"
                )
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<AmountText, E> {
                Ok(AmountText(text.to_owned()))
            }
        }

        deserializer.deserialize_str(AmountVisitor)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let MoneyJson { amount, currency } = MoneyJson::deserialize(deserializer)?;
        Money::parse_major(&amount.0, currency).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<Money, String> {
        serde_json::from_str::<Money>(json).map_err(|e| e.to_string())
    }

    #[test]
    fn writes_amount_as_exact_decimal_string() {
        let json = serde_json::to_string(&Money::from_minor(7000, Currency::AUD)).unwrap();
        assert_eq!(json, r#"{"amount":"70.00","currency":"AUD"}"#);
        let json = serde_json::to_string(&Money::from_minor(1500, Currency::JPY)).unwrap();
        assert_eq!(json, r#"{"amount":"1500","currency":"JPY"}"#);
        let json = serde_json::to_string(&Money::from_minor(-1250, Currency::BHD)).unwrap();
        assert_eq!(json, r#"{"amount":"-1.250","currency":"BHD"}"#);
    }

    #[test]
    fn reads_it_back() {
        assert_eq!(
            read(r#"{"amount": "70.00", "currency": "AUD"}"#),
            Ok(Money::from_minor(7000, Currency::AUD))
        );
        assert_eq!(
            read(r#"{"currency": "AUD", "amount": "70"}"#),
            Ok(Money::from_minor(7000, Currency::AUD))
        );
        for money in [
            Money::from_minor(i64::MIN, Currency::USD),
            Money::from_minor(1, Currency::BHD),
            Money::from_minor(-42, Currency::KRW),
        ] {
            let json = serde_json::to_string(&money).unwrap();
            assert_eq!(read(&json), Ok(money));
        }
    }

    #[test]
    fn refuses_a_json_number_saying_amount_must_be_a_string() {
        for json in [
            r#"{"amount": 70, "currency": "AUD"}"#,
            r#"{"amount": -70, "currency": "AUD"}"#,
            r#"{"amount": 70.5, "currency": "AUD"}"#,
        ] {
            let err = read(json).unwrap_err();
            assert!(err.contains("amount must be a decimal string"), "{err}");
        }
    }

    #[test]
    fn refuses_bad_fields_and_values() {
        let err = read(r#"{"amount": "70.00", "currency": "AUD", "note": "x"}"#).unwrap_err();
        assert!(err.contains("unknown field `note`"), "{err}");
        let err = read(r#"{"amount": "70.00"}"#).unwrap_err();
        assert!(err.contains("missing field `currency`"), "{err}");
        let err = read(r#"{"currency": "AUD"}"#).unwrap_err();
        assert!(err.contains("missing field `amount`"), "{err}");
        let err = read(r#"{"amount": "70.001", "currency": "AUD"}"#).unwrap_err();
        assert!(err.contains("at most 2"), "{err}");
        let err = read(r#"{"amount": "70.00", "currency": "XAU"}"#).unwrap_err();
        assert!(err.contains("XAU"), "{err}");
        let err = read(r#"{"amount": "1e3", "currency": "AUD"}"#).unwrap_err();
        assert!(err.contains("exponent"), "{err}");
        assert!(read(r#"{"amount": null, "currency": "AUD"}"#).is_err());
        assert!(read(r#""70.00 AUD""#).is_err());
    }
}
