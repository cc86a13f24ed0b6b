//! Black-box test harness: starts the real server (built from configuration, as `serve` does)
//! on a random port with a fresh database, and talks HTTP to it.
//!
//! Backend by environment (set by `tests/run`):
//! - `SHUANGLIAN_TEST_BACKEND=sqlite` (default): a SQLite file in a temp dir, in-process store.
//! - `SHUANGLIAN_TEST_BACKEND=postgres`: a fresh database per test created with
//!   `SHUANGLIAN_TEST_PG_OWNER_URL`, migrated as that owner, served as
//!   `SHUANGLIAN_TEST_PG_APP_USER`; sessions in Redis at `SHUANGLIAN_TEST_REDIS_URL`.
//!   Missing variables fail the test: a PostgreSQL pass never silently runs on SQLite.

use std::time::Duration;

use diesel::Connection;
use diesel::connection::SimpleConnection;
use reqwest::{Client, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use shuanglian::auth::{Role, password};
use shuanglian::config::Settings;
use shuanglian::db::{Backend, Mode};
use shuanglian::security::MasterKey;
use shuanglian::startup::{AppState, Application};

pub const OPERATOR: &str = "operator";
pub const PASSWORD: &str = "Test-password-2026";

pub fn backend() -> Backend {
    match std::env::var("SHUANGLIAN_TEST_BACKEND").as_deref() {
        Ok("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} must be set for the PostgreSQL test pass (tests/run sets it)")
    })
}

/// Replaces user (and password) and database of a postgres URL.
pub fn pg_url(base: &str, user: Option<(&str, &str)>, db: &str) -> String {
    let rest = base.strip_prefix("postgres://").expect("postgres:// URL");
    let (creds, hostpart) = rest.rsplit_once('@').expect("user@host in URL");
    let host = hostpart.split('/').next().expect("host");
    let creds = match user {
        Some((u, p)) => format!("{u}:{p}"),
        None => creds.to_owned(),
    };
    format!("postgres://{creds}@{host}/{db}")
}

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub state: AppState,
    pub settings: Settings,
    /// Owner-role URL of this test's database (PostgreSQL only).
    pub owner_url: Option<String>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    pub server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    /// Second-factor secrets of the accounts that enrolled through the harness, by
    /// `<tenant code or ->|<user name>`: sign-ins answer with their current code.
    totp: std::sync::Mutex<std::collections::HashMap<String, String>>,
    /// The master key (base64), so a restart opens the same county keys.
    master_key: String,
    _dir: TempDir,
}

/// A directory removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn test_settings() -> (Settings, Option<String>, TempDir) {
    let dir = std::env::temp_dir().join(format!("sl-test-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut s = Settings::default();
    s.server.listen = "127.0.0.1:0".into();
    s.server.shutdown_grace_secs = 10;
    s.database.pool_size = 8;
    s.redis.key_prefix = format!("sltest{}", uuid::Uuid::now_v7().simple());
    // Generous by default; tests of the limit lower it.
    s.auth.signin_rate_per_minute = 10_000;
    let mut owner_url = None;
    match backend() {
        Backend::Sqlite => {
            s.database.url = format!("sqlite://{}/test.db", dir.display()).into();
        }
        Backend::Postgres => {
            let admin = env("SHUANGLIAN_TEST_PG_OWNER_URL");
            let app_user = env("SHUANGLIAN_TEST_PG_APP_USER");
            let app_pw = env("SHUANGLIAN_TEST_PG_APP_PASSWORD");
            let redis = env("SHUANGLIAN_TEST_REDIS_URL");
            let db = format!("sl_test_{}", uuid::Uuid::now_v7().simple());
            let mut c = diesel::PgConnection::establish(&admin).expect("connect as the owner role");
            c.batch_execute(&format!("CREATE DATABASE {db}"))
                .expect("create test database");
            let owner = pg_url(&admin, None, &db);
            s.database.migration_url = Some(owner.clone().into());
            s.database.url = pg_url(&admin, Some((&app_user, &app_pw)), &db).into();
            s.database.app_role = app_user;
            s.redis.url = Some(redis.into());
            owner_url = Some(owner);
        }
    }
    (s, owner_url, TempDir(dir))
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    let (mut settings, owner_url, dir) = test_settings();
    configure(&mut settings);
    let master_key = MasterKey::generate().to_b64();
    let (base, state, tx, server) = start(&settings, &master_key).await;
    // The platform operator everybody's tests start from, with a second factor (its role
    // must have one).
    let hash = password::hash(PASSWORD).expect("hash");
    let operator_id = state
        .db
        .platform(Mode::Write, move |tx| {
            let u = shuanglian::users::repo::platform_insert(
                tx,
                OPERATOR,
                "测试运维",
                Role::PlatformOperator,
                None,
                &hash,
                false,
            )?;
            Ok(u.id)
        })
        .await
        .expect("seed operator");
    let operator_secret = shuanglian::auth::totp::new_secret();
    shuanglian::auth::totp::service::store(
        &state.db,
        state.master_key.bytes(),
        &shuanglian::auth::totp::service::Owner::Platform,
        &operator_id,
        &operator_secret,
        true,
    )
    .await
    .expect("seed operator's second factor");
    let totp = std::sync::Mutex::new(std::collections::HashMap::from([(
        totp_key(None, OPERATOR),
        secrecy::ExposeSecret::expose_secret(&operator_secret).to_owned(),
    )]));
    let client = http_client();
    TestApp {
        base,
        client,
        state,
        settings,
        owner_url,
        shutdown: Some(tx),
        server: Some(server),
        totp,
        master_key,
        _dir: dir,
    }
}

/// The harness's HTTP client (one per started server).
fn http_client() -> Client {
    Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

type Running = (
    String,
    AppState,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
);

/// Builds the server from settings, as `serve` does, and runs it until the sender fires.
async fn start(settings: &Settings, master_key: &str) -> Running {
    let key = MasterKey::from_b64(master_key).expect("master key");
    let app = Application::build(settings.clone(), key)
        .await
        .expect("build app");
    let base = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until_stopped(async move {
        let _ = rx.await;
    }));
    (base, state, tx, server)
}

fn totp_key(tenant_code: Option<&str>, username: &str) -> String {
    format!("{}|{}", tenant_code.unwrap_or("-"), username.to_lowercase())
}

/// The RFC 6238 code (SHA-1, 6 digits, 30 s) of a base32 secret at a Unix time, computed with
/// totp-rs directly (not through the server's own helper).
pub fn totp_code_at(secret: &str, unix: u64) -> String {
    let bytes = totp_rs::Secret::try_from_base32(secret).expect("base32 secret");
    totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_secret(bytes)
        .build()
        .expect("totp")
        .generate(unix)
        .to_string()
}

pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

/// The current code of a base32 secret.
pub fn totp_code(secret: &str) -> String {
    totp_code_at(secret, unix_now())
}

/// A county created through the API, with its admin signed in (password already changed).
pub struct County {
    pub id: String,
    pub code: String,
    pub admin_id: String,
    pub admin_token: String,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn get(&self, path: &str, token: &str) -> RequestBuilder {
        self.client.get(self.url(path)).bearer_auth(token)
    }

    pub fn post(&self, path: &str, token: &str, body: &Value) -> RequestBuilder {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
    }

    pub fn patch(&self, path: &str, token: &str, body: &Value) -> RequestBuilder {
        self.client
            .patch(self.url(path))
            .bearer_auth(token)
            .json(body)
    }

    /// A sign-in request; for accounts enrolled through the harness it carries their current
    /// code (tests of the second factor itself use [`TestApp::sign_in_with_code`]).
    pub async fn sign_in_raw(
        &self,
        tenant_code: Option<&str>,
        username: &str,
        password: &str,
    ) -> Response {
        let secret = self.totp_secret(tenant_code, username);
        if secret.is_some() {
            // Tests sign the same account in several times within one 30-second step, which a
            // person with an app cannot: forget the used step so the helper's code is fresh.
            self.forget_totp_step(tenant_code, username).await;
        }
        let code = secret.as_deref().map(totp_code);
        self.sign_in_with_code(tenant_code, username, password, code.as_deref())
            .await
    }

    /// A sign-in request with exactly the given second-factor code (or none).
    pub async fn sign_in_with_code(
        &self,
        tenant_code: Option<&str>,
        username: &str,
        password: &str,
        totp_code: Option<&str>,
    ) -> Response {
        let mut body = json!({ "username": username, "password": password });
        if let Some(c) = tenant_code {
            body["tenant_code"] = json!(c);
        }
        if let Some(c) = totp_code {
            body["totp_code"] = json!(c);
        }
        self.client
            .post(self.url("/api/v1/auth/sign-in"))
            .json(&body)
            .send()
            .await
            .expect("sign-in request")
    }

    pub async fn sign_in(
        &self,
        tenant_code: Option<&str>,
        username: &str,
        password: &str,
    ) -> String {
        let r = self.sign_in_raw(tenant_code, username, password).await;
        let status = r.status();
        let v: Value = r.json().await.expect("json");
        assert_eq!(status, StatusCode::OK, "sign-in failed: {v}");
        let token = v["token"].as_str().expect("token").to_owned();
        // An account that must have a second factor enrols one (once its password is changed).
        if v["totp_enrolment_required"] == true && v["must_change_password"] == false {
            self.enrol_totp(&token, tenant_code, username).await;
        }
        token
    }

    /// The second-factor secret the harness enrolled for an account, if any.
    pub fn totp_secret(&self, tenant_code: Option<&str>, username: &str) -> Option<String> {
        self.totp
            .lock()
            .expect("lock")
            .get(&totp_key(tenant_code, username))
            .cloned()
    }

    /// Enrols a second factor for the signed-in account (enrol, then confirm with the current
    /// code) and remembers its secret; returns the secret.
    pub async fn enrol_totp(
        &self,
        token: &str,
        tenant_code: Option<&str>,
        username: &str,
    ) -> String {
        let r = self
            .post("/api/v1/auth/totp/enrol", token, &json!({}))
            .send()
            .await
            .expect("enrol");
        let status = r.status();
        let v: Value = r.json().await.expect("json");
        assert_eq!(status, StatusCode::OK, "enrol: {v}");
        let secret = v["secret"].as_str().expect("secret").to_owned();
        let r = self
            .post(
                "/api/v1/auth/totp/confirm",
                token,
                &json!({ "code": totp_code(&secret) }),
            )
            .send()
            .await
            .expect("confirm");
        let status = r.status();
        let v: Value = r.json().await.expect("json");
        assert_eq!(status, StatusCode::OK, "confirm: {v}");
        self.totp
            .lock()
            .expect("lock")
            .insert(totp_key(tenant_code, username), secret.clone());
        secret
    }

    /// Enrols a second factor if this session is waiting for one.
    pub async fn ensure_totp(&self, token: &str, tenant_code: Option<&str>, username: &str) {
        let me: Value = self
            .get("/api/v1/me", token)
            .send()
            .await
            .expect("me")
            .json()
            .await
            .expect("json");
        if me["totp_enrolment_required"] == true && me["must_change_password"] == false {
            self.enrol_totp(token, tenant_code, username).await;
        }
    }

    /// Clears an account's record of the last accepted time step (the replay guard).
    pub async fn forget_totp_step(&self, tenant_code: Option<&str>, username: &str) {
        use diesel::prelude::*;
        use shuanglian::db::schema::{platform_user_totp, platform_users, user_totp, users};
        let code = tenant_code.map(str::to_owned);
        let name = username.to_lowercase();
        self.state
            .db
            .platform(Mode::Write, move |tx| {
                match code {
                    None => {
                        diesel::update(
                            platform_user_totp::table.filter(
                                platform_user_totp::user_id.eq_any(
                                    platform_users::table
                                        .filter(platform_users::username.eq(name))
                                        .select(platform_users::id),
                                ),
                            ),
                        )
                        .set(platform_user_totp::last_step.eq(None::<i64>))
                        .execute(tx.conn())?;
                    }
                    Some(code) => {
                        let Some(t) = shuanglian::tenancy::repo::by_code(tx, &code)? else {
                            return Ok(());
                        };
                        let mut ttx = tx.enter_tenant(t.tenant_id())?;
                        let tid = ttx.tid().to_owned();
                        diesel::update(
                            user_totp::table.filter(
                                user_totp::tenant_id.eq(tid.clone()).and(
                                    user_totp::user_id.eq_any(
                                        users::table
                                            .filter(
                                                users::tenant_id
                                                    .eq(tid)
                                                    .and(users::username.eq(name)),
                                            )
                                            .select(users::id),
                                    ),
                                ),
                            ),
                        )
                        .set(user_totp::last_step.eq(None::<i64>))
                        .execute(ttx.conn())?;
                    }
                }
                Ok(())
            })
            .await
            .expect("forget the last used step");
    }

    pub async fn operator_token(&self) -> String {
        self.sign_in(None, OPERATOR, PASSWORD).await
    }

    /// Creates a county through the platform API, signs its admin in and changes the
    /// one-time password to [`PASSWORD`].
    pub async fn county(&self, code: &str, name: &str) -> County {
        let op = self.operator_token().await;
        let r = self
            .post(
                "/api/v1/platform/tenants",
                &op,
                &json!({ "code": code, "name": name }),
            )
            .send()
            .await
            .expect("create");
        let status = r.status();
        let v: Value = r.json().await.expect("json");
        assert_eq!(status, StatusCode::CREATED, "{v}");
        let otp = v["admin"]["one_time_password"]
            .as_str()
            .expect("otp")
            .to_owned();
        let username = v["admin"]["username"]
            .as_str()
            .expect("username")
            .to_owned();
        let token = self.sign_in(Some(code), &username, &otp).await;
        let r = self
            .post(
                "/api/v1/auth/password",
                &token,
                &json!({ "current_password": otp, "new_password": PASSWORD }),
            )
            .send()
            .await
            .expect("change password");
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        // County admins must have a second factor.
        self.enrol_totp(&token, Some(code), &username).await;
        County {
            id: v["tenant"]["id"].as_str().expect("id").to_owned(),
            code: code.to_owned(),
            admin_id: v["admin"]["user_id"].as_str().expect("uid").to_owned(),
            admin_token: token,
        }
    }

    /// Creates a county user and returns (id, one-time password).
    pub async fn user(&self, county: &County, username: &str, role: &str) -> (String, String) {
        let r = self
            .post(
                "/api/v1/users",
                &county.admin_token,
                &json!({ "username": username, "display_name": "测试用户", "role": role }),
            )
            .send()
            .await
            .expect("create user");
        let status = r.status();
        let v: Value = r.json().await.expect("json");
        assert_eq!(status, StatusCode::CREATED, "{v}");
        (
            v["user"]["id"].as_str().expect("id").to_owned(),
            v["credential"]["one_time_password"]
                .as_str()
                .expect("otp")
                .to_owned(),
        )
    }

    /// Creates an org unit as the county admin; returns its id.
    pub async fn org_unit(
        &self,
        c: &County,
        kind: &str,
        name: &str,
        parent: Option<&str>,
    ) -> String {
        let mut body = serde_json::json!({ "kind": kind, "name": name });
        if let Some(p) = parent {
            body["parent_id"] = serde_json::json!(p);
        }
        let v: Value = self
            .post("/api/v1/org-units", &c.admin_token, &body)
            .send()
            .await
            .expect("create unit")
            .json()
            .await
            .expect("json");
        v["id"].as_str().unwrap_or_else(|| panic!("{v}")).to_owned()
    }

    /// Creates a county user (bound to `unit` when given), signs them in and replaces the
    /// one-time password with [`PASSWORD`]; returns (user id, token).
    pub async fn staff(
        &self,
        c: &County,
        username: &str,
        role: &str,
        unit: Option<&str>,
    ) -> (String, String) {
        let mut body =
            serde_json::json!({ "username": username, "display_name": "测试", "role": role });
        if let Some(u) = unit {
            body["org_unit_id"] = serde_json::json!(u);
        }
        let r = self
            .post("/api/v1/users", &c.admin_token, &body)
            .send()
            .await
            .expect("create user");
        let status = r.status();
        let v: Value = r.json().await.expect("json");
        assert_eq!(status, StatusCode::CREATED, "{v}");
        let otp = v["credential"]["one_time_password"]
            .as_str()
            .expect("otp")
            .to_owned();
        let tok = self.sign_in(Some(&c.code), username, &otp).await;
        let r = self
            .post(
                "/api/v1/auth/password",
                &tok,
                &serde_json::json!({ "current_password": otp, "new_password": PASSWORD }),
            )
            .send()
            .await
            .expect("change password");
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        self.ensure_totp(&tok, Some(&c.code), username).await;
        (v["user"]["id"].as_str().expect("id").to_owned(), tok)
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.server.take() {
            let _ = tokio::time::timeout(Duration::from_secs(30), h).await;
        }
    }

    /// Stops the server, closes its database pool (as a process exit would: whatever a pooled
    /// connection left uncommitted is gone), and starts it again on the same database and keys.
    /// The base URL changes (a new port); tokens issued before stay valid where sessions
    /// persist (Redis) and are gone with the in-process store.
    pub async fn restart(mut self) -> TestApp {
        self.stop().await;
        let settings = self.settings.clone();
        let master_key = std::mem::take(&mut self.master_key);
        let owner_url = self.owner_url.take();
        let totp = std::mem::take(&mut *self.totp.lock().expect("totp map"));
        let dir = std::mem::replace(&mut self._dir, TempDir(std::path::PathBuf::new()));
        // Dropping the old handle drops its pool and with it every connection.
        drop(self);
        let (base, state, tx, server) = start(&settings, &master_key).await;
        TestApp {
            base,
            client: http_client(),
            state,
            settings,
            owner_url,
            shutdown: Some(tx),
            server: Some(server),
            totp: std::sync::Mutex::new(totp),
            master_key,
            _dir: dir,
        }
    }

    pub fn trigger_shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Reads a problem+json response, asserting its status and code; returns the body.
pub async fn problem(r: Response, status: u16, code: &str) -> Value {
    let got = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "status: {v}");
    assert!(
        ct.starts_with("application/problem+json"),
        "content-type {ct}: {v}"
    );
    assert_eq!(v["code"], code, "{v}");
    assert_eq!(v["status"], status, "{v}");
    assert!(
        v["detail"].as_str().is_some_and(|d| !d.is_empty()) && v["detail_en"].as_str().is_some(),
        "{v}"
    );
    v
}

/// The field names a problem lists.
pub fn fields(v: &Value) -> Vec<String> {
    v["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A valid GB 11643 ID-card number built from parts (no real person's number in the tests).
pub fn id_number(region: &str, birth: &str, seq: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const C: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let body = format!("{region}{birth}{seq}");
    let sum: u32 = body
        .bytes()
        .zip(W)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    format!("{body}{}", C[(sum % 11) as usize])
}

/// An open `GET /api/v1/events` stream (server-sent events).
pub struct Events {
    stream: futures_util::stream::BoxStream<'static, reqwest::Result<Vec<u8>>>,
    buf: String,
    ended: bool,
}

impl Events {
    /// Opens the stream, asserting 200 and `text/event-stream`.
    pub async fn open(app: &TestApp, token: &str) -> Events {
        use futures_util::StreamExt;
        let r = app
            .client
            .get(app.url("/api/v1/events"))
            .bearer_auth(token)
            .send()
            .await
            .expect("events");
        assert_eq!(r.status(), 200);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap_or_default()
                .starts_with("text/event-stream")
        );
        Events {
            stream: r.bytes_stream().map(|c| c.map(|b| b.to_vec())).boxed(),
            buf: String::new(),
            ended: false,
        }
    }

    /// The next event within `wait`, or None (nothing came, or the stream ended).
    pub async fn next(&mut self, wait: Duration) -> Option<Value> {
        use futures_util::StreamExt;
        let deadline = std::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                if let Some(data) = block.lines().find_map(|l| l.strip_prefix("data: ")) {
                    return Some(serde_json::from_str(data).expect("event json"));
                }
                continue;
            }
            if self.ended {
                return None;
            }
            let left = deadline.checked_duration_since(std::time::Instant::now())?;
            match tokio::time::timeout(left, self.stream.next()).await {
                Ok(Some(Ok(b))) => self.buf.push_str(&String::from_utf8_lossy(&b)),
                Ok(None | Some(Err(_))) => self.ended = true,
                Err(_) => return None,
            }
        }
    }

    /// Whether the server ends the stream within `wait` (events still queued are skipped).
    pub async fn ends_within(&mut self, wait: Duration) -> bool {
        let deadline = std::time::Instant::now() + wait;
        while !self.ended {
            let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) else {
                return false;
            };
            self.next(left).await;
        }
        true
    }
}
