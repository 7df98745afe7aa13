//! Export shipments: China export customs (9610 / 9710 / 9810, the CEB
//! messages, the monthly summary) and the trade documents printed from
//! the same data.
//!
//! A shipment is stored as it was accepted — the domain's
//! [`ExportShipment`], the transmitter of its messages and the trade terms
//! the documents need — and its messages and documents are built from
//! that record on request, so they are reproducible byte for byte.

use chuhai_documents::{
    Charge, ChargeKind, DocumentKind, DocumentLine, Package, Party, ShipmentTotals, Total,
    TradeDocument,
};
use chuhai_domain::calendar::Date;
use chuhai_domain::country::Country;
use chuhai_domain::customs::{
    build_ceb303, build_ceb403, build_ceb505, build_ceb603, classify, summarize, validate,
    AppStatus, CebMessage, CebMessageKind, Classification, CustomsDateTime, CustomsError,
    ExportShipment, MessageContext, SaleKind, SummaryDeclaration, Transmitter,
};
use chuhai_domain::market::Incoterm;
use chuhai_domain::money::Money;
use chuhai_store::trade::{ExportShipmentRow, NewExportShipment};
use chuhai_store::{Millis, Store, StoreError};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::problem::{FieldProblem, Problem};

/// One package row of the packing list, as the seller gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageTerms {
    /// Shipping marks and numbers, e.g. `LUMI/FRA 1-2`.
    pub marks: String,
    /// Number of identical packages in this row.
    pub count: u32,
    /// Kind of package, e.g. `CTN`.
    pub kind: String,
    /// What each package holds.
    pub contents: String,
    /// Gross weight of the row in grams.
    pub gross_weight_g: u64,
    /// Net weight of the row in grams.
    pub net_weight_g: u64,
    /// One package's length, width and height in centimetres.
    pub dimensions_cm: [u32; 3],
}

/// What the trade documents need besides the customs data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TradeTerms {
    /// Incoterms 2020 rule agreed with the buyer ("DDU" is read as DAP).
    #[serde(default)]
    pub incoterm: Option<Incoterm>,
    /// The named place of the Incoterm, e.g. `Berlin`.
    #[serde(default)]
    pub incoterm_place: Option<String>,
    /// The seller's (or marketplace's) IOSS VAT identification number,
    /// `IM` + 10 digits; printed on EU consignments.
    #[serde(default)]
    pub ioss_number: Option<String>,
    #[serde(default)]
    pub seller_address: Vec<String>,
    #[serde(default)]
    pub seller_eori: Option<String>,
    #[serde(default)]
    pub buyer_address: Vec<String>,
    #[serde(default)]
    pub buyer_eori: Option<String>,
    /// Port or place of entry in the destination.
    #[serde(default)]
    pub port_of_entry: Option<String>,
    /// Payment terms printed on the proforma invoice.
    #[serde(default)]
    pub payment_terms: Option<String>,
    /// Packages for the packing list; absent: one row from the waybill.
    #[serde(default)]
    pub packages: Vec<PackageTerms>,
}

/// A shipment as accepted and stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShipmentRequest {
    pub shipment: ExportShipment,
    /// Who transmits the messages (`BaseTransfer`).
    pub transmitter: Transmitter,
    #[serde(default)]
    pub trade: TradeTerms,
    /// The seller's inbound shipment (ASN) to an overseas warehouse that
    /// this export is the China side of: only for a stock transfer (9810).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inbound_shipment_id: Option<i64>,
}

/// A stored shipment with its classification.
#[derive(Debug, Clone)]
pub struct ShipmentRecord {
    pub row: ExportShipmentRow,
    pub request: ShipmentRequest,
    pub classification: Classification,
}

/// The CEB messages a shipment has: the receipt (CEB403) only when a
/// payment is recorded.
pub fn message_kinds(shipment: &ExportShipment) -> Vec<CebMessageKind> {
    let mut kinds = vec![CebMessageKind::Ceb303];
    if shipment.payment.is_some() {
        kinds.push(CebMessageKind::Ceb403);
    }
    kinds.push(CebMessageKind::Ceb505);
    kinds.push(CebMessageKind::Ceb603);
    kinds
}

/// Parses a message name from a URL: `ceb303`, `CEB603`…
pub fn parse_message_kind(name: &str) -> Option<CebMessageKind> {
    match name.to_ascii_uppercase().as_str() {
        "CEB303" => Some(CebMessageKind::Ceb303),
        "CEB403" => Some(CebMessageKind::Ceb403),
        "CEB505" => Some(CebMessageKind::Ceb505),
        "CEB603" => Some(CebMessageKind::Ceb603),
        _ => None,
    }
}

fn customs_problems(prefix: &str, e: CustomsError) -> Problem {
    match e {
        CustomsError::Invalid { problems } => Problem::validation(
            problems
                .into_iter()
                .map(|p| FieldProblem {
                    field: format!("{prefix}{}", p.path),
                    reason: p.reason,
                })
                .collect(),
        ),
        other => Problem::field(prefix.trim_end_matches('.'), other.to_string()),
    }
}

/// `IM` followed by 10 digits (the EU's IOSS identification number).
fn valid_ioss(number: &str) -> bool {
    number.len() == 12
        && number.starts_with("IM")
        && number[2..].bytes().all(|b| b.is_ascii_digit())
}

fn check_terms(req: &ShipmentRequest) -> Vec<FieldProblem> {
    let mut errors = Vec::new();
    let mut bad = |field: String, reason: &str| {
        errors.push(FieldProblem {
            field,
            reason: reason.into(),
        })
    };
    let t = &req.trade;
    if let Some(n) = &t.ioss_number {
        if !valid_ioss(n) {
            bad(
                "trade.ioss_number".into(),
                "must be IM followed by 10 digits, e.g. IM2760000742",
            );
        } else if !req.shipment.declaration.destination_country.is_eu_member() {
            bad(
                "trade.ioss_number".into(),
                "is only used for consignments to the European Union",
            );
        }
    }
    let long = |s: &Option<String>| s.as_ref().is_some_and(|s| s.chars().count() > 200);
    for (name, value) in [
        ("incoterm_place", &t.incoterm_place),
        ("seller_eori", &t.seller_eori),
        ("buyer_eori", &t.buyer_eori),
        ("port_of_entry", &t.port_of_entry),
        ("payment_terms", &t.payment_terms),
    ] {
        if long(value) {
            bad(format!("trade.{name}"), "must be at most 200 characters");
        }
    }
    for (i, p) in t.packages.iter().enumerate() {
        if p.count == 0 {
            bad(format!("trade.packages[{i}].count"), "must be at least 1");
        }
        if p.dimensions_cm.contains(&0) {
            bad(
                format!("trade.packages[{i}].dimensions_cm"),
                "every side must be at least 1 cm",
            );
        }
        if p.net_weight_g > p.gross_weight_g {
            bad(
                format!("trade.packages[{i}].net_weight_g"),
                "cannot exceed the gross weight",
            );
        }
    }
    errors
}

/// Validates and classifies a shipment, checks its commodity codes against
/// the HS nomenclature, builds every message once as a draft (so a stored
/// shipment always yields them), and stores it. Nothing is stored when
/// anything is wrong.
pub async fn create(
    store: &Store,
    organisation_id: i64,
    req: ShipmentRequest,
    now: Millis,
) -> Result<ShipmentRecord, Problem> {
    let classification = validate(&req.shipment).map_err(|e| customs_problems("shipment.", e))?;
    let mut errors = check_terms(&req);
    if store.hs_counts().await?.2 > 0 {
        for (i, item) in req.shipment.items.iter().enumerate() {
            let digits: String = item.gcode.chars().filter(char::is_ascii_digit).collect();
            let Some(hs6) = digits.get(..6) else { continue };
            if store.hs_code(hs6).await?.is_none() {
                errors.push(FieldProblem {
                    field: format!("shipment.items[{i}].gcode"),
                    reason: format!("HS subheading {hs6} is not in the HS 2022 nomenclature"),
                });
            }
        }
    }
    if let Some(asn) = req.inbound_shipment_id {
        let found = store
            .inbound_for(organisation_id, asn)
            .await?
            .filter(|r| r.seller_id == organisation_id);
        if found.is_none() {
            errors.push(FieldProblem {
                field: "inbound_shipment_id".into(),
                reason: format!("you have no inbound shipment {asn}"),
            });
        } else if req.shipment.sale_kind != SaleKind::StockTransfer {
            errors.push(FieldProblem {
                field: "inbound_shipment_id".into(),
                reason: "only a stock transfer to an overseas warehouse (9810) is the export side of an inbound shipment".into(),
            });
        }
    }
    if !errors.is_empty() {
        return Err(Problem::validation(errors));
    }
    let ctx = context(&req.transmitter, now);
    for kind in message_kinds(&req.shipment) {
        build(&req.shipment, kind, &ctx).map_err(|e| customs_problems("shipment.", e))?;
    }
    let body = serde_json::to_string(&req).map_err(|_| Problem::internal())?;
    let row = store
        .insert_export_shipment(
            &NewExportShipment {
                organisation_id,
                order_no: req.shipment.order.order_no.clone(),
                mode: classification.mode.code().to_owned(),
                destination: req
                    .shipment
                    .declaration
                    .destination_country
                    .alpha2()
                    .to_owned(),
                export_date: i64::from(req.shipment.declaration.export_date.days_since_epoch()),
                body,
                inbound_shipment_id: req.inbound_shipment_id,
            },
            now,
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict { .. } => Problem::conflict(
                "duplicate_order_no",
                "an export shipment with this order number already exists (shipment.order.order_no)",
            ),
            other => other.into(),
        })?;
    Ok(ShipmentRecord {
        row,
        request: req,
        classification,
    })
}

/// Reads a stored shipment back.
pub fn record(row: ExportShipmentRow) -> Result<ShipmentRecord, Problem> {
    let request: ShipmentRequest =
        serde_json::from_str(&row.body).map_err(|_| Problem::internal())?;
    // It was validated when stored: reading it back only needs its mode
    // and reason, not every field rule again.
    let classification = classify(&request.shipment).map_err(|_| Problem::internal())?;
    Ok(ShipmentRecord {
        row,
        request,
        classification,
    })
}

/// One of the seller's shipments; another seller's answers 404.
pub async fn find(store: &Store, organisation_id: i64, id: i64) -> Result<ShipmentRecord, Problem> {
    let row = store
        .export_shipment(organisation_id, id)
        .await?
        .ok_or_else(|| Problem::not_found("export shipment"))?;
    record(row)
}

/// The seller's export shipment recorded for one of its orders: the one
/// whose order number is the order's (a seller uses each number once).
pub async fn of_order(
    store: &Store,
    organisation_id: i64,
    order_no: &str,
) -> Result<Option<ShipmentRecord>, Problem> {
    store
        .export_shipment_by_order_no(organisation_id, order_no)
        .await?
        .map(record)
        .transpose()
}

/// China time (UTC+8) of a storage timestamp, as CEB `appTime` wants it.
pub fn china_time(at: Millis) -> CustomsDateTime {
    let secs = at.div_euclid(1000) + 8 * 3600;
    let days = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    let date = i32::try_from(days)
        .ok()
        .and_then(Date::from_days_since_epoch)
        .unwrap_or(Date::from_days_since_epoch(0).expect("1970-01-01"));
    let (h, m, s) = (rest / 3600, rest % 3600 / 60, rest % 60);
    CustomsDateTime::new(date, h as u32, m as u32, s as u32).expect("a time of day")
}

fn context(transmitter: &Transmitter, at: Millis) -> MessageContext {
    MessageContext {
        app_time: china_time(at),
        app_status: AppStatus::Draft,
        guid: None,
        transmitter: transmitter.clone(),
    }
}

fn build(
    shipment: &ExportShipment,
    kind: CebMessageKind,
    ctx: &MessageContext,
) -> Result<CebMessage, CustomsError> {
    match kind {
        CebMessageKind::Ceb303 => build_ceb303(shipment, ctx, None),
        CebMessageKind::Ceb403 => build_ceb403(shipment, ctx, None),
        CebMessageKind::Ceb505 => build_ceb505(shipment, ctx, None),
        CebMessageKind::Ceb603 => build_ceb603(shipment, ctx, None),
    }
}

/// A message of a stored shipment, as a draft (appStatus 1) timed at the
/// shipment's creation. Declaring (appStatus 2) needs a configured signer,
/// which this server does not have: see the customs module's docs.
pub fn message(record: &ShipmentRecord, kind: CebMessageKind) -> Result<CebMessage, Problem> {
    if !message_kinds(&record.request.shipment).contains(&kind) {
        return Err(Problem::not_found(
            "message (CEB403 needs a recorded payment)",
        ));
    }
    build(
        &record.request.shipment,
        kind,
        &context(&record.request.transmitter, record.row.created_at),
    )
    .map_err(|_| Problem::internal())
}

/// `YYYY-MM` → (year, month, first day, first day of the next month).
pub fn parse_month(text: &str) -> Result<(i32, u32, Date, Date), Problem> {
    let bad = || Problem::field("month", "must be a month written YYYY-MM, e.g. 2026-10");
    let (y, m) = text.split_once('-').ok_or_else(bad)?;
    if y.len() != 4 || m.len() != 2 {
        return Err(bad());
    }
    let year: i32 = y.parse().map_err(|_| bad())?;
    let month: u32 = m.parse().map_err(|_| bad())?;
    let first = Date::from_ymd(year, month, 1).map_err(|_| bad())?;
    let next = if month == 12 {
        Date::from_ymd(year + 1, 1, 1)
    } else {
        Date::from_ymd(year, month + 1, 1)
    }
    .map_err(|_| bad())?;
    Ok((year, month, first, next))
}

/// The month before `today`'s, as `YYYY-MM`: the summary declared by the
/// 15th.
pub fn previous_month(today: Date) -> String {
    let (y, m, _) = today.ymd();
    if m == 1 {
        format!("{:04}-12", y - 1)
    } else {
        format!("{y:04}-{:02}", m - 1)
    }
}

/// The monthly summary declaration (汇总申报) of the seller's 9610 lists
/// that left in `month` (`YYYY-MM`).
pub async fn summary(
    store: &Store,
    organisation_id: i64,
    month: &str,
) -> Result<(i32, u32, Vec<SummaryDeclaration>), Problem> {
    let (year, m, first, next) = parse_month(month)?;
    let rows = store
        .export_shipments_between(
            organisation_id,
            "9610",
            i64::from(first.days_since_epoch()),
            i64::from(next.days_since_epoch()),
        )
        .await?;
    let mut shipments = Vec::with_capacity(rows.len());
    for row in rows {
        shipments.push(record(row)?.request.shipment);
    }
    let rows =
        summarize(&shipments, (year, m)).map_err(|e| Problem::field("month", e.to_string()))?;
    Ok((year, m, rows))
}

/// Which trade document to print.
pub fn parse_document_kind(name: &str) -> Option<DocumentKind> {
    match name {
        "commercial-invoice" => Some(DocumentKind::CommercialInvoice),
        "packing-list" => Some(DocumentKind::PackingList),
        "proforma-invoice" => Some(DocumentKind::ProformaInvoice),
        _ => None,
    }
}

/// The URL names of the documents, in the order the console lists them.
pub const DOCUMENT_NAMES: [&str; 3] = ["commercial-invoice", "packing-list", "proforma-invoice"];

fn grams_to_kg(grams: u64) -> String {
    let kg = Decimal::from(grams) / Decimal::from(1000);
    format!("{:.3}", kg)
}

fn money(m: Money) -> String {
    m.to_major_string()
}

fn country_name(c: Country) -> String {
    format!("{} / {}", c.name_en(), c.name_zh())
}

/// The trade document of kind `kind` for a stored shipment. Amounts are
/// the shipment's own, in the order currency: nothing is recomputed.
pub fn document(record: &ShipmentRecord, kind: DocumentKind) -> Result<TradeDocument, Problem> {
    let s = &record.request.shipment;
    let t = &record.request.trade;
    let order = &s.order;
    let decl = &s.declaration;
    let number = match kind {
        DocumentKind::CommercialInvoice => format!("CI-{}", order.order_no),
        DocumentKind::PackingList => format!("PL-{}", order.order_no),
        DocumentKind::ProformaInvoice => format!("PI-{}", order.order_no),
    };
    let seller = Party {
        name: s.consignor.ebc_name.clone(),
        address: t.seller_address.clone(),
        country: Some(country_name(Country::CN)),
        eori: t.seller_eori.clone(),
        tax_id: None,
        contact: s.consignor.ebc_telephone.clone(),
    };
    let (buyer_name, buyer_country) = match (&order.buyer, &s.overseas_warehouse) {
        (Some(b), _) => (b.name.clone(), b.country),
        (None, Some(w)) => (w.name.clone(), w.country),
        (None, None) => (String::from("—"), decl.destination_country),
    };
    let buyer = Party {
        name: buyer_name,
        address: t.buyer_address.clone(),
        country: Some(country_name(buyer_country)),
        eori: t.buyer_eori.clone(),
        tax_id: None,
        contact: None,
    };
    let consignee = s.overseas_warehouse.as_ref().map(|w| Party {
        name: w.name.clone(),
        address: Vec::new(),
        country: Some(country_name(w.country)),
        eori: None,
        tax_id: w.registration_no.clone(),
        contact: None,
    });
    let total_value: Decimal = s.items.iter().map(|i| i.total_price.to_decimal()).sum();
    let lines = s
        .items
        .iter()
        .map(|i| {
            let share = |grams: u64| {
                if total_value.is_zero() {
                    None
                } else {
                    // The waybill's weights spread over the lines by value,
                    // as the export list does; shown to the gram.
                    let g = Decimal::from(grams) * i.total_price.to_decimal() / total_value;
                    Some(format!("{:.3}", (g / Decimal::from(1000)).round_dp(3)))
                }
            };
            DocumentLine {
                description: i.description.clone().unwrap_or_else(|| i.item_name.clone()),
                description_zh: Some(i.gname.clone()),
                hs_code: i.gcode.chars().filter(char::is_ascii_digit).collect(),
                origin: i.origin_country.alpha2().to_owned(),
                quantity: i.qty.normalize().to_string(),
                unit: unit_name(&i.unit),
                unit_price: money(i.price),
                total: money(i.total_price),
                net_weight: share(s.logistics.net_weight_g),
                gross_weight: share(s.logistics.gross_weight_g),
            }
        })
        .collect();
    let packages = if t.packages.is_empty() {
        vec![Package {
            marks: s.logistics.logistics_no.clone(),
            count: s.logistics.pack_count.to_string(),
            kind: "PKG".into(),
            contents: s.logistics.goods_info.clone(),
            net_weight: Some(grams_to_kg(s.logistics.net_weight_g)),
            gross_weight: Some(grams_to_kg(s.logistics.gross_weight_g)),
            dimensions_cm: None,
            volume_m3: None,
        }]
    } else {
        t.packages
            .iter()
            .map(|p| {
                let [l, w, h] = p.dimensions_cm.map(u64::from);
                let m3 = Decimal::from(l * w * h * u64::from(p.count)) / Decimal::from(1_000_000);
                Package {
                    marks: p.marks.clone(),
                    count: p.count.to_string(),
                    kind: p.kind.clone(),
                    contents: p.contents.clone(),
                    net_weight: Some(grams_to_kg(p.net_weight_g)),
                    gross_weight: Some(grams_to_kg(p.gross_weight_g)),
                    dimensions_cm: Some(format!("{l} × {w} × {h}")),
                    volume_m3: Some(format!("{:.3}", m3.round_dp(3))),
                }
            })
            .collect()
    };
    let (packages_total, net_total, gross_total) = if t.packages.is_empty() {
        (
            u64::from(s.logistics.pack_count),
            s.logistics.net_weight_g,
            s.logistics.gross_weight_g,
        )
    } else {
        t.packages.iter().fold((0, 0, 0), |(c, n, g), p| {
            (
                c + u64::from(p.count),
                n + p.net_weight_g,
                g + p.gross_weight_g,
            )
        })
    };
    let charges = vec![
        Charge {
            kind: ChargeKind::Freight,
            description: None,
            amount: money(order.freight),
        },
        Charge {
            kind: ChargeKind::Insurance,
            description: None,
            amount: money(order.insured_fee),
        },
    ];
    let grand = order
        .goods_value
        .checked_add(order.freight)
        .and_then(|v| v.checked_add(order.insured_fee))
        .map_err(|_| Problem::internal())?;
    let totals = vec![
        Total::new("Goods / 货值", money(order.goods_value)),
        Total::new(
            format!("Total {} / 合计", order.currency.code()),
            money(grand),
        ),
    ];
    let mut references = vec![
        (
            "Customs mode / 监管方式".to_owned(),
            format!(
                "{} ({})",
                record.classification.mode.code(),
                sale_kind_label(s.sale_kind)
            ),
        ),
        ("Order no. / 订单号".to_owned(), order.order_no.clone()),
        (
            "Customs registration no. / 海关编码".to_owned(),
            s.consignor.ebc_code.clone(),
        ),
    ];
    if let Some(bill) = &decl.bill_no {
        references.push(("Bill of lading / 提运单号".to_owned(), bill.clone()));
    }
    let eu = decl.destination_country.is_eu_member();
    Ok(TradeDocument {
        kind,
        number,
        date: decl.export_date.to_string(),
        seller,
        buyer,
        consignee,
        currency: order.currency.code().to_owned(),
        incoterm: t.incoterm.map(|i| i.as_str().to_owned()),
        incoterm_place: t.incoterm_place.clone(),
        payment_terms: t.payment_terms.clone(),
        valid_until: None,
        country_of_origin: Some(country_name(Country::CN)),
        port_of_loading: Some(decl.port_code.clone()),
        port_of_entry: t
            .port_of_entry
            .clone()
            .or_else(|| Some(decl.destination_port.clone())),
        transport: Some(decl.transport_mode.name().to_owned()),
        waybill_number: Some(s.logistics.logistics_no.clone()),
        ioss_number: if eu { t.ioss_number.clone() } else { None },
        references,
        lines,
        packages,
        charges,
        totals,
        shipment_totals: Some(ShipmentTotals {
            packages: Some(packages_total.to_string()),
            net_weight: Some(grams_to_kg(net_total)),
            gross_weight: Some(grams_to_kg(gross_total)),
            volume_m3: None,
        }),
        bank_details: Vec::new(),
        notes: order.note.iter().cloned().collect(),
        declaration: Some(
            "We declare that the information on this document is true and correct. \
             / 兹声明以上内容真实无误。"
                .into(),
        ),
        signatory: Some(s.consignor.ebc_name.clone()),
    })
}

fn sale_kind_label(kind: SaleKind) -> &'static str {
    match kind {
        SaleKind::B2c => "B2C",
        SaleKind::B2b => "B2B",
        SaleKind::StockTransfer => "overseas warehouse / 海外仓",
    }
}

/// China customs unit codes the documents spell out; others print as the
/// code.
fn unit_name(code: &str) -> String {
    match code {
        "001" => "units".into(),
        "006" => "sets".into(),
        "007" => "pcs".into(),
        "011" => "pieces".into(),
        "025" => "pairs".into(),
        "035" => "kg".into(),
        "036" => "g".into(),
        other => other.to_owned(),
    }
}

/// Renders a shipment's document as PDF bytes.
pub fn render_document(record: &ShipmentRecord, kind: DocumentKind) -> Result<Vec<u8>, Problem> {
    let doc = document(record, kind)?;
    let pdf = chuhai_documents::render(&doc).map_err(|e| {
        tracing::error!(error = %e, "a trade document could not be rendered");
        Problem::internal()
    })?;
    Ok(pdf.bytes)
}
