//! Demo feedback for 2026H1 (due 15 July 2026) in every state — acknowledged, sent late,
//! approved but not sent, returned, submitted, drafted, and never drafted (overdue) — plus a
//! few drafts for 2026H2, between the branches and villages the demo's handbooks link.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Days, NaiveDate, Utc};
use diesel::prelude::*;

use super::model::{BatchState, Direction};
use super::repo::{self, BatchRow, ItemRow};
use crate::db::schema::{handbooks as h, org_units as ou};
use crate::db::{DbResult, TenantTx};
use crate::deadlines::{ObligationKind, Period};
use crate::enums::StrEnum;

const BY: &str = "demo-data";

const BUSINESS: [&str; 5] = [
    "诚信经营，无消费投诉，按时参加年报",
    "带头参与市场文明创建，主动亮明党员身份",
    "经营规范，带动周边农户增收",
    "积极参加分会支部组织生活和志愿服务",
    "经营情况一般，已提醒按时参加组织生活",
];
const RESIDENCE: [&str; 5] = [
    "邻里关系和睦，积极参加村里环境整治",
    "按时参加村党组织主题党日活动",
    "热心公益，参与村级议事",
    "遵守村规民约，家庭和睦",
    "外出经营较多，参加村里活动偏少",
];

pub fn generate(tx: &mut TenantTx<'_>, seed: u64) -> DbResult<usize> {
    let tid = tx.tid().to_owned();
    let mut rng = crate::rng::Rng::new(seed);
    // (branch, village) → the members they share through handbooks in force.
    let pairs: Vec<(String, String, String)> = h::table
        .filter(h::tenant_id.eq(&tid))
        .filter(h::state.eq_any(["issued", "reported_to_village", "reported_to_branch"]))
        .select((h::branch_id, h::village_id, h::member_id))
        .order(h::id.asc())
        .load(tx.conn())?;
    let mut shared: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for (b, v, mbr) in pairs {
        shared.entry((b, v)).or_default().insert(mbr);
    }
    let units: Vec<(String, String, Option<String>)> = ou::table
        .filter(ou::tenant_id.eq(&tid))
        .filter(ou::kind.eq_any(["village", "party_branch", "branch", "association_committee"]))
        .select((ou::id, ou::path, ou::parent_id))
        .load(tx.conn())?;
    let path = |id: &str| units.iter().find(|u| u.0 == id);
    let rules = crate::deadlines::repo::rules(tx)?;
    let h1 = Period::Half(2026, 1);
    let h2 = Period::Half(2026, 2);
    let due_h1 = rules
        .due_for_period(ObligationKind::SemiannualFeedback, h1)
        .unwrap_or_default();
    let due_h2 = rules
        .due_for_period(ObligationKind::SemiannualFeedback, h2)
        .unwrap_or_default();
    let now = Utc::now().naive_utc();
    let (mut batches, mut items) = (vec![], vec![]);
    let mut never: BTreeSet<String> = BTreeSet::new();
    for ((branch, village), members) in &shared {
        for direction in [Direction::BranchToVillage, Direction::VillageToBranch] {
            let (sender, receiver) = match direction {
                Direction::BranchToVillage => (branch, village),
                Direction::VillageToBranch => (village, branch),
            };
            let reviewer = match direction {
                Direction::BranchToVillage => {
                    path(branch).and_then(|u| crate::org::model::ancestors(&u.1).first().cloned())
                }
                Direction::VillageToBranch => path(village).and_then(|u| u.2.clone()),
            };
            let Some(reviewer) = reviewer else { continue };
            let roll = rng.below(100);
            if roll >= 85 {
                // Never drafted: the obligation stays open and overdue.
                never.insert(sender.clone());
                continue;
            }
            let d = |off: i64| -> NaiveDate {
                NaiveDate::from_ymd_opt(2026, 7, 1).unwrap_or_default()
                    + chrono::Duration::days(off)
            };
            let mut b = BatchRow {
                tenant_id: tid.clone(),
                id: uuid::Uuid::now_v7().to_string(),
                direction: direction.as_str().to_owned(),
                sender_id: sender.clone(),
                receiver_id: receiver.clone(),
                reviewer_unit_id: reviewer,
                period: h1.to_string(),
                due_on: due_h1,
                state: BatchState::Draft.as_str().to_owned(),
                drafted_by: BY.to_owned(),
                submitted_at: None,
                submitted_by: None,
                reviewed_on: None,
                reviewed_by: None,
                review_note: None,
                return_reason: None,
                sent_on: None,
                sent_by: None,
                acknowledged_on: None,
                acknowledged_by: None,
                version: 1,
                created_at: now,
                updated_at: now,
            };
            let reviewed = |b: &mut BatchRow, on: NaiveDate| {
                b.submitted_at = Some(on.and_hms_opt(1, 0, 0).unwrap_or_default());
                b.submitted_by = Some(BY.to_owned());
                b.reviewed_on = Some(on + Days::new(2));
                b.reviewed_by = Some(BY.to_owned());
            };
            let state = match roll {
                0..=39 => {
                    reviewed(&mut b, d(rng.below(8) as i64));
                    b.sent_on = Some(d(10 + rng.below(5) as i64));
                    b.acknowledged_on = b.sent_on.map(|s| s + Days::new(1 + rng.below(5) as u64));
                    BatchState::Acknowledged
                }
                40..=54 => {
                    reviewed(&mut b, d(14 + rng.below(10) as i64));
                    b.sent_on = Some(d(26 + rng.below(20) as i64));
                    BatchState::Sent
                }
                55..=64 => {
                    reviewed(&mut b, d(5 + rng.below(20) as i64));
                    BatchState::Approved
                }
                65..=74 => {
                    reviewed(&mut b, d(5 + rng.below(20) as i64));
                    b.return_reason = Some("反馈内容过于笼统，请逐人写明具体表现".to_owned());
                    BatchState::Returned
                }
                75..=79 => {
                    b.submitted_at = Some(d(12).and_hms_opt(1, 0, 0).unwrap_or_default());
                    b.submitted_by = Some(BY.to_owned());
                    BatchState::Submitted
                }
                _ => BatchState::Draft,
            };
            if b.sent_on.is_some() {
                b.sent_by = Some(BY.to_owned());
            }
            if b.acknowledged_on.is_some() {
                b.acknowledged_by = Some(BY.to_owned());
            }
            b.state = state.as_str().to_owned();
            let texts = match direction {
                Direction::BranchToVillage => &BUSINESS,
                Direction::VillageToBranch => &RESIDENCE,
            };
            for mbr in members {
                items.push(ItemRow {
                    tenant_id: tid.clone(),
                    id: uuid::Uuid::now_v7().to_string(),
                    batch_id: b.id.clone(),
                    member_id: mbr.clone(),
                    text: if state == BatchState::Draft && rng.below(2) == 0 {
                        String::new()
                    } else {
                        texts[rng.below(texts.len())].to_owned()
                    },
                    updated_at: now,
                });
            }
            // A few senders have started on the second half already.
            if rng.below(100) < 6 {
                let mut next = b.clone();
                next.id = uuid::Uuid::now_v7().to_string();
                next.period = h2.to_string();
                next.due_on = due_h2;
                next.state = BatchState::Draft.as_str().to_owned();
                for f in [
                    &mut next.submitted_by,
                    &mut next.reviewed_by,
                    &mut next.sent_by,
                ] {
                    *f = None;
                }
                next.acknowledged_by = None;
                next.return_reason = None;
                next.submitted_at = None;
                next.reviewed_on = None;
                next.sent_on = None;
                next.acknowledged_on = None;
                batches.push(next);
            }
            batches.push(b);
        }
    }
    repo::insert(tx, &batches)?;
    repo::insert_items(tx, &items)?;
    // Each sender's obligation per half: met (on its last sending day) when all its batches
    // of the half went out, otherwise open; senders that never drafted stay open too.
    let mut by_sender: BTreeMap<(String, String), Vec<&BatchRow>> = BTreeMap::new();
    for b in &batches {
        by_sender
            .entry((b.sender_id.clone(), b.period.clone()))
            .or_default()
            .push(b);
    }
    for s in &never {
        by_sender.entry((s.clone(), h1.to_string())).or_default();
    }
    for ((sender, period), list) in &by_sender {
        let Some(unit) = crate::org::repo::get(tx, sender)? else {
            continue;
        };
        let Some(p) = Period::parse(period) else {
            continue;
        };
        let due = if p == h1 { due_h1 } else { due_h2 };
        super::service::open_obligation(tx, &unit, p, due)?;
        let all_sent = !list.is_empty() && list.iter().all(|b| b.state().is_sent());
        if all_sent && !never.contains(sender) {
            let last = list.iter().filter_map(|b| b.sent_on).max().unwrap_or(due);
            crate::deadlines::close_on(
                tx,
                ObligationKind::SemiannualFeedback,
                sender,
                p,
                BY,
                last,
            )?;
        }
    }
    Ok(batches.len())
}
