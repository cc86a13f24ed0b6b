//! A service request (党员诉求, seed 002 附件3 二 and 附件4): its states, categories and the
//! ways it was taken, answered and followed up, and the transition rules as plain functions.

use chrono::NaiveDate;

macro_rules! str_enum {
    ($(#[$m:meta])* pub enum $name:ident { $($(#[$vm:meta])* $v:ident => $zh:literal,)* }) => {
        $(#[$m])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
            poem_openapi::Enum,
        )]
        #[serde(rename_all = "snake_case")]
        #[oai(rename_all = "snake_case")]
        #[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
        #[strum(serialize_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v,)* }

        impl $name {
            pub fn label_zh(self) -> &'static str {
                match self { $($name::$v => $zh,)* }
            }
        }
    };
}
// The service centres' enums (requests and activities) are all declared so.
pub(crate) use str_enum;

str_enum! {
    /// Where a request stands.
    pub enum RequestState {
        /// 已受理: written on the 受(办)理表 by its first responder.
        Taken => "已受理",
        /// 已转办: escalated to the centre director, on the 7-working-day clock.
        Escalated => "已转办（限时办结）",
        /// 已答复: the member has the answer.
        Answered => "已答复",
        /// 已归档
        Archived => "已归档",
    }
}

str_enum! {
    /// 现场或者电话受理.
    pub enum RequestChannel {
        OnSite => "现场",
        Phone => "电话",
    }
}

str_enum! {
    /// What the member asks for (seed 002 附件2: 咨询服务, 维权, 法律援助, 困难和问题).
    pub enum RequestCategory {
        Consultation => "咨询",
        Rights => "维权",
        LegalAid => "法律援助",
        Hardship => "困难帮扶",
        Other => "其他",
    }
}

str_enum! {
    /// How the answer reached the member.
    pub enum AnswerMethod {
        InPerson => "当面答复",
        Phone => "电话答复",
        Letter => "书面答复",
        Sms => "短信答复",
        Online => "网上答复",
    }
}

str_enum! {
    /// 以电话、信函、走访等适当形式进行回访.
    pub enum FollowUpMethod {
        Phone => "电话回访",
        Letter => "信函回访",
        Visit => "走访",
    }
}

str_enum! {
    /// The member's satisfaction at the follow-up (征求意见).
    pub enum Satisfaction {
        Satisfied => "满意",
        BasicallySatisfied => "基本满意",
        Dissatisfied => "不满意",
    }
}

/// A step someone asks for on a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// 转办中心主任 (starts the 7-working-day clock).
    Escalate,
    /// 特殊情况适当延长 (a reason and a later due date).
    Extend,
    /// Another staff member of the centre takes over (a reason).
    HandOver,
    /// 告知办理结果.
    Answer,
    /// 回访, after the answer.
    FollowUp,
    Archive,
}

/// What a caller is to a service centre (who may act on its requests, activities,
/// registrations and letters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// The centre director (branch staff bound to the centre's branch).
    pub director: bool,
    /// Staff of the centre (the director included).
    pub staff: bool,
    /// The county association's party committee (协会党委).
    pub committee: bool,
}

/// A refused step: a stable code (409) and both messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

const ARCHIVED: Refused = Refused {
    code: "request_archived",
    zh: "该诉求已归档，不能再修改",
    en: "The request is archived and cannot change",
};
const ALREADY_ESCALATED: Refused = Refused {
    code: "already_escalated",
    zh: "该诉求已转办中心主任",
    en: "The request is already escalated to the centre director",
};
const NOT_ESCALATED: Refused = Refused {
    code: "not_escalated",
    zh: "只有已转办、限时办结中的诉求才能延长办理期限",
    en: "Only an escalated request, on the clock, can be extended",
};
const ALREADY_ANSWERED: Refused = Refused {
    code: "already_answered",
    zh: "该诉求已答复",
    en: "The request has already been answered",
};
const NOT_ANSWERED: Refused = Refused {
    code: "not_answered",
    zh: "该诉求尚未答复",
    en: "The request has not been answered yet",
};
const FOLLOW_UP_MISSING: Refused = Refused {
    code: "follow_up_required",
    zh: "重大服务事项办结后须回访并征求意见，方可归档",
    en: "A major request is followed up, with the member's opinion, before it is archived",
};

/// A refused step answers 409 with its code and both messages.
impl From<Refused> for crate::error::AppError {
    fn from(r: Refused) -> Self {
        crate::error::AppError::conflict(r.code, r.zh, r.en)
    }
}

/// What a step needs to know about a request besides its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub major: bool,
    pub followed_up: bool,
}

/// Whether `action` is allowed, and the state it leads to.
pub fn next(state: RequestState, facts: Facts, action: Action) -> Result<RequestState, Refused> {
    use Action as A;
    use RequestState as S;
    match (state, action) {
        (S::Archived, _) => Err(ARCHIVED),
        (S::Taken, A::Escalate) => Ok(S::Escalated),
        (_, A::Escalate) => Err(ALREADY_ESCALATED),
        (S::Escalated, A::Extend) => Ok(S::Escalated),
        (_, A::Extend) => Err(NOT_ESCALATED),
        (S::Taken | S::Escalated, A::HandOver) => Ok(state),
        (_, A::HandOver) => Err(ALREADY_ANSWERED),
        (S::Taken | S::Escalated, A::Answer) => Ok(S::Answered),
        (_, A::Answer) => Err(ALREADY_ANSWERED),
        (S::Answered, A::FollowUp) => Ok(S::Answered),
        (_, A::FollowUp) => Err(NOT_ANSWERED),
        (S::Answered, A::Archive) if facts.major && !facts.followed_up => Err(FOLLOW_UP_MISSING),
        (S::Answered, A::Archive) => Ok(S::Archived),
        (_, A::Archive) => Err(NOT_ANSWERED),
    }
}

/// A step's name in the 受(办)理表's history and on the member's time line (the kinds of
/// `service_request_events`).
pub fn step_label_zh(kind: &str) -> &'static str {
    match kind {
        "taken" => "受理",
        "escalated" => "转办中心主任",
        "extended" => "延长办理期限",
        "handed_over" => "移交办理",
        "answered" => "答复",
        "followed_up" => "回访",
        "archived" => "归档",
        _ => "办理",
    }
}

/// Who may take a step: the first responder owns the request to the end (首问责任制), so the
/// current owner may do everything; once escalated, the centre director (a branch officer of the
/// centre's branch) coordinates it and may extend, answer, hand over and archive too.
pub fn may_act(action: Action, is_owner: bool, is_director: bool, state: RequestState) -> bool {
    is_owner
        || (is_director
            && state != RequestState::Taken
            && matches!(
                action,
                Action::Extend | Action::HandOver | Action::Answer | Action::Archive
            ))
}

/// An extension's new due date must be later than the current one.
pub fn extension_ok(current_due: Option<NaiveDate>, new_due: NaiveDate) -> bool {
    current_due.is_some_and(|d| new_due > d)
}

/// Whether an escalated request was (or is) late on `as_of`: answered after its due day, or
/// still open past it.
pub fn overdue(
    due_on: Option<NaiveDate>,
    answered_on: Option<NaiveDate>,
    as_of: NaiveDate,
) -> bool {
    match (due_on, answered_on) {
        (Some(due), Some(answered)) => answered > due,
        (Some(due), None) => as_of > due,
        (None, _) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deadlines::ObligationKind;
    use crate::deadlines::calendar::Calendar;
    use crate::deadlines::rules::Rules;
    use crate::enums::StrEnum;
    use Action as A;
    use RequestState as S;
    use shuanglian_testkit::assert_str_enum;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    const PLAIN: Facts = Facts {
        major: false,
        followed_up: false,
    };

    #[test]
    fn enum_names_round_trip() {
        assert_str_enum::<RequestState>();
        assert_str_enum::<RequestChannel>();
        assert_str_enum::<RequestCategory>();
        assert_str_enum::<AnswerMethod>();
        assert_str_enum::<FollowUpMethod>();
        assert_str_enum::<Satisfaction>();
        assert_eq!(
            RequestCategory::parse("legal_aid"),
            Some(RequestCategory::LegalAid)
        );
        assert_eq!(RequestCategory::LegalAid.label_zh(), "法律援助");
        assert_eq!(RequestChannel::parse("fax"), None);
    }

    #[test]
    fn answered_at_once_or_after_escalation() {
        assert_eq!(next(S::Taken, PLAIN, A::Answer), Ok(S::Answered));
        let mut s = S::Taken;
        for (a, want) in [
            (A::HandOver, S::Taken),
            (A::Escalate, S::Escalated),
            (A::Extend, S::Escalated),
            (A::Extend, S::Escalated),
            (A::HandOver, S::Escalated),
            (A::Answer, S::Answered),
            (A::FollowUp, S::Answered),
            (A::Archive, S::Archived),
        ] {
            s = next(s, PLAIN, a).unwrap_or_else(|r| panic!("{a:?} in {s:?}: {}", r.code));
            assert_eq!(s, want, "{a:?}");
        }
    }

    #[test]
    fn each_illegal_step_has_its_code() {
        let code = |s, f, a| next(s, f, a).unwrap_err().code;
        let major = Facts {
            major: true,
            followed_up: false,
        };
        assert_eq!(code(S::Answered, major, A::Archive), "follow_up_required");
        let done = Facts {
            major: true,
            followed_up: true,
        };
        assert_eq!(next(S::Answered, done, A::Archive), Ok(S::Archived));
        assert_eq!(next(S::Answered, PLAIN, A::Archive), Ok(S::Archived));
        assert_eq!(code(S::Taken, PLAIN, A::Archive), "not_answered");
        assert_eq!(code(S::Escalated, PLAIN, A::Archive), "not_answered");
        assert_eq!(code(S::Taken, PLAIN, A::FollowUp), "not_answered");
        assert_eq!(code(S::Taken, PLAIN, A::Extend), "not_escalated");
        assert_eq!(code(S::Answered, PLAIN, A::Extend), "not_escalated");
        assert_eq!(code(S::Escalated, PLAIN, A::Escalate), "already_escalated");
        assert_eq!(code(S::Answered, PLAIN, A::Escalate), "already_escalated");
        assert_eq!(code(S::Answered, PLAIN, A::Answer), "already_answered");
        assert_eq!(code(S::Answered, PLAIN, A::HandOver), "already_answered");
        for a in [
            A::Escalate,
            A::Extend,
            A::HandOver,
            A::Answer,
            A::FollowUp,
            A::Archive,
        ] {
            assert_eq!(code(S::Archived, done, a), "request_archived");
        }
    }

    #[test]
    fn the_owner_acts_and_the_director_coordinates_what_is_escalated() {
        for a in [
            A::Escalate,
            A::Extend,
            A::HandOver,
            A::Answer,
            A::FollowUp,
            A::Archive,
        ] {
            assert!(may_act(a, true, false, S::Taken), "{a:?}");
            assert!(!may_act(a, false, false, S::Escalated), "{a:?}");
        }
        // The director has nothing to coordinate before the request is escalated to them.
        assert!(!may_act(A::Answer, false, true, S::Taken));
        assert!(may_act(A::Answer, false, true, S::Escalated));
        assert!(may_act(A::Extend, false, true, S::Escalated));
        assert!(may_act(A::HandOver, false, true, S::Escalated));
        assert!(may_act(A::Archive, false, true, S::Answered));
        // Escalating is the first responder's act; the follow-up is theirs too.
        assert!(!may_act(A::Escalate, false, true, S::Escalated));
        assert!(!may_act(A::FollowUp, false, true, S::Answered));
    }

    #[test]
    fn extensions_move_the_day_later_and_lateness_follows_the_answer() {
        assert!(extension_ok(Some(d(2026, 2, 28)), d(2026, 3, 6)));
        assert!(!extension_ok(Some(d(2026, 2, 28)), d(2026, 2, 28)));
        assert!(!extension_ok(Some(d(2026, 2, 28)), d(2026, 2, 27)));
        assert!(!extension_ok(None, d(2026, 3, 6)));
        assert!(!overdue(
            Some(d(2026, 2, 28)),
            Some(d(2026, 2, 28)),
            d(2026, 3, 9)
        ));
        assert!(overdue(
            Some(d(2026, 2, 28)),
            Some(d(2026, 3, 2)),
            d(2026, 3, 9)
        ));
        assert!(overdue(Some(d(2026, 2, 28)), None, d(2026, 3, 1)));
        assert!(!overdue(Some(d(2026, 2, 28)), None, d(2026, 2, 28)));
        assert!(!overdue(None, None, d(2026, 3, 1)));
    }

    /// 限时办结制 on the county's calendar (the shipped 2026 holidays and 调休 workdays): the
    /// seventh working day after receipt, the receipt day not counted.
    #[test]
    fn seven_working_days_across_the_spring_festival_and_national_day_2026() {
        let cal = Calendar::new([]);
        let rules = Rules::new([]);
        let due = |on| {
            rules
                .due_after(ObligationKind::ServiceRequest, on, &cal)
                .unwrap()
        };
        // Thu 12 Feb: Fri 13, Sat 14 (调休 workday), 15–23 Spring Festival, Tue 24 … Fri 27,
        // Sat 28 (调休 workday) is the seventh.
        assert_eq!(due(d(2026, 2, 12)), d(2026, 2, 28));
        // Taken on the holiday's eve (Fri 13): Sat 14, then 24–28 and Mon 2 Mar.
        assert_eq!(due(d(2026, 2, 13)), d(2026, 3, 2));
        // National Day and Mid-Autumn 2026: 1–7 Oct off, Sun 20 Sep and Sat 10 Oct worked.
        // Tue 29 Sep: Wed 30, then Thu 8, Fri 9, Sat 10, Mon 12, Tue 13, Wed 14.
        assert_eq!(due(d(2026, 9, 29)), d(2026, 10, 14));
        // An ordinary week: Mon 2 Nov → Wed 11 Nov.
        assert_eq!(due(d(2026, 11, 2)), d(2026, 11, 11));
    }
}
