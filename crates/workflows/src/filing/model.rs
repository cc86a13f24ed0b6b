//! A quarterly filing's states and the rules that move it: draft → submitted → accepted, or
//! → returned (with a reason) → submitted again …; and how late it was.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::deadlines::Period;
use crate::org::model::OrgKind;

/// Where a filing stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum FilingState {
    /// 草稿: generated from the records, being edited by the recording unit.
    Draft,
    /// 已报送: waiting for the upper committee.
    Submitted,
    /// 已备案: accepted by the upper committee (final).
    Accepted,
    /// 已退回: returned with a reason; the unit corrects and submits again.
    Returned,
}

impl FilingState {
    pub fn label_zh(self) -> &'static str {
        match self {
            FilingState::Draft => "草稿",
            FilingState::Submitted => "已报送，待审核",
            FilingState::Accepted => "已备案",
            FilingState::Returned => "已退回",
        }
    }

    /// Whether the quarter's records are closed to their unit (the filing is with, or has
    /// been accepted by, the upper committee).
    pub fn locks_records(self) -> bool {
        matches!(self, FilingState::Submitted | FilingState::Accepted)
    }
}

/// What someone does to a filing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Edit the summary or notes, or regenerate the lines from the records.
    Edit,
    Submit,
    Accept,
    Return,
}

/// Why a transition is refused: a stable code (409) with zh-CN and English text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

/// The state after `action`, or why it is refused.
pub fn transition(from: FilingState, action: Action) -> Result<FilingState, Refused> {
    use Action::*;
    use FilingState::*;
    match (from, action) {
        (Draft | Returned, Edit) => Ok(from),
        (Draft | Returned, Submit) => Ok(Submitted),
        (Draft | Returned, Accept | Return) => Err(Refused {
            code: "not_submitted",
            zh: "报送件尚未报送，不能审核",
            en: "The filing has not been submitted; it cannot be reviewed",
        }),
        (Submitted, Submit) => Err(Refused {
            code: "already_submitted",
            zh: "报送件已报送，等待上级党委审核",
            en: "The filing is submitted already and awaits review",
        }),
        (Submitted, Edit) => Err(Refused {
            code: "filing_locked",
            zh: "报送件已报送，审核前不能修改",
            en: "A submitted filing cannot be changed before it is reviewed",
        }),
        (Submitted, Accept) => Ok(Accepted),
        (Submitted, Return) => Ok(Returned),
        (Accepted, _) => Err(Refused {
            code: "already_accepted",
            zh: "报送件已备案，不能再变更",
            en: "The filing is accepted; it cannot change any more",
        }),
    }
}

/// The role that reviews a recording unit's filings: a village's township committee; the
/// association committee for party branches and for AIC offices (it acts for the county AIC
/// bureau's party committee, 县工商局党委, which has no role of its own).
pub fn upper_role(unit: OrgKind) -> Option<Role> {
    match unit {
        OrgKind::Village => Some(Role::TownshipCommittee),
        OrgKind::PartyBranch | OrgKind::AicOffice => Some(Role::AssociationCommittee),
        _ => None,
    }
}

/// The quarter a filing covers, from a request (`2026Q3`).
pub fn parse_quarter(s: &str) -> Option<Period> {
    match Period::parse(s.trim())? {
        p @ Period::Quarter(..) => Some(p),
        _ => None,
    }
}

/// 2026年第三季度
pub fn quarter_label(p: Period) -> String {
    match p {
        Period::Quarter(y, q) => {
            let n = ["一", "二", "三", "四"][(q.clamp(1, 4) - 1) as usize];
            format!("{y}年第{n}季度")
        }
        other => other.to_string(),
    }
}

/// Days a filing was submitted after its due date (`None`: on time or not submitted). The due
/// date itself is on time.
pub fn days_late(due_on: NaiveDate, first_submitted_on: Option<NaiveDate>) -> Option<i64> {
    let d = first_submitted_on?;
    (d > due_on).then(|| (d - due_on).num_days())
}

/// Days an unsubmitted filing is past due on `today`.
pub fn days_overdue(
    due_on: NaiveDate,
    first_submitted_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<i64> {
    (first_submitted_on.is_none() && today > due_on).then(|| (today - due_on).num_days())
}

/// A quarter may be submitted only once it has ended.
pub fn quarter_ended(p: Period, on: NaiveDate) -> bool {
    p.bounds().is_some_and(|(_, last)| on > last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shuanglian_testkit::assert_str_enum;

    #[test]
    fn enum_names_round_trip() {
        assert_str_enum::<FilingState>();
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_happy_path_and_a_return_round() {
        use Action::*;
        use FilingState::*;
        assert_eq!(transition(Draft, Edit), Ok(Draft));
        assert_eq!(transition(Draft, Submit), Ok(Submitted));
        assert_eq!(transition(Submitted, Return), Ok(Returned));
        assert_eq!(transition(Returned, Edit), Ok(Returned));
        assert_eq!(transition(Returned, Submit), Ok(Submitted));
        assert_eq!(transition(Submitted, Accept), Ok(Accepted));
    }

    #[test]
    fn illegal_transitions_have_stable_codes() {
        use Action::*;
        use FilingState::*;
        let code = |s, a| transition(s, a).unwrap_err().code;
        assert_eq!(code(Draft, Accept), "not_submitted");
        assert_eq!(code(Draft, Return), "not_submitted");
        assert_eq!(code(Returned, Accept), "not_submitted");
        assert_eq!(code(Submitted, Submit), "already_submitted");
        assert_eq!(code(Submitted, Edit), "filing_locked");
        for a in [Edit, Submit, Accept, Return] {
            assert_eq!(code(Accepted, a), "already_accepted");
        }
    }

    #[test]
    fn records_lock_while_the_filing_is_with_the_committee() {
        assert!(!FilingState::Draft.locks_records());
        assert!(FilingState::Submitted.locks_records());
        assert!(FilingState::Accepted.locks_records());
        assert!(!FilingState::Returned.locks_records());
    }

    #[test]
    fn lateness_counts_from_the_day_after_the_due_date() {
        let due = d(2026, 10, 10);
        assert_eq!(days_late(due, Some(d(2026, 10, 10))), None);
        assert_eq!(days_late(due, Some(d(2026, 10, 11))), Some(1));
        assert_eq!(days_late(due, None), None);
        assert_eq!(days_overdue(due, None, d(2026, 10, 10)), None);
        assert_eq!(days_overdue(due, None, d(2026, 11, 26)), Some(47));
        assert_eq!(
            days_overdue(due, Some(d(2026, 10, 12)), d(2026, 11, 26)),
            None
        );
    }

    #[test]
    fn upper_committees() {
        assert_eq!(upper_role(OrgKind::Village), Some(Role::TownshipCommittee));
        assert_eq!(
            upper_role(OrgKind::PartyBranch),
            Some(Role::AssociationCommittee)
        );
        assert_eq!(
            upper_role(OrgKind::AicOffice),
            Some(Role::AssociationCommittee)
        );
        assert_eq!(upper_role(OrgKind::Township), None);
    }

    #[test]
    fn quarters_parse_label_and_end() {
        assert_eq!(parse_quarter("2026Q3"), Some(Period::Quarter(2026, 3)));
        assert_eq!(parse_quarter("2026H1"), None);
        assert_eq!(parse_quarter("2026"), None);
        assert_eq!(parse_quarter("2026Q5"), None);
        assert_eq!(quarter_label(Period::Quarter(2026, 4)), "2026年第四季度");
        assert!(!quarter_ended(Period::Quarter(2026, 3), d(2026, 9, 30)));
        assert!(quarter_ended(Period::Quarter(2026, 3), d(2026, 10, 1)));
    }
}
