//! What a seller sets by hand on top of derived prices: scheduled price
//! lists (sales), manual and compare-at prices, volume tiers and order
//! quantity rules.

use sqlx::Row;

use crate::{Millis, Store, StoreError};

/// A scheduled price list of a market.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceListRecord {
    pub id: i64,
    pub market_id: i64,
    pub name: String,
    /// Exact decimal fraction, e.g. `0.1`; `None` uses the market's markup.
    pub markup: Option<String>,
    /// Rounding rule JSON; `None` uses the market's.
    pub rounding: Option<String>,
    /// Days since 1970-01-01, inclusive.
    pub starts_on: i64,
    /// Days since 1970-01-01, exclusive.
    pub ends_before: i64,
}

/// Everything set by hand for one variant in one market.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VariantPriceConfig {
    pub override_minor: Option<i64>,
    pub compare_at_minor: Option<i64>,
    /// `(min_qty, discount fraction)`, by `min_qty`.
    pub tiers: Vec<(i64, String)>,
    /// The market's scheduled lists with this variant's override in each.
    pub scheduled: Vec<(PriceListRecord, Option<i64>)>,
}

/// What to set for one variant in one market (replaces what was set).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewVariantPriceConfig {
    pub override_minor: Option<i64>,
    pub compare_at_minor: Option<i64>,
    pub tiers: Vec<(i64, String)>,
    /// `(price_list_id, amount_minor)`.
    pub scheduled_overrides: Vec<(i64, i64)>,
}

fn list_from_row(r: &sqlx::any::AnyRow) -> Result<PriceListRecord, StoreError> {
    Ok(PriceListRecord {
        id: r.try_get("id")?,
        market_id: r.try_get("market_id")?,
        name: r.try_get("name")?,
        markup: r.try_get("markup")?,
        rounding: r.try_get("rounding")?,
        starts_on: r.try_get("starts_on")?,
        ends_before: r.try_get("ends_before")?,
    })
}

impl Store {
    /// Adds a scheduled price list to one of the seller's markets.
    pub async fn create_price_list(
        &self,
        organisation_id: i64,
        list: &PriceListRecord,
        now: Millis,
    ) -> Result<PriceListRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        let owned = sqlx::query("SELECT id FROM markets WHERE organisation_id = $1 AND id = $2")
            .bind(organisation_id)
            .bind(list.market_id)
            .fetch_optional(&mut *tx)
            .await?;
        if owned.is_none() {
            return Err(StoreError::NotFound { what: "market" });
        }
        let row = sqlx::query(
            "INSERT INTO price_lists (organisation_id, market_id, name, markup, rounding, starts_on, ends_before, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             RETURNING id, market_id, name, markup, rounding, starts_on, ends_before",
        )
        .bind(organisation_id)
        .bind(list.market_id)
        .bind(&list.name)
        .bind(list.markup.as_deref())
        .bind(list.rounding.as_deref())
        .bind(list.starts_on)
        .bind(list.ends_before)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let l = list_from_row(&row)?;
        crate::bump_generation(self, &mut tx, organisation_id).await?;
        tx.commit().await?;
        Ok(l)
    }

    /// A market's scheduled lists, by start date.
    pub async fn price_lists(
        &self,
        organisation_id: i64,
        market_id: i64,
    ) -> Result<Vec<PriceListRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, market_id, name, markup, rounding, starts_on, ends_before FROM price_lists
             WHERE organisation_id = $1 AND market_id = $2 ORDER BY starts_on, id",
        )
        .bind(organisation_id)
        .bind(market_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(list_from_row).collect()
    }

    /// What is set by hand for a variant in a market.
    pub async fn variant_price_config(
        &self,
        organisation_id: i64,
        market_id: i64,
        variant_id: i64,
    ) -> Result<VariantPriceConfig, StoreError> {
        let mut c = VariantPriceConfig::default();
        if let Some(r) = sqlx::query(
            "SELECT override_minor, compare_at_minor FROM market_variant_prices
             WHERE organisation_id = $1 AND market_id = $2 AND variant_id = $3",
        )
        .bind(organisation_id)
        .bind(market_id)
        .bind(variant_id)
        .fetch_optional(self.reader())
        .await?
        {
            c.override_minor = r.try_get("override_minor")?;
            c.compare_at_minor = r.try_get("compare_at_minor")?;
        }
        for r in sqlx::query(
            "SELECT min_qty, discount FROM price_tiers
             WHERE organisation_id = $1 AND market_id = $2 AND variant_id = $3 ORDER BY min_qty",
        )
        .bind(organisation_id)
        .bind(market_id)
        .bind(variant_id)
        .fetch_all(self.reader())
        .await?
        {
            c.tiers
                .push((r.try_get("min_qty")?, r.try_get("discount")?));
        }
        for r in sqlx::query(
            "SELECT l.id, l.market_id, l.name, l.markup, l.rounding, l.starts_on, l.ends_before, o.amount_minor
             FROM price_lists l LEFT JOIN price_list_overrides o ON o.price_list_id = l.id AND o.variant_id = $3
             WHERE l.organisation_id = $1 AND l.market_id = $2 ORDER BY l.starts_on, l.id",
        )
        .bind(organisation_id)
        .bind(market_id)
        .bind(variant_id)
        .fetch_all(self.reader())
        .await?
        {
            c.scheduled.push((list_from_row(&r)?, r.try_get("amount_minor")?));
        }
        Ok(c)
    }

    /// Replaces what is set by hand for a variant in a market. The market,
    /// variant and every named price list must be the seller's.
    pub async fn set_variant_price_config(
        &self,
        organisation_id: i64,
        market_id: i64,
        variant_id: i64,
        config: &NewVariantPriceConfig,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let owns = |table: &'static str| {
            format!("SELECT id FROM {table} WHERE organisation_id = $1 AND id = $2")
        };
        for (table, id, what) in [
            ("markets", market_id, "market"),
            ("variants", variant_id, "variant"),
        ] {
            if sqlx::query(&owns(table))
                .bind(organisation_id)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .is_none()
            {
                return Err(StoreError::NotFound { what });
            }
        }
        for (list_id, _) in &config.scheduled_overrides {
            let found = sqlx::query("SELECT id FROM price_lists WHERE organisation_id = $1 AND market_id = $2 AND id = $3")
                .bind(organisation_id)
                .bind(market_id)
                .bind(*list_id)
                .fetch_optional(&mut *tx)
                .await?;
            if found.is_none() {
                return Err(StoreError::NotFound { what: "price list" });
            }
        }
        for sql in [
            "DELETE FROM market_variant_prices WHERE market_id = $1 AND variant_id = $2",
            "DELETE FROM price_tiers WHERE market_id = $1 AND variant_id = $2",
            "DELETE FROM price_list_overrides WHERE variant_id = $2
               AND price_list_id IN (SELECT id FROM price_lists WHERE market_id = $1)",
        ] {
            sqlx::query(sql)
                .bind(market_id)
                .bind(variant_id)
                .execute(&mut *tx)
                .await?;
        }
        if config.override_minor.is_some() || config.compare_at_minor.is_some() {
            sqlx::query(
                "INSERT INTO market_variant_prices (market_id, variant_id, organisation_id, override_minor, compare_at_minor)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(market_id)
            .bind(variant_id)
            .bind(organisation_id)
            .bind(config.override_minor)
            .bind(config.compare_at_minor)
            .execute(&mut *tx)
            .await?;
        }
        for (min_qty, discount) in &config.tiers {
            sqlx::query(
                "INSERT INTO price_tiers (market_id, variant_id, organisation_id, min_qty, discount) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(market_id)
            .bind(variant_id)
            .bind(organisation_id)
            .bind(*min_qty)
            .bind(discount)
            .execute(&mut *tx)
            .await?;
        }
        for (list_id, amount) in &config.scheduled_overrides {
            sqlx::query(
                "INSERT INTO price_list_overrides (price_list_id, variant_id, organisation_id, amount_minor) VALUES ($1, $2, $3, $4)",
            )
            .bind(*list_id)
            .bind(variant_id)
            .bind(organisation_id)
            .bind(*amount)
            .execute(&mut *tx)
            .await?;
        }
        crate::bump_generation(self, &mut tx, organisation_id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a variant's minimum order quantity, pack size and increment.
    pub async fn set_order_rules(
        &self,
        organisation_id: i64,
        variant_id: i64,
        moq: i64,
        pack_size: i64,
        increment: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE variants SET moq = $1, pack_size = $2, order_increment = $3 WHERE organisation_id = $4 AND id = $5",
        )
        .bind(moq)
        .bind(pack_size)
        .bind(increment)
        .bind(organisation_id)
        .bind(variant_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound { what: "variant" });
        }
        crate::bump_generation(self, &mut tx, organisation_id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every manual price of the seller's regular lists:
    /// `(market_id, variant_id) → amount_minor`.
    pub async fn manual_prices(
        &self,
        organisation_id: i64,
    ) -> Result<std::collections::HashMap<(i64, i64), i64>, StoreError> {
        let rows = sqlx::query(
            "SELECT market_id, variant_id, override_minor FROM market_variant_prices
             WHERE organisation_id = $1 AND override_minor IS NOT NULL",
        )
        .bind(organisation_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    (r.try_get("market_id")?, r.try_get("variant_id")?),
                    r.try_get("override_minor")?,
                ))
            })
            .collect()
    }
}
