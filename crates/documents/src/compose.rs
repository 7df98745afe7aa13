//! What goes on the pages of each kind of document, in which order.

use crate::font::Font;
use crate::layout::{
    col, Align, Cell, Column, Item, Layout, Page, Para, Row, Table, CONTENT_W, LEADING, MARGIN,
    PAGE_W,
};
use crate::{DocumentKind, Party, TradeDocument};

const TITLE: f32 = 15.0;
const BODY: f32 = 8.0;
const CELL: f32 = 7.5;
const LABEL: f32 = 7.0;
const LABEL_ZH: f32 = 6.5;
const HEADING: f32 = 9.0;
const HEADER_FILL: f32 = 0.88;
const LABEL_FILL: f32 = 0.95;
const LABEL_GRAY: f32 = 0.3;

/// The Incoterms 2020 rules.
const INCOTERMS_2020: [&str; 11] = [
    "EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF",
];

pub(crate) fn compose(doc: &TradeDocument, font: &Font) -> Vec<Page> {
    let head = format!(
        "{} · {} · {} (continued / 续)",
        doc.kind.title(),
        doc.number,
        doc.date
    );
    let mut l = Layout::new(font, head);
    l.centered(doc.kind.title(), TITLE, true);
    l.gap(8.0);
    l.table(&parties(doc));
    l.gap(4.0);
    l.table(&details(doc));
    l.gap(8.0);
    if !doc.lines.is_empty() {
        l.table(&lines(doc));
    }
    if doc.kind.is_invoice() && !(doc.charges.is_empty() && doc.totals.is_empty()) {
        l.table(&money(doc));
    }
    if !doc.packages.is_empty() {
        l.gap(10.0);
        heading(&mut l, "Packages / 包装明细", 40.0);
        l.table(&packages(doc));
    }
    if let Some(t) = shipment_totals(doc) {
        l.gap(6.0);
        l.table(&t);
    }
    if !doc.bank_details.is_empty() {
        l.gap(10.0);
        heading(&mut l, "Bank details / 银行信息", 30.0);
        for line in &doc.bank_details {
            l.paragraph(&Para::new(line, BODY));
        }
    }
    let notes: Vec<&String> = doc.notes.iter().filter(|n| !n.trim().is_empty()).collect();
    if !notes.is_empty() {
        l.gap(10.0);
        heading(&mut l, "Notes / 备注", 30.0);
        for note in notes {
            l.paragraph(&Para::new(note, BODY));
        }
    }
    declaration(&mut l, doc);

    let mut pages = l.pages;
    let total = pages.len();
    for (i, page) in pages.iter_mut().enumerate() {
        footer(page, font, doc, i + 1, total);
    }
    pages
}

fn heading(l: &mut Layout<'_>, text: &str, keep_with: f32) {
    l.ensure(HEADING * LEADING + keep_with);
    l.paragraph(&Para::new(text, HEADING).bold());
    l.gap(2.0);
}

fn footer(page: &mut Page, font: &Font, doc: &TradeDocument, n: usize, total: usize) {
    let y = MARGIN + 2.0;
    let size = 7.0;
    page.items.push(Item::Line {
        x1: MARGIN,
        y1: MARGIN + 11.0,
        x2: PAGE_W - MARGIN,
        y2: MARGIN + 11.0,
    });
    page.items.push(Item::Text {
        x: MARGIN,
        y,
        size,
        bold: false,
        gray: 0.35,
        text: format!("{} {}", doc.kind.title(), doc.number),
    });
    let text = format!("Page {n} of {total} / 第 {n} 页，共 {total} 页");
    let w = font.width(&text, size);
    page.items.push(Item::Text {
        x: PAGE_W - MARGIN - w,
        y,
        size,
        bold: false,
        gray: 0.0,
        text,
    });
}

fn given(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A shaded header cell with an English and a Chinese line.
fn header_cell(en: &str, zh: &str) -> Cell {
    Cell::new(vec![
        Para::new(en, LABEL).bold(),
        Para::new(zh, LABEL_ZH).gray(LABEL_GRAY),
    ])
    .shaded(HEADER_FILL)
}

fn party_cell(p: &Party) -> Cell {
    let mut paras = vec![Para::new(&p.name, BODY + 0.5).bold()];
    paras.extend(
        p.address
            .iter()
            .filter(|a| !a.trim().is_empty())
            .map(|a| Para::new(a, BODY)),
    );
    if let Some(c) = given(&p.country) {
        paras.push(Para::new(c, BODY));
    }
    if let Some(e) = given(&p.eori) {
        paras.push(Para::new(format!("EORI: {e}"), BODY));
    }
    if let Some(t) = given(&p.tax_id) {
        paras.push(Para::new(format!("Tax ID / 税号: {t}"), BODY));
    }
    if let Some(c) = given(&p.contact) {
        paras.push(Para::new(format!("Contact / 联系: {c}"), BODY));
    }
    Cell::new(paras)
}

fn parties(doc: &TradeDocument) -> Table {
    let w = CONTENT_W / 3.0;
    let consignee = match &doc.consignee {
        Some(c) => party_cell(c),
        None => Cell::text("Same as buyer / 同买方", BODY),
    };
    Table {
        x: MARGIN,
        columns: vec![
            col(w, Align::Left),
            col(w, Align::Left),
            col(w, Align::Left),
        ],
        header: Some(vec![
            header_cell("Seller / Exporter", "卖方 / 出口商"),
            header_cell("Buyer / Importer", "买方 / 进口商"),
            header_cell("Consignee", "收货人"),
        ]),
        rows: vec![Row::new(vec![
            party_cell(&doc.seller),
            party_cell(&doc.buyer),
            consignee,
        ])],
    }
}

/// "DDP Berlin (Incoterms 2020)".
fn incoterm_text(doc: &TradeDocument) -> Option<String> {
    let rule = given(&doc.incoterm)?;
    let mut s = rule.to_string();
    if let Some(place) = given(&doc.incoterm_place) {
        s.push(' ');
        s.push_str(place);
    }
    if INCOTERMS_2020.contains(&rule.to_ascii_uppercase().as_str()) {
        s.push_str(" (Incoterms 2020)");
    }
    Some(s)
}

fn details(doc: &TradeDocument) -> Table {
    let number_label = match doc.kind {
        DocumentKind::CommercialInvoice => ("Invoice No.", "发票号"),
        DocumentKind::PackingList => ("Packing list No.", "装箱单号"),
        DocumentKind::ProformaInvoice => ("Proforma invoice No.", "形式发票号"),
    };
    let mut fields: Vec<(String, String, String)> = Vec::new();
    let mut add = |en: &str, zh: &str, value: Option<&str>| {
        if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
            fields.push((en.to_string(), zh.to_string(), v.to_string()));
        }
    };
    add(number_label.0, number_label.1, Some(&doc.number));
    add("Date", "日期", Some(&doc.date));
    if doc.kind == DocumentKind::ProformaInvoice {
        add("Valid until", "有效期至", given(&doc.valid_until));
    }
    if doc.kind.is_invoice() {
        add("Currency", "币种", Some(&doc.currency));
    }
    add("Incoterm", "贸易术语", incoterm_text(doc).as_deref());
    add("Payment terms", "付款条件", given(&doc.payment_terms));
    add("Country of origin", "原产国", given(&doc.country_of_origin));
    add("Port of loading", "装运港", given(&doc.port_of_loading));
    add("Port of entry", "入境口岸", given(&doc.port_of_entry));
    add("Transport", "运输方式", given(&doc.transport));
    add("Waybill No.", "运单号", given(&doc.waybill_number));
    add(
        "IOSS VAT identification number",
        "IOSS 增值税识别号",
        given(&doc.ioss_number),
    );
    for (label, value) in &doc.references {
        add(label, "", Some(value));
    }

    let label_w = 110.0;
    let value_w = CONTENT_W / 2.0 - label_w;
    let label_cell = |en: &str, zh: &str| {
        let mut paras = vec![Para::new(en, LABEL).gray(LABEL_GRAY)];
        if !zh.is_empty() {
            paras.push(Para::new(zh, LABEL_ZH).gray(LABEL_GRAY));
        }
        Cell::new(paras).shaded(LABEL_FILL)
    };
    let rows = fields
        .chunks(2)
        .map(|pair| {
            let mut cells = Vec::new();
            for (en, zh, value) in pair {
                cells.push(label_cell(en, zh));
                cells.push(Cell::text(value, BODY));
            }
            while cells.len() < 4 {
                cells.push(Cell::default());
            }
            Row::new(cells)
        })
        .collect();
    Table {
        x: MARGIN,
        columns: vec![
            col(label_w, Align::Left),
            col(value_w, Align::Left),
            col(label_w, Align::Left),
            col(value_w, Align::Left),
        ],
        header: None,
        rows,
    }
}

fn lines(doc: &TradeDocument) -> Table {
    let invoice = doc.kind.is_invoice();
    let cur = doc.currency.trim();
    let unit_price_label = format!("Unit price {cur}");
    let amount_label = format!("Amount {cur}");
    // (width, align, English, Chinese); description takes the rest.
    let mut spec: Vec<(f32, Align, &str, &str)> = vec![
        (20.0, Align::Center, "No.", "序号"),
        (0.0, Align::Left, "Description", "品名"),
        (52.0, Align::Center, "HS code", "商品编码"),
        (36.0, Align::Center, "Origin", "原产地"),
        (50.0, Align::Right, "Quantity", "数量"),
        (40.0, Align::Right, "Net kg", "净重"),
        (40.0, Align::Right, "Gross kg", "毛重"),
    ];
    if invoice {
        spec.push((56.0, Align::Right, &unit_price_label, "单价"));
        spec.push((66.0, Align::Right, &amount_label, "金额"));
    }
    let fixed: f32 = spec.iter().map(|s| s.0).sum();
    let columns: Vec<Column> = spec
        .iter()
        .map(|&(w, align, _, _)| col(if w == 0.0 { CONTENT_W - fixed } else { w }, align))
        .collect();
    let header = spec
        .iter()
        .map(|&(_, _, en, zh)| header_cell(en, zh))
        .collect();
    let rows = doc
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let mut description = vec![Para::new(&line.description, CELL)];
            if let Some(zh) = given(&line.description_zh) {
                description.push(Para::new(zh, CELL));
            }
            let quantity = format!("{} {}", line.quantity.trim(), line.unit.trim());
            let mut cells = vec![
                Cell::text((i + 1).to_string(), CELL),
                Cell::new(description),
                Cell::text(&line.hs_code, CELL),
                Cell::text(&line.origin, CELL),
                Cell::text(quantity.trim(), CELL),
                Cell::text(given(&line.net_weight).unwrap_or(""), CELL),
                Cell::text(given(&line.gross_weight).unwrap_or(""), CELL),
            ];
            if invoice {
                cells.push(Cell::text(&line.unit_price, CELL));
                cells.push(Cell::text(&line.total, CELL));
            }
            Row::new(cells)
        })
        .collect();
    Table {
        x: MARGIN,
        columns,
        header: Some(header),
        rows,
    }
}

/// Itemised charges then totals, right-aligned under the amount column.
fn money(doc: &TradeDocument) -> Table {
    let widths = [210.0, 32.0, 66.0];
    let x = MARGIN + CONTENT_W - widths.iter().sum::<f32>();
    let cur = doc.currency.trim();
    let mut rows: Vec<Row> = doc
        .charges
        .iter()
        .map(|c| {
            let label = match given(&c.description) {
                Some(d) => format!("{}: {d}", c.kind.label()),
                None => c.kind.label().to_string(),
            };
            Row::new(vec![
                Cell::text(label, CELL),
                Cell::text(cur, CELL),
                Cell::text(&c.amount, CELL),
            ])
        })
        .collect();
    let n = doc.totals.len();
    for (i, t) in doc.totals.iter().enumerate() {
        let last = i + 1 == n;
        let para = |s: &str| {
            let p = Para::new(s, if last { BODY + 0.5 } else { CELL });
            if last {
                p.bold()
            } else {
                p
            }
        };
        let cell = |s: &str| {
            let c = Cell::new(vec![para(s)]);
            if last {
                c.shaded(HEADER_FILL)
            } else {
                c
            }
        };
        rows.push(Row::new(vec![cell(&t.label), cell(cur), cell(&t.amount)]));
    }
    Table {
        x,
        columns: vec![
            col(widths[0], Align::Left),
            col(widths[1], Align::Center),
            col(widths[2], Align::Right),
        ],
        header: None,
        rows,
    }
}

fn packages(doc: &TradeDocument) -> Table {
    let spec: [(f32, Align, &str, &str); 7] = [
        (92.0, Align::Left, "Marks and numbers", "唛头及箱号"),
        (52.0, Align::Right, "Packages", "件数"),
        (0.0, Align::Left, "Contents per package", "每件内容"),
        (44.0, Align::Right, "Net kg", "净重"),
        (44.0, Align::Right, "Gross kg", "毛重"),
        (70.0, Align::Center, "L×W×H cm", "尺寸 (厘米)"),
        (46.0, Align::Right, "Volume m³", "体积 (立方米)"),
    ];
    let fixed: f32 = spec.iter().map(|s| s.0).sum();
    let columns = spec
        .iter()
        .map(|&(w, align, _, _)| col(if w == 0.0 { CONTENT_W - fixed } else { w }, align))
        .collect();
    let header = spec
        .iter()
        .map(|&(_, _, en, zh)| header_cell(en, zh))
        .collect();
    let rows = doc
        .packages
        .iter()
        .map(|p| {
            let count = format!("{} {}", p.count.trim(), p.kind.trim());
            Row::new(vec![
                Cell::text(&p.marks, CELL),
                Cell::text(count.trim(), CELL),
                Cell::text(&p.contents, CELL),
                Cell::text(given(&p.net_weight).unwrap_or(""), CELL),
                Cell::text(given(&p.gross_weight).unwrap_or(""), CELL),
                Cell::text(given(&p.dimensions_cm).unwrap_or(""), CELL),
                Cell::text(given(&p.volume_m3).unwrap_or(""), CELL),
            ])
        })
        .collect();
    Table {
        x: MARGIN,
        columns,
        header: Some(header),
        rows,
    }
}

fn shipment_totals(doc: &TradeDocument) -> Option<Table> {
    let t = doc.shipment_totals.as_ref()?;
    let fields: Vec<(&str, &str, &str)> = [
        ("Total packages", "总件数", given(&t.packages)),
        ("Total net weight kg", "总净重", given(&t.net_weight)),
        ("Total gross weight kg", "总毛重", given(&t.gross_weight)),
        ("Total volume m³", "总体积", given(&t.volume_m3)),
    ]
    .into_iter()
    .filter_map(|(en, zh, v)| v.map(|v| (en, zh, v)))
    .collect();
    if fields.is_empty() {
        return None;
    }
    let w = CONTENT_W / fields.len() as f32;
    Some(Table {
        x: MARGIN,
        columns: fields.iter().map(|_| col(w, Align::Center)).collect(),
        header: Some(fields.iter().map(|f| header_cell(f.0, f.1)).collect()),
        rows: vec![Row::new(
            fields
                .iter()
                .map(|f| Cell::new(vec![Para::new(f.2, BODY).bold()]))
                .collect(),
        )],
    })
}

fn default_declaration(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::CommercialInvoice => {
            "We hereby certify that this invoice is true and correct, that it shows the actual \
             price of the goods described, and that the goods are of the origin stated above.\n\
             兹证明本发票内容真实无误，所列价格为所述货物的实际价格，货物原产地如上所述。"
        }
        DocumentKind::PackingList => {
            "We hereby certify that the packages and contents listed above are true and correct.\n\
             兹证明上述包装及内容真实无误。"
        }
        DocumentKind::ProformaInvoice => {
            "This proforma invoice is issued before shipment for quotation and advance payment. \
             The goods, prices and terms are as stated above; a commercial invoice will \
             accompany the shipment.\n\
             本形式发票于装运前开具，用于报价及预付款。货物、价格及条款如上所述，发货时另附商业发票。"
        }
    }
}

fn declaration(l: &mut Layout<'_>, doc: &TradeDocument) {
    let text = given(&doc.declaration).unwrap_or(default_declaration(doc.kind));
    let para = Para::new(text, BODY);
    let third = CONTENT_W / 3.0;
    let mut sign = Row::new(vec![
        Cell::default(),
        Cell::text(given(&doc.signatory).unwrap_or(""), BODY),
        Cell::text(&doc.date, BODY),
    ]);
    sign.min_height = 36.0;
    let table = Table {
        x: MARGIN,
        columns: vec![
            col(third, Align::Left),
            col(third, Align::Left),
            col(third, Align::Left),
        ],
        header: Some(vec![
            header_cell("Authorised signature and stamp", "授权签字及盖章"),
            header_cell("Name and title", "姓名及职务"),
            header_cell("Date", "日期"),
        ]),
        rows: vec![sign],
    };
    let text_h = crate::layout::wrap(l.font, text, BODY, CONTENT_W).len() as f32 * BODY * LEADING;
    l.gap(12.0);
    // Keep the declaration with the signature block.
    l.ensure(HEADING * LEADING + 2.0 + text_h + 6.0 + l.table_height(&table));
    heading(l, "Declaration / 声明", 0.0);
    l.paragraph(&para);
    l.gap(6.0);
    l.table(&table);
}

/// Everything the caller should know about how the document prints.
pub(crate) fn warnings(doc: &TradeDocument, font: &Font) -> Vec<String> {
    let mut out = Vec::new();
    for (field, text) in text_fields(doc) {
        let mut seen = Vec::new();
        for c in text.chars() {
            if c.is_control() || font.has(c) || seen.contains(&c) {
                continue;
            }
            seen.push(c);
            out.push(format!(
                "{field}: character {c} (U+{:04X}) is not in the embedded font; drawn as a box",
                c as u32
            ));
        }
    }
    if let Some(rule) = given(&doc.incoterm) {
        let upper = rule.to_ascii_uppercase();
        if upper == "DDU" {
            out.push(
                "incoterm: DDU is not an Incoterms 2020 rule (DAP replaced it); printed as given"
                    .to_string(),
            );
        } else if !INCOTERMS_2020.contains(&upper.as_str()) {
            out.push(format!(
                "incoterm: {rule} is not an Incoterms 2020 rule; printed as given"
            ));
        }
        if given(&doc.incoterm_place).is_none() {
            out.push(format!(
                "incoterm_place: {rule} is printed without a named place"
            ));
        }
    }
    if doc.kind == DocumentKind::PackingList && !(doc.charges.is_empty() && doc.totals.is_empty()) {
        out.push("charges and totals are not printed on a packing list".to_string());
    }
    if doc.kind == DocumentKind::CommercialInvoice {
        for (i, line) in doc.lines.iter().enumerate() {
            if line.hs_code.trim().is_empty() {
                out.push(format!("lines[{i}].hs_code: no HS / commodity code"));
            }
        }
    }
    out
}

/// Every caller-supplied string with the path of its field.
fn text_fields(doc: &TradeDocument) -> Vec<(String, &str)> {
    let mut v: Vec<(String, &str)> = Vec::new();
    fn push<'a>(v: &mut Vec<(String, &'a str)>, name: String, s: &'a str) {
        v.push((name, s));
    }
    fn push_opt<'a>(v: &mut Vec<(String, &'a str)>, name: String, s: &'a Option<String>) {
        if let Some(s) = s {
            v.push((name, s));
        }
    }
    fn party<'a>(v: &mut Vec<(String, &'a str)>, name: &str, p: &'a Party) {
        push(v, format!("{name}.name"), &p.name);
        for (i, a) in p.address.iter().enumerate() {
            push(v, format!("{name}.address[{i}]"), a);
        }
        push_opt(v, format!("{name}.country"), &p.country);
        push_opt(v, format!("{name}.eori"), &p.eori);
        push_opt(v, format!("{name}.tax_id"), &p.tax_id);
        push_opt(v, format!("{name}.contact"), &p.contact);
    }
    push(&mut v, "number".into(), &doc.number);
    push(&mut v, "date".into(), &doc.date);
    party(&mut v, "seller", &doc.seller);
    party(&mut v, "buyer", &doc.buyer);
    if let Some(c) = &doc.consignee {
        party(&mut v, "consignee", c);
    }
    push(&mut v, "currency".into(), &doc.currency);
    for (name, s) in [
        ("incoterm", &doc.incoterm),
        ("incoterm_place", &doc.incoterm_place),
        ("payment_terms", &doc.payment_terms),
        ("valid_until", &doc.valid_until),
        ("country_of_origin", &doc.country_of_origin),
        ("port_of_loading", &doc.port_of_loading),
        ("port_of_entry", &doc.port_of_entry),
        ("transport", &doc.transport),
        ("waybill_number", &doc.waybill_number),
        ("ioss_number", &doc.ioss_number),
        ("declaration", &doc.declaration),
        ("signatory", &doc.signatory),
    ] {
        push_opt(&mut v, name.into(), s);
    }
    for (i, (label, value)) in doc.references.iter().enumerate() {
        push(&mut v, format!("references[{i}].0"), label);
        push(&mut v, format!("references[{i}].1"), value);
    }
    for (i, l) in doc.lines.iter().enumerate() {
        let f = |n: &str| format!("lines[{i}].{n}");
        push(&mut v, f("description"), &l.description);
        push_opt(&mut v, f("description_zh"), &l.description_zh);
        for (n, s) in [
            ("hs_code", &l.hs_code),
            ("origin", &l.origin),
            ("quantity", &l.quantity),
            ("unit", &l.unit),
            ("unit_price", &l.unit_price),
            ("total", &l.total),
        ] {
            push(&mut v, f(n), s);
        }
        push_opt(&mut v, f("net_weight"), &l.net_weight);
        push_opt(&mut v, f("gross_weight"), &l.gross_weight);
    }
    for (i, p) in doc.packages.iter().enumerate() {
        let f = |n: &str| format!("packages[{i}].{n}");
        for (n, s) in [
            ("marks", &p.marks),
            ("count", &p.count),
            ("kind", &p.kind),
            ("contents", &p.contents),
        ] {
            push(&mut v, f(n), s);
        }
        for (n, s) in [
            ("net_weight", &p.net_weight),
            ("gross_weight", &p.gross_weight),
            ("dimensions_cm", &p.dimensions_cm),
            ("volume_m3", &p.volume_m3),
        ] {
            push_opt(&mut v, f(n), s);
        }
    }
    for (i, c) in doc.charges.iter().enumerate() {
        push_opt(&mut v, format!("charges[{i}].description"), &c.description);
        push(&mut v, format!("charges[{i}].amount"), &c.amount);
    }
    for (i, t) in doc.totals.iter().enumerate() {
        push(&mut v, format!("totals[{i}].label"), &t.label);
        push(&mut v, format!("totals[{i}].amount"), &t.amount);
    }
    if let Some(t) = &doc.shipment_totals {
        for (n, s) in [
            ("packages", &t.packages),
            ("net_weight", &t.net_weight),
            ("gross_weight", &t.gross_weight),
            ("volume_m3", &t.volume_m3),
        ] {
            push_opt(&mut v, format!("shipment_totals.{n}"), s);
        }
    }
    for (i, s) in doc.bank_details.iter().enumerate() {
        push(&mut v, format!("bank_details[{i}]"), s);
    }
    for (i, s) in doc.notes.iter().enumerate() {
        push(&mut v, format!("notes[{i}]"), s);
    }
    v
}
