//! Seeded, deterministic routing instances: a network (the seven-warehouse
//! network US-W, US-E, DE, UK, JP, AU + the CN origin, or a large one of
//! many warehouses in the same markets), SKUs with Zipf popularity, stock
//! (tight or loose) and a stream of orders.
//!
//! Prices are invented but shaped like real cards, in US cents: domestic
//! ground from an overseas warehouse costs more with distance between the
//! warehouse's and the zone's position in the country; the China origin's
//! e-packet is priced per 100 g, so heavy parcels favour overseas stock.

use std::collections::HashMap;

use chuhai_domain::catalog::Sku;
use chuhai_domain::country::Country;
use chuhai_domain::inventory::WarehouseKind;
use chuhai_domain::money::Currency;
use chuhai_domain::routing::{
    CarrierService, DangerousGoodsClass, Destination, Grams, LineToRoute, OrderToRoute, RateCard,
    RoutingNetwork, RoutingWarehouse, SizeMm, StockLevels, TransitDays, WarehouseCode,
    WeightPricing, ZoneCode, ZoneRule,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// How many warehouses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// US-W, US-E, DE, UK, JP, AU and the CN origin.
    Seven,
    /// This many warehouses (≥ 20) spread over the same markets, 4 % of
    /// them China origins.
    Large(usize),
}

/// How much stock there is against expected demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockLevel {
    /// Overseas warehouses hold about 0.9× their market's expected demand
    /// and the origin 0.3× of all demand (at least 1 of each SKU): some
    /// orders split, fall back to
    /// China or fail.
    Tight,
    /// Overseas warehouses hold 3× their market's demand (at least 3 of
    /// each SKU), the origin 2× all (at least 10).
    Loose,
    /// The warehouses stocking a SKU (as for `Loose`) each hold the whole
    /// batch's demand for it: no order can take stock another needs, so
    /// the batch optimum is exactly the sum of each order's own optimum,
    /// which makes the gap on 1,000-order batches exact.
    Ample,
}

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct InstanceSpec {
    pub seed: u64,
    pub scale: Scale,
    pub stock: StockLevel,
    /// 100–2,000 in the report.
    pub skus: usize,
    pub orders: usize,
}

/// A generated instance.
pub struct Instance {
    pub network: RoutingNetwork,
    pub stock: StockLevels,
    pub orders: Vec<OrderToRoute>,
}

/// A destination country: its code, its market and the first characters
/// of its postal codes that make its ten zones.
struct Land {
    country: Country,
    market: usize,
    prefixes: [&'static str; 10],
    /// Share of orders, per mille.
    share: u32,
}

const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
const GB_AREAS: [&str; 10] = ["B", "C", "D", "E", "G", "L", "M", "N", "S", "W"];

fn lands() -> [Land; 8] {
    let d = |country, market, share| Land {
        country,
        market,
        prefixes: DIGITS,
        share,
    };
    [
        d(Country::US, 0, 400),
        d(Country::DE, 1, 100),
        d(Country::FR, 1, 60),
        d(Country::IT, 1, 50),
        d(Country::ES, 1, 40),
        Land {
            country: Country::GB,
            market: 2,
            prefixes: GB_AREAS,
            share: 120,
        },
        d(Country::JP, 3, 120),
        d(Country::AU, 4, 110),
    ]
}

/// Markets: name, home country of its warehouses, price factor (percent).
const MARKETS: [(&str, u32); 5] = [
    ("US", 100),
    ("EU", 110),
    ("GB", 100),
    ("JP", 110),
    ("AU", 130),
];

fn code<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().expect("generated codes are valid")
}

fn pricing(first_g: u64, first: i64, step_g: u64, step: i64) -> WeightPricing {
    WeightPricing::new(Grams(first_g), first, Grams(step_g), step).expect("positive figures")
}

struct Site {
    code: String,
    country: Country,
    market: Option<usize>,
    pos: i64,
    hub: bool,
}

fn sites(scale: Scale, rng: &mut StdRng) -> Vec<Site> {
    let site = |code: &str, country, market, pos, hub| Site {
        code: code.to_owned(),
        country,
        market,
        pos,
        hub,
    };
    match scale {
        Scale::Seven => vec![
            site("US-W", Country::US, Some(0), 9, true),
            site("US-E", Country::US, Some(0), 0, true),
            site("DE", Country::DE, Some(1), 5, true),
            site("UK", Country::GB, Some(2), 5, true),
            site("JP", Country::JP, Some(3), 1, true),
            site("AU", Country::AU, Some(4), 2, true),
            site("CN", Country::CN, None, 0, false),
        ],
        Scale::Large(n) => {
            let eu = [Country::DE, Country::FR, Country::IT, Country::ES];
            (0..n)
                .map(|i| {
                    let r = i % 25;
                    let (country, market) = match r {
                        0..=8 => (Country::US, Some(0)),
                        9..=14 => (eu[i % 4], Some(1)),
                        15..=17 => (Country::GB, Some(2)),
                        18..=20 => (Country::JP, Some(3)),
                        21..=23 => (Country::AU, Some(4)),
                        _ => (Country::CN, None),
                    };
                    let name = market.map_or("CN", |m| MARKETS[m].0);
                    site(
                        &format!("{name}-{i:04}"),
                        country,
                        market,
                        rng.gen_range(0..10),
                        i % 10 == 0,
                    )
                })
                .collect()
        }
    }
}

fn network(scale: Scale, rng: &mut StdRng) -> (RoutingNetwork, Vec<Site>) {
    let lands = lands();
    let mut services = Vec::new();
    // Domestic services per market: ground, dangerous-goods ground, express.
    for (m, (name, _)) in MARKETS.iter().enumerate() {
        let zones: Vec<ZoneRule> = lands
            .iter()
            .filter(|l| l.market == m)
            .flat_map(|l| {
                l.prefixes.iter().enumerate().map(move |(z, p)| ZoneRule {
                    country: l.country,
                    postal_prefix: (*p).to_owned(),
                    zone: code(&format!("{}-{z}", l.country)),
                })
            })
            .collect();
        for (kind, dg, divisor) in [
            ("GROUND", false, 6000),
            ("DG", true, 6000),
            ("EXPRESS", false, 5000),
        ] {
            services.push(CarrierService {
                code: code(&format!("{name}-{kind}")),
                name: format!("{name} {kind}"),
                carrier: format!("{name} Post"),
                max_weight: Grams(30_000),
                dangerous_goods: if dg {
                    vec![DangerousGoodsClass::new(9).unwrap()]
                } else {
                    vec![]
                },
                volumetric_divisor: divisor,
                zones: zones.clone(),
            });
        }
    }
    let country_zones: Vec<ZoneRule> = lands
        .iter()
        .map(|l| ZoneRule {
            country: l.country,
            postal_prefix: String::new(),
            zone: code(&format!("INT-{}", l.country)),
        })
        .collect();
    for (c, dg, max, divisor) in [
        ("INTL-EXPRESS", false, 30_000, 5000),
        ("CN-EPACKET", false, 2_000, 8000),
        ("CN-DG-LINE", true, 2_000, 8000),
        ("CN-EXPRESS", false, 30_000, 5000),
    ] {
        services.push(CarrierService {
            code: code(c),
            name: c.to_owned(),
            carrier: c.to_owned(),
            max_weight: Grams(max),
            dangerous_goods: if dg {
                vec![DangerousGoodsClass::new(9).unwrap()]
            } else {
                vec![]
            },
            volumetric_divisor: divisor,
            zones: country_zones.clone(),
        });
    }
    let sites = sites(scale, rng);
    let mut warehouses = Vec::with_capacity(sites.len());
    let mut cards = Vec::new();
    for s in &sites {
        let w: WarehouseCode = code(&s.code);
        match s.market {
            Some(m) => {
                warehouses.push(RoutingWarehouse {
                    code: w.clone(),
                    country: s.country,
                    kind: WarehouseKind::Overseas,
                    market: lands
                        .iter()
                        .filter(|l| l.market == m)
                        .map(|l| l.country)
                        .collect(),
                    handling_days: 0,
                });
                let factor = i64::from(MARKETS[m].1);
                let f = |cents: i64| cents * factor / 100;
                for l in lands.iter().filter(|l| l.market == m) {
                    for z in 0..10i64 {
                        let dist = (z - s.pos).abs() + if l.country == s.country { 0 } else { 3 };
                        let zone: ZoneCode = code(&format!("{}-{z}", l.country));
                        let d16 = dist as u16;
                        let name = MARKETS[m].0;
                        for (kind, p, transit) in [
                            (
                                "GROUND",
                                pricing(500, f(400 + 40 * dist), 500, f(70 + 10 * dist)),
                                (1 + d16 / 3, 2 + d16 / 2),
                            ),
                            (
                                "DG",
                                pricing(500, f(650 + 60 * dist), 500, f(95 + 12 * dist)),
                                (2 + d16 / 3, 3 + d16 / 2),
                            ),
                            (
                                "EXPRESS",
                                pricing(500, f(1200 + 50 * dist), 500, f(200)),
                                (1, 2),
                            ),
                        ] {
                            cards.push(RateCard {
                                warehouse: w.clone(),
                                service: code(&format!("{name}-{kind}")),
                                zone: zone.clone(),
                                pricing: p,
                                transit: TransitDays {
                                    min: transit.0,
                                    max: transit.1,
                                },
                            });
                        }
                    }
                }
                if s.hub {
                    for l in &lands {
                        if l.market != m {
                            cards.push(RateCard {
                                warehouse: w.clone(),
                                service: code("INTL-EXPRESS"),
                                zone: code(&format!("INT-{}", l.country)),
                                pricing: pricing(500, 2500, 500, 400),
                                transit: TransitDays { min: 3, max: 6 },
                            });
                        }
                    }
                }
            }
            None => {
                warehouses.push(RoutingWarehouse {
                    code: w.clone(),
                    country: Country::CN,
                    kind: WarehouseKind::Origin,
                    market: Vec::new(),
                    handling_days: 1,
                });
                for l in &lands {
                    let f = match l.country {
                        Country::JP => 80,
                        Country::AU => 110,
                        _ => 100,
                    };
                    let g = |cents: i64| cents * f / 100;
                    for (service, p, transit) in [
                        ("CN-EPACKET", pricing(100, g(350), 100, g(85)), (8, 15)),
                        ("CN-DG-LINE", pricing(100, g(500), 100, g(110)), (10, 20)),
                        ("CN-EXPRESS", pricing(500, g(1800), 500, g(350)), (4, 7)),
                    ] {
                        cards.push(RateCard {
                            warehouse: w.clone(),
                            service: code(service),
                            zone: code(&format!("INT-{}", l.country)),
                            pricing: p,
                            transit: TransitDays {
                                min: transit.0,
                                max: transit.1,
                            },
                        });
                    }
                }
            }
        }
    }
    let net = RoutingNetwork::new(Currency::USD, services, warehouses, cards)
        .expect("the generated network is valid");
    (net, sites)
}

/// A SKU's physical facts.
struct Item {
    sku: Sku,
    grams: u64,
    size: SizeMm,
    dangerous: bool,
}

fn items(n: usize, rng: &mut StdRng) -> Vec<Item> {
    (0..n)
        .map(|i| {
            // Log-uniform 50 g – 4 kg; density 0.1–1.0 g/cm³.
            let grams = (50.0 * 80f64.powf(rng.gen::<f64>())) as u64;
            let density = rng.gen_range(0.1..1.0);
            let cm3 = grams as f64 / density;
            let side = cm3.cbrt() * 10.0; // mm
            let size = SizeMm {
                length: (side * 1.4) as u32 + 1,
                width: side as u32 + 1,
                height: (side / 1.4) as u32 + 1,
            };
            Item {
                sku: code(&format!("SKU-{i:04}")),
                grams,
                size,
                dangerous: rng.gen_bool(0.06),
            }
        })
        .collect()
}

/// Cumulative Zipf weights (exponent 1) for ranks 1..=n.
fn zipf_cdf(n: usize) -> Vec<f64> {
    let mut acc = 0.0;
    let mut out: Vec<f64> = (1..=n)
        .map(|k| {
            acc += 1.0 / k as f64;
            acc
        })
        .collect();
    for v in &mut out {
        *v /= acc;
    }
    out
}

fn draw(cdf: &[f64], rng: &mut StdRng) -> usize {
    let u: f64 = rng.gen();
    cdf.partition_point(|&c| c < u).min(cdf.len() - 1)
}

/// Mean lines per order × mean units per line, from the distributions below.
const UNITS_PER_ORDER: f64 = 2.29 * 1.25;
const BASKET_WEIGHTS: [u32; 6] = [40, 25, 15, 10, 6, 4];

/// Generates the instance for `spec`; the same spec gives the same instance.
pub fn generate(spec: &InstanceSpec) -> Instance {
    let mut rng = StdRng::seed_from_u64(spec.seed);
    let (network, sites) = network(spec.scale, &mut rng);
    let items = items(spec.skus, &mut rng);
    let cdf = zipf_cdf(spec.skus);
    let lands = lands();
    let popularity = |k: usize| cdf[k] - if k == 0 { 0.0 } else { cdf[k - 1] };
    let market_share: Vec<f64> = (0..MARKETS.len())
        .map(|m| {
            lands
                .iter()
                .filter(|l| l.market == m)
                .map(|l| f64::from(l.share))
                .sum::<f64>()
                / 1000.0
        })
        .collect();
    let per_market_sites: Vec<usize> = (0..MARKETS.len())
        .map(|m| sites.iter().filter(|s| s.market == Some(m)).count())
        .collect();
    let origins = sites.iter().filter(|s| s.market.is_none()).count().max(1);
    let (overseas_factor, origin_factor) = match spec.stock {
        StockLevel::Tight => (0.9, 0.3),
        StockLevel::Loose | StockLevel::Ample => (3.0, 2.0),
    };
    let demand_units = spec.orders as f64 * UNITS_PER_ORDER;
    let large = matches!(spec.scale, Scale::Large(_));
    let mut rows = Vec::new();
    for s in &sites {
        for (k, item) in items.iter().enumerate() {
            let p = popularity(k);
            let expected = match s.market {
                Some(m) => {
                    demand_units * p * market_share[m] * overseas_factor
                        / per_market_sites[m] as f64
                }
                None => demand_units * p * origin_factor / origins as f64,
            };
            // In a large network a warehouse stocks a SKU only now and
            // then, more often the more popular it is, and then holds
            // proportionally more.
            let (stocks, scale) = if large {
                let chance = (p * 40.0).clamp(0.02, 1.0);
                (rng.gen_bool(chance), 1.0 / chance)
            } else {
                (true, 1.0)
            };
            if !stocks {
                continue;
            }
            let jitter = rng.gen_range(0.5..1.5);
            // A floor so that small batches still find stock.
            let floor = match (spec.stock, s.market) {
                (StockLevel::Loose | StockLevel::Ample, Some(_)) => 3.0,
                (StockLevel::Loose | StockLevel::Ample, None) => 10.0,
                (StockLevel::Tight, None) => 1.0,
                (StockLevel::Tight, Some(_)) => 0.0,
            };
            // Rounded at random to a neighbouring whole unit, so that the
            // expected total stays the expected demand × factor.
            let exact = (expected * scale * jitter).max(floor);
            let units = (exact.floor() + f64::from(u8::from(rng.gen_bool(exact.fract())))) as u32;
            if units > 0 {
                rows.push((code::<WarehouseCode>(&s.code), item.sku.clone(), units));
            }
        }
    }
    let stocked: Vec<(WarehouseCode, Sku)> = rows
        .iter()
        .map(|(w, s, _)| (w.clone(), s.clone()))
        .collect();
    let mut stock =
        StockLevels::from_rows(&network, rows).expect("generated codes are in the network");
    let land_cdf: Vec<u32> = lands
        .iter()
        .scan(0, |acc, l| {
            *acc += l.share;
            Some(*acc)
        })
        .collect();
    let mut orders = Vec::with_capacity(spec.orders);
    for i in 0..spec.orders {
        let u = rng.gen_range(0..1000);
        let land = &lands[land_cdf.iter().position(|&c| u < c).unwrap_or(0)];
        let zone = rng.gen_range(0..10);
        let postal_code = format!("{}{:04}", land.prefixes[zone], rng.gen_range(0..10_000));
        let mut size = 0;
        let mut b = rng.gen_range(0..100);
        while b >= BASKET_WEIGHTS[size] {
            b -= BASKET_WEIGHTS[size];
            size += 1;
        }
        let size = (size + 1).min(spec.skus);
        let mut picked: Vec<usize> = Vec::with_capacity(size);
        while picked.len() < size {
            let k = draw(&cdf, &mut rng);
            if !picked.contains(&k) {
                picked.push(k);
            }
        }
        let lines = picked
            .iter()
            .map(|&k| {
                let item = &items[k];
                let q = rng.gen_range(0..100);
                LineToRoute {
                    sku: item.sku.clone(),
                    quantity: if q < 80 {
                        1
                    } else if q < 95 {
                        2
                    } else {
                        3
                    },
                    unit_weight: Grams(item.grams),
                    unit_size: item.size,
                    dangerous_goods: item.dangerous.then(|| DangerousGoodsClass::new(9).unwrap()),
                }
            })
            .collect();
        orders.push(OrderToRoute {
            reference: format!("SO-{}-{i:05}", spec.seed),
            destination: Destination {
                country: land.country,
                postal_code,
            },
            lines,
            promised_days: rng.gen_bool(0.25).then(|| rng.gen_range(3..=6)),
            currency: Currency::USD,
        });
    }
    if spec.stock == StockLevel::Ample {
        let mut demand: HashMap<&Sku, u32> = HashMap::new();
        for line in orders.iter().flat_map(|o| &o.lines) {
            *demand.entry(&line.sku).or_default() += line.quantity;
        }
        for (w, sku) in &stocked {
            let units = demand.get(sku).copied().unwrap_or(0).max(1);
            stock
                .set(&network, w, sku, units)
                .expect("generated codes are in the network");
        }
    }
    Instance {
        network,
        stock,
        orders,
    }
}
