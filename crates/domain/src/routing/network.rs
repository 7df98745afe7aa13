//! The routing network: carrier services with their zone charts,
//! warehouses, and rate cards per warehouse × service × zone, indexed once
//! so that routing an order never scans every warehouse or card.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::error::{invalid, RoutingError};
use super::weight::{Grams, WeightPricing};
use crate::country::Country;
use crate::inventory::WarehouseKind;
use crate::money::Currency;
use crate::text_newtype::text_newtype_impls;

macro_rules! route_code {
    ($(#[$doc:meta])* $ty:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $ty(String);

        impl $ty {
            /// Parses a code: 1–40 of `A-Z a-z 0-9 - _ .`.
            pub fn parse(text: &str) -> Result<$ty, RoutingError> {
                let ok = (1..=40).contains(&text.len())
                    && text
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
                if ok {
                    Ok($ty(text.to_owned()))
                } else {
                    Err(invalid(
                        $field,
                        format!("{:?} must be 1 to 40 of A-Z, a-z, 0-9, -, _ and .", text.chars().take(41).collect::<String>()),
                    ))
                }
            }

            /// The code as given.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        text_newtype_impls!($ty, RoutingError);
    };
}

route_code!(
    /// A warehouse's code in the routing network, e.g. `US-W`.
    WarehouseCode,
    "warehouse"
);
route_code!(
    /// A carrier service's code, e.g. `USPS-GA` or `CN-EPACKET`.
    ServiceCode,
    "service"
);
route_code!(
    /// A zone of a carrier service's zone chart, e.g. `US-Z8`.
    ZoneCode,
    "zone"
);

/// A UN dangerous-goods class, 1 to 9 (class 9 covers lithium batteries).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct DangerousGoodsClass(u8);

impl DangerousGoodsClass {
    /// A class from 1 to 9.
    pub fn new(class: u8) -> Result<DangerousGoodsClass, RoutingError> {
        if (1..=9).contains(&class) {
            Ok(DangerousGoodsClass(class))
        } else {
            Err(invalid(
                "dangerous_goods",
                format!("{class} is not a UN class 1 to 9"),
            ))
        }
    }

    /// The class number.
    pub const fn number(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for DangerousGoodsClass {
    type Error = RoutingError;
    fn try_from(class: u8) -> Result<Self, Self::Error> {
        DangerousGoodsClass::new(class)
    }
}

impl From<DangerousGoodsClass> for u8 {
    fn from(class: DangerousGoodsClass) -> u8 {
        class.0
    }
}

/// A set of dangerous-goods classes (a bit per class).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct DangerousGoodsSet(u16);

impl DangerousGoodsSet {
    /// No class.
    pub const NONE: DangerousGoodsSet = DangerousGoodsSet(0);

    /// The given classes.
    pub fn of(classes: &[DangerousGoodsClass]) -> DangerousGoodsSet {
        DangerousGoodsSet(classes.iter().fold(0, |bits, c| bits | (1 << c.0)))
    }

    /// This set and `class`.
    pub fn with(self, class: DangerousGoodsClass) -> DangerousGoodsSet {
        DangerousGoodsSet(self.0 | (1 << class.0))
    }

    /// Both sets together.
    pub fn union(self, other: DangerousGoodsSet) -> DangerousGoodsSet {
        DangerousGoodsSet(self.0 | other.0)
    }

    /// Whether every class of `other` is in this set.
    pub fn covers(self, other: DangerousGoodsSet) -> bool {
        other.0 & !self.0 == 0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The classes, lowest first.
    pub fn classes(self) -> Vec<DangerousGoodsClass> {
        (1..=9)
            .filter(|c| self.0 & (1 << c) != 0)
            .map(DangerousGoodsClass)
            .collect()
    }
}

impl Serialize for DangerousGoodsSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.classes().serialize(s)
    }
}

/// Carrier transit time for a lane, in calendar days after handover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TransitDays {
    pub min: u16,
    pub max: u16,
}

/// One row of a carrier's zone chart: destinations in `country` whose
/// postal code starts with `postal_prefix` (empty: the whole country) are
/// in `zone`. The longest matching prefix wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneRule {
    pub country: Country,
    pub postal_prefix: String,
    pub zone: ZoneCode,
}

/// A carrier service as a warehouse can book it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarrierService {
    pub code: ServiceCode,
    /// Shown to people, e.g. `USPS Ground Advantage`.
    pub name: String,
    /// The carrier, e.g. `USPS`, `China Post`.
    pub carrier: String,
    /// Heaviest actual weight of one package, grams.
    pub max_weight: Grams,
    /// Dangerous-goods classes the service accepts (empty: none).
    pub dangerous_goods: Vec<DangerousGoodsClass>,
    /// Volumetric divisor in cm³ per kg, e.g. 5,000 or 6,000.
    pub volumetric_divisor: u32,
    /// The service's zone chart.
    pub zones: Vec<ZoneRule>,
}

/// The price and transit of one lane: from a warehouse, with a service,
/// to a zone. Prices are in the network's currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateCard {
    pub warehouse: WarehouseCode,
    pub service: ServiceCode,
    pub zone: ZoneCode,
    pub pricing: WeightPricing,
    pub transit: TransitDays,
}

/// A warehouse as routing sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingWarehouse {
    pub code: WarehouseCode,
    pub country: Country,
    pub kind: WarehouseKind,
    /// Destination countries this warehouse counts as its own market
    /// (e.g. a German warehouse for the EU); empty means its own country.
    #[serde(default)]
    pub market: Vec<Country>,
    /// Days between the order and handover to the carrier: 0 when orders
    /// routed now still make today's cut-off, 1 otherwise.
    pub handling_days: u16,
}

impl RoutingWarehouse {
    /// Whether `country` is in this warehouse's market.
    pub fn serves_market(&self, country: Country) -> bool {
        if self.market.is_empty() {
            self.country == country
        } else {
            self.market.contains(&country)
        }
    }
}

pub(crate) type WarehouseIdx = u32;

/// The validated, indexed network that [`route`](super::route) works on.
#[derive(Debug, Clone)]
pub struct RoutingNetwork {
    pub(crate) currency: Currency,
    pub(crate) services: Vec<CarrierService>,
    pub(crate) service_dg: Vec<DangerousGoodsSet>,
    pub(crate) warehouses: Vec<RoutingWarehouse>,
    pub(crate) cards: Vec<RateCard>,
    warehouse_index: HashMap<WarehouseCode, WarehouseIdx>,
    /// Per service: country → (prefix, zone index) longest prefix first.
    zone_charts: Vec<HashMap<Country, Vec<(String, u32)>>>,
    /// Per service: zone codes by index.
    zone_codes: Vec<Vec<ZoneCode>>,
    /// Per warehouse: (service, zone, card) for every card it has, sorted.
    lanes: Vec<Vec<(u32, u32, u32)>>,
}

impl RoutingNetwork {
    /// Checks and indexes a network. Codes must be unique; each card must
    /// name a known warehouse and service and a zone of that service's
    /// chart, at most one card per warehouse × service × zone. Card prices
    /// are minor units of `currency`.
    pub fn new(
        currency: Currency,
        services: Vec<CarrierService>,
        warehouses: Vec<RoutingWarehouse>,
        cards: Vec<RateCard>,
    ) -> Result<RoutingNetwork, RoutingError> {
        let mut service_index = HashMap::new();
        let mut zone_charts = Vec::with_capacity(services.len());
        let mut zone_codes = Vec::with_capacity(services.len());
        let mut service_dg = Vec::with_capacity(services.len());
        for (i, s) in services.iter().enumerate() {
            if service_index.insert(s.code.clone(), i as u32).is_some() {
                return Err(invalid("services", format!("{} appears twice", s.code)));
            }
            if s.volumetric_divisor == 0 {
                return Err(invalid(
                    "volumetric_divisor",
                    format!("{}: must be positive", s.code),
                ));
            }
            let mut codes: Vec<ZoneCode> = Vec::new();
            let mut chart: HashMap<Country, Vec<(String, u32)>> = HashMap::new();
            for rule in &s.zones {
                let zi = match codes.iter().position(|z| *z == rule.zone) {
                    Some(p) => p as u32,
                    None => {
                        codes.push(rule.zone.clone());
                        (codes.len() - 1) as u32
                    }
                };
                chart
                    .entry(rule.country)
                    .or_default()
                    .push((rule.postal_prefix.to_ascii_uppercase(), zi));
            }
            for rows in chart.values_mut() {
                rows.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
                if rows.windows(2).any(|w| w[0].0 == w[1].0) {
                    return Err(invalid(
                        "zones",
                        format!("{}: a postal prefix maps to two zones", s.code),
                    ));
                }
            }
            zone_charts.push(chart);
            zone_codes.push(codes);
            service_dg.push(DangerousGoodsSet::of(&s.dangerous_goods));
        }
        let mut warehouse_index = HashMap::new();
        for (i, w) in warehouses.iter().enumerate() {
            if warehouse_index.insert(w.code.clone(), i as u32).is_some() {
                return Err(invalid("warehouses", format!("{} appears twice", w.code)));
            }
        }
        let mut lanes: Vec<Vec<(u32, u32, u32)>> = vec![Vec::new(); warehouses.len()];
        for (ci, card) in cards.iter().enumerate() {
            let w = *warehouse_index
                .get(&card.warehouse)
                .ok_or_else(|| unknown("warehouse", card.warehouse.as_str()))?;
            let s = *service_index
                .get(&card.service)
                .ok_or_else(|| unknown("service", card.service.as_str()))?;
            let z = zone_codes[s as usize]
                .iter()
                .position(|z| *z == card.zone)
                .ok_or_else(|| unknown("zone", card.zone.as_str()))? as u32;
            if card.transit.min > card.transit.max {
                return Err(invalid(
                    "transit",
                    format!(
                        "{} {} {}: min above max",
                        card.warehouse, card.service, card.zone
                    ),
                ));
            }
            lanes[w as usize].push((s, z, ci as u32));
        }
        for l in &mut lanes {
            l.sort_unstable();
            if l.windows(2).any(|w| w[0].0 == w[1].0 && w[0].1 == w[1].1) {
                return Err(invalid(
                    "rate_cards",
                    "two cards for the same warehouse, service and zone",
                ));
            }
        }
        Ok(RoutingNetwork {
            currency,
            services,
            service_dg,
            warehouses,
            cards,
            warehouse_index,
            zone_charts,
            zone_codes,
            lanes,
        })
    }

    /// The currency of every rate card.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The warehouses, in the order given.
    pub fn warehouses(&self) -> &[RoutingWarehouse] {
        &self.warehouses
    }

    /// The carrier services, in the order given.
    pub fn services(&self) -> &[CarrierService] {
        &self.services
    }

    /// The rate cards, in the order given.
    pub fn rate_cards(&self) -> &[RateCard] {
        &self.cards
    }

    pub(crate) fn warehouse_idx(&self, code: &WarehouseCode) -> Result<WarehouseIdx, RoutingError> {
        self.warehouse_index
            .get(code)
            .copied()
            .ok_or_else(|| unknown("warehouse", code.as_str()))
    }

    /// The zone of `service` (by index) for a destination: the longest
    /// matching postal prefix of the country's rules.
    pub(crate) fn zone_of(&self, service: usize, country: Country, postal: &str) -> Option<u32> {
        let rows = self.zone_charts[service].get(&country)?;
        rows.iter()
            .find(|(prefix, _)| {
                postal.len() >= prefix.len()
                    && postal.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
            })
            .map(|(_, z)| *z)
    }

    /// The zone code of `service` for a destination, if the chart has one.
    pub fn zone_for(
        &self,
        service: &ServiceCode,
        country: Country,
        postal_code: &str,
    ) -> Option<&ZoneCode> {
        let s = self.services.iter().position(|x| x.code == *service)?;
        let z = self.zone_of(s, country, postal_code)?;
        Some(&self.zone_codes[s][z as usize])
    }

    pub(crate) fn zone_code(&self, service: usize, zone: u32) -> &ZoneCode {
        &self.zone_codes[service][zone as usize]
    }

    /// The card of warehouse `w` for each service, given the destination's
    /// zone per service (`None`: the service does not reach it).
    pub(crate) fn lanes_to<'a>(
        &'a self,
        w: WarehouseIdx,
        zone_per_service: &'a [Option<u32>],
    ) -> impl Iterator<Item = (u32, u32)> + 'a {
        self.lanes[w as usize]
            .iter()
            .filter(move |(s, z, _)| zone_per_service[*s as usize] == Some(*z))
            .map(|(s, _, c)| (*s, *c))
    }
}

fn unknown(kind: &'static str, code: &str) -> RoutingError {
    RoutingError::Unknown {
        kind,
        code: code.to_owned(),
    }
}
