//! The catalog: products, variants and the data that trade needs about them.
//!
//! - Codes: [`Gtin`] (barcodes with the GS1 check digit), [`HsCode`] and
//!   [`TariffCode`], and the [`HsNomenclature`] that says which HS codes
//!   exist (read from the HS 2022 CSV with [`parse_hs_csv`]).
//! - Names: [`ProductHandle`], [`Sku`], [`MediaUrl`].
//! - Content: [`Locale`] with [`fallback_chain`] and [`pick`];
//!   [`SanitizedHtml`] descriptions from [`sanitize_description_html`].
//! - Physical facts: [`Dimensions`] (volumetric weight), [`GoodsFlags`].
//! - Drafts: [`ProductDraft`], [`VariantDraft`], [`TranslationDraft`],
//!   [`MediaDraft`], [`TradeData`], and the cross-field rules in
//!   [`ProductDraft::problems`].
//! - Bulk exchange: [`parse_shopify_csv`] and [`write_shopify_csv`] in
//!   Shopify's product CSV format, and [`synthetic_shopify_csv`] for tests
//!   and benchmarks.
//!
//! Everything here is pure: the only I/O is through `std::io::Read` and
//! `Write` handed in by the caller.

pub mod google_feed;
mod gtin;
mod hs;
mod hs_nomenclature;
mod html;
mod html_entities;
mod identifiers;
mod locale;
mod physical;
mod product;
mod shopify_csv;
mod spreadsheet;

pub use google_feed::{write_google_feed_tsv, Availability, FeedItem, FeedOptions, FeedStats};
pub use gtin::{gs1_check_digit, Gtin, GtinError};
pub use hs::{HsCode, HsCodeError, TariffCode};
pub use hs_nomenclature::{
    parse_hs_csv, HsCodeLookup, HsEntry, HsImportError, HsLevel, HsNomenclature,
};
pub use html::{sanitize_description_html, SanitizedHtml};
pub use identifiers::{CatalogFieldError, MediaUrl, ProductHandle, Sku};
pub use locale::{fallback_chain, pick, Locale, LocaleError};
pub use physical::{Dimensions, GoodsFlags};
pub use product::{
    DraftField, DraftProblem, MediaDraft, ProductDraft, ProductStatus, TradeData, TranslationDraft,
    VariantDraft,
};
pub use shopify_csv::{
    parse_shopify_csv, synthetic_shopify_csv, write_shopify_csv, ImportContext, RowError,
    ShopifyImport,
};
