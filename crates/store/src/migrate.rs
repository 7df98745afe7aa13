//! Schema migrations, one ordered list per backend, applied in one
//! transaction. On PostgreSQL a transaction-scoped advisory lock makes
//! concurrent `chuhai serve` / `chuhai migrate` processes take turns.

use sqlx::{Executor, Row};

use crate::{Backend, Store, StoreError};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

macro_rules! migration {
    ($version:literal, $name:literal) => {
        Migration {
            version: $version,
            name: $name,
            sqlite: include_str!(concat!("../migrations/sqlite/", $name, ".sql")),
            postgres: include_str!(concat!("../migrations/postgres/", $name, ".sql")),
        }
    };
}

const MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_accounts"),
    migration!(2, "0002_catalog"),
    migration!(3, "0003_trade"),
    migration!(4, "0004_inventory"),
    migration!(5, "0005_storage_fee_versions"),
    migration!(6, "0006_orders"),
    migration!(7, "0007_payments"),
    migration!(8, "0008_webhooks"),
    migration!(9, "0009_fulfilment"),
    migration!(10, "0010_returns"),
];

/// The schema version this build migrates to.
pub fn latest_schema_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// Arbitrary constant naming Chuhai's migration lock among advisory locks.
const MIGRATION_LOCK_KEY: i64 = 0x6368_7568_6169;

impl Store {
    /// Applies every migration not yet recorded; returns how many ran.
    pub async fn migrate(&self) -> Result<usize, StoreError> {
        let mut tx = self.begin_write().await?;
        if self.backend() == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(MIGRATION_LOCK_KEY)
                .execute(&mut *tx)
                .await?;
        }
        tx.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
        )
        .await?;
        let applied: Vec<i64> = sqlx::query("SELECT version FROM schema_migrations")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>(0))
            .collect::<Result<_, _>>()?;
        let mut ran = 0;
        for m in MIGRATIONS {
            if applied.contains(&m.version) {
                continue;
            }
            let sql = match self.backend() {
                Backend::Sqlite => m.sqlite,
                Backend::Postgres => m.postgres,
            };
            tx.execute(sql).await?;
            sqlx::query(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            )
            .bind(m.version)
            .bind(m.name)
            .bind(now_millis())
            .execute(&mut *tx)
            .await?;
            tracing::info!(version = m.version, name = m.name, "applied migration");
            ran += 1;
        }
        tx.commit().await?;
        Ok(ran)
    }

    /// The highest applied migration version.
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
            .fetch_one(self.reader())
            .await?;
        Ok(row.try_get::<i64, _>(0)?)
    }
}

fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
