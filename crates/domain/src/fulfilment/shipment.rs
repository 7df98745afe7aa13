//! A shipment's states, its parcel, its tracking number and the carrier's
//! tracking events.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a fulfilment step was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FulfilmentError {
    /// A field is wrong.
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    /// The step does not apply in the shipment's state.
    #[error("a shipment that is {from} cannot be {}", .event.past_tense())]
    IllegalTransition {
        from: ShipmentStatus,
        event: ShipmentEvent,
    },
}

fn invalid(field: impl Into<String>, reason: impl Into<String>) -> FulfilmentError {
    FulfilmentError::Invalid {
        field: field.into(),
        reason: reason.into(),
    }
}

/// Where a shipment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShipmentStatus {
    /// Routed and allocated; waiting for a wave.
    Pending,
    /// In a wave: on the pick list.
    Picking,
    /// Packed: parcel weighed and measured.
    Packed,
    /// Handed to the carrier with a tracking number; its units left the
    /// warehouse's stock.
    Shipped,
    /// Delivered to the buyer.
    Delivered,
    /// Will not ship (re-routed or the order cancelled); its stock hold released.
    Cancelled,
}

impl ShipmentStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [ShipmentStatus; 6] = [
        ShipmentStatus::Pending,
        ShipmentStatus::Picking,
        ShipmentStatus::Packed,
        ShipmentStatus::Shipped,
        ShipmentStatus::Delivered,
        ShipmentStatus::Cancelled,
    ];

    /// The snake_case name used in JSON and the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            ShipmentStatus::Pending => "pending",
            ShipmentStatus::Picking => "picking",
            ShipmentStatus::Packed => "packed",
            ShipmentStatus::Shipped => "shipped",
            ShipmentStatus::Delivered => "delivered",
            ShipmentStatus::Cancelled => "cancelled",
        }
    }

    /// Reads a name written by [`ShipmentStatus::as_str`].
    pub fn parse(text: &str) -> Option<ShipmentStatus> {
        ShipmentStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether its units have left the warehouse.
    pub fn has_left(self) -> bool {
        matches!(self, ShipmentStatus::Shipped | ShipmentStatus::Delivered)
    }

    /// The status after `event`, or why the event is refused here.
    pub fn apply(self, event: ShipmentEvent) -> Result<ShipmentStatus, FulfilmentError> {
        use ShipmentEvent as E;
        use ShipmentStatus as S;
        Ok(match (self, event) {
            (S::Pending, E::Wave) => S::Picking,
            (S::Picking, E::Pack) => S::Packed,
            (S::Packed, E::Ship) => S::Shipped,
            (S::Shipped, E::Deliver) => S::Delivered,
            (S::Pending | S::Picking | S::Packed, E::Cancel) => S::Cancelled,
            (from, event) => return Err(FulfilmentError::IllegalTransition { from, event }),
        })
    }
}

impl fmt::Display for ShipmentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// What happens to a shipment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShipmentEvent {
    /// Released to the floor in a wave.
    Wave,
    /// Packed.
    Pack,
    /// Handed to the carrier.
    Ship,
    /// Delivered.
    Deliver,
    /// Will not ship.
    Cancel,
}

impl ShipmentEvent {
    /// The snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            ShipmentEvent::Wave => "wave",
            ShipmentEvent::Pack => "pack",
            ShipmentEvent::Ship => "ship",
            ShipmentEvent::Deliver => "deliver",
            ShipmentEvent::Cancel => "cancel",
        }
    }

    /// For messages: "a shipment that is pending cannot be shipped".
    pub const fn past_tense(self) -> &'static str {
        match self {
            ShipmentEvent::Wave => "put in a wave",
            ShipmentEvent::Pack => "packed",
            ShipmentEvent::Ship => "shipped",
            ShipmentEvent::Deliver => "delivered",
            ShipmentEvent::Cancel => "cancelled",
        }
    }
}

impl fmt::Display for ShipmentEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// The packed parcel: carton, weight and outside size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parcel {
    /// The carton used, e.g. `C-30x20x15`: 1–40 characters.
    pub carton: String,
    /// Weighed, grams (1 to 70,000).
    pub weight_g: u32,
    /// Outside size, millimetres (1 to 3,000 each).
    pub length_mm: u32,
    pub width_mm: u32,
    pub height_mm: u32,
}

impl Parcel {
    /// Largest parcel weight accepted, grams.
    pub const MAX_WEIGHT_G: u32 = 70_000;
    /// Longest side accepted, millimetres.
    pub const MAX_SIDE_MM: u32 = 3_000;

    /// Checks the figures, naming fields under `at` (e.g. `parcel`).
    pub fn check(&self, at: &str) -> Result<(), FulfilmentError> {
        let carton = self.carton.trim();
        if carton.is_empty() || carton.chars().count() > 40 {
            return Err(invalid(
                format!("{at}.carton"),
                "must be 1 to 40 characters",
            ));
        }
        if !(1..=Self::MAX_WEIGHT_G).contains(&self.weight_g) {
            return Err(invalid(
                format!("{at}.weight_g"),
                format!("must be 1 to {} grams", Self::MAX_WEIGHT_G),
            ));
        }
        for (name, v) in [
            ("length_mm", self.length_mm),
            ("width_mm", self.width_mm),
            ("height_mm", self.height_mm),
        ] {
            if !(1..=Self::MAX_SIDE_MM).contains(&v) {
                return Err(invalid(
                    format!("{at}.{name}"),
                    format!("must be 1 to {} mm", Self::MAX_SIDE_MM),
                ));
            }
        }
        Ok(())
    }
}

/// A carrier's tracking number: 6–40 of `A-Z`, `0-9` and `-`, upper-cased
/// on parsing (spaces are dropped, as carriers print them in groups).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TrackingNumber(String);

impl TrackingNumber {
    /// Parses a tracking number as printed on a label.
    pub fn parse(text: &str) -> Result<TrackingNumber, FulfilmentError> {
        let compact: String = text
            .chars()
            .filter(|c| *c != ' ')
            .collect::<String>()
            .to_ascii_uppercase();
        let ok = (6..=40).contains(&compact.len())
            && compact
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(TrackingNumber(compact))
        } else {
            Err(invalid(
                "tracking_number",
                format!(
                    "{:?} must be 6 to 40 of A-Z, 0-9 and -",
                    text.chars().take(41).collect::<String>()
                ),
            ))
        }
    }

    /// The number, upper-case.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TrackingNumber {
    type Error = FulfilmentError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        TrackingNumber::parse(&text)
    }
}

impl From<TrackingNumber> for String {
    fn from(t: TrackingNumber) -> String {
        t.0
    }
}

/// What a carrier reports about a shipped parcel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrackingStatus {
    /// Moving through the carrier's network.
    InTransit,
    /// With the driver for delivery today.
    OutForDelivery,
    /// Held up (address problem, customs hold, damage).
    Exception,
    /// Delivered: the shipment becomes delivered.
    Delivered,
}

/// One tracking event as a carrier reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackingEvent {
    pub status: TrackingStatus,
    /// Where, as the carrier says it (0–120 characters).
    #[serde(default)]
    pub location: Option<String>,
    /// What, as the carrier says it (0–300 characters).
    #[serde(default)]
    pub description: Option<String>,
}

impl TrackingEvent {
    /// Checks the texts' lengths.
    pub fn check(&self) -> Result<(), FulfilmentError> {
        if self
            .location
            .as_deref()
            .is_some_and(|l| l.chars().count() > 120)
        {
            return Err(invalid("location", "must be at most 120 characters"));
        }
        if self
            .description
            .as_deref()
            .is_some_and(|d| d.chars().count() > 300)
        {
            return Err(invalid("description", "must be at most 300 characters"));
        }
        Ok(())
    }
}

/// The instant (Unix ms) of a warehouse's cut-off on the local day that
/// contains `now_ms`: local midnight plus `cutoff_minutes`, at the
/// warehouse's standard offset.
pub fn cutoff_instant(now_ms: i64, utc_offset_minutes: i32, cutoff_minutes: u32) -> i64 {
    let offset_ms = i64::from(utc_offset_minutes) * 60_000;
    let day_ms = 86_400_000;
    let local_midnight = (now_ms + offset_ms).div_euclid(day_ms) * day_ms - offset_ms;
    local_midnight + i64::from(cutoff_minutes) * 60_000
}

/// The next cut-off at or after `now_ms` on one of the warehouse's
/// `dispatch_days` (every day when empty): today's (local) if it has not
/// passed and parcels leave today, else that of the next dispatch day. A
/// wave released now serves this cut-off.
pub fn next_cutoff(
    now_ms: i64,
    utc_offset_minutes: i32,
    cutoff_minutes: u32,
    dispatch_days: &[crate::calendar::Weekday],
) -> i64 {
    let day_ms = 86_400_000;
    let today = cutoff_instant(now_ms, utc_offset_minutes, cutoff_minutes);
    // The local day of today's cut-off, counted from 1970-01-01.
    let local_day = (today + i64::from(utc_offset_minutes) * 60_000).div_euclid(day_ms);
    (0..=7)
        .map(|k| (local_day + k, today + k * day_ms))
        .find(|(day, at)| {
            *at >= now_ms
                && (dispatch_days.is_empty()
                    || dispatch_days.contains(&crate::routing::weekday_of_day(*day)))
        })
        .map_or(today + day_ms, |(_, at)| at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_happy_path_runs_from_pending_to_delivered() {
        let mut s = ShipmentStatus::Pending;
        for e in [
            ShipmentEvent::Wave,
            ShipmentEvent::Pack,
            ShipmentEvent::Ship,
            ShipmentEvent::Deliver,
        ] {
            s = s.apply(e).unwrap();
        }
        assert_eq!(s, ShipmentStatus::Delivered);
        assert!(s.has_left());
    }

    #[test]
    fn a_shipped_parcel_cannot_be_cancelled_and_says_so() {
        let e = ShipmentStatus::Shipped
            .apply(ShipmentEvent::Cancel)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "a shipment that is shipped cannot be cancelled"
        );
        let e = ShipmentStatus::Pending
            .apply(ShipmentEvent::Ship)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "a shipment that is pending cannot be shipped"
        );
    }

    #[test]
    fn names_round_trip() {
        for s in ShipmentStatus::ALL {
            assert_eq!(ShipmentStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn tracking_numbers_are_compacted_and_checked() {
        assert_eq!(
            TrackingNumber::parse("9400 1118 9922 3344 5566 77")
                .unwrap()
                .as_str(),
            "9400111899223344556677"
        );
        assert_eq!(
            TrackingNumber::parse("lx123456789cn").unwrap().as_str(),
            "LX123456789CN"
        );
        assert!(TrackingNumber::parse("12345").is_err());
        assert!(TrackingNumber::parse("AB12345#").is_err());
    }

    #[test]
    fn parcels_name_the_wrong_figure() {
        let p = Parcel {
            carton: "C-30".into(),
            weight_g: 1500,
            length_mm: 300,
            width_mm: 200,
            height_mm: 0,
        };
        assert_eq!(
            p.check("parcel").unwrap_err().to_string(),
            "parcel.height_mm: must be 1 to 3000 mm"
        );
        let p = Parcel {
            height_mm: 150,
            weight_g: 70_001,
            ..p
        };
        assert!(p
            .check("parcel")
            .unwrap_err()
            .to_string()
            .starts_with("parcel.weight_g"));
    }

    #[test]
    fn the_cut_off_is_on_the_warehouse_local_day() {
        let day = 1_795_737_600_000_i64; // 2026-11-27 00:00 UTC
                                         // Los Angeles (UTC−8), 14:00 cut-off: at 2026-11-27 05:00 UTC it is
                                         // still the 26th locally, whose cut-off is 2026-11-26 22:00 UTC.
        let at = day + 5 * 3_600_000;
        assert_eq!(cutoff_instant(at, -480, 840), day - 2 * 3_600_000);
        // Shanghai (UTC+8), 18:00 cut-off: 2026-11-27 10:00 UTC.
        assert_eq!(cutoff_instant(at, 480, 1080), day + 10 * 3_600_000);
        // After Los Angeles' cut-off has passed, the next one is tomorrow's.
        assert_eq!(next_cutoff(at, -480, 840, &[]), day + 22 * 3_600_000);
        assert_eq!(next_cutoff(at, 480, 1080, &[]), day + 10 * 3_600_000);
        // At the cut-off itself, it is still today's.
        assert_eq!(
            next_cutoff(day + 10 * 3_600_000, 480, 1080, &[]),
            day + 10 * 3_600_000
        );
    }

    #[test]
    fn the_next_cut_off_is_on_a_dispatch_day() {
        use crate::calendar::Weekday::*;
        let weekdays = [Monday, Tuesday, Wednesday, Thursday, Friday];
        let friday = 1_795_737_600_000_i64; // 2026-11-27 00:00 UTC, a Friday
        let hour = 3_600_000;
        // Los Angeles (UTC−8), 14:00 cut-off = 22:00 UTC. Friday 23:00 UTC
        // is past Friday's: the next is Monday's, 2026-11-30 22:00 UTC.
        assert_eq!(
            next_cutoff(friday + 23 * hour, -480, 840, &weekdays),
            friday + (3 * 24 + 22) * hour
        );
        // Friday before the cut-off: today's.
        assert_eq!(
            next_cutoff(friday + 20 * hour, -480, 840, &weekdays),
            friday + 22 * hour
        );
        // Every day: Saturday's.
        assert_eq!(
            next_cutoff(friday + 23 * hour, -480, 840, &[]),
            friday + (24 + 22) * hour
        );
    }
}
