//! Reservations: holds on available stock for an order or a checkout, with
//! optional expiry, and the entries that place, release and commit them.
//!
//! The store places a hold with one conditional update
//! (`… SET reserved = reserved + n WHERE on_hand - reserved >= n`) and
//! appends the `reservation` entry in the same transaction; the domain gives
//! the entries and the rule ([`Balance::can_reserve`](super::Balance::can_reserve),
//! [`apply`](super::apply)).

use serde::{Deserialize, Serialize};

use super::codes::Reference;
use super::entry::{EntryType, LedgerEntry, StockKey};
use super::error::LedgerError;

/// Units of one stock key held for one document (order or checkout).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    /// Whose stock of what, where.
    pub key: StockKey,
    /// The order or checkout the units are held for.
    pub reference: Reference,
    /// Units still held (> 0).
    pub quantity: i64,
    /// When it was placed, in ms since the epoch.
    pub placed_at: i64,
    /// When it lapses, in ms since the epoch; `None` holds until released
    /// or committed (orders). Checkout holds set it.
    pub expires_at: Option<i64>,
}

impl Hold {
    /// A hold of `quantity` units and the `reservation` entry that places it.
    ///
    /// Refused (naming the field): a quantity ≤ 0, an expiry not after
    /// `at`, and whatever [`LedgerEntry::validate`] refuses. Whether the
    /// units are available is for [`apply`](super::apply) (or the store's
    /// conditional update) to say.
    pub fn place(
        key: StockKey,
        quantity: i64,
        reference: Reference,
        user: Option<i64>,
        at: i64,
        expires_at: Option<i64>,
    ) -> Result<(Hold, LedgerEntry), LedgerError> {
        if let Some(expiry) = expires_at {
            if expiry <= at {
                return Err(LedgerError::invalid(
                    "expires_at",
                    format!("{expiry} ms must be after the hold is placed ({at} ms)"),
                ));
            }
        }
        let entry = LedgerEntry::new(
            key.clone(),
            EntryType::Reservation,
            quantity,
            reference.clone(),
            at,
        )
        .with_user(user);
        entry.validate()?;
        let hold = Hold {
            key,
            reference,
            quantity,
            placed_at: at,
            expires_at,
        };
        Ok((hold, entry))
    }

    /// Whether the hold has lapsed at `now` (its expiry is at or before `now`).
    pub fn is_expired(&self, now: i64) -> bool {
        self.expires_at.is_some_and(|expiry| expiry <= now)
    }

    /// The `release` entry giving back every unit still held.
    pub fn release(&self, user: Option<i64>, at: i64) -> LedgerEntry {
        self.entry(EntryType::Release, self.quantity, user, at)
    }

    /// The `commit` entry shipping `quantity` held units (all or part) and
    /// the hold left over (`None` when nothing remains). The entry has no
    /// bin: after a pick the units are unlocated; set one with
    /// [`LedgerEntry::with_bin`] when shipping straight from a bin.
    ///
    /// Refused: a quantity ≤ 0 or more than the hold holds.
    pub fn commit(
        &self,
        quantity: i64,
        user: Option<i64>,
        at: i64,
    ) -> Result<(LedgerEntry, Option<Hold>), LedgerError> {
        if quantity <= 0 || quantity > self.quantity {
            return Err(LedgerError::invalid(
                "quantity",
                format!(
                    "{quantity} cannot be committed from a hold of {} units",
                    self.quantity
                ),
            ));
        }
        let entry = self.entry(EntryType::Commit, quantity, user, at);
        let rest = (quantity < self.quantity).then(|| Hold {
            quantity: self.quantity - quantity,
            ..self.clone()
        });
        Ok((entry, rest))
    }

    fn entry(&self, t: EntryType, quantity: i64, user: Option<i64>, at: i64) -> LedgerEntry {
        LedgerEntry::new(self.key.clone(), t, quantity, self.reference.clone(), at).with_user(user)
    }
}

/// The holds that have lapsed at `now`, in the order given: what the
/// sweeper releases.
pub fn expired(holds: &[Hold], now: i64) -> Vec<&Hold> {
    holds.iter().filter(|h| h.is_expired(now)).collect()
}

/// The `release` entries the sweeper posts at `now` for the lapsed holds,
/// as the system (no user).
pub fn sweep(holds: &[Hold], now: i64) -> Vec<LedgerEntry> {
    expired(holds, now)
        .into_iter()
        .map(|h| h.release(None, now))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Sku;
    use crate::inventory::codes::ReferenceKind;

    fn key() -> StockKey {
        StockKey::new(3, Sku::parse("LAMP-01").unwrap(), 7)
    }

    fn checkout(id: &str) -> Reference {
        Reference::new(ReferenceKind::Checkout, id).unwrap()
    }

    #[test]
    fn place_commit_in_parts_and_release() {
        let (hold, entry) =
            Hold::place(key(), 5, checkout("C-1"), Some(9), 1_000, Some(901_000)).unwrap();
        assert_eq!(entry.entry_type, EntryType::Reservation);
        assert_eq!((entry.quantity, entry.user), (5, Some(9)));
        let (commit, rest) = hold.commit(3, Some(9), 2_000).unwrap();
        assert_eq!((commit.entry_type, commit.quantity), (EntryType::Commit, 3));
        let rest = rest.unwrap();
        assert_eq!(rest.quantity, 2);
        let (_, none) = rest.commit(2, None, 3_000).unwrap();
        assert!(none.is_none());
        let release = rest.release(None, 3_000);
        assert_eq!(
            (release.entry_type, release.quantity),
            (EntryType::Release, 2)
        );
        assert!(hold.commit(6, None, 2_000).is_err());
        assert!(hold.commit(0, None, 2_000).is_err());
    }

    #[test]
    fn refuses_bad_holds() {
        let err = Hold::place(key(), 0, checkout("C-1"), None, 1_000, None).unwrap_err();
        assert_eq!(err.field(), Some("quantity"));
        let err = Hold::place(key(), 1, checkout("C-1"), None, 1_000, Some(1_000)).unwrap_err();
        assert_eq!(err.field(), Some("expires_at"));
    }

    #[test]
    fn the_sweeper_releases_only_lapsed_holds() {
        let holds: Vec<Hold> = [
            ("C-1", Some(5_000)),
            ("C-2", None),
            ("C-3", Some(4_999)),
            ("C-4", Some(5_001)),
        ]
        .into_iter()
        .map(|(id, expiry)| {
            Hold::place(key(), 1, checkout(id), None, 1_000, expiry)
                .unwrap()
                .0
        })
        .collect();
        let lapsed: Vec<&str> = expired(&holds, 5_000)
            .iter()
            .map(|h| h.reference.id.as_str())
            .collect();
        assert_eq!(lapsed, ["C-1", "C-3"]);
        let entries = sweep(&holds, 5_000);
        assert_eq!(entries.len(), 2);
        assert!(entries
            .iter()
            .all(|e| e.entry_type == EntryType::Release && e.user.is_none() && e.at == 5_000));
    }
}
