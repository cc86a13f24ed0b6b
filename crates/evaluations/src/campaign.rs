//! 百日攻坚 (seed 004; issue 16 item 6): the organisation form suggested for each surveyed
//! non-public economic organisation, with its reason.

/// 单独组建 / 联合组建 / 挂靠组建 / 行业组建 / 选派党建指导员.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Standalone,
    Joint,
    Affiliated,
    Industry,
    Instructor,
}

impl Form {
    pub fn label_zh(self) -> &'static str {
        match self {
            Form::Standalone => "单独组建",
            Form::Joint => "联合组建",
            Form::Affiliated => "挂靠组建",
            Form::Industry => "行业组建",
            Form::Instructor => "选派党建指导员",
        }
    }
}

/// What the survey (调查摸底表) and the organisation's place say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Surveyed {
    /// 正式党员
    pub full: u32,
    /// 预备党员
    pub probationary: u32,
    /// In a specialised market (专业市场) or an industry with its association (行业特征明显).
    pub in_industry: bool,
    /// Full members of the unorganised organisations around it (same market, same village, same
    /// industry), this one excluded.
    pub neighbours_full: u32,
}

/// The form to suggest and why (seed 004 二: 3 full members or more form their own; smaller ones
/// join neighbours, an industry body or a nearby organisation; without members, an instructor).
pub fn suggest(s: &Surveyed) -> (Form, String) {
    if s.full >= 3 {
        return (
            Form::Standalone,
            format!("有{}名正式党员（3名以上单独建立党组织）", s.full),
        );
    }
    if s.full + s.probationary == 0 {
        return (
            Form::Instructor,
            "无党员，尚不具备组建条件，选派党建指导员".to_owned(),
        );
    }
    if s.in_industry {
        return (
            Form::Industry,
            "行业特征明显，依托行业协会、商会或专业市场建立党组织".to_owned(),
        );
    }
    if s.full + s.neighbours_full >= 3 {
        return (
            Form::Joint,
            format!(
                "正式党员{}名，与相邻未建组织合计{}名，按行业相近、地域相邻联合组建",
                s.full,
                s.full + s.neighbours_full
            ),
        );
    }
    (
        Form::Affiliated,
        format!(
            "正式党员{}名、预备党员{}名，不具备单独组建条件，挂靠到地域相近已建党组织",
            s.full, s.probationary
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(full: u32, probationary: u32) -> Surveyed {
        Surveyed {
            full,
            probationary,
            ..Surveyed::default()
        }
    }

    #[test]
    fn three_full_members_stand_alone_probationary_ones_do_not_count() {
        assert_eq!(suggest(&s(3, 0)).0, Form::Standalone);
        assert!(suggest(&s(3, 0)).1.contains("3名正式党员"));
        assert_eq!(suggest(&s(2, 1)).0, Form::Affiliated);
        assert_eq!(suggest(&s(0, 0)).0, Form::Instructor);
        assert_eq!(suggest(&s(0, 2)).0, Form::Affiliated);
    }

    #[test]
    fn small_ones_go_by_industry_or_join_neighbours() {
        let industry = Surveyed {
            in_industry: true,
            ..s(1, 0)
        };
        assert_eq!(suggest(&industry).0, Form::Industry);
        let joint = Surveyed {
            neighbours_full: 2,
            ..s(1, 0)
        };
        let (form, why) = suggest(&joint);
        assert_eq!(form, Form::Joint);
        assert!(why.contains("合计3名"), "{why}");
        let short = Surveyed {
            neighbours_full: 1,
            ..s(1, 0)
        };
        assert_eq!(suggest(&short).0, Form::Affiliated);
        // Standalone wins over industry: an organisation with its own three forms its own.
        let big = Surveyed {
            in_industry: true,
            ..s(4, 0)
        };
        assert_eq!(suggest(&big).0, Form::Standalone);
        assert_eq!(Form::Joint.label_zh(), "联合组建");
    }
}
