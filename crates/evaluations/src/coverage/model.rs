//! The coverage campaign's names (bodies, organisation forms, plan states, owner identities) and
//! its calendar: day numbers and the 15-day reporting cycles, as plain functions.

use chrono::{Days, NaiveDate};

str_enum! {
    /// 党组织 or 团组织: the seed organises both ("两个覆盖").
    #[oai(rename = "CoverageBody")]
    pub enum Body {
        Party => "党组织",
        League => "团组织",
    }
}

str_enum! {
    /// 组织设置: how an organisation's members are organised now (the survey's column).
    #[oai(rename = "OrgSetup")]
    pub enum OrgSetup {
        /// 未建立
        None => "未建立",
        Standalone => "单独组建",
        Joint => "联合组建",
        Affiliated => "挂靠组建",
        Industry => "行业组建",
    }
}

str_enum! {
    /// The form a plan (组建计划) takes: one of the four ways to organise, or an instructor.
    #[oai(rename = "CoverageForm")]
    pub enum Form {
        Standalone => "单独组建",
        Joint => "联合组建",
        Affiliated => "挂靠组建",
        Industry => "行业组建",
        /// 选派党（团）建指导员: work coverage without an organisation yet.
        Instructor => "选派指导员",
    }
}

str_enum! {
    /// Where a plan stands.
    #[oai(rename = "CoveragePlanStatus")]
    pub enum PlanStatus {
        Planned => "计划中",
        InProgress => "推进中",
        Established => "已组建",
        /// 暂缓: the organisation closed, moved, or cannot be organised this campaign.
        Deferred => "暂缓",
    }
}

str_enum! {
    /// 业主身份.
    #[oai(rename = "OwnerIdentity")]
    pub enum OwnerIdentity {
        PartyMember => "党员",
        LeagueMember => "团员",
        Masses => "群众",
    }
}

impl Form {
    /// The organisation set-up a plan brings about once established (an instructor organises
    /// nobody).
    pub fn setup(self) -> Option<OrgSetup> {
        match self {
            Form::Standalone => Some(OrgSetup::Standalone),
            Form::Joint => Some(OrgSetup::Joint),
            Form::Affiliated => Some(OrgSetup::Affiliated),
            Form::Industry => Some(OrgSetup::Industry),
            Form::Instructor => None,
        }
    }
}

/// Longest campaign and cycle a county may set (the seed's are 100 and 15 days).
pub const DAYS_MAX: u32 = 366;
pub const DEFAULT_DAYS: u32 = 100;

/// The campaign's day number on `today`: day 1 is its start; 0 before it.
pub fn day_of(starts_on: NaiveDate, today: NaiveDate) -> i64 {
    (today - starts_on).num_days().max(-1) + 1
}

/// The reporting cycles: cycle n ends on day n × `cycle` (its report is due that day), the last
/// one on the campaign's last day. 100 days in 15-day cycles: days 15, 30, …, 90 and 100.
pub fn cycles(starts_on: NaiveDate, days: u32, cycle: u32) -> Vec<(u32, NaiveDate)> {
    let cycle = cycle.max(1);
    let days = days.max(1);
    let mut out = Vec::new();
    let mut n = 1;
    loop {
        let end_day = (n * cycle).min(days);
        let Some(end) = starts_on.checked_add_days(Days::new(u64::from(end_day - 1))) else {
            break;
        };
        out.push((n, end));
        if end_day >= days {
            break;
        }
        n += 1;
    }
    out
}

/// The cycle `today` falls in (the last one once the campaign is over); `None` before the start.
pub fn current_cycle(starts_on: NaiveDate, days: u32, cycle: u32, today: NaiveDate) -> Option<u32> {
    if today < starts_on {
        return None;
    }
    let all = cycles(starts_on, days, cycle);
    all.iter()
        .find(|(_, end)| today <= *end)
        .or(all.last())
        .map(|(n, _)| *n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn names_round_trip() {
        shuanglian_testkit::assert_str_enum::<Body>();
        shuanglian_testkit::assert_str_enum::<OrgSetup>();
        shuanglian_testkit::assert_str_enum::<Form>();
        shuanglian_testkit::assert_str_enum::<PlanStatus>();
        shuanglian_testkit::assert_str_enum::<OwnerIdentity>();
        assert_eq!(Form::Instructor.setup(), None);
        assert_eq!(Form::Joint.setup(), Some(OrgSetup::Joint));
    }

    #[test]
    fn a_hundred_days_report_on_days_15_to_90_and_100() {
        let start = d(2016, 7, 1);
        let c = cycles(start, 100, 15);
        assert_eq!(c.len(), 7);
        assert_eq!(c[0], (1, d(2016, 7, 15)));
        assert_eq!(c[5], (6, d(2016, 9, 28)));
        // Day 100 is 8 October.
        assert_eq!(c[6], (7, d(2016, 10, 8)));
        assert_eq!(day_of(start, d(2016, 10, 8)), 100);
        // A length the cycle divides ends with a full cycle, not an empty one.
        assert_eq!(cycles(start, 30, 15).len(), 2);
        assert_eq!(cycles(start, 31, 15).len(), 3);
    }

    #[test]
    fn day_45_is_the_last_day_of_the_third_cycle() {
        let start = d(2026, 10, 24);
        let day45 = start + chrono::Duration::days(44);
        assert_eq!(day_of(start, day45), 45);
        assert_eq!(current_cycle(start, 100, 15, day45), Some(3));
        assert_eq!(
            current_cycle(start, 100, 15, day45 + chrono::Duration::days(1)),
            Some(4)
        );
        assert_eq!(
            current_cycle(start, 100, 15, start.pred_opt().unwrap()),
            None
        );
        assert_eq!(day_of(start, start.pred_opt().unwrap()), 0);
        // After the end the last cycle stays current (its report may still be late).
        assert_eq!(current_cycle(start, 100, 15, d(2027, 6, 1)), Some(7));
    }
}
