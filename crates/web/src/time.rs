/// Milliseconds since the Unix epoch, UTC.
pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The calendar date of `ms` (epoch milliseconds) in UTC.
pub fn date_of(ms: i64) -> chuhai_domain::calendar::Date {
    let days = i32::try_from(ms.div_euclid(86_400_000)).unwrap_or(0);
    chuhai_domain::calendar::Date::from_days_since_epoch(days)
        .unwrap_or(chuhai_domain::calendar::Date::EPOCH)
}

/// Today's date in UTC: the day rates, schedules and derivations use when
/// the caller names none.
pub fn today() -> chuhai_domain::calendar::Date {
    date_of(now_millis())
}

/// An epoch-milliseconds time as RFC 3339 UTC, e.g. `2026-11-26T21:39:57Z`.
pub fn rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Proleptic Gregorian date from days since 1970-01-01 (H. Hinnant's
/// `civil_from_days` algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_729_197_000), "2026-11-26T21:39:57Z");
        assert_eq!(rfc3339(-1000), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn dates_of_instants_are_utc_days() {
        assert_eq!(date_of(1_795_729_197_000).to_string(), "2026-11-26");
        assert_eq!(date_of(1_795_737_599_999).to_string(), "2026-11-26");
        assert_eq!(date_of(1_795_737_600_000).to_string(), "2026-11-27");
        assert_eq!(date_of(-1).to_string(), "1969-12-31");
    }
}
