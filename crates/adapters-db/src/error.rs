//! Translating database errors into the domain's storage errors.

use frontdesk_domain::ports::{StoreError, StoreFailure};
use sea_orm::{DbErr, RuntimeErr, SqlErr, sqlx};

/// A database error as the domain sees it: "unavailable" for connection trouble (worth a retry
/// later), "other" for the rest, with the database's error as the source. Messages never contain
/// connection strings or credentials.
pub(crate) fn store_error(e: DbErr) -> StoreError {
    let lost_connection = match &e {
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
    let failure = StoreFailure::caused_by(e.to_string(), e);
    if lost_connection {
        StoreError::Unavailable(failure)
    } else {
        StoreError::Other(failure)
    }
}

pub(crate) fn is_unique_violation(e: &DbErr) -> bool {
    matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// A stored value that does not parse back into its domain type.
pub(crate) fn corrupt(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::other(format!("stored {what} is invalid: {detail}"))
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[test]
    fn the_database_error_stays_the_source() {
        let e = store_error(DbErr::Custom("disk on fire".into()));
        assert!(matches!(e, StoreError::Other(_)));
        assert!(e.to_string().contains("disk on fire"));
        let failure = e.source().expect("the failure");
        let db = failure.source().expect("the database's error");
        assert!(db.downcast_ref::<DbErr>().is_some());
        let lost = store_error(DbErr::Conn(RuntimeErr::Internal("refused".into())));
        assert!(matches!(lost, StoreError::Unavailable(_)));
    }
}
