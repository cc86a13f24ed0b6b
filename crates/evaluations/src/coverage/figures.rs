//! A campaign's data read once (the county's organisations, their surveys and plans, and where
//! each lies: its township and its association branch), and what it gives on a day: each
//! organisation's standing and suggestion, and the report's figures per township and branch.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::{Body, Form};
use super::repo::{self, Org, PlanRow, SurveyRow};
use super::rules::{self, Line, Standing, Surveyed, Tally};
use crate::db::schema::{grids as g, markets as mk, org_units as o};
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::org::model::OrgKind;

/// The line of organisations with no township, or no branch, recorded.
pub const UNPLACED: &str = "";

/// Where units and grids lie, to place an organisation.
pub struct Places {
    /// id → (name, path, kind)
    units: HashMap<String, (String, String, Option<OrgKind>)>,
    grid_branch: HashMap<String, String>,
    market_grid: HashMap<String, String>,
}

impl Places {
    pub fn load(tx: &mut TenantTx<'_>) -> DbResult<Places> {
        let tid = tx.tid().to_owned();
        let units: Vec<(String, String, String, String)> = o::table
            .filter(o::tenant_id.eq(&tid))
            .select((o::id, o::name, o::path, o::kind))
            .load(tx.conn())?;
        let grid_branch = g::table
            .filter(g::tenant_id.eq(&tid).and(g::party_branch_id.is_not_null()))
            .select((g::id, g::party_branch_id.assume_not_null()))
            .load::<(String, String)>(tx.conn())?
            .into_iter()
            .collect();
        let market_grid = mk::table
            .filter(mk::tenant_id.eq(&tid).and(mk::grid_id.is_not_null()))
            .select((mk::id, mk::grid_id.assume_not_null()))
            .load::<(String, String)>(tx.conn())?
            .into_iter()
            .collect();
        Ok(Places {
            units: units
                .into_iter()
                .map(|(id, name, path, kind)| (id, (name, path, OrgKind::parse(&kind))))
                .collect(),
            grid_branch,
            market_grid,
        })
    }

    pub fn name(&self, id: &str) -> String {
        self.units.get(id).map(|u| u.0.clone()).unwrap_or_default()
    }

    pub fn township(&self, org: &Org) -> String {
        org.township_id
            .clone()
            .filter(|t| {
                self.units
                    .get(t)
                    .is_some_and(|u| u.2 == Some(OrgKind::Township))
            })
            .unwrap_or_else(|| UNPLACED.to_owned())
    }

    /// The association branch (分会) over the party branch of the organisation's grid (its own,
    /// else its market's); the party branch itself when no 分会 is above it.
    pub fn branch(&self, org: &Org) -> String {
        let grid = org
            .grid_id
            .as_ref()
            .or_else(|| org.market_id.as_ref().and_then(|m| self.market_grid.get(m)));
        let Some(pb) = grid.and_then(|g| self.grid_branch.get(g)) else {
            return UNPLACED.to_owned();
        };
        let Some((_, path, _)) = self.units.get(pb) else {
            return UNPLACED.to_owned();
        };
        // A path lists the unit's ancestors' ids and its own: the nearest 分会 up from it.
        path.split('/')
            .rev()
            .find(|id| {
                self.units
                    .get(*id)
                    .is_some_and(|u| u.2 == Some(OrgKind::Branch))
            })
            .map_or_else(|| pb.clone(), str::to_owned)
    }

    pub fn line_name(&self, id: &str, unplaced: &str) -> String {
        if id == UNPLACED {
            unplaced.to_owned()
        } else {
            self.name(id)
        }
    }
}

/// The report's figures on a day, as issued (and stored).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Figures {
    pub as_of: NaiveDate,
    pub county: Tally,
    pub townships: Vec<Line>,
    pub branches: Vec<Line>,
    /// Surveyed organisations without a party organisation, by the form suggested for them.
    pub suggested: Vec<(Form, u32)>,
}

/// A campaign's data, read once.
pub struct Data {
    pub orgs: Vec<Org>,
    pub surveys: HashMap<String, SurveyRow>,
    pub plans: HashMap<String, Vec<PlanRow>>,
    pub places: Places,
}

impl Data {
    pub fn load(tx: &mut TenantTx<'_>, campaign_id: &str) -> DbResult<Data> {
        let orgs = repo::orgs(tx)?;
        let surveys = repo::surveys(tx, campaign_id)?
            .into_iter()
            .map(|s| (s.business_id.clone(), s))
            .collect();
        let mut plans: HashMap<String, Vec<PlanRow>> = HashMap::new();
        for p in repo::plans(tx, campaign_id)? {
            plans.entry(p.business_id.clone()).or_default().push(p);
        }
        Ok(Data {
            orgs,
            surveys,
            plans,
            places: Places::load(tx)?,
        })
    }

    fn standing_on(&self, org: &Org, as_of: NaiveDate) -> Standing {
        let survey = self.surveys.get(&org.id).map(SurveyRow::facts);
        let plans: Vec<_> = self
            .plans
            .get(&org.id)
            .map(|ps| ps.iter().filter_map(PlanRow::facts).collect())
            .unwrap_or_default();
        rules::standing(survey.as_ref(), &plans, as_of)
    }

    /// Where the organisation's neighbours are counted: the same market, else the same
    /// township and industry.
    fn neighbourhood(org: &Org) -> Option<(String, String)> {
        match (&org.market_id, &org.township_id) {
            (Some(m), _) => Some((m.clone(), String::new())),
            (None, Some(t)) => Some((t.clone(), org.industry.clone().unwrap_or_default())),
            (None, None) => None,
        }
    }

    /// The campaign as it stood on `as_of`: each organisation's standing, computed once, and
    /// the neighbourhoods' full members still without an organisation of each body.
    pub fn on(&self, as_of: NaiveDate) -> Day<'_> {
        let standings: Vec<Standing> = self
            .orgs
            .iter()
            .map(|o| self.standing_on(o, as_of))
            .collect();
        let mut party: HashMap<(String, String), u32> = HashMap::new();
        let mut league: HashMap<(String, String), u32> = HashMap::new();
        for (org, st) in self.orgs.iter().zip(&standings) {
            let (Some(s), Some(key)) = (self.surveys.get(&org.id), Self::neighbourhood(org)) else {
                continue;
            };
            if !st.surveyed {
                continue;
            }
            if !st.party_org {
                *party.entry(key.clone()).or_default() += full(Body::Party, s);
            }
            if !st.league_org {
                *league.entry(key).or_default() += full(Body::League, s);
            }
        }
        Day {
            as_of,
            index: self
                .orgs
                .iter()
                .enumerate()
                .map(|(i, o)| (o.id.as_str(), i))
                .collect(),
            data: self,
            standings,
            party,
            league,
        }
    }
}

/// The campaign on one day.
pub struct Day<'a> {
    pub as_of: NaiveDate,
    data: &'a Data,
    index: HashMap<&'a str, usize>,
    standings: Vec<Standing>,
    party: HashMap<(String, String), u32>,
    league: HashMap<(String, String), u32>,
}

impl Day<'_> {
    pub fn standing(&self, org: &Org) -> Standing {
        self.index
            .get(org.id.as_str())
            .and_then(|i| self.standings.get(*i))
            .copied()
            .unwrap_or_default()
    }

    /// The suggested form and reason for a body, for a surveyed organisation still without
    /// that body's organisation.
    pub fn suggest(&self, org: &Org, body: Body) -> Option<(Form, String)> {
        let s = self.data.surveys.get(&org.id)?;
        let st = self.standing(org);
        if !st.surveyed || covered(body, &st) {
            return None;
        }
        let own = full(body, s);
        let around = Data::neighbourhood(org)
            .and_then(|k| match body {
                Body::Party => self.party.get(&k),
                Body::League => self.league.get(&k),
            })
            .copied()
            .unwrap_or(0);
        let probationary = match body {
            Body::Party => u32::try_from(s.party_probationary).unwrap_or(0),
            Body::League => 0,
        };
        Some(rules::suggest(
            body,
            &Surveyed {
                full: own,
                probationary,
                in_industry: org.market_id.is_some(),
                neighbours_full: around.saturating_sub(own),
            },
        ))
    }

    pub fn figures(&self) -> Figures {
        let places = &self.data.places;
        let mut county = Tally::default();
        let mut towns: HashMap<String, Tally> = HashMap::new();
        let mut branches: HashMap<String, Tally> = HashMap::new();
        let mut suggested: HashMap<Form, u32> = HashMap::new();
        for (org, st) in self.data.orgs.iter().zip(&self.standings) {
            county.add(st);
            towns.entry(places.township(org)).or_default().add(st);
            branches.entry(places.branch(org)).or_default().add(st);
            if let Some((form, _)) = self.suggest(org, Body::Party) {
                *suggested.entry(form).or_default() += 1;
            }
        }
        let lines = |m: HashMap<String, Tally>, unplaced: &str| {
            let mut v: Vec<Line> = m
                .into_iter()
                .map(|(id, tally)| Line {
                    name: places.line_name(&id, unplaced),
                    unit_id: id,
                    tally,
                })
                .collect();
            v.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.unit_id.cmp(&b.unit_id)));
            v
        };
        let mut suggested: Vec<(Form, u32)> = suggested.into_iter().collect();
        suggested.sort_by_key(|(f, _)| Form::ALL.iter().position(|x| x == f));
        Figures {
            as_of: self.as_of,
            county,
            townships: lines(towns, "（未填乡镇）"),
            branches: lines(branches, "（未划入分会）"),
            suggested,
        }
    }
}

fn covered(body: Body, st: &Standing) -> bool {
    match body {
        Body::Party => st.party_org,
        Body::League => st.league_org,
    }
}

fn full(body: Body, s: &SurveyRow) -> u32 {
    let n = match body {
        Body::Party => s.party_full,
        Body::League => s.league_members,
    };
    u32::try_from(n).unwrap_or(0)
}
