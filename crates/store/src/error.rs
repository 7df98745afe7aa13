use std::error::Error as StdError;

/// What can go wrong in storage, in terms the layers above can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule refused the write; `what` names the taken value's field.
    #[error("{what} is already taken")]
    Conflict { what: &'static str },
    /// A row the caller named does not exist (or belongs to another tenant).
    #[error("{what} not found")]
    NotFound { what: &'static str },
    /// A value breaks a rule the store enforces (e.g. a role the
    /// organisation's kind does not have).
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    /// The row is not in a state that allows the change (a cart already
    /// checked out, an order changed meanwhile); nothing was written.
    #[error("{what}: {reason}")]
    StateConflict { what: &'static str, reason: String },
    /// The inventory rules refused an entry, count or shipment step (the
    /// error names the field, e.g. `quantity`, `bin`, `status`); nothing
    /// was written.
    #[error("{0}")]
    Ledger(chuhai_domain::inventory::LedgerError),
    /// The database URL or configuration is unusable.
    #[error("database configuration: {0}")]
    Config(String),
    /// A stored value failed to parse back into its domain type.
    #[error("corrupt stored value in {column}: {reason}")]
    Corrupt {
        column: &'static str,
        reason: String,
    },
    /// The database failed or could not be reached.
    #[error("database error: {0}")]
    Backend(#[source] Box<dyn StdError + Send + Sync>),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Backend(Box::new(e))
    }
}

/// Maps a unique-constraint violation to [`StoreError::Conflict`].
pub(crate) fn conflict_on_unique(e: sqlx::Error, what: &'static str) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        if db.kind() == sqlx::error::ErrorKind::UniqueViolation {
            return StoreError::Conflict { what };
        }
    }
    e.into()
}
