//! Writing product drafts as a Shopify product CSV (the newer header set).

use std::collections::BTreeSet;
use std::io::{self, Write};

use crate::country::Country;

use super::super::locale::Locale;
use super::super::product::{ProductDraft, TranslationDraft, VariantDraft};
use super::columns::{written_name, Field, Translated, TARIFF_PREFIX};

/// Shopify's columns written, in the order of Shopify's current template.
const SHOPIFY_COLUMNS: [Field; 24] = [
    Field::Title,
    Field::Handle,
    Field::Description,
    Field::Vendor,
    Field::ProductType,
    Field::Tags,
    Field::Status,
    Field::Sku,
    Field::Barcode,
    Field::Option1Name,
    Field::Option1Value,
    Field::Option2Name,
    Field::Option2Value,
    Field::Option3Name,
    Field::Option3Value,
    Field::Price,
    Field::CompareAtPrice,
    Field::WeightGrams,
    Field::ImageUrl,
    Field::ImagePosition,
    Field::ImageAlt,
    Field::VariantImageUrl,
    Field::SeoTitle,
    Field::SeoDescription,
];

/// Chuhai's trade columns, written when any variant has trade data.
const TRADE_COLUMNS: [Field; 9] = [
    Field::HsCode,
    Field::CountryOfOrigin,
    Field::NetWeightGrams,
    Field::LengthMm,
    Field::WidthMm,
    Field::HeightMm,
    Field::CustomsDescriptionEn,
    Field::CustomsDescriptionZh,
    Field::GoodsFlags,
];

#[derive(Clone, Copy)]
enum Column {
    Field(Field),
    Tariff(Country),
    Translated(Translated, Locale),
}

/// Writes `products` as a Shopify product CSV that [`parse_shopify_csv`]
/// reads back to the same drafts (with `default_locale` as the import's
/// default locale and any currency).
///
/// Columns: Shopify's current names for what Chuhai holds (`Title`,
/// `URL handle`, `Description`, … `SEO description`, in the order of
/// Shopify's template), then `Currency` (always: a price without its
/// currency is ambiguous), then Chuhai's trade columns if any variant has
/// trade data, `Tariff code / XX` per destination used, and `Title [de]`,
/// `Description [de]`, `SEO title [de]`, `SEO description [de]` per
/// non-default locale used. Columns Chuhai does not hold (inventory, tax,
/// channels) are left out rather than written empty, since Shopify
/// overwrites a field with an empty cell.
///
/// Rows: one per variant, with the product's fields on its first row and
/// image *n* on row *n*; extra images get rows of their own. A product
/// without options is written Shopify's way (`Option1 name` = `Title`,
/// `Option1 value` = `Default Title`).
///
/// Fails with `InvalidInput` if a product has no translation in
/// `default_locale` (its title would be missing), before writing anything.
///
/// [`parse_shopify_csv`]: super::parse_shopify_csv
pub fn write_shopify_csv<W: Write>(
    writer: W,
    products: &[ProductDraft],
    default_locale: &Locale,
) -> io::Result<()> {
    for product in products {
        if product.translation(default_locale).is_none() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "product {} has no translation in the default locale {default_locale}",
                    product.handle
                ),
            ));
        }
    }
    let columns = columns(products, default_locale);
    let mut csv = csv::Writer::from_writer(writer);
    csv.write_record(columns.iter().map(|c| match c {
        Column::Field(f) => written_name(*f).to_owned(),
        Column::Tariff(country) => format!("{TARIFF_PREFIX}{country}"),
        Column::Translated(which, locale) => format!("{} [{locale}]", which.name()),
    }))?;
    let mut record: Vec<String> = Vec::with_capacity(columns.len());
    for product in products {
        let rows = product.variants.len().max(product.media.len()).max(1);
        for row in 0..rows {
            record.clear();
            for column in &columns {
                record.push(cell(*column, product, row, default_locale));
            }
            csv.write_record(&record)?;
        }
    }
    csv.flush()?;
    Ok(())
}

fn columns(products: &[ProductDraft], default_locale: &Locale) -> Vec<Column> {
    let mut columns: Vec<Column> = SHOPIFY_COLUMNS.iter().map(|f| Column::Field(*f)).collect();
    columns.push(Column::Field(Field::Currency));
    let variants = || products.iter().flat_map(|p| &p.variants);
    let has_trade = variants().any(|v| {
        let t = &v.trade;
        t.hs_code.is_some()
            || t.country_of_origin.is_some()
            || t.net_weight_grams.is_some()
            || t.dimensions.is_some()
            || t.customs_description_en.is_some()
            || t.customs_description_zh.is_some()
            || t.goods_flags.any()
    });
    if has_trade {
        columns.extend(TRADE_COLUMNS.iter().map(|f| Column::Field(*f)));
    }
    let countries: BTreeSet<Country> = variants()
        .flat_map(|v| v.trade.tariff_codes.keys().copied())
        .collect();
    columns.extend(countries.into_iter().map(Column::Tariff));
    let locales: BTreeSet<Locale> = products
        .iter()
        .flat_map(|p| &p.translations)
        .map(|t| t.locale)
        .filter(|l| l != default_locale)
        .collect();
    for locale in locales {
        columns.extend(
            Translated::ALL
                .iter()
                .map(|w| Column::Translated(*w, locale)),
        );
    }
    columns
}

fn cell(column: Column, product: &ProductDraft, row: usize, default_locale: &Locale) -> String {
    let first = row == 0;
    let variant = product.variants.get(row);
    let image = product.media.get(row);
    let translated = |which: Translated, t: Option<&TranslationDraft>| -> String {
        let Some(t) = t.filter(|_| first) else {
            return String::new();
        };
        match which {
            Translated::Title => t.title.clone(),
            Translated::Description => t.description_html.as_str().to_owned(),
            Translated::SeoTitle => t.seo_title.clone().unwrap_or_default(),
            Translated::SeoDescription => t.seo_description.clone().unwrap_or_default(),
        }
    };
    let default = product.translation(default_locale);
    let no_options = product.option_names.is_empty();
    let option_name = |i: usize| -> String {
        if !first {
            String::new()
        } else if no_options && i == 0 {
            "Title".to_owned()
        } else {
            product.option_names.get(i).cloned().unwrap_or_default()
        }
    };
    let option_value = |i: usize| -> String {
        match variant {
            Some(_) if no_options && i == 0 => "Default Title".to_owned(),
            Some(v) => v.option_values.get(i).cloned().unwrap_or_default(),
            None => String::new(),
        }
    };
    let of_variant =
        |f: &dyn Fn(&VariantDraft) -> Option<String>| variant.and_then(f).unwrap_or_default();
    let product_text = |text: &Option<String>| {
        if first {
            text.clone().unwrap_or_default()
        } else {
            String::new()
        }
    };
    match column {
        Column::Field(field) => match field {
            Field::Handle => product.handle.as_str().to_owned(),
            Field::Title => translated(Translated::Title, default),
            Field::Description => translated(Translated::Description, default),
            Field::SeoTitle => translated(Translated::SeoTitle, default),
            Field::SeoDescription => translated(Translated::SeoDescription, default),
            Field::Vendor => product_text(&product.vendor),
            Field::ProductType => product_text(&product.product_type),
            Field::Tags if first => product.tags.join(", "),
            Field::Status if first => product.status.as_str().to_owned(),
            Field::Option1Name => option_name(0),
            Field::Option2Name => option_name(1),
            Field::Option3Name => option_name(2),
            Field::Option1Value => option_value(0),
            Field::Option2Value => option_value(1),
            Field::Option3Value => option_value(2),
            Field::Sku => of_variant(&|v| v.sku.as_ref().map(|s| s.to_string())),
            Field::Barcode => of_variant(&|v| v.gtin.map(|g| g.to_string())),
            Field::Price => of_variant(&|v| Some(v.price.to_major_string())),
            Field::Currency => of_variant(&|v| Some(v.price.currency().code().to_owned())),
            Field::CompareAtPrice => {
                of_variant(&|v| v.compare_at_price.map(|m| m.to_major_string()))
            }
            Field::WeightGrams => of_variant(&|v| v.weight_grams.map(|g| g.to_string())),
            Field::VariantImageUrl => of_variant(&|v| v.image_url.as_ref().map(|u| u.to_string())),
            Field::ImageUrl => image.map(|m| m.url.to_string()).unwrap_or_default(),
            Field::ImagePosition => image.map(|m| m.position.to_string()).unwrap_or_default(),
            Field::ImageAlt => image.and_then(|m| m.alt.clone()).unwrap_or_default(),
            Field::HsCode => of_variant(&|v| v.trade.hs_code.map(|c| c.to_string())),
            Field::CountryOfOrigin => {
                of_variant(&|v| v.trade.country_of_origin.map(|c| c.to_string()))
            }
            Field::NetWeightGrams => {
                of_variant(&|v| v.trade.net_weight_grams.map(|g| g.to_string()))
            }
            Field::LengthMm => {
                of_variant(&|v| v.trade.dimensions.map(|d| d.length_mm().to_string()))
            }
            Field::WidthMm => of_variant(&|v| v.trade.dimensions.map(|d| d.width_mm().to_string())),
            Field::HeightMm => {
                of_variant(&|v| v.trade.dimensions.map(|d| d.height_mm().to_string()))
            }
            Field::CustomsDescriptionEn => of_variant(&|v| v.trade.customs_description_en.clone()),
            Field::CustomsDescriptionZh => of_variant(&|v| v.trade.customs_description_zh.clone()),
            Field::GoodsFlags => of_variant(&|v| Some(v.trade.goods_flags.to_string())),
            Field::Tags | Field::Status => String::new(),
        },
        Column::Tariff(country) => {
            of_variant(&|v| v.trade.tariff_codes.get(&country).map(|c| c.to_string()))
        }
        Column::Translated(which, locale) => translated(which, product.translation(&locale)),
    }
}
