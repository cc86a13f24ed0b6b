//! Queries on QQ groups, rosters, snapshots, history and the county's deadline setting, always
//! inside the county's transaction and filtered by it.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::model::JoinDeadline;
use crate::api::PageRequest;
use crate::db::schema::{
    grid_townships as gt, grids as g, org_units as o, qq_groups as qg, qq_roster_entries as qe,
    qq_roster_history as qh, qq_settings as qs, qq_snapshot_people as qp, qq_snapshots as qn,
};
use crate::db::{AnyConnection, DbError, DbResult, TenantTx};
use crate::error::{AppError, FieldError};
use crate::org::model::subtree_end;
use crate::org::repo::OrgUnitRow;
use crate::org::scope::Visibility;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = qg)]
pub struct GroupRow {
    pub tenant_id: String,
    pub id: String,
    pub name: String,
    pub group_number: Option<String>,
    pub grid_id: Option<String>,
    pub org_unit_id: Option<String>,
    pub maintainer_id: String,
    pub active: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A group as written, every value validated.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = qg)]
#[diesel(treat_none_as_null = true)]
pub struct GroupValues {
    pub name: String,
    pub group_number: Option<String>,
    pub grid_id: Option<String>,
    pub org_unit_id: Option<String>,
    pub maintainer_id: String,
    pub active: bool,
}

impl GroupValues {
    pub fn from_row(r: &GroupRow) -> Self {
        Self {
            name: r.name.clone(),
            group_number: r.group_number.clone(),
            grid_id: r.grid_id.clone(),
            org_unit_id: r.org_unit_id.clone(),
            maintainer_id: r.maintainer_id.clone(),
            active: r.active,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = qe)]
pub struct EntryRow {
    pub tenant_id: String,
    pub id: String,
    pub group_id: String,
    pub real_name: String,
    pub role: String,
    pub org_unit_id: Option<String>,
    pub qq_enc: String,
    pub qq_bidx: String,
    pub member_id: Option<String>,
    pub joined_on: Option<NaiveDate>,
    pub verified: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A roster entry as written: validated, the QQ number already encrypted and indexed.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = qe)]
#[diesel(treat_none_as_null = true)]
pub struct EntryValues {
    pub real_name: String,
    pub role: String,
    pub org_unit_id: Option<String>,
    pub qq_enc: String,
    pub qq_bidx: String,
    pub member_id: Option<String>,
    pub joined_on: Option<NaiveDate>,
    pub verified: bool,
}

impl EntryValues {
    pub fn from_row(r: &EntryRow) -> Self {
        Self {
            real_name: r.real_name.clone(),
            role: r.role.clone(),
            org_unit_id: r.org_unit_id.clone(),
            qq_enc: r.qq_enc.clone(),
            qq_bidx: r.qq_bidx.clone(),
            member_id: r.member_id.clone(),
            joined_on: r.joined_on,
            verified: r.verified,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = qn)]
pub struct SnapshotRow {
    pub tenant_id: String,
    pub id: String,
    pub group_id: String,
    pub taken_on: NaiveDate,
    pub source: String,
    pub people: i32,
    pub matched: i32,
    pub missing: i32,
    pub unknown: i32,
    pub unverified: i32,
    pub imported_by: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = qp)]
pub struct SnapshotPersonRow {
    pub tenant_id: String,
    pub snapshot_id: String,
    pub line_no: i32,
    pub group_id: String,
    pub qq_enc: String,
    pub qq_bidx: String,
    pub nickname_enc: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = qh)]
pub struct HistoryRow {
    pub tenant_id: String,
    pub id: String,
    pub group_id: String,
    pub entry_id: Option<String>,
    pub at: NaiveDateTime,
    pub actor_id: String,
    pub action: String,
    pub changes: String,
}

fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

// ---------------------------------------------------------------- settings --

/// The county's join deadline and its version (0: never set, the default applies).
pub fn deadline(tx: &mut TenantTx<'_>) -> DbResult<(JoinDeadline, i64)> {
    let tid = tx.tid().to_owned();
    let row: Option<(i32, i32, i64)> = qs::table
        .filter(qs::tenant_id.eq(tid))
        .select((qs::deadline_month, qs::deadline_day, qs::version))
        .first(tx.conn())
        .optional()?;
    Ok(match row {
        Some((m, d, v)) => (JoinDeadline::new(m as u32, d as u32).unwrap_or_default(), v),
        None => (JoinDeadline::default(), 0),
    })
}

/// Sets the deadline if the setting is at `expected` (0 for the never-set default).
pub fn set_deadline(
    tx: &mut TenantTx<'_>,
    expected: i64,
    d: JoinDeadline,
    actor: &str,
) -> DbResult<i64> {
    let (_, current) = deadline(tx)?;
    if current != expected {
        return Err(AppError::precondition_failed().into());
    }
    let tid = tx.tid().to_owned();
    if current == 0 {
        diesel::insert_into(qs::table)
            .values((
                qs::tenant_id.eq(&tid),
                qs::deadline_month.eq(d.month() as i32),
                qs::deadline_day.eq(d.day() as i32),
                qs::version.eq(1i64),
                qs::updated_by.eq(actor),
                qs::updated_at.eq(now()),
            ))
            .execute(tx.conn())
            .map_err(|e| {
                let e = DbError::from(e);
                if e.is_unique_violation() {
                    AppError::precondition_failed().into()
                } else {
                    e
                }
            })?;
        return Ok(1);
    }
    let n = diesel::update(qs::table.filter(qs::tenant_id.eq(&tid).and(qs::version.eq(expected))))
        .set((
            qs::deadline_month.eq(d.month() as i32),
            qs::deadline_day.eq(d.day() as i32),
            qs::version.eq(expected + 1),
            qs::updated_by.eq(actor),
            qs::updated_at.eq(now()),
        ))
        .execute(tx.conn())?;
    if n == 0 {
        return Err(AppError::precondition_failed().into());
    }
    Ok(expected + 1)
}

// ------------------------------------------------------------------ groups --

pub fn get_group(tx: &mut TenantTx<'_>, id: &str) -> DbResult<Option<GroupRow>> {
    let tid = tx.tid().to_owned();
    Ok(qg::table
        .filter(qg::tenant_id.eq(tid).and(qg::id.eq(id)))
        .select(GroupRow::as_select())
        .first(tx.conn())
        .optional()?)
}

pub fn insert_group(tx: &mut TenantTx<'_>, v: &GroupValues) -> DbResult<GroupRow> {
    let tid = tx.tid().to_owned();
    let id = uuid::Uuid::now_v7().to_string();
    let at = now();
    diesel::insert_into(qg::table)
        .values((
            qg::tenant_id.eq(&tid),
            qg::id.eq(&id),
            v,
            qg::version.eq(1i64),
            qg::created_at.eq(at),
            qg::updated_at.eq(at),
        ))
        .execute(tx.conn())?;
    get_group(tx, &id)?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("inserted QQ group vanished")).into())
}

pub fn update_group(
    tx: &mut TenantTx<'_>,
    id: &str,
    expected: i64,
    v: &GroupValues,
) -> DbResult<GroupRow> {
    let tid = tx.tid().to_owned();
    let n = diesel::update(
        qg::table.filter(
            qg::tenant_id
                .eq(&tid)
                .and(qg::id.eq(id))
                .and(qg::version.eq(expected)),
        ),
    )
    .set((v, qg::version.eq(expected + 1), qg::updated_at.eq(now())))
    .execute(tx.conn())?;
    if n == 0 {
        return Err(AppError::precondition_failed().into());
    }
    get_group(tx, id)?.ok_or_else(|| AppError::not_found().into())
}

/// The org units a group serves: its region, or its grid's AIC office, party branch and
/// current townships.
pub fn group_units(tx: &mut TenantTx<'_>, grp: &GroupRow) -> DbResult<Vec<OrgUnitRow>> {
    let ids = match (&grp.org_unit_id, &grp.grid_id) {
        (Some(u), _) => vec![u.clone()],
        (None, Some(grid)) => grid_unit_ids(tx, grid)?,
        (None, None) => Vec::new(),
    };
    let mut out = Vec::new();
    for id in ids {
        if let Some(u) = crate::org::repo::get(tx, &id)? {
            out.push(u);
        }
    }
    Ok(out)
}

fn grid_unit_ids(tx: &mut TenantTx<'_>, grid_id: &str) -> DbResult<Vec<String>> {
    let Some(grid) = crate::grids::repo::get(tx, grid_id)? else {
        return Ok(Vec::new());
    };
    let mut ids = vec![grid.aic_office_id.clone()];
    ids.extend(grid.party_branch_id.clone());
    ids.extend(
        crate::grids::repo::periods(tx, grid_id, false)?
            .into_iter()
            .map(|p| p.township_id),
    );
    Ok(ids)
}

/// Whether a user sees a group: county-wide roles always; a scoped user when they are its
/// maintainer or one of the units it serves is relevant to their unit (rules::relevant).
pub fn group_visible(
    tx: &mut TenantTx<'_>,
    vis: &Visibility,
    me: &str,
    grp: &GroupRow,
) -> DbResult<bool> {
    match vis {
        Visibility::County => Ok(true),
        Visibility::Nothing => Ok(false),
        Visibility::Subtree(p) => {
            if grp.maintainer_id == me {
                return Ok(true);
            }
            Ok(group_units(tx, grp)?
                .iter()
                .any(|u| super::rules::relevant(p, &u.path)))
        }
    }
}

/// What a scoped user's list is narrowed to.
#[derive(Debug, Clone)]
pub struct ScopeFilter {
    pub me: String,
    /// The user's subtree path.
    pub path: String,
    /// Grids with a unit relevant to the user.
    pub grid_ids: Vec<String>,
}

/// The grids relevant to a user bound at `path` (a county has a handful: checked in Rust).
pub fn relevant_grids(tx: &mut TenantTx<'_>, path: &str) -> DbResult<Vec<String>> {
    let tid = tx.tid().to_owned();
    let grids: Vec<String> = g::table
        .filter(g::tenant_id.eq(&tid))
        .select(g::id)
        .load(tx.conn())?;
    let mut out = Vec::new();
    for id in grids {
        let units = grid_unit_ids(tx, &id)?;
        let paths: Vec<String> = o::table
            .filter(o::tenant_id.eq(&tid).and(o::id.eq_any(units)))
            .select(o::path)
            .load(tx.conn())?;
        if paths.iter().any(|u| super::rules::relevant(path, u)) {
            out.push(id);
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Default)]
pub struct GroupFilter {
    pub grid_id: Option<String>,
    pub org_unit_id: Option<String>,
    pub maintainer_id: Option<String>,
    pub active: Option<bool>,
    pub scope: Option<ScopeFilter>,
}

pub fn list_groups(
    tx: &mut TenantTx<'_>,
    page: &PageRequest,
    f: &GroupFilter,
) -> DbResult<Vec<GroupRow>> {
    let tid = tx.tid().to_owned();
    let mut q = qg::table
        .filter(qg::tenant_id.eq(&tid))
        .select(GroupRow::as_select())
        .into_boxed();
    if let Some(x) = &f.grid_id {
        q = q.filter(qg::grid_id.eq(x.clone()));
    }
    if let Some(x) = &f.org_unit_id {
        q = q.filter(qg::org_unit_id.eq(x.clone()));
    }
    if let Some(x) = &f.maintainer_id {
        q = q.filter(qg::maintainer_id.eq(x.clone()));
    }
    if let Some(a) = f.active {
        q = q.filter(qg::active.eq(a));
    }
    if let Some(s) = &f.scope {
        let subtree = o::table
            .filter(
                o::tenant_id
                    .eq(tid.clone())
                    .and(o::path.ge(s.path.clone()))
                    .and(o::path.lt(subtree_end(&s.path))),
            )
            .select(o::id.nullable());
        let ancestors: Vec<String> = s
            .path
            .split('/')
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect();
        q = q.filter(
            qg::maintainer_id
                .eq(s.me.clone())
                .or(qg::org_unit_id.eq_any(subtree))
                .or(qg::org_unit_id.eq_any(ancestors))
                .or(qg::grid_id.eq_any(s.grid_ids.clone())),
        );
    }
    if let Some(after) = &page.after {
        q = q.filter(qg::id.gt(after.clone()));
    }
    Ok(q.order(qg::id.asc()).limit(page.fetch()).load(tx.conn())?)
}

// ----------------------------------------------------------------- roster --

fn duplicate_qq(e: DbError) -> DbError {
    if e.is_unique_violation() {
        AppError::conflict(
            "duplicate_qq",
            "该QQ号已在本群名单中",
            "This QQ number is already on the group's roster",
        )
        .with_field(FieldError::new(
            "qq",
            "taken",
            "qq：该QQ号已在名单中",
            "qq: already on the roster",
        ))
        .into()
    } else {
        e
    }
}

pub fn get_entry(tx: &mut TenantTx<'_>, group_id: &str, id: &str) -> DbResult<Option<EntryRow>> {
    let tid = tx.tid().to_owned();
    Ok(qe::table
        .filter(
            qe::tenant_id
                .eq(tid)
                .and(qe::group_id.eq(group_id))
                .and(qe::id.eq(id)),
        )
        .select(EntryRow::as_select())
        .first(tx.conn())
        .optional()?)
}

pub fn insert_entry(tx: &mut TenantTx<'_>, group_id: &str, v: &EntryValues) -> DbResult<EntryRow> {
    let tid = tx.tid().to_owned();
    let id = uuid::Uuid::now_v7().to_string();
    let at = now();
    diesel::insert_into(qe::table)
        .values((
            qe::tenant_id.eq(&tid),
            qe::id.eq(&id),
            qe::group_id.eq(group_id),
            v,
            qe::version.eq(1i64),
            qe::created_at.eq(at),
            qe::updated_at.eq(at),
        ))
        .execute(tx.conn())
        .map_err(|e| duplicate_qq(e.into()))?;
    get_entry(tx, group_id, &id)?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("inserted roster entry vanished")).into())
}

pub fn update_entry(
    tx: &mut TenantTx<'_>,
    group_id: &str,
    id: &str,
    expected: i64,
    v: &EntryValues,
) -> DbResult<EntryRow> {
    let tid = tx.tid().to_owned();
    let n = diesel::update(
        qe::table.filter(
            qe::tenant_id
                .eq(&tid)
                .and(qe::group_id.eq(group_id))
                .and(qe::id.eq(id))
                .and(qe::version.eq(expected)),
        ),
    )
    .set((v, qe::version.eq(expected + 1), qe::updated_at.eq(now())))
    .execute(tx.conn())
    .map_err(|e| duplicate_qq(e.into()))?;
    if n == 0 {
        return Err(AppError::precondition_failed().into());
    }
    get_entry(tx, group_id, id)?.ok_or_else(|| AppError::not_found().into())
}

pub fn delete_entry(
    tx: &mut TenantTx<'_>,
    group_id: &str,
    id: &str,
    expected: i64,
) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    let n = diesel::delete(
        qe::table.filter(
            qe::tenant_id
                .eq(&tid)
                .and(qe::group_id.eq(group_id))
                .and(qe::id.eq(id))
                .and(qe::version.eq(expected)),
        ),
    )
    .execute(tx.conn())?;
    if n == 0 {
        return Err(AppError::precondition_failed().into());
    }
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct EntryFilter {
    pub qq_bidx: Option<String>,
    pub role: Option<&'static str>,
    pub verified: Option<bool>,
}

pub fn list_entries(
    tx: &mut TenantTx<'_>,
    group_id: &str,
    page: &PageRequest,
    f: &EntryFilter,
) -> DbResult<Vec<EntryRow>> {
    let tid = tx.tid().to_owned();
    let mut q = qe::table
        .filter(
            qe::tenant_id
                .eq(tid)
                .and(qe::group_id.eq(group_id.to_owned())),
        )
        .select(EntryRow::as_select())
        .into_boxed();
    if let Some(b) = &f.qq_bidx {
        q = q.filter(qe::qq_bidx.eq(b.clone()));
    }
    if let Some(r) = f.role {
        q = q.filter(qe::role.eq(r));
    }
    if let Some(v) = f.verified {
        q = q.filter(qe::verified.eq(v));
    }
    if let Some(after) = &page.after {
        q = q.filter(qe::id.gt(after.clone()));
    }
    Ok(q.order(qe::id.asc()).limit(page.fetch()).load(tx.conn())?)
}

/// The whole roster of a group, in the order entries were added.
pub fn roster(tx: &mut TenantTx<'_>, group_id: &str) -> DbResult<Vec<EntryRow>> {
    let tid = tx.tid().to_owned();
    Ok(qe::table
        .filter(qe::tenant_id.eq(tid).and(qe::group_id.eq(group_id)))
        .select(EntryRow::as_select())
        .order(qe::id.asc())
        .load(tx.conn())?)
}

// -------------------------------------------------------------- snapshots --

pub struct NewSnapshot<'a> {
    pub group_id: &'a str,
    pub taken_on: NaiveDate,
    pub source: &'a str,
    pub counts: [i32; 5],
    pub imported_by: &'a str,
}

/// One person of a snapshot, encrypted.
pub struct NewPerson {
    pub line_no: i32,
    pub qq_enc: String,
    pub qq_bidx: String,
    pub nickname_enc: Option<String>,
}

pub fn insert_snapshot(
    tx: &mut TenantTx<'_>,
    s: &NewSnapshot<'_>,
    people: &[NewPerson],
) -> DbResult<SnapshotRow> {
    let tid = tx.tid().to_owned();
    let id = uuid::Uuid::now_v7().to_string();
    let [people_n, matched, missing, unknown, unverified] = s.counts;
    diesel::insert_into(qn::table)
        .values((
            qn::tenant_id.eq(&tid),
            qn::id.eq(&id),
            qn::group_id.eq(s.group_id),
            qn::taken_on.eq(s.taken_on),
            qn::source.eq(s.source),
            qn::people.eq(people_n),
            qn::matched.eq(matched),
            qn::missing.eq(missing),
            qn::unknown.eq(unknown),
            qn::unverified.eq(unverified),
            qn::imported_by.eq(s.imported_by),
            qn::created_at.eq(now()),
        ))
        .execute(tx.conn())?;
    // Batches keep SQLite under its bound-parameter limit.
    for chunk in people.chunks(500) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|p| {
                (
                    qp::tenant_id.eq(tid.clone()),
                    qp::snapshot_id.eq(id.clone()),
                    qp::line_no.eq(p.line_no),
                    qp::group_id.eq(s.group_id.to_owned()),
                    qp::qq_enc.eq(p.qq_enc.clone()),
                    qp::qq_bidx.eq(p.qq_bidx.clone()),
                    qp::nickname_enc.eq(p.nickname_enc.clone()),
                )
            })
            .collect();
        // Multi-row inserts are per backend: the multi-backend connection has no batch form.
        match tx.conn() {
            AnyConnection::Postgresql(c) => {
                diesel::insert_into(qp::table).values(rows).execute(c)?
            }
            AnyConnection::Sqlite(c) => diesel::insert_into(qp::table).values(rows).execute(c)?,
        };
    }
    get_snapshot(tx, s.group_id, &id)?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("inserted snapshot vanished")).into())
}

pub fn get_snapshot(
    tx: &mut TenantTx<'_>,
    group_id: &str,
    id: &str,
) -> DbResult<Option<SnapshotRow>> {
    let tid = tx.tid().to_owned();
    Ok(qn::table
        .filter(
            qn::tenant_id
                .eq(tid)
                .and(qn::group_id.eq(group_id))
                .and(qn::id.eq(id)),
        )
        .select(SnapshotRow::as_select())
        .first(tx.conn())
        .optional()?)
}

pub fn list_snapshots(
    tx: &mut TenantTx<'_>,
    group_id: &str,
    page: &PageRequest,
) -> DbResult<Vec<SnapshotRow>> {
    let tid = tx.tid().to_owned();
    let mut q = qn::table
        .filter(
            qn::tenant_id
                .eq(tid)
                .and(qn::group_id.eq(group_id.to_owned())),
        )
        .select(SnapshotRow::as_select())
        .into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(qn::id.gt(after.clone()));
    }
    Ok(q.order(qn::id.asc()).limit(page.fetch()).load(tx.conn())?)
}

pub fn snapshot_people(
    tx: &mut TenantTx<'_>,
    snapshot_id: &str,
) -> DbResult<Vec<SnapshotPersonRow>> {
    let tid = tx.tid().to_owned();
    Ok(qp::table
        .filter(qp::tenant_id.eq(tid).and(qp::snapshot_id.eq(snapshot_id)))
        .select(SnapshotPersonRow::as_select())
        .order(qp::line_no.asc())
        .load(tx.conn())?)
}

/// For each of `bidxs`, the first day it was seen in one of the group's snapshots.
pub fn first_seen(
    tx: &mut TenantTx<'_>,
    group_id: &str,
    bidxs: Vec<String>,
) -> DbResult<HashMap<String, NaiveDate>> {
    let tid = tx.tid().to_owned();
    let taken: HashMap<String, NaiveDate> = qn::table
        .filter(qn::tenant_id.eq(&tid).and(qn::group_id.eq(group_id)))
        .select((qn::id, qn::taken_on))
        .load::<(String, NaiveDate)>(tx.conn())?
        .into_iter()
        .collect();
    let seen: Vec<(String, String)> = qp::table
        .filter(
            qp::tenant_id
                .eq(&tid)
                .and(qp::group_id.eq(group_id))
                .and(qp::qq_bidx.eq_any(bidxs)),
        )
        .select((qp::snapshot_id, qp::qq_bidx))
        .load(tx.conn())?;
    let mut out: HashMap<String, NaiveDate> = HashMap::new();
    for (sid, bidx) in seen {
        if let Some(d) = taken.get(&sid) {
            out.entry(bidx)
                .and_modify(|cur| *cur = (*cur).min(*d))
                .or_insert(*d);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- history --

pub fn record_history(
    tx: &mut TenantTx<'_>,
    group_id: &str,
    entry_id: Option<&str>,
    actor: &str,
    action: &str,
    changes: &serde_json::Value,
) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    diesel::insert_into(qh::table)
        .values((
            qh::tenant_id.eq(tid),
            qh::id.eq(uuid::Uuid::now_v7().to_string()),
            qh::group_id.eq(group_id),
            qh::entry_id.eq(entry_id),
            qh::at.eq(now()),
            qh::actor_id.eq(actor),
            qh::action.eq(action),
            qh::changes.eq(changes.to_string()),
        ))
        .execute(tx.conn())?;
    Ok(())
}

pub fn list_history(
    tx: &mut TenantTx<'_>,
    group_id: &str,
    entry_id: Option<&str>,
    page: &PageRequest,
) -> DbResult<Vec<HistoryRow>> {
    let tid = tx.tid().to_owned();
    let mut q = qh::table
        .filter(
            qh::tenant_id
                .eq(tid)
                .and(qh::group_id.eq(group_id.to_owned())),
        )
        .select(HistoryRow::as_select())
        .into_boxed();
    if let Some(e) = entry_id {
        q = q.filter(qh::entry_id.eq(e.to_owned()));
    }
    if let Some(after) = &page.after {
        q = q.filter(qh::id.gt(after.clone()));
    }
    Ok(q.order(qh::id.asc()).limit(page.fetch()).load(tx.conn())?)
}

/// The townships a grid serves now (for demo data and views).
pub fn grid_townships(tx: &mut TenantTx<'_>, grid_id: &str) -> DbResult<Vec<String>> {
    let tid = tx.tid().to_owned();
    Ok(gt::table
        .filter(
            gt::tenant_id
                .eq(tid)
                .and(gt::grid_id.eq(grid_id))
                .and(gt::valid_to.is_null()),
        )
        .select(gt::township_id)
        .load(tx.conn())?)
}
