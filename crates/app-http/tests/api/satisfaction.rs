//! Satisfaction surveys (issue 19): a resolved ticket's customer is mailed one-click rating
//! links once; a link rates without sign-in, can change the rating and add a comment for 7 days;
//! a forged or expired token is refused; the ticket and the report show the rating.

use serde_json::{Value, json};

use crate::both;
use crate::helpers::{TestApp, Who};
use crate::registration::mails;

/// The poller's survey step (the whole pass would also send the mail it queues).
async fn maintain(app: &TestApp) {
    frontdesk_poller::satisfaction::send_surveys(&app.state.app, chrono::Utc::now())
        .await
        .unwrap();
}

/// The rating links in the one survey mailed since the last look.
async fn survey_links(app: &TestApp) -> Vec<String> {
    let sent: Vec<_> = mails(app)
        .await
        .into_iter()
        .filter(|m| m.body_text.contains("/rate/"))
        .collect();
    assert_eq!(sent.len(), 1, "one survey");
    sent[0]
        .body_text
        .split_whitespace()
        .filter(|w| w.contains("/rate/"))
        .map(|w| {
            let at = w.find("/rate/").unwrap();
            w[at..].to_owned()
        })
        .collect()
}

async fn get(app: &TestApp, path: &str) -> (u16, Option<String>) {
    let r = app.client.get(app.url(path)).send().await.unwrap();
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("fd_rate_csrf="))
        .map(|c| {
            c["fd_rate_csrf=".len()..]
                .split(';')
                .next()
                .unwrap_or("")
                .to_owned()
        });
    (r.status().as_u16(), cookie)
}

both!(
    a_resolved_ticket_is_rated_once_by_link_changed_with_a_comment_and_reported,
    async |app: &TestApp| {
        let t = app.ticket("Parcel lost", "Where is it?").await;
        mails(app).await;
        let (s, _) = app
            .json(
                "patch",
                &format!("/api/tickets/{}", t.number),
                Who::Agent,
                Some(&json!({"status": "resolved"})),
            )
            .await;
        assert_eq!(s, 200);
        maintain(app).await;
        let links = survey_links(app).await;
        assert_eq!(links.len(), 3, "{links:?}");
        assert!(links[0].ends_with("?r=good") && links[2].ends_with("?r=bad"));
        maintain(app).await;
        assert!(
            mails(app)
                .await
                .iter()
                .all(|m| !m.body_text.contains("/rate/")),
            "once"
        );

        // One click, signed out.
        let (status, csrf) = get(app, &links[0]).await;
        assert_eq!(status, 200);
        let (_, ticket) = app
            .json(
                "get",
                &format!("/api/tickets/{}", t.number),
                Who::Agent,
                None,
            )
            .await;
        assert_eq!(ticket["satisfaction"]["rating"], "good", "{ticket}");
        assert!(ticket["satisfaction"]["comment"].is_null());
        // Changed, with a comment.
        let token_path = links[0].split('?').next().unwrap().to_owned();
        let csrf = csrf.expect("a form cookie");
        let r = app
            .client
            .post(app.url(&token_path))
            .header("cookie", format!("fd_rate_csrf={csrf}"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("rating", "bad"),
                ("comment", "It took a week."),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let (_, ticket) = app
            .json(
                "get",
                &format!("/api/tickets/{}", t.number),
                Who::Agent,
                None,
            )
            .await;
        assert_eq!(ticket["satisfaction"]["rating"], "bad", "{ticket}");
        assert_eq!(ticket["satisfaction"]["comment"], "It took a week.");
        // Without the form's cookie, nothing changes.
        let r = app
            .client
            .post(app.url(&token_path))
            .form(&[("csrf", csrf.as_str()), ("rating", "good"), ("comment", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 403);
        // Lists carry no rating; a ticket never rated says null.
        let (_, list) = app.json("get", "/api/tickets", Who::Agent, None).await;
        assert!(list["items"][0].get("satisfaction").is_none(), "{list}");
        let other = app.ticket("Another", "x").await;
        let (_, fresh) = app
            .json(
                "get",
                &format!("/api/tickets/{}", other.number),
                Who::Agent,
                None,
            )
            .await;
        assert!(fresh["satisfaction"].is_null() && fresh.get("satisfaction").is_some());

        // Forged and expired tokens are refused.
        let token = token_path.trim_start_matches("/rate/").to_owned();
        let mut forged = token.clone().into_bytes();
        forged[3] = if forged[3] == b'A' { b'B' } else { b'A' };
        let forged = String::from_utf8(forged).unwrap();
        assert_eq!(get(app, &format!("/rate/{forged}?r=good")).await.0, 400);
        let old = app.state.app.survey_key.token(
            t.id.as_uuid(),
            chrono::Utc::now() - chrono::TimeDelta::days(8),
        );
        assert_eq!(get(app, &format!("/rate/{old}?r=good")).await.0, 400);
        let (_, ticket) = app
            .json(
                "get",
                &format!("/api/tickets/{}", t.number),
                Who::Agent,
                None,
            )
            .await;
        assert_eq!(ticket["satisfaction"]["rating"], "bad");

        // The report (a period reaching past this second: periods are whole seconds).
        let to = (chrono::Utc::now() + chrono::TimeDelta::minutes(1))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let (s, report): (u16, Value) = app
            .json(
                "get",
                &format!("/api/analytics/satisfaction?interval=day&to={to}"),
                Who::Manager,
                None,
            )
            .await;
        assert_eq!(s, 200, "{report}");
        assert_eq!(report["total"]["bad"], 1, "{report}");
        assert_eq!(report["total"]["csat_percent"], 0.0);
        assert_eq!(report["comments"][0]["comment"], "It took a week.");
        assert_eq!(report["by_category"].as_array().unwrap().len(), 1);
        let rated_day: u64 = report["intervals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["bad"].as_u64().unwrap())
            .sum();
        assert_eq!(rated_day, 1);
        assert_eq!(
            app.json("get", "/api/analytics/satisfaction", Who::Agent, None)
                .await
                .0,
            403
        );
    }
);
