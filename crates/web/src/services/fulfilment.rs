//! Shipping and fulfilment: warehouses' shipping setups; the routing
//! network of a seller assembled from them (rate cards converted into the
//! order currency at the day's ECB rate); routing a cart or order with the
//! seller's available stock; waves with pick lists; pack, ship and carrier
//! tracking; re-routing when a warehouse cannot fulfil.

use std::collections::HashMap;

use chuhai_domain::calendar::{Date, Weekday};
use chuhai_domain::catalog::Sku;
use chuhai_domain::fulfilment::{
    next_cutoff, plan_picks, FulfilmentError, Parcel, PickLocation, PickNeed, PickRow,
    ShipmentEvent, ShipmentStatus, Shortfall, TrackingEvent, TrackingNumber, TrackingStatus,
};
use chuhai_domain::inventory::{
    parse_cutoff, BinCode, EntryType, Hold, LedgerEntry, LotCode, Reference, ReferenceKind,
    StockKey,
};
use chuhai_domain::money::{Currency, Money};
use chuhai_domain::orders::ShippingAddress;
use chuhai_domain::routing::setup::{site_service, RATE_CARD_TO_ORDER_CURRENCY};
use chuhai_domain::routing::{
    assemble, every_day, handling_days, route_excluding, DangerousGoodsClass, Destination,
    Exclusions, FulfilmentFailure, Grams, LineToRoute, OrderToRoute, RoutingDecision, RoutingError,
    RoutingNetwork, Site, SizeMm, StockLevels, TransitDays, WarehouseCode, WarehouseShipping,
};
use chuhai_store::accounts::Principal;
use chuhai_store::fulfilment::{
    NewRouting, NewShipment, NewShipmentLine, PickRowStored, ShipmentRecord, ShippingSetupRecord,
    WaveRecord, WavedShipment,
};
use chuhai_store::inventory::{WarehouseRecord, WarehouseRole};
use serde::{Deserialize, Serialize};

use crate::problem::{FieldProblem, Problem};
use crate::services::{fx, inventory};
use crate::state::AppState;

impl From<RoutingError> for Problem {
    fn from(e: RoutingError) -> Self {
        let field = match &e {
            RoutingError::Invalid { field, .. } => field.clone(),
            RoutingError::UnknownDestination { .. } | RoutingError::NoServiceToZone { .. } => {
                "address".into()
            }
            _ => "lines".into(),
        };
        let reason = match &e {
            RoutingError::Invalid { reason, .. } => reason.clone(),
            other => other.to_string(),
        };
        let mut p = Problem::field(field, reason);
        if matches!(e, RoutingError::NoStock { .. }) {
            p.status = 409;
            p.code = "insufficient_stock".into();
        } else if !matches!(e, RoutingError::Invalid { .. }) {
            p.code = e.code().into();
        }
        p
    }
}

impl From<FulfilmentError> for Problem {
    fn from(e: FulfilmentError) -> Self {
        match e {
            FulfilmentError::Invalid { field, reason } => Problem::field(field, reason),
            FulfilmentError::IllegalTransition { from, .. } => {
                let mut p = Problem::conflict("illegal_transition", e.to_string());
                p.errors = vec![FieldProblem {
                    field: "status".into(),
                    reason: format!("the shipment is {from}"),
                }];
                p
            }
        }
    }
}

// --- shipping setups ---------------------------------------------------------------

/// A warehouse's shipping setup as answered.
#[derive(Debug, Clone, Serialize)]
pub struct SetupView {
    pub warehouse_id: i64,
    pub warehouse_code: String,
    #[serde(flatten)]
    pub setup: WarehouseShipping,
    pub updated_at: String,
}

fn setup_view(w: &WarehouseRecord, r: &ShippingSetupRecord) -> Result<SetupView, Problem> {
    Ok(SetupView {
        warehouse_id: w.id,
        warehouse_code: w.draft.code.clone(),
        setup: serde_json::from_str(&r.setup).map_err(|_| Problem::internal())?,
        updated_at: crate::time::rfc3339(r.updated_at),
    })
}

/// The shipping setup of a warehouse the organisation runs or is served by.
pub async fn shipping_setup(
    state: &AppState,
    org: i64,
    warehouse_id: i64,
) -> Result<SetupView, Problem> {
    let (w, _) = inventory::warehouse(&state.store, org, warehouse_id).await?;
    let r = state
        .store
        .shipping_setup(w.id)
        .await?
        .ok_or_else(|| Problem::not_found("shipping setup"))?;
    setup_view(&w, &r)
}

/// Replaces the shipping setup of a warehouse the organisation runs.
pub async fn put_shipping_setup(
    state: &AppState,
    principal: &Principal,
    warehouse_id: i64,
    setup: WarehouseShipping,
    now: i64,
) -> Result<SetupView, Problem> {
    let w = inventory::operated(&state.store, principal.organisation.id, warehouse_id).await?;
    setup.check(w.draft.country)?;
    let text = serde_json::to_string(&setup).map_err(|_| Problem::internal())?;
    let r = state
        .store
        .put_shipping_setup(
            w.id,
            setup.currency.code(),
            &text,
            Some(principal.user.id),
            now,
        )
        .await?;
    setup_view(&w, &r)
}

// --- the seller's network ------------------------------------------------------------

/// A warehouse of a seller's network.
#[derive(Debug, Clone)]
pub struct SiteInfo {
    pub warehouse_id: i64,
    /// The warehouse's own code (the network code may carry `.<id>`).
    pub code: String,
    pub country: String,
    pub setup: WarehouseShipping,
}

/// A seller's routing network in one currency, with its warehouses.
#[derive(Debug, Clone)]
pub struct SellerNetwork {
    pub network: RoutingNetwork,
    pub sites: HashMap<WarehouseCode, SiteInfo>,
    pub by_warehouse: HashMap<i64, WarehouseCode>,
}

impl SellerNetwork {
    /// The site of a package, its own code for the package's service, and
    /// that service as the site's setup has it.
    fn service_of<'a>(
        &'a self,
        s: &'a chuhai_domain::routing::Shipment,
    ) -> Result<
        (
            &'a SiteInfo,
            &'a str,
            &'a chuhai_domain::routing::CarrierService,
        ),
        Problem,
    > {
        let site = self.sites.get(&s.warehouse).ok_or_else(Problem::internal)?;
        let own = site_service(&s.warehouse, &s.service);
        let service = site
            .setup
            .services
            .iter()
            .find(|x| x.code.as_str() == own)
            .ok_or_else(Problem::internal)?;
        Ok((site, own, service))
    }
}

/// How long a built network is reused: rate-card conversions follow a
/// newly imported ECB rate within this time. A changed setup, a warehouse
/// newly serving the seller and a handling day turning at a cut-off are
/// seen at once (they are part of the key).
const NETWORK_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// Most networks kept; the cache is emptied when it is full.
const NETWORK_CACHE_ENTRIES: usize = 1_000;

#[derive(Clone, PartialEq, Eq, Hash)]
struct NetworkKey {
    org: i64,
    currency: Currency,
    date: Date,
    /// (warehouse, setup changed at, handling days) per warehouse.
    sites: Vec<(i64, i64, u16)>,
}

/// Built seller networks, reused across carts and checkouts.
#[derive(Default)]
pub struct NetworkCache {
    map: std::sync::Mutex<HashMap<NetworkKey, (std::time::Instant, std::sync::Arc<SellerNetwork>)>>,
    /// The dispatch days of each warehouse's setup, by (warehouse, setup
    /// changed at), as the last network built read them.
    dispatch: std::sync::Mutex<HashMap<(i64, i64), Vec<Weekday>>>,
}

impl NetworkCache {
    /// Each warehouse's (id, setup changed at, handling days at `now`),
    /// when the dispatch days of every setup are known.
    fn sites(
        &self,
        versions: &[(i64, i64, i32, String)],
        now: i64,
    ) -> Option<Vec<(i64, i64, u16)>> {
        let dispatch = self.dispatch.lock().unwrap_or_else(|e| e.into_inner());
        versions
            .iter()
            .map(|v| site_key(v, dispatch.get(&(v.0, v.1))?, now))
            .collect()
    }
}

/// A warehouse's part of a [`NetworkKey`]: (id, setup changed at, handling
/// days at `now`) from its setup version and dispatch days.
fn site_key(
    (id, changed, offset, cutoff): &(i64, i64, i32, String),
    dispatch_days: &[Weekday],
    now: i64,
) -> Option<(i64, i64, u16)> {
    let cutoff = parse_cutoff(cutoff).ok()?;
    Some((
        *id,
        *changed,
        handling_days(now, *offset, cutoff, dispatch_days),
    ))
}

/// The seller's network (see [`build_network`]), from the cache when its
/// warehouses' setups and handling days are unchanged.
pub async fn seller_network(
    state: &AppState,
    org: i64,
    currency: Currency,
    date: Date,
    now: i64,
) -> Result<std::sync::Arc<SellerNetwork>, Problem> {
    let versions = state.store.shipping_setup_versions(org).await?;
    let cache = &state.network_cache;
    if let Some(sites) = cache.sites(&versions, now) {
        let key = NetworkKey {
            org,
            currency,
            date,
            sites,
        };
        let map = cache.map.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((at, net)) = map.get(&key) {
            if at.elapsed() < NETWORK_TTL {
                return Ok(net.clone());
            }
        }
    }
    let net = std::sync::Arc::new(build_network(state, org, currency, date, now).await?);
    let mut sites = Vec::with_capacity(versions.len());
    {
        let mut dispatch = cache.dispatch.lock().unwrap_or_else(|e| e.into_inner());
        if dispatch.len() >= NETWORK_CACHE_ENTRIES {
            dispatch.clear();
        }
        for v in &versions {
            let days = net
                .by_warehouse
                .get(&v.0)
                .and_then(|code| net.sites.get(code))
                .map_or_else(every_day, |site| site.setup.dispatch_days.clone());
            sites.push(site_key(v, &days, now).ok_or_else(Problem::internal)?);
            dispatch.insert((v.0, v.1), days);
        }
    }
    let key = NetworkKey {
        org,
        currency,
        date,
        sites,
    };
    let mut map = state
        .network_cache
        .map
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if map.len() >= NETWORK_CACHE_ENTRIES {
        map.clear();
    }
    map.insert(key, (std::time::Instant::now(), net.clone()));
    Ok(net)
}

/// Builds the network of every warehouse with a shipping setup that the
/// seller runs or is served by, priced in `currency` on `date`, with
/// handling days from each warehouse's cut-off at `now`.
pub async fn build_network(
    state: &AppState,
    org: i64,
    currency: Currency,
    date: Date,
    now: i64,
) -> Result<SellerNetwork, Problem> {
    let setups = state.store.shipping_setups_for(org).await?;
    let warehouses = state.store.warehouses_for(org).await?;
    let mut parsed: Vec<(WarehouseRecord, WarehouseShipping)> = Vec::with_capacity(setups.len());
    for r in &setups {
        let Some((w, _)) = warehouses.iter().find(|(w, _)| w.id == r.warehouse_id) else {
            continue;
        };
        let setup: WarehouseShipping =
            serde_json::from_str(&r.setup).map_err(|_| Problem::internal())?;
        parsed.push((w.clone(), setup));
    }
    // Rate-card currencies other than the order's, converted at the day's rate.
    let mut conversions = HashMap::new();
    for (_, s) in &parsed {
        if s.currency != currency && !conversions.contains_key(&s.currency) {
            let c = fx::conversion(&state.store, s.currency, currency, date).await?;
            conversions.insert(s.currency, c);
        }
    }
    let mut sites = HashMap::new();
    let mut by_warehouse = HashMap::new();
    let mut list = Vec::with_capacity(parsed.len());
    for (w, setup) in &parsed {
        let duplicate = parsed
            .iter()
            .filter(|(o, _)| o.draft.code == w.draft.code)
            .count()
            > 1;
        let code = if duplicate {
            format!("{}.{}", w.draft.code, w.id)
        } else {
            w.draft.code.clone()
        };
        let code = WarehouseCode::parse(&code).map_err(|_| Problem::internal())?;
        let cutoff = parse_cutoff(&w.draft.cutoff_time).map_err(|_| Problem::internal())?;
        sites.insert(
            code.clone(),
            SiteInfo {
                warehouse_id: w.id,
                code: w.draft.code.clone(),
                country: w.draft.country.alpha2().to_owned(),
                setup: setup.clone(),
            },
        );
        by_warehouse.insert(w.id, code.clone());
        list.push(Site {
            code,
            country: w.draft.country,
            kind: w.draft.kind,
            handling_days: handling_days(
                now,
                w.draft.utc_offset_minutes,
                cutoff,
                &setup.dispatch_days,
            ),
            shipping: setup,
        });
    }
    let network = assemble(currency, &list, |m| {
        let c = conversions
            .get(&m.currency())
            .ok_or(RoutingError::Overflow)?;
        c.apply(m, RATE_CARD_TO_ORDER_CURRENCY)
            .map_err(|_| RoutingError::Overflow)
    })?;
    Ok(SellerNetwork {
        network,
        sites,
        by_warehouse,
    })
}

/// The lines of an order as routing needs them: weights, sizes and
/// dangerous-goods classes from the catalog. A variant without a weight
/// cannot be priced and is named; one without a size is priced on its
/// weight alone. Batteries and other dangerous goods route as UN class 9.
pub async fn lines_to_route(
    state: &AppState,
    org: i64,
    lines: &[(Sku, u32)],
) -> Result<Vec<LineToRoute>, Problem> {
    let skus: Vec<&str> = lines.iter().map(|(s, _)| s.as_str()).collect();
    let facts = state.store.sku_shipping(org, &skus).await?;
    let class9 = DangerousGoodsClass::new(9).map_err(|_| Problem::internal())?;
    let mut out = Vec::with_capacity(lines.len());
    for (i, (sku, quantity)) in lines.iter().enumerate() {
        let f = facts
            .iter()
            .find(|f| f.sku == sku.as_str())
            .ok_or_else(|| Problem::field(format!("lines[{i}].sku"), "is not one of your SKUs"))?;
        let grams = f.grams.filter(|g| *g > 0).ok_or_else(|| {
            Problem::field(
                format!("lines[{i}].sku"),
                format!(
                    "{sku} has no weight; give the variant its grams so shipping can be priced"
                ),
            )
        })?;
        let side = |v: Option<i64>| v.and_then(|x| u32::try_from(x).ok()).unwrap_or(0);
        out.push(LineToRoute {
            sku: sku.clone(),
            quantity: *quantity,
            unit_weight: Grams(grams.unsigned_abs()),
            unit_size: SizeMm {
                length: side(f.length_mm),
                width: side(f.width_mm),
                height: side(f.height_mm),
            },
            dangerous_goods: (f.goods_flags.battery || f.goods_flags.dangerous_goods)
                .then_some(class9),
        });
    }
    Ok(out)
}

/// Units available now per warehouse of the network, for these SKUs.
///
/// `give_back` adds units held for this very order (warehouse id, SKU,
/// units) that a re-route is about to release.
pub async fn stock_levels(
    state: &AppState,
    org: i64,
    net: &SellerNetwork,
    skus: &[&Sku],
    give_back: &[(i64, &str, i64)],
) -> Result<StockLevels, Problem> {
    let mut rows = Vec::new();
    for sku in skus {
        for (r, _) in state.store.stock_by_sku(org, sku).await? {
            let Some(code) = net.by_warehouse.get(&r.key.warehouse) else {
                continue;
            };
            let back: i64 = give_back
                .iter()
                .filter(|(w, s, _)| *w == r.key.warehouse && *s == sku.as_str())
                .map(|(_, _, n)| n)
                .sum();
            let units = u32::try_from((r.balance.available() + back).max(0)).unwrap_or(u32::MAX);
            rows.push((code.clone(), (*sku).clone(), units));
        }
    }
    Ok(StockLevels::from_rows(&net.network, rows)?)
}

/// Routes lines to an address with the seller's network and stock.
#[allow(clippy::too_many_arguments)]
pub async fn route_order(
    state: &AppState,
    org: i64,
    reference: &str,
    address: &ShippingAddress,
    lines: &[(Sku, u32)],
    currency: Currency,
    date: Date,
    now: i64,
    exclusions: &Exclusions,
) -> Result<(std::sync::Arc<SellerNetwork>, RoutingDecision), Problem> {
    let net = seller_network(state, org, currency, date, now).await?;
    let to_route = lines_to_route(state, org, lines).await?;
    let skus: Vec<&Sku> = lines.iter().map(|(s, _)| s).collect();
    let stock = stock_levels(state, org, &net, &skus, &[]).await?;
    let order = OrderToRoute {
        reference: reference.to_owned(),
        destination: Destination {
            country: address.country,
            postal_code: address.postal_code.clone().unwrap_or_default(),
        },
        lines: to_route,
        promised_days: None,
        currency,
    };
    let decision = route_excluding(&net.network, &stock, &order, exclusions)?;
    Ok((net, decision))
}

/// One package of a shipping plan, as buyers and sellers see it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PackageView {
    pub warehouse_id: i64,
    pub warehouse_code: String,
    /// ISO 3166-1 alpha-2 of the warehouse.
    pub ships_from: String,
    pub service: String,
    pub service_name: String,
    pub carrier: String,
    pub zone: String,
    pub lines: Vec<PackageLine>,
    /// Weights of each rounding step, grams.
    pub actual_weight_g: u64,
    pub volumetric_weight_g: u64,
    pub chargeable_weight_g: u64,
    pub billed_weight_g: u64,
    pub price: Money,
    /// Days from the order to delivery: handling plus carrier transit.
    pub estimate_days: TransitDays,
    /// `9610` for direct mail from a China origin warehouse.
    pub customs_mode: Option<String>,
    pub in_market: bool,
}

/// Units of a SKU in a package.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PackageLine {
    pub sku: String,
    pub quantity: u32,
}

/// Another plan routing considered, and the rule it lost on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AlternativeView {
    pub warehouse_codes: Vec<String>,
    pub price: Option<Money>,
    /// The ranking rule it lost on, or why it could not ship the order.
    pub verdict: String,
}

/// The shipping plan of a cart or order: the packages routing chose, their
/// total, the estimate, and the alternatives considered.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShippingPlan {
    pub packages: Vec<PackageView>,
    pub price: Money,
    /// The earliest and latest day the last package arrives.
    pub estimate_days: TransitDays,
    /// Why this plan: the rule it won on, in words.
    pub reason: String,
    pub alternatives: Vec<AlternativeView>,
}

/// The plan of a decision, with the network's names.
pub fn plan_view(net: &SellerNetwork, d: &RoutingDecision) -> Result<ShippingPlan, Problem> {
    let mut packages = Vec::with_capacity(d.shipments.len());
    for s in &d.shipments {
        let (site, own, service) = net.service_of(s)?;
        packages.push(PackageView {
            warehouse_id: site.warehouse_id,
            warehouse_code: site.code.clone(),
            ships_from: site.country.clone(),
            service: own.to_owned(),
            service_name: service.name.clone(),
            carrier: service.carrier.clone(),
            zone: s.zone.as_str().to_owned(),
            lines: s
                .lines
                .iter()
                .map(|l| PackageLine {
                    sku: l.sku.as_str().to_owned(),
                    quantity: l.quantity,
                })
                .collect(),
            actual_weight_g: s.actual_weight.0,
            volumetric_weight_g: s.volumetric_weight.0,
            chargeable_weight_g: s.chargeable_weight.0,
            billed_weight_g: s.billed_weight.0,
            price: s.cost,
            estimate_days: s.transit,
            customs_mode: s.customs_mode.map(|m| m.code().to_owned()),
            in_market: s.in_market,
        });
    }
    let estimate_days = TransitDays {
        min: packages
            .iter()
            .map(|p| p.estimate_days.min)
            .max()
            .unwrap_or(0),
        max: packages
            .iter()
            .map(|p| p.estimate_days.max)
            .max()
            .unwrap_or(0),
    };
    let reason = match d.explanation.won_on {
        Some(rule) => format!("chosen for {}", rule.describe()),
        None => "the only way to ship every line".into(),
    };
    let name = |c: &WarehouseCode| {
        net.sites
            .get(c)
            .map_or_else(|| c.as_str().to_owned(), |s| s.code.clone())
    };
    let alternatives = d
        .explanation
        .plans
        .iter()
        .filter(|p| !matches!(p.status, chuhai_domain::routing::PlanStatus::Chosen))
        .map(|p| AlternativeView {
            warehouse_codes: p.packages.iter().map(|(w, _)| name(w)).collect(),
            price: p.cost,
            verdict: match &p.status {
                chuhai_domain::routing::PlanStatus::LostOn { rule } => {
                    format!("lost on {}", rule.describe())
                }
                chuhai_domain::routing::PlanStatus::Rejected { reason } => reason.clone(),
                chuhai_domain::routing::PlanStatus::Chosen => String::new(),
            },
        })
        .collect();
    Ok(ShippingPlan {
        packages,
        price: d.total_cost,
        estimate_days,
        reason,
        alternatives,
    })
}

/// Holds and shipments for a decision: one hold per package line at the
/// package's warehouse (expiring at `expires_at`), in the order placed.
pub fn holds_and_routing(
    org: i64,
    net: &SellerNetwork,
    d: &RoutingDecision,
    reference: &Reference,
    user: Option<i64>,
    now: i64,
    expires_at: Option<i64>,
) -> Result<(Vec<(Hold, LedgerEntry)>, NewRouting), Problem> {
    let mut holds = Vec::new();
    let mut shipments = Vec::with_capacity(d.shipments.len());
    for s in &d.shipments {
        let (site, own, service) = net.service_of(s)?;
        let mut lines = Vec::with_capacity(s.lines.len());
        for l in &s.lines {
            lines.push(NewShipmentLine {
                sku: l.sku.as_str().to_owned(),
                quantity: i64::from(l.quantity),
                hold: holds.len(),
            });
            holds.push(Hold::place(
                StockKey::new(org, l.sku.clone(), site.warehouse_id),
                i64::from(l.quantity),
                reference.clone(),
                user,
                now,
                expires_at,
            )?);
        }
        shipments.push(NewShipment {
            warehouse_id: site.warehouse_id,
            service: own.to_owned(),
            service_name: service.name.clone(),
            carrier: service.carrier.clone(),
            zone: s.zone.as_str().to_owned(),
            currency: s.cost.currency().code().to_owned(),
            cost_minor: s.cost.minor(),
            transit_min: i64::from(s.transit.min),
            transit_max: i64::from(s.transit.max),
            customs_mode: s.customs_mode.map(|m| m.code().to_owned()),
            lines,
        });
    }
    let routing = NewRouting {
        decision: serde_json::to_string(d).map_err(|_| Problem::internal())?,
        exclusions: serde_json::to_string(&d.exclusions).map_err(|_| Problem::internal())?,
        shipments,
    };
    Ok((holds, routing))
}

// --- shipments as answered -------------------------------------------------------------

/// One event of a shipment.
#[derive(Debug, Clone, Serialize)]
pub struct ShipmentEventView {
    pub event: String,
    pub status: String,
    pub detail: Option<serde_json::Value>,
    pub user_id: Option<i64>,
    pub at: String,
}

/// A shipment: where from, how, what, and where it is.
#[derive(Debug, Clone, Serialize)]
pub struct ShipmentView {
    pub id: i64,
    pub order_id: i64,
    pub warehouse_id: i64,
    pub warehouse_code: String,
    pub status: String,
    pub service: String,
    pub service_name: String,
    pub carrier: String,
    pub zone: String,
    pub cost: Money,
    pub estimate_days: TransitDays,
    pub customs_mode: Option<String>,
    pub lines: Vec<PackageLine>,
    pub wave_id: Option<i64>,
    pub picks: Option<Vec<PickRowStored>>,
    pub parcel: Option<Parcel>,
    pub tracking_number: Option<String>,
    pub created_at: String,
    pub shipped_at: Option<String>,
    pub delivered_at: Option<String>,
    /// Oldest first, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<ShipmentEventView>>,
}

async fn warehouse_code(state: &AppState, id: i64) -> Result<String, Problem> {
    Ok(state
        .store
        .warehouse_label(id)
        .await?
        .map(|l| l.code.clone())
        .unwrap_or_default())
}

/// A shipment as answered, with its events when `events`.
pub async fn shipment_view(
    state: &AppState,
    s: &ShipmentRecord,
    events: bool,
) -> Result<ShipmentView, Problem> {
    let currency = Currency::from_code(&s.currency).map_err(|_| Problem::internal())?;
    let events = if events {
        Some(
            state
                .store
                .shipment_events(s.id)
                .await?
                .into_iter()
                .map(|e| ShipmentEventView {
                    event: e.event,
                    status: e.status,
                    detail: e.detail.and_then(|d| serde_json::from_str(&d).ok()),
                    user_id: e.user_id,
                    at: crate::time::rfc3339(e.at),
                })
                .collect(),
        )
    } else {
        None
    };
    Ok(ShipmentView {
        id: s.id,
        order_id: s.order_id,
        warehouse_id: s.warehouse_id,
        warehouse_code: warehouse_code(state, s.warehouse_id).await?,
        status: s.status.clone(),
        service: s.service.clone(),
        service_name: s.service_name.clone(),
        carrier: s.carrier.clone(),
        zone: s.zone.clone(),
        cost: Money::from_minor(s.cost_minor, currency),
        estimate_days: TransitDays {
            min: u16::try_from(s.transit_min).unwrap_or(0),
            max: u16::try_from(s.transit_max).unwrap_or(0),
        },
        customs_mode: s.customs_mode.clone(),
        lines: s
            .lines
            .iter()
            .map(|l| PackageLine {
                sku: l.sku.clone(),
                quantity: u32::try_from(l.quantity).unwrap_or(0),
            })
            .collect(),
        wave_id: s.wave_id,
        picks: s.picks.clone(),
        parcel: s
            .parcel
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|_| Problem::internal())?,
        tracking_number: s.tracking_number.clone(),
        created_at: crate::time::rfc3339(s.created_at),
        shipped_at: s.shipped_at.map(crate::time::rfc3339),
        delivered_at: s.delivered_at.map(crate::time::rfc3339),
        events,
    })
}

/// A shipment the organisation may see: the seller's own, or one at a
/// warehouse it runs. Returns it with the caller's role.
async fn visible_shipment(
    state: &AppState,
    org: i64,
    id: i64,
) -> Result<(ShipmentRecord, WarehouseRole), Problem> {
    let s = state
        .store
        .shipment(id)
        .await?
        .ok_or_else(|| Problem::not_found("shipment"))?;
    if s.seller_id == org {
        let role = match state.store.warehouse_for(org, s.warehouse_id).await? {
            Some((_, WarehouseRole::Operator)) => WarehouseRole::Operator,
            _ => WarehouseRole::Seller,
        };
        return Ok((s, role));
    }
    match state.store.warehouse_for(org, s.warehouse_id).await? {
        Some((_, WarehouseRole::Operator)) => Ok((s, WarehouseRole::Operator)),
        _ => Err(Problem::not_found("shipment")),
    }
}

/// A shipment at a warehouse the organisation runs (not found when it may
/// not see it; forbidden for the seller when another runs the warehouse).
async fn operated_shipment(state: &AppState, org: i64, id: i64) -> Result<ShipmentRecord, Problem> {
    match visible_shipment(state, org, id).await? {
        (s, WarehouseRole::Operator) => Ok(s),
        (_, WarehouseRole::Seller) => Err(Problem::forbidden(
            "only the warehouse's operator may do this",
        )),
    }
}

/// One shipment with its events.
pub async fn get_shipment(state: &AppState, org: i64, id: i64) -> Result<ShipmentView, Problem> {
    let (s, _) = visible_shipment(state, org, id).await?;
    shipment_view(state, &s, true).await
}

/// The shipments at a warehouse the organisation runs.
pub async fn warehouse_shipments(
    state: &AppState,
    org: i64,
    warehouse_id: i64,
    status: Option<&str>,
    after: i64,
    limit: u32,
) -> Result<(Vec<ShipmentView>, Option<i64>), Problem> {
    let w = inventory::operated(&state.store, org, warehouse_id).await?;
    if let Some(s) = status {
        if ShipmentStatus::parse(s).is_none() {
            return Err(Problem::field(
                "status",
                "must be pending, picking, packed, shipped, delivered or cancelled",
            ));
        }
    }
    let page = state
        .store
        .warehouse_shipments(w.id, status, after, limit)
        .await?;
    let mut out = Vec::with_capacity(page.items.len());
    for s in &page.items {
        out.push(shipment_view(state, s, false).await?);
    }
    Ok((out, page.next_after))
}

// --- waves ---------------------------------------------------------------------------

/// A pick-list row as answered: with the seller whose stock it is.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WaveRow {
    pub seller_id: i64,
    #[serde(flatten)]
    pub row: PickRowJson,
}

/// A pick-list row in JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PickRowJson {
    pub bin: Option<String>,
    pub lot: Option<String>,
    pub sku: String,
    pub quantity: u32,
    pub shipments: Vec<i64>,
}

impl From<&PickRow> for PickRowJson {
    fn from(r: &PickRow) -> Self {
        PickRowJson {
            bin: r.bin.as_ref().map(|b| b.as_str().to_owned()),
            lot: r.lot.as_ref().map(|l| l.as_str().to_owned()),
            sku: r.sku.as_str().to_owned(),
            quantity: r.quantity,
            shipments: r.shipments.clone(),
        }
    }
}

/// What a wave holds: its pick list and the shipments left out short.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PickList {
    pub rows: Vec<WaveRow>,
    pub shipments: Vec<i64>,
    pub short: Vec<ShortView>,
}

/// A shipment left out of a wave, and what it lacks.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShortView {
    pub shipment: i64,
    pub sku: String,
    pub needed: u32,
    pub found: u32,
}

impl From<&Shortfall> for ShortView {
    fn from(s: &Shortfall) -> Self {
        ShortView {
            shipment: s.shipment,
            sku: s.sku.as_str().to_owned(),
            needed: s.needed,
            found: s.found,
        }
    }
}

/// A wave as answered.
#[derive(Debug, Clone, Serialize)]
pub struct WaveView {
    pub id: i64,
    pub warehouse_id: i64,
    /// Shipments allocated up to this instant were considered.
    pub cutoff_at: String,
    #[serde(flatten)]
    pub pick_list: PickList,
    pub created_at: String,
}

fn wave_view(w: &WaveRecord) -> Result<WaveView, Problem> {
    Ok(WaveView {
        id: w.id,
        warehouse_id: w.warehouse_id,
        cutoff_at: crate::time::rfc3339(w.cutoff_at),
        pick_list: serde_json::from_str(&w.pick_list).map_err(|_| Problem::internal())?,
        created_at: crate::time::rfc3339(w.created_at),
    })
}

/// Releases a wave at a warehouse the organisation runs: every pending
/// shipment of an allocated order made up to the cut-off (default: the
/// warehouse's next cut-off, today's until it passes), with a pick list. Shipments
/// whose units cannot all be found are left out and listed as short.
pub async fn make_wave(
    state: &AppState,
    principal: &Principal,
    warehouse_id: i64,
    cutoff_at: Option<i64>,
    now: i64,
) -> Result<WaveView, Problem> {
    let w = inventory::operated(&state.store, principal.organisation.id, warehouse_id).await?;
    let cutoff_minutes = parse_cutoff(&w.draft.cutoff_time).map_err(|_| Problem::internal())?;
    let cutoff = match cutoff_at {
        Some(at) => at,
        None => {
            let dispatch_days = match state.store.shipping_setup(w.id).await? {
                Some(r) => {
                    serde_json::from_str::<WarehouseShipping>(&r.setup)
                        .map_err(|_| Problem::internal())?
                        .dispatch_days
                }
                None => every_day(),
            };
            next_cutoff(
                now,
                w.draft.utc_offset_minutes,
                cutoff_minutes,
                &dispatch_days,
            )
        }
    };
    let waiting = state.store.waveable_shipments(w.id, cutoff).await?;
    if waiting.is_empty() {
        return Err(Problem::field(
            "cutoff",
            format!(
                "no shipment of an allocated order is waiting at {} up to {}",
                w.draft.code,
                crate::time::rfc3339(cutoff)
            ),
        ));
    }
    let book = state.store.warehouse_book(w.id).await?;
    let picking = state.store.picking_shipments(w.id).await?;
    let mut sellers: Vec<i64> = waiting.iter().map(|s| s.seller_id).collect();
    sellers.sort_unstable();
    sellers.dedup();
    let mut list = PickList {
        rows: Vec::new(),
        shipments: Vec::new(),
        short: Vec::new(),
    };
    let mut waved = Vec::new();
    for seller in sellers {
        // Units at each location, less what open waves already promised.
        let mut promised: HashMap<(String, Option<String>, Option<String>), i64> = HashMap::new();
        for s in picking.iter().filter(|s| s.seller_id == seller) {
            for p in s.picks.iter().flatten() {
                *promised
                    .entry((p.sku.clone(), p.bin.clone(), p.lot.clone()))
                    .or_default() += p.quantity;
            }
        }
        let locations: Vec<PickLocation> = book
            .locations()
            .iter()
            .filter(|(k, _)| k.stock.seller == seller)
            .map(|(k, units)| {
                let key = (
                    k.stock.sku.as_str().to_owned(),
                    k.bin.as_ref().map(|b| b.as_str().to_owned()),
                    k.lot.as_ref().map(|l| l.as_str().to_owned()),
                );
                let left = units - promised.get(&key).copied().unwrap_or(0);
                PickLocation {
                    sku: k.stock.sku.clone(),
                    bin: k.bin.clone(),
                    lot: k.lot.clone(),
                    quantity: u32::try_from(left.max(0)).unwrap_or(u32::MAX),
                }
            })
            .collect();
        let mut needs = Vec::new();
        for s in waiting.iter().filter(|s| s.seller_id == seller) {
            for l in &s.lines {
                needs.push(PickNeed {
                    shipment: s.id,
                    sku: Sku::parse(&l.sku).map_err(|_| Problem::internal())?,
                    quantity: u32::try_from(l.quantity).map_err(|_| Problem::internal())?,
                });
            }
        }
        let plan = plan_picks(&needs, &locations);
        for shipment in plan.shipments() {
            waved.push(WavedShipment {
                shipment_id: shipment,
                picks: plan
                    .assignments
                    .iter()
                    .filter(|a| a.shipment == shipment)
                    .map(|a| PickRowStored {
                        sku: a.sku.as_str().to_owned(),
                        bin: a.bin.as_ref().map(|b| b.as_str().to_owned()),
                        lot: a.lot.as_ref().map(|l| l.as_str().to_owned()),
                        quantity: i64::from(a.quantity),
                    })
                    .collect(),
            });
            list.shipments.push(shipment);
        }
        list.rows.extend(plan.rows.iter().map(|r| WaveRow {
            seller_id: seller,
            row: r.into(),
        }));
        list.short.extend(plan.short.iter().map(ShortView::from));
    }
    if waved.is_empty() {
        let mut p = Problem::conflict(
            "short_stock",
            "no waiting shipment's units can all be found in the warehouse; re-route them",
        );
        p.errors = list
            .short
            .iter()
            .map(|s| FieldProblem {
                field: format!("shipments[{}]", s.shipment),
                reason: format!("{}: {} needed, {} found", s.sku, s.needed, s.found),
            })
            .collect();
        return Err(p);
    }
    let text = serde_json::to_string(&list).map_err(|_| Problem::internal())?;
    let wave = state
        .store
        .create_wave(w.id, cutoff, &text, &waved, Some(principal.user.id), now)
        .await?;
    wave_view(&wave)
}

/// The waves of a warehouse the organisation runs, newest first.
pub async fn waves(
    state: &AppState,
    org: i64,
    warehouse_id: i64,
) -> Result<Vec<WaveView>, Problem> {
    let w = inventory::operated(&state.store, org, warehouse_id).await?;
    state
        .store
        .waves(w.id, 100)
        .await?
        .iter()
        .map(wave_view)
        .collect()
}

/// One wave of a warehouse the organisation runs.
pub async fn wave(
    state: &AppState,
    org: i64,
    warehouse_id: i64,
    id: i64,
) -> Result<WaveView, Problem> {
    let w = inventory::operated(&state.store, org, warehouse_id).await?;
    let wave = state
        .store
        .wave(w.id, id)
        .await?
        .ok_or_else(|| Problem::not_found("wave"))?;
    wave_view(&wave)
}

// --- pack, ship, track --------------------------------------------------------------------

fn check_step(s: &ShipmentRecord, event: ShipmentEvent) -> Result<ShipmentStatus, Problem> {
    let from = ShipmentStatus::parse(&s.status).ok_or_else(Problem::internal)?;
    Ok(from.apply(event)?)
}

fn reference(s: &ShipmentRecord) -> Result<Reference, Problem> {
    Ok(Reference::new(
        ReferenceKind::Order,
        format!("order-{}/shipment-{}", s.order_id, s.id),
    )?)
}

/// Packs a shipment in a wave: its units leave their bins for the packing
/// station (`pick` entries) and the parcel is recorded.
pub async fn pack(
    state: &AppState,
    principal: &Principal,
    id: i64,
    parcel: Parcel,
    now: i64,
) -> Result<ShipmentView, Problem> {
    let s = operated_shipment(state, principal.organisation.id, id).await?;
    check_step(&s, ShipmentEvent::Pack)?;
    parcel.check("parcel")?;
    let reference = reference(&s)?;
    let mut entries = Vec::new();
    for p in s.picks.iter().flatten() {
        let Some(bin) = &p.bin else {
            continue;
        };
        let sku = Sku::parse(&p.sku).map_err(|_| Problem::internal())?;
        entries.push(
            LedgerEntry::new(
                StockKey::new(s.seller_id, sku, s.warehouse_id),
                EntryType::Pick,
                p.quantity,
                reference.clone(),
                now,
            )
            .with_bin(Some(BinCode::parse(bin).map_err(|_| Problem::internal())?))
            .with_lot(
                p.lot
                    .as_deref()
                    .map(LotCode::parse)
                    .transpose()
                    .map_err(|_| Problem::internal())?,
            )
            .with_user(Some(principal.user.id)),
        );
    }
    let text = serde_json::to_string(&parcel).map_err(|_| Problem::internal())?;
    let s = state
        .store
        .pack_shipment(id, &text, &entries, Some(principal.user.id), now)
        .await?;
    shipment_view(state, &s, true).await
}

/// What shipping a parcel takes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShipBody {
    pub tracking_number: String,
}

/// Ships a packed parcel: its holds are committed (the units leave the
/// warehouse's stock), the order moves to partially shipped or shipped.
pub async fn ship(
    state: &AppState,
    principal: &Principal,
    id: i64,
    body: ShipBody,
    now: i64,
) -> Result<ShipmentView, Problem> {
    let s = operated_shipment(state, principal.organisation.id, id).await?;
    check_step(&s, ShipmentEvent::Ship)?;
    let tracking = TrackingNumber::parse(&body.tracking_number)?;
    let detail = serde_json::json!({
        "tracking_number": tracking.as_str(),
        "carrier": s.carrier,
        "service": s.service,
    })
    .to_string();
    let s = state
        .store
        .ship_shipment(id, tracking.as_str(), &detail, Some(principal.user.id), now)
        .await?;
    shipment_view(state, &s, true).await
}

/// Records a carrier's tracking event on a shipped parcel.
pub async fn track(
    state: &AppState,
    principal: &Principal,
    id: i64,
    event: TrackingEvent,
    now: i64,
) -> Result<ShipmentView, Problem> {
    let s = operated_shipment(state, principal.organisation.id, id).await?;
    event.check()?;
    let delivered = event.status == TrackingStatus::Delivered;
    if delivered {
        check_step(&s, ShipmentEvent::Deliver)?;
    } else if s.status != ShipmentStatus::Shipped.as_str() {
        return Err(Problem::conflict(
            "illegal_transition",
            format!(
                "a shipment that is {} has no carrier tracking yet",
                s.status
            ),
        ));
    }
    let detail = serde_json::to_string(&event).map_err(|_| Problem::internal())?;
    let s = state
        .store
        .track_shipment(id, delivered, &detail, Some(principal.user.id), now)
        .await?;
    shipment_view(state, &s, true).await
}

// --- re-routing -------------------------------------------------------------------------

/// What a warehouse reports when it cannot fulfil a shipment.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CannotFulfilBody {
    /// SKUs it cannot ship; empty or absent: none of the shipment.
    #[serde(default)]
    pub skus: Vec<String>,
    /// Why, for the seller (1–300 characters).
    pub reason: String,
}

/// A warehouse cannot fulfil a shipment not yet packed: it is cancelled,
/// its holds released, and its lines routed again without that warehouse
/// (or without those SKUs there), with new holds and shipments. The old and
/// new decisions are both kept.
pub async fn cannot_fulfil(
    state: &AppState,
    principal: &Principal,
    id: i64,
    body: CannotFulfilBody,
    now: i64,
) -> Result<Vec<ShipmentView>, Problem> {
    let (s, _) = visible_shipment(state, principal.organisation.id, id).await?;
    if !matches!(s.status.as_str(), "pending" | "picking") {
        return Err(Problem::conflict(
            "illegal_transition",
            format!("a shipment that is {} cannot be routed elsewhere", s.status),
        ));
    }
    let reason = body.reason.trim();
    if reason.is_empty() || reason.chars().count() > 300 {
        return Err(Problem::field("reason", "must be 1 to 300 characters"));
    }
    for (i, sku) in body.skus.iter().enumerate() {
        if !s.lines.iter().any(|l| &l.sku == sku) {
            return Err(Problem::field(
                format!("skus[{i}]"),
                format!("{sku} is not in shipment {}", s.id),
            ));
        }
    }
    let order = state
        .store
        .order(s.seller_id, s.order_id)
        .await?
        .ok_or_else(|| Problem::not_found("order"))?;
    let body_json: crate::services::orders::OrderBody =
        serde_json::from_str(&order.body).map_err(|_| Problem::internal())?;
    let currency = Currency::from_code(&order.currency).map_err(|_| Problem::internal())?;
    let routings = state.store.order_routings(order.id).await?;
    let previous: Exclusions = routings
        .last()
        .map(|r| serde_json::from_str(&r.exclusions))
        .transpose()
        .map_err(|_| Problem::internal())?
        .unwrap_or_default();
    let today = crate::time::date_of(now);
    let net = seller_network(state, s.seller_id, currency, today, now).await?;
    let code = net
        .by_warehouse
        .get(&s.warehouse_id)
        .cloned()
        .ok_or_else(Problem::internal)?;
    let failure = if body.skus.is_empty() {
        FulfilmentFailure::Warehouse { warehouse: code }
    } else {
        FulfilmentFailure::Lines {
            warehouse: code,
            skus: body
                .skus
                .iter()
                .map(|x| Sku::parse(x))
                .collect::<Result<_, _>>()
                .map_err(|_| Problem::internal())?,
        }
    };
    let exclusions = previous.with(&failure);
    let lines: Vec<(Sku, u32)> = s
        .lines
        .iter()
        .map(|l| {
            Ok((
                Sku::parse(&l.sku).map_err(|_| Problem::internal())?,
                u32::try_from(l.quantity).map_err(|_| Problem::internal())?,
            ))
        })
        .collect::<Result<_, Problem>>()?;
    // The shipment's own held units count as available again (its holds
    // are released with the re-route); exclusions keep routing off what failed.
    let to_route = lines_to_route(state, s.seller_id, &lines).await?;
    let skus: Vec<&Sku> = lines.iter().map(|(x, _)| x).collect();
    let give_back: Vec<(i64, &str, i64)> = s
        .lines
        .iter()
        .map(|l| (s.warehouse_id, l.sku.as_str(), l.quantity))
        .collect();
    let stock = stock_levels(state, s.seller_id, &net, &skus, &give_back).await?;
    let order_to_route = OrderToRoute {
        reference: format!("order-{}", order.id),
        destination: Destination {
            country: body_json.address.country,
            postal_code: body_json.address.postal_code.clone().unwrap_or_default(),
        },
        lines: to_route,
        promised_days: None,
        currency,
    };
    let decision = route_excluding(&net.network, &stock, &order_to_route, &exclusions)?;
    let reference = Reference::new(ReferenceKind::Order, format!("order-{}", order.id))?;
    let (holds, routing) = holds_and_routing(
        s.seller_id,
        &net,
        &decision,
        &reference,
        Some(principal.user.id),
        now,
        None,
    )?;
    let detail = serde_json::json!({
        "reason": reason,
        "shipment_id": s.id,
        "failure": failure,
    })
    .to_string();
    let new_ids = state
        .store
        .reroute_shipment(
            s.seller_id,
            s.id,
            &holds,
            &routing,
            &detail,
            Some(principal.user.id),
            now,
        )
        .await?;
    let mut out = Vec::with_capacity(new_ids.len());
    for id in new_ids {
        let s = state
            .store
            .shipment(id)
            .await?
            .ok_or_else(Problem::internal)?;
        out.push(shipment_view(state, &s, false).await?);
    }
    Ok(out)
}
