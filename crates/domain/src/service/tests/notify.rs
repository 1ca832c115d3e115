//! Staff notifications as digests, and staff mail that is never a customer's.

use super::*;
use crate::ports::{Job, Notification, NotificationKind};
use crate::service::{IngestError, QuarantineReason};
use crate::staff::{Availability, Role};
use crate::ticket::MessageKind;

fn notes(w: &World) -> Vec<Notification> {
    w.store.with(|s| {
        s.jobs
            .iter()
            .filter_map(|j| match j {
                Job::Notify(n) => Some((**n).clone()),
                _ => None,
            })
            .collect()
    })
}

#[tokio::test]
async fn many_assignments_make_one_digest_per_person_holding_what_they_receive() {
    let w = world();
    let (a, b) = (staff(1, Role::Agent), staff(2, Role::Agent));
    w.store.with(|s| s.staff = vec![a.clone(), b.clone()]);
    for i in 0..6 {
        w.ingest(mail(
            &format!("m{i}@c"),
            "jane@x.com",
            &format!("Help {i}"),
            "x",
        ))
        .await;
    }
    assert_eq!(w.desk.auto_assign().await.unwrap().assigned, 6);
    let queued = notes(&w);
    assert_eq!(queued.len(), 6, "one per assignment and person");
    let digests = w.desk.digests(&queued).await.unwrap();
    assert_eq!(digests.len(), 2, "one mail per person");
    for d in &digests {
        assert_eq!(d.covers.len(), 3);
        let mail = d.mail.as_ref().unwrap();
        assert_eq!(mail.to, std::slice::from_ref(&d.to));
        assert_eq!(
            mail.subject,
            "Frontdesk: 3 notifications (3 assigned to you)"
        );
        assert_eq!(mail.body_text.matches("Customer: jane@x.com").count(), 3);
        assert!(mail.automatic);
    }
    // Bob turns off assignment notices: his are settled without a mail.
    w.store.with(|s| {
        s.muted
            .insert(b.email.normalized(), vec![NotificationKind::Assigned]);
    });
    let digests = w.desk.digests(&queued).await.unwrap();
    let bobs = digests.iter().find(|d| d.to == b.email).unwrap();
    assert_eq!((bobs.mail.is_none(), bobs.covers.len()), (true, 3));
}

#[tokio::test]
async fn a_single_notification_keeps_its_own_subject_and_ticket() {
    let w = world();
    let id = w.open_ticket().await;
    let agent = staff(1, Role::Agent);
    w.store.with(|s| s.staff = vec![agent.clone()]);
    w.desk.take(id, &agent).await.unwrap();
    w.desk.auto_assign().await.unwrap();
    let single = Notification {
        ticket_id: id,
        kind: NotificationKind::SlaWarning,
        recipients: vec![agent.email.clone()],
        subject: "[TKT-000001] SLA first response target due soon".into(),
        body: "due soon".into(),
    };
    let d = w.desk.digests(&[single]).await.unwrap();
    let mail = d[0].mail.as_ref().unwrap();
    assert_eq!(
        mail.subject,
        "[TKT-000001] SLA first response target due soon"
    );
    assert_eq!(mail.ticket_id, Some(id));
}

#[tokio::test]
async fn a_staff_members_answer_to_a_notification_is_a_note_not_a_customer_ticket() {
    let w = world();
    let id = w.open_ticket().await;
    let mut agent = staff(1, Role::Agent);
    agent.availability = Availability::Offline;
    w.store.with(|s| s.staff = vec![agent.clone()]);
    let answer = mail(
        "n1@c",
        agent.email.as_str(),
        "Re: [TKT-000001] SLA first response target due soon",
        "On it, calling the customer.",
    );
    let r = w.ingest(answer).await;
    assert_eq!(
        (r.outcome, r.ticket_id),
        (IngestOutcome::Appended, Some(id))
    );
    let t = w.ticket(id);
    assert_eq!(t.customer.email.as_str(), "jane@x.com");
    w.store.with(|s| {
        assert_eq!(s.tickets.len(), 1, "no ticket opened for the staff member");
        let note = s.messages.last().unwrap();
        assert_eq!(
            (note.kind, note.author_staff, note.body_text.as_str()),
            (
                MessageKind::Note,
                Some(agent.id),
                "On it, calling the customer."
            )
        );
        assert!(!s.jobs.iter().any(|j| matches!(j, Job::SendEmail(_))));
    });
    // Staff mail that names no ticket opens none: it is kept in quarantine.
    let stray = mail("n2@c", agent.email.as_str(), "Lunch?", "Anyone?");
    assert_eq!(
        w.desk.ingest(stray).await.unwrap_err(),
        IngestError::Quarantine(QuarantineReason::StaffMailWithoutTicket {
            address: agent.email.to_string()
        })
    );
}
