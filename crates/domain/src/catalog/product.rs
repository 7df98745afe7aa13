//! A product as an importer or an API request proposes it (`ProductDraft`)
//! and the rules a whole product must keep (`ProductDraft::problems`).
//!
//! The drafts are plain structs with public fields: each field is already a
//! checked value ([`Sku`], [`Gtin`], [`Money`], [`SanitizedHtml`]…), and the
//! rules that tie fields together (one variant per option combination, a
//! tariff line under its HS code…) are checked by
//! [`ProductDraft::problems`] before the store persists a draft.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use super::gtin::Gtin;
use super::hs::{HsCode, TariffCode};
use super::html::SanitizedHtml;
use super::identifiers::{MediaUrl, ProductHandle, Sku};
use super::locale::Locale;
use super::physical::{Dimensions, GoodsFlags};
use crate::country::Country;
use crate::money::Money;

/// Whether a product can be seen and bought.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProductStatus {
    /// Being prepared; not shown to buyers.
    #[default]
    Draft,
    /// Shown and sold.
    Active,
    /// Kept for history (orders refer to it); not shown or sold.
    Archived,
}

impl ProductStatus {
    /// `"draft"`, `"active"` or `"archived"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ProductStatus::Draft => "draft",
            ProductStatus::Active => "active",
            ProductStatus::Archived => "archived",
        }
    }

    /// Parses `draft`, `active` or `archived`, in any case.
    pub fn parse(text: &str) -> Option<ProductStatus> {
        [
            ProductStatus::Draft,
            ProductStatus::Active,
            ProductStatus::Archived,
        ]
        .into_iter()
        .find(|s| s.as_str().eq_ignore_ascii_case(text))
    }
}

impl fmt::Display for ProductStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A product's content in one locale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranslationDraft {
    /// The locale of this content, e.g. `de-CH`.
    pub locale: Locale,
    /// The product title, 1–255 characters.
    pub title: String,
    /// The description, sanitised HTML (may be empty).
    pub description_html: SanitizedHtml,
    /// The page title for search engines, at most 255 characters.
    pub seo_title: Option<String>,
    /// The meta description for search engines, at most 320 characters.
    pub seo_description: Option<String>,
}

/// An image (or other media) of a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaDraft {
    /// Where it lives.
    pub url: MediaUrl,
    /// Its place in the gallery, 1-based, unique within the product.
    pub position: u32,
    /// The alternative text, at most 512 characters.
    pub alt: Option<String>,
}

/// What customs and carriers need to know about a variant. All optional
/// while a product is a draft; a declaration asks for what it needs.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TradeData {
    /// The 6-digit HS subheading.
    pub hs_code: Option<HsCode>,
    /// National tariff lines (8–10 digits) by destination country; each
    /// must start with `hs_code`.
    pub tariff_codes: BTreeMap<Country, TariffCode>,
    /// Where the goods were made (rules of origin decide; not where they ship from).
    pub country_of_origin: Option<Country>,
    /// Weight of the goods without packaging, grams. The gross (shipping)
    /// weight is [`VariantDraft::weight_grams`].
    pub net_weight_grams: Option<u32>,
    /// Outer size of the packed variant, for volumetric weight.
    pub dimensions: Option<Dimensions>,
    /// Plain description for customs forms in English, at most 255 characters.
    pub customs_description_en: Option<String>,
    /// The same in Chinese (for China export declarations), at most 255 characters.
    pub customs_description_zh: Option<String>,
    /// Goods that limit shipping.
    pub goods_flags: GoodsFlags,
}

/// One buyable version of a product (a colour and size, say).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantDraft {
    /// The seller's SKU, unique within the product (the store checks the tenant).
    pub sku: Option<Sku>,
    /// One value per [`ProductDraft::option_names`] entry, in the same order.
    pub option_values: Vec<String>,
    /// The barcode.
    pub gtin: Option<Gtin>,
    /// The base selling price (markets may convert or override it); above zero.
    pub price: Money,
    /// The "was" price shown struck through; above zero, same currency as `price`.
    pub compare_at_price: Option<Money>,
    /// Shipping (gross) weight with packaging, grams (Shopify's "grams").
    pub weight_grams: Option<u32>,
    /// The image shown when this variant is chosen.
    pub image_url: Option<MediaUrl>,
    /// Customs and carrier data.
    pub trade: TradeData,
}

/// A product as proposed by an importer or a request, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductDraft {
    /// The URL name, unique within a shop (the store checks).
    pub handle: ProductHandle,
    /// Draft, active or archived.
    pub status: ProductStatus,
    /// The brand or maker, at most 255 characters.
    pub vendor: Option<String>,
    /// The seller's own product type, at most 255 characters.
    pub product_type: Option<String>,
    /// Tags, each 1–255 characters without commas, unique ignoring case, at most 250.
    pub tags: Vec<String>,
    /// Content per locale; at least one, one per locale.
    pub translations: Vec<TranslationDraft>,
    /// Images in gallery order.
    pub media: Vec<MediaDraft>,
    /// Up to three option names (`Colour`, `Size`); empty for a product
    /// with a single variant and no options.
    pub option_names: Vec<String>,
    /// At least one variant, at most [`ProductDraft::MAX_VARIANTS`].
    pub variants: Vec<VariantDraft>,
}

/// The part of a draft a [`DraftProblem`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DraftField {
    Vendor,
    ProductType,
    Tags,
    Translations,
    Title(Locale),
    SeoTitle(Locale),
    SeoDescription(Locale),
    /// A media item, by index in `media`.
    Media(usize),
    OptionNames,
    Variants,
    OptionValues,
    Sku,
    Price,
    CompareAtPrice,
    WeightGrams,
    HsCode,
    TariffCode(Country),
    NetWeightGrams,
    CustomsDescriptionEn,
    CustomsDescriptionZh,
}

/// A broken rule in a draft: which variant (if any), which field, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftProblem {
    /// The index in `variants` for variant fields, `None` for product fields.
    pub variant: Option<usize>,
    /// The field.
    pub field: DraftField,
    /// What is wrong, in English.
    pub reason: String,
}

impl fmt::Display for DraftProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(v) = self.variant {
            write!(f, "variants[{v}].")?;
        }
        write!(f, "{:?}: {}", self.field, self.reason)
    }
}

const MAX_TEXT_CHARS: usize = 255;
const MAX_SEO_DESCRIPTION_CHARS: usize = 320;
const MAX_ALT_CHARS: usize = 512;
const MAX_TAGS: usize = 250;

impl ProductDraft {
    /// Most options per product (Shopify's limit).
    pub const MAX_OPTIONS: usize = 3;
    /// Most variants per product (Shopify's current limit).
    pub const MAX_VARIANTS: usize = 2048;

    /// Every broken rule, in field order; empty when the draft may be stored.
    ///
    /// Checks what single fields cannot: counts and lengths, one translation
    /// per locale, option values matching option names, unique option
    /// combinations and SKUs, prices above zero with the compare-at price in
    /// the same currency, net weight not above gross, tariff lines under the
    /// HS code. Whether the HS code exists is the importer's check (it needs
    /// the nomenclature).
    pub fn problems(&self) -> Vec<DraftProblem> {
        let mut out = Vec::new();
        let mut product = |field, reason: String| {
            out.push(DraftProblem {
                variant: None,
                field,
                reason,
            })
        };
        check_len(
            &mut product,
            DraftField::Vendor,
            self.vendor.as_deref(),
            MAX_TEXT_CHARS,
        );
        check_len(
            &mut product,
            DraftField::ProductType,
            self.product_type.as_deref(),
            MAX_TEXT_CHARS,
        );

        if self.tags.len() > MAX_TAGS {
            product(
                DraftField::Tags,
                format!("{} tags; at most {MAX_TAGS}", self.tags.len()),
            );
        }
        let mut seen_tags = HashSet::new();
        for tag in &self.tags {
            if tag.trim().is_empty() || tag.chars().count() > MAX_TEXT_CHARS {
                product(
                    DraftField::Tags,
                    format!("tag {tag:?} must be 1 to {MAX_TEXT_CHARS} characters"),
                );
            } else if tag.contains(',') {
                product(
                    DraftField::Tags,
                    format!("tag {tag:?} must not contain a comma (tags are separated by commas)"),
                );
            } else if !seen_tags.insert(tag.to_lowercase()) {
                product(DraftField::Tags, format!("tag {tag:?} appears twice"));
            }
        }

        if self.translations.is_empty() {
            product(DraftField::Translations, "a title is required".to_owned());
        }
        let mut locales = HashSet::new();
        for t in &self.translations {
            if !locales.insert(t.locale) {
                product(
                    DraftField::Translations,
                    format!("two translations for {}", t.locale),
                );
            }
            if t.title.trim().is_empty() {
                product(
                    DraftField::Title(t.locale),
                    "the title must not be empty".to_owned(),
                );
            }
            check_len(
                &mut product,
                DraftField::Title(t.locale),
                Some(&t.title),
                MAX_TEXT_CHARS,
            );
            check_len(
                &mut product,
                DraftField::SeoTitle(t.locale),
                t.seo_title.as_deref(),
                MAX_TEXT_CHARS,
            );
            check_len(
                &mut product,
                DraftField::SeoDescription(t.locale),
                t.seo_description.as_deref(),
                MAX_SEO_DESCRIPTION_CHARS,
            );
        }

        let mut positions = HashSet::new();
        for (i, m) in self.media.iter().enumerate() {
            if m.position == 0 || !positions.insert(m.position) {
                product(
                    DraftField::Media(i),
                    format!("position {} must be unique and at least 1", m.position),
                );
            }
            check_len(
                &mut product,
                DraftField::Media(i),
                m.alt.as_deref(),
                MAX_ALT_CHARS,
            );
        }

        if self.option_names.len() > Self::MAX_OPTIONS {
            product(
                DraftField::OptionNames,
                format!(
                    "{} options; at most {}",
                    self.option_names.len(),
                    Self::MAX_OPTIONS
                ),
            );
        }
        let mut names = HashSet::new();
        for name in &self.option_names {
            if name.trim().is_empty() || name.chars().count() > MAX_TEXT_CHARS {
                product(
                    DraftField::OptionNames,
                    format!("option name {name:?} must be 1 to {MAX_TEXT_CHARS} characters"),
                );
            } else if !names.insert(name.to_lowercase()) {
                product(
                    DraftField::OptionNames,
                    format!("option {name:?} appears twice"),
                );
            }
        }

        if self.variants.is_empty() {
            product(
                DraftField::Variants,
                "at least one variant (with a price) is required".to_owned(),
            );
        }
        if self.variants.len() > Self::MAX_VARIANTS {
            product(
                DraftField::Variants,
                format!(
                    "{} variants; at most {}",
                    self.variants.len(),
                    Self::MAX_VARIANTS
                ),
            );
        }

        let mut combinations = HashSet::new();
        let mut skus = HashSet::new();
        for (index, variant) in self.variants.iter().enumerate() {
            let mut problem = |field, reason: String| {
                out.push(DraftProblem {
                    variant: Some(index),
                    field,
                    reason,
                })
            };
            if variant.option_values.len() != self.option_names.len() {
                problem(
                    DraftField::OptionValues,
                    format!(
                        "{} option values for {} options ({})",
                        variant.option_values.len(),
                        self.option_names.len(),
                        self.option_names.join(", ")
                    ),
                );
            } else if variant
                .option_values
                .iter()
                .any(|v| v.trim().is_empty() || v.chars().count() > MAX_TEXT_CHARS)
            {
                problem(
                    DraftField::OptionValues,
                    format!("option values must be 1 to {MAX_TEXT_CHARS} characters"),
                );
            } else {
                let key: Vec<String> = variant
                    .option_values
                    .iter()
                    .map(|v| v.to_lowercase())
                    .collect();
                if !combinations.insert(key) {
                    problem(
                        DraftField::OptionValues,
                        format!(
                            "another variant already has the options {}",
                            variant.option_values.join(" / ")
                        ),
                    );
                }
            }
            if let Some(sku) = &variant.sku {
                if !skus.insert(sku) {
                    problem(
                        DraftField::Sku,
                        format!("SKU {sku} is used by another variant of this product"),
                    );
                }
            }
            if !variant.price.is_positive() {
                problem(
                    DraftField::Price,
                    format!("price {} must be greater than zero", variant.price),
                );
            }
            if let Some(compare_at) = variant.compare_at_price {
                if compare_at.currency() != variant.price.currency() {
                    problem(
                        DraftField::CompareAtPrice,
                        format!(
                            "compare-at price {compare_at} is not in the price's currency {}",
                            variant.price.currency()
                        ),
                    );
                } else if !compare_at.is_positive() {
                    problem(
                        DraftField::CompareAtPrice,
                        format!("compare-at price {compare_at} must be greater than zero"),
                    );
                }
            }
            let trade = &variant.trade;
            if let (Some(net), Some(gross)) = (trade.net_weight_grams, variant.weight_grams) {
                if net > gross {
                    problem(
                        DraftField::NetWeightGrams,
                        format!(
                            "net weight {net} g is more than the gross (shipping) weight {gross} g"
                        ),
                    );
                }
            }
            for (country, tariff) in &trade.tariff_codes {
                match trade.hs_code {
                    None => problem(
                        DraftField::TariffCode(*country),
                        format!("tariff code {tariff} for {country} needs the variant's HS code too"),
                    ),
                    Some(hs) if tariff.hs_code() != hs => problem(
                        DraftField::TariffCode(*country),
                        format!("tariff code {tariff} for {country} does not start with the HS code {hs}"),
                    ),
                    Some(_) => {}
                }
            }
            for (field, text) in [
                (
                    DraftField::CustomsDescriptionEn,
                    &trade.customs_description_en,
                ),
                (
                    DraftField::CustomsDescriptionZh,
                    &trade.customs_description_zh,
                ),
            ] {
                if let Some(text) = text {
                    if text.trim().is_empty() || text.chars().count() > MAX_TEXT_CHARS {
                        problem(field, format!("must be 1 to {MAX_TEXT_CHARS} characters"));
                    }
                }
            }
        }
        out
    }

    /// The translation for `locale`, if there is one.
    pub fn translation(&self, locale: &Locale) -> Option<&TranslationDraft> {
        self.translations.iter().find(|t| t.locale == *locale)
    }
}

fn check_len(
    report: &mut impl FnMut(DraftField, String),
    field: DraftField,
    text: Option<&str>,
    max: usize,
) {
    if let Some(text) = text {
        let n = text.chars().count();
        if n > max {
            report(field, format!("{n} characters; at most {max}"));
        }
    }
}
