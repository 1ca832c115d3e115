//! Jobs as stored: a kind and a JSON payload, written with the change that caused them.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use frontdesk_domain::email::{EmailAddress, MessageId};
use frontdesk_domain::ports::{
    Job, Notification, NotificationKind, OutboundAttachment, OutboundEmail, StoreError,
    WebhookDelivery,
};
use frontdesk_domain::ticket::{EmailHeaders, TicketId};
use serde_json::{Value, json};

use crate::error::corrupt;
use crate::mapping::{ids_from_text, ids_to_text};

fn outbound_json(m: &OutboundEmail) -> Value {
    json!({
        "ticket_id": m.ticket_id.map(|t| t.to_string()),
        "message": m.message.map(|u| u.to_string()),
        "to": m.to.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "subject": m.subject,
        "message_id": m.message_id.as_str(),
        "in_reply_to": m.in_reply_to.as_ref().map(MessageId::as_str),
        "references": ids_to_text(&m.references),
        "body_text": m.body_text,
        "body_html": m.body_html,
        "automatic": m.automatic,
        "x_loop": m.x_loop,
        "provider_thread": m.provider_thread,
        "attachments": m.attachments.iter().map(|a| json!({
            "filename": a.filename,
            "content_type": a.content_type,
            "content": STANDARD.encode(&a.content),
        })).collect::<Vec<_>>(),
    })
}

/// The row of a job queued at `now`, ready to run.
pub(crate) fn queued_row(
    job: &Job,
    now: chrono::DateTime<chrono::Utc>,
) -> crate::entity::jobs::Model {
    crate::entity::jobs::Model {
        id: uuid::Uuid::now_v7(),
        kind: job.kind().to_owned(),
        ticket_id: job.ticket_id().map(|t| t.as_uuid()),
        payload: payload(job).to_string(),
        state: "queued".to_owned(),
        attempts: 0,
        run_after: now,
        lease_until: None,
        last_error: None,
        created_at: now,
        updated_at: now,
    }
}

/// The JSON payload of a job.
pub(crate) fn payload(job: &Job) -> Value {
    match job {
        Job::SendEmail(m) | Job::SaveDraft(m) => outbound_json(m),
        Job::AutoAcknowledge {
            ticket_id,
            to,
            answered,
            message_id: ack_id,
        } => json!({
            "ack_message_id": ack_id.as_ref().map(MessageId::as_str),
            "ticket_id": ticket_id.to_string(),
            "to": to.to_string(),
            "message_id": answered.message_id.as_str(),
            "in_reply_to": answered.in_reply_to.as_ref().map(MessageId::as_str),
            "references": ids_to_text(&answered.references),
        }),
        Job::DraftReply { ticket_id } => json!({ "ticket_id": ticket_id.to_string() }),
        Job::DeliverWebhook(d) => json!({
            "ticket_id": d.ticket_id.to_string(),
            "webhook": d.webhook.to_string(),
            "event_id": d.event_id,
            "event": d.event,
            "body": d.body,
        }),
        Job::Notify(n) => json!({
            "ticket_id": n.ticket_id.to_string(),
            "kind": n.kind.as_str(),
            "recipients": n.recipients.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "subject": n.subject,
            "body": n.body,
        }),
    }
}

fn text<'a>(v: &'a Value, key: &str) -> Result<&'a str, StoreError> {
    v.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| corrupt("job payload", format!("missing `{key}`")))
}

fn opt_text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn ticket(v: &Value) -> Result<TicketId, StoreError> {
    text(v, "ticket_id")?
        .parse()
        .map(TicketId::from_uuid)
        .map_err(|e| corrupt("job ticket id", e))
}

fn address(s: &str) -> Result<EmailAddress, StoreError> {
    EmailAddress::parse(s).map_err(|e| corrupt("job address", e))
}

fn addresses(v: &Value, key: &str) -> Result<Vec<EmailAddress>, StoreError> {
    v.get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| corrupt("job payload", format!("missing `{key}`")))?
        .iter()
        .map(|a| address(a.as_str().unwrap_or_default()))
        .collect()
}

fn message_id(v: &Value, key: &str) -> Result<MessageId, StoreError> {
    MessageId::parse(text(v, key)?).map_err(|e| corrupt("job message id", e))
}

fn outbound_from(v: &Value) -> Result<OutboundEmail, StoreError> {
    let ticket_id = match v.get("ticket_id") {
        None | Some(Value::Null) => None,
        Some(_) => Some(ticket(v)?),
    };
    Ok(OutboundEmail {
        ticket_id,
        message: opt_text(v, "message").and_then(|m| m.parse().ok()),
        to: addresses(v, "to")?,
        subject: text(v, "subject")?.to_owned(),
        message_id: message_id(v, "message_id")?,
        in_reply_to: opt_text(v, "in_reply_to").and_then(|i| MessageId::parse(&i).ok()),
        references: ids_from_text(v.get("references").and_then(Value::as_str)),
        body_text: text(v, "body_text")?.to_owned(),
        body_html: opt_text(v, "body_html"),
        automatic: v.get("automatic").and_then(Value::as_bool).unwrap_or(false),
        x_loop: opt_text(v, "x_loop"),
        // Jobs queued before the rename (issue 16) name it `gmail_thread_id`.
        provider_thread: opt_text(v, "provider_thread").or_else(|| opt_text(v, "gmail_thread_id")),
        attachments: v
            .get("attachments")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|a| {
                Ok(OutboundAttachment {
                    filename: text(a, "filename")?.to_owned(),
                    content_type: text(a, "content_type")?.to_owned(),
                    content: STANDARD
                        .decode(text(a, "content")?)
                        .map_err(|e| corrupt("job attachment", e))?,
                })
            })
            .collect::<Result<_, StoreError>>()?,
    })
}

/// A stored job back as a domain job.
pub(crate) fn from_stored(kind: &str, payload: &str) -> Result<Job, StoreError> {
    let v: Value = serde_json::from_str(payload).map_err(|e| corrupt("job payload", e))?;
    Ok(match kind {
        "send_email" => Job::SendEmail(Box::new(outbound_from(&v)?)),
        "save_draft" => Job::SaveDraft(Box::new(outbound_from(&v)?)),
        "auto_acknowledge" => Job::AutoAcknowledge {
            ticket_id: ticket(&v)?,
            to: address(text(&v, "to")?)?,
            answered: Box::new(EmailHeaders {
                message_id: message_id(&v, "message_id")?,
                in_reply_to: opt_text(&v, "in_reply_to").and_then(|i| MessageId::parse(&i).ok()),
                references: ids_from_text(v.get("references").and_then(Value::as_str)),
            }),
            message_id: opt_text(&v, "ack_message_id").and_then(|i| MessageId::parse(&i).ok()),
        },
        "draft_reply" => Job::DraftReply {
            ticket_id: ticket(&v)?,
        },
        "deliver_webhook" => Job::DeliverWebhook(Box::new(WebhookDelivery {
            webhook: text(&v, "webhook")?
                .parse()
                .map_err(|e| corrupt("job webhook id", e))?,
            ticket_id: ticket(&v)?,
            event_id: v
                .get("event_id")
                .and_then(Value::as_i64)
                .ok_or_else(|| corrupt("job payload", "missing `event_id`"))?,
            event: text(&v, "event")?.to_owned(),
            body: text(&v, "body")?.to_owned(),
        })),
        "notify" => {
            let kind = match text(&v, "kind")? {
                "sla_warning" => NotificationKind::SlaWarning,
                "sla_breach" => NotificationKind::SlaBreach,
                "escalated" => NotificationKind::Escalated,
                "assigned" => NotificationKind::Assigned,
                other => return Err(corrupt("notification kind", other)),
            };
            Job::Notify(Box::new(Notification {
                ticket_id: ticket(&v)?,
                kind,
                recipients: addresses(&v, "recipients")?,
                subject: text(&v, "subject")?.to_owned(),
                body: text(&v, "body")?.to_owned(),
            }))
        }
        other => return Err(corrupt("job kind", other)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn id(s: &str) -> MessageId {
        MessageId::parse(s).unwrap()
    }

    #[test]
    fn every_job_kind_round_trips_through_its_payload() {
        let t = TicketId::from_uuid(Uuid::from_u128(7));
        let a = EmailAddress::parse("c@x.com").unwrap();
        let mail = OutboundEmail {
            ticket_id: Some(t),
            message: Some(Uuid::from_u128(9)),
            to: vec![a.clone()],
            subject: "Re: x [TKT-000001]".into(),
            message_id: id("m@fd"),
            in_reply_to: Some(id("c@x")),
            references: vec![id("r@x"), id("c@x")],
            body_text: "hi\n\"quoted\"".into(),
            body_html: None,
            automatic: true,
            x_loop: Some("support@fd".into()),
            provider_thread: Some("t1".into()),
            attachments: vec![OutboundAttachment {
                filename: "a.pdf".into(),
                content_type: "application/pdf".into(),
                content: vec![0, 1, 2, 255],
            }],
        };
        let jobs = [
            Job::SendEmail(Box::new(mail.clone())),
            Job::SaveDraft(Box::new(mail)),
            Job::AutoAcknowledge {
                ticket_id: t,
                to: a.clone(),
                answered: Box::new(EmailHeaders {
                    message_id: id("c@x"),
                    in_reply_to: None,
                    references: vec![],
                }),
                message_id: Some(id("ack@frontdesk.test")),
            },
            Job::DraftReply { ticket_id: t },
            Job::Notify(Box::new(Notification {
                ticket_id: t,
                kind: NotificationKind::SlaBreach,
                recipients: vec![a],
                subject: "s".into(),
                body: "b".into(),
            })),
        ];
        for job in jobs {
            let back = from_stored(job.kind(), &payload(&job).to_string()).unwrap();
            assert_eq!(back, job);
            assert_eq!(job.ticket_id(), Some(t));
        }
    }

    #[test]
    fn a_damaged_payload_is_an_error_not_a_panic() {
        assert!(from_stored("send_email", "{").is_err());
        assert!(from_stored("send_email", "{}").is_err());
        assert!(from_stored("teleport", "{}").is_err());
    }
}
