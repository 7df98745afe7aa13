//! Shopify product CSV import and export: both header generations, rows
//! continuing a product, every kind of bad input reported with row, column
//! and reason, all-or-nothing per product, and the round trip.

use std::collections::BTreeMap;
use std::fs::File;
use std::sync::OnceLock;

use chuhai_domain::catalog::{
    parse_shopify_csv, sanitize_description_html, synthetic_shopify_csv, write_shopify_csv,
    Dimensions, GoodsFlags, Gtin, HsCode, HsNomenclature, ImportContext, Locale, MediaDraft,
    MediaUrl, ProductDraft, ProductHandle, ProductStatus, RowError, ShopifyImport, Sku, TariffCode,
    TradeData, TranslationDraft, VariantDraft,
};
use chuhai_domain::country::Country;
use chuhai_domain::money::{Currency, Money};

const HS_2022_CSV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/hs2022-nomenclature.csv"
);

fn hs() -> &'static HsNomenclature {
    static HS: OnceLock<HsNomenclature> = OnceLock::new();
    HS.get_or_init(|| HsNomenclature::from_csv(File::open(HS_2022_CSV).unwrap()).unwrap())
}

fn en() -> Locale {
    Locale::parse("en").unwrap()
}

fn import_with(text: &str, currency: Currency) -> ShopifyImport {
    let ctx = ImportContext {
        currency,
        default_locale: en(),
        hs_codes: hs(),
    };
    parse_shopify_csv(text.as_bytes(), &ctx)
}

fn import(text: &str) -> ShopifyImport {
    import_with(text, Currency::CNY)
}

/// Builds CSV text: each row names its cells by header name; other cells are empty.
fn csv_text(header: &[&str], rows: &[Vec<(&str, &str)>]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header).unwrap();
    for row in rows {
        let mut record = vec![""; header.len()];
        for (name, value) in row {
            let index = header
                .iter()
                .position(|h| h == name)
                .unwrap_or_else(|| panic!("no column {name}"));
            record[index] = value;
        }
        writer.write_record(&record).unwrap();
    }
    String::from_utf8(writer.into_inner().unwrap()).unwrap()
}

/// The newer header set (Shopify's current template, abridged) with
/// columns Chuhai ignores.
const NEW_HEADER: &[&str] = &[
    "Title",
    "URL handle",
    "Description",
    "Vendor",
    "Product category",
    "Type",
    "Tags",
    "Published on online store",
    "Status",
    "SKU",
    "Barcode",
    "Option1 name",
    "Option1 value",
    "Option1 Linked To",
    "Option2 name",
    "Option2 value",
    "Option3 name",
    "Option3 value",
    "Price",
    "Compare-at price",
    "Cost per item",
    "Charge tax",
    "Inventory tracker",
    "Inventory quantity",
    "Continue selling when out of stock",
    "Weight value (grams)",
    "Weight unit for display",
    "Requires shipping",
    "Fulfillment service",
    "Product image URL",
    "Image position",
    "Image alt text",
    "Variant image URL",
    "Gift card",
    "SEO title",
    "SEO description",
    "Google Shopping / Gender",
    "Price / International",
    "Color (product.metafields.shopify.color-pattern)",
];

/// The older header set, as exported before 2024.
const OLD_HEADER: &[&str] = &[
    "Handle",
    "Title",
    "Body (HTML)",
    "Vendor",
    "Product Category",
    "Type",
    "Tags",
    "Published",
    "Option1 Name",
    "Option1 Value",
    "Option2 Name",
    "Option2 Value",
    "Option3 Name",
    "Option3 Value",
    "Variant SKU",
    "Variant Grams",
    "Variant Inventory Tracker",
    "Variant Inventory Qty",
    "Variant Inventory Policy",
    "Variant Fulfillment Service",
    "Variant Price",
    "Variant Compare At Price",
    "Variant Requires Shipping",
    "Variant Taxable",
    "Variant Barcode",
    "Image Src",
    "Image Position",
    "Image Alt Text",
    "Gift Card",
    "SEO Title",
    "SEO Description",
    "Google Shopping / AdWords Grouping",
    "Variant Image",
    "Variant Weight Unit",
    "Variant Tax Code",
    "Cost per item",
    "Price / International",
    "Compare At Price / International",
    "Status",
];

/// Newer name → older name, for the fixture below.
fn old_name(new: &str) -> &str {
    match new {
        "URL handle" => "Handle",
        "Description" => "Body (HTML)",
        "SKU" => "Variant SKU",
        "Barcode" => "Variant Barcode",
        "Price" => "Variant Price",
        "Compare-at price" => "Variant Compare At Price",
        "Weight value (grams)" => "Variant Grams",
        "Product image URL" => "Image Src",
        "Image position" => "Image Position",
        "Image alt text" => "Image Alt Text",
        "Variant image URL" => "Variant Image",
        "SEO title" => "SEO Title",
        "SEO description" => "SEO Description",
        "Option1 name" => "Option1 Name",
        "Option1 value" => "Option1 Value",
        "Option2 name" => "Option2 Name",
        "Option2 value" => "Option2 Value",
        "Inventory quantity" => "Variant Inventory Qty",
        other => other,
    }
}

/// Two products in newer column names: a desk lamp with three colour
/// variants and two images (the second on an image-only row), and a bulb
/// without options.
fn lamp_rows() -> Vec<Vec<(&'static str, &'static str)>> {
    vec![
        vec![
            ("URL handle", "nordic-desk-lamp"),
            ("Title", "Nordic LED Desk Lamp"),
            (
                "Description",
                "<p>Warm <b>light</b><script>alert(1)</script></p>",
            ),
            ("Vendor", "Zhongshan Guzhen Lighting"),
            ("Type", "Desk Lamps"),
            ("Tags", "lighting, LED ,  desk, led"),
            ("Status", "active"),
            ("Option1 name", "Colour"),
            ("Option1 value", "White"),
            ("SKU", "NDL-WHT"),
            ("Barcode", "6901234567892"),
            ("Price", "89.00"),
            ("Compare-at price", "119.00"),
            ("Weight value (grams)", "900.0"),
            ("Inventory quantity", "25"),
            ("Product image URL", "https://img.lumi.example/ndl/1.jpg"),
            ("Image position", "1"),
            ("Image alt text", "Desk lamp, front"),
            ("SEO title", "Nordic LED Desk Lamp | Chuhai"),
        ],
        vec![
            ("URL handle", "nordic-desk-lamp"),
            ("Option1 value", "Black"),
            ("SKU", "NDL-BLK"),
            ("Barcode", "4006381333931"),
            ("Price", "89.00"),
            ("Weight value (grams)", "900"),
            (
                "Variant image URL",
                "https://img.lumi.example/ndl/black.jpg",
            ),
        ],
        vec![
            ("URL handle", "nordic-desk-lamp"),
            ("Title", "Nordic LED Desk Lamp"),
            ("Option1 value", "Walnut"),
            ("SKU", "NDL-WAL"),
            ("Price", "99.50"),
            ("Weight value (grams)", "0.0"),
        ],
        vec![
            ("URL handle", "nordic-desk-lamp"),
            ("Product image URL", "https://img.lumi.example/ndl/2.jpg"),
            ("Image position", "2"),
        ],
        vec![
            ("URL handle", "led-bulb-e27"),
            ("Title", "LED Bulb E27 9W"),
            ("Option1 name", "Title"),
            ("Option1 value", "Default Title"),
            ("SKU", "BULB-E27-9W"),
            ("Price", "12.90"),
            ("Status", "draft"),
        ],
    ]
}

fn old_rows() -> Vec<Vec<(&'static str, &'static str)>> {
    lamp_rows()
        .into_iter()
        .map(|row| row.into_iter().map(|(k, v)| (old_name(k), v)).collect())
        .collect()
}

fn cny(text: &str) -> Money {
    Money::parse_major(text, Currency::CNY).unwrap()
}

#[test]
fn newer_header_file_imports() {
    let result = import(&csv_text(NEW_HEADER, &lamp_rows()));
    assert_eq!(result.errors, [], "{:#?}", result.errors);
    assert_eq!(result.data_rows, 5);
    assert_eq!(result.products.len(), 2);
    assert!(result
        .ignored_columns
        .contains(&"Inventory quantity".to_owned()));
    assert!(result
        .ignored_columns
        .contains(&"Color (product.metafields.shopify.color-pattern)".to_owned()));

    let lamp = &result.products[0];
    assert_eq!(lamp.handle.as_str(), "nordic-desk-lamp");
    assert_eq!(lamp.status, ProductStatus::Active);
    assert_eq!(lamp.vendor.as_deref(), Some("Zhongshan Guzhen Lighting"));
    assert_eq!(lamp.product_type.as_deref(), Some("Desk Lamps"));
    assert_eq!(
        lamp.tags,
        ["lighting", "LED", "desk"],
        "trimmed, empty and repeated tags dropped"
    );
    assert_eq!(lamp.translations.len(), 1);
    let content = &lamp.translations[0];
    assert_eq!(content.locale, en());
    assert_eq!(content.title, "Nordic LED Desk Lamp");
    assert_eq!(
        content.description_html.as_str(),
        "<p>Warm <b>light</b></p>"
    );
    assert_eq!(
        content.seo_title.as_deref(),
        Some("Nordic LED Desk Lamp | Chuhai")
    );
    assert_eq!(content.seo_description, None);
    assert_eq!(lamp.option_names, ["Colour"]);
    assert_eq!(lamp.media.len(), 2);
    assert_eq!(
        lamp.media[0].url.as_str(),
        "https://img.lumi.example/ndl/1.jpg"
    );
    assert_eq!(lamp.media[0].alt.as_deref(), Some("Desk lamp, front"));
    assert_eq!(
        (lamp.media[1].position, lamp.media[1].alt.as_deref()),
        (2, None)
    );

    let [white, black, walnut] = &lamp.variants[..] else {
        panic!("three variants: {:?}", lamp.variants);
    };
    assert_eq!(white.option_values, ["White"]);
    assert_eq!(white.sku.as_ref().unwrap().as_str(), "NDL-WHT");
    assert_eq!(white.gtin, Some(Gtin::parse("6901234567892").unwrap()));
    assert_eq!(white.price, cny("89.00"));
    assert_eq!(white.compare_at_price, Some(cny("119.00")));
    assert_eq!(white.weight_grams, Some(900));
    assert_eq!(
        black.image_url.as_ref().unwrap().as_str(),
        "https://img.lumi.example/ndl/black.jpg"
    );
    assert_eq!(walnut.price, cny("99.50"));
    assert_eq!(walnut.weight_grams, None, "Shopify's 0.0 means no weight");
    assert_eq!(walnut.trade, TradeData::default());

    let bulb = &result.products[1];
    assert_eq!(bulb.status, ProductStatus::Draft);
    assert!(
        bulb.option_names.is_empty(),
        "Title / Default Title means no options"
    );
    assert_eq!(bulb.variants.len(), 1);
    assert!(bulb.variants[0].option_values.is_empty());
}

#[test]
fn older_header_file_imports_to_the_same_drafts() {
    let newer = import(&csv_text(NEW_HEADER, &lamp_rows()));
    let older = import(&csv_text(OLD_HEADER, &old_rows()));
    assert_eq!(older.errors, []);
    assert_eq!(older.products, newer.products);
    assert!(older
        .ignored_columns
        .contains(&"Variant Inventory Qty".to_owned()));
}

#[test]
fn header_names_ignore_case_and_blanks_and_a_byte_order_mark() {
    let text = "\u{feff} url HANDLE ,title,variant price\nlamp,Lamp,10\n";
    let result = import(text);
    assert_eq!(result.errors, []);
    assert_eq!(result.products[0].variants[0].price, cny("10"));
}

fn single_error(result: &ShopifyImport) -> &RowError {
    assert_eq!(result.errors.len(), 1, "{:#?}", result.errors);
    &result.errors[0]
}

#[test]
fn unknown_column_stops_the_import_at_the_header() {
    let text = "Handle,Title,Variant Price,Variant Prise\nlamp,Lamp,10,11\n";
    let result = import(text);
    let error = single_error(&result);
    assert_eq!((error.row, error.column.as_str()), (1, "Variant Prise"));
    assert!(
        error.reason.starts_with("unknown column"),
        "{}",
        error.reason
    );
    assert!(result.products.is_empty());
    assert_eq!(
        result.data_rows, 0,
        "rows are not read after a header error"
    );
}

#[test]
fn duplicate_columns_across_generations_are_refused() {
    let result = import("Handle,Title,Variant SKU,Price,SKU\nlamp,Lamp,A,10,B\n");
    let error = single_error(&result);
    assert_eq!((error.row, error.column.as_str()), (1, "SKU"));
    assert!(
        error.reason.contains("\"Variant SKU\" (column 3)"),
        "{}",
        error.reason
    );
}

#[test]
fn header_needs_a_handle_or_title_and_a_price() {
    let result = import("Vendor,Tags\nx,y\n");
    assert_eq!(result.errors.len(), 2, "{:#?}", result.errors);
    assert!(result.errors.iter().all(|e| e.row == 1));
    let empty = import("");
    assert_eq!(single_error(&empty).row, 1);
    let nameless = import("Handle,Title,Price,\nlamp,Lamp,10,\n");
    assert!(single_error(&nameless).reason.contains("no name"));
}

#[test]
fn broken_quoting_is_reported_with_its_row() {
    let text = "Handle,Title,Price\nlamp,\"Lamp 12\" shade\",10\nbulb,Bulb,5\nshade,\"Unclosed,7\nhood,Hood,8\n";
    let result = import(text);
    // Row 2: a quote closed early leaves a stray field? The csv reader keeps
    // `Lamp 12" shade"` as text, so row 2 is fine. Row 4 opens a quote that
    // never closes: it swallows row 5, and the field count is wrong.
    let error = single_error(&result);
    assert_eq!(
        (error.row, error.line, error.column.as_str()),
        (4, 4, "(row)")
    );
    assert!(
        error.reason.contains("a quote may be unclosed"),
        "{}",
        error.reason
    );
    let handles: Vec<&str> = result.products.iter().map(|p| p.handle.as_str()).collect();
    assert_eq!(handles, ["lamp", "bulb"]);
}

#[test]
fn a_row_with_too_many_fields_is_an_error() {
    let result = import("Handle,Title,Price\nlamp,Lamp,10,extra\n");
    let error = single_error(&result);
    assert_eq!((error.row, error.column.as_str()), (2, "(row)"));
    assert!(error.reason.contains("4 fields but the header has 3"));
}

#[test]
fn rows_and_lines_differ_after_a_multi_line_cell() {
    let text = "Handle,Title,Body (HTML),Variant Price\nlamp,Lamp,\"<p>one</p>\n<p>two</p>\",10\nbulb,Bulb,,0\n";
    let result = import(text);
    let error = single_error(&result);
    assert_eq!((error.row, error.line), (3, 4));
    assert_eq!(error.column, "Variant Price");
}

#[test]
fn scientific_notation_barcode_fails_that_product_only() {
    let mut rows = old_rows();
    rows[1].retain(|(k, _)| *k != "Variant Barcode");
    rows[1].push(("Variant Barcode", "4.6347E+11"));
    let result = import(&csv_text(OLD_HEADER, &rows));
    let error = single_error(&result);
    assert_eq!((error.row, error.column.as_str()), (3, "Variant Barcode"));
    assert!(
        error.reason.contains("looks like a number a spreadsheet converted to scientific notation; re-export the column as text"),
        "{}",
        error.reason
    );
    let handles: Vec<&str> = result.products.iter().map(|p| p.handle.as_str()).collect();
    assert_eq!(handles, ["led-bulb-e27"], "the lamp is left out as a whole");

    let newer = import("URL handle,Title,Price,Barcode\nlamp,Lamp,10,6.90123E+12\n");
    assert_eq!(single_error(&newer).column, "Barcode");
}

#[test]
fn barcode_check_digit_error_names_the_expected_digit() {
    let result = import("Handle,Title,Price,Barcode\nlamp,Lamp,10,6901234567891\n");
    let error = single_error(&result);
    assert!(error.reason.contains("require 2"), "{}", error.reason);
}

fn price_error(price: &str, currency: Currency) -> RowError {
    let result = import_with(
        &format!("Handle,Title,Price\nlamp,Lamp,{price}\n"),
        currency,
    );
    assert!(result.products.is_empty());
    single_error(&result).clone()
}

#[test]
fn prices_must_be_positive_decimals_in_the_currency() {
    for price in ["0", "0.00", "-5.00"] {
        let error = price_error(price, Currency::CNY);
        assert_eq!((error.row, error.column.as_str()), (2, "Price"));
        assert!(
            error.reason.contains("must be greater than zero"),
            "{price}: {}",
            error.reason
        );
    }
    assert!(price_error("12.345", Currency::CNY)
        .reason
        .contains("at most 2"));
    assert!(price_error("1500.5", Currency::JPY)
        .reason
        .contains("at most 0"));
    assert!(price_error("\"1,299.00\"", Currency::CNY)
        .reason
        .contains("invalid amount"));
    assert!(price_error("¥12", Currency::CNY)
        .reason
        .contains("invalid amount"));
    assert!(price_error("1.2E+3", Currency::CNY)
        .reason
        .contains("exponent"));
    let missing = import("Handle,Title,Price,SKU\nlamp,Lamp,,L-1\n");
    assert!(single_error(&missing).reason.contains("price is required"));
    let negative_compare = import("Handle,Title,Price,Compare-at price\nlamp,Lamp,10,-1\n");
    assert_eq!(single_error(&negative_compare).column, "Compare-at price");
    let zero_compare = import("Handle,Title,Price,Compare-at price\nlamp,Lamp,10,0.00\n");
    assert_eq!(zero_compare.products[0].variants[0].compare_at_price, None);
}

#[test]
fn currency_column_overrides_and_unknown_currency_is_an_error() {
    let result = import("Handle,Title,Price,Compare-at price,Currency\nlamp,Lamp,1500,2000,jpy\n");
    assert_eq!(result.errors, []);
    let variant = &result.products[0].variants[0];
    assert_eq!(variant.price, Money::from_minor(1500, Currency::JPY));
    assert_eq!(
        variant.compare_at_price,
        Some(Money::from_minor(2000, Currency::JPY))
    );
    let bad = import("Handle,Title,Price,Currency\nlamp,Lamp,10,XYZ\n");
    let error = single_error(&bad);
    assert_eq!((error.row, error.column.as_str()), (2, "Currency"));
    assert!(
        error.reason.contains("unknown currency code \"XYZ\""),
        "{}",
        error.reason
    );
}

#[test]
fn hs_codes_must_exist_in_the_nomenclature() {
    let ok = import("Handle,Title,Price,HS code\nlamp,Lamp,10,9405.42\n");
    assert_eq!(
        ok.products[0].variants[0].trade.hs_code,
        Some(HsCode::parse("940542").unwrap())
    );
    for (code, hint) in [
        ("940543", "not a subheading of the HS nomenclature"),
        ("999999", "not a subheading"),
        ("94054", "dropped a leading or trailing zero"),
        ("9.40542E+05", "scientific notation"),
        ("LAMP", "only digits"),
    ] {
        let result = import(&format!(
            "Handle,Title,Price,Variant HS Code\nlamp,Lamp,10,{code}\n"
        ));
        let error = single_error(&result);
        assert_eq!((error.row, error.column.as_str()), (2, "Variant HS Code"));
        assert!(error.reason.contains(hint), "{code}: {}", error.reason);
    }
}

#[test]
fn unknown_country_of_origin_is_an_error() {
    let ok = import("Handle,Title,Price,Country of origin\nlamp,Lamp,10,cn\n");
    assert_eq!(
        ok.products[0].variants[0].trade.country_of_origin,
        Some(Country::CN)
    );
    let result = import("Handle,Title,Price,Country of origin\nlamp,Lamp,10,XX\n");
    let error = single_error(&result);
    assert_eq!(error.column, "Country of origin");
    assert!(
        error.reason.contains("\"XX\" is not an ISO 3166-1 alpha-2"),
        "{}",
        error.reason
    );
    let name = import("Handle,Title,Price,Variant Country of Origin\nlamp,Lamp,10,China\n");
    assert_eq!(single_error(&name).column, "Variant Country of Origin");
}

#[test]
fn tariff_code_columns_by_destination() {
    let text = "Handle,Title,Price,HS code,Tariff code / US,Tariff code / de\nlamp,Lamp,10,940542,9405.42.00.00,94054210\n";
    let result = import(text);
    assert_eq!(result.errors, []);
    let codes = &result.products[0].variants[0].trade.tariff_codes;
    assert_eq!(codes[&Country::US].as_str(), "9405420000");
    assert_eq!(codes[&Country::DE].as_str(), "94054210");

    let mismatch =
        import("Handle,Title,Price,HS code,Tariff code / US\nlamp,Lamp,10,940511,9405420000\n");
    let error = single_error(&mismatch);
    assert_eq!((error.row, error.column.as_str()), (2, "Tariff code / US"));
    assert!(
        error
            .reason
            .contains("does not start with the HS code 940511"),
        "{}",
        error.reason
    );

    let bad_country = import("Handle,Title,Price,Tariff code / XX\nlamp,Lamp,10,\n");
    assert_eq!(single_error(&bad_country).row, 1);
}

#[test]
fn trade_columns_are_read() {
    let text = "Handle,Title,Price,Variant Grams,Net weight (grams),Length (mm),Width (mm),Height (mm),Customs description (en),Customs description (zh),Goods flags\n\
                lamp,Lamp,10,950.4,800,300,200,150.0,LED desk lamp,LED台灯,\"battery, magnet\"\n";
    let result = import(text);
    assert_eq!(result.errors, []);
    let variant = &result.products[0].variants[0];
    assert_eq!(variant.weight_grams, Some(950));
    let trade = &variant.trade;
    assert_eq!(trade.net_weight_grams, Some(800));
    assert_eq!(
        trade.dimensions,
        Some(Dimensions::new(300, 200, 150).unwrap())
    );
    assert_eq!(
        trade.customs_description_en.as_deref(),
        Some("LED desk lamp")
    );
    assert_eq!(trade.customs_description_zh.as_deref(), Some("LED台灯"));
    assert_eq!(
        trade.goods_flags,
        GoodsFlags {
            battery: true,
            magnet: true,
            ..GoodsFlags::default()
        }
    );
}

#[test]
fn trade_column_errors() {
    let header = "Handle,Title,Price,Variant Grams,Net weight (grams),Length (mm),Width (mm),Height (mm),Goods flags";
    for (cells, column, hint) in [
        ("-5,,,,,", "Variant Grams", "must not be negative"),
        ("5 kg,,,,,", "Variant Grams", "number of grams"),
        ("500,600,,,,", "Net weight (grams)", "more than the gross"),
        (",,300,200,,", "Height (mm)", "fill all three or none"),
        (
            ",,300,200,12.5,",
            "Height (mm)",
            "whole number of millimetres",
        ),
        (",,0,200,100,", "Length (mm)", "between 1 and"),
        (",,,,,explosives", "Goods flags", "not a goods flag"),
    ] {
        let result = import(&format!("{header}\nlamp,Lamp,10,{cells}\n"));
        let error = single_error(&result);
        assert_eq!(error.column, column, "{cells}");
        assert!(error.reason.contains(hint), "{cells}: {}", error.reason);
    }
}

#[test]
fn continuation_rows_must_not_contradict_the_first_row() {
    let text = "Handle,Title,Vendor,Option1 Name,Option1 Value,Price\n\
                lamp,Lamp,Guzhen,Colour,White,10\n\
                lamp,,Guzhen,,Black,10\n\
                lamp,Lamp two,,,Green,10\n";
    let result = import(text);
    let error = single_error(&result);
    assert_eq!((error.row, error.column.as_str()), (4, "Title"));
    assert!(error.reason.contains("row 2"), "{}", error.reason);
    assert!(result.products.is_empty());
}

#[test]
fn rows_of_a_product_need_not_be_adjacent() {
    let text = "Handle,Title,Option1 Name,Option1 Value,Price\nlamp,Lamp,Size,S,10\nbulb,Bulb,,,5\nlamp,,,L,12\n";
    let result = import(text);
    assert_eq!(result.errors, []);
    assert_eq!(result.products[0].variants.len(), 2);
    assert_eq!(result.products[1].handle.as_str(), "bulb");
}

#[test]
fn option_value_rules() {
    let no_name = import("Handle,Title,Option1 Value,Price\nlamp,Lamp,White,10\n");
    let error = single_error(&no_name);
    assert_eq!(error.column, "Option1 Value");
    assert!(
        error.reason.contains("has no option name"),
        "{}",
        error.reason
    );

    let empty_value = import(
        "Handle,Title,Option1 Name,Option1 Value,Price\nlamp,Lamp,Colour,White,10\nlamp,,,,12\n",
    );
    let error = single_error(&empty_value);
    assert_eq!((error.row, error.column.as_str()), (3, "Option1 Value"));

    let repeated = import("Handle,Title,Option1 Name,Option1 Value,Price\nlamp,Lamp,Colour,White,10\nlamp,,,white,12\n");
    let error = single_error(&repeated);
    assert_eq!((error.row, error.column.as_str()), (3, "Option1 Value"));
    assert!(
        error.reason.contains("already has the options white"),
        "{}",
        error.reason
    );

    let gap = import(
        "Handle,Title,Option1 Name,Option2 Name,Option2 Value,Price\nlamp,Lamp,,Size,L,10\n",
    );
    assert_eq!(gap.errors[0].column, "Option2 Name");
}

#[test]
fn handles_are_checked_or_made_from_the_title() {
    let made = import("URL handle,Title,Price\n,Women's Desk Lamp,10\n");
    assert_eq!(made.errors, []);
    assert_eq!(made.products[0].handle.as_str(), "womens-desk-lamp");
    let bad = import("Handle,Title,Price\ndesk lamp,Lamp,10\n");
    let error = single_error(&bad);
    assert_eq!((error.row, error.column.as_str()), (2, "Handle"));
    let chinese = import("URL handle,Title,Price\n,台灯,10\n");
    assert!(single_error(&chinese)
        .reason
        .contains("cannot be made from the title"));
    let orphan = import("URL handle,Title,Price\n,,10\n");
    assert!(single_error(&orphan)
        .reason
        .contains("every row needs the URL handle"));
    let upper = import(
        "Handle,Title,Option1 Name,Option1 Value,Price\nLED-Lamp,Lamp,Size,S,10\nled-lamp,,,L,12\n",
    );
    assert_eq!(upper.errors, []);
    assert_eq!(
        upper.products[0].variants.len(),
        2,
        "handles compare after lower-casing"
    );
}

#[test]
fn skus_are_unique_across_the_file() {
    let text = "Handle,Title,Variant SKU,Price\nlamp,Lamp,L-1,10\nbulb,Bulb,L-1,5\n";
    let result = import(text);
    let error = single_error(&result);
    assert_eq!((error.row, error.column.as_str()), (3, "Variant SKU"));
    assert!(error.reason.contains("already used on row 2"));
    assert_eq!(result.products.len(), 1);
}

#[test]
fn product_fields_are_checked() {
    let status = import("Handle,Title,Price,Status\nlamp,Lamp,10,published\n");
    assert_eq!(single_error(&status).column, "Status");
    let title = import("Handle,Title,Price\nlamp,,10\n");
    let error = single_error(&title);
    assert_eq!(
        (
            error.column.as_str(),
            error.reason.contains("title is required")
        ),
        ("Title", true)
    );
    let alt_only = import("Handle,Title,Price,Image Alt Text\nlamp,Lamp,10,front\n");
    assert_eq!(single_error(&alt_only).column, "Image Alt Text");
    let image = import("Handle,Title,Price,Image Src\nlamp,Lamp,10,javascript:alert(1)\n");
    assert_eq!(single_error(&image).column, "Image Src");
    let position = import(
        "Handle,Title,Price,Image Src,Image Position\nlamp,Lamp,10,https://x.example/a.jpg,0\n",
    );
    assert_eq!(single_error(&position).column, "Image Position");
    let no_variant = import("Handle,Title,Price,Image Src\nlamp,Lamp,,https://x.example/a.jpg\n");
    let error = single_error(&no_variant);
    assert!(
        error.reason.contains("at least one variant"),
        "{}",
        error.reason
    );
}

#[test]
fn every_error_of_a_file_is_listed() {
    let text = "Handle,Title,Price,Barcode,HS code\n\
                a,A,0,,\n\
                b,B,10,4.6347E+11,940543\n\
                c,C,10,,940542\n";
    let result = import(text);
    let found: Vec<(u64, &str)> = result
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str()))
        .collect();
    assert_eq!(found, [(2, "Price"), (3, "Barcode"), (3, "HS code")]);
    assert_eq!(result.products.len(), 1);
    assert_eq!(result.products[0].handle.as_str(), "c");
}

#[test]
fn translations_in_extra_columns() {
    let text = "Handle,Title,Body (HTML),Price,Title [de-ch],Body (HTML) [de-CH],SEO description [zh-CN],Title [zh-CN]\n\
                lamp,Desk lamp,<p>Warm</p>,10,Schreibtischlampe,<p>Warm<script>x</script></p>,简约台灯,台灯\n";
    let result = import(text);
    assert_eq!(result.errors, []);
    let t = &result.products[0].translations;
    assert_eq!(t.len(), 3);
    assert_eq!(t[1].locale.as_str(), "de-CH");
    assert_eq!(t[1].description_html.as_str(), "<p>Warm</p>");
    assert_eq!(
        (t[2].title.as_str(), t[2].seo_description.as_deref()),
        ("台灯", Some("简约台灯"))
    );

    let untitled = import("Handle,Title,Price,Title [de],SEO title [de]\nlamp,Lamp,10,,Lampe\n");
    assert_eq!(single_error(&untitled).column, "Title [de]");
    let default_again = import("Handle,Title,Price,Title [en]\nlamp,Lamp,10,Lamp\n");
    assert_eq!(single_error(&default_again).row, 1);
    let bad_locale = import("Handle,Title,Price,Title [zh-Hans-CN]\nlamp,Lamp,10,台灯\n");
    assert!(single_error(&bad_locale).reason.contains("script"));
}

fn full_product() -> ProductDraft {
    let de = Locale::parse("de").unwrap();
    let trade = |hs: &str| TradeData {
        hs_code: Some(HsCode::parse(hs).unwrap()),
        tariff_codes: BTreeMap::from([(
            Country::US,
            TariffCode::parse(&format!("{hs}0000")).unwrap(),
        )]),
        country_of_origin: Some(Country::CN),
        net_weight_grams: Some(700),
        dimensions: Some(Dimensions::new(400, 180, 120).unwrap()),
        customs_description_en: Some("LED desk lamp, aluminium".to_owned()),
        customs_description_zh: Some("LED台灯".to_owned()),
        goods_flags: GoodsFlags {
            battery: true,
            ..GoodsFlags::default()
        },
    };
    let variant =
        |colour: &str, size: &str, sku: &str, gtin: Option<&str>, price: &str| VariantDraft {
            sku: Some(Sku::parse(sku).unwrap()),
            option_values: vec![colour.to_owned(), size.to_owned()],
            gtin: gtin.map(|g| Gtin::parse(g).unwrap()),
            price: cny(price),
            compare_at_price: None,
            weight_grams: Some(900),
            image_url: None,
            trade: trade("940521"),
        };
    let mut variants = vec![
        variant("White", "Small", "NDL-W-S", Some("6901234567892"), "89.00"),
        variant("White", "Large", "NDL-W-L", Some("4006381333931"), "109.00"),
        variant("Black, matt", "Small", "NDL-B-S", None, "89.00"),
    ];
    variants[0].compare_at_price = Some(cny("119.00"));
    variants[2].image_url =
        Some(MediaUrl::parse("https://img.lumi.example/ndl/black.jpg").unwrap());
    variants[2].trade.tariff_codes.clear();
    variants[2].trade.goods_flags = GoodsFlags::default();
    variants[2].trade.dimensions = None;
    ProductDraft {
        handle: ProductHandle::parse("nordic-desk-lamp").unwrap(),
        status: ProductStatus::Archived,
        vendor: Some("Zhongshan Guzhen Lighting Co., Ltd.".to_owned()),
        product_type: Some("Desk Lamps".to_owned()),
        tags: vec!["lighting".to_owned(), "LED".to_owned()],
        translations: vec![
            TranslationDraft {
                locale: en(),
                title: "Nordic \"LED\" Desk Lamp".to_owned(),
                description_html: sanitize_description_html(
                    "<p>Warm &amp; bright,\nwith <a href=\"https://example.com/m.pdf\">manual</a></p><ul><li>3000 K</li></ul>",
                ),
                seo_title: Some("Nordic LED Desk Lamp".to_owned()),
                seo_description: Some("Dimmable, 3 colours".to_owned()),
            },
            TranslationDraft {
                locale: de,
                title: "Nordische Schreibtischlampe".to_owned(),
                description_html: sanitize_description_html("<p>Warmweiß</p>"),
                seo_title: None,
                seo_description: None,
            },
        ],
        media: vec![
            MediaDraft {
                url: MediaUrl::parse("https://img.lumi.example/ndl/1.jpg").unwrap(),
                position: 1,
                alt: Some("Front, white".to_owned()),
            },
            MediaDraft {
                url: MediaUrl::parse("https://img.lumi.example/ndl/2.jpg").unwrap(),
                position: 2,
                alt: None,
            },
        ],
        option_names: vec!["Colour".to_owned(), "Size".to_owned()],
        variants,
    }
}

fn written(products: &[ProductDraft]) -> String {
    let mut out = Vec::new();
    write_shopify_csv(&mut out, products, &en()).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn export_then_import_gives_the_same_products() {
    let mut one_image_many_rows = full_product();
    one_image_many_rows.handle = ProductHandle::parse("lamp-two").unwrap();
    one_image_many_rows.media.truncate(1);
    for (i, v) in one_image_many_rows.variants.iter_mut().enumerate() {
        v.sku = Some(Sku::parse(&format!("TWO-{i}")).unwrap());
    }
    let mut simple = full_product();
    simple.handle = ProductHandle::parse("simple").unwrap();
    simple.option_names.clear();
    simple.variants.truncate(1);
    simple.variants[0].option_values.clear();
    simple.variants[0].sku = None;
    simple.variants[0].gtin = None;
    simple.media = (1..=4)
        .map(|n| MediaDraft {
            url: MediaUrl::parse(&format!("https://img.lumi.example/s/{n}.jpg")).unwrap(),
            position: n,
            alt: None,
        })
        .collect();
    let products = vec![full_product(), one_image_many_rows, simple];
    for p in &products {
        assert_eq!(p.problems(), [], "{}", p.handle);
    }
    let text = written(&products);
    let back = import(&text);
    assert_eq!(back.errors, [], "{text}");
    assert_eq!(back.products, products);
    assert_eq!(back.data_rows, 3 + 3 + 4);
}

#[test]
fn export_writes_the_newer_header_set() {
    let text = written(&[full_product()]);
    let header = text.lines().next().unwrap();
    assert!(header.starts_with(
        "Title,URL handle,Description,Vendor,Type,Tags,Status,SKU,Barcode,Option1 name,Option1 value,Option2 name,Option2 value,Option3 name,Option3 value,Price,Compare-at price,Weight value (grams),Product image URL,Image position,Image alt text,Variant image URL,SEO title,SEO description,Currency,HS code,Country of origin,"
    ), "{header}");
    assert!(
        header.ends_with(
            "Tariff code / US,Title [de],Description [de],SEO title [de],SEO description [de]"
        ),
        "{header}"
    );
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(
        rows.len(),
        3,
        "one row per variant; both images fit on variant rows"
    );
    assert_eq!(&rows[0][0], "Nordic \"LED\" Desk Lamp");
    assert_eq!(&rows[1][0], "", "product fields only on the first row");
    assert_eq!(&rows[1][1], "nordic-desk-lamp");

    let plain = written(&[ProductDraft {
        option_names: Vec::new(),
        variants: vec![VariantDraft {
            option_values: Vec::new(),
            trade: TradeData::default(),
            ..full_product().variants.remove(0)
        }],
        translations: vec![full_product().translations.remove(0)],
        ..full_product()
    }]);
    let header = plain.lines().next().unwrap();
    assert!(
        header.ends_with("SEO description,Currency"),
        "no trade or translation columns when unused: {header}"
    );
    assert!(plain.contains(",Title,Default Title,"), "{plain}");
}

#[test]
fn export_refuses_a_product_without_the_default_locale() {
    let mut product = full_product();
    product.translations.remove(0);
    let mut out = Vec::new();
    let err = write_shopify_csv(&mut out, &[product], &en()).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(out.is_empty());
}

#[test]
fn synthetic_files_import_without_errors() {
    let text = synthetic_shopify_csv(2_000, 7);
    assert_eq!(
        text,
        synthetic_shopify_csv(2_000, 7),
        "same seed, same file"
    );
    assert_ne!(text, synthetic_shopify_csv(2_000, 8));
    let result = import(&text);
    assert_eq!(
        result.errors,
        [],
        "{:?}",
        &result.errors[..result.errors.len().min(5)]
    );
    assert_eq!(result.data_rows, 2_000);
    assert!(result.products.len() > 200);
    let variants: usize = result.products.iter().map(|p| p.variants.len()).sum();
    assert!(variants > 1_000);
    assert!(result.products.iter().all(|p| p.translations.len() == 2));
    assert!(result
        .products
        .iter()
        .flat_map(|p| &p.variants)
        .all(|v| v.gtin.is_some_and(|g| g.len() == 13)));
    for rows in [0, 1, 2, 9, 10, 37] {
        let small = import(&synthetic_shopify_csv(rows, rows as u64));
        assert_eq!(small.errors, []);
        assert_eq!(small.data_rows, rows as u64);
    }
}
