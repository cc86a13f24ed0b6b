//! Demo activities: at every service centre with staff and a director, a year's plans in every
//! state as of the run day: a training and a theme day held with attendance recorded, one
//! notified for next week, one approved, one with the committee, one returned with a reason, a
//! draft and a cancelled one; some members of each roster agreed to SMS notices. Written
//! through the same repository, audience and notice functions as the API.

use chrono::{Days, NaiveDate};
use diesel::prelude::*;

use super::model::{ActivityState, AttendanceStatus, CentreActivityKind};
use super::repo::{self, ActivityValues};
use super::steps::audience_members;
use crate::db::schema::{org_units as o, users as u};
use crate::db::{DbResult, TenantTx};
use crate::deadlines::notices::{self, About, Notice, Topic};
use crate::enums::StrEnum;
use crate::members::consent::{self, ConsentForm, ConsentPurpose, NewConsent};
use crate::org::model::OrgKind;
use crate::rng::Rng;

struct Plan {
    theme: &'static str,
    kind: CentreActivityKind,
    /// Days from today (negative: past).
    offset: i64,
    place: &'static str,
    state: ActivityState,
    return_reason: Option<&'static str>,
}

const PLANS: [Plan; 8] = [
    Plan {
        theme: "个体工商户党员电商直播技能培训",
        kind: CentreActivityKind::Training,
        offset: -75,
        place: "服务中心二楼培训室",
        state: ActivityState::Held,
        return_reason: None,
    },
    Plan {
        theme: "“守诚信、亮身份”主题党日",
        kind: CentreActivityKind::ThemeDay,
        offset: -30,
        place: "服务中心党员活动室",
        state: ActivityState::Held,
        return_reason: None,
    },
    Plan {
        theme: "年终党员志愿服务进市场",
        kind: CentreActivityKind::Volunteer,
        offset: 7,
        place: "中心农贸市场",
        state: ActivityState::Notified,
        return_reason: None,
    },
    Plan {
        theme: "新《公司法》与个体工商户权益保护学习交流",
        kind: CentreActivityKind::Study,
        offset: 14,
        place: "服务中心党员活动室",
        state: ActivityState::Approved,
        return_reason: None,
    },
    Plan {
        theme: "小微企业财税政策培训",
        kind: CentreActivityKind::Training,
        offset: 21,
        place: "服务中心二楼培训室",
        state: ActivityState::Submitted,
        return_reason: None,
    },
    Plan {
        theme: "党员联系户走访",
        kind: CentreActivityKind::Other,
        offset: 28,
        place: "各网格",
        state: ActivityState::Returned,
        return_reason: Some("请明确走访对象名单和分组安排后再报"),
    },
    Plan {
        theme: "迎新春党员座谈会",
        kind: CentreActivityKind::ThemeDay,
        offset: 40,
        place: "服务中心党员活动室",
        state: ActivityState::Draft,
        return_reason: None,
    },
    Plan {
        theme: "消防安全知识讲座",
        kind: CentreActivityKind::Study,
        offset: 10,
        place: "服务中心二楼培训室",
        state: ActivityState::Cancelled,
        return_reason: None,
    },
];

/// The demo's activities; returns how many were written.
pub fn fill(tx: &mut TenantTx<'_>, seed: u64) -> DbResult<usize> {
    let mut rng = Rng::new(seed);
    let tid = tx.tid().to_owned();
    let today = crate::clock::today();
    let mut centres = crate::centres::repo::centres(tx)?;
    centres.sort_by(|a, b| a.id.cmp(&b.id));
    let committee: Option<String> = u::table
        .filter(
            u::tenant_id
                .eq(&tid)
                .and(u::role.eq("association_committee")),
        )
        .order(u::id.asc())
        .select(u::id)
        .first(tx.conn())
        .optional()?;
    let mut n = 0;
    for centre in centres {
        let Some(branch) = centre.parent_id.clone() else {
            continue;
        };
        let staff_of = |tx: &mut TenantTx<'_>, unit: &str| -> DbResult<Option<String>> {
            Ok(u::table
                .filter(u::tenant_id.eq(&tid).and(u::org_unit_id.eq(unit)))
                .filter(u::role.eq("branch_staff").and(u::status.eq("active")))
                .order(u::id.asc())
                .select(u::id)
                .first(tx.conn())
                .optional()?)
        };
        let (Some(staff), Some(director)) = (staff_of(tx, &centre.id)?, staff_of(tx, &branch)?)
        else {
            continue;
        };
        // The audience: the branch's first party branch (in the small preset about 1,400
        // members, a quarter of the branch's region).
        let party_branch: Option<String> = o::table
            .filter(o::tenant_id.eq(&tid).and(o::parent_id.eq(&branch)))
            .filter(o::kind.eq(OrgKind::PartyBranch.as_str()))
            .order(o::path.asc())
            .select(o::id)
            .first(tx.conn())
            .optional()?;
        for p in &PLANS {
            let held_on = shift(today, p.offset);
            let decided = matches!(
                p.state,
                ActivityState::Approved
                    | ActivityState::Returned
                    | ActivityState::Notified
                    | ActivityState::Held
                    | ActivityState::Cancelled
            );
            let notified = matches!(p.state, ActivityState::Notified | ActivityState::Held);
            let planned_on = shift(held_on, -30).min(today);
            let decided_on = shift(held_on, -20).min(today);
            let notified_on = shift(held_on, -7).min(today);
            let v = ActivityValues {
                centre_id: centre.id.clone(),
                theme: p.theme.to_owned(),
                kind: p.kind.as_str().to_owned(),
                held_on,
                start_time: Some(if p.kind == CentreActivityKind::Training {
                    "14:00".to_owned()
                } else {
                    "09:00".to_owned()
                }),
                place: p.place.to_owned(),
                content: Some(format!("{}，由{}组织。", p.theme, centre.name)),
                audience_unit_id: party_branch.clone(),
                audience_grid_id: None,
                audience_category: None,
                audience_market_id: None,
                state: p.state.as_str().to_owned(),
                planned_by: director.clone(),
                decided_by: committee.clone().filter(|_| decided),
                decided_on: decided.then_some(decided_on),
                return_reason: p.return_reason.map(str::to_owned),
                notified_on: notified.then_some(notified_on),
            };
            let row = repo::insert(tx, &v)?;
            let by_committee = committee.clone().unwrap_or_else(|| director.clone());
            let mut steps: Vec<(&str, NaiveDate, &str, Option<String>)> =
                vec![("planned", planned_on, &director, None)];
            if p.state != ActivityState::Draft {
                steps.push(("submitted", planned_on, &director, None));
            }
            if decided {
                let kind = if p.state == ActivityState::Returned {
                    "returned"
                } else {
                    "approved"
                };
                steps.push((
                    kind,
                    decided_on,
                    &by_committee,
                    p.return_reason.map(str::to_owned),
                ));
            }
            let mut roster = Vec::new();
            if notified {
                roster = audience_members(tx, &centre, &row)?;
                repo::invite(tx, &row.id, &roster)?;
                steps.push((
                    "notified",
                    notified_on,
                    &staff,
                    Some(format!("通知{}名党员", roster.len())),
                ));
                // About one in three agreed to SMS notices.
                for m in roster.iter().filter(|_| rng.below(3) == 0) {
                    let new = NewConsent {
                        purpose: ConsentPurpose::SmsNotices,
                        notice_version: "2026-短信".to_owned(),
                        notice_reference: Some("短信通知告知书（2026年版）".to_owned()),
                        consented_on: notified_on,
                        form: ConsentForm::Written,
                    };
                    // A member on two rosters agreed once.
                    if consent::sms_consented(tx, std::slice::from_ref(m))?.is_empty() {
                        consent::insert(tx, m, &new, &staff)?;
                    }
                }
                if p.state == ActivityState::Notified && !roster.is_empty() {
                    let (subject, body) = super::steps::notice_text(&row, &centre.name, None);
                    notices::enqueue(
                        tx,
                        &[Notice {
                            topic: Topic::Activity,
                            about: About::Activity(row.id.clone()),
                            recipient_org_unit_id: centre.id.clone(),
                            subject,
                            body,
                        }],
                        chrono::Utc::now().naive_utc(),
                    )?;
                }
            }
            if p.state == ActivityState::Held {
                let mut t = super::model::Tally::default();
                for m in &roster {
                    let (status, note) = match rng.below(10) {
                        0 => (AttendanceStatus::Excused, Some("外出进货，已请假")),
                        1 => (AttendanceStatus::Absent, None),
                        _ => (AttendanceStatus::Present, None),
                    };
                    repo::set_attendance(tx, &row.id, m, status, note, &staff)?;
                    t.add(status, 1);
                }
                steps.push((
                    "attendance",
                    held_on,
                    &staff,
                    Some(format!(
                        "出席{}人，缺席{}人，请假{}人",
                        t.present, t.absent, t.excused
                    )),
                ));
            }
            if p.state == ActivityState::Cancelled {
                steps.push((
                    "cancelled",
                    decided_on,
                    &director,
                    Some("场地检修，改期另行通知".to_owned()),
                ));
            }
            for (kind, on, by, detail) in steps {
                repo::add_event(tx, &row.id, kind, on, by, detail)?;
            }
            n += 1;
        }
    }
    Ok(n)
}

fn shift(d: NaiveDate, days: i64) -> NaiveDate {
    let step = Days::new(days.unsigned_abs());
    if days < 0 {
        d.checked_sub_days(step)
    } else {
        d.checked_add_days(step)
    }
    .unwrap_or(d)
}
