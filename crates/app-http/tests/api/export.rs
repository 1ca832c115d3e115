//! `GET /api/tickets/export.csv` on both databases: the list's filters, every page of a list
//! longer than one step of the stream, RFC 4180 quoting read back by a CSV parser, formula
//! cells neutralised, and the caller's scope.

use serde_json::json;

use crate::both;
use crate::helpers::{TestApp, Who};

async fn export(app: &TestApp, query: &str, who: Who) -> (u16, String) {
    let response = app
        .call("get", &format!("/api/tickets/export.csv{query}"), who, None)
        .await;
    let status = response.status().as_u16();
    if status == 200 {
        assert_eq!(
            response.headers()["content-type"],
            "text/csv; charset=utf-8"
        );
        assert!(
            response.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment")
        );
    }
    (status, response.text().await.unwrap())
}

fn parse(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

both!(a_ticket_list_exports_as_safe_csv, async |app: &TestApp| {
    let formula = app
        .ticket("=HYPERLINK(\"http://evil.test\",\"click\")", "x")
        .await;
    let tricky = app
        .ticket("Quotes \"like this\", commas, and more", "y")
        .await;
    let plain = app.ticket("A plain question", "z").await;
    let (status, _) = app
        .json(
            "patch",
            &format!("/api/tickets/{}", plain.id),
            Who::Manager,
            Some(&json!({"priority": "urgent", "tags": ["@vip", "-minus"]})),
        )
        .await;
    assert_eq!(status, 200);

    let (status, text) = export(app, "?sort=created", Who::Agent).await;
    assert_eq!(status, 200);
    assert!(text.starts_with("number,subject,customer_email,"), "{text}");
    assert!(text.ends_with("\r\n"), "RFC 4180 line ends");
    let (header, rows) = parse(&text);
    assert_eq!(header.len(), 20);
    assert_eq!(rows.len(), 3);
    let by_number = |n: &str| rows.iter().find(|r| r[0] == n).unwrap().clone();
    assert_eq!(
        by_number(&formula.number.to_string())[1],
        "'=HYPERLINK(\"http://evil.test\",\"click\")",
        "a formula is text"
    );
    assert_eq!(
        by_number(&tricky.number.to_string())[1],
        "Quotes \"like this\", commas, and more"
    );
    let urgent = by_number(&plain.number.to_string());
    assert_eq!(urgent[5], "urgent");
    assert_eq!(
        urgent[8], "'-minus @vip",
        "the tags (sorted) start with a dangerous character"
    );
    assert_eq!(urgent[16], "ok", "the first-response clock's state");
    assert!(!urgent[17].is_empty(), "and its deadline");

    // The list's filters.
    let (_, text) = export(app, "?priority=urgent", Who::Agent).await;
    let (_, rows) = parse(&text);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][0], plain.number.to_string());
    let (status, _) = export(app, "?status=lost", Who::Agent).await;
    assert_eq!(status, 400);
    let (status, _) = export(app, "", Who::Customer).await;
    assert_eq!(status, 403);
});

both!(
    an_export_longer_than_one_step_has_every_ticket_once,
    async |app: &TestApp| {
        for i in 0..1_050 {
            app.ticket(&format!("Bulk question {i}"), "body").await;
        }
        let (status, text) = export(app, "?sort=-created", Who::Manager).await;
        assert_eq!(status, 200);
        let (_, rows) = parse(&text);
        assert_eq!(rows.len(), 1_050);
        let mut numbers: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        numbers.sort_unstable();
        numbers.dedup();
        assert_eq!(numbers.len(), 1_050, "no ticket twice");
    }
);
