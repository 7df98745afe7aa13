//! The demo's warehouses and stock: the seller's own origin warehouse in
//! Shenzhen, and six overseas warehouses run by the demo 3PL (Pacific
//! Gateway Logistics) — Los Angeles, New Jersey, Frankfurt, Felixstowe,
//! Tokyo and Sydney — with bins, carrier services, shipping setups (zone
//! charts and rate cards) and storage fee rules;
//! opening stock of the demo products posted as ledger receipts (some of
//! it old enough to show in the older age buckets and the slow-mover
//! alerts), a few order reservations, and one sea shipment on its way to
//! Los Angeles.

use anyhow::Result;
use chuhai_domain::calendar::Date;
use chuhai_domain::catalog::Sku;
use chuhai_domain::country::Country;
use chuhai_domain::inventory::{
    BillingMonth, BinCode, EntryType, Hold, LedgerEntry, Reference, ReferenceKind, StockKey,
    StorageFeeRules, SurchargeTier, TransportMode, WarehouseDraft, WarehouseKind,
};
use chuhai_domain::money::{Currency, Money};
use chuhai_domain::routing::WarehouseShipping;
use chuhai_store::inventory::{NewCarton, NewInbound};
use chuhai_store::Store;

const DAY_MS: i64 = 86_400_000;

struct Site {
    code: &'static str,
    name: &'static str,
    country: Country,
    address: &'static str,
    lat: &'static str,
    lon: &'static str,
    tz: &'static str,
    offset: i32,
    cutoff: &'static str,
    m2: &'static str,
    m3: &'static str,
    carriers: &'static [&'static str],
    /// Storage: currency, price per m³ per day (minor units), free days,
    /// and (from age, price) surcharge tiers.
    fees: (Currency, i64, u32, [(u32, i64); 2]),
}

const SHENZHEN: Site = Site {
    code: "SZX-1",
    name: "Shenzhen Bao'an (own warehouse)",
    country: Country::CN,
    address: "Building 3, Fuhai Industrial Zone, Fuyong Street\nBao'an District, Shenzhen, Guangdong 518103",
    lat: "22.6823",
    lon: "113.8150",
    tz: "Asia/Shanghai",
    offset: 480,
    cutoff: "18:00",
    m2: "1800",
    m3: "7200",
    carriers: &["SF Express", "China Post ePacket", "Cainiao"],
    fees: (Currency::CNY, 150, 60, [(181, 100), (366, 300)]),
};

const OVERSEAS: [Site; 6] = [
    Site {
        code: "LAX-1",
        name: "Los Angeles (Ontario, CA)",
        country: Country::US,
        address: "3355 E Jurupa St\nOntario, CA 91761",
        lat: "34.0240",
        lon: "-117.5650",
        tz: "America/Los_Angeles",
        offset: -480,
        cutoff: "14:00",
        m2: "24000",
        m3: "150000",
        carriers: &["UPS Ground", "FedEx Home Delivery", "USPS Ground Advantage"],
        fees: (Currency::USD, 45, 30, [(181, 30), (366, 90)]),
    },
    Site {
        code: "EWR-1",
        name: "New Jersey (Carteret)",
        country: Country::US,
        address: "100 Middlesex Ave\nCarteret, NJ 07008",
        lat: "40.5880",
        lon: "-74.2300",
        tz: "America/New_York",
        offset: -300,
        cutoff: "15:00",
        m2: "18500",
        m3: "110000",
        carriers: &["UPS Ground", "FedEx Ground", "USPS Ground Advantage"],
        fees: (Currency::USD, 50, 30, [(181, 30), (366, 90)]),
    },
    Site {
        code: "FRA-1",
        name: "Frankfurt (Cargo City Süd)",
        country: Country::DE,
        address: "Cargo City Süd, Gebäude 639\n60549 Frankfurt am Main",
        lat: "50.0333",
        lon: "8.5706",
        tz: "Europe/Berlin",
        offset: 60,
        cutoff: "15:00",
        m2: "12000",
        m3: "72000",
        carriers: &["DHL Paket", "DPD Classic", "GLS Business Parcel"],
        fees: (Currency::EUR, 40, 30, [(181, 25), (366, 80)]),
    },
    Site {
        code: "FXT-1",
        name: "Felixstowe (Port of Felixstowe)",
        country: Country::GB,
        address: "Unit 4, Walton Avenue\nFelixstowe IP11 3HH",
        lat: "51.9636",
        lon: "1.3280",
        tz: "Europe/London",
        offset: 0,
        cutoff: "15:00",
        m2: "9500",
        m3: "52000",
        carriers: &["Royal Mail Tracked 48", "DPD Next Day", "Evri"],
        fees: (Currency::GBP, 35, 30, [(181, 20), (366, 70)]),
    },
    Site {
        code: "TYO-1",
        name: "Tokyo (Heiwajima)",
        country: Country::JP,
        address: "3-2-5 Heiwajima, Ota-ku\nTokyo 143-0006",
        lat: "35.5850",
        lon: "139.7480",
        tz: "Asia/Tokyo",
        offset: 540,
        cutoff: "15:00",
        m2: "6000",
        m3: "30000",
        carriers: &["Yamato TA-Q-BIN", "Sagawa Hikyaku", "Japan Post Yu-Pack"],
        fees: (Currency::JPY, 60, 30, [(181, 40), (366, 120)]),
    },
    Site {
        code: "SYD-1",
        name: "Sydney (Huntingwood)",
        country: Country::AU,
        address: "15 Huntingwood Drive\nHuntingwood NSW 2148",
        lat: "-33.7970",
        lon: "150.8830",
        tz: "Australia/Sydney",
        offset: 600,
        cutoff: "14:00",
        m2: "8000",
        m3: "40000",
        carriers: &["Australia Post Parcel Post", "StarTrack Express", "Aramex"],
        fees: (Currency::AUD, 70, 30, [(181, 45), (366, 140)]),
    },
];

/// Opening stock of one SKU: units received this many days ago.
type Opening = (&'static str, i64, i64);

/// Opening stock per warehouse code.
const OPENING: &[(&str, &[Opening])] = &[
    (
        "SZX-1",
        &[
            ("LUMI-AUR-WHT", 400, 20),
            ("LUMI-AUR-BLK", 260, 20),
            ("LUMI-HALO-E27", 1200, 12),
            ("LUMI-NIM-30", 90, 45),
            ("LUMI-NIM-45", 60, 45),
            ("LUMI-FF-10M", 500, 8),
            ("LUMI-LUM-LAN", 300, 8),
        ],
    ),
    (
        "LAX-1",
        &[
            ("LUMI-AUR-WHT", 180, 64),
            ("LUMI-AUR-BLK", 96, 64),
            ("LUMI-HALO-E27", 640, 64),
            ("LUMI-NIM-45", 24, 172),
            ("LUMI-FF-10M", 150, 25),
        ],
    ),
    (
        "EWR-1",
        &[
            ("LUMI-AUR-WHT", 120, 40),
            ("LUMI-HALO-E27", 480, 40),
            ("LUMI-LUM-LAN", 90, 210),
        ],
    ),
    (
        "FRA-1",
        &[
            ("LUMI-AUR-WHT", 140, 52),
            ("LUMI-AUR-BLK", 80, 52),
            ("LUMI-NIM-30", 36, 120),
            ("LUMI-HALO-E27", 300, 15),
        ],
    ),
    (
        "FXT-1",
        &[
            ("LUMI-AUR-BLK", 60, 33),
            ("LUMI-HALO-E27", 220, 33),
            ("LUMI-FF-10M", 75, 400),
        ],
    ),
    (
        "TYO-1",
        &[("LUMI-HALO-E27", 260, 28), ("LUMI-LUM-LAN", 48, 28)],
    ),
    (
        "SYD-1",
        &[("LUMI-AUR-WHT", 70, 75), ("LUMI-LUM-LAN", 110, 75)],
    ),
];

fn draft(site: &Site, kind: WarehouseKind) -> WarehouseDraft {
    WarehouseDraft {
        kind,
        code: site.code.into(),
        name: site.name.into(),
        country: site.country,
        address: site.address.into(),
        latitude: Some(site.lat.into()),
        longitude: Some(site.lon.into()),
        time_zone: site.tz.into(),
        utc_offset_minutes: site.offset,
        cutoff_time: site.cutoff.into(),
        capacity_m2: Some(site.m2.into()),
        capacity_m3: Some(site.m3.into()),
        carrier_services: site.carriers.iter().map(|s| (*s).to_owned()).collect(),
    }
}

fn fee_rules(site: &Site) -> Result<StorageFeeRules> {
    let (currency, price, free, tiers) = site.fees;
    Ok(StorageFeeRules::new(
        Money::from_minor(price, currency),
        free,
        tiers
            .iter()
            .map(|(from, p)| SurchargeTier {
                from_age_days: *from,
                price_per_m3_day: Money::from_minor(*p, currency),
            })
            .collect(),
    )?)
}

fn sku(s: &str) -> Result<Sku> {
    Ok(Sku::parse(s)?)
}

/// Seeds the warehouses, stock, reservations, fee rules and the ASN in
/// transit; `operator_id` is the demo 3PL.
pub async fn seed(store: &Store, seller_id: i64, operator_id: i64, now: i64) -> Result<()> {
    let shenzhen = store
        .create_warehouse(seller_id, &draft(&SHENZHEN, WarehouseKind::Origin), now)
        .await?;
    let mut sites = vec![(shenzhen.id, &SHENZHEN)];
    for site in &OVERSEAS {
        let w = store
            .create_warehouse(operator_id, &draft(site, WarehouseKind::Overseas), now)
            .await?;
        store
            .add_warehouse_seller(operator_id, w.id, seller_id, now)
            .await?;
        let bins: Vec<BinCode> = ["A-01-01", "A-01-02", "A-02-01", "B-01-01", "B-01-02"]
            .iter()
            .map(|b| BinCode::parse(b))
            .collect::<Result<_, _>>()?;
        store.add_bins(w.id, &bins).await?;
        sites.push((w.id, site));
    }
    // Carrier services, zone charts and rate cards per site. The figures
    // are the demo's own, shaped like retail parcel tariffs (first weight
    // plus a price per started step); they are not any carrier's rates.
    let shipping: std::collections::HashMap<String, WarehouseShipping> =
        serde_json::from_str(include_str!("shipping.json"))?;
    for (id, site) in &sites {
        let setup = shipping
            .get(site.code)
            .ok_or_else(|| anyhow::anyhow!("no demo shipping setup for {}", site.code))?;
        setup
            .check(site.country)
            .map_err(|e| anyhow::anyhow!("{}: {e}", site.code))?;
        store
            .put_shipping_setup(
                *id,
                setup.currency.code(),
                &serde_json::to_string(setup)?,
                None,
                now,
            )
            .await?;
    }
    // Every site's prices since 2025; Los Angeles raises its base price by
    // a tenth from the first of next month (a scheduled version).
    let since = i64::from(Date::from_ymd(2025, 1, 1)?.days_since_epoch());
    for (id, site) in &sites {
        let rules = fee_rules(site)?;
        store
            .put_storage_fee_version(*id, since, &serde_json::to_string(&rules)?, now)
            .await?;
        if site.code == "LAX-1" {
            let today = Date::from_days_since_epoch(i32::try_from(now.div_euclid(86_400_000))?)
                .ok_or_else(|| anyhow::anyhow!("the clock is out of range"))?;
            let next_month = BillingMonth::of(today).last_day().add_days(1);
            let next_month =
                next_month.ok_or_else(|| anyhow::anyhow!("the clock is out of range"))?;
            let (currency, price, free, _) = site.fees;
            let raised = StorageFeeRules::new(
                Money::from_minor(price + price / 10, currency),
                free,
                rules.surcharge_tiers().to_vec(),
            )?;
            store
                .put_storage_fee_version(
                    *id,
                    i64::from(next_month.days_since_epoch()),
                    &serde_json::to_string(&raised)?,
                    now,
                )
                .await?;
        }
    }
    // Opening stock, oldest receipts first.
    let mut entries = Vec::new();
    for (code, lines) in OPENING {
        let Some((warehouse, _)) = sites.iter().find(|(_, s)| s.code == *code) else {
            continue;
        };
        for (s, units, days_ago) in *lines {
            entries.push(LedgerEntry::new(
                StockKey::new(seller_id, sku(s)?, *warehouse),
                EntryType::Receipt,
                *units,
                Reference::new(ReferenceKind::Manual, format!("OPENING-{code}"))?,
                now - days_ago * DAY_MS,
            ));
        }
    }
    entries.sort_by_key(|e| e.at);
    store.post_entries(&entries).await?;
    // Part of the Los Angeles stock is put away into bins.
    let lax = sites[1].0;
    let putaway = |s: &str, q: i64, bin: &str| -> Result<LedgerEntry> {
        Ok(LedgerEntry::new(
            StockKey::new(seller_id, sku(s)?, lax),
            EntryType::Putaway,
            q,
            Reference::new(ReferenceKind::Manual, "PUTAWAY-LAX-1")?,
            now - 60 * DAY_MS,
        )
        .with_bin(Some(BinCode::parse(bin)?)))
    };
    store
        .post_entries(&[
            putaway("LUMI-AUR-WHT", 120, "A-01-01")?,
            putaway("LUMI-AUR-BLK", 96, "A-01-02")?,
            putaway("LUMI-HALO-E27", 400, "B-01-01")?,
        ])
        .await?;
    // Orders waiting to ship hold some units.
    for (warehouse, s, q, order) in [
        (lax, "LUMI-AUR-WHT", 6, "LUMI-US-10231"),
        (lax, "LUMI-HALO-E27", 24, "LUMI-US-10232"),
        (sites[3].0, "LUMI-AUR-BLK", 4, "LUMI-DE-20411"),
    ] {
        let (hold, entry) = Hold::place(
            StockKey::new(seller_id, sku(s)?, warehouse),
            q,
            Reference::new(ReferenceKind::Order, order)?,
            None,
            now,
            None,
        )?;
        store.reserve(&hold, &entry).await?;
    }
    // A sea shipment from Shenzhen on its way to Los Angeles.
    let today = chuhai_web::time::date_of(now);
    let day = |offset: i32| -> Result<Date> {
        today
            .add_days(offset)
            .ok_or_else(|| anyhow::anyhow!("date out of range"))
    };
    let carton = |no: &str, lines: &[(&str, i64)]| -> Result<NewCarton> {
        Ok(NewCarton {
            carton_no: no.into(),
            lines: lines
                .iter()
                .map(|(s, q)| Ok((sku(s)?, *q)))
                .collect::<Result<_>>()?,
        })
    };
    let asn = store
        .create_inbound(
            &NewInbound {
                seller_id,
                reference: "ASN-2026-1107".into(),
                origin_warehouse_id: Some(shenzhen.id),
                origin: "Shenzhen, Yantian port".into(),
                destination_warehouse_id: lax,
                mode: TransportMode::Sea,
                carrier: "COSCO Shipping".into(),
                tracking_no: Some("COSU6184325510".into()),
                container_no: Some("CSNU6184325".into()),
                etd: Some(day(-12)?),
                eta: Some(day(9)?),
                cartons: vec![
                    carton("CTN-001", &[("LUMI-AUR-WHT", 60), ("LUMI-AUR-BLK", 40)])?,
                    carton("CTN-002", &[("LUMI-HALO-E27", 300)])?,
                    carton("CTN-003", &[("LUMI-NIM-30", 24), ("LUMI-FF-10M", 80)])?,
                ],
            },
            now,
        )
        .await?;
    store
        .ship_inbound(seller_id, asn.id, None, now - 12 * DAY_MS)
        .await?;
    Ok(())
}
