//! A webhook's URL, read the way an HTTP client reads it, and its redacted form for showing.

use std::net::IpAddr;

/// The longest URL a subscription may name.
const MAX_LEN: usize = 2048;

/// An `http://` or `https://` URL with a host, normalised as a browser would (so
/// `http://2130706433/` and `http://0x7f000001/` read as `http://127.0.0.1/`).
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookUrl(url::Url);

/// Why a URL cannot be a webhook's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookUrlError {
    #[error("an http:// or https:// URL with a host, at most 2048 characters")]
    Malformed,
    #[error("only http:// and https:// URLs are sent to")]
    Scheme,
}

/// Where a URL points: an address, or a name to resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetHost {
    Address(IpAddr),
    Name(String),
}

impl WebhookUrl {
    /// Reads and normalises `raw`.
    ///
    /// # Errors
    /// [`WebhookUrlError`] for a malformed URL, another scheme, or no host.
    pub fn parse(raw: &str) -> Result<Self, WebhookUrlError> {
        let raw = raw.trim();
        if raw.len() > MAX_LEN || raw.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(WebhookUrlError::Malformed);
        }
        let url = url::Url::parse(raw).map_err(|_| WebhookUrlError::Malformed)?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(WebhookUrlError::Scheme);
        }
        match url.host() {
            Some(url::Host::Domain(d)) if !d.is_empty() => {}
            Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)) => {}
            _ => return Err(WebhookUrlError::Malformed),
        }
        Ok(Self(url))
    }

    /// The normalised URL, as stored and requested.
    #[must_use]
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The host the request goes to.
    #[must_use]
    pub fn host(&self) -> TargetHost {
        match self.0.host() {
            Some(url::Host::Ipv4(a)) => TargetHost::Address(IpAddr::V4(a)),
            Some(url::Host::Ipv6(a)) => TargetHost::Address(IpAddr::V6(a)),
            Some(url::Host::Domain(d)) => TargetHost::Name(d.to_owned()),
            None => TargetHost::Name(String::new()),
        }
    }

    /// The port the request goes to (the scheme's default when none is written).
    #[must_use]
    pub fn port(&self) -> u16 {
        self.0
            .port_or_known_default()
            .unwrap_or(if self.0.scheme() == "https" { 443 } else { 80 })
    }

    /// The URL with its password, query and fragment masked: safe to show and to log.
    #[must_use]
    pub fn redacted(&self) -> String {
        let mut url = self.0.clone();
        if url.password().is_some() {
            // Cannot fail: the URL has a host, so it can carry a password.
            let _ = url.set_password(Some("***"));
        }
        if url.query().is_some() {
            url.set_query(Some("***"));
        }
        if url.fragment().is_some() {
            url.set_fragment(Some("***"));
        }
        url.to_string()
    }
}

impl std::fmt::Debug for WebhookUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("WebhookUrl").field(&self.redacted()).finish()
    }
}

impl std::fmt::Display for WebhookUrl {
    /// The redacted form: the full URL is only ever read through [`WebhookUrl::as_str`].
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// `raw` with any password, query and fragment masked (`https://user:***@host/path?***`), for
/// every place a stored webhook URL is shown or logged. A URL that cannot be read is shown as
/// its scheme and host at most, never whole.
#[must_use]
pub fn redact_url(raw: &str) -> String {
    if let Ok(url) = WebhookUrl::parse(raw) {
        return url.redacted();
    }
    match url::Url::parse(raw.trim()) {
        Ok(url) => format!(
            "{}://{}/***",
            url.scheme(),
            url.host_str().unwrap_or_default()
        ),
        Err(_) => "(an unreadable URL)".to_owned(),
    }
}
