//! The header of an import: which column holds which field, and one row
//! read through it.

use std::collections::HashMap;

use crate::country::Country;

use super::super::locale::Locale;
use super::columns::{classify, written_name, Column, Field, HeaderProblem, Translated, FIELDS};
use super::import::{ImportContext, RowError, WHOLE_ROW};

/// The header: which column holds which field.
pub(super) struct Header {
    pub(super) names: Vec<String>,
    /// Column index per [`Field`] (indexed by the field's discriminant).
    pub(super) fields: [Option<usize>; FIELDS.len()],
    pub(super) tariffs: Vec<(Country, usize)>,
    /// Translated columns per non-default locale, in header order.
    pub(super) translated: Vec<(Locale, [Option<usize>; 4])>,
    /// Columns whose value belongs to the product (its first row).
    pub(super) product_level: Vec<usize>,
    pub(super) ignored: Vec<String>,
}

const PRODUCT_FIELDS: [Field; 11] = [
    Field::Title,
    Field::Description,
    Field::Vendor,
    Field::ProductType,
    Field::Tags,
    Field::Status,
    Field::Option1Name,
    Field::Option2Name,
    Field::Option3Name,
    Field::SeoTitle,
    Field::SeoDescription,
];

/// Fields whose presence makes a row describe a variant.
pub(super) const VARIANT_FIELDS: [Field; 17] = [
    Field::Option1Value,
    Field::Option2Value,
    Field::Option3Value,
    Field::Sku,
    Field::Barcode,
    Field::Price,
    Field::CompareAtPrice,
    Field::WeightGrams,
    Field::VariantImageUrl,
    Field::HsCode,
    Field::CountryOfOrigin,
    Field::NetWeightGrams,
    Field::LengthMm,
    Field::WidthMm,
    Field::HeightMm,
    Field::CustomsDescriptionEn,
    Field::CustomsDescriptionZh,
];

impl Header {
    pub(super) fn read(
        record: &csv::StringRecord,
        ctx: &ImportContext<'_>,
    ) -> Result<Header, Vec<RowError>> {
        let mut header = Header {
            names: Vec::with_capacity(record.len()),
            fields: [None; FIELDS.len()],
            tariffs: Vec::new(),
            translated: Vec::new(),
            product_level: Vec::new(),
            ignored: Vec::new(),
        };
        let mut errors = Vec::new();
        let mut error = |column: &str, reason: String| {
            errors.push(RowError {
                row: 1,
                line: 1,
                column: column.to_owned(),
                reason,
            })
        };
        let mut seen: HashMap<Column, usize> = HashMap::new();
        for (index, name) in record.iter().enumerate() {
            let name = if index == 0 {
                name.trim_start_matches('\u{feff}')
            } else {
                name
            };
            header.names.push(name.to_owned());
            let column = match classify(name) {
                Ok(column) => column,
                Err(HeaderProblem::Unknown) => {
                    error(
                        name,
                        "unknown column; see the list of accepted Shopify and Chuhai columns, or remove it".to_owned(),
                    );
                    continue;
                }
                Err(HeaderProblem::Reason(reason)) => {
                    error(name, reason);
                    continue;
                }
            };
            if column == Column::Ignored {
                header.ignored.push(name.to_owned());
                continue;
            }
            if let Some(&first) = seen.get(&column) {
                error(
                    name,
                    format!(
                        "duplicate column: {:?} (column {}) already holds this data",
                        header.names[first],
                        first + 1
                    ),
                );
                continue;
            }
            seen.insert(column, index);
            match column {
                Column::Field(field) => header.fields[field as usize] = Some(index),
                Column::TariffCode(country) => header.tariffs.push((country, index)),
                Column::Translated(_, locale) if locale == ctx.default_locale => error(
                    name,
                    format!(
                        "{locale} is the default locale: use the column without \"[{locale}]\""
                    ),
                ),
                Column::Translated(which, locale) => {
                    let slot = which as usize;
                    match header.translated.iter_mut().find(|(l, _)| *l == locale) {
                        Some((_, columns)) => columns[slot] = Some(index),
                        None => {
                            let mut columns = [None; 4];
                            columns[slot] = Some(index);
                            header.translated.push((locale, columns));
                        }
                    }
                    header.product_level.push(index);
                }
                Column::Ignored => {}
            }
        }
        if header.fields[Field::Handle as usize].is_none()
            && header.fields[Field::Title as usize].is_none()
        {
            error(
                WHOLE_ROW,
                "the header needs a \"URL handle\" (or \"Handle\") column".to_owned(),
            );
        }
        if header.fields[Field::Price as usize].is_none() {
            error(
                WHOLE_ROW,
                "the header needs a \"Price\" (or \"Variant Price\") column".to_owned(),
            );
        }
        for field in PRODUCT_FIELDS {
            if let Some(index) = header.fields[field as usize] {
                header.product_level.push(index);
            }
        }
        if errors.is_empty() {
            Ok(header)
        } else {
            Err(errors)
        }
    }

    pub(super) fn index(&self, field: Field) -> Option<usize> {
        self.fields[field as usize]
    }

    /// The column's name as the file writes it, or Chuhai's name if absent.
    pub(super) fn name(&self, field: Field) -> String {
        match self.index(field) {
            Some(i) => self.names[i].clone(),
            None => written_name(field).to_owned(),
        }
    }

    pub(super) fn translated_name(&self, which: Translated, locale: Locale) -> String {
        self.translated
            .iter()
            .find(|(l, _)| *l == locale)
            .and_then(|(_, columns)| columns[which as usize])
            .map_or_else(
                || format!("{} [{locale}]", which.name()),
                |i| self.names[i].clone(),
            )
    }

    pub(super) fn tariff_name(&self, country: Country) -> String {
        self.tariffs
            .iter()
            .find(|(c, _)| *c == country)
            .map_or_else(
                || format!("Tariff code / {country}"),
                |(_, i)| self.names[*i].clone(),
            )
    }
}

/// One record with its header.
pub(super) struct Row<'r> {
    pub(super) record: &'r csv::StringRecord,
    pub(super) header: &'r Header,
    pub(super) row: u64,
    pub(super) line: u64,
}

impl<'r> Row<'r> {
    /// The cell of `field`, trimmed; empty if the column is absent.
    pub(super) fn get(&self, field: Field) -> &'r str {
        self.header.index(field).map_or("", |i| self.cell(i))
    }

    pub(super) fn cell(&self, index: usize) -> &'r str {
        self.record.get(index).unwrap_or("").trim()
    }

    pub(super) fn optional(&self, field: Field) -> Option<String> {
        let text = self.get(field);
        (!text.is_empty()).then(|| text.to_owned())
    }
}

/// Problems of one row, reported together.
pub(super) struct RowProblems<'e> {
    pub(super) errors: &'e mut Vec<RowError>,
    pub(super) row: u64,
    pub(super) line: u64,
    pub(super) found: bool,
}

impl RowProblems<'_> {
    pub(super) fn add(&mut self, column: String, reason: impl Into<String>) {
        self.found = true;
        self.errors.push(RowError {
            row: self.row,
            line: self.line,
            column,
            reason: reason.into(),
        });
    }
}
