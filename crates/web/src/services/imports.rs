//! Product imports and exports in Shopify's CSV format.

use chuhai_domain::catalog::{
    parse_shopify_csv, write_shopify_csv, HsCode, ImportContext, Locale, RowError,
};
use chuhai_domain::money::Currency;
use chuhai_store::Store;
use serde::Serialize;

use crate::problem::Problem;
use crate::time::now_millis;

/// What an import did, or would have done.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    /// Data rows read (after the header).
    pub rows: u64,
    /// Products saved (0 when anything failed and `partial` was not asked).
    pub imported_products: usize,
    pub imported_variants: usize,
    /// Whether anything was saved.
    pub saved: bool,
    pub errors: Vec<RowError>,
    /// Shopify columns Chuhai does not keep (inventory, tax, channels …).
    pub ignored_columns: Vec<String>,
    pub partial: bool,
}

/// Imports a Shopify product CSV for a seller. With `partial` false, any
/// error saves nothing; with `partial` true, products without errors are
/// saved and the report lists the rest. HS codes are checked against the
/// loaded nomenclature.
pub async fn import_shopify(
    store: &Store,
    organisation_id: i64,
    csv: &[u8],
    currency: Currency,
    partial: bool,
) -> Result<ImportReport, Problem> {
    import_shopify_with_progress(
        store,
        organisation_id,
        csv,
        currency,
        partial,
        &Progress::Silent,
    )
    .await
}

/// The stages of an import, in order, for progress reports.
pub const STAGES: [&str; 4] = ["parsing", "checking", "saving", "finished"];

/// Where an import reports its stages.
pub enum Progress<'a> {
    Silent,
    /// Standard error of the command line.
    Terminal,
    /// A background job's row, so that any server can show it.
    Job {
        store: &'a Store,
        job_id: i64,
        lease_ms: i64,
    },
}

impl Progress<'_> {
    async fn stage(&self, index: usize, rows: u64) {
        let name = STAGES[index];
        match self {
            Progress::Silent => {}
            Progress::Terminal => {
                let filled = (index + 1) * 20 / STAGES.len();
                eprintln!(
                    "[{}{}] {name} ({rows} rows)",
                    "#".repeat(filled),
                    ".".repeat(20 - filled)
                );
            }
            Progress::Job {
                store,
                job_id,
                lease_ms,
            } => {
                let report = serde_json::json!({"stage": name, "rows": rows}).to_string();
                let now = now_millis();
                if let Err(e) = store
                    .job_progress(
                        *job_id,
                        index as i64,
                        STAGES.len() as i64 - 1,
                        &report,
                        now + lease_ms,
                    )
                    .await
                {
                    tracing::warn!(error = %e, job_id, "could not record job progress");
                }
            }
        }
    }
}

/// [`import_shopify`], reporting each stage to `progress`.
pub async fn import_shopify_with_progress(
    store: &Store,
    organisation_id: i64,
    csv: &[u8],
    currency: Currency,
    partial: bool,
    progress: &Progress<'_>,
) -> Result<ImportReport, Problem> {
    progress.stage(0, 0).await;
    let (_, _, subheadings) = store.hs_counts().await?;
    let hs_codes: std::collections::HashSet<String> = if subheadings > 0 {
        store
            .hs_by_prefix("", 20_000)
            .await?
            .into_iter()
            .filter(|h| h.level == 6 && h.code != "999999")
            .map(|h| h.code)
            .collect()
    } else {
        Default::default()
    };
    let default_locale = Locale::parse("en").map_err(|_| Problem::internal())?;
    let parsed = parse(csv, currency, default_locale, &hs_codes);
    progress.stage(1, parsed.data_rows).await;
    let mut errors = parsed.errors;
    let conflicts = store
        .catalog_conflicts(organisation_id, &parsed.products)
        .await?;
    let mut rejected: std::collections::BTreeSet<usize> = Default::default();
    for c in &conflicts {
        rejected.insert(c.index);
        let p = &parsed.products[c.index];
        errors.push(RowError {
            row: 0,
            line: 0,
            column: if c.field == "sku" {
                "SKU".into()
            } else {
                "URL handle".into()
            },
            reason: format!(
                "product '{}': {} '{}' {}",
                p.handle.as_str(),
                c.field,
                c.value,
                c.reason
            ),
        });
    }
    let keep: Vec<_> = parsed
        .products
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !rejected.contains(i))
        .map(|(_, p)| p)
        .collect();
    let save = errors.is_empty() || partial;
    progress.stage(2, parsed.data_rows).await;
    let (products, variants) = if save && !keep.is_empty() {
        store
            .insert_products(organisation_id, &keep, now_millis())
            .await?;
        (keep.len(), keep.iter().map(|p| p.variants.len()).sum())
    } else {
        (0, 0)
    };
    Ok(ImportReport {
        rows: parsed.data_rows,
        imported_products: products,
        imported_variants: variants,
        saved: save && products > 0,
        errors,
        ignored_columns: parsed.ignored_columns,
        partial,
    })
}

/// Writes all of a seller's products as Shopify CSV.
pub async fn export_shopify(store: &Store, organisation_id: i64) -> Result<Vec<u8>, Problem> {
    let drafts: Vec<_> = store
        .all_products(organisation_id)
        .await?
        .into_iter()
        .map(|p| p.draft)
        .collect();
    let default_locale = Locale::parse("en").map_err(|_| Problem::internal())?;
    let mut out = Vec::new();
    write_shopify_csv(&mut out, &drafts, &default_locale)
        .map_err(|e| Problem::field("products", e.to_string()))?;
    Ok(out)
}
/// Parses synchronously: the lookup is not `Sync`, so it must not live
/// across an await in the caller.
fn parse(
    csv: &[u8],
    currency: Currency,
    default_locale: Locale,
    hs_codes: &std::collections::HashSet<String>,
) -> chuhai_domain::catalog::ShopifyImport {
    let lookup = |code: HsCode| hs_codes.is_empty() || hs_codes.contains(code.as_str());
    let ctx = ImportContext {
        currency,
        default_locale,
        hs_codes: &lookup,
    };
    parse_shopify_csv(csv, &ctx)
}
