//! Writing XML by hand, with escaping, and a small well-formedness check.
//!
//! The CEB messages are flat records of text elements, so a writer that
//! opens, closes and fills elements is all that is needed; no XML library.

/// The CEB namespace.
pub const CEB_NAMESPACE: &str = "http://www.chinaport.gov.cn/ceb";

/// Escapes `&`, `<`, `>`, `"` and `'` so the text can go in element
/// content or in a double- or single-quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// Whether XML 1.0 allows the character at all (tab, newline and carriage
/// return are the only control characters it allows).
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r')
        || matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// An indented XML document being written.
pub(crate) struct XmlWriter {
    out: String,
    open: Vec<&'static str>,
}

impl XmlWriter {
    /// Starts a UTF-8 document with its declaration.
    pub(crate) fn new() -> XmlWriter {
        XmlWriter {
            out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            open: Vec::new(),
        }
    }

    fn indent(&mut self) {
        for _ in 0..self.open.len() {
            self.out.push_str("  ");
        }
    }

    /// Opens `<name attr="value"…>`; the values are escaped.
    pub(crate) fn open_with(&mut self, name: &'static str, attributes: &[(&str, &str)]) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attributes {
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            self.out.push_str(&escape(value));
            self.out.push('"');
        }
        self.out.push_str(">\n");
        self.open.push(name);
    }

    /// Opens `<name>`.
    pub(crate) fn open(&mut self, name: &'static str) {
        self.open_with(name, &[]);
    }

    /// Closes the innermost open element.
    pub(crate) fn close(&mut self) {
        let name = self.open.pop().expect("close() matches an open()");
        self.indent();
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// Writes `<name>text</name>` with the text escaped.
    pub(crate) fn leaf(&mut self, name: &str, text: &str) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        self.out.push_str(&escape(text));
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// Writes the element when there is a value; leaves it out otherwise
    /// (the CEB schemas mark such elements `minOccurs="0"`).
    pub(crate) fn leaf_opt(&mut self, name: &str, text: Option<&str>) {
        if let Some(text) = text {
            self.leaf(name, text);
        }
    }

    /// The document; every element must have been closed.
    pub(crate) fn finish(self) -> String {
        debug_assert!(self.open.is_empty(), "unclosed {:?}", self.open);
        self.out
    }
}

/// Checks that `xml` is a well-formed document of the kind this module
/// writes: an optional `<?xml …?>` declaration, comments, one root
/// element, start/end tags that match, quoted attributes, and text whose
/// only `&` are the five predefined entities or character references.
/// DTDs, CDATA and processing instructions inside the root are refused.
///
/// The error names the byte offset and what was wrong. The web layer may
/// run it over a signer's output before sending; the tests run it over
/// every message.
pub fn check_well_formed(xml: &str) -> Result<(), String> {
    let bytes = xml.as_bytes();
    let mut at = 0;
    let mut open: Vec<&str> = Vec::new();
    let mut root_seen = false;
    if let Some(c) = xml.chars().find(|&c| !is_xml_char(c)) {
        return Err(format!(
            "character U+{:04X} is not allowed in XML",
            c as u32
        ));
    }
    if xml.starts_with("<?xml") {
        at = xml.find("?>").ok_or("unterminated XML declaration")? + 2;
    }
    while at < bytes.len() {
        if bytes[at] != b'<' {
            let end = xml[at..].find('<').map_or(bytes.len(), |i| at + i);
            let text = &xml[at..end];
            if open.is_empty() && !text.trim().is_empty() {
                return Err(format!("text outside the root element at byte {at}"));
            }
            check_text(text, at)?;
            at = end;
            continue;
        }
        let rest = &xml[at..];
        if rest.starts_with("<!--") {
            at += rest
                .find("-->")
                .ok_or(format!("unterminated comment at byte {at}"))?
                + 3;
        } else if rest.starts_with("<!") || rest.starts_with("<?") {
            return Err(format!(
                "DTD, CDATA or processing instruction at byte {at} is not expected"
            ));
        } else if let Some(tail) = rest.strip_prefix("</") {
            let end = tail
                .find('>')
                .ok_or(format!("unterminated end tag at byte {at}"))?;
            let name = tail[..end].trim_end();
            match open.pop() {
                Some(expected) if expected == name => {}
                Some(expected) => {
                    return Err(format!(
                        "</{name}> at byte {at} closes <{expected}>, which is still open"
                    ))
                }
                None => return Err(format!("</{name}> at byte {at} closes nothing")),
            }
            at += 2 + end + 1;
        } else {
            if open.is_empty() && root_seen {
                return Err(format!("second root element at byte {at}"));
            }
            let (name, self_closing, length) = start_tag(rest, at)?;
            root_seen = true;
            if !self_closing {
                open.push(name);
            }
            at += length;
        }
    }
    if let Some(name) = open.last() {
        return Err(format!("<{name}> is never closed"));
    }
    if !root_seen {
        return Err("no root element".into());
    }
    Ok(())
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':')
}

/// Reads a start tag at the beginning of `tag`: its name, whether it is
/// self-closing, and its length in bytes.
fn start_tag(tag: &str, at: usize) -> Result<(&str, bool, usize), String> {
    let body = &tag[1..];
    let name_len = body
        .find(|c: char| !is_name_char(c))
        .ok_or(format!("unterminated start tag at byte {at}"))?;
    let name = &body[..name_len];
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.') {
        return Err(format!("bad element name at byte {at}"));
    }
    let mut i = name_len;
    let mut seen = Vec::new();
    loop {
        let rest = &body[i..];
        let trimmed = rest.trim_start();
        let spaced = trimmed.len() < rest.len();
        i += rest.len() - trimmed.len();
        if let Some(after) = trimmed.strip_prefix("/>") {
            let _ = after;
            return Ok((name, true, 1 + i + 2));
        }
        if trimmed.starts_with('>') {
            return Ok((name, false, 1 + i + 1));
        }
        if trimmed.is_empty() {
            return Err(format!("unterminated start tag <{name}> at byte {at}"));
        }
        if !spaced {
            return Err(format!(
                "attributes of <{name}> at byte {at} need a space before them"
            ));
        }
        let key_len = trimmed
            .find(|c: char| !is_name_char(c))
            .unwrap_or(trimmed.len());
        let key = &trimmed[..key_len];
        if key.is_empty() {
            return Err(format!("bad attribute in <{name}> at byte {at}"));
        }
        if seen.contains(&key) {
            return Err(format!("attribute {key} twice in <{name}> at byte {at}"));
        }
        seen.push(key);
        let after_key = trimmed[key_len..].trim_start();
        let Some(after_eq) = after_key.strip_prefix('=') else {
            return Err(format!(
                "attribute {key} of <{name}> at byte {at} has no value"
            ));
        };
        let after_eq = after_eq.trim_start();
        let quote = after_eq
            .chars()
            .next()
            .filter(|&q| q == '"' || q == '\'')
            .ok_or(format!(
                "attribute {key} of <{name}> at byte {at} is not quoted"
            ))?;
        let value_len = after_eq[1..].find(quote).ok_or(format!(
            "attribute {key} of <{name}> at byte {at} is not closed"
        ))?;
        let value = &after_eq[1..1 + value_len];
        if value.contains('<') {
            return Err(format!("'<' in attribute {key} of <{name}> at byte {at}"));
        }
        check_text(value, at)?;
        let consumed = trimmed.len() - after_eq.len() + 1 + value_len + 1;
        i += consumed;
    }
}

/// Text may not hold `<` (the caller stops there) or a bare `&`, nor `]]>`.
fn check_text(text: &str, at: usize) -> Result<(), String> {
    if text.contains("]]>") {
        return Err(format!("\"]]>\" in text near byte {at}"));
    }
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        let after = &rest[amp + 1..];
        let end = after
            .find(';')
            .ok_or(format!("bare '&' in text near byte {at}"))?;
        let entity = &after[..end];
        let known = matches!(entity, "amp" | "lt" | "gt" | "quot" | "apos")
            || entity
                .strip_prefix("#x")
                .is_some_and(|hex| !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()))
            || entity
                .strip_prefix('#')
                .is_some_and(|dec| !dec.is_empty() && dec.bytes().all(|b| b.is_ascii_digit()));
        if !known {
            return Err(format!("unknown entity &{entity}; near byte {at}"));
        }
        rest = &after[end + 1..];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"Tom & Jerry <toys> "quoted" 'single'"#),
            "Tom &amp; Jerry &lt;toys&gt; &quot;quoted&quot; &apos;single&apos;"
        );
        assert_eq!(escape("灯具 LED"), "灯具 LED");
    }

    #[test]
    fn the_writer_makes_well_formed_documents() {
        let mut w = XmlWriter::new();
        w.open_with(
            "ceb:Root",
            &[("guid", "a\"b"), ("xmlns:ceb", CEB_NAMESPACE)],
        );
        w.open("ceb:Head");
        w.leaf("ceb:name", "A & B <C>");
        w.leaf_opt("ceb:note", None);
        w.close();
        w.close();
        let xml = w.finish();
        assert!(
            xml.contains("<ceb:name>A &amp; B &lt;C&gt;</ceb:name>"),
            "{xml}"
        );
        assert!(!xml.contains("ceb:note"));
        assert!(xml.contains("guid=\"a&quot;b\""));
        check_well_formed(&xml).unwrap();
    }

    #[test]
    fn the_check_finds_what_is_broken() {
        for good in [
            "<a/>",
            "<?xml version=\"1.0\"?>\n<a x='1' y=\"2\"><b>t &amp; &#38; &#x26;</b><!-- c --></a>\n",
        ] {
            check_well_formed(good).unwrap();
        }
        for (bad, why) in [
            ("", "no root"),
            ("<a>", "never closed"),
            ("<a></b>", "closes <a>"),
            ("<a><b></a></b>", "closes <b>"),
            ("</a>", "closes nothing"),
            ("<a/><b/>", "second root"),
            ("<a>A & B</a>", "bare '&'"),
            ("<a>&nbsp;</a>", "unknown entity"),
            ("<a x=1/>", "not quoted"),
            ("<a x=\"1\" x=\"2\"/>", "twice"),
            ("<a x=\"<\"/>", "'<' in attribute"),
            ("text<a/>", "outside the root"),
            ("<a>\u{1}</a>", "not allowed"),
            ("<a><![CDATA[x]]></a>", "CDATA"),
        ] {
            let err = check_well_formed(bad).unwrap_err();
            assert!(err.contains(why), "{bad:?}: {err}");
        }
    }
}
