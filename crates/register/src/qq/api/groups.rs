//! /api/v1/qq-groups and /api/v1/qq-groups/{id}: the groups themselves — list, create, edit,
//! hand to another maintainer, deactivate and reactivate.

use chrono::{DateTime, Utc};
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::{Deserialize, Serialize};

use super::{ApiTags, changed_fields, may_edit, qq_arg, visible_group};
use crate::AppState;
use crate::api::idempotency::{self, IdempotencyKey};
use crate::api::{JsonBody, PageRequest, etag, if_match, path_id};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Role};
use crate::db::{DbResult, Mode, TenantTx};
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult, FieldError, Gather};
use crate::org::scope::{self, Visibility};
use crate::qq::links::LinkScope;
use crate::qq::repo::{self, GroupFilter, GroupRow, GroupValues, ScopeFilter};

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct QqGroupView {
    pub id: String,
    pub name: String,
    /// The group's own number (群号); not personal data.
    #[oai(skip_serializing_if_is_none)]
    pub group_number: Option<String>,
    /// The grid the group serves, or
    #[oai(skip_serializing_if_is_none)]
    pub grid_id: Option<String>,
    /// the region (org unit) it serves.
    #[oai(skip_serializing_if_is_none)]
    pub org_unit_id: Option<String>,
    /// The branch staff member who keeps the group (群管理维护专人).
    pub maintainer_id: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn group_view(r: &GroupRow) -> QqGroupView {
    QqGroupView {
        id: r.id.clone(),
        name: r.name.clone(),
        group_number: r.group_number.clone(),
        grid_id: r.grid_id.clone(),
        org_unit_id: r.org_unit_id.clone(),
        maintainer_id: r.maintainer_id.clone(),
        active: r.active,
        created_at: r.created_at.and_utc(),
        updated_at: r.updated_at.and_utc(),
    }
}

#[derive(Debug, Clone, Object)]
pub struct QqGroupPage {
    pub items: Vec<QqGroupView>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CreateQqGroupRequest {
    #[oai(validator(
        min_length = 2,
        max_length = 60,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    ))]
    pub name: String,
    /// 群号
    #[oai(validator(pattern = r"^[1-9][0-9]{4,10}$"))]
    pub group_number: Option<String>,
    /// Either a grid …
    pub grid_id: Option<String>,
    /// … or an org unit (region), not both.
    pub org_unit_id: Option<String>,
    /// A branch staff user bound to a branch, party branch or service centre.
    pub maintainer_id: String,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct UpdateQqGroupRequest {
    #[oai(validator(
        min_length = 2,
        max_length = 60,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    ))]
    pub name: Option<String>,
    #[oai(validator(pattern = r"^[1-9][0-9]{4,10}$"))]
    pub group_number: Option<String>,
    pub maintainer_id: Option<String>,
}

#[derive(ApiResponse)]
pub enum GroupResponse {
    #[oai(status = 200)]
    Ok(Json<QqGroupView>, #[oai(header = "ETag")] String),
}

#[derive(ApiResponse)]
pub enum GroupCreated {
    #[oai(status = 201)]
    Created(
        Json<QqGroupView>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Location")] String,
        #[oai(header = "Idempotent-Replayed")] Option<String>,
    ),
}

fn field_err(field: &str, code: &str, zh: &str, en: &str) -> AppError {
    AppError::field(
        field,
        code,
        format!("{field}：{zh}"),
        format!("{field}: {en}"),
    )
}

/// The designated maintainer: an active branch staff account bound to an org unit.
fn check_maintainer(tx: &mut TenantTx<'_>, id: &str) -> DbResult<()> {
    let user = uuid::Uuid::try_parse(id)
        .ok()
        .map(|_| crate::users::repo::get(tx, id))
        .transpose()?
        .flatten();
    match user {
        None => Err(field_err(
            "maintainer_id",
            "user_not_found",
            "用户不存在",
            "no such user",
        )
        .into()),
        Some(u) if u.status != "active" => Err(field_err(
            "maintainer_id",
            "user_disabled",
            "该账户已停用",
            "the account is disabled",
        )
        .into()),
        Some(u) if u.role != Role::BranchStaff.as_str() => Err(field_err(
            "maintainer_id",
            "not_branch_staff",
            "维护人须为分会支部/服务中心工作人员",
            "the maintainer is a branch staff member",
        )
        .into()),
        Some(u) if u.org_unit_id.is_none() => Err(field_err(
            "maintainer_id",
            "maintainer_unbound",
            "维护人尚未绑定所属分会或支部",
            "the maintainer is not bound to a branch",
        )
        .into()),
        Some(_) => Ok(()),
    }
}

pub struct GroupsApi {
    pub state: AppState,
}

#[OpenApi(tag = "ApiTags::QqGroups")]
impl GroupsApi {
    /// QQ群列表 / List the QQ groups you can see
    #[oai(path = "/qq-groups", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: Auth,
        grid_id: Query<Option<String>>,
        org_unit_id: Query<Option<String>>,
        maintainer_id: Query<Option<String>>,
        active: Query<Option<bool>>,
        limit: Query<Option<crate::api::PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<QqGroupPage>> {
        let tid = auth.0.tenant()?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        // Ids that cannot exist filter everything out, like unknown ones.
        let (grid, unit, maint) = (
            grid_id.0.as_deref().map(path_id).transpose(),
            org_unit_id.0.as_deref().map(path_id).transpose(),
            maintainer_id.0.as_deref().map(path_id).transpose(),
        );
        let impossible = grid.is_err() || unit.is_err() || maint.is_err();
        let who = auth.0;
        let (items, next_cursor) = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                if impossible {
                    return Ok((Vec::new(), None));
                }
                let vis = scope::visibility(tx, who.role, &who.user_id)?;
                let scope = match &vis {
                    Visibility::County => None,
                    Visibility::Nothing => return Ok((Vec::new(), None)),
                    Visibility::Subtree(p) => Some(ScopeFilter {
                        me: who.user_id.clone(),
                        path: p.clone(),
                        grid_ids: repo::relevant_grids(tx, p)?,
                    }),
                };
                let f = GroupFilter {
                    grid_id: grid.ok().flatten(),
                    org_unit_id: unit.ok().flatten(),
                    maintainer_id: maint.ok().flatten(),
                    active: active.0,
                    scope,
                };
                let rows = repo::list_groups(tx, &page, &f)?;
                let (rows, next) = page.finish(rows, |r| &r.id);
                Ok((rows.iter().map(group_view).collect(), next))
            })
            .await?;
        Ok(Json(QqGroupPage { items, next_cursor }))
    }

    /// 新建QQ群 / Create a QQ group for a grid or a region (county admin; branch staff for a group they keep)
    #[oai(path = "/qq-groups", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        body: JsonBody<CreateQqGroupRequest>,
        #[oai(name = "Idempotency-Key", validator(pattern = r"^[!-~]{1,200}$"))] idem: Header<
            Option<String>,
        >,
    ) -> AppResult<GroupCreated> {
        let tid = auth.0.tenant()?;
        let ev = crate::events::Emitter::of(&auth.0);
        auth.0.require(&[Role::CountyAdmin, Role::BranchStaff])?;
        let key = IdempotencyKey::parse(idem.0.as_deref())?;
        let req = body.0;
        let who = auth.0;
        if who.role == Role::BranchStaff && req.maintainer_id != who.user_id {
            return Err(AppError::forbidden());
        }
        let mut errs = Vec::new();
        let name = crate::org::model::parse_name("name", &req.name).gather(&mut errs);
        let number = req
            .group_number
            .as_deref()
            .map(|n| qq_arg("group_number", n))
            .gather(&mut errs);
        if req.grid_id.is_some() == req.org_unit_id.is_some() {
            errs.push(FieldError::new(
                "grid_id",
                "grid_or_unit_required",
                "grid_id / org_unit_id：须且只能指定所服务的网格或组织（区域）之一",
                "grid_id / org_unit_id: give exactly one of the grid or the org unit (region) served",
            ));
        }
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let name = name.unwrap_or_default();
        let req_hash = idempotency::request_hash("POST /qq-groups", &req);
        let (view, version, replayed) = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                if let Some(k) = &key
                    && let Some(stored) = idempotency::tenant_lookup(tx, &who.user_id, k, &req_hash)?
                {
                    return Ok((stored.into_body::<QqGroupView>()?, 1, true));
                }
                // A group serves a grid or unit within its creator's reach (a branch's staff
                // cannot open a group for another branch's region).
                let reach = LinkScope::of(tx, &who)?;
                if let Some(g) = &req.grid_id {
                    reach.check_grid(tx, g)?;
                }
                if let Some(u) = &req.org_unit_id {
                    reach.check_unit(tx, "org_unit_id", u)?;
                }
                check_maintainer(tx, &req.maintainer_id)?;
                let row = repo::insert_group(
                    tx,
                    &GroupValues {
                        name,
                        group_number: number.map(|n| n.as_str().to_owned()),
                        grid_id: req.grid_id.clone(),
                        org_unit_id: req.org_unit_id.clone(),
                        maintainer_id: req.maintainer_id.clone(),
                        active: true,
                    },
                )?;
                let changes = serde_json::json!({
                    "name": { "new": row.name },
                    "grid_id": { "new": row.grid_id },
                    "org_unit_id": { "new": row.org_unit_id },
                    "maintainer_id": { "new": row.maintainer_id },
                });
                repo::record_history(tx, &row.id, None, &who.user_id, "group.create", &changes)?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "qq_group.create",
                    "qq_group",
                    &row.id,
                    None,
                    serde_json::json!({ "grid_id": row.grid_id, "org_unit_id": row.org_unit_id, "maintainer_id": row.maintainer_id }),
                )?;
                let view = group_view(&row);
                if let Some(k) = &key {
                    idempotency::tenant_store(tx, &who.user_id, k, &req_hash, 201, &view)?;
                }
                Ok((view, row.version, false))
            })
            .await?;
        let location = format!("/api/v1/qq-groups/{}", view.id);
        ev.roster(&self.state, &view.id).await;
        Ok(GroupCreated::Created(
            Json(view),
            etag(version),
            location,
            replayed.then(|| "true".to_owned()),
        ))
    }

    /// 查看QQ群 / Get a QQ group
    #[oai(path = "/qq-groups/:id", method = "get")]
    async fn get(&self, auth: Auth, id: Path<String>) -> AppResult<GroupResponse> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let who = auth.0;
        let row = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| visible_group(tx, &who, &id))
            .await?;
        Ok(GroupResponse::Ok(Json(group_view(&row)), etag(row.version)))
    }

    /// 修改QQ群 / Rename a group, set its number or hand it to another maintainer (If-Match)
    #[oai(path = "/qq-groups/:id", method = "patch")]
    async fn update(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<UpdateQqGroupRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<GroupResponse> {
        let tid = auth.0.tenant()?;
        let ev = crate::events::Emitter::of(&auth.0);
        let id = path_id(&id.0)?;
        let expected = if_match(Some(&if_match_h.0))?;
        let b = body.0;
        let mut errs = Vec::new();
        let name = b
            .name
            .as_deref()
            .map(|n| crate::org::model::parse_name("name", n))
            .gather(&mut errs);
        let number = b
            .group_number
            .as_deref()
            .map(|n| qq_arg("group_number", n))
            .gather(&mut errs);
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let who = auth.0;
        let row = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let grp = visible_group(tx, &who, &id)?;
                may_edit(&who, &grp)?;
                if grp.version != expected {
                    return Err(AppError::precondition_failed().into());
                }
                let mut v = GroupValues::from_row(&grp);
                let mut changes = serde_json::Map::new();
                if let Some(n) = name.filter(|n| *n != grp.name) {
                    changes.insert(
                        "name".into(),
                        serde_json::json!({ "old": grp.name, "new": n }),
                    );
                    v.name = n;
                }
                if let Some(n) = number
                    .map(|n| n.as_str().to_owned())
                    .filter(|n| Some(n) != grp.group_number.as_ref())
                {
                    changes.insert(
                        "group_number".into(),
                        serde_json::json!({ "old": grp.group_number, "new": n }),
                    );
                    v.group_number = Some(n);
                }
                if let Some(m) = b.maintainer_id.filter(|m| *m != grp.maintainer_id) {
                    check_maintainer(tx, &m)?;
                    changes.insert(
                        "maintainer_id".into(),
                        serde_json::json!({ "old": grp.maintainer_id, "new": m }),
                    );
                    v.maintainer_id = m;
                }
                // Nothing to change: no new version, no history line.
                if changes.is_empty() {
                    return Ok(grp);
                }
                let row = repo::update_group(tx, &id, expected, &v)?;
                let changes = serde_json::Value::Object(changes);
                repo::record_history(tx, &id, None, &who.user_id, "group.update", &changes)?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "qq_group.update",
                    "qq_group",
                    &id,
                    None,
                    serde_json::json!({ "changed": changed_fields(&changes) }),
                )?;
                Ok(row)
            })
            .await?;
        ev.roster(&self.state, &row.id).await;
        Ok(GroupResponse::Ok(Json(group_view(&row)), etag(row.version)))
    }

    /// 停用QQ群 / Deactivate a QQ group (its roster and history stay)
    #[oai(path = "/qq-groups/:id/deactivate", method = "post")]
    async fn deactivate(
        &self,
        auth: Auth,
        id: Path<String>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<GroupResponse> {
        self.set_active(auth, id.0, if_match_h.0, false).await
    }

    /// 启用QQ群 / Reactivate a QQ group
    #[oai(path = "/qq-groups/:id/reactivate", method = "post")]
    async fn reactivate(
        &self,
        auth: Auth,
        id: Path<String>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<GroupResponse> {
        self.set_active(auth, id.0, if_match_h.0, true).await
    }
}

impl GroupsApi {
    async fn set_active(
        &self,
        auth: Auth,
        id: String,
        if_match_h: Option<String>,
        active: bool,
    ) -> AppResult<GroupResponse> {
        let tid = auth.0.tenant()?;
        let ev = crate::events::Emitter::of(&auth.0);
        let id = path_id(&id)?;
        let expected = if_match_h
            .as_deref()
            .map(|h| if_match(Some(h)))
            .transpose()?;
        let who = auth.0;
        let row = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let grp = visible_group(tx, &who, &id)?;
                may_edit(&who, &grp)?;
                if expected.is_some_and(|e| e != grp.version) {
                    return Err(AppError::precondition_failed().into());
                }
                if grp.active == active {
                    return Err(AppError::conflict(
                        "status_unchanged",
                        if active {
                            "该QQ群已是启用状态"
                        } else {
                            "该QQ群已停用"
                        },
                        if active {
                            "The group is already active"
                        } else {
                            "The group is already deactivated"
                        },
                    )
                    .into());
                }
                let mut v = GroupValues::from_row(&grp);
                v.active = active;
                let row = repo::update_group(tx, &id, grp.version, &v)?;
                let action = if active {
                    "group.reactivate"
                } else {
                    "group.deactivate"
                };
                let changes = serde_json::json!({ "active": { "old": !active, "new": active } });
                repo::record_history(tx, &id, None, &who.user_id, action, &changes)?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    &format!("qq_{action}"),
                    "qq_group",
                    &id,
                    None,
                    serde_json::json!({}),
                )?;
                Ok(row)
            })
            .await?;
        ev.roster(&self.state, &row.id).await;
        Ok(GroupResponse::Ok(Json(group_view(&row)), etag(row.version)))
    }
}
