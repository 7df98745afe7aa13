//! Exchange-rate lookups and imports.

use chuhai_domain::calendar::Date;
use chuhai_domain::fx::{parse_ecb_csv, parse_ecb_daily_xml, Conversion, FxLeg, FxSource};
use chuhai_domain::money::{Currency, Rate};
use chuhai_store::reference::FxRow;
use chuhai_store::Store;

use crate::problem::Problem;

/// The source of the reference rates Chuhai prices with.
pub const SOURCE: FxSource = FxSource::ECB;

async fn leg(store: &Store, currency: Currency, date: Date) -> Result<Option<FxLeg>, Problem> {
    if currency == Currency::EUR {
        return Ok(None);
    }
    let found = store
        .fx_rate_on(
            SOURCE.as_str(),
            currency.code(),
            i64::from(date.days_since_epoch()),
        )
        .await?;
    let Some((day, per_eur)) = found else {
        return Err(Problem::field(
            "date",
            format!(
                "no {} rate for {currency} on or before {date}; import rates with `chuhai import fx FILE`",
                SOURCE.as_str()
            ),
        ));
    };
    let observed_on = i32::try_from(day)
        .ok()
        .and_then(Date::from_days_since_epoch)
        .ok_or_else(Problem::internal)?;
    let per_eur = Rate::parse(&per_eur).map_err(|_| Problem::internal())?;
    Ok(Some(FxLeg {
        per_eur,
        observed_on,
    }))
}

/// The conversion from `from` to `to` with the latest rates on or before `date`.
pub async fn conversion(
    store: &Store,
    from: Currency,
    to: Currency,
    date: Date,
) -> Result<Conversion, Problem> {
    if from == to {
        return Ok(Conversion::identity(from, date));
    }
    let a = leg(store, from, date).await?;
    let b = leg(store, to, date).await?;
    Conversion::from_legs((from, a), (to, b), date, SOURCE)
        .map_err(|e| Problem::field("date", e.to_string()))
}

/// What an exchange-rate import did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FxImportReport {
    pub days: usize,
    pub rates: u64,
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    /// Columns of currencies no longer in ISO 4217 (e.g. CYP), not stored.
    pub skipped_currencies: Vec<String>,
}

/// Imports an ECB file: the historical CSV or the daily XML, told apart by
/// content. All or nothing.
pub async fn import_ecb(store: &Store, text: &str) -> Result<FxImportReport, Problem> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let parsed = if trimmed.starts_with('<') {
        parse_ecb_daily_xml(text)
    } else {
        parse_ecb_csv(text)
    }
    .map_err(|e| Problem::field("file", e.to_string()))?;
    let mut rows = Vec::new();
    for day in &parsed.days {
        for (currency, rate) in &day.rates {
            rows.push(FxRow {
                source: SOURCE.as_str().to_owned(),
                currency: currency.code().to_owned(),
                date: i64::from(day.date.days_since_epoch()),
                per_eur: rate.to_string(),
            });
        }
    }
    let rates = store.upsert_fx_rates(rows).await?;
    Ok(FxImportReport {
        days: parsed.days.len(),
        rates,
        first_date: parsed.days.first().map(|d| d.date.to_string()),
        last_date: parsed.days.last().map(|d| d.date.to_string()),
        skipped_currencies: parsed.skipped_currencies.into_iter().collect(),
    })
}
