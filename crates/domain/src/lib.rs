//! Chuhai's domain: the trade types and rules, free of I/O and frameworks.

pub mod accounts;
pub mod country;
pub mod money;
