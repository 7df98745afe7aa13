//! The storage conformance suite for landed cost and export customs:
//! destination import rules, tariff lines and export shipments, on SQLite
//! and, when `CHUHAI_TEST_POSTGRES_URL` is set, on PostgreSQL.

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
    import_rules_round_trip_and_replace_by_version,
    tariff_lines_round_trip_per_region,
    reference_writes_bump_the_platform_generation,
    export_shipments_are_per_seller_and_unique_by_order_number,
    export_shipments_are_found_by_mode_and_month,
);

use chuhai_domain::accounts::{Email, OrganisationKind, Role, Slug};
use chuhai_store::accounts::{NewOrganisation, NewUser};
use chuhai_store::trade::{ImportRuleRow, NewExportShipment, TariffLineRow};
use chuhai_store::{Store, StoreError};

const T: i64 = 1_800_000_000_000;

async fn seller(store: &Store, slug: &str) -> i64 {
    let (o, _) = store
        .create_organisation_with_user(
            &NewOrganisation {
                kind: OrganisationKind::Seller,
                slug: Slug::parse(slug).unwrap(),
                name: slug.to_owned(),
                name_zh: None,
            },
            &NewUser {
                email: Email::parse(&format!("owner@{slug}.example")).unwrap(),
                display_name: "Owner".into(),
                password_hash: "x".into(),
                role: Role::Owner,
                locale: None,
            },
            T,
        )
        .await
        .unwrap();
    o.id
}

fn rule(version: &str, region: &str, from: i64, until: Option<i64>, body: &str) -> ImportRuleRow {
    ImportRuleRow {
        version: version.into(),
        region: region.into(),
        valid_from: from,
        valid_until: until,
        verified: until.is_some(),
        body: body.into(),
        updated_at: T,
    }
}

async fn import_rules_round_trip_and_replace_by_version(store: Store) {
    let a = rule("EU-2021-07-01", "EU", 18_809, Some(20_635), r#"{"v":1}"#);
    let b = rule("EU-2026-07-01", "EU", 20_635, None, r#"{"v":2}"#);
    let c = rule("AU-2018-07-01", "AU", 17_713, None, "{}");
    assert_eq!(
        store
            .upsert_import_rules(vec![b.clone(), a.clone(), c.clone()])
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        store.import_rules().await.unwrap(),
        vec![c.clone(), a.clone(), b.clone()]
    );
    // The same version again replaces it; nothing else changes.
    let b2 = ImportRuleRow {
        body: r#"{"v":3}"#.into(),
        verified: true,
        ..b.clone()
    };
    store.upsert_import_rules(vec![b2.clone()]).await.unwrap();
    assert_eq!(store.import_rules().await.unwrap(), vec![c, a, b2]);
}

async fn tariff_lines_round_trip_per_region(store: Store) {
    let line = |region: &str, code: &str, body: &str| TariffLineRow {
        region: region.into(),
        tariff_code: code.into(),
        body: body.into(),
    };
    store
        .upsert_tariff_lines(vec![
            line("US", "9405409000", "us-a"),
            line("EU", "9405409900", "eu-a"),
            line("EU", "6214100000", "eu-b"),
        ])
        .await
        .unwrap();
    assert_eq!(
        store.tariff_lines(Some("EU")).await.unwrap(),
        vec![
            line("EU", "6214100000", "eu-b"),
            line("EU", "9405409900", "eu-a")
        ]
    );
    store
        .upsert_tariff_lines(vec![line("EU", "6214100000", "eu-b2")])
        .await
        .unwrap();
    let all = store.tariff_lines(None).await.unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0], line("EU", "6214100000", "eu-b2"));
    assert_eq!(all[2], line("US", "9405409000", "us-a"));
    assert!(store.tariff_lines(Some("JP")).await.unwrap().is_empty());
}

async fn reference_writes_bump_the_platform_generation(store: Store) {
    let before = store.data_generation(0).await.unwrap();
    store
        .upsert_import_rules(vec![rule("GB-2021-01-01", "GB", 18_628, None, "{}")])
        .await
        .unwrap();
    let after_rules = store.data_generation(0).await.unwrap();
    assert!(after_rules > before, "{after_rules} > {before}");
    store
        .upsert_tariff_lines(vec![TariffLineRow {
            region: "GB".into(),
            tariff_code: "9405409000".into(),
            body: "{}".into(),
        }])
        .await
        .unwrap();
    assert!(store.data_generation(0).await.unwrap() > after_rules);
}

fn shipment(org: i64, order_no: &str, mode: &str, day: i64) -> NewExportShipment {
    NewExportShipment {
        organisation_id: org,
        order_no: order_no.into(),
        mode: mode.into(),
        destination: "DE".into(),
        export_date: day,
        body: format!(r#"{{"order_no":"{order_no}"}}"#),
        inbound_shipment_id: None,
    }
}

async fn export_shipments_are_per_seller_and_unique_by_order_number(store: Store) {
    let lumi = seller(&store, "lumi").await;
    let other = seller(&store, "other").await;
    let s = store
        .insert_export_shipment(&shipment(lumi, "SO-1", "9610", 20_400), T)
        .await
        .unwrap();
    assert_eq!(s.order_no, "SO-1");
    assert_eq!(s.mode, "9610");
    assert_eq!(s.body, r#"{"order_no":"SO-1"}"#);
    assert_eq!(s.created_at, T);
    assert_eq!(
        store.export_shipment(lumi, s.id).await.unwrap(),
        Some(s.clone())
    );
    // Another seller neither sees it nor is blocked by its number.
    assert_eq!(store.export_shipment(other, s.id).await.unwrap(), None);
    let others = store
        .insert_export_shipment(&shipment(other, "SO-1", "9710", 20_400), T)
        .await
        .unwrap();
    // Found by order number within its seller only.
    assert_eq!(
        store
            .export_shipment_by_order_no(lumi, "SO-1")
            .await
            .unwrap(),
        Some(s.clone())
    );
    assert_eq!(
        store
            .export_shipment_by_order_no(other, "SO-1")
            .await
            .unwrap(),
        Some(others)
    );
    assert_eq!(
        store
            .export_shipment_by_order_no(lumi, "SO-9")
            .await
            .unwrap(),
        None
    );
    let dup = store
        .insert_export_shipment(&shipment(lumi, "SO-1", "9710", 20_401), T)
        .await;
    assert!(
        matches!(dup, Err(StoreError::Conflict { what: "order_no" })),
        "{dup:?}"
    );
    for n in 2..=5 {
        store
            .insert_export_shipment(&shipment(lumi, &format!("SO-{n}"), "9610", 20_400), T)
            .await
            .unwrap();
    }
    let first = store.export_shipments(lumi, 0, 3).await.unwrap();
    assert_eq!(
        first
            .items
            .iter()
            .map(|s| s.order_no.as_str())
            .collect::<Vec<_>>(),
        ["SO-1", "SO-2", "SO-3"]
    );
    let rest = store
        .export_shipments(lumi, first.next_after.unwrap(), 3)
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 2);
    assert_eq!(rest.next_after, None);
}

async fn export_shipments_are_found_by_mode_and_month(store: Store) {
    let lumi = seller(&store, "lumi").await;
    // 2026-10-01 = day 20362, 2026-11-01 = day 20393.
    for (no, mode, day) in [
        ("A", "9610", 20_361),
        ("B", "9610", 20_362),
        ("C", "9710", 20_370),
        ("D", "9610", 20_392),
        ("E", "9610", 20_393),
    ] {
        store
            .insert_export_shipment(&shipment(lumi, no, mode, day), T)
            .await
            .unwrap();
    }
    let october = store
        .export_shipments_between(lumi, "9610", 20_362, 20_393)
        .await
        .unwrap();
    assert_eq!(
        october
            .iter()
            .map(|s| s.order_no.as_str())
            .collect::<Vec<_>>(),
        ["B", "D"]
    );
}
