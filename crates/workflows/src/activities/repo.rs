//! Activities, their steps and rosters, in storage.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::model::{AttendanceStatus, Tally};
use crate::api::PageRequest;
use crate::db::schema::{
    activities as a, activity_attendance as aa, activity_events as ev, deliveries as d,
    members as m, org_units as o, outbox as ob,
};
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::error::AppError;
use crate::org::model::subtree_end;
use crate::org::scope::Visibility;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = a)]
pub struct ActivityRow {
    pub tenant_id: String,
    pub id: String,
    pub centre_id: String,
    pub theme: String,
    pub kind: String,
    pub held_on: NaiveDate,
    pub start_time: Option<String>,
    pub place: String,
    pub content: Option<String>,
    pub audience_unit_id: Option<String>,
    pub audience_grid_id: Option<String>,
    pub audience_category: Option<String>,
    pub audience_market_id: Option<String>,
    pub state: String,
    pub planned_by: String,
    pub decided_by: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub return_reason: Option<String>,
    pub notified_on: Option<NaiveDate>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Everything of an activity the workflow writes; a step changes a copy and stores it.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = a)]
#[diesel(treat_none_as_null = true)]
pub struct ActivityValues {
    pub centre_id: String,
    pub theme: String,
    pub kind: String,
    pub held_on: NaiveDate,
    pub start_time: Option<String>,
    pub place: String,
    pub content: Option<String>,
    pub audience_unit_id: Option<String>,
    pub audience_grid_id: Option<String>,
    pub audience_category: Option<String>,
    pub audience_market_id: Option<String>,
    pub state: String,
    pub planned_by: String,
    pub decided_by: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub return_reason: Option<String>,
    pub notified_on: Option<NaiveDate>,
}

impl ActivityValues {
    pub fn from_row(r: &ActivityRow) -> Self {
        Self {
            centre_id: r.centre_id.clone(),
            theme: r.theme.clone(),
            kind: r.kind.clone(),
            held_on: r.held_on,
            start_time: r.start_time.clone(),
            place: r.place.clone(),
            content: r.content.clone(),
            audience_unit_id: r.audience_unit_id.clone(),
            audience_grid_id: r.audience_grid_id.clone(),
            audience_category: r.audience_category.clone(),
            audience_market_id: r.audience_market_id.clone(),
            state: r.state.clone(),
            planned_by: r.planned_by.clone(),
            decided_by: r.decided_by.clone(),
            decided_on: r.decided_on,
            return_reason: r.return_reason.clone(),
            notified_on: r.notified_on,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ev)]
pub struct EventRow {
    pub tenant_id: String,
    pub id: String,
    pub activity_id: String,
    pub kind: String,
    pub on_day: NaiveDate,
    pub by_user_id: String,
    pub detail: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn insert(tx: &mut TenantTx<'_>, v: &ActivityValues) -> DbResult<ActivityRow> {
    let tid = tx.tid().to_owned();
    let id = uuid::Uuid::now_v7().to_string();
    let now = Utc::now().naive_utc();
    diesel::insert_into(a::table)
        .values((
            a::tenant_id.eq(&tid),
            a::id.eq(&id),
            v,
            a::version.eq(1i64),
            a::created_at.eq(now),
            a::updated_at.eq(now),
        ))
        .execute(tx.conn())?;
    get(tx, &id)?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("inserted activity vanished")).into())
}

pub fn get(tx: &mut TenantTx<'_>, id: &str) -> DbResult<Option<ActivityRow>> {
    let tid = tx.tid().to_owned();
    Ok(a::table
        .filter(a::tenant_id.eq(tid).and(a::id.eq(id)))
        .select(ActivityRow::as_select())
        .first(tx.conn())
        .optional()?)
}

/// Writes new values if the activity is at `expected` (412 otherwise).
pub fn update(
    tx: &mut TenantTx<'_>,
    id: &str,
    expected: i64,
    v: &ActivityValues,
) -> DbResult<ActivityRow> {
    let tid = tx.tid().to_owned();
    let n = diesel::update(
        a::table.filter(
            a::tenant_id
                .eq(&tid)
                .and(a::id.eq(id))
                .and(a::version.eq(expected)),
        ),
    )
    .set((
        v,
        a::version.eq(expected + 1),
        a::updated_at.eq(Utc::now().naive_utc()),
    ))
    .execute(tx.conn())?;
    if n == 0 {
        return Err(AppError::precondition_failed().into());
    }
    get(tx, id)?.ok_or_else(|| AppError::not_found().into())
}

pub fn add_event(
    tx: &mut TenantTx<'_>,
    activity_id: &str,
    kind: &str,
    on: NaiveDate,
    by: &str,
    detail: Option<String>,
) -> DbResult<()> {
    let row = EventRow {
        tenant_id: tx.tid().to_owned(),
        id: uuid::Uuid::now_v7().to_string(),
        activity_id: activity_id.to_owned(),
        kind: kind.to_owned(),
        on_day: on,
        by_user_id: by.to_owned(),
        detail,
        created_at: Utc::now().naive_utc(),
    };
    diesel::insert_into(ev::table)
        .values(&row)
        .execute(tx.conn())?;
    Ok(())
}

/// An activity's steps, in the order they were taken.
pub fn events(tx: &mut TenantTx<'_>, activity_id: &str) -> DbResult<Vec<EventRow>> {
    let tid = tx.tid().to_owned();
    Ok(ev::table
        .filter(ev::tenant_id.eq(tid).and(ev::activity_id.eq(activity_id)))
        .order(ev::id.asc())
        .select(EventRow::as_select())
        .load(tx.conn())?)
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub centre_id: Option<String>,
    pub state: Option<&'static str>,
    pub kind: Option<&'static str>,
    /// Held in `[from, to]`.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// Activities of the centres the caller sees, the latest day first, from the keyset cursor
/// (the last row's id: the page goes on after its (day, id), descending).
pub fn list(
    tx: &mut TenantTx<'_>,
    vis: &Visibility,
    f: &Filter,
    page: &PageRequest,
) -> DbResult<Vec<ActivityRow>> {
    let tid = tx.tid().to_owned();
    let mut q = a::table
        .filter(a::tenant_id.eq(&tid))
        .select(ActivityRow::as_select())
        .into_boxed();
    match vis {
        Visibility::County => {}
        Visibility::Nothing => return Ok(Vec::new()),
        Visibility::Subtree(p) => {
            q = q.filter(
                a::centre_id.eq_any(
                    o::table
                        .filter(o::tenant_id.eq(tid.clone()))
                        .filter(o::path.ge(p.clone()).and(o::path.lt(subtree_end(p))))
                        .select(o::id),
                ),
            );
        }
    }
    if let Some(c) = &f.centre_id {
        q = q.filter(a::centre_id.eq(c.clone()));
    }
    if let Some(s) = f.state {
        q = q.filter(a::state.eq(s));
    }
    if let Some(k) = f.kind {
        q = q.filter(a::kind.eq(k));
    }
    if let Some(from) = f.from {
        q = q.filter(a::held_on.ge(from));
    }
    if let Some(to) = f.to {
        q = q.filter(a::held_on.le(to));
    }
    if let Some(after) = &page.after
        && let Some(r) = get(tx, after)?
    {
        q = q.filter(
            a::held_on
                .lt(r.held_on)
                .or(a::held_on.eq(r.held_on).and(a::id.lt(r.id))),
        );
    }
    Ok(q.order((a::held_on.desc(), a::id.desc()))
        .limit(page.fetch())
        .load(tx.conn())?)
}

/// Fixes the roster: every member of `members` is invited.
pub fn invite(tx: &mut TenantTx<'_>, activity_id: &str, members: &[String]) -> DbResult<usize> {
    let tid = tx.tid().to_owned();
    let rows: Vec<_> = members
        .iter()
        .map(|mid| {
            (
                aa::tenant_id.eq(tid.clone()),
                aa::activity_id.eq(activity_id.to_owned()),
                aa::member_id.eq(mid.clone()),
                aa::status.eq(AttendanceStatus::Invited.as_str()),
            )
        })
        .collect();
    let mut n = 0;
    for chunk in rows.chunks(500) {
        n += crate::insert_rows!(tx.conn(), aa::table, chunk)?;
    }
    Ok(n)
}

/// Records one member's attendance: updates their roster line, or adds one for a member who
/// came without being on it.
pub fn set_attendance(
    tx: &mut TenantTx<'_>,
    activity_id: &str,
    member_id: &str,
    status: AttendanceStatus,
    note: Option<&str>,
    by: &str,
) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    let now = Utc::now().naive_utc();
    let n = diesel::update(
        aa::table.filter(
            aa::tenant_id
                .eq(&tid)
                .and(aa::activity_id.eq(activity_id))
                .and(aa::member_id.eq(member_id)),
        ),
    )
    .set((
        aa::status.eq(status.as_str()),
        aa::note.eq(note),
        aa::recorded_by.eq(Some(by)),
        aa::recorded_at.eq(Some(now)),
    ))
    .execute(tx.conn())?;
    if n == 0 {
        diesel::insert_into(aa::table)
            .values((
                aa::tenant_id.eq(&tid),
                aa::activity_id.eq(activity_id),
                aa::member_id.eq(member_id),
                aa::status.eq(status.as_str()),
                aa::note.eq(note),
                aa::recorded_by.eq(Some(by)),
                aa::recorded_at.eq(Some(now)),
            ))
            .execute(tx.conn())?;
    }
    Ok(())
}

/// One line of a roster, with the member's name and business.
#[derive(Debug, Clone, Queryable)]
pub struct RosterLine {
    pub member_id: String,
    pub name: String,
    pub business_name: String,
    pub status: String,
    pub note: Option<String>,
    pub recorded_at: Option<NaiveDateTime>,
}

/// A page of the roster, by member id.
pub fn roster(
    tx: &mut TenantTx<'_>,
    activity_id: &str,
    page: &PageRequest,
) -> DbResult<Vec<RosterLine>> {
    let tid = tx.tid().to_owned();
    let mut q = aa::table
        .inner_join(m::table.on(m::tenant_id.eq(aa::tenant_id).and(m::id.eq(aa::member_id))))
        .filter(aa::tenant_id.eq(&tid).and(aa::activity_id.eq(activity_id)))
        .into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(aa::member_id.gt(after.clone()));
    }
    Ok(q.order(aa::member_id.asc())
        .limit(page.fetch())
        .select((
            aa::member_id,
            m::name,
            m::business_name,
            aa::status,
            aa::note,
            aa::recorded_at,
        ))
        .load(tx.conn())?)
}

/// Whether the member is on the activity's roster.
pub fn on_roster(tx: &mut TenantTx<'_>, activity_id: &str, member_id: &str) -> DbResult<bool> {
    let tid = tx.tid().to_owned();
    Ok(aa::table
        .filter(aa::tenant_id.eq(tid).and(aa::activity_id.eq(activity_id)))
        .filter(aa::member_id.eq(member_id))
        .select(aa::member_id)
        .first::<String>(tx.conn())
        .optional()?
        .is_some())
}

/// Each activity's roster counts by status.
pub fn tallies(tx: &mut TenantTx<'_>, ids: &[String]) -> DbResult<HashMap<String, Tally>> {
    let tid = tx.tid().to_owned();
    let mut out: HashMap<String, Tally> = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(String, String, i64)> = aa::table
            .filter(aa::tenant_id.eq(&tid).and(aa::activity_id.eq_any(chunk)))
            .group_by((aa::activity_id, aa::status))
            .select((aa::activity_id, aa::status, diesel::dsl::count_star()))
            .load(tx.conn())?;
        for (id, status, n) in rows {
            if let Some(s) = AttendanceStatus::parse(&status) {
                out.entry(id).or_default().add(s, n);
            }
        }
    }
    Ok(out)
}

/// The activity notice's SMS to each of these members: its delivery status, if one was made.
pub fn sms_status(
    tx: &mut TenantTx<'_>,
    activity_id: &str,
    members: &[String],
) -> DbResult<HashMap<String, String>> {
    let tid = tx.tid().to_owned();
    let rows: Vec<(Option<String>, String)> = d::table
        .inner_join(ob::table.on(ob::tenant_id.eq(d::tenant_id).and(ob::id.eq(d::notice_id))))
        .filter(d::tenant_id.eq(&tid))
        .filter(ob::activity_id.eq(activity_id))
        .filter(ob::topic.eq("activity"))
        .filter(d::member_id.eq_any(members))
        .select((d::member_id, d::status))
        .load(tx.conn())?;
    Ok(rows
        .into_iter()
        .filter_map(|(m, s)| m.map(|m| (m, s)))
        .collect())
}

/// A member's activities held in `[from, to]` with their attendance, oldest first.
pub fn of_member(
    tx: &mut TenantTx<'_>,
    member_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<(ActivityRow, String, Option<String>)>> {
    let tid = tx.tid().to_owned();
    Ok(aa::table
        .inner_join(
            a::table.on(a::tenant_id
                .eq(aa::tenant_id)
                .and(a::id.eq(aa::activity_id))),
        )
        .filter(aa::tenant_id.eq(&tid).and(aa::member_id.eq(member_id)))
        .filter(a::held_on.ge(from).and(a::held_on.le(to)))
        .order((a::held_on.asc(), a::id.asc()))
        .select((ActivityRow::as_select(), aa::status, aa::note))
        .load(tx.conn())?)
}

/// Every activity a member was invited to or attended, with the day the roster line was last
/// recorded (the time line).
pub fn all_of_member(
    tx: &mut TenantTx<'_>,
    member_id: &str,
) -> DbResult<Vec<(ActivityRow, String, Option<NaiveDateTime>)>> {
    let tid = tx.tid().to_owned();
    Ok(aa::table
        .inner_join(
            a::table.on(a::tenant_id
                .eq(aa::tenant_id)
                .and(a::id.eq(aa::activity_id))),
        )
        .filter(aa::tenant_id.eq(&tid).and(aa::member_id.eq(member_id)))
        .order((a::held_on.asc(), a::id.asc()))
        .select((ActivityRow::as_select(), aa::status, aa::recorded_at))
        .load(tx.conn())?)
}

/// A centre's activities dated in `[from, to]`, as the yearly report counts them.
pub fn year_of_centre(
    tx: &mut TenantTx<'_>,
    centre_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<crate::centres::report::ActivityYear>> {
    use super::model::{ActivityState, CentreActivityKind};
    let tid = tx.tid().to_owned();
    let rows: Vec<(String, String, String)> = a::table
        .filter(a::tenant_id.eq(&tid).and(a::centre_id.eq(centre_id)))
        .filter(a::held_on.ge(from).and(a::held_on.le(to)))
        .select((a::id, a::state, a::kind))
        .load(tx.conn())?;
    let ids: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let tallies = tallies(tx, &ids)?;
    Ok(rows
        .into_iter()
        .map(|(id, state, kind)| crate::centres::report::ActivityYear {
            held: state == ActivityState::Held.as_str(),
            cancelled: state == ActivityState::Cancelled.as_str(),
            training: kind == CentreActivityKind::Training.as_str(),
            tally: tallies.get(&id).copied().unwrap_or_default(),
        })
        .collect())
}
