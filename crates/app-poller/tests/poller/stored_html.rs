//! Mail HTML stored by an older sanitiser is sanitised again by whichever command migrates.

use frontdesk_adapters_db::entity::messages;
use frontdesk_adapters_gmail::mime::SANITIZER_VERSION;
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::{Site, both, stderr, write};

both!(
    migrating_resanitises_html_an_older_sanitiser_stored,
    async |site: &Site| {
        let dir = site.path("backlog");
        write(
            &dir.join("01-html.eml"),
            "From: Customer <jane@client.example>\r\nTo: support@frontdesk.localhost\r\n\
             Subject: HTML\r\nMessage-ID: <h1@client.example>\r\nMIME-Version: 1.0\r\n\
             Content-Type: text/html; charset=utf-8\r\n\r\n<p>Hello</p>\r\n",
        );
        let out = site.poller(&["import", dir.to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
        let db = &site.fresh.db;
        assert_eq!(
            db.html_sanitizer_version().await.unwrap(),
            SANITIZER_VERSION
        );
        // What the lol-html sanitiser made of `<p>Hello</p><<x>script>alert(1)<</x>/script>`,
        // in a database that has not been re-sanitised yet.
        let conn = db.connection();
        conn.execute_unprepared(
            "UPDATE messages SET body_html = '<p>Hello</p><script>alert(1)</script>'",
        )
        .await
        .unwrap();
        conn.execute_unprepared("DELETE FROM content_versions")
            .await
            .unwrap();

        let out = site.poller(&["migrate"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let stored = messages::Entity::find().all(conn).await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].body_html.as_deref(), Some("<p>Hello</p>"));
        assert_eq!(
            db.html_sanitizer_version().await.unwrap(),
            SANITIZER_VERSION
        );
    }
);
