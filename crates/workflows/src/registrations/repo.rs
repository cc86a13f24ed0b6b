//! Registrations and their telephone confirmations, in storage.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::api::PageRequest;
use crate::db::schema::{org_units as o, registration_calls as rc, registrations as rg};
use crate::db::{DbResult, TenantTx};
use crate::error::AppError;
use crate::org::model::subtree_end;
use crate::org::scope::Visibility;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rg)]
pub struct RegistrationRow {
    pub tenant_id: String,
    pub id: String,
    pub centre_id: String,
    pub state: String,
    pub name: String,
    pub business_name: String,
    pub id_number_bidx: Option<String>,
    pub survey_enc: String,
    pub surveyed_on: NaiveDate,
    pub taken_by: String,
    pub confirmed_on: Option<NaiveDate>,
    pub pledged_on: Option<NaiveDate>,
    pub pledge_reference: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub plaque_no: Option<String>,
    pub handbook_no: Option<String>,
    pub entered_on: Option<NaiveDate>,
    pub member_id: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub close_reason: Option<String>,
    pub last_step_on: NaiveDate,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Everything of a registration the workflow writes; a step changes a copy and stores it.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = rg)]
#[diesel(treat_none_as_null = true)]
pub struct RegistrationValues {
    pub centre_id: String,
    pub state: String,
    pub name: String,
    pub business_name: String,
    pub id_number_bidx: Option<String>,
    pub survey_enc: String,
    pub surveyed_on: NaiveDate,
    pub taken_by: String,
    pub confirmed_on: Option<NaiveDate>,
    pub pledged_on: Option<NaiveDate>,
    pub pledge_reference: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub plaque_no: Option<String>,
    pub handbook_no: Option<String>,
    pub entered_on: Option<NaiveDate>,
    pub member_id: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub close_reason: Option<String>,
    pub last_step_on: NaiveDate,
}

impl RegistrationValues {
    pub fn from_row(r: &RegistrationRow) -> Self {
        Self {
            centre_id: r.centre_id.clone(),
            state: r.state.clone(),
            name: r.name.clone(),
            business_name: r.business_name.clone(),
            id_number_bidx: r.id_number_bidx.clone(),
            survey_enc: r.survey_enc.clone(),
            surveyed_on: r.surveyed_on,
            taken_by: r.taken_by.clone(),
            confirmed_on: r.confirmed_on,
            pledged_on: r.pledged_on,
            pledge_reference: r.pledge_reference.clone(),
            issued_on: r.issued_on,
            plaque_no: r.plaque_no.clone(),
            handbook_no: r.handbook_no.clone(),
            entered_on: r.entered_on,
            member_id: r.member_id.clone(),
            closed_on: r.closed_on,
            close_reason: r.close_reason.clone(),
            last_step_on: r.last_step_on,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rc)]
pub struct CallRow {
    pub tenant_id: String,
    pub id: String,
    pub registration_id: String,
    pub called_on: NaiveDate,
    pub caller_id: String,
    pub whom: String,
    pub org_name: String,
    pub outcome: String,
    pub note: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn insert(tx: &mut TenantTx<'_>, v: &RegistrationValues) -> DbResult<RegistrationRow> {
    let tid = tx.tid().to_owned();
    let id = uuid::Uuid::now_v7().to_string();
    let now = Utc::now().naive_utc();
    diesel::insert_into(rg::table)
        .values((
            rg::tenant_id.eq(&tid),
            rg::id.eq(&id),
            v,
            rg::version.eq(1i64),
            rg::created_at.eq(now),
            rg::updated_at.eq(now),
        ))
        .execute(tx.conn())?;
    get(tx, &id)?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("inserted registration vanished")).into())
}

pub fn get(tx: &mut TenantTx<'_>, id: &str) -> DbResult<Option<RegistrationRow>> {
    let tid = tx.tid().to_owned();
    Ok(rg::table
        .filter(rg::tenant_id.eq(tid).and(rg::id.eq(id)))
        .select(RegistrationRow::as_select())
        .first(tx.conn())
        .optional()?)
}

/// Writes new values if the registration is at `expected` (412 otherwise).
pub fn update(
    tx: &mut TenantTx<'_>,
    id: &str,
    expected: i64,
    v: &RegistrationValues,
) -> DbResult<RegistrationRow> {
    let tid = tx.tid().to_owned();
    let n = diesel::update(
        rg::table.filter(
            rg::tenant_id
                .eq(&tid)
                .and(rg::id.eq(id))
                .and(rg::version.eq(expected)),
        ),
    )
    .set((
        v,
        rg::version.eq(expected + 1),
        rg::updated_at.eq(Utc::now().naive_utc()),
    ))
    .execute(tx.conn())?;
    if n == 0 {
        return Err(AppError::precondition_failed().into());
    }
    get(tx, id)?.ok_or_else(|| AppError::not_found().into())
}

/// An open registration of the same person (by the ID-card number's blind index).
pub fn open_with_id_number(tx: &mut TenantTx<'_>, bidx: &str) -> DbResult<Option<String>> {
    let tid = tx.tid().to_owned();
    Ok(rg::table
        .filter(rg::tenant_id.eq(tid).and(rg::id_number_bidx.eq(bidx)))
        .filter(rg::state.ne_all(["entered", "closed"]))
        .select(rg::id)
        .first(tx.conn())
        .optional()?)
}

#[allow(clippy::too_many_arguments)]
pub fn add_call(
    tx: &mut TenantTx<'_>,
    registration_id: &str,
    called_on: NaiveDate,
    caller: &str,
    whom: &str,
    org_name: &str,
    outcome: &str,
    note: Option<&str>,
) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    diesel::insert_into(rc::table)
        .values((
            rc::tenant_id.eq(&tid),
            rc::id.eq(uuid::Uuid::now_v7().to_string()),
            rc::registration_id.eq(registration_id),
            rc::called_on.eq(called_on),
            rc::caller_id.eq(caller),
            rc::whom.eq(whom),
            rc::org_name.eq(org_name),
            rc::outcome.eq(outcome),
            rc::note.eq(note),
            rc::created_at.eq(Utc::now().naive_utc()),
        ))
        .execute(tx.conn())?;
    Ok(())
}

/// The calls of some registrations, in the order they were made.
pub fn calls(tx: &mut TenantTx<'_>, ids: &[String]) -> DbResult<Vec<CallRow>> {
    let tid = tx.tid().to_owned();
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let mut rows: Vec<CallRow> = rc::table
            .filter(
                rc::tenant_id
                    .eq(&tid)
                    .and(rc::registration_id.eq_any(chunk)),
            )
            .order(rc::id.asc())
            .select(CallRow::as_select())
            .load(tx.conn())?;
        out.append(&mut rows);
    }
    Ok(out)
}

/// Each registration's latest call outcome.
pub fn last_outcomes(tx: &mut TenantTx<'_>, ids: &[String]) -> DbResult<HashMap<String, String>> {
    Ok(calls(tx, ids)?
        .into_iter()
        .map(|c| (c.registration_id, c.outcome))
        .collect())
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub centre_id: Option<String>,
    pub state: Option<&'static str>,
    /// Only those not entered or closed.
    pub open: bool,
}

/// Registrations of the centres the caller sees, the newest first, from the keyset cursor.
pub fn list(
    tx: &mut TenantTx<'_>,
    vis: &Visibility,
    f: &Filter,
    page: &PageRequest,
) -> DbResult<Vec<RegistrationRow>> {
    let tid = tx.tid().to_owned();
    let mut q = rg::table
        .filter(rg::tenant_id.eq(&tid))
        .select(RegistrationRow::as_select())
        .into_boxed();
    match vis {
        Visibility::County => {}
        Visibility::Nothing => return Ok(Vec::new()),
        Visibility::Subtree(p) => {
            q = q.filter(
                rg::centre_id.eq_any(
                    o::table
                        .filter(o::tenant_id.eq(tid.clone()))
                        .filter(o::path.ge(p.clone()).and(o::path.lt(subtree_end(p))))
                        .select(o::id),
                ),
            );
        }
    }
    if let Some(c) = &f.centre_id {
        q = q.filter(rg::centre_id.eq(c.clone()));
    }
    if let Some(s) = f.state {
        q = q.filter(rg::state.eq(s));
    }
    if f.open {
        q = q.filter(rg::state.ne_all(["entered", "closed"]));
    }
    if let Some(after) = &page.after {
        q = q.filter(rg::id.lt(after.clone()));
    }
    Ok(q.order(rg::id.desc()).limit(page.fetch()).load(tx.conn())?)
}

/// The registration that entered a member (their time line).
pub fn of_member(tx: &mut TenantTx<'_>, member_id: &str) -> DbResult<Option<RegistrationRow>> {
    let tid = tx.tid().to_owned();
    Ok(rg::table
        .filter(rg::tenant_id.eq(tid).and(rg::member_id.eq(member_id)))
        .select(RegistrationRow::as_select())
        .first(tx.conn())
        .optional()?)
}
