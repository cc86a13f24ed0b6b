//! County keys, the master key rewrap, the audit chain and TOTP from the shell.

use super::*;

#[test]
fn county_keys_are_created_rotated_and_bound_to_the_master_key() {
    let dir = workdir();
    run_ok(cmd(&dir).args(["tenant", "create", "--code", "330523", "--name", "安吉县"]));
    let t = run_ok(cmd(&dir).args(["keys", "status", "--code", "330523"]));
    assert!(t.contains("data   v1") && t.contains("index  v1"), "{t}");
    let t = run_ok(cmd(&dir).args(["keys", "rotate", "--code", "330523"]));
    assert!(t.contains("data key v2 is now current"), "{t}");
    let t = run_ok(cmd(&dir).args(["keys", "status", "--code", "330523"]));
    let current: Vec<&str> = t.lines().filter(|l| l.contains("current")).collect();
    assert_eq!(
        current.len(),
        2,
        "one current data key and the index key: {t}"
    );
    assert!(
        current
            .iter()
            .any(|l| l.trim_start().starts_with("data") && l.contains("v2")),
        "{t}"
    );
    // Another master key cannot unwrap them: refuse rather than act.
    let other = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";
    let out = cmd(&dir)
        .args(["keys", "rotate", "--code", "330523"])
        .env("SHUANGLIAN_MASTER_KEY", other)
        .output()
        .expect("run");
    assert!(!out.status.success());
    // And without any master key the command says what is missing.
    let out = cmd(&dir)
        .args(["keys", "status", "--code", "330523"])
        .env_remove("SHUANGLIAN_MASTER_KEY")
        .output()
        .expect("run");
    assert!(
        !out.status.success()
            && String::from_utf8_lossy(&out.stderr).contains("SHUANGLIAN_MASTER_KEY")
    );
}

#[test]
fn audit_verify_detects_a_tampered_or_missing_entry() {
    use diesel::connection::SimpleConnection;
    use diesel::{Connection, SqliteConnection};
    let dir = workdir();
    run_ok(cmd(&dir).args(["tenant", "create", "--code", "330523", "--name", "安吉县"]));
    run_ok(cmd(&dir).args(["keys", "rotate", "--code", "330523"]));
    run_ok(cmd(&dir).args(["keys", "rotate", "--code", "330523"]));
    run_ok(cmd(&dir).args(["keys", "rotate", "--code", "330523"]));
    let t = run_ok(cmd(&dir).args(["audit", "verify", "--code", "330523"]));
    assert!(t.contains("intact (3 entries)"), "{t}");
    let mut db = SqliteConnection::establish(&format!("{}/sl.db", dir.0.display())).expect("open");
    // The database refuses changes outright.
    assert!(
        db.batch_execute("UPDATE audit_log SET details = '{}' WHERE seq = 2")
            .is_err()
    );
    assert!(
        db.batch_execute("DELETE FROM audit_log WHERE seq = 3")
            .is_err()
    );
    // Someone with the file drops the guard and edits an entry: verify names it.
    db.batch_execute(
        "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; \
         UPDATE audit_log SET details = '{\"data_key_version\":99}' WHERE seq = 2;",
    )
    .expect("tamper");
    let out = cmd(&dir)
        .args(["audit", "verify", "--code", "330523"])
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("entry 2") && err.contains("altered"),
        "{err}"
    );
    // Dropping the newest entries is a truncation a chain alone cannot see; dropping an older
    // one breaks it.
    db.batch_execute("DELETE FROM audit_log WHERE seq = 1")
        .expect("delete");
    let out = cmd(&dir)
        .args(["audit", "verify", "--code", "330523"])
        .output()
        .expect("run");
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("entry 1"));
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_rewrap_moves_every_county_key_and_platform_secret_to_the_new_master_key_at_once() {
    let dir = workdir();
    let db = database_env(&dir);
    let run = |key: &str, args: &[&str]| {
        let mut c = cmd(&dir);
        c.envs(db.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("SHUANGLIAN_MASTER_KEY", key)
            .args(args);
        c.output().expect("run")
    };
    let ok = |key: &str, args: &[&str]| {
        let out = run(key, args);
        let text = output_text(&out);
        assert!(out.status.success(), "{args:?} ({}): {text}", out.status);
        text
    };
    let key_file = |name: &str, key: &str| {
        let p = dir.0.join(name);
        std::fs::write(&p, key).expect("write key");
        p.display().to_string()
    };
    let extras = |key: &'static str| {
        let mut e: Vec<(&str, &str)> = db.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        e.push(("SHUANGLIAN_MASTER_KEY", key));
        e
    };

    // Under the old key: a platform operator and a county admin with second factors, a member
    // with an encrypted phone number, and a suspended county with a rotated data key.
    let t = ok(
        KEY,
        &[
            "platform-user",
            "create",
            "--username",
            "ops.root",
            "--display-name",
            "运维",
            "--role",
            "platform-operator",
        ],
    );
    let op_otp = otp(&t);
    let s = serve(&dir, &extras(KEY));
    let c = reqwest::Client::new();
    let sign_in =
        |body: serde_json::Value| c.post(s.url("/api/v1/auth/sign-in")).json(&body).send();
    let tok = json(
        sign_in(serde_json::json!({"username":"ops.root","password":op_otp}))
            .await
            .expect("sign-in"),
    )
    .await["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let op_pw = "Operator-pass-2026";
    let r = c
        .post(s.url("/api/v1/auth/password"))
        .bearer_auth(&tok)
        .json(&serde_json::json!({"current_password": op_otp, "new_password": op_pw}))
        .send()
        .await
        .expect("pw");
    assert_eq!(r.status(), 204);
    let op_secret = enrol(&c, &s, &tok).await;
    let v = json(
        c.post(s.url("/api/v1/platform/tenants"))
            .bearer_auth(&tok)
            .json(&serde_json::json!({"code":"330523","name":"安吉县"}))
            .send()
            .await
            .expect("county"),
    )
    .await;
    let admin_otp = v["admin"]["one_time_password"]
        .as_str()
        .expect("otp")
        .to_owned();
    let admin = json(
        sign_in(serde_json::json!({"tenant_code":"330523","username":"admin.330523","password":admin_otp}))
            .await
            .expect("sign-in"),
    )
    .await["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let admin_pw = "County-admin-2026";
    let r = c
        .post(s.url("/api/v1/auth/password"))
        .bearer_auth(&admin)
        .json(&serde_json::json!({"current_password": admin_otp, "new_password": admin_pw}))
        .send()
        .await
        .expect("pw");
    assert_eq!(r.status(), 204);
    let admin_secret = enrol(&c, &s, &admin).await;
    let phone = "13912345678";
    let r = c
        .post(s.url("/api/v1/members"))
        .bearer_auth(&admin)
        .json(&serde_json::json!({
            "name": "赵某", "phone": phone, "is_owner": true, "business_name": "某商店",
            "membership_org_name": "某党支部", "membership_status": "full",
            "distribution": "individual_business"
        }))
        .send()
        .await
        .expect("member");
    assert_eq!(r.status(), 201);
    let member_id = json(r).await["id"].as_str().expect("id").to_owned();
    let (status, logs) = s.terminate();
    assert!(status.success(), "{logs}");
    ok(
        KEY,
        &["tenant", "create", "--code", "330522", "--name", "长兴县"],
    );
    ok(KEY, &["keys", "rotate", "--code", "330522"]);
    ok(KEY, &["tenant", "suspend", "--code", "330522"]);

    // The same key is refused; so is a file that holds no key.
    let same = key_file("same.key", KEY);
    let out = run(KEY, &["keys", "rewrap", "--new-master-key-file", &same]);
    assert!(
        !out.status.success() && output_text(&out).contains("相同"),
        "{}",
        output_text(&out)
    );
    let junk = key_file("junk.key", "not a key");
    assert!(
        !run(KEY, &["keys", "rewrap", "--new-master-key-file", &junk])
            .status
            .success()
    );

    // Re-wrap: two counties' keys (one suspended) and the operator's secret.
    let new_file = key_file("new.key", NEW_KEY);
    let t = ok(KEY, &["keys", "rewrap", "--new-master-key-file", &new_file]);
    assert!(
        t.contains("5 county keys in 2 counties, 1 platform TOTP secrets"),
        "{t}"
    );
    // Only the new key reads now.
    assert!(
        !run(KEY, &["keys", "status", "--code", "330523"])
            .status
            .success()
    );
    let t = ok(NEW_KEY, &["keys", "status", "--code", "330523"]);
    assert!(t.contains("data   v1") && t.contains("index  v1"), "{t}");
    ok(NEW_KEY, &["tenant", "reactivate", "--code", "330522"]);
    let t = ok(NEW_KEY, &["keys", "status", "--code", "330522"]);
    assert!(t.contains("v2"), "{t}");
    let out = run(KEY, &["keys", "rewrap", "--new-master-key-file", &new_file]);
    assert!(
        !out.status.success(),
        "the old key no longer unwraps anything"
    );
    assert!(
        output_text(&out).contains("330523"),
        "{}",
        output_text(&out)
    );
    let t = ok(NEW_KEY, &["audit", "verify", "--code", "330523"]);
    assert!(t.contains("intact"), "{t}");

    // The server with the new key: second factors still check, the phone is found and shown.
    let s = serve(&dir, &extras(NEW_KEY));
    let c = reqwest::Client::new();
    let next_step = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
        + 30;
    let r = c
        .post(s.url("/api/v1/auth/sign-in"))
        .json(&serde_json::json!({"username":"ops.root","password":op_pw,
            "totp_code": totp_code_at(&op_secret, next_step)}))
        .send()
        .await
        .expect("op sign-in");
    assert_eq!(r.status(), 200, "{}", json(r).await);
    let r = c
        .post(s.url("/api/v1/auth/sign-in"))
        .json(
            &serde_json::json!({"tenant_code":"330523","username":"admin.330523",
            "password":admin_pw, "totp_code": totp_code_at(&admin_secret, next_step)}),
        )
        .send()
        .await
        .expect("admin sign-in");
    assert_eq!(r.status(), 200);
    let admin = json(r).await["token"].as_str().expect("token").to_owned();
    let v = json(
        c.get(s.url(&format!("/api/v1/members?phone={phone}")))
            .bearer_auth(&admin)
            .send()
            .await
            .expect("search"),
    )
    .await;
    assert_eq!(v["items"][0]["id"], serde_json::json!(member_id), "{v}");
    let v = json(
        c.post(s.url(&format!("/api/v1/members/{member_id}/unmask")))
            .bearer_auth(&admin)
            .json(&serde_json::json!({"fields":["phone"],"reason":"核对联系方式"}))
            .send()
            .await
            .expect("unmask"),
    )
    .await;
    assert_eq!(v["phone"], phone, "{v}");
    let (status, logs) = s.terminate();
    assert!(status.success(), "{logs}");
    for secret in [&op_secret, &admin_secret] {
        assert!(
            !logs.contains(secret.as_str()),
            "a TOTP secret reached the logs"
        );
    }

    // One county whose keys do not open under the current key: the whole re-wrap is refused
    // and the counties before it stay as they were.
    ok(
        KEY,
        &["tenant", "create", "--code", "330521", "--name", "德清县"],
    );
    ok(KEY, &["keys", "status", "--code", "330521"]);
    let newer_file = key_file("newer.key", NEWER_KEY);
    let out = run(
        NEW_KEY,
        &["keys", "rewrap", "--new-master-key-file", &newer_file],
    );
    let text = output_text(&out);
    assert!(
        !out.status.success() && text.contains("330521") && text.contains("master_key_mismatch"),
        "{text}"
    );
    ok(NEW_KEY, &["keys", "status", "--code", "330523"]);
    assert!(
        !run(NEWER_KEY, &["keys", "status", "--code", "330523"])
            .status
            .success()
    );

    // A platform operator who lost the phone is reset from the shell, once.
    let t = ok(
        NEW_KEY,
        &["platform-user", "reset-totp", "--username", "ops.root"],
    );
    assert!(t.contains("enrols again"), "{t}");
    assert!(
        !run(
            NEW_KEY,
            &["platform-user", "reset-totp", "--username", "ops.root"]
        )
        .status
        .success()
    );
}

#[test]
fn totp_code_prints_the_current_code_and_platform_second_factors_reset_from_the_shell() {
    let dir = workdir();
    // RFC 6238 Appendix B's SHA-1 seed.
    let seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    let before = totp_code(seed);
    let t = run_ok(cmd(&dir).args(["totp-code", "--secret", seed]));
    let code = t.lines().next().expect("code").trim().to_owned();
    assert!(code == before || code == totp_code(seed), "{t}");
    assert!(t.contains("valid for"), "{t}");
    let out = cmd(&dir)
        .args(["totp-code", "--secret", "0000"])
        .output()
        .expect("run");
    assert!(!out.status.success());

    run_ok(cmd(&dir).args([
        "platform-user",
        "create",
        "--username",
        "ops.two",
        "--display-name",
        "运维",
        "--role",
        "platform-operator",
    ]));
    let out = cmd(&dir)
        .args(["platform-user", "reset-totp", "--username", "ops.two"])
        .output()
        .expect("run");
    assert!(
        !out.status.success() && output_text(&out).contains("no second factor"),
        "{}",
        output_text(&out)
    );
    let out = cmd(&dir)
        .args(["platform-user", "reset-totp", "--username", "nobody"])
        .output()
        .expect("run");
    assert!(!out.status.success());
}

/// The lifecycle from the shell: a county key pair, the export, deletion with a certificate
/// that verifies, and the restore under a new code (crates/lifecycle; tests/tests/lifecycle.rs
/// checks the data on both backends).
#[test]
fn a_county_is_exported_deleted_with_a_certificate_and_restored_from_the_shell() {
    let dir = workdir();
    run_ok(cmd(&dir).args(["tenant", "create", "--code", "330523", "--name", "安吉县"]));
    let key = dir.0.join("county.key");
    let t = run_ok(cmd(&dir).args(["tenant", "keygen", "--out"]).arg(&key));
    let public = t
        .split_whitespace()
        .find(|w| w.starts_with("age1"))
        .expect("public key printed")
        .to_owned();
    let file = dir.0.join("anji.age");
    let t = run_ok(
        cmd(&dir)
            .args([
                "tenant",
                "export",
                "--code",
                "330523",
                "--recipient",
                &public,
                "--out",
            ])
            .arg(&file),
    );
    assert!(t.contains("exported 330523"), "{t}");
    // Deleting needs the county suspended and the code typed twice.
    let cert = dir.0.join("cert.json");
    let out = cmd(&dir)
        .args([
            "tenant",
            "delete",
            "--code",
            "330523",
            "--confirm",
            "330523",
            "--certificate-out",
        ])
        .arg(&cert)
        .output()
        .expect("run");
    assert!(
        !out.status.success()
            && String::from_utf8_lossy(&out.stderr).contains("tenant_not_suspended")
    );
    run_ok(cmd(&dir).args(["tenant", "suspend", "--code", "330523"]));
    let t = run_ok(
        cmd(&dir)
            .args([
                "tenant",
                "delete",
                "--code",
                "330523",
                "--confirm",
                "330523",
                "--certificate-out",
            ])
            .arg(&cert),
    );
    assert!(t.contains("2 keys destroyed"), "{t}");
    let t = run_ok(
        cmd(&dir)
            .args(["tenant", "certificate", "--file"])
            .arg(&cert),
    );
    assert!(t.contains("certificate verifies: 330523"), "{t}");
    // An edited certificate does not.
    let edited = std::fs::read_to_string(&cert)
        .expect("read")
        .replace("安吉县", "长兴县");
    std::fs::write(&cert, edited).expect("write");
    let out = cmd(&dir)
        .args(["tenant", "certificate", "--file"])
        .arg(&cert)
        .output()
        .expect("run");
    assert!(!out.status.success());
    let t = run_ok(
        cmd(&dir)
            .args(["tenant", "restore", "--new-code", "330599", "--file"])
            .arg(&file)
            .arg("--identity")
            .arg(&key),
    );
    assert!(
        t.contains("restored 330599") && t.contains("audit chain verified"),
        "{t}"
    );
    let t = run_ok(cmd(&dir).args(["tenant", "list"]));
    assert!(
        t.lines()
            .any(|l| l.starts_with("330599") && l.contains("suspended")),
        "{t}"
    );
}
