//! /api/v1/import-mappings: a county admin saves how the county's own sheets map (headers to
//! fields, organisation names to units), adjusts it, and names it on `POST /members/import`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde::Deserialize;

use super::mapping::{self, Mapping, MappingRow, OrgTarget};
use super::orgs::Units;
use crate::AppState;
use crate::api::{JsonBody, etag, if_match, path_id};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Role};
use crate::db::{DbResult, Mode, TenantTx};
use crate::error::{AppError, AppResult, FieldError};

#[derive(Tags)]
enum ApiTags {
    /// 表格导入与导出 / Spreadsheet import and export
    Spreadsheets,
}

/// A mapping to save, or to save over the old one.
#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct MappingRequest {
    /// A name staff recognise, e.g. 县个民协会党员名册 (1–50 characters, unique in the county).
    #[oai(validator(min_length = 1, max_length = 50))]
    pub name: String,
    /// Header as written → the field it fills (`phone`, or the template's 手机号码), or
    /// `ignore`. At most 256. Absent: none.
    #[oai(default)]
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// Organisation name as written → an existing unit, or a village to create under a
    /// township. At most 2,000. Absent: none.
    #[oai(default)]
    #[serde(default)]
    pub org_names: BTreeMap<String, OrgTarget>,
}

#[derive(Debug, Clone, Object)]
pub struct MappingView {
    pub id: String,
    pub name: String,
    pub columns: BTreeMap<String, String>,
    pub org_names: BTreeMap<String, OrgTarget>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Object)]
pub struct MappingList {
    pub items: Vec<MappingView>,
}

#[derive(ApiResponse)]
pub enum MappingResponse {
    #[oai(status = 200)]
    Ok(Json<MappingView>, #[oai(header = "ETag")] String),
    #[oai(status = 201)]
    Created(
        Json<MappingView>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Location")] String,
    ),
}

#[derive(ApiResponse)]
pub enum Deleted {
    #[oai(status = 204)]
    NoContent,
}

fn view(r: &MappingRow) -> MappingView {
    let m = r.mapping();
    MappingView {
        id: r.id.clone(),
        name: r.name.clone(),
        columns: m.columns,
        org_names: m.org_names,
        version: r.version,
        updated_at: r.updated_at.and_utc(),
    }
}

/// The request as a mapping, its shape checked before the database is touched.
fn parse(b: MappingRequest) -> Result<(String, Mapping), AppError> {
    let name = b.name.trim().to_owned();
    let m = Mapping {
        columns: b.columns,
        org_names: b.org_names,
    };
    let mut errs = m.check_shape();
    // JsonBody reads with serde, so the documented length is checked here.
    if name.is_empty() || b.name.chars().count() > 50 {
        errs.push(FieldError::new(
            "name",
            "invalid_length",
            "name：名称须为1到50个字",
            "name: 1 to 50 characters",
        ));
    }
    if errs.is_empty() {
        Ok((name, m))
    } else {
        Err(AppError::validation(errs))
    }
}

/// Every unit and township the mapping names is the county's own, active, of a fitting kind.
fn check_units(tx: &mut TenantTx<'_>, m: &Mapping) -> DbResult<()> {
    let errs = m.check_units(&Units::load(tx)?);
    if errs.is_empty() {
        Ok(())
    } else {
        Err(AppError::validation(errs).into())
    }
}

pub struct ImportMappingsApi {
    pub state: AppState,
}

#[OpenApi(tag = "ApiTags::Spreadsheets")]
impl ImportMappingsApi {
    /// 保存导入对应关系 / Save a mapping of the county's own headers and organisation names
    #[oai(path = "/import-mappings", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        body: JsonBody<MappingRequest>,
    ) -> AppResult<MappingResponse> {
        let tid = auth.0.tenant()?;
        auth.0.require(&[Role::CountyAdmin])?;
        let (name, m) = parse(body.0)?;
        let who = auth.0;
        let row = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                check_units(tx, &m)?;
                let row = mapping::insert(tx, &name, &m, &who.user_id)?;
                let details = serde_json::json!({ "columns": m.columns.len(), "org_names": m.org_names.len() });
                audit::record(tx, &Actor::of(&who), "import_mapping.create", "import_mapping", &row.id, None, details)?;
                Ok(row)
            })
            .await?;
        let location = format!("/api/v1/import-mappings/{}", row.id);
        Ok(MappingResponse::Created(
            Json(view(&row)),
            etag(row.version),
            location,
        ))
    }

    /// 导入对应关系列表 / The county's saved mappings
    #[oai(path = "/import-mappings", method = "get")]
    async fn list(&self, auth: Auth) -> AppResult<Json<MappingList>> {
        let tid = auth.0.tenant()?;
        auth.0.require(&[Role::CountyAdmin])?;
        let rows = self.state.db.tenant(tid, Mode::Read, mapping::list).await?;
        Ok(Json(MappingList {
            items: rows.iter().map(view).collect(),
        }))
    }

    /// 查看导入对应关系 / Get a saved mapping
    #[oai(path = "/import-mappings/:id", method = "get")]
    async fn get(&self, auth: Auth, id: Path<String>) -> AppResult<MappingResponse> {
        let tid = auth.0.tenant()?;
        auth.0.require(&[Role::CountyAdmin])?;
        let id = path_id(&id.0)?;
        let row = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| mapping::get(tx, &id))
            .await?
            .ok_or_else(AppError::not_found)?;
        Ok(MappingResponse::Ok(Json(view(&row)), etag(row.version)))
    }

    /// 修改导入对应关系 / Replace a saved mapping (If-Match)
    #[oai(path = "/import-mappings/:id", method = "put")]
    async fn update(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<MappingRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<MappingResponse> {
        let tid = auth.0.tenant()?;
        auth.0.require(&[Role::CountyAdmin])?;
        let id = path_id(&id.0)?;
        let expected = if_match(Some(&if_match_h.0))?;
        let (name, m) = parse(body.0)?;
        let who = auth.0;
        let row = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                mapping::get(tx, &id)?.ok_or_else(AppError::not_found)?;
                check_units(tx, &m)?;
                let row = mapping::update(tx, &id, expected, &name, &m, &who.user_id)?;
                let details = serde_json::json!({ "columns": m.columns.len(), "org_names": m.org_names.len() });
                audit::record(tx, &Actor::of(&who), "import_mapping.update", "import_mapping", &row.id, None, details)?;
                Ok(row)
            })
            .await?;
        Ok(MappingResponse::Ok(Json(view(&row)), etag(row.version)))
    }

    /// 删除导入对应关系 / Delete a saved mapping
    #[oai(path = "/import-mappings/:id", method = "delete")]
    async fn delete(&self, auth: Auth, id: Path<String>) -> AppResult<Deleted> {
        let tid = auth.0.tenant()?;
        auth.0.require(&[Role::CountyAdmin])?;
        let id = path_id(&id.0)?;
        let who = auth.0;
        self.state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                if !mapping::delete(tx, &id)? {
                    return Err(AppError::not_found().into());
                }
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "import_mapping.delete",
                    "import_mapping",
                    &id,
                    None,
                    serde_json::json!({}),
                )?;
                Ok(())
            })
            .await?;
        Ok(Deleted::NoContent)
    }
}
