//! `Conversion`: an exact exchange rate between two currencies on a date,
//! with the rates, dates and source it was made from.

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::calendar::Date;
use crate::money::{Currency, Decimal, Money, Rate, Ratio, RoundingStep};

use super::error::FxError;
use super::source::FxSource;

/// One side of a cross rate: a currency's euro reference rate and the day
/// it was published for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct FxLeg {
    /// Units of the currency per one euro (major units), e.g. USD `1.1172`.
    pub per_eur: Rate,
    /// The day the rate belongs to: the latest on or before the requested date.
    pub observed_on: Date,
}

/// How to turn an amount in `from` into `to` on a date: the exact cross
/// rate through the euro, `to per from = (to per EUR) / (from per EUR)`, and
/// where it came from.
///
/// The ratio is kept as two euro rates ([`Conversion::numerator`] and
/// [`Conversion::denominator`]), never as a rounded decimal, so
/// [`Conversion::apply`] rounds exactly once. A leg is `None` when no rate
/// was needed: for EUR (1 by definition) and for both sides of an identity
/// conversion (`from == to`), which needs no rates at all.
///
/// Made by `ReferenceRates::conversion`, or by [`Conversion::from_legs`]
/// from stored rates. Cheap to copy (no heap data), so every derived price
/// can carry the conversion it used.
///
/// JSON (serde): `{"from", "to", "requested_date", "source", "from_leg",
/// "to_leg", "rate"}` where `rate` is `to per from` with 10 significant
/// digits, for reading only (the exact value is the legs' quotient).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conversion {
    from: Currency,
    to: Currency,
    requested_date: Date,
    source: Option<FxSource>,
    from_leg: Option<FxLeg>,
    to_leg: Option<FxLeg>,
    /// Minor units of `to` per minor unit of `from`, in lowest terms.
    minor_ratio: Ratio,
}

impl Conversion {
    /// `from → from` on `date`: the amount unchanged, no rate, no source.
    pub fn identity(currency: Currency, date: Date) -> Conversion {
        Conversion {
            from: currency,
            to: currency,
            requested_date: date,
            source: None,
            from_leg: None,
            to_leg: None,
            minor_ratio: Ratio::ONE,
        }
    }

    /// A conversion from its euro legs, e.g. rebuilt from stored rates.
    ///
    /// A leg must be given exactly when its currency is not EUR, and its rate
    /// must be positive. When `from == to` the result is the identity and
    /// the legs are ignored. The legs' dates are taken as given (a lookup
    /// such as `ReferenceRates::conversion` makes them the latest on or
    /// before `requested_date`).
    pub fn from_legs(
        from: (Currency, Option<FxLeg>),
        to: (Currency, Option<FxLeg>),
        requested_date: Date,
        source: FxSource,
    ) -> Result<Conversion, FxError> {
        if from.0 == to.0 {
            return Ok(Conversion::identity(from.0, requested_date));
        }
        let leg_ratio = |(currency, leg): (Currency, Option<FxLeg>)| -> Result<Ratio, FxError> {
            match (currency == Currency::EUR, leg) {
                (true, None) => Ok(Ratio::ONE),
                (true, Some(_)) => Err(FxError::BaseCurrencyRate),
                (false, None) => Err(FxError::UnknownCurrency {
                    currency,
                    fx_source: source,
                }),
                (false, Some(leg)) if leg.per_eur.is_zero() => Err(FxError::NonPositiveRate {
                    currency,
                    date: leg.observed_on,
                    rate: leg.per_eur,
                }),
                (false, Some(leg)) => Ok(Ratio::from_decimal_abs(leg.per_eur.as_decimal())),
            }
        };
        let (from_per_eur, to_per_eur) = (leg_ratio(from)?, leg_ratio(to)?);
        let exponent_shift = i32::from(to.0.exponent()) - i32::from(from.0.exponent());
        let minor_ratio = from_per_eur
            .recip()
            .and_then(|per_from| to_per_eur.checked_mul(per_from))
            .and_then(|ratio| ratio.times_pow10(exponent_shift))
            .map(Ratio::reduced)
            .ok_or_else(|| FxError::Overflow {
                operation: format!(
                    "the {} → {} cross rate has too many digits to be kept exact",
                    from.0, to.0
                ),
            })?;
        Ok(Conversion {
            from: from.0,
            to: to.0,
            requested_date,
            source: Some(source),
            from_leg: from.1,
            to_leg: to.1,
            minor_ratio,
        })
    }

    /// The currency converted from.
    pub fn from(&self) -> Currency {
        self.from
    }

    /// The currency converted to.
    pub fn to(&self) -> Currency {
        self.to
    }

    /// The date the conversion was asked for.
    pub fn requested_date(&self) -> Date {
        self.requested_date
    }

    /// Who published the rates; `None` when no rate was used (identity,
    /// EUR → EUR).
    pub fn source(&self) -> Option<FxSource> {
        self.source
    }

    /// The `from` currency's euro rate and its date; `None` for EUR or identity.
    pub fn from_leg(&self) -> Option<FxLeg> {
        self.from_leg
    }

    /// The `to` currency's euro rate and its date; `None` for EUR or identity.
    pub fn to_leg(&self) -> Option<FxLeg> {
        self.to_leg
    }

    /// Whether `from == to` (no rate is involved; amounts pass unchanged).
    pub fn is_identity(&self) -> bool {
        self.from == self.to
    }

    /// The exact rate's numerator: units of `to` per euro (1 for EUR and
    /// for the identity).
    pub fn numerator(&self) -> Decimal {
        self.to_leg
            .map_or(Decimal::ONE, |leg| leg.per_eur.as_decimal())
    }

    /// The exact rate's denominator: units of `from` per euro (1 for EUR and
    /// for the identity). `to per from = numerator / denominator`.
    pub fn denominator(&self) -> Decimal {
        self.from_leg
            .map_or(Decimal::ONE, |leg| leg.per_eur.as_decimal())
    }

    /// The oldest publication date among the legs used: how old the rate
    /// is. `None` when no rate was used.
    pub fn rate_date(&self) -> Option<Date> {
        match (self.from_leg, self.to_leg) {
            (Some(a), Some(b)) => Some(a.observed_on.min(b.observed_on)),
            (Some(leg), None) | (None, Some(leg)) => Some(leg.observed_on),
            (None, None) => None,
        }
    }

    /// Days from the oldest leg's date to the requested date (0 when the
    /// rates are from that very day); `None` when no rate was used. The ECB
    /// history has long gaps (ISK 2008-12-10 … 2018-01-31), so callers that
    /// must refuse stale rates compare this with their limit.
    pub fn rate_age_days(&self) -> Option<i32> {
        self.rate_date()
            .map(|date| self.requested_date.days_since(date))
    }

    /// Whether a leg's rate comes from an earlier day than the one asked
    /// for (a weekend, a holiday, or a day the source skipped).
    pub fn uses_earlier_rate(&self) -> bool {
        self.rate_date()
            .is_some_and(|date| date < self.requested_date)
    }

    /// The conversion the other way (`to → from`) with the same legs.
    pub fn inverse(&self) -> Conversion {
        Conversion {
            from: self.to,
            to: self.from,
            requested_date: self.requested_date,
            source: self.source,
            from_leg: self.to_leg,
            to_leg: self.from_leg,
            // Never zero: legs are positive.
            minor_ratio: self.minor_ratio.recip().unwrap_or(Ratio::ONE),
        }
    }

    /// Minor units of `to` per minor unit of `from`, exact and in lowest terms.
    pub(crate) fn minor_ratio(&self) -> Ratio {
        self.minor_ratio
    }

    /// Converts `amount` (in `from`) into `to`: the exact product
    /// `amount × numerator / denominator`, rounded once to `to`'s minor unit
    /// with `step`'s mode. Negative amounts round symmetrically.
    ///
    /// Errors: `amount` not in `from`, or a result beyond `i64` minor units.
    pub fn apply(&self, amount: Money, step: RoundingStep) -> Result<Money, FxError> {
        if amount.currency() != self.from {
            return Err(FxError::CurrencyMismatch {
                amount: amount.to_string(),
                expected: self.from,
                target: self.to,
            });
        }
        let magnitude = u128::from(amount.minor().unsigned_abs());
        self.minor_ratio
            .apply_rounded(magnitude, step.mode())
            .and_then(|minor| i64::try_from(minor).ok())
            .map(|minor| {
                Money::from_minor(if amount.is_negative() { -minor } else { minor }, self.to)
            })
            .ok_or_else(|| FxError::Overflow {
                operation: format!(
                    "{amount} converted to {} at {}, rounded at step {step}",
                    self.to,
                    self.rate_display(10)
                ),
            })
    }

    /// The rate `to per from` in major units with `significant` significant
    /// digits (rounded half-even; the whole part is never cut), for
    /// explanations: CNY → USD at 1.1172 / 7.4326 with 6 digits is
    /// `"0.150311"`. Not for computing: use [`Conversion::apply`].
    pub fn rate_display(&self, significant: u32) -> String {
        let major = Ratio::from_decimal_abs(self.numerator()).checked_mul(
            Ratio::from_decimal_abs(self.denominator())
                .recip()
                .unwrap_or(Ratio::ONE),
        );
        match major {
            Some(ratio) => ratio.to_significant(significant),
            None => format!("{} / {}", self.numerator(), self.denominator()),
        }
    }
}

impl Serialize for Conversion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut fields = serializer.serialize_struct("Conversion", 7)?;
        fields.serialize_field("from", &self.from)?;
        fields.serialize_field("to", &self.to)?;
        fields.serialize_field("requested_date", &self.requested_date)?;
        fields.serialize_field("source", &self.source)?;
        fields.serialize_field("from_leg", &self.from_leg)?;
        fields.serialize_field("to_leg", &self.to_leg)?;
        fields.serialize_field("rate", &self.rate_display(10))?;
        fields.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::RoundingMode;

    const STEP: RoundingStep = RoundingStep::new("test_fx", RoundingMode::HalfEven);

    fn leg(rate: &str, date: &str) -> Option<FxLeg> {
        Some(FxLeg {
            per_eur: Rate::parse(rate).unwrap(),
            observed_on: Date::parse(date).unwrap(),
        })
    }

    fn day(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn cross_rate_is_exact_and_rounded_once() {
        let cny_usd = Conversion::from_legs(
            (Currency::CNY, leg("7.4326", "2026-10-30")),
            (Currency::USD, leg("1.1172", "2026-10-30")),
            day("2026-10-31"),
            FxSource::ECB,
        )
        .unwrap();
        // 1000.00 CNY × 1.1172 / 7.4326 = 150.31079... USD
        let usd = cny_usd
            .apply(Money::from_minor(100_000, Currency::CNY), STEP)
            .unwrap();
        assert_eq!(usd, Money::from_minor(15_031, Currency::USD));
        assert_eq!(cny_usd.rate_display(6), "0.150311");
        assert_eq!(cny_usd.numerator(), Decimal::new(11_172, 4));
        assert_eq!(cny_usd.denominator(), Decimal::new(74_326, 4));
        assert_eq!(cny_usd.rate_date(), Some(day("2026-10-30")));
        assert!(cny_usd.uses_earlier_rate());
        let back = cny_usd.inverse();
        assert_eq!((back.from(), back.to()), (Currency::USD, Currency::CNY));
        assert_eq!(back.rate_display(6), "6.65288");
        let err = back
            .apply(Money::from_minor(1, Currency::CNY), STEP)
            .unwrap_err();
        assert!(matches!(err, FxError::CurrencyMismatch { .. }), "{err}");
    }

    #[test]
    fn euro_legs_are_one_and_identity_needs_no_rate() {
        let eur_jpy = Conversion::from_legs(
            (Currency::EUR, None),
            (Currency::JPY, leg("175.68", "2026-10-30")),
            day("2026-10-30"),
            FxSource::ECB,
        )
        .unwrap();
        // 10.00 EUR → 1756.8 yen → 1757 (half-even on .8).
        let yen = eur_jpy
            .apply(Money::from_minor(1000, Currency::EUR), STEP)
            .unwrap();
        assert_eq!(yen, Money::from_minor(1757, Currency::JPY));
        assert_eq!(eur_jpy.denominator(), Decimal::ONE);
        assert!(!eur_jpy.uses_earlier_rate());
        let same = Conversion::identity(Currency::AED, day("2026-10-30"));
        assert!(same.is_identity());
        assert_eq!(same.source(), None);
        assert_eq!(same.rate_date(), None);
        let amount = Money::from_minor(-12_345, Currency::AED);
        assert_eq!(same.apply(amount, STEP), Ok(amount));
        assert!(Conversion::from_legs(
            (Currency::EUR, leg("1", "2026-10-30")),
            (Currency::USD, leg("1.1", "2026-10-30")),
            day("2026-10-30"),
            FxSource::ECB
        )
        .is_err());
        let err = Conversion::from_legs(
            (Currency::USD, leg("0", "2026-10-30")),
            (Currency::EUR, None),
            day("2026-10-30"),
            FxSource::ECB,
        )
        .unwrap_err();
        assert!(err.to_string().contains("must be positive"), "{err}");
    }

    #[test]
    fn negative_amounts_round_symmetrically_and_overflow_is_an_error() {
        let eur_usd = Conversion::from_legs(
            (Currency::EUR, None),
            (Currency::USD, leg("1.5", "2026-10-30")),
            day("2026-10-30"),
            FxSource::ECB,
        )
        .unwrap();
        let out = eur_usd
            .apply(Money::from_minor(-3, Currency::EUR), STEP)
            .unwrap();
        // -0.045 → -0.04 (half-even)
        assert_eq!(out.minor(), -4);
        let err = eur_usd
            .apply(Money::from_minor(i64::MAX, Currency::EUR), STEP)
            .unwrap_err();
        assert!(matches!(err, FxError::Overflow { .. }), "{err}");
    }

    #[test]
    fn serializes_legs_and_a_readable_rate() {
        let cny_usd = Conversion::from_legs(
            (Currency::CNY, leg("7.4326", "2026-10-30")),
            (Currency::USD, leg("1.1172", "2026-10-30")),
            day("2026-10-30"),
            FxSource::ECB,
        )
        .unwrap();
        let json = serde_json::to_value(cny_usd).unwrap();
        assert_eq!(json["from"], "CNY");
        assert_eq!(json["source"], "ECB");
        assert_eq!(json["from_leg"]["per_eur"], "7.4326");
        assert_eq!(json["to_leg"]["observed_on"], "2026-10-30");
        assert_eq!(json["rate"], "0.1503107930");
    }
}
