//! The API's JSON shapes, kept apart from storage rows.

use chuhai_store::accounts::{ApiToken, Organisation, User};
use serde::Serialize;
use utoipa::ToSchema;

use crate::time::rfc3339;

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationView {
    pub id: i64,
    /// `platform`, `seller` or `warehouse_operator`.
    pub kind: String,
    pub slug: String,
    pub name: String,
    pub name_zh: Option<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl From<&Organisation> for OrganisationView {
    fn from(o: &Organisation) -> Self {
        Self {
            id: o.id,
            kind: o.kind.as_str().to_owned(),
            slug: o.slug.clone(),
            name: o.name.clone(),
            name_zh: o.name_zh.clone(),
            created_at: rfc3339(o.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub organisation_id: i64,
    pub email: String,
    pub display_name: String,
    /// `owner`, `staff`, `warehouse_operator` or `platform_admin`.
    pub role: String,
    /// The console language: `en` or `zh-CN`; null follows the browser.
    pub locale: Option<String>,
    pub created_at: String,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        Self {
            id: u.id,
            organisation_id: u.organisation_id,
            email: u.email.clone(),
            display_name: u.display_name.clone(),
            role: u.role.as_str().to_owned(),
            locale: u.locale.map(|l| l.as_str().to_owned()),
            created_at: rfc3339(u.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// The token's first characters, to recognise it by.
    pub prefix: String,
    pub scopes: Vec<String>,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

impl From<&ApiToken> for TokenView {
    fn from(t: &ApiToken) -> Self {
        Self {
            id: t.id,
            user_id: t.user_id,
            name: t.name.clone(),
            prefix: t.prefix.clone(),
            scopes: t.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
            created_at: rfc3339(t.created_at),
            expires_at: t.expires_at.map(rfc3339),
            last_used_at: t.last_used_at.map(rfc3339),
            revoked_at: t.revoked_at.map(rfc3339),
        }
    }
}

/// A page of a listing; pass `next_cursor` as `cursor` for the next page.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListOf<T: ToSchema> {
    pub items: Vec<T>,
    /// Absent on the last page.
    pub next_cursor: Option<String>,
}

impl<T: ToSchema> ListOf<T> {
    pub fn from_page<R>(page: chuhai_store::Page<R>, view: impl Fn(&R) -> T) -> Self {
        Self {
            items: page.items.iter().map(view).collect(),
            next_cursor: page.next_after.map(crate::extract::encode_cursor),
        }
    }
}
