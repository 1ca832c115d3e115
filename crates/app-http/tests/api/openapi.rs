//! The OpenAPI document covers every route, and Swagger UI is served from compiled-in files.

use frontdesk_adapters_db::testing::Fresh;
use frontdesk_http::routes::ENDPOINTS;

use crate::helpers::{Who, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_covers_every_route_and_swagger_ui_is_served() {
    let app = spawn_app(Fresh::sqlite().await).await;
    let (status, doc) = app
        .json("get", "/api/openapi.json", Who::Anonymous, None)
        .await;
    assert_eq!(status, 200);
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    for e in ENDPOINTS {
        assert!(
            doc["paths"][e.path][e.method].is_object(),
            "{} {} is not in the OpenAPI document",
            e.method,
            e.path
        );
    }
    let paths = doc["paths"].as_object().unwrap();
    let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(
        documented,
        ENDPOINTS.len(),
        "the document lists no route the server lacks"
    );
    let ui = app.client.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(ui.status().as_u16(), 200);
    assert!(ui.text().await.unwrap().contains("swagger"));
    app.finish().await;
}
