//! `Exact`: a non-negative amount in minor units kept as an exact decimal
//! (`n / 10^scale` minor units) while duty components are added, so the
//! duty is rounded once, at the named step, after the sum and the
//! minimum/maximum.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use crate::money::RoundingMode;

/// `n / 10^scale` minor units, non-negative, exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Exact {
    n: u128,
    scale: u32,
}

fn pow10(exponent: u32) -> Option<u128> {
    10u128.checked_pow(exponent)
}

impl Exact {
    pub(crate) const ZERO: Exact = Exact { n: 0, scale: 0 };

    /// A whole number of minor units (negative values are treated as zero:
    /// callers pass validated, non-negative amounts).
    pub(crate) fn minor(minor: i64) -> Exact {
        Exact {
            n: u128::try_from(minor).unwrap_or(0),
            scale: 0,
        }
    }

    /// `self × factor` for a non-negative decimal (a rate, a weight).
    pub(crate) fn times(self, factor: Decimal) -> Option<Exact> {
        let factor = factor.normalize();
        if factor.is_sign_negative() && !factor.is_zero() {
            return None;
        }
        Some(Exact {
            n: self.n.checked_mul(factor.mantissa().unsigned_abs())?,
            scale: self.scale.checked_add(factor.scale())?,
        })
    }

    /// `self × k`.
    pub(crate) fn times_int(self, k: u128) -> Option<Exact> {
        Some(Exact {
            n: self.n.checked_mul(k)?,
            scale: self.scale,
        })
    }

    fn at_scale(self, scale: u32) -> Option<u128> {
        self.n.checked_mul(pow10(scale.checked_sub(self.scale)?)?)
    }

    /// `self + other`.
    pub(crate) fn plus(self, other: Exact) -> Option<Exact> {
        let scale = self.scale.max(other.scale);
        Some(Exact {
            n: self.at_scale(scale)?.checked_add(other.at_scale(scale)?)?,
            scale,
        })
    }

    /// Compares exactly; `None` only when aligning overflows.
    pub(crate) fn compare(self, other: Exact) -> Option<Ordering> {
        let scale = self.scale.max(other.scale);
        Some(self.at_scale(scale)?.cmp(&other.at_scale(scale)?))
    }

    /// Rounded once to whole minor units by `mode`; `None` beyond `i64`.
    pub(crate) fn round(self, mode: RoundingMode) -> Option<i64> {
        let divisor = pow10(self.scale)?;
        let (q, r) = (self.n / divisor, self.n % divisor);
        let up = match mode {
            RoundingMode::Down => false,
            RoundingMode::Up => r != 0,
            RoundingMode::HalfUp => r >= divisor - r && r != 0,
            RoundingMode::HalfEven => match r.cmp(&(divisor - r)) {
                Ordering::Greater => true,
                Ordering::Equal => r != 0 && q % 2 == 1,
                Ordering::Less => false,
            },
        };
        i64::try_from(q + u128::from(up)).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    #[test]
    fn adds_and_rounds_once() {
        // 7 % of 932.00 = 6524 cents exactly; 3.5 % of 10.01 = 35.035 cents.
        let duty = Exact::minor(93_200).times(dec("0.07")).unwrap();
        assert_eq!(duty.round(RoundingMode::HalfUp), Some(6524));
        let small = Exact::minor(1001).times(dec("0.035")).unwrap();
        assert_eq!(small.round(RoundingMode::HalfUp), Some(35));
        assert_eq!(small.round(RoundingMode::Up), Some(36));
        let half = Exact::minor(5).times(dec("0.5")).unwrap();
        assert_eq!(half.round(RoundingMode::HalfUp), Some(3));
        assert_eq!(half.round(RoundingMode::HalfEven), Some(2));
        assert_eq!(half.round(RoundingMode::Down), Some(2));
        let sum = small.plus(Exact::minor(65)).unwrap();
        assert_eq!(sum.round(RoundingMode::HalfUp), Some(100));
        assert_eq!(sum.compare(Exact::minor(100)), Some(Ordering::Greater));
        assert_eq!(Exact::ZERO.round(RoundingMode::Up), Some(0));
        assert_eq!(
            Exact::minor(250)
                .times_int(3)
                .unwrap()
                .round(RoundingMode::Down),
            Some(750)
        );
        assert!(Exact::minor(1).times(dec("-1")).is_none());
    }
}
