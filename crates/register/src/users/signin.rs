//! Sign-in, sign-out, password change, and "me": /api/v1/auth/*, /api/v1/me*.

use std::time::Duration;

use chrono::{DateTime, Utc};
use poem::Request;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::{JsonBody, client_addr};
use crate::auth::lockout::{self, Gate};
use crate::auth::totp::service::{self as totp_service, Owner, Verdict};
use crate::auth::{Auth, Role, password, totp};
use crate::db::Mode;
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult, FieldError, Gather};
use crate::kv::Scope;
use crate::tenancy::{DivisionCode, TenantStatus, repo as tenants};
use crate::users::model::Username;
use crate::users::repo as users;

#[derive(Tags)]
enum ApiTags {
    /// 登录与会话 / Sign-in and sessions
    Auth,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    /// The county's division code (e.g. `330523`); omit for platform and provincial accounts.
    #[oai(validator(
        pattern = r"^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5])[0-9]{2}(0[1-9]|[1-9][0-9])$"
    ))]
    pub tenant_code: Option<String>,
    #[oai(validator(pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{2,31}$"))]
    pub username: String,
    #[oai(validator(min_length = 1, max_length = 1024))]
    pub password: String,
    /// The 6-digit code from the authenticator app, for accounts with a second factor. Without
    /// it such an account gets 401 `totp_required` (after a correct password): ask for the
    /// code and send the request again with it.
    #[oai(validator(max_length = 16))]
    pub totp_code: Option<String>,
}

#[derive(Debug, Clone, Object)]
pub struct SignInResponse {
    /// Opaque bearer token: send as `Authorization: Bearer <token>`.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub session_id: String,
    pub role: Role,
    /// When true, only `POST /api/v1/auth/password`, `GET /api/v1/me` and sign-out work.
    pub must_change_password: bool,
    /// When true (county admin, platform and provincial accounts without a second factor),
    /// only enrolment (`/api/v1/auth/totp/enrol`, `/confirm`), password change, `GET
    /// /api/v1/me` and sign-out work until a second factor is confirmed.
    pub totp_enrolment_required: bool,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    #[oai(validator(min_length = 1, max_length = 1024))]
    pub current_password: String,
    #[oai(validator(min_length = 10, max_length = 128))]
    pub new_password: String,
}

#[derive(Debug, Clone, Object)]
pub struct Me {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub role_label: String,
    #[oai(skip_serializing_if_is_none)]
    pub tenant_code: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub tenant_name: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub province_code: Option<String>,
    pub must_change_password: bool,
    /// Whether this account has an active second factor (TOTP).
    pub totp_enrolled: bool,
    /// Whether this session is limited until a second factor is enrolled.
    pub totp_enrolment_required: bool,
}

#[derive(Debug, Clone, Object)]
pub struct SessionView {
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The session making this request.
    pub current: bool,
}

#[derive(ApiResponse)]
pub enum NoContent {
    #[oai(status = 204)]
    Done,
}

pub struct AuthApi {
    pub state: AppState,
}

fn invalid_credentials() -> AppError {
    AppError::new(
        poem::http::StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "用户名或密码错误",
        "Wrong user name or password",
    )
}

fn totp_required() -> AppError {
    AppError::new(
        poem::http::StatusCode::UNAUTHORIZED,
        "totp_required",
        "此账户已启用二次验证，请填写验证器应用显示的6位动态码（totp_code）",
        "This account has a second factor: send the 6-digit code from the authenticator app (totp_code)",
    )
}

fn totp_rejected(verdict: Verdict) -> AppError {
    if verdict == Verdict::Replayed {
        AppError::new(
            poem::http::StatusCode::UNAUTHORIZED,
            "totp_replayed",
            "该动态码已经用过，请等待验证器显示下一个动态码",
            "This code was used already; wait for the next one",
        )
    } else {
        AppError::new(
            poem::http::StatusCode::UNAUTHORIZED,
            "totp_invalid",
            "动态码不正确或已过期",
            "The code is wrong or expired",
        )
    }
}

pub(crate) fn locked(retry_after: u64) -> AppError {
    let mut e = AppError::new(
        poem::http::StatusCode::TOO_MANY_REQUESTS,
        "account_locked",
        format!(
            "密码错误次数过多，账户已锁定，请 {} 分钟后再试",
            retry_after.div_ceil(60)
        ),
        format!(
            "Too many failed sign-ins; the account is locked for {} more minutes",
            retry_after.div_ceil(60)
        ),
    );
    e.retry_after = Some(retry_after);
    e
}

/// What sign-in found for the name: enough to verify and open a session.
struct Candidate {
    user_id: String,
    hash: String,
    role: Role,
    active: bool,
    must_change: bool,
    tenant_code: Option<String>,
    province_code: Option<String>,
}

#[OpenApi(tag = "ApiTags::Auth")]
impl AuthApi {
    /// 登录 / Sign in
    ///
    /// Five failed attempts within 15 minutes lock the account for the rest of the window;
    /// each client address has a per-minute limit too.
    #[oai(path = "/auth/sign-in", method = "post")]
    async fn sign_in(
        &self,
        req: &Request,
        body: JsonBody<SignInRequest>,
    ) -> AppResult<Json<SignInResponse>> {
        let s = &self.state;
        let cfg = &s.settings.auth;
        let kv = s.sessions.kv();
        let keys = s.sessions.keys();

        let client = client_addr(req, s.settings.server.trust_forwarded_for);
        let (n, left) = kv
            .incr_window(&keys.signin_rate(&client), Duration::from_secs(60))
            .await
            .map_err(AppError::internal)?;
        if n > cfg.signin_rate_per_minute {
            return Err(AppError::too_many_requests("rate_limited", left));
        }

        let b = body.0;
        let mut errs = Vec::new();
        let code = b
            .tenant_code
            .as_deref()
            .map(|c| DivisionCode::parse("tenant_code", c))
            .gather(&mut errs);
        let username = Username::parse("username", &b.username).gather(&mut errs);
        if b.password.is_empty() || b.password.len() > 1024 {
            errs.push(FieldError::new(
                "password",
                "required",
                "请输入密码",
                "password is required",
            ));
        }
        let Some(username) = username.filter(|_| errs.is_empty()) else {
            return Err(AppError::validation(errs));
        };

        // Resolve the scope: a county by code, or the platform.
        let scope = match &code {
            Some(code) => {
                let c = code.as_str().to_owned();
                let t =
                    s.db.platform(Mode::Read, move |tx| tenants::by_code(tx, &c))
                        .await?;
                match t {
                    None => {
                        // Same work and answer as a wrong password: no county enumeration.
                        let pw = b.password.clone();
                        tokio::task::spawn_blocking(move || password::verify(&pw, None))
                            .await
                            .ok();
                        return Err(invalid_credentials());
                    }
                    Some(t) if t.status() == TenantStatus::Suspended => {
                        return Err(AppError::tenant_suspended());
                    }
                    Some(t) => Scope::Tenant(t.tenant_id()),
                }
            }
            None => Scope::Platform,
        };

        // Checking and counting are one step (auth::lockout): parallel guesses cannot pass
        // the threshold.
        let fail_key = keys.failed_signins(&scope, username.as_str());
        let window = Duration::from_secs(cfg.lockout_window_secs);
        let (attempt, left) = match lockout::enter(kv, &fail_key, cfg.lockout_threshold, window)
            .await
            .map_err(AppError::internal)?
        {
            Gate::Locked { retry_after } => return Err(locked(retry_after)),
            Gate::Open {
                attempt,
                retry_after,
            } => (attempt, retry_after),
        };
        let give_back = || async {
            lockout::give_back(kv, &fail_key)
                .await
                .map_err(AppError::internal)
        };

        let uname = username.as_str().to_owned();
        let tenant_code = code.as_ref().map(|c| c.as_str().to_owned());
        let looked_up = match &scope {
            Scope::Tenant(tid) => {
                let tc = tenant_code.clone();
                s.db.tenant(tid.clone(), Mode::Read, move |tx| {
                    Ok(users::find_by_username(tx, &uname)?.map(|u| Candidate {
                        user_id: u.id,
                        hash: u.password_hash,
                        role: Role::parse(&u.role).unwrap_or(Role::VillageRecorder),
                        active: u.status == "active",
                        must_change: u.must_change_password,
                        tenant_code: tc,
                        province_code: None,
                    }))
                })
                .await
            }
            Scope::Platform => {
                s.db.platform(Mode::Read, move |tx| {
                    Ok(
                        users::platform_find_by_username(tx, &uname)?.map(|u| Candidate {
                            user_id: u.id,
                            hash: u.password_hash,
                            role: Role::parse(&u.role).unwrap_or(Role::ProvincialOffice),
                            active: u.status == "active",
                            must_change: u.must_change_password,
                            tenant_code: None,
                            province_code: u.province_code,
                        }),
                    )
                })
                .await
            }
        };
        // A database that cannot answer is no failed sign-in: the slot goes back (an outage
        // must not lock accounts).
        let candidate: Option<Candidate> = match looked_up {
            Ok(c) => c,
            Err(e) => {
                give_back().await?;
                return Err(e.into());
            }
        };

        let pw = b.password;
        let hash = candidate.as_ref().map(|c| c.hash.clone());
        let ok = tokio::task::spawn_blocking(move || password::verify(&pw, hash.as_deref()))
            .await
            .map_err(AppError::internal)?;
        let Some(c) = candidate.filter(|_| ok) else {
            tracing::warn!(failures = attempt, "sign-in failed");
            return Err(if attempt >= cfg.lockout_threshold {
                locked(left)
            } else {
                invalid_credentials()
            });
        };
        if !c.active {
            give_back().await?;
            return Err(AppError::new(
                poem::http::StatusCode::FORBIDDEN,
                "account_disabled",
                "该账户已停用，请联系县级管理员",
                "This account is disabled; contact the county admin",
            ));
        }
        // The second factor, for accounts that have one. Wrong or replayed codes count as
        // failed sign-ins; a missing one does not (the password was right: ask for the code).
        let owner = Owner::of(&scope);
        let enrolled = match totp_service::status(&s.db, &owner, &c.user_id).await {
            Ok(e) => e.is_some_and(|e| e.active()),
            Err(e) => {
                give_back().await?;
                return Err(e);
            }
        };
        if enrolled {
            let Some(code) = b.totp_code.as_deref() else {
                give_back().await?;
                return Err(totp_required());
            };
            let master = *s.master_key.bytes();
            let verdict = match totp_service::verify(&s.db, &master, &owner, &c.user_id, code).await
            {
                Ok(v) => v,
                Err(e) => {
                    give_back().await?;
                    return Err(e);
                }
            };
            if matches!(verdict, Verdict::Invalid | Verdict::Replayed) {
                // The slot this attempt took is its failure.
                tracing::warn!(failures = attempt, "sign-in failed: second factor");
                return Err(if attempt >= cfg.lockout_threshold {
                    locked(left)
                } else {
                    totp_rejected(verdict)
                });
            }
        }
        let enrolment_required = totp::required_for(c.role) && !enrolled;
        lockout::clear(kv, &fail_key)
            .await
            .map_err(AppError::internal)?;
        let (token, rec) = s
            .sessions
            .create(
                &scope,
                &c.user_id,
                c.role,
                c.tenant_code,
                c.province_code,
                c.must_change,
                enrolment_required,
            )
            .await
            .map_err(AppError::internal)?;
        crate::telemetry::record_principal(rec.tenant_code.as_deref(), &rec.user_id);
        tracing::info!(role = c.role.as_str(), "signed in");
        Ok(Json(SignInResponse {
            token,
            expires_at: rec.expires_at,
            session_id: rec.id,
            role: rec.role,
            must_change_password: rec.must_change_password,
            totp_enrolment_required: rec.totp_enrolment_required,
        }))
    }

    /// 退出登录 / Sign out (revokes this token at once)
    #[oai(path = "/auth/sign-out", method = "post")]
    async fn sign_out(&self, auth: Auth) -> AppResult<NoContent> {
        let p = auth.0;
        self.state
            .sessions
            .revoke(&p.scope, &p.token_digest, &p.user_id)
            .await
            .map_err(AppError::internal)?;
        Ok(NoContent::Done)
    }

    /// 修改密码 / Change my password
    ///
    /// Ends every other session of this account; this one stays signed in.
    #[oai(path = "/auth/password", method = "post")]
    async fn change_password(
        &self,
        auth: Auth,
        body: JsonBody<ChangePasswordRequest>,
    ) -> AppResult<NoContent> {
        let p = auth.0;
        let b = body.0;
        let s = &self.state;
        let uid = p.user_id.clone();
        // Current hash and user name (the policy refuses passwords containing it).
        let (hash, username) = match &p.scope {
            Scope::Tenant(t) => {
                s.db.tenant(t.clone(), Mode::Read, move |tx| {
                    Ok(users::get(tx, &uid)?.map(|u| (u.password_hash, u.username)))
                })
                .await?
            }
            Scope::Platform => {
                s.db.platform(Mode::Read, move |tx| {
                    Ok(users::platform_get(tx, &uid)?.map(|u| (u.password_hash, u.username)))
                })
                .await?
            }
        }
        .ok_or_else(AppError::unauthenticated)?;
        password::check_policy("new_password", &b.new_password, &username)
            .map_err(|f| AppError::validation(vec![f]))?;
        if b.new_password == b.current_password {
            return Err(AppError::field(
                "new_password",
                "password_unchanged",
                "new_password：新密码不能与当前密码相同",
                "new_password must differ from the current password",
            ));
        }
        let (cur, new) = (b.current_password, b.new_password);
        let (ok, new_hash) = tokio::task::spawn_blocking(move || {
            let ok = password::verify(&cur, Some(&hash));
            (ok, if ok { password::hash(&new).ok() } else { None })
        })
        .await
        .map_err(AppError::internal)?;
        if !ok {
            return Err(AppError::field(
                "current_password",
                "wrong_password",
                "current_password：当前密码不正确",
                "current_password is wrong",
            ));
        }
        let new_hash =
            new_hash.ok_or_else(|| AppError::internal(anyhow::anyhow!("hashing failed")))?;
        let uid = p.user_id.clone();
        let changed = match &p.scope {
            Scope::Tenant(t) => {
                s.db.tenant(t.clone(), Mode::Write, move |tx| {
                    users::set_password(tx, &uid, &new_hash, false)
                })
                .await?
            }
            Scope::Platform => {
                s.db.platform(Mode::Write, move |tx| {
                    users::platform_set_password(tx, &uid, &new_hash, false)
                })
                .await?
            }
        };
        if !changed {
            return Err(AppError::unauthenticated());
        }
        s.sessions
            .revoke_all(&p.scope, &p.user_id, Some(&p.token_digest))
            .await
            .map_err(AppError::internal)?;
        s.sessions
            .clear_password_flag(&p.scope, &p.token_digest, &p.record)
            .await
            .map_err(AppError::internal)?;
        tracing::info!("password changed");
        Ok(NoContent::Done)
    }

    /// 当前用户 / Who am I
    #[oai(path = "/me", method = "get")]
    async fn me(&self, auth: Auth) -> AppResult<Json<Me>> {
        let p = auth.0;
        let uid = p.user_id.clone();
        let s = &self.state;
        let me = match &p.scope {
            Scope::Tenant(t) => {
                let tid = t.clone();
                s.db.tenant(t.clone(), Mode::Read, move |tx| {
                    let u = users::get(tx, &uid)?.ok_or_else(AppError::unauthenticated)?;
                    Ok((u.username, u.display_name))
                })
                .await
                .map(|(username, display_name)| (username, display_name, Some(tid)))?
            }
            Scope::Platform => {
                s.db.platform(Mode::Read, move |tx| {
                    let u = users::platform_get(tx, &uid)?.ok_or_else(AppError::unauthenticated)?;
                    Ok((u.username, u.display_name, None))
                })
                .await?
            }
        };
        let (username, display_name, tid) = me;
        let totp_enrolled = totp_service::status(&s.db, &Owner::of(&p.scope), &p.user_id)
            .await?
            .is_some_and(|e| e.active());
        let tenant_name = match tid {
            Some(t) => {
                let id = t.as_str().to_owned();
                s.db.platform(Mode::Read, move |tx| tenants::get(tx, &id))
                    .await?
                    .map(|t| t.name)
            }
            None => None,
        };
        Ok(Json(Me {
            user_id: p.user_id,
            username,
            display_name,
            role: p.role,
            role_label: p.role.label_zh().to_owned(),
            tenant_code: p.tenant_code,
            tenant_name,
            province_code: p.province_code,
            must_change_password: p.must_change_password,
            totp_enrolled,
            totp_enrolment_required: p.record.totp_enrolment_required,
        }))
    }

    /// 我的会话 / My sessions
    #[oai(path = "/me/sessions", method = "get")]
    async fn sessions(&self, auth: Auth) -> AppResult<Json<Vec<SessionView>>> {
        let p = auth.0;
        let list = self
            .state
            .sessions
            .list(&p.scope, &p.user_id)
            .await
            .map_err(AppError::internal)?;
        Ok(Json(
            list.into_iter()
                .map(|(digest, r)| SessionView {
                    current: digest == p.token_digest,
                    id: r.id,
                    created_at: r.created_at,
                    expires_at: r.expires_at,
                })
                .collect(),
        ))
    }

    /// 注销某个会话 / Revoke one of my sessions
    #[oai(path = "/me/sessions/:id", method = "delete")]
    async fn revoke(&self, auth: Auth, id: Path<String>) -> AppResult<NoContent> {
        let p = auth.0;
        let list = self
            .state
            .sessions
            .list(&p.scope, &p.user_id)
            .await
            .map_err(AppError::internal)?;
        let (digest, _) = list
            .into_iter()
            .find(|(_, r)| r.id == id.0)
            .ok_or_else(AppError::not_found)?;
        self.state
            .sessions
            .revoke(&p.scope, &digest, &p.user_id)
            .await
            .map_err(AppError::internal)?;
        Ok(NoContent::Done)
    }
}
