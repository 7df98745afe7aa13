//! `ReferenceRates`: dated euro reference rates in memory, and the lookup
//! "latest rate on or before a date".

use std::collections::BTreeMap;

use crate::calendar::Date;
use crate::money::{Currency, Rate};

use super::conversion::{Conversion, FxLeg};
use super::ecb::EcbDay;
use super::error::FxError;
use super::source::FxSource;

/// A table of euro reference rates from one source: for each currency, its
/// rates (units of the currency per one euro, major units) by date, sorted.
///
/// EUR itself is the base and is never stored; conversions treat it as 1.
/// A lookup for a date uses the latest rate on or before that date, so a
/// weekend or holiday uses the previous business day's rate, and says so.
///
/// ```
/// use chuhai_domain::calendar::Date;
/// use chuhai_domain::fx::{FxSource, ReferenceRates};
/// use chuhai_domain::money::{Currency, Money, Rate, RoundingMode, RoundingStep};
///
/// let friday = Date::parse("2026-10-30").unwrap();
/// let mut rates = ReferenceRates::new(FxSource::ECB);
/// rates.insert(Currency::USD, friday, Rate::parse("1.1172").unwrap()).unwrap();
/// rates.insert(Currency::CNY, friday, Rate::parse("7.4326").unwrap()).unwrap();
///
/// let saturday = friday.add_days(1).unwrap();
/// let cny_usd = rates.conversion(Currency::CNY, Currency::USD, saturday).unwrap();
/// assert_eq!(cny_usd.rate_date(), Some(friday));
/// let step = RoundingStep::new("fx_conversion", RoundingMode::HalfEven);
/// let usd = cny_usd.apply(Money::from_minor(100_000, Currency::CNY), step).unwrap();
/// assert_eq!(usd.to_string(), "150.31 USD");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceRates {
    source: FxSource,
    series: BTreeMap<Currency, Vec<(Date, Rate)>>,
}

impl ReferenceRates {
    /// An empty table for rates published by `source`.
    pub fn new(source: FxSource) -> ReferenceRates {
        ReferenceRates {
            source,
            series: BTreeMap::new(),
        }
    }

    /// Who published the rates.
    pub fn source(&self) -> FxSource {
        self.source
    }

    fn check(currency: Currency, date: Date, rate: Rate) -> Result<(), FxError> {
        if currency == Currency::EUR {
            return Err(FxError::BaseCurrencyRate);
        }
        if rate.is_zero() {
            return Err(FxError::NonPositiveRate {
                currency,
                date,
                rate,
            });
        }
        Ok(())
    }

    /// Stores `currency`'s rate (units per one euro) for `date`, replacing
    /// and returning any rate already there for that day.
    ///
    /// Errors: EUR (the base), or a zero rate.
    pub fn insert(
        &mut self,
        currency: Currency,
        date: Date,
        per_eur: Rate,
    ) -> Result<Option<Rate>, FxError> {
        ReferenceRates::check(currency, date, per_eur)?;
        let series = self.series.entry(currency).or_default();
        match series.binary_search_by_key(&date, |&(day, _)| day) {
            Ok(index) => Ok(Some(std::mem::replace(&mut series[index].1, per_eur))),
            Err(index) => {
                series.insert(index, (date, per_eur));
                Ok(None)
            }
        }
    }

    /// Stores many rates at once (faster than [`ReferenceRates::insert`] one
    /// by one for a whole history). For the same currency and day, the last
    /// given wins. Returns how many rates were given.
    ///
    /// All or nothing: when one rate is refused (EUR, zero), none is stored.
    pub fn extend(
        &mut self,
        rates: impl IntoIterator<Item = (Currency, Date, Rate)>,
    ) -> Result<usize, FxError> {
        let rates: Vec<(Currency, Date, Rate)> = rates.into_iter().collect();
        for &(currency, date, rate) in &rates {
            ReferenceRates::check(currency, date, rate)?;
        }
        let mut touched = Vec::new();
        for &(currency, date, rate) in &rates {
            self.series.entry(currency).or_default().push((date, rate));
            touched.push(currency);
        }
        touched.sort_unstable();
        touched.dedup();
        for currency in touched {
            if let Some(series) = self.series.get_mut(&currency) {
                // Stable: among equal dates, insertion order is kept…
                series.sort_by_key(|&(date, _)| date);
                // …and the retained (first) entry takes the later one's rate.
                series.dedup_by(|later, kept| {
                    let same_day = later.0 == kept.0;
                    if same_day {
                        kept.1 = later.1;
                    }
                    same_day
                });
            }
        }
        Ok(rates.len())
    }

    /// Stores every rate of parsed ECB days (see `parse_ecb_csv`,
    /// `parse_ecb_daily_xml`); as [`ReferenceRates::extend`].
    pub fn extend_days(&mut self, days: &[EcbDay]) -> Result<usize, FxError> {
        self.extend(days.iter().flat_map(|day| {
            day.rates
                .iter()
                .map(move |&(currency, rate)| (currency, day.date, rate))
        }))
    }

    /// The currencies that have at least one rate, by code.
    pub fn currencies(&self) -> impl Iterator<Item = Currency> + '_ {
        self.series.keys().copied()
    }

    /// `currency`'s rates, oldest first (empty when there are none).
    pub fn series(&self, currency: Currency) -> &[(Date, Rate)] {
        self.series.get(&currency).map_or(&[], Vec::as_slice)
    }

    /// How many rates are stored, over all currencies.
    pub fn len(&self) -> usize {
        self.series.values().map(Vec::len).sum()
    }

    /// Whether no rate is stored.
    pub fn is_empty(&self) -> bool {
        self.series.values().all(Vec::is_empty)
    }

    /// The latest date any currency has a rate for.
    pub fn latest_date(&self) -> Option<Date> {
        self.series
            .values()
            .filter_map(|series| series.last().map(|&(date, _)| date))
            .max()
    }

    /// `currency`'s rate (units per one euro) that applies on `date`: the
    /// latest on or before it, with the day it belongs to. `None` when there
    /// is none, and always for EUR, which is not stored (it is 1).
    pub fn rate_on(&self, currency: Currency, date: Date) -> Option<(Date, Rate)> {
        let series = self.series.get(&currency)?;
        let after = series.partition_point(|&(day, _)| day <= date);
        after.checked_sub(1).map(|index| series[index])
    }

    fn leg(&self, currency: Currency, date: Date) -> Result<Option<FxLeg>, FxError> {
        if currency == Currency::EUR {
            return Ok(None);
        }
        let series = self
            .series
            .get(&currency)
            .filter(|series| !series.is_empty())
            .ok_or(FxError::UnknownCurrency {
                currency,
                fx_source: self.source,
            })?;
        match self.rate_on(currency, date) {
            Some((observed_on, per_eur)) => Ok(Some(FxLeg {
                per_eur,
                observed_on,
            })),
            None => Err(FxError::NoRateOnOrBefore {
                currency,
                date,
                fx_source: self.source,
                earliest: series[0].0,
            }),
        }
    }

    /// The conversion `from → to` that applies on `date`, through the euro:
    /// each leg uses its currency's latest rate on or before `date` (the two
    /// may come from different days when one currency skipped a day).
    ///
    /// `from == to` is the identity and needs no rate, even for a currency
    /// the table does not know.
    ///
    /// Errors: a currency the table has no rates for, or none on or before
    /// `date` (the error names the currency, the date and the earliest date).
    pub fn conversion(
        &self,
        from: Currency,
        to: Currency,
        date: Date,
    ) -> Result<Conversion, FxError> {
        if from == to {
            return Ok(Conversion::identity(from, date));
        }
        let from_leg = self.leg(from, date)?;
        let to_leg = self.leg(to, date)?;
        Conversion::from_legs((from, from_leg), (to, to_leg), date, self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    fn rate(text: &str) -> Rate {
        Rate::parse(text).unwrap()
    }

    #[test]
    fn insert_keeps_dates_sorted_and_replaces_a_day() {
        let mut table = ReferenceRates::new(FxSource::ECB);
        assert!(table.is_empty());
        for (date, value) in [
            ("2026-10-29", "1.113"),
            ("2026-10-27", "1.115"),
            ("2026-10-28", "1.1133"),
        ] {
            assert_eq!(
                table.insert(Currency::USD, day(date), rate(value)),
                Ok(None)
            );
        }
        let dates: Vec<String> = table
            .series(Currency::USD)
            .iter()
            .map(|(d, _)| d.to_string())
            .collect();
        assert_eq!(dates, ["2026-10-27", "2026-10-28", "2026-10-29"]);
        assert_eq!(
            table.insert(Currency::USD, day("2026-10-28"), rate("1.2")),
            Ok(Some(rate("1.1133")))
        );
        assert_eq!(table.len(), 3);
        assert_eq!(table.latest_date(), Some(day("2026-10-29")));
        assert_eq!(
            table.insert(Currency::EUR, day("2026-10-28"), rate("1")),
            Err(FxError::BaseCurrencyRate)
        );
        let err = table
            .insert(Currency::USD, day("2026-10-28"), Rate::ZERO)
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("USD rate for 2026-10-28 must be positive"),
            "{err}"
        );
        assert_eq!(table.currencies().collect::<Vec<_>>(), [Currency::USD]);
    }

    #[test]
    fn extend_sorts_and_the_last_given_wins() {
        let mut table = ReferenceRates::new(FxSource::ECB);
        let given = [
            (Currency::USD, day("2026-10-30"), rate("1.1172")),
            (Currency::USD, day("2026-10-29"), rate("1.113")),
            (Currency::USD, day("2026-10-30"), rate("1.2")),
            (Currency::JPY, day("2026-10-30"), rate("175.68")),
        ];
        assert_eq!(table.extend(given), Ok(4));
        assert_eq!(
            table.series(Currency::USD),
            [
                (day("2026-10-29"), rate("1.113")),
                (day("2026-10-30"), rate("1.2"))
            ]
        );
        let bad = [
            (Currency::GBP, day("2026-10-30"), rate("0.8338")),
            (Currency::EUR, day("2026-10-30"), rate("1")),
        ];
        assert!(table.extend(bad).is_err());
        assert!(table.series(Currency::GBP).is_empty(), "all or nothing");
    }

    #[test]
    fn rate_on_takes_the_latest_on_or_before() {
        let mut table = ReferenceRates::new(FxSource::ECB);
        table
            .insert(Currency::USD, day("2026-10-23"), rate("1.10"))
            .unwrap();
        table
            .insert(Currency::USD, day("2026-10-26"), rate("1.12"))
            .unwrap();
        let on = |date| table.rate_on(Currency::USD, day(date));
        assert_eq!(on("2026-10-22"), None);
        assert_eq!(on("2026-10-23"), Some((day("2026-10-23"), rate("1.10"))));
        assert_eq!(on("2026-10-25"), Some((day("2026-10-23"), rate("1.10"))));
        assert_eq!(on("2026-10-26"), Some((day("2026-10-26"), rate("1.12"))));
        assert_eq!(on("2030-01-01"), Some((day("2026-10-26"), rate("1.12"))));
        assert_eq!(table.rate_on(Currency::EUR, day("2026-10-26")), None);
        assert_eq!(table.rate_on(Currency::GBP, day("2026-10-26")), None);
    }

    #[test]
    fn conversion_errors_name_currency_and_date() {
        let mut table = ReferenceRates::new(FxSource::ECB);
        table
            .insert(Currency::USD, day("1999-01-04"), rate("1.1789"))
            .unwrap();
        let err = table
            .conversion(Currency::USD, Currency::AED, day("2026-10-30"))
            .unwrap_err();
        assert_eq!(err.to_string(), "ECB publishes no rates for AED");
        let err = table
            .conversion(Currency::EUR, Currency::USD, day("1998-12-31"))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "no ECB rate for USD on or before 1998-12-31 (the earliest is 1999-01-04)"
        );
        let same = table
            .conversion(Currency::AED, Currency::AED, day("2026-10-30"))
            .unwrap();
        assert!(same.is_identity());
        let eur_eur = table
            .conversion(Currency::EUR, Currency::EUR, day("2026-10-30"))
            .unwrap();
        assert!(eur_eur.is_identity());
    }
}
