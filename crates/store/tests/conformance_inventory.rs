//! The storage conformance suite for warehouses and the inventory ledger,
//! on SQLite and, when `CHUHAI_TEST_POSTGRES_URL` is set, on PostgreSQL:
//! warehouses and who sees them, posting (all or nothing, bins of the
//! warehouse only), the append-only ledger, reservations (including 200
//! concurrent requests for the last 50 units), inbound shipments, counts,
//! verify and rebuild.

mod common;

macro_rules! conformance {
    ($($case:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    crate::common::run_sqlite(crate::$case).await;
                }
            )+
        }

        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    crate::common::run_postgres(crate::$case).await;
                }
            )+
        }
    };
}

conformance!(
    warehouses_are_seen_by_their_operator_and_the_sellers_they_serve,
    posting_moves_buckets_and_bins_and_lists_the_ledger,
    a_refused_batch_posts_nothing,
    the_ledger_cannot_be_edited,
    reservations_hold_release_commit_and_expire,
    two_hundred_concurrent_reservations_for_the_last_fifty_units,
    stock_by_sku_spans_warehouses_with_the_next_eta,
    inbound_shipments_go_draft_to_closed_and_post_their_discrepancies,
    cycle_counts_post_once,
    verify_finds_drift_and_rebuild_repairs_it,
    skus_and_dimensions_come_from_the_sellers_catalog,
    storage_fee_versions_are_kept_by_day,
);

use std::sync::Arc;

use chuhai_domain::accounts::{Email, OrganisationKind, Role, Slug};
use chuhai_domain::calendar::Date;
use chuhai_domain::catalog::{
    Dimensions, ProductDraft, ProductHandle, ProductStatus, Sku, TradeData, TranslationDraft,
    VariantDraft,
};
use chuhai_domain::country::Country;
use chuhai_domain::inventory::{
    AsnStatus, Balance, BinCode, Bucket, EntryType, Hold, LedgerEntry, LedgerError, ReasonCode,
    Reference, ReferenceKind, StockBook, StockKey, TransportMode, WarehouseDraft, WarehouseKind,
};
use chuhai_domain::money::{Currency, Money};
use chuhai_store::accounts::{NewOrganisation, NewUser};
use chuhai_store::inventory::{
    HoldStatus, NewCarton, NewInbound, ReceiveCount, WarehouseRecord, WarehouseRole,
};
use chuhai_store::{Store, StoreError};

const T: i64 = 1_800_000_000_000;

async fn org(store: &Store, kind: OrganisationKind, slug: &str) -> i64 {
    let role = match kind {
        OrganisationKind::WarehouseOperator => Role::WarehouseOperator,
        _ => Role::Owner,
    };
    store
        .create_organisation_with_user(
            &NewOrganisation {
                kind,
                slug: Slug::parse(slug).unwrap(),
                name: slug.to_owned(),
                name_zh: None,
            },
            &NewUser {
                email: Email::parse(&format!("owner@{slug}.example")).unwrap(),
                display_name: "Owner".into(),
                password_hash: "x".into(),
                role,
                locale: None,
            },
            T,
        )
        .await
        .unwrap()
        .0
        .id
}

fn draft(code: &str, kind: WarehouseKind, country: Country) -> WarehouseDraft {
    WarehouseDraft {
        kind,
        code: code.into(),
        name: format!("Warehouse {code}"),
        country,
        address: "1 Dock Road".into(),
        latitude: Some("34.0420".into()),
        longitude: Some("-117.5727".into()),
        time_zone: "America/Los_Angeles".into(),
        utc_offset_minutes: -480,
        cutoff_time: "14:00".into(),
        capacity_m2: Some("24000".into()),
        capacity_m3: Some("150000.5".into()),
        carrier_services: vec!["UPS Ground".into()],
    }
}

/// A 3PL with one overseas warehouse serving one seller.
struct World {
    seller: i64,
    operator: i64,
    warehouse: WarehouseRecord,
}

async fn world(store: &Store) -> World {
    let seller = org(store, OrganisationKind::Seller, "lumi").await;
    let operator = org(store, OrganisationKind::WarehouseOperator, "pacific").await;
    let warehouse = store
        .create_warehouse(
            operator,
            &draft("LAX-1", WarehouseKind::Overseas, Country::US),
            T,
        )
        .await
        .unwrap();
    store
        .add_warehouse_seller(operator, warehouse.id, seller, T)
        .await
        .unwrap();
    World {
        seller,
        operator,
        warehouse,
    }
}

fn sku(s: &str) -> Sku {
    Sku::parse(s).unwrap()
}

fn bin(s: &str) -> Option<BinCode> {
    Some(BinCode::parse(s).unwrap())
}

fn manual(id: &str) -> Reference {
    Reference::new(ReferenceKind::Manual, id).unwrap()
}

fn entry(seller: i64, s: &str, warehouse: i64, t: EntryType, q: i64) -> LedgerEntry {
    LedgerEntry::new(
        StockKey::new(seller, sku(s), warehouse),
        t,
        q,
        manual("M-1"),
        T,
    )
}

fn key(w: &World, s: &str) -> StockKey {
    StockKey::new(w.seller, sku(s), w.warehouse.id)
}

fn ledger_err(e: StoreError) -> LedgerError {
    match e {
        StoreError::Ledger(l) => l,
        other => panic!("expected a ledger refusal, got {other:?}"),
    }
}

async fn assert_verified(store: &Store) {
    let report = store.verify_inventory().await.unwrap();
    assert!(report.is_clean(), "{report:?}");
}

async fn warehouses_are_seen_by_their_operator_and_the_sellers_they_serve(store: Store) {
    let w = world(&store).await;
    let stranger = org(&store, OrganisationKind::Seller, "stranger").await;
    assert_eq!(w.warehouse.draft.code, "LAX-1");
    let (found, role) = store
        .warehouse_for(w.operator, w.warehouse.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found, w.warehouse);
    assert_eq!(role, WarehouseRole::Operator);
    let (_, role) = store
        .warehouse_for(w.seller, w.warehouse.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(role, WarehouseRole::Seller);
    assert!(store
        .warehouse_for(stranger, w.warehouse.id)
        .await
        .unwrap()
        .is_none());
    // The same code twice for one operator conflicts; another operator may use it.
    let again = store
        .create_warehouse(
            w.operator,
            &draft("LAX-1", WarehouseKind::Overseas, Country::US),
            T,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(again, StoreError::Conflict { what: "code" }),
        "{again:?}"
    );
    // A seller's own origin warehouse is the seller's to run.
    let own = store
        .create_warehouse(
            w.seller,
            &draft("SZX-1", WarehouseKind::Origin, Country::CN),
            T,
        )
        .await
        .unwrap();
    let listed: Vec<(i64, WarehouseRole)> = store
        .warehouses_for(w.seller)
        .await
        .unwrap()
        .into_iter()
        .map(|(w, r)| (w.id, r))
        .collect();
    assert_eq!(
        listed,
        [
            (w.warehouse.id, WarehouseRole::Seller),
            (own.id, WarehouseRole::Operator)
        ]
    );
    assert!(store.warehouses_for(stranger).await.unwrap().is_empty());
    assert_eq!(
        store.warehouse_sellers(w.warehouse.id).await.unwrap(),
        [w.seller]
    );
    // Only the operator may add sellers; adding twice is harmless.
    store
        .add_warehouse_seller(w.operator, w.warehouse.id, w.seller, T)
        .await
        .unwrap();
    let err = store
        .add_warehouse_seller(stranger, w.warehouse.id, stranger, T)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { what: "warehouse" }));
    let err = store
        .add_warehouse_seller(w.operator, w.warehouse.id, w.operator, T)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { what: "seller" }));
    // Bins.
    let added = store
        .add_bins(
            w.warehouse.id,
            &[
                bin("A-01").unwrap(),
                bin("A-02").unwrap(),
                bin("A-01").unwrap(),
            ],
        )
        .await
        .unwrap();
    assert_eq!(added, 2);
    assert_eq!(
        store.bins(w.warehouse.id).await.unwrap(),
        [bin("A-01").unwrap(), bin("A-02").unwrap()]
    );
}

async fn posting_moves_buckets_and_bins_and_lists_the_ledger(store: Store) {
    let w = world(&store).await;
    let wh = w.warehouse.id;
    store.add_bins(wh, &[bin("A-01").unwrap()]).await.unwrap();
    let steps = vec![
        entry(w.seller, "LAMP-1", wh, EntryType::Receipt, 10),
        entry(w.seller, "LAMP-1", wh, EntryType::Putaway, 6).with_bin(bin("A-01")),
        entry(w.seller, "LAMP-1", wh, EntryType::Damage, 1)
            .with_reason(ReasonCode::parse("damaged_in_handling").unwrap()),
        entry(w.seller, "LAMP-2", wh, EntryType::Receipt, 3).with_user(Some(7)),
    ];
    let ids = store.post_entries(&steps).await.unwrap();
    assert_eq!(ids.len(), 4);
    assert!(ids.windows(2).all(|p| p[0] < p[1]));
    let pick = entry(w.seller, "LAMP-1", wh, EntryType::Pick, 2).with_bin(bin("A-01"));
    store
        .post_entries(std::slice::from_ref(&pick))
        .await
        .unwrap();
    assert_eq!(
        store.balance(&key(&w, "LAMP-1")).await.unwrap(),
        Balance {
            on_hand: 9,
            reserved: 0,
            in_transit: 0,
            damaged: 1
        }
    );
    let book = store.warehouse_book(wh).await.unwrap();
    let mut all = steps.clone();
    all.push(pick);
    assert_eq!(book, StockBook::from_ledger(&all));
    // The ledger lists back exactly what was posted, in pages.
    let first = store
        .ledger_entries(Some(w.seller), Some(wh), None, 0, 3)
        .await
        .unwrap();
    assert_eq!(first.items.len(), 3);
    let rest = store
        .ledger_entries(Some(w.seller), Some(wh), None, first.next_after.unwrap(), 3)
        .await
        .unwrap();
    assert!(rest.next_after.is_none());
    let listed: Vec<LedgerEntry> = first
        .items
        .into_iter()
        .chain(rest.items)
        .map(|r| r.entry)
        .collect();
    assert_eq!(listed, all);
    let lamp2 = store
        .ledger_entries(None, None, Some(&sku("LAMP-2")), 0, 50)
        .await
        .unwrap();
    assert_eq!(lamp2.items.len(), 1);
    assert_eq!(lamp2.items[0].entry.user, Some(7));
    assert_eq!(store.stock_history(w.seller, wh, T + 1).await.unwrap(), all);
    assert!(store
        .stock_history(w.seller, wh, T)
        .await
        .unwrap()
        .is_empty());
    assert_verified(&store).await;
}

async fn a_refused_batch_posts_nothing(store: Store) {
    let w = world(&store).await;
    let wh = w.warehouse.id;
    let other = store
        .create_warehouse(
            w.operator,
            &draft("EWR-1", WarehouseKind::Overseas, Country::US),
            T,
        )
        .await
        .unwrap();
    store
        .add_bins(other.id, &[bin("B-9").unwrap()])
        .await
        .unwrap();
    store.add_bins(wh, &[bin("A-01").unwrap()]).await.unwrap();
    store
        .post_entries(&[entry(w.seller, "LAMP-1", wh, EntryType::Receipt, 5)])
        .await
        .unwrap();
    let before = store.warehouse_book(wh).await.unwrap();
    let count = |s: &Store| {
        let s = s.clone();
        async move {
            s.ledger_entries(None, None, None, 0, 200)
                .await
                .unwrap()
                .items
                .len()
        }
    };
    assert_eq!(count(&store).await, 1);
    // The second entry takes more than there is: neither is posted.
    let err = ledger_err(
        store
            .post_entries(&[
                entry(w.seller, "LAMP-1", wh, EntryType::Receipt, 2),
                entry(w.seller, "LAMP-1", wh, EntryType::Ship, 8),
            ])
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(
            err,
            LedgerError::Insufficient {
                bucket: Bucket::OnHand,
                have: 7,
                need: 8,
                ..
            }
        ),
        "{err:?}"
    );
    // A bin of another warehouse.
    let err = ledger_err(
        store
            .post_entries(&[
                entry(w.seller, "LAMP-1", wh, EntryType::Putaway, 1).with_bin(bin("B-9"))
            ])
            .await
            .unwrap_err(),
    );
    assert_eq!(err.field(), Some("bin"));
    assert!(
        err.to_string().contains("B-9 is not a bin of warehouse"),
        "{err}"
    );
    // An adjustment without a reason; a zero quantity (indexed in a batch).
    let err = ledger_err(
        store
            .post_entries(&[entry(w.seller, "LAMP-1", wh, EntryType::AdjustmentOut, 1)])
            .await
            .unwrap_err(),
    );
    assert_eq!(err.field(), Some("reason_code"));
    let err = ledger_err(
        store
            .post_entries(&[
                entry(w.seller, "LAMP-1", wh, EntryType::Receipt, 1),
                entry(w.seller, "LAMP-1", wh, EntryType::Receipt, 0),
            ])
            .await
            .unwrap_err(),
    );
    assert_eq!(err.field(), Some("entries[1].quantity"));
    assert_eq!(count(&store).await, 1);
    assert_eq!(store.warehouse_book(wh).await.unwrap(), before);
    assert_verified(&store).await;
}

async fn the_ledger_cannot_be_edited(store: Store) {
    let w = world(&store).await;
    store
        .post_entries(&[entry(
            w.seller,
            "LAMP-1",
            w.warehouse.id,
            EntryType::Receipt,
            5,
        )])
        .await
        .unwrap();
    for sql in [
        "UPDATE inventory_ledger SET quantity = 50",
        "DELETE FROM inventory_ledger",
    ] {
        let err = store.execute_unchecked(sql).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    let listed = store.ledger_entries(None, None, None, 0, 10).await.unwrap();
    assert_eq!(listed.items.len(), 1);
    assert_eq!(listed.items[0].entry.quantity, 5);
}

fn checkout(id: &str) -> Reference {
    Reference::new(ReferenceKind::Checkout, id).unwrap()
}

async fn reservations_hold_release_commit_and_expire(store: Store) {
    let w = world(&store).await;
    let k = key(&w, "LAMP-1");
    store
        .post_entries(&[entry(
            w.seller,
            "LAMP-1",
            w.warehouse.id,
            EntryType::Receipt,
            10,
        )])
        .await
        .unwrap();
    let place = |q: i64, id: &str, expires: Option<i64>| {
        Hold::place(k.clone(), q, checkout(id), Some(1), T, expires).unwrap()
    };
    let (h, e) = place(6, "C-1", None);
    let held = store.reserve(&h, &e).await.unwrap();
    assert_eq!(held.status, HoldStatus::Held);
    assert_eq!(held.hold, h);
    // 4 left: 5 is refused, naming what is available.
    let (h5, e5) = place(5, "C-2", None);
    let err = ledger_err(store.reserve(&h5, &e5).await.unwrap_err());
    assert!(
        matches!(
            err,
            LedgerError::Insufficient {
                bucket: Bucket::Available,
                have: 4,
                need: 5,
                ..
            }
        ),
        "{err:?}"
    );
    // Commit part of the first hold, then the rest.
    let partly = store
        .commit_hold(w.seller, held.id, Some(2), None, Some(1), T + 1)
        .await
        .unwrap();
    assert_eq!((partly.status, partly.hold.quantity), (HoldStatus::Held, 4));
    let b = store.balance(&k).await.unwrap();
    assert_eq!((b.on_hand, b.reserved, b.available()), (8, 4, 4));
    let done = store
        .commit_hold(w.seller, held.id, None, None, Some(1), T + 2)
        .await
        .unwrap();
    assert_eq!(
        (done.status, done.hold.quantity),
        (HoldStatus::Committed, 0)
    );
    assert_eq!(done.closed_at, Some(T + 2));
    // A closed hold cannot be released; another seller does not see it.
    let err = ledger_err(
        store
            .release_hold(w.seller, held.id, None, T + 3)
            .await
            .unwrap_err(),
    );
    assert_eq!(err.field(), Some("status"));
    assert!(matches!(
        store.release_hold(w.operator, held.id, None, T + 3).await,
        Err(StoreError::NotFound { .. })
    ));
    // Release gives the units back.
    let (h2, e2) = place(3, "C-3", None);
    let r = store.reserve(&h2, &e2).await.unwrap();
    let released = store
        .release_hold(w.seller, r.id, Some(1), T + 4)
        .await
        .unwrap();
    assert_eq!(released.status, HoldStatus::Released);
    assert_eq!(store.balance(&k).await.unwrap().reserved, 0);
    // The sweeper releases only what has lapsed.
    let (soon, es) = place(2, "C-4", Some(T + 100));
    let (later, el) = place(1, "C-5", Some(T + 10_000));
    let soon = store.reserve(&soon, &es).await.unwrap();
    let later = store.reserve(&later, &el).await.unwrap();
    assert_eq!(store.sweep_expired_holds(T + 99, 100).await.unwrap(), 0);
    assert_eq!(store.sweep_expired_holds(T + 100, 100).await.unwrap(), 1);
    assert_eq!(store.sweep_expired_holds(T + 100, 100).await.unwrap(), 0);
    assert_eq!(
        store.hold(w.seller, soon.id).await.unwrap().unwrap().status,
        HoldStatus::Expired
    );
    let open: Vec<i64> = store
        .open_holds(w.seller)
        .await
        .unwrap()
        .iter()
        .map(|h| h.id)
        .collect();
    assert_eq!(open, [later.id]);
    let b = store.balance(&k).await.unwrap();
    assert_eq!((b.on_hand, b.reserved), (4, 1));
    // The sweeper's release is the system's (no user).
    let releases: Vec<LedgerEntry> = store
        .ledger_entries(None, None, None, 0, 100)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|r| r.entry)
        .filter(|e| e.entry_type == EntryType::Release && e.reference.id == "C-4")
        .collect();
    assert_eq!(releases.len(), 1);
    assert_eq!(releases[0].user, None);
    assert_verified(&store).await;
}

async fn two_hundred_concurrent_reservations_for_the_last_fifty_units(store: Store) {
    let w = world(&store).await;
    let k = key(&w, "LAMP-1");
    // 80 on hand, 30 already promised: the last 50 are available.
    store
        .post_entries(&[entry(
            w.seller,
            "LAMP-1",
            w.warehouse.id,
            EntryType::Receipt,
            80,
        )])
        .await
        .unwrap();
    let (h, e) = Hold::place(k.clone(), 30, checkout("EARLY"), None, T, None).unwrap();
    store.reserve(&h, &e).await.unwrap();
    let store = Arc::new(store);
    let mut tasks = Vec::new();
    for i in 0..200 {
        let store = store.clone();
        let k = k.clone();
        tasks.push(tokio::spawn(async move {
            let (h, e) = Hold::place(k, 1, checkout(&format!("C-{i}")), None, T + i, None).unwrap();
            store.reserve(&h, &e).await
        }));
    }
    let (mut ok, mut refused) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(StoreError::Ledger(LedgerError::Insufficient {
                bucket: Bucket::Available,
                ..
            })) => refused += 1,
            Err(other) => panic!("unexpected error: {other:?}"),
        }
    }
    assert_eq!((ok, refused), (50, 150));
    let b = store.balance(&k).await.unwrap();
    assert_eq!((b.on_hand, b.reserved, b.available()), (80, 80, 0));
    // The ledger agrees: 51 reservation entries summing to 80.
    let entries: Vec<LedgerEntry> = store
        .ledger_entries(None, None, None, 0, 200)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|r| r.entry)
        .filter(|e| e.entry_type == EntryType::Reservation)
        .collect();
    assert_eq!(entries.len(), 51);
    assert_eq!(entries.iter().map(|e| e.quantity).sum::<i64>(), 80);
    assert_eq!(store.open_holds(w.seller).await.unwrap().len(), 51);
    assert_verified(&store).await;
}

async fn stock_by_sku_spans_warehouses_with_the_next_eta(store: Store) {
    let w = world(&store).await;
    let other = store
        .create_warehouse(
            w.operator,
            &draft("EWR-1", WarehouseKind::Overseas, Country::US),
            T,
        )
        .await
        .unwrap();
    store
        .post_entries(&[
            entry(w.seller, "LAMP-1", w.warehouse.id, EntryType::Receipt, 10),
            entry(w.seller, "LAMP-1", other.id, EntryType::Receipt, 4),
            entry(w.seller, "LAMP-2", other.id, EntryType::Receipt, 9),
        ])
        .await
        .unwrap();
    let eta = Date::parse("2027-02-20").unwrap();
    let asn = store
        .create_inbound(
            &inbound(
                &w,
                "ASN-7",
                other.id,
                Some(eta),
                &[("CTN-1", &[("LAMP-1", 12)])],
            ),
            T,
        )
        .await
        .unwrap();
    store.ship_inbound(w.seller, asn.id, None, T).await.unwrap();
    let rows = store.stock_by_sku(w.seller, &sku("LAMP-1")).await.unwrap();
    let summary: Vec<(i64, i64, i64, Option<i64>)> = rows
        .iter()
        .map(|(r, _)| {
            (
                r.key.warehouse,
                r.balance.on_hand,
                r.balance.in_transit,
                r.next_eta,
            )
        })
        .collect();
    // Each row names its warehouse.
    let labels: Vec<(&str, &str)> = rows
        .iter()
        .map(|(_, l)| (l.code.as_str(), l.country.as_str()))
        .collect();
    assert_eq!(
        labels,
        [(w.warehouse.draft.code.as_str(), "US"), ("EWR-1", "US")]
    );
    assert_eq!(rows[1].1.name, other.draft.name);
    // A warehouse created after labels were read is labelled too.
    let third = store
        .create_warehouse(
            w.operator,
            &draft("FRA-1", WarehouseKind::Overseas, Country::DE),
            T,
        )
        .await
        .unwrap();
    store
        .post_entries(&[entry(w.seller, "LAMP-1", third.id, EntryType::Receipt, 1)])
        .await
        .unwrap();
    let again = store.stock_by_sku(w.seller, &sku("LAMP-1")).await.unwrap();
    let labels: Vec<(&str, &str)> = again
        .iter()
        .map(|(_, l)| (l.code.as_str(), l.country.as_str()))
        .collect();
    assert_eq!(
        labels,
        [
            (w.warehouse.draft.code.as_str(), "US"),
            ("EWR-1", "US"),
            ("FRA-1", "DE")
        ]
    );
    assert_eq!(
        summary,
        [
            (w.warehouse.id, 10, 0, None),
            (other.id, 4, 12, Some(i64::from(eta.days_since_epoch())))
        ]
    );
    // Another seller's SKU of the same name is not mixed in.
    let stranger = org(&store, OrganisationKind::Seller, "stranger").await;
    assert!(store
        .stock_by_sku(stranger, &sku("LAMP-1"))
        .await
        .unwrap()
        .is_empty());
    let by_warehouse = store.stock_rows(None, Some(other.id)).await.unwrap();
    assert_eq!(by_warehouse.len(), 2);
    assert_eq!(
        by_warehouse[0].next_eta,
        Some(i64::from(eta.days_since_epoch()))
    );
    assert_eq!(
        store.stock_rows(Some(w.seller), None).await.unwrap().len(),
        4
    );
}

fn inbound(
    w: &World,
    reference: &str,
    destination: i64,
    eta: Option<Date>,
    cartons: &[(&str, &[(&str, i64)])],
) -> NewInbound {
    NewInbound {
        seller_id: w.seller,
        reference: reference.into(),
        origin_warehouse_id: None,
        origin: "Shenzhen, Yantian port".into(),
        destination_warehouse_id: destination,
        mode: TransportMode::Sea,
        carrier: "COSCO".into(),
        tracking_no: None,
        container_no: Some("CSNU1234565".into()),
        etd: Some(Date::parse("2027-01-20").unwrap()),
        eta,
        cartons: cartons
            .iter()
            .map(|(no, lines)| NewCarton {
                carton_no: (*no).into(),
                lines: lines.iter().map(|(s, q)| (sku(s), *q)).collect(),
            })
            .collect(),
    }
}

async fn inbound_shipments_go_draft_to_closed_and_post_their_discrepancies(store: Store) {
    let w = world(&store).await;
    let wh = w.warehouse.id;
    let stranger = org(&store, OrganisationKind::Seller, "stranger").await;
    let new = inbound(
        &w,
        "ASN-1",
        wh,
        None,
        &[
            ("CTN-1", &[("LAMP-1", 10), ("LAMP-2", 5)]),
            ("CTN-2", &[("LAMP-1", 10)]),
        ],
    );
    let asn = store.create_inbound(&new, T).await.unwrap();
    assert_eq!(asn.status, AsnStatus::Draft);
    assert_eq!(asn.cartons.len(), 2);
    assert_eq!(asn.cartons[0].lines.len(), 2);
    assert!(matches!(
        store.create_inbound(&new, T).await,
        Err(StoreError::Conflict { what: "reference" })
    ));
    // Receiving a draft is refused; the stranger sees nothing.
    let count = |c: &str, s: &str, received, damaged| ReceiveCount {
        carton_no: c.into(),
        sku: sku(s),
        received,
        damaged,
    };
    let err = ledger_err(
        store
            .receive_inbound(w.operator, asn.id, &[count("CTN-1", "LAMP-1", 10, 0)], T)
            .await
            .unwrap_err(),
    );
    assert_eq!(err.field(), Some("status"));
    assert!(store.inbound_for(stranger, asn.id).await.unwrap().is_none());
    assert!(matches!(
        store.ship_inbound(stranger, asn.id, None, T).await,
        Err(StoreError::NotFound { .. })
    ));
    // Shipped: in transit at the destination.
    let shipped = store
        .ship_inbound(w.seller, asn.id, Some(1), T + 1)
        .await
        .unwrap();
    assert_eq!(shipped.status, AsnStatus::Shipped);
    assert_eq!(
        store.balance(&key(&w, "LAMP-1")).await.unwrap().in_transit,
        20
    );
    // The operator sees it, marks it arrived and counts.
    assert!(store
        .inbound_for(w.operator, asn.id)
        .await
        .unwrap()
        .is_some());
    assert_eq!(store.inbounds_for(w.operator).await.unwrap().len(), 1);
    store
        .arrive_inbound(w.operator, asn.id, T + 2)
        .await
        .unwrap();
    let err = ledger_err(
        store
            .receive_inbound(w.operator, asn.id, &[count("CTN-9", "LAMP-1", 1, 0)], T + 3)
            .await
            .unwrap_err(),
    );
    assert_eq!(err.field(), Some("lines[0].carton_no"));
    let err = ledger_err(
        store
            .receive_inbound(w.operator, asn.id, &[count("CTN-2", "LAMP-2", 1, 0)], T + 3)
            .await
            .unwrap_err(),
    );
    assert_eq!(err.field(), Some("lines[0].sku"));
    let err = ledger_err(
        store
            .receive_inbound(
                w.operator,
                asn.id,
                &[count("CTN-2", "LAMP-1", -1, 0)],
                T + 3,
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(err.field(), Some("lines[0].received"));
    let receiving = store
        .receive_inbound(
            w.operator,
            asn.id,
            &[
                count("CTN-1", "LAMP-1", 10, 0),
                count("CTN-1", "LAMP-2", 6, 0),
                count("CTN-2", "LAMP-1", 7, 1),
            ],
            T + 3,
        )
        .await
        .unwrap();
    assert_eq!(receiving.status, AsnStatus::Receiving);
    let line = &receiving.cartons[1].lines[0];
    assert_eq!(
        (line.received, line.damaged, line.short, line.over),
        (Some(7), 1, 2, 0)
    );
    // Nothing is posted before closing.
    assert_eq!(store.balance(&key(&w, "LAMP-1")).await.unwrap().on_hand, 0);
    let closed = store
        .close_inbound(w.operator, asn.id, Some(2), T + 4)
        .await
        .unwrap();
    assert_eq!(closed.status, AsnStatus::Closed);
    let report = closed.report.unwrap();
    assert_eq!(
        (
            report.expected,
            report.received,
            report.damaged,
            report.short,
            report.over
        ),
        (25, 23, 1, 2, 1)
    );
    assert_eq!(
        store.balance(&key(&w, "LAMP-1")).await.unwrap(),
        Balance {
            on_hand: 17,
            reserved: 0,
            in_transit: 0,
            damaged: 1
        }
    );
    assert_eq!(store.balance(&key(&w, "LAMP-2")).await.unwrap().on_hand, 6);
    // A closed shipment takes no more counts and cannot close again.
    let err = ledger_err(
        store
            .receive_inbound(w.operator, asn.id, &[count("CTN-1", "LAMP-1", 9, 0)], T + 5)
            .await
            .unwrap_err(),
    );
    assert_eq!(err.field(), Some("status"));
    assert!(store
        .close_inbound(w.operator, asn.id, None, T + 5)
        .await
        .is_err());
    assert_verified(&store).await;
}

async fn cycle_counts_post_once(store: Store) {
    let w = world(&store).await;
    let wh = w.warehouse.id;
    store
        .post_entries(&[entry(w.seller, "LAMP-1", wh, EntryType::Receipt, 5)])
        .await
        .unwrap();
    let correction = entry(w.seller, "LAMP-1", wh, EntryType::CountCorrectionOut, 1)
        .with_reason(ReasonCode::parse("cycle_count").unwrap());
    let c = store
        .insert_cycle_count(wh, "{\"id\":\"CC-1\"}", "{}", Some(1), T)
        .await
        .unwrap();
    assert_eq!(c.status, "review");
    assert_eq!(
        store.cycle_count_for(w.operator, c.id).await.unwrap(),
        Some(c.clone())
    );
    assert!(store
        .cycle_count_for(w.seller, c.id)
        .await
        .unwrap()
        .is_none());
    store
        .post_cycle_count(c.id, std::slice::from_ref(&correction), T + 1)
        .await
        .unwrap();
    let err = ledger_err(
        store
            .post_cycle_count(c.id, std::slice::from_ref(&correction), T + 2)
            .await
            .unwrap_err(),
    );
    assert_eq!(err.field(), Some("status"));
    assert_eq!(store.balance(&key(&w, "LAMP-1")).await.unwrap().on_hand, 4);
    let counts = store.cycle_counts(wh).await.unwrap();
    assert_eq!(counts[0].status, "posted");
    assert_eq!(counts[0].posted_at, Some(T + 1));
}

async fn verify_finds_drift_and_rebuild_repairs_it(store: Store) {
    let w = world(&store).await;
    let wh = w.warehouse.id;
    store.add_bins(wh, &[bin("A-01").unwrap()]).await.unwrap();
    store
        .post_entries(&[
            entry(w.seller, "LAMP-1", wh, EntryType::Receipt, 10),
            entry(w.seller, "LAMP-1", wh, EntryType::Putaway, 4).with_bin(bin("A-01")),
            entry(w.seller, "LAMP-2", wh, EntryType::InTransitIn, 6),
        ])
        .await
        .unwrap();
    let k = key(&w, "LAMP-1");
    let (h, e) = Hold::place(k.clone(), 3, checkout("C-1"), None, T, None).unwrap();
    store.reserve(&h, &e).await.unwrap();
    let before = store.warehouse_book(wh).await.unwrap();
    assert_verified(&store).await;
    // Drift the caches behind the ledger's back.
    store
        .execute_unchecked("UPDATE inventory_balances SET on_hand = 12 WHERE sku = 'LAMP-1'")
        .await
        .unwrap();
    store
        .execute_unchecked("DELETE FROM inventory_balances WHERE sku = 'LAMP-2'")
        .await
        .unwrap();
    store
        .execute_unchecked("UPDATE inventory_bin_stock SET units = 3 WHERE bin = 'A-01'")
        .await
        .unwrap();
    let report = store.verify_inventory().await.unwrap();
    assert_eq!(report.entries, 4);
    let summary: Vec<(&str, Vec<Bucket>, i64, i64)> = report
        .balances
        .iter()
        .map(|d| {
            (
                d.key.sku.as_str(),
                d.buckets(),
                d.cached.on_hand + d.cached.in_transit,
                d.ledger.on_hand + d.ledger.in_transit,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("LAMP-1", vec![Bucket::OnHand], 12, 10),
            ("LAMP-2", vec![Bucket::InTransit], 0, 6)
        ]
    );
    assert_eq!(report.locations.len(), 1);
    assert_eq!(
        (report.locations[0].cached, report.locations[0].ledger),
        (3, 4)
    );
    let rebuilt = store.rebuild_inventory().await.unwrap();
    assert_eq!(rebuilt.entries, 4);
    assert_eq!(rebuilt.balances, 2);
    assert_verified(&store).await;
    assert_eq!(store.warehouse_book(wh).await.unwrap(), before);
    // The cache works as before: reserving checks the rebuilt balance.
    let (h, e) = Hold::place(k.clone(), 8, checkout("C-2"), None, T, None).unwrap();
    assert!(store.reserve(&h, &e).await.is_err());
    let (h, e) = Hold::place(k, 7, checkout("C-3"), None, T, None).unwrap();
    store.reserve(&h, &e).await.unwrap();
}

async fn skus_and_dimensions_come_from_the_sellers_catalog(store: Store) {
    let w = world(&store).await;
    let stranger = org(&store, OrganisationKind::Seller, "stranger").await;
    let variant = |code: &str, dims: Option<Dimensions>| VariantDraft {
        sku: Some(sku(code)),
        option_values: vec![code.to_owned()],
        gtin: None,
        price: Money::from_minor(1_000, Currency::CNY),
        compare_at_price: None,
        weight_grams: None,
        image_url: None,
        trade: TradeData {
            dimensions: dims,
            ..TradeData::default()
        },
    };
    let product = ProductDraft {
        handle: ProductHandle::parse("lamp").unwrap(),
        status: ProductStatus::Active,
        vendor: None,
        product_type: None,
        tags: Vec::new(),
        translations: vec![TranslationDraft {
            locale: chuhai_domain::catalog::Locale::parse("en").unwrap(),
            title: "Lamp".into(),
            description_html: chuhai_domain::catalog::sanitize_description_html(""),
            seo_title: None,
            seo_description: None,
        }],
        media: Vec::new(),
        option_names: vec!["Colour".into()],
        variants: vec![
            variant("LAMP-1", Some(Dimensions::new(420, 180, 120).unwrap())),
            variant("LAMP-2", None),
        ],
    };
    store
        .insert_products(w.seller, &[product], T)
        .await
        .unwrap();
    let unknown = store
        .unknown_skus(w.seller, &[sku("LAMP-2"), sku("NOPE"), sku("LAMP-1")])
        .await
        .unwrap();
    assert_eq!(unknown, [sku("NOPE")]);
    assert_eq!(
        store
            .unknown_skus(stranger, &[sku("LAMP-1")])
            .await
            .unwrap(),
        [sku("LAMP-1")]
    );
    let dims = store.sku_dimensions(w.seller).await.unwrap();
    assert_eq!(dims.len(), 1);
    assert_eq!(
        dims[&sku("LAMP-1")],
        Dimensions::new(420, 180, 120).unwrap()
    );
}

async fn storage_fee_versions_are_kept_by_day(store: Store) {
    let w = world(&store).await;
    let id = w.warehouse.id;
    assert!(store.storage_fee_versions(id).await.unwrap().is_empty());
    store
        .put_storage_fee_version(id, 20_500, "{\"a\":2}", T)
        .await
        .unwrap();
    store
        .put_storage_fee_version(id, 20_000, "{\"a\":1}", T)
        .await
        .unwrap();
    // The version from the same day is replaced.
    store
        .put_storage_fee_version(id, 20_500, "{\"a\":3}", T + 1)
        .await
        .unwrap();
    assert_eq!(
        store.storage_fee_versions(id).await.unwrap(),
        vec![
            (20_000, "{\"a\":1}".to_owned()),
            (20_500, "{\"a\":3}".to_owned())
        ]
    );
}
