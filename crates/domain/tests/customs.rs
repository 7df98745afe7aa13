//! China export customs: the CEB messages built from realistic shipments,
//! every validation rule with its field path, the three modes, signing,
//! and the monthly summary (with a property test of its totals).

// In a module so that `cargo test -p chuhai-domain customs` selects these tests.
mod customs {

    use chuhai_domain::calendar::Date;
    use chuhai_domain::country::Country;
    use chuhai_domain::customs::xml::check_well_formed;
    use chuhai_domain::customs::{
        build_ceb303, build_ceb403, build_ceb505, build_ceb603, classify, summarize, summary_csv,
        summary_xml, validate, AppStatus, CebMessage, CebMessageKind, CustomsDateTime,
        CustomsError, CustomsMode, ExportShipment, MessageContext, MessageGuid, OrderType,
        SaleKind, SignError, SignedMessage, Signer, SummaryDeclaration, Transmitter, CSV_HEADER,
    };
    use chuhai_domain::money::{Currency, Money};
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    /// A B2C order from a Shenzhen lighting seller's own storefront to a
    /// consumer in the United States, shipped by air. Codes are plausible
    /// examples, not real registrations.
    const SAMPLE_B2C: &str = r#"{
      "sale_kind": "b2c",
      "consignor": {
        "ebc_code": "4403960LUM",
        "ebc_name": "深圳市流明照明有限公司",
        "ebc_telephone": "+86-755-8888-0000",
        "ebp_code": "4403960LUM",
        "ebp_name": "深圳市流明照明有限公司"
      },
      "order": {
        "order_no": "SO-2026-10-0001",
        "order_time": "2026-10-29T21:14:05",
        "currency": "USD",
        "goods_value": {"amount": "75.00", "currency": "USD"},
        "freight": {"amount": "8.00", "currency": "USD"},
        "insured_fee": {"amount": "0.50", "currency": "USD"},
        "buyer": {"name": "Jane Doe", "country": "US"},
        "note": "gift wrap"
      },
      "payment": {
        "pay_code": "31222699S7",
        "pay_name": "Example Pay (Shanghai) Co., Ltd.",
        "pay_no": "PAY20261029211405001",
        "amount": {"amount": "83.50", "currency": "USD"},
        "accounting_time": "2026-10-29T21:15:00"
      },
      "logistics": {
        "logistics_code": "4403180EXP",
        "logistics_name": "深圳示例国际物流有限公司",
        "logistics_no": "YT2610300000001",
        "freight": {"amount": "45.00", "currency": "CNY"},
        "insured_fee": {"amount": "0.00", "currency": "CNY"},
        "gross_weight_g": 1800,
        "net_weight_g": 1500,
        "pack_count": 1,
        "goods_info": "LED lamps"
      },
      "declaration": {
        "customs_code": "5304",
        "port_code": "5345",
        "destination_port": "LAX",
        "export_date": "2026-10-30",
        "transport_mode": "air",
        "destination_country": "US",
        "wrap_type": "2",
        "bill_no": "784-12345675",
        "statistics_flag": "summary",
        "agent_code": "4403960LUM",
        "agent_name": "深圳市流明照明有限公司",
        "owner_code": "4403960LUM",
        "owner_name": "深圳市流明照明有限公司"
      },
      "items": [
        {
          "gnum": 1,
          "item_no": "LUMI-ARC-BLK",
          "item_name": "Lumi Arc LED Desk Lamp \"Pro\" <Black> & White",
          "description": "Dimmable LED desk lamp, 10 W",
          "bar_code": "6901234567892",
          "gcode": "9405.21.00.00",
          "gname": "LED台灯",
          "gmodel": "Lumi牌|ARC-10W|塑料+铝|LED光源",
          "origin_country": "CN",
          "qty": "2",
          "unit": "007",
          "qty1": "2",
          "unit1": "007",
          "qty2": "1.2",
          "unit2": "035",
          "price": {"amount": "25.00", "currency": "USD"},
          "total_price": {"amount": "50.00", "currency": "USD"}
        },
        {
          "gnum": 2,
          "item_no": "LUMI-E27-4PK",
          "item_name": "Lumi E27 LED Bulb, 4-pack",
          "gcode": "8539520000",
          "gname": "LED灯泡",
          "gmodel": "Lumi牌|E27|9W",
          "origin_country": "CN",
          "qty": "1",
          "unit": "011",
          "qty1": "4",
          "unit1": "007",
          "price": {"amount": "25.00", "currency": "USD"},
          "total_price": {"amount": "25.00", "currency": "USD"}
        }
      ]
    }"#;

    fn sample() -> ExportShipment {
        serde_json::from_str(SAMPLE_B2C).expect("the sample parses")
    }

    fn b2b() -> ExportShipment {
        let mut s = sample();
        s.sale_kind = SaleKind::B2b;
        s.payment = None;
        s.order.buyer = Some(chuhai_domain::customs::Buyer {
            name: "Brightway Lighting LLC".into(),
            country: Country::US,
        });
        s.declaration.statistics_flag = chuhai_domain::customs::StatisticsFlag::Simplified;
        s
    }

    fn stock_transfer(registered: bool) -> ExportShipment {
        let mut s = sample();
        s.sale_kind = SaleKind::StockTransfer;
        s.payment = None;
        s.order.buyer = None;
        s.declaration.destination_country = Country::DE;
        s.overseas_warehouse = Some(chuhai_domain::customs::OverseasWarehouse {
            name: "Chuhai Fulfilment Hamburg".into(),
            country: Country::DE,
            registered,
            registration_no: None,
        });
        s
    }

    fn time(text: &str) -> CustomsDateTime {
        CustomsDateTime::parse(text).unwrap()
    }

    fn context(status: AppStatus) -> MessageContext {
        MessageContext {
            app_time: time("2026-10-30T09:30:00"),
            app_status: status,
            guid: None,
            transmitter: Transmitter {
                cop_code: "4403960LUM".into(),
                cop_name: "深圳市流明照明有限公司".into(),
                dxp_id: "DXPENT0000012345".into(),
            },
        }
    }

    fn draft() -> MessageContext {
        context(AppStatus::Draft)
    }

    /// The unescaped texts of every `<name>…</name>` in document order.
    fn texts(xml: &str, name: &str) -> Vec<String> {
        let open = format!("<{name}>");
        let close = format!("</{name}>");
        let mut found = Vec::new();
        let mut rest = xml;
        while let Some(start) = rest.find(&open) {
            let after = &rest[start + open.len()..];
            let end = after.find(&close).expect("element closed");
            found.push(
                after[..end]
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&apos;", "'")
                    .replace("&amp;", "&"),
            );
            rest = &after[end + close.len()..];
        }
        found
    }

    fn text(xml: &str, name: &str) -> String {
        let all = texts(xml, name);
        assert_eq!(all.len(), 1, "one <{name}> expected in\n{xml}");
        all.into_iter().next().unwrap()
    }

    /// Positions of the named tags must be increasing: the schema's order.
    fn assert_order(xml: &str, tags: &[&str]) {
        let mut last = 0;
        for tag in tags {
            let at = xml[last..]
                .find(tag)
                .unwrap_or_else(|| panic!("{tag} missing or out of order in\n{xml}"));
            last += at + tag.len();
        }
    }

    fn problems(err: CustomsError) -> Vec<(String, String)> {
        match err {
            CustomsError::Invalid { problems } => {
                problems.into_iter().map(|p| (p.path, p.reason)).collect()
            }
            other => panic!("expected field problems, got {other}"),
        }
    }

    fn assert_problem(result: Result<CebMessage, CustomsError>, path: &str, reason: &str) {
        let found = problems(result.expect_err("the shipment must be refused"));
        assert!(
            found.iter().any(|(p, r)| p == path && r.contains(reason)),
            "expected {path}: …{reason}… in {found:#?}"
        );
    }

    // ---------------------------------------------------------------- JSON

    #[test]
    fn the_shipment_json_round_trips_and_is_strict() {
        let shipment = sample();
        let json = serde_json::to_string(&shipment).unwrap();
        let back: ExportShipment = serde_json::from_str(&json).unwrap();
        assert_eq!(back, shipment);
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["sale_kind"], "b2c");
        assert_eq!(value["items"][0]["qty2"], "1.2");
        assert_eq!(value["order"]["goods_value"]["amount"], "75.00");
        assert!(value.get("overseas_warehouse").is_none());

        let unknown = SAMPLE_B2C.replace("\"sale_kind\"", "\"colour\": 1, \"sale_kind\"");
        assert!(serde_json::from_str::<ExportShipment>(&unknown).is_err());
        let float_qty = SAMPLE_B2C.replace("\"qty\": \"2\"", "\"qty\": 2");
        assert!(serde_json::from_str::<ExportShipment>(&float_qty).is_err());
        let bad_kind = SAMPLE_B2C.replace("\"b2c\"", "\"c2c\"");
        assert!(serde_json::from_str::<ExportShipment>(&bad_kind).is_err());
        let bad_time = SAMPLE_B2C.replace("2026-10-29T21:14:05", "2026-10-29 21:14");
        assert!(serde_json::from_str::<ExportShipment>(&bad_time).is_err());
    }

    // ------------------------------------------------------- classification

    #[test]
    fn the_three_modes_and_their_reasons() {
        let c = classify(&sample()).unwrap();
        assert_eq!((c.mode, c.order_type), (CustomsMode::M9610, OrderType::E));
        assert!(
            c.reason.contains("9610") && c.reason.contains("B2C"),
            "{}",
            c.reason
        );
        assert!(c.reason.contains("United States"), "{}", c.reason);
        assert!(c.reason_zh.contains("9610") && c.reason_zh.contains("直邮"));

        let c = classify(&b2b()).unwrap();
        assert_eq!((c.mode, c.order_type), (CustomsMode::M9710, OrderType::B));
        assert!(c.reason.contains("9710") && c.reason.contains("Brightway Lighting LLC"));
        assert!(c.reason_zh.contains("9710"));

        let c = classify(&stock_transfer(true)).unwrap();
        assert_eq!((c.mode, c.order_type), (CustomsMode::M9810, OrderType::W));
        assert!(c.reason.contains("9810") && c.reason.contains("Chuhai Fulfilment Hamburg"));
        assert!(c.reason_zh.contains("9810") && c.reason_zh.contains("海外仓"));
        assert_eq!(serde_json::to_string(&c.mode).unwrap(), "\"9810\"");
    }

    #[test]
    fn an_unregistered_warehouse_is_refused_with_the_way_out() {
        let err = classify(&stock_transfer(false)).unwrap_err();
        assert_eq!(err.path, "overseas_warehouse.registered");
        for part in ["not registered", "9810", "9710", "0110", "Register"] {
            assert!(err.reason.contains(part), "{part}: {}", err.reason);
        }
        assert!(err.reason_zh.contains("备案") && err.reason_zh.contains("0110"));
        // The builders report it as a field problem too.
        assert_problem(
            build_ceb303(&stock_transfer(false), &draft(), None),
            "overseas_warehouse.registered",
            "0110",
        );

        let mut no_warehouse = stock_transfer(true);
        no_warehouse.overseas_warehouse = None;
        assert_eq!(
            classify(&no_warehouse).unwrap_err().path,
            "overseas_warehouse"
        );
    }

    // ------------------------------------------------------------ messages

    #[test]
    fn ceb303_order_for_a_b2c_parcel() {
        let message = build_ceb303(&sample(), &draft(), None).unwrap();
        let xml = &message.xml;
        check_well_formed(xml).unwrap();
        assert_eq!(message.kind, CebMessageKind::Ceb303);
        assert!(!message.signed);
        assert!(xml
            .starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ceb:CEB303Message guid=\""));
        assert!(xml.contains("version=\"1.0\" xmlns:ceb=\"http://www.chinaport.gov.cn/ceb\">"));
        assert!(xml.trim_end().ends_with("</ceb:CEB303Message>"));
        assert_order(
            xml,
            &[
                "<ceb:Order>",
                "<ceb:OrderHead>",
                "<ceb:guid>",
                "<ceb:appType>",
                "<ceb:appTime>",
                "<ceb:appStatus>",
                "<ceb:orderType>",
                "<ceb:orderNo>",
                "<ceb:ebpCode>",
                "<ceb:ebpName>",
                "<ceb:ebcCode>",
                "<ceb:ebcName>",
                "<ceb:goodsValue>",
                "<ceb:freight>",
                "<ceb:currency>",
                "<ceb:note>",
                "</ceb:OrderHead>",
                "<ceb:OrderList>",
                "</ceb:OrderList>",
                "<ceb:OrderList>",
                "</ceb:OrderList>",
                "</ceb:Order>",
                "<ceb:BaseTransfer>",
                "<ceb:copCode>",
                "<ceb:copName>",
                "<ceb:dxpMode>",
                "<ceb:dxpId>",
                "</ceb:BaseTransfer>",
            ],
        );
        assert_eq!(text(xml, "ceb:guid"), message.guid.as_str());
        assert_eq!(message.guid.as_str().len(), 36);
        assert_eq!(text(xml, "ceb:appType"), "1");
        assert_eq!(text(xml, "ceb:appTime"), "20261030093000");
        assert_eq!(text(xml, "ceb:appStatus"), "1");
        assert_eq!(text(xml, "ceb:orderType"), "E");
        assert_eq!(text(xml, "ceb:orderNo"), "SO-2026-10-0001");
        assert_eq!(text(xml, "ceb:ebcCode"), "4403960LUM");
        assert_eq!(text(xml, "ceb:ebcName"), "深圳市流明照明有限公司");
        assert_eq!(text(xml, "ceb:goodsValue"), "75.00");
        assert_eq!(text(xml, "ceb:freight"), "8.00");
        assert_eq!(texts(xml, "ceb:currency"), ["502", "502", "502"]);
        assert_eq!(texts(xml, "ceb:gnum"), ["1", "2"]);
        assert_eq!(texts(xml, "ceb:itemNo"), ["LUMI-ARC-BLK", "LUMI-E27-4PK"]);
        assert_eq!(texts(xml, "ceb:qty"), ["2", "1"]);
        assert_eq!(texts(xml, "ceb:unit"), ["007", "011"]);
        assert_eq!(texts(xml, "ceb:price"), ["25.00", "25.00"]);
        assert_eq!(texts(xml, "ceb:totalPrice"), ["50.00", "25.00"]);
        assert_eq!(texts(xml, "ceb:barCode"), ["6901234567892"]);
        assert_eq!(
            texts(xml, "ceb:itemDescribe"),
            ["Dimmable LED desk lamp, 10 W"]
        );
        assert_eq!(text(xml, "ceb:dxpMode"), "DXP");
        assert_eq!(text(xml, "ceb:dxpId"), "DXPENT0000012345");
        // The export order carries no commodity code or legal units.
        assert!(!xml.contains("gcode") && !xml.contains("qty1"));
    }

    #[test]
    fn text_is_escaped_and_reads_back_unchanged() {
        let xml = build_ceb303(&sample(), &draft(), None).unwrap().xml;
        assert!(xml.contains(
            "<ceb:itemName>Lumi Arc LED Desk Lamp &quot;Pro&quot; &lt;Black&gt; &amp; White</ceb:itemName>"
        ));
        assert_eq!(
            texts(&xml, "ceb:itemName")[0],
            "Lumi Arc LED Desk Lamp \"Pro\" <Black> & White"
        );
        // Every & in the document starts an entity: nothing raw slipped through.
        for (at, _) in xml.match_indices('&') {
            let entity = &xml[at..xml[at..].find(';').unwrap() + at + 1];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].contains(&entity),
                "{entity}"
            );
        }
        let mut tricky = sample();
        tricky.consignor.ebc_name = "A&B <Trading> 'Co' \"Ltd\"".into();
        tricky.logistics.goods_info = "<script>&amp;</script>".into();
        for xml in [
            build_ceb303(&tricky, &draft(), None).unwrap().xml,
            build_ceb505(&tricky, &draft(), None).unwrap().xml,
            build_ceb603(&tricky, &draft(), None).unwrap().xml,
        ] {
            check_well_formed(&xml).unwrap();
            assert!(texts(&xml, "ceb:ebcName").contains(&"A&B <Trading> 'Co' \"Ltd\"".to_string()));
        }
        let waybill = build_ceb505(&tricky, &draft(), None).unwrap().xml;
        assert_eq!(text(&waybill, "ceb:goodsInfo"), "<script>&amp;</script>");
    }

    #[test]
    fn ceb403_receipt_of_payment() {
        let message = build_ceb403(&sample(), &draft(), None).unwrap();
        let xml = &message.xml;
        check_well_formed(xml).unwrap();
        assert!(xml.contains("<ceb:CEB403Message guid=\""));
        assert_order(
            xml,
            &[
                "<ceb:Receipts>",
                "<ceb:guid>",
                "<ceb:appStatus>",
                "<ceb:ebpCode>",
                "<ceb:ebcCode>",
                "<ceb:orderNo>",
                "<ceb:payCode>",
                "<ceb:payName>",
                "<ceb:payNo>",
                "<ceb:charge>",
                "<ceb:currency>",
                "<ceb:accountingDate>",
                "</ceb:Receipts>",
                "<ceb:BaseTransfer>",
            ],
        );
        assert_eq!(text(xml, "ceb:orderNo"), "SO-2026-10-0001");
        assert_eq!(text(xml, "ceb:payCode"), "31222699S7");
        assert_eq!(text(xml, "ceb:payNo"), "PAY20261029211405001");
        assert_eq!(text(xml, "ceb:charge"), "83.50");
        assert_eq!(text(xml, "ceb:currency"), "502");
        assert_eq!(text(xml, "ceb:accountingDate"), "20261029211500");
        assert!(!xml.contains("<ceb:note>"));
    }

    #[test]
    fn ceb505_waybill() {
        let message = build_ceb505(&sample(), &draft(), None).unwrap();
        let xml = &message.xml;
        check_well_formed(xml).unwrap();
        assert!(xml.contains("<ceb:CEB505Message guid=\""));
        assert_order(
            xml,
            &[
                "<ceb:Logistics>",
                "<ceb:guid>",
                "<ceb:logisticsCode>",
                "<ceb:logisticsName>",
                "<ceb:logisticsNo>",
                "<ceb:freight>",
                "<ceb:insuredFee>",
                "<ceb:currency>",
                "<ceb:grossWeight>",
                "<ceb:packNo>",
                "<ceb:goodsInfo>",
                "<ceb:ebcCode>",
                "<ceb:ebcName>",
                "<ceb:ebcTelephone>",
                "</ceb:Logistics>",
                "<ceb:BaseTransfer>",
            ],
        );
        assert_eq!(text(xml, "ceb:logisticsNo"), "YT2610300000001");
        assert_eq!(text(xml, "ceb:freight"), "45.00");
        assert_eq!(text(xml, "ceb:insuredFee"), "0.00");
        assert_eq!(text(xml, "ceb:currency"), "142");
        assert_eq!(text(xml, "ceb:grossWeight"), "1.800");
        assert_eq!(text(xml, "ceb:packNo"), "1");
        assert_eq!(text(xml, "ceb:goodsInfo"), "LED lamps");
    }

    #[test]
    fn ceb603_export_list() {
        let message = build_ceb603(&sample(), &draft(), None).unwrap();
        let xml = &message.xml;
        check_well_formed(xml).unwrap();
        assert!(xml.contains("<ceb:CEB603Message guid=\""));
        assert_order(
            xml,
            &[
                "<ceb:Inventory>",
                "<ceb:InventoryHead>",
                "<ceb:guid>",
                "<ceb:appType>",
                "<ceb:appTime>",
                "<ceb:appStatus>",
                "<ceb:customsCode>",
                "<ceb:ebpCode>",
                "<ceb:ebpName>",
                "<ceb:orderNo>",
                "<ceb:logisticsCode>",
                "<ceb:logisticsName>",
                "<ceb:logisticsNo>",
                "<ceb:copNo>",
                "<ceb:ieFlag>",
                "<ceb:portCode>",
                "<ceb:ieDate>",
                "<ceb:statisticsFlag>",
                "<ceb:agentCode>",
                "<ceb:agentName>",
                "<ceb:ebcCode>",
                "<ceb:ebcName>",
                "<ceb:ownerCode>",
                "<ceb:ownerName>",
                "<ceb:tradeMode>",
                "<ceb:trafMode>",
                "<ceb:billNo>",
                "<ceb:country>",
                "<ceb:POD>",
                "<ceb:freight>",
                "<ceb:fCurrency>",
                "<ceb:fFlag>",
                "<ceb:insuredFee>",
                "<ceb:iCurrency>",
                "<ceb:iFlag>",
                "<ceb:wrapType>",
                "<ceb:packNo>",
                "<ceb:grossWeight>",
                "<ceb:netWeight>",
                "</ceb:InventoryHead>",
                "<ceb:InventoryList>",
                "<ceb:gnum>",
                "<ceb:itemNo>",
                "<ceb:itemName>",
                "<ceb:gcode>",
                "<ceb:gname>",
                "<ceb:gmodel>",
                "<ceb:barCode>",
                "<ceb:country>",
                "<ceb:currency>",
                "<ceb:qty>",
                "<ceb:qty1>",
                "<ceb:qty2>",
                "<ceb:unit>",
                "<ceb:unit1>",
                "<ceb:unit2>",
                "<ceb:price>",
                "<ceb:totalPrice>",
                "</ceb:InventoryList>",
                "<ceb:InventoryList>",
                "</ceb:InventoryList>",
                "</ceb:Inventory>",
                "<ceb:BaseTransfer>",
            ],
        );
        assert_eq!(text(xml, "ceb:customsCode"), "5304");
        assert_eq!(text(xml, "ceb:copNo"), "SO-2026-10-0001");
        assert_eq!(text(xml, "ceb:ieFlag"), "E");
        assert_eq!(text(xml, "ceb:portCode"), "5345");
        assert_eq!(text(xml, "ceb:ieDate"), "20261030");
        assert_eq!(text(xml, "ceb:statisticsFlag"), "B");
        assert_eq!(text(xml, "ceb:tradeMode"), "9610");
        assert_eq!(text(xml, "ceb:trafMode"), "5");
        assert_eq!(text(xml, "ceb:POD"), "LAX");
        // Head: country of arrival; lines: origin.
        assert_eq!(texts(xml, "ceb:country"), ["502", "142", "142"]);
        assert_eq!(text(xml, "ceb:fCurrency"), "142");
        assert_eq!(text(xml, "ceb:iCurrency"), "142");
        assert_eq!(text(xml, "ceb:grossWeight"), "1.800");
        assert_eq!(text(xml, "ceb:netWeight"), "1.500");
        assert_eq!(texts(xml, "ceb:gcode"), ["9405210000", "8539520000"]);
        assert_eq!(texts(xml, "ceb:currency"), ["502", "502"]);
        assert_eq!(texts(xml, "ceb:qty1"), ["2", "4"]);
        assert_eq!(texts(xml, "ceb:qty2"), ["1.2"]);
        assert_eq!(texts(xml, "ceb:unit2"), ["035"]);
        // The list requires a barcode: the second item has none.
        assert_eq!(texts(xml, "ceb:barCode"), ["6901234567892", "无"]);
        assert_eq!(xml.matches("<ceb:InventoryList>").count(), 2);
    }

    #[test]
    fn b2b_and_overseas_warehouse_messages() {
        let order = build_ceb303(&b2b(), &draft(), None).unwrap().xml;
        assert_eq!(text(&order, "ceb:orderType"), "B");
        let list = build_ceb603(&b2b(), &draft(), None).unwrap().xml;
        assert_eq!(text(&list, "ceb:tradeMode"), "9710");
        assert_eq!(text(&list, "ceb:statisticsFlag"), "A");
        // Payment is optional for B2B, so the receipt cannot be built without it.
        assert_problem(build_ceb403(&b2b(), &draft(), None), "payment", "required");
        validate(&b2b()).unwrap();

        let warehouse = stock_transfer(true);
        let order = build_ceb303(&warehouse, &draft(), None).unwrap().xml;
        assert_eq!(text(&order, "ceb:orderType"), "W");
        let list = build_ceb603(&warehouse, &draft(), None).unwrap().xml;
        assert_eq!(text(&list, "ceb:tradeMode"), "9810");
        assert_eq!(texts(&list, "ceb:country")[0], "304");
        assert_eq!(validate(&warehouse).unwrap().mode, CustomsMode::M9810);
    }

    #[test]
    fn other_currencies_are_written_with_two_decimals_and_their_codes() {
        let mut yen = sample();
        let jpy = |minor| Money::from_minor(minor, Currency::JPY);
        yen.order.currency = Currency::JPY;
        yen.order.goods_value = jpy(7500);
        yen.order.freight = jpy(800);
        yen.order.insured_fee = jpy(0);
        yen.items[0].price = jpy(2500);
        yen.items[0].total_price = jpy(5000);
        yen.items[1].price = jpy(2500);
        yen.items[1].total_price = jpy(2500);
        yen.payment.as_mut().unwrap().amount = jpy(8300);
        let xml = build_ceb303(&yen, &draft(), None).unwrap().xml;
        assert_eq!(text(&xml, "ceb:goodsValue"), "7500.00");
        assert_eq!(texts(&xml, "ceb:currency")[0], "116");
        let receipt = build_ceb403(&yen, &draft(), None).unwrap().xml;
        assert_eq!(text(&receipt, "ceb:charge"), "8300.00");
    }

    // ------------------------------------------------------------- guids

    #[test]
    fn guids_are_derived_deterministically_or_taken_as_given() {
        let a = build_ceb303(&sample(), &draft(), None).unwrap();
        let b = build_ceb303(&sample(), &draft(), None).unwrap();
        assert_eq!(a, b, "same input, same message");
        let list = build_ceb603(&sample(), &draft(), None).unwrap();
        assert_ne!(a.guid, list.guid, "each message its own guid");
        let mut later = draft();
        later.app_time = time("2026-10-30T09:31:00");
        assert_ne!(build_ceb303(&sample(), &later, None).unwrap().guid, a.guid);
        // The root guid attribute differs from the record's guid.
        let root = &a.xml[a.xml.find("guid=\"").unwrap() + 6..][..36];
        assert_ne!(root, a.guid.as_str());
        assert!(MessageGuid::parse(root).is_ok());

        let mut given = draft();
        given.guid = Some(MessageGuid::parse("4cde1cfd-eded-46b1-946c-b8022e42fc94").unwrap());
        let message = build_ceb505(&sample(), &given, None).unwrap();
        assert_eq!(
            text(&message.xml, "ceb:guid"),
            "4CDE1CFD-EDED-46B1-946C-B8022E42FC94"
        );

        let context_json = r#"{"app_time": "2026-10-30T09:30:00", "app_status": "declared",
            "guid": "not-a-guid", "transmitter": {"cop_code": "1", "cop_name": "n", "dxp_id": "d"}}"#;
        assert!(serde_json::from_str::<MessageContext>(context_json).is_err());
    }

    // ------------------------------------------------------------- signing

    /// A test double: it does not sign anything, it wraps the unsigned
    /// document's last line so the test can see it was called.
    struct MarkingTestSigner;

    impl Signer for MarkingTestSigner {
        fn sign(&self, xml: &str) -> Result<SignedMessage, SignError> {
            let (body, root_close) = xml.trim_end().rsplit_once('\n').unwrap();
            Ok(SignedMessage {
                xml: format!(
                    "{body}\n  <ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">test</ds:Signature>\n{root_close}\n"
                ),
            })
        }
    }

    struct FailingSigner;

    impl Signer for FailingSigner {
        fn sign(&self, _xml: &str) -> Result<SignedMessage, SignError> {
            Err(SignError::new("the customs IC card is not inserted"))
        }
    }

    struct BrokenSigner;

    impl Signer for BrokenSigner {
        fn sign(&self, xml: &str) -> Result<SignedMessage, SignError> {
            Ok(SignedMessage {
                xml: xml.replace("</ceb:BaseTransfer>", ""),
            })
        }
    }

    #[test]
    fn declaring_needs_a_signer() {
        let declared = context(AppStatus::Declared);
        for kind in [
            build_ceb303(&sample(), &declared, None),
            build_ceb403(&sample(), &declared, None),
            build_ceb505(&sample(), &declared, None),
            build_ceb603(&sample(), &declared, None),
        ] {
            let err = kind.unwrap_err();
            assert!(matches!(err, CustomsError::SignerRequired { .. }), "{err}");
            let message = err.to_string();
            assert!(
                message.contains("appStatus 2") && message.contains("signer"),
                "{message}"
            );
            assert!(message.contains("Signer"), "{message}");
        }
        // Invalid data is reported before the missing signer.
        let mut bad = sample();
        bad.order.order_no.clear();
        assert_problem(
            build_ceb303(&bad, &declared, None),
            "order.order_no",
            "required",
        );

        let signed = build_ceb603(&sample(), &declared, Some(&MarkingTestSigner)).unwrap();
        assert!(signed.signed);
        assert_eq!(text(&signed.xml, "ceb:appStatus"), "2");
        assert!(signed.xml.contains("<ds:Signature"));
        check_well_formed(&signed.xml).unwrap();

        let err = build_ceb303(&sample(), &declared, Some(&FailingSigner)).unwrap_err();
        assert!(err.to_string().contains("IC card is not inserted"), "{err}");
        let err = build_ceb303(&sample(), &declared, Some(&BrokenSigner)).unwrap_err();
        assert!(matches!(err, CustomsError::Signing { .. }));
        assert!(err.to_string().contains("not well-formed"), "{err}");

        // A draft is never signed, even when a signer is at hand.
        let draft = build_ceb303(&sample(), &draft(), Some(&FailingSigner)).unwrap();
        assert!(!draft.signed);
    }

    // ---------------------------------------------------------- validation

    type Mutation = fn(&mut ExportShipment);

    fn usd(amount: &str) -> Money {
        Money::parse_major(amount, Currency::USD).unwrap()
    }

    /// (what is changed, message builder, expected path, expected reason part)
    fn rules() -> Vec<(Mutation, CebMessageKind, &'static str, &'static str)> {
        use CebMessageKind::*;
        vec![
            (
                |s| s.consignor.ebc_code = "4403960LUM123456789".into(),
                Ceb303,
                "consignor.ebc_code",
                "at most 18 characters (it has 19)",
            ),
            (
                |s| s.consignor.ebc_name = "  ".into(),
                Ceb303,
                "consignor.ebc_name",
                "is required",
            ),
            (
                |s| s.consignor.ebc_name = "名".repeat(101),
                Ceb603,
                "consignor.ebc_name",
                "at most 100",
            ),
            (
                |s| s.consignor.ebp_code = "P".repeat(51),
                Ceb403,
                "consignor.ebp_code",
                "at most 50",
            ),
            (
                |s| s.consignor.ebc_telephone = Some("9".repeat(51)),
                Ceb505,
                "consignor.ebc_telephone",
                "at most 50",
            ),
            (
                |s| s.order.order_no = "O".repeat(61),
                Ceb303,
                "order.order_no",
                "at most 60",
            ),
            (
                |s| s.order.order_no.clear(),
                Ceb403,
                "order.order_no",
                "is required",
            ),
            (
                |s| s.order.goods_value = usd("80.00"),
                Ceb303,
                "order.goods_value",
                "sum of the items' total_price, 75.00",
            ),
            (
                |s| s.order.freight = Money::parse_major("8", Currency::EUR).unwrap(),
                Ceb303,
                "order.freight",
                "must be in USD",
            ),
            (
                |s| s.order.insured_fee = usd("-0.50"),
                Ceb303,
                "order.insured_fee",
                "must not be negative",
            ),
            (
                |s| s.order.goods_value = usd("100000000000000.00"),
                Ceb303,
                "order.goods_value",
                "N16,2",
            ),
            (
                |s| {
                    let brl = |m: Money| {
                        Money::from_minor(m.minor(), Currency::from_code("BRL").unwrap())
                    };
                    s.order.currency = Currency::from_code("BRL").unwrap();
                    s.order.goods_value = brl(s.order.goods_value);
                    s.order.freight = brl(s.order.freight);
                    s.order.insured_fee = brl(s.order.insured_fee);
                    for item in &mut s.items {
                        item.price = brl(item.price);
                        item.total_price = brl(item.total_price);
                    }
                },
                Ceb303,
                "order.currency",
                "BRL has no China customs currency code",
            ),
            (
                |s| s.order.buyer = None,
                Ceb303,
                "order.buyer",
                "required for a B2C or B2B sale",
            ),
            (
                |s| s.order.buyer.as_mut().unwrap().name = "B".repeat(101),
                Ceb303,
                "order.buyer.name",
                "at most 100",
            ),
            (
                |s| s.order.note = Some("n".repeat(1001)),
                Ceb303,
                "order.note",
                "at most 1000",
            ),
            (|s| s.items.clear(), Ceb303, "items", "at least one item"),
            (
                |s| {
                    let line = s.items[1].clone();
                    s.items = (0..101)
                        .map(|i| {
                            let mut l = line.clone();
                            l.gnum = i + 1;
                            l
                        })
                        .collect();
                    s.order.goods_value = usd("2525.00");
                },
                Ceb303,
                "items",
                "at most 100 items",
            ),
            (
                |s| s.items[1].gnum = 3,
                Ceb303,
                "items[1].gnum",
                "must be 2",
            ),
            (
                |s| s.items[0].item_no = "S".repeat(21),
                Ceb603,
                "items[0].item_no",
                "at most 20",
            ),
            (
                |s| s.items[0].item_no = "S".repeat(31),
                Ceb303,
                "items[0].item_no",
                "at most 30",
            ),
            (
                |s| s.items[0].item_name.clear(),
                Ceb303,
                "items[0].item_name",
                "is required",
            ),
            (
                |s| s.items[0].item_name = "Lamp\u{7}".into(),
                Ceb303,
                "items[0].item_name",
                "control character",
            ),
            (
                |s| s.items[0].description = Some("d".repeat(1001)),
                Ceb303,
                "items[0].description",
                "at most 1000",
            ),
            (
                |s| s.items[0].bar_code = Some("1".repeat(51)),
                Ceb603,
                "items[0].bar_code",
                "at most 50",
            ),
            (
                |s| s.items[0].qty = Decimal::ZERO,
                Ceb303,
                "items[0].qty",
                "greater than 0",
            ),
            (
                |s| s.items[0].qty = Decimal::NEGATIVE_ONE,
                Ceb603,
                "items[0].qty",
                "greater than 0",
            ),
            (
                |s| s.items[0].qty = Decimal::new(2_000_001, 6),
                Ceb303,
                "items[0].qty",
                "at most 5 decimals",
            ),
            (
                |s| s.items[0].unit = "7".into(),
                Ceb303,
                "items[0].unit",
                "must be 3 digits",
            ),
            (
                |s| s.items[0].price = usd("24.00"),
                Ceb303,
                "items[0].total_price",
                "price × qty = 24.00 × 2 = 48",
            ),
            (
                |s| s.items[1].total_price = usd("-25.00"),
                Ceb303,
                "items[1].total_price",
                "must not be negative",
            ),
            (
                |s| s.items[1].price = Money::parse_major("25", Currency::EUR).unwrap(),
                Ceb303,
                "items[1].price",
                "must be in USD",
            ),
            (
                |s| s.items[1].gcode = "940542".into(),
                Ceb603,
                "items[1].gcode",
                "10-digit commodity code; \"940542\" has 6 digits",
            ),
            (
                |s| s.items[1].gcode = "85395200".into(),
                Ceb603,
                "items[1].gcode",
                "has 8 digits",
            ),
            (
                |s| s.items[1].gcode = "85395200AB".into(),
                Ceb603,
                "items[1].gcode",
                "10-digit commodity code",
            ),
            (
                |s| s.items[1].gcode = " ".into(),
                Ceb603,
                "items[1].gcode",
                "is required",
            ),
            (
                |s| s.items[0].gname.clear(),
                Ceb603,
                "items[0].gname",
                "is required",
            ),
            (
                |s| s.items[0].gmodel = "m".repeat(251),
                Ceb603,
                "items[0].gmodel",
                "at most 250",
            ),
            (
                |s| s.items[0].item_record_no = Some("r".repeat(31)),
                Ceb603,
                "items[0].item_record_no",
                "at most 30",
            ),
            (
                |s| s.items[0].origin_country = Country::from_alpha2("SS").unwrap(),
                Ceb603,
                "items[0].origin_country",
                "no China customs country code",
            ),
            (
                |s| s.items[0].qty1 = Decimal::ZERO,
                Ceb603,
                "items[0].qty1",
                "greater than 0",
            ),
            (
                |s| s.items[0].unit1 = "".into(),
                Ceb603,
                "items[0].unit1",
                "is required",
            ),
            (
                |s| s.items[0].unit2 = None,
                Ceb603,
                "items[0].unit2",
                "required when qty2 is given",
            ),
            (
                |s| s.items[1].unit2 = Some("035".into()),
                Ceb603,
                "items[1].qty2",
                "required when unit2 is given",
            ),
            (
                |s| s.items[0].qty2 = Some(Decimal::ZERO),
                Ceb603,
                "items[0].qty2",
                "greater than 0",
            ),
            (|s| s.payment = None, Ceb403, "payment", "is required"),
            (
                |s| s.payment.as_mut().unwrap().amount = usd("75.00"),
                Ceb403,
                "payment.amount",
                "goods_value + freight + insured_fee = 83.50",
            ),
            (
                |s| s.payment.as_mut().unwrap().pay_name.clear(),
                Ceb403,
                "payment.pay_name",
                "is required",
            ),
            (
                |s| s.payment.as_mut().unwrap().pay_code = Some("C".repeat(19)),
                Ceb403,
                "payment.pay_code",
                "at most 18",
            ),
            (
                |s| s.payment.as_mut().unwrap().pay_no = Some("N".repeat(61)),
                Ceb403,
                "payment.pay_no",
                "at most 60",
            ),
            (
                |s| s.logistics.logistics_code.clear(),
                Ceb505,
                "logistics.logistics_code",
                "is required",
            ),
            (
                |s| s.logistics.logistics_name = "L".repeat(101),
                Ceb505,
                "logistics.logistics_name",
                "at most 100",
            ),
            (
                |s| s.logistics.logistics_no = "Y".repeat(61),
                Ceb505,
                "logistics.logistics_no",
                "at most 60",
            ),
            (
                |s| s.logistics.goods_info = "g".repeat(201),
                Ceb505,
                "logistics.goods_info",
                "at most 200",
            ),
            (
                |s| s.logistics.gross_weight_g = 0,
                Ceb505,
                "logistics.gross_weight_g",
                "greater than 0",
            ),
            (
                |s| s.logistics.net_weight_g = 1900,
                Ceb603,
                "logistics.net_weight_g",
                "must not exceed the gross weight",
            ),
            (
                |s| s.logistics.pack_count = 0,
                Ceb505,
                "logistics.pack_count",
                "at least 1",
            ),
            (
                |s| s.logistics.insured_fee = usd("1.00"),
                Ceb505,
                "logistics.insured_fee",
                "one currency per waybill",
            ),
            (
                |s| {
                    s.logistics.freight =
                        Money::parse_major("45", Currency::from_code("BRL").unwrap()).unwrap()
                },
                Ceb505,
                "logistics.freight",
                "BRL has no China customs currency code",
            ),
            (
                |s| s.declaration.customs_code = "53A4".into(),
                Ceb603,
                "declaration.customs_code",
                "must be 4 digits",
            ),
            (
                |s| s.declaration.customs_code = "530".into(),
                Ceb603,
                "declaration.customs_code",
                "must be 4 digits",
            ),
            (
                |s| s.declaration.port_code.clear(),
                Ceb603,
                "declaration.port_code",
                "is required",
            ),
            (
                |s| s.declaration.destination_port = "LA".into(),
                Ceb603,
                "declaration.destination_port",
                "3- or 4-character",
            ),
            (
                |s| s.declaration.trade_mode = Some("9710".into()),
                Ceb603,
                "declaration.trade_mode",
                "classified 9610",
            ),
            (
                |s| s.declaration.trade_mode = Some("96".into()),
                Ceb603,
                "declaration.trade_mode",
                "must be 4 digits",
            ),
            (
                |s| s.declaration.destination_country = Country::from_alpha2("SS").unwrap(),
                Ceb603,
                "declaration.destination_country",
                "no China customs country code",
            ),
            (
                |s| s.declaration.wrap_type = "22".into(),
                Ceb603,
                "declaration.wrap_type",
                "1-character packing code",
            ),
            (
                |s| s.declaration.bill_no = Some("B".repeat(38)),
                Ceb603,
                "declaration.bill_no",
                "at most 37",
            ),
            (
                |s| s.declaration.voyage_no = Some("V".repeat(33)),
                Ceb603,
                "declaration.voyage_no",
                "at most 32",
            ),
            (
                |s| s.declaration.transport_name = Some("T".repeat(101)),
                Ceb603,
                "declaration.transport_name",
                "at most 100",
            ),
            (
                |s| s.declaration.agent_code.clear(),
                Ceb603,
                "declaration.agent_code",
                "is required",
            ),
            (
                |s| s.declaration.agent_name = "A".repeat(101),
                Ceb603,
                "declaration.agent_name",
                "at most 100",
            ),
            (
                |s| s.declaration.owner_code = "O".repeat(19),
                Ceb603,
                "declaration.owner_code",
                "at most 18",
            ),
            (
                |s| s.declaration.owner_name.clear(),
                Ceb603,
                "declaration.owner_name",
                "is required",
            ),
            (
                |s| s.declaration.cop_no = Some("C".repeat(31)),
                Ceb603,
                "declaration.cop_no",
                "at most 30",
            ),
            (
                |s| s.order.order_no = "O".repeat(31),
                Ceb603,
                "declaration.cop_no",
                "longer than 30 characters",
            ),
            (
                |s| s.declaration.note = Some("n".repeat(1001)),
                Ceb603,
                "declaration.note",
                "at most 1000",
            ),
        ]
    }

    fn build(
        kind: CebMessageKind,
        shipment: &ExportShipment,
        context: &MessageContext,
    ) -> Result<CebMessage, CustomsError> {
        match kind {
            CebMessageKind::Ceb303 => build_ceb303(shipment, context, None),
            CebMessageKind::Ceb403 => build_ceb403(shipment, context, None),
            CebMessageKind::Ceb505 => build_ceb505(shipment, context, None),
            CebMessageKind::Ceb603 => build_ceb603(shipment, context, None),
        }
    }

    #[test]
    fn every_rule_is_refused_with_its_field_path() {
        let rules = rules();
        assert!(rules.len() >= 70);
        for (mutate, kind, path, reason) in rules {
            let mut shipment = sample();
            mutate(&mut shipment);
            assert_problem(build(kind, &shipment, &draft()), path, reason);
            // validate() runs every rule (the list's, which are stricter on
            // item_no), so it refuses the same field.
            let found = problems(validate(&shipment).unwrap_err());
            assert!(
                found.iter().any(|(p, _)| p == path),
                "validate(): expected {path} in {found:#?}"
            );
        }
    }

    #[test]
    fn the_context_is_validated_too() {
        let mut context = draft();
        context.transmitter.dxp_id.clear();
        context.transmitter.cop_code = "C".repeat(19);
        let found = problems(build_ceb505(&sample(), &context, None).unwrap_err());
        let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            ["context.transmitter.cop_code", "context.transmitter.dxp_id"]
        );
    }

    #[test]
    fn all_problems_are_reported_at_once_in_field_order() {
        let mut s = sample();
        s.consignor.ebc_code.clear();
        s.order.goods_value = usd("70.00");
        s.items[1].gcode = "940542".into();
        s.logistics.pack_count = 0;
        s.declaration.customs_code = "X".into();
        let err = build_ceb603(&s, &draft(), None).unwrap_err();
        let message = err.to_string();
        let paths: Vec<String> = problems(err).into_iter().map(|(p, _)| p).collect();
        assert_eq!(
            paths,
            [
                "consignor.ebc_code",
                "order.goods_value",
                "logistics.pack_count",
                "declaration.customs_code",
                "items[1].gcode",
            ]
        );
        assert!(
            message.starts_with("5 problem(s): consignor.ebc_code: is required; "),
            "{message}"
        );
        // The order message does not look at the list's fields.
        let paths: Vec<String> = problems(build_ceb303(&s, &draft(), None).unwrap_err())
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert_eq!(paths, ["consignor.ebc_code", "order.goods_value"]);
    }

    #[test]
    fn line_totals_allow_rounding_of_the_unit_price() {
        let mut s = sample();
        // 3 for 10.00: unit price 3.33 (3 × 3.33 = 9.99, off by one cent ≤ 1.5 cents).
        s.items[1].qty = Decimal::from(3);
        s.items[1].price = usd("3.33");
        s.items[1].total_price = usd("10.00");
        s.order.goods_value = usd("60.00");
        s.payment.as_mut().unwrap().amount = usd("68.50");
        build_ceb603(&s, &draft(), None).unwrap();
        // 0.5 kg at 10.01 = 5.005: 5.00 and 5.01 are both fine.
        s.items[1].qty = Decimal::new(5, 1);
        s.items[1].price = usd("10.01");
        for total in ["5.00", "5.01"] {
            s.items[1].total_price = usd(total);
            s.order.goods_value = usd("50.00").checked_add(usd(total)).unwrap();
            build_ceb303(&s, &draft(), None).unwrap();
        }
        s.items[1].total_price = usd("5.03");
        s.order.goods_value = usd("55.03");
        assert_problem(
            build_ceb303(&s, &draft(), None),
            "items[1].total_price",
            "price × qty",
        );
    }

    // ------------------------------------------------------------- summary

    /// A 9610 list: one consignor, exported on `date`, with (gcode, qty1,
    /// total in USD cents) lines and weights in grams.
    fn list(
        order_no: &str,
        date: &str,
        lines: &[(&str, i64, i64)],
        gross: u64,
        net: u64,
    ) -> ExportShipment {
        let mut s = sample();
        s.order.order_no = order_no.into();
        s.declaration.export_date = Date::parse(date).unwrap();
        s.logistics.gross_weight_g = gross;
        s.logistics.net_weight_g = net;
        let template = s.items[1].clone();
        s.items = lines
            .iter()
            .enumerate()
            .map(|(i, &(gcode, qty1, cents))| {
                let mut item = template.clone();
                item.gnum = i as u32 + 1;
                item.gcode = gcode.into();
                item.qty = Decimal::ONE;
                item.qty1 = Decimal::from(qty1);
                item.price = Money::from_minor(cents, Currency::USD);
                item.total_price = Money::from_minor(cents, Currency::USD);
                item
            })
            .collect();
        let total: i64 = lines.iter().map(|l| l.2).sum();
        s.order.goods_value = Money::from_minor(total, Currency::USD);
        s
    }

    fn october_lists() -> Vec<ExportShipment> {
        let mut other_consignor = list("SO-7", "2026-10-05", &[("9405210000", 1, 3000)], 900, 700);
        other_consignor.consignor.ebc_code = "3301964J31".into();
        other_consignor.consignor.ebc_name = "杭州示例电子商务有限公司".into();
        let mut by_sea = list(
            "SO-8",
            "2026-10-06",
            &[("9405210000", 5, 10000)],
            5000,
            4000,
        );
        by_sea.declaration.transport_mode = chuhai_domain::customs::TransportMode::Waterway;
        let mut to_uk = list("SO-9", "2026-10-07", &[("9405210000", 1, 2000)], 800, 600);
        to_uk.declaration.destination_country = Country::GB;
        let mut b2b_list = list(
            "SO-10",
            "2026-10-08",
            &[("9405210000", 9, 9000)],
            9000,
            8000,
        );
        b2b_list.sale_kind = SaleKind::B2b;
        vec![
            // September: not counted.
            list("SO-1", "2026-09-30", &[("9405210000", 1, 2500)], 1000, 800),
            // October, same group twice, plus a second code in the first list.
            list(
                "SO-2",
                "2026-10-01",
                &[("9405210000", 2, 5000), ("8539520000", 4, 2500)],
                1800,
                1500,
            ),
            list(
                "SO-3",
                "2026-10-31",
                &[("9405.21.00.00", 3, 7500)],
                2000,
                1700,
            ),
            other_consignor,
            by_sea,
            to_uk,
            // A 9710 list in October: not part of the 9610 summary.
            b2b_list,
            // November: not counted.
            list("SO-11", "2026-11-01", &[("9405210000", 1, 2500)], 1000, 800),
        ]
    }

    #[test]
    fn the_summary_groups_one_months_9610_lists() {
        let rows = summarize(&october_lists(), (2026, 10)).unwrap();
        let keys: Vec<(&str, &str, &str, &str, u32)> = rows
            .iter()
            .map(|r| {
                (
                    r.ebc_code.as_str(),
                    r.transport_mode.code(),
                    r.destination_country.alpha2(),
                    r.gcode.as_str(),
                    r.list_count,
                )
            })
            .collect();
        assert_eq!(
            keys,
            [
                ("3301964J31", "5", "US", "9405210000", 1),
                ("4403960LUM", "2", "US", "9405210000", 1),
                ("4403960LUM", "5", "GB", "9405210000", 1),
                ("4403960LUM", "5", "US", "8539520000", 1),
                ("4403960LUM", "5", "US", "9405210000", 2),
            ]
        );
        let lamps = &rows[4];
        assert_eq!((lamps.year, lamps.month), (2026, 10));
        assert_eq!(lamps.ebc_name, "深圳市流明照明有限公司");
        assert_eq!(lamps.port_code, "5345");
        assert_eq!(lamps.currency, Currency::USD);
        assert_eq!(lamps.legal_unit, "007");
        assert_eq!(lamps.legal_qty, Decimal::from(5));
        assert_eq!(lamps.value, usd("125.00"));
        assert_eq!(lamps.order_nos, ["SO-2", "SO-3"]);
        // SO-2's 1800 g / 1500 g split 2:1 by value (50.00 and 25.00).
        assert_eq!(lamps.gross_weight_g, 1200 + 2000);
        assert_eq!(lamps.net_weight_g, 1000 + 1700);
        let bulbs = &rows[3];
        assert_eq!((bulbs.gross_weight_g, bulbs.net_weight_g), (600, 500));
        assert_eq!(bulbs.legal_qty, Decimal::from(4));

        // Input order does not matter.
        let mut reversed = october_lists();
        reversed.reverse();
        assert_eq!(summarize(&reversed, (2026, 10)).unwrap(), rows);
        // September holds one list; December none.
        assert_eq!(summarize(&october_lists(), (2026, 9)).unwrap().len(), 1);
        assert!(summarize(&october_lists(), (2026, 12)).unwrap().is_empty());
    }

    #[test]
    fn the_summary_renders_as_csv_xml_and_json() {
        let rows = summarize(&october_lists(), (2026, 10)).unwrap();
        let csv = summary_csv(&rows);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 1 + rows.len());
        assert_eq!(lines[0], CSV_HEADER.join(","));
        assert_eq!(
            lines[5],
            "2026-10,4403960LUM,深圳市流明照明有限公司,air,5,US,502,5345,9405210000,USD,502,007,5,125.00,3.200,2.700,2,SO-2 SO-3"
        );

        let xml = summary_xml(&rows, (2026, 10));
        check_well_formed(&xml).unwrap();
        assert!(xml.contains("<SummaryDeclarations month=\"2026-10\">"));
        assert_eq!(xml.matches("<SummaryDeclaration>").count(), 5);
        assert_eq!(texts(&xml, "orderNo").len(), 6);
        assert!(xml.contains("<country>303</country>"));
        assert!(xml.contains("<totalPrice>125.00</totalPrice>"));

        let json = serde_json::to_value(&rows[4]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "year": 2026, "month": 10, "ebc_code": "4403960LUM",
                "ebc_name": "深圳市流明照明有限公司", "transport_mode": "air",
                "destination_country": "US", "port_code": "5345", "gcode": "9405210000",
                "currency": "USD", "legal_unit": "007", "legal_qty": "5",
                "value": {"amount": "125.00", "currency": "USD"},
                "gross_weight_g": 3200, "net_weight_g": 2700, "list_count": 2,
                "order_nos": ["SO-2", "SO-3"]
            })
        );
    }

    fn arb_list() -> impl Strategy<Value = ExportShipment> {
        let line = (
            prop::sample::select(vec!["9405210000", "8539520000", "9405.42.10 00"]),
            0i64..50,
            0i64..5_000_000,
        );
        (
            prop::collection::vec(line, 1..5),
            prop::sample::select(vec!["2026-09-15", "2026-10-01", "2026-10-31"]),
            prop::sample::select(vec!["4403960LUM", "3301964J31"]),
            prop::bool::ANY,
            prop::bool::ANY,
            0u64..100_000,
            0u64..100_000,
            0u32..1_000_000,
        )
            .prop_map(|(lines, date, ebc, by_air, b2c, a, b, n)| {
                let lines: Vec<(&str, i64, i64)> = lines;
                let (gross, net) = (a.max(b), a.min(b));
                let mut s = list(&format!("SO-{n}"), date, &lines, gross, net);
                s.consignor.ebc_code = ebc.into();
                if !by_air {
                    s.declaration.transport_mode = chuhai_domain::customs::TransportMode::Road;
                }
                if !b2c {
                    s.sale_kind = SaleKind::B2b;
                }
                s
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn summary_totals_equal_the_sum_of_the_lists(mut lists in prop::collection::vec(arb_list(), 0..12)) {
            // Order numbers identify lists in the summary: make them unique.
            for (i, s) in lists.iter_mut().enumerate() {
                s.order.order_no = format!("{}-{i}", s.order.order_no);
            }
            let rows: Vec<SummaryDeclaration> = summarize(&lists, (2026, 10)).unwrap();
            let counted: Vec<&ExportShipment> = lists
                .iter()
                .filter(|s| s.sale_kind == SaleKind::B2c && s.declaration.export_date.month() == 10)
                .collect();
            let items = counted.iter().flat_map(|s| s.items.iter());
            let value: i64 = items.clone().map(|i| i.total_price.minor()).sum();
            let qty: Decimal = items.map(|i| i.qty1).sum();
            let gross: u64 = counted.iter().map(|s| s.logistics.gross_weight_g).sum();
            let net: u64 = counted.iter().map(|s| s.logistics.net_weight_g).sum();
            prop_assert_eq!(rows.iter().map(|r| r.value.minor()).sum::<i64>(), value);
            prop_assert_eq!(rows.iter().map(|r| r.legal_qty).sum::<Decimal>(), qty);
            prop_assert_eq!(rows.iter().map(|r| r.gross_weight_g).sum::<u64>(), gross);
            prop_assert_eq!(rows.iter().map(|r| r.net_weight_g).sum::<u64>(), net);
            // Every counted list appears, and only those.
            let mut seen: Vec<&str> = rows.iter().flat_map(|r| r.order_nos.iter().map(String::as_str)).collect();
            seen.sort_unstable();
            seen.dedup();
            let mut expected: Vec<&str> = counted.iter().map(|s| s.order.order_no.as_str()).collect();
            expected.sort_unstable();
            prop_assert_eq!(seen, expected);
            // A list counts once in each group it has lines in.
            let list_lines: usize = counted
                .iter()
                .map(|s| {
                    let mut codes: Vec<String> = s.items.iter().map(|i| i.gcode.replace(['.', ' '], "")).collect();
                    codes.sort();
                    codes.dedup();
                    codes.len()
                })
                .sum();
            prop_assert_eq!(rows.iter().map(|r| r.list_count as usize).sum::<usize>(), list_lines);
            // Rows come sorted and unique by their key.
            let keys: Vec<_> = rows
                .iter()
                .map(|r| (r.ebc_code.clone(), r.transport_mode, r.destination_country, r.port_code.clone(), r.gcode.clone(), r.currency, r.legal_unit.clone()))
                .collect();
            let mut sorted = keys.clone();
            sorted.sort();
            sorted.dedup();
            prop_assert_eq!(keys, sorted);
        }
    }
}
