//! Inventory age by FIFO of receipts: which units of a stock key arrived
//! when, with outbound movements taking the oldest first, and age buckets.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use super::codes::UtcOffset;
use super::entry::{LedgerEntry, StockKey};
use super::error::LedgerError;
use crate::calendar::Date;

/// Units of one stock key that arrived on one day and are still there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Layer {
    /// The local day the units arrived.
    pub received_on: Date,
    /// Units of this arrival still in the warehouse (> 0).
    pub quantity: i64,
}

impl Layer {
    /// Age on `date` in days: 0 on the day of arrival (never negative).
    pub fn age_on(&self, date: Date) -> i32 {
        date.days_since(self.received_on).max(0)
    }
}

/// The receipt layers of one stock key, oldest first, maintained entry by
/// entry in ledger order (so a caller can stream a long ledger, or read the
/// layers at the end of each day).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReceiptLayers {
    key: Option<StockKey>,
    layers: VecDeque<Layer>,
}

impl ReceiptLayers {
    /// No layers yet.
    pub fn new() -> ReceiptLayers {
        ReceiptLayers::default()
    }

    /// The layers, oldest first.
    pub fn layers(&self) -> impl ExactSizeIterator<Item = &Layer> {
        self.layers.iter()
    }

    /// Physical units over all layers.
    pub fn quantity(&self) -> i64 {
        self.layers.iter().map(|l| l.quantity).sum()
    }

    /// Takes `entry` (the `index`-th of the ledger, for errors) into the
    /// layers; its day is its instant's local day at `offset`.
    ///
    /// Errors: an entry of another stock key than the first one taken, and
    /// an entry removing more units than the layers hold (a ledger that
    /// contradicts itself).
    pub fn take(
        &mut self,
        index: usize,
        entry: &LedgerEntry,
        offset: UtcOffset,
    ) -> Result<(), LedgerError> {
        match &self.key {
            None => self.key = Some(entry.key.clone()),
            Some(key) if *key != entry.key => {
                return Err(LedgerError::invalid(
                    format!("entries[{index}]"),
                    format!("is for {}, not {key}", entry.key),
                ))
            }
            Some(_) => {}
        }
        let change = entry.effect().physical();
        if change > 0 {
            let day = offset.date_of(entry.at);
            match self.layers.back_mut() {
                Some(last) if last.received_on == day => last.quantity += change,
                _ => self.layers.push_back(Layer {
                    received_on: day,
                    quantity: change,
                }),
            }
        } else if change < 0 {
            let mut left = -change;
            while left > 0 {
                let Some(oldest) = self.layers.front_mut() else {
                    return Err(LedgerError::Inconsistent {
                        reason: format!(
                            "entries[{index}] ({} of {} for {}) removes {left} more units than were received",
                            entry.entry_type, entry.quantity, entry.key
                        ),
                    });
                };
                let taken = left.min(oldest.quantity);
                oldest.quantity -= taken;
                left -= taken;
                if oldest.quantity == 0 {
                    self.layers.pop_front();
                }
            }
        }
        Ok(())
    }
}

/// The remaining receipt layers, oldest first, after `entries` — all of one
/// stock key, in ledger order — with days taken at `offset`.
///
/// Every entry that adds physical units (`on_hand + damaged`: receipts,
/// in-transit receipts, returns, transfers in, adjustments and count
/// corrections in) opens a layer dated on the local day of its instant;
/// every entry that removes physical units (commit, ship, transfer out,
/// adjustments and count corrections out, disposal) consumes the oldest
/// layers first. `damage` moves units between buckets and leaves layers as
/// they are; reservations and in-transit entries do not touch them. A
/// transfer in or a return starts a new layer (its age restarts at the
/// receiving warehouse); so do units found by a count.
pub fn fifo_layers<'a>(
    entries: impl IntoIterator<Item = &'a LedgerEntry>,
    offset: UtcOffset,
) -> Result<Vec<Layer>, LedgerError> {
    let mut layers = ReceiptLayers::new();
    for (index, entry) in entries.into_iter().enumerate() {
        layers.take(index, entry, offset)?;
    }
    Ok(layers.layers().copied().collect())
}

/// [`fifo_layers`] for every stock key among `entries` (in ledger order);
/// keys with no units left have an empty list.
pub fn fifo_layers_by_key<'a>(
    entries: impl IntoIterator<Item = &'a LedgerEntry>,
    offset: UtcOffset,
) -> Result<BTreeMap<StockKey, Vec<Layer>>, LedgerError> {
    let mut by_key: BTreeMap<StockKey, ReceiptLayers> = BTreeMap::new();
    for (index, entry) in entries.into_iter().enumerate() {
        by_key
            .entry(entry.key.clone())
            .or_default()
            .take(index, entry, offset)?;
    }
    Ok(by_key
        .into_iter()
        .map(|(key, layers)| (key, layers.layers().copied().collect()))
        .collect())
}

/// An age bracket, in days since arrival (0 on the day of arrival).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AgeBucket {
    /// 0 to 30 days.
    #[serde(rename = "0_30")]
    Days0To30,
    /// 31 to 90 days.
    #[serde(rename = "31_90")]
    Days31To90,
    /// 91 to 180 days.
    #[serde(rename = "91_180")]
    Days91To180,
    /// 181 to 365 days.
    #[serde(rename = "181_365")]
    Days181To365,
    /// More than 365 days.
    #[serde(rename = "over_365")]
    Over365,
}

impl AgeBucket {
    /// All buckets, youngest first.
    pub const ALL: [AgeBucket; 5] = [
        AgeBucket::Days0To30,
        AgeBucket::Days31To90,
        AgeBucket::Days91To180,
        AgeBucket::Days181To365,
        AgeBucket::Over365,
    ];

    /// The bucket of an age in days (negative ages count as 0).
    pub const fn of(age_days: i32) -> AgeBucket {
        match age_days {
            i32::MIN..=30 => AgeBucket::Days0To30,
            31..=90 => AgeBucket::Days31To90,
            91..=180 => AgeBucket::Days91To180,
            181..=365 => AgeBucket::Days181To365,
            _ => AgeBucket::Over365,
        }
    }

    /// The label, e.g. `"91–180"` or `"> 365"` (days).
    pub const fn label(self) -> &'static str {
        match self {
            AgeBucket::Days0To30 => "0–30",
            AgeBucket::Days31To90 => "31–90",
            AgeBucket::Days91To180 => "91–180",
            AgeBucket::Days181To365 => "181–365",
            AgeBucket::Over365 => "> 365",
        }
    }
}

/// Units per age bucket on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AgeProfile {
    /// The date the ages are taken on.
    pub on: Date,
    /// Units aged 0–30 days.
    pub days_0_30: i64,
    /// Units aged 31–90 days.
    pub days_31_90: i64,
    /// Units aged 91–180 days.
    pub days_91_180: i64,
    /// Units aged 181–365 days.
    pub days_181_365: i64,
    /// Units aged more than 365 days.
    pub days_over_365: i64,
}

impl AgeProfile {
    /// Units in `bucket`.
    pub const fn get(&self, bucket: AgeBucket) -> i64 {
        match bucket {
            AgeBucket::Days0To30 => self.days_0_30,
            AgeBucket::Days31To90 => self.days_31_90,
            AgeBucket::Days91To180 => self.days_91_180,
            AgeBucket::Days181To365 => self.days_181_365,
            AgeBucket::Over365 => self.days_over_365,
        }
    }

    /// Units over all buckets.
    pub const fn total(&self) -> i64 {
        self.days_0_30 + self.days_31_90 + self.days_91_180 + self.days_181_365 + self.days_over_365
    }
}

/// The units of `layers` per age bucket on `on`.
pub fn age_profile<'a>(layers: impl IntoIterator<Item = &'a Layer>, on: Date) -> AgeProfile {
    let mut profile = AgeProfile {
        on,
        days_0_30: 0,
        days_31_90: 0,
        days_91_180: 0,
        days_181_365: 0,
        days_over_365: 0,
    };
    for layer in layers {
        let slot = match AgeBucket::of(layer.age_on(on)) {
            AgeBucket::Days0To30 => &mut profile.days_0_30,
            AgeBucket::Days31To90 => &mut profile.days_31_90,
            AgeBucket::Days91To180 => &mut profile.days_91_180,
            AgeBucket::Days181To365 => &mut profile.days_181_365,
            AgeBucket::Over365 => &mut profile.days_over_365,
        };
        *slot += layer.quantity;
    }
    profile
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_edges() {
        let cases = [
            (-3, AgeBucket::Days0To30),
            (0, AgeBucket::Days0To30),
            (30, AgeBucket::Days0To30),
            (31, AgeBucket::Days31To90),
            (90, AgeBucket::Days31To90),
            (91, AgeBucket::Days91To180),
            (180, AgeBucket::Days91To180),
            (181, AgeBucket::Days181To365),
            (365, AgeBucket::Days181To365),
            (366, AgeBucket::Over365),
        ];
        for (age, bucket) in cases {
            assert_eq!(AgeBucket::of(age), bucket, "{age}");
        }
        assert_eq!(
            serde_json::to_string(&AgeBucket::Over365).unwrap(),
            "\"over_365\""
        );
        assert_eq!(AgeBucket::Days91To180.label(), "91–180");
    }

    #[test]
    fn profile_sums_layers_by_age() {
        let on = Date::parse("2026-10-31").unwrap();
        let layer = |date: &str, quantity| Layer {
            received_on: Date::parse(date).unwrap(),
            quantity,
        };
        let layers = [
            layer("2025-10-30", 1),  // 366 days
            layer("2025-10-31", 2),  // 365
            layer("2026-05-03", 4),  // 181
            layer("2026-08-02", 8),  // 90
            layer("2026-10-01", 16), // 30
        ];
        let p = age_profile(&layers, on);
        assert_eq!(AgeBucket::ALL.map(|b| p.get(b)), [16, 8, 0, 6, 1]);
        assert_eq!(p.total(), 31);
    }
}
