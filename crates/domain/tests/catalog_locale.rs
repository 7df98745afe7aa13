//! Locale tags, the fallback chain and picking a translation.

use chuhai_domain::catalog::{fallback_chain, pick, Locale};

fn l(tag: &str) -> Locale {
    Locale::parse(tag).unwrap()
}

#[test]
fn tags_are_normalised() {
    assert_eq!(l("de-ch").as_str(), "de-CH");
    assert_eq!(l("DE-CH").as_str(), "de-CH");
    assert_eq!(l("zh_cn").as_str(), "zh-CN");
    assert_eq!(l("EN").as_str(), "en");
    assert_eq!(l("es-419").as_str(), "es-419");
    assert_eq!(l("fil-PH").as_str(), "fil-PH");
    assert_eq!(l("de-CH").language(), "de");
    assert_eq!(l("de-CH").region(), Some("CH"));
    assert_eq!(l("de").region(), None);
    assert_eq!(l("de-CH").without_region(), l("de"));
}

#[test]
fn unsupported_tags_say_why() {
    for (tag, hint) in [
        ("zh-Hans-CN", "script"),
        ("zh-Hans", "region"),
        ("e", "2 or 3 letters"),
        ("english", "2 or 3 letters"),
        ("", "2 or 3 letters"),
        ("de-", "region"),
        ("de-C", "region"),
        ("d3-CH", "2 or 3 letters"),
        ("de CH", "2 or 3 letters"),
    ] {
        let err = Locale::parse(tag).unwrap_err();
        assert!(err.to_string().contains(hint), "{tag}: {err}");
    }
}

#[test]
fn fallback_goes_from_region_to_language_to_default() {
    assert_eq!(
        fallback_chain(&l("de-CH"), &l("en")),
        [l("de-CH"), l("de"), l("en")]
    );
    assert_eq!(fallback_chain(&l("de"), &l("en")), [l("de"), l("en")]);
    assert_eq!(fallback_chain(&l("en"), &l("en")), [l("en")]);
    assert_eq!(
        fallback_chain(&l("en-GB"), &l("en-US")),
        [l("en-GB"), l("en"), l("en-US")]
    );
    assert_eq!(
        fallback_chain(&l("fr-CA"), &l("zh-CN")),
        [l("fr-CA"), l("fr"), l("zh-CN"), l("zh")]
    );
}

#[test]
fn pick_follows_the_chain_then_takes_anything() {
    let titles = [
        (l("en"), "Desk lamp"),
        (l("de"), "Schreibtischlampe"),
        (l("zh-CN"), "台灯"),
    ];
    assert_eq!(
        pick(&titles, &l("de-CH"), &l("en")),
        Some((&l("de"), &"Schreibtischlampe"))
    );
    assert_eq!(
        pick(&titles, &l("fr"), &l("en")),
        Some((&l("en"), &"Desk lamp"))
    );
    assert_eq!(
        pick(&titles, &l("zh-CN"), &l("en")),
        Some((&l("zh-CN"), &"台灯"))
    );
    // zh-TW has no content of its own and zh is not present: the default wins.
    assert_eq!(
        pick(&titles, &l("zh-TW"), &l("en")),
        Some((&l("en"), &"Desk lamp"))
    );
    // Nothing on the chain: the first entry, so a page never goes blank.
    let only_chinese = [(l("zh-CN"), "台灯")];
    assert_eq!(
        pick(&only_chinese, &l("fr"), &l("en")),
        Some((&l("zh-CN"), &"台灯"))
    );
    let none: [(Locale, &str); 0] = [];
    assert_eq!(pick(&none, &l("fr"), &l("en")), None);
}

#[test]
fn serde_uses_the_normalised_tag() {
    assert_eq!(serde_json::to_string(&l("de-ch")).unwrap(), "\"de-CH\"");
    assert_eq!(
        serde_json::from_str::<Locale>("\"zh_cn\"").unwrap(),
        l("zh-CN")
    );
    assert!(serde_json::from_str::<Locale>("\"zh-Hans-CN\"").is_err());
}
