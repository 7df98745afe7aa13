//! `/api/v1/me`, sign-up, organisations and their users.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chuhai_domain::accounts::{
    hash_password, parse_display_name, Email, FieldError, NewPassword, OrganisationKind, Role,
    Scope, Slug,
};
use chuhai_store::accounts::{NewOrganisation, NewUser};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::views::{ListOf, OrganisationView, UserView};
use crate::auth::ApiPrincipal;
use crate::extract::{ApiJson, ApiPath, Pagination};
use crate::problem::{FieldProblem, Problem};
use crate::state::AppState;
use crate::time::now_millis;

#[derive(Debug, Serialize, ToSchema)]
pub struct MeView {
    pub user: UserView,
    pub organisation: OrganisationView,
    /// The scopes of the token used.
    pub scopes: Vec<String>,
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses((status = 200, body = MeView), (status = 401, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn me(principal: ApiPrincipal) -> Result<Json<MeView>, Problem> {
    principal.require(Scope::AccountRead)?;
    let p = &principal.0;
    Ok(Json(MeView {
        user: UserView::from(&p.user),
        organisation: OrganisationView::from(&p.organisation),
        scopes: p.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
    }))
}

/// A new seller organisation and its owner.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    pub organisation_name: String,
    pub organisation_name_zh: Option<String>,
    /// 2–40 of a-z, 0-9 and '-'; used in URLs.
    pub slug: String,
    pub owner_name: String,
    pub email: String,
    /// At least 10 characters.
    pub password: String,
    /// `en` or `zh-CN`.
    pub locale: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignupResponse {
    pub organisation: OrganisationView,
    pub user: UserView,
}

/// Collects every field error of a request at once.
#[derive(Default)]
pub(crate) struct Fields(Vec<FieldProblem>);

impl Fields {
    pub fn take<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(FieldProblem {
                    field: e.field.to_owned(),
                    reason: e.reason,
                });
                None
            }
        }
    }

    pub fn push(&mut self, field: &str, reason: &str) {
        self.0.push(FieldProblem {
            field: field.to_owned(),
            reason: reason.to_owned(),
        });
    }

    pub fn finish(self) -> Result<(), Problem> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Problem::validation(self.0))
        }
    }
}

/// Parsed sign-up fields, ready to store.
pub(crate) struct Signup {
    pub organisation: NewOrganisation,
    pub owner: NewUser,
}

/// Validates a sign-up and hashes its password (on a blocking thread).
pub(crate) async fn parse_signup(req: &SignupRequest) -> Result<Signup, Problem> {
    let mut f = Fields::default();
    let name = f.take(parse_display_name(
        "organisation_name",
        &req.organisation_name,
    ));
    let name_zh = match req.organisation_name_zh.as_deref().map(str::trim) {
        None | Some("") => Some(None),
        Some(raw) => f
            .take(parse_display_name("organisation_name_zh", raw))
            .map(Some),
    };
    let slug = f.take(Slug::parse(req.slug.trim()));
    let owner_name = f.take(parse_display_name("owner_name", &req.owner_name));
    let email = f.take(Email::parse(&req.email));
    let password = f.take(NewPassword::parse(&req.password));
    let locale = match req.locale.as_deref() {
        None | Some("") => Some(None),
        Some(raw) => match chuhai_domain::accounts::UiLocale::parse(raw) {
            Some(l) => Some(Some(l)),
            None => {
                f.push("locale", "must be en or zh-CN");
                None
            }
        },
    };
    f.finish()?;
    let (
        Some(name),
        Some(name_zh),
        Some(slug),
        Some(owner_name),
        Some(email),
        Some(password),
        Some(locale),
    ) = (name, name_zh, slug, owner_name, email, password, locale)
    else {
        return Err(Problem::internal());
    };
    let hash = hash_blocking(password).await?;
    Ok(Signup {
        organisation: NewOrganisation {
            kind: OrganisationKind::Seller,
            slug,
            name,
            name_zh,
        },
        owner: NewUser {
            email,
            display_name: owner_name,
            password_hash: hash,
            role: Role::Owner,
            locale,
        },
    })
}

pub(crate) async fn hash_blocking(password: NewPassword) -> Result<String, Problem> {
    tokio::task::spawn_blocking(move || hash_password(password.expose()).0)
        .await
        .map_err(|_| Problem::internal())
}

/// Sign up a new seller organisation with its owner.
#[utoipa::path(post, path = "/api/v1/signup", tag = "account",
    request_body = SignupRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "retry safely with the same key")),
    responses(
        (status = 201, body = SignupResponse),
        (status = 409, description = "Slug or e-mail taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn signup(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<SignupRequest>,
) -> Result<(StatusCode, Json<SignupResponse>), Problem> {
    let s = parse_signup(&req).await?;
    let (org, user) = state
        .store
        .create_organisation_with_user(&s.organisation, &s.owner, now_millis())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(SignupResponse {
            organisation: OrganisationView::from(&org),
            user: UserView::from(&user),
        }),
    ))
}

/// The caller's own organisation; any other id is not found.
fn own_organisation(principal: &ApiPrincipal, id: i64) -> Result<(), Problem> {
    if principal.0.organisation.id == id {
        Ok(())
    } else {
        Err(Problem::not_found("organisation"))
    }
}

/// Show an organisation (your own).
#[utoipa::path(get, path = "/api/v1/organisations/{id}", tag = "account",
    params(("id" = i64, Path)),
    responses((status = 200, body = OrganisationView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get_organisation(
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<OrganisationView>, Problem> {
    principal.require(Scope::AccountRead)?;
    own_organisation(&principal, id)?;
    Ok(Json(OrganisationView::from(&principal.0.organisation)))
}

/// List the users of your organisation.
#[utoipa::path(get, path = "/api/v1/organisations/{id}/users", tag = "account",
    params(("id" = i64, Path), ("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = ListOf<UserView>), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list_users(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    page: Pagination,
) -> Result<Json<ListOf<UserView>>, Problem> {
    principal.require(Scope::AccountRead)?;
    own_organisation(&principal, id)?;
    let p = state.store.list_users(id, page.after, page.limit).await?;
    Ok(Json(ListOf::from_page(p, |r| UserView::from(r))))
}

/// Show one user of your organisation.
#[utoipa::path(get, path = "/api/v1/organisations/{id}/users/{user_id}", tag = "account",
    params(("id" = i64, Path), ("user_id" = i64, Path)),
    responses((status = 200, body = UserView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn get_user(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath((id, user_id)): ApiPath<(i64, i64)>,
) -> Result<Json<UserView>, Problem> {
    principal.require(Scope::AccountRead)?;
    own_organisation(&principal, id)?;
    let u = state
        .store
        .user_in_organisation(id, user_id)
        .await?
        .ok_or_else(|| Problem::not_found("user"))?;
    Ok(Json(UserView::from(&u)))
}

/// A new member of the caller's organisation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMemberRequest {
    pub email: String,
    pub display_name: String,
    pub password: String,
    /// `staff` (default) or `owner` in a seller; `warehouse_operator` or
    /// `owner` in a warehouse operator.
    pub role: Option<String>,
}

/// Add a user to your organisation (owners only).
#[utoipa::path(post, path = "/api/v1/organisations/{id}/users", tag = "account",
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body = NewMemberRequest,
    responses((status = 201, body = UserView), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn add_user(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<NewMemberRequest>,
) -> Result<(StatusCode, Json<UserView>), Problem> {
    principal.require(Scope::AccountWrite)?;
    own_organisation(&principal, id)?;
    if !principal.0.user.role.manages_organisation() {
        return Err(Problem::forbidden("only an owner may add users"));
    }
    let kind = principal.0.organisation.kind;
    let mut f = Fields::default();
    let email = f.take(Email::parse(&req.email));
    let name = f.take(parse_display_name("display_name", &req.display_name));
    let password = f.take(NewPassword::parse(&req.password));
    let default_role = if kind == OrganisationKind::WarehouseOperator {
        Role::WarehouseOperator
    } else {
        Role::Staff
    };
    let role = match req.role.as_deref() {
        None => Some(default_role),
        Some(raw) => match raw.parse::<Role>() {
            Ok(r) if r.allowed_in(kind) => Some(r),
            Ok(r) => {
                f.push(
                    "role",
                    &format!("{r} is not a role in a {kind} organisation"),
                );
                None
            }
            Err(reason) => {
                f.push("role", &reason);
                None
            }
        },
    };
    f.finish()?;
    let (Some(email), Some(display_name), Some(password), Some(role)) =
        (email, name, password, role)
    else {
        return Err(Problem::internal());
    };
    let password_hash = hash_blocking(password).await?;
    let u = state
        .store
        .create_user(
            id,
            &NewUser {
                email,
                display_name,
                password_hash,
                role,
                locale: None,
            },
            now_millis(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(UserView::from(&u))))
}

/// List every organisation (platform administrators only).
#[utoipa::path(get, path = "/api/v1/admin/organisations", tag = "platform",
    params(("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = ListOf<OrganisationView>), (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list_organisations(
    State(state): State<AppState>,
    principal: ApiPrincipal,
    page: Pagination,
) -> Result<Json<ListOf<OrganisationView>>, Problem> {
    principal.require(Scope::AccountRead)?;
    if principal.0.user.role != Role::PlatformAdmin {
        return Err(Problem::forbidden(
            "only platform administrators may list organisations",
        ));
    }
    let p = state
        .store
        .list_organisations(page.after, page.limit)
        .await?;
    Ok(Json(ListOf::from_page(p, |r| OrganisationView::from(r))))
}
