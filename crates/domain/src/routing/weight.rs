//! Weights, sizes and the chargeable-weight rounding steps of a rate card.
//!
//! The steps, in order (each is a named function, tested on its own):
//!
//! 1. [`volumetric_weight`]: `L × W × H` in mm³ divided by the service's
//!    divisor (cm³ per kg) gives grams exactly — 1 cm³ = 1,000 mm³ and
//!    1 kg = 1,000 g cancel — **rounded up** to a whole gram.
//! 2. [`chargeable_weight`]: the larger of the actual and the volumetric weight.
//! 3. [`WeightPricing::billed_weight`]: up to the first weight, the first
//!    weight; above it, the first weight plus the excess **rounded up** to a
//!    whole number of the card's steps.
//! 4. [`WeightPricing::price_minor`]: first-weight price plus one step price
//!    per started step, in integer minor units.

use serde::{Deserialize, Serialize};

use super::error::{invalid, RoutingError};

/// A mass in whole grams.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Grams(pub u64);

/// The outside size of one unit as packed, in whole millimetres.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SizeMm {
    pub length: u32,
    pub width: u32,
    pub height: u32,
}

impl SizeMm {
    /// Volume in mm³.
    pub fn volume_mm3(self) -> u64 {
        u64::from(self.length) * u64::from(self.width) * u64::from(self.height)
    }
}

/// Step 1: volumetric weight in grams of `volume_mm3` under a divisor in
/// cm³ per kg (e.g. 5,000 or 6,000), rounded up to a whole gram.
///
/// `mm³ / 1,000 = cm³`, `cm³ / divisor = kg`, `kg × 1,000 = g`: so grams
/// are `mm³ / divisor`, exactly, before rounding.
pub fn volumetric_weight(volume_mm3: u64, divisor_cm3_per_kg: u32) -> Grams {
    let divisor = u64::from(divisor_cm3_per_kg.max(1));
    Grams(volume_mm3.div_ceil(divisor))
}

/// Step 2: the weight a carrier charges for, the larger of the two.
pub fn chargeable_weight(actual: Grams, volumetric: Grams) -> Grams {
    actual.max(volumetric)
}

/// How a rate card prices a chargeable weight: a first weight at a fixed
/// price, then a price per started step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WeightPricing {
    /// Weight covered by the first price, grams (> 0).
    pub first_weight: Grams,
    /// Price of the first weight, minor units of the card's currency (≥ 0).
    pub first_price_minor: i64,
    /// Size of each additional step, grams (> 0), e.g. 500 or 1,000.
    pub step_weight: Grams,
    /// Price per started additional step, minor units (≥ 0).
    pub step_price_minor: i64,
}

impl WeightPricing {
    /// Checks the figures: weights positive, prices not negative.
    pub fn new(
        first_weight: Grams,
        first_price_minor: i64,
        step_weight: Grams,
        step_price_minor: i64,
    ) -> Result<WeightPricing, RoutingError> {
        if first_weight.0 == 0 {
            return Err(invalid("first_weight", "must be at least 1 g"));
        }
        if step_weight.0 == 0 {
            return Err(invalid("step_weight", "must be at least 1 g"));
        }
        if first_price_minor < 0 || step_price_minor < 0 {
            return Err(invalid("price", "must not be negative"));
        }
        Ok(WeightPricing {
            first_weight,
            first_price_minor,
            step_weight,
            step_price_minor,
        })
    }

    /// Step 3a: the number of additional steps billed, `⌈(chargeable −
    /// first) / step⌉`, or 0 at or below the first weight.
    pub fn additional_steps(&self, chargeable: Grams) -> u64 {
        chargeable
            .0
            .saturating_sub(self.first_weight.0)
            .div_ceil(self.step_weight.0.max(1))
    }

    /// Step 3b: the weight billed, first weight plus the started steps, grams.
    pub fn billed_weight(&self, chargeable: Grams) -> Grams {
        let steps = self.additional_steps(chargeable);
        Grams(
            self.first_weight
                .0
                .saturating_add(steps.saturating_mul(self.step_weight.0)),
        )
    }

    /// Step 4: the price of a chargeable weight in minor units, or `None`
    /// if it overflows 64 bits.
    pub fn price_minor(&self, chargeable: Grams) -> Option<i64> {
        let steps = i64::try_from(self.additional_steps(chargeable)).ok()?;
        self.step_price_minor
            .checked_mul(steps)?
            .checked_add(self.first_price_minor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card() -> WeightPricing {
        // First 500 g for 4.50, then 0.90 per started 500 g.
        WeightPricing::new(Grams(500), 450, Grams(500), 90).unwrap()
    }

    #[test]
    fn volumetric_weight_is_mm3_over_divisor_rounded_up() {
        // 300 × 200 × 100 mm = 6,000 cm³; / 5,000 = 1.2 kg.
        assert_eq!(volumetric_weight(300 * 200 * 100, 5000), Grams(1200));
        // 6,000,001 mm³ / 5,000 = 1,200.0002 g → 1,201 g.
        assert_eq!(volumetric_weight(6_000_001, 5000), Grams(1201));
        // The larger divisor gives the lighter volumetric weight.
        assert_eq!(volumetric_weight(300 * 200 * 100, 6000), Grams(1000));
    }

    #[test]
    fn chargeable_weight_is_the_larger() {
        assert_eq!(chargeable_weight(Grams(800), Grams(1200)), Grams(1200));
        assert_eq!(chargeable_weight(Grams(1500), Grams(1200)), Grams(1500));
    }

    #[test]
    fn billed_weight_rounds_the_excess_up_to_whole_steps() {
        let c = card();
        assert_eq!(c.billed_weight(Grams(1)), Grams(500));
        assert_eq!(c.billed_weight(Grams(500)), Grams(500));
        assert_eq!(c.billed_weight(Grams(501)), Grams(1000));
        assert_eq!(c.billed_weight(Grams(1000)), Grams(1000));
        assert_eq!(c.billed_weight(Grams(1001)), Grams(1500));
    }

    #[test]
    fn price_is_first_price_plus_one_step_price_per_started_step() {
        let c = card();
        assert_eq!(c.price_minor(Grams(400)), Some(450));
        assert_eq!(c.price_minor(Grams(501)), Some(540));
        assert_eq!(c.price_minor(Grams(2000)), Some(450 + 3 * 90));
    }

    #[test]
    fn price_overflow_is_none() {
        let c = WeightPricing::new(Grams(1), 0, Grams(1), i64::MAX).unwrap();
        assert_eq!(c.price_minor(Grams(3)), None);
    }

    #[test]
    fn zero_weights_and_negative_prices_are_refused() {
        assert!(WeightPricing::new(Grams(0), 1, Grams(1), 1).is_err());
        assert!(WeightPricing::new(Grams(1), 1, Grams(0), 1).is_err());
        assert!(WeightPricing::new(Grams(1), -1, Grams(1), 1).is_err());
    }
}
