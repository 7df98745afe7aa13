//! The inventory ledger: each entry type's effect, refusals, a property
//! test that caches kept by `apply`/`post` always equal the ledger folded
//! (and never go negative), FIFO ages, storage fees worked by hand, and
//! cycle counts.

// In a module so that `cargo test -p chuhai-domain inventory` selects these tests.
mod inventory {

    use std::collections::HashMap;

    use chuhai_domain::calendar::Date;
    use chuhai_domain::catalog::{Dimensions, Sku};
    use chuhai_domain::inventory::{
        age_profile, apply, count_sheet, daily_stock, fifo_layers, fifo_layers_by_key, fold,
        review_count, storage_invoice, storage_invoice_from_ledger, verify, AgeBucket, Balance,
        BillingMonth, BinCode, Bucket, BucketDelta, CountScope, CountedLine, CycleCount, EntryType,
        Hold, InvoiceScope, LedgerEntry, LedgerError, LocationKey, LotCode, ReasonCode, Reference,
        ReferenceKind, StockBook, StockKey, StorageFeeRules, StorageFeeSchedule, StorageFeeVersion,
        SurchargeTier, UtcOffset,
    };
    use chuhai_domain::money::{Currency, Money};
    use proptest::prelude::*;

    const DAY_MS: i64 = 86_400_000;

    fn key(seller: i64, sku: &str, warehouse: i64) -> StockKey {
        StockKey::new(seller, Sku::parse(sku).unwrap(), warehouse)
    }

    fn lamp() -> StockKey {
        key(3, "LAMP-01", 7)
    }

    fn manual() -> Reference {
        Reference::new(ReferenceKind::Manual, "M-1").unwrap()
    }

    fn reason(code: &str) -> ReasonCode {
        ReasonCode::parse(code).unwrap()
    }

    fn bin(code: &str) -> BinCode {
        BinCode::parse(code).unwrap()
    }

    /// Midnight UTC of `date` in ms, plus `hours`.
    fn at(date: &str, hours: i64) -> i64 {
        i64::from(Date::parse(date).unwrap().days_since_epoch()) * DAY_MS + hours * 3_600_000
    }

    /// A valid entry of type `t` for `k`: with a reason, a counterpart or a
    /// bin where the type needs one.
    fn entry_for(k: StockKey, t: EntryType, q: i64, when: i64) -> LedgerEntry {
        let mut e = LedgerEntry::new(k, t, q, manual(), when).with_user(Some(11));
        if t.needs_reason() {
            e = e.with_reason(reason("damaged_in_handling"));
        }
        if t.needs_counterpart() {
            e = e.with_counterpart(8);
        }
        if t.needs_bin() {
            e = e.with_bin(Some(bin("A-01")));
        }
        e
    }

    fn entry(t: EntryType, q: i64) -> LedgerEntry {
        entry_for(lamp(), t, q, 1_000)
    }

    fn delta(on_hand: i64, reserved: i64, in_transit: i64, damaged: i64) -> BucketDelta {
        BucketDelta {
            on_hand,
            reserved,
            in_transit,
            damaged,
        }
    }

    // ---- entry types and refusals ----

    #[test]
    fn each_entry_type_has_its_documented_effect() {
        use EntryType::*;
        let table = [
            (InTransitIn, delta(0, 0, 5, 0)),
            (InTransitCancel, delta(0, 0, -5, 0)),
            (InTransitReceipt, delta(5, 0, -5, 0)),
            (Receipt, delta(5, 0, 0, 0)),
            (Return, delta(5, 0, 0, 0)),
            (TransferIn, delta(5, 0, 0, 0)),
            (TransferOut, delta(-5, 0, 0, 0)),
            (Putaway, delta(0, 0, 0, 0)),
            (Pick, delta(0, 0, 0, 0)),
            (Reservation, delta(0, 5, 0, 0)),
            (Release, delta(0, -5, 0, 0)),
            (Commit, delta(-5, -5, 0, 0)),
            (Ship, delta(-5, 0, 0, 0)),
            (AdjustmentIn, delta(5, 0, 0, 0)),
            (AdjustmentOut, delta(-5, 0, 0, 0)),
            (CountCorrectionIn, delta(5, 0, 0, 0)),
            (CountCorrectionOut, delta(-5, 0, 0, 0)),
            (Damage, delta(-5, 0, 0, 5)),
            (Disposal, delta(0, 0, 0, -5)),
        ];
        assert_eq!(table.len(), EntryType::ALL.len());
        for (t, expected) in table {
            let e = entry(t, 5);
            e.validate().unwrap();
            assert_eq!(e.effect(), expected, "{t}");
            // Applied to a balance with room in every bucket, the effect is what changes.
            let start = Balance {
                on_hand: 100,
                reserved: 50,
                in_transit: 100,
                damaged: 100,
            };
            let mut b = start;
            apply(&mut b, &e).unwrap();
            assert_eq!(
                delta(
                    b.on_hand - start.on_hand,
                    b.reserved - start.reserved,
                    b.in_transit - start.in_transit,
                    b.damaged - start.damaged
                ),
                expected,
                "{t}"
            );
        }
        // Available moves with on_hand and against reserved; commit keeps it.
        assert_eq!(entry(Commit, 5).effect().available(), 0);
        assert_eq!(entry(Reservation, 5).effect().available(), -5);
        assert_eq!(entry(Damage, 5).effect().physical(), 0);
    }

    fn field_of(e: &LedgerEntry) -> Option<String> {
        e.validate()
            .err()
            .and_then(|err| err.field().map(str::to_owned))
    }

    #[test]
    fn refuses_bad_entries_naming_the_field() {
        use EntryType::*;
        let mut zero = entry(Receipt, 0);
        assert_eq!(field_of(&zero).as_deref(), Some("quantity"));
        zero.quantity = -3;
        let err = zero.validate().unwrap_err();
        assert_eq!(
            err.to_string(),
            "quantity: -3 must be positive; the entry type gives the sign"
        );
        assert_eq!(err.code(), "invalid_input");
        assert_eq!(
            field_of(&entry(Receipt, LedgerEntry::MAX_QUANTITY + 1)).as_deref(),
            Some("quantity")
        );
        for t in [
            AdjustmentIn,
            AdjustmentOut,
            CountCorrectionIn,
            CountCorrectionOut,
            Damage,
            Disposal,
        ] {
            let mut e = entry(t, 1);
            e.reason_code = None;
            let err = e.validate().unwrap_err();
            assert_eq!(err.field(), Some("reason_code"), "{t}");
            assert!(err.to_string().contains(t.as_str()), "{err}");
        }
        for t in [TransferIn, TransferOut] {
            let mut e = entry(t, 1);
            e.counterpart_warehouse = None;
            assert_eq!(field_of(&e).as_deref(), Some("counterpart_warehouse"));
            e.counterpart_warehouse = Some(7);
            let err = e.validate().unwrap_err();
            assert!(err.to_string().contains("to itself"), "{err}");
        }
        assert_eq!(
            field_of(&entry(Receipt, 1).with_counterpart(8)).as_deref(),
            Some("counterpart_warehouse")
        );
        for t in [Putaway, Pick] {
            let e = entry(t, 1).with_bin(None);
            assert_eq!(field_of(&e).as_deref(), Some("bin"), "{t}");
        }
        for t in [Reservation, Release, InTransitIn, InTransitCancel] {
            let e = entry(t, 1).with_bin(Some(bin("A-01")));
            assert_eq!(field_of(&e).as_deref(), Some("bin"), "{t}");
            let lot = LotCode::parse("L1").unwrap();
            let e = entry(t, 1).with_lot(Some(lot));
            assert_eq!(field_of(&e).as_deref(), Some("lot"), "{t}");
        }
        let mut e = entry(Receipt, 1);
        e.reference.id = String::new();
        assert_eq!(field_of(&e).as_deref(), Some("reference.id"));
        let mut e = entry(Receipt, 1);
        e.at = -1;
        assert_eq!(field_of(&e).as_deref(), Some("at"));
        let mut e = entry(Receipt, 1);
        e.key.seller = 0;
        assert_eq!(field_of(&e).as_deref(), Some("seller"));
        let e = entry(Receipt, 1).with_user(Some(0));
        assert_eq!(field_of(&e).as_deref(), Some("user"));
        // apply validates too, and changes nothing.
        let mut b = Balance::default();
        assert!(apply(&mut b, &entry(Receipt, 0)).is_err());
        assert_eq!(b, Balance::default());
    }

    #[test]
    fn refuses_what_would_go_below_zero() {
        use EntryType::*;
        let mut b = Balance::default();
        apply(&mut b, &entry(Receipt, 10)).unwrap();
        apply(&mut b, &entry(Reservation, 7)).unwrap();
        let cases = [
            (entry(Reservation, 4), Bucket::Available, 3),
            (entry(Ship, 4), Bucket::Available, 3),
            (entry(TransferOut, 4), Bucket::Available, 3),
            (entry(AdjustmentOut, 4), Bucket::Available, 3),
            (entry(Damage, 4), Bucket::Available, 3),
            (entry(Release, 8), Bucket::Reserved, 7),
            (entry(Commit, 8), Bucket::Reserved, 7),
            (entry(InTransitReceipt, 1), Bucket::InTransit, 0),
            (entry(InTransitCancel, 1), Bucket::InTransit, 0),
            (entry(Disposal, 1), Bucket::Damaged, 0),
        ];
        for (e, bucket, have) in cases {
            let before = b;
            match apply(&mut b, &e) {
                Err(LedgerError::Insufficient {
                    bucket: got,
                    have: got_have,
                    need,
                    reason,
                }) => {
                    assert_eq!(
                        (got, got_have, need),
                        (bucket, have, e.quantity),
                        "{reason}"
                    );
                    assert!(reason.contains("LAMP-01"), "{reason}");
                }
                other => panic!("{}: {other:?}", e.entry_type),
            }
            assert_eq!(b, before);
        }
        // Exactly what is available is fine.
        apply(&mut b, &entry(Reservation, 3)).unwrap();
        assert_eq!(b.available(), 0);
        apply(&mut b, &entry(Commit, 10)).unwrap();
        assert_eq!(b, Balance::default());
    }

    #[test]
    fn two_hundred_holds_on_the_last_fifty_units() {
        // The rule the store's conditional update enforces: of 200 requests
        // for one unit on 50 available, exactly 50 succeed.
        let mut b = Balance::default();
        apply(&mut b, &entry(EntryType::Receipt, 50)).unwrap();
        let mut ledger = vec![entry(EntryType::Receipt, 50)];
        let mut placed = 0;
        for i in 0..200 {
            let reference = Reference::new(ReferenceKind::Checkout, format!("C-{i}")).unwrap();
            let (_, e) = Hold::place(lamp(), 1, reference, None, 2_000 + i, Some(900_000)).unwrap();
            if apply(&mut b, &e).is_ok() {
                placed += 1;
                ledger.push(e);
            }
        }
        assert_eq!(placed, 50);
        assert_eq!((b.reserved, b.available()), (50, 0));
        assert_eq!(fold(&ledger)[&lamp()], b);
    }

    #[test]
    fn an_inbound_shipment_moves_from_in_transit_to_available() {
        use EntryType::*;
        let asn = Reference::new(ReferenceKind::Asn, "ASN-2026-0042").unwrap();
        let post = |t, q| LedgerEntry::new(lamp(), t, q, asn.clone(), 1_000);
        let mut book = StockBook::new();
        // 100 shipped; 96 arrive, 1 of them broken, 2 over the ASN, 4 short.
        let steps = [
            post(InTransitIn, 100),
            post(InTransitReceipt, 96),
            post(Receipt, 2),
            post(InTransitCancel, 4),
            post(Damage, 1).with_reason(reason("damaged_on_arrival")),
            post(Putaway, 90).with_bin(Some(bin("A-01"))),
        ];
        for e in &steps {
            book.post(e).unwrap();
        }
        let b = book.balance(&lamp());
        assert_eq!(
            (b.on_hand, b.in_transit, b.damaged, b.available()),
            (97, 0, 1, 97)
        );
        let at_bin = |code: Option<&str>| LocationKey {
            stock: lamp(),
            bin: code.map(bin),
            lot: None,
        };
        assert_eq!(book.units_at(&at_bin(Some("A-01"))), 90);
        assert_eq!(book.units_at(&at_bin(None)), 8);
        assert!(verify(book.balances(), &steps).is_empty());
    }

    // ---- the property: caches equal the folded ledger, never negative ----

    const SKUS: [&str; 2] = ["LAMP-01", "LAMP-02"];
    const BINS: [Option<&str>; 3] = [None, Some("A-01"), Some("B-02")];

    /// How many units an operation moves.
    #[derive(Debug, Clone, Copy)]
    enum Size {
        /// Some of what the current stock allows (1 when it allows none).
        Fit(u32),
        /// Exactly this, whatever the stock: often refused.
        Raw(i64),
    }

    #[derive(Debug, Clone)]
    struct Op {
        entry_type: EntryType,
        seller: i64,
        sku: usize,
        warehouse: i64,
        bin: usize,
        lot: bool,
        size: Size,
        with_reason: bool,
        hours_later: i64,
    }

    /// Mostly one seller and quantities that fit the stock, so that every
    /// type gets posted; now and then a raw quantity (zero, negative or too
    /// many), a missing reason or another seller, to be refused.
    fn any_op() -> impl Strategy<Value = Op> {
        (
            proptest::sample::select(EntryType::ALL.to_vec()),
            prop_oneof![4 => Just(1i64), 1 => Just(2i64)],
            0usize..SKUS.len(),
            1i64..=2,
            prop_oneof![3 => Just(0usize), 1 => Just(1usize), 1 => Just(2usize)],
            proptest::bool::weighted(0.1),
            prop_oneof![
                4 => any::<u32>().prop_map(Size::Fit),
                1 => (-1i64..=30).prop_map(Size::Raw),
            ],
            proptest::bool::weighted(0.95),
            0i64..=30,
        )
            .prop_map(
                |(entry_type, seller, sku, warehouse, bin, lot, size, with_reason, hours)| Op {
                    entry_type,
                    seller,
                    sku,
                    warehouse,
                    bin,
                    lot,
                    size,
                    with_reason,
                    hours_later: hours,
                },
            )
    }

    /// Receipts and in-transit entries more often, so that later entries
    /// find stock to act on.
    fn any_ops() -> impl Strategy<Value = Vec<Op>> {
        let inbound = (any_op(), any::<bool>()).prop_map(|(mut op, transit)| {
            op.entry_type = if transit {
                EntryType::InTransitIn
            } else {
                EntryType::Receipt
            };
            op
        });
        proptest::collection::vec(prop_oneof![3 => any_op(), 1 => inbound], 1..80)
    }

    /// The most units of `e`'s type the book allows at `e`'s key and location.
    fn room(book: &StockBook, e: &LedgerEntry) -> i64 {
        use EntryType::*;
        let b = book.balance(&e.key);
        let here = book.units_at(&LocationKey::of(e));
        let unlocated = book.units_at(&LocationKey {
            bin: None,
            ..LocationKey::of(e)
        });
        match e.entry_type {
            InTransitIn | Receipt | Return | TransferIn | AdjustmentIn | CountCorrectionIn => 25,
            InTransitReceipt | InTransitCancel => b.in_transit,
            Reservation | Damage => b.available(),
            Release => b.reserved,
            Commit => b.reserved.min(here),
            TransferOut | Ship | AdjustmentOut | CountCorrectionOut => b.available().min(here),
            Disposal => b.damaged.min(here),
            Putaway => unlocated,
            Pick => here,
        }
    }

    fn build(op: &Op, when: i64, book: &StockBook) -> LedgerEntry {
        let k = key(op.seller, SKUS[op.sku], op.warehouse);
        let mut e = LedgerEntry::new(k, op.entry_type, 0, manual(), when)
            .with_bin(BINS[op.bin].map(bin))
            .with_lot(op.lot.then(|| LotCode::parse("L1").unwrap()));
        if op.with_reason {
            e = e.with_reason(reason("found"));
        }
        if op.entry_type.needs_counterpart() {
            e = e.with_counterpart(3 - op.warehouse);
        }
        e.quantity = match op.size {
            Size::Fit(n) => {
                if op.entry_type.is_warehouse_level() {
                    e.bin = None;
                    e.lot = None;
                }
                1 + i64::from(n) % room(book, &e).max(1)
            }
            Size::Raw(q) => q,
        };
        e
    }

    fn assert_never_negative(book: &StockBook) {
        for (k, b) in book.balances() {
            assert!(
                b.on_hand >= 0
                    && b.reserved >= 0
                    && b.in_transit >= 0
                    && b.damaged >= 0
                    && b.available() >= 0,
                "{k}: {b:?}"
            );
        }
        for (location, &units) in book.locations() {
            assert!(units >= 0, "{location:?}: {units}");
        }
    }

    proptest! {
        #[test]
        fn caches_always_equal_the_folded_ledger(ops in any_ops()) {
            let mut book = StockBook::new();
            let mut cache: HashMap<StockKey, Balance> = HashMap::new();
            let mut ledger: Vec<LedgerEntry> = Vec::new();
            let mut when = at("2026-01-01", 0);
            for op in &ops {
                when += op.hours_later * 3_600_000;
                let e = build(op, when, &book);
                // A transfer out is posted with its transfer in, or not at all.
                let pair = (op.entry_type == EntryType::TransferOut).then(|| {
                    let mut incoming = e.clone();
                    incoming.entry_type = EntryType::TransferIn;
                    incoming.key.warehouse = 3 - op.warehouse;
                    incoming.counterpart_warehouse = Some(op.warehouse);
                    incoming
                });
                let mut cached = cache.get(&e.key).copied().unwrap_or_default();
                let by_apply = apply(&mut cached, &e);
                match book.post(&e) {
                    Ok(()) => {
                        prop_assert!(by_apply.is_ok(), "apply refused what post took: {by_apply:?}");
                        cache.insert(e.key.clone(), cached);
                        ledger.push(e);
                        if let Some(incoming) = pair {
                            book.post(&incoming).unwrap();
                            let b = cache.entry(incoming.key.clone()).or_default();
                            apply(b, &incoming).unwrap();
                            ledger.push(incoming);
                        }
                    }
                    Err(LedgerError::Insufficient { bucket: Bucket::Location, .. }) => {
                        // Bins are the book's concern; balances may allow it.
                    }
                    Err(err) => prop_assert_eq!(by_apply, Err(err)),
                }
                assert_never_negative(&book);
            }
            prop_assert!(verify(&cache, &ledger).is_empty());
            prop_assert_eq!(&fold(&ledger), book.balances());
            prop_assert_eq!(&StockBook::from_ledger(&ledger), &book);
            // FIFO layers hold exactly the physical units of every key.
            let layers = fifo_layers_by_key(&ledger, UtcOffset::UTC).unwrap();
            for (k, b) in book.balances() {
                let units: i64 = layers.get(k).map_or(0, |ls| ls.iter().map(|l| l.quantity).sum());
                prop_assert_eq!(units, b.physical(), "{}", k);
            }
        }

        #[test]
        fn storage_invoices_add_up(ops in any_ops(), free_days in 0u32..40, minor in 0i64..200) {
            let mut book = StockBook::new();
            let mut ledger = Vec::new();
            let mut when = at("2026-09-20", 0);
            for op in &ops {
                when += op.hours_later * 3_600_000;
                let mut op = op.clone();
                op.seller = 1;
                op.warehouse = 1;
                if op.entry_type.needs_counterpart() {
                    continue;
                }
                let e = build(&op, when, &book);
                if book.post(&e).is_ok() {
                    ledger.push(e);
                }
            }
            let usd = |m| Money::from_minor(m, Currency::USD);
            let rules = StorageFeeRules::new(usd(minor), free_days, vec![SurchargeTier {
                from_age_days: 20,
                price_per_m3_day: usd(7),
            }]).unwrap();
            let sizes: HashMap<Sku, Dimensions> = SKUS.iter().map(|s| {
                (Sku::parse(s).unwrap(), Dimensions::new(333, 250, 170).unwrap())
            }).collect();
            let scope = InvoiceScope { seller: 1, warehouse: 1, month: BillingMonth::parse("2026-10").unwrap() };
            let invoice = storage_invoice_from_ledger(scope, &ledger, UtcOffset::UTC, &always(&rules), &sizes).unwrap();
            let sum: i64 = invoice.lines.iter().map(|l| l.total.minor()).sum();
            prop_assert_eq!(invoice.total.minor(), sum);
            for line in &invoice.lines {
                prop_assert_eq!(line.base_fee.checked_add(line.surcharge).unwrap(), line.total);
                prop_assert!(line.m3_days >= line.chargeable_m3_days);
                prop_assert!(line.chargeable_m3_days >= line.surcharge_m3_days);
                prop_assert!(!line.total.is_negative());
            }
        }
    }

    // ---- FIFO age ----

    #[test]
    fn fifo_age_with_partial_consumption() {
        use EntryType::*;
        let on = |date: &str, t: EntryType, q| entry_for(lamp(), t, q, at(date, 10));
        let ledger = [
            on("2026-01-10", Receipt, 10),
            on("2026-06-01", InTransitReceipt, 5),
            on("2026-10-01", Receipt, 8),
            // Takes all 10 of January and 2 of June.
            on("2026-10-05", Ship, 12),
            // Damage leaves the layers alone; disposal takes the oldest (June).
            on("2026-10-06", Damage, 1),
            on("2026-10-07", Disposal, 1),
            // A return starts a new layer.
            on("2026-10-20", Return, 1),
            // Reservations and in-transit units are not aged.
            on("2026-10-21", Reservation, 4),
            on("2026-10-21", InTransitIn, 50),
        ];
        // Not a valid ledger by itself (in_transit_receipt before in_transit_in),
        // but ages follow physical units whatever the order of the others.
        let layers = fifo_layers(&ledger, UtcOffset::UTC).unwrap();
        let summary: Vec<_> = layers
            .iter()
            .map(|l| (l.received_on.to_string(), l.quantity))
            .collect();
        assert_eq!(
            summary,
            [
                ("2026-06-01".to_owned(), 2),
                ("2026-10-01".to_owned(), 8),
                ("2026-10-20".to_owned(), 1),
            ]
        );
        // On 2026-10-31: June 1 is 152 days old, October 1 is 30, October 20 is 11.
        let profile = age_profile(&layers, Date::parse("2026-10-31").unwrap());
        assert_eq!(AgeBucket::ALL.map(|b| profile.get(b)), [9, 0, 2, 0, 0]);
        // A day later the October 1 layer is 31 days old.
        let profile = age_profile(&layers, Date::parse("2026-11-01").unwrap());
        assert_eq!(AgeBucket::ALL.map(|b| profile.get(b)), [1, 8, 2, 0, 0]);
        let json = serde_json::to_value(profile).unwrap();
        assert_eq!(json["days_31_90"], 8);
    }

    #[test]
    fn fifo_refuses_a_self_contradicting_ledger_and_mixed_keys() {
        let ship = entry_for(lamp(), EntryType::Ship, 3, 1_000);
        let err = fifo_layers([&ship], UtcOffset::UTC).unwrap_err();
        assert_eq!(err.code(), "ledger_inconsistent");
        assert!(err.to_string().contains("entries[0]"), "{err}");
        let a = entry_for(lamp(), EntryType::Receipt, 3, 1_000);
        let b = entry_for(key(3, "LAMP-02", 7), EntryType::Receipt, 3, 1_000);
        let err = fifo_layers([&a, &b], UtcOffset::UTC).unwrap_err();
        assert_eq!(err.field(), Some("entries[1]"));
    }

    // ---- storage fees, worked by hand ----

    fn usd(minor: i64) -> Money {
        Money::from_minor(minor, Currency::USD)
    }

    /// 0.45 USD per m³ per day, 30 free days, +0.10 from age 181, +0.30 from age 366.
    fn la_rules() -> StorageFeeRules {
        StorageFeeRules::new(
            usd(45),
            30,
            vec![
                SurchargeTier {
                    from_age_days: 181,
                    price_per_m3_day: usd(10),
                },
                SurchargeTier {
                    from_age_days: 366,
                    price_per_m3_day: usd(30),
                },
            ],
        )
        .unwrap()
    }

    /// One version of `rules`, in force long before any test date.
    fn always(rules: &StorageFeeRules) -> StorageFeeSchedule {
        StorageFeeSchedule::from_day(Date::parse("2000-01-01").unwrap(), rules.clone())
    }

    fn october() -> BillingMonth {
        BillingMonth::parse("2026-10").unwrap()
    }

    #[test]
    fn storage_invoice_worked_by_hand() {
        use EntryType::*;
        let lamp1 = key(3, "LAMP-01", 7);
        let lamp2 = key(3, "LAMP-02", 7);
        let on = |k: &StockKey, date: &str, t, q| entry_for(k.clone(), t, q, at(date, 9));
        let ledger = [
            // LAMP-01, 500 × 400 × 300 mm = 0.06 m³ a unit.
            on(&lamp1, "2026-04-20", Receipt, 10), // layer A: age 164 on Oct 1
            on(&lamp2, "2025-09-01", Receipt, 3),  // LAMP-02: age 395 on Oct 1
            on(&lamp1, "2026-09-05", Receipt, 5),  // layer C: age 26 on Oct 1
            on(&lamp1, "2026-10-10", Receipt, 20), // layer B: ages 0–21 in October
            on(&lamp1, "2026-10-15", Ship, 4),     // FIFO: A 10 → 6
            on(&lamp2, "2026-10-21", TransferOut, 3),
            // November: outside the invoice.
            on(&lamp1, "2026-11-02", Receipt, 99),
        ];
        let sizes: HashMap<Sku, Dimensions> = [
            (lamp1.sku.clone(), Dimensions::new(500, 400, 300).unwrap()),
            // LAMP-02, 200 × 200 × 250 mm = 0.01 m³ a unit.
            (lamp2.sku.clone(), Dimensions::new(200, 200, 250).unwrap()),
        ]
        .into_iter()
        .collect();
        let scope = InvoiceScope {
            seller: 3,
            warehouse: 7,
            month: october(),
        };
        let invoice = storage_invoice_from_ledger(
            scope,
            &ledger,
            UtcOffset::UTC,
            &always(&la_rules()),
            &sizes,
        )
        .unwrap();
        assert_eq!(invoice.currency, Currency::USD);
        assert_eq!(invoice.lines.len(), 2);

        // LAMP-01 (0.06 m³ a unit):
        //   A: 10 units Oct 1–14 (14 days) + 6 units Oct 15–31 (17 days)
        //      = 140 + 102 = 242 unit-days = 14.52 m³-days, all past the free days.
        //      Age 181 is reached on Oct 18: 6 units × 14 days × 0.06 = 5.04 m³-days surcharged at 0.10.
        //   C: 5 units all 31 days = 155 unit-days = 9.3 m³-days; ages 26–29 (Oct 1–4) free,
        //      so 5 × 27 × 0.06 = 8.1 m³-days charged.
        //   B: 20 units Oct 10–31 (22 days) = 440 unit-days = 26.4 m³-days, ages 0–21: all free.
        //   m³-days 14.52 + 9.3 + 26.4 = 50.22; charged 14.52 + 8.1 = 22.62.
        //   base 22.62 × 0.45 = 10.179; surcharge 5.04 × 0.10 = 0.504; exact 10.683 → 10.68.
        //   Split of 10.68 by 10.179 : 0.504 → 10.18 + 0.50.
        let l1 = &invoice.lines[0];
        assert_eq!(l1.sku.as_str(), "LAMP-01");
        assert_eq!(l1.unit_volume_m3.to_string(), "0.06");
        assert_eq!(l1.days_with_stock, 31);
        assert_eq!(l1.unit_days, 242 + 155 + 440);
        assert_eq!(l1.m3_days.to_string(), "50.22");
        assert_eq!(l1.chargeable_m3_days.to_string(), "22.62");
        assert_eq!(l1.surcharge_m3_days.to_string(), "5.04");
        assert_eq!(l1.total, usd(1068));
        assert_eq!(l1.base_fee, usd(1018));
        assert_eq!(l1.surcharge, usd(50));

        // LAMP-02 (0.01 m³ a unit): 3 units Oct 1–20 (transferred out on the 21st),
        //   60 unit-days = 0.6 m³-days, ages 395–414: base 0.6 × 0.45 = 0.27 and
        //   the 366 tier (not the 181 one as well) 0.6 × 0.30 = 0.18; total 0.45.
        let l2 = &invoice.lines[1];
        assert_eq!(l2.sku.as_str(), "LAMP-02");
        assert_eq!((l2.days_with_stock, l2.unit_days), (20, 60));
        assert_eq!(l2.m3_days.to_string(), "0.6");
        assert_eq!(l2.surcharge_m3_days.to_string(), "0.6");
        assert_eq!(
            (l2.base_fee, l2.surcharge, l2.total),
            (usd(27), usd(18), usd(45))
        );

        // Invoice total = 10.68 + 0.45.
        assert_eq!(invoice.total, usd(1113));

        // The same from the daily snapshots, and JSON with exact strings.
        let days = daily_stock(&ledger, october(), UtcOffset::UTC).unwrap();
        assert_eq!(days.first().unwrap().date.to_string(), "2026-10-01");
        assert_eq!(
            storage_invoice(scope, &days, &always(&la_rules()), &sizes).unwrap(),
            invoice
        );
        let json = serde_json::to_value(&invoice).unwrap();
        assert_eq!(json["month"], "2026-10");
        assert_eq!(json["total"]["amount"], "11.13");
        assert_eq!(json["lines"][0]["m3_days"], "50.22");
    }

    #[test]
    fn a_price_change_mid_month_prices_each_day_by_its_version() {
        // 2 units of 0.06 m³ = 0.12 m³ held all October, no free days.
        // 0.45 per m³-day Oct 1–15 (15 days): 0.12 × 15 × 0.45 = 0.81;
        // 0.60 from Oct 16 (16 days): 0.12 × 16 × 0.60 = 1.152; exact 1.962 → 1.96.
        let version = |from: &str, minor| StorageFeeVersion {
            valid_from: Date::parse(from).unwrap(),
            rules: StorageFeeRules::new(usd(minor), 0, vec![]).unwrap(),
        };
        let schedule =
            StorageFeeSchedule::new(vec![version("2026-10-16", 60), version("2026-01-01", 45)])
                .unwrap();
        let ledger = [entry_for(
            lamp(),
            EntryType::Receipt,
            2,
            at("2026-09-01", 9),
        )];
        let sizes: HashMap<Sku, Dimensions> =
            [(lamp().sku.clone(), Dimensions::new(500, 400, 300).unwrap())]
                .into_iter()
                .collect();
        let scope = InvoiceScope {
            seller: 3,
            warehouse: 7,
            month: october(),
        };
        let invoice =
            storage_invoice_from_ledger(scope, &ledger, UtcOffset::UTC, &schedule, &sizes).unwrap();
        assert_eq!(invoice.lines[0].total, usd(196));
        assert_eq!(
            invoice.rule_versions,
            vec![
                Date::parse("2026-01-01").unwrap(),
                Date::parse("2026-10-16").unwrap()
            ]
        );
        // Before the first version, days are not charged: from Oct 16 only,
        // 0.12 × 16 × 0.60 = 1.152 → 1.15.
        let late = StorageFeeSchedule::new(vec![version("2026-10-16", 60)]).unwrap();
        let invoice =
            storage_invoice_from_ledger(scope, &ledger, UtcOffset::UTC, &late, &sizes).unwrap();
        assert_eq!(invoice.lines[0].total, usd(115));
        assert_eq!(invoice.lines[0].chargeable_m3_days.to_string(), "1.92");
        assert_eq!(invoice.lines[0].m3_days.to_string(), "3.72");
        // No version at all: refused, naming the rules.
        let none = StorageFeeSchedule::default();
        let err =
            storage_invoice_from_ledger(scope, &ledger, UtcOffset::UTC, &none, &sizes).unwrap_err();
        assert_eq!(err.field(), Some("rules"));
    }

    #[test]
    fn storage_fee_rounds_half_up_once_per_line() {
        // 1 unit of 0.01 m³ for one day at 0.50 = 0.005 USD exactly: half up → 0.01
        // (half to even would give 0.00). Two such SKUs → two lines of 0.01, total 0.02,
        // where rounding the invoice as a whole would also give 0.01.
        let rules = StorageFeeRules::new(usd(50), 0, vec![]).unwrap();
        let size = Dimensions::new(200, 200, 250).unwrap();
        let a = key(3, "CUP-A", 7);
        let b = key(3, "CUP-B", 7);
        let ledger = [
            entry_for(a.clone(), EntryType::Receipt, 1, at("2026-10-31", 8)),
            entry_for(b.clone(), EntryType::Receipt, 1, at("2026-10-31", 8)),
        ];
        let sizes: HashMap<Sku, Dimensions> = [(a.sku, size), (b.sku, size)].into_iter().collect();
        let scope = InvoiceScope {
            seller: 3,
            warehouse: 7,
            month: october(),
        };
        let invoice =
            storage_invoice_from_ledger(scope, &ledger, UtcOffset::UTC, &always(&rules), &sizes)
                .unwrap();
        assert!(invoice.lines.iter().all(|l| l.total == usd(1)));
        assert_eq!(invoice.total, usd(2));
    }

    #[test]
    fn the_warehouse_day_decides_what_is_billed() {
        // Received at 2026-10-31T20:00Z: in Los Angeles (−07:00) that is still
        // October 31 (one day charged); in Shanghai (+08:00) it is November 1.
        let rules = StorageFeeRules::new(usd(100), 0, vec![]).unwrap();
        let size = Dimensions::new(1000, 1000, 1000).unwrap(); // 1 m³
        let ledger = [entry_for(
            lamp(),
            EntryType::Receipt,
            1,
            at("2026-10-31", 20),
        )];
        let sizes: HashMap<Sku, Dimensions> = [(lamp().sku, size)].into_iter().collect();
        let scope = InvoiceScope {
            seller: 3,
            warehouse: 7,
            month: october(),
        };
        let la = UtcOffset::from_minutes(-420).unwrap();
        let shanghai = UtcOffset::from_minutes(480).unwrap();
        let billed = |offset| {
            storage_invoice_from_ledger(scope, &ledger, offset, &always(&rules), &sizes)
                .unwrap()
                .total
        };
        assert_eq!(billed(la), usd(100));
        assert_eq!(billed(shanghai), usd(0));

        // Received and shipped on the same day: never held at a day's end, not billed.
        let same_day = [
            entry_for(lamp(), EntryType::Receipt, 5, at("2026-10-12", 9)),
            entry_for(lamp(), EntryType::Ship, 5, at("2026-10-12", 16)),
        ];
        let invoice =
            storage_invoice_from_ledger(scope, &same_day, UtcOffset::UTC, &always(&rules), &sizes)
                .unwrap();
        assert!(invoice.lines.is_empty());
        assert_eq!(invoice.total, usd(0));
    }

    #[test]
    fn storage_invoice_refusals_name_the_problem() {
        let ledger = [entry_for(
            lamp(),
            EntryType::Receipt,
            1,
            at("2026-10-01", 8),
        )];
        let scope = InvoiceScope {
            seller: 3,
            warehouse: 7,
            month: october(),
        };
        let err = storage_invoice_from_ledger(
            scope,
            &ledger,
            UtcOffset::UTC,
            &always(&la_rules()),
            &HashMap::new(),
        )
        .unwrap_err();
        assert_eq!(err.field(), Some("dimensions"));
        assert!(err.to_string().contains("LAMP-01"), "{err}");
        let other = [
            ledger[0].clone(),
            entry_for(
                key(4, "LAMP-01", 7),
                EntryType::Receipt,
                1,
                at("2026-10-01", 9),
            ),
        ];
        let err = daily_stock(&other, october(), UtcOffset::UTC).unwrap_err();
        assert_eq!(err.field(), Some("entries[1]"));
        let days = daily_stock(&ledger, october(), UtcOffset::UTC).unwrap();
        let wrong = InvoiceScope {
            month: BillingMonth::parse("2026-11").unwrap(),
            ..scope
        };
        let sizes: HashMap<Sku, Dimensions> = [(lamp().sku, Dimensions::new(1, 1, 1).unwrap())]
            .into_iter()
            .collect();
        let err = storage_invoice(wrong, &days, &always(&la_rules()), &sizes).unwrap_err();
        assert_eq!(err.field(), Some("days[0].date"));
    }

    // ---- cycle counts ----

    /// Seller 3's LAMP-01 (10 in A-01, 4 in B-02, 2 reserved) and LAMP-02
    /// (5 in A-01), and seller 4's MUG-01 (6 in A-01), all at warehouse 7.
    fn counted_warehouse() -> StockBook {
        use EntryType::*;
        let mut book = StockBook::new();
        let put = |k: &StockKey, q, code: &str| {
            [
                entry_for(k.clone(), Receipt, q, 1_000),
                entry_for(k.clone(), Putaway, q, 1_000).with_bin(Some(bin(code))),
            ]
        };
        let mug = key(4, "MUG-01", 7);
        let lamp2 = key(3, "LAMP-02", 7);
        for e in put(&lamp(), 10, "A-01")
            .into_iter()
            .chain(put(&lamp(), 4, "B-02"))
            .chain(put(&lamp2, 5, "A-01"))
            .chain(put(&mug, 6, "A-01"))
            .chain([entry_for(lamp(), Reservation, 2, 1_000)])
        {
            book.post(&e).unwrap();
        }
        book
    }

    fn line(seller: i64, sku: &str, code: &str, counted: i64) -> CountedLine {
        CountedLine {
            seller,
            sku: Sku::parse(sku).unwrap(),
            bin: Some(bin(code)),
            lot: None,
            counted,
        }
    }

    #[test]
    fn a_bin_count_posts_the_differences() {
        let book = counted_warehouse();
        let scope = CountScope::Bin {
            warehouse: 7,
            bin: Some(bin("A-01")),
        };
        let blind = count_sheet(&scope, &book, true);
        assert_eq!(blind.len(), 3);
        assert!(blind.iter().all(|l| l.expected.is_none()));
        let open = count_sheet(&scope, &book, false);
        let expected: Vec<_> = open
            .iter()
            .map(|l| (l.location.stock.sku.as_str(), l.expected))
            .collect();
        assert_eq!(
            expected,
            [
                ("LAMP-01", Some(10)),
                ("LAMP-02", Some(5)),
                ("MUG-01", Some(6))
            ]
        );

        // Counted: LAMP-01 9 (one missing), MUG-01 8 (two found), LAMP-02 not
        // reported (taken as 0), and a stray LAMP-03 of seller 3 (found).
        let count = CycleCount {
            id: "CC-2026-10-001".into(),
            scope,
            blind: true,
            lines: vec![
                line(3, "LAMP-01", "A-01", 9),
                line(4, "MUG-01", "a-01", 8),
                line(3, "LAMP-03", "A-01", 1),
            ],
        };
        let review = review_count(&count, &book, Some(11), 5_000).unwrap();
        let summary: Vec<_> = review
            .lines
            .iter()
            .map(|l| {
                (
                    l.location.stock.sku.as_str(),
                    l.expected,
                    l.counted,
                    l.difference,
                    l.reported,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("LAMP-01", 10, 9, -1, true),
                ("LAMP-02", 5, 0, -5, false),
                ("LAMP-03", 0, 1, 1, true),
                ("MUG-01", 6, 8, 2, true),
            ]
        );
        let corrections: Vec<_> = review
            .corrections
            .iter()
            .map(|e| (e.key.sku.as_str(), e.entry_type, e.quantity))
            .collect();
        assert_eq!(
            corrections,
            [
                ("LAMP-03", EntryType::CountCorrectionIn, 1),
                ("MUG-01", EntryType::CountCorrectionIn, 2),
                ("LAMP-01", EntryType::CountCorrectionOut, 1),
                ("LAMP-02", EntryType::CountCorrectionOut, 5),
            ]
        );
        for e in &review.corrections {
            e.validate().unwrap();
            assert_eq!(e.reason_code.as_ref().unwrap().as_str(), "cycle_count");
            assert_eq!(e.reference.kind, ReferenceKind::CycleCount);
            assert_eq!(e.reference.id, "CC-2026-10-001");
            assert_eq!(e.bin, Some(bin("A-01")));
            assert_eq!((e.user, e.at), (Some(11), 5_000));
        }
        assert!(review.can_post() && !review.matches());

        // Posting the reviewed corrections makes the book agree with the count.
        let mut after = book.clone();
        for e in &review.corrections {
            after.post(e).unwrap();
        }
        let recount = review_count(
            &CycleCount {
                lines: vec![
                    line(3, "LAMP-01", "A-01", 9),
                    line(4, "MUG-01", "A-01", 8),
                    line(3, "LAMP-03", "A-01", 1),
                ],
                ..count.clone()
            },
            &after,
            Some(11),
            6_000,
        )
        .unwrap();
        assert!(recount.matches());
        assert_eq!(after.balance(&lamp()).on_hand, 13);
    }

    #[test]
    fn a_sku_count_flags_missing_units_that_are_reserved() {
        let book = counted_warehouse();
        // LAMP-01 has 14 on hand with 2 reserved: finding only 1 would leave
        // available at −1, so the review flags it rather than post it.
        let count = CycleCount {
            id: "CC-2".into(),
            scope: CountScope::Sku {
                seller: 3,
                sku: Sku::parse("LAMP-01").unwrap(),
                warehouse: 7,
            },
            blind: false,
            lines: vec![line(3, "LAMP-01", "A-01", 1), line(3, "LAMP-01", "B-02", 0)],
        };
        let review = review_count(&count, &book, None, 5_000).unwrap();
        let diffs: Vec<_> = review.lines.iter().map(|l| l.difference).collect();
        assert_eq!(diffs, [-9, -4]);
        assert!(!review.can_post());
        assert_eq!(review.problems.len(), 1);
        assert_eq!(review.problems[0].correction, 1);
        assert_eq!(review.problems[0].code, "insufficient_stock");
        assert!(
            review.problems[0].reason.contains("only 3 available"),
            "{}",
            review.problems[0].reason
        );
    }

    #[test]
    fn count_refusals_name_the_line() {
        let book = counted_warehouse();
        let scope = CountScope::Bin {
            warehouse: 7,
            bin: Some(bin("A-01")),
        };
        let count = |lines| CycleCount {
            id: "CC-3".into(),
            scope: scope.clone(),
            blind: false,
            lines,
        };
        let cases = [
            (vec![line(3, "LAMP-01", "A-01", -1)], "lines[0].counted"),
            (
                vec![line(3, "LAMP-01", "A-01", 1), line(3, "LAMP-01", "B-02", 1)],
                "lines[1].bin",
            ),
            (
                vec![line(3, "LAMP-01", "A-01", 1), line(3, "LAMP-01", "a-01", 2)],
                "lines[1]",
            ),
            (vec![line(0, "LAMP-01", "A-01", 1)], "lines[0].seller"),
        ];
        for (lines, field) in cases {
            let err = review_count(&count(lines), &book, None, 1).unwrap_err();
            assert_eq!(err.field(), Some(field), "{err}");
        }
        let mut blank = count(vec![]);
        blank.id = " ".into();
        assert_eq!(
            review_count(&blank, &book, None, 1).unwrap_err().field(),
            Some("id")
        );
        let sku_scope = CycleCount {
            scope: CountScope::Sku {
                seller: 3,
                sku: Sku::parse("LAMP-01").unwrap(),
                warehouse: 7,
            },
            ..count(vec![line(3, "LAMP-02", "A-01", 1)])
        };
        let err = review_count(&sku_scope, &book, None, 1).unwrap_err();
        assert_eq!(err.field(), Some("lines[0].sku"));
        let json = serde_json::to_value(&sku_scope.scope).unwrap();
        assert_eq!(json["by"], "sku");
    }
}
