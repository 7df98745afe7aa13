//! The storage conformance suite: the same cases, run against SQLite always
//! and against PostgreSQL when `CHUHAI_TEST_POSTGRES_URL` is set (CI sets it;
//! outside CI the run says that it skipped). Behaviour must be identical on
//! both backends.
//!
//! Each case is an `async fn(Store)` below; [`conformance!`] turns it into a
//! `sqlite::<case>` and a `postgres::<case>` test, each on a fresh database.
//! Times are explicit [`Millis`] values, never the clock.

mod common;

/// Generates one test per backend for each listed case.
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
    migrations_apply_once,
    organisation_and_owner_created_atomically_and_readable,
    duplicate_slug_conflicts_and_writes_nothing,
    duplicate_email_conflicts,
    role_not_allowed_in_organisation_kind_is_refused,
    users_page_by_ascending_id,
    organisations_page_by_ascending_id,
    api_tokens_page_by_ascending_id,
    tenants_are_isolated,
    sessions_live_expire_and_end,
    api_tokens_authenticate_until_revoked_or_expired,
    api_token_usage_recorded_at_most_once_a_minute,
    revoking_twice_keeps_first_revoked_at,
    login_failures_counted_by_email_and_ip_within_window,
    idempotency_keys_claim_replay_mismatch_release,
    idempotency_keys_forgotten_before_cutoff_can_be_reclaimed,
    concurrent_claims_of_one_idempotency_key_claim_once,
    organisation_counts_users_and_live_tokens,
    user_locale_persists,
);

use chuhai_domain::accounts::{Email, OrganisationKind, Role, Scope, Scopes, Slug, UiLocale};
use chuhai_store::accounts::{NewApiToken, NewOrganisation, NewUser, Organisation, User};
use chuhai_store::idempotency::IdempotencyClaim;
use chuhai_store::{Millis, Page, Store, StoreError};

/// A fixed instant (2027-01-15) that the cases count from.
const T: Millis = 1_800_000_000_000;
const SECOND: Millis = 1_000;
const MINUTE: Millis = 60 * SECOND;
const HOUR: Millis = 60 * MINUTE;
const DAY: Millis = 24 * HOUR;

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

fn email(raw: &str) -> Email {
    Email::parse(raw).expect("valid test e-mail")
}

fn new_org(kind: OrganisationKind, slug: &str) -> NewOrganisation {
    NewOrganisation {
        kind,
        slug: Slug::parse(slug).expect("valid test slug"),
        name: format!("{slug} Ltd"),
        name_zh: None,
    }
}

fn new_user(address: &str, role: Role) -> NewUser {
    NewUser {
        email: email(address),
        display_name: format!("User {address}"),
        password_hash: format!("hash-of-{address}"),
        role,
        locale: None,
    }
}

fn new_token(
    owner: &User,
    hash: &str,
    scopes: &[Scope],
    expires_at: Option<Millis>,
) -> NewApiToken {
    NewApiToken {
        organisation_id: owner.organisation_id,
        user_id: owner.id,
        name: format!("token {hash}"),
        token_hash: hash.to_owned(),
        prefix: hash.chars().take(8).collect(),
        scopes: Scopes::from_list(scopes),
        expires_at,
    }
}

/// A seller organisation `slug` with its owner `owner@<slug>.example`.
async fn seller(store: &Store, slug: &str) -> (Organisation, User) {
    store
        .create_organisation_with_user(
            &new_org(OrganisationKind::Seller, slug),
            &new_user(&format!("owner@{slug}.example"), Role::Owner),
            T,
        )
        .await
        .expect("create seller with owner")
}

/// Follows `next_after` from the start with pages of `limit`, checking each
/// page's shape, and returns the pages' ids.
async fn collect_pages<T, F, Fut>(limit: u32, id: impl Fn(&T) -> i64, mut page: F) -> Vec<Vec<i64>>
where
    F: FnMut(i64) -> Fut,
    Fut: std::future::Future<Output = Result<Page<T>, StoreError>>,
{
    let mut pages = Vec::new();
    let mut after = 0;
    loop {
        let p = page(after).await.expect("list a page");
        let ids: Vec<i64> = p.items.iter().map(&id).collect();
        assert!(
            ids.len() <= limit as usize,
            "page longer than limit: {ids:?}"
        );
        if let Some(next) = p.next_after {
            assert_eq!(
                Some(&next),
                ids.last(),
                "next_after must be the last id of a non-final page"
            );
            after = next;
            pages.push(ids);
        } else {
            pages.push(ids);
            return pages;
        }
        assert!(pages.len() < 100, "pagination does not end");
    }
}

/// Checks a paging walk: sizes as expected, ids strictly ascending across
/// pages (so no overlap), and exactly the expected ids.
fn assert_paged(pages: &[Vec<i64>], sizes: &[usize], mut expected: Vec<i64>) {
    let got_sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
    assert_eq!(got_sizes, sizes, "page sizes (pages: {pages:?})");
    let all: Vec<i64> = pages.concat();
    assert!(
        all.windows(2).all(|w| w[0] < w[1]),
        "ids must ascend with no overlap across pages: {pages:?}"
    );
    expected.sort_unstable();
    assert_eq!(all, expected, "pages must hold exactly the expected ids");
}

// ---------------------------------------------------------------------------
// Migrations
// ---------------------------------------------------------------------------

async fn migrations_apply_once(store: Store) {
    // `Store::open` has applied every migration already.
    assert_eq!(store.migrate().await.expect("migrate again"), 0);
    assert_eq!(store.migrate().await.expect("migrate a third time"), 0);
    assert_eq!(
        store.schema_version().await.expect("schema version"),
        chuhai_store::latest_schema_version()
    );
    assert_eq!(chuhai_store::latest_schema_version(), 10);
    store.ping().await.expect("ping");
    assert!(!store.has_organisations().await.expect("has organisations"));
}

// ---------------------------------------------------------------------------
// Organisations and users
// ---------------------------------------------------------------------------

async fn organisation_and_owner_created_atomically_and_readable(store: Store) {
    let mut org = new_org(OrganisationKind::Seller, "acme-trading");
    org.name = "Acme Trading".into();
    org.name_zh = Some("艾克美贸易".into());
    let mut owner = new_user("Owner@Acme.Example", Role::Owner);
    owner.password_hash = "x".into();
    owner.locale = Some(UiLocale::ZhCn);

    let (o, u) = store
        .create_organisation_with_user(&org, &owner, T)
        .await
        .expect("create organisation with owner");
    assert_eq!(o.kind, OrganisationKind::Seller);
    assert_eq!(o.slug, "acme-trading");
    assert_eq!(o.name, "Acme Trading");
    assert_eq!(o.name_zh.as_deref(), Some("艾克美贸易"));
    assert_eq!(o.created_at, T);
    assert_eq!(u.organisation_id, o.id);
    assert_eq!(
        u.email, "owner@acme.example",
        "e-mails are stored lower-cased"
    );
    assert_eq!(u.display_name, "User Owner@Acme.Example");
    assert_eq!(u.role, Role::Owner);
    assert_eq!(u.locale, Some(UiLocale::ZhCn));
    assert_eq!(u.created_at, T);

    assert!(store.has_organisations().await.unwrap());
    assert_eq!(store.organisation(o.id).await.unwrap(), Some(o.clone()));
    assert_eq!(store.organisation(o.id + 1000).await.unwrap(), None);
    assert_eq!(
        store.organisation_by_slug("acme-trading").await.unwrap(),
        Some(o.clone())
    );
    assert_eq!(store.organisation_by_slug("acme").await.unwrap(), None);
    assert_eq!(
        store
            .user_for_login(&email("OWNER@acme.example"))
            .await
            .unwrap(),
        Some((u.clone(), "x".to_owned()))
    );
    assert_eq!(
        store
            .user_for_login(&email("nobody@acme.example"))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store.user_in_organisation(o.id, u.id).await.unwrap(),
        Some(u.clone())
    );

    // Atomic: when the owner cannot be written, neither is the organisation.
    let err = store
        .create_organisation_with_user(
            &new_org(OrganisationKind::Seller, "acme-two"),
            &new_user("owner@acme.example", Role::Owner),
            T + 1,
        )
        .await
        .expect_err("the owner's e-mail is taken");
    assert!(
        matches!(err, StoreError::Conflict { what: "email" }),
        "expected Conflict{{email}}, got {err:?}"
    );
    assert_eq!(store.organisation_by_slug("acme-two").await.unwrap(), None);
    let all = store.list_organisations(0, 10).await.unwrap();
    assert_eq!(all.items, vec![o.clone()]);
    // … and the slug of the failed attempt is still free.
    store
        .create_organisation_with_user(
            &new_org(OrganisationKind::Seller, "acme-two"),
            &new_user("owner@acme-two.example", Role::Owner),
            T + 2,
        )
        .await
        .expect("the slug of the rolled-back attempt is free");
}

async fn duplicate_slug_conflicts_and_writes_nothing(store: Store) {
    let (o, _) = seller(&store, "acme").await;
    let err = store
        .create_organisation_with_user(
            &new_org(OrganisationKind::WarehouseOperator, "acme"),
            &new_user("second@example.com", Role::Owner),
            T + 1,
        )
        .await
        .expect_err("the slug is taken");
    assert!(
        matches!(err, StoreError::Conflict { what: "slug" }),
        "expected Conflict{{slug}}, got {err:?}"
    );
    // Nothing of the failed attempt was written.
    assert_eq!(
        store.organisation_by_slug("acme").await.unwrap(),
        Some(o.clone())
    );
    assert_eq!(
        store.list_organisations(0, 10).await.unwrap().items,
        vec![o]
    );
    assert_eq!(
        store
            .user_for_login(&email("second@example.com"))
            .await
            .unwrap(),
        None
    );
    // The e-mail of the failed attempt is still free.
    let (o2, u2) = store
        .create_organisation_with_user(
            &new_org(OrganisationKind::WarehouseOperator, "acme-3pl"),
            &new_user("second@example.com", Role::Owner),
            T + 2,
        )
        .await
        .expect("the e-mail of the failed attempt is free");
    assert_eq!(u2.organisation_id, o2.id);
    assert_eq!(o2.kind, OrganisationKind::WarehouseOperator);
}

async fn duplicate_email_conflicts(store: Store) {
    let (o, owner) = seller(&store, "acme").await;
    let (other, _) = seller(&store, "globex").await;
    let staff = store
        .create_user(o.id, &new_user("staff@acme.example", Role::Staff), T + 1)
        .await
        .expect("create staff");
    assert_eq!(staff.organisation_id, o.id);
    assert_eq!(staff.role, Role::Staff);

    // Same e-mail, in the same organisation or in another one, in any case.
    for (org_id, address) in [
        (o.id, "staff@acme.example"),
        (o.id, "Owner@ACME.example"),
        (other.id, "staff@acme.example"),
    ] {
        let err = store
            .create_user(org_id, &new_user(address, Role::Staff), T + 2)
            .await
            .expect_err("the e-mail is taken");
        assert!(
            matches!(err, StoreError::Conflict { what: "email" }),
            "expected Conflict{{email}} for {address}, got {err:?}"
        );
    }
    let users = store.list_users(o.id, 0, 10).await.unwrap();
    assert_eq!(users.items, vec![owner, staff]);
    assert_eq!(
        store.list_users(other.id, 0, 10).await.unwrap().items.len(),
        1
    );

    // A missing organisation is NotFound, not a conflict.
    let err = store
        .create_user(o.id + 1000, &new_user("new@acme.example", Role::Staff), T)
        .await
        .expect_err("no such organisation");
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                what: "organisation"
            }
        ),
        "expected NotFound{{organisation}}, got {err:?}"
    );
}

async fn role_not_allowed_in_organisation_kind_is_refused(store: Store) {
    // The store refuses these before writing, with a Config error.
    fn assert_refused(result: Result<impl std::fmt::Debug, StoreError>) {
        match result {
            Err(StoreError::Invalid { field, reason }) => {
                assert_eq!(field, "role");
                assert!(
                    reason.contains("is not allowed in a"),
                    "unexpected message: {reason}"
                )
            }
            other => panic!("expected the role to be refused, got {other:?}"),
        }
    }

    for (kind, role) in [
        (OrganisationKind::Seller, Role::WarehouseOperator),
        (OrganisationKind::Seller, Role::PlatformAdmin),
        (OrganisationKind::WarehouseOperator, Role::Staff),
        (OrganisationKind::Platform, Role::Owner),
    ] {
        assert_refused(
            store
                .create_organisation_with_user(
                    &new_org(kind, "refused"),
                    &new_user("refused@example.com", role),
                    T,
                )
                .await,
        );
    }
    assert!(!store.has_organisations().await.unwrap());
    assert_eq!(store.organisation_by_slug("refused").await.unwrap(), None);

    let (o, owner) = seller(&store, "acme").await;
    for role in [Role::WarehouseOperator, Role::PlatformAdmin] {
        assert_refused(
            store
                .create_user(o.id, &new_user("refused@example.com", role), T + 1)
                .await,
        );
    }
    assert_eq!(
        store.list_users(o.id, 0, 10).await.unwrap().items,
        vec![owner]
    );
    assert_eq!(
        store
            .user_for_login(&email("refused@example.com"))
            .await
            .unwrap(),
        None
    );
    // The refusals left the store writable (no transaction left open).
    store
        .create_user(o.id, &new_user("refused@example.com", Role::Staff), T + 2)
        .await
        .expect("an allowed role is accepted");
    let (p, admin) = store
        .create_organisation_with_user(
            &new_org(OrganisationKind::Platform, "operator"),
            &new_user("admin@example.com", Role::PlatformAdmin),
            T + 3,
        )
        .await
        .expect("a platform admin in the platform organisation");
    assert_eq!(admin.organisation_id, p.id);
}

// ---------------------------------------------------------------------------
// Pagination
// ---------------------------------------------------------------------------

async fn users_page_by_ascending_id(store: Store) {
    let (o, owner) = seller(&store, "acme").await;
    let (other, _) = seller(&store, "globex").await;
    let mut ids = vec![owner.id];
    for i in 1..=4 {
        let u = store
            .create_user(
                o.id,
                &new_user(&format!("staff{i}@acme.example"), Role::Staff),
                T + i,
            )
            .await
            .unwrap();
        ids.push(u.id);
        // Interleave another tenant's users, which must not show up.
        store
            .create_user(
                other.id,
                &new_user(&format!("staff{i}@globex.example"), Role::Staff),
                T + i,
            )
            .await
            .unwrap();
    }
    let pages = collect_pages(2, |u: &User| u.id, |after| store.list_users(o.id, after, 2)).await;
    assert_paged(&pages, &[2, 2, 1], ids.clone());

    // An exact multiple of the limit ends without an empty extra page.
    let pages = collect_pages(5, |u: &User| u.id, |after| store.list_users(o.id, after, 5)).await;
    assert_paged(&pages, &[5], ids.clone());
    let pages = collect_pages(1, |u: &User| u.id, |after| store.list_users(o.id, after, 1)).await;
    assert_paged(&pages, &[1, 1, 1, 1, 1], ids.clone());

    // Past the last id: empty, last page.
    let last = *ids.iter().max().unwrap();
    assert_eq!(
        store.list_users(o.id, last, 2).await.unwrap(),
        Page {
            items: vec![],
            next_after: None
        }
    );
}

async fn organisations_page_by_ascending_id(store: Store) {
    let mut ids = Vec::new();
    for slug in ["org-a", "org-b", "org-c", "org-d", "org-e"] {
        ids.push(seller(&store, slug).await.0.id);
    }
    let pages = collect_pages(
        2,
        |o: &Organisation| o.id,
        |after| store.list_organisations(after, 2),
    )
    .await;
    assert_paged(&pages, &[2, 2, 1], ids.clone());
    let pages = collect_pages(
        5,
        |o: &Organisation| o.id,
        |after| store.list_organisations(after, 5),
    )
    .await;
    assert_paged(&pages, &[5], ids);
}

async fn api_tokens_page_by_ascending_id(store: Store) {
    let (o, owner) = seller(&store, "acme").await;
    let staff = store
        .create_user(o.id, &new_user("staff@acme.example", Role::Staff), T)
        .await
        .unwrap();
    let (_, stranger) = seller(&store, "globex").await;
    let mut all = Vec::new();
    let mut owners = Vec::new();
    for i in 0..5 {
        let by = if i % 2 == 0 { &owner } else { &staff };
        let t = store
            .create_api_token(
                &new_token(by, &format!("acme-token-{i}"), &[Scope::OrdersRead], None),
                T + i,
            )
            .await
            .unwrap();
        all.push(t.id);
        if by.id == owner.id {
            owners.push(t.id);
        }
        store
            .create_api_token(
                &new_token(
                    &stranger,
                    &format!("globex-token-{i}"),
                    &[Scope::OrdersRead],
                    None,
                ),
                T + i,
            )
            .await
            .unwrap();
    }
    let pages = collect_pages(
        2,
        |t: &chuhai_store::accounts::ApiToken| t.id,
        |after| store.list_api_tokens(o.id, None, after, 2),
    )
    .await;
    assert_paged(&pages, &[2, 2, 1], all);

    // Narrowed to one user: the owner made tokens 0, 2 and 4.
    let pages = collect_pages(
        2,
        |t: &chuhai_store::accounts::ApiToken| t.id,
        |after| store.list_api_tokens(o.id, Some(owner.id), after, 2),
    )
    .await;
    assert_paged(&pages, &[2, 1], owners);
    // Another organisation's user narrows to nothing.
    let page = store
        .list_api_tokens(o.id, Some(stranger.id), 0, 2)
        .await
        .unwrap();
    assert!(page.items.is_empty() && page.next_after.is_none());
}

// ---------------------------------------------------------------------------
// Tenant isolation
// ---------------------------------------------------------------------------

async fn tenants_are_isolated(store: Store) {
    let (a, alice) = seller(&store, "acme").await;
    let (b, bob) = seller(&store, "globex").await;
    let token = store
        .create_api_token(
            &new_token(&alice, "alice-token", &[Scope::CatalogRead], None),
            T,
        )
        .await
        .unwrap();
    assert_eq!(token.organisation_id, a.id);

    assert_eq!(
        store.user_in_organisation(a.id, alice.id).await.unwrap(),
        Some(alice.clone())
    );
    assert_eq!(
        store.user_in_organisation(b.id, alice.id).await.unwrap(),
        None
    );
    assert_eq!(
        store.user_in_organisation(a.id, bob.id).await.unwrap(),
        None
    );

    assert_eq!(
        store.api_token(a.id, token.id).await.unwrap(),
        Some(token.clone())
    );
    assert_eq!(store.api_token(b.id, token.id).await.unwrap(), None);
    assert!(store
        .list_api_tokens(b.id, None, 0, 10)
        .await
        .unwrap()
        .items
        .is_empty());

    let err = store
        .revoke_api_token(b.id, token.id, T + 1)
        .await
        .expect_err("another organisation's token");
    assert!(
        matches!(err, StoreError::NotFound { what: "token" }),
        "expected NotFound{{token}}, got {err:?}"
    );
    // … and the token is untouched.
    assert_eq!(
        store
            .api_token(a.id, token.id)
            .await
            .unwrap()
            .unwrap()
            .revoked_at,
        None
    );
    assert!(store
        .token_principal("alice-token", T + 2)
        .await
        .unwrap()
        .is_some());
}

// ---------------------------------------------------------------------------
// Sessions and API tokens
// ---------------------------------------------------------------------------

async fn sessions_live_expire_and_end(store: Store) {
    let (o, u) = seller(&store, "acme").await;
    let expires = T + 12 * HOUR;
    store
        .create_session(&u, "session-hash", "csrf-secret", T, expires)
        .await
        .expect("create session");

    let p = store
        .session_principal("session-hash", T + 1)
        .await
        .unwrap()
        .expect("a live session");
    assert_eq!(p.user, u);
    assert_eq!(p.organisation, o);
    assert_eq!(p.scopes, Scopes::all());
    assert_eq!(p.token_id, None);
    assert_eq!(p.csrf_token.as_deref(), Some("csrf-secret"));
    assert!(store
        .session_principal("other-hash", T + 1)
        .await
        .unwrap()
        .is_none());

    // Live until the instant it expires.
    assert!(store
        .session_principal("session-hash", expires - 1)
        .await
        .unwrap()
        .is_some());
    assert_eq!(
        store
            .session_principal("session-hash", expires)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .session_principal("session-hash", expires + DAY)
            .await
            .unwrap(),
        None
    );

    store
        .create_session(&u, "second-hash", "csrf-2", T + 1, expires)
        .await
        .unwrap();
    store.delete_session("second-hash").await.expect("logout");
    assert_eq!(
        store.session_principal("second-hash", T + 2).await.unwrap(),
        None
    );
    // Deleting one session leaves the others, and deleting twice is harmless.
    assert!(store
        .session_principal("session-hash", T + 2)
        .await
        .unwrap()
        .is_some());
    store
        .delete_session("second-hash")
        .await
        .expect("logout again");
}

async fn api_tokens_authenticate_until_revoked_or_expired(store: Store) {
    let (o, u) = seller(&store, "acme").await;
    let scopes = [Scope::CatalogWrite, Scope::OrdersRead];
    let t = store
        .create_api_token(&new_token(&u, "live-token-hash", &scopes, None), T)
        .await
        .expect("create token");
    assert_eq!(t.organisation_id, o.id);
    assert_eq!(t.user_id, u.id);
    assert_eq!(t.name, "token live-token-hash");
    assert_eq!(t.prefix, "live-tok");
    assert_eq!(t.scopes, Scopes::from_list(&scopes));
    assert_eq!(t.created_at, T);
    assert_eq!(
        (t.expires_at, t.last_used_at, t.revoked_at),
        (None, None, None)
    );

    let dup = store
        .create_api_token(&new_token(&u, "live-token-hash", &scopes, None), T)
        .await
        .expect_err("the token hash is taken");
    assert!(
        matches!(dup, StoreError::Conflict { what: "token" }),
        "expected Conflict{{token}}, got {dup:?}"
    );

    let p = store
        .token_principal("live-token-hash", T + SECOND)
        .await
        .unwrap()
        .expect("a live token");
    assert_eq!(p.scopes, Scopes::from_list(&scopes));
    assert!(p.scopes.contains(Scope::CatalogWrite) && !p.scopes.contains(Scope::CatalogRead));
    assert_eq!(p.token_id, Some(t.id));
    assert_eq!(p.csrf_token, None);
    assert_eq!(p.user, u);
    assert_eq!(p.organisation, o);
    assert_eq!(
        store.token_principal("unknown-hash", T).await.unwrap(),
        None
    );

    let revoked = store
        .revoke_api_token(o.id, t.id, T + MINUTE)
        .await
        .unwrap();
    assert_eq!(revoked.revoked_at, Some(T + MINUTE));
    assert_eq!(
        store
            .token_principal("live-token-hash", T + 2 * MINUTE)
            .await
            .unwrap(),
        None
    );

    // Live until the instant it expires.
    let expires = T + HOUR;
    let e = store
        .create_api_token(
            &new_token(&u, "expiring-hash", &[Scope::AccountRead], Some(expires)),
            T,
        )
        .await
        .unwrap();
    assert_eq!(e.expires_at, Some(expires));
    assert!(store
        .token_principal("expiring-hash", expires - 1)
        .await
        .unwrap()
        .is_some());
    assert_eq!(
        store
            .token_principal("expiring-hash", expires)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .token_principal("expiring-hash", expires + DAY)
            .await
            .unwrap(),
        None
    );
}

async fn api_token_usage_recorded_at_most_once_a_minute(store: Store) {
    let (o, u) = seller(&store, "acme").await;
    let t = store
        .create_api_token(&new_token(&u, "usage-hash", &[Scope::OrdersRead], None), T)
        .await
        .unwrap();
    let last_used = |store: Store| async move {
        store
            .api_token(o.id, t.id)
            .await
            .unwrap()
            .unwrap()
            .last_used_at
    };
    assert_eq!(last_used(store.clone()).await, None);

    let at = T + HOUR;
    assert!(store
        .token_principal("usage-hash", at)
        .await
        .unwrap()
        .is_some());
    assert_eq!(last_used(store.clone()).await, Some(at));
    assert!(store
        .token_principal("usage-hash", at + 30 * SECOND)
        .await
        .unwrap()
        .is_some());
    assert_eq!(
        last_used(store.clone()).await,
        Some(at),
        "not recorded again within a minute"
    );
    assert!(store
        .token_principal("usage-hash", at + 61 * SECOND)
        .await
        .unwrap()
        .is_some());
    assert_eq!(last_used(store.clone()).await, Some(at + 61 * SECOND));
}

async fn revoking_twice_keeps_first_revoked_at(store: Store) {
    let (o, u) = seller(&store, "acme").await;
    let t = store
        .create_api_token(&new_token(&u, "revoke-hash", &[Scope::OrdersRead], None), T)
        .await
        .unwrap();
    let first = store
        .revoke_api_token(o.id, t.id, T + MINUTE)
        .await
        .unwrap();
    assert_eq!(first.revoked_at, Some(T + MINUTE));
    let second = store.revoke_api_token(o.id, t.id, T + HOUR).await.unwrap();
    assert_eq!(second.revoked_at, Some(T + MINUTE));
    assert_eq!(second, first);
    assert_eq!(store.api_token(o.id, t.id).await.unwrap(), Some(first));

    let err = store
        .revoke_api_token(o.id, t.id + 1000, T)
        .await
        .expect_err("no such token");
    assert!(
        matches!(err, StoreError::NotFound { what: "token" }),
        "expected NotFound{{token}}, got {err:?}"
    );
}

// ---------------------------------------------------------------------------
// Login throttling
// ---------------------------------------------------------------------------

async fn login_failures_counted_by_email_and_ip_within_window(store: Store) {
    let keep = T - DAY;
    let alice = "alice@example.com";
    let (ip1, ip2) = ("192.0.2.1", "192.0.2.2");
    store
        .record_login_failure(alice, ip1, T, keep)
        .await
        .unwrap();
    store
        .record_login_failure(alice, ip2, T + SECOND, keep)
        .await
        .unwrap();
    store
        .record_login_failure("bob@example.com", ip1, T + 2 * SECOND, keep)
        .await
        .unwrap();

    let c = store
        .login_failures_since(alice, ip1, T - MINUTE)
        .await
        .unwrap();
    assert_eq!((c.by_email, c.by_ip, c.oldest_at), (2, 2, Some(T)));
    let c = store
        .login_failures_since(alice, ip2, T - MINUTE)
        .await
        .unwrap();
    assert_eq!((c.by_email, c.by_ip, c.oldest_at), (2, 1, Some(T)));
    let c = store
        .login_failures_since("carol@example.com", "198.51.100.7", T - MINUTE)
        .await
        .unwrap();
    assert_eq!((c.by_email, c.by_ip, c.oldest_at), (0, 0, None));

    // The window excludes older failures; `since` itself is inside it.
    let c = store
        .login_failures_since(alice, ip1, T + SECOND)
        .await
        .unwrap();
    assert_eq!((c.by_email, c.by_ip, c.oldest_at), (1, 1, Some(T + SECOND)));
    let c = store
        .login_failures_since(alice, ip1, T + 3 * SECOND)
        .await
        .unwrap();
    assert_eq!((c.by_email, c.by_ip, c.oldest_at), (0, 0, None));

    // A success clears the e-mail's failures, not the address's others.
    store.clear_login_failures(alice).await.unwrap();
    let c = store
        .login_failures_since(alice, ip1, T - MINUTE)
        .await
        .unwrap();
    assert_eq!(
        (c.by_email, c.by_ip, c.oldest_at),
        (0, 1, Some(T + 2 * SECOND))
    );

    // Recording forgets failures older than `forget_before`.
    store
        .record_login_failure(alice, ip1, T + DAY, T + HOUR)
        .await
        .unwrap();
    let c = store.login_failures_since(alice, ip1, 0).await.unwrap();
    assert_eq!((c.by_email, c.by_ip, c.oldest_at), (1, 1, Some(T + DAY)));
}

// ---------------------------------------------------------------------------
// Idempotency keys
// ---------------------------------------------------------------------------

async fn idempotency_keys_claim_replay_mismatch_release(store: Store) {
    let forget = T - DAY;
    let claim = |key: &'static str, hash: &'static str, now: Millis| {
        let store = store.clone();
        async move {
            store
                .claim_idempotency_key("user:1", key, hash, now, forget)
                .await
                .expect("claim")
        }
    };

    assert_eq!(claim("k1", "h1", T).await, IdempotencyClaim::Claimed);
    assert_eq!(claim("k1", "h1", T + 1).await, IdempotencyClaim::InProgress);
    assert_eq!(claim("k1", "h2", T + 1).await, IdempotencyClaim::Mismatch);
    // Keys belong to their principal.
    assert_eq!(
        store
            .claim_idempotency_key("user:2", "k1", "h2", T + 1, forget)
            .await
            .unwrap(),
        IdempotencyClaim::Claimed
    );

    store
        .complete_idempotency_key("user:1", "k1", 201, r#"{"id":7,"name":"茶"}"#)
        .await
        .unwrap();
    assert_eq!(
        claim("k1", "h1", T + 2).await,
        IdempotencyClaim::Replay {
            status: 201,
            body: r#"{"id":7,"name":"茶"}"#.into()
        }
    );
    assert_eq!(claim("k1", "h2", T + 2).await, IdempotencyClaim::Mismatch);
    // A completed key is not released: it keeps replaying.
    store.release_idempotency_key("user:1", "k1").await.unwrap();
    assert!(matches!(
        claim("k1", "h1", T + 3).await,
        IdempotencyClaim::Replay { status: 201, .. }
    ));

    // A released claim can be claimed again, even for another body.
    assert_eq!(claim("k2", "h1", T).await, IdempotencyClaim::Claimed);
    store.release_idempotency_key("user:1", "k2").await.unwrap();
    assert_eq!(claim("k2", "h3", T + 1).await, IdempotencyClaim::Claimed);
    assert_eq!(claim("k2", "h3", T + 2).await, IdempotencyClaim::InProgress);
    // Releasing one principal's key leaves another's.
    store.release_idempotency_key("user:1", "k1").await.unwrap();
    assert_eq!(
        store
            .claim_idempotency_key("user:2", "k1", "h2", T + 4, forget)
            .await
            .unwrap(),
        IdempotencyClaim::InProgress
    );
}

async fn idempotency_keys_forgotten_before_cutoff_can_be_reclaimed(store: Store) {
    let ttl = DAY;
    let claim = |key: &'static str, hash: &'static str, now: Millis| {
        let store = store.clone();
        async move {
            store
                .claim_idempotency_key("token:9", key, hash, now, now - ttl)
                .await
                .expect("claim")
        }
    };
    assert_eq!(claim("done", "h1", T).await, IdempotencyClaim::Claimed);
    store
        .complete_idempotency_key("token:9", "done", 200, "{}")
        .await
        .unwrap();
    assert_eq!(claim("stuck", "h1", T).await, IdempotencyClaim::Claimed);

    // Within the retention window, both are remembered.
    assert!(matches!(
        claim("done", "h1", T + ttl).await,
        IdempotencyClaim::Replay { status: 200, .. }
    ));
    assert_eq!(
        claim("stuck", "h2", T + ttl).await,
        IdempotencyClaim::Mismatch
    );

    // Once created before the cutoff, a key is forgotten and claimable anew.
    assert_eq!(
        claim("done", "h2", T + ttl + 1).await,
        IdempotencyClaim::Claimed
    );
    assert_eq!(
        claim("done", "h2", T + ttl + 2).await,
        IdempotencyClaim::InProgress
    );
    assert_eq!(
        claim("stuck", "h1", T + ttl + 1).await,
        IdempotencyClaim::Claimed
    );
}

async fn concurrent_claims_of_one_idempotency_key_claim_once(store: Store) {
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(20));
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let store = store.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                store
                    .claim_idempotency_key("user:1", "race", "same-hash", T + i, T - DAY)
                    .await
                    .expect("claim")
            })
        })
        .collect();
    let mut claimed = 0;
    let mut in_progress = 0;
    for task in tasks {
        match task.await.expect("claim task") {
            IdempotencyClaim::Claimed => claimed += 1,
            IdempotencyClaim::InProgress => in_progress += 1,
            other => panic!("unexpected claim result {other:?}"),
        }
    }
    assert_eq!((claimed, in_progress), (1, 19));
}

// ---------------------------------------------------------------------------
// Counts and preferences
// ---------------------------------------------------------------------------

async fn organisation_counts_users_and_live_tokens(store: Store) {
    let (o, owner) = seller(&store, "acme").await;
    let (other, stranger) = seller(&store, "globex").await;
    assert_eq!(store.organisation_counts(o.id, T).await.unwrap(), (1, 0));
    store
        .create_user(o.id, &new_user("staff@acme.example", Role::Staff), T)
        .await
        .unwrap();

    let now = T + DAY;
    let mk = |hash: &'static str, expires_at: Option<Millis>| {
        let store = store.clone();
        let owner = owner.clone();
        async move {
            store
                .create_api_token(
                    &new_token(&owner, hash, &[Scope::OrdersRead], expires_at),
                    T,
                )
                .await
                .unwrap()
        }
    };
    mk("never-expires", None).await;
    mk("expires-later", Some(now + 1)).await;
    mk("expires-now", Some(now)).await;
    mk("expired", Some(now - HOUR)).await;
    let revoked = mk("revoked", None).await;
    store
        .revoke_api_token(o.id, revoked.id, T + 1)
        .await
        .unwrap();
    store
        .create_api_token(
            &new_token(&stranger, "globex-token", &[Scope::OrdersRead], None),
            T,
        )
        .await
        .unwrap();

    assert_eq!(store.organisation_counts(o.id, now).await.unwrap(), (2, 2));
    assert_eq!(
        store.organisation_counts(other.id, now).await.unwrap(),
        (1, 1)
    );
    assert_eq!(
        store.organisation_counts(o.id + 1000, now).await.unwrap(),
        (0, 0)
    );
}

async fn user_locale_persists(store: Store) {
    let (o, u) = seller(&store, "acme").await;
    let staff = store
        .create_user(o.id, &new_user("staff@acme.example", Role::Staff), T)
        .await
        .unwrap();
    assert_eq!(u.locale, None);

    store.set_user_locale(u.id, UiLocale::ZhCn).await.unwrap();
    let read = store
        .user_in_organisation(o.id, u.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.locale, Some(UiLocale::ZhCn));
    let (login, _) = store
        .user_for_login(&email("owner@acme.example"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(login.locale, Some(UiLocale::ZhCn));
    // Only that user changed.
    assert_eq!(
        store.user_in_organisation(o.id, staff.id).await.unwrap(),
        Some(staff)
    );

    store.set_user_locale(u.id, UiLocale::En).await.unwrap();
    let read = store
        .user_in_organisation(o.id, u.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.locale, Some(UiLocale::En));
    assert_eq!(
        read,
        User {
            locale: Some(UiLocale::En),
            ..u
        }
    );
}
