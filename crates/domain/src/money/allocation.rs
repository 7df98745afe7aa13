//! Allocation: splitting an amount into parts that add up to it exactly.
//!
//! Used wherever one amount is spread over many (shipping over order lines,
//! a duty over items, a payment over instalments). Each part is its exact
//! share rounded down or up to a minor unit, so it differs from the share
//! by less than one minor unit, and the parts always sum to the whole.
//!
//! Method: largest remainder. Every part first gets its share rounded
//! toward zero; the minor units left over (fewer than the number of parts)
//! go one each to the parts with the largest remainders, earlier index
//! first on ties. Negative amounts are split as their magnitude and then
//! negated, so `-x` splits into the negated parts of `x`.

use rust_decimal::Decimal;

use super::amount::Money;
use super::error::MoneyError;
use super::exact::mul_div;

impl Money {
    /// Splits `self` in proportion to `weights` (any unit: grams, quantities,
    /// line totals in minor units). Part `i` is `self × weights[i] / Σ weights`
    /// rounded by largest remainder; zero weights get zero.
    ///
    /// Errors: no weights ([`MoneyError::NoAllocationParts`]) or all zero
    /// ([`MoneyError::ZeroTotalWeight`]).
    pub fn allocate(self, weights: &[u64]) -> Result<Vec<Money>, MoneyError> {
        let weights: Vec<u128> = weights.iter().map(|&w| u128::from(w)).collect();
        self.allocate_units(&weights)
    }

    /// Like [`Money::allocate`] with exact decimal weights (e.g. kilograms
    /// `"0.25"`, or rates). Weights must not be negative.
    ///
    /// Errors as for `allocate`, plus [`MoneyError::InvalidWeight`] for a
    /// negative weight or weights too large to scale to a common integer.
    pub fn allocate_by_decimal(self, weights: &[Decimal]) -> Result<Vec<Money>, MoneyError> {
        let invalid = |index: usize, weight: &Decimal, reason| MoneyError::InvalidWeight {
            amount: self.to_string(),
            weight: weight.to_string(),
            index,
            reason,
        };
        if let Some((index, weight)) = weights
            .iter()
            .enumerate()
            .find(|(_, w)| w.is_sign_negative() && !w.is_zero())
        {
            return Err(invalid(index, weight, "weights cannot be negative"));
        }
        // Bring all weights to one scale so they become integers in the same unit.
        let scale = weights
            .iter()
            .map(|w| w.normalize().scale())
            .max()
            .unwrap_or(0);
        let mut units = Vec::with_capacity(weights.len());
        for (index, weight) in weights.iter().enumerate() {
            let weight_normal = weight.normalize();
            let unit = 10u128
                .checked_pow(scale - weight_normal.scale())
                .and_then(|factor| weight_normal.mantissa().unsigned_abs().checked_mul(factor))
                .ok_or_else(|| invalid(index, weight, "too many digits to allocate exactly"))?;
            units.push(unit);
        }
        self.allocate_units(&units)
    }

    /// Splits `self` into `parts` equal parts, the leftover minor units going
    /// to the first parts: 100.00 into 3 is 33.34, 33.33, 33.33.
    ///
    /// Error: zero parts ([`MoneyError::NoAllocationParts`]).
    pub fn split_evenly(self, parts: usize) -> Result<Vec<Money>, MoneyError> {
        self.allocate_units(&vec![1; parts])
    }

    fn allocate_units(self, weights: &[u128]) -> Result<Vec<Money>, MoneyError> {
        if weights.is_empty() {
            return Err(MoneyError::NoAllocationParts {
                amount: self.to_string(),
            });
        }
        let too_large = || MoneyError::InvalidWeight {
            amount: self.to_string(),
            weight: "(sum)".to_owned(),
            index: weights.len(),
            reason: "the weights add up to more than 2^128",
        };
        let total = weights
            .iter()
            .try_fold(0u128, |sum, &w| sum.checked_add(w))
            .ok_or_else(too_large)?;
        if total == 0 {
            return Err(MoneyError::ZeroTotalWeight {
                amount: self.to_string(),
            });
        }
        let whole = u128::from(self.minor().unsigned_abs());
        let mut parts = Vec::with_capacity(weights.len());
        let mut remainders = Vec::with_capacity(weights.len());
        for (index, &weight) in weights.iter().enumerate() {
            // weight ≤ total, so the quotient ≤ whole: it always fits.
            let (floor, remainder) = mul_div(whole, weight, total).ok_or_else(too_large)?;
            parts.push(floor);
            remainders.push((remainder, index));
        }
        let leftover = whole - parts.iter().sum::<u128>();
        // Largest remainder first; on ties the earlier index.
        remainders.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, index) in remainders.iter().take(leftover as usize) {
            parts[index] += 1;
        }
        parts
            .into_iter()
            .map(|magnitude| {
                let magnitude = i128::try_from(magnitude).map_err(|_| too_large())?;
                let minor = if self.is_negative() {
                    -magnitude
                } else {
                    magnitude
                };
                i64::try_from(minor)
                    .map(|minor| Money::from_minor(minor, self.currency()))
                    .map_err(|_| too_large())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn minors(parts: &[Money]) -> Vec<i64> {
        parts.iter().map(|m| m.minor()).collect()
    }

    fn usd(minor: i64) -> Money {
        Money::from_minor(minor, Currency::USD)
    }

    #[test]
    fn splits_evenly_with_leftover_to_the_first() {
        assert_eq!(
            minors(&usd(10_000).split_evenly(3).unwrap()),
            [3334, 3333, 3333]
        );
        assert_eq!(minors(&usd(2).split_evenly(3).unwrap()), [1, 1, 0]);
        assert_eq!(
            minors(&usd(-10_000).split_evenly(3).unwrap()),
            [-3334, -3333, -3333]
        );
        assert_eq!(minors(&usd(0).split_evenly(2).unwrap()), [0, 0]);
        assert_eq!(minors(&usd(7).split_evenly(1).unwrap()), [7]);
        let yen = Money::from_minor(1000, Currency::JPY)
            .split_evenly(3)
            .unwrap();
        assert_eq!(minors(&yen), [334, 333, 333]);
        assert!(yen.iter().all(|m| m.currency() == Currency::JPY));
    }

    #[test]
    fn allocates_by_weight_with_largest_remainder() {
        // 1.00 by 1:1:1:3 → exact 16.67, 16.67, 16.67, 50 → floors 16,16,16,50 + 2 left.
        assert_eq!(
            minors(&usd(100).allocate(&[1, 1, 1, 3]).unwrap()),
            [17, 17, 16, 50]
        );
        // Remainders decide, not position: 10 by 3:7 over 0.10 → 3, 7 exactly.
        assert_eq!(minors(&usd(10).allocate(&[3, 7]).unwrap()), [3, 7]);
        // 0.05 by 1:2:2 → 1, 2, 2 exactly; 0.06 by 1:2:2 → 1.2, 2.4, 2.4 → 1, 3, 2.
        assert_eq!(minors(&usd(5).allocate(&[1, 2, 2]).unwrap()), [1, 2, 2]);
        assert_eq!(minors(&usd(6).allocate(&[1, 2, 2]).unwrap()), [1, 3, 2]);
        assert_eq!(minors(&usd(-6).allocate(&[1, 2, 2]).unwrap()), [-1, -3, -2]);
        // Zero weights get nothing.
        assert_eq!(
            minors(&usd(101).allocate(&[0, 1, 0, 1]).unwrap()),
            [0, 51, 0, 50]
        );
    }

    #[test]
    fn extreme_amounts_and_weights_still_sum_exactly() {
        for whole in [i64::MAX, i64::MIN, i64::MIN + 1] {
            let parts = usd(whole)
                .allocate(&[u64::MAX, 1, u64::MAX - 7, 3])
                .unwrap();
            let sum: i128 = parts.iter().map(|m| i128::from(m.minor())).sum();
            assert_eq!(sum, i128::from(whole));
        }
        let parts = usd(i64::MIN).split_evenly(1).unwrap();
        assert_eq!(minors(&parts), [i64::MIN]);
    }

    #[test]
    fn allocates_by_decimal_weights() {
        let kg = |s: &str| Decimal::from_str_exact(s).unwrap();
        let parts = usd(1000)
            .allocate_by_decimal(&[kg("0.25"), kg("0.5"), kg("1.25")])
            .unwrap();
        assert_eq!(minors(&parts), [125, 250, 625]);
        let parts = usd(100)
            .allocate_by_decimal(&[kg("1.000"), kg("2"), kg("0")])
            .unwrap();
        assert_eq!(minors(&parts), [33, 67, 0]);
        let err = usd(100)
            .allocate_by_decimal(&[kg("1"), kg("-0.5")])
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot allocate 1.00 USD: invalid weight -0.5 at index 1 (weights cannot be negative)"
        );
        assert!(usd(100)
            .allocate_by_decimal(&[-Decimal::ZERO, kg("1")])
            .is_ok());
        let precise = kg("0.0000000000000000000000000001");
        let err = usd(100)
            .allocate_by_decimal(&[Decimal::MAX, precise])
            .unwrap_err();
        assert!(
            matches!(err, MoneyError::InvalidWeight { index: 0, .. }),
            "{err}"
        );
    }

    #[test]
    fn refuses_empty_and_zero_weights() {
        let err = usd(100).allocate(&[]).unwrap_err();
        assert_eq!(err.to_string(), "cannot allocate 1.00 USD into zero parts");
        assert!(usd(100).split_evenly(0).is_err());
        assert!(usd(100).allocate_by_decimal(&[]).is_err());
        let err = usd(100).allocate(&[0, 0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot allocate 1.00 USD: the weights add up to zero"
        );
        assert!(usd(100).allocate_by_decimal(&[Decimal::ZERO]).is_err());
    }
}
