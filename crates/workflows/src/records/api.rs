//! /api/v1/record-catalogue and /api/v1/records: the county's catalogue of performance-record
//! items (the county admin edits it) and the records (only each category's recorder writes).

use chrono::{DateTime, NaiveDate, Utc};
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde::{Deserialize, Serialize};

use super::model::{self, Category, may_record};
use super::repo::{self, Item, RecordRow, RecordValues};
use super::scope::{may_read_member, member_in_scope, pick_unit, recorder_units};
use crate::AppState;
use crate::api::idempotency::{self, IdempotencyKey};
use crate::api::{JsonBody, PageRequest, etag, if_match, path_id};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Principal, Role};
use crate::db::{DbResult, Mode, TenantTx};
use crate::deadlines::Period;
use crate::error::{AppError, AppResult, FieldError, Gather};
use crate::filing::repo as filings;
use crate::members::repo::MemberRow;
use crate::org::repo::OrgUnitRow;
use crate::org::scope::{self, Visibility};
use crate::users::signin::NoContent;

#[derive(Tags)]
enum ApiTags {
    /// 日常表现记实 / Performance records
    Records,
}

pub struct RecordsApi {
    pub state: AppState,
}

// ---- views and requests ----

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct CatalogueItemView {
    /// Stable code, e.g. `B01`.
    pub code: String,
    pub category: Category,
    /// The current name.
    pub name: String,
    #[oai(skip_serializing_if_is_none)]
    pub description: Option<String>,
    /// The catalogue version new records are written against.
    pub version: i32,
    /// Retired items take no new records; old records keep them.
    pub retired: bool,
    pub position: i32,
}

impl From<&Item> for CatalogueItemView {
    fn from(i: &Item) -> Self {
        Self {
            code: i.code.clone(),
            category: i.category,
            name: i.name.clone(),
            description: i.description.clone(),
            version: i.current_version,
            retired: i.retired,
            position: i.position,
        }
    }
}

#[derive(Debug, Clone, Object)]
pub struct CatalogueCategory {
    pub category: Category,
    /// 类别名称
    pub label: String,
    pub label_en: String,
    /// The only role that records this category.
    pub recorder_role: Role,
    pub items: Vec<CatalogueItemView>,
}

#[derive(Debug, Clone, Object)]
pub struct Catalogue {
    pub categories: Vec<CatalogueCategory>,
}

#[derive(Debug, Clone, Object)]
pub struct CatalogueVersion {
    pub version: i32,
    pub name: String,
    #[oai(skip_serializing_if_is_none)]
    pub description: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct AddItemRequest {
    pub category: Category,
    #[oai(validator(max_length = 30))]
    pub name: String,
    #[oai(validator(max_length = 200))]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ReviseItemRequest {
    /// A new name makes a new catalogue version; records keep the version they were written
    /// against.
    #[oai(validator(max_length = 30))]
    pub name: Option<String>,
    #[oai(validator(max_length = 200))]
    pub description: Option<String>,
}

#[derive(ApiResponse)]
pub enum ItemResponse {
    #[oai(status = 200)]
    Ok(Json<CatalogueItemView>, #[oai(header = "ETag")] String),
    #[oai(status = 201)]
    Created(
        Json<CatalogueItemView>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Location")] String,
    ),
}

/// One performance record.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct RecordView {
    pub id: String,
    pub member_id: String,
    pub member_name: String,
    pub category: Category,
    /// 类别名称
    pub category_label: String,
    pub item_code: String,
    /// The catalogue version the record was written against …
    pub item_version: i32,
    /// … and that version's name (a later rename does not change it).
    pub item_name: String,
    /// The day recorded for.
    pub recorded_on: NaiveDate,
    /// The quarter it belongs to, e.g. `2026Q3`.
    pub quarter: String,
    pub content: String,
    #[oai(skip_serializing_if_is_none)]
    pub score: Option<i32>,
    pub recording_unit_id: String,
    pub recording_unit_name: String,
    pub recorded_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Object)]
pub struct RecordPage {
    pub items: Vec<RecordView>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CreateRecordRequest {
    pub member_id: String,
    /// A catalogue item's code; its category decides who may record it.
    #[oai(validator(max_length = 10))]
    pub item_code: String,
    /// Default today; never in the future.
    pub recorded_on: Option<NaiveDate>,
    #[oai(validator(max_length = 1000))]
    pub content: String,
    /// Optional points, −100 to 100 (negative for deductions).
    pub score: Option<i32>,
    /// Which of your recording units records it; needed only when you act for several
    /// party branches.
    pub recording_unit_id: Option<String>,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct UpdateRecordRequest {
    /// Another item of a category you record (written against its current version).
    #[oai(validator(max_length = 10))]
    pub item_code: Option<String>,
    pub recorded_on: Option<NaiveDate>,
    #[oai(validator(max_length = 1000))]
    pub content: Option<String>,
    pub score: Option<i32>,
    /// Removes the score.
    pub clear_score: Option<bool>,
}

#[derive(ApiResponse)]
pub enum RecordResponse {
    #[oai(status = 200)]
    Ok(Json<RecordView>, #[oai(header = "ETag")] String),
}

#[derive(ApiResponse)]
pub enum RecordCreated {
    #[oai(status = 201)]
    Created(
        Json<RecordView>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Location")] String,
        #[oai(header = "Idempotent-Replayed")] Option<String>,
    ),
}

// ---- rules at the edge ----

/// What the caller sees and the recording units they act for, read once per request.
pub struct Caller {
    pub principal: Principal,
    pub vis: Visibility,
    pub units: Vec<OrgUnitRow>,
}

impl Caller {
    pub fn load(tx: &mut TenantTx<'_>, p: Principal) -> DbResult<Caller> {
        let vis = scope::visibility(tx, p.role, &p.user_id)?;
        let units = recorder_units(tx, p.role, &p.user_id)?;
        Ok(Caller {
            principal: p,
            vis,
            units,
        })
    }

    pub fn acts_for(&self, unit_id: &str) -> bool {
        self.units.iter().any(|u| u.id == unit_id)
    }

    /// Whether the caller sees a unit: in their subtree, or one they record for.
    pub fn sees_unit(&self, unit: &OrgUnitRow) -> bool {
        self.vis.sees(unit) || self.acts_for(&unit.id)
    }
}

fn not_responsible(role: Role, category: Category) -> AppError {
    AppError::new(
        poem::http::StatusCode::FORBIDDEN,
        "not_responsible_recorder",
        format!(
            "“{}”类信息只能由{}记录，{}无权记录",
            category.label_zh(),
            category.recorder().label_zh(),
            role.label_zh()
        ),
        format!(
            "{} records are written by the {} only",
            category.label_en(),
            category.recorder().as_str()
        ),
    )
}

fn not_recording_unit() -> AppError {
    AppError::new(
        poem::http::StatusCode::FORBIDDEN,
        "not_recording_unit",
        "只有记录该条记实的单位可以修改或删除",
        "Only the unit that wrote the record may change or delete it",
    )
}

fn period_filed(p: Period) -> AppError {
    AppError::conflict(
        "period_filed",
        format!(
            "{}的记实已报送上级党委备案，不能再新增、修改或删除",
            super::super::filing::model::quarter_label(p)
        ),
        format!("The records of {p} have been filed with the upper committee; they are closed"),
    )
}

fn member_not_found() -> AppError {
    AppError::field(
        "member_id",
        "member_not_found",
        "member_id：党员不存在",
        "member_id: no such member",
    )
}

fn item_code(s: &str) -> Option<String> {
    let s = s.trim();
    let ok = (2..=4).contains(&s.len())
        && s.as_bytes()[0].is_ascii_uppercase()
        && s.as_bytes()[1..].iter().all(u8::is_ascii_digit);
    ok.then(|| s.to_owned())
}

/// A catalogue item named in a body: it exists and takes new records.
fn live_item(tx: &mut TenantTx<'_>, code: &str) -> DbResult<Item> {
    let found = match item_code(code) {
        Some(c) => repo::item(tx, &c)?,
        None => None,
    };
    match found {
        Some(i) if !i.retired => Ok(i),
        Some(_) => Err(AppError::field(
            "item_code",
            "item_retired",
            "item_code：该记实项目已停用",
            "item_code: the item is retired",
        )
        .into()),
        None => Err(AppError::field(
            "item_code",
            "item_not_found",
            "item_code：记实项目不存在",
            "item_code: no such catalogue item",
        )
        .into()),
    }
}

fn member_by_id(tx: &mut TenantTx<'_>, id: &str) -> DbResult<Option<MemberRow>> {
    match uuid::Uuid::try_parse(id) {
        Ok(u) => crate::members::repo::get(tx, &u.hyphenated().to_string()),
        Err(_) => Ok(None),
    }
}

pub fn view(tx: &mut TenantTx<'_>, r: &RecordRow) -> DbResult<RecordView> {
    let names = repo::version_names(tx, &[(r.item_code.clone(), r.item_version)])?;
    let member_name = crate::members::repo::get(tx, &r.member_id)?
        .map(|m| m.name)
        .unwrap_or_default();
    let unit_name = crate::org::repo::get(tx, &r.recording_unit_id)?
        .map(|u| u.name)
        .unwrap_or_default();
    Ok(view_with(r, &names, member_name, unit_name))
}

fn view_with(
    r: &RecordRow,
    names: &std::collections::HashMap<(String, i32), String>,
    member_name: String,
    recording_unit_name: String,
) -> RecordView {
    let category = r.category();
    RecordView {
        id: r.id.clone(),
        member_id: r.member_id.clone(),
        member_name,
        category,
        category_label: category.label_zh().to_owned(),
        item_code: r.item_code.clone(),
        item_version: r.item_version,
        item_name: names
            .get(&(r.item_code.clone(), r.item_version))
            .cloned()
            .unwrap_or_default(),
        recorded_on: r.recorded_on,
        quarter: Period::quarter_of(r.recorded_on).to_string(),
        content: r.content.clone(),
        score: r.score,
        recording_unit_id: r.recording_unit_id.clone(),
        recording_unit_name,
        recorded_by: r.recorded_by.clone(),
        created_at: r.created_at.and_utc(),
        updated_at: r.updated_at.and_utc(),
    }
}

/// Views of a page of records with one lookup per kind of name.
fn views(tx: &mut TenantTx<'_>, rows: &[RecordRow]) -> DbResult<Vec<RecordView>> {
    use std::collections::HashMap;
    let wanted: Vec<(String, i32)> = rows
        .iter()
        .map(|r| (r.item_code.clone(), r.item_version))
        .collect();
    let names = repo::version_names(tx, &wanted)?;
    let mut members: HashMap<String, String> = HashMap::new();
    let mut units: HashMap<String, String> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        if !members.contains_key(&r.member_id) {
            let n = crate::members::repo::get(tx, &r.member_id)?
                .map(|m| m.name)
                .unwrap_or_default();
            members.insert(r.member_id.clone(), n);
        }
        if !units.contains_key(&r.recording_unit_id) {
            let n = crate::org::repo::get(tx, &r.recording_unit_id)?
                .map(|u| u.name)
                .unwrap_or_default();
            units.insert(r.recording_unit_id.clone(), n);
        }
        out.push(view_with(
            r,
            &names,
            members[&r.member_id].clone(),
            units[&r.recording_unit_id].clone(),
        ));
    }
    Ok(out)
}

/// The record at `id` if the caller may read it (404 otherwise, like another county's).
fn readable(tx: &mut TenantTx<'_>, c: &Caller, id: &str) -> DbResult<RecordRow> {
    let r = repo::get(tx, id)?.ok_or_else(AppError::not_found)?;
    if c.acts_for(&r.recording_unit_id) {
        return Ok(r);
    }
    let m = crate::members::repo::get(tx, &r.member_id)?.ok_or_else(AppError::not_found)?;
    if may_read_member(tx, &c.vis, &c.units, &m)? {
        Ok(r)
    } else {
        Err(AppError::not_found().into())
    }
}

/// The record at `id` if the caller's unit wrote it and its quarter is open.
fn writable(tx: &mut TenantTx<'_>, c: &Caller, id: &str) -> DbResult<RecordRow> {
    let r = readable(tx, c, id)?;
    if !c.acts_for(&r.recording_unit_id) || !may_record(c.principal.role, r.category()) {
        return Err(not_recording_unit().into());
    }
    let p = Period::quarter_of(r.recorded_on);
    if filings::is_filed(tx, &r.recording_unit_id, p)? {
        return Err(period_filed(p).into());
    }
    Ok(r)
}

fn may_edit_catalogue(p: &Principal) -> AppResult<()> {
    p.require(&[Role::CountyAdmin])
}

fn catalogue_code(code: &str) -> AppResult<String> {
    item_code(code).ok_or_else(AppError::not_found)
}

fn catalogue(items: &[Item], include_retired: bool) -> Catalogue {
    Catalogue {
        categories: Category::ALL
            .iter()
            .map(|c| CatalogueCategory {
                category: *c,
                label: c.label_zh().to_owned(),
                label_en: c.label_en().to_owned(),
                recorder_role: c.recorder(),
                items: items
                    .iter()
                    .filter(|i| i.category == *c && (include_retired || !i.retired))
                    .map(CatalogueItemView::from)
                    .collect(),
            })
            .collect(),
    }
}

fn parse_category(s: Option<String>) -> AppResult<Option<Category>> {
    s.map(|s| {
        Category::parse(&s).ok_or_else(|| {
            AppError::field(
                "category",
                "invalid_category",
                "category：记实类别无效",
                "category: not a record category",
            )
        })
    })
    .transpose()
}

fn parse_date(field: &str, s: Option<String>) -> Result<Option<NaiveDate>, FieldError> {
    s.map(|s| crate::api::parse_date(field, &s)).transpose()
}

#[OpenApi(tag = "ApiTags::Records")]
impl RecordsApi {
    /// 记实内容目录 / The county's catalogue of record items (4 categories)
    #[oai(path = "/record-catalogue", method = "get")]
    async fn catalogue(
        &self,
        auth: Auth,
        /// Include retired items (default false).
        include_retired: Query<Option<bool>>,
    ) -> AppResult<Json<Catalogue>> {
        let tid = auth.0.tenant()?;
        let all = include_retired.0.unwrap_or(false);
        let items = self.state.db.tenant(tid, Mode::Read, repo::items).await?;
        Ok(Json(catalogue(&items, all)))
    }

    /// 新增记实项目 / Add a catalogue item (county admin)
    #[oai(path = "/record-catalogue/items", method = "post")]
    async fn add_item(
        &self,
        auth: Auth,
        body: JsonBody<AddItemRequest>,
    ) -> AppResult<ItemResponse> {
        let tid = auth.0.tenant()?;
        may_edit_catalogue(&auth.0)?;
        let b = body.0;
        let mut errs = vec![];
        let name = model::check_text("name", &b.name, model::NAME_MAX, false).gather(&mut errs);
        let description = b
            .description
            .as_deref()
            .map(|d| model::check_text("description", d, model::DESCRIPTION_MAX, false))
            .gather(&mut errs);
        let Some(name) = name.filter(|_| errs.is_empty()) else {
            return Err(AppError::validation(errs));
        };
        let who = auth.0;
        let item = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let item = repo::add(tx, b.category, &name, description.as_deref(), &who.user_id)?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "record_catalogue.add",
                    "record_catalogue_item",
                    &item.code,
                    None,
                    serde_json::json!({ "category": item.category.as_str(), "name": item.name }),
                )?;
                Ok(item)
            })
            .await?;
        let location = format!("/api/v1/record-catalogue/items/{}", item.code);
        Ok(ItemResponse::Created(
            Json(CatalogueItemView::from(&item)),
            etag(item.etag),
            location,
        ))
    }

    /// 查看记实项目 / Get a catalogue item
    #[oai(path = "/record-catalogue/items/:code", method = "get")]
    async fn get_item(&self, auth: Auth, code: Path<String>) -> AppResult<ItemResponse> {
        let tid = auth.0.tenant()?;
        let code = catalogue_code(&code.0)?;
        let item = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                repo::item(tx, &code)?.ok_or_else(|| AppError::not_found().into())
            })
            .await?;
        Ok(ItemResponse::Ok(
            Json(CatalogueItemView::from(&item)),
            etag(item.etag),
        ))
    }

    /// 修改记实项目名称或说明（新版本）/ Rename or re-describe an item: a new version (county admin, If-Match)
    #[oai(path = "/record-catalogue/items/:code", method = "patch")]
    async fn revise_item(
        &self,
        auth: Auth,
        code: Path<String>,
        body: JsonBody<ReviseItemRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<ItemResponse> {
        let tid = auth.0.tenant()?;
        may_edit_catalogue(&auth.0)?;
        let code = catalogue_code(&code.0)?;
        let expected = if_match(Some(&if_match_h.0))?;
        let b = body.0;
        let mut errs = vec![];
        let name = b
            .name
            .as_deref()
            .map(|n| model::check_text("name", n, model::NAME_MAX, false))
            .gather(&mut errs);
        let description = b
            .description
            .as_deref()
            .map(|d| model::check_text("description", d, model::DESCRIPTION_MAX, false))
            .gather(&mut errs);
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let who = auth.0;
        let item = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let before = repo::item(tx, &code)?;
                let item = repo::revise(
                    tx,
                    &code,
                    expected,
                    name.as_deref(),
                    description.as_deref(),
                    &who.user_id,
                )?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "record_catalogue.revise",
                    "record_catalogue_item",
                    &code,
                    None,
                    serde_json::json!({
                        "from_name": before.map(|b| b.name), "to_name": item.name,
                        "version": item.current_version,
                    }),
                )?;
                Ok(item)
            })
            .await?;
        Ok(ItemResponse::Ok(
            Json(CatalogueItemView::from(&item)),
            etag(item.etag),
        ))
    }

    /// 停用记实项目 / Retire an item: no new records, old ones keep it (county admin, If-Match)
    #[oai(path = "/record-catalogue/items/:code/retire", method = "post")]
    async fn retire_item(
        &self,
        auth: Auth,
        code: Path<String>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<ItemResponse> {
        self.set_retired(auth, code, if_match_h, true).await
    }

    /// 恢复记实项目 / Restore a retired item (county admin, If-Match)
    #[oai(path = "/record-catalogue/items/:code/restore", method = "post")]
    async fn restore_item(
        &self,
        auth: Auth,
        code: Path<String>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<ItemResponse> {
        self.set_retired(auth, code, if_match_h, false).await
    }

    /// 删除未使用的记实项目 / Delete an item no record uses (county admin, If-Match; 409 `item_in_use` otherwise)
    #[oai(path = "/record-catalogue/items/:code", method = "delete")]
    async fn delete_item(
        &self,
        auth: Auth,
        code: Path<String>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<NoContent> {
        let tid = auth.0.tenant()?;
        may_edit_catalogue(&auth.0)?;
        let code = catalogue_code(&code.0)?;
        let expected = if_match(Some(&if_match_h.0))?;
        let who = auth.0;
        self.state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                repo::delete_item(tx, &code, expected)?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "record_catalogue.delete",
                    "record_catalogue_item",
                    &code,
                    None,
                    serde_json::json!({}),
                )
            })
            .await?;
        Ok(NoContent::Done)
    }

    /// 记实项目的历史版本 / Every version of an item
    #[oai(path = "/record-catalogue/items/:code/versions", method = "get")]
    async fn item_versions(
        &self,
        auth: Auth,
        code: Path<String>,
    ) -> AppResult<Json<Vec<CatalogueVersion>>> {
        let tid = auth.0.tenant()?;
        let code = catalogue_code(&code.0)?;
        let out = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                let item = repo::item(tx, &code)?.ok_or_else(AppError::not_found)?;
                let rows = repo::versions(tx, &code)?;
                if rows.is_empty() {
                    // The shipped default, not yet copied into the county's rows.
                    return Ok(vec![CatalogueVersion {
                        version: 1,
                        name: item.name,
                        description: item.description,
                        created_by: "default".to_owned(),
                        created_at: DateTime::<Utc>::UNIX_EPOCH,
                    }]);
                }
                Ok(rows
                    .into_iter()
                    .map(|v| CatalogueVersion {
                        version: v.version,
                        name: v.name,
                        description: v.description,
                        created_by: v.created_by,
                        created_at: v.created_at.and_utc(),
                    })
                    .collect())
            })
            .await?;
        Ok(Json(out))
    }

    /// 新增记实 / Write a record (only the category's recorder, for members of their unit)
    #[oai(path = "/records", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        body: JsonBody<CreateRecordRequest>,
        #[oai(name = "Idempotency-Key", validator(pattern = r"^[!-~]{1,200}$"))] idem: Header<
            Option<String>,
        >,
    ) -> AppResult<RecordCreated> {
        let tid = auth.0.tenant()?;
        let key = IdempotencyKey::parse(idem.0.as_deref())?;
        let b = body.0;
        let req_hash = idempotency::request_hash("POST /records", &b);
        let today = crate::clock::today();
        let mut errs = vec![];
        let content =
            model::check_text("content", &b.content, model::CONTENT_MAX, true).gather(&mut errs);
        let score = b.score.map(model::check_score).gather(&mut errs);
        let recorded_on =
            model::check_recorded_on(b.recorded_on.unwrap_or(today), today).gather(&mut errs);
        let (Some(content), Some(recorded_on)) = (content, recorded_on) else {
            return Err(AppError::validation(errs));
        };
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let who = auth.0;
        let (view, version, replayed) = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                if let Some(k) = &key
                    && let Some(stored) =
                        idempotency::tenant_lookup(tx, &who.user_id, k, &req_hash)?
                {
                    let v = stored.into_body::<RecordView>()?;
                    let version = repo::get(tx, &v.id)?.map_or(1, |r| r.version);
                    return Ok((v, version, true));
                }
                repo::ensure_seeded(tx)?;
                let item = live_item(tx, &b.item_code)?;
                if !may_record(who.role, item.category) {
                    return Err(not_responsible(who.role, item.category).into());
                }
                let c = Caller::load(tx, who.clone())?;
                let requested = b
                    .recording_unit_id
                    .as_deref()
                    .map(|s| uuid::Uuid::try_parse(s).map_or(String::new(), |u| u.to_string()));
                let unit = pick_unit(c.units.clone(), requested.as_deref())?;
                let member = member_by_id(tx, &b.member_id)?.ok_or_else(member_not_found)?;
                if !member_in_scope(tx, &unit, &member)? {
                    if may_read_member(tx, &c.vis, &c.units, &member)? {
                        return Err(AppError::new(
                            poem::http::StatusCode::FORBIDDEN,
                            "member_outside_scope",
                            format!("该党员不在{}的记实范围内", unit.name),
                            "The member is outside your unit's recording scope",
                        )
                        .into());
                    }
                    return Err(member_not_found().into());
                }
                let p = Period::quarter_of(recorded_on);
                if filings::is_filed(tx, &unit.id, p)? {
                    return Err(period_filed(p).into());
                }
                let row = repo::insert(
                    tx,
                    &RecordValues {
                        member_id: member.id.clone(),
                        item_code: item.code.clone(),
                        item_version: item.current_version,
                        category: item.category,
                        recorded_on,
                        content,
                        score,
                        recording_unit_id: unit.id.clone(),
                    },
                    &who.user_id,
                )?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "record.create",
                    "performance_record",
                    &row.id,
                    None,
                    serde_json::json!({
                        "member_id": row.member_id, "item_code": row.item_code,
                        "item_version": row.item_version, "recorded_on": row.recorded_on,
                        "recording_unit_id": row.recording_unit_id,
                    }),
                )?;
                let v = view(tx, &row)?;
                if let Some(k) = &key {
                    idempotency::tenant_store(tx, &who.user_id, k, &req_hash, 201, &v)?;
                }
                Ok((v, row.version, false))
            })
            .await?;
        let location = format!("/api/v1/records/{}", view.id);
        Ok(RecordCreated::Created(
            Json(view),
            etag(version),
            location,
            replayed.then(|| "true".to_owned()),
        ))
    }

    /// 记录单位的记实台账 / A recording unit's records (default: your own units)
    ///
    /// `period` (`2026Q3`) or `from`/`to` narrow by date; `category` by category.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/records", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        recording_unit_id: Query<Option<String>>,
        period: Query<Option<String>>,
        category: Query<Option<String>>,
        from: Query<Option<String>>,
        to: Query<Option<String>>,
        limit: Query<Option<crate::api::PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<RecordPage>> {
        let tid = auth.0.tenant()?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let category = parse_category(category.0)?;
        let mut errs = vec![];
        let mut from = parse_date("from", from.0).gather(&mut errs).flatten();
        let mut to = parse_date("to", to.0).gather(&mut errs).flatten();
        if let Some(p) = period.0 {
            match super::super::filing::model::parse_quarter(&p).and_then(Period::bounds) {
                Some((a, b)) => {
                    from = Some(from.map_or(a, |f| f.max(a)));
                    to = Some(to.map_or(b, |t| t.min(b)));
                }
                None => errs.push(FieldError::new(
                    "period",
                    "invalid_period",
                    "period：季度格式应为 2026Q3",
                    "period: a quarter like 2026Q3",
                )),
            }
        }
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let unit = recording_unit_id.0.map(|s| path_id(&s)).transpose()?;
        let who = auth.0;
        let out = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                let c = Caller::load(tx, who)?;
                let unit_ids: Vec<String> = match unit {
                    Some(u) => {
                        let row = crate::org::repo::get(tx, &u)?
                            .filter(|r| c.sees_unit(r))
                            .ok_or_else(AppError::not_found)?;
                        vec![row.id]
                    }
                    None if !c.units.is_empty() => c.units.iter().map(|u| u.id.clone()).collect(),
                    None => {
                        return Err(AppError::field(
                            "recording_unit_id",
                            "required",
                            "recording_unit_id：请指定记录单位",
                            "recording_unit_id: name a recording unit",
                        )
                        .into());
                    }
                };
                // Units are few per caller: one keyset page per unit would complicate the
                // cursor, so a list over several units is one query per unit merged here.
                let mut rows = Vec::new();
                for id in &unit_ids {
                    let f = repo::Filter {
                        recording_unit_id: Some(id.clone()),
                        category,
                        from,
                        to,
                        ..Default::default()
                    };
                    rows.extend(repo::list(tx, &f, &page)?);
                }
                rows.sort_by(|a, b| {
                    b.recorded_on
                        .cmp(&a.recorded_on)
                        .then_with(|| b.id.cmp(&a.id))
                });
                let (rows, next) = page.finish(rows, |r| &r.id);
                Ok(RecordPage {
                    items: views(tx, &rows)?,
                    next_cursor: next,
                })
            })
            .await?;
        Ok(Json(out))
    }

    /// 党员的记实 / A member's records, newest first
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/members/:id/records", method = "get")]
    async fn member_records(
        &self,
        auth: Auth,
        id: Path<String>,
        category: Query<Option<String>>,
        from: Query<Option<String>>,
        to: Query<Option<String>>,
        limit: Query<Option<crate::api::PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<RecordPage>> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let category = parse_category(category.0)?;
        let mut errs = vec![];
        let from = parse_date("from", from.0).gather(&mut errs).flatten();
        let to = parse_date("to", to.0).gather(&mut errs).flatten();
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let who = auth.0;
        let out = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                let c = Caller::load(tx, who)?;
                let m = crate::members::repo::get(tx, &id)?.ok_or_else(AppError::not_found)?;
                if !may_read_member(tx, &c.vis, &c.units, &m)? {
                    return Err(AppError::not_found().into());
                }
                let f = repo::Filter {
                    member_id: Some(m.id.clone()),
                    category,
                    from,
                    to,
                    ..Default::default()
                };
                let rows = repo::list(tx, &f, &page)?;
                let (rows, next) = page.finish(rows, |r| &r.id);
                Ok(RecordPage {
                    items: views(tx, &rows)?,
                    next_cursor: next,
                })
            })
            .await?;
        Ok(Json(out))
    }

    /// 查看记实 / Get a record
    #[oai(path = "/records/:id", method = "get")]
    async fn get(&self, auth: Auth, id: Path<String>) -> AppResult<RecordResponse> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let who = auth.0;
        let (v, version) = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                let c = Caller::load(tx, who)?;
                let r = readable(tx, &c, &id)?;
                Ok((view(tx, &r)?, r.version))
            })
            .await?;
        Ok(RecordResponse::Ok(Json(v), etag(version)))
    }

    /// 修改记实 / Change a record (its unit only, while the quarter is not filed; If-Match)
    #[oai(path = "/records/:id", method = "patch")]
    async fn update(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<UpdateRecordRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<RecordResponse> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let expected = if_match(Some(&if_match_h.0))?;
        let b = body.0;
        let today = crate::clock::today();
        let mut errs = vec![];
        let content = b
            .content
            .as_deref()
            .map(|c| model::check_text("content", c, model::CONTENT_MAX, true))
            .gather(&mut errs);
        let score = b.score.map(model::check_score).gather(&mut errs);
        let recorded_on = b
            .recorded_on
            .map(|d| model::check_recorded_on(d, today))
            .gather(&mut errs);
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let who = auth.0;
        let (v, version) = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let c = Caller::load(tx, who.clone())?;
                let cur = writable(tx, &c, &id)?;
                if cur.version != expected {
                    return Err(AppError::precondition_failed().into());
                }
                let (code, item_version, category) = match &b.item_code {
                    Some(code) if code.trim() != cur.item_code => {
                        let item = live_item(tx, code)?;
                        if !may_record(who.role, item.category) {
                            return Err(not_responsible(who.role, item.category).into());
                        }
                        (item.code, item.current_version, item.category)
                    }
                    _ => (cur.item_code.clone(), cur.item_version, cur.category()),
                };
                let on = recorded_on.unwrap_or(cur.recorded_on);
                let p = Period::quarter_of(on);
                if filings::is_filed(tx, &cur.recording_unit_id, p)? {
                    return Err(period_filed(p).into());
                }
                let values = RecordValues {
                    member_id: cur.member_id.clone(),
                    item_code: code,
                    item_version,
                    category,
                    recorded_on: on,
                    content: content.unwrap_or_else(|| cur.content.clone()),
                    score: if b.clear_score == Some(true) {
                        None
                    } else {
                        score.or(cur.score)
                    },
                    recording_unit_id: cur.recording_unit_id.clone(),
                };
                let row = repo::update(tx, &id, expected, &values)?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "record.update",
                    "performance_record",
                    &row.id,
                    None,
                    serde_json::json!({
                        "item_code": row.item_code, "recorded_on": row.recorded_on,
                        "from_recorded_on": cur.recorded_on,
                    }),
                )?;
                Ok((view(tx, &row)?, row.version))
            })
            .await?;
        Ok(RecordResponse::Ok(Json(v), etag(version)))
    }

    /// 删除记实 / Delete a record (its unit only, while the quarter is not filed; If-Match)
    #[oai(path = "/records/:id", method = "delete")]
    async fn delete(
        &self,
        auth: Auth,
        id: Path<String>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<NoContent> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let expected = if_match(Some(&if_match_h.0))?;
        let who = auth.0;
        self.state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let c = Caller::load(tx, who.clone())?;
                let cur = writable(tx, &c, &id)?;
                if cur.version != expected {
                    return Err(AppError::precondition_failed().into());
                }
                repo::delete(tx, &id)?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "record.delete",
                    "performance_record",
                    &id,
                    None,
                    serde_json::json!({
                        "member_id": cur.member_id, "item_code": cur.item_code,
                        "recorded_on": cur.recorded_on,
                    }),
                )
            })
            .await?;
        Ok(NoContent::Done)
    }
}

impl RecordsApi {
    async fn set_retired(
        &self,
        auth: Auth,
        code: Path<String>,
        if_match_h: Header<String>,
        retired: bool,
    ) -> AppResult<ItemResponse> {
        let tid = auth.0.tenant()?;
        may_edit_catalogue(&auth.0)?;
        let code = catalogue_code(&code.0)?;
        let expected = if_match(Some(&if_match_h.0))?;
        let who = auth.0;
        let item = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let item = repo::set_retired(tx, &code, expected, retired)?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    if retired {
                        "record_catalogue.retire"
                    } else {
                        "record_catalogue.restore"
                    },
                    "record_catalogue_item",
                    &code,
                    None,
                    serde_json::json!({}),
                )?;
                Ok(item)
            })
            .await?;
        Ok(ItemResponse::Ok(
            Json(CatalogueItemView::from(&item)),
            etag(item.etag),
        ))
    }
}
