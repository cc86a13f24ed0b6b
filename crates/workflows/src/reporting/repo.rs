//! Handbooks, their numbers and the activity ledgers, in storage; and the two links between
//! a branch and a member held by a village that the linkage workflows share.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::HandbookState;
use crate::api::PageRequest;
use crate::db::schema::{
    activity_ledger as al, grid_townships as gt, grids as g, handbook_counters as hc,
    handbooks as h, members as m, org_units as ou, tenants as t,
};
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::org::model::subtree_end;
use crate::org::repo::OrgUnitRow;
use crate::org::scope::Visibility;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = h)]
pub struct HandbookRow {
    pub tenant_id: String,
    pub id: String,
    pub reporting_id: String,
    pub member_id: String,
    pub branch_id: String,
    pub village_id: String,
    pub handbook_no: String,
    pub card_no: String,
    pub state: String,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    pub issued_by: String,
    pub village_reported_on: Option<NaiveDate>,
    pub village_confirmed_by: Option<String>,
    pub village_note: Option<String>,
    pub branch_reported_on: Option<NaiveDate>,
    pub branch_confirmed_by: Option<String>,
    pub branch_note: Option<String>,
    pub replaces_id: Option<String>,
    pub replaced_by_id: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub closed_by: Option<String>,
    pub close_reason: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl HandbookRow {
    pub fn state(&self) -> HandbookState {
        // The CHECK constraint admits only known states.
        HandbookState::parse(&self.state).unwrap_or(HandbookState::Issued)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = al)]
pub struct LedgerRow {
    pub tenant_id: String,
    pub id: String,
    pub org_unit_id: String,
    pub member_id: String,
    pub kind: String,
    pub happened_on: NaiveDate,
    pub handbook_id: Option<String>,
    pub note: Option<String>,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

pub fn get(tx: &mut TenantTx<'_>, id: &str) -> DbResult<Option<HandbookRow>> {
    let tid = tx.tid().to_owned();
    Ok(h::table
        .filter(h::tenant_id.eq(tid).and(h::id.eq(id)))
        .select(HandbookRow::as_select())
        .first(tx.conn())
        .optional()?)
}

pub fn insert(tx: &mut TenantTx<'_>, rows: &[HandbookRow]) -> DbResult<()> {
    // 26 values a row: well under both backends' bound-parameter limits.
    for chunk in rows.chunks(400) {
        crate::insert_rows!(tx.conn(), h::table, chunk)?;
    }
    Ok(())
}

pub fn insert_ledger(tx: &mut TenantTx<'_>, rows: &[LedgerRow]) -> DbResult<()> {
    for chunk in rows.chunks(500) {
        crate::insert_rows!(tx.conn(), al::table, chunk)?;
    }
    Ok(())
}

/// The member's handbook still in force (issued, reported anywhere), newest first.
pub fn current_for_member(tx: &mut TenantTx<'_>, member_id: &str) -> DbResult<Vec<HandbookRow>> {
    let tid = tx.tid().to_owned();
    Ok(h::table
        .filter(h::tenant_id.eq(tid).and(h::member_id.eq(member_id)))
        .filter(h::state.eq_any(["issued", "reported_to_village", "reported_to_branch"]))
        .select(HandbookRow::as_select())
        .order(h::issued_on.desc())
        .load(tx.conn())?)
}

pub fn number_taken(tx: &mut TenantTx<'_>, handbook: &str, card: &str) -> DbResult<(bool, bool)> {
    let tid = tx.tid().to_owned();
    let hb: i64 = h::table
        .filter(h::tenant_id.eq(&tid).and(h::handbook_no.eq(handbook)))
        .count()
        .get_result(tx.conn())?;
    let cd: i64 = h::table
        .filter(h::tenant_id.eq(&tid).and(h::card_no.eq(card)))
        .count()
        .get_result(tx.conn())?;
    Ok((hb > 0, cd > 0))
}

/// The next number of the county's sequence for `year`. The counter row is updated before it
/// is read, so concurrent issues take turns on its row lock (PostgreSQL) or the writer lock
/// (SQLite) and never get the same number.
pub fn next_seq(tx: &mut TenantTx<'_>, year: i32) -> DbResult<i32> {
    let tid = tx.tid().to_owned();
    let n = diesel::update(hc::table.filter(hc::tenant_id.eq(&tid).and(hc::year.eq(year))))
        .set(hc::last_seq.eq(hc::last_seq + 1))
        .execute(tx.conn())?;
    if n == 0 {
        diesel::insert_into(hc::table)
            .values((
                hc::tenant_id.eq(&tid),
                hc::year.eq(year),
                hc::last_seq.eq(1),
            ))
            .execute(tx.conn())?;
        return Ok(1);
    }
    Ok(hc::table
        .filter(hc::tenant_id.eq(&tid).and(hc::year.eq(year)))
        .select(hc::last_seq)
        .first(tx.conn())?)
}

/// Sets the counter (the demo generator hands out numbers itself).
pub fn set_seq(tx: &mut TenantTx<'_>, year: i32, last: i32) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    diesel::delete(hc::table.filter(hc::tenant_id.eq(&tid).and(hc::year.eq(year))))
        .execute(tx.conn())?;
    diesel::insert_into(hc::table)
        .values((
            hc::tenant_id.eq(&tid),
            hc::year.eq(year),
            hc::last_seq.eq(last),
        ))
        .execute(tx.conn())?;
    Ok(())
}

/// The county's name and division code.
pub fn county(tx: &mut TenantTx<'_>) -> DbResult<(String, String)> {
    let tid = tx.tid().to_owned();
    Ok(t::table
        .filter(t::id.eq(tid))
        .select((t::name, t::code))
        .first(tx.conn())?)
}

/// Ids of the units in the subtree at `path`.
pub fn subtree_ids(tx: &mut TenantTx<'_>, path: &str) -> DbResult<Vec<String>> {
    let tid = tx.tid().to_owned();
    let end = subtree_end(path);
    Ok(ou::table
        .filter(ou::tenant_id.eq(tid))
        .filter(ou::path.ge(path).and(ou::path.lt(end)))
        .select(ou::id)
        .load(tx.conn())?)
}

/// Names of units by id.
pub fn unit_names(
    tx: &mut TenantTx<'_>,
    ids: &[String],
) -> DbResult<std::collections::HashMap<String, String>> {
    let tid = tx.tid().to_owned();
    let mut out = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(String, String)> = ou::table
            .filter(ou::tenant_id.eq(&tid).and(ou::id.eq_any(chunk)))
            .select((ou::id, ou::name))
            .load(tx.conn())?;
        out.extend(rows);
    }
    Ok(out)
}

/// Names of members by id.
pub fn member_names(
    tx: &mut TenantTx<'_>,
    ids: &[String],
) -> DbResult<std::collections::HashMap<String, String>> {
    let tid = tx.tid().to_owned();
    let mut out = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(String, String)> = m::table
            .filter(m::tenant_id.eq(&tid).and(m::id.eq_any(chunk)))
            .select((m::id, m::name))
            .load(tx.conn())?;
        out.extend(rows);
    }
    Ok(out)
}

/// The party branches of the grids that serve the village's township now: the branches the
/// village is linked with (双联).
pub fn grid_branches_of_village(
    tx: &mut TenantTx<'_>,
    village: &OrgUnitRow,
) -> DbResult<Vec<String>> {
    let tid = tx.tid().to_owned();
    let Some(township) = village.parent_id.clone() else {
        return Ok(vec![]);
    };
    let grids: Vec<String> = gt::table
        .filter(gt::tenant_id.eq(&tid).and(gt::township_id.eq(township)))
        .filter(gt::valid_to.is_null())
        .select(gt::grid_id)
        .load(tx.conn())?;
    let branches: Vec<Option<String>> = g::table
        .filter(g::tenant_id.eq(&tid).and(g::id.eq_any(grids)))
        .select(g::party_branch_id)
        .load(tx.conn())?;
    Ok(branches.into_iter().flatten().collect())
}

/// Whether `branch` (a branch or party branch) and `village` are linked: a grid joins the
/// village's township with the branch (or a party branch under it), or the branch issued a
/// handbook (not cancelled) to a member held by the village.
pub fn linked(tx: &mut TenantTx<'_>, branch: &OrgUnitRow, village: &OrgUnitRow) -> DbResult<bool> {
    let vis = Visibility::Subtree(branch.path.clone());
    for pb in grid_branches_of_village(tx, village)? {
        if crate::org::repo::get(tx, &pb)?.is_some_and(|u| vis.sees(&u)) {
            return Ok(true);
        }
    }
    let tid = tx.tid().to_owned();
    let ids = subtree_ids(tx, &branch.path)?;
    let n: i64 = h::table
        .filter(h::tenant_id.eq(tid).and(h::village_id.eq(&village.id)))
        .filter(h::branch_id.eq_any(ids))
        .filter(h::state.ne("cancelled"))
        .count()
        .get_result(tx.conn())?;
    Ok(n > 0)
}

/// Whether the caller reaches a member: the register's own rule (org-life or membership unit
/// in the caller's subtree), or, for a member held by a village, a grid that links the village
/// with a party branch in the caller's subtree, or a handbook issued from the caller's subtree.
pub fn member_reachable(
    tx: &mut TenantTx<'_>,
    vis: &Visibility,
    member: &crate::members::repo::MemberRow,
) -> DbResult<bool> {
    if crate::members::repo::visible(tx, vis, member)? {
        return Ok(true);
    }
    let Visibility::Subtree(path) = vis else {
        return Ok(false);
    };
    if let Some(v) = &member.membership_unit_id
        && let Some(village) = crate::org::repo::get(tx, v)?
    {
        for pb in grid_branches_of_village(tx, &village)? {
            if crate::org::repo::get(tx, &pb)?.is_some_and(|u| vis.sees(&u)) {
                return Ok(true);
            }
        }
    }
    let tid = tx.tid().to_owned();
    let ids = subtree_ids(tx, path)?;
    let n: i64 = h::table
        .filter(h::tenant_id.eq(tid).and(h::member_id.eq(&member.id)))
        .filter(h::branch_id.eq_any(ids))
        .count()
        .get_result(tx.conn())?;
    Ok(n > 0)
}

/// List filters for handbooks.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub state: Option<HandbookState>,
    pub member_id: Option<String>,
    pub branch_id: Option<String>,
    pub village_id: Option<String>,
    /// Only open handbooks past their due day as of this date.
    pub overdue_as_of: Option<NaiveDate>,
    /// The caller's units (None: the whole county): a handbook is listed when its branch or its
    /// village is one of them.
    pub units: Option<Vec<String>>,
}

pub fn list(tx: &mut TenantTx<'_>, f: &Filter, page: &PageRequest) -> DbResult<Vec<HandbookRow>> {
    let tid = tx.tid().to_owned();
    let mut q = h::table
        .filter(h::tenant_id.eq(tid))
        .select(HandbookRow::as_select())
        .into_boxed();
    if let Some(units) = &f.units {
        q = q.filter(
            h::branch_id
                .eq_any(units.clone())
                .or(h::village_id.eq_any(units.clone())),
        );
    }
    if let Some(s) = f.state {
        q = q.filter(h::state.eq(s.as_str()));
    }
    if let Some(v) = &f.member_id {
        q = q.filter(h::member_id.eq(v.clone()));
    }
    if let Some(v) = &f.branch_id {
        q = q.filter(h::branch_id.eq(v.clone()));
    }
    if let Some(v) = &f.village_id {
        q = q.filter(h::village_id.eq(v.clone()));
    }
    if let Some(d) = f.overdue_as_of {
        q = q
            .filter(h::state.eq_any(["issued", "reported_to_village"]))
            .filter(h::due_on.lt(d));
    }
    if let Some(after) = &page.after {
        q = q.filter(h::id.gt(after.clone()));
    }
    Ok(q.order(h::id.asc()).limit(page.fetch()).load(tx.conn())?)
}

/// The ledger entries of the units `ids`, newest first.
pub fn ledger(
    tx: &mut TenantTx<'_>,
    ids: &[String],
    page: &PageRequest,
) -> DbResult<Vec<LedgerRow>> {
    let tid = tx.tid().to_owned();
    let mut q = al::table
        .filter(al::tenant_id.eq(tid))
        .filter(al::org_unit_id.eq_any(ids.to_vec()))
        .select(LedgerRow::as_select())
        .into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(al::id.gt(after.clone()));
    }
    Ok(q.order(al::id.asc()).limit(page.fetch()).load(tx.conn())?)
}

/// Every handbook of a member, oldest first (the time line).
pub fn of_member(tx: &mut TenantTx<'_>, member_id: &str) -> DbResult<Vec<HandbookRow>> {
    let tid = tx.tid().to_owned();
    Ok(h::table
        .filter(h::tenant_id.eq(tid).and(h::member_id.eq(member_id)))
        .select(HandbookRow::as_select())
        .order((h::issued_on.asc(), h::id.asc()))
        .load(tx.conn())?)
}

/// A member's ledger entries, oldest first.
pub fn ledger_of_member(tx: &mut TenantTx<'_>, member_id: &str) -> DbResult<Vec<LedgerRow>> {
    let tid = tx.tid().to_owned();
    Ok(al::table
        .filter(al::tenant_id.eq(tid).and(al::member_id.eq(member_id)))
        .select(LedgerRow::as_select())
        .order((al::happened_on.asc(), al::id.asc()))
        .load(tx.conn())?)
}
