//! Bulk exchange in Shopify's product CSV format.
//!
//! Sources for the column names: Shopify Help Center, "Using CSV files to
//! import and export products"
//! (<https://help.shopify.com/en/manual/products/import-export/using-csv>)
//! and its product CSV template; the pre-2024 names from the same page's
//! earlier versions (e.g. <https://beta.help.shopify.com/zh-CN/manual/products/import-export/using-csv>,
//! which still says `Handle`, `Variant SKU`, `Variant Grams`). Shopify's
//! product CSV has no customs columns (HS code and country of origin live on
//! Shopify's InventoryItem, see the Shopify developer changelog "The
//! InventoryItem resource now includes HS codes, country codes, and province
//! codes"); apps such as Matrixify name them `Variant HS Code` and
//! `Variant Country of Origin`, which are accepted as aliases of Chuhai's
//! own columns.
//!
//! # Columns
//!
//! Header names are matched ignoring case and surrounding blanks. The
//! exporter writes the first name.
//!
//! | field | newer Shopify name (written) | older Shopify name (accepted) |
//! |---|---|---|
//! | handle | `URL handle` | `Handle` |
//! | title (default locale) | `Title` | `Title` |
//! | description (sanitised HTML) | `Description` | `Body (HTML)` |
//! | vendor | `Vendor` | `Vendor` |
//! | product type | `Type` | `Type`, `Custom Product Type` |
//! | tags (comma-separated) | `Tags` | `Tags` |
//! | status (`active`/`draft`/`archived`; empty → draft) | `Status` | `Status` |
//! | option names 1–3 | `Option1 name` … | `Option1 Name` … |
//! | option values 1–3 | `Option1 value` … | `Option1 Value` … |
//! | SKU | `SKU` | `Variant SKU` |
//! | GTIN | `Barcode` | `Variant Barcode` |
//! | price | `Price` | `Variant Price` |
//! | compare-at price (0 → none) | `Compare-at price` | `Variant Compare At Price` |
//! | gross weight, grams (0 → none) | `Weight value (grams)` | `Variant Grams` |
//! | image URL | `Product image URL` | `Image Src` |
//! | image position | `Image position` | `Image Position` |
//! | image alt text | `Image alt text` | `Image Alt Text` |
//! | variant image | `Variant image URL` | `Variant Image` |
//! | SEO title | `SEO title` | `SEO Title` |
//! | SEO description | `SEO description` | `SEO Description` |
//!
//! Chuhai's columns (not Shopify's; written after Shopify's):
//!
//! | field | name written | also accepted |
//! |---|---|---|
//! | price currency (else the import's) | `Currency` | |
//! | HS code (6 digits, must exist) | `HS code` | `Variant HS Code` |
//! | country of origin (alpha-2) | `Country of origin` | `Variant Country of Origin` |
//! | net weight, grams | `Net weight (grams)` | |
//! | packed size, whole mm (all three or none) | `Length (mm)`, `Width (mm)`, `Height (mm)` | |
//! | customs description | `Customs description (en)`, `Customs description (zh)` | |
//! | goods flags (`battery, liquid, magnet, powder, dangerous_goods`) | `Goods flags` | |
//! | national tariff line per destination | `Tariff code / US`, `Tariff code / DE`… | |
//! | content in another locale | `Title [de]`, `Description [de]`, `SEO title [de]`, `SEO description [de]` | `Body (HTML) [de]` |
//!
//! Recognised and ignored (reported in [`ShopifyImport::ignored_columns`]):
//! `Product category`, `Standard Product Type`, `Published`, `Published on
//! online store`, `Published Scope`, `Option1–3 Linked To`, `Cost per item`,
//! `Charge tax` / `Variant Taxable`, `Tax code` / `Variant Tax Code`, the
//! four `Unit price …` columns, `Inventory tracker` / `Variant Inventory
//! Tracker`, `Inventory quantity` / `Variant Inventory Qty`, `Continue
//! selling when out of stock` / `Variant Inventory Policy`, `Weight unit for
//! display` / `Variant Weight Unit`, `Requires shipping` / `Variant Requires
//! Shipping`, `Fulfillment service` / `Variant Fulfillment Service`, `Gift
//! card`, every `Google Shopping / …`, `Price / …`, `Compare-at price / …`,
//! `Compare At Price / …`, `Included / …` (Shopify Markets), and metafield
//! columns `Label (product.metafields.ns.key)`. Any other name is an error.
//!
//! # Rows
//!
//! Rows with the same handle form one product (they need not be adjacent).
//! The product's fields come from its first row; later rows leave them empty
//! or repeat them (a different value is an error). A row with any variant
//! cell (option value, SKU, barcode, price, weight, trade data…) adds a
//! variant; a row with only the handle and image cells adds an image. An
//! empty handle on a row with a title makes a handle from the title, as
//! Shopify does. A product without options is written Shopify's way
//! (`Title` / `Default Title`) and read back as having no options.

mod builder;
mod columns;
mod export;
mod header;
mod import;
mod synthetic;
mod variant;

pub use export::write_shopify_csv;
pub use import::{parse_shopify_csv, ImportContext, RowError, ShopifyImport};
pub use synthetic::synthetic_shopify_csv;
