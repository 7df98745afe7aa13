//! The ECB historical file read whole, and conversions on real dates:
//! weekends, holidays, gaps, and an exact cross rate checked by hand.

use std::sync::OnceLock;

use chuhai_domain::calendar::{Date, Weekday};
use chuhai_domain::fx::{parse_ecb_csv, EcbRates, FxError, FxSource, ReferenceRates};
use chuhai_domain::money::{Currency, Money, Rate, RoundingMode, RoundingStep};

const FX: RoundingStep = RoundingStep::new("fx_conversion", RoundingMode::HalfEven);

fn ecb_file() -> &'static EcbRates {
    static PARSED: OnceLock<EcbRates> = OnceLock::new();
    PARSED.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/ecb-eurofxref-hist.csv"
        );
        let text =
            std::fs::read_to_string(path).unwrap_or_else(|err| panic!("reading {path}: {err}"));
        parse_ecb_csv(&text).unwrap()
    })
}

fn table() -> &'static ReferenceRates {
    static TABLE: OnceLock<ReferenceRates> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = ReferenceRates::new(FxSource::ECB);
        table.extend_days(&ecb_file().days).unwrap();
        table
    })
}

fn day(text: &str) -> Date {
    Date::parse(text).unwrap()
}

fn rate(text: &str) -> Rate {
    Rate::parse(text).unwrap()
}

#[test]
fn the_whole_history_parses_with_withdrawn_currencies_skipped() {
    let parsed = ecb_file();
    assert_eq!(parsed.days.len(), 7126);
    assert_eq!(parsed.days.first().unwrap().date, day("1999-01-04"));
    assert_eq!(parsed.days.last().unwrap().date, day("2026-10-30"));
    assert!(parsed
        .days
        .windows(2)
        .all(|pair| pair[0].date < pair[1].date));
    let skipped: Vec<&str> = parsed
        .skipped_currencies
        .iter()
        .map(String::as_str)
        .collect();
    assert_eq!(
        skipped,
        ["BGN", "CYP", "EEK", "HRK", "LTL", "LVL", "MTL", "ROL", "SIT", "SKK", "TRL"]
    );
    let table = table();
    assert_eq!(table.currencies().count(), 30);
    assert_eq!(table.latest_date(), Some(day("2026-10-30")));
    assert!(table.currencies().all(|c| c != Currency::EUR));
}

#[test]
fn known_values_from_the_file() {
    let table = table();
    let on = |currency, date| table.rate_on(currency, day(date));
    assert_eq!(
        on(Currency::USD, "2026-10-30"),
        Some((day("2026-10-30"), rate("1.1172")))
    );
    assert_eq!(
        on(Currency::JPY, "2026-10-30"),
        Some((day("2026-10-30"), rate("175.68")))
    );
    assert_eq!(
        on(Currency::CNY, "2026-10-30"),
        Some((day("2026-10-30"), rate("7.4326")))
    );
    assert_eq!(
        on(Currency::USD, "1999-01-04"),
        Some((day("1999-01-04"), rate("1.1789")))
    );
    assert_eq!(
        on(Currency::JPY, "1999-01-04"),
        Some((day("1999-01-04"), rate("133.73")))
    );
    assert_eq!(
        on(Currency::GBP, "1999-01-04"),
        Some((day("1999-01-04"), rate("0.7111")))
    );
    assert_eq!(on(Currency::USD, "1999-01-03"), None);
    // CNY starts on 2005-04-01 in the ECB series.
    assert_eq!(
        table.series(Currency::CNY)[0],
        (day("2005-04-01"), rate("10.7255"))
    );
}

#[test]
fn a_saturday_uses_fridays_rate_and_says_so() {
    let saturday = day("2026-10-24");
    assert_eq!(saturday.weekday(), Weekday::Saturday);
    let conversion = table()
        .conversion(Currency::CNY, Currency::USD, saturday)
        .unwrap();
    let friday = day("2026-10-23");
    assert_eq!(conversion.requested_date(), saturday);
    assert_eq!(conversion.from_leg().unwrap().observed_on, friday);
    assert_eq!(conversion.to_leg().unwrap().observed_on, friday);
    assert_eq!(conversion.rate_date(), Some(friday));
    assert!(conversion.uses_earlier_rate());
    assert_eq!(conversion.rate_age_days(), Some(1));
    assert_eq!(conversion.source(), Some(FxSource::ECB));
    // Sunday too, and the Saturday after the last day in the file.
    let sunday = table()
        .conversion(Currency::CNY, Currency::USD, day("2026-10-25"))
        .unwrap();
    assert_eq!(sunday.rate_date(), Some(friday));
    let after = table()
        .conversion(Currency::EUR, Currency::USD, day("2026-10-31"))
        .unwrap();
    assert_eq!(after.to_leg().unwrap().observed_on, day("2026-10-30"));
    // 1 May is a TARGET holiday: no rates; the day before applies.
    let holiday = table()
        .conversion(Currency::EUR, Currency::JPY, day("2026-05-01"))
        .unwrap();
    assert_eq!(holiday.to_leg().unwrap().observed_on, day("2026-04-30"));
    assert_eq!(holiday.to_leg().unwrap().per_eur, rate("183.21"));
}

#[test]
fn the_cny_usd_cross_rate_is_exact_and_matches_a_hand_computation() {
    let conversion = table()
        .conversion(Currency::CNY, Currency::USD, day("2026-10-24"))
        .unwrap();
    // USD per CNY = 1.1193 / 7.466 = 11193 / 74660 (Friday 2026-10-23).
    assert_eq!(conversion.numerator().to_string(), "1.1193");
    assert_eq!(conversion.denominator().to_string(), "7.466");
    assert_eq!(conversion.rate_display(8), "0.14991964");
    // 1234.56 CNY: 123456 × 11193 / 74660 = 18508.4785… cents → 185.08 USD.
    let by_hand = 123_456i128 * 11_193;
    assert_eq!(by_hand / 74_660, 18_508);
    assert!(by_hand % 74_660 * 2 < 74_660, "below the half: rounds down");
    let usd = conversion
        .apply(Money::parse_major("1234.56", Currency::CNY).unwrap(), FX)
        .unwrap();
    assert_eq!(usd.to_string(), "185.08 USD");
    // A decimal rate rounded to 6 places first (0.149920) would give 185.09:
    // the exact ratio is what makes the difference.
    let rounded_first = Money::parse_major("1234.56", Currency::CNY)
        .unwrap()
        .convert(rate("0.149920"), Currency::USD, FX)
        .unwrap();
    assert_eq!(rounded_first.to_string(), "185.09 USD");
    // Into JPY (no decimals): 1234.56 × 175.51 / 7.466 = 29021.916… → 29022 yen.
    let jpy = table()
        .conversion(Currency::CNY, Currency::JPY, day("2026-10-24"))
        .unwrap()
        .apply(Money::parse_major("1234.56", Currency::CNY).unwrap(), FX)
        .unwrap();
    // Cents to yen: 123456 × 10^-2 × (17551 / 100) / (7466 / 1000) = 123456 × 17551 / 74660.
    let by_hand = 123_456i64 * 17_551;
    assert_eq!(
        (by_hand / 74_660, by_hand % 74_660 * 2 > 74_660),
        (29_021, true)
    );
    assert_eq!(jpy, Money::from_minor(29_022, Currency::JPY));
}

#[test]
fn legs_may_come_from_different_days_when_a_currency_has_a_gap() {
    // The ECB published no ISK rate from 2008-12-10 to 2018-01-31.
    let conversion = table()
        .conversion(
            Currency::from_code("ISK").unwrap(),
            Currency::USD,
            day("2015-06-15"),
        )
        .unwrap();
    assert_eq!(
        conversion.from_leg().unwrap().observed_on,
        day("2008-12-09")
    );
    assert_eq!(conversion.from_leg().unwrap().per_eur, rate("290"));
    assert_eq!(conversion.to_leg().unwrap().observed_on, day("2015-06-15"));
    assert_eq!(conversion.rate_date(), Some(day("2008-12-09")));
    assert_eq!(conversion.rate_age_days(), Some(2379));
}

#[test]
fn missing_rates_are_errors_naming_currency_and_date() {
    let err = table()
        .conversion(Currency::CNY, Currency::USD, day("2005-03-31"))
        .unwrap_err();
    assert_eq!(
        err,
        FxError::NoRateOnOrBefore {
            currency: Currency::CNY,
            date: day("2005-03-31"),
            fx_source: FxSource::ECB,
            earliest: day("2005-04-01"),
        }
    );
    assert_eq!(
        err.to_string(),
        "no ECB rate for CNY on or before 2005-03-31 (the earliest is 2005-04-01)"
    );
    let err = table()
        .conversion(Currency::AED, Currency::USD, day("2026-10-30"))
        .unwrap_err();
    assert_eq!(err.to_string(), "ECB publishes no rates for AED");
    // The same currency needs no rate, even one the ECB does not publish.
    let same = table()
        .conversion(Currency::AED, Currency::AED, day("2026-10-30"))
        .unwrap();
    assert!(same.is_identity());
}
