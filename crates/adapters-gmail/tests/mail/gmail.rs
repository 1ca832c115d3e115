//! Contract tests of the Gmail client against a mock server that answers with the request and
//! response shapes of Google's API reference (users.messages, users.history, users.drafts,
//! users.getProfile, the OAuth 2 token endpoint).

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use frontdesk_adapters_gmail::Secret;
use frontdesk_adapters_gmail::gmail::{GmailClient, GmailError, GmailSettings};
use serde_json::json;
use wiremock::matchers::{body_json, body_string_contains, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(body_string_contains("grant_type=refresh_token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": "ya29.first", "expires_in": 3599, "token_type": "Bearer"}),
        ))
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer) -> GmailClient {
    GmailClient::new(GmailSettings {
        api_base: server.uri(),
        token_url: format!("{}/token", server.uri()),
        client_id: "client-id.apps.googleusercontent.com".into(),
        client_secret: Secret::new("client-secret"),
        refresh_token: Secret::new("1//refresh-token"),
        user: "me".into(),
        query: None,
        processed_label: None,
        timeout: Duration::from_secs(5),
    })
    .unwrap()
}

const RAW: &[u8] = b"From: jane@example.com\r\nSubject: Order late\r\nMessage-ID: <a@example.com>\r\n\r\nWhere is it?\r\n";

/// The history id in the Gmail source's own cursor format.
fn history_id(c: &frontdesk_domain::ports::MailboxCursor) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(c.as_str()).unwrap();
    v["history_id"].as_str().map(str::to_owned)
}

#[tokio::test]
async fn messages_are_listed_and_fetched_raw_with_the_bearer_token() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/gmail/v1/users/me/messages"))
        .and(header("authorization", "Bearer ya29.first"))
        .and(query_param("q", "to:support@example.com"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messages": [{"id": "18c1", "threadId": "18c0"}, {"id": "18c2", "threadId": "18c2"}],
            "resultSizeEstimate": 2
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/gmail/v1/users/me/messages/18c1"))
        .and(query_param("format", "raw"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "18c1", "threadId": "18c0", "labelIds": ["INBOX", "UNREAD"], "historyId": "4711",
            "raw": URL_SAFE_NO_PAD.encode(RAW), "sizeEstimate": RAW.len()
        })))
        .mount(&server)
        .await;
    let gmail = client(&server);
    let (ids, next) = gmail
        .list_messages(Some("to:support@example.com"), None)
        .await
        .unwrap();
    assert_eq!(
        (ids, next),
        (vec!["18c1".to_owned(), "18c2".to_owned()], None)
    );
    let m = gmail.get_raw("18c1").await.unwrap();
    assert_eq!(
        (
            m.raw.as_slice(),
            m.thread_id.as_deref(),
            m.history_id.as_deref()
        ),
        (RAW, Some("18c0"), Some("4711"))
    );
}

#[tokio::test]
async fn listing_follows_next_page_tokens() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/gmail/v1/users/me/messages"))
        .and(query_param("pageToken", "page-2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"messages": [{"id": "b", "threadId": "b"}]})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/gmail/v1/users/me/messages"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"messages": [{"id": "a", "threadId": "a"}], "nextPageToken": "page-2"}),
        ))
        .mount(&server)
        .await;
    let gmail = client(&server);
    let (first, next) = gmail.list_messages(None, None).await.unwrap();
    assert_eq!(
        (first, next.as_deref()),
        (vec!["a".to_owned()], Some("page-2"))
    );
    let (second, next) = gmail.list_messages(None, Some("page-2")).await.unwrap();
    assert_eq!((second, next), (vec!["b".to_owned()], None));
    // An empty mailbox has no `messages` key at all.
    let empty = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "t", "expires_in": 3599})),
        )
        .mount(&empty)
        .await;
    Mock::given(method("GET"))
        .and(path("/gmail/v1/users/me/messages"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"resultSizeEstimate": 0})))
        .mount(&empty)
        .await;
    assert_eq!(
        client(&empty).list_messages(None, None).await.unwrap(),
        (vec![], None)
    );
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_and_the_call_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "ya29.fresh", "expires_in": 3599})),
        )
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/gmail/v1/users/me/profile"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": {"code": 401, "message": "Invalid Credentials", "status": "UNAUTHENTICATED"}})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/gmail/v1/users/me/profile"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"emailAddress": "support@example.com", "messagesTotal": 3, "threadsTotal": 2, "historyId": "99"})))
        .mount(&server)
        .await;
    assert_eq!(client(&server).current_history_id().await.unwrap(), "99");
}

#[tokio::test]
async fn rate_limits_are_waited_out_as_retry_after_says() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/gmail/v1/users/me/profile"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_json(json!({"error": {"code": 429, "message": "Rate Limit Exceeded"}})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/gmail/v1/users/me/profile"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"historyId": 5})))
        .mount(&server)
        .await;
    assert_eq!(client(&server).current_history_id().await.unwrap(), "5");
}

#[tokio::test]
async fn server_errors_back_off_then_give_up_as_transient() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/gmail/v1/users/me/profile"))
        .respond_with(ResponseTemplate::new(503))
        .expect(4)
        .mount(&server)
        .await;
    let err = client(&server).current_history_id().await.unwrap_err();
    assert_eq!(err, GmailError::Server { status: 503 });
    assert!(matches!(
        frontdesk_domain::ports::MailError::from(err),
        frontdesk_domain::ports::MailError::Transient(_)
    ));
}

#[tokio::test]
async fn malformed_answers_are_typed_errors() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/gmail/v1/users/me/profile"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"historyId\": "))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/gmail/v1/users/me/messages/x"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": "x", "raw": "***not base64***"})),
        )
        .mount(&server)
        .await;
    let gmail = client(&server);
    assert!(matches!(
        gmail.current_history_id().await,
        Err(GmailError::Malformed(_))
    ));
    assert!(matches!(
        gmail.get_raw("x").await,
        Err(GmailError::Malformed(_))
    ));
}

#[tokio::test]
async fn a_refused_refresh_token_is_permanent_and_never_echoes_secrets() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": "invalid_grant", "error_description": "Token has been expired or revoked."})))
        .mount(&server)
        .await;
    let err = client(&server).current_history_id().await.unwrap_err();
    assert!(matches!(err, GmailError::Unauthorized(_)), "{err:?}");
    let text = format!("{err} {err:?}");
    assert!(
        !text.contains("1//refresh-token") && !text.contains("client-secret"),
        "{text}"
    );
    assert!(matches!(
        frontdesk_domain::ports::MailError::from(err),
        frontdesk_domain::ports::MailError::Permanent(_)
    ));
}

#[tokio::test]
async fn history_lists_added_messages_once() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/gmail/v1/users/me/history"))
        .and(query_param("startHistoryId", "4711"))
        .and(query_param("historyTypes", "messageAdded"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "history": [
                {"id": "4712", "messages": [{"id": "m1", "threadId": "t1"}], "messagesAdded": [{"message": {"id": "m1", "threadId": "t1", "labelIds": ["INBOX"]}}]},
                {"id": "4713", "messagesAdded": [{"message": {"id": "m2", "threadId": "t1"}}, {"message": {"id": "m1", "threadId": "t1"}}]}
            ],
            "historyId": "4713"
        })))
        .mount(&server)
        .await;
    let (ids, next, latest) = client(&server).history("4711", None).await.unwrap();
    assert_eq!(
        (ids, next, latest.as_deref()),
        (vec!["m1".to_owned(), "m2".to_owned()], None, Some("4713"))
    );
}

#[tokio::test]
async fn modify_send_and_drafts_use_the_documented_bodies() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/gmail/v1/users/me/messages/m1/modify"))
        .and(body_json(
            json!({"addLabelIds": ["Label_7"], "removeLabelIds": ["UNREAD"]}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"id": "m1", "threadId": "t1", "labelIds": ["INBOX", "Label_7"]}),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/gmail/v1/users/me/messages/send"))
        .and(body_json(
            json!({"raw": URL_SAFE_NO_PAD.encode(RAW), "threadId": "t1"}),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "sent1", "threadId": "t1", "labelIds": ["SENT"]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/gmail/v1/users/me/drafts"))
        .and(body_json(
            json!({"message": {"raw": URL_SAFE_NO_PAD.encode(RAW), "threadId": "t1"}}),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": "r-123", "message": {"id": "d1", "threadId": "t1"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let gmail = client(&server);
    gmail.modify("m1", &["Label_7"], &["UNREAD"]).await.unwrap();
    assert_eq!(gmail.send(RAW, Some("t1")).await.unwrap(), "sent1");
    assert_eq!(gmail.create_draft(RAW, Some("t1")).await.unwrap(), "r-123");
}

mod ports {
    use std::sync::Arc;

    use super::history_id;

    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use frontdesk_adapters_gmail::gmail::{GmailSender, GmailSource};
    use frontdesk_domain::email::{EmailAddress, MessageId};
    use frontdesk_domain::ports::{MailSender, MailSource, MailboxCursors, OutboundEmail};
    use frontdesk_domain::ticket::TicketId;
    use serde_json::{Value, json};
    use wiremock::matchers::{body_json, method, path, query_param};
    use wiremock::{Mock, MockServer, Request, ResponseTemplate};

    use super::{RAW, client, server};
    use crate::servers::MemoryCursors;

    async fn mailbox(server: &MockServer) {
        Mock::given(method("GET"))
            .and(path("/gmail/v1/users/me/profile"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"historyId": "100"})))
            .mount(server)
            .await;
        Mock::given(method("GET"))
            .and(path("/gmail/v1/users/me/messages"))
            .and(query_param("q", "to:support@example.com"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"messages": [{"id": "new", "threadId": "t2"}, {"id": "old", "threadId": "t1"}]})))
            .mount(server)
            .await;
        for (id, thread) in [("old", "t1"), ("new", "t2"), ("later", "t3")] {
            Mock::given(method("GET"))
                .and(path(format!("/gmail/v1/users/me/messages/{id}")))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": id, "threadId": thread, "raw": URL_SAFE_NO_PAD.encode(super::RAW)})))
                .mount(server)
                .await;
        }
        Mock::given(method("POST"))
            .and(path("/gmail/v1/users/me/messages/old/modify"))
            .and(body_json(
                json!({"addLabelIds": ["Label_9"], "removeLabelIds": ["UNREAD"]}),
            ))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "old"})))
            .mount(server)
            .await;
        for id in ["new", "later"] {
            Mock::given(method("POST"))
                .and(path(format!("/gmail/v1/users/me/messages/{id}/modify")))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": id})))
                .mount(server)
                .await;
        }
        Mock::given(method("GET"))
            .and(path("/gmail/v1/users/me/history"))
            .and(query_param("startHistoryId", "100"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"history": [{"id": "101", "messagesAdded": [{"message": {"id": "later", "threadId": "t3"}}]}], "historyId": "101"})))
            .mount(server)
            .await;
    }

    fn source(server: &MockServer, cursors: Arc<MemoryCursors>) -> GmailSource {
        GmailSource::new(
            Arc::new(client(server)),
            cursors,
            "gmail://support@example.com",
            Some("to:support@example.com".into()),
            Some("Label_9".into()),
        )
    }

    #[tokio::test]
    async fn the_first_run_lists_oldest_first_then_history_takes_over() {
        let server = server().await;
        mailbox(&server).await;
        let cursors = Arc::new(MemoryCursors::default());
        let gmail = source(&server, cursors.clone());
        let first = gmail.fetch(10).await.unwrap();
        let refs: Vec<_> = first
            .iter()
            .map(|m| (m.source_ref.as_str(), m.provider_thread.as_deref()))
            .collect();
        assert_eq!(refs, [("old", Some("t1")), ("new", Some("t2"))]);
        assert_eq!(first[0].raw, RAW);
        gmail.acknowledge("old").await.unwrap();
        assert!(
            cursors
                .cursor("gmail://support@example.com")
                .await
                .unwrap()
                .is_none(),
            "not before the pass is done"
        );
        gmail.acknowledge("new").await.unwrap();
        let saved = cursors
            .cursor("gmail://support@example.com")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(history_id(&saved).as_deref(), Some("100"));
        let next = gmail.fetch(10).await.unwrap();
        assert_eq!(
            next.iter()
                .map(|m| m.source_ref.as_str())
                .collect::<Vec<_>>(),
            ["later"]
        );
        gmail.acknowledge("later").await.unwrap();
        let saved = cursors
            .cursor("gmail://support@example.com")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(history_id(&saved).as_deref(), Some("101"));
    }

    #[tokio::test]
    async fn a_crash_before_the_acks_reads_the_pass_again() {
        let server = server().await;
        mailbox(&server).await;
        let cursors = Arc::new(MemoryCursors::default());
        let first = source(&server, cursors.clone()).fetch(10).await.unwrap();
        assert_eq!(first.len(), 2);
        let again = source(&server, cursors).fetch(10).await.unwrap();
        assert_eq!(
            again
                .iter()
                .map(|m| m.source_ref.as_str())
                .collect::<Vec<_>>(),
            ["old", "new"]
        );
    }

    #[tokio::test]
    async fn replies_are_sent_in_the_customers_thread_with_threading_headers() {
        let server = server().await;
        Mock::given(method("POST"))
            .and(path("/gmail/v1/users/me/messages/send"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"id": "s1", "threadId": "t1"})),
            )
            .expect(1)
            .mount(&server)
            .await;
        let sender = GmailSender::new(
            Arc::new(client(&server)),
            &EmailAddress::parse("support@example.com").unwrap(),
            Some("Support".into()),
        )
        .unwrap();
        let mail = OutboundEmail {
            ticket_id: Some(TicketId::from_uuid(uuid::Uuid::now_v7())),
            message: None,
            to: vec![EmailAddress::parse("jane@example.com").unwrap()],
            subject: "Re: Order late [TKT-000007]".into(),
            message_id: MessageId::parse("r1@example.com").unwrap(),
            in_reply_to: Some(MessageId::parse("a@example.com").unwrap()),
            references: vec![MessageId::parse("a@example.com").unwrap()],
            body_text: "On its way.".into(),
            body_html: None,
            automatic: false,
            x_loop: None,
            provider_thread: Some("t1".into()),
            attachments: Vec::new(),
        };
        sender.send(&mail).await.unwrap();
        let requests: Vec<Request> = server.received_requests().await.unwrap();
        let sent = requests
            .iter()
            .find(|r| r.url.path().ends_with("/messages/send"))
            .unwrap();
        let body: Value = serde_json::from_slice(&sent.body).unwrap();
        assert_eq!(body["threadId"], "t1");
        let raw = URL_SAFE_NO_PAD
            .decode(body["raw"].as_str().unwrap())
            .unwrap();
        let raw = String::from_utf8(raw).unwrap();
        assert!(
            raw.contains("In-Reply-To: <a@example.com>") && raw.contains("[TKT-000007]"),
            "{raw}"
        );
    }
}
