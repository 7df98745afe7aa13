//! The dated versions of a warehouse's storage fee rules. A price change
//! is a new version from a day on; the versions already in force never
//! change, so a past month's storage invoice is the same every time it is
//! computed from the ledger.

use serde::{Deserialize, Serialize};

use super::error::LedgerError;
use super::fees::StorageFeeRules;
use crate::calendar::Date;
use crate::money::Currency;

/// One version of a warehouse's storage fee rules: in force from
/// `valid_from` (the warehouse's local day, inclusive) until the next
/// version's `valid_from`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageFeeVersion {
    /// The first local day the rules apply (YYYY-MM-DD).
    pub valid_from: Date,
    /// The rules.
    pub rules: StorageFeeRules,
}

/// A warehouse's storage fee versions, by increasing `valid_from`, all in
/// one currency (valid by construction, see [`StorageFeeSchedule::new`]).
/// Days before the first version are not charged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct StorageFeeSchedule {
    versions: Vec<StorageFeeVersion>,
}

impl StorageFeeSchedule {
    /// The schedule of `versions` (any order).
    ///
    /// Refused (naming the field): two versions from the same day
    /// (`versions[i].valid_from`), and a version priced in another currency
    /// than the others (`versions[i].rules.price_per_m3_day`): a warehouse
    /// bills storage in one currency, so an invoice never mixes two.
    pub fn new(mut versions: Vec<StorageFeeVersion>) -> Result<StorageFeeSchedule, LedgerError> {
        versions.sort_by_key(|v| v.valid_from);
        for (i, pair) in versions.windows(2).enumerate() {
            if pair[0].valid_from == pair[1].valid_from {
                return Err(LedgerError::invalid(
                    format!("versions[{}].valid_from", i + 1),
                    format!("two versions start on {}", pair[1].valid_from),
                ));
            }
        }
        if let Some(first) = versions.first() {
            let currency = first.rules.currency();
            if let Some((i, other)) = versions
                .iter()
                .enumerate()
                .find(|(_, v)| v.rules.currency() != currency)
            {
                return Err(LedgerError::invalid(
                    format!("versions[{i}].rules.price_per_m3_day"),
                    format!(
                        "is in {}, but this warehouse's storage prices are in {currency}",
                        other.rules.currency()
                    ),
                ));
            }
        }
        Ok(StorageFeeSchedule { versions })
    }

    /// A schedule of one version in force from `valid_from` on.
    pub fn from_day(valid_from: Date, rules: StorageFeeRules) -> StorageFeeSchedule {
        StorageFeeSchedule {
            versions: vec![StorageFeeVersion { valid_from, rules }],
        }
    }

    /// The versions, by increasing `valid_from`.
    pub fn versions(&self) -> &[StorageFeeVersion] {
        &self.versions
    }

    /// Whether no version exists.
    pub fn is_empty(&self) -> bool {
        self.versions.is_empty()
    }

    /// The currency of every price, if any version exists.
    pub fn currency(&self) -> Option<Currency> {
        self.versions.first().map(|v| v.rules.currency())
    }

    /// The version in force on `day`: the last one starting on or before
    /// it; `None` before the first.
    pub fn in_force(&self, day: Date) -> Option<&StorageFeeVersion> {
        let after = self.versions.partition_point(|v| v.valid_from <= day);
        after.checked_sub(1).map(|i| &self.versions[i])
    }

    /// This schedule with `version` added, or replacing the version from
    /// the same day. `today` is the warehouse's local day: a version may
    /// start today or later, and one that started before today cannot be
    /// replaced, so the fees of days already past never change.
    ///
    /// Errors: `valid_from` before `today`, and prices in another currency
    /// than the other versions' (`rules.price_per_m3_day`).
    pub fn with_version(
        &self,
        version: StorageFeeVersion,
        today: Date,
    ) -> Result<StorageFeeSchedule, LedgerError> {
        if let Some(currency) = self.currency() {
            if version.rules.currency() != currency {
                return Err(LedgerError::invalid(
                    "rules.price_per_m3_day",
                    format!(
                        "is in {}, but this warehouse's storage prices are in {currency}",
                        version.rules.currency()
                    ),
                ));
            }
        }
        if version.valid_from < today {
            return Err(LedgerError::invalid(
                "valid_from",
                format!(
                    "{} is before the warehouse's today ({today}): fees of past days never change",
                    version.valid_from
                ),
            ));
        }
        let mut versions: Vec<StorageFeeVersion> = self
            .versions
            .iter()
            .filter(|v| v.valid_from != version.valid_from)
            .cloned()
            .collect();
        versions.push(version);
        StorageFeeSchedule::new(versions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Money;

    fn rules(minor: i64, currency: Currency) -> StorageFeeRules {
        StorageFeeRules::new(Money::from_minor(minor, currency), 0, vec![]).unwrap()
    }

    fn day(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    fn version(from: &str, minor: i64) -> StorageFeeVersion {
        StorageFeeVersion {
            valid_from: day(from),
            rules: rules(minor, Currency::USD),
        }
    }

    #[test]
    fn the_version_in_force_is_the_last_one_started() {
        let s = StorageFeeSchedule::new(vec![version("2026-03-01", 50), version("2026-01-01", 45)])
            .unwrap();
        assert_eq!(s.in_force(day("2025-12-31")), None);
        assert_eq!(
            s.in_force(day("2026-01-01")).unwrap().rules,
            rules(45, Currency::USD)
        );
        assert_eq!(
            s.in_force(day("2026-02-28")).unwrap().rules,
            rules(45, Currency::USD)
        );
        assert_eq!(
            s.in_force(day("2026-03-01")).unwrap().rules,
            rules(50, Currency::USD)
        );
        assert_eq!(
            s.in_force(day("2030-01-01")).unwrap().rules,
            rules(50, Currency::USD)
        );
        assert_eq!(s.versions()[0].valid_from, day("2026-01-01"));
    }

    #[test]
    fn two_versions_from_one_day_or_two_currencies_are_refused() {
        let same_day =
            StorageFeeSchedule::new(vec![version("2026-01-01", 1), version("2026-01-01", 2)]);
        assert_eq!(
            same_day.unwrap_err().field(),
            Some("versions[1].valid_from")
        );
        let euro = StorageFeeVersion {
            valid_from: day("2026-02-01"),
            rules: rules(40, Currency::EUR),
        };
        let mixed = StorageFeeSchedule::new(vec![version("2026-01-01", 45), euro]);
        assert_eq!(
            mixed.unwrap_err().field(),
            Some("versions[1].rules.price_per_m3_day")
        );
    }

    #[test]
    fn a_version_starts_today_or_later_and_past_ones_stay() {
        let s = StorageFeeSchedule::from_day(day("2026-01-01"), rules(45, Currency::USD));
        let today = day("2026-06-15");
        let back_dated = s.with_version(version("2026-06-14", 60), today);
        assert_eq!(back_dated.unwrap_err().field(), Some("valid_from"));
        let replaced_past = s.with_version(version("2026-01-01", 60), today);
        assert_eq!(replaced_past.unwrap_err().field(), Some("valid_from"));
        let next = s.with_version(version("2026-07-01", 60), today).unwrap();
        assert_eq!(next.versions().len(), 2);
        let euro = StorageFeeVersion {
            valid_from: day("2026-08-01"),
            rules: rules(50, Currency::EUR),
        };
        assert_eq!(
            next.with_version(euro, today).unwrap_err().field(),
            Some("rules.price_per_m3_day")
        );
        let corrected = next.with_version(version("2026-07-01", 55), today).unwrap();
        assert_eq!(corrected.versions().len(), 2);
        assert_eq!(
            corrected.in_force(day("2026-07-01")).unwrap().rules,
            rules(55, Currency::USD)
        );
        assert_eq!(
            corrected.in_force(day("2026-06-30")).unwrap().rules,
            rules(45, Currency::USD)
        );
    }
}
