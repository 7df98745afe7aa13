//! Background jobs: a queue in the database, claimed with a lease so that
//! any server may run any job and a job whose server died is taken over
//! when its lease runs out (PostgreSQL: `FOR UPDATE SKIP LOCKED`).

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{Backend, Millis, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRecord {
    pub id: i64,
    pub organisation_id: i64,
    pub kind: String,
    /// `queued`, `running`, `succeeded` or `failed`.
    pub status: String,
    /// Steps done out of `total`.
    pub done: i64,
    pub total: i64,
    /// JSON: the job's progress while running, its outcome when finished.
    pub report: Option<String>,
    pub created_at: Millis,
    pub started_at: Option<Millis>,
    pub finished_at: Option<Millis>,
}

const COLUMNS: &str =
    "id, organisation_id, kind, status, done, total, report, created_at, started_at, finished_at";

fn from_row(r: &AnyRow) -> Result<JobRecord, StoreError> {
    Ok(JobRecord {
        id: r.try_get("id")?,
        organisation_id: r.try_get("organisation_id")?,
        kind: r.try_get("kind")?,
        status: r.try_get("status")?,
        done: r.try_get("done")?,
        total: r.try_get("total")?,
        report: r.try_get("report")?,
        created_at: r.try_get("created_at")?,
        started_at: r.try_get("started_at")?,
        finished_at: r.try_get("finished_at")?,
    })
}

impl Store {
    /// Queues a job; `input` is its JSON input.
    pub async fn enqueue_job(
        &self,
        organisation_id: i64,
        kind: &str,
        input: &str,
        now: Millis,
    ) -> Result<JobRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(&format!(
            "INSERT INTO jobs (organisation_id, kind, status, input, created_at) VALUES ($1, $2, 'queued', $3, $4)
             RETURNING {COLUMNS}"
        ))
        .bind(organisation_id)
        .bind(kind)
        .bind(input)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let job = from_row(&row)?;
        tx.commit().await?;
        Ok(job)
    }

    /// One job of the organisation; another's is not found.
    pub async fn job(
        &self,
        organisation_id: i64,
        id: i64,
    ) -> Result<Option<JobRecord>, StoreError> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM jobs WHERE organisation_id = $1 AND id = $2"
        ))
        .bind(organisation_id)
        .bind(id)
        .fetch_optional(self.reader())
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
    }

    /// Claims the oldest queued job, or a running one whose lease ran out,
    /// for `lease_ms`. Returns the job and its input.
    pub async fn claim_job(
        &self,
        now: Millis,
        lease_ms: i64,
    ) -> Result<Option<(JobRecord, String)>, StoreError> {
        let pick = match self.backend() {
            Backend::Sqlite => {
                "SELECT id FROM jobs WHERE status = 'queued' OR (status = 'running' AND locked_until < $1)
                 ORDER BY id LIMIT 1"
            }
            Backend::Postgres => {
                "SELECT id FROM jobs WHERE status = 'queued' OR (status = 'running' AND locked_until < $1)
                 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
            }
        };
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(&format!(
            "UPDATE jobs SET status = 'running', started_at = COALESCE(started_at, $1), locked_until = $2
             WHERE id = ({pick}) RETURNING {COLUMNS}, input"
        ))
        .bind(now)
        .bind(now + lease_ms)
        .fetch_optional(&mut *tx)
        .await?;
        let claimed = match row {
            Some(r) => Some((from_row(&r)?, r.try_get("input")?)),
            None => None,
        };
        tx.commit().await?;
        Ok(claimed)
    }

    /// Records progress of a running job and extends its lease.
    pub async fn job_progress(
        &self,
        id: i64,
        done: i64,
        total: i64,
        report: &str,
        locked_until: Millis,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE jobs SET done = $1, total = $2, report = $3, locked_until = $4 WHERE id = $5 AND status = 'running'")
            .bind(done)
            .bind(total)
            .bind(report)
            .bind(locked_until)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Finishes a job with its outcome; its input is dropped.
    pub async fn finish_job(
        &self,
        id: i64,
        succeeded: bool,
        report: &str,
        now: Millis,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE jobs SET status = $1, report = $2, finished_at = $3, done = total, input = '', locked_until = NULL
             WHERE id = $4",
        )
        .bind(if succeeded { "succeeded" } else { "failed" })
        .bind(report)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
