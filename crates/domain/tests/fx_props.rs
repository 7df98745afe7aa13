//! Property tests for conversions, rate lookup and the ECB CSV reader.
//!
//! Reference values are integer fractions computed in `i128` on inputs
//! small enough to stay exact.

use chuhai_domain::calendar::Date;
use chuhai_domain::fx::{parse_ecb_csv, Conversion, FxLeg, FxSource, ReferenceRates};
use chuhai_domain::money::{Currency, Decimal, Money, Rate, RoundingMode, RoundingStep};
use proptest::prelude::*;

const CURRENCIES: [Currency; 8] = [
    Currency::EUR,
    Currency::USD,
    Currency::CNY,
    Currency::JPY,
    Currency::BHD,
    Currency::KRW,
    Currency::CHF,
    Currency::GBP,
];

fn any_currency() -> impl Strategy<Value = Currency> {
    proptest::sample::select(CURRENCIES.to_vec())
}

/// A positive rate with up to 8 significant digits and up to 6 decimals.
fn any_rate() -> impl Strategy<Value = Rate> {
    (1i64..100_000_000, 0u32..=6)
        .prop_map(|(mantissa, scale)| Rate::from_decimal(Decimal::new(mantissa, scale)).unwrap())
}

fn any_mode() -> impl Strategy<Value = RoundingMode> {
    proptest::sample::select(RoundingMode::ALL.to_vec())
}

fn date() -> Date {
    Date::parse("2026-10-30").unwrap()
}

fn leg(currency: Currency, rate: Rate) -> Option<FxLeg> {
    (currency != Currency::EUR).then_some(FxLeg {
        per_eur: rate,
        observed_on: date(),
    })
}

/// `(numerator, denominator)` of the exact target minor units for one
/// source minor unit: (to/EUR) / (from/EUR) × 10^(e_to − e_from).
fn minor_ratio(conversion: &Conversion) -> (i128, i128) {
    let parts = |d: Decimal| (i128::from(d.mantissa() as i64), 10i128.pow(d.scale()));
    let (to_m, to_s) = parts(conversion.numerator());
    let (from_m, from_s) = parts(conversion.denominator());
    let (mut num, mut den) = (to_m * from_s, from_m * to_s);
    let shift = i32::from(conversion.to().exponent()) - i32::from(conversion.from().exponent());
    if shift >= 0 {
        num *= 10i128.pow(shift as u32);
    } else {
        den *= 10i128.pow(shift.unsigned_abs());
    }
    (num, den)
}

proptest! {
    #[test]
    fn apply_rounds_once_by_the_named_mode(
        from in any_currency(),
        to in any_currency(),
        from_rate in any_rate(),
        to_rate in any_rate(),
        minor in -1_000_000_000_000i64..1_000_000_000_000,
        mode in any_mode(),
    ) {
        let conversion = Conversion::from_legs(
            (from, leg(from, from_rate)), (to, leg(to, to_rate)), date(), FxSource::ECB,
        ).unwrap();
        let step = RoundingStep::new("proptest_fx", mode);
        let (num, den) = minor_ratio(&conversion);
        let out = match conversion.apply(Money::from_minor(minor, from), step) {
            Ok(out) => out,
            Err(err) => {
                // Only a result beyond i64 minor units may fail.
                prop_assert!(i128::from(minor).abs() * num / den >= i128::from(i64::MAX), "{err}");
                return Ok(());
            }
        };
        prop_assert_eq!(out.currency(), to);
        // exact = minor × num / den; error = out − exact, scaled by den.
        let exact_scaled = i128::from(minor) * num;
        let error = i128::from(out.minor()) * den - exact_scaled;
        prop_assert!(error.abs() < den, "{minor} → {out}: off by a unit or more");
        match mode {
            RoundingMode::HalfEven | RoundingMode::HalfUp => prop_assert!(2 * error.abs() <= den),
            RoundingMode::Up => prop_assert!(error == 0 || (error > 0) == (minor > 0)),
            RoundingMode::Down => prop_assert!(error == 0 || (error < 0) == (minor > 0)),
        }
    }

    #[test]
    fn converting_there_and_back_stays_close(
        from in any_currency(),
        to in any_currency(),
        from_rate in any_rate(),
        to_rate in any_rate(),
        minor in 0i64..1_000_000_000_000,
    ) {
        let conversion = Conversion::from_legs(
            (from, leg(from, from_rate)), (to, leg(to, to_rate)), date(), FxSource::ECB,
        ).unwrap();
        let step = RoundingStep::new("proptest_fx", RoundingMode::HalfEven);
        // Extreme rates can take the amount beyond i64 minor units.
        let there = conversion.apply(Money::from_minor(minor, from), step);
        prop_assume!(there.is_ok());
        let there = there.unwrap();
        let back = conversion.inverse().apply(there, step).unwrap();
        prop_assert_eq!(back.currency(), from);
        // Each trip is within half a unit of its target, so with k target
        // minor units per source minor unit: |back − minor| ≤ 1/2 + 1/(2k).
        let (num, den) = minor_ratio(&conversion);
        let drift = (i128::from(back.minor()) - i128::from(minor)).abs();
        prop_assert!(2 * drift * num <= num + den, "{minor} → {there} → {back}");
        // Hence within one minor unit whenever the target's minor unit is
        // worth no more than the source's (k ≥ 1), e.g. USD → CNY → USD.
        if num >= den {
            prop_assert!(drift <= 1, "{minor} → {there} → {back}");
        }
    }

    #[test]
    fn two_decimal_round_trip_through_a_smaller_unit_is_within_a_cent(
        usd_rate in 50_000i64..200_000,
        cny_rate in 500_000i64..1_000_000,
        minor in 1i64..100_000_000_000,
    ) {
        // USD → CNY → USD with ECB-like rates (USD 0.5–2, CNY 5–10 per EUR).
        let usd = Rate::from_decimal(Decimal::new(usd_rate, 5)).unwrap();
        let cny = Rate::from_decimal(Decimal::new(cny_rate, 5)).unwrap();
        let conversion = Conversion::from_legs(
            (Currency::USD, leg(Currency::USD, usd)), (Currency::CNY, leg(Currency::CNY, cny)), date(), FxSource::ECB,
        ).unwrap();
        let step = RoundingStep::new("proptest_fx", RoundingMode::HalfEven);
        let there = conversion.apply(Money::from_minor(minor, Currency::USD), step).unwrap();
        let back = conversion.inverse().apply(there, step).unwrap();
        prop_assert!((back.minor() - minor).abs() <= 1);
    }

    #[test]
    fn rate_on_is_the_latest_on_or_before(
        days in proptest::collection::btree_map(0i32..2000, 1i64..10_000_000, 0..40),
        query in -10i32..2010,
    ) {
        let base = date();
        let at = |offset: i32| base.add_days(offset).unwrap();
        let mut table = ReferenceRates::new(FxSource::ECB);
        // Inserted newest first, as the ECB file lists them.
        for (&offset, &mantissa) in days.iter().rev() {
            table.insert(Currency::USD, at(offset), Rate::from_decimal(Decimal::new(mantissa, 4)).unwrap()).unwrap();
        }
        let expected = days
            .range(..=query)
            .next_back()
            .map(|(&offset, &mantissa)| (at(offset), Rate::from_decimal(Decimal::new(mantissa, 4)).unwrap()));
        prop_assert_eq!(table.rate_on(Currency::USD, at(query)), expected);
        let conversion = table.conversion(Currency::EUR, Currency::USD, at(query));
        prop_assert_eq!(conversion.is_ok(), expected.is_some() );
        if let (Ok(conversion), Some((used, _))) = (conversion, expected) {
            prop_assert_eq!(conversion.rate_date(), Some(used));
            prop_assert!(used <= at(query));
        }
    }

    #[test]
    fn the_csv_reader_reads_back_what_was_written(
        rows in proptest::collection::btree_map(
            0i32..5000,
            proptest::collection::vec(proptest::option::of((1i64..1_000_000_000, 0u32..=6)), 3),
            1..30,
        ),
        trailing_comma in any::<bool>(),
    ) {
        let codes = ["USD", "CYP", "JPY"];
        let end = if trailing_comma { "," } else { "" };
        let mut text = format!("Date,{}{end}\n", codes.join(","));
        for (&offset, cells) in rows.iter().rev() {
            let cells: Vec<String> = cells
                .iter()
                .map(|cell| cell.map_or("N/A".to_owned(), |(m, s)| Decimal::new(m, s).to_string()))
                .collect();
            text += &format!("{},{}{end}\n", date().add_days(-offset).unwrap(), cells.join(","));
        }
        let parsed = parse_ecb_csv(&text).unwrap();
        prop_assert_eq!(parsed.days.len(), rows.len());
        prop_assert!(parsed.skipped_currencies.contains("CYP"));
        for (day, (&offset, cells)) in parsed.days.iter().zip(rows.iter().rev()) {
            prop_assert_eq!(day.date, date().add_days(-offset).unwrap());
            let expected: Vec<(Currency, Rate)> = [(Currency::USD, cells[0]), (Currency::JPY, cells[2])]
                .into_iter()
                .filter_map(|(currency, cell)| cell.map(|(m, s)| (currency, Rate::from_decimal(Decimal::new(m, s)).unwrap())))
                .collect();
            prop_assert_eq!(&day.rates, &expected);
        }
    }
}
