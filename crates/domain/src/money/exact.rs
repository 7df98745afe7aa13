//! Exact integer arithmetic under every rounding and allocation.
//!
//! A product such as minor units × an FX rate's digits can need more than
//! 128 bits, and `Decimal` multiplication would silently round it to 28
//! digits before our own rounding — a hidden second rounding. So products are
//! formed in 256 bits and divided exactly; the only rounding is the one the
//! caller names.

use super::rounding::RoundingMode;

/// An unsigned 256-bit integer as two halves: `hi × 2^128 + lo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct U256 {
    hi: u128,
    lo: u128,
}

const LOW_64: u128 = u64::MAX as u128;

/// `a × b` without loss.
fn mul_wide(a: u128, b: u128) -> U256 {
    let (a_hi, a_lo) = (a >> 64, a & LOW_64);
    let (b_hi, b_lo) = (b >> 64, b & LOW_64);
    let low = a_lo * b_lo;
    let cross_1 = a_lo * b_hi;
    let cross_2 = a_hi * b_lo;
    let high = a_hi * b_hi;
    // At most 3 × (2^64 - 1): fits.
    let middle = (low >> 64) + (cross_1 & LOW_64) + (cross_2 & LOW_64);
    U256 {
        hi: high + (cross_1 >> 64) + (cross_2 >> 64) + (middle >> 64),
        lo: (low & LOW_64) | (middle << 64),
    }
}

/// `(n / d, n % d)` for `d > 0`; the quotient is `None` when it needs more than 128 bits.
fn div_wide(n: U256, d: u128) -> (Option<u128>, u128) {
    if n.hi == 0 {
        return (Some(n.lo / d), n.lo % d);
    }
    // Shift-and-subtract long division, one bit at a time.
    let mut quotient = U256 { hi: 0, lo: 0 };
    let mut remainder: u128 = 0;
    for bit in (0..256u32).rev() {
        let next = if bit >= 128 {
            (n.hi >> (bit - 128)) & 1
        } else {
            (n.lo >> bit) & 1
        };
        let carried_out = remainder >> 127 == 1;
        remainder = (remainder << 1) | next;
        if carried_out || remainder >= d {
            // With a carried-out bit the true remainder is ≥ 2^128 > d and
            // the difference is < d, so wrapping gives the exact value.
            remainder = remainder.wrapping_sub(d);
            if bit >= 128 {
                quotient.hi |= 1 << (bit - 128);
            } else {
                quotient.lo |= 1 << bit;
            }
        }
    }
    let quotient = if quotient.hi == 0 {
        Some(quotient.lo)
    } else {
        None
    };
    (quotient, remainder)
}

/// `(a × b / d, a × b % d)` exactly, for `d > 0`; `None` if the quotient
/// needs more than 128 bits.
pub(super) fn mul_div(a: u128, b: u128, d: u128) -> Option<(u128, u128)> {
    match div_wide(mul_wide(a, b), d) {
        (Some(quotient), remainder) => Some((quotient, remainder)),
        (None, _) => None,
    }
}

/// Rounds the magnitude `q + r/d` (with `0 ≤ r < d`) to an integer.
///
/// Every mode is symmetric about zero, so rounding the magnitude and then
/// applying the sign gives: `Up` away from zero, `Down` toward zero, `HalfUp`
/// half away from zero, `HalfEven` half to the even neighbour.
pub(super) fn round_quotient(q: u128, r: u128, d: u128, mode: RoundingMode) -> Option<u128> {
    // `r` against `d - r` compares 2r with d without overflow.
    let round_away = match mode {
        RoundingMode::Down => false,
        RoundingMode::Up => r != 0,
        RoundingMode::HalfUp => r >= d - r,
        RoundingMode::HalfEven => match r.cmp(&(d - r)) {
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Equal => q % 2 == 1,
            std::cmp::Ordering::Less => false,
        },
    };
    if round_away {
        q.checked_add(1)
    } else {
        Some(q)
    }
}

/// The exact value `±a × b × 10^shift`, rounded once to an integer by `mode`.
///
/// `negative` gives the sign. `None` when the result does not fit in `i64`.
pub(super) fn round_scaled(
    negative: bool,
    a: u128,
    b: u128,
    shift: i32,
    mode: RoundingMode,
) -> Option<i64> {
    let magnitude = if shift >= 0 {
        let product = mul_wide(a, b);
        if product.hi != 0 {
            return None;
        }
        product
            .lo
            .checked_mul(10u128.checked_pow(shift.unsigned_abs())?)?
    } else {
        // Beyond 10^38 the divisor exceeds u128; no caller comes near
        // (a Decimal's scale is at most 28, an exponent at most 4).
        let divisor = 10u128.checked_pow(shift.unsigned_abs())?;
        let (q, r) = mul_div(a, b, divisor)?;
        round_quotient(q, r, divisor, mode)?
    };
    let magnitude = i128::try_from(magnitude).ok()?;
    i64::try_from(if negative { -magnitude } else { magnitude }).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mul_wide_matches_u128_when_it_fits_and_carries_when_not() {
        assert_eq!(
            mul_wide(12345, 67890),
            U256 {
                hi: 0,
                lo: 838_102_050
            }
        );
        assert_eq!(
            mul_wide(u128::MAX, u128::MAX),
            U256 {
                hi: u128::MAX - 1,
                lo: 1
            }
        );
        assert_eq!(mul_wide(1 << 127, 2), U256 { hi: 1, lo: 0 });
        assert_eq!(mul_wide(u128::MAX, 0), U256 { hi: 0, lo: 0 });
    }

    #[test]
    fn div_wide_handles_wide_numerators_and_huge_divisors() {
        // (2^128 - 1)^2 / (2^128 - 1) = 2^128 - 1.
        let n = mul_wide(u128::MAX, u128::MAX);
        assert_eq!(div_wide(n, u128::MAX), (Some(u128::MAX), 0));
        // (2^128 - 1)^2 / (2^127): quotient needs 129 bits.
        assert_eq!(div_wide(n, 1 << 127).0, None);
        let product = mul_wide(10u128.pow(30) + 1, 7 * 10u128.pow(20));
        assert_ne!(product.hi, 0);
        let (q, r) = div_wide(product, 10u128.pow(25));
        assert_eq!(q, Some(7 * 10u128.pow(25)));
        assert_eq!(r, 7 * 10u128.pow(20));
    }

    #[test]
    fn round_scaled_rounds_once_with_the_named_mode() {
        use RoundingMode::*;
        // 25 / 10 = 2.5 and -2.5
        for (mode, pos, neg) in [
            (HalfEven, 2, -2),
            (HalfUp, 3, -3),
            (Up, 3, -3),
            (Down, 2, -2),
        ] {
            assert_eq!(round_scaled(false, 25, 1, -1, mode), Some(pos), "{mode}");
            assert_eq!(round_scaled(true, 25, 1, -1, mode), Some(neg), "{mode}");
        }
        assert_eq!(round_scaled(false, 35, 1, -1, HalfEven), Some(4));
        assert_eq!(round_scaled(false, 7, 3, 2, Down), Some(2100));
        assert_eq!(round_scaled(true, 1 << 63, 1, 0, Down), Some(i64::MIN));
        assert_eq!(round_scaled(false, 1 << 63, 1, 0, Down), None);
        assert_eq!(round_scaled(false, u128::MAX, u128::MAX, 0, Down), None);
    }
}
