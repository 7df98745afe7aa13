//! `BillingMonth`: the calendar month a storage invoice covers.

use std::fmt;
use std::str::FromStr;

use serde::de;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::LedgerError;
use crate::calendar::Date;

/// A calendar month, `YYYY-MM` in text and JSON (e.g. `"2026-10"`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BillingMonth {
    first: Date,
}

impl BillingMonth {
    /// The month `month` (1–12) of `year` (1–9999).
    pub fn new(year: i32, month: u32) -> Result<BillingMonth, LedgerError> {
        Date::from_ymd(year, month, 1)
            .map(|first| BillingMonth { first })
            .map_err(|e| LedgerError::invalid("month", e.to_string()))
    }

    /// Parses exactly `YYYY-MM`, e.g. `"2026-10"`.
    pub fn parse(text: &str) -> Result<BillingMonth, LedgerError> {
        let bad = || {
            LedgerError::invalid(
                "month",
                format!("{text:?} is not a month of the form YYYY-MM, such as \"2026-10\""),
            )
        };
        let bytes = text.as_bytes();
        if bytes.len() != 7 || bytes[4] != b'-' {
            return Err(bad());
        }
        let (year, month) = (&text[..4], &text[5..]);
        if !year
            .bytes()
            .chain(month.bytes())
            .all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        let month: u32 = month.parse().map_err(|_| bad())?;
        BillingMonth::new(year, month)
    }

    /// The month containing `date`.
    pub fn of(date: Date) -> BillingMonth {
        let (year, month, _) = date.ymd();
        BillingMonth::new(year, month).unwrap_or(BillingMonth { first: date })
    }

    /// The first day.
    pub fn first_day(self) -> Date {
        self.first
    }

    /// The last day.
    pub fn last_day(self) -> Date {
        let (year, month, _) = self.first.ymd();
        let next = if month == 12 {
            Date::from_ymd(year + 1, 1, 1)
        } else {
            Date::from_ymd(year, month + 1, 1)
        };
        // December 9999 has no next month: its last day is the last date.
        next.ok().and_then(|d| d.add_days(-1)).unwrap_or(Date::MAX)
    }

    /// Number of days (28–31).
    pub fn len_days(self) -> u32 {
        (self.last_day().days_since(self.first) + 1) as u32
    }

    /// Every day of the month, in order.
    pub fn days(self) -> impl Iterator<Item = Date> {
        let first = self.first;
        (0..self.len_days() as i32).filter_map(move |n| first.add_days(n))
    }

    /// Whether `date` falls in this month.
    pub fn contains(self, date: Date) -> bool {
        self.first <= date && date <= self.last_day()
    }
}

impl fmt::Display for BillingMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, _) = self.first.ymd();
        write!(f, "{year:04}-{month:02}")
    }
}

impl fmt::Debug for BillingMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BillingMonth({self})")
    }
}

impl FromStr for BillingMonth {
    type Err = LedgerError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        BillingMonth::parse(s)
    }
}

impl Serialize for BillingMonth {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for BillingMonth {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        BillingMonth::parse(&text).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_know_their_days() {
        let feb = BillingMonth::parse("2028-02").unwrap();
        assert_eq!(feb.len_days(), 29);
        assert_eq!(feb.last_day().to_string(), "2028-02-29");
        let dec = BillingMonth::new(2026, 12).unwrap();
        assert_eq!(dec.last_day().to_string(), "2026-12-31");
        assert_eq!(dec.days().count(), 31);
        assert_eq!(BillingMonth::new(9999, 12).unwrap().last_day(), Date::MAX);
        let oct = BillingMonth::of(Date::parse("2026-10-30").unwrap());
        assert_eq!(oct.to_string(), "2026-10");
        assert!(oct.contains(Date::parse("2026-10-01").unwrap()));
        assert!(!oct.contains(Date::parse("2026-11-01").unwrap()));
        for bad in [
            "2026-13",
            "2026-1",
            "26-10",
            "2026/10",
            "2026-10-01",
            "+026-10",
        ] {
            assert_eq!(
                BillingMonth::parse(bad).unwrap_err().field(),
                Some("month"),
                "{bad}"
            );
        }
        assert_eq!(serde_json::to_string(&oct).unwrap(), "\"2026-10\"");
        assert_eq!(
            serde_json::from_str::<BillingMonth>("\"2026-10\"").unwrap(),
            oct
        );
    }
}
