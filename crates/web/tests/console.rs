//! The console over plain HTTP: sign-in with CSRF, sessions, language.

mod common;

use common::{hidden_csrf, TestApp, PASSWORD};
use reqwest::header::{HeaderMap, COOKIE, SET_COOKIE};
use reqwest::Response;

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v[name.len() + 1..].split(';').next().unwrap().to_owned())
}

async fn login_form(app: &TestApp) -> (String, String) {
    let res = app
        .client
        .get(app.url("/console/login"))
        .send()
        .await
        .unwrap();
    let cookie = cookie_value(res.headers(), "chuhai_login_csrf").unwrap();
    let html = res.text().await.unwrap();
    (cookie, hidden_csrf(&html))
}

async fn post_login(
    app: &TestApp,
    cookie: &str,
    csrf: &str,
    email: &str,
    password: &str,
) -> Response {
    app.client
        .post(app.url("/console/login"))
        .header(COOKIE, format!("chuhai_login_csrf={cookie}"))
        .form(&[("email", email), ("password", password), ("csrf", csrf)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn sign_in_needs_the_login_csrf_cookie() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    let (cookie, csrf) = login_form(&app).await;
    assert_eq!(cookie, csrf);
    let res = post_login(&app, "0".repeat(64).as_str(), &csrf, &t.email, PASSWORD).await;
    assert_eq!(res.status(), 403);
    assert!(cookie_value(res.headers(), "chuhai_session").is_none());
}

#[tokio::test]
async fn sign_in_starts_a_session_and_sign_out_ends_it() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    let res = app.client.get(app.url("/console")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/console/login");

    let (cookie, csrf) = login_form(&app).await;
    let res = post_login(&app, &cookie, &csrf, &t.email, PASSWORD).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/console");
    let set = res
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect::<Vec<_>>();
    let session_line = set
        .iter()
        .find(|c| c.starts_with("chuhai_session="))
        .unwrap();
    assert!(session_line.contains("HttpOnly") && session_line.contains("SameSite=Lax"));
    let session = cookie_value(res.headers(), "chuhai_session").unwrap();

    let page = app
        .client
        .get(app.url("/console"))
        .header(COOKIE, format!("chuhai_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'self'"));
    let html = page.text().await.unwrap();
    assert!(html.contains("lumi Trading Co."));
    let session_csrf = hidden_csrf(&html);

    // Sign-out without the session's CSRF secret does nothing.
    let res = app
        .client
        .post(app.url("/console/logout"))
        .header(COOKIE, format!("chuhai_session={session}"))
        .form(&[("csrf", "f".repeat(64))])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let still = app
        .client
        .get(app.url("/console"))
        .header(COOKIE, format!("chuhai_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(still.status(), 200);

    let res = app
        .client
        .post(app.url("/console/logout"))
        .header(COOKIE, format!("chuhai_session={session}"))
        .form(&[("csrf", session_csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let after = app
        .client
        .get(app.url("/console"))
        .header(COOKIE, format!("chuhai_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 303, "the session is gone from the database");
}

#[tokio::test]
async fn wrong_password_shows_an_error_without_saying_which_part() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    let (cookie, csrf) = login_form(&app).await;
    let res = post_login(&app, &cookie, &csrf, &t.email, "wrong password").await;
    assert_eq!(res.status(), 401);
    let html = res.text().await.unwrap();
    assert!(html.contains("The e-mail or password is not correct."));
}

#[tokio::test]
async fn language_follows_accept_language_then_the_users_choice() {
    let app = TestApp::spawn().await;
    let t = app.tenant("lumi").await;
    let res = app
        .client
        .get(app.url("/console/login"))
        .header("accept-language", "zh-CN,zh;q=0.9")
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(html.contains("<html lang=\"zh-CN\">") && html.contains("登录"));

    let (cookie, csrf) = login_form(&app).await;
    let res = post_login(&app, &cookie, &csrf, &t.email, PASSWORD).await;
    let session = cookie_value(res.headers(), "chuhai_session").unwrap();
    let html = app
        .client
        .get(app.url("/console"))
        .header(COOKIE, format!("chuhai_session={session}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"en\">"));
    let res = app
        .client
        .post(app.url("/console/language"))
        .header(COOKIE, format!("chuhai_session={session}"))
        .form(&[
            ("lang", "zh-CN"),
            ("csrf", hidden_csrf(&html).as_str()),
            ("next", "/console/settings"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/console/settings");
    // Saved on the user: it holds even against the browser's language.
    let html = app
        .client
        .get(app.url("/console"))
        .header(COOKIE, format!("chuhai_session={session}"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"zh-CN\">") && html.contains("欢迎回来"));
}

#[tokio::test]
async fn console_sign_up_creates_a_seller_and_signs_in() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .get(app.url("/console/signup"))
        .send()
        .await
        .unwrap();
    let cookie = cookie_value(res.headers(), "chuhai_login_csrf").unwrap();
    let csrf = hidden_csrf(&res.text().await.unwrap());
    let form = [
        ("organisation_name", "Ningbo Tide Home Goods"),
        ("organisation_name_zh", "宁波潮汐家居"),
        ("slug", "tide"),
        ("owner_name", "Wang Fang"),
        ("email", "fang@tide.example"),
        ("password", PASSWORD),
        ("csrf", csrf.as_str()),
    ];
    let res = app
        .client
        .post(app.url("/console/signup"))
        .header(COOKIE, format!("chuhai_login_csrf={cookie}"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert!(cookie_value(res.headers(), "chuhai_session").is_some());
    let org = app
        .store
        .organisation_by_slug("tide")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(org.name_zh.as_deref(), Some("宁波潮汐家居"));
    // The same slug again is refused with the field named, nothing written.
    let res = app
        .client
        .get(app.url("/console/signup"))
        .send()
        .await
        .unwrap();
    let cookie = cookie_value(res.headers(), "chuhai_login_csrf").unwrap();
    let csrf = hidden_csrf(&res.text().await.unwrap());
    let mut form2 = form;
    form2[4] = ("email", "other@tide.example");
    form2[6] = ("csrf", csrf.as_str());
    let res = app
        .client
        .post(app.url("/console/signup"))
        .header(COOKIE, format!("chuhai_login_csrf={cookie}"))
        .form(&form2)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("<code>slug</code>: is already taken"));
}
