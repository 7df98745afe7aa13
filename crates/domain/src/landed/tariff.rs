//! Tariff lines: per destination region, a national tariff code (or a
//! 6-digit HS fallback) and its duty: ad valorem, specific (per unit or per
//! kg), or both (compound), with an optional minimum and maximum, a
//! reduced VAT/GST rate, and preferential rates by origin.
//!
//! [`TariffBook`] finds the most specific line for a code: the longest
//! prefix present among 10, 9, 8, 7 and 6 digits (in practice 10 → 8 → 6).

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use crate::catalog::HsCode;
use crate::country::Country;
use crate::money::{Currency, Money};

use super::exact::Exact;
use super::percent::Percent;
use super::rules::RuleProblem;

/// The code of a tariff line: 6 digits (an HS fallback line) to 10 digits
/// (EU TARIC, US HTS with statistical suffix, UK). Separators (`.`, space)
/// are accepted and dropped; shown and serialised as bare digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LineCode {
    digits: [u8; 10],
    len: u8,
}

impl LineCode {
    /// Parses 6 to 10 digits, e.g. `"940542"`, `"9405.42.10"`, `"4202929800"`.
    pub fn parse(text: &str) -> Result<LineCode, String> {
        let mut digits = [0u8; 10];
        let mut len = 0usize;
        for c in text.bytes() {
            match c {
                b'0'..=b'9' => {
                    if len == 10 {
                        return Err(format!("{text:?} has more than 10 digits"));
                    }
                    digits[len] = c;
                    len += 1;
                }
                b'.' | b' ' => {}
                _ => {
                    return Err(format!(
                        "{text:?} must contain only digits (dots and spaces between groups are allowed)"
                    ))
                }
            }
        }
        if len < 6 {
            return Err(format!(
                "{text:?} has {len} digits; a tariff line has 6 (HS) to 10 digits"
            ));
        }
        Ok(LineCode {
            digits,
            len: len as u8,
        })
    }

    /// The digits, e.g. `"4202929800"`.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.digits[..usize::from(self.len)]).unwrap_or("")
    }

    /// How many digits (6–10).
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Never true: a code has at least 6 digits.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The HS code (first six digits).
    pub fn hs_code(&self) -> HsCode {
        HsCode::parse(&self.as_str()[..6]).expect("six ASCII digits are an HS code")
    }

    /// The first `len` digits as a number, for the lookup index.
    fn key(digits: &[u8]) -> u64 {
        digits
            .iter()
            .fold(0u64, |acc, d| acc * 10 + u64::from(d - b'0'))
    }
}

impl fmt::Display for LineCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for LineCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LineCode({})", self.as_str())
    }
}

impl FromStr for LineCode {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        LineCode::parse(text)
    }
}

impl Serialize for LineCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for LineCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        LineCode::parse(&text).map_err(de::Error::custom)
    }
}

/// What a specific duty (and a minimum or maximum) is counted per.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuantityUnit {
    /// Per unit (piece) of the item.
    #[default]
    Unit,
    /// Per kilogram of the item's weight (`weight_kg` × quantity).
    Kg,
}

impl QuantityUnit {
    fn is_unit(&self) -> bool {
        *self == QuantityUnit::Unit
    }

    /// `"unit"` or `"kg"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            QuantityUnit::Unit => "unit",
            QuantityUnit::Kg => "kg",
        }
    }
}

/// A duty: ad valorem (percent of the customs value), specific (money per
/// unit or per kg), or compound (both added), then raised to `minimum` and
/// capped at `maximum` (both per `per`, like the specific amount).
///
/// Specific amounts, minimum and maximum share one currency, which must be
/// the destination rule's currency when quoting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DutyRate {
    /// Percent of the customs value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ad_valorem: Option<Percent>,
    /// Money per `per`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specific: Option<Money>,
    /// At least this much per `per`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum: Option<Money>,
    /// At most this much per `per`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum: Option<Money>,
    /// The unit of the specific amount, minimum and maximum.
    #[serde(default, skip_serializing_if = "QuantityUnit::is_unit")]
    pub per: QuantityUnit,
}

impl DutyRate {
    /// A plain ad valorem rate.
    pub fn ad_valorem(percent: Percent) -> DutyRate {
        DutyRate {
            ad_valorem: Some(percent),
            specific: None,
            minimum: None,
            maximum: None,
            per: QuantityUnit::Unit,
        }
    }

    /// The currency of its money amounts, if it has any.
    pub fn currency(&self) -> Option<Currency> {
        self.specific
            .or(self.minimum)
            .or(self.maximum)
            .map(Money::currency)
    }

    /// The duty on one item line, exact (not yet rounded): ad valorem of
    /// `customs_value` plus specific × quantity measure, then the minimum
    /// and maximum. `quantity` is in units, `weight_kg` per unit. Amounts
    /// are taken in minor units, so the caller checks that the currencies
    /// agree. `None` on overflow.
    pub(crate) fn exact_duty(
        &self,
        customs_value: Money,
        quantity: i64,
        weight_kg: Decimal,
    ) -> Option<Exact> {
        let mut duty = match self.ad_valorem {
            Some(percent) => {
                Exact::minor(customs_value.minor()).times(percent.fraction().as_decimal())?
            }
            None => Exact::ZERO,
        };
        let measure = |amount: Money| -> Option<Exact> {
            let per_unit = Exact::minor(amount.minor());
            let units = per_unit.times_int(u128::try_from(quantity).ok()?)?;
            match self.per {
                QuantityUnit::Unit => Some(units),
                QuantityUnit::Kg => units.times(weight_kg),
            }
        };
        if let Some(specific) = self.specific {
            duty = duty.plus(measure(specific)?)?;
        }
        if let Some(minimum) = self.minimum {
            let floor = measure(minimum)?;
            if duty.compare(floor)?.is_lt() {
                duty = floor;
            }
        }
        if let Some(maximum) = self.maximum {
            let cap = measure(maximum)?;
            if duty.compare(cap)?.is_gt() {
                duty = cap;
            }
        }
        Some(duty)
    }

    fn problems(&self, prefix: &str, out: &mut Vec<RuleProblem>) {
        let mut add = |field: &str, reason: String| {
            out.push(RuleProblem {
                field: format!("{prefix}{field}"),
                reason,
            })
        };
        if self.ad_valorem.is_none() && self.specific.is_none() {
            add(
                "ad_valorem",
                "a line needs a duty: an ad valorem percent (0 for duty-free) or a specific amount"
                    .into(),
            );
        }
        let currency = self.currency();
        for (field, amount) in [
            ("specific", self.specific),
            ("minimum", self.minimum),
            ("maximum", self.maximum),
        ] {
            if let Some(amount) = amount {
                if amount.is_negative() {
                    add(field, format!("{amount} must not be negative"));
                }
                if Some(amount.currency()) != currency {
                    add(
                        field,
                        format!("{amount} must be in the same currency as the other amounts"),
                    );
                }
            }
        }
        if let (Some(min), Some(max)) = (self.minimum, self.maximum) {
            if min.minor() > max.minor() {
                add("maximum", format!("{max} is below the minimum {min}"));
            }
        }
    }
}

impl fmt::Display for DutyRate {
    /// `3.7%`, `CHF 0.75/kg`, `12% + 2.00 EUR/unit, min 1.50 EUR/unit`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(percent) = self.ad_valorem {
            parts.push(percent.to_string());
        }
        if let Some(specific) = self.specific {
            parts.push(format!("{specific}/{}", self.per.as_str()));
        }
        write!(f, "{}", parts.join(" + "))?;
        if let Some(min) = self.minimum {
            write!(f, ", min {min}/{}", self.per.as_str())?;
        }
        if let Some(max) = self.maximum {
            write!(f, ", max {max}/{}", self.per.as_str())?;
        }
        Ok(())
    }
}

/// A preferential (or otherwise origin-specific) ad valorem rate that
/// replaces a line's whole duty for goods of one origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OriginRate {
    /// Country of origin.
    pub origin: Country,
    /// Ad valorem percent for it.
    pub percent: Percent,
}

/// One line of a destination's tariff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TariffLine {
    /// Region code of the rules it belongs to, e.g. `"EU"`.
    pub region: String,
    /// The national code (8–10 digits) or a 6-digit HS fallback.
    pub code: LineCode,
    /// What it covers (and, for demo data, that the rate is illustrative).
    pub description: String,
    /// The duty.
    pub duty: DutyRate,
    /// A VAT/GST rate replacing the standard rate (a reduced rate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_percent: Option<Percent>,
    /// Rates by origin, replacing the duty for those origins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preferential: Vec<OriginRate>,
}

impl TariffLine {
    /// The duty for goods of `origin`: a preferential rate when the line
    /// has one for it, else the line's duty.
    pub fn duty_for(&self, origin: Country) -> DutyChoice<'_> {
        match self.preferential.iter().find(|p| p.origin == origin) {
            Some(rate) => DutyChoice::Preferential(*rate),
            None => DutyChoice::Standard(&self.duty),
        }
    }

    /// Every problem of the line on its own, fields named as in JSON.
    pub fn problems(&self) -> Vec<RuleProblem> {
        let mut out = Vec::new();
        let region_ok = !self.region.is_empty()
            && self.region.len() <= 40
            && self
                .region
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !region_ok {
            out.push(RuleProblem {
                field: "region".into(),
                reason: format!("{:?} must be a region code such as \"EU\"", self.region),
            });
        }
        self.duty.problems("duty.", &mut out);
        for (i, rate) in self.preferential.iter().enumerate() {
            if self.preferential[..i]
                .iter()
                .any(|p| p.origin == rate.origin)
            {
                out.push(RuleProblem {
                    field: format!("preferential[{i}].origin"),
                    reason: format!("{} is listed twice", rate.origin),
                });
            }
        }
        out
    }
}

/// Which duty applies to an item: the line's, or a preferential rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DutyChoice<'a> {
    /// The line's own duty.
    Standard(&'a DutyRate),
    /// A preferential rate for the item's origin.
    Preferential(OriginRate),
}

/// All tariff lines, indexed for lookup by region and code prefix.
#[derive(Debug, Clone, Default)]
pub struct TariffBook {
    lines: Vec<TariffLine>,
    regions: Vec<String>,
    /// (region id, code length, code value) packed in a `u64`, sorted,
    /// with the index into `lines`.
    index: Vec<(u64, u32)>,
}

impl TariffBook {
    /// A book of `lines`, checked: every problem of every line (paths
    /// under `lines[i].`) and repeated (region, code) pairs.
    pub fn new(lines: Vec<TariffLine>) -> Result<TariffBook, Vec<RuleProblem>> {
        let mut problems = Vec::new();
        let mut book = TariffBook::default();
        for (i, line) in lines.iter().enumerate() {
            problems.extend(line.problems().into_iter().map(|p| RuleProblem {
                field: format!("lines[{i}].{}", p.field),
                reason: p.reason,
            }));
            let region = match book.regions.iter().position(|r| *r == line.region) {
                Some(id) => id,
                None => {
                    book.regions.push(line.region.clone());
                    book.regions.len() - 1
                }
            };
            let key = index_key(
                region as u16,
                line.code.len(),
                LineCode::key(&line.code.digits[..line.code.len()]),
            );
            book.index.push((key, i as u32));
        }
        book.index.sort_unstable();
        for pair in book.index.windows(2) {
            if pair[0].0 == pair[1].0 {
                let (earlier, later) = (pair[0].1, pair[1].1 as usize);
                problems.push(RuleProblem {
                    field: format!("lines[{later}].code"),
                    reason: format!(
                        "{} {} is also lines[{earlier}]",
                        lines[later].region, lines[later].code
                    ),
                });
            }
        }
        if !problems.is_empty() {
            problems.sort_by(|a, b| a.field.cmp(&b.field));
            return Err(problems);
        }
        book.lines = lines;
        Ok(book)
    }

    /// The demo tariff ([`super::demo_tariff_lines`]) as a book.
    pub fn demo() -> TariffBook {
        TariffBook::new(super::demo_tariff_lines()).expect("the demo tariff is consistent (tested)")
    }

    /// All lines, in the order given.
    pub fn lines(&self) -> &[TariffLine] {
        &self.lines
    }

    /// Whether the book has any line for `region`.
    pub fn has_region(&self, region: &str) -> bool {
        self.region_id(region).is_some()
    }

    pub(crate) fn region_id(&self, region: &str) -> Option<u16> {
        self.regions
            .iter()
            .position(|r| r == region)
            .map(|id| id as u16)
    }

    /// The most specific line of `region` for `code` (6–10 digits): the
    /// longest prefix of `code`, 10 → 9 → 8 → 7 → 6 digits, that has a line.
    pub fn find(&self, region: &str, code: &LineCode) -> Option<&TariffLine> {
        self.find_in(self.region_id(region)?, code.as_str().as_bytes())
    }

    pub(crate) fn find_in(&self, region: u16, digits: &[u8]) -> Option<&TariffLine> {
        let mut code = LineCode::key(digits);
        for len in (6..=digits.len()).rev() {
            let key = index_key(region, len, code);
            if let Ok(at) = self.index.binary_search_by_key(&key, |&(k, _)| k) {
                return Some(&self.lines[self.index[at].1 as usize]);
            }
            code /= 10;
        }
        None
    }

    /// The national lines of `region` under an HS code (for error
    /// messages: which codes to choose from).
    pub fn lines_under(&self, region: &str, hs: HsCode) -> Vec<&TariffLine> {
        self.lines
            .iter()
            .filter(|l| l.region == region && l.code.as_str().starts_with(hs.as_str()))
            .collect()
    }
}

/// Region id, code length and code value in one sortable number: codes
/// have at most 10 digits (< 2^34) and 6–10 of them (4 bits).
fn index_key(region: u16, len: usize, code: u64) -> u64 {
    (u64::from(region) << 40) | ((len as u64) << 36) | code
}

impl PartialEq for TariffBook {
    fn eq(&self, other: &Self) -> bool {
        self.lines == other.lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::EUR)
    }

    fn line(region: &str, code: &str, duty: DutyRate) -> TariffLine {
        TariffLine {
            region: region.into(),
            code: LineCode::parse(code).unwrap(),
            description: "test".into(),
            duty,
            tax_percent: None,
            preferential: Vec::new(),
        }
    }

    fn pct(text: &str) -> Percent {
        Percent::parse(text).unwrap()
    }

    #[test]
    fn codes_are_6_to_10_digits() {
        assert_eq!(LineCode::parse("9405.42.10").unwrap().as_str(), "94054210");
        assert_eq!(LineCode::parse("420292").unwrap().len(), 6);
        assert!(LineCode::parse("94054").is_err());
        assert!(LineCode::parse("94054210001").is_err());
        assert!(LineCode::parse("9405-42").is_err());
        assert_eq!(
            LineCode::parse("4202929800").unwrap().hs_code().as_str(),
            "420292"
        );
    }

    #[test]
    fn lookup_takes_the_longest_prefix() {
        let book = TariffBook::new(vec![
            line("EU", "420292", DutyRate::ad_valorem(pct("3.7"))),
            line("EU", "42029291", DutyRate::ad_valorem(pct("9.7"))),
            line("EU", "4202929800", DutyRate::ad_valorem(pct("2.7"))),
            line("GB", "420292", DutyRate::ad_valorem(pct("2"))),
        ])
        .unwrap();
        let find = |region: &str, code: &str| {
            book.find(region, &LineCode::parse(code).unwrap())
                .map(|l| l.code.to_string())
        };
        assert_eq!(find("EU", "4202929800").as_deref(), Some("4202929800"));
        assert_eq!(find("EU", "4202929110").as_deref(), Some("42029291"));
        assert_eq!(find("EU", "42029211").as_deref(), Some("420292"));
        assert_eq!(find("EU", "420292").as_deref(), Some("420292"));
        assert_eq!(find("GB", "4202929800").as_deref(), Some("420292"));
        assert_eq!(find("EU", "420291"), None);
        assert_eq!(find("US", "420292"), None);
        assert_eq!(
            book.lines_under("EU", HsCode::parse("420292").unwrap())
                .len(),
            3
        );
    }

    #[test]
    fn the_book_refuses_duplicates_and_lines_without_duty() {
        let none = DutyRate {
            ad_valorem: None,
            specific: None,
            minimum: Some(eur(100)),
            maximum: Some(Money::from_minor(50, Currency::USD)),
            per: QuantityUnit::Kg,
        };
        let err = TariffBook::new(vec![
            line("EU", "420292", DutyRate::ad_valorem(pct("3.7"))),
            line("EU", "4202.92", DutyRate::ad_valorem(pct("2"))),
            line("eu", "630260", none),
        ])
        .unwrap_err();
        let text: Vec<String> = err.iter().map(ToString::to_string).collect();
        assert!(
            text.iter()
                .any(|t| t.starts_with("lines[1].code: EU 420292 is also lines[0]")),
            "{text:?}"
        );
        assert!(
            text.iter().any(|t| t.starts_with("lines[2].region")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with("lines[2].duty.ad_valorem")),
            "{text:?}"
        );
        assert!(
            text.iter().any(|t| t.starts_with("lines[2].duty.maximum")),
            "{text:?}"
        );
    }

    #[test]
    fn compound_duty_with_minimum_and_maximum_is_exact() {
        let kg = |t: &str| Decimal::from_str_exact(t).unwrap();
        let compound = DutyRate {
            ad_valorem: Some(pct("10")),
            specific: Some(eur(50)),
            minimum: Some(eur(200)),
            maximum: Some(eur(1000)),
            per: QuantityUnit::Kg,
        };
        // 10 % of 100.00 = 10.00, + 0.50/kg × 2 × 1.5 kg = 1.50 → 11.50,
        // min 2.00 × 3 kg = 6.00, max 10.00 × 3 kg = 30.00 → 11.50.
        let duty = compound.exact_duty(eur(10_000), 2, kg("1.5")).unwrap();
        assert_eq!(duty.round(crate::money::RoundingMode::HalfUp), Some(1150));
        // A cheap item meets the minimum: 10 % of 1.00 + 1.50 = 1.60 < 6.00.
        let duty = compound.exact_duty(eur(100), 2, kg("1.5")).unwrap();
        assert_eq!(duty.round(crate::money::RoundingMode::HalfUp), Some(600));
        // An expensive one hits the maximum.
        let duty = compound.exact_duty(eur(1_000_000), 2, kg("1.5")).unwrap();
        assert_eq!(duty.round(crate::money::RoundingMode::HalfUp), Some(3000));
        assert_eq!(
            compound.to_string(),
            "10% + 0.50 EUR/kg, min 2.00 EUR/kg, max 10.00 EUR/kg"
        );
        let per_unit = DutyRate {
            ad_valorem: None,
            specific: Some(eur(125)),
            minimum: None,
            maximum: None,
            per: QuantityUnit::Unit,
        };
        let duty = per_unit.exact_duty(eur(999), 3, kg("0")).unwrap();
        assert_eq!(duty.round(crate::money::RoundingMode::HalfUp), Some(375));
    }

    #[test]
    fn preferential_rates_replace_the_duty_for_their_origin() {
        let mut l = line("AU", "630260", DutyRate::ad_valorem(pct("5")));
        l.preferential.push(OriginRate {
            origin: Country::CN,
            percent: pct("0"),
        });
        assert!(
            matches!(l.duty_for(Country::CN), DutyChoice::Preferential(r) if r.percent.is_zero())
        );
        assert!(matches!(l.duty_for(Country::US), DutyChoice::Standard(_)));
        let json = serde_json::to_value(&l).unwrap();
        assert_eq!(json["code"], "630260");
        assert_eq!(json["duty"]["ad_valorem"], "5");
        assert_eq!(json["preferential"][0]["origin"], "CN");
        let back: TariffLine = serde_json::from_value(json).unwrap();
        assert_eq!(back, l);
    }
}
