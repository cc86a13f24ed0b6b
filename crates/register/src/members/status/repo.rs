//! The status history table, and the member row's status columns a change writes.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::api::PageRequest;
use crate::db::schema::{member_status_history as h, members as m};
use crate::db::{DbResult, TenantTx};
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = h)]
pub struct HistoryRow {
    pub tenant_id: String,
    pub id: String,
    pub member_id: String,
    pub change: String,
    pub from_value: String,
    pub to_value: String,
    pub effective_on: NaiveDate,
    pub from_org: Option<String>,
    pub to_org: Option<String>,
    pub reason: Option<String>,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

/// A history row to write.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = h, treat_none_as_null = true)]
pub struct NewHistory {
    pub tenant_id: String,
    pub id: String,
    pub member_id: String,
    pub change: String,
    pub from_value: String,
    pub to_value: String,
    pub effective_on: NaiveDate,
    pub from_org: Option<String>,
    pub to_org: Option<String>,
    pub reason: Option<String>,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
    /// The units of a transfer, by id (a unit of the county, when there is one).
    pub from_unit_id: Option<String>,
    pub to_unit_id: Option<String>,
}

/// Appends history rows in one statement per chunk (the demo generator writes many).
pub fn insert_history(tx: &mut TenantTx<'_>, rows: &[NewHistory]) -> DbResult<()> {
    // 12 values a row, well under both backends' bound-parameter limits.
    for chunk in rows.chunks(500) {
        crate::insert_rows!(tx.conn(), h::table, chunk)?;
    }
    Ok(())
}

pub fn history(
    tx: &mut TenantTx<'_>,
    member_id: &str,
    page: &PageRequest,
) -> DbResult<Vec<HistoryRow>> {
    let tid = tx.tid().to_owned();
    let mut q = h::table
        .filter(h::tenant_id.eq(tid).and(h::member_id.eq(member_id)))
        .select(HistoryRow::as_select())
        .into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(h::id.gt(after.clone()));
    }
    Ok(q.order(h::id.asc()).limit(page.fetch()).load(tx.conn())?)
}

/// What a change writes to the member row besides the version.
pub(super) struct Effect {
    pub(super) membership_status: String,
    pub(super) business_status: String,
    pub(super) away_since: Option<NaiveDate>,
    pub(super) membership_unit_id: Option<String>,
    pub(super) membership_org_name: String,
    pub(super) category: String,
}

/// Writes the member's status columns if the row is still at `version`.
pub(super) fn write_member(
    tx: &mut TenantTx<'_>,
    id: &str,
    version: i64,
    e: &Effect,
) -> DbResult<i64> {
    let tid = tx.tid().to_owned();
    let n = diesel::update(
        m::table.filter(
            m::tenant_id
                .eq(&tid)
                .and(m::id.eq(id))
                .and(m::version.eq(version)),
        ),
    )
    .set((
        m::membership_status.eq(&e.membership_status),
        m::business_status.eq(&e.business_status),
        m::away_since.eq(e.away_since),
        m::membership_unit_id.eq(&e.membership_unit_id),
        m::membership_org_name.eq(&e.membership_org_name),
        m::category.eq(&e.category),
        m::version.eq(version + 1),
        m::updated_at.eq(Utc::now().naive_utc()),
    ))
    .execute(tx.conn())?;
    if n == 0 {
        return Err(AppError::precondition_failed().into());
    }
    Ok(version + 1)
}
