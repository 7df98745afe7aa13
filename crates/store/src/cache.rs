//! Read-mostly data kept in memory: the seller's variant price inputs and
//! exchange rates, each tagged with the data generation it was read at
//! (`data_generations`: every write of that data bumps it in its
//! transaction).
//!
//! An entry serves only while its generation is the newest this process
//! has seen committed for the organisation (0: the platform's reference
//! data). Generations are seen with every principal lookup (each request
//! that did not find its principal in the cache of an unchanged database
//! reads them), so a change committed by another process is seen by the
//! next request that reads the database. A bump written by this process
//! keeps the organisation's entries from serving (and from being stored)
//! until that generation is seen committed; a bump that rolled back only
//! leaves them unused until the next one commits.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::catalog::VariantPriceInput;

/// Most exchange-rate lookups kept; the map starts over beyond.
const MAX_RATES: usize = 10_000;
/// Most organisations whose variants are kept; the map starts over beyond.
const MAX_SELLERS: usize = 1_000;
/// Most other entries (markets, customs and shipping facts of SKUs) kept;
/// the map starts over beyond.
const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, Default)]
pub(crate) struct ReadCache {
    /// By organisation (0: reference data).
    seen: Mutex<HashMap<i64, Seen>>,
    /// By organisation: (generation, variants).
    variants: Mutex<HashMap<i64, (i64, Variants)>>,
    /// (generation, (source, currency, day) → the latest rate on or
    /// before that day).
    rates: Mutex<(i64, HashMap<RateKey, Option<Rate>>)>,
    /// Other data of an organisation written only with a generation bump
    /// (markets, the customs and shipping facts of variants), by
    /// (organisation, key): (generation, value).
    entries: Mutex<HashMap<(i64, String), Entry>>,
}

type Entry = (i64, Arc<dyn Any + Send + Sync>);

type Variants = Arc<Vec<VariantPriceInput>>;
/// (source, currency, day).
pub(crate) type RateKey = (String, String, i64);
/// (day, units per euro).
type Rate = (i64, String);

#[derive(Debug, Default, Clone, Copy)]
struct Seen {
    /// The newest generation read committed.
    committed: i64,
    /// Entries serve only once `committed` reaches this (a local bump).
    wait_for: i64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl ReadCache {
    /// `generation` was read committed for `organisation`.
    pub(crate) fn observe(&self, organisation: i64, generation: i64) {
        let mut seen = lock(&self.seen);
        let s = seen.entry(organisation).or_default();
        s.committed = s.committed.max(generation);
    }

    /// This process wrote `generation` (not yet committed).
    pub(crate) fn bumped(&self, organisation: i64, generation: i64) {
        let mut seen = lock(&self.seen);
        let s = seen.entry(organisation).or_default();
        s.wait_for = s.wait_for.max(generation);
    }

    /// The generation entries of `organisation` may be served at, if any.
    pub(crate) fn generation(&self, organisation: i64) -> Option<i64> {
        let seen = lock(&self.seen);
        let s = seen.get(&organisation)?;
        (s.committed >= s.wait_for).then_some(s.committed)
    }

    pub(crate) fn variants(&self, organisation: i64, generation: i64) -> Option<Variants> {
        let map = lock(&self.variants);
        let (g, v) = map.get(&organisation)?;
        (*g == generation).then(|| v.clone())
    }

    /// Keeps `variants`, read after `generation` was seen, if it is still
    /// the generation to serve.
    pub(crate) fn put_variants(&self, organisation: i64, generation: i64, variants: Variants) {
        if self.generation(organisation) == Some(generation) {
            let mut map = lock(&self.variants);
            if map.len() >= MAX_SELLERS && !map.contains_key(&organisation) {
                map.clear();
            }
            map.insert(organisation, (generation, variants));
        }
    }

    /// The value kept under `key` for `organisation`, if it was read at the
    /// generation that serves now.
    pub(crate) fn entry<T: Any + Clone>(&self, organisation: i64, key: &str) -> Option<T> {
        let generation = self.generation(organisation)?;
        let map = lock(&self.entries);
        let (g, value) = map.get(&(organisation, key.to_owned()))?;
        if *g != generation {
            return None;
        }
        value.downcast_ref::<T>().cloned()
    }

    /// Keeps `value` under `key`, read after `generation` (the organisation's
    /// serving generation when the read began) was seen, if that is still
    /// the generation to serve.
    pub(crate) fn put_entry<T: Any + Send + Sync>(
        &self,
        organisation: i64,
        generation: Option<i64>,
        key: String,
        value: T,
    ) {
        let Some(generation) = generation else { return };
        if self.generation(organisation) != Some(generation) {
            return;
        }
        let mut map = lock(&self.entries);
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert((organisation, key), (generation, Arc::new(value)));
    }

    pub(crate) fn rate(&self, generation: i64, key: &RateKey) -> Option<Option<Rate>> {
        let rates = lock(&self.rates);
        if rates.0 != generation {
            return None;
        }
        rates.1.get(key).cloned()
    }

    pub(crate) fn put_rate(&self, generation: i64, key: RateKey, rate: Option<Rate>) {
        if self.generation(0) != Some(generation) {
            return;
        }
        let mut rates = lock(&self.rates);
        if rates.0 != generation || rates.1.len() >= MAX_RATES {
            rates.0 = generation;
            rates.1.clear();
        }
        rates.1.insert(key, rate);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_serve_only_at_the_newest_committed_generation() {
        let c = ReadCache::default();
        assert_eq!(c.generation(7), None, "nothing seen yet: no caching");
        c.observe(7, 3);
        assert_eq!(c.generation(7), Some(3));
        c.put_variants(7, 3, Arc::new(Vec::new()));
        assert!(c.variants(7, 3).is_some());
        // A local bump: nothing serves until generation 4 is seen committed.
        c.bumped(7, 4);
        assert_eq!(c.generation(7), None);
        c.put_variants(7, 3, Arc::new(Vec::new()));
        c.observe(7, 4);
        assert_eq!(c.generation(7), Some(4));
        assert!(
            c.variants(7, 4).is_none(),
            "the entry of generation 3 is not served"
        );
        // An older generation read late does not move it back.
        c.observe(7, 2);
        assert_eq!(c.generation(7), Some(4));
    }

    #[test]
    fn entries_are_kept_by_generation_and_type() {
        let c = ReadCache::default();
        c.put_entry(7, None, "market:1".into(), 5_i64);
        assert_eq!(
            c.entry::<i64>(7, "market:1"),
            None,
            "no generation: not kept"
        );
        c.observe(7, 3);
        c.put_entry(7, Some(3), "market:1".into(), 5_i64);
        assert_eq!(c.entry::<i64>(7, "market:1"), Some(5));
        assert_eq!(c.entry::<String>(7, "market:1"), None, "another type");
        assert_eq!(c.entry::<i64>(8, "market:1"), None, "another organisation");
        // Read before a bump was seen committed: the old value stops serving
        // and a value read at the old generation is not kept.
        c.bumped(7, 4);
        assert_eq!(c.entry::<i64>(7, "market:1"), None);
        c.observe(7, 4);
        assert_eq!(c.entry::<i64>(7, "market:1"), None);
        c.put_entry(7, Some(3), "market:1".into(), 6_i64);
        assert_eq!(c.entry::<i64>(7, "market:1"), None);
        c.put_entry(7, Some(4), "market:1".into(), 7_i64);
        assert_eq!(c.entry::<i64>(7, "market:1"), Some(7));
    }

    #[test]
    fn rates_are_dropped_when_the_reference_generation_moves() {
        let c = ReadCache::default();
        c.observe(0, 1);
        let key = ("ECB".to_owned(), "USD".to_owned(), 20_000);
        c.put_rate(1, key.clone(), Some((19_999, "1.08".into())));
        assert_eq!(c.rate(1, &key), Some(Some((19_999, "1.08".into()))));
        c.observe(0, 2);
        assert_eq!(c.rate(2, &key), None);
        // Read at a generation no longer current: not kept.
        c.put_rate(1, key.clone(), None);
        assert_eq!(c.rate(2, &key), None);
    }
}
