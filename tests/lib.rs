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
use reqwest::{Client, RequestBuilder};
use serde_json::Value;
use shuanglian::auth::{Role, password};
use shuanglian::config::Settings;
use shuanglian::db::{Backend, Mode};
use shuanglian::security::MasterKey;
use shuanglian::startup::{AppState, Application};

mod harness {
    pub mod accounts;
    pub mod centres;
    pub mod events;
    pub mod notify;
    pub mod responses;
    pub mod world;
}

use harness::accounts::totp_key;
pub use harness::accounts::{County, totp_code, totp_code_at, unix_now};
pub use harness::centres::CentreWorld;
pub use harness::events::Events;
pub use harness::notify::{SMS_KEY_ID, SMS_KEY_SECRET, morning_today};
pub use harness::responses::{fields, id, problem, send, send_tagged};
pub use harness::world::{OneGrid, TwoGrids, credit_code, id_number};

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
    // No background delivery rounds: a test that delivers drives the worker itself
    // (shuanglian::notify::worker), so no other test's rows change under it.
    s.notify.interval_secs = 0;
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

/// A second server process-equivalent on the same database, Redis prefix and keys: another
/// replica of the same deployment. Stopped when dropped.
pub struct Replica {
    pub base: String,
    /// Its own pool on the same database (what another pod would have).
    pub state: AppState,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestApp {
    pub async fn replica(&self) -> Replica {
        let (base, state, tx, _server) = start(&self.settings, &self.master_key).await;
        Replica {
            base,
            state,
            shutdown: Some(tx),
        }
    }
}

impl Replica {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
