//! The storage conformance suite for hand-set pricing (price lists,
//! manual and compare-at prices, tiers, order rules), data generations and
//! background jobs: every case on SQLite and, when `CHUHAI_TEST_POSTGRES_URL`
//! is set, on PostgreSQL, each on a fresh database.

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
    price_config_round_trips_and_replaces,
    price_config_refuses_other_tenants_objects,
    order_rules_are_stored_per_variant,
    pricing_writes_bump_the_data_generation,
    cached_markets_and_sku_facts_follow_writes,
    jobs_are_claimed_once_and_finished,
    jobs_with_lapsed_leases_are_taken_over,
    concurrent_claims_hand_each_job_to_one_worker,
);

use chuhai_domain::accounts::{Email, OrganisationKind, Role, Slug};
use chuhai_domain::catalog::{parse_shopify_csv, HsCode, ImportContext, Locale};
use chuhai_domain::country::Country;
use chuhai_domain::market::{Incoterm, Market};
use chuhai_domain::money::{Currency, Rate};
use chuhai_domain::pricing::{MarketRounding, PriceRule};
use chuhai_store::accounts::{NewOrganisation, NewUser};
use chuhai_store::price_config::{NewVariantPriceConfig, PriceListRecord};
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

/// A seller with one US market and one product of one variant:
/// `(org, market, variant)`.
async fn catalog(store: &Store, slug: &str) -> (i64, i64, i64) {
    let org = seller(store, slug).await;
    let market = store
        .create_market(
            org,
            &Market {
                code: "us".into(),
                name: "United States".into(),
                countries: vec![Country::US],
                currency: Currency::USD,
                default_locale: Locale::parse("en-US").unwrap(),
                locales: vec![Locale::parse("en-US").unwrap()],
                tax_inclusive: false,
                incoterm: Incoterm::Ddp,
                rule: PriceRule {
                    markup: Rate::percent("25").unwrap(),
                    rounding: MarketRounding::CharmEnding {
                        ending_minor: 99,
                        every_minor: None,
                    },
                },
            },
            T,
        )
        .await
        .unwrap();
    let csv =
        format!("Handle,Title,Variant SKU,Variant Price\n{slug}-lamp,Lamp,{slug}-SKU-1,168.00\n");
    import_csv(store, org, &csv).await;
    let variant = store.variant_price_inputs(org).await.unwrap()[0].variant_id;
    (org, market.id, variant)
}

/// Imports a Shopify CSV into the seller's catalog.
async fn import_csv(store: &Store, org: i64, csv: &str) {
    let any = |_: HsCode| true;
    let parsed = parse_shopify_csv(
        csv.as_bytes(),
        &ImportContext {
            currency: Currency::CNY,
            default_locale: Locale::parse("en").unwrap(),
            hs_codes: &any,
        },
    );
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    store
        .insert_products(org, &parsed.products, T)
        .await
        .unwrap();
}

fn sale(market_id: i64) -> PriceListRecord {
    PriceListRecord {
        id: 0,
        market_id,
        name: "Singles' Day".into(),
        markup: Some("0.05".into()),
        rounding: None,
        starts_on: 20_768,
        ends_before: 20_769,
    }
}

async fn price_config_round_trips_and_replaces(store: Store) {
    let (org, market, variant) = catalog(&store, "lumi").await;
    let list = store
        .create_price_list(org, &sale(market), T)
        .await
        .unwrap();
    assert_eq!(
        store.price_lists(org, market).await.unwrap(),
        vec![list.clone()]
    );
    let config = NewVariantPriceConfig {
        override_minor: Some(2999),
        compare_at_minor: Some(3999),
        tiers: vec![(10, "0.1".into()), (50, "0.15".into())],
        scheduled_overrides: vec![(list.id, 2499)],
    };
    store
        .set_variant_price_config(org, market, variant, &config)
        .await
        .unwrap();
    let read = store
        .variant_price_config(org, market, variant)
        .await
        .unwrap();
    assert_eq!(read.override_minor, Some(2999));
    assert_eq!(read.compare_at_minor, Some(3999));
    assert_eq!(
        read.tiers,
        vec![(10, "0.1".to_owned()), (50, "0.15".to_owned())]
    );
    assert_eq!(read.scheduled, vec![(list.clone(), Some(2499))]);
    // Setting again replaces everything: no tier and no sale price left.
    store
        .set_variant_price_config(
            org,
            market,
            variant,
            &NewVariantPriceConfig {
                compare_at_minor: Some(4999),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let read = store
        .variant_price_config(org, market, variant)
        .await
        .unwrap();
    assert_eq!(read.override_minor, None);
    assert_eq!(read.compare_at_minor, Some(4999));
    assert!(read.tiers.is_empty());
    assert_eq!(read.scheduled, vec![(list, None)]);
}

async fn price_config_refuses_other_tenants_objects(store: Store) {
    let (a, a_market, a_variant) = catalog(&store, "tenant-a").await;
    let (b, b_market, b_variant) = catalog(&store, "tenant-b").await;
    let a_list = store
        .create_price_list(a, &sale(a_market), T)
        .await
        .unwrap();
    let cfg = NewVariantPriceConfig::default();
    for (market, variant, what) in [
        (a_market, b_variant, "market"),
        (b_market, a_variant, "variant"),
    ] {
        match store
            .set_variant_price_config(b, market, variant, &cfg)
            .await
        {
            Err(StoreError::NotFound { what: w }) => assert_eq!(w, what),
            other => panic!("expected NotFound({what}), got {other:?}"),
        }
    }
    let with_a_list = NewVariantPriceConfig {
        scheduled_overrides: vec![(a_list.id, 100)],
        ..Default::default()
    };
    match store
        .set_variant_price_config(b, b_market, b_variant, &with_a_list)
        .await
    {
        Err(StoreError::NotFound { what }) => assert_eq!(what, "price list"),
        other => panic!("expected NotFound(price list), got {other:?}"),
    }
    match store.create_price_list(b, &sale(a_market), T).await {
        Err(StoreError::NotFound { what }) => assert_eq!(what, "market"),
        other => panic!("expected NotFound(market), got {other:?}"),
    }
    assert!(store.price_lists(b, a_market).await.unwrap().is_empty());
    assert_eq!(
        store
            .variant_price_config(b, a_market, a_variant)
            .await
            .unwrap()
            .scheduled,
        vec![]
    );
}

async fn order_rules_are_stored_per_variant(store: Store) {
    let (org, _, variant) = catalog(&store, "lumi").await;
    store
        .set_order_rules(org, variant, 20, 10, 10)
        .await
        .unwrap();
    let v = store
        .variant_price_input(org, variant)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((v.moq, v.pack_size, v.increment), (20, 10, 10));
    let other = seller(&store, "other").await;
    match store.set_order_rules(other, variant, 1, 1, 1).await {
        Err(StoreError::NotFound { what }) => assert_eq!(what, "variant"),
        other => panic!("expected NotFound(variant), got {other:?}"),
    }
    let v = store
        .variant_price_input(org, variant)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((v.moq, v.pack_size, v.increment), (20, 10, 10));
}

async fn generations_of(store: &Store, org: i64) -> (i64, i64) {
    let hash = format!("gen-token-{org}");
    let user = store.list_users(org, 0, 1).await.unwrap().items.remove(0);
    if store.token_principal(&hash, T).await.unwrap().is_none() {
        store
            .create_api_token(
                &chuhai_store::accounts::NewApiToken {
                    organisation_id: org,
                    user_id: user.id,
                    name: "t".into(),
                    token_hash: hash.clone(),
                    prefix: "p".into(),
                    scopes: chuhai_domain::accounts::Scopes::all(),
                    expires_at: None,
                },
                T,
            )
            .await
            .unwrap();
    }
    store
        .token_principal(&hash, T)
        .await
        .unwrap()
        .unwrap()
        .generations
}

async fn pricing_writes_bump_the_data_generation(store: Store) {
    let (org, market, variant) = catalog(&store, "lumi").await;
    let other = seller(&store, "other").await;
    let g0 = generations_of(&store, org).await;
    assert!(g0.0 >= 2, "market and products were written: {g0:?}");
    store.set_order_rules(org, variant, 2, 1, 1).await.unwrap();
    let g1 = generations_of(&store, org).await;
    assert_eq!(g1.0, g0.0 + 1);
    store
        .set_variant_price_config(
            org,
            market,
            variant,
            &NewVariantPriceConfig {
                override_minor: Some(10),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(generations_of(&store, org).await.0, g1.0 + 1);
    let other_before = generations_of(&store, other).await.0;
    // Reference data bumps row 0, seen by every organisation.
    store
        .upsert_fx_rates(vec![chuhai_store::reference::FxRow {
            source: "ECB".into(),
            currency: "USD".into(),
            date: 20_000,
            per_eur: "1.1".into(),
        }])
        .await
        .unwrap();
    assert_eq!(generations_of(&store, org).await.1, g1.1 + 1);
    assert_eq!(
        generations_of(&store, other).await,
        (other_before, g1.1 + 1)
    );
}

/// Markets and the customs and shipping facts of SKUs are kept in the read
/// cache once the organisation's generation was seen: an absence read
/// before a write is not served after it.
async fn cached_markets_and_sku_facts_follow_writes(store: Store) {
    let (org, market, _) = catalog(&store, "lumi").await;
    generations_of(&store, org).await;
    let sku = "lumi-SKU-2";
    assert_eq!(store.sku_trade(org, &[sku], "US").await.unwrap(), vec![]);
    assert_eq!(store.sku_shipping(org, &[sku]).await.unwrap(), vec![]);
    assert_eq!(store.market(org, market + 1).await.unwrap(), None);
    // Read twice at the same generation: the same answers.
    assert_eq!(store.sku_trade(org, &[sku], "US").await.unwrap(), vec![]);
    assert_eq!(store.market(org, market + 1).await.unwrap(), None);
    import_csv(
        &store,
        org,
        "Handle,Title,Variant SKU,Variant Price,Variant Grams\nlumi-shade,Shade,lumi-SKU-2,39.00,70\n",
    )
    .await;
    // Before the new generation is seen, nothing is served from the cache.
    let trade = store.sku_trade(org, &[sku], "US").await.unwrap();
    assert_eq!(trade.len(), 1);
    assert_eq!(trade[0].sku, sku);
    generations_of(&store, org).await;
    let shipping = store.sku_shipping(org, &[sku, "lumi-SKU-1"]).await.unwrap();
    assert_eq!(
        shipping
            .iter()
            .map(|s| (s.sku.as_str(), s.grams))
            .collect::<Vec<_>>(),
        vec![(sku, Some(70)), ("lumi-SKU-1", None)]
    );
    assert_eq!(store.sku_trade(org, &[sku], "US").await.unwrap(), trade);
    let mut second = store.market(org, market).await.unwrap().unwrap().market;
    second.code = "eu".into();
    let other = store.create_market(org, &second, T).await.unwrap();
    assert_eq!(other.id, market + 1);
    generations_of(&store, org).await;
    assert_eq!(
        store.market(org, market + 1).await.unwrap().map(|m| m.id),
        Some(market + 1)
    );
    // Another seller never sees them.
    let stranger = seller(&store, "stranger").await;
    generations_of(&store, stranger).await;
    assert_eq!(
        store.sku_trade(stranger, &[sku], "US").await.unwrap(),
        vec![]
    );
    assert_eq!(store.market(stranger, market).await.unwrap(), None);
}

async fn jobs_are_claimed_once_and_finished(store: Store) {
    let org = seller(&store, "lumi").await;
    let a = store
        .enqueue_job(org, "import_products", "{\"n\":1}", T)
        .await
        .unwrap();
    let b = store
        .enqueue_job(org, "import_products", "{\"n\":2}", T + 1)
        .await
        .unwrap();
    assert_eq!(a.status, "queued");
    let (job, input) = store.claim_job(T + 10, 60_000).await.unwrap().unwrap();
    assert_eq!(
        (job.id, job.status.as_str(), input.as_str()),
        (a.id, "running", "{\"n\":1}")
    );
    let (job2, _) = store.claim_job(T + 11, 60_000).await.unwrap().unwrap();
    assert_eq!(job2.id, b.id, "the running job is not handed out again");
    assert!(store.claim_job(T + 12, 60_000).await.unwrap().is_none());
    store
        .job_progress(a.id, 1, 3, "{\"stage\":\"checking\"}", T + 60_000)
        .await
        .unwrap();
    let running = store.job(org, a.id).await.unwrap().unwrap();
    assert_eq!((running.done, running.total), (1, 3));
    store
        .finish_job(a.id, true, "{\"ok\":true}", T + 20)
        .await
        .unwrap();
    let done = store.job(org, a.id).await.unwrap().unwrap();
    assert_eq!(done.status, "succeeded");
    assert_eq!(done.done, 3);
    assert_eq!(done.report.as_deref(), Some("{\"ok\":true}"));
    assert_eq!(done.finished_at, Some(T + 20));
    let other = seller(&store, "other").await;
    assert_eq!(store.job(other, a.id).await.unwrap(), None);
}

async fn jobs_with_lapsed_leases_are_taken_over(store: Store) {
    let org = seller(&store, "lumi").await;
    let a = store
        .enqueue_job(org, "import_products", "{}", T)
        .await
        .unwrap();
    let (first, _) = store.claim_job(T, 1_000).await.unwrap().unwrap();
    assert_eq!(first.id, a.id);
    assert!(
        store.claim_job(T + 999, 1_000).await.unwrap().is_none(),
        "lease still held"
    );
    let (again, _) = store.claim_job(T + 1_001, 1_000).await.unwrap().unwrap();
    assert_eq!(again.id, a.id, "a dead worker's job is taken over");
    assert_eq!(again.started_at, Some(T), "the first start is kept");
}

async fn concurrent_claims_hand_each_job_to_one_worker(store: Store) {
    let org = seller(&store, "lumi").await;
    for i in 0..10 {
        store
            .enqueue_job(org, "import_products", &format!("{{\"n\":{i}}}"), T + i)
            .await
            .unwrap();
    }
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            s.claim_job(T + 100, 60_000)
                .await
                .unwrap()
                .map(|(j, _)| j.id)
        }));
    }
    let mut claimed: Vec<i64> = Vec::new();
    for t in tasks {
        if let Some(id) = t.await.unwrap() {
            claimed.push(id);
        }
    }
    claimed.sort_unstable();
    let before = claimed.len();
    claimed.dedup();
    assert_eq!(before, claimed.len(), "no job was claimed twice");
    assert_eq!(claimed.len(), 10, "every job was claimed");
}
