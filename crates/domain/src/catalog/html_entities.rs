//! Character references (`&amp;`, `&#x3C;`, `&nbsp;`) in HTML text and
//! attribute values, decoded so the sanitiser can check and re-escape the
//! real characters.

/// Named references decoded; others are left as literal text. The first
/// five are also decoded without `;`, as browsers do for legacy names.
const NAMED: [(&str, char); 30] = [
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("nbsp", '\u{a0}'),
    ("apos", '\''),
    ("copy", '©'),
    ("reg", '®'),
    ("trade", '™'),
    ("hellip", '…'),
    ("mdash", '—'),
    ("ndash", '–'),
    ("lsquo", '‘'),
    ("rsquo", '’'),
    ("ldquo", '“'),
    ("rdquo", '”'),
    ("laquo", '«'),
    ("raquo", '»'),
    ("bull", '•'),
    ("middot", '·'),
    ("deg", '°'),
    ("times", '×'),
    ("divide", '÷'),
    ("plusmn", '±'),
    ("micro", 'µ'),
    ("euro", '€'),
    ("pound", '£'),
    ("yen", '¥'),
    ("cent", '¢'),
    ("sect", '§'),
];

/// Calls `emit` for each character of `raw` with character references
/// decoded. NUL and invalid code points become U+FFFD; other control
/// characters except tab and line breaks are dropped.
pub(super) fn decode_into(raw: &str, mut emit: impl FnMut(char)) {
    let mut chars = raw.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let decoded = if c == '&' {
            match reference(&raw[i + 1..]) {
                Some((c, consumed)) => {
                    while chars.peek().is_some_and(|(j, _)| *j < i + 1 + consumed) {
                        chars.next();
                    }
                    c
                }
                None => '&',
            }
        } else {
            c
        };
        match decoded {
            '\0' => emit('\u{fffd}'),
            '\t' | '\n' | '\r' => emit(decoded),
            c if c.is_control() => {}
            c => emit(c),
        }
    }
}

/// Decodes a character reference whose text (after `&`) starts `rest`:
/// the character and how many bytes of `rest` it used.
fn reference(rest: &str) -> Option<(char, usize)> {
    if let Some(numeric) = rest.strip_prefix('#') {
        let (radix, digits_at) = match numeric.as_bytes().first() {
            Some(b'x' | b'X') => (16, 2),
            _ => (10, 1),
        };
        let digits = rest[digits_at..]
            .find(|c: char| !c.is_digit(radix))
            .unwrap_or(rest.len() - digits_at);
        if digits == 0 {
            return None;
        }
        let text = &rest[digits_at..digits_at + digits];
        let c = u32::from_str_radix(text, radix)
            .ok()
            .and_then(char::from_u32)
            .filter(|c| *c != '\0')
            .unwrap_or('\u{fffd}');
        let used = digits_at + digits + usize::from(rest[digits_at + digits..].starts_with(';'));
        return Some((c, used));
    }
    let name_len = rest
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    let name = &rest[..name_len];
    let (index, &(_, c)) = NAMED.iter().enumerate().find(|(_, (n, _))| *n == name)?;
    if rest[name_len..].starts_with(';') {
        Some((c, name_len + 1))
    } else if index < 5 {
        Some((c, name_len))
    } else {
        None
    }
}
