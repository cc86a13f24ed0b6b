//! Branch evaluations in storage, the subjects, and the facts the proposals read from the
//! workflows' tables (activities, service requests, handbooks, registrations).

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::model::{Assessment, EvaluationState, Facts};
use crate::db::schema::{
    activities as a, branch_evaluations as be, handbooks as h, org_units as o, registrations as rg,
    service_requests as sr,
};
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::error::AppError;
use crate::error::DbError;
use crate::org::model::OrgKind;
use crate::org::repo::OrgUnitRow;
use crate::rubric::{Rubric, Score};

/// The most subjects a county ranks: party branches and centres of the largest county.
pub const SUBJECTS_MAX: i64 = 5000;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = be)]
pub struct EvaluationRow {
    pub tenant_id: String,
    pub id: String,
    pub unit_id: String,
    pub year: i32,
    pub rubric_code: String,
    pub rubric_version: i32,
    pub state: String,
    pub self_body: Option<String>,
    pub self_total: Option<i32>,
    pub self_grade: Option<String>,
    pub self_by: Option<String>,
    pub self_on: Option<NaiveDate>,
    pub body: Option<String>,
    pub total: Option<i32>,
    pub grade: Option<String>,
    pub outright: Option<String>,
    pub assessed_by: Option<String>,
    pub assessed_on: Option<NaiveDate>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl EvaluationRow {
    pub fn state(&self) -> EvaluationState {
        EvaluationState::parse(&self.state).unwrap_or(EvaluationState::SelfAssessed)
    }

    fn read(body: Option<&str>) -> DbResult<Option<Assessment>> {
        body.map(|b| {
            serde_json::from_str(b)
                .map_err(|e| AppError::internal(anyhow::anyhow!("stored assessment: {e}")).into())
        })
        .transpose()
    }

    pub fn self_assessment(&self) -> DbResult<Option<Assessment>> {
        Self::read(self.self_body.as_deref())
    }

    pub fn assessment(&self) -> DbResult<Option<Assessment>> {
        Self::read(self.body.as_deref())
    }
}

/// The kinds graded: "支部（党员服务中心）".
pub const SUBJECT_KINDS: [OrgKind; 2] = [OrgKind::PartyBranch, OrgKind::ServiceCentre];

/// The county's active party branches and service centres, in tree order.
pub fn subjects(tx: &mut TenantTx<'_>) -> DbResult<Vec<OrgUnitRow>> {
    let tid = tx.tid().to_owned();
    Ok(o::table
        .filter(o::tenant_id.eq(tid))
        .filter(o::kind.eq_any(SUBJECT_KINDS.map(|k| k.as_str())))
        .filter(o::active.eq(true))
        .order(o::path.asc())
        .limit(SUBJECTS_MAX)
        .select(OrgUnitRow::as_select())
        .load(tx.conn())?)
}

pub fn get(tx: &mut TenantTx<'_>, unit_id: &str, year: i32) -> DbResult<Option<EvaluationRow>> {
    let tid = tx.tid().to_owned();
    Ok(be::table
        .filter(be::tenant_id.eq(tid).and(be::unit_id.eq(unit_id)))
        .filter(be::year.eq(year))
        .select(EvaluationRow::as_select())
        .first(tx.conn())
        .optional()?)
}

pub fn of_year(tx: &mut TenantTx<'_>, year: i32) -> DbResult<Vec<EvaluationRow>> {
    let tid = tx.tid().to_owned();
    Ok(be::table
        .filter(be::tenant_id.eq(tid).and(be::year.eq(year)))
        .order(be::unit_id.asc())
        .limit(SUBJECTS_MAX)
        .select(EvaluationRow::as_select())
        .load(tx.conn())?)
}

/// Which of the two assessments is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Subject,
    Committee,
}

/// Writes one assessment and its score: a new row (the rubric version in force is fixed on
/// it), or the existing row at `expected` (412 when it changed meanwhile).
#[allow(clippy::too_many_arguments)]
pub fn save(
    tx: &mut TenantTx<'_>,
    existing: Option<(&EvaluationRow, i64)>,
    unit_id: &str,
    year: i32,
    rubric: &Rubric,
    side: Side,
    a: &Assessment,
    score: &Score,
    by: &str,
    today: NaiveDate,
) -> DbResult<EvaluationRow> {
    let tid = tx.tid().to_owned();
    let now = Utc::now().naive_utc();
    let body = serde_json::to_string(a).map_err(AppError::internal)?;
    let state = match side {
        Side::Subject => EvaluationState::SelfAssessed,
        Side::Committee => EvaluationState::Assessed,
    };
    match existing {
        Some((row, expected)) => {
            let target = be::table.filter(
                be::tenant_id
                    .eq(&tid)
                    .and(be::id.eq(&row.id))
                    .and(be::version.eq(expected)),
            );
            let n = match side {
                Side::Subject => diesel::update(target)
                    .set((
                        be::self_body.eq(Some(body)),
                        be::self_total.eq(Some(score.total.0)),
                        be::self_grade.eq(Some(&score.grade)),
                        be::self_by.eq(Some(by)),
                        be::self_on.eq(Some(today)),
                        be::version.eq(expected + 1),
                        be::updated_at.eq(now),
                    ))
                    .execute(tx.conn())?,
                Side::Committee => diesel::update(target)
                    .set((
                        be::state.eq(state.as_str()),
                        be::body.eq(Some(body)),
                        be::total.eq(Some(score.total.0)),
                        be::grade.eq(Some(&score.grade)),
                        be::outright.eq(score.outright.as_deref()),
                        be::assessed_by.eq(Some(by)),
                        be::assessed_on.eq(Some(today)),
                        be::version.eq(expected + 1),
                        be::updated_at.eq(now),
                    ))
                    .execute(tx.conn())?,
            };
            if n == 0 {
                return Err(AppError::precondition_failed().into());
            }
        }
        None => {
            let subject = side == Side::Subject;
            let committee = !subject;
            diesel::insert_into(be::table)
                .values((
                    be::tenant_id.eq(&tid),
                    be::id.eq(uuid::Uuid::now_v7().to_string()),
                    be::unit_id.eq(unit_id),
                    be::year.eq(year),
                    be::rubric_code.eq(&rubric.code),
                    be::rubric_version.eq(rubric.version),
                    be::state.eq(state.as_str()),
                    be::self_body.eq(subject.then(|| body.clone())),
                    be::self_total.eq(subject.then_some(score.total.0)),
                    be::self_grade.eq(subject.then(|| score.grade.clone())),
                    be::self_by.eq(subject.then_some(by)),
                    be::self_on.eq(subject.then_some(today)),
                    be::body.eq(committee.then(|| body.clone())),
                    be::total.eq(committee.then_some(score.total.0)),
                    be::grade.eq(committee.then(|| score.grade.clone())),
                    be::outright.eq(if committee {
                        score.outright.clone()
                    } else {
                        None
                    }),
                    be::assessed_by.eq(committee.then_some(by)),
                    be::assessed_on.eq(committee.then_some(today)),
                    be::version.eq(1i64),
                    be::created_at.eq(now),
                    be::updated_at.eq(now),
                ))
                .execute(tx.conn())
                .map_err(|e| DbError::from(e).unique_as(AppError::precondition_failed))?;
        }
    }
    get(tx, unit_id, year)?.ok_or_else(|| AppError::not_found().into())
}

/// What is recorded about a subject's year (up to `as_of`, the year's end or today).
pub fn facts(
    tx: &mut TenantTx<'_>,
    unit: &OrgUnitRow,
    year: i32,
    as_of: NaiveDate,
) -> DbResult<Facts> {
    let tid = tx.tid().to_owned();
    let (from, to) = year_bounds(year);
    let to = to.min(as_of);
    let mut f = Facts::default();
    if unit.kind() == OrgKind::ServiceCentre {
        let held: Vec<(NaiveDate, String)> = a::table
            .filter(a::tenant_id.eq(&tid).and(a::centre_id.eq(&unit.id)))
            .filter(a::state.eq("held"))
            .filter(a::held_on.ge(from).and(a::held_on.le(to)))
            .order(a::held_on.asc())
            .limit(1000)
            .select((a::held_on, a::theme))
            .load(tx.conn())?;
        f.activities = Some(held);
        let requests: Vec<(NaiveDate, Option<NaiveDate>, Option<NaiveDate>)> = sr::table
            .filter(sr::tenant_id.eq(&tid).and(sr::centre_id.eq(&unit.id)))
            .filter(sr::received_on.ge(from).and(sr::received_on.le(to)))
            .filter(sr::due_on.is_not_null())
            .order(sr::received_on.asc())
            .limit(10_000)
            .select((sr::received_on, sr::due_on, sr::answered_on))
            .load(tx.conn())?;
        f.late_replies = requests
            .into_iter()
            .filter(|(_, due, answered)| {
                crate::workflows::centres::model::overdue(*due, *answered, to)
            })
            .filter_map(|(r, due, _)| due.map(|d| (r, d)))
            .collect();
        let entered: i64 = rg::table
            .filter(rg::tenant_id.eq(&tid).and(rg::centre_id.eq(&unit.id)))
            .filter(rg::entered_on.ge(from).and(rg::entered_on.le(to)))
            .count()
            .get_result(tx.conn())?;
        f.registrations_entered = u32::try_from(entered).unwrap_or(u32::MAX);
    }
    let issued: Vec<String> = h::table
        .filter(h::tenant_id.eq(&tid).and(h::branch_id.eq(&unit.id)))
        .filter(h::issued_on.ge(from).and(h::issued_on.le(to)))
        .filter(h::state.ne_all(["cancelled", "reissued"]))
        .limit(100_000)
        .select(h::state)
        .load(tx.conn())?;
    f.handbooks_issued = u32::try_from(issued.len()).unwrap_or(u32::MAX);
    f.handbooks_complete = u32::try_from(
        issued
            .iter()
            .filter(|s| s.as_str() == "reported_to_branch")
            .count(),
    )
    .unwrap_or(u32::MAX);
    Ok(f)
}

/// 1 January and 31 December of a year in range (the API bounds years to 2000–2100).
pub fn year_bounds(year: i32) -> (NaiveDate, NaiveDate) {
    let d = |m, day| NaiveDate::from_ymd_opt(year, m, day).unwrap_or_default();
    (d(1, 1), d(12, 31))
}
