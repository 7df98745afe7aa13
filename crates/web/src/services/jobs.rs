//! Running background jobs: any server claims queued jobs from the
//! database and reports progress there.

use std::time::Duration;

use chuhai_domain::money::Currency;
use chuhai_store::jobs::JobRecord;
use chuhai_store::Store;
use serde::{Deserialize, Serialize};

use super::imports::{import_shopify_with_progress, Progress};
use crate::problem::Problem;
use crate::time::now_millis;

/// The kind of job that imports a Shopify product CSV.
pub const IMPORT_PRODUCTS: &str = "import_products";
/// How long a claim lasts without progress before another server may take
/// the job over (its server is presumed dead).
const LEASE_MS: i64 = 2 * 60 * 1000;

#[derive(Serialize, Deserialize)]
struct ImportInput {
    csv: String,
    currency: String,
    partial: bool,
}

/// Queues an import; the CSV must be UTF-8.
pub async fn enqueue_import(
    store: &Store,
    organisation_id: i64,
    csv: &[u8],
    currency: Currency,
    partial: bool,
) -> Result<JobRecord, Problem> {
    let text = std::str::from_utf8(csv).map_err(|e| {
        Problem::field(
            "file",
            format!("is not UTF-8 text (byte {})", e.valid_up_to()),
        )
    })?;
    let input = serde_json::to_string(&ImportInput {
        csv: text.to_owned(),
        currency: currency.code().to_owned(),
        partial,
    })
    .map_err(|_| Problem::internal())?;
    Ok(store
        .enqueue_job(organisation_id, IMPORT_PRODUCTS, &input, now_millis())
        .await?)
}

/// Claims and runs one job if any is waiting; returns whether it ran one.
pub async fn run_next(store: &Store) -> Result<bool, Problem> {
    let Some((job, input)) = store.claim_job(now_millis(), LEASE_MS).await? else {
        return Ok(false);
    };
    let outcome = match job.kind.as_str() {
        IMPORT_PRODUCTS => run_import(store, &job, &input).await,
        other => Err(format!("unknown job kind '{other}'")),
    };
    let (ok, report) = match outcome {
        Ok(report) => (true, report),
        Err(reason) => (false, serde_json::json!({"error": reason}).to_string()),
    };
    store.finish_job(job.id, ok, &report, now_millis()).await?;
    tracing::info!(job_id = job.id, kind = %job.kind, ok, "job finished");
    Ok(true)
}

async fn run_import(store: &Store, job: &JobRecord, input: &str) -> Result<String, String> {
    let input: ImportInput =
        serde_json::from_str(input).map_err(|e| format!("unreadable job input: {e}"))?;
    let currency = Currency::from_code(&input.currency).map_err(|e| e.to_string())?;
    let progress = Progress::Job {
        store,
        job_id: job.id,
        lease_ms: LEASE_MS,
    };
    let report = import_shopify_with_progress(
        store,
        job.organisation_id,
        input.csv.as_bytes(),
        currency,
        input.partial,
        &progress,
    )
    .await
    .map_err(|p| p.detail)?;
    serde_json::to_string(&report).map_err(|e| e.to_string())
}

/// Runs jobs until the process ends: polls every second when idle.
pub async fn worker(store: Store) {
    loop {
        match run_next(&store).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(p) => tracing::warn!(detail = %p.detail, "job worker"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
