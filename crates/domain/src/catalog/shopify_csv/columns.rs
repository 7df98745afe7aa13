//! Which header names mean which field, for both generations of Shopify's
//! product CSV and Chuhai's extra columns.

use crate::country::Country;

use super::super::locale::Locale;

/// A field the importer reads and the exporter writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Field {
    Handle,
    Title,
    Description,
    Vendor,
    ProductType,
    Tags,
    Status,
    Option1Name,
    Option1Value,
    Option2Name,
    Option2Value,
    Option3Name,
    Option3Value,
    Sku,
    Barcode,
    Price,
    CompareAtPrice,
    WeightGrams,
    ImageUrl,
    ImagePosition,
    ImageAlt,
    VariantImageUrl,
    SeoTitle,
    SeoDescription,
    Currency,
    HsCode,
    CountryOfOrigin,
    NetWeightGrams,
    LengthMm,
    WidthMm,
    HeightMm,
    CustomsDescriptionEn,
    CustomsDescriptionZh,
    GoodsFlags,
}

/// Every field with the name the exporter writes (the newer Shopify header,
/// or Chuhai's name) and the other names the importer accepts.
pub(crate) const FIELDS: [(Field, &str, &[&str]); 34] = [
    (Field::Handle, "URL handle", &["Handle"]),
    (Field::Title, "Title", &[]),
    (Field::Description, "Description", &["Body (HTML)"]),
    (Field::Vendor, "Vendor", &[]),
    (Field::ProductType, "Type", &["Custom Product Type"]),
    (Field::Tags, "Tags", &[]),
    (Field::Status, "Status", &[]),
    (Field::Option1Name, "Option1 name", &[]),
    (Field::Option1Value, "Option1 value", &[]),
    (Field::Option2Name, "Option2 name", &[]),
    (Field::Option2Value, "Option2 value", &[]),
    (Field::Option3Name, "Option3 name", &[]),
    (Field::Option3Value, "Option3 value", &[]),
    (Field::Sku, "SKU", &["Variant SKU"]),
    (Field::Barcode, "Barcode", &["Variant Barcode"]),
    (Field::Price, "Price", &["Variant Price"]),
    (
        Field::CompareAtPrice,
        "Compare-at price",
        &["Variant Compare At Price"],
    ),
    (
        Field::WeightGrams,
        "Weight value (grams)",
        &["Variant Grams"],
    ),
    (Field::ImageUrl, "Product image URL", &["Image Src"]),
    (Field::ImagePosition, "Image position", &[]),
    (Field::ImageAlt, "Image alt text", &[]),
    (
        Field::VariantImageUrl,
        "Variant image URL",
        &["Variant Image"],
    ),
    (Field::SeoTitle, "SEO title", &[]),
    (Field::SeoDescription, "SEO description", &[]),
    // Chuhai's columns; the second names are the ones Shopify apps
    // (Matrixify) use for the same data.
    (Field::Currency, "Currency", &[]),
    (Field::HsCode, "HS code", &["Variant HS Code"]),
    (
        Field::CountryOfOrigin,
        "Country of origin",
        &["Variant Country of Origin"],
    ),
    (Field::NetWeightGrams, "Net weight (grams)", &[]),
    (Field::LengthMm, "Length (mm)", &[]),
    (Field::WidthMm, "Width (mm)", &[]),
    (Field::HeightMm, "Height (mm)", &[]),
    (Field::CustomsDescriptionEn, "Customs description (en)", &[]),
    (Field::CustomsDescriptionZh, "Customs description (zh)", &[]),
    (Field::GoodsFlags, "Goods flags", &[]),
];

/// Shopify columns recognised but not stored by Chuhai (channels, tax,
/// inventory, which Chuhai keeps elsewhere), in both generations.
pub(crate) const IGNORED: [&str; 30] = [
    "Product category",
    "Standard Product Type",
    "Published",
    "Published on online store",
    "Published Scope",
    "Option1 Linked To",
    "Option2 Linked To",
    "Option3 Linked To",
    "Cost per item",
    "Charge tax",
    "Variant Taxable",
    "Tax code",
    "Variant Tax Code",
    "Unit price total measure",
    "Unit price total measure unit",
    "Unit price base measure",
    "Unit price base measure unit",
    "Inventory tracker",
    "Variant Inventory Tracker",
    "Inventory quantity",
    "Variant Inventory Qty",
    "Continue selling when out of stock",
    "Variant Inventory Policy",
    "Weight unit for display",
    "Variant Weight Unit",
    "Requires shipping",
    "Variant Requires Shipping",
    "Fulfillment service",
    "Variant Fulfillment Service",
    "Gift card",
];

/// Prefixes of recognised, ignored column families: Google Shopping
/// fields, per-market prices and inclusion (Shopify Markets).
const IGNORED_PREFIXES: [&str; 5] = [
    "google shopping / ",
    "price / ",
    "compare-at price / ",
    "compare at price / ",
    "included / ",
];

/// The prefix of Chuhai's per-destination tariff columns, e.g. `Tariff code / US`.
pub(crate) const TARIFF_PREFIX: &str = "Tariff code / ";

/// Translatable product fields, written as `Title [de]` for locales other
/// than the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Translated {
    Title,
    Description,
    SeoTitle,
    SeoDescription,
}

impl Translated {
    pub(crate) const ALL: [Translated; 4] = [
        Translated::Title,
        Translated::Description,
        Translated::SeoTitle,
        Translated::SeoDescription,
    ];

    /// The base name written (`Title`, `Description`, `SEO title`, `SEO description`).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Translated::Title => "Title",
            Translated::Description => "Description",
            Translated::SeoTitle => "SEO title",
            Translated::SeoDescription => "SEO description",
        }
    }

    fn from_base(base: &str) -> Option<Translated> {
        match base {
            "title" => Some(Translated::Title),
            "description" | "body (html)" => Some(Translated::Description),
            "seo title" => Some(Translated::SeoTitle),
            "seo description" => Some(Translated::SeoDescription),
            _ => None,
        }
    }
}

/// What one header cell means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Column {
    Field(Field),
    TariffCode(Country),
    Translated(Translated, Locale),
    Ignored,
}

/// Why a header name was refused.
pub(crate) enum HeaderProblem {
    Unknown,
    Reason(String),
}

/// Reads one header name. Names are matched ignoring case and surrounding
/// blanks.
pub(crate) fn classify(name: &str) -> Result<Column, HeaderProblem> {
    let key = name.trim().to_lowercase();
    if key.is_empty() {
        return Err(HeaderProblem::Reason(
            "a column has no name (a trailing comma in the header?)".to_owned(),
        ));
    }
    for (field, written, others) in FIELDS {
        if written.eq_ignore_ascii_case(&key) || others.iter().any(|o| o.eq_ignore_ascii_case(&key))
        {
            return Ok(Column::Field(field));
        }
    }
    if IGNORED.iter().any(|i| i.eq_ignore_ascii_case(&key))
        || IGNORED_PREFIXES.iter().any(|p| key.starts_with(p))
        || is_metafield(&key)
    {
        return Ok(Column::Ignored);
    }
    if let Some(code) = key.strip_prefix(&TARIFF_PREFIX.to_lowercase()) {
        return Country::from_alpha2(code.trim())
            .map(Column::TariffCode)
            .map_err(|e| HeaderProblem::Reason(format!("{e}; write e.g. \"Tariff code / US\"")));
    }
    if let Some(open) = key.rfind(" [") {
        if let (Some(field), Some(tag)) = (
            Translated::from_base(&key[..open]),
            key[open + 2..].strip_suffix(']'),
        ) {
            return Locale::parse(tag)
                .map(|locale| Column::Translated(field, locale))
                .map_err(|e| HeaderProblem::Reason(e.to_string()));
        }
    }
    Err(HeaderProblem::Unknown)
}

/// Shopify's metafield columns: `Label (product.metafields.namespace.key)`.
fn is_metafield(key: &str) -> bool {
    key.ends_with(')')
        && (key.contains("(product.metafields.") || key.contains("(variant.metafields."))
}

/// The name the exporter writes for a field.
pub(crate) fn written_name(field: Field) -> &'static str {
    FIELDS
        .iter()
        .find(|(f, _, _)| *f == field)
        .map(|(_, name, _)| *name)
        .expect("every field is in FIELDS")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_listed_in_discriminant_order() {
        // `Header` indexes its column table by `field as usize`.
        for (index, (field, _, _)) in FIELDS.iter().enumerate() {
            assert_eq!(*field as usize, index, "{field:?}");
        }
        for (index, which) in Translated::ALL.iter().enumerate() {
            assert_eq!(*which as usize, index);
        }
    }

    #[test]
    fn every_written_name_reads_back_as_its_field() {
        for (field, written, others) in FIELDS {
            for name in std::iter::once(written).chain(others.iter().copied()) {
                assert!(
                    matches!(classify(name), Ok(Column::Field(f)) if f == field),
                    "{name}"
                );
            }
        }
        for name in IGNORED {
            assert!(matches!(classify(name), Ok(Column::Ignored)), "{name}");
        }
    }
}
