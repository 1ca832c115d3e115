//! Test support (feature `testing`): a fresh, migrated database per test on SQLite or
//! PostgreSQL, dropped afterwards. PostgreSQL tests use the server at `DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`) and fail rather than skip when it is not
//! reachable; `scripts/test.sh` starts one. Panics on a broken fixture are the point here.
#![allow(clippy::expect_used, clippy::missing_panics_doc)]

use crate::{Database, DatabaseSettings};
use sea_orm::{ConnectionTrait, Database as Connector};

/// The server used when `DATABASE_URL` is not set.
pub const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A fresh database and how to remove it.
#[derive(Debug)]
pub struct Fresh {
    pub db: Database,
    /// The URL it was opened with, for processes started by the test.
    pub url: String,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    Sqlite(std::path::PathBuf),
    Postgres { admin: String, name: String },
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let (server, _) = base
        .rsplit_once('/')
        .expect("DATABASE_URL has a database path");
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

impl Fresh {
    /// A migrated SQLite file in the temporary directory.
    pub async fn sqlite() -> Self {
        let path = std::env::temp_dir().join(format!(
            "frontdesk-test-{}.sqlite",
            uuid::Uuid::now_v7().simple()
        ));
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let db = DatabaseSettings::new(url.clone())
            .connect()
            .await
            .expect("open SQLite");
        db.migrate().await.expect("migrate SQLite");
        Self {
            db,
            url,
            cleanup: Cleanup::Sqlite(path),
        }
    }

    /// A migrated database created on the PostgreSQL server at `DATABASE_URL`.
    pub async fn postgres() -> Self {
        let admin = std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_POSTGRES.to_owned());
        let name = format!("frontdesk_test_{}", uuid::Uuid::now_v7().simple());
        let conn = Connector::connect(admin.as_str())
            .await
            .unwrap_or_else(|e| {
                panic!("PostgreSQL at DATABASE_URL is not reachable ({e}); run scripts/test.sh")
            });
        conn.execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("create test database");
        conn.close().await.expect("close admin connection");
        let url = with_database(&admin, &name);
        let db = DatabaseSettings::new(url.clone())
            .connect()
            .await
            .expect("open PostgreSQL");
        db.migrate().await.expect("migrate PostgreSQL");
        Self {
            db,
            url,
            cleanup: Cleanup::Postgres { admin, name },
        }
    }

    /// Closes and removes the database.
    pub async fn finish(self) {
        self.db.close().await;
        match self.cleanup {
            Cleanup::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Postgres { admin, name } => {
                let conn = Connector::connect(admin.as_str())
                    .await
                    .expect("reconnect as admin");
                conn.execute_unprepared(&format!(
                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                ))
                .await
                .expect("drop test database");
                let _ = conn.close().await;
            }
        }
    }
}

/// The state and last error of every job of `kind` (`deliver_webhook`, …), oldest first.
pub async fn jobs_of_kind(db: &Database, kind: &str) -> Vec<(String, Option<String>)> {
    use crate::entity::jobs;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    jobs::Entity::find()
        .filter(jobs::Column::Kind.eq(kind))
        .order_by_asc(jobs::Column::CreatedAt)
        .all(db.connection())
        .await
        .expect("read jobs")
        .into_iter()
        .map(|j| (j.state, j.last_error))
        .collect()
}

#[cfg(test)]
#[test]
fn database_names_are_swapped_in_urls() {
    assert_eq!(
        with_database("postgres://u@h:5432/postgres", "x"),
        "postgres://u@h:5432/x"
    );
    assert_eq!(
        with_database("postgres://u@h/postgres?sslmode=disable", "x"),
        "postgres://u@h/x?sslmode=disable"
    );
}
