//! Splitting an amount over item lines without allocating: the same
//! largest-remainder method as [`Money::allocate`], into a caller's buffer.

use crate::money::Money;

/// Writes into `out` (one part per weight) the split of `total` in
/// proportion to `weights`: each part is its exact share rounded toward
/// zero, and the minor units left over go one each to the largest
/// remainders, the earlier index first on ties (as [`Money::allocate`]).
/// All-zero weights split evenly; a zero total gives zeros. The parts
/// always sum to `total`. `scratch` is reused between calls.
pub(crate) fn split_into(
    total: Money,
    weights: &[u64],
    out: &mut Vec<Money>,
    scratch: &mut Vec<(u128, usize)>,
) {
    let zero = Money::zero(total.currency());
    out.clear();
    out.resize(weights.len(), zero);
    if total.is_zero() || weights.is_empty() {
        return;
    }
    let mut sum: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    let even = sum == 0;
    if even {
        sum = weights.len() as u128;
    }
    let whole = u128::from(total.minor().unsigned_abs());
    let sign: i64 = if total.is_negative() { -1 } else { 1 };
    scratch.clear();
    let mut given: u128 = 0;
    for (i, &weight) in weights.iter().enumerate() {
        let weight = if even { 1 } else { u128::from(weight) };
        // whole < 2^64 and weight < 2^64: the product fits in 128 bits.
        let product = whole * weight;
        let (q, r) = match (u64::try_from(product), u64::try_from(sum)) {
            (Ok(p), Ok(d)) => (u128::from(p / d), u128::from(p % d)),
            _ => (product / sum, product % sum),
        };
        // q ≤ whole, which came from an i64.
        out[i] = Money::from_minor(sign * q as i64, total.currency());
        given += q;
        scratch.push((r, i));
    }
    let leftover = (whole - given) as usize;
    if leftover > 0 {
        scratch.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, i) in &scratch[..leftover] {
            out[i] = Money::from_minor(out[i].minor() + sign, total.currency());
        }
    }
}

/// Reusable buffers for splitting amounts over the lines.
pub(crate) struct Splitter {
    weights: Vec<u64>,
    parts: Vec<Money>,
    scratch: Vec<(u128, usize)>,
}

impl Splitter {
    pub(crate) fn new(n: usize) -> Self {
        Splitter {
            weights: Vec::with_capacity(n),
            parts: Vec::with_capacity(n),
            scratch: Vec::with_capacity(n),
        }
    }

    /// Splits `total` in proportion to `weight(line)`; the parts are in `self.parts`.
    pub(crate) fn split<T>(
        &mut self,
        total: Money,
        over: &[T],
        weight: impl Fn(&T) -> u64,
    ) -> &[Money] {
        self.weights.clear();
        self.weights.extend(over.iter().map(weight));
        split_into(total, &self.weights, &mut self.parts, &mut self.scratch);
        &self.parts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use proptest::prelude::*;

    fn usd(minor: i64) -> Money {
        Money::from_minor(minor, Currency::USD)
    }

    #[test]
    fn splits_like_money_allocate() {
        let mut out = Vec::new();
        let mut scratch = Vec::new();
        split_into(usd(100), &[1, 1, 1, 3], &mut out, &mut scratch);
        assert_eq!(out, usd(100).allocate(&[1, 1, 1, 3]).unwrap());
        split_into(usd(7), &[0, 0, 0], &mut out, &mut scratch);
        assert_eq!(out, usd(7).split_evenly(3).unwrap());
        split_into(usd(0), &[5, 1], &mut out, &mut scratch);
        assert_eq!(out, [usd(0), usd(0)]);
        split_into(usd(-6), &[1, 2, 2], &mut out, &mut scratch);
        assert_eq!(out, usd(-6).allocate(&[1, 2, 2]).unwrap());
    }

    proptest! {
        #[test]
        fn matches_money_allocate(
            total in -1_000_000_000_000i64..1_000_000_000_000,
            weights in prop::collection::vec(0u64..u64::MAX, 1..8),
        ) {
            let mut out = Vec::new();
            let mut scratch = Vec::new();
            split_into(usd(total), &weights, &mut out, &mut scratch);
            let expected = if weights.iter().all(|&w| w == 0) {
                usd(total).split_evenly(weights.len()).unwrap()
            } else {
                usd(total).allocate(&weights).unwrap()
            };
            prop_assert_eq!(out, expected);
        }
    }
}
