//! A product assembled from its rows: product fields from the first row,
//! images and variants from every row, and the product checks at the end.

use super::super::html::sanitize_description_html;
use super::super::identifiers::{MediaUrl, ProductHandle};
use super::super::locale::Locale;
use super::super::product::{
    DraftField, MediaDraft, ProductDraft, ProductStatus, TranslationDraft, VariantDraft,
};
use super::columns::{Field, Translated};
use super::header::{Header, Row, RowProblems};
use super::import::{ImportContext, RowError};

/// An image as read, before the gallery is ordered.
pub(super) struct PendingImage {
    /// The position as given, if any.
    position: Option<u32>,
    url: MediaUrl,
    alt: Option<String>,
    /// Where it was read: (row, line).
    at: (u64, u64),
}

/// A product being assembled from its rows.
pub(super) struct ProductBuilder {
    handle: ProductHandle,
    first_row: (u64, u64),
    /// The first row's product-level cells, in `Header::product_level` order.
    first_cells: Vec<String>,
    pub(super) failed: bool,
    status: ProductStatus,
    vendor: Option<String>,
    product_type: Option<String>,
    tags: Vec<String>,
    translations: Vec<TranslationDraft>,
    pub(super) option_names: Vec<String>,
    /// Images in file order.
    media: Vec<PendingImage>,
    pub(super) variants: Vec<VariantDraft>,
    pub(super) variant_rows: Vec<(u64, u64)>,
}

impl ProductBuilder {
    /// Starts a product from its first row, reading the product-level fields.
    pub(super) fn start(
        handle: ProductHandle,
        r: &Row<'_>,
        ctx: &ImportContext<'_>,
        problems: &mut RowProblems<'_>,
    ) -> ProductBuilder {
        let header = r.header;
        let status = match r.get(Field::Status) {
            "" => ProductStatus::Draft,
            text => ProductStatus::parse(text).unwrap_or_else(|| {
                problems.add(
                    header.name(Field::Status),
                    format!("status {text:?} must be active, draft or archived"),
                );
                ProductStatus::Draft
            }),
        };

        let title = r.get(Field::Title);
        if title.is_empty() {
            problems.add(
                header.name(Field::Title),
                "the title is required on the product's first row",
            );
        }
        let mut translations = vec![TranslationDraft {
            locale: ctx.default_locale,
            title: title.to_owned(),
            description_html: sanitize_description_html(
                header
                    .index(Field::Description)
                    .map_or("", |i| r.record.get(i).unwrap_or("")),
            ),
            seo_title: r.optional(Field::SeoTitle),
            seo_description: r.optional(Field::SeoDescription),
        }];
        for (locale, columns) in &header.translated {
            let cell = |which: Translated| columns[which as usize].map_or("", |i| r.cell(i));
            if Translated::ALL.iter().all(|w| cell(*w).is_empty()) {
                continue;
            }
            if cell(Translated::Title).is_empty() {
                problems.add(
                    header.translated_name(Translated::Title, *locale),
                    format!(
                        "a title in {locale} is required when other [{locale}] columns are filled"
                    ),
                );
            }
            let text = |which| Some(cell(which).to_owned()).filter(|t: &String| !t.is_empty());
            translations.push(TranslationDraft {
                locale: *locale,
                title: cell(Translated::Title).to_owned(),
                description_html: sanitize_description_html(cell(Translated::Description)),
                seo_title: text(Translated::SeoTitle),
                seo_description: text(Translated::SeoDescription),
            });
        }

        let mut option_names = Vec::new();
        let mut gap = None;
        for field in [Field::Option1Name, Field::Option2Name, Field::Option3Name] {
            match r.get(field) {
                "" => gap = gap.or(Some(field)),
                name => {
                    if let Some(missing) = gap {
                        problems.add(
                            header.name(field),
                            format!(
                                "{} is empty; fill option names from Option1 on",
                                header.name(missing)
                            ),
                        );
                    }
                    option_names.push(name.to_owned());
                }
            }
        }

        let mut tags: Vec<String> = Vec::new();
        for tag in r
            .get(Field::Tags)
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            if !tags.iter().any(|t| t.to_lowercase() == tag.to_lowercase()) {
                tags.push(tag.to_owned());
            }
        }

        ProductBuilder {
            handle,
            first_row: (r.row, r.line),
            first_cells: header
                .product_level
                .iter()
                .map(|i| r.cell(*i).to_owned())
                .collect(),
            failed: false,
            status,
            vendor: r.optional(Field::Vendor),
            product_type: r.optional(Field::ProductType),
            tags,
            translations,
            option_names,
            media: Vec::new(),
            variants: Vec::new(),
            variant_rows: Vec::new(),
        }
    }

    /// A later row of the product may leave product-level cells empty or
    /// repeat them; a different value is a mistake (Shopify would ignore it).
    pub(super) fn check_continuation(&self, r: &Row<'_>, problems: &mut RowProblems<'_>) {
        for (k, &index) in r.header.product_level.iter().enumerate() {
            let cell = r.cell(index);
            if !cell.is_empty() && cell != self.first_cells[k] {
                problems.add(
                    r.header.names[index].clone(),
                    format!(
                        "differs from the product's first row (row {}); product fields belong on the first row of the handle {}",
                        self.first_row.0, self.handle
                    ),
                );
            }
        }
    }

    pub(super) fn add_image(&mut self, r: &Row<'_>, problems: &mut RowProblems<'_>) {
        let header = r.header;
        let url = r.get(Field::ImageUrl);
        let position = r.get(Field::ImagePosition);
        let alt = r.get(Field::ImageAlt);
        if url.is_empty() {
            for (field, text) in [(Field::ImagePosition, position), (Field::ImageAlt, alt)] {
                if !text.is_empty() {
                    problems.add(
                        header.name(field),
                        format!("is filled but {} is empty", header.name(Field::ImageUrl)),
                    );
                }
            }
            return;
        }
        let url = match MediaUrl::parse(url) {
            Ok(url) => url,
            Err(e) => {
                problems.add(header.name(Field::ImageUrl), e.reason);
                return;
            }
        };
        let position = match position {
            "" => None,
            text => match text.parse::<u32>() {
                Ok(p) if p >= 1 => Some(p),
                _ => {
                    problems.add(
                        header.name(Field::ImagePosition),
                        format!("position {text:?} must be a whole number from 1"),
                    );
                    None
                }
            },
        };
        let alt = (!alt.is_empty()).then(|| alt.to_owned());
        self.media.push(PendingImage {
            position,
            url,
            alt,
            at: (r.row, r.line),
        });
    }

    /// The finished draft, or `None` (with errors added) if the product has
    /// a problem anywhere.
    pub(super) fn finish(
        mut self,
        header: &Header,
        ctx: &ImportContext<'_>,
        errors: &mut Vec<RowError>,
    ) -> Option<ProductDraft> {
        if self.failed {
            return None;
        }
        // Shopify's convention for a product without options.
        if self.option_names.len() == 1
            && self.option_names[0].eq_ignore_ascii_case("Title")
            && self
                .variants
                .iter()
                .all(|v| v.option_values.len() == 1 && v.option_values[0] == "Default Title")
        {
            self.option_names.clear();
            for v in &mut self.variants {
                v.option_values.clear();
            }
        }
        // Gallery order: by position as given, then file order; numbered 1…n.
        self.media
            .sort_by_key(|image| image.position.unwrap_or(u32::MAX));
        let mut media: Vec<MediaDraft> = Vec::with_capacity(self.media.len());
        let mut media_rows = Vec::with_capacity(self.media.len());
        for image in self.media {
            if media.iter().any(|m| m.url == image.url) {
                continue;
            }
            media.push(MediaDraft {
                url: image.url,
                position: media.len() as u32 + 1,
                alt: image.alt,
            });
            media_rows.push(image.at);
        }
        let draft = ProductDraft {
            handle: self.handle,
            status: self.status,
            vendor: self.vendor,
            product_type: self.product_type,
            tags: self.tags,
            translations: self.translations,
            media,
            option_names: self.option_names,
            variants: self.variants,
        };
        let problems = draft.problems();
        if problems.is_empty() {
            return Some(draft);
        }
        for problem in problems {
            let (row, line) = match (problem.variant, problem.field) {
                (Some(v), _) => self.variant_rows[v],
                (None, DraftField::Media(i)) => media_rows[i],
                (None, _) => self.first_row,
            };
            let localised = |which: Translated, locale: Locale| {
                if locale == ctx.default_locale {
                    header.name(match which {
                        Translated::Title => Field::Title,
                        Translated::Description => Field::Description,
                        Translated::SeoTitle => Field::SeoTitle,
                        Translated::SeoDescription => Field::SeoDescription,
                    })
                } else {
                    header.translated_name(which, locale)
                }
            };
            let column = match problem.field {
                DraftField::Vendor => header.name(Field::Vendor),
                DraftField::ProductType => header.name(Field::ProductType),
                DraftField::Tags => header.name(Field::Tags),
                DraftField::Translations => header.name(Field::Title),
                DraftField::Title(l) => localised(Translated::Title, l),
                DraftField::SeoTitle(l) => localised(Translated::SeoTitle, l),
                DraftField::SeoDescription(l) => localised(Translated::SeoDescription, l),
                DraftField::Media(_) => header.name(Field::ImageUrl),
                DraftField::OptionNames => header.name(Field::Option1Name),
                DraftField::Variants => header.name(Field::Price),
                DraftField::OptionValues => header.name(Field::Option1Value),
                DraftField::Sku => header.name(Field::Sku),
                DraftField::Price => header.name(Field::Price),
                DraftField::CompareAtPrice => header.name(Field::CompareAtPrice),
                DraftField::WeightGrams => header.name(Field::WeightGrams),
                DraftField::HsCode => header.name(Field::HsCode),
                DraftField::TariffCode(c) => header.tariff_name(c),
                DraftField::NetWeightGrams => header.name(Field::NetWeightGrams),
                DraftField::CustomsDescriptionEn => header.name(Field::CustomsDescriptionEn),
                DraftField::CustomsDescriptionZh => header.name(Field::CustomsDescriptionZh),
            };
            errors.push(RowError {
                row,
                line,
                column,
                reason: format!("{} (product {})", problem.reason, draft.handle),
            });
        }
        None
    }
}
