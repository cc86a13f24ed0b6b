//! /api/v1/grids. Grid definitions are structure, not personal data: every county role reads
//! them. The county admin, or the AIC office recorder bound to the grid's office, names a grid
//! and links its party branch; only the county admin decides which townships a grid serves.

use chrono::{DateTime, Utc};
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde::{Deserialize, Serialize};

use super::repo::{self, GridRow, PeriodRow};
use crate::AppState;
use crate::api::{JsonBody, PageRequest, etag, if_match, path_id};
use crate::audit::Actor;
use crate::auth::{Auth, Principal, Role};
use crate::db::{DbResult, Mode, TenantTx};
use crate::error::{AppError, AppResult};
use crate::org::scope;

#[derive(Tags)]
enum ApiTags {
    /// 管理区域网格 / Grids
    Grids,
}

#[derive(Debug, Clone, Object, Serialize)]
pub struct GridTownship {
    pub township_id: String,
    /// In this grid since.
    pub since: DateTime<Utc>,
}

#[derive(Debug, Clone, Object, Serialize)]
pub struct GridView {
    pub id: String,
    pub name: String,
    pub aic_office_id: String,
    #[oai(skip_serializing_if_is_none)]
    pub party_branch_id: Option<String>,
    /// The townships the grid serves now.
    pub townships: Vec<GridTownship>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Object, Serialize)]
pub struct GridPeriod {
    pub township_id: String,
    pub valid_from: DateTime<Utc>,
    /// Absent while the period is open.
    #[oai(skip_serializing_if_is_none)]
    pub valid_to: Option<DateTime<Utc>>,
    /// The user who recorded the change.
    pub recorded_by: String,
}

#[derive(Debug, Clone, Object)]
pub struct GridPage {
    pub items: Vec<GridView>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CreateGridRequest {
    #[oai(validator(
        min_length = 2,
        max_length = 60,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    ))]
    pub name: String,
    /// The AIC office whose service area this is (one grid per office).
    pub aic_office_id: String,
    /// The association-branch party branch linked with this grid.
    pub party_branch_id: Option<String>,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct UpdateGridRequest {
    #[oai(validator(
        min_length = 2,
        max_length = 60,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    ))]
    pub name: Option<String>,
    pub party_branch_id: Option<String>,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct AssignTownshipRequest {
    /// A township; if another grid serves it now, that period ends.
    pub township_id: String,
}

#[derive(ApiResponse)]
pub enum GridResponse {
    #[oai(status = 200)]
    Ok(Json<GridView>, #[oai(header = "ETag")] String),
    #[oai(status = 201)]
    Created(
        Json<GridView>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Location")] String,
    ),
}

pub struct GridApi {
    pub state: AppState,
}

fn view(tx: &mut TenantTx<'_>, g: &GridRow) -> DbResult<GridView> {
    let townships = repo::periods(tx, &g.id, false)?
        .into_iter()
        .map(|p| GridTownship {
            township_id: p.township_id,
            since: p.valid_from.and_utc(),
        })
        .collect();
    Ok(GridView {
        id: g.id.clone(),
        name: g.name.clone(),
        aic_office_id: g.aic_office_id.clone(),
        party_branch_id: g.party_branch_id.clone(),
        townships,
        created_at: g.created_at.and_utc(),
        updated_at: g.updated_at.and_utc(),
    })
}

fn period(p: PeriodRow) -> GridPeriod {
    GridPeriod {
        township_id: p.township_id,
        valid_from: p.valid_from.and_utc(),
        valid_to: p.valid_to.map(|t| t.and_utc()),
        recorded_by: p.recorded_by,
    }
}

/// The county admin, or an AIC recorder bound to (an ancestor of) the office. To a recorder,
/// another office's grid is one that does not exist: `hidden` is that answer (404 for a grid
/// named in the path, the body field's "no such unit" for a new grid's office).
fn may_edit(
    tx: &mut TenantTx<'_>,
    who: &Principal,
    office_id: &str,
    hidden: fn() -> AppError,
) -> DbResult<()> {
    match who.role {
        Role::CountyAdmin => Ok(()),
        Role::AicRecorder => {
            let vis = scope::visibility(tx, who.role, &who.user_id)?;
            let office = uuid::Uuid::try_parse(office_id)
                .ok()
                .map(|_| crate::org::repo::get(tx, office_id))
                .transpose()?
                .flatten();
            if office.is_some_and(|o| vis.sees(&o)) {
                Ok(())
            } else {
                Err(hidden().into())
            }
        }
        _ => Err(AppError::forbidden().into()),
    }
}

fn office_not_found() -> AppError {
    repo::unit_not_found("aic_office_id")
}

fn name_arg(n: &str) -> AppResult<String> {
    crate::org::model::parse_name("name", n).map_err(|f| AppError::validation(vec![f]))
}

#[OpenApi(tag = "ApiTags::Grids")]
impl GridApi {
    /// 网格列表 / List grids with their current townships
    #[oai(path = "/grids", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        limit: Query<Option<crate::api::PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<GridPage>> {
        let tid = auth.0.tenant()?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let (items, next_cursor) = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                let rows = repo::list(tx, &page)?;
                let (rows, next) = page.finish(rows, |g| &g.id);
                let items = rows
                    .iter()
                    .map(|g| view(tx, g))
                    .collect::<DbResult<Vec<_>>>()?;
                Ok((items, next))
            })
            .await?;
        Ok(Json(GridPage { items, next_cursor }))
    }

    /// 新建网格 / Create the grid of an AIC office
    #[oai(path = "/grids", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        body: JsonBody<CreateGridRequest>,
    ) -> AppResult<GridResponse> {
        let tid = auth.0.tenant()?;
        let ev = crate::events::Emitter::of(&auth.0);
        let b = body.0;
        let name = name_arg(&b.name)?;
        let who = auth.0;
        let (v, version) = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                may_edit(tx, &who, &b.aic_office_id, office_not_found)?;
                let g = repo::create(tx, &name, &b.aic_office_id, b.party_branch_id.as_deref())?;
                let details = serde_json::json!({ "aic_office_id": g.aic_office_id, "party_branch_id": g.party_branch_id });
                crate::audit::record(tx, &Actor::of(&who), "grid.create", "grid", &g.id, None, details)?;
                Ok((view(tx, &g)?, g.version))
            })
            .await?;
        let location = format!("/api/v1/grids/{}", v.id);
        ev.grid(&self.state, &v.id).await;
        Ok(GridResponse::Created(Json(v), etag(version), location))
    }

    /// 查看网格 / Get a grid
    #[oai(path = "/grids/:id", method = "get")]
    async fn get(&self, auth: Auth, id: Path<String>) -> AppResult<GridResponse> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let (v, version) = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                let g = repo::get(tx, &id)?.ok_or_else(AppError::not_found)?;
                Ok((view(tx, &g)?, g.version))
            })
            .await?;
        Ok(GridResponse::Ok(Json(v), etag(version)))
    }

    /// 修改网格 / Rename a grid or re-link its party branch (If-Match required)
    #[oai(path = "/grids/:id", method = "patch")]
    async fn update(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<UpdateGridRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<GridResponse> {
        let tid = auth.0.tenant()?;
        let ev = crate::events::Emitter::of(&auth.0);
        let id = path_id(&id.0)?;
        let b = body.0;
        let name = b.name.as_deref().map(name_arg).transpose()?;
        let expected = if_match(Some(&if_match_h.0))?;
        // Roles that edit no grid are refused before the lookup, alike for every id.
        auth.0.require(&[Role::CountyAdmin, Role::AicRecorder])?;
        let who = auth.0;
        let (v, version) = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let g = repo::get(tx, &id)?.ok_or_else(AppError::not_found)?;
                may_edit(tx, &who, &g.aic_office_id, AppError::not_found)?;
                let g = repo::update(
                    tx,
                    &id,
                    expected,
                    name.as_deref(),
                    b.party_branch_id.as_deref(),
                )?;
                let details = serde_json::json!({ "party_branch_id": g.party_branch_id });
                crate::audit::record(
                    tx,
                    &Actor::of(&who),
                    "grid.update",
                    "grid",
                    &id,
                    None,
                    details,
                )?;
                Ok((view(tx, &g)?, g.version))
            })
            .await?;
        ev.grid(&self.state, &v.id).await;
        Ok(GridResponse::Ok(Json(v), etag(version)))
    }

    /// 网格增加乡镇 / Put a township into the grid (county admin; ends its period in any other grid)
    #[oai(path = "/grids/:id/townships", method = "post")]
    async fn assign(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<AssignTownshipRequest>,
    ) -> AppResult<GridResponse> {
        self.change(auth, id.0, body.0.township_id, true).await
    }

    /// 网格移出乡镇 / Take a township out of the grid (county admin)
    #[oai(path = "/grids/:id/townships/:township_id", method = "delete")]
    async fn unassign(
        &self,
        auth: Auth,
        id: Path<String>,
        township_id: Path<String>,
    ) -> AppResult<GridResponse> {
        self.change(auth, id.0, township_id.0, false).await
    }

    /// 网格历史 / Every township period of the grid, oldest first
    #[oai(path = "/grids/:id/history", method = "get")]
    async fn history(&self, auth: Auth, id: Path<String>) -> AppResult<Json<Vec<GridPeriod>>> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let rows = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                repo::get(tx, &id)?.ok_or_else(AppError::not_found)?;
                repo::periods(tx, &id, true)
            })
            .await?;
        Ok(Json(rows.into_iter().map(period).collect()))
    }
}

impl GridApi {
    async fn change(
        &self,
        auth: Auth,
        id: String,
        township: String,
        add: bool,
    ) -> AppResult<GridResponse> {
        let tid = auth.0.tenant()?;
        // Which townships an office serves is the county's decision, not the office's: a
        // recorder who could add a township would widen its own reach (docs/spec-vs-seeds.md).
        auth.0.require(&[Role::CountyAdmin])?;
        let ev = crate::events::Emitter::of(&auth.0);
        let id = path_id(&id)?;
        let who = auth.0;
        let (v, version) = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                repo::get(tx, &id)?.ok_or_else(AppError::not_found)?;
                if add {
                    repo::assign(tx, &id, &township, &who.user_id)?;
                    let details = serde_json::json!({ "township_id": township });
                    crate::audit::record(
                        tx,
                        &Actor::of(&who),
                        "grid.assign_township",
                        "grid",
                        &id,
                        None,
                        details,
                    )?;
                } else {
                    let township = path_id(&township)?;
                    repo::unassign(tx, &id, &township)?;
                    let details = serde_json::json!({ "township_id": township });
                    crate::audit::record(
                        tx,
                        &Actor::of(&who),
                        "grid.remove_township",
                        "grid",
                        &id,
                        None,
                        details,
                    )?;
                }
                let g = repo::get(tx, &id)?.ok_or_else(AppError::not_found)?;
                Ok((view(tx, &g)?, g.version))
            })
            .await?;
        ev.grid(&self.state, &v.id).await;
        Ok(GridResponse::Ok(Json(v), etag(version)))
    }
}
