//! `ExactPrice`: a price before rounding, kept exact as an integer times
//! a ratio of integers, in minor units of the market currency.

use crate::money::{Currency, Ratio, RoundingMode};

/// `amount × factor` minor units, exactly (e.g. base minor units × cross
/// rate × (1 + markup) × (1 − discount), with the exponent shift folded
/// into the factor). Never rounded until a rounding rule is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ExactPrice {
    amount: u128,
    factor: Ratio,
}

/// Decimals beyond the currency's shown for an inexact exact price.
const EXTRA_DISPLAY_DECIMALS: u32 = 6;

impl ExactPrice {
    pub(crate) fn new(amount: u128, factor: Ratio) -> ExactPrice {
        ExactPrice { amount, factor }
    }

    /// The same price times `ratio` (a markup or discount); `None` when the
    /// factors grow beyond 128 bits even in lowest terms.
    pub(crate) fn times(self, ratio: Ratio) -> Option<ExactPrice> {
        Some(ExactPrice {
            amount: self.amount,
            factor: self.factor.checked_mul(ratio)?,
        })
    }

    /// The nearest multiple of `step` minor units by `mode`, in minor
    /// units, rounded once from the exact value; `None` on overflow or a
    /// zero step.
    pub(crate) fn round_to_step(&self, step: u128, mode: RoundingMode) -> Option<u128> {
        let per_step = if step == 1 {
            self.factor
        } else {
            self.factor.checked_mul(Ratio::new(1, step)?)?
        };
        per_step.apply_rounded(self.amount, mode)?.checked_mul(step)
    }

    /// The exact value in major units, for explanations: `"12.3456"` when
    /// exact, `"≈150.310793"` (6 more decimals than the currency, half-even)
    /// when not.
    pub(crate) fn display_major(&self, currency: Currency) -> String {
        let exponent = u32::from(currency.exponent());
        let major = Ratio::new(self.amount, 1)
            .and_then(|amount| amount.checked_mul(self.factor))
            .and_then(|value| value.times_pow10(-(exponent as i32)));
        let Some(major) = major else {
            return format!(
                "{} × {}/{} minor units",
                self.amount,
                self.factor.numer(),
                self.factor.denom()
            );
        };
        let (mut text, exact) = major.to_fixed(exponent + EXTRA_DISPLAY_DECIMALS);
        if !exact {
            return format!("≈{text}");
        }
        // Exact: drop zeros beyond the currency's decimals.
        let keep = text.len() - EXTRA_DISPLAY_DECIMALS as usize;
        while text.len() > keep && text.ends_with('0') {
            text.pop();
        }
        if text.ends_with('.') {
            text.pop();
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_exact_and_inexact_values() {
        let third = ExactPrice::new(100, Ratio::new(1, 3).unwrap());
        assert_eq!(third.display_major(Currency::USD), "≈0.33333333");
        let exact = ExactPrice::new(123_456, Ratio::new(1, 100).unwrap());
        assert_eq!(exact.display_major(Currency::USD), "12.3456");
        let whole = ExactPrice::new(1_200, Ratio::ONE);
        assert_eq!(whole.display_major(Currency::USD), "12.00");
        assert_eq!(whole.display_major(Currency::JPY), "1200");
        let half = ExactPrice::new(15, Ratio::new(1, 10).unwrap());
        assert_eq!(half.display_major(Currency::JPY), "1.5");
    }

    #[test]
    fn rounds_to_steps_once() {
        let price = ExactPrice::new(12_325, Ratio::new(1, 10).unwrap());
        assert_eq!(price.round_to_step(5, RoundingMode::HalfUp), Some(1_235));
        assert_eq!(price.round_to_step(5, RoundingMode::HalfEven), Some(1_230));
        assert_eq!(price.round_to_step(1, RoundingMode::Down), Some(1_232));
        assert_eq!(price.round_to_step(0, RoundingMode::Down), None);
        let marked_up = price.times(Ratio::new(2, 1).unwrap()).unwrap();
        assert_eq!(
            marked_up.round_to_step(1, RoundingMode::HalfEven),
            Some(2_465)
        );
    }
}
