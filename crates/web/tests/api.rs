//! The JSON API over real HTTP: accounts, tokens, errors and conventions.

mod common;

use common::{expect_problem, TestApp, PASSWORD};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn signup_then_token_then_me() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    let res = app.get("/api/v1/me", &t.token).await;
    assert_eq!(res.status(), StatusCode::OK);
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["user"]["email"], "owner@lumi.example");
    assert_eq!(me["user"]["role"], "owner");
    assert_eq!(me["organisation"]["slug"], "lumi");
    assert_eq!(me["organisation"]["kind"], "seller");
    assert!(me["scopes"]
        .as_array()
        .unwrap()
        .contains(&json!("account:read")));
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_401() {
    let app = TestApp::spawn().await;
    app.tenant("lumi").await;
    let wrong = app
        .post_json(
            "/api/v1/auth/tokens",
            None,
            &json!({"email": "owner@lumi.example", "password": "not the password"}),
        )
        .await;
    let a = expect_problem(wrong, 401, "unauthorized").await;
    let unknown = app
        .post_json(
            "/api/v1/auth/tokens",
            None,
            &json!({"email": "nobody@lumi.example", "password": "not the password"}),
        )
        .await;
    let b = expect_problem(unknown, 401, "unauthorized").await;
    assert_eq!(a["detail"], b["detail"]);
    assert_eq!(a["detail"], "the e-mail or password is not correct");
}

#[tokio::test]
async fn repeated_failures_are_rate_limited_with_retry_after() {
    let app = TestApp::spawn().await;
    app.tenant("lumi").await;
    let bad = json!({"email": "owner@lumi.example", "password": "wrong password!"});
    for _ in 0..5 {
        let res = app.post_json("/api/v1/auth/tokens", None, &bad).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let res = app.post_json("/api/v1/auth/tokens", None, &bad).await;
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "Retry-After {retry}");
    expect_problem(res, 429, "too_many_attempts").await;
    // Even the right password waits out the lock.
    let good = json!({"email": "owner@lumi.example", "password": PASSWORD});
    let res = app.post_json("/api/v1/auth/tokens", None, &good).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn malformed_json_is_400_naming_the_position() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .post(app.url("/api/v1/auth/tokens"))
        .header("content-type", "application/json")
        .body("{\"email\": \"a@b.cd\",\n \"password\": }")
        .send()
        .await
        .unwrap();
    let p = expect_problem(res, 400, "malformed_json").await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .ends_with("at line 2 column 14"),
        "{p}"
    );
}

#[tokio::test]
async fn wrong_types_and_unknown_fields_are_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let res = app
        .post_json(
            "/api/v1/auth/tokens",
            None,
            &json!({"email": 5, "password": "x"}),
        )
        .await;
    let p = expect_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "email");
    assert!(p["errors"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("invalid type: integer `5`"));

    let res = app
        .post_json(
            "/api/v1/auth/tokens",
            None,
            &json!({"email": "a@b.cd", "password": "x", "admin": true}),
        )
        .await;
    let p = expect_problem(res, 422, "validation_failed").await;
    assert_eq!(
        p["errors"],
        json!([{"field": "admin", "reason": "is not a known field"}])
    );

    let res = app
        .post_json("/api/v1/signup", None, &json!({"organisation_name": "", "slug": "X", "owner_name": "o", "email": "bad", "password": "short"}))
        .await;
    let p = expect_problem(res, 422, "validation_failed").await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["organisation_name", "slug", "email", "password"]);
}

#[tokio::test]
async fn body_that_is_not_json_is_415() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .post(app.url("/api/v1/auth/tokens"))
        .header("content-type", "text/plain")
        .body("email=a")
        .send()
        .await
        .unwrap();
    expect_problem(res, 415, "unsupported_media_type").await;
}

#[tokio::test]
async fn oversize_body_is_413() {
    let app = TestApp::spawn().await;
    let big = format!(
        "{{\"email\": \"{}\", \"password\": \"x\"}}",
        "a".repeat(2 * 1024 * 1024)
    );
    let res = app
        .client
        .post(app.url("/api/v1/auth/tokens"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    expect_problem(res, 413, "payload_too_large").await;
}

#[tokio::test]
async fn unknown_route_is_404_problem_and_wrong_method_405() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .get(app.url("/api/v1/nothing-here"))
        .send()
        .await
        .unwrap();
    expect_problem(res, 404, "route_not_found").await;
    let res = app.client.put(app.url("/api/v1/me")).send().await.unwrap();
    expect_problem(res, 405, "method_not_allowed").await;
}

#[tokio::test]
async fn bad_path_ids_are_422_naming_the_parameter() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    let res = app.get("/api/v1/auth/tokens/abc", &t.token).await;
    let p = expect_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "id");
}

#[tokio::test]
async fn missing_and_revoked_tokens_are_401() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    let res = app.client.get(app.url("/api/v1/me")).send().await.unwrap();
    expect_problem(res, 401, "unauthorized").await;
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/auth/tokens/{}", t.token_id)))
        .bearer_auth(&t.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    assert!(v["revoked_at"].is_string());
    let res = app.get("/api/v1/me", &t.token).await;
    expect_problem(res, 401, "unauthorized").await;
}

#[tokio::test]
async fn scopes_limit_what_a_token_may_do() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    let (read_only, _) = app.token(&t.email, Some(&["account:read"])).await;
    assert_eq!(
        app.get("/api/v1/me", &read_only).await.status(),
        StatusCode::OK
    );
    let res = app
        .post_json(
            &format!("/api/v1/organisations/{}/users", t.org_id),
            Some(&read_only),
            &json!({"email": "staff@lumi.example", "display_name": "Staff", "password": PASSWORD}),
        )
        .await;
    let p = expect_problem(res, 403, "forbidden").await;
    assert_eq!(p["detail"], "this token lacks the scope account:write");
    let res = app
        .post_json(
            "/api/v1/auth/tokens",
            None,
            &json!({"email": t.email, "password": PASSWORD, "scopes": ["account:read", "root"]}),
        )
        .await;
    let p = expect_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "scopes[1]");
}

#[tokio::test]
async fn staff_see_only_their_own_tokens_and_cannot_add_users() {
    let app = TestApp::spawn().await;
    let owner = app.tenant("lumi").await;
    let res = app
        .post_json(
            &format!("/api/v1/organisations/{}/users", owner.org_id),
            Some(&owner.token),
            &json!({"email": "staff@lumi.example", "display_name": "Staff", "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let staff: Value = res.json().await.unwrap();
    assert_eq!(staff["role"], "staff");
    let (staff_token, staff_token_id) = app.token("staff@lumi.example", None).await;
    let list: Value = app
        .get("/api/v1/auth/tokens", &staff_token)
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [staff_token_id]);
    let res = app
        .get(
            &format!("/api/v1/auth/tokens/{}", owner.token_id),
            &staff_token,
        )
        .await;
    expect_problem(res, 404, "not_found").await;
    let res = app
        .post_json(
            &format!("/api/v1/organisations/{}/users", owner.org_id),
            Some(&staff_token),
            &json!({"email": "x@lumi.example", "display_name": "X", "password": PASSWORD}),
        )
        .await;
    expect_problem(res, 403, "forbidden").await;
    // The owner sees both tokens.
    let list: Value = app
        .get("/api/v1/auth/tokens", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn duplicate_slug_and_email_are_409_naming_the_field() {
    let app = TestApp::spawn().await;
    app.tenant("lumi").await;
    let res = app
        .post_json("/api/v1/signup", None, &json!({"organisation_name": "Other", "slug": "lumi", "owner_name": "O", "email": "new@x.example", "password": PASSWORD}))
        .await;
    let p = expect_problem(res, 409, "already_exists").await;
    assert_eq!(p["errors"][0]["field"], "slug");
    let res = app
        .post_json("/api/v1/signup", None, &json!({"organisation_name": "Other", "slug": "other", "owner_name": "O", "email": "OWNER@lumi.example", "password": PASSWORD}))
        .await;
    let p = expect_problem(res, 409, "already_exists").await;
    assert_eq!(p["errors"][0]["field"], "email");
    // Nothing of the refused sign-ups was written.
    let res = app
        .post_json("/api/v1/signup", None, &json!({"organisation_name": "Other", "slug": "other", "owner_name": "O", "email": "new@x.example", "password": PASSWORD}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn cursor_pagination_walks_every_row_once() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    for i in 0..4 {
        let res = app
            .post_json(
                &format!("/api/v1/organisations/{}/users", t.org_id),
                Some(&t.token),
                &json!({"email": format!("s{i}@lumi.example"), "display_name": format!("S{i}"), "password": PASSWORD}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let mut seen = Vec::new();
    let mut path = format!("/api/v1/organisations/{}/users?limit=2", t.org_id);
    let mut pages = 0;
    loop {
        let page: Value = app.get(&path, &t.token).await.json().await.unwrap();
        pages += 1;
        for u in page["items"].as_array().unwrap() {
            seen.push(u["email"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => {
                path = format!(
                    "/api/v1/organisations/{}/users?limit=2&cursor={c}",
                    t.org_id
                )
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(
        seen,
        [
            "owner@lumi.example",
            "s0@lumi.example",
            "s1@lumi.example",
            "s2@lumi.example",
            "s3@lumi.example"
        ]
    );
    let res = app
        .get(
            &format!("/api/v1/organisations/{}/users?limit=0", t.org_id),
            &t.token,
        )
        .await;
    let p = expect_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "limit");
    let res = app
        .get(
            &format!("/api/v1/organisations/{}/users?cursor=zzz", t.org_id),
            &t.token,
        )
        .await;
    let p = expect_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "cursor");
}

#[tokio::test]
async fn idempotency_key_replays_and_refuses_reuse() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    let path = format!("/api/v1/organisations/{}/users", t.org_id);
    let body =
        json!({"email": "staff@lumi.example", "display_name": "Staff", "password": PASSWORD});
    let send = |b: Value| {
        app.client
            .post(app.url(&path))
            .bearer_auth(&t.token)
            .header("Idempotency-Key", "add-staff-1")
            .json(&b)
            .send()
    };
    let first = send(body.clone()).await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first_body: Value = first.json().await.unwrap();
    let again = send(body.clone()).await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), first_body);
    let users: Value = app
        .get(&format!("{path}?limit=10"), &t.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        users["items"].as_array().unwrap().len(),
        2,
        "one owner and one staff, not two"
    );
    let other =
        send(json!({"email": "other@lumi.example", "display_name": "Other", "password": PASSWORD}))
            .await
            .unwrap();
    expect_problem(other, 409, "idempotency_key_reused").await;
    // Without the key the same body is a new request: the e-mail is taken.
    let res = app.post_json(&path, Some(&t.token), &body).await;
    expect_problem(res, 409, "already_exists").await;
}

#[tokio::test]
async fn idempotency_keys_are_validated() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .post(app.url("/api/v1/signup"))
        .header("Idempotency-Key", "x".repeat(300))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let p = expect_problem(res, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "Idempotency-Key");
}

#[tokio::test]
async fn platform_listing_is_for_platform_admins_only() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    let res = app.get("/api/v1/admin/organisations", &t.token).await;
    expect_problem(res, 403, "forbidden").await;
}

#[tokio::test]
async fn operations_endpoints_answer() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"status": "ok"}));
    let res = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["database"], "ok");
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(
            "chuhai_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"
        ),
        "{metrics}"
    );
    assert!(metrics.contains(
        "chuhai_http_request_duration_seconds_count{method=\"GET\",route=\"/readyz\"} 1"
    ));
}

#[tokio::test]
async fn no_odd_input_causes_a_server_error() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    let bodies = [
        "", "null", "[]", "\"text\"", "{}", "{\"email\": null}", "{\"email\": \"\u{0000}\", \"password\": \"\"}",
        "{\"email\": \"a@b.cd\", \"password\": \"x\", \"expires_in_days\": -1}",
        "{\"email\": \"a@b.cd\", \"password\": \"x\", \"expires_in_days\": 99999999999}",
        "{\"email\": \"a@b.cd\", \"password\": \"x\", \"scopes\": []}",
        "{\"organisation_name\": \"x\", \"slug\": \"ok-slug\", \"owner_name\": \"o\", \"email\": \"e@x.io\", \"password\": \"0123456789\", \"locale\": \"fr\"}",
        "{\"email\": \"a@b.cd\", \"display_name\": \"D\", \"password\": \"0123456789\", \"role\": \"platform_admin\"}",
        "\u{FEFF}{}", "{\"a\":", "{{{{", "1e999999",
    ];
    let paths = [
        "/api/v1/auth/tokens".to_owned(),
        "/api/v1/signup".to_owned(),
        format!("/api/v1/organisations/{}/users", t.org_id),
    ];
    for path in &paths {
        for body in bodies {
            let res = app
                .client
                .post(app.url(path))
                .bearer_auth(&t.token)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            assert!(
                res.status().is_client_error() || res.status().is_success(),
                "{path} {body:?} → {}",
                res.status()
            );
        }
    }
}
