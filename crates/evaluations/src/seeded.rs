//! The rubrics the seeds give, as each county's first version.

use crate::rubric::{Band, Category, Condition, Direction, Points, Rubric, Rule};

fn rule(code: &str, text: &str, min: i32, max: i32, per_occurrence: bool) -> Rule {
    Rule {
        code: code.to_owned(),
        text: text.to_owned(),
        direction: Direction::Deduct,
        min: Points(min),
        max: Points(max),
        per_occurrence,
    }
}

fn category(code: &str, name: &str, max: i32, rules: Vec<Rule>) -> Category {
    Category {
        code: code.to_owned(),
        name: name.to_owned(),
        max: Points::whole(max),
        rules,
    }
}

/// 支部（党员服务中心）规范化建设考评定级标准 (seed 003, 安个民协党委〔2012〕6号 附件): 100
/// points over seven categories, deducted item by item, each category at most to zero; three
/// conditions grade a branch 较差 outright; 好 ≥ 90, 较好 80–89, 一般 60–79, 较差 < 60. Points
/// are in tenths (`rule(.., 10, 30, ..)` is "扣1-3分").
pub fn branch_standardisation() -> Rubric {
    Rubric {
        code: "branch_standardisation".to_owned(),
        version: 1,
        name: "支部（党员服务中心）规范化建设考评定级".to_owned(),
        categories: vec![
            category(
                "leader",
                "党组织(服务中心)带头人",
                15,
                vec![
                    rule(
                        "leader.none",
                        "没有配备党组织书记（中心主任）或党组织书记（中心主任）有违法违纪行为",
                        150,
                        150,
                        false,
                    ),
                    rule("leader.recruitment", "发展党员工作不规范", 10, 30, false),
                    rule(
                        "leader.activities",
                        "党组织（服务中心）不能正常开展活动",
                        10,
                        20,
                        false,
                    ),
                    rule(
                        "leader.directives",
                        "落实上级党组织工作部署不到位",
                        10,
                        30,
                        false,
                    ),
                ],
            ),
            category(
                "ideas",
                "工作思路",
                10,
                vec![
                    rule("ideas.no_plan", "党建和服务工作无计划", 30, 30, false),
                    rule("ideas.role", "职能发挥不紧", 20, 20, false),
                    rule("ideas.few_activities", "一年组织活动少于2次", 20, 20, false),
                ],
            ),
            category(
                "system",
                "工作制度",
                10,
                vec![
                    rule("system.election", "没有按期换届", 30, 30, false),
                    rule(
                        "system.meetings",
                        "“三会一课”、民主评议等制度落实不好",
                        20,
                        20,
                        false,
                    ),
                    rule("system.pledges", "承诺未兑现", 20, 20, false),
                    rule("system.centre_duties", "不履行中心工作内容", 10, 10, false),
                ],
            ),
            category(
                "venue",
                "活动阵地",
                10,
                vec![
                    rule("venue.none", "没有活动场所", 100, 100, false),
                    rule("venue.facilities", "活动场所设施不全", 10, 30, false),
                ],
            ),
            category(
                "guarantees",
                "保障机制",
                10,
                vec![
                    rule("guarantees.no_funds", "无党建活动经费", 40, 40, false),
                    rule("guarantees.low_funds", "党建经费不足", 20, 20, false),
                    rule("guarantees.staffing", "党务工作力量配备不齐", 20, 20, false),
                ],
            ),
            category(
                "performance",
                "工作业绩",
                20,
                vec![
                    rule(
                        "performance.role",
                        "党组织和党员发挥作用不明显",
                        10,
                        30,
                        false,
                    ),
                    rule(
                        "performance.labour_dispute",
                        "党员经营户出现严重劳资纠纷",
                        50,
                        50,
                        false,
                    ),
                    rule(
                        "performance.no_registration",
                        "未实行党员报到制",
                        10,
                        20,
                        false,
                    ),
                    rule(
                        "performance.late_reply",
                        "未按时回复诉求（每件）",
                        5,
                        10,
                        true,
                    ),
                ],
            ),
            category(
                "mass",
                "群众反映",
                25,
                vec![rule(
                    "mass.survey",
                    "根据群众测评结果酌情扣分",
                    5,
                    250,
                    false,
                )],
            ),
        ],
        conditions: vec![
            Condition {
                code: "no_activity_last_year".to_owned(),
                text: "近一年来没有开展党组织活动".to_owned(),
                grade: "较差".to_owned(),
            },
            Condition {
                code: "secretary_violation".to_owned(),
                text: "近两年来党组织书记（中心主任）有重大违法违纪行为".to_owned(),
                grade: "较差".to_owned(),
            },
            Condition {
                code: "mass_incident".to_owned(),
                text: "近一年来所在支部（服务中心）发生重大群体性事件".to_owned(),
                grade: "较差".to_owned(),
            },
        ],
        bands: [("好", 90), ("较好", 80), ("一般", 60), ("较差", 0)]
            .map(|(g, m)| Band {
                grade: g.to_owned(),
                min: Points::whole(m),
            })
            .to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rubric::Finding;

    fn f(rule: &str, tenths: i32, count: u32) -> Finding {
        Finding {
            rule: rule.to_owned(),
            points: Points(tenths),
            count,
            evidence: None,
        }
    }

    #[test]
    fn the_seeds_rubric_is_sound_and_totals_100() {
        let r = branch_standardisation();
        r.check().unwrap();
        assert_eq!(r.max(), Points::whole(100));
        let maxima: Vec<(&str, Points)> = r
            .categories
            .iter()
            .map(|c| (c.code.as_str(), c.max))
            .collect();
        assert_eq!(
            maxima,
            [15, 10, 10, 10, 10, 20, 25]
                .iter()
                .zip([
                    "leader",
                    "ideas",
                    "system",
                    "venue",
                    "guarantees",
                    "performance",
                    "mass"
                ])
                .map(|(m, c)| (c, Points::whole(*m)))
                .collect::<Vec<_>>()
        );
        assert_eq!(r.score(&[], &[]).unwrap().grade, "好");
    }

    #[test]
    fn the_seeds_deductions_grade_a_branch() {
        let r = branch_standardisation();
        // Fewer than 2 activities (−2), three late replies at 0.5 (−1.5), no registration
        // system (−1), a survey deduction of 6: 89.5, 较好.
        let s = r
            .score(
                &[
                    f("ideas.few_activities", 20, 1),
                    f("performance.late_reply", 5, 3),
                    f("performance.no_registration", 10, 1),
                    f("mass.survey", 60, 1),
                ],
                &[],
            )
            .unwrap();
        assert_eq!((s.total, s.grade.as_str()), (Points(895), "较好"));
        // No venue takes the whole category and no more; the secretary's violation grades
        // 较差 at any total.
        let s = r
            .score(
                &[f("venue.none", 100, 1), f("venue.facilities", 30, 1)],
                &[],
            )
            .unwrap();
        assert_eq!((s.total, s.grade.as_str()), (Points::whole(90), "好"));
        let s = r.score(&[], &["secretary_violation".to_owned()]).unwrap();
        assert_eq!((s.total, s.grade.as_str()), (Points::whole(100), "较差"));
    }
}
