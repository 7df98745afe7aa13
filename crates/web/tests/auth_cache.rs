//! API tokens are looked up once and then served from memory while nothing
//! is committed to the database: a revocation, by this server or by any
//! other process on the same SQLite file, takes effect on the very next
//! request.

mod common;

use chuhai_store::{Store, StoreConfig};
use common::{expect_problem, TestApp};

#[tokio::test]
async fn a_revoked_token_is_refused_on_the_next_request() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    // Warm the cache: the first lookup records the token's use (a commit),
    // the next ones are served from memory.
    for _ in 0..3 {
        assert_eq!(app.get("/api/v1/me", &t.token).await.status(), 200);
    }
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/auth/tokens/{}", t.token_id)))
        .bearer_auth(&t.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app.get("/api/v1/me", &t.token).await;
    expect_problem(res, 401, "unauthorized").await;
}

#[tokio::test]
async fn a_revocation_by_another_process_is_seen_at_once() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    let (token, token_id) = app.token(&t.email, None).await;
    for _ in 0..3 {
        assert_eq!(app.get("/api/v1/me", &token).await.status(), 200);
    }
    // Another process (here: its own connections to the same file, as the
    // command line has) revokes the token.
    let other = Store::open(StoreConfig::new(app.database_url()))
        .await
        .unwrap();
    other
        .revoke_api_token(t.org_id, token_id, 1_900_000_000_000)
        .await
        .unwrap();
    let res = app.get("/api/v1/me", &token).await;
    expect_problem(res, 401, "unauthorized").await;
    // The other token of the same user is unaffected.
    assert_eq!(app.get("/api/v1/me", &t.token).await.status(), 200);
    other.close().await;
}

#[tokio::test]
async fn the_commit_token_moves_with_every_commit() {
    let app = TestApp::spawn().await;
    let before = app.store.commit_token().expect("SQLite has a WAL index");
    assert_eq!(
        app.store.commit_token(),
        Some(before),
        "no write, no change"
    );
    app.tenant("lumi").await;
    assert_ne!(app.store.commit_token(), Some(before));
}
