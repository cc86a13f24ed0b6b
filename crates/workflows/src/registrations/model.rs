//! A registration at a service centre's window (党员登记报到流程, seed 002 附件3 一): its states,
//! the telephone confirmation's outcomes, the order of the steps and when a registration has
//! stalled, as plain functions.

use chrono::NaiveDate;

use crate::centres::model::{Refused, str_enum};

str_enum! {
    /// Where a registration stands.
    pub enum RegistrationState {
        /// 已填写调查表
        Surveyed => "已填写调查表",
        /// 已电话确认党员身份
        Confirmed => "已确认身份",
        /// 已签订承诺书
        Pledged => "已签订承诺书",
        /// 已发放牌匾和手册
        Equipped => "已发放牌匾和手册",
        /// 已录入党员名册
        Entered => "已录入名册",
        /// 已终止 (not a party member, or the person withdrew), with a reason.
        Closed => "已终止",
    }
}

str_enum! {
    /// What the home organisation said on the telephone.
    pub enum CallOutcome {
        /// 确认是党员
        Confirmed => "确认党员身份",
        /// 未能确认 (not on their roll, or refused)
        NotConfirmed => "未能确认",
        /// 无人接听
        NoAnswer => "无人接听",
    }
}

/// A step someone asks for on a registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// 电话确认 (any outcome; a confirmation moves the registration on).
    Call(CallOutcome),
    Pledge,
    Issue,
    Enter,
    Close,
}

const DONE: Refused = Refused {
    code: "registration_done",
    zh: "该登记已录入名册或已终止",
    en: "The registration is entered or closed",
};
const NOT_CONFIRMED: Refused = Refused {
    code: "membership_not_confirmed",
    zh: "须先与组织关系所在地电话确认党员身份",
    en: "Membership is first confirmed by telephone with the home organisation",
};
const NOT_PLEDGED: Refused = Refused {
    code: "pledge_missing",
    zh: "须先签订争先创优承诺书",
    en: "The pledge is signed first",
};
const NOT_EQUIPPED: Refused = Refused {
    code: "not_equipped",
    zh: "须先发放亮明身份牌匾和党员服务手册",
    en: "The plaque and the member service handbook are issued first",
};
const ALREADY: Refused = Refused {
    code: "step_done",
    zh: "该步骤已办理",
    en: "This step is already done",
};

/// Whether `step` is allowed in `state`, and the state it leads to. The steps go in the seed's
/// order: survey, telephone confirmation, pledge, plaque and handbook, entry in the register.
pub fn next(state: RegistrationState, step: Step) -> Result<RegistrationState, Refused> {
    use RegistrationState as S;
    match (state, step) {
        (S::Entered | S::Closed, _) => Err(DONE),
        (S::Surveyed, Step::Call(CallOutcome::Confirmed)) => Ok(S::Confirmed),
        (S::Surveyed, Step::Call(_)) => Ok(S::Surveyed),
        (_, Step::Call(_)) => Err(ALREADY),
        (S::Confirmed, Step::Pledge) => Ok(S::Pledged),
        (S::Surveyed, Step::Pledge) => Err(NOT_CONFIRMED),
        (_, Step::Pledge) => Err(ALREADY),
        (S::Pledged, Step::Issue) => Ok(S::Equipped),
        (S::Surveyed, Step::Issue) => Err(NOT_CONFIRMED),
        (S::Confirmed, Step::Issue) => Err(NOT_PLEDGED),
        (_, Step::Issue) => Err(ALREADY),
        (S::Equipped, Step::Enter) => Ok(S::Entered),
        (S::Surveyed, Step::Enter) => Err(NOT_CONFIRMED),
        (S::Confirmed, Step::Enter) => Err(NOT_PLEDGED),
        (S::Pledged, Step::Enter) => Err(NOT_EQUIPPED),
        (_, Step::Close) => Ok(S::Closed),
    }
}

/// Days without a step after which an open registration is listed as stalled.
pub const STALL_DAYS: i64 = 10;

/// Why an open registration has stalled, if it has: the home organisation did not confirm on
/// the last call, or nothing happened for [`STALL_DAYS`] days.
pub fn stalled(
    state: RegistrationState,
    last_call: Option<CallOutcome>,
    last_step_on: NaiveDate,
    today: NaiveDate,
) -> Option<&'static str> {
    if matches!(
        state,
        RegistrationState::Entered | RegistrationState::Closed
    ) {
        return None;
    }
    if state == RegistrationState::Surveyed && last_call == Some(CallOutcome::NotConfirmed) {
        return Some("组织关系所在地未能确认党员身份");
    }
    if (today - last_step_on).num_days() >= STALL_DAYS {
        return Some(if state == RegistrationState::Surveyed {
            "超过10天未能确认党员身份"
        } else {
            "超过10天未办理下一步"
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use CallOutcome as C;
    use RegistrationState as S;
    use shuanglian_testkit::assert_str_enum;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn enum_names_round_trip() {
        assert_str_enum::<RegistrationState>();
        assert_str_enum::<CallOutcome>();
    }

    #[test]
    fn the_steps_go_in_the_seeds_order() {
        let mut s = S::Surveyed;
        for (step, want) in [
            (Step::Call(C::NoAnswer), S::Surveyed),
            (Step::Call(C::Confirmed), S::Confirmed),
            (Step::Pledge, S::Pledged),
            (Step::Issue, S::Equipped),
            (Step::Enter, S::Entered),
        ] {
            s = next(s, step).unwrap_or_else(|r| panic!("{step:?} in {s:?}: {}", r.code));
            assert_eq!(s, want);
        }
    }

    #[test]
    fn each_skipped_or_repeated_step_has_its_code() {
        let code = |s, step| next(s, step).unwrap_err().code;
        assert_eq!(code(S::Surveyed, Step::Pledge), "membership_not_confirmed");
        assert_eq!(code(S::Surveyed, Step::Issue), "membership_not_confirmed");
        assert_eq!(code(S::Surveyed, Step::Enter), "membership_not_confirmed");
        assert_eq!(code(S::Confirmed, Step::Issue), "pledge_missing");
        assert_eq!(code(S::Confirmed, Step::Enter), "pledge_missing");
        assert_eq!(code(S::Pledged, Step::Enter), "not_equipped");
        assert_eq!(code(S::Confirmed, Step::Call(C::Confirmed)), "step_done");
        assert_eq!(code(S::Pledged, Step::Pledge), "step_done");
        assert_eq!(code(S::Equipped, Step::Issue), "step_done");
        for step in [
            Step::Call(C::Confirmed),
            Step::Pledge,
            Step::Issue,
            Step::Enter,
            Step::Close,
        ] {
            assert_eq!(code(S::Entered, step), "registration_done");
            assert_eq!(code(S::Closed, step), "registration_done");
        }
        for s in [S::Surveyed, S::Confirmed, S::Pledged, S::Equipped] {
            assert_eq!(next(s, Step::Close), Ok(S::Closed));
        }
    }

    #[test]
    fn a_registration_stalls_on_a_refusal_or_ten_quiet_days() {
        let today = d(12, 7);
        assert_eq!(stalled(S::Surveyed, None, today, today), None);
        assert!(stalled(S::Surveyed, Some(C::NotConfirmed), today, today).is_some());
        assert_eq!(
            stalled(S::Surveyed, Some(C::NoAnswer), d(11, 28), today),
            None
        );
        assert!(stalled(S::Surveyed, Some(C::NoAnswer), d(11, 27), today).is_some());
        assert!(stalled(S::Pledged, None, d(11, 27), today).is_some());
        assert_eq!(stalled(S::Entered, None, d(1, 1), today), None);
        assert_eq!(
            stalled(S::Closed, Some(C::NotConfirmed), d(1, 1), today),
            None
        );
    }
}
