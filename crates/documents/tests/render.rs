//! Renders each document kind and reads it back with poppler-utils
//! (`pdftotext`, `pdfinfo`), which must be installed: `apt-get install
//! poppler-utils` (.ci/run does).

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use chuhai_documents::*;

const IOSS: &str = "IM2760000742";

fn party(name: &str, address: &[&str], country: &str) -> Party {
    Party {
        name: name.into(),
        address: address.iter().map(|s| s.to_string()).collect(),
        country: Some(country.into()),
        ..Default::default()
    }
}

fn scarf(total: &str) -> DocumentLine {
    DocumentLine {
        description: "Silk scarf, 100% mulberry silk, 90 × 90 cm, hand-rolled edges".into(),
        description_zh: Some("丝绸围巾".into()),
        hs_code: "6214100000".into(),
        origin: "CN".into(),
        quantity: "100".into(),
        unit: "pcs".into(),
        unit_price: "12.35".into(),
        total: total.into(),
        net_weight: Some("8.000".into()),
        gross_weight: Some("9.200".into()),
    }
}

fn sample(kind: DocumentKind) -> TradeDocument {
    TradeDocument {
        kind,
        number: "INV-2025-0042".into(),
        date: "2025-03-01".into(),
        seller: Party {
            eori: Some("GB123456789000".into()),
            tax_id: Some("91330100MA2B3C4D5E".into()),
            contact: Some("Li Wei 李伟, +86 571 8888 0000".into()),
            ..party(
                "Hangzhou Silk Trading Co., Ltd. 杭州丝绸贸易有限公司",
                &[
                    "No. 88 Wensan Road, Xihu District",
                    "浙江省杭州市西湖区文三路88号",
                ],
                "China",
            )
        },
        buyer: Party {
            eori: Some("DE987654321000000".into()),
            ..party(
                "Müller & Söhne GmbH",
                &["Friedrichstraße 12", "10117 Berlin"],
                "Germany",
            )
        },
        consignee: Some(party(
            "Müller Lager Süd",
            &["Industriestraße 5", "80331 München"],
            "Germany",
        )),
        currency: "EUR".into(),
        incoterm: Some("DDP".into()),
        incoterm_place: Some("Berlin, Germany".into()),
        payment_terms: Some("30% deposit, 70% before shipment / 30%定金，70%发货前付清".into()),
        valid_until: Some("2025-03-31".into()),
        country_of_origin: Some("China / 中国".into()),
        port_of_loading: Some("Ningbo, CN".into()),
        port_of_entry: Some("Hamburg, DE".into()),
        transport: Some("Sea, MSC AURORA V.124E".into()),
        waybill_number: Some("MEDUNB1234567".into()),
        ioss_number: Some(IOSS.into()),
        references: vec![("Order No. / 订单号".into(), "PO-7781".into())],
        lines: vec![
            scarf("1,234.50"),
            DocumentLine {
                description: "Embroidered silk cushion cover".into(),
                description_zh: Some("刺绣丝绸抱枕套".into()),
                hs_code: "6304930000".into(),
                origin: "CN".into(),
                quantity: "50".into(),
                unit: "pcs".into(),
                unit_price: "8.00".into(),
                total: "400.00".into(),
                net_weight: Some("10.000".into()),
                gross_weight: Some("11.500".into()),
            },
        ],
        packages: vec![
            Package {
                marks: "HZS/MUC 1-5".into(),
                count: "5".into(),
                kind: "CTN".into(),
                contents: "20 × silk scarf 丝绸围巾".into(),
                net_weight: Some("8.000".into()),
                gross_weight: Some("9.200".into()),
                dimensions_cm: Some("60 × 40 × 35".into()),
                volume_m3: Some("0.420".into()),
            },
            Package {
                marks: "HZS/MUC 6-7".into(),
                count: "2".into(),
                kind: "CTN".into(),
                contents: "25 × cushion cover 刺绣丝绸抱枕套".into(),
                net_weight: Some("10.000".into()),
                gross_weight: Some("11.500".into()),
                dimensions_cm: Some("50 × 40 × 40".into()),
                volume_m3: Some("0.160".into()),
            },
        ],
        charges: vec![
            Charge {
                kind: ChargeKind::Freight,
                description: Some("sea freight Ningbo–Hamburg".into()),
                amount: "180.00".into(),
            },
            Charge {
                kind: ChargeKind::Insurance,
                description: None,
                amount: "12.00".into(),
            },
            Charge {
                kind: ChargeKind::Discount,
                description: Some("early payment 早付折扣".into()),
                amount: "-26.50".into(),
            },
        ],
        totals: vec![
            Total::new("Subtotal / 小计", "1,634.50"),
            Total::new("Total / 总计", "1,800.00"),
        ],
        shipment_totals: Some(ShipmentTotals {
            packages: Some("7 CTN".into()),
            net_weight: Some("18.000".into()),
            gross_weight: Some("20.700".into()),
            volume_m3: Some("0.580".into()),
        }),
        bank_details: vec![
            "Bank of China, Zhejiang Branch 中国银行浙江省分行".into(),
            "SWIFT BKCHCNBJ910 · Account 1234 5678 9012".into(),
        ],
        notes: vec!["Goods packed in moisture-proof bags. 货物采用防潮袋包装。".into()],
        declaration: None,
        signatory: Some("Li Wei, Export Manager 出口经理".into()),
    }
}

fn long_invoice(lines: usize) -> TradeDocument {
    let mut doc = sample(DocumentKind::CommercialInvoice);
    doc.number = "INV-2025-0080".into();
    doc.lines = (1..=lines)
        .map(|i| DocumentLine {
            description: format!("Silk scarf, pattern {i:03}"),
            ..scarf(&format!("{i},234.50"))
        })
        .collect();
    doc
}

/// Runs a poppler tool, failing clearly when poppler-utils is missing.
fn poppler(tool: &str, args: &[&str], pdf: &PathBuf, after: &[&str]) -> String {
    let out = Command::new(tool).args(args).arg(pdf).args(after).output();
    let out = match out {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let ci = if std::env::var_os("CI").is_some() {
                " .ci/run installs it; check its apt-get list."
            } else {
                ""
            };
            panic!(
                "`{tool}` not found: these tests read the PDFs back with poppler-utils. \
                 Install it: apt-get install -y poppler-utils.{ci}"
            )
        }
        Err(e) => panic!("running {tool}: {e}"),
    };
    // Poppler reports syntax errors on stderr even when it carries on.
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{tool} failed or complained on {}: {}",
        pdf.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("poppler prints UTF-8")
}

struct Read {
    text: String,
    pages: usize,
    pdf: RenderedPdf,
}

/// Renders `doc`, checks `pdfinfo` accepts it, and extracts its text.
fn render_and_read(name: &str, doc: &TradeDocument) -> Read {
    static N: AtomicUsize = AtomicUsize::new(0);
    let pdf = render(doc).expect("renders");
    let path = std::env::temp_dir().join(format!(
        "chuhai-documents-{}-{}-{name}.pdf",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&path, &pdf.bytes).unwrap();
    let info = poppler("pdfinfo", &[], &path, &[]);
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .expect("pdfinfo prints Pages:")
        .trim()
        .parse()
        .unwrap();
    assert!(
        info.contains("Page size:       595.28 x 841.89 pts (A4)"),
        "{info}"
    );
    let text = poppler("pdftotext", &["-enc", "UTF-8", "-layout"], &path, &["-"]);
    // CHUHAI_DOCUMENTS_KEEP=1 keeps the PDFs to look at.
    if std::env::var_os("CHUHAI_DOCUMENTS_KEEP").is_some() {
        eprintln!("kept {}", path.display());
    } else {
        let _ = std::fs::remove_file(&path);
    }
    // pdftotext -layout pads with spaces; compare with single spaces.
    let text = text
        .split('\x0c')
        .map(|page| {
            page.lines()
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect::<Vec<_>>()
        .join("\x0c");
    Read { text, pages, pdf }
}

fn assert_has(text: &str, needles: &[&str]) {
    for n in needles {
        assert!(text.contains(n), "{n:?} not in the PDF text:\n{text}");
    }
}

#[test]
fn commercial_invoice_prints_chinese_and_latin_text_that_can_be_extracted() {
    let r = render_and_read("ci", &sample(DocumentKind::CommercialInvoice));
    assert_eq!((r.pages, r.pdf.pages), (1, 1));
    assert!(r.pdf.warnings.is_empty(), "{:?}", r.pdf.warnings);
    assert_has(
        &r.text,
        &[
            "COMMERCIAL INVOICE / 商业发票",
            "INV-2025-0042",
            "丝绸围巾",
            "刺绣丝绸抱枕套",
            "Hangzhou Silk Trading Co., Ltd.",
            "浙江省杭州市西湖区文三路88号",
            "Müller & Söhne GmbH",
            "Friedrichstraße 12",
            &format!("IOSS VAT identification number {IOSS}"),
            "DDP Berlin, Germany",
            "EORI: GB123456789000",
            "6214100000",
            "100 pcs",
            "12.35",
            "1,234.50",
            "Freight / 运费: sea freight Ningbo–Hamburg",
            "-26.50",
            "Total / 总计 EUR 1,800.00",
            "Unit price EUR",
            "HZS/MUC 1-5",
            "60 × 40 × 35",
            "Declaration / 声明",
            "Page 1 of 1",
        ],
    );
}

#[test]
fn packing_list_prints_packages_weights_and_no_prices() {
    let mut doc = sample(DocumentKind::PackingList);
    doc.number = "PL-2025-0042".into();
    doc.charges.clear();
    doc.totals.clear();
    let r = render_and_read("pl", &doc);
    assert_eq!(r.pages, 1);
    assert!(r.pdf.warnings.is_empty(), "{:?}", r.pdf.warnings);
    assert_has(
        &r.text,
        &[
            "PACKING LIST / 装箱单",
            "PL-2025-0042",
            "丝绸围巾",
            &format!("IOSS VAT identification number {IOSS}"),
            "DDP",
            "Marks and numbers",
            "HZS/MUC 6-7",
            "5 CTN",
            "20 × silk scarf 丝绸围巾",
            "50 × 40 × 40",
            "0.420",
            "7 CTN",
            "20.700",
            "Page 1 of 1",
        ],
    );
    for absent in ["Unit price", "1,234.50", "Total / 总计", "Currency"] {
        assert!(!r.text.contains(absent), "{absent:?} on a packing list");
    }
}

#[test]
fn packing_list_warns_that_it_leaves_out_money() {
    let pdf = render(&sample(DocumentKind::PackingList)).unwrap();
    assert_eq!(
        pdf.warnings,
        ["charges and totals are not printed on a packing list"]
    );
}

#[test]
fn proforma_invoice_prints_payment_terms_and_validity() {
    let mut doc = sample(DocumentKind::ProformaInvoice);
    doc.number = "PI-2025-0042".into();
    let r = render_and_read("pi", &doc);
    assert!(r.pdf.warnings.is_empty(), "{:?}", r.pdf.warnings);
    assert_has(
        &r.text,
        &[
            "PROFORMA INVOICE / 形式发票",
            "PI-2025-0042",
            "丝绸围巾",
            &format!("IOSS VAT identification number {IOSS}"),
            "DDP",
            "30% deposit, 70% before shipment",
            "Valid until",
            "2025-03-31",
            "1,234.50",
            "SWIFT BKCHCNBJ910",
            "形式发票",
        ],
    );
}

#[test]
fn long_invoice_paginates_with_repeated_header_and_page_numbers() {
    let doc = long_invoice(60);
    let started = Instant::now();
    let pdf = render(&doc).unwrap();
    eprintln!(
        "60-line invoice: {} pages, {} bytes, rendered in {:?}",
        pdf.pages,
        pdf.bytes.len(),
        started.elapsed()
    );
    let r = render_and_read("long", &doc);
    assert_eq!((r.pages, r.pdf.pages), (3, 3));
    let pages: Vec<&str> = r
        .text
        .split('\x0c')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert_eq!(pages.len(), 3, "{}", r.text);
    for (i, page) in pages.iter().enumerate() {
        let n = i + 1;
        // The table header is repeated on every page the table spans.
        assert_has(
            page,
            &[
                &format!("Page {n} of 3"),
                "Description",
                "HS code",
                "Amount EUR",
            ],
        );
        if n > 1 {
            assert_has(page, &["COMMERCIAL INVOICE / 商业发票 · INV-2025-0080"]);
        }
    }
    assert_eq!(r.text.matches("Description").count(), 3);
    for i in [1, 30, 60] {
        assert_has(
            &r.text,
            &[&format!("pattern {i:03}"), &format!("{i},234.50")],
        );
    }
    assert_has(
        pages[2],
        &["pattern 060", "Total / 总计 EUR 1,800.00", "Declaration"],
    );
    assert!(
        pdf.bytes.len() < 100_000,
        "a 3-page invoice should stay small, got {} bytes",
        pdf.bytes.len()
    );

    // 80 bilingual lines (two text lines a row) take four pages.
    let r = render_and_read("longer", &long_invoice(80));
    assert_eq!((r.pages, r.pdf.pages), (4, 4));
    assert_eq!(r.text.matches("Description").count(), 4);
    assert_has(&r.text, &["Page 4 of 4", "pattern 080", "80,234.50"]);
}

#[test]
fn font_is_embedded_as_a_subset_cid_font_with_tounicode() {
    let pdf = render(&sample(DocumentKind::CommercialInvoice)).unwrap();
    let text = String::from_utf8_lossy(&pdf.bytes);
    for needle in [
        "/FontFile2",
        "/CIDFontType2",
        "/Identity-H",
        "/ToUnicode",
        "/CIDToGIDMap /Identity",
        "+WenQuanYiMicroHei",
    ] {
        assert!(text.contains(needle), "{needle} missing");
    }
    // The 1.2 MB font is subset to the few hundred glyphs used.
    assert!(
        pdf.bytes.len() < 100_000,
        "{} bytes: font not subset?",
        pdf.bytes.len()
    );
}

#[test]
fn characters_missing_from_the_font_are_boxed_reported_and_still_extractable() {
    let mut doc = sample(DocumentKind::CommercialInvoice);
    doc.lines[0].description_zh = Some("丝绸围巾 𠀀 ก".into());
    let r = render_and_read("missing", &doc);
    assert_eq!(
        r.pdf.warnings,
        [
            "lines[0].description_zh: character 𠀀 (U+20000) is not in the embedded font; drawn as a box",
            "lines[0].description_zh: character ก (U+0E01) is not in the embedded font; drawn as a box",
        ]
    );
    // The box keeps the character as /ActualText.
    assert_has(&r.text, &["丝绸围巾 𠀀 ก"]);
}

#[test]
fn a_row_taller_than_a_page_wraps_and_splits_across_pages() {
    let mut doc = sample(DocumentKind::CommercialInvoice);
    let words: Vec<String> = (0..1500).map(|i| format!("word{i}")).collect();
    doc.lines[0].description = words.join(" ");
    doc.lines[0].description_zh = Some("很长的描述".repeat(200));
    let r = render_and_read("tall", &doc);
    assert!(r.pages >= 3, "{} pages", r.pages);
    assert_has(
        &r.text,
        &["word0 word1", "word1499", "Page 1 of", "Total / 总计"],
    );
}

#[test]
fn rendering_is_deterministic() {
    let doc = long_invoice(30);
    assert_eq!(render(&doc).unwrap(), render(&doc).unwrap());
}

#[test]
fn incoterms_outside_incoterms_2020_and_missing_places_are_reported() {
    let mut doc = sample(DocumentKind::CommercialInvoice);
    doc.incoterm = Some("DDU".into());
    doc.incoterm_place = None;
    let pdf = render(&doc).unwrap();
    assert_eq!(
        pdf.warnings,
        [
            "incoterm: DDU is not an Incoterms 2020 rule (DAP replaced it); printed as given",
            "incoterm_place: DDU is printed without a named place",
        ]
    );
}

#[test]
fn missing_required_fields_are_named() {
    let missing = |doc: TradeDocument| match render(&doc) {
        Err(DocumentError::Missing { field }) => field,
        other => panic!("expected a missing field, got {other:?}"),
    };
    let mut doc = sample(DocumentKind::CommercialInvoice);
    doc.lines.clear();
    assert_eq!(missing(doc), "lines");

    let mut doc = sample(DocumentKind::ProformaInvoice);
    doc.lines.clear();
    assert_eq!(missing(doc), "lines");

    let mut doc = sample(DocumentKind::PackingList);
    doc.lines.clear();
    doc.packages.clear();
    assert_eq!(missing(doc), "packages");

    let mut doc = sample(DocumentKind::CommercialInvoice);
    doc.buyer.name = " ".into();
    assert_eq!(missing(doc), "buyer.name");

    let mut doc = sample(DocumentKind::CommercialInvoice);
    doc.number.clear();
    assert_eq!(missing(doc), "number");

    let mut doc = sample(DocumentKind::CommercialInvoice);
    doc.currency.clear();
    assert_eq!(missing(doc), "currency");

    let mut doc = sample(DocumentKind::CommercialInvoice);
    doc.lines[1].description.clear();
    let err = render(&doc).unwrap_err();
    assert_eq!(
        err.to_string(),
        "lines[1].description is required but empty"
    );

    // A packing list needs no currency and may list packages only.
    let mut doc = sample(DocumentKind::PackingList);
    doc.currency.clear();
    doc.lines.clear();
    doc.charges.clear();
    doc.totals.clear();
    assert!(render(&doc).is_ok());
}
