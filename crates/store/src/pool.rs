use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

use crate::StoreError;

/// Which database engine a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// How to open a [`Store`].
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// `sqlite://PATH` (created if missing) or `postgres://USER@HOST:PORT/DB`.
    pub url: String,
    /// PostgreSQL only: a schema to create (if missing) and work in.
    pub schema: Option<String>,
    /// Connections for reads (and, on PostgreSQL, writes).
    pub max_connections: u32,
}

impl StoreConfig {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            schema: None,
            max_connections: 16,
        }
    }
}

/// The database behind every repository. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    backend: Backend,
    read: AnyPool,
    /// On SQLite, a pool of exactly one connection: SQLite admits one writer
    /// at a time, so queueing writers here (instead of in SQLite's busy
    /// handler) keeps write latency flat under load. On PostgreSQL, the
    /// same pool as `read`.
    write: AnyPool,
    /// On SQLite, the WAL index (`…-shm`) of the database, whose header
    /// changes with every committed transaction of any process.
    wal_index: Option<Arc<std::fs::File>>,
    /// Reservations waiting to be placed, together, by whichever request
    /// leads the next batch (group commit).
    pub(crate) reserve_queue: std::sync::Arc<crate::inventory::ReserveQueue>,
    /// Code, name and country of the warehouses read so far, by id.
    pub(crate) warehouse_labels: std::sync::Arc<crate::inventory::WarehouseLabels>,
    /// Variant price inputs and exchange rates, by data generation.
    pub(crate) read_cache: std::sync::Arc<crate::cache::ReadCache>,
}

impl Store {
    /// Opens the database and applies pending migrations.
    pub async fn open(config: StoreConfig) -> Result<Self, StoreError> {
        let store = Self::connect(config).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens the database without migrating it.
    pub async fn connect(config: StoreConfig) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if config.url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if config.url.starts_with("postgres://") || config.url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::Config(format!(
                "unsupported database URL '{}': use sqlite://PATH or postgres://…",
                redact(&config.url)
            )));
        };
        let options = AnyConnectOptions::from_str(&connect_url(&config.url, backend))
            .map_err(|e| StoreError::Config(format!("invalid database URL: {e}")))?;
        match backend {
            Backend::Sqlite => {
                // No ping before each use: a connection to a local file
                // does not go stale, and the ping is one more round trip to
                // the connection's thread per query (and, on the single
                // writer, per transaction).
                let init = |pool: AnyPoolOptions| {
                    pool.test_before_acquire(false).after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute(
                                "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                                 PRAGMA synchronous = NORMAL;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                };
                let write = init(AnyPoolOptions::new().max_connections(1).min_connections(1))
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options.clone())
                    .await?;
                // WAL lets readers proceed while the writer commits; it is a
                // property of the file, so setting it once is enough.
                sqlx::query("PRAGMA journal_mode = WAL")
                    .execute(&write)
                    .await?;
                let read = init(AnyPoolOptions::new().max_connections(config.max_connections))
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options)
                    .await?;
                // The WAL index exists once a connection has opened the
                // database in WAL mode, which the pools above have done.
                let wal_index = sqlite_path(&config.url)
                    .and_then(|p| {
                        let mut shm = p.into_os_string();
                        shm.push("-shm");
                        std::fs::File::open(shm).ok()
                    })
                    .map(Arc::new);
                Ok(Self {
                    backend,
                    read,
                    write,
                    wal_index,
                    reserve_queue: Default::default(),
                    warehouse_labels: Default::default(),
                    read_cache: Default::default(),
                })
            }
            Backend::Postgres => {
                let mut pool = AnyPoolOptions::new()
                    .max_connections(config.max_connections)
                    .acquire_timeout(Duration::from_secs(30));
                if let Some(schema) = config.schema.clone() {
                    validate_schema_name(&schema)?;
                    let admin = AnyPoolOptions::new()
                        .max_connections(1)
                        .connect_with(options.clone())
                        .await?;
                    admin
                        .execute(format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\"").as_str())
                        .await?;
                    admin.close().await;
                    pool = pool.after_connect(move |conn, _| {
                        let set = format!("SET search_path TO \"{schema}\"");
                        Box::pin(async move {
                            conn.execute(set.as_str()).await?;
                            Ok(())
                        })
                    });
                }
                let pool = pool.connect_with(options).await?;
                Ok(Self {
                    backend,
                    read: pool.clone(),
                    write: pool,
                    wal_index: None,
                    reserve_queue: Default::default(),
                    warehouse_labels: Default::default(),
                    read_cache: Default::default(),
                })
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Checks that the database answers (for readiness probes).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }

    /// Closes every connection; pending writes finish first.
    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }

    pub(crate) fn reader(&self) -> &AnyPool {
        &self.read
    }

    /// Starts a write transaction: `BEGIN IMMEDIATE` on SQLite, so a
    /// transaction that reads before it writes never fails to upgrade.
    pub(crate) async fn begin_write(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.write.begin().await?,
        })
    }

    /// Runs one SQL statement in a write transaction and returns the rows
    /// it changed. Only for tests and benchmarks that must damage data on
    /// purpose (a drifted cache, an attempt to edit the ledger); the
    /// product never calls it.
    #[doc(hidden)]
    pub async fn execute_unchecked(&self, sql: &str) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(sql).execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        Ok(n)
    }

    /// Drops a PostgreSQL schema made for a test run, with everything in it.
    pub async fn drop_schema(&self, schema: &str) -> Result<(), StoreError> {
        validate_schema_name(schema)?;
        if self.backend == Backend::Postgres {
            self.write
                .execute(format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE").as_str())
                .await?;
        }
        Ok(())
    }
}

fn validate_schema_name(schema: &str) -> Result<(), StoreError> {
    let ok = !schema.is_empty()
        && schema.len() <= 63
        && schema
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(StoreError::Config(format!(
            "schema name '{schema}' must be 1–63 characters of a-z, 0-9 and _"
        )))
    }
}

/// SQLite URLs get `mode=rwc` so a new data directory gets its database file.
fn connect_url(url: &str, backend: Backend) -> String {
    if backend == Backend::Sqlite && !url.contains("mode=") {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}mode=rwc")
    } else {
        url.to_owned()
    }
}

/// The URL with any password replaced, for error messages and logs.
pub fn redact(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((creds, host)) = rest.split_once('@') {
            if let Some((user, _)) = creds.split_once(':') {
                return format!("{scheme}://{user}:***@{host}");
            }
        }
    }
    url.to_owned()
}

/// The file of a `sqlite://PATH[?…]` URL; `None` for in-memory databases.
fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && !path.contains(":memory:")).then(|| path.into())
}

impl Store {
    /// A token of everything committed to the database so far, by any
    /// process: on SQLite the header of the WAL index, which SQLite
    /// rewrites (change counter, frame count, salts, checksums) on every
    /// committed write transaction (file format: sqlite.org/walformat.html,
    /// "The WAL-Index Header"). Equal tokens mean nothing was committed in
    /// between, so a value read after the first token is still current.
    /// `None` on PostgreSQL (other servers write without telling) and when
    /// the index cannot be read: then nothing may be cached on it.
    pub fn commit_token(&self) -> Option<[u8; 48]> {
        use std::os::unix::fs::FileExt;
        let file = self.wal_index.as_ref()?;
        let mut header = [0u8; 48];
        file.read_exact_at(&mut header, 0).ok()?;
        Some(header)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }

    #[test]
    fn sqlite_urls_create_missing_files() {
        assert_eq!(
            connect_url("sqlite:///x/db", Backend::Sqlite),
            "sqlite:///x/db?mode=rwc"
        );
        assert_eq!(
            connect_url("sqlite:///x/db?mode=ro", Backend::Sqlite),
            "sqlite:///x/db?mode=ro"
        );
    }

    #[test]
    fn schema_names_are_checked() {
        assert!(validate_schema_name("chuhai_test_1").is_ok());
        assert!(validate_schema_name("x\"; DROP").is_err());
    }
}
