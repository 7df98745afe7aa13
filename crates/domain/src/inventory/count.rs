//! Cycle counts: a count of one bin or one SKU, the sheet the counter
//! works from (blind or not), and the review that turns counted quantities
//! into the `count_correction_in/out` entries to post.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::book::{LocationKey, StockBook};
use super::codes::{BinCode, LotCode, ReasonCode, Reference, ReferenceKind};
use super::entry::{EntryType, LedgerEntry, StockKey};
use super::error::LedgerError;
use crate::catalog::Sku;

/// What a count covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum CountScope {
    /// Every seller's units in one bin (`None`: the unlocated units, i.e.
    /// the whole of a warehouse without bins).
    Bin {
        /// The warehouse.
        warehouse: i64,
        /// The bin.
        bin: Option<BinCode>,
    },
    /// One seller's SKU in every bin of a warehouse.
    Sku {
        /// The seller.
        seller: i64,
        /// The SKU.
        sku: Sku,
        /// The warehouse.
        warehouse: i64,
    },
}

impl CountScope {
    /// The warehouse counted.
    pub fn warehouse(&self) -> i64 {
        match self {
            CountScope::Bin { warehouse, .. } | CountScope::Sku { warehouse, .. } => *warehouse,
        }
    }

    /// Whether `location` is in the scope.
    pub fn covers(&self, location: &LocationKey) -> bool {
        match self {
            CountScope::Bin { warehouse, bin } => {
                location.stock.warehouse == *warehouse && location.bin == *bin
            }
            CountScope::Sku {
                seller,
                sku,
                warehouse,
            } => {
                location.stock.seller == *seller
                    && location.stock.sku == *sku
                    && location.stock.warehouse == *warehouse
            }
        }
    }
}

/// One line of a count sheet: a location to count and, unless the count
/// is blind, the units the ledger expects there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountSheetLine {
    /// Where to count.
    pub location: LocationKey,
    /// Units expected; `None` on a blind count.
    pub expected: Option<i64>,
}

/// The sheet for a count of `scope`: every location in scope holding
/// units, sorted, with the expected units unless `blind`.
pub fn count_sheet(scope: &CountScope, book: &StockBook, blind: bool) -> Vec<CountSheetLine> {
    let mut lines: Vec<CountSheetLine> = book
        .locations()
        .iter()
        .filter(|(location, &units)| units != 0 && scope.covers(location))
        .map(|(location, &units)| CountSheetLine {
            location: location.clone(),
            expected: (!blind).then_some(units),
        })
        .collect();
    lines.sort_by(|a, b| a.location.cmp(&b.location));
    lines
}

/// Units found at one location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountedLine {
    /// The seller owning the units.
    pub seller: i64,
    /// The SKU.
    pub sku: Sku,
    /// The bin (`None`: unlocated).
    pub bin: Option<BinCode>,
    /// The lot, when tracked.
    pub lot: Option<LotCode>,
    /// Units counted (≥ 0).
    pub counted: i64,
}

/// A count as submitted by the counter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CycleCount {
    /// The count's document id (referenced by its corrections).
    pub id: String,
    /// What it covers.
    pub scope: CountScope,
    /// Whether the counter was shown no expected quantities.
    pub blind: bool,
    /// What was counted.
    pub lines: Vec<CountedLine>,
}

/// One location in a count review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountReviewLine {
    /// The location.
    pub location: LocationKey,
    /// Units the ledger has there.
    pub expected: i64,
    /// Units counted (0 when not reported).
    pub counted: i64,
    /// `counted − expected`.
    pub difference: i64,
    /// Whether the counter reported the location (false: in scope, holding
    /// units, but not counted, so taken as 0).
    pub reported: bool,
}

/// A correction that cannot be posted as it stands, e.g. units missing
/// that are reserved for orders (release or reallocate them first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountProblem {
    /// Index into [`CountReview::corrections`].
    pub correction: usize,
    /// The refusal's stable code (`insufficient_stock`…).
    pub code: String,
    /// Why, in English.
    pub reason: String,
}

/// What a count would change, for review before posting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountReview {
    /// The count's id.
    pub count_id: String,
    /// Every location counted or expected, sorted.
    pub lines: Vec<CountReviewLine>,
    /// The entries to post, gains first, then losses, each by location.
    pub corrections: Vec<LedgerEntry>,
    /// Corrections the current stock would refuse.
    pub problems: Vec<CountProblem>,
}

impl CountReview {
    /// Whether every correction can be posted now.
    pub fn can_post(&self) -> bool {
        self.problems.is_empty()
    }

    /// Whether the count found exactly what the ledger has.
    pub fn matches(&self) -> bool {
        self.corrections.is_empty()
    }
}

/// Reviews `count` against `book` (holding at least the scope's locations
/// and balances): the difference per location and the correction entries
/// (reason `cycle_count`, reference the count, by `user` at `at`), each
/// checked against the stock as it would be after the ones before it.
///
/// A count is complete for its scope: a location in scope that holds units
/// but was not counted is taken as counted 0 (marked `reported: false` in
/// the review, so the reviewer sees it). Counts are of physical units
/// (sellable and damaged alike); corrections change `on_hand`.
///
/// Refused (naming the field): an empty id (`id`), a negative count
/// (`lines[i].counted`), a line outside the scope (`lines[i].bin`,
/// `lines[i].sku`), the same location twice (`lines[i]`).
pub fn review_count(
    count: &CycleCount,
    book: &StockBook,
    user: Option<i64>,
    at: i64,
) -> Result<CountReview, LedgerError> {
    let reference =
        Reference::new(ReferenceKind::CycleCount, count.id.clone()).map_err(|e| match e {
            LedgerError::Invalid { reason, .. } => LedgerError::invalid("id", reason),
            other => other,
        })?;
    let warehouse = count.scope.warehouse();
    let mut counted: BTreeMap<LocationKey, i64> = BTreeMap::new();
    for (i, line) in count.lines.iter().enumerate() {
        let prefix = format!("lines[{i}]");
        if line.counted < 0 || line.counted > LedgerEntry::MAX_QUANTITY {
            return Err(LedgerError::invalid(
                "counted",
                format!(
                    "{} must be 0 to {}",
                    line.counted,
                    LedgerEntry::MAX_QUANTITY
                ),
            )
            .under(&prefix));
        }
        if line.seller <= 0 {
            return Err(LedgerError::invalid("seller", "must be a positive id").under(&prefix));
        }
        let location = LocationKey {
            stock: StockKey::new(line.seller, line.sku.clone(), warehouse),
            bin: line.bin.clone(),
            lot: line.lot.clone(),
        };
        if !count.scope.covers(&location) {
            let field = match count.scope {
                CountScope::Bin { .. } => "bin",
                CountScope::Sku { .. } => "sku",
            };
            return Err(LedgerError::invalid(
                field,
                format!(
                    "{} in {:?} is outside the count's scope",
                    line.sku, line.bin
                ),
            )
            .under(&prefix));
        }
        if counted.insert(location, line.counted).is_some() {
            return Err(LedgerError::invalid(
                prefix,
                "counts the same SKU, bin and lot as an earlier line",
            ));
        }
    }
    let expected_locations: BTreeSet<LocationKey> = book
        .locations()
        .iter()
        .filter(|(location, &units)| units != 0 && count.scope.covers(location))
        .map(|(location, _)| location.clone())
        .collect();
    let all: BTreeSet<&LocationKey> = expected_locations.iter().chain(counted.keys()).collect();
    let reason = ReasonCode::parse(ReasonCode::CYCLE_COUNT)?;
    let mut lines = Vec::with_capacity(all.len());
    let (mut gains, mut losses) = (Vec::new(), Vec::new());
    for location in all {
        let expected = book.units_at(location);
        let reported = counted.get(location).copied();
        let found = reported.unwrap_or(0);
        let difference = found - expected;
        lines.push(CountReviewLine {
            location: location.clone(),
            expected,
            counted: found,
            difference,
            reported: reported.is_some(),
        });
        if difference != 0 {
            let (kind, list) = if difference > 0 {
                (EntryType::CountCorrectionIn, &mut gains)
            } else {
                (EntryType::CountCorrectionOut, &mut losses)
            };
            list.push(
                LedgerEntry::new(
                    location.stock.clone(),
                    kind,
                    difference.abs(),
                    reference.clone(),
                    at,
                )
                .with_bin(location.bin.clone())
                .with_lot(location.lot.clone())
                .with_user(user)
                .with_reason(reason.clone()),
            );
        }
    }
    let corrections: Vec<LedgerEntry> = gains.into_iter().chain(losses).collect();
    let mut after = book.clone();
    let mut problems = Vec::new();
    for (index, entry) in corrections.iter().enumerate() {
        if let Err(err) = after.post(entry) {
            problems.push(CountProblem {
                correction: index,
                code: err.code().to_owned(),
                reason: err.to_string(),
            });
        }
    }
    Ok(CountReview {
        count_id: count.id.clone(),
        lines,
        corrections,
        problems,
    })
}
