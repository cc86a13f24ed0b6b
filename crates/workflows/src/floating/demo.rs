//! Demo floating-member cases, as a county looks on 26 November 2026: this year's cases in
//! every state (just registered, confirmed with activities, evaluated, sent with the receipt
//! out for weeks and chased, receipt back, filed) with some not yet sent four days before the
//! 30 November deadline; and last year's, mostly filed, some sent late, some never sent
//! (overdue since 1 December 2025) and some whose receipt never came back. Their deadline
//! obligations are written with them (met on the day sent). Deterministic for a seed; at most
//! [`MAX_MEMBERS`] floating members a county, so the large and province presets stay fast.

use std::collections::HashSet;

use chrono::{Datelike, Duration, NaiveDate, NaiveTime};
use diesel::prelude::*;

use super::model::{ActivityKind, CaseState, ChaseMethod, SendMethod};
use super::repo::{self, ActivityRow, CaseValues, ChaseRow};
use crate::db::schema::{members as m, obligations as ob, org_units as o};
use crate::db::{DbResult, TenantTx};
use crate::deadlines::{ObligationKind, Period};
use crate::enums::StrEnum;
use crate::rng::Rng;

const MAX_MEMBERS: i64 = 600;
const ACTOR: &str = "demo-data";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

const HOME_CONTACTS: [&str; 6] = [
    "上饶市广丰区五都镇党委",
    "安庆市宿松县复兴镇党委",
    "信阳市固始县郭陆滩镇党委",
    "衢州市开化县华埠镇党委",
    "六安市霍邱县城西湖乡党委",
    "南充市营山县小桥镇党委",
];

const CONTENTS: [(ActivityKind, &str); 10] = [
    (
        ActivityKind::OrgLife,
        "参加市场党支部“三会一课”支部党员大会",
    ),
    (ActivityKind::OrgLife, "参加七一主题党日活动，重温入党誓词"),
    (
        ActivityKind::OrgLife,
        "参加支部组织生活会，开展批评与自我批评",
    ),
    (ActivityKind::Training, "参加诚信经营及法律知识培训"),
    (ActivityKind::Training, "参加个体工商户财税政策培训"),
    (ActivityKind::Education, "参加理想信念教育专题党课"),
    (ActivityKind::Education, "参加政策法律宣传教育活动"),
    (ActivityKind::Activity, "参加“五水共治”志愿服务"),
    (ActivityKind::Activity, "参加“学雷锋”志愿服务活动"),
    (ActivityKind::Activity, "参加结对助学捐款帮困活动"),
];

const EVALUATIONS: [&str; 4] = [
    "该同志在经营地能亮明党员身份，诚信守法经营，按时参加支部组织生活和教育培训，积极参与志愿服务，发挥了党员的先锋模范作用。",
    "该同志遵守党的纪律，经营规范，热心公益，能按要求参加组织活动。希望继续加强理论学习，带动周边经营户诚信经营。",
    "该同志思想端正，经营踏实，参加组织生活较为积极，在市场“三亮”活动中表现较好。",
    "该同志能够参加支部组织的主要活动，经营中守法诚信。因经营繁忙，参加培训次数偏少，希望今后积极参加组织生活。",
];

const RECEIVERS: [&str; 5] = ["刘组织委员", "陈书记", "王委员", "支部经办人", "党建办"];

/// One planned case: its values, its activities and chases.
struct Planned {
    id: String,
    values: CaseValues,
    activities: Vec<(NaiveDate, ActivityKind, &'static str)>,
    chases: Vec<(NaiveDate, ChaseMethod)>,
}

/// Builds a case of `year` that reached `state`, with dates consistent up to `now`.
fn plan_case(
    rng: &mut Rng,
    member_id: &str,
    branch_id: &str,
    year: i32,
    state: CaseState,
    late: bool,
    now: NaiveDate,
) -> Planned {
    use CaseState as S;
    let contact = HOME_CONTACTS[rng.below(HOME_CONTACTS.len())];
    // Registered early in the year, except the ones that just arrived.
    let registered_on = if state == S::Registered {
        now - Duration::days(2 + rng.below(20) as i64)
    } else {
        day(year, 1 + rng.below(4) as u32, 1 + rng.below(28) as u32)
    };
    let operating_since = registered_on - Duration::days(30 + rng.below(1500) as i64);
    let mut v = CaseValues {
        member_id: member_id.to_owned(),
        year,
        branch_id: branch_id.to_owned(),
        state: state.as_str().to_owned(),
        home_contact_unit: contact.to_owned(),
        home_org_address: None,
        operating_since,
        registered_on,
        note: None,
        proof_reference: None,
        proof_date: None,
        confirmed_on: None,
        evaluation: None,
        secretary_name: None,
        evaluated_on: None,
        sent_on: None,
        sent_method: None,
        sent_note: None,
        received_on: None,
        received_by: None,
        receipt_note: None,
        archived_on: None,
        archive_reference: None,
    };
    let mut activities = Vec::new();
    let mut chases = Vec::new();
    if state >= S::Confirmed {
        let confirmed = registered_on + Duration::days(5 + rng.below(20) as i64);
        v.proof_date = Some(confirmed - Duration::days(3));
        v.proof_reference = Some(format!(
            "{}出具党员身份证明（盖章）第{}号",
            contact.trim_end_matches("党委"),
            10 + rng.below(90)
        ));
        v.confirmed_on = Some(confirmed);
        // Activities between confirmation and the evaluation (or now).
        let until = if state >= S::Evaluated {
            day(year, 10, 31)
        } else {
            now.min(day(year, 11, 20))
        };
        let span = (until - confirmed).num_days().max(1);
        for _ in 0..(2 + rng.below(4)) {
            let (kind, content) = CONTENTS[rng.below(CONTENTS.len())];
            let on = confirmed + Duration::days(rng.below(span as usize) as i64);
            activities.push((on, kind, content));
        }
        activities.sort();
    }
    if state >= S::Evaluated {
        let evaluated = if late {
            day(year, 12, 1 + rng.below(10) as u32)
        } else {
            day(year, 11, 1 + rng.below(15) as u32).min(now - Duration::days(1))
        };
        v.evaluation = Some(EVALUATIONS[rng.below(EVALUATIONS.len())].to_owned());
        v.secretary_name = Some(rng.person_name());
        v.evaluated_on = Some(evaluated);
    }
    if state >= S::Sent {
        let evaluated = v.evaluated_on.unwrap_or(registered_on);
        let sent = if state == S::Sent && year == now.year() {
            // This year's outstanding receipts went out weeks ago, just after the evaluation.
            let sent = now - Duration::days(21 + rng.below(35) as i64);
            v.evaluated_on = Some(evaluated.min(sent));
            sent
        } else {
            evaluated + Duration::days(rng.below(6) as i64)
        };
        v.sent_on = Some(sent);
        v.sent_method = Some(
            [
                SendMethod::Post,
                SendMethod::Post,
                SendMethod::Hand,
                SendMethod::Online,
            ][rng.below(4)]
            .as_str()
            .to_owned(),
        );
        if state == S::Sent {
            let mut on = sent + Duration::days(14 + rng.below(7) as i64);
            while on < now && chases.len() < 4 {
                let method = if chases.is_empty() {
                    ChaseMethod::Phone
                } else {
                    [ChaseMethod::Phone, ChaseMethod::Letter][rng.below(2)]
                };
                chases.push((on, method));
                on += Duration::days(21 + rng.below(30) as i64);
            }
        }
    }
    if state >= S::ReceiptReturned {
        let received =
            v.sent_on.unwrap_or(registered_on) + Duration::days(7 + rng.below(25) as i64);
        v.received_on = Some(received.min(now));
        v.received_by = Some(RECEIVERS[rng.below(RECEIVERS.len())].to_owned());
    }
    if state == S::Archived {
        let filed = v.received_on.unwrap_or(registered_on) + Duration::days(rng.below(10) as i64);
        v.archived_on = Some(filed.min(now));
        v.archive_reference = Some(format!("LD-{year}-{:03}", 1 + rng.below(999)));
    }
    Planned {
        id: uuid::Uuid::now_v7().to_string(),
        values: v,
        activities,
        chases,
    }
}

/// This year's state for the i-th floating member: every state, weighted like a county four
/// days before the deadline.
fn state_now(i: usize) -> CaseState {
    use CaseState as S;
    match i % 10 {
        0 => S::Registered,
        1 | 2 | 9 => S::Confirmed,
        3 => S::Evaluated,
        4 | 5 => S::Sent,
        6 => S::ReceiptReturned,
        _ => S::Archived,
    }
}

/// Last year's state (and whether it was sent late) for the i-th member that has one.
fn state_last_year(i: usize) -> (CaseState, bool) {
    use CaseState as S;
    match i % 6 {
        0 | 1 => (S::Archived, false),
        2 => (S::Archived, true),
        3 => (S::Confirmed, false),
        4 => (S::Evaluated, false),
        _ => (S::Sent, false),
    }
}

/// Creates the county's demo cases; returns how many.
pub fn fill(tx: &mut TenantTx<'_>, seed: u64) -> DbResult<usize> {
    let mut rng = Rng::new(seed);
    let tid = tx.tid().to_owned();
    let now = day(2026, 11, 26);
    let this_year = now.year();
    let branches: HashSet<String> = o::table
        .filter(o::tenant_id.eq(&tid))
        .filter(o::kind.eq_any(["branch", "party_branch", "service_centre"]))
        .filter(o::active.eq(true))
        .select(o::id)
        .load::<String>(tx.conn())?
        .into_iter()
        .collect();
    let members: Vec<(String, String, Option<String>)> = m::table
        .filter(m::tenant_id.eq(&tid).and(m::category.eq("floating")))
        .select((m::id, m::business_name, m::org_life_unit_id))
        .order(m::id.asc())
        .limit(MAX_MEMBERS)
        .load(tx.conn())?;
    let rules = crate::deadlines::repo::rules(tx)?;
    let mut plans: Vec<(Planned, String)> = Vec::new();
    for (i, (member_id, business, life)) in members.iter().enumerate() {
        let Some(branch) = life.as_ref().filter(|b| branches.contains(*b)) else {
            continue;
        };
        let now_state = state_now(i);
        let mut earlier = None;
        if i % 3 == 0 && now_state != CaseState::Registered {
            let (s, late) = state_last_year(i / 3);
            earlier = Some(plan_case(
                &mut rng,
                member_id,
                branch,
                this_year - 1,
                s,
                late,
                now,
            ));
        }
        let mut current = plan_case(
            &mut rng, member_id, branch, this_year, now_state, false, now,
        );
        // Enter once: this year's case carries last year's registration and proof.
        if let Some(prev) = &earlier {
            let p = &prev.values;
            current.values.home_contact_unit = p.home_contact_unit.clone();
            current.values.operating_since = p.operating_since;
            if current.values.confirmed_on.is_some() {
                current.values.proof_reference = p.proof_reference.clone();
                current.values.proof_date = p.proof_date;
                current.values.confirmed_on = p.confirmed_on;
            }
        }
        if let Some(prev) = earlier {
            plans.push((prev, business.clone()));
        }
        plans.push((current, business.clone()));
    }
    let cases: Vec<(String, CaseValues)> = plans
        .iter()
        .map(|(p, _)| (p.id.clone(), p.values.clone()))
        .collect();
    repo::insert_cases(tx, &cases, ACTOR)?;
    let created = chrono::Utc::now().naive_utc();
    let mut activities = Vec::new();
    let mut chases = Vec::new();
    for (p, _) in &plans {
        for (on, kind, content) in &p.activities {
            activities.push(ActivityRow {
                tenant_id: tid.clone(),
                id: uuid::Uuid::now_v7().to_string(),
                case_id: p.id.clone(),
                held_on: *on,
                kind: kind.as_str().to_owned(),
                content: (*content).to_owned(),
                recorded_by: ACTOR.to_owned(),
                created_at: created,
            });
        }
        for (on, method) in &p.chases {
            chases.push(ChaseRow {
                tenant_id: tid.clone(),
                id: uuid::Uuid::now_v7().to_string(),
                case_id: p.id.clone(),
                chased_on: *on,
                method: method.as_str().to_owned(),
                note: Some(match method {
                    ChaseMethod::Phone => {
                        "电话联系组织关系所在地党支部，请其尽快寄回回执".to_owned()
                    }
                    _ => "再次发函催收回执".to_owned(),
                }),
                recorded_by: ACTOR.to_owned(),
                created_at: created,
            });
        }
    }
    repo::insert_activities(tx, &activities)?;
    repo::insert_chases(tx, &chases)?;
    // The deadline of each case's year, met on the day it was sent (10:00 China time). Written
    // in batches like the cases; `deadlines::open` would be one round trip per case.
    let ten_cst = NaiveTime::from_hms_opt(2, 0, 0).unwrap_or_default();
    let rows: Vec<_> = plans
        .iter()
        .map(|(p, business)| {
            let v = &p.values;
            let period = Period::Year(v.year);
            let due = rules
                .due_for_period(ObligationKind::FloatingFeedback, period)
                .unwrap_or_else(|| day(v.year, 11, 30));
            (
                ob::tenant_id.eq(tid.clone()),
                ob::id.eq(uuid::Uuid::now_v7().to_string()),
                ob::kind.eq(ObligationKind::FloatingFeedback.as_str()),
                ob::period.eq(period.to_string()),
                ob::subject_type.eq("floating_case"),
                ob::subject_id.eq(p.id.clone()),
                ob::owner_org_unit_id.eq(v.branch_id.clone()),
                ob::member_id.eq(Some(v.member_id.clone())),
                ob::title.eq(format!("{}年度流动党员双重管理反馈：{}", v.year, business)),
                ob::due_on.eq(due),
                ob::done_at.eq(v.sent_on.map(|d| d.and_time(ten_cst))),
                ob::done_by.eq(v.sent_on.map(|_| ACTOR.to_owned())),
                ob::created_at.eq(v.registered_on.and_time(ten_cst)),
            )
        })
        .collect();
    for chunk in rows.chunks(200) {
        crate::insert_rows!(tx.conn(), ob::table, chunk)?;
    }
    Ok(plans.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planned_cases_are_consistent_with_their_state() {
        let mut rng = Rng::new(7);
        let now = day(2026, 11, 26);
        for i in 0..200 {
            for (year, state, late) in [
                (2026, state_now(i), false),
                (2025, state_last_year(i).0, state_last_year(i).1),
            ] {
                let p = plan_case(&mut rng, "m", "b", year, state, late, now);
                let v = &p.values;
                assert_eq!(v.state, state.as_str());
                assert!(v.registered_on <= now && v.operating_since < v.registered_on);
                assert_eq!(v.confirmed_on.is_some(), state >= CaseState::Confirmed);
                assert_eq!(v.evaluation.is_some(), state >= CaseState::Evaluated);
                assert_eq!(v.sent_on.is_some(), state >= CaseState::Sent);
                assert_eq!(v.received_on.is_some(), state >= CaseState::ReceiptReturned);
                assert_eq!(v.archived_on.is_some(), state == CaseState::Archived);
                let steps = [
                    Some(v.registered_on),
                    v.confirmed_on,
                    v.evaluated_on,
                    v.sent_on,
                    v.received_on,
                    v.archived_on,
                ];
                let dated: Vec<NaiveDate> = steps.into_iter().flatten().collect();
                assert!(
                    dated.windows(2).all(|w| w[0] <= w[1]),
                    "{state:?} {dated:?}"
                );
                assert!(dated.iter().all(|d| *d <= now), "{state:?} {dated:?}");
                assert!(p.activities.iter().all(|(d, _, _)| *d <= now));
                assert!(
                    p.chases
                        .iter()
                        .all(|(d, _)| Some(*d) >= v.sent_on && *d <= now)
                );
            }
        }
        // This year's outstanding receipts have been out for weeks.
        let p = plan_case(&mut rng, "m", "b", 2026, CaseState::Sent, false, now);
        let out = (now - p.values.sent_on.unwrap()).num_days();
        assert!((21..=56).contains(&out), "{out}");
    }
}
