//! Organisations, users, console sessions, API tokens and login throttling.

use chuhai_domain::accounts::{Email, OrganisationKind, Role, Scopes, Slug, UiLocale};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::error::conflict_on_unique;
use crate::{Millis, Page, Store, StoreError};

/// An organisation: the platform operator, a seller (tenant) or a 3PL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub id: i64,
    pub kind: OrganisationKind,
    pub slug: String,
    pub name: String,
    pub name_zh: Option<String>,
    pub created_at: Millis,
}

/// A person who signs in, always inside one organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub organisation_id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub locale: Option<UiLocale>,
    pub created_at: Millis,
}

/// The fields of a new organisation.
#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub kind: OrganisationKind,
    pub slug: Slug,
    pub name: String,
    pub name_zh: Option<String>,
}

/// The fields of a new user; the password is already hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub locale: Option<UiLocale>,
}

/// Who is acting: a user with its organisation, as found by a session or token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user: User,
    pub organisation: Organisation,
    /// The scopes of the token used; all scopes for a console session.
    pub scopes: Scopes,
    /// The token's id when authenticated by API token.
    pub token_id: Option<i64>,
    /// The session's CSRF secret when authenticated by console session.
    pub csrf_token: Option<String>,
    /// Versions of the organisation's pricing data and of the platform's
    /// reference data, for keying caches (see `data_generations`).
    pub generations: (i64, i64),
    /// When the token or session stops being valid; `None` = no expiry.
    pub valid_until: Option<Millis>,
}

/// An API token as listed to its owners (never the secret itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub organisation_id: i64,
    pub user_id: i64,
    pub name: String,
    /// The first characters of the token, to recognise it by.
    pub prefix: String,
    pub scopes: Scopes,
    pub created_at: Millis,
    pub expires_at: Option<Millis>,
    pub last_used_at: Option<Millis>,
    pub revoked_at: Option<Millis>,
}

/// A new API token; `token_hash` is the SHA-256 of the secret in hex.
#[derive(Debug, Clone)]
pub struct NewApiToken {
    pub organisation_id: i64,
    pub user_id: i64,
    pub name: String,
    pub token_hash: String,
    pub prefix: String,
    pub scopes: Scopes,
    pub expires_at: Option<Millis>,
}

/// Recent failed sign-ins counted for throttling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginFailureCounts {
    pub by_email: i64,
    pub by_ip: i64,
    /// The oldest failure in the window, by e-mail or IP, whichever limits.
    pub oldest_at: Option<Millis>,
}

const GENERATIONS: &str = "COALESCE((SELECT g.generation FROM data_generations g WHERE g.organisation_id = o.id), 0) AS org_gen, \
     COALESCE((SELECT g.generation FROM data_generations g WHERE g.organisation_id = 0), 0) AS ref_gen";
const ORG_COLUMNS: &str = "o.id, o.kind, o.slug, o.name, o.name_zh, o.created_at";
const USER_COLUMNS: &str =
    "u.id AS u_id, u.organisation_id, u.email, u.display_name, u.role, u.locale, u.created_at AS u_created_at";

fn corrupt(column: &'static str) -> impl Fn(String) -> StoreError {
    move |reason| StoreError::Corrupt { column, reason }
}

fn org_from_row(row: &AnyRow) -> Result<Organisation, StoreError> {
    Ok(Organisation {
        id: row.try_get("id")?,
        kind: row
            .try_get::<String, _>("kind")?
            .parse()
            .map_err(corrupt("organisations.kind"))?,
        slug: row.try_get("slug")?,
        name: row.try_get("name")?,
        name_zh: row.try_get("name_zh")?,
        created_at: row.try_get("created_at")?,
    })
}

fn user_from_row(row: &AnyRow) -> Result<User, StoreError> {
    Ok(User {
        id: row.try_get("u_id")?,
        organisation_id: row.try_get("organisation_id")?,
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
        role: row
            .try_get::<String, _>("role")?
            .parse()
            .map_err(corrupt("users.role"))?,
        locale: row
            .try_get::<Option<String>, _>("locale")?
            .and_then(|l| UiLocale::parse(&l)),
        created_at: row.try_get("u_created_at")?,
    })
}

fn token_from_row(row: &AnyRow) -> Result<ApiToken, StoreError> {
    Ok(ApiToken {
        id: row.try_get("id")?,
        organisation_id: row.try_get("organisation_id")?,
        user_id: row.try_get("user_id")?,
        name: row.try_get("name")?,
        prefix: row.try_get("token_prefix")?,
        scopes: Scopes::parse_stored(&row.try_get::<String, _>("scopes")?)
            .map_err(corrupt("api_tokens.scopes"))?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        last_used_at: row.try_get("last_used_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

async fn insert_organisation(
    conn: &mut sqlx::AnyConnection,
    org: &NewOrganisation,
    now: Millis,
) -> Result<Organisation, StoreError> {
    let row = sqlx::query(
        "INSERT INTO organisations (kind, slug, name, name_zh, created_at)
         VALUES ($1, $2, $3, $4, $5)
         RETURNING id, kind, slug, name, name_zh, created_at",
    )
    .bind(org.kind.as_str())
    .bind(org.slug.as_str())
    .bind(&org.name)
    .bind(org.name_zh.as_deref())
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| conflict_on_unique(e, "slug"))?;
    org_from_row(&row)
}

async fn insert_user(
    conn: &mut sqlx::AnyConnection,
    organisation_id: i64,
    user: &NewUser,
    now: Millis,
) -> Result<User, StoreError> {
    let row = sqlx::query(
        "INSERT INTO users (organisation_id, email, display_name, password_hash, role, locale, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING id AS u_id, organisation_id, email, display_name, role, locale, created_at AS u_created_at",
    )
    .bind(organisation_id)
    .bind(user.email.as_str())
    .bind(&user.display_name)
    .bind(&user.password_hash)
    .bind(user.role.as_str())
    .bind(user.locale.map(UiLocale::as_str))
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| conflict_on_unique(e, "email"))?;
    user_from_row(&row)
}

impl Store {
    /// Creates an organisation together with its first user, atomically.
    pub async fn create_organisation_with_user(
        &self,
        org: &NewOrganisation,
        user: &NewUser,
        now: Millis,
    ) -> Result<(Organisation, User), StoreError> {
        if !user.role.allowed_in(org.kind) {
            return Err(StoreError::Invalid {
                field: "role",
                reason: format!(
                    "{} is not allowed in a {} organisation",
                    user.role, org.kind
                ),
            });
        }
        let mut tx = self.begin_write().await?;
        let o = insert_organisation(&mut tx, org, now).await?;
        let u = insert_user(&mut tx, o.id, user, now).await?;
        tx.commit().await?;
        Ok((o, u))
    }

    /// Adds a user to an existing organisation.
    pub async fn create_user(
        &self,
        organisation_id: i64,
        user: &NewUser,
        now: Millis,
    ) -> Result<User, StoreError> {
        let mut tx = self.begin_write().await?;
        let org = sqlx::query(&format!(
            "SELECT {ORG_COLUMNS} FROM organisations o WHERE o.id = $1"
        ))
        .bind(organisation_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound {
            what: "organisation",
        })?;
        let org = org_from_row(&org)?;
        if !user.role.allowed_in(org.kind) {
            return Err(StoreError::Invalid {
                field: "role",
                reason: format!(
                    "{} is not allowed in a {} organisation",
                    user.role, org.kind
                ),
            });
        }
        let u = insert_user(&mut tx, organisation_id, user, now).await?;
        tx.commit().await?;
        Ok(u)
    }

    /// Whether any organisation exists (an empty database gets the demo).
    pub async fn has_organisations(&self) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) FROM organisations")
            .fetch_one(self.reader())
            .await?;
        Ok(row.try_get::<i64, _>(0)? > 0)
    }

    pub async fn organisation(&self, id: i64) -> Result<Option<Organisation>, StoreError> {
        sqlx::query(&format!(
            "SELECT {ORG_COLUMNS} FROM organisations o WHERE o.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.reader())
        .await?
        .as_ref()
        .map(org_from_row)
        .transpose()
    }

    pub async fn organisation_by_slug(
        &self,
        slug: &str,
    ) -> Result<Option<Organisation>, StoreError> {
        sqlx::query(&format!(
            "SELECT {ORG_COLUMNS} FROM organisations o WHERE o.slug = $1"
        ))
        .bind(slug)
        .fetch_optional(self.reader())
        .await?
        .as_ref()
        .map(org_from_row)
        .transpose()
    }

    /// Lists organisations (platform administration), by id.
    pub async fn list_organisations(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Page<Organisation>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {ORG_COLUMNS} FROM organisations o WHERE o.id > $1 ORDER BY o.id LIMIT $2"
        ))
        .bind(after)
        .bind(i64::from(limit) + 1)
        .fetch_all(self.reader())
        .await?;
        let items = rows
            .iter()
            .map(org_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_rows(items, limit, |o| o.id))
    }

    /// A user and its stored password hash, for signing in. Disabled users
    /// are not found.
    pub async fn user_for_login(
        &self,
        email: &Email,
    ) -> Result<Option<(User, String)>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, u.password_hash FROM users u
             WHERE u.email = $1 AND u.disabled_at IS NULL"
        ))
        .bind(email.as_str())
        .fetch_optional(self.reader())
        .await?;
        match row {
            None => Ok(None),
            Some(row) => Ok(Some((user_from_row(&row)?, row.try_get("password_hash")?))),
        }
    }

    /// A user of `organisation_id`; another organisation's user is not found.
    pub async fn user_in_organisation(
        &self,
        organisation_id: i64,
        user_id: i64,
    ) -> Result<Option<User>, StoreError> {
        sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1 AND u.organisation_id = $2"
        ))
        .bind(user_id)
        .bind(organisation_id)
        .fetch_optional(self.reader())
        .await?
        .as_ref()
        .map(user_from_row)
        .transpose()
    }

    /// The users of one organisation, by id.
    pub async fn list_users(
        &self,
        organisation_id: i64,
        after: i64,
        limit: u32,
    ) -> Result<Page<User>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u
             WHERE u.organisation_id = $1 AND u.id > $2 ORDER BY u.id LIMIT $3"
        ))
        .bind(organisation_id)
        .bind(after)
        .bind(i64::from(limit) + 1)
        .fetch_all(self.reader())
        .await?;
        let items = rows
            .iter()
            .map(user_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_rows(items, limit, |u| u.id))
    }

    /// Saves a user's console language.
    pub async fn set_user_locale(&self, user_id: i64, locale: UiLocale) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE users SET locale = $1 WHERE id = $2")
            .bind(locale.as_str())
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a console session; `token_hash` is the SHA-256 hex of the cookie.
    pub async fn create_session(
        &self,
        user: &User,
        token_hash: &str,
        csrf_token: &str,
        now: Millis,
        expires_at: Millis,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        // Sessions past their expiry are swept whenever a new one starts.
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (organisation_id, user_id, token_hash, csrf_token, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(user.organisation_id)
        .bind(user.id)
        .bind(token_hash)
        .bind(csrf_token)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The principal behind a live console session.
    pub async fn session_principal(
        &self,
        token_hash: &str,
        now: Millis,
    ) -> Result<Option<Principal>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, {ORG_COLUMNS}, s.csrf_token, s.expires_at AS valid_until, {GENERATIONS}
             FROM sessions s JOIN users u ON u.id = s.user_id
             JOIN organisations o ON o.id = u.organisation_id
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL"
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(self.reader())
        .await?;
        let Some(row) = row else { return Ok(None) };
        self.observe_generations(&row)?;
        Ok(Some(Principal {
            user: user_from_row(&row)?,
            organisation: org_from_row(&row)?,
            scopes: Scopes::all(),
            token_id: None,
            csrf_token: Some(row.try_get("csrf_token")?),
            generations: (row.try_get("org_gen")?, row.try_get("ref_gen")?),
            valid_until: row.try_get("valid_until")?,
        }))
    }

    /// Ends a console session (logout).
    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn create_api_token(
        &self,
        token: &NewApiToken,
        now: Millis,
    ) -> Result<ApiToken, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO api_tokens (organisation_id, user_id, name, token_hash, token_prefix, scopes, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             RETURNING id, organisation_id, user_id, name, token_prefix, scopes, created_at, expires_at, last_used_at, revoked_at",
        )
        .bind(token.organisation_id)
        .bind(token.user_id)
        .bind(&token.name)
        .bind(&token.token_hash)
        .bind(&token.prefix)
        .bind(token.scopes.to_stored())
        .bind(now)
        .bind(token.expires_at)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| conflict_on_unique(e, "token"))?;
        let t = token_from_row(&row)?;
        tx.commit().await?;
        Ok(t)
    }

    /// The principal behind a live (not revoked, not expired) API token.
    pub async fn token_principal(
        &self,
        token_hash: &str,
        now: Millis,
    ) -> Result<Option<Principal>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, {ORG_COLUMNS}, t.id AS t_id, t.scopes, t.last_used_at, t.expires_at AS valid_until, {GENERATIONS}
             FROM api_tokens t JOIN users u ON u.id = t.user_id
             JOIN organisations o ON o.id = u.organisation_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL
               AND (t.expires_at IS NULL OR t.expires_at > $2) AND u.disabled_at IS NULL"
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(self.reader())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let token_id: i64 = row.try_get("t_id")?;
        let last_used: Option<i64> = row.try_get("last_used_at")?;
        // Usage is recorded at most once a minute per token so that reads
        // on the hot path do not each become a write.
        if last_used.is_none_or(|t| now - t >= 60_000) {
            let mut tx = self.begin_write().await?;
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(token_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        self.observe_generations(&row)?;
        Ok(Some(Principal {
            user: user_from_row(&row)?,
            organisation: org_from_row(&row)?,
            scopes: Scopes::parse_stored(&row.try_get::<String, _>("scopes")?)
                .map_err(corrupt("api_tokens.scopes"))?,
            token_id: Some(token_id),
            csrf_token: None,
            generations: (row.try_get("org_gen")?, row.try_get("ref_gen")?),
            valid_until: row.try_get("valid_until")?,
        }))
    }

    /// The tokens of an organisation; `user_id` narrows to one user's.
    pub async fn list_api_tokens(
        &self,
        organisation_id: i64,
        user_id: Option<i64>,
        after: i64,
        limit: u32,
    ) -> Result<Page<ApiToken>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, organisation_id, user_id, name, token_prefix, scopes, created_at, expires_at, last_used_at, revoked_at
             FROM api_tokens
             WHERE organisation_id = $1 AND ($2 = 0 OR user_id = $2) AND id > $3
             ORDER BY id LIMIT $4",
        )
        .bind(organisation_id)
        .bind(user_id.unwrap_or(0))
        .bind(after)
        .bind(i64::from(limit) + 1)
        .fetch_all(self.reader())
        .await?;
        let items = rows
            .iter()
            .map(token_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_rows(items, limit, |t| t.id))
    }

    /// One token of an organisation; another organisation's is not found.
    pub async fn api_token(
        &self,
        organisation_id: i64,
        id: i64,
    ) -> Result<Option<ApiToken>, StoreError> {
        sqlx::query(
            "SELECT id, organisation_id, user_id, name, token_prefix, scopes, created_at, expires_at, last_used_at, revoked_at
             FROM api_tokens WHERE organisation_id = $1 AND id = $2",
        )
        .bind(organisation_id)
        .bind(id)
        .fetch_optional(self.reader())
        .await?
        .as_ref()
        .map(token_from_row)
        .transpose()
    }

    /// Revokes a token of `organisation_id`. Revoking twice keeps the first
    /// time. Returns the token as it now stands.
    pub async fn revoke_api_token(
        &self,
        organisation_id: i64,
        id: i64,
        now: Millis,
    ) -> Result<ApiToken, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1)
             WHERE organisation_id = $2 AND id = $3
             RETURNING id, organisation_id, user_id, name, token_prefix, scopes, created_at, expires_at, last_used_at, revoked_at",
        )
        .bind(now)
        .bind(organisation_id)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound { what: "token" })?;
        let t = token_from_row(&row)?;
        tx.commit().await?;
        Ok(t)
    }

    /// Records one failed sign-in and drops failures older than `forget_before`.
    pub async fn record_login_failure(
        &self,
        email: &str,
        client_ip: &str,
        now: Millis,
        forget_before: Millis,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM login_failures WHERE at < $1")
            .bind(forget_before)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO login_failures (email, client_ip, at) VALUES ($1, $2, $3)")
            .bind(email)
            .bind(client_ip)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Failed sign-ins since `since`, by e-mail and by client address.
    pub async fn login_failures_since(
        &self,
        email: &str,
        client_ip: &str,
        since: Millis,
    ) -> Result<LoginFailureCounts, StoreError> {
        let row = sqlx::query(
            "SELECT
               (SELECT COUNT(*) FROM login_failures WHERE email = $1 AND at >= $3) AS by_email,
               (SELECT COUNT(*) FROM login_failures WHERE client_ip = $2 AND at >= $3) AS by_ip,
               (SELECT MIN(at) FROM login_failures WHERE (email = $1 OR client_ip = $2) AND at >= $3) AS oldest",
        )
        .bind(email)
        .bind(client_ip)
        .bind(since)
        .fetch_one(self.reader())
        .await?;
        Ok(LoginFailureCounts {
            by_email: row.try_get("by_email")?,
            by_ip: row.try_get("by_ip")?,
            oldest_at: row.try_get("oldest")?,
        })
    }

    /// Forgets an e-mail's failures after a successful sign-in.
    pub async fn clear_login_failures(&self, email: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM login_failures WHERE email = $1")
            .bind(email)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Users and live (not revoked, not expired) API tokens of an organisation.
    pub async fn organisation_counts(
        &self,
        organisation_id: i64,
        now: Millis,
    ) -> Result<(i64, i64), StoreError> {
        let row = sqlx::query(
            "SELECT
               (SELECT COUNT(*) FROM users WHERE organisation_id = $1 AND disabled_at IS NULL) AS users,
               (SELECT COUNT(*) FROM api_tokens WHERE organisation_id = $1 AND revoked_at IS NULL
                  AND (expires_at IS NULL OR expires_at > $2)) AS tokens",
        )
        .bind(organisation_id)
        .bind(now)
        .fetch_one(self.reader())
        .await?;
        Ok((row.try_get("users")?, row.try_get("tokens")?))
    }
}

impl Store {
    /// Tells the read cache the data generations a principal lookup read.
    fn observe_generations(&self, row: &AnyRow) -> Result<(), StoreError> {
        let org: i64 = row.try_get("id")?;
        self.read_cache.observe(org, row.try_get("org_gen")?);
        self.read_cache.observe(0, row.try_get("ref_gen")?);
        Ok(())
    }
}
