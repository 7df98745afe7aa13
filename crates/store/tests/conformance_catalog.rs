//! The storage conformance suite for the catalog side: HS codes and exchange
//! rates (reference data), products with everything that belongs to them,
//! markets and derived prices. Like `conformance.rs`, every case runs on
//! SQLite always and on PostgreSQL when `CHUHAI_TEST_POSTGRES_URL` is set,
//! each on a fresh database, and must behave identically on both.
//!
//! Products are compared as whole [`ProductDraft`]s: what is read back must
//! equal what was written. Realistic drafts come from the domain's synthetic
//! Shopify CSV through the real importer; the edge cases are built by hand.

mod common;

/// Generates one test per backend for each listed case.
macro_rules! conformance {
    ($($case:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    crate::common::run_sqlite(crate::$case).await;
                }
            )+
        }

        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    crate::common::run_postgres(crate::$case).await;
                }
            )+
        }
    };
}

conformance!(
    hs_codes_replace_count_and_search,
    hs_codes_replace_is_atomic,
    hs_words_fold_case_beyond_ascii,
    hs_words_match_backslash_literally,
    fx_rates_upsert_and_latest_on_or_before,
    fx_rates_repeated_in_one_batch_last_wins,
    fx_summary_counts_and_latest_per_source,
    hand_built_products_round_trip_exactly,
    imported_products_round_trip_exactly,
    translations_keep_their_order,
    variant_image_url_round_trips,
    products_page_by_ascending_id,
    catalog_tenants_are_isolated,
    catalog_conflicts_within_batch_and_against_stored,
    catalog_conflicts_flag_every_holder_of_a_taken_value,
    insert_products_is_all_or_nothing,
    variant_price_inputs_of_own_variants,
    markets_round_trip,
    duplicate_market_code_conflicts,
    derived_prices_replace_and_read_back,
    derived_prices_in_several_json_batches,
);

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use chuhai_domain::accounts::{Email, OrganisationKind, Role, Slug};
use chuhai_domain::calendar::Date;
use chuhai_domain::catalog::{
    gs1_check_digit, parse_shopify_csv, sanitize_description_html, synthetic_shopify_csv,
    Dimensions, GoodsFlags, Gtin, HsCode, ImportContext, Locale, MediaDraft, MediaUrl,
    ProductDraft, ProductHandle, ProductStatus, Sku, TariffCode, TradeData, TranslationDraft,
    VariantDraft,
};
use chuhai_domain::country::Country;
use chuhai_domain::market::{Incoterm, Market};
use chuhai_domain::money::{Currency, Money, Rate, RoundingMode};
use chuhai_domain::pricing::{MarketRounding, PriceRule};
use chuhai_store::accounts::{NewOrganisation, NewUser, Organisation};
use chuhai_store::catalog::{ProductConflict, ProductRecord, VariantPriceInput};
use chuhai_store::markets::MarketRecord;
use chuhai_store::prices::{DerivedPriceRow, PriceDerivation, StoredPrice};
use chuhai_store::reference::{FxRow, HsRow};
use chuhai_store::{Millis, Page, Store, StoreError};

/// A fixed instant (2027-01-15) that the cases count from.
const T: Millis = 1_800_000_000_000;
const HOUR: Millis = 3_600_000;

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

/// A seller organisation `slug` (with its owner).
async fn seller(store: &Store, slug: &str) -> Organisation {
    let org = NewOrganisation {
        kind: OrganisationKind::Seller,
        slug: Slug::parse(slug).expect("valid test slug"),
        name: format!("{slug} Ltd"),
        name_zh: None,
    };
    let owner = NewUser {
        email: Email::parse(&format!("owner@{slug}.example")).expect("valid test e-mail"),
        display_name: format!("Owner of {slug}"),
        password_hash: format!("hash-of-{slug}"),
        role: Role::Owner,
        locale: None,
    };
    store
        .create_organisation_with_user(&org, &owner, T)
        .await
        .expect("create seller with owner")
        .0
}

fn locale(tag: &str) -> Locale {
    Locale::parse(tag).expect("valid test locale")
}

fn cny(minor: i64) -> Money {
    Money::from_minor(minor, Currency::CNY)
}

fn sku(text: &str) -> Sku {
    Sku::parse(text).expect("valid test SKU")
}

fn handle(text: &str) -> ProductHandle {
    ProductHandle::parse(text).expect("valid test handle")
}

fn url(text: &str) -> MediaUrl {
    MediaUrl::parse(text).expect("valid test URL")
}

fn hs(code: &str) -> HsCode {
    HsCode::parse(code).expect("valid test HS code")
}

fn tariff(code: &str) -> TariffCode {
    TariffCode::parse(code).expect("valid test tariff code")
}

/// A GTIN from its payload (all digits but the check digit).
fn gtin(payload: &str) -> Gtin {
    let check = gs1_check_digit(payload).expect("digits");
    Gtin::parse(&format!("{payload}{check}")).expect("valid test GTIN")
}

fn translation(tag: &str, title: &str, html: &str) -> TranslationDraft {
    TranslationDraft {
        locale: locale(tag),
        title: title.to_owned(),
        description_html: sanitize_description_html(html),
        seo_title: None,
        seo_description: None,
    }
}

/// A plain variant: a SKU, option values and a price, nothing else.
fn plain_variant(code: &str, options: &[&str], price: Money) -> VariantDraft {
    VariantDraft {
        sku: Some(sku(code)),
        option_values: options.iter().map(|o| (*o).to_owned()).collect(),
        gtin: None,
        price,
        compare_at_price: None,
        weight_grams: None,
        image_url: None,
        trade: TradeData::default(),
    }
}

/// A minimal valid product: one English title and one variant.
fn simple_product(handle_text: &str, sku_text: &str) -> ProductDraft {
    ProductDraft {
        handle: handle(handle_text),
        status: ProductStatus::Active,
        vendor: None,
        product_type: None,
        tags: Vec::new(),
        translations: vec![translation("en", &format!("Product {handle_text}"), "")],
        media: Vec::new(),
        option_names: Vec::new(),
        variants: vec![plain_variant(sku_text, &[], cny(1_000))],
    }
}

/// A product that uses every field: three locales (Chinese among them),
/// media with gaps in the positions, three options, variants with full,
/// partial and no trade data, GTIN-13 and GTIN-12, compare-at prices,
/// tariff lines for three countries and every goods flag.
fn full_lamp() -> ProductDraft {
    let mut de = translation(
        "de",
        "Nordische LED-Schreibtischlampe",
        "<p>Dimmbar &amp; blendfrei.</p><ul><li>3000&ndash;6500 K</li></ul>",
    );
    de.seo_title = Some("LED-Schreibtischlampe | Versandkostenfrei".into());
    de.seo_description = Some("Dimmbare Schreibtischlampe aus Aluminium.".into());
    let mut en = translation(
        "en",
        "Nordic LED Desk Lamp",
        "<p>Dimmable &amp; glare-free.</p><ul><li>CE, RoHS</li><li>Made in Guangdong</li></ul>",
    );
    en.seo_title = Some("Nordic LED Desk Lamp | Free shipping".into());
    let mut zh = translation(
        "zh-CN",
        "北欧LED台灯",
        "<p>北欧风格LED台灯，适用于客厅、卧室和办公室。</p><ul><li>三档调光</li></ul>",
    );
    zh.seo_title = Some("北欧台灯 | 包邮".into());
    zh.seo_description = Some("铝合金可调光台灯，广东制造。".into());

    let full = VariantDraft {
        sku: Some(sku("NDL-WHT-S-EU")),
        option_values: vec!["White".into(), "Small".into(), "EU".into()],
        gtin: Some(gtin("690123456789")),
        price: cny(8_900),
        compare_at_price: Some(cny(11_900)),
        weight_grams: Some(900),
        image_url: None,
        trade: TradeData {
            hs_code: Some(hs("940521")),
            tariff_codes: BTreeMap::from([
                (Country::US, tariff("9405.21.6010")),
                (Country::GB, tariff("9405210090")),
                (Country::DE, tariff("94052140")),
            ]),
            country_of_origin: Some(Country::CN),
            net_weight_grams: Some(720),
            dimensions: Some(Dimensions::new(400, 180, 120).expect("valid size")),
            customs_description_en: Some("LED desk lamp, plastic and aluminium".into()),
            customs_description_zh: Some("LED台灯，塑料和铝".into()),
            goods_flags: GoodsFlags {
                battery: true,
                magnet: true,
                ..GoodsFlags::default()
            },
        },
    };
    let partial = VariantDraft {
        sku: Some(sku("NDL-红-L-UK")),
        option_values: vec!["红色".into(), "Large".into(), "UK".into()],
        // A UPC-A (GTIN-12) with a leading zero.
        gtin: Some(gtin("03600029145")),
        price: cny(12_900),
        compare_at_price: None,
        weight_grams: Some(1_800),
        image_url: None,
        trade: TradeData {
            hs_code: Some(hs("940521")),
            tariff_codes: BTreeMap::new(),
            country_of_origin: Some(Country::DE),
            net_weight_grams: None,
            dimensions: Some(Dimensions::new(1_000, 300, 150).expect("valid size")),
            customs_description_en: None,
            customs_description_zh: None,
            goods_flags: GoodsFlags {
                liquid: true,
                powder: true,
                dangerous_goods: true,
                ..GoodsFlags::default()
            },
        },
    };
    let bare = plain_variant("NDL-BLK-M-US", &["Black", "Medium", "US"], cny(10_900));

    ProductDraft {
        handle: handle("nordic-led-desk-lamp"),
        status: ProductStatus::Active,
        vendor: Some("Zhongshan Guzhen Lighting Co., Ltd.".into()),
        product_type: Some("Desk Lamps".into()),
        tags: vec!["lighting".into(), "LED".into(), "北欧".into()],
        // In locale order (see `translations_keep_their_order` for others).
        translations: vec![de, en, zh],
        media: vec![
            MediaDraft {
                url: url("https://img.lumi.example/ndl/front.jpg"),
                position: 1,
                alt: Some("Front view".into()),
            },
            MediaDraft {
                url: url("https://img.lumi.example/ndl/side.jpg?w=1200&h=800"),
                position: 2,
                alt: None,
            },
            MediaDraft {
                url: url("https://img.lumi.example/ndl/%E4%BE%A7%E9%9D%A2.jpg"),
                position: 7,
                alt: Some("侧面".into()),
            },
        ],
        option_names: vec!["Colour".into(), "Size".into(), "Plug".into()],
        variants: vec![full, partial, bare],
    }
}

/// An archived product priced in yen: no vendor, type, tags, media or options.
fn bare_jpy_product() -> ProductDraft {
    let mut variant = plain_variant("TEA-SET-01", &[], Money::from_minor(1_980, Currency::JPY));
    variant.compare_at_price = Some(Money::from_minor(2_480, Currency::JPY));
    ProductDraft {
        handle: handle("tea-set"),
        status: ProductStatus::Archived,
        vendor: None,
        product_type: None,
        tags: Vec::new(),
        translations: vec![translation("ja", "茶器セット", "")],
        media: Vec::new(),
        option_names: Vec::new(),
        variants: vec![variant],
    }
}

/// A draft product priced in US dollars with one option.
fn usd_product() -> ProductDraft {
    ProductDraft {
        handle: handle("rattan-pendant"),
        status: ProductStatus::Draft,
        vendor: Some("Ningbo Sunlite Outdoor Products".into()),
        product_type: None,
        tags: vec!["rattan".into()],
        translations: vec![translation("en", "Rattan Pendant", "<p>Hand-woven.</p>")],
        media: vec![MediaDraft {
            url: url("https://img.lumi.example/rattan.jpg"),
            position: 1,
            alt: None,
        }],
        option_names: vec!["Colour".into()],
        variants: vec![
            plain_variant(
                "RP-NAT",
                &["Natural"],
                Money::from_minor(4_999, Currency::USD),
            ),
            plain_variant(
                "RP-BLK",
                &["Black"],
                Money::from_minor(5_499, Currency::USD),
            ),
        ],
    }
}

/// Drafts read by the real importer from the domain's synthetic Shopify CSV.
fn imported_drafts(rows: usize, seed: u64) -> Vec<ProductDraft> {
    let csv = synthetic_shopify_csv(rows, seed);
    let any_code = |_: HsCode| true;
    let ctx = ImportContext {
        currency: Currency::CNY,
        default_locale: locale("en"),
        hs_codes: &any_code,
    };
    let parsed = parse_shopify_csv(csv.as_bytes(), &ctx);
    assert!(
        parsed.errors.is_empty(),
        "the synthetic CSV imports cleanly: {:?}",
        &parsed.errors[..parsed.errors.len().min(5)]
    );
    parsed.products
}

/// The large synthetic catalog of the bulk price case, parsed once per run
/// (both backends use it).
fn big_catalog() -> &'static [ProductDraft] {
    static BIG: OnceLock<Vec<ProductDraft>> = OnceLock::new();
    BIG.get_or_init(|| imported_drafts(2_400, 7))
}

fn assert_valid(drafts: &[ProductDraft]) {
    for d in drafts {
        assert_eq!(d.problems(), vec![], "test draft {} is valid", d.handle);
    }
}

/// Follows `next_after` from the start with pages of `limit`, checking each
/// page's shape, and returns the pages' ids.
async fn collect_product_pages(store: &Store, organisation_id: i64, limit: u32) -> Vec<Vec<i64>> {
    let mut pages = Vec::new();
    let mut after = 0;
    loop {
        let p: Page<ProductRecord> = store
            .list_products(organisation_id, after, limit)
            .await
            .expect("list a page");
        let ids: Vec<i64> = p.items.iter().map(|r| r.id).collect();
        assert!(
            ids.len() <= limit as usize,
            "page longer than limit: {ids:?}"
        );
        pages.push(ids);
        match p.next_after {
            Some(next) => {
                assert_eq!(
                    Some(&next),
                    pages.last().and_then(|ids| ids.last()),
                    "next_after must be the last id of a non-final page"
                );
                after = next;
            }
            None => return pages,
        }
        assert!(pages.len() < 100, "pagination does not end");
    }
}

fn conflict(index: usize, field: &'static str, value: &str, reason: &str) -> ProductConflict {
    ProductConflict {
        index,
        field,
        value: value.to_owned(),
        reason: reason.to_owned(),
    }
}

fn assert_invalid<T: std::fmt::Debug>(
    result: Result<T, StoreError>,
    want_field: &str,
    want_reason: &str,
) {
    match result {
        Err(StoreError::Invalid { field, reason }) => {
            assert_eq!((field, reason.as_str()), (want_field, want_reason))
        }
        other => panic!("expected Invalid{{{want_field}: {want_reason}}}, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// HS codes
// ---------------------------------------------------------------------------

fn hs_row(code: &str, section: &str, description: &str) -> HsRow {
    let level = code.len() as i64;
    HsRow {
        code: code.to_owned(),
        level,
        parent: match level {
            2 => None,
            _ => Some(code[..code.len() - 2].to_owned()),
        },
        section: section.to_owned(),
        description: description.to_owned(),
    }
}

/// A slice of HS 2022: two chapters, two headings, six subheadings.
fn hs_sample() -> Vec<HsRow> {
    vec![
        hs_row("85", "XVI", "Electrical machinery and equipment and parts thereof"),
        hs_row("8539", "XVI", "Lamps; electric filament or discharge lamps, light-emitting diode (LED) light sources"),
        hs_row("853952", "XVI", "Lamps; light-emitting diode (LED) light sources, light-emitting diode (LED) lamps"),
        hs_row("94", "XX", "Furniture; bedding, mattresses; lamps and lighting fittings, n.e.c."),
        hs_row("9405", "XX", "Luminaires and lighting fittings including searchlights and spotlights"),
        // Out of code order on purpose: the store orders, not the input.
        hs_row("940542", "XX", "Luminaires and lighting fittings; other electric LED luminaires"),
        hs_row("940511", "XX", "Luminaires and lighting fittings; chandeliers, ceiling or wall lighting fittings, LED"),
        hs_row("940521", "XX", "Luminaires and lighting fittings; electric table, desk, bedside or floor-standing LAMPS, LED"),
        hs_row("940531", "XX", "Luminaires and lighting fittings; lighting strings of a kind used for Christmas trees, LED"),
        hs_row("940541", "XX", "Luminaires and lighting fittings; photovoltaic LED luminaires"),
    ]
}

fn codes(rows: &[HsRow]) -> Vec<&str> {
    rows.iter().map(|r| r.code.as_str()).collect()
}

fn words(list: &[&str]) -> Vec<String> {
    list.iter().map(|w| (*w).to_owned()).collect()
}

async fn hs_codes_replace_count_and_search(store: Store) {
    assert_eq!(store.hs_counts().await.unwrap(), (0, 0, 0));
    assert_eq!(store.hs_code("940521").await.unwrap(), None);
    assert_eq!(store.replace_hs_codes(hs_sample()).await.unwrap(), 10);
    assert_eq!(store.hs_counts().await.unwrap(), (2, 2, 6));

    // One entry, exactly as written.
    let sample = hs_sample();
    assert_eq!(
        store.hs_code("940521").await.unwrap().as_ref(),
        sample.iter().find(|r| r.code == "940521")
    );
    assert_eq!(
        store.hs_code("85").await.unwrap(),
        Some(hs_row(
            "85",
            "XVI",
            "Electrical machinery and equipment and parts thereof"
        ))
    );
    assert_eq!(
        store
            .hs_code("9405")
            .await
            .unwrap()
            .unwrap()
            .parent
            .as_deref(),
        Some("94")
    );
    assert_eq!(store.hs_code("940599").await.unwrap(), None);
    assert_eq!(store.hs_code("9").await.unwrap(), None);

    // Prefixes: ordered by code, so a chapter comes before its headings
    // and a heading before its subheadings; the limit cuts the tail.
    let by_prefix = |prefix: &'static str, limit: u32| {
        let store = store.clone();
        async move { store.hs_by_prefix(prefix, limit).await.unwrap() }
    };
    assert_eq!(
        codes(&by_prefix("94", 10).await),
        ["94", "9405", "940511", "940521", "940531", "940541", "940542"]
    );
    assert_eq!(codes(&by_prefix("94", 3).await), ["94", "9405", "940511"]);
    assert_eq!(
        codes(&by_prefix("9405", 100).await),
        ["9405", "940511", "940521", "940531", "940541", "940542"]
    );
    assert_eq!(codes(&by_prefix("94054", 10).await), ["940541", "940542"]);
    assert_eq!(codes(&by_prefix("8539", 10).await), ["8539", "853952"]);
    assert_eq!(codes(&by_prefix("940521", 10).await), ["940521"]);
    assert_eq!(by_prefix("7", 10).await, vec![]);
    assert_eq!(by_prefix("9406", 10).await, vec![]);
    assert_eq!(
        codes(&by_prefix("", 4).await),
        ["85", "8539", "853952", "94"],
        "an empty prefix lists from the first code"
    );
    // LIKE wildcards in the prefix are characters to find, not wildcards.
    assert_eq!(codes(&by_prefix("9_", 10).await), Vec::<String>::new());
    assert_eq!(by_prefix("%1", 10).await, vec![]);

    // Words: every word must occur, in any case; subheadings first, then by code.
    let by_words = |list: &'static [&'static str], limit: u32| {
        let store = store.clone();
        async move { store.hs_by_words(&words(list), limit).await.unwrap() }
    };
    assert_eq!(
        codes(&by_words(&["led", "lamps"], 10).await),
        ["853952", "940521", "8539"]
    );
    assert_eq!(
        codes(&by_words(&["LAMPS", "Led"], 10).await),
        ["853952", "940521", "8539"],
        "matching ignores case, of the words and of the descriptions"
    );
    assert_eq!(
        codes(&by_words(&["lamps"], 10).await),
        ["853952", "940521", "8539", "94"]
    );
    assert_eq!(codes(&by_words(&["lamps"], 2).await), ["853952", "940521"]);
    assert_eq!(
        codes(&by_words(&["luminaires", "led"], 10).await),
        ["940511", "940521", "940531", "940541", "940542"]
    );
    assert_eq!(
        codes(&by_words(&["christmas", "led", "strings"], 10).await),
        ["940531"]
    );
    // Words match inside words ("light" in "lighting"), not across the set.
    assert_eq!(codes(&by_words(&["photovoltaic"], 10).await), ["940541"]);
    assert_eq!(by_words(&["photovoltaic", "desk"], 10).await, vec![]);
    assert_eq!(by_words(&["unicorn"], 10).await, vec![]);
    assert_eq!(by_words(&[], 10).await, vec![]);

    // Replacing drops what the new set does not have.
    let smaller = vec![
        hs_row("94", "XX", "Furniture; lamps"),
        hs_row("9405", "XX", "Luminaires"),
        hs_row("940542", "XX", "Luminaires; LED, other"),
    ];
    assert_eq!(store.replace_hs_codes(smaller.clone()).await.unwrap(), 3);
    assert_eq!(store.hs_counts().await.unwrap(), (1, 1, 1));
    assert_eq!(store.hs_code("940521").await.unwrap(), None);
    assert_eq!(store.hs_code("85").await.unwrap(), None);
    assert_eq!(
        store.hs_code("940542").await.unwrap(),
        Some(smaller[2].clone())
    );
    assert_eq!(by_prefix("94", 10).await, smaller);
    assert_eq!(codes(&by_words(&["lamps"], 10).await), ["94"]);

    // An empty set empties the table.
    assert_eq!(store.replace_hs_codes(Vec::new()).await.unwrap(), 0);
    assert_eq!(store.hs_counts().await.unwrap(), (0, 0, 0));
}

async fn hs_codes_replace_is_atomic(store: Store) {
    assert_eq!(store.replace_hs_codes(hs_sample()).await.unwrap(), 10);
    // A new set that cannot be written whole (the same code twice) leaves
    // the old set in place.
    let mut broken = vec![
        hs_row("01", "I", "Animals; live"),
        hs_row("0101", "I", "Horses, asses, mules and hinnies; live"),
    ];
    broken.push(hs_row("0101", "I", "Horses again"));
    store
        .replace_hs_codes(broken)
        .await
        .expect_err("the same code twice");
    assert_eq!(store.hs_counts().await.unwrap(), (2, 2, 6));
    assert_eq!(store.hs_code("01").await.unwrap(), None);
    assert_eq!(store.hs_by_prefix("", 100).await.unwrap().len(), 10);

    // A large set (several INSERT statements) replaces the old one whole.
    let mut large = Vec::new();
    for chapter in 10..60 {
        large.push(hs_row(
            &format!("{chapter}"),
            "II",
            &format!("Chapter {chapter}"),
        ));
        for heading in 1..=9 {
            let h = format!("{chapter}{heading:02}");
            large.push(hs_row(&h, "II", &format!("Heading {h}")));
            for sub in [10, 20, 90] {
                let s = format!("{h}{sub}");
                large.push(hs_row(&s, "II", &format!("Subheading {s}")));
            }
        }
    }
    assert_eq!(large.len(), 50 * (1 + 9 * 4));
    assert_eq!(store.replace_hs_codes(large).await.unwrap(), 1_850);
    assert_eq!(store.hs_counts().await.unwrap(), (50, 450, 1_350));
    assert_eq!(store.hs_code("940521").await.unwrap(), None);
    assert_eq!(
        codes(&store.hs_by_prefix("5909", 10).await.unwrap()),
        ["5909", "590910", "590920", "590990"]
    );
}

async fn hs_words_fold_case_beyond_ascii(store: Store) {
    store
        .replace_hs_codes(vec![
            hs_row("16", "IV", "Preparations of meat; PÂTÉ and similar"),
            hs_row("1601", "IV", "Sausages; ÉCLAIRS are not here"),
        ])
        .await
        .unwrap();
    // The store promises case-insensitive matching; that has to hold for
    // letters outside ASCII too, and the same on both backends.
    assert_eq!(
        codes(&store.hs_by_words(&words(&["pâté"]), 10).await.unwrap()),
        ["16"]
    );
    assert_eq!(
        codes(&store.hs_by_words(&words(&["Éclairs"]), 10).await.unwrap()),
        ["1601"]
    );
}

async fn hs_words_match_backslash_literally(store: Store) {
    // Search words come from the user's query as typed; every character,
    // `%`, `_` and a backslash included, is a character to find (the store
    // escapes them for LIKE on both backends).
    store
        .replace_hs_codes({
            let mut rows = hs_sample();
            rows.push(hs_row("99", "XXI", r"Reserved \ special uses"));
            rows
        })
        .await
        .unwrap();
    let by_words = |list: &'static [&'static str]| {
        let store = store.clone();
        async move { store.hs_by_words(&words(list), 10).await }
    };
    let (alone, before, after) = (
        by_words(&[r"\"]).await.unwrap(),
        by_words(&[r"\led"]).await.unwrap(),
        by_words(&[r"led\"]).await.unwrap(),
    );
    assert_eq!(
        (codes(&alone), codes(&before), codes(&after)),
        (vec!["99"], vec![], vec![]),
        "a backslash is found as itself, and only as itself"
    );
}

// ---------------------------------------------------------------------------
// Exchange rates
// ---------------------------------------------------------------------------

fn day(y: i32, m: u32, d: u32) -> i64 {
    i64::from(
        Date::from_ymd(y, m, d)
            .expect("valid date")
            .days_since_epoch(),
    )
}

fn fx(source: &str, currency: &str, date: i64, per_eur: &str) -> FxRow {
    FxRow {
        source: source.to_owned(),
        currency: currency.to_owned(),
        date,
        per_eur: per_eur.to_owned(),
    }
}

async fn fx_rates_upsert_and_latest_on_or_before(store: Store) {
    // 2026-10-30 is a Friday; ECB publishes no rates at weekends.
    let thu = day(2026, 10, 29);
    let fri = day(2026, 10, 30);
    let sat = day(2026, 10, 31);
    let sun = day(2026, 11, 1);
    let mon = day(2026, 11, 2);
    assert_eq!(store.fx_rate_on("ECB", "USD", fri).await.unwrap(), None);
    assert_eq!(store.fx_summary().await.unwrap(), vec![]);

    let n = store
        .upsert_fx_rates(vec![
            fx("ECB", "USD", thu, "1.0801"),
            fx("ECB", "USD", fri, "1.0812"),
            fx("ECB", "USD", mon, "1.0790"),
            fx("ECB", "CNY", fri, "7.8125"),
            fx("ECB", "JPY", fri, "162.50"),
            fx("OTHER", "USD", sat, "2.0000"),
        ])
        .await
        .unwrap();
    assert_eq!(n, 6);

    // The latest rate on or before the day asked for.
    let on = |currency: &'static str, date: i64| {
        let store = store.clone();
        async move { store.fx_rate_on("ECB", currency, date).await.unwrap() }
    };
    assert_eq!(on("USD", thu).await, Some((thu, "1.0801".into())));
    assert_eq!(on("USD", fri).await, Some((fri, "1.0812".into())));
    assert_eq!(
        on("USD", sat).await,
        Some((fri, "1.0812".into())),
        "Saturday uses Friday's rate (not another source's Saturday rate)"
    );
    assert_eq!(on("USD", sun).await, Some((fri, "1.0812".into())));
    assert_eq!(on("USD", mon).await, Some((mon, "1.0790".into())));
    assert_eq!(on("USD", mon + 365).await, Some((mon, "1.0790".into())));
    assert_eq!(on("USD", thu - 1).await, None, "before the first rate");
    assert_eq!(on("CNY", sun).await, Some((fri, "7.8125".into())));
    assert_eq!(on("CNY", thu).await, None);
    assert_eq!(
        on("JPY", fri).await,
        Some((fri, "162.50".into())),
        "text kept exactly"
    );
    assert_eq!(on("GBP", fri).await, None);
    assert_eq!(
        store.fx_rate_on("OTHER", "USD", sun).await.unwrap(),
        Some((sat, "2.0000".into()))
    );
    assert_eq!(store.fx_rate_on("OTHER", "USD", fri).await.unwrap(), None);

    // A second value for the same source, currency and day replaces the
    // first; other days are untouched.
    let n = store
        .upsert_fx_rates(vec![
            fx("ECB", "USD", fri, "1.0850"),
            fx("ECB", "GBP", fri, "0.8712"),
        ])
        .await
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(on("USD", sat).await, Some((fri, "1.0850".into())));
    assert_eq!(on("USD", thu).await, Some((thu, "1.0801".into())));
    assert_eq!(on("GBP", sun).await, Some((fri, "0.8712".into())));
    assert_eq!(
        store.fx_rates("ECB").await.unwrap(),
        vec![
            fx("ECB", "CNY", fri, "7.8125"),
            fx("ECB", "GBP", fri, "0.8712"),
            fx("ECB", "JPY", fri, "162.50"),
            fx("ECB", "USD", thu, "1.0801"),
            fx("ECB", "USD", fri, "1.0850"),
            fx("ECB", "USD", mon, "1.0790"),
        ]
    );
    assert_eq!(
        store.fx_rates("OTHER").await.unwrap(),
        vec![fx("OTHER", "USD", sat, "2.0000")]
    );
    assert_eq!(store.fx_rates("NONE").await.unwrap(), vec![]);
    assert_eq!(store.upsert_fx_rates(Vec::new()).await.unwrap(), 0);
}

async fn fx_rates_repeated_in_one_batch_last_wins(store: Store) {
    let fri = day(2026, 10, 30);
    // One import naming a day twice (e.g. two files concatenated, or a
    // corrected rate after the original): the later value wins, as it
    // does across imports.
    let result = store
        .upsert_fx_rates(vec![
            fx("ECB", "USD", fri, "1.0812"),
            fx("ECB", "CNY", fri, "7.8125"),
            fx("ECB", "USD", fri, "1.0850"),
        ])
        .await;
    assert!(
        result.is_ok(),
        "a batch naming a day twice must be accepted: {result:?}"
    );
    assert_eq!(
        store.fx_rate_on("ECB", "USD", fri).await.unwrap(),
        Some((fri, "1.0850".into()))
    );
    assert_eq!(
        store.fx_rate_on("ECB", "CNY", fri).await.unwrap(),
        Some((fri, "7.8125".into()))
    );
    assert_eq!(
        store.fx_summary().await.unwrap(),
        vec![("ECB".into(), 2, Some(fri))]
    );
}

async fn fx_summary_counts_and_latest_per_source(store: Store) {
    let first = day(2026, 1, 2);
    // Several statements' worth of rows: 3 currencies × 600 days.
    let mut rows = Vec::new();
    for d in 0..600 {
        for (currency, base) in [("USD", 10_800), ("CNY", 78_000), ("JPY", 1_600_000)] {
            rows.push(fx(
                "ECB",
                currency,
                first + d,
                &format!("{}.{:04}", base / 10_000, (base + d) % 10_000),
            ));
        }
    }
    rows.push(fx("BOC", "USD", first + 3, "7.1000"));
    rows.push(fx("BOC", "EUR", first + 5, "7.8000"));
    assert_eq!(store.upsert_fx_rates(rows).await.unwrap(), 1_802);
    assert_eq!(
        store.fx_summary().await.unwrap(),
        vec![
            ("BOC".into(), 2, Some(first + 5)),
            ("ECB".into(), 1_800, Some(first + 599)),
        ]
    );
    assert_eq!(
        store.fx_rate_on("ECB", "USD", first + 1_000).await.unwrap(),
        Some((first + 599, format!("1.{:04}", 800 + 599)))
    );
    // Upserting again counts nothing twice.
    assert_eq!(
        store
            .upsert_fx_rates(vec![
                fx("BOC", "USD", first + 3, "7.2000"),
                fx("BOC", "USD", first + 9, "7.3000"),
            ])
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store.fx_summary().await.unwrap(),
        vec![
            ("BOC".into(), 3, Some(first + 9)),
            ("ECB".into(), 1_800, Some(first + 599)),
        ]
    );
}

// ---------------------------------------------------------------------------
// Products
// ---------------------------------------------------------------------------

/// Reads back every product in `ids` and checks it against `drafts`.
async fn assert_stored(
    store: &Store,
    organisation_id: i64,
    ids: &[i64],
    drafts: &[ProductDraft],
    now: Millis,
) -> Vec<ProductRecord> {
    assert_eq!(ids.len(), drafts.len());
    let mut records = Vec::new();
    for (id, draft) in ids.iter().zip(drafts) {
        let r = store
            .product(organisation_id, *id)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("product {id} ({}) is stored", draft.handle));
        assert_eq!(r.id, *id);
        assert_eq!(r.organisation_id, organisation_id);
        assert_eq!(
            &r.draft, draft,
            "product {} reads back as written",
            draft.handle
        );
        assert_eq!(r.variant_ids.len(), draft.variants.len());
        assert!(
            r.variant_ids.iter().all(|v| *v > 0),
            "variant ids: {:?}",
            r.variant_ids
        );
        assert_eq!((r.created_at, r.updated_at), (now, now));
        records.push(r);
    }
    records
}

async fn hand_built_products_round_trip_exactly(store: Store) {
    let org = seller(&store, "acme").await;
    let drafts = vec![full_lamp(), bare_jpy_product(), usd_product()];
    assert_valid(&drafts);
    let ids = store.insert_products(org.id, &drafts, T).await.unwrap();
    assert_eq!(ids.len(), 3);
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "ids in input order: {ids:?}"
    );
    let records = assert_stored(&store, org.id, &ids, &drafts, T).await;

    // Variant ids follow the variants' order, and are all different.
    let all: BTreeSet<i64> = records.iter().flat_map(|r| r.variant_ids.clone()).collect();
    assert_eq!(all.len(), 6);
    assert!(records[0].variant_ids.windows(2).all(|w| w[0] < w[1]));

    // The listing carries the same records.
    let page = store.list_products(org.id, 0, 10).await.unwrap();
    assert_eq!(page.next_after, None);
    assert_eq!(page.items, records);
    assert_eq!(store.catalog_counts(org.id).await.unwrap(), (3, 6));

    // Spot checks of what matters most, spelled out.
    let lamp = &records[0].draft;
    assert_eq!(lamp.translations[2].title, "北欧LED台灯");
    assert_eq!(
        lamp.variants[0].trade.tariff_codes[&Country::US].as_str(),
        "9405216010"
    );
    assert_eq!(
        lamp.variants[1].gtin.as_ref().unwrap().as_str(),
        "036000291452"
    );
    assert_eq!(
        lamp.variants[1].sku.as_ref().unwrap().as_str(),
        "NDL-红-L-UK"
    );
    assert_eq!(
        lamp.media.iter().map(|m| m.position).collect::<Vec<_>>(),
        [1, 2, 7]
    );
    assert_eq!(
        records[1].draft.variants[0].price,
        Money::from_minor(1_980, Currency::JPY)
    );

    // A missing id is not found.
    assert_eq!(store.product(org.id, ids[2] + 1_000).await.unwrap(), None);
}

async fn imported_products_round_trip_exactly(store: Store) {
    let org = seller(&store, "acme").await;
    let drafts = imported_drafts(400, 42);
    assert!(drafts.len() > 60, "{} products", drafts.len());
    assert_valid(&drafts);
    let variants: usize = drafts.iter().map(|d| d.variants.len()).sum();
    // Some of the generator's variants carry a compare-at price, some a
    // battery; make sure the sample exercises both.
    assert!(drafts
        .iter()
        .flat_map(|d| &d.variants)
        .any(|v| v.compare_at_price.is_some()));
    assert!(drafts
        .iter()
        .flat_map(|d| &d.variants)
        .any(|v| v.trade.goods_flags.battery));

    // Give some of them tariff lines, as a seller would add them.
    let mut drafts = drafts;
    for (i, d) in drafts.iter_mut().enumerate().filter(|(i, _)| i % 3 == 0) {
        for v in &mut d.variants {
            let code = v.trade.hs_code.expect("synthetic variants have an HS code");
            v.trade.tariff_codes.insert(
                Country::US,
                tariff(&format!("{}{:04}", code.as_str(), i % 10_000)),
            );
            v.trade
                .tariff_codes
                .insert(Country::GB, tariff(&format!("{}00", code.as_str())));
        }
    }
    let ids = store.insert_products(org.id, &drafts, T).await.unwrap();
    assert_eq!(
        store.catalog_counts(org.id).await.unwrap(),
        (drafts.len() as i64, variants as i64)
    );
    let records = assert_stored(&store, org.id, &ids, &drafts, T).await;

    // The whole catalog through the listing, in id order.
    let mut listed = Vec::new();
    let mut after = 0;
    loop {
        let page = store.list_products(org.id, after, 50).await.unwrap();
        listed.extend(page.items);
        match page.next_after {
            Some(next) => after = next,
            None => break,
        }
    }
    assert_eq!(listed, records);
}

async fn translations_keep_their_order(store: Store) {
    let org = seller(&store, "acme").await;
    // A seller whose default language is Chinese: the importer puts the
    // default locale's translation first.
    let mut draft = simple_product("chinese-first", "ZH-1");
    draft.translations = vec![
        translation("zh-CN", "北欧LED台灯", "<p>中文描述</p>"),
        translation("en", "Nordic LED Desk Lamp", "<p>English</p>"),
        translation("de", "Nordische Lampe", ""),
    ];
    assert_valid(std::slice::from_ref(&draft));
    let ids = store
        .insert_products(org.id, std::slice::from_ref(&draft), T)
        .await
        .unwrap();
    let read = store.product(org.id, ids[0]).await.unwrap().unwrap();
    assert_eq!(
        read.draft
            .translations
            .iter()
            .map(|t| t.locale.as_str())
            .collect::<Vec<_>>(),
        ["zh-CN", "en", "de"],
        "translations come back in the order written"
    );
    assert_eq!(read.draft, draft);
}

async fn variant_image_url_round_trips(store: Store) {
    let org = seller(&store, "acme").await;
    // Shopify's "Variant Image" column: the importer fills `image_url`.
    let mut draft = usd_product();
    draft.variants[0].image_url = Some(url("https://img.lumi.example/rattan-natural.jpg"));
    assert_valid(std::slice::from_ref(&draft));
    let ids = store
        .insert_products(org.id, std::slice::from_ref(&draft), T)
        .await
        .unwrap();
    let read = store.product(org.id, ids[0]).await.unwrap().unwrap();
    assert_eq!(
        read.draft.variants[0].image_url,
        Some(url("https://img.lumi.example/rattan-natural.jpg")),
        "a variant's image is stored"
    );
    assert_eq!(read.draft.variants[1].image_url, None);
    assert_eq!(read.draft, draft);
}

async fn products_page_by_ascending_id(store: Store) {
    let org = seller(&store, "acme").await;
    let other = seller(&store, "globex").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        // Interleave another tenant's products, which must not show up.
        ids.extend(
            store
                .insert_products(
                    org.id,
                    &[simple_product(&format!("p-{i}"), &format!("P-{i}"))],
                    T + i,
                )
                .await
                .unwrap(),
        );
        store
            .insert_products(
                other.id,
                &[simple_product(&format!("p-{i}"), &format!("P-{i}"))],
                T + i,
            )
            .await
            .unwrap();
    }
    assert!(ids.windows(2).all(|w| w[0] < w[1]));

    for (limit, sizes) in [
        (2, vec![2, 2, 1]),
        (5, vec![5]),
        (1, vec![1; 5]),
        (10, vec![5]),
    ] {
        let pages = collect_product_pages(&store, org.id, limit).await;
        assert_eq!(
            pages.iter().map(Vec::len).collect::<Vec<_>>(),
            sizes,
            "page sizes for limit {limit}: {pages:?}"
        );
        assert_eq!(pages.concat(), ids, "limit {limit}");
    }
    // Pages carry whole products, each with its own timestamps.
    let page = store.list_products(org.id, ids[1], 2).await.unwrap();
    assert_eq!(page.next_after, Some(ids[3]));
    assert_eq!(
        page.items
            .iter()
            .map(|r| (r.id, r.created_at, r.draft.handle.as_str()))
            .collect::<Vec<_>>(),
        [(ids[2], T + 2, "p-2"), (ids[3], T + 3, "p-3")]
    );
    // Past the last id: empty, last page.
    assert_eq!(
        store.list_products(org.id, ids[4], 2).await.unwrap(),
        Page {
            items: vec![],
            next_after: None
        }
    );
}

async fn catalog_tenants_are_isolated(store: Store) {
    let a = seller(&store, "acme").await;
    let b = seller(&store, "globex").await;
    let drafts = vec![full_lamp(), usd_product()];
    let a_ids = store.insert_products(a.id, &drafts, T).await.unwrap();

    // B sees nothing of A's.
    for id in &a_ids {
        assert_eq!(store.product(b.id, *id).await.unwrap(), None);
    }
    assert_eq!(
        store.list_products(b.id, 0, 10).await.unwrap().items,
        vec![]
    );
    assert_eq!(store.catalog_counts(b.id).await.unwrap(), (0, 0));
    assert_eq!(store.variant_price_inputs(b.id).await.unwrap(), vec![]);
    let a_variant = store
        .product(a.id, a_ids[0])
        .await
        .unwrap()
        .unwrap()
        .variant_ids[0];
    assert_eq!(
        store.variant_price_input(b.id, a_variant).await.unwrap(),
        None
    );
    assert!(store
        .variant_price_input(a.id, a_variant)
        .await
        .unwrap()
        .is_some());

    // The same handles and SKUs are free in B, and B may use them.
    assert_eq!(
        store.catalog_conflicts(b.id, &drafts).await.unwrap(),
        vec![]
    );
    let b_ids = store
        .insert_products(b.id, &drafts, T + HOUR)
        .await
        .unwrap();
    assert!(b_ids.iter().all(|id| !a_ids.contains(id)));
    let b_records = assert_stored(&store, b.id, &b_ids, &drafts, T + HOUR).await;
    // … while in A they are taken.
    assert_eq!(
        store_conflicts_sorted(&store, a.id, &drafts[1..]).await,
        vec![
            conflict(
                0,
                "handle",
                "rattan-pendant",
                "is already used by another product"
            ),
            conflict(0, "sku", "RP-BLK", "is already used by another variant"),
            conflict(0, "sku", "RP-NAT", "is already used by another variant"),
        ]
    );

    // Each tenant reads its own copy; A's are unchanged by B's insert.
    assert_stored(&store, a.id, &a_ids, &drafts, T).await;
    for (id, record) in b_ids.iter().zip(&b_records) {
        assert_eq!(store.product(a.id, *id).await.unwrap(), None);
        assert_eq!(record.organisation_id, b.id);
    }
    let a_inputs = store.variant_price_inputs(a.id).await.unwrap();
    let b_inputs = store.variant_price_inputs(b.id).await.unwrap();
    assert_eq!(a_inputs.len(), 5);
    assert_eq!(b_inputs.len(), 5);
    assert!(a_inputs.iter().all(|v| a_ids.contains(&v.product_id)));
    assert!(b_inputs.iter().all(|v| b_ids.contains(&v.product_id)));
    assert_eq!(
        a_inputs
            .iter()
            .map(|v| v.sku.as_str())
            .collect::<BTreeSet<_>>(),
        b_inputs
            .iter()
            .map(|v| v.sku.as_str())
            .collect::<BTreeSet<_>>()
    );
    assert_eq!(store.catalog_counts(a.id).await.unwrap(), (2, 5));
    assert_eq!(store.catalog_counts(b.id).await.unwrap(), (2, 5));
}

/// Conflicts of `products` for the seller, sorted by (index, field, value)
/// where the store's order among one product's conflicts is not promised.
async fn store_conflicts_sorted(
    store: &Store,
    organisation_id: i64,
    products: &[ProductDraft],
) -> Vec<ProductConflict> {
    let mut c = store
        .catalog_conflicts(organisation_id, products)
        .await
        .unwrap();
    c.sort_by(|x, y| (x.index, x.field, &x.value).cmp(&(y.index, y.field, &y.value)));
    c
}

async fn catalog_conflicts_within_batch_and_against_stored(store: Store) {
    let org = seller(&store, "acme").await;
    assert_eq!(store.catalog_conflicts(org.id, &[]).await.unwrap(), vec![]);

    // Within one batch: a handle twice, a SKU twice (in another product),
    // a SKU twice within one product, and a variant without a SKU.
    let mut no_sku = simple_product("no-sku", "UNUSED");
    no_sku.variants[0].sku = None;
    let mut twice_inside = usd_product();
    twice_inside.handle = handle("twice-inside");
    twice_inside.variants[1].sku = Some(sku("RP-NAT-2"));
    twice_inside.variants[0].sku = Some(sku("RP-NAT-2"));
    let batch = vec![
        simple_product("alpha", "A-1"),
        simple_product("alpha", "A-2"),
        simple_product("gamma", "A-1"),
        no_sku,
        twice_inside,
    ];
    assert_eq!(
        store.catalog_conflicts(org.id, &batch).await.unwrap(),
        vec![
            conflict(
                1,
                "handle",
                "alpha",
                "appears twice in this import (also product 1)"
            ),
            conflict(
                2,
                "sku",
                "A-1",
                "appears twice in this import (also product 1)"
            ),
            conflict(3, "sku", "", "every variant needs a SKU"),
            conflict(
                4,
                "sku",
                "RP-NAT-2",
                "appears twice in this import (also product 5)"
            ),
        ]
    );

    // Against what is stored.
    store
        .insert_products(org.id, &[simple_product("old", "OLD-1"), usd_product()], T)
        .await
        .unwrap();
    let batch = vec![
        simple_product("old", "NEW-1"),
        simple_product("new", "OLD-1"),
        simple_product("fresh", "FRESH-1"),
        {
            let mut p = usd_product();
            p.handle = handle("rattan-pendant-2");
            p
        },
    ];
    assert_eq!(
        store_conflicts_sorted(&store, org.id, &batch).await,
        vec![
            conflict(0, "handle", "old", "is already used by another product"),
            conflict(1, "sku", "OLD-1", "is already used by another variant"),
            conflict(3, "sku", "RP-BLK", "is already used by another variant"),
            conflict(3, "sku", "RP-NAT", "is already used by another variant"),
        ]
    );
    // The store's own order: by product, then in-batch before stored.
    let listed = store.catalog_conflicts(org.id, &batch).await.unwrap();
    assert_eq!(
        listed.iter().map(|c| c.index).collect::<Vec<_>>(),
        [0, 1, 3, 3]
    );

    // Both kinds at once, and SKUs are case-sensitive.
    let batch = vec![
        simple_product("fresh", "old-1"),
        simple_product("fresh", "OLD-1"),
    ];
    assert_eq!(
        store.catalog_conflicts(org.id, &batch).await.unwrap(),
        vec![
            conflict(
                1,
                "handle",
                "fresh",
                "appears twice in this import (also product 1)"
            ),
            conflict(1, "sku", "OLD-1", "is already used by another variant"),
        ]
    );

    // A batch that fits has none, and then stores cleanly.
    let fine = vec![
        simple_product("fresh", "FRESH-1"),
        simple_product("fresh-2", "FRESH-2"),
    ];
    assert_eq!(
        store.catalog_conflicts(org.id, &fine).await.unwrap(),
        vec![]
    );
    store.insert_products(org.id, &fine, T + 1).await.unwrap();
    assert_eq!(store.catalog_counts(org.id).await.unwrap(), (4, 5));

    // Many values: the lookups are chunked; every taken one is found.
    let many: Vec<ProductDraft> = (0..1_200)
        .map(|i| simple_product(&format!("bulk-{i}"), &format!("BULK-{i}")))
        .collect();
    store
        .insert_products(org.id, &many[..600], T + 2)
        .await
        .unwrap();
    let found = store.catalog_conflicts(org.id, &many).await.unwrap();
    assert_eq!(found.len(), 1_200, "600 handles and 600 SKUs taken");
    assert_eq!(
        found.iter().map(|c| c.index).collect::<BTreeSet<_>>(),
        (0..600).collect::<BTreeSet<_>>()
    );
    assert!(found
        .iter()
        .all(|c| c.value.ends_with(&format!("-{}", c.index))));
}

async fn catalog_conflicts_flag_every_holder_of_a_taken_value(store: Store) {
    let org = seller(&store, "acme").await;
    store
        .insert_products(org.id, &[simple_product("taken", "TAKEN-1")], T)
        .await
        .unwrap();
    // A taken handle, and a taken SKU, each used by two products of the
    // batch: both products hold a taken value, so both must be flagged
    // (the importer drops the flagged products and saves the rest).
    let same_handle = vec![
        simple_product("taken", "FREE-1"),
        simple_product("taken", "FREE-2"),
    ];
    let same_sku = vec![
        simple_product("one", "TAKEN-1"),
        simple_product("two", "TAKEN-1"),
    ];
    let by_handle = store.catalog_conflicts(org.id, &same_handle).await.unwrap();
    let by_sku = store.catalog_conflicts(org.id, &same_sku).await.unwrap();
    let flagged =
        |found: &[ProductConflict]| -> BTreeSet<usize> { found.iter().map(|c| c.index).collect() };
    assert_eq!(
        (flagged(&by_handle), flagged(&by_sku)),
        (BTreeSet::from([0, 1]), BTreeSet::from([0, 1])),
        "every product holding a taken value is flagged; got {by_handle:?} and {by_sku:?}"
    );
    assert!(by_handle.contains(&conflict(
        0,
        "handle",
        "taken",
        "is already used by another product"
    )));
    assert!(by_sku.contains(&conflict(
        0,
        "sku",
        "TAKEN-1",
        "is already used by another variant"
    )));

    // What the importer does with the answer: save the unflagged ones.
    for (batch, found) in [(&same_handle, &by_handle), (&same_sku, &by_sku)] {
        let keep: Vec<ProductDraft> = batch
            .iter()
            .enumerate()
            .filter(|(i, _)| !flagged(found).contains(i))
            .map(|(_, p)| p.clone())
            .collect();
        store
            .insert_products(org.id, &keep, T + 1)
            .await
            .expect("products that catalog_conflicts did not flag can be saved");
    }
}

async fn insert_products_is_all_or_nothing(store: Store) {
    let org = seller(&store, "acme").await;
    let old = store
        .insert_products(org.id, &[simple_product("old", "OLD-1")], T)
        .await
        .unwrap();
    let only_old = || {
        let store = store.clone();
        let old = old.clone();
        async move {
            assert_eq!(store.catalog_counts(org.id).await.unwrap(), (1, 1));
            let page = store.list_products(org.id, 0, 10).await.unwrap();
            assert_eq!(
                page.items.iter().map(|r| r.id).collect::<Vec<_>>(),
                old,
                "nothing of the failed batch was written"
            );
            assert_eq!(store.variant_price_inputs(org.id).await.unwrap().len(), 1);
        }
    };
    assert_eq!(
        store.insert_products(org.id, &[], T).await.unwrap(),
        Vec::<i64>::new()
    );
    only_old().await;

    // A batch whose second product has a taken SKU (the first one's
    // translations, media, variants and tariff lines come before it).
    let mut taken_sku = usd_product();
    taken_sku.variants[1].sku = Some(sku("OLD-1"));
    assert_invalid(
        store
            .insert_products(org.id, &[full_lamp(), taken_sku], T + 1)
            .await,
        "sku",
        "is already taken",
    );
    only_old().await;

    // A taken handle.
    assert_invalid(
        store
            .insert_products(
                org.id,
                &[full_lamp(), simple_product("old", "NEW-1")],
                T + 1,
            )
            .await,
        "handle",
        "is already taken",
    );
    only_old().await;

    // The same handle or SKU twice within the batch.
    assert_invalid(
        store
            .insert_products(
                org.id,
                &[simple_product("dup", "D-1"), simple_product("dup", "D-2")],
                T + 1,
            )
            .await,
        "handle",
        "is already taken",
    );
    only_old().await;
    assert_invalid(
        store
            .insert_products(
                org.id,
                &[simple_product("d-1", "D-1"), simple_product("d-2", "D-1")],
                T + 1,
            )
            .await,
        "sku",
        "is already taken",
    );
    only_old().await;

    // A variant without a SKU, found after the products were written.
    let mut no_sku = usd_product();
    no_sku.variants[1].sku = None;
    assert_invalid(
        store
            .insert_products(org.id, &[full_lamp(), no_sku], T + 1)
            .await,
        "sku",
        "every variant needs a SKU",
    );
    only_old().await;

    // The failures left the store writable, and the values of the failed
    // batches free.
    let drafts = vec![full_lamp(), usd_product()];
    let ids = store.insert_products(org.id, &drafts, T + 2).await.unwrap();
    assert_stored(&store, org.id, &ids, &drafts, T + 2).await;
    assert_eq!(store.catalog_counts(org.id).await.unwrap(), (3, 6));
}

async fn variant_price_inputs_of_own_variants(store: Store) {
    let org = seller(&store, "acme").await;
    let drafts = vec![full_lamp(), bare_jpy_product(), usd_product()];
    let ids = store.insert_products(org.id, &drafts, T).await.unwrap();
    let mut expected = Vec::new();
    for (id, draft) in ids.iter().zip(&drafts) {
        let r = store.product(org.id, *id).await.unwrap().unwrap();
        for (vid, v) in r.variant_ids.iter().zip(&draft.variants) {
            expected.push(VariantPriceInput {
                variant_id: *vid,
                product_id: *id,
                sku: v.sku.as_ref().unwrap().as_str().to_owned(),
                base_price: v.price,
                compare_at: v.compare_at_price,
                moq: 1,
                pack_size: 1,
                increment: 1,
            });
        }
    }
    expected.sort_by_key(|v| v.variant_id);
    assert_eq!(store.variant_price_inputs(org.id).await.unwrap(), expected);
    for v in &expected {
        assert_eq!(
            store
                .variant_price_input(org.id, v.variant_id)
                .await
                .unwrap()
                .as_ref(),
            Some(v)
        );
    }
    assert_eq!(
        expected
            .iter()
            .map(|v| (v.sku.as_str(), v.base_price, v.compare_at))
            .collect::<Vec<_>>(),
        [
            ("NDL-WHT-S-EU", cny(8_900), Some(cny(11_900))),
            ("NDL-红-L-UK", cny(12_900), None),
            ("NDL-BLK-M-US", cny(10_900), None),
            (
                "TEA-SET-01",
                Money::from_minor(1_980, Currency::JPY),
                Some(Money::from_minor(2_480, Currency::JPY))
            ),
            ("RP-NAT", Money::from_minor(4_999, Currency::USD), None),
            ("RP-BLK", Money::from_minor(5_499, Currency::USD), None),
        ]
    );
    let last = expected.last().unwrap().variant_id;
    assert_eq!(
        store
            .variant_price_input(org.id, last + 1_000)
            .await
            .unwrap(),
        None
    );
}

// ---------------------------------------------------------------------------
// Markets
// ---------------------------------------------------------------------------

fn market(code: &str, currency: Currency, incoterm: Incoterm, rounding: MarketRounding) -> Market {
    Market {
        code: code.to_owned(),
        name: format!("Market {code}"),
        countries: vec![Country::US],
        currency,
        default_locale: locale("en"),
        locales: vec![locale("en")],
        tax_inclusive: false,
        incoterm,
        rule: PriceRule {
            markup: Rate::percent("25").unwrap(),
            rounding,
        },
    }
}

async fn markets_round_trip(store: Store) {
    let org = seller(&store, "acme").await;
    let other = seller(&store, "globex").await;
    assert_eq!(store.list_markets(org.id).await.unwrap(), vec![]);

    let us = market(
        "us",
        Currency::USD,
        Incoterm::Ddp,
        MarketRounding::CharmEnding {
            ending_minor: 99,
            every_minor: None,
        },
    );
    let eu = Market {
        name: "Europe (欧洲)".into(),
        countries: vec![
            Country::DE,
            Country::FR,
            Country::NL,
            Country::ES,
            Country::IT,
        ],
        default_locale: locale("de"),
        locales: vec![locale("de"), locale("fr"), locale("en"), locale("zh-CN")],
        tax_inclusive: true,
        rule: PriceRule {
            markup: Rate::percent("12.5").unwrap(),
            rounding: MarketRounding::CharmEnding {
                ending_minor: 999,
                every_minor: Some(1_000),
            },
        },
        ..market("eu", Currency::EUR, Incoterm::Dap, MarketRounding::None)
    };
    let ch = Market {
        countries: vec![Country::CH],
        tax_inclusive: true,
        rule: PriceRule {
            markup: Rate::parse("0").unwrap(),
            rounding: MarketRounding::NearestStep {
                step_minor: 5,
                mode: RoundingMode::HalfUp,
            },
        },
        ..market(
            "ch-retail",
            Currency::CHF,
            Incoterm::Ddp,
            MarketRounding::None,
        )
    };
    let jp = market(
        "jp",
        Currency::JPY,
        Incoterm::Dap,
        MarketRounding::WholeUnits {
            mode: RoundingMode::Down,
        },
    );
    let cn = market("cn", Currency::CNY, Incoterm::Ddp, MarketRounding::None);
    let all = [us, eu, ch, jp, cn];
    for m in &all {
        assert!(m.problems().is_empty(), "test market {} is valid", m.code);
    }

    let mut records = Vec::new();
    for (i, m) in all.iter().enumerate() {
        let r = store.create_market(org.id, m, T + i as i64).await.unwrap();
        assert_eq!(r.organisation_id, org.id);
        assert_eq!(r.created_at, T + i as i64);
        assert_eq!(&r.market, m, "market {} reads back as written", m.code);
        records.push(r);
    }
    assert!(records.windows(2).all(|w| w[0].id < w[1].id));
    assert_eq!(store.list_markets(org.id).await.unwrap(), records);
    for r in &records {
        assert_eq!(store.market(org.id, r.id).await.unwrap().as_ref(), Some(r));
        assert_eq!(store.market(other.id, r.id).await.unwrap(), None);
    }
    assert_eq!(store.list_markets(other.id).await.unwrap(), vec![]);
    assert_eq!(
        store.market(org.id, records[4].id + 1_000).await.unwrap(),
        None
    );

    // Exact details that are easy to lose on the way.
    let eu = &records[1].market;
    assert_eq!(eu.rule.markup.to_string(), "0.125");
    assert_eq!(eu.incoterm, Incoterm::Dap);
    assert_eq!(records[0].market.incoterm, Incoterm::Ddp);
    assert_eq!(eu.locales[3].as_str(), "zh-CN");
    assert_eq!(records[2].market.rule.markup.to_string(), "0");
    assert_eq!(
        serde_json::to_string(&records[2].market.rule.rounding).unwrap(),
        r#"{"kind":"nearest_step","step_minor":5,"mode":"half_up"}"#
    );
}

async fn duplicate_market_code_conflicts(store: Store) {
    let org = seller(&store, "acme").await;
    let other = seller(&store, "globex").await;
    let us = market("us", Currency::USD, Incoterm::Ddp, MarketRounding::None);
    let first = store.create_market(org.id, &us, T).await.unwrap();

    let again = Market {
        name: "United States, again".into(),
        currency: Currency::CAD,
        ..us.clone()
    };
    let err = store
        .create_market(org.id, &again, T + 1)
        .await
        .expect_err("the code is taken");
    assert!(
        matches!(err, StoreError::Conflict { what: "code" }),
        "expected Conflict{{code}}, got {err:?}"
    );
    assert_eq!(
        store.list_markets(org.id).await.unwrap(),
        vec![first.clone()]
    );

    // Codes belong to their seller: another may use it.
    let theirs = store.create_market(other.id, &again, T + 2).await.unwrap();
    assert_eq!(theirs.market, again);
    assert_eq!(store.list_markets(other.id).await.unwrap(), vec![theirs]);
    // The failure left the store writable.
    let ca = market("ca", Currency::CAD, Incoterm::Dap, MarketRounding::None);
    let second = store.create_market(org.id, &ca, T + 3).await.unwrap();
    assert_eq!(
        store.list_markets(org.id).await.unwrap(),
        vec![first, second]
    );
}

// ---------------------------------------------------------------------------
// Derived prices
// ---------------------------------------------------------------------------

/// Markets `m0`, `m1`… for the seller, all in `currency`.
async fn markets_for(
    store: &Store,
    organisation_id: i64,
    n: usize,
    currency: Currency,
) -> Vec<MarketRecord> {
    let mut out = Vec::new();
    for i in 0..n {
        let m = market(
            &format!("m{i}"),
            currency,
            Incoterm::Ddp,
            MarketRounding::CharmEnding {
                ending_minor: 99,
                every_minor: None,
            },
        );
        out.push(store.create_market(organisation_id, &m, T).await.unwrap());
    }
    out
}

fn derivation(m: &MarketRecord, base: &str, rate: &str, fx_date: Option<i64>) -> PriceDerivation {
    PriceDerivation {
        market_id: m.id,
        base_currency: base.to_owned(),
        currency: m.market.currency.code().to_owned(),
        fx_rate: rate.to_owned(),
        fx_date,
        fx_source: fx_date.map(|_| "ECB".to_owned()),
        requested_date: day(2026, 11, 1),
        markup: m.market.rule.markup.to_string(),
        rounding: serde_json::to_string(&m.market.rule.rounding).unwrap(),
    }
}

/// The variant ids of every product of the seller, in id order.
async fn variant_ids(store: &Store, organisation_id: i64) -> Vec<i64> {
    store
        .variant_price_inputs(organisation_id)
        .await
        .unwrap()
        .iter()
        .map(|v| v.variant_id)
        .collect()
}

async fn derived_prices_replace_and_read_back(store: Store) {
    let a = seller(&store, "acme").await;
    let b = seller(&store, "globex").await;
    store
        .insert_products(a.id, &[full_lamp(), usd_product()], T)
        .await
        .unwrap();
    store
        .insert_products(b.id, &[full_lamp(), usd_product()], T)
        .await
        .unwrap();
    let a_variants = variant_ids(&store, a.id).await;
    let b_variants = variant_ids(&store, b.id).await;
    assert_eq!((a_variants.len(), b_variants.len()), (5, 5));
    let a_markets = markets_for(&store, a.id, 3, Currency::USD).await;
    let b_markets = markets_for(&store, b.id, 2, Currency::EUR).await;
    let fri = day(2026, 10, 30);
    assert_eq!(store.derived_price_count(a.id).await.unwrap(), 0);
    assert_eq!(
        store.prices_for_variants(a.id, &a_variants).await.unwrap(),
        vec![]
    );

    // Per market, one derivation from CNY and one from USD (the USD
    // product needs no rate: no date, no source).
    let mut derivations = Vec::new();
    for m in &a_markets {
        derivations.push(derivation(m, "CNY", "0.1384083045", Some(fri)));
        derivations.push(derivation(m, "USD", "1", None));
    }
    let inputs = store.variant_price_inputs(a.id).await.unwrap();
    let rows_for = |offset: i64| -> Vec<DerivedPriceRow> {
        let mut rows = Vec::new();
        for (mi, m) in a_markets.iter().enumerate() {
            for (vi, v) in inputs.iter().enumerate() {
                let usd = v.base_price.currency() == Currency::USD;
                rows.push(DerivedPriceRow {
                    market_id: m.id,
                    variant_id: v.variant_id,
                    amount_minor: offset + 1_000 * mi as i64 + vi as i64,
                    derivation: 2 * mi + usize::from(usd),
                });
            }
        }
        rows
    };
    let rows = rows_for(10_000);
    assert_eq!(
        store
            .replace_derived_prices(a.id, &derivations, &rows, T)
            .await
            .unwrap(),
        15
    );
    assert_eq!(store.derived_price_count(a.id).await.unwrap(), 15);

    // Read back with the record of how each was derived.
    let expected =
        |rows: &[DerivedPriceRow], derivations: &[PriceDerivation], at: Millis, ids: &[i64]| {
            let mut out: Vec<StoredPrice> = rows
                .iter()
                .filter(|r| ids.contains(&r.variant_id))
                .map(|r| StoredPrice {
                    market_id: r.market_id,
                    variant_id: r.variant_id,
                    amount_minor: r.amount_minor,
                    derivation: derivations[r.derivation].clone(),
                    derived_at: at,
                })
                .collect();
            out.sort_by_key(|p| (p.variant_id, p.market_id));
            out
        };
    let got = store.prices_for_variants(a.id, &a_variants).await.unwrap();
    assert_eq!(got, expected(&rows, &derivations, T, &a_variants));
    let some = [a_variants[0], a_variants[4]];
    let got = store.prices_for_variants(a.id, &some).await.unwrap();
    assert_eq!(got.len(), 6);
    assert_eq!(got, expected(&rows, &derivations, T, &some));
    // Spelled out: the first variant (CNY) in the first market.
    assert_eq!(
        got[0],
        StoredPrice {
            market_id: a_markets[0].id,
            variant_id: a_variants[0],
            amount_minor: 10_000,
            derivation: PriceDerivation {
                market_id: a_markets[0].id,
                base_currency: "CNY".into(),
                currency: "USD".into(),
                fx_rate: "0.1384083045".into(),
                fx_date: Some(fri),
                fx_source: Some("ECB".into()),
                requested_date: day(2026, 11, 1),
                markup: "0.25".into(),
                rounding: r#"{"kind":"charm_ending","ending_minor":99}"#.into(),
            },
            derived_at: T,
        }
    );
    assert_eq!(
        (
            got[5].derivation.fx_date,
            got[5].derivation.fx_source.as_deref()
        ),
        (None, None)
    );
    assert_eq!(store.prices_for_variants(a.id, &[]).await.unwrap(), vec![]);

    // Another seller: its own prices, never A's.
    let b_inputs = store.variant_price_inputs(b.id).await.unwrap();
    let b_derivations = vec![derivation(&b_markets[0], "CNY", "0.1282", Some(fri))];
    let b_rows: Vec<DerivedPriceRow> = b_inputs
        .iter()
        .filter(|v| v.base_price.currency() == Currency::CNY)
        .map(|v| DerivedPriceRow {
            market_id: b_markets[0].id,
            variant_id: v.variant_id,
            amount_minor: 77,
            derivation: 0,
        })
        .collect();
    assert_eq!(
        store
            .replace_derived_prices(b.id, &b_derivations, &b_rows, T)
            .await
            .unwrap(),
        3
    );
    assert_eq!(store.derived_price_count(b.id).await.unwrap(), 3);
    assert_eq!(store.derived_price_count(a.id).await.unwrap(), 15);
    assert_eq!(
        store.prices_for_variants(b.id, &a_variants).await.unwrap(),
        vec![]
    );
    assert_eq!(
        store.prices_for_variants(a.id, &b_variants).await.unwrap(),
        vec![]
    );
    assert_eq!(
        store
            .prices_for_variants(b.id, &b_variants)
            .await
            .unwrap()
            .len(),
        3
    );

    // Replacing: the same count, not twice it, and the new values and
    // derivation records only.
    let mut derivations2 = Vec::new();
    for m in &a_markets {
        derivations2.push(derivation(m, "CNY", "0.1401", Some(fri + 3)));
        derivations2.push(derivation(m, "USD", "1", None));
    }
    let rows2 = rows_for(20_000);
    assert_eq!(
        store
            .replace_derived_prices(a.id, &derivations2, &rows2, T + HOUR)
            .await
            .unwrap(),
        15
    );
    assert_eq!(store.derived_price_count(a.id).await.unwrap(), 15);
    assert_eq!(
        store.prices_for_variants(a.id, &a_variants).await.unwrap(),
        expected(&rows2, &derivations2, T + HOUR, &a_variants)
    );
    // B's prices are untouched by A's replacement.
    assert_eq!(store.derived_price_count(b.id).await.unwrap(), 3);
    assert!(store
        .prices_for_variants(b.id, &b_variants)
        .await
        .unwrap()
        .iter()
        .all(|p| p.amount_minor == 77 && p.derived_at == T && p.derivation == b_derivations[0]));

    // Fewer prices replace more; none clears A's only.
    let rows3: Vec<DerivedPriceRow> = rows2
        .iter()
        .filter(|r| r.market_id == a_markets[1].id)
        .copied()
        .collect();
    assert_eq!(
        store
            .replace_derived_prices(a.id, &derivations2, &rows3, T + 2 * HOUR)
            .await
            .unwrap(),
        5
    );
    assert_eq!(store.derived_price_count(a.id).await.unwrap(), 5);
    assert_eq!(
        store
            .replace_derived_prices(a.id, &[], &[], T + 3 * HOUR)
            .await
            .unwrap(),
        0
    );
    assert_eq!(store.derived_price_count(a.id).await.unwrap(), 0);
    assert_eq!(
        store.prices_for_variants(a.id, &a_variants).await.unwrap(),
        vec![]
    );
    assert_eq!(store.derived_price_count(b.id).await.unwrap(), 3);
}

async fn derived_prices_in_several_json_batches(store: Store) {
    let org = seller(&store, "acme").await;
    let drafts = big_catalog();
    store.insert_products(org.id, drafts, T).await.unwrap();
    let variants = variant_ids(&store, org.id).await;
    let nv = variants.len();
    assert!(nv > 2_000, "{nv} variants");
    // Enough markets for more than two JSON batches of 50,000 rows (many
    // markets rather than many variants: variants are the slow part).
    let markets = markets_for(&store, org.id, 100_000 / nv + 1, Currency::EUR).await;
    let derivations: Vec<PriceDerivation> = markets
        .iter()
        .map(|m| derivation(m, "CNY", "0.1282051282", Some(day(2026, 10, 30))))
        .collect();
    let rows_for = |offset: i64| -> Vec<DerivedPriceRow> {
        let mut rows = Vec::with_capacity(markets.len() * nv);
        for (mi, m) in markets.iter().enumerate() {
            for (vi, v) in variants.iter().enumerate() {
                rows.push(DerivedPriceRow {
                    market_id: m.id,
                    variant_id: *v,
                    amount_minor: offset + (mi * nv + vi) as i64,
                    derivation: mi,
                });
            }
        }
        rows
    };
    let n = (markets.len() * nv) as u64;
    assert!(n > 100_000);

    let rows = rows_for(1);
    assert_eq!(
        store
            .replace_derived_prices(org.id, &derivations, &rows, T)
            .await
            .unwrap(),
        n
    );
    assert_eq!(store.derived_price_count(org.id).await.unwrap(), n as i64);

    // Variants on both sides of each batch boundary, and the last.
    let probe_rows = |offset: i64| {
        let sample: Vec<usize> = [0, 49_999, 50_000, 99_999, 100_000, n as usize - 1]
            .into_iter()
            .map(|i| i % nv)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let ids: Vec<i64> = sample.iter().map(|i| variants[*i]).collect();
        let mut want: Vec<(i64, i64, i64)> = Vec::new();
        for vi in &sample {
            for (mi, m) in markets.iter().enumerate() {
                want.push((variants[*vi], m.id, offset + (mi * nv + vi) as i64));
            }
        }
        want.sort_unstable();
        (ids, want)
    };
    let check = |offset: i64, at: Millis| {
        let store = store.clone();
        let (ids, want) = probe_rows(offset);
        let derivations = derivations.clone();
        let markets = markets.clone();
        async move {
            let got = store.prices_for_variants(org.id, &ids).await.unwrap();
            assert_eq!(
                got.iter()
                    .map(|p| (p.variant_id, p.market_id, p.amount_minor))
                    .collect::<Vec<_>>(),
                want
            );
            for p in &got {
                let mi = markets.iter().position(|m| m.id == p.market_id).unwrap();
                assert_eq!(p.derivation, derivations[mi]);
                assert_eq!(p.derived_at, at);
            }
        }
    };
    check(1, T).await;

    // Replacing keeps the count and changes every value.
    let rows2 = rows_for(1_000_000);
    assert_eq!(
        store
            .replace_derived_prices(org.id, &derivations, &rows2, T + HOUR)
            .await
            .unwrap(),
        n
    );
    assert_eq!(store.derived_price_count(org.id).await.unwrap(), n as i64);
    check(1_000_000, T + HOUR).await;

    // A bad row in the second batch fails the whole replacement: the
    // first batch and the delete are rolled back.
    let mut bad = rows_for(5_000_000);
    let bad_index = 60_000;
    assert!(bad.len() > 100_000);
    bad[bad_index].derivation = derivations.len() + 7;
    let result = store
        .replace_derived_prices(org.id, &derivations, &bad, T + 2 * HOUR)
        .await;
    let reason = match result {
        Err(StoreError::Invalid {
            field: "derivation",
            reason,
        }) => reason,
        other => panic!("expected Invalid{{derivation}}, got {other:?}"),
    };
    assert_eq!(store.derived_price_count(org.id).await.unwrap(), n as i64);
    check(1_000_000, T + HOUR).await;
    // The message names the row of the batch the caller passed.
    assert_eq!(
        reason,
        format!(
            "price {bad_index} names derivation {} of {}",
            derivations.len() + 7,
            derivations.len()
        )
    );
}
