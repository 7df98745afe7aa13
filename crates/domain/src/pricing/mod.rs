//! Market prices: derived from the seller's base price by exchange rate,
//! markup and the market's rounding; with manual overrides, compare-at
//! prices, scheduled price lists, quantity tiers and B2B order rules.
//!
//! - [`derive_price`]: the bulk path (millions of prices), exact
//!   `base × rate × (1 + markup)` rounded once by a [`MarketRounding`];
//!   allocation-free, returns a [`DerivedPrice`] recording its inputs.
//! - [`VariantPricing::quote`]: a price query for a variant in a market,
//!   a quantity and a date, answering a [`PriceQuote`] with the unit price
//!   and an explanation, step by step ([`ExplanationStep`]).
//! - [`OrderQuantityRules`]: MOQ, pack size, order increment.
//!
//! Amounts are [`Money`](crate::money::Money) (minor units); markups and
//! discounts are [`Rate`](crate::money::Rate) fractions (0.25 for 25 %);
//! rounding steps (`price_minor_unit`, `price_whole_units`,
//! `price_charm_ending`, `price_nearest_step`) are named and documented in
//! [`MarketRounding`].

mod derive;
mod error;
mod exact;
mod quantity;
mod quote;
mod rounding;

pub use derive::{derive_price, DerivedPrice, PriceRule};
pub use error::{PricingError, QuantityError};
pub use quantity::{OrderQuantityRules, QuantityTier};
pub use quote::{
    CompareAtOrigin, ExplanationStep, PriceListKind, PriceQuote, ScheduledPriceList, VariantPricing,
};
pub use rounding::{
    MarketRounding, PRICE_CHARM_ENDING, PRICE_MINOR_UNIT, PRICE_NEAREST_STEP, PRICE_WHOLE_UNITS,
};
