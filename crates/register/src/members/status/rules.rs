//! Which status changes are legal: the kinds of change, the part of a member's state they
//! touch, and [`check`], which also names the history's from → to values.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::business::model::{Refused, business_status_change};
use crate::enums::StrEnum;
use crate::members::model::{BusinessStatus, MembershipStatus};
use crate::members::repo::MemberRow;

/// The kinds of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Change {
    /// 预备 → 正式 (转正); the reverse is refused.
    MembershipStatus,
    /// 经营 / 停歇业 / 注销
    BusinessStatus,
    /// 外出经营 since a date.
    Away,
    /// Back from operating away.
    Returned,
    /// 组织关系转入: the membership comes to a unit of the county.
    TransferIn,
    /// 组织关系转出: the membership leaves for an organisation outside the county.
    TransferOut,
}

/// The part of a member's state that changes here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    pub membership: MembershipStatus,
    pub business: BusinessStatus,
    pub away_since: Option<NaiveDate>,
    /// Whether a unit of this county holds the membership.
    pub held_in_county: bool,
}

impl State {
    pub fn of(r: &MemberRow) -> Self {
        Self {
            membership: MembershipStatus::parse(&r.membership_status)
                .unwrap_or(MembershipStatus::Full),
            business: BusinessStatus::parse(&r.business_status)
                .unwrap_or(BusinessStatus::Operating),
            away_since: r.away_since,
            held_in_county: r.membership_unit_id.is_some(),
        }
    }
}

/// One requested change, already validated for its own fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Membership(MembershipStatus),
    Business(BusinessStatus),
    Away,
    Returned,
    TransferIn,
    TransferOut,
}

/// Presence words for the `away` history values.
pub(super) const PRESENT: &str = "present";
pub(super) const AWAY: &str = "away";
pub(super) const IN_COUNTY: &str = "in_county";
pub(super) const OUTSIDE_COUNTY: &str = "outside_county";

/// Whether `step` may happen in `state`; the history's from → to values when it may.
pub fn check(state: &State, step: &Step) -> Result<(&'static str, &'static str), Refused> {
    match step {
        Step::Membership(to) => match (state.membership, to) {
            (MembershipStatus::Probationary, MembershipStatus::Full) => {
                Ok(("probationary", "full"))
            }
            (MembershipStatus::Full, MembershipStatus::Probationary) => Err(Refused {
                code: "full_member_cannot_become_probationary",
                zh: "正式党员不能改为预备党员",
                en: "A full member cannot become probationary again",
            }),
            (MembershipStatus::Full, MembershipStatus::Full) => Err(Refused {
                code: "already_full_member",
                zh: "该党员已是正式党员",
                en: "The member is already a full member",
            }),
            (MembershipStatus::Probationary, MembershipStatus::Probationary) => Err(Refused {
                code: "status_unchanged",
                zh: "该党员已是预备党员",
                en: "The member is already probationary",
            }),
        },
        Step::Business(to) => {
            business_status_change(state.business, *to)?;
            Ok((state.business.as_str(), to.as_str()))
        }
        Step::Away if state.away_since.is_some() => Err(Refused {
            code: "already_away",
            zh: "该党员已登记为外出经营",
            en: "The member is already recorded as operating away",
        }),
        Step::Away => Ok((PRESENT, AWAY)),
        Step::Returned if state.away_since.is_none() => Err(Refused {
            code: "not_away",
            zh: "该党员未登记外出经营",
            en: "The member is not recorded as operating away",
        }),
        Step::Returned => Ok((AWAY, PRESENT)),
        Step::TransferIn if state.held_in_county => Err(Refused {
            code: "already_in_county",
            zh: "该党员的组织关系已在本县，无需转入",
            en: "The membership is already held in the county",
        }),
        Step::TransferIn => Ok((OUTSIDE_COUNTY, IN_COUNTY)),
        Step::TransferOut if !state.held_in_county => Err(Refused {
            code: "not_held_in_county",
            zh: "该党员的组织关系不在本县（可能已转出），不能转出",
            en: "The membership is not held in the county (already transferred out?)",
        }),
        Step::TransferOut => Ok((IN_COUNTY, OUTSIDE_COUNTY)),
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::members::model::{BusinessStatus, MembershipStatus};

    #[test]
    fn change_names() {
        shuanglian_testkit::assert_str_enum::<Change>();
    }

    fn state() -> State {
        State {
            membership: MembershipStatus::Probationary,
            business: BusinessStatus::Operating,
            away_since: None,
            held_in_county: true,
        }
    }

    #[test]
    fn probationary_members_become_full_and_never_back() {
        let s = state();
        assert_eq!(
            check(&s, &Step::Membership(MembershipStatus::Full)),
            Ok(("probationary", "full"))
        );
        let full = State {
            membership: MembershipStatus::Full,
            ..state()
        };
        assert_eq!(
            check(&full, &Step::Membership(MembershipStatus::Probationary))
                .unwrap_err()
                .code,
            "full_member_cannot_become_probationary"
        );
        assert_eq!(
            check(&full, &Step::Membership(MembershipStatus::Full))
                .unwrap_err()
                .code,
            "already_full_member"
        );
        assert_eq!(
            check(&s, &Step::Membership(MembershipStatus::Probationary))
                .unwrap_err()
                .code,
            "status_unchanged"
        );
    }

    #[test]
    fn business_away_and_transfers_follow_the_state() {
        let s = state();
        assert_eq!(
            check(&s, &Step::Business(BusinessStatus::Suspended)),
            Ok(("operating", "suspended"))
        );
        let closed = State {
            business: BusinessStatus::Closed,
            ..state()
        };
        assert_eq!(
            check(&closed, &Step::Business(BusinessStatus::Operating))
                .unwrap_err()
                .code,
            "business_closed"
        );
        assert_eq!(check(&s, &Step::Away), Ok(("present", "away")));
        assert_eq!(check(&s, &Step::Returned).unwrap_err().code, "not_away");
        let away = State {
            away_since: NaiveDate::from_ymd_opt(2026, 3, 1),
            ..state()
        };
        assert_eq!(check(&away, &Step::Away).unwrap_err().code, "already_away");
        assert_eq!(check(&away, &Step::Returned), Ok(("away", "present")));
        assert_eq!(
            check(&s, &Step::TransferOut),
            Ok(("in_county", "outside_county"))
        );
        assert_eq!(
            check(&s, &Step::TransferIn).unwrap_err().code,
            "already_in_county"
        );
        let out = State {
            held_in_county: false,
            ..state()
        };
        assert_eq!(
            check(&out, &Step::TransferOut).unwrap_err().code,
            "not_held_in_county"
        );
        assert_eq!(
            check(&out, &Step::TransferIn),
            Ok(("outside_county", "in_county"))
        );
        for &c in Change::ALL {
            assert_eq!(Change::parse(c.as_str()), Some(c));
        }
    }
}
