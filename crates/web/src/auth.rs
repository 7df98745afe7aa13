//! Authentication: API bearer tokens, console sessions, sign-in throttling.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use chuhai_domain::accounts::{verify_password, Email, Scope, DUMMY_PASSWORD_HASH};
use chuhai_store::accounts::{Principal, User};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

use crate::problem::Problem;
use crate::state::AppState;
use crate::time::now_millis;

/// Failed sign-ins counted per e-mail and per client address.
pub const LOGIN_WINDOW_MS: i64 = 15 * 60 * 1000;
/// Failures per e-mail within the window before sign-in is refused.
pub const MAX_FAILURES_PER_EMAIL: i64 = 5;
/// Failures per client address within the window before sign-in is refused.
pub const MAX_FAILURES_PER_IP: i64 = 30;

/// A new random secret: `prefix` + 64 hex digits (256 bits).
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let mut s = String::with_capacity(prefix.len() + 64);
    s.push_str(prefix);
    push_hex(&mut s, &bytes);
    s
}

/// SHA-256 of `secret` in lower-case hex: what the database keeps of tokens
/// and session cookies.
pub fn secret_hash(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    let mut s = String::with_capacity(64);
    push_hex(&mut s, &digest);
    s
}

fn push_hex(out: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 15) as usize] as char);
    }
}

/// Why a sign-in was refused.
#[derive(Debug)]
pub enum LoginError {
    /// Unknown e-mail or wrong password: deliberately not saying which.
    Invalid,
    /// Too many recent failures; retry after this many seconds.
    Throttled {
        retry_after_secs: u64,
    },
    Internal(Problem),
}

impl From<LoginError> for Problem {
    fn from(e: LoginError) -> Self {
        match e {
            LoginError::Invalid => Problem::unauthorized("the e-mail or password is not correct"),
            LoginError::Throttled { retry_after_secs } => {
                let mut p = Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_attempts",
                    format!("too many failed sign-ins; try again in {retry_after_secs} seconds"),
                );
                p.retry_after = Some(retry_after_secs);
                p
            }
            LoginError::Internal(p) => p,
        }
    }
}

/// Checks an e-mail and password, with throttling of repeated failures.
pub async fn sign_in(
    state: &AppState,
    raw_email: &str,
    password: &str,
    client_ip: &str,
) -> Result<User, LoginError> {
    let now = now_millis();
    let email_key = raw_email.trim().to_lowercase();
    let counts = state
        .store
        .login_failures_since(&email_key, client_ip, now - LOGIN_WINDOW_MS)
        .await
        .map_err(|e| LoginError::Internal(e.into()))?;
    if counts.by_email >= MAX_FAILURES_PER_EMAIL || counts.by_ip >= MAX_FAILURES_PER_IP {
        let oldest = counts.oldest_at.unwrap_or(now);
        let wait_ms = (oldest + LOGIN_WINDOW_MS - now).max(1000);
        return Err(LoginError::Throttled {
            retry_after_secs: ((wait_ms + 999) / 1000) as u64,
        });
    }
    let found = match Email::parse(raw_email) {
        Ok(email) => state
            .store
            .user_for_login(&email)
            .await
            .map_err(|e| LoginError::Internal(e.into()))?,
        Err(_) => None,
    };
    let (user, stored) = match found {
        Some((user, hash)) => (Some(user), hash),
        None => (None, DUMMY_PASSWORD_HASH.to_owned()),
    };
    let password = password.to_owned();
    // Argon2 is deliberately slow: keep it off the async worker threads.
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &stored))
        .await
        .map_err(|_| LoginError::Internal(Problem::internal()))?;
    match user {
        Some(user) if matches => {
            if counts.by_email > 0 {
                state
                    .store
                    .clear_login_failures(&email_key)
                    .await
                    .map_err(|e| LoginError::Internal(e.into()))?;
            }
            Ok(user)
        }
        _ => {
            state
                .store
                .record_login_failure(&email_key, client_ip, now, now - LOGIN_WINDOW_MS)
                .await
                .map_err(|e| LoginError::Internal(e.into()))?;
            Err(LoginError::Invalid)
        }
    }
}

/// The client's address as seen on the socket.
pub fn client_ip(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The client's address, as an extractor.
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(parts)))
    }
}

/// The caller of an API route, authenticated by `Authorization: Bearer`.
pub struct ApiPrincipal(pub Principal);

impl ApiPrincipal {
    /// Refuses with 403 unless the token carries `scope`.
    pub fn require(&self, scope: Scope) -> Result<(), Problem> {
        if self.0.scopes.contains(scope) {
            Ok(())
        } else {
            Err(Problem::forbidden(format!(
                "this token lacks the scope {}",
                scope.as_str()
            )))
        }
    }
}

/// The bearer token of a request, if it has one.
pub fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

impl FromRequestParts<AppState> for ApiPrincipal {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let Some(token) = bearer_token(parts) else {
            return Err(Problem::unauthorized(
                "this route needs an API token: send Authorization: Bearer <token>",
            ));
        };
        let hash = secret_hash(token);
        let now = now_millis();
        let commit = state.store.commit_token();
        if let Some(commit) = &commit {
            if let Some(p) = state.auth_cache.get(&hash, commit, now) {
                return Ok(ApiPrincipal(p));
            }
        }
        match state.store.token_principal(&hash, now).await? {
            Some(p) => {
                if let Some(commit) = commit {
                    state.auth_cache.insert(hash, &p, commit, now);
                }
                Ok(ApiPrincipal(p))
            }
            None => Err(Problem::unauthorized(
                "the API token is not valid (unknown, revoked or expired)",
            )),
        }
    }
}

/// Principals of API tokens as last read, each with the database's commit
/// token ([`chuhai_store::Store::commit_token`]) from just before the read.
/// An entry serves a request only while the commit token is unchanged —
/// nothing was committed since, by this or any other process, so no token
/// was revoked and no data generation moved — and for at most a minute
/// (then the lookup runs again and records the token's use). On
/// PostgreSQL there is no commit token and every request reads the
/// database.
#[derive(Default)]
pub struct AuthCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, CachedPrincipal>>,
}

struct CachedPrincipal {
    principal: Principal,
    commit: [u8; 48],
    read_at: i64,
}

/// Entries kept before the cache starts over.
const AUTH_CACHE_ENTRIES: usize = 10_000;
/// How long an entry serves, at most, in milliseconds.
const AUTH_CACHE_MILLIS: i64 = 60_000;

impl AuthCache {
    fn get(&self, hash: &str, commit: &[u8; 48], now: i64) -> Option<Principal> {
        let map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let c = map.get(hash)?;
        (c.commit == *commit
            && now - c.read_at < AUTH_CACHE_MILLIS
            && c.principal.valid_until.is_none_or(|t| t > now))
        .then(|| c.principal.clone())
    }

    fn insert(&self, hash: String, principal: &Principal, commit: [u8; 48], now: i64) {
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= AUTH_CACHE_ENTRIES {
            map.clear();
        }
        map.insert(
            hash,
            CachedPrincipal {
                principal: principal.clone(),
                commit,
                read_at: now,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_and_prefixed() {
        let a = new_secret("chk_");
        let b = new_secret("chk_");
        assert_eq!(a.len(), 4 + 64);
        assert!(a.starts_with("chk_"));
        assert_ne!(a, b);
    }

    #[test]
    fn secret_hash_is_sha256_hex() {
        // SHA-256("abc") from FIPS 180-2, appendix B.1.
        assert_eq!(
            secret_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
