//! `CustomsDateTime`: a wall-clock time in China (UTC+8) to the second, as
//! the CEB messages carry it (`appTime`, `accountingDate`: `YYYYMMDDhhmmss`).

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::calendar::Date;

/// Why a date-time was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid date-time {input:?}: {reason}")]
pub struct CustomsDateTimeError {
    /// The text given (at most 32 characters of it).
    pub input: String,
    /// What is wrong with it.
    pub reason: String,
}

/// A civil date and time of day to the second, in China Standard Time
/// (UTC+8, no daylight saving), which is the clock the single window reads
/// every CEB time field in. No zone is stored: the caller converts before.
///
/// Text form (serde, `Display`, `FromStr`): `YYYY-MM-DDThh:mm:ss`, e.g.
/// `"2026-10-30T14:05:09"`. [`CustomsDateTime::ceb`] gives the CEB form
/// `20261030140509`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CustomsDateTime {
    date: Date,
    /// Seconds since midnight, 0..86_400.
    seconds: u32,
}

impl CustomsDateTime {
    /// The time `hour:minute:second` on `date`; `None` past 23:59:59.
    pub fn new(date: Date, hour: u32, minute: u32, second: u32) -> Option<CustomsDateTime> {
        (hour < 24 && minute < 60 && second < 60).then_some(CustomsDateTime {
            date,
            seconds: hour * 3600 + minute * 60 + second,
        })
    }

    /// Parses exactly `YYYY-MM-DDThh:mm:ss` (no fraction, no zone).
    pub fn parse(text: &str) -> Result<CustomsDateTime, CustomsDateTimeError> {
        let invalid = |reason: String| CustomsDateTimeError {
            input: text.chars().take(32).collect(),
            reason,
        };
        let shape = "expected YYYY-MM-DDThh:mm:ss in China time, such as \"2026-10-30T14:05:09\"";
        let bytes = text.as_bytes();
        if bytes.len() != 19 || bytes[10] != b'T' || bytes[13] != b':' || bytes[16] != b':' {
            return Err(invalid(shape.to_owned()));
        }
        let date = Date::parse(&text[..10]).map_err(|e| invalid(e.to_string()))?;
        let number = |at: usize| -> Option<u32> {
            let (a, b) = (bytes[at], bytes[at + 1]);
            (a.is_ascii_digit() && b.is_ascii_digit())
                .then(|| u32::from(a - b'0') * 10 + u32::from(b - b'0'))
        };
        let (Some(hour), Some(minute), Some(second)) = (number(11), number(14), number(17)) else {
            return Err(invalid(shape.to_owned()));
        };
        CustomsDateTime::new(date, hour, minute, second)
            .ok_or_else(|| invalid("the time of day must be between 00:00:00 and 23:59:59".into()))
    }

    /// The date.
    pub fn date(self) -> Date {
        self.date
    }

    /// Hour, minute and second.
    pub fn hms(self) -> (u32, u32, u32) {
        (
            self.seconds / 3600,
            self.seconds / 60 % 60,
            self.seconds % 60,
        )
    }

    /// The CEB form `YYYYMMDDhhmmss` (14 digits), e.g. `20261030140509`.
    pub fn ceb(self) -> String {
        let (y, mo, d) = self.date.ymd();
        let (h, mi, s) = self.hms();
        format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}")
    }
}

impl fmt::Display for CustomsDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, mi, s) = self.hms();
        write!(f, "{}T{h:02}:{mi:02}:{s:02}", self.date)
    }
}

impl fmt::Debug for CustomsDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CustomsDateTime({self})")
    }
}

impl FromStr for CustomsDateTime {
    type Err = CustomsDateTimeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        CustomsDateTime::parse(text)
    }
}

impl Serialize for CustomsDateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CustomsDateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;

        impl Visitor<'_> for TextVisitor {
            type Value = CustomsDateTime;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a China-time string \"YYYY-MM-DDThh:mm:ss\"")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<CustomsDateTime, E> {
                CustomsDateTime::parse(text).map_err(E::custom)
            }
        }

        deserializer.deserialize_str(TextVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_prints_and_gives_the_ceb_form() {
        let t = CustomsDateTime::parse("2026-10-30T14:05:09").unwrap();
        assert_eq!(t.to_string(), "2026-10-30T14:05:09");
        assert_eq!(t.ceb(), "20261030140509");
        assert_eq!(t.hms(), (14, 5, 9));
        assert_eq!(t.date(), Date::parse("2026-10-30").unwrap());
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2026-10-30T14:05:09\""
        );
        assert_eq!(
            serde_json::from_str::<CustomsDateTime>("\"2026-10-30T14:05:09\"").unwrap(),
            t
        );
    }

    #[test]
    fn refuses_other_shapes_and_impossible_times() {
        for bad in [
            "",
            "2026-10-30",
            "2026-10-30 14:05:09",
            "2026-10-30T14:05",
            "2026-10-30T24:00:00",
            "2026-10-30T12:60:00",
            "2026-02-30T12:00:00",
            "2026-10-30T14:05:09Z",
            "2026-10-30T1a:05:09",
        ] {
            assert!(CustomsDateTime::parse(bad).is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<CustomsDateTime>("20261030140509").is_err());
    }
}
