//! Use cases that join the domain's rules to the store: shared by the API,
//! the console and the command line.

pub mod customs;
pub mod feeds;
pub mod fulfilment;
pub mod fx;
pub mod imports;
pub mod inventory;
pub mod jobs;
pub mod landed;
pub mod orders;
pub mod payments;
pub mod pricing;
pub mod pricing_cache;
pub mod returns;
pub mod webhooks;
