//! Two counties: every tenant-scoped endpoint, called with one county's token and the other's
//! ids, answers 404 (or refuses) and returns none of the other county's data.

use reqwest::StatusCode;
use serde_json::{Value, json};
use shuanglian_tests::{PASSWORD, problem, spawn_app};

#[tokio::test]
async fn other_countys_ids_are_404_on_every_tenant_endpoint() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    let b = app.county("330522", "长兴县").await;
    let (a_user, _) = app.user(&a, "village.anji", "village_recorder").await;
    let a_sessions: Value = app
        .get("/api/v1/me/sessions", &a.admin_token)
        .send()
        .await
        .expect("s")
        .json()
        .await
        .expect("j");
    let a_session = a_sessions[0]["id"].as_str().expect("session id").to_owned();

    // B's admin reaching for A's rows by id.
    let t = &b.admin_token;
    for id in [&a_user, &a.admin_id] {
        let r = app
            .get(&format!("/api/v1/users/{id}"), t)
            .send()
            .await
            .expect("get");
        let v = problem(r, 404, "not_found").await;
        assert!(
            !v.to_string().contains(id.as_str()),
            "no trace of the row: {v}"
        );
        let r = app
            .patch(
                &format!("/api/v1/users/{id}"),
                t,
                &json!({ "display_name": "篡改" }),
            )
            .header("If-Match", "\"v1\"")
            .send()
            .await
            .expect("patch");
        problem(r, 404, "not_found").await;
        let r = app
            .post(&format!("/api/v1/users/{id}/password-reset"), t, &json!({}))
            .send()
            .await
            .expect("reset");
        problem(r, 404, "not_found").await;
    }
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/me/sessions/{a_session}")))
        .bearer_auth(t)
        .send()
        .await
        .expect("delete");
    problem(r, 404, "not_found").await;

    // A's session survived the attempt, and A's row was not changed.
    let r = app
        .get(&format!("/api/v1/users/{a_user}"), &a.admin_token)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["display_name"], "测试用户");

    // Lists and the tenant endpoint show only the caller's county.
    let list: Value = app
        .get("/api/v1/users?limit=200", t)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let ids: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|u| u["id"].as_str().expect("id"))
        .collect();
    assert!(
        !ids.contains(&a_user.as_str()) && !ids.contains(&a.admin_id.as_str()),
        "{list}"
    );
    assert!(ids.contains(&b.admin_id.as_str()));
    let tenant: Value = app
        .get("/api/v1/tenant", t)
        .send()
        .await
        .expect("tenant")
        .json()
        .await
        .expect("json");
    assert_eq!(tenant["code"], "330522");
    assert_eq!(tenant["id"], b.id.as_str());
}

#[tokio::test]
async fn same_username_in_two_counties_is_not_a_conflict() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    let b = app.county("330522", "长兴县").await;
    let (ua, _) = app.user(&a, "zhang.san", "branch_staff").await;
    let (ub, _) = app.user(&b, "zhang.san", "branch_staff").await;
    assert_ne!(ua, ub);
    // Within one county the name is unique.
    let r = app
        .post(
            "/api/v1/users",
            &a.admin_token,
            &json!({ "username": "zhang.san", "display_name": "张三", "role": "branch_staff" }),
        )
        .send()
        .await
        .expect("dup");
    problem(r, 409, "username_taken").await;
}

#[tokio::test]
async fn a_token_cannot_be_replayed_under_another_countys_scope() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    let b = app.county("330522", "长兴县").await;
    // Swap the scope segment of A's token for B's tenant id: the digest no longer matches.
    let secret = a.admin_token.rsplit('_').next().expect("secret");
    let forged = format!("sl_{}_{}", b.id.replace('-', ""), secret);
    let r = app.get("/api/v1/me", &forged).send().await.expect("me");
    problem(r, 401, "unauthenticated").await;
    // A county user signing in with the other county's code is just a wrong password.
    let r = app
        .sign_in_raw(Some(&b.code), "admin.330523", PASSWORD)
        .await;
    problem(r, 401, "invalid_credentials").await;
}

#[tokio::test]
async fn platform_endpoints_refuse_county_users_and_county_endpoints_refuse_platform_users() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    for path in [
        "/api/v1/platform/tenants",
        "/api/v1/platform/provinces",
        &format!("/api/v1/platform/tenants/{}", a.id),
    ] {
        let r = app.get(path, &a.admin_token).send().await.expect("get");
        problem(r, 403, "forbidden").await;
    }
    let op = app.operator_token().await;
    for path in [
        "/api/v1/users",
        "/api/v1/tenant",
        &format!("/api/v1/users/{}", a.admin_id),
    ] {
        let r = app.get(path, &op).send().await.expect("get");
        problem(r, 403, "tenant_required").await;
    }
}

#[tokio::test]
async fn idempotency_keys_are_scoped_to_the_county() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    let b = app.county("330522", "长兴县").await;
    let body = json!({ "username": "same.key", "display_name": "同名", "role": "branch_staff" });
    let ra = app
        .post("/api/v1/users", &a.admin_token, &body)
        .header("Idempotency-Key", "shared-key")
        .send()
        .await
        .expect("a");
    let rb = app
        .post("/api/v1/users", &b.admin_token, &body)
        .header("Idempotency-Key", "shared-key")
        .send()
        .await
        .expect("b");
    assert_eq!(
        (ra.status(), rb.status()),
        (StatusCode::CREATED, StatusCode::CREATED)
    );
    assert!(
        rb.headers().get("idempotent-replayed").is_none(),
        "B's request is not a replay of A's"
    );
    let (va, vb): (Value, Value) = (ra.json().await.expect("a"), rb.json().await.expect("b"));
    assert_ne!(va["user"]["id"], vb["user"]["id"]);
    assert!(vb["credential"]["one_time_password"].is_string());
}
