//! The `shuanglian` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::auth::{Role, password};
use crate::config::Settings;
use crate::db::{Db, Mode, migrate};
use crate::security::MasterKey;
use crate::startup::{AppState, Application, shutdown_signal};
use crate::tenancy::{DivisionCode, TenantStatus, repo, service};

#[derive(Parser)]
#[command(
    name = "shuanglian",
    version,
    about = "双联 Shuanglian: county party-building service"
)]
struct Cli {
    /// TOML configuration file (also SHUANGLIAN_CONFIG).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server.
    Serve {
        /// HOST:PORT to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<String>,
        /// Seed a demo county (330523) and a neighbour on an empty database, print sign-ins.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations (on PostgreSQL: as the owner role; grants the app role).
    Migrate,
    /// Platform tasks on county tenants.
    Tenant {
        #[command(subcommand)]
        action: TenantAction,
    },
    /// Platform and provincial accounts.
    PlatformUser {
        #[command(subcommand)]
        action: PlatformUserAction,
    },
    /// Generate deterministic demo tenants and users.
    DemoData {
        #[arg(long, value_enum, default_value_t = crate::demo::Preset::Small)]
        preset: crate::demo::Preset,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Per-county personal-data keys (wrapped by the master key).
    Keys {
        #[command(subcommand)]
        action: KeysAction,
    },
    /// The audit log's hash chain.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// The deadline engine.
    Deadlines {
        #[command(subcommand)]
        action: DeadlinesAction,
    },
    /// Print the effective configuration with secrets redacted.
    Config,
    /// Print the current TOTP code for a base32 secret (e.g. the demo accounts' secret), like
    /// `oathtool --totp -b SECRET`.
    TotpCode {
        /// The base32 secret (also SHUANGLIAN_TOTP_SECRET).
        #[arg(long, env = "SHUANGLIAN_TOTP_SECRET", hide_env_values = true)]
        secret: String,
    },
    /// Print the OpenAPI document as served at /api/v1/openapi.json (regenerates
    /// docs/openapi.json: `shuanglian openapi > docs/openapi.json`).
    Openapi,
    /// A local SMS gateway speaking Alibaba Cloud's SendSms protocol, for the demo and tests
    /// (no real gateway is reachable from a county intranet's test box). Point the server at
    /// it with SHUANGLIAN_NOTIFY__SMS_ENDPOINT=http://HOST:PORT/ and the same key id and secret.
    FakeSmsGateway {
        #[arg(long, default_value = "127.0.0.1:9099")]
        listen: String,
        #[arg(
            long,
            env = "SHUANGLIAN_NOTIFY__SMS_ACCESS_KEY_ID",
            default_value = "demo-key-id"
        )]
        access_key_id: String,
        #[arg(
            long,
            env = "SHUANGLIAN_NOTIFY__SMS_ACCESS_KEY_SECRET",
            default_value = "demo-key-secret",
            hide_env_values = true
        )]
        access_key_secret: String,
    },
}

#[derive(Subcommand)]
enum DeadlinesAction {
    /// Run the daily job now for every active county (the server also runs it daily):
    /// materialise periodic obligations, record newly overdue ones with notifications.
    Run {
        /// The day to run for, YYYY-MM-DD (default: today in China).
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
    },
}

#[derive(Subcommand)]
enum AuditAction {
    /// Recompute a county's audit chain; exits non-zero at the first broken entry.
    Verify {
        #[arg(long)]
        code: String,
    },
}

#[derive(Subcommand)]
enum KeysAction {
    /// Key versions of a county (never the keys).
    Status {
        #[arg(long)]
        code: String,
    },
    /// Add a new data-key version for a county and make it current.
    Rotate {
        #[arg(long)]
        code: String,
    },
    /// Re-wrap every county's keys and the platform accounts' TOTP secrets from the current
    /// master key to a new one, in one transaction (see docs/operations.md, "Rotating the
    /// master key"). Refuses, changing nothing, if anything does not open under the current key.
    Rewrap {
        /// File holding the new master key (base64 of 32 bytes).
        #[arg(long)]
        new_master_key_file: PathBuf,
    },
}

#[derive(Subcommand)]
pub(crate) enum TenantAction {
    /// List counties.
    List,
    /// Create a county and its first admin (prints the one-time password).
    Create {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        admin_username: Option<String>,
    },
    Rename {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
    },
    Suspend {
        #[arg(long)]
        code: String,
    },
    Reactivate {
        #[arg(long)]
        code: String,
    },
    /// A county's full export (every row, personal fields in clear, the audit chain), encrypted
    /// to the county's own age key: it opens with `age -d -i county.key FILE | gunzip`.
    Export {
        #[arg(long)]
        code: String,
        /// The county's public key (age1…), from `shuanglian tenant keygen`.
        #[arg(long)]
        recipient: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore an export: into this deployment under its own id, or with --new-code under a
    /// new tenant. One transaction; the county comes back suspended.
    Restore {
        #[arg(long)]
        file: PathBuf,
        /// The county's age key file (AGE-SECRET-KEY-1…).
        #[arg(long)]
        identity: PathBuf,
        #[arg(long)]
        new_code: Option<String>,
        #[arg(long)]
        new_name: Option<String>,
    },
    /// Delete a suspended county's data: destroy its keys, delete its rows, issue a signed
    /// certificate (the audit log is kept six months, then purged).
    Delete {
        #[arg(long)]
        code: String,
        /// The code again, to confirm.
        #[arg(long)]
        confirm: String,
        /// Where to write the certificate (JSON).
        #[arg(long)]
        certificate_out: PathBuf,
    },
    /// Print a deleted county's signed certificate, or check one (--file) against this
    /// deployment's public key.
    Certificate {
        #[arg(long, required_unless_present = "file")]
        code: Option<String>,
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// A new key pair for a county's exports: writes the private key file (the county keeps
    /// it) and prints the public key (age1…) to export to. Same as `age-keygen`.
    Keygen {
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum PlatformRole {
    PlatformOperator,
    ProvincialOffice,
}

#[derive(Subcommand)]
enum PlatformUserAction {
    /// Create a platform operator or provincial account (prints the one-time password).
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: String,
        #[arg(long, value_enum)]
        role: PlatformRole,
        /// Province code for provincial accounts, e.g. 330000.
        #[arg(long)]
        province: Option<String>,
    },
    /// Remove a platform or provincial account's second factor (lost phone); the account
    /// enrols again at its next sign-in.
    ResetTotp {
        #[arg(long)]
        username: String,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误 / error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut settings = Settings::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve { listen, demo } => {
            if let Some(l) = listen {
                settings.server.listen = l;
            }
            let _telemetry = crate::telemetry::init(&settings.telemetry)?;
            crate::telemetry::install_panic_hook();
            tracing::info!(config = %settings.redacted(), "starting shuanglian {}", env!("CARGO_PKG_VERSION"));
            let demo_key = demo.then(|| PathBuf::from("data/master.key"));
            let key = MasterKey::load(&settings.security, demo_key.as_deref())?;
            let app = Application::build(settings, key).await?;
            if demo {
                crate::demo::seed_demo(app.state()).await?;
            }
            let port = app.port();
            let host = app
                .state()
                .settings
                .server
                .listen
                .rsplit_once(':')
                .map(|(h, _)| h.to_owned())
                .unwrap_or_default();
            let base = app
                .state()
                .settings
                .server
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{host}:{port}"));
            println!("Shuanglian 双联 listening on {base}  (API docs: {base}/api/docs)");
            if demo {
                crate::demo::print_demo_signins(&base);
            }
            app.run_until_stopped(shutdown_signal()).await?;
            tracing::info!("stopped");
            Ok(())
        }
        Command::Migrate => {
            let url = settings
                .database
                .migration_url
                .as_ref()
                .map(|u| secrecy::ExposeSecret::expose_secret(u).to_owned())
                .unwrap_or_else(|| settings.database_url().to_owned());
            let role = settings.database.app_role.clone();
            let applied = tokio::task::spawn_blocking(move || migrate::run(&url, &role)).await??;
            if applied.is_empty() {
                println!("数据库已是最新 / database is up to date");
            } else {
                for v in &applied {
                    println!("applied {v}");
                }
            }
            Ok(())
        }
        Command::Tenant { action } => tenant(settings, action).await,
        Command::PlatformUser { action } => platform_user(settings, action).await,
        Command::DemoData { preset, seed } => {
            // The real master key (or the demo's key file, as `serve --demo`): members and
            // second factors generated under an ephemeral key could never be read again.
            let key = MasterKey::load(
                &settings.security,
                Some(std::path::Path::new("data/master.key")),
            )?;
            let state = cli_state(settings, key).await?;
            crate::demo::platform_accounts(&state).await?;
            let summary = crate::demo::generate(&state, preset, seed).await?;
            println!("{summary}");
            Ok(())
        }
        Command::Keys {
            action: KeysAction::Rewrap {
                new_master_key_file,
            },
        } => rewrap(settings, &new_master_key_file).await,
        Command::Keys { action } => keys(settings, action).await,
        Command::Audit {
            action: AuditAction::Verify { code },
        } => {
            let state = state_for_cli(settings).await?;
            let row = by_code(&state.db, &code).await?;
            let v = state
                .db
                .tenant(row.tenant_id(), Mode::Read, crate::audit::verify)
                .await
                .map_err(|e| app_err(e.into()))?;
            match v {
                crate::audit::Verdict::Intact { entries } => {
                    println!(
                        "{} {}: audit chain intact ({entries} entries)",
                        row.code, row.name
                    );
                    Ok(())
                }
                crate::audit::Verdict::Broken { seq, reason } => {
                    anyhow::bail!(
                        "{} {}: 审计链在第 {seq} 条断开 / audit chain broken at entry {seq}: {reason}",
                        row.code,
                        row.name
                    )
                }
            }
        }
        Command::Deadlines {
            action: DeadlinesAction::Run { date },
        } => {
            // The job decrypts nothing.
            let state = state_for_cli(settings).await?;
            let today = date.unwrap_or_else(crate::clock::today);
            let started = std::time::Instant::now();
            let (counties, r) = crate::deadlines::job::run_all(&state.db, today).await?;
            println!(
                "{today}: {counties} 个县 / counties; opened {}, closed {}, newly overdue {}, reminders {} ({:.2} s)",
                r.opened,
                r.closed,
                r.newly_overdue,
                r.reminders,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Config => {
            println!("{}", serde_json::to_string_pretty(&settings.redacted())?);
            Ok(())
        }
        Command::FakeSmsGateway {
            listen,
            access_key_id,
            access_key_secret,
        } => {
            let _telemetry = crate::telemetry::init(&settings.telemetry)?;
            let gw = crate::notify::fake::FakeGateway::start(
                &listen,
                &access_key_id,
                &access_key_secret,
            )
            .await?;
            println!("fake SMS gateway (Alibaba Cloud SendSms) at {}", gw.url);
            println!("accepted messages: curl {}__fake/messages", gw.url);
            crate::startup::shutdown_signal().await;
            Ok(())
        }
        Command::Openapi => {
            println!("{}", crate::startup::openapi_document().await?);
            Ok(())
        }
        Command::TotpCode { secret } => {
            let now = crate::auth::totp::now_unix();
            let code = crate::auth::totp::code_at(&secret, now).ok_or_else(|| {
                anyhow::anyhow!("密钥不是有效的 base32（至少128位）/ the secret is not valid base32 of 128 bits or more")
            })?;
            println!("{code}");
            let left = crate::auth::totp::PERIOD - now % crate::auth::totp::PERIOD;
            eprintln!("（{left} 秒内有效 / valid for {left} more seconds）");
            Ok(())
        }
    }
}

/// The state the shell commands use: same database and migrations as `serve`, no listener.
async fn state_for_cli(settings: Settings) -> anyhow::Result<AppState> {
    // Shell commands do not encrypt anything yet; an ephemeral key keeps them usable anywhere.
    cli_state(settings, MasterKey::generate()).await
}

/// The state of a shell command. One pooled connection: commands run one transaction at a
/// time, and a larger pool opens replacement connections on a background thread, which crashes
/// the process (SIGSEGV in OpenSSL's exit-time cleanup) when it exits while one is inside
/// libpq's SCRAM handshake — about one PostgreSQL command in ten.
pub(crate) async fn cli_state(mut settings: Settings, key: MasterKey) -> anyhow::Result<AppState> {
    settings.database.pool_size = 1;
    AppState::build(settings, key).await
}

fn field_err(e: crate::error::FieldError) -> anyhow::Error {
    anyhow::anyhow!("{} ({})", e.message, e.message_en)
}

fn app_err(e: crate::error::AppError) -> anyhow::Error {
    let fields: Vec<String> = e.fields.iter().map(|f| f.message.clone()).collect();
    anyhow::anyhow!("{} [{}] {}", e.zh, e.code, fields.join("; "))
}

async fn tenant(settings: Settings, action: TenantAction) -> anyhow::Result<()> {
    let action = match crate::lifecycle_cli::run(&settings, action).await? {
        Some(a) => a,
        None => return Ok(()),
    };
    let state = state_for_cli(settings).await?;
    let db: &Db = &state.db;
    match action {
        TenantAction::List => {
            let page = crate::api::PageRequest {
                limit: u32::MAX - 1,
                after: None,
            };
            let rows = db
                .platform(Mode::Read, move |tx| repo::list(tx, &page, None, None))
                .await
                .map_err(|e| app_err(e.into()))?;
            println!("{:<8} {:<10} {:<10} name", "code", "province", "status");
            for t in rows {
                println!(
                    "{:<8} {:<10} {:<10} {}",
                    t.code, t.province_code, t.status, t.name
                );
            }
        }
        TenantAction::Create {
            code,
            name,
            admin_username,
        } => {
            let req = crate::tenancy::api::CreateTenantRequest {
                code,
                name,
                admin_username,
                admin_display_name: None,
            };
            let new = crate::tenancy::api::validate_create(&req).map_err(app_err)?;
            let (pw, hash) = service::one_time_password().map_err(app_err)?;
            let c = db
                .platform(Mode::Write, move |tx| {
                    service::create_county(tx, &new, pw, &hash)
                })
                .await
                .map_err(|e| app_err(e.into()))?;
            println!(
                "已开通 / created {} {} (id {})",
                c.tenant.code, c.tenant.name, c.tenant.id
            );
            println!("首位县级管理员 / first county admin: {}", c.admin_username);
            println!(
                "一次性密码（仅显示一次，首次登录须修改）/ one-time password: {}",
                password::expose(&c.admin_password)
            );
        }
        TenantAction::Rename { code, name } => {
            let name = crate::tenancy::model::parse_name("name", &name).map_err(field_err)?;
            let row = by_code(db, &code).await?;
            let r = db
                .platform(Mode::Write, move |tx| {
                    repo::update(tx, &row.id, None, Some(&name), None)
                })
                .await
                .map_err(|e| app_err(e.into()))?;
            println!("{} → {}", r.code, r.name);
        }
        TenantAction::Suspend { code } => set_status(db, &code, TenantStatus::Suspended).await?,
        TenantAction::Reactivate { code } => set_status(db, &code, TenantStatus::Active).await?,
        _ => unreachable!("the lifecycle commands are handled above"),
    }
    Ok(())
}

async fn by_code(db: &Db, code: &str) -> anyhow::Result<repo::TenantRow> {
    let code = DivisionCode::parse("code", code).map_err(field_err)?;
    let c = code.as_str().to_owned();
    db.platform(Mode::Read, move |tx| repo::by_code(tx, &c))
        .await
        .map_err(|e| app_err(e.into()))?
        .ok_or_else(|| {
            anyhow::anyhow!(
                "没有代码为 {} 的县 / no county {}",
                code.as_str(),
                code.as_str()
            )
        })
}

async fn set_status(db: &Db, code: &str, to: TenantStatus) -> anyhow::Result<()> {
    let row = by_code(db, code).await?;
    let r = db
        .platform(Mode::Write, move |tx| {
            service::set_status(tx, &row.id, None, to)
        })
        .await
        .map_err(|e| app_err(e.into()))?;
    println!("{} {} → {}", r.code, r.name, r.status);
    Ok(())
}

async fn platform_user(settings: Settings, action: PlatformUserAction) -> anyhow::Result<()> {
    let state = state_for_cli(settings).await?;
    match action {
        PlatformUserAction::Create {
            username,
            display_name,
            role,
            province,
        } => {
            let username =
                crate::users::model::Username::parse("username", &username).map_err(field_err)?;
            let display = crate::users::model::parse_display_name("display_name", &display_name)
                .map_err(field_err)?;
            let (role, province) = match (role, province) {
                (PlatformRole::PlatformOperator, None) => (Role::PlatformOperator, None),
                (PlatformRole::PlatformOperator, Some(_)) => {
                    anyhow::bail!("--province is only for provincial accounts")
                }
                (PlatformRole::ProvincialOffice, Some(p))
                    if p.len() == 6 && p.ends_with("0000") =>
                {
                    (Role::ProvincialOffice, Some(p))
                }
                (PlatformRole::ProvincialOffice, _) => {
                    anyhow::bail!("provincial accounts need --province like 330000")
                }
            };
            let (pw, hash) = service::one_time_password().map_err(app_err)?;
            let u = state
                .db
                .platform(Mode::Write, move |tx| {
                    crate::users::repo::platform_insert(
                        tx,
                        username.as_str(),
                        &display,
                        role,
                        province.as_deref(),
                        &hash,
                        true,
                    )
                })
                .await
                .map_err(|e| app_err(e.into()))?;
            println!("已创建 / created {} ({})", u.username, u.role);
            println!(
                "一次性密码（仅显示一次）/ one-time password: {}",
                password::expose(&pw)
            );
        }
        PlatformUserAction::ResetTotp { username } => {
            let username =
                crate::users::model::Username::parse("username", &username).map_err(field_err)?;
            let name = username.as_str().to_owned();
            let (user_id, removed) = state
                .db
                .platform(Mode::Write, move |tx| {
                    let u = crate::users::repo::platform_find_by_username(tx, &name)?
                        .ok_or_else(crate::error::AppError::not_found)?;
                    Ok((
                        u.id.clone(),
                        crate::auth::totp::repo::platform_remove(tx, &u.id)?,
                    ))
                })
                .await
                .map_err(|e| app_err(e.into()))?;
            if removed {
                // With Redis, the account's sessions end now (the in-process store is the
                // server's own; there they end with their lifetime).
                state
                    .sessions
                    .revoke_all(&crate::kv::Scope::Platform, &user_id, None)
                    .await?;
                println!(
                    "已重置 {} 的二次验证，下次登录时须重新绑定 / second factor of {} removed; it enrols again at the next sign-in",
                    username.as_str(),
                    username.as_str()
                );
            } else {
                anyhow::bail!(
                    "{} 没有启用二次验证 / {} has no second factor",
                    username.as_str(),
                    username.as_str()
                );
            }
        }
    }
    Ok(())
}

async fn keys(settings: Settings, action: KeysAction) -> anyhow::Result<()> {
    // The real master key: keys wrapped under an ephemeral one would be unreadable later.
    let master = MasterKey::load(&settings.security, None)?;
    let state = cli_state(settings, master).await?;
    let (KeysAction::Status { code } | KeysAction::Rotate { code }) = &action else {
        anyhow::bail!("keys rewrap takes no --code");
    };
    let row = by_code(&state.db, code).await?;
    let key = *state.master_key.bytes();
    let tenant = row.tenant_id();
    match action {
        KeysAction::Status { .. } => {
            let rows = state
                .db
                .tenant(tenant, Mode::Write, move |tx| {
                    crate::privacy::keys::load(tx, &key)?;
                    crate::privacy::keys::status(tx)
                })
                .await
                .map_err(|e| app_err(e.into()))?;
            println!(
                "{} {}: key versions (the keys themselves are never shown)",
                row.code, row.name
            );
            for (purpose, version, current, created) in rows {
                println!(
                    "  {purpose:<6} v{version:<3} {} created {created}",
                    if current { "current" } else { "       " }
                );
            }
        }
        KeysAction::Rotate { .. } => {
            let v = state
                .db
                .tenant(tenant, Mode::Write, move |tx| {
                    let v = crate::privacy::keys::rotate(tx, &key)?;
                    let details = serde_json::json!({ "data_key_version": v });
                    let tid = tx.tid().to_owned();
                    let actor = crate::audit::Actor::cli();
                    crate::audit::record(tx, &actor, "keys.rotate", "tenant", &tid, None, details)?;
                    Ok(v)
                })
                .await
                .map_err(|e| app_err(e.into()))?;
            println!("{} {}: data key v{v} is now current", row.code, row.name);
        }
        // Dispatched to `rewrap` before this function.
        KeysAction::Rewrap { .. } => {}
    }
    Ok(())
}

/// `keys rewrap`: every county's wrapped keys and every master-key-encrypted secret move from
/// the configured master key to the new one in one transaction, so the database is readable
/// with exactly one of the two keys at any moment.
async fn rewrap(settings: Settings, new_key_file: &std::path::Path) -> anyhow::Result<()> {
    let old = MasterKey::load(&settings.security, None)?;
    let text = std::fs::read_to_string(new_key_file).map_err(|e| {
        anyhow::anyhow!(
            "无法读取新主密钥文件 / cannot read the new master key file {}: {e}",
            new_key_file.display()
        )
    })?;
    let new = MasterKey::from_b64(&text)
        .map_err(|e| anyhow::anyhow!("新主密钥无效 / the new master key is invalid: {e}"))?;
    if old.bytes() == new.bytes() {
        anyhow::bail!("新主密钥与当前主密钥相同 / the new master key is the current one");
    }
    let state = cli_state(settings, old).await?;
    let (o, n) = (*state.master_key.bytes(), *new.bytes());
    let (counties, keys, secrets) = state
        .db
        .platform(Mode::Write, move |tx| {
            let page = crate::api::PageRequest {
                limit: u32::MAX - 1,
                after: None,
            };
            let tenants = repo::list(tx, &page, None, None)?;
            let mut keys = 0;
            for t in &tenants {
                let mut ttx = tx.enter_tenant(t.tenant_id())?;
                let k = crate::privacy::keys::rewrap(&mut ttx, &o, &n).map_err(|e| {
                    let e = crate::error::AppError::from(e);
                    crate::error::AppError::new(
                        e.status,
                        e.code,
                        format!("{} {}：{}", t.code, t.name, e.zh),
                        format!("{} {}: {}", t.code, t.name, e.en),
                    )
                })?;
                if k > 0 {
                    let details = serde_json::json!({ "keys": k });
                    let actor = crate::audit::Actor::cli();
                    crate::audit::record(
                        &mut ttx,
                        &actor,
                        "keys.rewrap",
                        "tenant",
                        &t.id,
                        None,
                        details,
                    )?;
                }
                keys += k;
            }
            let secrets = crate::auth::totp::repo::platform_rewrap(tx, &o, &n)?;
            Ok((tenants.len(), keys, secrets))
        })
        .await
        .map_err(|e| app_err(e.into()))?;
    println!(
        "已用新主密钥重新封装 / re-wrapped under the new master key: {keys} county keys in {counties} counties, {secrets} platform TOTP secrets"
    );
    println!(
        "现在起只能用新主密钥读取数据：请更新 SHUANGLIAN_MASTER_KEY / SHUANGLIAN_MASTER_KEY_FILE 后再启动服务 / from now on only the new key reads the data: switch the configuration before starting the servers"
    );
    Ok(())
}
