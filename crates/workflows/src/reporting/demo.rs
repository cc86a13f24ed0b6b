//! Demo two-way reporting: handbooks issued across 2026 in every state, as a county would look
//! on 26 November 2026 — most complete (some late), some reported to the village only, some
//! issued within the last 15 days, overdue ones, re-issued and cancelled handbooks — with the
//! ledgers and the obligations that go with them.

use std::collections::HashMap;

use chrono::{Days, NaiveDate, Utc};
use diesel::prelude::*;

use super::model::{self, HandbookState};
use super::repo::{self, HandbookRow, LedgerRow};
use crate::db::schema::{grid_townships as gt, grids as g, members as m, org_units as ou};
use crate::db::{DbResult, TenantTx};
use crate::deadlines::{ObligationKind, Period};
use crate::enums::StrEnum;

const BY: &str = "demo-data";

const NOTES: [&str; 4] = [
    "凭活动证报到，已登记台账",
    "党员本人到村报到",
    "到分会支部报到并参加组织生活",
    "已建立活动台账",
];

/// The demo's "today": the county as it looks in late November 2026.
pub fn demo_today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default()
}

/// Issues handbooks to a share of the members held by villages linked to a grid's party
/// branch; returns how many handbooks were written.
pub fn generate(tx: &mut TenantTx<'_>, seed: u64) -> DbResult<usize> {
    let tid = tx.tid().to_owned();
    let mut rng = crate::rng::Rng::new(seed);
    let today = demo_today().min(crate::clock::today());
    // Township → the party branch of its grid.
    let links: Vec<(String, Option<String>)> = gt::table
        .inner_join(g::table.on(g::tenant_id.eq(gt::tenant_id).and(g::id.eq(gt::grid_id))))
        .filter(gt::tenant_id.eq(&tid).and(gt::valid_to.is_null()))
        .select((gt::township_id, g::party_branch_id))
        .load(tx.conn())?;
    let branch_of_township: HashMap<String, String> = links
        .into_iter()
        .filter_map(|(t, b)| Some((t, b?)))
        .collect();
    let villages: HashMap<String, Option<String>> = ou::table
        .filter(ou::tenant_id.eq(&tid).and(ou::kind.eq("village")))
        .select((ou::id, ou::parent_id))
        .load::<(String, Option<String>)>(tx.conn())?
        .into_iter()
        .collect();
    let held: Vec<(String, Option<String>)> = m::table
        .filter(m::tenant_id.eq(&tid))
        .filter(m::category.eq("local"))
        .select((m::id, m::membership_unit_id))
        .order(m::id.asc())
        .load(tx.conn())?;
    let (name, code) = repo::county(tx)?;
    let prefix = model::county_prefix(&name, &code);
    let rules = crate::deadlines::repo::rules(tx)?;
    let calendar = crate::deadlines::repo::calendar(tx)?;
    let jan = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or(today);
    let span = (today - jan).num_days().max(1) as usize;
    let mut seq = 0;
    let mut rows: Vec<HandbookRow> = vec![];
    let mut ledger: Vec<LedgerRow> = vec![];
    let now = Utc::now().naive_utc();
    for (member, unit) in held {
        let Some(village) = unit else { continue };
        let Some(Some(township)) = villages.get(&village) else {
            continue;
        };
        let Some(branch) = branch_of_township.get(township) else {
            continue;
        };
        // About half of the members held by linked villages have been issued a handbook.
        if rng.below(100) >= 55 {
            continue;
        }
        let roll = rng.below(100);
        let issued_on = if roll < 12 {
            // Issued within the last 15 days: still on time.
            today - Days::new(rng.below(15) as u64)
        } else {
            jan + Days::new(rng.below(span.saturating_sub(16).max(1)) as u64)
        };
        let due_on = rules
            .due_after(ObligationKind::TwoWayReporting, issued_on, &calendar)
            .unwrap_or(issued_on + Days::new(15));
        seq += 1;
        let id = uuid::Uuid::now_v7().to_string();
        let mut row = HandbookRow {
            tenant_id: tid.clone(),
            id: id.clone(),
            reporting_id: id.clone(),
            member_id: member.clone(),
            branch_id: branch.clone(),
            village_id: village.clone(),
            handbook_no: model::handbook_no(&prefix, 2026, seq),
            card_no: model::card_no(&prefix, 2026, seq),
            state: HandbookState::Issued.as_str().to_owned(),
            issued_on,
            due_on,
            issued_by: BY.to_owned(),
            village_reported_on: None,
            village_confirmed_by: None,
            village_note: None,
            branch_reported_on: None,
            branch_confirmed_by: None,
            branch_note: None,
            replaces_id: None,
            replaced_by_id: None,
            closed_on: None,
            closed_by: None,
            close_reason: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let days = |rng: &mut crate::rng::Rng, from: NaiveDate, max: usize| {
            (from + Days::new(1 + rng.below(max) as u64)).min(today)
        };
        // What happened next: recent ones are in progress; older ones mostly complete.
        let fate = if roll < 12 {
            90 + rng.below(10)
        } else {
            rng.below(100)
        };
        let mut report =
            |row: &mut HandbookRow, rng: &mut crate::rng::Rng, branch_too: bool, late: bool| {
                let v = days(rng, row.issued_on, if late { 12 } else { 6 });
                row.village_reported_on = Some(v);
                row.village_confirmed_by = Some(BY.to_owned());
                row.state = HandbookState::ReportedToVillage.as_str().to_owned();
                ledger.push(entry(&tid, &row.village_id, row, v, NOTES[rng.below(2)]));
                if branch_too {
                    let b = if late {
                        (row.due_on + Days::new(1 + rng.below(20) as u64)).min(today)
                    } else {
                        days(rng, v, 4).min(row.due_on)
                    }
                    .max(v);
                    row.branch_reported_on = Some(b);
                    row.branch_confirmed_by = Some(BY.to_owned());
                    row.state = HandbookState::ReportedToBranch.as_str().to_owned();
                    ledger.push(entry(&tid, &row.branch_id, row, b, NOTES[2 + rng.below(2)]));
                }
            };
        match fate {
            0..=54 => report(&mut row, &mut rng, true, false),
            55..=62 => report(&mut row, &mut rng, true, true),
            63..=72 => report(&mut row, &mut rng, false, false),
            73..=80 => {} // never reported: overdue
            81..=86 => {
                // Lost and re-issued; the replacement carries the progress.
                let done = rng.below(2) == 0;
                report(&mut row, &mut rng, done, false);
                let on = (row.issued_on + Days::new(3 + rng.below(20) as u64)).min(today);
                seq += 1;
                let new_id = uuid::Uuid::now_v7().to_string();
                let new = HandbookRow {
                    id: new_id.clone(),
                    handbook_no: model::handbook_no(&prefix, 2026, seq),
                    card_no: model::card_no(&prefix, 2026, seq),
                    issued_on: on,
                    replaces_id: Some(row.id.clone()),
                    ..row.clone()
                };
                row.state = HandbookState::Reissued.as_str().to_owned();
                row.replaced_by_id = Some(new_id);
                row.closed_on = Some(on);
                row.closed_by = Some(BY.to_owned());
                row.close_reason = Some("手册遗失，申请补发".to_owned());
                rows.push(row);
                rows.push(new);
                continue;
            }
            87..=89 => {
                row.state = HandbookState::Cancelled.as_str().to_owned();
                row.closed_on = Some((row.issued_on + Days::new(5)).min(today));
                row.closed_by = Some(BY.to_owned());
                row.close_reason = Some("经营户已注销，不再纳入双联管理".to_owned());
            }
            90..=94 => report(&mut row, &mut rng, false, false),
            _ => {}
        }
        rows.push(row);
    }
    repo::insert(tx, &rows)?;
    repo::insert_ledger(tx, &ledger)?;
    repo::set_seq(tx, 2026, seq)?;
    for r in rows.iter().filter(|r| r.state().is_current()) {
        super::service::open_obligation(tx, r)?;
        if let Some(done) = r.branch_reported_on {
            crate::deadlines::close_on(
                tx,
                ObligationKind::TwoWayReporting,
                &r.reporting_id,
                Period::Anchored,
                BY,
                done,
            )?;
        }
    }
    Ok(rows.len())
}

fn entry(tid: &str, unit: &str, row: &HandbookRow, on: NaiveDate, note: &str) -> LedgerRow {
    LedgerRow {
        tenant_id: tid.to_owned(),
        id: uuid::Uuid::now_v7().to_string(),
        org_unit_id: unit.to_owned(),
        member_id: row.member_id.clone(),
        kind: "reporting".to_owned(),
        happened_on: on,
        handbook_id: Some(row.id.clone()),
        note: Some(note.to_owned()),
        recorded_by: BY.to_owned(),
        recorded_at: Utc::now().naive_utc(),
    }
}

/// The linkage workflows' demo data: two-way reporting, then the feedback that builds on it.
pub fn linkage(tx: &mut TenantTx<'_>, seed: u64) -> DbResult<(usize, usize)> {
    let handbooks = generate(tx, seed)?;
    let batches = crate::feedback::demo::generate(tx, seed ^ 0xFEED)?;
    Ok((handbooks, batches))
}
