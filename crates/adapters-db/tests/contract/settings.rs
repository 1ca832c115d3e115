//! How connections are set up: SQLite's pragmas as configured.

use frontdesk_adapters_db::DatabaseSettings;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

/// The first column of the one row `sql` returns.
async fn scalar(db: &frontdesk_adapters_db::Database, sql: String) -> i64 {
    db.connection()
        .query_one_raw(Statement::from_string(DbBackend::Sqlite, sql))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index(0)
        .unwrap()
}

async fn pragma(db: &frontdesk_adapters_db::Database, name: &str) -> i64 {
    scalar(db, format!("PRAGMA {name}")).await
}

/// SQLite is built as `.cargo/config.toml` says: plans that do not depend on bound values (or
/// each `LIMIT ?` re-plans its statement on every run), and a memory map beyond 2 GiB.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_is_built_with_the_workspace_flags() {
    let fresh = frontdesk_adapters_db::testing::Fresh::sqlite().await;
    for option in ["ENABLE_QPSG", "MAX_MMAP_SIZE=274877906944"] {
        let used = scalar(
            &fresh.db,
            format!("SELECT sqlite_compileoption_used('{option}')"),
        )
        .await;
        assert_eq!(used, 1, "{option}");
    }
    fresh.finish().await;
}

/// The memory map reaches past SQLite's default cap of 2 GiB (the workspace's build flag), so a
/// large file is read through it whole; 0 turns it off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_maps_as_much_of_the_file_as_configured() {
    let path = std::env::temp_dir().join(format!(
        "frontdesk-settings-{}.sqlite",
        uuid::Uuid::now_v7().simple()
    ));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    for (mib, expected) in [(65_536u32, 64i64 << 30), (0, 0)] {
        let mut settings = DatabaseSettings::new(url.clone());
        settings.sqlite_mmap_mib = mib;
        let db = settings.connect().await.unwrap();
        assert_eq!(pragma(&db, "mmap_size").await, expected, "{mib} MiB");
        assert_eq!(pragma(&db, "page_size").await, 16_384);
        db.close().await;
    }
    assert_eq!(
        DatabaseSettings::new(url).sqlite_mmap_mib,
        65_536,
        "the default"
    );
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// Commits leave SQLite's write-ahead log to the background checkpointer, which copies it back
/// into the database file within a second or so (a commit would only do it past ~160 MiB).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_logs_are_copied_back_in_the_background() {
    use frontdesk_domain::ports::TicketRepository;

    let fresh = frontdesk_adapters_db::testing::Fresh::sqlite().await;
    let path = fresh
        .url
        .trim_start_matches("sqlite://")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let now = crate::backends::now();
    for i in 0..200 {
        fresh
            .db
            .commit(crate::backends::new_ticket(
                "jane@x.com",
                &format!("Ticket {i}"),
                now,
            ))
            .await
            .unwrap();
    }
    let pages = pragma(&fresh.db, "page_count").await;
    let expected = u64::try_from(pages * 16_384).unwrap();
    let mut size = 0;
    for _ in 0..100 {
        size = std::fs::metadata(&path).unwrap().len();
        if size == expected {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(size, expected, "the database file holds all {pages} pages");
    fresh.finish().await;
}
