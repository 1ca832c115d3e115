//! Bad input gets a clear problem+json 4xx, never a 500, and is stored inert when it is text.

use frontdesk_adapters_db::testing::Fresh;
use serde_json::json;

use crate::both;
use crate::helpers::{TestApp, Who, spawn_app_with};

async fn raw(
    app: &TestApp,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (u16, String, String) {
    let r = app
        .client
        .post(app.url(path))
        .bearer_auth(app.token(Who::Agent).unwrap())
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, ct, r.text().await.unwrap())
}

both!(
    malformed_bodies_get_problem_details,
    async |app: &TestApp| {
        let t = app.ticket("Help", "please").await;
        let notes = format!("/api/tickets/{}/notes", t.id);
        let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
            (
                "application/json",
                br#"{"content": "x", "extra": 1}"#.to_vec(),
                422,
                "validation",
            ),
            (
                "application/json",
                br#"{"content": 42}"#.to_vec(),
                422,
                "validation",
            ),
            ("application/json", br#"{}"#.to_vec(), 422, "validation"),
            (
                "application/json",
                br#"{"content": "#.to_vec(),
                400,
                "bad-request",
            ),
            (
                "application/json",
                b"{\"content\": \"\xff\xfe\"}".to_vec(),
                400,
                "bad-request",
            ),
            (
                "text/plain",
                br#"{"content": "x"}"#.to_vec(),
                415,
                "unsupported-media-type",
            ),
            (
                "application/json",
                br#"{"content": "   "}"#.to_vec(),
                422,
                "validation",
            ),
        ];
        for (ct, body, want, kind) in cases {
            let (status, content_type, text) = raw(app, &notes, ct, body.clone()).await;
            assert_eq!(status, want, "{}: {text}", String::from_utf8_lossy(&body));
            assert_eq!(content_type, "application/problem+json");
            let problem: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(problem["type"], format!("urn:frontdesk:problem:{kind}"));
            assert_eq!(problem["status"], want);
        }
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_the_configured_limit_are_413() {
    let app = spawn_app_with(Fresh::sqlite().await, "[http]\nmax_json_kib = 1\n").await;
    let t = app.ticket("Help", "please").await;
    let body = serde_json::to_vec(&json!({"content": "x".repeat(5000)})).unwrap();
    let (status, _, text) = raw(
        &app,
        &format!("/api/tickets/{}/notes", t.id),
        "application/json",
        body,
    )
    .await;
    assert_eq!(status, 413, "{text}");
    app.finish().await;
}

both!(
    forged_expired_and_unsigned_tokens_are_401,
    async |app: &TestApp| {
        use base64::Engine as _;
        let b64 = |s: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let valid = app.token(Who::Admin).unwrap();
        let payload = valid.split('.').nth(1).unwrap();
        let none = format!("{}.{payload}.", b64(br#"{"alg":"none","typ":"JWT"}"#));
        let mut tampered_claims: serde_json::Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .unwrap(),
        )
        .unwrap();
        tampered_claims["role"] = json!("admin");
        tampered_claims["sub"] = json!(format!("staff:{}", app.agent.id));
        let sig = valid.split('.').nth(2).unwrap();
        let forged = format!(
            "{}.{}.{sig}",
            valid.split('.').next().unwrap(),
            b64(tampered_claims.to_string().as_bytes())
        );
        for token in [none.as_str(), forged.as_str(), "garbage", "fdk_unknown"] {
            let r = app
                .client
                .get(app.url("/api/auth/me"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 401, "{token}");
            assert!(r.headers().contains_key("www-authenticate"));
        }
        let r = app
            .client
            .get(app.url("/api/auth/me"))
            .header("authorization", "Basic YTpi")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401);
    }
);

both!(
    sql_and_html_in_text_are_inert_and_header_injection_is_refused,
    async |app: &TestApp| {
        let (status, t) = app
            .json(
                "post",
                "/api/tickets",
                Who::Customer,
                Some(&json!({
                "subject": "<script>alert(1)</script> '; DROP TABLE tickets; --",
                "description": "<img src=x onerror=alert(1)> Robert'); DROP TABLE staff;--"})),
            )
            .await;
        assert_eq!(status, 201, "{t}");
        let (_, back) = app
            .json(
                "get",
                &format!("/api/tickets/{}", t["id"].as_str().unwrap()),
                Who::Agent,
                None,
            )
            .await;
        assert_eq!(
            back["subject"],
            "<script>alert(1)</script> '; DROP TABLE tickets; --"
        );
        let (status, found) = app
            .json(
                "get",
                "/api/tickets?q=%27%3B%20DROP%20TABLE%20tickets%3B%20--%20%22%20OR%201%3D1",
                Who::Agent,
                None,
            )
            .await;
        assert_eq!(status, 200, "{found}");
        let (status, listed) = app.json("get", "/api/tickets", Who::Admin, None).await;
        assert_eq!(status, 200);
        assert_eq!(listed["total"], 1, "the tickets table is intact");
        let (status, problem) = app
            .json(
                "post",
                "/api/tickets",
                Who::Customer,
                Some(&json!({
                "subject": "Hello\r\nBcc: everyone@example.com", "description": "x"})),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert!(problem["errors"]["subject"].is_string());
    }
);

both!(
    unknown_routes_methods_ids_and_parameters_are_4xx,
    async |app: &TestApp| {
        let cases = [
            ("get", "/api/nothing-here", 404),
            ("delete", "/api/tickets", 405),
            ("get", "/api/tickets/not-a-ticket", 404),
            ("get", "/api/tickets/TKT-999999", 404),
            ("get", "/api/tickets?limit=abc", 400),
            ("get", "/api/tickets?limit=100000", 400),
            ("get", "/api/tickets?status=sideways", 400),
            ("get", "/api/tickets?bogus=1", 400),
            ("get", "/api/tickets?after=not-a-cursor", 400),
            ("get", "/api/tickets?created_from=yesterday", 400),
            ("put", "/api/staff/not-a-uuid/status", 404),
        ];
        for (method, path, want) in cases {
            let r = app.call(method, path, Who::Admin, None).await;
            let status = r.status().as_u16();
            let ct = r
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_owned());
            assert_eq!(status, want, "{method} {path}: {}", r.text().await.unwrap());
            assert_eq!(
                ct.as_deref(),
                Some("application/problem+json"),
                "{method} {path}"
            );
        }
    }
);
