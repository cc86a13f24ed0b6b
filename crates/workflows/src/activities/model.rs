//! An activity of a service centre (党员参加活动流程, seed 002 附件3 三): its kinds and states,
//! who may take which step, and the transition rules, as plain functions.

use chrono::NaiveDate;

pub use crate::centres::model::Standing;
use crate::centres::model::{Refused, str_enum};

str_enum! {
    /// What kind of activity. Trainings count towards the training rates of the evaluations.
    pub enum CentreActivityKind {
        /// 主题党日
        ThemeDay => "主题党日",
        /// 培训 (counted for training rates)
        Training => "培训",
        /// 志愿服务
        Volunteer => "志愿服务",
        /// 学习交流
        Study => "学习交流",
        Other => "其他",
    }
}

str_enum! {
    /// Where an activity stands.
    pub enum ActivityState {
        /// 草拟: the director is writing the plan.
        Draft => "草拟",
        /// 待审批: with the association committee.
        Submitted => "待审批",
        /// 已退回: the committee returned it with a reason; the director revises it.
        Returned => "已退回",
        /// 已批准
        Approved => "已批准",
        /// 已通知: the audience is notified; the roster is fixed.
        Notified => "已通知",
        /// 已举行: attendance is recorded.
        Held => "已举行",
        /// 已取消
        Cancelled => "已取消",
    }
}

str_enum! {
    /// A member's attendance.
    pub enum AttendanceStatus {
        /// 已通知, not recorded yet.
        Invited => "已通知",
        /// 出席
        Present => "出席",
        /// 缺席
        Absent => "缺席",
        /// 请假
        Excused => "请假",
    }
}

/// A step someone asks for on an activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Change the plan (draft or returned).
    Edit,
    /// 报协会党委审批
    Submit,
    Approve,
    /// 退回 (with a reason)
    Return,
    /// 通知参加人员
    Notify,
    /// 记录出勤
    RecordAttendance,
    Cancel,
}

const CANCELLED: Refused = Refused {
    code: "activity_cancelled",
    zh: "该活动已取消",
    en: "The activity is cancelled",
};
const NOT_EDITABLE: Refused = Refused {
    code: "activity_not_editable",
    zh: "只有草拟或被退回的活动方案可以修改、报批",
    en: "Only a draft or returned plan can be changed or submitted",
};
const NOT_SUBMITTED: Refused = Refused {
    code: "activity_not_submitted",
    zh: "只有待审批的活动方案可以批准或退回",
    en: "Only a submitted plan can be approved or returned",
};
const NOT_APPROVED: Refused = Refused {
    code: "activity_not_approved",
    zh: "活动方案经协会党委批准后才能通知参加人员",
    en: "The audience is notified once the association committee has approved the plan",
};
const ALREADY_NOTIFIED: Refused = Refused {
    code: "already_notified",
    zh: "该活动已通知参加人员",
    en: "The audience has already been notified",
};
const NOT_NOTIFIED: Refused = Refused {
    code: "activity_not_notified",
    zh: "活动通知参加人员后才能记录出勤",
    en: "Attendance is recorded once the audience has been notified",
};
const ALREADY_HELD: Refused = Refused {
    code: "activity_held",
    zh: "该活动已举行，不能取消",
    en: "The activity has been held and cannot be cancelled",
};

/// Whether `action` is allowed in `state`, and the state it leads to.
pub fn next(state: ActivityState, action: Action) -> Result<ActivityState, Refused> {
    use Action as A;
    use ActivityState as S;
    match (state, action) {
        (S::Cancelled, _) => Err(CANCELLED),
        (S::Draft | S::Returned, A::Edit) => Ok(state),
        (S::Draft | S::Returned, A::Submit) => Ok(S::Submitted),
        (_, A::Edit | A::Submit) => Err(NOT_EDITABLE),
        (S::Submitted, A::Approve) => Ok(S::Approved),
        (S::Submitted, A::Return) => Ok(S::Returned),
        (_, A::Approve | A::Return) => Err(NOT_SUBMITTED),
        (S::Approved, A::Notify) => Ok(S::Notified),
        (S::Notified | S::Held, A::Notify) => Err(ALREADY_NOTIFIED),
        (_, A::Notify) => Err(NOT_APPROVED),
        (S::Notified | S::Held, A::RecordAttendance) => Ok(S::Held),
        (_, A::RecordAttendance) => Err(NOT_NOTIFIED),
        (S::Held, A::Cancel) => Err(ALREADY_HELD),
        (_, A::Cancel) => Ok(S::Cancelled),
    }
}

/// The director plans, submits and calls off (中心主任拟定活动方案); the association committee
/// approves or returns (报协会党委审批); the centre's staff notify and record attendance.
pub fn may_act(action: Action, who: Standing) -> bool {
    match action {
        Action::Edit | Action::Submit | Action::Cancel => who.director,
        Action::Approve | Action::Return => who.committee,
        Action::Notify | Action::RecordAttendance => who.staff || who.director,
    }
}

const DATE_PASSED: Refused = Refused {
    code: "activity_date_passed",
    zh: "活动日期已过，不能再通知参加人员",
    en: "The activity's day has passed; its audience can no longer be notified",
};
const NOT_YET_HELD: Refused = Refused {
    code: "activity_not_yet_held",
    zh: "活动举行当天或之后才能记录出勤",
    en: "Attendance is recorded on or after the activity's day",
};

/// Notices go out before the day, at the latest on it.
pub fn may_notify(held_on: NaiveDate, today: NaiveDate) -> Result<(), Refused> {
    if today > held_on {
        Err(DATE_PASSED)
    } else {
        Ok(())
    }
}

/// Attendance is known from the activity's day on.
pub fn may_record(held_on: NaiveDate, today: NaiveDate) -> Result<(), Refused> {
    if today < held_on {
        Err(NOT_YET_HELD)
    } else {
        Ok(())
    }
}

/// A start time as `HH:MM` (24-hour, Beijing time), normalised; `None` if it is not one.
pub fn start_time(s: &str) -> Option<String> {
    let (h, m) = s.trim().split_once(':')?;
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if h.is_empty() || h.len() > 2 || m.len() != 2 || !digits(h) || !digits(m) {
        return None;
    }
    let h: u8 = h.parse().ok()?;
    let m: u8 = m.parse().ok()?;
    (h < 24 && m < 60).then(|| format!("{h:02}:{m:02}"))
}

/// A step's name in the activity's history and on the member's time line.
pub fn step_label_zh(kind: &str) -> &'static str {
    match kind {
        "planned" => "拟定活动方案",
        "revised" => "修改活动方案",
        "submitted" => "报协会党委审批",
        "approved" => "批准",
        "returned" => "退回",
        "notified" => "通知参加人员",
        "attendance" => "记录出勤",
        "cancelled" => "取消",
        _ => "办理",
    }
}

/// The counts of a roster, by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub invited: i64,
    pub present: i64,
    pub absent: i64,
    pub excused: i64,
}

impl Tally {
    pub fn add(&mut self, s: AttendanceStatus, n: i64) {
        match s {
            AttendanceStatus::Invited => self.invited += n,
            AttendanceStatus::Present => self.present += n,
            AttendanceStatus::Absent => self.absent += n,
            AttendanceStatus::Excused => self.excused += n,
        }
    }

    pub fn total(&self) -> i64 {
        self.invited + self.present + self.absent + self.excused
    }

    /// Present over everyone expected (the excused are not expected), in per mille; `None`
    /// when nobody was expected.
    pub fn attendance_permille(&self) -> Option<i64> {
        let expected = self.total() - self.excused;
        (expected > 0).then(|| self.present * 1000 / expected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enums::StrEnum;
    use Action as A;
    use ActivityState as S;
    use shuanglian_testkit::assert_str_enum;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn enum_names_round_trip() {
        assert_str_enum::<CentreActivityKind>();
        assert_str_enum::<ActivityState>();
        assert_str_enum::<AttendanceStatus>();
        assert_eq!(
            CentreActivityKind::parse("training"),
            Some(CentreActivityKind::Training)
        );
        assert_eq!(CentreActivityKind::Training.label_zh(), "培训");
        assert_eq!(AttendanceStatus::parse("late"), None);
    }

    #[test]
    fn a_plan_goes_through_approval_notice_and_attendance() {
        let mut s = S::Draft;
        for (a, want) in [
            (A::Edit, S::Draft),
            (A::Submit, S::Submitted),
            (A::Return, S::Returned),
            (A::Edit, S::Returned),
            (A::Submit, S::Submitted),
            (A::Approve, S::Approved),
            (A::Notify, S::Notified),
            (A::RecordAttendance, S::Held),
            (A::RecordAttendance, S::Held),
        ] {
            s = next(s, a).unwrap_or_else(|r| panic!("{a:?} in {s:?}: {}", r.code));
            assert_eq!(s, want, "{a:?}");
        }
    }

    #[test]
    fn each_illegal_step_has_its_code() {
        let code = |s, a| next(s, a).unwrap_err().code;
        assert_eq!(code(S::Submitted, A::Edit), "activity_not_editable");
        assert_eq!(code(S::Approved, A::Submit), "activity_not_editable");
        assert_eq!(code(S::Draft, A::Approve), "activity_not_submitted");
        assert_eq!(code(S::Approved, A::Return), "activity_not_submitted");
        assert_eq!(code(S::Submitted, A::Notify), "activity_not_approved");
        assert_eq!(code(S::Draft, A::Notify), "activity_not_approved");
        assert_eq!(code(S::Notified, A::Notify), "already_notified");
        assert_eq!(code(S::Held, A::Notify), "already_notified");
        assert_eq!(
            code(S::Approved, A::RecordAttendance),
            "activity_not_notified"
        );
        assert_eq!(code(S::Held, A::Cancel), "activity_held");
        for a in [
            A::Edit,
            A::Submit,
            A::Approve,
            A::Return,
            A::Notify,
            A::RecordAttendance,
            A::Cancel,
        ] {
            assert_eq!(code(S::Cancelled, a), "activity_cancelled");
        }
        for s in [
            S::Draft,
            S::Submitted,
            S::Returned,
            S::Approved,
            S::Notified,
        ] {
            assert_eq!(next(s, A::Cancel), Ok(S::Cancelled), "{s:?}");
        }
    }

    #[test]
    fn the_director_plans_the_committee_decides_the_staff_carry_out() {
        let director = Standing {
            director: true,
            staff: false,
            committee: false,
        };
        let staff = Standing {
            director: false,
            staff: true,
            committee: false,
        };
        let committee = Standing {
            director: false,
            staff: false,
            committee: true,
        };
        for a in [A::Edit, A::Submit, A::Cancel] {
            assert!(may_act(a, director), "{a:?}");
            assert!(!may_act(a, staff), "{a:?}");
            assert!(!may_act(a, committee), "{a:?}");
        }
        for a in [A::Approve, A::Return] {
            assert!(may_act(a, committee), "{a:?}");
            assert!(!may_act(a, director), "{a:?}");
            assert!(!may_act(a, staff), "{a:?}");
        }
        for a in [A::Notify, A::RecordAttendance] {
            assert!(may_act(a, staff), "{a:?}");
            assert!(may_act(a, director), "{a:?}");
            assert!(!may_act(a, committee), "{a:?}");
        }
    }

    #[test]
    fn notices_before_the_day_attendance_from_it() {
        let day = d(2026, 12, 7);
        assert!(may_notify(day, d(2026, 12, 6)).is_ok());
        assert!(may_notify(day, day).is_ok());
        assert_eq!(
            may_notify(day, d(2026, 12, 8)).unwrap_err().code,
            "activity_date_passed"
        );
        assert!(may_record(day, day).is_ok());
        assert!(may_record(day, d(2027, 1, 1)).is_ok());
        assert_eq!(
            may_record(day, d(2026, 12, 6)).unwrap_err().code,
            "activity_not_yet_held"
        );
    }

    #[test]
    fn start_times_are_hours_and_minutes() {
        assert_eq!(start_time("9:30").as_deref(), Some("09:30"));
        assert_eq!(start_time(" 14:05 ").as_deref(), Some("14:05"));
        assert_eq!(start_time("00:00").as_deref(), Some("00:00"));
        assert_eq!(start_time("23:59").as_deref(), Some("23:59"));
        for bad in [
            "24:00",
            "12:60",
            "12",
            "12:5",
            "123:00",
            ":30",
            "ab:cd",
            "-1:30",
            "+1:30",
            "１２:００",
        ] {
            assert_eq!(start_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn attendance_counts_the_excused_out() {
        let mut t = Tally::default();
        assert_eq!(t.attendance_permille(), None);
        t.add(AttendanceStatus::Present, 3);
        t.add(AttendanceStatus::Absent, 1);
        t.add(AttendanceStatus::Excused, 2);
        assert_eq!(t.total(), 6);
        assert_eq!(t.attendance_permille(), Some(750));
        let mut all_excused = Tally::default();
        all_excused.add(AttendanceStatus::Excused, 2);
        assert_eq!(all_excused.attendance_permille(), None);
    }
}
