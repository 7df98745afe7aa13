//! Warehouses: origin warehouses in China and overseas warehouses (海外仓),
//! the facts a warehouse is described by, and their checks.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::codes::UtcOffset;
use super::error::LedgerError;
use crate::country::Country;

/// Where a warehouse sits in the flow of goods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarehouseKind {
    /// In China, where goods leave from (the seller's own or a consolidator's).
    Origin,
    /// Abroad, near the buyers (海外仓), usually run by a 3PL for many sellers.
    Overseas,
}

impl WarehouseKind {
    /// The stable name, `"origin"` or `"overseas"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            WarehouseKind::Origin => "origin",
            WarehouseKind::Overseas => "overseas",
        }
    }
}

impl fmt::Display for WarehouseKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for WarehouseKind {
    type Err = LedgerError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "origin" => Ok(WarehouseKind::Origin),
            "overseas" => Ok(WarehouseKind::Overseas),
            other => Err(invalid(
                "kind",
                format!("{other:?} is not origin or overseas"),
            )),
        }
    }
}

fn invalid(field: impl Into<String>, reason: impl Into<String>) -> LedgerError {
    LedgerError::Invalid {
        field: field.into(),
        reason: reason.into(),
    }
}

/// A warehouse as described by its operator, before it is stored.
///
/// Coordinates and capacities stay the exact text given (`"33.9416"`,
/// `"12000.5"`), checked as plain decimals; they are never floats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarehouseDraft {
    pub kind: WarehouseKind,
    /// The operator's short code, e.g. `LAX-1`: 2–20 of A-Z, 0-9 and `-`.
    pub code: String,
    /// 1–120 characters.
    pub name: String,
    pub country: Country,
    /// Postal address, 1–300 characters (lines separated by `\n`).
    pub address: String,
    /// Decimal degrees, −90 to 90, at most 7 decimals, e.g. `"33.9416"`.
    pub latitude: Option<String>,
    /// Decimal degrees, −180 to 180, at most 7 decimals.
    pub longitude: Option<String>,
    /// IANA time zone name, e.g. `America/Los_Angeles`.
    pub time_zone: String,
    /// The offset from UTC that decides the warehouse's calendar day for
    /// ages and storage fees (its standard time), in minutes east of UTC.
    pub utc_offset_minutes: i32,
    /// Daily order cut-off, local time `HH:MM`.
    pub cutoff_time: String,
    /// Floor area in m², a positive decimal.
    pub capacity_m2: Option<String>,
    /// Storage volume in m³, a positive decimal.
    pub capacity_m3: Option<String>,
    /// Carrier services it ships with, e.g. `UPS Ground`; 0–30 names of 1–60 characters.
    #[serde(default)]
    pub carrier_services: Vec<String>,
}

/// Checks a decimal given as text: plain digits with at most one point,
/// an optional leading minus, at most `max_scale` decimals.
fn decimal_text(text: &str, max_scale: u32) -> Result<Decimal, String> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let plain = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && !digits.starts_with('.')
        && !digits.ends_with('.')
        && digits.bytes().filter(|&b| b == b'.').count() <= 1;
    if !plain {
        return Err(format!("{text:?} is not a plain decimal such as \"12.5\""));
    }
    let value = Decimal::from_str(text).map_err(|e| format!("{text:?}: {e}"))?;
    if value.scale() > max_scale {
        return Err(format!("{text:?} has more than {max_scale} decimals"));
    }
    Ok(value)
}

/// A local time of day `HH:MM` (00:00–23:59) in minutes after midnight.
pub fn parse_cutoff(text: &str) -> Result<u32, LedgerError> {
    let err = || invalid("cutoff_time", format!("{text:?} is not a time HH:MM"));
    let (h, m) = text.split_once(':').ok_or_else(err)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(err());
    }
    let h: u32 = h.parse().map_err(|_| err())?;
    let m: u32 = m.parse().map_err(|_| err())?;
    if h > 23 || m > 59 {
        return Err(err());
    }
    Ok(h * 60 + m)
}

impl WarehouseDraft {
    /// The billing offset as the ledger rules take it.
    pub fn utc_offset(&self) -> Result<UtcOffset, LedgerError> {
        UtcOffset::from_minutes(self.utc_offset_minutes)
    }

    /// Every problem with the draft, each naming its field; empty when
    /// it may be stored. An origin warehouse is in China; an overseas
    /// warehouse is not.
    pub fn problems(&self) -> Vec<LedgerError> {
        let mut out = Vec::new();
        let code_ok = (2..=20).contains(&self.code.len())
            && self
                .code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
        if !code_ok {
            out.push(invalid(
                "code",
                format!("{:?} must be 2 to 20 of A-Z, 0-9 and -", self.code),
            ));
        }
        let text = |out: &mut Vec<LedgerError>, field: &str, value: &str, max: usize| {
            let n = value.trim().chars().count();
            if n == 0 || n > max {
                out.push(invalid(field, format!("must be 1 to {max} characters")));
            } else if value
                .chars()
                .any(|c| c.is_control() && !(field == "address" && c == '\n'))
            {
                out.push(invalid(field, "must not contain control characters"));
            }
        };
        text(&mut out, "name", &self.name, 120);
        text(&mut out, "address", &self.address, 300);
        match (self.kind, self.country == Country::CN) {
            (WarehouseKind::Origin, false) => out.push(invalid(
                "country",
                format!(
                    "an origin warehouse is in China, not {}",
                    self.country.alpha2()
                ),
            )),
            (WarehouseKind::Overseas, true) => out.push(invalid(
                "country",
                "an overseas warehouse is outside China; use kind origin",
            )),
            _ => {}
        }
        for (field, value, limit) in [
            ("latitude", &self.latitude, 90),
            ("longitude", &self.longitude, 180),
        ] {
            if let Some(v) = value {
                match decimal_text(v, 7) {
                    Ok(d) if d.abs() <= Decimal::from(limit) => {}
                    Ok(_) => out.push(invalid(field, format!("{v} is beyond ±{limit}°"))),
                    Err(e) => out.push(invalid(field, e)),
                }
            }
        }
        if self.latitude.is_some() != self.longitude.is_some() {
            out.push(invalid(
                "longitude",
                "give both latitude and longitude, or neither",
            ));
        }
        let tz_ok = self.time_zone == "UTC"
            || (self.time_zone.len() <= 64
                && self.time_zone.contains('/')
                && self.time_zone.split('/').all(|part| {
                    !part.is_empty()
                        && part
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+'))
                }));
        if !tz_ok {
            out.push(invalid(
                "time_zone",
                format!(
                    "{:?} is not an IANA time zone name such as America/Los_Angeles",
                    self.time_zone
                ),
            ));
        }
        if let Err(e) = self.utc_offset() {
            out.push(e);
        }
        if let Err(e) = parse_cutoff(&self.cutoff_time) {
            out.push(e);
        }
        for (field, value) in [
            ("capacity_m2", &self.capacity_m2),
            ("capacity_m3", &self.capacity_m3),
        ] {
            if let Some(v) = value {
                match decimal_text(v, 3) {
                    Ok(d) if d > Decimal::ZERO => {}
                    Ok(_) => out.push(invalid(field, format!("{v} must be positive"))),
                    Err(e) => out.push(invalid(field, e)),
                }
            }
        }
        if self.carrier_services.len() > 30 {
            out.push(invalid("carrier_services", "at most 30 services"));
        }
        for (i, s) in self.carrier_services.iter().enumerate() {
            let n = s.trim().chars().count();
            if n == 0 || n > 60 || s.chars().any(char::is_control) {
                out.push(invalid(
                    format!("carrier_services[{i}]"),
                    "must be 1 to 60 characters",
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lax() -> WarehouseDraft {
        WarehouseDraft {
            kind: WarehouseKind::Overseas,
            code: "LAX-1".into(),
            name: "Los Angeles (Ontario)".into(),
            country: Country::US,
            address: "3355 E Jurupa St\nOntario, CA 91761".into(),
            latitude: Some("34.0420".into()),
            longitude: Some("-117.5727".into()),
            time_zone: "America/Los_Angeles".into(),
            utc_offset_minutes: -480,
            cutoff_time: "14:00".into(),
            capacity_m2: Some("24000".into()),
            capacity_m3: Some("150000.5".into()),
            carrier_services: vec!["UPS Ground".into(), "USPS Ground Advantage".into()],
        }
    }

    #[test]
    fn a_good_warehouse_has_no_problems() {
        assert_eq!(lax().problems(), vec![]);
        assert_eq!(parse_cutoff("14:30").unwrap(), 870);
    }

    #[test]
    fn problems_name_their_fields() {
        let mut w = lax();
        w.code = "lax 1".into();
        w.latitude = Some("95".into());
        w.longitude = Some("1e3".into());
        w.time_zone = "Pacific".into();
        w.cutoff_time = "24:00".into();
        w.capacity_m2 = Some("0".into());
        w.country = Country::CN;
        w.utc_offset_minutes = 900;
        let fields: Vec<String> = w
            .problems()
            .iter()
            .map(|e| e.field().unwrap().to_owned())
            .collect();
        assert_eq!(
            fields,
            [
                "code",
                "country",
                "latitude",
                "longitude",
                "time_zone",
                "utc_offset_minutes",
                "cutoff_time",
                "capacity_m2"
            ]
        );
        let mut origin = lax();
        origin.kind = WarehouseKind::Origin;
        assert_eq!(origin.problems()[0].field(), Some("country"));
        let mut half = lax();
        half.longitude = None;
        assert_eq!(half.problems()[0].field(), Some("longitude"));
    }
}
