//! A generator of realistic, valid Shopify product CSVs for tests and
//! benchmarks: lighting products from a Guangdong maker, with colour and
//! size variants, GTIN-13 barcodes with correct check digits (GS1 China
//! prefix 69), HS 2022 codes that exist, trade data and a Chinese translation.

use std::collections::BTreeMap;

use crate::country::Country;
use crate::money::{Currency, Money};

use super::super::gtin::{gs1_check_digit, Gtin};
use super::super::hs::HsCode;
use super::super::html::sanitize_description_html;
use super::super::identifiers::{MediaUrl, ProductHandle, Sku};
use super::super::locale::Locale;
use super::super::physical::{Dimensions, GoodsFlags};
use super::super::product::{
    MediaDraft, ProductDraft, ProductStatus, TradeData, TranslationDraft, VariantDraft,
};
use super::export::write_shopify_csv;

/// A kind of lighting product and the facts that go with it.
struct Kind {
    name: &'static str,
    name_zh: &'static str,
    product_type: &'static str,
    /// An HS 2022 subheading that exists in the nomenclature.
    hs_code: &'static str,
    customs_en: &'static str,
    sizes: [&'static str; 3],
    /// Price of the smallest size, CNY fen.
    base_price_fen: i64,
    /// Gross weight of the smallest size, grams.
    base_grams: u32,
    /// Packed size of the smallest size, mm.
    box_mm: [u32; 3],
    battery: bool,
    magnet: bool,
}

#[rustfmt::skip]
const KINDS: [Kind; 9] = [
    Kind { name: "LED Desk Lamp", name_zh: "LED台灯", product_type: "Desk Lamps", hs_code: "940521", customs_en: "LED desk lamp, plastic and aluminium", sizes: ["Small", "Medium", "Large"], base_price_fen: 8_900, base_grams: 900, box_mm: [400, 180, 120], battery: false, magnet: false },
    Kind { name: "LED Ceiling Light", name_zh: "LED吸顶灯", product_type: "Ceiling Lights", hs_code: "940511", customs_en: "LED ceiling light fitting, iron and acrylic", sizes: ["30 cm", "40 cm", "50 cm"], base_price_fen: 15_900, base_grams: 1_800, box_mm: [330, 330, 110], battery: false, magnet: false },
    Kind { name: "LED Wall Sconce", name_zh: "LED壁灯", product_type: "Wall Lights", hs_code: "940511", customs_en: "LED wall light fitting, aluminium", sizes: ["Single", "Double", "Triple"], base_price_fen: 6_900, base_grams: 700, box_mm: [250, 150, 120], battery: false, magnet: false },
    Kind { name: "LED Floor Lamp", name_zh: "LED落地灯", product_type: "Floor Lamps", hs_code: "940521", customs_en: "LED floor lamp, steel", sizes: ["140 cm", "160 cm", "180 cm"], base_price_fen: 29_900, base_grams: 4_200, box_mm: [1_000, 300, 150], battery: false, magnet: false },
    Kind { name: "LED Light Bulb", name_zh: "LED灯泡", product_type: "Light Bulbs", hs_code: "853952", customs_en: "LED lamp (bulb), glass and plastic", sizes: ["E27 9W", "E27 12W", "B22 9W"], base_price_fen: 1_290, base_grams: 60, box_mm: [110, 65, 65], battery: false, magnet: false },
    Kind { name: "Solar Garden Light", name_zh: "太阳能花园灯", product_type: "Outdoor Lighting", hs_code: "940541", customs_en: "Solar LED garden light with battery", sizes: ["2-pack", "4-pack", "8-pack"], base_price_fen: 7_900, base_grams: 600, box_mm: [380, 160, 90], battery: true, magnet: false },
    Kind { name: "LED String Lights", name_zh: "LED灯串", product_type: "String Lights", hs_code: "940531", customs_en: "LED lighting string for Christmas trees", sizes: ["5 m", "10 m", "20 m"], base_price_fen: 3_900, base_grams: 300, box_mm: [200, 150, 80], battery: false, magnet: false },
    Kind { name: "LED Strip Light", name_zh: "LED灯带", product_type: "Strip Lights", hs_code: "940542", customs_en: "LED strip light fitting with driver", sizes: ["2 m", "5 m", "10 m"], base_price_fen: 4_900, base_grams: 250, box_mm: [180, 180, 60], battery: false, magnet: false },
    Kind { name: "Magnetic LED Work Light", name_zh: "磁吸LED工作灯", product_type: "Work Lights", hs_code: "940542", customs_en: "Rechargeable LED work light with magnet", sizes: ["10W", "20W", "30W"], base_price_fen: 9_900, base_grams: 450, box_mm: [220, 120, 80], battery: true, magnet: true },
];

const STYLES: [(&str, &str); 10] = [
    ("Nordic", "北欧"),
    ("Minimalist", "极简"),
    ("Vintage", "复古"),
    ("Modern", "现代"),
    ("Industrial", "工业风"),
    ("Dimmable", "可调光"),
    ("Rechargeable", "充电式"),
    ("Smart", "智能"),
    ("Wooden", "木质"),
    ("Rattan", "藤编"),
];

const COLOURS: [&str; 9] = [
    "White", "Black", "Gold", "Silver", "Walnut", "Green", "Grey", "Pink", "Blue",
];

const VENDORS: [&str; 4] = [
    "Zhongshan Guzhen Lighting Co., Ltd.",
    "Shenzhen Brightway Electronics",
    "Ningbo Sunlite Outdoor Products",
    "Jiangmen Lumina Technology",
];

/// SplitMix64: small, fast and good enough to vary test data.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A Shopify product CSV (newer header set plus Chuhai's columns, see
/// [`write_shopify_csv`]) with exactly `rows` rows after the header, all
/// valid: importing it with default locale `en`, currency CNY and the HS
/// 2022 nomenclature yields no error. The same `seed` gives the same text.
///
/// Products have 1–9 variants (colour × size) and 1–4 images; the last
/// product is cut to fit `rows`.
pub fn synthetic_shopify_csv(rows: usize, seed: u64) -> String {
    let mut random = Random(seed);
    let english = Locale::parse("en").expect("valid locale");
    let chinese = Locale::parse("zh-CN").expect("valid locale");
    let mut products = Vec::new();
    let mut remaining = rows;
    // GTINs count up from a seed-dependent start; 10 digits leave room for
    // a billion variants without repeating.
    let mut gtin_counter = random.next() % 1_000_000_000;
    while remaining > 0 {
        let index = products.len();
        let kind = &KINDS[random.below(KINDS.len())];
        let (style, style_zh) = STYLES[random.below(STYLES.len())];
        let mut colours = 1 + random.below(3);
        let mut sizes = 1 + random.below(3);
        let mut images = 1 + random.below(4);
        if (colours * sizes).max(images) > remaining {
            colours = remaining.min(COLOURS.len());
            sizes = 1;
            images = 1;
        }
        let first_colour = random.below(COLOURS.len());
        let title = format!("{style} {}", kind.name);
        let handle =
            ProductHandle::from_title(&format!("{title} {index:06}")).expect("ASCII title");
        let option_names: Vec<String> = match (colours, sizes) {
            (1, 1) => Vec::new(),
            (_, 1) => vec!["Colour".to_owned()],
            _ => vec!["Colour".to_owned(), "Size".to_owned()],
        };
        let mut variants = Vec::with_capacity(colours * sizes);
        for c in 0..colours {
            for s in 0..sizes {
                let colour = COLOURS[(first_colour + c) % COLOURS.len()];
                let option_values = match option_names.len() {
                    0 => Vec::new(),
                    1 => vec![colour.to_owned()],
                    _ => vec![colour.to_owned(), kind.sizes[s].to_owned()],
                };
                let step = s as u32 + 1;
                let price_fen =
                    kind.base_price_fen * i64::from(step) + 100 * random.below(20) as i64;
                let grams = kind.base_grams * step;
                let payload = format!("69{gtin_counter:010}");
                gtin_counter += 1;
                let check = gs1_check_digit(&payload).expect("digits");
                let [l, w, h] = kind.box_mm;
                variants.push(VariantDraft {
                    sku: Some(Sku::parse(&format!("CH{index:06}-{c}{s}")).expect("valid SKU")),
                    option_values,
                    gtin: Some(Gtin::parse(&format!("{payload}{check}")).expect("valid GTIN")),
                    price: Money::from_minor(price_fen, Currency::CNY),
                    compare_at_price: (random.below(3) == 0)
                        .then(|| Money::from_minor(price_fen / 100 * 130, Currency::CNY)),
                    weight_grams: Some(grams),
                    image_url: None,
                    trade: TradeData {
                        hs_code: Some(HsCode::parse(kind.hs_code).expect("valid HS code")),
                        tariff_codes: BTreeMap::new(),
                        country_of_origin: Some(Country::CN),
                        net_weight_grams: Some(grams * 4 / 5),
                        dimensions: Some(Dimensions::new(l, w, h * step).expect("valid size")),
                        customs_description_en: Some(kind.customs_en.to_owned()),
                        customs_description_zh: Some(kind.name_zh.to_owned()),
                        goods_flags: GoodsFlags {
                            battery: kind.battery || style == "Rechargeable",
                            magnet: kind.magnet,
                            ..GoodsFlags::default()
                        },
                    },
                });
            }
        }
        let media = (0..images)
            .map(|n| MediaDraft {
                url: MediaUrl::parse(&format!(
                    "https://img.lumi.example/chuhai/{handle}/{}.jpg",
                    n + 1
                ))
                .expect("valid URL"),
                position: n as u32 + 1,
                alt: Some(format!("{title}, view {}", n + 1)),
            })
            .collect();
        let description = format!(
            "<p>{title} for living rooms, bedrooms and offices &amp; shops.</p>\
             <ul><li>Colour temperature 3000&ndash;6500 K</li><li>CE, RoHS</li><li>Made in Guangdong</li></ul>"
        );
        products.push(ProductDraft {
            handle,
            status: if random.below(10) == 0 {
                ProductStatus::Draft
            } else {
                ProductStatus::Active
            },
            vendor: Some(VENDORS[random.below(VENDORS.len())].to_owned()),
            product_type: Some(kind.product_type.to_owned()),
            tags: vec![
                "lighting".to_owned(),
                "LED".to_owned(),
                kind.product_type.to_owned(),
            ],
            translations: vec![
                TranslationDraft {
                    locale: english,
                    title: title.clone(),
                    description_html: sanitize_description_html(&description),
                    seo_title: Some(format!("{title} | Free shipping")),
                    seo_description: None,
                },
                TranslationDraft {
                    locale: chinese,
                    title: format!("{style_zh}{}", kind.name_zh),
                    description_html: sanitize_description_html(&format!(
                        "<p>{style_zh}{}，适用于客厅、卧室和办公室。</p>",
                        kind.name_zh
                    )),
                    seo_title: None,
                    seo_description: None,
                },
            ],
            media,
            option_names,
            variants,
        });
        let used = (colours * sizes).max(images);
        remaining -= used;
    }
    let mut out = Vec::with_capacity(rows * 600);
    write_shopify_csv(&mut out, &products, &english)
        .expect("every product has an English translation");
    String::from_utf8(out).expect("the CSV writer writes UTF-8")
}
