//! A seller's markets.

use chuhai_domain::catalog::Locale;
use chuhai_domain::country::Country;
use chuhai_domain::market::{Incoterm, Market};
use chuhai_domain::money::{Currency, Rate};
use chuhai_domain::pricing::{MarketRounding, PriceRule};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::error::conflict_on_unique;
use crate::{Millis, Store, StoreError};

#[derive(Debug, Clone, PartialEq)]
pub struct MarketRecord {
    pub id: i64,
    pub organisation_id: i64,
    pub market: Market,
    pub created_at: Millis,
}

const COLUMNS: &str =
    "id, organisation_id, code, name, countries, currency, default_locale, locales, \
                       tax_inclusive, incoterm, markup, rounding, created_at";

fn corrupt(column: &'static str) -> impl Fn(String) -> StoreError {
    move |reason| StoreError::Corrupt { column, reason }
}

fn from_row(r: &AnyRow) -> Result<MarketRecord, StoreError> {
    let list = |c: &'static str| -> Result<Vec<String>, StoreError> {
        Ok(r.try_get::<String, _>(c)?
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect())
    };
    let countries = list("countries")?
        .iter()
        .map(|c| Country::from_alpha2(c).map_err(|e| corrupt("markets.countries")(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    let locales = list("locales")?
        .iter()
        .map(|l| Locale::parse(l).map_err(|e| corrupt("markets.locales")(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    let rounding: MarketRounding = serde_json::from_str(&r.try_get::<String, _>("rounding")?)
        .map_err(|e| corrupt("markets.rounding")(e.to_string()))?;
    Ok(MarketRecord {
        id: r.try_get("id")?,
        organisation_id: r.try_get("organisation_id")?,
        market: Market {
            code: r.try_get("code")?,
            name: r.try_get("name")?,
            countries,
            currency: Currency::from_code(&r.try_get::<String, _>("currency")?)
                .map_err(|e| corrupt("markets.currency")(e.to_string()))?,
            default_locale: Locale::parse(&r.try_get::<String, _>("default_locale")?)
                .map_err(|e| corrupt("markets.default_locale")(e.to_string()))?,
            locales,
            tax_inclusive: r.try_get::<i64, _>("tax_inclusive")? != 0,
            incoterm: r
                .try_get::<String, _>("incoterm")?
                .parse::<Incoterm>()
                .map_err(corrupt("markets.incoterm"))?,
            rule: PriceRule {
                markup: Rate::parse(&r.try_get::<String, _>("markup")?)
                    .map_err(|e| corrupt("markets.markup")(e.to_string()))?,
                rounding,
            },
        },
        created_at: r.try_get("created_at")?,
    })
}

impl Store {
    /// Adds a market; its code must be new for the seller.
    pub async fn create_market(
        &self,
        organisation_id: i64,
        market: &Market,
        now: Millis,
    ) -> Result<MarketRecord, StoreError> {
        let rounding =
            serde_json::to_string(&market.rule.rounding).map_err(|e| StoreError::Invalid {
                field: "rule.rounding",
                reason: e.to_string(),
            })?;
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(&format!(
            "INSERT INTO markets (organisation_id, code, name, countries, currency, default_locale, locales,
                                  tax_inclusive, incoterm, markup, rounding, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING {COLUMNS}"
        ))
        .bind(organisation_id)
        .bind(&market.code)
        .bind(&market.name)
        .bind(market.countries.iter().map(|c| c.alpha2()).collect::<Vec<_>>().join(","))
        .bind(market.currency.code())
        .bind(market.default_locale.as_str())
        .bind(market.locales.iter().map(|l| l.as_str()).collect::<Vec<_>>().join(","))
        .bind(i64::from(market.tax_inclusive))
        .bind(market.incoterm.as_str())
        .bind(market.rule.markup.to_string())
        .bind(rounding)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| conflict_on_unique(e, "code"))?;
        let m = from_row(&row)?;
        crate::bump_generation(self, &mut tx, organisation_id).await?;
        tx.commit().await?;
        Ok(m)
    }

    /// The seller's markets, in the order they were made.
    pub async fn list_markets(
        &self,
        organisation_id: i64,
    ) -> Result<Vec<MarketRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM markets WHERE organisation_id = $1 ORDER BY id"
        ))
        .bind(organisation_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// One market of the seller; another seller's is not found.
    pub async fn market(
        &self,
        organisation_id: i64,
        id: i64,
    ) -> Result<Option<MarketRecord>, StoreError> {
        // Markets are written only with a generation bump.
        self.cached(organisation_id, format!("market:{id}"), async {
            sqlx::query(&format!(
                "SELECT {COLUMNS} FROM markets WHERE organisation_id = $1 AND id = $2"
            ))
            .bind(organisation_id)
            .bind(id)
            .fetch_optional(self.reader())
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
        })
        .await
    }
}
