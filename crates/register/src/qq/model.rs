//! Roster roles, import sources and the join deadline.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::FieldError;

/// A roster entry's role in the group (SPEC §2; seed 000: townships and villages name the people
/// doing organising work, the branch names who keeps the group).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum RosterRole {
    /// 群管理员: the branch staff member who keeps the group.
    Administrator,
    /// 分会支部工作人员
    BranchStaff,
    /// 乡镇（街道）党委组织员
    TownshipOrganiser,
    /// 村（社区）党组织组织员
    VillageOrganiser,
    /// 党员
    Member,
}

impl RosterRole {
    pub fn label_zh(self) -> &'static str {
        match self {
            RosterRole::Administrator => "群管理员",
            RosterRole::BranchStaff => "分会支部工作人员",
            RosterRole::TownshipOrganiser => "乡镇（街道）组织员",
            RosterRole::VillageOrganiser => "村（社区）组织员",
            RosterRole::Member => "党员",
        }
    }

    /// Township and village organisers: seed 000 has them join by early May; their absence
    /// from the group is what the operators chase first.
    pub fn is_organiser(self) -> bool {
        matches!(
            self,
            RosterRole::TownshipOrganiser | RosterRole::VillageOrganiser
        )
    }
}

/// Where an imported member list came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum SnapshotSource {
    /// Text pasted from QQ's group member list.
    Paste,
    Xlsx,
    Csv,
}

/// The yearly date by which organisers must have joined (seed 000: "5月上旬前"; default 10 May).
/// A month and a day that exist in every year, so 29 February is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JoinDeadline {
    month: u32,
    day: u32,
}

impl Default for JoinDeadline {
    fn default() -> Self {
        Self { month: 5, day: 10 }
    }
}

impl JoinDeadline {
    pub fn new(month: u32, day: u32) -> Option<Self> {
        // 2025 is not a leap year: a date valid there is valid every year.
        NaiveDate::from_ymd_opt(2025, month, day).map(|_| Self { month, day })
    }

    /// `MM-DD`, e.g. `05-10` (also `5-10`).
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        let bad = || {
            FieldError::new(
                field,
                "invalid_deadline",
                format!("{field}：截止日期应为“月-日”格式的有效日期，如 05-10（不可为2月29日）"),
                format!("{field}: a month-day such as 05-10 that exists every year"),
            )
        };
        let (m, d) = s.trim().split_once('-').ok_or_else(bad)?;
        let m: u32 = m.parse().map_err(|_| bad())?;
        let d: u32 = d.parse().map_err(|_| bad())?;
        Self::new(m, d).ok_or_else(bad)
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn day(self) -> u32 {
        self.day
    }

    /// This year's deadline.
    pub fn in_year(self, year: i32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, self.month, self.day).unwrap_or_default()
    }
}

impl std::fmt::Display for JoinDeadline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}-{:02}", self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enums::StrEnum;
    use shuanglian_testkit::assert_str_enum;

    #[test]
    fn enum_names_round_trip() {
        assert_str_enum::<RosterRole>();
        assert_str_enum::<SnapshotSource>();
    }

    #[test]
    fn roles_round_trip() {
        assert!(RosterRole::VillageOrganiser.is_organiser());
        assert!(!RosterRole::Member.is_organiser());
        assert_eq!(SnapshotSource::parse("csv"), Some(SnapshotSource::Csv));
    }

    #[test]
    fn deadlines_parse_and_exist_every_year() {
        assert_eq!(JoinDeadline::default().to_string(), "05-10");
        let d = JoinDeadline::parse("join_deadline", "5-20").expect("ok");
        assert_eq!((d.month(), d.day()), (5, 20));
        assert_eq!(
            d.in_year(2026),
            NaiveDate::from_ymd_opt(2026, 5, 20).expect("date")
        );
        for bad in ["02-29", "13-01", "04-31", "0510", "05-", "x-y", ""] {
            let e = JoinDeadline::parse("join_deadline", bad).unwrap_err();
            assert_eq!(
                (e.field.as_str(), e.code.as_str()),
                ("join_deadline", "invalid_deadline"),
                "{bad}"
            );
        }
    }
}
