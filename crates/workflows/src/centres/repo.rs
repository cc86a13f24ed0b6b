//! Service requests and their steps, in storage.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::api::PageRequest;
use crate::db::schema::{org_units as o, service_request_events as ev, service_requests as sr};
use crate::db::{DbResult, TenantTx};
use crate::error::AppError;
use crate::org::model::subtree_end;
use crate::org::scope::Visibility;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sr)]
pub struct RequestRow {
    pub tenant_id: String,
    pub id: String,
    pub centre_id: String,
    pub member_id: String,
    pub channel: String,
    pub category: String,
    pub major: bool,
    pub content: String,
    pub received_on: NaiveDate,
    pub first_responder_id: String,
    pub owner_id: String,
    pub state: String,
    pub escalated_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub extensions: i32,
    pub answer: Option<String>,
    pub answer_method: Option<String>,
    pub answered_on: Option<NaiveDate>,
    pub follow_up_method: Option<String>,
    pub followed_up_on: Option<NaiveDate>,
    pub follow_up_opinion: Option<String>,
    pub satisfaction: Option<String>,
    pub archived_on: Option<NaiveDate>,
    pub archive_reference: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Everything of a request that the workflow writes; a step changes a copy and stores it.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = sr)]
#[diesel(treat_none_as_null = true)]
pub struct RequestValues {
    pub centre_id: String,
    pub member_id: String,
    pub channel: String,
    pub category: String,
    pub major: bool,
    pub content: String,
    pub received_on: NaiveDate,
    pub first_responder_id: String,
    pub owner_id: String,
    pub state: String,
    pub escalated_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub extensions: i32,
    pub answer: Option<String>,
    pub answer_method: Option<String>,
    pub answered_on: Option<NaiveDate>,
    pub follow_up_method: Option<String>,
    pub followed_up_on: Option<NaiveDate>,
    pub follow_up_opinion: Option<String>,
    pub satisfaction: Option<String>,
    pub archived_on: Option<NaiveDate>,
    pub archive_reference: Option<String>,
}

impl RequestValues {
    pub fn from_row(r: &RequestRow) -> Self {
        Self {
            centre_id: r.centre_id.clone(),
            member_id: r.member_id.clone(),
            channel: r.channel.clone(),
            category: r.category.clone(),
            major: r.major,
            content: r.content.clone(),
            received_on: r.received_on,
            first_responder_id: r.first_responder_id.clone(),
            owner_id: r.owner_id.clone(),
            state: r.state.clone(),
            escalated_on: r.escalated_on,
            due_on: r.due_on,
            extensions: r.extensions,
            answer: r.answer.clone(),
            answer_method: r.answer_method.clone(),
            answered_on: r.answered_on,
            follow_up_method: r.follow_up_method.clone(),
            followed_up_on: r.followed_up_on,
            follow_up_opinion: r.follow_up_opinion.clone(),
            satisfaction: r.satisfaction.clone(),
            archived_on: r.archived_on,
            archive_reference: r.archive_reference.clone(),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ev)]
pub struct EventRow {
    pub tenant_id: String,
    pub id: String,
    pub request_id: String,
    pub kind: String,
    pub on_day: NaiveDate,
    pub by_user_id: String,
    pub detail: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn insert(tx: &mut TenantTx<'_>, v: &RequestValues) -> DbResult<RequestRow> {
    let tid = tx.tid().to_owned();
    let id = uuid::Uuid::now_v7().to_string();
    let now = Utc::now().naive_utc();
    diesel::insert_into(sr::table)
        .values((
            sr::tenant_id.eq(&tid),
            sr::id.eq(&id),
            v,
            sr::version.eq(1i64),
            sr::created_at.eq(now),
            sr::updated_at.eq(now),
        ))
        .execute(tx.conn())?;
    get(tx, &id)?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("inserted request vanished")).into())
}

pub fn get(tx: &mut TenantTx<'_>, id: &str) -> DbResult<Option<RequestRow>> {
    let tid = tx.tid().to_owned();
    Ok(sr::table
        .filter(sr::tenant_id.eq(tid).and(sr::id.eq(id)))
        .select(RequestRow::as_select())
        .first(tx.conn())
        .optional()?)
}

/// Writes new values if the request is at `expected` (412 otherwise).
pub fn update(
    tx: &mut TenantTx<'_>,
    id: &str,
    expected: i64,
    v: &RequestValues,
) -> DbResult<RequestRow> {
    let tid = tx.tid().to_owned();
    let n = diesel::update(
        sr::table.filter(
            sr::tenant_id
                .eq(&tid)
                .and(sr::id.eq(id))
                .and(sr::version.eq(expected)),
        ),
    )
    .set((
        v,
        sr::version.eq(expected + 1),
        sr::updated_at.eq(Utc::now().naive_utc()),
    ))
    .execute(tx.conn())?;
    if n == 0 {
        return Err(AppError::precondition_failed().into());
    }
    get(tx, id)?.ok_or_else(|| AppError::not_found().into())
}

pub fn add_event(
    tx: &mut TenantTx<'_>,
    request_id: &str,
    kind: &str,
    on: NaiveDate,
    by: &str,
    detail: Option<String>,
) -> DbResult<()> {
    let row = EventRow {
        tenant_id: tx.tid().to_owned(),
        id: uuid::Uuid::now_v7().to_string(),
        request_id: request_id.to_owned(),
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

/// The steps of some requests, in the order they were taken.
pub fn events(tx: &mut TenantTx<'_>, request_ids: &[String]) -> DbResult<Vec<EventRow>> {
    let tid = tx.tid().to_owned();
    let mut out = Vec::new();
    for chunk in request_ids.chunks(500) {
        let mut rows: Vec<EventRow> = ev::table
            .filter(ev::tenant_id.eq(&tid).and(ev::request_id.eq_any(chunk)))
            .order(ev::id.asc())
            .select(EventRow::as_select())
            .load(tx.conn())?;
        out.append(&mut rows);
    }
    Ok(out)
}

/// Every request of a member (the time line), oldest first.
pub fn of_member(tx: &mut TenantTx<'_>, member_id: &str) -> DbResult<Vec<RequestRow>> {
    let tid = tx.tid().to_owned();
    Ok(sr::table
        .filter(sr::tenant_id.eq(tid).and(sr::member_id.eq(member_id)))
        .order(sr::id.asc())
        .select(RequestRow::as_select())
        .load(tx.conn())?)
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only requests not yet answered (taken or escalated).
    pub open: bool,
    pub state: Option<&'static str>,
    pub centre_id: Option<String>,
    pub owner_id: Option<String>,
    pub member_id: Option<String>,
}

/// The due day a request without one (not escalated) sorts by: after every dated one. The
/// list's SQL says the same (`COALESCE(due_on, '9999-12-31')`); cursors carry it.
pub fn undated() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX)
}

/// Requests whose centre the caller sees: open ones first, each group by due day (the most
/// overdue first; undated ones, answered at once or not yet escalated, last) then id, from the
/// keyset cursor.
pub fn list(
    tx: &mut TenantTx<'_>,
    vis: &Visibility,
    f: &Filter,
    page: &PageRequest,
) -> DbResult<Vec<RequestRow>> {
    use diesel::dsl::sql;
    use diesel::sql_types::{Bool, Date, Integer, Text};
    let tid = tx.tid().to_owned();
    let mut q = sr::table
        .filter(sr::tenant_id.eq(&tid))
        .select(RequestRow::as_select())
        .into_boxed();
    match vis {
        Visibility::County => {}
        Visibility::Nothing => return Ok(Vec::new()),
        Visibility::Subtree(p) => {
            q = q.filter(
                sr::centre_id.eq_any(
                    o::table
                        .filter(o::tenant_id.eq(tid.clone()))
                        .filter(o::path.ge(p.clone()).and(o::path.lt(subtree_end(p))))
                        .select(o::id),
                ),
            );
        }
    }
    if f.open {
        q = q.filter(sr::state.eq_any(["taken", "escalated"]));
    }
    if let Some(s) = f.state {
        q = q.filter(sr::state.eq(s));
    }
    if let Some(c) = &f.centre_id {
        q = q.filter(sr::centre_id.eq(c.clone()));
    }
    if let Some(u) = &f.owner_id {
        q = q.filter(sr::owner_id.eq(u.clone()));
    }
    if let Some(m) = &f.member_id {
        q = q.filter(sr::member_id.eq(m.clone()));
    }
    // Open requests (taken or escalated) before answered and archived ones, each by due day.
    // The same expressions order and page, so a cursor never skips or repeats.
    const CLOSED: &str =
        "CASE WHEN service_requests.state IN ('taken', 'escalated') THEN 0 ELSE 1 END";
    const DUE: &str = "COALESCE(service_requests.due_on, '9999-12-31')";
    // The cursor is the last row's id; the page goes on after its (closed, due day, id).
    let after = match &page.after {
        Some(id) => get(tx, id)?.map(|r| {
            let closed = i32::from(!matches!(r.state.as_str(), "taken" | "escalated"));
            (closed, r.due_on.unwrap_or_else(undated), r.id)
        }),
        None => None,
    };
    if let Some((closed, day, id)) = after {
        q = q.filter(
            sql::<Bool>(&format!("({CLOSED}, {DUE}, service_requests.id) > ("))
                .bind::<Integer, _>(closed)
                .sql(", ")
                .bind::<Date, _>(day)
                .sql(", ")
                .bind::<Text, _>(id)
                .sql(")"),
        );
    }
    Ok(q.order((
        sql::<Integer>(CLOSED).asc(),
        sql::<Date>(DUE).asc(),
        sr::id.asc(),
    ))
    .limit(page.fetch())
    .load(tx.conn())?)
}

/// A centre's requests received in `[from, to]` (the yearly report).
pub fn received_between(
    tx: &mut TenantTx<'_>,
    centre_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> DbResult<Vec<RequestRow>> {
    let tid = tx.tid().to_owned();
    Ok(sr::table
        .filter(sr::tenant_id.eq(tid).and(sr::centre_id.eq(centre_id)))
        .filter(sr::received_on.ge(from).and(sr::received_on.le(to)))
        .order(sr::id.asc())
        .select(RequestRow::as_select())
        .load(tx.conn())?)
}

/// The county's service centres, in tree order.
pub fn centres(tx: &mut TenantTx<'_>) -> DbResult<Vec<crate::org::repo::OrgUnitRow>> {
    use crate::org::model::OrgKind;
    use crate::org::repo::OrgUnitRow;
    let tid = tx.tid().to_owned();
    Ok(o::table
        .filter(o::tenant_id.eq(tid))
        .filter(o::kind.eq(crate::enums::StrEnum::as_str(OrgKind::ServiceCentre)))
        .order(o::path.asc())
        .select(OrgUnitRow::as_select())
        .load(tx.conn())?)
}

/// Active branch staff bound to a unit of the centre's region (its branch's subtree), by name:
/// the centre's staff and its director (`api::may_own` decides who of them may own a request).
pub fn branch_staff_of_region(
    tx: &mut TenantTx<'_>,
    centre: &crate::org::repo::OrgUnitRow,
) -> DbResult<Vec<(String, String)>> {
    use crate::db::schema::users as u;
    let tid = tx.tid().to_owned();
    let Some(branch) = centre.parent_id.as_deref() else {
        return Ok(Vec::new());
    };
    let Some(branch) = crate::org::repo::get(tx, branch)? else {
        return Ok(Vec::new());
    };
    Ok(u::table
        .filter(u::tenant_id.eq(&tid))
        .filter(u::role.eq("branch_staff").and(u::status.eq("active")))
        .filter(
            u::org_unit_id.eq_any(
                o::table
                    .filter(o::tenant_id.eq(tid.clone()))
                    .filter(
                        o::path
                            .ge(branch.path.clone())
                            .and(o::path.lt(subtree_end(&branch.path))),
                    )
                    .select(o::id.nullable()),
            ),
        )
        .order((u::display_name.asc(), u::id.asc()))
        .select((u::id, u::display_name))
        .limit(200)
        .load(tx.conn())?)
}
