//! A county's rubrics in storage, versioned: the seeded default is each county's first version,
//! stored the first time it is used; a county admin adds later versions; a result keeps the
//! version it was scored with, so last year's results keep last year's rules.

pub mod api;
pub mod input;

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::rubrics as rb;
use crate::db::{AnyConnection, DbResult, TenantTx};
use crate::error::{AppError, DbError};
use crate::rubric::Rubric;

/// The rubrics a county may keep, each with its seeded first version.
pub const CODES: &[&str] = &["branch_standardisation"];

/// The seeded first version of a rubric code.
pub fn seeded(code: &str) -> Option<Rubric> {
    match code {
        "branch_standardisation" => Some(crate::seeded::branch_standardisation()),
        _ => None,
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rb)]
pub struct RubricRow {
    pub tenant_id: String,
    pub code: String,
    pub version: i32,
    pub name: String,
    pub body: String,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
}

impl RubricRow {
    /// The stored rubric. A row that does not read back is a fault of ours (500, logged).
    pub fn rubric(&self) -> DbResult<Rubric> {
        let mut r: Rubric = serde_json::from_str(&self.body)
            .map_err(|e| AppError::internal(anyhow::anyhow!("stored rubric {}: {e}", self.code)))?;
        r.version = self.version;
        Ok(r)
    }
}

/// Every stored version of a code, the latest first.
pub fn versions(tx: &mut TenantTx<'_>, code: &str) -> DbResult<Vec<RubricRow>> {
    let tid = tx.tid().to_owned();
    Ok(rb::table
        .filter(rb::tenant_id.eq(tid).and(rb::code.eq(code)))
        .order(rb::version.desc())
        .limit(1000)
        .select(RubricRow::as_select())
        .load(tx.conn())?)
}

pub fn get(tx: &mut TenantTx<'_>, code: &str, version: i32) -> DbResult<Option<RubricRow>> {
    let tid = tx.tid().to_owned();
    Ok(rb::table
        .filter(rb::tenant_id.eq(tid).and(rb::code.eq(code)))
        .filter(rb::version.eq(version))
        .select(RubricRow::as_select())
        .first(tx.conn())
        .optional()?)
}

/// Stores a version. Two first uses at once both store the seeded version 1: the second does
/// nothing. Two admins adding a version at once: the second is told to reload (409).
fn insert(tx: &mut TenantTx<'_>, r: &Rubric, by: Option<&str>) -> DbResult<RubricRow> {
    let tid = tx.tid().to_owned();
    let body = serde_json::to_string(r).map_err(AppError::internal)?;
    let values = (
        rb::tenant_id.eq(&tid),
        rb::code.eq(&r.code),
        rb::version.eq(r.version),
        rb::name.eq(&r.name),
        rb::body.eq(body),
        rb::created_by.eq(by),
        rb::created_at.eq(Utc::now().naive_utc()),
    );
    if by.is_none() {
        match tx.conn() {
            AnyConnection::Sqlite(c) => diesel::insert_into(rb::table)
                .values(values)
                .on_conflict_do_nothing()
                .execute(c)?,
            AnyConnection::Postgresql(c) => diesel::insert_into(rb::table)
                .values(values)
                .on_conflict_do_nothing()
                .execute(c)?,
        };
    } else {
        diesel::insert_into(rb::table)
            .values(values)
            .execute(tx.conn())
            .map_err(|e| {
                DbError::from(e).unique_as(|| {
                    AppError::conflict(
                        "rubric_changed",
                        "评分标准刚被他人修改，请刷新后重试",
                        "The rubric was just changed by someone else; reload and try again",
                    )
                })
            })?;
    }
    get(tx, &r.code, r.version)?.ok_or_else(|| AppError::not_found().into())
}

/// The version in force: the latest stored, else the seeded default (stored now, as version 1,
/// when `store` — a write — asks for it; a read only shows it).
pub fn current(tx: &mut TenantTx<'_>, code: &str, store: bool) -> DbResult<Rubric> {
    if let Some(row) = versions(tx, code)?.into_iter().next() {
        return row.rubric();
    }
    let r = seeded(code).ok_or_else(AppError::not_found)?;
    if store {
        insert(tx, &r, None)?;
    }
    Ok(r)
}

/// A county's next version of a code (checked by the caller), after the seeded one.
pub fn add_version(tx: &mut TenantTx<'_>, mut r: Rubric, by: &str) -> DbResult<RubricRow> {
    let latest = current(tx, &r.code, true)?;
    r.version = latest.version + 1;
    insert(tx, &r, Some(by))
}
