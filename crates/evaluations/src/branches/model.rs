//! The standardisation grading of a party branch or service centre (支部（党员服务中心）规范化
//! 建设考评定级, seed 003): its states, when each step may be taken, the deductions the
//! recorded data proposes (with their evidence), and the county ranking. Plain functions.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::rubric::{Finding, Points};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum EvaluationState {
    /// 已自评: the subject assessed itself.
    SelfAssessed,
    /// 已考评: the association committee assessed it; it is ranked.
    Assessed,
}

impl EvaluationState {
    pub fn label_zh(self) -> &'static str {
        match self {
            EvaluationState::SelfAssessed => "已自评",
            EvaluationState::Assessed => "已考评定级",
        }
    }
}

/// An outright condition found to hold, with where its evidence is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Holding {
    pub code: String,
    pub evidence: Option<String>,
}

/// One assessment (the subject's own, or the committee's), as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assessment {
    pub findings: Vec<Finding>,
    pub conditions: Vec<Holding>,
    pub note: Option<String>,
}

impl Assessment {
    pub fn holding(&self) -> Vec<String> {
        self.conditions.iter().map(|h| h.code.clone()).collect()
    }
}

/// A refused step: 409 with a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

pub const ALREADY_ASSESSED: Refused = Refused {
    code: "already_assessed",
    zh: "协会党委已考评定级，不能再修改自评",
    en: "The committee has assessed it; the self-assessment cannot change",
};
pub const NOT_YET_DECEMBER: Refused = Refused {
    code: "assessment_not_open",
    zh: "当年的考评定级由协会党委在12月份统一组织，12月1日起方可考评",
    en: "A year's assessment opens on 1 December",
};
pub const FUTURE_YEAR: Refused = Refused {
    code: "future_year",
    zh: "不能评价尚未开始的年度",
    en: "A year that has not begun cannot be evaluated",
};

/// The subject assesses itself for this year or a past one, until the committee has assessed.
pub fn may_self_assess(year: i32, today: NaiveDate, assessed: bool) -> Result<(), Refused> {
    if year > today.year() {
        return Err(FUTURE_YEAR);
    }
    if assessed {
        return Err(ALREADY_ASSESSED);
    }
    Ok(())
}

/// "考核工作由协会党委在12月份统一组织": the committee assesses a year from 1 December of it
/// (and any past year, late); it may revise its assessment.
pub fn may_assess(year: i32, today: NaiveDate) -> Result<(), Refused> {
    if year > today.year() {
        return Err(FUTURE_YEAR);
    }
    if year == today.year() && today.month() < 12 {
        return Err(NOT_YET_DECEMBER);
    }
    Ok(())
}

/// What is recorded about a subject's year, for the proposals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// Activities held (attendance recorded) in the year, with their day and theme; `None`
    /// where the product keeps no activities for the subject (a party branch).
    pub activities: Option<Vec<(NaiveDate, String)>>,
    /// Requests answered after their due day, or still open past it: (received, due).
    pub late_replies: Vec<(NaiveDate, NaiveDate)>,
    /// Registration in practice: handbooks the subject issued in the year and those that
    /// completed two-way reporting, plus members registered at a centre's window.
    pub handbooks_issued: u32,
    pub handbooks_complete: u32,
    pub registrations_entered: u32,
}

/// Deductions and conditions the data proposes, each with its evidence; the assessor accepts,
/// changes or drops them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Proposal {
    pub findings: Vec<Finding>,
    pub conditions: Vec<Holding>,
}

/// The seed's rules that recorded data can decide:
/// - "一年组织活动少于2次的扣2分", and none at all: "近一年来没有开展党组织活动" (较差 outright);
/// - "未按时回复诉求扣0.5-1分": 0.5 per late reply (the assessor may raise each to 1);
/// - "未实行党员报到制扣1-2分": 2 when nothing was registered or reported in the year, 1 when
///   fewer than half of the handbooks issued completed two-way reporting.
pub fn propose(year: i32, f: &Facts) -> Proposal {
    let mut p = Proposal::default();
    if let Some(held) = &f.activities {
        let n = held.len();
        if n < 2 {
            let list: Vec<String> = held.iter().map(|(d, t)| format!("{d} {t}")).collect();
            let evidence = if list.is_empty() {
                format!("{year}年无已记录出勤的活动")
            } else {
                format!("{year}年开展活动{n}次：{}", list.join("；"))
            };
            p.findings
                .push(finding("ideas.few_activities", 20, 1, &evidence));
            if n == 0 {
                p.conditions.push(Holding {
                    code: "no_activity_last_year".to_owned(),
                    evidence: Some(evidence),
                });
            }
        }
    }
    if !f.late_replies.is_empty() {
        let n = u32::try_from(f.late_replies.len()).unwrap_or(u32::MAX);
        let list: Vec<String> = f
            .late_replies
            .iter()
            .take(20)
            .map(|(r, d)| format!("{r}受理、{d}到期"))
            .collect();
        let more = if f.late_replies.len() > 20 { "等" } else { "" };
        p.findings.push(finding(
            "performance.late_reply",
            5,
            n,
            &format!("{n}件诉求未按时答复：{}{more}", list.join("；")),
        ));
    }
    let registered = f.handbooks_complete + f.registrations_entered;
    if f.handbooks_issued == 0 && f.registrations_entered == 0 {
        p.findings.push(finding(
            "performance.no_registration",
            20,
            1,
            &format!("{year}年未发放报到手册，服务中心窗口无登记报到"),
        ));
    } else if f.handbooks_issued > 0 && f.handbooks_complete * 2 < f.handbooks_issued {
        p.findings.push(finding(
            "performance.no_registration",
            10,
            1,
            &format!(
                "{year}年发放报到手册{}本，完成双向报到{}本（登记报到合计{registered}人）",
                f.handbooks_issued, f.handbooks_complete
            ),
        ));
    }
    p
}

fn finding(rule: &str, tenths: i32, count: u32, evidence: &str) -> Finding {
    Finding {
        rule: rule.to_owned(),
        points: Points(tenths),
        count,
        evidence: Some(evidence.to_owned()),
    }
}

/// The county ranking of assessed subjects: those graded outright come after every other, then
/// by total, highest first; equal places share a rank (1, 2, 2, 4).
pub fn rank(subjects: &[(Points, bool)]) -> Vec<u32> {
    let key = |i: usize| (subjects[i].1, std::cmp::Reverse(subjects[i].0));
    subjects
        .iter()
        .enumerate()
        .map(|(i, _)| {
            let ahead = (0..subjects.len()).filter(|&j| key(j) < key(i)).count();
            u32::try_from(ahead + 1).unwrap_or(u32::MAX)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enums::StrEnum;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn enum_names_round_trip() {
        shuanglian_testkit::assert_str_enum::<EvaluationState>();
        assert_eq!(EvaluationState::SelfAssessed.as_str(), "self_assessed");
    }

    #[test]
    fn the_committee_assesses_from_december() {
        assert_eq!(may_assess(2026, d(2026, 11, 30)), Err(NOT_YET_DECEMBER));
        assert_eq!(may_assess(2026, d(2026, 12, 1)), Ok(()));
        assert_eq!(may_assess(2025, d(2026, 3, 1)), Ok(()));
        assert_eq!(may_assess(2027, d(2026, 12, 31)), Err(FUTURE_YEAR));
        assert_eq!(may_self_assess(2026, d(2026, 6, 1), false), Ok(()));
        assert_eq!(
            may_self_assess(2026, d(2026, 12, 5), true),
            Err(ALREADY_ASSESSED)
        );
        assert_eq!(
            may_self_assess(2027, d(2026, 12, 5), false),
            Err(FUTURE_YEAR)
        );
    }

    fn codes(p: &Proposal) -> Vec<(&str, i32, u32)> {
        p.findings
            .iter()
            .map(|f| (f.rule.as_str(), f.points.0, f.count))
            .collect()
    }

    #[test]
    fn activities_propose_at_their_boundaries() {
        let reg = Facts {
            registrations_entered: 1,
            ..Facts::default()
        };
        let two = Facts {
            activities: Some(vec![
                (d(2025, 3, 1), "a".into()),
                (d(2025, 9, 1), "b".into()),
            ]),
            ..reg.clone()
        };
        assert!(propose(2025, &two).findings.is_empty());
        let one = Facts {
            activities: Some(vec![(d(2025, 3, 1), "a".into())]),
            ..reg.clone()
        };
        let p = propose(2025, &one);
        assert_eq!(codes(&p), [("ideas.few_activities", 20, 1)]);
        assert!(p.conditions.is_empty());
        let none = Facts {
            activities: Some(vec![]),
            ..reg.clone()
        };
        let p = propose(2025, &none);
        assert_eq!(codes(&p), [("ideas.few_activities", 20, 1)]);
        assert_eq!(p.conditions[0].code, "no_activity_last_year");
        // A party branch: no activities are kept for it, nothing is proposed.
        assert!(propose(2025, &reg).findings.is_empty());
    }

    #[test]
    fn late_replies_and_registration_propose_their_points() {
        let f = Facts {
            late_replies: vec![(d(2025, 1, 2), d(2025, 1, 13)); 3],
            handbooks_issued: 4,
            handbooks_complete: 1,
            ..Facts::default()
        };
        assert_eq!(
            codes(&propose(2025, &f)),
            [
                ("performance.late_reply", 5, 3),
                ("performance.no_registration", 10, 1)
            ]
        );
        // Half complete is enough; nothing registered at all takes 2.
        let half = Facts {
            handbooks_issued: 4,
            handbooks_complete: 2,
            ..Facts::default()
        };
        assert!(propose(2025, &half).findings.is_empty());
        assert_eq!(
            codes(&propose(2025, &Facts::default())),
            [("performance.no_registration", 20, 1)]
        );
        // Every proposal fits the seeded rubric's bounds.
        let r = crate::seeded::branch_standardisation();
        let all = propose(
            2025,
            &Facts {
                activities: Some(vec![]),
                ..f
            },
        );
        assert!(r.score(&all.findings, &[]).is_ok());
    }

    #[test]
    fn outright_grades_rank_last_and_ties_share() {
        let p = Points::whole;
        assert_eq!(
            rank(&[
                (p(80), false),
                (p(95), true),
                (p(90), false),
                (p(80), false)
            ]),
            [2, 4, 1, 2]
        );
        assert!(rank(&[]).is_empty());
    }
}
