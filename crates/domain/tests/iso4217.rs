//! The built-in currency table against the published ISO 4217 list.
//!
//! Reads `../shared/data/iso4217-2026-01-01.xml` (next to the workspace; see
//! DESIGN.md "Reference data") with a small scan of its flat
//! `<CcyNtry>` records, and checks that `Currency::all()` holds exactly the
//! active codes that have a numeric minor unit, with the same exponent,
//! numeric code and name. A missing file fails the test: it never skips.

use std::collections::BTreeMap;

use chuhai_domain::money::{Currency, MoneyError};

const ISO_4217_XML: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/iso4217-2026-01-01.xml"
);

/// What the file says about one alpha code.
#[derive(Debug, Clone, PartialEq, Eq)]
struct IsoEntry {
    numeric: u16,
    /// `None` for "N.A." (metals, SDR, XXX…).
    minor_unit: Option<u8>,
    name: String,
}

/// The text between `<tag ...>` and `</tag>` in one record, if present.
fn element_text<'a>(record: &'a str, tag: &str) -> Option<&'a str> {
    let open_start = [format!("<{tag}>"), format!("<{tag} ")]
        .iter()
        .filter_map(|open| record.find(open.as_str()))
        .min()?;
    let content_start = open_start + record[open_start..].find('>')? + 1;
    let content_len = record[content_start..].find(&format!("</{tag}>"))?;
    Some(&record[content_start..content_start + content_len])
}

fn read_iso_list() -> BTreeMap<String, IsoEntry> {
    let xml = std::fs::read_to_string(ISO_4217_XML).unwrap_or_else(|err| {
        panic!(
            "cannot read the ISO 4217 reference list at {ISO_4217_XML}: {err}. \
             It belongs in ../shared/data next to the workspace (DESIGN.md, \
             \"Reference data\"); this test checks the currency table against it \
             and does not skip without it."
        )
    });
    assert!(
        xml.contains("<ISO_4217 Pblshd=\"2026-01-01\">"),
        "{ISO_4217_XML} is not the ISO 4217 list published 2026-01-01"
    );
    let mut entries = BTreeMap::new();
    let mut records = 0;
    for record in xml.split("<CcyNtry>").skip(1) {
        let record = &record[..record.find("</CcyNtry>").expect("unterminated <CcyNtry>")];
        records += 1;
        // Territories without a currency (e.g. Antarctica) have no <Ccy>.
        let Some(code) = element_text(record, "Ccy") else {
            continue;
        };
        let numeric = element_text(record, "CcyNbr")
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("{code}: missing or bad <CcyNbr> in {record}"));
        let minor_unit = match element_text(record, "CcyMnrUnts").map(str::trim) {
            Some("N.A.") => None,
            Some(digits) => Some(
                digits
                    .parse()
                    .unwrap_or_else(|_| panic!("{code}: bad <CcyMnrUnts> {digits:?}")),
            ),
            None => panic!("{code}: no <CcyMnrUnts>"),
        };
        let name = element_text(record, "CcyNm")
            .unwrap_or_else(|| panic!("{code}: no <CcyNm>"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let entry = IsoEntry {
            numeric,
            minor_unit,
            name,
        };
        // A code used by several countries must be described the same way each time.
        if let Some(earlier) = entries.insert(code.to_owned(), entry.clone()) {
            assert_eq!(earlier, entry, "{code} is described two ways");
        }
    }
    assert!(
        records > 250,
        "only {records} <CcyNtry> records found: not the ISO list?"
    );
    entries
}

#[test]
fn every_active_code_with_a_minor_unit_is_a_currency() {
    let iso = read_iso_list();
    let mut with_minor_unit = 0;
    for (code, entry) in &iso {
        match entry.minor_unit {
            Some(exponent) => {
                with_minor_unit += 1;
                let currency = Currency::from_code(code).unwrap_or_else(|err| {
                    panic!("{code} is in ISO 4217 but not a Currency: {err}")
                });
                assert_eq!(currency.code(), code);
                assert_eq!(currency.exponent(), exponent, "{code}: exponent");
                assert_eq!(currency.numeric(), entry.numeric, "{code}: numeric code");
                assert_eq!(currency.name(), entry.name, "{code}: name");
            }
            None => assert_eq!(
                Currency::from_code(code),
                Err(MoneyError::NoMinorUnit { code: code.clone() }),
                "{code} has no minor unit, so money must not be made of it"
            ),
        }
    }
    assert_eq!(Currency::all().len(), with_minor_unit);
}

#[test]
fn every_currency_is_in_the_iso_list() {
    let iso = read_iso_list();
    for currency in Currency::all() {
        let entry = iso
            .get(currency.code())
            .unwrap_or_else(|| panic!("{currency} is a Currency but not in {ISO_4217_XML}"));
        assert_eq!(entry.minor_unit, Some(currency.exponent()), "{currency}");
    }
}
