//! Reports: the historical report and a staff member's performance, on real tickets.

use chrono::{TimeDelta, Utc};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{TestApp, Who};

/// The three whole hours up to the end of the current one.
fn window() -> String {
    let hour = Utc::now().format("%Y-%m-%dT%H:00:00Z").to_string();
    let hour: chrono::DateTime<Utc> = hour.parse().unwrap();
    let stamp = |t: chrono::DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    format!(
        "from={}&to={}",
        stamp(hour - TimeDelta::hours(2)),
        stamp(hour + TimeDelta::hours(1))
    )
}

/// Three tickets: one answered by the agent, one resolved by them, one left alone.
async fn some_work(app: &TestApp) {
    let answered = app
        .ticket("Invoice question", "Is the VAT on my invoice right?")
        .await;
    let resolved = app.ticket("Order 77 late", "Where is my parcel?").await;
    app.ticket("Sizes", "Do the shoes run small?").await;
    for t in [&answered, &resolved] {
        let (s, r) = app
            .json(
                "post",
                &format!("/api/tickets/{}/take", t.id),
                Who::Agent,
                None,
            )
            .await;
        assert_eq!(s, 200, "{r}");
    }
    let (s, r) = app
        .json(
            "post",
            &format!("/api/tickets/{}/reply", answered.id),
            Who::Agent,
            Some(&json!({"content": "Yes, 19 % is right."})),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let (s, r) = app
        .json(
            "patch",
            &format!("/api/tickets/{}", resolved.id),
            Who::Agent,
            Some(&json!({"status": "resolved"})),
        )
        .await;
    assert_eq!(s, 200, "{r}");
}

fn agent_row<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["by_agent"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["staff_id"] == id)
        .unwrap_or_else(|| panic!("no row for {id}: {r}"))
}

both!(
    the_historical_report_counts_volume_times_and_sla_by_interval_category_and_agent,
    async |app: &TestApp| {
        some_work(app).await;
        let (s, r) = app
            .json(
                "get",
                &format!("/api/analytics/historical?{}&interval=hour", window()),
                Who::Manager,
                None,
            )
            .await;
        assert_eq!(s, 200, "{r}");
        assert_eq!(r["interval"], "hour");
        assert_eq!(r["time_zone"], "UTC");
        assert_eq!(r["intervals"].as_array().unwrap().len(), 3, "{r}");
        let total = &r["total"];
        assert_eq!(total["created"], 3, "{r}");
        assert_eq!(total["first_response"]["count"], 1, "{r}");
        assert_eq!(total["resolution"]["count"], 1, "{r}");
        assert!(total["resolution"]["median_secs"].as_i64().unwrap() < 60);
        assert_eq!(total["sla"]["breached"], 0, "{r}");
        assert!(total["sla"]["met"].as_u64().unwrap() >= 2, "{r}");
        assert_eq!(total["sla"]["compliance_percent"], 100.0);
        let created: u64 = r["intervals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["created"].as_u64().unwrap())
            .sum();
        assert_eq!(created, 3, "every ticket in exactly one interval");
        let by_category: u64 = r["by_category"]
            .as_object()
            .unwrap()
            .values()
            .map(|c| c["created"].as_u64().unwrap())
            .sum();
        assert_eq!(by_category, 3);
        let agent = agent_row(&r, &app.agent.id.to_string());
        assert_eq!(agent["created"], 2, "{agent}");
        assert_eq!(agent["replies"], 1, "{agent}");
        assert_eq!(agent["name"], app.agent.name.as_str());
        let unassigned = r["by_agent"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["staff_id"].is_null())
            .unwrap();
        assert_eq!(unassigned["created"], 1, "{r}");
        // Nothing happened a week ago.
        let old = Utc::now() - TimeDelta::days(7);
        let (s, r) = app
            .json(
                "get",
                &format!(
                    "/api/analytics/historical?from={}&to={}",
                    (old - TimeDelta::days(1)).format("%Y-%m-%dT%H:%M:%SZ"),
                    old.format("%Y-%m-%dT%H:%M:%SZ")
                ),
                Who::Admin,
                None,
            )
            .await;
        assert_eq!(s, 200, "{r}");
        assert_eq!(r["total"]["created"], 0);
        assert!(r["total"]["first_response"]["median_secs"].is_null());
        assert!(r["total"]["sla"]["compliance_percent"].is_null());
    }
);

both!(
    staff_performance_shows_replies_workload_and_times,
    async |app: &TestApp| {
        some_work(app).await;
        let url = format!("/api/staff/{}/performance?{}", app.agent.id, window());
        let (s, own) = app.json("get", &url, Who::Agent, None).await;
        assert_eq!(s, 200, "{own}");
        assert_eq!(own["staff"]["id"], app.agent.id.to_string());
        assert_eq!(own["replies"], 1, "{own}");
        assert_eq!(own["assigned_active"], 1, "the resolved one is done: {own}");
        assert_eq!(own["total"]["created"], 2, "{own}");
        assert_eq!(own["total"]["resolution"]["count"], 1, "{own}");
        let (s, seen) = app.json("get", &url, Who::Manager, None).await;
        assert_eq!(s, 200);
        assert_eq!(seen["replies"], own["replies"]);
        let other = format!("/api/staff/{}/performance", app.other_agent.id);
        let (s, r) = app.json("get", &other, Who::Agent, None).await;
        assert_eq!(s, 403, "an agent sees only their own figures: {r}");
        let (s, r) = app.json("get", &other, Who::Manager, None).await;
        assert_eq!(s, 200, "{r}");
        assert_eq!(r["replies"], 0);
        assert_eq!(r["total"]["created"], 0);
        let (s, r) = app
            .json(
                "get",
                &format!("/api/staff/{}/performance", uuid::Uuid::now_v7()),
                Who::Manager,
                None,
            )
            .await;
        assert_eq!(s, 404, "{r}");
    }
);

both!(
    report_periods_that_make_no_sense_are_refused,
    async |app: &TestApp| {
        for (query, status) in [
            ("interval=fortnight", 422),
            ("tz=Mars/Olympus_Mons", 422),
            ("from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", 422),
            (
                "from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&interval=hour",
                422,
            ),
            ("from=yesterday", 400),
            ("colour=blue", 400),
        ] {
            let (s, r) = app
                .json(
                    "get",
                    &format!("/api/analytics/historical?{query}"),
                    Who::Manager,
                    None,
                )
                .await;
            assert_eq!(s, status, "{query}: {r}");
            assert!(
                r["type"]
                    .as_str()
                    .unwrap()
                    .starts_with("urn:frontdesk:problem:")
            );
        }
        let (s, r) = app
            .json(
                "get",
                "/api/analytics/historical?interval=week&tz=Europe/Berlin",
                Who::Manager,
                None,
            )
            .await;
        assert_eq!(s, 200, "{r}");
        assert_eq!(r["time_zone"], "Europe/Berlin");
    }
);

both!(
    realtime_analytics_count_the_open_work,
    async |app: &TestApp| {
        let a = app
            .ticket("URGENT: site down", "Nothing loads since this morning")
            .await;
        app.ticket("Question about sizes", "Do the shoes run small?")
            .await;
        let done = app.ticket("Thanks", "All good now").await;
        app.json(
            "post",
            &format!("/api/tickets/{}/take", a.id),
            Who::Agent,
            None,
        )
        .await;
        app.json(
            "patch",
            &format!("/api/tickets/{}", done.id),
            Who::Agent,
            Some(&json!({"status": "resolved"})),
        )
        .await;
        let (status, r) = app
            .json("get", "/api/analytics/realtime", Who::Manager, None)
            .await;
        assert_eq!(status, 200, "{r}");
        let by_status: u64 = r["by_status"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(by_status, 2, "{r}");
        assert_eq!(r["unassigned"], 1, "{r}");
        let by_priority: u64 = r["by_priority"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(by_priority, 2, "resolved tickets are not open work");
        assert_eq!(r["sla_breached"], 0);
        // The fixture team: two agents and a manager, all available.
        assert_eq!(r["agents_available"], 3);
    }
);

both!(
    the_historical_csv_has_the_reports_numbers,
    async |app: &TestApp| {
        some_work(app).await;
        let query = format!("{}&interval=hour", window());
        let (_, report) = app
            .json(
                "get",
                &format!("/api/analytics/historical?{query}"),
                Who::Manager,
                None,
            )
            .await;
        let response = app
            .call(
                "get",
                &format!("/api/analytics/historical.csv?{query}"),
                Who::Manager,
                None,
            )
            .await;
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(
            response.headers()["content-type"],
            "text/csv; charset=utf-8"
        );
        let text = response.text().await.unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(header[0], "slice");
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        let column = |name: &str| header.iter().position(|h| h == name).unwrap();
        let total = rows.iter().find(|r| r[0] == "total").unwrap();
        assert_eq!(
            total[column("created")],
            report["total"]["created"].to_string()
        );
        assert_eq!(
            total[column("first_response_count")],
            report["total"]["first_response"]["count"].to_string()
        );
        assert_eq!(total[column("sla_compliance_percent")], "100.0");
        let intervals = rows.iter().filter(|r| r[0] == "interval").count();
        assert_eq!(intervals, report["intervals"].as_array().unwrap().len());
        let agent = rows
            .iter()
            .find(|r| r[0] == "agent" && r[1] == app.agent.name)
            .unwrap();
        assert_eq!(agent[column("replies")], "1");
        assert_eq!(agent[column("created")], "2");
        let (status, _) = app
            .json(
                "get",
                &format!("/api/analytics/historical.csv?{query}"),
                Who::Agent,
                None,
            )
            .await;
        assert_eq!(status, 403);
    }
);
