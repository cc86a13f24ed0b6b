//! What the campaign's endpoints answer: the campaign with its cycles, and a cycle's report
//! (figures per township and branch, ranked, with the laggards), built from stored rows and
//! figures by plain functions.

use chrono::NaiveDate;
use poem_openapi::{Enum, Object};
use serde::{Deserialize, Serialize};

use super::figures::{Figures, UNPLACED};
use super::model::{self, Form};
use super::repo::{CampaignRow, ReportRow};
use super::rules::{self, LagReason, Line, Tally};

/// Where a reporting cycle stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Serialize, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
#[oai(rename = "CoverageCycleState")]
pub enum CycleState {
    /// 未到: a later cycle.
    Upcoming,
    /// 本轮: today falls in it; its report is due on its last day.
    Current,
    /// 逾期未通报: over and not issued.
    Overdue,
    /// 已通报
    Issued,
}

#[derive(Debug, Clone, Object)]
#[oai(rename = "CoverageCycle")]
pub struct CycleView {
    pub cycle: u32,
    /// The cycle's last day: the report is due then and counts what stood that day.
    pub ends_on: NaiveDate,
    /// That day's number in the campaign (15, 30, … 100).
    pub day: u32,
    pub state: CycleState,
    #[oai(skip_serializing_if_is_none)]
    pub issued_on: Option<NaiveDate>,
}

/// Counts and rates (percent, one decimal; absent with nothing to count).
#[derive(Debug, Clone, Object)]
#[oai(rename = "CoverageTally")]
pub struct TallyView {
    /// Organisations of the businesses register not closed.
    pub businesses: u32,
    pub surveyed: u32,
    /// In a party organisation (党组织覆盖), own or joined.
    pub party_org: u32,
    /// Reached by party work (党的工作覆盖): an organisation or an instructor.
    pub party_work: u32,
    /// In a Youth League organisation (团组织覆盖).
    pub league_org: u32,
    /// Organisations (party and League) established by this campaign's plans.
    pub established: u32,
    #[oai(skip_serializing_if_is_none)]
    pub survey_rate: Option<f64>,
    #[oai(skip_serializing_if_is_none)]
    pub party_org_rate: Option<f64>,
    #[oai(skip_serializing_if_is_none)]
    pub party_work_rate: Option<f64>,
    #[oai(skip_serializing_if_is_none)]
    pub league_org_rate: Option<f64>,
}

fn pct(n: u32, of: u32) -> Option<f64> {
    rules::permille(n, of).map(|p| f64::from(p) / 10.0)
}

impl From<&Tally> for TallyView {
    fn from(t: &Tally) -> Self {
        TallyView {
            businesses: t.businesses,
            surveyed: t.surveyed,
            party_org: t.party_org,
            party_work: t.party_work,
            league_org: t.league_org,
            established: t.established,
            survey_rate: pct(t.surveyed, t.businesses),
            party_org_rate: pct(t.party_org, t.businesses),
            party_work_rate: pct(t.party_work, t.businesses),
            league_org_rate: pct(t.league_org, t.businesses),
        }
    }
}

#[derive(Debug, Clone, Object)]
#[oai(rename = "CoverageCampaign")]
pub struct CampaignView {
    pub id: String,
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub days: u32,
    pub cycle_days: u32,
    /// Today's day number (0 before the start; past `days` once over).
    pub day: i64,
    #[oai(skip_serializing_if_is_none)]
    pub current_cycle: Option<u32>,
    pub owner_unit_name: String,
    pub cycles: Vec<CycleView>,
    /// The county as it stands today.
    pub county: TallyView,
    pub version: i64,
}

#[derive(Debug, Clone, Object)]
#[oai(rename = "CoverageCampaignList")]
pub struct CampaignList {
    pub items: Vec<CampaignView>,
}

pub fn cycles(c: &CampaignRow, issued: &[ReportRow], today: NaiveDate) -> Vec<CycleView> {
    let days = u32::try_from(c.days).unwrap_or(1);
    let cycle = u32::try_from(c.cycle_days).unwrap_or(1);
    let current = model::current_cycle(c.starts_on, days, cycle, today);
    c.cycles()
        .into_iter()
        .map(|(n, ends_on)| {
            let issued_on = issued
                .iter()
                .find(|r| r.cycle == i32::try_from(n).unwrap_or(0))
                .map(|r| r.issued_on);
            let state = match issued_on {
                Some(_) => CycleState::Issued,
                None if ends_on < today => CycleState::Overdue,
                None if Some(n) == current => CycleState::Current,
                None => CycleState::Upcoming,
            };
            CycleView {
                cycle: n,
                ends_on,
                day: u32::try_from(model::day_of(c.starts_on, ends_on)).unwrap_or(0),
                state,
                issued_on,
            }
        })
        .collect()
}

#[derive(Debug, Clone, Object)]
#[oai(rename = "LagReasonView")]
pub struct ReasonView {
    pub code: LagReason,
    pub label: String,
}

#[derive(Debug, Clone, Object)]
#[oai(rename = "CoverageReportLine")]
pub struct ReportLine {
    /// Absent for the line of organisations not placed (no township, or no branch).
    #[oai(skip_serializing_if_is_none)]
    pub unit_id: Option<String>,
    pub name: String,
    /// Place in the ranking (equal rates share it); absent for the unplaced line.
    #[oai(skip_serializing_if_is_none)]
    pub place: Option<u32>,
    pub tally: TallyView,
    /// Listed for a talk (约谈), and why.
    pub reasons: Vec<ReasonView>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Serialize, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
#[oai(rename = "CoverageLevel")]
pub enum Level {
    /// 乡镇（街道）
    Township,
    /// 分会
    Branch,
}

#[derive(Debug, Clone, Object)]
#[oai(rename = "CoverageLaggard")]
pub struct LaggardView {
    pub level: Level,
    pub unit_id: String,
    pub name: String,
    pub reasons: Vec<ReasonView>,
}

#[derive(Debug, Clone, Object)]
#[oai(rename = "CoverageFormCount")]
pub struct FormCount {
    pub form: Form,
    pub label: String,
    pub count: u32,
}

#[derive(Debug, Clone, Object)]
#[oai(rename = "CoverageReport")]
pub struct ReportView {
    pub campaign_id: String,
    pub title: String,
    pub cycle: u32,
    /// The cycle's last day, and its day number: the figures are as they stood then.
    pub as_of: NaiveDate,
    pub day: u32,
    /// Issued (frozen); otherwise the figures are live and may still change.
    pub issued: bool,
    #[oai(skip_serializing_if_is_none)]
    pub issued_on: Option<NaiveDate>,
    /// The issued report the progress is measured from (none before the first).
    #[oai(skip_serializing_if_is_none)]
    pub compared_with_cycle: Option<u32>,
    pub county: TallyView,
    pub townships: Vec<ReportLine>,
    pub branches: Vec<ReportLine>,
    pub laggards: Vec<LaggardView>,
    /// Surveyed organisations without a party organisation, by the form suggested for them.
    pub suggested: Vec<FormCount>,
}

fn reasons(rs: &[LagReason]) -> Vec<ReasonView> {
    rs.iter()
        .map(|r| ReasonView {
            code: *r,
            label: r.label_zh().to_owned(),
        })
        .collect()
}

/// A level's lines ranked, with each unit's reasons; the unplaced line last and unranked.
fn ranked(
    lines: &[Line],
    previous: Option<&[Line]>,
) -> (Vec<ReportLine>, Vec<(Line, Vec<LagReason>)>) {
    let placed: Vec<Line> = lines
        .iter()
        .filter(|l| l.unit_id != UNPLACED)
        .cloned()
        .collect();
    let prev: Option<Vec<Line>> = previous.map(|p| {
        p.iter()
            .filter(|l| l.unit_id != UNPLACED)
            .cloned()
            .collect()
    });
    let lag = rules::laggards(&placed, prev.as_deref());
    let why = |id: &str| {
        lag.iter()
            .find(|(u, _)| u == id)
            .map(|(_, r)| r.clone())
            .unwrap_or_default()
    };
    let mut out: Vec<ReportLine> = rules::rank(&placed)
        .into_iter()
        .map(|(place, l)| ReportLine {
            unit_id: Some(l.unit_id.clone()),
            name: l.name.clone(),
            place: Some(place),
            tally: (&l.tally).into(),
            reasons: reasons(&why(&l.unit_id)),
        })
        .collect();
    out.extend(
        lines
            .iter()
            .filter(|l| l.unit_id == UNPLACED && l.tally.businesses > 0)
            .map(|l| ReportLine {
                unit_id: None,
                name: l.name.clone(),
                place: None,
                tally: (&l.tally).into(),
                reasons: Vec::new(),
            }),
    );
    let listed = placed
        .into_iter()
        .filter_map(|l| {
            let r = why(&l.unit_id);
            (!r.is_empty()).then_some((l, r))
        })
        .collect();
    (out, listed)
}

pub struct ReportArgs<'a> {
    pub campaign: &'a CampaignRow,
    pub cycle: u32,
    pub figures: &'a Figures,
    pub issued_on: Option<NaiveDate>,
    /// The last issued report before this cycle, with its cycle.
    pub previous: Option<(u32, &'a Figures)>,
}

pub fn report(a: &ReportArgs<'_>) -> ReportView {
    let prev = a.previous.map(|(_, f)| f);
    let (townships, t_lag) = ranked(&a.figures.townships, prev.map(|p| p.townships.as_slice()));
    let (branches, b_lag) = ranked(&a.figures.branches, prev.map(|p| p.branches.as_slice()));
    let laggards = t_lag
        .into_iter()
        .map(|l| (Level::Township, l))
        .chain(b_lag.into_iter().map(|l| (Level::Branch, l)))
        .map(|(level, (l, r))| LaggardView {
            level,
            unit_id: l.unit_id,
            name: l.name,
            reasons: reasons(&r),
        })
        .collect();
    ReportView {
        campaign_id: a.campaign.id.clone(),
        title: a.campaign.title.clone(),
        cycle: a.cycle,
        as_of: a.figures.as_of,
        day: u32::try_from(model::day_of(a.campaign.starts_on, a.figures.as_of)).unwrap_or(0),
        issued: a.issued_on.is_some(),
        issued_on: a.issued_on,
        compared_with_cycle: a.previous.map(|(n, _)| n),
        county: (&a.figures.county).into(),
        townships,
        branches,
        laggards,
        suggested: a
            .figures
            .suggested
            .iter()
            .map(|(form, count)| FormCount {
                form: *form,
                label: form.label_zh().to_owned(),
                count: *count,
            })
            .collect(),
    }
}
