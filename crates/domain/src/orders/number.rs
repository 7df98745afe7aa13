//! Order numbers: sequential per seller, gap-free (the store takes the next
//! number in the transaction that writes the order).

use std::fmt;

use serde::{Serialize, Serializer};

/// A seller's order number: `SO-` and the seller's sequence number, at
/// least six digits (`SO-000042`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OrderNumber(u64);

impl OrderNumber {
    /// The number of the seller's `sequence`-th order (from 1).
    pub fn new(sequence: u64) -> OrderNumber {
        OrderNumber(sequence)
    }

    /// The seller's sequence number.
    pub fn sequence(self) -> u64 {
        self.0
    }
}

impl fmt::Display for OrderNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SO-{:06}", self.0)
    }
}

impl Serialize for OrderNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::OrderNumber;

    #[test]
    fn numbers_are_padded_to_six_digits_and_grow_past_them() {
        assert_eq!(OrderNumber::new(42).to_string(), "SO-000042");
        assert_eq!(OrderNumber::new(1_234_567).to_string(), "SO-1234567");
    }
}
