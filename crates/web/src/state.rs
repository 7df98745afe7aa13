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
}

/// What every handler can reach. Holds no per-user state: sessions, tokens
/// and throttling live in the database so several servers can share it.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub metrics: Arc<Metrics>,
    pub settings: Arc<WebSettings>,
    pub pricing_cache: Arc<crate::services::pricing_cache::PricingCache>,
    pub landed_cache: Arc<crate::services::landed::LandedCache>,
    pub auth_cache: Arc<crate::auth::AuthCache>,
}
