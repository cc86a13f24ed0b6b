//! 双向报到 two-way reporting: the states of a handbook and the rules that move it.
//!
//! issued → reported_to_village (the village holding the membership confirms) →
//! reported_to_branch (the issuing branch confirms: complete). A lost handbook is re-issued under
//! a new number (the old one becomes `reissued`, the reporting carries over to the new one); an
//! open reporting may be cancelled. Overdue: still open after the due day (issue + 15 days; the
//! 15th day itself is on time).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, FieldError};

/// Where a handbook stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum HandbookState {
    /// 已发放: issued, the member has reported nowhere yet.
    Issued,
    /// 已向村（社区）报到: the village confirmed.
    ReportedToVillage,
    /// 已向分会支部报到（完成）: the branch confirmed; complete.
    ReportedToBranch,
    /// 已补发: lost and replaced by a new handbook.
    Reissued,
    /// 已作废: cancelled.
    Cancelled,
}

impl HandbookState {
    pub fn label_zh(self) -> &'static str {
        match self {
            HandbookState::Issued => "已发放",
            HandbookState::ReportedToVillage => "已向村（社区）报到",
            HandbookState::ReportedToBranch => "已完成双向报到",
            HandbookState::Reissued => "已补发",
            HandbookState::Cancelled => "已作废",
        }
    }

    /// Still waiting for the member to finish reporting (the obligation is open).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            HandbookState::Issued | HandbookState::ReportedToVillage
        )
    }

    /// The handbook in force for its member (not replaced, not cancelled).
    pub fn is_current(self) -> bool {
        !matches!(self, HandbookState::Reissued | HandbookState::Cancelled)
    }
}

/// What someone asks to do to a handbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    VillageConfirm,
    BranchConfirm,
    Reissue,
    Cancel,
}

/// A refused transition: 409 with a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

impl From<Refused> for AppError {
    fn from(r: Refused) -> Self {
        AppError::conflict(r.code, r.zh, r.en)
    }
}

impl From<Refused> for crate::db::DbError {
    fn from(r: Refused) -> Self {
        AppError::from(r).into()
    }
}

const REISSUED: Refused = Refused {
    code: "handbook_reissued",
    zh: "该手册已补发新手册，请在新手册上办理",
    en: "This handbook was replaced by a re-issued one; act on the new handbook",
};
const CANCELLED: Refused = Refused {
    code: "handbook_cancelled",
    zh: "该手册已作废",
    en: "This handbook was cancelled",
};
const ALREADY: Refused = Refused {
    code: "already_confirmed",
    zh: "已确认过报到，不能重复确认",
    en: "This report was already confirmed",
};

/// The state after `step`, or why it is refused.
pub fn next(state: HandbookState, step: Step) -> Result<HandbookState, Refused> {
    use HandbookState as S;
    match (state, step) {
        (S::Reissued, _) => Err(REISSUED),
        (S::Cancelled, Step::Cancel) => Err(Refused {
            code: "already_cancelled",
            zh: "该手册已作废",
            en: "This handbook is already cancelled",
        }),
        (S::Cancelled, _) => Err(CANCELLED),
        (S::Issued, Step::VillageConfirm) => Ok(S::ReportedToVillage),
        (S::ReportedToVillage | S::ReportedToBranch, Step::VillageConfirm) => Err(ALREADY),
        (S::Issued, Step::BranchConfirm) => Err(Refused {
            code: "not_reported_to_village",
            zh: "党员须先向组织关系所在村（社区）报到，分会支部才能确认",
            en: "The member must report to the village holding the membership first",
        }),
        (S::ReportedToVillage, Step::BranchConfirm) => Ok(S::ReportedToBranch),
        (S::ReportedToBranch, Step::BranchConfirm) => Err(ALREADY),
        // A lost handbook is replaced whatever the progress; the progress carries over.
        (_, Step::Reissue) => Ok(S::Reissued),
        (S::Issued | S::ReportedToVillage, Step::Cancel) => Ok(S::Cancelled),
        (S::ReportedToBranch, Step::Cancel) => Err(Refused {
            code: "invalid_transition",
            zh: "已完成的双向报到不能作废",
            en: "A completed two-way reporting cannot be cancelled",
        }),
    }
}

/// Open on `as_of` and past its due day (the due day itself is on time).
pub fn overdue(state: HandbookState, due_on: NaiveDate, as_of: NaiveDate) -> bool {
    state.is_open() && as_of > due_on
}

/// Days past due: for an open handbook as of `as_of`, for a completed one when it completed.
pub fn days_late(
    state: HandbookState,
    due_on: NaiveDate,
    completed_on: Option<NaiveDate>,
    as_of: NaiveDate,
) -> Option<i64> {
    match (state, completed_on) {
        (HandbookState::ReportedToBranch, Some(d)) if d > due_on => Some((d - due_on).num_days()),
        (s, _) if overdue(s, due_on, as_of) => Some((as_of - due_on).num_days()),
        _ => None,
    }
}

/// The county's number prefix: the pinyin initials of its name without the 县/市/区 suffix
/// (安吉县 → `AJ`); the division code when the name gives none.
pub fn county_prefix(name: &str, code: &str) -> String {
    let core = name
        .trim_end_matches(['县', '市', '区', '旗'])
        .trim_end_matches("自治");
    let (_, initials) = crate::members::names::pinyin_keys(core);
    if initials.is_empty() {
        code.to_owned()
    } else {
        initials.to_uppercase()
    }
}

/// 《个体经营户党员服务手册》 number: `AJ-2026-000123`.
pub fn handbook_no(prefix: &str, year: i32, seq: i32) -> String {
    format!("{prefix}-{year}-{seq:06}")
}

/// 《活动证》 number: `AJ-HD-2026-000123` (活动).
pub fn card_no(prefix: &str, year: i32, seq: i32) -> String {
    format!("{prefix}-HD-{year}-{seq:06}")
}

/// A number given by the branch (a pre-printed handbook): 1–40 visible characters.
pub fn parse_number(field: &str, s: &str) -> Result<String, FieldError> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > 40 || t.chars().any(|c| c.is_control() || c == ' ') {
        return Err(FieldError::new(
            field,
            "invalid_number",
            format!("{field}：编号应为1到40个字符，不含空格"),
            format!("{field}: 1 to 40 characters without spaces"),
        ));
    }
    Ok(t.to_owned())
}

/// A reason or note: trimmed, 1–`max` characters, no control characters except newlines.
pub fn parse_text(field: &str, s: &str, max: usize) -> Result<String, FieldError> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > max || t.chars().any(|c| c.is_control() && c != '\n') {
        return Err(FieldError::new(
            field,
            "invalid_text",
            format!("{field}：应为1到{max}个字符"),
            format!("{field}: 1 to {max} characters"),
        ));
    }
    Ok(t.to_owned())
}

pub fn required(field: &str, zh: &str, en: &str) -> FieldError {
    FieldError::new(field, "required", format!("{field}：{zh}"), en.to_owned())
}

/// A real-world date given in a request: not after today, not before `not_before` (the step
/// it follows). `what_zh`/`code` name the earlier step.
pub fn check_date(
    field: &str,
    d: NaiveDate,
    today: NaiveDate,
    not_before: Option<(NaiveDate, &'static str, &str)>,
) -> Result<NaiveDate, FieldError> {
    if d > today {
        return Err(FieldError::new(
            field,
            "date_in_future",
            format!("{field}：日期不能晚于今天"),
            format!("{field} cannot be in the future"),
        ));
    }
    if let Some((earliest, code, what_zh)) = not_before
        && d < earliest
    {
        return Err(FieldError::new(
            field,
            code,
            format!("{field}：日期不能早于{what_zh}（{earliest}）"),
            format!("{field} cannot be before {earliest}"),
        ));
    }
    if d.year() < 2000 {
        return Err(FieldError::new(
            field,
            "date_out_of_range",
            format!("{field}：日期过早"),
            format!("{field} is too early"),
        ));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shuanglian_testkit::assert_str_enum;

    #[test]
    fn enum_names_round_trip() {
        assert_str_enum::<HandbookState>();
    }
    use HandbookState as S;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn reporting_goes_village_first_then_branch() {
        assert_eq!(
            next(S::Issued, Step::VillageConfirm),
            Ok(S::ReportedToVillage)
        );
        assert_eq!(
            next(S::Issued, Step::BranchConfirm).unwrap_err().code,
            "not_reported_to_village"
        );
        assert_eq!(
            next(S::ReportedToVillage, Step::BranchConfirm),
            Ok(S::ReportedToBranch)
        );
        assert_eq!(
            next(S::ReportedToVillage, Step::VillageConfirm)
                .unwrap_err()
                .code,
            "already_confirmed"
        );
        assert_eq!(
            next(S::ReportedToBranch, Step::BranchConfirm)
                .unwrap_err()
                .code,
            "already_confirmed"
        );
        assert_eq!(
            next(S::ReportedToBranch, Step::VillageConfirm)
                .unwrap_err()
                .code,
            "already_confirmed"
        );
    }

    #[test]
    fn reissue_and_cancel() {
        for s in [S::Issued, S::ReportedToVillage, S::ReportedToBranch] {
            assert_eq!(next(s, Step::Reissue), Ok(S::Reissued));
        }
        assert_eq!(next(S::Issued, Step::Cancel), Ok(S::Cancelled));
        assert_eq!(next(S::ReportedToVillage, Step::Cancel), Ok(S::Cancelled));
        assert_eq!(
            next(S::ReportedToBranch, Step::Cancel).unwrap_err().code,
            "invalid_transition"
        );
        assert_eq!(
            next(S::Cancelled, Step::Cancel).unwrap_err().code,
            "already_cancelled"
        );
        for step in [Step::VillageConfirm, Step::BranchConfirm, Step::Reissue] {
            assert_eq!(
                next(S::Cancelled, step).unwrap_err().code,
                "handbook_cancelled"
            );
        }
        for step in [
            Step::VillageConfirm,
            Step::BranchConfirm,
            Step::Reissue,
            Step::Cancel,
        ] {
            assert_eq!(
                next(S::Reissued, step).unwrap_err().code,
                "handbook_reissued"
            );
        }
    }

    #[test]
    fn day_fifteen_is_on_time_day_sixteen_overdue() {
        let issued = d(2026, 11, 1);
        let due = issued + chrono::Days::new(15);
        assert_eq!(due, d(2026, 11, 16));
        assert!(!overdue(S::Issued, due, d(2026, 11, 16)));
        assert!(overdue(S::Issued, due, d(2026, 11, 17)));
        assert!(overdue(S::ReportedToVillage, due, d(2026, 11, 17)));
        assert!(!overdue(S::ReportedToBranch, due, d(2026, 12, 31)));
        assert!(!overdue(S::Cancelled, due, d(2026, 12, 31)));
        assert_eq!(days_late(S::Issued, due, None, d(2026, 11, 19)), Some(3));
        assert_eq!(
            days_late(
                S::ReportedToBranch,
                due,
                Some(d(2026, 11, 18)),
                d(2026, 12, 1)
            ),
            Some(2)
        );
        assert_eq!(
            days_late(
                S::ReportedToBranch,
                due,
                Some(d(2026, 11, 16)),
                d(2026, 12, 1)
            ),
            None
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(county_prefix("安吉县", "330523"), "AJ");
        assert_eq!(county_prefix("义乌市", "330782"), "YW");
        assert_eq!(county_prefix("上城区", "330102"), "SC");
        assert_eq!(handbook_no("AJ", 2026, 123), "AJ-2026-000123");
        assert_eq!(card_no("AJ", 2026, 123), "AJ-HD-2026-000123");
        assert!(parse_number("handbook_no", " AJ-001 ").is_ok());
        assert!(parse_number("handbook_no", "A J").is_err());
        assert!(parse_number("handbook_no", "").is_err());
        assert!(parse_number("handbook_no", &"1".repeat(41)).is_err());
    }

    #[test]
    fn dates_in_requests() {
        let today = d(2026, 11, 26);
        assert!(check_date("on", d(2026, 11, 27), today, None).is_err());
        assert!(check_date("on", today, today, None).is_ok());
        let e = check_date(
            "reported_on",
            d(2026, 11, 1),
            today,
            Some((d(2026, 11, 2), "before_issue", "发放日期")),
        )
        .unwrap_err();
        assert_eq!(e.code, "before_issue");
    }
}
