//! When a failed webhook delivery is tried again: exponential backoff with
//! a cap, and a spread derived from the delivery's id so that deliveries
//! failing together (an endpoint down) do not all come back at once — yet
//! every schedule can be recomputed exactly.

/// How deliveries are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The wait after the first failure, in seconds.
    pub first_wait_secs: u64,
    /// The longest wait, in seconds.
    pub max_wait_secs: u64,
}

/// 12 attempts: waits of 30 s, 1, 2, 4, 8, 16, 32 min, then 1 h (capped)
/// — about 6 hours of retries — each plus up to 10 % spread.
pub const DEFAULT_RETRY: RetryPolicy = RetryPolicy {
    max_attempts: 12,
    first_wait_secs: 30,
    max_wait_secs: 3_600,
};

impl RetryPolicy {
    /// Seconds to wait after attempt `attempt` (1 = the first) failed, or
    /// `None` when it was the last: `first_wait × 2^(attempt−1)`, capped at
    /// `max_wait`, plus a spread of `0 ..= wait / 10` chosen by `delivery_id`.
    pub fn wait_after(&self, attempt: u32, delivery_id: i64) -> Option<u64> {
        if attempt == 0 || attempt >= self.max_attempts {
            return None;
        }
        let doubled = self
            .first_wait_secs
            .checked_shl(attempt - 1)
            .filter(|w| *w >> (attempt - 1) == self.first_wait_secs)
            .unwrap_or(u64::MAX);
        let wait = doubled.min(self.max_wait_secs);
        // SplitMix64 of the id: a fixed spread per delivery.
        let mut z = (delivery_id as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        let spread = z % (wait / 10 + 1);
        Some(wait + spread)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_cap_with_at_most_a_tenth_more() {
        let p = DEFAULT_RETRY;
        let base: Vec<u64> = (1..12).map(|a| p.wait_after(a, 0).unwrap()).collect();
        let expected = [
            30, 60, 120, 240, 480, 960, 1_920, 3_600, 3_600, 3_600, 3_600,
        ];
        for (got, want) in base.iter().zip(expected) {
            assert!(
                (want..=want + want / 10).contains(got),
                "{got} not in {want}.."
            );
        }
        assert_eq!(p.wait_after(12, 0), None);
        assert_eq!(p.wait_after(0, 0), None);
        // The same delivery always gets the same schedule; others spread.
        assert_eq!(p.wait_after(5, 77), p.wait_after(5, 77));
        let spread: std::collections::BTreeSet<u64> =
            (0..50).map(|id| p.wait_after(8, id).unwrap()).collect();
        assert!(spread.len() > 10);
        // No overflow with a huge first wait or many attempts.
        let wild = RetryPolicy {
            max_attempts: 200,
            first_wait_secs: u64::MAX / 4,
            max_wait_secs: 86_400,
        };
        assert!(wild.wait_after(150, 1).unwrap() <= 86_400 + 8_640);
    }
}
