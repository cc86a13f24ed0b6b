//! Faults survived (docs/operations.md, "Faults survived"): the database restarted under load,
//! the session store stopped, the process killed with SIGKILL in the middle of a large import,
//! and SIGTERM under load. Each ends with the service answering again and no acknowledged
//! write lost.
//!
//! PostgreSQL and Redis are restarted on private instances the test starts itself: the shared
//! ones of the test pass serve every other test running in parallel. The SIGKILL and SIGTERM
//! tests run the real `shuanglian` binary as a child process (`cargo build -p
//! shuanglian-server --bin shuanglian`; tests/run builds it), on the pass's own backend.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::{Connection, RunQueryDsl};
use reqwest::{Client, StatusCode};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use shuanglian::config::Settings;
use shuanglian::db::Backend;
use shuanglian_tests::{PASSWORD, TempDir, TestApp, backend, id_number, spawn_app_with};

// ---------------------------------------------------------------------- helpers --

/// A TCP port nobody listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

fn temp_dir(tag: &str) -> TempDir {
    let dir = std::env::temp_dir().join(format!("sl-{tag}-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    TempDir(dir)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs a PostgreSQL program; as the `postgres` OS user when we are root (initdb and postgres
/// refuse to run as root), the way tests/run does.
fn pg_cmd(bin: &std::path::Path, prog: &str) -> Command {
    let exe = bin.join(prog);
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(exe);
        c
    } else {
        Command::new(exe)
    }
}

/// The PostgreSQL binaries: `SHUANGLIAN_TEST_PGBIN` (tests/run exports it), else the newest
/// under /usr/lib/postgresql.
fn pg_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("SHUANGLIAN_TEST_PGBIN") {
        return p.into();
    }
    let mut dirs: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL installed under /usr/lib/postgresql (or set SHUANGLIAN_TEST_PGBIN)")
        .filter_map(|e| {
            let e = e.ok()?;
            let v = e.file_name().to_str()?.parse().ok()?;
            Some((v, e.path().join("bin")))
        })
        .collect();
    dirs.sort();
    dirs.pop().expect("a PostgreSQL version").1
}

/// A PostgreSQL cluster of this test alone, so that it can be stopped and started again.
struct PrivatePg {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    _dir: TempDir,
}

impl PrivatePg {
    fn start() -> PrivatePg {
        let bin = pg_bin();
        let dir = temp_dir("pg");
        if is_root() {
            let ok = Command::new("chown")
                .args(["postgres:"])
                .arg(&dir.0)
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "chown the private cluster's directory");
        }
        let data = dir.0.join("data");
        // Trust on the Unix socket in the private directory and on 127.0.0.1: the cluster lives
        // for one test, holds test data only and listens on a random port.
        let out = pg_cmd(&bin, "initdb")
            .current_dir(&dir.0)
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8"])
            .args(["--locale=C.UTF-8", "--no-sync"])
            .output()
            .expect("run initdb");
        assert!(out.status.success(), "initdb: {out:?}");
        let pg = PrivatePg {
            bin,
            data,
            port: free_port(),
            _dir: dir,
        };
        pg.up();
        pg.psql(&[
            "CREATE ROLE shuanglian_owner LOGIN NOSUPERUSER NOBYPASSRLS CREATEDB",
            "CREATE ROLE shuanglian_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE",
            "CREATE DATABASE shuanglian OWNER shuanglian_owner",
        ]);
        pg
    }

    /// Runs statements as the superuser, each in its own transaction.
    fn psql(&self, statements: &[&str]) {
        let mut cmd = Command::new(self.bin.join("psql"));
        cmd.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1"])
            .args([
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-d",
                "postgres",
            ]);
        for s in statements {
            cmd.args(["-c", s]);
        }
        let out = cmd.output().expect("psql");
        assert!(out.status.success(), "psql: {out:?}");
    }

    fn up(&self) {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self._dir.0.display()
        );
        let out = pg_cmd(&self.bin, "pg_ctl")
            .current_dir(&self._dir.0)
            .arg("-D")
            .arg(&self.data)
            .arg("-l")
            .arg(self._dir.0.join("pg.log"))
            .args(["-w", "-o", &opts, "start"])
            .output()
            .expect("pg_ctl start");
        assert!(out.status.success(), "pg_ctl start: {out:?}");
    }

    /// Stops the cluster the hard way: every backend is killed, the next start recovers from
    /// the write-ahead log, as after a crash.
    fn down(&self) {
        let out = pg_cmd(&self.bin, "pg_ctl")
            .current_dir(&self._dir.0)
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "-w", "stop"])
            .output()
            .expect("pg_ctl stop");
        assert!(out.status.success(), "pg_ctl stop: {out:?}");
    }

    fn url(&self, user: &str) -> String {
        format!("postgres://{user}@127.0.0.1:{}/shuanglian", self.port)
    }
}

impl Drop for PrivatePg {
    fn drop(&mut self) {
        let _ = pg_cmd(&self.bin, "pg_ctl")
            .current_dir(&self._dir.0)
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "-w", "stop"])
            .output();
    }
}

/// A Redis of this test alone, with an append-only file so that sessions outlive a restart.
struct PrivateRedis {
    port: u16,
    child: Option<Child>,
    dir: TempDir,
}

impl PrivateRedis {
    fn start() -> PrivateRedis {
        let mut r = PrivateRedis {
            port: free_port(),
            child: None,
            dir: temp_dir("redis"),
        };
        r.up();
        r
    }

    fn up(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args([
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
            ])
            .arg("--dir")
            .arg(&self.dir.0)
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server (apt-get install redis-server)");
        self.child = Some(child);
        wait_for(Duration::from_secs(10), || {
            std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok()
        });
    }

    fn down(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.down();
    }
}

fn wait_for(limit: Duration, mut ok: impl FnMut() -> bool) {
    let t0 = Instant::now();
    while !ok() {
        assert!(t0.elapsed() < limit, "gave up after {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The real server binary.
fn server_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("SHUANGLIAN_BIN") {
        return p.into();
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../target").into());
    let p = target.join("debug/shuanglian");
    assert!(
        p.exists(),
        "{} is missing: `cargo build -p shuanglian-server --bin shuanglian` (tests/run does)",
        p.display()
    );
    p
}

/// `shuanglian serve` as a child process on the database, store and master key of a test app
/// (whose own in-process server has been stopped).
struct Server {
    child: Child,
    base: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(app: &TestApp) -> Server {
        let s = &app.settings;
        let mut cmd = Command::new(server_binary());
        cmd.args(["serve", "--listen", "127.0.0.1:0"])
            .env("DATABASE_URL", s.database.url.expose_secret())
            .env("SHUANGLIAN_DATABASE__APP_ROLE", &s.database.app_role)
            .env("SHUANGLIAN_MASTER_KEY", app.state.master_key.to_b64())
            .env("SHUANGLIAN_REDIS__KEY_PREFIX", &s.redis.key_prefix)
            .env("SHUANGLIAN_AUTH__SIGNIN_RATE_PER_MINUTE", "100000")
            .env("SHUANGLIAN_SERVER__SHUTDOWN_GRACE_SECS", "20")
            .env("SHUANGLIAN_LOG_FORMAT", "json")
            .env_remove("REDIS_URL")
            .env_remove("SHUANGLIAN_MIGRATION_DATABASE_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(r) = &s.redis.url {
            cmd.env("REDIS_URL", r.expose_secret());
        }
        let mut child = cmd.spawn().expect("start the server binary");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        // Both streams are drained for the life of the process, so it never blocks on a pipe.
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        for (stream, tx) in [
            (Box::new(stdout) as Box<dyn std::io::Read + Send>, Some(tx)),
            (Box::new(stderr), None),
        ] {
            let log = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if let (Some(tx), Some(i)) = (&tx, line.find("listening on http://")) {
                        let url = line[i + "listening on ".len()..]
                            .split_whitespace()
                            .next()
                            .unwrap_or_default()
                            .to_owned();
                        let _ = tx.send(url);
                    }
                    log.lock().expect("log").push(line);
                }
            });
        }
        let base = match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(b) => b,
            Err(_) => {
                let _ = child.kill();
                panic!("server did not start: {:?}", log.lock().expect("log"));
            }
        };
        Server { child, base, log }
    }

    fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "kill {sig}");
    }

    fn wait_exit(&mut self, limit: Duration) -> std::process::ExitStatus {
        let t0 = Instant::now();
        loop {
            if let Some(st) = self.child.try_wait().expect("wait") {
                return st;
            }
            assert!(t0.elapsed() < limit, "server still running after {limit:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Asserts a 503 problem+json for an outage: the given code, a Retry-After, a zh-CN detail.
async fn outage(r: reqwest::Response, codes: &[&str]) -> Value {
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.headers().contains_key("retry-after"), "{:?}", r.headers());
    let ct = r.headers()["content-type"]
        .to_str()
        .unwrap_or("")
        .to_owned();
    assert!(ct.starts_with("application/problem+json"), "{ct}");
    let v: Value = r.json().await.expect("json");
    assert!(
        codes.contains(&v["code"].as_str().unwrap_or("")),
        "code not in {codes:?}: {v}"
    );
    assert!(v["detail"].as_str().is_some_and(|d| !d.is_empty()), "{v}");
    v
}

/// Writes from `workers` clients until `stop` is set: township creations by the county admin.
/// Returns the ids acknowledged with 201 and every other answer (status, code).
#[derive(Default)]
struct Tally {
    acknowledged: Vec<String>,
    refused: Vec<(u16, String)>,
    transport_errors: usize,
}

async fn write_load(
    client: Client,
    base: String,
    token: String,
    workers: usize,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> Tally {
    let tally = Arc::new(Mutex::new(Tally::default()));
    let mut tasks = Vec::new();
    for w in 0..workers {
        let (client, base, token, stop, tally) = (
            client.clone(),
            base.clone(),
            token.clone(),
            stop.clone(),
            tally.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                i += 1;
                let r = client
                    .post(format!("{base}/api/v1/org-units"))
                    .bearer_auth(&token)
                    .json(&json!({ "kind": "township", "name": format!("负载{w}号{i}街道") }))
                    .send()
                    .await;
                let Ok(r) = r else {
                    tally.lock().expect("tally").transport_errors += 1;
                    continue;
                };
                let status = r.status();
                let v: Value = r.json().await.unwrap_or(Value::Null);
                let created = status == StatusCode::CREATED;
                {
                    let mut t = tally.lock().expect("tally");
                    if created {
                        t.acknowledged
                            .push(v["id"].as_str().expect("id").to_owned());
                    } else {
                        t.refused
                            .push((status.as_u16(), v["code"].as_str().unwrap_or("").to_owned()));
                    }
                }
                if !created {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }));
    }
    for t in tasks {
        t.await.expect("worker");
    }
    Arc::try_unwrap(tally)
        .ok()
        .expect("sole owner")
        .into_inner()
        .expect("tally")
}

/// Every acknowledged unit can be read back.
async fn assert_all_present(app: &TestApp, token: &str, ids: &[String]) {
    for id in ids {
        let r = app
            .get(&format!("/api/v1/org-units/{id}"), token)
            .send()
            .await
            .expect("read back");
        assert_eq!(r.status(), StatusCode::OK, "acknowledged unit {id} lost");
    }
}

// ------------------------------------------------------------------------ tests --

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_only_database_restart_under_load_answers_503_then_recovers_losing_nothing() {
    let pg = PrivatePg::start();
    let (url, owner) = (pg.url("shuanglian_app"), pg.url("shuanglian_owner"));
    let app = spawn_app_with(move |s: &mut Settings| {
        s.database.url = url.into();
        s.database.migration_url = Some(owner.into());
        s.database.pool_timeout_secs = 2;
    })
    .await;
    let c = app.county("330523", "安吉县").await;
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load = tokio::spawn(write_load(
        app.client.clone(),
        app.base.clone(),
        c.admin_token.clone(),
        6,
        stop.clone(),
    ));
    tokio::time::sleep(Duration::from_secs(2)).await;

    pg.down();
    // While it is down: a clear 503 with Retry-After, and the readiness probe says which part.
    let r = app
        .get("/api/v1/org-units?limit=5", &c.admin_token)
        .send()
        .await
        .expect("request while down");
    outage(r, &["database_unavailable", "database_busy"]).await;
    let r = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["database"]["ok"], false, "{v}");
    tokio::time::sleep(Duration::from_secs(2)).await;

    pg.up();
    // The same process serves again, without a restart.
    let t0 = Instant::now();
    loop {
        let r = app
            .client
            .get(app.url("/readyz"))
            .send()
            .await
            .expect("readyz");
        if r.status() == StatusCode::OK {
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(30), "not ready again");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let tally = load.await.expect("load");

    let mut seen = std::collections::BTreeMap::<String, usize>::new();
    for (s, c) in &tally.refused {
        *seen.entry(format!("{s} {c}")).or_default() += 1;
    }
    eprintln!(
        "{} writes acknowledged; refused while down: {seen:?}",
        tally.acknowledged.len()
    );
    assert_eq!(tally.transport_errors, 0, "the server stayed up");
    assert!(
        tally
            .refused
            .iter()
            .all(|(s, c)| *s == 503 && (c == "database_unavailable" || c == "database_busy")),
        "only outage 503s while the database was down: {:?}",
        tally.refused
    );
    assert!(!tally.refused.is_empty(), "the outage was seen by the load");
    assert!(tally.acknowledged.len() > 10, "writes before and after");
    // Writes made after recovery are there, and so is every write acknowledged before the crash.
    assert_all_present(&app, &c.admin_token, &tally.acknowledged).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_only_session_store_stopped_fails_closed_with_503_then_recovers() {
    let mut redis = PrivateRedis::start();
    let url = redis.url();
    let app = spawn_app_with(move |s: &mut Settings| s.redis.url = Some(url.into())).await;
    let c = app.county("330523", "安吉县").await;
    let (_, tok) = app.staff(&c, "branch.one", "branch_staff", None).await;
    let me = || app.get("/api/v1/me", &tok).send();
    assert_eq!(me().await.expect("me").status(), StatusCode::OK);

    redis.down();
    // Sessions fail closed: no token is honoured without the store, and none is issued.
    outage(me().await.expect("me"), &["session_store_unavailable"]).await;
    let r = app
        .sign_in_raw(Some("330523"), "branch.one", PASSWORD)
        .await;
    outage(r, &["session_store_unavailable"]).await;
    let r = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["store"]["ok"], false, "{v}");
    assert_eq!(v["database"]["ok"], true, "{v}");

    redis.up();
    // The same process reconnects by itself; the session survived (append-only file).
    let t0 = Instant::now();
    while me().await.expect("me").status() != StatusCode::OK {
        assert!(t0.elapsed() < Duration::from_secs(30), "not recovered");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let r = app
        .sign_in_raw(Some("330523"), "branch.one", PASSWORD)
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(r.status(), StatusCode::OK);
}

const HEADERS: &str = "序号,姓名,性别,身份证号,手机号码,家庭住址,户籍所在地,是否业主,单位名称,统一社会信用代码,组织生活所在辖区党组织,组织关系所在地党组织,党员状态,分布情况,所在市场,经营状态,外出经营时间,入党时间,是否协会会员";

/// A member sheet of `n` distinct, valid rows in the import's CSV format (docs/samples).
fn member_sheet(n: u32) -> Vec<u8> {
    const SURNAMES: [&str; 8] = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄"];
    const GIVEN: [&str; 8] = ["建国", "芳", "伟", "秀英", "敏", "强", "磊", "洋"];
    let day0 = chrono::NaiveDate::from_ymd_opt(1960, 1, 1).expect("date");
    let mut out = String::from(HEADERS);
    for k in 0..n {
        // A distinct (birth day, sequence) pair per row: 999 sequences a day.
        let birth = day0 + chrono::Duration::days(i64::from(k / 999));
        let seq = format!("{:03}", k % 999 + 1);
        let id = id_number("330523", &birth.format("%Y%m%d").to_string(), &seq);
        let name = format!(
            "{}{}",
            SURNAMES[k as usize % 8],
            GIVEN[(k / 8) as usize % 8]
        );
        out.push_str(&format!(
            "\n{k},{name},,{id},,某路{k}号,330523,是,{name}的店,,古城村,古城村,正式,个体工商户,,经营,,2005-07-01,是"
        ));
    }
    out.into_bytes()
}

async fn member_count(client: &Client, base: &str, token: &str) -> usize {
    let (mut n, mut cursor) = (0, None::<String>);
    loop {
        let mut url = format!("{base}/api/v1/members?limit=200");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let r = client
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .expect("list");
        assert_eq!(r.status(), StatusCode::OK);
        let v: Value = r.json().await.expect("json");
        n += v["items"].as_array().expect("items").len();
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return n,
        }
    }
}

/// Bytes the database holds, committed or not: the SQLite file and its write-ahead log, or
/// `pg_database_size`. It grows while an import writes inside its open transaction.
fn database_bytes(app: &TestApp) -> u64 {
    match backend() {
        Backend::Sqlite => {
            let url = app.settings.database.url.expose_secret().to_owned();
            let path = url.trim_start_matches("sqlite://").to_owned();
            [path.clone(), format!("{path}-wal")]
                .iter()
                .filter_map(|p| std::fs::metadata(p).ok())
                .map(|m| m.len())
                .sum()
        }
        Backend::Postgres => {
            let url = app.owner_url.as_deref().expect("owner url");
            let mut c = diesel::PgConnection::establish(url).expect("connect");
            diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
                "pg_database_size(current_database())",
            ))
            .get_result::<i64>(&mut c)
            .expect("size") as u64
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_a_50000_row_import_writes_nothing_of_it() {
    let mut app = spawn_app_with(|_| {}).await;
    let c = app.county("330523", "安吉县").await;
    let town = app.org_unit(&c, "township", "递铺街道", None).await;
    app.org_unit(&c, "village", "古城村", Some(&town)).await;
    let admin = c.admin_token.clone();
    // Five members already there: the first rows of the big sheet, which must stay as they are.
    let small = member_sheet(5);
    let r = app
        .client
        .post(app.url("/api/v1/members/import?dry_run=false"))
        .bearer_auth(&admin)
        .header("content-type", "text/csv")
        .body(small)
        .send()
        .await
        .expect("small import");
    assert_eq!(r.status(), StatusCode::OK, "{:?}", r.text().await);
    app.stop().await;

    let mut server = Server::start(&app);
    app.base = server.base.clone();
    let admin = app.sign_in(Some("330523"), "admin.330523", PASSWORD).await;
    let before = member_count(&app.client, &app.base, &admin).await;
    assert_eq!(before, 5);

    let sheet = member_sheet(50_000);
    let long = Client::builder()
        .timeout(Duration::from_secs(900))
        .build()
        .expect("client");
    let baseline = database_bytes(&app);
    let upload = tokio::spawn({
        let url = app.url("/api/v1/members/import?dry_run=false");
        let admin = admin.clone();
        async move {
            long.post(url)
                .bearer_auth(admin)
                .header("content-type", "text/csv")
                .body(sheet)
                .send()
                .await
        }
    });
    // Kill once the import's transaction has written several megabytes, i.e. in the middle of
    // its writes (checking, before them, writes nothing).
    let t0 = Instant::now();
    loop {
        assert!(!upload.is_finished(), "the import ended before the kill");
        let grown = database_bytes(&app).saturating_sub(baseline);
        if grown > 4 << 20 {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(600),
            "the import never wrote"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.signal("-KILL");
    server.wait_exit(Duration::from_secs(10));
    assert!(
        upload.await.expect("join").is_err(),
        "the import was cut off, not answered"
    );
    drop(server);

    let server = Server::start(&app);
    app.base = server.base.clone();
    let admin = app.sign_in(Some("330523"), "admin.330523", PASSWORD).await;
    assert_eq!(
        member_count(&app.client, &app.base, &admin).await,
        before,
        "nothing of the killed import is written"
    );
    // The restarted server writes normally.
    let r = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .post(
            "/api/v1/org-units",
            &admin,
            &json!({ "kind": "township", "name": "孝丰镇" }),
        )
        .send()
        .await
        .expect("write after restart");
    assert_eq!(r.status(), StatusCode::CREATED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_under_load_fails_no_request_accepted_before_it() {
    let mut app = spawn_app_with(|_| {}).await;
    let c = app.county("330523", "安吉县").await;
    // A second-factor-free account: its sign-ins (argon2, slow on purpose) are the long
    // requests in flight when the signal comes.
    app.staff(&c, "branch.one", "branch_staff", None).await;
    app.stop().await;
    let mut server = Server::start(&app);
    app.base = server.base.clone();
    let admin = app.sign_in(Some("330523"), "admin.330523", PASSWORD).await;

    let signalled: Arc<Mutex<Option<Instant>>> = Arc::default();
    let mut tasks = Vec::new();
    for w in 0..12 {
        let (client, base, admin, signalled) = (
            app.client.clone(),
            app.base.clone(),
            admin.clone(),
            signalled.clone(),
        );
        tasks.push(tokio::spawn(async move {
            // (sent at, answered at, Ok(status) or Err(transport error text))
            let mut seen = Vec::new();
            for i in 0.. {
                if signalled
                    .lock()
                    .expect("lock")
                    .is_some_and(|t| t.elapsed() > Duration::from_secs(3))
                {
                    break;
                }
                let sent = Instant::now();
                let req = match (w + i) % 3 {
                    0 => client
                        .post(format!("{base}/api/v1/auth/sign-in"))
                        .json(&json!({
                            "tenant_code": "330523", "username": "branch.one", "password": PASSWORD
                        })),
                    1 => client
                        .post(format!("{base}/api/v1/org-units"))
                        .bearer_auth(&admin)
                        .json(&json!({ "kind": "township", "name": format!("关停{w}号{i}镇") })),
                    _ => client
                        .get(format!("{base}/api/v1/org-units?limit=20"))
                        .bearer_auth(&admin),
                };
                let out = req.send().await.map(|r| r.status().as_u16());
                let failed = out.is_err();
                seen.push((sent, Instant::now(), out.map_err(|e| e.to_string())));
                if failed {
                    break; // the listener is gone: this client is done
                }
            }
            seen
        }));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    *signalled.lock().expect("lock") = Some(Instant::now());
    server.signal("-TERM");
    let at = signalled.lock().expect("lock").expect("set");

    let mut in_flight = 0;
    for t in tasks {
        for (sent, done, out) in t.await.expect("task") {
            // Sent well before the signal (loopback, established connection): the server had
            // accepted it, so it must complete.
            if sent + Duration::from_millis(20) < at {
                let status = out.unwrap_or_else(|e| panic!("accepted request failed: {e}"));
                assert!(
                    (200..300).contains(&status),
                    "accepted request got {status}"
                );
                if done > at {
                    in_flight += 1;
                }
            }
        }
    }
    assert!(
        in_flight > 0,
        "some requests were in flight when the signal came"
    );
    let status = server.wait_exit(Duration::from_secs(30));
    assert!(status.success(), "clean exit: {status:?}");
    let log = server.log.lock().expect("log").join("\n");
    assert!(log.contains("shutdown requested"), "{log}");
}
