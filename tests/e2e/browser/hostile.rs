//! Hostile mail in the workspace: a sample of the brs-kb XSS corpus (PyPI `brs-kb` 4.0.2, MIT;
//! fetched by `scripts/fetch-corpora.sh` into `target/corpora/xss/`) arrives as mail — in the
//! subject, the sender's name, the text and the HTML body, an attachment's name — and is shown
//! on the list (every page of it), on each ticket page and through a live update. A hook in
//! every page records any dialog or any call an injected script would make: nothing may run,
//! no markup from mail may become an element, and the browser may never have to refuse a
//! script (the policy is the second wall, not the first).

use fantoccini::Locator;
use frontdesk_domain::staff::Role;

use super::Site;
use super::driver::{Browser, Size};

const PASSWORD: &str = "correct horse battery staple";
const ADMIN: &str = "ops@frontdesk.test";

/// Every `step`-th payload of the corpus.
fn sample(step: usize) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target/corpora/xss/payloads.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (scripts/fetch-corpora.sh fetches it; run the suite through scripts/test.sh)",
            path.display()
        )
    });
    let all: serde_json::Value = serde_json::from_str(&text).unwrap();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 4_931, "brs-kb 4.0.2 has 4,931 payloads");
    all.iter()
        .step_by(step)
        .map(|p| p["payload"].as_str().unwrap().to_owned())
        .collect()
}

/// A mail carrying `payload` everywhere a sender controls.
fn hostile_mail(i: usize, payload: &str) -> String {
    hostile_mail_from(i, payload, &format!("attacker{i}@evil.test"))
}

/// [`hostile_mail`] from `from`.
fn hostile_mail_from(i: usize, payload: &str, from: &str) -> String {
    let one_line: String = payload
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let name = one_line.replace(['"', '\\'], "'");
    format!(
        "From: \"{name}\" <{from}>\r\n\
         To: support@frontdesk.test\r\n\
         Subject: {one_line}\r\n\
         Message-ID: <xss-{i}@evil.test>\r\n\
         Date: Thu, 03 Dec 2026 10:00:00 +0000\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
         --b\r\n\
         Content-Type: multipart/alternative; boundary=\"a\"\r\n\r\n\
         --a\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         {payload}\r\n\r\n> quoted {payload}\r\n\
         --a\r\n\
         Content-Type: text/html; charset=utf-8\r\n\r\n\
         <html><body><p>{payload}</p><div>{payload}</div></body></html>\r\n\
         --a--\r\n\
         --b\r\n\
         Content-Type: text/plain; name=\"x.txt\"\r\n\
         Content-Disposition: attachment; filename=\"{name}.txt\"\r\n\r\n\
         file\r\n\
         --b--\r\n"
    )
}

/// Where the workspace shows text from mail.
const WORKSPACE_MAIL_TEXT: &str = "td.subject *, h1 *, .entry .body *, .author *, \
     .attachments li > a *, .meta strong *, td span[title] *";
/// Where the portal shows it.
const PORTAL_MAIL_TEXT: &str = "h1 *, .message .body *, .message header strong *, \
     .attachments li > a *, table.tickets th a *";

/// The page's record of scripts and dialogs, and its script refusals, must both be empty, and
/// no text from mail may have become markup.
async fn nothing_ran(browser: &Browser, what: &str) {
    nothing_ran_in(browser, what, WORKSPACE_MAIL_TEXT).await;
}

/// [`nothing_ran`], with the text from mail where `selectors` (CSS, each ending in ` *`) say.
async fn nothing_ran_in(browser: &Browser, what: &str, selectors: &str) {
    assert_eq!(
        browser.scripts_ran().await,
        Vec::<String>::new(),
        "something ran on {what}"
    );
    let refused: Vec<String> = browser
        .console_errors()
        .await
        .into_iter()
        .filter(|e| e.contains("Refused to execute") || e.contains("Refused to evaluate"))
        .collect();
    assert_eq!(
        refused,
        Vec::<String>::new(),
        "a script was refused on {what}"
    );
    let elements = browser
        .client
        .execute(
            "return [...document.querySelectorAll(arguments[0])].map(e => e.outerHTML.slice(0, 80));",
            vec![serde_json::json!(selectors)],
        )
        .await
        .unwrap();
    assert_eq!(
        elements,
        serde_json::json!([]),
        "text from mail became markup on {what}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_from_the_xss_corpus_runs_on_the_list_the_ticket_pages_or_live_updates() {
    let payloads = sample(40);
    assert!(payloads.len() > 100, "a real sample: {}", payloads.len());
    let site = Site::start().await;
    site.staff(ADMIN, "Ops Admin", Role::Admin, PASSWORD).await;
    let token = site.token(ADMIN, PASSWORD).await;
    let (first, later) = payloads.split_at(payloads.len() - 10);
    for (i, payload) in first.iter().enumerate() {
        std::fs::write(
            site.maildir_new().join(format!("{i}.eml")),
            hostile_mail(i, payload),
        )
        .unwrap();
    }
    let opened = site.poll(&token).await;
    assert!(
        opened + 5 >= first.len() as u64,
        "nearly every hostile mail opens a ticket ({opened} of {})",
        first.len()
    );

    let browser = Browser::open(Size::Desktop).await;
    browser.watch_for_scripts().await;
    browser.goto(&format!("{}/tickets", site.base)).await;
    super::workspace::sign_in(&browser, ADMIN, PASSWORD).await;
    browser
        .until_text("//*[@id='total']", &format!("{opened} tickets"))
        .await;
    // Every page of the list.
    let mut pages = 1;
    loop {
        nothing_ran(&browser, &format!("page {pages} of the list")).await;
        let next = browser
            .client
            .find_all(Locator::LinkText("Next page"))
            .await
            .unwrap();
        let Some(next) = next.into_iter().next() else {
            break;
        };
        next.click().await.unwrap();
        pages += 1;
        browser
            .until_text("//nav[@aria-label='Pages']", "First page")
            .await;
    }
    assert!(pages >= 2, "the sample spans pages");

    // Live: more hostile mail arrives while the list is open.
    browser.goto(&format!("{}/tickets", site.base)).await;
    browser
        .until_text("//*[@id='total']", &format!("{opened} tickets"))
        .await;
    for (i, payload) in later.iter().enumerate() {
        let i = first.len() + i;
        std::fs::write(
            site.maildir_new().join(format!("{i}.eml")),
            hostile_mail(i, payload),
        )
        .unwrap();
    }
    let all = opened + site.poll(&token).await;
    browser
        .until_text("//*[@id='total']", &format!("{all} tickets"))
        .await;
    nothing_ran(&browser, "the list after a live update").await;

    // Every ticket's page, the formatted mail unfolded.
    for n in 1..=all {
        let number = format!("TKT-{n:06}");
        browser
            .goto(&format!("{}/tickets/{number}", site.base))
            .await;
        browser.until_text("//p[@class='crumbs']", &number).await;
        browser
            .client
            .execute(
                "document.querySelectorAll('details').forEach(d => d.open = true);",
                vec![],
            )
            .await
            .unwrap();
        nothing_ran(&browser, &number).await;
    }
    browser.close().await;
    site.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_from_the_xss_corpus_runs_on_the_portal_list_or_its_ticket_pages() {
    // Another slice of the corpus than the workspace's, all from one customer.
    let payloads: Vec<String> = sample(40).into_iter().skip(1).step_by(2).collect();
    assert!(payloads.len() > 50, "a real sample: {}", payloads.len());
    // One sender's flood is throttled by default (30 new tickets an hour); not here.
    let site = Site::start_configured("tickets_per_sender_per_hour = 500\n", "").await;
    site.staff(ADMIN, "Ops Admin", Role::Admin, PASSWORD).await;
    let token = site.token(ADMIN, PASSWORD).await;
    let customer = "casey@evil.test";
    for (i, payload) in payloads.iter().enumerate() {
        std::fs::write(
            site.maildir_new().join(format!("{i}.eml")),
            hostile_mail_from(i, payload, customer),
        )
        .unwrap();
    }
    let opened = site.poll(&token).await;
    assert!(
        opened + 5 >= payloads.len() as u64,
        "nearly every hostile mail opens its own request ({opened} of {})",
        payloads.len()
    );
    // The team answers one of them quoting the payload back, as agents do.
    let quoted = reqwest::Client::new()
        .post(format!("{}/api/tickets/TKT-000001/reply", site.base))
        .bearer_auth(&token)
        .json(&serde_json::json!({"content": format!("You wrote: {}", payloads[0])}))
        .send()
        .await
        .unwrap();
    assert_eq!(quoted.status().as_u16(), 201);

    let browser = Browser::open(Size::Phone).await;
    browser.watch_for_scripts().await;
    browser.goto(&format!("{}/portal", site.base)).await;
    browser
        .field("E-mail address")
        .await
        .send_keys(customer)
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
    let link = super::portal::link_in_outbox(&site, customer);
    browser.goto(&link).await;
    browser.button("Sign in").await.click().await.unwrap();
    browser.heading("My requests").await;
    let mut pages = 1;
    loop {
        nothing_ran_in(
            &browser,
            &format!("page {pages} of the portal's list"),
            PORTAL_MAIL_TEXT,
        )
        .await;
        let older = browser
            .client
            .find_all(Locator::LinkText("Older requests"))
            .await
            .unwrap();
        let Some(older) = older.into_iter().next() else {
            break;
        };
        older.click().await.unwrap();
        pages += 1;
        browser.heading("My requests").await;
    }
    for n in 1..=opened {
        let number = format!("TKT-{n:06}");
        browser
            .goto(&format!("{}/portal/tickets/{number}", site.base))
            .await;
        browser
            .until_text("//*[@id='portal-status']", &number)
            .await;
        nothing_ran_in(
            &browser,
            &format!("the portal's {number}"),
            PORTAL_MAIL_TEXT,
        )
        .await;
    }
    browser.close().await;
    site.finish().await;
}
