//! Page geometry, line breaking and a small flowing layout engine: text
//! paragraphs and tables whose rows wrap and continue over pages.

use crate::font::Font;

/// A4 in points.
pub(crate) const PAGE_W: f32 = 595.28;
pub(crate) const PAGE_H: f32 = 841.89;
/// Page margin (14 mm).
pub(crate) const MARGIN: f32 = 40.0;
/// Width between the margins.
pub(crate) const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;
/// Room kept for the footer above the bottom margin.
const FOOTER_H: f32 = 18.0;
const TOP: f32 = PAGE_H - MARGIN;
const BOTTOM: f32 = MARGIN + FOOTER_H;
/// Line height as a multiple of the font size.
pub(crate) const LEADING: f32 = 1.22;
/// Baseline below the top of a line box, as a multiple of the font size.
const BASELINE: f32 = 0.93;
/// Padding inside table cells.
const PAD: f32 = 2.5;
pub(crate) const RULE_GRAY: f32 = 0.45;
pub(crate) const RULE_W: f32 = 0.4;
/// Height of the running head on continuation pages.
const RUNNING_HEAD_H: f32 = 8.0 * LEADING + 8.0;
/// A row taller than a page is split only where this much room is left.
const MIN_SPLIT: f32 = 40.0;

/// Something drawn on a page. Coordinates are PDF points from the bottom left.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        gray: f32,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
    },
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        gray: f32,
    },
}

#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Page {
    pub items: Vec<Item>,
}

/// A paragraph inside a cell.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Para {
    pub text: String,
    pub size: f32,
    pub bold: bool,
    pub gray: f32,
}

impl Para {
    pub(crate) fn new(text: impl Into<String>, size: f32) -> Para {
        Para {
            text: text.into(),
            size,
            bold: false,
            gray: 0.0,
        }
    }

    pub(crate) fn bold(mut self) -> Para {
        self.bold = true;
        self
    }

    pub(crate) fn gray(mut self, gray: f32) -> Para {
        self.gray = gray;
        self
    }
}

/// A table cell: paragraphs stacked top to bottom, optionally shaded.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Cell {
    pub paras: Vec<Para>,
    pub fill: Option<f32>,
}

impl Cell {
    pub(crate) fn new(paras: Vec<Para>) -> Cell {
        Cell { paras, fill: None }
    }

    pub(crate) fn text(text: impl Into<String>, size: f32) -> Cell {
        Cell::new(vec![Para::new(text, size)])
    }

    pub(crate) fn shaded(mut self, gray: f32) -> Cell {
        self.fill = Some(gray);
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
    Center,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Column {
    pub width: f32,
    pub align: Align,
}

pub(crate) fn col(width: f32, align: Align) -> Column {
    Column { width, align }
}

/// A table: columns, an optional header row repeated on every page the table
/// spans, and rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Table {
    pub x: f32,
    pub columns: Vec<Column>,
    pub header: Option<Vec<Cell>>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Row {
    pub cells: Vec<Cell>,
    pub min_height: f32,
}

impl Row {
    pub(crate) fn new(cells: Vec<Cell>) -> Row {
        Row {
            cells,
            min_height: 0.0,
        }
    }
}

/// A wrapped line of a cell.
#[derive(Debug, Clone)]
struct Line<'p> {
    text: String,
    para: &'p Para,
}

impl Line<'_> {
    fn height(&self) -> f32 {
        self.para.size * LEADING
    }
}

/// Breaks `text` into lines no wider than `max` points at `size`. Breaks
/// between words, between CJK characters (not before closing or after opening
/// punctuation), after a hyphen or slash inside a word, and inside a word only
/// when it is wider than the line. `\n` forces a break.
pub(crate) fn wrap(font: &Font, text: &str, size: f32, max: f32) -> Vec<String> {
    let mut out = Vec::new();
    for para in text.split('\n') {
        let chars: Vec<char> = para
            .chars()
            .map(|c| if c == '\t' { ' ' } else { c })
            .filter(|c| !c.is_control())
            .collect();
        let widths: Vec<f32> = chars
            .iter()
            .map(|&c| font.glyph(c).advance * size)
            .collect();
        let n = chars.len();
        let mut start = 0;
        let mut produced = false;
        while start < n {
            let mut width = 0.0;
            let mut last_break = None;
            let mut i = start;
            let mut end = n;
            while i < n {
                if i > start && can_break(chars[i - 1], chars[i], i - 1 > start) {
                    last_break = Some(i);
                }
                if width + widths[i] > max && i > start && chars[i] != ' ' {
                    end = last_break.unwrap_or(i);
                    break;
                }
                width += widths[i];
                i += 1;
            }
            let line: String = chars[start..end].iter().collect();
            out.push(line.trim_end().to_string());
            produced = true;
            start = end;
            while start < n && chars[start] == ' ' {
                start += 1;
            }
        }
        if !produced {
            out.push(String::new());
        }
    }
    out
}

fn can_break(prev: char, next: char, prev_not_first: bool) -> bool {
    const NO_BREAK_BEFORE: &str = "，。、；：？！）」』】》〉”’·…—,.;:!?)]}%";
    const NO_BREAK_AFTER: &str = "（「『【《〈“‘([{";
    if next == ' ' {
        return false;
    }
    if prev == ' ' {
        return true;
    }
    if NO_BREAK_BEFORE.contains(next) || NO_BREAK_AFTER.contains(prev) {
        return false;
    }
    if is_cjk(prev) || is_cjk(next) {
        return true;
    }
    (prev == '-' || prev == '/') && prev_not_first && next.is_alphanumeric()
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FFF | 0x3000..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

/// Lays content out top to bottom, starting new pages as needed.
pub(crate) struct Layout<'f> {
    pub font: &'f Font,
    pub pages: Vec<Page>,
    /// Top of the free space on the current page.
    pub y: f32,
    running_head: String,
}

impl<'f> Layout<'f> {
    pub(crate) fn new(font: &'f Font, running_head: String) -> Self {
        Layout {
            font,
            pages: vec![Page::default()],
            y: TOP,
            running_head,
        }
    }

    fn page(&mut self) -> &mut Page {
        self.pages.last_mut().expect("there is always a page")
    }

    /// Starts a new page under the running head.
    pub(crate) fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = TOP;
        let head = self.running_head.clone();
        self.text(MARGIN, self.y - 8.0 * BASELINE, 8.0, true, 0.2, &head);
        self.y -= 8.0 * LEADING + 2.0;
        self.line(MARGIN, self.y, MARGIN + CONTENT_W, self.y);
        self.y -= 6.0;
        debug_assert!((TOP - self.y - RUNNING_HEAD_H).abs() < 0.01);
    }

    /// Free height left on the current page.
    pub(crate) fn room(&self) -> f32 {
        self.y - BOTTOM
    }

    /// Starts a new page unless `height` fits on this one.
    pub(crate) fn ensure(&mut self, height: f32) {
        if height > self.room() {
            self.new_page();
        }
    }

    pub(crate) fn gap(&mut self, height: f32) {
        self.y -= height;
    }

    pub(crate) fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, gray: f32, text: &str) {
        if text.is_empty() {
            return;
        }
        self.page().items.push(Item::Text {
            x,
            y,
            size,
            bold,
            gray,
            text: text.to_string(),
        });
    }

    pub(crate) fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32) {
        self.page().items.push(Item::Line { x1, y1, x2, y2 });
    }

    fn fill(&mut self, x: f32, y: f32, w: f32, h: f32, gray: f32) {
        self.page().items.push(Item::Fill { x, y, w, h, gray });
    }

    /// A line of text centred between the margins.
    pub(crate) fn centered(&mut self, text: &str, size: f32, bold: bool) {
        let w = self.font.width(text, size);
        let x = MARGIN + (CONTENT_W - w).max(0.0) / 2.0;
        self.ensure(size * LEADING);
        let y = self.y - size * BASELINE;
        self.text(x, y, size, bold, 0.0, text);
        self.y -= size * LEADING;
    }

    /// Wrapped text between the margins, continuing on new pages.
    pub(crate) fn paragraph(&mut self, para: &Para) {
        for line in wrap(self.font, &para.text, para.size, CONTENT_W) {
            let h = para.size * LEADING;
            self.ensure(h);
            let y = self.y - para.size * BASELINE;
            self.text(MARGIN, y, para.size, para.bold, para.gray, &line);
            self.y -= h;
        }
    }

    fn wrap_cells<'c>(&self, columns: &[Column], cells: &'c [Cell]) -> Vec<Vec<Line<'c>>> {
        columns
            .iter()
            .zip(cells)
            .map(|(col, cell)| {
                let max = (col.width - 2.0 * PAD).max(1.0);
                cell.paras
                    .iter()
                    .flat_map(|para| {
                        wrap(self.font, &para.text, para.size, max)
                            .into_iter()
                            .map(move |text| Line { text, para })
                    })
                    .collect()
            })
            .collect()
    }

    /// Height of a row if drawn whole.
    fn row_height(lines: &[Vec<Line<'_>>], min_height: f32) -> f32 {
        let content = lines
            .iter()
            .map(|ls| ls.iter().map(Line::height).sum::<f32>())
            .fold(0.0, f32::max);
        (content + 2.0 * PAD).max(min_height)
    }

    /// Draws a row `height` tall at the cursor: the lines of cell `i` from
    /// `next[i]` on, as many as fit, advancing `next`; then moves the cursor
    /// below the row.
    fn draw_row(
        &mut self,
        table: &Table,
        lines: &[Vec<Line<'_>>],
        cells: &[Cell],
        next: &mut [usize],
        height: f32,
    ) {
        let top = self.y;
        let mut x = table.x;
        for (((col, cell_lines), cell), next) in table
            .columns
            .iter()
            .zip(lines)
            .zip(cells)
            .zip(next.iter_mut())
        {
            if let Some(gray) = cell.fill {
                self.fill(x, top - height, col.width, height, gray);
            }
            let mut y = top - PAD;
            while *next < cell_lines.len() {
                let line = &cell_lines[*next];
                if y - line.height() < top - height + PAD - 0.01 {
                    break;
                }
                let w = self.font.width(&line.text, line.para.size);
                let lx = match col.align {
                    Align::Left => x + PAD,
                    Align::Right => x + col.width - PAD - w,
                    Align::Center => x + (col.width - w) / 2.0,
                };
                let p = line.para;
                self.text(
                    lx,
                    y - p.size * BASELINE,
                    p.size,
                    p.bold,
                    p.gray,
                    &line.text,
                );
                y -= line.height();
                *next += 1;
            }
            x += col.width;
        }
        // Grid: top and bottom rules and column edges.
        let right = x;
        self.line(table.x, top, right, top);
        self.line(table.x, top - height, right, top - height);
        let mut x = table.x;
        self.line(x, top, x, top - height);
        for col in &table.columns {
            x += col.width;
            self.line(x, top, x, top - height);
        }
        self.y = top - height;
    }

    fn draw_header(&mut self, table: &Table) {
        if let Some(header) = &table.header {
            let lines = self.wrap_cells(&table.columns, header);
            let h = Self::row_height(&lines, 0.0);
            let mut next = vec![0; header.len()];
            self.draw_row(table, &lines, header, &mut next, h);
        }
    }

    fn header_height(&self, table: &Table) -> f32 {
        table.header.as_ref().map_or(0.0, |h| {
            Self::row_height(&self.wrap_cells(&table.columns, h), 0.0)
        })
    }

    /// Draws a table, repeating its header on each new page. A row that does
    /// not fit moves to the next page; a row taller than a whole page is split.
    pub(crate) fn table(&mut self, table: &Table) {
        let header_h = self.header_height(table);
        let first_h = table.rows.first().map_or(0.0, |r| {
            Self::row_height(&self.wrap_cells(&table.columns, &r.cells), r.min_height)
        });
        // Keep the header with the first row (as far as a page allows).
        self.ensure(header_h + first_h.min(60.0));
        self.draw_header(table);
        // Room on a continuation page below the running head and the header.
        let page_room = TOP - RUNNING_HEAD_H - header_h - BOTTOM;
        for row in &table.rows {
            let lines = self.wrap_cells(&table.columns, &row.cells);
            let mut next = vec![0; row.cells.len()];
            loop {
                let remaining: Vec<Vec<Line<'_>>> = lines
                    .iter()
                    .zip(&next)
                    .map(|(ls, &n)| ls[n.min(ls.len())..].to_vec())
                    .collect();
                let h = Self::row_height(&remaining, row.min_height);
                if h <= self.room() {
                    self.draw_row(table, &lines, &row.cells, &mut next, h);
                    break;
                }
                // A row that fits on a page starts on the next one; a taller
                // one fills this page (if a few lines fit) and goes on.
                if h <= page_room || self.room() < MIN_SPLIT {
                    self.new_page();
                    self.draw_header(table);
                    continue;
                }
                let h = self.room();
                self.draw_row(table, &lines, &row.cells, &mut next, h);
                self.new_page();
                self.draw_header(table);
            }
        }
    }

    /// Height `table` would take if drawn whole with its header.
    pub(crate) fn table_height(&self, table: &Table) -> f32 {
        self.header_height(table)
            + table
                .rows
                .iter()
                .map(|r| Self::row_height(&self.wrap_cells(&table.columns, &r.cells), r.min_height))
                .sum::<f32>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_words_cjk_and_long_words() {
        let font = Font::embedded();
        let w = font.width("silk scarf", 10.0) + 0.5;
        assert_eq!(
            wrap(&font, "silk scarf silk scarf", 10.0, w),
            ["silk scarf", "silk scarf"]
        );
        // CJK breaks anywhere, but not before "，".
        assert_eq!(wrap(&font, "丝绸围巾", 10.0, 20.5), ["丝绸", "围巾"]);
        assert_eq!(
            wrap(&font, "丝绸，围巾", 10.0, 20.5),
            ["丝", "绸，", "围巾"]
        );
        // A word wider than the line is cut.
        let lines = wrap(&font, "6214100000621410000062141000", 8.0, 40.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), "6214100000621410000062141000");
        assert_eq!(wrap(&font, "a\n\nb", 8.0, 100.0), ["a", "", "b"]);
        assert_eq!(wrap(&font, "", 8.0, 100.0), [""]);
        for line in wrap(
            &font,
            &"Hangzhou Silk Co. 杭州丝绸有限公司 ".repeat(20),
            8.0,
            90.0,
        ) {
            assert!(font.width(&line, 8.0) <= 90.0, "{line}");
        }
    }
}
