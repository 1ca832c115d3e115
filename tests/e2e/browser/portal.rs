//! The customer portal in Chromium (issue 19, as it grows): a customer who mailed in signs in by
//! a link read from the outbox Maildir, sees exactly their requests, replies, marks one solved and
//! opens a new one; another customer's request is not found; axe-core checks every page.

use frontdesk_domain::staff::Role;

use super::Site;
use super::driver::{Browser, Size};
use super::workspace::sign_in;

const PASSWORD: &str = "correct horse battery staple";

/// The portal link in the one sign-in mail the outbox holds for `to`, on this site.
pub(super) fn link_in_outbox(site: &Site, to: &str) -> String {
    let mails: Vec<String> = site
        .outbox_to(to)
        .into_iter()
        .filter(|m| m.contains("/portal/link?token="))
        .collect();
    assert_eq!(mails.len(), 1, "one sign-in mail to {to}");
    let at = mails[0]
        .find("/portal/link?token=")
        .expect("a sign-in link");
    let path: String = mails[0][at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "/?=_-".contains(*c))
        .collect();
    format!("{}{path}", site.base)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_signs_in_by_mailed_link_and_works_their_requests() {
    let site = Site::start().await;
    site.staff("al@frontdesk.test", "Al Agent", Role::Agent, PASSWORD)
        .await;
    let token = site.token("al@frontdesk.test", PASSWORD).await;
    let mine = site
        .ticket(
            &token,
            "casey@customer.test",
            "Order 1234 is late",
            "Where is my parcel?",
        )
        .await;
    let theirs = site
        .ticket(
            &token,
            "other@customer.test",
            "Other person's refund",
            "Private",
        )
        .await;
    site.maintain().await;

    let browser = Browser::open(Size::Phone).await;
    browser.goto(&format!("{}/portal", site.base)).await;
    browser.heading("Your support requests").await;
    browser.assert_accessible("the portal's sign-in").await;
    browser
        .field("E-mail address")
        .await
        .send_keys("casey@customer.test")
        .await
        .unwrap();
    browser
        .button("Mail me a sign-in link")
        .await
        .click()
        .await
        .unwrap();
    browser
        .until_text("//*[@role='status']", "sign-in link is on its way")
        .await;
    browser.assert_accessible("the link-sent page").await;
    site.maintain().await;
    let link = link_in_outbox(&site, "casey@customer.test");

    // The link asks for one click; then exactly Casey's requests.
    browser.goto(&link).await;
    browser.heading("Sign in to your support requests").await;
    browser.assert_accessible("the link page").await;
    browser.button("Sign in").await.click().await.unwrap();
    browser.heading("My requests").await;
    browser.assert_accessible("my requests").await;
    let list = browser.text("//main").await;
    assert!(
        list.contains("Order 1234 is late") && list.contains(&mine),
        "{list}"
    );
    assert!(!list.contains("Other person's refund"), "{list}");
    // Waiting for the first answer: when it is due.
    assert!(
        browser
            .text("//table[contains(@class,'tickets')]//tr[contains(., 'Order 1234 is late')]")
            .await
            .contains("by 20"),
        "{list}"
    );
    // The link is spent.
    browser.goto(&link).await;
    browser.button("Sign in").await.click().await.unwrap();
    assert!(browser.alert().await.contains("not valid"));

    // Another customer's request is not found, not forbidden.
    browser
        .goto(&format!("{}/portal/tickets/{theirs}", site.base))
        .await;
    browser.heading("Not found").await;

    // Reply, then mark solved.
    browser.goto(&format!("{}/portal", site.base)).await;
    browser.follow("Order 1234 is late").await;
    browser.heading("Order 1234 is late").await;
    assert!(browser.text("//main").await.contains("Where is my parcel?"));
    browser.assert_accessible("a request").await;
    browser
        .field("Your reply")
        .await
        .send_keys("It has a tracking number 1Z999")
        .await
        .unwrap();
    browser
        .button("Send the reply")
        .await
        .click()
        .await
        .unwrap();
    browser
        .until_text("//main//*[@role='status']", "Your reply was sent")
        .await;
    assert!(
        browser
            .text("//main")
            .await
            .contains("tracking number 1Z999")
    );
    // The team answers: the open page shows it without a reload, the text being written kept.
    browser
        .field("Your reply")
        .await
        .send_keys("half-written")
        .await
        .unwrap();
    let answered = reqwest::Client::new()
        .post(format!("{}/api/tickets/{mine}/reply", site.base))
        .bearer_auth(&token)
        .json(&serde_json::json!({"content": "We found your parcel in the depot."}))
        .send()
        .await
        .unwrap();
    assert_eq!(answered.status().as_u16(), 201);
    browser
        .until_text("//ol[@id='conversation']", "found your parcel")
        .await;
    assert_eq!(
        browser
            .field("Your reply")
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default(),
        "half-written"
    );
    browser.field("Your reply").await.clear().await.unwrap();
    browser
        .button("Mark as solved")
        .await
        .click()
        .await
        .unwrap();
    browser
        .until_text("//main//*[@role='status']", "Marked as solved")
        .await;
    assert!(browser.text("//main").await.contains("solved"));
    let detail = reqwest::Client::new()
        .get(format!("{}/api/tickets/{mine}", site.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(detail["status"], "resolved");

    // A new request.
    browser.follow("New request").await;
    browser.heading("New request").await;
    browser.assert_accessible("the new request form").await;
    browser
        .field("Subject")
        .await
        .send_keys("The lid is cracked")
        .await
        .unwrap();
    browser
        .field("How can we help?")
        .await
        .send_keys("It arrived broken.")
        .await
        .unwrap();
    browser
        .button("Send the request")
        .await
        .click()
        .await
        .unwrap();
    browser.heading("The lid is cracked").await;
    browser
        .until_text("//main//*[@role='status']", "received")
        .await;

    // Signed out; a staff member is pointed to the workspace.
    browser.button("Sign out").await.click().await.unwrap();
    browser.heading("Your support requests").await;
    browser.goto(&format!("{}/tickets", site.base)).await;
    sign_in(&browser, "al@frontdesk.test", PASSWORD).await;
    browser.heading("Tickets").await;
    browser.goto(&format!("{}/portal", site.base)).await;
    browser.heading("Not allowed").await;
    browser.close().await;
    site.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_write_articles_and_anyone_finds_reads_and_rates_them_in_the_help_centre() {
    let site = Site::start().await;
    site.staff("mo@frontdesk.test", "Mo Manager", Role::Manager, PASSWORD)
        .await;
    let browser = Browser::open(Size::Desktop).await;
    browser.goto(&format!("{}/tickets", site.base)).await;
    sign_in(&browser, "mo@frontdesk.test", PASSWORD).await;
    browser.heading("Tickets").await;
    browser.follow("Knowledge base").await;
    browser.heading("Knowledge base").await;
    browser.assert_accessible("the knowledge base list").await;
    browser
        .field("New category")
        .await
        .send_keys("Returns")
        .await
        .unwrap();
    browser
        .button("Add the category")
        .await
        .click()
        .await
        .unwrap();
    browser.until_text("//main", "Delete").await;
    browser.follow("New article").await;
    browser.heading("New article").await;
    browser.assert_accessible("the article editor").await;
    browser
        .field("Title")
        .await
        .send_keys("How do I return an order?")
        .await
        .unwrap();
    browser
        .field("Category")
        .await
        .select_by_label("Returns")
        .await
        .unwrap();
    browser
        .field("Status")
        .await
        .select_by_value("published")
        .await
        .unwrap();
    browser
        .field("Text (Markdown: **bold**, [link](https://…), lists, tables)")
        .await
        .send_keys(
            "Print **the return label** from your order mail.\n\n\
             <script>sessionStorage.setItem('fd-ran', '[\"script\"]')</script>\
             <img src=x onerror=\"sessionStorage.setItem('fd-ran', '[1]')\">",
        )
        .await
        .unwrap();
    browser.button("Save").await.click().await.unwrap();
    browser
        .until_text("//main//*[@role='status']", "Saved")
        .await;
    assert!(
        browser
            .text("//div[contains(@class,'rendered')]//strong")
            .await
            .contains("the return label")
    );
    browser.assert_accessible("a saved article").await;
    browser.button("Sign out").await.click().await.unwrap();
    browser.heading("Sign in to Frontdesk").await;

    // Signed out: the help centre lists, finds and shows it, inert.
    browser.goto(&format!("{}/help", site.base)).await;
    browser.heading("How can we help?").await;
    browser.heading("Returns").await;
    browser.assert_accessible("the help centre").await;
    browser
        .field("Search the help centre")
        .await
        .send_keys("return lab")
        .await
        .unwrap();
    browser.button("Search").await.click().await.unwrap();
    browser.heading("Articles for “return lab”").await;
    browser.assert_accessible("search results").await;
    browser.follow("How do I return an order?").await;
    browser.heading("How do I return an order?").await;
    assert!(browser.text("//article").await.contains("the return label"));
    browser.assert_accessible("an article").await;
    assert_eq!(browser.scripts_ran().await, Vec::<String>::new());
    browser.button("Yes").await.click().await.unwrap();
    browser
        .until_text("//*[@role='status']", "Thanks for telling us")
        .await;
    let token = site.token("mo@frontdesk.test", PASSWORD).await;
    let articles = browser
        .until("the view counted", async || {
            let articles = reqwest::Client::new()
                .get(format!("{}/api/kb/articles", site.base))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap();
            (articles[0]["views"] == 1).then_some(articles)
        })
        .await;
    assert_eq!(articles[0]["views"], 1, "{articles}");
    assert_eq!(articles[0]["helpful_yes"], 1, "{articles}");
    // A search that finds nothing says so and points to asking.
    browser
        .goto(&format!("{}/help?q=warranty", site.base))
        .await;
    browser.heading("No articles match “warranty”").await;
    browser.close().await;
    site.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn articles_are_suggested_to_customers_and_staff_and_deflection_is_counted() {
    let site = Site::start().await;
    site.staff("mo@frontdesk.test", "Mo Manager", Role::Manager, PASSWORD)
        .await;
    let token = site.token("mo@frontdesk.test", PASSWORD).await;
    let created = reqwest::Client::new()
        .post(format!("{}/api/kb/articles", site.base))
        .bearer_auth(&token)
        .json(&serde_json::json!({
            "title": "How do I return an order?",
            "body_markdown": "Print the return label from your order mail.",
            "status": "published"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let number = site
        .ticket(
            &token,
            "casey@customer.test",
            "Return of my order",
            "How do I send it back?",
        )
        .await;
    site.maintain().await;

    // The customer types a subject: the article appears; opening it is noted.
    let browser = Browser::open(Size::Desktop).await;
    browser.goto(&format!("{}/portal/sign-in", site.base)).await;
    browser
        .field("E-mail address")
        .await
        .send_keys("casey@customer.test")
        .await
        .unwrap();
    browser
        .button("Mail me a sign-in link")
        .await
        .click()
        .await
        .unwrap();
    browser
        .until_text("//*[@role='status']", "on its way")
        .await;
    site.maintain().await;
    browser
        .goto(&link_in_outbox(&site, "casey@customer.test"))
        .await;
    browser.button("Sign in").await.click().await.unwrap();
    browser.heading("My requests").await;
    browser.goto(&format!("{}/portal/new", site.base)).await;
    browser
        .field("Subject")
        .await
        .send_keys("I want to retur")
        .await
        .unwrap();
    browser
        .heading("These articles may already answer it")
        .await;
    browser.assert_accessible("suggestions while typing").await;
    browser.follow("How do I return an order?").await;
    browser.heading("How do I return an order?").await;
    // … and then writes anyway: a request followed the suggestion.
    browser.goto(&format!("{}/portal/new", site.base)).await;
    browser
        .field("Subject")
        .await
        .send_keys("Return label missing")
        .await
        .unwrap();
    browser
        .field("How can we help?")
        .await
        .send_keys("The mail had no label.")
        .await
        .unwrap();
    browser
        .button("Send the request")
        .await
        .click()
        .await
        .unwrap();
    browser.heading("Return label missing").await;
    // A second suggestion opened, no request yet: within the hour.
    browser.goto(&format!("{}/portal/new", site.base)).await;
    browser.button("Look for answers first").await;
    browser
        .field("Subject")
        .await
        .send_keys("return")
        .await
        .unwrap();
    browser
        .button("Look for answers first")
        .await
        .click()
        .await
        .unwrap();
    browser.follow("How do I return an order?").await;
    browser.heading("How do I return an order?").await;
    let deflection: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/api/analytics/deflection", site.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            &deflection["opened"],
            &deflection["requested"],
            &deflection["pending"]
        ),
        (
            &serde_json::json!(2),
            &serde_json::json!(1),
            &serde_json::json!(1)
        ),
        "{deflection}"
    );

    // Staff: the ticket suggests the article; one click puts its link in the reply.
    browser.goto(&format!("{}/tickets", site.base)).await;
    browser.goto(&format!("{}/portal", site.base)).await;
    browser.button("Sign out").await.click().await.unwrap();
    browser.heading("Your support requests").await;
    browser
        .goto(&format!("{}/tickets/{number}", site.base))
        .await;
    sign_in(&browser, "mo@frontdesk.test", PASSWORD).await;
    browser.heading("Articles that may help").await;
    browser
        .assert_accessible("the ticket with articles that may help")
        .await;
    browser
        .click("//button[contains(@aria-label, 'Insert link to')]")
        .await;
    let body = browser.field("Message").await;
    let text = body.prop("value").await.unwrap().unwrap_or_default();
    assert!(
        text.contains("/help/how-do-i-return-an-order"),
        "the link is in the reply: {text}"
    );
    browser.button("Send").await.click().await.unwrap();
    browser.follow("Make an article from this reply").await;
    browser.heading("New article").await;
    assert_eq!(
        browser
            .field("Title")
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default(),
        "Return of my order"
    );
    browser
        .assert_accessible("an article started from a reply")
        .await;
    browser.close().await;
    site.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_rates_a_solved_request_by_the_mailed_link_signed_out() {
    let site = Site::start().await;
    site.staff("al@frontdesk.test", "Al Agent", Role::Agent, PASSWORD)
        .await;
    site.staff("mo@frontdesk.test", "Mo Manager", Role::Manager, PASSWORD)
        .await;
    let token = site.token("al@frontdesk.test", PASSWORD).await;
    let number = site
        .ticket(&token, "casey@customer.test", "Broken lid", "It cracked")
        .await;
    let resolved = reqwest::Client::new()
        .patch(format!("{}/api/tickets/{number}", site.base))
        .bearer_auth(&token)
        .json(&serde_json::json!({"status": "resolved"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resolved.status().as_u16(), 200);
    site.maintain().await;
    let survey = site
        .outbox_to("casey@customer.test")
        .into_iter()
        .find(|m| m.contains("/rate/"))
        .expect("a survey in the outbox");
    let at = survey.find("/rate/").unwrap();
    let good: String = survey[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "/?=_-".contains(*c))
        .collect();
    assert!(good.ends_with("?r=good"), "{good}");

    let browser = Browser::open(Size::Phone).await;
    browser.goto(&format!("{}{good}", site.base)).await;
    browser.heading("How did we do?").await;
    browser
        .until_text("//*[@role='status']", "you rated it good")
        .await;
    browser.assert_accessible("the rating page").await;
    browser
        .click("//input[@name='rating' and @value='okay']")
        .await;
    browser
        .field("A comment (optional)")
        .await
        .send_keys("Quick, but the lid is still cracked.")
        .await
        .unwrap();
    browser.button("Send").await.click().await.unwrap();
    browser
        .until_text("//*[@role='status']", "you rated it okay")
        .await;
    let ticket = reqwest::Client::new()
        .get(format!("{}/api/tickets/{number}", site.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(ticket["satisfaction"]["rating"], "okay", "{ticket}");
    assert_eq!(
        ticket["satisfaction"]["comment"],
        "Quick, but the lid is still cracked."
    );
    // A forged link says so.
    let forged = good.replacen("/rate/", "/rate/A", 1);
    browser.goto(&format!("{}{forged}", site.base)).await;
    assert!(browser.alert().await.contains("not valid"));
    browser.assert_accessible("a refused rating link").await;
    // The manager's analytics count it (a period ends at the second it is asked for).
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    browser.goto(&format!("{}/analytics", site.base)).await;
    sign_in(&browser, "mo@frontdesk.test", PASSWORD).await;
    browser.heading("Customer satisfaction").await;
    let csat = browser
        .text("//section[@aria-labelledby='csat-heading']")
        .await;
    assert!(csat.contains("0 good, 1 okay, 0 bad"), "{csat}");
    assert!(
        csat.contains("Quick, but the lid is still cracked."),
        "{csat}"
    );
    let assistant = browser
        .text("//section[@aria-labelledby='assistant-heading']")
        .await;
    assert!(
        assistant.contains("the draft cites no source")
            && assistant.contains("the customer asked for a person"),
        "every hold reason is listed: {assistant}"
    );
    browser
        .assert_accessible("analytics with satisfaction")
        .await;
    browser.close().await;
    site.finish().await;
}
