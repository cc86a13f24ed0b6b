//! Due dates: each kind's rule (the seeds' default or the county's override) applied to a
//! period or to the subject's own date.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};

use super::calendar::Calendar;
use super::model::{ObligationKind, Period, Rule};
use crate::error::FieldError;

/// The rules in force in one county.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    overrides: HashMap<ObligationKind, Rule>,
}

impl Rules {
    pub fn new(overrides: impl IntoIterator<Item = (ObligationKind, Rule)>) -> Rules {
        Rules {
            overrides: overrides.into_iter().collect(),
        }
    }

    pub fn rule(&self, kind: ObligationKind) -> Rule {
        self.overrides
            .get(&kind)
            .copied()
            .unwrap_or_else(|| kind.default_rule())
    }

    pub fn is_default(&self, kind: ObligationKind) -> bool {
        !self.overrides.contains_key(&kind)
    }

    /// The due date of a periodic obligation of `kind` for `period`; `None` if the kind is
    /// anchored on its subject's date or the period does not fit its cadence.
    pub fn due_for_period(&self, kind: ObligationKind, period: Period) -> Option<NaiveDate> {
        let ymd = NaiveDate::from_ymd_opt;
        match (self.rule(kind), period) {
            // Filing for quarter q is due in the first month of quarter q + 1.
            (Rule::QuarterFirstMonthDay(day), Period::Quarter(y, q)) => {
                let (y, m) = if q == 4 { (y + 1, 1) } else { (y, q * 3 + 1) };
                ymd(y, m, day)
            }
            (Rule::HalfYearly { h1, .. }, Period::Half(y, 1)) => ymd(y, h1.0, h1.1),
            (Rule::HalfYearly { h2, .. }, Period::Half(y, 2)) => ymd(y + 1, h2.0, h2.1),
            (Rule::Annual(m, d), Period::Year(y)) => ymd(y, m, d),
            _ => None,
        }
    }

    /// The due date of an obligation of `kind` arising on `anchor` (a handbook's issue date, a
    /// request's receipt); `None` for periodic kinds.
    pub fn due_after(
        &self,
        kind: ObligationKind,
        anchor: NaiveDate,
        calendar: &Calendar,
    ) -> Option<NaiveDate> {
        match self.rule(kind) {
            Rule::DaysAfter(n) => anchor.checked_add_days(Days::new(u64::from(n))),
            Rule::WorkingDaysAfter(n) => Some(calendar.add_working_days(anchor, n)),
            _ => None,
        }
    }

    /// The periods of `kind` whose due date falls in `year` (for the yearly calendar view).
    pub fn periods_due_in(&self, kind: ObligationKind, year: i32) -> Vec<(Period, NaiveDate)> {
        use super::model::Cadence;
        let candidates: Vec<Period> = match kind.cadence() {
            Cadence::Anchored => vec![],
            Cadence::Quarterly => vec![
                Period::Quarter(year - 1, 4),
                Period::Quarter(year, 1),
                Period::Quarter(year, 2),
                Period::Quarter(year, 3),
                Period::Quarter(year, 4),
            ],
            Cadence::HalfYearly => vec![
                Period::Half(year - 1, 2),
                Period::Half(year, 1),
                Period::Half(year, 2),
            ],
            Cadence::Yearly => vec![Period::Year(year)],
        };
        candidates
            .into_iter()
            .filter_map(|p| Some((p, self.due_for_period(kind, p)?)))
            .filter(|(_, due)| chrono::Datelike::year(due) == year)
            .collect()
    }
}

/// The stored form of a rule: `days` for anchored kinds, `month`/`day` (and `month2`/`day2`
/// for the second half) for dated ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleFields {
    pub days: Option<i32>,
    pub month: Option<i32>,
    pub day: Option<i32>,
    pub month2: Option<i32>,
    pub day2: Option<i32>,
}

impl RuleFields {
    pub fn of(rule: Rule) -> RuleFields {
        let i = |v: u32| Some(v as i32);
        match rule {
            Rule::DaysAfter(n) | Rule::WorkingDaysAfter(n) => RuleFields {
                days: i(n),
                ..Default::default()
            },
            Rule::QuarterFirstMonthDay(d) => RuleFields {
                day: i(d),
                ..Default::default()
            },
            Rule::HalfYearly { h1, h2 } => RuleFields {
                month: i(h1.0),
                day: i(h1.1),
                month2: i(h2.0),
                day2: i(h2.1),
                days: None,
            },
            Rule::Annual(m, d) => RuleFields {
                month: i(m),
                day: i(d),
                ..Default::default()
            },
        }
    }
}

fn required(v: Option<i32>, field: &str) -> Result<u32, FieldError> {
    v.and_then(|v| u32::try_from(v).ok()).ok_or_else(|| {
        FieldError::new(
            field,
            "required",
            format!("{field}：此类期限必须填写"),
            format!("{field}: required for this kind of deadline"),
        )
    })
}

fn month_day(m: Option<i32>, d: Option<i32>, mf: &str, df: &str) -> Result<(u32, u32), FieldError> {
    let (m, d) = (required(m, mf)?, required(d, df)?);
    // 2023 has no 29 February: a yearly date must exist every year.
    if NaiveDate::from_ymd_opt(2023, m, d).is_none() {
        return Err(FieldError::new(
            df,
            "invalid_date",
            format!("{df}：{m}月没有{d}日（每年都须有这一天）"),
            format!("{df}: month {m} has no day {d} in every year"),
        ));
    }
    Ok((m, d))
}

/// A county's override for `kind`, checked: the shape follows the kind's default rule.
pub fn parse_rule(kind: ObligationKind, f: RuleFields) -> Result<Rule, FieldError> {
    let days = |max: u32| -> Result<u32, FieldError> {
        let n = required(f.days, "days")?;
        if (1..=max).contains(&n) {
            Ok(n)
        } else {
            Err(FieldError::new(
                "days",
                "out_of_range",
                format!("days：应为1到{max}"),
                format!("days: between 1 and {max}"),
            ))
        }
    };
    Ok(match kind.default_rule() {
        Rule::DaysAfter(_) => Rule::DaysAfter(days(90)?),
        Rule::WorkingDaysAfter(_) => Rule::WorkingDaysAfter(days(60)?),
        Rule::QuarterFirstMonthDay(_) => {
            let d = required(f.day, "day")?;
            if !(1..=28).contains(&d) {
                return Err(FieldError::new(
                    "day",
                    "out_of_range",
                    "day：应为1到28日",
                    "day: between 1 and 28",
                ));
            }
            Rule::QuarterFirstMonthDay(d)
        }
        Rule::HalfYearly { .. } => Rule::HalfYearly {
            h1: month_day(f.month, f.day, "month", "day")?,
            h2: month_day(f.month2, f.day2, "month2", "day2")?,
        },
        Rule::Annual(..) => {
            let (m, d) = month_day(f.month, f.day, "month", "day")?;
            Rule::Annual(m, d)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enums::StrEnum;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn reporting_is_due_fifteen_days_after_issue() {
        let rules = Rules::default();
        let cal = Calendar::new([]);
        let due = rules
            .due_after(ObligationKind::TwoWayReporting, d(2026, 11, 1), &cal)
            .unwrap();
        // Issued on 1 Nov (day 0): day 15 is 16 Nov, still on time; day 16 is overdue.
        assert_eq!(due, d(2026, 11, 16));
        use super::super::model::{State, state};
        assert_eq!(state(due, None, d(2026, 11, 16)), State::Due);
        assert_eq!(state(due, None, d(2026, 11, 17)), State::Overdue);
        // Across a year end.
        assert_eq!(
            rules.due_after(ObligationKind::TwoWayReporting, d(2026, 12, 25), &cal),
            Some(d(2027, 1, 9))
        );
        assert_eq!(
            rules.due_for_period(ObligationKind::TwoWayReporting, Period::Year(2026)),
            None
        );
    }

    #[test]
    fn quarterly_filing_is_due_on_the_tenth_of_the_next_quarters_first_month() {
        let rules = Rules::default();
        let k = ObligationKind::QuarterlyFiling;
        assert_eq!(
            rules.due_for_period(k, Period::Quarter(2026, 3)),
            Some(d(2026, 10, 10))
        );
        assert_eq!(
            rules.due_for_period(k, Period::Quarter(2026, 4)),
            Some(d(2027, 1, 10))
        );
        assert_eq!(
            rules.due_for_period(k, Period::Quarter(2026, 1)),
            Some(d(2026, 4, 10))
        );
        let periods = rules.periods_due_in(k, 2026);
        assert_eq!(periods.len(), 4);
        assert_eq!(periods[0], (Period::Quarter(2025, 4), d(2026, 1, 10)));
    }

    #[test]
    fn second_half_feedback_is_due_on_15_january_of_the_next_year() {
        let rules = Rules::default();
        let k = ObligationKind::SemiannualFeedback;
        assert_eq!(
            rules.due_for_period(k, Period::Half(2026, 1)),
            Some(d(2026, 7, 15))
        );
        assert_eq!(
            rules.due_for_period(k, Period::Half(2026, 2)),
            Some(d(2027, 1, 15))
        );
        assert_eq!(
            rules.periods_due_in(k, 2027),
            vec![
                (Period::Half(2026, 2), d(2027, 1, 15)),
                (Period::Half(2027, 1), d(2027, 7, 15))
            ]
        );
        // The statistics of a half are reported 15 days after its cut-off (figures as of the
        // cut-off cannot be frozen before it).
        assert_eq!(
            rules.due_for_period(ObligationKind::StatisticsCutoff, Period::Half(2026, 1)),
            Some(d(2026, 7, 15))
        );
        assert_eq!(
            rules.due_for_period(ObligationKind::StatisticsCutoff, Period::Half(2026, 2)),
            Some(d(2027, 1, 15))
        );
    }

    #[test]
    fn county_overrides_are_checked_against_the_kinds_shape() {
        let k = ObligationKind::QqJoin;
        let rule = parse_rule(
            k,
            RuleFields {
                month: Some(5),
                day: Some(15),
                ..Default::default()
            },
        )
        .unwrap();
        let rules = Rules::new([(k, rule)]);
        assert_eq!(
            rules.due_for_period(k, Period::Year(2026)),
            Some(d(2026, 5, 15))
        );
        let e = parse_rule(
            k,
            RuleFields {
                month: Some(2),
                day: Some(29),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert_eq!((e.field.as_str(), e.code.as_str()), ("day", "invalid_date"));
        let e = parse_rule(ObligationKind::ServiceRequest, RuleFields::default()).unwrap_err();
        assert_eq!((e.field.as_str(), e.code.as_str()), ("days", "required"));
        let e = parse_rule(
            ObligationKind::QuarterlyFiling,
            RuleFields {
                day: Some(31),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert_eq!(e.code, "out_of_range");
        for &kind in ObligationKind::ALL {
            let rule = kind.default_rule();
            assert_eq!(parse_rule(kind, RuleFields::of(rule)), Ok(rule), "{kind:?}");
        }
    }
}
