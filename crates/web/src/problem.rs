//! RFC 9457 problem details: every API error leaves through [`Problem`].

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chuhai_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// One refused field: its JSON path (`items[2].price`) and why.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldProblem {
    /// The field's path in the request, dot-separated, with `[n]` for array items.
    pub field: String,
    pub reason: String,
}

/// An API error, sent as an RFC 9457 `application/problem+json` body
/// (see [`ProblemDocument`] for the wire shape). Kept small: the type URI
/// and title are derived from `code` and `status` when serialising.
#[derive(Debug, Clone)]
pub struct Problem {
    pub status: u16,
    /// A stable machine-readable code, e.g. `validation_failed`.
    pub code: String,
    /// What went wrong with this request, for a person to read.
    pub detail: String,
    /// For validation problems, every refused field.
    pub errors: Vec<FieldProblem>,
    /// Seconds to wait before retrying (also sent as `Retry-After`).
    pub retry_after: Option<u64>,
}

/// The JSON body of every error response.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Problem)]
pub struct ProblemDocument<'a> {
    /// A URI naming the problem type: `urn:chuhai:problem:<code>`.
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: &'a str,
    pub status: u16,
    pub detail: &'a str,
    /// A stable machine-readable code, e.g. `validation_failed`.
    pub code: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub errors: &'a [FieldProblem],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl Serialize for Problem {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ProblemDocument {
            type_uri: format!("urn:chuhai:problem:{}", self.code.replace('_', "-")),
            title: self.status().canonical_reason().unwrap_or("Error"),
            status: self.status,
            detail: &self.detail,
            code: &self.code,
            errors: &self.errors,
            retry_after: self.retry_after,
        }
        .serialize(s)
    }
}

impl utoipa::PartialSchema for Problem {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <ProblemDocument<'static> as utoipa::PartialSchema>::schema()
    }
}

impl ToSchema for Problem {
    fn name() -> std::borrow::Cow<'static, str> {
        "Problem".into()
    }
}

impl Problem {
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Self {
        Self {
            status: status.as_u16(),
            detail: detail.into(),
            code: code.to_owned(),
            errors: Vec::new(),
            retry_after: None,
        }
    }

    /// 422 with the refused fields.
    pub fn validation(errors: Vec<FieldProblem>) -> Self {
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.reason))
            .collect::<Vec<_>>()
            .join("; ");
        let mut p = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            detail,
        );
        p.errors = errors;
        p
    }

    /// 422 for one field.
    pub fn field(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::validation(vec![FieldProblem {
            field: field.into(),
            reason: reason.into(),
        }])
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }

    pub fn unauthorized(detail: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    pub fn conflict(code: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "the server failed to complete the request; it has been logged",
        )
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<chuhai_domain::accounts::FieldError> for Problem {
    fn from(e: chuhai_domain::accounts::FieldError) -> Self {
        Problem::field(e.field, e.reason)
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { what } => Problem::validation(vec![FieldProblem {
                field: what.to_owned(),
                reason: "is already taken".to_owned(),
            }])
            .with_status(StatusCode::CONFLICT, "already_exists"),
            StoreError::NotFound { what } => Problem::not_found(what),
            StoreError::Invalid { field, reason } => Problem::field(field, reason),
            StoreError::Ledger(e) => e.into(),
            StoreError::StateConflict { what, reason } => {
                Problem::conflict("state_conflict", format!("{what}: {reason}"))
            }
            other => {
                tracing::error!(error = %other, "storage failure");
                Problem::internal()
            }
        }
    }
}

impl Problem {
    fn with_status(mut self, status: StatusCode, code: &str) -> Self {
        self.status = status.as_u16();
        self.code = code.to_owned();
        self
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status();
        let retry = self.retry_after;
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut res = (status, body).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(secs) = retry {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}
