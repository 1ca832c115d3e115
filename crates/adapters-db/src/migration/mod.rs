//! Versioned schema migrations (sea-orm-migration), one SQL text for both backends.
//!
//! The schema is written once, with type placeholders that each backend fills in, so SQLite and
//! PostgreSQL can never drift apart in their tables, keys or constraints.

use sea_orm::{ConnectionTrait, DbBackend, DbErr};
use sea_orm_migration::{MigrationName, MigrationTrait, MigratorTrait, SchemaManager, async_trait};

/// Every migration, oldest first.
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            SqlMigration::everywhere("m0001_core", include_str!("m0001_core.sql")),
            Box::new(SqlMigration {
                name: "m0002_search",
                both: "",
                postgres: include_str!("m0002_search_postgres.sql"),
                sqlite: include_str!("m0002_search_sqlite.sql"),
            }),
            SqlMigration::everywhere("m0003_list_indexes", include_str!("m0003_list_indexes.sql")),
            SqlMigration::everywhere(
                "m0004_configuration",
                include_str!("m0004_configuration.sql"),
            ),
            SqlMigration::everywhere("m0005_ai_hold", include_str!("m0005_ai_hold.sql")),
            SqlMigration::everywhere(
                "m0006_mailbox_leases",
                include_str!("m0006_mailbox_leases.sql"),
            ),
            SqlMigration::everywhere("m0007_accounts", include_str!("m0007_accounts.sql")),
            SqlMigration::everywhere("m0008_merge", include_str!("m0008_merge.sql")),
            SqlMigration::everywhere("m0009_indexes", include_str!("m0009_indexes.sql")),
            Box::new(SqlMigration {
                name: "m0010_search_rowid",
                both: "",
                postgres: "",
                sqlite: include_str!("m0010_search_rowid_sqlite.sql"),
            }),
            SqlMigration::everywhere(
                "m0011_content_version",
                include_str!("m0011_content_version.sql"),
            ),
            SqlMigration::everywhere(
                "m0012_merge_suggestions",
                include_str!("m0012_merge_suggestions.sql"),
            ),
            SqlMigration::everywhere(
                "m0013_account_security",
                include_str!("m0013_account_security.sql"),
            ),
            Box::new(SqlMigration {
                name: "m0014_intake_limits",
                both: include_str!("m0014_intake_limits.sql"),
                postgres: include_str!("m0014_intake_limits_postgres.sql"),
                sqlite: include_str!("m0014_intake_limits_sqlite.sql"),
            }),
            SqlMigration::everywhere(
                "m0019_opaque_cursors",
                include_str!("m0019_opaque_cursors.sql"),
            ),
            SqlMigration::everywhere(
                "m0020_provider_thread",
                include_str!("m0020_provider_thread.sql"),
            ),
            SqlMigration::everywhere(
                "m0021_quarantine_channel",
                include_str!("m0021_quarantine_channel.sql"),
            ),
            SqlMigration::everywhere(
                "m0022_one_suggestion_per_pair",
                include_str!("m0022_one_suggestion_per_pair.sql"),
            ),
            SqlMigration::everywhere(
                "m0023_ticket_revision",
                include_str!("m0023_ticket_revision.sql"),
            ),
            SqlMigration::everywhere(
                "m0024_notification_settings",
                include_str!("m0024_notification_settings.sql"),
            ),
            SqlMigration::everywhere(
                "m0025_one_policy_per_pair",
                include_str!("m0025_one_policy_per_pair.sql"),
            ),
            SqlMigration::everywhere("m0026_machine_mail", include_str!("m0026_machine_mail.sql")),
            SqlMigration::everywhere(
                "m0027_sender_filters",
                include_str!("m0027_sender_filters.sql"),
            ),
            SqlMigration::everywhere(
                "m0028_applied_calendar",
                include_str!("m0028_applied_calendar.sql"),
            ),
            SqlMigration::everywhere("m0029_web_sessions", include_str!("m0029_web_sessions.sql")),
            SqlMigration::everywhere("m0030_saved_views", include_str!("m0030_saved_views.sql")),
            SqlMigration::everywhere(
                "m0031_report_indexes",
                include_str!("m0031_report_indexes.sql"),
            ),
            SqlMigration::everywhere(
                "m0032_mailbox_status",
                include_str!("m0032_mailbox_status.sql"),
            ),
            Box::new(SqlMigration {
                name: "m0033_active_clocks",
                both: "",
                postgres: include_str!("m0033_active_clocks_postgres.sql"),
                sqlite: "",
            }),
            SqlMigration::everywhere("m0034_staff_links", include_str!("m0034_staff_links.sql")),
            SqlMigration::everywhere(
                "m0035_webhook_deliveries",
                include_str!("m0035_webhook_deliveries.sql"),
            ),
            SqlMigration::everywhere("m0036_portal_links", include_str!("m0036_portal_links.sql")),
            SqlMigration::everywhere(
                "m0037_knowledge_base",
                include_str!("m0037_knowledge_base.sql"),
            ),
            SqlMigration::everywhere(
                "m0038_kb_deflection",
                include_str!("m0038_kb_deflection.sql"),
            ),
            SqlMigration::everywhere("m0039_satisfaction", include_str!("m0039_satisfaction.sql")),
            SqlMigration::everywhere("m0040_journeys", include_str!("m0040_journeys.sql")),
            SqlMigration::everywhere(
                "m0041_grounded_drafts",
                include_str!("m0041_grounded_drafts.sql"),
            ),
            SqlMigration::everywhere(
                "m0042_section_embeddings",
                include_str!("m0042_section_embeddings.sql"),
            ),
        ]
    }
}

/// A migration as SQL: `both` (with type placeholders) runs everywhere, then the part for the
/// backend at hand, for what only one of them has (full-text search).
struct SqlMigration {
    name: &'static str,
    both: &'static str,
    postgres: &'static str,
    sqlite: &'static str,
}

impl SqlMigration {
    /// A migration whose SQL is the same for both backends.
    fn everywhere(name: &'static str, both: &'static str) -> Box<dyn MigrationTrait> {
        Box::new(Self {
            name,
            both,
            postgres: "",
            sqlite: "",
        })
    }
}

impl MigrationName for SqlMigration {
    fn name(&self) -> &str {
        self.name
    }
}

/// The schema text for `backend`, placeholders replaced.
pub(crate) fn render(sql: &str, backend: DbBackend) -> String {
    let types: &[(&str, &str)] = match backend {
        DbBackend::Postgres => &[
            ("{uuid}", "UUID"),
            ("{ts}", "TIMESTAMPTZ"),
            ("{bytes}", "BYTEA"),
            ("{bool}", "BOOLEAN"),
            ("{bigint}", "BIGINT"),
            (
                "{pk_serial}",
                "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
            ),
            ("{text}", "TEXT"),
        ],
        _ => &[
            ("{uuid}", "BLOB"),
            ("{ts}", "TEXT"),
            ("{bytes}", "BLOB"),
            ("{bool}", "INTEGER"),
            ("{bigint}", "INTEGER"),
            ("{pk_serial}", "INTEGER PRIMARY KEY AUTOINCREMENT"),
            ("{text}", "TEXT"),
        ],
    };
    types
        .iter()
        .fold(sql.to_owned(), |s, (from, to)| s.replace(from, to))
}

/// The statements of a schema text: split at `;` line ends, comments and blanks dropped.
fn statements(sql: &str) -> impl Iterator<Item = String> + '_ {
    sql.split(";\n").filter_map(|chunk| {
        let body: String = chunk
            .lines()
            .filter(|l| !l.trim_start().starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n");
        let body = body.trim().trim_end_matches(';').trim();
        (!body.is_empty()).then(|| body.to_owned())
    })
}

#[async_trait::async_trait]
impl MigrationTrait for SqlMigration {
    /// Each migration and its record commit together on both backends (sea-orm-migration runs
    /// SQLite's without a transaction by default): one interrupted half-way leaves nothing
    /// behind and runs again whole.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let own = if backend == DbBackend::Postgres {
            self.postgres
        } else {
            self.sqlite
        };
        let sql = format!("{}\n;\n{own}", render(self.both, backend));
        let db = manager.get_connection();
        for statement in statements(&sql) {
            db.execute_unprepared(&statement).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_is_replaced_for_both_backends() {
        for backend in [DbBackend::Sqlite, DbBackend::Postgres] {
            for text in [
                include_str!("m0001_core.sql"),
                include_str!("m0004_configuration.sql"),
                include_str!("m0005_ai_hold.sql"),
                include_str!("m0006_mailbox_leases.sql"),
                include_str!("m0011_content_version.sql"),
                include_str!("m0012_merge_suggestions.sql"),
                include_str!("m0013_account_security.sql"),
                include_str!("m0014_intake_limits.sql"),
                include_str!("m0019_opaque_cursors.sql"),
                include_str!("m0020_provider_thread.sql"),
                include_str!("m0021_quarantine_channel.sql"),
                include_str!("m0022_one_suggestion_per_pair.sql"),
                include_str!("m0023_ticket_revision.sql"),
                include_str!("m0024_notification_settings.sql"),
                include_str!("m0025_one_policy_per_pair.sql"),
                include_str!("m0026_machine_mail.sql"),
                include_str!("m0027_sender_filters.sql"),
                include_str!("m0028_applied_calendar.sql"),
            ] {
                let sql = render(text, backend);
                let placeholder = sql
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("--"))
                    .any(|l| l.contains("{uuid}") || l.contains("{ts}") || l.contains("{text}"));
                assert!(!placeholder, "{backend:?} left a placeholder");
            }
        }
    }

    #[test]
    fn statements_drop_comments_and_keep_each_statement() {
        let s: Vec<_> =
            statements("-- c\nCREATE TABLE a (x INT);\n\nCREATE INDEX b ON a (x);\n").collect();
        assert_eq!(s, ["CREATE TABLE a (x INT)", "CREATE INDEX b ON a (x)"]);
    }
}
