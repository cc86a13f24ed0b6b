//! The real `shuanglian` binary: shell commands, SIGTERM, JSON logs and OTLP export, and that
//! none of them carries personal data or secrets.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod keys;
mod shell;
mod signals;

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
