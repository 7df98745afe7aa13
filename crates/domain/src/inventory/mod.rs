//! Inventory: the append-only stock ledger and everything derived from it.
//!
//! - Entries: [`LedgerEntry`] per (seller, SKU, warehouse[, bin, lot]) with an
//!   [`EntryType`] whose effect on each bucket is a fixed table (on
//!   [`EntryType`]; [`LedgerEntry::effect`]), validated field by field
//!   ([`LedgerEntry::validate`]).
//! - Balances: [`Balance`] (on hand, reserved, in transit, damaged;
//!   available = on hand − reserved), [`apply`] (checked: never below zero),
//!   [`fold`] (rebuild from the ledger), [`verify`] (cache vs ledger). Bin
//!   stock likewise: [`fold_locations`], [`verify_locations`]; both kept
//!   together by [`StockBook::post`].
//! - Reservations: [`Hold`] (place, release, commit, expiry), [`expired`]
//!   and [`sweep`] for the sweeper.
//! - Age: FIFO receipt layers ([`fifo_layers`], [`ReceiptLayers`]) and
//!   [`age_profile`] in [`AgeBucket`]s.
//! - Storage fees: [`StorageFeeRules`] in dated versions
//!   ([`StorageFeeSchedule`]), [`daily_stock`], [`storage_invoice`]
//!   (rounded once per line at [`STORAGE_FEE_LINE`]), [`slow_movers`].
//! - Cycle counts: [`count_sheet`] and [`review_count`].
//! - Warehouses: [`WarehouseDraft`] and its checks.
//! - Inbound shipments (ASNs): [`AsnStatus`] transitions,
//!   [`shipping_entries`] and [`closing_entries`] with the
//!   [`DiscrepancyReport`].
//!
//! The ledger is the truth: caches (balances, bin stock) change only by
//! posting an entry through the checked functions, and can always be
//! rebuilt with `fold` and compared with `verify`. No I/O here; the store
//! keeps the ledger and caches and makes the reservation check atomic.

mod age;
mod balance;
mod book;
mod codes;
mod count;
mod decimal_text;
mod entry;
mod error;
mod fee_schedule;
mod fees;
mod inbound;
mod month;
mod reservation;
mod slow_movers;
mod warehouse;

pub use age::{
    age_profile, fifo_layers, fifo_layers_by_key, AgeBucket, AgeProfile, Layer, ReceiptLayers,
};
pub use balance::{apply, compare, fold, verify, Balance, Difference};
pub use book::{fold_locations, verify_locations, LocationDifference, LocationKey, StockBook};
pub use codes::{BinCode, LotCode, ReasonCode, Reference, ReferenceKind, UtcOffset};
pub use count::{
    count_sheet, review_count, CountProblem, CountReview, CountReviewLine, CountScope,
    CountSheetLine, CountedLine, CycleCount,
};
pub use entry::{BucketDelta, EntryType, LedgerEntry, LocationMove, StockKey};
pub use error::{Bucket, LedgerError};
pub use fee_schedule::{StorageFeeSchedule, StorageFeeVersion};
pub use fees::{
    daily_stock, storage_invoice, storage_invoice_from_ledger, unit_volume_mm3, volume_m3,
    DailyStock, InvoiceScope, StorageFeeRules, StorageInvoice, StorageInvoiceLine, SurchargeTier,
    STORAGE_FEE_LINE,
};
pub use inbound::{
    check_count, closing_entries, shipping_entries, AsnAction, AsnStatus, DiscrepancyLine,
    DiscrepancyReport, ReceivedLine, TransportMode,
};
pub use month::BillingMonth;
pub use reservation::{expired, sweep, Hold};
pub use slow_movers::{slow_movers, SlowMoverAlert};
pub use warehouse::{parse_cutoff, WarehouseDraft, WarehouseKind};
