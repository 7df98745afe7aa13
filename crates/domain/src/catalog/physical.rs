//! Physical facts about a variant that carriers and customs care about: its
//! size (`Dimensions`, for volumetric weight) and the goods it contains that
//! limit how it may ship (`GoodsFlags`).

use std::fmt;
use std::num::NonZeroU32;

use serde::{Deserialize, Serialize};

use super::identifiers::CatalogFieldError;

/// Goods in or with a variant that limit how it may be shipped: many
/// carriers and postal services refuse or restrict batteries, liquids,
/// magnets, powders and other dangerous goods, especially by air.
///
/// In JSON, an object of five booleans (missing ones are `false`). In CSV,
/// a list of names: `"battery, magnet"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GoodsFlags {
    /// Contains or comes with a battery (lithium batteries are UN 3480/3481/3090/3091).
    pub battery: bool,
    /// Contains a liquid (including gels and pastes).
    pub liquid: bool,
    /// Contains a magnet.
    pub magnet: bool,
    /// Contains a powder.
    pub powder: bool,
    /// Other dangerous goods (flammable, pressurised, corrosive…).
    pub dangerous_goods: bool,
}

impl GoodsFlags {
    /// The names used in lists, in this order.
    pub const NAMES: [&'static str; 5] =
        ["battery", "liquid", "magnet", "powder", "dangerous_goods"];

    /// Parses a list of names separated by `,`, `;` or `|`, e.g.
    /// `"battery, magnet"`; case-insensitive; `dangerous goods` and
    /// `dangerous-goods` are accepted for `dangerous_goods`. Empty text is no flags.
    pub fn parse_list(text: &str) -> Result<GoodsFlags, CatalogFieldError> {
        let mut flags = GoodsFlags::default();
        for name in text
            .split([',', ';', '|'])
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            let normalised = name.to_ascii_lowercase().replace([' ', '-'], "_");
            match normalised.as_str() {
                "battery" | "batteries" => flags.battery = true,
                "liquid" | "liquids" => flags.liquid = true,
                "magnet" | "magnets" => flags.magnet = true,
                "powder" | "powders" => flags.powder = true,
                "dangerous_goods" | "dg" => flags.dangerous_goods = true,
                _ => {
                    return Err(CatalogFieldError::new(
                        "goods_flags",
                        format!(
                            "{name:?} is not a goods flag; use battery, liquid, magnet, powder or dangerous_goods"
                        ),
                    ))
                }
            }
        }
        Ok(flags)
    }

    /// The names of the flags that are set, in [`GoodsFlags::NAMES`] order.
    pub fn names(&self) -> impl Iterator<Item = &'static str> {
        let set = [
            self.battery,
            self.liquid,
            self.magnet,
            self.powder,
            self.dangerous_goods,
        ];
        Self::NAMES
            .into_iter()
            .zip(set)
            .filter(|(_, on)| *on)
            .map(|(n, _)| n)
    }

    /// Whether any flag is set, i.e. shipping is limited.
    pub fn any(&self) -> bool {
        self.names().next().is_some()
    }
}

impl fmt::Display for GoodsFlags {
    /// The list form, e.g. `"battery, magnet"` (empty when none is set).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, name) in self.names().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(name)?;
        }
        Ok(())
    }
}

/// The outer size of a packed variant, in whole millimetres, each side
/// 1 mm to 100 m.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "DimensionsMm")]
pub struct Dimensions {
    length_mm: u32,
    width_mm: u32,
    height_mm: u32,
}

/// The unchecked JSON form of [`Dimensions`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DimensionsMm {
    length_mm: u32,
    width_mm: u32,
    height_mm: u32,
}

impl TryFrom<DimensionsMm> for Dimensions {
    type Error = CatalogFieldError;
    fn try_from(d: DimensionsMm) -> Result<Self, Self::Error> {
        Dimensions::new(d.length_mm, d.width_mm, d.height_mm)
    }
}

impl Dimensions {
    /// Longest side accepted, in millimetres (100 m).
    pub const MAX_SIDE_MM: u32 = 100_000;

    /// Length, width and height in millimetres, each 1..=100,000.
    pub fn new(
        length_mm: u32,
        width_mm: u32,
        height_mm: u32,
    ) -> Result<Dimensions, CatalogFieldError> {
        for (name, value) in [
            ("length", length_mm),
            ("width", width_mm),
            ("height", height_mm),
        ] {
            if !(1..=Self::MAX_SIDE_MM).contains(&value) {
                return Err(CatalogFieldError::new(
                    "dimensions",
                    format!(
                        "{name} {value} mm must be between 1 and {} mm",
                        Self::MAX_SIDE_MM
                    ),
                ));
            }
        }
        Ok(Dimensions {
            length_mm,
            width_mm,
            height_mm,
        })
    }

    /// Length in millimetres.
    pub fn length_mm(&self) -> u32 {
        self.length_mm
    }

    /// Width in millimetres.
    pub fn width_mm(&self) -> u32 {
        self.width_mm
    }

    /// Height in millimetres.
    pub fn height_mm(&self) -> u32 {
        self.height_mm
    }

    /// Volumetric (dimensional) weight in grams for a carrier's divisor.
    ///
    /// Carriers state it as L × W × H in cm ÷ divisor = kg (divisor 5000 for
    /// most express carriers, 6000 for many postal and economy services).
    /// In millimetres that is exactly L × W × H in mm³ ÷ divisor = grams
    /// (1 cm³ = 1,000 mm³ and 1 kg = 1,000 g cancel out), computed in
    /// integers and rounded up to the next whole gram. Carriers then round
    /// to their own billing step (0.5 kg, 1 lb…), which is their rule, not this one.
    ///
    /// Example: 300 × 200 × 150 mm at 5000 → 9,000,000 ÷ 5000 = 1,800 g.
    pub fn volumetric_weight_grams(&self, divisor: NonZeroU32) -> u64 {
        // At most 10^15, so it fits in u64.
        let volume_mm3 =
            u64::from(self.length_mm) * u64::from(self.width_mm) * u64::from(self.height_mm);
        volume_mm3.div_ceil(u64::from(divisor.get()))
    }

    /// The weight a carrier bills: the greater of the actual weight and the
    /// volumetric weight, in grams.
    pub fn chargeable_weight_grams(&self, actual_grams: u32, divisor: NonZeroU32) -> u64 {
        self.volumetric_weight_grams(divisor)
            .max(u64::from(actual_grams))
    }
}
