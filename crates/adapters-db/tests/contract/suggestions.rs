//! Who may join a ticket by mail (its participants), and the merge suggestions stored for mail
//! that may not.

use frontdesk_adapters_db::Database;
use frontdesk_domain::email::{EmailAddress, Mailbox, MessageId};
use frontdesk_domain::ports::{ThreadLookup, TicketRepository};
use frontdesk_domain::service::IngestOutcome;
use frontdesk_domain::ticket::TicketId;

use crate::backends::{helpdesk, mail, replying};
use crate::contract;

fn addresses(list: &[&str]) -> Vec<EmailAddress> {
    list.iter()
        .map(|a| EmailAddress::parse(a).unwrap())
        .collect()
}

contract!(
    participants_are_the_customer_and_everyone_on_the_tickets_mail,
    |db: Database| async move {
        let desk = helpdesk(&db, |_| {});
        let mut first = mail("p1@client", "jane@x.com", "Help", "text");
        first.cc = vec![
            Mailbox::new(None, EmailAddress::parse("Bob@X.com").unwrap()),
            Mailbox::new(None, EmailAddress::parse("jane@x.com").unwrap()),
        ];
        let id = desk.ingest(first).await.unwrap().ticket_id.unwrap();
        assert_eq!(
            db.participants(id).await.unwrap(),
            addresses(&["jane@x.com", "support@frontdesk.test", "Bob@x.com"])
        );
        // Bob, a participant, replies and copies Carol in: she is one from now on.
        let mut bob = replying(
            mail("p2@client", "bob@x.com", "Re: Help", "me too"),
            "p1@client",
        );
        bob.cc = vec![Mailbox::new(
            None,
            EmailAddress::parse("carol@x.com").unwrap(),
        )];
        let r = desk.ingest(bob).await.unwrap();
        assert_eq!(
            (r.outcome, r.ticket_id),
            (IngestOutcome::Appended, Some(id))
        );
        let people = db.participants(id).await.unwrap();
        assert_eq!(people.len(), 4, "{people:?}");
        assert!(people.contains(&EmailAddress::parse("CAROL@x.com").unwrap()));
        let unknown = TicketId::from_uuid(uuid::Uuid::now_v7());
        assert!(db.participants(unknown).await.unwrap().is_empty());
    }
);

contract!(
    a_strangers_reply_is_stored_apart_with_a_suggestion_seen_from_both_tickets,
    |db: Database| async move {
        let desk = helpdesk(&db, |_| {});
        let first = desk
            .ingest(mail(
                "a1@client",
                "alice@customer.test",
                "Lost parcel",
                "help",
            ))
            .await
            .unwrap();
        let alice = first.ticket_id.unwrap();
        let attack = replying(
            mail(
                "m1@attacker",
                "mallory@attacker.test",
                "Re: Lost parcel",
                "pay me",
            ),
            "a1@client",
        );
        let r = desk.ingest(attack).await.unwrap();
        assert_eq!(r.outcome, IngestOutcome::Created);
        let mallory = r.ticket_id.unwrap();
        assert_ne!(mallory, alice);
        assert_eq!(db.messages(alice).await.unwrap().len(), 1);

        let from_new = db.merge_suggestions(mallory).await.unwrap();
        assert_eq!(from_new.len(), 1);
        assert_eq!(from_new[0].other, alice);
        assert_eq!(from_new[0].other_number, first.ticket.unwrap());
        assert_eq!(
            from_new[0].reason,
            format!(
                "mallory@attacker.test is not a participant of {}",
                first.ticket.unwrap()
            )
        );
        assert_eq!(
            from_new[0].evidence,
            "In-Reply-To: <a1@client>; References: <a1@client>"
        );
        let from_old = db.merge_suggestions(alice).await.unwrap();
        assert_eq!(from_old.len(), 1);
        assert_eq!(
            (from_old[0].other, from_old[0].other_number),
            (mallory, r.ticket.unwrap())
        );

        // Alice's next reply, naming only her own first mail, still finds her ticket: the
        // stranger's ticket did not take over its ids.
        let again = desk
            .ingest(replying(
                mail(
                    "a2@client",
                    "alice@customer.test",
                    "Re: Lost parcel",
                    "any news?",
                ),
                "a1@client",
            ))
            .await
            .unwrap();
        assert_eq!(
            (again.outcome, again.ticket_id),
            (IngestOutcome::Appended, Some(alice))
        );
        assert!(
            db.merge_suggestions(TicketId::from_uuid(uuid::Uuid::now_v7()))
                .await
                .unwrap()
                .is_empty()
        );
    }
);

contract!(
    a_mail_bridging_two_tickets_is_placed_by_in_reply_to_and_suggested_once,
    |db: Database| async move {
        let desk = helpdesk(&db, |_| {});
        let lamp = desk
            .ingest(mail("l1@client", "jane@x.com", "Lamp", "broken"))
            .await
            .unwrap()
            .ticket_id
            .unwrap();
        let order = desk
            .ingest(mail("o1@client", "jane@x.com", "Order", "late"))
            .await
            .unwrap()
            .ticket_id
            .unwrap();
        let ids = [
            MessageId::parse("l1@client").unwrap(),
            MessageId::parse("o1@client").unwrap(),
        ];
        let found: Vec<TicketId> = db
            .by_thread_keys(&ids)
            .await
            .unwrap()
            .iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(found, [order, lamp], "each ticket once, newest first");
        for (n, id) in ["b1@client", "b2@client"].into_iter().enumerate() {
            let mut bridge = replying(mail(id, "jane@x.com", "Re: Lamp", "both"), "l1@client");
            bridge.references = ids.to_vec();
            let r = desk.ingest(bridge).await.unwrap();
            assert_eq!(r.ticket_id, Some(lamp), "mail {n}");
        }
        let links = db.merge_suggestions(lamp).await.unwrap();
        assert_eq!(links.len(), 1, "one suggestion per pair: {links:?}");
        assert_eq!(links[0].other, order);
        // The order conversation kept its own ids.
        let r = desk
            .ingest(replying(
                mail("o2@client", "jane@x.com", "Re: Order", "?"),
                "o1@client",
            ))
            .await
            .unwrap();
        assert_eq!(r.ticket_id, Some(order));
    }
);
