//! The TOTP second factor (RFC 6238): enrolment, the enrolment gate for roles that must have
//! one, sign-in with and without codes, replay, clock skew, lockout, resets (platform and
//! county, across counties) and disabling an optional one.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use shuanglian_tests::{
    OPERATOR, PASSWORD, TestApp, fields, problem, spawn_app, totp_code, totp_code_at, unix_now,
};

/// Waits until at least 10 s are left in the current 30-second step, so codes computed now
/// keep their meaning for the next few requests.
async fn settle() {
    let left = 30 - unix_now() % 30;
    if left < 10 {
        tokio::time::sleep(Duration::from_secs(left + 1)).await;
    }
}

async fn json_of(r: reqwest::Response) -> (StatusCode, Value) {
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// Audit actions recorded about an entity, oldest first.
async fn audit_actions(app: &TestApp, token: &str, entity: &str) -> Vec<String> {
    let v: Value = app
        .get(
            &format!("/api/v1/audit?entity_id={entity}&limit=200"),
            token,
        )
        .send()
        .await
        .expect("audit")
        .json()
        .await
        .expect("json");
    v["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"))
        .iter()
        .map(|e| e["action"].as_str().expect("action").to_owned())
        .collect()
}

#[tokio::test]
async fn a_new_county_admin_must_enrol_before_anything_else() {
    let app = spawn_app().await;
    let op = app.operator_token().await;
    let (_, v) = json_of(
        app.post(
            "/api/v1/platform/tenants",
            &op,
            &json!({ "code": "330523", "name": "安吉县" }),
        )
        .send()
        .await
        .expect("create"),
    )
    .await;
    let otp = v["admin"]["one_time_password"].as_str().expect("otp");
    let admin_id = v["admin"]["user_id"].as_str().expect("id").to_owned();
    let (s, v) = json_of(
        app.sign_in_with_code(Some("330523"), "admin.330523", otp, None)
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["must_change_password"], true);
    assert_eq!(v["totp_enrolment_required"], true);
    let tok = v["token"].as_str().expect("token").to_owned();
    // The password comes first: enrolment is closed until it is changed.
    problem(
        app.post("/api/v1/auth/totp/enrol", &tok, &json!({}))
            .send()
            .await
            .expect("enrol"),
        403,
        "password_change_required",
    )
    .await;
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
    // Then everything but enrolment, "me", password and sign-out is closed.
    for path in ["/api/v1/users", "/api/v1/members", "/api/v1/audit"] {
        problem(
            app.get(path, &tok).send().await.expect("get"),
            403,
            "totp_enrolment_required",
        )
        .await;
    }
    let (s, me) = json_of(app.get("/api/v1/me", &tok).send().await.expect("me")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (&me["totp_enrolled"], &me["totp_enrolment_required"]),
        (&json!(false), &json!(true)),
        "{me}"
    );
    // A second session opened before enrolment ends when the second factor is confirmed.
    let (_, other) = json_of(
        app.sign_in_with_code(Some("330523"), "admin.330523", PASSWORD, None)
            .await,
    )
    .await;
    let other = other["token"].as_str().expect("token").to_owned();

    let r = app
        .post("/api/v1/auth/totp/enrol", &tok, &json!({}))
        .send()
        .await
        .expect("enrol");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let first: Value = r.json().await.expect("json");
    // Enrolling again before confirming replaces the secret; the first one is worthless.
    let (_, e) = json_of(
        app.post("/api/v1/auth/totp/enrol", &tok, &json!({}))
            .send()
            .await
            .expect("enrol"),
    )
    .await;
    let secret = e["secret"].as_str().expect("secret").to_owned();
    assert_ne!(first["secret"], e["secret"]);
    assert_eq!(secret.len(), 32, "160 bits in base32");
    assert_eq!(e["account"], "admin.330523@330523");
    assert_eq!(e["issuer"], "双联 Shuanglian");
    assert_eq!(
        (&e["algorithm"], &e["digits"], &e["period"]),
        (&json!("SHA1"), &json!(6), &json!(30))
    );
    let uri = e["otpauth_uri"].as_str().expect("uri");
    assert!(
        uri.starts_with("otpauth://totp/")
            && uri.contains(&format!("secret={secret}"))
            && uri.contains("admin.330523%40330523")
            && uri.contains("issuer=%E5%8F%8C%E8%81%94%20Shuanglian"),
        "{uri}"
    );
    settle().await;
    let stale = totp_code(first["secret"].as_str().expect("secret"));
    let v = problem(
        app.post("/api/v1/auth/totp/confirm", &tok, &json!({ "code": stale }))
            .send()
            .await
            .expect("confirm"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&v), vec!["code"]);
    assert_eq!(v["errors"][0]["code"], "totp_invalid");
    let (s, v) = json_of(
        app.post(
            "/api/v1/auth/totp/confirm",
            &tok,
            &json!({ "code": totp_code(&secret) }),
        )
        .send()
        .await
        .expect("confirm"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v, json!({ "enrolled": true, "required": true }));
    // The same token now works everywhere; the session opened without the factor is gone.
    assert_eq!(
        app.get("/api/v1/users", &tok)
            .send()
            .await
            .expect("users")
            .status(),
        StatusCode::OK
    );
    problem(
        app.get("/api/v1/me", &other).send().await.expect("me"),
        401,
        "unauthenticated",
    )
    .await;
    let (_, me) = json_of(app.get("/api/v1/me", &tok).send().await.expect("me")).await;
    assert_eq!(
        (&me["totp_enrolled"], &me["totp_enrolment_required"]),
        (&json!(true), &json!(false))
    );
    assert!(
        !me.to_string().contains(&secret),
        "the secret is shown once"
    );
    problem(
        app.post("/api/v1/auth/totp/enrol", &tok, &json!({}))
            .send()
            .await
            .expect("enrol"),
        409,
        "totp_already_enrolled",
    )
    .await;
    problem(
        app.post(
            "/api/v1/auth/totp/confirm",
            &tok,
            &json!({ "code": totp_code(&secret) }),
        )
        .send()
        .await
        .expect("confirm"),
        409,
        "totp_already_enrolled",
    )
    .await;
    assert!(
        audit_actions(&app, &tok, &admin_id)
            .await
            .contains(&"user.totp_enrol".to_owned())
    );
}

#[tokio::test]
async fn sign_in_needs_the_code_once_enrolled_and_never_accepts_it_twice() {
    let app = spawn_app().await;
    app.county("330523", "安吉县").await;
    let secret = app
        .totp_secret(Some("330523"), "admin.330523")
        .expect("enrolled by the harness");
    let sign_in = |code: Option<String>| {
        let app = &app;
        async move {
            app.sign_in_with_code(Some("330523"), "admin.330523", PASSWORD, code.as_deref())
                .await
        }
    };
    // Without a code: 401, and the problem says what is missing.
    let v = problem(sign_in(None).await, 401, "totp_required").await;
    assert!(v["detail"].as_str().expect("d").contains("动态码"), "{v}");
    problem(sign_in(Some("000000".into())).await, 401, "totp_invalid").await;
    problem(sign_in(Some("12345".into())).await, 401, "totp_invalid").await;
    // A wrong password with a right code is still a wrong password.
    settle().await;
    app.forget_totp_step(Some("330523"), "admin.330523").await;
    let now = unix_now();
    problem(
        app.sign_in_with_code(
            Some("330523"),
            "admin.330523",
            "Wrong-password-9",
            Some(&totp_code_at(&secret, now)),
        )
        .await,
        401,
        "invalid_credentials",
    )
    .await;
    let (s, v) = json_of(sign_in(Some(totp_code_at(&secret, now))).await).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["totp_enrolment_required"], false);
    // The same code again, or the previous step's: replayed.
    problem(
        sign_in(Some(totp_code_at(&secret, now))).await,
        401,
        "totp_replayed",
    )
    .await;
    problem(
        sign_in(Some(totp_code_at(&secret, now - 30))).await,
        401,
        "totp_replayed",
    )
    .await;
    // One step ahead (a phone clock running fast) is fine, once.
    assert_eq!(
        sign_in(Some(totp_code_at(&secret, now + 30)))
            .await
            .status(),
        StatusCode::OK
    );
    problem(
        sign_in(Some(totp_code_at(&secret, now + 30))).await,
        401,
        "totp_replayed",
    )
    .await;
    // One step behind (slow clock, slow typing) is fine; two steps either way are not.
    app.forget_totp_step(Some("330523"), "admin.330523").await;
    assert_eq!(
        sign_in(Some(totp_code_at(&secret, now - 30)))
            .await
            .status(),
        StatusCode::OK
    );
    app.forget_totp_step(Some("330523"), "admin.330523").await;
    problem(
        sign_in(Some(totp_code_at(&secret, now - 60))).await,
        401,
        "totp_invalid",
    )
    .await;
    problem(
        sign_in(Some(totp_code_at(&secret, now + 60))).await,
        401,
        "totp_invalid",
    )
    .await;
    // Spaces as apps display them are fine.
    let c = totp_code_at(&secret, now);
    assert_eq!(
        sign_in(Some(format!("{} {}", &c[..3], &c[3..])))
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn wrong_codes_count_towards_the_lockout_and_missing_ones_do_not() {
    let app = spawn_app().await;
    app.county("330523", "安吉县").await;
    let secret = app
        .totp_secret(Some("330523"), "admin.330523")
        .expect("secret");
    // A right password without a code is not a failed guess.
    for _ in 0..6 {
        problem(
            app.sign_in_with_code(Some("330523"), "admin.330523", PASSWORD, None)
                .await,
            401,
            "totp_required",
        )
        .await;
    }
    // Wrong codes are: the fifth failure locks the account, whatever comes next.
    for _ in 0..3 {
        problem(
            app.sign_in_with_code(Some("330523"), "admin.330523", PASSWORD, Some("000001"))
                .await,
            401,
            "totp_invalid",
        )
        .await;
    }
    problem(
        app.sign_in_with_code(Some("330523"), "admin.330523", "Wrong-password-9", None)
            .await,
        401,
        "invalid_credentials",
    )
    .await;
    let r = app
        .sign_in_with_code(Some("330523"), "admin.330523", PASSWORD, Some("000002"))
        .await;
    problem(r, 429, "account_locked").await;
    app.forget_totp_step(Some("330523"), "admin.330523").await;
    let r = app
        .sign_in_with_code(
            Some("330523"),
            "admin.330523",
            PASSWORD,
            Some(&totp_code(&secret)),
        )
        .await;
    assert!(r.headers().get("retry-after").is_some());
    problem(r, 429, "account_locked").await;
}

#[tokio::test]
async fn a_platform_operator_resets_a_county_admins_second_factor_audited() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    let b = app.county("330522", "长兴县").await;
    let op = app.operator_token().await;
    let reset = |tenant: &str, username: &str, token: &str| {
        app.post(
            &format!("/api/v1/platform/tenants/{tenant}/admin-totp-reset"),
            token,
            &json!({ "username": username }),
        )
        .send()
    };
    // Only a county admin of that county; only the platform operator may.
    problem(
        reset(&a.id, "admin.330522", &op).await.expect("r"),
        404,
        "not_found",
    )
    .await;
    app.staff(&a, "branch.one", "branch_staff", None).await;
    problem(
        reset(&a.id, "branch.one", &op).await.expect("r"),
        404,
        "not_found",
    )
    .await;
    problem(
        reset(&uuid::Uuid::now_v7().to_string(), "admin.330523", &op)
            .await
            .expect("r"),
        404,
        "not_found",
    )
    .await;
    problem(
        reset(&a.id, "admin.330523", &a.admin_token)
            .await
            .expect("r"),
        403,
        "forbidden",
    )
    .await;
    let r = reset(&a.id, "admin.330523", &op).await.expect("r");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    // The admin's sessions end; the next sign-in needs no code and asks for enrolment.
    problem(
        app.get("/api/v1/me", &a.admin_token)
            .send()
            .await
            .expect("me"),
        401,
        "unauthenticated",
    )
    .await;
    problem(
        reset(&a.id, "admin.330523", &op).await.expect("r"),
        409,
        "totp_not_enrolled",
    )
    .await;
    let (s, v) = json_of(
        app.sign_in_with_code(Some("330523"), "admin.330523", PASSWORD, None)
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["totp_enrolment_required"], true);
    let tok = v["token"].as_str().expect("token").to_owned();
    problem(
        app.get("/api/v1/users", &tok).send().await.expect("users"),
        403,
        "totp_enrolment_required",
    )
    .await;
    app.enrol_totp(&tok, Some("330523"), "admin.330523").await;
    let actions = audit_actions(&app, &tok, &a.admin_id).await;
    assert!(
        actions.contains(&"user.totp_reset".to_owned()),
        "{actions:?}"
    );
    // The other county's admin is untouched.
    app.sign_in(Some("330522"), "admin.330522", PASSWORD).await;
    assert!(
        !audit_actions(&app, &b.admin_token, &b.admin_id)
            .await
            .contains(&"user.totp_reset".to_owned())
    );
}

#[tokio::test]
async fn a_county_admin_resets_second_factors_in_their_own_county_only() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    let b = app.county("330522", "长兴县").await;
    let (staff_id, staff_tok) = app.staff(&a, "branch.one", "branch_staff", None).await;
    app.enrol_totp(&staff_tok, Some("330523"), "branch.one")
        .await;
    let reset = |id: &str, token: &str| {
        app.post(&format!("/api/v1/users/{id}/totp-reset"), token, &json!({}))
            .send()
    };
    // Another county's users do not exist for this admin.
    for id in [&staff_id, &a.admin_id] {
        problem(
            reset(id, &b.admin_token).await.expect("r"),
            404,
            "not_found",
        )
        .await;
    }
    problem(
        reset(&uuid::Uuid::now_v7().to_string(), &a.admin_token)
            .await
            .expect("r"),
        404,
        "not_found",
    )
    .await;
    problem(
        reset("not-an-id", &a.admin_token).await.expect("r"),
        404,
        "not_found",
    )
    .await;
    // Only county admins reset.
    problem(
        reset(&a.admin_id, &staff_tok).await.expect("r"),
        403,
        "forbidden",
    )
    .await;
    // The platform operator has no county.
    let op = app.operator_token().await;
    problem(
        reset(&staff_id, &op).await.expect("r"),
        403,
        "tenant_required",
    )
    .await;
    problem(
        app.sign_in_with_code(Some("330523"), "branch.one", PASSWORD, None)
            .await,
        401,
        "totp_required",
    )
    .await;
    let r = reset(&staff_id, &a.admin_token).await.expect("r");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    problem(
        app.get("/api/v1/me", &staff_tok).send().await.expect("me"),
        401,
        "unauthenticated",
    )
    .await;
    // An optional second factor, once reset, is simply gone.
    let (s, v) = json_of(
        app.sign_in_with_code(Some("330523"), "branch.one", PASSWORD, None)
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["totp_enrolment_required"], false);
    problem(
        reset(&staff_id, &a.admin_token).await.expect("r"),
        409,
        "totp_not_enrolled",
    )
    .await;
    assert!(
        audit_actions(&app, &a.admin_token, &staff_id)
            .await
            .contains(&"user.totp_reset".to_owned())
    );
}

#[tokio::test]
async fn an_optional_second_factor_is_disabled_with_a_current_code() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    let (staff_id, tok) = app.staff(&a, "village.one", "village_recorder", None).await;
    let (_, me) = json_of(app.get("/api/v1/me", &tok).send().await.expect("me")).await;
    assert_eq!(
        (&me["totp_enrolled"], &me["totp_enrolment_required"]),
        (&json!(false), &json!(false)),
        "optional for this role: {me}"
    );
    let disable = |code: &str, token: &str| {
        app.post("/api/v1/auth/totp/disable", token, &json!({ "code": code }))
            .send()
    };
    problem(
        disable("123456", &tok).await.expect("d"),
        409,
        "totp_not_enrolled",
    )
    .await;
    let secret = app.enrol_totp(&tok, Some("330523"), "village.one").await;
    let (_, v) = json_of(
        app.post(
            "/api/v1/auth/totp/confirm",
            &tok,
            &json!({ "code": "000000" }),
        )
        .send()
        .await
        .expect("c"),
    )
    .await;
    assert_eq!(v["code"], "totp_already_enrolled", "{v}");
    let v = problem(
        disable("000000", &tok).await.expect("d"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(v["errors"][0]["code"], "totp_invalid");
    settle().await;
    app.forget_totp_step(Some("330523"), "village.one").await;
    let r = disable(&totp_code(&secret), &tok).await.expect("d");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (s, _) = json_of(
        app.sign_in_with_code(Some("330523"), "village.one", PASSWORD, None)
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "no code needed any more");
    assert!(
        audit_actions(&app, &a.admin_token, &staff_id)
            .await
            .contains(&"user.totp_disable".to_owned())
    );
    // Roles that must have one cannot drop it.
    let admin_secret = app
        .totp_secret(Some("330523"), "admin.330523")
        .expect("secret");
    problem(
        disable(&totp_code(&admin_secret), &a.admin_token)
            .await
            .expect("d"),
        403,
        "totp_required_for_role",
    )
    .await;
}

#[tokio::test]
async fn provincial_and_platform_accounts_enrol_with_their_own_labels_and_secrets_are_encrypted() {
    let app = spawn_app().await;
    app.seed_provincial_office().await;
    let (s, v) = json_of(
        app.sign_in_with_code(None, "zhejiang", PASSWORD, None)
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["totp_enrolment_required"], true);
    let tok = v["token"].as_str().expect("token").to_owned();
    problem(
        app.get("/api/v1/platform/tenants", &tok)
            .send()
            .await
            .expect("list"),
        403,
        "totp_enrolment_required",
    )
    .await;
    let (_, e) = json_of(
        app.post("/api/v1/auth/totp/enrol", &tok, &json!({}))
            .send()
            .await
            .expect("enrol"),
    )
    .await;
    assert_eq!(e["account"], "zhejiang@330000");
    let zj_secret = app.enrol_totp(&tok, None, "zhejiang").await;
    assert_eq!(
        app.get("/api/v1/platform/tenants", &tok)
            .send()
            .await
            .expect("list")
            .status(),
        StatusCode::OK
    );
    problem(
        app.sign_in_with_code(None, "zhejiang", PASSWORD, None)
            .await,
        401,
        "totp_required",
    )
    .await;
    let op_secret = app.totp_secret(None, OPERATOR).expect("operator secret");
    // A county admin's secret is encrypted too.
    app.county("330523", "安吉县").await;
    let admin_secret = app
        .totp_secret(Some("330523"), "admin.330523")
        .expect("secret");
    let stored = app
        .state
        .db
        .platform(shuanglian::db::Mode::Read, move |tx| {
            use diesel::prelude::*;
            use shuanglian::db::schema::platform_user_totp as pt;
            let mut all: Vec<String> = pt::table.select(pt::secret_enc).load(tx.conn())?;
            let t = shuanglian::tenancy::repo::by_code(tx, "330523")?.expect("county");
            let mut ttx = tx.enter_tenant(t.tenant_id())?;
            use shuanglian::db::schema::user_totp as ut;
            let tid = ttx.tid().to_owned();
            let county: Vec<String> = ut::table
                .filter(ut::tenant_id.eq(tid))
                .select(ut::secret_enc)
                .load(ttx.conn())?;
            all.extend(county);
            Ok(all)
        })
        .await
        .expect("read");
    assert_eq!(stored.len(), 3, "{stored:?}");
    for s in &stored {
        for secret in [&zj_secret, &op_secret, &admin_secret] {
            assert!(!s.contains(secret.as_str()), "stored in clear: {s}");
        }
    }
}
