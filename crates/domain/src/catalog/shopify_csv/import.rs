//! Reading a Shopify product CSV into product drafts, with an error for
//! every bad cell (row, column, reason).

use std::collections::HashMap;
use std::fmt;
use std::io::Read;

use crate::money::Currency;

use super::super::hs_nomenclature::HsCodeLookup;
use super::super::identifiers::{CatalogFieldError, ProductHandle, Sku};
use super::super::locale::Locale;
use super::super::product::ProductDraft;
use super::builder::ProductBuilder;
use super::columns::Field;
use super::header::{Header, Row, RowProblems, VARIANT_FIELDS};
use super::variant::read_variant;

/// What the importer needs to know that the file does not say.
pub struct ImportContext<'a> {
    /// The currency of the `Price` and `Compare-at price` columns (a
    /// Shopify export is in the shop's currency, which the file does not
    /// name); a `Currency` column overrides it per row.
    pub currency: Currency,
    /// The locale of `Title`, `Description`, `SEO title`, `SEO description`.
    pub default_locale: Locale,
    /// Which HS codes may be used (e.g. the imported HS nomenclature).
    pub hs_codes: &'a dyn HsCodeLookup,
}

/// A problem in the file: where, and what is wrong. Serialises as
/// `{"row": 3, "line": 3, "column": "Barcode", "reason": "…"}` for reports.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    /// The record's number as a spreadsheet shows it: the header is row 1,
    /// the first product row is row 2.
    pub row: u64,
    /// The line of the file where the record starts (differs from `row`
    /// once a cell above holds a line break).
    pub line: u64,
    /// The column's name as written in the file's header (or the name
    /// Chuhai writes, if the column is missing); `"(row)"` for a problem
    /// with the row as a whole.
    pub column: String,
    /// What is wrong and, where possible, how to fix it.
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "row {}, column {:?}: {}",
            self.row, self.column, self.reason
        )
    }
}

/// The outcome of reading a file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShopifyImport {
    /// Products without any error, in the order of their first row.
    pub products: Vec<ProductDraft>,
    /// Every problem found, in file order (then product checks in product order).
    /// A product with any error is left out of `products` as a whole.
    pub errors: Vec<RowError>,
    /// Shopify columns that were recognised but not imported (inventory,
    /// tax, channels, Google Shopping, markets, metafields), as named in the file.
    pub ignored_columns: Vec<String>,
    /// How many records after the header were read.
    pub data_rows: u64,
}

/// The column name used for a problem with a row as a whole.
pub(super) const WHOLE_ROW: &str = "(row)";

/// Reads a Shopify product CSV (either header generation, see the module
/// documentation). Never fails as a whole: every problem is a [`RowError`].
/// A problem with the header (an unknown or duplicate column, no price
/// column) stops the import before any row is read, so nothing is imported.
pub fn parse_shopify_csv<R: Read>(reader: R, ctx: &ImportContext<'_>) -> ShopifyImport {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut record = csv::StringRecord::new();
    let mut out = ShopifyImport::default();

    match csv.read_record(&mut record) {
        Ok(true) => {}
        Ok(false) => {
            out.errors
                .push(whole_row(1, 1, "the file is empty; expected a header row"));
            return out;
        }
        Err(e) => {
            out.errors.push(whole_row(
                1,
                1,
                &format!("unreadable header: {}", csv_reason(&e)),
            ));
            return out;
        }
    }
    let header = match Header::read(&record, ctx) {
        Ok(header) => header,
        Err(errors) => {
            out.errors = errors;
            return out;
        }
    };
    out.ignored_columns = header.ignored.clone();

    let mut importer = Importer {
        ctx,
        header: &header,
        errors: Vec::new(),
        products: Vec::new(),
        by_handle: HashMap::new(),
        skus: HashMap::new(),
    };
    let mut row = 1u64;
    loop {
        row += 1;
        match csv.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(row, |p| p.line());
                importer.row(&record, row, line);
            }
            Err(e) => {
                let line = e.position().map_or(row, |p| p.line());
                let fatal = matches!(e.kind(), csv::ErrorKind::Io(_));
                importer.errors.push(whole_row(row, line, &csv_reason(&e)));
                if fatal {
                    break;
                }
            }
        }
    }
    out.data_rows = row - 2;
    let Importer {
        errors, products, ..
    } = importer;
    out.errors = errors;
    for builder in products {
        if let Some(draft) = builder.finish(&header, ctx, &mut out.errors) {
            out.products.push(draft);
        }
    }
    out
}

pub(super) fn whole_row(row: u64, line: u64, reason: &str) -> RowError {
    RowError {
        row,
        line,
        column: WHOLE_ROW.to_owned(),
        reason: reason.to_owned(),
    }
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => {
            "the row is not valid UTF-8; save the file as CSV UTF-8".to_owned()
        }
        _ => format!("unreadable CSV: {e}"),
    }
}

struct Importer<'a> {
    ctx: &'a ImportContext<'a>,
    header: &'a Header,
    errors: Vec<RowError>,
    products: Vec<ProductBuilder>,
    by_handle: HashMap<ProductHandle, usize>,
    /// Where each SKU was first seen, to refuse duplicates across the file.
    skus: HashMap<Sku, u64>,
}

impl Importer<'_> {
    fn row(&mut self, record: &csv::StringRecord, row: u64, line: u64) {
        let header = self.header;
        let r = Row {
            record,
            header,
            row,
            line,
        };
        if record.len() != header.names.len() {
            self.errors.push(whole_row(
                row,
                line,
                &format!(
                    "the row has {} fields but the header has {}; a quote may be unclosed or a field may hold an unquoted comma",
                    record.len(),
                    header.names.len()
                ),
            ));
            return;
        }
        if record.iter().all(|cell| cell.trim().is_empty()) {
            return;
        }
        let mut problems = RowProblems {
            errors: &mut self.errors,
            row,
            line,
            found: false,
        };

        let handle_text = r.get(Field::Handle);
        let handle = if !handle_text.is_empty() {
            ProductHandle::parse(handle_text)
        } else if !r.get(Field::Title).is_empty() {
            ProductHandle::from_title(r.get(Field::Title)).ok_or_else(|| {
                CatalogFieldError {
                    field: "handle",
                    reason: "is empty and cannot be made from the title (it has no letters a-z or digits); fill in the URL handle".to_owned(),
                }
            })
        } else {
            Err(CatalogFieldError {
                field: "handle",
                reason: "is empty; every row needs the URL handle of its product".to_owned(),
            })
        };
        let handle = match handle {
            Ok(handle) => handle,
            Err(e) => {
                problems.add(
                    header.name(Field::Handle),
                    format!("URL handle {}", e.reason),
                );
                return;
            }
        };

        let index = match self.by_handle.get(&handle) {
            Some(&index) => {
                self.products[index].check_continuation(&r, &mut problems);
                index
            }
            None => {
                let builder = ProductBuilder::start(handle.clone(), &r, self.ctx, &mut problems);
                self.products.push(builder);
                self.by_handle.insert(handle, self.products.len() - 1);
                self.products.len() - 1
            }
        };
        let builder = &mut self.products[index];
        builder.add_image(&r, &mut problems);

        let has_variant = VARIANT_FIELDS.iter().any(|f| !r.get(*f).is_empty())
            || header.tariffs.iter().any(|(_, i)| !r.cell(*i).is_empty());
        if has_variant {
            let variant = read_variant(&r, builder, self.ctx, &mut problems);
            if let Some(sku) = variant.as_ref().and_then(|v| v.sku.clone()) {
                if let Some(first) = self.skus.get(&sku) {
                    problems.add(
                        header.name(Field::Sku),
                        format!("SKU {sku} is already used on row {first}"),
                    );
                } else {
                    self.skus.insert(sku, row);
                }
            }
            if let (Some(variant), false) = (variant, problems.found) {
                builder.variants.push(variant);
                builder.variant_rows.push((row, line));
            }
        }
        if problems.found {
            builder.failed = true;
        }
    }
}
