//! `/verify-email` in Chromium, as the customer who registered meets it: the link from the mail
//! opens the form; a wrong password is announced and marks the field; the right one confirms.
//! At phone and desktop width, by keyboard alone, in dark mode; axe-core on every page reached,
//! and no errors in the browser's console.

use fantoccini::key::Key;

use super::Site;
use super::driver::{Browser, Size};

const PASSWORD: &str = "correct horse battery staple";
const WRONG: &str = "not the password I chose";

/// A registered customer, the link from their mail, and a browser at `size` on it.
async fn open_the_mailed_link(size: Size) -> (Site, Browser, String) {
    let site = Site::start().await;
    let email = format!("casey-{}@customer.test", uuid::Uuid::now_v7().simple());
    let link = site.register(&email, PASSWORD).await;
    let browser = Browser::open(size).await;
    browser.goto(&link).await;
    browser.heading("Confirm your address").await;
    // Its one stylesheet loaded and applied (a blocked or missing one leaves no rules).
    let rules = browser
        .client
        .execute(
            "return [...document.styleSheets].map(s => { \
               try { return s.cssRules.length; } catch (e) { return -1; } });",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        rules
            .as_array()
            .is_some_and(|r| r.len() == 1 && r[0].as_i64() > Some(0)),
        "the stylesheet did not load: rules {rules}, console {:?}",
        browser.console_errors().await
    );
    (site, browser, email)
}

/// After a wrong password: the form again, the problem announced and tied to the field.
async fn assert_wrong_password_shown(browser: &Browser) {
    let alert = browser.alert().await;
    assert!(
        alert.contains("not the password you chose when you registered"),
        "{alert}"
    );
    let field = browser.field("Password").await;
    assert_eq!(
        field.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    let described_by = field.attr("aria-describedby").await.unwrap().unwrap();
    let alert_id = browser
        .client
        .find(fantoccini::Locator::XPath("//*[@role='alert']"))
        .await
        .unwrap()
        .attr("id")
        .await
        .unwrap();
    assert_eq!(Some(described_by), alert_id, "the field names the problem");
}

async fn confirm_with_typing_and_clicks(size: Size) {
    let (site, browser, email) = open_the_mailed_link(size).await;
    browser.assert_fits().await;
    assert!(!browser.has_alert().await, "no problem before any attempt");
    browser.assert_accessible("the form").await;
    if size == Size::Phone {
        let shot = browser.screenshot("confirm-form-phone").await;
        eprintln!("screenshot: {}", shot.display());
    }

    browser
        .field("Password")
        .await
        .send_keys(WRONG)
        .await
        .unwrap();
    browser
        .button("Confirm my address")
        .await
        .click()
        .await
        .unwrap();
    assert_wrong_password_shown(&browser).await;
    browser.assert_fits().await;
    browser
        .assert_accessible("the form after a wrong password")
        .await;

    browser
        .field("Password")
        .await
        .send_keys(PASSWORD)
        .await
        .unwrap();
    browser
        .button("Confirm my address")
        .await
        .click()
        .await
        .unwrap();
    browser.heading("Address confirmed").await;
    let body = browser
        .client
        .find(fantoccini::Locator::XPath("//main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains(&email), "{body}");
    browser.assert_fits().await;
    browser.assert_accessible("the confirmation").await;

    assert_eq!(browser.console_errors().await, Vec::<String>::new());
    browser.close().await;
    site.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_confirms_the_mailed_link_on_a_phone() {
    confirm_with_typing_and_clicks(Size::Phone).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_confirms_the_mailed_link_on_a_desktop() {
    confirm_with_typing_and_clicks(Size::Desktop).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_confirmation_works_by_keyboard_alone() {
    let (site, browser, _) = open_the_mailed_link(Size::Desktop).await;
    let field = browser.field("Password").await;
    let button = browser.button("Confirm my address").await;

    // Tab reaches the field first (the hidden inputs take no focus), then the button.
    browser.press(Key::Tab).await;
    assert!(browser.has_focus(&field).await, "Tab focuses the password");
    browser.type_text(WRONG).await;
    browser.press(Key::Tab).await;
    assert!(
        browser.has_focus(&button).await,
        "Tab moves on to the button"
    );
    browser.press(Key::Enter).await;
    assert_wrong_password_shown(&browser).await;

    // Again, submitting with Enter from the field itself.
    let field = browser.field("Password").await;
    browser.press(Key::Tab).await;
    assert!(
        browser.has_focus(&field).await,
        "Tab focuses the password again"
    );
    browser.type_text(PASSWORD).await;
    browser.press(Key::Enter).await;
    browser.heading("Address confirmed").await;

    assert_eq!(browser.console_errors().await, Vec::<String>::new());
    browser.close().await;
    site.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_confirmation_stays_readable_in_dark_mode() {
    let (site, browser, _) = open_the_mailed_link(Size::Phone).await;
    browser.prefer_dark().await;
    let dark = browser
        .client
        .execute(
            "return matchMedia('(prefers-color-scheme: dark)').matches;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(dark, serde_json::Value::Bool(true), "dark mode emulated");
    // The page follows the system: light text on a dark ground (the sum of the RGB channels
    // of the text and of the page's background).
    let brightness = browser
        .client
        .execute(
            "const sum = c => c.match(/\\d+/g).slice(0, 3).reduce((a, b) => a + Number(b), 0);\n\
             return [sum(getComputedStyle(document.body).color),\n\
                     sum(getComputedStyle(document.documentElement).backgroundColor)];",
            vec![],
        )
        .await
        .unwrap();
    let (text, ground) = (brightness[0].as_u64(), brightness[1].as_u64());
    assert!(
        text > Some(600) && ground < Some(150),
        "not dark: text {text:?}, background {ground:?} (of 765)"
    );

    let readable = async |what: &str| {
        let report = browser
            .assert_accessible(&format!("{what} in dark mode"))
            .await;
        assert!(
            report.passes.iter().any(|r| r == "color-contrast"),
            "axe checked the contrast on {what}: {report:?}"
        );
        let undecided: Vec<String> = report
            .incomplete
            .iter()
            .filter(|r| r["id"] == "color-contrast")
            .map(super::axe::describe)
            .collect();
        assert!(
            undecided.is_empty(),
            "axe could not decide the contrast on {what}: {undecided:?}"
        );
    };
    readable("the form").await;
    browser
        .field("Password")
        .await
        .send_keys(WRONG)
        .await
        .unwrap();
    browser
        .button("Confirm my address")
        .await
        .click()
        .await
        .unwrap();
    assert_wrong_password_shown(&browser).await;
    readable("the form after a wrong password").await;
    browser
        .screenshot("confirm-wrong-password-phone-dark")
        .await;
    browser
        .field("Password")
        .await
        .send_keys(PASSWORD)
        .await
        .unwrap();
    browser
        .button("Confirm my address")
        .await
        .click()
        .await
        .unwrap();
    browser.heading("Address confirmed").await;
    readable("the confirmation").await;
    browser.screenshot("confirm-done-phone-dark").await;

    assert_eq!(browser.console_errors().await, Vec::<String>::new());
    browser.close().await;
    site.finish().await;
}
