//! The application's shared state: what every request handler may use. It lives here, below
//! every domain, so no handler has to reach up to the server's start-up code for it.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use secrecy::ExposeSecret;
use shuanglian_core::config::Settings;
use shuanglian_core::db::{Backend, Db, migrate};
use shuanglian_core::kv::{Keys, Kv};
use shuanglian_core::security::MasterKey;

use crate::auth::session::Sessions;

/// Everything a request handler may use.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub sessions: Sessions,
    pub settings: Arc<Settings>,
    pub master_key: Arc<MasterKey>,
    /// Set on SIGTERM: /readyz answers 503 so load balancers stop sending traffic.
    pub draining: Arc<AtomicBool>,
}

impl AppState {
    pub async fn build(settings: Settings, master_key: MasterKey) -> anyhow::Result<AppState> {
        let url = settings.database_url().to_owned();
        let backend = Backend::from_url(&url);
        match backend {
            Backend::Sqlite => {
                // The embedded database creates its own directory, then migrates itself.
                let path = std::path::Path::new(shuanglian_core::db::Manager::sqlite_path(&url));
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)?;
                }
                let applied = tokio::task::spawn_blocking(move || migrate::run(&url, "")).await??;
                if !applied.is_empty() {
                    tracing::info!(count = applied.len(), "applied database migrations");
                }
            }
            Backend::Postgres => {
                if let Some(owner) = &settings.database.migration_url {
                    let owner = owner.expose_secret().to_owned();
                    let role = settings.database.app_role.clone();
                    let applied =
                        tokio::task::spawn_blocking(move || migrate::run(&owner, &role)).await??;
                    if !applied.is_empty() {
                        tracing::info!(count = applied.len(), "applied database migrations");
                    }
                } else {
                    let pending =
                        tokio::task::spawn_blocking(move || migrate::pending(&url)).await??;
                    if !pending.is_empty() {
                        anyhow::bail!(
                            "数据库有 {} 个待执行的迁移，请先运行 `shuanglian migrate`（以表所有者角色）/ {} pending migrations: run `shuanglian migrate` as the owner role",
                            pending.len(),
                            pending.len()
                        );
                    }
                }
            }
        }
        let db = Db::connect(
            settings.database_url(),
            settings.database.pool_size,
            Duration::from_secs(settings.database.pool_timeout_secs),
        )?;
        let kv = Kv::connect(settings.redis.url.as_ref().map(|u| u.expose_secret())).await?;
        let sessions = Sessions::new(
            kv,
            Keys::new(&settings.redis.key_prefix),
            Duration::from_secs(settings.auth.session_ttl_secs),
            Duration::from_secs(settings.auth.session_cache_secs),
        );
        Ok(AppState {
            db,
            sessions,
            settings: Arc::new(settings),
            master_key: Arc::new(master_key),
            draining: Arc::new(AtomicBool::new(false)),
        })
    }
}
