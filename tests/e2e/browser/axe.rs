//! axe-core on the page in the browser: the copy `scripts/browser.sh` fetched from npm is
//! injected through WebDriver (Chromium runs WebDriver scripts outside the page's CSP, so the
//! page keeps `default-src 'none'`), then `axe.run()` checks the whole document.
//!
//! Threshold: a violation of impact `serious` or `critical` fails the test; `moderate` and
//! `minor` ones are printed with the test's output so they stay visible (docs/decisions.md).

use serde_json::Value;

use super::driver::Browser;

/// Impacts that fail a test.
const FAILING: [&str; 2] = ["serious", "critical"];

/// What one axe run found.
#[derive(Debug)]
pub struct Report {
    pub version: String,
    /// Ids of the rules that passed (with at least one node checked).
    pub passes: Vec<String>,
    /// The rules axe could not decide, with their nodes.
    pub incomplete: Vec<Value>,
    pub violations: Vec<Value>,
}

fn ids(results: &Value, kind: &str) -> Vec<String> {
    results[kind]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["id"].as_str().map(str::to_owned))
        .collect()
}

/// One line per violation: rule, impact, help and the offending nodes.
pub fn describe(violation: &Value) -> String {
    let nodes: Vec<String> = violation["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| {
            format!(
                "{} ({})",
                n["html"].as_str().unwrap_or_default(),
                n["failureSummary"]
                    .as_str()
                    .unwrap_or_default()
                    .replace('\n', " ")
            )
        })
        .collect();
    format!(
        "[{}] {}: {} — {}",
        violation["impact"].as_str().unwrap_or("?"),
        violation["id"].as_str().unwrap_or("?"),
        violation["help"].as_str().unwrap_or_default(),
        nodes.join("; ")
    )
}

impl Browser {
    /// Runs axe-core on the current page. Fails the test, listing them, on any violation of
    /// impact serious or critical; `what` names the page in the message.
    pub async fn assert_accessible(&self, what: &str) -> Report {
        let path = std::env::var("FRONTDESK_TEST_AXE").unwrap_or_else(|_| {
            panic!("FRONTDESK_TEST_AXE is not set: run the suite through scripts/test.sh")
        });
        let source = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("axe-core at {path}: {e} (scripts/browser.sh fetches it)"));
        let loaded = self.client.execute(&source, vec![]).await;
        loaded.unwrap_or_else(|e| panic!("injecting axe-core: {e}"));
        let results = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];\n\
                 if (typeof axe === 'undefined') { done({ error: 'axe is not defined' }); return; }\n\
                 axe.run(document, { resultTypes: ['violations'] })\n\
                   .then(r => done({ version: r.testEngine.version, passes: r.passes,\n\
                                     incomplete: r.incomplete, violations: r.violations }),\n\
                         e => done({ error: String(e) }));",
                vec![],
            )
            .await
            .unwrap_or_else(|e| panic!("running axe-core: {e}"));
        assert!(
            results["error"].is_null(),
            "axe-core did not run on {what}: {}",
            results["error"]
        );
        let report = Report {
            version: results["version"].as_str().unwrap_or_default().to_owned(),
            passes: ids(&results, "passes"),
            incomplete: results["incomplete"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
            violations: results["violations"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
        };
        // A run that checked nothing would pass anything: make sure it looked at the page.
        assert!(
            report.passes.len() >= 10,
            "axe-core checked almost nothing on {what}: {report:?}"
        );
        let (failing, other): (Vec<&Value>, Vec<&Value>) = report
            .violations
            .iter()
            .partition(|v| FAILING.contains(&v["impact"].as_str().unwrap_or_default()));
        for v in other {
            eprintln!("axe (below threshold) on {what}: {}", describe(v));
        }
        assert!(
            failing.is_empty(),
            "axe-core {} found serious or critical violations on {what}:\n{}",
            report.version,
            failing
                .iter()
                .map(|v| describe(v))
                .collect::<Vec<_>>()
                .join("\n")
        );
        report
    }
}
