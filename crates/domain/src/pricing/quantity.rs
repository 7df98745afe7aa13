//! Quantities: B2B order rules (MOQ, pack size, increment) and quantity
//! tiers (volume discounts).

use serde::{Deserialize, Serialize};

use crate::money::Rate;

use super::error::{PricingError, QuantityError};

const fn one() -> u32 {
    1
}

/// Whether `n` is a multiple of `of` (never, for `of == 0`).
fn is_multiple(n: u32, of: u32) -> bool {
    n.checked_rem(of) == Some(0)
}

/// Which order quantities a buyer may ask for, in units (pieces).
///
/// Allowed quantities are `moq, moq + increment, moq + 2 × increment, …`,
/// and each must be a whole number of packs. Validation requires the MOQ
/// and the increment to be whole packs, so every quantity on the ladder is.
/// The default (`1, 1, 1`) allows any positive quantity.
///
/// JSON: `{"moq": 100, "pack_size": 12, "increment": 24}`; a missing field is 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderQuantityRules {
    /// Minimum order quantity (MOQ), in units.
    #[serde(default = "one")]
    pub moq: u32,
    /// Units per pack (carton, inner box): quantities are whole packs.
    #[serde(default = "one")]
    pub pack_size: u32,
    /// From the MOQ, quantities go up in steps of this many units.
    #[serde(default = "one")]
    pub increment: u32,
}

impl Default for OrderQuantityRules {
    fn default() -> Self {
        OrderQuantityRules::ANY
    }
}

impl OrderQuantityRules {
    /// Any positive quantity.
    pub const ANY: OrderQuantityRules = OrderQuantityRules {
        moq: 1,
        pack_size: 1,
        increment: 1,
    };

    /// Checks the rules themselves; fields `moq`, `pack_size`, `increment`.
    pub fn validate(&self) -> Result<(), PricingError> {
        for (field, value) in [
            ("moq", self.moq),
            ("pack_size", self.pack_size),
            ("increment", self.increment),
        ] {
            if value == 0 {
                return Err(PricingError::invalid(field, "must be at least 1 unit"));
            }
        }
        if !is_multiple(self.moq, self.pack_size) {
            return Err(PricingError::invalid(
                "moq",
                format!(
                    "the MOQ {} must be a whole number of packs of {}",
                    self.moq, self.pack_size
                ),
            ));
        }
        if !is_multiple(self.increment, self.pack_size) {
            return Err(PricingError::invalid(
                "increment",
                format!(
                    "the increment {} must be a whole number of packs of {}",
                    self.increment, self.pack_size
                ),
            ));
        }
        Ok(())
    }

    /// The smallest allowed quantity ≥ `quantity` (the rules must be valid).
    pub fn next_allowed(&self, quantity: u32) -> u64 {
        let (moq, increment) = (u64::from(self.moq), u64::from(self.increment.max(1)));
        let quantity = u64::from(quantity);
        if quantity <= moq {
            moq
        } else {
            moq + (quantity - moq).div_ceil(increment) * increment
        }
    }

    /// Whether `quantity` may be ordered; if not, which rule it breaks,
    /// checked in this order: zero, below the MOQ, not whole packs, off the
    /// increment. The rules must be valid.
    pub fn check(&self, quantity: u32) -> Result<(), QuantityError> {
        if quantity == 0 {
            return Err(QuantityError::Zero);
        }
        if quantity < self.moq {
            return Err(QuantityError::BelowMinimum {
                quantity,
                moq: self.moq,
            });
        }
        if !is_multiple(quantity, self.pack_size.max(1)) {
            return Err(QuantityError::NotWholePacks {
                quantity,
                pack_size: self.pack_size,
                next_allowed: self.next_allowed(quantity),
            });
        }
        if !is_multiple(quantity - self.moq, self.increment.max(1)) {
            return Err(QuantityError::OffIncrement {
                quantity,
                moq: self.moq,
                increment: self.increment,
                next_allowed: self.next_allowed(quantity),
            });
        }
        Ok(())
    }
}

/// A volume discount: from `min_qty` units on, the unit price is the
/// regular one less `discount`.
///
/// Chosen over a fixed unit price per tier because one tier table then
/// serves every market: the discount is applied to the exact price (before
/// the market's rounding), so tier prices still end in .99 or 0.05 as the
/// market wants, and follow exchange rates.
///
/// JSON: `{"min_qty": 100, "discount": "0.08"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuantityTier {
    /// The smallest order quantity the tier applies to, in units.
    pub min_qty: u32,
    /// The discount as a fraction of the unit price: `0.08` for 8 %;
    /// below 1.
    pub discount: Rate,
}

/// Checks tiers (fields `tiers[i].min_qty`, `tiers[i].discount`): each
/// `min_qty` at least 1 and given once, each discount below 100 %.
pub(super) fn validate_tiers(tiers: &[QuantityTier]) -> Result<(), PricingError> {
    for (index, tier) in tiers.iter().enumerate() {
        let field = |name: &str| format!("tiers[{index}].{name}");
        if tier.min_qty == 0 {
            return Err(PricingError::invalid(
                &field("min_qty"),
                "must be at least 1 unit",
            ));
        }
        if tiers[..index]
            .iter()
            .any(|other| other.min_qty == tier.min_qty)
        {
            return Err(PricingError::invalid(
                &field("min_qty"),
                format!("another tier already starts at {} units", tier.min_qty),
            ));
        }
        if tier.discount >= Rate::ONE {
            return Err(PricingError::invalid(
                &field("discount"),
                format!("a discount must be below 1 (100 %), got {}", tier.discount),
            ));
        }
    }
    Ok(())
}

/// The tier for `quantity`: the one with the largest `min_qty` ≤ `quantity`.
pub(super) fn tier_for(tiers: &[QuantityTier], quantity: u32) -> Option<QuantityTier> {
    tiers
        .iter()
        .filter(|tier| tier.min_qty <= quantity)
        .max_by_key(|tier| tier.min_qty)
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(moq: u32, pack_size: u32, increment: u32) -> OrderQuantityRules {
        let rules = OrderQuantityRules {
            moq,
            pack_size,
            increment,
        };
        rules.validate().unwrap();
        rules
    }

    #[test]
    fn moq_pack_and_increment_name_the_rule_broken() {
        assert!(rules(1, 1, 1).check(1).is_ok());
        // 100 is not a multiple of 12: refused by validation instead.
        assert!(OrderQuantityRules {
            moq: 100,
            pack_size: 12,
            increment: 24
        }
        .validate()
        .is_err());
        let b2b = rules(96, 12, 24);
        assert_eq!(b2b.check(0), Err(QuantityError::Zero));
        assert_eq!(
            b2b.check(48),
            Err(QuantityError::BelowMinimum {
                quantity: 48,
                moq: 96
            })
        );
        assert_eq!(
            b2b.check(100),
            Err(QuantityError::NotWholePacks {
                quantity: 100,
                pack_size: 12,
                next_allowed: 120
            })
        );
        assert_eq!(
            b2b.check(108),
            Err(QuantityError::OffIncrement {
                quantity: 108,
                moq: 96,
                increment: 24,
                next_allowed: 120
            })
        );
        for ok in [96, 120, 144, 960] {
            assert_eq!(b2b.check(ok), Ok(()), "{ok}");
        }
        assert_eq!(
            b2b.check(48).unwrap_err().to_string(),
            "48 is below the minimum order quantity (MOQ) of 96"
        );
        assert_eq!(
            b2b.check(108).unwrap_err().to_string(),
            "108 is off the order increment: from the minimum of 96, quantities go up by 24; the next allowed quantity is 120"
        );
        assert_eq!(b2b.next_allowed(1), 96);
        assert_eq!(rules(1, 1, 1).next_allowed(u32::MAX), u64::from(u32::MAX));
    }

    #[test]
    fn validation_names_the_field() {
        let err = OrderQuantityRules {
            moq: 0,
            pack_size: 1,
            increment: 1,
        }
        .validate()
        .unwrap_err();
        assert_eq!(err.field(), Some("moq"));
        let err = OrderQuantityRules {
            moq: 12,
            pack_size: 12,
            increment: 6,
        }
        .validate()
        .unwrap_err();
        assert_eq!(err.field(), Some("increment"));
        let parsed: OrderQuantityRules = serde_json::from_str(r#"{"moq": 10}"#).unwrap();
        assert_eq!(
            parsed,
            OrderQuantityRules {
                moq: 10,
                pack_size: 1,
                increment: 1
            }
        );
        assert_eq!(
            serde_json::to_value(QuantityError::BelowMinimum {
                quantity: 5,
                moq: 10
            })
            .unwrap(),
            serde_json::json!({"rule": "below_minimum", "quantity": 5, "moq": 10})
        );
    }

    #[test]
    fn the_largest_tier_not_above_the_quantity_applies() {
        let tier = |min_qty, discount: &str| QuantityTier {
            min_qty,
            discount: Rate::percent(discount).unwrap(),
        };
        let tiers = [tier(500, "12"), tier(100, "5"), tier(250, "8")];
        validate_tiers(&tiers).unwrap();
        assert_eq!(tier_for(&tiers, 99), None);
        assert_eq!(tier_for(&tiers, 100), Some(tier(100, "5")));
        assert_eq!(tier_for(&tiers, 499), Some(tier(250, "8")));
        assert_eq!(tier_for(&tiers, 10_000), Some(tier(500, "12")));
        let err = validate_tiers(&[tier(10, "5"), tier(10, "6")]).unwrap_err();
        assert_eq!(err.field(), Some("tiers[1].min_qty"));
        let err = validate_tiers(&[tier(10, "100")]).unwrap_err();
        assert_eq!(err.field(), Some("tiers[0].discount"));
        let err = validate_tiers(&[tier(0, "1")]).unwrap_err();
        assert_eq!(err.field(), Some("tiers[0].min_qty"));
    }
}
