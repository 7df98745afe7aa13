//! The shipping address of a cart or order, and what a destination needs.

use serde::{Deserialize, Serialize};

use crate::country::Country;

use super::error::OrderError;

/// Destinations without postal codes in general use: an address there
/// needs none. Everywhere else carriers and customs need one.
const WITHOUT_POSTAL_CODES: &[&str] = &[
    "AE", "AG", "AO", "AW", "BF", "BI", "BJ", "BO", "BS", "BW", "BZ", "CD", "CF", "CG", "CI", "CK",
    "CM", "DJ", "DM", "ER", "FJ", "GA", "GD", "GH", "GM", "GQ", "GY", "HK", "KI", "KM", "KN", "LY",
    "ML", "MO", "MR", "MW", "NR", "NU", "QA", "RW", "SB", "SC", "SL", "SR", "SS", "ST", "SY", "TD",
    "TG", "TK", "TL", "TO", "TV", "UG", "VU", "YE", "ZW",
];

/// Longest text of one address field, in characters.
pub const MAX_FIELD_CHARS: usize = 200;

/// Where an order is shipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShippingAddress {
    /// The recipient.
    pub name: String,
    pub line1: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    pub city: String,
    /// State, province or prefecture, where the destination uses one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Required unless the destination has no postal codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    pub country: Country,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl ShippingAddress {
    /// Whether addresses in `country` need a postal code.
    pub fn needs_postal_code(country: Country) -> bool {
        !WITHOUT_POSTAL_CODES.contains(&country.alpha2())
    }

    /// Checks the address for a seller that sells to `sells_to`; errors
    /// name the field under `prefix` (e.g. `address.postal_code`).
    pub fn check(&self, prefix: &str, sells_to: &[Country]) -> Result<(), OrderError> {
        let field = |name: &str| format!("{prefix}.{name}");
        for (name, value) in [
            ("name", Some(&self.name)),
            ("line1", Some(&self.line1)),
            ("line2", self.line2.as_ref()),
            ("city", Some(&self.city)),
            ("region", self.region.as_ref()),
            ("postal_code", self.postal_code.as_ref()),
            ("phone", self.phone.as_ref()),
        ] {
            if let Some(v) = value {
                if v.chars().count() > MAX_FIELD_CHARS {
                    return Err(OrderError::invalid(
                        field(name),
                        format!("longer than {MAX_FIELD_CHARS} characters"),
                    ));
                }
                if v.chars().any(char::is_control) {
                    return Err(OrderError::invalid(
                        field(name),
                        "contains control characters",
                    ));
                }
            }
        }
        for (name, value) in [
            ("name", &self.name),
            ("line1", &self.line1),
            ("city", &self.city),
        ] {
            if value.trim().is_empty() {
                return Err(OrderError::invalid(field(name), "is required"));
            }
        }
        if !sells_to.contains(&self.country) {
            let list: Vec<&str> = sells_to.iter().map(|c| c.alpha2()).collect();
            return Err(OrderError::invalid(
                field("country"),
                format!(
                    "the seller does not sell to {} in this market (sells to {})",
                    self.country.alpha2(),
                    list.join(", ")
                ),
            ));
        }
        let postal = self.postal_code.as_deref().map(str::trim).unwrap_or("");
        if postal.is_empty() && Self::needs_postal_code(self.country) {
            return Err(OrderError::invalid(
                field("postal_code"),
                format!("is required for addresses in {}", self.country.alpha2()),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(country: &str, postal: Option<&str>) -> ShippingAddress {
        ShippingAddress {
            name: "Ada Buyer".into(),
            line1: "1 Main St".into(),
            line2: None,
            city: "Springfield".into(),
            region: None,
            postal_code: postal.map(Into::into),
            country: Country::from_alpha2(country).unwrap(),
            phone: None,
        }
    }

    fn us() -> Vec<Country> {
        vec![
            Country::from_alpha2("US").unwrap(),
            Country::from_alpha2("HK").unwrap(),
        ]
    }

    #[test]
    fn a_us_address_needs_a_postal_code() {
        let e = address("US", None).check("address", &us()).unwrap_err();
        assert!(
            matches!(e, OrderError::Invalid { ref field, .. } if field == "address.postal_code")
        );
        address("US", Some("62704"))
            .check("address", &us())
            .unwrap();
    }

    #[test]
    fn hong_kong_needs_none() {
        address("HK", None).check("address", &us()).unwrap();
    }

    #[test]
    fn a_destination_outside_the_market_is_named() {
        let e = address("DE", Some("10115"))
            .check("address", &us())
            .unwrap_err();
        assert!(matches!(e, OrderError::Invalid { ref field, .. } if field == "address.country"));
    }

    #[test]
    fn blank_required_fields_are_refused() {
        let mut a = address("US", Some("62704"));
        a.city = " ".into();
        let e = a.check("address", &us()).unwrap_err();
        assert!(matches!(e, OrderError::Invalid { ref field, .. } if field == "address.city"));
    }
}
