//! /api/v1/records: the performance records, written only by each category's recorder for
//! the members of their unit (the catalogue of items they are written against: `catalogue`).

use chrono::{DateTime, NaiveDate, Utc};
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::{Deserialize, Serialize};

use super::catalogue::item_code;
use super::model::{self, Category, may_record};
use super::repo::{self, Item, RecordRow, RecordValues};
use super::scope::{Caller, may_read_member, member_in_scope, pick_unit};
use super::tags::ApiTags;
use crate::AppState;
use crate::api::idempotency::{self, IdempotencyKey};
use crate::api::{JsonBody, PageRequest, etag, if_match, path_id};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Role};
use crate::db::{DbResult, TenantTx};
use crate::deadlines::Period;
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult, FieldError, Gather};
use crate::filing::repo as filings;
use crate::handler::Call;
use crate::members::repo::MemberRow;
use crate::users::signin::NoContent;

pub struct RecordsApi {
    pub state: AppState,
}

// ---- views and requests ----

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
        let call = Call::new(&self.state, auth)?;
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
        let (view, version, replayed) = call
            .write(move |tx, c: &Caller| {
                let who = &c.principal;
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
                    &Actor::of(who),
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
        let call = Call::new(&self.state, auth)?;
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
        let out = call
            .read(move |tx, c: &Caller| {
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
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id.0)?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let category = parse_category(category.0)?;
        let mut errs = vec![];
        let from = parse_date("from", from.0).gather(&mut errs).flatten();
        let to = parse_date("to", to.0).gather(&mut errs).flatten();
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let out = call
            .read(move |tx, c: &Caller| {
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
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id.0)?;
        let (v, version) = call
            .read(move |tx, c: &Caller| {
                let r = readable(tx, c, &id)?;
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
        let call = Call::new(&self.state, auth)?;
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
        let (v, version) = call
            .write(move |tx, c: &Caller| {
                let cur = writable(tx, c, &id)?;
                let who = &c.principal;
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
                    &Actor::of(who),
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
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id.0)?;
        let expected = if_match(Some(&if_match_h.0))?;
        call.write(move |tx, c: &Caller| {
            let cur = writable(tx, c, &id)?;
            let who = &c.principal;
            if cur.version != expected {
                return Err(AppError::precondition_failed().into());
            }
            repo::delete(tx, &id)?;
            audit::record(
                tx,
                &Actor::of(who),
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
