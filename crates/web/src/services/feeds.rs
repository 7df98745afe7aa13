//! Marketing feeds of a seller's catalog for one market.

use std::collections::HashMap;

use chuhai_domain::catalog::{write_google_feed_tsv, Availability, FeedItem, FeedOptions, Locale};
use chuhai_domain::money::Money;
use chuhai_store::markets::MarketRecord;
use chuhai_store::Store;

use crate::problem::Problem;

/// A Google Merchant Center product feed (TSV) of every variant that has a
/// derived price in `market`. Availability is `in_stock` until stock levels
/// are kept by Chuhai. Returns the file and the variants left out, with why.
pub async fn google_feed(
    store: &Store,
    organisation_id: i64,
    market: &MarketRecord,
    storefront_base_url: &str,
    brand_fallback: &str,
) -> Result<(Vec<u8>, Vec<(String, String)>), Problem> {
    if !(storefront_base_url.starts_with("https://") || storefront_base_url.starts_with("http://"))
    {
        return Err(Problem::field(
            "storefront_url",
            "must start with https:// or http://",
        ));
    }
    let prices: HashMap<i64, i64> = store
        .prices_in_market(organisation_id, market.id)
        .await?
        .into_iter()
        .collect();
    let products = store.all_products(organisation_id).await?;
    let currency = market.market.currency;
    let mut items = Vec::new();
    let mut left_out = Vec::new();
    for p in &products {
        if p.draft.status != chuhai_domain::catalog::ProductStatus::Active {
            continue;
        }
        for (i, variant_id) in p.variant_ids.iter().enumerate() {
            match prices.get(variant_id) {
                Some(minor) => items.push(FeedItem {
                    product: &p.draft,
                    variant_index: i,
                    price: Money::from_minor(*minor, currency),
                    compare_at: None,
                    availability: Availability::InStock,
                }),
                None => left_out.push((
                    p.draft.variants[i]
                        .sku
                        .as_ref()
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                    "no derived price in this market (run a price derivation)".to_owned(),
                )),
            }
        }
    }
    let opts = FeedOptions {
        locale: market.market.default_locale,
        fallback: Locale::parse("en").map_err(|_| Problem::internal())?,
        storefront_base_url: storefront_base_url.to_owned(),
        brand_fallback: brand_fallback.to_owned(),
    };
    let mut out = Vec::new();
    let stats = write_google_feed_tsv(&mut out, &items, &opts).map_err(|_| Problem::internal())?;
    left_out.extend(stats.skipped.into_iter().map(|(sku, reason)| {
        (
            sku.map(|s| s.as_str().to_owned()).unwrap_or_default(),
            reason,
        )
    }));
    Ok((out, left_out))
}
