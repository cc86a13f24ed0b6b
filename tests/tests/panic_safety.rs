//! Panic safety (issue 11, item 1): a panic inside a tenant transaction answers a 500
//! problem+json, its writes are rolled back, and the connection it held never goes back into
//! the pool in a transaction, so every write acknowledged afterwards survives a restart.
//! Before the fix the panicked transaction stayed open on a pooled connection and every later
//! write on that connection ran in a savepoint that never committed.

use reqwest::StatusCode;
use serde_json::{Value, json};
use shuanglian_tests::{PASSWORD, problem, spawn_app};

async fn usernames(app: &shuanglian_tests::TestApp, token: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/users?limit=100&cursor={c}"),
            None => "/api/v1/users?limit=100".to_owned(),
        };
        let r = app.get(&path, token).send().await.expect("list users");
        assert_eq!(r.status(), StatusCode::OK);
        let v: Value = r.json().await.expect("json");
        for u in v["items"].as_array().expect("items") {
            names.push(u["username"].as_str().expect("username").to_owned());
        }
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return names,
        }
    }
}

#[tokio::test]
async fn a_panic_in_a_tenant_transaction_loses_no_acknowledged_write() {
    let app = spawn_app().await;
    let county = app.county("330523", "安吉县").await;
    let me: Value = app
        .get("/api/v1/me", &county.admin_token)
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("json");
    let admin = me["username"].as_str().expect("username").to_owned();

    // The next tenant transaction panics after its insert ran, before it commits.
    app.state.db.inject_panic_once();
    let r = app
        .post(
            "/api/v1/users",
            &county.admin_token,
            &json!({ "username": "panicked.one", "display_name": "回滚", "role": "branch_staff" }),
        )
        .send()
        .await
        .expect("send");
    let body = problem(r, 500, "internal_error").await;
    assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()));

    // Every later request is unharmed: 30 writes, each acknowledged.
    for i in 0..30 {
        let r = app
            .post(
                "/api/v1/users",
                &county.admin_token,
                &json!({ "username": format!("after.{i:02}"), "display_name": "之后", "role": "branch_staff" }),
            )
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::CREATED, "write {i}");
    }
    let (connections, idle) = app.state.db.pool_state();
    assert!(idle <= connections);

    // A restart drops every pooled connection: only committed writes remain.
    let app = app.restart().await;
    app.forget_totp_step(Some("330523"), &admin).await;
    let token = app.sign_in(Some("330523"), &admin, PASSWORD).await;
    let names = usernames(&app, &token).await;
    for i in 0..30 {
        let n = format!("after.{i:02}");
        assert!(names.contains(&n), "{n} was acknowledged and must survive");
    }
    assert!(
        !names.iter().any(|n| n == "panicked.one"),
        "the panicked transaction was rolled back"
    );
}

/// Many panics in a row never exhaust or poison the pool: each one's connection is discarded
/// and replaced, and reads and writes keep working.
#[tokio::test]
async fn repeated_panics_leave_the_pool_healthy() {
    let app = spawn_app().await;
    let county = app.county("330522", "长兴县").await;
    let pool_size = app.settings.database.pool_size;
    for i in 0..(pool_size * 2) {
        app.state.db.inject_panic_once();
        let r = app
            .post(
                "/api/v1/users",
                &county.admin_token,
                &json!({ "username": format!("lost.{i}"), "display_name": "回滚", "role": "branch_staff" }),
            )
            .send()
            .await
            .expect("send");
        problem(r, 500, "internal_error").await;
    }
    let r = app
        .post(
            "/api/v1/users",
            &county.admin_token,
            &json!({ "username": "kept", "display_name": "保留", "role": "branch_staff" }),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::CREATED);
    let names = usernames(&app, &county.admin_token).await;
    assert!(names.iter().any(|n| n == "kept"));
    assert!(!names.iter().any(|n| n.starts_with("lost.")), "{names:?}");
}
