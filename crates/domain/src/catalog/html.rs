//! Product descriptions as sanitised HTML: an allowlist of formatting tags,
//! everything else dropped, text re-escaped.
//!
//! Descriptions arrive from other shops' exports and from sellers' editors,
//! and are shown on storefronts, so they must never carry script. The
//! sanitiser does not try to repair or mirror a browser's parse: it reads
//! the input leniently and writes a fresh document that contains only
//!
//! - text, with `&`, `<`, `>` escaped (entities are decoded first, so
//!   `&#x3C;script&#x3E;` stays text);
//! - `p br strong b em i u ul ol li h2 h3 h4 blockquote`, without attributes;
//! - `a` with an `href` whose scheme is `http`, `https` or `mailto`, written
//!   back with `rel="nofollow noopener"` and no other attribute.
//!
//! Other tags are dropped but their text is kept (a dropped block such as
//! `div` or `td` leaves a space so words do not run together); the contents
//! of `script`, `style`, `iframe`, `svg` and similar elements are dropped
//! whole; comments, doctypes and processing instructions are dropped;
//! unclosed tags are closed. The output is idempotent:
//! sanitising it again gives it back unchanged.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::html_entities::decode_into;

/// HTML that went through [`sanitize_description_html`]; it can only be
/// made that way (deserialising sanitises too), so a value that exists is safe
/// to put on a page as it is.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct SanitizedHtml(String);

impl SanitizedHtml {
    /// An empty description.
    pub fn empty() -> SanitizedHtml {
        SanitizedHtml(String::new())
    }

    /// The sanitised markup.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether there is no markup at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for SanitizedHtml {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for SanitizedHtml {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SanitizedHtml({:?})", self.0)
    }
}

impl Serialize for SanitizedHtml {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SanitizedHtml {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(sanitize_description_html(&text))
    }
}

/// Tags written to the output (`a` only with a safe `href`).
const ALLOWED: [&str; 15] = [
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "a",
];

/// Elements dropped together with everything up to their end tag.
const DROPPED_WITH_CONTENT: [&str; 16] = [
    "script",
    "style",
    "template",
    "iframe",
    "object",
    "noscript",
    "noembed",
    "noframes",
    "xmp",
    "textarea",
    "title",
    "svg",
    "math",
    "select",
    "head",
    "plaintext",
];

/// Dropped tags that separate words, so a space is left in their place.
const SEPARATING: [&str; 32] = [
    "div",
    "section",
    "article",
    "header",
    "footer",
    "aside",
    "nav",
    "main",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "td",
    "th",
    "caption",
    "h1",
    "h5",
    "h6",
    "dl",
    "dt",
    "dd",
    "hr",
    "figure",
    "figcaption",
    "address",
    "pre",
    "center",
    "form",
    "fieldset",
    "details",
    "summary",
];

/// Opening one of these closes an open `p`, as in HTML.
const CLOSES_P: [&str; 8] = ["p", "ul", "ol", "li", "h2", "h3", "h4", "blockquote"];

/// Deepest nesting written; deeper tags are dropped (their text is kept).
const MAX_DEPTH: usize = 32;

/// Longest `href` kept, in bytes.
const MAX_HREF_BYTES: usize = 2048;

/// Sanitises a product description (see the module documentation).
pub fn sanitize_description_html(input: &str) -> SanitizedHtml {
    let mut writer = Writer {
        out: String::with_capacity(input.len()),
        open: Vec::new(),
        pending_space: false,
    };
    let bytes = input.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let Some(offset) = input[i..].find('<') else {
            writer.text(&input[i..]);
            break;
        };
        writer.text(&input[i..i + offset]);
        i += offset;
        i = match markup(input, i) {
            Markup::Start {
                name,
                attributes,
                end,
            } => {
                if DROPPED_WITH_CONTENT.contains(&name.as_str()) {
                    skip_element_content(input, end, &name)
                } else {
                    writer.start(&name, &attributes);
                    end
                }
            }
            Markup::End { name, end } => {
                writer.end(&name);
                end
            }
            Markup::Ignored { end } => end,
            Markup::Text => {
                writer.text("<");
                i + 1
            }
        };
    }
    writer.finish();
    SanitizedHtml(writer.out)
}

/// The output document and the allowed elements open in it.
struct Writer {
    out: String,
    open: Vec<&'static str>,
    /// A dropped block element stood here: write a space before what comes
    /// next (never at the end, so none trails).
    pending_space: bool,
}

impl Writer {
    /// Writes text, decoding entities and escaping what must be.
    fn text(&mut self, raw: &str) {
        let mut pending = std::mem::take(&mut self.pending_space);
        let out = &mut self.out;
        decode_into(raw, |c| {
            if pending && !c.is_whitespace() {
                out.push(' ');
            }
            pending = false;
            push_escaped(out, c, false);
        });
        self.pending_space = pending;
    }

    fn flush_space(&mut self) {
        if std::mem::take(&mut self.pending_space) {
            self.out.push(' ');
        }
    }

    fn start(&mut self, name: &str, attributes: &[(String, String)]) {
        let Some(&tag) = ALLOWED.iter().find(|t| **t == name) else {
            if SEPARATING.contains(&name) {
                self.separate();
            }
            return;
        };
        self.flush_space();
        if tag == "br" {
            self.out.push_str("<br>");
            return;
        }
        if CLOSES_P.contains(&tag) {
            self.close_through("p", &["li", "blockquote"]);
        }
        match tag {
            "li" => self.close_through("li", &["ul", "ol"]),
            "a" => self.close_through("a", &[]),
            "h2" | "h3" | "h4" => {
                for heading in ["h2", "h3", "h4"] {
                    self.close_through(heading, &[]);
                }
            }
            _ => {}
        }
        if self.open.len() >= MAX_DEPTH {
            return;
        }
        if tag == "a" {
            let href = attributes
                .iter()
                .find(|(n, _)| n == "href")
                .and_then(|(_, v)| safe_href(v));
            let Some(href) = href else {
                return;
            };
            self.out.push_str("<a href=\"");
            for c in href.chars() {
                push_escaped(&mut self.out, c, true);
            }
            self.out.push_str("\" rel=\"nofollow noopener\">");
        } else {
            self.out.push('<');
            self.out.push_str(tag);
            self.out.push('>');
        }
        self.open.push(tag);
    }

    fn end(&mut self, name: &str) {
        if SEPARATING.contains(&name) {
            self.separate();
        }
        if let Some(&tag) = ALLOWED.iter().find(|t| **t == name) {
            self.close_through(tag, &[]);
        }
    }

    /// Closes the innermost open `tag` and everything inside it, unless one
    /// of `barriers` is open inside it (a `li` in a nested list does not
    /// close the outer list's `li`).
    fn close_through(&mut self, tag: &str, barriers: &[&str]) {
        let Some(index) = self.open.iter().rposition(|t| *t == tag) else {
            return;
        };
        if self.open[index + 1..].iter().any(|t| barriers.contains(t)) {
            return;
        }
        while self.open.len() > index {
            let closed = self.open.pop().expect("index is within the stack");
            self.out.push_str("</");
            self.out.push_str(closed);
            self.out.push('>');
        }
    }

    /// Leaves a space where a dropped block element stood.
    fn separate(&mut self) {
        if self.out.chars().last().is_some_and(|c| !c.is_whitespace()) {
            self.pending_space = true;
        }
    }

    fn finish(&mut self) {
        while let Some(tag) = self.open.pop() {
            self.out.push_str("</");
            self.out.push_str(tag);
            self.out.push('>');
        }
    }
}

/// What starts at a `<`.
enum Markup {
    /// `<name attr=…>`: lower-cased name, attributes (names lower-cased,
    /// values with entities decoded), and the index after `>`.
    Start {
        name: String,
        attributes: Vec<(String, String)>,
        end: usize,
    },
    /// `</name …>`.
    End { name: String, end: usize },
    /// A comment, doctype, processing instruction, bogus or unterminated tag.
    Ignored { end: usize },
    /// A `<` that starts no markup (`a < b`, `<3`): it is text.
    Text,
}

/// Reads the markup starting at `input[at] == '<'`.
fn markup(input: &str, at: usize) -> Markup {
    let bytes = input.as_bytes();
    let next = bytes.get(at + 1).copied();
    match next {
        Some(b) if b.is_ascii_alphabetic() => {
            let (name, after_name) = tag_name(input, at + 1);
            match attributes(input, after_name) {
                Some((attributes, end)) => Markup::Start {
                    name,
                    attributes,
                    end,
                },
                None => Markup::Ignored { end: input.len() },
            }
        }
        Some(b'/') => match bytes.get(at + 2) {
            Some(b) if b.is_ascii_alphabetic() => {
                let (name, after_name) = tag_name(input, at + 2);
                match attributes(input, after_name) {
                    Some((_, end)) => Markup::End { name, end },
                    None => Markup::Ignored { end: input.len() },
                }
            }
            Some(b'>') => Markup::Ignored { end: at + 3 },
            None => Markup::Text,
            Some(_) => Markup::Ignored {
                end: after_gt(input, at + 2),
            },
        },
        Some(b'!') if input[at..].starts_with("<!--") => Markup::Ignored {
            end: comment_end(input, at + 4),
        },
        Some(b'!') | Some(b'?') => Markup::Ignored {
            end: after_gt(input, at + 2),
        },
        _ => Markup::Text,
    }
}

/// A tag name from `start` up to whitespace, `/` or `>`, lower-cased.
fn tag_name(input: &str, start: usize) -> (String, usize) {
    let end = input[start..]
        .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
        .map_or(input.len(), |n| start + n);
    (input[start..end].to_ascii_lowercase(), end)
}

/// Reads attributes up to the closing `>`; `None` if the input ends first
/// (an unterminated tag, which browsers drop too).
fn attributes(input: &str, mut i: usize) -> Option<(Vec<(String, String)>, usize)> {
    let bytes = input.as_bytes();
    let mut found = Vec::new();
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        match bytes.get(i) {
            None => return None,
            Some(b'>') => return Some((found, i + 1)),
            Some(_) => {}
        }
        let name_start = i;
        i += 1; // a leading '=' belongs to the name, as in HTML
        while i < bytes.len()
            && !matches!(bytes[i], b'=' | b'>' | b'/')
            && !bytes[i].is_ascii_whitespace()
        {
            i += 1;
        }
        let name = input[name_start..i].to_ascii_lowercase();
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if bytes.get(i) == Some(&b'=') {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            let raw = match bytes.get(i) {
                None => return None,
                Some(&quote @ (b'"' | b'\'')) => {
                    let close = input[i + 1..].find(quote as char)? + i + 1;
                    let raw = &input[i + 1..close];
                    i = close + 1;
                    raw
                }
                Some(_) => {
                    let start = i;
                    while i < bytes.len() && bytes[i] != b'>' && !bytes[i].is_ascii_whitespace() {
                        i += 1;
                    }
                    &input[start..i]
                }
            };
            decode_into(raw, |c| value.push(c));
        }
        found.push((name, value));
    }
}

/// The index after the next `>` at or after `from` (or the end).
fn after_gt(input: &str, from: usize) -> usize {
    input[from.min(input.len())..]
        .find('>')
        .map_or(input.len(), |n| from + n + 1)
}

/// The index after a comment whose text starts at `from` (after `<!--`).
/// `<!-->` and `<!--->` end at once; otherwise `-->` or `--!>` ends it.
fn comment_end(input: &str, from: usize) -> usize {
    let rest = &input[from.min(input.len())..];
    if rest.starts_with('>') {
        return from + 1;
    }
    if rest.starts_with("->") {
        return from + 2;
    }
    let a = rest.find("-->").map(|n| n + 3);
    let b = rest.find("--!>").map(|n| n + 4);
    match (a, b) {
        (Some(a), Some(b)) => from + a.min(b),
        (Some(n), None) | (None, Some(n)) => from + n,
        (None, None) => input.len(),
    }
}

/// Skips the content of a dropped element up to and including its end tag
/// (matched case-insensitively), or to the end of the input.
fn skip_element_content(input: &str, from: usize, name: &str) -> usize {
    let bytes = input.as_bytes();
    let mut i = from;
    while let Some(n) = input[i..].find("</") {
        let start = i + n + 2;
        let end = start + name.len();
        if end <= bytes.len()
            && bytes[start..end].eq_ignore_ascii_case(name.as_bytes())
            && bytes
                .get(end)
                .is_none_or(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>')
        {
            return after_gt(input, end);
        }
        i = start;
    }
    input.len()
}

/// Keeps an `href` only if it is an absolute `http`, `https` or `mailto`
/// URL. Tabs and line breaks are removed (browsers ignore them, so
/// `java\tscript:` must not slip through as something else), spaces are
/// percent-encoded, other control characters refuse the URL. The scheme is
/// lower-cased; the result is exactly what gets written.
fn safe_href(value: &str) -> Option<String> {
    let trimmed = value.trim_matches(|c: char| c.is_ascii_whitespace() || c.is_control());
    let mut url = String::with_capacity(trimmed.len());
    for c in trimmed.chars() {
        match c {
            '\t' | '\n' | '\r' => {}
            ' ' => url.push_str("%20"),
            c if c.is_control() => return None,
            c => url.push(c),
        }
    }
    if url.len() > MAX_HREF_BYTES {
        return None;
    }
    let colon = url.find(':')?;
    let scheme = url[..colon].to_ascii_lowercase();
    let rest = &url[colon + 1..];
    let ok = match scheme.as_str() {
        "http" | "https" => rest
            .strip_prefix("//")
            .is_some_and(|r| !r.is_empty() && !r.starts_with(['/', '?', '#'])),
        "mailto" => !rest.is_empty(),
        _ => false,
    };
    ok.then(|| format!("{scheme}:{rest}"))
}

fn push_escaped(out: &mut String, c: char, in_attribute: bool) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' if in_attribute => out.push_str("&quot;"),
        '\'' if in_attribute => out.push_str("&#39;"),
        c => out.push(c),
    }
}
