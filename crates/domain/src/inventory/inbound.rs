//! Inbound head-haul (头程): shipments (ASNs) from an origin to a warehouse,
//! their status, and what closing one posts to the ledger.
//!
//! Shipping an ASN posts `in_transit_in` for every unit on it at the
//! destination. Receiving records, per carton line, the units received in
//! good order and the units found damaged; short and over follow. Closing
//! posts, per SKU: `in_transit_receipt` for what arrived up to what was
//! shipped, `receipt` for units over, `in_transit_cancel` for units short,
//! then `damage` (reason `damaged_on_arrival`) for the damaged units.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::codes::{ReasonCode, Reference, ReferenceKind};
use super::entry::{EntryType, LedgerEntry, StockKey};
use super::error::LedgerError;
use crate::catalog::Sku;

fn invalid(field: impl Into<String>, reason: impl Into<String>) -> LedgerError {
    LedgerError::Invalid {
        field: field.into(),
        reason: reason.into(),
    }
}

/// How the goods travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransportMode {
    Sea,
    Air,
    Rail,
    Express,
}

impl TransportMode {
    pub const ALL: [TransportMode; 4] = [
        TransportMode::Sea,
        TransportMode::Air,
        TransportMode::Rail,
        TransportMode::Express,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            TransportMode::Sea => "sea",
            TransportMode::Air => "air",
            TransportMode::Rail => "rail",
            TransportMode::Express => "express",
        }
    }
}

impl FromStr for TransportMode {
    type Err = LedgerError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TransportMode::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| invalid("mode", format!("{s:?} is not sea, air, rail or express")))
    }
}

/// Where an inbound shipment is: draft → shipped → arrived → receiving → closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AsnStatus {
    /// Being prepared; cartons may change; no stock effect.
    Draft,
    /// Left the origin: its units are in transit at the destination.
    Shipped,
    /// At the destination's dock, not yet counted.
    Arrived,
    /// Being counted carton by carton.
    Receiving,
    /// Counted and posted; nothing changes any more.
    Closed,
}

/// What may be done to an inbound shipment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsnAction {
    Ship,
    Arrive,
    Receive,
    Close,
}

impl AsnStatus {
    pub const ALL: [AsnStatus; 5] = [
        AsnStatus::Draft,
        AsnStatus::Shipped,
        AsnStatus::Arrived,
        AsnStatus::Receiving,
        AsnStatus::Closed,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            AsnStatus::Draft => "draft",
            AsnStatus::Shipped => "shipped",
            AsnStatus::Arrived => "arrived",
            AsnStatus::Receiving => "receiving",
            AsnStatus::Closed => "closed",
        }
    }

    /// The status after `action`, or why it may not be done now. Receiving
    /// is allowed once the shipment has arrived (and again while
    /// receiving); closing needs at least one carton line counted, which
    /// the caller checks.
    pub fn after(self, action: AsnAction) -> Result<AsnStatus, LedgerError> {
        use AsnAction::*;
        use AsnStatus::*;
        match (self, action) {
            (Draft, Ship) => Ok(Shipped),
            (Shipped, Arrive) => Ok(Arrived),
            (Arrived | Receiving, Receive) => Ok(Receiving),
            (Arrived | Receiving, Close) => Ok(Closed),
            (status, action) => Err(invalid(
                "status",
                format!(
                    "a {} shipment cannot be {}",
                    status.as_str(),
                    match action {
                        Ship => "shipped",
                        Arrive => "marked arrived",
                        Receive => "received against",
                        Close => "closed",
                    }
                ),
            )),
        }
    }

    /// Whether its units count as in transit at the destination.
    pub const fn in_transit(self) -> bool {
        matches!(
            self,
            AsnStatus::Shipped | AsnStatus::Arrived | AsnStatus::Receiving
        )
    }
}

impl fmt::Display for AsnStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AsnStatus {
    type Err = LedgerError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AsnStatus::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| invalid("status", format!("{s:?} is not an ASN status")))
    }
}

/// One SKU in one carton as counted: shipped, received in good order, damaged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedLine {
    pub carton: String,
    pub sku: Sku,
    pub expected: i64,
    /// Units received in good order; `None` while not counted.
    pub received: Option<i64>,
    pub damaged: i64,
}

impl ReceivedLine {
    /// Units that arrived, good or damaged.
    pub fn arrived(&self) -> i64 {
        self.received.unwrap_or(0) + self.damaged
    }

    /// Units shipped that did not arrive.
    pub fn short(&self) -> i64 {
        (self.expected - self.arrived()).max(0)
    }

    /// Units that arrived beyond what was shipped.
    pub fn over(&self) -> i64 {
        (self.arrived() - self.expected).max(0)
    }
}

/// Checks counted quantities for one line: both 0 ..= `MAX_QUANTITY`.
pub fn check_count(received: i64, damaged: i64) -> Result<(), LedgerError> {
    for (field, v) in [("received", received), ("damaged", damaged)] {
        if !(0..=LedgerEntry::MAX_QUANTITY).contains(&v) {
            return Err(invalid(
                field,
                format!("{v} must be 0 to {}", LedgerEntry::MAX_QUANTITY),
            ));
        }
    }
    Ok(())
}

/// Per SKU, what was shipped and what arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscrepancyLine {
    pub sku: Sku,
    pub expected: i64,
    pub received: i64,
    pub damaged: i64,
    pub short: i64,
    pub over: i64,
}

/// The outcome of closing an inbound shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscrepancyReport {
    pub lines: Vec<DiscrepancyLine>,
    pub expected: i64,
    pub received: i64,
    pub damaged: i64,
    pub short: i64,
    pub over: i64,
}

impl DiscrepancyReport {
    /// Whether everything arrived as shipped, in good order.
    pub fn is_clean(&self) -> bool {
        self.short == 0 && self.over == 0 && self.damaged == 0
    }
}

/// The entries that shipping posts: `in_transit_in` per SKU at `destination`.
pub fn shipping_entries(
    seller: i64,
    destination: i64,
    asn: &Reference,
    lines: &[ReceivedLine],
    user: Option<i64>,
    at: i64,
) -> Vec<LedgerEntry> {
    let mut per_sku: BTreeMap<&Sku, i64> = BTreeMap::new();
    for l in lines {
        *per_sku.entry(&l.sku).or_default() += l.expected;
    }
    per_sku
        .into_iter()
        .filter(|(_, q)| *q > 0)
        .map(|(sku, q)| {
            LedgerEntry::new(
                StockKey::new(seller, sku.clone(), destination),
                EntryType::InTransitIn,
                q,
                asn.clone(),
                at,
            )
            .with_user(user)
        })
        .collect()
}

/// The entries that closing posts and the discrepancy report. Lines not
/// counted count as nothing received (all short). Refused: an ASN
/// reference of another kind.
pub fn closing_entries(
    seller: i64,
    destination: i64,
    asn: &Reference,
    lines: &[ReceivedLine],
    user: Option<i64>,
    at: i64,
) -> Result<(Vec<LedgerEntry>, DiscrepancyReport), LedgerError> {
    if asn.kind != ReferenceKind::Asn {
        return Err(invalid("reference.kind", "must be asn"));
    }
    let mut per_sku: BTreeMap<&Sku, DiscrepancyLine> = BTreeMap::new();
    for l in lines {
        let d = per_sku.entry(&l.sku).or_insert_with(|| DiscrepancyLine {
            sku: l.sku.clone(),
            expected: 0,
            received: 0,
            damaged: 0,
            short: 0,
            over: 0,
        });
        d.expected += l.expected;
        d.received += l.received.unwrap_or(0);
        d.damaged += l.damaged;
    }
    let damaged_on_arrival = ReasonCode::parse("damaged_on_arrival")?;
    let mut entries = Vec::new();
    let mut report_lines = Vec::new();
    for (sku, mut d) in per_sku {
        let arrived = d.received + d.damaged;
        d.short = (d.expected - arrived).max(0);
        d.over = (arrived - d.expected).max(0);
        let key = StockKey::new(seller, sku.clone(), destination);
        let entry = |t: EntryType, q: i64| {
            LedgerEntry::new(key.clone(), t, q, asn.clone(), at).with_user(user)
        };
        let against_asn = arrived.min(d.expected);
        if against_asn > 0 {
            entries.push(entry(EntryType::InTransitReceipt, against_asn));
        }
        if d.over > 0 {
            entries.push(entry(EntryType::Receipt, d.over));
        }
        if d.short > 0 {
            entries.push(entry(EntryType::InTransitCancel, d.short));
        }
        if d.damaged > 0 {
            entries
                .push(entry(EntryType::Damage, d.damaged).with_reason(damaged_on_arrival.clone()));
        }
        report_lines.push(d);
    }
    let sum = |f: fn(&DiscrepancyLine) -> i64| report_lines.iter().map(f).sum();
    let report = DiscrepancyReport {
        expected: sum(|d| d.expected),
        received: sum(|d| d.received),
        damaged: sum(|d| d.damaged),
        short: sum(|d| d.short),
        over: sum(|d| d.over),
        lines: report_lines,
    };
    Ok((entries, report))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{Balance, StockBook};

    fn line(
        carton: &str,
        sku: &str,
        expected: i64,
        received: Option<i64>,
        damaged: i64,
    ) -> ReceivedLine {
        ReceivedLine {
            carton: carton.into(),
            sku: Sku::parse(sku).unwrap(),
            expected,
            received,
            damaged,
        }
    }

    #[test]
    fn status_moves_one_way() {
        use AsnAction::*;
        use AsnStatus::*;
        assert_eq!(Draft.after(Ship).unwrap(), Shipped);
        assert_eq!(Shipped.after(Arrive).unwrap(), Arrived);
        assert_eq!(Arrived.after(Receive).unwrap(), Receiving);
        assert_eq!(Receiving.after(Close).unwrap(), Closed);
        let err = Closed.after(Receive).unwrap_err();
        assert_eq!(
            err.to_string(),
            "status: a closed shipment cannot be received against"
        );
        assert!(Draft.after(Receive).is_err());
        assert!(Shipped.after(Ship).is_err());
        assert!(Shipped.in_transit() && !Closed.in_transit() && !Draft.in_transit());
    }

    #[test]
    fn closing_posts_receipts_shorts_overs_and_damage_and_the_book_agrees() {
        let asn = Reference::new(ReferenceKind::Asn, "ASN-1").unwrap();
        let lines = [
            line("C1", "A", 10, Some(10), 0),
            line("C2", "A", 10, Some(7), 1), // 2 short, 1 damaged
            line("C2", "B", 5, Some(6), 0),  // 1 over
            line("C3", "C", 4, None, 0),     // never counted: all short
        ];
        let shipped = shipping_entries(3, 7, &asn, &lines, Some(1), 1_000);
        assert_eq!(shipped.len(), 3);
        let mut book = StockBook::new();
        for e in &shipped {
            book.post(e).unwrap();
        }
        let (entries, report) = closing_entries(3, 7, &asn, &lines, Some(1), 2_000).unwrap();
        for e in &entries {
            book.post(e).unwrap();
        }
        let bal = |sku: &str| book.balance(&StockKey::new(3, Sku::parse(sku).unwrap(), 7));
        assert_eq!(
            bal("A"),
            Balance {
                on_hand: 17,
                reserved: 0,
                in_transit: 0,
                damaged: 1
            }
        );
        assert_eq!((bal("B").on_hand, bal("B").in_transit), (6, 0));
        assert_eq!((bal("C").on_hand, bal("C").in_transit), (0, 0));
        assert_eq!(
            (
                report.expected,
                report.received,
                report.damaged,
                report.short,
                report.over
            ),
            (29, 23, 1, 6, 1)
        );
        assert!(!report.is_clean());
        assert_eq!(lines[1].short(), 2);
        assert_eq!(lines[2].over(), 1);
    }
}
