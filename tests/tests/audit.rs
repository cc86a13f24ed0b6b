//! The audit log over HTTP: what is recorded, who may read it, isolation, and that the
//! database refuses to change it.

use diesel::Connection;
use diesel::connection::SimpleConnection;
use reqwest::StatusCode;
use serde_json::{Value, json};
use shuanglian_tests::{backend, problem, spawn_app};

#[tokio::test]
async fn changes_are_recorded_in_an_intact_chain_that_only_the_county_admin_reads() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    let b = app.county("330522", "长兴县").await;
    let (uid, otp) = app.user(&a, "branch.one", "branch_staff").await;
    let town: Value = app
        .post(
            "/api/v1/org-units",
            &a.admin_token,
            &json!({ "kind": "township", "name": "递铺街道" }),
        )
        .send()
        .await
        .expect("c")
        .json()
        .await
        .expect("j");
    let town_id = town["id"].as_str().expect("id").to_owned();
    let op = app.operator_token().await;
    for action in ["suspend", "reactivate"] {
        let r = app
            .post(
                &format!("/api/v1/platform/tenants/{}/{action}", a.id),
                &op,
                &json!({}),
            )
            .send()
            .await
            .expect("s");
        assert_eq!(r.status(), StatusCode::OK);
    }
    let v: Value = app
        .get("/api/v1/audit?limit=200", &a.admin_token)
        .send()
        .await
        .expect("l")
        .json()
        .await
        .expect("j");
    let actions: Vec<&str> = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().expect("a"))
        .collect();
    assert_eq!(
        actions,
        vec![
            "tenant.create",
            // The harness enrols the admin's second factor (tests/tests/totp.rs).
            "user.totp_enrol",
            "user.create",
            "org_unit.create",
            "tenant.suspend",
            "tenant.reactivate"
        ]
    );
    let seqs: Vec<i64> = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["seq"].as_i64().expect("seq"))
        .collect();
    assert_eq!(seqs, vec![1, 2, 3, 4, 5, 6]);
    // No personal values in the details (user names, the one-time password).
    let text = v.to_string();
    assert!(!text.contains("branch.one") && !text.contains(&otp));
    // One query answers "what happened to this entity".
    let v: Value = app
        .get(&format!("/api/v1/audit?entity_id={uid}"), &a.admin_token)
        .send()
        .await
        .expect("l")
        .json()
        .await
        .expect("j");
    assert_eq!(v["items"].as_array().expect("items").len(), 1);
    // One action's entries: the web's unmasking log reads `member.unmask` this way.
    let v: Value = app
        .get("/api/v1/audit?action=tenant.suspend", &a.admin_token)
        .send()
        .await
        .expect("l")
        .json()
        .await
        .expect("j");
    let only: Vec<&str> = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().expect("a"))
        .collect();
    assert_eq!(only, vec!["tenant.suspend"], "{v}");
    let r = app
        .get("/api/v1/audit?action=DROP%20TABLE", &a.admin_token)
        .send()
        .await
        .expect("l");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let v: Value = app
        .get("/api/v1/audit/verify", &a.admin_token)
        .send()
        .await
        .expect("v")
        .json()
        .await
        .expect("j");
    assert_eq!(
        (v["intact"].as_bool(), v["entries"].as_u64()),
        (Some(true), Some(6)),
        "{v}"
    );
    // The other county sees its own chain only.
    let v: Value = app
        .get(
            &format!("/api/v1/audit?entity_id={town_id}"),
            &b.admin_token,
        )
        .send()
        .await
        .expect("l")
        .json()
        .await
        .expect("j");
    assert_eq!(v["items"].as_array().expect("items").len(), 0);
    let v: Value = app
        .get("/api/v1/audit", &b.admin_token)
        .send()
        .await
        .expect("l")
        .json()
        .await
        .expect("j");
    assert!(
        v["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|e| e["action"] == "tenant.create" || e["action"] == "user.totp_enrol"),
        "{v}"
    );
    // Staff cannot read it.
    let staff = app.sign_in(Some("330523"), "branch.one", &otp).await;
    let r = app
        .post(
            "/api/v1/auth/password",
            &staff,
            &json!({ "current_password": otp, "new_password": shuanglian_tests::PASSWORD }),
        )
        .send()
        .await
        .expect("pw");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    problem(
        app.get("/api/v1/audit", &staff).send().await.expect("l"),
        403,
        "forbidden",
    )
    .await;
    problem(
        app.get("/api/v1/audit/verify", &staff)
            .send()
            .await
            .expect("l"),
        403,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn the_database_refuses_to_update_or_delete_audit_entries() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    let tid = a.id.clone();
    let settings = app.settings.clone();
    let owner = app.owner_url.clone();
    tokio::task::spawn_blocking(move || {
        let url = secrecy::ExposeSecret::expose_secret(&settings.database.url).to_owned();
        let mut urls = vec![url];
        urls.extend(owner);
        for url in urls {
            let sql_scope = format!("SELECT set_config('app.tenant_id', '{tid}', true);");
            let attempts = ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"];
            for stmt in attempts {
                let err = match backend() {
                    shuanglian::db::Backend::Sqlite => {
                        let path = url.strip_prefix("sqlite://").expect("sqlite url");
                        let mut c = diesel::SqliteConnection::establish(path).expect("open");
                        c.batch_execute(stmt).expect_err("refused")
                    }
                    shuanglian::db::Backend::Postgres => {
                        let mut c = diesel::PgConnection::establish(&url).expect("connect");
                        c.transaction::<(), diesel::result::Error, _>(|c| {
                            c.batch_execute(&sql_scope)?;
                            c.batch_execute(stmt)
                        })
                        .expect_err("refused")
                    }
                };
                let msg = err.to_string();
                assert!(
                    msg.contains("append-only") || msg.contains("permission denied"),
                    "{stmt}: {msg}"
                );
            }
        }
    })
    .await
    .expect("join");
}
