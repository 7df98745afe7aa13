//! Stored responses for `Idempotency-Key` on creating requests.
//!
//! A key is claimed before the request runs (so two concurrent requests
//! with one key cannot both act) and completed with the response after.

use sqlx::Row;

use crate::{Millis, Store, StoreError};

/// What a claim on an idempotency key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// The key is new and now claimed: run the request, then complete it.
    Claimed,
    /// The same request already ran: answer with its stored response.
    Replay { status: u16, body: String },
    /// The key was used with a different request body.
    Mismatch,
    /// The same request is still running.
    InProgress,
}

impl Store {
    /// Claims `key` for `principal`, or reports what the key already holds.
    /// Keys older than `forget_before` are forgotten first.
    pub async fn claim_idempotency_key(
        &self,
        principal: &str,
        key: &str,
        request_hash: &str,
        now: Millis,
        forget_before: Millis,
    ) -> Result<IdempotencyClaim, StoreError> {
        // A concurrent release can delete the row between our insert and
        // our read (PostgreSQL reads with a fresh snapshot per statement):
        // then the key is free again and the claim is retried.
        loop {
            if let Some(claim) = self
                .try_claim_idempotency_key(principal, key, request_hash, now, forget_before)
                .await?
            {
                return Ok(claim);
            }
        }
    }

    async fn try_claim_idempotency_key(
        &self,
        principal: &str,
        key: &str,
        request_hash: &str,
        now: Millis,
        forget_before: Millis,
    ) -> Result<Option<IdempotencyClaim>, StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM idempotency_keys WHERE principal = $1 AND idem_key = $2 AND created_at < $3")
            .bind(principal)
            .bind(key)
            .bind(forget_before)
            .execute(&mut *tx)
            .await?;
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (principal, idem_key, request_hash, created_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT (principal, idem_key) DO NOTHING",
        )
        .bind(principal)
        .bind(key)
        .bind(request_hash)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let claim = if inserted == 1 {
            IdempotencyClaim::Claimed
        } else {
            let Some(row) = sqlx::query(
                "SELECT request_hash, status, response_body FROM idempotency_keys
                 WHERE principal = $1 AND idem_key = $2",
            )
            .bind(principal)
            .bind(key)
            .fetch_optional(&mut *tx)
            .await?
            else {
                tx.rollback().await?;
                return Ok(None);
            };
            let hash: String = row.try_get("request_hash")?;
            let status: Option<i64> = row.try_get("status")?;
            let body: Option<String> = row.try_get("response_body")?;
            match (hash == request_hash, status, body) {
                (false, _, _) => IdempotencyClaim::Mismatch,
                (true, Some(status), Some(body)) => IdempotencyClaim::Replay {
                    status: u16::try_from(status).map_err(|_| StoreError::Corrupt {
                        column: "idempotency_keys.status",
                        reason: status.to_string(),
                    })?,
                    body,
                },
                (true, _, _) => IdempotencyClaim::InProgress,
            }
        };
        tx.commit().await?;
        Ok(Some(claim))
    }

    /// Stores the response of a claimed key.
    pub async fn complete_idempotency_key(
        &self,
        principal: &str,
        key: &str,
        status: u16,
        body: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE idempotency_keys SET status = $1, response_body = $2
             WHERE principal = $3 AND idem_key = $4",
        )
        .bind(i64::from(status))
        .bind(body)
        .bind(principal)
        .bind(key)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Releases a claimed key whose request failed on the server, so a
    /// retry can run it again.
    pub async fn release_idempotency_key(
        &self,
        principal: &str,
        key: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM idempotency_keys WHERE principal = $1 AND idem_key = $2 AND status IS NULL")
            .bind(principal)
            .bind(key)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
