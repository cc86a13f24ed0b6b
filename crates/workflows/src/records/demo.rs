//! Demo data for performance records: the default catalogue, and records across 2026 Q1–Q4
//! (up to late November) by all three kinds of recorder, each for members of its own unit;
//! then the quarterly filings of Q1–Q3 in every state (`filing::demo`). Deterministic for a
//! seed; records go in by the hundred.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, Utc};
use diesel::prelude::*;

use super::model::{Category, DEFAULT_CATALOGUE};
use crate::db::schema::{
    grid_townships as gt, grids as g, members as m, org_units as o, performance_records as r,
    users as u,
};
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::org::model::OrgKind;
use crate::rng::Rng;

/// The demo's "today": late November 2026, as the county would look then.
pub fn demo_today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).expect("valid date")
}

fn phrases(code: &str) -> &'static [&'static str] {
    match code {
        "B01" => &[
            "经营正常，营业额较上季度增长",
            "新增从业人员2名，带动周边就业",
            "扩大经营场所，规范店面管理",
        ],
        "B02" => &[
            "按时完成年报公示，亮照经营",
            "日常检查未发现违规经营行为",
            "主动配合市场监管检查",
        ],
        "B03" => &[
            "信用等级评定为A级",
            "信用等级评定为AA级",
            "守合同重信用企业复核通过",
        ],
        "B04" => &["获评“诚信经营示范户”", "因未明码标价被责令整改"],
        "B05" => &["妥善处理消费投诉1件，消费者满意", "本季度无消费投诉"],
        "A01" => &[
            "参加分会支部主题党日活动",
            "参加支部党员大会并发言",
            "参加“三会一课”专题党课",
        ],
        "A02" => &["参加个体工商户党员集中培训", "参加协会组织的电商技能培训"],
        "A03" => &["参加协会“红色代办”志愿服务", "参与市场周边环境整治志愿活动"],
        "A04" => &[
            "党员先锋指数考评为四星",
            "党员先锋指数考评为五星",
            "党员先锋指数考评为三星",
        ],
        "A05" => &["店面悬挂党员经营户牌匾，公开承诺", "履行“诚信经营”公开承诺"],
        "V01" => &[
            "参加村党组织主题党日活动",
            "参加村党员大会",
            "参加“三会一课”",
        ],
        "V02" => &["参加村党员冬训", "参加乡村振兴政策宣讲"],
        "V03" => &[
            "参加村垃圾分类志愿服务",
            "参与结对帮扶困难户",
            "参加防汛值守志愿服务",
        ],
        "V04" => &["按时足额缴纳党费"],
        "R01" => &["业余生活健康，热心公益", "积极参加村文体活动"],
        "R02" => &["遵守村规民约，无违法违纪情况", "带头执行移风易俗"],
        "R03" => &["家庭和睦，邻里关系融洽", "调解邻里纠纷1起"],
        "R04" => &["获评“美丽庭院”示范户", "获评村“好党员”"],
        _ => &["按要求记实"],
    }
}

/// One member's facts for the generator.
struct Member {
    id: String,
    village: Option<String>,
    party_branch: Option<String>,
    office: Option<String>,
}

/// Fills the county's records, then its filings.
pub fn generate(tx: &mut TenantTx<'_>, seed: u64) -> DbResult<()> {
    super::repo::ensure_seeded(tx)?;
    let mut rng = Rng::new(seed);
    let tid = tx.tid().to_owned();
    let units: Vec<(String, String, Option<String>, bool)> = o::table
        .filter(o::tenant_id.eq(&tid))
        .select((o::id, o::kind, o::parent_id, o::active))
        .load(tx.conn())?;
    let kind_of: HashMap<&str, OrgKind> = units
        .iter()
        .filter_map(|(id, k, _, _)| Some((id.as_str(), OrgKind::parse(k)?)))
        .collect();
    let parent_of: HashMap<&str, &str> = units
        .iter()
        .filter_map(|(id, _, p, _)| Some((id.as_str(), p.as_deref()?)))
        .collect();
    let grids: Vec<(String, String, Option<String>)> = g::table
        .filter(g::tenant_id.eq(&tid))
        .select((g::id, g::aic_office_id, g::party_branch_id))
        .load(tx.conn())?;
    let grid_by_id: HashMap<&str, (&str, Option<&str>)> = grids
        .iter()
        .map(|(id, o, p)| (id.as_str(), (o.as_str(), p.as_deref())))
        .collect();
    let periods: Vec<(String, String)> = gt::table
        .filter(gt::tenant_id.eq(&tid).and(gt::valid_to.is_null()))
        .select((gt::grid_id, gt::township_id))
        .load(tx.conn())?;
    let grid_of_town: HashMap<&str, (&str, Option<&str>)> = periods
        .iter()
        .filter_map(|(grid, town)| Some((town.as_str(), *grid_by_id.get(grid.as_str())?)))
        .collect();
    type MemberUnits = (String, Option<String>, Option<String>, Option<String>);
    let members: Vec<MemberUnits> = m::table
        .filter(m::tenant_id.eq(&tid))
        .select((
            m::id,
            m::membership_unit_id,
            m::org_life_unit_id,
            m::market_id,
        ))
        .order(m::id.asc())
        .load(tx.conn())?;
    let is = |id: &Option<String>, k: OrgKind| {
        id.as_deref()
            .is_some_and(|i| kind_of.get(i).copied() == Some(k))
    };
    let facts: Vec<Member> = members
        .iter()
        .map(|(id, membership, life, market)| {
            let village = [membership, life]
                .into_iter()
                .find(|u| is(u, OrgKind::Village))
                .cloned()
                .flatten();
            // The business place's grid: the market's office, else the org-life village's
            // township.
            let town = life
                .as_deref()
                .filter(|l| kind_of.get(l).copied() == Some(OrgKind::Village))
                .and_then(|l| parent_of.get(l).copied());
            let grid = town.and_then(|t| grid_of_town.get(t).copied());
            let office = match market.as_deref().and_then(|mk| parent_of.get(mk).copied()) {
                Some(p) if kind_of.get(p).copied() == Some(OrgKind::AicOffice) => {
                    Some(p.to_owned())
                }
                _ => grid.map(|(o, _)| o.to_owned()),
            };
            let party_branch = if is(membership, OrgKind::PartyBranch) {
                membership.clone()
            } else {
                grid.and_then(|(_, p)| p).map(str::to_owned)
            };
            Member {
                id: id.clone(),
                village,
                party_branch,
                office,
            }
        })
        .collect();
    // A recorder account per unit where there is one (branch staff act for their branch's
    // party branches).
    let users: Vec<(String, String, Option<String>)> = u::table
        .filter(u::tenant_id.eq(&tid))
        .select((u::id, u::role, u::org_unit_id))
        .order(u::id.asc())
        .load(tx.conn())?;
    let mut recorder: HashMap<String, String> = HashMap::new();
    for (id, role, unit) in &users {
        let Some(unit) = unit else { continue };
        match role.as_str() {
            "village_recorder" | "aic_recorder" => {
                recorder.entry(unit.clone()).or_insert_with(|| id.clone());
            }
            "branch_staff" => {
                for (pb, k, parent, _) in &units {
                    if k == OrgKind::PartyBranch.as_str() && parent.as_deref() == Some(unit) {
                        recorder.entry(pb.clone()).or_insert_with(|| id.clone());
                    }
                }
            }
            _ => {}
        }
    }
    let items_of = |c: Category| -> Vec<&'static str> {
        DEFAULT_CATALOGUE
            .iter()
            .filter(|i| i.category == c)
            .map(|i| i.code)
            .collect()
    };
    let business = items_of(Category::Business);
    let association = items_of(Category::Association);
    let village = items_of(Category::Village);
    let residence = items_of(Category::Residence);
    let today = demo_today();
    let now = Utc::now().naive_utc();
    let mut rows = Vec::new();
    for mf in &facts {
        // About a third of the members have records this year.
        if rng.below(100) >= 35 {
            continue;
        }
        for q in 1..=4u32 {
            let first = NaiveDate::from_ymd_opt(2026, (q - 1) * 3 + 1, 1).expect("date");
            let span = if q == 4 {
                (today - first).num_days() as usize
            } else {
                90
            };
            let mut push =
                |rng: &mut Rng, unit: &Option<String>, codes: &[&'static str], cat: Category| {
                    let Some(unit) = unit else { return };
                    if rng.below(100) >= 55 {
                        return;
                    }
                    let code = codes[rng.below(codes.len())];
                    let ps = phrases(code);
                    let on = first + chrono::Duration::days(rng.below(span.max(1)) as i64);
                    let score =
                        (code == "A04" || code == "B03" || rng.below(100) < 15).then(|| {
                            if code == "B04" && rng.below(2) == 0 {
                                -5
                            } else {
                                1 + rng.below(10) as i32
                            }
                        });
                    rows.push((
                        r::tenant_id.eq(tid.clone()),
                        r::id.eq(uuid::Uuid::now_v7().to_string()),
                        r::member_id.eq(mf.id.clone()),
                        r::item_code.eq(code),
                        r::item_version.eq(1),
                        r::category.eq(cat.as_str()),
                        r::recorded_on.eq(on),
                        r::content.eq(ps[rng.below(ps.len())]),
                        r::score.eq(score),
                        r::recording_unit_id.eq(unit.clone()),
                        r::recorded_by.eq(recorder
                            .get(unit)
                            .cloned()
                            .unwrap_or_else(|| "demo-data".to_owned())),
                        r::version.eq(1i64),
                        r::created_at.eq(now),
                        r::updated_at.eq(now),
                    ));
                };
            push(&mut rng, &mf.office, &business, Category::Business);
            push(
                &mut rng,
                &mf.party_branch,
                &association,
                Category::Association,
            );
            push(&mut rng, &mf.village, &village, Category::Village);
            push(&mut rng, &mf.village, &residence, Category::Residence);
        }
    }
    // 14 columns a row: 500 rows stay under both backends' bind-parameter limits.
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(500));
        crate::insert_rows!(tx.conn(), r::table, rows)?;
        rows = rest;
    }
    debug_assert!(today.year() == 2026);
    crate::filing::demo::generate(tx, rng.next_u64(), &recorder, today)
}
