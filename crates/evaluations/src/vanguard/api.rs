//! /api/v1/evaluations/vanguard: a county's yearly vanguard campaigns. Every county user reads
//! a campaign's counts; the association committee opens it, starts the public notice,
//! records and answers objections, makes the stars final and sends the report (403
//! `committee_only` for anyone else, before the body is read). The entries' own steps are in
//! `entries`.

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde::{Deserialize, Serialize};

use super::model::{self, CampaignState, ExclusionReason, Refused};
use super::repo::{self, CampaignRow, NewEntry};
use super::rules::{self, Standing};
use super::view::{self, CampaignList, CampaignView, ObjectionList, ObjectionView};
use crate::AppState;
use crate::api::{JsonBody, etag, path_id};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Principal, Role};
use crate::db::schema::org_units as o;
use crate::db::{DbResult, TenantTx};
use crate::deadlines::{self, ObligationKind, Period};
use crate::documents::{HtmlDocument, XlsxDocument};
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult, FieldError};
use crate::members::model::{BusinessStatus, Category, Distribution, MembershipStatus};
use crate::org::model::OrgKind;
use crate::workflows::handler::Call;

#[derive(Tags)]
pub(super) enum ApiTags {
    /// 考评：党员先锋指数 / Evaluations: the vanguard index
    Vanguard,
}

pub struct VanguardApi {
    pub state: AppState,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct OpenCampaignRequest {
    /// This year or last year. Default: this year.
    pub year: Option<i32>,
    /// The public notice's length in days, 1–30. Default 7.
    pub notice_days: Option<i32>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct StartNoticeRequest {
    /// The notice's first day: today or later. Default today.
    pub starts_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ObjectionRequest {
    /// The member objected to (on the campaign's list, evaluated).
    pub member_id: String,
    /// Default today; within the notice period.
    pub received_on: Option<NaiveDate>,
    /// 1–1000 characters.
    pub content: String,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct AnswerObjectionRequest {
    /// 1–1000 characters.
    pub answer: String,
    /// The stars after reconsideration, if they change (1–5).
    pub revised_stars: Option<i32>,
}

#[derive(ApiResponse)]
pub enum CampaignResponse {
    #[oai(status = 200)]
    Ok(Json<CampaignView>, #[oai(header = "ETag")] String),
    #[oai(status = 201)]
    Created(
        Json<CampaignView>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Location")] String,
    ),
}

#[derive(ApiResponse)]
pub enum ObjectionCreated {
    #[oai(status = 201)]
    Created(Json<ObjectionView>),
}

pub(super) fn refused(r: Refused) -> AppError {
    AppError::conflict(r.code, r.zh, r.en)
}

pub(super) fn committee_only(who: &Principal) -> AppResult<()> {
    if who.role == Role::AssociationCommittee {
        Ok(())
    } else {
        Err(AppError::forbidden_as(
            "committee_only",
            "先锋指数考评由协会党委组织",
            "The association committee runs the vanguard campaign",
        ))
    }
}

pub(super) fn text(field: &str, v: &str, max: usize) -> Result<String, FieldError> {
    let t = v.trim();
    if t.is_empty() || t.chars().count() > max {
        return Err(FieldError::new(
            field,
            "invalid_text",
            format!("{field}：须为1到{max}个字"),
            format!("{field}: 1 to {max} characters"),
        ));
    }
    Ok(t.to_owned())
}

pub(super) fn stars(field: &str, v: i32) -> Result<i32, FieldError> {
    if (1..=5).contains(&v) {
        Ok(v)
    } else {
        Err(FieldError::new(
            field,
            "invalid_stars",
            format!("{field}：星级为1到5"),
            format!("{field}: 1 to 5 stars"),
        ))
    }
}

/// The year's campaign, or 404 (years outside 2000–2100 are not looked up).
pub(super) fn campaign_of(tx: &mut TenantTx<'_>, year: i32) -> DbResult<CampaignRow> {
    if !(2000..=2100).contains(&year) {
        return Err(AppError::not_found().into());
    }
    repo::of_year(tx, year)?.ok_or_else(|| AppError::not_found().into())
}

fn campaign_view(tx: &mut TenantTx<'_>, c: &CampaignRow) -> DbResult<CampaignView> {
    let t = repo::tallies(tx, &c.id)?;
    let objections = repo::objections(tx, &c.id)?;
    Ok(view::campaign(c, &t, &objections))
}

fn ok(v: CampaignView) -> CampaignResponse {
    let tag = etag(v.version);
    CampaignResponse::Ok(Json(v), tag)
}

fn expected(if_match: Option<&str>) -> AppResult<i64> {
    crate::api::if_match(if_match)
}

/// The register's member as eligibility reads it.
fn standing(m: &crate::members::repo::MemberRow) -> Option<Standing> {
    Some(Standing {
        category: Category::parse(&m.category)?,
        distribution: Distribution::parse(&m.distribution)?,
        membership: MembershipStatus::parse(&m.membership_status)?,
        business: BusinessStatus::parse(&m.business_status)?,
        away_since: m.away_since,
    })
}

/// Where a member of the register stands on a year's list on `as_of`: `None`, not on it (not
/// covered by the campaign); `Some(None)`, evaluated; `Some(Some(reason))`, excluded.
pub(crate) fn listing(
    m: &crate::members::repo::MemberRow,
    as_of: NaiveDate,
) -> Option<Option<&'static str>> {
    match rules::eligible(&standing(m)?, as_of) {
        Ok(()) => Some(None),
        Err(e) => Some(Some(ExclusionReason::of(e)?.as_str())),
    }
}

/// The active association committee units: the owners of the county's vanguard deadlines.
pub fn committees(tx: &mut TenantTx<'_>) -> DbResult<Vec<String>> {
    let tid = tx.tid().to_owned();
    Ok(o::table
        .filter(o::tenant_id.eq(tid).and(o::active.eq(true)))
        .filter(o::kind.eq(OrgKind::AssociationCommittee.as_str()))
        .order(o::path.asc())
        .select(o::id)
        .load(tx.conn())?)
}

fn close(
    tx: &mut TenantTx<'_>,
    kind: ObligationKind,
    year: i32,
    who: &Principal,
    on: NaiveDate,
) -> DbResult<()> {
    for unit in committees(tx)? {
        deadlines::close_on(tx, kind, &unit, Period::Year(year), &who.user_id, on)?;
    }
    Ok(())
}

fn record(tx: &mut TenantTx<'_>, who: &Principal, action: &str, c: &CampaignRow) -> DbResult<()> {
    audit::record(
        tx,
        &Actor::of(who),
        action,
        "vanguard_campaign",
        &c.id,
        None,
        serde_json::json!({ "year": c.year, "state": c.state }),
    )
}

#[OpenApi(prefix_path = "/evaluations/vanguard", tag = "ApiTags::Vanguard")]
impl VanguardApi {
    /// 先锋指数考评 / The county's campaigns, the latest year first
    #[oai(path = "/", method = "get")]
    async fn list(&self, auth: Auth) -> AppResult<Json<CampaignList>> {
        let call = Call::new(&self.state, auth)?;
        let items = call
            .read(|tx, _: &Principal| {
                let mut out = Vec::new();
                for c in repo::campaigns(tx)? {
                    out.push(campaign_view(tx, &c)?);
                }
                Ok(out)
            })
            .await?;
        Ok(Json(CampaignList { items }))
    }

    /// 启动年度考评 / Open a year's campaign (the association committee)
    ///
    /// The list comes from the register: affiliated, floating and market members; of them,
    /// probationary members, members whose business is suspended or closed and members away
    /// operating for more than six months are listed as excluded, with the reason.
    #[oai(path = "/", method = "post")]
    async fn open(
        &self,
        auth: Auth,
        body: JsonBody<OpenCampaignRequest>,
    ) -> AppResult<CampaignResponse> {
        let call = Call::new(&self.state, auth)?;
        committee_only(call.who())?;
        let today = crate::clock::today();
        let year = body.0.year.unwrap_or(today.year());
        let days = body.0.notice_days.unwrap_or(7);
        let mut errs = Vec::new();
        if !(today.year() - 1..=today.year()).contains(&year) {
            errs.push(FieldError::new(
                "year",
                "out_of_range",
                "year：只能启动本年度或上一年度的考评",
                "year: this year or last year",
            ));
        }
        if !(1..=30).contains(&days) {
            errs.push(FieldError::new(
                "notice_days",
                "out_of_range",
                "notice_days：公示期为1到30天",
                "notice_days: 1 to 30 days",
            ));
        }
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let as_of = today.min(NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(today));
        let v = call
            .write(move |tx, who: &Principal| {
                if repo::of_year(tx, year)?.is_some() {
                    return Err(model::campaign_exists().into());
                }
                let members = crate::members::repo::all(
                    tx,
                    &crate::members::repo::Filter::default(),
                    repo::ENTRIES_MAX,
                    |_| true,
                )?
                .ok_or_else(|| {
                    AppError::conflict(
                        "register_too_large",
                        "名册人数超过考评上限",
                        "The register is larger than a campaign can hold",
                    )
                })?;
                let entries: Vec<NewEntry> = members
                    .iter()
                    .filter_map(|m| {
                        Some(NewEntry {
                            excluded: listing(m, as_of)?,
                            member_id: m.id.clone(),
                            unit_id: m.org_life_unit_id.clone(),
                        })
                    })
                    .collect();
                let c = repo::open(tx, year, days, &who.user_id, today, &entries)?;
                record(tx, who, "vanguard.open", &c)?;
                campaign_view(tx, &c)
            })
            .await?;
        let tag = etag(v.version);
        let loc = format!("/api/v1/evaluations/vanguard/{}", v.year);
        Ok(CampaignResponse::Created(Json(v), tag, loc))
    }

    /// 年度考评 / A year's campaign with its counts
    #[oai(path = "/:year", method = "get")]
    async fn get(&self, auth: Auth, year: Path<i32>) -> AppResult<CampaignResponse> {
        let call = Call::new(&self.state, auth)?;
        let v = call
            .read(move |tx, _: &Principal| {
                let c = campaign_of(tx, year.0)?;
                campaign_view(tx, &c)
            })
            .await?;
        Ok(ok(v))
    }

    /// 审核公示 / Start the public notice (every evaluated member reviewed or vetoed)
    #[oai(path = "/:year/notice", method = "post")]
    async fn notice(
        &self,
        auth: Auth,
        year: Path<i32>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
        body: JsonBody<StartNoticeRequest>,
    ) -> AppResult<CampaignResponse> {
        let call = Call::new(&self.state, auth)?;
        committee_only(call.who())?;
        let expected = expected(if_match.0.as_deref())?;
        let today = crate::clock::today();
        let from = body.0.starts_on.unwrap_or(today);
        if from < today {
            return Err(AppError::field(
                "starts_on",
                "date_in_past",
                "starts_on：公示不能从过去的日期开始",
                "starts_on: not in the past",
            ));
        }
        let v = call
            .write(move |tx, who: &Principal| {
                let c = campaign_of(tx, year.0)?;
                if c.state() != CampaignState::Open {
                    return Err(refused(model::NOT_OPEN).into());
                }
                let pending = repo::tallies(tx, &c.id)?
                    .iter()
                    .filter(|t| t.0.is_none() && t.3.is_none() && t.4.is_none())
                    .count();
                if pending > 0 {
                    return Err(refused(model::NOT_ALL_REVIEWED).into());
                }
                let days = u32::try_from(c.notice_days).unwrap_or(7);
                let until = model::notice_until(from, days);
                let c = repo::set_state(
                    tx,
                    &c,
                    expected,
                    CampaignState::Notice,
                    Some((from, until)),
                    today,
                )?;
                record(tx, who, "vanguard.notice", &c)?;
                campaign_view(tx, &c)
            })
            .await?;
        Ok(ok(v))
    }

    /// 公示异议 / The objections raised during the notice
    #[oai(path = "/:year/objections", method = "get")]
    async fn objections(&self, auth: Auth, year: Path<i32>) -> AppResult<Json<ObjectionList>> {
        let call = Call::new(&self.state, auth)?;
        let items = call
            .read(move |tx, who: &Principal| {
                let c = campaign_of(tx, year.0)?;
                let rows = repo::objections(tx, &c.id)?;
                let vis = crate::org::scope::visibility(tx, who.role, &who.user_id)?;
                let mut out = Vec::new();
                for o in rows {
                    let Some(m) = crate::members::repo::get(tx, &o.member_id)? else {
                        continue;
                    };
                    if crate::members::repo::visible(tx, &vis, &m)? {
                        out.push(objection_view(tx, o, m.name)?);
                    }
                }
                Ok(out)
            })
            .await?;
        Ok(Json(ObjectionList { items }))
    }

    /// 登记异议 / Record an objection (the association committee, during the notice)
    #[oai(path = "/:year/objections", method = "post")]
    async fn object(
        &self,
        auth: Auth,
        year: Path<i32>,
        body: JsonBody<ObjectionRequest>,
    ) -> AppResult<ObjectionCreated> {
        let call = Call::new(&self.state, auth)?;
        committee_only(call.who())?;
        let b = body.0;
        let content =
            text("content", &b.content, 1000).map_err(|e| AppError::validation(vec![e]))?;
        let today = crate::clock::today();
        let member = path_id(&b.member_id).ok();
        let v = call
            .write(move |tx, who: &Principal| {
                let c = campaign_of(tx, year.0)?;
                let entry = match &member {
                    Some(m) => repo::entry(tx, &c.id, m)?,
                    None => None,
                };
                let Some(entry) = entry.filter(|e| e.excluded.is_none()) else {
                    return Err(AppError::field(
                        "member_id",
                        "member_not_found",
                        "member_id：本年度参评党员中没有该党员",
                        "member_id: no such evaluated member this year",
                    )
                    .into());
                };
                if c.state() != CampaignState::Notice {
                    return Err(refused(model::NOT_IN_NOTICE).into());
                }
                let on = b.received_on.unwrap_or(today);
                let within = c.notice_from.is_some_and(|f| on >= f) && on <= today;
                if !within {
                    return Err(AppError::field(
                        "received_on",
                        "out_of_range",
                        "received_on：须在公示开始之后，且不晚于今天",
                        "received_on: from the notice's start to today",
                    )
                    .into());
                }
                let o =
                    repo::add_objection(tx, &c.id, &entry.member_id, on, &content, &who.user_id)?;
                audit::record(
                    tx,
                    &Actor::of(who),
                    "vanguard.objection",
                    "vanguard_objection",
                    &o.id,
                    None,
                    serde_json::json!({ "year": c.year, "member_id": o.member_id }),
                )?;
                objection_of(tx, o)
            })
            .await?;
        Ok(ObjectionCreated::Created(Json(v)))
    }

    /// 答复异议 / Answer an objection, revising the stars if it is upheld (the committee)
    #[oai(path = "/objections/:id/answer", method = "post")]
    async fn answer(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<AnswerObjectionRequest>,
    ) -> AppResult<Json<ObjectionView>> {
        let call = Call::new(&self.state, auth)?;
        committee_only(call.who())?;
        let id = path_id(&id.0)?;
        let b = body.0;
        let mut errs = Vec::new();
        let answer = text("answer", &b.answer, 1000)
            .map_err(|e| errs.push(e))
            .ok();
        let revised = b
            .revised_stars
            .map(|s| stars("revised_stars", s))
            .transpose()
            .map_err(|e| errs.push(e))
            .ok()
            .flatten();
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let answer = answer.unwrap_or_default();
        let today = crate::clock::today();
        let v = call
            .write(move |tx, who: &Principal| {
                let o = repo::objection(tx, &id)?.ok_or_else(AppError::not_found)?;
                let c = repo::campaign(tx, &o.campaign_id)?.ok_or_else(AppError::not_found)?;
                if c.state() != CampaignState::Notice {
                    return Err(refused(model::NOT_IN_NOTICE).into());
                }
                if o.answered_on.is_some() {
                    return Err(refused(model::ALREADY_ANSWERED).into());
                }
                let o = repo::answer_objection(tx, &o, &answer, revised, &who.user_id, today)?;
                audit::record(
                    tx,
                    &Actor::of(who),
                    "vanguard.objection_answer",
                    "vanguard_objection",
                    &o.id,
                    None,
                    serde_json::json!({ "revised_stars": o.revised_stars }),
                )?;
                objection_of(tx, o)
            })
            .await?;
        Ok(Json(v))
    }

    /// 评定星级 / Make the stars final after the notice (the committee)
    ///
    /// Each evaluated member's stars are the review's, or an upheld objection's revision;
    /// each becomes the member's 党员先锋指数 record (a vetoed member's record says so), and
    /// the year's evaluation deadline is met.
    #[oai(path = "/:year/finalise", method = "post")]
    async fn finalise(
        &self,
        auth: Auth,
        year: Path<i32>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
    ) -> AppResult<CampaignResponse> {
        let call = Call::new(&self.state, auth)?;
        committee_only(call.who())?;
        let expected = expected(if_match.0.as_deref())?;
        let today = crate::clock::today();
        let v = call
            .write(move |tx, who: &Principal| {
                let c = campaign_of(tx, year.0)?;
                let objections = repo::objections(tx, &c.id)?;
                let open = objections
                    .iter()
                    .filter(|o| o.answered_on.is_none())
                    .count();
                model::may_finalise(c.state(), c.notice_until, today, open).map_err(refused)?;
                let c2 = repo::set_state(tx, &c, expected, CampaignState::Final, None, today)?;
                super::entries::finalise(tx, &c2, &objections, who, today)?;
                close(tx, ObligationKind::VanguardEvaluation, c2.year, who, today)?;
                record(tx, who, "vanguard.finalise", &c2)?;
                campaign_view(tx, &c2)
            })
            .await?;
        Ok(ok(v))
    }

    /// 上报考评情况 / Mark the county report sent (the committee), meeting its deadline
    #[oai(path = "/:year/report", method = "post")]
    async fn report(
        &self,
        auth: Auth,
        year: Path<i32>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
    ) -> AppResult<CampaignResponse> {
        let call = Call::new(&self.state, auth)?;
        committee_only(call.who())?;
        let expected = expected(if_match.0.as_deref())?;
        let today = crate::clock::today();
        let v = call
            .write(move |tx, who: &Principal| {
                let c = campaign_of(tx, year.0)?;
                match c.state() {
                    CampaignState::Final => {}
                    CampaignState::Reported => return Err(refused(model::ALREADY_REPORTED).into()),
                    _ => return Err(refused(model::NOT_FINAL).into()),
                }
                let c = repo::set_state(tx, &c, expected, CampaignState::Reported, None, today)?;
                close(tx, ObligationKind::VanguardCountyReport, c.year, who, today)?;
                record(tx, who, "vanguard.report", &c)?;
                campaign_view(tx, &c)
            })
            .await?;
        Ok(ok(v))
    }

    /// 考评情况报告（打印） / The county report as print-ready HTML
    #[oai(path = "/:year/report.html", method = "get")]
    async fn report_html(&self, auth: Auth, year: Path<i32>) -> AppResult<HtmlDocument> {
        Ok(self.document(auth, year.0).await?.html_response())
    }

    /// 考评情况报告（xlsx） / The county report as xlsx
    #[oai(path = "/:year/report.xlsx", method = "get")]
    async fn report_xlsx(&self, auth: Auth, year: Path<i32>) -> AppResult<XlsxDocument> {
        self.document(auth, year.0).await?.xlsx_response()
    }
}

impl VanguardApi {
    async fn document(&self, auth: Auth, year: i32) -> AppResult<crate::documents::Document> {
        let call = Call::new(&self.state, auth)?;
        call.read(move |tx, who: &Principal| {
            let c = campaign_of(tx, year)?;
            let v = campaign_view(tx, &c)?;
            let units = super::documents::by_unit(tx, &c.id)?;
            let county = crate::workflows::filing::api::county_name(tx)?;
            let by = crate::users::repo::get(tx, &who.user_id)?
                .map(|u| u.display_name)
                .unwrap_or_default();
            Ok(super::documents::report(
                &v,
                &units,
                &county,
                &by,
                crate::clock::today(),
            ))
        })
        .await
    }
}

/// An objection written just now, with its member's name.
fn objection_of(tx: &mut TenantTx<'_>, o: super::repo::ObjectionRow) -> DbResult<ObjectionView> {
    let name = crate::members::repo::get(tx, &o.member_id)?
        .map(|m| m.name)
        .unwrap_or_default();
    objection_view(tx, o, name)
}

fn objection_view(
    tx: &mut TenantTx<'_>,
    o: super::repo::ObjectionRow,
    member_name: String,
) -> DbResult<ObjectionView> {
    let users: Vec<String> = o.answered_by.iter().cloned().collect();
    let names = crate::workflows::centres::view::names(tx, &[] as &[String], &[], &users)?;
    Ok(ObjectionView {
        answered_by_name: o.answered_by.as_ref().and_then(|u| names.get(u)).cloned(),
        id: o.id,
        member_id: o.member_id,
        member_name,
        received_on: o.received_on,
        content: o.content,
        answer: o.answer,
        revised_stars: o.revised_stars,
        answered_on: o.answered_on,
    })
}
