//! Demo filings for 2026 Q1–Q3 of every active recording unit, in every state: accepted (some
//! after a return), returned and not yet resubmitted, submitted and waiting, submitted late,
//! drafts never submitted and no filing at all (both overdue on the dashboard). The quarter's
//! obligations are opened for every unit and closed for the submitted ones on the day they
//! were handed in.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;

use super::model::{FilingState, quarter_label};
use super::repo::{self, NewFiling};
use crate::db::schema::org_units as o;
use crate::db::{DbResult, TenantTx};
use crate::deadlines::{self, NewObligation, ObligationKind, Period};
use crate::enums::StrEnum;
use crate::org::model::OrgKind;
use crate::rng::Rng;

/// What happens to one unit's filing of a quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Accepted { late: bool, returned_first: bool },
    Returned,
    Submitted { late: bool },
    DraftOnly,
    Nothing,
}

fn fate(rng: &mut Rng, q: u32) -> Fate {
    let roll = rng.below(100);
    let (acc, acc_late, acc_ret, ret, sub, sub_late, draft) = match q {
        1 => (70, 10, 12, 0, 0, 0, 3),
        2 => (55, 8, 7, 8, 7, 5, 4),
        _ => (30, 5, 5, 10, 22, 10, 8),
    };
    let mut t = acc;
    if roll < t {
        return Fate::Accepted {
            late: false,
            returned_first: false,
        };
    }
    t += acc_late;
    if roll < t {
        return Fate::Accepted {
            late: true,
            returned_first: false,
        };
    }
    t += acc_ret;
    if roll < t {
        return Fate::Accepted {
            late: false,
            returned_first: true,
        };
    }
    t += ret;
    if roll < t {
        return Fate::Returned;
    }
    t += sub;
    if roll < t {
        return Fate::Submitted { late: false };
    }
    t += sub_late;
    if roll < t {
        return Fate::Submitted { late: true };
    }
    t += draft;
    if roll < t {
        return Fate::DraftOnly;
    }
    Fate::Nothing
}

const REASONS: [&str; 4] = [
    "部分党员记实内容过于简单，请补充具体事例后重新报送",
    "情况说明未写明本季度组织生活开展次数，请补充",
    "有两名党员的志愿服务记实日期不在本季度，请核实",
    "请补充居住地表现的具体情况",
];

pub fn generate(
    tx: &mut TenantTx<'_>,
    seed: u64,
    recorder: &HashMap<String, String>,
    today: NaiveDate,
) -> DbResult<()> {
    let mut rng = Rng::new(seed);
    let tid = tx.tid().to_owned();
    let kinds = [
        OrgKind::Village.as_str(),
        OrgKind::PartyBranch.as_str(),
        OrgKind::AicOffice.as_str(),
    ];
    let units: Vec<(String, String, String)> = o::table
        .filter(o::tenant_id.eq(&tid))
        .filter(o::kind.eq_any(kinds))
        .filter(o::active.eq(true))
        .select((o::id, o::kind, o::name))
        .order(o::id.asc())
        .load(tx.conn())?;
    let rules = deadlines::repo::rules(tx)?;
    for q in 1..=3u32 {
        let period = Period::Quarter(2026, q);
        let Some(due) = rules.due_for_period(ObligationKind::QuarterlyFiling, period) else {
            continue;
        };
        for (unit_id, kind, name) in &units {
            let actor = recorder
                .get(unit_id)
                .cloned()
                .unwrap_or_else(|| "demo-data".to_owned());
            deadlines::open(
                tx,
                NewObligation {
                    kind: ObligationKind::QuarterlyFiling,
                    period,
                    subject_type: "org_unit",
                    subject_id: unit_id,
                    owner_org_unit_id: unit_id,
                    member_id: None,
                    title: format!("{name}{}记实报送备案", quarter_label(period)),
                    due_on: due,
                },
            )?;
            let fate = fate(&mut rng, q);
            if fate == Fate::Nothing {
                continue;
            }
            let created_on = due - Duration::days(8 + rng.below(10) as i64);
            let lines = repo::generate(tx, unit_id, period)?;
            let members = {
                let mut ids: Vec<&str> = lines.iter().map(|l| l.member_id.as_str()).collect();
                ids.sort_unstable();
                ids.dedup();
                ids.len()
            };
            let records: i32 = lines.iter().map(|l| l.count).sum();
            let summary = format!(
                "{name}{}共记实{records}条，涉及党员{members}名。党员参加组织生活、志愿服务情况良好。",
                quarter_label(period)
            );
            let f = repo::create(
                tx,
                &NewFiling {
                    unit_id,
                    unit_kind: kind,
                    period,
                    due_on: due,
                    summary: &summary,
                    created_on,
                },
                &actor,
            )?;
            repo::replace_lines(tx, &f.id, &lines)?;
            let late = matches!(
                fate,
                Fate::Accepted { late: true, .. } | Fate::Submitted { late: true }
            );
            let submitted_on = if late {
                due + Duration::days(1 + rng.below(20) as i64)
            } else {
                due - Duration::days(rng.below(7) as i64)
            };
            if fate == Fate::DraftOnly || submitted_on > today {
                continue;
            }
            let reviewer = "demo-data".to_owned();
            let mut cur = f;
            let submit = |tx: &mut TenantTx<'_>, cur: &mut repo::FilingRow, on: NaiveDate| {
                let mut next = cur.clone();
                next.state = FilingState::Submitted.as_str().to_owned();
                next.first_submitted_on = cur.first_submitted_on.or(Some(on));
                next.submitted_on = Some(on);
                next.submitted_by = Some(actor.clone());
                next.reviewed_on = None;
                next.reviewed_by = None;
                next.return_reason = None;
                *cur = repo::save(tx, &next, cur.version)?;
                repo::event(tx, &cur.id, "submitted", on, &actor, None)
            };
            let review = |tx: &mut TenantTx<'_>,
                          cur: &mut repo::FilingRow,
                          to: FilingState,
                          on: NaiveDate,
                          reason: Option<&str>|
             -> DbResult<()> {
                let mut next = cur.clone();
                next.state = to.as_str().to_owned();
                next.reviewed_on = Some(on);
                next.reviewed_by = Some(reviewer.clone());
                next.return_reason = reason.map(str::to_owned);
                *cur = repo::save(tx, &next, cur.version)?;
                let action = if to == FilingState::Accepted {
                    "accepted"
                } else {
                    "returned"
                };
                repo::event(tx, &cur.id, action, on, &reviewer, reason)
            };
            submit(tx, &mut cur, submitted_on)?;
            deadlines::close_on(
                tx,
                ObligationKind::QuarterlyFiling,
                unit_id,
                period,
                &actor,
                submitted_on,
            )?;
            let reviewed = (submitted_on + Duration::days(1 + rng.below(6) as i64)).min(today);
            let reason = REASONS[rng.below(REASONS.len())];
            match fate {
                Fate::Accepted {
                    returned_first: true,
                    ..
                } => {
                    review(tx, &mut cur, FilingState::Returned, reviewed, Some(reason))?;
                    let again = (reviewed + Duration::days(2 + rng.below(5) as i64)).min(today);
                    submit(tx, &mut cur, again)?;
                    let done = (again + Duration::days(1 + rng.below(5) as i64)).min(today);
                    review(tx, &mut cur, FilingState::Accepted, done, None)?;
                }
                Fate::Accepted { .. } => {
                    review(tx, &mut cur, FilingState::Accepted, reviewed, None)?;
                }
                Fate::Returned => {
                    review(tx, &mut cur, FilingState::Returned, reviewed, Some(reason))?;
                }
                _ => {}
            }
        }
    }
    Ok(())
}
