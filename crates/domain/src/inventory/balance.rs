//! Balances: the buckets of one (seller, SKU, warehouse), derived from the
//! ledger; the checked `apply` that keeps a cache from ever going below
//! zero; `fold` to rebuild caches; `verify` to compare them.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::entry::{BucketDelta, LedgerEntry, StockKey};
use super::error::{Bucket, LedgerError};

/// The stock of one (seller, SKU, warehouse), in units.
///
/// Derived from the ledger; a cached copy is only ever changed through
/// [`apply`], which keeps every bucket and `available` at zero or above.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Balance {
    /// Sellable units in the warehouse (reserved or not).
    pub on_hand: i64,
    /// Units promised to orders and checkout holds.
    pub reserved: i64,
    /// Units on shipped inbound shipments not yet received.
    pub in_transit: i64,
    /// Damaged (unsellable) units still in the warehouse.
    pub damaged: i64,
}

impl Balance {
    /// Units that can still be promised: `on_hand − reserved`.
    pub const fn available(&self) -> i64 {
        self.on_hand - self.reserved
    }

    /// Units occupying space (aged and charged storage): `on_hand + damaged`.
    pub const fn physical(&self) -> i64 {
        self.on_hand + self.damaged
    }

    /// Whether every bucket is zero.
    pub fn is_zero(&self) -> bool {
        *self == Balance::default()
    }

    /// The value of `bucket` (`Location` has no meaning here and is 0).
    pub const fn get(&self, bucket: Bucket) -> i64 {
        match bucket {
            Bucket::OnHand => self.on_hand,
            Bucket::Reserved => self.reserved,
            Bucket::InTransit => self.in_transit,
            Bucket::Damaged => self.damaged,
            Bucket::Available => self.available(),
            Bucket::Location => 0,
        }
    }

    /// Whether `quantity` more units can be reserved: the condition of the
    /// store's `… SET reserved = reserved + n WHERE on_hand - reserved >= n`.
    pub const fn can_reserve(&self, quantity: i64) -> bool {
        quantity > 0 && self.available() >= quantity
    }

    /// Adds `delta` without checks, saturating at the `i64` limits (used
    /// by [`fold`], where the ledger is the truth).
    fn add_unchecked(&mut self, delta: BucketDelta) {
        self.on_hand = self.on_hand.saturating_add(delta.on_hand);
        self.reserved = self.reserved.saturating_add(delta.reserved);
        self.in_transit = self.in_transit.saturating_add(delta.in_transit);
        self.damaged = self.damaged.saturating_add(delta.damaged);
    }
}

/// The buckets checked by [`apply`], in the order they are reported.
const CHECKED: [Bucket; 5] = [
    Bucket::Reserved,
    Bucket::InTransit,
    Bucket::Damaged,
    Bucket::OnHand,
    Bucket::Available,
];

/// Applies `entry` to `balance`, or refuses it and leaves `balance` as it was.
///
/// Refused: an invalid entry ([`LedgerEntry::validate`]), and any entry
/// that would take `on_hand`, `reserved`, `in_transit`, `damaged` or
/// `available` below zero — e.g. reserving more than is available,
/// releasing or committing more than is reserved, shipping reserved units
/// with `ship`. A bucket only counts as broken when the entry lowers it, so
/// a cache that is somehow already wrong can still take receipts.
///
/// The caller keys the balance: `balance` must be the one of `entry.key`.
pub fn apply(balance: &mut Balance, entry: &LedgerEntry) -> Result<(), LedgerError> {
    entry.validate()?;
    let delta = entry.effect();
    let add = |have: i64, change: i64, name: &str| {
        have.checked_add(change)
            .ok_or_else(|| LedgerError::overflow("quantity", format!("{name} {have} + {change}")))
    };
    let after = Balance {
        on_hand: add(balance.on_hand, delta.on_hand, "on_hand")?,
        reserved: add(balance.reserved, delta.reserved, "reserved")?,
        in_transit: add(balance.in_transit, delta.in_transit, "in_transit")?,
        damaged: add(balance.damaged, delta.damaged, "damaged")?,
    };
    for bucket in CHECKED {
        let (have, now) = (balance.get(bucket), after.get(bucket));
        if now < have && now < 0 {
            return Err(insufficient(entry, bucket, have));
        }
    }
    *balance = after;
    Ok(())
}

pub(crate) fn insufficient(entry: &LedgerEntry, bucket: Bucket, have: i64) -> LedgerError {
    let have_text = match (bucket, &entry.bin) {
        (Bucket::Location, Some(bin)) => format!("only {have} in bin {bin}"),
        (Bucket::Location, None) => format!("only {have} without a bin"),
        (other, _) => format!("only {have} {}", other.as_str().replace('_', " ")),
    };
    LedgerError::Insufficient {
        bucket,
        have,
        need: entry.quantity,
        reason: format!(
            "{} of {} refused for {}: {have_text}",
            entry.entry_type, entry.quantity, entry.key
        ),
    }
}

/// The balances the ledger gives: every entry's effect summed per key, in
/// any order, without refusing anything (the ledger is the truth). Keys
/// whose entries cancel out are kept, with a zero balance.
pub fn fold<'a>(entries: impl IntoIterator<Item = &'a LedgerEntry>) -> HashMap<StockKey, Balance> {
    let mut balances: HashMap<StockKey, Balance> = HashMap::new();
    for entry in entries {
        let delta = entry.effect();
        match balances.get_mut(&entry.key) {
            Some(balance) => balance.add_unchecked(delta),
            None => {
                let mut balance = Balance::default();
                balance.add_unchecked(delta);
                balances.insert(entry.key.clone(), balance);
            }
        }
    }
    balances
}

/// A key whose cached balance differs from the ledger's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    /// Whose stock of what, where.
    pub key: StockKey,
    /// What the cache says (zero when the cache has no row).
    pub cached: Balance,
    /// What the ledger says (zero when it has no entry).
    pub ledger: Balance,
}

impl Difference {
    /// The buckets that differ, in `on_hand, reserved, in_transit, damaged` order.
    pub fn buckets(&self) -> Vec<Bucket> {
        [
            Bucket::OnHand,
            Bucket::Reserved,
            Bucket::InTransit,
            Bucket::Damaged,
        ]
        .into_iter()
        .filter(|&b| self.cached.get(b) != self.ledger.get(b))
        .collect()
    }
}

/// Compares a cached balance map with the one recomputed from `entries`;
/// see [`compare`].
pub fn verify<'a>(
    cache: &HashMap<StockKey, Balance>,
    entries: impl IntoIterator<Item = &'a LedgerEntry>,
) -> Vec<Difference> {
    compare(cache, &fold(entries))
}

/// The keys whose balances differ between `cache` and `ledger`, sorted by
/// key. A key missing on one side counts as a zero balance there, so a
/// cached all-zero row with no entries is not a difference.
pub fn compare(
    cache: &HashMap<StockKey, Balance>,
    ledger: &HashMap<StockKey, Balance>,
) -> Vec<Difference> {
    let mut differences: Vec<Difference> = Vec::new();
    for (key, cached) in cache {
        let from_ledger = ledger.get(key).copied().unwrap_or_default();
        if *cached != from_ledger {
            differences.push(Difference {
                key: key.clone(),
                cached: *cached,
                ledger: from_ledger,
            });
        }
    }
    for (key, from_ledger) in ledger {
        if !cache.contains_key(key) && !from_ledger.is_zero() {
            differences.push(Difference {
                key: key.clone(),
                cached: Balance::default(),
                ledger: *from_ledger,
            });
        }
    }
    differences.sort_by(|a, b| a.key.cmp(&b.key));
    differences
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Sku;
    use crate::inventory::codes::{Reference, ReferenceKind};
    use crate::inventory::entry::EntryType;

    fn key(sku: &str) -> StockKey {
        StockKey::new(3, Sku::parse(sku).unwrap(), 7)
    }

    fn entry(sku: &str, t: EntryType, q: i64) -> LedgerEntry {
        let reference = Reference::new(ReferenceKind::Order, "SO-1").unwrap();
        LedgerEntry::new(key(sku), t, q, reference, 1_000)
    }

    #[test]
    fn refusal_leaves_the_balance_unchanged_and_names_the_bucket() {
        let mut b = Balance {
            on_hand: 10,
            reserved: 8,
            ..Balance::default()
        };
        let before = b;
        let err = apply(&mut b, &entry("LAMP-01", EntryType::Reservation, 3)).unwrap_err();
        assert_eq!(b, before);
        match &err {
            LedgerError::Insufficient {
                bucket, have, need, ..
            } => assert_eq!((*bucket, *have, *need), (Bucket::Available, 2, 3)),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            err.to_string(),
            "quantity: reservation of 3 refused for LAMP-01 of seller 3 at warehouse 7: only 2 available"
        );
        let err = apply(&mut b, &entry("LAMP-01", EntryType::Release, 9)).unwrap_err();
        assert!(matches!(
            err,
            LedgerError::Insufficient {
                bucket: Bucket::Reserved,
                ..
            }
        ));
        assert!(b.can_reserve(2) && !b.can_reserve(3) && !b.can_reserve(0));
    }

    #[test]
    fn an_already_wrong_cache_still_takes_receipts() {
        let mut b = Balance {
            on_hand: -2,
            ..Balance::default()
        };
        apply(&mut b, &entry("LAMP-01", EntryType::Receipt, 5)).unwrap();
        assert_eq!(b.on_hand, 3);
    }

    #[test]
    fn verify_reports_each_side_and_ignores_zero_rows() {
        let ledger = [
            entry("LAMP-01", EntryType::Receipt, 10),
            entry("LAMP-01", EntryType::Reservation, 4),
            entry("LAMP-02", EntryType::InTransitIn, 6),
            entry("LAMP-04", EntryType::Receipt, 1),
            entry("LAMP-04", EntryType::AdjustmentOut, 1)
                .with_reason(crate::inventory::ReasonCode::parse("lost").unwrap()),
        ];
        let mut cache = HashMap::new();
        cache.insert(
            key("LAMP-01"),
            Balance {
                on_hand: 10,
                reserved: 5,
                ..Balance::default()
            },
        );
        cache.insert(key("LAMP-03"), Balance::default());
        cache.insert(
            key("LAMP-05"),
            Balance {
                damaged: 1,
                ..Balance::default()
            },
        );
        let diffs = verify(&cache, &ledger);
        let summary: Vec<_> = diffs
            .iter()
            .map(|d| (d.key.sku.as_str(), d.buckets()))
            .collect();
        assert_eq!(
            summary,
            [
                ("LAMP-01", vec![Bucket::Reserved]),
                ("LAMP-02", vec![Bucket::InTransit]),
                ("LAMP-05", vec![Bucket::Damaged]),
            ]
        );
        assert_eq!(diffs[1].cached, Balance::default());
        assert_eq!(diffs[1].ledger.in_transit, 6);
        let rebuilt = fold(&ledger);
        assert!(verify(&rebuilt, &ledger).is_empty());
        assert!(rebuilt[&key("LAMP-04")].is_zero());
    }
}
