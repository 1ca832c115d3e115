//! Sender allow and deny lists: which senders are always treated as people (an alerting system
//! whose automatic mail must open tickets) and which never reach the queue (a spammer, a noisy
//! notifier). Kept in the configuration and through the API; swappable while Frontdesk runs.

use std::sync::{Arc, PoisonError, RwLock};

use super::EmailAddress;

/// One pattern: an address (`jane@x.com`), a domain and its subdomains (`x.com`), or an address
/// with `*` wildcards (`noreply*@*`, `*@*.example`). Compared without case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderPattern(String);

/// Why a pattern is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a sender pattern: an address, a domain, or an address with `*` wildcards")]
pub struct PatternError(pub String);

impl SenderPattern {
    /// The longest pattern accepted, in bytes.
    pub const MAX_BYTES: usize = 320;

    /// Parses a pattern.
    ///
    /// # Errors
    /// [`PatternError`] for an empty or over-long pattern, whitespace or control characters, or
    /// more than one `@`.
    pub fn parse(raw: &str) -> Result<Self, PatternError> {
        let p = raw.trim().to_lowercase();
        let ok = !p.is_empty()
            && p.len() <= Self::MAX_BYTES
            && !p.chars().any(|c| c.is_whitespace() || c.is_control())
            && p.matches('@').count() <= 1
            && p != "@"
            && p.trim_matches('*') != "@"
            && p != "*";
        if ok {
            Ok(Self(p))
        } else {
            Err(PatternError(raw.trim().to_owned()))
        }
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `address` matches.
    #[must_use]
    pub fn matches(&self, address: &EmailAddress) -> bool {
        let addr = address.as_str().to_lowercase();
        if !self.0.contains('@') && !self.0.contains('*') {
            let domain = address.domain().to_lowercase();
            return domain == self.0 || domain.ends_with(&format!(".{}", self.0));
        }
        let pattern = self
            .0
            .strip_prefix('@')
            .map_or(self.0.clone(), |d| format!("*@{d}"));
        glob(&pattern, &addr)
    }
}

/// `*` matches any run of characters (none included); everything else itself.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let [first, middle @ .., last] = parts.as_slice() else {
        return pattern == text;
    };
    if parts.len() == 1 {
        return pattern == text;
    }
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// What the lists say of a sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SenderVerdict {
    /// On the allow list: a person's mail, whatever its headers say.
    Allowed,
    /// On the deny list (and not allowed): kept out of the queue; the pattern that matched.
    Denied(String),
}

/// The allow and deny lists in force.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SenderFilters {
    pub allow: Vec<SenderPattern>,
    pub deny: Vec<SenderPattern>,
}

impl SenderFilters {
    /// The verdict on `sender`, if any list names it. Allow wins: it is how an exception is
    /// made to a denied domain (`deny = ["x.com"]`, `allow = ["ceo@x.com"]`).
    #[must_use]
    pub fn judge(&self, sender: &EmailAddress) -> Option<SenderVerdict> {
        if self.allow.iter().any(|p| p.matches(sender)) {
            return Some(SenderVerdict::Allowed);
        }
        self.deny
            .iter()
            .find(|p| p.matches(sender))
            .map(|p| SenderVerdict::Denied(p.as_str().to_owned()))
    }

    /// These lists with `other`'s added (the configuration's and the API's together).
    #[must_use]
    pub fn with(mut self, other: &Self) -> Self {
        for p in &other.allow {
            if !self.allow.contains(p) {
                self.allow.push(p.clone());
            }
        }
        for p in &other.deny {
            if !self.deny.contains(p) {
                self.deny.push(p.clone());
            }
        }
        self
    }
}

/// Shared, swappable lists (changed through the API; every process picks the change up on its
/// next pass).
#[derive(Debug, Clone, Default)]
pub struct LiveFilters(Arc<RwLock<Arc<SenderFilters>>>);

impl LiveFilters {
    /// The lists in force now.
    #[must_use]
    pub fn current(&self) -> Arc<SenderFilters> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Puts `filters` in force for every later mail.
    pub fn replace(&self, filters: SenderFilters) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(filters);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> EmailAddress {
        EmailAddress::parse(s).unwrap()
    }

    fn p(s: &str) -> SenderPattern {
        SenderPattern::parse(s).unwrap()
    }

    #[test]
    fn patterns_match_addresses_domains_and_wildcards() {
        assert!(p("Jane@X.com").matches(&a("jane@x.com")));
        assert!(!p("jane@x.com").matches(&a("jane@x.com.evil")));
        assert!(p("x.com").matches(&a("bob@mail.x.com")));
        assert!(p("@x.com").matches(&a("bob@x.com")));
        assert!(!p("@x.com").matches(&a("bob@mail.x.com")));
        assert!(!p("x.com").matches(&a("bob@notx.com")));
        assert!(p("noreply*@*").matches(&a("noreply-7@shop.example")));
        assert!(p("*@*.example").matches(&a("a@b.example")));
        assert!(!p("*@*.example").matches(&a("a@example")));
    }

    #[test]
    fn nonsense_patterns_are_refused() {
        for bad in ["", " ", "*", "@", "*@*", "a b@x", "a@b@c"] {
            assert!(SenderPattern::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn allow_wins_so_exceptions_can_be_made() {
        let f = SenderFilters {
            allow: vec![p("ceo@x.com")],
            deny: vec![p("x.com")],
        };
        assert_eq!(f.judge(&a("ceo@x.com")), Some(SenderVerdict::Allowed));
        assert_eq!(
            f.judge(&a("spam@x.com")),
            Some(SenderVerdict::Denied("x.com".into()))
        );
        assert_eq!(f.judge(&a("jane@y.com")), None);
    }
}
