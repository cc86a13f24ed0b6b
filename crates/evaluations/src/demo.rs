//! Demo evaluations, written through the same rules and storage as the API:
//! - branch grading: last year every party branch and centre self-assessed and graded by the
//!   committee, across all four grades (one 较差 outright), ranked; this year the first two
//!   self-assessed, waiting for December's assessment;
//! - the vanguard index: last year's campaign closed and reported (stars on every evaluated
//!   member's record, outstanding members chosen, help for 1–2 stars mostly done); this year's
//!   in its public notice, with one objection answered and one open;
//! - the markets' six standards: last year's checklists (three in four markets met all six)
//!   and spot checks, this year's half done;
//! - the 百日攻坚 coverage campaign at day 45 (`coverage::demo`).

use chrono::{Datelike, Days, NaiveDate, Utc};
use diesel::prelude::*;

use crate::branches::model::{Assessment, Holding};
use crate::branches::repo::{self as branches, Side};
use crate::db::schema::users as u;
use crate::db::{DbResult, TenantTx};
use crate::rubric::{Finding, Points};
use crate::vanguard::model::CampaignState;
use crate::vanguard::repo::{self as vanguard, EntryRow};

fn user(tx: &mut TenantTx<'_>, role: &str) -> DbResult<Option<(String, Option<String>)>> {
    let tid = tx.tid().to_owned();
    Ok(u::table
        .filter(u::tenant_id.eq(tid).and(u::role.eq(role)))
        .filter(u::status.eq("active"))
        .order(u::id.asc())
        .select((u::id, u::org_unit_id))
        .first(tx.conn())
        .optional()?)
}

fn f(rule: &str, tenths: i32, count: u32) -> Finding {
    Finding {
        rule: rule.to_owned(),
        points: Points(tenths),
        count,
        evidence: Some("考评组现场检查记录".to_owned()),
    }
}

/// Four profiles, one per grade: 98 (好), 88 (较好), 75 (一般), and 较差 (outright, or 56).
fn profile(i: usize) -> Assessment {
    let (findings, conditions) = match i % 5 {
        0 => (vec![f("ideas.few_activities", 20, 1)], vec![]),
        1 => (
            vec![f("performance.late_reply", 5, 2), f("mass.survey", 110, 1)],
            vec![],
        ),
        2 => (
            vec![
                f("venue.facilities", 30, 1),
                f("guarantees.low_funds", 20, 1),
                f("mass.survey", 200, 1),
            ],
            vec![],
        ),
        3 => (
            vec![f("ideas.few_activities", 20, 1)],
            vec![Holding {
                code: "no_activity_last_year".to_owned(),
                evidence: Some("活动台账：全年无活动记录".to_owned()),
            }],
        ),
        _ => (
            vec![
                f("leader.none", 150, 1),
                f("mass.survey", 250, 1),
                f("guarantees.no_funds", 40, 1),
            ],
            vec![],
        ),
    };
    Assessment {
        findings,
        conditions,
        note: Some("根据考评定级标准逐项考评".to_owned()),
    }
}

fn grade_branches(
    tx: &mut TenantTx<'_>,
    staff: &str,
    committee: &str,
    today: NaiveDate,
) -> DbResult<()> {
    let rubric = crate::rubrics::current(tx, crate::branches::api::RUBRIC, true)?;
    let last = today.year() - 1;
    let on = NaiveDate::from_ymd_opt(last, 12, 20).unwrap_or(today);
    for (i, unit) in branches::subjects(tx)?.into_iter().enumerate() {
        let own = Assessment {
            findings: vec![],
            conditions: vec![],
            note: Some("对照标准逐项自查".to_owned()),
        };
        let s = rubric.score(&own.findings, &[]).map_err(|e| {
            crate::error::AppError::internal(anyhow::anyhow!("demo grading: {e:?}"))
        })?;
        let row = branches::save(
            tx,
            None,
            &unit.id,
            last,
            &rubric,
            Side::Subject,
            &own,
            &s,
            staff,
            on,
        )?;
        let a = profile(i);
        let s = rubric.score(&a.findings, &a.holding()).map_err(|e| {
            crate::error::AppError::internal(anyhow::anyhow!("demo grading: {e:?}"))
        })?;
        branches::save(
            tx,
            Some((&row, row.version)),
            &unit.id,
            last,
            &rubric,
            Side::Committee,
            &a,
            &s,
            committee,
            on,
        )?;
        if i < 2 {
            let mut mine = profile(i + 1);
            mine.conditions.clear();
            let s = rubric.score(&mine.findings, &[]).map_err(|e| {
                crate::error::AppError::internal(anyhow::anyhow!("demo grading: {e:?}"))
            })?;
            branches::save(
                tx,
                None,
                &unit.id,
                today.year(),
                &rubric,
                Side::Subject,
                &mine,
                &s,
                staff,
                today,
            )?;
        }
    }
    Ok(())
}

/// The stars a demo member's evaluation ends with: mostly 3–4, some 5, a few 1–2.
fn stars(rng: &mut crate::rng::Rng) -> i32 {
    match rng.below(20) {
        0 => 1,
        1 | 2 => 2,
        3..=9 => 3,
        10..=16 => 4,
        _ => 5,
    }
}

#[allow(clippy::too_many_arguments)]
fn campaign(
    tx: &mut TenantTx<'_>,
    rng: &mut crate::rng::Rng,
    year: i32,
    state: CampaignState,
    opened_on: NaiveDate,
    notice: (NaiveDate, NaiveDate),
    staff: &str,
    committee: &str,
) -> DbResult<()> {
    let members = crate::members::repo::all(
        tx,
        &crate::members::repo::Filter::default(),
        vanguard::ENTRIES_MAX,
        |_| true,
    )?
    .unwrap_or_default();
    let as_of = NaiveDate::from_ymd_opt(year, 11, 30).unwrap_or(opened_on);
    let c = vanguard::open(tx, year, 7, committee, opened_on, &[])?;
    let now = Utc::now().naive_utc();
    let final_ = state != CampaignState::Notice;
    let mut rows = Vec::new();
    let mut revisable = Vec::new();
    for m in &members {
        let Some(excluded) = crate::vanguard::api::listing(m, as_of) else {
            continue;
        };
        let excluded = excluded.map(str::to_owned);
        let evaluated = excluded.is_none();
        let review = stars(rng);
        let veto = evaluated && rng.below(100) == 0;
        let mut votes = [0; 5];
        for _ in 0..(3 + rng.below(6)) {
            let s = (review + i32::try_from(rng.below(3)).unwrap_or(0) - 1).clamp(1, 5);
            votes[usize::try_from(s - 1).unwrap_or(0)] += 1;
        }
        let on = |d: u64| evaluated.then(|| opened_on + Days::new(d));
        let fin = (final_ && evaluated && !veto).then_some(review);
        let helped = fin.is_some_and(|s| s <= 2) && rng.below(4) > 0;
        if evaluated && !veto && !final_ {
            revisable.push(m.id.clone());
        }
        rows.push(EntryRow {
            tenant_id: tx.tid().to_owned(),
            campaign_id: c.id.clone(),
            member_id: m.id.clone(),
            unit_id: m.org_life_unit_id.clone(),
            excluded,
            self_stars: evaluated.then(|| (review + 1).min(5)),
            self_summary: evaluated.then(|| "守法诚信经营，积极参加组织生活".to_owned()),
            self_on: on(5),
            peer_1: evaluated.then_some(votes[0]),
            peer_2: evaluated.then_some(votes[1]),
            peer_3: evaluated.then_some(votes[2]),
            peer_4: evaluated.then_some(votes[3]),
            peer_5: evaluated.then_some(votes[4]),
            peer_on: on(10),
            review_stars: (evaluated && !veto).then_some(review),
            review_note: None,
            reviewed_by: (evaluated && !veto).then(|| staff.to_owned()),
            reviewed_on: (evaluated && !veto).then(|| opened_on + Days::new(15)),
            veto: veto.then(|| "discipline".to_owned()),
            veto_evidence: veto.then(|| "县纪委处分决定（处分期内）".to_owned()),
            veto_by: veto.then(|| committee.to_owned()),
            veto_on: on(12).filter(|_| veto),
            final_stars: fin,
            outstanding: fin == Some(5) && rng.below(3) == 0,
            talk_on: helped.then(|| notice.1 + Days::new(10)),
            mentor: helped.then(|| "支部书记".to_owned()),
            help_done_on: helped.then(|| notice.1 + Days::new(30)),
            version: 1,
            updated_at: now,
        });
    }
    let finals: Vec<(String, Option<i32>)> = rows
        .iter()
        .filter(|e| e.excluded.is_none())
        .map(|e| (e.member_id.clone(), e.final_stars))
        .collect();
    vanguard::insert_entries(tx, &rows)?;
    let c = vanguard::set_state(
        tx,
        &c,
        c.version,
        CampaignState::Notice,
        Some(notice),
        notice.0,
    )?;
    if final_ {
        let fin_on = notice.1 + Days::new(2);
        let c = vanguard::set_state(tx, &c, c.version, CampaignState::Final, None, fin_on)?;
        vanguard::set_state(
            tx,
            &c,
            c.version,
            CampaignState::Reported,
            None,
            fin_on + Days::new(10),
        )?;
        crate::vanguard::entries::write_records(tx, year, finals, committee, fin_on)?;
    } else if let [first, second, ..] = revisable.as_slice() {
        let a = vanguard::add_objection(
            tx,
            &c.id,
            first,
            notice.0,
            "群众反映该户有短斤少两行为",
            committee,
        )?;
        vanguard::answer_objection(
            tx,
            &a,
            "经核实属实，调整为二星",
            Some(2),
            committee,
            notice.0 + Days::new(1),
        )?;
        vanguard::add_objection(
            tx,
            &c.id,
            second,
            notice.0 + Days::new(1),
            "该户评价偏低，请复核",
            committee,
        )?;
    }
    Ok(())
}

/// Markets' six standards: last year most listed markets met all six and were spot-checked
/// (one failed on its 三亮 plaques); this year half are checked so far.
fn markets(
    tx: &mut TenantTx<'_>,
    rng: &mut crate::rng::Rng,
    committee: &str,
    today: NaiveDate,
) -> DbResult<()> {
    use crate::markets::model::{Item, STANDARDS};
    use crate::markets::repo as m;
    let recorder = user(tx, "aic_recorder")?.map_or_else(|| committee.to_owned(), |u| u.0);
    let last = today.year() - 1;
    let on = NaiveDate::from_ymd_opt(last, 10, 15).unwrap_or(today);
    for (i, unit) in m::markets(tx)?.into_iter().enumerate() {
        let items = |met_all: bool, upto: usize, day: NaiveDate| -> Vec<Item> {
            STANDARDS
                .iter()
                .take(upto)
                .enumerate()
                .map(|(k, s)| Item {
                    code: s.code.to_owned(),
                    met: met_all || k != 3,
                    evidence: Some(format!("{}：现场对照检查", s.name)),
                    by: recorder.clone(),
                    on: day,
                })
                .collect()
        };
        let all = i % 4 != 3;
        let row = m::save(tx, None, &unit.id, last, &items(all, 6, on), &recorder)?;
        let failed = rng.below(5) == 0;
        m::add_spot_check(
            tx,
            &row.id,
            on + Days::new(40),
            committee,
            if failed { "failed" } else { "passed" },
            failed.then(|| "role".to_owned()),
            failed.then_some("抽查发现部分商位未悬挂“三亮”牌"),
        )?;
        if i % 2 == 0 {
            m::save(
                tx,
                None,
                &unit.id,
                today.year(),
                &items(true, 4, today),
                &recorder,
            )?;
        }
    }
    Ok(())
}

pub fn fill(tx: &mut TenantTx<'_>, seed: u64) -> DbResult<()> {
    let today = crate::clock::today();
    let (Some((staff, _)), Some((committee, _))) = (
        user(tx, "branch_staff")?,
        user(tx, "association_committee")?,
    ) else {
        return Ok(());
    };
    grade_branches(tx, &staff, &committee, today)?;
    let mut rng = crate::rng::Rng::new(seed);
    markets(tx, &mut rng, &committee, today)?;
    let surveyor = user(tx, "aic_recorder")?.map_or_else(|| committee.clone(), |u| u.0);
    crate::coverage::demo::fill(tx, &mut rng, &surveyor, &committee, today)?;
    let last = today.year() - 1;
    let d = |y: i32, m: u32, day: u32| NaiveDate::from_ymd_opt(y, m, day).unwrap_or(today);
    campaign(
        tx,
        &mut rng,
        last,
        CampaignState::Reported,
        d(last, 10, 8),
        (d(last, 11, 10), d(last, 11, 16)),
        &staff,
        &committee,
    )?;
    campaign(
        tx,
        &mut rng,
        today.year(),
        CampaignState::Notice,
        today - Days::new(40),
        (today - Days::new(2), today + Days::new(4)),
        &staff,
        &committee,
    )
}
