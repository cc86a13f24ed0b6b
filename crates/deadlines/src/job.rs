//! The daily deadline job, per county:
//! 1. materialise the periodic obligations every county owes (quarterly filing per recording
//!    unit, semi-annual feedback per linked branch and village, the QQ join per group, and the
//!    county-level dates of seed 001 and 002), for the current and the previous period;
//! 2. close the QQ join obligations whose organisers have all joined;
//! 3. record the open obligations that became overdue, with one notification each in the
//!    outbox, and a reminder three days before a due date.
//!
//! Idempotent: rerunning it on the same day (or on another replica) writes nothing twice, as
//! every row it writes has a unique key it checks first.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::model::{ObligationKind, Period};
use super::notices::{About, Notice, Topic};
use super::repo::{self, NewObligation};
use super::rules::Rules;
use crate::db::schema::{
    grid_townships as gt, grids as g, obligations as o, org_units as ou, outbox as ob,
    qq_groups as qg,
};
use crate::db::{Db, DbResult, Mode, TenantTx};
use crate::enums::StrEnum;
use crate::org::model::{OrgKind, subtree_end};
use crate::tenancy::TenantId;

/// What one run did in one county.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    pub opened: usize,
    pub closed: usize,
    pub newly_overdue: usize,
    pub reminders: usize,
}

impl std::ops::AddAssign for Report {
    fn add_assign(&mut self, r: Report) {
        self.opened += r.opened;
        self.closed += r.closed;
        self.newly_overdue += r.newly_overdue;
        self.reminders += r.reminders;
    }
}

/// Days before a due date that the reminder goes out.
pub const REMIND_DAYS: i64 = 3;

/// Runs the job for every active county; returns the counties done and the sum of their
/// reports. One county's failure is logged and does not stop the others.
pub async fn run_all(db: &Db, today: NaiveDate) -> DbResult<(usize, Report)> {
    let tenants = db
        .platform(Mode::Read, crate::tenancy::repo::active_ids)
        .await?;
    let mut total = Report::default();
    let mut done = 0;
    for id in tenants {
        let Some(tid) = TenantId::parse(&id) else {
            continue;
        };
        match db
            .tenant(tid, Mode::Write, move |tx| run_tenant(tx, today))
            .await
        {
            Ok(r) => {
                total += r;
                done += 1;
            }
            Err(e) => tracing::error!(tenant = %id, error = %e, "deadline job failed for a county"),
        }
    }
    Ok((done, total))
}

/// The job for the county of `tx`, as of `today`.
pub fn run_tenant(tx: &mut TenantTx<'_>, today: NaiveDate) -> DbResult<Report> {
    let mut report = Report::default();
    let rules = repo::rules(tx)?;
    report.opened += materialise(tx, &rules, today)?;
    report.closed += close_qq_joins(tx, today)?;
    let (overdue, reminders) = notify(tx, today)?;
    report.newly_overdue = overdue;
    report.reminders = reminders;
    Ok(report)
}

/// Active units of the given kinds: (id, name).
fn units(tx: &mut TenantTx<'_>, kinds: &[OrgKind]) -> DbResult<Vec<(String, String)>> {
    let tid = tx.tid().to_owned();
    let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    Ok(ou::table
        .filter(ou::tenant_id.eq(tid))
        .filter(ou::active.eq(true))
        .filter(ou::kind.eq_any(kinds))
        .order(ou::path.asc())
        .select((ou::id, ou::name))
        .load(tx.conn())?)
}

/// The senders of semi-annual feedback: party branches linked to a grid and the villages of the
/// grids' current townships.
fn feedback_senders(tx: &mut TenantTx<'_>) -> DbResult<Vec<(String, String)>> {
    let tid = tx.tid().to_owned();
    let branches: Vec<String> = g::table
        .filter(g::tenant_id.eq(&tid))
        .filter(g::party_branch_id.is_not_null())
        .select(g::party_branch_id.assume_not_null())
        .load(tx.conn())?;
    let townships: Vec<String> = gt::table
        .filter(gt::tenant_id.eq(&tid).and(gt::valid_to.is_null()))
        .select(gt::township_id)
        .load(tx.conn())?;
    let mut out: Vec<(String, String)> = ou::table
        .filter(ou::tenant_id.eq(&tid).and(ou::active.eq(true)))
        .filter(ou::id.eq_any(&branches))
        .select((ou::id, ou::name))
        .load(tx.conn())?;
    let paths: Vec<String> = ou::table
        .filter(ou::tenant_id.eq(&tid).and(ou::id.eq_any(&townships)))
        .select(ou::path)
        .load(tx.conn())?;
    for p in paths {
        let mut villages: Vec<(String, String)> = ou::table
            .filter(ou::tenant_id.eq(&tid).and(ou::active.eq(true)))
            .filter(ou::kind.eq(OrgKind::Village.as_str()))
            .filter(ou::path.ge(&p).and(ou::path.lt(subtree_end(&p))))
            .select((ou::id, ou::name))
            .load(tx.conn())?;
        out.append(&mut villages);
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Opens what is missing among the periodic obligations for `today`; returns how many.
fn materialise(tx: &mut TenantTx<'_>, rules: &Rules, today: NaiveDate) -> DbResult<usize> {
    let tid = tx.tid().to_owned();
    // The county started keeping records here when its first unit was created.
    let created: NaiveDateTime = {
        ou::table
            .filter(ou::tenant_id.eq(&tid))
            .select(diesel::dsl::min(ou::created_at))
            .first::<Option<NaiveDateTime>>(tx.conn())?
            .unwrap_or_else(|| Utc::now().naive_utc())
    };
    // Periods that fell due before the county started keeping its records here are not owed
    // to the system; a county onboarded in November does not start with a page of overdue Q2
    // filings.
    let started = crate::clock::china_date_of(created); // China date
    let existing: HashSet<(String, String, String)> = o::table
        .filter(o::tenant_id.eq(&tid))
        .filter(o::kind.eq_any([
            ObligationKind::QuarterlyFiling.as_str(),
            ObligationKind::SemiannualFeedback.as_str(),
            ObligationKind::QqJoin.as_str(),
            ObligationKind::DataVerification.as_str(),
            ObligationKind::VanguardEvaluation.as_str(),
            ObligationKind::VanguardCountyReport.as_str(),
            ObligationKind::ParticipationLetters.as_str(),
            ObligationKind::StatisticsCutoff.as_str(),
        ]))
        .select((o::kind, o::subject_id, o::period))
        .load::<(String, String, String)>(tx.conn())?
        .into_iter()
        .collect();
    let mut wanted: Vec<(ObligationKind, Period, String, String, String)> = vec![];
    let mut want = |kind: ObligationKind, periods: &[Period], owners: &[(String, String)]| {
        for &p in periods {
            for (id, name) in owners {
                wanted.push((kind, p, id.clone(), id.clone(), name.clone()));
            }
        }
    };
    let quarter = Period::quarter_of(today);
    let half = Period::half_of(today);
    let year = Period::Year(today.year());
    let recorders = units(
        tx,
        &[OrgKind::AicOffice, OrgKind::PartyBranch, OrgKind::Village],
    )?;
    want(
        ObligationKind::QuarterlyFiling,
        &[quarter.previous(), quarter],
        &recorders,
    );
    let senders = feedback_senders(tx)?;
    want(
        ObligationKind::SemiannualFeedback,
        &[half.previous(), half],
        &senders,
    );
    let committee = units(tx, &[OrgKind::AssociationCommittee])?;
    let committee: Vec<(String, String)> = committee.into_iter().take(1).collect();
    for kind in [
        ObligationKind::DataVerification,
        ObligationKind::VanguardEvaluation,
        ObligationKind::VanguardCountyReport,
    ] {
        want(kind, &[year], &committee);
    }
    // Reported after the half's cut-off (15 July, 15 January): the half before this one is
    // the one falling due now.
    want(
        ObligationKind::StatisticsCutoff,
        &[half.previous(), half],
        &committee,
    );
    let centres = units(tx, &[OrgKind::ServiceCentre])?;
    want(ObligationKind::ParticipationLetters, &[year], &centres);
    // The QQ join: one per active group, owed by the unit that keeps it (the grid's party
    // branch, else the group's own unit).
    let groups: Vec<(String, String, Option<String>, Option<String>)> = qg::table
        .filter(qg::tenant_id.eq(&tid).and(qg::active.eq(true)))
        .select((qg::id, qg::name, qg::grid_id, qg::org_unit_id))
        .load(tx.conn())?;
    for (gid, name, grid, unit) in groups {
        let owner = match (grid, unit) {
            (_, Some(u)) => Some(u),
            (Some(grid), None) => g::table
                .filter(g::tenant_id.eq(&tid).and(g::id.eq(grid)))
                .select((g::party_branch_id, g::aic_office_id))
                .first::<(Option<String>, String)>(tx.conn())
                .optional()?
                .map(|(b, a)| b.unwrap_or(a)),
            (None, None) => None,
        };
        if let Some(owner) = owner {
            wanted.push((ObligationKind::QqJoin, year, gid, owner, name));
        }
    }
    let mut opened = 0;
    for (kind, period, subject, owner, name) in wanted {
        if existing.contains(&(
            kind.as_str().to_owned(),
            subject.clone(),
            period.to_string(),
        )) {
            continue;
        }
        let Some(due_on) = rules.due_for_period(kind, period) else {
            continue;
        };
        if due_on < started {
            continue;
        }
        let subject_type = if kind == ObligationKind::QqJoin {
            "qq_group"
        } else {
            "org_unit"
        };
        repo::open(
            tx,
            NewObligation {
                kind,
                period,
                subject_type,
                subject_id: &subject,
                owner_org_unit_id: &owner,
                member_id: None,
                title: title(kind, period, &name),
                due_on,
            },
        )?;
        opened += 1;
    }
    Ok(opened)
}

/// A list title: kind, period and the owing unit or group (never personal data).
pub fn title(kind: ObligationKind, period: Period, name: &str) -> String {
    let period = match period {
        Period::Quarter(y, q) => format!("{y}年第{q}季度"),
        Period::Half(y, 1) => format!("{y}年上半年"),
        Period::Half(y, _) => format!("{y}年下半年"),
        Period::Year(y) => format!("{y}年"),
        Period::Anchored => String::new(),
    };
    format!("{period}{}：{name}", kind.label_zh())
}

/// Closes the QQ join obligations of groups whose organisers have all joined by now.
fn close_qq_joins(tx: &mut TenantTx<'_>, today: NaiveDate) -> DbResult<usize> {
    use crate::qq::model::RosterRole;
    use crate::qq::{repo as qq, rules as qr};
    let tid = tx.tid().to_owned();
    let open: Vec<(String, String)> = o::table
        .filter(o::tenant_id.eq(&tid))
        .filter(o::kind.eq(ObligationKind::QqJoin.as_str()))
        .filter(o::period.eq(today.year().to_string()))
        .filter(o::done_at.is_null())
        .select((o::id, o::subject_id))
        .load(tx.conn())?;
    let mut closed = 0;
    for (oid, group) in open {
        let organisers: Vec<_> = qq::roster(tx, &group)?
            .into_iter()
            .filter(|e| RosterRole::parse(&e.role).is_some_and(RosterRole::is_organiser))
            .collect();
        if organisers.is_empty() {
            continue;
        }
        let seen = qq::first_seen(
            tx,
            &group,
            organisers.iter().map(|e| e.qq_bidx.clone()).collect(),
        )?;
        let all_in = organisers.iter().all(|e| {
            qr::effective_join(e.joined_on, seen.get(&e.qq_bidx).copied())
                .is_some_and(|j| j <= today)
        });
        if all_in {
            let n = diesel::update(o::table.filter(o::tenant_id.eq(&tid).and(o::id.eq(&oid))))
                .set((
                    o::done_at.eq(Some(Utc::now().naive_utc())),
                    o::done_by.eq(Some("system")),
                ))
                .execute(tx.conn())?;
            closed += n;
        }
    }
    Ok(closed)
}

/// Records newly overdue obligations and due-soon reminders in the outbox.
fn notify(tx: &mut TenantTx<'_>, today: NaiveDate) -> DbResult<(usize, usize)> {
    let tid = tx.tid().to_owned();
    let now = Utc::now().naive_utc();
    type Open = (String, String, String, String, NaiveDate);
    let newly: Vec<Open> = o::table
        .filter(o::tenant_id.eq(&tid))
        .filter(o::done_at.is_null())
        .filter(o::overdue_since.is_null())
        .filter(o::due_on.lt(today))
        .select((o::id, o::kind, o::title, o::owner_org_unit_id, o::due_on))
        .load(tx.conn())?;
    let soon_until = today + chrono::Duration::days(REMIND_DAYS);
    let soon: Vec<Open> = o::table
        .filter(o::tenant_id.eq(&tid))
        .filter(o::done_at.is_null())
        .filter(o::due_on.ge(today).and(o::due_on.le(soon_until)))
        .select((o::id, o::kind, o::title, o::owner_org_unit_id, o::due_on))
        .load(tx.conn())?;
    let reminded: HashSet<String> = ob::table
        .filter(
            ob::tenant_id
                .eq(&tid)
                .and(ob::topic.eq(Topic::DueSoon.as_str())),
        )
        .filter(ob::obligation_id.eq_any(soon.iter().map(|s| s.0.clone()).collect::<Vec<_>>()))
        .select(ob::obligation_id)
        .load::<Option<String>>(tx.conn())?
        .into_iter()
        .flatten()
        .collect();
    let label = |k: &str| ObligationKind::parse(k).map_or("期限事项", |k| k.label_zh());
    let mut notices = vec![];
    for (id, kind, title, owner, due) in &newly {
        notices.push(Notice {
            topic: Topic::Overdue,
            about: About::Obligation(id.clone()),
            recipient_org_unit_id: owner.clone(),
            subject: format!("【逾期】{}", label(kind)),
            body: format!(
                "{title}，应于{due}前完成，截至{today}已逾期{}天，请尽快办理。",
                (today - *due).num_days()
            ),
        });
    }
    let mut reminders = 0;
    for (id, kind, title, owner, due) in &soon {
        if reminded.contains(id) {
            continue;
        }
        reminders += 1;
        notices.push(Notice {
            topic: Topic::DueSoon,
            about: About::Obligation(id.clone()),
            recipient_org_unit_id: owner.clone(),
            subject: format!("【即将到期】{}", label(kind)),
            body: format!("{title}，应于{due}前完成，请按时办理。"),
        });
    }
    crate::notices::enqueue(tx, &notices, now)?;
    let ids: Vec<String> = newly.into_iter().map(|n| n.0).collect();
    for chunk in ids.chunks(500) {
        diesel::update(
            o::table
                .filter(o::tenant_id.eq(&tid))
                .filter(o::id.eq_any(chunk)),
        )
        .set(o::overdue_since.eq(Some(today)))
        .execute(tx.conn())?;
    }
    Ok((ids.len(), reminders))
}
