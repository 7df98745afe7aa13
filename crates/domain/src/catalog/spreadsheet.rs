//! Damage that spreadsheets do to code-like cells (barcodes, HS codes), so
//! every parser can name it instead of storing a wrong number.

/// Longest piece of rejected input echoed back in an error, in characters.
/// Input arrives from files and forms, so errors must not grow with it.
const MAX_ECHOED_CHARS: usize = 40;

/// Copies at most [`MAX_ECHOED_CHARS`] characters of rejected input.
pub(crate) fn echo(input: &str) -> String {
    match input.char_indices().nth(MAX_ECHOED_CHARS) {
        Some((cut, _)) => format!("{}…", &input[..cut]),
        None => input.to_owned(),
    }
}

/// Whether `text` looks like a number a spreadsheet wrote in scientific
/// notation: `4.6347E+11`, `9.40542e5`, `1E+13`, `-1.2E-3`.
///
/// Such a cell has lost digits for good (Excel keeps 15 significant digits
/// and shows fewer), so it must be reported, never "repaired".
pub(crate) fn looks_like_scientific_notation(text: &str) -> bool {
    let text = text.trim();
    let Some(e) = text.find(['e', 'E']) else {
        return false;
    };
    let (mantissa, exponent) = (&text[..e], &text[e + 1..]);
    let mantissa = mantissa.strip_prefix(['-', '+']).unwrap_or(mantissa);
    let exponent = exponent.strip_prefix(['-', '+']).unwrap_or(exponent);
    let mantissa_ok = {
        let (whole, fraction) = mantissa.split_once(['.', ',']).unwrap_or((mantissa, ""));
        !whole.is_empty()
            && whole.bytes().all(|b| b.is_ascii_digit())
            && fraction.bytes().all(|b| b.is_ascii_digit())
    };
    mantissa_ok && !exponent.is_empty() && exponent.bytes().all(|b| b.is_ascii_digit())
}

/// The reason given for a cell in scientific notation (shared so every
/// column says the same thing).
pub(crate) const SCIENTIFIC_NOTATION_REASON: &str =
    "looks like a number a spreadsheet converted to scientific notation; re-export the column as text";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spots_scientific_notation() {
        for text in [
            "4.6347E+11",
            "4,6347E+11",
            "9.40542e5",
            "1E+13",
            "-1.2E-3",
            " 4.6E+12 ",
        ] {
            assert!(looks_like_scientific_notation(text), "{text}");
        }
        for text in [
            "4634700000000",
            "E+11",
            "4.6E",
            "4.6E+",
            "abcE+1",
            "0123",
            "",
            "E",
        ] {
            assert!(!looks_like_scientific_notation(text), "{text}");
        }
    }

    #[test]
    fn echo_is_bounded() {
        let long = "x".repeat(500);
        assert_eq!(echo(&long).chars().count(), MAX_ECHOED_CHARS + 1);
        assert_eq!(echo("short"), "short");
    }
}
