//! Why goods come back, and what the warehouse does with them.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why the buyer sends goods back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnReason {
    /// The goods do not work.
    Defective,
    /// Broken or spoilt on the way.
    DamagedInTransit,
    /// Not what was ordered.
    WrongItem,
    /// Not as the listing described.
    NotAsDescribed,
    /// The buyer changed their mind.
    NoLongerNeeded,
    /// Anything else (the note says what).
    Other,
}

impl ReturnReason {
    /// Every reason.
    pub const ALL: [ReturnReason; 6] = [
        ReturnReason::Defective,
        ReturnReason::DamagedInTransit,
        ReturnReason::WrongItem,
        ReturnReason::NotAsDescribed,
        ReturnReason::NoLongerNeeded,
        ReturnReason::Other,
    ];

    /// The snake_case name used in JSON and the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            ReturnReason::Defective => "defective",
            ReturnReason::DamagedInTransit => "damaged_in_transit",
            ReturnReason::WrongItem => "wrong_item",
            ReturnReason::NotAsDescribed => "not_as_described",
            ReturnReason::NoLongerNeeded => "no_longer_needed",
            ReturnReason::Other => "other",
        }
    }

    /// Reads a name written by [`ReturnReason::as_str`].
    pub fn parse(text: &str) -> Option<ReturnReason> {
        ReturnReason::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// Whether the goods or the seller are at fault (defective, damaged in
    /// transit, wrong item, not as described): no restocking fee, and the
    /// original shipping is refunded whatever the policy says.
    pub const fn is_seller_fault(self) -> bool {
        matches!(
            self,
            ReturnReason::Defective
                | ReturnReason::DamagedInTransit
                | ReturnReason::WrongItem
                | ReturnReason::NotAsDescribed
        )
    }
}

impl fmt::Display for ReturnReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// What the warehouse does with a returned unit after inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// Back on the shelf as it is: sellable stock again.
    Restock,
    /// Repackaged or relabelled, then sellable stock again.
    Relabel,
    /// Destroyed or written off: never stock again.
    Dispose,
}

impl Disposition {
    /// Every disposition.
    pub const ALL: [Disposition; 3] = [
        Disposition::Restock,
        Disposition::Relabel,
        Disposition::Dispose,
    ];

    /// The snake_case name used in JSON and the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            Disposition::Restock => "restock",
            Disposition::Relabel => "relabel",
            Disposition::Dispose => "dispose",
        }
    }

    /// Reads a name written by [`Disposition::as_str`].
    pub fn parse(text: &str) -> Option<Disposition> {
        Disposition::ALL.into_iter().find(|d| d.as_str() == text)
    }

    /// Whether the units come back as sellable stock (a `return` entry).
    pub const fn is_sellable(self) -> bool {
        matches!(self, Disposition::Restock | Disposition::Relabel)
    }
}

impl fmt::Display for Disposition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for r in ReturnReason::ALL {
            assert_eq!(ReturnReason::parse(r.as_str()), Some(r));
        }
        for d in Disposition::ALL {
            assert_eq!(Disposition::parse(d.as_str()), Some(d));
        }
        assert_eq!(ReturnReason::parse("broken"), None);
    }

    #[test]
    fn only_the_buyers_choices_are_not_the_sellers_fault() {
        let buyer: Vec<_> = ReturnReason::ALL
            .into_iter()
            .filter(|r| !r.is_seller_fault())
            .collect();
        assert_eq!(
            buyer,
            vec![ReturnReason::NoLongerNeeded, ReturnReason::Other]
        );
    }

    #[test]
    fn disposed_units_are_not_sellable() {
        assert!(Disposition::Restock.is_sellable());
        assert!(Disposition::Relabel.is_sellable());
        assert!(!Disposition::Dispose.is_sellable());
    }
}
