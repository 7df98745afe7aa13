//! Bulk inserts: rows travel as ONE JSON text parameter per statement and
//! the database unpacks them (`json_each` on SQLite, `jsonb_array_elements`
//! on PostgreSQL). Binding thousands of separate parameters is far slower:
//! SQLite resolves `$n` names one by one.

use std::fmt::Write;

use sqlx::AnyConnection;

use crate::{Backend, StoreError};

/// A value to write: the few types the storage layer bulk-loads.
#[derive(Debug, Clone)]
pub(crate) enum Val {
    Int(i64),
    Text(String),
    OptInt(Option<i64>),
    OptText(Option<String>),
}

impl Val {
    fn is_int(&self) -> bool {
        matches!(self, Val::Int(_) | Val::OptInt(_))
    }

    fn write_json(&self, out: &mut String) {
        match self {
            Val::Int(i) | Val::OptInt(Some(i)) => {
                let _ = write!(out, "{i}");
            }
            Val::Text(s) | Val::OptText(Some(s)) => {
                out.push_str(&serde_json::Value::from(s.as_str()).to_string());
            }
            Val::OptInt(None) | Val::OptText(None) => out.push_str("null"),
        }
    }
}

/// Rows per statement.
const BATCH: usize = 20_000;

/// Inserts `rows` (each `columns.len()` values, all rows of one shape) into
/// `table`; `tail` follows the statement, e.g. an `ON CONFLICT` clause.
pub(crate) async fn insert_rows(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
    columns: &[&str],
    tail: &str,
    rows: Vec<Vec<Val>>,
) -> Result<u64, StoreError> {
    let Some(first) = rows.first() else {
        return Ok(0);
    };
    let ints: Vec<bool> = first.iter().map(Val::is_int).collect();
    let select: Vec<String> = ints
        .iter()
        .enumerate()
        .map(|(i, int)| match (backend, int) {
            (Backend::Sqlite, _) => format!("value ->> {i}"),
            (Backend::Postgres, true) => format!("(e ->> {i})::bigint"),
            (Backend::Postgres, false) => format!("e ->> {i}"),
        })
        .collect();
    // `WHERE true` keeps SQLite from reading a following ON CONFLICT as
    // part of the SELECT.
    let sql = match backend {
        Backend::Sqlite => format!(
            "INSERT INTO {table} ({}) SELECT {} FROM json_each($1) WHERE true {tail}",
            columns.join(", "),
            select.join(", ")
        ),
        Backend::Postgres => format!(
            "INSERT INTO {table} ({}) SELECT {} FROM jsonb_array_elements($1::jsonb) AS e {tail}",
            columns.join(", "),
            select.join(", ")
        ),
    };
    let mut written = 0;
    let mut json = String::new();
    for chunk in rows.chunks(BATCH) {
        json.clear();
        json.push('[');
        for (r, row) in chunk.iter().enumerate() {
            debug_assert_eq!(row.len(), columns.len());
            if r > 0 {
                json.push(',');
            }
            json.push('[');
            for (c, v) in row.iter().enumerate() {
                if c > 0 {
                    json.push(',');
                }
                v.write_json(&mut json);
            }
            json.push(']');
        }
        json.push(']');
        written += sqlx::query(&sql)
            .bind(json.as_str())
            .execute(&mut *conn)
            .await?
            .rows_affected();
    }
    Ok(written)
}
