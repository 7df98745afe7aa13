//! An in-memory cache of what a price quote is made from, keyed by the
//! organisation's and the platform's data generations: any write that
//! changes pricing bumps a generation in the database, so every server
//! stops using its old entries on its next request. Nothing here can be
//! stale across servers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chuhai_domain::fx::Conversion;
use chuhai_domain::pricing::VariantPricing;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct QuoteKey {
    pub organisation_id: i64,
    /// (organisation's, platform's) data generations.
    pub generations: (i64, i64),
    pub variant_id: i64,
    pub market_id: i64,
    /// Days since 1970-01-01.
    pub date: i32,
}

/// Everything a quote needs besides the quantity.
#[derive(Debug, Clone)]
pub struct QuoteInputs {
    pub pricing: VariantPricing,
    pub conversion: Conversion,
    pub market_code: String,
}

/// Entries kept before the cache starts over.
const MAX_ENTRIES: usize = 50_000;

#[derive(Default)]
pub struct PricingCache {
    entries: Mutex<HashMap<QuoteKey, Arc<QuoteInputs>>>,
}

impl PricingCache {
    pub fn get(&self, key: &QuoteKey) -> Option<Arc<QuoteInputs>> {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned()
    }

    pub fn insert(&self, key: QuoteKey, inputs: Arc<QuoteInputs>) {
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ENTRIES {
            // Entries of old generations are dead weight; starting over is
            // simpler than tracking ages and costs one rebuild per key.
            map.clear();
        }
        map.insert(key, inputs);
    }
}
