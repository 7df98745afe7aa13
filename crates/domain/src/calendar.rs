//! Civil dates: a day on the proleptic Gregorian calendar, without time or zone.
//!
//! [`Date`] is what rates are dated with (an ECB reference rate belongs to a
//! business day, not an instant), what price lists start and end on, and
//! what a price query asks about. It is a `Copy` count of days since
//! 1970-01-01, so comparing, ordering and stepping by days are integer
//! operations; the year, month and day are computed when asked.
//!
//! The text form, in `Display`, `FromStr` and serde, is ISO 8601's
//! `YYYY-MM-DD` and nothing else: years 0001 to 9999, four digits, two-digit
//! month and day.
//!
//! ```
//! use chuhai_domain::calendar::{Date, Weekday};
//!
//! let friday = Date::parse("2026-10-30").unwrap();
//! assert_eq!(friday.weekday(), Weekday::Friday);
//! let saturday = friday.add_days(1).unwrap();
//! assert_eq!(saturday.to_string(), "2026-10-31");
//! assert!(saturday.weekday().is_weekend());
//! ```

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Longest piece of rejected input kept in a [`DateError`], in characters:
/// input arrives from files and forms, and the error must not grow with it.
const MAX_ECHOED_CHARS: usize = 32;

/// Days from 1970-01-01 to 0001-01-01 (negative) and to 9999-12-31.
const MIN_DAYS: i32 = -719_162;
const MAX_DAYS: i32 = 2_932_896;

/// Why a date was refused. Every message names the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// The text is not of the form `YYYY-MM-DD`.
    #[error("invalid date {input:?}: {reason}")]
    Invalid {
        /// The text given (at most 32 characters of it).
        input: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Year, month and day are digits of the right shape but no such day
    /// exists (2026-02-30, month 13, year 0).
    #[error("{year:04}-{month:02}-{day:02} is not a date: {reason}")]
    NoSuchDay {
        /// The year given.
        year: i32,
        /// The month given (1–12 expected).
        month: u32,
        /// The day given.
        day: u32,
        /// Why it does not exist.
        reason: String,
    },
}

/// A civil date (no time, no zone) between 0001-01-01 and 9999-12-31.
///
/// Internally the number of days since 1970-01-01 (negative before), so it
/// is 4 bytes, `Copy`, and ordered chronologically.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

/// A day of the week, Monday first (ISO 8601).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    /// ISO day 1.
    Monday,
    /// ISO day 2.
    Tuesday,
    /// ISO day 3.
    Wednesday,
    /// ISO day 4.
    Thursday,
    /// ISO day 5.
    Friday,
    /// ISO day 6.
    Saturday,
    /// ISO day 7.
    Sunday,
}

impl Weekday {
    const ALL: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];

    /// ISO 8601 day number: Monday 1 … Sunday 7.
    pub const fn number_from_monday(self) -> u8 {
        self as u8 + 1
    }

    /// Saturday or Sunday (the days without ECB reference rates).
    pub const fn is_weekend(self) -> bool {
        matches!(self, Weekday::Saturday | Weekday::Sunday)
    }

    /// The English name, e.g. `"Saturday"`.
    pub const fn name(self) -> &'static str {
        match self {
            Weekday::Monday => "Monday",
            Weekday::Tuesday => "Tuesday",
            Weekday::Wednesday => "Wednesday",
            Weekday::Thursday => "Thursday",
            Weekday::Friday => "Friday",
            Weekday::Saturday => "Saturday",
            Weekday::Sunday => "Sunday",
        }
    }
}

impl fmt::Display for Weekday {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

fn is_leap_year(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Date {
    /// 0001-01-01, the earliest date.
    pub const MIN: Date = Date(MIN_DAYS);
    /// 9999-12-31, the latest date.
    pub const MAX: Date = Date(MAX_DAYS);
    /// 1970-01-01, day 0.
    pub const EPOCH: Date = Date(0);

    /// The date with this year (1–9999), month (1–12) and day of the month.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Result<Date, DateError> {
        let no_such_day = |reason: String| DateError::NoSuchDay {
            year,
            month,
            day,
            reason,
        };
        if !(1..=9999).contains(&year) {
            return Err(no_such_day("the year must be between 0001 and 9999".into()));
        }
        if !(1..=12).contains(&month) {
            return Err(no_such_day("the month must be between 01 and 12".into()));
        }
        let last = days_in_month(year, month);
        if day == 0 || day > last {
            let name = MONTH_NAMES[month as usize - 1];
            return Err(no_such_day(format!("{name} {year:04} has {last} days")));
        }
        Ok(Date(days_from_civil(year, month, day)))
    }

    /// Parses exactly `YYYY-MM-DD` (ISO 8601 calendar date, extended form),
    /// e.g. `"2026-10-30"`. Refused: other separators, missing zero padding
    /// (`"2026-1-5"`), blanks, times or zones after the date, and days that do
    /// not exist (`"2026-02-29"`).
    pub fn parse(text: &str) -> Result<Date, DateError> {
        let invalid = |reason| DateError::Invalid {
            input: echo(text),
            reason,
        };
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(invalid(
                "expected YYYY-MM-DD with four-digit year and two-digit month and day, such as \"2026-10-30\"",
            ));
        }
        let number = |range: std::ops::Range<usize>| -> Option<u32> {
            bytes[range].iter().try_fold(0u32, |acc, &b| {
                b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
            })
        };
        let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10))
        else {
            return Err(invalid(
                "expected digits in YYYY-MM-DD, such as \"2026-10-30\"",
            ));
        };
        // Four digits always fit in i32.
        Date::from_ymd(year as i32, month, day)
    }

    /// The number of days since 1970-01-01 (negative before it).
    pub const fn days_since_epoch(self) -> i32 {
        self.0
    }

    /// The date `days` days after 1970-01-01; `None` outside 0001-01-01 ..= 9999-12-31.
    pub const fn from_days_since_epoch(days: i32) -> Option<Date> {
        if days < MIN_DAYS || days > MAX_DAYS {
            None
        } else {
            Some(Date(days))
        }
    }

    /// The date `days` days later (earlier when negative); `None` when that
    /// leaves 0001-01-01 ..= 9999-12-31.
    pub fn add_days(self, days: i32) -> Option<Date> {
        self.0
            .checked_add(days)
            .and_then(Date::from_days_since_epoch)
    }

    /// Days from `earlier` to `self`: positive when `self` is later.
    pub const fn days_since(self, earlier: Date) -> i32 {
        // Both lie within ±3 million days: no overflow.
        self.0 - earlier.0
    }

    /// The day of the week.
    pub fn weekday(self) -> Weekday {
        // 1970-01-01 was a Thursday (index 3 counting Monday as 0).
        Weekday::ALL[(self.0 + 3).rem_euclid(7) as usize]
    }

    /// Year, month (1–12) and day of the month (1–31).
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }

    /// The year, 1–9999.
    pub fn year(self) -> i32 {
        self.ymd().0
    }

    /// The month, 1–12.
    pub fn month(self) -> u32 {
        self.ymd().1
    }

    /// The day of the month, 1–31.
    pub fn day(self) -> u32 {
        self.ymd().2
    }
}

/// Copies at most [`MAX_ECHOED_CHARS`] characters of rejected input.
fn echo(input: &str) -> String {
    match input.char_indices().nth(MAX_ECHOED_CHARS) {
        Some((cut, _)) => format!("{}…", &input[..cut]),
        None => input.to_owned(),
    }
}

// Howard Hinnant's days-from-civil and civil-from-days algorithms
// (http://howardhinnant.github.io/date_algorithms.html): exact integer
// arithmetic over 400-year eras, valid far beyond 0001–9999.

fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month = month as i32;
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day as i32 - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_days(days: i32) -> (i32, u32, u32) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    } as u32;
    let year = year_of_era + era * 400 + i32::from(month <= 2);
    (year, month, day)
}

impl fmt::Display for Date {
    /// `YYYY-MM-DD`, e.g. `2026-10-30`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = self.ymd();
        write!(f, "{year:04}-{month:02}-{day:02}")
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Date({self})")
    }
}

impl FromStr for Date {
    type Err = DateError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Date::parse(text)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DateVisitor;

        impl Visitor<'_> for DateVisitor {
            type Value = Date;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date string \"YYYY-MM-DD\" such as \"2026-10-30\"")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Date, E> {
                Date::parse(text).map_err(E::custom)
            }
        }

        deserializer.deserialize_str(DateVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn epoch_limits_and_known_days() {
        assert_eq!(date("1970-01-01").days_since_epoch(), 0);
        assert_eq!(date("1970-01-02").days_since_epoch(), 1);
        assert_eq!(date("1969-12-31").days_since_epoch(), -1);
        assert_eq!(date("2000-03-01").days_since_epoch(), 11_017);
        assert_eq!(date("0001-01-01"), Date::MIN);
        assert_eq!(date("9999-12-31"), Date::MAX);
        assert_eq!(Date::MIN.to_string(), "0001-01-01");
        assert_eq!(Date::MAX.to_string(), "9999-12-31");
        assert_eq!(Date::EPOCH.to_string(), "1970-01-01");
        assert_eq!(date("2026-10-30").ymd(), (2026, 10, 30));
        assert_eq!(
            (
                date("1999-01-04").year(),
                date("1999-01-04").month(),
                date("1999-01-04").day()
            ),
            (1999, 1, 4)
        );
    }

    #[test]
    fn every_day_round_trips_through_its_text() {
        let mut previous: Option<Date> = None;
        for days in MIN_DAYS..=MAX_DAYS {
            let day = Date::from_days_since_epoch(days).unwrap();
            let (y, m, d) = day.ymd();
            assert_eq!(Date::from_ymd(y, m, d), Ok(day));
            if let Some(previous) = previous {
                // Consecutive days: either the next day in the month, or the 1st.
                let (py, pm, pd) = previous.ymd();
                assert!(
                    (y, m, d) == (py, pm, pd + 1)
                        || (d == 1 && ((y, m) == (py, pm + 1) || (y, m, pm) == (py + 1, 1, 12))),
                    "{previous} → {day}"
                );
            }
            previous = Some(day);
        }
        assert_eq!(Date::from_days_since_epoch(MIN_DAYS - 1), None);
        assert_eq!(Date::from_days_since_epoch(MAX_DAYS + 1), None);
    }

    #[test]
    fn weekdays() {
        assert_eq!(date("1970-01-01").weekday(), Weekday::Thursday);
        assert_eq!(date("2026-10-30").weekday(), Weekday::Friday);
        assert_eq!(date("2026-10-31").weekday(), Weekday::Saturday);
        assert_eq!(date("2026-11-01").weekday(), Weekday::Sunday);
        assert_eq!(date("1999-01-04").weekday(), Weekday::Monday);
        assert_eq!(date("1969-12-29").weekday(), Weekday::Monday);
        assert_eq!(Date::MIN.weekday(), Weekday::Monday);
        assert!(Weekday::Sunday.is_weekend() && !Weekday::Friday.is_weekend());
        assert_eq!(Weekday::Sunday.number_from_monday(), 7);
        assert_eq!(Weekday::Saturday.to_string(), "Saturday");
        assert_eq!(
            serde_json::to_string(&Weekday::Monday).unwrap(),
            "\"monday\""
        );
    }

    #[test]
    fn adding_days_is_checked() {
        let friday = date("2026-10-30");
        assert_eq!(friday.add_days(3), Some(date("2026-11-02")));
        assert_eq!(friday.add_days(-365), Some(date("2025-10-30")));
        assert_eq!(date("2024-02-28").add_days(1), Some(date("2024-02-29")));
        assert_eq!(date("2100-02-28").add_days(1), Some(date("2100-03-01")));
        assert_eq!(Date::MAX.add_days(1), None);
        assert_eq!(Date::MIN.add_days(-1), None);
        assert_eq!(Date::MIN.add_days(i32::MAX), None);
        assert_eq!(date("2026-11-02").days_since(friday), 3);
        assert_eq!(friday.days_since(date("2026-11-02")), -3);
    }

    #[test]
    fn from_ymd_explains_days_that_do_not_exist() {
        let err = Date::from_ymd(2026, 2, 29).unwrap_err();
        assert_eq!(
            err.to_string(),
            "2026-02-29 is not a date: February 2026 has 28 days"
        );
        assert!(Date::from_ymd(2024, 2, 29).is_ok());
        assert!(Date::from_ymd(2000, 2, 29).is_ok());
        assert!(Date::from_ymd(1900, 2, 29).is_err());
        assert!(Date::from_ymd(2026, 4, 31).is_err());
        assert!(Date::from_ymd(2026, 4, 0).is_err());
        let err = Date::from_ymd(2026, 13, 1).unwrap_err().to_string();
        assert!(err.contains("month"), "{err}");
        let err = Date::from_ymd(0, 1, 1).unwrap_err().to_string();
        assert!(err.contains("year"), "{err}");
        assert!(Date::from_ymd(10_000, 1, 1).is_err());
    }

    #[test]
    fn parse_is_strict_and_names_the_input() {
        for bad in [
            "",
            "2026-1-30",
            "2026-10-3",
            "26-10-30",
            "2026/10/30",
            "20261030",
            " 2026-10-30",
            "2026-10-30 ",
            "2026-10-30T00:00:00Z",
            "+026-10-30",
            "2026-1a-30",
            "２０２６-10-30",
            "0000-01-01",
            "2026-00-10",
            "2026-02-30",
        ] {
            let err = Date::parse(bad).unwrap_err();
            let message = err.to_string();
            match err {
                DateError::Invalid { ref input, .. } => {
                    assert_eq!(input, bad);
                    assert!(message.contains(&format!("{bad:?}")), "{message}");
                }
                DateError::NoSuchDay { .. } => assert!(message.contains("is not a date"), "{bad}"),
            }
        }
        let long = "x".repeat(1000);
        let err = Date::parse(&long).unwrap_err().to_string();
        assert!(err.len() < 300, "{err}");
        assert_eq!("2026-10-30".parse::<Date>(), Ok(date("2026-10-30")));
    }

    #[test]
    fn serde_and_debug() {
        let day = date("2026-10-30");
        assert_eq!(serde_json::to_string(&day).unwrap(), "\"2026-10-30\"");
        assert_eq!(serde_json::from_str::<Date>("\"2026-10-30\"").unwrap(), day);
        assert!(serde_json::from_str::<Date>("\"2026-10-32\"").is_err());
        assert!(serde_json::from_str::<Date>("20261030").is_err());
        assert_eq!(format!("{day:?}"), "Date(2026-10-30)");
        assert!(date("1999-01-04") < day);
    }
}
