//! Storage fee rules of a warehouse and the monthly storage invoice of one
//! seller there, computed from the ledger day by day (the rules of the
//! computation are on [`storage_invoice`]).

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::age::{Layer, ReceiptLayers};
use super::codes::UtcOffset;
use super::entry::{LedgerEntry, StockKey};
use super::error::LedgerError;
use super::fee_schedule::StorageFeeSchedule;
use super::month::BillingMonth;
use crate::calendar::Date;
use crate::catalog::{Dimensions, Sku};
use crate::money::{Currency, Money, RoundingMode, RoundingStep};

/// Where storage fees are rounded: once per invoice line, half up, to the
/// currency's minor unit.
pub const STORAGE_FEE_LINE: RoundingStep =
    RoundingStep::new("storage_fee_line", RoundingMode::HalfUp);

/// Longest free period or tier start accepted, in days (100 years).
const MAX_DAYS: u32 = 36_500;

/// The volume of one packed unit in mm³ (at most 10¹⁵).
pub fn unit_volume_mm3(dimensions: &Dimensions) -> i64 {
    // Each side ≤ 100,000 mm, so the product ≤ 10^15 fits in i64.
    i64::from(dimensions.length_mm())
        * i64::from(dimensions.width_mm())
        * i64::from(dimensions.height_mm())
}

/// The volume of one packed unit in m³, exact: 300 × 200 × 150 mm is 0.009.
pub fn volume_m3(dimensions: &Dimensions) -> Decimal {
    Decimal::new(unit_volume_mm3(dimensions), 9).normalize()
}

/// A long-term storage surcharge: from an age, an extra price per m³ per day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurchargeTier {
    /// The age in days (0 = day of arrival) from which the tier applies;
    /// 181 means the 181–365 age bucket and beyond.
    pub from_age_days: u32,
    /// The extra price per m³ per day, in the rules' currency.
    pub price_per_m3_day: Money,
}

/// A warehouse's storage fee rules; valid by construction (see
/// [`StorageFeeRules::new`]). JSON:
/// `{"price_per_m3_day": {"amount": "0.45", "currency": "USD"}, "free_days": 30,
///   "surcharge_tiers": [{"from_age_days": 181, "price_per_m3_day": …}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RulesJson", into = "RulesJson")]
pub struct StorageFeeRules {
    price_per_m3_day: Money,
    free_days: u32,
    surcharge_tiers: Vec<SurchargeTier>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesJson {
    price_per_m3_day: Money,
    #[serde(default)]
    free_days: u32,
    #[serde(default)]
    surcharge_tiers: Vec<SurchargeTier>,
}

impl TryFrom<RulesJson> for StorageFeeRules {
    type Error = LedgerError;
    fn try_from(r: RulesJson) -> Result<Self, Self::Error> {
        StorageFeeRules::new(r.price_per_m3_day, r.free_days, r.surcharge_tiers)
    }
}

impl From<StorageFeeRules> for RulesJson {
    fn from(r: StorageFeeRules) -> RulesJson {
        RulesJson {
            price_per_m3_day: r.price_per_m3_day,
            free_days: r.free_days,
            surcharge_tiers: r.surcharge_tiers,
        }
    }
}

impl StorageFeeRules {
    /// Rules charging `price_per_m3_day` after `free_days`, plus the tiers.
    ///
    /// Refused (naming the field): a negative price, a free period or tier
    /// start beyond 36,500 days, a tier price in another currency or
    /// negative, tiers not in strictly increasing `from_age_days`.
    pub fn new(
        price_per_m3_day: Money,
        free_days: u32,
        surcharge_tiers: Vec<SurchargeTier>,
    ) -> Result<StorageFeeRules, LedgerError> {
        if price_per_m3_day.is_negative() {
            return Err(LedgerError::invalid(
                "price_per_m3_day",
                format!("{price_per_m3_day} must not be negative"),
            ));
        }
        if free_days > MAX_DAYS {
            return Err(LedgerError::invalid(
                "free_days",
                format!("{free_days} is more than {MAX_DAYS} days"),
            ));
        }
        let currency = price_per_m3_day.currency();
        let mut previous: Option<u32> = None;
        for (i, tier) in surcharge_tiers.iter().enumerate() {
            let field = |name: &str| format!("surcharge_tiers[{i}].{name}");
            if tier.price_per_m3_day.currency() != currency {
                return Err(LedgerError::invalid(
                    field("price_per_m3_day"),
                    format!(
                        "{} is not in the base price's currency {currency}",
                        tier.price_per_m3_day
                    ),
                ));
            }
            if tier.price_per_m3_day.is_negative() {
                return Err(LedgerError::invalid(
                    field("price_per_m3_day"),
                    format!("{} must not be negative", tier.price_per_m3_day),
                ));
            }
            if tier.from_age_days > MAX_DAYS {
                return Err(LedgerError::invalid(
                    field("from_age_days"),
                    format!("{} is more than {MAX_DAYS} days", tier.from_age_days),
                ));
            }
            if let Some(before) = previous {
                if tier.from_age_days <= before {
                    return Err(LedgerError::invalid(
                        field("from_age_days"),
                        format!(
                            "{} must be after the previous tier's {before}",
                            tier.from_age_days
                        ),
                    ));
                }
            }
            previous = Some(tier.from_age_days);
        }
        Ok(StorageFeeRules {
            price_per_m3_day,
            free_days,
            surcharge_tiers,
        })
    }

    /// The currency of every price.
    pub fn currency(&self) -> Currency {
        self.price_per_m3_day.currency()
    }

    /// Base price per m³ per day.
    pub fn price_per_m3_day(&self) -> Money {
        self.price_per_m3_day
    }

    /// Days free from arrival (ages `0 .. free_days`).
    pub fn free_days(&self) -> u32 {
        self.free_days
    }

    /// The surcharge tiers, by increasing age.
    pub fn surcharge_tiers(&self) -> &[SurchargeTier] {
        &self.surcharge_tiers
    }

    /// The base price and the surcharge tier that apply at `age_days`, or
    /// `None` when the unit is within its free days.
    pub fn prices_at(&self, age_days: i32) -> Option<(Money, Option<&SurchargeTier>)> {
        let age = u32::try_from(age_days).unwrap_or(0);
        if age < self.free_days {
            return None;
        }
        let tier = self
            .surcharge_tiers
            .iter()
            .rev()
            .find(|t| t.from_age_days <= age);
        Some((self.price_per_m3_day, tier))
    }

    /// The first age at which `tier` is actually charged (not before the
    /// free days end).
    pub fn charged_from(&self, tier: &SurchargeTier) -> u32 {
        tier.from_age_days.max(self.free_days)
    }
}

/// The physical units of one stock key at the end of one day, by receipt layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyStock {
    /// The local day.
    pub date: Date,
    /// Whose stock of what, where.
    #[serde(flatten)]
    pub key: StockKey,
    /// Layers left at the end of the day, oldest first.
    pub layers: Vec<Layer>,
}

/// The end-of-day stock of every SKU of one seller at one warehouse for
/// every day of `month`, from `entries`: the seller's entries at that
/// warehouse from the first one on (ages need the whole history), in
/// ledger order, with days taken at the warehouse's `offset`. Entries after
/// the month are ignored. Days without stock are left out; the result is
/// ordered by date, then key.
///
/// Entries are taken in ledger order: an entry dated after a day holds
/// back the entries behind it until its own day (the store posts entries
/// in time order, so this only matters for back-dated entries).
///
/// Errors: entries of another seller or warehouse than the first
/// (`entries[i]`), and a ledger that removes more units than it received.
pub fn daily_stock<'a>(
    entries: impl IntoIterator<Item = &'a LedgerEntry>,
    month: BillingMonth,
    offset: UtcOffset,
) -> Result<Vec<DailyStock>, LedgerError> {
    let mut entries = entries.into_iter().enumerate().peekable();
    let mut by_key: BTreeMap<StockKey, ReceiptLayers> = BTreeMap::new();
    let mut owner: Option<(i64, i64)> = None;
    let mut out = Vec::new();
    for day in month.days() {
        while let Some(&(index, entry)) = entries.peek() {
            if offset.date_of(entry.at) > day {
                break;
            }
            let this = (entry.key.seller, entry.key.warehouse);
            match owner {
                None => owner = Some(this),
                Some(first) if first != this => {
                    return Err(LedgerError::invalid(
                        format!("entries[{index}]"),
                        format!(
                            "is for seller {} at warehouse {}, not seller {} at warehouse {}",
                            this.0, this.1, first.0, first.1
                        ),
                    ))
                }
                Some(_) => {}
            }
            by_key
                .entry(entry.key.clone())
                .or_default()
                .take(index, entry, offset)?;
            entries.next();
        }
        for (key, layers) in &by_key {
            if layers.layers().len() > 0 {
                out.push(DailyStock {
                    date: day,
                    key: key.clone(),
                    layers: layers.layers().copied().collect(),
                });
            }
        }
    }
    Ok(out)
}

/// Who is billed where, for which month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct InvoiceScope {
    /// The seller billed.
    pub seller: i64,
    /// The warehouse storing the goods.
    pub warehouse: i64,
    /// The month billed.
    pub month: BillingMonth,
}

/// One SKU on a storage invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageInvoiceLine {
    /// The SKU.
    pub sku: Sku,
    /// Volume of one unit, m³ (exact).
    #[serde(with = "super::decimal_text")]
    pub unit_volume_m3: Decimal,
    /// Days of the month with any units at the end of the day.
    pub days_with_stock: u32,
    /// Units × days held (free days included).
    pub unit_days: i64,
    /// m³ × days held (free days included), exact.
    #[serde(with = "super::decimal_text")]
    pub m3_days: Decimal,
    /// m³ × days charged the base price (after free days), exact.
    #[serde(with = "super::decimal_text")]
    pub chargeable_m3_days: Decimal,
    /// m³ × days charged a surcharge (any tier), exact.
    #[serde(with = "super::decimal_text")]
    pub surcharge_m3_days: Decimal,
    /// The base part of `total`.
    pub base_fee: Money,
    /// The surcharge part of `total`.
    pub surcharge: Money,
    /// The line's fee: exact fee rounded once at [`STORAGE_FEE_LINE`].
    pub total: Money,
}

/// A seller's storage invoice for one warehouse and month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageInvoice {
    /// The seller billed.
    pub seller: i64,
    /// The warehouse.
    pub warehouse: i64,
    /// The month.
    pub month: BillingMonth,
    /// The currency of every amount.
    pub currency: Currency,
    /// The `valid_from` day of each fee rule version that priced a day of
    /// the month (none before the first version: such days are free).
    pub rule_versions: Vec<Date>,
    /// One line per SKU that had units in the month, by SKU.
    pub lines: Vec<StorageInvoiceLine>,
    /// Sum of the line totals.
    pub total: Money,
}

/// Exact sums of one SKU, in mm³-days and mm³-days × minor units.
#[derive(Default)]
struct LineSums {
    days_with_stock: u32,
    unit_days: i64,
    held_mm3_days: i128,
    chargeable_mm3_days: i128,
    surcharge_mm3_days: i128,
    base: i128,
    surcharge: i128,
}

/// The storage invoice for `scope` from end-of-day stock (see
/// [`daily_stock`]), the warehouse's fee `schedule` and each SKU's packed
/// `sizes`.
///
/// How a fee arises:
/// - Each day is priced by the fee rule version in force on it
///   ([`StorageFeeSchedule::in_force`]); a day before the first version is
///   not charged. A month across a price change is priced day by day.
/// - Every day of the month, the seller's physical units (`on_hand +
///   damaged`) at the **end of that local day** are charged for that day, by
///   receipt layer (FIFO, see [`fifo_layers`](super::fifo_layers)). Only
///   units present at the end of a day are charged: a receipt shipped out
///   on the same day adds nothing.
/// - A layer's age on a day is days since arrival, 0 on the day of arrival
///   (the same ages as the age buckets).
/// - **Free days**: with `free_days = 30`, ages 0–29 are free (the first 30
///   days, the day of arrival included): neither base fee nor surcharge.
/// - **Base fee**: from age `free_days` on, `price_per_m3_day` per m³ per day.
/// - **Long-term surcharge**: on top of the base, the price of the highest
///   tier whose `from_age_days` the age has reached. Tiers replace each
///   other, they do not add up: with +0.10 from age 181 and +0.30 from age
///   366, a unit aged 400 days pays base + 0.30.
/// - **Volume** of a unit: its packed dimensions, L × W × H in mm³ ÷ 10⁹, exact.
///
/// Rounding — step [`STORAGE_FEE_LINE`] (`storage_fee_line`, half up): each
/// line (one SKU) is computed exactly (m³-days × prices) and rounded once,
/// to the currency's minor unit. The rounded line total is split into base
/// fee and surcharge by largest remainder (`Money::allocate_by_decimal` on
/// the exact parts), so the two add up to the line total exactly and each is
/// within one minor unit of its exact value. The invoice total is the sum of
/// the line totals, with no further rounding.
///
/// Errors: an empty schedule (`rules`), a day outside the month or stock
/// of another seller or warehouse (`days[i]`), a SKU without dimensions
/// (`dimensions`), and amounts beyond the exact range (`lines[sku]`).
pub fn storage_invoice(
    scope: InvoiceScope,
    days: &[DailyStock],
    schedule: &StorageFeeSchedule,
    sizes: &HashMap<Sku, Dimensions>,
) -> Result<StorageInvoice, LedgerError> {
    let currency = schedule
        .currency()
        .ok_or_else(|| LedgerError::invalid("rules", "the warehouse has no storage fee rules"))?;
    let mut rule_versions: Vec<Date> = Vec::new();
    let overflow = |sku: &Sku| {
        LedgerError::overflow(
            format!("lines[{sku}]"),
            "storage volume × days × price is too large",
        )
    };
    let mut sums: BTreeMap<Sku, LineSums> = BTreeMap::new();
    for (i, day) in days.iter().enumerate() {
        if !scope.month.contains(day.date) {
            return Err(LedgerError::invalid(
                format!("days[{i}].date"),
                format!("{} is not in {}", day.date, scope.month),
            ));
        }
        if (day.key.seller, day.key.warehouse) != (scope.seller, scope.warehouse) {
            return Err(LedgerError::invalid(
                format!("days[{i}]"),
                format!(
                    "is stock of seller {} at warehouse {}, not of seller {} at warehouse {}",
                    day.key.seller, day.key.warehouse, scope.seller, scope.warehouse
                ),
            ));
        }
        let sku = &day.key.sku;
        let Some(size) = sizes.get(sku) else {
            return Err(LedgerError::invalid(
                "dimensions",
                format!("SKU {sku} has no dimensions; its volume is needed for storage fees"),
            ));
        };
        let mm3 = i128::from(unit_volume_mm3(size));
        let line = sums.entry(sku.clone()).or_default();
        let units: i64 = day.layers.iter().map(|l| l.quantity).sum();
        if units > 0 {
            line.days_with_stock += 1;
        }
        line.unit_days = line.unit_days.saturating_add(units);
        for layer in &day.layers {
            let volume = mm3
                .checked_mul(i128::from(layer.quantity))
                .ok_or_else(|| overflow(sku))?;
            line.held_mm3_days = line
                .held_mm3_days
                .checked_add(volume)
                .ok_or_else(|| overflow(sku))?;
            let Some(version) = schedule.in_force(day.date) else {
                continue;
            };
            if rule_versions.last() != Some(&version.valid_from) {
                rule_versions.push(version.valid_from);
            }
            let Some((base, tier)) = version.rules.prices_at(layer.age_on(day.date)) else {
                continue;
            };
            let charge = |sum: i128, price: Money| {
                volume
                    .checked_mul(i128::from(price.minor()))
                    .and_then(|fee| sum.checked_add(fee))
            };
            line.chargeable_mm3_days += volume;
            line.base = charge(line.base, base).ok_or_else(|| overflow(sku))?;
            if let Some(tier) = tier {
                line.surcharge_mm3_days += volume;
                line.surcharge =
                    charge(line.surcharge, tier.price_per_m3_day).ok_or_else(|| overflow(sku))?;
            }
        }
    }
    let mut lines = Vec::with_capacity(sums.len());
    for (sku, sum) in sums {
        let size = &sizes[&sku];
        lines.push(invoice_line(&sku, size, &sum, currency).ok_or_else(|| overflow(&sku))?);
    }
    let total = Money::checked_sum(currency, lines.iter().map(|l| l.total))
        .map_err(|e| LedgerError::overflow("total", e.to_string()))?;
    Ok(StorageInvoice {
        seller: scope.seller,
        warehouse: scope.warehouse,
        month: scope.month,
        currency,
        rule_versions,
        lines,
        total,
    })
}

/// One line from its exact sums; `None` when beyond the exact range.
fn invoice_line(
    sku: &Sku,
    size: &Dimensions,
    sum: &LineSums,
    currency: Currency,
) -> Option<StorageInvoiceLine> {
    let m3 = |mm3_days: i128| exact(mm3_days, 9);
    // mm³-days × minor units → major units: divide by 10^9 and by 10^exponent.
    let fee_scale = 9 + u32::from(currency.exponent());
    let base_exact = exact(sum.base, fee_scale)?;
    let surcharge_exact = exact(sum.surcharge, fee_scale)?;
    let total = Money::from_decimal(
        base_exact.checked_add(surcharge_exact)?,
        currency,
        STORAGE_FEE_LINE,
    )
    .ok()?;
    let (base_fee, surcharge) = if sum.base == 0 && sum.surcharge == 0 {
        (Money::zero(currency), Money::zero(currency))
    } else {
        let parts = total
            .allocate_by_decimal(&[base_exact, surcharge_exact])
            .ok()?;
        (parts[0], parts[1])
    };
    Some(StorageInvoiceLine {
        sku: sku.clone(),
        unit_volume_m3: volume_m3(size),
        days_with_stock: sum.days_with_stock,
        unit_days: sum.unit_days,
        m3_days: m3(sum.held_mm3_days)?,
        chargeable_m3_days: m3(sum.chargeable_mm3_days)?,
        surcharge_m3_days: m3(sum.surcharge_mm3_days)?,
        base_fee,
        surcharge,
        total,
    })
}

/// `value × 10^-scale` as an exact decimal, normalised; `None` beyond 96 bits.
fn exact(value: i128, scale: u32) -> Option<Decimal> {
    Decimal::try_from_i128_with_scale(value, scale)
        .ok()
        .map(|d| d.normalize())
}

/// [`daily_stock`] then [`storage_invoice`]: the invoice straight from the
/// seller's ledger at the warehouse.
pub fn storage_invoice_from_ledger<'a>(
    scope: InvoiceScope,
    entries: impl IntoIterator<Item = &'a LedgerEntry>,
    offset: UtcOffset,
    schedule: &StorageFeeSchedule,
    sizes: &HashMap<Sku, Dimensions>,
) -> Result<StorageInvoice, LedgerError> {
    let days = daily_stock(entries, scope.month, offset)?;
    storage_invoice(scope, &days, schedule, sizes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(minor: i64) -> Money {
        Money::from_minor(minor, Currency::USD)
    }

    #[test]
    fn volumes_are_exact() {
        let d = Dimensions::new(300, 200, 150).unwrap();
        assert_eq!(volume_m3(&d).to_string(), "0.009");
        let tiny = Dimensions::new(1, 1, 1).unwrap();
        assert_eq!(volume_m3(&tiny).to_string(), "0.000000001");
        let huge = Dimensions::new(100_000, 100_000, 100_000).unwrap();
        assert_eq!(volume_m3(&huge).to_string(), "1000000");
    }

    #[test]
    fn rules_are_checked_and_name_the_field() {
        let tier = |from, minor| SurchargeTier {
            from_age_days: from,
            price_per_m3_day: usd(minor),
        };
        let ok = StorageFeeRules::new(usd(45), 30, vec![tier(181, 10), tier(366, 30)]).unwrap();
        assert_eq!(ok.prices_at(29), None);
        assert_eq!(ok.prices_at(30), Some((usd(45), None)));
        assert_eq!(ok.prices_at(181).unwrap().1, Some(&tier(181, 10)));
        assert_eq!(ok.prices_at(400).unwrap().1, Some(&tier(366, 30)));
        let cases = [
            (StorageFeeRules::new(usd(-1), 0, vec![]), "price_per_m3_day"),
            (StorageFeeRules::new(usd(1), 40_000, vec![]), "free_days"),
            (
                StorageFeeRules::new(usd(1), 0, vec![tier(181, 1), tier(181, 2)]),
                "surcharge_tiers[1].from_age_days",
            ),
            (
                StorageFeeRules::new(usd(1), 0, vec![tier(181, -1)]),
                "surcharge_tiers[0].price_per_m3_day",
            ),
            (
                StorageFeeRules::new(
                    usd(1),
                    0,
                    vec![SurchargeTier {
                        from_age_days: 10,
                        price_per_m3_day: Money::from_minor(1, Currency::EUR),
                    }],
                ),
                "surcharge_tiers[0].price_per_m3_day",
            ),
        ];
        for (result, field) in cases {
            assert_eq!(result.unwrap_err().field(), Some(field));
        }
        let json = serde_json::to_string(&ok).unwrap();
        let back: StorageFeeRules = serde_json::from_str(&json).unwrap();
        assert_eq!(back, ok);
        let bad = r#"{"price_per_m3_day":{"amount":"0.45","currency":"USD"},
            "surcharge_tiers":[{"from_age_days":5,"price_per_m3_day":{"amount":"1","currency":"EUR"}}]}"#;
        assert!(serde_json::from_str::<StorageFeeRules>(bad).is_err());
    }
}
