//! Price queries: the unit price of one variant in one market for a
//! quantity on a date, and how it was made.
//!
//! Which price applies, in order:
//! 1. **Price list.** A scheduled price list active on the date (from
//!    `starts_on` inclusive to `ends_before` exclusive) replaces the
//!    market's regular list; when several are active, the one that started
//!    last wins (on a tie, the first given).
//! 2. **Price in that list.** The variant's override in the list, if any,
//!    is the price as given; otherwise the price is derived from the base
//!    price by the list's rule (exact base × rate × (1 + markup)).
//! 3. **Quantity tier.** The tier with the largest `min_qty` not above the
//!    quantity takes its discount off the exact price (derived or override)
//!    and the list's rounding rule is applied once, after it. Without a
//!    tier an override is used as is and a derived price is rounded once.
//! 4. **Compare-at.** The variant's compare-at price is shown when it is
//!    above the selling price (else dropped, and the explanation says so);
//!    without one, a scheduled list shows the regular price (same quantity)
//!    as the compare-at when that is higher.
//! 5. **Order rules.** The quantity must meet the MOQ, pack size and
//!    increment, or the query fails naming the rule.

use serde::{Deserialize, Serialize};

use crate::calendar::Date;
use crate::fx::Conversion;
use crate::money::{Money, Rate, Ratio};

use super::derive::{check_price, exact_price, PriceRule};
use super::error::PricingError;
use super::exact::ExactPrice;
use super::quantity::{tier_for, validate_tiers, OrderQuantityRules, QuantityTier};
use super::rounding::MarketRounding;

/// A price list for a period (a sale, a launch price): its own rule and,
/// for this variant, possibly its own price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduledPriceList {
    /// Shown in explanations, e.g. "Singles' Day sale".
    pub name: String,
    /// The first day the list applies (inclusive).
    pub starts_on: Date,
    /// The first day it no longer applies (exclusive): a one-day sale on
    /// 2026-11-11 has `starts_on: 2026-11-11, ends_before: 2026-11-12`.
    pub ends_before: Date,
    /// How the list derives prices (markup and rounding).
    pub rule: PriceRule,
    /// This variant's price in the list, in the market currency, if fixed
    /// by hand (wins over the rule).
    #[serde(default)]
    pub override_price: Option<Money>,
}

impl ScheduledPriceList {
    /// Whether the list applies on `date`: `starts_on ≤ date < ends_before`.
    pub fn is_active_on(&self, date: Date) -> bool {
        self.starts_on <= date && date < self.ends_before
    }
}

/// Everything that prices one variant in one market: the seller's base
/// price, the market's regular rule, and the variant's overrides,
/// compare-at price, scheduled lists, tiers and order rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantPricing {
    /// The seller's base price (cost and margin), usually in CNY.
    pub base: Money,
    /// The market's regular price list rule.
    pub rule: PriceRule,
    /// The variant's manual price in the regular list (market currency).
    #[serde(default)]
    pub override_price: Option<Money>,
    /// A "was" price to show struck through (market currency).
    #[serde(default)]
    pub compare_at: Option<Money>,
    /// Scheduled price lists of the market, with this variant's overrides.
    #[serde(default)]
    pub scheduled: Vec<ScheduledPriceList>,
    /// Volume discounts.
    #[serde(default)]
    pub tiers: Vec<QuantityTier>,
    /// MOQ, pack size and order increment.
    #[serde(default)]
    pub quantity_rules: OrderQuantityRules,
}

/// Which list a price came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceListKind {
    /// The market's regular price list.
    Regular,
    /// The scheduled price list active on the date.
    Scheduled,
}

/// Where a shown compare-at price came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompareAtOrigin {
    /// The variant's compare-at price, as set.
    Explicit,
    /// The regular price, shown because a scheduled list lowered the price.
    RegularPrice,
}

/// One step of how a price was made, in the order applied. JSON:
/// `{"step": "fx", …}`, `{"step": "markup", "markup": "0.4", …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum ExplanationStep {
    /// The seller's base price.
    Base {
        /// The base price.
        price: Money,
    },
    /// A scheduled price list applies on the date.
    Schedule {
        /// The list's name.
        name: String,
        /// Its first day (inclusive).
        starts_on: Date,
        /// Its end (exclusive).
        ends_before: Date,
    },
    /// Conversion into the market currency: the rate (`from`, `to`,
    /// `rate`), the legs with their dates, the source and the date asked for.
    Fx {
        /// The conversion used.
        #[serde(flatten)]
        conversion: Conversion,
    },
    /// The list's markup on the converted price.
    Markup {
        /// The markup as a fraction (0.4 for 40 %).
        markup: Rate,
        /// The list it belongs to.
        price_list: PriceListKind,
    },
    /// A price set by hand for the variant.
    Override {
        /// The price as set.
        price: Money,
        /// The list it belongs to.
        price_list: PriceListKind,
    },
    /// A quantity tier's discount, taken off the exact price.
    TierDiscount {
        /// The tier's minimum quantity.
        min_qty: u32,
        /// The discount as a fraction.
        discount: Rate,
    },
    /// The one rounding, from the exact price to the shop price.
    Rounding {
        /// The rule applied.
        rule: MarketRounding,
        /// The named step and mode, e.g. `price_charm_ending (up)`.
        rounding_step: String,
        /// The exact price in major units (`≈` when shortened).
        exact: String,
        /// The price after rounding.
        result: Money,
    },
    /// The compare-at price shown.
    CompareAt {
        /// The price.
        price: Money,
        /// Where it came from.
        origin: CompareAtOrigin,
    },
    /// The variant's compare-at price is not shown.
    CompareAtIgnored {
        /// The price set.
        price: Money,
        /// Why it is not shown.
        reason: String,
    },
    /// The quantity meets the order rules.
    OrderQuantity {
        /// The quantity asked for.
        quantity: u32,
        /// The rules it meets.
        rules: OrderQuantityRules,
    },
}

/// The answer to a price query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PriceQuote {
    /// The price of one unit, in the market currency.
    pub unit_price: Money,
    /// The quantity asked for, in units.
    pub quantity: u32,
    /// `unit_price × quantity`.
    pub line_total: Money,
    /// The "was" price to show, when there is one above the unit price.
    pub compare_at: Option<Money>,
    /// The date asked for.
    pub date: Date,
    /// The scheduled list that applied, by name; `None` for the regular list.
    pub schedule: Option<String>,
    /// How the unit price was made, step by step.
    pub explanation: Vec<ExplanationStep>,
}

/// The list chosen for a date, with its field path for errors.
struct ChosenList<'a> {
    rule: &'a PriceRule,
    override_price: Option<Money>,
    kind: PriceListKind,
    field: String,
}

impl VariantPricing {
    /// Checks every input against the conversion and the date; field paths
    /// as in the JSON (`override_price`, `scheduled[0].ends_before`,
    /// `tiers[1].discount`, `quantity_rules.moq`…).
    pub fn validate(&self, conversion: &Conversion, date: Date) -> Result<(), PricingError> {
        let market = conversion.to();
        if self.base.currency() != conversion.from() {
            return Err(PricingError::invalid(
                "base",
                format!(
                    "the base price {} is not in {}, the currency the conversion is from",
                    self.base,
                    conversion.from()
                ),
            ));
        }
        if !self.base.is_positive() {
            return Err(PricingError::invalid(
                "base",
                format!("base price must be positive, got {}", self.base),
            ));
        }
        if conversion.requested_date() != date {
            return Err(PricingError::invalid(
                "conversion",
                format!(
                    "the conversion was looked up for {} but the price is asked for {date}",
                    conversion.requested_date()
                ),
            ));
        }
        self.rule
            .validate(market)
            .map_err(|err| err.under("rule"))?;
        if let Some(price) = self.override_price {
            check_price("override_price", price, market)?;
        }
        if let Some(price) = self.compare_at {
            check_price("compare_at", price, market)?;
        }
        for (index, list) in self.scheduled.iter().enumerate() {
            let field = |name: &str| format!("scheduled[{index}].{name}");
            if list.name.trim().is_empty() {
                return Err(PricingError::invalid(
                    &field("name"),
                    "a scheduled price list needs a name",
                ));
            }
            if list.ends_before <= list.starts_on {
                return Err(PricingError::invalid(
                    &field("ends_before"),
                    format!(
                        "the end {} must be after the start {} (the end day is excluded)",
                        list.ends_before, list.starts_on
                    ),
                ));
            }
            list.rule
                .validate(market)
                .map_err(|err| err.under(&field("rule")))?;
            if let Some(price) = list.override_price {
                check_price(&field("override_price"), price, market)?;
            }
        }
        validate_tiers(&self.tiers)?;
        self.quantity_rules
            .validate()
            .map_err(|err| err.under("quantity_rules"))
    }

    /// The scheduled list active on `date` (the latest started; first on a
    /// tie), with its index.
    pub fn active_schedule(&self, date: Date) -> Option<(usize, &ScheduledPriceList)> {
        let mut chosen: Option<(usize, &ScheduledPriceList)> = None;
        for (index, list) in self.scheduled.iter().enumerate() {
            if list.is_active_on(date)
                && chosen.is_none_or(|(_, best)| list.starts_on > best.starts_on)
            {
                chosen = Some((index, list));
            }
        }
        chosen
    }

    /// The unit price by one list, for the tier, with its explanation steps.
    fn price_in(
        &self,
        conversion: &Conversion,
        list: &ChosenList<'_>,
        tier: Option<QuantityTier>,
        steps: &mut Vec<ExplanationStep>,
    ) -> Result<Money, PricingError> {
        let market = conversion.to();
        let overflow = || PricingError::Overflow {
            operation: format!(
                "a tier discount on the price of {} has too many digits",
                self.base
            ),
        };
        let exact = match list.override_price {
            Some(price) => {
                steps.push(ExplanationStep::Override {
                    price,
                    price_list: list.kind,
                });
                if tier.is_none() {
                    return Ok(price);
                }
                ExactPrice::new(u128::from(price.minor().unsigned_abs()), Ratio::ONE)
            }
            None => {
                let exact = exact_price(self.base, conversion, list.rule.markup)?;
                steps.push(ExplanationStep::Fx {
                    conversion: *conversion,
                });
                steps.push(ExplanationStep::Markup {
                    markup: list.rule.markup,
                    price_list: list.kind,
                });
                exact
            }
        };
        let exact = match tier {
            Some(tier) => {
                steps.push(ExplanationStep::TierDiscount {
                    min_qty: tier.min_qty,
                    discount: tier.discount,
                });
                Ratio::one_minus(tier.discount.as_decimal())
                    .and_then(|keep| exact.times(keep))
                    .ok_or_else(overflow)?
            }
            None => exact,
        };
        let rounding = list.rule.rounding;
        let mut result = rounding
            .round(&exact, market)
            .map_err(|err| err.under(&list.field))?;
        // An override need not sit on the rounding rule's grid (a charm
        // ending rounds up): a tier on it never raises the price above the
        // override itself.
        if let Some(price) = list.override_price {
            if result.minor() > price.minor() {
                result = price;
            }
        }
        steps.push(ExplanationStep::Rounding {
            rule: rounding,
            rounding_step: rounding.step().to_string(),
            exact: exact.display_major(market),
            result,
        });
        Ok(result)
    }

    /// The unit price for `quantity` units on `date`, converted with
    /// `conversion` (from the base currency to the market currency, looked
    /// up for `date`), and how it was made. See the module documentation
    /// for the order of the rules.
    ///
    /// Errors: invalid input ([`PricingError::Invalid`] naming the field), a
    /// quantity the order rules refuse ([`PricingError::Quantity`]), a
    /// rounding rule that would produce a price ≤ 0, or overflow.
    pub fn quote(
        &self,
        conversion: &Conversion,
        quantity: u32,
        date: Date,
    ) -> Result<PriceQuote, PricingError> {
        self.validate(conversion, date)?;
        self.quantity_rules.check(quantity)?;
        let schedule = self.active_schedule(date);
        let tier = tier_for(&self.tiers, quantity);
        let regular = ChosenList {
            rule: &self.rule,
            override_price: self.override_price,
            kind: PriceListKind::Regular,
            field: "rule".to_owned(),
        };
        let mut explanation = vec![ExplanationStep::Base { price: self.base }];
        let unit_price = match schedule {
            Some((index, list)) => {
                explanation.push(ExplanationStep::Schedule {
                    name: list.name.clone(),
                    starts_on: list.starts_on,
                    ends_before: list.ends_before,
                });
                let chosen = ChosenList {
                    rule: &list.rule,
                    override_price: list.override_price,
                    kind: PriceListKind::Scheduled,
                    field: format!("scheduled[{index}].rule"),
                };
                self.price_in(conversion, &chosen, tier, &mut explanation)?
            }
            None => self.price_in(conversion, &regular, tier, &mut explanation)?,
        };

        let compare_at = match (self.compare_at, schedule) {
            (Some(price), _) if price.minor() > unit_price.minor() => {
                explanation.push(ExplanationStep::CompareAt {
                    price,
                    origin: CompareAtOrigin::Explicit,
                });
                Some(price)
            }
            (Some(price), _) => {
                explanation.push(ExplanationStep::CompareAtIgnored {
                    price,
                    reason: format!("not above the selling price {unit_price}"),
                });
                None
            }
            (None, Some(_)) => {
                // The regular price for the same quantity; its own steps are not shown.
                let regular_price = self.price_in(conversion, &regular, tier, &mut Vec::new())?;
                (regular_price.minor() > unit_price.minor()).then(|| {
                    explanation.push(ExplanationStep::CompareAt {
                        price: regular_price,
                        origin: CompareAtOrigin::RegularPrice,
                    });
                    regular_price
                })
            }
            (None, None) => None,
        };

        explanation.push(ExplanationStep::OrderQuantity {
            quantity,
            rules: self.quantity_rules,
        });
        let line_total =
            unit_price
                .checked_mul(i64::from(quantity))
                .map_err(|err| PricingError::Overflow {
                    operation: err.to_string(),
                })?;
        Ok(PriceQuote {
            unit_price,
            quantity,
            line_total,
            compare_at,
            date,
            schedule: schedule.map(|(_, list)| list.name.clone()),
            explanation,
        })
    }
}
