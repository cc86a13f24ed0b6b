//! The evaluations' made-up data (考评): the vanguard campaigns, the branch grading, the
//! members needing help and the coverage campaign with a cycle's report; and their screens.

use crate::api::types::*;
use crate::app::{Model, Tab};
use crate::i18n::Lang;
use crate::screens::evaluations;

use super::model;

/// The evaluations tab's screens, for the rendering tests: (name, model).
pub(super) fn evaluation_screens(lang: Lang) -> Vec<(&'static str, Model)> {
    let mut out = Vec::new();
    let mut m = model(lang, "association_committee", Tab::Evaluations);
    evaluations::campaigns_loaded(&mut m.evaluations, campaigns());
    out.push(("evaluations", m));

    let mut m = model(lang, "association_committee", Tab::Evaluations);
    evaluations::campaigns_loaded(&mut m.evaluations, campaigns());
    evaluations::branches_loaded(&mut m.evaluations, Some(2025), branch_ranking());
    m.evaluations.part = evaluations::Part::Branches;
    out.push(("evaluations-branches", m));

    let mut m = model(lang, "branch_staff", Tab::Evaluations);
    evaluations::campaigns_loaded(&mut m.evaluations, campaigns());
    evaluations::help_loaded(&mut m.evaluations, 2025, needs_help());
    m.evaluations.part = evaluations::Part::Help;
    out.push(("evaluations-help", m));

    // The coverage campaign's third cycle, the cursor on the township in last place.
    let mut m = model(lang, "association_committee", Tab::Evaluations);
    evaluations::campaigns_loaded(&mut m.evaluations, campaigns());
    evaluations::coverage_loaded(&mut m.evaluations, coverage_campaigns());
    evaluations::coverage_report_loaded(&mut m.evaluations, "cov1", 3, coverage_report());
    m.evaluations.part = evaluations::Part::Coverage;
    let c = &mut m.evaluations.coverage;
    c.townships.sel = c
        .townships
        .items
        .iter()
        .position(|l| !l.reasons.is_empty())
        .unwrap_or(0);
    out.push(("evaluations-coverage", m));
    out
}

/// The county's campaigns as the server sends them on 2026-12-07, the latest first: this
/// year's in its public notice with an open objection, last year's reported.
pub fn campaigns() -> CampaignList {
    let reason = |key: &str, label: &str, count: u32| CountByKey {
        key: key.into(),
        label: label.into(),
        count,
    };
    let this = Campaign {
        id: "c2026".into(),
        year: 2026,
        state: "notice".into(),
        state_label: "公示中".into(),
        notice_days: 7,
        notice_from: Some("2026-12-05".into()),
        notice_until: Some("2026-12-11".into()),
        opened_on: "2026-10-28".into(),
        finalised_on: None,
        reported_on: None,
        counts: CampaignCounts {
            listed: 57,
            evaluated: 50,
            excluded: 7,
            excluded_by_reason: vec![
                reason("probationary", "预备党员", 3),
                reason("suspended", "停歇业", 2),
                reason("away_over_six_months", "外出经营超过6个月", 2),
            ],
            self_done: 50,
            peer_done: 48,
            reviewed: 49,
            vetoed: 1,
            final_stars: vec![0, 0, 0, 0, 0],
            ..CampaignCounts::default()
        },
        objections: 2,
        objections_open: 1,
        version: 9,
    };
    let last = Campaign {
        id: "c2025".into(),
        year: 2025,
        state: "reported".into(),
        state_label: "已上报".into(),
        notice_from: Some("2025-12-08".into()),
        notice_until: Some("2025-12-14".into()),
        opened_on: "2025-11-03".into(),
        finalised_on: Some("2025-12-20".into()),
        reported_on: Some("2025-12-28".into()),
        counts: CampaignCounts {
            listed: 55,
            evaluated: 51,
            excluded: 4,
            excluded_by_reason: vec![reason("probationary", "预备党员", 4)],
            self_done: 51,
            peer_done: 51,
            reviewed: 50,
            vetoed: 1,
            final_stars: vec![1, 2, 12, 20, 15],
            recommended: 35,
            outstanding: 6,
            needs_help: 3,
            help_done: 2,
        },
        objections: 1,
        objections_open: 0,
        version: 14,
        ..this.clone()
    };
    CampaignList {
        items: vec![this, last],
        today: Some("2026-12-07".into()),
    }
}

/// Last year's branch grading, ranked: one of each grade and a 较差 set outright.
pub fn branch_ranking() -> BranchEvaluationList {
    #[allow(clippy::type_complexity)]
    let rows: [(&str, &str, Option<f64>, &str, bool); 5] = [
        ("递铺分会第一支部", "递铺分会", Some(98.0), "好", false),
        ("昌硕分会第一支部", "昌硕分会", Some(88.0), "较好", false),
        (
            "递铺区域性党员服务中心",
            "递铺分会",
            Some(75.0),
            "一般",
            false,
        ),
        ("孝丰分会第二支部", "孝丰分会", Some(56.0), "较差", false),
        ("天荒坪分会支部", "天荒坪分会", Some(96.0), "较差", true),
    ];
    let items = rows
        .into_iter()
        .enumerate()
        .map(
            |(i, (unit, parent, total, grade, outright))| BranchEvaluation {
                unit_id: format!("u{i}"),
                unit_name: unit.into(),
                unit_kind: "party_branch".into(),
                parent_name: parent.into(),
                state: Some("assessed".into()),
                state_label: "已考评定级".into(),
                self_total: total,
                self_grade: Some(grade.into()),
                total,
                grade: Some(grade.into()),
                outright,
                rank: Some(i as u32 + 1),
            },
        )
        .collect();
    BranchEvaluationList {
        year: 2025,
        items,
        subjects: 5,
        assessed: 5,
        grades: ["好", "较好", "一般", "较差"]
            .into_iter()
            .map(|g| GradeCount {
                grade: g.into(),
                count: if g == "较差" { 2 } else { 1 },
            })
            .collect(),
    }
}

/// Last year's members with one or two stars: two helped, one still waiting for a mentor.
pub fn needs_help() -> Vec<VanguardEntry> {
    #[allow(clippy::type_complexity)]
    let rows: [(&str, &str, i32, Option<&str>, Option<&str>, Option<&str>); 3] = [
        (
            "沈建华",
            "建华五金店",
            1,
            Some("2026-01-08"),
            Some("王春梅"),
            Some("2026-06-30"),
        ),
        (
            "李勇",
            "勇记农家乐",
            2,
            Some("2026-01-12"),
            Some("陈丽"),
            Some("2026-07-15"),
        ),
        ("张文斌", "文斌竹制品厂", 2, Some("2026-02-03"), None, None),
    ];
    rows.into_iter()
        .enumerate()
        .map(
            |(i, (name, business, stars, talk, mentor, done))| VanguardEntry {
                year: 2025,
                member_id: format!("m{i}"),
                member_name: name.into(),
                business_name: business.into(),
                unit_name: "递铺分会第一支部".into(),
                self_stars: Some(3),
                review_stars: Some(stars),
                final_stars: Some(stars),
                needs_help: true,
                talk_on: talk.map(str::to_owned),
                mentor: mentor.map(str::to_owned),
                help_done_on: done.map(str::to_owned),
                version: 3,
                ..VanguardEntry::default()
            },
        )
        .collect()
}

/// A tally with its rates (percent, one decimal), as the server counts them.
fn tally(counts: [u32; 6]) -> CoverageTally {
    let [
        businesses,
        surveyed,
        party_org,
        party_work,
        league_org,
        established,
    ] = counts;
    let rate = |n: u32| {
        (businesses > 0).then(|| (f64::from(n) * 1000.0 / f64::from(businesses)).round() / 10.0)
    };
    CoverageTally {
        businesses,
        surveyed,
        party_org,
        party_work,
        league_org,
        established,
        survey_rate: rate(surveyed),
        party_org_rate: rate(party_org),
        party_work_rate: rate(party_work),
        league_org_rate: rate(league_org),
    }
}

fn lag(codes: &[&str]) -> Vec<LagReason> {
    codes
        .iter()
        .map(|c| LagReason {
            code: (*c).into(),
            label: match *c {
                "last_place" => "排在末位",
                "no_progress" => "本轮无新建组织，进展缓慢",
                _ => "调查摸底未完成且本轮无新摸底，行动迟缓",
            }
            .into(),
        })
        .collect()
}

/// Report lines ranked as given (equal rates do not occur here), the unplaced (no id) last.
fn lines(prefix: &str, rows: &[(&str, [u32; 6], &[&str])]) -> Vec<CoverageLine> {
    let mut place = 0;
    rows.iter()
        .enumerate()
        .map(|(i, (name, counts, reasons))| {
            let placed = !name.starts_with('（');
            if placed {
                place += 1;
            }
            CoverageLine {
                unit_id: placed.then(|| format!("{prefix}{i}")),
                name: (*name).into(),
                place: placed.then_some(place),
                tally: tally(*counts),
                reasons: lag(reasons),
            }
        })
        .collect()
}

/// The county: the sum of its townships' lines.
fn county(l: &[CoverageLine]) -> CoverageTally {
    let sum = |f: fn(&CoverageTally) -> u32| l.iter().map(|x| f(&x.tally)).sum::<u32>();
    tally([
        sum(|t| t.businesses),
        sum(|t| t.surveyed),
        sum(|t| t.party_org),
        sum(|t| t.party_work),
        sum(|t| t.league_org),
        sum(|t| t.established),
    ])
}

/// The third cycle's report on its last day, 2026-12-07 (day 45), not issued yet: 递铺街道
/// last, surveyed least and nothing new since the second report; 递铺分会 last of the branches.
pub fn coverage_report() -> CoverageReport {
    let townships = lines(
        "t",
        &[
            ("孝丰镇", [160, 150, 70, 90, 30, 6], &[]),
            ("昌硕街道", [180, 170, 72, 95, 28, 5], &[]),
            ("章村镇", [110, 100, 40, 55, 14, 3], &[]),
            ("天荒坪镇", [95, 88, 34, 46, 12, 3], &[]),
            ("报福镇", [163, 150, 55, 70, 20, 4], &[]),
            ("梅溪镇", [140, 120, 45, 61, 20, 4], &[]),
            ("灵峰街道", [120, 100, 36, 50, 15, 2], &[]),
            (
                "递铺街道",
                [260, 96, 52, 70, 18, 0],
                &["last_place", "no_progress", "survey_stalled"],
            ),
            ("（未填乡镇）", [12, 8, 2, 3, 1, 0], &[]),
        ],
    );
    let branches = lines(
        "b",
        &[
            ("孝丰分会", [255, 238, 104, 136, 42, 9], &[]),
            ("昌硕分会", [300, 280, 120, 160, 45, 9], &[]),
            ("梅溪分会", [235, 210, 68, 95, 34, 6], &[]),
            (
                "递铺分会",
                [438, 246, 112, 145, 36, 3],
                &["last_place", "no_progress"],
            ),
            ("（未划入分会）", [12, 8, 2, 4, 1, 0], &[]),
        ],
    );
    let laggards = townships
        .iter()
        .map(|l| ("township", l))
        .chain(branches.iter().map(|l| ("branch", l)))
        .filter(|(_, l)| !l.reasons.is_empty())
        .map(|(level, l)| CoverageLaggard {
            level: level.into(),
            unit_id: l.unit_id.clone().unwrap_or_default(),
            name: l.name.clone(),
            reasons: l.reasons.clone(),
        })
        .collect();
    let suggested = [
        ("standalone", "单独组建", 12),
        ("joint", "联合组建", 148),
        ("affiliated", "挂靠组建", 236),
        ("industry", "行业组建", 64),
        ("instructor", "选派指导员", 116),
    ]
    .into_iter()
    .map(|(form, label, count)| CoverageFormCount {
        form: form.into(),
        label: label.into(),
        count,
    })
    .collect();
    CoverageReport {
        campaign_id: "cov1".into(),
        cycle: 3,
        as_of: "2026-12-07".into(),
        day: 45,
        issued: false,
        issued_on: None,
        compared_with_cycle: Some(2),
        county: county(&townships),
        townships,
        branches,
        laggards,
        suggested,
    }
}

/// The county's coverage campaign (百日攻坚) as the server sends it on 2026-12-07: day 45 of
/// 100, the reports of days 15 and 30 issued on their day, the third cycle's due today.
pub fn coverage_campaigns() -> Vec<CoverageCampaign> {
    let ends = [
        (15, "2026-11-07"),
        (30, "2026-11-22"),
        (45, "2026-12-07"),
        (60, "2026-12-22"),
        (75, "2027-01-06"),
        (90, "2027-01-21"),
        (100, "2027-01-31"),
    ];
    let cycles = ends
        .iter()
        .zip(1..)
        .map(|((day, ends_on), cycle)| CoverageCycle {
            cycle,
            ends_on: (*ends_on).into(),
            day: *day,
            state: match cycle {
                1 | 2 => "issued",
                3 => "current",
                _ => "upcoming",
            }
            .into(),
            issued_on: (cycle < 3).then(|| (*ends_on).into()),
        })
        .collect();
    vec![CoverageCampaign {
        id: "cov1".into(),
        title: "小微企业个体工商户专业市场党团组织覆盖“百日攻坚”行动".into(),
        starts_on: "2026-10-24".into(),
        ends_on: "2027-01-31".into(),
        days: 100,
        cycle_days: 15,
        day: 45,
        current_cycle: Some(3),
        cycles,
        county: coverage_report().county,
        version: 1,
    }]
}
