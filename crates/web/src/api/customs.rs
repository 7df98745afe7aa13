//! `/api/v1/export-shipments` and `/api/v1/customs`: China export customs
//! (9610 / 9710 / 9810 classification, CEB messages, the monthly summary
//! declaration) and the trade documents of each shipment.

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chuhai_domain::accounts::Scope;
use chuhai_domain::customs::{summary_csv, summary_xml, SummaryDeclaration};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::views::ListOf;
use crate::auth::ApiPrincipal;
use crate::extract::{ApiJson, ApiPath, Pagination};
use crate::problem::Problem;
use crate::services::customs::{self, ShipmentRecord, ShipmentRequest};
use crate::state::AppState;
use crate::time::{now_millis, rfc3339, today};

/// A stored export shipment with its customs classification.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportShipmentView {
    pub id: i64,
    pub order_no: String,
    /// `9610` (B2C direct mail), `9710` (B2B direct export) or `9810`
    /// (export to an overseas warehouse).
    pub mode: String,
    /// CEB order type: `E`, `B` or `W`.
    pub order_type: String,
    /// Why this mode, in English and Chinese.
    pub reason: String,
    pub reason_zh: String,
    /// ISO 3166 alpha-2.
    pub destination: String,
    /// YYYY-MM-DD.
    pub export_date: String,
    /// The CEB messages this shipment has, e.g. `["CEB303", "CEB403", "CEB505", "CEB603"]`.
    pub messages: Vec<String>,
    /// Paths of the trade documents (PDF).
    pub documents: Vec<String>,
    /// The inbound shipment (ASN) this 9810 export feeds, if linked.
    pub inbound_shipment_id: Option<i64>,
    /// The shipment, transmitter and trade terms as accepted.
    #[schema(value_type = Object)]
    pub request: ShipmentRequest,
    pub created_at: String,
}

impl From<&ShipmentRecord> for ExportShipmentView {
    fn from(r: &ShipmentRecord) -> Self {
        let c = &r.classification;
        Self {
            id: r.row.id,
            order_no: r.row.order_no.clone(),
            mode: c.mode.code().to_owned(),
            order_type: c.order_type.code().to_string(),
            reason: c.reason.clone(),
            reason_zh: c.reason_zh.clone(),
            destination: r.row.destination.clone(),
            export_date: r.request.shipment.declaration.export_date.to_string(),
            messages: customs::message_kinds(&r.request.shipment)
                .into_iter()
                .map(|k| k.name().to_owned())
                .collect(),
            documents: document_paths(r.row.id),
            inbound_shipment_id: r.row.inbound_shipment_id,
            request: r.request.clone(),
            created_at: rfc3339(r.row.created_at),
        }
    }
}

/// Paths of an export shipment's trade documents (PDF).
fn document_paths(id: i64) -> Vec<String> {
    customs::DOCUMENT_NAMES
        .iter()
        .map(|d| format!("/api/v1/export-shipments/{id}/documents/{d}"))
        .collect()
}

/// The export shipment recorded for an order (its order number is the
/// order's), with where its CEB messages and trade documents are.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderExportShipmentView {
    pub id: i64,
    /// `9610`, `9710` or `9810`.
    pub mode: String,
    /// Why this mode, in English and Chinese.
    pub reason: String,
    pub reason_zh: String,
    /// Paths of its CEB messages (XML), e.g.
    /// `/api/v1/export-shipments/7/messages/ceb303`.
    pub messages: Vec<String>,
    /// Paths of its trade documents (PDF).
    pub documents: Vec<String>,
}

impl From<&ShipmentRecord> for OrderExportShipmentView {
    fn from(r: &ShipmentRecord) -> Self {
        let id = r.row.id;
        Self {
            id,
            mode: r.classification.mode.code().to_owned(),
            reason: r.classification.reason.clone(),
            reason_zh: r.classification.reason_zh.clone(),
            messages: customs::message_kinds(&r.request.shipment)
                .into_iter()
                .map(|k| {
                    format!(
                        "/api/v1/export-shipments/{id}/messages/{}",
                        k.name().to_ascii_lowercase()
                    )
                })
                .collect(),
            documents: document_paths(id),
        }
    }
}

/// Record an export shipment: it is validated (every CEB field rule, the
/// commodity codes against the HS nomenclature), classified into 9610,
/// 9710 or 9810 with the reason, and its messages are built once before
/// anything is stored.
#[utoipa::path(post, path = "/api/v1/export-shipments", tag = "customs",
    params(("Idempotency-Key" = Option<String>, Header)),
    request_body(content = Object, description = "`shipment` (sale kind, consignor, order, payment, logistics, declaration, items), `transmitter` (cop_code, cop_name, dxp_id) and optional `trade` terms for the documents (incoterm, ioss_number, addresses, packages)"),
    responses((status = 201, body = ExportShipmentView),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_shipment(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiJson(req): ApiJson<ShipmentRequest>,
) -> Result<(StatusCode, Json<ExportShipmentView>), Problem> {
    principal.require(Scope::OrdersWrite)?;
    let record =
        customs::create(&state.store, principal.0.organisation.id, req, now_millis()).await?;
    Ok((StatusCode::CREATED, Json(ExportShipmentView::from(&record))))
}

/// List your export shipments.
#[utoipa::path(get, path = "/api/v1/export-shipments", tag = "customs",
    params(("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = ListOf<ExportShipmentView>)),
    security(("bearer" = [])))]
pub async fn list_shipments(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    page: Pagination,
) -> Result<Json<ListOf<ExportShipmentView>>, Problem> {
    principal.require(Scope::OrdersRead)?;
    let p = state
        .store
        .export_shipments(principal.0.organisation.id, page.after, page.limit)
        .await?;
    let records = p
        .items
        .into_iter()
        .map(customs::record)
        .collect::<Result<Vec<_>, _>>()?;
    let page = chuhai_store::Page {
        items: records,
        next_after: p.next_after,
    };
    Ok(Json(ListOf::from_page(page, |r| {
        ExportShipmentView::from(r)
    })))
}

/// Show one export shipment.
#[utoipa::path(get, path = "/api/v1/export-shipments/{id}", tag = "customs",
    params(("id" = i64, Path)),
    responses((status = 200, body = ExportShipmentView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get_shipment(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ExportShipmentView>, Problem> {
    principal.require(Scope::OrdersRead)?;
    let record = customs::find(&state.store, principal.0.organisation.id, id).await?;
    Ok(Json(ExportShipmentView::from(&record)))
}

/// One CEB message of a shipment as XML (`ceb303` order, `ceb403` receipt,
/// `ceb505` waybill, `ceb603` export list), built as a draft (appStatus 1):
/// declaring needs the company's signature, which a signer configured
/// outside Chuhai adds.
#[utoipa::path(get, path = "/api/v1/export-shipments/{id}/messages/{kind}", tag = "customs",
    params(("id" = i64, Path), ("kind" = String, Path, description = "ceb303, ceb403, ceb505 or ceb603")),
    responses((status = 200, content_type = "application/xml", body = String),
              (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn shipment_message(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath((id, kind)): ApiPath<(i64, String)>,
) -> Result<Response, Problem> {
    principal.require(Scope::OrdersRead)?;
    let record = customs::find(&state.store, principal.0.organisation.id, id).await?;
    message_response(&record, &kind)
}

/// The XML response for a CEB message of a shipment (API and console).
pub fn message_response(record: &ShipmentRecord, kind: &str) -> Result<Response, Problem> {
    let kind = customs::parse_message_kind(kind).ok_or_else(|| Problem::not_found("message"))?;
    let message = customs::message(record, kind)?;
    let filename = format!(
        "attachment; filename=\"{}-{}.xml\"",
        kind.name(),
        safe_filename(&record.row.order_no)
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/xml; charset=utf-8".to_owned(),
            ),
            (header::CONTENT_DISPOSITION, filename),
        ],
        message.xml,
    )
        .into_response())
}

/// A shipment's trade document as PDF: `commercial-invoice`,
/// `packing-list` or `proforma-invoice`.
#[utoipa::path(get, path = "/api/v1/export-shipments/{id}/documents/{kind}", tag = "customs",
    params(("id" = i64, Path), ("kind" = String, Path, description = "commercial-invoice, packing-list or proforma-invoice")),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>),
              (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn shipment_document(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath((id, kind)): ApiPath<(i64, String)>,
) -> Result<Response, Problem> {
    principal.require(Scope::OrdersRead)?;
    let record = customs::find(&state.store, principal.0.organisation.id, id).await?;
    document_response(&record, &kind)
}

/// The PDF response for a document of a shipment (API and console).
pub fn document_response(record: &ShipmentRecord, kind: &str) -> Result<Response, Problem> {
    let doc_kind =
        customs::parse_document_kind(kind).ok_or_else(|| Problem::not_found("document"))?;
    let bytes = customs::render_document(record, doc_kind)?;
    let filename = format!(
        "inline; filename=\"{kind}-{}.pdf\"",
        safe_filename(&record.row.order_no)
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, filename),
        ],
        bytes,
    )
        .into_response())
}

/// Characters safe in a `filename="…"` parameter.
pub fn safe_filename(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct SummaryQuery {
    /// `YYYY-MM`; default: last month (declared by the 15th).
    pub month: Option<String>,
    /// `json` (default), `csv` or `xml`.
    pub format: Option<String>,
}

/// The monthly summary declaration (汇总申报) of one month's 9610.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryView {
    /// YYYY-MM.
    pub month: String,
    /// Grouped by consignor, transport mode, destination, exit port,
    /// 10-digit code, currency and legal unit, with totals.
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<SummaryDeclaration>,
}

/// The monthly summary declaration of your 9610 export lists: one row per
/// consignor, transport mode, destination country, exit port and 10-digit
/// commodity code (and currency and legal unit), with totals. As JSON, CSV
/// or XML.
#[utoipa::path(get, path = "/api/v1/customs/summary", tag = "customs",
    params(SummaryQuery),
    responses((status = 200, body = SummaryView),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn summary(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    Query(q): Query<SummaryQuery>,
) -> Result<Response, Problem> {
    principal.require(Scope::OrdersRead)?;
    let month = q
        .month
        .clone()
        .unwrap_or_else(|| customs::previous_month(today()));
    let (year, m, rows) =
        customs::summary(&state.store, principal.0.organisation.id, &month).await?;
    let month = format!("{year:04}-{m:02}");
    match q.format.as_deref().unwrap_or("json") {
        "json" => Ok(Json(SummaryView { month, rows }).into_response()),
        "csv" => Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"summary-9610-{month}.csv\""),
                ),
            ],
            summary_csv(&rows),
        )
            .into_response()),
        "xml" => Ok((
            [
                (
                    header::CONTENT_TYPE,
                    "application/xml; charset=utf-8".to_owned(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"summary-9610-{month}.xml\""),
                ),
            ],
            summary_xml(&rows, (year, m)),
        )
            .into_response()),
        _ => Err(Problem::field("format", "must be json, csv or xml")),
    }
}
