//! The staff workspace in Chromium, as an agent meets it: a link to a ticket asks for the
//! sign-in and comes back; the list and the ticket page by keyboard; fields changed in place;
//! a reply sent with a status after it (queued as mail, tagged), a note kept internal; hostile
//! text shown as text; sign-out. axe-core on every page reached, at desktop and phone width.

use fantoccini::Locator;
use fantoccini::key::Key;
use frontdesk_domain::staff::Role;

use super::Site;
use super::driver::{Browser, Size};

const PASSWORD: &str = "correct horse battery staple";
const AGENT: &str = "alex@frontdesk.test";
const CUSTOMER: &str = "casey@customer.test";
/// A subject as an attacker would write it: markup, an event handler, a `javascript:` URL and a
/// direction override.
const HOSTILE: &str = "Parcel <img src=x onerror=__fdRan('subject')> \
     <script>__fdRan('script')</script><a href=\"javascript:__fdRan('href')\">late</a> \u{202E}gpj.exe";

/// Signs out and waits for the sign-in page, so the next navigation does not race the sign-out's.
pub async fn sign_out(browser: &Browser) {
    browser.button("Sign out").await.click().await.unwrap();
    browser.heading("Sign in to Frontdesk").await;
}

pub async fn sign_in(browser: &Browser, email: &str, password: &str) {
    browser.heading("Sign in to Frontdesk").await;
    browser
        .field("E-mail address")
        .await
        .send_keys(email)
        .await
        .unwrap();
    browser
        .field("Password")
        .await
        .send_keys(password)
        .await
        .unwrap();
    browser.button("Sign in").await.click().await.unwrap();
}

/// A site with one agent and two tickets (the newer one harmless, the older one hostile).
async fn a_desk() -> (Site, String, String) {
    let site = Site::start().await;
    site.staff(AGENT, "Alex Agent", Role::Agent, PASSWORD).await;
    let token = site.token(AGENT, PASSWORD).await;
    let hostile = site
        .ticket(
            &token,
            CUSTOMER,
            HOSTILE,
            "My parcel has not arrived. <b onmouseover=__fdRan('body')>hover</b>",
        )
        .await;
    let plain = site
        .ticket(
            &token,
            "dana@customer.test",
            "Copy of my invoice",
            "Could you send me a copy of invoice 2211?",
        )
        .await;
    (site, hostile, plain)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_signs_in_works_a_ticket_by_keyboard_and_answers_it() {
    let (site, hostile, plain) = a_desk().await;
    let browser = Browser::open(Size::Desktop).await;
    browser.watch_for_scripts().await;

    // A link to a ticket asks for the sign-in first, then comes back to it.
    browser
        .goto(&format!("{}/tickets/{hostile}", site.base))
        .await;
    browser.heading("Sign in to Frontdesk").await;
    browser.assert_accessible("the sign-in page").await;
    sign_in(&browser, AGENT, "not my password").await;
    let alert = browser.alert().await;
    assert!(alert.contains("wrong"), "{alert}");
    let password = browser.field("Password").await;
    assert_eq!(
        password.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    browser
        .assert_accessible("the sign-in page after a wrong password")
        .await;
    // The refused sign-in's 401 is the only thing the console logged.
    let logged = browser.console_errors().await;
    assert!(
        logged
            .iter()
            .all(|e| e.contains("/login") && e.contains("401")),
        "{logged:?}"
    );
    browser.field("E-mail address").await.clear().await.unwrap();
    sign_in(&browser, AGENT, PASSWORD).await;
    // Shown as the text it is, without the direction override that would turn `gpj.exe`
    // around.
    let shown = HOSTILE.replace('\u{202E}', "");
    // Waited for: right after the click, the sign-in page may still be the one shown.
    browser.until_text("//h1", "Parcel").await;
    let subject = browser.text("//h1").await;
    assert_eq!(subject, shown);
    assert!(
        browser.client.current_url().await.unwrap().path() == format!("/tickets/{hostile}"),
        "back on the ticket the link named"
    );

    // `g l` goes to the list: both tickets, newest first, hostile text as text.
    browser.press(Key::Escape).await;
    browser.type_text("gl").await;
    browser.heading("Tickets").await;
    browser.until_text("//*[@id='total']", "2 tickets").await;
    let subjects = browser
        .client
        .find_all(Locator::XPath("//tbody//td[contains(@class,'subject')]"))
        .await
        .unwrap();
    assert_eq!(subjects.len(), 2);
    assert_eq!(subjects[0].text().await.unwrap(), "Copy of my invoice");
    assert_eq!(subjects[1].text().await.unwrap(), shown);
    let injected = browser
        .client
        .find_all(Locator::XPath(
            "//tbody//img|//tbody//script|//tbody//a[starts-with(@href,'javascript')]",
        ))
        .await
        .unwrap();
    assert!(injected.is_empty(), "markup from a subject became elements");
    browser.assert_accessible("the ticket list").await;
    browser.screenshot("workspace-list-desktop").await;

    // j j o: the second row, opened by keyboard.
    browser.type_text("jj").await;
    let chosen = browser
        .text("//tr[@aria-selected='true']//a[contains(@class,'ticket-link')]")
        .await;
    assert_eq!(chosen, hostile);
    browser.type_text("o").await;
    browser.until_text("//h1", "Parcel").await;
    browser.assert_accessible("the ticket page").await;

    // The priority changed in place: the header and the timeline show it without a reload.
    browser
        .field("Priority")
        .await
        .select_by_value("urgent")
        .await
        .unwrap();
    browser
        .until_text(
            "//*[@id='timeline']",
            "Priority changed from medium to urgent",
        )
        .await;
    let priority = browser.field("Priority").await;
    assert_eq!(
        priority.prop("value").await.unwrap().as_deref(),
        Some("urgent")
    );

    // Out of the field (a select takes letters itself), `r` opens the reply.
    browser
        .client
        .execute("document.activeElement.blur();", vec![])
        .await
        .unwrap();
    browser.type_text("r").await;
    let body = browser.field("Message").await;
    assert!(
        browser.has_focus(&body).await,
        "r puts the cursor in the reply"
    );
    browser
        .type_text("Hello Casey, the parcel is on its way again.")
        .await;
    browser
        .field("Then set the status")
        .await
        .select_by_value("pending")
        .await
        .unwrap();
    let upload = tempfile::Builder::new()
        .prefix("return-label-")
        .suffix(".txt")
        .tempfile()
        .unwrap();
    std::fs::write(upload.path(), "RETURN LABEL 4711").unwrap();
    browser
        .field("Attach files (up to 10, 10 MB each)")
        .await
        .send_keys(upload.path().to_str().unwrap())
        .await
        .unwrap();
    browser.button("Send").await.click().await.unwrap();
    browser
        .until_text("//*[@id='timeline']", "the parcel is on its way again")
        .await;
    // The file is on the reply, downloadable, and went out with the mail.
    let name = upload
        .path()
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    browser
        .until_text("//*[@id='timeline']//ul[@aria-label='Attachments']", &name)
        .await;
    let href = browser
        .client
        .find(Locator::XPath(
            "//*[@id='timeline']//ul[@aria-label='Attachments']//a",
        ))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let downloaded = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];\n\
             fetch(arguments[0]).then(r => r.text()).then(done, e => done(String(e)));",
            vec![serde_json::json!(href)],
        )
        .await
        .unwrap();
    assert_eq!(downloaded, serde_json::json!("RETURN LABEL 4711"));
    browser
        .until_text("//*[@id='timeline']", "to pending")
        .await;
    let status = browser.field("Status").await;
    assert_eq!(
        status.prop("value").await.unwrap().as_deref(),
        Some("pending")
    );
    let mail = site.queued_mail(CUSTOMER).await;
    let reply = mail
        .iter()
        .find(|m| m.body_text.contains("the parcel is on its way again"))
        .expect("the reply was queued as mail to the customer");
    assert!(
        reply.subject.contains(&format!("[{hostile}]")),
        "{}",
        reply.subject
    );
    assert_eq!(reply.attachments.len(), 1);
    assert_eq!(reply.attachments[0].filename, name);
    assert_eq!(reply.attachments[0].content, b"RETURN LABEL 4711");

    // `n` writes an internal note: shown as one, never mailed.
    browser.type_text("n").await;
    browser
        .type_text("Carrier says the label was damaged.")
        .await;
    browser.button("Send").await.click().await.unwrap();
    browser
        .until_text(
            "//li[contains(@class,'entry-note')]",
            "Carrier says the label was damaged.",
        )
        .await;
    assert!(
        site.queued_mail(CUSTOMER)
            .await
            .iter()
            .all(|m| !m.body_text.contains("label was damaged")),
        "a note is never mailed"
    );
    browser
        .assert_accessible("the ticket page after a reply and a note")
        .await;
    browser.screenshot("workspace-ticket-desktop").await;

    // Nothing the attacker wrote ran, on any page.
    assert_eq!(browser.scripts_ran().await, Vec::<String>::new());
    assert_eq!(browser.console_errors().await, Vec::<String>::new());

    // Signing out ends the session: the list asks for the sign-in again.
    browser.button("Sign out").await.click().await.unwrap();
    browser
        .until_text("//*[@role='status']", "signed out")
        .await;
    browser
        .goto(&format!("{}/tickets/{plain}", site.base))
        .await;
    browser.heading("Sign in to Frontdesk").await;
    browser.close().await;
    site.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workspace_fits_a_phone_and_errors_are_pages() {
    let (site, hostile, _) = a_desk().await;
    let browser = Browser::open(Size::Phone).await;
    browser.goto(&format!("{}/", site.base)).await;
    sign_in(&browser, AGENT, PASSWORD).await;
    browser.heading("Tickets").await;
    browser.assert_fits().await;
    browser
        .assert_accessible("the ticket list on a phone")
        .await;
    browser.screenshot("workspace-list-phone").await;

    browser
        .goto(&format!("{}/tickets/{hostile}", site.base))
        .await;
    browser.until_text("//h1", "Parcel").await;
    browser.assert_fits().await;
    browser
        .assert_accessible("the ticket page on a phone")
        .await;

    // Dark, as the system is: every contrast decided and sufficient.
    browser.prefer_dark().await;
    for page in ["/tickets".to_owned(), format!("/tickets/{hostile}")] {
        browser.goto(&format!("{}{page}", site.base)).await;
        browser.wait_for("a heading", "//h1").await;
        let report = browser
            .assert_accessible(&format!("{page} in dark mode"))
            .await;
        assert!(
            report.passes.iter().any(|r| r == "color-contrast"),
            "axe checked the contrast on {page}"
        );
    }
    browser.screenshot("workspace-ticket-phone-dark").await;

    // A ticket that does not exist (or may not be seen) is a 404 page, not a stack trace.
    browser
        .goto(&format!("{}/tickets/TKT-999999", site.base))
        .await;
    browser.heading("Not found").await;
    browser.assert_accessible("the not-found page").await;

    // A filter the API refuses comes back with the control marked.
    browser
        .goto(&format!("{}/tickets?created_from=yesterday", site.base))
        .await;
    let alert = browser.alert().await;
    assert!(alert.contains("created_from"), "{alert}");
    let field = browser.field("Created from").await;
    assert_eq!(
        field.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    browser
        .assert_accessible("the list with a bad filter")
        .await;
    browser.close().await;
    site.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_and_the_ticket_follow_the_event_stream_without_losing_the_draft() {
    let (site, hostile, _) = a_desk().await;
    site.staff("sam@frontdesk.test", "Sam Second", Role::Agent, PASSWORD)
        .await;
    let other = site.token("sam@frontdesk.test", PASSWORD).await;
    let browser = Browser::open(Size::Desktop).await;
    browser.goto(&format!("{}/tickets", site.base)).await;
    sign_in(&browser, AGENT, PASSWORD).await;
    browser.until_text("//*[@id='total']", "2 tickets").await;
    browser.type_text("j").await;

    // A ticket opened elsewhere appears in the open list by itself.
    let new = site
        .ticket(
            &other,
            "erin@customer.test",
            "Wrong size delivered",
            "Size 42, not 44.",
        )
        .await;
    browser.until_text("//*[@id='total']", "3 tickets").await;
    browser.until_text("//tbody", "Wrong size delivered").await;
    let chosen = browser
        .text("//tr[@aria-selected='true']//a[contains(@class,'ticket-link')]")
        .await;
    assert_ne!(chosen, new, "the chosen row stays chosen across the update");

    // On the ticket page, a colleague's note appears while the agent types, and the typing
    // stays.
    browser
        .goto(&format!("{}/tickets/{hostile}", site.base))
        .await;
    browser.until_text("//h1", "Parcel").await;
    browser.type_text("r").await;
    browser.type_text("Half-written answer").await;
    let noted = reqwest::Client::new()
        .post(format!("{}/api/tickets/{hostile}/notes", site.base))
        .bearer_auth(&other)
        .json(&serde_json::json!({ "content": "I called the carrier." }))
        .send()
        .await
        .unwrap();
    assert_eq!(noted.status().as_u16(), 201);
    browser
        .until_text("//*[@id='timeline']", "I called the carrier.")
        .await;
    let body = browser.field("Message").await;
    assert_eq!(
        body.prop("value").await.unwrap().as_deref(),
        Some("Half-written answer")
    );
    assert!(
        browser.has_focus(&body).await,
        "the cursor stayed in the reply"
    );
    assert_eq!(browser.console_errors().await, Vec::<String>::new());
    browser.close().await;
    site.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_tickets_change_at_once_and_the_list_pages_to_the_end() {
    let (site, hostile, _) = a_desk().await;
    let token = site.token(AGENT, PASSWORD).await;
    for i in 0..50 {
        site.ticket(
            &token,
            &format!("batch{i}@customer.test"),
            &format!("Batch question {i:02}"),
            "Where is my order?",
        )
        .await;
    }
    let browser = Browser::open(Size::Desktop).await;
    browser
        .goto(&format!("{}/tickets?q=batch", site.base))
        .await;
    sign_in(&browser, AGENT, PASSWORD).await;
    browser.until_text("//*[@id='total']", "50 tickets").await;
    // The full-text search found exactly the batch, 50 to a page: every one is on it.
    let rows = browser
        .client
        .find_all(Locator::XPath("//tbody/tr"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 50);
    browser
        .client
        .find(Locator::Id("select-all"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .field("Change")
        .await
        .select_by_value("priority:urgent")
        .await
        .unwrap();
    browser
        .button("Apply to the selected")
        .await
        .click()
        .await
        .unwrap();
    browser
        .until_text("//*[@id='bulk-outcome']", "50 tickets changed.")
        .await;
    browser
        .assert_accessible("the list after a bulk change")
        .await;

    // Every filter narrows to what it says: the 50 are urgent now, the first two are not.
    browser
        .goto(&format!("{}/tickets?priority=urgent", site.base))
        .await;
    browser.until_text("//*[@id='total']", "50 tickets").await;
    // Kept as a view shared with the team; it opens the same list again, then goes.
    browser
        .field("Name of the view")
        .await
        .send_keys("Urgent batch")
        .await
        .unwrap();
    browser
        .click("//label[normalize-space()='Share with the team']")
        .await;
    browser.button("Save the view").await.click().await.unwrap();
    browser
        .until_text("//a[@aria-current='page']", "Urgent batch")
        .await;
    browser
        .assert_accessible("the list with a saved view")
        .await;
    browser.follow("All tickets").await;
    browser.until_text("//*[@id='total']", "52 tickets").await;
    browser.follow("Urgent batch").await;
    browser.until_text("//*[@id='total']", "50 tickets").await;
    browser
        .click("//button[@aria-label='Delete the view Urgent batch']")
        .await;
    browser.until_text("//*[@id='total']", "52 tickets").await;
    assert!(
        browser
            .client
            .find_all(Locator::LinkText("Urgent batch"))
            .await
            .unwrap()
            .is_empty(),
        "the view is gone"
    );
    // Paging by keyset to the end: 52 tickets at 50 a page, then the last two.
    browser.goto(&format!("{}/tickets", site.base)).await;
    browser.until_text("//*[@id='total']", "52 tickets").await;
    browser.follow("Next page").await;
    browser.until_text("//tbody", &hostile).await;
    let last = browser
        .client
        .find_all(Locator::XPath("//tbody/tr"))
        .await
        .unwrap();
    assert_eq!(last.len(), 2, "the second page holds the last two");
    assert!(
        browser
            .client
            .find_all(Locator::LinkText("Next page"))
            .await
            .unwrap()
            .is_empty(),
        "the last page has no next"
    );
    browser.close().await;
    site.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assign_escalate_and_merge_from_the_ticket_page() {
    let (site, _, plain) = a_desk().await;
    site.staff("sam@frontdesk.test", "Sam Second", Role::Agent, PASSWORD)
        .await;
    let token = site.token(AGENT, PASSWORD).await;
    let again = site
        .ticket(
            &token,
            "dana@customer.test",
            "Invoice copy, again",
            "Still waiting for invoice 2211.",
        )
        .await;
    let browser = Browser::open(Size::Desktop).await;
    browser
        .goto(&format!("{}/tickets/{plain}", site.base))
        .await;
    sign_in(&browser, AGENT, PASSWORD).await;
    browser.until_text("//h1", "Copy of my invoice").await;

    // The picker offers the team with their availability; a typed name assigns.
    let options = browser
        .client
        .find_all(Locator::XPath("//datalist[@id='team']/option"))
        .await
        .unwrap();
    assert!(
        options.len() >= 3,
        "nobody, Alex, Sam (and the first admin)"
    );
    browser
        .field("Assign to (type a name)")
        .await
        .send_keys("Sam Second <sam@frontdesk.test>")
        .await
        .unwrap();
    browser.button("Assign").await.click().await.unwrap();
    browser
        .until_text("//*[@id='timeline']", "Assigned to Sam Second")
        .await;

    browser
        .field("Escalation reason")
        .await
        .send_keys("Third time asking")
        .await
        .unwrap();
    browser.button("Escalate").await.click().await.unwrap();
    browser
        .until_text(
            "//*[@id='timeline']",
            "Escalated to level 1: Third time asking",
        )
        .await;

    // Merge by subject words: choose among the matches, confirm the pair, land on the survivor.
    browser
        .field("Merge into (number or subject)")
        .await
        .send_keys("again")
        .await
        .unwrap();
    browser.button("Merge…").await.click().await.unwrap();
    browser
        .heading(&format!("Merge {plain} into another ticket"))
        .await;
    browser
        .assert_accessible("the merge search's matches")
        .await;
    browser
        .button("Show this pair")
        .await
        .click()
        .await
        .unwrap();
    browser
        .heading(&format!("{again} (takes the conversation)"))
        .await;
    browser.assert_accessible("the merge confirmation").await;
    browser
        .button(&format!("Merge {plain} into {again}"))
        .await
        .click()
        .await
        .unwrap();
    browser.until_text("//h1", "Invoice copy, again").await;
    browser
        .until_text(
            "//*[@id='timeline']",
            &format!("{plain} was merged into this ticket"),
        )
        .await;
    assert_eq!(browser.console_errors().await, Vec::<String>::new());
    browser.close().await;
    site.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_agents_on_one_ticket_see_each_other_and_a_stale_reply_is_held_back() {
    let (site, hostile, _) = a_desk().await;
    site.staff("sam@frontdesk.test", "Sam Second", Role::Agent, PASSWORD)
        .await;
    let ticket = format!("{}/tickets/{hostile}", site.base);
    let alex = Browser::open(Size::Desktop).await;
    alex.goto(&ticket).await;
    sign_in(&alex, AGENT, PASSWORD).await;
    alex.until_text("//h1", "Parcel").await;
    let sam = Browser::open(Size::Desktop).await;
    sam.goto(&ticket).await;
    sign_in(&sam, "sam@frontdesk.test", PASSWORD).await;
    sam.until_text("//h1", "Parcel").await;

    // Each sees the other; Sam starts writing and Alex sees that too.
    sam.until_text("//*[@id='presence']", "Alex Agent is viewing")
        .await;
    alex.until_text("//*[@id='presence']", "Sam Second is viewing")
        .await;
    sam.type_text("r").await;
    sam.type_text("Sam's answer, started before Alex replied.")
        .await;
    alex.until_text("//*[@id='presence']", "Sam Second is writing a reply")
        .await;
    alex.assert_accessible("the ticket page with a colleague on it")
        .await;

    // Alex answers first; Sam's reply, written without seeing it, is held back with its text.
    alex.type_text("r").await;
    alex.type_text("Alex's answer.").await;
    alex.button("Send").await.click().await.unwrap();
    alex.until_text("//*[@id='timeline']", "Alex's answer.")
        .await;
    sam.button("Send").await.click().await.unwrap();
    let held = sam.alert().await;
    assert!(
        held.contains("new activity since you started") && held.contains("review before sending"),
        "{held}"
    );
    sam.until_text("//*[@id='timeline']", "Alex's answer.")
        .await;
    let body = sam.field("Message").await;
    assert_eq!(
        body.prop("value").await.unwrap().as_deref(),
        Some("Sam's answer, started before Alex replied.")
    );
    assert!(
        site.queued_mail(CUSTOMER)
            .await
            .iter()
            .all(|m| !m.body_text.contains("Sam's answer")),
        "the held reply was not sent"
    );
    sam.assert_accessible("the held reply").await;
    // Having seen it, Sam sends.
    sam.button("Send").await.click().await.unwrap();
    sam.until_text("//*[@id='timeline']", "Sam's answer, started before")
        .await;
    alex.close().await;
    sam.close().await;
    site.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newcomer_polls_the_example_mails_answers_one_and_changes_the_password() {
    let site = Site::start().await;
    site.staff("boss@frontdesk.test", "Bo Boss", Role::Admin, PASSWORD)
        .await;
    let token = site.token("boss@frontdesk.test", PASSWORD).await;
    for (title, body) in [
        (
            "Parcel with the carrier",
            "Hello {customer_name}, your parcel for {ticket_number} is with the carrier.",
        ),
        (
            "Refund issued",
            "Hello {customer_name}, we have refunded your payment.",
        ),
    ] {
        let made = reqwest::Client::new()
            .post(format!("{}/api/canned-responses", site.base))
            .bearer_auth(&token)
            .json(&serde_json::json!({ "title": title, "body": body }))
            .send()
            .await
            .unwrap();
        assert_eq!(made.status().as_u16(), 201);
    }
    // The README's walk: the shipped example mails dropped into the Maildir.
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples/mail");
    for mail in std::fs::read_dir(&examples).unwrap() {
        let mail = mail.unwrap().path();
        std::fs::copy(&mail, site.maildir_new().join(mail.file_name().unwrap())).unwrap();
    }
    let browser = Browser::open(Size::Desktop).await;
    browser.goto(&format!("{}/", site.base)).await;
    sign_in(&browser, "boss@frontdesk.test", PASSWORD).await;
    browser.until_text("//*[@id='total']", "0 tickets").await;
    browser.button("Poll now").await.click().await.unwrap();
    browser
        .until_text("//*[@id='flash']", "3 new tickets")
        .await;
    // They appear by themselves.
    browser.until_text("//*[@id='total']", "3 tickets").await;
    browser.screenshot("readme-list").await;
    browser.click("//tr[td[contains(., 'My order #10482 has not arrived')]]//a[contains(@class,'ticket-link')]").await;
    browser.until_text("//h1", "My order #10482").await;
    browser
        .until_text("//*[@id='timeline']", "walking boots")
        .await;
    let number = browser.text("//p[@class='crumbs']/span").await;

    // `?` lists the shortcuts in a dialog; Escape closes it.
    browser.type_text("?").await;
    browser.heading("Keyboard shortcuts").await;
    browser.assert_accessible("the shortcuts dialog").await;
    browser.press(fantoccini::key::Key::Escape).await;
    browser
        .until("the dialog to close", async || {
            let open = browser
                .client
                .execute("return document.getElementById('shortcuts').open;", vec![])
                .await
                .ok()?;
            (open == serde_json::json!(false)).then_some(())
        })
        .await;

    // An unsent reply survives a reload.
    browser.type_text("r").await;
    browser.type_text("A draft that must not be lost").await;
    browser.client.refresh().await.unwrap();
    browser
        .until_text("//*[@id='draft-state']", "Your unsent draft was restored.")
        .await;
    let body = browser.field("Message").await;
    assert_eq!(
        body.prop("value").await.unwrap().as_deref(),
        Some("A draft that must not be lost")
    );
    browser
        .client
        .execute(
            "const b = document.getElementById('body'); b.value = ''; \
             b.dispatchEvent(new Event('input'));",
            vec![],
        )
        .await
        .unwrap();

    // A canned response, found by a word and filled in for this ticket.
    browser
        .click("//summary[normalize-space()='Insert a canned response']")
        .await;
    browser
        .field("Search the canned responses")
        .await
        .send_keys("carrier")
        .await
        .unwrap();
    browser
        .button("Parcel with the carrier")
        .await
        .click()
        .await
        .unwrap();
    let body = browser.field("Message").await;
    assert_eq!(
        body.prop("value").await.unwrap().as_deref(),
        Some(format!("Hello Maria Jensen, your parcel for {number} is with the carrier.").as_str())
    );
    browser.type_text(" It arrives on Monday.").await;
    browser.button("Send").await.click().await.unwrap();
    browser
        .until_text("//*[@id='timeline']", "It arrives on Monday")
        .await;
    browser
        .client
        .execute("window.scrollTo(0, 0);", vec![])
        .await
        .unwrap();
    browser.screenshot("readme-ticket").await;

    // The printed password is replaced on the member's own page; the browser stays signed in.
    browser.follow("Your account").await;
    browser.heading("Change your password").await;
    browser.assert_accessible("the account page").await;
    let new = "a much longer passphrase for the boss";
    browser
        .field("Current password")
        .await
        .send_keys(PASSWORD)
        .await
        .unwrap();
    browser
        .field("New password (at least 10 characters; a few unrelated words are best)")
        .await
        .send_keys(new)
        .await
        .unwrap();
    browser
        .field("New password, again")
        .await
        .send_keys(new)
        .await
        .unwrap();
    browser
        .button("Change the password")
        .await
        .click()
        .await
        .unwrap();
    browser
        .until_text("//main//*[@role='status']", "Your password is changed")
        .await;
    browser.goto(&format!("{}/tickets", site.base)).await;
    browser.until_text("//*[@id='total']", "3 tickets").await;
    assert!(!site.token("boss@frontdesk.test", new).await.is_empty());
    assert_eq!(browser.console_errors().await, Vec::<String>::new());
    browser.close().await;
    site.finish().await;
}
