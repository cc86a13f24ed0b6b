//! Platform-side queries on provinces and county tenants.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use super::model::{DivisionCode, TenantId, TenantStatus};
use crate::api::PageRequest;
use crate::db::schema::{provinces as p, tenants as t};
use crate::db::{DbError, DbResult, PlatformTx};
use crate::enums::StrEnum;
use crate::error::{AppError, FieldError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = t)]
pub struct TenantRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub province_code: String,
    pub status: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl TenantRow {
    pub fn tenant_id(&self) -> TenantId {
        // Rows are written only with ids from TenantId::new.
        TenantId::parse(&self.id).unwrap_or_default()
    }

    pub fn status(&self) -> TenantStatus {
        TenantStatus::parse(&self.status).unwrap_or(TenantStatus::Suspended)
    }
}

pub fn provinces(tx: &mut PlatformTx<'_>) -> DbResult<Vec<(String, String)>> {
    Ok(p::table
        .select((p::code, p::name))
        .order(p::code.asc())
        .load(tx.conn())?)
}

pub fn province_name(tx: &mut PlatformTx<'_>, code: &str) -> DbResult<Option<String>> {
    Ok(p::table
        .filter(p::code.eq(code))
        .select(p::name)
        .first(tx.conn())
        .optional()?)
}

pub fn insert(tx: &mut PlatformTx<'_>, code: &DivisionCode, name: &str) -> DbResult<TenantRow> {
    insert_as(tx, &TenantId::new(), code, name)
}

/// Inserts a county under a given id (a restore into a fresh deployment keeps the county's id).
pub fn insert_as(
    tx: &mut PlatformTx<'_>,
    id: &TenantId,
    code: &DivisionCode,
    name: &str,
) -> DbResult<TenantRow> {
    let now = Utc::now().naive_utc();
    diesel::insert_into(t::table)
        .values((
            t::id.eq(id.as_str()),
            t::code.eq(code.as_str()),
            t::name.eq(name),
            t::province_code.eq(code.province_code()),
            t::status.eq(TenantStatus::Active.as_str()),
            t::version.eq(1i64),
            t::created_at.eq(now),
            t::updated_at.eq(now),
        ))
        .execute(tx.conn())
        .map_err(|e| {
            let e = DbError::from(e);
            if e.is_unique_violation() {
                AppError::conflict(
                    "tenant_exists",
                    "该行政区划代码的县已开通",
                    "A county with this division code already exists",
                )
                .with_field(FieldError::new(
                    "code",
                    "taken",
                    "该代码已被使用",
                    "code already in use",
                ))
                .into()
            } else {
                e
            }
        })?;
    get(tx, id.as_str())?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("inserted tenant vanished")).into())
}

pub fn get(tx: &mut PlatformTx<'_>, id: &str) -> DbResult<Option<TenantRow>> {
    Ok(t::table
        .filter(t::id.eq(id))
        .select(TenantRow::as_select())
        .first(tx.conn())
        .optional()?)
}

/// Whether the county's data was deleted (`shuanglian tenant delete`).
pub fn deleted(tx: &mut PlatformTx<'_>, id: &str) -> DbResult<bool> {
    use shuanglian_core::db::schema::county_deletions as d;
    Ok(d::table
        .filter(d::county_id.eq(id))
        .count()
        .get_result::<i64>(tx.conn())?
        > 0)
}

pub fn by_code(tx: &mut PlatformTx<'_>, code: &str) -> DbResult<Option<TenantRow>> {
    Ok(t::table
        .filter(t::code.eq(code))
        .select(TenantRow::as_select())
        .first(tx.conn())
        .optional()?)
}

/// The ids of the active counties, in id order: what the platform's background jobs (the daily
/// deadline job, notification delivery) go through.
pub fn active_ids(tx: &mut PlatformTx<'_>) -> DbResult<Vec<String>> {
    Ok(t::table
        .filter(t::status.eq(TenantStatus::Active.as_str()))
        .select(t::id)
        .order(t::id.asc())
        .load(tx.conn())?)
}

pub fn list(
    tx: &mut PlatformTx<'_>,
    page: &PageRequest,
    province: Option<&str>,
    status: Option<TenantStatus>,
) -> DbResult<Vec<TenantRow>> {
    let mut q = t::table.select(TenantRow::as_select()).into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(t::id.gt(after.clone()));
    }
    if let Some(pc) = province {
        q = q.filter(t::province_code.eq(pc.to_owned()));
    }
    if let Some(s) = status {
        q = q.filter(t::status.eq(s.as_str()));
    }
    Ok(q.order(t::id.asc()).limit(page.fetch()).load(tx.conn())?)
}

/// Renames and/or changes status if the row is at `expected` (when given): 404 / 412 otherwise.
pub fn update(
    tx: &mut PlatformTx<'_>,
    id: &str,
    expected: Option<i64>,
    name: Option<&str>,
    status: Option<TenantStatus>,
) -> DbResult<TenantRow> {
    let cur = get(tx, id)?.ok_or_else(AppError::not_found)?;
    if expected.is_some_and(|v| v != cur.version) {
        return Err(AppError::precondition_failed().into());
    }
    if let Some(s) = status {
        super::model::transition(cur.status(), s)?;
    }
    let n = diesel::update(t::table.filter(t::id.eq(id).and(t::version.eq(cur.version))))
        .set((
            t::name.eq(name.unwrap_or(&cur.name)),
            t::status.eq(status.map(TenantStatus::as_str).unwrap_or(&cur.status)),
            t::version.eq(cur.version + 1),
            t::updated_at.eq(Utc::now().naive_utc()),
        ))
        .execute(tx.conn())?;
    if n == 0 {
        return Err(AppError::precondition_failed().into());
    }
    get(tx, id)?.ok_or_else(|| AppError::not_found().into())
}
