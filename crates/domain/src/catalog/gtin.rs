//! `Gtin`: a GS1 Global Trade Item Number (the barcode on a variant).

use std::fmt;
use std::str::FromStr;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use super::spreadsheet::{echo, looks_like_scientific_notation, SCIENTIFIC_NOTATION_REASON};

/// Why a barcode was refused. Each message says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GtinError {
    /// The cell was turned into scientific notation (`4.6347E+11`): digits are lost.
    #[error("barcode {input:?} {SCIENTIFIC_NOTATION_REASON}")]
    ScientificNotation {
        /// The text that was given (shortened).
        input: String,
    },
    /// The text holds something other than the digits 0–9.
    #[error("barcode {input:?} must contain only the digits 0-9; found {found:?} at character {position}")]
    NotDigits {
        /// The text that was given (shortened).
        input: String,
        /// The first offending character.
        found: char,
        /// Its 1-based position.
        position: usize,
    },
    /// The number of digits is not 8, 12, 13 or 14.
    #[error("barcode {input:?} has {digits} digits; a GTIN has 8 (EAN-8), 12 (UPC-A), 13 (EAN-13) or 14 (GTIN-14){hint}")]
    WrongLength {
        /// The text that was given (shortened).
        input: String,
        /// How many digits it has.
        digits: usize,
        /// An extra hint, e.g. about a dropped leading zero (may be empty).
        hint: &'static str,
    },
    /// The last digit does not match the GS1 mod-10 check digit of the others.
    #[error("barcode {input:?} has check digit {found} but its other digits require {expected}; a digit is probably mistyped")]
    BadCheckDigit {
        /// The text that was given.
        input: String,
        /// The last digit as given.
        found: u8,
        /// The check digit the other digits require.
        expected: u8,
    },
}

/// A GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN-13) or GTIN-14 with a valid GS1
/// mod-10 check digit, kept exactly as given (leading zeros included).
///
/// Two GTINs of different lengths can name the same item (`0614141000036`
/// and `614141000036`); compare [`Gtin::to_gtin14`] for that. `Display` and
/// serde use the digits as given.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gtin {
    digits: [u8; 14],
    len: u8,
}

impl Gtin {
    /// Parses the digits of a GTIN. No blanks, signs or separators are
    /// accepted (a caller reading a cell trims it first).
    pub fn parse(text: &str) -> Result<Gtin, GtinError> {
        if looks_like_scientific_notation(text) {
            return Err(GtinError::ScientificNotation { input: echo(text) });
        }
        if let Some((index, found)) = text.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
            return Err(GtinError::NotDigits {
                input: echo(text),
                found,
                position: index + 1,
            });
        }
        let digits = text.len();
        if !matches!(digits, 8 | 12 | 13 | 14) {
            let hint = match digits {
                7 | 11 => {
                    "; a spreadsheet may have dropped a leading zero (format the column as text)"
                }
                _ => "",
            };
            return Err(GtinError::WrongLength {
                input: echo(text),
                digits,
                hint,
            });
        }
        let bytes = text.as_bytes();
        let expected = check_digit(&bytes[..digits - 1]);
        let found = bytes[digits - 1] - b'0';
        if found != expected {
            return Err(GtinError::BadCheckDigit {
                input: text.to_owned(),
                found,
                expected,
            });
        }
        let mut stored = [0u8; 14];
        stored[..digits].copy_from_slice(bytes);
        Ok(Gtin {
            digits: stored,
            len: digits as u8,
        })
    }

    /// The digits as given, e.g. `"4006381333931"`.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.digits[..usize::from(self.len)]).expect("GTIN digits are ASCII")
    }

    /// How many digits: 8, 12, 13 or 14.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Always false: a GTIN has at least 8 digits (here for clippy's `len` rule).
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The 14-digit form, left-padded with zeros: the key under which GS1
    /// treats GTINs of different lengths as the same item.
    pub fn to_gtin14(&self) -> String {
        format!("{:0>14}", self.as_str())
    }
}

/// The GS1 mod-10 check digit for `payload` (ASCII digits, check digit
/// excluded): from the right, weights 3, 1, 3, 1…; the check digit brings the
/// weighted sum up to a multiple of 10.
pub fn gs1_check_digit(payload: &str) -> Option<u8> {
    if payload.is_empty() || !payload.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(check_digit(payload.as_bytes()))
}

fn check_digit(payload: &[u8]) -> u8 {
    let sum: u32 = payload
        .iter()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

impl fmt::Display for Gtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Gtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Gtin({})", self.as_str())
    }
}

impl FromStr for Gtin {
    type Err = GtinError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Gtin::parse(s)
    }
}

impl Serialize for Gtin {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Gtin {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Gtin::parse(&text).map_err(de::Error::custom)
    }
}
