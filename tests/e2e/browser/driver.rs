//! A Chromium session through the `chromedriver` that `scripts/browser.sh` starts: a fresh
//! profile per session, desktop and phone sizes, finding things the way a person does (by
//! label, role and visible text, never by CSS class), waiting for conditions with a deadline,
//! the keyboard, and the few Chromium commands WebDriver lacks (DevTools emulation, the console
//! log).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource as _, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// How long a condition may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// The window a page is looked at in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// 1280×800.
    Desktop,
    /// 375×740, with the phone's viewport rules (`<meta name="viewport">` honoured).
    Phone,
}

impl Size {
    pub fn width(self) -> u32 {
        match self {
            Size::Desktop => 1280,
            Size::Phone => 375,
        }
    }

    pub fn height(self) -> u32 {
        match self {
            Size::Desktop => 800,
            Size::Phone => 740,
        }
    }
}

fn env(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: run the suite through scripts/test.sh (it starts the browser)")
    })
}

/// Where screenshots and the fetched axe-core live: `target/browser/` of the workspace.
pub fn artefacts() -> PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/browser");
    std::fs::create_dir_all(&dir).unwrap();
    dir.canonicalize().unwrap()
}

/// An XPath string literal for `text`, whatever quotes it holds.
pub fn literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else if !text.contains('"') {
        format!("\"{text}\"")
    } else {
        let parts: Vec<String> = text.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

/// A vendor command of chromedriver: `POST /session/{id}/{path}` with a JSON body.
#[derive(Debug)]
struct Vendor {
    path: &'static str,
    body: Value,
}

impl WebDriverCompatibleCommand for Vendor {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

/// One browser session; closed (and its profile removed) by [`Browser::close`].
#[derive(Debug)]
pub struct Browser {
    pub client: Client,
    pub size: Size,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// A new headless Chromium with a fresh profile, at `size`.
    pub async fn open(size: Size) -> Self {
        let webdriver = env("FRONTDESK_TEST_WEBDRIVER");
        let profile = tempfile::Builder::new()
            .prefix("frontdesk-chromium-")
            .tempdir()
            .unwrap();
        // As root, in a closed network: no sandbox, no GPU, and none of Chromium's own
        // connections (they are refused and only slow the start).
        let args = vec![
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
            format!("--window-size={},{}", size.width(), size.height()),
        ];
        let mut options = json!({ "args": args });
        if let Ok(binary) = std::env::var("FRONTDESK_TEST_CHROMIUM") {
            options["binary"] = Value::String(binary);
        }
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": options,
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object")
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&webdriver)
            .await
            .unwrap_or_else(|e| panic!("no browser session from chromedriver at {webdriver}: {e}"));
        let browser = Self {
            client,
            size,
            _profile: profile,
        };
        if size == Size::Phone {
            browser
                .devtools(
                    "Emulation.setDeviceMetricsOverride",
                    json!({
                        "width": size.width(), "height": size.height(),
                        "deviceScaleFactor": 2, "mobile": true,
                    }),
                )
                .await;
        }
        browser
    }

    /// Ends the session; the browser and its profile go.
    pub async fn close(self) {
        self.client.close().await.unwrap();
    }

    /// A DevTools command (Chromium's `goog/cdp/execute`).
    pub async fn devtools(&self, cmd: &str, params: Value) -> Value {
        self.client
            .issue_cmd(Vendor {
                path: "goog/cdp/execute",
                body: json!({ "cmd": cmd, "params": params }),
            })
            .await
            .unwrap_or_else(|e| panic!("DevTools {cmd}: {e}"))
    }

    /// Makes the page see `prefers-color-scheme: dark`, as a system set to dark mode does.
    pub async fn prefer_dark(&self) {
        self.devtools(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": "dark" }] }),
        )
        .await;
    }

    /// The console's errors (level SEVERE) since the last call. A page the server answers with
    /// an error status on purpose (422 for a wrong password) is logged by Chromium as a failed
    /// load; that one is not an error of the page, but a stylesheet or script that fails to
    /// load, a CSP violation or a script error are.
    pub async fn console_errors(&self) -> Vec<String> {
        let page = format!("{} - ", self.client.current_url().await.unwrap());
        let log = self
            .client
            .issue_cmd(Vendor {
                path: "se/log",
                body: json!({ "type": "browser" }),
            })
            .await
            .unwrap();
        log.as_array()
            .into_iter()
            .flatten()
            .filter(|entry| entry["level"] == "SEVERE")
            .filter(|entry| {
                !(entry["source"] == "network"
                    && entry["message"]
                        .as_str()
                        .is_some_and(|m| m.starts_with(&page)))
            })
            .map(|entry| entry["message"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    /// Waits until `probe` answers, polling; fails the test after [`DEADLINE`].
    pub async fn until<T>(&self, what: &str, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
        let started = Instant::now();
        loop {
            if let Some(found) = probe().await {
                return found;
            }
            assert!(
                started.elapsed() < DEADLINE,
                "timed out after {DEADLINE:?} waiting for {what} (at {})",
                self.client
                    .current_url()
                    .await
                    .map_or_else(|e| e.to_string(), |u| u.to_string())
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The first element `xpath` finds once it is there, or None.
    async fn first(&self, xpath: &str) -> Option<Element> {
        self.client
            .find_all(Locator::XPath(xpath))
            .await
            .ok()?
            .into_iter()
            .next()
    }

    /// Waits for an element by XPath.
    pub async fn wait_for(&self, what: &str, xpath: &str) -> Element {
        self.until(what, async || self.first(xpath).await).await
    }

    /// The form field whose `<label>` reads `label` (associated by `for`, or wrapped).
    /// Looked up again while a swap replaces the label between the reads.
    pub async fn field(&self, label: &str) -> Element {
        let label_xpath = format!("//label[normalize-space()={}]", literal(label));
        self.until(&format!("the field labelled {label:?}"), async || {
            let element = self.first(&label_xpath).await?;
            match element.attr("for").await.ok()? {
                Some(id) => self.first(&format!("//*[@id={}]", literal(&id))).await,
                None => element
                    .find(Locator::XPath(".//input|.//select|.//textarea"))
                    .await
                    .ok(),
            }
        })
        .await
    }

    /// The button whose visible text is `name`.
    pub async fn button(&self, name: &str) -> Element {
        self.wait_for(
            &format!("a button {name:?}"),
            &format!(
                "//button[normalize-space()={0}]|//input[@type='submit' and @value={0}]",
                literal(name)
            ),
        )
        .await
    }

    /// The heading (`h1`–`h6` or `role="heading"`) reading `text`.
    pub async fn heading(&self, text: &str) -> Element {
        self.wait_for(
            &format!("a heading {text:?}"),
            &format!(
                "//*[(self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6 \
                 or @role='heading') and normalize-space()={}]",
                literal(text)
            ),
        )
        .await
    }

    /// The text of the first `role="alert"` (what a screen reader announces).
    pub async fn alert(&self) -> String {
        self.text("//*[@role='alert']").await
    }

    /// Whether any element has `role="alert"` now.
    pub async fn has_alert(&self) -> bool {
        self.first("//*[@role='alert']").await.is_some()
    }

    /// Presses `key` on whatever has the focus, as a keyboard does.
    pub async fn press(&self, key: Key) {
        self.keys(&[char::from(key)]).await;
    }

    /// Types `text` into whatever has the focus.
    pub async fn type_text(&self, text: &str) {
        let chars: Vec<char> = text.chars().collect();
        self.keys(&chars).await;
    }

    async fn keys(&self, chars: &[char]) {
        let mut actions = KeyActions::new("keyboard".to_owned());
        for &value in chars {
            actions = actions
                .then(KeyAction::Down { value })
                .then(KeyAction::Up { value });
        }
        self.client.perform_actions(actions).await.unwrap();
        self.client.release_actions().await.unwrap();
    }

    /// Whether `element` has the keyboard focus.
    pub async fn has_focus(&self, element: &Element) -> bool {
        self.client
            .active_element()
            .await
            .is_ok_and(|active| active.element_id() == element.element_id())
    }

    /// Fails the test when the page is wider than the window (sideways scrolling, or a phone
    /// zooming out to fit), naming the elements that stick out.
    pub async fn assert_fits(&self) {
        let v = self
            .client
            .execute(
                "const width = arguments[0];\n\
                 const out = [...document.body.querySelectorAll('*')]\n\
                   .filter(e => e.getBoundingClientRect().right > width)\n\
                   .map(e => e.outerHTML.slice(0, 80));\n\
                 return [window.innerWidth, document.documentElement.scrollWidth, out];",
                vec![json!(self.size.width())],
            )
            .await
            .unwrap();
        let (viewport, document) = (v[0].as_u64().unwrap(), v[1].as_u64().unwrap());
        assert!(
            viewport == u64::from(self.size.width()) && document <= viewport,
            "the page is {document}px wide in a {viewport}px window at {:?}; sticking out: {}",
            self.size,
            v[2]
        );
    }

    /// From now on, in every page this browser loads: any dialog (`alert`, `confirm`, `prompt`,
    /// `print`) and any call of `__fdRan(what)` (what an injected payload calls) is recorded
    /// in the tab's `sessionStorage`, before the page's own scripts run.
    pub async fn watch_for_scripts(&self) {
        self.devtools(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": "(() => {\n\
                const note = what => { try {\n\
                  const seen = JSON.parse(sessionStorage.getItem('fd-ran') || '[]');\n\
                  seen.push(String(what)); sessionStorage.setItem('fd-ran', JSON.stringify(seen));\n\
                } catch (e) {} };\n\
                window.__fdRan = note;\n\
                for (const name of ['alert', 'confirm', 'prompt', 'print']) {\n\
                  window[name] = (m) => note(name + ':' + m);\n\
                }\n\
              })();" }),
        )
        .await;
    }

    /// What [`Browser::watch_for_scripts`] recorded in this tab so far.
    pub async fn scripts_ran(&self) -> Vec<String> {
        let seen = self
            .client
            .execute(
                "return JSON.parse(sessionStorage.getItem('fd-ran') || '[]');",
                vec![],
            )
            .await
            .unwrap();
        seen.as_array()
            .into_iter()
            .flatten()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Follows the link whose visible text is `text`, as a click does.
    pub async fn follow(&self, text: &str) {
        self.click(&format!("//a[normalize-space()={}]", literal(text)))
            .await;
    }

    /// Clicks the first element `xpath` finds, once it is there (found again if a live update
    /// replaced it between the finding and the click).
    pub async fn click(&self, xpath: &str) {
        self.until(&format!("to click {xpath}"), async || {
            self.first(xpath).await?.click().await.ok()
        })
        .await;
    }

    /// The visible text of the first element `xpath` finds, once it is there.
    pub async fn text(&self, xpath: &str) -> String {
        // Retried while a page is replacing the one the element was found in.
        self.until(xpath, async || self.first(xpath).await?.text().await.ok())
            .await
    }

    /// Waits until the first element `xpath` finds reads `wanted` (its visible text contains it).
    pub async fn until_text(&self, xpath: &str, wanted: &str) {
        self.until(&format!("{xpath} to read {wanted:?}"), async || {
            let found = self.first(xpath).await?;
            found
                .text()
                .await
                .ok()
                .filter(|t| t.contains(wanted))
                .map(|_| ())
        })
        .await;
    }

    /// Saves a screenshot of the viewport as `target/browser/{name}.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.unwrap();
        let path = artefacts().join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }

    /// The whole page, beyond the window, as a PNG in the artefacts.
    pub async fn full_screenshot(&self, name: &str) -> PathBuf {
        use base64::Engine as _;
        let shot = self
            .devtools(
                "Page.captureScreenshot",
                json!({ "format": "png", "captureBeyondViewport": true }),
            )
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap();
        let path = artefacts().join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }
}
