//! The evaluations' shapes (考评, `GET /evaluations/...`): the vanguard campaigns, the branch
//! grading and the members on a campaign's list.

use serde::Deserialize;

/// How many of a kind, with the server's label (`GET /evaluations/vanguard`: the excluded by
/// reason).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct CountByKey {
    /// `probationary`, `suspended`, `closed`, `away_over_six_months`
    pub key: String,
    pub label: String,
    pub count: u32,
}

/// Where a year's vanguard campaign stands, county-wide.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct CampaignCounts {
    /// Members on the list: evaluated and excluded.
    pub listed: u32,
    pub evaluated: u32,
    pub excluded: u32,
    pub excluded_by_reason: Vec<CountByKey>,
    pub self_done: u32,
    pub peer_done: u32,
    pub reviewed: u32,
    pub vetoed: u32,
    /// Final stars 1 to 5: index 0 is one star.
    pub final_stars: Vec<u32>,
    /// 4–5 stars: 优先推荐.
    pub recommended: u32,
    pub outstanding: u32,
    /// 1–2 stars: 谈心谈话、结对帮扶; and of them, those whose help is complete.
    pub needs_help: u32,
    pub help_done: u32,
}

/// A year's vanguard-index campaign (党员先锋指数, `GET /evaluations/vanguard`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct Campaign {
    pub id: String,
    pub year: i32,
    /// `open` | `notice` | `final` | `reported`
    pub state: String,
    pub state_label: String,
    pub notice_days: i32,
    #[serde(default)]
    pub notice_from: Option<String>,
    #[serde(default)]
    pub notice_until: Option<String>,
    pub opened_on: String,
    #[serde(default)]
    pub finalised_on: Option<String>,
    #[serde(default)]
    pub reported_on: Option<String>,
    pub counts: CampaignCounts,
    pub objections: u32,
    pub objections_open: u32,
    pub version: i64,
}

/// The body of `GET /evaluations/vanguard`.
#[derive(Debug, Clone, Deserialize)]
pub struct CampaignItems {
    pub items: Vec<Campaign>,
}

/// The county's campaigns, the latest year first, and the server's today in China from the
/// answer's `Date` header (None if it sent none).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CampaignList {
    pub items: Vec<Campaign>,
    pub today: Option<String>,
}

/// A unit's line of a year's branch grading (考评定级, `GET /evaluations/branches`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct BranchEvaluation {
    pub unit_id: String,
    pub unit_name: String,
    /// `party_branch`, `service_centre`, …
    pub unit_kind: String,
    /// The branch (分会) the unit belongs to.
    pub parent_name: String,
    /// `self_assessed` | `assessed`; none before either.
    #[serde(default)]
    pub state: Option<String>,
    pub state_label: String,
    #[serde(default)]
    pub self_total: Option<f64>,
    #[serde(default)]
    pub self_grade: Option<String>,
    #[serde(default)]
    pub total: Option<f64>,
    /// 好 | 较好 | 一般 | 较差
    #[serde(default)]
    pub grade: Option<String>,
    /// Graded outright (直接定级) by a condition, whatever the total.
    pub outright: bool,
    #[serde(default)]
    pub rank: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct GradeCount {
    pub grade: String,
    pub count: u32,
}

/// A year's branch grading: the units the caller sees, ranked first, and the county's counts.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct BranchEvaluationList {
    pub year: i32,
    pub items: Vec<BranchEvaluation>,
    pub subjects: u32,
    pub assessed: u32,
    pub grades: Vec<GradeCount>,
}

/// Peer evaluation, only as the tally of what the branch's members gave.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct PeerTally {
    pub raters: u32,
    pub mean: f64,
    /// How many gave 1, 2, 3, 4 and 5 stars.
    pub votes: Vec<u32>,
}

/// A member on a campaign's list (`GET /evaluations/vanguard/{year}/entries`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct VanguardEntry {
    pub year: i32,
    pub member_id: String,
    pub member_name: String,
    pub business_name: String,
    pub unit_name: String,
    /// Why the member is not evaluated this year, if not.
    #[serde(default)]
    pub excluded: Option<String>,
    #[serde(default)]
    pub excluded_label: Option<String>,
    #[serde(default)]
    pub self_stars: Option<i32>,
    #[serde(default)]
    pub peer: Option<PeerTally>,
    #[serde(default)]
    pub review_stars: Option<i32>,
    /// 一票否决: `national_policy` | `discipline`
    #[serde(default)]
    pub veto: Option<String>,
    #[serde(default)]
    pub veto_label: Option<String>,
    #[serde(default)]
    pub final_stars: Option<i32>,
    pub recommended: bool,
    /// 1–2 final stars: a talk (谈心谈话) and a mentor (结对帮扶).
    pub needs_help: bool,
    pub outstanding: bool,
    #[serde(default)]
    pub talk_on: Option<String>,
    #[serde(default)]
    pub mentor: Option<String>,
    #[serde(default)]
    pub help_done_on: Option<String>,
    pub version: i64,
}

/// Counts and rates of the coverage campaign (百日攻坚): a county's, a township's or a
/// branch's. Rates are percent with one decimal, none when there is nothing to count.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct CoverageTally {
    /// Organisations of the businesses register not closed.
    pub businesses: u32,
    pub surveyed: u32,
    /// In a party organisation (党组织覆盖).
    pub party_org: u32,
    /// Reached by party work (党的工作覆盖): an organisation or an instructor.
    pub party_work: u32,
    /// In a Youth League organisation (团组织覆盖).
    pub league_org: u32,
    /// Organisations established by the campaign's plans.
    pub established: u32,
    #[serde(default)]
    pub survey_rate: Option<f64>,
    #[serde(default)]
    pub party_org_rate: Option<f64>,
    #[serde(default)]
    pub party_work_rate: Option<f64>,
    #[serde(default)]
    pub league_org_rate: Option<f64>,
}

/// A reporting cycle of a coverage campaign.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct CoverageCycle {
    pub cycle: u32,
    /// Its last day: the report is due then and counts what stood that day.
    pub ends_on: String,
    /// That day's number in the campaign (15, 30, … 100).
    pub day: u32,
    /// `upcoming` | `current` | `overdue` | `issued`
    pub state: String,
    #[serde(default)]
    pub issued_on: Option<String>,
}

/// A coverage campaign (百日攻坚, `GET /evaluations/coverage`) with its cycles and the county
/// as it stands today.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct CoverageCampaign {
    pub id: String,
    pub title: String,
    pub starts_on: String,
    pub ends_on: String,
    pub days: u32,
    pub cycle_days: u32,
    /// Today's day number (0 before the start; past `days` once over).
    pub day: i64,
    /// The cycle today falls in (none before the start).
    #[serde(default)]
    pub current_cycle: Option<u32>,
    pub cycles: Vec<CoverageCycle>,
    pub county: CoverageTally,
    pub version: i64,
}

/// The body of `GET /evaluations/coverage`: the newest first.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct CoverageCampaignList {
    pub items: Vec<CoverageCampaign>,
}

/// Why a unit is listed for a talk (约谈), with the server's label.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct LagReason {
    /// `last_place` | `no_progress` | `survey_stalled`
    pub code: String,
    pub label: String,
}

/// A township's or a branch's line of a cycle's report.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct CoverageLine {
    /// None for the line of the organisations not placed.
    #[serde(default)]
    pub unit_id: Option<String>,
    pub name: String,
    /// Its place in the ranking (equal rates share one); none for the unplaced line.
    #[serde(default)]
    pub place: Option<u32>,
    pub tally: CoverageTally,
    /// Listed for a talk (约谈), and why; empty otherwise.
    pub reasons: Vec<LagReason>,
}

/// A unit listed for a talk.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct CoverageLaggard {
    /// `township` | `branch`
    pub level: String,
    pub unit_id: String,
    pub name: String,
    pub reasons: Vec<LagReason>,
}

/// Surveyed organisations without a party organisation, of one suggested form.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct CoverageFormCount {
    /// `standalone` | `joint` | `affiliated` | `industry` | `instructor`
    pub form: String,
    pub label: String,
    pub count: u32,
}

/// A cycle's report (进展通报, `GET /evaluations/coverage/{id}/cycles/{cycle}`): as issued, or
/// live as of the cycle's last day (or today) before that.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct CoverageReport {
    pub campaign_id: String,
    pub cycle: u32,
    pub as_of: String,
    pub day: u32,
    pub issued: bool,
    #[serde(default)]
    pub issued_on: Option<String>,
    /// The issued report the progress is measured from.
    #[serde(default)]
    pub compared_with_cycle: Option<u32>,
    pub county: CoverageTally,
    /// Ranked, the unplaced line last.
    pub townships: Vec<CoverageLine>,
    pub branches: Vec<CoverageLine>,
    pub laggards: Vec<CoverageLaggard>,
    pub suggested: Vec<CoverageFormCount>,
}
