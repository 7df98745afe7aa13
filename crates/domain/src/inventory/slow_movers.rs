//! Slow-mover alerts: stock about to cross into a long-term storage
//! surcharge tier, so the seller can promote, move or remove it first.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::age::Layer;
use super::entry::StockKey;
use super::fees::StorageFeeRules;
use crate::calendar::Date;
use crate::money::Money;

/// Units of one stock key that will reach a surcharge tier soon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlowMoverAlert {
    /// Whose stock of what, where.
    pub key: StockKey,
    /// The tier's start age in days (e.g. 181).
    pub tier_from_age_days: u32,
    /// The tier's extra price per m³ per day.
    pub surcharge_per_m3_day: Money,
    /// The day the oldest of these units is first charged the tier.
    pub crosses_on: Date,
    /// Days from `today` to `crosses_on` (0 = from today).
    pub days_left: u32,
    /// Units (of all layers) that cross into the tier within the window.
    pub quantity: i64,
    /// Arrival day of the oldest of these units.
    pub oldest_received_on: Date,
}

/// Alerts for every stock key and tier where units not yet charged that
/// tier will be within `within_days` of `today` (`days_left ≤ within_days`).
/// Layers already in a tier are not alerted for it again. A tier is
/// reached at `max(from_age_days, free_days)`. Sorted by `crosses_on`, then
/// key, then tier.
pub fn slow_movers(
    layers: &BTreeMap<StockKey, Vec<Layer>>,
    today: Date,
    rules: &StorageFeeRules,
    within_days: u32,
) -> Vec<SlowMoverAlert> {
    let mut alerts = Vec::new();
    for (key, key_layers) in layers {
        for tier in rules.surcharge_tiers() {
            let starts = i64::from(rules.charged_from(tier));
            let mut alert: Option<SlowMoverAlert> = None;
            // Oldest first: the first layer found crosses soonest.
            for layer in key_layers.iter().filter(|l| l.quantity > 0) {
                let age = i64::from(layer.age_on(today));
                let left = starts - age;
                if left < 0 || left > i64::from(within_days) {
                    continue;
                }
                match &mut alert {
                    Some(a) => a.quantity += layer.quantity,
                    None => {
                        // 0 ≤ left ≤ within_days, so both conversions hold.
                        let days_left = left as u32;
                        alert = Some(SlowMoverAlert {
                            key: key.clone(),
                            tier_from_age_days: tier.from_age_days,
                            surcharge_per_m3_day: tier.price_per_m3_day,
                            crosses_on: today.add_days(left as i32).unwrap_or(Date::MAX),
                            days_left,
                            quantity: layer.quantity,
                            oldest_received_on: layer.received_on,
                        })
                    }
                }
            }
            alerts.extend(alert);
        }
    }
    alerts.sort_by(|a, b| {
        (a.crosses_on, &a.key, a.tier_from_age_days).cmp(&(
            b.crosses_on,
            &b.key,
            b.tier_from_age_days,
        ))
    });
    alerts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Sku;
    use crate::inventory::fees::SurchargeTier;
    use crate::money::Currency;

    #[test]
    fn alerts_before_each_tier_within_the_window() {
        let usd = |minor| Money::from_minor(minor, Currency::USD);
        let rules = StorageFeeRules::new(
            usd(45),
            30,
            vec![
                SurchargeTier {
                    from_age_days: 181,
                    price_per_m3_day: usd(10),
                },
                SurchargeTier {
                    from_age_days: 366,
                    price_per_m3_day: usd(30),
                },
            ],
        )
        .unwrap();
        let today = Date::parse("2026-10-31").unwrap();
        let on = |days_ago: i32, quantity| Layer {
            received_on: today.add_days(-days_ago).unwrap(),
            quantity,
        };
        let key = |sku: &str| StockKey::new(3, Sku::parse(sku).unwrap(), 7);
        let mut layers = BTreeMap::new();
        // Ages 360 (crosses 366 in 6 days), 175 and 170 (181 in 6 and 11 days).
        layers.insert(key("LAMP-01"), vec![on(360, 2), on(175, 5), on(170, 7)]);
        // Age 200: already in the 181 tier; 366 is 166 days away.
        layers.insert(key("LAMP-02"), vec![on(200, 1)]);
        // Age 150: 181 is 31 days away, outside a 14-day window.
        layers.insert(key("LAMP-03"), vec![on(150, 9)]);
        let alerts = slow_movers(&layers, today, &rules, 14);
        let summary: Vec<_> = alerts
            .iter()
            .map(|a| {
                (
                    a.key.sku.as_str(),
                    a.tier_from_age_days,
                    a.days_left,
                    a.quantity,
                    a.crosses_on.to_string(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("LAMP-01", 181, 6, 12, "2026-11-06".to_owned()),
                ("LAMP-01", 366, 6, 2, "2026-11-06".to_owned()),
            ]
        );
        assert_eq!(alerts[0].oldest_received_on, today.add_days(-175).unwrap());
        assert_eq!(slow_movers(&layers, today, &rules, 31).len(), 3);
    }
}
