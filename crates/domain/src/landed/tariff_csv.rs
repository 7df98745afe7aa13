//! Tariff lines as CSV, for import and export, and the demo tariff.
//!
//! Header (exactly, in this order):
//!
//! ```text
//! region,tariff_code,description,ad_valorem_percent,specific_amount,specific_per,specific_currency,minimum,maximum,tax_rate_percent,preferential
//! ```
//!
//! - `region`: the rule region, e.g. `EU`, `GB`, `US`.
//! - `tariff_code`: 6 (HS fallback) to 10 digits; dots and spaces allowed.
//! - `ad_valorem_percent`: percent of the customs value (`3.7`); empty
//!   when the duty is specific only. `0` for duty-free.
//! - `specific_amount`, `minimum`, `maximum`: money in major units of
//!   `specific_currency`, per `specific_per` (`unit` or `kg`); a line with
//!   both a percent and a specific amount is compound (they add up).
//! - `tax_rate_percent`: a reduced VAT/GST rate for the line (empty =
//!   the destination's standard rate).
//! - `preferential`: origin rates replacing the duty, `CN=0;VN=2.5`.
//!
//! Parsing is all or nothing: every problem comes back with its line (the
//! header is line 1), column and reason.

use crate::country::Country;
use crate::money::{Currency, Money};

use super::csv_table::{cell, read_table, CsvProblem};
use super::percent::Percent;
use super::tariff::{DutyRate, LineCode, OriginRate, QuantityUnit, TariffLine};

/// The tariff CSV header.
pub const TARIFF_CSV_HEADER: &[&str] = &[
    "region",
    "tariff_code",
    "description",
    "ad_valorem_percent",
    "specific_amount",
    "specific_per",
    "specific_currency",
    "minimum",
    "maximum",
    "tax_rate_percent",
    "preferential",
];

const DEMO_TARIFF_CSV: &str = include_str!("seed/demo_tariff.csv");

/// The demo tariff: lines for the demo products' HS codes (853952,
/// 940511, 940521, 940531, 940542) and for 851310, 630260, 420292,
/// 621410, 620610, 620620 and 940540 (an HS 2017 code, kept for older
/// catalogues), in every seeded region, plus a few 8- and 10-digit lines. The rates are
/// illustrative, not a published tariff; every description says so.
pub fn demo_tariff_lines() -> Vec<TariffLine> {
    parse_tariff_csv(DEMO_TARIFF_CSV).expect("the embedded demo tariff parses (tested)")
}

/// The demo tariff as CSV text.
pub fn demo_tariff_csv() -> &'static str {
    DEMO_TARIFF_CSV
}

/// Parses tariff lines from CSV (format in the module documentation).
/// Repeated (region, code) pairs are refused too. All or nothing.
pub fn parse_tariff_csv(text: &str) -> Result<Vec<TariffLine>, Vec<CsvProblem>> {
    let rows = read_table("tariff", text, TARIFF_CSV_HEADER)?;
    let mut problems = Vec::new();
    let mut lines: Vec<(usize, TariffLine)> = Vec::with_capacity(rows.len());
    for row in &rows {
        let mut fail = |column: &str, reason: String| {
            problems.push(CsvProblem {
                table: "tariff".into(),
                line: row.line,
                column: column.into(),
                reason,
            })
        };
        let region = row.get("region");
        if region.is_empty() {
            fail("region", "must not be empty".into());
        }
        let code = LineCode::parse(row.get("tariff_code"))
            .map_err(|e| fail("tariff_code", e))
            .ok();
        let percent = |column: &str, fail: &mut dyn FnMut(&str, String)| {
            let text = row.get(column);
            if text.is_empty() {
                return Some(None);
            }
            match Percent::parse(text) {
                Ok(p) => Some(Some(p)),
                Err(e) => {
                    fail(column, e.to_string());
                    None
                }
            }
        };
        let ad_valorem = percent("ad_valorem_percent", &mut fail);
        let tax_percent = percent("tax_rate_percent", &mut fail);
        let currency_text = row.get("specific_currency");
        let has_money = ["specific_amount", "minimum", "maximum"]
            .iter()
            .any(|c| !row.get(c).is_empty());
        let currency = if currency_text.is_empty() {
            if has_money {
                fail(
                    "specific_currency",
                    "must be given with specific_amount, minimum or maximum".into(),
                );
            }
            None
        } else {
            Currency::from_code(currency_text)
                .map_err(|e| fail("specific_currency", e.to_string()))
                .ok()
        };
        let mut money = |column: &str| -> Option<Option<Money>> {
            let text = row.get(column);
            if text.is_empty() {
                return Some(None);
            }
            let currency = currency?;
            match Money::parse_major(text, currency) {
                Ok(m) if m.is_negative() => {
                    fail(column, format!("{m} must not be negative"));
                    None
                }
                Ok(m) => Some(Some(m)),
                Err(e) => {
                    fail(column, e.to_string());
                    None
                }
            }
        };
        let specific = money("specific_amount");
        let minimum = money("minimum");
        let maximum = money("maximum");
        let per_text = row.get("specific_per");
        let per = match per_text {
            "unit" => Some(QuantityUnit::Unit),
            "kg" => Some(QuantityUnit::Kg),
            "" if !has_money => Some(QuantityUnit::Unit),
            "" => {
                fail(
                    "specific_per",
                    "must be unit or kg when an amount is given".into(),
                );
                None
            }
            other => {
                fail("specific_per", format!("{other:?}: use unit or kg"));
                None
            }
        };
        if ad_valorem == Some(None) && specific == Some(None) {
            fail(
                "ad_valorem_percent",
                "a line needs a duty: give ad_valorem_percent (0 for duty-free) or specific_amount"
                    .into(),
            );
        }
        if let (Some(Some(min)), Some(Some(max))) = (minimum, maximum) {
            if min.minor() > max.minor() {
                fail("maximum", format!("{max} is below the minimum {min}"));
            }
        }
        let mut preferential = Vec::new();
        for entry in row
            .get("preferential")
            .split(';')
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            let parsed = entry.split_once('=').and_then(|(origin, percent)| {
                Some(OriginRate {
                    origin: Country::from_alpha2(origin.trim()).ok()?,
                    percent: Percent::parse(percent.trim()).ok()?,
                })
            });
            match parsed {
                Some(rate)
                    if preferential
                        .iter()
                        .any(|p: &OriginRate| p.origin == rate.origin) =>
                {
                    fail("preferential", format!("{} is listed twice", rate.origin))
                }
                Some(rate) => preferential.push(rate),
                None => fail(
                    "preferential",
                    format!("{entry:?} must be ORIGIN=PERCENT, e.g. CN=0;VN=2.5"),
                ),
            }
        }
        if let (
            Some(code),
            Some(ad_valorem),
            Some(tax_percent),
            Some(specific),
            Some(minimum),
            Some(maximum),
            Some(per),
        ) = (
            code,
            ad_valorem,
            tax_percent,
            specific,
            minimum,
            maximum,
            per,
        ) {
            if !region.is_empty() {
                lines.push((
                    row.line,
                    TariffLine {
                        region: region.to_owned(),
                        code,
                        description: row.get("description").to_owned(),
                        duty: DutyRate {
                            ad_valorem,
                            specific,
                            minimum,
                            maximum,
                            per,
                        },
                        tax_percent,
                        preferential,
                    },
                ));
            }
        }
    }
    for (i, (line_no, line)) in lines.iter().enumerate() {
        if let Some((first, _)) = lines[..i]
            .iter()
            .find(|(_, l)| l.region == line.region && l.code == line.code)
        {
            problems.push(CsvProblem {
                table: "tariff".into(),
                line: *line_no,
                column: "tariff_code".into(),
                reason: format!("{} {} is also on line {first}", line.region, line.code),
            });
        }
    }
    if problems.is_empty() {
        Ok(lines.into_iter().map(|(_, l)| l).collect())
    } else {
        problems.sort_by_key(|p| p.line);
        Err(problems)
    }
}

fn major(money: Option<Money>) -> String {
    money.map(Money::to_major_string).unwrap_or_default()
}

fn percent_text(percent: Option<Percent>) -> String {
    percent
        .map(|p| p.as_decimal().to_string())
        .unwrap_or_default()
}

/// Writes tariff lines as CSV (header first; `\n` line ends), readable by
/// [`parse_tariff_csv`].
pub fn write_tariff_csv(lines: &[TariffLine]) -> String {
    let mut out = TARIFF_CSV_HEADER.join(",");
    out.push('\n');
    for line in lines {
        let duty = &line.duty;
        let has_money = duty.currency().is_some();
        let preferential: Vec<String> = line
            .preferential
            .iter()
            .map(|p| format!("{}={}", p.origin, p.percent.as_decimal()))
            .collect();
        let cells = [
            cell(&line.region),
            line.code.to_string(),
            cell(&line.description),
            percent_text(duty.ad_valorem),
            major(duty.specific),
            if has_money {
                duty.per.as_str().to_owned()
            } else {
                String::new()
            },
            duty.currency().map(|c| c.to_string()).unwrap_or_default(),
            major(duty.minimum),
            major(duty.maximum),
            percent_text(line.tax_percent),
            preferential.join(";"),
        ];
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_tariff_covers_every_region_and_code() {
        let lines = demo_tariff_lines();
        let regions = [
            "EU", "GB", "US", "CA", "AU", "NZ", "JP", "SG", "NO", "CH", "SA", "AE",
        ];
        let codes = [
            "853952", "940511", "940521", "940531", "940540", "940542", "851310", "630260",
            "420292", "621410", "620610", "620620",
        ];
        for region in regions {
            for code in codes {
                assert!(
                    lines
                        .iter()
                        .any(|l| l.region == region && l.code.as_str() == code),
                    "{region} {code}"
                );
            }
        }
        assert!(lines
            .iter()
            .all(|l| l.description.to_lowercase().contains("illustrative")));
        let book = super::super::TariffBook::new(lines).unwrap();
        assert!(book.has_region("CH"));
    }

    #[test]
    fn round_trips_through_csv() {
        let lines = demo_tariff_lines();
        let text = write_tariff_csv(&lines);
        assert_eq!(parse_tariff_csv(&text).unwrap(), lines);
    }

    #[test]
    fn returns_every_problem_with_line_and_column() {
        let text = format!(
            "{}\n\
             EU,940542,ok,4.7,,,,,,,\n\
             EU,9405,short,4.7,,,,,,,\n\
             ,940542,no region,x,,,,,,,\n\
             CH,940542,specific,,0.75,,CHF,,,,\n\
             US,630260,bad pref,9.1,,,,,,,CN:0\n\
             US,630260,twice,9.1,,,,,,,\n\
             US,630260,again,9.1,,,,,,,\n\
             JP,420292,no duty,,,,,,,,\n\
             SA,420292,min>max,5,,unit,SAR,2.00,1.00,,\n\
             AE,420292,cur,5,1.00,unit,XYZ,,,,\n",
            TARIFF_CSV_HEADER.join(",")
        );
        let err = parse_tariff_csv(&text).unwrap_err();
        let found: Vec<(usize, &str)> = err.iter().map(|p| (p.line, p.column.as_str())).collect();
        for expected in [
            (3, "tariff_code"),
            (4, "region"),
            (4, "ad_valorem_percent"),
            (5, "specific_per"),
            (6, "preferential"),
            (8, "tariff_code"),
            (9, "ad_valorem_percent"),
            (10, "maximum"),
            (11, "specific_currency"),
        ] {
            assert!(found.contains(&expected), "{expected:?} in {err:#?}");
        }
        assert!(!found.iter().any(|(line, _)| *line == 2), "{err:#?}");
        let shown = err[0].to_string();
        assert!(
            shown.starts_with("tariff line 3, column tariff_code:"),
            "{shown}"
        );
        let err = parse_tariff_csv("region,code\n").unwrap_err();
        assert_eq!(err.len(), 1);
        assert!(err[0].reason.contains("header must be exactly"));
    }
}
