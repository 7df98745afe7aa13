//! Products, their translations, media and variants, per seller.

use std::collections::{BTreeMap, HashMap};

use chuhai_domain::catalog::{
    sanitize_description_html, Dimensions, GoodsFlags, Gtin, HsCode, Locale, MediaDraft, MediaUrl,
    ProductDraft, ProductHandle, ProductStatus, Sku, TariffCode, TradeData, TranslationDraft,
    VariantDraft,
};
use chuhai_domain::country::Country;
use chuhai_domain::money::{Currency, Money};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::bulk::{insert_rows, Val};
use crate::{Millis, Page, Store, StoreError};

/// A stored product: its draft form plus the ids the database gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductRecord {
    pub id: i64,
    pub organisation_id: i64,
    pub draft: ProductDraft,
    /// The id of each variant, in the order of `draft.variants`.
    pub variant_ids: Vec<i64>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// Why a product could not be saved; `index` is its position in the batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductConflict {
    pub index: usize,
    pub field: &'static str,
    pub value: String,
    pub reason: String,
}

/// A variant's price inputs, for derivation and quotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariantPriceInput {
    pub variant_id: i64,
    pub product_id: i64,
    pub sku: String,
    pub base_price: Money,
    pub compare_at: Option<Money>,
    pub moq: u32,
    pub pack_size: u32,
    pub increment: u32,
}

fn corrupt(column: &'static str) -> impl Fn(String) -> StoreError {
    move |reason| StoreError::Corrupt { column, reason }
}

fn money(minor: i64, currency: &str, column: &'static str) -> Result<Money, StoreError> {
    let c = Currency::from_code(currency).map_err(|e| corrupt(column)(e.to_string()))?;
    Ok(Money::from_minor(minor, c))
}

impl Store {
    /// Checks a batch against what the seller already has: handles and SKUs
    /// must be new. Returns every conflict (empty when the batch fits).
    pub async fn catalog_conflicts(
        &self,
        organisation_id: i64,
        products: &[ProductDraft],
    ) -> Result<Vec<ProductConflict>, StoreError> {
        let mut conflicts = Vec::new();
        let mut handles: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut skus: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, p) in products.iter().enumerate() {
            let holders = handles.entry(p.handle.as_str()).or_default();
            if let Some(first) = holders.first() {
                conflicts.push(ProductConflict {
                    index: i,
                    field: "handle",
                    value: p.handle.as_str().to_owned(),
                    reason: format!("appears twice in this import (also product {})", first + 1),
                });
            }
            holders.push(i);
            for v in &p.variants {
                match &v.sku {
                    None => conflicts.push(ProductConflict {
                        index: i,
                        field: "sku",
                        value: String::new(),
                        reason: "every variant needs a SKU".into(),
                    }),
                    Some(sku) => {
                        let holders = skus.entry(sku.as_str()).or_default();
                        if let Some(first) = holders.first() {
                            conflicts.push(ProductConflict {
                                index: i,
                                field: "sku",
                                value: sku.as_str().to_owned(),
                                reason: format!(
                                    "appears twice in this import (also product {})",
                                    first + 1
                                ),
                            });
                        }
                        holders.push(i);
                    }
                }
            }
        }
        // Existing handles and SKUs, looked up in chunks.
        let handle_list: Vec<&str> = handles.keys().copied().collect();
        for chunk in handle_list.chunks(500) {
            for taken in self
                .existing(organisation_id, "products", "handle", chunk)
                .await?
            {
                for &i in &handles[taken.as_str()] {
                    conflicts.push(ProductConflict {
                        index: i,
                        field: "handle",
                        value: taken.clone(),
                        reason: "is already used by another product".into(),
                    });
                }
            }
        }
        let sku_list: Vec<&str> = skus.keys().copied().collect();
        for chunk in sku_list.chunks(500) {
            for taken in self
                .existing(organisation_id, "variants", "sku", chunk)
                .await?
            {
                for &i in &skus[taken.as_str()] {
                    conflicts.push(ProductConflict {
                        index: i,
                        field: "sku",
                        value: taken.clone(),
                        reason: "is already used by another variant".into(),
                    });
                }
            }
        }
        conflicts.sort_by_key(|c| c.index);
        Ok(conflicts)
    }

    async fn existing(
        &self,
        organisation_id: i64,
        table: &str,
        column: &str,
        values: &[&str],
    ) -> Result<Vec<String>, StoreError> {
        if values.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (0..values.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT {column} FROM {table} WHERE organisation_id = $1 AND {column} IN ({})",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(organisation_id);
        for v in values {
            q = q.bind(*v);
        }
        let rows = q.fetch_all(self.reader()).await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<String, _>(0)?))
            .collect()
    }

    /// Saves new products atomically: all of them or, on any conflict,
    /// none (the conflicts are returned as [`StoreError::Invalid`] after a
    /// rollback — call [`Store::catalog_conflicts`] first for the list).
    /// Returns the new product ids in input order.
    pub async fn insert_products(
        &self,
        organisation_id: i64,
        products: &[ProductDraft],
        now: Millis,
    ) -> Result<Vec<i64>, StoreError> {
        if products.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.begin_write().await?;
        let product_rows = products
            .iter()
            .map(|p| {
                let name = |i: usize| Val::OptText(p.option_names.get(i).cloned());
                vec![
                    Val::Int(organisation_id),
                    Val::Text(p.handle.as_str().to_owned()),
                    Val::Text(p.status.as_str().to_owned()),
                    Val::Text(p.vendor.clone().unwrap_or_default()),
                    Val::Text(p.product_type.clone().unwrap_or_default()),
                    Val::Text(p.tags.join(", ")),
                    name(0),
                    name(1),
                    name(2),
                    Val::Int(now),
                    Val::Int(now),
                ]
            })
            .collect();
        insert_rows(
            &mut tx,
            self.backend(),
            "products",
            &[
                "organisation_id",
                "handle",
                "status",
                "vendor",
                "product_type",
                "tags",
                "option1_name",
                "option2_name",
                "option3_name",
                "created_at",
                "updated_at",
            ],
            "",
            product_rows,
        )
        .await
        .map_err(|e| unique_to_invalid(e, "handle"))?;
        // Ids by handle: the only key the batch and the table share.
        let mut ids: HashMap<String, i64> = HashMap::with_capacity(products.len());
        for chunk in products.chunks(500) {
            let placeholders: Vec<String> =
                (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT id, handle FROM products WHERE organisation_id = $1 AND handle IN ({})",
                placeholders.join(", ")
            );
            let mut q = sqlx::query(&sql).bind(organisation_id);
            for p in chunk {
                q = q.bind(p.handle.as_str());
            }
            for r in q.fetch_all(&mut *tx).await? {
                ids.insert(r.try_get("handle")?, r.try_get("id")?);
            }
        }
        let product_id = |p: &ProductDraft| ids[p.handle.as_str()];
        let mut translations = Vec::new();
        let mut media = Vec::new();
        let mut variants = Vec::new();
        for p in products {
            let pid = product_id(p);
            for (position, t) in p.translations.iter().enumerate() {
                translations.push(vec![
                    Val::Int(pid),
                    Val::Int(organisation_id),
                    Val::Text(t.locale.as_str().to_owned()),
                    Val::Int(position as i64),
                    Val::Text(t.title.clone()),
                    Val::Text(t.description_html.as_str().to_owned()),
                    Val::OptText(t.seo_title.clone()),
                    Val::OptText(t.seo_description.clone()),
                ]);
            }
            for m in &p.media {
                media.push(vec![
                    Val::Int(pid),
                    Val::Int(organisation_id),
                    Val::Int(i64::from(m.position)),
                    Val::Text(m.url.as_str().to_owned()),
                    Val::OptText(m.alt.clone()),
                ]);
            }
            for (pos, v) in p.variants.iter().enumerate() {
                variants.push(variant_row(organisation_id, pid, pos, v)?);
            }
        }
        insert_rows(
            &mut tx,
            self.backend(),
            "product_translations",
            &[
                "product_id",
                "organisation_id",
                "locale",
                "position",
                "title",
                "description_html",
                "seo_title",
                "seo_description",
            ],
            "",
            translations,
        )
        .await?;
        insert_rows(
            &mut tx,
            self.backend(),
            "product_media",
            &["product_id", "organisation_id", "position", "url", "alt"],
            "",
            media,
        )
        .await?;
        insert_rows(
            &mut tx,
            self.backend(),
            "variants",
            VARIANT_COLUMNS,
            "",
            variants,
        )
        .await
        .map_err(|e| unique_to_invalid(e, "sku"))?;
        // Tariff codes need variant ids: look them up by SKU.
        let with_tariffs: Vec<(&str, &VariantDraft)> = products
            .iter()
            .flat_map(|p| p.variants.iter())
            .filter(|v| !v.trade.tariff_codes.is_empty())
            .filter_map(|v| v.sku.as_ref().map(|s| (s.as_str(), v)))
            .collect();
        if !with_tariffs.is_empty() {
            let mut variant_ids: HashMap<String, i64> = HashMap::new();
            for chunk in with_tariffs.chunks(500) {
                let placeholders: Vec<String> =
                    (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
                let sql = format!(
                    "SELECT id, sku FROM variants WHERE organisation_id = $1 AND sku IN ({})",
                    placeholders.join(", ")
                );
                let mut q = sqlx::query(&sql).bind(organisation_id);
                for (sku, _) in chunk {
                    q = q.bind(*sku);
                }
                for r in q.fetch_all(&mut *tx).await? {
                    variant_ids.insert(r.try_get("sku")?, r.try_get("id")?);
                }
            }
            let rows = with_tariffs
                .iter()
                .flat_map(|(sku, v)| {
                    let vid = variant_ids[*sku];
                    v.trade.tariff_codes.iter().map(move |(country, code)| {
                        vec![
                            Val::Int(vid),
                            Val::Int(organisation_id),
                            Val::Text(country.alpha2().to_owned()),
                            Val::Text(code.as_str().to_owned()),
                        ]
                    })
                })
                .collect();
            insert_rows(
                &mut tx,
                self.backend(),
                "variant_tariff_codes",
                &["variant_id", "organisation_id", "country", "tariff_code"],
                "",
                rows,
            )
            .await?;
        }
        crate::bump_generation(self, &mut tx, organisation_id).await?;
        tx.commit().await?;
        Ok(products.iter().map(product_id).collect())
    }

    /// One product of the seller; another seller's is not found.
    pub async fn product(
        &self,
        organisation_id: i64,
        id: i64,
    ) -> Result<Option<ProductRecord>, StoreError> {
        let mut page = self
            .products_where(organisation_id, "p.id = $2", id, 1)
            .await?;
        Ok(page.pop())
    }

    /// The seller's products by id, with everything that belongs to them.
    pub async fn list_products(
        &self,
        organisation_id: i64,
        after: i64,
        limit: u32,
    ) -> Result<Page<ProductRecord>, StoreError> {
        let rows = self
            .products_where(organisation_id, "p.id > $2", after, limit + 1)
            .await?;
        Ok(Page::from_rows(rows, limit, |p| p.id))
    }

    async fn products_where(
        &self,
        organisation_id: i64,
        condition: &str,
        value: i64,
        limit: u32,
    ) -> Result<Vec<ProductRecord>, StoreError> {
        let heads = sqlx::query(&format!(
            "SELECT p.id, p.handle, p.status, p.vendor, p.product_type, p.tags, p.option1_name,
                    p.option2_name, p.option3_name, p.created_at, p.updated_at
             FROM products p WHERE p.organisation_id = $1 AND {condition} ORDER BY p.id LIMIT $3"
        ))
        .bind(organisation_id)
        .bind(value)
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await?;
        if heads.is_empty() {
            return Ok(Vec::new());
        }
        let first: i64 = heads[0].try_get("id")?;
        let last: i64 = heads[heads.len() - 1].try_get("id")?;
        // Children of the whole id range in one query each.
        let range = |sql| range_query(sql, organisation_id, first, last);
        let translations = range(
            "SELECT product_id, locale, title, description_html, seo_title, seo_description
             FROM product_translations WHERE organisation_id = $1 AND product_id BETWEEN $2 AND $3
             ORDER BY product_id, position",
        )
        .fetch_all(self.reader())
        .await?;
        let media = range(
            "SELECT product_id, position, url, alt FROM product_media
             WHERE organisation_id = $1 AND product_id BETWEEN $2 AND $3 ORDER BY product_id, position, id",
        )
        .fetch_all(self.reader())
        .await?;
        let variants_sql = format!(
            "SELECT id, {} FROM variants WHERE organisation_id = $1 AND product_id BETWEEN $2 AND $3
             ORDER BY product_id, position",
            VARIANT_COLUMNS.join(", ")
        );
        let variants = range(&variants_sql).fetch_all(self.reader()).await?;
        let tariffs = range(
            "SELECT t.variant_id, t.country, t.tariff_code FROM variant_tariff_codes t
             JOIN variants v ON v.id = t.variant_id
             WHERE t.organisation_id = $1 AND v.product_id BETWEEN $2 AND $3",
        )
        .fetch_all(self.reader())
        .await?;
        let mut tariff_map: HashMap<i64, BTreeMap<Country, TariffCode>> = HashMap::new();
        for r in &tariffs {
            let country = Country::from_alpha2(&r.try_get::<String, _>("country")?)
                .map_err(|e| corrupt("variant_tariff_codes.country")(e.to_string()))?;
            let code = TariffCode::parse(&r.try_get::<String, _>("tariff_code")?)
                .map_err(|e| corrupt("variant_tariff_codes.tariff_code")(e.to_string()))?;
            tariff_map
                .entry(r.try_get("variant_id")?)
                .or_default()
                .insert(country, code);
        }
        let mut by_product: HashMap<i64, ProductRecord> = HashMap::new();
        let mut order = Vec::new();
        for h in &heads {
            let id: i64 = h.try_get("id")?;
            order.push(id);
            let option_names = ["option1_name", "option2_name", "option3_name"]
                .iter()
                .map(|c| h.try_get::<Option<String>, _>(*c))
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .flatten()
                .collect();
            let tags: String = h.try_get("tags")?;
            let vendor: String = h.try_get("vendor")?;
            let product_type: String = h.try_get("product_type")?;
            let status: String = h.try_get("status")?;
            by_product.insert(
                id,
                ProductRecord {
                    id,
                    organisation_id,
                    draft: ProductDraft {
                        handle: ProductHandle::parse(&h.try_get::<String, _>("handle")?)
                            .map_err(|e| corrupt("products.handle")(e.to_string()))?,
                        status: ProductStatus::parse(&status)
                            .ok_or_else(|| corrupt("products.status")(status.clone()))?,
                        vendor: (!vendor.is_empty()).then_some(vendor),
                        product_type: (!product_type.is_empty()).then_some(product_type),
                        tags: tags
                            .split(',')
                            .map(str::trim)
                            .filter(|t| !t.is_empty())
                            .map(str::to_owned)
                            .collect(),
                        translations: Vec::new(),
                        media: Vec::new(),
                        option_names,
                        variants: Vec::new(),
                    },
                    variant_ids: Vec::new(),
                    created_at: h.try_get("created_at")?,
                    updated_at: h.try_get("updated_at")?,
                },
            );
        }
        for r in &translations {
            let Some(p) = by_product.get_mut(&r.try_get::<i64, _>("product_id")?) else {
                continue;
            };
            p.draft.translations.push(TranslationDraft {
                locale: Locale::parse(&r.try_get::<String, _>("locale")?)
                    .map_err(|e| corrupt("product_translations.locale")(e.to_string()))?,
                title: r.try_get("title")?,
                description_html: sanitize_description_html(
                    &r.try_get::<String, _>("description_html")?,
                ),
                seo_title: r.try_get("seo_title")?,
                seo_description: r.try_get("seo_description")?,
            });
        }
        for r in &media {
            let Some(p) = by_product.get_mut(&r.try_get::<i64, _>("product_id")?) else {
                continue;
            };
            p.draft.media.push(MediaDraft {
                url: MediaUrl::parse(&r.try_get::<String, _>("url")?)
                    .map_err(|e| corrupt("product_media.url")(e.to_string()))?,
                position: u32::try_from(r.try_get::<i64, _>("position")?).unwrap_or(0),
                alt: r.try_get("alt")?,
            });
        }
        for r in &variants {
            let Some(p) = by_product.get_mut(&r.try_get::<i64, _>("product_id")?) else {
                continue;
            };
            let id: i64 = r.try_get("id")?;
            let mut v = variant_from_row(r)?;
            if let Some(t) = tariff_map.remove(&id) {
                v.trade.tariff_codes = t;
            }
            p.draft.variants.push(v);
            p.variant_ids.push(id);
        }
        Ok(order
            .into_iter()
            .filter_map(|id| by_product.remove(&id))
            .collect())
    }

    /// Every product of the seller, by id (read page by page).
    pub async fn all_products(
        &self,
        organisation_id: i64,
    ) -> Result<Vec<ProductRecord>, StoreError> {
        let mut products = Vec::new();
        let mut after = 0;
        loop {
            let page = self.list_products(organisation_id, after, 500).await?;
            products.extend(page.items);
            match page.next_after {
                Some(a) => after = a,
                None => return Ok(products),
            }
        }
    }

    /// Price inputs of every variant of the seller, by variant id.
    pub async fn variant_price_inputs(
        &self,
        organisation_id: i64,
    ) -> Result<Vec<VariantPriceInput>, StoreError> {
        Ok(self.cached_variants(organisation_id).await?.to_vec())
    }

    /// The seller's variant price inputs from the read cache, or read and
    /// kept there (see `cache`).
    async fn cached_variants(
        &self,
        organisation_id: i64,
    ) -> Result<std::sync::Arc<Vec<VariantPriceInput>>, StoreError> {
        let generation = self.read_cache.generation(organisation_id);
        if let Some(g) = generation {
            if let Some(v) = self.read_cache.variants(organisation_id, g) {
                return Ok(v);
            }
        }
        let v = std::sync::Arc::new(self.read_variant_price_inputs(organisation_id).await?);
        if let Some(g) = generation {
            self.read_cache.put_variants(organisation_id, g, v.clone());
        }
        Ok(v)
    }

    async fn read_variant_price_inputs(
        &self,
        organisation_id: i64,
    ) -> Result<Vec<VariantPriceInput>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, product_id, sku, base_price_minor, base_currency, compare_at_minor, moq, pack_size, order_increment
             FROM variants WHERE organisation_id = $1 ORDER BY id",
        )
        .bind(organisation_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(price_input_from_row).collect()
    }

    /// One variant's price inputs; another seller's is not found.
    pub async fn variant_price_input(
        &self,
        organisation_id: i64,
        variant_id: i64,
    ) -> Result<Option<VariantPriceInput>, StoreError> {
        if let Some(g) = self.read_cache.generation(organisation_id) {
            if let Some(v) = self.read_cache.variants(organisation_id, g) {
                return Ok(v.iter().find(|v| v.variant_id == variant_id).cloned());
            }
        }
        sqlx::query(
            "SELECT id, product_id, sku, base_price_minor, base_currency, compare_at_minor, moq, pack_size, order_increment
             FROM variants WHERE organisation_id = $1 AND id = $2",
        )
        .bind(organisation_id)
        .bind(variant_id)
        .fetch_optional(self.reader())
        .await?
        .as_ref()
        .map(price_input_from_row)
        .transpose()
    }

    /// How many products and variants the seller has.
    pub async fn catalog_counts(&self, organisation_id: i64) -> Result<(i64, i64), StoreError> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM products WHERE organisation_id = $1) AS products,
                    (SELECT COUNT(*) FROM variants WHERE organisation_id = $1) AS variants",
        )
        .bind(organisation_id)
        .fetch_one(self.reader())
        .await?;
        Ok((row.try_get("products")?, row.try_get("variants")?))
    }
}

fn range_query(
    sql: &str,
    organisation_id: i64,
    first: i64,
    last: i64,
) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
    sqlx::query(sql)
        .bind(organisation_id)
        .bind(first)
        .bind(last)
}

fn price_input_from_row(r: &AnyRow) -> Result<VariantPriceInput, StoreError> {
    let currency: String = r.try_get("base_currency")?;
    let positive = |c: &'static str| -> Result<u32, StoreError> {
        u32::try_from(r.try_get::<i64, _>(c)?).map_err(|_| corrupt(c)("out of range".into()))
    };
    Ok(VariantPriceInput {
        variant_id: r.try_get("id")?,
        product_id: r.try_get("product_id")?,
        sku: r.try_get("sku")?,
        base_price: money(
            r.try_get("base_price_minor")?,
            &currency,
            "variants.base_currency",
        )?,
        compare_at: r
            .try_get::<Option<i64>, _>("compare_at_minor")?
            .map(|m| money(m, &currency, "variants.base_currency"))
            .transpose()?,
        moq: positive("moq")?,
        pack_size: positive("pack_size")?,
        increment: positive("order_increment")?,
    })
}

const VARIANT_COLUMNS: &[&str] = &[
    "organisation_id",
    "product_id",
    "position",
    "sku",
    "option1",
    "option2",
    "option3",
    "gtin",
    "image_url",
    "base_price_minor",
    "base_currency",
    "compare_at_minor",
    "grams",
    "net_grams",
    "length_mm",
    "width_mm",
    "height_mm",
    "hs_code",
    "origin_country",
    "customs_description_en",
    "customs_description_zh",
    "goods_flags",
    "moq",
    "pack_size",
    "order_increment",
];

fn variant_row(
    organisation_id: i64,
    product_id: i64,
    position: usize,
    v: &VariantDraft,
) -> Result<Vec<Val>, StoreError> {
    let sku = v.sku.as_ref().ok_or(StoreError::Invalid {
        field: "sku",
        reason: "every variant needs a SKU".into(),
    })?;
    let opt = |i: usize| Val::OptText(v.option_values.get(i).cloned());
    let t = &v.trade;
    let dims = t.dimensions;
    Ok(vec![
        Val::Int(organisation_id),
        Val::Int(product_id),
        Val::Int(position as i64),
        Val::Text(sku.as_str().to_owned()),
        opt(0),
        opt(1),
        opt(2),
        Val::OptText(v.gtin.as_ref().map(|g| g.as_str().to_owned())),
        Val::OptText(v.image_url.as_ref().map(|u| u.as_str().to_owned())),
        Val::Int(v.price.minor()),
        Val::Text(v.price.currency().code().to_owned()),
        Val::OptInt(v.compare_at_price.map(|m| m.minor())),
        Val::OptInt(v.weight_grams.map(i64::from)),
        Val::OptInt(t.net_weight_grams.map(i64::from)),
        Val::OptInt(dims.map(|d| i64::from(d.length_mm()))),
        Val::OptInt(dims.map(|d| i64::from(d.width_mm()))),
        Val::OptInt(dims.map(|d| i64::from(d.height_mm()))),
        Val::OptText(t.hs_code.as_ref().map(|h| h.as_str().to_owned())),
        Val::OptText(t.country_of_origin.map(|c| c.alpha2().to_owned())),
        Val::OptText(t.customs_description_en.clone()),
        Val::OptText(t.customs_description_zh.clone()),
        Val::Text(t.goods_flags.to_string()),
        Val::Int(1),
        Val::Int(1),
        Val::Int(1),
    ])
}

fn variant_from_row(r: &AnyRow) -> Result<VariantDraft, StoreError> {
    let currency: String = r.try_get("base_currency")?;
    let opt_u32 = |c: &'static str| -> Result<Option<u32>, StoreError> {
        r.try_get::<Option<i64>, _>(c)?
            .map(|v| u32::try_from(v).map_err(|_| corrupt(c)(v.to_string())))
            .transpose()
    };
    let dims = match (
        opt_u32("length_mm")?,
        opt_u32("width_mm")?,
        opt_u32("height_mm")?,
    ) {
        (Some(l), Some(w), Some(h)) => Some(
            Dimensions::new(l, w, h).map_err(|e| corrupt("variants.length_mm")(e.to_string()))?,
        ),
        _ => None,
    };
    let option_values = ["option1", "option2", "option3"]
        .iter()
        .map(|c| r.try_get::<Option<String>, _>(*c))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .flatten()
        .collect();
    Ok(VariantDraft {
        sku: Some(
            Sku::parse(&r.try_get::<String, _>("sku")?)
                .map_err(|e| corrupt("variants.sku")(e.to_string()))?,
        ),
        option_values,
        gtin: r
            .try_get::<Option<String>, _>("gtin")?
            .map(|g| Gtin::parse(&g).map_err(|e| corrupt("variants.gtin")(e.to_string())))
            .transpose()?,
        price: money(
            r.try_get("base_price_minor")?,
            &currency,
            "variants.base_currency",
        )?,
        compare_at_price: r
            .try_get::<Option<i64>, _>("compare_at_minor")?
            .map(|m| money(m, &currency, "variants.base_currency"))
            .transpose()?,
        weight_grams: opt_u32("grams")?,
        image_url: r
            .try_get::<Option<String>, _>("image_url")?
            .map(|u| MediaUrl::parse(&u).map_err(|e| corrupt("variants.image_url")(e.to_string())))
            .transpose()?,
        trade: TradeData {
            hs_code: r
                .try_get::<Option<String>, _>("hs_code")?
                .map(|h| HsCode::parse(&h).map_err(|e| corrupt("variants.hs_code")(e.to_string())))
                .transpose()?,
            tariff_codes: BTreeMap::new(),
            country_of_origin: r
                .try_get::<Option<String>, _>("origin_country")?
                .map(|c| {
                    Country::from_alpha2(&c)
                        .map_err(|e| corrupt("variants.origin_country")(e.to_string()))
                })
                .transpose()?,
            net_weight_grams: opt_u32("net_grams")?,
            dimensions: dims,
            customs_description_en: r.try_get("customs_description_en")?,
            customs_description_zh: r.try_get("customs_description_zh")?,
            goods_flags: GoodsFlags::parse_list(&r.try_get::<String, _>("goods_flags")?)
                .map_err(|e| corrupt("variants.goods_flags")(e.to_string()))?,
        },
    })
}

fn unique_to_invalid(e: StoreError, field: &'static str) -> StoreError {
    match e {
        StoreError::Backend(inner) if inner.to_string().to_lowercase().contains("unique") => {
            StoreError::Invalid {
                field,
                reason: "is already taken".into(),
            }
        }
        other => other,
    }
}
