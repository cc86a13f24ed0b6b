//! Demo registrations: at every service centre with staff, one in each state as of the run day:
//! one entered in the register a month ago (its member's time line shows every step), one with
//! plaque and handbook issued, one pledged, one confirmed, one stalled because the home
//! organisation could not confirm, one stalled after twelve quiet days, and one closed. Written
//! through the same checks, sealing and register entry as the API.

use chrono::{Days, NaiveDate};
use diesel::prelude::*;

use super::model::{CallOutcome, RegistrationState};
use super::repo::{self, RegistrationValues};
use crate::db::schema::{org_units as o, users as u};
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::members::api::CreateMemberRequest;
use crate::members::model::{Distribution, MembershipStatus};
use crate::org::model::OrgKind;
use crate::privacy::crypto::CountyKeys;
use crate::rng::Rng;

const HOMES: [&str; 4] = [
    "江西省上饶市玉山县冰溪街道党工委",
    "安徽省宿松县复兴镇党委",
    "河南省固始县三河尖镇党委",
    "湖州市长兴县雉城街道党工委",
];

const SHOPS: [&str; 7] = [
    "鲜果时光水果店",
    "老街五金",
    "竹乡茶叶行",
    "万家便利店",
    "巧手裁缝铺",
    "安吉白茶专卖",
    "阿强电动车维修",
];

pub fn fill(tx: &mut TenantTx<'_>, keys: &CountyKeys, seed: u64) -> DbResult<usize> {
    let mut rng = Rng::new(seed);
    let tid = tx.tid().to_owned();
    let today = crate::clock::today();
    let mut centres = crate::centres::repo::centres(tx)?;
    centres.sort_by(|a, b| a.id.cmp(&b.id));
    let mut n = 0;
    for centre in centres {
        let Some(branch) = centre.parent_id.clone() else {
            continue;
        };
        let staff: Option<String> = u::table
            .filter(u::tenant_id.eq(&tid).and(u::org_unit_id.eq(&centre.id)))
            .filter(u::role.eq("branch_staff").and(u::status.eq("active")))
            .order(u::id.asc())
            .select(u::id)
            .first(tx.conn())
            .optional()?;
        let party_branch: Option<String> = o::table
            .filter(o::tenant_id.eq(&tid).and(o::parent_id.eq(&branch)))
            .filter(o::kind.eq(OrgKind::PartyBranch.as_str()))
            .order(o::path.asc())
            .select(o::id)
            .first(tx.conn())
            .optional()?;
        let (Some(staff), Some(party_branch)) = (staff, party_branch) else {
            continue;
        };
        let region = crate::centres::api::region(tx, &centre)?;
        let back = |d: u64| today.checked_sub_days(Days::new(d)).unwrap_or(today);
        // (state, days ago surveyed, last call outcome)
        let plans: [(RegistrationState, u64, Option<CallOutcome>); 7] = [
            (RegistrationState::Entered, 35, Some(CallOutcome::Confirmed)),
            (RegistrationState::Equipped, 6, Some(CallOutcome::Confirmed)),
            (RegistrationState::Pledged, 4, Some(CallOutcome::Confirmed)),
            (
                RegistrationState::Confirmed,
                2,
                Some(CallOutcome::Confirmed),
            ),
            (
                RegistrationState::Surveyed,
                5,
                Some(CallOutcome::NotConfirmed),
            ),
            (RegistrationState::Surveyed, 12, Some(CallOutcome::NoAnswer)),
            (
                RegistrationState::Closed,
                20,
                Some(CallOutcome::NotConfirmed),
            ),
        ];
        for (i, (state, ago, outcome)) in plans.into_iter().enumerate() {
            let surveyed = back(ago);
            let phone = format!("139{:08}", rng.below(100_000_000));
            let survey = CreateMemberRequest {
                name: rng.person_name(),
                gender: None,
                id_number: None,
                phone: Some(phone),
                home_address: None,
                household_registration: None,
                is_owner: true,
                business_name: SHOPS[(i + rng.below(3)) % SHOPS.len()].to_owned(),
                business_registration_no: None,
                org_life_unit_id: Some(party_branch.clone()),
                membership_org_name: Some(HOMES[rng.below(HOMES.len())].to_owned()),
                membership_unit_id: None,
                membership_status: MembershipStatus::Full,
                distribution: Distribution::IndividualBusiness,
                market_id: None,
                business_status: None,
                away_since: None,
                joined_party_on: NaiveDate::from_ymd_opt(2005 + i as i32, 7, 1),
                association_member: None,
            };
            let values = crate::members::api::check(tx, keys, &survey, &region)?;
            let json = serde_json::to_string(&survey)
                .map_err(|e| crate::error::AppError::internal(anyhow::anyhow!(e)))?;
            let step = |d: u64| {
                surveyed
                    .checked_add_days(Days::new(d))
                    .unwrap_or(surveyed)
                    .min(today)
            };
            let reached = |s: RegistrationState| {
                let order = [
                    RegistrationState::Surveyed,
                    RegistrationState::Confirmed,
                    RegistrationState::Pledged,
                    RegistrationState::Equipped,
                    RegistrationState::Entered,
                ];
                let at = |x| order.iter().position(|o| *o == x).unwrap_or(0);
                state != RegistrationState::Closed && at(state) >= at(s)
            };
            let member_id = if state == RegistrationState::Entered {
                Some(crate::members::repo::insert(tx, &values)?.id)
            } else {
                None
            };
            let last = match state {
                RegistrationState::Entered => step(8),
                RegistrationState::Equipped => step(3),
                RegistrationState::Pledged => step(2),
                RegistrationState::Confirmed | RegistrationState::Closed => step(1),
                RegistrationState::Surveyed => surveyed,
            };
            let row = repo::insert(
                tx,
                &RegistrationValues {
                    centre_id: centre.id.clone(),
                    state: state.as_str().to_owned(),
                    name: values.name.clone(),
                    business_name: values.business_name.clone(),
                    id_number_bidx: None,
                    survey_enc: keys.encrypt("registration_survey", &json),
                    surveyed_on: surveyed,
                    taken_by: staff.clone(),
                    confirmed_on: reached(RegistrationState::Confirmed).then(|| step(1)),
                    pledged_on: reached(RegistrationState::Pledged).then(|| step(2)),
                    pledge_reference: reached(RegistrationState::Pledged)
                        .then(|| format!("承诺书-{}-{:03}", surveyed, i + 1)),
                    issued_on: reached(RegistrationState::Equipped).then(|| step(3)),
                    plaque_no: reached(RegistrationState::Equipped)
                        .then(|| format!("AJ-PB-{:04}", rng.below(10_000))),
                    handbook_no: reached(RegistrationState::Equipped)
                        .then(|| format!("FWSC-{:05}", rng.below(100_000))),
                    entered_on: member_id.as_ref().map(|_| step(8)),
                    member_id,
                    closed_on: (state == RegistrationState::Closed).then(|| step(1)),
                    close_reason: (state == RegistrationState::Closed)
                        .then(|| "组织关系所在地查无此人，本人表示已脱党多年".to_owned()),
                    last_step_on: last,
                },
            )?;
            if let Some(outcome) = outcome {
                let on = if outcome == CallOutcome::Confirmed {
                    step(1)
                } else {
                    surveyed
                };
                repo::add_call(
                    tx,
                    &row.id,
                    on,
                    &staff,
                    "组织委员（电话）",
                    HOMES[i % HOMES.len()],
                    outcome.as_str(),
                    None,
                )?;
            }
            n += 1;
        }
    }
    Ok(n)
}
