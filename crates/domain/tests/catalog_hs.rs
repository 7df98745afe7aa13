//! HS codes, tariff codes and the HS 2022 nomenclature, checked against the
//! real `hs2022-nomenclature.csv` (DESIGN.md "Reference data"). A missing
//! file fails the test: it never skips.

use std::fs::File;
use std::sync::OnceLock;

use chuhai_domain::catalog::{
    parse_hs_csv, HsCode, HsCodeError, HsCodeLookup, HsLevel, HsNomenclature, TariffCode,
};

const HS_2022_CSV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/hs2022-nomenclature.csv"
);

fn nomenclature() -> &'static HsNomenclature {
    static NOMENCLATURE: OnceLock<HsNomenclature> = OnceLock::new();
    NOMENCLATURE.get_or_init(|| {
        let file = File::open(HS_2022_CSV).expect("the HS 2022 file next to the workspace");
        HsNomenclature::from_csv(file).expect("the HS 2022 file parses")
    })
}

#[test]
fn real_file_has_the_published_counts() {
    let hs = nomenclature();
    assert_eq!(hs.count(HsLevel::Chapter), 97);
    assert_eq!(hs.count(HsLevel::Heading), 1229);
    assert_eq!(hs.count(HsLevel::Subheading), 5613);
    // Those counts include Comtrade's reporting code 99 / 9999 / 999999.
    let reporting: Vec<&str> = hs
        .entries()
        .iter()
        .filter(|e| e.is_reporting_only())
        .map(|e| e.code.as_str())
        .collect();
    assert_eq!(reporting, ["99", "9999", "999999"]);
}

#[test]
fn path_of_an_led_luminaire() {
    let hs = nomenclature();
    let [chapter, heading, subheading] = hs.path(HsCode::parse("9405.42").unwrap()).unwrap();
    assert_eq!(chapter.code, "94");
    assert_eq!(chapter.level, HsLevel::Chapter);
    assert_eq!(chapter.parent, None);
    assert_eq!(heading.code, "9405");
    assert_eq!(heading.parent.as_deref(), Some("94"));
    assert_eq!(subheading.code, "940542");
    assert_eq!(subheading.parent.as_deref(), Some("9405"));
    assert_eq!(subheading.section, "XX");
    assert_eq!(
        subheading.description,
        "Luminaires and light fittings; electric, designed for use solely with light-emitting diode (LED) light sources"
    );
    assert!(
        chapter.description.starts_with("Furniture;"),
        "{}",
        chapter.description
    );
}

#[test]
fn get_accepts_every_level_and_separators() {
    let hs = nomenclature();
    assert_eq!(hs.get("94").unwrap().level, HsLevel::Chapter);
    assert_eq!(hs.get("9405").unwrap().level, HsLevel::Heading);
    assert_eq!(hs.get("9405.42").unwrap().code, "940542");
    assert_eq!(hs.get("9405 42").unwrap().code, "940542");
    assert_eq!(hs.get(" 010121 ").unwrap().code, "010121");
    assert!(hs.get("940543").is_none());
    assert!(hs.get("77").is_none(), "chapter 77 is reserved");
    assert!(hs.get("94x5").is_none());
    assert!(hs.get("").is_none());
}

#[test]
fn declarable_codes_exclude_unknown_and_reporting_codes() {
    let hs = nomenclature();
    for (code, declarable) in [
        ("940542", true),
        ("853952", true),
        ("010121", true),
        ("940543", false),
        ("999999", false),
        ("853950", false),
    ] {
        assert_eq!(
            hs.is_declarable(HsCode::parse(code).unwrap()),
            declarable,
            "{code}"
        );
    }
    let only_lamps = |code: HsCode| code.chapter() == "94";
    assert!(only_lamps.is_declarable(HsCode::parse("940542").unwrap()));
}

#[test]
fn prefix_search_is_in_code_order_and_limited() {
    let hs = nomenclature();
    let all: Vec<&str> = hs
        .search_prefix("9405", 100)
        .iter()
        .map(|e| e.code.as_str())
        .collect();
    assert_eq!(all.len(), 16, "the heading and its 15 subheadings: {all:?}");
    assert_eq!(all[0], "9405");
    assert!(all.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(hs.search_prefix("9405.4", 100).len(), 3);
    assert_eq!(hs.search_prefix("94", 5).len(), 5);
    assert!(hs.search_prefix("", 10).is_empty());
    assert!(hs.search_prefix("lamp", 10).is_empty());
    assert!(hs.search_prefix("9406999", 10).is_empty());
}

#[test]
fn word_search_needs_every_word_ignoring_case() {
    let hs = nomenclature();
    let found = hs.search_words("LED Ceiling", 50);
    let codes: Vec<&str> = found.iter().map(|e| e.code.as_str()).collect();
    assert!(codes.contains(&"940511"), "{codes:?}");
    for entry in &found {
        let text = entry.description.to_lowercase();
        assert!(
            text.contains("ceiling") && text.contains("led"),
            "{}",
            entry.description
        );
    }
    // A query word matches the start of a description word: "lamp" finds
    // "Lamps"; "led" finds "LED" but not words that merely contain it
    // ("filled", "labelled").
    assert!(hs
        .search_words("lamps led", 50)
        .iter()
        .any(|e| e.code == "853952"));
    for entry in hs.search_words("led", 10_000) {
        let text = entry.description.to_lowercase();
        assert!(
            text.split(|c: char| !c.is_alphanumeric())
                .any(|w| w.starts_with("led")),
            "{}",
            entry.description
        );
    }
    assert_eq!(hs.search_words("horses live", 2).len(), 2);
    assert!(hs.search_words("  ", 10).is_empty());
    assert!(hs.search_words("zzzqqq", 10).is_empty());
}

#[test]
fn hs_code_forms() {
    let code = HsCode::parse("9405.42").unwrap();
    assert_eq!(code.as_str(), "940542");
    assert_eq!(code.chapter(), "94");
    assert_eq!(code.heading(), "9405");
    assert_eq!(code.dotted(), "9405.42");
    assert_eq!(HsCode::parse("9405 42").unwrap(), code);
    assert_eq!(HsCode::parse("010121").unwrap().as_str(), "010121");
    assert_eq!(serde_json::to_string(&code).unwrap(), "\"940542\"");
    assert_eq!(serde_json::from_str::<HsCode>("\"9405.42\"").unwrap(), code);
}

#[test]
fn hs_code_errors_explain_the_usual_causes() {
    let reason = |text: &str| HsCode::parse(text).unwrap_err().to_string();
    assert!(
        reason("10121").contains("dropped a leading or trailing zero"),
        "{}",
        reason("10121")
    );
    assert!(reason("9405").contains("that is a heading"));
    assert!(reason("94").contains("that is a chapter"));
    assert!(reason("9405421000")
        .contains("national tariff line, whose HS code is its first 6 digits (940542)"));
    assert!(reason("9.40542E+05").contains("scientific notation"));
    assert!(matches!(
        HsCode::parse("9405-42"),
        Err(HsCodeError::NotDigits { found: '-', .. })
    ));
    assert!(HsCode::parse("").is_err());
}

#[test]
fn tariff_codes_have_8_to_10_digits_under_their_hs_code() {
    let eu = TariffCode::parse("9405.42.10").unwrap();
    assert_eq!(eu.as_str(), "94054210");
    assert_eq!(eu.hs_code(), HsCode::parse("940542").unwrap());
    assert_eq!(
        TariffCode::parse("9405 42 10 00").unwrap().as_str(),
        "9405421000"
    );
    assert_eq!(TariffCode::parse("940542100").unwrap().as_str().len(), 9);
    let short = TariffCode::parse("940542").unwrap_err().to_string();
    assert!(
        short.contains("8 to 10 digits") && short.contains("that is an HS code"),
        "{short}"
    );
    assert!(TariffCode::parse("94054210001").is_err());
    assert!(TariffCode::parse("9.40542E+09")
        .unwrap_err()
        .to_string()
        .contains("scientific notation"));
    assert_eq!(serde_json::to_string(&eu).unwrap(), "\"94054210\"");
}

const HEADER: &str = "section,hscode,description,parent,level\n";

fn parse_err(body: &str) -> (u64, String, String) {
    let text = format!("{HEADER}{body}");
    let err = parse_hs_csv(text.as_bytes()).unwrap_err();
    (err.line, err.column, err.reason)
}

#[test]
fn small_file_parses_and_skips_the_root() {
    let text = format!(
        "\u{feff}{HEADER}XX,94,Furniture,TOTAL,2\nXX,9405,Luminaires,94,4\nXX,940542,\"LED luminaires, electric\",9405,6\nTOTAL,TOTAL,Total,TOTAL,5\n"
    );
    let entries = parse_hs_csv(text.as_bytes()).unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[2].description, "LED luminaires, electric");
    let hs = HsNomenclature::new(entries);
    assert_eq!(
        hs.path(HsCode::parse("940542").unwrap()).unwrap()[1].code,
        "9405"
    );
}

#[test]
fn file_errors_name_line_column_and_reason() {
    let wrong_header = parse_hs_csv("code,description\n".as_bytes()).unwrap_err();
    assert_eq!((wrong_header.line, wrong_header.column.as_str()), (1, "-"));
    assert!(parse_hs_csv("".as_bytes())
        .unwrap_err()
        .reason
        .contains("empty"));

    let (line, column, reason) = parse_err("XX,94,Furniture,TOTAL,2\nXX,9405,Luminaires,94,3\n");
    assert_eq!((line, column.as_str()), (3, "level"), "{reason}");

    let (line, column, _) = parse_err("XX,94,Furniture,TOTAL,2\nXX,940,Luminaires,94,4\n");
    assert_eq!((line, column.as_str()), (3, "hscode"));

    let (line, column, reason) = parse_err("XX,94,Furniture,TOTAL,2\nXX,9405,Luminaires,95,4\n");
    assert_eq!((line, column.as_str()), (3, "parent"));
    assert!(reason.contains("must be 94"), "{reason}");

    let (line, column, reason) = parse_err("XX,9405,Luminaires,94,4\n");
    assert_eq!((line, column.as_str()), (2, "parent"));
    assert!(reason.contains("not in the file"), "{reason}");

    let (line, column, reason) =
        parse_err("XX,94,Furniture,TOTAL,2\nXX,94,Furniture again,TOTAL,2\n");
    assert_eq!((line, column.as_str()), (3, "hscode"));
    assert!(reason.contains("first on line 2"), "{reason}");

    let (line, column, _) = parse_err("XX,94,,TOTAL,2\n");
    assert_eq!((line, column.as_str()), (2, "description"));

    // An unclosed quote swallows the rest of the file into one field.
    let (line, column, reason) = parse_err("XX,94,\"Furniture,TOTAL,2\nXX,9405,Luminaires,94,4\n");
    assert_eq!((line, column.as_str()), (2, "-"));
    assert!(reason.contains("quote"), "{reason}");
}
