//! /api/v1/evaluations/coverage/{id}/organisations, /surveys and /plans: the organisations of
//! the businesses register the caller reaches, each with its survey (调查摸底表), the form
//! suggested for it with the reason, and its plans (组建计划).
//!
//! Who reaches an organisation: as the businesses register decides (its grid, market or
//! township, or a member linked to it); others answer 404. The survey is recorded by the AIC
//! recorder who reaches it, the association committee and the county admin (403
//! `surveyors_only`); plans are the committee's and the county admin's (403 `planners_only`).

use std::collections::HashSet;

use chrono::NaiveDate;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, Tags};
use serde::{Deserialize, Serialize};

use super::api::campaign_of;
use super::figures::{Data, Day};
use super::input::{self, PlanRequest, SurveyRequest};
use super::model::{Body, Form, OrgSetup, OwnerIdentity, PlanStatus};
use super::repo::{self, CampaignRow, Org, PlanRow, PlanValues, SurveyRow, SurveyValues};
use crate::AppState;
use crate::api::{JsonBody, PageLimit, PageRequest, encode_cursor, etag, path_id};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Principal, Role};
use crate::business::scope::{Reach, reach};
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult};
use crate::workflows::handler::Call;

#[derive(Tags)]
enum ApiTags {
    /// 考评：百日攻坚 / Evaluations: the coverage campaign
    Coverage,
}

pub struct CoverageOrgsApi {
    pub state: AppState,
}

/// Which organisations to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Serialize, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
#[oai(rename = "CoverageOrgState")]
pub enum OrgState {
    /// 未摸底
    Unsurveyed,
    /// 已摸底、未建党组织
    Unorganised,
    /// 已建（或已加入）党组织
    Organised,
}

#[derive(Debug, Clone, Object)]
#[oai(rename = "CoverageSurvey")]
pub struct SurveyView {
    pub employees: i32,
    pub party_full: i32,
    pub party_probationary: i32,
    pub league_members: i32,
    pub party_org: OrgSetup,
    pub league_org: OrgSetup,
    pub instructor: bool,
    pub owner_identity: OwnerIdentity,
    #[oai(skip_serializing_if_is_none)]
    pub management: Option<String>,
    pub activities: bool,
    pub venue: bool,
    pub surveyed_on: NaiveDate,
    pub surveyed_by_name: String,
    /// For If-Match (`"v{version}"`).
    pub version: i64,
}

#[derive(Debug, Clone, Object)]
#[oai(rename = "CoverageSuggestion")]
pub struct SuggestionView {
    pub form: Form,
    pub label: String,
    pub reason: String,
}

#[derive(Debug, Clone, Object)]
#[oai(rename = "CoveragePlan")]
pub struct PlanView {
    pub body: Body,
    pub form: Form,
    pub form_label: String,
    pub owner_unit_id: String,
    pub owner_unit_name: String,
    pub owner_name: String,
    pub status: PlanStatus,
    pub status_label: String,
    #[oai(skip_serializing_if_is_none)]
    pub target_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub done_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub note: Option<String>,
    pub version: i64,
}

/// One body's side of an organisation.
#[derive(Debug, Clone, Object)]
#[oai(rename = "CoverageBodySide")]
pub struct BodyView {
    /// Has (or has joined) an organisation of the body today.
    pub organised: bool,
    /// What to build, for a surveyed organisation without one.
    #[oai(skip_serializing_if_is_none)]
    pub suggestion: Option<SuggestionView>,
    #[oai(skip_serializing_if_is_none)]
    pub plan: Option<PlanView>,
}

#[derive(Debug, Clone, Object)]
#[oai(rename = "CoverageOrganisation")]
pub struct OrgView {
    pub business_id: String,
    pub name: String,
    pub kind: String,
    #[oai(skip_serializing_if_is_none)]
    pub market_name: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub township_name: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub industry: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub survey: Option<SurveyView>,
    pub party: BodyView,
    pub league: BodyView,
}

#[derive(Debug, Clone, Object)]
#[oai(rename = "CoverageOrganisationPage")]
pub struct OrgPage {
    pub items: Vec<OrgView>,
    /// Organisations matching the filters that you reach.
    pub total: u32,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum SurveyResponse {
    #[oai(status = 200)]
    Ok(Json<OrgView>, #[oai(header = "ETag")] String),
}

/// Ids of the businesses the caller reaches (`None`: the whole county).
fn reached(tx: &mut TenantTx<'_>, r: &Reach) -> DbResult<Option<HashSet<String>>> {
    if matches!(r, Reach::County) {
        return Ok(None);
    }
    let page = PageRequest {
        limit: u32::try_from(repo::ROWS_MAX).unwrap_or(u32::MAX) - 1,
        after: None,
    };
    let rows = crate::business::repo::list(
        tx,
        r,
        &page,
        crate::business::model::Sort::Created,
        &crate::business::repo::Filter::default(),
    )?;
    Ok(Some(rows.into_iter().map(|b| b.id).collect()))
}

/// The business with this id, not closed, that the caller reaches (the businesses register's
/// own check of one row, as `GET /businesses/{id}` makes it); or 404.
fn reachable(tx: &mut TenantTx<'_>, who: &Principal, id: &str) -> DbResult<()> {
    let r = reach(tx, who.role, &who.user_id)?;
    match crate::business::repo::get(tx, id)? {
        Some(b) if b.status != "closed" && crate::business::repo::visible(tx, &r, &b)? => Ok(()),
        _ => Err(AppError::not_found().into()),
    }
}

fn writable(c: &CampaignRow, today: NaiveDate) -> AppResult<()> {
    if today < c.starts_on {
        return Err(AppError::conflict(
            "campaign_not_started",
            "行动尚未开始",
            "The campaign has not started",
        ));
    }
    if today > c.ends_on() {
        return Err(AppError::conflict(
            "campaign_over",
            "行动已结束，调查摸底表和组建计划不再修改",
            "The campaign is over: surveys and plans are closed",
        ));
    }
    Ok(())
}

fn plan_view(p: &PlanRow, data: &Data) -> Option<PlanView> {
    let f = p.facts()?;
    Some(PlanView {
        body: f.body,
        form: f.form,
        form_label: f.form.label_zh().to_owned(),
        owner_unit_id: p.owner_unit_id.clone(),
        owner_unit_name: data.places.name(&p.owner_unit_id),
        owner_name: p.owner_name.clone(),
        status: f.status,
        status_label: f.status.label_zh().to_owned(),
        target_on: p.target_on,
        done_on: p.done_on,
        note: p.note.clone(),
        version: p.version,
    })
}

fn survey_view(s: &SurveyRow, surveyor: String) -> SurveyView {
    SurveyView {
        employees: s.employees,
        party_full: s.party_full,
        party_probationary: s.party_probationary,
        league_members: s.league_members,
        party_org: OrgSetup::parse(&s.party_org).unwrap_or(OrgSetup::None),
        league_org: OrgSetup::parse(&s.league_org).unwrap_or(OrgSetup::None),
        instructor: s.instructor,
        owner_identity: OwnerIdentity::parse(&s.owner_identity).unwrap_or(OwnerIdentity::Masses),
        management: s.management.clone(),
        activities: s.activities,
        venue: s.venue,
        surveyed_on: s.surveyed_on,
        surveyed_by_name: surveyor,
        version: s.version,
    }
}

fn org_view(
    org: &Org,
    data: &Data,
    day: &Day<'_>,
    names: &std::collections::HashMap<String, String>,
) -> OrgView {
    let st = day.standing(org);
    let plans = data.plans.get(&org.id);
    let side = |body: Body, organised: bool| BodyView {
        organised,
        suggestion: day.suggest(org, body).map(|(form, reason)| SuggestionView {
            form,
            label: form.label_zh().to_owned(),
            reason,
        }),
        plan: plans
            .and_then(|ps| ps.iter().find(|p| p.body == body.as_str()))
            .and_then(|p| plan_view(p, data)),
    };
    OrgView {
        business_id: org.id.clone(),
        name: org.name.clone(),
        kind: org.kind.clone(),
        market_name: org.market_id.as_ref().map(|m| data.places.name(m)),
        township_name: org.township_id.as_ref().map(|t| data.places.name(t)),
        industry: org.industry.clone(),
        survey: data
            .surveys
            .get(&org.id)
            .map(|s| survey_view(s, names.get(&s.surveyed_by).cloned().unwrap_or_default())),
        party: side(Body::Party, st.party_org),
        league: side(Body::League, st.league_org),
    }
}

fn surveyors(
    tx: &mut TenantTx<'_>,
    data: &Data,
    orgs: &[&Org],
) -> DbResult<std::collections::HashMap<String, String>> {
    let users: Vec<String> = orgs
        .iter()
        .filter_map(|o| data.surveys.get(&o.id).map(|s| s.surveyed_by.clone()))
        .collect();
    crate::workflows::centres::view::names(tx, &[] as &[String], &[], &users)
}

/// The one organisation's view, after a write.
fn one(tx: &mut TenantTx<'_>, c: &CampaignRow, id: &str) -> DbResult<OrgView> {
    let data = Data::load(tx, &c.id)?;
    let today = crate::clock::today();
    let org = data
        .orgs
        .iter()
        .find(|o| o.id == id)
        .ok_or_else(AppError::not_found)?;
    let names = surveyors(tx, &data, &[org])?;
    Ok(org_view(
        org,
        &data,
        &data.on(today.min(c.ends_on())),
        &names,
    ))
}

#[OpenApi(prefix_path = "/evaluations/coverage", tag = "ApiTags::Coverage")]
impl CoverageOrgsApi {
    /// 经营主体摸底与组建 / The organisations you reach, with survey, suggestion and plans
    #[oai(path = "/:id/organisations", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: Auth,
        id: Path<String>,
        state: Query<Option<OrgState>>,
        township_id: Query<Option<String>>,
        market_id: Query<Option<String>>,
        /// Part of the registered name.
        #[oai(validator(max_length = 50))]
        name: Query<Option<String>>,
        limit: Query<Option<PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<OrgPage>> {
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id.0)?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let today = crate::clock::today();
        let v = call
            .read(move |tx, who: &Principal| {
                let c = campaign_of(tx, &id)?;
                let data = Data::load(tx, &c.id)?;
                let r = reach(tx, who.role, &who.user_id)?;
                let ids = reached(tx, &r)?;
                let as_of = today.min(c.ends_on());
                let needle = name.0.as_deref().map(str::trim).filter(|n| !n.is_empty());
                let day = data.on(as_of);
                let matching: Vec<&Org> = data
                    .orgs
                    .iter()
                    .filter(|o| ids.as_ref().is_none_or(|s| s.contains(&o.id)))
                    .filter(|o| township_id.0.is_none() || o.township_id == township_id.0)
                    .filter(|o| market_id.0.is_none() || o.market_id == market_id.0)
                    .filter(|o| needle.is_none_or(|n| o.name.contains(n)))
                    .filter(|o| match state.0 {
                        None => true,
                        Some(s) => {
                            let st = day.standing(o);
                            match s {
                                OrgState::Unsurveyed => !data.surveys.contains_key(&o.id),
                                OrgState::Unorganised => {
                                    data.surveys.contains_key(&o.id) && !st.party_org
                                }
                                OrgState::Organised => st.party_org,
                            }
                        }
                    })
                    .collect();
                let start = match &page.after {
                    None => 0,
                    Some(a) => {
                        matching.iter().position(|o| &o.id == a).ok_or_else(|| {
                            AppError::field(
                                "cursor",
                                "invalid_cursor",
                                "cursor：翻页游标无效",
                                "cursor is not valid",
                            )
                        })? + 1
                    }
                };
                let rest: Vec<&Org> = matching
                    .iter()
                    .skip(start)
                    .take(page.limit as usize)
                    .copied()
                    .collect();
                let more = matching.len() > start + rest.len();
                let names = surveyors(tx, &data, &rest)?;
                Ok(OrgPage {
                    items: rest
                        .iter()
                        .map(|o| org_view(o, &data, &day, &names))
                        .collect(),
                    total: u32::try_from(matching.len()).unwrap_or(u32::MAX),
                    next_cursor: more
                        .then(|| rest.last().map(|o| encode_cursor(&o.id)))
                        .flatten(),
                })
            })
            .await?;
        Ok(Json(v))
    }

    /// 一户的摸底与组建 / One organisation: its survey, suggestions and plans
    #[oai(path = "/:id/organisations/:business_id", method = "get")]
    async fn get(
        &self,
        auth: Auth,
        id: Path<String>,
        business_id: Path<String>,
    ) -> AppResult<SurveyResponse> {
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id.0)?;
        let bid = path_id(&business_id.0)?;
        let v = call
            .read(move |tx, who: &Principal| {
                let c = campaign_of(tx, &id)?;
                reachable(tx, who, &bid)?;
                one(tx, &c, &bid)
            })
            .await?;
        let tag = etag(v.survey.as_ref().map_or(0, |s| s.version));
        Ok(SurveyResponse::Ok(Json(v), tag))
    }

    /// 填报调查摸底表 / Record an organisation's survey (attachment 1)
    ///
    /// The AIC recorder who reaches it, the committee, the county admin. If-Match (the
    /// survey's version) once it exists.
    #[oai(path = "/:id/surveys/:business_id", method = "put")]
    async fn put_survey(
        &self,
        auth: Auth,
        id: Path<String>,
        business_id: Path<String>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
        body: JsonBody<SurveyRequest>,
    ) -> AppResult<SurveyResponse> {
        let call = Call::new(&self.state, auth)?;
        if !matches!(
            call.who().role,
            Role::AicRecorder | Role::AssociationCommittee | Role::CountyAdmin
        ) {
            return Err(AppError::forbidden_as(
                "surveyors_only",
                "调查摸底表由工商所、协会党委和县级管理员填报",
                "The AIC office, the association committee and the county admin record surveys",
            ));
        }
        let id = path_id(&id.0)?;
        let bid = path_id(&business_id.0)?;
        let expected = crate::api::if_match_opt(if_match.0.as_deref())?;
        let today = crate::clock::today();
        let req = body.0;
        let v = call
            .write(move |tx, who: &Principal| {
                let c = campaign_of(tx, &id)?;
                reachable(tx, who, &bid)?;
                writable(&c, today)?;
                let s = input::survey(&req, c.starts_on, today).map_err(AppError::validation)?;
                let existing = repo::survey(tx, &c.id, &bid)?;
                let existing = match (&existing, expected) {
                    (Some(r), Some(v)) => Some((r, v)),
                    (Some(_), None) => return Err(AppError::precondition_required().into()),
                    (None, _) => None,
                };
                let saved = repo::save_survey(tx, &c.id, &bid, existing, &values(&s, &who.user_id))?;
                audit::record(
                    tx,
                    &Actor::of(who),
                    "coverage.survey",
                    "coverage_survey",
                    &saved.id,
                    None,
                    serde_json::json!({ "campaign_id": c.id, "business_id": bid, "version": saved.version }),
                )?;
                one(tx, &c, &bid)
            })
            .await?;
        let tag = etag(v.survey.as_ref().map_or(0, |s| s.version));
        Ok(SurveyResponse::Ok(Json(v), tag))
    }

    /// 组建计划 / Record an organisation's plan for a body (the committee, the county admin)
    ///
    /// Needs its survey (409 `not_surveyed`). If-Match (the plan's version) once it exists.
    #[oai(path = "/:id/plans/:business_id/:body", method = "put")]
    async fn put_plan(
        &self,
        auth: Auth,
        id: Path<String>,
        business_id: Path<String>,
        body: Path<Body>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
        req: JsonBody<PlanRequest>,
    ) -> AppResult<Json<OrgView>> {
        let call = Call::new(&self.state, auth)?;
        if !matches!(
            call.who().role,
            Role::AssociationCommittee | Role::CountyAdmin
        ) {
            return Err(AppError::forbidden_as(
                "planners_only",
                "组建计划由协会党委和县级管理员制定",
                "The association committee and the county admin make plans",
            ));
        }
        let id = path_id(&id.0)?;
        let bid = path_id(&business_id.0)?;
        let expected = crate::api::if_match_opt(if_match.0.as_deref())?;
        let today = crate::clock::today();
        let req = req.0;
        let body = body.0;
        let v = call
            .write(move |tx, who: &Principal| {
                let c = campaign_of(tx, &id)?;
                reachable(tx, who, &bid)?;
                writable(&c, today)?;
                let survey = repo::survey(tx, &c.id, &bid)?.ok_or_else(|| {
                    AppError::conflict(
                        "not_surveyed",
                        "该经营主体尚未填报调查摸底表，不能制定组建计划",
                        "Survey the organisation before planning",
                    )
                })?;
                let full = match body {
                    Body::Party => survey.party_full,
                    Body::League => survey.league_members,
                };
                let mut p = input::plan(&req, body, u32::try_from(full).unwrap_or(0), c.starts_on, today);
                let owner = match path_id(&req.owner_unit_id) {
                    Ok(u) => crate::org::repo::get(tx, &u)?.filter(|x| x.active).map(|x| x.id),
                    Err(_) => None,
                };
                if owner.is_none() {
                    let e = crate::error::FieldError::new(
                        "owner_unit_id",
                        "unit_not_found",
                        "owner_unit_id：本县没有该组织",
                        "owner_unit_id: no such unit in the county",
                    );
                    match &mut p {
                        Ok(_) => p = Err(vec![e]),
                        Err(errs) => errs.push(e),
                    }
                }
                let p = p.map_err(AppError::validation)?;
                let owner = owner.unwrap_or_default();
                let current = repo::plans_of(tx, &c.id, &bid)?
                    .into_iter()
                    .find(|x| x.body == body.as_str());
                let existing = match (&current, expected) {
                    (Some(r), Some(v)) => Some((r, v)),
                    (Some(_), None) => return Err(AppError::precondition_required().into()),
                    (None, _) => None,
                };
                let values = PlanValues {
                    form: p.form.as_str().to_owned(),
                    owner_unit_id: owner,
                    owner_name: p.owner_name,
                    status: p.status.as_str().to_owned(),
                    target_on: p.target_on,
                    done_on: p.done_on,
                    note: p.note,
                    updated_by: who.user_id.clone(),
                };
                let saved = repo::save_plan(tx, &c.id, &bid, body, existing, &values)?;
                audit::record(
                    tx,
                    &Actor::of(who),
                    "coverage.plan",
                    "coverage_plan",
                    &saved.id,
                    None,
                    serde_json::json!({ "campaign_id": c.id, "business_id": bid, "body": saved.body, "status": saved.status }),
                )?;
                one(tx, &c, &bid)
            })
            .await?;
        Ok(Json(v))
    }
}

pub(super) fn values(s: &input::Survey, by: &str) -> SurveyValues {
    SurveyValues {
        employees: s.employees,
        party_full: s.party_full,
        party_probationary: s.party_probationary,
        league_members: s.league_members,
        party_org: s.party_org.as_str().to_owned(),
        league_org: s.league_org.as_str().to_owned(),
        instructor: s.instructor,
        owner_identity: s.owner_identity.as_str().to_owned(),
        management: s.management.clone(),
        activities: s.activities,
        venue: s.venue,
        surveyed_on: s.surveyed_on,
        surveyed_by: by.to_owned(),
    }
}
