//! `ExportShipment`: one outbound consignment from China, as the seller
//! fills it in and as it is stored (JSON) and posted through the API.
//!
//! Text fields are kept as given: the message builders validate them (with
//! field paths such as `items[2].gcode`) so that a draft can be saved
//! incomplete and every problem reported at once when a message is built.
//! Typed fields (money, currencies, countries, dates, enums) are checked
//! when the JSON is read.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::codes::{StatisticsFlag, TransportMode};
use super::datetime::CustomsDateTime;
use crate::calendar::Date;
use crate::country::Country;
use crate::money::{Currency, Money};

/// What kind of sale the consignment is; it decides the customs mode
/// (see [`classify`](super::classify)).
///
/// JSON: `"b2c"`, `"b2b"`, `"stock_transfer"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SaleKind {
    /// A parcel sold to a consumer abroad and mailed directly (9610).
    B2c,
    /// Goods sold to a trade buyer abroad (9710).
    B2b,
    /// Stock moved to the seller's own overseas warehouse, sold later (9810).
    StockTransfer,
}

/// One outbound consignment from China.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportShipment {
    /// B2C parcel, B2B sale or stock transfer to an overseas warehouse.
    pub sale_kind: SaleKind,
    /// The overseas warehouse the goods go to; required for a stock transfer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overseas_warehouse: Option<OverseasWarehouse>,
    /// The e-commerce company and its platform.
    pub consignor: Consignor,
    /// The order (CEB303).
    pub order: ExportOrder,
    /// The receipt of payment (CEB403); required for B2C, optional otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<Payment>,
    /// The carrier and waybill (CEB505).
    pub logistics: Logistics,
    /// What the export list (CEB603) declares beyond order and waybill.
    pub declaration: DeclarationData,
    /// The goods, in list order (`gnum` 1, 2, 3…).
    pub items: Vec<ExportItem>,
}

/// An overseas warehouse (海外仓) receiving a stock transfer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverseasWarehouse {
    /// The warehouse's name, e.g. "Chuhai Fulfilment Rotterdam".
    pub name: String,
    /// Where it is.
    pub country: Country,
    /// Whether the exporter has registered (备案) this warehouse with China
    /// customs; 9810 needs it.
    pub registered: bool,
    /// The registration reference, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_no: Option<String>,
}

/// The e-commerce company (电商企业, `ebc`) and platform (电商平台, `ebp`).
/// A seller's own storefront is its own platform: give the same code twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consignor {
    /// Customs registration code of the e-commerce company, ≤ 18 characters.
    pub ebc_code: String,
    /// Its registered name, ≤ 100 characters.
    pub ebc_name: String,
    /// Its telephone (CEB505 `ebcTelephone`), ≤ 50 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ebc_telephone: Option<String>,
    /// Customs registration code of the platform, ≤ 50 characters.
    pub ebp_code: String,
    /// The platform's registered name, ≤ 100 characters.
    pub ebp_name: String,
}

/// The buyer abroad.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Buyer {
    /// Person or company name, ≤ 100 characters.
    pub name: String,
    /// Where the buyer is.
    pub country: Country,
}

/// The order (CEB303 `OrderHead`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportOrder {
    /// The order number, ≤ 60 characters, unique per e-commerce company.
    pub order_no: String,
    /// When the order was placed (China time).
    pub order_time: CustomsDateTime,
    /// The currency of the order; every amount of the order, its items and
    /// its payment is in it.
    pub currency: Currency,
    /// The goods' value: the sum of the items' `total_price`.
    pub goods_value: Money,
    /// Freight charged to the buyer.
    pub freight: Money,
    /// Insurance charged to the buyer.
    pub insured_fee: Money,
    /// The buyer; required for B2C and B2B.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer: Option<Buyer>,
    /// Free text, ≤ 1000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The receipt of payment (CEB403 `Receipts`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    /// Customs registration code of the payment company, ≤ 18 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_code: Option<String>,
    /// The payment company's name, ≤ 100 characters.
    pub pay_name: String,
    /// The payment transaction number, ≤ 60 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_no: Option<String>,
    /// The amount received (CEB `charge`): goods + freight + insurance.
    pub amount: Money,
    /// When it was booked (CEB `accountingDate`, China time).
    pub accounting_time: CustomsDateTime,
    /// Free text, ≤ 1000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The carrier and waybill (CEB505 `Logistics`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Logistics {
    /// Customs registration code of the logistics company, ≤ 18 characters.
    pub logistics_code: String,
    /// Its registered name, ≤ 100 characters.
    pub logistics_name: String,
    /// The waybill number, ≤ 60 characters; must stay unique for 6 months.
    pub logistics_no: String,
    /// Freight for the consignment.
    pub freight: Money,
    /// Insurance for the consignment, in the freight's currency.
    pub insured_fee: Money,
    /// Gross weight in grams (written in kilograms in the messages).
    pub gross_weight_g: u64,
    /// Net weight in grams (written in kilograms in the messages).
    pub net_weight_g: u64,
    /// Number of packages.
    pub pack_count: u32,
    /// Main goods description for the carrier, ≤ 200 characters.
    pub goods_info: String,
    /// Free text, ≤ 1000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What the export list (CEB603 `InventoryHead`) declares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclarationData {
    /// The customs office declared to (申报地海关, `customsCode`), 4 digits.
    pub customs_code: String,
    /// The exit customs (出境关别 / 出口口岸, `portCode`), 4 digits; the
    /// monthly summary groups by it.
    pub port_code: String,
    /// The port of destination (指运港, `POD`), 3–4 characters.
    pub destination_port: String,
    /// The export date (`ieDate`); the summary month is taken from it.
    pub export_date: Date,
    /// How the goods leave (`trafMode`).
    pub transport_mode: TransportMode,
    /// The vehicle, vessel or flight name (`trafName`), ≤ 100 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport_name: Option<String>,
    /// Voyage or flight number (`voyageNo`), ≤ 32 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voyage_no: Option<String>,
    /// The supervision mode (监管方式, `tradeMode`), 4 digits. When absent,
    /// the classified mode (9610/9710/9810) is used; when given, it must be it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_mode: Option<String>,
    /// The country of arrival (运抵国, head `country`).
    pub destination_country: Country,
    /// Packing type (包装种类, `wrapType`), 1 character (1 wooden case,
    /// 2 carton, 3 drum, 4 bulk, 5 pallet, 6 bag, 7 other).
    pub wrap_type: String,
    /// Bill of lading / master air waybill (`billNo`), ≤ 37 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_no: Option<String>,
    /// A (simplified) or B (summary declaration).
    pub statistics_flag: StatisticsFlag,
    /// Customs code of the declaring agent (申报企业), ≤ 18 characters.
    pub agent_code: String,
    /// Its name, ≤ 100 characters.
    pub agent_name: String,
    /// Customs code of the producer or seller (生产销售单位), ≤ 18 characters.
    pub owner_code: String,
    /// Its name, ≤ 100 characters.
    pub owner_name: String,
    /// The company's own list number (`copNo`), ≤ 30 characters; the order
    /// number when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cop_no: Option<String>,
    /// Free text, ≤ 1000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One line of goods (CEB303 `OrderList` and CEB603 `InventoryList`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportItem {
    /// Line number, 1, 2, 3… in order.
    pub gnum: u32,
    /// The seller's SKU (`itemNo`), ≤ 20 characters.
    pub item_no: String,
    /// Customs item record number (`itemRecordNo`), ≤ 30 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_record_no: Option<String>,
    /// The name the buyer saw (`itemName`), ≤ 250 characters.
    pub item_name: String,
    /// A description (`itemDescribe`), ≤ 1000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The barcode (`barCode`), ≤ 50 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bar_code: Option<String>,
    /// China's 10-digit commodity code (`gcode`); dots and spaces allowed.
    pub gcode: String,
    /// The customs name of the goods (`gname`), ≤ 250 characters.
    pub gname: String,
    /// The declared elements: brand, model, material… (`gmodel`), ≤ 250.
    pub gmodel: String,
    /// Country of origin.
    pub origin_country: Country,
    /// Quantity in `unit`, > 0, at most 5 decimals. JSON: a decimal string.
    #[serde(with = "decimal_text")]
    pub qty: Decimal,
    /// Declared unit (计量单位), 3-digit customs code, e.g. `"011"` 件.
    pub unit: String,
    /// Quantity in the first legal unit, > 0. JSON: a decimal string.
    #[serde(with = "decimal_text")]
    pub qty1: Decimal,
    /// The first legal unit of the commodity code, e.g. `"035"` 千克.
    pub unit1: String,
    /// Quantity in the second legal unit, when the code has one.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "optional_decimal_text"
    )]
    pub qty2: Option<Decimal>,
    /// The second legal unit, when the code has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit2: Option<String>,
    /// Unit price, in the order's currency.
    pub price: Money,
    /// Line total, in the order's currency.
    pub total_price: Money,
    /// Free text, ≤ 1000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Decimals as JSON strings (`"1.5"`), never JSON numbers, which most
/// clients pass through a float.
mod decimal_text {
    use std::str::FromStr;

    use rust_decimal::Decimal;
    use serde::{de, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse(&text).map_err(de::Error::custom)
    }

    pub(super) fn parse(text: &str) -> Result<Decimal, String> {
        let plain = !text.is_empty()
            && text
                .strip_prefix('-')
                .unwrap_or(text)
                .split_once('.')
                .map_or(text.bytes().all(|b| b.is_ascii_digit()), |(w, f)| {
                    !w.is_empty()
                        && !f.is_empty()
                        && w.bytes().all(|b| b.is_ascii_digit())
                        && f.bytes().all(|b| b.is_ascii_digit())
                });
        if !plain {
            return Err(format!(
                "{:?} is not a plain decimal such as \"2\" or \"0.5\"",
                text.chars().take(32).collect::<String>()
            ));
        }
        Decimal::from_str(text).map_err(|e| format!("{text:?}: {e}"))
    }
}

mod optional_decimal_text {
    use rust_decimal::Decimal;
    use serde::{de, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        value: &Option<Decimal>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => serializer.collect_str(value),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        Option::<String>::deserialize(deserializer)?
            .map(|text| super::decimal_text::parse(&text).map_err(de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::decimal_text::parse;

    #[test]
    fn decimal_text_is_plain_only() {
        assert_eq!(parse("2").unwrap().to_string(), "2");
        assert_eq!(parse("0.500").unwrap().to_string(), "0.500");
        assert_eq!(parse("-1.5").unwrap().to_string(), "-1.5");
        for bad in [
            "", ".5", "5.", "1e3", "+1", " 1", "1,5", "NaN", "-", "1.2.3",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
