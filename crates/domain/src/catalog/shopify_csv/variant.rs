//! The variant cells of one row: options, SKU, barcode, prices, weights,
//! image and trade data.

use std::collections::BTreeMap;

use crate::country::Country;
use crate::money::{Currency, Money};

use super::super::gtin::Gtin;
use super::super::hs::{HsCode, TariffCode};
use super::super::identifiers::{MediaUrl, Sku};
use super::super::physical::{Dimensions, GoodsFlags};
use super::super::product::{TradeData, VariantDraft};
use super::super::spreadsheet::{looks_like_scientific_notation, SCIENTIFIC_NOTATION_REASON};
use super::builder::ProductBuilder;
use super::columns::Field;
use super::header::{Row, RowProblems};
use super::import::ImportContext;

/// Reads the variant on a row; `None` if a cell is bad (problems added).
pub(super) fn read_variant(
    r: &Row<'_>,
    product: &ProductBuilder,
    ctx: &ImportContext<'_>,
    problems: &mut RowProblems<'_>,
) -> Option<VariantDraft> {
    let header = r.header;
    let before = problems.found;
    problems.found = false;

    let mut option_values = Vec::with_capacity(3);
    let value_fields = [
        Field::Option1Value,
        Field::Option2Value,
        Field::Option3Value,
    ];
    for (i, field) in value_fields.into_iter().enumerate() {
        let value = r.get(field);
        match product.option_names.get(i) {
            Some(name) if value.is_empty() => problems.add(
                header.name(field),
                format!("is empty but the product has the option {name:?}"),
            ),
            Some(_) => option_values.push(value.to_owned()),
            None if !value.is_empty() => problems.add(
                header.name(field),
                format!(
                    "{value:?} has no option name: fill Option{} name on the product's first row",
                    i + 1
                ),
            ),
            None => {}
        }
    }

    let sku = parse_optional(r, problems, Field::Sku, |t| {
        Sku::parse(t).map_err(|e| e.reason)
    });
    let gtin = parse_optional(r, problems, Field::Barcode, |t| {
        Gtin::parse(t).map_err(|e| e.to_string())
    });

    let currency = match r.get(Field::Currency) {
        "" => ctx.currency,
        code => Currency::from_code(&code.to_ascii_uppercase()).unwrap_or_else(|e| {
            problems.add(header.name(Field::Currency), e.to_string());
            ctx.currency
        }),
    };
    let price = match r.get(Field::Price) {
        "" => {
            problems.add(
                header.name(Field::Price),
                "the price is required for a variant",
            );
            None
        }
        text => match Money::parse_major(text, currency) {
            Ok(price) if price.is_positive() => Some(price),
            Ok(price) => {
                problems.add(
                    header.name(Field::Price),
                    format!("price {price} must be greater than zero"),
                );
                None
            }
            Err(e) => {
                problems.add(header.name(Field::Price), e.to_string());
                None
            }
        },
    };
    // Some tools write 0 for "no compare-at price"; Shopify stores none.
    let compare_at_price =
        parse_optional(
            r,
            problems,
            Field::CompareAtPrice,
            |t| match Money::parse_major(t, currency) {
                Ok(m) if m.is_negative() => {
                    Err(format!("compare-at price {m} must not be negative"))
                }
                Ok(m) => Ok(m),
                Err(e) => Err(e.to_string()),
            },
        )
        .filter(|m| !m.is_zero());
    let weight_grams = parse_optional(r, problems, Field::WeightGrams, parse_grams).flatten();
    let image_url = parse_optional(r, problems, Field::VariantImageUrl, |t| {
        MediaUrl::parse(t).map_err(|e| e.reason)
    });

    let hs_code = parse_optional(r, problems, Field::HsCode, |t| {
        let code = HsCode::parse(t).map_err(|e| e.to_string())?;
        if ctx.hs_codes.is_declarable(code) {
            Ok(code)
        } else {
            Err(format!(
                "HS code {code} is not a subheading of the HS nomenclature (check the code, or import the nomenclature with `chuhai import hs`)"
            ))
        }
    });
    let mut tariff_codes = BTreeMap::new();
    for &(country, index) in &header.tariffs {
        let text = r.cell(index);
        if text.is_empty() {
            continue;
        }
        match TariffCode::parse(text) {
            Ok(code) => {
                tariff_codes.insert(country, code);
            }
            Err(e) => problems.add(header.names[index].clone(), e.to_string()),
        }
    }
    let country_of_origin = parse_optional(r, problems, Field::CountryOfOrigin, |t| {
        Country::from_alpha2(t).map_err(|e| format!("{e}; write the 2-letter code, e.g. CN"))
    });
    let net_weight_grams =
        parse_optional(r, problems, Field::NetWeightGrams, parse_grams).flatten();
    let sides = [Field::LengthMm, Field::WidthMm, Field::HeightMm]
        .map(|f| parse_optional(r, problems, f, parse_whole_mm));
    let dimensions = match sides {
        [Some(l), Some(w), Some(h)] => match Dimensions::new(l, w, h) {
            Ok(d) => Some(d),
            Err(e) => {
                problems.add(header.name(Field::LengthMm), e.reason);
                None
            }
        },
        [None, None, None] => None,
        _ => {
            let missing = [Field::LengthMm, Field::WidthMm, Field::HeightMm]
                .into_iter()
                .zip(sides)
                .filter(|(_, s)| s.is_none())
                .map(|(f, _)| header.name(f))
                .collect::<Vec<_>>();
            if !problems.found {
                problems.add(
                    missing[0].clone(),
                    "length, width and height go together; fill all three or none",
                );
            }
            None
        }
    };
    let goods_flags = parse_optional(r, problems, Field::GoodsFlags, |t| {
        GoodsFlags::parse_list(t).map_err(|e| e.reason)
    })
    .unwrap_or_default();

    let found = problems.found;
    problems.found = before || found;
    if found {
        return None;
    }
    Some(VariantDraft {
        sku,
        option_values,
        gtin,
        price: price?,
        compare_at_price,
        weight_grams,
        image_url,
        trade: TradeData {
            hs_code,
            tariff_codes,
            country_of_origin,
            net_weight_grams,
            dimensions,
            customs_description_en: r.optional(Field::CustomsDescriptionEn),
            customs_description_zh: r.optional(Field::CustomsDescriptionZh),
            goods_flags,
        },
    })
}

/// Parses a cell if it is not empty, reporting a failure under the field's column.
fn parse_optional<T>(
    r: &Row<'_>,
    problems: &mut RowProblems<'_>,
    field: Field,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Option<T> {
    let text = r.get(field);
    if text.is_empty() {
        return None;
    }
    match parse(text) {
        Ok(value) => Some(value),
        Err(reason) => {
            problems.add(r.header.name(field), reason);
            None
        }
    }
}

/// A weight in grams: a non-negative decimal (`"250"`, `"250.0"`, Shopify
/// exports write `"0.0"`), rounded half up to a whole gram. Zero means
/// "not set" (`None`), as in Shopify.
fn parse_grams(text: &str) -> Result<Option<u32>, String> {
    if looks_like_scientific_notation(text) {
        return Err(format!("{text:?} {SCIENTIFIC_NOTATION_REASON}"));
    }
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if text.starts_with('-') {
        return Err(format!("weight {text:?} must not be negative"));
    }
    if whole.is_empty() || !digits(whole) || !digits(fraction) {
        return Err(format!(
            "weight {text:?} must be a number of grams such as 250 or 250.5"
        ));
    }
    let round_up = fraction.as_bytes().first().is_some_and(|d| *d >= b'5');
    let grams = whole
        .parse::<u32>()
        .ok()
        .and_then(|g| g.checked_add(u32::from(round_up)))
        .ok_or_else(|| format!("weight {text:?} g is too large"))?;
    Ok((grams > 0).then_some(grams))
}

/// A side length in whole millimetres (`"120"` or `"120.0"`).
fn parse_whole_mm(text: &str) -> Result<u32, String> {
    if looks_like_scientific_notation(text) {
        return Err(format!("{text:?} {SCIENTIFIC_NOTATION_REASON}"));
    }
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b == b'0')
    {
        return Err(format!("{text:?} must be a whole number of millimetres"));
    }
    whole
        .parse::<u32>()
        .map_err(|_| format!("{text:?} mm is too large"))
}
