//! Faults survived (docs/operations.md, "Faults survived"): the database restarted under load,
//! the session store stopped, the process killed with SIGKILL in the middle of a large import,
//! and SIGTERM under load. Each ends with the service answering again and no acknowledged
//! write lost.
//!
//! PostgreSQL and Redis are restarted on private instances the test starts itself: the shared
//! ones of the test pass serve every other test running in parallel. The SIGKILL and SIGTERM
//! tests run the real `shuanglian` binary as a child process (`cargo build -p
//! shuanglian-server --bin shuanglian`; tests/run builds it), on the pass's own backend.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::fault_procs::{PrivatePg, PrivateRedis, Server};
use diesel::{Connection, RunQueryDsl};
use reqwest::{Client, StatusCode};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use shuanglian::config::Settings;
use shuanglian::db::Backend;
use shuanglian_tests::{PASSWORD, TestApp, backend, id_number, spawn_app_with};

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
    // Sessions fail closed: no token is honoured without the store, and none is issued. A
    // session verified a moment ago may be honoured from the process's cache until the cache
    // learns of the outage (its pub/sub connection drops with Redis) and at most for its 5 s.
    let t0 = Instant::now();
    let r = loop {
        let r = me().await.expect("me");
        if r.status() != StatusCode::OK {
            break r;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(6),
            "a cached session outlived its 5 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    outage(r, &["session_store_unavailable"]).await;
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
    member_sheet_named(n, |k| {
        format!(
            "{}{}",
            SURNAMES[k as usize % 8],
            GIVEN[(k / 8) as usize % 8]
        )
    })
}

/// As [`member_sheet`], row `k` named `name(k)`; members of 古城村 in county 330523.
pub(crate) fn member_sheet_named(n: u32, name: impl Fn(u32) -> String) -> Vec<u8> {
    let day0 = chrono::NaiveDate::from_ymd_opt(1960, 1, 1).expect("date");
    let mut out = String::from(HEADERS);
    for k in 0..n {
        // A distinct (birth day, sequence) pair per row: 999 sequences a day.
        let birth = day0 + chrono::Duration::days(i64::from(k / 999));
        let seq = format!("{:03}", k % 999 + 1);
        let id = id_number("330523", &birth.format("%Y%m%d").to_string(), &seq);
        let name = name(k);
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
