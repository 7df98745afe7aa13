//! The ECB's reference rates as XML (`eurofxref-daily.xml`, and the same
//! shape with many days in `eurofxref-hist.xml`).
//!
//! ```xml
//! <gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="…">
//!   <gesmes:subject>Reference rates</gesmes:subject>
//!   <Cube>
//!     <Cube time='2026-10-30'>
//!       <Cube currency='USD' rate='1.1172'/>
//!       …
//!     </Cube>
//!   </Cube>
//! </gesmes:Envelope>
//! ```
//!
//! A small reader for exactly this shape (no XML dependency): it checks that
//! tags nest and close, reads `Cube` elements by their local name whatever
//! the prefix, and ignores other elements, text, comments, processing
//! instructions and the document type. Entity references are not expanded:
//! the values read here (dates, codes, decimals) never contain any.

use std::collections::BTreeSet;

use super::ecb::{
    currency_column, date_cell, finish, rate_cell, value_error, Column, EcbDay, EcbRates,
};
use super::error::FxImportError;

/// One attribute `name='value'`.
struct Attribute<'a> {
    name: &'a str,
    value: &'a str,
}

enum Event<'a> {
    /// `<name attr…>` or, when `empty`, `<name attr…/>`; `at` is the byte offset of `<`.
    Open {
        name: &'a str,
        attributes: Vec<Attribute<'a>>,
        empty: bool,
        at: usize,
    },
    /// `</name>`.
    Close { name: &'a str, at: usize },
}

struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

/// A syntax error: byte offset and reason.
type ScanError = (usize, String);

impl<'a> Scanner<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    /// Skips past `end`, which must come; `what` names the construct for the error.
    fn skip_past(&mut self, end: &str, what: &str) -> Result<(), ScanError> {
        match self.rest().find(end) {
            Some(offset) => {
                self.pos += offset + end.len();
                Ok(())
            }
            None => Err((self.pos, format!("unterminated {what}"))),
        }
    }

    fn skip_blanks(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn name(&mut self) -> &'a str {
        let rest = self.rest();
        let len = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '/' | '>' | '=' | '<'))
            .unwrap_or(rest.len());
        self.pos += len;
        &rest[..len]
    }

    fn next_event(&mut self) -> Result<Option<Event<'a>>, ScanError> {
        loop {
            // Character data between tags is ignored.
            let Some(offset) = self.rest().find('<') else {
                self.pos = self.text.len();
                return Ok(None);
            };
            self.pos += offset;
            let at = self.pos;
            let rest = self.rest();
            if rest.starts_with("<?") {
                self.skip_past("?>", "processing instruction")?;
            } else if rest.starts_with("<!--") {
                self.skip_past("-->", "comment")?;
            } else if rest.starts_with("<![CDATA[") {
                self.skip_past("]]>", "CDATA section")?;
            } else if rest.starts_with("<!") {
                self.skip_past(">", "document type declaration")?;
            } else if rest.starts_with("</") {
                self.pos += 2;
                let name = self.name();
                self.skip_blanks();
                if name.is_empty() || !self.rest().starts_with('>') {
                    return Err((at, "malformed closing tag".into()));
                }
                self.pos += 1;
                return Ok(Some(Event::Close { name, at }));
            } else {
                self.pos += 1;
                let name = self.name();
                if name.is_empty() {
                    return Err((at, "'<' not followed by a tag name".into()));
                }
                let mut attributes = Vec::new();
                loop {
                    self.skip_blanks();
                    let rest = self.rest();
                    if rest.starts_with("/>") {
                        self.pos += 2;
                        return Ok(Some(Event::Open {
                            name,
                            attributes,
                            empty: true,
                            at,
                        }));
                    }
                    if rest.starts_with('>') {
                        self.pos += 1;
                        return Ok(Some(Event::Open {
                            name,
                            attributes,
                            empty: false,
                            at,
                        }));
                    }
                    attributes.push(self.attribute(name)?);
                }
            }
        }
    }

    fn attribute(&mut self, element: &str) -> Result<Attribute<'a>, ScanError> {
        let start = self.pos;
        let name = self.name();
        self.skip_blanks();
        if name.is_empty() || !self.rest().starts_with('=') {
            return Err((start, format!("malformed attribute in <{element}>")));
        }
        self.pos += 1;
        self.skip_blanks();
        let quote = match self.rest().chars().next() {
            Some(quote @ ('\'' | '"')) => quote,
            _ => {
                return Err((
                    start,
                    format!("attribute {name} of <{element}> is not quoted"),
                ))
            }
        };
        self.pos += 1;
        let rest = self.rest();
        let Some(len) = rest.find(quote) else {
            return Err((
                start,
                format!("attribute {name} of <{element}> is not closed"),
            ));
        };
        let value = &rest[..len];
        if value.contains('<') {
            return Err((
                start,
                format!("attribute {name} of <{element}> contains '<'"),
            ));
        }
        self.pos += len + 1;
        Ok(Attribute { name, value })
    }
}

fn local_name(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, local)| local)
}

fn line_at(text: &str, offset: usize) -> usize {
    text[..offset].bytes().filter(|&b| b == b'\n').count() + 1
}

/// The day being read: its rates so far, its line, and its depth in the tree.
struct OpenDay {
    day: EcbDay,
    line: usize,
    depth: usize,
}

/// Reads the ECB daily (or historical) XML. Days come back oldest first;
/// withdrawn currencies (not in ISO 4217 any more) are skipped and listed.
///
/// Errors, each with its line number: XML that does not nest or close, a
/// `Cube time` that is not `YYYY-MM-DD`, a date given twice, a rate `Cube`
/// outside a dated `Cube` or without `rate`, a currency given twice in a
/// day, a code that is not three upper-case letters, a rate that is not a
/// positive plain decimal; and a document without any dated `Cube`.
pub fn parse_ecb_daily_xml(text: &str) -> Result<EcbRates, FxImportError> {
    let mut scanner = Scanner { text, pos: 0 };
    let syntax = |(at, reason): ScanError| FxImportError::Line {
        line: line_at(text, at),
        reason,
    };
    let mut open: Vec<&str> = Vec::new();
    let mut current: Option<OpenDay> = None;
    let mut days = Vec::new();
    let mut skipped_currencies = BTreeSet::new();

    while let Some(event) = scanner.next_event().map_err(syntax)? {
        match event {
            Event::Close { name, at } => {
                match open.pop() {
                    Some(expected) if expected == name => {}
                    Some(expected) => {
                        return Err(syntax((
                            at,
                            format!("expected </{expected}>, found </{name}>"),
                        )));
                    }
                    None => return Err(syntax((at, format!("</{name}> closes nothing")))),
                }
                if current.as_ref().is_some_and(|day| day.depth == open.len()) {
                    if let Some(done) = current.take() {
                        days.push((done.day, done.line));
                    }
                }
            }
            Event::Open {
                name,
                attributes,
                empty,
                at,
            } => {
                let line = line_at(text, at);
                if local_name(name) == "Cube" {
                    let get = |wanted: &str| {
                        attributes
                            .iter()
                            .find(|attribute| attribute.name == wanted)
                            .map(|attribute| attribute.value)
                    };
                    if let Some(time) = get("time") {
                        if current.is_some() {
                            return Err(syntax((
                                at,
                                "a dated <Cube time=…> inside another".into(),
                            )));
                        }
                        let date = date_cell(time)
                            .map_err(|reason| value_error(line, "Cube@time", time, reason))?;
                        let day = EcbDay {
                            date,
                            rates: Vec::new(),
                        };
                        if empty {
                            days.push((day, line));
                        } else {
                            current = Some(OpenDay {
                                day,
                                line,
                                depth: open.len(),
                            });
                        }
                    } else if let Some(code) = get("currency") {
                        let Some(day) = current.as_mut() else {
                            return Err(syntax((
                                at,
                                format!("<Cube currency='{code}'> outside a dated <Cube time=…>"),
                            )));
                        };
                        let Some(rate_text) = get("rate") else {
                            return Err(syntax((
                                at,
                                format!("<Cube currency='{code}'> has no rate attribute"),
                            )));
                        };
                        let column = currency_column(code)
                            .map_err(|reason| value_error(line, "Cube@currency", code, reason))?;
                        let rate = rate_cell(rate_text)
                            .map_err(|reason| value_error(line, "Cube@rate", rate_text, reason))?;
                        match column {
                            Column::Skip(code) => {
                                skipped_currencies.insert(code.to_owned());
                            }
                            Column::Keep(currency) => {
                                if day.day.rates.iter().any(|&(c, _)| c == currency) {
                                    return Err(syntax((
                                        at,
                                        format!("{currency} is given twice for {}", day.day.date),
                                    )));
                                }
                                if let Some(rate) = rate {
                                    day.day.rates.push((currency, rate));
                                }
                            }
                        }
                    }
                }
                if !empty {
                    open.push(name);
                }
            }
        }
    }
    if let Some(unclosed) = open.last() {
        return Err(FxImportError::Line {
            line: line_at(text, text.len()),
            reason: format!("<{unclosed}> is never closed"),
        });
    }
    finish(
        days,
        skipped_currencies,
        "no <Cube time='YYYY-MM-DD'> element; this is not an ECB euro reference rate file",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Date;
    use crate::money::{Currency, Rate};

    const DAILY: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
	<gesmes:subject>Reference rates</gesmes:subject>
	<gesmes:Sender>
		<gesmes:name>European Central Bank</gesmes:name>
	</gesmes:Sender>
	<Cube>
		<Cube time='2026-10-30'>
			<Cube currency='USD' rate='1.0812'/>
			<Cube currency='JPY' rate='175.68'/>
			<Cube currency='BGN' rate='1.9558'/>
			<Cube currency="CNY" rate="7.4326" />
		</Cube>
	</Cube>
</gesmes:Envelope>
"#;

    #[test]
    fn reads_the_daily_file() {
        let parsed = parse_ecb_daily_xml(DAILY).unwrap();
        assert_eq!(parsed.days.len(), 1);
        let day = &parsed.days[0];
        assert_eq!(day.date, Date::parse("2026-10-30").unwrap());
        assert_eq!(
            day.rates,
            [
                (Currency::USD, Rate::parse("1.0812").unwrap()),
                (Currency::JPY, Rate::parse("175.68").unwrap()),
                (Currency::CNY, Rate::parse("7.4326").unwrap()),
            ]
        );
        assert_eq!(
            parsed.skipped_currencies.iter().collect::<Vec<_>>(),
            ["BGN"]
        );
    }

    #[test]
    fn reads_several_days_oldest_first() {
        let text = "<Envelope><!-- history --><Cube>\
            <Cube time=\"2026-10-30\"><Cube currency=\"USD\" rate=\"1.1172\"/></Cube>\
            <Cube time=\"2026-10-29\"><Cube currency=\"USD\" rate=\"1.113\"/></Cube>\
            <Cube time=\"2026-10-28\"/>\
            </Cube></Envelope>";
        let parsed = parse_ecb_daily_xml(text).unwrap();
        let dates: Vec<String> = parsed.days.iter().map(|d| d.date.to_string()).collect();
        assert_eq!(dates, ["2026-10-28", "2026-10-29", "2026-10-30"]);
        assert!(parsed.days[0].rates.is_empty());
    }

    #[test]
    fn errors_name_the_line_and_what_is_wrong() {
        let bad_rate = DAILY.replace("rate='175.68'", "rate='17,568'");
        let err = parse_ecb_daily_xml(&bad_rate).unwrap_err().to_string();
        assert!(
            err.starts_with("line 10, column Cube@rate, value \"17,568\": not a rate"),
            "{err}"
        );
        let bad_date = DAILY.replace("2026-10-30", "2026-10-32");
        let err = parse_ecb_daily_xml(&bad_date).unwrap_err().to_string();
        assert!(
            err.starts_with("line 8, column Cube@time, value \"2026-10-32\": no such day"),
            "{err}"
        );
        let unclosed = DAILY.replace("</gesmes:Envelope>", "");
        let err = parse_ecb_daily_xml(&unclosed).unwrap_err().to_string();
        assert!(err.contains("<gesmes:Envelope> is never closed"), "{err}");
        let crossed = DAILY.replace("\t</Cube>\n</gesmes", "\t</Cubes>\n</gesmes");
        let err = parse_ecb_daily_xml(&crossed).unwrap_err().to_string();
        assert!(err.contains("expected </Cube>, found </Cubes>"), "{err}");
        let twice = DAILY.replace("'JPY'", "'USD'");
        let err = parse_ecb_daily_xml(&twice).unwrap_err().to_string();
        assert_eq!(err, "line 10: USD is given twice for 2026-10-30");
        let outside = "<Cube><Cube currency='USD' rate='1.1'/></Cube>";
        let err = parse_ecb_daily_xml(outside).unwrap_err().to_string();
        assert!(err.contains("outside a dated"), "{err}");
        let no_rate = DAILY.replace("rate='1.0812'", "");
        let err = parse_ecb_daily_xml(&no_rate).unwrap_err().to_string();
        assert!(err.contains("has no rate attribute"), "{err}");
        let unquoted = DAILY.replace("rate='1.0812'", "rate=1.0812");
        let err = parse_ecb_daily_xml(&unquoted).unwrap_err().to_string();
        assert!(err.contains("not quoted"), "{err}");
        let err = parse_ecb_daily_xml("<html><body>Not found</body></html>").unwrap_err();
        assert!(matches!(err, FxImportError::Empty { .. }), "{err}");
        assert!(parse_ecb_daily_xml("<Cube time='2026-10-30'").is_err());
        assert!(parse_ecb_daily_xml("<!-- never closed").is_err());
    }
}
