//! What the deadline engine knows: the kinds of dated obligation in the seeds, the periods they
//! recur in, and how each kind's due date is set.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Every dated obligation of the seeds (000, 001, 002).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum ObligationKind {
    /// 双向报到: the member reports to the village, then the branch, within 15 days of issue.
    TwoWayReporting,
    /// 季度报送: each recording unit files last quarter's records by the 10th of the quarter's
    /// first month.
    QuarterlyFiling,
    /// 定期双向反馈: by 15 July (first half) and 15 January of the next year (second half).
    SemiannualFeedback,
    /// 实名制党建QQ群: township and village organisers join by early May (default 10 May).
    QqJoin,
    /// 党建数据核对补录: by the end of September (seed 001).
    DataVerification,
    /// 党员先锋指数考评: finished by the end of November (seed 001).
    VanguardEvaluation,
    /// 考评情况上报: the county reports by 10 December (seed 001).
    VanguardCountyReport,
    /// 流动党员双重管理反馈: feedback form and letter sent, receipt back; by the end of
    /// November (seed 001).
    FloatingFeedback,
    /// 参与情况函: the service centre's letter to every member's home organisation by 30 December
    /// (seed 002).
    ParticipationLetters,
    /// 统计截止: semi-annual statistics cut-offs on 30 June and 31 December (seed 001).
    StatisticsCutoff,
    /// 诉求办理: answered within 7 working days (seed 002).
    ServiceRequest,
    /// 百日攻坚进展通报: a coverage campaign's report every 15 days from its start (seed 004).
    CoverageReport,
}

/// How a kind's due date is fixed; the seeds give the defaults, a county may override them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rule {
    /// Calendar days after the subject's own date (the day itself is day 0).
    DaysAfter(u32),
    /// Working days after the subject's own date, by the county's calendar.
    WorkingDaysAfter(u32),
    /// The given day of the first month of the quarter after the period.
    QuarterFirstMonthDay(u32),
    /// First half due (month, day) of the same year; second half (month2, day2) of the next.
    HalfYearly { h1: (u32, u32), h2: (u32, u32) },
    /// A fixed day of the year.
    Annual(u32, u32),
}

impl ObligationKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            ObligationKind::TwoWayReporting => "双向报到",
            ObligationKind::QuarterlyFiling => "季度记实报送备案",
            ObligationKind::SemiannualFeedback => "定期双向反馈",
            ObligationKind::QqJoin => "组织工作人员加入实名制党建QQ群",
            ObligationKind::DataVerification => "党建信息核对补录",
            ObligationKind::VanguardEvaluation => "党员先锋指数考评",
            ObligationKind::VanguardCountyReport => "先锋指数考评情况上报",
            ObligationKind::FloatingFeedback => "流动党员双重管理反馈",
            ObligationKind::ParticipationLetters => "党员参与活动情况函告",
            ObligationKind::StatisticsCutoff => "半年统计报送",
            ObligationKind::ServiceRequest => "党员诉求办理",
            ObligationKind::CoverageReport => "百日攻坚进展通报",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            ObligationKind::TwoWayReporting => "Two-way reporting",
            ObligationKind::QuarterlyFiling => "Quarterly filing of records",
            ObligationKind::SemiannualFeedback => "Semi-annual two-way feedback",
            ObligationKind::QqJoin => "Organisers join the real-name QQ group",
            ObligationKind::DataVerification => "Data verification and completion",
            ObligationKind::VanguardEvaluation => "Vanguard index evaluation",
            ObligationKind::VanguardCountyReport => "Vanguard evaluation report to the city",
            ObligationKind::FloatingFeedback => "Floating member dual-management feedback",
            ObligationKind::ParticipationLetters => "Participation letters to home organisations",
            ObligationKind::StatisticsCutoff => "Semi-annual statistics report",
            ObligationKind::ServiceRequest => "Service request answered",
            ObligationKind::CoverageReport => "Coverage campaign progress report",
        }
    }

    /// The seeds' rule for this kind.
    pub fn default_rule(self) -> Rule {
        match self {
            ObligationKind::TwoWayReporting => Rule::DaysAfter(15),
            ObligationKind::QuarterlyFiling => Rule::QuarterFirstMonthDay(10),
            ObligationKind::SemiannualFeedback => Rule::HalfYearly {
                h1: (7, 15),
                h2: (1, 15),
            },
            ObligationKind::QqJoin => Rule::Annual(5, 10),
            ObligationKind::DataVerification => Rule::Annual(9, 30),
            ObligationKind::VanguardEvaluation => Rule::Annual(11, 30),
            ObligationKind::VanguardCountyReport => Rule::Annual(12, 10),
            ObligationKind::FloatingFeedback => Rule::Annual(11, 30),
            ObligationKind::ParticipationLetters => Rule::Annual(12, 30),
            // Figures as of 30 June / 31 December (seed 001) can only be computed after that
            // day: the report is due 15 days later, as the half-year feedback is (a county may
            // set its own window).
            ObligationKind::StatisticsCutoff => Rule::HalfYearly {
                h1: (7, 15),
                h2: (1, 15),
            },
            ObligationKind::ServiceRequest => Rule::WorkingDaysAfter(7),
            ObligationKind::CoverageReport => Rule::DaysAfter(15),
        }
    }

    /// The period an obligation of this kind recurs in, for obligations that are not anchored
    /// on a subject's own date.
    pub fn cadence(self) -> Cadence {
        match self.default_rule() {
            Rule::DaysAfter(_) | Rule::WorkingDaysAfter(_) => Cadence::Anchored,
            Rule::QuarterFirstMonthDay(_) => Cadence::Quarterly,
            Rule::HalfYearly { .. } => Cadence::HalfYearly,
            Rule::Annual(..) => Cadence::Yearly,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cadence {
    Anchored,
    Quarterly,
    HalfYearly,
    Yearly,
}

/// The period an obligation covers: `2026Q3`, `2026H1`, `2026`; `Anchored` for obligations
/// that follow their subject's own date (stored as '').
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    Quarter(i32, u32),
    Half(i32, u32),
    Year(i32),
    Anchored,
}

impl Period {
    pub fn quarter_of(d: NaiveDate) -> Period {
        Period::Quarter(d.year(), (d.month() - 1) / 3 + 1)
    }

    pub fn half_of(d: NaiveDate) -> Period {
        Period::Half(d.year(), if d.month() <= 6 { 1 } else { 2 })
    }

    /// The period before this one (same cadence).
    pub fn previous(self) -> Period {
        match self {
            Period::Quarter(y, 1) => Period::Quarter(y - 1, 4),
            Period::Quarter(y, q) => Period::Quarter(y, q - 1),
            Period::Half(y, 1) => Period::Half(y - 1, 2),
            Period::Half(y, _) => Period::Half(y, 1),
            Period::Year(y) => Period::Year(y - 1),
            Period::Anchored => Period::Anchored,
        }
    }

    /// First and last day of the period (`None` for anchored).
    pub fn bounds(self) -> Option<(NaiveDate, NaiveDate)> {
        let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        let (a, b) = match self {
            Period::Quarter(y, q) => {
                let first = ymd(y, (q - 1) * 3 + 1, 1)?;
                let next = if q == 4 {
                    ymd(y + 1, 1, 1)?
                } else {
                    ymd(y, q * 3 + 1, 1)?
                };
                (first, next.pred_opt()?)
            }
            Period::Half(y, 1) => (ymd(y, 1, 1)?, ymd(y, 6, 30)?),
            Period::Half(y, _) => (ymd(y, 7, 1)?, ymd(y, 12, 31)?),
            Period::Year(y) => (ymd(y, 1, 1)?, ymd(y, 12, 31)?),
            Period::Anchored => return None,
        };
        Some((a, b))
    }

    pub fn parse(s: &str) -> Option<Period> {
        if s.is_empty() {
            return Some(Period::Anchored);
        }
        let year: i32 = s.get(..4)?.parse().ok()?;
        if !(2000..=2200).contains(&year) {
            return None;
        }
        match (s.len(), s.as_bytes().get(4)) {
            (4, None) => Some(Period::Year(year)),
            (6, Some(b'Q')) => match s.as_bytes()[5] {
                c @ b'1'..=b'4' => Some(Period::Quarter(year, u32::from(c - b'0'))),
                _ => None,
            },
            (6, Some(b'H')) => match s.as_bytes()[5] {
                c @ b'1'..=b'2' => Some(Period::Half(year, u32::from(c - b'0'))),
                _ => None,
            },
            _ => None,
        }
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Period::Quarter(y, q) => write!(f, "{y}Q{q}"),
            Period::Half(y, h) => write!(f, "{y}H{h}"),
            Period::Year(y) => write!(f, "{y}"),
            Period::Anchored => Ok(()),
        }
    }
}

/// Where an obligation stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum State {
    /// Open and not yet past its due date.
    Due,
    /// Open and past its due date (the due date itself still counts as on time).
    Overdue,
    /// Met.
    Done,
}

/// The state of an obligation due on `due_on`, met (or not) on `done_on`, seen on `today`.
/// Met late is still `Done`; lateness is kept separately.
pub fn state(due_on: NaiveDate, done_on: Option<NaiveDate>, today: NaiveDate) -> State {
    match done_on {
        Some(_) => State::Done,
        None if today > due_on => State::Overdue,
        None => State::Due,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enums::StrEnum;
    use shuanglian_testkit::assert_str_enum;

    #[test]
    fn enum_names_round_trip() {
        assert_str_enum::<ObligationKind>();
        assert_eq!(ObligationKind::parse("nope"), None);
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn periods_parse_print_and_step_back_across_years() {
        for s in ["2026Q1", "2026Q4", "2025H2", "2026", ""] {
            assert_eq!(Period::parse(s).unwrap().to_string(), s);
        }
        for bad in ["2026Q5", "2026H3", "26Q1", "2026q1", "20261", "1999"] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
        assert_eq!(
            Period::Quarter(2026, 1).previous(),
            Period::Quarter(2025, 4)
        );
        assert_eq!(Period::Half(2026, 1).previous(), Period::Half(2025, 2));
        assert_eq!(
            Period::quarter_of(d(2026, 11, 26)),
            Period::Quarter(2026, 4)
        );
        assert_eq!(Period::half_of(d(2026, 7, 1)), Period::Half(2026, 2));
        assert_eq!(
            Period::Quarter(2026, 4).bounds(),
            Some((d(2026, 10, 1), d(2026, 12, 31)))
        );
        assert_eq!(
            Period::Quarter(2024, 1).bounds(),
            Some((d(2024, 1, 1), d(2024, 3, 31)))
        );
    }

    #[test]
    fn the_due_day_itself_is_on_time() {
        let due = d(2026, 11, 16);
        assert_eq!(state(due, None, d(2026, 11, 16)), State::Due);
        assert_eq!(state(due, None, d(2026, 11, 17)), State::Overdue);
        assert_eq!(
            state(due, Some(d(2026, 11, 20)), d(2026, 11, 30)),
            State::Done
        );
    }
}
