//! Product value types (handle, SKU, media URL, dimensions, goods flags,
//! status) and the cross-field rules of a product draft.

use std::collections::BTreeMap;
use std::num::NonZeroU32;

use chuhai_domain::catalog::{
    sanitize_description_html, Dimensions, DraftField, GoodsFlags, HsCode, Locale, MediaDraft,
    MediaUrl, ProductDraft, ProductHandle, ProductStatus, Sku, TariffCode, TradeData,
    TranslationDraft, VariantDraft,
};
use chuhai_domain::country::Country;
use chuhai_domain::money::{Currency, Money};

fn divisor(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

#[test]
fn volumetric_weight_is_mm3_over_divisor_rounded_up_to_the_gram() {
    // 30 × 20 × 15 cm = 9,000 cm³; ÷ 5000 = 1.8 kg.
    let parcel = Dimensions::new(300, 200, 150).unwrap();
    assert_eq!(parcel.volumetric_weight_grams(divisor(5000)), 1_800);
    assert_eq!(parcel.volumetric_weight_grams(divisor(6000)), 1_500);
    // 10 × 10 × 10 cm ÷ 6000 = 0.1666… kg → 167 g (rounded up).
    assert_eq!(
        Dimensions::new(100, 100, 100)
            .unwrap()
            .volumetric_weight_grams(divisor(6000)),
        167
    );
    assert_eq!(
        Dimensions::new(1, 1, 1)
            .unwrap()
            .volumetric_weight_grams(divisor(5000)),
        1
    );
    let largest = Dimensions::new(100_000, 100_000, 100_000).unwrap();
    assert_eq!(
        largest.volumetric_weight_grams(divisor(1)),
        1_000_000_000_000_000
    );
    assert_eq!(parcel.chargeable_weight_grams(900, divisor(5000)), 1_800);
    assert_eq!(parcel.chargeable_weight_grams(2_500, divisor(5000)), 2_500);
}

#[test]
fn dimensions_refuse_zero_and_absurd_sides() {
    assert!(Dimensions::new(0, 10, 10)
        .unwrap_err()
        .to_string()
        .contains("length 0 mm"));
    assert!(Dimensions::new(10, 100_001, 10).is_err());
    let json = serde_json::to_string(&Dimensions::new(300, 200, 150).unwrap()).unwrap();
    assert_eq!(json, r#"{"length_mm":300,"width_mm":200,"height_mm":150}"#);
    assert!(
        serde_json::from_str::<Dimensions>(r#"{"length_mm":0,"width_mm":1,"height_mm":1}"#)
            .is_err()
    );
}

#[test]
fn goods_flags_as_list_and_json() {
    let flags = GoodsFlags::parse_list("Battery; magnet | dangerous goods").unwrap();
    assert!(
        flags.battery && flags.magnet && flags.dangerous_goods && !flags.liquid && !flags.powder
    );
    assert_eq!(flags.to_string(), "battery, magnet, dangerous_goods");
    assert_eq!(GoodsFlags::parse_list(&flags.to_string()).unwrap(), flags);
    assert!(flags.any());
    assert!(!GoodsFlags::parse_list("").unwrap().any());
    assert!(GoodsFlags::parse_list("battery, explosives")
        .unwrap_err()
        .to_string()
        .contains("\"explosives\""));
    assert_eq!(
        serde_json::to_string(&GoodsFlags {
            liquid: true,
            ..GoodsFlags::default()
        })
        .unwrap(),
        r#"{"battery":false,"liquid":true,"magnet":false,"powder":false,"dangerous_goods":false}"#
    );
    let partial: GoodsFlags = serde_json::from_str(r#"{"powder":true}"#).unwrap();
    assert!(partial.powder && !partial.battery);
}

#[test]
fn handles_follow_shopify_rules() {
    assert_eq!(
        ProductHandle::parse("LED-Desk-Lamp").unwrap().as_str(),
        "led-desk-lamp"
    );
    for bad in ["", "desk lamp", "desk_lamp", "lampe-größe", "a.b", "台灯"] {
        assert!(ProductHandle::parse(bad).is_err(), "{bad}");
    }
    assert!(ProductHandle::parse(&"a".repeat(256)).is_err());
    assert_eq!(
        ProductHandle::from_title("Women's Snowboard")
            .unwrap()
            .as_str(),
        "womens-snowboard"
    );
    assert_eq!(
        ProductHandle::from_title("  Nordic LED Desk Lamp (30 cm) ")
            .unwrap()
            .as_str(),
        "nordic-led-desk-lamp-30-cm"
    );
    assert_eq!(
        ProductHandle::from_title("北欧 LED 台灯").unwrap().as_str(),
        "led"
    );
    assert_eq!(ProductHandle::from_title("北欧台灯"), None);
}

#[test]
fn skus_are_1_to_64_visible_characters() {
    assert_eq!(Sku::parse("LAMP-01/WHT").unwrap().as_str(), "LAMP-01/WHT");
    assert_eq!(Sku::parse("台灯-01").unwrap().as_str(), "台灯-01");
    assert!(Sku::parse("").is_err());
    assert!(Sku::parse("LAMP 01").is_err());
    assert!(Sku::parse("LAMP\u{3000}01").is_err(), "ideographic space");
    assert!(Sku::parse("LAMP\u{7}").is_err());
    assert!(Sku::parse(&"x".repeat(64)).is_ok());
    assert!(Sku::parse(&"x".repeat(65)).is_err());
}

#[test]
fn media_urls_are_absolute_http_or_https() {
    assert_eq!(
        MediaUrl::parse("HTTPS://img.lumi.example/a.jpg")
            .unwrap()
            .as_str(),
        "https://img.lumi.example/a.jpg"
    );
    assert!(MediaUrl::parse("http://img.lumi.example:8080/a.jpg?v=1").is_ok());
    for bad in [
        "ftp://img.lumi.example/a.jpg",
        "javascript:alert(1)",
        "//img.lumi.example/a.jpg",
        "/a.jpg",
        "https://",
        "https:///a.jpg",
        "https://img.lumi.example/a b.jpg",
        "https://img.lumi.example/\"onerror=x",
        "data:image/png;base64,AAAA",
    ] {
        assert!(MediaUrl::parse(bad).is_err(), "{bad}");
    }
    assert!(MediaUrl::parse(&format!("https://x.example/{}", "a".repeat(2100))).is_err());
}

#[test]
fn status_names() {
    assert_eq!(ProductStatus::parse("Active"), Some(ProductStatus::Active));
    assert_eq!(
        ProductStatus::parse("ARCHIVED"),
        Some(ProductStatus::Archived)
    );
    assert_eq!(ProductStatus::parse("published"), None);
    assert_eq!(ProductStatus::default(), ProductStatus::Draft);
    assert_eq!(
        serde_json::to_string(&ProductStatus::Archived).unwrap(),
        "\"archived\""
    );
}

fn en() -> Locale {
    Locale::parse("en").unwrap()
}

fn cny(minor: i64) -> Money {
    Money::from_minor(minor, Currency::CNY)
}

fn variant(options: &[&str], price: Money) -> VariantDraft {
    VariantDraft {
        sku: None,
        option_values: options.iter().map(|s| s.to_string()).collect(),
        gtin: None,
        price,
        compare_at_price: None,
        weight_grams: None,
        image_url: None,
        trade: TradeData::default(),
    }
}

fn lamp() -> ProductDraft {
    ProductDraft {
        handle: ProductHandle::parse("desk-lamp").unwrap(),
        status: ProductStatus::Active,
        vendor: Some("Zhongshan Guzhen Lighting".to_owned()),
        product_type: Some("Desk Lamps".to_owned()),
        tags: vec!["led".to_owned()],
        translations: vec![TranslationDraft {
            locale: en(),
            title: "Desk lamp".to_owned(),
            description_html: sanitize_description_html("<p>Warm</p>"),
            seo_title: None,
            seo_description: None,
        }],
        media: vec![MediaDraft {
            url: MediaUrl::parse("https://img.lumi.example/1.jpg").unwrap(),
            position: 1,
            alt: None,
        }],
        option_names: vec!["Colour".to_owned()],
        variants: vec![
            variant(&["White"], cny(8900)),
            variant(&["Black"], cny(8900)),
        ],
    }
}

fn fields(draft: &ProductDraft) -> Vec<(Option<usize>, DraftField)> {
    draft
        .problems()
        .into_iter()
        .map(|p| (p.variant, p.field))
        .collect()
}

#[test]
fn a_sound_draft_has_no_problems() {
    assert_eq!(lamp().problems(), []);
}

#[test]
fn option_values_must_match_option_names_and_be_unique() {
    let mut draft = lamp();
    draft.variants[1].option_values = vec!["white".to_owned()];
    assert_eq!(fields(&draft), [(Some(1), DraftField::OptionValues)]);
    draft.variants[1].option_values = vec!["Black".to_owned(), "L".to_owned()];
    assert_eq!(fields(&draft), [(Some(1), DraftField::OptionValues)]);
    draft.variants[1].option_values = vec![" ".to_owned()];
    assert_eq!(fields(&draft), [(Some(1), DraftField::OptionValues)]);
    let mut draft = lamp();
    draft.option_names = vec!["Colour".into(), "colour".into()];
    assert!(fields(&draft).contains(&(None, DraftField::OptionNames)));
    draft.option_names = vec!["a".into(), "b".into(), "c".into(), "d".into()];
    assert!(fields(&draft).contains(&(None, DraftField::OptionNames)));
}

#[test]
fn prices_must_be_positive_and_compare_at_in_the_same_currency() {
    let mut draft = lamp();
    draft.variants[0].price = cny(0);
    draft.variants[1].price = cny(-100);
    assert_eq!(
        fields(&draft),
        [(Some(0), DraftField::Price), (Some(1), DraftField::Price)]
    );
    let mut draft = lamp();
    draft.variants[0].compare_at_price = Some(Money::from_minor(100, Currency::USD));
    assert_eq!(fields(&draft), [(Some(0), DraftField::CompareAtPrice)]);
}

#[test]
fn skus_are_unique_within_the_product() {
    let mut draft = lamp();
    for v in &mut draft.variants {
        v.sku = Some(Sku::parse("LAMP-1").unwrap());
    }
    assert_eq!(fields(&draft), [(Some(1), DraftField::Sku)]);
}

#[test]
fn tariff_lines_sit_under_the_hs_code_and_net_weight_under_gross() {
    let mut draft = lamp();
    let trade = &mut draft.variants[0].trade;
    trade.tariff_codes = BTreeMap::from([(Country::US, TariffCode::parse("9405420000").unwrap())]);
    assert_eq!(
        fields(&draft),
        [(Some(0), DraftField::TariffCode(Country::US))]
    );
    draft.variants[0].trade.hs_code = Some(HsCode::parse("940511").unwrap());
    assert_eq!(
        fields(&draft),
        [(Some(0), DraftField::TariffCode(Country::US))]
    );
    draft.variants[0].trade.hs_code = Some(HsCode::parse("940542").unwrap());
    assert_eq!(fields(&draft), []);
    draft.variants[0].weight_grams = Some(500);
    draft.variants[0].trade.net_weight_grams = Some(600);
    assert_eq!(fields(&draft), [(Some(0), DraftField::NetWeightGrams)]);
}

#[test]
fn product_level_rules() {
    let mut draft = lamp();
    draft.variants.clear();
    assert_eq!(fields(&draft), [(None, DraftField::Variants)]);
    let mut draft = lamp();
    draft.translations.clear();
    assert_eq!(fields(&draft), [(None, DraftField::Translations)]);
    let mut draft = lamp();
    draft.translations.push(draft.translations[0].clone());
    assert_eq!(fields(&draft), [(None, DraftField::Translations)]);
    let mut draft = lamp();
    draft.translations[0].title = "  ".to_owned();
    assert_eq!(fields(&draft), [(None, DraftField::Title(en()))]);
    let mut draft = lamp();
    draft.tags = vec!["LED".into(), "led".into(), "a,b".into()];
    assert_eq!(
        fields(&draft),
        [(None, DraftField::Tags), (None, DraftField::Tags)]
    );
    let mut draft = lamp();
    draft.media.push(draft.media[0].clone());
    assert_eq!(fields(&draft), [(None, DraftField::Media(1))]);
}

#[test]
fn drafts_round_trip_through_json() {
    let mut draft = lamp();
    draft.variants[0].trade.country_of_origin = Some(Country::CN);
    draft.variants[0].trade.dimensions = Some(Dimensions::new(300, 200, 150).unwrap());
    let json = serde_json::to_string(&draft).unwrap();
    let back: ProductDraft = serde_json::from_str(&json).unwrap();
    assert_eq!(back, draft);
}
