//! The demo: what an empty database is seeded with unless `--no-demo`.

pub mod catalog;
pub mod customs;
pub mod inventory;

use anyhow::Result;
use chuhai_domain::accounts::{hash_password, Email, OrganisationKind, Role, Slug, UiLocale};
use chuhai_store::accounts::{NewOrganisation, NewUser};
use chuhai_store::{Store, StoreError};

pub const SELLER_SLUG: &str = "lumi";
pub const OWNER_EMAIL: &str = "demo@chuhai.test";
pub const PASSWORD: &str = "chuhai-demo";
/// The demo 3PL that runs the overseas warehouses.
pub const OPERATOR_SLUG: &str = "pacific-gateway";

struct DemoOrg {
    kind: OrganisationKind,
    slug: &'static str,
    name: &'static str,
    name_zh: &'static str,
    email: &'static str,
    person: &'static str,
    role: Role,
    locale: Option<UiLocale>,
}

const DEMO: &[DemoOrg] = &[
    DemoOrg {
        kind: OrganisationKind::Seller,
        slug: SELLER_SLUG,
        name: "Shenzhen Lumi Lighting Co.",
        name_zh: "深圳光米照明",
        email: OWNER_EMAIL,
        person: "Chen Jing 陈静",
        role: Role::Owner,
        locale: None,
    },
    DemoOrg {
        kind: OrganisationKind::WarehouseOperator,
        slug: OPERATOR_SLUG,
        name: "Pacific Gateway Logistics",
        name_zh: "太平洋通途物流",
        email: "warehouse@chuhai.test",
        person: "Maria Lopez",
        role: Role::Owner,
        locale: Some(UiLocale::En),
    },
    DemoOrg {
        kind: OrganisationKind::Platform,
        slug: "chuhai-platform",
        name: "Chuhai Platform",
        name_zh: "出海平台",
        email: "operator@chuhai.test",
        person: "Platform Operator",
        role: Role::PlatformAdmin,
        locale: None,
    },
];

/// Seeds the demo organisations when the database has none. Safe to run
/// from several processes at once: a slug already taken means another
/// process seeded first.
pub async fn seed_if_empty(store: &Store) -> Result<()> {
    if store.has_organisations().await? {
        return Ok(());
    }
    let hash = tokio::task::spawn_blocking(|| hash_password(PASSWORD).0).await?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64;
    let mut seller_id = None;
    for d in DEMO {
        let org = NewOrganisation {
            kind: d.kind,
            slug: Slug::parse(d.slug)?,
            name: d.name.to_owned(),
            name_zh: Some(d.name_zh.to_owned()),
        };
        let user = NewUser {
            email: Email::parse(d.email)?,
            display_name: d.person.to_owned(),
            password_hash: hash.clone(),
            role: d.role,
            locale: d.locale,
        };
        match store.create_organisation_with_user(&org, &user, now).await {
            Ok((o, _)) if d.slug == SELLER_SLUG => seller_id = Some(o.id),
            Ok(_) | Err(StoreError::Conflict { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    // Only the process that created the seller gives it its catalog,
    // warehouses and stock.
    if let Some(id) = seller_id {
        catalog::seed(store, id, now).await?;
        customs::seed(store, id, now).await?;
        if let Some(operator) = store.organisation_by_slug(OPERATOR_SLUG).await? {
            inventory::seed(store, id, operator.id, now).await?;
        }
    }
    tracing::info!("seeded the demo organisations (demo login {OWNER_EMAIL} / {PASSWORD})");
    Ok(())
}
