//! Translating database errors into the domain's storage errors.

use frontdesk_domain::ports::StoreError;
use sea_orm::{DbErr, RuntimeErr, SqlErr, sqlx};

/// A database error as the domain sees it: "unavailable" for connection trouble (worth a retry
/// later), "other" for the rest. Messages never contain connection strings or credentials.
pub(crate) fn store_error(e: &DbErr) -> StoreError {
    let lost_connection = match e {
        DbErr::Conn(_) | DbErr::ConnectionAcquire(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(inner)) | DbErr::Query(RuntimeErr::SqlxError(inner)) => {
            matches!(
                inner.as_ref(),
                sqlx::Error::Io(_)
                    | sqlx::Error::PoolTimedOut
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::Tls(_)
            )
        }
        _ => false,
    };
    if lost_connection {
        StoreError::Unavailable(e.to_string())
    } else {
        StoreError::Other(e.to_string())
    }
}

pub(crate) fn is_unique_violation(e: &DbErr) -> bool {
    matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// A stored value that does not parse back into its domain type.
pub(crate) fn corrupt(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Other(format!("stored {what} is invalid: {detail}"))
}
