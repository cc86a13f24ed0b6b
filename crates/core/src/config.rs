//! Layered configuration: defaults → optional TOML file → environment.
//!
//! Environment: `SHUANGLIAN_<SECTION>__<KEY>` (e.g. `SHUANGLIAN_SERVER__LISTEN`), plus the
//! conventional `DATABASE_URL`, `REDIS_URL` and `OTEL_EXPORTER_OTLP_ENDPOINT`, and the short
//! forms `SHUANGLIAN_LISTEN`, `SHUANGLIAN_MASTER_KEY`, `SHUANGLIAN_MASTER_KEY_FILE`,
//! `SHUANGLIAN_MIGRATION_DATABASE_URL`. Secrets are `SecretString`s: `Debug` prints
//! `[REDACTED]`, and `Settings::redacted()` is what gets logged.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub redis: RedisSettings,
    pub auth: AuthSettings,
    pub telemetry: TelemetrySettings,
    pub security: SecuritySettings,
    pub notify: NotifySettings,
    #[serde(default)]
    pub statistics: StatisticsSettings,
}

/// Disclosure control of what the provincial office and the platform read.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatisticsSettings {
    /// The smallest count shown: cells with 0 < n < min_cell are suppressed (k, 5 by default;
    /// at least 2). `SHUANGLIAN_STATISTICS__MIN_CELL`.
    pub min_cell: i64,
}

impl Default for StatisticsSettings {
    fn default() -> Self {
        Self { min_cell: 5 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Address to listen on, `HOST:PORT`.
    pub listen: String,
    /// Largest request body accepted, in bytes.
    pub body_limit_bytes: usize,
    /// Largest spreadsheet accepted by the member import, in bytes.
    #[serde(default = "default_upload_limit")]
    pub upload_limit_bytes: usize,
    /// Seconds to let in-flight requests finish after SIGTERM.
    pub shutdown_grace_secs: u64,
    /// Take the client address from the last `X-Forwarded-For` entry, the one the proxy in
    /// front appended (behind exactly one trusted proxy only). Off by default: a client could
    /// otherwise pick its own address and escape the sign-in rate limit.
    pub trust_forwarded_for: bool,
    /// Public base URL printed in demo output and docs links.
    pub public_url: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://path`, a plain file path, or `postgres://…` (the application role).
    #[serde(serialize_with = "ser_secret", deserialize_with = "de_secret")]
    pub url: SecretString,
    /// PostgreSQL only: the owner (migrator) role's URL. When set, `serve` applies migrations
    /// with it at start; otherwise `serve` only checks that none are pending.
    #[serde(
        serialize_with = "ser_opt_secret",
        deserialize_with = "de_opt_secret",
        default
    )]
    pub migration_url: Option<SecretString>,
    /// PostgreSQL only: the role that `migrate` grants table access to.
    pub app_role: String,
    pub pool_size: u32,
    /// Seconds to wait for a pooled connection before answering 503.
    pub pool_timeout_secs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedisSettings {
    /// `redis://…`; unset means the in-process store (single replica only).
    #[serde(
        serialize_with = "ser_opt_secret",
        deserialize_with = "de_opt_secret",
        default
    )]
    pub url: Option<SecretString>,
    /// Prefix of every key this deployment writes.
    pub key_prefix: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// Lifetime of a bearer token, in seconds.
    pub session_ttl_secs: u64,
    /// Failed sign-ins per account before it is locked for `lockout_window_secs`.
    pub lockout_threshold: u64,
    pub lockout_window_secs: u64,
    /// Sign-in attempts per client address per minute.
    pub signin_rate_per_minute: u64,
    /// With Redis, how long a replica reuses a session it verified (0: ask Redis every time).
    /// Revocations reach every replica at once through pub/sub; this bounds a missed one.
    pub session_cache_secs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelemetrySettings {
    /// `pretty` (development) or `json` (production).
    pub log_format: LogFormat,
    /// `tracing` env-filter directive, e.g. `info,shuanglian=debug`.
    pub log_filter: String,
    /// OTLP/HTTP endpoint, e.g. `http://collector:4318`; traces and metrics are exported when set.
    pub otlp_endpoint: Option<String>,
    pub service_name: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecuritySettings {
    /// Base64 of 32 bytes: the master key for field encryption.
    #[serde(
        serialize_with = "ser_opt_secret",
        deserialize_with = "de_opt_secret",
        default
    )]
    pub master_key: Option<SecretString>,
    /// File holding the master key (base64). Generated on first start in demo mode only.
    pub master_key_file: Option<PathBuf>,
}

/// Notification delivery (`shuanglian-notify`). Each county sets its own SMS signature,
/// template, quiet hours, rate and webhook; what is here is the platform's: how often the worker
/// runs, and the SMS gateway account the counties' messages go through.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifySettings {
    /// Seconds between the delivery worker's rounds; 0 turns it off in this replica.
    pub interval_secs: u64,
    /// The SMS gateway (Alibaba Cloud SMS API, `SendSms`), e.g. `https://dysmsapi.aliyuncs.com/`;
    /// no SMS is sent while unset.
    pub sms_endpoint: Option<String>,
    pub sms_access_key_id: Option<String>,
    #[serde(
        serialize_with = "ser_opt_secret",
        deserialize_with = "de_opt_secret",
        default
    )]
    pub sms_access_key_secret: Option<SecretString>,
    /// Whether a county's webhook may point at a loopback or private address (tests, a county
    /// OA system on the same intranet). Off: such URLs are refused, so a county admin cannot
    /// make the server call into the platform's own network.
    pub webhook_allow_private: bool,
}

fn default_upload_limit() -> usize {
    // A 50,000-member xlsx is about 4 MB; CSV about twice that.
    20 * 1024 * 1024
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            server: ServerSettings {
                listen: "127.0.0.1:8080".into(),
                body_limit_bytes: 1024 * 1024,
                upload_limit_bytes: default_upload_limit(),
                shutdown_grace_secs: 20,
                trust_forwarded_for: false,
                public_url: None,
            },
            database: DatabaseSettings {
                url: SecretString::from("sqlite://data/shuanglian.db"),
                migration_url: None,
                app_role: "shuanglian_app".into(),
                pool_size: 16,
                pool_timeout_secs: 5,
            },
            redis: RedisSettings {
                url: None,
                key_prefix: "sl".into(),
            },
            auth: AuthSettings {
                session_ttl_secs: 12 * 3600,
                lockout_threshold: 5,
                lockout_window_secs: 15 * 60,
                signin_rate_per_minute: 30,
                session_cache_secs: 5,
            },
            telemetry: TelemetrySettings {
                log_format: LogFormat::Pretty,
                log_filter: "info".into(),
                otlp_endpoint: None,
                service_name: "shuanglian".into(),
            },
            security: SecuritySettings {
                master_key: None,
                master_key_file: None,
            },
            notify: NotifySettings {
                interval_secs: 5,
                sms_endpoint: None,
                sms_access_key_id: None,
                sms_access_key_secret: None,
                webhook_allow_private: false,
            },
            statistics: StatisticsSettings::default(),
        }
    }
}

impl Settings {
    /// Defaults, then the TOML file if given (`--config` or `SHUANGLIAN_CONFIG`), then environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let mut fig = Figment::from(Serialized::defaults(Settings::default()));
        let file = file
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("SHUANGLIAN_CONFIG").map(PathBuf::from));
        if let Some(path) = file {
            if !path.exists() {
                anyhow::bail!("配置文件不存在 / config file not found: {}", path.display());
            }
            fig = fig.merge(Toml::file(path));
        }
        fig = fig
            .merge(
                // Only `SECTION__KEY` names are settings: other SHUANGLIAN_* variables
                // (test knobs, Kubernetes service links like SHUANGLIAN_SERVICE_HOST) are not.
                Env::prefixed("SHUANGLIAN_")
                    .filter(|k| k.as_str().contains("__"))
                    .split("__"),
            )
            .merge(
                Env::raw()
                    .only(&["DATABASE_URL"])
                    .map(|_| "database.url".into()),
            )
            .merge(
                Env::raw()
                    .only(&["SHUANGLIAN_MIGRATION_DATABASE_URL"])
                    .map(|_| "database.migration_url".into()),
            )
            .merge(Env::raw().only(&["REDIS_URL"]).map(|_| "redis.url".into()))
            .merge(
                Env::raw()
                    .only(&["OTEL_EXPORTER_OTLP_ENDPOINT"])
                    .map(|_| "telemetry.otlp_endpoint".into()),
            )
            .merge(
                Env::raw()
                    .only(&["SHUANGLIAN_LISTEN"])
                    .map(|_| "server.listen".into()),
            )
            .merge(
                Env::raw()
                    .only(&["SHUANGLIAN_LOG_FORMAT"])
                    .map(|_| "telemetry.log_format".into()),
            )
            .merge(
                Env::raw()
                    .only(&["SHUANGLIAN_MASTER_KEY"])
                    .map(|_| "security.master_key".into()),
            )
            .merge(
                Env::raw()
                    .only(&["SHUANGLIAN_MASTER_KEY_FILE"])
                    .map(|_| "security.master_key_file".into()),
            );
        let s: Settings = fig
            .extract()
            .map_err(|e| anyhow::anyhow!("配置有误 / invalid configuration: {e}"))?;
        s.validate()?;
        Ok(s)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if self.server.listen.parse::<std::net::SocketAddr>().is_err() {
            anyhow::bail!(
                "server.listen 必须是 HOST:PORT / must be HOST:PORT, got {:?}",
                self.server.listen
            );
        }
        if self.database.pool_size == 0 {
            anyhow::bail!("database.pool_size must be at least 1");
        }
        if !(2..=1000).contains(&self.statistics.min_cell) {
            anyhow::bail!("statistics.min_cell must be 2 to 1000");
        }
        if self.auth.session_cache_secs > 60 {
            anyhow::bail!("auth.session_cache_secs must be at most 60");
        }
        if self.auth.lockout_threshold == 0 || self.auth.session_ttl_secs == 0 {
            anyhow::bail!("auth.lockout_threshold and auth.session_ttl_secs must be positive");
        }
        Ok(())
    }

    /// What may be printed: secrets replaced by `[REDACTED]`.
    pub fn redacted(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        for path in [
            &["database", "url"][..],
            &["database", "migration_url"],
            &["redis", "url"],
            &["security", "master_key"],
            &["notify", "sms_access_key_secret"],
        ] {
            if let Some(slot) = v.get_mut(path[0]).and_then(|s| s.get_mut(path[1]))
                && !slot.is_null()
            {
                *slot = serde_json::Value::String("[REDACTED]".into());
            }
        }
        v
    }

    pub fn database_url(&self) -> &str {
        self.database.url.expose_secret()
    }
}

// Serialising a secret is only done for figment's defaults layer and for `redacted()`, which
// blanks them again; the wire format never sees these.
fn ser_secret<S: serde::Serializer>(s: &SecretString, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s.expose_secret())
}
fn de_secret<'de, D: serde::Deserializer<'de>>(de: D) -> Result<SecretString, D::Error> {
    String::deserialize(de).map(SecretString::from)
}
fn ser_opt_secret<S: serde::Serializer>(
    s: &Option<SecretString>,
    ser: S,
) -> Result<S::Ok, S::Error> {
    match s {
        Some(s) => ser.serialize_some(s.expose_secret()),
        None => ser.serialize_none(),
    }
}
fn de_opt_secret<'de, D: serde::Deserializer<'de>>(
    de: D,
) -> Result<Option<SecretString>, D::Error> {
    Option::<String>::deserialize(de).map(|o| o.filter(|s| !s.is_empty()).map(SecretString::from))
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail's closure signature
mod tests {
    use super::*;

    #[test]
    fn redacted_hides_every_secret() {
        let mut s = Settings::default();
        s.database.url = SecretString::from("postgres://app:hunter2@db/x");
        s.redis.url = Some(SecretString::from("redis://:pw@r/"));
        s.security.master_key = Some(SecretString::from("c2VjcmV0"));
        let text = s.redacted().to_string();
        assert!(
            !text.contains("hunter2") && !text.contains(":pw@") && !text.contains("c2VjcmV0"),
            "{text}"
        );
        assert!(format!("{s:?}").contains("REDACTED") && !format!("{s:?}").contains("hunter2"));
    }

    #[test]
    fn toml_file_then_env_layering() {
        let dir = std::env::temp_dir().join(format!("sl-cfg-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).expect("tmp");
        let file = dir.join("c.toml");
        std::fs::write(
            &file,
            "[server]\nlisten = \"0.0.0.0:9999\"\n[auth]\nlockout_threshold = 7\n",
        )
        .expect("write");
        figment::Jail::expect_with(|jail| {
            jail.set_env("SHUANGLIAN_AUTH__LOCKOUT_THRESHOLD", "9");
            let s = Settings::load(Some(&file)).expect("load");
            assert_eq!(s.server.listen, "0.0.0.0:9999");
            assert_eq!(s.auth.lockout_threshold, 9);
            Ok(())
        });
    }

    #[test]
    fn unrelated_variables_are_ignored_but_misspelt_settings_are_not() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("SHUANGLIAN_SERVICE_HOST", "10.0.0.1");
            jail.set_env("SHUANGLIAN_PORT_80_TCP", "tcp://10.0.0.1:80");
            jail.set_env("SHUANGLIAN_TEST_BACKEND", "postgres");
            assert!(Settings::load(None).is_ok());
            jail.set_env("SHUANGLIAN_AUTH__SESION_TTL_SECS", "5");
            assert!(Settings::load(None).is_err());
            Ok(())
        });
    }

    #[test]
    fn bad_listen_is_rejected() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("SHUANGLIAN_LISTEN", "nonsense");
            assert!(Settings::load(None).is_err());
            Ok(())
        });
    }
}
