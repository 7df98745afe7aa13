//! The validation rules, section by section. Every rule reports a field
//! path and a reason and lets the others run, so a caller sees all
//! problems at once. Lengths are in characters (a Chinese character is
//! one), as the CEB schemas count them.

use rust_decimal::Decimal;

use super::classify::{classify, Classification};
use super::codes::{customs_country_code, customs_currency_code};
use super::error::{CustomsError, CustomsFieldError};
use super::shipment::{Consignor, ExportShipment, Logistics, SaleKind};
use super::xml::is_xml_char;
use crate::catalog::TariffCode;
use crate::money::{Currency, Money};

/// Most lines an order or list may carry (the CEB schemas' `maxOccurs`).
pub(crate) const MAX_ITEMS: usize = 100;

/// Money fields are N16,2 (TRADE-RULES.md): below 10^14 in major units.
const MAX_MAJOR_DIGITS: u32 = 14;

/// Which message the items are checked for: the export list needs more.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ItemUse {
    Order,
    Inventory,
}

/// The problems found so far.
#[derive(Default)]
pub(crate) struct Problems(Vec<CustomsFieldError>);

impl Problems {
    pub(crate) fn push(&mut self, path: impl Into<String>, reason: impl Into<String>) {
        self.0.push(CustomsFieldError {
            path: path.into(),
            reason: reason.into(),
        });
    }

    pub(crate) fn into_result(self) -> Result<(), CustomsError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(CustomsError::Invalid { problems: self.0 })
        }
    }

    /// A required text of at most `max` characters (ends trimmed).
    pub(crate) fn text(&mut self, path: &str, value: &str, max: usize) {
        let value = value.trim();
        if value.is_empty() {
            self.push(path, "is required");
        } else {
            self.text_content(path, value, max);
        }
    }

    /// An optional text: absent or blank is fine.
    pub(crate) fn optional_text(&mut self, path: &str, value: Option<&str>, max: usize) {
        if let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) {
            self.text_content(path, value, max);
        }
    }

    fn text_content(&mut self, path: &str, value: &str, max: usize) {
        if value.chars().any(|c| !is_xml_char(c)) {
            self.push(path, "contains a control character that XML cannot carry");
        }
        let count = value.chars().count();
        if count > max {
            self.push(
                path,
                format!("must be at most {max} characters (it has {count})"),
            );
        }
    }

    /// Exactly `count` ASCII digits.
    fn digits(&mut self, path: &str, value: &str, count: usize) {
        let value = value.trim();
        if value.is_empty() {
            self.push(path, "is required");
        } else if value.len() != count || !value.bytes().all(|b| b.is_ascii_digit()) {
            self.push(
                path,
                format!("must be {count} digits, such as {:?}", "0".repeat(count)),
            );
        }
    }

    /// An amount in `currency`, not negative, that fits N16,2.
    fn amount(&mut self, path: &str, money: Money, currency: Currency) {
        if money.currency() != currency {
            self.push(
                path,
                format!(
                    "must be in {currency}, the order's currency, not {}",
                    money.currency()
                ),
            );
        } else if money.is_negative() {
            self.push(path, "must not be negative");
        } else if money.to_decimal().trunc() >= Decimal::from(10u64.pow(MAX_MAJOR_DIGITS)) {
            self.push(path, "is too large for the 16-digit amount field (N16,2)");
        }
    }

    /// A quantity: above 0, at most 5 decimals and 14 whole digits (N19,5).
    fn quantity(&mut self, path: &str, qty: Decimal) {
        if qty <= Decimal::ZERO {
            self.push(path, "must be greater than 0");
        } else if qty.normalize().scale() > 5 {
            self.push(path, "must have at most 5 decimals");
        } else if qty.trunc() >= Decimal::from(10u64.pow(14)) {
            self.push(path, "is too large for the quantity field (N19,5)");
        }
    }

    /// A 3-digit customs unit code such as "011".
    fn unit(&mut self, path: &str, unit: &str) {
        self.digits(path, unit, 3);
    }

    fn customs_currency(&mut self, path: &str, currency: Currency) {
        if customs_currency_code(currency).is_none() {
            self.push(
                path,
                format!(
                    "{currency} has no China customs currency code here; use one of {}",
                    super::codes::customs_currencies()
                        .map(|c| c.code())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }

    fn customs_country(&mut self, path: &str, country: crate::country::Country) {
        if customs_country_code(country).is_none() {
            self.push(
                path,
                format!(
                    "{} ({}) has no China customs country code in Chuhai's table",
                    country,
                    country.name_en()
                ),
            );
        }
    }
}

/// Classifies, reporting a failure as a problem.
pub(crate) fn classification(
    p: &mut Problems,
    shipment: &ExportShipment,
) -> Option<Classification> {
    match classify(shipment) {
        Ok(classification) => Some(classification),
        Err(e) => {
            p.push(e.path, e.reason);
            None
        }
    }
}

pub(crate) fn consignor(p: &mut Problems, consignor: &Consignor) {
    p.text("consignor.ebc_code", &consignor.ebc_code, 18);
    p.text("consignor.ebc_name", &consignor.ebc_name, 100);
    p.optional_text(
        "consignor.ebc_telephone",
        consignor.ebc_telephone.as_deref(),
        50,
    );
    p.text("consignor.ebp_code", &consignor.ebp_code, 50);
    p.text("consignor.ebp_name", &consignor.ebp_name, 100);
}

/// The order head, its totals and its buyer.
pub(crate) fn order(p: &mut Problems, shipment: &ExportShipment) {
    let order = &shipment.order;
    let currency = order.currency;
    p.text("order.order_no", &order.order_no, 60);
    p.customs_currency("order.currency", currency);
    p.amount("order.goods_value", order.goods_value, currency);
    p.amount("order.freight", order.freight, currency);
    p.amount("order.insured_fee", order.insured_fee, currency);
    p.optional_text("order.note", order.note.as_deref(), 1000);
    match (&order.buyer, shipment.sale_kind) {
        (Some(buyer), _) => p.text("order.buyer.name", &buyer.name, 100),
        (None, SaleKind::B2c | SaleKind::B2b) => {
            p.push("order.buyer", "is required for a B2C or B2B sale")
        }
        (None, SaleKind::StockTransfer) => {}
    }
    // The goods value is the sum of the lines; only comparable when every
    // line is in the order's currency (otherwise that line is reported).
    if !shipment.items.is_empty()
        && shipment
            .items
            .iter()
            .all(|item| item.total_price.currency() == currency)
        && order.goods_value.currency() == currency
    {
        match Money::checked_sum(currency, shipment.items.iter().map(|i| i.total_price)) {
            Ok(sum) if sum != order.goods_value => p.push(
                "order.goods_value",
                format!(
                    "must equal the sum of the items' total_price, {} (it is {})",
                    sum.to_major_string(),
                    order.goods_value.to_major_string()
                ),
            ),
            Ok(_) => {}
            Err(_) => p.push("items", "the items' total_price overflows"),
        }
    }
}

/// The lines. `ItemUse::Inventory` adds what the export list needs:
/// commodity code, customs name and model, legal units, origin.
pub(crate) fn items(p: &mut Problems, shipment: &ExportShipment, used_for: ItemUse) {
    let items = &shipment.items;
    if items.is_empty() {
        p.push("items", "at least one item is required");
    } else if items.len() > MAX_ITEMS {
        p.push(
            "items",
            format!(
                "at most {MAX_ITEMS} items per message (there are {})",
                items.len()
            ),
        );
    }
    let currency = shipment.order.currency;
    for (i, item) in items.iter().enumerate() {
        let path = |field: &str| format!("items[{i}].{field}");
        if item.gnum as usize != i + 1 {
            p.push(
                path("gnum"),
                format!("must be {}: lines are numbered 1, 2, 3… in order", i + 1),
            );
        }
        let item_no_max = if used_for == ItemUse::Inventory {
            20
        } else {
            30
        };
        p.text(&path("item_no"), &item.item_no, item_no_max);
        p.text(&path("item_name"), &item.item_name, 250);
        p.optional_text(&path("description"), item.description.as_deref(), 1000);
        p.optional_text(&path("bar_code"), item.bar_code.as_deref(), 50);
        p.optional_text(&path("note"), item.note.as_deref(), 1000);
        p.quantity(&path("qty"), item.qty);
        p.unit(&path("unit"), &item.unit);
        p.amount(&path("price"), item.price, currency);
        p.amount(&path("total_price"), item.total_price, currency);
        line_total(
            p,
            &path("total_price"),
            item.price,
            item.qty,
            item.total_price,
        );
        if used_for == ItemUse::Inventory {
            gcode(p, &path("gcode"), &item.gcode);
            p.text(&path("gname"), &item.gname, 250);
            p.text(&path("gmodel"), &item.gmodel, 250);
            p.optional_text(&path("item_record_no"), item.item_record_no.as_deref(), 30);
            p.customs_country(&path("origin_country"), item.origin_country);
            p.quantity(&path("qty1"), item.qty1);
            p.unit(&path("unit1"), &item.unit1);
            match (item.qty2, item.unit2.as_deref()) {
                (Some(qty2), Some(unit2)) => {
                    p.quantity(&path("qty2"), qty2);
                    p.unit(&path("unit2"), unit2);
                }
                (None, None) => {}
                (Some(_), None) => p.push(path("unit2"), "is required when qty2 is given"),
                (None, Some(_)) => p.push(path("qty2"), "is required when unit2 is given"),
            }
        }
    }
}

/// China's commodity code: 10 digits (dots and spaces allowed when typed).
fn gcode(p: &mut Problems, path: &str, gcode: &str) {
    let gcode = gcode.trim();
    if gcode.is_empty() {
        p.push(path, "is required");
        return;
    }
    let digits: String = gcode.chars().filter(|c| !matches!(c, '.' | ' ')).collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        let why = TariffCode::parse(gcode)
            .err()
            .map_or_else(|| format!("{gcode:?} is not all digits"), |e| e.to_string());
        p.push(
            path,
            format!("must be China's 10-digit commodity code; {why}"),
        );
    } else if digits.len() != 10 {
        let hint = match digits.len() {
            6 => " (that is an HS subheading: China's code adds 4 digits to it)",
            8 => " (China's code has 2 more digits than an 8-digit line)",
            _ => "",
        };
        p.push(
            path,
            format!(
                "must be China's 10-digit commodity code; {digits:?} has {} digits{hint}",
                digits.len()
            ),
        );
    }
}

/// `total` must be `price × qty` to within rounding: a unit price rounded
/// to the minor unit may be off by half a minor unit per unit of quantity,
/// so the tolerance is `max(qty, 1) / 2` minor units.
fn line_total(p: &mut Problems, path: &str, price: Money, qty: Decimal, total: Money) {
    if price.currency() != total.currency() || qty <= Decimal::ZERO {
        return;
    }
    let Some(expected) = Decimal::from(price.minor()).checked_mul(qty) else {
        p.push(path, "price × qty is too large");
        return;
    };
    let difference = (expected - Decimal::from(total.minor())).abs();
    let tolerance = qty.max(Decimal::ONE) / Decimal::TWO;
    if difference > tolerance {
        let scale = Decimal::from(10u64.pow(u32::from(price.currency().exponent())));
        p.push(
            path,
            format!(
                "must equal price × qty = {} × {} = {} (to within rounding), not {}",
                price.to_major_string(),
                qty.normalize(),
                (expected / scale).normalize(),
                total.to_major_string()
            ),
        );
    }
}

/// The receipt: required for B2C, and it must add up to the order.
pub(crate) fn payment(p: &mut Problems, shipment: &ExportShipment) {
    let Some(payment) = &shipment.payment else {
        p.push(
            "payment",
            "is required for the receipt (CEB403): pay company, amount and accounting time",
        );
        return;
    };
    let order = &shipment.order;
    p.optional_text("payment.pay_code", payment.pay_code.as_deref(), 18);
    p.text("payment.pay_name", &payment.pay_name, 100);
    p.optional_text("payment.pay_no", payment.pay_no.as_deref(), 60);
    p.optional_text("payment.note", payment.note.as_deref(), 1000);
    p.amount("payment.amount", payment.amount, order.currency);
    let expected = order
        .goods_value
        .checked_add(order.freight)
        .and_then(|sum| sum.checked_add(order.insured_fee));
    if let Ok(expected) = expected {
        if payment.amount.currency() == expected.currency() && payment.amount != expected {
            p.push(
                "payment.amount",
                format!(
                    "must equal the order's goods_value + freight + insured_fee = {} (it is {})",
                    expected.to_major_string(),
                    payment.amount.to_major_string()
                ),
            );
        }
    }
}

/// The carrier and waybill.
pub(crate) fn logistics(p: &mut Problems, logistics: &Logistics) {
    p.text("logistics.logistics_code", &logistics.logistics_code, 18);
    p.text("logistics.logistics_name", &logistics.logistics_name, 100);
    p.text("logistics.logistics_no", &logistics.logistics_no, 60);
    p.text("logistics.goods_info", &logistics.goods_info, 200);
    p.optional_text("logistics.note", logistics.note.as_deref(), 1000);
    let currency = logistics.freight.currency();
    p.customs_currency("logistics.freight", currency);
    p.amount("logistics.freight", logistics.freight, currency);
    if logistics.insured_fee.currency() != currency {
        p.push(
            "logistics.insured_fee",
            format!(
                "must be in the freight's currency {currency} (one currency per waybill), not {}",
                logistics.insured_fee.currency()
            ),
        );
    } else {
        p.amount("logistics.insured_fee", logistics.insured_fee, currency);
    }
    if logistics.gross_weight_g == 0 {
        p.push("logistics.gross_weight_g", "must be greater than 0");
    }
    if logistics.net_weight_g == 0 {
        p.push("logistics.net_weight_g", "must be greater than 0");
    }
    if logistics.net_weight_g > logistics.gross_weight_g {
        p.push(
            "logistics.net_weight_g",
            format!(
                "must not exceed the gross weight ({} g > {} g)",
                logistics.net_weight_g, logistics.gross_weight_g
            ),
        );
    }
    if logistics.pack_count == 0 {
        p.push("logistics.pack_count", "must be at least 1");
    } else if logistics.pack_count > 999_999_999 {
        p.push("logistics.pack_count", "must have at most 9 digits");
    }
}

/// The export list head.
pub(crate) fn declaration(
    p: &mut Problems,
    shipment: &ExportShipment,
    classification: Option<&Classification>,
) {
    let d = &shipment.declaration;
    p.digits("declaration.customs_code", &d.customs_code, 4);
    p.digits("declaration.port_code", &d.port_code, 4);
    let pod = d.destination_port.trim();
    if pod.is_empty() {
        p.push("declaration.destination_port", "is required");
    } else if !(3..=4).contains(&pod.chars().count()) {
        p.push(
            "declaration.destination_port",
            "must be the 3- or 4-character port of destination code",
        );
    } else {
        p.text("declaration.destination_port", pod, 4);
    }
    if let Some(trade_mode) = d.trade_mode.as_deref() {
        p.digits("declaration.trade_mode", trade_mode, 4);
        if let Some(classification) = classification {
            let expected = classification.mode.code();
            if trade_mode.trim().len() == 4 && trade_mode.trim() != expected {
                p.push(
                    "declaration.trade_mode",
                    format!(
                        "is {} but the shipment is classified {expected} ({})",
                        trade_mode.trim(),
                        classification.reason
                    ),
                );
            }
        }
    }
    p.customs_country("declaration.destination_country", d.destination_country);
    if d.wrap_type.trim().chars().count() != 1 {
        p.push(
            "declaration.wrap_type",
            "must be the 1-character packing code (1 wooden case, 2 carton, 3 drum, 4 bulk, \
             5 pallet, 6 bag, 7 other)",
        );
    } else {
        p.text("declaration.wrap_type", &d.wrap_type, 1);
    }
    p.optional_text("declaration.bill_no", d.bill_no.as_deref(), 37);
    p.optional_text(
        "declaration.transport_name",
        d.transport_name.as_deref(),
        100,
    );
    p.optional_text("declaration.voyage_no", d.voyage_no.as_deref(), 32);
    p.text("declaration.agent_code", &d.agent_code, 18);
    p.text("declaration.agent_name", &d.agent_name, 100);
    p.text("declaration.owner_code", &d.owner_code, 18);
    p.text("declaration.owner_name", &d.owner_name, 100);
    p.optional_text("declaration.note", d.note.as_deref(), 1000);
    match d.cop_no.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(cop_no) => p.text("declaration.cop_no", cop_no, 30),
        None if shipment.order.order_no.trim().chars().count() > 30 => p.push(
            "declaration.cop_no",
            "is required when the order number is longer than 30 characters \
             (the list's company number defaults to the order number)",
        ),
        None => {}
    }
}

/// Every rule of every message: what a shipment needs before its export
/// list (and the messages before it) can be built. B2C shipments also need
/// their payment.
pub fn validate(shipment: &ExportShipment) -> Result<Classification, CustomsError> {
    let mut p = Problems::default();
    let classification = classification(&mut p, shipment);
    consignor(&mut p, &shipment.consignor);
    order(&mut p, shipment);
    if shipment.sale_kind == SaleKind::B2c || shipment.payment.is_some() {
        payment(&mut p, shipment);
    }
    logistics(&mut p, &shipment.logistics);
    declaration(&mut p, shipment, classification.as_ref());
    items(&mut p, shipment, ItemUse::Inventory);
    p.into_result()?;
    // No problem was pushed, so classification succeeded.
    classification.ok_or_else(|| CustomsError::Invalid {
        problems: Vec::new(),
    })
}
