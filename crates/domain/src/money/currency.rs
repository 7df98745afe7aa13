//! `Currency`: an active ISO 4217 currency that money can be held in.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::MoneyError;
use super::iso4217::{CurrencyRow, CODES_WITHOUT_MINOR_UNIT, CURRENCY_COUNT, CURRENCY_TABLE};

/// An active ISO 4217 currency with a minor unit, e.g. USD (exponent 2),
/// JPY (0), BHD (3).
///
/// A `Currency` that exists is valid: it can only be made from the built-in
/// ISO 4217 table (`Currency::from_code`, the constants, `Currency::all`).
/// Codes whose ISO minor unit is "N.A." (XAU, XDR, XXX…) are not in the
/// table, so money can never be made of them.
///
/// It is a small `Copy` handle. Ordering is by alpha code. In JSON (serde)
/// it is the code string, e.g. `"AUD"`, checked when read.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency(u16);

/// Every table row as a `Currency`, in code order.
static ALL_CURRENCIES: [Currency; CURRENCY_COUNT] = {
    let mut all = [Currency(0); CURRENCY_COUNT];
    let mut i = 0;
    while i < all.len() {
        all[i] = Currency(i as u16);
        i += 1;
    }
    all
};

impl Currency {
    /// UAE Dirham (exponent 2).
    pub const AED: Currency = Currency::known("AED");
    /// Australian Dollar (exponent 2).
    pub const AUD: Currency = Currency::known("AUD");
    /// Bahraini Dinar (exponent 3).
    pub const BHD: Currency = Currency::known("BHD");
    /// Canadian Dollar (exponent 2).
    pub const CAD: Currency = Currency::known("CAD");
    /// Swiss Franc (exponent 2).
    pub const CHF: Currency = Currency::known("CHF");
    /// Chinese Yuan Renminbi (exponent 2).
    pub const CNY: Currency = Currency::known("CNY");
    /// Euro (exponent 2).
    pub const EUR: Currency = Currency::known("EUR");
    /// Pound Sterling (exponent 2).
    pub const GBP: Currency = Currency::known("GBP");
    /// Hong Kong Dollar (exponent 2).
    pub const HKD: Currency = Currency::known("HKD");
    /// Japanese Yen (exponent 0).
    pub const JPY: Currency = Currency::known("JPY");
    /// South Korean Won (exponent 0).
    pub const KRW: Currency = Currency::known("KRW");
    /// Norwegian Krone (exponent 2).
    pub const NOK: Currency = Currency::known("NOK");
    /// New Zealand Dollar (exponent 2).
    pub const NZD: Currency = Currency::known("NZD");
    /// Saudi Riyal (exponent 2).
    pub const SAR: Currency = Currency::known("SAR");
    /// Swedish Krona (exponent 2).
    pub const SEK: Currency = Currency::known("SEK");
    /// Singapore Dollar (exponent 2).
    pub const SGD: Currency = Currency::known("SGD");
    /// US Dollar (exponent 2).
    pub const USD: Currency = Currency::known("USD");

    /// Finds a code in the table at compile time; a missing code fails the build.
    const fn known(code: &str) -> Currency {
        let wanted = code.as_bytes();
        let mut i = 0;
        while i < CURRENCY_TABLE.len() {
            let have = CURRENCY_TABLE[i].code.as_bytes();
            if have.len() == wanted.len()
                && have[0] == wanted[0]
                && have[1] == wanted[1]
                && have[2] == wanted[2]
            {
                return Currency(i as u16);
            }
            i += 1;
        }
        panic!("currency code missing from the ISO 4217 table");
    }

    /// The currency with this ISO 4217 alpha code, e.g. `"USD"`.
    ///
    /// Case-sensitive: `"usd"` is an error. Codes without a minor unit
    /// (`"XAU"`, `"XXX"`…) are an error too ([`MoneyError::NoMinorUnit`]).
    pub fn from_code(code: &str) -> Result<Currency, MoneyError> {
        match CURRENCY_TABLE.binary_search_by(|row| row.code.cmp(code)) {
            Ok(index) => Ok(Currency(index as u16)),
            Err(_) if CODES_WITHOUT_MINOR_UNIT.contains(&code) => Err(MoneyError::NoMinorUnit {
                code: code.to_owned(),
            }),
            Err(_) => Err(MoneyError::UnknownCurrency {
                code: code.to_owned(),
            }),
        }
    }

    /// Every currency money can be held in (all active ISO 4217 codes with
    /// a minor unit), sorted by code.
    pub fn all() -> &'static [Currency] {
        &ALL_CURRENCIES
    }

    fn row(self) -> &'static CurrencyRow {
        &CURRENCY_TABLE[usize::from(self.0)]
    }

    /// The ISO 4217 alpha code, e.g. `"USD"`.
    pub fn code(self) -> &'static str {
        self.row().code
    }

    /// The minor-unit exponent: digits after the decimal point in major
    /// units (USD 2, JPY 0, BHD 3). One major unit is `10^exponent` minor units.
    pub fn exponent(self) -> u8 {
        self.row().exponent
    }

    /// The ISO 4217 numeric code, e.g. 840 for USD (ISO writes it as three
    /// digits, so ALL's 8 is "008": format with `{:03}`).
    pub fn numeric(self) -> u16 {
        self.row().numeric
    }

    /// ISO 4217's English name, e.g. `"US Dollar"`.
    pub fn name(self) -> &'static str {
        self.row().name
    }
}

impl fmt::Display for Currency {
    /// The alpha code, e.g. `USD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.code())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.code())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Currency::from_code(code)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CodeVisitor;

        impl Visitor<'_> for CodeVisitor {
            type Value = Currency;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ISO 4217 currency code string such as \"USD\"")
            }

            fn visit_str<E: de::Error>(self, code: &str) -> Result<Currency, E> {
                Currency::from_code(code).map_err(E::custom)
            }
        }

        deserializer.deserialize_str(CodeVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_have_their_codes_and_exponents() {
        let expected = [
            (Currency::CNY, "CNY", 2, 156),
            (Currency::USD, "USD", 2, 840),
            (Currency::EUR, "EUR", 2, 978),
            (Currency::GBP, "GBP", 2, 826),
            (Currency::JPY, "JPY", 0, 392),
            (Currency::AUD, "AUD", 2, 36),
            (Currency::CAD, "CAD", 2, 124),
            (Currency::CHF, "CHF", 2, 756),
            (Currency::NZD, "NZD", 2, 554),
            (Currency::SGD, "SGD", 2, 702),
            (Currency::NOK, "NOK", 2, 578),
            (Currency::SEK, "SEK", 2, 752),
            (Currency::HKD, "HKD", 2, 344),
            (Currency::KRW, "KRW", 0, 410),
            (Currency::AED, "AED", 2, 784),
            (Currency::SAR, "SAR", 2, 682),
            (Currency::BHD, "BHD", 3, 48),
        ];
        for (currency, code, exponent, numeric) in expected {
            assert_eq!(currency.code(), code);
            assert_eq!(currency.exponent(), exponent, "{code}");
            assert_eq!(currency.numeric(), numeric, "{code}");
            assert_eq!(Currency::from_code(code), Ok(currency));
        }
        assert_eq!(Currency::USD.name(), "US Dollar");
        assert_eq!(Currency::JPY.name(), "Yen");
    }

    #[test]
    fn from_code_is_case_sensitive_and_names_the_bad_code() {
        let err = Currency::from_code("usd").unwrap_err();
        assert_eq!(err, MoneyError::UnknownCurrency { code: "usd".into() });
        assert!(err.to_string().contains("\"usd\""), "{err}");
        for bad in ["", "US", "USDD", " USD", "ZZZ", "€"] {
            assert!(Currency::from_code(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn codes_without_minor_unit_are_refused() {
        for code in ["XAU", "XDR", "XXX", "XTS", "XAG"] {
            let err = Currency::from_code(code).unwrap_err();
            assert_eq!(err, MoneyError::NoMinorUnit { code: code.into() });
            assert!(err.to_string().contains(code));
        }
    }

    #[test]
    fn all_is_sorted_unique_and_complete() {
        let all = Currency::all();
        assert_eq!(all.len(), 165);
        assert!(all.windows(2).all(|w| w[0].code() < w[1].code()));
        assert!(all.windows(2).all(|w| w[0] < w[1]));
        for &currency in all {
            assert_eq!(Currency::from_code(currency.code()), Ok(currency));
            assert!(currency.code().bytes().all(|b| b.is_ascii_uppercase()));
            assert!(currency.exponent() <= 4);
            assert!(!currency.name().is_empty());
        }
    }

    #[test]
    fn display_debug_and_from_str() {
        assert_eq!(Currency::BHD.to_string(), "BHD");
        assert_eq!(format!("{:?}", Currency::BHD), "Currency(BHD)");
        assert_eq!("NZD".parse::<Currency>(), Ok(Currency::NZD));
    }

    #[test]
    fn serde_is_the_code_string_and_validates() {
        assert_eq!(serde_json::to_string(&Currency::AUD).unwrap(), "\"AUD\"");
        let back: Currency = serde_json::from_str("\"AUD\"").unwrap();
        assert_eq!(back, Currency::AUD);
        let err = serde_json::from_str::<Currency>("\"aud\"").unwrap_err();
        assert!(
            err.to_string().contains("unknown currency code \"aud\""),
            "{err}"
        );
        assert!(serde_json::from_str::<Currency>("\"XAU\"").is_err());
        assert!(serde_json::from_str::<Currency>("36").is_err());
    }
}
