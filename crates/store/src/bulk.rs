//! Multi-row `INSERT … VALUES (…), (…)` in batches, for imports and bulk
//! derivations. One statement per batch keeps round trips (and SQLite's
//! worker-thread hand-offs) few.

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection};

use crate::StoreError;

/// A value to bind: the few types the storage layer writes.
#[derive(Debug, Clone)]
pub(crate) enum Val {
    Int(i64),
    Text(String),
    OptInt(Option<i64>),
    OptText(Option<String>),
}

fn bind<'q>(q: Query<'q, Any, AnyArguments<'q>>, v: Val) -> Query<'q, Any, AnyArguments<'q>> {
    match v {
        Val::Int(i) => q.bind(i),
        Val::Text(s) => q.bind(s),
        Val::OptInt(i) => q.bind(i),
        Val::OptText(s) => q.bind(s),
    }
}

/// Bound parameters per statement, under both engines' limits (SQLite
/// 32,766; PostgreSQL 65,535).
const MAX_PARAMS: usize = 30_000;

/// Inserts `rows` (each `columns.len()` values) into `table`; `tail` is
/// appended to each statement, e.g. an `ON CONFLICT … DO UPDATE` clause.
pub(crate) async fn insert_rows(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    tail: &str,
    rows: Vec<Vec<Val>>,
) -> Result<u64, StoreError> {
    let width = columns.len();
    let per_batch = (MAX_PARAMS / width).clamp(1, 1000);
    let mut written = 0;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<Vec<Val>> = rows.by_ref().take(per_batch).collect();
        let mut sql = String::with_capacity(64 + batch.len() * width * 6);
        sql.push_str("INSERT INTO ");
        sql.push_str(table);
        sql.push_str(" (");
        sql.push_str(&columns.join(", "));
        sql.push_str(") VALUES ");
        let mut n = 0;
        for (i, _) in batch.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..width {
                if c > 0 {
                    sql.push_str(", ");
                }
                n += 1;
                sql.push('$');
                sql.push_str(&n.to_string());
            }
            sql.push(')');
        }
        sql.push(' ');
        sql.push_str(tail);
        let mut q = sqlx::query(&sql);
        for row in batch {
            debug_assert_eq!(row.len(), width);
            for v in row {
                q = bind(q, v);
            }
        }
        written += q.execute(&mut *conn).await?.rows_affected();
    }
    Ok(written)
}
