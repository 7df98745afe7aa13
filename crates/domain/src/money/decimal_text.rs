//! The one textual form accepted for amounts and rates: a plain decimal.

/// A plain decimal split into its parts: `-12.50` is negative, `12`, `50`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct PlainDecimal<'a> {
    /// Whether the text began with `-`.
    pub(super) negative: bool,
    /// The digits before the point (at least one).
    pub(super) whole: &'a str,
    /// The digits after the point (empty when there is no point).
    pub(super) fraction: &'a str,
}

/// Splits `-?[0-9]+(\.[0-9]+)?` into its parts, or says why the text is not that.
///
/// Deliberately strict, since amounts arrive from JSON, CSV and forms: no
/// `+`, no blanks, no thousands separators or underscores, no `.5` or `5.`,
/// no exponent, no `NaN`/`inf`, ASCII digits only.
pub(super) fn split_plain_decimal(text: &str) -> Result<PlainDecimal<'_>, &'static str> {
    if text.is_empty() {
        return Err("empty; expected a decimal string such as \"70.00\"");
    }
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction, has_point) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, fraction, true),
        None => (unsigned, "", false),
    };
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if !whole.is_empty()
        && digits(whole)
        && (!has_point || !fraction.is_empty())
        && digits(fraction)
    {
        return Ok(PlainDecimal {
            negative,
            whole,
            fraction,
        });
    }
    let looks_numeric = unsigned
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_digit() || b == b'.');
    if looks_numeric && unsigned.contains(['e', 'E']) {
        Err("exponent notation is not accepted; write the digits out")
    } else {
        Err("expected an optional '-', digits, and optionally '.' followed by digits, such as \"70.00\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_plain_decimals() {
        let parts = split_plain_decimal("-12.50").unwrap();
        assert_eq!(
            parts,
            PlainDecimal {
                negative: true,
                whole: "12",
                fraction: "50"
            }
        );
        let parts = split_plain_decimal("70").unwrap();
        assert_eq!(
            (parts.negative, parts.whole, parts.fraction),
            (false, "70", "")
        );
    }

    #[test]
    fn refuses_everything_else() {
        for bad in [
            "", "-", "+1", " 1", "1 ", "1_000", "1,000", ".5", "5.", "-.5", "1.2.3", "--1", "NaN",
            "nan", "inf", "-inf", "Infinity", "0x1F", "1e3", "1E-2", "12abc", "١٢", "½",
        ] {
            assert!(split_plain_decimal(bad).is_err(), "{bad:?}");
        }
        assert!(split_plain_decimal("1e3").unwrap_err().contains("exponent"));
        assert!(split_plain_decimal("-2.5E+3")
            .unwrap_err()
            .contains("exponent"));
        assert!(!split_plain_decimal("NaN").unwrap_err().contains("exponent"));
    }
}
