//! Carts, checkout and orders: a cart is priced when read (market prices
//! with tiers, MOQ and pack rules, the landed-cost breakdown to its
//! address, shipping options per warehouse holding the stock); checkout
//! prices it once more, holds the stock and writes the order; orders move
//! through the domain's state machine, every change an event.

use chuhai_domain::calendar::Date;
use chuhai_domain::catalog::Sku;
use chuhai_domain::inventory::{Reference, ReferenceKind};
use chuhai_domain::landed::LandedQuote;
use chuhai_domain::market::Incoterm;
use chuhai_domain::money::{Currency, Money};
use chuhai_domain::orders::{
    OrderError, OrderEvent, OrderLineInput, OrderNumber, OrderState, OrderTotals, ShippingAddress,
    CHECKOUT_HOLD_MS,
};
use chuhai_domain::routing::{Exclusions, RoutingDecision};
use chuhai_store::accounts::Principal;
use chuhai_store::markets::MarketRecord;
use chuhai_store::orders::{
    CartLineRow, CartRecord, HoldAction, NewCart, NewOrder, OrderRecord, OrderTransition,
};
use serde::{Deserialize, Serialize};

use crate::problem::{FieldProblem, Problem};
use crate::services::fulfilment::{self, SellerNetwork, ShippingPlan};
use crate::services::{fx, landed, pricing};
use crate::state::AppState;

/// Most lines in one cart.
pub const MAX_CART_LINES: usize = 100;

impl From<OrderError> for Problem {
    fn from(e: OrderError) -> Self {
        match e {
            OrderError::Invalid { field, reason } => Problem::field(field, reason),
            OrderError::IllegalTransition { from, .. } => {
                let mut p = Problem::conflict("illegal_transition", e.to_string());
                p.errors = vec![FieldProblem {
                    field: "state".into(),
                    reason: format!("the order is {from}"),
                }];
                p
            }
            OrderError::Overflow(what) => Problem::field("lines", format!("{what} overflows")),
        }
    }
}

/// A cart line as asked: a variant by id or by SKU, and units.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CartLineBody {
    #[serde(default)]
    pub variant_id: Option<i64>,
    #[serde(default)]
    pub sku: Option<String>,
    /// Units; 0 removes the line.
    pub quantity: i64,
}

/// A cart to create.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CartBody {
    /// One of the seller's markets: its currency and incoterm apply.
    pub market_id: i64,
    /// One of the market's locales; default the market's.
    #[serde(default)]
    pub locale: Option<String>,
    #[serde(default)]
    pub lines: Vec<CartLineBody>,
    #[serde(default)]
    pub address: Option<ShippingAddress>,
}

/// A priced line of a cart.
#[derive(Debug, Clone, Serialize)]
pub struct PricedLine {
    pub variant_id: i64,
    pub sku: String,
    pub quantity: u32,
    pub unit_price: Money,
    pub line_total: Money,
}

/// A cart as shown: priced lines, shipping options, landed cost, totals.
#[derive(Debug, Clone, Serialize)]
pub struct PricedCart {
    pub id: i64,
    pub market_id: i64,
    pub currency: Currency,
    pub locale: String,
    pub incoterm: Incoterm,
    pub status: String,
    pub order_id: Option<i64>,
    pub address: Option<ShippingAddress>,
    pub lines: Vec<PricedLine>,
    /// How the cart ships to its address: the packages routing chose from
    /// the seller's warehouses, each priced from its rate card, with the
    /// delivery estimate and the alternatives considered. `None` without
    /// an address or lines, or when it cannot ship (see `shipping_problem`).
    pub shipping: Option<ShippingPlan>,
    /// Why the cart cannot ship to its address now (e.g. no stock).
    pub shipping_problem: Option<ShippingProblem>,
    /// The landed-cost breakdown to the address (DDP or DAP markets with an
    /// address and lines).
    pub landed_cost: Option<LandedQuote>,
    /// Present when the cart has lines (and, for DDP/DAP, an address).
    pub totals: Option<OrderTotals>,
    /// The routing behind `shipping`, for checkout.
    #[serde(skip)]
    pub routed: Option<Routed>,
}

/// A cart's routing: the network, the plan shown and the decision.
pub type Routed = (std::sync::Arc<SellerNetwork>, ShippingPlan, RoutingDecision);

/// Why a cart cannot ship: the problem checkout would answer.
#[derive(Debug, Clone, Serialize)]
pub struct ShippingProblem {
    pub code: String,
    pub detail: String,
}

fn prefixed(mut p: Problem, prefix: &str) -> Problem {
    for e in &mut p.errors {
        e.field = format!("{prefix}.{}", e.field);
    }
    p.detail = p
        .errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.reason))
        .collect::<Vec<_>>()
        .join("; ");
    p
}

async fn market(state: &AppState, org: i64, id: i64) -> Result<MarketRecord, Problem> {
    state
        .store
        .market(org, id)
        .await?
        .ok_or_else(|| Problem::field("market_id", "is not one of your markets"))
}

/// Resolves a line body to (variant id, units), naming fields under `field`.
async fn resolve_line(
    state: &AppState,
    org: i64,
    field: &str,
    body: &CartLineBody,
) -> Result<CartLineRow, Problem> {
    if !(0..=1_000_000).contains(&body.quantity) {
        return Err(Problem::field(
            format!("{field}.quantity"),
            "must be 0 to 1000000 units",
        ));
    }
    let variant_id = match (body.variant_id, &body.sku) {
        (Some(id), _) => {
            state
                .store
                .variant_price_input(org, id)
                .await?
                .ok_or_else(|| {
                    Problem::field(format!("{field}.variant_id"), "is not one of your variants")
                })?
                .variant_id
        }
        (None, Some(sku)) => {
            state
                .store
                .variant_price_inputs(org)
                .await?
                .into_iter()
                .find(|v| &v.sku == sku)
                .ok_or_else(|| {
                    Problem::field(
                        format!("{field}.sku"),
                        format!("no variant of yours has SKU '{sku}'"),
                    )
                })?
                .variant_id
        }
        (None, None) => {
            return Err(Problem::field(
                format!("{field}.variant_id"),
                "give a variant_id or a sku",
            ))
        }
    };
    Ok(CartLineRow {
        variant_id,
        quantity: body.quantity,
    })
}

/// Creates a cart (with lines and an address, when given).
pub async fn create_cart(
    state: &AppState,
    principal: &Principal,
    body: CartBody,
    now: i64,
) -> Result<PricedCart, Problem> {
    let org = principal.organisation.id;
    let m = market(state, org, body.market_id).await?;
    let locale = match body.locale {
        None => m.market.default_locale.as_str().to_owned(),
        Some(l) if m.market.locales.iter().any(|x| x.as_str() == l) => l,
        Some(l) => {
            return Err(Problem::field(
                "locale",
                format!("'{l}' is not a locale of market {}", m.market.code),
            ))
        }
    };
    if body.lines.len() > MAX_CART_LINES {
        return Err(Problem::field(
            "lines",
            format!("a cart holds at most {MAX_CART_LINES} lines"),
        ));
    }
    let mut lines: Vec<CartLineRow> = Vec::new();
    for (i, l) in body.lines.iter().enumerate() {
        let row = resolve_line(state, org, &format!("lines[{i}]"), l).await?;
        if lines.iter().any(|x| x.variant_id == row.variant_id) {
            return Err(Problem::field(
                format!("lines[{i}]"),
                "names a variant already in the cart",
            ));
        }
        if row.quantity > 0 {
            lines.push(row);
        }
    }
    if let Some(a) = &body.address {
        a.check("address", &m.market.countries)?;
    }
    let address = body
        .address
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|_| Problem::internal())?;
    let cart = NewCart {
        seller_id: org,
        market_id: m.id,
        locale,
        address,
        lines,
    };
    // Lines are priced before anything is written: a quantity the rules
    // refuse is named and no cart is made.
    let draft = CartRecord {
        id: 0,
        seller_id: org,
        market_id: m.id,
        locale: cart.locale.clone(),
        address: cart.address.clone(),
        status: "open".into(),
        order_id: None,
        created_at: now,
        updated_at: now,
        lines: cart.lines.clone(),
    };
    // The whole cart is priced (and routed) once, before it is written:
    // the answer is that pricing with the new cart's id.
    let mut priced = price_cart(state, principal, &draft, crate::time::date_of(now), now).await?;
    let id = state.store.create_cart(&cart, now).await?;
    priced.id = id;
    Ok(priced)
}

/// Sets a line's units (0 removes it).
pub async fn set_line(
    state: &AppState,
    principal: &Principal,
    cart_id: i64,
    body: CartLineBody,
    now: i64,
) -> Result<PricedCart, Problem> {
    let org = principal.organisation.id;
    let cart = find_cart(state, org, cart_id).await?;
    let row = resolve_line(state, org, "line", &body).await?;
    let mut draft = cart.clone();
    draft.lines.retain(|l| l.variant_id != row.variant_id);
    if row.quantity > 0 {
        draft.lines.push(row.clone());
        if draft.lines.len() > MAX_CART_LINES {
            return Err(Problem::field(
                "line",
                format!("a cart holds at most {MAX_CART_LINES} lines"),
            ));
        }
        let m = market(state, org, cart.market_id).await?;
        let single = CartRecord {
            lines: vec![row.clone()],
            ..cart.clone()
        };
        price_lines(state, principal, &m, &single)
            .await
            .map_err(|p| {
                let mut p = p;
                for e in &mut p.errors {
                    e.field = e.field.replacen("lines[0]", "line", 1);
                }
                p
            })?;
    }
    state.store.set_cart_line(org, cart_id, &row, now).await?;
    cart_view(state, principal, cart_id).await
}

/// Sets the shipping address.
pub async fn set_address(
    state: &AppState,
    principal: &Principal,
    cart_id: i64,
    address: ShippingAddress,
    now: i64,
) -> Result<PricedCart, Problem> {
    let org = principal.organisation.id;
    let cart = find_cart(state, org, cart_id).await?;
    let m = market(state, org, cart.market_id).await?;
    address.check("address", &m.market.countries)?;
    let text = serde_json::to_string(&address).map_err(|_| Problem::internal())?;
    state
        .store
        .set_cart_address(org, cart_id, &text, now)
        .await?;
    cart_view(state, principal, cart_id).await
}

async fn find_cart(state: &AppState, org: i64, id: i64) -> Result<CartRecord, Problem> {
    state
        .store
        .cart(org, id)
        .await?
        .ok_or_else(|| Problem::not_found("cart"))
}

/// The cart priced now.
pub async fn cart_view(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<PricedCart, Problem> {
    let cart = find_cart(state, principal.organisation.id, id).await?;
    let now = crate::time::now_millis();
    price_cart(state, principal, &cart, crate::time::date_of(now), now).await
}

async fn price_lines(
    state: &AppState,
    principal: &Principal,
    m: &MarketRecord,
    cart: &CartRecord,
) -> Result<Vec<PricedLine>, Problem> {
    let today = crate::time::today();
    let mut out = Vec::with_capacity(cart.lines.len());
    for (i, l) in cart.lines.iter().enumerate() {
        let quantity = u32::try_from(l.quantity).map_err(|_| Problem::internal())?;
        let (q, _, _) = pricing::quote(
            &state.store,
            &state.pricing_cache,
            principal.generations,
            principal.organisation.id,
            l.variant_id,
            m.id,
            quantity,
            today,
        )
        .await
        .map_err(|p| prefixed(p, &format!("lines[{i}]")))?;
        let sku = state
            .store
            .variant_price_input(principal.organisation.id, l.variant_id)
            .await?
            .ok_or_else(|| Problem::not_found("variant"))?
            .sku;
        out.push(PricedLine {
            variant_id: l.variant_id,
            sku,
            quantity,
            unit_price: q.unit_price,
            line_total: q.line_total,
        });
    }
    Ok(out)
}

/// Prices a cart on `date`: lines, shipping options, landed cost and totals.
pub async fn price_cart(
    state: &AppState,
    principal: &Principal,
    cart: &CartRecord,
    date: Date,
    now: i64,
) -> Result<PricedCart, Problem> {
    let org = principal.organisation.id;
    let m = market(state, org, cart.market_id).await?;
    let currency = m.market.currency;
    let incoterm = m.market.incoterm;
    let lines = price_lines(state, principal, &m, cart).await?;
    let address: Option<ShippingAddress> = cart
        .address
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(|_| Problem::internal())?;
    let (routed, shipping_problem) = match (&address, lines.is_empty()) {
        (Some(a), false) => {
            match route_cart(state, org, cart, a, &lines, currency, date, now).await {
                Ok(r) => (Some(r), None),
                Err(p) if p.status < 500 => (
                    None,
                    Some(ShippingProblem {
                        code: p.code.clone(),
                        detail: p.detail.clone(),
                    }),
                ),
                Err(p) => return Err(p),
            }
        }
        _ => (None, None),
    };
    let shipping = routed
        .as_ref()
        .map_or(Money::zero(currency), |(_, plan, _)| plan.price);
    let landed_terms = matches!(incoterm, Incoterm::Ddp | Incoterm::Dap);
    let landed_cost = match (&address, lines.is_empty(), landed_terms) {
        (Some(a), false, true) => Some(
            landed_quote(
                state, principal, a, incoterm, currency, shipping, &lines, date,
            )
            .await?,
        ),
        _ => None,
    };
    let totals = if lines.is_empty()
        || (landed_terms && landed_cost.is_none())
        || (address.is_some() && routed.is_none())
    {
        None
    } else {
        let to_cny = fx::conversion(&state.store, currency, Currency::CNY, date).await?;
        let mut inputs: Vec<OrderLineInput> = Vec::with_capacity(lines.len());
        for (i, l) in lines.iter().enumerate() {
            let import_charges = match (&landed_cost, incoterm) {
                (Some(q), Incoterm::Ddp) => q.items[i].amounts.import_charges(),
                _ => Money::zero(currency),
            };
            inputs.push(OrderLineInput {
                sku: l.sku.clone(),
                quantity: l.quantity,
                unit_price: l.unit_price,
                import_charges,
            });
        }
        let due_on_delivery = match (&landed_cost, incoterm) {
            (Some(q), Incoterm::Dap) => q.payments.customer_pays_on_delivery,
            _ => Money::zero(currency),
        };
        Some(OrderTotals::build(
            &inputs,
            shipping,
            due_on_delivery,
            &to_cny,
        )?)
    };
    Ok(PricedCart {
        id: cart.id,
        market_id: cart.market_id,
        currency,
        locale: cart.locale.clone(),
        incoterm,
        status: cart.status.clone(),
        order_id: cart.order_id,
        address,
        lines,
        shipping: routed.as_ref().map(|(_, plan, _)| plan.clone()),
        shipping_problem,
        landed_cost,
        totals,
        routed,
    })
}

/// Routes a cart's lines to its address with the seller's network.
#[allow(clippy::too_many_arguments)]
async fn route_cart(
    state: &AppState,
    org: i64,
    cart: &CartRecord,
    address: &ShippingAddress,
    lines: &[PricedLine],
    currency: Currency,
    date: Date,
    now: i64,
) -> Result<Routed, Problem> {
    let wanted: Vec<(Sku, u32)> = lines
        .iter()
        .map(|l| {
            Ok((
                Sku::parse(&l.sku).map_err(|_| Problem::internal())?,
                l.quantity,
            ))
        })
        .collect::<Result<_, Problem>>()?;
    let (net, decision) = fulfilment::route_order(
        state,
        org,
        &format!("cart-{}", cart.id),
        address,
        &wanted,
        currency,
        date,
        now,
        &Exclusions::default(),
    )
    .await
    .map_err(|p| rename_items(p, "lines"))?;
    let plan = fulfilment::plan_view(&net, &decision)?;
    Ok((net, plan, decision))
}

#[allow(clippy::too_many_arguments)]
async fn landed_quote(
    state: &AppState,
    principal: &Principal,
    address: &ShippingAddress,
    incoterm: Incoterm,
    currency: Currency,
    shipping: Money,
    lines: &[PricedLine],
    date: Date,
) -> Result<LandedQuote, Problem> {
    let reference =
        landed::reference(&state.store, &state.landed_cache, principal.generations.1).await?;
    let body = landed::QuoteBody {
        destination: address.country,
        incoterm,
        date: Some(date),
        currency,
        shipping,
        insurance: None,
        items: lines
            .iter()
            .map(|l| landed::QuoteItemBody {
                sku: Some(l.sku.clone()),
                hs_code: None,
                tariff_code: None,
                origin: None,
                quantity: i64::from(l.quantity),
                unit_price: l.unit_price,
                weight_kg: None,
                duty_rate: None,
            })
            .collect(),
    };
    let req = landed::request(
        &state.store,
        &reference,
        principal.organisation.id,
        &body,
        date,
    )
    .await
    .map_err(|p| rename_items(p, "lines"))?;
    landed::quote_with(&reference, &req).map_err(|p| rename_items(p, "lines"))
}

/// The landed-cost service names quote items `items[i]`; a cart's are `lines[i]`.
fn rename_items(mut p: Problem, to: &str) -> Problem {
    for e in &mut p.errors {
        if let Some(rest) = e.field.strip_prefix("items") {
            e.field = format!("{to}{rest}");
        }
    }
    p
}

/// An order as stored at checkout (the JSON `body` of the order row).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrderBody {
    pub locale: String,
    pub incoterm: Incoterm,
    pub address: ShippingAddress,
    pub shipping: serde_json::Value,
    pub totals: serde_json::Value,
    pub landed_cost: Option<serde_json::Value>,
    /// The CNY rate used for the books: CNY per unit of the market currency.
    pub cny_rate: String,
    pub cny_rate_date: Option<Date>,
}

/// Checks out a cart: prices and routes it, holds every package line's
/// units at its warehouse (with [`CHECKOUT_HOLD_MS`] expiry), and writes
/// the order `placed` with its routing decision and shipments.
pub async fn checkout(
    state: &AppState,
    principal: &Principal,
    cart_id: i64,
    now: i64,
) -> Result<OrderRecord, Problem> {
    let org = principal.organisation.id;
    let cart = find_cart(state, org, cart_id).await?;
    if cart.status != "open" {
        return Err(Problem::conflict(
            "state_conflict",
            "cart: is already checked out; it cannot change",
        ));
    }
    if cart.lines.is_empty() {
        return Err(Problem::field("lines", "the cart is empty"));
    }
    let Some(address) = cart.address.as_deref() else {
        return Err(Problem::field(
            "address",
            "give a shipping address before checkout",
        ));
    };
    let address: ShippingAddress =
        serde_json::from_str(address).map_err(|_| Problem::internal())?;
    let m = market(state, org, cart.market_id).await?;
    // The market may have changed since the address was set.
    address.check("address", &m.market.countries)?;
    let today = crate::time::date_of(now);
    let priced = price_cart(state, principal, &cart, today, now).await?;
    let totals = priced
        .totals
        .clone()
        .ok_or_else(|| match &priced.shipping_problem {
            Some(sp) => {
                let mut p = Problem::field("lines", sp.detail.clone());
                p.code = sp.code.clone();
                if sp.code == "insufficient_stock" {
                    p.status = 409;
                }
                p
            }
            None => Problem::internal(),
        })?;
    let Some((net, plan, decision)) = priced.routed.as_ref() else {
        return Err(Problem::internal());
    };
    let reference = Reference::new(ReferenceKind::Checkout, format!("cart-{cart_id}"))?;
    let (holds, routing) = fulfilment::holds_and_routing(
        org,
        net,
        decision,
        &reference,
        Some(principal.user.id),
        now,
        Some(now + CHECKOUT_HOLD_MS),
    )?;
    let to_cny = fx::conversion(&state.store, priced.currency, Currency::CNY, today).await?;
    let body = OrderBody {
        locale: priced.locale.clone(),
        incoterm: priced.incoterm,
        address,
        shipping: serde_json::to_value(plan).map_err(|_| Problem::internal())?,
        totals: serde_json::to_value(&totals).map_err(|_| Problem::internal())?,
        landed_cost: priced
            .landed_cost
            .as_ref()
            .map(serde_json::to_value)
            .transpose()
            .map_err(|_| Problem::internal())?,
        cny_rate: to_cny.rate_display(10),
        cny_rate_date: to_cny.rate_date(),
    };
    let order = NewOrder {
        seller_id: org,
        cart_id,
        market_id: cart.market_id,
        currency: priced.currency.code().to_owned(),
        total_minor: totals.total.minor(),
        total_cny_minor: totals.total_cny.minor(),
        body: serde_json::to_string(&body).map_err(|_| Problem::internal())?,
        user_id: Some(principal.user.id),
        routing: Some(routing),
    };
    Ok(state.store.place_order(&order, &holds, now).await?)
}

/// The order's number.
pub fn number(order: &OrderRecord) -> OrderNumber {
    OrderNumber::new(u64::try_from(order.seq).unwrap_or(0))
}

/// Applies `event` to one of the seller's orders, if the state machine
/// allows it; records who and when, with `detail`.
pub async fn transition(
    state: &AppState,
    principal: &Principal,
    order_id: i64,
    event: OrderEvent,
    detail: Option<serde_json::Value>,
    now: i64,
) -> Result<OrderRecord, Problem> {
    let org = principal.organisation.id;
    let order = state
        .store
        .order(org, order_id)
        .await?
        .ok_or_else(|| Problem::not_found("order"))?;
    let from = OrderState::parse(&order.state).ok_or_else(Problem::internal)?;
    let to = from.apply(event)?;
    let holds = match (event, to) {
        (OrderEvent::Pay, _) => HoldAction::KeepWithoutExpiry,
        (_, OrderState::Cancelled) => HoldAction::Release,
        _ => HoldAction::Keep,
    };
    let t = OrderTransition {
        event: event.as_str(),
        from_state: from.as_str(),
        to_state: to.as_str(),
        user_id: Some(principal.user.id),
        detail: detail.map(|d| d.to_string()),
        holds,
    };
    Ok(state.store.transition_order(org, order_id, &t, now).await?)
}
