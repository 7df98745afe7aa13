//! China export customs for cross-border e-commerce: classification into
//! 9610 / 9710 / 9810, the CEB export messages, and the monthly summary.
//!
//! - [`ExportShipment`]: one outbound consignment (sale kind, consignor,
//!   order, payment, logistics, declaration data, items), stored as JSON
//!   and posted through the API.
//! - [`classify`]: B2C parcel → 9610 (order type E), B2B sale → 9710 (B),
//!   stock transfer to a registered overseas warehouse → 9810 (W), with
//!   the reason in English and Chinese. A stock transfer to an
//!   *unregistered* warehouse is refused with an explanation (register it
//!   for 9810, or export under general trade 0110 outside these messages);
//!   see [`classify()`].
//! - [`build_ceb303`] (order), [`build_ceb403`] (receipt of payment),
//!   [`build_ceb505`] (waybill), [`build_ceb603`] (export list): each
//!   validates before writing and returns **all** problems at once as
//!   [`CustomsError::Invalid`], each with a field path such as
//!   `items[2].gcode` and an English reason. [`validate()`] runs every rule.
//! - [`summarize`]: the month's 9610 lists merged for the summary
//!   declaration (汇总申报), with [`summary_csv`] and [`summary_xml`].
//!
//! # Signing
//!
//! A message with appStatus 2 (declared) must carry the company's XML-DSig
//! signature, made with its customs IC card / UKey certificate. Signing is
//! an extension point: the [`Signer`] trait, which this crate does **not**
//! implement — not even with a fake. Building with
//! [`AppStatus::Declared`] and no signer fails with
//! [`CustomsError::SignerRequired`], which says a signer must be
//! configured; drafts (appStatus 1) need none. The web/binary layer plugs
//! in a real signer (a local signing client or the single window's signing
//! service); its output is checked to be well-formed XML.
//!
//! # Codes and numbers
//!
//! Currencies and countries are written as China customs' 3-digit codes
//! (142 CNY, 502 USD, 300 EUR, 303 GBP, 116 JPY, 601 AUD, 110 HKD, 501
//! CAD, 609 NZD, 132 SGD; countries 502 United States, 303 United Kingdom,
//! 304 Germany…), from public copies of the customs tables cited in
//! [`codes`]. Money is written with exactly 2 decimals, quantities as
//! exact decimals (≤ 5 decimals), weights in kilograms from grams.
//! `appTime` is given by the caller (China time) and each record's `guid`
//! is either given or derived deterministically ([`MessageGuid::derive`]):
//! the domain reads no clock and draws no random number.
//!
//! XML is written by hand with escaping of `& < > " '`;
//! [`xml::check_well_formed`] checks documents of this kind.

mod classify;
pub mod codes;
mod datetime;
mod error;
mod guid;
mod messages;
mod shipment;
mod summary;
mod validate;
pub mod xml;

pub use classify::{classify, Classification, ClassificationError, CustomsMode, OrderType};
pub use codes::{StatisticsFlag, TransportMode};
pub use datetime::{CustomsDateTime, CustomsDateTimeError};
pub use error::{CebMessageKind, CustomsError, CustomsFieldError, SignError};
pub use guid::MessageGuid;
pub use messages::{
    build_ceb303, build_ceb403, build_ceb505, build_ceb603, AppStatus, CebMessage, MessageContext,
    SignedMessage, Signer, Transmitter,
};
pub use shipment::{
    Buyer, Consignor, DeclarationData, ExportItem, ExportOrder, ExportShipment, Logistics,
    OverseasWarehouse, Payment, SaleKind,
};
pub use summary::{summarize, summary_csv, summary_xml, SummaryDeclaration, CSV_HEADER};
pub use validate::validate;
