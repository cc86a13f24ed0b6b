//! The six standards (六化, seed 001) and the rules of a market's checklist, as plain functions.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A standard: its code, name and what the seed asks.
pub struct Standard {
    pub code: &'static str,
    pub name: &'static str,
    pub asks: &'static str,
}

/// 六化标准, in the seed's order.
pub const STANDARDS: [Standard; 6] = [
    Standard {
        code: "member_info",
        name: "党员信息动态化",
        asks: "党员信息采集、党员信息卡、实行党员报到、流动党员管理档案",
    },
    Standard {
        code: "coverage",
        name: "组织覆盖有效化",
        asks: "有一定数量正式党员的以市场为单位单独组建党组织，其他联合建或建区域性党组织",
    },
    Standard {
        code: "systems",
        name: "制度建设规范化",
        asks: "严格党的组织生活、丰富“三会一课”，党员民主议事制度",
    },
    Standard {
        code: "role",
        name: "作用发挥实质化",
        asks: "亮身份、亮承诺、亮形象，“三亮”三合一牌子悬挂在商位显著位置",
    },
    Standard {
        code: "education",
        name: "教育管理制度化",
        asks: "理想信念教育及经营管理、法律知识等培训，每年不少于2次；培养、发展党员",
    },
    Standard {
        code: "guarantees",
        name: "党建保障常态化",
        asks: "配备1-2名专（兼）职党务工作者，开设党务公开栏，有党员活动室，有经费保障",
    },
];

pub fn standard(code: &str) -> Option<&'static Standard> {
    STANDARDS.iter().find(|s| s.code == code)
}

/// One item of a checklist as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub code: String,
    pub met: bool,
    pub evidence: Option<String>,
    pub by: String,
    pub on: NaiveDate,
}

/// A checklist's items after a change: each named item replaced, the others kept, in the
/// seed's order.
pub fn merge(current: &[Item], changed: Vec<Item>) -> Vec<Item> {
    STANDARDS
        .iter()
        .filter_map(|s| {
            changed
                .iter()
                .find(|i| i.code == s.code)
                .or_else(|| current.iter().find(|i| i.code == s.code))
                .cloned()
        })
        .collect()
}

pub fn met_count(items: &[Item]) -> i32 {
    i32::try_from(items.iter().filter(|i| i.met).count()).unwrap_or(0)
}

/// The seed's default coverage targets: 两个50% in 2013, every listed market by the end of 2014
/// (per mille of the listed markets meeting all six standards). A county may set its own.
pub fn default_target(year: i32) -> u32 {
    if year <= 2013 { 500 } else { 1000 }
}

/// Whether the year's progress meets its target (no listed market: nothing to miss).
pub fn target_met(fully_met: u32, listed: u32, permille: u32) -> bool {
    u64::from(fully_met) * 1000 >= u64::from(permille) * u64::from(listed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(code: &str, met: bool) -> Item {
        Item {
            code: code.into(),
            met,
            evidence: None,
            by: "u".into(),
            on: NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
        }
    }

    #[test]
    fn six_standards_in_the_seeds_order() {
        let codes: Vec<&str> = STANDARDS.iter().map(|s| s.code).collect();
        assert_eq!(
            codes,
            [
                "member_info",
                "coverage",
                "systems",
                "role",
                "education",
                "guarantees"
            ]
        );
        assert!(standard("education").is_some_and(|s| s.asks.contains("不少于2次")));
        assert!(standard("x").is_none());
    }

    #[test]
    fn a_change_replaces_its_items_and_keeps_the_rest() {
        let cur = vec![item("coverage", true), item("member_info", false)];
        let out = merge(&cur, vec![item("member_info", true), item("role", false)]);
        let got: Vec<(&str, bool)> = out.iter().map(|i| (i.code.as_str(), i.met)).collect();
        assert_eq!(
            got,
            [("member_info", true), ("coverage", true), ("role", false)]
        );
        assert_eq!(met_count(&out), 2);
    }

    #[test]
    fn targets_are_half_in_2013_and_all_from_2014() {
        assert_eq!(
            (
                default_target(2013),
                default_target(2014),
                default_target(2026)
            ),
            (500, 1000, 1000)
        );
        assert!(target_met(1, 2, 500) && !target_met(1, 3, 500));
        assert!(target_met(0, 0, 1000));
        assert!(!target_met(9, 10, 1000) && target_met(10, 10, 1000));
    }
}
