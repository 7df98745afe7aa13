//! The harness behind the storage conformance suite: hands each test case a
//! fresh, migrated [`Store`] on SQLite (a new file in a temporary directory)
//! or on PostgreSQL (a new schema in `CHUHAI_TEST_POSTGRES_URL`), and cleans
//! up afterwards, also when the case fails.

use std::future::Future;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Once;
use std::time::{SystemTime, UNIX_EPOCH};

use chuhai_store::{Store, StoreConfig};
use tokio::sync::Semaphore;

/// The variable that points the suite at a PostgreSQL database.
pub const POSTGRES_URL_VAR: &str = "CHUHAI_TEST_POSTGRES_URL";

/// Tells each test's database apart from every other one in this process.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// PostgreSQL cases running at once; each holds up to 5 connections (its
/// pool of 4 plus one while creating the schema), so this keeps a run well
/// under the server's default limit of 100 whatever the machine's core count.
static POSTGRES_SLOTS: Semaphore = Semaphore::const_new(8);

static SKIP_NOTICE: Once = Once::new();

fn next_id() -> u64 {
    COUNTER.fetch_add(1, Ordering::Relaxed)
}

fn nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// Runs `case` on a store over a new SQLite database file.
pub async fn run_sqlite<F, Fut>(case: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let dir = std::env::temp_dir().join(format!(
        "chuhai-store-conformance-{}-{}-{}",
        std::process::id(),
        next_id(),
        nanos()
    ));
    std::fs::create_dir_all(&dir).expect("create the test's temporary directory");
    let path: PathBuf = dir.join("chuhai.db");
    let url = format!("sqlite://{}", path.display());
    let store = Store::open(StoreConfig::new(url))
        .await
        .expect("open a new SQLite store");
    let outcome = tokio::spawn(case(store.clone())).await;
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    finish(outcome);
}

/// Runs `case` on a store in a new PostgreSQL schema, or skips (outside CI)
/// when `CHUHAI_TEST_POSTGRES_URL` is not set.
pub async fn run_postgres<F, Fut>(case: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let url = match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => url,
        _ => {
            if std::env::var_os("CI").is_some() {
                panic!(
                    "CI must set {POSTGRES_URL_VAR} (e.g. postgres://postgres@127.0.0.1:5432/test): \
                     the storage conformance suite has to run on PostgreSQL in CI"
                );
            }
            // Written to the process's stderr directly, past the test
            // harness's output capture, so the run says that it skipped.
            SKIP_NOTICE.call_once(|| {
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED on PostgreSQL: {POSTGRES_URL_VAR} is not set"
                );
            });
            return;
        }
    };
    let _slot = POSTGRES_SLOTS
        .acquire()
        .await
        .expect("the semaphore is never closed");
    let schema = format!(
        "chuhai_t_{}_{}_{}",
        std::process::id(),
        next_id(),
        nanos() % 1_000_000_000_000
    );
    let config = StoreConfig {
        url,
        schema: Some(schema.clone()),
        max_connections: 4,
    };
    let store = Store::open(config).await.unwrap_or_else(|e| {
        panic!(
            "open a PostgreSQL store in schema {schema} via {POSTGRES_URL_VAR}: {e} \
             (is PostgreSQL running? e.g. pg_ctlcluster --skip-systemctl-redirect \
             $(ls /etc/postgresql) main start)"
        )
    });
    let outcome = tokio::spawn(case(store.clone())).await;
    let dropped = store.drop_schema(&schema).await;
    store.close().await;
    finish(outcome);
    dropped.unwrap_or_else(|e| panic!("drop test schema {schema}: {e}"));
}

/// Re-raises a failed case's panic with its own message.
fn finish(outcome: Result<(), tokio::task::JoinError>) {
    if let Err(e) = outcome {
        match e.try_into_panic() {
            Ok(payload) => std::panic::resume_unwind(payload),
            Err(e) => panic!("test case did not finish: {e}"),
        }
    }
}
