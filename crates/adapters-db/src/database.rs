//! Connecting to SQLite or PostgreSQL, configured for a server, and running migrations.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, DatabaseConnection, DbBackend, DbErr};
use sea_orm_migration::MigratorTrait;

use crate::migration::Migrator;

/// Why Frontdesk could not open its database.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("database URL must start with `sqlite:` or `postgres:` (got `{0}`)")]
    UnsupportedUrl(String),
    #[error("cannot create the directory of the SQLite file {0}")]
    Directory(String),
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] DbErr),
    #[error("cannot migrate the database: {0}")]
    Migrate(#[source] DbErr),
}

/// How to reach the database. `url` is `sqlite://path?mode=rwc` or `postgres://…`.
#[derive(Clone)]
pub struct DatabaseSettings {
    pub url: String,
    /// Connections for readers (PostgreSQL: all queries).
    pub max_connections: u32,
    /// How long a query waits for a connection or a SQLite lock before failing.
    pub busy_timeout: Duration,
    /// SQLite's page cache per connection, in MiB (ignored by PostgreSQL).
    pub sqlite_cache_mib: u32,
    /// How much of a SQLite file is read through a memory map instead of `read` calls, in MiB
    /// (64 GiB by default; 0 turns it off; ignored by PostgreSQL). The workspace builds SQLite
    /// to allow up to 256 GiB (`.cargo/config.toml`); a build without that flag caps it at 2 GiB.
    pub sqlite_mmap_mib: u32,
}

impl std::fmt::Debug for DatabaseSettings {
    // The URL may carry a password; only its scheme is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = self.url.split(':').next().unwrap_or("");
        f.debug_struct("DatabaseSettings")
            .field("url", &format_args!("{scheme}://…"))
            .field("max_connections", &self.max_connections)
            .field("busy_timeout", &self.busy_timeout)
            .field("sqlite_cache_mib", &self.sqlite_cache_mib)
            .field("sqlite_mmap_mib", &self.sqlite_mmap_mib)
            .finish()
    }
}

/// The file of a `sqlite://path?…` URL (`None` for in-memory SQLite).
#[must_use]
pub fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| std::path::PathBuf::from(path))
}

impl DatabaseSettings {
    #[must_use]
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            max_connections: 8,
            busy_timeout: Duration::from_secs(10),
            sqlite_cache_mib: 64,
            sqlite_mmap_mib: 65_536,
        }
    }

    /// Opens the connection pools. SQLite gets WAL, a busy timeout, foreign keys and
    /// `synchronous = NORMAL`, and a separate single-connection writer pool so writers queue in
    /// the process instead of failing with "database is locked".
    ///
    /// # Errors
    /// [`ConnectError`] for an unsupported URL or a database that cannot be opened (a SQLite
    /// file's directory is created when missing).
    pub async fn connect(&self) -> Result<Database, ConnectError> {
        if self.url.starts_with("sqlite:") {
            if let Some(dir) = sqlite_path(&self.url)
                .as_deref()
                .and_then(std::path::Path::parent)
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir)
                    .map_err(|e| ConnectError::Directory(format!("{}: {e}", dir.display())))?;
            }
            let reader = self.open(self.max_connections).await?;
            let writer = self.open(1).await?;
            let checkpointer = Some(Arc::new(Checkpointer::spawn(
                reader.clone(),
                CHECKPOINT_INTERVAL,
            )));
            Ok(Database {
                reader,
                writer,
                _checkpointer: checkpointer,
            })
        } else if self.url.starts_with("postgres:") || self.url.starts_with("postgresql:") {
            let pool = self.open(self.max_connections).await?;
            Ok(Database {
                reader: pool.clone(),
                writer: pool,
                _checkpointer: None,
            })
        } else {
            let scheme = self.url.split(':').next().unwrap_or("").to_owned();
            Err(ConnectError::UnsupportedUrl(scheme))
        }
    }

    async fn open(&self, max: u32) -> Result<DatabaseConnection, ConnectError> {
        let mut options = ConnectOptions::new(self.url.clone());
        let busy = self.busy_timeout;
        let cache = format!("-{}", u64::from(self.sqlite_cache_mib.max(1)) * 1024);
        let mmap = (u64::from(self.sqlite_mmap_mib) * 1024 * 1024).to_string();
        options
            .max_connections(max)
            .min_connections(0)
            .acquire_timeout(busy)
            .connect_timeout(busy)
            .sqlx_logging(false);
        if self.url.starts_with("sqlite:") {
            // A SQLite connection is a file handle: nothing on the way can drop it, so it is
            // not pinged before each use (sqlx's default, a second round trip to the
            // connection's thread for every query: 30 % of a ticket read's cost).
            options.test_before_acquire(false);
            // Nor are idle ones reaped: with neither an idle timeout nor a lifetime the pool
            // runs no maintenance task, whose loop over a miscounted idle queue was seen
            // spinning a worker at 100 % and starving every timer of the process.
            options.idle_timeout(None).max_lifetime(None);
        } else {
            // A PostgreSQL connection idle for a while may have been dropped by the server or
            // a proxy: those are checked before use, busy ones are not.
            options.test_before_acquire_if_idle_for(Duration::from_secs(30));
        }
        options.map_sqlx_sqlite_opts(move |o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(busy)
                // A large page cache (64 MiB by default, instead of SQLite's 2 MiB):
                // index pages of a large helpdesk stay in memory.
                .pragma("cache_size", cache.clone())
                .pragma("temp_store", "memory")
                // Pages read through a memory map, without a system call and a copy
                // each: detail reads at 1M tickets ran 25 % faster.
                .pragma("mmap_size", mmap.clone())
                .page_size(16384)
                // The log is copied back by the background checkpointer; a commit does it
                // itself only when the log has grown past ~160 MiB (the checkpointer fell
                // behind: under a steady stream of writes the log is not restarted).
                .pragma("wal_autocheckpoint", "10000")
                // Prepared multi-row inserts of a batch are large and their text varies
                // with the batch's size; a small cache keeps a few, not a hundred.
                .statement_cache_capacity(24)
        });
        sea_orm::Database::connect(options)
            .await
            .map_err(ConnectError::Connect)
    }
}

/// How often SQLite's write-ahead log is copied back into the database file.
const CHECKPOINT_INTERVAL: Duration = Duration::from_millis(500);

/// Copies SQLite's write-ahead log back into the database file from a reader connection, in the
/// background, so that a commit never does it. Left to SQLite, the commit that crosses the
/// log's size limit copies it back itself, and at a million tickets that stalled one note in
/// seven for 100-300 ms. A passive checkpoint waits for no one: readers and the writer go on.
/// Stops when the last handle on the database is dropped or its pools are closed.
#[derive(Debug)]
struct Checkpointer(tokio::task::AbortHandle);

impl Checkpointer {
    fn spawn(reader: DatabaseConnection, every: Duration) -> Self {
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                match reader
                    .execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)")
                    .await
                {
                    Ok(_) => {}
                    Err(DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::ConnectionClosed)) => {
                        break;
                    }
                    Err(e) => tracing::warn!(error = %e, "SQLite checkpoint failed; retrying"),
                }
            }
        });
        Self(task.abort_handle())
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Frontdesk's database: a reader pool and a writer pool (the same pool on PostgreSQL).
#[derive(Debug, Clone)]
pub struct Database {
    pub(crate) reader: DatabaseConnection,
    pub(crate) writer: DatabaseConnection,
    /// SQLite's background checkpointer, shared by the clones.
    _checkpointer: Option<Arc<Checkpointer>>,
}

impl Database {
    /// Brings the schema up to date.
    ///
    /// # Errors
    /// [`ConnectError::Migrate`] when a migration fails.
    pub async fn migrate(&self) -> Result<(), ConnectError> {
        Migrator::up(&self.writer, None)
            .await
            .map_err(ConnectError::Migrate)
    }

    /// How many migrations the schema has of [`Database::known_migrations`], read without
    /// changing anything; `None` when it has none yet (no migrations table).
    ///
    /// # Errors
    /// [`DbErr`] when the database cannot be read.
    pub async fn applied_migrations(&self) -> Result<Option<usize>, DbErr> {
        use sea_orm::ConnectionTrait;
        let exists = match self.backend() {
            DbBackend::Sqlite => {
                "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' \
                 AND name = 'seaql_migrations'"
            }
            _ => {
                "SELECT COUNT(*) AS n FROM information_schema.tables \
                 WHERE table_name = 'seaql_migrations'"
            }
        };
        let count = |sql: &str| sea_orm::Statement::from_string(self.backend(), sql.to_owned());
        let row = self.reader.query_one_raw(count(exists)).await?;
        let tables: i64 = row.map(|r| r.try_get("", "n")).transpose()?.unwrap_or(0);
        if tables == 0 {
            return Ok(None);
        }
        let row = self
            .reader
            .query_one_raw(count("SELECT COUNT(*) AS n FROM seaql_migrations"))
            .await?;
        let applied: i64 = row.map(|r| r.try_get("", "n")).transpose()?.unwrap_or(0);
        Ok(Some(usize::try_from(applied).unwrap_or(0)))
    }

    /// How many migrations this build has.
    #[must_use]
    pub fn known_migrations() -> usize {
        Migrator::migrations().len()
    }

    /// Refreshes the planner's statistics (`ANALYZE`). PostgreSQL's autovacuum does this by
    /// itself; SQLite needs it after bulk loads and from time to time, or it may sort a large
    /// result instead of walking an index.
    ///
    /// # Errors
    /// [`DbErr`] when the statement fails.
    pub async fn optimize(&self) -> Result<(), DbErr> {
        use sea_orm::ConnectionTrait;
        if self.backend() == DbBackend::Sqlite {
            // Sample at most 1,000 rows per index: good statistics in milliseconds.
            self.writer
                .execute_unprepared("PRAGMA analysis_limit = 1000")
                .await?;
        }
        self.writer.execute_unprepared("ANALYZE").await?;
        Ok(())
    }

    /// The number of the newest ticket (0 before the first), for dry runs that predict the
    /// numbers new tickets would get.
    ///
    /// # Errors
    /// [`StoreError`] when the counter cannot be read (e.g. the schema is not migrated).
    pub async fn last_ticket_number(&self) -> Result<u64, frontdesk_domain::ports::StoreError> {
        use sea_orm::{ConnectionTrait, Statement};
        let row = self
            .reader
            .query_one_raw(Statement::from_string(
                self.backend(),
                "SELECT value FROM counters WHERE name = 'ticket_number'",
            ))
            .await
            .map_err(crate::error::store_error)?;
        let value: i64 = match row {
            Some(row) => row
                .try_get("", "value")
                .map_err(crate::error::store_error)?,
            None => 0,
        };
        Ok(u64::try_from(value).unwrap_or(0))
    }

    /// The underlying connection, for administration and tests.
    #[must_use]
    pub fn connection(&self) -> &DatabaseConnection {
        &self.writer
    }

    #[must_use]
    pub fn backend(&self) -> DbBackend {
        self.writer.get_database_backend()
    }

    /// Closes both pools.
    pub async fn close(self) {
        let _ = self.reader.close().await;
        let _ = self.writer.close().await;
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::sqlite_path;

    #[test]
    fn sqlite_paths_are_found_in_urls() {
        assert_eq!(
            sqlite_path("sqlite://data/frontdesk.sqlite?mode=rwc"),
            Some(PathBuf::from("data/frontdesk.sqlite"))
        );
        assert_eq!(
            sqlite_path("sqlite:///var/lib/fd.db"),
            Some(PathBuf::from("/var/lib/fd.db"))
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://x@y/z"), None);
    }
}
