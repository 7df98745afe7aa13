//! `Money`: an integer count of minor units in one currency.

use std::cmp::Ordering;
use std::fmt;

use rust_decimal::Decimal;

use super::currency::Currency;
use super::decimal_text::split_plain_decimal;
use super::error::MoneyError;

/// An amount of money: a signed integer count of the currency's minor units
/// (cents for USD, yen for JPY, fils for BHD) and the currency.
///
/// Every `i64` is a valid amount, so construction from minor units cannot
/// fail; arithmetic is checked and returns [`MoneyError`] on overflow or on
/// mixing currencies, never panicking or wrapping. Rounding from exact
/// decimals happens only in `Money::from_decimal`, `Money::mul_rate` and
/// `Money::convert`, each at a named [`RoundingStep`](super::RoundingStep).
///
/// `Display` is `"70.00 AUD"`; JSON (serde) is
/// `{"amount": "70.00", "currency": "AUD"}`.
///
/// Amounts in different currencies are not ordered, so `Money` has no
/// `PartialOrd`; use [`Money::checked_cmp`].
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// `minor` minor units of `currency`: `from_minor(7000, AUD)` is 70.00 AUD,
    /// `from_minor(1500, JPY)` is 1500 JPY, `from_minor(1250, BHD)` is 1.250 BHD.
    pub const fn from_minor(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    /// Zero in `currency`.
    pub const fn zero(currency: Currency) -> Money {
        Money::from_minor(0, currency)
    }

    /// The amount in minor units (cents for USD, yen for JPY).
    pub const fn minor(self) -> i64 {
        self.minor
    }

    /// The currency.
    pub const fn currency(self) -> Currency {
        self.currency
    }

    /// Parses an exact decimal string in major units: `"70.00"`, `"70"`,
    /// `"-0.5"`; for JPY `"1500"`, for BHD `"1.250"`.
    ///
    /// Fewer decimals than the currency's exponent are fine (`"70"` is
    /// 70.00 AUD); more are an error even when they are zeros (`"1500.0"` for
    /// JPY), since the text then claims a precision the currency lacks.
    /// Refused: `+`, blanks, separators, `.5`, `5.`, exponent notation,
    /// `NaN`, `inf`, empty text, and values beyond `i64` minor units.
    pub fn parse_major(text: &str, currency: Currency) -> Result<Money, MoneyError> {
        let parts = split_plain_decimal(text).map_err(|reason| MoneyError::InvalidAmount {
            input: text.to_owned(),
            reason,
        })?;
        let exponent = usize::from(currency.exponent());
        if parts.fraction.len() > exponent {
            return Err(MoneyError::TooManyDecimals {
                input: text.to_owned(),
                currency,
                decimals: parts.fraction.len(),
                allowed: currency.exponent(),
            });
        }
        let out_of_range = || MoneyError::Overflow {
            operation: format!("{text:?} {currency} does not fit in 64-bit minor units"),
        };
        let padding = exponent - parts.fraction.len();
        let digits = parts
            .whole
            .bytes()
            .chain(parts.fraction.bytes())
            .chain(std::iter::repeat_n(b'0', padding));
        // The magnitude may reach 2^63 (i64::MIN); stop as soon as it is beyond.
        let mut magnitude: u64 = 0;
        for digit in digits {
            magnitude = magnitude
                .checked_mul(10)
                .and_then(|m| m.checked_add(u64::from(digit - b'0')))
                .filter(|&m| m <= 1 << 63)
                .ok_or_else(out_of_range)?;
        }
        let minor = if parts.negative {
            0i64.checked_sub_unsigned(magnitude)
        } else {
            i64::try_from(magnitude).ok()
        }
        .ok_or_else(out_of_range)?;
        Ok(Money::from_minor(minor, currency))
    }

    /// The amount in major units with exactly the currency's number of
    /// decimals: `"70.00"`, `"-0.05"`, JPY `"1500"`, BHD `"1.250"`.
    /// [`Money::parse_major`] reads it back to the same `Money`.
    pub fn to_major_string(self) -> String {
        self.major_text().as_str().to_owned()
    }

    /// [`Money::to_major_string`] without allocating: the text is written
    /// into a buffer on the stack (JSON writes thousands of amounts a
    /// second).
    pub(crate) fn major_text(self) -> MajorText {
        MajorText::new(self.minor, self.currency.exponent())
    }

    /// The amount as an exact decimal in major units (7000 AUD cents → 70.00).
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.minor, u32::from(self.currency.exponent()))
    }

    /// Whether the amount is zero.
    pub const fn is_zero(self) -> bool {
        self.minor == 0
    }

    /// Whether the amount is below zero.
    pub const fn is_negative(self) -> bool {
        self.minor < 0
    }

    /// Whether the amount is above zero.
    pub const fn is_positive(self) -> bool {
        self.minor > 0
    }

    fn same_currency(self, other: Money, operation: &'static str) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                operation,
                left: self.currency,
                right: other.currency,
            })
        }
    }

    /// `self + other`; an error if the currencies differ or the sum overflows.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other, "add")?;
        self.minor
            .checked_add(other.minor)
            .map(|minor| Money::from_minor(minor, self.currency))
            .ok_or_else(|| MoneyError::Overflow {
                operation: format!("{self} + {other}"),
            })
    }

    /// `self - other`; an error if the currencies differ or the difference overflows.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other, "subtract")?;
        self.minor
            .checked_sub(other.minor)
            .map(|minor| Money::from_minor(minor, self.currency))
            .ok_or_else(|| MoneyError::Overflow {
                operation: format!("{self} - {other}"),
            })
    }

    /// `-self`; an error only for the most negative amount.
    pub fn checked_neg(self) -> Result<Money, MoneyError> {
        self.minor
            .checked_neg()
            .map(|minor| Money::from_minor(minor, self.currency))
            .ok_or_else(|| MoneyError::Overflow {
                operation: format!("-({self})"),
            })
    }

    /// `|self|`; an error only for the most negative amount.
    pub fn checked_abs(self) -> Result<Money, MoneyError> {
        if self.is_negative() {
            self.checked_neg()
        } else {
            Ok(self)
        }
    }

    /// `self × quantity` (e.g. unit price × units); an error on overflow.
    pub fn checked_mul(self, quantity: i64) -> Result<Money, MoneyError> {
        self.minor
            .checked_mul(quantity)
            .map(|minor| Money::from_minor(minor, self.currency))
            .ok_or_else(|| MoneyError::Overflow {
                operation: format!("{self} * {quantity}"),
            })
    }

    /// The sum of `amounts`, all in `currency` (zero when there are none).
    pub fn checked_sum(
        currency: Currency,
        amounts: impl IntoIterator<Item = Money>,
    ) -> Result<Money, MoneyError> {
        amounts
            .into_iter()
            .try_fold(Money::zero(currency), Money::checked_add)
    }

    /// Compares two amounts of the same currency; an error if they differ.
    pub fn checked_cmp(self, other: Money) -> Result<Ordering, MoneyError> {
        self.same_currency(other, "compare")?;
        Ok(self.minor.cmp(&other.minor))
    }
}

impl fmt::Display for Money {
    /// Major units, a space, the code: `70.00 AUD`, `-0.05 USD`, `1500 JPY`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.major_text().as_str(), self.currency)
    }
}

/// An amount in major units as text, held on the stack: at most a sign,
/// 20 digits, a point and the leading zeros of an amount below one unit
/// (exponents are at most 4), so 32 bytes always suffice.
pub(crate) struct MajorText {
    bytes: [u8; 32],
    start: usize,
}

impl MajorText {
    fn new(minor: i64, exponent: u8) -> MajorText {
        let mut bytes = [b'0'; 32];
        let mut at = bytes.len();
        let mut magnitude = minor.unsigned_abs();
        let mut written = 0u8;
        // Digits from the right; the point after `exponent` of them; at
        // least one digit before the point.
        loop {
            if written == exponent && exponent > 0 {
                at -= 1;
                bytes[at] = b'.';
            }
            at -= 1;
            // magnitude % 10 < 10, so the cast is exact.
            bytes[at] = b'0' + (magnitude % 10) as u8;
            magnitude /= 10;
            written += 1;
            if magnitude == 0 && written > exponent {
                break;
            }
        }
        if minor < 0 {
            at -= 1;
            bytes[at] = b'-';
        }
        MajorText { bytes, start: at }
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII digits, '.' and '-' are ever written.
        std::str::from_utf8(&self.bytes[self.start..]).unwrap_or_default()
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Money({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aud(minor: i64) -> Money {
        Money::from_minor(minor, Currency::AUD)
    }

    #[test]
    fn formats_with_the_currency_exponent() {
        assert_eq!(aud(7000).to_major_string(), "70.00");
        assert_eq!(aud(-5).to_major_string(), "-0.05");
        assert_eq!(aud(0).to_major_string(), "0.00");
        assert_eq!(
            Money::from_minor(1500, Currency::JPY).to_major_string(),
            "1500"
        );
        assert_eq!(
            Money::from_minor(-1500, Currency::JPY).to_major_string(),
            "-1500"
        );
        assert_eq!(
            Money::from_minor(1250, Currency::BHD).to_major_string(),
            "1.250"
        );
        assert_eq!(
            Money::from_minor(-7, Currency::BHD).to_major_string(),
            "-0.007"
        );
        let clf = Currency::from_code("CLF").unwrap();
        assert_eq!(Money::from_minor(12345, clf).to_major_string(), "1.2345");
        assert_eq!(Money::from_minor(5, clf).to_major_string(), "0.0005");
        assert_eq!(Money::from_minor(-5, clf).to_major_string(), "-0.0005");
        assert_eq!(Money::from_minor(0, Currency::JPY).to_major_string(), "0");
        assert_eq!(Money::from_minor(10, Currency::JPY).to_major_string(), "10");
        assert_eq!(aud(100).to_major_string(), "1.00");
        assert_eq!(aud(i64::MIN).to_string(), "-92233720368547758.08 AUD");
        assert_eq!(aud(i64::MIN).to_major_string(), "-92233720368547758.08");
        assert_eq!(aud(i64::MAX).to_major_string(), "92233720368547758.07");
        assert_eq!(aud(7000).to_string(), "70.00 AUD");
        assert_eq!(format!("{:?}", aud(7000)), "Money(70.00 AUD)");
    }

    #[test]
    fn parses_exact_decimals() {
        assert_eq!(Money::parse_major("70.00", Currency::AUD), Ok(aud(7000)));
        assert_eq!(Money::parse_major("70", Currency::AUD), Ok(aud(7000)));
        assert_eq!(Money::parse_major("70.5", Currency::AUD), Ok(aud(7050)));
        assert_eq!(Money::parse_major("-0.05", Currency::AUD), Ok(aud(-5)));
        assert_eq!(Money::parse_major("-0", Currency::AUD), Ok(aud(0)));
        assert_eq!(Money::parse_major("007.10", Currency::AUD), Ok(aud(710)));
        assert_eq!(
            Money::parse_major("1500", Currency::JPY),
            Ok(Money::from_minor(1500, Currency::JPY))
        );
        assert_eq!(
            Money::parse_major("1.25", Currency::BHD),
            Ok(Money::from_minor(1250, Currency::BHD))
        );
        assert_eq!(
            Money::parse_major("92233720368547758.07", Currency::AUD),
            Ok(aud(i64::MAX))
        );
        assert_eq!(
            Money::parse_major("-92233720368547758.08", Currency::AUD),
            Ok(aud(i64::MIN))
        );
    }

    #[test]
    fn refuses_more_decimals_than_the_currency_has() {
        let err = Money::parse_major("70.001", Currency::AUD).unwrap_err();
        assert_eq!(
            err,
            MoneyError::TooManyDecimals {
                input: "70.001".into(),
                currency: Currency::AUD,
                decimals: 3,
                allowed: 2
            }
        );
        assert_eq!(
            err.to_string(),
            "amount \"70.001\" has 3 decimals but AUD allows at most 2"
        );
        assert!(Money::parse_major("1500.0", Currency::JPY).is_err());
        assert!(Money::parse_major("1.2500", Currency::BHD).is_err());
    }

    #[test]
    fn refuses_junk_and_names_it() {
        for bad in [
            "", "-", "+70", "70.", ".5", "7e1", "1E2", "NaN", "inf", " 70", "70 ", "7,000", "1_0",
            "70.0.0", "70AUD",
        ] {
            let err = Money::parse_major(bad, Currency::AUD).unwrap_err();
            assert!(
                matches!(err, MoneyError::InvalidAmount { .. }),
                "{bad:?}: {err}"
            );
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
        let err = Money::parse_major("7e1", Currency::AUD)
            .unwrap_err()
            .to_string();
        assert!(err.contains("exponent notation"), "{err}");
    }

    #[test]
    fn refuses_amounts_beyond_i64_minor_units() {
        for big in [
            "92233720368547758.08",
            "-92233720368547758.09",
            "100000000000000000000000000000000",
        ] {
            let err = Money::parse_major(big, Currency::AUD).unwrap_err();
            assert!(matches!(err, MoneyError::Overflow { .. }), "{big}: {err}");
            assert!(err.to_string().contains(big), "{err}");
        }
    }

    #[test]
    fn arithmetic_is_checked() {
        assert_eq!(aud(7000).checked_add(aud(50)), Ok(aud(7050)));
        assert_eq!(aud(7000).checked_sub(aud(7050)), Ok(aud(-50)));
        assert_eq!(aud(7000).checked_neg(), Ok(aud(-7000)));
        assert_eq!(aud(-7000).checked_abs(), Ok(aud(7000)));
        assert_eq!(aud(1999).checked_mul(3), Ok(aud(5997)));
        assert_eq!(aud(1999).checked_mul(-1), Ok(aud(-1999)));
        assert_eq!(
            Money::checked_sum(Currency::AUD, [aud(1), aud(2), aud(3)]),
            Ok(aud(6))
        );
        assert_eq!(Money::checked_sum(Currency::AUD, []), Ok(aud(0)));
        assert_eq!(aud(1).checked_cmp(aud(2)), Ok(Ordering::Less));
        assert!(aud(0).is_zero() && !aud(0).is_negative() && !aud(0).is_positive());
        assert!(aud(-1).is_negative() && aud(1).is_positive());
        assert_eq!(aud(7000).to_decimal(), Decimal::new(7000, 2));
        assert_eq!(
            Money::from_minor(1500, Currency::JPY).to_decimal(),
            Decimal::from(1500)
        );
    }

    #[test]
    fn overflow_is_an_error_naming_the_operands() {
        let err = aud(i64::MAX).checked_add(aud(1)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "amount out of range: 92233720368547758.07 AUD + 0.01 AUD"
        );
        assert!(aud(i64::MIN).checked_sub(aud(1)).is_err());
        assert!(aud(i64::MIN).checked_neg().is_err());
        assert!(aud(i64::MIN).checked_abs().is_err());
        assert!(aud(i64::MAX / 2 + 1).checked_mul(2).is_err());
        assert!(aud(-1).checked_mul(i64::MIN).is_err());
        assert!(Money::checked_sum(Currency::AUD, [aud(i64::MAX), aud(1)]).is_err());
    }

    #[test]
    fn mixing_currencies_is_an_error() {
        let usd = Money::from_minor(1, Currency::USD);
        let err = aud(1).checked_add(usd).unwrap_err();
        assert_eq!(
            err,
            MoneyError::CurrencyMismatch {
                operation: "add",
                left: Currency::AUD,
                right: Currency::USD
            }
        );
        assert_eq!(err.to_string(), "currency mismatch: cannot add AUD and USD");
        assert!(aud(1).checked_sub(usd).is_err());
        assert!(aud(1).checked_cmp(usd).is_err());
        assert!(Money::checked_sum(Currency::AUD, [usd]).is_err());
    }
}
