//! Unit tests of the routing pipeline on a small network.

use super::*;
use crate::catalog::Sku;
use crate::country::Country;
use crate::customs::CustomsMode;
use crate::inventory::WarehouseKind;
use crate::money::{Currency, Money};

pub(super) fn code<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().unwrap()
}

fn zone(country: Country, prefix: &str, z: &str) -> ZoneRule {
    ZoneRule {
        country,
        postal_prefix: prefix.to_owned(),
        zone: code(z),
    }
}

fn service(c: &str, dg: &[u8], max_kg: u64, divisor: u32, zones: Vec<ZoneRule>) -> CarrierService {
    CarrierService {
        code: code(c),
        name: c.to_owned(),
        carrier: c.split('-').next().unwrap().to_owned(),
        max_weight: Grams(max_kg * 1000),
        dangerous_goods: dg
            .iter()
            .map(|&d| DangerousGoodsClass::new(d).unwrap())
            .collect(),
        volumetric_divisor: divisor,
        zones,
    }
}

fn card(w: &str, s: &str, z: &str, first: i64, step: i64, days: (u16, u16)) -> RateCard {
    RateCard {
        warehouse: code(w),
        service: code(s),
        zone: code(z),
        pricing: WeightPricing::new(Grams(500), first, Grams(500), step).unwrap(),
        transit: TransitDays {
            min: days.0,
            max: days.1,
        },
    }
}

fn warehouse(c: &str, country: Country, kind: WarehouseKind, handling: u16) -> RoutingWarehouse {
    RoutingWarehouse {
        code: code(c),
        country,
        kind,
        market: Vec::new(),
        handling_days: handling,
    }
}

/// US-W, US-E and DE overseas, CN origin. US ground (no DG), US DG
/// ground (class 9), US express (no DG), China Post e-packet (no DG) and
/// a China DG line (class 9), in USD cents.
pub(super) fn network() -> RoutingNetwork {
    let us_zones = || {
        vec![
            zone(Country::US, "", "US-E"),
            zone(Country::US, "9", "US-W"),
        ]
    };
    let intl = || {
        vec![
            zone(Country::US, "", "INT-US"),
            zone(Country::DE, "", "INT-EU"),
            zone(Country::FR, "", "INT-EU"),
        ]
    };
    let services = vec![
        service("US-GROUND", &[], 30, 5000, us_zones()),
        service("US-GROUND-DG", &[9], 30, 5000, us_zones()),
        service("US-EXPRESS", &[], 30, 5000, us_zones()),
        service(
            "EU-PARCEL",
            &[],
            30,
            5000,
            vec![zone(Country::DE, "", "EU"), zone(Country::FR, "", "EU")],
        ),
        service("CN-EPACKET", &[], 2, 6000, intl()),
        service("CN-DG-LINE", &[9], 2, 6000, intl()),
    ];
    let mut de = warehouse("DE", Country::DE, WarehouseKind::Overseas, 0);
    de.market = vec![Country::DE, Country::FR];
    let warehouses = vec![
        warehouse("US-W", Country::US, WarehouseKind::Overseas, 0),
        warehouse("US-E", Country::US, WarehouseKind::Overseas, 0),
        de,
        warehouse("CN", Country::CN, WarehouseKind::Origin, 1),
    ];
    let cards = vec![
        card("US-W", "US-GROUND", "US-W", 450, 90, (2, 3)),
        card("US-W", "US-GROUND", "US-E", 700, 120, (4, 6)),
        card("US-W", "US-GROUND-DG", "US-W", 800, 150, (2, 4)),
        card("US-W", "US-GROUND-DG", "US-E", 1100, 180, (4, 7)),
        card("US-W", "US-EXPRESS", "US-W", 1500, 300, (1, 1)),
        card("US-W", "US-EXPRESS", "US-E", 1900, 300, (1, 2)),
        card("US-E", "US-GROUND", "US-W", 700, 120, (4, 6)),
        card("US-E", "US-GROUND", "US-E", 450, 90, (2, 3)),
        card("DE", "EU-PARCEL", "EU", 500, 100, (1, 3)),
        card("CN", "CN-EPACKET", "INT-US", 600, 400, (8, 15)),
        card("CN", "CN-EPACKET", "INT-EU", 650, 420, (8, 15)),
        card("CN", "CN-DG-LINE", "INT-US", 900, 500, (10, 18)),
    ];
    RoutingNetwork::new(Currency::USD, services, warehouses, cards).unwrap()
}

pub(super) fn line(sku: &str, quantity: u32, grams: u64, dg: Option<u8>) -> LineToRoute {
    LineToRoute {
        sku: Sku::parse(sku).unwrap(),
        quantity,
        unit_weight: Grams(grams),
        unit_size: SizeMm {
            length: 100,
            width: 100,
            height: 50,
        },
        dangerous_goods: dg.map(|d| DangerousGoodsClass::new(d).unwrap()),
    }
}

fn order(country: Country, postal: &str, lines: Vec<LineToRoute>) -> OrderToRoute {
    OrderToRoute {
        reference: "SO-1".to_owned(),
        destination: Destination {
            country,
            postal_code: postal.to_owned(),
        },
        lines,
        promised_days: None,
        currency: Currency::USD,
    }
}

fn stock(net: &RoutingNetwork, rows: &[(&str, &str, u32)]) -> StockLevels {
    let mut s = StockLevels::new();
    for (w, sku, n) in rows {
        s.set(net, &code(w), &Sku::parse(sku).unwrap(), *n).unwrap();
    }
    s
}

fn whs(d: &RoutingDecision) -> Vec<&str> {
    d.shipments.iter().map(|s| s.warehouse.as_str()).collect()
}

fn usd(minor: i64) -> Money {
    Money::from_minor(minor, Currency::USD)
}

#[test]
fn in_market_warehouse_wins_over_cheaper_china_direct_mail() {
    let mut net_cards = network().rate_cards().to_vec();
    // China e-packet made cheaper than US ground from the east.
    for c in &mut net_cards {
        if c.service.as_str() == "CN-EPACKET" {
            c.pricing = WeightPricing::new(Grams(500), 100, Grams(500), 10).unwrap();
        }
    }
    let base = network();
    let net = RoutingNetwork::new(
        Currency::USD,
        base.services().to_vec(),
        base.warehouses().to_vec(),
        net_cards,
    )
    .unwrap();
    let s = stock(&net, &[("US-E", "A", 5), ("CN", "A", 50)]);
    let d = route(
        &net,
        &s,
        &order(Country::US, "10001", vec![line("A", 1, 300, None)]),
    )
    .unwrap();
    assert_eq!(whs(&d), ["US-E"]);
    assert_eq!(d.explanation.won_on, Some(RankingRule::InMarket));
}

#[test]
fn china_origin_direct_mail_is_the_fallback_with_customs_9610() {
    let net = network();
    let s = stock(&net, &[("CN", "A", 50), ("DE", "A", 5)]);
    let d = route(
        &net,
        &s,
        &order(Country::US, "10001", vec![line("A", 1, 300, None)]),
    )
    .unwrap();
    assert_eq!(whs(&d), ["CN"]);
    assert_eq!(d.shipments[0].customs_mode, Some(CustomsMode::M9610));
    assert_eq!(d.shipments[0].service.as_str(), "CN-EPACKET");
    // DE holds the SKU but has no service to the US.
    assert!(d
        .explanation
        .warehouses
        .iter()
        .any(|w| w.warehouse.as_str() == "DE" && w.verdict == WarehouseVerdict::NoServiceToZone));
}

#[test]
fn overseas_shipment_has_no_customs_mode() {
    let net = network();
    let s = stock(&net, &[("US-W", "A", 5)]);
    let d = route(
        &net,
        &s,
        &order(Country::US, "94105", vec![line("A", 1, 300, None)]),
    )
    .unwrap();
    assert_eq!(d.shipments[0].customs_mode, None);
    assert!(d.shipments[0].in_market);
}

#[test]
fn warehouse_market_can_cover_other_countries() {
    let net = network();
    let s = stock(&net, &[("DE", "A", 5), ("CN", "A", 5)]);
    let d = route(
        &net,
        &s,
        &order(Country::FR, "75001", vec![line("A", 1, 300, None)]),
    )
    .unwrap();
    assert_eq!(whs(&d), ["DE"]);
    assert!(d.shipments[0].in_market);
}

#[test]
fn lowest_cost_decides_between_in_market_warehouses() {
    let net = network();
    let s = stock(&net, &[("US-W", "A", 5), ("US-E", "A", 5)]);
    let west = route(
        &net,
        &s,
        &order(Country::US, "94105", vec![line("A", 1, 300, None)]),
    )
    .unwrap();
    assert_eq!(whs(&west), ["US-W"]);
    assert_eq!(west.total_cost, usd(450));
    assert_eq!(west.explanation.won_on, Some(RankingRule::LowestCost));
    let east = route(
        &net,
        &s,
        &order(Country::US, "10001", vec![line("A", 1, 300, None)]),
    )
    .unwrap();
    assert_eq!(whs(&east), ["US-E"]);
}

#[test]
fn zone_is_the_longest_matching_postal_prefix() {
    let net = network();
    let ground = code("US-GROUND");
    assert_eq!(
        net.zone_for(&ground, Country::US, "94105")
            .unwrap()
            .as_str(),
        "US-W"
    );
    assert_eq!(
        net.zone_for(&ground, Country::US, "10001")
            .unwrap()
            .as_str(),
        "US-E"
    );
    assert!(net.zone_for(&ground, Country::JP, "100-0001").is_none());
}

#[test]
fn dangerous_goods_take_a_service_that_carries_their_class() {
    let net = network();
    let s = stock(&net, &[("US-W", "BAT", 5)]);
    let d = route(
        &net,
        &s,
        &order(Country::US, "94105", vec![line("BAT", 1, 300, Some(9))]),
    )
    .unwrap();
    assert_eq!(d.shipments[0].service.as_str(), "US-GROUND-DG");
    assert_eq!(d.total_cost, usd(800));
}

#[test]
fn dangerous_goods_no_service_carries_is_an_error_naming_the_class() {
    let net = network();
    let s = stock(&net, &[("US-W", "GAS", 5)]);
    let err = route(
        &net,
        &s,
        &order(Country::US, "94105", vec![line("GAS", 1, 300, Some(2))]),
    )
    .unwrap_err();
    assert_eq!(
        err,
        RoutingError::DangerousGoodsNotCarried {
            sku: Sku::parse("GAS").unwrap(),
            class: 2
        }
    );
}

#[test]
fn no_stock_anywhere_names_the_sku_and_counts() {
    let net = network();
    let s = stock(&net, &[("US-W", "A", 1), ("CN", "A", 1)]);
    let err = route(
        &net,
        &s,
        &order(Country::US, "94105", vec![line("A", 3, 300, None)]),
    )
    .unwrap_err();
    assert_eq!(
        err,
        RoutingError::NoStock {
            sku: Sku::parse("A").unwrap(),
            requested: 3,
            available: 2
        }
    );
    assert_eq!(err.code(), "no_stock");
}

#[test]
fn fewest_packages_beats_two_cheaper_packages() {
    let net = network();
    // West zone. One package from US-E: 10.1 kg at 7.00 + 19 × 1.20 = 31.00.
    // Two packages: A (10 kg) from US-W at 4.50 + 19 × 0.90 = 21.60, plus
    // B from US-E at 7.00: 28.60, cheaper, but one package more.
    let s = stock(
        &net,
        &[("US-W", "A", 5), ("US-E", "A", 5), ("US-E", "B", 5)],
    );
    let d = route(
        &net,
        &s,
        &order(
            Country::US,
            "94105",
            vec![line("A", 1, 10_000, None), line("B", 1, 100, None)],
        ),
    )
    .unwrap();
    assert_eq!(whs(&d), ["US-E"]);
    assert_eq!(d.total_cost, usd(700 + 20 * 120));
}

#[test]
fn lines_split_across_warehouses_when_no_single_one_holds_all() {
    let net = network();
    let s = stock(&net, &[("US-W", "A", 5), ("US-E", "B", 5)]);
    let d = route(
        &net,
        &s,
        &order(
            Country::US,
            "10001",
            vec![line("A", 1, 300, None), line("B", 1, 300, None)],
        ),
    )
    .unwrap();
    assert_eq!(whs(&d), ["US-E", "US-W"]);
    assert!(d.is_split());
    assert_eq!(d.total_cost, usd(450 + 700));
}

#[test]
fn a_line_no_warehouse_fills_alone_is_split_by_quantity() {
    let net = network();
    let s = stock(&net, &[("US-W", "A", 2), ("US-E", "A", 3)]);
    let d = route(
        &net,
        &s,
        &order(Country::US, "10001", vec![line("A", 4, 100, None)]),
    )
    .unwrap();
    let mut taken: Vec<(&str, u32)> = d
        .shipments
        .iter()
        .map(|s| (s.warehouse.as_str(), s.lines[0].quantity))
        .collect();
    taken.sort();
    // Most units first: 3 from US-E, the remaining 1 from US-W.
    assert_eq!(taken, [("US-E", 3), ("US-W", 1)]);
}

#[test]
fn a_late_package_loses_to_an_on_time_one() {
    let net = network();
    let s = stock(&net, &[("US-W", "A", 5)]);
    let mut o = order(Country::US, "10001", vec![line("A", 1, 300, None)]);
    o.promised_days = Some(3);
    let d = route(&net, &s, &o).unwrap();
    // Ground to the east takes up to 6 days; express 2.
    assert_eq!(d.shipments[0].service.as_str(), "US-EXPRESS");
    assert_eq!(d.promise_met, Some(true));
    o.promised_days = Some(1);
    let d = route(&net, &s, &o).unwrap();
    assert_eq!(d.promise_met, Some(false));
    // Nobody is on time: the cheapest ground service is taken.
    assert_eq!(d.shipments[0].service.as_str(), "US-GROUND");
}

#[test]
fn handling_days_count_in_the_transit_estimate() {
    let net = network();
    let s = stock(&net, &[("CN", "A", 5)]);
    let d = route(
        &net,
        &s,
        &order(Country::US, "10001", vec![line("A", 1, 300, None)]),
    )
    .unwrap();
    assert_eq!(d.shipments[0].transit, TransitDays { min: 9, max: 16 });
}

#[test]
fn chargeable_weight_uses_volume_when_larger() {
    let net = network();
    let s = stock(&net, &[("US-W", "PILLOW", 5)]);
    let mut l = line("PILLOW", 1, 200, None);
    l.unit_size = SizeMm {
        length: 400,
        width: 300,
        height: 200,
    };
    let d = route(&net, &s, &order(Country::US, "94105", vec![l])).unwrap();
    let sh = &d.shipments[0];
    // 24,000,000 mm³ / 5,000 = 4,800 g; billed 5,000 g: 9 steps past 500 g.
    assert_eq!(sh.volumetric_weight, Grams(4800));
    assert_eq!(sh.chargeable_weight, Grams(4800));
    assert_eq!(sh.billed_weight, Grams(5000));
    assert_eq!(sh.cost, usd(450 + 9 * 90));
}

#[test]
fn over_the_weight_limit_of_every_service_is_an_error() {
    let net = network();
    let s = stock(&net, &[("CN", "ANVIL", 5)]);
    let err = route(
        &net,
        &s,
        &order(Country::US, "10001", vec![line("ANVIL", 1, 5000, None)]),
    )
    .unwrap_err();
    assert_eq!(
        err,
        RoutingError::OverWeight {
            sku: Sku::parse("ANVIL").unwrap(),
            weight_g: 5000
        }
    );
}

#[test]
fn reroute_excludes_the_failed_warehouse_and_remembers_it() {
    let net = network();
    let s = stock(&net, &[("US-W", "A", 5), ("US-E", "A", 5), ("CN", "A", 5)]);
    let o = order(Country::US, "94105", vec![line("A", 1, 300, None)]);
    let first = route(&net, &s, &o).unwrap();
    assert_eq!(whs(&first), ["US-W"]);
    let fail = FulfilmentFailure::Warehouse {
        warehouse: code("US-W"),
    };
    let second = reroute(&net, &s, &o, &first, &fail).unwrap();
    assert_eq!(whs(&second), ["US-E"]);
    assert!(second
        .explanation
        .warehouses
        .iter()
        .any(|w| w.warehouse.as_str() == "US-W" && w.verdict == WarehouseVerdict::Excluded));
    let fail = FulfilmentFailure::Lines {
        warehouse: code("US-E"),
        skus: vec![Sku::parse("A").unwrap()],
    };
    let third = reroute(&net, &s, &o, &second, &fail).unwrap();
    assert_eq!(whs(&third), ["CN"]);
    assert_eq!(third.exclusions.warehouses.len(), 1);
    assert_eq!(third.exclusions.lines.len(), 1);
}

#[test]
fn explanation_lists_plans_and_renders_as_text_and_json() {
    let net = network();
    let s = stock(&net, &[("US-W", "A", 5), ("US-E", "A", 5), ("CN", "A", 5)]);
    let d = route(
        &net,
        &s,
        &order(Country::US, "94105", vec![line("A", 1, 300, None)]),
    )
    .unwrap();
    let plans = &d.explanation.plans;
    assert_eq!(plans.len(), 3);
    assert_eq!(plans[0].status, PlanStatus::Chosen);
    assert_eq!(
        plans[1].status,
        PlanStatus::LostOn {
            rule: RankingRule::LowestCost
        }
    );
    assert_eq!(
        plans[2].status,
        PlanStatus::LostOn {
            rule: RankingRule::InMarket
        }
    );
    let text = d.explain_text();
    assert!(text.contains("US-W via US-GROUND"), "{text}");
    assert!(
        text.contains("lost on fewer packages from outside the destination market"),
        "{text}"
    );
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["shipments"][0]["cost"]["amount"], "4.50");
    assert_eq!(json["explanation"]["won_on"], "lowest_cost");
}

#[test]
fn bad_orders_are_refused_with_their_reason() {
    let net = network();
    let s = stock(&net, &[("US-W", "A", 5)]);
    let empty = order(Country::US, "94105", vec![]);
    assert_eq!(
        route(&net, &s, &empty).unwrap_err(),
        RoutingError::EmptyOrder
    );
    let dup = order(
        Country::US,
        "94105",
        vec![line("A", 1, 1, None), line("A", 1, 1, None)],
    );
    assert_eq!(route(&net, &s, &dup).unwrap_err().code(), "duplicate_sku");
    let mut eur = order(Country::US, "94105", vec![line("A", 1, 1, None)]);
    eur.currency = Currency::EUR;
    assert_eq!(
        route(&net, &s, &eur).unwrap_err().code(),
        "currency_mismatch"
    );
    let nowhere = order(Country::JP, "100-0001", vec![line("A", 1, 1, None)]);
    assert_eq!(
        route(&net, &s, &nowhere).unwrap_err().code(),
        "unknown_destination"
    );
    let zero = order(Country::US, "94105", vec![line("A", 0, 1, None)]);
    assert_eq!(route(&net, &s, &zero).unwrap_err().code(), "invalid_input");
}

#[test]
fn commit_takes_the_shipped_units_and_refuses_shortfalls() {
    let net = network();
    let mut s = stock(&net, &[("US-W", "A", 5)]);
    let d = route(
        &net,
        &s,
        &order(Country::US, "94105", vec![line("A", 2, 300, None)]),
    )
    .unwrap();
    s.commit(&net, &d).unwrap();
    let a = Sku::parse("A").unwrap();
    assert_eq!(s.available(&net, &code("US-W"), &a), 3);
    s.set(&net, &code("US-W"), &a, 1).unwrap();
    assert!(s.commit(&net, &d).is_err());
    assert_eq!(s.available(&net, &code("US-W"), &a), 1);
}

#[test]
fn stock_from_rows_keeps_the_last_row_per_warehouse_and_sku() {
    let net = network();
    let a = Sku::parse("A").unwrap();
    let s = StockLevels::from_rows(
        &net,
        [
            (code("US-W"), a.clone(), 4),
            (code("CN"), a.clone(), 9),
            (code("US-W"), a.clone(), 2),
        ],
    )
    .unwrap();
    assert_eq!(s.available(&net, &code("US-W"), &a), 2);
    assert_eq!(s.available(&net, &code("CN"), &a), 9);
    assert!(StockLevels::from_rows(&net, [(code("XX"), a, 1)]).is_err());
}
