//! The embedded font: glyph lookup and advance widths.

use ttf_parser::{Face, GlyphId};

/// GB2312 + Latin subset of WenQuanYi Micro Hei (Apache-2.0), see
/// `fonts/README.md`.
pub(crate) static DATA: &[u8] = include_bytes!("../fonts/WenQuanYiMicroHei-GB2312.ttf");

/// PostScript-style name used in the PDF (after the subset tag).
pub(crate) const NAME: &str = "WenQuanYiMicroHei";

pub(crate) struct Font {
    face: Face<'static>,
    units_per_em: f32,
}

/// A character's glyph in the embedded font.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Glyph {
    /// Glyph ID in the embedded font (0 = .notdef, the fallback box).
    pub gid: u16,
    /// Advance width in em.
    pub advance: f32,
    /// The font has no glyph for the character.
    pub missing: bool,
}

impl Font {
    pub(crate) fn embedded() -> Font {
        let face = Face::parse(DATA, 0).expect("the embedded font parses");
        let units_per_em = f32::from(face.units_per_em());
        Font { face, units_per_em }
    }

    /// The glyph that draws `c`; `.notdef` (a box) when the font lacks it.
    pub(crate) fn glyph(&self, c: char) -> Glyph {
        let (gid, missing) = match self.face.glyph_index(c) {
            Some(g) => (g, false),
            None => (GlyphId(0), true),
        };
        let advance = self.face.glyph_hor_advance(gid).unwrap_or(0);
        Glyph {
            gid: gid.0,
            advance: f32::from(advance) / self.units_per_em,
            missing,
        }
    }

    /// Whether the font has a glyph for `c`.
    pub(crate) fn has(&self, c: char) -> bool {
        self.face.glyph_index(c).is_some()
    }

    /// Width of `s` at `size` points.
    pub(crate) fn width(&self, s: &str, size: f32) -> f32 {
        s.chars().map(|c| self.glyph(c).advance).sum::<f32>() * size
    }

    /// Advance width of `gid` in PDF glyph space (1/1000 em).
    pub(crate) fn pdf_width(&self, gid: u16) -> f32 {
        let advance = self.face.glyph_hor_advance(GlyphId(gid)).unwrap_or(0);
        f32::from(advance) * 1000.0 / self.units_per_em
    }

    /// Converts font units to PDF glyph space.
    pub(crate) fn to_pdf(&self, units: i16) -> f32 {
        f32::from(units) * 1000.0 / self.units_per_em
    }

    pub(crate) fn face(&self) -> &Face<'static> {
        &self.face
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_latin_and_gb2312_hanzi_and_reports_others() {
        let font = Font::embedded();
        for c in "AZaz09€£¥éüßŁ×–“”丝绸围巾装箱单，。".chars() {
            assert!(font.has(c), "{c} should be in the font");
        }
        // U+20000 (CJK Extension B) is outside the subset.
        let g = font.glyph('\u{20000}');
        assert!(g.missing);
        assert_eq!(g.gid, 0);
        assert!(g.advance > 0.0, "the fallback box has a width");
        assert!((font.glyph('丝').advance - 1.0).abs() < 1e-6);
        assert!(font.width("Hello", 10.0) > 20.0);
    }
}
