//! The names a product and its parts are known by: `ProductHandle` (the URL
//! name), `Sku` (the seller's stock-keeping unit) and `MediaUrl` (where an
//! image lives).

use crate::text_newtype::text_newtype_impls;

use super::spreadsheet::echo;

/// A catalog value that was refused, e.g. `sku: must not contain whitespace`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct CatalogFieldError {
    /// The field's name (`handle`, `sku`, `media_url`, `dimensions`…).
    pub field: &'static str,
    /// Why the value was refused, in English.
    pub reason: String,
}

impl CatalogFieldError {
    pub(crate) fn new(field: &'static str, reason: impl Into<String>) -> Self {
        CatalogFieldError {
            field,
            reason: reason.into(),
        }
    }
}

/// A product's URL name, as Shopify makes them: 1–255 of `a-z`, `0-9` and
/// `-` (`womens-snowboard` in `/products/womens-snowboard`).
///
/// Upper-case ASCII letters are lower-cased on parsing, as Shopify does;
/// anything else (spaces, accents, dots, `_`) is refused.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProductHandle(String);

impl ProductHandle {
    /// Longest handle, in bytes.
    pub const MAX_LEN: usize = 255;

    /// Parses a handle, lower-casing ASCII letters.
    pub fn parse(text: &str) -> Result<ProductHandle, CatalogFieldError> {
        let err = |reason: String| CatalogFieldError::new("handle", reason);
        if text.is_empty() {
            return Err(err("must not be empty".to_owned()));
        }
        if text.len() > Self::MAX_LEN {
            return Err(err(format!("must be at most {} characters", Self::MAX_LEN)));
        }
        if let Some(bad) = text
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Err(err(format!(
                "{:?} contains {bad:?}; a handle may contain only a-z, 0-9 and '-'",
                echo(text)
            )));
        }
        Ok(ProductHandle(text.to_ascii_lowercase()))
    }

    /// The handle Shopify would make from a title: ASCII letters and digits
    /// lower-cased, apostrophes dropped (`Women's` → `womens`), every other
    /// run of characters turned into one `-`, no `-` at either end.
    /// `None` when nothing is left (e.g. a title only in Chinese).
    pub fn from_title(title: &str) -> Option<ProductHandle> {
        let mut handle = String::with_capacity(title.len());
        let mut pending_dash = false;
        for c in title.chars() {
            if c.is_ascii_alphanumeric() {
                if pending_dash && !handle.is_empty() {
                    handle.push('-');
                }
                pending_dash = false;
                handle.push(c.to_ascii_lowercase());
            } else if c != '\'' && c != '’' {
                pending_dash = true;
            }
        }
        handle.truncate(Self::MAX_LEN);
        let handle = handle.trim_end_matches('-');
        (!handle.is_empty()).then(|| ProductHandle(handle.to_owned()))
    }

    /// The handle, e.g. `"led-desk-lamp"`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A stock-keeping unit: 1–64 characters, no whitespace or control
/// characters; case is kept (`LAMP-01` and `lamp-01` differ).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sku(String);

impl Sku {
    /// Longest SKU, in characters.
    pub const MAX_CHARS: usize = 64;

    /// Parses a SKU as given (a caller reading a cell trims it first).
    pub fn parse(text: &str) -> Result<Sku, CatalogFieldError> {
        let err = |reason: String| CatalogFieldError::new("sku", reason);
        if text.is_empty() {
            return Err(err("must not be empty".to_owned()));
        }
        if text.chars().count() > Self::MAX_CHARS {
            return Err(err(format!(
                "{:?} is longer than {} characters",
                echo(text),
                Self::MAX_CHARS
            )));
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(err(format!(
                "{:?} must not contain spaces, tabs, line breaks or control characters",
                echo(text)
            )));
        }
        Ok(Sku(text.to_owned()))
    }

    /// The SKU, e.g. `"LAMP-01-WHT-S"`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The absolute `http` or `https` URL of an image or other media.
///
/// At most 2,048 bytes, a non-empty host, no whitespace, control
/// characters, quotes or angle brackets; the scheme is lower-cased.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MediaUrl(String);

impl MediaUrl {
    /// Longest URL, in bytes.
    pub const MAX_LEN: usize = 2048;

    /// Parses an absolute http(s) URL.
    pub fn parse(text: &str) -> Result<MediaUrl, CatalogFieldError> {
        let err = |reason: String| CatalogFieldError::new("media_url", reason);
        if text.len() > Self::MAX_LEN {
            return Err(err(format!("must be at most {} bytes", Self::MAX_LEN)));
        }
        let Some((scheme, rest)) = text.split_once("://") else {
            return Err(err(format!(
                "{:?} must be an absolute URL starting with https:// or http://",
                echo(text)
            )));
        };
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(err(format!(
                "{:?} uses the scheme {scheme:?}; only https and http are allowed",
                echo(text)
            )));
        }
        if let Some(bad) = text.chars().find(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\\' | '`')
        }) {
            return Err(err(format!(
                "{:?} contains {bad:?}; encode it (e.g. a space as %20)",
                echo(text)
            )));
        }
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host = host.rsplit('@').next().unwrap_or_default();
        if host.is_empty() || host.starts_with(':') {
            return Err(err(format!("{:?} has no host name", echo(text))));
        }
        Ok(MediaUrl(format!("{scheme}://{rest}")))
    }

    /// The URL, e.g. `"https://img.lumi.example/lamp.jpg"`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

text_newtype_impls!(ProductHandle, CatalogFieldError);
text_newtype_impls!(Sku, CatalogFieldError);
text_newtype_impls!(MediaUrl, CatalogFieldError);
