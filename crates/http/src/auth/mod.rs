//! Sign-in and authorization: argon2id passwords, opaque revocable bearer tokens, lockout and
//! rate limits (in the key-value store), and the [`Principal`] every handler receives.

pub mod lockout;
pub mod password;
pub mod roles;
pub mod session;
pub mod session_cache;
pub mod token;
pub mod totp;

use poem::Request;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::Bearer;

pub use roles::Role;

use crate::state::AppState;
use shuanglian_core::error::AppError;
use shuanglian_core::kv::Scope;
use shuanglian_core::tenant::TenantId;

/// Who is calling, resolved from the bearer token.
#[derive(Debug, Clone)]
pub struct Principal {
    pub session_id: String,
    pub token_digest: String,
    pub user_id: String,
    pub role: Role,
    pub scope: Scope,
    pub tenant_code: Option<String>,
    pub province_code: Option<String>,
    pub must_change_password: bool,
    pub record: session::SessionRecord,
}

impl Principal {
    /// The caller's tenant; platform and provincial users have none.
    pub fn tenant(&self) -> Result<TenantId, AppError> {
        match &self.scope {
            Scope::Tenant(t) => Ok(t.clone()),
            Scope::Platform => Err(AppError::new(
                poem::http::StatusCode::FORBIDDEN,
                "tenant_required",
                "此接口仅供县级用户使用",
                "This endpoint is for county users",
            )),
        }
    }

    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(AppError::forbidden())
        }
    }
}

/// Endpoints still open to a user who must change a one-time password first.
const OPEN_BEFORE_PASSWORD_CHANGE: [&str; 3] = [
    "/api/v1/auth/password",
    "/api/v1/auth/sign-out",
    "/api/v1/me",
];

/// Endpoints still open to an account that must enrol a second factor first.
const OPEN_BEFORE_TOTP_ENROLMENT: [&str; 5] = [
    "/api/v1/auth/totp/enrol",
    "/api/v1/auth/totp/confirm",
    "/api/v1/auth/password",
    "/api/v1/auth/sign-out",
    "/api/v1/me",
];

/// Bearer token issued by `POST /api/v1/auth/sign-in`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", checker = "check_bearer")]
pub struct Auth(pub Principal);

async fn check_bearer(req: &Request, bearer: Bearer) -> poem::Result<Principal> {
    let state = req
        .data::<AppState>()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("state missing")))?;
    let resolved = state
        .sessions
        .resolve(&bearer.token)
        .await
        .map_err(AppError::internal)?;
    let Some((scope, digest, rec)) = resolved else {
        return Err(AppError::unauthenticated().into());
    };
    shuanglian_core::telemetry::record_principal(rec.tenant_code.as_deref(), &rec.user_id);
    if rec.must_change_password && !OPEN_BEFORE_PASSWORD_CHANGE.contains(&req.original_uri().path())
    {
        return Err(AppError::new(
            poem::http::StatusCode::FORBIDDEN,
            "password_change_required",
            "首次登录须先修改一次性密码（POST /api/v1/auth/password）",
            "Change the one-time password first (POST /api/v1/auth/password)",
        )
        .into());
    }
    if rec.totp_enrolment_required
        && !OPEN_BEFORE_TOTP_ENROLMENT.contains(&req.original_uri().path())
    {
        return Err(AppError::new(
            poem::http::StatusCode::FORBIDDEN,
            "totp_enrolment_required",
            "此账户须先启用二次验证（POST /api/v1/auth/totp/enrol，再用验证器应用的动态码确认）",
            "Enrol a second factor first (POST /api/v1/auth/totp/enrol, then confirm with a code)",
        )
        .into());
    }
    Ok(Principal {
        session_id: rec.id.clone(),
        token_digest: digest,
        user_id: rec.user_id.clone(),
        role: rec.role,
        scope,
        tenant_code: rec.tenant_code.clone(),
        province_code: rec.province_code.clone(),
        must_change_password: rec.must_change_password,
        record: rec,
    })
}
