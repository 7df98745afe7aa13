//! The CEB export messages: CEB303 order, CEB403 receipt, CEB505 waybill,
//! CEB603 export list. Each builder validates the sections it uses, then
//! writes the XML, then (for appStatus 2) has it signed.
//!
//! Shapes, element order and lengths follow the export ("统一版", 2018)
//! CEB schemas as seen in public code: the JAXB bindings generated from
//! the export XSDs in xianghairui/java-demo
//! (`domain/xml/ceb/export/{CEB303Message,Order,OrderHead,OrderList,
//! Receipts,Logistics,InventoryHead,InventoryList,BaseTransfer}.java`) and
//! the message templates in onlymaker/taurus (`tpl/spec/_201809/*.xml`).
//! Learned there: the root carries `guid` and `version="1.0"` attributes;
//! `Order` holds one `OrderHead` and up to 100 `OrderList`; CEB403 and
//! CEB505 have a flat `Receipts` / `Logistics` record; every message ends
//! with `BaseTransfer` (copCode, copName, dxpMode, dxpId, note), after
//! which the schema allows an XML-DSig `Signature`. No code was copied.

use serde::{Deserialize, Serialize};

use super::classify::OrderType;
use super::codes::{customs_country_code, customs_currency_code};
use super::datetime::CustomsDateTime;
use super::error::{CebMessageKind, CustomsError, SignError};
use super::guid::MessageGuid;
use super::shipment::ExportShipment;
use super::validate::{self, ItemUse, Problems};
use super::xml::{check_well_formed, XmlWriter, CEB_NAMESPACE};
use crate::catalog::TariffCode;
use crate::money::{Currency, Money};

/// CEB `appStatus`. JSON: `"draft"` or `"declared"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppStatus {
    /// 1: kept by the single window as a draft (暂存); not signed.
    Draft,
    /// 2: declared (申报); must be signed.
    Declared,
}

impl AppStatus {
    /// `"1"` or `"2"`.
    pub fn code(self) -> &'static str {
        match self {
            AppStatus::Draft => "1",
            AppStatus::Declared => "2",
        }
    }
}

/// Who transmits the message to the single window (CEB `BaseTransfer`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transmitter {
    /// Customs code of the transmitting company (`copCode`), ≤ 18 characters.
    pub cop_code: String,
    /// Its name (`copName`), ≤ 100 characters.
    pub cop_name: String,
    /// Its DXP data-exchange id (`dxpId`), ≤ 30 characters.
    pub dxp_id: String,
}

/// What a message needs beyond the shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageContext {
    /// `appTime`, China time; the caller reads the clock, not the domain.
    pub app_time: CustomsDateTime,
    /// Draft (1) or declared (2, needs a [`Signer`]).
    pub app_status: AppStatus,
    /// The record's `guid`; derived with [`MessageGuid::derive`] from the
    /// message name, ebcCode, the record number (order or waybill number),
    /// appTime and appStatus when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guid: Option<MessageGuid>,
    /// The `BaseTransfer` block.
    pub transmitter: Transmitter,
}

/// A message ready to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CebMessage {
    /// Which message it is.
    pub kind: CebMessageKind,
    /// The record's guid (the root's `guid` attribute is derived from it).
    pub guid: MessageGuid,
    /// The XML document, UTF-8, with its declaration.
    pub xml: String,
    /// Whether a [`Signer`] signed it (always for appStatus 2).
    pub signed: bool,
}

/// What a [`Signer`] returns: the whole message with its XML-DSig
/// `<ds:Signature>` (and certificate) placed after `BaseTransfer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedMessage {
    /// The signed document.
    pub xml: String,
}

/// Signs a CEB message for declaration (appStatus 2).
///
/// This is an extension point, on purpose without an implementation here:
/// declaring needs the company's customs IC card / UKey or a signing
/// service of the single window, with its certificate and private key,
/// and that lives outside the domain. The web or binary layer provides an
/// implementation; without one only drafts (appStatus 1) can be built.
pub trait Signer {
    /// Signs `xml` (a complete, unsigned message) and returns the signed
    /// document.
    fn sign(&self, xml: &str) -> Result<SignedMessage, SignError>;
}

/// CEB303, the order: `OrderHead` and one `OrderList` per item.
pub fn build_ceb303(
    shipment: &ExportShipment,
    context: &MessageContext,
    signer: Option<&dyn Signer>,
) -> Result<CebMessage, CustomsError> {
    let mut p = Problems::default();
    let classification = validate::classification(&mut p, shipment);
    validate::consignor(&mut p, &shipment.consignor);
    validate::order(&mut p, shipment);
    validate::items(&mut p, shipment, ItemUse::Order);
    check_context(&mut p, context);
    p.into_result()?;
    let order_type = classification.map_or(OrderType::E, |c| c.order_type);

    let kind = CebMessageKind::Ceb303;
    let order = &shipment.order;
    let consignor = &shipment.consignor;
    let currency = currency_code(order.currency);
    let guid = record_guid(kind, context, shipment, &order.order_no);
    let mut w = start(kind, &guid);
    w.open("ceb:Order");
    w.open("ceb:OrderHead");
    head_common(&mut w, &guid, context);
    w.leaf("ceb:orderType", &order_type.code().to_string());
    w.leaf("ceb:orderNo", order.order_no.trim());
    w.leaf("ceb:ebpCode", consignor.ebp_code.trim());
    w.leaf("ceb:ebpName", consignor.ebp_name.trim());
    w.leaf("ceb:ebcCode", consignor.ebc_code.trim());
    w.leaf("ceb:ebcName", consignor.ebc_name.trim());
    w.leaf("ceb:goodsValue", &money_text(order.goods_value));
    w.leaf("ceb:freight", &money_text(order.freight));
    w.leaf("ceb:currency", currency);
    w.leaf_opt("ceb:note", present(&order.note));
    w.close();
    for item in &shipment.items {
        w.open("ceb:OrderList");
        w.leaf("ceb:gnum", &item.gnum.to_string());
        w.leaf("ceb:itemNo", item.item_no.trim());
        w.leaf("ceb:itemName", item.item_name.trim());
        w.leaf_opt("ceb:itemDescribe", present(&item.description));
        w.leaf_opt("ceb:barCode", present(&item.bar_code));
        w.leaf("ceb:unit", item.unit.trim());
        w.leaf("ceb:currency", currency);
        w.leaf("ceb:qty", &item.qty.normalize().to_string());
        w.leaf("ceb:price", &money_text(item.price));
        w.leaf("ceb:totalPrice", &money_text(item.total_price));
        w.leaf_opt("ceb:note", present(&item.note));
        w.close();
    }
    w.close();
    finish(kind, guid, w, context, signer)
}

/// CEB403, the receipt of payment (`Receipts`). Needs `payment`.
pub fn build_ceb403(
    shipment: &ExportShipment,
    context: &MessageContext,
    signer: Option<&dyn Signer>,
) -> Result<CebMessage, CustomsError> {
    let mut p = Problems::default();
    validate::consignor(&mut p, &shipment.consignor);
    p.text("order.order_no", &shipment.order.order_no, 60);
    validate::payment(&mut p, shipment);
    check_context(&mut p, context);
    p.into_result()?;
    let Some(payment) = &shipment.payment else {
        // validate::payment reported it; unreachable after into_result.
        return Err(CustomsError::Invalid {
            problems: Vec::new(),
        });
    };

    let kind = CebMessageKind::Ceb403;
    let consignor = &shipment.consignor;
    let guid = record_guid(kind, context, shipment, &shipment.order.order_no);
    let mut w = start(kind, &guid);
    w.open("ceb:Receipts");
    head_common(&mut w, &guid, context);
    w.leaf("ceb:ebpCode", consignor.ebp_code.trim());
    w.leaf("ceb:ebpName", consignor.ebp_name.trim());
    w.leaf("ceb:ebcCode", consignor.ebc_code.trim());
    w.leaf("ceb:ebcName", consignor.ebc_name.trim());
    w.leaf("ceb:orderNo", shipment.order.order_no.trim());
    w.leaf_opt("ceb:payCode", present(&payment.pay_code));
    w.leaf("ceb:payName", payment.pay_name.trim());
    w.leaf_opt("ceb:payNo", present(&payment.pay_no));
    w.leaf("ceb:charge", &money_text(payment.amount));
    w.leaf("ceb:currency", currency_code(payment.amount.currency()));
    w.leaf("ceb:accountingDate", &payment.accounting_time.ceb());
    w.leaf_opt("ceb:note", present(&payment.note));
    w.close();
    finish(kind, guid, w, context, signer)
}

/// CEB505, the waybill (`Logistics`).
pub fn build_ceb505(
    shipment: &ExportShipment,
    context: &MessageContext,
    signer: Option<&dyn Signer>,
) -> Result<CebMessage, CustomsError> {
    let mut p = Problems::default();
    validate::consignor(&mut p, &shipment.consignor);
    validate::logistics(&mut p, &shipment.logistics);
    check_context(&mut p, context);
    p.into_result()?;

    let kind = CebMessageKind::Ceb505;
    let logistics = &shipment.logistics;
    let consignor = &shipment.consignor;
    let guid = record_guid(kind, context, shipment, &logistics.logistics_no);
    let mut w = start(kind, &guid);
    w.open("ceb:Logistics");
    head_common(&mut w, &guid, context);
    w.leaf("ceb:logisticsCode", logistics.logistics_code.trim());
    w.leaf("ceb:logisticsName", logistics.logistics_name.trim());
    w.leaf("ceb:logisticsNo", logistics.logistics_no.trim());
    w.leaf("ceb:freight", &money_text(logistics.freight));
    w.leaf("ceb:insuredFee", &money_text(logistics.insured_fee));
    w.leaf("ceb:currency", currency_code(logistics.freight.currency()));
    w.leaf("ceb:grossWeight", &kilograms(logistics.gross_weight_g));
    w.leaf("ceb:packNo", &logistics.pack_count.to_string());
    w.leaf("ceb:goodsInfo", logistics.goods_info.trim());
    w.leaf("ceb:ebcCode", consignor.ebc_code.trim());
    w.leaf("ceb:ebcName", consignor.ebc_name.trim());
    w.leaf_opt("ceb:ebcTelephone", present(&consignor.ebc_telephone));
    w.leaf_opt("ceb:note", present(&logistics.note));
    w.close();
    finish(kind, guid, w, context, signer)
}

/// CEB603, the export list: `InventoryHead` and one `InventoryList` per
/// item. Validates everything the shipment carries.
///
/// Conventions (unverified against the official specification text):
/// `ieFlag` is `E`; `fFlag`/`iFlag` are `3` (freight and insurance given
/// as totals); an item without a barcode is written `<ceb:barCode>无</ceb:barCode>`
/// since the element is required; weights are kilograms with 3 decimals.
pub fn build_ceb603(
    shipment: &ExportShipment,
    context: &MessageContext,
    signer: Option<&dyn Signer>,
) -> Result<CebMessage, CustomsError> {
    let mut p = Problems::default();
    let classification = validate::classification(&mut p, shipment);
    validate::consignor(&mut p, &shipment.consignor);
    validate::order(&mut p, shipment);
    validate::logistics(&mut p, &shipment.logistics);
    validate::declaration(&mut p, shipment, classification.as_ref());
    validate::items(&mut p, shipment, ItemUse::Inventory);
    check_context(&mut p, context);
    p.into_result()?;
    let trade_mode = classification.map_or("", |c| c.mode.code());

    let kind = CebMessageKind::Ceb603;
    let order = &shipment.order;
    let consignor = &shipment.consignor;
    let logistics = &shipment.logistics;
    let d = &shipment.declaration;
    let guid = record_guid(kind, context, shipment, &order.order_no);
    let mut w = start(kind, &guid);
    w.open("ceb:Inventory");
    w.open("ceb:InventoryHead");
    head_common(&mut w, &guid, context);
    w.leaf("ceb:customsCode", d.customs_code.trim());
    w.leaf("ceb:ebpCode", consignor.ebp_code.trim());
    w.leaf("ceb:ebpName", consignor.ebp_name.trim());
    w.leaf("ceb:orderNo", order.order_no.trim());
    w.leaf("ceb:logisticsCode", logistics.logistics_code.trim());
    w.leaf("ceb:logisticsName", logistics.logistics_name.trim());
    w.leaf("ceb:logisticsNo", logistics.logistics_no.trim());
    w.leaf(
        "ceb:copNo",
        present(&d.cop_no).unwrap_or_else(|| order.order_no.trim()),
    );
    w.leaf("ceb:ieFlag", "E");
    w.leaf("ceb:portCode", d.port_code.trim());
    let (y, m, day) = d.export_date.ymd();
    w.leaf("ceb:ieDate", &format!("{y:04}{m:02}{day:02}"));
    w.leaf("ceb:statisticsFlag", d.statistics_flag.code());
    w.leaf("ceb:agentCode", d.agent_code.trim());
    w.leaf("ceb:agentName", d.agent_name.trim());
    w.leaf("ceb:ebcCode", consignor.ebc_code.trim());
    w.leaf("ceb:ebcName", consignor.ebc_name.trim());
    w.leaf("ceb:ownerCode", d.owner_code.trim());
    w.leaf("ceb:ownerName", d.owner_name.trim());
    w.leaf("ceb:tradeMode", trade_mode);
    w.leaf("ceb:trafMode", d.transport_mode.code());
    w.leaf_opt("ceb:trafName", present(&d.transport_name));
    w.leaf_opt("ceb:voyageNo", present(&d.voyage_no));
    w.leaf_opt("ceb:billNo", present(&d.bill_no));
    w.leaf(
        "ceb:country",
        customs_country_code(d.destination_country).unwrap_or_default(),
    );
    w.leaf("ceb:POD", d.destination_port.trim());
    w.leaf("ceb:freight", &money_text(logistics.freight));
    w.leaf("ceb:fCurrency", currency_code(logistics.freight.currency()));
    w.leaf("ceb:fFlag", "3");
    w.leaf("ceb:insuredFee", &money_text(logistics.insured_fee));
    w.leaf(
        "ceb:iCurrency",
        currency_code(logistics.insured_fee.currency()),
    );
    w.leaf("ceb:iFlag", "3");
    w.leaf("ceb:wrapType", d.wrap_type.trim());
    w.leaf("ceb:packNo", &logistics.pack_count.to_string());
    w.leaf("ceb:grossWeight", &kilograms(logistics.gross_weight_g));
    w.leaf("ceb:netWeight", &kilograms(logistics.net_weight_g));
    w.leaf_opt("ceb:note", present(&d.note));
    w.close();
    let currency = currency_code(order.currency);
    for item in &shipment.items {
        w.open("ceb:InventoryList");
        w.leaf("ceb:gnum", &item.gnum.to_string());
        w.leaf("ceb:itemNo", item.item_no.trim());
        w.leaf_opt("ceb:itemRecordNo", present(&item.item_record_no));
        w.leaf("ceb:itemName", item.item_name.trim());
        w.leaf("ceb:gcode", &normalized_gcode(&item.gcode));
        w.leaf("ceb:gname", item.gname.trim());
        w.leaf("ceb:gmodel", item.gmodel.trim());
        w.leaf("ceb:barCode", present(&item.bar_code).unwrap_or("无"));
        w.leaf(
            "ceb:country",
            customs_country_code(item.origin_country).unwrap_or_default(),
        );
        w.leaf("ceb:currency", currency);
        w.leaf("ceb:qty", &item.qty.normalize().to_string());
        w.leaf("ceb:qty1", &item.qty1.normalize().to_string());
        if let Some(qty2) = item.qty2 {
            w.leaf("ceb:qty2", &qty2.normalize().to_string());
        }
        w.leaf("ceb:unit", item.unit.trim());
        w.leaf("ceb:unit1", item.unit1.trim());
        w.leaf_opt("ceb:unit2", present(&item.unit2));
        w.leaf("ceb:price", &money_text(item.price));
        w.leaf("ceb:totalPrice", &money_text(item.total_price));
        w.leaf_opt("ceb:note", present(&item.note));
        w.close();
    }
    w.close();
    finish(kind, guid, w, context, signer)
}

fn check_context(p: &mut Problems, context: &MessageContext) {
    let t = &context.transmitter;
    p.text("context.transmitter.cop_code", &t.cop_code, 18);
    p.text("context.transmitter.cop_name", &t.cop_name, 100);
    p.text("context.transmitter.dxp_id", &t.dxp_id, 30);
}

/// The record guid: given, or derived from what identifies the record.
fn record_guid(
    kind: CebMessageKind,
    context: &MessageContext,
    shipment: &ExportShipment,
    record_no: &str,
) -> MessageGuid {
    context.guid.clone().unwrap_or_else(|| {
        MessageGuid::derive(&[
            kind.name(),
            shipment.consignor.ebc_code.trim(),
            record_no.trim(),
            &context.app_time.ceb(),
            context.app_status.code(),
        ])
    })
}

/// Opens the root element; its guid is derived from the record's.
fn start(kind: CebMessageKind, guid: &MessageGuid) -> XmlWriter {
    let root = MessageGuid::derive(&["message", guid.as_str()]);
    let mut w = XmlWriter::new();
    let name = match kind {
        CebMessageKind::Ceb303 => "ceb:CEB303Message",
        CebMessageKind::Ceb403 => "ceb:CEB403Message",
        CebMessageKind::Ceb505 => "ceb:CEB505Message",
        CebMessageKind::Ceb603 => "ceb:CEB603Message",
    };
    w.open_with(
        name,
        &[
            ("guid", root.as_str()),
            ("version", "1.0"),
            ("xmlns:ceb", CEB_NAMESPACE),
        ],
    );
    w
}

/// guid, appType (1 = new), appTime, appStatus: the first four elements of
/// every record.
fn head_common(w: &mut XmlWriter, guid: &MessageGuid, context: &MessageContext) {
    w.leaf("ceb:guid", guid.as_str());
    w.leaf("ceb:appType", "1");
    w.leaf("ceb:appTime", &context.app_time.ceb());
    w.leaf("ceb:appStatus", context.app_status.code());
}

/// Writes `BaseTransfer`, closes the root and signs when declaring.
fn finish(
    kind: CebMessageKind,
    guid: MessageGuid,
    mut w: XmlWriter,
    context: &MessageContext,
    signer: Option<&dyn Signer>,
) -> Result<CebMessage, CustomsError> {
    let t = &context.transmitter;
    w.open("ceb:BaseTransfer");
    w.leaf("ceb:copCode", t.cop_code.trim());
    w.leaf("ceb:copName", t.cop_name.trim());
    w.leaf("ceb:dxpMode", "DXP");
    w.leaf("ceb:dxpId", t.dxp_id.trim());
    w.close();
    w.close();
    let xml = w.finish();
    match context.app_status {
        AppStatus::Draft => Ok(CebMessage {
            kind,
            guid,
            xml,
            signed: false,
        }),
        AppStatus::Declared => {
            let signer = signer.ok_or(CustomsError::SignerRequired { message: kind })?;
            let signed = signer.sign(&xml).map_err(|source| CustomsError::Signing {
                message: kind,
                source,
            })?;
            check_well_formed(&signed.xml).map_err(|e| CustomsError::Signing {
                message: kind,
                source: SignError::new(format!(
                    "the signer returned XML that is not well-formed: {e}"
                )),
            })?;
            Ok(CebMessage {
                kind,
                guid,
                xml: signed.xml,
                signed: true,
            })
        }
    }
}

/// An optional text, trimmed, when not blank.
fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The customs currency code; validation made sure there is one.
fn currency_code(currency: Currency) -> &'static str {
    customs_currency_code(currency).unwrap_or_default()
}

/// Money with exactly 2 decimals, whatever the currency's minor unit
/// (JPY 1500 → "1500.00"). Validation keeps the currencies to those with
/// at most 2 decimals, so nothing is rounded.
pub(crate) fn money_text(money: Money) -> String {
    let exponent = u32::from(money.currency().exponent());
    if exponent > 2 {
        return money.to_decimal().round_dp(2).to_string();
    }
    let cents = i128::from(money.minor()) * 10i128.pow(2 - exponent);
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}{}.{:02}", cents / 100, cents % 100)
}

/// Grams as kilograms with 3 decimals: 1250 → "1.250".
pub(crate) fn kilograms(grams: u64) -> String {
    format!("{}.{:03}", grams / 1000, grams % 1000)
}

/// The 10 digits of a commodity code typed with separators.
pub(crate) fn normalized_gcode(gcode: &str) -> String {
    TariffCode::parse(gcode.trim())
        .map_or_else(|_| gcode.trim().to_owned(), |c| c.as_str().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_has_two_decimals_whatever_the_currency() {
        assert_eq!(money_text(Money::from_minor(1999, Currency::USD)), "19.99");
        assert_eq!(money_text(Money::from_minor(5, Currency::CNY)), "0.05");
        assert_eq!(
            money_text(Money::from_minor(1500, Currency::JPY)),
            "1500.00"
        );
        assert_eq!(money_text(Money::from_minor(0, Currency::EUR)), "0.00");
        assert_eq!(money_text(Money::from_minor(-250, Currency::GBP)), "-2.50");
        assert_eq!(money_text(Money::from_minor(1250, Currency::BHD)), "1.25");
    }

    #[test]
    fn weights_and_codes() {
        assert_eq!(kilograms(1250), "1.250");
        assert_eq!(kilograms(7), "0.007");
        assert_eq!(kilograms(12_000), "12.000");
        assert_eq!(normalized_gcode(" 9405.42.10 00 "), "9405421000");
        assert_eq!(AppStatus::Declared.code(), "2");
    }
}
