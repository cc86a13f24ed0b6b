//! Platform operations on county tenants: create, rename, suspend, reactivate, idempotency.

use reqwest::StatusCode;
use serde_json::{Value, json};
use shuanglian_tests::{PASSWORD, fields, problem, spawn_app};

#[tokio::test]
async fn create_then_read_rename_with_etags() {
    let app = spawn_app().await;
    let op = app.operator_token().await;
    let r = app
        .post(
            "/api/v1/platform/tenants",
            &op,
            &json!({ "code": "330523", "name": "安吉县" }),
        )
        .send()
        .await
        .expect("create");
    assert_eq!(r.status(), StatusCode::CREATED);
    let location = r.headers()["location"].to_str().expect("loc").to_owned();
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["tenant"]["code"], "330523");
    assert_eq!(v["tenant"]["province_code"], "330000");
    assert_eq!(v["tenant"]["status"], "active");
    assert_eq!(v["admin"]["must_change_password"], true);
    assert!(
        v["admin"]["one_time_password"]
            .as_str()
            .is_some_and(|p| p.len() >= 16)
    );
    let id = v["tenant"]["id"].as_str().expect("id").to_owned();
    assert_eq!(location, format!("/api/v1/platform/tenants/{id}"));

    let r = app.get(&location, &op).send().await.expect("get");
    let etag = r.headers()["etag"].to_str().expect("etag").to_owned();
    // Rename: If-Match is required, a stale one is refused, the current one wins.
    let r = app
        .patch(&location, &op, &json!({ "name": "安吉县（新）" }))
        .send()
        .await
        .expect("patch");
    problem(r, 428, "if_match_required").await;
    let r = app
        .patch(&location, &op, &json!({ "name": "安吉县（新）" }))
        .header("If-Match", &etag)
        .send()
        .await
        .expect("patch");
    assert_eq!(r.status(), StatusCode::OK);
    let etag2 = r.headers()["etag"].to_str().expect("etag").to_owned();
    assert_ne!(etag, etag2);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["name"], "安吉县（新）");
    let r = app
        .patch(&location, &op, &json!({ "name": "又一个名字" }))
        .header("If-Match", &etag)
        .send()
        .await
        .expect("patch");
    problem(r, 412, "stale_version").await;
    let v: Value = app
        .get(&location, &op)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(v["name"], "安吉县（新）", "the stale write changed nothing");
}

#[tokio::test]
async fn invalid_and_duplicate_codes_name_the_field() {
    let app = spawn_app().await;
    let op = app.operator_token().await;
    for (code, err) in [
        ("33052", "invalid_division_code"),
        ("990523", "unknown_province"),
        ("330500", "not_county_level"),
        ("abcdef", "invalid_division_code"),
    ] {
        let r = app
            .post(
                "/api/v1/platform/tenants",
                &op,
                &json!({ "code": code, "name": "某县" }),
            )
            .send()
            .await
            .expect("create");
        let v = problem(r, 422, "validation_failed").await;
        assert_eq!(fields(&v), vec!["code"], "{v}");
        assert_eq!(v["errors"][0]["code"], err);
        assert!(
            v["errors"][0]["message"]
                .as_str()
                .expect("msg")
                .contains("code")
        );
    }
    // Several faults are reported together.
    let r = app
        .post(
            "/api/v1/platform/tenants",
            &op,
            &json!({ "code": "1", "name": "x", "admin_username": "A B" }),
        )
        .send()
        .await
        .expect("create");
    let v = problem(r, 422, "validation_failed").await;
    assert_eq!(fields(&v), vec!["code", "name", "admin_username"]);
    app.county("330523", "安吉县").await;
    let r = app
        .post(
            "/api/v1/platform/tenants",
            &op,
            &json!({ "code": "330523", "name": "重复" }),
        )
        .send()
        .await
        .expect("dup");
    let v = problem(r, 409, "tenant_exists").await;
    assert_eq!(fields(&v), vec!["code"]);
}

#[tokio::test]
async fn suspended_county_is_refused_with_a_clear_code_until_reactivated() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    let b = app.county("330522", "长兴县").await;
    let op = app.operator_token().await;
    let path = format!("/api/v1/platform/tenants/{}", a.id);
    let r = app
        .post(&format!("{path}/suspend"), &op, &json!({}))
        .send()
        .await
        .expect("suspend");
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["status"], "suspended");
    // The existing token, every tenant endpoint, and a new sign-in.
    for p in [
        "/api/v1/me",
        "/api/v1/users",
        "/api/v1/tenant",
        &format!("/api/v1/users/{}", a.admin_id),
    ] {
        problem(
            app.get(p, &a.admin_token).send().await.expect("get"),
            403,
            "tenant_suspended",
        )
        .await;
    }
    problem(
        app.sign_in_raw(Some(&a.code), "admin.330523", PASSWORD)
            .await,
        403,
        "tenant_suspended",
    )
    .await;
    // The neighbour is unaffected.
    assert_eq!(
        app.get("/api/v1/users", &b.admin_token)
            .send()
            .await
            .expect("b")
            .status(),
        StatusCode::OK
    );
    // Suspending twice is a conflict, not a silent success.
    problem(
        app.post(&format!("{path}/suspend"), &op, &json!({}))
            .send()
            .await
            .expect("again"),
        409,
        "status_unchanged",
    )
    .await;
    let r = app
        .post(&format!("{path}/reactivate"), &op, &json!({}))
        .send()
        .await
        .expect("reactivate");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/users", &a.admin_token)
            .send()
            .await
            .expect("a")
            .status(),
        StatusCode::OK
    );
    // Listing filters by status.
    let v: Value = app
        .get("/api/v1/platform/tenants?status=suspended", &op)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(v["items"].as_array().expect("items").len(), 0);
}

#[tokio::test]
async fn idempotency_key_replays_instead_of_creating_twice() {
    let app = spawn_app().await;
    let op = app.operator_token().await;
    let body = json!({ "code": "330523", "name": "安吉县" });
    let send = |b: &Value| {
        app.post("/api/v1/platform/tenants", &op, b)
            .header("Idempotency-Key", "create-anji-1")
            .send()
    };
    let r1 = send(&body).await.expect("first");
    assert_eq!(r1.status(), StatusCode::CREATED);
    assert!(r1.headers().get("idempotent-replayed").is_none());
    let v1: Value = r1.json().await.expect("json");
    let r2 = send(&body).await.expect("retry");
    assert_eq!(r2.status(), StatusCode::CREATED);
    assert_eq!(r2.headers()["idempotent-replayed"], "true");
    let v2: Value = r2.json().await.expect("json");
    assert_eq!(v1["tenant"]["id"], v2["tenant"]["id"]);
    assert!(
        v2["admin"]["one_time_password"].is_null(),
        "secrets are not replayed: {v2}"
    );
    let list: Value = app
        .get("/api/v1/platform/tenants", &op)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(list["items"].as_array().expect("items").len(), 1);
    let r3 = send(&json!({ "code": "330522", "name": "长兴县" }))
        .await
        .expect("reuse");
    let v = problem(r3, 422, "idempotency_key_reused").await;
    assert_eq!(fields(&v), vec!["Idempotency-Key"]);
}

#[tokio::test]
async fn operator_can_reset_a_county_admin_password() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    let (_, _) = app.user(&a, "village.x", "village_recorder").await;
    let op = app.operator_token().await;
    let r = app
        .post(
            &format!("/api/v1/platform/tenants/{}/admin-password-reset", a.id),
            &op,
            &json!({ "username": "admin.330523" }),
        )
        .send()
        .await
        .expect("reset");
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    problem(
        app.get("/api/v1/me", &a.admin_token)
            .send()
            .await
            .expect("me"),
        401,
        "unauthenticated",
    )
    .await;
    let tok = app
        .sign_in(
            Some("330523"),
            "admin.330523",
            v["one_time_password"].as_str().expect("otp"),
        )
        .await;
    problem(
        app.get("/api/v1/users", &tok).send().await.expect("users"),
        403,
        "password_change_required",
    )
    .await;
    // The reset is in the county's audit log, by the operator, without the password.
    let otp = v["one_time_password"].as_str().expect("otp");
    let r = app
        .post(
            "/api/v1/auth/password",
            &tok,
            &json!({ "current_password": otp, "new_password": PASSWORD }),
        )
        .send()
        .await
        .expect("change password");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let log: Value = app
        .get(&format!("/api/v1/audit?entity_id={}", a.admin_id), &tok)
        .send()
        .await
        .expect("audit")
        .json()
        .await
        .expect("json");
    let resets: Vec<&Value> = log["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["action"] == "user.password_reset")
        .collect();
    assert_eq!(resets.len(), 1, "{log}");
    assert_eq!(resets[0]["actor_role"], "platform_operator", "{log}");
    assert!(!log.to_string().contains(otp), "{log}");
    // Not a county admin of that county: 404.
    let r = app
        .post(
            &format!("/api/v1/platform/tenants/{}/admin-password-reset", a.id),
            &op,
            &json!({ "username": "village.x" }),
        )
        .send()
        .await
        .expect("reset");
    problem(r, 404, "not_found").await;
}

#[tokio::test]
async fn pagination_walks_every_county_once() {
    let app = spawn_app().await;
    let op = app.operator_token().await;
    let codes = ["330102", "330105", "330106", "330108", "330109"];
    for c in codes {
        let r = app
            .post(
                "/api/v1/platform/tenants",
                &op,
                &json!({ "code": c, "name": "测试区" }),
            )
            .send()
            .await
            .expect("create");
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let q = match &cursor {
            Some(c) => format!("/api/v1/platform/tenants?limit=2&cursor={c}"),
            None => "/api/v1/platform/tenants?limit=2".to_owned(),
        };
        let v: Value = app
            .get(&q, &op)
            .send()
            .await
            .expect("page")
            .json()
            .await
            .expect("json");
        pages += 1;
        for t in v["items"].as_array().expect("items") {
            seen.push(t["code"].as_str().expect("code").to_owned());
        }
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    seen.sort();
    assert_eq!(
        seen,
        codes.iter().map(|c| c.to_string()).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn expired_idempotency_keys_are_purged_per_county() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    let body = json!({ "username": "idem.user", "display_name": "甲", "role": "branch_staff" });
    let r = app
        .post("/api/v1/users", &a.admin_token, &body)
        .header("Idempotency-Key", "k-1")
        .send()
        .await
        .expect("c");
    assert_eq!(r.status(), StatusCode::CREATED);
    // Nothing is old enough yet.
    assert_eq!(
        shuanglian::api::idempotency::purge_expired(&app.state.db)
            .await
            .expect("purge"),
        0
    );
    // Age the row past the retention window, then purge: the key is gone and may be reused.
    let tid = shuanglian::tenancy::TenantId::parse(&a.id).expect("id");
    app.state
        .db
        .tenant(tid, shuanglian::db::Mode::Write, |tx| {
            use diesel::prelude::*;
            use shuanglian::db::schema::idempotency_keys as ik;
            let old = (chrono::Utc::now() - chrono::Duration::hours(25)).naive_utc();
            let t = tx.tid().to_owned();
            diesel::update(ik::table.filter(ik::tenant_id.eq(t)))
                .set(ik::created_at.eq(old))
                .execute(tx.conn())?;
            Ok(())
        })
        .await
        .expect("age");
    assert_eq!(
        shuanglian::api::idempotency::purge_expired(&app.state.db)
            .await
            .expect("purge"),
        1
    );
    let other = json!({ "username": "idem.other", "display_name": "乙", "role": "branch_staff" });
    let r = app
        .post("/api/v1/users", &a.admin_token, &other)
        .header("Idempotency-Key", "k-1")
        .send()
        .await
        .expect("c");
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "an expired key is a fresh key"
    );
}
