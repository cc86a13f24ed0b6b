//! The catalogue and the records in storage.
//!
//! A county's catalogue is the shipped default until it is first written to (an edit, or the
//! first record): then the default is copied into its rows, so every record can point at the
//! catalogue version it was written against.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::model::{Category, DEFAULT_CATALOGUE, next_code};
use crate::api::PageRequest;
use crate::db::schema::{
    performance_records as r, record_catalogue_items as ci, record_catalogue_versions as cv,
};
use crate::db::{AnyConnection, DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ci)]
pub struct ItemRow {
    pub tenant_id: String,
    pub code: String,
    pub category: String,
    pub position: i32,
    pub current_version: i32,
    pub retired_at: Option<NaiveDateTime>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cv)]
pub struct VersionRow {
    pub tenant_id: String,
    pub code: String,
    pub version: i32,
    pub name: String,
    pub description: Option<String>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

/// A catalogue item with its current name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub code: String,
    pub category: Category,
    pub position: i32,
    /// The catalogue version new records are written against.
    pub current_version: i32,
    pub name: String,
    pub description: Option<String>,
    pub retired: bool,
    /// The row's ETag version.
    pub etag: i64,
}

fn defaults() -> Vec<Item> {
    DEFAULT_CATALOGUE
        .iter()
        .enumerate()
        .map(|(i, d)| Item {
            code: d.code.to_owned(),
            category: d.category,
            position: i as i32 + 1,
            current_version: 1,
            name: d.name.to_owned(),
            description: Some(d.description.to_owned()),
            retired: false,
            etag: 1,
        })
        .collect()
}

fn seeded(tx: &mut TenantTx<'_>) -> DbResult<bool> {
    let tid = tx.tid().to_owned();
    Ok(ci::table
        .filter(ci::tenant_id.eq(&tid))
        .select(ci::code)
        .first::<String>(tx.conn())
        .optional()?
        .is_some())
}

/// Copies the default catalogue into the county's rows unless it has its own already. Two
/// first writes at once both insert; the conflict clause keeps one copy.
pub fn ensure_seeded(tx: &mut TenantTx<'_>) -> DbResult<()> {
    if seeded(tx)? {
        return Ok(());
    }
    let tid = tx.tid().to_owned();
    let now = Utc::now().naive_utc();
    let items: Vec<_> = defaults()
        .into_iter()
        .map(|i| {
            (
                ci::tenant_id.eq(tid.clone()),
                ci::code.eq(i.code),
                ci::category.eq(i.category.as_str()),
                ci::position.eq(i.position),
                ci::current_version.eq(1),
                ci::retired_at.eq(None::<NaiveDateTime>),
                ci::version.eq(1i64),
                ci::created_at.eq(now),
                ci::updated_at.eq(now),
            )
        })
        .collect();
    let versions: Vec<_> = DEFAULT_CATALOGUE
        .iter()
        .map(|d| {
            (
                cv::tenant_id.eq(tid.clone()),
                cv::code.eq(d.code),
                cv::version.eq(1),
                cv::name.eq(d.name),
                cv::description.eq(Some(d.description)),
                cv::created_by.eq("default"),
                cv::created_at.eq(now),
            )
        })
        .collect();
    match tx.conn() {
        AnyConnection::Sqlite(c) => {
            diesel::insert_into(ci::table)
                .values(&items)
                .on_conflict_do_nothing()
                .execute(c)?;
            diesel::insert_into(cv::table)
                .values(&versions)
                .on_conflict_do_nothing()
                .execute(c)?;
        }
        AnyConnection::Postgresql(c) => {
            diesel::insert_into(ci::table)
                .values(&items)
                .on_conflict_do_nothing()
                .execute(c)?;
            diesel::insert_into(cv::table)
                .values(&versions)
                .on_conflict_do_nothing()
                .execute(c)?;
        }
    }
    Ok(())
}

/// The county's catalogue in display order (the default until it has its own).
pub fn items(tx: &mut TenantTx<'_>) -> DbResult<Vec<Item>> {
    if !seeded(tx)? {
        return Ok(defaults());
    }
    let tid = tx.tid().to_owned();
    let rows: Vec<(ItemRow, VersionRow)> = ci::table
        .inner_join(
            cv::table.on(cv::tenant_id
                .eq(ci::tenant_id)
                .and(cv::code.eq(ci::code))
                .and(cv::version.eq(ci::current_version))),
        )
        .filter(ci::tenant_id.eq(&tid))
        .order((ci::position.asc(), ci::code.asc()))
        .select((ItemRow::as_select(), VersionRow::as_select()))
        .load(tx.conn())?;
    Ok(rows
        .into_iter()
        .map(|(i, v)| Item {
            category: Category::parse(&i.category).unwrap_or(Category::Business),
            code: i.code,
            position: i.position,
            current_version: i.current_version,
            name: v.name,
            description: v.description,
            retired: i.retired_at.is_some(),
            etag: i.version,
        })
        .collect())
}

pub fn item(tx: &mut TenantTx<'_>, code: &str) -> DbResult<Option<Item>> {
    Ok(items(tx)?.into_iter().find(|i| i.code == code))
}

fn not_found_item() -> AppError {
    AppError::not_found()
}

/// Adds an item at the end of its category.
pub fn add(
    tx: &mut TenantTx<'_>,
    category: Category,
    name: &str,
    description: Option<&str>,
    actor: &str,
) -> DbResult<Item> {
    ensure_seeded(tx)?;
    let tid = tx.tid().to_owned();
    let all = items(tx)?;
    if all.iter().any(|i| i.category == category && i.name == name) {
        return Err(name_taken().into());
    }
    let codes: Vec<String> = all.iter().map(|i| i.code.clone()).collect();
    let code = next_code(category, &codes);
    let position = all.iter().map(|i| i.position).max().unwrap_or(0) + 1;
    let now = Utc::now().naive_utc();
    diesel::insert_into(ci::table)
        .values((
            ci::tenant_id.eq(&tid),
            ci::code.eq(&code),
            ci::category.eq(category.as_str()),
            ci::position.eq(position),
            ci::current_version.eq(1),
            ci::version.eq(1i64),
            ci::created_at.eq(now),
            ci::updated_at.eq(now),
        ))
        .execute(tx.conn())?;
    insert_version(tx, &code, 1, name, description, actor)?;
    item(tx, &code)?.ok_or_else(|| not_found_item().into())
}

fn name_taken() -> AppError {
    AppError::conflict(
        "item_name_taken",
        "该类别下已有同名记实项目",
        "An item of this category already has this name",
    )
    .with_field(crate::error::FieldError::new(
        "name",
        "taken",
        "name：同类别下名称重复",
        "name: taken in this category",
    ))
}

fn insert_version(
    tx: &mut TenantTx<'_>,
    code: &str,
    version: i32,
    name: &str,
    description: Option<&str>,
    actor: &str,
) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    diesel::insert_into(cv::table)
        .values((
            cv::tenant_id.eq(&tid),
            cv::code.eq(code),
            cv::version.eq(version),
            cv::name.eq(name),
            cv::description.eq(description),
            cv::created_by.eq(actor),
            cv::created_at.eq(Utc::now().naive_utc()),
        ))
        .execute(tx.conn())?;
    Ok(())
}

/// The item at `code` if its row is at `expected` (412 otherwise, 404 when unknown).
fn at_version(tx: &mut TenantTx<'_>, code: &str, expected: i64) -> DbResult<Item> {
    ensure_seeded(tx)?;
    let cur = item(tx, code)?.ok_or_else(not_found_item)?;
    if cur.etag != expected {
        return Err(AppError::precondition_failed().into());
    }
    Ok(cur)
}

fn bump(
    tx: &mut TenantTx<'_>,
    code: &str,
    expected: i64,
    current_version: i32,
    retired_at: Option<NaiveDateTime>,
) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    let n = diesel::update(
        ci::table.filter(
            ci::tenant_id
                .eq(&tid)
                .and(ci::code.eq(code))
                .and(ci::version.eq(expected)),
        ),
    )
    .set((
        ci::current_version.eq(current_version),
        ci::retired_at.eq(retired_at),
        ci::version.eq(expected + 1),
        ci::updated_at.eq(Utc::now().naive_utc()),
    ))
    .execute(tx.conn())?;
    if n == 0 {
        return Err(AppError::precondition_failed().into());
    }
    Ok(())
}

/// Renames (and/or re-describes) an item: a new catalogue version; records written against
/// the old one keep its name.
pub fn revise(
    tx: &mut TenantTx<'_>,
    code: &str,
    expected: i64,
    name: Option<&str>,
    description: Option<&str>,
    actor: &str,
) -> DbResult<Item> {
    let cur = at_version(tx, code, expected)?;
    let name = name.unwrap_or(&cur.name);
    let description = description.or(cur.description.as_deref());
    if name == cur.name && description == cur.description.as_deref() {
        return Ok(cur);
    }
    if name != cur.name
        && items(tx)?
            .iter()
            .any(|i| i.category == cur.category && i.name == name && i.code != code)
    {
        return Err(name_taken().into());
    }
    let next = cur.current_version + 1;
    insert_version(tx, code, next, name, description, actor)?;
    let retired_at = retired_at(tx, code)?;
    bump(tx, code, expected, next, retired_at)?;
    item(tx, code)?.ok_or_else(|| not_found_item().into())
}

fn retired_at(tx: &mut TenantTx<'_>, code: &str) -> DbResult<Option<NaiveDateTime>> {
    let tid = tx.tid().to_owned();
    Ok(ci::table
        .filter(ci::tenant_id.eq(&tid).and(ci::code.eq(code)))
        .select(ci::retired_at)
        .first::<Option<NaiveDateTime>>(tx.conn())
        .optional()?
        .flatten())
}

/// Retires (no new records; old ones stay) or restores an item.
pub fn set_retired(
    tx: &mut TenantTx<'_>,
    code: &str,
    expected: i64,
    retired: bool,
) -> DbResult<Item> {
    let cur = at_version(tx, code, expected)?;
    if cur.retired == retired {
        return Err(AppError::conflict(
            if retired {
                "already_retired"
            } else {
                "not_retired"
            },
            if retired {
                "该记实项目已停用"
            } else {
                "该记实项目未停用"
            },
            if retired {
                "The item is retired already"
            } else {
                "The item is not retired"
            },
        )
        .into());
    }
    let at = retired.then(|| Utc::now().naive_utc());
    bump(tx, code, expected, cur.current_version, at)?;
    item(tx, code)?.ok_or_else(|| not_found_item().into())
}

/// Deletes an item no record uses (409 `item_in_use` otherwise: retire it instead).
pub fn delete_item(tx: &mut TenantTx<'_>, code: &str, expected: i64) -> DbResult<()> {
    at_version(tx, code, expected)?;
    let tid = tx.tid().to_owned();
    let used: Option<String> = r::table
        .filter(r::tenant_id.eq(&tid).and(r::item_code.eq(code)))
        .select(r::id)
        .first(tx.conn())
        .optional()?;
    if used.is_some() {
        return Err(AppError::conflict(
            "item_in_use",
            "已有记实使用该项目，不能删除，可改为停用",
            "Records use this item; retire it instead of deleting it",
        )
        .into());
    }
    diesel::delete(cv::table.filter(cv::tenant_id.eq(&tid).and(cv::code.eq(code))))
        .execute(tx.conn())?;
    diesel::delete(ci::table.filter(ci::tenant_id.eq(&tid).and(ci::code.eq(code))))
        .execute(tx.conn())?;
    Ok(())
}

/// Every version of an item, oldest first.
pub fn versions(tx: &mut TenantTx<'_>, code: &str) -> DbResult<Vec<VersionRow>> {
    let tid = tx.tid().to_owned();
    Ok(cv::table
        .filter(cv::tenant_id.eq(&tid).and(cv::code.eq(code)))
        .order(cv::version.asc())
        .select(VersionRow::as_select())
        .load(tx.conn())?)
}

/// The names of catalogue versions, by (code, version).
pub fn version_names(
    tx: &mut TenantTx<'_>,
    wanted: &[(String, i32)],
) -> DbResult<HashMap<(String, i32), String>> {
    let tid = tx.tid().to_owned();
    let mut codes: Vec<&str> = wanted.iter().map(|(c, _)| c.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    let rows: Vec<(String, i32, String)> = cv::table
        .filter(cv::tenant_id.eq(&tid).and(cv::code.eq_any(codes)))
        .select((cv::code, cv::version, cv::name))
        .load(tx.conn())?;
    Ok(rows.into_iter().map(|(c, v, n)| ((c, v), n)).collect())
}

// ---- records ----

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = r)]
pub struct RecordRow {
    pub tenant_id: String,
    pub id: String,
    pub member_id: String,
    pub item_code: String,
    pub item_version: i32,
    pub category: String,
    pub recorded_on: NaiveDate,
    pub content: String,
    pub score: Option<i32>,
    pub recording_unit_id: String,
    pub recorded_by: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl RecordRow {
    pub fn category(&self) -> Category {
        Category::parse(&self.category).unwrap_or(Category::Business)
    }
}

/// A record's values as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordValues {
    pub member_id: String,
    pub item_code: String,
    pub item_version: i32,
    pub category: Category,
    pub recorded_on: NaiveDate,
    pub content: String,
    pub score: Option<i32>,
    pub recording_unit_id: String,
}

pub fn insert(tx: &mut TenantTx<'_>, v: &RecordValues, actor: &str) -> DbResult<RecordRow> {
    let tid = tx.tid().to_owned();
    let id = uuid::Uuid::now_v7().to_string();
    let now = Utc::now().naive_utc();
    diesel::insert_into(r::table)
        .values((
            r::tenant_id.eq(&tid),
            r::id.eq(&id),
            r::member_id.eq(&v.member_id),
            r::item_code.eq(&v.item_code),
            r::item_version.eq(v.item_version),
            r::category.eq(v.category.as_str()),
            r::recorded_on.eq(v.recorded_on),
            r::content.eq(&v.content),
            r::score.eq(v.score),
            r::recording_unit_id.eq(&v.recording_unit_id),
            r::recorded_by.eq(actor),
            r::version.eq(1i64),
            r::created_at.eq(now),
            r::updated_at.eq(now),
        ))
        .execute(tx.conn())?;
    get(tx, &id)?.ok_or_else(|| AppError::internal(anyhow::anyhow!("record vanished")).into())
}

pub fn get(tx: &mut TenantTx<'_>, id: &str) -> DbResult<Option<RecordRow>> {
    let tid = tx.tid().to_owned();
    Ok(r::table
        .filter(r::tenant_id.eq(&tid).and(r::id.eq(id)))
        .select(RecordRow::as_select())
        .first(tx.conn())
        .optional()?)
}

/// Writes new values if the record is at `expected`.
pub fn update(
    tx: &mut TenantTx<'_>,
    id: &str,
    expected: i64,
    v: &RecordValues,
) -> DbResult<RecordRow> {
    let tid = tx.tid().to_owned();
    let n = diesel::update(
        r::table.filter(
            r::tenant_id
                .eq(&tid)
                .and(r::id.eq(id))
                .and(r::version.eq(expected)),
        ),
    )
    .set((
        r::item_code.eq(&v.item_code),
        r::item_version.eq(v.item_version),
        r::category.eq(v.category.as_str()),
        r::recorded_on.eq(v.recorded_on),
        r::content.eq(&v.content),
        r::score.eq(v.score),
        r::version.eq(expected + 1),
        r::updated_at.eq(Utc::now().naive_utc()),
    ))
    .execute(tx.conn())?;
    if n == 0 {
        return Err(AppError::precondition_failed().into());
    }
    get(tx, id)?.ok_or_else(|| AppError::not_found().into())
}

pub fn delete(tx: &mut TenantTx<'_>, id: &str) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    diesel::delete(r::table.filter(r::tenant_id.eq(&tid).and(r::id.eq(id)))).execute(tx.conn())?;
    Ok(())
}

/// Filters of a record list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub member_id: Option<String>,
    pub recording_unit_id: Option<String>,
    pub category: Option<Category>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// Records, newest first (by date, then by id), a page at a time.
pub fn list(tx: &mut TenantTx<'_>, f: &Filter, page: &PageRequest) -> DbResult<Vec<RecordRow>> {
    let tid = tx.tid().to_owned();
    let mut q = r::table
        .filter(r::tenant_id.eq(&tid))
        .select(RecordRow::as_select())
        .into_boxed();
    if let Some(m) = &f.member_id {
        q = q.filter(r::member_id.eq(m.clone()));
    }
    if let Some(u) = &f.recording_unit_id {
        q = q.filter(r::recording_unit_id.eq(u.clone()));
    }
    if let Some(c) = f.category {
        q = q.filter(r::category.eq(c.as_str()));
    }
    if let Some(d) = f.from {
        q = q.filter(r::recorded_on.ge(d));
    }
    if let Some(d) = f.to {
        q = q.filter(r::recorded_on.le(d));
    }
    if let Some(after) = &page.after {
        let at: Option<NaiveDate> = r::table
            .filter(r::tenant_id.eq(&tid).and(r::id.eq(after)))
            .select(r::recorded_on)
            .first(tx.conn())
            .optional()?;
        if let Some(at) = at {
            q = q.filter(
                r::recorded_on
                    .lt(at)
                    .or(r::recorded_on.eq(at).and(r::id.lt(after.clone()))),
            );
        }
    }
    Ok(q.order((r::recorded_on.desc(), r::id.desc()))
        .limit(page.fetch())
        .load(tx.conn())?)
}

/// Every record of a unit dated within `[from, to]`, oldest first (a quarter's filing).
pub fn of_unit(
    tx: &mut TenantTx<'_>,
    unit_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<RecordRow>> {
    let tid = tx.tid().to_owned();
    Ok(r::table
        .filter(r::tenant_id.eq(&tid).and(r::recording_unit_id.eq(unit_id)))
        .filter(r::recorded_on.ge(from).and(r::recorded_on.le(to)))
        .order((r::recorded_on.asc(), r::id.asc()))
        .select(RecordRow::as_select())
        .load(tx.conn())?)
}

/// Every record of a member, oldest first (the time line).
pub fn of_member(tx: &mut TenantTx<'_>, member_id: &str) -> DbResult<Vec<RecordRow>> {
    let tid = tx.tid().to_owned();
    Ok(r::table
        .filter(r::tenant_id.eq(&tid).and(r::member_id.eq(member_id)))
        .order((r::recorded_on.asc(), r::id.asc()))
        .select(RecordRow::as_select())
        .load(tx.conn())?)
}

/// Each member's latest scored record of an item (the 党员先锋指数's stars), with its day.
pub fn latest_scores(
    tx: &mut TenantTx<'_>,
    item_code: &str,
    member_ids: &[String],
) -> DbResult<std::collections::HashMap<String, (i32, NaiveDate)>> {
    let tid = tx.tid().to_owned();
    let mut out = std::collections::HashMap::new();
    for chunk in member_ids.chunks(500) {
        let rows: Vec<(String, Option<i32>, NaiveDate)> = r::table
            .filter(r::tenant_id.eq(&tid).and(r::item_code.eq(item_code)))
            .filter(r::member_id.eq_any(chunk))
            .filter(r::score.is_not_null())
            .order((r::recorded_on.asc(), r::id.asc()))
            .select((r::member_id, r::score, r::recorded_on))
            .load(tx.conn())?;
        for (m, s, d) in rows {
            if let Some(s) = s {
                out.insert(m, (s, d));
            }
        }
    }
    Ok(out)
}

/// Records written in bulk (a campaign's results), 500 a statement.
pub fn insert_many(tx: &mut TenantTx<'_>, values: &[RecordValues], actor: &str) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    let now = Utc::now().naive_utc();
    let rows: Vec<_> = values
        .iter()
        .map(|v| {
            (
                r::tenant_id.eq(tid.clone()),
                r::id.eq(uuid::Uuid::now_v7().to_string()),
                r::member_id.eq(v.member_id.clone()),
                r::item_code.eq(v.item_code.clone()),
                r::item_version.eq(v.item_version),
                r::category.eq(v.category.as_str()),
                r::recorded_on.eq(v.recorded_on),
                r::content.eq(v.content.clone()),
                r::score.eq(v.score),
                r::recording_unit_id.eq(v.recording_unit_id.clone()),
                r::recorded_by.eq(actor.to_owned()),
                r::version.eq(1i64),
                r::created_at.eq(now),
                r::updated_at.eq(now),
            )
        })
        .collect();
    for chunk in rows.chunks(500) {
        crate::insert_rows!(tx.conn(), r::table, chunk)?;
    }
    Ok(())
}
