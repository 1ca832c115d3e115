//! What the receiving server found out about a mail's sender: `Authentication-Results` headers
//! (RFC 8601), and the rule that decides whether a mail failed them badly enough that we must
//! not answer it automatically (the sender address is probably forged).
//!
//! Anyone can put an `Authentication-Results` header into the mail they send, so only the ones
//! our own receiving server added count: those whose authserv-id is configured as trusted, or,
//! without such a list, the topmost one (the last server to receive the mail prepends its
//! header above everything the sender wrote).

use super::Header;

/// One parsed `Authentication-Results` header: who wrote it and each method's result, both
/// lower-cased, comments removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticationResults {
    /// The authserv-id, `None` when the header starts with a result (Microsoft writes it so).
    pub authserv_id: Option<String>,
    /// `(method, result)` in order, e.g. `("dkim", "pass")`.
    pub results: Vec<(String, String)>,
}

impl AuthenticationResults {
    /// Reads one header value. Never fails: what cannot be read is left out.
    #[must_use]
    pub fn parse(value: &str) -> Self {
        let text = strip_comments(value);
        let mut parts = text.split(';').map(str::trim);
        let first = parts.next().unwrap_or_default();
        let mut results = Vec::new();
        let authserv_id = if first.contains('=') {
            push_result(&mut results, first);
            None
        } else {
            // `authserv-id [version]`
            first.split_whitespace().next().map(str::to_ascii_lowercase)
        };
        for part in parts {
            push_result(&mut results, part);
        }
        Self {
            authserv_id,
            results,
        }
    }

    /// Whether `method` reported `result` (both lower-case).
    fn has(&self, method: &str, result: &str) -> bool {
        self.results.iter().any(|(m, r)| m == method && r == result)
    }

    /// Why these results say the sender is not who the mail claims, if they do: `dmarc=fail`;
    /// `spf=fail` or `softfail` without a `dkim=pass`; `dkim=fail` without a `dkim=pass`.
    #[must_use]
    pub fn failure(&self) -> Option<&'static str> {
        let dkim_pass = self.has("dkim", "pass");
        if self.has("dmarc", "fail") {
            Some("dmarc=fail")
        } else if !dkim_pass && self.has("spf", "fail") {
            Some("spf=fail without dkim=pass")
        } else if !dkim_pass && self.has("spf", "softfail") {
            Some("spf=softfail without dkim=pass")
        } else if !dkim_pass && self.has("dkim", "fail") {
            Some("dkim=fail without dkim=pass")
        } else {
            None
        }
    }
}

/// `method[/version]=result …` into `results`.
fn push_result(results: &mut Vec<(String, String)>, resinfo: &str) {
    let Some(first) = resinfo.split_whitespace().next() else {
        return;
    };
    let Some((method, result)) = first.split_once('=') else {
        return;
    };
    let method = method.split('/').next().unwrap_or(method).trim();
    let result = result.trim().trim_matches('"');
    if !method.is_empty() && !result.is_empty() {
        results.push((method.to_ascii_lowercase(), result.to_ascii_lowercase()));
    }
}

/// The header without RFC 5322 comments (nested parentheses, `\` escapes, quoted strings kept).
fn strip_comments(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut depth = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    for c in value.chars() {
        if escaped {
            escaped = false;
            if depth == 0 {
                out.push(c);
            }
            continue;
        }
        match c {
            '\\' => {
                escaped = true;
                if depth == 0 {
                    out.push(c);
                }
            }
            '"' if depth == 0 => {
                quoted = !quoted;
                out.push(c);
            }
            '(' if !quoted => depth += 1,
            ')' if !quoted && depth > 0 => {
                depth -= 1;
                out.push(' ');
            }
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Why a mail's sender failed authentication at our receiving server, if it did: the first
/// failure (see [`AuthenticationResults::failure`]) of a header we trust. With `trusted_ids`
/// (authserv-ids of our own receiving servers, any case) every header naming one of them is
/// read, each on its own, so a forged header with the same id can add a failure but never
/// cancel one. Without them, only the topmost `Authentication-Results` header is read.
/// `None` also when no header says anything: mail without results is not held against anyone.
#[must_use]
pub fn sender_authentication_failure(headers: &[Header], trusted_ids: &[String]) -> Option<String> {
    let mut found = headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("authentication-results"))
        .map(|h| AuthenticationResults::parse(&h.value));
    let failure_of = |results: AuthenticationResults| {
        results.failure().map(|why| match &results.authserv_id {
            Some(id) => format!("{why} (reported by {id})"),
            None => why.to_owned(),
        })
    };
    if trusted_ids.is_empty() {
        return found.next().and_then(failure_of);
    }
    found
        .filter(|r| {
            r.authserv_id
                .as_ref()
                .is_some_and(|id| trusted_ids.iter().any(|t| t.eq_ignore_ascii_case(id)))
        })
        .find_map(failure_of)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GMAIL: &str = "mx.google.com; dkim=pass header.i=@example.com header.s=s1 \
        header.b=Abc123; spf=pass (google.com: domain of alice@example.com designates \
        192.0.2.1 as permitted sender) smtp.mailfrom=alice@example.com; dmarc=pass (p=REJECT \
        sp=REJECT dis=NONE) header.from=example.com";
    const GMAIL_FORGED: &str = "mx.google.com; spf=softfail (google.com: domain of \
        transitioning ceo@bank.test does not designate 203.0.113.9 as permitted sender) \
        smtp.mailfrom=ceo@bank.test; dmarc=fail (p=QUARANTINE sp=QUARANTINE dis=QUARANTINE) \
        header.from=bank.test";
    const MICROSOFT_FAIL: &str = "spf=fail (sender IP is 203.0.113.9) \
        smtp.mailfrom=bank.test; dkim=none (message not signed) header.d=none;dmarc=fail \
        action=oreject header.from=bank.test;compauth=fail reason=000";
    const MICROSOFT_PASS: &str = "spf=pass (sender IP is 192.0.2.1) \
        smtp.mailfrom=example.com; dkim=pass (signature was verified) \
        header.d=example.com;dmarc=pass action=none header.from=example.com;compauth=pass \
        reason=100";
    const FASTMAIL: &str = "mx6.messagingengine.com; dkim=pass (2048-bit rsa key sha256) \
        header.d=example.com header.i=@example.com header.b=XyZ header.a=rsa-sha256 \
        header.s=fm1 x-bits=2048; dmarc=pass policy.published-domain-policy=none \
        policy.applied-disposition=none policy.evaluated-disposition=none \
        (p=none,d=none,d.eval=none) policy.policy-from=p header.from=example.com; iprev=pass \
        smtp.remote-ip=192.0.2.1 (mail.example.com); spf=pass smtp.mailfrom=alice@example.com \
        smtp.helo=mail.example.com; x-aligned-from=pass (Address match); x-me-sender=none";

    fn ar(value: &str) -> Header {
        Header::new("Authentication-Results", value)
    }

    fn trusted(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn gmail_results_are_read_with_their_authserv_id_and_comments_removed() {
        let r = AuthenticationResults::parse(GMAIL);
        assert_eq!(r.authserv_id.as_deref(), Some("mx.google.com"));
        assert_eq!(
            r.results,
            [
                ("dkim".to_owned(), "pass".to_owned()),
                ("spf".to_owned(), "pass".to_owned()),
                ("dmarc".to_owned(), "pass".to_owned())
            ]
        );
        assert_eq!(r.failure(), None);
    }

    #[test]
    fn microsoft_results_without_an_authserv_id_are_read() {
        let r = AuthenticationResults::parse(MICROSOFT_FAIL);
        assert_eq!(r.authserv_id, None);
        assert!(r.has("spf", "fail") && r.has("dmarc", "fail") && r.has("compauth", "fail"));
        assert_eq!(r.failure(), Some("dmarc=fail"));
        assert_eq!(AuthenticationResults::parse(MICROSOFT_PASS).failure(), None);
    }

    #[test]
    fn fastmail_results_with_many_properties_pass() {
        let r = AuthenticationResults::parse(FASTMAIL);
        assert_eq!(r.authserv_id.as_deref(), Some("mx6.messagingengine.com"));
        assert!(r.has("dkim", "pass") && r.has("dmarc", "pass") && r.has("iprev", "pass"));
        assert_eq!(r.failure(), None);
    }

    #[test]
    fn a_version_after_the_authserv_id_and_versioned_methods_are_understood() {
        let r = AuthenticationResults::parse("mx.example.com 1; spf/1=FAIL smtp.mailfrom=x.test");
        assert_eq!(r.authserv_id.as_deref(), Some("mx.example.com"));
        assert_eq!(r.failure(), Some("spf=fail without dkim=pass"));
        let none = AuthenticationResults::parse("mx.example.com; none");
        assert!(none.results.is_empty());
    }

    #[test]
    fn the_rule_fails_dmarc_and_spf_or_dkim_failures_not_rescued_by_dkim() {
        let fails = |v: &str| AuthenticationResults::parse(v).failure();
        assert!(fails("mx; dmarc=fail header.from=x.test").is_some());
        assert!(fails("mx; dmarc=fail; dkim=pass").is_some());
        assert!(fails("mx; spf=softfail").is_some());
        assert!(fails("mx; spf=fail; dkim=none").is_some());
        assert!(fails("mx; dkim=fail").is_some());
        // Forwarded mail: SPF breaks, the DKIM signature survives.
        assert!(fails("mx; spf=fail; dkim=pass header.d=x.test").is_none());
        assert!(fails("mx; dkim=fail; dkim=pass").is_none());
        assert!(fails("mx; spf=neutral; dkim=none; dmarc=none").is_none());
        assert!(fails("mx; spf=pass (a comment saying dmarc=fail)").is_none());
    }

    #[test]
    fn without_configuration_only_the_topmost_header_counts() {
        let headers = [ar(GMAIL_FORGED), ar(GMAIL)];
        let why = sender_authentication_failure(&headers, &[]).unwrap();
        assert!(why.starts_with("spf=softfail") || why.starts_with("dmarc=fail"));
        assert!(why.contains("mx.google.com"), "{why}");
        // The sender's own (lower) header claiming failure does not count either.
        let headers = [ar(GMAIL), ar(GMAIL_FORGED)];
        assert_eq!(sender_authentication_failure(&headers, &[]), None);
        assert_eq!(
            sender_authentication_failure(&[ar(MICROSOFT_FAIL)], &[]).as_deref(),
            Some("dmarc=fail")
        );
    }

    #[test]
    fn a_forged_header_below_ours_is_ignored_when_our_authserv_id_is_configured() {
        let ours = ar("mx.frontdesk.test; spf=fail smtp.mailfrom=bank.test; dkim=none");
        let forged = ar("mx.google.com; spf=pass; dkim=pass; dmarc=pass");
        let headers = [ours.clone(), forged.clone()];
        let ids = trusted(&["MX.Frontdesk.test"]);
        assert!(sender_authentication_failure(&headers, &ids).is_some());
        // A forged header with our id cannot cancel our failure either: each is read alone.
        let forged_ours = ar("mx.frontdesk.test; dkim=pass header.d=bank.test");
        let headers = [ours, forged_ours];
        assert!(sender_authentication_failure(&headers, &ids).is_some());
        // Only a header of another server failing: not ours, not counted.
        let other = ar("relay.elsewhere.test; dmarc=fail");
        let pass = ar("mx.frontdesk.test; spf=pass; dkim=pass; dmarc=pass");
        assert_eq!(sender_authentication_failure(&[other, pass], &ids), None);
    }

    #[test]
    fn trusted_ids_find_our_header_below_another_servers() {
        let ids = trusted(&["mx.frontdesk.test", "mx2.frontdesk.test"]);
        let headers = [
            Header::new("X-Loop", "x"),
            ar("mx.google.com; spf=pass; dmarc=pass"),
            ar("mx2.frontdesk.test; dmarc=fail header.from=bank.test"),
        ];
        let why = sender_authentication_failure(&headers, &ids).unwrap();
        assert_eq!(why, "dmarc=fail (reported by mx2.frontdesk.test)");
    }

    #[test]
    fn mail_without_results_is_not_held_against_the_sender() {
        assert_eq!(sender_authentication_failure(&[], &[]), None);
        let ids = trusted(&["mx.frontdesk.test"]);
        assert_eq!(
            sender_authentication_failure(&[ar(GMAIL_FORGED)], &ids),
            None
        );
    }
}
