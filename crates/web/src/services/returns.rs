//! Returns and refunds of orders: a seller asks for a return (RMA) of
//! delivered units, to an overseas warehouse serving it; the seller
//! authorises or rejects it; the warehouse's operator receives the goods
//! and inspects every unit (restocked and relabelled units are sellable
//! stock again through a `return` ledger entry, disposed ones are not);
//! the refund the seller's returns policy gives is issued through the
//! order's payment, card or bank transfer. Every step is the domain's
//! state machine's, written with its event in one transaction.

use std::collections::BTreeMap;

use chuhai_domain::catalog::Sku;
use chuhai_domain::inventory::{
    EntryType, LedgerEntry, Reference, ReferenceKind, StockKey, WarehouseKind,
};
use chuhai_domain::money::{Currency, Money};
use chuhai_domain::orders::{OrderEvent, OrderState};
use chuhai_domain::payments::PaymentStatus;
use chuhai_domain::returns::{
    check_units, refund_for, rma_number, Disposition, RefundBreakdown, ReturnError, ReturnEvent,
    ReturnReason, ReturnStage, ReturnStatus, ReturnedLine, ReturnsPolicy,
};
use chuhai_store::accounts::Principal;
use chuhai_store::inventory::WarehouseRole;
use chuhai_store::orders::{HoldAction, OrderRecord, OrderTransition};
use chuhai_store::payments::PaymentChange;
use chuhai_store::returns::{DispositionRow, NewReturn, ReturnAmounts, ReturnChange, ReturnRecord};
use serde::Deserialize;

use crate::problem::{FieldProblem, Problem};
use crate::services::payments;
use crate::state::AppState;

/// Order states in which a return may be asked for: delivered, or
/// returned in part already.
pub const RETURNABLE_STATES: [OrderState; 2] = [OrderState::Delivered, OrderState::Returned];

/// Most characters in a return's note.
pub const MAX_NOTE_CHARS: usize = 500;

impl From<ReturnError> for Problem {
    fn from(e: ReturnError) -> Self {
        match e {
            ReturnError::Invalid { field, reason } => Problem::field(field, reason),
            ReturnError::IllegalTransition { from, .. } => {
                let mut p = Problem::conflict("illegal_transition", e.to_string());
                p.errors = vec![FieldProblem {
                    field: "status".into(),
                    reason: format!("the return is {from}"),
                }];
                p
            }
            ReturnError::Overflow(what) => Problem::field("lines", format!("{what} overflows")),
        }
    }
}

/// A returned line as asked: units of a SKU of the order.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnLineBody {
    pub sku: String,
    pub quantity: i64,
}

/// A return as asked.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnBody {
    /// `defective`, `damaged_in_transit`, `wrong_item`, `not_as_described`,
    /// `no_longer_needed` or `other`.
    pub reason: String,
    #[serde(default)]
    pub note: Option<String>,
    /// The overseas warehouse serving the seller the goods go back to.
    pub warehouse_id: i64,
    pub lines: Vec<ReturnLineBody>,
}

/// What inspection decided for units of a SKU.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InspectionLineBody {
    pub sku: String,
    /// `restock`, `relabel` or `dispose`.
    pub disposition: String,
    pub quantity: i64,
}

/// The seller's policy, or the default when it set none.
pub async fn policy(state: &AppState, org: i64) -> Result<ReturnsPolicy, Problem> {
    Ok(state.store.returns_policy(org).await?.unwrap_or_default())
}

/// Sets the seller's policy after checking it.
pub async fn put_policy(
    state: &AppState,
    principal: &Principal,
    p: ReturnsPolicy,
    now: i64,
) -> Result<ReturnsPolicy, Problem> {
    p.check()?;
    let org = principal.organisation.id;
    state.store.put_returns_policy(org, &p, now).await?;
    policy(state, org).await
}

/// The policy a return was asked under.
pub fn policy_of(r: &ReturnRecord) -> Result<ReturnsPolicy, Problem> {
    serde_json::from_str(&r.policy).map_err(|_| Problem::internal())
}

/// An order line as stored at checkout (its totals' `lines`).
#[derive(Debug, Clone, Deserialize)]
struct OrderLine {
    sku: String,
    quantity: u32,
    unit_price: Money,
    import_charges: Money,
}

fn order_lines(order: &OrderRecord) -> Result<(Vec<OrderLine>, Money), Problem> {
    let body: serde_json::Value =
        serde_json::from_str(&order.body).map_err(|_| Problem::internal())?;
    let lines: Vec<OrderLine> =
        serde_json::from_value(body["totals"]["lines"].clone()).map_err(|_| Problem::internal())?;
    let shipping: Money = serde_json::from_value(body["totals"]["shipping"].clone())
        .map_err(|_| Problem::internal())?;
    Ok((lines, shipping))
}

fn units(q: u32) -> i64 {
    i64::from(q)
}

/// When the order was delivered: its last `delivered` event.
async fn delivered_at(state: &AppState, order_id: i64) -> Result<i64, Problem> {
    state
        .store
        .order_events(order_id)
        .await?
        .iter()
        .rev()
        .find(|e| e.to_state == OrderState::Delivered.as_str())
        .map(|e| e.at)
        .ok_or_else(Problem::internal)
}

/// Asks for a return of units of one of the seller's orders.
pub async fn create(
    state: &AppState,
    principal: &Principal,
    order_id: i64,
    body: ReturnBody,
    now: i64,
) -> Result<ReturnRecord, Problem> {
    let org = principal.organisation.id;
    let order = state
        .store
        .order(org, order_id)
        .await?
        .ok_or_else(|| Problem::not_found("order"))?;
    let order_state = OrderState::parse(&order.state).ok_or_else(Problem::internal)?;
    if !RETURNABLE_STATES.contains(&order_state) {
        let mut p = Problem::conflict(
            "order_state",
            format!(
                "an order that is {order_state} cannot be returned: returns are asked for once it is delivered"
            ),
        );
        p.errors = vec![FieldProblem {
            field: "state".into(),
            reason: format!("the order is {order_state}"),
        }];
        return Err(p);
    }
    let reason = ReturnReason::parse(&body.reason).ok_or_else(|| {
        Problem::field(
            "reason",
            format!(
                "'{}' is not one of {}",
                body.reason,
                ReturnReason::ALL.map(|r| r.as_str()).join(", ")
            ),
        )
    })?;
    let note = body
        .note
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty());
    if note
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS)
    {
        return Err(Problem::field(
            "note",
            format!("at most {MAX_NOTE_CHARS} characters"),
        ));
    }
    let warehouse = match state.store.warehouse_for(org, body.warehouse_id).await? {
        Some((w, _)) => w,
        None => {
            return Err(Problem::field(
                "warehouse_id",
                "is not a warehouse serving you",
            ))
        }
    };
    if warehouse.draft.kind != WarehouseKind::Overseas {
        return Err(Problem::field(
            "warehouse_id",
            format!(
                "{} is an origin warehouse in {}: returns go back to an overseas warehouse",
                warehouse.draft.code,
                warehouse.draft.country.alpha2()
            ),
        ));
    }
    let policy = policy(state, org).await?;
    policy.check_window(delivered_at(state, order.id).await?, now)?;
    let (lines, shipping) = order_lines(&order)?;
    if body.lines.is_empty() {
        return Err(Problem::field("lines", "give at least one line to return"));
    }
    let claimed = state.store.claimed_return_units(order.id).await?;
    let mut returned: Vec<ReturnedLine> = Vec::with_capacity(body.lines.len());
    for (i, l) in body.lines.iter().enumerate() {
        let Some(line) = lines.iter().find(|x| x.sku == l.sku) else {
            return Err(Problem::field(
                format!("lines[{i}].sku"),
                format!("'{}' is not a line of order {}", l.sku, order.id),
            ));
        };
        if returned.iter().any(|r| r.sku == l.sku) {
            return Err(Problem::field(
                format!("lines[{i}].sku"),
                "names a SKU already in the return",
            ));
        }
        let before = claimed.get(&l.sku).copied().unwrap_or(0);
        let before = u32::try_from(before).map_err(|_| Problem::internal())?;
        let asked = u32::try_from(l.quantity)
            .map_err(|_| Problem::field(format!("lines[{i}].quantity"), "must be at least 1"))?;
        check_units(
            &format!("lines[{i}].quantity"),
            line.quantity,
            before,
            asked,
        )?;
        returned.push(ReturnedLine {
            sku: l.sku.clone(),
            ordered: line.quantity,
            returned_before: before,
            units: asked,
            unit_price: line.unit_price,
            import_charges: line.import_charges,
        });
    }
    let order_units: u32 = lines.iter().map(|l| l.quantity).sum();
    let claimed_units: i64 = claimed.values().sum();
    let refund: RefundBreakdown = refund_for(
        &returned,
        shipping,
        order_units,
        u32::try_from(claimed_units).map_err(|_| Problem::internal())?,
        reason,
        &policy,
    )?;
    let new = NewReturn {
        seller_id: org,
        order_id: order.id,
        order_states: RETURNABLE_STATES
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect(),
        reason: reason.as_str().to_owned(),
        note,
        warehouse_id: warehouse.id,
        policy: serde_json::to_string(&policy).map_err(|_| Problem::internal())?,
        currency: order.currency.clone(),
        amounts: ReturnAmounts {
            goods_minor: refund.goods.minor(),
            import_charges_minor: refund.import_charges.minor(),
            shipping_minor: refund.shipping.minor(),
            restocking_fee_minor: refund.restocking_fee.minor(),
            refund_minor: refund.total.minor(),
        },
        lines: returned
            .iter()
            .map(|l| (l.sku.clone(), units(l.units)))
            .collect(),
        claimed_before: claimed,
        user_id: Some(principal.user.id),
    };
    Ok(state.store.create_return(&new, now).await?)
}

/// A return the organisation may see (its own, or one coming back to a
/// warehouse it runs); any other is not found.
pub async fn visible(state: &AppState, org: i64, id: i64) -> Result<ReturnRecord, Problem> {
    state
        .store
        .return_for(org, id)
        .await?
        .ok_or_else(|| Problem::not_found("return"))
}

/// One of the seller's returns: an operator who only receives it may not
/// decide for the seller.
async fn of_seller(state: &AppState, org: i64, id: i64) -> Result<ReturnRecord, Problem> {
    let r = visible(state, org, id).await?;
    if r.seller_id != org {
        return Err(Problem::forbidden(
            "only the seller who owns the order may do this",
        ));
    }
    Ok(r)
}

/// A return coming back to a warehouse the organisation runs.
async fn at_operated_warehouse(
    state: &AppState,
    org: i64,
    id: i64,
) -> Result<ReturnRecord, Problem> {
    let r = visible(state, org, id).await?;
    match state.store.warehouse_for(org, r.warehouse_id).await? {
        Some((_, WarehouseRole::Operator)) => Ok(r),
        Some((w, _)) => Err(Problem::forbidden(format!(
            "only the operator of warehouse {} may do this",
            w.draft.code
        ))),
        None => Err(Problem::forbidden(
            "only the operator of the return's warehouse may do this",
        )),
    }
}

/// Where a return stands in its state machine.
pub fn stage(r: &ReturnRecord) -> Result<ReturnStage, Problem> {
    Ok(ReturnStage {
        status: ReturnStatus::parse(&r.status).ok_or_else(Problem::internal)?,
        inspected: r.inspected,
    })
}

fn change<'a>(
    r: &'a ReturnRecord,
    event: ReturnEvent,
    from: ReturnStage,
    to: ReturnStage,
    user: i64,
    detail: Option<serde_json::Value>,
) -> ReturnChange<'a> {
    ReturnChange {
        seller_id: r.seller_id,
        return_id: r.id,
        event: event.as_str(),
        from_status: from.status.as_str(),
        from_inspected: from.inspected,
        to_status: to.status.as_str(),
        to_inspected: to.inspected,
        user_id: Some(user),
        detail: detail.map(|d| d.to_string()),
        received: false,
        dispositions: Vec::new(),
        entries: Vec::new(),
        refund: None,
        order: None,
        webhook: None,
    }
}

/// The seller authorises, rejects or closes a return.
pub async fn decide(
    state: &AppState,
    principal: &Principal,
    id: i64,
    event: ReturnEvent,
    note: Option<String>,
    now: i64,
) -> Result<ReturnRecord, Problem> {
    let r = of_seller(state, principal.organisation.id, id).await?;
    if note
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS)
    {
        return Err(Problem::field(
            "note",
            format!("at most {MAX_NOTE_CHARS} characters"),
        ));
    }
    let from = stage(&r)?;
    let to = from.apply(event, policy_of(&r)?.refund_timing)?;
    let detail = note.map(|n| serde_json::json!({"note": n}));
    let c = change(&r, event, from, to, principal.user.id, detail);
    Ok(state.store.change_return(&c, now).await?)
}

/// The warehouse's operator receives the goods of an authorised return;
/// the order goes to `returned` (if it is not already).
pub async fn receive(
    state: &AppState,
    principal: &Principal,
    id: i64,
    now: i64,
) -> Result<ReturnRecord, Problem> {
    let r = at_operated_warehouse(state, principal.organisation.id, id).await?;
    let from = stage(&r)?;
    let to = from.apply(ReturnEvent::Receive, policy_of(&r)?.refund_timing)?;
    let order = state
        .store
        .order(r.seller_id, r.order_id)
        .await?
        .ok_or_else(Problem::internal)?;
    let order_state = OrderState::parse(&order.state).ok_or_else(Problem::internal)?;
    let order_change = match order_state {
        OrderState::Returned => None,
        s => {
            let next = s.apply(OrderEvent::Return)?;
            Some(OrderTransition {
                event: OrderEvent::Return.as_str(),
                from_state: s.as_str(),
                to_state: next.as_str(),
                user_id: Some(principal.user.id),
                detail: Some(serde_json::json!({"return_id": r.id}).to_string()),
                holds: HoldAction::Keep,
            })
        }
    };
    let mut c = change(&r, ReturnEvent::Receive, from, to, principal.user.id, None);
    c.received = true;
    c.order = order_change;
    c.webhook = Some("return.received");
    Ok(state.store.change_return(&c, now).await?)
}

/// The warehouse's operator inspects every received unit: each line's
/// units are split over dispositions; restocked and relabelled units are
/// posted back to stock at the warehouse.
pub async fn inspect(
    state: &AppState,
    principal: &Principal,
    id: i64,
    lines: &[InspectionLineBody],
    now: i64,
) -> Result<ReturnRecord, Problem> {
    let r = at_operated_warehouse(state, principal.organisation.id, id).await?;
    let from = stage(&r)?;
    let to = from.apply(ReturnEvent::Inspect, policy_of(&r)?.refund_timing)?;
    if lines.is_empty() {
        return Err(Problem::field(
            "lines",
            "give the disposition of every returned unit",
        ));
    }
    let mut split: BTreeMap<(String, Disposition), i64> = BTreeMap::new();
    let mut per_sku: BTreeMap<String, i64> = BTreeMap::new();
    for (i, l) in lines.iter().enumerate() {
        if !r.lines.iter().any(|x| x.sku == l.sku) {
            return Err(Problem::field(
                format!("lines[{i}].sku"),
                format!("'{}' is not a line of return {}", l.sku, r.id),
            ));
        }
        let d = Disposition::parse(&l.disposition).ok_or_else(|| {
            Problem::field(
                format!("lines[{i}].disposition"),
                format!("'{}' is not restock, relabel or dispose", l.disposition),
            )
        })?;
        if l.quantity < 1 {
            return Err(Problem::field(
                format!("lines[{i}].quantity"),
                "must be at least 1",
            ));
        }
        if split.contains_key(&(l.sku.clone(), d)) {
            return Err(Problem::field(
                format!("lines[{i}]"),
                "names a SKU and disposition already given",
            ));
        }
        split.insert((l.sku.clone(), d), l.quantity);
        *per_sku.entry(l.sku.clone()).or_default() += l.quantity;
    }
    for (j, line) in r.lines.iter().enumerate() {
        let got = per_sku.get(&line.sku).copied().unwrap_or(0);
        if got != line.quantity {
            return Err(Problem::field(
                "lines",
                format!(
                    "{} of the {} returned units of {} have a disposition; give every unit one (return line {j})",
                    got, line.quantity, line.sku
                ),
            ));
        }
    }
    let reference = Reference::new(ReferenceKind::Return, rma_number(r.id))?;
    let mut entries = Vec::new();
    for ((sku, d), quantity) in &split {
        if d.is_sellable() {
            let sku = Sku::parse(sku).map_err(|_| Problem::internal())?;
            let mut e = LedgerEntry::new(
                StockKey::new(r.seller_id, sku, r.warehouse_id),
                EntryType::Return,
                *quantity,
                reference.clone(),
                now,
            );
            e.user = Some(principal.user.id);
            entries.push(e);
        }
    }
    let mut c = change(&r, ReturnEvent::Inspect, from, to, principal.user.id, None);
    c.dispositions = split
        .iter()
        .map(|((sku, d), q)| DispositionRow {
            sku: sku.clone(),
            disposition: d.as_str().to_owned(),
            quantity: *q,
        })
        .collect();
    c.entries = entries;
    Ok(state.store.change_return(&c, now).await?)
}

/// The seller issues the return's refund when the policy makes it due:
/// the order's captured payment (card or bank transfer) is refunded by the
/// amount worked out when the return was asked for; the order goes to
/// `refunded` when nothing is left.
pub async fn refund(
    state: &AppState,
    principal: &Principal,
    id: i64,
    now: i64,
) -> Result<ReturnRecord, Problem> {
    let org = principal.organisation.id;
    let r = of_seller(state, org, id).await?;
    let from = stage(&r)?;
    let to = from.apply(ReturnEvent::Refund, policy_of(&r)?.refund_timing)?;
    let order = state
        .store
        .order(org, r.order_id)
        .await?
        .ok_or_else(Problem::internal)?;
    let currency = Currency::from_code(&r.currency).map_err(|_| Problem::internal())?;
    let amount = Money::from_minor(r.amounts.refund_minor, currency);
    let event_id = format!("return:{}", r.id);
    let payment_change = if amount.is_zero() {
        None
    } else {
        let payments = state.store.order_payments(org, r.order_id).await?;
        let payment = payments::refundable(&payments)?;
        let mut i = payments::intent(payment)?;
        // A refund made apart from the return may have left less than it.
        i.refund(amount).map_err(|e| {
            let mut p = Problem::conflict("payment_state", e.to_string());
            p.errors = vec![FieldProblem {
                field: "refund.total".into(),
                reason: format!(
                    "{amount} is more than the order's payment has left to refund ({})",
                    Money::from_minor(payment.captured_minor - payment.refunded_minor, currency)
                ),
            }];
            p
        })?;
        let order_change = if i.status() == PaymentStatus::Refunded {
            let s = OrderState::parse(&order.state).ok_or_else(Problem::internal)?;
            let next = s.apply(OrderEvent::Refund)?;
            Some(OrderTransition {
                event: OrderEvent::Refund.as_str(),
                from_state: s.as_str(),
                to_state: next.as_str(),
                user_id: Some(principal.user.id),
                detail: Some(
                    serde_json::json!({"payment_id": payment.id, "return_id": r.id, "refunded": i.refunded()})
                        .to_string(),
                ),
                holds: HoldAction::Keep,
            })
        } else {
            None
        };
        Some((payment.clone(), i, order_change))
    };
    let detail = serde_json::json!({"refund": amount});
    let mut c = change(
        &r,
        ReturnEvent::Refund,
        from,
        to,
        principal.user.id,
        Some(detail),
    );
    c.webhook = Some("return.refunded");
    c.refund = Some(None);
    if let Some((payment, i, order_change)) = &payment_change {
        c.refund = Some(Some(PaymentChange {
            payment_id: payment.id,
            event_id: &event_id,
            kind: "refund",
            before: payment.amounts(),
            after: Some(payments::amounts(i)),
            amount_minor: Some(amount.minor()),
            order: order_change.clone(),
        }));
    }
    Ok(state.store.change_return(&c, now).await?)
}
