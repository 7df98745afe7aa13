//! `/console/customs`: export shipments with their customs mode, CEB
//! messages and trade documents, and the monthly 9610 summary declaration.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chuhai_domain::accounts::UiLocale;
use chuhai_domain::customs::{summary_csv, summary_xml};
use rust_decimal::Decimal;
use serde::Deserialize;

use super::i18n::Tr;
use super::{html, locale, session, to_login, Shell};
use crate::api::customs::{document_response, message_response};
use crate::extract::ApiPath;
use crate::problem::Problem;
use crate::services::customs;
use crate::state::AppState;
use crate::time::today;

/// Most shipments listed on the page.
const LIMIT: u32 = 200;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/console/customs", get(customs_page))
        .route("/console/customs/summary", get(summary_download))
        .route(
            "/console/customs/shipments/{id}/messages/{kind}",
            get(message_download),
        )
        .route(
            "/console/customs/shipments/{id}/documents/{kind}",
            get(document_download),
        )
}

/// A trade document's URL name and its label.
pub(super) struct DocLink {
    pub(super) path: &'static str,
    pub(super) label: &'static str,
}

/// The trade documents every export shipment has, in the console's order.
pub(super) fn doc_links(t: &Tr) -> Vec<DocLink> {
    customs::DOCUMENT_NAMES
        .iter()
        .map(|&path| DocLink {
            path,
            label: match path {
                "commercial-invoice" => t.doc_commercial_invoice,
                "packing-list" => t.doc_packing_list,
                _ => t.doc_proforma_invoice,
            },
        })
        .collect()
}

/// An export shipment as the console lists it.
pub(super) struct ShipmentView {
    pub(super) id: i64,
    pub(super) order_no: String,
    pub(super) mode: String,
    pub(super) reason: String,
    pub(super) destination: String,
    pub(super) export_date: String,
    /// The names of its CEB messages, e.g. `CEB303`.
    pub(super) messages: Vec<String>,
    /// The inbound shipment (ASN) a 9810 export feeds.
    pub(super) asn: Option<i64>,
}

impl ShipmentView {
    pub(super) fn of(r: &customs::ShipmentRecord, lang: UiLocale) -> Self {
        let t = Tr::for_locale(lang);
        ShipmentView {
            id: r.row.id,
            order_no: r.row.order_no.clone(),
            mode: r.classification.mode.code().to_owned(),
            reason: match lang {
                UiLocale::ZhCn => r.classification.reason_zh.clone(),
                UiLocale::En => r.classification.reason.clone(),
            },
            destination: r
                .request
                .shipment
                .declaration
                .destination_country
                .name(t.lang)
                .to_owned(),
            export_date: r.request.shipment.declaration.export_date.to_string(),
            messages: customs::message_kinds(&r.request.shipment)
                .into_iter()
                .map(|k| k.name().to_owned())
                .collect(),
            asn: r.row.inbound_shipment_id,
        }
    }
}

struct SummaryRow {
    consignor: String,
    transport: String,
    destination: String,
    port: String,
    gcode: String,
    qty: String,
    value: String,
    gross: String,
    net: String,
    lists: u32,
}

#[derive(Template)]
#[template(path = "customs.html")]
struct CustomsPage {
    shell: Shell,
    shipments: Vec<ShipmentView>,
    docs: Vec<DocLink>,
    month: String,
    summary: Vec<SummaryRow>,
    summary_error: Option<String>,
}

#[derive(Deserialize)]
struct MonthQuery {
    month: Option<String>,
    format: Option<String>,
}

fn kg(grams: u64) -> String {
    format!("{:.3}", Decimal::from(grams) / Decimal::from(1000))
}

async fn customs_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<MonthQuery>,
) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    let lang = locale(&headers, Some(&p));
    let t = Tr::for_locale(lang);
    let org = p.organisation.id;
    let page = state.store.export_shipments(org, 0, LIMIT).await?;
    let mut shipments = Vec::with_capacity(page.items.len());
    for row in page.items {
        shipments.push(ShipmentView::of(&customs::record(row)?, lang));
    }
    let month = q
        .month
        .clone()
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| customs::previous_month(today()));
    let (summary, summary_error) = match customs::summary(&state.store, org, &month).await {
        Ok((_, _, rows)) => (
            rows.iter()
                .map(|r| SummaryRow {
                    consignor: r.ebc_name.clone(),
                    transport: r.transport_mode.name().to_owned(),
                    destination: r.destination_country.name(t.lang).to_owned(),
                    port: r.port_code.clone(),
                    gcode: r.gcode.clone(),
                    qty: format!("{} ({})", r.legal_qty.normalize(), r.legal_unit),
                    value: format!(
                        "{} {}",
                        r.value.to_major_string(),
                        r.value.currency().code()
                    ),
                    gross: kg(r.gross_weight_g),
                    net: kg(r.net_weight_g),
                    lists: r.list_count,
                })
                .collect(),
            None,
        ),
        Err(e) => (
            Vec::new(),
            Some(
                e.errors
                    .first()
                    .map(|f| format!("{}: {}", f.field, f.reason))
                    .unwrap_or_else(|| e.detail.clone()),
            ),
        ),
    };
    let docs = doc_links(t);
    let here = format!("/console/customs?month={month}");
    Ok(html(
        StatusCode::OK,
        &CustomsPage {
            shell: Shell::for_principal(&p, lang, "customs", here),
            shipments,
            docs,
            month,
            summary,
            summary_error,
        },
    ))
}

async fn summary_download(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<MonthQuery>,
) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    let month = q.month.unwrap_or_else(|| customs::previous_month(today()));
    let (year, m, rows) = customs::summary(&state.store, p.organisation.id, &month).await?;
    let (body, kind, ext) = match q.format.as_deref() {
        Some("xml") => (
            summary_xml(&rows, (year, m)),
            "application/xml; charset=utf-8",
            "xml",
        ),
        _ => (summary_csv(&rows), "text/csv; charset=utf-8", "csv"),
    };
    Ok((
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"summary-9610-{year:04}-{m:02}.{ext}\""),
            ),
        ],
        body,
    )
        .into_response())
}

async fn message_download(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath((id, kind)): ApiPath<(i64, String)>,
) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    let record = customs::find(&state.store, p.organisation.id, id).await?;
    message_response(&record, &kind)
}

async fn document_download(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath((id, kind)): ApiPath<(i64, String)>,
) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    let record = customs::find(&state.store, p.organisation.id, id).await?;
    document_response(&record, &kind)
}
