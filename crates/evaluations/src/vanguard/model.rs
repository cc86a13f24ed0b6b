//! The vanguard campaign's states and the rules of its steps, as plain functions.

use chrono::{Days, NaiveDate};

use super::rules::Excluded;

str_enum! {
    /// Where a year's campaign stands.
    pub enum CampaignState {
        /// 考评中: self, peer and organisation evaluation are recorded.
        Open => "考评中",
        /// 审核公示: objections are recorded and answered.
        Notice => "公示中",
        /// 已评定: the stars are final and on each member's record.
        Final => "已评定",
        /// 已上报: the county report is sent.
        Reported => "已上报",
    }
}

str_enum! {
    /// Why a member on the list is not evaluated this year.
    pub enum ExclusionReason {
        Probationary => "预备党员",
        Suspended => "停歇业",
        Closed => "已注销",
        AwayOverSixMonths => "外出经营超过6个月",
    }
}

str_enum! {
    /// 一票否决.
    pub enum VetoKind {
        /// 违反基本国策
        NationalPolicy => "违反基本国策",
        /// 违纪正在处分期内
        Discipline => "违纪正在处分期内",
    }
}

impl ExclusionReason {
    /// The reason a rule of eligibility gives; `None` for members the campaign does not cover.
    pub fn of(e: Excluded) -> Option<ExclusionReason> {
        match e {
            Excluded::NotCovered => None,
            Excluded::Probationary => Some(ExclusionReason::Probationary),
            Excluded::Suspended => Some(ExclusionReason::Suspended),
            Excluded::Closed => Some(ExclusionReason::Closed),
            Excluded::AwayOverSixMonths => Some(ExclusionReason::AwayOverSixMonths),
        }
    }
}

/// A refused step: 409 with a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

const fn refused(code: &'static str, zh: &'static str, en: &'static str) -> Refused {
    Refused { code, zh, en }
}

pub const NOT_OPEN: Refused = refused(
    "campaign_not_open",
    "考评已进入公示或已评定，不能再修改自评、互评、审定",
    "The campaign is past its evaluation step",
);
pub const EXCLUDED: Refused = refused(
    "member_excluded",
    "该党员本年度不参加考评",
    "The member is not evaluated this year",
);
pub const VETOED: Refused = refused(
    "member_vetoed",
    "该党员已被一票否决",
    "The member is vetoed",
);
pub const NOT_READY_FOR_REVIEW: Refused = refused(
    "review_needs_self_and_peer",
    "组织审定须在个人自评和党员互评之后",
    "The review needs the self-evaluation and the peer evaluation first",
);
pub const NOT_ALL_REVIEWED: Refused = refused(
    "entries_not_reviewed",
    "仍有参评党员未完成组织审定（或一票否决），不能开始公示",
    "Every member must be reviewed (or vetoed) before the notice",
);
pub const NOT_IN_NOTICE: Refused = refused(
    "campaign_not_in_notice",
    "只有公示期间才能登记和答复异议",
    "Objections are recorded and answered during the notice",
);
pub const NOTICE_NOT_OVER: Refused = refused(
    "notice_not_over",
    "公示期尚未结束",
    "The notice period is not over",
);
pub const OBJECTIONS_OPEN: Refused = refused(
    "objections_unanswered",
    "仍有异议未答复",
    "Some objections are not answered",
);
pub const ALREADY_ANSWERED: Refused = refused(
    "objection_answered",
    "该异议已答复",
    "The objection is already answered",
);
pub const NOT_FINAL: Refused = refused(
    "campaign_not_final",
    "星级评定后才能评选优秀党员、落实帮扶和上报",
    "Stars must be final first",
);
pub const OUTSTANDING_NEEDS_FOUR: Refused = refused(
    "outstanding_needs_four_stars",
    "优秀党员必须在先锋指数五星、四星的党员中产生",
    "Outstanding members are chosen from 4- and 5-star members only",
);
pub const NO_HELP_NEEDED: Refused = refused(
    "help_not_needed",
    "谈心谈话、结对帮扶针对二星、一星党员",
    "Talks and mentors are for 1- and 2-star members",
);
pub const NO_RECORD_ITEM: Refused = refused(
    "record_item_missing",
    "记实目录中没有“党员先锋指数”项目（A04），请县级管理员恢复后再评定",
    "The records catalogue lacks the vanguard item (A04); restore it first",
);
pub const NO_COMMITTEE: Refused = refused(
    "committee_unit_missing",
    "组织架构中没有县个民协会党委，无法登记考评结果",
    "The org tree has no association committee to record the results",
);
pub const ALREADY_REPORTED: Refused = refused(
    "campaign_reported",
    "考评情况已上报",
    "The report is already sent",
);

/// 409: the year's campaign is open already (checked first, and by the unique key when two
/// open it at once).
pub fn campaign_exists() -> crate::error::AppError {
    crate::error::AppError::conflict(
        "campaign_exists",
        "该年度的先锋指数考评已经开始",
        "The year's campaign exists",
    )
}

/// Whether a step of evaluation may be recorded on an entry.
pub fn may_evaluate(state: CampaignState, excluded: bool, vetoed: bool) -> Result<(), Refused> {
    if state != CampaignState::Open {
        return Err(NOT_OPEN);
    }
    if excluded {
        return Err(EXCLUDED);
    }
    if vetoed {
        return Err(VETOED);
    }
    Ok(())
}

/// Peer evaluation as the aggregate it is shown as: raters and the mean stars (tenths).
pub fn peer_summary(votes: [u32; 5]) -> Option<(u32, u32)> {
    let raters: u32 = votes.iter().sum();
    if raters == 0 {
        return None;
    }
    let weighted: u64 = votes
        .iter()
        .zip(1u64..)
        .map(|(v, s)| u64::from(*v) * s)
        .sum();
    // Rounded half up to a tenth.
    let tenths = (weighted * 20 + u64::from(raters)) / (2 * u64::from(raters));
    Some((raters, u32::try_from(tenths).unwrap_or(50)))
}

/// The last day of an N-day notice that starts on `from`.
pub fn notice_until(from: NaiveDate, days: u32) -> NaiveDate {
    from.checked_add_days(Days::new(u64::from(days.max(1)) - 1))
        .unwrap_or(from)
}

/// The stars become final the day after the notice, with every objection answered.
pub fn may_finalise(
    state: CampaignState,
    until: Option<NaiveDate>,
    today: NaiveDate,
    open_objections: usize,
) -> Result<(), Refused> {
    if state != CampaignState::Notice {
        return Err(NOT_IN_NOTICE);
    }
    if until.is_none_or(|u| today <= u) {
        return Err(NOTICE_NOT_OVER);
    }
    if open_objections > 0 {
        return Err(OBJECTIONS_OPEN);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enums::StrEnum;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn enum_names_round_trip() {
        shuanglian_testkit::assert_str_enum::<CampaignState>();
        shuanglian_testkit::assert_str_enum::<ExclusionReason>();
        shuanglian_testkit::assert_str_enum::<VetoKind>();
        assert_eq!(
            ExclusionReason::AwayOverSixMonths.as_str(),
            "away_over_six_months"
        );
        assert_eq!(ExclusionReason::of(Excluded::NotCovered), None);
    }

    #[test]
    fn steps_are_recorded_only_while_open_on_evaluated_members() {
        assert_eq!(may_evaluate(CampaignState::Open, false, false), Ok(()));
        assert_eq!(
            may_evaluate(CampaignState::Notice, false, false),
            Err(NOT_OPEN)
        );
        assert_eq!(
            may_evaluate(CampaignState::Open, true, false),
            Err(EXCLUDED)
        );
        assert_eq!(may_evaluate(CampaignState::Open, false, true), Err(VETOED));
    }

    #[test]
    fn peers_are_shown_as_a_tally_and_a_mean() {
        assert_eq!(peer_summary([0; 5]), None);
        // 3×5 + 1×4 = 19 over 4: 4.75 → 4.8.
        assert_eq!(peer_summary([0, 0, 0, 1, 3]), Some((4, 48)));
        assert_eq!(peer_summary([1, 0, 0, 0, 0]), Some((1, 10)));
    }

    #[test]
    fn the_notice_runs_n_days_and_final_comes_after_it() {
        let from = d(2026, 11, 20);
        assert_eq!(notice_until(from, 7), d(2026, 11, 26));
        assert_eq!(notice_until(from, 1), from);
        let until = Some(notice_until(from, 7));
        let s = CampaignState::Notice;
        assert_eq!(
            may_finalise(s, until, d(2026, 11, 26), 0),
            Err(NOTICE_NOT_OVER)
        );
        assert_eq!(
            may_finalise(s, until, d(2026, 11, 27), 1),
            Err(OBJECTIONS_OPEN)
        );
        assert_eq!(may_finalise(s, until, d(2026, 11, 27), 0), Ok(()));
        assert_eq!(
            may_finalise(CampaignState::Open, until, d(2026, 12, 27), 0),
            Err(NOT_IN_NOTICE)
        );
    }
}
