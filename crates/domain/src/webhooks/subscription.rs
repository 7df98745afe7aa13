//! A seller's webhook subscription: where to send which events.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The events a subscription can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum EventKind {
    #[serde(rename = "order.created")]
    OrderCreated,
    #[serde(rename = "order.paid")]
    OrderPaid,
    #[serde(rename = "order.cancelled")]
    OrderCancelled,
    #[serde(rename = "order.refunded")]
    OrderRefunded,
    #[serde(rename = "shipment.shipped")]
    ShipmentShipped,
    #[serde(rename = "shipment.delivered")]
    ShipmentDelivered,
    #[serde(rename = "return.requested")]
    ReturnRequested,
    #[serde(rename = "return.received")]
    ReturnReceived,
    #[serde(rename = "return.refunded")]
    ReturnRefunded,
    #[serde(rename = "stock.low")]
    StockLow,
}

impl EventKind {
    /// Every kind, in a fixed order.
    pub const ALL: [EventKind; 10] = [
        EventKind::OrderCreated,
        EventKind::OrderPaid,
        EventKind::OrderCancelled,
        EventKind::OrderRefunded,
        EventKind::ShipmentShipped,
        EventKind::ShipmentDelivered,
        EventKind::ReturnRequested,
        EventKind::ReturnReceived,
        EventKind::ReturnRefunded,
        EventKind::StockLow,
    ];

    /// The name on the wire, e.g. `order.paid`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::OrderCreated => "order.created",
            EventKind::OrderPaid => "order.paid",
            EventKind::OrderCancelled => "order.cancelled",
            EventKind::OrderRefunded => "order.refunded",
            EventKind::ShipmentShipped => "shipment.shipped",
            EventKind::ShipmentDelivered => "shipment.delivered",
            EventKind::ReturnRequested => "return.requested",
            EventKind::ReturnReceived => "return.received",
            EventKind::ReturnRefunded => "return.refunded",
            EventKind::StockLow => "stock.low",
        }
    }

    /// The kind named `name`.
    pub fn parse(name: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refused subscription, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {reason}")]
pub struct SubscriptionError {
    pub field: String,
    pub reason: String,
}

fn refuse(field: impl Into<String>, reason: impl Into<String>) -> SubscriptionError {
    SubscriptionError {
        field: field.into(),
        reason: reason.into(),
    }
}

/// A checked subscription: an `https` URL (or `http` to this machine, for
/// development), at most 2,048 characters, without credentials, and at
/// least one event, each once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubscriptionDraft {
    url: String,
    events: BTreeSet<EventKind>,
}

impl SubscriptionDraft {
    /// Checks `url` and `events` (wire names).
    pub fn new(url: &str, events: &[String]) -> Result<SubscriptionDraft, SubscriptionError> {
        let url = url.trim();
        if url.len() > 2_048 {
            return Err(refuse("url", "is longer than 2,048 characters"));
        }
        let rest = if let Some(rest) = url.strip_prefix("https://") {
            rest
        } else if let Some(rest) = url.strip_prefix("http://") {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            let name = match host.strip_prefix('[') {
                // An IPv6 literal: [::1] or [::1]:port.
                Some(v6) => v6.split(']').next().unwrap_or(""),
                None => host.split(':').next().unwrap_or(""),
            };
            if !matches!(name, "localhost" | "127.0.0.1" | "::1") {
                return Err(refuse(
                    "url",
                    "must use https (plain http only to localhost, for development)",
                ));
            }
            rest
        } else {
            return Err(refuse("url", "must be an https:// URL"));
        };
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        if host.is_empty() {
            return Err(refuse("url", "has no host"));
        }
        if host.contains('@') {
            return Err(refuse(
                "url",
                "must not carry credentials: deliveries are signed instead",
            ));
        }
        if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(refuse(
                "url",
                "must not contain spaces or control characters",
            ));
        }
        if events.is_empty() {
            return Err(refuse("events", "name at least one event"));
        }
        let mut kinds = BTreeSet::new();
        for (i, name) in events.iter().enumerate() {
            let kind = EventKind::parse(name).ok_or_else(|| {
                refuse(
                    format!("events[{i}]"),
                    format!(
                        "{name:?} is not an event; known: {}",
                        EventKind::ALL.map(EventKind::as_str).join(", ")
                    ),
                )
            })?;
            if !kinds.insert(kind) {
                return Err(refuse(
                    format!("events[{i}]"),
                    format!("{name} is named twice"),
                ));
            }
        }
        Ok(SubscriptionDraft {
            url: url.to_owned(),
            events: kinds,
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn events(&self) -> &BTreeSet<EventKind> {
        &self.events
    }

    /// Whether `kind` is delivered to this subscription.
    pub fn wants(&self, kind: EventKind) -> bool {
        self.events.contains(&kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_subscription_takes_https_and_known_events_once() {
        let s = SubscriptionDraft::new(
            " https://shop.example/hooks/chuhai ",
            &names(&["order.paid", "shipment.shipped"]),
        )
        .unwrap();
        assert_eq!(s.url(), "https://shop.example/hooks/chuhai");
        assert!(s.wants(EventKind::OrderPaid));
        assert!(!s.wants(EventKind::OrderCreated));
        assert!(
            SubscriptionDraft::new("http://localhost:9000/h", &names(&["order.created"])).is_ok()
        );
        assert!(SubscriptionDraft::new("http://127.0.0.1/h", &names(&["order.created"])).is_ok());
        assert!(SubscriptionDraft::new("http://[::1]/h", &names(&["order.created"])).is_ok());
        assert!(SubscriptionDraft::new("http://[::1]:8080/h", &names(&["order.created"])).is_ok());
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::Value::String(kind.as_str().to_owned())
            );
        }
    }

    #[test]
    fn refusals_name_the_field() {
        let one = names(&["order.paid"]);
        let cases: [(&str, Vec<String>, &str); 8] = [
            ("ftp://shop.example/h", one.clone(), "url"),
            ("http://shop.example/h", one.clone(), "url"),
            ("http://localhost.evil.example/h", one.clone(), "url"),
            ("https:///h", one.clone(), "url"),
            ("https://user:pw@shop.example/h", one.clone(), "url"),
            ("https://shop.example/h", vec![], "events"),
            (
                "https://shop.example/h",
                names(&["order.paid", "order.shipped"]),
                "events[1]",
            ),
            (
                "https://shop.example/h",
                names(&["order.paid", "order.paid"]),
                "events[1]",
            ),
        ];
        for (url, events, field) in cases {
            let err = SubscriptionDraft::new(url, &events).unwrap_err();
            assert_eq!(err.field, field, "{url} {events:?}");
        }
        let long = format!("https://shop.example/{}", "a".repeat(2_048));
        assert_eq!(
            SubscriptionDraft::new(&long, &one).unwrap_err().field,
            "url"
        );
    }
}
