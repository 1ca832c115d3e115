//! Translation between domain types and table rows. The only place that knows both.

use chrono::{NaiveTime, TimeDelta, Weekday};
use frontdesk_domain::ai::{AiDraftRecord, AiDraftState, AiUsage, HoldReason};
use frontdesk_domain::email::{EmailAddress, MessageId};
use frontdesk_domain::grounding::{Citation, Promise, SourceKind};
use frontdesk_domain::ports::{Analysis, Draft, Sentiment, StoreError};
use frontdesk_domain::sla::{SlaClock, TicketSla};
use frontdesk_domain::staff::{Customer, ShiftWindow, Staff, StaffId};
use frontdesk_domain::threading::AutoReplyKind;
use frontdesk_domain::ticket::{
    Actor, AttachmentMeta, Direction, EmailHeaders, EventKind, Message, MessageKind, Priority,
    Ticket, TicketEvent, TicketId, TicketNumber, TicketParts,
};

pub(crate) use frontdesk_domain::email::content_address;

use crate::entity::{ai_drafts, message_attachments, messages, staff, tickets};
use crate::error::corrupt;

fn parse<T: std::str::FromStr>(what: &str, raw: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    raw.parse::<T>().map_err(|e| corrupt(what, e))
}

/// Text as PostgreSQL accepts it: NUL characters (valid in Rust strings, rejected in `TEXT`)
/// become U+FFFD. The raw mail keeps the original bytes.
pub(crate) fn clean(s: &str) -> String {
    if s.contains('\0') {
        s.replace('\0', "\u{FFFD}")
    } else {
        s.to_owned()
    }
}

fn clean_opt(s: Option<&String>) -> Option<String> {
    s.map(|s| clean(s))
}

fn secs(d: TimeDelta) -> i64 {
    d.num_seconds()
}

/// Space-separated Message-IDs (ids cannot contain whitespace).
pub(crate) fn ids_to_text(ids: &[MessageId]) -> Option<String> {
    (!ids.is_empty()).then(|| {
        ids.iter()
            .map(MessageId::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    })
}

pub(crate) fn ids_from_text(text: Option<&str>) -> Vec<MessageId> {
    text.map_or_else(Vec::new, |t| {
        t.split_whitespace()
            .filter_map(|id| MessageId::parse(id).ok())
            .collect()
    })
}

/// A ticket as a `tickets` row.
pub(crate) fn ticket_row(t: &Ticket) -> tickets::Model {
    let fr = &t.sla.first_response;
    let res = &t.sla.resolution;
    tickets::Model {
        id: t.id.as_uuid(),
        number: i64::try_from(t.number.value()).unwrap_or(i64::MAX),
        customer_email: t.customer.email.normalized(),
        customer_name: clean_opt(t.customer.name.as_ref()),
        subject: clean(&t.subject),
        description: clean(&t.description),
        status: t.status.as_str().to_owned(),
        priority: t.priority.as_str().to_owned(),
        category: t.category.as_str().to_owned(),
        channel: t.channel.as_str().to_owned(),
        assignee: t.assignee.map(StaffId::as_uuid),
        tags: serde_json::Value::from(t.tags.clone()).to_string(),
        first_response_at: t.first_response_at,
        resolved_at: t.resolved_at,
        closed_at: t.closed_at,
        escalation_level: i64::from(t.escalation_level),
        follow_up_of: t.follow_up_of.map(TicketId::as_uuid),
        merged_into: t.merged_into.map(TicketId::as_uuid),
        provider_thread: t.provider_thread.clone(),
        created_at: t.created_at,
        updated_at: t.updated_at,
        version: i64::try_from(t.version).unwrap_or(i64::MAX),
        revision: i64::try_from(t.revision).unwrap_or(i64::MAX),
        fr_target_secs: secs(fr.target),
        fr_started_at: fr.started_at,
        fr_due_at: fr.due_at,
        fr_paused_since: fr.paused_since,
        fr_stopped_at: fr.stopped_at,
        fr_remaining_secs: fr.remaining_at_stop.map(secs),
        fr_warning_notified: fr.warning_notified,
        fr_breach_escalated: fr.breach_escalated,
        res_target_secs: secs(res.target),
        res_started_at: res.started_at,
        res_due_at: res.due_at,
        res_paused_since: res.paused_since,
        res_stopped_at: res.stopped_at,
        res_remaining_secs: res.remaining_at_stop.map(secs),
        res_warning_notified: res.warning_notified,
        res_breach_escalated: res.breach_escalated,
        priority_rank: priority_rank(t.priority),
        sla_next_due: Some(t.sla.next_due().unwrap_or_else(no_deadline)),
    }
}

/// What `sla_next_due` holds when no clock runs: far enough to sort last, and a real date on
/// both backends so the column stays indexable without NULL handling.
pub(crate) fn no_deadline() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(253_402_214_400, 0).unwrap_or_default() // 9999-12-31
}

/// Sort rank of a priority: low 0 … urgent 3.
pub(crate) fn priority_rank(p: Priority) -> i64 {
    match p {
        Priority::Low => 0,
        Priority::Medium => 1,
        Priority::High => 2,
        Priority::Urgent => 3,
    }
}

/// A `tickets` row back as a ticket.
pub(crate) fn ticket_from_row(m: tickets::Model) -> Result<Ticket, StoreError> {
    let tags: Vec<String> = serde_json::from_str(&m.tags).map_err(|e| corrupt("ticket tags", e))?;
    let first_response = SlaClock {
        target: TimeDelta::seconds(m.fr_target_secs),
        started_at: m.fr_started_at,
        due_at: m.fr_due_at,
        paused_since: m.fr_paused_since,
        stopped_at: m.fr_stopped_at,
        remaining_at_stop: m.fr_remaining_secs.map(TimeDelta::seconds),
        warning_notified: m.fr_warning_notified,
        breach_escalated: m.fr_breach_escalated,
    };
    let resolution = SlaClock {
        target: TimeDelta::seconds(m.res_target_secs),
        started_at: m.res_started_at,
        due_at: m.res_due_at,
        paused_since: m.res_paused_since,
        stopped_at: m.res_stopped_at,
        remaining_at_stop: m.res_remaining_secs.map(TimeDelta::seconds),
        warning_notified: m.res_warning_notified,
        breach_escalated: m.res_breach_escalated,
    };
    let number = u64::try_from(m.number).map_err(|e| corrupt("ticket number", e))?;
    Ok(Ticket::restore(TicketParts {
        id: TicketId::from_uuid(m.id),
        number: TicketNumber::new(number).map_err(|e| corrupt("ticket number", e))?,
        customer: Customer::new(
            parse("customer address", &m.customer_email)?,
            m.customer_name,
        ),
        subject: m.subject,
        description: m.description,
        status: parse("status", &m.status)?,
        priority: parse("priority", &m.priority)?,
        category: parse("category", &m.category)?,
        channel: parse("channel", &m.channel)?,
        assignee: m.assignee.map(StaffId::from_uuid),
        tags,
        sla: TicketSla {
            first_response,
            resolution,
        },
        first_response_at: m.first_response_at,
        resolved_at: m.resolved_at,
        closed_at: m.closed_at,
        escalation_level: u32::try_from(m.escalation_level)
            .map_err(|e| corrupt("escalation level", e))?,
        follow_up_of: m.follow_up_of.map(TicketId::from_uuid),
        merged_into: m.merged_into.map(TicketId::from_uuid),
        provider_thread: m.provider_thread,
        created_at: m.created_at,
        updated_at: m.updated_at,
        version: u64::try_from(m.version).map_err(|e| corrupt("version", e))?,
        revision: u64::try_from(m.revision).map_err(|e| corrupt("revision", e))?,
    }))
}

fn direction_str(d: Direction) -> &'static str {
    match d {
        Direction::Inbound => "inbound",
        Direction::Outbound => "outbound",
        Direction::Internal => "internal",
    }
}

pub(crate) fn message_row(m: &Message) -> messages::Model {
    messages::Model {
        id: m.id,
        ticket_id: m.ticket_id.as_uuid(),
        kind: m.kind.as_str().to_owned(),
        direction: direction_str(m.direction).to_owned(),
        author_staff: m.author_staff.map(StaffId::as_uuid),
        author_email: m.author_email.as_ref().map(ToString::to_string),
        author_name: clean_opt(m.author_name.as_ref()),
        body_text: clean(&m.body_text),
        full_text: clean_opt(m.full_text.as_ref()),
        body_html: clean_opt(m.body_html.as_ref()),
        email_message_id: m.email.as_ref().map(|e| e.message_id.as_str().to_owned()),
        in_reply_to: m
            .email
            .as_ref()
            .and_then(|e| e.in_reply_to.as_ref())
            .map(|i| i.as_str().to_owned()),
        references_ids: m.email.as_ref().and_then(|e| ids_to_text(&e.references)),
        auto_reply: m.auto_reply.map(|a| a.as_str().to_owned()),
        created_at: m.created_at,
    }
}

pub(crate) fn message_from_row(
    m: messages::Model,
    attachments: Vec<message_attachments::Model>,
) -> Result<Message, StoreError> {
    let kind: MessageKind = parse("message kind", &m.kind)?;
    let direction = match m.direction.as_str() {
        "inbound" => Direction::Inbound,
        "outbound" => Direction::Outbound,
        "internal" => Direction::Internal,
        other => return Err(corrupt("message direction", other)),
    };
    let email = match m.email_message_id.as_deref() {
        Some(id) => Some(EmailHeaders {
            message_id: parse("message id", id)?,
            in_reply_to: m
                .in_reply_to
                .as_deref()
                .and_then(|i| MessageId::parse(i).ok()),
            references: ids_from_text(m.references_ids.as_deref()),
        }),
        None => None,
    };
    Ok(Message {
        id: m.id,
        ticket_id: TicketId::from_uuid(m.ticket_id),
        kind,
        direction,
        author_staff: m.author_staff.map(StaffId::from_uuid),
        author_email: m
            .author_email
            .as_deref()
            .and_then(|a| EmailAddress::parse(a).ok()),
        author_name: m.author_name,
        body_text: m.body_text,
        full_text: m.full_text,
        body_html: m.body_html,
        email,
        attachments: attachments
            .into_iter()
            .map(|a| AttachmentMeta {
                sha256: a.sha256,
                filename: a.filename,
                content_type: a.content_type,
                size: u64::try_from(a.size).unwrap_or(0),
                inline: a.inline,
                content_id: a.content_id,
            })
            .collect(),
        auto_reply: m.auto_reply.as_deref().and_then(AutoReplyKind::parse),
        created_at: m.created_at,
    })
}

const WEEKDAYS: [(Weekday, &str); 7] = [
    (Weekday::Mon, "mon"),
    (Weekday::Tue, "tue"),
    (Weekday::Wed, "wed"),
    (Weekday::Thu, "thu"),
    (Weekday::Fri, "fri"),
    (Weekday::Sat, "sat"),
    (Weekday::Sun, "sun"),
];

pub(crate) fn staff_row(s: &Staff, now: chrono::DateTime<chrono::Utc>) -> staff::Model {
    let shift = s.shift.as_ref();
    let days = shift.map(|sh| {
        sh.days()
            .iter()
            .filter_map(|d| WEEKDAYS.iter().find(|(w, _)| w == d).map(|(_, n)| *n))
            .collect::<Vec<_>>()
            .join(",")
    });
    staff::Model {
        id: s.id.as_uuid(),
        email: s.email.normalized(),
        name: s.name.clone(),
        role: s.role.as_str().to_owned(),
        availability: s.availability.as_str().to_owned(),
        active: s.active,
        shift_time_zone: shift.map(|sh| sh.time_zone().name().to_owned()),
        shift_days: days,
        shift_start: shift.map(|sh| sh.start().format("%H:%M").to_string()),
        shift_end: shift.map(|sh| sh.end().format("%H:%M").to_string()),
        password_hash: None,
        created_at: now,
        updated_at: now,
    }
}

pub(crate) fn staff_from_row(m: staff::Model) -> Result<Staff, StoreError> {
    let shift = match (
        &m.shift_time_zone,
        &m.shift_days,
        &m.shift_start,
        &m.shift_end,
    ) {
        (Some(tz), Some(days), Some(start), Some(end)) => {
            let days = days
                .split(',')
                .filter_map(|d| WEEKDAYS.iter().find(|(_, n)| *n == d).map(|(w, _)| *w))
                .collect();
            let time = |t: &str| {
                NaiveTime::parse_from_str(t, "%H:%M").map_err(|e| corrupt("shift time", e))
            };
            Some(
                ShiftWindow::new(tz, days, time(start)?, time(end)?)
                    .map_err(|e| corrupt("shift", e))?,
            )
        }
        _ => None,
    };
    Ok(Staff {
        id: StaffId::from_uuid(m.id),
        email: parse("staff e-mail", &m.email)?,
        name: m.name,
        role: parse("role", &m.role)?,
        availability: parse("availability", &m.availability)?,
        shift,
        active: m.active,
    })
}

/// An audit event as (actor kind, actor, kind, JSON data).
pub(crate) fn event_columns(e: &TicketEvent) -> (String, Option<String>, String, String) {
    use serde_json::json;
    let (actor_kind, actor) = match &e.actor {
        Actor::System => ("system", None),
        Actor::Staff(id) => ("staff", Some(id.to_string())),
        Actor::Customer(a) => ("customer", Some(a.to_string())),
    };
    let (kind, data) = match &e.kind {
        EventKind::Created => ("created", json!({})),
        EventKind::StatusChanged { from, to } => (
            "status_changed",
            json!({"from": from.as_str(), "to": to.as_str()}),
        ),
        EventKind::PriorityChanged { from, to } => (
            "priority_changed",
            json!({"from": from.as_str(), "to": to.as_str()}),
        ),
        EventKind::CategoryChanged { from, to } => (
            "category_changed",
            json!({"from": from.as_str(), "to": to.as_str()}),
        ),
        EventKind::Assigned { from, to } => (
            "assigned",
            json!({"from": from.map(|s| s.to_string()), "to": to.map(|s| s.to_string())}),
        ),
        EventKind::TagsChanged { tags } => ("tags_changed", json!({ "tags": tags })),
        EventKind::MessageAdded { kind } => ("message_added", json!({"kind": kind.as_str()})),
        EventKind::FirstResponse => ("first_response", json!({})),
        EventKind::Reopened => ("reopened", json!({})),
        EventKind::FollowUpOf { ticket, number } => (
            "follow_up_of",
            json!({"ticket": ticket.to_string(), "number": number.to_string()}),
        ),
        EventKind::MergedInto { ticket, number } => (
            "merged_into",
            json!({"ticket": ticket.to_string(), "number": number.to_string()}),
        ),
        EventKind::MergedFrom { ticket, number } => (
            "merged_from",
            json!({"ticket": ticket.to_string(), "number": number.to_string()}),
        ),
        EventKind::FollowUpOpened { ticket } => {
            ("follow_up_opened", json!({"ticket": ticket.to_string()}))
        }
        EventKind::SlaWarning { clock } => ("sla_warning", json!({"clock": clock.as_str()})),
        EventKind::SlaBreached { clock } => ("sla_breached", json!({"clock": clock.as_str()})),
        EventKind::Escalated { level, reason } => {
            ("escalated", json!({"level": level, "reason": reason}))
        }
        EventKind::AutoClosed => ("auto_closed", json!({})),
        EventKind::SlaRecalendared => ("sla_recalendared", json!({})),
        EventKind::AiDrafted { sent, hold } => (
            "ai_drafted",
            json!({"sent": sent, "hold": hold.as_ref().map(ToString::to_string)}),
        ),
        EventKind::AcknowledgementWithheld { reason } => {
            ("acknowledgement_withheld", json!({ "reason": reason }))
        }
        EventKind::AssistantWithheld { reason } => {
            ("assistant_withheld", json!({ "reason": reason }))
        }
    };
    (
        actor_kind.to_owned(),
        actor,
        kind.to_owned(),
        data.to_string(),
    )
}

pub(crate) fn attachment_meta_row(
    message: uuid::Uuid,
    position: usize,
    a: &AttachmentMeta,
) -> message_attachments::Model {
    message_attachments::Model {
        message_id: message,
        position: i64::try_from(position).unwrap_or(i64::MAX),
        sha256: a.sha256.clone(),
        size: i64::try_from(a.size).unwrap_or(i64::MAX),
        filename: clean_opt(a.filename.as_ref()),
        content_type: clean(&a.content_type),
        inline: a.inline,
        content_id: clean_opt(a.content_id.as_ref()),
    }
}

/// A confidence (0..1) as stored: per mille.
fn per_mille(confidence: f32) -> i64 {
    let clamped = if confidence.is_finite() {
        confidence.clamp(0.0, 1.0)
    } else {
        0.0
    };
    // In 0..=1000 after the clamp, so the cast is exact.
    #[allow(clippy::cast_possible_truncation)]
    let v = (clamped * 1000.0).round() as i64;
    v
}

fn tokens(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(crate) fn ai_draft_row(r: &AiDraftRecord) -> ai_drafts::Model {
    use serde_json::json;
    let analysis = r.analysis.as_ref().map(|a| {
        json!({
            "summary": a.summary,
            "priority": a.priority.as_str(),
            "category": a.category.as_str(),
            "sentiment": a.sentiment.as_str(),
            "language": a.language,
            "mentions_order": a.mentions_order,
            "mentions_account": a.mentions_account,
            "confidence": per_mille(a.confidence),
        })
        .to_string()
    });
    ai_drafts::Model {
        id: r.id,
        ticket_id: r.ticket_id.as_uuid(),
        body: clean(&r.draft.body),
        confidence: per_mille(r.draft.confidence),
        sources: json!(r.draft.sources).to_string(),
        analysis: analysis.map(|a| clean(&a)),
        model: clean(&r.usage.model),
        prompt_tokens: tokens(r.usage.prompt_tokens),
        completion_tokens: tokens(r.usage.completion_tokens),
        state: r.state.as_str().to_owned(),
        hold_reason: r.hold.as_ref().map(ToString::to_string),
        citations: serde_json::Value::Array(
            r.citations
                .iter()
                .map(|c| {
                    json!({
                        "n": c.n,
                        "source": c.kind.as_str(),
                        "id": c.id,
                        "title": clean(&c.title),
                        "url": clean(&c.url),
                    })
                })
                .collect(),
        )
        .to_string(),
        citation_defects: i64::from(r.citation_defects),
        unsupported_promises: json!(
            r.unsupported_promises
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
        )
        .to_string(),
        created_at: r.created_at,
        updated_at: r.created_at,
    }
}

#[allow(clippy::cast_precision_loss)]
fn from_per_mille(v: i64) -> f32 {
    v.clamp(0, 1000) as f32 / 1000.0
}

pub(crate) fn ai_draft_from_row(m: ai_drafts::Model) -> Result<AiDraftRecord, StoreError> {
    #[derive(serde::Deserialize)]
    struct StoredAnalysis {
        summary: String,
        priority: String,
        category: String,
        sentiment: String,
        language: String,
        mentions_order: bool,
        mentions_account: bool,
        confidence: i64,
    }
    let analysis = match m.analysis.as_deref() {
        None => None,
        Some(text) => {
            let a: StoredAnalysis =
                serde_json::from_str(text).map_err(|e| corrupt("AI analysis", e))?;
            Some(Analysis {
                summary: a.summary,
                priority: parse("AI analysis priority", &a.priority)?,
                category: parse("AI analysis category", &a.category)?,
                sentiment: Sentiment::parse(&a.sentiment)
                    .ok_or_else(|| corrupt("AI analysis sentiment", &a.sentiment))?,
                language: a.language,
                mentions_order: a.mentions_order,
                mentions_account: a.mentions_account,
                confidence: from_per_mille(a.confidence),
                usage: AiUsage::default(),
            })
        }
    };
    let sources: Vec<String> =
        serde_json::from_str(&m.sources).map_err(|e| corrupt("AI draft sources", e))?;
    let hold = match m.hold_reason.as_deref() {
        None => None,
        Some(text) => {
            let (name, variable) = text.split_once(' ').unwrap_or((text, ""));
            Some(match HoldReason::parse(name) {
                Some(HoldReason::UnresolvedVariable(_)) => {
                    HoldReason::UnresolvedVariable(variable.to_owned())
                }
                Some(other) => other,
                None => return Err(corrupt("AI hold reason", text)),
            })
        }
    };
    #[derive(serde::Deserialize)]
    struct StoredCitation {
        n: u32,
        source: String,
        id: uuid::Uuid,
        title: String,
        url: String,
    }
    let stored: Vec<StoredCitation> =
        serde_json::from_str(&m.citations).map_err(|e| corrupt("AI draft citations", e))?;
    let citations = stored
        .into_iter()
        .map(|c| {
            Ok(Citation {
                n: c.n,
                kind: SourceKind::parse(&c.source)
                    .ok_or_else(|| corrupt("AI citation source", &c.source))?,
                id: c.id,
                title: c.title,
                url: c.url,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let names: Vec<String> = serde_json::from_str(&m.unsupported_promises)
        .map_err(|e| corrupt("AI draft promises", e))?;
    let unsupported_promises = names
        .iter()
        .map(|n| Promise::parse(n).ok_or_else(|| corrupt("AI draft promise", n)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(AiDraftRecord {
        id: m.id,
        ticket_id: TicketId::from_uuid(m.ticket_id),
        analysis,
        draft: Draft {
            body: m.body,
            confidence: from_per_mille(m.confidence),
            sources,
            usage: AiUsage::default(),
        },
        usage: AiUsage {
            model: m.model,
            prompt_tokens: u64::try_from(m.prompt_tokens).unwrap_or(0),
            completion_tokens: u64::try_from(m.completion_tokens).unwrap_or(0),
        },
        state: AiDraftState::parse(&m.state).ok_or_else(|| corrupt("AI draft state", &m.state))?,
        hold,
        citations,
        citation_defects: u32::try_from(m.citation_defects).unwrap_or(0),
        unsupported_promises,
        created_at: m.created_at,
    })
}
