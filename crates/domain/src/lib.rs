//! Chuhai's domain: the trade types and rules, free of I/O and frameworks.

pub mod accounts;
pub mod calendar;
pub mod catalog;
pub mod country;
pub mod customs;
pub mod fulfilment;
pub mod fx;
pub mod inventory;
pub mod landed;
pub mod market;
pub mod money;
pub mod orders;
pub mod payments;
pub mod pricing;
pub mod returns;
pub mod routing;
mod text_newtype;
pub mod webhooks;
