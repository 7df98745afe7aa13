//! GTIN barcodes: lengths, the GS1 check digit, and the reasons given for
//! each kind of bad input.

use chuhai_domain::catalog::{gs1_check_digit, Gtin, GtinError};
use proptest::prelude::*;

#[test]
fn accepts_every_gtin_length_with_a_valid_check_digit() {
    for text in [
        "73513537",
        "036000291452",
        "4006381333931",
        "6901234567892",
        "00012345600012",
    ] {
        let gtin = Gtin::parse(text).unwrap();
        assert_eq!(gtin.as_str(), text);
        assert_eq!(gtin.len(), text.len());
        assert_eq!(gtin.to_string(), text);
    }
}

#[test]
fn gtin14_form_pads_with_zeros_so_equal_items_compare_equal() {
    let upc = Gtin::parse("036000291452").unwrap();
    let ean = Gtin::parse("0036000291452").unwrap();
    assert_ne!(upc, ean, "kept as given");
    assert_eq!(upc.to_gtin14(), ean.to_gtin14());
    assert_eq!(upc.to_gtin14(), "00036000291452");
}

#[test]
fn scientific_notation_is_named_as_a_spreadsheet_problem() {
    for text in ["4.6347E+11", "4.6347e+12", "6.90123E+12", "4,6347E+11"] {
        let err = Gtin::parse(text).unwrap_err();
        assert!(
            matches!(err, GtinError::ScientificNotation { .. }),
            "{text}: {err:?}"
        );
        let message = err.to_string();
        assert!(
            message.contains(
                "looks like a number a spreadsheet converted to scientific notation; re-export the column as text"
            ),
            "{message}"
        );
    }
}

#[test]
fn wrong_length_says_the_accepted_lengths() {
    let err = Gtin::parse("123456789").unwrap_err();
    assert!(matches!(err, GtinError::WrongLength { digits: 9, .. }));
    assert!(
        err.to_string()
            .contains("8 (EAN-8), 12 (UPC-A), 13 (EAN-13) or 14"),
        "{err}"
    );
}

#[test]
fn eleven_digits_hint_at_a_dropped_leading_zero() {
    // 036000291452 with its leading zero lost to a number-formatted cell.
    let err = Gtin::parse("36000291452").unwrap_err();
    assert!(err.to_string().contains("dropped a leading zero"), "{err}");
}

#[test]
fn non_digits_name_the_character_and_its_position() {
    let err = Gtin::parse("40063813339-1").unwrap_err();
    assert_eq!(
        err,
        GtinError::NotDigits {
            input: "40063813339-1".to_owned(),
            found: '-',
            position: 12
        }
    );
    assert!(
        Gtin::parse(" 4006381333931").is_err(),
        "blanks are the caller's to trim"
    );
    assert!(Gtin::parse("").is_err());
    assert!(
        Gtin::parse("４００６３８１３３３９３１").is_err(),
        "full-width digits"
    );
}

#[test]
fn bad_check_digit_says_the_expected_digit() {
    let err = Gtin::parse("4006381333932").unwrap_err();
    assert_eq!(
        err,
        GtinError::BadCheckDigit {
            input: "4006381333932".to_owned(),
            found: 2,
            expected: 1
        }
    );
    assert!(err.to_string().contains("require 1"), "{err}");
}

#[test]
fn check_digit_helper_refuses_non_digits() {
    assert_eq!(gs1_check_digit("400638133393"), Some(1));
    assert_eq!(gs1_check_digit(""), None);
    assert_eq!(gs1_check_digit("12a"), None);
}

#[test]
fn serde_uses_the_digits_and_checks_them() {
    let gtin = Gtin::parse("4006381333931").unwrap();
    assert_eq!(serde_json::to_string(&gtin).unwrap(), "\"4006381333931\"");
    assert_eq!(
        serde_json::from_str::<Gtin>("\"4006381333931\"").unwrap(),
        gtin
    );
    assert!(serde_json::from_str::<Gtin>("\"4006381333932\"").is_err());
}

proptest! {
    #[test]
    fn a_computed_check_digit_always_parses(payload in "[0-9]{12}") {
        let check = gs1_check_digit(&payload).unwrap();
        let text = format!("{payload}{check}");
        let gtin = Gtin::parse(&text).unwrap();
        prop_assert_eq!(gtin.as_str(), text.as_str());
    }

    #[test]
    fn any_single_digit_change_is_caught(payload in "[0-9]{12}", at in 0usize..13, delta in 1u8..10) {
        let check = gs1_check_digit(&payload).unwrap();
        let mut digits: Vec<u8> = format!("{payload}{check}").into_bytes();
        digits[at] = b'0' + (digits[at] - b'0' + delta) % 10;
        let text = String::from_utf8(digits).unwrap();
        prop_assert!(Gtin::parse(&text).is_err());
    }
}
