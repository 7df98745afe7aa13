use std::sync::Arc;

use chuhai_store::Store;

use crate::metrics::Metrics;

/// Settings the HTTP layer needs from the binary.
#[derive(Debug, Clone, Default)]
pub struct WebSettings {
    /// Mark cookies `Secure` (on whenever the site is served over HTTPS).
    pub cookie_secure: bool,
    /// Shown on the sign-in page when the demo is loaded: (e-mail, password).
    pub demo_login: Option<(String, String)>,
    /// The card provider's webhook signing secret; when `None`, read from
    /// `CHUHAI_CARD_WEBHOOK_SECRET`.
    pub card_webhook_secret: Option<String>,
}

/// What every handler can reach, behind one reference count: extractors
/// clone the state for every request. Holds no per-user state: sessions,
/// tokens and throttling live in the database so several servers can
/// share it.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// The parts of [`AppState`].
pub struct Shared {
    pub store: Store,
    pub metrics: Metrics,
    pub settings: WebSettings,
    pub pricing_cache: crate::services::pricing_cache::PricingCache,
    pub landed_cache: crate::services::landed::LandedCache,
    pub auth_cache: crate::auth::AuthCache,
    pub network_cache: crate::services::fulfilment::NetworkCache,
}

impl AppState {
    /// The state of a server on `store`.
    pub fn new(store: Store, settings: WebSettings) -> AppState {
        AppState(Arc::new(Shared {
            store,
            metrics: Metrics::default(),
            settings,
            pricing_cache: Default::default(),
            landed_cache: Default::default(),
            auth_cache: Default::default(),
            network_cache: Default::default(),
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}
