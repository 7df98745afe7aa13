//! `Idempotency-Key` for creating POSTs: the same key with the same body
//! answers the first response again; the same key with another body is a
//! 409; a request still running with that key is a 409 too. Keys are kept
//! per caller for 24 hours.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chuhai_store::idempotency::IdempotencyClaim;

use crate::auth::{bearer_token, secret_hash};
use crate::extract::body_problem;
use crate::problem::Problem;
use crate::state::AppState;
use crate::time::now_millis;

pub const HEADER: &str = "idempotency-key";
const KEEP_MS: i64 = 24 * 60 * 60 * 1000;
/// Largest response body stored for replay.
const MAX_STORED_RESPONSE: usize = 1024 * 1024;

pub async fn idempotent(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let Some(raw_key) = req.headers().get(HEADER) else {
        return next.run(req).await;
    };
    let key = match raw_key.to_str() {
        Ok(k)
            if !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| (0x21..0x7f).contains(&b)) =>
        {
            k.to_owned()
        }
        _ => {
            return Problem::field(
                "Idempotency-Key",
                "must be 1 to 255 visible ASCII characters",
            )
            .into_response()
        }
    };
    let (parts, body) = req.into_parts();
    // Keys belong to the caller: the hash of its token, or of its session.
    let principal = match bearer_token(&parts) {
        Some(t) => format!("token:{}", secret_hash(t)),
        None => "anonymous".to_owned(),
    };
    let bytes = match to_bytes(body, crate::BODY_LIMIT_BYTES).await {
        Ok(b) => b,
        Err(_) => return body_problem(StatusCode::PAYLOAD_TOO_LARGE).into_response(),
    };
    let fingerprint = {
        let mut material = String::with_capacity(bytes.len() + 64);
        material.push_str(parts.method.as_str());
        material.push(' ');
        material.push_str(parts.uri.path());
        material.push('\n');
        material.push_str(&String::from_utf8_lossy(&bytes));
        secret_hash(&material)
    };
    let now = now_millis();
    let claim = match state
        .store
        .claim_idempotency_key(&principal, &key, &fingerprint, now, now - KEEP_MS)
        .await
    {
        Ok(c) => c,
        Err(e) => return Problem::from(e).into_response(),
    };
    match claim {
        IdempotencyClaim::Replay { status, body } => {
            let mut res =
                (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body).into_response();
            let ct = if status >= 400 {
                "application/problem+json"
            } else {
                "application/json"
            };
            res.headers_mut().insert(
                axum::http::header::CONTENT_TYPE,
                HeaderValue::from_static(ct),
            );
            res.headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            res
        }
        IdempotencyClaim::Mismatch => Problem::conflict(
            "idempotency_key_reused",
            "this Idempotency-Key was already used with a different request",
        )
        .into_response(),
        IdempotencyClaim::InProgress => Problem::conflict(
            "idempotency_key_in_progress",
            "a request with this Idempotency-Key is still being processed",
        )
        .into_response(),
        IdempotencyClaim::Claimed => {
            let req = Request::from_parts(parts, Body::from(bytes));
            let res = next.run(req).await;
            let status = res.status();
            if status.is_server_error() {
                if let Err(e) = state.store.release_idempotency_key(&principal, &key).await {
                    tracing::error!(error = %e, "could not release idempotency key");
                }
                return res;
            }
            let (res_parts, res_body) = res.into_parts();
            let Ok(res_bytes) = to_bytes(res_body, MAX_STORED_RESPONSE).await else {
                let _ = state.store.release_idempotency_key(&principal, &key).await;
                return Problem::internal().into_response();
            };
            let text = String::from_utf8_lossy(&res_bytes).into_owned();
            if let Err(e) = state
                .store
                .complete_idempotency_key(&principal, &key, status.as_u16(), &text)
                .await
            {
                tracing::error!(error = %e, "could not store idempotent response");
            }
            Response::from_parts(res_parts, Body::from(res_bytes))
        }
    }
}
