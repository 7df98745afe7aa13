//! Markets: where a seller sells, in which currency and languages, and how
//! its prices there are made.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::accounts::FieldError;
use crate::catalog::Locale;
use crate::country::Country;
use crate::money::Currency;
use crate::pricing::PriceRule;

/// Incoterms 2020. Marketplaces still send "DDU", which is not an Incoterms
/// 2020 rule: it is read as DAP (TRADE-RULES.md, Documents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Incoterm {
    Exw,
    Fca,
    Cpt,
    Cip,
    Dap,
    Dpu,
    Ddp,
    Fas,
    Fob,
    Cfr,
    Cif,
}

impl Incoterm {
    pub const ALL: [Incoterm; 11] = [
        Incoterm::Exw,
        Incoterm::Fca,
        Incoterm::Cpt,
        Incoterm::Cip,
        Incoterm::Dap,
        Incoterm::Dpu,
        Incoterm::Ddp,
        Incoterm::Fas,
        Incoterm::Fob,
        Incoterm::Cfr,
        Incoterm::Cif,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Incoterm::Exw => "EXW",
            Incoterm::Fca => "FCA",
            Incoterm::Cpt => "CPT",
            Incoterm::Cip => "CIP",
            Incoterm::Dap => "DAP",
            Incoterm::Dpu => "DPU",
            Incoterm::Ddp => "DDP",
            Incoterm::Fas => "FAS",
            Incoterm::Fob => "FOB",
            Incoterm::Cfr => "CFR",
            Incoterm::Cif => "CIF",
        }
    }

    /// Only under DDP does the seller clear import and pay duty and VAT.
    pub fn seller_pays_import_charges(self) -> bool {
        self == Incoterm::Ddp
    }
}

impl FromStr for Incoterm {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let upper = s.trim().to_ascii_uppercase();
        if upper == "DDU" {
            return Ok(Incoterm::Dap);
        }
        Incoterm::ALL
            .into_iter()
            .find(|i| i.as_str() == upper)
            .ok_or_else(|| format!("'{s}' is not an Incoterms 2020 rule (EXW, FCA, CPT, CIP, DAP, DPU, DDP, FAS, FOB, CFR, CIF)"))
    }
}

impl TryFrom<String> for Incoterm {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<Incoterm> for String {
    fn from(i: Incoterm) -> String {
        i.as_str().to_owned()
    }
}

impl fmt::Display for Incoterm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A market as a seller defines it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Market {
    /// Short unique name within the seller, e.g. `us`, `eu`.
    pub code: String,
    pub name: String,
    pub countries: Vec<Country>,
    pub currency: Currency,
    pub default_locale: Locale,
    /// Every locale offered, the default first.
    pub locales: Vec<Locale>,
    /// Whether shown prices include VAT/GST.
    pub tax_inclusive: bool,
    /// What the buyer is offered: DDP (duties and taxes paid at checkout)
    /// or DAP (due on delivery).
    pub incoterm: Incoterm,
    /// How prices are derived from base prices.
    pub rule: PriceRule,
}

impl Market {
    /// Checks the rules a market must keep; every problem names its field.
    pub fn problems(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        let code_ok = (1..=20).contains(&self.code.len())
            && self
                .code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !code_ok {
            out.push(FieldError::new(
                "code",
                "must be 1 to 20 of a-z, 0-9 and '-'",
            ));
        }
        if self.name.trim().is_empty() || self.name.chars().count() > 120 {
            out.push(FieldError::new("name", "must be 1 to 120 characters"));
        }
        if self.countries.is_empty() {
            out.push(FieldError::new(
                "countries",
                "must name at least one country",
            ));
        }
        if !matches!(self.incoterm, Incoterm::Ddp | Incoterm::Dap) {
            out.push(FieldError::new(
                "incoterm",
                "a market offers DDP or DAP (DDU is read as DAP)",
            ));
        }
        if !self.locales.contains(&self.default_locale) {
            out.push(FieldError::new(
                "locales",
                "must include the default locale",
            ));
        }
        if let Err(e) = self.rule.validate(self.currency) {
            let reason = e.to_string();
            out.push(FieldError::new("rule", reason));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ddu_is_read_as_dap() {
        assert_eq!("DDU".parse::<Incoterm>().unwrap(), Incoterm::Dap);
        assert_eq!("ddp".parse::<Incoterm>().unwrap(), Incoterm::Ddp);
        assert!("XYZ"
            .parse::<Incoterm>()
            .unwrap_err()
            .contains("not an Incoterms 2020 rule"));
        assert!(Incoterm::Ddp.seller_pays_import_charges());
        assert!(!Incoterm::Dap.seller_pays_import_charges());
    }
}
