//! Request extractors that turn bad input into precise problems.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::error::Category;

use crate::problem::{FieldProblem, Problem};

/// A JSON request body. Malformed JSON is a 400 naming the line and column;
/// a wrong type, a missing or an unknown field is a 422 naming the field;
/// a body over the limit is a 413; a body that is not JSON is a 415.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|ct| {
                let mime = ct
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            })
            .unwrap_or(false);
        if !is_json {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "the request body must be JSON with Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| body_problem(e.status()))?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// The problem for a body that could not be read.
pub fn body_problem(status: StatusCode) -> Problem {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        Problem::new(
            status,
            "payload_too_large",
            format!(
                "the request body is larger than the limit of {} bytes",
                crate::BODY_LIMIT_BYTES
            ),
        )
    } else {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "unreadable_body",
            "the request body could not be read",
        )
    }
}

/// Parses JSON into `T`, reporting problems as described on [`ApiJson`].
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    // Most bodies are valid: read them directly, and only when that fails
    // read again tracking the path, to name the field in the problem.
    if let Ok(value) = serde_json::from_slice::<T>(bytes) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = match serde_path_to_error::deserialize(&mut de) {
        Ok(v) => v,
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            return Err(json_problem(&path, &inner));
        }
    };
    de.end().map_err(|e| json_problem(".", &e))?;
    Ok(value)
}

fn json_problem(path: &str, err: &serde_json::Error) -> Problem {
    match err.classify() {
        Category::Syntax | Category::Eof | Category::Io => Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!(
                "the body is not valid JSON: {} at line {} column {}",
                strip_position(&err.to_string()),
                err.line(),
                err.column()
            ),
        ),
        Category::Data => {
            let message = strip_position(&err.to_string());
            let base = if path == "." {
                String::new()
            } else {
                path.to_owned()
            };
            // serde names an unknown or missing field in its message, at the
            // path of the object that holds it.
            let named = ["unknown field `", "missing field `"]
                .iter()
                .find_map(|p| message.strip_prefix(p))
                .and_then(|rest| rest.split('`').next());
            let field = match named {
                // For an unknown field the path already ends at the field.
                Some(name) if base == name || base.ends_with(&format!(".{name}")) => base,
                Some(name) if base.is_empty() => name.to_owned(),
                Some(name) => format!("{base}.{name}"),
                None if base.is_empty() => "(body)".to_owned(),
                None => base,
            };
            let reason = if message.starts_with("unknown field") {
                "is not a known field".to_owned()
            } else if message.starts_with("missing field") {
                "is required".to_owned()
            } else {
                message
            };
            Problem::validation(vec![FieldProblem { field, reason }])
        }
    }
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// Cursor pagination parameters: `limit` (1–200, default 50) and an opaque
/// `cursor` from a previous page's `next_cursor`.
#[derive(Debug, Clone, Copy)]
pub struct Pagination {
    pub limit: u32,
    /// Rows after this id (0 for the first page).
    pub after: i64,
}

impl Pagination {
    pub const DEFAULT_LIMIT: u32 = 50;
    pub const MAX_LIMIT: u32 = 200;
}

/// Encodes the id a next page starts after as an opaque cursor.
pub fn encode_cursor(after: i64) -> String {
    format!("c1.{after:x}")
}

fn decode_cursor(raw: &str) -> Option<i64> {
    let hex = raw.strip_prefix("c1.")?;
    let v = i64::from_str_radix(hex, 16).ok()?;
    (v > 0 && !hex.starts_with('+')).then_some(v)
}

impl<S: Send + Sync> FromRequestParts<S> for Pagination {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        let mut page = Pagination {
            limit: Self::DEFAULT_LIMIT,
            after: 0,
        };
        for pair in parts
            .uri
            .query()
            .unwrap_or("")
            .split('&')
            .filter(|p| !p.is_empty())
        {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "limit" => {
                    page.limit = value
                        .parse::<u32>()
                        .ok()
                        .filter(|n| (1..=Self::MAX_LIMIT).contains(n))
                        .ok_or_else(|| {
                            Problem::field(
                                "limit",
                                format!("must be a whole number from 1 to {}", Self::MAX_LIMIT),
                            )
                        })?;
                }
                "cursor" => {
                    page.after = decode_cursor(value).ok_or_else(|| {
                        Problem::field("cursor", "is not a cursor returned by this listing")
                    })?;
                }
                _ => {}
            }
        }
        Ok(page)
    }
}

/// Path parameters; one that does not parse is a 422 naming the parameter.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        use axum::extract::path::{ErrorKind, Path};
        use axum::extract::rejection::PathRejection;
        use axum::extract::RawPathParams;
        let err = match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => return Ok(ApiPath(v)),
            Err(e) => e,
        };
        // Name the parameter even when serde only knows its position.
        let names: Vec<String> = RawPathParams::from_request_parts(parts, state)
            .await
            .map(|raw| raw.iter().map(|(k, _)| k.to_owned()).collect())
            .unwrap_or_default();
        let refuse = |name: Option<&str>, value: &str, expected: &str| {
            Problem::field(
                name.unwrap_or("path"),
                format!("'{value}' is not a valid {}", friendly_type(expected)),
            )
        };
        Err(match err {
            PathRejection::FailedToDeserializePathParams(e) => match e.kind() {
                ErrorKind::ParseErrorAtKey {
                    key,
                    value,
                    expected_type,
                } => refuse(Some(key), value, expected_type),
                ErrorKind::ParseErrorAtIndex {
                    index,
                    value,
                    expected_type,
                } => refuse(names.get(*index).map(String::as_str), value, expected_type),
                ErrorKind::ParseError {
                    value,
                    expected_type,
                } => {
                    let only = (names.len() == 1).then(|| names[0].as_str());
                    refuse(only, value, expected_type)
                }
                other => Problem::field("path", other.to_string()),
            },
            other => Problem::field("path", other.body_text()),
        })
    }
}

fn friendly_type(rust_type: &str) -> &str {
    match rust_type {
        "i64" | "u64" | "i32" | "u32" => "whole number",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        price: String,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        email: String,
        items: Vec<Inner>,
    }

    #[test]
    fn syntax_errors_name_the_position() {
        let p = parse_json::<Body>(b"{\"email\": }").unwrap_err();
        assert_eq!(p.status, 400);
        assert_eq!(p.code, "malformed_json");
        assert!(p.detail.ends_with("at line 1 column 11"), "{}", p.detail);
    }

    #[test]
    fn wrong_types_name_the_field_path() {
        let p = parse_json::<Body>(br#"{"email":"a","items":[{"price":"1"},{"price":5}]}"#)
            .unwrap_err();
        assert_eq!(p.status, 422);
        assert_eq!(p.errors[0].field, "items[1].price");
        assert!(p.errors[0].reason.contains("invalid type: integer `5`"));
    }

    #[test]
    fn unknown_and_missing_fields_are_named() {
        let p = parse_json::<Body>(br#"{"email":"a","items":[{"price":"1","x":1}]}"#).unwrap_err();
        assert_eq!(p.errors[0].field, "items[0].x");
        assert_eq!(p.errors[0].reason, "is not a known field");
        let p = parse_json::<Body>(br#"{"items":[]}"#).unwrap_err();
        assert_eq!(p.errors[0].field, "email");
        assert_eq!(p.errors[0].reason, "is required");
    }

    #[test]
    fn trailing_garbage_is_malformed() {
        let p = parse_json::<Body>(br#"{"email":"a","items":[]} x"#).unwrap_err();
        assert_eq!(p.code, "malformed_json");
    }

    #[test]
    fn cursors_round_trip_and_reject_junk() {
        assert_eq!(decode_cursor(&encode_cursor(12345)), Some(12345));
        for bad in ["", "12", "c1.", "c1.zz", "c1.-5", "c1.+5", "c2.10"] {
            assert_eq!(decode_cursor(bad), None, "{bad}");
        }
    }
}
