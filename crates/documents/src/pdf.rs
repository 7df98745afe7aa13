//! Writes laid-out pages as PDF with a per-document subset of the embedded
//! font (Type0 / CIDFontType2, Identity-H, ToUnicode).

use std::collections::BTreeMap;

use pdf_writer::types::{
    CidFontType, FontFlags, LineCapStyle, SystemInfo, TextRenderingMode, UnicodeCmap,
};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use subsetter::GlyphRemapper;

use crate::font::{self, Font};
use crate::layout::{Item, Page, PAGE_H, PAGE_W, RULE_GRAY, RULE_W};
use crate::{DocumentError, TradeDocument};

const FONT_RES: Name<'static> = Name(b"F1");
const SYSTEM_INFO: SystemInfo = SystemInfo {
    registry: Str(b"Adobe"),
    ordering: Str(b"Identity"),
    supplement: 0,
};

/// Glyphs used so far: old glyph ID -> CID (= glyph ID in the subset), and
/// the text each CID stands for.
struct Glyphs {
    remapper: GlyphRemapper,
    text: BTreeMap<u16, char>,
}

pub(crate) fn write(
    pages: &[Page],
    font: &Font,
    doc: &TradeDocument,
) -> Result<Vec<u8>, DocumentError> {
    let mut glyphs = Glyphs {
        remapper: GlyphRemapper::new(),
        text: BTreeMap::new(),
    };
    let contents: Vec<Vec<u8>> = pages
        .iter()
        .map(|p| content(p, font, &mut glyphs))
        .collect();

    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog = alloc();
    let tree = alloc();
    let info = alloc();
    let type0 = alloc();
    let cid = alloc();
    let descriptor = alloc();
    let font_file = alloc();
    let cmap = alloc();
    let page_refs: Vec<(Ref, Ref)> = pages.iter().map(|_| (alloc(), alloc())).collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree).lang(TextStr("en"));
    pdf.pages(tree)
        .kids(page_refs.iter().map(|p| p.0))
        .count(pages.len() as i32);
    let title = format!("{} {}", doc.kind.title(), doc.number);
    pdf.document_info(info)
        .title(TextStr(&title))
        .creator(TextStr("Chuhai"))
        .producer(TextStr("chuhai-documents"));

    for ((page_ref, content_ref), data) in page_refs.iter().zip(&contents) {
        let mut page = pdf.page(*page_ref);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .parent(tree)
            .contents(*content_ref);
        page.resources().fonts().pair(FONT_RES, type0);
        page.finish();
        let packed = deflate(data);
        pdf.stream(*content_ref, &packed)
            .filter(Filter::FlateDecode);
    }

    // The font, subset to the glyphs the pages use.
    let subset = subsetter::subset(font::DATA, 0, &glyphs.remapper)
        .map_err(|e| DocumentError::Font(e.to_string()))?;
    let old_gids: Vec<u16> = glyphs.remapper.remapped_gids().collect();
    let base_name = format!("{}+{}", subset_tag(&old_gids), font::NAME);
    let base_name = Name(base_name.as_bytes());

    pdf.type0_font(type0)
        .base_font(base_name)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid)
        .to_unicode(cmap);

    let mut cid_font = pdf.cid_font(cid);
    cid_font
        .subtype(CidFontType::Type2)
        .base_font(base_name)
        .system_info(SYSTEM_INFO)
        .font_descriptor(descriptor)
        .default_width(0.0)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    cid_font
        .widths()
        .consecutive(0, old_gids.iter().map(|&g| font.pdf_width(g)));
    cid_font.finish();

    let face = font.face();
    let bbox = face.global_bounding_box();
    pdf.font_descriptor(descriptor)
        .name(base_name)
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(
            font.to_pdf(bbox.x_min),
            font.to_pdf(bbox.y_min),
            font.to_pdf(bbox.x_max),
            font.to_pdf(bbox.y_max),
        ))
        .italic_angle(0.0)
        .ascent(font.to_pdf(face.ascender()))
        .descent(font.to_pdf(face.descender()))
        .cap_height(font.to_pdf(face.capital_height().unwrap_or(face.ascender())))
        .stem_v(80.0)
        .font_file2(font_file);

    let packed = deflate(&subset);
    pdf.stream(font_file, &packed)
        .filter(Filter::FlateDecode)
        .pair(Name(b"Length1"), subset.len() as i32);

    let mut unicode = UnicodeCmap::new(Name(b"Chuhai-UTF16"), SYSTEM_INFO);
    unicode.pair(0, '\u{FFFD}');
    for (&cid, &c) in &glyphs.text {
        unicode.pair(cid, c);
    }
    let cmap_data = deflate(unicode.finish().as_slice());
    pdf.cmap(cmap, &cmap_data).filter(Filter::FlateDecode);

    Ok(pdf.finish())
}

fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

/// Six capital letters derived from the glyph set, as PDF asks of subsets.
fn subset_tag(gids: &[u16]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for g in gids {
        for b in g.to_be_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    (0..6)
        .map(|i| char::from(b'A' + ((h >> (i * 8)) % 26) as u8))
        .collect()
}

fn content(page: &Page, font: &Font, glyphs: &mut Glyphs) -> Vec<u8> {
    let mut c = Content::new();
    c.set_line_cap(LineCapStyle::ButtCap);
    for item in &page.items {
        match item {
            Item::Fill { x, y, w, h, gray } => {
                c.set_fill_gray(*gray).rect(*x, *y, *w, *h).fill_nonzero();
            }
            Item::Line { x1, y1, x2, y2 } => {
                c.set_stroke_gray(RULE_GRAY)
                    .set_line_width(RULE_W)
                    .move_to(*x1, *y1)
                    .line_to(*x2, *y2)
                    .stroke();
            }
            Item::Text { .. } => text_item(&mut c, font, glyphs, item),
        }
    }
    c.finish().into_vec()
}

fn text_item(c: &mut Content, font: &Font, glyphs: &mut Glyphs, item: &Item) {
    let Item::Text {
        x,
        y,
        size,
        bold,
        gray,
        text,
    } = item
    else {
        return;
    };
    let (x, y, size, bold, gray) = (*x, *y, *size, *bold, *gray);
    c.save_state();
    c.set_fill_gray(gray);
    if bold {
        c.set_stroke_gray(gray).set_line_width(size * 0.035);
    }
    c.begin_text();
    c.set_font(FONT_RES, size);
    if bold {
        c.set_text_rendering_mode(TextRenderingMode::FillStroke);
    }
    c.set_text_matrix([1.0, 0.0, 0.0, 1.0, x, y]);
    // Runs of drawable characters; a missing one is drawn as .notdef inside
    // a span whose /ActualText keeps the character for extraction.
    let mut run: Vec<u8> = Vec::new();
    for ch in text.chars().filter(|c| !c.is_control()) {
        let g = font.glyph(ch);
        if g.missing {
            if !run.is_empty() {
                c.show(Str(&run));
                run.clear();
            }
            let mut buf = [0u8; 4];
            c.begin_marked_content_with_properties(Name(b"Span"))
                .properties()
                .actual_text(TextStr(ch.encode_utf8(&mut buf)));
            c.show(Str(&[0, 0]));
            c.end_marked_content();
            continue;
        }
        let cid = glyphs.remapper.remap(g.gid);
        glyphs.text.entry(cid).or_insert(ch);
        run.extend_from_slice(&cid.to_be_bytes());
    }
    if !run.is_empty() {
        c.show(Str(&run));
    }
    c.end_text();
    c.restore_state();
}
