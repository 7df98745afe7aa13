//! Countries: ISO 3166-1.
//!
//! [`Country`] is a small `Copy` handle to one row of a static table holding
//! every officially assigned ISO 3166-1 code (249 of them): alpha-2, alpha-3,
//! numeric code, the ISO English short name and the usual Simplified Chinese
//! name as used in the PRC (e.g. `HK` is 中国香港, `TW` is 中国台湾).
//!
//! The canonical text form is the upper-case alpha-2 code: that is what
//! [`Display`](fmt::Display) prints and what serde writes and reads.
//!
//! ```
//! use chuhai_domain::country::Country;
//!
//! let de = Country::from_alpha2("de").unwrap();
//! assert_eq!(de, Country::DE);
//! assert_eq!(de.alpha3(), "DEU");
//! assert_eq!(de.numeric(), 276);
//! assert_eq!(de.name("zh-CN"), "德国");
//! assert_eq!(de.name("en-GB"), "Germany");
//! assert!(de.is_eu_member());
//! assert_eq!(de.to_string(), "DE");
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

/// Longest piece of rejected input kept in a [`CountryError`], in characters.
/// Input arrives from outside (forms, JSON), so the error must not grow with it.
const MAX_ECHOED_CHARS: usize = 16;

/// Why a country code was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CountryError {
    /// The text is not one of the 249 assigned alpha-2 codes.
    #[error("{0:?} is not an ISO 3166-1 alpha-2 country code")]
    UnknownAlpha2(String),
    /// The text is not one of the 249 assigned alpha-3 codes.
    #[error("{0:?} is not an ISO 3166-1 alpha-3 country code")]
    UnknownAlpha3(String),
    /// The number is not one of the 249 assigned numeric codes.
    #[error("{0:03} is not an ISO 3166-1 numeric country code")]
    UnknownNumeric(u16),
}

/// Copies at most [`MAX_ECHOED_CHARS`] characters of rejected input.
fn echo(input: &str) -> String {
    match input.char_indices().nth(MAX_ECHOED_CHARS) {
        Some((cut, _)) => format!("{}…", &input[..cut]),
        None => input.to_owned(),
    }
}

/// A country (or territory) with an officially assigned ISO 3166-1 code.
///
/// Cheap to copy and compare. Ordering follows the alpha-2 code.
/// Build one with [`Country::from_alpha2`], [`Country::from_alpha3`],
/// [`Country::from_numeric`], [`str::parse`], or one of the constants.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Country(u8);

/// One row of the ISO 3166-1 table.
struct Entry {
    alpha2: &'static str,
    alpha3: &'static str,
    numeric: u16,
    name_en: &'static str,
    name_zh: &'static str,
}

const fn e(
    alpha2: &'static str,
    alpha3: &'static str,
    numeric: u16,
    name_en: &'static str,
    name_zh: &'static str,
) -> Entry {
    Entry {
        alpha2,
        alpha3,
        numeric,
        name_en,
        name_zh,
    }
}

/// Number of officially assigned ISO 3166-1 codes.
const COUNT: usize = 249;

/// The ISO 3166-1 table, sorted by alpha-2 code (lookups rely on this).
///
/// English names are the ISO 3166-1 English short names; Chinese names are
/// the usual Simplified Chinese (PRC) names.
#[rustfmt::skip]
static TABLE: [Entry; COUNT] = [
    e("AD", "AND",  20, "Andorra", "安道尔"),
    e("AE", "ARE", 784, "United Arab Emirates", "阿拉伯联合酋长国"),
    e("AF", "AFG",   4, "Afghanistan", "阿富汗"),
    e("AG", "ATG",  28, "Antigua and Barbuda", "安提瓜和巴布达"),
    e("AI", "AIA", 660, "Anguilla", "安圭拉"),
    e("AL", "ALB",   8, "Albania", "阿尔巴尼亚"),
    e("AM", "ARM",  51, "Armenia", "亚美尼亚"),
    e("AO", "AGO",  24, "Angola", "安哥拉"),
    e("AQ", "ATA",  10, "Antarctica", "南极洲"),
    e("AR", "ARG",  32, "Argentina", "阿根廷"),
    e("AS", "ASM",  16, "American Samoa", "美属萨摩亚"),
    e("AT", "AUT",  40, "Austria", "奥地利"),
    e("AU", "AUS",  36, "Australia", "澳大利亚"),
    e("AW", "ABW", 533, "Aruba", "阿鲁巴"),
    e("AX", "ALA", 248, "Åland Islands", "奥兰群岛"),
    e("AZ", "AZE",  31, "Azerbaijan", "阿塞拜疆"),
    e("BA", "BIH",  70, "Bosnia and Herzegovina", "波斯尼亚和黑塞哥维那"),
    e("BB", "BRB",  52, "Barbados", "巴巴多斯"),
    e("BD", "BGD",  50, "Bangladesh", "孟加拉国"),
    e("BE", "BEL",  56, "Belgium", "比利时"),
    e("BF", "BFA", 854, "Burkina Faso", "布基纳法索"),
    e("BG", "BGR", 100, "Bulgaria", "保加利亚"),
    e("BH", "BHR",  48, "Bahrain", "巴林"),
    e("BI", "BDI", 108, "Burundi", "布隆迪"),
    e("BJ", "BEN", 204, "Benin", "贝宁"),
    e("BL", "BLM", 652, "Saint Barthélemy", "圣巴泰勒米"),
    e("BM", "BMU",  60, "Bermuda", "百慕大"),
    e("BN", "BRN",  96, "Brunei Darussalam", "文莱"),
    e("BO", "BOL",  68, "Bolivia (Plurinational State of)", "玻利维亚"),
    e("BQ", "BES", 535, "Bonaire, Sint Eustatius and Saba", "荷兰加勒比区"),
    e("BR", "BRA",  76, "Brazil", "巴西"),
    e("BS", "BHS",  44, "Bahamas", "巴哈马"),
    e("BT", "BTN",  64, "Bhutan", "不丹"),
    e("BV", "BVT",  74, "Bouvet Island", "布韦岛"),
    e("BW", "BWA",  72, "Botswana", "博茨瓦纳"),
    e("BY", "BLR", 112, "Belarus", "白俄罗斯"),
    e("BZ", "BLZ",  84, "Belize", "伯利兹"),
    e("CA", "CAN", 124, "Canada", "加拿大"),
    e("CC", "CCK", 166, "Cocos (Keeling) Islands", "科科斯（基林）群岛"),
    e("CD", "COD", 180, "Congo, Democratic Republic of the", "刚果（金）"),
    e("CF", "CAF", 140, "Central African Republic", "中非"),
    e("CG", "COG", 178, "Congo", "刚果（布）"),
    e("CH", "CHE", 756, "Switzerland", "瑞士"),
    e("CI", "CIV", 384, "Côte d'Ivoire", "科特迪瓦"),
    e("CK", "COK", 184, "Cook Islands", "库克群岛"),
    e("CL", "CHL", 152, "Chile", "智利"),
    e("CM", "CMR", 120, "Cameroon", "喀麦隆"),
    e("CN", "CHN", 156, "China", "中国"),
    e("CO", "COL", 170, "Colombia", "哥伦比亚"),
    e("CR", "CRI", 188, "Costa Rica", "哥斯达黎加"),
    e("CU", "CUB", 192, "Cuba", "古巴"),
    e("CV", "CPV", 132, "Cabo Verde", "佛得角"),
    e("CW", "CUW", 531, "Curaçao", "库拉索"),
    e("CX", "CXR", 162, "Christmas Island", "圣诞岛"),
    e("CY", "CYP", 196, "Cyprus", "塞浦路斯"),
    e("CZ", "CZE", 203, "Czechia", "捷克"),
    e("DE", "DEU", 276, "Germany", "德国"),
    e("DJ", "DJI", 262, "Djibouti", "吉布提"),
    e("DK", "DNK", 208, "Denmark", "丹麦"),
    e("DM", "DMA", 212, "Dominica", "多米尼克"),
    e("DO", "DOM", 214, "Dominican Republic", "多米尼加"),
    e("DZ", "DZA",  12, "Algeria", "阿尔及利亚"),
    e("EC", "ECU", 218, "Ecuador", "厄瓜多尔"),
    e("EE", "EST", 233, "Estonia", "爱沙尼亚"),
    e("EG", "EGY", 818, "Egypt", "埃及"),
    e("EH", "ESH", 732, "Western Sahara", "西撒哈拉"),
    e("ER", "ERI", 232, "Eritrea", "厄立特里亚"),
    e("ES", "ESP", 724, "Spain", "西班牙"),
    e("ET", "ETH", 231, "Ethiopia", "埃塞俄比亚"),
    e("FI", "FIN", 246, "Finland", "芬兰"),
    e("FJ", "FJI", 242, "Fiji", "斐济"),
    e("FK", "FLK", 238, "Falkland Islands (Malvinas)", "福克兰群岛（马尔维纳斯）"),
    e("FM", "FSM", 583, "Micronesia (Federated States of)", "密克罗尼西亚联邦"),
    e("FO", "FRO", 234, "Faroe Islands", "法罗群岛"),
    e("FR", "FRA", 250, "France", "法国"),
    e("GA", "GAB", 266, "Gabon", "加蓬"),
    e("GB", "GBR", 826, "United Kingdom of Great Britain and Northern Ireland", "英国"),
    e("GD", "GRD", 308, "Grenada", "格林纳达"),
    e("GE", "GEO", 268, "Georgia", "格鲁吉亚"),
    e("GF", "GUF", 254, "French Guiana", "法属圭亚那"),
    e("GG", "GGY", 831, "Guernsey", "根西"),
    e("GH", "GHA", 288, "Ghana", "加纳"),
    e("GI", "GIB", 292, "Gibraltar", "直布罗陀"),
    e("GL", "GRL", 304, "Greenland", "格陵兰"),
    e("GM", "GMB", 270, "Gambia", "冈比亚"),
    e("GN", "GIN", 324, "Guinea", "几内亚"),
    e("GP", "GLP", 312, "Guadeloupe", "瓜德罗普"),
    e("GQ", "GNQ", 226, "Equatorial Guinea", "赤道几内亚"),
    e("GR", "GRC", 300, "Greece", "希腊"),
    e("GS", "SGS", 239, "South Georgia and the South Sandwich Islands", "南乔治亚和南桑威奇群岛"),
    e("GT", "GTM", 320, "Guatemala", "危地马拉"),
    e("GU", "GUM", 316, "Guam", "关岛"),
    e("GW", "GNB", 624, "Guinea-Bissau", "几内亚比绍"),
    e("GY", "GUY", 328, "Guyana", "圭亚那"),
    e("HK", "HKG", 344, "Hong Kong", "中国香港"),
    e("HM", "HMD", 334, "Heard Island and McDonald Islands", "赫德岛和麦克唐纳群岛"),
    e("HN", "HND", 340, "Honduras", "洪都拉斯"),
    e("HR", "HRV", 191, "Croatia", "克罗地亚"),
    e("HT", "HTI", 332, "Haiti", "海地"),
    e("HU", "HUN", 348, "Hungary", "匈牙利"),
    e("ID", "IDN", 360, "Indonesia", "印度尼西亚"),
    e("IE", "IRL", 372, "Ireland", "爱尔兰"),
    e("IL", "ISR", 376, "Israel", "以色列"),
    e("IM", "IMN", 833, "Isle of Man", "马恩岛"),
    e("IN", "IND", 356, "India", "印度"),
    e("IO", "IOT",  86, "British Indian Ocean Territory", "英属印度洋领地"),
    e("IQ", "IRQ", 368, "Iraq", "伊拉克"),
    e("IR", "IRN", 364, "Iran (Islamic Republic of)", "伊朗"),
    e("IS", "ISL", 352, "Iceland", "冰岛"),
    e("IT", "ITA", 380, "Italy", "意大利"),
    e("JE", "JEY", 832, "Jersey", "泽西"),
    e("JM", "JAM", 388, "Jamaica", "牙买加"),
    e("JO", "JOR", 400, "Jordan", "约旦"),
    e("JP", "JPN", 392, "Japan", "日本"),
    e("KE", "KEN", 404, "Kenya", "肯尼亚"),
    e("KG", "KGZ", 417, "Kyrgyzstan", "吉尔吉斯斯坦"),
    e("KH", "KHM", 116, "Cambodia", "柬埔寨"),
    e("KI", "KIR", 296, "Kiribati", "基里巴斯"),
    e("KM", "COM", 174, "Comoros", "科摩罗"),
    e("KN", "KNA", 659, "Saint Kitts and Nevis", "圣基茨和尼维斯"),
    e("KP", "PRK", 408, "Korea (Democratic People's Republic of)", "朝鲜"),
    e("KR", "KOR", 410, "Korea, Republic of", "韩国"),
    e("KW", "KWT", 414, "Kuwait", "科威特"),
    e("KY", "CYM", 136, "Cayman Islands", "开曼群岛"),
    e("KZ", "KAZ", 398, "Kazakhstan", "哈萨克斯坦"),
    e("LA", "LAO", 418, "Lao People's Democratic Republic", "老挝"),
    e("LB", "LBN", 422, "Lebanon", "黎巴嫩"),
    e("LC", "LCA", 662, "Saint Lucia", "圣卢西亚"),
    e("LI", "LIE", 438, "Liechtenstein", "列支敦士登"),
    e("LK", "LKA", 144, "Sri Lanka", "斯里兰卡"),
    e("LR", "LBR", 430, "Liberia", "利比里亚"),
    e("LS", "LSO", 426, "Lesotho", "莱索托"),
    e("LT", "LTU", 440, "Lithuania", "立陶宛"),
    e("LU", "LUX", 442, "Luxembourg", "卢森堡"),
    e("LV", "LVA", 428, "Latvia", "拉脱维亚"),
    e("LY", "LBY", 434, "Libya", "利比亚"),
    e("MA", "MAR", 504, "Morocco", "摩洛哥"),
    e("MC", "MCO", 492, "Monaco", "摩纳哥"),
    e("MD", "MDA", 498, "Moldova, Republic of", "摩尔多瓦"),
    e("ME", "MNE", 499, "Montenegro", "黑山"),
    e("MF", "MAF", 663, "Saint Martin (French part)", "法属圣马丁"),
    e("MG", "MDG", 450, "Madagascar", "马达加斯加"),
    e("MH", "MHL", 584, "Marshall Islands", "马绍尔群岛"),
    e("MK", "MKD", 807, "North Macedonia", "北马其顿"),
    e("ML", "MLI", 466, "Mali", "马里"),
    e("MM", "MMR", 104, "Myanmar", "缅甸"),
    e("MN", "MNG", 496, "Mongolia", "蒙古"),
    e("MO", "MAC", 446, "Macao", "中国澳门"),
    e("MP", "MNP", 580, "Northern Mariana Islands", "北马里亚纳群岛"),
    e("MQ", "MTQ", 474, "Martinique", "马提尼克"),
    e("MR", "MRT", 478, "Mauritania", "毛里塔尼亚"),
    e("MS", "MSR", 500, "Montserrat", "蒙特塞拉特"),
    e("MT", "MLT", 470, "Malta", "马耳他"),
    e("MU", "MUS", 480, "Mauritius", "毛里求斯"),
    e("MV", "MDV", 462, "Maldives", "马尔代夫"),
    e("MW", "MWI", 454, "Malawi", "马拉维"),
    e("MX", "MEX", 484, "Mexico", "墨西哥"),
    e("MY", "MYS", 458, "Malaysia", "马来西亚"),
    e("MZ", "MOZ", 508, "Mozambique", "莫桑比克"),
    e("NA", "NAM", 516, "Namibia", "纳米比亚"),
    e("NC", "NCL", 540, "New Caledonia", "新喀里多尼亚"),
    e("NE", "NER", 562, "Niger", "尼日尔"),
    e("NF", "NFK", 574, "Norfolk Island", "诺福克岛"),
    e("NG", "NGA", 566, "Nigeria", "尼日利亚"),
    e("NI", "NIC", 558, "Nicaragua", "尼加拉瓜"),
    e("NL", "NLD", 528, "Netherlands, Kingdom of the", "荷兰"),
    e("NO", "NOR", 578, "Norway", "挪威"),
    e("NP", "NPL", 524, "Nepal", "尼泊尔"),
    e("NR", "NRU", 520, "Nauru", "瑙鲁"),
    e("NU", "NIU", 570, "Niue", "纽埃"),
    e("NZ", "NZL", 554, "New Zealand", "新西兰"),
    e("OM", "OMN", 512, "Oman", "阿曼"),
    e("PA", "PAN", 591, "Panama", "巴拿马"),
    e("PE", "PER", 604, "Peru", "秘鲁"),
    e("PF", "PYF", 258, "French Polynesia", "法属波利尼西亚"),
    e("PG", "PNG", 598, "Papua New Guinea", "巴布亚新几内亚"),
    e("PH", "PHL", 608, "Philippines", "菲律宾"),
    e("PK", "PAK", 586, "Pakistan", "巴基斯坦"),
    e("PL", "POL", 616, "Poland", "波兰"),
    e("PM", "SPM", 666, "Saint Pierre and Miquelon", "圣皮埃尔和密克隆"),
    e("PN", "PCN", 612, "Pitcairn", "皮特凯恩群岛"),
    e("PR", "PRI", 630, "Puerto Rico", "波多黎各"),
    e("PS", "PSE", 275, "Palestine, State of", "巴勒斯坦"),
    e("PT", "PRT", 620, "Portugal", "葡萄牙"),
    e("PW", "PLW", 585, "Palau", "帕劳"),
    e("PY", "PRY", 600, "Paraguay", "巴拉圭"),
    e("QA", "QAT", 634, "Qatar", "卡塔尔"),
    e("RE", "REU", 638, "Réunion", "留尼汪"),
    e("RO", "ROU", 642, "Romania", "罗马尼亚"),
    e("RS", "SRB", 688, "Serbia", "塞尔维亚"),
    e("RU", "RUS", 643, "Russian Federation", "俄罗斯"),
    e("RW", "RWA", 646, "Rwanda", "卢旺达"),
    e("SA", "SAU", 682, "Saudi Arabia", "沙特阿拉伯"),
    e("SB", "SLB",  90, "Solomon Islands", "所罗门群岛"),
    e("SC", "SYC", 690, "Seychelles", "塞舌尔"),
    e("SD", "SDN", 729, "Sudan", "苏丹"),
    e("SE", "SWE", 752, "Sweden", "瑞典"),
    e("SG", "SGP", 702, "Singapore", "新加坡"),
    e("SH", "SHN", 654, "Saint Helena, Ascension and Tristan da Cunha", "圣赫勒拿、阿森松和特里斯坦-达库尼亚"),
    e("SI", "SVN", 705, "Slovenia", "斯洛文尼亚"),
    e("SJ", "SJM", 744, "Svalbard and Jan Mayen", "斯瓦尔巴和扬马延"),
    e("SK", "SVK", 703, "Slovakia", "斯洛伐克"),
    e("SL", "SLE", 694, "Sierra Leone", "塞拉利昂"),
    e("SM", "SMR", 674, "San Marino", "圣马力诺"),
    e("SN", "SEN", 686, "Senegal", "塞内加尔"),
    e("SO", "SOM", 706, "Somalia", "索马里"),
    e("SR", "SUR", 740, "Suriname", "苏里南"),
    e("SS", "SSD", 728, "South Sudan", "南苏丹"),
    e("ST", "STP", 678, "Sao Tome and Principe", "圣多美和普林西比"),
    e("SV", "SLV", 222, "El Salvador", "萨尔瓦多"),
    e("SX", "SXM", 534, "Sint Maarten (Dutch part)", "荷属圣马丁"),
    e("SY", "SYR", 760, "Syrian Arab Republic", "叙利亚"),
    e("SZ", "SWZ", 748, "Eswatini", "斯威士兰"),
    e("TC", "TCA", 796, "Turks and Caicos Islands", "特克斯和凯科斯群岛"),
    e("TD", "TCD", 148, "Chad", "乍得"),
    e("TF", "ATF", 260, "French Southern Territories", "法属南部领地"),
    e("TG", "TGO", 768, "Togo", "多哥"),
    e("TH", "THA", 764, "Thailand", "泰国"),
    e("TJ", "TJK", 762, "Tajikistan", "塔吉克斯坦"),
    e("TK", "TKL", 772, "Tokelau", "托克劳"),
    e("TL", "TLS", 626, "Timor-Leste", "东帝汶"),
    e("TM", "TKM", 795, "Turkmenistan", "土库曼斯坦"),
    e("TN", "TUN", 788, "Tunisia", "突尼斯"),
    e("TO", "TON", 776, "Tonga", "汤加"),
    e("TR", "TUR", 792, "Türkiye", "土耳其"),
    e("TT", "TTO", 780, "Trinidad and Tobago", "特立尼达和多巴哥"),
    e("TV", "TUV", 798, "Tuvalu", "图瓦卢"),
    e("TW", "TWN", 158, "Taiwan, Province of China", "中国台湾"),
    e("TZ", "TZA", 834, "Tanzania, United Republic of", "坦桑尼亚"),
    e("UA", "UKR", 804, "Ukraine", "乌克兰"),
    e("UG", "UGA", 800, "Uganda", "乌干达"),
    e("UM", "UMI", 581, "United States Minor Outlying Islands", "美国本土外小岛屿"),
    e("US", "USA", 840, "United States of America", "美国"),
    e("UY", "URY", 858, "Uruguay", "乌拉圭"),
    e("UZ", "UZB", 860, "Uzbekistan", "乌兹别克斯坦"),
    e("VA", "VAT", 336, "Holy See", "梵蒂冈"),
    e("VC", "VCT", 670, "Saint Vincent and the Grenadines", "圣文森特和格林纳丁斯"),
    e("VE", "VEN", 862, "Venezuela (Bolivarian Republic of)", "委内瑞拉"),
    e("VG", "VGB",  92, "Virgin Islands (British)", "英属维尔京群岛"),
    e("VI", "VIR", 850, "Virgin Islands (U.S.)", "美属维尔京群岛"),
    e("VN", "VNM", 704, "Viet Nam", "越南"),
    e("VU", "VUT", 548, "Vanuatu", "瓦努阿图"),
    e("WF", "WLF", 876, "Wallis and Futuna", "瓦利斯和富图纳"),
    e("WS", "WSM", 882, "Samoa", "萨摩亚"),
    e("YE", "YEM", 887, "Yemen", "也门"),
    e("YT", "MYT", 175, "Mayotte", "马约特"),
    e("ZA", "ZAF", 710, "South Africa", "南非"),
    e("ZM", "ZMB", 894, "Zambia", "赞比亚"),
    e("ZW", "ZWE", 716, "Zimbabwe", "津巴布韦"),
];

/// Every country, in table (alpha-2) order; backs [`Country::all`].
static ALL: [Country; COUNT] = {
    let mut out = [Country(0); COUNT];
    let mut i = 0;
    while i < COUNT {
        out[i] = Country(i as u8);
        i += 1;
    }
    out
};

/// Membership of the EU VAT area, kept as data: the 27 member states of the
/// European Union as of 2026. Edit this list when membership changes.
///
/// Only whole ISO 3166-1 entries are modelled. Parts of member states that
/// carry their own ISO code and lie outside the EU VAT area (Åland `AX`,
/// the French overseas departments `GF`, `GP`, `MQ`, `RE`, `YT`, `MF`) are
/// therefore not members; parts without their own code (Canary Islands,
/// Ceuta, Melilla, Mount Athos, Büsingen, Heligoland, Livigno, Campione
/// d'Italia) cannot be told apart and count with their state; Monaco
/// (treated as part of France for VAT) is not listed.
const EU_VAT_AREA: [Country; 27] = [
    Country::by_alpha2("AT"),
    Country::by_alpha2("BE"),
    Country::by_alpha2("BG"),
    Country::by_alpha2("CY"),
    Country::by_alpha2("CZ"),
    Country::by_alpha2("DE"),
    Country::by_alpha2("DK"),
    Country::by_alpha2("EE"),
    Country::by_alpha2("ES"),
    Country::by_alpha2("FI"),
    Country::by_alpha2("FR"),
    Country::by_alpha2("GR"),
    Country::by_alpha2("HR"),
    Country::by_alpha2("HU"),
    Country::by_alpha2("IE"),
    Country::by_alpha2("IT"),
    Country::by_alpha2("LT"),
    Country::by_alpha2("LU"),
    Country::by_alpha2("LV"),
    Country::by_alpha2("MT"),
    Country::by_alpha2("NL"),
    Country::by_alpha2("PL"),
    Country::by_alpha2("PT"),
    Country::by_alpha2("RO"),
    Country::by_alpha2("SE"),
    Country::by_alpha2("SI"),
    Country::by_alpha2("SK"),
];

impl Country {
    /// China 中国.
    pub const CN: Country = Country::by_alpha2("CN");
    /// United States 美国.
    pub const US: Country = Country::by_alpha2("US");
    /// United Kingdom 英国.
    pub const GB: Country = Country::by_alpha2("GB");
    /// Germany 德国.
    pub const DE: Country = Country::by_alpha2("DE");
    /// France 法国.
    pub const FR: Country = Country::by_alpha2("FR");
    /// Spain 西班牙.
    pub const ES: Country = Country::by_alpha2("ES");
    /// Italy 意大利.
    pub const IT: Country = Country::by_alpha2("IT");
    /// Netherlands 荷兰.
    pub const NL: Country = Country::by_alpha2("NL");
    /// Japan 日本.
    pub const JP: Country = Country::by_alpha2("JP");
    /// Australia 澳大利亚.
    pub const AU: Country = Country::by_alpha2("AU");
    /// Canada 加拿大.
    pub const CA: Country = Country::by_alpha2("CA");
    /// New Zealand 新西兰.
    pub const NZ: Country = Country::by_alpha2("NZ");
    /// Singapore 新加坡.
    pub const SG: Country = Country::by_alpha2("SG");
    /// Norway 挪威.
    pub const NO: Country = Country::by_alpha2("NO");
    /// Switzerland 瑞士.
    pub const CH: Country = Country::by_alpha2("CH");
    /// Saudi Arabia 沙特阿拉伯.
    pub const SA: Country = Country::by_alpha2("SA");
    /// United Arab Emirates 阿拉伯联合酋长国.
    pub const AE: Country = Country::by_alpha2("AE");
    /// Hong Kong 中国香港.
    pub const HK: Country = Country::by_alpha2("HK");

    /// Compile-time lookup for constants; a code missing from the table
    /// fails the build.
    const fn by_alpha2(code: &str) -> Country {
        let code = code.as_bytes();
        let mut i = 0;
        while i < COUNT {
            let row = TABLE[i].alpha2.as_bytes();
            if row[0] == code[0] && row[1] == code[1] {
                return Country(i as u8);
            }
            i += 1;
        }
        panic!("alpha-2 code missing from the ISO 3166-1 table");
    }

    /// Looks up an alpha-2 code such as `"US"`.
    ///
    /// Either case is accepted (`"us"`, `"Us"`) and normalised; no
    /// surrounding whitespace is allowed.
    pub fn from_alpha2(code: &str) -> Result<Country, CountryError> {
        let unknown = || CountryError::UnknownAlpha2(echo(code));
        let key: [u8; 2] = code.as_bytes().try_into().map_err(|_| unknown())?;
        let key = key.map(|b| b.to_ascii_uppercase());
        TABLE
            .binary_search_by(|row| row.alpha2.as_bytes().cmp(&key[..]))
            .map(|i| Country(i as u8))
            .map_err(|_| unknown())
    }

    /// Looks up an alpha-3 code such as `"USA"`; either case is accepted.
    pub fn from_alpha3(code: &str) -> Result<Country, CountryError> {
        TABLE
            .iter()
            .position(|row| row.alpha3.eq_ignore_ascii_case(code))
            .map(|i| Country(i as u8))
            .ok_or_else(|| CountryError::UnknownAlpha3(echo(code)))
    }

    /// Looks up a numeric code such as `840` (United States).
    pub fn from_numeric(code: u16) -> Result<Country, CountryError> {
        TABLE
            .iter()
            .position(|row| row.numeric == code)
            .map(|i| Country(i as u8))
            .ok_or(CountryError::UnknownNumeric(code))
    }

    /// Every assigned country, ordered by alpha-2 code.
    pub fn all() -> &'static [Country] {
        &ALL
    }

    /// The EU member states, as listed for [`Country::is_eu_member`].
    pub fn eu_members() -> &'static [Country] {
        &EU_VAT_AREA
    }

    fn entry(self) -> &'static Entry {
        &TABLE[self.0 as usize]
    }

    /// Upper-case alpha-2 code, e.g. `"US"`.
    pub fn alpha2(self) -> &'static str {
        self.entry().alpha2
    }

    /// Upper-case alpha-3 code, e.g. `"USA"`.
    pub fn alpha3(self) -> &'static str {
        self.entry().alpha3
    }

    /// Numeric code, e.g. `840`. ISO writes it with three digits
    /// (`format!("{:03}", c.numeric())` gives `"004"` for Afghanistan).
    pub fn numeric(self) -> u16 {
        self.entry().numeric
    }

    /// ISO 3166-1 English short name, e.g. `"United States of America"`.
    pub fn name_en(self) -> &'static str {
        self.entry().name_en
    }

    /// Simplified Chinese name, e.g. `"美国"`.
    pub fn name_zh(self) -> &'static str {
        self.entry().name_zh
    }

    /// Name for a locale tag: the Chinese name when the tag's language is
    /// `zh` (`"zh"`, `"zh-CN"`, `"zh_Hans"`, any case), otherwise English.
    ///
    /// Only Simplified Chinese names are held, so `"zh-TW"` also gets them.
    pub fn name(self, locale: &str) -> &'static str {
        let bytes = locale.as_bytes();
        let is_zh = bytes.len() >= 2
            && bytes[..2].eq_ignore_ascii_case(b"zh")
            && matches!(bytes.get(2), None | Some(b'-' | b'_'));
        if is_zh {
            self.name_zh()
        } else {
            self.name_en()
        }
    }

    /// Whether this is one of the 27 EU member states, i.e. inside the EU
    /// VAT area. The list is data as of 2026 and ignores sub-national
    /// territories without their own code; see [`Country::eu_members`].
    pub fn is_eu_member(self) -> bool {
        EU_VAT_AREA.contains(&self)
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.alpha2())
    }
}

impl fmt::Debug for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Country({})", self.alpha2())
    }
}

impl FromStr for Country {
    type Err = CountryError;

    /// Parses an alpha-2 code, as [`Country::from_alpha2`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Country::from_alpha2(s)
    }
}

impl Serialize for Country {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.alpha2())
    }
}

impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Alpha2Visitor;

        impl de::Visitor<'_> for Alpha2Visitor {
            type Value = Country;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ISO 3166-1 alpha-2 country code")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Country, E> {
                Country::from_alpha2(v).map_err(E::custom)
            }
        }

        deserializer.deserialize_str(Alpha2Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    #[test]
    fn table_has_every_assigned_code() {
        assert_eq!(TABLE.len(), 249);
        assert_eq!(Country::all().len(), 249);
    }

    #[test]
    fn table_is_sorted_by_alpha2() {
        for pair in TABLE.windows(2) {
            assert!(
                pair[0].alpha2 < pair[1].alpha2,
                "{} is not before {}",
                pair[0].alpha2,
                pair[1].alpha2
            );
        }
    }

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut a2 = HashSet::new();
        let mut a3 = HashSet::new();
        let mut num = HashSet::new();
        for row in &TABLE {
            assert!(a2.insert(row.alpha2), "duplicate alpha-2 {}", row.alpha2);
            assert!(a3.insert(row.alpha3), "duplicate alpha-3 {}", row.alpha3);
            assert!(num.insert(row.numeric), "duplicate numeric {}", row.numeric);
            assert!(row.alpha2.len() == 2 && row.alpha2.bytes().all(|b| b.is_ascii_uppercase()));
            assert!(row.alpha3.len() == 3 && row.alpha3.bytes().all(|b| b.is_ascii_uppercase()));
            assert!((1..=999).contains(&row.numeric), "{}", row.alpha2);
        }
    }

    #[test]
    fn every_entry_has_names() {
        for &c in Country::all() {
            assert!(!c.name_en().trim().is_empty(), "{c}");
            assert!(!c.name_zh().trim().is_empty(), "{c}");
            assert!(!c.name_zh().is_ascii(), "{c} has no Chinese name");
        }
    }

    #[test]
    fn all_round_trips_through_every_code() {
        for (i, &c) in Country::all().iter().enumerate() {
            assert_eq!(c.0 as usize, i);
            assert_eq!(Country::from_alpha2(c.alpha2()), Ok(c));
            assert_eq!(Country::from_alpha3(c.alpha3()), Ok(c));
            assert_eq!(Country::from_numeric(c.numeric()), Ok(c));
        }
    }

    #[test]
    fn lookups() {
        let us = Country::from_alpha2("US").unwrap();
        assert_eq!(us, Country::US);
        assert_eq!(us.alpha3(), "USA");
        assert_eq!(us.numeric(), 840);
        assert_eq!(us.name_en(), "United States of America");
        assert_eq!(us.name_zh(), "美国");

        assert_eq!(Country::from_alpha3("GBR"), Ok(Country::GB));
        assert_eq!(Country::from_alpha3("deu"), Ok(Country::DE));
        assert_eq!(Country::from_numeric(392), Ok(Country::JP));
        assert_eq!(Country::from_numeric(4).unwrap().alpha2(), "AF");
        assert_eq!(Country::from_alpha2("hk"), Ok(Country::HK));
        assert_eq!(Country::from_alpha2("Cn"), Ok(Country::CN));
        assert_eq!("AE".parse::<Country>(), Ok(Country::AE));

        assert_eq!(Country::AU.name_zh(), "澳大利亚");
        assert_eq!(Country::from_alpha2("MO").unwrap().name_zh(), "中国澳门");
        assert_eq!(Country::from_alpha2("TW").unwrap().name_zh(), "中国台湾");
        assert_eq!(Country::from_alpha2("KR").unwrap().name_zh(), "韩国");
        assert_eq!(Country::SA.name_zh(), "沙特阿拉伯");
        assert_eq!(Country::NZ.name_zh(), "新西兰");
    }

    #[test]
    fn constants_match_their_codes() {
        let consts = [
            (Country::CN, "CN", "中国"),
            (Country::US, "US", "美国"),
            (Country::GB, "GB", "英国"),
            (Country::DE, "DE", "德国"),
            (Country::FR, "FR", "法国"),
            (Country::ES, "ES", "西班牙"),
            (Country::IT, "IT", "意大利"),
            (Country::NL, "NL", "荷兰"),
            (Country::JP, "JP", "日本"),
            (Country::AU, "AU", "澳大利亚"),
            (Country::CA, "CA", "加拿大"),
            (Country::NZ, "NZ", "新西兰"),
            (Country::SG, "SG", "新加坡"),
            (Country::NO, "NO", "挪威"),
            (Country::CH, "CH", "瑞士"),
            (Country::SA, "SA", "沙特阿拉伯"),
            (Country::AE, "AE", "阿拉伯联合酋长国"),
            (Country::HK, "HK", "中国香港"),
        ];
        for (c, code, zh) in consts {
            assert_eq!(c.alpha2(), code);
            assert_eq!(c.name_zh(), zh);
        }
    }

    #[test]
    fn name_by_locale() {
        assert_eq!(Country::GB.name("zh"), "英国");
        assert_eq!(Country::GB.name("zh-CN"), "英国");
        assert_eq!(Country::GB.name("zh_Hans_CN"), "英国");
        assert_eq!(Country::GB.name("ZH-cn"), "英国");
        assert_eq!(Country::DE.name("en"), "Germany");
        assert_eq!(Country::DE.name("en-US"), "Germany");
        assert_eq!(Country::DE.name(""), "Germany");
        assert_eq!(Country::DE.name("de-DE"), "Germany");
        // "zha" is Zhuang, not Chinese.
        assert_eq!(Country::DE.name("zha"), "Germany");
    }

    #[test]
    fn rejects_unknown_codes() {
        let err = Country::from_alpha2("XX").unwrap_err();
        assert_eq!(err, CountryError::UnknownAlpha2("XX".into()));
        assert_eq!(
            err.to_string(),
            r#""XX" is not an ISO 3166-1 alpha-2 country code"#
        );

        let err = Country::from_alpha2("usa").unwrap_err();
        assert!(err.to_string().contains("\"usa\""), "{err}");
        assert!(
            err.to_string().contains("not an ISO 3166-1 alpha-2"),
            "{err}"
        );

        let err = Country::from_alpha2("").unwrap_err();
        assert_eq!(
            err.to_string(),
            r#""" is not an ISO 3166-1 alpha-2 country code"#
        );

        for bad in [" US", "US ", "U", "U\u{0}", "éé", "12"] {
            assert!(Country::from_alpha2(bad).is_err(), "{bad:?}");
        }

        let err = Country::from_alpha3("XXX").unwrap_err();
        assert_eq!(
            err.to_string(),
            r#""XXX" is not an ISO 3166-1 alpha-3 country code"#
        );
        let err = Country::from_numeric(0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "000 is not an ISO 3166-1 numeric country code"
        );
    }

    #[test]
    fn long_input_is_truncated_in_errors() {
        let long = "x".repeat(10_000);
        let msg = Country::from_alpha2(&long).unwrap_err().to_string();
        assert!(msg.len() < 100, "{msg}");
        assert!(msg.contains("not an ISO 3166-1 alpha-2"));
    }

    #[test]
    fn display_and_debug() {
        assert_eq!(Country::US.to_string(), "US");
        assert_eq!(format!("{:>4}", Country::US), "  US");
        assert_eq!(format!("{:?}", Country::US), "Country(US)");
    }

    #[test]
    fn serde_round_trip() {
        let json = serde_json::to_string(&Country::CN).unwrap();
        assert_eq!(json, r#""CN""#);
        let back: Country = serde_json::from_str(&json).unwrap();
        assert_eq!(back, Country::CN);

        let list: Vec<Country> = serde_json::from_str(r#"["GB","de","Jp"]"#).unwrap();
        assert_eq!(list, [Country::GB, Country::DE, Country::JP]);

        for &c in Country::all() {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(serde_json::from_str::<Country>(&json).unwrap(), c);
        }
    }

    #[test]
    fn serde_rejects_invalid() {
        let err = serde_json::from_str::<Country>(r#""XX""#).unwrap_err();
        assert!(
            err.to_string()
                .contains(r#""XX" is not an ISO 3166-1 alpha-2 country code"#),
            "{err}"
        );
        assert!(serde_json::from_str::<Country>(r#""USA""#).is_err());
        assert!(serde_json::from_str::<Country>(r#""""#).is_err());
        assert!(serde_json::from_str::<Country>("840").is_err());
        assert!(serde_json::from_str::<Country>("null").is_err());
    }

    #[test]
    fn eu_membership() {
        let members: Vec<Country> = Country::all()
            .iter()
            .copied()
            .filter(|c| c.is_eu_member())
            .collect();
        assert_eq!(members.len(), 27);
        assert_eq!(Country::eu_members().len(), 27);
        let unique: HashSet<_> = Country::eu_members().iter().collect();
        assert_eq!(unique.len(), 27);

        for c in [
            Country::DE,
            Country::FR,
            Country::ES,
            Country::IT,
            Country::NL,
        ] {
            assert!(c.is_eu_member(), "{c}");
        }
        for c in [
            Country::GB,
            Country::NO,
            Country::CH,
            Country::US,
            Country::CN,
            Country::HK,
        ] {
            assert!(!c.is_eu_member(), "{c}");
        }
        for code in ["HR", "IE", "CY", "MT"] {
            assert!(Country::from_alpha2(code).unwrap().is_eu_member(), "{code}");
        }
        for code in ["AX", "RE", "MC", "IS", "LI", "TR"] {
            assert!(
                !Country::from_alpha2(code).unwrap().is_eu_member(),
                "{code}"
            );
        }
    }

    #[test]
    fn ordering_follows_alpha2() {
        let mut v = vec![Country::US, Country::CN, Country::AE, Country::GB];
        v.sort();
        assert_eq!(v, [Country::AE, Country::CN, Country::GB, Country::US]);
    }

    proptest! {
        #[test]
        fn from_alpha2_accepts_exactly_table_codes(s in "\\PC{0,4}") {
            match Country::from_alpha2(&s) {
                Ok(c) => prop_assert_eq!(c.alpha2(), s.to_ascii_uppercase()),
                Err(e) => {
                    prop_assert!(TABLE.iter().all(|r| !r.alpha2.eq_ignore_ascii_case(&s)));
                    prop_assert!(e.to_string().contains("is not an ISO 3166-1 alpha-2"));
                }
            }
        }

        #[test]
        fn two_letter_codes_round_trip(a in b'A'..=b'Z', b in b'a'..=b'z') {
            let s = String::from_utf8(vec![a, b]).unwrap();
            if let Ok(c) = Country::from_alpha2(&s) {
                prop_assert_eq!(c.alpha2(), s.to_ascii_uppercase());
                let json = serde_json::to_string(&c).unwrap();
                prop_assert_eq!(serde_json::from_str::<Country>(&json).unwrap(), c);
            }
        }
    }
}
