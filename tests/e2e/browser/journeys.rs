//! Intake forms in Chromium (issue 19): a manager builds a conditional form in the admin
//! console (a broken condition is marked, nothing saved), publishes it; a customer answers it in
//! the portal — the branch appears as they choose, a file that only claims to be an image is
//! refused by its content with the answers kept — and the ticket has the mapped category and
//! priority, the photo and the answers, shown to staff as a block. axe-core on every page.

use frontdesk_domain::staff::Role;

use super::Site;
use super::driver::{Browser, Size};
use super::workspace::{sign_in, sign_out};

const PASSWORD: &str = "correct horse battery staple";

/// A PNG by its signature and header (the server knows images by their first bytes).
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\xdac\xfc\xcf\xc0\xf0\x1f\0\x05\0\x02\x01\xff\xa0\xc3\xa8\xa5\0\0\0\0IEND\xaeB`\x82";

async fn by_id(browser: &Browser, id: &str) -> fantoccini::elements::Element {
    browser
        .wait_for(&format!("#{id}"), &format!("//*[@id='{id}']"))
        .await
}

async fn type_into(browser: &Browser, id: &str, text: &str) {
    let e = by_id(browser, id).await;
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

async fn choose(browser: &Browser, id: &str, value: &str) {
    by_id(browser, id)
        .await
        .select_by_value(value)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_builds_a_conditional_form_and_a_customer_answers_it_with_a_photo() {
    let site = Site::start().await;
    site.staff("mia@frontdesk.test", "Mia Manager", Role::Manager, PASSWORD)
        .await;
    let token = site.token("mia@frontdesk.test", PASSWORD).await;
    site.ticket(&token, "dana@customer.test", "Earlier question", "Hello")
        .await;
    let files = tempfile::tempdir().unwrap();
    let photo = files.path().join("damage.png");
    std::fs::write(&photo, PNG).unwrap();
    let fake = files.path().join("fake.png");
    std::fs::write(&fake, "<svg onload=alert(1)>not a picture</svg>").unwrap();

    // The manager starts from the sample form and adds a branch.
    let browser = Browser::open(Size::Desktop).await;
    browser.goto(&format!("{}/admin/journeys", site.base)).await;
    sign_in(&browser, "mia@frontdesk.test", PASSWORD).await;
    browser.heading("Intake forms").await;
    browser.assert_accessible("the intake forms").await;
    browser.button("New form").await.click().await.unwrap();
    browser
        .until_text("//main//*[@role='status']", "sample form")
        .await;
    browser.assert_accessible("the form builder").await;
    // A condition on an option the question does not offer, and a new question.
    type_into(&browser, "q1-if-values", "Lost parcel").await;
    type_into(&browser, "q4-label", "Which parts are damaged?").await;
    choose(&browser, "q4-kind", "multiple_choice").await;
    type_into(&browser, "q4-options", "Box\nItem").await;
    choose(&browser, "q4-if", "issue").await;
    type_into(&browser, "q4-if-values", "Order issue").await;
    browser
        .button("Save the draft")
        .await
        .click()
        .await
        .unwrap();
    assert!(
        browser.alert().await.contains("Nothing was saved"),
        "{}",
        browser.alert().await
    );
    let marked = by_id(&browser, "q1-if").await;
    assert_eq!(
        marked.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    assert!(
        browser
            .text("//*[@id='q1-if-err']")
            .await
            .contains("no option \"Lost parcel\"")
    );
    // What was typed is all there.
    assert_eq!(
        by_id(&browser, "q4-label")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("Which parts are damaged?")
    );
    browser.assert_accessible("the builder with problems").await;
    type_into(&browser, "q1-if-values", "Order issue\nRefund").await;
    browser
        .button("Save the draft")
        .await
        .click()
        .await
        .unwrap();
    browser
        .until_text("//main//*[@role='status']", "The draft was saved")
        .await;
    // A rule on the new question: a damaged item is urgent.
    choose(&browser, "r2-question", "which-parts-are-damaged").await;
    type_into(&browser, "r2-values", "Item").await;
    choose(&browser, "r2-priority", "urgent").await;
    browser
        .button("Save and publish")
        .await
        .click()
        .await
        .unwrap();
    browser
        .until_text("//main//*[@role='status']", "Published")
        .await;
    browser.assert_accessible("a published form").await;
    let forms: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/api/journeys", site.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(forms["items"][0]["status"], "active");
    assert_eq!(forms["items"][0]["rules"][2]["priority"], "urgent");
    sign_out(&browser).await;

    // Dana signs in by a mailed link and opens a request through the form.
    browser.goto(&format!("{}/portal", site.base)).await;
    browser
        .field("E-mail address")
        .await
        .send_keys("dana@customer.test")
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
    site.maintain().await;
    let link = super::portal::link_in_outbox(&site, "dana@customer.test");
    browser.goto(&link).await;
    browser.button("Sign in").await.click().await.unwrap();
    browser.heading("My requests").await;
    browser.follow("New request").await;
    browser.heading("General support").await;
    // Only the questions every answer asks are shown at first.
    let order = by_id(&browser, "q-order").await;
    assert!(
        order.attr("hidden").await.unwrap().is_some(),
        "the branch is hidden"
    );
    browser.assert_accessible("the intake form").await;
    browser
        .field("Subject")
        .await
        .send_keys("Parcel arrived damaged")
        .await
        .unwrap();
    browser.field("Order issue").await.click().await.unwrap();
    assert!(
        order.attr("hidden").await.unwrap().is_none(),
        "the branch shows"
    );
    type_into(&browser, "a-order", "#A-1001").await;
    browser.field("Item").await.click().await.unwrap();
    type_into(&browser, "a-details", "The corner is crushed.").await;
    by_id(&browser, "a-photos")
        .await
        .send_keys(fake.to_str().unwrap())
        .await
        .unwrap();
    browser
        .button("Send the request")
        .await
        .click()
        .await
        .unwrap();
    assert!(
        browser
            .alert()
            .await
            .contains("One answer needs another look")
    );
    assert!(
        browser
            .text("//*[@id='err-photos']")
            .await
            .contains("only images"),
        "{}",
        browser.text("//main").await
    );
    // The answers are kept; the file is chosen again.
    assert_eq!(
        by_id(&browser, "a-order")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("#A-1001")
    );
    assert!(
        browser
            .field("Item")
            .await
            .prop("checked")
            .await
            .unwrap()
            .is_some_and(|c| c == "true")
    );
    browser
        .assert_accessible("the intake form with a problem")
        .await;
    by_id(&browser, "a-photos")
        .await
        .send_keys(photo.to_str().unwrap())
        .await
        .unwrap();
    browser
        .button("Send the request")
        .await
        .click()
        .await
        .unwrap();
    browser.heading("Parcel arrived damaged").await;
    browser
        .until_text("//main//*[@role='status']", "received")
        .await;
    assert!(browser.text("//main").await.contains("damage.png"));
    let url = browser.client.current_url().await.unwrap();
    let number = url
        .path_segments()
        .and_then(|mut s| s.nth(2))
        .unwrap()
        .to_owned();
    let detail: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/api/tickets/{number}", site.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["category"], "order", "{detail}");
    assert_eq!(detail["priority"], "urgent", "{detail}");
    let attachment = &detail["attachments"][0];
    assert_eq!(attachment["filename"], "damage.png", "{detail}");
    assert_eq!(attachment["content_type"], "image/png", "{detail}");
    assert_eq!(detail["intake"]["version"], 1);
    assert_eq!(detail["intake"]["answers"][1]["values"][0], "#A-1001");
    // A reply with a file.
    let receipt = files.path().join("receipt.pdf");
    std::fs::write(&receipt, "%PDF-1.7 a receipt").unwrap();
    browser
        .field("Your reply")
        .await
        .send_keys("Here is the receipt.")
        .await
        .unwrap();
    browser
        .field("Files (optional)")
        .await
        .send_keys(receipt.to_str().unwrap())
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
            .text("//ol[@id='conversation']")
            .await
            .contains("receipt.pdf")
    );
    browser.button("Sign out").await.click().await.unwrap();

    // Staff read the answers as a block beside the conversation.
    browser
        .goto(&format!("{}/tickets/{number}", site.base))
        .await;
    sign_in(&browser, "mia@frontdesk.test", PASSWORD).await;
    browser
        .heading("Answers to “General support” (form version 1)")
        .await;
    let block = browser.text("//section[@class='intake']").await;
    assert!(
        block.contains("Order number") && block.contains("#A-1001") && block.contains("Item"),
        "{block}"
    );
    browser
        .assert_accessible("a ticket with intake answers")
        .await;
    browser.close().await;
    site.finish().await;
}
