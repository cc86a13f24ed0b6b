//! The snapshots table: one row per period and revision.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::stat_snapshots as s;
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::error::AppError;
use crate::model::{Figures, HalfYear, SnapshotState};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = s)]
pub struct SnapshotRow {
    pub tenant_id: String,
    pub id: String,
    pub period: String,
    pub revision: i32,
    pub state: String,
    pub cutoff: NaiveDate,
    pub figures: String,
    pub reason: Option<String>,
    pub computed_by: String,
    pub computed_at: NaiveDateTime,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<NaiveDateTime>,
    pub frozen_by: Option<String>,
    pub frozen_at: Option<NaiveDateTime>,
    pub version: i64,
}

impl SnapshotRow {
    pub fn state(&self) -> SnapshotState {
        SnapshotState::parse(&self.state).unwrap_or(SnapshotState::Computed)
    }

    pub fn figures(&self) -> DbResult<Figures> {
        serde_json::from_str(&self.figures).map_err(|e| {
            AppError::internal(anyhow::anyhow!("stored statistics snapshot: {e}")).into()
        })
    }
}

/// Every revision of the county's snapshots, newest period and revision first.
pub fn all(tx: &mut TenantTx<'_>) -> DbResult<Vec<SnapshotRow>> {
    let tid = tx.tid().to_owned();
    Ok(s::table
        .filter(s::tenant_id.eq(tid))
        .order((s::period.desc(), s::revision.desc()))
        .limit(1000)
        .select(SnapshotRow::as_select())
        .load(tx.conn())?)
}

/// A period's revisions, newest first.
pub fn revisions(tx: &mut TenantTx<'_>, half: HalfYear) -> DbResult<Vec<SnapshotRow>> {
    let tid = tx.tid().to_owned();
    Ok(s::table
        .filter(s::tenant_id.eq(tid).and(s::period.eq(half.to_string())))
        .order(s::revision.desc())
        .select(SnapshotRow::as_select())
        .load(tx.conn())?)
}

/// The newest frozen revision of a period.
pub fn frozen(tx: &mut TenantTx<'_>, half: HalfYear) -> DbResult<Option<SnapshotRow>> {
    Ok(revisions(tx, half)?
        .into_iter()
        .find(|r| r.state() == SnapshotState::Frozen))
}

pub fn insert(
    tx: &mut TenantTx<'_>,
    half: HalfYear,
    revision: i32,
    figures: &str,
    reason: Option<&str>,
    by: &str,
) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    diesel::insert_into(s::table)
        .values((
            s::tenant_id.eq(tid),
            s::id.eq(uuid::Uuid::now_v7().to_string()),
            s::period.eq(half.to_string()),
            s::revision.eq(revision),
            s::state.eq(SnapshotState::Computed.as_str()),
            s::cutoff.eq(half.cutoff()),
            s::figures.eq(figures),
            s::reason.eq(reason),
            s::computed_by.eq(by),
            s::computed_at.eq(Utc::now().naive_utc()),
            s::version.eq(1i64),
        ))
        .execute(tx.conn())?;
    Ok(())
}

/// Computes an open revision again: back to `computed`, its review cleared.
pub fn recompute(tx: &mut TenantTx<'_>, r: &SnapshotRow, figures: &str, by: &str) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    let n = diesel::update(
        s::table.filter(
            s::tenant_id
                .eq(tid)
                .and(s::id.eq(&r.id))
                .and(s::version.eq(r.version))
                .and(s::state.ne(SnapshotState::Frozen.as_str())),
        ),
    )
    .set((
        s::figures.eq(figures),
        s::state.eq(SnapshotState::Computed.as_str()),
        s::computed_by.eq(by),
        s::computed_at.eq(Utc::now().naive_utc()),
        s::reviewed_by.eq(None::<String>),
        s::reviewed_at.eq(None::<NaiveDateTime>),
        s::version.eq(r.version + 1),
    ))
    .execute(tx.conn())?;
    if n == 0 {
        return Err(AppError::precondition_failed().into());
    }
    Ok(())
}

/// Moves a revision on to `to` (reviewed or frozen) if it is still at `version`.
pub fn advance(
    tx: &mut TenantTx<'_>,
    r: &SnapshotRow,
    version: i64,
    to: SnapshotState,
    by: &str,
) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    let now = Utc::now().naive_utc();
    let target = s::table.filter(
        s::tenant_id
            .eq(tid)
            .and(s::id.eq(&r.id))
            .and(s::version.eq(version)),
    );
    let n = match to {
        SnapshotState::Reviewed => diesel::update(target)
            .set((
                s::state.eq(to.as_str()),
                s::reviewed_by.eq(by),
                s::reviewed_at.eq(now),
                s::version.eq(version + 1),
            ))
            .execute(tx.conn())?,
        SnapshotState::Frozen => diesel::update(target)
            .set((
                s::state.eq(to.as_str()),
                s::frozen_by.eq(by),
                s::frozen_at.eq(now),
                s::version.eq(version + 1),
            ))
            .execute(tx.conn())?,
        SnapshotState::Computed => 0,
    };
    if n == 0 {
        return Err(AppError::precondition_failed().into());
    }
    Ok(())
}
