//! `/console`: server-rendered pages for seller and warehouse staff.
//!
//! Sessions are random cookies whose SHA-256 is stored in the database with
//! a CSRF secret; every form that changes something carries that secret.
//! Before sign-in, a double-submit cookie protects the sign-in and sign-up
//! forms.

mod catalog;
mod cookies;
mod customs;
mod hs;
mod i18n;
mod imports;
mod inventory;
mod landed;
mod orders;
mod pricing;
mod returns;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chuhai_domain::accounts::{Scopes, UiLocale};
use chuhai_store::accounts::{NewApiToken, Principal};
use serde::Deserialize;

use crate::api::account::{parse_signup, SignupRequest};
use crate::api::tokens::TOKEN_PREFIX;
use crate::auth::{new_secret, secret_hash, sign_in, ClientIp, LoginError};
use crate::extract::ApiPath;
use crate::problem::Problem;
use crate::state::AppState;
use crate::time::{now_millis, rfc3339};
use i18n::Tr;

/// How long a console session lasts, in seconds.
const SESSION_SECS: i64 = 7 * 24 * 3600;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/console") }))
        .route("/console", get(dashboard))
        .route("/console/login", get(login_page).post(login))
        .route("/console/logout", post(logout))
        .route("/console/signup", get(signup_page).post(signup))
        .route("/console/language", post(set_language))
        .route("/console/settings", get(settings))
        .route("/console/settings/tokens", post(create_token))
        .route("/console/settings/tokens/{id}/revoke", post(revoke_token))
        .merge(catalog::router())
        .merge(customs::router())
        .merge(landed::router())
        .merge(hs::router())
        .merge(imports::router())
        .merge(pricing::router())
        .merge(inventory::router())
        .merge(orders::router())
        .merge(returns::router())
}

/// What the page frame needs: language, who is signed in, the CSRF secret.
struct Shell {
    t: &'static Tr,
    signed_in: bool,
    user_name: String,
    org_name: String,
    csrf: String,
    /// The navigation entry to highlight.
    active: &'static str,
    /// This page's path, to come back to after switching language.
    here: String,
}

impl Shell {
    fn for_principal(
        p: &Principal,
        locale: UiLocale,
        active: &'static str,
        here: impl Into<String>,
    ) -> Self {
        let t = Tr::for_locale(locale);
        let org_name = match (&p.organisation.name_zh, locale) {
            (Some(zh), UiLocale::ZhCn) => zh.clone(),
            _ => p.organisation.name.clone(),
        };
        Shell {
            t,
            signed_in: true,
            user_name: p.user.display_name.clone(),
            org_name,
            csrf: p.csrf_token.clone().unwrap_or_default(),
            active,
            here: here.into(),
        }
    }

    fn anonymous(locale: UiLocale, here: &'static str) -> Self {
        Shell {
            t: Tr::for_locale(locale),
            signed_in: false,
            user_name: String::new(),
            org_name: String::new(),
            csrf: String::new(),
            active: "",
            here: here.to_owned(),
        }
    }
}

/// The language of a page: the user's setting, then the language cookie,
/// then the browser's `Accept-Language`, then English.
fn locale(headers: &HeaderMap, principal: Option<&Principal>) -> UiLocale {
    principal
        .and_then(|p| p.user.locale)
        .or_else(|| cookies::get(headers, cookies::LANG).and_then(UiLocale::parse))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(UiLocale::from_accept_language)
        })
        .unwrap_or_default()
}

async fn session(state: &AppState, headers: &HeaderMap) -> Result<Option<Principal>, Problem> {
    let Some(cookie) = cookies::get(headers, cookies::SESSION) else {
        return Ok(None);
    };
    Ok(state
        .store
        .session_principal(&secret_hash(cookie), now_millis())
        .await?)
}

/// Compares secrets in time independent of where they first differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn html<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(body) => {
            let mut res = (status, body).into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
                ),
            );
            h.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            Problem::internal().into_response()
        }
    }
}

fn to_login() -> Response {
    Redirect::to("/console/login").into_response()
}

fn with_cookie(mut res: Response, cookie: String) -> Response {
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    shell: Shell,
    org_kind: &'static str,
    role: &'static str,
    slug: String,
    members: i64,
    tokens: i64,
    products: i64,
    variants: i64,
    markets: usize,
}

async fn dashboard(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    let loc = locale(&headers, Some(&p));
    let (members, tokens) = state
        .store
        .organisation_counts(p.organisation.id, now_millis())
        .await?;
    let (products, variants) = state.store.catalog_counts(p.organisation.id).await?;
    let markets = state.store.list_markets(p.organisation.id).await?.len();
    let shell = Shell::for_principal(&p, loc, "dashboard", "/console");
    let page = DashboardPage {
        org_kind: shell.t.kind(p.organisation.kind),
        role: shell.t.role(p.user.role),
        slug: p.organisation.slug.clone(),
        members,
        tokens,
        products,
        variants,
        markets,
        shell,
    };
    Ok(html(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    shell: Shell,
    login_csrf: String,
    email: String,
    error: Option<String>,
    demo: Option<(String, String)>,
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

/// Renders a pre-sign-in page with a fresh double-submit CSRF cookie and,
/// when `?lang=` is given, remembers that language.
fn anonymous_page<T: Template>(
    state: &AppState,
    status: StatusCode,
    csrf: String,
    lang: Option<UiLocale>,
    page: &T,
) -> Response {
    let secure = state.settings.cookie_secure;
    let mut res = with_cookie(
        html(status, page),
        cookies::set(cookies::LOGIN_CSRF, &csrf, 3600, secure),
    );
    if let Some(l) = lang {
        res = with_cookie(
            res,
            cookies::set(cookies::LANG, l.as_str(), 365 * 86_400, secure),
        );
    }
    res
}

fn requested_lang(headers: &HeaderMap, q: &LangQuery) -> (UiLocale, Option<UiLocale>) {
    let chosen = q.lang.as_deref().and_then(UiLocale::parse);
    (chosen.unwrap_or_else(|| locale(headers, None)), chosen)
}

async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Result<Response, Problem> {
    if session(&state, &headers).await?.is_some() {
        return Ok(Redirect::to("/console").into_response());
    }
    let (loc, chosen) = requested_lang(&headers, &q);
    let csrf = new_secret("");
    let page = LoginPage {
        shell: Shell::anonymous(loc, "/console/login"),
        login_csrf: csrf.clone(),
        email: String::new(),
        error: None,
        demo: state.settings.demo_login.clone(),
    };
    Ok(anonymous_page(&state, StatusCode::OK, csrf, chosen, &page))
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    csrf: String,
}

fn login_csrf_ok(headers: &HeaderMap, form_csrf: &str) -> bool {
    cookies::get(headers, cookies::LOGIN_CSRF)
        .is_some_and(|c| !c.is_empty() && same_secret(c, form_csrf))
}

async fn start_session(
    state: &AppState,
    user: &chuhai_store::accounts::User,
) -> Result<Response, Problem> {
    let secret = new_secret("");
    let csrf = new_secret("");
    let now = now_millis();
    state
        .store
        .create_session(
            user,
            &secret_hash(&secret),
            &csrf,
            now,
            now + SESSION_SECS * 1000,
        )
        .await?;
    let secure = state.settings.cookie_secure;
    let res = with_cookie(
        Redirect::to("/console").into_response(),
        cookies::set(cookies::SESSION, &secret, SESSION_SECS, secure),
    );
    Ok(with_cookie(
        res,
        cookies::clear(cookies::LOGIN_CSRF, secure),
    ))
}

async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    Form(form): Form<LoginForm>,
) -> Result<Response, Problem> {
    let loc = locale(&headers, None);
    let t = Tr::for_locale(loc);
    let (status, error) = if !login_csrf_ok(&headers, &form.csrf) {
        (StatusCode::FORBIDDEN, t.session_expired.to_owned())
    } else {
        match sign_in(&state, &form.email, &form.password, &ip).await {
            Ok(user) => return start_session(&state, &user).await,
            Err(LoginError::Invalid) => (StatusCode::UNAUTHORIZED, t.login_failed.to_owned()),
            Err(LoginError::Throttled { retry_after_secs }) => (
                StatusCode::TOO_MANY_REQUESTS,
                format!("{} {} {}", t.login_throttled, retry_after_secs, t.seconds),
            ),
            Err(LoginError::Internal(p)) => return Err(p),
        }
    };
    let csrf = new_secret("");
    let page = LoginPage {
        shell: Shell::anonymous(loc, "/console/login"),
        login_csrf: csrf.clone(),
        email: form.email,
        error: Some(error),
        demo: state.settings.demo_login.clone(),
    };
    Ok(anonymous_page(&state, status, csrf, None, &page))
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

/// The signed-in principal, if the form's CSRF secret matches its session.
async fn session_with_csrf(
    state: &AppState,
    headers: &HeaderMap,
    form_csrf: &str,
) -> Result<Option<Principal>, Problem> {
    Ok(session(state, headers).await?.filter(|p| {
        p.csrf_token
            .as_deref()
            .is_some_and(|c| same_secret(c, form_csrf))
    }))
}

/// Where a console form leads once its step ran: to `done` when it
/// worked; a refusal the form's page can show (see [`inventory::shown`])
/// is shown by `again`, given the refusal's status; other problems
/// propagate.
async fn after_step<F, Fut>(
    result: Result<(), Problem>,
    done: &str,
    again: F,
) -> Result<Response, Problem>
where
    F: FnOnce(StatusCode, Problem) -> Fut,
    Fut: std::future::Future<Output = Result<Response, Problem>>,
{
    match result {
        Ok(()) => Ok(Redirect::to(done).into_response()),
        Err(e) if inventory::shown(&e) => {
            let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            again(status, e).await
        }
        Err(e) => Err(e),
    }
}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, Problem> {
    if session_with_csrf(&state, &headers, &form.csrf)
        .await?
        .is_some()
    {
        if let Some(cookie) = cookies::get(&headers, cookies::SESSION) {
            state.store.delete_session(&secret_hash(cookie)).await?;
        }
    }
    Ok(with_cookie(
        Redirect::to("/console/login").into_response(),
        cookies::clear(cookies::SESSION, state.settings.cookie_secure),
    ))
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    shell: Shell,
    login_csrf: String,
    form: SignupFields,
    errors: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
struct SignupFields {
    organisation_name: String,
    organisation_name_zh: String,
    slug: String,
    owner_name: String,
    email: String,
}

async fn signup_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Result<Response, Problem> {
    let (loc, chosen) = requested_lang(&headers, &q);
    let csrf = new_secret("");
    let page = SignupPage {
        shell: Shell::anonymous(loc, "/console/signup"),
        login_csrf: csrf.clone(),
        form: SignupFields::default(),
        errors: Vec::new(),
    };
    Ok(anonymous_page(&state, StatusCode::OK, csrf, chosen, &page))
}

#[derive(Deserialize)]
struct SignupForm {
    organisation_name: String,
    organisation_name_zh: String,
    slug: String,
    owner_name: String,
    email: String,
    password: String,
    csrf: String,
}

async fn signup(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<SignupForm>,
) -> Result<Response, Problem> {
    let loc = locale(&headers, None);
    let t = Tr::for_locale(loc);
    let errors: Vec<(String, String)> = if !login_csrf_ok(&headers, &form.csrf) {
        vec![(String::new(), t.session_expired.to_owned())]
    } else {
        let req = SignupRequest {
            organisation_name: form.organisation_name.clone(),
            organisation_name_zh: Some(form.organisation_name_zh.clone()),
            slug: form.slug.clone(),
            owner_name: form.owner_name.clone(),
            email: form.email.clone(),
            password: form.password.clone(),
            locale: Some(loc.as_str().to_owned()),
        };
        let outcome = match parse_signup(&req).await {
            Ok(s) => state
                .store
                .create_organisation_with_user(&s.organisation, &s.owner, now_millis())
                .await
                .map_err(Problem::from),
            Err(p) => Err(p),
        };
        match outcome {
            Ok((_, user)) => return start_session(&state, &user).await,
            Err(p) if p.errors.is_empty() => return Err(p),
            Err(p) => p.errors.into_iter().map(|e| (e.field, e.reason)).collect(),
        }
    };
    let csrf = new_secret("");
    let page = SignupPage {
        shell: Shell::anonymous(loc, "/console/signup"),
        login_csrf: csrf.clone(),
        form: SignupFields {
            organisation_name: form.organisation_name,
            organisation_name_zh: form.organisation_name_zh,
            slug: form.slug,
            owner_name: form.owner_name,
            email: form.email,
        },
        errors,
    };
    Ok(anonymous_page(
        &state,
        StatusCode::UNPROCESSABLE_ENTITY,
        csrf,
        None,
        &page,
    ))
}

#[derive(Deserialize)]
struct LanguageForm {
    lang: String,
    csrf: String,
    next: Option<String>,
}

async fn set_language(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<LanguageForm>,
) -> Result<Response, Problem> {
    let Some(p) = session_with_csrf(&state, &headers, &form.csrf).await? else {
        return Ok(to_login());
    };
    let Some(lang) = UiLocale::parse(&form.lang) else {
        return Err(Problem::field("lang", "must be en or zh-CN"));
    };
    state.store.set_user_locale(p.user.id, lang).await?;
    // Only console paths are valid places to return to.
    let next = form
        .next
        .filter(|n| n.starts_with("/console") && !n.contains("//"))
        .unwrap_or_else(|| "/console".to_owned());
    Ok(with_cookie(
        Redirect::to(&next).into_response(),
        cookies::set(
            cookies::LANG,
            lang.as_str(),
            365 * 86_400,
            state.settings.cookie_secure,
        ),
    ))
}

struct TokenRow {
    id: i64,
    name: String,
    prefix: String,
    created: String,
    last_used: Option<String>,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    shell: Shell,
    email: String,
    role: &'static str,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
}

async fn settings_page(
    state: &AppState,
    headers: &HeaderMap,
    p: &Principal,
    new_token: Option<String>,
) -> Result<Response, Problem> {
    let loc = locale(headers, Some(p));
    let list = state
        .store
        .list_api_tokens(p.organisation.id, Some(p.user.id), 0, 200)
        .await?;
    let tokens = list
        .items
        .iter()
        .rev()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name.clone(),
            prefix: t.prefix.clone(),
            created: rfc3339(t.created_at).replace('T', " ").replace('Z', " UTC"),
            last_used: t
                .last_used_at
                .map(|m| rfc3339(m).replace('T', " ").replace('Z', " UTC")),
            revoked: t.revoked_at.is_some(),
        })
        .collect();
    let shell = Shell::for_principal(p, loc, "settings", "/console/settings");
    let page = SettingsPage {
        role: shell.t.role(p.user.role),
        shell,
        email: p.user.email.clone(),
        tokens,
        new_token,
    };
    Ok(html(StatusCode::OK, &page))
}

async fn settings(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Problem> {
    let Some(p) = session(&state, &headers).await? else {
        return Ok(to_login());
    };
    settings_page(&state, &headers, &p, None).await
}

#[derive(Deserialize)]
struct TokenForm {
    name: String,
    csrf: String,
}

async fn create_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Result<Response, Problem> {
    let Some(p) = session_with_csrf(&state, &headers, &form.csrf).await? else {
        return Ok(to_login());
    };
    let name = chuhai_domain::accounts::parse_display_name("name", &form.name)?;
    let secret = new_secret(TOKEN_PREFIX);
    state
        .store
        .create_api_token(
            &NewApiToken {
                organisation_id: p.organisation.id,
                user_id: p.user.id,
                name,
                token_hash: secret_hash(&secret),
                prefix: secret[..TOKEN_PREFIX.len() + 8].to_owned(),
                scopes: Scopes::all(),
                expires_at: None,
            },
            now_millis(),
        )
        .await?;
    settings_page(&state, &headers, &p, Some(secret)).await
}

async fn revoke_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, Problem> {
    let Some(p) = session_with_csrf(&state, &headers, &form.csrf).await? else {
        return Ok(to_login());
    };
    let own = state
        .store
        .api_token(p.organisation.id, id)
        .await?
        .filter(|t| t.user_id == p.user.id)
        .ok_or_else(|| Problem::not_found("token"))?;
    state
        .store
        .revoke_api_token(p.organisation.id, own.id, now_millis())
        .await?;
    Ok(Redirect::to("/console/settings").into_response())
}
