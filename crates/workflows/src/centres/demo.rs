//! Demo service requests: at every service centre with staff, a year of requests in every state
//! as of the run day: the phone request taken on Friday 13 February 2026, before the Spring
//! Festival (due 2 March across the holiday), answered, followed up and archived; one answered
//! at once; one escalated and extended with a reason; one overdue; one on the clock; one
//! answered late; a major one waiting for its follow-up; one taken today. Written through the
//! same repository and deadline functions as the API, so the obligations and history agree.

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;

use super::model::{
    AnswerMethod, FollowUpMethod, RequestCategory, RequestChannel, RequestState, Satisfaction,
};
use super::repo::{self, RequestValues};
use crate::db::schema::{members as m, org_units as o, users as u};
use crate::db::{DbResult, TenantTx};
use crate::deadlines::{self, NewObligation, ObligationKind, Period};
use crate::enums::StrEnum;
use crate::org::model::subtree_end;
use crate::rng::Rng;

const CONTENTS: [(RequestCategory, &str); 5] = [
    (
        RequestCategory::Rights,
        "店铺租赁合同到期，房东要求大幅提高租金并限期搬离，请求协助维权",
    ),
    (
        RequestCategory::Consultation,
        "咨询个体工商户年报及小规模纳税人减免税政策",
    ),
    (
        RequestCategory::LegalAid,
        "货款被拖欠半年，对方拒不支付，请求提供法律援助",
    ),
    (
        RequestCategory::Hardship,
        "家人重病住院，经营困难，请求帮扶",
    ),
    (RequestCategory::Other, "希望支部组织一次电商直播技能培训"),
];

struct Plan {
    received: NaiveDate,
    channel: RequestChannel,
    content: usize,
    major: bool,
    escalate: bool,
    extend_to: Option<NaiveDate>,
    answered: Option<NaiveDate>,
    followed_up: Option<NaiveDate>,
    archived: Option<NaiveDate>,
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// The working day `n` working days before `day` (the calendar's count, backwards).
fn back(cal: &crate::deadlines::calendar::Calendar, day: NaiveDate, n: u32) -> NaiveDate {
    let mut d = day;
    let mut left = n;
    while left > 0 {
        d = d.pred_opt().unwrap_or(d);
        if cal.is_working_day(d) {
            left -= 1;
        }
    }
    d
}

pub fn fill(tx: &mut TenantTx<'_>, seed: u64) -> DbResult<usize> {
    let mut rng = Rng::new(seed);
    let tid = tx.tid().to_owned();
    let today = crate::clock::today();
    let rules = deadlines::repo::rules(tx)?;
    let cal = deadlines::repo::calendar(tx)?;
    let mut centres = repo::centres(tx)?;
    // Id (creation) order keeps the demo the same for a seed.
    centres.sort_by(|a, b| a.id.cmp(&b.id));
    let mut n = 0;
    for c in centres {
        let centre = c.id;
        let branch = match c.parent_id {
            Some(b) => crate::org::repo::get(tx, &b)?,
            None => None,
        };
        let Some(branch) = branch else {
            continue;
        };
        let staff: Option<String> = u::table
            .filter(u::tenant_id.eq(&tid).and(u::org_unit_id.eq(&centre)))
            .filter(u::role.eq("branch_staff"))
            .order(u::id.asc())
            .select(u::id)
            .first(tx.conn())
            .optional()?;
        let Some(staff) = staff else { continue };
        // Members whose organisational life is in the centre's branch.
        let units: Vec<String> = o::table
            .filter(o::tenant_id.eq(&tid))
            .filter(
                o::path
                    .ge(&branch.path)
                    .and(o::path.lt(subtree_end(&branch.path))),
            )
            .select(o::id)
            .load(tx.conn())?;
        let members: Vec<String> = m::table
            .filter(
                m::tenant_id
                    .eq(&tid)
                    .and(m::org_life_unit_id.eq_any(&units)),
            )
            .order(m::id.asc())
            .select(m::id)
            .limit(40)
            .load(tx.conn())?;
        if members.is_empty() {
            continue;
        }
        let year = today.year();
        let mut plans = vec![
            // Friday before the Spring Festival 2026: due Monday 2 March.
            Plan {
                received: ymd(2026, 2, 13).min(today),
                channel: RequestChannel::Phone,
                content: 0,
                major: true,
                escalate: true,
                extend_to: None,
                answered: Some(ymd(2026, 2, 27).min(today)),
                followed_up: Some(ymd(2026, 3, 5).min(today)),
                archived: Some(ymd(2026, 3, 10).min(today)),
            },
            Plan {
                received: ymd(year, 3, 16).min(today),
                channel: RequestChannel::OnSite,
                content: 1,
                major: false,
                escalate: false,
                extend_to: None,
                answered: Some(ymd(year, 3, 16).min(today)),
                followed_up: None,
                archived: Some(ymd(year, 3, 20).min(today)),
            },
        ];
        let r = |k: u32| back(&cal, today, k);
        // Escalated 10 working days ago, extended by a week: still on the clock.
        let extended = r(10);
        let due = rules
            .due_after(ObligationKind::ServiceRequest, extended, &cal)
            .unwrap_or(extended);
        plans.push(Plan {
            received: extended,
            channel: RequestChannel::OnSite,
            content: 2,
            major: true,
            escalate: true,
            extend_to: due.checked_add_days(chrono::Days::new(14)),
            answered: None,
            followed_up: None,
            archived: None,
        });
        for (received, answered, content) in
            [(r(12), None, 3), (r(3), None, 4), (r(25), Some(r(12)), 0)]
        {
            plans.push(Plan {
                received,
                channel: RequestChannel::Phone,
                content,
                major: false,
                escalate: true,
                extend_to: None,
                answered,
                followed_up: None,
                archived: None,
            });
        }
        plans.push(Plan {
            received: r(6),
            channel: RequestChannel::OnSite,
            content: 0,
            major: true,
            escalate: true,
            extend_to: None,
            answered: Some(r(2)),
            followed_up: None,
            archived: None,
        });
        plans.push(Plan {
            received: today,
            channel: RequestChannel::OnSite,
            content: 1,
            major: false,
            escalate: false,
            extend_to: None,
            answered: None,
            followed_up: None,
            archived: None,
        });
        for p in plans {
            let member = members[rng.below(members.len())].clone();
            let (category, content) = CONTENTS[p.content];
            let due = p
                .escalate
                .then(|| rules.due_after(ObligationKind::ServiceRequest, p.received, &cal))
                .flatten();
            let state = match (p.archived, p.answered, p.escalate) {
                (Some(_), _, _) => RequestState::Archived,
                (None, Some(_), _) => RequestState::Answered,
                (None, None, true) => RequestState::Escalated,
                (None, None, false) => RequestState::Taken,
            };
            let v = RequestValues {
                centre_id: centre.clone(),
                member_id: member.clone(),
                channel: p.channel.as_str().to_owned(),
                category: category.as_str().to_owned(),
                major: p.major,
                content: content.to_owned(),
                received_on: p.received,
                first_responder_id: staff.clone(),
                owner_id: staff.clone(),
                state: state.as_str().to_owned(),
                escalated_on: p.escalate.then_some(p.received),
                due_on: p.extend_to.or(due),
                extensions: i32::from(p.extend_to.is_some()),
                answer: p
                    .answered
                    .map(|_| "已协调相关部门办理，并将结果当面告知党员".to_owned()),
                answer_method: p
                    .answered
                    .map(|_| AnswerMethod::InPerson.as_str().to_owned()),
                answered_on: p.answered,
                follow_up_method: p
                    .followed_up
                    .map(|_| FollowUpMethod::Phone.as_str().to_owned()),
                followed_up_on: p.followed_up,
                follow_up_opinion: p.followed_up.map(|_| "对办理结果满意".to_owned()),
                satisfaction: p
                    .followed_up
                    .map(|_| Satisfaction::Satisfied.as_str().to_owned()),
                archived_on: p.archived,
                archive_reference: p
                    .archived
                    .map(|d| format!("诉求-{}-{:03}", d.year(), n + 1)),
            };
            let row = repo::insert(tx, &v)?;
            let ev = |tx: &mut TenantTx<'_>, kind: &str, on: NaiveDate, detail: Option<String>| {
                repo::add_event(tx, &row.id, kind, on, &staff, detail)
            };
            ev(
                tx,
                "taken",
                p.received,
                Some(p.channel.label_zh().to_owned()),
            )?;
            if let Some(d) = due {
                deadlines::open(
                    tx,
                    NewObligation {
                        kind: ObligationKind::ServiceRequest,
                        period: Period::Anchored,
                        subject_type: "service_request",
                        subject_id: &row.id,
                        owner_org_unit_id: &centre,
                        member_id: Some(&member),
                        title: format!("党员诉求办理（{}）", category.label_zh()),
                        due_on: d,
                    },
                )?;
                ev(
                    tx,
                    "escalated",
                    p.received,
                    Some(format!("限时办结，{d}前答复")),
                )?;
                if let Some(to) = p.extend_to {
                    deadlines::reschedule(
                        tx,
                        ObligationKind::ServiceRequest,
                        &row.id,
                        Period::Anchored,
                        to,
                    )?;
                    ev(
                        tx,
                        "extended",
                        p.received.max(today.pred_opt().unwrap_or(today)),
                        Some(format!("{d} → {to}：涉及多个部门协调，需延长办理")),
                    )?;
                }
            }
            if let Some(a) = p.answered {
                if due.is_some() {
                    deadlines::close_on(
                        tx,
                        ObligationKind::ServiceRequest,
                        &row.id,
                        Period::Anchored,
                        &staff,
                        a,
                    )?;
                }
                ev(
                    tx,
                    "answered",
                    a,
                    Some(AnswerMethod::InPerson.label_zh().to_owned()),
                )?;
            }
            if let Some(f) = p.followed_up {
                ev(tx, "followed_up", f, Some("电话回访，满意".to_owned()))?;
            }
            if let Some(a) = p.archived {
                ev(tx, "archived", a, v.archive_reference.clone())?;
            }
            n += 1;
        }
    }
    Ok(n)
}
