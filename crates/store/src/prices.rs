//! Derived market prices and the record of how each batch was derived.

use sqlx::Row;

use crate::{Backend, Millis, Store, StoreError};

/// How one market's prices were derived from one base currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceDerivation {
    pub market_id: i64,
    pub base_currency: String,
    pub currency: String,
    /// The exact rate as text (target units per base unit, rounded for display).
    pub fx_rate: String,
    /// Days since 1970-01-01 of the oldest rate used; `None` when no rate was needed.
    pub fx_date: Option<i64>,
    pub fx_source: Option<String>,
    /// The date prices were derived for (days since 1970-01-01).
    pub requested_date: i64,
    pub markup: String,
    /// The rounding rule as JSON.
    pub rounding: String,
}

/// One derived price: `derivation` indexes the batch's derivations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DerivedPriceRow {
    pub market_id: i64,
    pub variant_id: i64,
    pub amount_minor: i64,
    pub derivation: usize,
}

/// A stored price of one variant in one market, with its derivation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPrice {
    pub market_id: i64,
    pub variant_id: i64,
    pub amount_minor: i64,
    pub derivation: PriceDerivation,
    pub derived_at: Millis,
}

/// Rows per statement when loading prices as one JSON parameter.
const JSON_BATCH: usize = 50_000;

impl Store {
    /// Replaces all of a seller's derived prices (and their derivation
    /// records) in one transaction.
    pub async fn replace_derived_prices(
        &self,
        organisation_id: i64,
        derivations: &[PriceDerivation],
        prices: &[DerivedPriceRow],
        now: Millis,
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "DELETE FROM derived_prices WHERE variant_id IN (SELECT id FROM variants WHERE organisation_id = $1)",
        )
            .bind(organisation_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM price_derivations WHERE organisation_id = $1")
            .bind(organisation_id)
            .execute(&mut *tx)
            .await?;
        let mut ids = Vec::with_capacity(derivations.len());
        for d in derivations {
            let row = sqlx::query(
                "INSERT INTO price_derivations (organisation_id, market_id, base_currency, currency, fx_rate,
                    fx_date, fx_source, requested_date, markup, rounding, derived_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            )
            .bind(organisation_id)
            .bind(d.market_id)
            .bind(&d.base_currency)
            .bind(&d.currency)
            .bind(&d.fx_rate)
            .bind(d.fx_date)
            .bind(d.fx_source.as_deref())
            .bind(d.requested_date)
            .bind(&d.markup)
            .bind(&d.rounding)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            ids.push(row.try_get::<i64, _>(0)?);
        }
        // Integer rows travel as one JSON array per statement and are
        // unpacked by the database: far fewer bound parameters than a
        // multi-row VALUES list.
        let sql = match self.backend() {
            Backend::Sqlite => {
                "INSERT INTO derived_prices (market_id, variant_id, organisation_id, amount_minor, derivation_id)
                 SELECT value ->> 0, value ->> 1, $1, value ->> 2, value ->> 3 FROM json_each($2)"
            }
            Backend::Postgres => {
                "INSERT INTO derived_prices (market_id, variant_id, organisation_id, amount_minor, derivation_id)
                 SELECT (e ->> 0)::bigint, (e ->> 1)::bigint, $1, (e ->> 2)::bigint, (e ->> 3)::bigint
                 FROM jsonb_array_elements($2::jsonb) AS e"
            }
        };
        let mut written = 0;
        let mut json = String::new();
        for (c, chunk) in prices.chunks(JSON_BATCH).enumerate() {
            json.clear();
            json.push('[');
            for (i, p) in chunk.iter().enumerate() {
                let derivation_id = *ids.get(p.derivation).ok_or(StoreError::Invalid {
                    field: "derivation",
                    reason: format!(
                        "price {} names derivation {} of {}",
                        c * JSON_BATCH + i,
                        p.derivation,
                        ids.len()
                    ),
                })?;
                if i > 0 {
                    json.push(',');
                }
                use std::fmt::Write;
                let _ = write!(
                    json,
                    "[{},{},{},{}]",
                    p.market_id, p.variant_id, p.amount_minor, derivation_id
                );
            }
            json.push(']');
            written += sqlx::query(sql)
                .bind(organisation_id)
                .bind(json.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        tx.commit().await?;
        Ok(written)
    }

    /// A variant's derived prices in every market of its seller.
    pub async fn prices_for_variants(
        &self,
        organisation_id: i64,
        variant_ids: &[i64],
    ) -> Result<Vec<StoredPrice>, StoreError> {
        if variant_ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (0..variant_ids.len())
            .map(|i| format!("${}", i + 2))
            .collect();
        let sql = format!(
            "SELECT p.market_id, p.variant_id, p.amount_minor, d.base_currency, d.currency, d.fx_rate, d.fx_date,
                    d.fx_source, d.requested_date, d.markup, d.rounding, d.derived_at
             FROM derived_prices p JOIN price_derivations d ON d.id = p.derivation_id
             WHERE p.organisation_id = $1 AND p.variant_id IN ({}) ORDER BY p.variant_id, p.market_id",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(organisation_id);
        for id in variant_ids {
            q = q.bind(*id);
        }
        let rows = q.fetch_all(self.reader()).await?;
        rows.iter()
            .map(|r| {
                let market_id: i64 = r.try_get("market_id")?;
                Ok(StoredPrice {
                    market_id,
                    variant_id: r.try_get("variant_id")?,
                    amount_minor: r.try_get("amount_minor")?,
                    derivation: PriceDerivation {
                        market_id,
                        base_currency: r.try_get("base_currency")?,
                        currency: r.try_get("currency")?,
                        fx_rate: r.try_get("fx_rate")?,
                        fx_date: r.try_get("fx_date")?,
                        fx_source: r.try_get("fx_source")?,
                        requested_date: r.try_get("requested_date")?,
                        markup: r.try_get("markup")?,
                        rounding: r.try_get("rounding")?,
                    },
                    derived_at: r.try_get("derived_at")?,
                })
            })
            .collect()
    }

    /// How many derived prices the seller has.
    pub async fn derived_price_count(&self, organisation_id: i64) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) FROM derived_prices WHERE organisation_id = $1")
            .bind(organisation_id)
            .fetch_one(self.reader())
            .await?;
        Ok(row.try_get(0)?)
    }

    /// Every derived price of one market of the seller: `(variant_id, amount_minor)`.
    pub async fn prices_in_market(
        &self,
        organisation_id: i64,
        market_id: i64,
    ) -> Result<Vec<(i64, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT variant_id, amount_minor FROM derived_prices
             WHERE organisation_id = $1 AND market_id = $2 ORDER BY variant_id",
        )
        .bind(organisation_id)
        .bind(market_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("variant_id")?, r.try_get("amount_minor")?)))
            .collect()
    }
}
