//! Graceful shutdown: in-flight requests finish, readiness turns off, new connections are refused.

use std::time::Duration;

use reqwest::StatusCode;
use shuanglian_tests::{PASSWORD, spawn_app};

#[tokio::test]
async fn in_flight_requests_finish_after_shutdown_is_requested() {
    let mut app = spawn_app().await;
    let url = app.url("/api/v1/auth/sign-in");
    // An account without a second factor: concurrent sign-ins of one account with a second
    // factor would share one code, which is accepted only once.
    let c = app.county("330523", "安吉县").await;
    app.staff(&c, "branch.one", "branch_staff", None).await;
    let body = serde_json::json!({ "tenant_code": "330523", "username": "branch.one", "password": PASSWORD });
    // Sign-ins are slow on purpose (argon2), so these are still running when shutdown begins.
    let mut inflight = Vec::new();
    for _ in 0..6 {
        let c = app.client.clone();
        let (u, b) = (url.clone(), body.clone());
        inflight.push(tokio::spawn(async move {
            c.post(u).json(&b).send().await.map(|r| r.status())
        }));
    }
    tokio::time::sleep(Duration::from_millis(30)).await;
    app.trigger_shutdown();
    for h in inflight {
        let status = h.await.expect("join").expect("in-flight request completed");
        assert_eq!(status, StatusCode::OK);
    }
    let server = app.server.take().expect("server");
    tokio::time::timeout(Duration::from_secs(15), server)
        .await
        .expect("server stopped in time")
        .expect("join")
        .expect("clean exit");
    let fresh = reqwest::Client::new();
    assert!(
        fresh.get(app.url("/healthz")).send().await.is_err(),
        "no longer accepting"
    );
}
