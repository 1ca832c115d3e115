//! The options every Frontdesk binary takes (`--config`, `--database-url`, `--log-format`),
//! flattened into both command lines so they read and behave the same.

use std::path::PathBuf;

use crate::config::Config;
use crate::observe::LogFormat;

#[derive(Debug, Clone, clap::Args)]
pub struct CommonArgs {
    /// The configuration file (default `frontdesk.toml`, which may be missing).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The database, `sqlite://path?mode=rwc` or `postgres://…`; overrides the file.
    #[arg(
        long,
        global = true,
        value_name = "URL",
        env = "FRONTDESK_DATABASE_URL"
    )]
    pub database_url: Option<String>,
    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value = "text")]
    pub log_format: LogFormat,
}

impl CommonArgs {
    /// The configuration file with the environment applied, and `--database-url` over both.
    ///
    /// # Errors
    /// The configuration error, as a message for the terminal.
    pub fn load(&self) -> Result<Config, String> {
        let mut config = Config::load(self.config.as_deref()).map_err(|e| e.to_string())?;
        if let Some(url) = &self.database_url {
            config.database.url.clone_from(url);
        }
        Ok(config)
    }
}
