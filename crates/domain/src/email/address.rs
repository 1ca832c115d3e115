//! `EmailAddress`: a validated, normalised `local@domain` address.

use std::fmt;

/// Why a string is not an e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("e-mail address is empty")]
    Empty,
    #[error("e-mail address `{0}` has no `@`")]
    MissingAt(String),
    #[error("e-mail address `{0}` has an empty local part or domain")]
    EmptyPart(String),
    #[error("e-mail address `{0}` contains whitespace, control characters or brackets")]
    InvalidCharacter(String),
    #[error("e-mail address is longer than 254 characters")]
    TooLong,
}

/// An address such as `jane@example.com`. The domain part is lower-cased (domains are
/// case-insensitive); the local part is kept as written, but comparisons ignore its case
/// because no real mail system distinguishes `Jane@` from `jane@`.
#[derive(Debug, Clone, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Parses and normalises an address. Surrounding whitespace and one pair of angle brackets
    /// (`<jane@example.com>`) are accepted.
    ///
    /// # Errors
    /// [`AddressError`] when the text is not a plausible `local@domain` address.
    pub fn parse(raw: &str) -> Result<Self, AddressError> {
        let trimmed = raw.trim();
        let trimmed = trimmed
            .strip_prefix('<')
            .and_then(|s| s.strip_suffix('>'))
            .unwrap_or(trimmed)
            .trim();
        if trimmed.is_empty() {
            return Err(AddressError::Empty);
        }
        if trimmed.len() > 254 {
            return Err(AddressError::TooLong);
        }
        if trimmed
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'))
        {
            return Err(AddressError::InvalidCharacter(trimmed.to_owned()));
        }
        let Some((local, domain)) = trimmed.rsplit_once('@') else {
            return Err(AddressError::MissingAt(trimmed.to_owned()));
        };
        if local.is_empty() || domain.is_empty() || domain.starts_with('.') || domain.ends_with('.')
        {
            return Err(AddressError::EmptyPart(trimmed.to_owned()));
        }
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    #[must_use]
    pub fn local_part(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(l, _)| l)
    }

    #[must_use]
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }

    /// The key used for equality and lookups: the whole address lower-cased.
    #[must_use]
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }
}

impl PartialEq for EmailAddress {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0) || self.normalized() == other.normalized()
    }
}

impl std::hash::Hash for EmailAddress {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.normalized().hash(state);
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for EmailAddress {
    type Err = AddressError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// An address with its optional display name, as in `Jane Doe <jane@example.com>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    pub name: Option<String>,
    pub address: EmailAddress,
}

impl Mailbox {
    #[must_use]
    pub fn new(name: Option<String>, address: EmailAddress) -> Self {
        let name = name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
        Self { name, address }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_angle_brackets_and_lowercases_the_domain() {
        let a = EmailAddress::parse(" <Jane.Doe@Example.COM> ").unwrap();
        assert_eq!(a.as_str(), "Jane.Doe@example.com");
        assert_eq!(a.local_part(), "Jane.Doe");
        assert_eq!(a.domain(), "example.com");
    }

    #[test]
    fn addresses_compare_without_case() {
        let a = EmailAddress::parse("JANE@example.com").unwrap();
        let b = EmailAddress::parse("jane@EXAMPLE.com").unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn parse_rejects_what_is_not_an_address() {
        assert_eq!(EmailAddress::parse(""), Err(AddressError::Empty));
        assert!(matches!(
            EmailAddress::parse("jane"),
            Err(AddressError::MissingAt(_))
        ));
        assert!(matches!(
            EmailAddress::parse("@x.com"),
            Err(AddressError::EmptyPart(_))
        ));
        assert!(matches!(
            EmailAddress::parse("jane@"),
            Err(AddressError::EmptyPart(_))
        ));
        assert!(matches!(
            EmailAddress::parse("ja ne@x.com"),
            Err(AddressError::InvalidCharacter(_))
        ));
        assert!(matches!(
            EmailAddress::parse("a@b.com\r\nBcc: x@y.com"),
            Err(AddressError::InvalidCharacter(_))
        ));
        let long = format!("{}@x.com", "a".repeat(260));
        assert_eq!(EmailAddress::parse(&long), Err(AddressError::TooLong));
    }
}
