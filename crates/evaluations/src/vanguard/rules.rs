//! 党员先锋指数 (seed 001; issue 16 item 2): who is evaluated in a year, and the rules on stars.

use chrono::{Months, NaiveDate};
use shuanglian_register::members::model::{
    BusinessStatus, Category, Distribution, MembershipStatus,
};

/// What eligibility reads of a member, as the register holds it on the evaluation's day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub category: Category,
    pub distribution: Distribution,
    pub membership: MembershipStatus,
    pub business: BusinessStatus,
    /// Away operating elsewhere since (外出经营).
    pub away_since: Option<NaiveDate>,
}

/// Why a member is not evaluated this year (the list shows it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Excluded {
    /// 属地党员 who are not market members: their village evaluates them.
    NotCovered,
    /// 预备党员
    Probationary,
    /// 停歇业
    Suspended,
    /// 注销
    Closed,
    /// 外出经营超过6个月
    AwayOverSixMonths,
}

impl Excluded {
    pub fn label_zh(self) -> &'static str {
        match self {
            Excluded::NotCovered => "属地党员（非市场经营户）由所在村（社区）评定",
            Excluded::Probationary => "预备党员",
            Excluded::Suspended => "停歇业",
            Excluded::Closed => "已注销",
            Excluded::AwayOverSixMonths => "外出经营超过6个月",
        }
    }
}

/// Affiliated members and market members are evaluated, floating members included; not
/// probationary members, nor those whose business is suspended or closed, nor those away
/// operating for more than six months on `as_of` (six months to the day is not more).
pub fn eligible(m: &Standing, as_of: NaiveDate) -> Result<(), Excluded> {
    let covered = matches!(m.category, Category::Affiliated | Category::Floating)
        || m.distribution == Distribution::MarketBusiness;
    if !covered {
        return Err(Excluded::NotCovered);
    }
    if m.membership == MembershipStatus::Probationary {
        return Err(Excluded::Probationary);
    }
    match m.business {
        BusinessStatus::Suspended => return Err(Excluded::Suspended),
        BusinessStatus::Closed => return Err(Excluded::Closed),
        BusinessStatus::Operating => {}
    }
    if let Some(since) = m.away_since
        && since
            .checked_add_months(Months::new(6))
            .is_some_and(|d| as_of > d)
    {
        return Err(Excluded::AwayOverSixMonths);
    }
    Ok(())
}

/// Stars, 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stars(u8);

impl Stars {
    pub fn new(n: u8) -> Option<Stars> {
        (1..=5).contains(&n).then_some(Stars(n))
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// 4–5 stars: recommended first (优先推荐).
    pub fn recommended(self) -> bool {
        self.0 >= 4
    }

    /// 1–2 stars: a talk (谈心谈话) and a mentor (结对帮扶), tracked to completion.
    pub fn needs_help(self) -> bool {
        self.0 <= 2
    }
}

/// 优秀党员 are chosen only from 4- and 5-star members.
pub fn may_be_outstanding(stars: Stars) -> Result<(), &'static str> {
    if stars.recommended() {
        Ok(())
    } else {
        Err("outstanding_needs_four_stars")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn member() -> Standing {
        Standing {
            category: Category::Affiliated,
            distribution: Distribution::IndividualBusiness,
            membership: MembershipStatus::Full,
            business: BusinessStatus::Operating,
            away_since: None,
        }
    }

    #[test]
    fn affiliated_floating_and_market_members_are_evaluated() {
        let as_of = d(2026, 11, 30);
        assert_eq!(eligible(&member(), as_of), Ok(()));
        let floating = Standing {
            category: Category::Floating,
            ..member()
        };
        assert_eq!(eligible(&floating, as_of), Ok(()));
        let local = Standing {
            category: Category::Local,
            ..member()
        };
        assert_eq!(eligible(&local, as_of), Err(Excluded::NotCovered));
        let local_market = Standing {
            distribution: Distribution::MarketBusiness,
            ..local
        };
        assert_eq!(eligible(&local_market, as_of), Ok(()));
    }

    #[test]
    fn probationary_suspended_closed_and_long_away_members_are_excluded() {
        let as_of = d(2026, 11, 30);
        let with = |f: fn(&mut Standing)| {
            let mut m = member();
            f(&mut m);
            eligible(&m, as_of)
        };
        assert_eq!(
            with(|m| m.membership = MembershipStatus::Probationary),
            Err(Excluded::Probationary)
        );
        assert_eq!(
            with(|m| m.business = BusinessStatus::Suspended),
            Err(Excluded::Suspended)
        );
        assert_eq!(
            with(|m| m.business = BusinessStatus::Closed),
            Err(Excluded::Closed)
        );
        // Away since 30 May: six months on 30 November, still evaluated; since 29 May, six
        // months and a day: excluded.
        assert_eq!(with(|m| m.away_since = Some(d(2026, 5, 30))), Ok(()));
        assert_eq!(
            with(|m| m.away_since = Some(d(2026, 5, 29))),
            Err(Excluded::AwayOverSixMonths)
        );
        assert!(Excluded::AwayOverSixMonths.label_zh().contains("6个月"));
    }

    #[test]
    fn outstanding_members_come_from_four_and_five_stars() {
        assert_eq!(Stars::new(0), None);
        assert_eq!(Stars::new(6), None);
        let s = |n| Stars::new(n).unwrap();
        assert_eq!(
            may_be_outstanding(s(3)),
            Err("outstanding_needs_four_stars")
        );
        assert!(may_be_outstanding(s(4)).is_ok() && may_be_outstanding(s(5)).is_ok());
        assert!(s(4).recommended() && !s(3).recommended());
        assert!(s(2).needs_help() && s(1).needs_help() && !s(3).needs_help());
    }
}
