//! `/admin/mail` (managers, admins): each configured mailbox — kind, last pass, messages read,
//! cursor, last error, who reads it — with "poll now"; and the quarantine: each mail that could
//! not be ingested with a safe preview (its headers, the reason, its first lines as text —
//! nothing from it is ever markup or a link), its raw `.eml` to download, reprocess, and
//! dismiss with a reason. Through the API's own functions ([`crate::routes::admin`]).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use frontdesk_adapters_gmail::mime::MimeParser;
use frontdesk_domain::access::Permission;
use frontdesk_domain::ports::MailParser as _;
use serde::Deserialize;
use uuid::Uuid;

use super::filters;
use super::session::{Posted, Session};
use super::{Chrome, PageError, html, see_other};
use crate::routes::admin::{
    MailboxView, QuarantineEntry, QuarantineParams, dismiss_entry, mailbox_views, raw_download,
    reprocess_entry,
};
use crate::state::AppState;

/// Lines of a quarantined mail's text shown in its preview.
const PREVIEW_LINES: usize = 12;

/// A quarantined mail as the page shows it: only text, cut short.
#[derive(Debug)]
pub struct Entry {
    pub id: Uuid,
    /// The subject, or what says there is none.
    pub title: String,
    pub headers: Vec<(&'static str, String)>,
    pub reason: String,
    pub kind: String,
    pub attempts: u32,
    pub size: String,
    pub first_seen: DateTime<Utc>,
    pub lines: Vec<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// Why it was dismissed, and by whom.
    pub dismissed: Option<(String, String)>,
    /// A problem with this entry's last action (the reason missing, still not ingestible).
    pub problem: Option<String>,
}

#[derive(Template)]
#[template(path = "workspace/admin_mail.html")]
struct MailPage {
    chrome: Chrome,
    mailboxes: Vec<MailboxView>,
    entries: Vec<Entry>,
    all: bool,
    done: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Shown {
    all: bool,
    done: String,
}

/// Text cut to `max` characters, one line, without control or format characters.
fn line(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .filter(|c| !c.is_control() && !crate::routes::tickets::attachments::is_format_control(*c))
        .take(max + 1)
        .collect();
    if out.chars().count() > max {
        out = out.chars().take(max).collect::<String>() + "…";
    }
    out
}

/// The headers of raw bytes that did not parse: the header block unfolded, the ones a person
/// recognises a mail by.
fn raw_headers(raw: &[u8]) -> (Vec<(&'static str, String)>, String) {
    let text = String::from_utf8_lossy(&raw[..raw.len().min(64 * 1024)]).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .or_else(|| text.split_once("\n\n"))
        .unwrap_or((&text, ""));
    let mut unfolded: Vec<String> = Vec::new();
    for l in head.lines() {
        if l.starts_with([' ', '\t']) {
            if let Some(last) = unfolded.last_mut() {
                last.push(' ');
                last.push_str(l.trim());
            }
        } else {
            unfolded.push(l.to_owned());
        }
    }
    let mut headers = Vec::new();
    for (name, shown) in [
        ("from", "From"),
        ("to", "To"),
        ("subject", "Subject"),
        ("date", "Date"),
        ("message-id", "Message-ID"),
    ] {
        if let Some(value) = unfolded.iter().find_map(|h| {
            let (n, v) = h.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        }) {
            headers.push((shown, line(&value, 300)));
        }
    }
    (headers, body.to_owned())
}

fn entry(q: &crate::routes::admin::QuarantineEntry, raw: &[u8], now: DateTime<Utc>) -> Entry {
    let (headers, text) = match MimeParser::default().parse(raw, now) {
        Ok(mail) => {
            let mut h = Vec::new();
            let shown = |m: &frontdesk_domain::email::Mailbox| match &m.name {
                Some(name) => format!("{name} <{}>", m.address.as_str()),
                None => m.address.as_str().to_owned(),
            };
            if let Some(from) = &mail.from {
                h.push(("From", line(&shown(from), 300)));
            }
            if !mail.to.is_empty() {
                let to: Vec<String> = mail.to.iter().map(shown).collect();
                h.push(("To", line(&to.join(", "), 300)));
            }
            h.push(("Subject", line(&mail.subject, 300)));
            if let Some(d) = mail.date {
                h.push(("Date", d.to_rfc2822()));
            }
            if let Some(id) = &mail.message_id {
                h.push(("Message-ID", line(&id.to_string(), 300)));
            }
            (h, mail.text_body)
        }
        Err(_) => raw_headers(raw),
    };
    let title = headers
        .iter()
        .find(|(name, value)| *name == "Subject" && !value.trim().is_empty())
        .map_or_else(|| "(no subject)".to_owned(), |(_, v)| v.clone());
    Entry {
        id: q.id,
        title,
        headers,
        reason: line(&q.error, 500),
        kind: q.kind.clone(),
        attempts: q.attempts,
        size: super::ticket::size(q.size as u64),
        first_seen: q.created_at,
        lines: text
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.trim().is_empty())
            .take(PREVIEW_LINES)
            .map(|l| line(l, 200))
            .collect(),
        resolved_at: q.resolved_at,
        dismissed: None,
        problem: None,
    }
}

async fn page(
    state: &AppState,
    session: &Session,
    all: bool,
    done: Option<String>,
    problem: Option<(Uuid, String)>,
) -> Result<MailPage, PageError> {
    let chrome = Chrome::of(session)?;
    session.caller.may(Permission::OperateMail)?;
    let mailboxes = mailbox_views(state, &session.caller).await?;
    let params = QuarantineParams {
        include_resolved: all,
        // Each entry's bytes are read and parsed for its preview: a page of them.
        limit: Some(25),
    };
    // One read: each mail with its bytes, for the entry and its preview alike.
    let listed = crate::reads::quarantined_mails(state, &params, None).await?;
    let ids: Vec<Uuid> = listed.iter().map(|q| q.id).collect();
    let dismissals = state.db().dismissals(&ids).await?;
    let names: HashMap<String, String> = crate::reads::staff_list(state, &session.caller)
        .await?
        .into_iter()
        .map(|s| (s.id.to_string(), s.name))
        .collect();
    let now = state.now();
    let mut entries = Vec::with_capacity(listed.len());
    for mail in &listed {
        let q = QuarantineEntry::of(mail);
        let mut e = entry(&q, &mail.raw, now);
        e.dismissed = dismissals.get(&q.id).map(|(reason, by)| {
            let who = by
                .as_ref()
                .and_then(|b| names.get(b).cloned())
                .unwrap_or_else(|| "staff".to_owned());
            (reason.clone(), who)
        });
        e.problem = problem
            .as_ref()
            .filter(|(id, _)| *id == q.id)
            .map(|(_, p)| p.clone());
        entries.push(e);
    }
    Ok(MailPage {
        chrome,
        mailboxes,
        entries,
        all,
        done,
    })
}

/// The mail page.
pub async fn show(
    state: web::Data<AppState>,
    session: Session,
    shown: web::Query<Shown>,
) -> Result<HttpResponse, PageError> {
    let done = match shown.done.as_str() {
        "dismissed" => Some("The mail is dismissed; its bytes stay for the record.".to_owned()),
        "" => None,
        // Only what a reprocess says: a ticket's number, or how the mail ended.
        number
            if number.strip_prefix("TKT-").is_some_and(|d| {
                !d.is_empty() && d.len() <= 12 && d.bytes().all(|b| b.is_ascii_digit())
            }) =>
        {
            Some(format!("The mail was ingested into {number}."))
        }
        "duplicate" => Some("The mail was a duplicate of one already in.".to_owned()),
        _ => Some("The mail was ingested.".to_owned()),
    };
    Ok(html(
        StatusCode::OK,
        &page(&state, &session, shown.all, done, None).await?,
    ))
}

/// The raw `.eml`, as a download.
pub async fn raw(
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    Chrome::of(&session)?;
    Ok(raw_download(&state, &session.caller, *id).await?)
}

/// Ingests an entry again.
pub async fn reprocess(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    posted: Posted<super::ticket::PlainForm>,
) -> Result<HttpResponse, PageError> {
    let session = posted.session;
    match reprocess_entry(&state, &session.caller, *id).await {
        Ok(view) => {
            let what = view.ticket.unwrap_or_else(|| view.outcome.clone());
            Ok(see_other(&format!(
                "/admin/mail?done={}",
                super::encode(&what)
            )))
        }
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let p = page(&state, &session, false, None, Some((*id, e.sentence()))).await?;
            Ok(html(e.status(), &p))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DismissForm {
    csrf: String,
    reason: String,
}

super::session::csrf_form!(DismissForm);

/// Dismisses an entry with a reason.
pub async fn dismiss(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    posted: Posted<DismissForm>,
) -> Result<HttpResponse, PageError> {
    let Posted { session, form } = posted;
    match dismiss_entry(&state, &session.caller, *id, &form.reason).await {
        Ok(()) => Ok(see_other("/admin/mail?done=dismissed")),
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let p = page(&state, &session, false, None, Some((*id, e.sentence()))).await?;
            Ok(html(e.status(), &p))
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_headers_are_found_unfolded_and_cut_to_text() {
        let raw = b"Subject: =?utf-8?q?Hi?=\r\n continued\r\nFrom: <script>x</script>\r\nX-Other: y\r\n\r\nBody line\r\n";
        let (h, body) = raw_headers(raw);
        assert_eq!(h[0], ("From", "<script>x</script>".to_owned()));
        assert_eq!(h[1], ("Subject", "=?utf-8?q?Hi?= continued".to_owned()));
        assert_eq!(body.trim(), "Body line");
        assert_eq!(line("a\u{202e}b\u{7}c", 10), "abc");
        assert_eq!(line("abcdef", 3), "abc…");
    }
}
