//! Which China customs supervision mode an export shipment goes under.
//!
//! | sale | mode | CEB `orderType` |
//! |---|---|---|
//! | B2C parcel to a consumer, mailed directly | 9610 | E |
//! | B2B sale to a trade buyer | 9710 | B |
//! | stock transfer to a **registered** overseas warehouse | 9810 | W |
//!
//! Decision for a stock transfer to an **unregistered** warehouse: it is
//! refused with an explanation, not silently re-labelled. 9810 needs the
//! warehouse registered (备案) with customs; 9710 does not fit either,
//! because nothing has been sold to a foreign buyer yet. Such goods leave
//! under general trade (0110) with an ordinary customs declaration, which
//! is outside the CEB e-commerce messages this module builds.

use serde::{Deserialize, Serialize};

use super::shipment::{ExportShipment, SaleKind};

/// A China customs supervision mode (监管方式) for e-commerce exports.
///
/// JSON: `"9610"`, `"9710"`, `"9810"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum CustomsMode {
    /// Cross-border e-commerce B2C direct mail (跨境电商B2C直邮).
    #[serde(rename = "9610")]
    M9610,
    /// Cross-border e-commerce B2B direct export (跨境电商B2B直接出口).
    #[serde(rename = "9710")]
    M9710,
    /// Cross-border e-commerce export to an overseas warehouse (跨境电商出口海外仓).
    #[serde(rename = "9810")]
    M9810,
}

impl CustomsMode {
    /// The four-digit code, also the CEB603 `tradeMode`.
    pub fn code(self) -> &'static str {
        match self {
            CustomsMode::M9610 => "9610",
            CustomsMode::M9710 => "9710",
            CustomsMode::M9810 => "9810",
        }
    }

    /// The CEB303 `orderType` that goes with the mode.
    pub fn order_type(self) -> OrderType {
        match self {
            CustomsMode::M9610 => OrderType::E,
            CustomsMode::M9710 => OrderType::B,
            CustomsMode::M9810 => OrderType::W,
        }
    }
}

/// CEB303 `orderType`. JSON: `"E"`, `"B"`, `"W"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OrderType {
    /// B2C order.
    E,
    /// B2B order.
    B,
    /// Overseas warehouse booking.
    W,
}

impl OrderType {
    /// `'E'`, `'B'` or `'W'`.
    pub fn code(self) -> char {
        match self {
            OrderType::E => 'E',
            OrderType::B => 'B',
            OrderType::W => 'W',
        }
    }
}

/// The mode of a shipment and why, in English and Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Classification {
    /// 9610, 9710 or 9810.
    pub mode: CustomsMode,
    /// E, B or W.
    pub order_type: OrderType,
    /// Why, in English.
    pub reason: String,
    /// Why, in Simplified Chinese.
    pub reason_zh: String,
}

/// Why a shipment has no e-commerce export mode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct ClassificationError {
    /// The field at fault, e.g. `overseas_warehouse.registered`.
    pub path: &'static str,
    /// Why, and what to do, in English.
    pub reason: String,
    /// The same in Simplified Chinese.
    pub reason_zh: String,
}

/// Classifies a shipment by its sale kind (see the module documentation).
pub fn classify(shipment: &ExportShipment) -> Result<Classification, ClassificationError> {
    let to = shipment.declaration.destination_country;
    let (mode, reason, reason_zh) = match shipment.sale_kind {
        SaleKind::B2c => (
            CustomsMode::M9610,
            format!(
                "B2C parcel sold to a consumer in {} and mailed directly from China: \
                 cross-border e-commerce B2C direct mail, mode 9610 (order type E); order, \
                 payment and waybill are pushed, then each parcel's export list is released",
                to.name_en()
            ),
            format!(
                "向{}消费者销售的B2C包裹，自中国直邮：跨境电商B2C直邮出口，监管方式9610（订单类型E），\
                 推送订单、收款单、运单后逐票申报出口清单",
                to.name_zh()
            ),
        ),
        SaleKind::B2b => {
            let buyer = shipment
                .order
                .buyer
                .as_ref()
                .map_or(String::new(), |b| format!(" {}", b.name.trim()));
            (
                CustomsMode::M9710,
                format!(
                    "sold to the trade buyer{buyer} in {}: cross-border e-commerce B2B direct \
                     export, mode 9710 (order type B)",
                    to.name_en()
                ),
                format!(
                    "销售给{}的企业买家{}：跨境电商B2B直接出口，监管方式9710（订单类型B）",
                    to.name_zh(),
                    buyer.trim()
                ),
            )
        }
        SaleKind::StockTransfer => {
            let Some(warehouse) = &shipment.overseas_warehouse else {
                return Err(ClassificationError {
                    path: "overseas_warehouse",
                    reason: "a stock transfer needs the overseas warehouse it goes to \
                             (name, country, whether registered with China customs)"
                        .into(),
                    reason_zh: "备货至海外仓须填写目的海外仓（名称、国家、是否已向海关备案）".into(),
                });
            };
            let name = warehouse.name.trim();
            if !warehouse.registered {
                return Err(ClassificationError {
                    path: "overseas_warehouse.registered",
                    reason: format!(
                        "the overseas warehouse {name:?} is not registered with China customs, \
                         so this stock transfer cannot be declared as 9810; it is not 9710 either, \
                         since nothing has been sold to a foreign buyer yet. Register the warehouse \
                         (备案) to use 9810, or export the goods under general trade (0110) with an \
                         ordinary customs declaration, outside the e-commerce messages"
                    ),
                    reason_zh: format!(
                        "海外仓“{name}”未向海关备案，不能按9810申报；尚未销售给境外买家，也不适用9710。\
                         请先办理海外仓备案后按9810申报，或按一般贸易（0110）报关出口（不走跨境电商报文）"
                    ),
                });
            }
            (
                CustomsMode::M9810,
                format!(
                    "stock moved to the registered overseas warehouse {name:?} in {}, to be sold \
                     from there: cross-border e-commerce export to an overseas warehouse, mode 9810 \
                     (order type W)",
                    warehouse.country.name_en()
                ),
                format!(
                    "货物备至已备案的{}海外仓“{name}”，在境外销售：跨境电商出口海外仓，监管方式9810（订单类型W）",
                    warehouse.country.name_zh()
                ),
            )
        }
    };
    Ok(Classification {
        mode,
        order_type: mode.order_type(),
        reason,
        reason_zh,
    })
}
