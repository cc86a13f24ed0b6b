//! The real `shuanglian` binary: shell commands, SIGTERM, JSON logs and OTLP export, and that
//! none of them carries personal data or secrets.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_shuanglian");
const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="; // 32 bytes, base64

struct Dir(std::path::PathBuf);
impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn workdir() -> Dir {
    let d = std::env::temp_dir().join(format!("sl-bin-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&d).expect("dir");
    Dir(d)
}

fn cmd(dir: &Dir) -> Command {
    let mut c = Command::new(BIN);
    c.current_dir(&dir.0)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/sl.db", dir.0.display()),
        )
        .env("SHUANGLIAN_MASTER_KEY", KEY);
    c
}

fn run_ok(c: &mut Command) -> String {
    let out = c.output().expect("run");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    text
}

/// The one-time password a create command printed.
fn otp(text: &str) -> String {
    text.lines()
        .find(|l| l.contains("one-time password:"))
        .and_then(|l| l.rsplit(':').next())
        .map(|s| s.trim().to_owned())
        .expect("one-time password line")
}

/// A running server whose output is collected.
struct Server {
    child: Child,
    port: u16,
    output: Arc<Mutex<String>>,
}

fn serve(dir: &Dir, extra: &[(&str, &str)]) -> Server {
    let mut c = cmd(dir);
    c.args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in extra {
        c.env(k, v);
    }
    let mut child = c.spawn().expect("spawn");
    let output = Arc::new(Mutex::new(String::new()));
    let err = child.stderr.take().expect("stderr");
    let o2 = output.clone();
    std::thread::spawn(move || {
        let mut s = String::new();
        let _ = BufReader::new(err).read_to_string(&mut s);
        o2.lock().expect("lock").push_str(&s);
    });
    let out = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    let o3 = output.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening on http://127.0.0.1:").nth(1) {
                let port: u16 = rest
                    .split(|c: char| !c.is_ascii_digit())
                    .next()
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(0);
                let _ = tx.send(port);
            }
            let mut o = o3.lock().expect("lock");
            o.push_str(&line);
            o.push('\n');
        }
    });
    let port = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("server printed its address");
    Server {
        child,
        port,
        output,
    }
}

impl Server {
    fn url(&self, p: &str) -> String {
        format!("http://127.0.0.1:{}{p}", self.port)
    }

    fn terminate(mut self) -> (std::process::ExitStatus, String) {
        let st = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(st.success());
        let start = Instant::now();
        let status = loop {
            if let Some(s) = self.child.try_wait().expect("wait") {
                break s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(25),
                "server did not exit after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        std::thread::sleep(Duration::from_millis(200));
        let out = self.output.lock().expect("lock").clone();
        (status, out)
    }
}

async fn json(r: reqwest::Response) -> serde_json::Value {
    r.json().await.expect("json")
}

/// The current RFC 6238 code of a base32 secret (SHA-1, 6 digits, 30 s).
fn totp_code(secret: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    totp_code_at(secret, now)
}

fn totp_code_at(secret: &str, unix: u64) -> String {
    totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(secret).expect("base32"))
        .build()
        .expect("totp")
        .generate(unix)
        .to_string()
}

/// Enrols a second factor for a signed-in account (its role must have one); returns the secret.
async fn enrol(c: &reqwest::Client, s: &Server, tok: &str) -> String {
    let r = c
        .post(s.url("/api/v1/auth/totp/enrol"))
        .bearer_auth(tok)
        .send()
        .await
        .expect("enrol");
    assert_eq!(r.status(), 200);
    let secret = json(r).await["secret"].as_str().expect("secret").to_owned();
    let r = c
        .post(s.url("/api/v1/auth/totp/confirm"))
        .bearer_auth(tok)
        .json(&serde_json::json!({ "code": totp_code(&secret) }))
        .send()
        .await
        .expect("confirm");
    assert_eq!(r.status(), 200);
    secret
}

const SECRET_NAME: &str = "张三丰";
const WRONG_PASSWORD: &str = "Leaky-password-987";

/// Drives a small session against a server: operator sign-in, password change, a county, a
/// user with a personal name, a failed sign-in. Returns strings that must never be logged.
async fn exercise(s: &Server, op_otp: &str) -> Vec<String> {
    let c = reqwest::Client::new();
    let r = c
        .post(s.url("/api/v1/auth/sign-in"))
        .json(&serde_json::json!({"username":"ops.root","password":op_otp}))
        .send()
        .await
        .expect("sign-in");
    let tok = json(r).await["token"].as_str().expect("token").to_owned();
    let new_pw = "Operator-pass-2026";
    let r = c
        .post(s.url("/api/v1/auth/password"))
        .bearer_auth(&tok)
        .json(&serde_json::json!({"current_password": op_otp, "new_password": new_pw}))
        .send()
        .await
        .expect("pw");
    assert_eq!(r.status(), 204);
    let op_secret = enrol(&c, s, &tok).await;
    let r = c
        .post(s.url("/api/v1/platform/tenants"))
        .bearer_auth(&tok)
        .json(
            &serde_json::json!({"code":"330523","name":"安吉县","admin_display_name": SECRET_NAME}),
        )
        .send()
        .await
        .expect("create");
    assert_eq!(r.status(), 201);
    let v = json(r).await;
    let admin_otp = v["admin"]["one_time_password"]
        .as_str()
        .expect("otp")
        .to_owned();
    let r = c
        .post(s.url("/api/v1/auth/sign-in"))
        .json(&serde_json::json!({"tenant_code":"330523","username":"admin.330523","password": WRONG_PASSWORD}))
        .send()
        .await
        .expect("bad sign-in");
    assert_eq!(r.status(), 401);
    let r = c
        .get(s.url("/api/v1/me"))
        .bearer_auth(&tok)
        .send()
        .await
        .expect("me");
    assert_eq!(r.status(), 200);
    // The county admin registers a member with personal identifiers and finds them by phone
    // and ID number (both in query strings): none of it may reach logs or traces.
    let admin_pw = "County-admin-2026";
    let r = c
        .post(s.url("/api/v1/auth/sign-in"))
        .json(&serde_json::json!({"tenant_code":"330523","username":"admin.330523","password": admin_otp}))
        .send()
        .await
        .expect("admin sign-in");
    let admin = json(r).await["token"].as_str().expect("token").to_owned();
    let r = c
        .post(s.url("/api/v1/auth/password"))
        .bearer_auth(&admin)
        .json(&serde_json::json!({"current_password": admin_otp, "new_password": admin_pw}))
        .send()
        .await
        .expect("pw");
    assert_eq!(r.status(), 204);
    let admin_secret = enrol(&c, s, &admin).await;
    let id_number = "11010519491231002X";
    let phone = "13912345678";
    let address = "隐私街道一号";
    let r = c
        .post(s.url("/api/v1/members"))
        .bearer_auth(&admin)
        .json(&serde_json::json!({
            "name": "赵隐私", "id_number": id_number, "phone": phone, "home_address": address,
            "is_owner": true, "business_name": "隐私商店", "membership_org_name": "某党支部",
            "membership_status": "full", "distribution": "individual_business"
        }))
        .send()
        .await
        .expect("member");
    assert_eq!(r.status(), 201);
    for q in [format!("phone={phone}"), format!("id_number={id_number}")] {
        let v = json(
            c.get(s.url(&format!("/api/v1/members?{q}")))
                .bearer_auth(&admin)
                .send()
                .await
                .expect("search"),
        )
        .await;
        assert_eq!(v["items"].as_array().map(Vec::len), Some(1), "{v}");
    }
    // A full import (dry run with a bad row, then the commit), a pinyin search and an export
    // download: the spreadsheet's identifiers must not reach logs or traces either.
    let imported_id = "110105198001010016";
    let imported_phone = "13787654321";
    let imported_address = "导入路九十九号";
    let bad_phone = "1371234567";
    let sheet = format!(
        "姓名,身份证号,手机号码,家庭住址,是否业主,单位名称,组织关系所在地党组织,党员状态,分布情况\n\
         钱导入,{imported_id},{imported_phone},{imported_address},是,导入商店,外县某党支部,正式,个体工商户\n\
         孙错误,110105198002020013,{bad_phone},,是,错误商店,外县某党支部,正式,个体工商户\n"
    );
    let r = c
        .post(s.url("/api/v1/members/import?dry_run=true"))
        .bearer_auth(&admin)
        .header("content-type", "text/csv")
        .body(sheet.clone())
        .send()
        .await
        .expect("dry run");
    assert_eq!(json(r).await["errors"].as_array().map(Vec::len), Some(1));
    let fixed = sheet.replace(bad_phone, "13712345670");
    let r = c
        .post(s.url("/api/v1/members/import?dry_run=false"))
        .bearer_auth(&admin)
        .header("content-type", "text/csv")
        .body(fixed)
        .send()
        .await
        .expect("import");
    assert_eq!(json(r).await["created"], 2);
    let v = json(
        c.get(s.url("/api/v1/members?name=qdr"))
            .bearer_auth(&admin)
            .send()
            .await
            .expect("pinyin"),
    )
    .await;
    assert_eq!(v["items"][0]["name"], "钱导入", "{v}");
    let v = json(
        c.post(s.url("/api/v1/member-exports"))
            .bearer_auth(&admin)
            .json(&serde_json::json!({ "personal": false, "reason": "日志隐私测试" }))
            .send()
            .await
            .expect("export"),
    )
    .await;
    let r = c
        .get(s.url(&format!(
            "/api/v1/member-exports/{}/download",
            v["id"].as_str().expect("id")
        )))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("download");
    assert_eq!(r.status(), 200);
    vec![
        imported_id.to_owned(),
        imported_phone.to_owned(),
        imported_address.to_owned(),
        bad_phone.to_owned(),
        id_number.to_owned(),
        phone.to_owned(),
        address.to_owned(),
        admin_pw.to_owned(),
        admin,
        op_otp.to_owned(),
        new_pw.to_owned(),
        tok,
        admin_otp,
        SECRET_NAME.to_owned(),
        WRONG_PASSWORD.to_owned(),
        KEY.to_owned(),
        op_secret,
        admin_secret,
    ]
}

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

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_drains_and_exits_cleanly_and_json_logs_carry_no_personal_data() {
    let dir = workdir();
    let t = run_ok(cmd(&dir).args([
        "platform-user",
        "create",
        "--username",
        "ops.root",
        "--display-name",
        "运维",
        "--role",
        "platform-operator",
    ]));
    let op_otp = otp(&t);
    let s = serve(
        &dir,
        &[
            ("SHUANGLIAN_LOG_FORMAT", "json"),
            (
                "SHUANGLIAN_TELEMETRY__LOG_FILTER",
                "debug,h2=info,hyper=info",
            ),
        ],
    );
    let forbidden = exercise(&s, &op_otp).await;
    let (status, logs) = s.terminate();
    assert!(status.success(), "exit status {status:?}\n{logs}");
    let mut request_lines = 0;
    for line in logs.lines().filter(|l| l.starts_with('{')) {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        if v["span"]["name"] == "http.request" {
            request_lines += 1;
            assert!(v["span"]["request_id"].is_string(), "{line}");
        }
    }
    assert!(request_lines >= 4, "request spans are logged:\n{logs}");
    assert!(
        logs.contains("\"tenant\":\"330523\""),
        "tenant code in spans:\n{logs}"
    );
    assert!(
        logs.contains("\"http.status\":401") && logs.contains("latency_ms"),
        "status and latency in access logs:\n{logs}"
    );
    for f in &forbidden {
        assert!(
            !logs.contains(f.as_str()),
            "log output leaked {f:?}:\n{logs}"
        );
    }
    assert!(logs.contains("draining"), "shutdown is logged:\n{logs}");
}

/// What the fake collector received: (path, body) per POST.
type Received = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

/// A minimal OTLP/HTTP receiver: records the path and body of every POST.
async fn otlp_receiver() -> (u16, Received) {
    use poem::{
        EndpointExt, Request, Route, Server, handler,
        listener::{Acceptor, Listener, TcpListener},
    };
    let got: Received = Arc::default();
    #[handler]
    async fn sink(req: &Request, body: Vec<u8>, got: poem::web::Data<&Received>) -> &'static str {
        got.lock()
            .expect("lock")
            .push((req.uri().path().to_owned(), body));
        ""
    }
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .expect("bind");
    let port = acceptor.local_addr()[0]
        .as_socket_addr()
        .expect("addr")
        .port();
    let app = Route::new()
        .at("/v1/traces", poem::post(sink))
        .at("/v1/metrics", poem::post(sink))
        .data(got.clone());
    tokio::spawn(Server::new_with_acceptor(acceptor).run(app));
    (port, got)
}

#[tokio::test(flavor = "multi_thread")]
async fn traces_and_metrics_are_exported_over_otlp_without_personal_data() {
    let (port, got) = otlp_receiver().await;
    let dir = workdir();
    let t = run_ok(cmd(&dir).args([
        "platform-user",
        "create",
        "--username",
        "ops.root",
        "--display-name",
        "运维",
        "--role",
        "platform-operator",
    ]));
    let op_otp = otp(&t);
    let endpoint = format!("http://127.0.0.1:{port}");
    let s = serve(&dir, &[("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str())]);
    let forbidden = exercise(&s, &op_otp).await;
    let (status, logs) = s.terminate();
    assert!(status.success(), "{logs}");
    // Exporters flush on shutdown; allow the receiver a moment.
    let start = Instant::now();
    loop {
        let paths: Vec<String> = got
            .lock()
            .expect("lock")
            .iter()
            .map(|(p, _)| p.clone())
            .collect();
        if paths.iter().any(|p| p == "/v1/traces") && paths.iter().any(|p| p == "/v1/metrics") {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "OTLP export missing: {paths:?}\n{logs}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let all = got.lock().expect("lock").clone();
    let traces: Vec<u8> = all
        .iter()
        .filter(|(p, _)| p == "/v1/traces")
        .flat_map(|(_, b)| b.clone())
        .collect();
    let metrics: Vec<u8> = all
        .iter()
        .filter(|(p, _)| p == "/v1/metrics")
        .flat_map(|(_, b)| b.clone())
        .collect();
    let contains =
        |hay: &[u8], needle: &str| hay.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(
        contains(&traces, "http.request") && contains(&traces, "request_id"),
        "span names and fields are exported"
    );
    assert!(
        contains(&traces, "330523"),
        "the tenant code is on the spans"
    );
    assert!(
        contains(&metrics, "http.server.request.duration"),
        "latency metric exported"
    );
    assert!(
        contains(&metrics, "db.pool.connections"),
        "pool metric exported"
    );
    for f in &forbidden {
        assert!(
            !contains(&traces, f) && !contains(&metrics, f),
            "OTLP export leaked {f:?}"
        );
    }
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

#[test]
fn the_province_preset_creates_all_of_zhejiang_deterministically() {
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
}

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

/// The database the binary uses in this pass, as environment variables: a SQLite file in the
/// work directory, or, in tests/run's PostgreSQL pass, a fresh PostgreSQL database migrated by
/// the owner role and used by the application role.
fn database_env(dir: &Dir) -> Vec<(String, String)> {
    use diesel::Connection;
    use diesel::connection::SimpleConnection;
    if std::env::var("SHUANGLIAN_TEST_BACKEND").as_deref() != Ok("postgres") {
        return vec![(
            "DATABASE_URL".into(),
            format!("sqlite://{}/sl.db", dir.0.display()),
        )];
    }
    let var = |n: &str| {
        std::env::var(n).unwrap_or_else(|_| {
            panic!("{n} must be set for the PostgreSQL pass (tests/run sets it)")
        })
    };
    let owner = var("SHUANGLIAN_TEST_PG_OWNER_URL");
    let (user, pw) = (
        var("SHUANGLIAN_TEST_PG_APP_USER"),
        var("SHUANGLIAN_TEST_PG_APP_PASSWORD"),
    );
    let db = format!("sl_bin_{}", uuid::Uuid::now_v7().simple());
    diesel::PgConnection::establish(&owner)
        .expect("connect as the owner role")
        .batch_execute(&format!("CREATE DATABASE {db}"))
        .expect("create database");
    let base = owner.rsplit_once('/').expect("database in URL").0;
    let host = base.rsplit_once('@').expect("user@host in URL").1;
    vec![
        (
            "DATABASE_URL".into(),
            format!("postgres://{user}:{pw}@{host}/{db}"),
        ),
        (
            "SHUANGLIAN_MIGRATION_DATABASE_URL".into(),
            format!("{base}/{db}"),
        ),
        ("SHUANGLIAN_DATABASE__APP_ROLE".into(), user),
    ]
}

fn output_text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

const NEW_KEY: &str = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";
const NEWER_KEY: &str = "YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY=";

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
