//! The HS nomenclature: chapters, headings and subheadings with their
//! descriptions, read from the CSV format of UN Comtrade's HS 2022 list
//! (`hs2022-nomenclature.csv`, datasets/harmonized-system, ODC-PDDL-1.0),
//! and an in-memory index to look codes up and search them.
//!
//! The file's columns are `section,hscode,description,parent,level`:
//!
//! | level | hscode | parent | what |
//! |---|---|---|---|
//! | 2 | `94` | `TOTAL` | chapter |
//! | 4 | `9405` | `94` | heading |
//! | 6 | `940542` | `9405` | subheading |
//! | 5 | `TOTAL` | `TOTAL` | the root ("Total of all HS2022 commodities"), skipped |
//!
//! `section` is the Roman numeral of the HS section (`I`…`XXI`). The file
//! also carries Comtrade's reporting code `99` / `9999` / `999999`
//! ("Commodities not specified according to kind") in section `TOTAL`: it
//! is kept, so the counts are the published 97 chapters, 1,229 headings and
//! 5,613 subheadings, but it is not a declarable code
//! ([`HsEntry::is_reporting_only`], [`HsCodeLookup`]).

use std::collections::HashMap;
use std::io::Read;

use super::hs::HsCode;

/// The depth of an entry in the nomenclature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HsLevel {
    /// Two digits, e.g. `94`.
    Chapter,
    /// Four digits, e.g. `9405`.
    Heading,
    /// Six digits, e.g. `940542`.
    Subheading,
}

impl HsLevel {
    /// How many digits a code of this level has (2, 4 or 6).
    pub fn digits(self) -> usize {
        match self {
            HsLevel::Chapter => 2,
            HsLevel::Heading => 4,
            HsLevel::Subheading => 6,
        }
    }
}

/// One chapter, heading or subheading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HsEntry {
    /// The HS section as a Roman numeral (`"XX"`), or `"TOTAL"` for Comtrade's reporting code.
    pub section: String,
    /// The code's digits: 2, 4 or 6 of them.
    pub code: String,
    /// The English description, e.g. "Luminaires and light fittings; …".
    pub description: String,
    /// The parent's code: `None` for a chapter, the chapter for a heading,
    /// the heading for a subheading.
    pub parent: Option<String>,
    /// Chapter, heading or subheading.
    pub level: HsLevel,
}

impl HsEntry {
    /// Whether this is Comtrade's reporting code `99`/`9999`/`999999`
    /// (section `TOTAL`), which no customs declaration may use.
    pub fn is_reporting_only(&self) -> bool {
        self.section == "TOTAL"
    }
}

/// Why an HS nomenclature file was refused: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {reason}")]
pub struct HsImportError {
    /// 1-based line of the file where the record starts (the header is line 1).
    pub line: u64,
    /// The column's name (`hscode`, `level`…), or `"-"` for the record as a whole.
    pub column: String,
    /// What is wrong, in English.
    pub reason: String,
}

impl HsImportError {
    fn new(line: u64, column: &str, reason: impl Into<String>) -> Self {
        HsImportError {
            line,
            column: column.to_owned(),
            reason: reason.into(),
        }
    }
}

const COLUMNS: [&str; 5] = ["section", "hscode", "description", "parent", "level"];

/// Reads a nomenclature in the format of `hs2022-nomenclature.csv` and
/// checks it: the header, digits matching the level, each parent being the
/// code's prefix and present in the file, no duplicate codes.
///
/// Stops at the first problem. The root row (`TOTAL`, level 5) is skipped.
/// A UTF-8 byte-order mark before the header is allowed.
pub fn parse_hs_csv<R: Read>(reader: R) -> Result<Vec<HsEntry>, HsImportError> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut record = csv::StringRecord::new();
    let read = |csv: &mut csv::Reader<R>, record: &mut csv::StringRecord| {
        csv.read_record(record).map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            HsImportError::new(line, "-", format!("unreadable CSV: {e}"))
        })
    };
    if !read(&mut csv, &mut record)? {
        return Err(HsImportError::new(
            1,
            "-",
            "the file is empty; expected the header section,hscode,description,parent,level",
        ));
    }
    let header: Vec<&str> = record
        .iter()
        .enumerate()
        .map(|(i, h)| {
            if i == 0 {
                h.trim_start_matches('\u{feff}')
            } else {
                h
            }
        })
        .collect();
    if header != COLUMNS {
        return Err(HsImportError::new(
            1,
            "-",
            format!(
                "the header is {:?}; expected section,hscode,description,parent,level",
                header.join(",")
            ),
        ));
    }

    let mut entries = Vec::with_capacity(8_000);
    let mut lines: HashMap<String, u64> = HashMap::with_capacity(8_000);
    while read(&mut csv, &mut record)? {
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != COLUMNS.len() {
            return Err(HsImportError::new(
                line,
                "-",
                format!(
                    "the record has {} fields; expected 5 (a quote may be unclosed)",
                    record.len()
                ),
            ));
        }
        let (section, code, description, parent, level) =
            (&record[0], &record[1], &record[2], &record[3], &record[4]);
        if code == "TOTAL" && level == "5" {
            continue;
        }
        let level = match level {
            "2" => HsLevel::Chapter,
            "4" => HsLevel::Heading,
            "6" => HsLevel::Subheading,
            other => {
                return Err(HsImportError::new(
                    line,
                    "level",
                    format!("level {other:?} is not 2, 4 or 6 (5 only for the TOTAL root)"),
                ))
            }
        };
        if code.len() != level.digits() || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(HsImportError::new(
                line,
                "hscode",
                format!(
                    "code {code:?} must be {} digits for level {}",
                    level.digits(),
                    level.digits()
                ),
            ));
        }
        if section.trim().is_empty() {
            return Err(HsImportError::new(line, "section", "the section is empty"));
        }
        if description.trim().is_empty() {
            return Err(HsImportError::new(
                line,
                "description",
                "the description is empty",
            ));
        }
        let parent = match level {
            HsLevel::Chapter if parent == "TOTAL" => None,
            HsLevel::Chapter => {
                return Err(HsImportError::new(
                    line,
                    "parent",
                    format!("a chapter's parent must be TOTAL, not {parent:?}"),
                ))
            }
            _ if parent == &code[..code.len() - 2] => Some(parent.to_owned()),
            _ => {
                return Err(HsImportError::new(
                    line,
                    "parent",
                    format!(
                        "parent {parent:?} of {code} must be {}",
                        &code[..code.len() - 2]
                    ),
                ))
            }
        };
        if let Some(first) = lines.insert(code.to_owned(), line) {
            return Err(HsImportError::new(
                line,
                "hscode",
                format!("code {code} appears twice (first on line {first})"),
            ));
        }
        entries.push(HsEntry {
            section: section.to_owned(),
            code: code.to_owned(),
            description: description.to_owned(),
            parent,
            level,
        });
    }
    for entry in &entries {
        if let Some(parent) = &entry.parent {
            if !lines.contains_key(parent) {
                return Err(HsImportError::new(
                    lines[&entry.code],
                    "parent",
                    format!("parent {parent} of {} is not in the file", entry.code),
                ));
            }
        }
    }
    Ok(entries)
}

/// Answers whether an HS code may be used on a product and in a customs
/// declaration. Implemented by [`HsNomenclature`] and by any
/// `Fn(HsCode) -> bool` (e.g. a set loaded from the database).
pub trait HsCodeLookup {
    /// Whether `code` is a subheading of the nomenclature that a
    /// declaration may use.
    fn is_declarable(&self, code: HsCode) -> bool;
}

impl<F: Fn(HsCode) -> bool> HsCodeLookup for F {
    fn is_declarable(&self, code: HsCode) -> bool {
        self(code)
    }
}

/// The nomenclature held in memory, sorted by code, for lookups and search.
///
/// Sorting by code puts each chapter before its headings and each heading
/// before its subheadings, so a prefix search is one contiguous run.
#[derive(Debug, Clone)]
pub struct HsNomenclature {
    entries: Vec<HsEntry>,
    /// Each description in lower case, for word search (same order as `entries`).
    lowercase: Vec<String>,
}

impl HsNomenclature {
    /// Indexes entries (as returned by [`parse_hs_csv`]).
    pub fn new(mut entries: Vec<HsEntry>) -> HsNomenclature {
        entries.sort_by(|a, b| a.code.cmp(&b.code));
        entries.dedup_by(|a, b| a.code == b.code);
        let lowercase = entries
            .iter()
            .map(|e| e.description.to_lowercase())
            .collect();
        HsNomenclature { entries, lowercase }
    }

    /// Reads and indexes a nomenclature CSV in one step.
    pub fn from_csv<R: Read>(reader: R) -> Result<HsNomenclature, HsImportError> {
        parse_hs_csv(reader).map(HsNomenclature::new)
    }

    /// Every entry, sorted by code.
    pub fn entries(&self) -> &[HsEntry] {
        &self.entries
    }

    /// How many entries of `level` there are.
    pub fn count(&self, level: HsLevel) -> usize {
        self.entries.iter().filter(|e| e.level == level).count()
    }

    /// The entry for a chapter, heading or subheading code; `"9405.42"` and
    /// `"9405 42"` work as well as `"940542"`.
    pub fn get(&self, code: &str) -> Option<&HsEntry> {
        let code = normalise(code)?;
        self.entries
            .binary_search_by(|e| e.code.as_str().cmp(&code))
            .ok()
            .map(|i| &self.entries[i])
    }

    /// The subheading entry for an [`HsCode`].
    pub fn subheading(&self, code: HsCode) -> Option<&HsEntry> {
        self.get(code.as_str())
    }

    /// Chapter, heading and subheading of `code`, e.g. for `940542`:
    /// `94` → `9405` → `940542`. `None` if any of them is missing.
    pub fn path(&self, code: HsCode) -> Option<[&HsEntry; 3]> {
        Some([
            self.get(code.chapter())?,
            self.get(code.heading())?,
            self.get(code.as_str())?,
        ])
    }

    /// Entries whose code starts with `prefix` (digits; dots and spaces are
    /// ignored), in code order, at most `limit` of them. An empty or
    /// non-numeric prefix finds nothing.
    pub fn search_prefix(&self, prefix: &str, limit: usize) -> Vec<&HsEntry> {
        let Some(prefix) = normalise(prefix) else {
            return Vec::new();
        };
        if prefix.is_empty() {
            return Vec::new();
        }
        let start = self
            .entries
            .partition_point(|e| e.code.as_str() < prefix.as_str());
        self.entries[start..]
            .iter()
            .take_while(|e| e.code.starts_with(&prefix))
            .take(limit)
            .collect()
    }

    /// Entries whose description contains every word of `query`, in code
    /// order, at most `limit` of them.
    ///
    /// Case-insensitive; a query word matches a description word that
    /// starts with it (`lamp` finds "lamps", `led` does not find "needled").
    /// Words are runs of letters and digits. An empty query finds nothing.
    pub fn search_words(&self, query: &str, limit: usize) -> Vec<&HsEntry> {
        let query = query.to_lowercase();
        let wanted: Vec<&str> = words(&query).collect();
        if wanted.is_empty() {
            return Vec::new();
        }
        self.entries
            .iter()
            .zip(&self.lowercase)
            .filter(|(_, text)| wanted.iter().all(|w| words(text).any(|t| t.starts_with(w))))
            .map(|(entry, _)| entry)
            .take(limit)
            .collect()
    }
}

impl HsCodeLookup for HsNomenclature {
    /// A subheading present in the nomenclature and not Comtrade's
    /// reporting code `999999`.
    fn is_declarable(&self, code: HsCode) -> bool {
        self.subheading(code)
            .is_some_and(|e| !e.is_reporting_only())
    }
}

/// Digits of a code with dots and spaces removed; `None` if anything else is in it.
fn normalise(code: &str) -> Option<String> {
    let mut digits = String::with_capacity(6);
    for c in code.trim().chars() {
        match c {
            '0'..='9' => digits.push(c),
            '.' | ' ' => {}
            _ => return None,
        }
    }
    Some(digits)
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}
