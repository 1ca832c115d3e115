//! Stored HTML written by an older sanitiser is rewritten once, in pages, and never again.

use std::sync::atomic::{AtomicUsize, Ordering};

use frontdesk_adapters_db::Database;
use frontdesk_adapters_db::entity::messages;
use frontdesk_domain::ports::TicketRepository;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::backends::{helpdesk, mail, now};
use crate::contract;

const LIVE: &str = "<p>Hello</p><script>alert(1)</script>";

/// A stand-in for the mail adapter's sanitiser: idempotent, and counting its calls.
fn cleaner(calls: &AtomicUsize) -> impl Fn(&str) -> String + Sync + '_ {
    move |html: &str| {
        calls.fetch_add(1, Ordering::Relaxed);
        html.replace("<script>alert(1)</script>", "")
    }
}

contract!(
    stored_html_is_resanitised_once_and_the_version_recorded,
    |db: Database| async move {
        let desk = helpdesk(&db, |_| {});
        let mut dirty = mail("html@client", "jane@x.com", "HTML mail", "Hello");
        dirty.html_body = Some(LIVE.into());
        let ticket = desk.ingest(dirty).await.unwrap().ticket_id.unwrap();
        let mut clean = mail("clean@client", "joe@x.com", "Clean mail", "Hi");
        clean.html_body = Some("<p>Hi</p>".into());
        desk.ingest(clean).await.unwrap();
        desk.ingest(mail("text@client", "ann@x.com", "Text mail", "Hi"))
            .await
            .unwrap();
        assert_eq!(db.html_sanitizer_version().await.unwrap(), 0);

        let calls = AtomicUsize::new(0);
        let rewritten = db.resanitize_html(2, &cleaner(&calls)).await.unwrap();
        assert_eq!(rewritten, 1, "only the row the cleaner changes is written");
        assert_eq!(
            calls.load(Ordering::Relaxed),
            2,
            "every stored HTML body is cleaned"
        );
        let stored = db.messages(ticket).await.unwrap();
        assert_eq!(stored[0].body_html.as_deref(), Some("<p>Hello</p>"));
        assert_eq!(db.html_sanitizer_version().await.unwrap(), 2);

        let again = db.resanitize_html(2, &cleaner(&calls)).await.unwrap();
        assert_eq!(again, 0);
        assert_eq!(
            calls.load(Ordering::Relaxed),
            2,
            "a second run reads nothing"
        );
        assert_eq!(db.resanitize_html(1, &cleaner(&calls)).await.unwrap(), 0);
        assert_eq!(
            db.html_sanitizer_version().await.unwrap(),
            2,
            "never lowered"
        );
    }
);

contract!(
    every_page_is_rewritten_and_an_interrupted_run_resumes,
    |db: Database| async move {
        let desk = helpdesk(&db, |_| {});
        let ticket = desk
            .ingest(mail("first@client", "jane@x.com", "Many", "Hello"))
            .await
            .unwrap()
            .ticket_id
            .unwrap();
        // More rows than one page (500), their keys scattered rather than in insertion order;
        // every third one already clean, as an interrupted earlier run would have left it.
        let rows = (0..1_234u128).map(|i| messages::ActiveModel {
            id: sea_orm::Set(uuid::Uuid::from_u128(
                (i + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835),
            )),
            ticket_id: sea_orm::Set(ticket.as_uuid()),
            kind: sea_orm::Set("customer".into()),
            direction: sea_orm::Set("inbound".into()),
            author_staff: sea_orm::Set(None),
            author_email: sea_orm::Set(None),
            author_name: sea_orm::Set(None),
            body_text: sea_orm::Set(format!("{i}")),
            full_text: sea_orm::Set(None),
            body_html: sea_orm::Set(Some(if i % 3 == 0 {
                format!("<p>{i}</p>")
            } else {
                format!("<p>{i}</p><script>alert(1)</script>")
            })),
            email_message_id: sea_orm::Set(None),
            in_reply_to: sea_orm::Set(None),
            references_ids: sea_orm::Set(None),
            auto_reply: sea_orm::Set(None),
            created_at: sea_orm::Set(now()),
        });
        let conn = db.connection();
        messages::Entity::insert_many(rows)
            .exec_without_returning(conn)
            .await
            .unwrap();

        let calls = AtomicUsize::new(0);
        let rewritten = db.resanitize_html(2, &cleaner(&calls)).await.unwrap();
        assert_eq!(rewritten, 1_234 - 412, "the rows still dirty");
        assert_eq!(calls.load(Ordering::Relaxed), 1_234, "every row read once");
        let live = messages::Entity::find()
            .filter(messages::Column::BodyHtml.contains("<script"))
            .count(conn)
            .await
            .unwrap();
        assert_eq!(live, 0, "no stored row keeps a script");
    }
);
