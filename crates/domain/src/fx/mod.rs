//! Exchange rates: dated euro reference rates with their source, exact
//! cross rates, and the readers for the ECB's files.
//!
//! - [`ReferenceRates`]: for each currency its rates per euro by date; a
//!   lookup uses the latest rate on or before the date asked for.
//! - [`Conversion`]: `from → to` on a date as the exact quotient of two euro
//!   rates (CNY→USD = USD-per-EUR / CNY-per-EUR), with the dates and the
//!   [`FxSource`] used; [`Conversion::apply`] rounds once, at a named step.
//! - [`parse_ecb_csv`] and [`parse_ecb_daily_xml`]: the ECB historical CSV
//!   and the daily (or historical) XML, into [`EcbRates`].
//!
//! No floating point, no I/O: callers read files and pass the text.

mod conversion;
mod ecb;
mod ecb_csv;
mod ecb_xml;
mod error;
mod rates;
mod source;

pub use conversion::{Conversion, FxLeg};
pub use ecb::{EcbDay, EcbRates};
pub use ecb_csv::parse_ecb_csv;
pub use ecb_xml::parse_ecb_daily_xml;
pub use error::{FxError, FxImportError};
pub use rates::ReferenceRates;
pub use source::FxSource;
