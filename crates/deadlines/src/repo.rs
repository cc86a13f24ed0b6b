//! Obligations, the county's rules and calendar, in storage. Workflows use [`open`] when an
//! obligation arises and [`close`] when it is met; both are idempotent.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::calendar::{Calendar, DayKind};
use super::model::{ObligationKind, Period, Rule};
use super::rules::{RuleFields, Rules, parse_rule};
use crate::db::schema::{calendar_days as cd, deadline_settings as ds, obligations as o};
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;

/// An obligation as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = o)]
pub struct ObligationRow {
    pub tenant_id: String,
    pub id: String,
    pub kind: String,
    pub period: String,
    pub subject_type: String,
    pub subject_id: String,
    pub owner_org_unit_id: String,
    pub member_id: Option<String>,
    pub title: String,
    pub due_on: NaiveDate,
    pub done_at: Option<NaiveDateTime>,
    pub done_by: Option<String>,
    pub overdue_since: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
}

/// What a workflow states when an obligation arises.
#[derive(Debug, Clone)]
pub struct NewObligation<'a> {
    pub kind: ObligationKind,
    pub period: Period,
    /// What the obligation is about, e.g. `handbook`, `org_unit`, `feedback`.
    pub subject_type: &'a str,
    pub subject_id: &'a str,
    /// The unit that must act (and is chased).
    pub owner_org_unit_id: &'a str,
    pub member_id: Option<&'a str>,
    /// Short zh-CN description for lists and notifications; no personal data.
    pub title: String,
    pub due_on: NaiveDate,
}

/// Opens an obligation, or returns the id of the one already open for the same kind, subject
/// and period (so callers need not check first).
pub fn open(tx: &mut TenantTx<'_>, new: NewObligation<'_>) -> DbResult<String> {
    let tid = tx.tid().to_owned();
    let period = new.period.to_string();
    if let Some(id) = o::table
        .filter(o::tenant_id.eq(&tid))
        .filter(o::kind.eq(new.kind.as_str()))
        .filter(o::subject_id.eq(new.subject_id))
        .filter(o::period.eq(&period))
        .select(o::id)
        .first::<String>(tx.conn())
        .optional()?
    {
        return Ok(id);
    }
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(o::table)
        .values((
            o::tenant_id.eq(&tid),
            o::id.eq(&id),
            o::kind.eq(new.kind.as_str()),
            o::period.eq(&period),
            o::subject_type.eq(new.subject_type),
            o::subject_id.eq(new.subject_id),
            o::owner_org_unit_id.eq(new.owner_org_unit_id),
            o::member_id.eq(new.member_id),
            o::title.eq(&new.title),
            o::due_on.eq(new.due_on),
            o::created_at.eq(Utc::now().naive_utc()),
        ))
        .execute(tx.conn())?;
    Ok(id)
}

/// Marks the open obligation of `kind` for `subject_id` in `period` as met by `user_id` now.
/// Returns whether one was open (closing twice, or closing nothing, changes nothing).
pub fn close(
    tx: &mut TenantTx<'_>,
    kind: ObligationKind,
    subject_id: &str,
    period: Period,
    user_id: &str,
) -> DbResult<bool> {
    close_at(
        tx,
        kind,
        subject_id,
        period,
        user_id,
        Utc::now().naive_utc(),
    )
}

/// As [`close`], met on the day `on` in the real world (a confirmation, a sending or a
/// submission recorded with its own date, often typed in days later): lateness on the
/// dashboard follows that day. Stamped at noon China time (04:00 UTC), never in the future.
pub fn close_on(
    tx: &mut TenantTx<'_>,
    kind: ObligationKind,
    subject_id: &str,
    period: Period,
    user_id: &str,
    on: NaiveDate,
) -> DbResult<bool> {
    let noon = on.and_hms_opt(4, 0, 0).unwrap_or_default();
    close_at(
        tx,
        kind,
        subject_id,
        period,
        user_id,
        noon.min(crate::clock::now().naive_utc()),
    )
}

fn close_at(
    tx: &mut TenantTx<'_>,
    kind: ObligationKind,
    subject_id: &str,
    period: Period,
    user_id: &str,
    at: NaiveDateTime,
) -> DbResult<bool> {
    let tid = tx.tid().to_owned();
    let n = diesel::update(
        o::table
            .filter(o::tenant_id.eq(&tid))
            .filter(o::kind.eq(kind.as_str()))
            .filter(o::subject_id.eq(subject_id))
            .filter(o::period.eq(period.to_string()))
            .filter(o::done_at.is_null()),
    )
    .set((o::done_at.eq(Some(at)), o::done_by.eq(Some(user_id))))
    .execute(tx.conn())?;
    Ok(n > 0)
}

/// Withdraws an open obligation whose subject went away (a handbook cancelled, a request
/// withdrawn). Met obligations stay: they are history.
pub fn withdraw(
    tx: &mut TenantTx<'_>,
    kind: ObligationKind,
    subject_id: &str,
    period: Period,
) -> DbResult<bool> {
    let tid = tx.tid().to_owned();
    let ids: Vec<String> = o::table
        .filter(o::tenant_id.eq(&tid))
        .filter(o::kind.eq(kind.as_str()))
        .filter(o::subject_id.eq(subject_id))
        .filter(o::period.eq(period.to_string()))
        .filter(o::done_at.is_null())
        .select(o::id)
        .load(tx.conn())?;
    if ids.is_empty() {
        return Ok(false);
    }
    crate::notices::remove_for(tx, &ids)?;
    diesel::delete(
        o::table
            .filter(o::tenant_id.eq(&tid))
            .filter(o::id.eq_any(&ids)),
    )
    .execute(tx.conn())?;
    Ok(true)
}

/// Moves the due day of the open obligation of `kind` for `subject_id` in `period` (an extension
/// granted with a reason: 特殊情况可视情况适当延长). Its overdue mark is cleared, so the daily job
/// marks and notifies it again if the new day passes too. Returns whether one was open.
pub fn reschedule(
    tx: &mut TenantTx<'_>,
    kind: ObligationKind,
    subject_id: &str,
    period: Period,
    due_on: NaiveDate,
) -> DbResult<bool> {
    let tid = tx.tid().to_owned();
    let n = diesel::update(
        o::table
            .filter(o::tenant_id.eq(&tid))
            .filter(o::kind.eq(kind.as_str()))
            .filter(o::subject_id.eq(subject_id))
            .filter(o::period.eq(period.to_string()))
            .filter(o::done_at.is_null()),
    )
    .set((o::due_on.eq(due_on), o::overdue_since.eq(None::<NaiveDate>)))
    .execute(tx.conn())?;
    Ok(n > 0)
}

/// The obligation of `kind` for `subject_id` in `period`, if any.
pub fn find(
    tx: &mut TenantTx<'_>,
    kind: ObligationKind,
    subject_id: &str,
    period: Period,
) -> DbResult<Option<ObligationRow>> {
    let tid = tx.tid().to_owned();
    Ok(o::table
        .filter(o::tenant_id.eq(&tid))
        .filter(o::kind.eq(kind.as_str()))
        .filter(o::subject_id.eq(subject_id))
        .filter(o::period.eq(period.to_string()))
        .select(ObligationRow::as_select())
        .first(tx.conn())
        .optional()?)
}

pub fn get(tx: &mut TenantTx<'_>, id: &str) -> DbResult<Option<ObligationRow>> {
    let tid = tx.tid().to_owned();
    Ok(o::table
        .filter(o::tenant_id.eq(&tid).and(o::id.eq(id)))
        .select(ObligationRow::as_select())
        .first(tx.conn())
        .optional()?)
}

/// The county's rules: the seeds' defaults with its overrides.
pub fn rules(tx: &mut TenantTx<'_>) -> DbResult<Rules> {
    let tid = tx.tid().to_owned();
    type Fields = (
        String,
        Option<i32>,
        Option<i32>,
        Option<i32>,
        Option<i32>,
        Option<i32>,
    );
    let rows: Vec<Fields> = ds::table
        .filter(ds::tenant_id.eq(&tid))
        .select((ds::kind, ds::days, ds::month, ds::day, ds::month2, ds::day2))
        .load(tx.conn())?;
    let mut overrides: Vec<(ObligationKind, Rule)> = rows
        .into_iter()
        .filter_map(|(kind, days, month, day, month2, day2)| {
            let kind = ObligationKind::parse(&kind)?;
            let f = RuleFields {
                days,
                month,
                day,
                month2,
                day2,
            };
            // Rows are checked on write; one that no longer parses falls back to the default.
            Some((kind, parse_rule(kind, f).ok()?))
        })
        .collect();
    // The QQ join date has lived in the QQ settings since the rosters landed: one place.
    // It overrides the default only when it differs, like any other county rule.
    let (qq, _) = crate::qq::repo::deadline(tx)?;
    let qq = Rule::Annual(qq.month(), qq.day());
    overrides.retain(|(k, _)| *k != ObligationKind::QqJoin);
    if qq != ObligationKind::QqJoin.default_rule() {
        overrides.push((ObligationKind::QqJoin, qq));
    }
    Ok(Rules::new(overrides))
}

/// The county's working-day calendar: the shipped notices, the years the platform operator
/// loaded (superseding the shipped ones), then the county's own overrides. Every path that
/// counts working days or flags a date beyond the known years builds it here.
pub fn calendar(tx: &mut TenantTx<'_>) -> DbResult<Calendar> {
    let tid = tx.tid().to_owned();
    let national = super::national::loaded(tx.conn())?;
    let rows: Vec<(NaiveDate, String, String)> = cd::table
        .filter(cd::tenant_id.eq(&tid))
        .select((cd::day, cd::kind, cd::name))
        .load(tx.conn())?;
    Ok(Calendar::layered(
        &national,
        rows.into_iter()
            .filter_map(|(day, kind, name)| Some((day, DayKind::parse(&kind)?, name))),
    ))
}

/// What the dashboard counts: owners (`None` is the whole county), kind and due-day bounds.
#[derive(Debug, Clone, Default)]
pub struct TallyFilter<'a> {
    pub owners: Option<&'a [String]>,
    pub kind: Option<ObligationKind>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// Due, overdue and met obligations per (owner, kind) on `as_of`, read from the tallies the
/// obligation triggers keep (migration 000101), not by counting obligations.
pub fn tallies(
    tx: &mut TenantTx<'_>,
    f: &TallyFilter<'_>,
    as_of: NaiveDate,
) -> DbResult<Vec<Tally>> {
    use crate::db::schema::obligation_tallies as t;
    use diesel::dsl::{sql, sum};
    use diesel::sql_types::{BigInt, Date, Nullable};
    let tid = tx.tid().to_owned();
    // One pass: an open obligation due before the day is overdue, on or after it due.
    let open_before = |before: bool| {
        sql::<Nullable<BigInt>>(if before {
            "SUM(CASE WHEN obligation_tallies.due_on < "
        } else {
            "SUM(CASE WHEN obligation_tallies.due_on >= "
        })
        .bind::<Date, _>(as_of)
        .sql(" THEN obligation_tallies.open_n ELSE 0 END)")
    };
    let mut q = t::table
        .filter(t::tenant_id.eq(&tid))
        .group_by((t::owner_org_unit_id, t::kind))
        .select((
            t::owner_org_unit_id,
            t::kind,
            open_before(false),
            open_before(true),
            sum(t::done_n),
        ))
        .into_boxed();
    if let Some(ids) = f.owners {
        q = q.filter(t::owner_org_unit_id.eq_any(ids));
    }
    if let Some(k) = f.kind {
        q = q.filter(t::kind.eq(k.as_str()));
    }
    if let Some(d) = f.from {
        q = q.filter(t::due_on.ge(d));
    }
    if let Some(d) = f.to {
        q = q.filter(t::due_on.le(d));
    }
    type Line = (String, String, Option<i64>, Option<i64>, Option<i64>);
    let rows: Vec<Line> = q.load(tx.conn())?;
    let out = rows
        .into_iter()
        .map(|(owner, kind, due, overdue, done)| Tally {
            owner_org_unit_id: owner,
            kind,
            due: due.unwrap_or(0),
            overdue: overdue.unwrap_or(0),
            done: done.unwrap_or(0),
        });
    // Tallies emptied by closes and withdrawals stay as zero rows; they are not an owner's work.
    Ok(out.filter(|t| t.due + t.overdue + t.done > 0).collect())
}

/// One owner's counts of one kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub owner_org_unit_id: String,
    pub kind: String,
    pub due: i64,
    pub overdue: i64,
    pub done: i64,
}
