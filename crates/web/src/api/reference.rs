//! Reference data every organisation reads: the HS nomenclature.

use axum::extract::{Query, State};
use axum::Json;
use chuhai_domain::accounts::Scope;
use chuhai_store::reference::HsRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::ApiPrincipal;
use crate::extract::ApiPath;
use crate::problem::Problem;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct HsEntryView {
    /// 2 (chapter), 4 (heading) or 6 (subheading) digits.
    pub code: String,
    pub level: i64,
    pub section: String,
    pub description: String,
    pub parent: Option<String>,
}

impl From<&HsRow> for HsEntryView {
    fn from(r: &HsRow) -> Self {
        Self {
            code: r.code.clone(),
            level: r.level,
            section: r.section.clone(),
            description: r.description.clone(),
            parent: r.parent.clone().filter(|p| p != "TOTAL"),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HsSearchResult {
    pub items: Vec<HsEntryView>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HsSearchQuery {
    /// Digits search by code prefix ("9405", "9405.42"); words search the
    /// descriptions ("led lamp"): every word must match.
    pub q: String,
    /// 1–100, default 20.
    pub limit: Option<u32>,
}

/// The digits of a code query, when it is one ("9405.42" → "940542").
pub(crate) fn code_digits(q: &str) -> Option<String> {
    let digits: String = q.chars().filter(|c| !matches!(c, '.' | ' ')).collect();
    (!digits.is_empty() && digits.len() <= 6 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then_some(digits)
}

/// Search the HS 2022 nomenclature by code prefix or by words.
#[utoipa::path(get, path = "/api/v1/hs-codes", tag = "reference", params(HsSearchQuery),
    responses((status = 200, body = HsSearchResult), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn search_hs(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    query: Result<Query<HsSearchQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<HsSearchResult>, Problem> {
    principal.require(Scope::CatalogRead)?;
    let Query(query) = query.map_err(|_| Problem::field("q", "is required"))?;
    let limit = query.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(Problem::field(
            "limit",
            "must be a whole number from 1 to 100",
        ));
    }
    let q = query.q.trim();
    if q.is_empty() {
        return Err(Problem::field("q", "must not be empty"));
    }
    let rows = match code_digits(q) {
        Some(digits) => state.store.hs_by_prefix(&digits, limit).await?,
        None => {
            let words: Vec<String> = q.split_whitespace().take(8).map(str::to_owned).collect();
            state.store.hs_by_words(&words, limit).await?
        }
    };
    Ok(Json(HsSearchResult {
        items: rows.iter().map(HsEntryView::from).collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HsEntryWithPath {
    #[serde(flatten)]
    pub entry: HsEntryView,
    /// From the chapter down to this entry.
    pub path: Vec<HsEntryView>,
}

/// One HS entry with its path chapter → heading → subheading.
#[utoipa::path(get, path = "/api/v1/hs-codes/{code}", tag = "reference",
    params(("code" = String, Path, description = "2, 4 or 6 digits; dots allowed")),
    responses((status = 200, body = HsEntryWithPath), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get_hs(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<HsEntryWithPath>, Problem> {
    principal.require(Scope::CatalogRead)?;
    let digits = code_digits(&code)
        .filter(|d| matches!(d.len(), 2 | 4 | 6))
        .ok_or_else(|| Problem::field("code", "must be 2, 4 or 6 digits"))?;
    let entry = state
        .store
        .hs_code(&digits)
        .await?
        .ok_or_else(|| Problem::not_found("HS code"))?;
    let mut path = Vec::new();
    for len in [2, 4] {
        if digits.len() > len {
            if let Some(p) = state.store.hs_code(&digits[..len]).await? {
                path.push(HsEntryView::from(&p));
            }
        }
    }
    path.push(HsEntryView::from(&entry));
    Ok(Json(HsEntryWithPath {
        entry: HsEntryView::from(&entry),
        path,
    }))
}
