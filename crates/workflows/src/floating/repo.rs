//! Floating-member cases, their activities and chases, in storage.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::api::PageRequest;
use crate::db::schema::{
    floating_activities as fa, floating_cases as fc, floating_chases as ch, org_units as o,
};
use crate::db::{DbError, DbResult, TenantTx};
use crate::error::AppError;
use crate::org::model::subtree_end;
use crate::org::scope::Visibility;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = fc)]
pub struct CaseRow {
    pub tenant_id: String,
    pub id: String,
    pub member_id: String,
    pub year: i32,
    pub branch_id: String,
    pub state: String,
    pub home_contact_unit: String,
    pub home_org_address: Option<String>,
    pub operating_since: NaiveDate,
    pub registered_on: NaiveDate,
    pub note: Option<String>,
    pub proof_reference: Option<String>,
    pub proof_date: Option<NaiveDate>,
    pub confirmed_on: Option<NaiveDate>,
    pub evaluation: Option<String>,
    pub secretary_name: Option<String>,
    pub evaluated_on: Option<NaiveDate>,
    pub sent_on: Option<NaiveDate>,
    pub sent_method: Option<String>,
    pub sent_note: Option<String>,
    pub received_on: Option<NaiveDate>,
    pub received_by: Option<String>,
    pub receipt_note: Option<String>,
    pub archived_on: Option<NaiveDate>,
    pub archive_reference: Option<String>,
    pub registered_by: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Everything of a case that the workflow writes; the step functions change a copy and store it.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = fc)]
#[diesel(treat_none_as_null = true)]
pub struct CaseValues {
    pub member_id: String,
    pub year: i32,
    pub branch_id: String,
    pub state: String,
    pub home_contact_unit: String,
    pub home_org_address: Option<String>,
    pub operating_since: NaiveDate,
    pub registered_on: NaiveDate,
    pub note: Option<String>,
    pub proof_reference: Option<String>,
    pub proof_date: Option<NaiveDate>,
    pub confirmed_on: Option<NaiveDate>,
    pub evaluation: Option<String>,
    pub secretary_name: Option<String>,
    pub evaluated_on: Option<NaiveDate>,
    pub sent_on: Option<NaiveDate>,
    pub sent_method: Option<String>,
    pub sent_note: Option<String>,
    pub received_on: Option<NaiveDate>,
    pub received_by: Option<String>,
    pub receipt_note: Option<String>,
    pub archived_on: Option<NaiveDate>,
    pub archive_reference: Option<String>,
}

impl CaseValues {
    pub fn from_row(r: &CaseRow) -> Self {
        Self {
            member_id: r.member_id.clone(),
            year: r.year,
            branch_id: r.branch_id.clone(),
            state: r.state.clone(),
            home_contact_unit: r.home_contact_unit.clone(),
            home_org_address: r.home_org_address.clone(),
            operating_since: r.operating_since,
            registered_on: r.registered_on,
            note: r.note.clone(),
            proof_reference: r.proof_reference.clone(),
            proof_date: r.proof_date,
            confirmed_on: r.confirmed_on,
            evaluation: r.evaluation.clone(),
            secretary_name: r.secretary_name.clone(),
            evaluated_on: r.evaluated_on,
            sent_on: r.sent_on,
            sent_method: r.sent_method.clone(),
            sent_note: r.sent_note.clone(),
            received_on: r.received_on,
            received_by: r.received_by.clone(),
            receipt_note: r.receipt_note.clone(),
            archived_on: r.archived_on,
            archive_reference: r.archive_reference.clone(),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = fa)]
pub struct ActivityRow {
    pub tenant_id: String,
    pub id: String,
    pub case_id: String,
    pub held_on: NaiveDate,
    pub kind: String,
    pub content: String,
    pub recorded_by: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ch)]
pub struct ChaseRow {
    pub tenant_id: String,
    pub id: String,
    pub case_id: String,
    pub chased_on: NaiveDate,
    pub method: String,
    pub note: Option<String>,
    pub recorded_by: String,
    pub created_at: NaiveDateTime,
}

fn duplicate(e: DbError) -> DbError {
    if e.is_unique_violation() {
        AppError::conflict(
            "already_registered",
            "该党员本年度已登记为流动党员",
            "The member is already registered as a floating member for this year",
        )
        .into()
    } else {
        e
    }
}

pub fn insert(tx: &mut TenantTx<'_>, v: &CaseValues, by: &str) -> DbResult<CaseRow> {
    let tid = tx.tid().to_owned();
    let id = uuid::Uuid::now_v7().to_string();
    let now = Utc::now().naive_utc();
    diesel::insert_into(fc::table)
        .values((
            fc::tenant_id.eq(&tid),
            fc::id.eq(&id),
            v,
            fc::registered_by.eq(by),
            fc::version.eq(1i64),
            fc::created_at.eq(now),
            fc::updated_at.eq(now),
        ))
        .execute(tx.conn())
        .map_err(|e| duplicate(e.into()))?;
    get(tx, &id)?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("inserted case vanished")).into())
}

pub fn get(tx: &mut TenantTx<'_>, id: &str) -> DbResult<Option<CaseRow>> {
    let tid = tx.tid().to_owned();
    Ok(fc::table
        .filter(fc::tenant_id.eq(tid).and(fc::id.eq(id)))
        .select(CaseRow::as_select())
        .first(tx.conn())
        .optional()?)
}

/// The member's latest case before `year`, whose registration a new year's case carries over.
pub fn previous(tx: &mut TenantTx<'_>, member_id: &str, year: i32) -> DbResult<Option<CaseRow>> {
    let tid = tx.tid().to_owned();
    Ok(fc::table
        .filter(fc::tenant_id.eq(tid).and(fc::member_id.eq(member_id)))
        .filter(fc::year.lt(year))
        .order(fc::year.desc())
        .select(CaseRow::as_select())
        .first(tx.conn())
        .optional()?)
}

/// Every case of a member, oldest year first (the time line).
pub fn of_member(tx: &mut TenantTx<'_>, member_id: &str) -> DbResult<Vec<CaseRow>> {
    let tid = tx.tid().to_owned();
    Ok(fc::table
        .filter(fc::tenant_id.eq(tid).and(fc::member_id.eq(member_id)))
        .order((fc::year.asc(), fc::id.asc()))
        .select(CaseRow::as_select())
        .load(tx.conn())?)
}

/// Writes new values if the case is at `expected`.
pub fn update(tx: &mut TenantTx<'_>, id: &str, expected: i64, v: &CaseValues) -> DbResult<CaseRow> {
    let tid = tx.tid().to_owned();
    let n = diesel::update(
        fc::table.filter(
            fc::tenant_id
                .eq(&tid)
                .and(fc::id.eq(id))
                .and(fc::version.eq(expected)),
        ),
    )
    .set((
        v,
        fc::version.eq(expected + 1),
        fc::updated_at.eq(Utc::now().naive_utc()),
    ))
    .execute(tx.conn())?;
    if n == 0 {
        return Err(AppError::precondition_failed().into());
    }
    get(tx, id)?.ok_or_else(|| AppError::not_found().into())
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub state: Option<&'static str>,
    pub year: Option<i32>,
    pub branch_id: Option<String>,
    pub member_id: Option<String>,
}

/// Cases whose responsible branch the caller sees, in registration order.
pub fn list(
    tx: &mut TenantTx<'_>,
    vis: &Visibility,
    page: &PageRequest,
    f: &Filter,
) -> DbResult<Vec<CaseRow>> {
    let tid = tx.tid().to_owned();
    let mut q = fc::table
        .filter(fc::tenant_id.eq(&tid))
        .select(CaseRow::as_select())
        .into_boxed();
    match vis {
        Visibility::County => {}
        Visibility::Nothing => return Ok(Vec::new()),
        Visibility::Subtree(p) => {
            q = q.filter(
                fc::branch_id.eq_any(
                    o::table
                        .filter(o::tenant_id.eq(tid.clone()))
                        .filter(o::path.ge(p.clone()).and(o::path.lt(subtree_end(p))))
                        .select(o::id),
                ),
            );
        }
    }
    if let Some(s) = f.state {
        q = q.filter(fc::state.eq(s));
    }
    if let Some(y) = f.year {
        q = q.filter(fc::year.eq(y));
    }
    if let Some(b) = &f.branch_id {
        q = q.filter(fc::branch_id.eq(b.clone()));
    }
    if let Some(m) = &f.member_id {
        q = q.filter(fc::member_id.eq(m.clone()));
    }
    if let Some(after) = &page.after {
        q = q.filter(fc::id.gt(after.clone()));
    }
    Ok(q.order(fc::id.asc()).limit(page.fetch()).load(tx.conn())?)
}

/// Sent cases whose receipt is still out, longest outstanding first, scoped like [`list`].
pub fn outstanding(tx: &mut TenantTx<'_>, vis: &Visibility, limit: i64) -> DbResult<Vec<CaseRow>> {
    let tid = tx.tid().to_owned();
    let mut q = fc::table
        .filter(fc::tenant_id.eq(&tid))
        .filter(fc::state.eq("sent"))
        .select(CaseRow::as_select())
        .into_boxed();
    match vis {
        Visibility::County => {}
        Visibility::Nothing => return Ok(Vec::new()),
        Visibility::Subtree(p) => {
            q = q.filter(
                fc::branch_id.eq_any(
                    o::table
                        .filter(o::tenant_id.eq(tid.clone()))
                        .filter(o::path.ge(p.clone()).and(o::path.lt(subtree_end(p))))
                        .select(o::id),
                ),
            );
        }
    }
    Ok(q.order((fc::sent_on.asc(), fc::id.asc()))
        .limit(limit)
        .load(tx.conn())?)
}

pub fn insert_activities(tx: &mut TenantTx<'_>, rows: &[ActivityRow]) -> DbResult<()> {
    for chunk in rows.chunks(500) {
        crate::insert_rows!(tx.conn(), fa::table, chunk)?;
    }
    Ok(())
}

/// A case's activities, by date; only those held in `year` when given.
pub fn activities(
    tx: &mut TenantTx<'_>,
    case_id: &str,
    year: Option<i32>,
) -> DbResult<Vec<ActivityRow>> {
    let tid = tx.tid().to_owned();
    let mut q = fa::table
        .filter(fa::tenant_id.eq(tid).and(fa::case_id.eq(case_id)))
        .select(ActivityRow::as_select())
        .into_boxed();
    if let Some((from, to)) = year.and_then(|y| {
        Some((
            NaiveDate::from_ymd_opt(y, 1, 1)?,
            NaiveDate::from_ymd_opt(y, 12, 31)?,
        ))
    }) {
        q = q.filter(fa::held_on.ge(from).and(fa::held_on.le(to)));
    }
    Ok(q.order((fa::held_on.asc(), fa::id.asc())).load(tx.conn())?)
}

pub fn insert_chases(tx: &mut TenantTx<'_>, rows: &[ChaseRow]) -> DbResult<()> {
    for chunk in rows.chunks(500) {
        crate::insert_rows!(tx.conn(), ch::table, chunk)?;
    }
    Ok(())
}

/// The chases of some cases, oldest first.
pub fn chases(tx: &mut TenantTx<'_>, case_ids: &[String]) -> DbResult<Vec<ChaseRow>> {
    let tid = tx.tid().to_owned();
    let mut out = Vec::new();
    for chunk in case_ids.chunks(500) {
        let mut rows: Vec<ChaseRow> = ch::table
            .filter(ch::tenant_id.eq(&tid).and(ch::case_id.eq_any(chunk)))
            .order((ch::chased_on.asc(), ch::id.asc()))
            .select(ChaseRow::as_select())
            .load(tx.conn())?;
        out.append(&mut rows);
    }
    Ok(out)
}

/// Inserts demo cases as they are (state and dates already consistent).
pub fn insert_cases(
    tx: &mut TenantTx<'_>,
    rows: &[(String, CaseValues)],
    by: &str,
) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    let now = Utc::now().naive_utc();
    for chunk in rows.chunks(200) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(id, v)| {
                (
                    fc::tenant_id.eq(tid.clone()),
                    fc::id.eq(id.clone()),
                    v.clone(),
                    fc::registered_by.eq(by),
                    fc::version.eq(1i64),
                    fc::created_at.eq(now),
                    fc::updated_at.eq(now),
                )
            })
            .collect();
        crate::insert_rows!(tx.conn(), fc::table, values)?;
    }
    Ok(())
}
