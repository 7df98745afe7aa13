//! Chuhai's persistence layer.
//!
//! One [`Store`] serves both backends through sqlx's `Any` driver: the
//! embedded default, SQLite (WAL, foreign keys on, every write in a
//! `BEGIN IMMEDIATE` transaction on a single writer connection), and
//! PostgreSQL for scale-out. SQL that both dialects share is written once;
//! where they differ, the statement is chosen per [`Backend`]. Each backend
//! has its own migrations. Driver errors stay inside this crate: callers see
//! [`StoreError`].

pub mod accounts;
mod bulk;
mod cache;
pub mod catalog;
mod error;
pub mod fulfilment;
pub mod idempotency;
pub mod inventory;
pub mod jobs;
pub mod markets;
mod migrate;
pub mod orders;
pub mod payments;
mod pool;
pub mod price_config;
pub mod prices;
pub mod reference;
pub mod returns;
pub mod trade;
pub mod webhooks;

pub use error::StoreError;
pub use migrate::latest_schema_version;
pub use pool::{Backend, Store, StoreConfig};

/// Marks an organisation's pricing data (or, for 0, the platform's
/// reference data) as changed, inside the caller's transaction; this
/// process's cached copies of it stop serving until the new generation is
/// seen committed.
pub(crate) async fn bump_generation(
    store: &Store,
    conn: &mut sqlx::AnyConnection,
    organisation_id: i64,
) -> Result<(), StoreError> {
    use sqlx::Row;
    let generation: i64 = sqlx::query(
        "INSERT INTO data_generations (organisation_id, generation) VALUES ($1, 1)
         ON CONFLICT (organisation_id) DO UPDATE SET generation = data_generations.generation + 1
         RETURNING generation",
    )
    .bind(organisation_id)
    .fetch_one(conn)
    .await?
    .try_get("generation")?;
    store.read_cache.bumped(organisation_id, generation);
    Ok(())
}

impl Store {
    /// The value kept in the read cache under `key` for `organisation_id`,
    /// or `read` and kept there (see `cache`). Only for data written with a
    /// generation bump of that organisation.
    pub(crate) async fn cached<T, F>(
        &self,
        organisation_id: i64,
        key: String,
        read: F,
    ) -> Result<T, StoreError>
    where
        T: Clone + Send + Sync + 'static,
        F: std::future::Future<Output = Result<T, StoreError>>,
    {
        if let Some(v) = self.read_cache.entry(organisation_id, &key) {
            return Ok(v);
        }
        let generation = self.read_cache.generation(organisation_id);
        let v = read.await?;
        self.read_cache
            .put_entry(organisation_id, generation, key, v.clone());
        Ok(v)
    }

    /// The current data generation of an organisation (0: the platform's
    /// reference data); 0 when nothing was ever written.
    pub async fn data_generation(&self, organisation_id: i64) -> Result<i64, StoreError> {
        use sqlx::Row;
        let row = sqlx::query(
            "SELECT COALESCE((SELECT generation FROM data_generations WHERE organisation_id = $1), 0) AS g",
        )
        .bind(organisation_id)
        .fetch_one(self.reader())
        .await?;
        Ok(row.try_get("g")?)
    }
}

/// Milliseconds since the Unix epoch (UTC): the one time format in storage.
pub type Millis = i64;

/// One page of a cursor-paginated listing, ordered by ascending id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The id to pass as `after` for the next page; `None` on the last page.
    pub next_after: Option<i64>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows fetched in id order.
    pub(crate) fn from_rows(mut rows: Vec<T>, limit: u32, id: impl Fn(&T) -> i64) -> Self {
        let next_after = if rows.len() > limit as usize {
            rows.truncate(limit as usize);
            rows.last().map(&id)
        } else {
            None
        };
        Self {
            items: rows,
            next_after,
        }
    }
}
