//! The demo seller's export shipments: a B2C parcel to Germany and one to
//! the United States (9610), a trade order (9710) and a stock transfer to
//! the Los Angeles warehouse (9810), dated in the month before the seed so
//! the console's monthly summary has last month's lists to show.

use anyhow::{anyhow, Result};
use chuhai_domain::calendar::Date;
use chuhai_store::Store;
use chuhai_web::services::customs::{self, ShipmentRequest};
use serde_json::Value;

const SHIPMENTS: &str = include_str!("shipments.json");

/// Replaces the date placeholders: `DAY` is the export date, `DAY-1T…`
/// a time on the day before.
fn fill_dates(v: &mut Value, day: Date, eve: Date) {
    match v {
        Value::String(s) if s == "DAY" => *s = day.to_string(),
        Value::String(s) => {
            if let Some(time) = s.strip_prefix("DAY-1T") {
                *s = format!("{eve}T{time}");
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| fill_dates(i, day, eve)),
        Value::Object(map) => map.values_mut().for_each(|i| fill_dates(i, day, eve)),
        _ => {}
    }
}

pub async fn seed(store: &Store, seller_id: i64, now: i64) -> Result<()> {
    let today = chuhai_web::time::date_of(now);
    let (y, m, _) = today.ymd();
    let first = if m == 1 {
        Date::from_ymd(y - 1, 12, 1)
    } else {
        Date::from_ymd(y, m - 1, 1)
    }?;
    let list: Vec<Value> = serde_json::from_str(SHIPMENTS)?;
    for (i, mut v) in list.into_iter().enumerate() {
        let offset = 4 + 5 * i32::try_from(i)?;
        let day = first
            .add_days(offset)
            .ok_or_else(|| anyhow!("demo shipment date"))?;
        let eve = day
            .add_days(-1)
            .ok_or_else(|| anyhow!("demo shipment date"))?;
        fill_dates(&mut v, day, eve);
        let req: ShipmentRequest = serde_json::from_value(v)?;
        customs::create(store, seller_id, req, now)
            .await
            .map_err(|p| anyhow!("demo shipment {i}: {} {:?}", p.detail, p.errors))?;
    }
    Ok(())
}
