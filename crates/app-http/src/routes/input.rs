//! Reading request fields the same way everywhere: enum values, one-line names, tags, and
//! `null` told apart from absent.

use serde::{Deserialize, Deserializer};

use crate::problem::ApiError;

/// For `Option<Option<T>>` fields: `null` is `Some(None)` (clear it), absent is `None` (leave it).
pub fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A value of `field` parsed by its type's `FromStr` (statuses, roles, priorities, …); 422
/// naming the field otherwise.
pub fn field<T: std::str::FromStr>(field: &str, raw: &str) -> Result<T, ApiError>
where
    T::Err: std::fmt::Display,
{
    raw.parse::<T>()
        .map_err(|e| ApiError::invalid_field(field, e.to_string()))
}

/// As [`field`], for an optional value.
pub fn optional<T: std::str::FromStr>(name: &str, raw: Option<&str>) -> Result<Option<T>, ApiError>
where
    T::Err: std::fmt::Display,
{
    raw.map(|r| field(name, r)).transpose()
}

/// A name: trimmed, 1 to 200 characters, on one line (it may end up in a mail header).
pub fn name(field: &str, raw: &str) -> Result<String, ApiError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(ApiError::invalid_field(
            field,
            "1 to 200 characters on one line",
        ));
    }
    Ok(name.to_owned())
}

/// Tags as sent in `field`: at most 50, each at most 100 bytes (the domain normalises them).
pub fn tags(field: &str, tags: &[String]) -> Result<(), ApiError> {
    if tags.len() > 50 || tags.iter().any(|t| t.len() > 100) {
        return Err(ApiError::invalid_field(
            field,
            "at most 50 tags of 100 bytes",
        ));
    }
    Ok(())
}
