//! Platform-wide reference data: the HS nomenclature and exchange rates.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::bulk::{insert_rows, Val};
use crate::{Store, StoreError};

/// One HS nomenclature entry (chapter, heading or subheading).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HsRow {
    /// 2, 4 or 6 digits.
    pub code: String,
    /// 2 = chapter, 4 = heading, 6 = subheading.
    pub level: i64,
    pub parent: Option<String>,
    /// The section, as a Roman numeral (I–XXI).
    pub section: String,
    pub description: String,
}

/// One reference rate: units of `currency` per 1 EUR on `date`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FxRow {
    /// Who published it, e.g. `ECB`.
    pub source: String,
    pub currency: String,
    /// Days since 1970-01-01.
    pub date: i64,
    /// Exact decimal text, e.g. `7.8125`.
    pub per_eur: String,
}

fn hs_from_row(r: &AnyRow) -> Result<HsRow, StoreError> {
    Ok(HsRow {
        code: r.try_get("code")?,
        level: r.try_get("level")?,
        parent: r.try_get("parent")?,
        section: r.try_get("section")?,
        description: r.try_get("description")?,
    })
}

const HS_COLUMNS: &str = "code, level, parent, section, description";

impl Store {
    /// Replaces the HS nomenclature with `entries`, atomically.
    pub async fn replace_hs_codes(&self, entries: Vec<HsRow>) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM hs_codes")
            .execute(&mut *tx)
            .await?;
        let rows = entries
            .into_iter()
            .map(|e| {
                vec![
                    Val::Text(e.code),
                    Val::Int(e.level),
                    Val::OptText(e.parent),
                    Val::Text(e.section),
                    Val::Text(e.description.to_lowercase()),
                    Val::Text(e.description),
                ]
            })
            .collect();
        let n = insert_rows(
            &mut tx,
            self.backend(),
            "hs_codes",
            &[
                "code",
                "level",
                "parent",
                "section",
                "search_text",
                "description",
            ],
            "",
            rows,
        )
        .await?;
        crate::bump_generation(self, &mut tx, 0).await?;
        tx.commit().await?;
        Ok(n)
    }

    pub async fn hs_code(&self, code: &str) -> Result<Option<HsRow>, StoreError> {
        sqlx::query(&format!(
            "SELECT {HS_COLUMNS} FROM hs_codes WHERE code = $1"
        ))
        .bind(code)
        .fetch_optional(self.reader())
        .await?
        .as_ref()
        .map(hs_from_row)
        .transpose()
    }

    /// How many HS entries are loaded, by level (2, 4, 6).
    pub async fn hs_counts(&self) -> Result<(i64, i64, i64), StoreError> {
        let row = sqlx::query(
            "SELECT
               (SELECT COUNT(*) FROM hs_codes WHERE level = 2) AS chapters,
               (SELECT COUNT(*) FROM hs_codes WHERE level = 4) AS headings,
               (SELECT COUNT(*) FROM hs_codes WHERE level = 6) AS subheadings",
        )
        .fetch_one(self.reader())
        .await?;
        Ok((
            row.try_get("chapters")?,
            row.try_get("headings")?,
            row.try_get("subheadings")?,
        ))
    }

    /// Entries whose code starts with `prefix` (digits only), by code.
    pub async fn hs_by_prefix(&self, prefix: &str, limit: u32) -> Result<Vec<HsRow>, StoreError> {
        let pattern = format!("{}%", like_escape(prefix));
        let rows = sqlx::query(&format!(
            "SELECT {HS_COLUMNS} FROM hs_codes WHERE code LIKE $1 ESCAPE '\\' ORDER BY code LIMIT $2"
        ))
        .bind(pattern)
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(hs_from_row).collect()
    }

    /// Entries whose description contains every word (case-insensitive).
    pub async fn hs_by_words(
        &self,
        words: &[String],
        limit: u32,
    ) -> Result<Vec<HsRow>, StoreError> {
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = format!("SELECT {HS_COLUMNS} FROM hs_codes WHERE ");
        for i in 0..words.len() {
            if i > 0 {
                sql.push_str(" AND ");
            }
            sql.push_str(&format!("search_text LIKE ${} ESCAPE '\\'", i + 1));
        }
        sql.push_str(&format!(
            " ORDER BY level DESC, code LIMIT ${}",
            words.len() + 1
        ));
        let mut q = sqlx::query(&sql);
        for w in words {
            q = q.bind(format!("%{}%", like_escape(&w.to_lowercase())));
        }
        let rows = q.bind(i64::from(limit)).fetch_all(self.reader()).await?;
        rows.iter().map(hs_from_row).collect()
    }

    /// Adds or replaces exchange rates, atomically. Returns rows written.
    /// A rate named twice in `rates` keeps its last value.
    pub async fn upsert_fx_rates(&self, rates: Vec<FxRow>) -> Result<u64, StoreError> {
        let mut last: std::collections::HashMap<(String, String, i64), usize> = Default::default();
        for (i, r) in rates.iter().enumerate() {
            last.insert((r.source.clone(), r.currency.clone(), r.date), i);
        }
        let rates: Vec<FxRow> = rates
            .into_iter()
            .enumerate()
            .filter(|(i, r)| last[&(r.source.clone(), r.currency.clone(), r.date)] == *i)
            .map(|(_, r)| r)
            .collect();
        let mut tx = self.begin_write().await?;
        let rows = rates
            .into_iter()
            .map(|r| {
                vec![
                    Val::Text(r.source),
                    Val::Text(r.currency),
                    Val::Int(r.date),
                    Val::Text(r.per_eur),
                ]
            })
            .collect();
        let n = insert_rows(
            &mut tx,
            self.backend(),
            "fx_rates",
            &["source", "currency", "rate_date", "per_eur"],
            "ON CONFLICT (source, currency, rate_date) DO UPDATE SET per_eur = excluded.per_eur",
            rows,
        )
        .await?;
        crate::bump_generation(self, &mut tx, 0).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Every stored rate of `source`, by currency and date.
    pub async fn fx_rates(&self, source: &str) -> Result<Vec<FxRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT source, currency, rate_date, per_eur FROM fx_rates WHERE source = $1
             ORDER BY currency, rate_date",
        )
        .bind(source)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(FxRow {
                    source: r.try_get("source")?,
                    currency: r.try_get("currency")?,
                    date: r.try_get("rate_date")?,
                    per_eur: r.try_get("per_eur")?,
                })
            })
            .collect()
    }

    /// The number of stored rates and the latest date, per source.
    pub async fn fx_summary(&self) -> Result<Vec<(String, i64, Option<i64>)>, StoreError> {
        let rows = sqlx::query(
            "SELECT source, COUNT(*) AS n, MAX(rate_date) AS latest FROM fx_rates GROUP BY source ORDER BY source",
        )
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("source")?, r.try_get("n")?, r.try_get("latest")?)))
            .collect()
    }

    /// The latest rate of `currency` on or before `date` (days since
    /// 1970-01-01): `(date, per_eur)`.
    pub async fn fx_rate_on(
        &self,
        source: &str,
        currency: &str,
        date: i64,
    ) -> Result<Option<(i64, String)>, StoreError> {
        let generation = self.read_cache.generation(0);
        let key = (source.to_owned(), currency.to_owned(), date);
        if let Some(g) = generation {
            if let Some(hit) = self.read_cache.rate(g, &key) {
                return Ok(hit);
            }
        }
        let row = sqlx::query(
            "SELECT rate_date, per_eur FROM fx_rates
             WHERE source = $1 AND currency = $2 AND rate_date <= $3
             ORDER BY rate_date DESC LIMIT 1",
        )
        .bind(source)
        .bind(currency)
        .bind(date)
        .fetch_optional(self.reader())
        .await?;
        let rate = row
            .map(|r| Ok::<_, StoreError>((r.try_get("rate_date")?, r.try_get("per_eur")?)))
            .transpose()?;
        if let Some(g) = generation {
            self.read_cache.put_rate(g, key, rate.clone());
        }
        Ok(rate)
    }
}

/// Escapes `\`, `%` and `_` for a `LIKE … ESCAPE '\'` pattern.
fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl Store {
    /// Every loaded 6-digit HS subheading code.
    pub async fn hs_subheading_codes(&self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT code FROM hs_codes WHERE level = 6 ORDER BY code")
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(|r| Ok(r.try_get("code")?)).collect()
    }
}
