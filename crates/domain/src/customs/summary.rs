//! The monthly summary declaration (汇总申报) of 9610 export lists.
//!
//! By the 15th of each month, the previous month's 9610 lists are merged
//! into declarations grouped by consignor (ebcCode), transport mode,
//! destination country, exit customs (portCode) and 10-digit commodity
//! code (TRADE-RULES.md). Two more keys keep each total meaningful: the
//! currency (one value per declaration; customs' own merge rule also names
//! 同一币制, unverified) and the first legal unit (quantities in different
//! units do not add up; a commodity code normally has one).
//!
//! TRADE-RULES.md names no CEB message for the merged declaration itself
//! (only CEB701, the summary *application*), so this module produces a
//! worksheet for the declarant in three forms — the same rows each time:
//!
//! - [`SummaryDeclaration`] (serde): the JSON the API returns, e.g.
//!   `{"year": 2026, "month": 10, "ebc_code": "3301964J31", "ebc_name": "…",
//!   "transport_mode": "air", "destination_country": "US", "port_code": "2991",
//!   "gcode": "9405421000", "currency": "USD", "legal_unit": "011",
//!   "legal_qty": "3", "value": {"amount": "75.00", "currency": "USD"},
//!   "gross_weight_g": 1800, "net_weight_g": 1500, "list_count": 2,
//!   "order_nos": ["SO-1", "SO-2"]}`;
//! - [`summary_csv`]: one header row and one row per declaration, columns
//!   [`CSV_HEADER`], with customs codes next to the readable values and
//!   weights in kilograms;
//! - [`summary_xml`]: `<SummaryDeclarations month="2026-10">` with one
//!   `<SummaryDeclaration>` per row (Chuhai's own format, no namespace; not
//!   a CEB message).
//!
//! Weights are declared per list, values and quantities per item. A list's
//! gross and net weights are apportioned over its items in proportion to
//! their `total_price` (largest remainder, in grams; evenly when all are
//! zero), so the declarations' weights add up exactly to the lists'.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};

use super::classify::{classify, CustomsMode};
use super::codes::{customs_country_code, customs_currency_code, TransportMode};
use super::error::CustomsError;
use super::messages::{kilograms, money_text, normalized_gcode};
use super::shipment::ExportShipment;
use super::xml::XmlWriter;
use crate::country::Country;
use crate::money::{Currency, Money};

/// One merged declaration line: the totals of one group of a month's 9610
/// lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SummaryDeclaration {
    /// The month's year.
    pub year: i32,
    /// The month, 1–12.
    pub month: u32,
    /// The consignor's customs code.
    pub ebc_code: String,
    /// The consignor's name (from the group's first list by export date).
    pub ebc_name: String,
    /// How the goods left.
    pub transport_mode: TransportMode,
    /// The country of arrival.
    pub destination_country: Country,
    /// The exit customs (`portCode`).
    pub port_code: String,
    /// The 10-digit commodity code.
    pub gcode: String,
    /// The currency of `value`.
    pub currency: Currency,
    /// The first legal unit (3-digit customs code) of `legal_qty`.
    pub legal_unit: String,
    /// Total quantity in the first legal unit (sum of `qty1`). JSON: string.
    #[serde(serialize_with = "decimal_string")]
    pub legal_qty: Decimal,
    /// Total value (sum of the items' `total_price`).
    pub value: Money,
    /// Total gross weight in grams (apportioned from the lists).
    pub gross_weight_g: u64,
    /// Total net weight in grams (apportioned from the lists).
    pub net_weight_g: u64,
    /// How many lists contributed.
    pub list_count: u32,
    /// Their order numbers, sorted.
    pub order_nos: Vec<String>,
}

fn decimal_string<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&value.normalize())
}

type GroupKey = (
    String,
    TransportMode,
    Country,
    String,
    String,
    Currency,
    String,
);

/// Merges the 9610 lists exported in `month` (`(year, month)`, by
/// `declaration.export_date`) into summary declarations, sorted by
/// consignor, transport mode, destination, exit customs, commodity code,
/// currency and legal unit. Shipments of other modes (or that cannot be
/// classified) and of other months are left out. Lists are expected to
/// have passed [`build_ceb603`](super::build_ceb603); an overflowing total
/// is an error, never a wrapped number.
pub fn summarize(
    lists: &[ExportShipment],
    month: (i32, u32),
) -> Result<Vec<SummaryDeclaration>, CustomsError> {
    let (year, month_no) = month;
    let mut chosen: Vec<(usize, &ExportShipment)> = lists
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            let (y, m, _) = s.declaration.export_date.ymd();
            (y, m) == (year, month_no)
                && matches!(classify(s), Ok(c) if c.mode == CustomsMode::M9610)
        })
        .collect();
    // Names come from the earliest list: make "first" independent of input order.
    chosen.sort_by(|(ia, a), (ib, b)| {
        (a.declaration.export_date, a.order.order_no.trim(), ia).cmp(&(
            b.declaration.export_date,
            b.order.order_no.trim(),
            ib,
        ))
    });

    struct Group {
        ebc_name: String,
        legal_qty: Decimal,
        value: Money,
        gross_weight_g: u64,
        net_weight_g: u64,
        lists: BTreeSet<usize>,
        order_nos: BTreeSet<String>,
    }
    let overflow = |what: &str| CustomsError::Overflow {
        what: what.to_owned(),
    };
    let mut groups: BTreeMap<GroupKey, Group> = BTreeMap::new();
    for (index, list) in chosen {
        let weights: Vec<u64> = list
            .items
            .iter()
            .map(|item| item.total_price.minor().unsigned_abs())
            .collect();
        let gross = apportion(list.logistics.gross_weight_g, &weights);
        let net = apportion(list.logistics.net_weight_g, &weights);
        let d = &list.declaration;
        for (i, item) in list.items.iter().enumerate() {
            let key = (
                list.consignor.ebc_code.trim().to_owned(),
                d.transport_mode,
                d.destination_country,
                d.port_code.trim().to_owned(),
                normalized_gcode(&item.gcode),
                item.total_price.currency(),
                item.unit1.trim().to_owned(),
            );
            let group = groups.entry(key).or_insert_with(|| Group {
                ebc_name: list.consignor.ebc_name.trim().to_owned(),
                legal_qty: Decimal::ZERO,
                value: Money::zero(item.total_price.currency()),
                gross_weight_g: 0,
                net_weight_g: 0,
                lists: BTreeSet::new(),
                order_nos: BTreeSet::new(),
            });
            group.legal_qty = group
                .legal_qty
                .checked_add(item.qty1)
                .ok_or_else(|| overflow("a legal quantity total"))?;
            group.value = group
                .value
                .checked_add(item.total_price)
                .map_err(|_| overflow("a value total"))?;
            group.gross_weight_g = group
                .gross_weight_g
                .checked_add(gross[i])
                .ok_or_else(|| overflow("a gross weight total"))?;
            group.net_weight_g = group
                .net_weight_g
                .checked_add(net[i])
                .ok_or_else(|| overflow("a net weight total"))?;
            group.lists.insert(index);
            group
                .order_nos
                .insert(list.order.order_no.trim().to_owned());
        }
    }
    Ok(groups
        .into_iter()
        .map(|(key, group)| {
            let (ebc_code, transport_mode, destination_country, port_code, gcode, currency, unit) =
                key;
            SummaryDeclaration {
                year,
                month: month_no,
                ebc_code,
                ebc_name: group.ebc_name,
                transport_mode,
                destination_country,
                port_code,
                gcode,
                currency,
                legal_unit: unit,
                legal_qty: group.legal_qty.normalize(),
                value: group.value,
                gross_weight_g: group.gross_weight_g,
                net_weight_g: group.net_weight_g,
                list_count: u32::try_from(group.lists.len()).unwrap_or(u32::MAX),
                order_nos: group.order_nos.into_iter().collect(),
            }
        })
        .collect())
}

/// Splits `total` in proportion to `weights` by the largest remainder
/// method: the shares add up to `total` exactly; ties go to the earlier
/// item. All-zero weights split evenly.
fn apportion(total: u64, weights: &[u64]) -> Vec<u64> {
    if weights.is_empty() {
        return Vec::new();
    }
    let weights: Vec<u128> = if weights.iter().all(|&w| w == 0) {
        vec![1; weights.len()]
    } else {
        weights.iter().map(|&w| u128::from(w)).collect()
    };
    let sum: u128 = weights.iter().sum();
    let total = u128::from(total);
    let mut shares: Vec<u128> = weights.iter().map(|&w| total * w / sum).collect();
    let mut left = total - shares.iter().sum::<u128>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    // Largest remainder first; the sort is stable, so ties keep item order.
    order.sort_by(|&a, &b| ((total * weights[b]) % sum).cmp(&((total * weights[a]) % sum)));
    for &i in order.iter().cycle() {
        if left == 0 {
            break;
        }
        shares[i] += 1;
        left -= 1;
    }
    // Each share is at most `total`, which came from a u64.
    shares.into_iter().map(|s| s as u64).collect()
}

/// The CSV columns, in order.
pub const CSV_HEADER: [&str; 18] = [
    "month",
    "ebc_code",
    "ebc_name",
    "transport_mode",
    "traf_mode_code",
    "destination_country",
    "country_code",
    "port_code",
    "gcode",
    "currency",
    "currency_code",
    "legal_unit",
    "legal_qty",
    "value",
    "gross_weight_kg",
    "net_weight_kg",
    "list_count",
    "order_nos",
];

/// The declarations as CSV (RFC 4180 quoting, `\n` line ends): a header
/// row ([`CSV_HEADER`]) and one row per declaration. `month` is `YYYY-MM`;
/// `value` has 2 decimals; weights are kilograms with 3 decimals;
/// `order_nos` are separated by spaces.
pub fn summary_csv(rows: &[SummaryDeclaration]) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing to memory cannot fail; records all have the header's length.
    writer
        .write_record(CSV_HEADER)
        .expect("CSV to memory cannot fail");
    for row in rows {
        writer
            .write_record(csv_record(row))
            .expect("CSV to memory cannot fail");
    }
    let bytes = writer.into_inner().expect("CSV to memory cannot fail");
    String::from_utf8(bytes).expect("CSV of UTF-8 fields is UTF-8")
}

fn csv_record(row: &SummaryDeclaration) -> [String; 18] {
    [
        format!("{:04}-{:02}", row.year, row.month),
        row.ebc_code.clone(),
        row.ebc_name.clone(),
        row.transport_mode.name().to_owned(),
        row.transport_mode.code().to_owned(),
        row.destination_country.alpha2().to_owned(),
        customs_country_code(row.destination_country)
            .unwrap_or_default()
            .to_owned(),
        row.port_code.clone(),
        row.gcode.clone(),
        row.currency.code().to_owned(),
        customs_currency_code(row.currency)
            .unwrap_or_default()
            .to_owned(),
        row.legal_unit.clone(),
        row.legal_qty.normalize().to_string(),
        money_text(row.value),
        kilograms(row.gross_weight_g),
        kilograms(row.net_weight_g),
        row.list_count.to_string(),
        row.order_nos.join(" "),
    ]
}

/// The declarations as XML: `<SummaryDeclarations month="YYYY-MM">` holding
/// one `<SummaryDeclaration>` per row, whose children are the CSV columns
/// in camelCase (`ebcCode`, `trafMode`, `country`, `portCode`, `gcode`,
/// `currency`, `unit1`, `qty1`, `totalPrice`, `grossWeight`, `netWeight`,
/// `listCount`, then `orderNo` elements), codes as customs writes them.
pub fn summary_xml(rows: &[SummaryDeclaration], month: (i32, u32)) -> String {
    let mut w = XmlWriter::new();
    let label = format!("{:04}-{:02}", month.0, month.1);
    w.open_with("SummaryDeclarations", &[("month", &label)]);
    for row in rows {
        w.open("SummaryDeclaration");
        w.leaf("ebcCode", &row.ebc_code);
        w.leaf("ebcName", &row.ebc_name);
        w.leaf("trafMode", row.transport_mode.code());
        w.leaf(
            "country",
            customs_country_code(row.destination_country).unwrap_or_default(),
        );
        w.leaf("countryIso", row.destination_country.alpha2());
        w.leaf("portCode", &row.port_code);
        w.leaf("gcode", &row.gcode);
        w.leaf(
            "currency",
            customs_currency_code(row.currency).unwrap_or_default(),
        );
        w.leaf("currencyIso", row.currency.code());
        w.leaf("unit1", &row.legal_unit);
        w.leaf("qty1", &row.legal_qty.normalize().to_string());
        w.leaf("totalPrice", &money_text(row.value));
        w.leaf("grossWeight", &kilograms(row.gross_weight_g));
        w.leaf("netWeight", &kilograms(row.net_weight_g));
        w.leaf("listCount", &row.list_count.to_string());
        w.open("orderNos");
        for order_no in &row.order_nos {
            w.leaf("orderNo", order_no);
        }
        w.close();
        w.close();
    }
    w.close();
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::apportion;

    #[test]
    fn apportioning_keeps_the_total() {
        assert_eq!(apportion(1000, &[1, 1, 1]), vec![334, 333, 333]);
        assert_eq!(apportion(1000, &[0, 0]), vec![500, 500]);
        assert_eq!(apportion(7, &[2500, 7500]), vec![2, 5]);
        assert_eq!(apportion(0, &[3, 4]), vec![0, 0]);
        assert!(apportion(5, &[]).is_empty());
        let shares = apportion(u64::MAX, &[u64::MAX, 1, 3]);
        assert_eq!(
            shares.iter().map(|&s| u128::from(s)).sum::<u128>(),
            u128::from(u64::MAX)
        );
    }
}
