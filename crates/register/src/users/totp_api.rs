//! Second-factor endpoints: enrol, confirm and disable one's own (/api/v1/auth/totp/*), and
//! resets by a county admin (/api/v1/users/{id}/totp-reset) or, for county admins, by a
//! platform operator (/api/v1/platform/tenants/{id}/admin-totp-reset).

use std::time::Duration;

use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde::Deserialize;

use crate::AppState;
use crate::api::{JsonBody, path_id};
use crate::audit::{self, Actor};
use crate::auth::totp::service::{self, Owner, Verdict};
use crate::auth::totp::{DIGITS, ISSUER, PERIOD, account_label, otpauth_uri, required_for};
use crate::auth::{Auth, Principal, Role};
use crate::db::Mode;
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult};
use crate::kv::Scope;
use crate::users::model::Username;
use crate::users::repo as users;
use crate::users::signin::NoContent;

#[derive(Tags)]
enum ApiTags {
    /// 二次验证（TOTP 动态码）/ Second factor (TOTP)
    SecondFactor,
}

/// A new second factor to add to an authenticator app, then confirm with its first code.
#[derive(Debug, Clone, Object)]
pub struct TotpEnrolment {
    /// Base32 secret, for typing into the app by hand.
    pub secret: String,
    /// `otpauth://totp/…`: show as a QR code for the app to scan.
    pub otpauth_uri: String,
    pub issuer: String,
    /// `<user name>@<county code>` (or `@platform`, `@<province code>`).
    pub account: String,
    /// Always `SHA1` (RFC 6238's default, what every authenticator app supports).
    pub algorithm: String,
    pub digits: u32,
    /// Seconds per code.
    pub period: u32,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct TotpCodeRequest {
    /// The 6-digit code the authenticator app shows now.
    #[oai(validator(min_length = 1, max_length = 16))]
    pub code: String,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ResetAdminTotpRequest {
    /// A county admin's user name in that county.
    #[oai(validator(pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{2,31}$"))]
    pub username: String,
}

#[derive(Debug, Clone, Object)]
pub struct TotpStatus {
    /// Whether a second factor is active.
    pub enrolled: bool,
    /// Whether this account's role must have one.
    pub required: bool,
}

#[derive(ApiResponse)]
pub enum EnrolmentResponse {
    /// The secret is shown this once; it is never cached.
    #[oai(status = 200)]
    Ok(Json<TotpEnrolment>, #[oai(header = "Cache-Control")] String),
}

pub struct TotpApi {
    pub state: AppState,
}

fn not_enrolled() -> AppError {
    AppError::conflict(
        "totp_not_enrolled",
        "该账户没有启用二次验证",
        "This account has no second factor",
    )
}

/// The caller's user name and the scope part of their authenticator label.
async fn whoami(state: &AppState, p: &Principal) -> AppResult<(String, String)> {
    let uid = p.user_id.clone();
    match &p.scope {
        Scope::Tenant(t) => {
            let name = state
                .db
                .tenant(t.clone(), Mode::Read, move |tx| {
                    Ok(users::get(tx, &uid)?.map(|u| u.username))
                })
                .await?
                .ok_or_else(AppError::unauthenticated)?;
            Ok((name, p.tenant_code.clone().unwrap_or_default()))
        }
        Scope::Platform => {
            let name = state
                .db
                .platform(Mode::Read, move |tx| {
                    Ok(users::platform_get(tx, &uid)?.map(|u| u.username))
                })
                .await?
                .ok_or_else(AppError::unauthenticated)?;
            let scope = p
                .province_code
                .clone()
                .unwrap_or_else(|| "platform".to_owned());
            Ok((name, scope))
        }
    }
}

#[OpenApi(tag = "ApiTags::SecondFactor")]
impl TotpApi {
    /// 申请二次验证 / Start enrolling a second factor
    ///
    /// Returns a new secret and its `otpauth://` URI. Nothing changes for sign-in until
    /// `POST /api/v1/auth/totp/confirm` with a code from the app; calling this again replaces
    /// an unconfirmed secret. 409 `totp_already_enrolled` if a second factor is active.
    #[oai(path = "/auth/totp/enrol", method = "post")]
    async fn enrol(&self, auth: Auth) -> AppResult<EnrolmentResponse> {
        let p = auth.0;
        let (username, scope) = whoami(&self.state, &p).await?;
        let master = *self.state.master_key.bytes();
        let secret =
            service::begin(&self.state.db, &master, &Owner::of(&p.scope), &p.user_id).await?;
        let account = account_label(&username, &scope);
        let uri = otpauth_uri(&secret, &account)
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("otpauth URI")))?;
        Ok(EnrolmentResponse::Ok(
            Json(TotpEnrolment {
                secret: secrecy::ExposeSecret::expose_secret(&secret).to_owned(),
                otpauth_uri: uri,
                issuer: ISSUER.to_owned(),
                account,
                algorithm: "SHA1".to_owned(),
                digits: u32::from(DIGITS),
                period: PERIOD as u32,
            }),
            "no-store".to_owned(),
        ))
    }

    /// 确认二次验证 / Confirm the second factor with a code from the app
    ///
    /// Activates it, lifts this session's enrolment limit and ends the account's other
    /// sessions (they were opened without the second factor).
    #[oai(path = "/auth/totp/confirm", method = "post")]
    async fn confirm(
        &self,
        auth: Auth,
        body: JsonBody<TotpCodeRequest>,
    ) -> AppResult<Json<TotpStatus>> {
        let p = auth.0;
        let s = &self.state;
        let master = *s.master_key.bytes();
        service::confirm(
            &s.db,
            &master,
            &Owner::of(&p.scope),
            &p.user_id,
            &body.0.code,
            &Actor::of(&p),
        )
        .await?;
        s.sessions
            .revoke_all(&p.scope, &p.user_id, Some(&p.token_digest))
            .await
            .map_err(AppError::internal)?;
        s.sessions
            .clear_totp_flag(&p.scope, &p.token_digest, &p.record)
            .await
            .map_err(AppError::internal)?;
        Ok(Json(TotpStatus {
            enrolled: true,
            required: required_for(p.role),
        }))
    }

    /// 停用二次验证 / Disable my optional second factor (with a current code)
    ///
    /// Only for roles that may go without one: county admins, platform and provincial accounts
    /// get 403 `totp_required_for_role` (their second factor can only be reset by an admin).
    /// Wrong codes count towards the sign-in lockout.
    #[oai(path = "/auth/totp/disable", method = "post")]
    async fn disable(&self, auth: Auth, body: JsonBody<TotpCodeRequest>) -> AppResult<NoContent> {
        let p = auth.0;
        let s = &self.state;
        if required_for(p.role) {
            return Err(AppError::new(
                poem::http::StatusCode::FORBIDDEN,
                "totp_required_for_role",
                "您的角色必须启用二次验证，不能停用；更换验证器请联系管理员重置",
                "Your role must keep a second factor; to change apps, ask an admin to reset it",
            ));
        }
        let (username, _) = whoami(s, &p).await?;
        let kv = s.sessions.kv();
        let fail_key = s.sessions.keys().failed_signins(&p.scope, &username);
        let cfg = &s.settings.auth;
        let (fails, left) = kv
            .peek_window(&fail_key)
            .await
            .map_err(AppError::internal)?;
        if fails >= cfg.lockout_threshold {
            return Err(crate::users::signin::locked(left));
        }
        let owner = Owner::of(&p.scope);
        let master = *s.master_key.bytes();
        match service::verify(&s.db, &master, &owner, &p.user_id, &body.0.code).await? {
            Verdict::Accepted => {}
            Verdict::NotEnrolled => return Err(not_enrolled()),
            v @ (Verdict::Invalid | Verdict::Replayed) => {
                let (n, left) = kv
                    .incr_window(&fail_key, Duration::from_secs(cfg.lockout_window_secs))
                    .await
                    .map_err(AppError::internal)?;
                return Err(if n >= cfg.lockout_threshold {
                    crate::users::signin::locked(left)
                } else if v == Verdict::Replayed {
                    service::replayed_code_field()
                } else {
                    service::invalid_code_field()
                });
            }
        }
        service::remove(
            &s.db,
            &owner,
            &p.user_id,
            &Actor::of(&p),
            "user.totp_disable",
        )
        .await?;
        Ok(NoContent::Done)
    }

    /// 重置用户的二次验证 / Reset a county user's second factor (county admin)
    ///
    /// For a lost phone: removes the second factor and ends the user's sessions; at the next
    /// sign-in they enrol again (county admins must). Audited.
    #[oai(path = "/users/:id/totp-reset", method = "post")]
    async fn reset_user(&self, auth: Auth, id: Path<String>) -> AppResult<NoContent> {
        let tid = auth.0.tenant()?;
        auth.0.require(&[Role::CountyAdmin])?;
        let id = path_id(&id.0)?;
        let actor = Actor::of(&auth.0);
        let uid = id.clone();
        self.state
            .db
            .tenant(tid.clone(), Mode::Write, move |tx| {
                users::get(tx, &uid)?.ok_or_else(AppError::not_found)?;
                if !crate::auth::totp::repo::remove(tx, &uid)? {
                    return Err(not_enrolled().into());
                }
                audit::record(
                    tx,
                    &actor,
                    "user.totp_reset",
                    "user",
                    &uid,
                    None,
                    serde_json::json!({}),
                )
            })
            .await?;
        self.state
            .sessions
            .revoke_all(&Scope::Tenant(tid), &id, None)
            .await
            .map_err(AppError::internal)?;
        tracing::info!("second factor reset by the county admin");
        Ok(NoContent::Done)
    }

    /// 重置县级管理员的二次验证 / Reset a county admin's second factor (platform operator)
    ///
    /// Like the admin password reset: removes the admin's second factor and ends their
    /// sessions; the next sign-in asks them to enrol again. Written to the county's audit log.
    #[oai(path = "/platform/tenants/:id/admin-totp-reset", method = "post")]
    async fn reset_admin(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<ResetAdminTotpRequest>,
    ) -> AppResult<NoContent> {
        auth.0.require(&[Role::PlatformOperator])?;
        let id = path_id(&id.0)?;
        let username = Username::parse("username", &body.0.username)
            .map_err(|f| AppError::validation(vec![f]))?;
        let actor = Actor::of(&auth.0);
        let (tenant_id, user_id) = self
            .state
            .db
            .platform(Mode::Write, move |tx| {
                let t = crate::tenancy::repo::get(tx, &id)?.ok_or_else(AppError::not_found)?;
                let mut ttx = tx.enter_tenant(t.tenant_id())?;
                let u = users::find_by_username(&mut ttx, username.as_str())?
                    .filter(|u| u.role == Role::CountyAdmin.as_str())
                    .ok_or_else(AppError::not_found)?;
                if !crate::auth::totp::repo::remove(&mut ttx, &u.id)? {
                    return Err(not_enrolled().into());
                }
                audit::record(
                    &mut ttx,
                    &actor,
                    "user.totp_reset",
                    "user",
                    &u.id,
                    None,
                    serde_json::json!({ "by": "platform" }),
                )?;
                Ok((t.tenant_id(), u.id))
            })
            .await?;
        self.state
            .sessions
            .revoke_all(&Scope::Tenant(tenant_id), &user_id, None)
            .await
            .map_err(AppError::internal)?;
        tracing::info!("county admin's second factor reset by the platform");
        Ok(NoContent::Done)
    }
}
