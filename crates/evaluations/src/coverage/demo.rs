//! The demo county's 百日攻坚 at day 45 (issue 16 item 8), written through the same checks and
//! storage as the API: surveys spread over the first 45 days (one township far behind), plans
//! for the unorganised organisations with the suggested form, some established; the reports of
//! days 15 and 30 issued on their day, so today's (day 45) is due with its laggards.

use chrono::{Days, NaiveDate};

use super::figures::Data;
use super::input::{self, PlanRequest, SurveyRequest};
use super::model::{Body, OrgSetup, OwnerIdentity, PlanStatus};
use super::orgs_api::values;
use super::repo::{self, NewCampaign, PlanValues};
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::rng::Rng;

/// People of one body in a small business: mostly none, a few, now and then three or more.
fn people(rng: &mut Rng) -> i64 {
    match rng.below(20) {
        0..=9 => 0,
        10..=14 => 1,
        15..=16 => 2,
        17..=18 => 3,
        _ => 4 + rng.below(3) as i64,
    }
}

pub fn fill(
    tx: &mut TenantTx<'_>,
    rng: &mut Rng,
    surveyor: &str,
    committee: &str,
    today: NaiveDate,
) -> DbResult<()> {
    let Some(owner) = crate::vanguard::api::committees(tx)?.into_iter().next() else {
        return Ok(());
    };
    let starts_on = today - Days::new(44);
    let c = repo::insert_campaign(
        tx,
        &NewCampaign {
            title: "小微企业个体工商户专业市场党团组织覆盖“百日攻坚”行动",
            starts_on,
            days: 100,
            cycle_days: 15,
            owner_unit_id: &owner,
            by: committee,
        },
    )?;
    super::api::open_cycles(tx, &c)?;
    let orgs = repo::orgs(tx)?;
    // The township behind: the one whose first organisation sorts first.
    let mut towns: Vec<&String> = orgs.iter().filter_map(|o| o.township_id.as_ref()).collect();
    towns.sort();
    let slow = towns.first().map(|t| (*t).clone());
    let day = |n: u64| starts_on + Days::new(n - 1);
    for org in &orgs {
        let behind = org.township_id.is_some() && org.township_id == slow;
        // Most are surveyed in the first month; the slow township saw a few only on day 1–10.
        let surveyed_day = match (behind, rng.below(10)) {
            (true, 0..=2) => 1 + rng.below(10) as u64,
            (true, _) => continue,
            (false, 0..=5) => 1 + rng.below(15) as u64,
            (false, 6..=8) => 16 + rng.below(29) as u64,
            (false, _) => continue,
        };
        let full = people(rng);
        let probationary = i64::from(rng.below(6) == 0);
        let league = people(rng);
        let party_org = if full >= 3 && rng.below(2) == 0 {
            OrgSetup::Standalone
        } else {
            OrgSetup::None
        };
        let owner_identity = if full > 0 && rng.below(2) == 0 {
            OwnerIdentity::PartyMember
        } else {
            OwnerIdentity::Masses
        };
        let req = SurveyRequest {
            employees: 1 + rng.below(30) as i64,
            party_full: full,
            party_probationary: probationary,
            league_members: league,
            party_org,
            league_org: if league >= 3 && rng.below(3) == 0 {
                OrgSetup::Standalone
            } else {
                OrgSetup::None
            },
            instructor: full + probationary == 0 && rng.below(3) == 0,
            owner_identity,
            management: Some("属地乡镇党委".to_owned()),
            activities: party_org != OrgSetup::None,
            venue: rng.below(3) == 0,
            surveyed_on: Some(day(surveyed_day)),
        };
        let Ok(s) = input::survey(&req, starts_on, today) else {
            continue;
        };
        repo::save_survey(tx, &c.id, &org.id, None, &values(&s, surveyor))?;
    }
    // Plans for the surveyed organisations still without a party organisation, with the form
    // the rule suggests; the slow township's stay planned.
    let data = Data::load(tx, &c.id)?;
    let now = data.on(today);
    for org in &data.orgs {
        let Some((form, _)) = now.suggest(org, Body::Party) else {
            continue;
        };
        let behind = org.township_id.is_some() && org.township_id == slow;
        let Some(s) = data.surveys.get(&org.id) else {
            continue;
        };
        let (status, done_on) = match (behind, rng.below(10)) {
            (true, _) => (PlanStatus::Planned, None),
            (false, 0..=3) => {
                let earliest = (s.surveyed_on - starts_on).num_days().max(0) as u64 + 2;
                let d = (earliest + rng.below(20) as u64).min(44);
                (PlanStatus::Established, Some(day(d)))
            }
            (false, 4..=6) => (PlanStatus::InProgress, None),
            _ => (PlanStatus::Planned, None),
        };
        let unit = org.township_id.clone().unwrap_or_else(|| owner.clone());
        let req = PlanRequest {
            form,
            owner_unit_id: unit.clone(),
            owner_name: rng.person_name(),
            status,
            target_on: Some(starts_on + Days::new(99)),
            done_on: done_on.filter(|d| *d <= today),
            note: None,
        };
        let full = u32::try_from(s.party_full).unwrap_or(0);
        let Ok(p) = input::plan(&req, Body::Party, full, starts_on, today) else {
            continue;
        };
        repo::save_plan(
            tx,
            &c.id,
            &org.id,
            Body::Party,
            None,
            &PlanValues {
                form: p.form.as_str().to_owned(),
                owner_unit_id: unit,
                owner_name: p.owner_name,
                status: p.status.as_str().to_owned(),
                target_on: p.target_on,
                done_on: p.done_on,
                note: None,
                updated_by: committee.to_owned(),
            },
        )?;
    }
    // Days 15 and 30 reported on their day.
    let data = Data::load(tx, &c.id)?;
    for (n, ends_on) in c.cycles().into_iter().take(2) {
        super::api::issue_cycle(tx, &c, &data, (n, ends_on), committee, ends_on)?;
    }
    Ok(())
}
