//! Ingesting mail end to end through the domain's use case on a real database.

use frontdesk_adapters_db::Database;
use frontdesk_domain::email::{Attachment, Header, MessageId};
use frontdesk_domain::ports::{AutoReplyLog, JobQueue, ThreadLookup, TicketRepository};
use frontdesk_domain::service::{AutoAcknowledgement, IngestOutcome};
use frontdesk_domain::ticket::{MessageKind, Status};
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::backends::{helpdesk, mail, replying};
use crate::contract;
use frontdesk_adapters_db::entity::{attachments, emails, raw_messages, thread_keys};

contract!(
    a_new_mail_is_stored_whole_and_a_second_delivery_is_a_no_op,
    |db: Database| async move {
        let desk = helpdesk(&db, |_| {});
        let r = desk
            .ingest(mail(
                "a@client",
                "jane@x.com",
                "My order is late",
                "Where is it?",
            ))
            .await
            .unwrap();
        assert_eq!(r.outcome, IngestOutcome::Created);
        let id = r.ticket_id.unwrap();
        let t = db.get(id).await.unwrap().unwrap();
        assert_eq!(
            (t.status, t.subject.as_str()),
            (Status::New, "My order is late")
        );
        let msgs = db.messages(id).await.unwrap();
        assert_eq!(msgs.len(), 1);
        assert_eq!(msgs[0].kind, MessageKind::Customer);
        assert_eq!(
            msgs[0].email.as_ref().unwrap().message_id.as_str(),
            "a@client"
        );
        assert_eq!(
            db.by_message_id(&MessageId::parse("a@client").unwrap())
                .await
                .unwrap()
                .unwrap()
                .id,
            id
        );
        let again = desk
            .ingest(mail(
                "a@client",
                "jane@x.com",
                "My order is late",
                "Where is it?",
            ))
            .await
            .unwrap();
        assert_eq!(again.outcome, IngestOutcome::Duplicate);
        let conn = db.connection();
        assert_eq!(emails::Entity::find().count(conn).await.unwrap(), 1);
        assert_eq!(raw_messages::Entity::find().count(conn).await.unwrap(), 1);
        let raw = raw_messages::Entity::find()
            .one(conn)
            .await
            .unwrap()
            .unwrap();
        assert!(raw.content.starts_with(b"Message-ID: <a@client>"));
    }
);

contract!(
    replies_thread_by_headers_and_reopen,
    |db: Database| async move {
        let desk = helpdesk(&db, |_| {});
        // Bob is on the Cc: a participant who may answer the thread too.
        let mut first = mail("a@client", "jane@x.com", "Help", "x");
        first.cc = vec![frontdesk_domain::email::Mailbox::new(
            None,
            frontdesk_domain::email::EmailAddress::parse("bob@x.com").unwrap(),
        )];
        let id = desk.ingest(first).await.unwrap().ticket_id.unwrap();
        desk.update(
            id,
            frontdesk_domain::ticket::Actor::System,
            frontdesk_domain::service::TicketUpdate {
                status: Some(Status::Resolved),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let r = desk
            .ingest(replying(
                mail("b@client", "jane@x.com", "Re: Help", "again"),
                "a@client",
            ))
            .await
            .unwrap();
        assert_eq!(
            (r.outcome, r.ticket_id),
            (IngestOutcome::Appended, Some(id))
        );
        assert_eq!(db.get(id).await.unwrap().unwrap().status, Status::Open);
        // A sibling from a participant answering the same parent joins too.
        let sibling = desk
            .ingest(replying(
                mail("c@client", "bob@x.com", "Re: Help", "me too"),
                "a@client",
            ))
            .await
            .unwrap();
        assert_eq!(sibling.ticket_id, Some(id));
        assert!(
            thread_keys::Entity::find()
                .count(db.connection())
                .await
                .unwrap()
                >= 3
        );
    }
);

contract!(
    attachments_are_stored_once_by_content,
    |db: Database| async move {
        let desk = helpdesk(&db, |_| {});
        let pdf = Attachment {
            filename: Some("invoice.pdf".into()),
            content_type: "application/pdf".into(),
            content_id: None,
            inline: false,
            content: b"%PDF-1.7 same bytes".to_vec(),
        };
        for id in ["a@client", "b@client"] {
            let mut m = mail(id, "jane@x.com", &format!("Invoice {id}"), "attached");
            m.attachments = vec![pdf.clone(), pdf.clone()];
            desk.ingest(m).await.unwrap();
        }
        // A reply without attachments, then one with a single attachment, on the first ticket.
        desk.ingest(replying(
            mail("c@client", "jane@x.com", "Re: Invoice", "thanks"),
            "a@client",
        ))
        .await
        .unwrap();
        let mut last = replying(
            mail("d@client", "jane@x.com", "Re: Invoice", "one more"),
            "a@client",
        );
        last.attachments = vec![Attachment {
            filename: Some("receipt.txt".into()),
            content_type: "text/plain".into(),
            content: b"paid".to_vec(),
            ..pdf.clone()
        }];
        desk.ingest(last).await.unwrap();
        assert_eq!(
            attachments::Entity::find()
                .count(db.connection())
                .await
                .unwrap(),
            2,
            "four PDFs stored once, and the receipt"
        );
        let t = db
            .get_by_number(frontdesk_domain::TicketNumber::new(1).unwrap())
            .await
            .unwrap()
            .unwrap();
        let msgs = db.messages(t.id).await.unwrap();
        assert_eq!(msgs[0].attachments.len(), 2);
        assert_eq!(
            msgs[0].attachments[0].filename.as_deref(),
            Some("invoice.pdf")
        );
        assert_eq!(msgs[0].attachments[0].size, pdf.content.len() as u64);
        let counts: Vec<usize> = msgs.iter().map(|m| m.attachments.len()).collect();
        assert_eq!(counts, [2, 0, 1]);
        // The ticket's page reads the same messages and attachments in one query.
        let whole = db
            .ticket_whole(frontdesk_adapters_db::TicketKey::Id(t.id))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(whole.messages, msgs);
    }
);

contract!(
    acknowledgements_are_queued_and_logged_once_a_day,
    |db: Database| async move {
        let desk = helpdesk(&db, |s| {
            s.auto_acknowledgement = Some(AutoAcknowledgement::default())
        });
        desk.ingest(mail("a@client", "jane@x.com", "One", "x"))
            .await
            .unwrap();
        desk.ingest(mail("b@client", "jane@x.com", "Two", "x"))
            .await
            .unwrap();
        let mut bulk = mail("c@client", "news@x.com", "Sale", "x");
        bulk.headers.push(Header::new("Precedence", "bulk"));
        // Bulk mail opens no ticket (it is kept as machine mail by the caller): no ack either.
        assert!(desk.ingest(bulk).await.is_err());
        let jane = "jane@x.com".parse().unwrap();
        assert!(db.last_auto_reply_to(&jane).await.unwrap().is_some());
        assert!(
            db.last_auto_reply_to(&"news@x.com".parse().unwrap())
                .await
                .unwrap()
                .is_none()
        );
        let now = chrono::Utc::now() + chrono::TimeDelta::seconds(1);
        let jobs = db
            .claim(now, chrono::TimeDelta::minutes(5), 100)
            .await
            .unwrap();
        let acks = jobs
            .iter()
            .filter(|j| j.job.kind() == "auto_acknowledge")
            .count();
        assert_eq!(acks, 1);
    }
);

contract!(
    a_batch_commits_together_and_threads_within_itself,
    |db: Database| async move {
        let desk = helpdesk(&db, |_| {});
        desk.ingest(mail("old@client", "jane@x.com", "Earlier", "x"))
            .await
            .unwrap();
        let batch = [
            mail("n1@client", "bob@x.com", "Printer on fire", "help"),
            replying(
                mail(
                    "n2@client",
                    "bob@x.com",
                    "Re: Printer on fire",
                    "still burning",
                ),
                "n1@client",
            ),
            mail("old@client", "jane@x.com", "Earlier", "x"),
            replying(
                mail("r1@client", "jane@x.com", "Re: Earlier", "any news?"),
                "old@client",
            ),
        ];
        let results = desk.ingest_batch(&batch).await.unwrap();
        let outcomes: Vec<_> = results
            .iter()
            .map(|r| r.as_ref().unwrap().outcome)
            .collect();
        use IngestOutcome::*;
        assert_eq!(outcomes, [Created, Appended, Duplicate, Appended]);
        let new = results[0].as_ref().unwrap();
        assert_eq!(new.ticket.unwrap().to_string(), "TKT-000002");
        let msgs = db.messages(new.ticket_id.unwrap()).await.unwrap();
        assert_eq!(msgs.len(), 2);
        assert_eq!(
            emails::Entity::find().count(db.connection()).await.unwrap(),
            4
        );
        // Searchable at once.
        let filter = frontdesk_domain::ports::TicketFilter {
            text: Some("burning".into()),
            ..Default::default()
        };
        let q = frontdesk_domain::ports::TicketListQuery {
            filter,
            sort: Default::default(),
            limit: 10,
            after: None,
            now: chrono::Utc::now(),
        };
        let page = frontdesk_domain::ports::TicketSearch::list(&db, &q)
            .await
            .unwrap();
        assert_eq!(page.total, 1);
    }
);
