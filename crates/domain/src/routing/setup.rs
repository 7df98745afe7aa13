//! A warehouse's shipping setup as its operator keeps it — the carrier
//! services it books, the destinations it counts as its market, its rate
//! cards — and the [`RoutingNetwork`] of a seller's warehouses assembled
//! from those setups for one order currency.

use serde::{Deserialize, Serialize};

use super::error::{invalid, RoutingError};
use super::network::{
    CarrierService, RateCard, RoutingNetwork, RoutingWarehouse, ServiceCode, TransitDays,
    WarehouseCode, ZoneCode,
};
use super::weight::WeightPricing;
use crate::calendar::Weekday;
use crate::country::Country;
use crate::inventory::WarehouseKind;
use crate::money::{Currency, Money, RoundingMode, RoundingStep};

/// Rounding step: a rate card's prices converted into the order currency
/// (first price and step price each, half up to the minor unit), before
/// any package is priced.
pub const RATE_CARD_TO_ORDER_CURRENCY: RoundingStep =
    RoundingStep::new("rate_card_to_order_currency", RoundingMode::HalfUp);

/// Longest service code in a setup: the network names a service
/// `<warehouse>.<service>`, which must fit a 40-character code.
pub const MAX_SERVICE_CODE: usize = 16;

/// Most services in one warehouse's setup.
pub const MAX_SERVICES: usize = 30;

/// Most rate cards in one warehouse's setup.
pub const MAX_RATES: usize = 5_000;

/// The price and transit of one lane from this warehouse: a service to a zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaneRate {
    pub service: ServiceCode,
    pub zone: ZoneCode,
    pub pricing: WeightPricing,
    pub transit: TransitDays,
}

/// What a warehouse's operator keeps about shipping from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarehouseShipping {
    /// The currency of every rate card price.
    pub currency: Currency,
    /// Destination countries counted as this warehouse's own market (e.g.
    /// the EU for a German warehouse); empty means its own country.
    #[serde(default)]
    pub market: Vec<Country>,
    pub services: Vec<CarrierService>,
    pub rates: Vec<LaneRate>,
    /// The days of the week parcels leave the warehouse (its carriers
    /// collect), in its local calendar; every day when not given. An order
    /// made after the cut-off, or on another day, waits for the next of
    /// these days.
    #[serde(default = "every_day")]
    pub dispatch_days: Vec<Weekday>,
}

/// Every day of the week, Monday first.
pub fn every_day() -> Vec<Weekday> {
    // 1970-01-05, day 4, was a Monday.
    (4..11).map(weekday_of_day).collect()
}

/// The day of the week of a day counted from 1970-01-01, a Thursday.
pub(crate) fn weekday_of_day(days: i64) -> Weekday {
    match (days + 3).rem_euclid(7) {
        0 => Weekday::Monday,
        1 => Weekday::Tuesday,
        2 => Weekday::Wednesday,
        3 => Weekday::Thursday,
        4 => Weekday::Friday,
        5 => Weekday::Saturday,
        _ => Weekday::Sunday,
    }
}

impl WarehouseShipping {
    /// Checks the setup as a network of this one warehouse: unique service
    /// codes of at most [`MAX_SERVICE_CODE`] characters, rates naming a
    /// service and a zone of its chart, positive weights, prices not
    /// negative, transit min ≤ max, one rate per service and zone.
    pub fn check(&self, country: Country) -> Result<(), RoutingError> {
        if self.services.is_empty() {
            return Err(invalid("services", "give at least one carrier service"));
        }
        if self.dispatch_days.is_empty() {
            return Err(invalid(
                "dispatch_days",
                "give at least one day on which parcels leave",
            ));
        }
        for (i, d) in self.dispatch_days.iter().enumerate() {
            if self.dispatch_days[..i].contains(d) {
                return Err(invalid(
                    format!("dispatch_days[{i}]"),
                    format!("{} is listed twice", d.name()),
                ));
            }
        }
        if self.services.len() > MAX_SERVICES {
            return Err(invalid(
                "services",
                format!("at most {MAX_SERVICES} services per warehouse"),
            ));
        }
        if self.rates.len() > MAX_RATES {
            return Err(invalid(
                "rates",
                format!("at most {MAX_RATES} rates per warehouse"),
            ));
        }
        for (i, s) in self.services.iter().enumerate() {
            if s.code.as_str().len() > MAX_SERVICE_CODE {
                return Err(invalid(
                    format!("services[{i}].code"),
                    format!("{:?} is longer than {MAX_SERVICE_CODE} characters", s.code),
                ));
            }
            if s.name.trim().is_empty() || s.name.chars().count() > 80 {
                return Err(invalid(
                    format!("services[{i}].name"),
                    "must be 1 to 80 characters",
                ));
            }
            if s.carrier.trim().is_empty() || s.carrier.chars().count() > 60 {
                return Err(invalid(
                    format!("services[{i}].carrier"),
                    "must be 1 to 60 characters",
                ));
            }
            if s.max_weight.0 == 0 {
                return Err(invalid(
                    format!("services[{i}].max_weight"),
                    "must be at least 1 g",
                ));
            }
            if s.zones.is_empty() {
                return Err(invalid(
                    format!("services[{i}].zones"),
                    "give at least one zone rule",
                ));
            }
        }
        for (i, r) in self.rates.iter().enumerate() {
            WeightPricing::new(
                r.pricing.first_weight,
                r.pricing.first_price_minor,
                r.pricing.step_weight,
                r.pricing.step_price_minor,
            )
            .map_err(|e| prefix(e, &format!("rates[{i}].pricing")))?;
            if r.transit.min > r.transit.max {
                return Err(invalid(
                    format!("rates[{i}].transit"),
                    "min must not be above max",
                ));
            }
            if r.transit.max > 365 {
                return Err(invalid(
                    format!("rates[{i}].transit.max"),
                    "must be at most 365 days",
                ));
            }
        }
        let code = WarehouseCode::parse("CHECK")?;
        let site = Site {
            code: code.clone(),
            country,
            kind: WarehouseKind::Overseas,
            handling_days: 0,
            shipping: self,
        };
        assemble(self.currency, std::slice::from_ref(&site), Ok).map(|_| ())
    }
}

fn prefix(e: RoutingError, at: &str) -> RoutingError {
    match e {
        RoutingError::Invalid { field, reason } => invalid(format!("{at}.{field}"), reason),
        other => other,
    }
}

/// One warehouse of a seller's network with its setup.
#[derive(Debug, Clone)]
pub struct Site<'a> {
    /// Unique within the network (the warehouse's code, made unique).
    pub code: WarehouseCode,
    pub country: Country,
    pub kind: WarehouseKind,
    /// Days until an order routed now leaves (see [`handling_days`]).
    pub handling_days: u16,
    pub shipping: &'a WarehouseShipping,
}

/// The network's name of a site's service: `<warehouse>.<service>`.
pub fn network_service(
    warehouse: &WarehouseCode,
    service: &ServiceCode,
) -> Result<ServiceCode, RoutingError> {
    ServiceCode::parse(&format!("{}.{}", warehouse.as_str(), service.as_str()))
}

/// The site's own service code from a network service code.
pub fn site_service<'a>(warehouse: &WarehouseCode, network: &'a ServiceCode) -> &'a str {
    network
        .as_str()
        .strip_prefix(warehouse.as_str())
        .and_then(|rest| rest.strip_prefix('.'))
        .unwrap_or(network.as_str())
}

/// Builds the network of `sites` with prices in `currency`: each service is
/// named `<warehouse>.<service>`; each rate card's prices are converted by
/// `convert` (from the setup's currency into `currency`, rounding at
/// [`RATE_CARD_TO_ORDER_CURRENCY`]) unless already in `currency`.
pub fn assemble<F>(
    currency: Currency,
    sites: &[Site<'_>],
    convert: F,
) -> Result<RoutingNetwork, RoutingError>
where
    F: Fn(Money) -> Result<Money, RoutingError>,
{
    let mut services = Vec::new();
    let mut warehouses = Vec::with_capacity(sites.len());
    let mut cards = Vec::new();
    for site in sites {
        let setup = site.shipping;
        for s in &setup.services {
            services.push(CarrierService {
                code: network_service(&site.code, &s.code)?,
                ..s.clone()
            });
        }
        warehouses.push(RoutingWarehouse {
            code: site.code.clone(),
            country: site.country,
            kind: site.kind,
            market: setup.market.clone(),
            handling_days: site.handling_days,
        });
        let in_currency = |minor: i64| -> Result<i64, RoutingError> {
            if setup.currency == currency {
                Ok(minor)
            } else {
                Ok(convert(Money::from_minor(minor, setup.currency))?.minor())
            }
        };
        for (i, r) in setup.rates.iter().enumerate() {
            if !setup.services.iter().any(|s| s.code == r.service) {
                return Err(invalid(
                    format!("rates[{i}].service"),
                    format!("{} is not one of the warehouse's services", r.service),
                ));
            }
            cards.push(RateCard {
                warehouse: site.code.clone(),
                service: network_service(&site.code, &r.service)?,
                zone: r.zone.clone(),
                pricing: WeightPricing {
                    first_price_minor: in_currency(r.pricing.first_price_minor)?,
                    step_price_minor: in_currency(r.pricing.step_price_minor)?,
                    ..r.pricing
                },
                transit: r.transit,
            });
        }
    }
    RoutingNetwork::new(currency, services, warehouses, cards)
}

/// Days before an order routed at `now_ms` is handed to the carrier, in
/// the warehouse's local calendar (standard offset `utc_offset_minutes`):
/// 0 when today is one of its `dispatch_days` and its local time of day is
/// before the cut-off (`cutoff_minutes` after midnight); otherwise the days
/// until the next dispatch day (1 for tomorrow). With no dispatch day
/// given, every day is one.
pub fn handling_days(
    now_ms: i64,
    utc_offset_minutes: i32,
    cutoff_minutes: u32,
    dispatch_days: &[Weekday],
) -> u16 {
    let local_ms = now_ms + i64::from(utc_offset_minutes) * 60_000;
    let today = local_ms.div_euclid(86_400_000);
    let minutes = (local_ms.div_euclid(60_000)).rem_euclid(24 * 60) as u32;
    let dispatches =
        |day: i64| dispatch_days.is_empty() || dispatch_days.contains(&weekday_of_day(day));
    if minutes < cutoff_minutes && dispatches(today) {
        return 0;
    }
    (1..=7u16)
        .find(|n| dispatches(today + i64::from(*n)))
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::weight::Grams;
    use crate::routing::ZoneRule;

    fn setup(currency: Currency) -> WarehouseShipping {
        WarehouseShipping {
            dispatch_days: every_day(),
            currency,
            market: vec![],
            services: vec![CarrierService {
                code: ServiceCode::parse("USPS-GA").unwrap(),
                name: "USPS Ground Advantage".into(),
                carrier: "USPS".into(),
                max_weight: Grams(31_000),
                dangerous_goods: vec![],
                volumetric_divisor: 5000,
                zones: vec![ZoneRule {
                    country: Country::from_alpha2("US").unwrap(),
                    postal_prefix: String::new(),
                    zone: ZoneCode::parse("US").unwrap(),
                }],
            }],
            rates: vec![LaneRate {
                service: ServiceCode::parse("USPS-GA").unwrap(),
                zone: ZoneCode::parse("US").unwrap(),
                pricing: WeightPricing::new(Grams(500), 575, Grams(500), 125).unwrap(),
                transit: TransitDays { min: 2, max: 5 },
            }],
        }
    }

    fn us() -> Country {
        Country::from_alpha2("US").unwrap()
    }

    #[test]
    fn a_good_setup_passes_its_check() {
        setup(Currency::USD).check(us()).unwrap();
    }

    #[test]
    fn a_rate_for_an_unknown_service_is_named() {
        let mut s = setup(Currency::USD);
        s.rates[0].service = ServiceCode::parse("FEDEX").unwrap();
        let e = s.check(us()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "rates[0].service: FEDEX is not one of the warehouse's services"
        );
    }

    #[test]
    fn a_rate_for_a_zone_outside_the_chart_is_refused() {
        let mut s = setup(Currency::USD);
        s.rates[0].zone = ZoneCode::parse("MARS").unwrap();
        assert_eq!(s.check(us()).unwrap_err().code(), "unknown_code");
    }

    #[test]
    fn transit_min_above_max_and_long_codes_are_named() {
        let mut s = setup(Currency::USD);
        s.rates[0].transit = TransitDays { min: 6, max: 5 };
        assert!(s
            .check(us())
            .unwrap_err()
            .to_string()
            .starts_with("rates[0].transit:"));
        let mut s = setup(Currency::USD);
        s.services[0].code = ServiceCode::parse("A-VERY-LONG-SERVICE").unwrap();
        assert!(s
            .check(us())
            .unwrap_err()
            .to_string()
            .starts_with("services[0].code:"));
    }

    #[test]
    fn services_are_named_by_warehouse_and_map_back() {
        let w = WarehouseCode::parse("LAX-1").unwrap();
        let s = ServiceCode::parse("USPS-GA").unwrap();
        let n = network_service(&w, &s).unwrap();
        assert_eq!(n.as_str(), "LAX-1.USPS-GA");
        assert_eq!(site_service(&w, &n), "USPS-GA");
    }

    #[test]
    fn card_prices_in_another_currency_are_converted_each_at_the_named_step() {
        let s = setup(Currency::USD);
        let site = Site {
            code: WarehouseCode::parse("LAX-1").unwrap(),
            country: us(),
            kind: WarehouseKind::Overseas,
            handling_days: 0,
            shipping: &s,
        };
        // 1 USD = 0.925 EUR, half up: 5.75 → 5.31875 → 5.32; 1.25 → 1.15625 → 1.16.
        let net = assemble(Currency::EUR, &[site], |m| {
            assert_eq!(m.currency(), Currency::USD);
            let exact = m.minor() * 925;
            Ok(Money::from_minor((exact + 500) / 1000, Currency::EUR))
        })
        .unwrap();
        let card = &net.rate_cards()[0];
        assert_eq!(card.pricing.first_price_minor, 532);
        assert_eq!(card.pricing.step_price_minor, 116);
        assert_eq!(net.currency(), Currency::EUR);
    }

    #[test]
    fn handling_days_turn_at_the_local_cut_off() {
        // 2026-11-27 21:59 UTC is 13:59 in UTC−8; cut-off 14:00.
        let day = 1_795_737_600_000_i64; // 2026-11-27 00:00 UTC
        let at = |h: i64, m: i64| day + (h * 60 + m) * 60_000;
        let all = every_day();
        assert_eq!(handling_days(at(21, 59), -480, 14 * 60, &all), 0);
        assert_eq!(handling_days(at(22, 0), -480, 14 * 60, &all), 1);
        // Shanghai (UTC+8), cut-off 18:00: 09:59 UTC is 17:59 local.
        assert_eq!(handling_days(at(9, 59), 480, 18 * 60, &all), 0);
        assert_eq!(handling_days(at(10, 0), 480, 18 * 60, &all), 1);
    }

    #[test]
    fn handling_days_skip_the_days_without_dispatch() {
        use Weekday::*;
        let weekdays = [Monday, Tuesday, Wednesday, Thursday, Friday];
        // 2026-11-27 is a Friday; 00:00 UTC.
        let friday = 1_795_737_600_000_i64;
        assert_eq!(every_day()[0], Monday);
        assert_eq!(
            crate::calendar::Date::from_days_since_epoch((friday / 86_400_000) as i32)
                .unwrap()
                .weekday(),
            Friday
        );
        let at = |day: i64, h: i64| friday + day * 86_400_000 + h * 3_600_000;
        // Los Angeles (UTC−8), cut-off 14:00, Monday to Friday.
        // Friday 13:00 local (21:00 UTC): today.
        assert_eq!(handling_days(at(0, 21), -480, 14 * 60, &weekdays), 0);
        // Friday 15:00 local (23:00 UTC): Monday, three days on.
        assert_eq!(handling_days(at(0, 23), -480, 14 * 60, &weekdays), 3);
        // Saturday and Sunday before the cut-off: Monday.
        assert_eq!(handling_days(at(1, 18), -480, 14 * 60, &weekdays), 2);
        assert_eq!(handling_days(at(2, 18), -480, 14 * 60, &weekdays), 1);
        // Monday 10:00 local (18:00 UTC): today.
        assert_eq!(handling_days(at(3, 18), -480, 14 * 60, &weekdays), 0);
        // Shenzhen (UTC+8), Monday to Saturday, cut-off 18:00: Saturday
        // 19:00 local (11:00 UTC) waits for Monday.
        let six = [Monday, Tuesday, Wednesday, Thursday, Friday, Saturday];
        assert_eq!(handling_days(at(1, 11), 480, 18 * 60, &six), 2);
        assert_eq!(handling_days(at(1, 9), 480, 18 * 60, &six), 0);
        // One day a week: the next one, up to a week away.
        assert_eq!(handling_days(at(0, 23), -480, 14 * 60, &[Friday]), 7);
    }

    #[test]
    fn dispatch_days_default_to_every_day_and_are_checked() {
        let json = r#"{"currency":"USD","services":[],"rates":[]}"#;
        let s: WarehouseShipping = serde_json::from_str(json).unwrap();
        assert_eq!(s.dispatch_days, every_day());
        let mut s = setup(Currency::USD);
        s.dispatch_days = vec![];
        let e = s.check(Country::from_alpha2("US").unwrap()).unwrap_err();
        assert!(e.to_string().contains("dispatch_days"), "{e}");
        s.dispatch_days = vec![Weekday::Monday, Weekday::Friday, Weekday::Monday];
        let e = s.check(Country::from_alpha2("US").unwrap()).unwrap_err();
        assert!(e.to_string().contains("dispatch_days[2]"), "{e}");
        assert!(e.to_string().contains("Monday is listed twice"), "{e}");
    }
}
