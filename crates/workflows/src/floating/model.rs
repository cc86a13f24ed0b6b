//! The floating-member case (流动党员双重管理, seed 001): its states, the kinds of recorded
//! activity, how the feedback was sent and how a receipt was chased, and the transition rules
//! as plain functions.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Where a case stands. Activities are recorded from `confirmed` on without changing it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    poem_openapi::Enum,
)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum CaseState {
    /// 已登记: the 流动党员登记表 is in.
    Registered,
    /// 身份已确认: the home branch's stamped proof is on file.
    Confirmed,
    /// 已评议: the branch secretary wrote the evaluation (评语).
    Evaluated,
    /// 已寄发: the feedback form and letter went to the home branch.
    Sent,
    /// 回执已收回
    ReceiptReturned,
    /// 已归档
    Archived,
}

impl CaseState {
    pub fn label_zh(self) -> &'static str {
        match self {
            CaseState::Registered => "已登记",
            CaseState::Confirmed => "身份已确认",
            CaseState::Evaluated => "已评议",
            CaseState::Sent => "已寄发反馈",
            CaseState::ReceiptReturned => "回执已收回",
            CaseState::Archived => "已归档",
        }
    }
}

/// 参加组织活动备案: what kind of participation an entry records.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    poem_openapi::Enum,
)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum ActivityKind {
    /// 组织生活 (三会一课, 主题党日 …)
    OrgLife,
    /// 培训
    Training,
    /// 教育
    Education,
    /// 组织活动 (志愿服务, 结对帮扶 …)
    Activity,
}

impl ActivityKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            ActivityKind::OrgLife => "组织生活",
            ActivityKind::Training => "培训",
            ActivityKind::Education => "教育",
            ActivityKind::Activity => "组织活动",
        }
    }
}

/// How the feedback form and letter went to the home branch.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    poem_openapi::Enum,
)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum SendMethod {
    Post,
    Hand,
    Online,
}

impl SendMethod {
    pub fn label_zh(self) -> &'static str {
        match self {
            SendMethod::Post => "邮寄",
            SendMethod::Hand => "专人送达",
            SendMethod::Online => "网上发送",
        }
    }
}

/// How a reminder for an outstanding receipt was made (催收回执).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    poem_openapi::Enum,
)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum ChaseMethod {
    Phone,
    Letter,
    Online,
}

impl ChaseMethod {
    pub fn label_zh(self) -> &'static str {
        match self {
            ChaseMethod::Phone => "电话催收",
            ChaseMethod::Letter => "发函催收",
            ChaseMethod::Online => "网上催收",
        }
    }
}

/// A step someone asks for on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Confirm,
    RecordActivity,
    /// Writing (or rewriting, until sent) the evaluation.
    Evaluate,
    /// Printing the feedback form, letter or receipt form.
    PrintDocuments,
    Send,
    /// Recording a reminder for the outstanding receipt.
    Chase,
    ReturnReceipt,
    Archive,
}

/// A refused step: a stable code (409) and both messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

const NOT_CONFIRMED: Refused = Refused {
    code: "identity_not_confirmed",
    zh: "尚未确认党员身份（须先登记组织关系所在地党支部盖章证明）",
    en: "The membership has not been confirmed by the home branch yet",
};
const ALREADY_CONFIRMED: Refused = Refused {
    code: "already_confirmed",
    zh: "党员身份已确认",
    en: "The membership is already confirmed",
};
const NOT_EVALUATED: Refused = Refused {
    code: "not_evaluated",
    zh: "支部书记尚未作出评语",
    en: "The branch secretary has not written the evaluation yet",
};
const ALREADY_SENT: Refused = Refused {
    code: "already_sent",
    zh: "反馈表和函已寄发，不能再修改或重复寄发",
    en: "The feedback form and letter were already sent",
};
const NOT_SENT: Refused = Refused {
    code: "not_sent",
    zh: "反馈表和函尚未寄发",
    en: "The feedback form and letter have not been sent yet",
};
const RECEIPT_RETURNED: Refused = Refused {
    code: "receipt_already_returned",
    zh: "回执已收回",
    en: "The receipt has already been returned",
};
const RECEIPT_OUTSTANDING: Refused = Refused {
    code: "receipt_not_returned",
    zh: "回执尚未收回，不能归档",
    en: "The receipt has not come back yet; the case cannot be archived",
};
const ARCHIVED: Refused = Refused {
    code: "archived",
    zh: "该记录已归档，不能再修改",
    en: "The case is archived and cannot change",
};

/// Whether `action` is allowed in `state`, and the state it leads to.
pub fn next(state: CaseState, action: Action) -> Result<CaseState, Refused> {
    use Action as A;
    use CaseState as S;
    match (state, action) {
        // A filed case can still be printed again; nothing else changes it.
        (S::Archived, A::PrintDocuments) => Ok(S::Archived),
        (S::Archived, _) => Err(ARCHIVED),
        (S::Registered, A::Confirm) => Ok(S::Confirmed),
        (_, A::Confirm) => Err(ALREADY_CONFIRMED),
        (S::Registered, A::RecordActivity | A::Evaluate) => Err(NOT_CONFIRMED),
        (s, A::RecordActivity) => Ok(s),
        (S::Confirmed | S::Evaluated, A::Evaluate) => Ok(S::Evaluated),
        (_, A::Evaluate) => Err(ALREADY_SENT),
        (S::Registered | S::Confirmed, A::PrintDocuments | A::Send) => Err(NOT_EVALUATED),
        (s, A::PrintDocuments) => Ok(s),
        (S::Evaluated, A::Send) => Ok(S::Sent),
        (_, A::Send) => Err(ALREADY_SENT),
        (S::Sent, A::Chase) => Ok(S::Sent),
        (S::Sent, A::ReturnReceipt) => Ok(S::ReceiptReturned),
        (S::ReceiptReturned, A::Chase | A::ReturnReceipt) => Err(RECEIPT_RETURNED),
        (_, A::Chase | A::ReturnReceipt) => Err(NOT_SENT),
        (S::ReceiptReturned, A::Archive) => Ok(S::Archived),
        (_, A::Archive) => Err(RECEIPT_OUTSTANDING),
    }
}

/// A dated step must not come before the step it follows (a receipt before the letter was
/// sent, a letter before the evaluation).
pub fn before_previous(on: NaiveDate, previous: Option<NaiveDate>) -> bool {
    previous.is_some_and(|p| on < p)
}

/// The feedback years a registration on `registered_on` may carry: its own year, or the next
/// (a member registered in December is fed back the following November).
/// The feedback years a case may carry (the `floating_cases.year` CHECK constraint).
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

pub fn year_allowed(registered_on: NaiveDate, year: i32) -> bool {
    use chrono::Datelike;
    year == registered_on.year() || year == registered_on.year() + 1
}

/// Days a receipt has been outstanding on `as_of` (0 on the day it was sent).
pub fn days_outstanding(sent_on: NaiveDate, as_of: NaiveDate) -> i64 {
    (as_of - sent_on).num_days().max(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enums::StrEnum;
    use Action as A;
    use CaseState as S;
    use shuanglian_testkit::assert_str_enum;

    #[test]
    fn enum_names_round_trip() {
        assert_str_enum::<CaseState>();
        assert_str_enum::<ActivityKind>();
        assert_str_enum::<SendMethod>();
        assert_str_enum::<ChaseMethod>();
        assert_eq!(ActivityKind::OrgLife.label_zh(), "组织生活");
        assert_eq!(SendMethod::parse("post"), Some(SendMethod::Post));
        assert_eq!(ChaseMethod::parse("fax"), None);
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_happy_path_runs_in_order() {
        let mut s = S::Registered;
        for (a, want) in [
            (A::Confirm, S::Confirmed),
            (A::RecordActivity, S::Confirmed),
            (A::Evaluate, S::Evaluated),
            (A::Evaluate, S::Evaluated),
            (A::RecordActivity, S::Evaluated),
            (A::PrintDocuments, S::Evaluated),
            (A::Send, S::Sent),
            (A::Chase, S::Sent),
            (A::PrintDocuments, S::Sent),
            (A::ReturnReceipt, S::ReceiptReturned),
            (A::Archive, S::Archived),
        ] {
            s = next(s, a).unwrap_or_else(|r| panic!("{a:?} in {s:?}: {}", r.code));
            assert_eq!(s, want, "{a:?}");
        }
    }

    #[test]
    fn each_illegal_step_has_its_code() {
        let code = |s, a| next(s, a).unwrap_err().code;
        assert_eq!(
            code(S::Registered, A::RecordActivity),
            "identity_not_confirmed"
        );
        assert_eq!(code(S::Registered, A::Evaluate), "identity_not_confirmed");
        assert_eq!(code(S::Confirmed, A::Confirm), "already_confirmed");
        assert_eq!(code(S::Sent, A::Confirm), "already_confirmed");
        assert_eq!(code(S::Registered, A::Send), "not_evaluated");
        assert_eq!(code(S::Confirmed, A::Send), "not_evaluated");
        assert_eq!(code(S::Confirmed, A::PrintDocuments), "not_evaluated");
        assert_eq!(code(S::Sent, A::Send), "already_sent");
        assert_eq!(code(S::Sent, A::Evaluate), "already_sent");
        assert_eq!(code(S::ReceiptReturned, A::Evaluate), "already_sent");
        assert_eq!(code(S::Evaluated, A::ReturnReceipt), "not_sent");
        assert_eq!(code(S::Confirmed, A::Chase), "not_sent");
        assert_eq!(
            code(S::ReceiptReturned, A::ReturnReceipt),
            "receipt_already_returned"
        );
        assert_eq!(
            code(S::ReceiptReturned, A::Chase),
            "receipt_already_returned"
        );
        assert_eq!(code(S::Sent, A::Archive), "receipt_not_returned");
        assert_eq!(code(S::Registered, A::Archive), "receipt_not_returned");
        for a in [
            A::Confirm,
            A::RecordActivity,
            A::Evaluate,
            A::Send,
            A::Chase,
            A::Archive,
        ] {
            assert_eq!(code(S::Archived, a), "archived");
        }
        assert_eq!(next(S::Archived, A::PrintDocuments), Ok(S::Archived));
    }

    #[test]
    fn dates_follow_the_previous_step() {
        assert!(before_previous(d(2026, 11, 1), Some(d(2026, 11, 2))));
        assert!(!before_previous(d(2026, 11, 2), Some(d(2026, 11, 2))));
        assert!(!before_previous(d(2026, 11, 2), None));
        assert!(year_allowed(d(2026, 12, 5), 2027));
        assert!(year_allowed(d(2026, 3, 5), 2026));
        assert!(!year_allowed(d(2026, 3, 5), 2025));
        assert_eq!(days_outstanding(d(2026, 10, 1), d(2026, 11, 26)), 56);
        assert_eq!(days_outstanding(d(2026, 11, 26), d(2026, 11, 26)), 0);
    }
}
