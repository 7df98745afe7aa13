//! The ECB's historical reference rates as CSV (`eurofxref-hist.csv`).
//!
//! ```text
//! Date,USD,JPY,BGN,CYP,...,ZAR,
//! 2026-10-30,1.1172,175.68,N/A,N/A,...,18.6455,
//! ```
//!
//! A header `Date` then currency codes; one line per business day, newest
//! first in the ECB's file (any order is accepted); `N/A` or an empty cell
//! where a currency had no rate; a trailing comma on every line (tolerated,
//! as is its absence). Blank lines, `\r\n` line ends, a leading byte-order
//! mark and blanks around cells are tolerated; nothing else is.

use std::collections::BTreeSet;

use super::ecb::{
    currency_column, date_cell, finish, rate_cell, value_error, Column, EcbDay, EcbRates,
};
use super::error::FxImportError;

/// Splits a line into trimmed cells, dropping the one empty cell a trailing
/// comma leaves.
fn cells(line: &str) -> Vec<&str> {
    let mut cells: Vec<&str> = line.split(',').map(|cell| cell.trim_matches(' ')).collect();
    if cells.len() > 1 && cells.last() == Some(&"") {
        cells.pop();
    }
    cells
}

/// Reads the ECB historical CSV. Days come back oldest first; withdrawn
/// currencies (not in ISO 4217 any more) are skipped and listed.
///
/// Errors, each with its line number: a header not starting with `Date`, a
/// code that is not three upper-case letters, a currency given twice, a
/// line with the wrong number of cells, a date that is not `YYYY-MM-DD`, a
/// date given twice, a rate that is not a positive plain decimal; and a
/// file without any day.
pub fn parse_ecb_csv(text: &str) -> Result<EcbRates, FxImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line))
        .filter(|(_, line)| !line.trim().is_empty());
    let Some((header_line, header)) = lines.next() else {
        return Err(FxImportError::Empty {
            reason: "the file is empty; expected a header \"Date,USD,JPY,…\" and one line per day",
        });
    };
    let names = cells(header);
    if names.first() != Some(&"Date") {
        return Err(FxImportError::Line {
            line: header_line,
            reason: format!(
                "expected a header starting with \"Date\", found {:?}",
                super::ecb::echo(header)
            ),
        });
    }
    let mut columns: Vec<Column<'_>> = Vec::with_capacity(names.len() - 1);
    let mut skipped_currencies = BTreeSet::new();
    for (position, &name) in names.iter().enumerate().skip(1) {
        let column = currency_column(name).map_err(|reason| {
            value_error(
                header_line,
                &format!("header cell {}", position + 1),
                name,
                reason,
            )
        })?;
        if names[1..position].contains(&name) {
            return Err(FxImportError::Line {
                line: header_line,
                reason: format!("currency {name} appears twice in the header"),
            });
        }
        if let Column::Skip(code) = column {
            skipped_currencies.insert(code.to_owned());
        }
        columns.push(column);
    }

    let mut days = Vec::new();
    for (line, content) in lines {
        let row = cells(content);
        if row.len() != names.len() {
            return Err(FxImportError::Line {
                line,
                reason: format!(
                    "expected {} cells (the date and {} currencies) but found {}",
                    names.len(),
                    columns.len(),
                    row.len()
                ),
            });
        }
        let date = date_cell(row[0]).map_err(|reason| value_error(line, "Date", row[0], reason))?;
        let mut rates = Vec::with_capacity(columns.len());
        for ((&cell, &name), &column) in row[1..].iter().zip(&names[1..]).zip(&columns) {
            let rate = rate_cell(cell).map_err(|reason| value_error(line, name, cell, reason))?;
            if let (Some(rate), Column::Keep(currency)) = (rate, column) {
                rates.push((currency, rate));
            }
        }
        days.push((EcbDay { date, rates }, line));
    }
    finish(
        days,
        skipped_currencies,
        "the file has a header but no day; expected lines such as \"2026-10-30,1.1172,…\"",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Date;
    use crate::money::{Currency, Rate};

    #[test]
    fn reads_days_oldest_first_skipping_na_and_withdrawn_currencies() {
        let text = "Date,USD,CYP,JPY,\n\
                    2026-10-30,1.1172,N/A,175.68,\n\
                    2026-10-29,1.113,,175.92,\n\
                    1999-01-04,1.1789,0.58231,133.73,\n";
        let parsed = parse_ecb_csv(text).unwrap();
        assert_eq!(
            parsed.skipped_currencies.iter().collect::<Vec<_>>(),
            ["CYP"]
        );
        let dates: Vec<String> = parsed.days.iter().map(|d| d.date.to_string()).collect();
        assert_eq!(dates, ["1999-01-04", "2026-10-29", "2026-10-30"]);
        assert_eq!(
            parsed.days[2],
            EcbDay {
                date: Date::parse("2026-10-30").unwrap(),
                rates: vec![
                    (Currency::USD, Rate::parse("1.1172").unwrap()),
                    (Currency::JPY, Rate::parse("175.68").unwrap()),
                ],
            }
        );
    }

    #[test]
    fn tolerates_crlf_bom_blank_lines_and_no_trailing_comma() {
        let text = "\u{feff}Date, USD, JPY\r\n\r\n2026-10-30, 1.1172, N/A\r\n";
        let parsed = parse_ecb_csv(text).unwrap();
        assert_eq!(parsed.days.len(), 1);
        assert_eq!(
            parsed.days[0].rates,
            [(Currency::USD, Rate::parse("1.1172").unwrap())]
        );
    }

    #[test]
    fn errors_name_line_column_and_reason() {
        let check = |text: &str, expected: &str| {
            let err = parse_ecb_csv(text).unwrap_err().to_string();
            assert_eq!(err, expected, "{text:?}");
        };
        check(
            "Date,USD,\n2026-10-30,1.1x,\n",
            "line 2, column USD, value \"1.1x\": not a rate: expected an optional '-', digits, and optionally '.' followed by digits, such as \"70.00\"",
        );
        check(
            "Date,USD,\n2026-10-30,0,\n",
            "line 2, column USD, value \"0\": a reference rate must be positive",
        );
        check(
            "Date,USD,\n2026-02-30,1.1,\n",
            "line 2, column Date, value \"2026-02-30\": no such day: February 2026 has 28 days",
        );
        check(
            "Date,USD,\n30/10/2026,1.1,\n",
            "line 2, column Date, value \"30/10/2026\": not a date: expected YYYY-MM-DD with four-digit year and two-digit month and day, such as \"2026-10-30\"",
        );
        check(
            "Date,USD,JPY,\n2026-10-30,1.1,\n",
            "line 2: expected 3 cells (the date and 2 currencies) but found 2",
        );
        check(
            "Date,USD,\n2026-10-30,1.1,\n2026-10-30,1.2,\n",
            "line 3: date 2026-10-30 was already given on line 2",
        );
        check(
            "Date,usd,\n",
            "line 1, column header cell 2, value \"usd\": expected a currency code of three upper-case letters, such as \"USD\"",
        );
        check(
            "Date,USD,USD,\n",
            "line 1: currency USD appears twice in the header",
        );
        check(
            "Day,USD,\n",
            "line 1: expected a header starting with \"Date\", found \"Day,USD,\"",
        );
        assert!(matches!(
            parse_ecb_csv(""),
            Err(FxImportError::Empty { .. })
        ));
        assert!(matches!(
            parse_ecb_csv("Date,USD,\n"),
            Err(FxImportError::Empty { .. })
        ));
        // A damaged value in a skipped column is still an error.
        check(
            "Date,CYP,\n2026-10-30,abc,\n",
            "line 2, column CYP, value \"abc\": not a rate: expected an optional '-', digits, and optionally '.' followed by digits, such as \"70.00\"",
        );
    }
}
