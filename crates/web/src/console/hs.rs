//! `/console/hs`: the HS nomenclature, searched by code or by words, with
//! the path chapter → heading → subheading of a single code and the codes
//! under it.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chuhai_store::reference::HsRow;
use serde::Deserialize;

use super::i18n::Tr;
use super::{html, locale, session, to_login, Shell};
use crate::api::reference::code_digits;
use crate::problem::Problem;
use crate::state::AppState;

/// Most rows shown for one search, and most codes shown under one code.
const LIMIT: u32 = 100;
/// Fewer subheadings than this means only part of HS 2022 (about 5,600
/// subheadings) is loaded.
const FULL_SUBHEADINGS: i64 = 5_000;
/// Longest query considered, in characters.
const MAX_QUERY_CHARS: usize = 200;
/// Most words of a description search.
const MAX_WORDS: usize = 8;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/console/hs", get(hs_page))
}

/// A code as it is written: `94`, `9405`, `9405.42`.
fn dotted(code: &str) -> String {
    if code.len() > 4 && code.is_ascii() {
        format!("{}.{}", &code[..4], &code[4..])
    } else {
        code.to_owned()
    }
}

/// `(key, name)` of an entry's level.
fn level_name(level: i64, t: &Tr) -> (&'static str, &'static str) {
    match level {
        2 => ("chapter", t.hs_chapter),
        4 => ("heading", t.hs_heading),
        _ => ("subheading", t.hs_subheading),
    }
}

/// Digits grouped by thousands: `5612` → `5,612`.
fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Percent-encodes a query-string value.
fn query_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

struct HsView {
    /// Digits only, for links.
    code: String,
    /// With the dot: `9405.42`.
    display: String,
    level_key: &'static str,
    level: &'static str,
    section: String,
    description: String,
}

impl HsView {
    fn new(r: &HsRow, t: &Tr) -> Self {
        let (level_key, level) = level_name(r.level, t);
        HsView {
            code: r.code.clone(),
            display: dotted(&r.code),
            level_key,
            level,
            section: r.section.clone(),
            description: r.description.clone(),
        }
    }
}

/// One code asked for by itself: its path from the chapter and what is
/// under it.
struct Selected {
    entry: HsView,
    /// From the chapter down to the entry itself.
    path: Vec<HsView>,
    children: Vec<HsView>,
    /// More codes are under it than are shown.
    more: bool,
}

#[derive(Template)]
#[template(path = "hs.html")]
struct HsPage {
    shell: Shell,
    q: String,
    chapters: String,
    headings: String,
    subheadings: String,
    partial: bool,
    selected: Option<Selected>,
    /// Search results; `None` when nothing was searched or a single code
    /// was shown.
    results: Option<Vec<HsView>>,
    /// More rows match than are shown.
    more: bool,
}

#[derive(Deserialize)]
struct HsQuery {
    q: Option<String>,
}

/// Up to [`LIMIT`] rows; whether more were there.
fn cut(mut rows: Vec<HsRow>) -> (Vec<HsRow>, bool) {
    let limit = LIMIT as usize;
    let more = rows.len() > limit;
    rows.truncate(limit);
    (rows, more)
}

async fn hs_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<HsQuery>,
) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let t = Tr::for_locale(lang);
    let q: String = query
        .q
        .as_deref()
        .unwrap_or("")
        .trim()
        .chars()
        .take(MAX_QUERY_CHARS)
        .collect();
    let here = if q.is_empty() {
        "/console/hs".to_owned()
    } else {
        format!("/console/hs?q={}", query_encode(&q))
    };

    let (chapters, headings, subheadings) = state.store.hs_counts().await?;
    let mut selected = None;
    let mut results = None;
    let mut more = false;
    if !q.is_empty() {
        let digits = code_digits(&q);
        let single = match digits.as_deref() {
            Some(d) if matches!(d.len(), 2 | 4 | 6) => state.store.hs_code(d).await?,
            _ => None,
        };
        if let Some(entry) = single {
            let mut path = Vec::new();
            for len in [2, 4] {
                if entry.code.len() > len {
                    if let Some(up) = state.store.hs_code(&entry.code[..len]).await? {
                        path.push(HsView::new(&up, t));
                    }
                }
            }
            path.push(HsView::new(&entry, t));
            let (children, more_children) = if entry.level < 6 {
                let under: Vec<HsRow> = state
                    .store
                    .hs_by_prefix(&entry.code, LIMIT + 2)
                    .await?
                    .into_iter()
                    .filter(|r| r.code != entry.code)
                    .collect();
                cut(under)
            } else {
                (Vec::new(), false)
            };
            selected = Some(Selected {
                entry: HsView::new(&entry, t),
                path,
                children: children.iter().map(|r| HsView::new(r, t)).collect(),
                more: more_children,
            });
        } else {
            let rows = match digits {
                Some(d) => state.store.hs_by_prefix(&d, LIMIT + 1).await?,
                None => {
                    let words: Vec<String> = q
                        .split_whitespace()
                        .take(MAX_WORDS)
                        .map(str::to_owned)
                        .collect();
                    state.store.hs_by_words(&words, LIMIT + 1).await?
                }
            };
            let (rows, more_rows) = cut(rows);
            more = more_rows;
            results = Some(rows.iter().map(|r| HsView::new(r, t)).collect());
        }
    }

    let page = HsPage {
        shell: Shell::for_principal(&p, lang, "hs", here),
        q,
        chapters: grouped(chapters),
        headings: grouped(headings),
        subheadings: grouped(subheadings),
        partial: subheadings < FULL_SUBHEADINGS,
        selected,
        results,
        more,
    };
    Ok(html(StatusCode::OK, &page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_codes_with_dots() {
        assert_eq!(dotted("94"), "94");
        assert_eq!(dotted("9405"), "9405");
        assert_eq!(dotted("94054"), "9405.4");
        assert_eq!(dotted("940542"), "9405.42");
    }

    #[test]
    fn groups_and_encodes() {
        assert_eq!(grouped(5612), "5,612");
        assert_eq!(grouped(6), "6");
        assert_eq!(grouped(1_000_000), "1,000,000");
        assert_eq!(query_encode("led lamp"), "led%20lamp");
        assert_eq!(query_encode("9405.42"), "9405.42");
        assert_eq!(query_encode("a//b&c"), "a%2F%2Fb%26c");
        assert_eq!(query_encode("灯"), "%E7%81%AF");
    }

    #[test]
    fn names_levels() {
        let t = Tr::for_locale(chuhai_domain::accounts::UiLocale::ZhCn);
        assert_eq!(level_name(2, t), ("chapter", "章"));
        assert_eq!(level_name(4, t), ("heading", "品目"));
        assert_eq!(level_name(6, t), ("subheading", "子目"));
    }
}
