//! Chuhai's HTTP layer: the `/api/v1` JSON API with its OpenAPI document,
//! the `/console` for seller and warehouse staff, and operations endpoints.
//! Handlers translate between HTTP and the store; business rules live in
//! the domain crate.

pub mod api;
mod assets;
pub mod auth;
mod console;
pub mod extract;
mod idempotency;
pub mod metrics;
mod ops;
pub mod problem;
pub mod services;
pub mod state;
pub mod time;

use std::future::Future;
use std::net::SocketAddr;

use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::Router;
use chuhai_store::Store;
use tokio::net::TcpListener;

pub use state::{AppState, WebSettings};

/// Largest accepted request body, in bytes.
pub const BODY_LIMIT_BYTES: usize = 1024 * 1024;

/// The whole application as one router.
pub fn app(store: Store, settings: WebSettings) -> Router {
    let state = AppState::new(store, settings);
    Router::new()
        .merge(api::router(state.clone()))
        .merge(console::router())
        .merge(assets::router())
        .fallback(ops::not_found)
        .method_not_allowed_fallback(ops::method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .with_state(state)
}

/// Serves the application on `listener` until `shutdown` resolves, then
/// finishes requests in flight.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
