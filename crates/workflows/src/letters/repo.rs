//! Letter batches and their letters, in storage; and the facts a letter states, read in bulk.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::model::{self, YearFacts};
use crate::activities::model::{AttendanceStatus, CentreActivityKind};
use crate::api::PageRequest;
use crate::db::schema::{
    activities as a, activity_attendance as aa, letter_batches as lb, members as m, org_units as o,
    participation_letters as pl, performance_records as r,
};
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::error::AppError;
use crate::org::model::subtree_end;
use crate::org::repo::OrgUnitRow;
use crate::org::scope::Visibility;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = lb)]
pub struct BatchRow {
    pub tenant_id: String,
    pub id: String,
    pub centre_id: String,
    pub year: i32,
    pub state: String,
    pub letters: i32,
    pub generated_by: String,
    pub generated_on: NaiveDate,
    pub sent_on: Option<NaiveDate>,
    pub sent_method: Option<String>,
    pub sent_by: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pl)]
pub struct LetterRow {
    pub tenant_id: String,
    pub id: String,
    pub batch_id: String,
    pub member_id: String,
    pub seq: i32,
    pub recipient: String,
    pub recipient_unit_id: Option<String>,
    pub activities: String,
    pub operation: String,
    pub credit: String,
    pub received_on: Option<NaiveDate>,
    pub received_by: Option<String>,
    pub receipt_note: Option<String>,
    pub chases: i32,
    pub last_chased_on: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
}

/// A letter as generated, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLetter {
    pub member_id: String,
    pub recipient: String,
    pub recipient_unit_id: Option<String>,
    pub activities: String,
    pub operation: String,
    pub credit: String,
}

/// The most letters one batch holds: a centre's whole region in the largest county.
pub const LETTERS_MAX: usize = 20_000;

pub fn get(tx: &mut TenantTx<'_>, id: &str) -> DbResult<Option<BatchRow>> {
    let tid = tx.tid().to_owned();
    Ok(lb::table
        .filter(lb::tenant_id.eq(tid).and(lb::id.eq(id)))
        .select(BatchRow::as_select())
        .first(tx.conn())
        .optional()?)
}

pub fn of_centre(tx: &mut TenantTx<'_>, centre_id: &str, year: i32) -> DbResult<Option<BatchRow>> {
    let tid = tx.tid().to_owned();
    Ok(lb::table
        .filter(lb::tenant_id.eq(tid).and(lb::centre_id.eq(centre_id)))
        .filter(lb::year.eq(year))
        .select(BatchRow::as_select())
        .first(tx.conn())
        .optional()?)
}

/// Batches of the centres the caller sees, the latest year first.
pub fn list(
    tx: &mut TenantTx<'_>,
    vis: &Visibility,
    centre_id: Option<&str>,
    year: Option<i32>,
) -> DbResult<Vec<BatchRow>> {
    let tid = tx.tid().to_owned();
    let mut q = lb::table
        .filter(lb::tenant_id.eq(&tid))
        .select(BatchRow::as_select())
        .into_boxed();
    match vis {
        Visibility::County => {}
        Visibility::Nothing => return Ok(Vec::new()),
        Visibility::Subtree(p) => {
            q = q.filter(
                lb::centre_id.eq_any(
                    o::table
                        .filter(o::tenant_id.eq(tid.clone()))
                        .filter(o::path.ge(p.clone()).and(o::path.lt(subtree_end(p))))
                        .select(o::id),
                ),
            );
        }
    }
    if let Some(c) = centre_id {
        q = q.filter(lb::centre_id.eq(c.to_owned()));
    }
    if let Some(y) = year {
        q = q.filter(lb::year.eq(y));
    }
    Ok(q.order((lb::year.desc(), lb::id.asc()))
        .limit(500)
        .load(tx.conn())?)
}

/// Writes a new draft batch, or replaces a draft's letters; returns the batch.
pub fn store(
    tx: &mut TenantTx<'_>,
    existing: Option<&BatchRow>,
    centre_id: &str,
    year: i32,
    letters: &[NewLetter],
    by: &str,
    today: NaiveDate,
) -> DbResult<BatchRow> {
    let tid = tx.tid().to_owned();
    let now = Utc::now().naive_utc();
    let n = i32::try_from(letters.len()).unwrap_or(i32::MAX);
    let id = match existing {
        Some(b) => {
            diesel::delete(pl::table.filter(pl::tenant_id.eq(&tid).and(pl::batch_id.eq(&b.id))))
                .execute(tx.conn())?;
            let changed = diesel::update(
                lb::table.filter(
                    lb::tenant_id
                        .eq(&tid)
                        .and(lb::id.eq(&b.id))
                        .and(lb::version.eq(b.version)),
                ),
            )
            .set((
                lb::letters.eq(n),
                lb::generated_by.eq(by),
                lb::generated_on.eq(today),
                lb::version.eq(b.version + 1),
                lb::updated_at.eq(now),
            ))
            .execute(tx.conn())?;
            if changed == 0 {
                return Err(AppError::precondition_failed().into());
            }
            b.id.clone()
        }
        None => {
            let id = uuid::Uuid::now_v7().to_string();
            diesel::insert_into(lb::table)
                .values((
                    lb::tenant_id.eq(&tid),
                    lb::id.eq(&id),
                    lb::centre_id.eq(centre_id),
                    lb::year.eq(year),
                    lb::state.eq(model::LetterBatchState::Draft.as_str()),
                    lb::letters.eq(n),
                    lb::generated_by.eq(by),
                    lb::generated_on.eq(today),
                    lb::version.eq(1i64),
                    lb::created_at.eq(now),
                    lb::updated_at.eq(now),
                ))
                .execute(tx.conn())?;
            id
        }
    };
    let rows: Vec<_> = letters
        .iter()
        .enumerate()
        .map(|(i, l)| {
            (
                pl::tenant_id.eq(tid.clone()),
                pl::id.eq(uuid::Uuid::now_v7().to_string()),
                pl::batch_id.eq(id.clone()),
                pl::member_id.eq(l.member_id.clone()),
                pl::seq.eq(i32::try_from(i + 1).unwrap_or(i32::MAX)),
                pl::recipient.eq(l.recipient.clone()),
                pl::recipient_unit_id.eq(l.recipient_unit_id.clone()),
                pl::activities.eq(l.activities.clone()),
                pl::operation.eq(l.operation.clone()),
                pl::credit.eq(l.credit.clone()),
                pl::created_at.eq(now),
            )
        })
        .collect();
    for chunk in rows.chunks(500) {
        crate::insert_rows!(tx.conn(), pl::table, chunk)?;
    }
    get(tx, &id)?.ok_or_else(|| AppError::not_found().into())
}

/// Marks a draft batch sent (412 if it changed meanwhile).
pub fn mark_sent(
    tx: &mut TenantTx<'_>,
    b: &BatchRow,
    on: NaiveDate,
    method: &str,
    by: &str,
) -> DbResult<BatchRow> {
    let tid = tx.tid().to_owned();
    let n = diesel::update(
        lb::table.filter(
            lb::tenant_id
                .eq(&tid)
                .and(lb::id.eq(&b.id))
                .and(lb::version.eq(b.version)),
        ),
    )
    .set((
        lb::state.eq(model::LetterBatchState::Sent.as_str()),
        lb::sent_on.eq(Some(on)),
        lb::sent_method.eq(Some(method)),
        lb::sent_by.eq(Some(by)),
        lb::version.eq(b.version + 1),
        lb::updated_at.eq(Utc::now().naive_utc()),
    ))
    .execute(tx.conn())?;
    if n == 0 {
        return Err(AppError::precondition_failed().into());
    }
    get(tx, &b.id)?.ok_or_else(|| AppError::not_found().into())
}

/// Received and outstanding receipts of each batch.
pub fn receipt_counts(tx: &mut TenantTx<'_>, ids: &[String]) -> DbResult<HashMap<String, i64>> {
    let tid = tx.tid().to_owned();
    let rows: Vec<(String, i64)> = pl::table
        .filter(pl::tenant_id.eq(&tid).and(pl::batch_id.eq_any(ids)))
        .filter(pl::received_on.is_not_null())
        .group_by(pl::batch_id)
        .select((pl::batch_id, diesel::dsl::count_star()))
        .load(tx.conn())?;
    Ok(rows.into_iter().collect())
}

/// A letter with its member's name and business.
pub type LetterLine = (LetterRow, String, String);

/// A page of a batch's letters in their order, only those whose receipt is outstanding when
/// asked; the cursor is the last letter's id.
pub fn letters(
    tx: &mut TenantTx<'_>,
    batch_id: &str,
    outstanding: bool,
    page: &PageRequest,
) -> DbResult<Vec<LetterLine>> {
    let tid = tx.tid().to_owned();
    let mut q = pl::table
        .inner_join(m::table.on(m::tenant_id.eq(pl::tenant_id).and(m::id.eq(pl::member_id))))
        .filter(pl::tenant_id.eq(&tid).and(pl::batch_id.eq(batch_id)))
        .into_boxed();
    if outstanding {
        q = q.filter(pl::received_on.is_null());
    }
    if let Some(after) = &page.after {
        let seq: Option<i32> = pl::table
            .filter(pl::tenant_id.eq(&tid).and(pl::id.eq(after)))
            .select(pl::seq)
            .first(tx.conn())
            .optional()?;
        q = q.filter(pl::seq.gt(seq.unwrap_or(i32::MAX)));
    }
    Ok(q.order(pl::seq.asc())
        .limit(page.fetch())
        .select((LetterRow::as_select(), m::name, m::business_name))
        .load(tx.conn())?)
}

/// The letters numbered `from..=to` of a batch (a printed part).
pub fn letters_in(
    tx: &mut TenantTx<'_>,
    batch_id: &str,
    from: usize,
    to: usize,
) -> DbResult<Vec<LetterLine>> {
    let tid = tx.tid().to_owned();
    let (from, to) = (
        i32::try_from(from).unwrap_or(i32::MAX),
        i32::try_from(to).unwrap_or(i32::MAX),
    );
    Ok(pl::table
        .inner_join(m::table.on(m::tenant_id.eq(pl::tenant_id).and(m::id.eq(pl::member_id))))
        .filter(pl::tenant_id.eq(&tid).and(pl::batch_id.eq(batch_id)))
        .filter(pl::seq.ge(from).and(pl::seq.le(to)))
        .order(pl::seq.asc())
        .select((LetterRow::as_select(), m::name, m::business_name))
        .load(tx.conn())?)
}

pub fn letter(tx: &mut TenantTx<'_>, batch_id: &str, id: &str) -> DbResult<Option<LetterRow>> {
    let tid = tx.tid().to_owned();
    Ok(pl::table
        .filter(pl::tenant_id.eq(tid).and(pl::batch_id.eq(batch_id)))
        .filter(pl::id.eq(id))
        .select(LetterRow::as_select())
        .first(tx.conn())
        .optional()?)
}

pub fn record_receipt(
    tx: &mut TenantTx<'_>,
    id: &str,
    on: NaiveDate,
    by: Option<&str>,
    note: Option<&str>,
) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    diesel::update(
        pl::table
            .filter(pl::tenant_id.eq(tid).and(pl::id.eq(id)))
            .filter(pl::received_on.is_null()),
    )
    .set((
        pl::received_on.eq(Some(on)),
        pl::received_by.eq(by),
        pl::receipt_note.eq(note),
    ))
    .execute(tx.conn())?;
    Ok(())
}

pub fn record_chase(tx: &mut TenantTx<'_>, id: &str, on: NaiveDate) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    diesel::update(pl::table.filter(pl::tenant_id.eq(tid).and(pl::id.eq(id))))
        .set((
            pl::chases.eq(pl::chases + 1),
            pl::last_chased_on.eq(Some(on)),
        ))
        .execute(tx.conn())?;
    Ok(())
}

/// A member's letters (their time line), with the batch's year and sending.
pub fn of_member(tx: &mut TenantTx<'_>, member_id: &str) -> DbResult<Vec<(LetterRow, BatchRow)>> {
    let tid = tx.tid().to_owned();
    Ok(pl::table
        .inner_join(lb::table.on(lb::tenant_id.eq(pl::tenant_id).and(lb::id.eq(pl::batch_id))))
        .filter(pl::tenant_id.eq(&tid).and(pl::member_id.eq(member_id)))
        .order(lb::year.asc())
        .select((LetterRow::as_select(), BatchRow::as_select()))
        .load(tx.conn())?)
}

/// The letters a centre writes for `year`: one per member of its region whose membership is
/// held outside the region (a member whose own branch holds their membership needs no letter
/// to it), to that organisation, stating what is recorded. More than [`LETTERS_MAX`] is
/// refused (409 `batch_too_large`).
pub fn compose(tx: &mut TenantTx<'_>, centre: &OrgUnitRow, year: i32) -> DbResult<Vec<NewLetter>> {
    let tid = tx.tid().to_owned();
    let Visibility::Subtree(path) = crate::centres::api::region(tx, centre)? else {
        return Ok(Vec::new());
    };
    let region_units: HashSet<String> = o::table
        .filter(o::tenant_id.eq(&tid))
        .filter(o::path.ge(&path).and(o::path.lt(subtree_end(&path))))
        .select(o::id)
        .load::<String>(tx.conn())?
        .into_iter()
        .collect();
    let f = crate::members::repo::Filter {
        within: Some(path.clone()),
        ..Default::default()
    };
    // A member whose membership the region's own units hold needs no letter.
    let held_outside = |m: &crate::members::repo::MemberRow| {
        !m.membership_unit_id
            .as_ref()
            .is_some_and(|u| region_units.contains(u))
    };
    let members =
        crate::members::repo::all(tx, &f, LETTERS_MAX, held_outside)?.ok_or_else(|| {
            AppError::conflict(
                "batch_too_large",
                format!("区域内需函告的党员超过{LETTERS_MAX}人"),
                format!("More than {LETTERS_MAX} members of the region need a letter"),
            )
        })?;
    let from = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let to = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default();
    let ids: Vec<String> = members.iter().map(|m| m.id.clone()).collect();
    let mut facts: HashMap<String, YearFacts> = HashMap::new();
    let items: HashMap<String, String> = crate::records::repo::items(tx)?
        .into_iter()
        .map(|i| (i.code, i.name))
        .collect();
    for chunk in ids.chunks(500) {
        let attendance: Vec<(String, String, String, String)> = aa::table
            .inner_join(
                a::table.on(a::tenant_id
                    .eq(aa::tenant_id)
                    .and(a::id.eq(aa::activity_id))),
            )
            .filter(aa::tenant_id.eq(&tid).and(aa::member_id.eq_any(chunk)))
            .filter(a::held_on.ge(from).and(a::held_on.le(to)))
            .filter(a::state.eq(crate::activities::model::ActivityState::Held.as_str()))
            .order((a::held_on.asc(), a::id.asc()))
            .select((aa::member_id, aa::status, a::kind, a::theme))
            .load(tx.conn())?;
        for (member, status, kind, theme) in attendance {
            let f = facts.entry(member).or_default();
            match AttendanceStatus::parse(&status) {
                Some(AttendanceStatus::Present) => {
                    f.present += 1;
                    f.trainings += i64::from(kind == CentreActivityKind::Training.as_str());
                    f.attended.push(theme);
                }
                Some(AttendanceStatus::Absent) => f.absent += 1,
                Some(AttendanceStatus::Invited) => f.unrecorded += 1,
                Some(AttendanceStatus::Excused) => f.excused += 1,
                None => {}
            }
        }
        let records: Vec<(String, NaiveDate, String, String)> = r::table
            .filter(r::tenant_id.eq(&tid).and(r::member_id.eq_any(chunk)))
            .filter(r::category.eq(crate::records::model::Category::Business.as_str()))
            .filter(r::recorded_on.ge(from).and(r::recorded_on.le(to)))
            .order((r::recorded_on.asc(), r::id.asc()))
            .select((r::member_id, r::recorded_on, r::item_code, r::content))
            .load(tx.conn())?;
        for (member, on, code, content) in records {
            let name = items.get(&code).cloned().unwrap_or(code);
            let f = facts.entry(member).or_default();
            if model::is_credit_item(&name) {
                f.credit.push((on, name, content));
            } else {
                f.operation.push((on, name, content));
            }
        }
    }
    let home_units: Vec<String> = members
        .iter()
        .filter_map(|m| m.membership_unit_id.clone())
        .collect();
    let mut unit_names: HashMap<String, String> = HashMap::new();
    for chunk in home_units.chunks(500) {
        unit_names.extend(
            o::table
                .filter(o::tenant_id.eq(&tid).and(o::id.eq_any(chunk)))
                .select((o::id, o::name))
                .load::<(String, String)>(tx.conn())?,
        );
    }
    Ok(members
        .into_iter()
        .map(|mem| {
            let mut f = facts.remove(&mem.id).unwrap_or_default();
            f.business_status = business_status_label(&mem.business_status);
            let recipient = mem
                .membership_unit_id
                .as_ref()
                .and_then(|u| unit_names.get(u).cloned())
                .or_else(|| {
                    Some(mem.membership_org_name.trim().to_owned()).filter(|n| !n.is_empty())
                })
                .unwrap_or_else(|| "组织关系所在党组织（名册未登记）".to_owned());
            NewLetter {
                member_id: mem.id,
                recipient,
                recipient_unit_id: mem.membership_unit_id,
                activities: model::activities_text(&f),
                operation: model::operation_text(&f),
                credit: model::credit_text(&f),
            }
        })
        .collect())
}

fn business_status_label(s: &str) -> &'static str {
    use crate::members::model::BusinessStatus;
    match BusinessStatus::parse(s) {
        Some(BusinessStatus::Operating) => "正常经营",
        Some(BusinessStatus::Suspended) => "停歇业",
        Some(BusinessStatus::Closed) => "已注销",
        None => "未登记",
    }
}
