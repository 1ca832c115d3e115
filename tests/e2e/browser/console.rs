//! The admin console in Chromium (issue 18, as it grows): API tokens made, shown once, used,
//! and revoked by an admin; a manager is refused the admin-only page.

use fantoccini::Locator;
use frontdesk_domain::staff::Role;

use super::Site;
use super::driver::{Browser, Size};
use super::workspace::sign_in;

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
    browser.button("Sign out").await.click().await.unwrap();

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
    browser.button("Sign out").await.click().await.unwrap();

    // An agent has no analytics.
    browser.goto(&format!("{}/tickets", site.base)).await;
    sign_in(&browser, "al@frontdesk.test", PASSWORD).await;
    browser.heading("Tickets").await;
    browser.goto(&format!("{}/analytics", site.base)).await;
    browser.heading("Not allowed").await;
    browser.close().await;
    site.finish().await;
}
