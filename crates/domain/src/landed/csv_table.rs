//! Reading the landed module's CSV tables (seed rules, tariff lines): a
//! fixed header, then rows whose cells are picked by column name, with
//! every problem reported as line, column and reason.

use std::fmt;

use serde::Serialize;

/// A problem in a CSV table: the line (the header is line 1), the column
/// name (empty for a problem with the whole row or file) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CsvProblem {
    /// Which table, e.g. `"tariff"`, `"rules.csv"`.
    pub table: String,
    /// Line number, counting the header as line 1.
    pub line: usize,
    /// Column name; empty when the problem concerns the whole row.
    pub column: String,
    /// What is wrong, naming the value.
    pub reason: String,
}

impl fmt::Display for CsvProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.column.is_empty() {
            write!(f, "{} line {}: {}", self.table, self.line, self.reason)
        } else {
            write!(
                f,
                "{} line {}, column {}: {}",
                self.table, self.line, self.column, self.reason
            )
        }
    }
}

/// One data row: its line and cells in header order.
pub(crate) struct Row<'h> {
    pub(crate) line: usize,
    header: &'h [&'static str],
    cells: csv::StringRecord,
}

impl Row<'_> {
    /// The trimmed cell of `column` (a name from the header).
    pub(crate) fn get(&self, column: &str) -> &str {
        self.header
            .iter()
            .position(|c| *c == column)
            .and_then(|i| self.cells.get(i))
            .map_or("", str::trim)
    }
}

/// Reads `text` as CSV with exactly `header`; returns the rows, or every
/// structural problem (wrong header, wrong cell count, bad UTF-8).
pub(crate) fn read_table<'h>(
    table: &str,
    text: &str,
    header: &'h [&'static str],
) -> Result<Vec<Row<'h>>, Vec<CsvProblem>> {
    let problem = |line: usize, column: &str, reason: String| CsvProblem {
        table: table.to_owned(),
        line,
        column: column.to_owned(),
        reason,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let found: Vec<String> = match records.next() {
        Some(Ok(record)) => record.iter().map(|c| c.trim().to_owned()).collect(),
        Some(Err(e)) => return Err(vec![problem(1, "", format!("unreadable header: {e}"))]),
        None => return Err(vec![problem(1, "", "the file is empty".into())]),
    };
    let found_trimmed: Vec<&str> = found
        .iter()
        .map(|c| c.trim_start_matches('\u{feff}'))
        .collect();
    if found_trimmed != header {
        return Err(vec![problem(
            1,
            "",
            format!(
                "the header must be exactly {:?}, found {:?}",
                header.join(","),
                found_trimmed.join(",")
            ),
        )]);
    }
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for record in records {
        match record {
            Ok(cells) => {
                let line = cells.position().map_or(0, |p| p.line() as usize);
                if cells.len() == 1 && cells.get(0).is_some_and(|c| c.trim().is_empty()) {
                    continue;
                }
                if cells.len() != header.len() {
                    problems.push(problem(
                        line,
                        "",
                        format!("{} cells, the header has {}", cells.len(), header.len()),
                    ));
                    continue;
                }
                rows.push(Row {
                    line,
                    header,
                    cells,
                });
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                problems.push(problem(line, "", format!("unreadable row: {e}")));
            }
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

/// Quotes a cell for CSV output when needed.
pub(crate) fn cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) || text.starts_with(' ') || text.ends_with(' ') {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}
