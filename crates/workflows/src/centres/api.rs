//! /api/v1/service-requests: taking a member's request at a service centre, the list by due day
//! and one request with its steps (the steps themselves: `steps`).
//!
//! Who sees a request: county-wide roles all; a scoped user those of the centres in their
//! subtree (branch staff bound to the centre, or to its branch); others answer 404, like another
//! county's ids. Who changes one: branch staff only (403 `centre_staff_only`), and of those the
//! request's owner, or for an escalated one the centre director ([`model::may_act`]; 403
//! `not_request_owner`); an illegal step is 409 with the stable code of [`model::next`].

use chrono::NaiveDate;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde::{Deserialize, Serialize};

use super::model::{RequestCategory, RequestChannel, RequestState};
use super::repo::{self, Filter, RequestRow, RequestValues};
use super::report::{RequestReport, summarise};
use super::view::{ServiceRequestPage, ServiceRequestView, view, views};
use crate::AppState;
use crate::api::{JsonBody, PageRequest, etag, path_id};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Principal, Role};
use crate::db::{DbResult, TenantTx};
use crate::documents::{HtmlDocument, XlsxDocument};
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult, FieldError, Gather};
use crate::events::{Emitter, EventKind};
use crate::floating::api::{not_future, text};
use crate::handler::Call;
use crate::org::model::OrgKind;
use crate::org::repo::OrgUnitRow;
use crate::org::scope::{self, Visibility};

#[derive(Tags)]
pub(super) enum ApiTags {
    /// 区域性党员服务中心：党员诉求受(办)理 / Service centres: members' requests
    ServiceRequests,
}

pub struct ServiceRequestsApi {
    pub state: AppState,
}

/// The longest request a 受(办)理表 holds, in characters.
pub(super) const CONTENT_MAX: usize = 2000;

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct TakeServiceRequest {
    /// The member of the register who asks (in the centre's region: its branch's subtree).
    pub member_id: String,
    /// The service centre. Default: the centre you are bound to.
    pub centre_id: Option<String>,
    pub channel: RequestChannel,
    pub category: RequestCategory,
    /// 重大服务事项: followed up (回访) before it can be archived.
    #[oai(default)]
    #[serde(default)]
    pub major: bool,
    /// 诉求的具体内容 (1–2000 characters).
    pub content: String,
    /// Default today; not in the future.
    pub received_on: Option<NaiveDate>,
}

/// A staff member who may own a centre's requests.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct CentreStaff {
    pub user_id: String,
    pub display_name: String,
    /// Bound to the centre's branch: the centre director, who coordinates escalated requests.
    pub director: bool,
}

#[derive(Debug, Clone, Object)]
pub struct CentreStaffList {
    pub items: Vec<CentreStaff>,
}

#[derive(ApiResponse)]
pub enum RequestResponse {
    #[oai(status = 200)]
    Ok(Json<ServiceRequestView>, #[oai(header = "ETag")] String),
}

#[derive(ApiResponse)]
pub enum RequestCreated {
    #[oai(status = 201)]
    Created(
        Json<ServiceRequestView>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Location")] String,
    ),
}

pub(super) fn centre_staff_only(who: &Principal) -> Result<(), AppError> {
    if who.role == Role::BranchStaff {
        Ok(())
    } else {
        Err(AppError::new(
            poem::http::StatusCode::FORBIDDEN,
            "centre_staff_only",
            "党员诉求由区域性党员服务中心工作人员受理和办理",
            "Members' requests are taken and handled by service-centre staff",
        ))
    }
}

/// Tells `/events` subscribers who see the centre that one of its requests changed.
pub(super) async fn publish(state: &AppState, emit: &Emitter, id: &str, centre_id: &str) {
    emit.workflow(
        state,
        EventKind::ServiceRequestChanged,
        id,
        vec![centre_id.to_owned()],
    )
    .await;
}

/// A request the caller can see (its centre is in their scope), or 404.
pub(super) fn visible_request(
    tx: &mut TenantTx<'_>,
    who: &Principal,
    id: &str,
) -> DbResult<RequestRow> {
    let r = repo::get(tx, id)?.ok_or_else(AppError::not_found)?;
    let vis = scope::visibility(tx, who.role, &who.user_id)?;
    let sees = match &vis {
        Visibility::County => true,
        Visibility::Nothing => false,
        Visibility::Subtree(_) => {
            crate::org::repo::get(tx, &r.centre_id)?.is_some_and(|u| vis.sees(&u))
        }
    };
    if !sees {
        return Err(AppError::not_found().into());
    }
    Ok(r)
}

/// Whether the user directs the centre: branch staff bound to the centre's branch (the seed's
/// director is the branch's first party-branch secretary).
pub(crate) fn is_director(
    tx: &mut TenantTx<'_>,
    user_id: &str,
    centre: &OrgUnitRow,
) -> DbResult<bool> {
    let Some(u) = crate::users::repo::get(tx, user_id)? else {
        return Ok(false);
    };
    Ok(u.role == Role::BranchStaff.as_str()
        && u.status == "active"
        && u.org_unit_id.is_some()
        && u.org_unit_id == centre.parent_id)
}

/// What the caller is to a centre: its director, its staff, the association committee.
pub(crate) fn standing(
    tx: &mut TenantTx<'_>,
    who: &Principal,
    centre: &OrgUnitRow,
) -> DbResult<super::model::Standing> {
    let branch = who.role == Role::BranchStaff;
    Ok(super::model::Standing {
        director: branch && is_director(tx, &who.user_id, centre)?,
        staff: branch && may_own(tx, &who.user_id, centre)?,
        committee: who.role == Role::AssociationCommittee,
    })
}

/// The centre's own work (registrations, letters) is its staff's and its director's: branch
/// staff only, checked before the body is read (`acts_for` then checks which centre).
pub(crate) fn branch_staff(who: &Principal, refuse: fn() -> AppError) -> AppResult<()> {
    if who.role == Role::BranchStaff {
        Ok(())
    } else {
        Err(refuse())
    }
}

/// The caller is the centre's staff or its director, or `refuse`.
pub(crate) fn acts_for(
    tx: &mut TenantTx<'_>,
    who: &Principal,
    centre: &OrgUnitRow,
    refuse: fn() -> AppError,
) -> DbResult<()> {
    let s = standing(tx, who, centre)?;
    if s.staff || s.director {
        Ok(())
    } else {
        Err(refuse().into())
    }
}

/// Whether a user may own a request of the centre: active branch staff who see it.
pub(crate) fn may_own(tx: &mut TenantTx<'_>, user_id: &str, centre: &OrgUnitRow) -> DbResult<bool> {
    let Some(u) = crate::users::repo::get(tx, user_id)? else {
        return Ok(false);
    };
    if u.role != Role::BranchStaff.as_str() || u.status != "active" {
        return Ok(false);
    }
    Ok(scope::visibility(tx, Role::BranchStaff, user_id)?.sees(centre))
}

fn centre_not_found() -> AppError {
    AppError::field(
        "centre_id",
        "centre_not_found",
        "centre_id：不是你所在范围内的区域性党员服务中心",
        "centre_id: no such service centre in your scope",
    )
}

fn member_not_found() -> FieldError {
    FieldError::new(
        "member_id",
        "member_not_found",
        "member_id：服务中心所在区域没有该党员",
        "member_id: no such member in the centre's region",
    )
}

/// The centre a new request is taken at: the one named, else the caller's own unit; it must
/// be an active service centre the caller sees.
pub(crate) fn taking_centre(
    tx: &mut TenantTx<'_>,
    who: &Principal,
    named: Option<&str>,
) -> DbResult<OrgUnitRow> {
    let id = match named {
        Some(id) => Some(id.to_owned()),
        None => crate::users::repo::get(tx, &who.user_id)?.and_then(|u| u.org_unit_id),
    };
    let vis = scope::visibility(tx, who.role, &who.user_id)?;
    let centre = match id.filter(|id| uuid::Uuid::try_parse(id).is_ok()) {
        Some(id) => crate::org::repo::get(tx, &id)?,
        None => None,
    };
    centre
        .filter(|c| c.active && c.kind() == OrgKind::ServiceCentre && vis.sees(c))
        .ok_or_else(|| centre_not_found().into())
}

/// The centre's region: its branch's subtree (the party branches where its members keep their
/// organisational life, and the centre itself).
pub(crate) fn region(tx: &mut TenantTx<'_>, centre: &OrgUnitRow) -> DbResult<Visibility> {
    let branch = match &centre.parent_id {
        Some(p) => crate::org::repo::get(tx, p)?,
        None => None,
    };
    Ok(branch.map_or(Visibility::Nothing, |b| Visibility::Subtree(b.path)))
}

#[OpenApi(tag = "ApiTags::ServiceRequests")]
impl ServiceRequestsApi {
    /// 党员诉求列表 / Requests you can see: open ones first, by due day (overdue first)
    ///
    /// Requests not answered yet come first, then answered and archived ones; within each,
    /// escalated requests by their due day (the most overdue first), those without one (answered
    /// at once, or not escalated yet) after them.
    #[oai(path = "/service-requests", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: Auth,
        /// Only requests not answered yet (taken or escalated).
        open: Query<Option<bool>>,
        state: Query<Option<RequestState>>,
        centre_id: Query<Option<String>>,
        owner_id: Query<Option<String>>,
        member_id: Query<Option<String>>,
        limit: Query<Option<crate::api::PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<ServiceRequestPage>> {
        let call = Call::new(&self.state, auth)?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let centre = centre_id.0.as_deref().map(path_id).transpose();
        let owner = owner_id.0.as_deref().map(path_id).transpose();
        let member = member_id.0.as_deref().map(path_id).transpose();
        // Ids that cannot exist filter everything out, like unknown ones.
        let impossible = centre.is_err() || owner.is_err() || member.is_err();
        let f = Filter {
            open: open.0.unwrap_or(false),
            state: state.0.map(RequestState::as_str),
            centre_id: centre.ok().flatten(),
            owner_id: owner.ok().flatten(),
            member_id: member.ok().flatten(),
        };
        let (items, next_cursor) = call
            .read(move |tx, who: &Principal| {
                if impossible {
                    return Ok((Vec::new(), None));
                }
                let vis = scope::visibility(tx, who.role, &who.user_id)?;
                let rows = repo::list(tx, &vis, &f, &page)?;
                let (rows, next) = page.finish(rows, |r| &r.id);
                Ok((views(tx, &rows)?, next))
            })
            .await?;
        Ok(Json(ServiceRequestPage { items, next_cursor }))
    }

    /// 受理党员诉求 / Take a member's request on site or by phone (service-centre staff)
    ///
    /// The caller becomes the request's first responder and owner (首问责任制).
    #[oai(path = "/service-requests", method = "post")]
    async fn take(
        &self,
        auth: Auth,
        body: JsonBody<TakeServiceRequest>,
    ) -> AppResult<RequestCreated> {
        let call = Call::new(&self.state, auth)?;
        centre_staff_only(call.who())?;
        let emit = call.emitter();
        let req = body.0;
        let today = crate::clock::today();
        let mut errs = Vec::new();
        let content = text("content", &req.content, CONTENT_MAX).gather(&mut errs);
        let received_on = not_future("received_on", req.received_on.unwrap_or(today), today)
            .and_then(|d| in_years("received_on", d))
            .gather(&mut errs);
        let member_id = path_id(&req.member_id).ok();
        if member_id.is_none() {
            errs.push(member_not_found());
        }
        let centre_named = match req.centre_id.as_deref().map(path_id).transpose() {
            Ok(c) => c,
            Err(_) => return Err(centre_not_found()),
        };
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let (content, received_on, member_id) = (
            content.unwrap_or_default(),
            received_on.unwrap_or(today),
            member_id.unwrap_or_default(),
        );
        let view = call
            .write(move |tx, who: &Principal| {
                let centre = taking_centre(tx, who, centre_named.as_deref())?;
                let region = region(tx, &centre)?;
                match crate::members::repo::get(tx, &member_id)? {
                    Some(m) if crate::members::repo::visible(tx, &region, &m)? => {}
                    _ => return Err(AppError::validation(vec![member_not_found()]).into()),
                }
                let v = RequestValues {
                    centre_id: centre.id.clone(),
                    member_id,
                    channel: req.channel.as_str().to_owned(),
                    category: req.category.as_str().to_owned(),
                    major: req.major,
                    content,
                    received_on,
                    first_responder_id: who.user_id.clone(),
                    owner_id: who.user_id.clone(),
                    state: RequestState::Taken.as_str().to_owned(),
                    escalated_on: None,
                    due_on: None,
                    extensions: 0,
                    answer: None,
                    answer_method: None,
                    answered_on: None,
                    follow_up_method: None,
                    followed_up_on: None,
                    follow_up_opinion: None,
                    satisfaction: None,
                    archived_on: None,
                    archive_reference: None,
                };
                let row = repo::insert(tx, &v)?;
                repo::add_event(
                    tx,
                    &row.id,
                    "taken",
                    received_on,
                    &who.user_id,
                    Some(req.channel.label_zh().to_owned()),
                )?;
                // The content is the member's own matter: it stays out of the audit details.
                audit::record(
                    tx,
                    &Actor::of(who),
                    "service_request.take",
                    "service_request",
                    &row.id,
                    None,
                    serde_json::json!({ "centre_id": row.centre_id, "category": row.category,
                        "channel": row.channel, "major": row.major, "received_on": received_on }),
                )?;
                view(tx, &row, true)
            })
            .await?;
        publish(&self.state, &emit, &view.id, &view.centre_id).await;
        let tag = etag(view.version);
        let location = format!("/api/v1/service-requests/{}", view.id);
        Ok(RequestCreated::Created(Json(view), tag, location))
    }

    /// 党员诉求 / One request with its steps
    #[oai(path = "/service-requests/:id", method = "get")]
    async fn get(&self, auth: Auth, id: Path<String>) -> AppResult<RequestResponse> {
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id.0)?;
        let view = call
            .read(move |tx, who: &Principal| {
                let r = visible_request(tx, who, &id)?;
                view(tx, &r, true)
            })
            .await?;
        let tag = etag(view.version);
        Ok(RequestResponse::Ok(Json(view), tag))
    }

    /// 服务中心工作人员 / Who may own the centre's requests (for a handover), and its director
    #[oai(path = "/service-centres/:id/staff", method = "get")]
    async fn staff(&self, auth: Auth, id: Path<String>) -> AppResult<Json<CentreStaffList>> {
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id.0)?;
        let items = call
            .read(move |tx, who: &Principal| {
                let vis = scope::visibility(tx, who.role, &who.user_id)?;
                let centre = crate::org::repo::get(tx, &id)?
                    .filter(|c| c.kind() == OrgKind::ServiceCentre && vis.sees(c))
                    .ok_or_else(AppError::not_found)?;
                let mut out = Vec::new();
                for (user_id, display_name) in repo::branch_staff_of_region(tx, &centre)? {
                    if !may_own(tx, &user_id, &centre)? {
                        continue;
                    }
                    let director = is_director(tx, &user_id, &centre)?;
                    out.push(CentreStaff {
                        user_id,
                        display_name,
                        director,
                    });
                }
                Ok(out)
            })
            .await?;
        Ok(Json(CentreStaffList { items }))
    }

    /// 服务中心诉求办理情况通报 / The centres' yearly figures on requests (情况通报制)
    ///
    /// Per service centre you see: requests received in the year by category, answered at
    /// once, on time or late, still open (and overdue), the on-time rate, extensions, follow-ups
    /// and satisfaction.
    #[oai(path = "/service-centres/report", method = "get")]
    async fn report_json(
        &self,
        auth: Auth,
        /// Default: this year.
        year: Query<Option<i32>>,
        centre_id: Query<Option<String>>,
    ) -> AppResult<Json<RequestReport>> {
        Ok(Json(self.report(auth, year.0, centre_id.0).await?.0))
    }

    /// 情况通报（打印） / The yearly figures as print-ready HTML
    #[oai(path = "/service-centres/report.html", method = "get")]
    async fn report_html(
        &self,
        auth: Auth,
        year: Query<Option<i32>>,
        centre_id: Query<Option<String>>,
    ) -> AppResult<HtmlDocument> {
        let (r, county, by) = self.report(auth, year.0, centre_id.0).await?;
        Ok(super::report::document(&r, &county, &by, crate::clock::today()).html_response())
    }

    /// 情况通报（xlsx） / The yearly figures as xlsx
    #[oai(path = "/service-centres/report.xlsx", method = "get")]
    async fn report_xlsx(
        &self,
        auth: Auth,
        year: Query<Option<i32>>,
        centre_id: Query<Option<String>>,
    ) -> AppResult<XlsxDocument> {
        let (r, county, by) = self.report(auth, year.0, centre_id.0).await?;
        super::report::document(&r, &county, &by, crate::clock::today()).xlsx_response()
    }

    /// 受（办）理表（xlsx） / The request's 受(办)理表 as xlsx
    #[oai(path = "/service-requests/:id/form.xlsx", method = "get")]
    async fn form_xlsx(&self, auth: Auth, id: Path<String>) -> AppResult<XlsxDocument> {
        self.form(auth, id.0).await?.xlsx_response()
    }

    /// 受（办）理表（打印） / The request's 受(办)理表 as print-ready HTML
    #[oai(path = "/service-requests/:id/form.html", method = "get")]
    async fn form_html(&self, auth: Auth, id: Path<String>) -> AppResult<HtmlDocument> {
        Ok(self.form(auth, id.0).await?.html_response())
    }
}

impl ServiceRequestsApi {
    /// The year's figures for every service centre the caller sees (one, when named).
    async fn report(
        &self,
        auth: Auth,
        year: Option<i32>,
        centre_id: Option<String>,
    ) -> AppResult<(RequestReport, String, String)> {
        let call = Call::new(&self.state, auth)?;
        let today = crate::clock::today();
        let year = year.unwrap_or(chrono::Datelike::year(&today));
        let bounds = NaiveDate::from_ymd_opt(year, 1, 1)
            .zip(NaiveDate::from_ymd_opt(year, 12, 31))
            .filter(|_| (2000..=2100).contains(&year));
        let Some((from, to)) = bounds else {
            return Err(AppError::field(
                "year",
                "out_of_range",
                "year：年份应在2000到2100之间",
                "year must be between 2000 and 2100",
            ));
        };
        // A centre id that cannot exist matches no centre, like an unknown one.
        let named = centre_id.as_deref().map(|c| path_id(c).unwrap_or_default());
        let as_of = today.min(to);
        call.read(move |tx, who: &Principal| {
            let vis = scope::visibility(tx, who.role, &who.user_id)?;
            let units = repo::centres(tx)?;
            let mut centres = Vec::new();
            let wanted = |c: &OrgUnitRow| vis.sees(c) && named.as_ref().is_none_or(|n| *n == c.id);
            for c in units.into_iter().filter(wanted) {
                let rows = repo::received_between(tx, &c.id, from, to)?;
                let mut f = summarise(&c.id, &c.name, &rows, as_of);
                let year = crate::activities::repo::year_of_centre(tx, &c.id, from, to)?;
                super::report::add_activities(&mut f, &year);
                centres.push(f);
            }
            let county = crate::filing::api::county_name(tx)?;
            let printed_by = crate::users::repo::get(tx, &who.user_id)?
                .map(|u| u.display_name)
                .unwrap_or_default();
            Ok((
                RequestReport {
                    year,
                    as_of,
                    centres,
                },
                county,
                printed_by,
            ))
        })
        .await
    }

    async fn form(&self, auth: Auth, id: String) -> AppResult<crate::documents::Document> {
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id)?;
        call.read(move |tx, who: &Principal| {
            let r = visible_request(tx, who, &id)?;
            let v = view(tx, &r, true)?;
            let printed_by = crate::users::repo::get(tx, &who.user_id)?
                .map(|u| u.display_name)
                .unwrap_or_default();
            Ok(super::documents::form(
                &v,
                &printed_by,
                crate::clock::today(),
            ))
        })
        .await
    }
}

/// A date the register's years hold (2000–2100).
pub(crate) fn in_years(field: &str, d: NaiveDate) -> Result<NaiveDate, FieldError> {
    if (2000..=2100).contains(&chrono::Datelike::year(&d)) {
        return Ok(d);
    }
    Err(FieldError::new(
        field,
        "out_of_range",
        format!("{field}：日期应在2000年至2100年之间"),
        format!("{field} must be between 2000 and 2100"),
    ))
}
