//! `StockBook`: balances and bin stock kept together, changed only by
//! posting checked entries — the in-memory model of the store's caches.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::balance::{apply, fold, insufficient, Balance};
use super::codes::{BinCode, LotCode};
use super::entry::{LedgerEntry, StockKey};
use super::error::{Bucket, LedgerError};

/// Where units physically are: a stock key, a bin (none = unlocated) and a lot.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LocationKey {
    /// Whose stock of what, in which warehouse.
    #[serde(flatten)]
    pub stock: StockKey,
    /// The bin, or `None` for unlocated units.
    pub bin: Option<BinCode>,
    /// The lot, when tracked.
    pub lot: Option<LotCode>,
}

impl LocationKey {
    /// The location an entry's own `bin` and `lot` name.
    pub fn of(entry: &LedgerEntry) -> LocationKey {
        LocationKey {
            stock: entry.key.clone(),
            bin: entry.bin.clone(),
            lot: entry.lot.clone(),
        }
    }
}

/// The units at each location that the ledger gives (physical units:
/// sellable and damaged), summed without refusing anything.
pub fn fold_locations<'a>(
    entries: impl IntoIterator<Item = &'a LedgerEntry>,
) -> HashMap<LocationKey, i64> {
    let mut locations: HashMap<LocationKey, i64> = HashMap::new();
    for entry in entries {
        for change in entry.location_moves() {
            let key = LocationKey {
                stock: entry.key.clone(),
                bin: change.bin.cloned(),
                lot: entry.lot.clone(),
            };
            let units = locations.entry(key).or_insert(0);
            *units = units.saturating_add(change.delta);
        }
    }
    locations
}

/// A location whose cached units differ from the ledger's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocationDifference {
    /// The location.
    pub key: LocationKey,
    /// Units the cache says (0 when it has no row).
    pub cached: i64,
    /// Units the ledger says.
    pub ledger: i64,
}

/// Compares cached bin stock with the ledger's; sorted by key, a missing
/// row counting as zero.
pub fn verify_locations<'a>(
    cache: &HashMap<LocationKey, i64>,
    entries: impl IntoIterator<Item = &'a LedgerEntry>,
) -> Vec<LocationDifference> {
    let ledger = fold_locations(entries);
    let mut differences: Vec<LocationDifference> = Vec::new();
    for (key, &cached) in cache {
        let from_ledger = ledger.get(key).copied().unwrap_or(0);
        if cached != from_ledger {
            differences.push(LocationDifference {
                key: key.clone(),
                cached,
                ledger: from_ledger,
            });
        }
    }
    for (key, &from_ledger) in &ledger {
        if from_ledger != 0 && !cache.contains_key(key) {
            differences.push(LocationDifference {
                key: key.clone(),
                cached: 0,
                ledger: from_ledger,
            });
        }
    }
    differences.sort_by(|a, b| a.key.cmp(&b.key));
    differences
}

/// Balances per (seller, SKU, warehouse) and units per location, changed
/// only by [`StockBook::post`], which refuses any entry that would take a
/// bucket, `available` or a location below zero. The store keeps the same
/// two caches in tables; this is their reference behaviour.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StockBook {
    balances: HashMap<StockKey, Balance>,
    locations: HashMap<LocationKey, i64>,
}

impl StockBook {
    /// An empty book.
    pub fn new() -> StockBook {
        StockBook::default()
    }

    /// The book the ledger gives ([`fold`] and [`fold_locations`]).
    pub fn from_ledger<'a>(entries: impl IntoIterator<Item = &'a LedgerEntry> + Clone) -> Self {
        StockBook {
            balances: fold(entries.clone()),
            locations: fold_locations(entries),
        }
    }

    /// A book over caches read back from the store (for counts and checks
    /// on the keys concerned).
    pub fn from_parts(
        balances: HashMap<StockKey, Balance>,
        locations: HashMap<LocationKey, i64>,
    ) -> StockBook {
        StockBook {
            balances,
            locations,
        }
    }

    /// The balance of `key` (zero when it has none).
    pub fn balance(&self, key: &StockKey) -> Balance {
        self.balances.get(key).copied().unwrap_or_default()
    }

    /// Units at `location` (0 when none).
    pub fn units_at(&self, location: &LocationKey) -> i64 {
        self.locations.get(location).copied().unwrap_or(0)
    }

    /// Every balance.
    pub fn balances(&self) -> &HashMap<StockKey, Balance> {
        &self.balances
    }

    /// Every location with its units (zeros included once touched).
    pub fn locations(&self) -> &HashMap<LocationKey, i64> {
        &self.locations
    }

    /// Checks `entry` against the book without changing it: what
    /// [`StockBook::post`] would refuse.
    pub fn check(&self, entry: &LedgerEntry) -> Result<(), LedgerError> {
        self.changes(entry).map(|_| ())
    }

    /// Posts `entry`: its balance and locations change together, or — when
    /// refused — nothing changes.
    pub fn post(&mut self, entry: &LedgerEntry) -> Result<(), LedgerError> {
        let (balance, moves) = self.changes(entry)?;
        self.balances.insert(entry.key.clone(), balance);
        for (location, units) in moves {
            self.locations.insert(location, units);
        }
        Ok(())
    }

    /// The new balance and location units `entry` would give, or why not.
    #[allow(clippy::type_complexity)]
    fn changes(
        &self,
        entry: &LedgerEntry,
    ) -> Result<(Balance, Vec<(LocationKey, i64)>), LedgerError> {
        let mut balance = self.balance(&entry.key);
        apply(&mut balance, entry)?;
        let mut moves = Vec::with_capacity(2);
        for change in entry.location_moves() {
            let location = LocationKey {
                stock: entry.key.clone(),
                bin: change.bin.cloned(),
                lot: entry.lot.clone(),
            };
            let have = self.units_at(&location);
            let now = have.checked_add(change.delta).ok_or_else(|| {
                LedgerError::overflow("quantity", format!("units {have} + {}", change.delta))
            })?;
            if change.delta < 0 && now < 0 {
                // Name the bin the units were missing from.
                let mut at = entry.clone();
                at.bin = location.bin.clone();
                return Err(insufficient(&at, Bucket::Location, have));
            }
            moves.push((location, now));
        }
        Ok((balance, moves))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Sku;
    use crate::inventory::codes::{Reference, ReferenceKind};
    use crate::inventory::entry::EntryType;

    fn entry(t: EntryType, q: i64, bin: Option<&str>) -> LedgerEntry {
        let key = StockKey::new(3, Sku::parse("LAMP-01").unwrap(), 7);
        let reference = Reference::new(ReferenceKind::Order, "SO-1").unwrap();
        LedgerEntry::new(key, t, q, reference, 1_000)
            .with_bin(bin.map(|b| BinCode::parse(b).unwrap()))
    }

    #[test]
    fn receive_putaway_pick_commit() {
        let mut book = StockBook::new();
        let steps = [
            entry(EntryType::Receipt, 10, None),
            entry(EntryType::Putaway, 6, Some("A-1")),
            entry(EntryType::Reservation, 2, None),
            entry(EntryType::Pick, 2, Some("A-1")),
            entry(EntryType::Commit, 2, None),
        ];
        for e in &steps {
            book.post(e).unwrap();
        }
        let at = |bin: Option<&str>| LocationKey {
            bin: bin.map(|b| BinCode::parse(b).unwrap()),
            ..LocationKey::of(&steps[0])
        };
        assert_eq!(book.units_at(&at(Some("A-1"))), 4);
        assert_eq!(book.units_at(&at(None)), 4);
        let b = book.balance(&steps[0].key);
        assert_eq!((b.on_hand, b.reserved, b.available()), (8, 0, 8));
        assert_eq!(StockBook::from_ledger(&steps), book);
    }

    #[test]
    fn a_bin_cannot_give_more_than_it_holds() {
        let mut book = StockBook::new();
        book.post(&entry(EntryType::Receipt, 5, Some("A-1")))
            .unwrap();
        let before = book.clone();
        let err = book
            .post(&entry(EntryType::Ship, 1, Some("B-2")))
            .unwrap_err();
        assert_eq!(book, before);
        assert_eq!(
            err.to_string(),
            "quantity: ship of 1 refused for LAMP-01 of seller 3 at warehouse 7: only 0 in bin B-2"
        );
        let err = book
            .check(&entry(EntryType::Putaway, 1, Some("B-2")))
            .unwrap_err();
        assert!(err.to_string().ends_with("only 0 without a bin"), "{err}");
        assert!(book.check(&entry(EntryType::Pick, 5, Some("A-1"))).is_ok());
    }

    #[test]
    fn verify_locations_reports_drift() {
        let ledger = [entry(EntryType::Receipt, 5, Some("A-1"))];
        let mut cache = fold_locations(&ledger);
        assert!(verify_locations(&cache, &ledger).is_empty());
        cache.insert(LocationKey::of(&ledger[0]), 4);
        let diffs = verify_locations(&cache, &ledger);
        assert_eq!((diffs[0].cached, diffs[0].ledger), (4, 5));
        let diffs = verify_locations(&HashMap::new(), &ledger);
        assert_eq!((diffs[0].cached, diffs[0].ledger), (0, 5));
    }
}
