//! China customs code lists used in the CEB messages: currency (币制),
//! country or region (国别(地区)), transport mode (运输方式) and the
//! statistics flag of an export list.
//!
//! The CEB messages carry the customs' own three-digit codes, not ISO
//! 4217 or ISO 3166 numerics (public CEB samples show
//! `<ceb:currency>142</ceb:currency>` for CNY and `<ceb:country>116</ceb:country>`
//! for Japan). The tables below were checked against public sources:
//!
//! - currencies: two independent public enumerations of the customs
//!   currency code table (a "CustomsCurrencyCodeEnum" in a payment/e-port
//!   client and the "CustomsConstant.Currency" enum of a cross-border
//!   platform), which agree code for code. Note that **HKD is 110**, not
//!   344: 344 is HKD's ISO 4217 numeric and, in the customs country list,
//!   the Russian Federation;
//! - countries: the customs country (region) code table as published in a
//!   public RuoYi-based customs project (enum `com.ruoyi.yz.enums.Currency`,
//!   despite its name a country list: 110 Hong Kong … 502 United States …
//!   999 neutral packing). Its alpha-3 column uses a few non-ISO codes
//!   (ROM, NVM, CIB, MTS…); this table is keyed by the ISO 3166-1 alpha-3
//!   code instead, and leaves out rows with no single ISO counterpart
//!   (Canary Islands, Ceuta, Melilla, Bonaire/Saba, the French Polynesian
//!   island groups, "other" and "unknown" rows);
//! - transport modes: the customs transport mode list as enumerated in the
//!   same cross-border platform's `CustomsConstant.TransF`.
//!
//! These are reference data: if customs revises a code, the row changes.

use serde::{Deserialize, Serialize};

use crate::country::Country;
use crate::money::Currency;

/// (ISO 4217 alpha code, China customs currency code). Currencies whose
/// minor unit has more than 2 digits (KWD) are left out on purpose: CEB
/// money fields are written with exactly 2 decimals.
const CURRENCY_CODES: &[(&str, &str)] = &[
    ("HKD", "110"),
    ("IRR", "113"),
    ("JPY", "116"),
    ("MOP", "121"),
    ("MYR", "122"),
    ("PKR", "127"),
    ("PHP", "129"),
    ("SGD", "132"),
    ("THB", "136"),
    ("CNY", "142"),
    ("TWD", "143"),
    ("EUR", "300"),
    ("DKK", "302"),
    ("GBP", "303"),
    ("NOK", "326"),
    ("SEK", "330"),
    ("CHF", "331"),
    ("CAD", "501"),
    ("USD", "502"),
    ("AUD", "601"),
    ("NZD", "609"),
];

/// The China customs currency code (币制代码) for `currency`, e.g. `"142"`
/// for CNY, `"502"` for USD; `None` when the table has none.
pub fn customs_currency_code(currency: Currency) -> Option<&'static str> {
    CURRENCY_CODES
        .iter()
        .find(|(alpha, _)| *alpha == currency.code())
        .map(|&(_, code)| code)
}

/// The currencies that have a China customs code, in code order.
pub fn customs_currencies() -> impl Iterator<Item = Currency> {
    CURRENCY_CODES
        .iter()
        .filter_map(|(alpha, _)| Currency::from_code(alpha).ok())
}

/// (ISO 3166-1 alpha-3, China customs country (region) code).
const COUNTRY_CODES: &[(&str, &str)] = &[
    // Asia
    ("AFG", "101"),
    ("BHR", "102"),
    ("BGD", "103"),
    ("BTN", "104"),
    ("BRN", "105"),
    ("MMR", "106"),
    ("KHM", "107"),
    ("CYP", "108"),
    ("PRK", "109"),
    ("HKG", "110"),
    ("IND", "111"),
    ("IDN", "112"),
    ("IRN", "113"),
    ("IRQ", "114"),
    ("ISR", "115"),
    ("JPN", "116"),
    ("JOR", "117"),
    ("KWT", "118"),
    ("LAO", "119"),
    ("LBN", "120"),
    ("MAC", "121"),
    ("MYS", "122"),
    ("MDV", "123"),
    ("MNG", "124"),
    ("NPL", "125"),
    ("OMN", "126"),
    ("PAK", "127"),
    ("PSE", "128"),
    ("PHL", "129"),
    ("QAT", "130"),
    ("SAU", "131"),
    ("SGP", "132"),
    ("KOR", "133"),
    ("LKA", "134"),
    ("SYR", "135"),
    ("THA", "136"),
    ("TUR", "137"),
    ("ARE", "138"),
    ("YEM", "139"),
    ("VNM", "141"),
    ("CHN", "142"),
    ("TWN", "143"),
    ("TLS", "144"),
    ("KAZ", "145"),
    ("KGZ", "146"),
    ("TJK", "147"),
    ("TKM", "148"),
    ("UZB", "149"),
    // Africa
    ("DZA", "201"),
    ("AGO", "202"),
    ("BEN", "203"),
    ("BWA", "204"),
    ("BDI", "205"),
    ("CMR", "206"),
    ("CPV", "208"),
    ("CAF", "209"),
    ("TCD", "211"),
    ("COM", "212"),
    ("COG", "213"),
    ("DJI", "214"),
    ("EGY", "215"),
    ("GNQ", "216"),
    ("ETH", "217"),
    ("GAB", "218"),
    ("GMB", "219"),
    ("GHA", "220"),
    ("GIN", "221"),
    ("GNB", "222"),
    ("CIV", "223"),
    ("KEN", "224"),
    ("LBR", "225"),
    ("LBY", "226"),
    ("MDG", "227"),
    ("MWI", "228"),
    ("MLI", "229"),
    ("MRT", "230"),
    ("MUS", "231"),
    ("MAR", "232"),
    ("MOZ", "233"),
    ("NAM", "234"),
    ("NER", "235"),
    ("NGA", "236"),
    ("REU", "237"),
    ("RWA", "238"),
    ("STP", "239"),
    ("SEN", "240"),
    ("SYC", "241"),
    ("SLE", "242"),
    ("SOM", "243"),
    ("ZAF", "244"),
    ("ESH", "245"),
    ("SDN", "246"),
    ("TZA", "247"),
    ("TGO", "248"),
    ("TUN", "249"),
    ("UGA", "250"),
    ("BFA", "251"),
    ("COD", "252"),
    ("ZMB", "253"),
    ("ZWE", "254"),
    ("LSO", "255"),
    ("SWZ", "257"),
    ("ERI", "258"),
    ("MYT", "259"),
    // Europe
    ("BEL", "301"),
    ("DNK", "302"),
    ("GBR", "303"),
    ("DEU", "304"),
    ("FRA", "305"),
    ("IRL", "306"),
    ("ITA", "307"),
    ("LUX", "308"),
    ("NLD", "309"),
    ("GRC", "310"),
    ("PRT", "311"),
    ("ESP", "312"),
    ("ALB", "313"),
    ("AND", "314"),
    ("AUT", "315"),
    ("BGR", "316"),
    ("FIN", "318"),
    ("GIB", "320"),
    ("HUN", "321"),
    ("ISL", "322"),
    ("LIE", "323"),
    ("MLT", "324"),
    ("MCO", "325"),
    ("NOR", "326"),
    ("POL", "327"),
    ("ROU", "328"),
    ("SMR", "329"),
    ("SWE", "330"),
    ("CHE", "331"),
    ("EST", "334"),
    ("LVA", "335"),
    ("LTU", "336"),
    ("GEO", "337"),
    ("ARM", "338"),
    ("AZE", "339"),
    ("BLR", "340"),
    ("MDA", "343"),
    ("RUS", "344"),
    ("UKR", "347"),
    ("SVN", "350"),
    ("HRV", "351"),
    ("CZE", "352"),
    ("SVK", "353"),
    ("MKD", "354"),
    ("BIH", "355"),
    ("VAT", "356"),
    ("FRO", "357"),
    ("SRB", "358"),
    ("MNE", "359"),
    // Latin America
    ("ATG", "401"),
    ("ARG", "402"),
    ("ABW", "403"),
    ("BHS", "404"),
    ("BRB", "405"),
    ("BLZ", "406"),
    ("BOL", "408"),
    ("BRA", "410"),
    ("CYM", "411"),
    ("CHL", "412"),
    ("COL", "413"),
    ("DMA", "414"),
    ("CRI", "415"),
    ("CUB", "416"),
    ("CUW", "417"),
    ("DOM", "418"),
    ("ECU", "419"),
    ("GUF", "420"),
    ("GRD", "421"),
    ("GLP", "422"),
    ("GTM", "423"),
    ("GUY", "424"),
    ("HTI", "425"),
    ("HND", "426"),
    ("JAM", "427"),
    ("MTQ", "428"),
    ("MEX", "429"),
    ("MSR", "430"),
    ("NIC", "431"),
    ("PAN", "432"),
    ("PRY", "433"),
    ("PER", "434"),
    ("PRI", "435"),
    ("LCA", "437"),
    ("VCT", "439"),
    ("SLV", "440"),
    ("SUR", "441"),
    ("TTO", "442"),
    ("TCA", "443"),
    ("URY", "444"),
    ("VEN", "445"),
    ("VGB", "446"),
    ("KNA", "447"),
    ("SPM", "448"),
    // North America
    ("CAN", "501"),
    ("USA", "502"),
    ("GRL", "503"),
    ("BMU", "504"),
    // Oceania
    ("AUS", "601"),
    ("COK", "602"),
    ("FJI", "603"),
    ("NRU", "606"),
    ("NCL", "607"),
    ("VUT", "608"),
    ("NZL", "609"),
    ("NFK", "610"),
    ("PNG", "611"),
    ("SLB", "613"),
    ("TON", "614"),
    ("WSM", "617"),
    ("KIR", "618"),
    ("TUV", "619"),
    ("FSM", "620"),
    ("MHL", "621"),
    ("PLW", "622"),
    ("PYF", "623"),
    ("WLF", "625"),
];

/// The China customs country (region) code for `country`, e.g. `"502"`
/// for the United States, `"303"` for the United Kingdom, `"110"` for Hong
/// Kong; `None` when the table has no single code for it.
pub fn customs_country_code(country: Country) -> Option<&'static str> {
    COUNTRY_CODES
        .iter()
        .find(|(alpha3, _)| *alpha3 == country.alpha3())
        .map(|&(_, code)| code)
}

/// How the goods leave China (运输方式, CEB `trafMode`).
///
/// JSON: `"waterway"`, `"rail"`, `"road"`, `"air"`, `"mail"`, `"other"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransportMode {
    /// Sea and river (江海运输), code 2.
    Waterway,
    /// Rail (铁路运输), code 3.
    Rail,
    /// Road (汽车运输), code 4.
    Road,
    /// Air (航空运输), code 5.
    Air,
    /// Post (邮件运输), code 6.
    Mail,
    /// Other (其它运输), code 9.
    Other,
}

impl TransportMode {
    /// The one-character customs code.
    pub fn code(self) -> &'static str {
        match self {
            TransportMode::Waterway => "2",
            TransportMode::Rail => "3",
            TransportMode::Road => "4",
            TransportMode::Air => "5",
            TransportMode::Mail => "6",
            TransportMode::Other => "9",
        }
    }

    /// The snake_case name used in JSON, e.g. `"air"`.
    pub fn name(self) -> &'static str {
        match self {
            TransportMode::Waterway => "waterway",
            TransportMode::Rail => "rail",
            TransportMode::Road => "road",
            TransportMode::Air => "air",
            TransportMode::Mail => "mail",
            TransportMode::Other => "other",
        }
    }
}

/// The CEB603 `statisticsFlag` (TRADE-RULES.md, China export side).
///
/// JSON: `"simplified"` (A) or `"summary"` (B).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatisticsFlag {
    /// A: simplified declaration — no licence, no export duty, no rebate.
    Simplified,
    /// B: merged into the monthly summary declaration (汇总申报).
    Summary,
}

impl StatisticsFlag {
    /// `"A"` or `"B"`.
    pub fn code(self) -> &'static str {
        match self {
            StatisticsFlag::Simplified => "A",
            StatisticsFlag::Summary => "B",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_codes_follow_the_customs_table() {
        let code = |c: &str| customs_currency_code(Currency::from_code(c).unwrap());
        assert_eq!(code("CNY"), Some("142"));
        assert_eq!(code("USD"), Some("502"));
        assert_eq!(code("EUR"), Some("300"));
        assert_eq!(code("GBP"), Some("303"));
        assert_eq!(code("JPY"), Some("116"));
        assert_eq!(code("AUD"), Some("601"));
        assert_eq!(code("HKD"), Some("110"));
        assert_eq!(code("CAD"), Some("501"));
        assert_eq!(code("NZD"), Some("609"));
        assert_eq!(code("SGD"), Some("132"));
        assert_eq!(code("KWD"), None);
        assert_eq!(code("BRL"), None);
        // Every row names a currency money can be held in, with at most 2 decimals.
        assert_eq!(customs_currencies().count(), CURRENCY_CODES.len());
        assert!(customs_currencies().all(|c| c.exponent() <= 2));
    }

    #[test]
    fn country_codes_follow_the_customs_table() {
        assert_eq!(customs_country_code(Country::US), Some("502"));
        assert_eq!(customs_country_code(Country::GB), Some("303"));
        assert_eq!(customs_country_code(Country::DE), Some("304"));
        assert_eq!(customs_country_code(Country::JP), Some("116"));
        assert_eq!(customs_country_code(Country::HK), Some("110"));
        assert_eq!(customs_country_code(Country::CN), Some("142"));
        assert_eq!(customs_country_code(Country::AU), Some("601"));
        assert_eq!(
            customs_country_code(Country::from_alpha2("RU").unwrap()),
            Some("344")
        );
        assert_eq!(
            customs_country_code(Country::from_alpha2("SS").unwrap()),
            None
        );
        // Every key is an ISO alpha-3 code and no code is used twice.
        let mut seen = std::collections::BTreeSet::new();
        for (alpha3, code) in COUNTRY_CODES {
            assert!(Country::from_alpha3(alpha3).is_ok(), "{alpha3}");
            assert!(seen.insert(*code), "{code} twice");
            assert!(code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn transport_and_statistics_codes() {
        assert_eq!(TransportMode::Air.code(), "5");
        assert_eq!(TransportMode::Mail.code(), "6");
        assert_eq!(
            serde_json::to_string(&TransportMode::Waterway).unwrap(),
            "\"waterway\""
        );
        assert_eq!(StatisticsFlag::Summary.code(), "B");
    }
}
