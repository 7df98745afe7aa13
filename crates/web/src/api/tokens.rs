//! `/api/v1/auth/tokens`: create, list, show and revoke API tokens.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chuhai_domain::accounts::{parse_display_name, Role, Scope, Scopes};
use chuhai_store::accounts::NewApiToken;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::views::{ListOf, TokenView};
use crate::auth::{new_secret, secret_hash, sign_in, ApiPrincipal, ClientIp};
use crate::extract::{ApiJson, ApiPath, Pagination};
use crate::problem::{FieldProblem, Problem};
use crate::state::AppState;
use crate::time::now_millis;

/// Signs in with e-mail and password and asks for a new API token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTokenRequest {
    pub email: String,
    pub password: String,
    /// A label to recognise the token by (default "API token").
    pub name: Option<String>,
    /// Scopes to grant, e.g. `["account:read"]`; default: all.
    pub scopes: Option<Vec<String>>,
    /// Days until the token expires (1–3650); default: never.
    pub expires_in_days: Option<u32>,
}

/// The new token. `token` is shown only here; Chuhai keeps only its hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    /// The secret to send as `Authorization: Bearer <token>`.
    pub token: String,
    #[serde(flatten)]
    pub api_token: TokenView,
}

/// The secrets' visible prefix.
pub const TOKEN_PREFIX: &str = "chk_";

/// Create an API token by signing in.
#[utoipa::path(post, path = "/api/v1/auth/tokens", tag = "auth",
    request_body = CreateTokenRequest,
    responses(
        (status = 201, description = "Token created", body = CreatedToken),
        (status = 401, description = "Wrong e-mail or password", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed sign-ins", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_token(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<CreateTokenRequest>,
) -> Result<(StatusCode, Json<CreatedToken>), Problem> {
    let mut errors = Vec::new();
    let name = match req.name.as_deref() {
        None => "API token".to_owned(),
        Some(raw) => parse_display_name("name", raw).unwrap_or_else(|e| {
            errors.push(FieldProblem {
                field: "name".into(),
                reason: e.reason,
            });
            String::new()
        }),
    };
    let scopes = match &req.scopes {
        None => Scopes::all(),
        Some(list) => {
            let mut parsed = Vec::new();
            for (i, s) in list.iter().enumerate() {
                match s.parse::<Scope>() {
                    Ok(scope) => parsed.push(scope),
                    Err(reason) => errors.push(FieldProblem {
                        field: format!("scopes[{i}]"),
                        reason,
                    }),
                }
            }
            if list.is_empty() {
                errors.push(FieldProblem {
                    field: "scopes".into(),
                    reason: "must name at least one scope".into(),
                });
            }
            Scopes::from_list(&parsed)
        }
    };
    if let Some(days) = req.expires_in_days {
        if !(1..=3650).contains(&days) {
            errors.push(FieldProblem {
                field: "expires_in_days".into(),
                reason: "must be from 1 to 3650".into(),
            });
        }
    }
    if !errors.is_empty() {
        return Err(Problem::validation(errors));
    }
    let user = sign_in(&state, &req.email, &req.password, &ip).await?;
    let now = now_millis();
    let secret = new_secret(TOKEN_PREFIX);
    let token = state
        .store
        .create_api_token(
            &NewApiToken {
                organisation_id: user.organisation_id,
                user_id: user.id,
                name,
                token_hash: secret_hash(&secret),
                prefix: secret[..TOKEN_PREFIX.len() + 8].to_owned(),
                scopes,
                expires_at: req.expires_in_days.map(|d| now + i64::from(d) * 86_400_000),
            },
            now,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            token: secret,
            api_token: TokenView::from(&token),
        }),
    ))
}

/// Owners see every token of their organisation; others see their own.
fn visible_user_filter(p: &ApiPrincipal) -> Option<i64> {
    if p.0.user.role == Role::Owner {
        None
    } else {
        Some(p.0.user.id)
    }
}

/// List API tokens.
#[utoipa::path(get, path = "/api/v1/auth/tokens", tag = "auth",
    params(("limit" = Option<u32>, Query, description = "1–200, default 50"),
           ("cursor" = Option<String>, Query, description = "next_cursor of the previous page")),
    responses((status = 200, body = ListOf<TokenView>)),
    security(("bearer" = [])))]
pub async fn list_tokens(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    page: Pagination,
) -> Result<Json<ListOf<TokenView>>, Problem> {
    principal.require(Scope::AccountRead)?;
    let p = state
        .store
        .list_api_tokens(
            principal.0.organisation.id,
            visible_user_filter(&principal),
            page.after,
            page.limit,
        )
        .await?;
    Ok(Json(ListOf::from_page(p, |r| TokenView::from(r))))
}

async fn visible_token(
    state: &AppState,
    principal: &ApiPrincipal,
    id: i64,
) -> Result<chuhai_store::accounts::ApiToken, Problem> {
    let token = state
        .store
        .api_token(principal.0.organisation.id, id)
        .await?
        .ok_or_else(|| Problem::not_found("token"))?;
    match visible_user_filter(principal) {
        Some(uid) if token.user_id != uid => Err(Problem::not_found("token")),
        _ => Ok(token),
    }
}

/// Show one API token.
#[utoipa::path(get, path = "/api/v1/auth/tokens/{id}", tag = "auth",
    params(("id" = i64, Path)),
    responses((status = 200, body = TokenView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get_token(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<TokenView>, Problem> {
    principal.require(Scope::AccountRead)?;
    Ok(Json(TokenView::from(
        &visible_token(&state, &principal, id).await?,
    )))
}

/// Revoke an API token. It stops working at once.
#[utoipa::path(delete, path = "/api/v1/auth/tokens/{id}", tag = "auth",
    params(("id" = i64, Path)),
    responses((status = 200, body = TokenView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn revoke_token(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<TokenView>, Problem> {
    principal.require(Scope::AccountWrite)?;
    visible_token(&state, &principal, id).await?;
    let t = state
        .store
        .revoke_api_token(principal.0.organisation.id, id, now_millis())
        .await?;
    Ok(Json(TokenView::from(&t)))
}
