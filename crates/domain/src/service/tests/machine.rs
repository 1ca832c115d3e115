//! Machine mail stays out of the queue: bounces become delivery failures, the rest is kept
//! apart until staff promote it.

use super::*;
use crate::email::Header;
use crate::ports::Job;
use crate::service::{Admission, IngestError, QuarantineReason};
use crate::threading::AutoReplyKind;
use crate::ticket::{MessageKind, Status};

#[tokio::test]
async fn machine_mail_opens_no_ticket_until_staff_promote_it() {
    let w = world();
    for (header, kind) in [
        (("Precedence", "bulk"), AutoReplyKind::Bulk),
        (("Auto-Submitted", "auto-replied"), AutoReplyKind::AutoReply),
        (("X-Spam-Flag", "YES"), AutoReplyKind::Spam),
        (("List-Id", "<news.x.com>"), AutoReplyKind::List),
    ] {
        let mut m = mail(&format!("{}@c", kind.as_str()), "news@x.com", "Sale", "Buy");
        m.headers.push(Header::new(header.0, header.1));
        assert_eq!(
            w.desk.ingest(m).await.unwrap_err(),
            IngestError::Quarantine(QuarantineReason::MachineMail { kind })
        );
    }
    w.store.with(|s| {
        assert!(s.tickets.is_empty(), "no ticket, no clock, no assignment");
        assert!(s.jobs.is_empty(), "no acknowledgement, no draft");
    });
    // Promoted, it opens its ticket.
    let mut m = mail("promoted@c", "news@x.com", "Sale", "Buy");
    m.headers.push(Header::new("Precedence", "bulk"));
    let r = w
        .desk
        .ingest_batch_as(&[m], Admission::Released)
        .await
        .unwrap();
    assert_eq!(r[0].as_ref().unwrap().outcome, IngestOutcome::Created);
}

#[tokio::test]
async fn a_bounce_of_our_reply_is_a_delivery_failure_on_its_ticket() {
    let w = world();
    let id = w.open_ticket().await;
    let agent = staff(1, crate::staff::Role::Agent);
    w.desk
        .reply(
            id,
            &agent,
            "Here is your refund",
            crate::service::ReplyMode::Send,
        )
        .await
        .unwrap();
    let sent = w.store.with(|s| {
        s.jobs.iter().find_map(|j| match j {
            Job::SendEmail(m) => Some(m.message_id.clone()),
            _ => None,
        })
    });
    let mut dsn = mail(
        "dsn@mx",
        "mailer-daemon@mx.example",
        "Undelivered",
        "550 no such user",
    );
    dsn.returned_message_id = sent;
    let r = w.ingest(dsn).await;
    assert_eq!(
        (r.outcome, r.ticket_id, r.auto_reply),
        (
            IngestOutcome::Appended,
            Some(id),
            Some(AutoReplyKind::Bounce)
        )
    );
    let t = w.ticket(id);
    assert_eq!(t.status, Status::Open, "nothing reopened or changed");
    w.store.with(|s| {
        assert_eq!(s.tickets.len(), 1);
        let note = s.messages.last().unwrap();
        assert_eq!(note.kind, MessageKind::System);
        assert!(
            note.body_text.starts_with("Delivery failed"),
            "{}",
            note.body_text
        );
        assert!(note.body_text.contains("550 no such user"));
    });
    // A bounce of nothing we sent is machine mail like any other.
    let stray = mail("dsn2@mx", "mailer-daemon@mx.example", "Undelivered", "550");
    assert!(w.desk.ingest(stray).await.is_err());
}

#[tokio::test]
async fn an_auto_reply_to_a_closed_ticket_joins_it_without_a_follow_up() {
    let w = world();
    let id = w.open_ticket().await;
    w.set_status(id, Status::Closed).await;
    let mut ooo = replying(
        mail("ooo@c", "jane@x.com", "Re: Help", "I am away"),
        "a@c",
        &["a@c"],
    );
    ooo.headers
        .push(Header::new("Auto-Submitted", "auto-replied"));
    let r = w.ingest(ooo).await;
    assert_eq!(
        (r.outcome, r.ticket_id),
        (IngestOutcome::Appended, Some(id))
    );
    assert_eq!(w.ticket(id).status, Status::Closed);
    assert_eq!(w.store.with(|s| s.tickets.len()), 1);
}

#[tokio::test]
async fn the_allow_list_makes_alerts_tickets_and_the_deny_list_keeps_senders_out() {
    use crate::email::{SenderFilters, SenderPattern};
    let w = world();
    w.desk.settings().sender_filters.replace(SenderFilters {
        allow: vec![SenderPattern::parse("alerts@monitor.example").unwrap()],
        deny: vec![SenderPattern::parse("spammy.example").unwrap()],
    });
    let mut alert = mail("al@c", "alerts@monitor.example", "Disk full", "90 %");
    alert
        .headers
        .push(Header::new("Auto-Submitted", "auto-generated"));
    let r = w.ingest(alert).await;
    assert_eq!((r.outcome, r.auto_reply), (IngestOutcome::Created, None));
    let pitch = mail("sp@c", "bob@mail.spammy.example", "Offer", "Buy");
    assert_eq!(
        w.desk.ingest(pitch.clone()).await.unwrap_err(),
        IngestError::Quarantine(QuarantineReason::DeniedSender {
            pattern: "spammy.example".into()
        })
    );
    let released = w
        .desk
        .ingest_batch_as(&[pitch], Admission::Released)
        .await
        .unwrap();
    assert_eq!(
        released[0].as_ref().unwrap().outcome,
        IngestOutcome::Created
    );
}
