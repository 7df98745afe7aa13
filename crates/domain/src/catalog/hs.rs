//! HS codes: the 6-digit international subheading (`HsCode`) and the 8–10
//! digit national tariff line built on it (`TariffCode`).
//!
//! HS 2022 is in force (HS 2028 from 2028-01-01). National lines: EU CN 8 /
//! TARIC 10, US HTS 8 + 2 statistical, UK 10, China 10 (TRADE-RULES.md,
//! "Codes"). Whether a code exists is a question for
//! [`HsNomenclature`](super::HsNomenclature); these types only check form.

use std::fmt;
use std::str::FromStr;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use super::spreadsheet::{echo, looks_like_scientific_notation, SCIENTIFIC_NOTATION_REASON};

/// Why an HS code or tariff code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HsCodeError {
    /// The cell was turned into scientific notation by a spreadsheet.
    #[error("code {input:?} {SCIENTIFIC_NOTATION_REASON}")]
    ScientificNotation {
        /// The text that was given (shortened).
        input: String,
    },
    /// Something other than digits, dots and spaces.
    #[error("code {input:?} must contain only digits (dots and spaces between groups are allowed); found {found:?}")]
    NotDigits {
        /// The text that was given (shortened).
        input: String,
        /// The first offending character.
        found: char,
    },
    /// The number of digits is wrong for the kind of code.
    #[error("code {input:?} has {digits} digits; {expected}{hint}")]
    WrongLength {
        /// The text that was given (shortened).
        input: String,
        /// How many digits it has (separators not counted).
        digits: usize,
        /// What was expected, e.g. "an HS code has 6 digits".
        expected: &'static str,
        /// A hint for the usual causes (may be empty).
        hint: String,
    },
}

/// Strips the separators people write inside codes (`9405.42`, `9405 42 00`)
/// and checks that only digits remain.
fn digits_of(text: &str) -> Result<String, HsCodeError> {
    if looks_like_scientific_notation(text) {
        return Err(HsCodeError::ScientificNotation { input: echo(text) });
    }
    let mut digits = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '0'..='9' => digits.push(c),
            '.' | ' ' => {}
            _ => {
                return Err(HsCodeError::NotDigits {
                    input: echo(text),
                    found: c,
                })
            }
        }
    }
    Ok(digits)
}

/// A 6-digit HS subheading such as `940542` ("Luminaires and light
/// fittings; electric, designed for use solely with LED light sources").
///
/// Accepts `"940542"`, `"9405.42"` and `"9405 42"`; always shown and
/// serialised as the bare 6 digits. Only the form is checked here.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HsCode([u8; 6]);

impl HsCode {
    /// Parses and normalises a 6-digit HS code.
    pub fn parse(text: &str) -> Result<HsCode, HsCodeError> {
        let digits = digits_of(text)?;
        let bytes: [u8; 6] = digits.as_bytes().try_into().map_err(|_| {
            let hint = match digits.len() {
                0 => String::new(),
                2 => "; that is a chapter, choose a 6-digit subheading in it".to_owned(),
                4 => "; that is a heading, choose a 6-digit subheading in it".to_owned(),
                3 | 5 => "; a spreadsheet may have dropped a leading or trailing zero (format the column as text)".to_owned(),
                7..=10 => format!(
                    "; that looks like a national tariff line, whose HS code is its first 6 digits ({})",
                    &digits[..6]
                ),
                _ => String::new(),
            };
            HsCodeError::WrongLength {
                input: echo(text),
                digits: digits.len(),
                expected: "an HS code has 6 digits",
                hint,
            }
        })?;
        Ok(HsCode(bytes))
    }

    /// The six digits, e.g. `"940542"`.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("HS digits are ASCII")
    }

    /// The 2-digit chapter, e.g. `"94"`.
    pub fn chapter(&self) -> &str {
        &self.as_str()[..2]
    }

    /// The 4-digit heading, e.g. `"9405"`.
    pub fn heading(&self) -> &str {
        &self.as_str()[..4]
    }

    /// The customary dotted form, e.g. `"9405.42"`.
    pub fn dotted(&self) -> String {
        format!("{}.{}", self.heading(), &self.as_str()[4..])
    }
}

/// A national tariff line of 8 to 10 digits (EU CN 8, TARIC 10, US HTS 8 or
/// 10, UK 10, China 10) whose first six digits are its HS code.
///
/// Accepts separators like `"9405.42.10"` or `"9405 42 10 00"`; shown and
/// serialised as bare digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TariffCode {
    digits: [u8; 10],
    len: u8,
}

impl TariffCode {
    /// Parses and normalises an 8–10 digit tariff line.
    pub fn parse(text: &str) -> Result<TariffCode, HsCodeError> {
        let digits = digits_of(text)?;
        if !(8..=10).contains(&digits.len()) {
            let hint = if digits.len() == 6 {
                "; that is an HS code; the national line adds 2 to 4 digits to it".to_owned()
            } else {
                String::new()
            };
            return Err(HsCodeError::WrongLength {
                input: echo(text),
                digits: digits.len(),
                expected: "a national tariff code has 8 to 10 digits",
                hint,
            });
        }
        let mut stored = [0u8; 10];
        stored[..digits.len()].copy_from_slice(digits.as_bytes());
        Ok(TariffCode {
            digits: stored,
            len: digits.len() as u8,
        })
    }

    /// The digits, e.g. `"9405421000"`.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.digits[..usize::from(self.len)]).expect("tariff digits are ASCII")
    }

    /// The HS code this line belongs to (its first six digits).
    pub fn hs_code(&self) -> HsCode {
        let mut six = [0u8; 6];
        six.copy_from_slice(&self.digits[..6]);
        HsCode(six)
    }
}

macro_rules! text_impls {
    ($ty:ident) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($ty), "({})"), self.as_str())
            }
        }

        impl FromStr for $ty {
            type Err = HsCodeError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $ty::parse(s)
            }
        }

        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                $ty::parse(&text).map_err(de::Error::custom)
            }
        }
    };
}

text_impls!(HsCode);
text_impls!(TariffCode);
