//! /api/v1/org-units: the county's org tree. County admin and association committee see all of
//! it; other roles see the subtree of the unit they are bound to (nothing while unbound). Only
//! the county admin changes it.

use chrono::{DateTime, Utc};
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde::{Deserialize, Serialize};

use super::model::{OrgKind, parse_name};
use super::repo::{self, OrgUnitRow};
use super::scope::{self, Visibility};
use crate::AppState;
use crate::api::idempotency::{self, IdempotencyKey};
use crate::api::{JsonBody, PageRequest, etag, if_match, path_id};
use crate::auth::{Auth, Role};
use crate::db::Mode;
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult};

#[derive(Tags)]
enum ApiTags {
    /// 组织架构 / The county's org tree
    OrgUnits,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct OrgUnitView {
    pub id: String,
    pub kind: OrgKind,
    pub name: String,
    #[oai(skip_serializing_if_is_none)]
    pub parent_id: Option<String>,
    /// Ancestor ids from the root down, for breadcrumbs.
    pub ancestor_ids: Vec<String>,
    /// 0 for a root.
    pub depth: i32,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&OrgUnitRow> for OrgUnitView {
    fn from(r: &OrgUnitRow) -> Self {
        Self {
            id: r.id.clone(),
            kind: r.kind(),
            name: r.name.clone(),
            parent_id: r.parent_id.clone(),
            ancestor_ids: r.ancestor_ids(),
            depth: r.depth,
            active: r.active,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        }
    }
}

#[derive(Debug, Clone, Object)]
pub struct OrgUnitPage {
    pub items: Vec<OrgUnitView>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CreateOrgUnitRequest {
    pub kind: OrgKind,
    #[oai(validator(
        min_length = 2,
        max_length = 60,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    ))]
    pub name: String,
    /// Required for every kind but the roots (association committee, township, AIC office,
    /// and optionally market).
    pub parent_id: Option<String>,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct RenameOrgUnitRequest {
    #[oai(validator(
        min_length = 2,
        max_length = 60,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    ))]
    pub name: String,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct MoveOrgUnitRequest {
    /// The new parent; absent to make the unit a root (where its kind allows).
    pub parent_id: Option<String>,
}

#[derive(ApiResponse)]
pub enum OrgUnitResponse {
    #[oai(status = 200)]
    Ok(Json<OrgUnitView>, #[oai(header = "ETag")] String),
}

#[derive(ApiResponse)]
pub enum OrgUnitCreated {
    #[oai(status = 201)]
    Created(
        Json<OrgUnitView>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Location")] String,
        #[oai(header = "Idempotent-Replayed")] Option<String>,
    ),
}

pub struct OrgApi {
    pub state: AppState,
}

fn respond(r: &OrgUnitRow) -> OrgUnitResponse {
    OrgUnitResponse::Ok(Json(OrgUnitView::from(r)), etag(r.version))
}

/// A parent id from a body: not a UUID means it cannot exist.
fn parent_arg(p: Option<&str>) -> AppResult<Option<String>> {
    p.map(|p| {
        path_id(p).map_err(|_| {
            AppError::field(
                "parent_id",
                "parent_not_found",
                "parent_id：上级组织不存在",
                "parent_id: no such org unit",
            )
        })
    })
    .transpose()
}

#[OpenApi(tag = "ApiTags::OrgUnits")]
impl OrgApi {
    /// 组织列表 / List org units, optionally one subtree (`root`, included)
    #[oai(path = "/org-units", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        root: Query<Option<String>>,
        kind: Query<Option<OrgKind>>,
        active: Query<Option<bool>>,
        limit: Query<Option<crate::api::PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<OrgUnitPage>> {
        let tid = auth.0.tenant()?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let root = root.0.as_deref().map(path_id).transpose()?;
        let (p2, k, a) = (page.clone(), kind.0, active.0);
        let (role, uid) = (auth.0.role, auth.0.user_id.clone());
        let rows = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                let vis = scope::visibility(tx, role, &uid)?;
                // A root outside what the caller sees is as absent as another county's id.
                let root_path = match root {
                    Some(r) => Some(
                        repo::get(tx, &r)?
                            .filter(|u| vis.sees(u))
                            .ok_or_else(AppError::not_found)?
                            .path,
                    ),
                    None => match &vis {
                        Visibility::County => None,
                        Visibility::Subtree(p) => Some(p.clone()),
                        Visibility::Nothing => return Ok(Vec::new()),
                    },
                };
                repo::list(tx, &p2, root_path.as_deref(), k, a)
            })
            .await?;
        let (rows, next_cursor) = page.finish(rows, |r| &r.id);
        Ok(Json(OrgUnitPage {
            items: rows.iter().map(OrgUnitView::from).collect(),
            next_cursor,
        }))
    }

    /// 新建组织 / Create an org unit (county admin)
    #[oai(path = "/org-units", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        body: JsonBody<CreateOrgUnitRequest>,
        #[oai(name = "Idempotency-Key", validator(pattern = r"^[!-~]{1,200}$"))] idem: Header<
            Option<String>,
        >,
    ) -> AppResult<OrgUnitCreated> {
        let tid = auth.0.tenant()?;
        let audit_actor = crate::audit::Actor::of(&auth.0);
        auth.0.require(&[Role::CountyAdmin])?;
        let key = IdempotencyKey::parse(idem.0.as_deref())?;
        let req = body.0;
        let name = parse_name("name", &req.name).map_err(|f| AppError::validation(vec![f]))?;
        let parent = parent_arg(req.parent_id.as_deref())?;
        let actor = auth.0.user_id.clone();
        let req_hash = idempotency::request_hash("POST /org-units", &req);
        let (view, replayed) = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                if let Some(k) = &key
                    && let Some(stored) = idempotency::tenant_lookup(tx, &actor, k, &req_hash)?
                {
                    return Ok((stored.into_body::<OrgUnitView>()?, true));
                }
                let row = repo::create(tx, req.kind, &name, parent.as_deref())?;
                crate::audit::record(
                    tx,
                    &audit_actor,
                    "org_unit.create",
                    "org_unit",
                    &row.id,
                    None,
                    serde_json::json!({ "kind": req.kind.as_str(), "parent_id": row.parent_id }),
                )?;
                let view = OrgUnitView::from(&row);
                if let Some(k) = &key {
                    idempotency::tenant_store(tx, &actor, k, &req_hash, 201, &view)?;
                }
                Ok((view, false))
            })
            .await?;
        let location = format!("/api/v1/org-units/{}", view.id);
        Ok(OrgUnitCreated::Created(
            Json(view),
            etag(1),
            location,
            replayed.then(|| "true".to_owned()),
        ))
    }

    /// 查看组织 / Get an org unit
    #[oai(path = "/org-units/:id", method = "get")]
    async fn get(&self, auth: Auth, id: Path<String>) -> AppResult<OrgUnitResponse> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let (role, uid) = (auth.0.role, auth.0.user_id.clone());
        let row = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                let vis = scope::visibility(tx, role, &uid)?;
                Ok(repo::get(tx, &id)?.filter(|u| vis.sees(u)))
            })
            .await?;
        row.map(|r| respond(&r)).ok_or_else(AppError::not_found)
    }

    /// 组织改名 / Rename an org unit (county admin; If-Match required)
    #[oai(path = "/org-units/:id", method = "patch")]
    async fn rename(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<RenameOrgUnitRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<OrgUnitResponse> {
        let tid = auth.0.tenant()?;
        let audit_actor = crate::audit::Actor::of(&auth.0);
        auth.0.require(&[Role::CountyAdmin])?;
        let id = path_id(&id.0)?;
        let name = parse_name("name", &body.0.name).map_err(|f| AppError::validation(vec![f]))?;
        let expected = if_match(Some(&if_match_h.0))?;
        let row = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let row = repo::rename(tx, &id, expected, &name)?;
                crate::audit::record(
                    tx,
                    &audit_actor,
                    "org_unit.rename",
                    "org_unit",
                    &id,
                    None,
                    serde_json::json!({}),
                )?;
                Ok(row)
            })
            .await?;
        Ok(respond(&row))
    }

    /// 调整上级 / Move an org unit and its subtree under another parent (county admin)
    #[oai(path = "/org-units/:id/move", method = "post")]
    async fn move_unit(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<MoveOrgUnitRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<OrgUnitResponse> {
        let tid = auth.0.tenant()?;
        let audit_actor = crate::audit::Actor::of(&auth.0);
        auth.0.require(&[Role::CountyAdmin])?;
        let id = path_id(&id.0)?;
        let parent = parent_arg(body.0.parent_id.as_deref())?;
        let expected = if_match(Some(&if_match_h.0))?;
        let row = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let row = repo::move_to(tx, &id, expected, parent.as_deref())?;
                let details = serde_json::json!({ "parent_id": row.parent_id });
                crate::audit::record(
                    tx,
                    &audit_actor,
                    "org_unit.move",
                    "org_unit",
                    &id,
                    None,
                    details,
                )?;
                Ok(row)
            })
            .await?;
        Ok(respond(&row))
    }

    /// 停用组织 / Deactivate an org unit without active children (county admin)
    #[oai(path = "/org-units/:id/deactivate", method = "post")]
    async fn deactivate(
        &self,
        auth: Auth,
        id: Path<String>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<OrgUnitResponse> {
        self.set_active(auth, id.0, if_match_h.0, false).await
    }

    /// 启用组织 / Reactivate an org unit (county admin)
    #[oai(path = "/org-units/:id/reactivate", method = "post")]
    async fn reactivate(
        &self,
        auth: Auth,
        id: Path<String>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<OrgUnitResponse> {
        self.set_active(auth, id.0, if_match_h.0, true).await
    }
}

impl OrgApi {
    async fn set_active(
        &self,
        auth: Auth,
        id: String,
        if_match_h: Option<String>,
        active: bool,
    ) -> AppResult<OrgUnitResponse> {
        let tid = auth.0.tenant()?;
        let audit_actor = crate::audit::Actor::of(&auth.0);
        auth.0.require(&[Role::CountyAdmin])?;
        let id = path_id(&id)?;
        let expected = if_match_h
            .as_deref()
            .map(|h| if_match(Some(h)))
            .transpose()?;
        let row = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let row = repo::set_active(tx, &id, expected, active)?;
                let action = if active {
                    "org_unit.reactivate"
                } else {
                    "org_unit.deactivate"
                };
                crate::audit::record(
                    tx,
                    &audit_actor,
                    action,
                    "org_unit",
                    &id,
                    None,
                    serde_json::json!({}),
                )?;
                Ok(row)
            })
            .await?;
        Ok(respond(&row))
    }
}
