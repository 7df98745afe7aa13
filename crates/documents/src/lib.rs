//! Trade documents as PDF: commercial invoice, packing list and proforma
//! invoice, bilingual (English / 中文), A4.
//!
//! The crate knows nothing about money, tax or the rest of Chuhai: the caller
//! builds a [`TradeDocument`] whose amounts, quantities, weights and dates are
//! already formatted strings (`"1,234.50"`, `"2025-03-01"`, `"12.500"`), and
//! [`render`] lays it out and returns the PDF bytes. Nothing is computed from
//! the figures, so the document shows exactly what the caller decided.
//!
//! ```
//! use chuhai_documents::*;
//!
//! let doc = TradeDocument {
//!     kind: DocumentKind::CommercialInvoice,
//!     number: "INV-2025-0001".into(),
//!     date: "2025-03-01".into(),
//!     seller: Party::new("Hangzhou Silk Co., Ltd. 杭州丝绸有限公司"),
//!     buyer: Party::new("Müller GmbH"),
//!     currency: "EUR".into(),
//!     incoterm: Some("DDP".into()),
//!     incoterm_place: Some("Berlin".into()),
//!     lines: vec![DocumentLine {
//!         description: "Silk scarf".into(),
//!         description_zh: Some("丝绸围巾".into()),
//!         hs_code: "6214100000".into(),
//!         origin: "CN".into(),
//!         quantity: "10".into(),
//!         unit: "pcs".into(),
//!         unit_price: "12.50".into(),
//!         total: "125.00".into(),
//!         ..Default::default()
//!     }],
//!     totals: vec![Total::new("Total", "125.00")],
//!     ..Default::default()
//! };
//! let pdf = render(&doc).unwrap();
//! assert!(pdf.bytes.starts_with(b"%PDF-"));
//! assert_eq!(pdf.pages, 1);
//! assert!(pdf.warnings.is_empty());
//! ```
//!
//! # What is printed
//!
//! Every page is A4 with 14 mm margins and a footer "Page N of M / 第 N 页，共
//! M 页". The first page has the title (`COMMERCIAL INVOICE / 商业发票`,
//! `PACKING LIST / 装箱单` or `PROFORMA INVOICE / 形式发票`), then header
//! blocks: seller/exporter and buyer/importer (name, address, country, EORI,
//! tax ID, contact), consignee (or "same as buyer"), and the document details
//! (number, date, validity, currency, Incoterm with named place, payment
//! terms, country of origin, ports of loading and entry, transport, waybill,
//! "IOSS VAT identification number", extra references). Then come:
//!
//! * the line table: no., description (English, Chinese below), 10-digit
//!   HS/commodity code, origin, quantity and unit, net and gross weight (kg),
//!   and on invoices unit price and amount in the document currency;
//! * on invoices, itemised [`Charge`]s (freight, insurance, packing,
//!   commission, rebates, discounts, other) and the [`Total`]s;
//! * the package table when [`TradeDocument::packages`] is not empty (marks and
//!   numbers, count and kind, contents, net/gross kg, L×W×H cm, m³), and the
//!   [`ShipmentTotals`];
//! * bank details, notes, the declaration and a signature line.
//!
//! Tables continue over as many pages as needed, repeating their header row
//! under a running head on every continuation page. Text that does not fit a
//! cell wraps (between words, and between any two CJK characters); widths are
//! measured from the font's advance widths.
//!
//! # Font
//!
//! One font is embedded in the crate: a GB2312 + Latin subset of WenQuanYi
//! Micro Hei (Apache-2.0; see `fonts/README.md`). Each PDF embeds only the
//! glyphs it uses, as a Type0/CIDFontType2 font (`/FontFile2`) with a
//! `/ToUnicode` map, so text can be searched and copied. A character the font
//! lacks is drawn as a box (its original text kept as `/ActualText`) and
//! reported in [`RenderedPdf::warnings`]; nothing vanishes silently. Bold is
//! drawn by stroking the outline.
//!
//! Rendering is deterministic (no dates or random IDs are written) and does no
//! I/O.

mod compose;
mod font;
mod layout;
mod pdf;

use std::fmt;

/// Which document to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DocumentKind {
    /// Commercial invoice (商业发票).
    #[default]
    CommercialInvoice,
    /// Packing list (装箱单): no prices, charges or money totals.
    PackingList,
    /// Proforma invoice (形式发票), issued before shipment.
    ProformaInvoice,
}

impl DocumentKind {
    /// The bilingual title printed at the top of the first page.
    pub fn title(self) -> &'static str {
        match self {
            DocumentKind::CommercialInvoice => "COMMERCIAL INVOICE / 商业发票",
            DocumentKind::PackingList => "PACKING LIST / 装箱单",
            DocumentKind::ProformaInvoice => "PROFORMA INVOICE / 形式发票",
        }
    }

    fn is_invoice(self) -> bool {
        !matches!(self, DocumentKind::PackingList)
    }
}

/// A seller, buyer or consignee.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Party {
    /// Company or person name (may hold both scripts).
    pub name: String,
    /// Address lines, printed in order.
    pub address: Vec<String>,
    /// Country name or ISO code.
    pub country: Option<String>,
    /// EORI number (UK/EU customs).
    pub eori: Option<String>,
    /// VAT number, USCC (统一社会信用代码) or other tax ID.
    pub tax_id: Option<String>,
    /// Phone, e-mail or contact person.
    pub contact: Option<String>,
}

impl Party {
    /// A party with just a name.
    pub fn new(name: impl Into<String>) -> Self {
        Party {
            name: name.into(),
            ..Default::default()
        }
    }
}

/// One line of goods.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentLine {
    /// English description (required).
    pub description: String,
    /// Chinese description, printed under the English one.
    pub description_zh: Option<String>,
    /// HS / commodity code, ideally 10 digits (printed as given).
    pub hs_code: String,
    /// Country of origin of this line.
    pub origin: String,
    /// Quantity, e.g. `"1,200"`.
    pub quantity: String,
    /// Unit, e.g. `"pcs"`, `"kg"`, `"pairs"`.
    pub unit: String,
    /// Unit price in the document currency (invoices; ignored on a packing list).
    pub unit_price: String,
    /// Line total in the document currency (invoices; ignored on a packing list).
    pub total: String,
    /// Net weight of the line in kg.
    pub net_weight: Option<String>,
    /// Gross weight of the line in kg.
    pub gross_weight: Option<String>,
}

/// One package (or a run of identical packages) of the shipment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Package {
    /// Shipping marks and numbers, e.g. `"HZS/MUC 1-10"`.
    pub marks: String,
    /// Number of packages in this row, e.g. `"10"`.
    pub count: String,
    /// Kind of package, e.g. `"CTN"`, `"pallet"`.
    pub kind: String,
    /// What each package holds, e.g. `"20 × silk scarf 丝绸围巾"`.
    pub contents: String,
    /// Net weight in kg (of the row).
    pub net_weight: Option<String>,
    /// Gross weight in kg (of the row).
    pub gross_weight: Option<String>,
    /// Dimensions of one package, "L × W × H" in cm.
    pub dimensions_cm: Option<String>,
    /// Volume in m³ (of the row).
    pub volume_m3: Option<String>,
}

/// Kind of an itemised charge; sets the bilingual label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChargeKind {
    /// Freight / 运费.
    Freight,
    /// Insurance / 保险费.
    Insurance,
    /// Packing / 包装费.
    Packing,
    /// Commission / 佣金.
    Commission,
    /// Rebate / 回扣 (give the amount its sign, e.g. `"-10.00"`).
    Rebate,
    /// Discount / 折扣 (give the amount its sign).
    Discount,
    /// Anything else; give a [`Charge::description`].
    #[default]
    Other,
}

impl ChargeKind {
    fn label(self) -> &'static str {
        match self {
            ChargeKind::Freight => "Freight / 运费",
            ChargeKind::Insurance => "Insurance / 保险费",
            ChargeKind::Packing => "Packing / 包装费",
            ChargeKind::Commission => "Commission / 佣金",
            ChargeKind::Rebate => "Rebate / 回扣",
            ChargeKind::Discount => "Discount / 折扣",
            ChargeKind::Other => "Other charge / 其他费用",
        }
    }
}

/// An itemised charge, rebate or discount, printed under the line table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Charge {
    /// What the charge is.
    pub kind: ChargeKind,
    /// Extra text after the label, e.g. `"sea freight Ningbo–Hamburg"`.
    pub description: Option<String>,
    /// Amount in the document currency, signed as it should print.
    pub amount: String,
}

/// A total row (`"Subtotal"`, `"Total"`, `"Deposit 30%"`, ...). The last one is
/// printed in bold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Total {
    /// Label, printed as given.
    pub label: String,
    /// Amount in the document currency.
    pub amount: String,
}

impl Total {
    /// A total row.
    pub fn new(label: impl Into<String>, amount: impl Into<String>) -> Self {
        Total {
            label: label.into(),
            amount: amount.into(),
        }
    }
}

/// Shipment-wide totals (all kinds; the packing list's main figures).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShipmentTotals {
    /// Number and kind of packages, e.g. `"12 CTN"`.
    pub packages: Option<String>,
    /// Total net weight in kg.
    pub net_weight: Option<String>,
    /// Total gross weight in kg.
    pub gross_weight: Option<String>,
    /// Total volume in m³.
    pub volume_m3: Option<String>,
}

/// A trade document. All figures are pre-formatted strings; optional fields
/// that are `None` or empty are left out of the PDF.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TradeDocument {
    /// Which document this is.
    pub kind: DocumentKind,
    /// Invoice / packing list / proforma number (required).
    pub number: String,
    /// Issue date as text (required).
    pub date: String,
    /// Seller / exporter (name required).
    pub seller: Party,
    /// Buyer / importer (name required).
    pub buyer: Party,
    /// Consignee when not the buyer.
    pub consignee: Option<Party>,
    /// Currency code of all amounts (required on invoices).
    pub currency: String,
    /// Incoterms 2020 rule, e.g. `"DDP"` (printed as given; anything else
    /// gives a warning).
    pub incoterm: Option<String>,
    /// The Incoterm's named place, e.g. `"Berlin, DE"`.
    pub incoterm_place: Option<String>,
    /// Payment terms, e.g. `"30% deposit, 70% before shipment"`.
    pub payment_terms: Option<String>,
    /// Proforma validity, e.g. `"2025-04-01"`.
    pub valid_until: Option<String>,
    /// Country of origin of the goods (document level).
    pub country_of_origin: Option<String>,
    /// Port (or place) of loading.
    pub port_of_loading: Option<String>,
    /// Port of entry / discharge.
    pub port_of_entry: Option<String>,
    /// Mode of transport, carrier, vessel or flight.
    pub transport: Option<String>,
    /// Waybill, bill of lading or tracking number.
    pub waybill_number: Option<String>,
    /// EU IOSS number (low-value consignments), e.g. `"IM2760000742"`.
    pub ioss_number: Option<String>,
    /// Further header fields as (label, value), e.g. ("Order no.", "PO-77").
    pub references: Vec<(String, String)>,
    /// Lines of goods (required on invoices).
    pub lines: Vec<DocumentLine>,
    /// Packages (required on a packing list).
    pub packages: Vec<Package>,
    /// Itemised charges, rebates and discounts (invoices).
    pub charges: Vec<Charge>,
    /// Money totals (invoices), printed in order, the last in bold.
    pub totals: Vec<Total>,
    /// Package count, weight and volume totals.
    pub shipment_totals: Option<ShipmentTotals>,
    /// Bank details for payment, one line each.
    pub bank_details: Vec<String>,
    /// Free-text notes, one paragraph each.
    pub notes: Vec<String>,
    /// Declaration text; `None` prints the standard one for the kind.
    pub declaration: Option<String>,
    /// Name and title of the person signing.
    pub signatory: Option<String>,
}

/// A rendered PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedPdf {
    /// The PDF file.
    pub bytes: Vec<u8>,
    /// Number of pages.
    pub pages: usize,
    /// Things the caller should know: characters the font lacks (drawn as a
    /// box), an Incoterm that is not an Incoterms 2020 rule, data a packing
    /// list does not print.
    pub warnings: Vec<String>,
}

/// Why a document could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentError {
    /// A required field is empty; `field` names it, e.g. `"lines"`,
    /// `"buyer.name"`, `"lines[3].description"`.
    Missing {
        /// Path of the field in [`TradeDocument`].
        field: String,
    },
    /// The embedded font could not be subset (a bug, not a data problem).
    Font(String),
}

impl fmt::Display for DocumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocumentError::Missing { field } => write!(f, "{field} is required but empty"),
            DocumentError::Font(e) => write!(f, "font subsetting failed: {e}"),
        }
    }
}

impl std::error::Error for DocumentError {}

/// Lays out `doc` and writes it as a PDF.
///
/// Fails with [`DocumentError::Missing`] when the number, date, seller or buyer
/// name is empty, when an invoice has no lines or no currency, when a packing
/// list has neither lines nor packages, or when a line has no description.
pub fn render(doc: &TradeDocument) -> Result<RenderedPdf, DocumentError> {
    validate(doc)?;
    let font = font::Font::embedded();
    let warnings = compose::warnings(doc, &font);
    let pages = compose::compose(doc, &font);
    let bytes = pdf::write(&pages, &font, doc)?;
    Ok(RenderedPdf {
        bytes,
        pages: pages.len(),
        warnings,
    })
}

fn validate(doc: &TradeDocument) -> Result<(), DocumentError> {
    let missing = |field: &str| {
        Err(DocumentError::Missing {
            field: field.to_string(),
        })
    };
    let blank = |s: &str| s.trim().is_empty();
    if blank(&doc.number) {
        return missing("number");
    }
    if blank(&doc.date) {
        return missing("date");
    }
    if blank(&doc.seller.name) {
        return missing("seller.name");
    }
    if blank(&doc.buyer.name) {
        return missing("buyer.name");
    }
    if let Some(c) = &doc.consignee {
        if blank(&c.name) {
            return missing("consignee.name");
        }
    }
    if doc.kind.is_invoice() {
        if doc.lines.is_empty() {
            return missing("lines");
        }
        if blank(&doc.currency) {
            return missing("currency");
        }
    } else if doc.lines.is_empty() && doc.packages.is_empty() {
        return missing("packages");
    }
    for (i, line) in doc.lines.iter().enumerate() {
        if blank(&line.description) {
            return missing(&format!("lines[{i}].description"));
        }
    }
    Ok(())
}
