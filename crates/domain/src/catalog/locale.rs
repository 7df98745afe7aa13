//! `Locale`: which language (and regional variety) a piece of content is in,
//! and the fallback chain used to pick a translation.

use std::fmt;
use std::str::FromStr;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use super::spreadsheet::echo;

/// Why a locale tag was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("locale {input:?} is not supported: {reason}")]
pub struct LocaleError {
    /// The text that was given (shortened).
    pub input: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// A BCP 47 language tag of the form `language[-REGION]`: `en`, `de-CH`,
/// `zh-CN`, `es-419`.
///
/// The language is 2–3 letters (ISO 639), the region 2 letters (ISO 3166-1)
/// or 3 digits (UN M.49). Case is normalised (`DE-ch` → `de-CH`) and `_` is
/// accepted for `-` (`zh_CN`). Script, variant and extension subtags
/// (`zh-Hans-CN`) are refused rather than silently dropped: Chuhai names
/// Chinese content `zh-CN` (Simplified) and `zh-TW` / `zh-HK` (Traditional).
///
/// `Display` and serde use the normalised tag.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Locale {
    /// The normalised tag's bytes, padded with zeros; at most `xxx-999`.
    bytes: [u8; 7],
    len: u8,
    /// Length of the language subtag (2 or 3).
    language_len: u8,
}

impl Locale {
    /// Parses and normalises a `language[-REGION]` tag.
    pub fn parse(text: &str) -> Result<Locale, LocaleError> {
        let err = |reason| LocaleError {
            input: echo(text),
            reason,
        };
        let mut parts = text.split(['-', '_']);
        let language = parts.next().unwrap_or_default();
        let region = parts.next();
        if parts.next().is_some() {
            return Err(err("only language[-REGION] is accepted, e.g. \"de-CH\"; script and variant subtags such as zh-Hans-CN are not (use zh-CN or zh-TW)"));
        }
        if !(2..=3).contains(&language.len()) || !language.bytes().all(|b| b.is_ascii_alphabetic())
        {
            return Err(err(
                "the language must be 2 or 3 letters (ISO 639), e.g. \"en\"",
            ));
        }
        let mut bytes = [0u8; 7];
        let mut len = 0;
        for b in language.bytes() {
            bytes[len] = b.to_ascii_lowercase();
            len += 1;
        }
        if let Some(region) = region {
            let letters = region.len() == 2 && region.bytes().all(|b| b.is_ascii_alphabetic());
            let digits = region.len() == 3 && region.bytes().all(|b| b.is_ascii_digit());
            if !letters && !digits {
                return Err(err("the region must be 2 letters (ISO 3166-1) or 3 digits (UN M.49), e.g. \"de-CH\", \"es-419\""));
            }
            bytes[len] = b'-';
            len += 1;
            for b in region.bytes() {
                bytes[len] = b.to_ascii_uppercase();
                len += 1;
            }
        }
        Ok(Locale {
            bytes,
            len: len as u8,
            language_len: language.len() as u8,
        })
    }

    /// The normalised tag, e.g. `"de-CH"`.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).expect("locale tags are ASCII")
    }

    /// The language subtag, e.g. `"de"` for `de-CH`.
    pub fn language(&self) -> &str {
        &self.as_str()[..usize::from(self.language_len)]
    }

    /// The region subtag, e.g. `Some("CH")` for `de-CH`.
    pub fn region(&self) -> Option<&str> {
        let tag = self.as_str();
        tag.get(usize::from(self.language_len) + 1..)
    }

    /// The bare language as a locale: `de-CH` → `de`, `de` → `de`.
    pub fn without_region(&self) -> Locale {
        let mut bytes = [0u8; 7];
        let n = usize::from(self.language_len);
        bytes[..n].copy_from_slice(&self.bytes[..n]);
        Locale {
            bytes,
            len: self.language_len,
            language_len: self.language_len,
        }
    }
}

/// The order in which to look for content: the requested locale, its bare
/// language, then the default locale and its bare language, without repeats.
///
/// `de-CH` with default `en` gives `de-CH → de → en`; `en-GB` with default
/// `en-US` gives `en-GB → en → en-US`; `en` with default `en` gives `en`.
pub fn fallback_chain(requested: &Locale, default: &Locale) -> Vec<Locale> {
    let mut chain = Vec::with_capacity(4);
    for locale in [
        *requested,
        requested.without_region(),
        *default,
        default.without_region(),
    ] {
        if !chain.contains(&locale) {
            chain.push(locale);
        }
    }
    chain
}

/// Picks the entry of `map` for `requested`, following [`fallback_chain`];
/// when nothing on the chain is present, the first entry of `map`, so that
/// some content is shown whenever any exists. `None` only for an empty map.
pub fn pick<'a, T>(
    map: &'a [(Locale, T)],
    requested: &Locale,
    default: &Locale,
) -> Option<(&'a Locale, &'a T)> {
    fallback_chain(requested, default)
        .iter()
        .find_map(|wanted| map.iter().find(|(locale, _)| locale == wanted))
        .or_else(|| map.first())
        .map(|(locale, value)| (locale, value))
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Locale({})", self.as_str())
    }
}

impl FromStr for Locale {
    type Err = LocaleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Locale::parse(s)
    }
}

impl Serialize for Locale {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Locale {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Locale::parse(&text).map_err(de::Error::custom)
    }
}
