//! What an API token may do. A token acts as its owner, never beyond the owner's role, and its
//! scope narrows that further; passwords, roles and tokens are never managed with one.

use chrono::TimeDelta;

/// An API token's scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenScope {
    /// Whatever the owner's role allows (except managing passwords, roles and tokens).
    #[default]
    Full,
    /// Reading only: `GET` and `HEAD`.
    Read,
}

/// The longest lifetime a token may be given.
pub const MAX_TOKEN_LIFETIME: TimeDelta = TimeDelta::days(3650);

impl TokenScope {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::Read => "read",
        }
    }

    /// Parses `full` or `read`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "full" => Some(Self::Full),
            "read" => Some(Self::Read),
            _ => None,
        }
    }

    /// Whether a request that changes nothing (`read_only`) or one that may change something is
    /// within the scope.
    #[must_use]
    pub fn permits(self, read_only: bool) -> bool {
        match self {
            Self::Full => true,
            Self::Read => read_only,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_token_only_reads_and_a_full_one_does_what_its_owner_may() {
        assert!(TokenScope::Read.permits(true));
        assert!(!TokenScope::Read.permits(false));
        assert!(TokenScope::Full.permits(false));
    }

    #[test]
    fn scopes_round_trip_through_their_names() {
        for s in [TokenScope::Full, TokenScope::Read] {
            assert_eq!(TokenScope::parse(s.as_str()), Some(s));
        }
        assert_eq!(TokenScope::parse("admin"), None);
    }
}
