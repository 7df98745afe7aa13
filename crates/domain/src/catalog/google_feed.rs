//! A Google Merchant Center product data feed in Google's tab-separated
//! text format (TSV): one row per variant, for one market.
//!
//! Attribute names, value formats and limits follow Google's "Product data
//! specification" (<https://support.google.com/merchants/answer/7052112>)
//! and its attribute pages: price and sale price "Number plus currency
//! (ISO 4217)", text feed example `15.00 USD`
//! (<https://support.google.com/merchants/answer/6324371>,
//! <https://support.google.com/merchants/answer/6324471>); availability
//! `in_stock`, `out_of_stock`, `preorder`, `backorder`
//! (<https://support.google.com/merchants/answer/6324448>); up to 10
//! additional images, comma-separated in text feeds with commas inside a
//! URL encoded as `%2C` (<https://support.google.com/merchants/answer/6324370>);
//! shipping weight "Number plus unit", units `lb`, `oz`, `g`, `kg`
//! (<https://support.google.com/merchants/answer/6324503>); title at most
//! 150 characters, description at most 5,000, id at most 50.
//!
//! What the spec asks that this writer does not supply: `availability_date`
//! (required by Google with `preorder` and `backorder`), `shipping`, tax and
//! category attributes; a caller that needs them adds them in Merchant
//! Center (supplemental data source) for now.

use std::collections::HashSet;
use std::fmt;
use std::io::{self, Write};

use super::html::SanitizedHtml;
use super::html_entities::decode_into;
use super::identifiers::Sku;
use super::locale::{pick, Locale};
use super::product::{ProductDraft, TranslationDraft, VariantDraft};
use crate::money::Money;

/// The header row: Google's attribute names, in the order written.
pub const GOOGLE_FEED_COLUMNS: [&str; 14] = [
    "id",
    "item_group_id",
    "title",
    "description",
    "link",
    "image_link",
    "additional_image_link",
    "price",
    "sale_price",
    "availability",
    "gtin",
    "brand",
    "condition",
    "shipping_weight",
];

/// Google's longest `title`, in characters.
pub const MAX_TITLE_CHARS: usize = 150;
/// Google's longest `description`, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 5000;
/// Google's longest `id`, in characters (a longer SKU is skipped).
pub const MAX_ID_CHARS: usize = 50;
/// Most `additional_image_link` URLs Google takes.
pub const MAX_ADDITIONAL_IMAGES: usize = 10;

/// Whether a variant can be bought, as Google's `availability` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Availability {
    /// `in_stock`: orders are accepted and ship promptly.
    InStock,
    /// `out_of_stock`: no orders are accepted.
    OutOfStock,
    /// `preorder`: orders are accepted for a product not yet released.
    Preorder,
    /// `backorder`: orders are accepted and ship when stock returns.
    Backorder,
}

impl Availability {
    /// Google's value: `in_stock`, `out_of_stock`, `preorder` or `backorder`.
    pub fn as_str(self) -> &'static str {
        match self {
            Availability::InStock => "in_stock",
            Availability::OutOfStock => "out_of_stock",
            Availability::Preorder => "preorder",
            Availability::Backorder => "backorder",
        }
    }
}

impl fmt::Display for Availability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One variant to list, with its price in the feed's market.
#[derive(Debug, Clone, Copy)]
pub struct FeedItem<'a> {
    /// The product.
    pub product: &'a ProductDraft,
    /// Which of `product.variants` this row is.
    pub variant_index: usize,
    /// The selling price in the market (what the buyer pays).
    pub price: Money,
    /// The "was" price in the market, if any; only a higher one in the same
    /// currency makes a sale.
    pub compare_at: Option<Money>,
    /// Stock status.
    pub availability: Availability,
}

/// How a feed is written for one market.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedOptions {
    /// The market's default locale: titles and descriptions are picked for it.
    pub locale: Locale,
    /// The locale tried after `locale` (and its bare language), e.g. `en`.
    pub fallback: Locale,
    /// The storefront's origin, e.g. `https://shop.example.com` (a trailing
    /// `/` is ignored).
    pub storefront_base_url: String,
    /// The `brand` of products without a vendor.
    pub brand_fallback: String,
}

/// What [`write_google_feed_tsv`] did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FeedStats {
    /// Data rows written (the header not counted).
    pub rows: usize,
    /// Items not written: the SKU (`None` when the variant has none or does
    /// not exist) and why, in English.
    pub skipped: Vec<(Option<Sku>, String)>,
}

/// Writes `items` as a Google Merchant Center product feed in tab-separated
/// text: a header row of [`GOOGLE_FEED_COLUMNS`], then one row per item, each
/// ended by `\n`, UTF-8.
///
/// Per row:
///
/// - `id`: the SKU. `item_group_id`: the product handle, only for a product
///   with more than one variant.
/// - `title`: the translation picked for `opts.locale` along the
///   [`fallback_chain`](super::fallback_chain) to `opts.fallback` (then any
///   translation, as [`pick`] does), followed by ` - ` and the variant's
///   option values joined by ` / ` (`Aurora LED Desk Lamp - Black / Large`);
///   cut to 150 characters, shortening the product title so the option
///   values stay.
/// - `description`: the translation's HTML as plain text (tags dropped, a
///   space where a block ended, entities decoded, whitespace collapsed),
///   cut to 5,000 characters.
/// - `link`: `{storefront_base_url}/products/{handle}?variant={sku}` with
///   the SKU percent-encoded.
/// - `image_link`: the variant's image, else the product's media with the
///   lowest position; empty when there is none. `additional_image_link`: the
///   product's other media by position, at most 10, comma-separated (a comma
///   inside a URL is written `%2C`).
/// - `price`, `sale_price`: `31.99 USD`, with the currency's decimals
///   (`1500 JPY`, `1.250 BHD`). When `compare_at` is higher than `price`
///   (same currency), `price` holds `compare_at` and `sale_price` the price,
///   as Google expects; otherwise `sale_price` is empty.
/// - `availability`, `gtin` (digits; empty without one), `brand` (the vendor,
///   else `opts.brand_fallback`), `condition` (`new`), `shipping_weight`
///   (`1450 g`, empty without a weight).
///
/// Values are not quoted: tabs, line breaks and other control characters in
/// them become spaces. (Google auto-detects quoting; a value that begins
/// with `"` may be read as quoted.)
///
/// Skipped and reported in [`FeedStats::skipped`], not written: an item whose
/// variant does not exist or has no SKU, a SKU longer than 50 characters, a
/// SKU already written, a price that is not above zero, a `compare_at` in
/// another currency, a product without any title.
///
/// Errors only when `out` fails; rows before the failure have been written.
pub fn write_google_feed_tsv<W: Write>(
    mut out: W,
    items: &[FeedItem<'_>],
    opts: &FeedOptions,
) -> io::Result<FeedStats> {
    let mut stats = FeedStats::default();
    let mut line = GOOGLE_FEED_COLUMNS.join("\t");
    line.push('\n');
    out.write_all(line.as_bytes())?;

    let base_url = opts.storefront_base_url.trim_end_matches('/');
    let mut written: HashSet<&str> = HashSet::new();
    for item in items {
        let row = match row(item, opts, base_url) {
            Ok(row) => row,
            Err(skip) => {
                stats.skipped.push(skip);
                continue;
            }
        };
        if !written.insert(row.sku.as_str()) {
            stats.skipped.push((
                Some(row.sku.clone()),
                format!(
                    "product {} variant {}: SKU {} is already in the feed (Google ids must be unique)",
                    item.product.handle, item.variant_index, row.sku
                ),
            ));
            continue;
        }
        line.clear();
        for (i, value) in row.cells.iter().enumerate() {
            if i > 0 {
                line.push('\t');
            }
            push_cell(&mut line, value);
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
        stats.rows += 1;
    }
    out.flush()?;
    Ok(stats)
}

/// One row's values, in [`GOOGLE_FEED_COLUMNS`] order, before cell cleaning.
struct Row<'a> {
    sku: &'a Sku,
    cells: [String; 14],
}

fn row<'a>(
    item: &FeedItem<'a>,
    opts: &FeedOptions,
    base_url: &str,
) -> Result<Row<'a>, (Option<Sku>, String)> {
    let product = item.product;
    let handle = product.handle.as_str();
    let index = item.variant_index;
    let Some(variant) = product.variants.get(index) else {
        return Err((
            None,
            format!(
                "product {handle} has no variant {index} (it has {})",
                product.variants.len()
            ),
        ));
    };
    let Some(sku) = variant.sku.as_ref() else {
        return Err((
            None,
            format!("product {handle} variant {index} has no SKU (the feed id)"),
        ));
    };
    let skip = |reason: String| {
        Err((
            Some(sku.clone()),
            format!("product {handle} variant {index}: {reason}"),
        ))
    };
    if sku.as_str().chars().count() > MAX_ID_CHARS {
        return skip(format!(
            "SKU {sku} is longer than Google's {MAX_ID_CHARS}-character id"
        ));
    }
    if !item.price.is_positive() {
        return skip(format!("price {} must be greater than zero", item.price));
    }
    let sale = match item.compare_at {
        Some(was) if was.currency() != item.price.currency() => {
            return skip(format!(
                "compare-at price {was} is not in the price's currency {}",
                item.price.currency()
            ));
        }
        Some(was) if was.minor() > item.price.minor() => Some(was),
        _ => None,
    };
    let translations: Vec<(Locale, &TranslationDraft)> =
        product.translations.iter().map(|t| (t.locale, t)).collect();
    let translation = pick(&translations, &opts.locale, &opts.fallback).map(|(_, t)| *t);
    let Some(translation) = translation.filter(|t| !t.title.trim().is_empty()) else {
        return skip("the product has no title in any locale".to_owned());
    };

    let (price, sale_price) = match sale {
        Some(was) => (feed_price(was), feed_price(item.price)),
        None => (feed_price(item.price), String::new()),
    };
    let (image_link, additional) = images(product, variant);
    let brand = product
        .vendor
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .unwrap_or(&opts.brand_fallback);
    Ok(Row {
        sku,
        cells: [
            sku.as_str().to_owned(),
            if product.variants.len() > 1 {
                handle.to_owned()
            } else {
                String::new()
            },
            title(&translation.title, variant),
            plain_text(&translation.description_html, MAX_DESCRIPTION_CHARS),
            format!(
                "{base_url}/products/{handle}?variant={}",
                percent_encode(sku.as_str())
            ),
            image_link,
            additional,
            price,
            sale_price,
            item.availability.as_str().to_owned(),
            variant
                .gtin
                .map(|g| g.as_str().to_owned())
                .unwrap_or_default(),
            brand.to_owned(),
            "new".to_owned(),
            variant
                .weight_grams
                .map(|g| format!("{g} g"))
                .unwrap_or_default(),
        ],
    })
}

/// `31.99 USD`: major units with the currency's decimals, a space, the code.
fn feed_price(money: Money) -> String {
    format!("{} {}", money.to_major_string(), money.currency().code())
}

/// The product title with the variant's option values, within
/// [`MAX_TITLE_CHARS`]; the product title is shortened first.
fn title(product_title: &str, variant: &VariantDraft) -> String {
    let product_title = product_title.trim();
    let values: Vec<&str> = variant
        .option_values
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .collect();
    if values.is_empty() {
        return truncate_chars(product_title, MAX_TITLE_CHARS)
            .trim_end()
            .to_owned();
    }
    let suffix = format!(" - {}", values.join(" / "));
    let suffix_chars = suffix.chars().count();
    if suffix_chars < MAX_TITLE_CHARS {
        let base = truncate_chars(product_title, MAX_TITLE_CHARS - suffix_chars).trim_end();
        format!("{base}{suffix}")
    } else {
        truncate_chars(&format!("{product_title}{suffix}"), MAX_TITLE_CHARS)
            .trim_end()
            .to_owned()
    }
}

/// The main image and up to [`MAX_ADDITIONAL_IMAGES`] others, comma-separated.
fn images(product: &ProductDraft, variant: &VariantDraft) -> (String, String) {
    let mut media: Vec<_> = product.media.iter().collect();
    media.sort_by_key(|m| m.position);
    let mut urls = variant
        .image_url
        .iter()
        .chain(media.iter().map(|m| &m.url))
        .map(|u| u.as_str());
    let Some(main) = urls.next() else {
        return (String::new(), String::new());
    };
    let mut seen = vec![main];
    for url in urls {
        if seen.len() > MAX_ADDITIONAL_IMAGES {
            break;
        }
        if !seen.contains(&url) {
            seen.push(url);
        }
    }
    let additional: Vec<String> = seen[1..].iter().map(|u| u.replace(',', "%2C")).collect();
    (main.to_owned(), additional.join(","))
}

/// Sanitised description HTML as plain text: tags dropped (a space where
/// a block element or line break stood, none around `b`, `em`, `a`…),
/// character references decoded, whitespace runs collapsed to one space,
/// trimmed, cut to `max_chars`.
fn plain_text(html: &SanitizedHtml, max_chars: usize) -> String {
    let html = html.as_str();
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        decode_into(&rest[..lt], |c| text.push(c));
        let Some(gt) = rest[lt..].find('>') else {
            // Not markup after all (a sanitised document never has this).
            decode_into(&rest[lt..], |c| text.push(c));
            rest = "";
            break;
        };
        let tag = &rest[lt + 1..lt + gt];
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| c.is_ascii_whitespace() || c == '/')
            .next()
            .unwrap_or_default();
        if !INLINE_TAGS.iter().any(|t| t.eq_ignore_ascii_case(name)) {
            text.push(' ');
        }
        rest = &rest[lt + gt + 1..];
    }
    decode_into(rest, |c| text.push(c));

    let mut collapsed = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(word);
    }
    truncate_chars(&collapsed, max_chars).trim_end().to_owned()
}

/// Tags that run inside a line: dropping them leaves no space.
const INLINE_TAGS: [&str; 6] = ["strong", "b", "em", "i", "u", "a"];

/// The first `max` characters of `text`.
fn truncate_chars(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((cut, _)) => &text[..cut],
        None => text,
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Appends a value as a TSV cell: tabs, line breaks and other control
/// characters (and U+2028/U+2029) become spaces; nothing is quoted.
fn push_cell(line: &mut String, value: &str) {
    line.extend(value.chars().map(|c| {
        if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
            ' '
        } else {
            c
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{
        sanitize_description_html, Gtin, MediaDraft, MediaUrl, ProductHandle, ProductStatus,
        TradeData,
    };
    use crate::money::Currency;

    fn locale(tag: &str) -> Locale {
        Locale::parse(tag).unwrap()
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

    fn variant(sku: Option<&str>, options: &[&str]) -> VariantDraft {
        VariantDraft {
            sku: sku.map(|s| Sku::parse(s).unwrap()),
            option_values: options.iter().map(|s| (*s).to_owned()).collect(),
            gtin: None,
            price: Money::from_minor(8_900, Currency::CNY),
            compare_at_price: None,
            weight_grams: None,
            image_url: None,
            trade: TradeData::default(),
        }
    }

    fn media(url: &str, position: u32) -> MediaDraft {
        MediaDraft {
            url: MediaUrl::parse(url).unwrap(),
            position,
            alt: None,
        }
    }

    /// A lamp in black and white, in Chinese and English, two images.
    fn lamp() -> ProductDraft {
        let mut black = variant(Some("LAMP-BLK"), &["Black"]);
        black.gtin = Some(Gtin::parse("4006381333931").unwrap());
        black.weight_grams = Some(1450);
        let mut white = variant(Some("LAMP-WHT"), &["White"]);
        white.image_url = Some(MediaUrl::parse("https://img.lumi.example/lamp-white.jpg").unwrap());
        ProductDraft {
            handle: ProductHandle::parse("aurora-led-desk-lamp").unwrap(),
            status: ProductStatus::Active,
            vendor: Some("Aurora Lighting".to_owned()),
            product_type: None,
            tags: Vec::new(),
            translations: vec![
                translation("zh-CN", "极光LED台灯", "<p>护眼台灯</p>"),
                translation(
                    "en",
                    "Aurora LED Desk Lamp",
                    "<p>Warm &amp; bright.</p><ul><li>3 modes</li><li><b>USB</b>-C</li></ul>",
                ),
            ],
            media: vec![
                media("https://img.lumi.example/lamp-2.jpg", 2),
                media("https://img.lumi.example/lamp-1.jpg", 1),
            ],
            option_names: vec!["Colour".to_owned()],
            variants: vec![black, white],
        }
    }

    /// A single-variant product without options.
    fn bulb() -> ProductDraft {
        ProductDraft {
            handle: ProductHandle::parse("led-bulb").unwrap(),
            status: ProductStatus::Active,
            vendor: None,
            product_type: None,
            tags: Vec::new(),
            translations: vec![translation("en", "LED Bulb", "")],
            media: Vec::new(),
            option_names: Vec::new(),
            variants: vec![variant(Some("BULB-E27"), &[])],
        }
    }

    fn opts(tag: &str) -> FeedOptions {
        FeedOptions {
            locale: locale(tag),
            fallback: locale("en"),
            storefront_base_url: "https://shop.example.com/".to_owned(),
            brand_fallback: "Chuhai Demo".to_owned(),
        }
    }

    fn usd(minor: i64) -> Money {
        Money::from_minor(minor, Currency::USD)
    }

    fn item(product: &ProductDraft, variant_index: usize, price: Money) -> FeedItem<'_> {
        FeedItem {
            product,
            variant_index,
            price,
            compare_at: None,
            availability: Availability::InStock,
        }
    }

    /// The feed as text and its stats.
    fn feed(items: &[FeedItem<'_>], opts: &FeedOptions) -> (String, FeedStats) {
        let mut out = Vec::new();
        let stats = write_google_feed_tsv(&mut out, items, opts).unwrap();
        (String::from_utf8(out).unwrap(), stats)
    }

    /// The data rows, each split into its 14 cells.
    fn data_rows(text: &str) -> Vec<Vec<String>> {
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap(), GOOGLE_FEED_COLUMNS.join("\t"));
        lines
            .map(|l| {
                let cells: Vec<String> = l.split('\t').map(str::to_owned).collect();
                assert_eq!(cells.len(), GOOGLE_FEED_COLUMNS.len(), "{l:?}");
                cells
            })
            .collect()
    }

    fn cell<'a>(row: &'a [String], column: &str) -> &'a str {
        let i = GOOGLE_FEED_COLUMNS
            .iter()
            .position(|c| *c == column)
            .unwrap();
        &row[i]
    }

    #[test]
    fn writes_exact_header_and_row() {
        let lamp = lamp();
        let (text, stats) = feed(&[item(&lamp, 0, usd(3199))], &opts("en-US"));
        assert_eq!(
            stats,
            FeedStats {
                rows: 1,
                skipped: Vec::new()
            }
        );
        assert_eq!(
            text,
            "id\titem_group_id\ttitle\tdescription\tlink\timage_link\tadditional_image_link\tprice\tsale_price\tavailability\tgtin\tbrand\tcondition\tshipping_weight\n\
             LAMP-BLK\taurora-led-desk-lamp\tAurora LED Desk Lamp - Black\tWarm & bright. 3 modes USB-C\t\
             https://shop.example.com/products/aurora-led-desk-lamp?variant=LAMP-BLK\t\
             https://img.lumi.example/lamp-1.jpg\thttps://img.lumi.example/lamp-2.jpg\t\
             31.99 USD\t\tin_stock\t4006381333931\tAurora Lighting\tnew\t1450 g\n"
        );
    }

    #[test]
    fn german_market_falls_back_to_english_for_both_variants() {
        let lamp = lamp();
        let items = [item(&lamp, 0, usd(3199)), item(&lamp, 1, usd(3199))];
        let (text, stats) = feed(&items, &opts("de"));
        assert_eq!(stats.rows, 2);
        let rows = data_rows(&text);
        assert_eq!(cell(&rows[0], "title"), "Aurora LED Desk Lamp - Black");
        assert_eq!(cell(&rows[1], "title"), "Aurora LED Desk Lamp - White");
        assert_eq!(
            cell(&rows[1], "description"),
            "Warm & bright. 3 modes USB-C"
        );
        // The variant's own image comes first, then the gallery by position.
        assert_eq!(
            cell(&rows[1], "image_link"),
            "https://img.lumi.example/lamp-white.jpg"
        );
        assert_eq!(
            cell(&rows[1], "additional_image_link"),
            "https://img.lumi.example/lamp-1.jpg,https://img.lumi.example/lamp-2.jpg"
        );
        assert_eq!(cell(&rows[1], "gtin"), "");
        assert_eq!(cell(&rows[1], "shipping_weight"), "");

        // A Chinese market gets the Chinese title.
        let (text, _) = feed(&items[..1], &opts("zh-CN"));
        assert_eq!(cell(&data_rows(&text)[0], "title"), "极光LED台灯 - Black");
    }

    #[test]
    fn compare_at_above_price_is_a_sale() {
        let lamp = lamp();
        let mut on_sale = item(&lamp, 0, usd(3199));
        on_sale.compare_at = Some(usd(3999));
        let mut not_higher = item(&lamp, 1, usd(3199));
        not_higher.compare_at = Some(usd(3199));
        let (text, _) = feed(&[on_sale, not_higher], &opts("en"));
        let rows = data_rows(&text);
        assert_eq!(cell(&rows[0], "price"), "39.99 USD");
        assert_eq!(cell(&rows[0], "sale_price"), "31.99 USD");
        assert_eq!(cell(&rows[1], "price"), "31.99 USD");
        assert_eq!(cell(&rows[1], "sale_price"), "");

        let mut lower = item(&lamp, 0, usd(3199));
        lower.compare_at = Some(usd(2999));
        let (text, _) = feed(&[lower], &opts("en"));
        let rows = data_rows(&text);
        assert_eq!(cell(&rows[0], "price"), "31.99 USD");
        assert_eq!(cell(&rows[0], "sale_price"), "");
    }

    #[test]
    fn compare_at_in_another_currency_is_skipped() {
        let lamp = lamp();
        let mut wrong = item(&lamp, 0, usd(3199));
        wrong.compare_at = Some(Money::from_minor(3999, Currency::EUR));
        let (text, stats) = feed(&[wrong], &opts("en"));
        assert_eq!(data_rows(&text).len(), 0);
        assert_eq!(stats.skipped.len(), 1);
        assert_eq!(stats.skipped[0].0.as_ref().unwrap().as_str(), "LAMP-BLK");
        assert!(stats.skipped[0]
            .1
            .contains("not in the price's currency USD"));
    }

    #[test]
    fn prices_use_the_currency_decimals() {
        let bulb = bulb();
        let jpy = item(&bulb, 0, Money::from_minor(1500, Currency::JPY));
        let (text, _) = feed(&[jpy], &opts("en"));
        assert_eq!(cell(&data_rows(&text)[0], "price"), "1500 JPY");

        let mut bhd = item(&bulb, 0, Money::from_minor(1250, Currency::BHD));
        bhd.compare_at = Some(Money::from_minor(2005, Currency::BHD));
        let (text, _) = feed(&[bhd], &opts("en"));
        let rows = data_rows(&text);
        assert_eq!(cell(&rows[0], "price"), "2.005 BHD");
        assert_eq!(cell(&rows[0], "sale_price"), "1.250 BHD");
    }

    #[test]
    fn html_is_stripped_to_plain_text() {
        let html = sanitize_description_html(
            "<h2>Light  &amp; Shade</h2>\n<p>Made for <em>late</em> nights &lt;3</p>\
             <p>Line<br>break&nbsp;here</p><table><tr><td>A</td><td>B</td></tr></table>",
        );
        assert_eq!(
            plain_text(&html, MAX_DESCRIPTION_CHARS),
            "Light & Shade Made for late nights <3 Line break here A B"
        );
        assert_eq!(plain_text(&html, 13), "Light & Shade");
        assert_eq!(plain_text(&html, 6), "Light");
        assert_eq!(plain_text(&SanitizedHtml::empty(), 10), "");
    }

    #[test]
    fn long_description_is_cut_to_5000_characters() {
        let mut bulb = bulb();
        bulb.translations[0].description_html =
            sanitize_description_html(&format!("<p>{}</p>", "光".repeat(6000)));
        let (text, _) = feed(&[item(&bulb, 0, usd(500))], &opts("en"));
        let description = cell(&data_rows(&text)[0], "description").to_owned();
        assert_eq!(description.chars().count(), MAX_DESCRIPTION_CHARS);
    }

    #[test]
    fn tabs_and_line_breaks_in_values_become_spaces() {
        let mut bulb = bulb();
        bulb.translations[0].title = "LED\tBulb\r\nWarm".to_owned();
        bulb.vendor = Some("Bright\tCo".to_owned());
        let (text, stats) = feed(&[item(&bulb, 0, usd(500))], &opts("en"));
        assert_eq!(stats.rows, 1);
        assert_eq!(text.lines().count(), 2);
        let rows = data_rows(&text);
        assert_eq!(cell(&rows[0], "title"), "LED Bulb  Warm");
        assert_eq!(cell(&rows[0], "brand"), "Bright Co");
    }

    #[test]
    fn item_group_id_only_for_products_with_several_variants() {
        let lamp = lamp();
        let bulb = bulb();
        let items = [item(&lamp, 1, usd(3199)), item(&bulb, 0, usd(500))];
        let (text, _) = feed(&items, &opts("en"));
        let rows = data_rows(&text);
        assert_eq!(cell(&rows[0], "item_group_id"), "aurora-led-desk-lamp");
        assert_eq!(cell(&rows[1], "item_group_id"), "");
        // No options: the title is the product's; no vendor: the fallback brand.
        assert_eq!(cell(&rows[1], "title"), "LED Bulb");
        assert_eq!(cell(&rows[1], "brand"), "Chuhai Demo");
        assert_eq!(cell(&rows[1], "image_link"), "");
        assert_eq!(cell(&rows[1], "additional_image_link"), "");
    }

    #[test]
    fn variants_without_sku_and_other_unlistable_items_are_skipped() {
        let mut lamp = lamp();
        lamp.variants[1].sku = None;
        let items = [
            item(&lamp, 0, usd(3199)),
            item(&lamp, 1, usd(3199)),
            item(&lamp, 7, usd(3199)),
            item(&lamp, 0, usd(3199)),
            item(&lamp, 0, usd(0)),
        ];
        let (text, stats) = feed(&items, &opts("en"));
        assert_eq!(stats.rows, 1);
        assert_eq!(data_rows(&text).len(), 1);
        let reasons: Vec<(Option<&str>, &str)> = stats
            .skipped
            .iter()
            .map(|(sku, reason)| (sku.as_ref().map(Sku::as_str), reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            [
                (
                    None,
                    "product aurora-led-desk-lamp variant 1 has no SKU (the feed id)"
                ),
                (
                    None,
                    "product aurora-led-desk-lamp has no variant 7 (it has 2)"
                ),
                (
                    Some("LAMP-BLK"),
                    "product aurora-led-desk-lamp variant 0: SKU LAMP-BLK is already in the feed (Google ids must be unique)"
                ),
                (
                    Some("LAMP-BLK"),
                    "product aurora-led-desk-lamp variant 0: price 0.00 USD must be greater than zero"
                ),
            ]
        );
    }

    #[test]
    fn long_sku_and_missing_title_are_skipped() {
        let mut bulb = bulb();
        bulb.variants[0].sku = Some(Sku::parse(&"X".repeat(51)).unwrap());
        let (_, stats) = feed(&[item(&bulb, 0, usd(500))], &opts("en"));
        assert!(stats.skipped[0]
            .1
            .contains("longer than Google's 50-character id"));

        let mut bulb = self::bulb();
        bulb.translations.clear();
        let (_, stats) = feed(&[item(&bulb, 0, usd(500))], &opts("en"));
        assert_eq!(stats.rows, 0);
        assert!(stats.skipped[0].1.contains("no title"));
    }

    #[test]
    fn titles_are_cut_to_150_characters_keeping_the_options() {
        let mut lamp = lamp();
        lamp.translations[1].title = format!("Aurora {}", "x".repeat(200));
        let (text, _) = feed(&[item(&lamp, 0, usd(3199))], &opts("en"));
        let written = cell(&data_rows(&text)[0], "title").to_owned();
        assert_eq!(written.chars().count(), MAX_TITLE_CHARS);
        assert!(written.starts_with("Aurora xxx"));
        assert!(written.ends_with("x - Black"));

        let mut several = variant(Some("S"), &["Black", "Large"]);
        assert_eq!(title("Lamp", &several), "Lamp - Black / Large");
        several.option_values = vec!["y".repeat(200)];
        assert_eq!(title("Lamp", &several).chars().count(), MAX_TITLE_CHARS);
        assert!(title("Lamp", &several).starts_with("Lamp - yyy"));
    }

    #[test]
    fn link_encodes_the_sku_and_additional_images_are_capped() {
        let mut lamp = lamp();
        lamp.variants[0].sku = Some(Sku::parse("LAMP/BLK#1+ü").unwrap());
        lamp.media = (1..=13)
            .map(|n| media(&format!("https://img.lumi.example/a,{n}.jpg"), n))
            .collect();
        let mut o = opts("en");
        o.storefront_base_url = "https://shop.example.com".to_owned();
        let (text, _) = feed(&[item(&lamp, 0, usd(3199))], &o);
        let rows = data_rows(&text);
        assert_eq!(
            cell(&rows[0], "link"),
            "https://shop.example.com/products/aurora-led-desk-lamp?variant=LAMP%2FBLK%231%2B%C3%BC"
        );
        assert_eq!(
            cell(&rows[0], "image_link"),
            "https://img.lumi.example/a,1.jpg"
        );
        let additional: Vec<&str> = cell(&rows[0], "additional_image_link").split(',').collect();
        assert_eq!(additional.len(), MAX_ADDITIONAL_IMAGES);
        assert_eq!(additional[0], "https://img.lumi.example/a%2C2.jpg");
        assert_eq!(additional[9], "https://img.lumi.example/a%2C11.jpg");
    }

    #[test]
    fn availability_uses_google_values() {
        let values: Vec<&str> = [
            Availability::InStock,
            Availability::OutOfStock,
            Availability::Preorder,
            Availability::Backorder,
        ]
        .into_iter()
        .map(Availability::as_str)
        .collect();
        assert_eq!(
            values,
            ["in_stock", "out_of_stock", "preorder", "backorder"]
        );
        let bulb = bulb();
        let mut it = item(&bulb, 0, usd(500));
        it.availability = Availability::Backorder;
        let (text, _) = feed(&[it], &opts("en"));
        assert_eq!(cell(&data_rows(&text)[0], "availability"), "backorder");
    }
}
