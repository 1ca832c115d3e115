//! The admin console in Chromium (issue 18, as it grows): API tokens made, shown once, used,
//! and revoked by an admin; a manager is refused the admin-only page.

use fantoccini::Locator;
use frontdesk_domain::staff::Role;

use super::Site;
use super::driver::{Browser, Size};
use super::workspace::{sign_in, sign_out};

const PASSWORD: &str = "correct horse battery staple";

async fn api(site: &Site, token: &str, method: reqwest::Method) -> u16 {
    let request = reqwest::Client::new()
        .request(method.clone(), format!("{}/api/tickets", site.base))
        .bearer_auth(token);
    let request = if method == reqwest::Method::POST {
        request.json(&serde_json::json!({"subject": "From the CRM", "description": "x"}))
    } else {
        request
    };
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_makes_sees_once_and_revokes_an_api_token() {
    let site = Site::start().await;
    site.staff("boss@frontdesk.test", "Bo Boss", Role::Admin, PASSWORD)
        .await;
    site.staff("mo@frontdesk.test", "Mo Manager", Role::Manager, PASSWORD)
        .await;
    let browser = Browser::open(Size::Desktop).await;
    browser.goto(&format!("{}/tickets", site.base)).await;
    sign_in(&browser, "boss@frontdesk.test", PASSWORD).await;
    browser.follow("API tokens").await;
    browser.heading("API tokens").await;
    browser.assert_accessible("the API tokens page").await;
    browser
        .field("What it is for")
        .await
        .send_keys("CRM sync")
        .await
        .unwrap();
    browser
        .field("What it may do")
        .await
        .select_by_value("read")
        .await
        .unwrap();
    browser
        .button("Make the token")
        .await
        .click()
        .await
        .unwrap();
    browser.heading("“CRM sync” is ready — copy it now").await;
    browser
        .assert_accessible("the page showing a new token")
        .await;
    let token = browser
        .field("The token (it is not shown again)")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap();
    assert!(token.starts_with("fdk_"), "{token}");
    // Read only: it lists, it does not write.
    assert_eq!(api(&site, &token, reqwest::Method::GET).await, 200);
    assert_eq!(api(&site, &token, reqwest::Method::POST).await, 403);

    // Shown once: the page again has no token, and the last use is listed.
    browser.goto(&format!("{}/admin/tokens", site.base)).await;
    let page = browser.text("//main").await;
    assert!(!page.contains(&token), "the token is never shown again");
    let row = browser.text("//tr[td[normalize-space()='CRM sync']]").await;
    assert!(row.contains("Bo Boss") && row.contains("read"), "{row}");
    assert!(!row.contains("never\nnever"), "a last use: {row}");
    browser.button("Revoke").await.click().await.unwrap();
    browser
        .until_text("//tr[td[normalize-space()='CRM sync']]", "revoked")
        .await;
    assert_eq!(api(&site, &token, reqwest::Method::GET).await, 401);
    sign_out(&browser).await;

    // A manager: no link, and the page refuses.
    browser.goto(&format!("{}/tickets", site.base)).await;
    sign_in(&browser, "mo@frontdesk.test", PASSWORD).await;
    browser.heading("Tickets").await;
    assert!(
        browser
            .client
            .find_all(Locator::LinkText("API tokens"))
            .await
            .unwrap()
            .is_empty()
    );
    browser.goto(&format!("{}/admin/tokens", site.base)).await;
    browser.heading("Not allowed").await;
    browser.assert_accessible("the refusal").await;
    browser.close().await;
    site.finish().await;
}

/// The figure of the tile labelled `what`.
async fn figure(browser: &Browser, what: &str) -> String {
    browser
        .text(&format!(
            "//*[@id='tiles']//li[.//span[@class='what' and normalize-space()='{what}']]//span[@class='figure']"
        ))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_tiles_count_the_work_and_open_exactly_those_tickets() {
    let site = Site::start().await;
    site.staff("mo@frontdesk.test", "Mo Manager", Role::Manager, PASSWORD)
        .await;
    site.staff("al@frontdesk.test", "Al Agent", Role::Agent, PASSWORD)
        .await;
    let token = site.token("mo@frontdesk.test", PASSWORD).await;
    for (who, subject) in [
        ("a@customer.test", "First question"),
        ("b@customer.test", "Second question"),
    ] {
        site.ticket(&token, who, subject, "text").await;
    }
    let browser = Browser::open(Size::Desktop).await;
    browser.goto(&format!("{}/tickets", site.base)).await;
    sign_in(&browser, "mo@frontdesk.test", PASSWORD).await;
    browser.follow("Analytics").await;
    browser.heading("Analytics").await;
    assert_eq!(figure(&browser, "active tickets").await, "2");
    assert_eq!(figure(&browser, "unassigned").await, "2");
    browser.assert_accessible("the live tiles").await;

    // A new ticket counts by itself.
    site.ticket(&token, "c@customer.test", "Third question", "text")
        .await;
    browser
        .until_text(
            "//*[@id='tiles']//li[.//span[normalize-space()='active tickets']]",
            "3",
        )
        .await;

    // A tile opens exactly the tickets it counts.
    browser
        .click("//*[@id='tiles']//a[.//span[normalize-space()='unassigned']]")
        .await;
    browser.until_text("//*[@id='total']", "3 tickets").await;
    sign_out(&browser).await;

    // An agent has no analytics.
    browser.goto(&format!("{}/tickets", site.base)).await;
    sign_in(&browser, "al@frontdesk.test", PASSWORD).await;
    browser.heading("Tickets").await;
    browser.goto(&format!("{}/analytics", site.base)).await;
    browser.heading("Not allowed").await;
    browser.close().await;
    site.finish().await;
}

/// `path` read with the browser's session (a download the page links to).
async fn download(site: &Site, browser: &Browser, path: &str) -> (u16, String, String) {
    let cookie = browser.client.get_named_cookie("fd_session").await.unwrap();
    let answer = reqwest::Client::new()
        .get(format!("{}{path}", site.base))
        .header("cookie", format!("fd_session={}", cookie.value()))
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    let kind = answer
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, answer.text().await.unwrap())
}

/// `path` of the API read with `token`, as JSON.
async fn get_json(site: &Site, token: &str, path: &str) -> serde_json::Value {
    reqwest::Client::new()
        .get(format!("{}{path}", site.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Signs out, signs in as `email` and finds the page at `path` refused.
async fn refused_to(site: &Site, browser: &Browser, email: &str, path: &str) {
    sign_out(browser).await;
    browser.goto(&format!("{}/tickets", site.base)).await;
    sign_in(browser, email, PASSWORD).await;
    browser.heading("Tickets").await;
    browser.goto(&format!("{}{path}", site.base)).await;
    browser.heading("Not allowed").await;
}

/// The lines of a CSV without quoted cells (these figures have none), by the header's names.
fn csv_rows(text: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect();
    lines
        .map(|l| {
            header
                .iter()
                .cloned()
                .zip(l.split(',').map(str::to_owned))
                .collect()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_history_draws_charts_with_tables_and_csv_that_match_the_api() {
    let site = Site::start().await;
    site.staff("mo@frontdesk.test", "Mo Manager", Role::Manager, PASSWORD)
        .await;
    let token = site.token("mo@frontdesk.test", PASSWORD).await;
    let client = reqwest::Client::new();
    let mut numbers = Vec::new();
    for (who, subject) in [
        ("a@customer.test", "Where is my parcel?"),
        ("b@customer.test", "Refund for order 1042"),
        ("c@customer.test", "The app crashes on start"),
    ] {
        numbers.push(site.ticket(&token, who, subject, "text").await);
    }
    // One answered, one answered and resolved.
    for number in &numbers[..2] {
        let status = client
            .post(format!("{}/api/tickets/{number}/reply", site.base))
            .bearer_auth(&token)
            .json(&serde_json::json!({"content": "We are on it."}))
            .send()
            .await
            .unwrap()
            .status();
        assert!(status.is_success(), "{status}");
    }
    let status = client
        .patch(format!("{}/api/tickets/{}", site.base, numbers[1]))
        .bearer_auth(&token)
        .json(&serde_json::json!({"status": "resolved"}))
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_success(), "{status}");

    let browser = Browser::open(Size::Desktop).await;
    browser.goto(&format!("{}/tickets", site.base)).await;
    sign_in(&browser, "mo@frontdesk.test", PASSWORD).await;
    browser.follow("Analytics").await;
    browser.heading("How a period went").await;
    // Every chart is a titled, described image with its figures beside it.
    let charts = browser
        .client
        .find_all(Locator::XPath("//*[local-name()='svg' and @role='img']"))
        .await
        .unwrap();
    assert_eq!(
        charts.len(),
        6,
        "volume, times, SLA, busiest hours, category, agent"
    );
    for chart in &charts {
        let labelled = chart.attr("aria-labelledby").await.unwrap().unwrap();
        for id in labelled.split(' ') {
            // SVG titles are not rendered text: read what assistive technology reads.
            let part = browser
                .client
                .find(Locator::Id(id))
                .await
                .unwrap()
                .prop("textContent")
                .await
                .unwrap()
                .unwrap_or_default();
            assert!(
                part.trim().len() > 10,
                "{id} says what the chart shows: {part}"
            );
        }
    }
    let interval_rows = browser
        .client
        .find_all(Locator::XPath(
            "//table[caption[normalize-space()='Per interval']]/tbody/tr",
        ))
        .await
        .unwrap();
    assert_eq!(interval_rows.len(), 30, "the last 30 days, a row each");
    let opened = browser
        .text("//ul[@aria-label='The period in figures']/li[.//span[normalize-space()='tickets opened']]//span[@class='figure']")
        .await;
    assert_eq!(opened, "3");
    let board = browser
        .text("//table[caption[normalize-space()='Staff leaderboard']]")
        .await;
    assert!(board.contains("Mo Manager"), "{board}");
    browser
        .assert_accessible("the analytics page with its charts")
        .await;
    browser.full_screenshot("analytics-history").await;

    // The CSV of the period, as the page links it, against the API's figures.
    let from = browser
        .field("First day")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap();
    let to = browser
        .field("Last day")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap();
    let link = browser
        .client
        .find(Locator::LinkText("Download every figure as CSV"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let (status, kind, text) = download(&site, &browser, &link).await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/csv"), "{kind}");
    let rows = csv_rows(&text);
    let to_next =
        chrono::NaiveDate::parse_from_str(&to, "%Y-%m-%d").unwrap() + chrono::Days::new(1);
    let api: serde_json::Value = client
        .get(format!(
            "{}/api/analytics/historical?from={from}T00:00:00Z&to={to_next}T00:00:00Z&interval=day",
            site.base
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let total = rows.iter().find(|r| r["slice"] == "total").unwrap();
    assert_eq!(total["created"], api["total"]["created"].to_string());
    assert_eq!(total["created"], "3");
    assert_eq!(
        total["first_response_count"],
        api["total"]["first_response"]["count"].to_string()
    );
    assert_eq!(total["first_response_count"], "2");
    assert_eq!(total["resolution_count"], "1");
    let intervals: Vec<_> = rows.iter().filter(|r| r["slice"] == "interval").collect();
    let api_intervals = api["intervals"].as_array().unwrap();
    assert_eq!(intervals.len(), api_intervals.len());
    for (row, b) in intervals.iter().zip(api_intervals) {
        assert_eq!(row["created"], b["created"].to_string());
        assert_eq!(row["backlog"], b["backlog"].to_string());
    }
    let busiest: u64 = rows
        .iter()
        .filter(|r| r["slice"] == "busiest")
        .map(|r| r["created"].parse::<u64>().unwrap())
        .sum();
    assert_eq!(busiest, 3);
    // One chart's figures alone.
    let (_, _, agents) = download(&site, &browser, &format!("{link}&slice=agent")).await;
    let agents = csv_rows(&agents);
    assert!(agents.iter().all(|r| r["slice"] == "agent"));
    let mo = agents.iter().find(|r| r["key"] == "Mo Manager").unwrap();
    assert_eq!(mo["replies"], "2");

    // A wrong period comes back with the field marked.
    browser.field("Time zone").await.clear().await.unwrap();
    browser
        .field("Time zone")
        .await
        .send_keys("Mars/Olympus")
        .await
        .unwrap();
    browser.button("Show").await.click().await.unwrap();
    browser
        .until_text("//p[@id='report-problem']", "time zone")
        .await;
    assert_eq!(
        browser
            .field("Time zone")
            .await
            .attr("aria-invalid")
            .await
            .unwrap()
            .as_deref(),
        Some("true")
    );
    browser
        .assert_accessible("the analytics page with a wrong period")
        .await;
    browser.close().await;
    site.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_sets_sla_targets_and_business_hours_and_sees_when_tickets_fall_due() {
    let site = Site::start().await;
    site.staff("mo@frontdesk.test", "Mo Manager", Role::Manager, PASSWORD)
        .await;
    site.staff("al@frontdesk.test", "Al Agent", Role::Agent, PASSWORD)
        .await;
    let token = site.token("mo@frontdesk.test", PASSWORD).await;
    let browser = Browser::open(Size::Desktop).await;
    browser.goto(&format!("{}/tickets", site.base)).await;
    sign_in(&browser, "mo@frontdesk.test", PASSWORD).await;
    browser.follow("SLA").await;
    browser.heading("SLA targets and business hours").await;
    browser.assert_accessible("the SLA page").await;

    // A row edited in place.
    let first = browser
        .field("First response for high, billing, in minutes")
        .await;
    first.clear().await.unwrap();
    first.send_keys("30").await.unwrap();
    let resolution = browser
        .field("Resolution for high, billing, in minutes")
        .await;
    resolution.clear().await.unwrap();
    resolution.send_keys("240").await.unwrap();
    browser
        .click("//tr[@id='t-high-billing']//button[normalize-space()='Save']")
        .await;
    browser
        .until_text("//p[@role='status']", "saved and in force")
        .await;
    let row = browser.text("//tr[@id='t-high-billing']").await;
    assert!(row.contains("30 min / 4 h"), "{row}");
    let policies: serde_json::Value = get_json(&site, &token, "/api/sla/policies").await;
    assert!(
        policies["policies"].as_array().unwrap().iter().any(|p| {
            p["priority"] == "high"
                && p["category"] == "billing"
                && p["first_response_minutes"] == 30
                && p["resolution_minutes"] == 240
        }),
        "{policies}"
    );

    // A wrong value comes back with the field marked, the rest untouched.
    let first = browser
        .field("First response for urgent, every category, in minutes")
        .await;
    // Within what the browser checks, beyond what the domain allows.
    first.send_keys("99999999").await.unwrap();
    let resolution = browser
        .field("Resolution for urgent, every category, in minutes")
        .await;
    resolution.send_keys("60").await.unwrap();
    browser
        .click("//tr[@id='t-urgent-any']//button[normalize-space()='Save']")
        .await;
    browser
        .wait_for(
            "the row's problem",
            "//tr[@id='t-urgent-any']//p[@role='alert']",
        )
        .await;
    let marked = browser
        .field("First response for urgent, every category, in minutes")
        .await;
    assert_eq!(
        marked.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    assert_eq!(
        marked.prop("value").await.unwrap().as_deref(),
        Some("99999999")
    );
    browser
        .assert_accessible("the SLA page with a wrong target")
        .await;

    // Business hours, then the preview counts in them.
    browser.goto(&format!("{}/admin/sla", site.base)).await;
    let zone = browser.field("Time zone").await;
    zone.clear().await.unwrap();
    zone.send_keys("Europe/Berlin").await.unwrap();
    for day in ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"] {
        let f = browser.field(day).await;
        f.clear().await.unwrap();
        f.send_keys("09:00-17:00").await.unwrap();
    }
    browser
        .button("Save the business hours")
        .await
        .click()
        .await
        .unwrap();
    browser
        .until_text("//p[@role='status']", "business hours are saved")
        .await;
    let preview = browser
        .text("//table[caption[starts-with(normalize-space(), 'A ticket opened now')]]")
        .await;
    assert!(preview.contains("Europe/Berlin"), "{preview}");
    assert!(
        ["Mon", "Tue", "Wed", "Thu", "Fri"]
            .iter()
            .any(|d| preview.contains(d)),
        "due on a working day: {preview}"
    );
    assert!(
        !preview.contains("Sat") && !preview.contains("Sun"),
        "{preview}"
    );
    let calendar: serde_json::Value = get_json(&site, &token, "/api/sla/calendar").await;
    assert_eq!(calendar["source"], "api");
    assert_eq!(calendar["calendar"]["time_zone"], "Europe/Berlin");
    assert_eq!(calendar["calendar"]["friday"][0], "09:00-17:00");

    // A wrong zone is refused and shown.
    let zone = browser.field("Time zone").await;
    zone.clear().await.unwrap();
    zone.send_keys("Mars/Olympus").await.unwrap();
    browser
        .button("Save the business hours")
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait_for("the calendar's problem", "//p[@id='calendar-problem']")
        .await;
    assert_eq!(
        browser
            .field("Time zone")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("Mars/Olympus")
    );
    // Agents may not.
    refused_to(&site, &browser, "al@frontdesk.test", "/admin/sla").await;
    browser.close().await;
    site.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_writes_a_canned_response_with_a_live_preview() {
    let site = Site::start().await;
    site.staff("mo@frontdesk.test", "Mo Manager", Role::Manager, PASSWORD)
        .await;
    let token = site.token("mo@frontdesk.test", PASSWORD).await;
    let browser = Browser::open(Size::Desktop).await;
    browser.goto(&format!("{}/tickets", site.base)).await;
    sign_in(&browser, "mo@frontdesk.test", PASSWORD).await;
    browser.follow("Canned responses").await;
    browser.heading("Canned responses").await;
    browser
        .assert_accessible("the canned responses page, empty")
        .await;
    browser.follow("New canned response").await;
    browser.heading("New canned response").await;
    browser
        .field("Title")
        .await
        .send_keys("Parcel on its way")
        .await
        .unwrap();
    browser
        .field("Offered for")
        .await
        .select_by_value("order")
        .await
        .unwrap();
    browser
        .field("Text")
        .await
        .send_keys("Hello {customer_name}, your order ({ticket_number}) left our depot. {tracking} — {agent_name}")
        .await
        .unwrap();
    // The preview follows the typing, filled for the sample ticket, and names what nothing fills.
    browser
        .until_text(
            "//*[@id='canned-preview']",
            "Hello Jane Doe, your order (TKT-000123) left our depot. {tracking} — Mo Manager",
        )
        .await;
    browser
        .until_text("//*[@id='canned-preview']", "Nothing fills {tracking}")
        .await;
    browser
        .assert_accessible("the canned response editor")
        .await;
    browser.button("Save").await.click().await.unwrap();
    browser
        .until_text("//p[@role='status']", "canned response is saved")
        .await;
    let group = browser
        .text("//section[h2[normalize-space()='order']]")
        .await;
    assert!(group.contains("Parcel on its way"), "{group}");
    // The API has it, for the order category.
    let all: serde_json::Value =
        get_json(&site, &token, "/api/canned-responses?category=order").await;
    assert!(
        all.as_array()
            .unwrap()
            .iter()
            .any(|c| c["title"] == "Parcel on its way" && c["category"] == "order"),
        "{all}"
    );

    // Edited: an empty title is refused with the field marked and the text kept.
    browser.follow("Parcel on its way").await;
    // Blank to the server (the browser's own check wants something).
    browser.field("Title").await.clear().await.unwrap();
    browser.field("Title").await.send_keys("   ").await.unwrap();
    browser.button("Save").await.click().await.unwrap();
    let problem = browser.alert().await;
    assert!(!problem.is_empty());
    assert_eq!(
        browser
            .field("Title")
            .await
            .attr("aria-invalid")
            .await
            .unwrap()
            .as_deref(),
        Some("true")
    );
    let kept = browser
        .field("Text")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap();
    assert!(kept.contains("{tracking}"), "{kept}");
    browser
        .field("Title")
        .await
        .send_keys("Parcel shipped")
        .await
        .unwrap();
    browser.button("Save").await.click().await.unwrap();
    browser
        .until_text("//p[@role='status']", "canned response is saved")
        .await;
    browser
        .click("//li[a[normalize-space()='Parcel shipped']]//button[normalize-space()='Remove']")
        .await;
    browser
        .until_text("//p[@role='status']", "canned response is removed")
        .await;
    browser.close().await;
    site.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_trail_says_who_did_what_and_filters() {
    let site = Site::start().await;
    site.staff("mo@frontdesk.test", "Mo Manager", Role::Manager, PASSWORD)
        .await;
    site.staff("al@frontdesk.test", "Al Agent", Role::Agent, PASSWORD)
        .await;
    let mo = site.token("mo@frontdesk.test", PASSWORD).await;
    let al = site.token("al@frontdesk.test", PASSWORD).await;
    let first = site
        .ticket(&mo, "a@customer.test", "Broken zipper", "text")
        .await;
    let second = site
        .ticket(&mo, "b@customer.test", "Late parcel", "text")
        .await;
    let client = reqwest::Client::new();
    for (token, number, body) in [
        (&al, &first, serde_json::json!({"priority": "high"})),
        (&mo, &second, serde_json::json!({"status": "pending"})),
    ] {
        let status = client
            .patch(format!("{}/api/tickets/{number}", site.base))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
            .status();
        assert!(status.is_success(), "{status}");
    }
    let browser = Browser::open(Size::Desktop).await;
    browser.goto(&format!("{}/tickets", site.base)).await;
    sign_in(&browser, "mo@frontdesk.test", PASSWORD).await;
    browser.follow("Audit").await;
    browser.heading("Audit trail").await;
    let trail = browser
        .text("//table[caption[normalize-space()='Events, newest first']]")
        .await;
    assert!(
        trail.contains("Al Agent")
            && trail.contains("Priority changed from")
            && trail.contains("to high"),
        "{trail}"
    );
    assert!(
        trail.contains("Status changed from new to pending"),
        "{trail}"
    );
    browser.assert_accessible("the audit trail").await;

    // Only what Al did.
    browser
        .field("Done by")
        .await
        .select_by_label("Al Agent")
        .await
        .unwrap();
    browser.button("Show").await.click().await.unwrap();
    browser
        .until_text("//table[caption]", "Priority changed")
        .await;
    let rows = browser
        .client
        .find_all(Locator::XPath("//table[caption]/tbody/tr"))
        .await
        .unwrap();
    for row in rows {
        assert!(row.text().await.unwrap().contains("Al Agent"));
    }
    // One ticket, one kind.
    browser
        .goto(&format!(
            "{}/admin/audit?ticket={second}&kind=status_changed",
            site.base
        ))
        .await;
    let trail = browser.text("//table[caption]").await;
    assert!(
        trail.contains(&second) && !trail.contains(&first),
        "{trail}"
    );
    // A ticket that does not exist is a marked field.
    browser
        .goto(&format!("{}/admin/audit?ticket=TKT-999999", site.base))
        .await;
    assert!(browser.alert().await.contains("TKT-999999"));
    // Agents may not.
    refused_to(&site, &browser, "al@frontdesk.test", "/admin/audit").await;
    browser.close().await;
    site.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mail_page_shows_the_mailboxes_and_a_hostile_quarantined_mail_inert() {
    let site = Site::start().await;
    site.staff("mo@frontdesk.test", "Mo Manager", Role::Manager, PASSWORD)
        .await;
    site.staff("al@frontdesk.test", "Al Agent", Role::Agent, PASSWORD)
        .await;
    let token = site.token("mo@frontdesk.test", PASSWORD).await;
    // Bulk mail is kept out of the queue; this one tries everything a page could fall for.
    let raw = "From: \"<img src=x onerror=alert('from')>\" <news@shop.example>\r\n\
               To: support@frontdesk.test\r\n\
               Subject: <script>alert('subject')</script> Sale \u{202e}fdp.exe\r\n\
               Message-ID: <hostile-1@shop.example>\r\n\
               Precedence: bulk\r\nList-Unsubscribe: <mailto:u@shop.example>\r\n\
               Content-Type: text/plain; charset=utf-8\r\n\r\n\
               <iframe src=\"javascript:alert('body')\"></iframe>\r\n\
               <a href=\"javascript:alert('link')\">Click</a>\r\n\
               Everything must go!\r\n";
    std::fs::write(site.maildir_new().join("1.hostile:2,"), raw).unwrap();
    site.poll(&token).await;

    let browser = Browser::open(Size::Desktop).await;
    browser.watch_for_scripts().await;
    browser.goto(&format!("{}/tickets", site.base)).await;
    sign_in(&browser, "mo@frontdesk.test", PASSWORD).await;
    browser.follow("Mail").await;
    browser.heading("Mail").await;
    // The mailbox and its last pass.
    let mailboxes = browser
        .text("//table[caption[normalize-space()='Each mailbox and its last pass']]")
        .await;
    assert!(mailboxes.contains("maildir"), "{mailboxes}");
    assert!(mailboxes.contains("1 / 1"), "one message read: {mailboxes}");
    // The quarantined mail, as text.
    let article = browser
        .text("//article[contains(@class, 'quarantined')]")
        .await;
    assert!(
        article.contains("<script>alert('subject')</script>"),
        "the subject reads as text: {article}"
    );
    assert!(article.contains("<iframe"), "{article}");
    assert!(
        article.contains("bulk") || article.contains("machine"),
        "{article}"
    );
    for tag in [
        "img",
        "script",
        "iframe",
        "a[starts-with(@href, 'javascript')]",
    ] {
        let found = browser
            .client
            .find_all(Locator::XPath(&format!("//article//{tag}")))
            .await
            .unwrap();
        assert!(found.is_empty(), "no {tag} from the mail");
    }
    assert!(!article.contains('\u{202e}'), "direction overrides dropped");
    assert!(browser.scripts_ran().await.is_empty());
    browser.assert_accessible("the mail page").await;

    // The raw mail downloads whole.
    let href = browser
        .client
        .find(Locator::LinkText("Download the .eml"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let (status, kind, body) = download(&site, &browser, &href).await;
    assert_eq!(status, 200);
    assert_eq!(kind, "message/rfc822");
    assert_eq!(body, raw);

    // Dismissed only with a reason.
    browser.button("Dismiss").await.click().await.unwrap();
    assert!(browser.alert().await.to_lowercase().contains("why"));
    browser
        .field("Reason to dismiss")
        .await
        .send_keys("Newsletter, not support")
        .await
        .unwrap();
    browser.button("Dismiss").await.click().await.unwrap();
    browser
        .until_text("//p[@role='status']", "mail is dismissed")
        .await;
    assert!(
        browser
            .text("//main")
            .await
            .contains("Nothing is in quarantine")
    );
    browser.follow("Show dismissed and reprocessed too").await;
    browser
        .until_text(
            "//article",
            "dismissed by Mo Manager — Newsletter, not support",
        )
        .await;
    let listed = get_json(&site, &token, "/api/admin/mailboxes").await;
    assert_eq!(listed[0]["kind"], "maildir");
    assert_eq!(listed[0]["total_read"], 1);
    assert!(browser.scripts_ran().await.is_empty());
    // Agents may not.
    refused_to(&site, &browser, "al@frontdesk.test", "/admin/mail").await;
    browser.close().await;
    site.finish().await;
}

/// The link's path in the one mail queued to `to`, with its subject.
async fn mailed_link(site: &Site, to: &str) -> (String, String) {
    let mails = site.queued_mail(to).await;
    assert_eq!(mails.len(), 1, "one mail to {to}");
    let body = &mails[0].body_text;
    let at = body.find("/set-password?token=").expect("a link");
    let path: String = body[at..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    (mails[0].subject.clone(), path)
}

/// The value of the form field labelled `label`.
async fn value_of(browser: &Browser, label: &str) -> String {
    browser
        .field(label)
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_invites_edits_and_deactivates_staff_with_their_tickets_reassigned() {
    let site = Site::start().await;
    let boss = site
        .staff("boss@frontdesk.test", "Bo Boss", Role::Admin, PASSWORD)
        .await;
    let ana = site
        .staff("ana@frontdesk.test", "Ana Agent", Role::Agent, PASSWORD)
        .await;
    site.staff("mo@frontdesk.test", "Mo Manager", Role::Manager, PASSWORD)
        .await;
    let token = site.token("boss@frontdesk.test", PASSWORD).await;
    let mut numbers = Vec::new();
    for subject in ["Refund for order 1", "Broken lid on order 2"] {
        let number = site
            .ticket(&token, "casey@customer.test", subject, "Please help")
            .await;
        let assigned = reqwest::Client::new()
            .post(format!("{}/api/tickets/{number}/assign", site.base))
            .bearer_auth(&token)
            .json(&serde_json::json!({ "staff_id": ana.as_uuid() }))
            .send()
            .await
            .unwrap();
        assert_eq!(assigned.status().as_u16(), 200);
        numbers.push(number);
    }
    site.queued_mail("casey@customer.test").await;

    // Add a member: the invitation is mailed, the list says so.
    let browser = Browser::open(Size::Desktop).await;
    browser.goto(&format!("{}/tickets", site.base)).await;
    sign_in(&browser, "boss@frontdesk.test", PASSWORD).await;
    browser.follow("Staff").await;
    browser.heading("Staff").await;
    browser.assert_accessible("the staff list").await;
    for (label, text) in [
        ("Name", "Nia Newcomer"),
        ("E-mail address", "nia@frontdesk.test"),
    ] {
        browser.field(label).await.send_keys(text).await.unwrap();
    }
    browser
        .button("Add and send the invitation")
        .await
        .click()
        .await
        .unwrap();
    browser
        .until_text("//main//*[@role='status']", "Nia Newcomer")
        .await;
    let row = browser
        .text("//tr[th[normalize-space()='Nia Newcomer']]")
        .await;
    assert!(row.contains("invited — the link works until"), "{row}");
    assert!(row.contains("agent") && row.contains("active"), "{row}");
    // The same address again: refused, the field marked, what was typed kept.
    browser
        .field("Name")
        .await
        .send_keys("Nia Again")
        .await
        .unwrap();
    browser
        .field("E-mail address")
        .await
        .send_keys("nia@frontdesk.test")
        .await
        .unwrap();
    browser
        .button("Add and send the invitation")
        .await
        .click()
        .await
        .unwrap();
    assert!(browser.alert().await.contains("exists"));
    let email = browser.field("E-mail address").await;
    assert_eq!(
        email.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    assert_eq!(value_of(&browser, "Name").await, "Nia Again");
    browser
        .assert_accessible("the add form with a mistake")
        .await;
    let (subject, link) = mailed_link(&site, "nia@frontdesk.test").await;
    assert_eq!(subject, "You are invited to the helpdesk");

    // The newcomer opens the link, chooses a password and is signed in.
    sign_out(&browser).await;
    browser.goto(&link).await;
    browser.heading("Choose your password").await;
    assert!(browser.text("//main").await.contains("nia@frontdesk.test"));
    browser.assert_accessible("the password page").await;
    browser
        .field("New password")
        .await
        .send_keys("newcomer's own passphrase")
        .await
        .unwrap();
    browser
        .field("The same password again")
        .await
        .send_keys("something else entirely")
        .await
        .unwrap();
    browser
        .button("Save the password and sign in")
        .await
        .click()
        .await
        .unwrap();
    assert!(browser.alert().await.contains("differ"));
    for label in ["New password", "The same password again"] {
        browser
            .field(label)
            .await
            .send_keys("newcomer's own passphrase")
            .await
            .unwrap();
    }
    browser
        .button("Save the password and sign in")
        .await
        .click()
        .await
        .unwrap();
    browser.heading("Tickets").await;
    assert!(browser.text("//header").await.contains("Nia Newcomer"));
    sign_out(&browser).await;
    browser.goto(&link).await;
    assert!(browser.alert().await.contains("not valid"));
    browser.assert_accessible("a spent link").await;
    // The API signs her in with the password chosen (a token, or this panics).
    site.token("nia@frontdesk.test", "newcomer's own passphrase")
        .await;

    // Edit a member: name and shift, a wrong zone marked first.
    browser.goto(&format!("{}/tickets", site.base)).await;
    sign_in(&browser, "boss@frontdesk.test", PASSWORD).await;
    browser.heading("Tickets").await;
    browser.goto(&format!("{}/admin/staff", site.base)).await;
    browser.follow("Ana Agent").await;
    browser.heading("Ana Agent").await;
    browser.assert_accessible("a member's page").await;
    browser
        .field("Time zone")
        .await
        .send_keys("Mars/Base")
        .await
        .unwrap();
    for day in ["mon", "tue", "wed", "thu", "fri"] {
        browser
            .click(&format!("//input[@name='days' and @value='{day}']"))
            .await;
    }
    // Time fields type differently per locale: set as a picker does.
    browser
        .client
        .execute(
            "document.getElementById('m-start').value = '09:00';\
             document.getElementById('m-end').value = '17:00';",
            vec![],
        )
        .await
        .unwrap();
    browser.button("Save").await.click().await.unwrap();
    assert!(browser.alert().await.to_lowercase().contains("zone"));
    let zone = browser.field("Time zone").await;
    assert_eq!(
        zone.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    zone.clear().await.unwrap();
    zone.send_keys("Europe/Berlin").await.unwrap();
    let name = browser.field("Name").await;
    name.clear().await.unwrap();
    name.send_keys("Ana Smith").await.unwrap();
    browser.button("Save").await.click().await.unwrap();
    browser
        .until_text("//main//*[@role='status']", "Saved")
        .await;
    let team = get_json(&site, &token, "/api/staff").await;
    let member = team
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "ana@frontdesk.test")
        .unwrap();
    assert_eq!(member["name"], "Ana Smith");
    assert_eq!(member["shift"]["time_zone"], "Europe/Berlin");
    assert_eq!(member["shift"]["days"].as_array().unwrap().len(), 5);
    assert_eq!(member["shift"]["start"], "09:00");

    // Deactivate: her two open tickets are listed, one given to Bo, one to nobody.
    let first = format!("Give {} to", numbers[0]);
    browser
        .field(&first)
        .await
        .select_by_label("Bo Boss")
        .await
        .unwrap();
    browser
        .button("Reassign and deactivate")
        .await
        .click()
        .await
        .unwrap();
    browser
        .until_text("//main//*[@role='status']", "Deactivated")
        .await;
    browser.heading("Reactivate").await;
    browser.assert_accessible("a deactivated member").await;
    let one = get_json(&site, &token, &format!("/api/tickets/{}", numbers[0])).await;
    assert_eq!(one["assignee"], serde_json::json!(boss.as_uuid()));
    let two = get_json(&site, &token, &format!("/api/tickets/{}", numbers[1])).await;
    assert!(two["assignee"].is_null(), "{two}");
    let signed_in = reqwest::Client::new()
        .post(format!("{}/api/auth/login", site.base))
        .json(&serde_json::json!({"email": "ana@frontdesk.test", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_ne!(
        signed_in.status().as_u16(),
        200,
        "a deactivated member cannot sign in"
    );

    // A password reset for the newcomer.
    browser.goto(&format!("{}/admin/staff", site.base)).await;
    browser.follow("Nia Newcomer").await;
    browser
        .button("Mail a password reset link")
        .await
        .click()
        .await
        .unwrap();
    browser
        .until_text("//main//*[@role='status']", "mailed")
        .await;
    let (subject, _) = mailed_link(&site, "nia@frontdesk.test").await;
    assert_eq!(subject, "Choose a new password");

    // A manager reads the list but changes nothing.
    sign_out(&browser).await;
    browser.goto(&format!("{}/tickets", site.base)).await;
    sign_in(&browser, "mo@frontdesk.test", PASSWORD).await;
    browser.heading("Tickets").await;
    browser.follow("Staff").await;
    browser.heading("The team").await;
    assert!(browser.text("//main").await.contains("Ana Smith"));
    assert!(
        browser
            .client
            .find_all(Locator::XPath("//form[@action='/admin/staff']"))
            .await
            .unwrap()
            .is_empty()
    );
    browser
        .goto(&format!("{}/admin/staff/{}", site.base, ana.as_uuid()))
        .await;
    browser.heading("Not allowed").await;
    browser.close().await;
    site.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_subscribes_a_webhook_reads_its_deliveries_redelivers_and_pauses() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let receiver = MockServer::start().await;
    for (at, status) in [("/ok", 200), ("/down", 503)] {
        Mock::given(method("POST"))
            .and(path(at))
            .respond_with(ResponseTemplate::new(status))
            .mount(&receiver)
            .await;
    }
    let site = Site::start_with("[webhooks]\nallow_private_targets = [\"127.0.0.1\"]\n").await;
    site.staff("mo@frontdesk.test", "Mo Manager", Role::Manager, PASSWORD)
        .await;
    site.staff("al@frontdesk.test", "Al Agent", Role::Agent, PASSWORD)
        .await;
    let browser = Browser::open(Size::Desktop).await;
    browser.goto(&format!("{}/tickets", site.base)).await;
    sign_in(&browser, "mo@frontdesk.test", PASSWORD).await;
    browser.follow("Webhooks").await;
    browser.heading("Outbound webhooks").await;
    browser.assert_accessible("the webhooks page").await;

    // An internal address is refused, the field marked, what was typed kept.
    let url = browser.field("Receiver URL").await;
    url.send_keys("http://10.0.0.1/hook").await.unwrap();
    browser.button("Subscribe").await.click().await.unwrap();
    assert!(browser.alert().await.contains("10.0.0.1"));
    let url = browser.field("Receiver URL").await;
    assert_eq!(
        url.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    assert_eq!(
        value_of(&browser, "Receiver URL").await,
        "http://10.0.0.1/hook"
    );
    browser
        .assert_accessible("the subscribe form with a mistake")
        .await;

    // Subscribed: the secret shown once.
    let ok_url = format!("{}/ok", receiver.uri());
    url.clear().await.unwrap();
    url.send_keys(&ok_url).await.unwrap();
    browser
        .click("//input[@name='events' and @value='ticket.created']")
        .await;
    browser.button("Subscribe").await.click().await.unwrap();
    let secret = browser
        .field("The signing secret (it is not shown again)")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap();
    assert!(secret.starts_with("whsec_"), "{secret}");
    browser.assert_accessible("the page showing a secret").await;
    let down_url = format!("{}/down", receiver.uri());
    browser
        .field("Receiver URL")
        .await
        .send_keys(&down_url)
        .await
        .unwrap();
    browser.button("Subscribe").await.click().await.unwrap();
    browser
        .field("The signing secret (it is not shown again)")
        .await;
    browser.goto(&format!("{}/admin/webhooks", site.base)).await;
    assert!(
        !browser.text("//main").await.contains(&secret),
        "shown once"
    );
    let row = browser
        .text(&format!("//tr[th[normalize-space()='{ok_url}']]"))
        .await;
    assert!(
        row.contains("ticket.created") && row.contains("active"),
        "{row}"
    );

    // An event is delivered; the log shows it and sends it again.
    let token = site.token("mo@frontdesk.test", PASSWORD).await;
    let number = site
        .ticket(
            &token,
            "casey@customer.test",
            "Order 1234 is late",
            "Where is it?",
        )
        .await;
    site.maintain().await;
    browser.follow(&ok_url).await;
    browser.heading(&format!("Deliveries to {ok_url}")).await;
    let row = browser
        .text("//table[contains(@class,'deliveries')]//tbody/tr[1]")
        .await;
    for part in ["ticket.created", number.as_str(), "delivered", "200", "1"] {
        assert!(row.contains(part), "{part} in {row}");
    }
    browser.assert_accessible("a delivery log").await;
    browser
        .click("//button[normalize-space()='Redeliver']")
        .await;
    browser
        .until_text("//main//*[@role='status']", "Queued again")
        .await;
    site.maintain().await;
    browser.goto(&format!("{}/admin/webhooks", site.base)).await;
    browser.follow(&ok_url).await;
    browser
        .until_text(
            "//table[contains(@class,'deliveries')]//tbody/tr[1]",
            "redelivery",
        )
        .await;
    let newest = browser
        .text("//table[contains(@class,'deliveries')]//tbody/tr[1]")
        .await;
    assert!(
        newest.contains("delivered") && newest.contains("200"),
        "{newest}"
    );
    let sent = receiver.received_requests().await.unwrap();
    let to_ok: Vec<_> = sent.iter().filter(|r| r.url.path() == "/ok").collect();
    assert_eq!(to_ok.len(), 2, "delivered, then redelivered");
    assert_eq!(
        to_ok[0].headers["x-frontdesk-delivery"],
        to_ok[1].headers["x-frontdesk-delivery"]
    );

    // Paused from the log: nothing is offered to send again.
    browser.button("Pause").await.click().await.unwrap();
    browser.until_text("//main", "paused").await;
    assert!(
        browser
            .client
            .find_all(Locator::XPath("//button[normalize-space()='Redeliver']"))
            .await
            .unwrap()
            .is_empty()
    );

    // The failing receiver: retried later, with its status and error.
    browser.goto(&format!("{}/admin/webhooks", site.base)).await;
    let row = browser
        .text(&format!("//tr[th[normalize-space()='{ok_url}']]"))
        .await;
    assert!(row.contains("paused"), "{row}");
    browser.follow(&down_url).await;
    let row = browser
        .text("//table[contains(@class,'deliveries')]//tbody/tr[1]")
        .await;
    for part in ["retrying", "503", "answered 503"] {
        assert!(row.contains(part), "{part} in {row}");
    }
    assert!(
        browser
            .client
            .find_all(Locator::XPath("//button[normalize-space()='Redeliver']"))
            .await
            .unwrap()
            .is_empty(),
        "in flight: not offered"
    );
    refused_to(&site, &browser, "al@frontdesk.test", "/admin/webhooks").await;
    browser.close().await;
    site.finish().await;
}
