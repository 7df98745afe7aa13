//! Ledger entries: one append-only record per stock movement, and the
//! explicit effect of each entry type on the buckets and on bin stock (the
//! table is on [`EntryType`]).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::codes::{BinCode, LotCode, ReasonCode, Reference};
use super::error::LedgerError;
use crate::catalog::Sku;

/// Whose stock of what, where: the key of a stock balance.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StockKey {
    /// The seller (organisation id) that owns the stock.
    pub seller: i64,
    /// The seller's SKU.
    pub sku: Sku,
    /// The warehouse id.
    pub warehouse: i64,
}

impl StockKey {
    /// The key of `seller`'s `sku` at `warehouse`.
    pub fn new(seller: i64, sku: Sku, warehouse: i64) -> StockKey {
        StockKey {
            seller,
            sku,
            warehouse,
        }
    }
}

impl fmt::Display for StockKey {
    /// `LAMP-01 of seller 3 at warehouse 7`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} of seller {} at warehouse {}",
            self.sku, self.seller, self.warehouse
        )
    }
}

/// What a ledger entry records. The serde/DB names are the snake_case
/// names in the table below and are stable.
///
/// Quantities are always positive; the entry type gives the sign. The
/// effect of `q` units on a stock balance (seller, SKU, warehouse):
///
/// | type                   | on_hand | reserved | in_transit | damaged | bin stock (`bin`; none = unlocated) |
/// |------------------------|:-------:|:--------:|:----------:|:-------:|-------------------------------------|
/// | `in_transit_in`        |         |          |    +q      |         | —                                   |
/// | `in_transit_cancel`    |         |          |    −q      |         | —                                   |
/// | `in_transit_receipt`   |   +q    |          |    −q      |         | +q at `bin`                         |
/// | `receipt`              |   +q    |          |            |         | +q at `bin`                         |
/// | `return`               |   +q    |          |            |         | +q at `bin`                         |
/// | `transfer_in`          |   +q    |          |            |         | +q at `bin`                         |
/// | `transfer_out`         |   −q    |          |            |         | −q at `bin`                         |
/// | `putaway`              |         |          |            |         | −q unlocated, +q at `bin`           |
/// | `pick`                 |         |          |            |         | −q at `bin`, +q unlocated           |
/// | `reservation`          |         |    +q    |            |         | —                                   |
/// | `release`              |         |    −q    |            |         | —                                   |
/// | `commit`               |   −q    |    −q    |            |         | −q at `bin`                         |
/// | `ship`                 |   −q    |          |            |         | −q at `bin`                         |
/// | `adjustment_in`        |   +q    |          |            |         | +q at `bin`                         |
/// | `adjustment_out`       |   −q    |          |            |         | −q at `bin`                         |
/// | `count_correction_in`  |   +q    |          |            |         | +q at `bin`                         |
/// | `count_correction_out` |   −q    |          |            |         | −q at `bin`                         |
/// | `damage`               |   −q    |          |            |   +q    | — (the units stay where they are)   |
/// | `disposal`             |         |          |            |   −q    | −q at `bin`                         |
///
/// `available = on_hand − reserved` is derived. Physical stock (what
/// occupies space, is aged and is charged storage) is `on_hand + damaged`.
///
/// Why this shape:
/// - An inbound shipment (ASN) posts `in_transit_in` when shipped; receiving
///   posts `in_transit_receipt` for what arrived against it, `receipt` for
///   units over the ASN, and `in_transit_cancel` for units short (or a
///   cancelled ASN). Units found damaged on arrival are received, then
///   moved with `damage`.
/// - Reservations are per warehouse, not per bin (`bin` and `lot` must be
///   empty on `reservation`, `release` and the in-transit entries).
/// - Bins are optional. Units with no bin are "unlocated": the receiving
///   dock and packing station of a warehouse with bins, or everything in a
///   warehouse without bins. `putaway` moves units from unlocated into a bin;
///   `pick` moves them from a bin back to unlocated (the packing station),
///   from where `commit`/`ship` take them. A warehouse without bins never
///   posts `putaway` or `pick`.
/// - `commit` ships reserved units (the usual order path); `ship` ships
///   unreserved units and so needs them available.
/// - A transfer is two entries posted together: `transfer_out` at the
///   source and `transfer_in` at the destination, each naming the other
///   warehouse. A long-haul move goes by ASN instead, so it shows in transit.
/// - `damage` makes units unsellable but keeps them on the shelf (and on the
///   storage bill); `disposal` removes damaged units for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryType {
    /// Units shipped on an inbound shipment towards this warehouse.
    InTransitIn,
    /// Units of an inbound shipment that will not arrive (short, cancelled).
    InTransitCancel,
    /// Units received against a shipped inbound shipment.
    InTransitReceipt,
    /// Units received without (or beyond) an inbound shipment.
    Receipt,
    /// Units returned by a customer, back in sellable stock.
    Return,
    /// Units arriving from another warehouse (`counterpart_warehouse`).
    TransferIn,
    /// Units leaving for another warehouse (`counterpart_warehouse`).
    TransferOut,
    /// Units moved from the unlocated area into `bin`.
    Putaway,
    /// Units moved from `bin` to the unlocated area (packing station).
    Pick,
    /// Units promised to an order or checkout hold.
    Reservation,
    /// A promise withdrawn (order cancelled, hold expired).
    Release,
    /// Reserved units shipped: the promise is kept and the units leave.
    Commit,
    /// Unreserved units shipped.
    Ship,
    /// Units added by an adjustment (needs `reason_code`).
    AdjustmentIn,
    /// Units removed by an adjustment (needs `reason_code`).
    AdjustmentOut,
    /// Units found by a count (needs `reason_code`).
    CountCorrectionIn,
    /// Units missing at a count (needs `reason_code`).
    CountCorrectionOut,
    /// Sellable units found damaged (needs `reason_code`).
    Damage,
    /// Damaged units destroyed or written off (needs `reason_code`).
    Disposal,
}

/// Where an entry type moves units between bins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LocationRule {
    /// Bin stock does not change.
    None,
    /// `sign × q` at the entry's bin (unlocated when it has none).
    AtBin(i64),
    /// −q unlocated, +q at the bin.
    Putaway,
    /// −q at the bin, +q unlocated.
    Pick,
}

impl EntryType {
    /// Every type, in the table's order.
    pub const ALL: [EntryType; 19] = [
        EntryType::InTransitIn,
        EntryType::InTransitCancel,
        EntryType::InTransitReceipt,
        EntryType::Receipt,
        EntryType::Return,
        EntryType::TransferIn,
        EntryType::TransferOut,
        EntryType::Putaway,
        EntryType::Pick,
        EntryType::Reservation,
        EntryType::Release,
        EntryType::Commit,
        EntryType::Ship,
        EntryType::AdjustmentIn,
        EntryType::AdjustmentOut,
        EntryType::CountCorrectionIn,
        EntryType::CountCorrectionOut,
        EntryType::Damage,
        EntryType::Disposal,
    ];

    /// The stable snake_case name, e.g. `"in_transit_receipt"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            EntryType::InTransitIn => "in_transit_in",
            EntryType::InTransitCancel => "in_transit_cancel",
            EntryType::InTransitReceipt => "in_transit_receipt",
            EntryType::Receipt => "receipt",
            EntryType::Return => "return",
            EntryType::TransferIn => "transfer_in",
            EntryType::TransferOut => "transfer_out",
            EntryType::Putaway => "putaway",
            EntryType::Pick => "pick",
            EntryType::Reservation => "reservation",
            EntryType::Release => "release",
            EntryType::Commit => "commit",
            EntryType::Ship => "ship",
            EntryType::AdjustmentIn => "adjustment_in",
            EntryType::AdjustmentOut => "adjustment_out",
            EntryType::CountCorrectionIn => "count_correction_in",
            EntryType::CountCorrectionOut => "count_correction_out",
            EntryType::Damage => "damage",
            EntryType::Disposal => "disposal",
        }
    }

    /// The effect of one unit (the module table with q = 1).
    pub const fn unit_effect(self) -> BucketDelta {
        let (on_hand, reserved, in_transit, damaged) = match self {
            EntryType::InTransitIn => (0, 0, 1, 0),
            EntryType::InTransitCancel => (0, 0, -1, 0),
            EntryType::InTransitReceipt => (1, 0, -1, 0),
            EntryType::Receipt
            | EntryType::Return
            | EntryType::TransferIn
            | EntryType::AdjustmentIn
            | EntryType::CountCorrectionIn => (1, 0, 0, 0),
            EntryType::TransferOut
            | EntryType::Ship
            | EntryType::AdjustmentOut
            | EntryType::CountCorrectionOut => (-1, 0, 0, 0),
            EntryType::Putaway | EntryType::Pick => (0, 0, 0, 0),
            EntryType::Reservation => (0, 1, 0, 0),
            EntryType::Release => (0, -1, 0, 0),
            EntryType::Commit => (-1, -1, 0, 0),
            EntryType::Damage => (-1, 0, 0, 1),
            EntryType::Disposal => (0, 0, 0, -1),
        };
        BucketDelta {
            on_hand,
            reserved,
            in_transit,
            damaged,
        }
    }

    const fn location_rule(self) -> LocationRule {
        match self {
            EntryType::InTransitIn
            | EntryType::InTransitCancel
            | EntryType::Reservation
            | EntryType::Release
            | EntryType::Damage => LocationRule::None,
            EntryType::Putaway => LocationRule::Putaway,
            EntryType::Pick => LocationRule::Pick,
            other => {
                let unit = other.unit_effect();
                LocationRule::AtBin(unit.on_hand + unit.damaged)
            }
        }
    }

    /// Whether an entry of this type must give a `reason_code`
    /// (adjustments, count corrections, damage and disposal).
    pub const fn needs_reason(self) -> bool {
        matches!(
            self,
            EntryType::AdjustmentIn
                | EntryType::AdjustmentOut
                | EntryType::CountCorrectionIn
                | EntryType::CountCorrectionOut
                | EntryType::Damage
                | EntryType::Disposal
        )
    }

    /// Whether an entry of this type names the other warehouse (transfers).
    pub const fn needs_counterpart(self) -> bool {
        matches!(self, EntryType::TransferIn | EntryType::TransferOut)
    }

    /// Whether an entry of this type must name a bin (`putaway`, `pick`).
    pub const fn needs_bin(self) -> bool {
        matches!(self, EntryType::Putaway | EntryType::Pick)
    }

    /// Whether an entry of this type is about the whole warehouse and must
    /// not name a bin or lot (reservations and in-transit stock).
    pub const fn is_warehouse_level(self) -> bool {
        matches!(
            self,
            EntryType::InTransitIn
                | EntryType::InTransitCancel
                | EntryType::Reservation
                | EntryType::Release
        )
    }
}

impl fmt::Display for EntryType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for EntryType {
    type Err = LedgerError;

    /// Reads the stable name (`"receipt"`…); case-sensitive.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        EntryType::ALL
            .into_iter()
            .find(|t| t.as_str() == name)
            .ok_or_else(|| {
                LedgerError::invalid("entry_type", format!("{name:?} is not an entry type"))
            })
    }
}

/// The signed change an entry makes to each bucket of a stock balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct BucketDelta {
    /// Change in sellable units in the warehouse.
    pub on_hand: i64,
    /// Change in reserved units.
    pub reserved: i64,
    /// Change in units on the way on shipped inbound shipments.
    pub in_transit: i64,
    /// Change in damaged (unsellable) units in the warehouse.
    pub damaged: i64,
}

impl BucketDelta {
    /// Change in `available = on_hand − reserved`.
    pub const fn available(&self) -> i64 {
        self.on_hand - self.reserved
    }

    /// Change in physical units (`on_hand + damaged`).
    pub const fn physical(&self) -> i64 {
        self.on_hand + self.damaged
    }
}

/// A change of the units at one bin (none: the unlocated area).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocationMove<'a> {
    /// The bin, or `None` for unlocated units.
    pub bin: Option<&'a BinCode>,
    /// Signed change in units.
    pub delta: i64,
}

/// One append-only ledger record. Entries are never updated or deleted;
/// a mistake is corrected by a further entry.
///
/// JSON: the key fields `seller`, `sku`, `warehouse` at the top level, then
/// `bin`, `lot`, `entry_type`, `quantity`, `reference`, `user`, `at`,
/// `reason_code`, `counterpart_warehouse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// Whose stock of what, where.
    #[serde(flatten)]
    pub key: StockKey,
    /// The bin; `None` for unlocated units or a warehouse without bins.
    pub bin: Option<BinCode>,
    /// The lot or batch, when tracked.
    pub lot: Option<LotCode>,
    /// What happened; gives the sign per bucket.
    pub entry_type: EntryType,
    /// Units moved, 1 ..= [`LedgerEntry::MAX_QUANTITY`].
    pub quantity: i64,
    /// The document it answers to.
    pub reference: Reference,
    /// Who posted it (user id); `None` for the system (e.g. the hold sweeper).
    pub user: Option<i64>,
    /// When, in milliseconds since 1970-01-01T00:00Z.
    pub at: i64,
    /// Why (required for adjustments, count corrections, damage, disposal).
    pub reason_code: Option<ReasonCode>,
    /// The other warehouse of a transfer (required for transfers only).
    pub counterpart_warehouse: Option<i64>,
}

impl LedgerEntry {
    /// Most units one entry may move: a billion, so that sums over any
    /// realistic ledger stay far inside `i64`.
    pub const MAX_QUANTITY: i64 = 1_000_000_000;
    /// Latest instant accepted: 9999-12-31T23:59:59.999Z, in milliseconds.
    pub const MAX_AT: i64 = 253_402_300_799_999;

    /// An entry of `quantity` units of `entry_type` with no bin, lot, user,
    /// reason or counterpart; add those with the `with_…` methods. Not
    /// checked until [`LedgerEntry::validate`].
    pub fn new(
        key: StockKey,
        entry_type: EntryType,
        quantity: i64,
        reference: Reference,
        at: i64,
    ) -> LedgerEntry {
        LedgerEntry {
            key,
            bin: None,
            lot: None,
            entry_type,
            quantity,
            reference,
            user: None,
            at,
            reason_code: None,
            counterpart_warehouse: None,
        }
    }

    /// The same entry at `bin`.
    pub fn with_bin(mut self, bin: Option<BinCode>) -> LedgerEntry {
        self.bin = bin;
        self
    }

    /// The same entry for `lot`.
    pub fn with_lot(mut self, lot: Option<LotCode>) -> LedgerEntry {
        self.lot = lot;
        self
    }

    /// The same entry posted by `user`.
    pub fn with_user(mut self, user: Option<i64>) -> LedgerEntry {
        self.user = user;
        self
    }

    /// The same entry with `reason`.
    pub fn with_reason(mut self, reason: ReasonCode) -> LedgerEntry {
        self.reason_code = Some(reason);
        self
    }

    /// The same entry naming the other warehouse of a transfer.
    pub fn with_counterpart(mut self, warehouse: i64) -> LedgerEntry {
        self.counterpart_warehouse = Some(warehouse);
        self
    }

    /// Checks the entry on its own (not against stock): positive ids, a
    /// quantity of 1 ..= `MAX_QUANTITY`, an instant in 1970 ..= 9999, a
    /// reference id, a reason where the type needs one, a counterpart
    /// warehouse for transfers only (and not the same warehouse), a bin for
    /// putaway and pick, no bin or lot on warehouse-level types. The error
    /// names the field.
    pub fn validate(&self) -> Result<(), LedgerError> {
        let t = self.entry_type;
        if self.key.seller <= 0 {
            return Err(LedgerError::invalid("seller", "must be a positive id"));
        }
        if self.key.warehouse <= 0 {
            return Err(LedgerError::invalid("warehouse", "must be a positive id"));
        }
        if self.quantity <= 0 {
            return Err(LedgerError::invalid(
                "quantity",
                format!(
                    "{} must be positive; the entry type gives the sign",
                    self.quantity
                ),
            ));
        }
        if self.quantity > Self::MAX_QUANTITY {
            return Err(LedgerError::invalid(
                "quantity",
                format!(
                    "{} is more than {} units",
                    self.quantity,
                    Self::MAX_QUANTITY
                ),
            ));
        }
        if !(0..=Self::MAX_AT).contains(&self.at) {
            return Err(LedgerError::invalid(
                "at",
                format!("{} ms is not between 1970 and 9999", self.at),
            ));
        }
        self.reference.validate()?;
        if self.user.is_some_and(|u| u <= 0) {
            return Err(LedgerError::invalid("user", "must be a positive id"));
        }
        if t.needs_reason() && self.reason_code.is_none() {
            return Err(LedgerError::invalid(
                "reason_code",
                format!("a {t} entry needs a reason code"),
            ));
        }
        match (t.needs_counterpart(), self.counterpart_warehouse) {
            (true, None) => {
                return Err(LedgerError::invalid(
                    "counterpart_warehouse",
                    format!("a {t} entry needs the other warehouse"),
                ))
            }
            (true, Some(other)) if other <= 0 => {
                return Err(LedgerError::invalid(
                    "counterpart_warehouse",
                    "must be a positive id",
                ))
            }
            (true, Some(other)) if other == self.key.warehouse => {
                return Err(LedgerError::invalid(
                    "counterpart_warehouse",
                    format!("a transfer cannot go from warehouse {other} to itself"),
                ))
            }
            (false, Some(_)) => {
                return Err(LedgerError::invalid(
                    "counterpart_warehouse",
                    format!("only transfers name another warehouse, not {t}"),
                ))
            }
            _ => {}
        }
        if t.needs_bin() && self.bin.is_none() {
            return Err(LedgerError::invalid(
                "bin",
                format!("a {t} entry needs the bin"),
            ));
        }
        if t.is_warehouse_level() {
            if self.bin.is_some() {
                return Err(LedgerError::invalid(
                    "bin",
                    format!("{t} is per warehouse and takes no bin"),
                ));
            }
            if self.lot.is_some() {
                return Err(LedgerError::invalid(
                    "lot",
                    format!("{t} is per warehouse and takes no lot"),
                ));
            }
        }
        Ok(())
    }

    /// The signed change this entry makes to each bucket: the type's unit
    /// effect times the quantity.
    pub fn effect(&self) -> BucketDelta {
        let unit = self.entry_type.unit_effect();
        let q = self.quantity;
        BucketDelta {
            on_hand: unit.on_hand.saturating_mul(q),
            reserved: unit.reserved.saturating_mul(q),
            in_transit: unit.in_transit.saturating_mul(q),
            damaged: unit.damaged.saturating_mul(q),
        }
    }

    /// The changes this entry makes to bin stock (none, one or two moves,
    /// all of the entry's lot).
    pub fn location_moves(&self) -> impl Iterator<Item = LocationMove<'_>> {
        let q = self.quantity;
        let bin = self.bin.as_ref();
        let at = |bin, delta| Some(LocationMove { bin, delta });
        let moves = match self.entry_type.location_rule() {
            LocationRule::None => [None, None],
            LocationRule::AtBin(sign) => [at(bin, sign.saturating_mul(q)), None],
            LocationRule::Putaway => [at(None, -q), at(bin, q)],
            LocationRule::Pick => [at(bin, -q), at(None, q)],
        };
        moves.into_iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::codes::ReferenceKind;

    fn key() -> StockKey {
        StockKey::new(3, Sku::parse("LAMP-01").unwrap(), 7)
    }

    fn entry(t: EntryType, q: i64) -> LedgerEntry {
        let reference = Reference::new(ReferenceKind::Manual, "M-1").unwrap();
        LedgerEntry::new(key(), t, q, reference, 1_000)
    }

    #[test]
    fn names_round_trip() {
        for t in EntryType::ALL {
            assert_eq!(t.as_str().parse::<EntryType>().unwrap(), t);
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, format!("\"{}\"", t.as_str()));
        }
        assert!("Receipt".parse::<EntryType>().is_err());
    }

    #[test]
    fn physical_location_change_matches_the_buckets() {
        // For every type, the net change over all bins equals the change
        // in physical units (on_hand + damaged).
        let bin = BinCode::parse("A-1").unwrap();
        for t in EntryType::ALL {
            let e = entry(t, 5).with_bin(Some(bin.clone()));
            let net: i64 = e.location_moves().map(|m| m.delta).sum();
            assert_eq!(net, e.effect().physical(), "{t}");
        }
    }

    #[test]
    fn putaway_and_pick_move_between_a_bin_and_unlocated() {
        let bin = BinCode::parse("A-1").unwrap();
        let putaway = entry(EntryType::Putaway, 4).with_bin(Some(bin.clone()));
        let moves: Vec<_> = putaway.location_moves().collect();
        assert_eq!(
            moves,
            [
                LocationMove {
                    bin: None,
                    delta: -4
                },
                LocationMove {
                    bin: Some(&bin),
                    delta: 4
                }
            ]
        );
        let pick = entry(EntryType::Pick, 4).with_bin(Some(bin.clone()));
        let moves: Vec<_> = pick.location_moves().map(|m| (m.bin, m.delta)).collect();
        assert_eq!(moves, [(Some(&bin), -4), (None, 4)]);
        assert_eq!(putaway.effect(), BucketDelta::default());
    }

    #[test]
    fn json_has_the_key_at_the_top_level() {
        let e = entry(EntryType::Damage, 2).with_reason(ReasonCode::parse("lost").unwrap());
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["seller"], 3);
        assert_eq!(json["sku"], "LAMP-01");
        assert_eq!(json["warehouse"], 7);
        assert_eq!(json["entry_type"], "damage");
        assert_eq!(json["reference"]["kind"], "manual");
        let back: LedgerEntry = serde_json::from_value(json).unwrap();
        assert_eq!(back, e);
    }
}
