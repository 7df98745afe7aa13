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

/// Reads an RFC 3339 instant `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` as
/// epoch milliseconds; fractions beyond milliseconds are cut.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let (date, rest) = text.split_once(['T', 't'])?;
    let date = chuhai_domain::calendar::Date::parse(date).ok()?;
    let (clock, offset_min) = if let Some(c) = rest.strip_suffix(['Z', 'z']) {
        (c, 0)
    } else {
        let at = rest.rfind(['+', '-'])?;
        let (c, off) = rest.split_at(at);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (h, m) = off[1..].split_once(':')?;
        let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
        if h > 23 || m > 59 {
            return None;
        }
        (c, sign * (h * 60 + m))
    };
    let (hms, frac) = clock.split_once('.').unwrap_or((clock, ""));
    let mut parts = hms.split(':');
    let h: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let s: i64 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || h > 23 || m > 59 || s > 60 {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let millis: i64 = format!("{:0<3}", &frac[..frac.len().min(3)]).parse().ok()?;
    let days = i64::from(date.days_since_epoch());
    Some(((days * 86_400 + h * 3600 + m * 60 + s) - offset_min * 60) * 1000 + millis)
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
    fn reads_instants_with_offsets() {
        assert_eq!(
            parse_rfc3339("2026-11-26T21:39:57Z"),
            Some(1_795_729_197_000)
        );
        assert_eq!(
            parse_rfc3339("2026-11-27T05:39:57.25+08:00"),
            Some(1_795_729_197_250)
        );
        assert_eq!(
            parse_rfc3339("2026-11-26T13:39:57-08:00"),
            Some(1_795_729_197_000)
        );
        assert_eq!(parse_rfc3339("2026-11-26 21:39:57Z"), None);
        assert_eq!(parse_rfc3339("2026-11-26T25:00:00Z"), None);
    }

    #[test]
    fn dates_of_instants_are_utc_days() {
        assert_eq!(date_of(1_795_729_197_000).to_string(), "2026-11-26");
        assert_eq!(date_of(1_795_737_599_999).to_string(), "2026-11-26");
        assert_eq!(date_of(1_795_737_600_000).to_string(), "2026-11-27");
        assert_eq!(date_of(-1).to_string(), "1969-12-31");
    }
}
