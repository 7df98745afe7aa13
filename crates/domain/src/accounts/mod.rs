//! Accounts and tenants: who may act in Chuhai and on whose behalf.
//!
//! Every value type here is parsed once at the edge and is valid by
//! construction (a `Slug` that exists is a valid slug).

mod password;

pub use password::{hash_password, verify_password, PasswordHash, DUMMY_PASSWORD_HASH};

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A validation failure on one named field, e.g. `email: must contain one '@'`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct FieldError {
    /// The field's name as the caller knows it (`email`, `password`, `slug`).
    pub field: &'static str,
    /// Why the value was refused, in English.
    pub reason: String,
}

impl FieldError {
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }
}

/// An e-mail address used as a login, stored lower-cased and trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim().to_lowercase();
        let err = |reason: &str| FieldError::new("email", reason);
        if value.is_empty() {
            return Err(err("must not be empty"));
        }
        if value.len() > 254 {
            return Err(err("must be at most 254 characters"));
        }
        let Some((local, domain)) = value.split_once('@') else {
            return Err(err("must contain one '@'"));
        };
        if local.is_empty() || domain.is_empty() || domain.contains('@') {
            return Err(err("must look like name@example.com"));
        }
        if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') {
            return Err(err("domain must contain a dot, e.g. example.com"));
        }
        if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(err("must not contain spaces"));
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A new password as typed by a person: 10 to 256 characters.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    /// Shortest accepted password, in characters.
    pub const MIN_CHARS: usize = 10;
    /// Longest accepted password, in characters (bounds hashing work).
    pub const MAX_CHARS: usize = 256;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let n = raw.chars().count();
        if n < Self::MIN_CHARS {
            return Err(FieldError::new(
                "password",
                format!("must be at least {} characters", Self::MIN_CHARS),
            ));
        }
        if n > Self::MAX_CHARS {
            return Err(FieldError::new(
                "password",
                format!("must be at most {} characters", Self::MAX_CHARS),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

/// A URL-safe organisation handle: 2–40 of `a-z`, `0-9` and inner `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let err = |reason: &str| FieldError::new("slug", reason);
        let n = raw.len();
        if !(2..=40).contains(&n) {
            return Err(err("must be 2 to 40 characters"));
        }
        if !raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(err("may contain only a-z, 0-9 and '-'"));
        }
        if raw.starts_with('-') || raw.ends_with('-') || raw.contains("--") {
            return Err(err("must not start or end with '-' or repeat it"));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A display name for an organisation or a person: 1–120 characters after trimming.
pub fn parse_display_name(field: &'static str, raw: &str) -> Result<String, FieldError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    if value.chars().count() > 120 {
        return Err(FieldError::new(field, "must be at most 120 characters"));
    }
    if value.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(value.to_owned())
}

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable name used in JSON and in the database.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!(
                        "unknown {} '{}'; expected one of: {}",
                        stringify!($name),
                        other,
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum! {
    /// What an organisation is to the platform.
    OrganisationKind {
        /// The operator of this Chuhai installation.
        Platform = "platform",
        /// An exporter that lists and sells goods (a tenant).
        Seller = "seller",
        /// A third-party overseas warehouse operator (3PL) serving many sellers.
        WarehouseOperator = "warehouse_operator",
    }
}

string_enum! {
    /// A user's role inside its organisation.
    Role {
        Owner = "owner",
        Staff = "staff",
        WarehouseOperator = "warehouse_operator",
        PlatformAdmin = "platform_admin",
    }
}

string_enum! {
    /// What an API token may do. Scopes are coarse on purpose: one read and
    /// one write scope per area.
    Scope {
        AccountRead = "account:read",
        AccountWrite = "account:write",
        CatalogRead = "catalog:read",
        CatalogWrite = "catalog:write",
        OrdersRead = "orders:read",
        OrdersWrite = "orders:write",
        InventoryRead = "inventory:read",
        InventoryWrite = "inventory:write",
    }
}

impl Role {
    /// The roles an organisation of `kind` may give its users.
    pub fn allowed_in(self, kind: OrganisationKind) -> bool {
        matches!(
            (kind, self),
            (OrganisationKind::Seller, Role::Owner | Role::Staff)
                | (
                    OrganisationKind::WarehouseOperator,
                    Role::Owner | Role::WarehouseOperator
                )
                | (OrganisationKind::Platform, Role::PlatformAdmin)
        )
    }

    /// Whether this role may manage the organisation's users and tokens of others.
    pub fn manages_organisation(self) -> bool {
        matches!(self, Role::Owner | Role::PlatformAdmin)
    }
}

/// A set of scopes, stored as a space-separated list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scopes(Vec<Scope>);

impl Scopes {
    pub fn all() -> Self {
        Self(Scope::ALL.to_vec())
    }

    pub fn from_list(list: &[Scope]) -> Self {
        let mut v: Vec<Scope> = Vec::with_capacity(list.len());
        for s in Scope::ALL {
            if list.contains(s) {
                v.push(*s);
            }
        }
        Self(v)
    }

    /// Parse the stored space-separated form.
    pub fn parse_stored(raw: &str) -> Result<Self, String> {
        let list = raw
            .split_whitespace()
            .map(Scope::from_str)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::from_list(&list))
    }

    pub fn contains(&self, scope: Scope) -> bool {
        self.0.contains(&scope)
    }

    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        self.0.iter().copied()
    }

    pub fn to_stored(&self) -> String {
        self.0
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Locales the console speaks. Storefront locales are wider and come with markets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum UiLocale {
    #[default]
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh-CN")]
    ZhCn,
}

impl UiLocale {
    pub fn as_str(self) -> &'static str {
        match self {
            UiLocale::En => "en",
            UiLocale::ZhCn => "zh-CN",
        }
    }

    /// Accepts `en`, `en-US`, `zh`, `zh-CN`, `zh-Hans` … (case-insensitive).
    pub fn parse(raw: &str) -> Option<Self> {
        let lower = raw.trim().to_ascii_lowercase();
        let primary = lower.split(['-', '_']).next().unwrap_or("");
        match primary {
            "en" => Some(UiLocale::En),
            "zh" => Some(UiLocale::ZhCn),
            _ => None,
        }
    }

    /// Picks the first supported language from an HTTP `Accept-Language`
    /// header, honouring q-values; `None` when nothing matches.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(u16, usize, UiLocale)> = None;
        for (i, part) in header.split(',').enumerate() {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .map(parse_q)
                .unwrap_or(1000);
            if q == 0 {
                continue;
            }
            if let Some(loc) = UiLocale::parse(tag) {
                let better = match best {
                    None => true,
                    Some((bq, bi, _)) => q > bq || (q == bq && i < bi),
                };
                if better {
                    best = Some((q, i, loc));
                }
            }
        }
        best.map(|(_, _, l)| l)
    }
}

/// Parses an HTTP quality value ("0.8") into thousandths without floats.
fn parse_q(raw: &str) -> u16 {
    let raw = raw.trim();
    let (int, frac) = raw.split_once('.').unwrap_or((raw, ""));
    let int: u16 = match int {
        "1" => return 1000,
        "0" | "" => 0,
        _ => return 0,
    };
    let mut thousandths = 0u16;
    for (i, c) in frac.chars().take(3).enumerate() {
        let Some(d) = c.to_digit(10) else { return 0 };
        thousandths += d as u16 * [100, 10, 1][i];
    }
    int * 1000 + thousandths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_trimmed_and_lowercased() {
        assert_eq!(
            Email::parse("  Demo@Chuhai.Test ").unwrap().as_str(),
            "demo@chuhai.test"
        );
    }

    #[test]
    fn email_rejections_name_the_reason() {
        assert_eq!(Email::parse("").unwrap_err().reason, "must not be empty");
        assert_eq!(
            Email::parse("nobody").unwrap_err().reason,
            "must contain one '@'"
        );
        assert_eq!(
            Email::parse("a@b@c.d").unwrap_err().reason,
            "must look like name@example.com"
        );
        assert_eq!(
            Email::parse("a@localhost").unwrap_err().reason,
            "domain must contain a dot, e.g. example.com"
        );
        assert_eq!(
            Email::parse("a b@c.de").unwrap_err().reason,
            "must not contain spaces"
        );
    }

    #[test]
    fn password_length_bounds() {
        assert!(NewPassword::parse("chuhai-demo").is_ok());
        assert_eq!(
            NewPassword::parse("short").unwrap_err().to_string(),
            "password: must be at least 10 characters"
        );
        assert!(NewPassword::parse(&"x".repeat(257)).is_err());
        assert_eq!(
            format!("{:?}", NewPassword::parse("chuhai-demo").unwrap()),
            "NewPassword(***)"
        );
    }

    #[test]
    fn slug_rules() {
        assert!(Slug::parse("lumi").is_ok());
        assert!(Slug::parse("lumi-2").is_ok());
        for bad in [
            "l",
            "Lumi",
            "-lumi",
            "lumi-",
            "lu--mi",
            "lu mi",
            &"a".repeat(41),
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn roles_fit_organisation_kinds() {
        assert!(Role::Owner.allowed_in(OrganisationKind::Seller));
        assert!(Role::Staff.allowed_in(OrganisationKind::Seller));
        assert!(!Role::WarehouseOperator.allowed_in(OrganisationKind::Seller));
        assert!(Role::WarehouseOperator.allowed_in(OrganisationKind::WarehouseOperator));
        assert!(!Role::PlatformAdmin.allowed_in(OrganisationKind::Seller));
        assert!(Role::PlatformAdmin.allowed_in(OrganisationKind::Platform));
    }

    #[test]
    fn scopes_round_trip_in_canonical_order() {
        let s = Scopes::from_list(&[Scope::OrdersRead, Scope::AccountRead, Scope::OrdersRead]);
        assert_eq!(s.to_stored(), "account:read orders:read");
        assert_eq!(Scopes::parse_stored(&s.to_stored()).unwrap(), s);
        assert!(Scopes::parse_stored("account:read nope")
            .unwrap_err()
            .contains("nope"));
    }

    #[test]
    fn accept_language_honours_q_values() {
        assert_eq!(
            UiLocale::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Some(UiLocale::ZhCn)
        );
        assert_eq!(
            UiLocale::from_accept_language("fr-FR, en;q=0.5, zh;q=0.4"),
            Some(UiLocale::En)
        );
        assert_eq!(
            UiLocale::from_accept_language("en;q=0.2, zh-TW;q=0.9"),
            Some(UiLocale::ZhCn)
        );
        assert_eq!(UiLocale::from_accept_language("fr, de"), None);
        assert_eq!(
            UiLocale::from_accept_language("zh;q=0, en"),
            Some(UiLocale::En)
        );
    }

    #[test]
    fn string_enums_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), *r);
        }
        assert!("king".parse::<Role>().unwrap_err().contains("owner, staff"));
    }
}
