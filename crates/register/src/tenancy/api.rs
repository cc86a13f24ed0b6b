//! Platform endpoints under /api/v1/platform: provinces and county tenants.

use chrono::{DateTime, Utc};
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde::{Deserialize, Serialize};

use super::model::{DivisionCode, TenantStatus, parse_name};
use super::repo::{self, TenantRow};
use super::service::{self, NewCounty};
use crate::AppState;
use crate::api::idempotency::{self, IdempotencyKey};
use crate::api::{JsonBody, PageRequest, etag, if_match, path_id};
use crate::auth::{Auth, Role, password};
use crate::db::Mode;
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult, FieldError, Gather};
use crate::kv::Scope;
use crate::users::model::{Username, parse_display_name};

#[derive(Tags)]
enum ApiTags {
    /// 平台运维：开通、改名、停用、恢复县级租户 / Platform: county tenants
    Platform,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct TenantView {
    pub id: String,
    /// 行政区划代码 (6 digits).
    pub code: String,
    pub name: String,
    pub province_code: String,
    pub status: TenantStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&TenantRow> for TenantView {
    fn from(r: &TenantRow) -> Self {
        Self {
            id: r.id.clone(),
            code: r.code.clone(),
            name: r.name.clone(),
            province_code: r.province_code.clone(),
            status: r.status(),
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        }
    }
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct OneTimeCredential {
    pub user_id: String,
    pub username: String,
    /// Shown once. Absent when an idempotent retry replays the original response: reset it then.
    #[oai(skip_serializing_if_is_none)]
    pub one_time_password: Option<String>,
    pub must_change_password: bool,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct TenantCreated {
    pub tenant: TenantView,
    pub admin: OneTimeCredential,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CreateTenantRequest {
    /// County-level division code, e.g. `330523`.
    #[oai(validator(
        pattern = r"^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5])[0-9]{2}(0[1-9]|[1-9][0-9])$"
    ))]
    pub code: String,
    /// e.g. `安吉县`.
    #[oai(validator(
        min_length = 2,
        max_length = 50,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    ))]
    pub name: String,
    /// Defaults to `admin.<code>`.
    #[oai(validator(pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{2,31}$"))]
    pub admin_username: Option<String>,
    /// Defaults to `<name>管理员`.
    #[oai(validator(
        min_length = 1,
        max_length = 50,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    ))]
    pub admin_display_name: Option<String>,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct RenameTenantRequest {
    #[oai(validator(
        min_length = 2,
        max_length = 50,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    ))]
    pub name: String,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ResetAdminRequest {
    /// A county admin's user name in that county.
    #[oai(validator(pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{2,31}$"))]
    pub username: String,
}

#[derive(Debug, Clone, Object)]
pub struct TenantPage {
    pub items: Vec<TenantView>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Object)]
pub struct Province {
    pub code: String,
    pub name: String,
}

#[derive(ApiResponse)]
pub enum CreatedResponse {
    /// The county and its first admin were created.
    #[oai(status = 201)]
    Created(
        Json<TenantCreated>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Location")] String,
        #[oai(header = "Idempotent-Replayed")] Option<String>,
    ),
}

#[derive(ApiResponse)]
pub enum TenantResponse {
    #[oai(status = 200)]
    Ok(Json<TenantView>, #[oai(header = "ETag")] String),
}

pub struct PlatformApi {
    pub state: AppState,
}

fn operator(auth: &Auth) -> AppResult<()> {
    auth.0.require(&[Role::PlatformOperator])
}

fn tenant_response(row: &TenantRow) -> TenantResponse {
    TenantResponse::Ok(Json(TenantView::from(row)), etag(row.version))
}

#[OpenApi(prefix_path = "/platform", tag = "ApiTags::Platform")]
impl PlatformApi {
    /// 省级区划列表 / List provinces
    #[oai(path = "/provinces", method = "get")]
    async fn provinces(&self, auth: Auth) -> AppResult<Json<Vec<Province>>> {
        auth.0
            .require(&[Role::PlatformOperator, Role::ProvincialOffice])?;
        let rows = self.state.db.platform(Mode::Read, repo::provinces).await?;
        Ok(Json(
            rows.into_iter()
                .map(|(code, name)| Province { code, name })
                .collect(),
        ))
    }

    /// 县级租户列表 / List county tenants
    ///
    /// Provincial users see the counties of their own province only.
    #[oai(path = "/tenants", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        province: Query<Option<String>>,
        status: Query<Option<TenantStatus>>,
        limit: Query<Option<crate::api::PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<TenantPage>> {
        auth.0
            .require(&[Role::PlatformOperator, Role::ProvincialOffice])?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let province = match (auth.0.role, &auth.0.province_code) {
            (Role::ProvincialOffice, Some(own)) => Some(own.clone()),
            _ => province.0,
        };
        let st = status.0;
        let p2 = page.clone();
        let rows = self
            .state
            .db
            .platform(Mode::Read, move |tx| {
                repo::list(tx, &p2, province.as_deref(), st)
            })
            .await?;
        let (rows, next_cursor) = page.finish(rows, |r| &r.id);
        Ok(Json(TenantPage {
            items: rows.iter().map(TenantView::from).collect(),
            next_cursor,
        }))
    }

    /// 开通县级租户 / Create a county tenant and its first admin
    ///
    /// Returns the admin's one-time password once; it must be changed at first sign-in.
    /// Send an `Idempotency-Key` to make retries safe.
    #[oai(path = "/tenants", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        body: JsonBody<CreateTenantRequest>,
        #[oai(name = "Idempotency-Key", validator(pattern = r"^[!-~]{1,200}$"))] idem: Header<
            Option<String>,
        >,
    ) -> AppResult<CreatedResponse> {
        operator(&auth)?;
        let key = IdempotencyKey::parse(idem.0.as_deref())?;
        let req = body.0;
        let new = validate_create(&req)?;
        let (pw, hash) = tokio::task::spawn_blocking(service::one_time_password)
            .await
            .map_err(AppError::internal)??;
        let user = auth.0.user_id.clone();
        let audit_actor = crate::audit::Actor::of(&auth.0);
        let req_hash = idempotency::request_hash("POST /platform/tenants", &req);
        let out = self
            .state
            .db
            .platform(Mode::Write, move |tx| {
                if let Some(k) = &key
                    && let Some(stored) = idempotency::platform_lookup(tx, &user, k, &req_hash)?
                {
                    return Ok((stored.into_body::<TenantCreated>()?, true));
                }
                let c = service::create_county(tx, &new, pw, &hash)?;
                {
                    // The county's chain starts with its own creation.
                    let mut ttx = tx.enter_tenant(c.tenant.tenant_id())?;
                    let details =
                        serde_json::json!({ "code": c.tenant.code, "admin_id": c.admin_id });
                    crate::audit::record(
                        &mut ttx,
                        &audit_actor,
                        "tenant.create",
                        "tenant",
                        &c.tenant.id,
                        None,
                        details,
                    )?;
                }
                let mut view = TenantCreated {
                    tenant: TenantView::from(&c.tenant),
                    admin: OneTimeCredential {
                        user_id: c.admin_id.clone(),
                        username: c.admin_username.clone(),
                        one_time_password: None,
                        must_change_password: true,
                    },
                };
                if let Some(k) = &key {
                    idempotency::platform_store(tx, &user, k, &req_hash, 201, &view)?;
                }
                view.admin.one_time_password = Some(password::expose(&c.admin_password).to_owned());
                Ok((view, false))
            })
            .await?;
        let (view, replayed) = out;
        tracing::info!(tenant = %view.tenant.code, replayed, "county tenant created");
        crate::events::publish_platform(&self.state, &view.tenant.id, &view.tenant.code).await;
        let location = format!("/api/v1/platform/tenants/{}", view.tenant.id);
        Ok(CreatedResponse::Created(
            Json(view),
            etag(1),
            location,
            replayed.then(|| "true".to_owned()),
        ))
    }

    /// 查看县级租户 / Get a county tenant
    #[oai(path = "/tenants/:id", method = "get")]
    async fn get(&self, auth: Auth, id: Path<String>) -> AppResult<TenantResponse> {
        operator(&auth)?;
        let id = path_id(&id.0)?;
        let row = self
            .state
            .db
            .platform(Mode::Read, move |tx| repo::get(tx, &id))
            .await?;
        row.map(|r| tenant_response(&r))
            .ok_or_else(AppError::not_found)
    }

    /// 县级租户改名 / Rename a county tenant (If-Match required)
    #[oai(path = "/tenants/:id", method = "patch")]
    async fn rename(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<RenameTenantRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<TenantResponse> {
        operator(&auth)?;
        let id = path_id(&id.0)?;
        let name = parse_name("name", &body.0.name).map_err(|f| AppError::validation(vec![f]))?;
        let expected = if_match(Some(&if_match_h.0))?;
        let row = self
            .state
            .db
            .platform(Mode::Write, move |tx| {
                repo::update(tx, &id, Some(expected), Some(&name), None)
            })
            .await?;
        tracing::info!(tenant = %row.code, "county tenant renamed");
        crate::events::publish_platform(&self.state, &row.id, &row.code).await;
        Ok(tenant_response(&row))
    }

    /// 停用县级租户 / Suspend a county: its users get 403 `tenant_suspended`
    #[oai(path = "/tenants/:id/suspend", method = "post")]
    async fn suspend(
        &self,
        auth: Auth,
        id: Path<String>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<TenantResponse> {
        self.set_status(auth, id.0, if_match_h.0, TenantStatus::Suspended)
            .await
    }

    /// 恢复县级租户 / Reactivate a suspended county
    #[oai(path = "/tenants/:id/reactivate", method = "post")]
    async fn reactivate(
        &self,
        auth: Auth,
        id: Path<String>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<TenantResponse> {
        self.set_status(auth, id.0, if_match_h.0, TenantStatus::Active)
            .await
    }

    /// 重置县级管理员密码 / Reset a county admin's password to a new one-time password
    ///
    /// Ends all of that admin's sessions. Written to the county's audit log.
    #[oai(path = "/tenants/:id/admin-password-reset", method = "post")]
    async fn reset_admin(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<ResetAdminRequest>,
    ) -> AppResult<Json<OneTimeCredential>> {
        operator(&auth)?;
        let audit_actor = crate::audit::Actor::of(&auth.0);
        let id = path_id(&id.0)?;
        let username = Username::parse("username", &body.0.username)
            .map_err(|f| AppError::validation(vec![f]))?;
        let (pw, hash) = tokio::task::spawn_blocking(service::one_time_password)
            .await
            .map_err(AppError::internal)??;
        let (tenant_id, user_id) = self
            .state
            .db
            .platform(Mode::Write, move |tx| {
                let t = repo::get(tx, &id)?.ok_or_else(AppError::not_found)?;
                let mut ttx = tx.enter_tenant(t.tenant_id())?;
                let u = crate::users::repo::find_by_username(&mut ttx, username.as_str())?
                    .filter(|u| u.role == Role::CountyAdmin.as_str())
                    .ok_or_else(AppError::not_found)?;
                crate::users::repo::set_password(&mut ttx, &u.id, &hash, true)?;
                // In the county's log, like the county admin's own resets; never the password.
                crate::audit::record(
                    &mut ttx,
                    &audit_actor,
                    "user.password_reset",
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
        Ok(Json(OneTimeCredential {
            user_id,
            username: body.0.username.trim().to_lowercase(),
            one_time_password: Some(password::expose(&pw).to_owned()),
            must_change_password: true,
        }))
    }
}

impl PlatformApi {
    async fn set_status(
        &self,
        auth: Auth,
        id: String,
        if_match_h: Option<String>,
        to: TenantStatus,
    ) -> AppResult<TenantResponse> {
        operator(&auth)?;
        let audit_actor = crate::audit::Actor::of(&auth.0);
        let id = path_id(&id)?;
        let expected = if_match_h
            .as_deref()
            .map(|h| if_match(Some(h)))
            .transpose()?;
        let row = self
            .state
            .db
            .platform(Mode::Write, move |tx| {
                let row = service::set_status(tx, &id, expected, to)?;
                let mut ttx = tx.enter_tenant(row.tenant_id())?;
                let action = format!(
                    "tenant.{}",
                    if to == TenantStatus::Active {
                        "reactivate"
                    } else {
                        "suspend"
                    }
                );
                crate::audit::record(
                    &mut ttx,
                    &audit_actor,
                    &action,
                    "tenant",
                    &row.id,
                    None,
                    serde_json::json!({}),
                )?;
                Ok(row)
            })
            .await?;
        tracing::info!(tenant = %row.code, status = to.as_str(), "county tenant status changed");
        crate::events::publish_platform(&self.state, &row.id, &row.code).await;
        Ok(tenant_response(&row))
    }
}

/// Checks every field of a create request, reporting all faults at once.
pub fn validate_create(req: &CreateTenantRequest) -> AppResult<NewCounty> {
    let mut errs: Vec<FieldError> = Vec::new();
    let code = DivisionCode::parse("code", &req.code).gather(&mut errs);
    let name = parse_name("name", &req.name).gather(&mut errs);
    let admin_username = match (&req.admin_username, &code) {
        (Some(u), _) => Username::parse("admin_username", u).gather(&mut errs),
        (None, Some(c)) => service::default_admin(c).gather(&mut errs),
        (None, None) => None,
    };
    let admin_display_name = match (&req.admin_display_name, &name) {
        (Some(d), _) => parse_display_name("admin_display_name", d).gather(&mut errs),
        (None, Some(n)) => Some(format!("{n}管理员")),
        (None, None) => None,
    };
    match (code, name, admin_username, admin_display_name) {
        (Some(code), Some(name), Some(admin_username), Some(admin_display_name))
            if errs.is_empty() =>
        {
            Ok(NewCounty {
                code,
                name,
                admin_username,
                admin_display_name,
            })
        }
        _ => Err(AppError::validation(errs)),
    }
}
