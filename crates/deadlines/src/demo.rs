//! The demo county's deadline history: it has kept its records here since 1 January 2025, so
//! the daily job owes it the periods that fell due since (the current and the previous one),
//! and the county marked this year's data verification done in time.

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;

use super::job;
use super::model::{ObligationKind, Period};
use super::repo::{self, NewObligation};
use crate::db::schema::org_units as ou;
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::org::model::OrgKind;

/// Runs after every other generator of the county.
pub fn finish(tx: &mut TenantTx<'_>, today: NaiveDate) -> DbResult<job::Report> {
    let tid = tx.tid().to_owned();
    let start = NaiveDate::from_ymd_opt(2025, 1, 1)
        .and_then(|d| d.and_hms_opt(8, 0, 0))
        .unwrap_or_default();
    diesel::update(ou::table.filter(ou::tenant_id.eq(&tid)))
        .set(ou::created_at.eq(start))
        .execute(tx.conn())?;
    // Data verification (due 30 September) was done on the 26th.
    let done = NaiveDate::from_ymd_opt(today.year(), 9, 26).unwrap_or(today);
    let committee: Option<(String, String)> = ou::table
        .filter(ou::tenant_id.eq(&tid))
        .filter(ou::kind.eq(OrgKind::AssociationCommittee.as_str()))
        .select((ou::id, ou::name))
        .first(tx.conn())
        .optional()?;
    let kind = ObligationKind::DataVerification;
    let period = Period::Year(today.year());
    if let (Some((unit, name)), Some(due_on)) =
        (committee, repo::rules(tx)?.due_for_period(kind, period))
        && done < today
    {
        repo::open(
            tx,
            NewObligation {
                kind,
                period,
                subject_type: "org_unit",
                subject_id: &unit,
                owner_org_unit_id: &unit,
                member_id: None,
                title: job::title(kind, period, &name),
                due_on,
            },
        )?;
        repo::close_on(tx, kind, &unit, period, "demo", done)?;
    }
    let report = job::run_tenant(tx, today)?;
    Ok(report)
}
