//! Sign-in, one-time passwords, lockout, rate limits, sessions and revocation.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use shuanglian_tests::{PASSWORD, fields, problem, spawn_app, spawn_app_with};

#[tokio::test]
async fn new_county_admin_must_change_the_one_time_password_first() {
    let app = spawn_app().await;
    let op = app.operator_token().await;
    let v: Value = app
        .post(
            "/api/v1/platform/tenants",
            &op,
            &json!({ "code": "330523", "name": "安吉县" }),
        )
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    let otp = v["admin"]["one_time_password"]
        .as_str()
        .expect("otp")
        .to_owned();
    assert_eq!(v["admin"]["username"], "admin.330523");
    let r = app.sign_in_raw(Some("330523"), "admin.330523", &otp).await;
    let s: Value = r.json().await.expect("json");
    assert_eq!(s["must_change_password"], true);
    let tok = s["token"].as_str().expect("token").to_owned();
    // Everything but the password change, "me" and sign-out is closed.
    problem(
        app.get("/api/v1/users", &tok).send().await.expect("users"),
        403,
        "password_change_required",
    )
    .await;
    assert_eq!(
        app.get("/api/v1/me", &tok)
            .send()
            .await
            .expect("me")
            .status(),
        StatusCode::OK
    );
    // The policy is enforced and names the field.
    let r = app
        .post(
            "/api/v1/auth/password",
            &tok,
            &json!({ "current_password": otp, "new_password": "short" }),
        )
        .send()
        .await
        .expect("pw");
    let v = problem(r, 422, "validation_failed").await;
    assert_eq!(fields(&v), vec!["new_password"]);
    let r = app
        .post(
            "/api/v1/auth/password",
            &tok,
            &json!({ "current_password": "wrong-Password-1", "new_password": PASSWORD }),
        )
        .send()
        .await
        .expect("pw");
    let v = problem(r, 422, "validation_failed").await;
    assert_eq!(fields(&v), vec!["current_password"]);
    let r = app
        .post(
            "/api/v1/auth/password",
            &tok,
            &json!({ "current_password": otp, "new_password": PASSWORD }),
        )
        .send()
        .await
        .expect("pw");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    // County admins also enrol a second factor before anything else (tests/tests/totp.rs).
    app.enrol_totp(&tok, Some("330523"), "admin.330523").await;
    // The same token now works everywhere it may.
    assert_eq!(
        app.get("/api/v1/users", &tok)
            .send()
            .await
            .expect("users")
            .status(),
        StatusCode::OK
    );
    // The one-time password is gone; the new one works.
    problem(
        app.sign_in_raw(Some("330523"), "admin.330523", &otp).await,
        401,
        "invalid_credentials",
    )
    .await;
    app.sign_in(Some("330523"), "admin.330523", PASSWORD).await;
}

#[tokio::test]
async fn five_failures_lock_the_account_even_for_the_right_password() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    for i in 1..=4 {
        let r = app
            .sign_in_raw(Some(&a.code), "admin.330523", "Wrong-password-9")
            .await;
        problem(r, 401, "invalid_credentials").await;
        let _ = i;
    }
    let r = app
        .sign_in_raw(Some(&a.code), "admin.330523", "Wrong-password-9")
        .await;
    let v = problem(r, 429, "account_locked").await;
    assert!(v["detail"].as_str().expect("detail").contains("锁定"));
    let r = app
        .sign_in_raw(Some(&a.code), "admin.330523", PASSWORD)
        .await;
    assert!(r.headers().get("retry-after").is_some());
    problem(r, 429, "account_locked").await;
    // The lock is per account: another account of the county still signs in.
    let (_, otp) = app.user(&a, "branch.one", "branch_staff").await;
    app.sign_in(Some(&a.code), "branch.one", &otp).await;
    // And per county: the same name in another county is unaffected.
    let b = app.county("330522", "长兴县").await;
    let _ = b;
    app.sign_in(Some("330522"), "admin.330522", PASSWORD).await;
}

#[tokio::test]
async fn a_success_resets_the_failure_count() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    for _ in 0..4 {
        problem(
            app.sign_in_raw(Some(&a.code), "admin.330523", "Wrong-password-9")
                .await,
            401,
            "invalid_credentials",
        )
        .await;
    }
    app.sign_in(Some(&a.code), "admin.330523", PASSWORD).await;
    for _ in 0..4 {
        problem(
            app.sign_in_raw(Some(&a.code), "admin.330523", "Wrong-password-9")
                .await,
            401,
            "invalid_credentials",
        )
        .await;
    }
    app.sign_in(Some(&a.code), "admin.330523", PASSWORD).await;
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_client_address() {
    let app = spawn_app_with(|s| s.auth.signin_rate_per_minute = 3).await;
    for _ in 0..3 {
        problem(
            app.sign_in_raw(None, "nobody", "Wrong-password-9").await,
            401,
            "invalid_credentials",
        )
        .await;
    }
    let r = app.sign_in_raw(None, "operator", PASSWORD).await;
    assert!(r.headers().get("retry-after").is_some());
    problem(r, 429, "rate_limited").await;
}

#[tokio::test]
async fn unknown_county_and_unknown_user_look_like_a_wrong_password() {
    let app = spawn_app().await;
    problem(
        app.sign_in_raw(Some("330521"), "admin", PASSWORD).await,
        401,
        "invalid_credentials",
    )
    .await;
    problem(
        app.sign_in_raw(None, "ghost", PASSWORD).await,
        401,
        "invalid_credentials",
    )
    .await;
    let v = problem(
        app.sign_in_raw(Some("33052"), "admin", PASSWORD).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&v), vec!["tenant_code"]);
}

#[tokio::test]
async fn sign_out_and_session_revocation_take_effect_at_once() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    let t2 = app.sign_in(Some(&a.code), "admin.330523", PASSWORD).await;
    let t3 = app.sign_in(Some(&a.code), "admin.330523", PASSWORD).await;
    let list: Value = app
        .get("/api/v1/me/sessions", &t2)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let list = list.as_array().expect("array").clone();
    assert_eq!(list.len(), 3, "{list:?}");
    assert_eq!(list.iter().filter(|s| s["current"] == true).count(), 1);
    // t2 revokes t3's session by id.
    let me3: Value = app
        .get("/api/v1/me/sessions", &t3)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let id3 = me3
        .as_array()
        .expect("a")
        .iter()
        .find(|s| s["current"] == true)
        .expect("current")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/me/sessions/{id3}")))
        .bearer_auth(&t2)
        .send()
        .await
        .expect("revoke");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    problem(
        app.get("/api/v1/me", &t3).send().await.expect("me"),
        401,
        "unauthenticated",
    )
    .await;
    // Sign-out revokes the caller's own token.
    let r = app
        .client
        .post(app.url("/api/v1/auth/sign-out"))
        .bearer_auth(&t2)
        .send()
        .await
        .expect("out");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    problem(
        app.get("/api/v1/me", &t2).send().await.expect("me"),
        401,
        "unauthenticated",
    )
    .await;
    // The first session is untouched.
    assert_eq!(
        app.get("/api/v1/me", &a.admin_token)
            .send()
            .await
            .expect("me")
            .status(),
        StatusCode::OK
    );
}

/// Sessions are cached per process for a few seconds (crates/http/src/auth/session_cache.rs);
/// a revocation on one replica reaches the other's cache through Redis pub/sub, well inside
/// that time. (The in-process store of the SQLite pass has one replica only.)
#[tokio::test]
async fn postgres_only_a_session_revoked_on_one_replica_is_refused_by_the_other_at_once() {
    let app = spawn_app().await;
    let a = app.county("330524", "长兴县").await;
    let other = app.replica().await;
    let t = app.sign_in(Some(&a.code), "admin.330524", PASSWORD).await;
    let me = |base: String, tok: String| {
        let client = app.client.clone();
        async move {
            client
                .get(format!("{base}/api/v1/me"))
                .bearer_auth(tok)
                .send()
                .await
                .expect("me")
                .status()
        }
    };
    // The other replica has verified the token, so it holds it in its cache.
    for _ in 0..3 {
        assert_eq!(me(other.base.clone(), t.clone()).await, StatusCode::OK);
    }
    let r = app
        .client
        .post(app.url("/api/v1/auth/sign-out"))
        .bearer_auth(&t)
        .send()
        .await
        .expect("out");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    // Refused here at once, and there as soon as the message is delivered: within 1 s, where
    // the cache alone would keep it for 5.
    assert_eq!(
        me(app.base.clone(), t.clone()).await,
        StatusCode::UNAUTHORIZED
    );
    let start = std::time::Instant::now();
    while me(other.base.clone(), t.clone()).await != StatusCode::UNAUTHORIZED {
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "the other replica still accepts a revoked token"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Another session of the same account, on the other replica, is untouched.
    assert_eq!(
        me(other.base.clone(), a.admin_token.clone()).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn disabling_a_user_or_resetting_the_password_ends_their_sessions() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    let (uid, otp) = app.user(&a, "village.one", "village_recorder").await;
    let ut = app.sign_in(Some(&a.code), "village.one", &otp).await;
    let r = app
        .post(
            "/api/v1/auth/password",
            &ut,
            &json!({ "current_password": otp, "new_password": PASSWORD }),
        )
        .send()
        .await
        .expect("pw");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/v1/me", &ut)
            .send()
            .await
            .expect("me")
            .status(),
        StatusCode::OK
    );
    // Village staff cannot list users.
    problem(
        app.get("/api/v1/users", &ut).send().await.expect("users"),
        403,
        "forbidden",
    )
    .await;
    let r = app
        .post(
            &format!("/api/v1/users/{uid}/password-reset"),
            &a.admin_token,
            &json!({}),
        )
        .send()
        .await
        .expect("reset");
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    problem(
        app.get("/api/v1/me", &ut).send().await.expect("me"),
        401,
        "unauthenticated",
    )
    .await;
    let otp2 = v["one_time_password"].as_str().expect("otp");
    let ut2 = app.sign_in(Some(&a.code), "village.one", otp2).await;
    let etag = app
        .get(&format!("/api/v1/users/{uid}"), &a.admin_token)
        .send()
        .await
        .expect("get")
        .headers()["etag"]
        .to_str()
        .expect("etag")
        .to_owned();
    let r = app
        .patch(
            &format!("/api/v1/users/{uid}"),
            &a.admin_token,
            &json!({ "status": "disabled" }),
        )
        .header("If-Match", etag)
        .send()
        .await
        .expect("disable");
    assert_eq!(r.status(), StatusCode::OK);
    problem(
        app.get("/api/v1/me", &ut2).send().await.expect("me"),
        401,
        "unauthenticated",
    )
    .await;
    problem(
        app.sign_in_raw(Some(&a.code), "village.one", otp2).await,
        403,
        "account_disabled",
    )
    .await;
}

#[tokio::test]
async fn tokens_expire() {
    let app = spawn_app_with(|s| s.auth.session_ttl_secs = 1).await;
    let tok = app.operator_token().await;
    assert_eq!(
        app.get("/api/v1/me", &tok)
            .send()
            .await
            .expect("me")
            .status(),
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(2100)).await;
    problem(
        app.get("/api/v1/me", &tok).send().await.expect("me"),
        401,
        "unauthenticated",
    )
    .await;
}

#[tokio::test]
async fn missing_or_garbage_tokens_are_401_problems() {
    let app = spawn_app().await;
    let r = app
        .client
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .expect("me");
    assert_eq!(
        r.headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer")
    );
    problem(r, 401, "unauthenticated").await;
    problem(
        app.get("/api/v1/me", "sl_p_garbage")
            .send()
            .await
            .expect("me"),
        401,
        "unauthenticated",
    )
    .await;
    let r = app
        .client
        .get(app.url("/api/v1/me"))
        .header("authorization", "Basic Zm9vOmJhcg==")
        .send()
        .await
        .expect("me");
    problem(r, 401, "unauthenticated").await;
}

#[tokio::test]
async fn an_admin_editing_their_own_name_or_same_role_stays_signed_in() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    let me = format!("/api/v1/users/{}", a.admin_id);
    let etag = app
        .get(&me, &a.admin_token)
        .send()
        .await
        .expect("get")
        .headers()["etag"]
        .to_str()
        .expect("e")
        .to_owned();
    let r = app
        .patch(
            &me,
            &a.admin_token,
            &json!({ "display_name": "新名字", "role": "county_admin" }),
        )
        .header("If-Match", etag)
        .send()
        .await
        .expect("patch");
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = app
        .get("/api/v1/me", &a.admin_token)
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("json");
    assert_eq!(v["display_name"], "新名字", "still signed in: {v}");
    assert!(
        v.get("province_code").is_none(),
        "absent optional fields are omitted, not null: {v}"
    );
}

/// The lockout gate on this pass's store (in-process on SQLite, Redis on PostgreSQL): of 50
/// attempts racing for one account's window, no more than the threshold get their password
/// checked, however the checks interleave.
#[tokio::test]
async fn parallel_attempts_never_get_more_password_checks_than_the_threshold() {
    use shuanglian::auth::lockout::{self, Gate};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    let app = spawn_app().await;
    let kv = app.state.sessions.kv().clone();
    let key = format!("{}:lockout-race", app.settings.redis.key_prefix);
    let checked = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (kv, key, checked) = (kv.clone(), key.clone(), checked.clone());
            tokio::spawn(async move {
                match lockout::enter(&kv, &key, 5, Duration::from_secs(60))
                    .await
                    .expect("kv")
                {
                    // The password check takes a while, as argon2 does: every other attempt
                    // arrives while it runs.
                    Gate::Open { .. } => {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        checked.fetch_add(1, Ordering::SeqCst);
                    }
                    Gate::Locked { retry_after } => assert!(retry_after > 0),
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("task");
    }
    assert_eq!(checked.load(Ordering::SeqCst), 5);
}

/// The same over HTTP: 50 wrong guesses at once get four "wrong password" answers, and the
/// rest (and then the right password) are refused as locked.
#[tokio::test]
async fn fifty_parallel_wrong_guesses_lock_the_account_after_the_threshold() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    let guesses = (0..50).map(|i| {
        let app = &app;
        let code = a.code.clone();
        async move {
            app.sign_in_raw(Some(&code), "admin.330523", &format!("Wrong-password-{i}"))
                .await
        }
    });
    let answers = futures_util::future::join_all(guesses).await;
    let mut wrong = 0;
    let mut locked = 0;
    for r in answers {
        match r.status().as_u16() {
            401 => wrong += 1,
            429 => locked += 1,
            s => panic!("unexpected {s}"),
        }
    }
    assert_eq!((wrong, locked), (4, 46));
    let r = app
        .sign_in_raw(Some(&a.code), "admin.330523", PASSWORD)
        .await;
    problem(r, 429, "account_locked").await;
}
