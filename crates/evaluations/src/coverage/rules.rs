//! 百日攻坚 (seed 004): the organisation form suggested for each surveyed non-public economic
//! organisation with its reason, each organisation's coverage on a day, and the 15-day report's
//! tallies, ranking and laggards: plain functions over what the survey and the plans say.

use chrono::NaiveDate;

use super::model::{Body, Form, OrgSetup, PlanStatus};

/// What the survey (调查摸底表) and the organisation's place say, for one body.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Surveyed {
    /// 正式党（团）员
    pub full: u32,
    /// 预备党员 (the League has none)
    pub probationary: u32,
    /// In a specialised market (专业市场) or an industry with its own body (行业特征明显).
    pub in_industry: bool,
    /// Full members of the unorganised organisations around it (same market, or same township
    /// and industry), this one excluded.
    pub neighbours_full: u32,
}

fn words(body: Body) -> (&'static str, &'static str) {
    match body {
        Body::Party => ("党员", "党组织"),
        Body::League => ("团员", "团组织"),
    }
}

/// The form to suggest and why (seed 004 二(二): 3 full members or more form their own; smaller
/// ones join neighbours, an industry body or a nearby organisation; without members, an
/// instructor, 二(一)3).
pub fn suggest(body: Body, s: &Surveyed) -> (Form, String) {
    let (member, org) = words(body);
    if s.full >= 3 {
        return (
            Form::Standalone,
            format!("有{}名正式{member}（3名以上单独建立{org}）", s.full),
        );
    }
    if s.full + s.probationary == 0 {
        return (
            Form::Instructor,
            format!("无{member}，尚不具备组建条件，选派指导员"),
        );
    }
    if s.in_industry {
        return (
            Form::Industry,
            format!("行业特征明显，依托行业协会、商会或专业市场建立{org}"),
        );
    }
    if s.full + s.neighbours_full >= 3 {
        return (
            Form::Joint,
            format!(
                "正式{member}{}名，与相邻未建组织合计{}名，按行业相近、地域相邻联合组建",
                s.full,
                s.full + s.neighbours_full
            ),
        );
    }
    let probationary = match body {
        Body::Party => format!("、预备党员{}名", s.probationary),
        Body::League => String::new(),
    };
    (
        Form::Affiliated,
        format!(
            "正式{member}{}名{probationary}，不具备单独组建条件，挂靠到地域相近已建{org}",
            s.full
        ),
    )
}

/// An organisation's survey, as far as coverage goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SurveyFacts {
    pub surveyed_on: NaiveDate,
    pub party_org: OrgSetup,
    pub league_org: OrgSetup,
    pub instructor: bool,
}

/// A plan, as far as coverage goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanFacts {
    pub body: Body,
    pub form: Form,
    pub status: PlanStatus,
    pub done_on: Option<NaiveDate>,
}

/// Where one organisation stands on a day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Standing {
    pub surveyed: bool,
    /// In a party organisation (党组织覆盖), of its own or joined.
    pub party_org: bool,
    /// Party work reaches it (党的工作覆盖): an organisation or an instructor.
    pub party_work: bool,
    pub league_org: bool,
    /// Organisations established by this campaign's plans (party and League).
    pub established: u32,
}

/// Where an organisation stands on `as_of`: a survey counts from its date, a plan from the day
/// it was established.
pub fn standing(survey: Option<&SurveyFacts>, plans: &[PlanFacts], as_of: NaiveDate) -> Standing {
    let s = survey.filter(|s| s.surveyed_on <= as_of);
    let done = |body: Body| {
        plans.iter().filter(move |p| {
            p.body == body
                && p.status == PlanStatus::Established
                && p.done_on.is_some_and(|d| d <= as_of)
        })
    };
    let party_plan_org = done(Body::Party).any(|p| p.form.setup().is_some());
    let party_plan_any = done(Body::Party).next().is_some();
    let league_plan_org = done(Body::League).any(|p| p.form.setup().is_some());
    let party_org = s.is_some_and(|s| s.party_org != OrgSetup::None) || party_plan_org;
    Standing {
        surveyed: s.is_some(),
        party_org,
        party_work: party_org || s.is_some_and(|s| s.instructor) || party_plan_any,
        league_org: s.is_some_and(|s| s.league_org != OrgSetup::None) || league_plan_org,
        established: u32::from(party_plan_org) + u32::from(league_plan_org),
    }
}

/// A unit's (or the county's) counts on a day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Tally {
    pub businesses: u32,
    pub surveyed: u32,
    pub party_org: u32,
    pub party_work: u32,
    pub league_org: u32,
    pub established: u32,
}

impl Tally {
    pub fn add(&mut self, s: &Standing) {
        self.businesses += 1;
        self.surveyed += u32::from(s.surveyed);
        self.party_org += u32::from(s.party_org);
        self.party_work += u32::from(s.party_work);
        self.league_org += u32::from(s.league_org);
        self.established += s.established;
    }
}

/// `n` of `of` in per mille, rounded half up; `None` when there is nothing to count.
pub fn permille(n: u32, of: u32) -> Option<u32> {
    (of > 0).then(|| ((u64::from(n) * 2000 + u64::from(of)) / (2 * u64::from(of))) as u32)
}

/// A unit's line in the report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Line {
    pub unit_id: String,
    pub name: String,
    pub tally: Tally,
}

str_enum! {
    /// Why a unit is listed for a talk (约谈; seed 004 三(五): 行动迟缓、工作进展慢、成效不明显、
    /// 排在末位).
    pub enum LagReason {
        /// The lowest party-organisation coverage of the ranking.
        LastPlace => "排在末位",
        /// No organisation established since the previous report.
        NoProgress => "本轮无新建组织，进展缓慢",
        /// The survey incomplete and nobody surveyed since the previous report.
        SurveyStalled => "调查摸底未完成且本轮无新摸底，行动迟缓",
    }
}

/// The ranking: by party-organisation coverage, then League coverage, highest first; equal
/// rates share a place. Units with no organisation are not ranked. Returns (place, line).
pub fn rank(lines: &[Line]) -> Vec<(u32, &Line)> {
    let key = |l: &Line| {
        (
            permille(l.tally.party_org, l.tally.businesses).unwrap_or(0),
            permille(l.tally.league_org, l.tally.businesses).unwrap_or(0),
        )
    };
    let mut ranked: Vec<&Line> = lines.iter().filter(|l| l.tally.businesses > 0).collect();
    ranked.sort_by(|a, b| key(b).cmp(&key(a)).then_with(|| a.name.cmp(&b.name)));
    let mut out: Vec<(u32, &Line)> = Vec::with_capacity(ranked.len());
    for (i, l) in ranked.into_iter().enumerate() {
        let place = match out.last() {
            Some((p, prev)) if key(prev) == key(l) => *p,
            _ => i as u32 + 1,
        };
        out.push((place, l));
    }
    out
}

/// The units to talk to and why. `previous` is the last issued report's lines (none for the
/// first cycle): without it nobody is slow yet, only last.
pub fn laggards(lines: &[Line], previous: Option<&[Line]>) -> Vec<(String, Vec<LagReason>)> {
    let ranked = rank(lines);
    let full = |l: &Line| l.tally.party_org >= l.tally.businesses;
    // Last place only means something when places differ and the last is short of full.
    let last = ranked.last().map(|(p, _)| *p).filter(|p| *p > 1);
    let mut out = Vec::new();
    for (place, l) in &ranked {
        let mut why = Vec::new();
        if Some(*place) == last && !full(l) {
            why.push(LagReason::LastPlace);
        }
        if let Some(prev) = previous {
            let before = prev.iter().find(|p| p.unit_id == l.unit_id);
            let organised = |t: &Tally| t.party_org + t.league_org;
            if !full(l) && before.is_none_or(|b| organised(&l.tally) <= organised(&b.tally)) {
                why.push(LagReason::NoProgress);
            }
            if l.tally.surveyed < l.tally.businesses
                && before.is_none_or(|b| l.tally.surveyed <= b.tally.surveyed)
            {
                why.push(LagReason::SurveyStalled);
            }
        }
        if !why.is_empty() {
            out.push((l.unit_id.clone(), why));
        }
    }
    out
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
        assert_eq!(suggest(Body::Party, &s(3, 0)).0, Form::Standalone);
        assert!(suggest(Body::Party, &s(3, 0)).1.contains("3名正式党员"));
        assert_eq!(suggest(Body::Party, &s(2, 1)).0, Form::Affiliated);
        assert!(suggest(Body::Party, &s(2, 1)).1.contains("预备党员1名"));
        assert_eq!(suggest(Body::Party, &s(0, 0)).0, Form::Instructor);
        assert_eq!(suggest(Body::Party, &s(0, 2)).0, Form::Affiliated);
        // The League's rule is the same with its own words.
        let (form, why) = suggest(Body::League, &s(3, 0));
        assert_eq!(form, Form::Standalone);
        assert!(why.contains("团组织"), "{why}");
        assert!(!suggest(Body::League, &s(1, 0)).1.contains("预备"));
    }

    #[test]
    fn small_ones_go_by_industry_or_join_neighbours() {
        let industry = Surveyed {
            in_industry: true,
            ..s(1, 0)
        };
        assert_eq!(suggest(Body::Party, &industry).0, Form::Industry);
        let joint = Surveyed {
            neighbours_full: 2,
            ..s(1, 0)
        };
        let (form, why) = suggest(Body::Party, &joint);
        assert_eq!(form, Form::Joint);
        assert!(why.contains("合计3名"), "{why}");
        let short = Surveyed {
            neighbours_full: 1,
            ..s(1, 0)
        };
        assert_eq!(suggest(Body::Party, &short).0, Form::Affiliated);
        // Standalone wins over industry: an organisation with its own three forms its own.
        let big = Surveyed {
            in_industry: true,
            ..s(4, 0)
        };
        assert_eq!(suggest(Body::Party, &big).0, Form::Standalone);
    }

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap()
    }

    #[test]
    fn a_survey_counts_from_its_date_and_a_plan_from_its_establishment() {
        let survey = SurveyFacts {
            surveyed_on: d(10),
            party_org: OrgSetup::None,
            league_org: OrgSetup::Standalone,
            instructor: true,
        };
        let plan = PlanFacts {
            body: Body::Party,
            form: Form::Joint,
            status: PlanStatus::Established,
            done_on: Some(d(20)),
        };
        assert_eq!(standing(Some(&survey), &[plan], d(9)), Standing::default());
        let on10 = standing(Some(&survey), &[plan], d(10));
        assert!(on10.surveyed && on10.party_work && on10.league_org && !on10.party_org);
        let on20 = standing(Some(&survey), &[plan], d(20));
        assert!(on20.party_org);
        assert_eq!(on20.established, 1);
        // A plan still in progress, or an instructor, organises nobody.
        let going = PlanFacts {
            status: PlanStatus::InProgress,
            done_on: None,
            ..plan
        };
        assert!(!standing(Some(&survey), &[going], d(30)).party_org);
        let instructor = PlanFacts {
            form: Form::Instructor,
            ..plan
        };
        let st = standing(None, &[instructor], d(30));
        assert!(st.party_work && !st.party_org && st.established == 0);
    }

    #[test]
    fn permille_rounds_half_up_and_knows_nothing_of_empty_units() {
        assert_eq!(permille(1, 3), Some(333));
        assert_eq!(permille(2, 3), Some(667));
        assert_eq!(permille(1, 8), Some(125));
        assert_eq!(permille(3, 3), Some(1000));
        assert_eq!(permille(0, 0), None);
    }

    fn line(id: &str, businesses: u32, surveyed: u32, party: u32, league: u32) -> Line {
        Line {
            unit_id: id.to_owned(),
            name: id.to_owned(),
            tally: Tally {
                businesses,
                surveyed,
                party_org: party,
                party_work: party,
                league_org: league,
                established: 0,
            },
        }
    }

    #[test]
    fn ties_share_a_place_and_empty_units_are_not_ranked() {
        let lines = [
            line("a", 10, 10, 5, 1),
            line("b", 4, 4, 2, 0),
            line("c", 2, 2, 1, 1),
            line("d", 0, 0, 0, 0),
            line("e", 3, 3, 3, 0),
        ];
        let r: Vec<(u32, &str)> = rank(&lines)
            .into_iter()
            .map(|(p, l)| (p, l.unit_id.as_str()))
            .collect();
        // c and a are at 50 % with League 50 % and 10 %; b at 50 % with 0 %.
        assert_eq!(r, vec![(1, "e"), (2, "c"), (3, "a"), (4, "b")]);
        let tie = [line("x", 2, 2, 1, 0), line("y", 4, 4, 2, 0)];
        assert_eq!(rank(&tie)[1].0, 1);
    }

    #[test]
    fn laggards_are_last_slow_or_not_yet_surveyed() {
        let first = [line("a", 10, 10, 6, 0), line("b", 10, 6, 2, 0)];
        // The first cycle: only the last is listed.
        assert_eq!(
            laggards(&first, None),
            vec![("b".to_owned(), vec![LagReason::LastPlace])]
        );
        // b surveyed two more, organised nobody: slow, not stalled.
        let second = [line("a", 10, 10, 7, 0), line("b", 10, 8, 2, 0)];
        assert_eq!(
            laggards(&second, Some(&first)),
            vec![(
                "b".to_owned(),
                vec![LagReason::LastPlace, LagReason::NoProgress]
            )]
        );
        // Then b stops surveying: stalled too; a, short of full and still organising, is not.
        let third = [line("a", 10, 10, 8, 0), line("b", 10, 8, 2, 0)];
        assert_eq!(
            laggards(&third, Some(&second)),
            vec![(
                "b".to_owned(),
                vec![
                    LagReason::LastPlace,
                    LagReason::NoProgress,
                    LagReason::SurveyStalled
                ]
            )]
        );
        // Everyone level: nobody is last. Everyone full: nobody is slow.
        let level = [line("a", 4, 4, 2, 0), line("b", 2, 2, 1, 0)];
        assert!(laggards(&level, None).is_empty());
        let done = [line("a", 2, 2, 2, 0), line("b", 3, 3, 3, 0)];
        assert!(laggards(&done, Some(&done)).is_empty());
        assert_eq!(LagReason::LastPlace.label_zh(), "排在末位");
    }
}
