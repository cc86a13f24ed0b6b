//! 定期双向反馈 semi-annual two-way feedback: the batch's states and the rules that move it.
//!
//! draft → submitted (for review) → approved | returned (with a reason; edited and submitted
//! again) → sent (online, to the receiver; meets the sender's obligation for the half) →
//! acknowledged (by the receiver). Due 15 July for the first half and 15 January of the next
//! year for the second (the county may move both).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::deadlines::Period;
use crate::error::FieldError;
use crate::reporting::model::Refused;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum BatchState {
    /// 草稿
    Draft,
    /// 已报上级党委审核
    Submitted,
    /// 审核退回
    Returned,
    /// 审核通过，待发送
    Approved,
    /// 已在线反馈
    Sent,
    /// 对方已签收
    Acknowledged,
}

impl BatchState {
    pub fn label_zh(self) -> &'static str {
        match self {
            BatchState::Draft => "草稿",
            BatchState::Submitted => "待上级党委审核",
            BatchState::Returned => "审核退回",
            BatchState::Approved => "审核通过，待发送",
            BatchState::Sent => "已在线反馈",
            BatchState::Acknowledged => "对方已签收",
        }
    }

    /// The receiver sees a batch once it has been sent.
    pub fn is_sent(self) -> bool {
        matches!(self, BatchState::Sent | BatchState::Acknowledged)
    }
}

/// Who tells whom about what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Direction {
    /// The branch on conduct at the business place (经营地表现), to the village holding the
    /// membership; reviewed by the association committee.
    BranchToVillage,
    /// The village on conduct at the residence (居住地表现), to the branch; reviewed by the
    /// village's township committee.
    VillageToBranch,
}

impl Direction {
    /// 经营地表现 / 居住地表现
    pub fn conduct_zh(self) -> &'static str {
        match self {
            Direction::BranchToVillage => "经营地表现",
            Direction::VillageToBranch => "居住地表现",
        }
    }

    /// The form's sub-title: who fills it in (the reviewing committee, seed 000 附件4/5).
    pub fn form_subtitle(self) -> &'static str {
        match self {
            Direction::BranchToVillage => "（县个民协会党委填写）",
            Direction::VillageToBranch => "（乡镇［街道］党委填写）",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    EditItems,
    Submit,
    Review,
    Send,
    Acknowledge,
}

const ALREADY_SENT: Refused = Refused {
    code: "already_sent",
    zh: "反馈已发送，不能再修改或重复发送",
    en: "The feedback was already sent",
};

/// The state a step leads to (for `Review`, the approving one), or why it is refused.
pub fn next(state: BatchState, step: Step) -> Result<BatchState, Refused> {
    use BatchState as S;
    match (state, step) {
        (S::Acknowledged, Step::Acknowledge) => Err(Refused {
            code: "already_acknowledged",
            zh: "已签收，不能重复签收",
            en: "The feedback was already acknowledged",
        }),
        (S::Sent, Step::Acknowledge) => Ok(S::Acknowledged),
        (_, Step::Acknowledge) => Err(Refused {
            code: "not_sent",
            zh: "反馈尚未发送",
            en: "The feedback has not been sent yet",
        }),
        (S::Sent | S::Acknowledged, _) => Err(ALREADY_SENT),
        (S::Draft | S::Returned, Step::EditItems) => Ok(state),
        (S::Draft | S::Returned, Step::Submit) => Ok(S::Submitted),
        (S::Submitted, Step::EditItems | Step::Submit) => Err(Refused {
            code: "under_review",
            zh: "反馈正在上级党委审核中，不能修改或重复报送",
            en: "The feedback is under review",
        }),
        (S::Approved, Step::EditItems | Step::Submit) => Err(Refused {
            code: "already_reviewed",
            zh: "反馈已审核通过，不能再修改",
            en: "The feedback was already approved",
        }),
        (S::Submitted, Step::Review) => Ok(S::Approved),
        (S::Draft | S::Returned, Step::Review) => Err(Refused {
            code: "not_submitted",
            zh: "反馈尚未报送审核",
            en: "The feedback has not been submitted for review",
        }),
        (S::Approved, Step::Review) => Err(Refused {
            code: "already_reviewed",
            zh: "反馈已审核",
            en: "The feedback was already reviewed",
        }),
        (S::Approved, Step::Send) => Ok(S::Sent),
        (S::Draft | S::Submitted | S::Returned, Step::Send) => Err(Refused {
            code: "not_reviewed",
            zh: "反馈须经上级党委审核通过后才能发送",
            en: "Feedback is sent only after the upper committee approved it",
        }),
    }
}

/// A half-year period named in a request (`2026H1`): it must have begun by `today`.
pub fn parse_half(field: &str, s: &str, today: NaiveDate) -> Result<Period, FieldError> {
    let p = match Period::parse(s.trim()) {
        Some(p @ Period::Half(..)) => p,
        _ => {
            return Err(FieldError::new(
                field,
                "invalid_period",
                format!("{field}：应为半年度，如 2026H1（上半年）、2026H2（下半年）"),
                format!("{field}: a half year such as 2026H1 or 2026H2"),
            ));
        }
    };
    match p.bounds() {
        Some((start, _)) if start <= today => Ok(p),
        _ => Err(FieldError::new(
            field,
            "period_not_started",
            format!("{field}：该半年尚未开始"),
            format!("{field}: that half year has not begun"),
        )),
    }
}

/// `2026年上半年` / `2026年下半年`.
pub fn half_label(p: Period) -> String {
    match p {
        Period::Half(y, 1) => format!("{y}年上半年"),
        Period::Half(y, _) => format!("{y}年下半年"),
        other => other.to_string(),
    }
}

/// Sent after the due day (the due day itself is on time).
pub fn late(sent_on: Option<NaiveDate>, due_on: NaiveDate) -> bool {
    sent_on.is_some_and(|d| d > due_on)
}

/// Not sent and past the due day on `as_of`.
pub fn overdue(state: BatchState, due_on: NaiveDate, as_of: NaiveDate) -> bool {
    !state.is_sent() && as_of > due_on
}

#[cfg(test)]
mod tests {
    use super::*;
    use shuanglian_testkit::assert_str_enum;

    #[test]
    fn enum_names_round_trip() {
        assert_str_enum::<BatchState>();
        assert_str_enum::<Direction>();
    }
    use BatchState as S;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_happy_path_and_a_return() {
        assert_eq!(next(S::Draft, Step::Submit), Ok(S::Submitted));
        assert_eq!(next(S::Submitted, Step::Review), Ok(S::Approved));
        assert_eq!(next(S::Returned, Step::EditItems), Ok(S::Returned));
        assert_eq!(next(S::Returned, Step::Submit), Ok(S::Submitted));
        assert_eq!(next(S::Approved, Step::Send), Ok(S::Sent));
        assert_eq!(next(S::Sent, Step::Acknowledge), Ok(S::Acknowledged));
    }

    #[test]
    fn illegal_steps_have_stable_codes() {
        for s in [S::Draft, S::Submitted, S::Returned] {
            assert_eq!(next(s, Step::Send).unwrap_err().code, "not_reviewed");
        }
        assert_eq!(
            next(S::Draft, Step::Review).unwrap_err().code,
            "not_submitted"
        );
        assert_eq!(
            next(S::Approved, Step::Review).unwrap_err().code,
            "already_reviewed"
        );
        assert_eq!(
            next(S::Submitted, Step::EditItems).unwrap_err().code,
            "under_review"
        );
        assert_eq!(next(S::Sent, Step::Send).unwrap_err().code, "already_sent");
        assert_eq!(
            next(S::Sent, Step::EditItems).unwrap_err().code,
            "already_sent"
        );
        assert_eq!(
            next(S::Acknowledged, Step::Acknowledge).unwrap_err().code,
            "already_acknowledged"
        );
        assert_eq!(
            next(S::Approved, Step::Acknowledge).unwrap_err().code,
            "not_sent"
        );
    }

    #[test]
    fn halves_and_the_fifteenth_of_january_across_the_year_end() {
        let rules = crate::deadlines::rules::Rules::default();
        let kind = crate::deadlines::ObligationKind::SemiannualFeedback;
        let h2 = Period::Half(2026, 2);
        let due = rules.due_for_period(kind, h2).unwrap();
        assert_eq!(due, d(2027, 1, 15));
        assert!(!late(Some(d(2027, 1, 15)), due));
        assert!(late(Some(d(2027, 1, 16)), due));
        assert!(!overdue(S::Approved, due, d(2027, 1, 15)));
        assert!(overdue(S::Approved, due, d(2027, 1, 16)));
        assert!(!overdue(S::Sent, due, d(2027, 3, 1)));
        assert_eq!(
            rules.due_for_period(kind, Period::Half(2026, 1)),
            Some(d(2026, 7, 15))
        );
        let today = d(2026, 11, 26);
        assert_eq!(parse_half("period", "2026H2", today), Ok(h2));
        assert_eq!(
            parse_half("period", "2027H1", today).unwrap_err().code,
            "period_not_started"
        );
        assert_eq!(
            parse_half("period", "2026Q1", today).unwrap_err().code,
            "invalid_period"
        );
        assert_eq!(half_label(h2), "2026年下半年");
    }
}
