//! Landed cost and export customs: destination import rules and tariff
//! lines (platform reference data) and sellers' export shipments.
//!
//! The domain owns the shapes; this layer keeps each rule, tariff line and
//! shipment as the domain's JSON document (`body`) next to the columns that
//! find it, so a new rule field is a domain change, not a migration.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::bulk::{insert_rows, Val};
use crate::{Millis, Page, Store, StoreError};

/// One dated version of a destination's import rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRuleRow {
    /// Unique version id, e.g. `EU-2026-07-01`.
    pub version: String,
    /// Region code, e.g. `EU`, `GB`, `US`.
    pub region: String,
    /// Days since 1970-01-01, inclusive.
    pub valid_from: i64,
    /// Days since 1970-01-01, exclusive; `None` = open-ended.
    pub valid_until: Option<i64>,
    pub verified: bool,
    /// The domain's rule as JSON.
    pub body: String,
    pub updated_at: Millis,
}

/// One national tariff line of a destination region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TariffLineRow {
    pub region: String,
    pub tariff_code: String,
    /// The domain's tariff line as JSON.
    pub body: String,
}

/// A seller's export shipment (one consignment leaving China).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportShipmentRow {
    pub id: i64,
    pub organisation_id: i64,
    pub order_no: String,
    /// Customs supervision mode: `9610`, `9710` or `9810`.
    pub mode: String,
    /// ISO 3166 alpha-2.
    pub destination: String,
    /// Days since 1970-01-01.
    pub export_date: i64,
    /// The domain's shipment as JSON.
    pub body: String,
    pub created_at: Millis,
    /// The inbound shipment (ASN) this export feeds, for 9810.
    pub inbound_shipment_id: Option<i64>,
}

/// A new export shipment.
#[derive(Debug, Clone)]
pub struct NewExportShipment {
    pub organisation_id: i64,
    pub order_no: String,
    pub mode: String,
    pub destination: String,
    pub export_date: i64,
    pub body: String,
    pub inbound_shipment_id: Option<i64>,
}

const RULE_COLUMNS: &str = "version, region, valid_from, valid_until, verified, body, updated_at";
const SHIPMENT_COLUMNS: &str =
    "id, organisation_id, order_no, mode, destination, export_date, body, created_at, inbound_shipment_id";

fn rule_from_row(r: &AnyRow) -> Result<ImportRuleRow, StoreError> {
    Ok(ImportRuleRow {
        version: r.try_get("version")?,
        region: r.try_get("region")?,
        valid_from: r.try_get("valid_from")?,
        valid_until: r.try_get("valid_until")?,
        verified: r.try_get::<i64, _>("verified")? != 0,
        body: r.try_get("body")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn shipment_from_row(r: &AnyRow) -> Result<ExportShipmentRow, StoreError> {
    Ok(ExportShipmentRow {
        id: r.try_get("id")?,
        organisation_id: r.try_get("organisation_id")?,
        order_no: r.try_get("order_no")?,
        mode: r.try_get("mode")?,
        destination: r.try_get("destination")?,
        export_date: r.try_get("export_date")?,
        body: r.try_get("body")?,
        created_at: r.try_get("created_at")?,
        inbound_shipment_id: r.try_get("inbound_shipment_id")?,
    })
}

impl Store {
    /// Adds rule versions or replaces those with the same version id,
    /// atomically. Returns rows written.
    pub async fn upsert_import_rules(&self, rules: Vec<ImportRuleRow>) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await?;
        let rows = rules
            .into_iter()
            .map(|r| {
                vec![
                    Val::Text(r.version),
                    Val::Text(r.region),
                    Val::Int(r.valid_from),
                    Val::OptInt(r.valid_until),
                    Val::Int(i64::from(r.verified)),
                    Val::Text(r.body),
                    Val::Int(r.updated_at),
                ]
            })
            .collect();
        let n = insert_rows(
            &mut tx,
            self.backend(),
            "import_rules",
            &[
                "version",
                "region",
                "valid_from",
                "valid_until",
                "verified",
                "body",
                "updated_at",
            ],
            "ON CONFLICT (version) DO UPDATE SET region = excluded.region, \
             valid_from = excluded.valid_from, valid_until = excluded.valid_until, \
             verified = excluded.verified, body = excluded.body, updated_at = excluded.updated_at",
            rows,
        )
        .await?;
        crate::bump_generation(self, &mut tx, 0).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Every rule version, by region and start date.
    pub async fn import_rules(&self) -> Result<Vec<ImportRuleRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {RULE_COLUMNS} FROM import_rules ORDER BY region, valid_from, version"
        ))
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(rule_from_row).collect()
    }

    /// Adds tariff lines or replaces those with the same (region, code),
    /// atomically. Returns rows written.
    pub async fn upsert_tariff_lines(&self, lines: Vec<TariffLineRow>) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await?;
        let rows = lines
            .into_iter()
            .map(|l| {
                vec![
                    Val::Text(l.region),
                    Val::Text(l.tariff_code),
                    Val::Text(l.body),
                ]
            })
            .collect();
        let n = insert_rows(
            &mut tx,
            self.backend(),
            "tariff_lines",
            &["region", "tariff_code", "body"],
            "ON CONFLICT (region, tariff_code) DO UPDATE SET body = excluded.body",
            rows,
        )
        .await?;
        crate::bump_generation(self, &mut tx, 0).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Tariff lines, of one region or of all, by region and code.
    pub async fn tariff_lines(
        &self,
        region: Option<&str>,
    ) -> Result<Vec<TariffLineRow>, StoreError> {
        let rows = match region {
            Some(region) => {
                sqlx::query(
                    "SELECT region, tariff_code, body FROM tariff_lines WHERE region = $1
                     ORDER BY region, tariff_code",
                )
                .bind(region)
                .fetch_all(self.reader())
                .await?
            }
            None => sqlx::query(
                "SELECT region, tariff_code, body FROM tariff_lines ORDER BY region, tariff_code",
            )
            .fetch_all(self.reader())
            .await?,
        };
        rows.iter()
            .map(|r| {
                Ok(TariffLineRow {
                    region: r.try_get("region")?,
                    tariff_code: r.try_get("tariff_code")?,
                    body: r.try_get("body")?,
                })
            })
            .collect()
    }

    /// Records an export shipment. An order number the seller already
    /// used is a conflict on `order_no`.
    pub async fn insert_export_shipment(
        &self,
        shipment: &NewExportShipment,
        now: Millis,
    ) -> Result<ExportShipmentRow, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(&format!(
            "INSERT INTO export_shipments
               (organisation_id, order_no, mode, destination, export_date, body, created_at,
                inbound_shipment_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             RETURNING {SHIPMENT_COLUMNS}"
        ))
        .bind(shipment.organisation_id)
        .bind(&shipment.order_no)
        .bind(&shipment.mode)
        .bind(&shipment.destination)
        .bind(shipment.export_date)
        .bind(&shipment.body)
        .bind(now)
        .bind(shipment.inbound_shipment_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| crate::error::conflict_on_unique(e, "order_no"))?;
        let out = shipment_from_row(&row)?;
        tx.commit().await?;
        Ok(out)
    }

    /// One of the seller's export shipments; another seller's is `None`.
    pub async fn export_shipment(
        &self,
        organisation_id: i64,
        id: i64,
    ) -> Result<Option<ExportShipmentRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {SHIPMENT_COLUMNS} FROM export_shipments WHERE organisation_id = $1 AND id = $2"
        ))
        .bind(organisation_id)
        .bind(id)
        .fetch_optional(self.reader())
        .await?;
        row.as_ref().map(shipment_from_row).transpose()
    }

    /// The seller's export shipment recorded under an order number (one
    /// at most: a seller uses each number once); another seller's is `None`.
    pub async fn export_shipment_by_order_no(
        &self,
        organisation_id: i64,
        order_no: &str,
    ) -> Result<Option<ExportShipmentRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {SHIPMENT_COLUMNS} FROM export_shipments
             WHERE organisation_id = $1 AND order_no = $2"
        ))
        .bind(organisation_id)
        .bind(order_no)
        .fetch_optional(self.reader())
        .await?;
        row.as_ref().map(shipment_from_row).transpose()
    }

    /// The seller's export shipments, by ascending id with a cursor.
    pub async fn export_shipments(
        &self,
        organisation_id: i64,
        after: i64,
        limit: u32,
    ) -> Result<Page<ExportShipmentRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {SHIPMENT_COLUMNS} FROM export_shipments
             WHERE organisation_id = $1 AND id > $2 ORDER BY id LIMIT $3"
        ))
        .bind(organisation_id)
        .bind(after)
        .bind(i64::from(limit) + 1)
        .fetch_all(self.reader())
        .await?;
        let rows = rows
            .iter()
            .map(shipment_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_rows(rows, limit, |s| s.id))
    }

    /// The seller's shipments of one mode that left between `from` and
    /// `until` (days since 1970-01-01; `until` exclusive), by date and id.
    pub async fn export_shipments_between(
        &self,
        organisation_id: i64,
        mode: &str,
        from: i64,
        until: i64,
    ) -> Result<Vec<ExportShipmentRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {SHIPMENT_COLUMNS} FROM export_shipments
             WHERE organisation_id = $1 AND mode = $2 AND export_date >= $3 AND export_date < $4
             ORDER BY export_date, id"
        ))
        .bind(organisation_id)
        .bind(mode)
        .bind(from)
        .bind(until)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(shipment_from_row).collect()
    }
}

/// A variant's customs data, found by SKU for a landed-cost quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkuTrade {
    pub sku: String,
    pub hs_code: Option<String>,
    pub origin_country: Option<String>,
    /// Net weight, else gross weight, in grams.
    pub grams: Option<i64>,
    /// The national tariff code for the asked destination, when set.
    pub tariff_code: Option<String>,
}

impl Store {
    /// The customs data of the seller's variants with these SKUs (those that
    /// exist), with their tariff code for `destination` (ISO alpha-2).
    pub async fn sku_trade(
        &self,
        organisation_id: i64,
        skus: &[&str],
        destination: &str,
    ) -> Result<Vec<SkuTrade>, StoreError> {
        let mut out = Vec::with_capacity(skus.len());
        for sku in skus {
            // Variants and their tariff codes are written only with a
            // generation bump.
            let key = format!("trade:{destination}:{sku}");
            let found = self
                .cached(organisation_id, key, async {
                    let row = sqlx::query(
                        "SELECT v.sku, v.hs_code, v.origin_country, COALESCE(v.net_grams, v.grams) AS g,
                                (SELECT t.tariff_code FROM variant_tariff_codes t
                                  WHERE t.variant_id = v.id AND t.country = $3) AS tariff_code
                         FROM variants v WHERE v.organisation_id = $1 AND v.sku = $2",
                    )
                    .bind(organisation_id)
                    .bind(*sku)
                    .bind(destination)
                    .fetch_optional(self.reader())
                    .await?;
                    row.map(|r| {
                        Ok::<_, StoreError>(SkuTrade {
                            sku: r.try_get("sku")?,
                            hs_code: r.try_get("hs_code")?,
                            origin_country: r.try_get("origin_country")?,
                            grams: r.try_get("g")?,
                            tariff_code: r.try_get("tariff_code")?,
                        })
                    })
                    .transpose()
                })
                .await?;
            out.extend(found);
        }
        Ok(out)
    }
}
