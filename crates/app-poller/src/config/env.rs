//! The environment: `FRONTDESK_…` overrides and their short aliases, and secrets, read only from
//! the environment or from files, never from the TOML.

use super::*;

/// Short environment names for the keys ops set most; any key can also be set as
/// `FRONTDESK_<SECTION>__<KEY>` (two underscores between levels).
const ALIASES: [(&str, &[&str]); 9] = [
    ("FRONTDESK_HTTP_BIND", &["http", "bind"]),
    ("FRONTDESK_DATABASE_URL", &["database", "url"]),
    (
        "FRONTDESK_SUPPORT_ADDRESS",
        &["helpdesk", "support_address"],
    ),
    ("FRONTDESK_AI_PROVIDER", &["ai", "provider"]),
    ("FRONTDESK_AI_MODE", &["ai", "mode"]),
    ("FRONTDESK_AI_BASE_URL", &["ai", "base_url"]),
    ("FRONTDESK_AI_MODEL", &["ai", "model"]),
    ("FRONTDESK_POLL_INTERVAL_SECS", &["poller", "interval_secs"]),
    ("FRONTDESK_METRICS_BIND", &["poller", "metrics_bind"]),
];

/// Keys that would hold a secret, and where the secret goes instead.
const SECRET_KEYS: [(&str, &str); 6] = [
    ("api_key", "FRONTDESK_AI_API_KEY or ai.api_key_file"),
    ("password", "password_env or password_file"),
    ("client_secret", "client_secret_env or client_secret_file"),
    ("refresh_token", "refresh_token_env or refresh_token_file"),
    ("secret", "an environment variable or a file"),
    ("token", "an environment variable or a file"),
];

/// A secret from the environment variable `env` or the file `file` (trailing newline dropped).
///
/// # Errors
/// [`ConfigError`] when neither is given, the variable is unset, or the file is unreadable.
pub fn secret(
    key: &str,
    env: Option<&str>,
    file: Option<&Path>,
) -> Result<Option<String>, ConfigError> {
    if let Some(name) = env {
        return std::env::var(name).map(Some).map_err(|_| ConfigError::Env {
            name: name.to_owned(),
            message: format!("{key} names it, but it is not set"),
        });
    }
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        return Ok(Some(text.trim_end_matches(['\r', '\n']).to_owned()));
    }
    Ok(None)
}

pub(super) fn reject_secrets(value: &toml::Value, at: &str) -> Result<(), ConfigError> {
    match value {
        toml::Value::Table(table) => {
            for (k, v) in table {
                let key = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                if let Some((_, instead)) = SECRET_KEYS.iter().find(|(s, _)| s == k) {
                    return Err(ConfigError::SecretInFile {
                        key,
                        instead: (*instead).to_owned(),
                    });
                }
                reject_secrets(v, &key)?;
            }
            Ok(())
        }
        toml::Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| reject_secrets(v, &format!("{at}[{i}]"))),
        _ => Ok(()),
    }
}

/// Applies the aliases, then every `FRONTDESK_<SECTION>__<KEY>` variable.
pub(super) fn apply_env(
    table: &mut toml::Table,
    vars: &[(String, String)],
) -> Result<(), ConfigError> {
    for (name, path) in ALIASES {
        if let Some((_, value)) = vars.iter().find(|(n, _)| n == name) {
            set(table, path, value);
        }
    }
    for (name, value) in vars {
        let Some(rest) = name.strip_prefix("FRONTDESK_") else {
            continue;
        };
        if !rest.contains("__") {
            continue;
        }
        let path: Vec<String> = rest.split("__").map(str::to_lowercase).collect();
        if path.iter().any(String::is_empty) {
            return Err(ConfigError::Env {
                name: name.clone(),
                message: "empty key between `__`".into(),
            });
        }
        if let Some(last) = path.last()
            && let Some((_, instead)) = SECRET_KEYS.iter().find(|(s, _)| s == last)
        {
            return Err(ConfigError::SecretInFile {
                key: name.clone(),
                instead: (*instead).to_owned(),
            });
        }
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        set(table, &path, value);
    }
    Ok(())
}

/// Sets `path` in `table` to `raw`, read as a TOML value when it is one (a number, a boolean, an
/// array) and as a string otherwise.
fn set(table: &mut toml::Table, path: &[&str], raw: &str) {
    let value = toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_owned()));
    let mut current = table;
    for (i, key) in path.iter().enumerate() {
        if i + 1 == path.len() {
            current.insert((*key).to_owned(), value);
            return;
        }
        let entry = current
            .entry((*key).to_owned())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if !entry.is_table() {
            *entry = toml::Value::Table(toml::Table::new());
        }
        let toml::Value::Table(next) = entry else {
            return;
        };
        current = next;
    }
}
