//! The day of an agent, end to end on real servers: a customer mails support over SMTP, the
//! poller (in `frontdesk-http --with-poller`) ingests it from Dovecot, and it appears in the
//! agent's open list without a reload; the agent opens it by keyboard, applies the assistant's
//! suggestion, sees the draft cite the help centre's article, takes it into the editor (the
//! article as a footnote), edits and sends it; the customer's
//! mailbox holds the threaded, tagged reply; the customer answers, and the answer appears in
//! the open ticket by itself.

use chrono::Utc;
use fantoccini::Locator;
use frontdesk_adapters_db::testing::Fresh;
use frontdesk_domain::email::EmailAddress;
use frontdesk_domain::kb::Article;
use frontdesk_domain::staff::{Availability, Role, Staff, StaffId};

use super::driver::{Browser, Size};
use super::workspace::sign_in;

const PASSWORD: &str = "correct horse battery staple";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_day_of_an_agent_from_a_mail_to_the_answer_live() {
    let fresh = Fresh::postgres().await;
    let run = uuid::Uuid::now_v7().simple().to_string();
    let support = format!("support-{run}@frontdesk.test");
    let customer = format!("customer-{run}@customer.test");
    let dir = tempfile::tempdir().unwrap();
    let config = crate::mail_loop_config(
        dir.path(),
        &support,
        &fresh.url,
        "provider = \"offline\"\nmode = \"draft\"",
    );
    let email = EmailAddress::parse("ana@frontdesk.test").unwrap();
    let hash = frontdesk_http::auth::password::hash(PASSWORD, Some(&email)).unwrap();
    let agent = Staff {
        id: StaffId::from_uuid(uuid::Uuid::now_v7()),
        email,
        name: "Ana Agent".to_owned(),
        role: Role::Agent,
        availability: Availability::Away,
        shift: None,
        active: true,
    };
    fresh
        .db
        .create_staff(&agent, Some(&hash), Utc::now())
        .await
        .unwrap();
    // The help centre answers refunds: the assistant's draft quotes and cites it.
    let now = Utc::now();
    fresh
        .db
        .save_kb_article(&Article::published(
            uuid::Uuid::now_v7(),
            "refunds",
            "Refunds",
            "Returns are free.\n\n## When the refund arrives\n\nThe refund reaches your card \
             within 5 business days of the return arriving.",
            now,
        ))
        .await
        .unwrap();
    let app = crate::with_poller(config).await;
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());

    // The agent is at work: the list is open before any mail arrives.
    let browser = Browser::open(Size::Desktop).await;
    browser.goto(&format!("{base}/tickets")).await;
    sign_in(&browser, "ana@frontdesk.test", PASSWORD).await;
    browser.until_text("//*[@id='total']", "0 tickets").await;

    // 1. A customer mails support; the mail appears in the open list by itself.
    let first_id = format!("<first-{run}@customer.test>");
    crate::send(
        &customer,
        &support,
        &format!(
            "From: Casey Customer <{customer}>\r\nTo: {support}\r\n\
             Subject: My refund for order #4411 has not arrived\r\nMessage-ID: {first_id}\r\n\
             Date: Thu, 03 Dec 2026 09:00:00 +0000\r\n\r\n\
             I returned the shoes two weeks ago and the refund is still not on my card.\r\n"
        ),
    )
    .await;
    browser
        .until_text("//tbody", "My refund for order #4411")
        .await;

    // 2. Opened by keyboard.
    browser.type_text("jo").await;
    browser
        .until_text("//h1", "My refund for order #4411")
        .await;
    let number = browser.text("//p[@class='crumbs']/span").await;

    // 3. The assistant's analysis arrives (live); its suggestion is applied in one click.
    browser
        .until_text("//*[@id='ai-panel']", "Suggested category")
        .await;
    let suggested = browser
        .text("//dt[normalize-space()='Suggested category']/following-sibling::dd[1]")
        .await;
    browser
        .button("Apply the suggestion")
        .await
        .click()
        .await
        .unwrap();
    browser
        .until(&format!("the category {suggested}"), async || {
            let field = browser.field("Category").await;
            (field.prop("value").await.ok().flatten().as_deref() == Some(suggested.as_str()))
                .then_some(())
        })
        .await;
    // The draft cites the article's section, linked beside it.
    browser
        .until_text(
            "//*[@id='ai-citations']",
            "Refunds — When the refund arrives",
        )
        .await;
    let cited = browser.text("//*[@id='ai-citations']").await;
    assert!(cited.contains("help centre"), "{cited}");
    let link = browser
        .client
        .find(Locator::XPath("//*[@id='ai-citations']//a"))
        .await
        .unwrap();
    let href = link.attr("href").await.unwrap().unwrap_or_default();
    assert_eq!(href, "/help/refunds#s-when-the-refund-arrives");
    browser
        .assert_accessible("the ticket with the assistant's work")
        .await;

    // 4. The draft goes into the editor, is edited, and is sent.
    browser
        .button("Use the AI draft")
        .await
        .click()
        .await
        .unwrap();
    let body = browser.field("Message").await;
    let draft = body.prop("value").await.unwrap().unwrap_or_default();
    assert!(!draft.trim().is_empty(), "the draft is in the editor");
    assert!(
        draft.contains("> The refund reaches your card within 5 business days")
            && draft.contains("[1] Refunds — When the refund arrives: ")
            && draft.contains("/help/refunds#s-when-the-refund-arrives"),
        "the customer's text, with the source as a footnote: {draft}"
    );
    assert!(browser.has_focus(&body).await);
    browser
        .type_text(" The refund was sent today; it shows on your card within 3 days.")
        .await;
    browser.button("Send").await.click().await.unwrap();
    browser
        .until_text("//*[@id='timeline']", "within 3 days")
        .await;

    // 5. The customer's mailbox holds the reply: tagged, threaded.
    let reply = crate::until("the reply in the customer's mailbox", async || {
        crate::inbox(&customer)
            .await
            .into_iter()
            .find(|m| m.contains("within 3 days"))
    })
    .await;
    let subject = crate::header(&reply, "Subject").unwrap();
    assert!(subject.contains(&format!("[{number}]")), "{subject}");
    assert_eq!(
        crate::header(&reply, "In-Reply-To").as_deref(),
        Some(first_id.as_str())
    );
    let reply_id = crate::header(&reply, "Message-ID").unwrap();

    // 6. The customer answers; it appears in the open ticket without a reload.
    crate::send(
        &customer,
        &support,
        &format!(
            "From: Casey Customer <{customer}>\r\nTo: {support}\r\nSubject: Re: refund\r\n\
             Message-ID: <second-{run}@customer.test>\r\nIn-Reply-To: {reply_id}\r\n\
             Date: Thu, 03 Dec 2026 11:00:00 +0000\r\n\r\nThank you, it is there now!\r\n"
        ),
    )
    .await;
    browser
        .until_text("//*[@id='timeline']", "it is there now")
        .await;
    let entries = browser
        .client
        .find_all(Locator::XPath(
            "//li[contains(@class,'entry-customer') or contains(@class,'entry-agent')]",
        ))
        .await
        .unwrap();
    assert_eq!(entries.len(), 3, "mail, reply, answer");
    assert_eq!(browser.console_errors().await, Vec::<String>::new());
    browser.close().await;
    fresh.finish().await;
}
