//! The seeded import rules: four CSV tables under `landed/seed/`, built
//! from TRADE-RULES.md, embedded in the binary and parsed into
//! [`ImportRule`]s, so that a rule change is a data change.
//!
//! Tables (header first; a rule's rows in the other tables refer to it by
//! `version`; empty cells mean "none"):
//!
//! - `rules.csv`: `version,region,countries,valid_from,valid_until,verified,
//!   currency,valuation,tax_name,tax_percent,tax_base,tax_not_collected_up_to,
//!   flat_duty_per_subheading,flat_duty_ceiling,flat_duty_comparison,
//!   flat_duty_scheme,flat_duty_verified,duty_free_chapters,source,notes`.
//!   `countries` are alpha-2 codes separated by spaces; `valuation` is
//!   `cif`/`fob`; `tax_base` is `duty`, `duty+transport_and_insurance`,
//!   `transport_and_insurance` or empty (customs value only); an empty
//!   `tax_name` means no import tax; an empty `tax_percent` means
//!   per-country rates only; `duty_free_chapters` is like `25-97`
//!   (several separated by spaces); `notes` are separated by ` | `.
//!   Amounts are in major units of the rule currency.
//! - `thresholds.csv`: `version,limit,measure,comparison,waives,scheme,
//!   tax_at_checkout,origins,verified,note`, in priority order;
//!   `measure` is `intrinsic_value`/`customs_value`/`item_value`,
//!   `comparison` `at_most`/`below`, `waives` `duty`/`tax`/`duty_and_tax`,
//!   `origins` empty (any), `only:US MX` or `except:CN HK`.
//! - `tax_rates.csv`: `version,country,percent,valid_from,valid_until`:
//!   per-country rates (the 27 EU standard rates), optionally dated.
//! - `fees.csv`: `version,name,amount,per,when,verified`; `per` is
//!   `per_consignment`/`per_item`, `when` `always`/`low_value`/`formal_entry`.
//!   No fee in force is seeded (the EU handling fee is not yet law).
//!
//! Facts marked (unverified) in TRADE-RULES.md are `verified = false`.

use std::str::FromStr;

use crate::calendar::Date;
use crate::country::Country;
use crate::money::{Currency, Money};

use super::csv_table::{read_table, CsvProblem, Row};
use super::percent::Percent;
use super::rules::{
    ChapterRange, Comparison, CountryTaxRate, Fee, FeeBasis, FeeWhen, FlatDuty, ImportRule,
    ImportTax, OriginScope, TaxBase, Threshold, ThresholdMeasure, ValuationBasis, Waiver,
};

const RULES_CSV: &str = include_str!("seed/rules.csv");
const THRESHOLDS_CSV: &str = include_str!("seed/thresholds.csv");
const TAX_RATES_CSV: &str = include_str!("seed/tax_rates.csv");
const FEES_CSV: &str = include_str!("seed/fees.csv");

const RULES_HEADER: &[&str] = &[
    "version",
    "region",
    "countries",
    "valid_from",
    "valid_until",
    "verified",
    "currency",
    "valuation",
    "tax_name",
    "tax_percent",
    "tax_base",
    "tax_not_collected_up_to",
    "flat_duty_per_subheading",
    "flat_duty_ceiling",
    "flat_duty_comparison",
    "flat_duty_scheme",
    "flat_duty_verified",
    "duty_free_chapters",
    "source",
    "notes",
];
const THRESHOLDS_HEADER: &[&str] = &[
    "version",
    "limit",
    "measure",
    "comparison",
    "waives",
    "scheme",
    "tax_at_checkout",
    "origins",
    "verified",
    "note",
];
const TAX_RATES_HEADER: &[&str] = &["version", "country", "percent", "valid_from", "valid_until"];
const FEES_HEADER: &[&str] = &["version", "name", "amount", "per", "when", "verified"];

/// The seeded import rules for every market of TRADE-RULES.md (EU, GB, US,
/// CA, AU, NZ, JP, SG, NO, CH, SA, AE) with their dated versions.
pub fn seed_rules() -> Vec<ImportRule> {
    parse_rule_tables(RULES_CSV, THRESHOLDS_CSV, TAX_RATES_CSV, FEES_CSV)
        .expect("the embedded seed tables parse (tested)")
}

/// The embedded seed tables as text, in the order `rules.csv`,
/// `thresholds.csv`, `tax_rates.csv`, `fees.csv` (for export or editing).
pub fn seed_tables() -> [(&'static str, &'static str); 4] {
    [
        ("rules.csv", RULES_CSV),
        ("thresholds.csv", THRESHOLDS_CSV),
        ("tax_rates.csv", TAX_RATES_CSV),
        ("fees.csv", FEES_CSV),
    ]
}

/// Parses the four rule tables (format in the module documentation) into
/// rules, all or nothing: every problem is returned with its table, line,
/// column and reason. Rules are not checked against each other here; give
/// the result to [`RuleSet::new`](super::RuleSet::new) for that.
pub fn parse_rule_tables(
    rules: &str,
    thresholds: &str,
    tax_rates: &str,
    fees: &str,
) -> Result<Vec<ImportRule>, Vec<CsvProblem>> {
    let mut problems = Vec::new();
    let mut read = |name: &str, text: &str, header: &'static [&'static str]| {
        read_table(name, text, header).unwrap_or_else(|mut found| {
            problems.append(&mut found);
            Vec::new()
        })
    };
    let rule_rows = read("rules.csv", rules, RULES_HEADER);
    let threshold_rows = read("thresholds.csv", thresholds, THRESHOLDS_HEADER);
    let rate_rows = read("tax_rates.csv", tax_rates, TAX_RATES_HEADER);
    let fee_rows = read("fees.csv", fees, FEES_HEADER);

    let mut out: Vec<ImportRule> = Vec::new();
    for row in &rule_rows {
        let mut cells = Cells::new("rules.csv", row, &mut problems);
        if let Some(rule) = rule_from_row(&mut cells) {
            if out.iter().any(|r| r.version == rule.version) {
                cells.fail("version", format!("{} appears twice", rule.version));
            } else {
                out.push(rule);
            }
        }
    }
    for row in &threshold_rows {
        let mut cells = Cells::new("thresholds.csv", row, &mut problems);
        let Some(index) = cells.version_index(&out) else {
            continue;
        };
        if let Some(threshold) = threshold_from_row(&mut cells, out[index].currency) {
            out[index].thresholds.push(threshold);
        }
    }
    for row in &rate_rows {
        let mut cells = Cells::new("tax_rates.csv", row, &mut problems);
        let Some(index) = cells.version_index(&out) else {
            continue;
        };
        let country = cells.parse("country", Country::from_alpha2);
        let percent = cells.parse("percent", Percent::parse);
        let valid_from = cells.optional("valid_from", Date::parse);
        let valid_until = cells.optional("valid_until", Date::parse);
        let (Some(country), Some(percent), Some(valid_from), Some(valid_until)) =
            (country, percent, valid_from, valid_until)
        else {
            continue;
        };
        match out[index].tax.as_mut() {
            Some(tax) => tax.country_rates.push(CountryTaxRate {
                country,
                percent,
                valid_from,
                valid_until,
            }),
            None => cells.fail("version", "the rule has no tax (empty tax_name)".into()),
        }
    }
    for row in &fee_rows {
        let mut cells = Cells::new("fees.csv", row, &mut problems);
        let Some(index) = cells.version_index(&out) else {
            continue;
        };
        let currency = out[index].currency;
        let name = cells.required("name").map(str::to_owned);
        let amount = cells.parse("amount", |t| Money::parse_major(t, currency));
        let per = cells.parse("per", |t| match t {
            "per_consignment" => Ok(FeeBasis::PerConsignment),
            "per_item" => Ok(FeeBasis::PerItem),
            _ => Err("use per_consignment or per_item"),
        });
        let when = cells.parse("when", |t| match t {
            "always" => Ok(FeeWhen::Always),
            "low_value" => Ok(FeeWhen::LowValue),
            "formal_entry" => Ok(FeeWhen::FormalEntry),
            _ => Err("use always, low_value or formal_entry"),
        });
        let verified = cells.parse("verified", parse_bool);
        if let (Some(name), Some(amount), Some(per), Some(when), Some(verified)) =
            (name, amount, per, when, verified)
        {
            out[index].fees.push(Fee {
                name,
                amount,
                per,
                when,
                verified,
            });
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Cell access for one row, collecting problems.
struct Cells<'a, 'h> {
    table: &'static str,
    row: &'a Row<'h>,
    problems: &'a mut Vec<CsvProblem>,
}

impl<'a, 'h> Cells<'a, 'h> {
    fn new(table: &'static str, row: &'a Row<'h>, problems: &'a mut Vec<CsvProblem>) -> Self {
        Cells {
            table,
            row,
            problems,
        }
    }

    fn fail(&mut self, column: &str, reason: String) {
        self.problems.push(CsvProblem {
            table: self.table.to_owned(),
            line: self.row.line,
            column: column.to_owned(),
            reason,
        });
    }

    fn text(&self, column: &str) -> &'a str {
        self.row.get(column)
    }

    fn required(&mut self, column: &str) -> Option<&'a str> {
        let text = self.text(column);
        if text.is_empty() {
            self.fail(column, "must not be empty".into());
            None
        } else {
            Some(text)
        }
    }

    fn parse<T, E: ToString>(
        &mut self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        let text = self.required(column)?;
        match parse(text) {
            Ok(value) => Some(value),
            Err(e) => {
                self.fail(column, format!("{text:?}: {}", e.to_string()));
                None
            }
        }
    }

    /// `Some(None)` for an empty cell, `None` after a problem.
    fn optional<T, E: ToString>(
        &mut self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<Option<T>> {
        if self.text(column).is_empty() {
            Some(None)
        } else {
            self.parse(column, parse).map(Some)
        }
    }

    fn version_index(&mut self, rules: &[ImportRule]) -> Option<usize> {
        let version = self.required("version")?;
        let index = rules.iter().position(|r| r.version == version);
        if index.is_none() {
            self.fail(
                "version",
                format!("{version:?} is not a version in rules.csv"),
            );
        }
        index
    }
}

fn parse_bool(text: &str) -> Result<bool, &'static str> {
    match text {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err("use true or false"),
    }
}

fn parse_comparison(text: &str) -> Result<Comparison, &'static str> {
    match text {
        "at_most" => Ok(Comparison::AtMost),
        "below" => Ok(Comparison::Below),
        _ => Err("use at_most (≤) or below (<)"),
    }
}

fn parse_measure(text: &str) -> Result<ThresholdMeasure, &'static str> {
    match text {
        "intrinsic_value" => Ok(ThresholdMeasure::IntrinsicValue),
        "customs_value" => Ok(ThresholdMeasure::CustomsValue),
        "item_value" => Ok(ThresholdMeasure::ItemValue),
        _ => Err("use intrinsic_value, customs_value or item_value"),
    }
}

fn parse_countries(text: &str) -> Result<Vec<Country>, String> {
    text.split_whitespace()
        .map(|code| Country::from_alpha2(code).map_err(|e| e.to_string()))
        .collect()
}

fn parse_chapters(text: &str) -> Result<Vec<ChapterRange>, String> {
    text.split_whitespace()
        .map(|range| {
            let (from, to) = range.split_once('-').unwrap_or((range, range));
            match (u8::from_str(from), u8::from_str(to)) {
                (Ok(from), Ok(to)) => Ok(ChapterRange { from, to }),
                _ => Err(format!("{range:?} is not a chapter range such as 25-97")),
            }
        })
        .collect()
}

fn rule_from_row(cells: &mut Cells<'_, '_>) -> Option<ImportRule> {
    let version = cells.required("version").map(str::to_owned);
    let region = cells.required("region").map(str::to_owned);
    let countries = cells.parse("countries", parse_countries);
    let valid_from = cells.parse("valid_from", Date::parse);
    let valid_until = cells.optional("valid_until", Date::parse);
    let verified = cells.parse("verified", parse_bool);
    let currency = cells.parse("currency", Currency::from_code);
    let valuation = cells.parse("valuation", |t| match t {
        "cif" => Ok(ValuationBasis::Cif),
        "fob" => Ok(ValuationBasis::Fob),
        _ => Err("use cif or fob"),
    });
    let source = cells.required("source").map(str::to_owned);
    let chapters = cells.optional("duty_free_chapters", parse_chapters);
    let notes: Vec<String> = cells
        .text("notes")
        .split(" | ")
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect();
    let currency = currency?;
    let money = |t: &str| Money::parse_major(t, currency);

    let tax_name = cells.text("tax_name");
    let tax = if tax_name.is_empty() {
        for column in ["tax_percent", "tax_base", "tax_not_collected_up_to"] {
            if !cells.text(column).is_empty() {
                cells.fail(column, "given without a tax_name".into());
            }
        }
        Some(None)
    } else {
        let standard = cells.optional("tax_percent", Percent::parse);
        let base = cells.parse_base();
        let not_collected = cells.optional("tax_not_collected_up_to", money);
        match (standard, base, not_collected) {
            (Some(standard_percent), Some(base), Some(not_collected_up_to)) => {
                Some(Some(ImportTax {
                    name: tax_name.to_owned(),
                    standard_percent,
                    country_rates: Vec::new(),
                    base,
                    not_collected_up_to,
                }))
            }
            _ => None,
        }
    };

    let flat_duty = if cells.text("flat_duty_per_subheading").is_empty() {
        Some(None)
    } else {
        let per_subheading = cells.parse("flat_duty_per_subheading", money);
        let ceiling = cells.parse("flat_duty_ceiling", money);
        let comparison = cells.parse("flat_duty_comparison", parse_comparison);
        let scheme = cells.text("flat_duty_scheme");
        let flat_verified = cells.parse("flat_duty_verified", parse_bool);
        match (per_subheading, ceiling, comparison, flat_verified) {
            (Some(per_subheading), Some(ceiling), Some(comparison), Some(verified)) => {
                Some(Some(FlatDuty {
                    per_subheading,
                    ceiling,
                    measure: ThresholdMeasure::IntrinsicValue,
                    comparison,
                    scheme: (!scheme.is_empty()).then(|| scheme.to_owned()),
                    collected_at_checkout: !scheme.is_empty(),
                    verified,
                }))
            }
            _ => None,
        }
    };

    Some(ImportRule {
        version: version?,
        region: region?,
        countries: countries?,
        valid_from: valid_from?,
        valid_until: valid_until?,
        verified: verified?,
        source: source?,
        currency,
        valuation: valuation?,
        tax: tax?,
        thresholds: Vec::new(),
        flat_duty: flat_duty?,
        fees: Vec::new(),
        duty_free_chapters: chapters?.unwrap_or_default(),
        notes,
    })
}

impl Cells<'_, '_> {
    fn parse_base(&mut self) -> Option<TaxBase> {
        let mut base = TaxBase::default();
        let text = self.text("tax_base");
        for part in text.split('+').map(str::trim).filter(|p| !p.is_empty()) {
            match part {
                "duty" => base.duty = true,
                "transport_and_insurance" => base.transport_and_insurance = true,
                "customs_value" => {}
                other => {
                    self.fail(
                        "tax_base",
                        format!("{other:?}: use duty and/or transport_and_insurance joined by '+'"),
                    );
                    return None;
                }
            }
        }
        Some(base)
    }
}

fn threshold_from_row(cells: &mut Cells<'_, '_>, currency: Currency) -> Option<Threshold> {
    let limit = cells.parse("limit", |t| Money::parse_major(t, currency));
    let measure = cells.parse("measure", parse_measure);
    let comparison = cells.parse("comparison", parse_comparison);
    let waives = cells.parse("waives", |t| match t {
        "duty" => Ok(Waiver::Duty),
        "tax" => Ok(Waiver::Tax),
        "duty_and_tax" => Ok(Waiver::DutyAndTax),
        _ => Err("use duty, tax or duty_and_tax"),
    });
    let scheme = cells.text("scheme");
    let tax_at_checkout = cells.parse("tax_at_checkout", parse_bool);
    let origins = cells.optional("origins", |t| {
        let (kind, list) = t
            .split_once(':')
            .ok_or_else(|| "use only:US MX or except:CN HK".to_owned())?;
        let list = parse_countries(list)?;
        match kind.trim() {
            "only" => Ok(OriginScope::Only(list)),
            "except" => Ok(OriginScope::Except(list)),
            _ => Err("use only:US MX or except:CN HK".to_owned()),
        }
    });
    let verified = cells.parse("verified", parse_bool);
    let note = cells.text("note").to_owned();
    Some(Threshold {
        limit: limit?,
        measure: measure?,
        comparison: comparison?,
        waives: waives?,
        scheme: (!scheme.is_empty()).then(|| scheme.to_owned()),
        tax_at_checkout: tax_at_checkout?,
        origins: origins?.unwrap_or_default(),
        verified: verified?,
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::landed::RuleSet;

    #[test]
    fn the_seed_parses_and_is_consistent() {
        let rules = seed_rules();
        let regions: std::collections::BTreeSet<&str> =
            rules.iter().map(|r| r.region.as_str()).collect();
        assert_eq!(
            regions.into_iter().collect::<Vec<_>>(),
            ["AE", "AU", "CA", "CH", "EU", "GB", "JP", "NO", "NZ", "SA", "SG", "US"]
        );
        let problems = RuleSet::problems_of(&rules);
        assert!(problems.is_empty(), "{problems:#?}");
        let eu = rules.iter().find(|r| r.version == "EU-2026-07-01").unwrap();
        assert_eq!(eu.countries.len(), 27);
        let tax = eu.tax.as_ref().unwrap();
        assert_eq!(tax.country_rates.len(), 27);
        for country in Country::eu_members() {
            let rate = tax.percent_for(*country, eu.valid_from).unwrap();
            let percent = rate.as_decimal();
            assert!(
                (17..=27).contains(&percent.trunc().mantissa()),
                "{country}: {rate}"
            );
        }
        assert_eq!(
            eu.flat_duty.as_ref().unwrap().per_subheading.to_string(),
            "3.00 EUR"
        );
    }

    #[test]
    fn problems_name_table_line_and_column() {
        let rules = format!(
            "{}\nXX-1,XX,ZZ,2026-13-01,,maybe,EUR,cfr,VAT,abc,,,,,,,,,src,\n",
            RULES_HEADER.join(",")
        );
        let thresholds = format!(
            "{}\nNOPE,1,intrinsic_value,at_most,duty,,false,,true,\n",
            THRESHOLDS_HEADER.join(",")
        );
        let err = parse_rule_tables(
            &rules,
            &thresholds,
            &TAX_RATES_HEADER.join(","),
            &FEES_HEADER.join(","),
        )
        .unwrap_err();
        let text: Vec<String> = err.iter().map(ToString::to_string).collect();
        let has = |needle: &str| text.iter().any(|t| t.contains(needle));
        assert!(has("rules.csv line 2, column countries"), "{text:#?}");
        assert!(has("rules.csv line 2, column valid_from"), "{text:#?}");
        assert!(has("rules.csv line 2, column verified"), "{text:#?}");
        assert!(has("rules.csv line 2, column valuation"), "{text:#?}");
        assert!(has("rules.csv line 2, column tax_percent"), "{text:#?}");
        assert!(has("thresholds.csv line 2, column version"), "{text:#?}");
        let err = parse_rule_tables("a,b\n", "", "", "").unwrap_err();
        assert!(err[0].to_string().contains("the header must be exactly"));
    }
}
