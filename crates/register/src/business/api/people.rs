//! /api/v1/businesses/{id}/people and /api/v1/members/{id}/businesses: the members linked to
//! a business as owners or employees, from either side.

use chrono::NaiveDate;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;

use super::businesses::BusinessView;
use super::{ApiTags, may_write, member_of, reachable};
use crate::AppState;
use crate::api::{JsonBody, path_id};
use crate::audit::{self, Actor};
use crate::auth::Auth;
use crate::business::model::PersonRole;
use crate::business::repo::{self, LinkRow};
use crate::business::scope;
use crate::clock::today;
use crate::db::Mode;
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct LinkPersonRequest {
    pub member_id: String,
    pub role: PersonRole,
    /// Default today.
    pub since: Option<NaiveDate>,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct EndLinkRequest {
    /// Default today.
    pub until: Option<NaiveDate>,
}

/// A member linked to a business.
#[derive(Debug, Clone, Object)]
pub struct BusinessPerson {
    /// The link's id.
    pub id: String,
    pub business_id: String,
    pub member_id: String,
    pub member_name: String,
    pub role: PersonRole,
    pub since: NaiveDate,
    /// Absent while the link holds.
    #[oai(skip_serializing_if_is_none)]
    pub until: Option<NaiveDate>,
}

/// One of a member's businesses, with the member's role there.
#[derive(Debug, Clone, Object)]
pub struct MemberBusiness {
    pub link_id: String,
    pub role: PersonRole,
    pub since: NaiveDate,
    #[oai(skip_serializing_if_is_none)]
    pub until: Option<NaiveDate>,
    pub business: BusinessView,
}

#[derive(ApiResponse)]
pub enum PersonResponse {
    #[oai(status = 200)]
    Ok(Json<BusinessPerson>),
    #[oai(status = 201)]
    Created(Json<BusinessPerson>),
}

pub struct PeopleApi {
    pub state: AppState,
}

fn person(l: &LinkRow, names: &std::collections::HashMap<String, String>) -> BusinessPerson {
    BusinessPerson {
        id: l.id.clone(),
        business_id: l.business_id.clone(),
        member_id: l.member_id.clone(),
        member_name: names.get(&l.member_id).cloned().unwrap_or_default(),
        role: PersonRole::parse(&l.role).unwrap_or(PersonRole::Employee),
        since: l.since,
        until: l.until,
    }
}

#[OpenApi(tag = "ApiTags::Businesses")]
impl PeopleApi {
    /// 经营主体人员 / The members linked to a business (current ones; `all=true` for past too)
    #[oai(path = "/businesses/:id/people", method = "get")]
    async fn people(
        &self,
        auth: Auth,
        id: Path<String>,
        all: Query<Option<bool>>,
    ) -> AppResult<Json<Vec<BusinessPerson>>> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let all = all.0.unwrap_or(false);
        let (role, uid) = (auth.0.role, auth.0.user_id.clone());
        let out = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                let reach = scope::reach(tx, role, &uid)?;
                reachable(tx, &reach, &id)?;
                let links = repo::links_of_business(tx, &id, all)?;
                let ids: Vec<String> = links.iter().map(|l| l.member_id.clone()).collect();
                let names = repo::member_names(tx, &ids)?;
                Ok(links.iter().map(|l| person(l, &names)).collect())
            })
            .await?;
        Ok(Json(out))
    }

    /// 关联党员 / Link a member to a business as owner or employee
    #[oai(path = "/businesses/:id/people", method = "post")]
    async fn link(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<LinkPersonRequest>,
    ) -> AppResult<PersonResponse> {
        let tid = auth.0.tenant()?;
        may_write(&auth.0)?;
        let id = path_id(&id.0)?;
        let b = body.0;
        if b.since.is_some_and(|d| d > today()) {
            return Err(AppError::field(
                "since",
                "date_in_future",
                "since：日期不能晚于今天",
                "since cannot be in the future",
            ));
        }
        let who = auth.0;
        let out = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let reach = scope::reach(tx, who.role, &who.user_id)?;
                reachable(tx, &reach, &id)?;
                let member = member_of(tx, &reach, "member_id", &b.member_id)?;
                let link = repo::link(
                    tx,
                    &id,
                    &member.id,
                    b.role.as_str(),
                    b.since.unwrap_or_else(today),
                    &who.user_id,
                )?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "business.link_person",
                    "business",
                    &id,
                    None,
                    serde_json::json!({ "member_id": member.id, "role": link.role, "link_id": link.id }),
                )?;
                let names = std::collections::HashMap::from([(member.id.clone(), member.name)]);
                Ok(person(&link, &names))
            })
            .await?;
        Ok(PersonResponse::Created(Json(out)))
    }

    /// 结束关联 / End a member's link to a business (the history keeps it)
    #[oai(path = "/businesses/:id/people/:link_id/end", method = "post")]
    async fn end_link(
        &self,
        auth: Auth,
        id: Path<String>,
        link_id: Path<String>,
        body: JsonBody<EndLinkRequest>,
    ) -> AppResult<PersonResponse> {
        let tid = auth.0.tenant()?;
        may_write(&auth.0)?;
        let id = path_id(&id.0)?;
        let link_id = path_id(&link_id.0)?;
        let until = body.0.until.unwrap_or_else(today);
        if until > today() {
            return Err(AppError::field(
                "until",
                "date_in_future",
                "until：日期不能晚于今天",
                "until cannot be in the future",
            ));
        }
        let who = auth.0;
        let out = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let reach = scope::reach(tx, who.role, &who.user_id)?;
                reachable(tx, &reach, &id)?;
                let link = repo::get_link(tx, &id, &link_id)?.ok_or_else(AppError::not_found)?;
                let link = repo::end_link(tx, &link, until)?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "business.end_link",
                    "business",
                    &id,
                    None,
                    serde_json::json!({ "member_id": link.member_id, "role": link.role, "link_id": link.id }),
                )?;
                let names = repo::member_names(tx, std::slice::from_ref(&link.member_id))?;
                Ok(person(&link, &names))
            })
            .await?;
        Ok(PersonResponse::Ok(Json(out)))
    }

    /// 党员的经营主体 / A member's businesses (current links; `all=true` for past too)
    #[oai(path = "/members/:id/businesses", method = "get")]
    async fn member_businesses(
        &self,
        auth: Auth,
        id: Path<String>,
        all: Query<Option<bool>>,
    ) -> AppResult<Json<Vec<MemberBusiness>>> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let all = all.0.unwrap_or(false);
        let (role, uid) = (auth.0.role, auth.0.user_id.clone());
        let out = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                let vis = crate::org::scope::visibility(tx, role, &uid)?;
                let member = crate::members::repo::get(tx, &id)?.ok_or_else(AppError::not_found)?;
                if !crate::members::repo::visible(tx, &vis, &member)? {
                    return Err(AppError::not_found().into());
                }
                let mut out = Vec::new();
                for l in repo::links_of_member(tx, &id, all)? {
                    if let Some(b) = repo::get(tx, &l.business_id)? {
                        out.push(MemberBusiness {
                            link_id: l.id.clone(),
                            role: PersonRole::parse(&l.role).unwrap_or(PersonRole::Employee),
                            since: l.since,
                            until: l.until,
                            business: BusinessView::from(&b),
                        });
                    }
                }
                Ok(out)
            })
            .await?;
        Ok(Json(out))
    }
}
