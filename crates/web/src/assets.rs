//! Files compiled into the binary: the console's CSS, vendored htmx and
//! Swagger UI, and the OpenAPI document.

use std::sync::OnceLock;

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::state::AppState;

fn asset(content_type: &'static str, body: &'static [u8]) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}

macro_rules! serve {
    ($ct:literal, $path:literal) => {
        get(|| async { asset($ct, include_bytes!(concat!("../assets/", $path))) })
    };
}

fn openapi_json() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| {
        crate::api::openapi()
            .to_pretty_json()
            .expect("the OpenAPI document serialises")
    })
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/static/app.css",
            serve!("text/css; charset=utf-8", "app.css"),
        )
        .route(
            "/static/favicon.svg",
            serve!("image/svg+xml", "favicon.svg"),
        )
        .route(
            "/static/console.js",
            serve!("text/javascript; charset=utf-8", "console.js"),
        )
        .route(
            "/static/htmx.min.js",
            serve!("text/javascript; charset=utf-8", "vendor/htmx/htmx.min.js"),
        )
        .route(
            "/api/docs",
            serve!("text/html; charset=utf-8", "api-docs.html"),
        )
        .route(
            "/api/docs/init.js",
            serve!("text/javascript; charset=utf-8", "api-docs-init.js"),
        )
        .route(
            "/api/docs/swagger-ui-bundle.js",
            serve!(
                "text/javascript; charset=utf-8",
                "vendor/swagger-ui/swagger-ui-bundle.js"
            ),
        )
        .route(
            "/api/docs/swagger-ui.css",
            serve!(
                "text/css; charset=utf-8",
                "vendor/swagger-ui/swagger-ui.css"
            ),
        )
        .route(
            "/api/openapi.json",
            get(|| async { asset("application/json", openapi_json().as_bytes()) }),
        )
}
