//! `/console/products/import`, `/console/jobs/{id}` and
//! `/console/products/export`: Shopify product CSV files in and out of the
//! seller's catalog. An upload becomes a background job; its page follows
//! the job's stages and shows the report (every row, column and reason).

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chuhai_domain::accounts::UiLocale;
use chuhai_domain::money::Currency;
use chuhai_store::accounts::Principal;
use chuhai_store::jobs::JobRecord;
use serde::Deserialize;

use super::i18n::Tr;
use super::{html, locale, same_secret, session, to_login, Shell};
use crate::problem::Problem;
use crate::services::imports::export_shopify;
use crate::services::jobs::enqueue_import;
use crate::state::AppState;
use crate::time::rfc3339;
use crate::BODY_LIMIT_BYTES;

/// The header carrying the session's CSRF secret on uploads.
const CSRF_HEADER: &str = "x-csrf-token";
/// Most row errors listed on a job's page.
const MAX_ERRORS_SHOWN: usize = 200;
/// Offered first in the currency list, then the seller's market currencies.
const COMMON_CURRENCIES: [Currency; 8] = [
    Currency::CNY,
    Currency::USD,
    Currency::EUR,
    Currency::GBP,
    Currency::JPY,
    Currency::AUD,
    Currency::CAD,
    Currency::HKD,
];

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/console/products/import",
            get(import_page).post(start_import),
        )
        .route("/console/products/export", get(export))
        .route("/console/jobs/{id}", get(job_page))
        .route("/console/jobs/{id}/status", get(job_status))
}

// ---------------------------------------------------------------------------
// The upload form

struct CurrencyOption {
    code: &'static str,
    label: String,
}

fn currency_name_zh(code: &str) -> Option<&'static str> {
    Some(match code {
        "CNY" => "人民币",
        "USD" => "美元",
        "EUR" => "欧元",
        "GBP" => "英镑",
        "JPY" => "日元",
        "AUD" => "澳元",
        "CAD" => "加元",
        "HKD" => "港元",
        "CHF" => "瑞士法郎",
        "NZD" => "新西兰元",
        "SGD" => "新加坡元",
        "KRW" => "韩元",
        _ => return None,
    })
}

fn currency_option(c: Currency, lang: UiLocale) -> CurrencyOption {
    let name = match lang {
        UiLocale::ZhCn => currency_name_zh(c.code()).unwrap_or_else(|| c.name()),
        UiLocale::En => c.name(),
    };
    CurrencyOption {
        code: c.code(),
        label: format!("{} · {name}", c.code()),
    }
}

#[derive(Template)]
#[template(path = "product_import.html")]
struct ImportPage {
    shell: Shell,
    currencies: Vec<CurrencyOption>,
    max_bytes: usize,
}

async fn import_page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let mut list: Vec<Currency> = COMMON_CURRENCIES.to_vec();
    for m in state.store.list_markets(p.organisation.id).await? {
        if !list.contains(&m.market.currency) {
            list.push(m.market.currency);
        }
    }
    let page = ImportPage {
        shell: Shell::for_principal(&p, lang, "catalog", "/console/products/import"),
        currencies: list.into_iter().map(|c| currency_option(c, lang)).collect(),
        max_bytes: BODY_LIMIT_BYTES,
    };
    Ok(html(StatusCode::OK, &page))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ImportParams {
    partial: Option<String>,
    currency: Option<String>,
}

/// A JSON answer to the upload script: `{"message": …}` for a problem.
fn message(status: StatusCode, text: &str) -> Response {
    let mut res = (status, Json(serde_json::json!({ "message": text }))).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn truthy(v: Option<&str>) -> bool {
    matches!(
        v.map(str::trim).map(str::to_ascii_lowercase).as_deref(),
        Some("true" | "1" | "on" | "yes")
    )
}

/// Takes the CSV as the request body (sent by `console.js`), queues the
/// import and answers `{"job_url": …}`.
async fn start_import(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<ImportParams>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        let t = Tr::for_locale(locale(&headers, None));
        return Ok(message(StatusCode::UNAUTHORIZED, t.import_err_signed_out));
    };
    let t = Tr::for_locale(locale(&headers, Some(&p)));
    let sent = headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let csrf_ok = p
        .csrf_token
        .as_deref()
        .is_some_and(|c| !sent.is_empty() && same_secret(c, sent));
    if !csrf_ok {
        return Ok(message(StatusCode::FORBIDDEN, t.import_err_csrf));
    }
    let body = match body {
        Ok(b) => b,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Ok(message(
                StatusCode::PAYLOAD_TOO_LARGE,
                t.import_err_too_large,
            ))
        }
        Err(_) => return Ok(message(StatusCode::BAD_REQUEST, t.import_err_failed)),
    };
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(message(
            StatusCode::UNPROCESSABLE_ENTITY,
            t.import_err_empty,
        ));
    }
    let Ok(Query(params)) = params else {
        return Ok(message(StatusCode::BAD_REQUEST, t.import_err_failed));
    };
    let currency = match params.currency.as_deref().map(str::trim) {
        None | Some("") => Currency::CNY,
        Some(code) => match Currency::from_code(code) {
            Ok(c) => c,
            Err(_) => {
                return Ok(message(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    t.import_err_currency,
                ))
            }
        },
    };
    let partial = truthy(params.partial.as_deref());
    let job = match enqueue_import(&state.store, p.organisation.id, &body, currency, partial).await
    {
        Ok(job) => job,
        // The only refusal is a file that is not UTF-8.
        Err(problem) if problem.status == 422 => {
            return Ok(message(StatusCode::UNPROCESSABLE_ENTITY, t.err_not_utf8))
        }
        Err(problem) => return Err(problem),
    };
    let url = format!("/console/jobs/{}", job.id);
    let mut res = Json(serde_json::json!({ "job_url": url })).into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&url) {
        h.insert(header::LOCATION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

// ---------------------------------------------------------------------------
// Export

async fn export(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    let csv = export_shopify(&state.store, p.organisation.id).await?;
    let today = crate::time::today().to_string();
    // Slugs are a-z, 0-9 and -; anything else is left out of the name.
    let slug: String = p
        .organisation
        .slug
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let filename = format!("{slug}-products-{today}.csv");
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment; filename=\"products.csv\""));
    let mut res = csv.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(header::CONTENT_DISPOSITION, disposition);
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(res)
}

// ---------------------------------------------------------------------------
// A job and its report

/// A job's `report` JSON in any of its shapes: `{"stage", "rows"}` while
/// running, an import report or `{"error"}` when finished.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ReportJson {
    stage: Option<String>,
    rows: Option<u64>,
    imported_products: Option<usize>,
    imported_variants: Option<usize>,
    saved: Option<bool>,
    errors: Vec<RowErrorJson>,
    ignored_columns: Vec<String>,
    partial: Option<bool>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RowErrorJson {
    row: u64,
    column: String,
    reason: String,
}

struct ErrorRow {
    /// The spreadsheet row, or `—` for a problem with a whole product.
    row: String,
    column: String,
    reason: String,
}

struct ReportView {
    rows: u64,
    products: usize,
    variants: usize,
    saved: bool,
    partial: bool,
    summary: &'static str,
    errors: Vec<ErrorRow>,
    error_count: usize,
    more_errors: bool,
    ignored_columns: Vec<String>,
}

struct JobView {
    id: i64,
    /// `queued`, `running`, `succeeded` or `failed`.
    status: String,
    finished: bool,
    /// What a seller reads first: `queued`, `running`, `failed`,
    /// `not_saved`, `partial`, `done` or `empty`.
    outcome: &'static str,
    outcome_label: &'static str,
    stage: &'static str,
    /// For the progress bar; `None` while queued (an indeterminate bar).
    progress: Option<(i64, i64)>,
    percent: i64,
    rows: Option<u64>,
    created: String,
    report: Option<ReportView>,
    /// Why a failed job stopped.
    error: Option<String>,
}

fn time_text(ms: i64) -> String {
    rfc3339(ms).replace('T', " ").replace('Z', " UTC")
}

fn stage_name(stage: Option<&str>, t: &Tr) -> &'static str {
    match stage {
        Some("parsing") => t.job_stage_parsing,
        Some("checking") => t.job_stage_checking,
        Some("saving") => t.job_stage_saving,
        Some("finished") => t.job_stage_finished,
        _ => t.job_stage_queued,
    }
}

impl JobView {
    fn new(job: &JobRecord, t: &Tr) -> Self {
        let report: ReportJson = job
            .report
            .as_deref()
            .and_then(|r| serde_json::from_str(r).ok())
            .unwrap_or_default();
        let finished = matches!(job.status.as_str(), "succeeded" | "failed");
        let mut view = JobView {
            id: job.id,
            status: job.status.clone(),
            finished,
            outcome: "queued",
            outcome_label: t.job_outcome_queued,
            stage: t.job_stage_queued,
            progress: None,
            percent: 0,
            rows: report.rows,
            created: time_text(job.created_at),
            report: None,
            error: None,
        };
        match job.status.as_str() {
            "running" => {
                view.outcome = "running";
                view.outcome_label = t.job_outcome_running;
                view.stage = stage_name(report.stage.as_deref(), t);
                let total = job.total.max(1);
                let done = job.done.clamp(0, total);
                view.progress = Some((done, total));
                view.percent = done * 100 / total;
            }
            "failed" => {
                view.outcome = "failed";
                view.outcome_label = t.job_outcome_failed;
                view.stage = t.job_stage_stopped;
                view.progress = Some((job.done.max(0), job.total.max(1)));
                view.percent = job.done.max(0) * 100 / job.total.max(1);
                view.error = Some(
                    report
                        .error
                        .unwrap_or_else(|| t.job_unknown_error.to_owned()),
                );
            }
            "succeeded" => {
                view.stage = t.job_stage_finished;
                view.progress = Some((1, 1));
                view.percent = 100;
                let saved = report.saved.unwrap_or(false);
                let partial = report.partial.unwrap_or(false);
                let has_errors = !report.errors.is_empty();
                let (outcome, label, summary) = match (saved, has_errors) {
                    (true, false) => ("done", t.job_outcome_done, t.job_summary_done),
                    (true, true) => ("partial", t.job_outcome_partial, t.job_summary_partial),
                    (false, true) if partial => (
                        "not_saved",
                        t.job_outcome_not_saved,
                        t.job_summary_none_valid,
                    ),
                    (false, true) => (
                        "not_saved",
                        t.job_outcome_not_saved,
                        t.job_summary_not_saved,
                    ),
                    (false, false) => ("empty", t.job_outcome_empty, t.job_summary_empty),
                };
                view.outcome = outcome;
                view.outcome_label = label;
                let error_count = report.errors.len();
                view.report = Some(ReportView {
                    rows: report.rows.unwrap_or(0),
                    products: report.imported_products.unwrap_or(0),
                    variants: report.imported_variants.unwrap_or(0),
                    saved,
                    partial,
                    summary,
                    errors: report
                        .errors
                        .into_iter()
                        .take(MAX_ERRORS_SHOWN)
                        .map(|e| ErrorRow {
                            row: if e.row > 0 {
                                e.row.to_string()
                            } else {
                                "—".to_owned()
                            },
                            column: e.column,
                            reason: e.reason,
                        })
                        .collect(),
                    error_count,
                    more_errors: error_count > MAX_ERRORS_SHOWN,
                    ignored_columns: report.ignored_columns,
                });
            }
            _ => {}
        }
        view
    }
}

#[derive(Template)]
#[template(path = "job.html")]
struct JobPage {
    shell: Shell,
    t: &'static Tr,
    job: JobView,
}

/// The part of the job page that refreshes itself while the job runs.
#[derive(Template)]
#[template(path = "job_status.html")]
struct JobStatusFragment {
    t: &'static Tr,
    job: JobView,
}

#[derive(Template)]
#[template(path = "job_not_found.html")]
struct JobNotFoundPage {
    shell: Shell,
}

fn job_not_found(p: &Principal, lang: UiLocale) -> Response {
    let page = JobNotFoundPage {
        shell: Shell::for_principal(p, lang, "catalog", "/console/products"),
    };
    html(StatusCode::NOT_FOUND, &page)
}

async fn job_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw_id): Path<String>,
) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let Ok(id) = raw_id.parse::<i64>() else {
        return Ok(job_not_found(&p, lang));
    };
    let Some(job) = state.store.job(p.organisation.id, id).await? else {
        return Ok(job_not_found(&p, lang));
    };
    let t = Tr::for_locale(lang);
    let page = JobPage {
        shell: Shell::for_principal(&p, lang, "catalog", format!("/console/jobs/{id}")),
        t,
        job: JobView::new(&job, t),
    };
    Ok(html(StatusCode::OK, &page))
}

async fn job_status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw_id): Path<String>,
) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        // htmx follows this header to the sign-in page rather than
        // swapping the page into the status box.
        let mut res = StatusCode::UNAUTHORIZED.into_response();
        res.headers_mut()
            .insert("hx-redirect", HeaderValue::from_static("/console/login"));
        return Ok(res);
    };
    let job = match raw_id.parse::<i64>() {
        Ok(id) => state.store.job(p.organisation.id, id).await?,
        Err(_) => None,
    };
    let Some(job) = job else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    let t = Tr::for_locale(locale(&headers, Some(&p)));
    let fragment = JobStatusFragment {
        t,
        job: JobView::new(&job, t),
    };
    Ok(html(StatusCode::OK, &fragment))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(status: &str, done: i64, total: i64, report: Option<&str>) -> JobRecord {
        JobRecord {
            id: 7,
            organisation_id: 1,
            kind: "import_products".to_owned(),
            status: status.to_owned(),
            done,
            total,
            report: report.map(str::to_owned),
            created_at: 0,
            started_at: None,
            finished_at: None,
        }
    }

    #[test]
    fn reads_every_shape_of_report() {
        let t = Tr::for_locale(UiLocale::En);
        let queued = JobView::new(&job("queued", 0, 0, None), t);
        assert_eq!(queued.outcome, "queued");
        assert!(queued.progress.is_none() && !queued.finished);

        let running = JobView::new(
            &job("running", 1, 3, Some(r#"{"stage":"checking","rows":2}"#)),
            t,
        );
        assert_eq!(
            (
                running.outcome,
                running.stage,
                running.progress,
                running.rows
            ),
            ("running", t.job_stage_checking, Some((1, 3)), Some(2))
        );

        let report = r#"{"rows":2,"imported_products":0,"imported_variants":0,"saved":false,
            "errors":[{"row":3,"line":3,"column":"Variant Barcode","reason":"scientific"}],
            "ignored_columns":["Variant Inventory Qty"],"partial":false}"#;
        let not_saved = JobView::new(&job("succeeded", 3, 3, Some(report)), t);
        assert_eq!(not_saved.outcome, "not_saved");
        let r = not_saved.report.unwrap();
        assert_eq!(r.summary, t.job_summary_not_saved);
        assert_eq!(r.errors[0].row, "3");
        assert_eq!(r.errors[0].column, "Variant Barcode");

        let partial = report
            .replace(r#""saved":false"#, r#""saved":true"#)
            .replace(r#""partial":false"#, r#""partial":true"#);
        let partial = JobView::new(&job("succeeded", 3, 3, Some(&partial)), t);
        assert_eq!(partial.outcome, "partial");

        let failed = JobView::new(&job("failed", 2, 3, Some(r#"{"error":"disk full"}"#)), t);
        assert_eq!(failed.outcome, "failed");
        assert_eq!(failed.error.as_deref(), Some("disk full"));
    }

    #[test]
    fn reads_flags() {
        assert!(truthy(Some("true")) && truthy(Some("1")) && truthy(Some("on")));
        assert!(!truthy(Some("false")) && !truthy(None) && !truthy(Some("")));
    }
}
