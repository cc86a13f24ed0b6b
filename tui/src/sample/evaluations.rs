//! The evaluations' made-up data (考评): the vanguard campaigns, the branch grading and the
//! members needing help; and their screens.

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
