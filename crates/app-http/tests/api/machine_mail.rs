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
