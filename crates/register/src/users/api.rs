//! County-scoped endpoints: the current county and its user accounts.

use chrono::{DateTime, Utc};
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde::{Deserialize, Serialize};

use super::model::{UserRow, UserStatus, Username, parse_display_name};
use super::repo::{self, NewUser, UserChanges};
use crate::AppState;
use crate::api::idempotency::{self, IdempotencyKey};
use crate::api::{JsonBody, PageRequest, etag, if_match, path_id};
use crate::auth::{Auth, Role, password};
use crate::db::Mode;
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult, FieldError, Gather};
use crate::kv::Scope;
use crate::tenancy::api::{OneTimeCredential, TenantView};
use crate::tenancy::service::one_time_password;

#[derive(Tags)]
enum ApiTags {
    /// 本县与用户账户 / This county and its user accounts
    County,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct UserView {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The org unit the role is scoped to (set once the register exists).
    #[oai(skip_serializing_if_is_none)]
    pub org_unit_id: Option<String>,
    pub status: UserStatus,
    pub must_change_password: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&UserRow> for UserView {
    fn from(u: &UserRow) -> Self {
        Self {
            id: u.id.clone(),
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: Role::parse(&u.role).unwrap_or(Role::VillageRecorder),
            org_unit_id: u.org_unit_id.clone(),
            // Anything but `active` shows as disabled (fails closed).
            status: UserStatus::parse(&u.status).unwrap_or(UserStatus::Disabled),
            must_change_password: u.must_change_password,
            created_at: u.created_at.and_utc(),
            updated_at: u.updated_at.and_utc(),
        }
    }
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct UserCreated {
    pub user: UserView,
    pub credential: OneTimeCredential,
}

#[derive(Debug, Clone, Object)]
pub struct UserPage {
    pub items: Vec<UserView>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    #[oai(validator(pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{2,31}$"))]
    pub username: String,
    #[oai(validator(
        min_length = 1,
        max_length = 50,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    ))]
    pub display_name: String,
    /// One of the six county roles.
    pub role: Role,
    /// The org unit the role is bound to (a village for a village recorder, a branch, party
    /// branch or service centre for branch staff, …). County admins and the association
    /// committee see the whole county and need none; other roles see nothing until bound.
    pub org_unit_id: Option<String>,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    #[oai(validator(
        min_length = 1,
        max_length = 50,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    ))]
    pub display_name: Option<String>,
    pub role: Option<Role>,
    /// `disabled` ends all of the user's sessions.
    pub status: Option<UserStatus>,
    /// Re-binds the user to another org unit (applies from their next request).
    pub org_unit_id: Option<String>,
}

#[derive(ApiResponse)]
pub enum UserResponse {
    #[oai(status = 200)]
    Ok(Json<UserView>, #[oai(header = "ETag")] String),
}

#[derive(ApiResponse)]
pub enum UserCreatedResponse {
    #[oai(status = 201)]
    Created(
        Json<UserCreated>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Location")] String,
        #[oai(header = "Idempotent-Replayed")] Option<String>,
    ),
}

pub struct CountyApi {
    pub state: AppState,
}

fn county_role(field: &str, r: Role) -> Result<Role, FieldError> {
    if r.is_tenant_role() {
        Ok(r)
    } else {
        Err(FieldError::new(
            field,
            "not_a_county_role",
            format!("{field}：不是县级角色"),
            format!("{field} is not a county role"),
        ))
    }
}

/// An org unit id from a request body; not a UUID means it cannot exist.
fn unit_arg(p: Option<&str>) -> AppResult<Option<String>> {
    p.map(|p| path_id(p).map_err(|_| unit_not_found()))
        .transpose()
}

fn unit_not_found() -> AppError {
    AppError::field(
        "org_unit_id",
        "org_unit_not_found",
        "org_unit_id：组织不存在或已停用",
        "org_unit_id: no such active org unit",
    )
}

/// The unit exists in this county, is active, and fits the role.
fn bind_check(
    tx: &mut crate::db::TenantTx<'_>,
    role: Role,
    unit_id: &str,
) -> crate::db::DbResult<()> {
    let unit = crate::org::repo::get(tx, unit_id)?
        .filter(|u| u.active)
        .ok_or_else(unit_not_found)?;
    crate::org::scope::check_binding(role, unit.kind())
        .map_err(|f| AppError::validation(vec![f]))?;
    Ok(())
}

#[OpenApi(tag = "ApiTags::County")]
impl CountyApi {
    /// 本县信息 / The signed-in user's county
    #[oai(path = "/tenant", method = "get")]
    async fn tenant(&self, auth: Auth) -> AppResult<Json<TenantView>> {
        let tid = auth.0.tenant()?;
        let id = tid.as_str().to_owned();
        // Through a tenant transaction first, so a suspended county is refused like everywhere.
        self.state.db.tenant(tid, Mode::Read, |_| Ok(())).await?;
        let row = self
            .state
            .db
            .platform(Mode::Read, move |tx| crate::tenancy::repo::get(tx, &id))
            .await?;
        row.map(|r| Json(TenantView::from(&r)))
            .ok_or_else(AppError::not_found)
    }

    /// 用户列表 / List the county's users (county admin)
    #[oai(path = "/users", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        role: Query<Option<Role>>,
        status: Query<Option<UserStatus>>,
        limit: Query<Option<crate::api::PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<UserPage>> {
        let tid = auth.0.tenant()?;
        auth.0.require(&[Role::CountyAdmin])?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let p2 = page.clone();
        let (r, st) = (role.0, status.0);
        let rows = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                repo::list(tx, &p2, r, st.map(UserStatus::as_str))
            })
            .await?;
        let (rows, next_cursor) = page.finish(rows, |u| &u.id);
        Ok(Json(UserPage {
            items: rows.iter().map(UserView::from).collect(),
            next_cursor,
        }))
    }

    /// 新建用户 / Create a user with a one-time password (county admin)
    #[oai(path = "/users", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        body: JsonBody<CreateUserRequest>,
        #[oai(name = "Idempotency-Key", validator(pattern = r"^[!-~]{1,200}$"))] idem: Header<
            Option<String>,
        >,
    ) -> AppResult<UserCreatedResponse> {
        let tid = auth.0.tenant()?;
        let ev = crate::events::Emitter::of(&auth.0);
        let actor_a = crate::audit::Actor::of(&auth.0);
        auth.0.require(&[Role::CountyAdmin])?;
        let key = IdempotencyKey::parse(idem.0.as_deref())?;
        let req = body.0;
        let mut errs = Vec::new();
        let username = Username::parse("username", &req.username).gather(&mut errs);
        let display = parse_display_name("display_name", &req.display_name).gather(&mut errs);
        let role = county_role("role", req.role).gather(&mut errs);
        let unit = unit_arg(req.org_unit_id.as_deref())?;
        let (Some(username), Some(display), Some(role)) = (username, display, role) else {
            return Err(AppError::validation(errs));
        };
        let (pw, hash) = tokio::task::spawn_blocking(one_time_password)
            .await
            .map_err(AppError::internal)??;
        let actor = auth.0.user_id.clone();
        let req_hash = idempotency::request_hash("POST /users", &req);
        let (mut out, replayed) = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                if let Some(k) = &key
                    && let Some(stored) = idempotency::tenant_lookup(tx, &actor, k, &req_hash)?
                {
                    return Ok((stored.into_body::<UserCreated>()?, true));
                }
                if let Some(unit) = &unit {
                    bind_check(tx, role, unit)?;
                }
                let u = repo::insert(
                    tx,
                    &NewUser {
                        username: username.as_str(),
                        display_name: &display,
                        role,
                        org_unit_id: unit.as_deref(),
                        password_hash: &hash,
                        must_change_password: true,
                    },
                )?;
                crate::audit::record(
                    tx,
                    &actor_a,
                    "user.create",
                    "user",
                    &u.id,
                    None,
                    serde_json::json!({ "role": role.as_str(), "org_unit_id": u.org_unit_id }),
                )?;
                let view = UserCreated {
                    user: UserView::from(&u),
                    credential: OneTimeCredential {
                        user_id: u.id.clone(),
                        username: u.username.clone(),
                        one_time_password: None,
                        must_change_password: true,
                    },
                };
                if let Some(k) = &key {
                    idempotency::tenant_store(tx, &actor, k, &req_hash, 201, &view)?;
                }
                Ok((view, false))
            })
            .await?;
        if !replayed {
            out.credential.one_time_password = Some(password::expose(&pw).to_owned());
        }
        let location = format!("/api/v1/users/{}", out.user.id);
        ev.user(&self.state, &out.user.id).await;
        Ok(UserCreatedResponse::Created(
            Json(out),
            etag(1),
            location,
            replayed.then(|| "true".to_owned()),
        ))
    }

    /// 查看用户 / Get a user (county admin, or the user themself)
    #[oai(path = "/users/:id", method = "get")]
    async fn get(&self, auth: Auth, id: Path<String>) -> AppResult<UserResponse> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        if auth.0.role != Role::CountyAdmin && auth.0.user_id != id {
            return Err(AppError::forbidden());
        }
        let row = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| repo::get(tx, &id))
            .await?;
        let u = row.ok_or_else(AppError::not_found)?;
        Ok(UserResponse::Ok(Json(UserView::from(&u)), etag(u.version)))
    }

    /// 修改用户 / Update a user's name, role or status (county admin; If-Match required)
    #[oai(path = "/users/:id", method = "patch")]
    async fn update(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<UpdateUserRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<UserResponse> {
        let tid = auth.0.tenant()?;
        let ev = crate::events::Emitter::of(&auth.0);
        let actor_a = crate::audit::Actor::of(&auth.0);
        auth.0.require(&[Role::CountyAdmin])?;
        let id = path_id(&id.0)?;
        let b = body.0;
        let mut errs = Vec::new();
        let display_name = b
            .display_name
            .as_deref()
            .map(|d| parse_display_name("display_name", d))
            .gather(&mut errs);
        let role = b.role.map(|r| county_role("role", r)).gather(&mut errs);
        let unit = unit_arg(b.org_unit_id.as_deref())?;
        if id == auth.0.user_id
            && (b.status == Some(UserStatus::Disabled)
                || role.is_some_and(|r| r != Role::CountyAdmin))
        {
            errs.push(FieldError::new(
                if b.status.is_some() { "status" } else { "role" },
                "cannot_demote_self",
                "不能停用自己的账户或取消自己的管理员角色",
                "You cannot disable yourself or drop your own admin role",
            ));
        }
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let expected = if_match(Some(&if_match_h.0))?;
        let changed: Vec<&str> = [
            ("display_name", b.display_name.is_some()),
            ("role", b.role.is_some()),
            ("status", b.status.is_some()),
            ("org_unit_id", b.org_unit_id.is_some()),
        ]
        .into_iter()
        .filter_map(|(f, set)| set.then_some(f))
        .collect();
        let changes = UserChanges {
            display_name,
            role,
            status: b.status.map(UserStatus::as_str),
            org_unit_id: unit.clone(),
        };
        let scope = Scope::Tenant(tid.clone());
        let (old_role, u) = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let before = repo::get(tx, &id)?.ok_or_else(AppError::not_found)?;
                // The role and the unit must fit together after the change.
                let role_after = changes
                    .role
                    .or_else(|| Role::parse(&before.role))
                    .unwrap_or(Role::VillageRecorder);
                if let Some(unit) = changes.org_unit_id.as_ref().or(before.org_unit_id.as_ref()) {
                    bind_check(tx, role_after, unit)?;
                }
                let after = repo::update(tx, &id, expected, &changes)?;
                crate::audit::record(
                    tx,
                    &actor_a,
                    "user.update",
                    "user",
                    &id,
                    None,
                    serde_json::json!({ "changed": changed }),
                )?;
                Ok((before.role, after))
            })
            .await?;
        if u.status != "active" || u.role != old_role {
            // A disabled account or a changed role must not keep old sessions.
            self.state
                .sessions
                .revoke_all(&scope, &u.id, None)
                .await
                .map_err(AppError::internal)?;
        }
        ev.user(&self.state, &u.id).await;
        Ok(UserResponse::Ok(Json(UserView::from(&u)), etag(u.version)))
    }

    /// 重置用户密码 / Reset a user's password to a one-time password (county admin)
    #[oai(path = "/users/:id/password-reset", method = "post")]
    async fn reset_password(
        &self,
        auth: Auth,
        id: Path<String>,
    ) -> AppResult<Json<OneTimeCredential>> {
        let tid = auth.0.tenant()?;
        let ev = crate::events::Emitter::of(&auth.0);
        let actor_a = crate::audit::Actor::of(&auth.0);
        auth.0.require(&[Role::CountyAdmin])?;
        let id = path_id(&id.0)?;
        let (pw, hash) = tokio::task::spawn_blocking(one_time_password)
            .await
            .map_err(AppError::internal)??;
        let scope = Scope::Tenant(tid.clone());
        let uid = id.clone();
        let u = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let u = repo::get(tx, &uid)?.ok_or_else(AppError::not_found)?;
                repo::set_password(tx, &uid, &hash, true)?;
                crate::audit::record(
                    tx,
                    &actor_a,
                    "user.password_reset",
                    "user",
                    &uid,
                    None,
                    serde_json::json!({}),
                )?;
                Ok(u)
            })
            .await?;
        self.state
            .sessions
            .revoke_all(&scope, &id, None)
            .await
            .map_err(AppError::internal)?;
        ev.user(&self.state, &id).await;
        Ok(Json(OneTimeCredential {
            user_id: u.id,
            username: u.username,
            one_time_password: Some(password::expose(&pw).to_owned()),
            must_change_password: true,
        }))
    }

    /// 注销用户的全部会话 / Sign a user out everywhere (county admin); the account stays usable
    #[oai(path = "/users/:id/sessions/revoke", method = "post")]
    async fn revoke_sessions(
        &self,
        auth: Auth,
        id: Path<String>,
    ) -> AppResult<crate::users::signin::NoContent> {
        let tid = auth.0.tenant()?;
        let ev = crate::events::Emitter::of(&auth.0);
        let actor_a = crate::audit::Actor::of(&auth.0);
        auth.0.require(&[Role::CountyAdmin])?;
        let id = path_id(&id.0)?;
        let scope = Scope::Tenant(tid.clone());
        let uid = id.clone();
        self.state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                repo::get(tx, &uid)?.ok_or_else(AppError::not_found)?;
                crate::audit::record(
                    tx,
                    &actor_a,
                    "user.sessions_revoke",
                    "user",
                    &uid,
                    None,
                    serde_json::json!({}),
                )?;
                Ok(())
            })
            .await?;
        self.state
            .sessions
            .revoke_all(&scope, &id, None)
            .await
            .map_err(AppError::internal)?;
        ev.user(&self.state, &id).await;
        Ok(crate::users::signin::NoContent::Done)
    }
}
