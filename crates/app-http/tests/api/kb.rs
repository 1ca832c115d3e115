//! The knowledge base's API (issue 19): staff write Markdown articles; the public reads and
//! searches published public ones only; bodies render inert; views and votes are counted.

use serde_json::{Value, json};

use crate::both;
use crate::helpers::{TestApp, Who};

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    who: Who,
    body: Option<Value>,
) -> (u16, Value) {
    app.json(method, path, who, body.as_ref()).await
}

both!(
    articles_are_written_by_staff_and_read_and_searched_by_everyone_as_allowed,
    async |app: &TestApp| {
        let (s, cat) = call(
            app,
            "post",
            "/api/kb/categories",
            Who::Manager,
            Some(json!({"name": "Returns & refunds"})),
        )
        .await;
        assert_eq!(s, 201, "{cat}");
        assert_eq!(cat["slug"], "returns-refunds");
        let (s, draft) = call(app, "post", "/api/kb/articles", Who::Agent, Some(json!({
            "title": "How do I return an order?",
            "body_markdown": "Print **the label**.\n\n<script>alert(1)</script>[x](javascript:alert(2))",
            "category_id": cat["id"],
        }))).await;
        assert_eq!(s, 201, "{draft}");
        assert_eq!(
            (draft["status"].as_str(), draft["slug"].as_str()),
            (Some("draft"), Some("how-do-i-return-an-order"))
        );
        let html = draft["body_html"].as_str().unwrap();
        assert!(html.contains("<strong>the label</strong>"));
        assert!(
            !html.contains("<script") && !html.contains("href=\"javascript"),
            "{html}"
        );
        let id = draft["id"].as_str().unwrap().to_owned();
        // A draft is staff's.
        assert_eq!(
            call(
                app,
                "get",
                &format!("/api/kb/articles/{id}"),
                Who::Anonymous,
                None
            )
            .await
            .0,
            404
        );
        let (_, found) = call(app, "get", "/api/kb/search?q=return", Who::Anonymous, None).await;
        assert_eq!(found, json!([]));
        let (s, published) = call(
            app,
            "patch",
            &format!("/api/kb/articles/{id}"),
            Who::Agent,
            Some(json!({"status": "published"})),
        )
        .await;
        assert_eq!(s, 200, "{published}");
        assert!(published["published_at"].is_string());

        // Anyone reads it by slug and finds it while typing; each public read is a view.
        let (s, read) = call(
            app,
            "get",
            "/api/kb/articles/how-do-i-return-an-order",
            Who::Anonymous,
            None,
        )
        .await;
        assert_eq!(s, 200, "{read}");
        let (_, found) = call(app, "get", "/api/kb/search?q=retur", Who::Customer, None).await;
        assert_eq!(found[0]["id"], json!(id), "{found}");
        call(
            app,
            "get",
            &format!("/api/kb/articles/{id}"),
            Who::Customer,
            None,
        )
        .await;
        // One vote per client and article counts.
        for helpful in [true, true, false] {
            let (s, _) = call(
                app,
                "post",
                &format!("/api/kb/articles/{id}/feedback"),
                Who::Anonymous,
                Some(json!({ "helpful": helpful })),
            )
            .await;
            assert_eq!(s, 204);
        }
        // Views are counted after the answer: wait for the count to land.
        let mut seen = Value::Null;
        for _ in 0..50 {
            seen = call(
                app,
                "get",
                &format!("/api/kb/articles/{id}"),
                Who::Agent,
                None,
            )
            .await
            .1;
            if seen["views"].as_u64() == Some(2) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(
            (
                seen["views"].as_u64(),
                seen["helpful_yes"].as_u64(),
                seen["helpful_no"].as_u64()
            ),
            (Some(2), Some(1), Some(0)),
            "{seen}"
        );

        // Internal articles: staff only, in reading and in search.
        let (s, internal) = call(
            app,
            "post",
            "/api/kb/articles",
            Who::Manager,
            Some(json!({
            "title": "Return approvals over 500", "body_markdown": "Ask a manager.",
            "status": "published", "visibility": "internal"})),
        )
        .await;
        assert_eq!(s, 201, "{internal}");
        let (_, public) = call(app, "get", "/api/kb/search?q=return", Who::Anonymous, None).await;
        assert_eq!(public.as_array().unwrap().len(), 1, "{public}");
        let (_, staff) = call(app, "get", "/api/kb/search?q=return", Who::Agent, None).await;
        assert_eq!(staff.as_array().unwrap().len(), 2, "{staff}");
        let (_, listed) = call(app, "get", "/api/kb/articles", Who::Anonymous, None).await;
        assert_eq!(listed.as_array().unwrap().len(), 1);

        // Slugs: one from a title taken gets a number; one asked for and taken is a conflict.
        let (_, twin) = call(
            app,
            "post",
            "/api/kb/articles",
            Who::Agent,
            Some(json!({"title": "How do I return an order?", "body_markdown": "Again"})),
        )
        .await;
        assert_eq!(twin["slug"], "how-do-i-return-an-order-2");
        let (s, _) = call(
            app,
            "post",
            "/api/kb/articles",
            Who::Agent,
            Some(json!({
            "title": "Other", "body_markdown": "x", "slug": "how-do-i-return-an-order"})),
        )
        .await;
        assert_eq!(s, 409);
        for (body, field) in [
            (json!({"title": " ", "body_markdown": "x"}), "title"),
            (json!({"title": "x", "status": "live"}), "status"),
            (
                json!({"title": "x", "category_id": uuid::Uuid::now_v7()}),
                "category_id",
            ),
        ] {
            let (s, problem) = call(app, "post", "/api/kb/articles", Who::Agent, Some(body)).await;
            assert_eq!(s, 422, "{problem}");
            assert!(problem["errors"][field].is_string(), "{problem}");
        }
        // Deleting is for managers and admins; a category's articles outlive it.
        assert_eq!(
            call(
                app,
                "delete",
                &format!("/api/kb/articles/{id}"),
                Who::Agent,
                None
            )
            .await
            .0,
            403
        );
        let cat_id = cat["id"].as_str().unwrap();
        assert_eq!(
            call(
                app,
                "delete",
                &format!("/api/kb/categories/{cat_id}"),
                Who::Manager,
                None
            )
            .await
            .0,
            204
        );
        let (_, orphan) = call(
            app,
            "get",
            &format!("/api/kb/articles/{id}"),
            Who::Agent,
            None,
        )
        .await;
        assert!(orphan["category_id"].is_null(), "{orphan}");
        assert_eq!(
            call(
                app,
                "delete",
                &format!("/api/kb/articles/{id}"),
                Who::Manager,
                None
            )
            .await
            .0,
            204
        );
        assert_eq!(
            call(
                app,
                "get",
                &format!("/api/kb/articles/{id}"),
                Who::Agent,
                None
            )
            .await
            .0,
            404
        );
    }
);
