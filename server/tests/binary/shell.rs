//! Shell commands: counties, the province preset, two processes on one SQLite file.

use super::*;

#[test]
fn shell_commands_manage_counties_and_never_print_secrets() {
    let dir = workdir();
    let t = run_ok(cmd(&dir).arg("migrate"));
    assert!(t.contains("applied") || t.contains("up to date"), "{t}");
    assert!(run_ok(cmd(&dir).arg("migrate")).contains("up to date"));
    let t = run_ok(cmd(&dir).args(["tenant", "create", "--code", "330523", "--name", "安吉县"]));
    assert!(t.contains("admin.330523"), "{t}");
    assert!(otp(&t).len() >= 16);
    let bad = cmd(&dir)
        .args(["tenant", "create", "--code", "33052", "--name", "安吉县"])
        .output()
        .expect("run");
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("6位数字"),
        "a zh-CN message naming the rule"
    );
    run_ok(cmd(&dir).args([
        "tenant",
        "rename",
        "--code",
        "330523",
        "--name",
        "安吉县（测试）",
    ]));
    run_ok(cmd(&dir).args(["tenant", "suspend", "--code", "330523"]));
    let list = run_ok(cmd(&dir).args(["tenant", "list"]));
    assert!(
        list.contains("330523") && list.contains("suspended") && list.contains("安吉县（测试）"),
        "{list}"
    );
    run_ok(cmd(&dir).args(["tenant", "reactivate", "--code", "330523"]));
    assert!(run_ok(cmd(&dir).args(["tenant", "list"])).contains("active"));
    let cfg = run_ok(
        cmd(&dir)
            .arg("config")
            .env("REDIS_URL", "redis://:hunter2@localhost/"),
    );
    assert!(
        cfg.contains("[REDACTED]") && !cfg.contains("hunter2") && !cfg.contains(KEY),
        "{cfg}"
    );
    let t = run_ok(cmd(&dir).args(["demo-data", "--preset", "small", "--seed", "3"]));
    assert!(
        t.contains("1 counties") && t.contains("1 existing counties skipped"),
        "{t}"
    );
}

#[test]
fn two_processes_starting_on_one_sqlite_file_both_succeed() {
    let dir = workdir();
    let a = cmd(&dir)
        .arg("migrate")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("a");
    let b = cmd(&dir)
        .args(["demo-data", "--preset", "small", "--seed", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("b");
    for child in [a, b] {
        let out = child.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[tokio::test]
async fn the_province_preset_creates_all_of_zhejiang_deterministically_and_no_provincial_route_names_a_member()
 {
    let dir = workdir();
    let t = run_ok(cmd(&dir).args(["demo-data", "--preset", "province", "--seed", "7"]));
    assert!(t.contains("90 counties"), "{t}");
    let list = run_ok(cmd(&dir).args(["tenant", "list"]));
    assert_eq!(
        list.lines().filter(|l| l.starts_with("33")).count(),
        90,
        "{list}"
    );
    // The same seed elsewhere gives the same accounts.
    let other = workdir();
    let t2 = run_ok(cmd(&other).args(["demo-data", "--preset", "province", "--seed", "7"]));
    assert_eq!(t, t2);
    drop(other);
    province_sweep(&dir).await;
}

/// Issue 17 item 3's sweep on the province preset: every GET route without a path parameter
/// that the provincial office or the platform operator can call (from the served OpenAPI
/// document) answers without any member's name (of three or more characters) or id, any
/// business's id, or an ID-card- or mobile-shaped number.
async fn province_sweep(dir: &Dir) {
    use diesel::{Connection, RunQueryDsl, SqliteConnection};
    let mut db = SqliteConnection::establish(&format!("{}/sl.db", dir.0.display())).expect("db");
    let members: Vec<(String, String)> =
        diesel::sql_query("SELECT id AS a, name AS b FROM members")
            .load::<Pair>(&mut db)
            .expect("members")
            .into_iter()
            .map(|p| (p.a, p.b))
            .collect();
    let businesses: Vec<Pair> = diesel::sql_query("SELECT id AS a, name AS b FROM businesses")
        .load(&mut db)
        .expect("businesses");
    drop(db);
    let ids: std::collections::HashSet<String> = members
        .iter()
        .map(|m| m.0.clone())
        .chain(businesses.into_iter().map(|b| b.a))
        .collect();
    let names: std::collections::HashSet<String> = members
        .into_iter()
        .map(|m| m.1)
        .filter(|n| n.chars().count() >= 3)
        .collect();
    assert!(
        ids.len() > 5_000 && names.len() > 100,
        "{} ids, {} names",
        ids.len(),
        names.len()
    );

    let server = serve(dir, &[]);
    let c = reqwest::Client::new();
    let code = totp_code("SHUANGLIANDEMOSECRETSHUANGLIAN22");
    let mut tokens = Vec::new();
    for user in ["zhejiang", "operator"] {
        let r = c
            .post(server.url("/api/v1/auth/sign-in"))
            .json(&serde_json::json!({ "username": user, "password": "Shuanglian-demo-2026", "totp_code": code }))
            .send()
            .await
            .expect("sign-in");
        assert_eq!(r.status(), 200, "{user}");
        tokens.push(json(r).await["token"].as_str().expect("token").to_owned());
    }
    let spec = json(
        c.get(server.url("/api/v1/openapi.json"))
            .send()
            .await
            .expect("spec"),
    )
    .await;
    let paths = shuanglian_testkit::sweep_routes(&spec);
    let mut read = 0;
    let mut cells = 0usize;
    for p in &paths {
        for tok in &tokens {
            for q in ["", "?province=330000&period=2026H1"] {
                let r = c
                    .get(server.url(&format!("/api/v1{p}{q}")))
                    .bearer_auth(tok)
                    .send()
                    .await
                    .expect("get");
                if !r.status().is_success() {
                    continue;
                }
                read += 1;
                let body = r.text().await.expect("text");
                cells += body.len();
                let shaped = shuanglian_testkit::identifier_shaped(&body);
                assert!(
                    shaped.is_none(),
                    "{p}{q} shows an identifier-shaped number {shaped:?}"
                );
                // Ids are hyphenated UUIDs: every 36-character window that is one.
                for w in body.as_bytes().windows(36) {
                    if w[8] == b'-' && w[13] == b'-' && w[18] == b'-' && w[23] == b'-' {
                        let s = String::from_utf8_lossy(w);
                        assert!(
                            !ids.contains(s.as_ref()),
                            "{p}{q} shows a member's or business's id"
                        );
                    }
                }
                // Every 3- and 4-character stretch of Chinese text against the members' names.
                let han: Vec<char> = body.chars().collect();
                for n in [3, 4] {
                    for w in han.windows(n) {
                        if w.iter().all(|c| ('\u{4e00}'..='\u{9fff}').contains(c)) {
                            let s: String = w.iter().collect();
                            assert!(!names.contains(&s), "{p}{q} shows a member's name");
                        }
                    }
                }
            }
        }
    }
    assert!(
        read >= 8 && cells > 10_000,
        "{read} answers, {cells} bytes read"
    );
    server.terminate();
}

#[derive(diesel::QueryableByName)]
struct Pair {
    #[diesel(sql_type = diesel::sql_types::Text)]
    a: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    b: String,
}
