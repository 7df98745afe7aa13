//! A real server on 127.0.0.1:0 with a fresh SQLite database per test.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use chuhai_store::{Store, StoreConfig};
use chuhai_web::WebSettings;
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub store: Store,
    dir: PathBuf,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A seller organisation made through the API, with its owner's token.
pub struct Tenant {
    pub org_id: i64,
    pub user_id: i64,
    pub email: String,
    pub token: String,
    pub token_id: i64,
}

pub const PASSWORD: &str = "correct horse battery";

impl TestApp {
    pub async fn spawn() -> TestApp {
        let dir = std::env::temp_dir().join(format!(
            "chuhai-web-test-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::open(StoreConfig::new(format!("sqlite://{}/t.db", dir.display())))
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = chuhai_web::app(store.clone(), WebSettings::default());
        tokio::spawn(chuhai_web::serve(listener, app, std::future::pending()));
        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        TestApp {
            base: format!("http://{addr}"),
            client,
            store,
            dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        let mut req = self.client.post(self.url(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }

    /// Signs up a seller `slug` and creates its owner's API token.
    pub async fn tenant(&self, slug: &str) -> Tenant {
        let email = format!("owner@{slug}.example");
        let res = self
            .post_json(
                "/api/v1/signup",
                None,
                &json!({
                    "organisation_name": format!("{slug} Trading Co."),
                    "slug": slug,
                    "owner_name": "Owner",
                    "email": email,
                    "password": PASSWORD,
                }),
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "{}",
            res.text().await.unwrap()
        );
        let body: Value = res.json().await.unwrap();
        let (token, token_id) = self.token(&email, None).await;
        Tenant {
            org_id: body["organisation"]["id"].as_i64().unwrap(),
            user_id: body["user"]["id"].as_i64().unwrap(),
            email,
            token,
            token_id,
        }
    }

    /// Creates an API token for `email` (with `scopes`, or all).
    pub async fn token(&self, email: &str, scopes: Option<&[&str]>) -> (String, i64) {
        let mut body = json!({"email": email, "password": PASSWORD});
        if let Some(s) = scopes {
            body["scopes"] = json!(s);
        }
        let res = self.post_json("/api/v1/auth/tokens", None, &body).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let v: Value = res.json().await.unwrap();
        (
            v["token"].as_str().unwrap().to_owned(),
            v["id"].as_i64().unwrap(),
        )
    }
}

/// Asserts a problem+json response with `status` and `code`; returns the body.
pub async fn expect_problem(res: Response, status: u16, code: &str) -> Value {
    assert_eq!(res.status().as_u16(), status, "unexpected status");
    assert_eq!(
        res.headers().get("content-type").unwrap(),
        "application/problem+json"
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status);
    body
}
