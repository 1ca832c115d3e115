//! Machine mail is kept out of the queue, listed for staff, and promoted on request.

use serde_json::json;

use crate::both;
use crate::helpers::{TestApp, Who, post_mail};

both!(
    machine_mail_waits_apart_until_an_agent_promotes_it,
    async |app: &TestApp| {
        let raw = "From: News <news@shop.example>\r\nTo: support@frontdesk.test\r\n\
                   Subject: Our autumn sale\r\nMessage-ID: <sale-1@shop.example>\r\n\
                   Precedence: bulk\r\nList-Unsubscribe: <mailto:u@shop.example>\r\n\r\n\
                   Everything must go!\r\n";
        let (status, line) = post_mail(app, raw).await;
        assert_eq!(status, 202, "{line}");
        assert_eq!(line["outcome"], "quarantined");
        let (_, queue) = app.json("get", "/api/tickets", Who::Agent, None).await;
        assert_eq!(queue["total"], 0, "not in the agents' queue");
        let (status, held) = app.json("get", "/api/machine-mail", Who::Agent, None).await;
        assert_eq!(status, 200);
        assert_eq!(held.as_array().unwrap().len(), 1, "{held}");
        assert_eq!(held[0]["kind"], "machine");
        assert!(held[0]["preview"].as_str().unwrap().contains("autumn sale"));
        let (_, failed) = app
            .json("get", "/api/admin/quarantine", Who::Manager, None)
            .await;
        assert_eq!(
            failed[0]["kind"], "machine",
            "the admin view shows every kind"
        );
        let id = held[0]["id"].as_str().unwrap();
        let (status, promoted) = app
            .json(
                "post",
                &format!("/api/machine-mail/{id}/promote"),
                Who::Agent,
                Some(&json!({})),
            )
            .await;
        assert_eq!(status, 200, "{promoted}");
        assert_eq!(promoted["outcome"], "created");
        let (_, queue) = app.json("get", "/api/tickets", Who::Agent, None).await;
        assert_eq!(queue["total"], 1);
        let (_, held) = app.json("get", "/api/machine-mail", Who::Agent, None).await;
        assert!(held.as_array().unwrap().is_empty());
    }
);

both!(
    the_sender_lists_set_through_the_api_take_effect_at_once,
    async |app: &TestApp| {
        let (status, bad) = app
            .json(
                "put",
                "/api/admin/sender-filters",
                Who::Manager,
                Some(&json!({"deny": ["a b@c"]})),
            )
            .await;
        assert_eq!(status, 422, "{bad}");
        let (status, lists) = app
            .json(
                "put",
                "/api/admin/sender-filters",
                Who::Manager,
                Some(&json!({"allow": ["alerts@monitor.example"], "deny": ["Spammy.Example"]})),
            )
            .await;
        assert_eq!(status, 200, "{lists}");
        assert_eq!(lists["deny"], json!(["spammy.example"]));
        let pitch = "From: bob@mail.spammy.example\r\nTo: support@frontdesk.test\r\n\
                     Subject: Offer\r\nMessage-ID: <p1@spammy.example>\r\n\r\nBuy now\r\n";
        let (status, line) = post_mail(app, pitch).await;
        assert_eq!(status, 202, "{line}");
        assert!(
            line["error"].as_str().unwrap().contains("deny list"),
            "{line}"
        );
        let alert = "From: alerts@monitor.example\r\nTo: support@frontdesk.test\r\n\
                     Subject: Disk full on db1\r\nMessage-ID: <al1@monitor.example>\r\n\
                     Auto-Submitted: auto-generated\r\n\r\n95 % used\r\n";
        let (status, line) = post_mail(app, alert).await;
        assert_eq!(
            (status, &line["outcome"]),
            (201, &json!("created")),
            "{line}"
        );
        let (_, got) = app
            .json("get", "/api/admin/sender-filters", Who::Admin, None)
            .await;
        assert_eq!(got["allow"], json!(["alerts@monitor.example"]));
    }
);
