//! `Ratio`: an exact non-negative fraction of two integers, for values built
//! from several exact factors (an FX cross rate, a markup, a discount) that
//! must be rounded only once at the end.
//!
//! A cross rate such as CNY→USD = (USD per EUR) / (CNY per EUR) is not a
//! finite decimal, so it cannot be a `Rate` without rounding; as a ratio of
//! integers it stays exact. Applying a ratio to an amount goes through the
//! 256-bit `mul_div` of [`super::exact`], so the only rounding is the one
//! the caller names.

use rust_decimal::Decimal;

use super::exact::{mul_div, round_quotient};
use super::rounding::RoundingMode;

/// `10^0 ..= 10^38`, every power of ten a `u128` holds.
const POW10: [u128; 39] = {
    let mut table = [1u128; 39];
    let mut i = 1;
    while i < 39 {
        table[i] = table[i - 1] * 10;
        i += 1;
    }
    table
};

/// `10^exponent`, or `None` beyond `10^38`.
pub(crate) fn pow10(exponent: u32) -> Option<u128> {
    POW10.get(exponent as usize).copied()
}

/// An exact fraction `num / den` with `den > 0`; not necessarily reduced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ratio {
    num: u128,
    den: u128,
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Ratio {
    /// The ratio 1.
    pub(crate) const ONE: Ratio = Ratio { num: 1, den: 1 };

    /// `num / den`; `None` when `den` is zero.
    pub(crate) fn new(num: u128, den: u128) -> Option<Ratio> {
        (den != 0).then_some(Ratio { num, den })
    }

    /// The magnitude of `value`, exactly: mantissa / 10^scale.
    pub(crate) fn from_decimal_abs(value: Decimal) -> Ratio {
        Ratio {
            num: value.mantissa().unsigned_abs(),
            // A Decimal's scale is at most 28.
            den: POW10[value.scale() as usize],
        }
    }

    /// `1 + value` for a non-negative `value` (a markup of 0.25 gives 1.25).
    pub(crate) fn one_plus(value: Decimal) -> Option<Ratio> {
        let Ratio { num, den } = Ratio::from_decimal_abs(value);
        Some(Ratio {
            num: den.checked_add(num)?,
            den,
        })
    }

    /// `1 - value` for `0 ≤ value ≤ 1` (a discount of 0.08 gives 0.92);
    /// `None` when `value` is above 1.
    pub(crate) fn one_minus(value: Decimal) -> Option<Ratio> {
        let Ratio { num, den } = Ratio::from_decimal_abs(value);
        Some(Ratio {
            num: den.checked_sub(num)?,
            den,
        })
    }

    /// The numerator.
    pub(crate) fn numer(self) -> u128 {
        self.num
    }

    /// The denominator (never zero).
    pub(crate) fn denom(self) -> u128 {
        self.den
    }

    /// The same value in lowest terms.
    pub(crate) fn reduced(self) -> Ratio {
        if self.num == 0 {
            return Ratio { num: 0, den: 1 };
        }
        let g = gcd(self.num, self.den);
        Ratio {
            num: self.num / g,
            den: self.den / g,
        }
    }

    /// `1 / self`; `None` for zero.
    pub(crate) fn recip(self) -> Option<Ratio> {
        Ratio::new(self.den, self.num)
    }

    /// `self × other`, exactly; `None` only when even the lowest terms of
    /// the product need more than 128 bits on either side.
    pub(crate) fn checked_mul(self, other: Ratio) -> Option<Ratio> {
        // The common case (small factors) needs no gcd.
        if let (Some(num), Some(den)) = (
            self.num.checked_mul(other.num),
            self.den.checked_mul(other.den),
        ) {
            return Some(Ratio { num, den });
        }
        let (a, b) = (self.reduced(), other.reduced());
        if a.num == 0 || b.num == 0 {
            return Some(Ratio { num: 0, den: 1 });
        }
        // a and b are in lowest terms, so cancelling across gives lowest terms.
        let g1 = gcd(a.num, b.den);
        let g2 = gcd(b.num, a.den);
        Some(Ratio {
            num: (a.num / g1).checked_mul(b.num / g2)?,
            den: (a.den / g2).checked_mul(b.den / g1)?,
        })
    }

    /// `self × 10^exponent` (exponent may be negative).
    pub(crate) fn times_pow10(self, exponent: i32) -> Option<Ratio> {
        let factor = Ratio {
            num: pow10(exponent.unsigned_abs())?,
            den: 1,
        };
        if exponent >= 0 {
            self.checked_mul(factor)
        } else {
            self.checked_mul(factor.recip()?)
        }
    }

    /// `(⌊amount × self⌋, remainder)`: `amount × num = q × den + remainder`,
    /// computed in 256 bits; `None` when the quotient needs more than 128 bits.
    pub(crate) fn apply_floor(self, amount: u128) -> Option<(u128, u128)> {
        mul_div(amount, self.num, self.den)
    }

    /// `amount × self` rounded once to an integer by `mode` (on the magnitude).
    pub(crate) fn apply_rounded(self, amount: u128, mode: RoundingMode) -> Option<u128> {
        let (q, r) = self.apply_floor(amount)?;
        round_quotient(q, r, self.den, mode)
    }

    /// The decimal expansion rounded half-even to `decimals` places, e.g.
    /// `"150.3109"`, and whether that text is the exact value.
    pub(crate) fn to_fixed(self, decimals: u32) -> (String, bool) {
        let mut whole = self.num / self.den;
        let mut rem = self.num % self.den;
        let mut fraction = Vec::with_capacity(decimals as usize);
        for _ in 0..decimals {
            // rem < den, so rem × 10 / den is a single digit.
            let (digit, next) = mul_div(rem, 10, self.den).unwrap_or((0, 0));
            fraction.push(digit as u8);
            rem = next;
        }
        let exact = rem == 0;
        let last_odd = fraction.last().map_or(whole % 2 == 1, |d| d % 2 == 1);
        let round_up = match rem.cmp(&(self.den - rem)) {
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Equal => last_odd,
            std::cmp::Ordering::Less => false,
        };
        if round_up {
            let mut carry = true;
            for digit in fraction.iter_mut().rev() {
                if *digit == 9 {
                    *digit = 0;
                } else {
                    *digit += 1;
                    carry = false;
                    break;
                }
            }
            if carry {
                whole = whole.saturating_add(1);
            }
        }
        let mut text = whole.to_string();
        if !fraction.is_empty() {
            text.push('.');
            text.extend(fraction.iter().map(|&d| char::from(b'0' + d)));
        }
        (text, exact)
    }

    /// The value with `significant` significant digits (at least 1), rounded
    /// half-even, e.g. `0.1503` for 4; the whole part is never cut, so
    /// 20275.17 at 4 digits is `"20275"`.
    pub(crate) fn to_significant(self, significant: u32) -> String {
        let significant = significant.max(1);
        let whole = self.num / self.den;
        let decimals = if whole > 0 {
            significant.saturating_sub(whole.ilog10() + 1)
        } else if self.num == 0 {
            significant.saturating_sub(1)
        } else {
            // Count the zeros right after the point.
            let mut zeros = 0;
            let mut rem = self.num;
            while let Some((0, next)) = mul_div(rem, 10, self.den) {
                zeros += 1;
                rem = next;
            }
            zeros + significant
        };
        self.to_fixed(decimals).0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ratio(num: u128, den: u128) -> Ratio {
        Ratio::new(num, den).unwrap()
    }

    #[test]
    fn builds_from_decimals_exactly() {
        let markup = Decimal::new(25, 2);
        assert_eq!(Ratio::from_decimal_abs(markup), ratio(25, 100));
        assert_eq!(Ratio::one_plus(markup), Some(ratio(125, 100)));
        assert_eq!(Ratio::one_minus(markup), Some(ratio(75, 100)));
        assert_eq!(Ratio::one_minus(Decimal::ONE), Some(ratio(0, 1)));
        assert_eq!(Ratio::one_minus(Decimal::new(101, 2)), None);
        assert_eq!(Ratio::new(1, 0), None);
        assert_eq!(ratio(6, 4).reduced(), ratio(3, 2));
        assert_eq!(ratio(0, 4).reduced(), ratio(0, 1));
        assert_eq!(pow10(38), Some(10u128.pow(38)));
        assert_eq!(pow10(39), None);
    }

    #[test]
    fn multiplies_with_cancelling_only_when_needed() {
        assert_eq!(ratio(3, 4).checked_mul(ratio(5, 6)), Some(ratio(15, 24)));
        // Each side alone would overflow; the product in lowest terms fits.
        let big = 10u128.pow(30);
        let product = ratio(big, 3).checked_mul(ratio(7, big)).unwrap();
        assert_eq!(product.reduced(), ratio(7, 3));
        assert_eq!(ratio(u128::MAX, 1).checked_mul(ratio(u128::MAX, 1)), None);
        assert_eq!(
            ratio(0, 1).checked_mul(ratio(u128::MAX, 1)),
            Some(ratio(0, 1))
        );
        assert_eq!(ratio(3, 2).times_pow10(2), Some(ratio(300, 2)));
        assert_eq!(ratio(3, 2).times_pow10(-2), Some(ratio(3, 200)));
    }

    #[test]
    fn applies_with_one_rounding() {
        // 1000 × 2/3 = 666.67
        let two_thirds = ratio(2, 3);
        assert_eq!(two_thirds.apply_floor(1000), Some((666, 2)));
        assert_eq!(
            two_thirds.apply_rounded(1000, RoundingMode::HalfEven),
            Some(667)
        );
        assert_eq!(
            two_thirds.apply_rounded(1000, RoundingMode::Down),
            Some(666)
        );
        assert_eq!(
            ratio(1, 2).apply_rounded(5, RoundingMode::HalfEven),
            Some(2)
        );
        assert_eq!(ratio(1, 2).apply_rounded(5, RoundingMode::HalfUp), Some(3));
    }

    #[test]
    fn writes_decimals_rounded_half_even() {
        assert_eq!(ratio(2, 3).to_fixed(4), ("0.6667".into(), false));
        assert_eq!(ratio(1, 8).to_fixed(3), ("0.125".into(), true));
        assert_eq!(ratio(1, 8).to_fixed(2), ("0.12".into(), false));
        assert_eq!(ratio(3, 8).to_fixed(2), ("0.38".into(), false));
        assert_eq!(ratio(19_999, 10_000).to_fixed(3), ("2.000".into(), false));
        assert_eq!(ratio(5, 2).to_fixed(0), ("2".into(), false));
        assert_eq!(ratio(7, 2).to_fixed(0), ("4".into(), false));
        assert_eq!(ratio(2_027_517, 100).to_significant(4), "20275");
        assert_eq!(ratio(11_172, 74_326).to_significant(6), "0.150311");
        assert_eq!(ratio(1, 3000).to_significant(2), "0.00033");
        assert_eq!(ratio(0, 1).to_significant(3), "0.00");
        assert_eq!(ratio(7, 1).to_significant(3), "7.00");
    }
}
