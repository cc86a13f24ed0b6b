//! /api/v1/activities: a centre's activity plans, the list, one activity with its steps, and
//! changes to a plan (the steps: `steps`; the roster and attendance: `attendance`).
//!
//! Who sees an activity: county-wide roles all; a scoped user those of the centres in their
//! subtree; others answer 404, like another county's ids. Who changes one: [`model::may_act`]
//! (403 `not_activity_director`, `committee_only` or `centre_staff_only`); an illegal step is
//! 409 with the stable code of [`model::next`].

use chrono::NaiveDate;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde::{Deserialize, Serialize};

use super::model::{self, Action, ActivityState, CentreActivityKind};
use super::repo::{self, ActivityRow, ActivityValues, Filter};
use super::view::{ActivityAudience, CentreActivityPage, CentreActivityView, view, views};
use crate::AppState;
use crate::api::{JsonBody, PageRequest, etag, if_match, path_id};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Principal, Role};
pub(crate) use crate::centres::api::standing;
use crate::centres::api::{in_years, region, taking_centre};
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult, FieldError, Gather};
use crate::events::{Emitter, EventKind};
use crate::floating::api::{opt_text, text};
use crate::handler::Call;
use crate::org::model::OrgKind;
use crate::org::repo::OrgUnitRow;
use crate::org::scope;

#[derive(Tags)]
pub(super) enum ApiTags {
    /// 区域性党员服务中心：党员活动 / Service centres: activities
    Activities,
}

pub struct ActivitiesApi {
    pub state: AppState,
}

/// An activity plan (活动方案), as drafted or revised.
#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ActivityPlanRequest {
    /// The service centre. Default: the centre you are bound to (a director names it).
    pub centre_id: Option<String>,
    /// 活动主题 (1–100 characters).
    pub theme: String,
    pub kind: CentreActivityKind,
    pub held_on: NaiveDate,
    /// `HH:MM`, Beijing time.
    pub start_time: Option<String>,
    /// 活动地点 (1–100 characters).
    pub place: String,
    /// 活动内容 (up to 2000 characters).
    pub content: Option<String>,
    /// Default: every member of the centre's region.
    #[oai(default)]
    #[serde(default)]
    pub audience: ActivityAudience,
}

#[derive(ApiResponse)]
pub enum ActivityResponse {
    #[oai(status = 200)]
    Ok(Json<CentreActivityView>, #[oai(header = "ETag")] String),
}

#[derive(ApiResponse)]
pub enum ActivityCreated {
    #[oai(status = 201)]
    Created(
        Json<CentreActivityView>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Location")] String,
    ),
}

/// The 403 for a step the caller's standing does not allow.
pub(super) fn forbidden(action: Action) -> AppError {
    let (code, zh, en) = match action {
        Action::Edit | Action::Submit | Action::Cancel => (
            "not_activity_director",
            "活动方案由服务中心主任拟定、报批和取消",
            "The centre director plans, submits and cancels activities",
        ),
        Action::Approve | Action::Return => (
            "committee_only",
            "活动方案由协会党委审批",
            "The association committee approves or returns activity plans",
        ),
        Action::Notify | Action::RecordAttendance => (
            "centre_staff_only",
            "由该服务中心工作人员通知参加人员、记录出勤",
            "The centre's staff notify the audience and record attendance",
        ),
    };
    AppError::new(poem::http::StatusCode::FORBIDDEN, code, zh, en)
}

/// The role a step needs at all, checked before the body is read: the committee's steps are
/// the association committee's, every other step is branch staff's (who of them: [`standing`]).
pub(super) fn role_may(who: &Principal, action: Action) -> AppResult<()> {
    let needed = match action {
        Action::Approve | Action::Return => Role::AssociationCommittee,
        _ => Role::BranchStaff,
    };
    if who.role == needed {
        Ok(())
    } else {
        Err(forbidden(action))
    }
}

/// Tells `/events` subscribers who see the centre that one of its activities changed.
pub(super) async fn publish(state: &AppState, emit: &Emitter, id: &str, centre_id: &str) {
    emit.workflow(
        state,
        EventKind::ActivityChanged,
        id,
        vec![centre_id.to_owned()],
    )
    .await;
}

/// An activity the caller can see (its centre is in their scope), or 404.
pub(super) fn visible_activity(
    tx: &mut TenantTx<'_>,
    who: &Principal,
    id: &str,
) -> DbResult<(ActivityRow, OrgUnitRow)> {
    let r = repo::get(tx, id)?.ok_or_else(AppError::not_found)?;
    let centre = crate::org::repo::get(tx, &r.centre_id)?.ok_or_else(AppError::not_found)?;
    if !scope::visibility(tx, who.role, &who.user_id)?.sees(&centre) {
        return Err(AppError::not_found().into());
    }
    Ok((r, centre))
}

fn not_in_region(field: &str) -> FieldError {
    FieldError::new(
        field,
        "not_in_region",
        format!("{field}：不在服务中心所在区域内"),
        format!("{field}: not in the centre's region"),
    )
}

fn not_found_field(field: &str) -> FieldError {
    FieldError::new(
        field,
        "not_found",
        format!("{field}：不存在"),
        format!("{field}: no such object"),
    )
}

/// The audience, checked against the centre: a unit inside its region, a grid and a market of
/// the county (their members are still limited to the region). Every fault is named.
pub(super) fn check_audience(
    tx: &mut TenantTx<'_>,
    centre: &OrgUnitRow,
    a: &ActivityAudience,
) -> DbResult<ActivityAudience> {
    let region = region(tx, centre)?;
    let mut errs = Vec::new();
    let id = |v: &Option<String>| v.as_deref().map(path_id).transpose().ok().flatten();
    let mut out = a.clone();
    if a.unit_id.is_some() {
        out.unit_id = id(&a.unit_id);
        let unit = match &out.unit_id {
            Some(u) => crate::org::repo::get(tx, u)?,
            None => None,
        };
        if !unit.is_some_and(|u| region.sees(&u)) {
            errs.push(not_in_region("audience.unit_id"));
        }
    }
    if a.grid_id.is_some() {
        out.grid_id = id(&a.grid_id);
        let grid = match &out.grid_id {
            Some(g) => crate::grids::repo::get(tx, g)?,
            None => None,
        };
        if grid.is_none() {
            errs.push(not_found_field("audience.grid_id"));
        }
    }
    if a.market_id.is_some() {
        out.market_id = id(&a.market_id);
        let market = match &out.market_id {
            Some(mk) => crate::org::repo::get(tx, mk)?,
            None => None,
        };
        if !market.is_some_and(|mk| mk.kind() == OrgKind::Market) {
            errs.push(not_found_field("audience.market_id"));
        }
    }
    if !errs.is_empty() {
        return Err(AppError::validation(errs).into());
    }
    Ok(out)
}

/// A plan's own fields, checked before the transaction: every fault named at once.
pub(super) struct CheckedPlan {
    pub centre_id: Option<String>,
    pub theme: String,
    pub kind: CentreActivityKind,
    pub held_on: NaiveDate,
    pub start_time: Option<String>,
    pub place: String,
    pub content: Option<String>,
    pub audience: ActivityAudience,
}

pub(super) fn check_plan(p: ActivityPlanRequest) -> AppResult<CheckedPlan> {
    let mut errs = Vec::new();
    let theme = text("theme", &p.theme, 100).gather(&mut errs);
    let place = text("place", &p.place, 100).gather(&mut errs);
    let content = opt_text("content", p.content.as_deref(), 2000)
        .transpose()
        .gather(&mut errs)
        .flatten();
    let held_on = in_years("held_on", p.held_on).gather(&mut errs);
    let start_time = match p.start_time.as_deref().filter(|s| !s.trim().is_empty()) {
        None => None,
        Some(s) => match model::start_time(s) {
            Some(t) => Some(t),
            None => {
                errs.push(FieldError::new(
                    "start_time",
                    "invalid_time",
                    "start_time：时间格式应为 时:分，如 09:30",
                    "start_time: a time as HH:MM, e.g. 09:30",
                ));
                None
            }
        },
    };
    let centre_id = match p.centre_id.as_deref().map(path_id).transpose() {
        Ok(c) => c,
        Err(_) => {
            errs.push(FieldError::new(
                "centre_id",
                "centre_not_found",
                "centre_id：不是你所在范围内的区域性党员服务中心",
                "centre_id: no such service centre in your scope",
            ));
            None
        }
    };
    if !errs.is_empty() {
        return Err(AppError::validation(errs));
    }
    Ok(CheckedPlan {
        centre_id,
        theme: theme.unwrap_or_default(),
        kind: p.kind,
        held_on: held_on.unwrap_or(p.held_on),
        start_time,
        place: place.unwrap_or_default(),
        content,
        audience: p.audience,
    })
}

fn write_plan(v: &mut ActivityValues, p: &CheckedPlan, audience: ActivityAudience) {
    v.theme = p.theme.clone();
    v.kind = p.kind.as_str().to_owned();
    v.held_on = p.held_on;
    v.start_time = p.start_time.clone();
    v.place = p.place.clone();
    v.content = p.content.clone();
    v.audience_unit_id = audience.unit_id;
    v.audience_grid_id = audience.grid_id;
    v.audience_category = audience.category.map(|c| c.as_str().to_owned());
    v.audience_market_id = audience.market_id;
}

#[OpenApi(tag = "ApiTags::Activities")]
impl ActivitiesApi {
    /// 党员活动列表 / Activities you can see, the latest day first
    #[oai(path = "/activities", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: Auth,
        centre_id: Query<Option<String>>,
        state: Query<Option<ActivityState>>,
        kind: Query<Option<CentreActivityKind>>,
        /// Held in this year.
        #[oai(validator(minimum(value = "2000"), maximum(value = "2100")))]
        year: Query<Option<i32>>,
        limit: Query<Option<crate::api::PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<CentreActivityPage>> {
        let call = Call::new(&self.state, auth)?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let centre = centre_id.0.as_deref().map(path_id).transpose();
        let impossible = centre.is_err();
        let (from, to) = match year.0 {
            Some(y) => (
                NaiveDate::from_ymd_opt(y, 1, 1),
                NaiveDate::from_ymd_opt(y, 12, 31),
            ),
            None => (None, None),
        };
        let f = Filter {
            centre_id: centre.ok().flatten(),
            state: state.0.map(ActivityState::as_str),
            kind: kind.0.map(CentreActivityKind::as_str),
            from,
            to,
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
        Ok(Json(CentreActivityPage { items, next_cursor }))
    }

    /// 拟定活动方案 / Draft an activity plan (the centre director)
    #[oai(path = "/activities", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        body: JsonBody<ActivityPlanRequest>,
    ) -> AppResult<ActivityCreated> {
        let call = Call::new(&self.state, auth)?;
        role_may(call.who(), Action::Edit)?;
        let emit = call.emitter();
        let plan = check_plan(body.0)?;
        let view = call
            .write(move |tx, who: &Principal| {
                let centre = taking_centre(tx, who, plan.centre_id.as_deref())?;
                if !standing(tx, who, &centre)?.director {
                    return Err(forbidden(Action::Edit).into());
                }
                let audience = check_audience(tx, &centre, &plan.audience)?;
                let mut v = ActivityValues {
                    centre_id: centre.id.clone(),
                    theme: String::new(),
                    kind: String::new(),
                    held_on: plan.held_on,
                    start_time: None,
                    place: String::new(),
                    content: None,
                    audience_unit_id: None,
                    audience_grid_id: None,
                    audience_category: None,
                    audience_market_id: None,
                    state: ActivityState::Draft.as_str().to_owned(),
                    planned_by: who.user_id.clone(),
                    decided_by: None,
                    decided_on: None,
                    return_reason: None,
                    notified_on: None,
                };
                write_plan(&mut v, &plan, audience);
                let row = repo::insert(tx, &v)?;
                let today = crate::clock::today();
                repo::add_event(tx, &row.id, "planned", today, &who.user_id, None)?;
                audit::record(
                    tx,
                    &Actor::of(who),
                    "activity.plan",
                    "activity",
                    &row.id,
                    None,
                    serde_json::json!({ "centre_id": row.centre_id, "kind": row.kind,
                        "held_on": row.held_on }),
                )?;
                view(tx, &row, true)
            })
            .await?;
        publish(&self.state, &emit, &view.id, &view.centre_id).await;
        let tag = etag(view.version);
        let location = format!("/api/v1/activities/{}", view.id);
        Ok(ActivityCreated::Created(Json(view), tag, location))
    }

    /// 党员活动 / One activity with its steps
    #[oai(path = "/activities/:id", method = "get")]
    async fn get(&self, auth: Auth, id: Path<String>) -> AppResult<ActivityResponse> {
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id.0)?;
        let view = call
            .read(move |tx, who: &Principal| {
                let (r, _) = visible_activity(tx, who, &id)?;
                view(tx, &r, true)
            })
            .await?;
        let tag = etag(view.version);
        Ok(ActivityResponse::Ok(Json(view), tag))
    }

    /// 修改活动方案 / Revise a draft or returned plan (the centre director)
    ///
    /// The centre stays; `centre_id`, if given, must be the activity's.
    #[oai(path = "/activities/:id", method = "put")]
    async fn revise(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<ActivityPlanRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<ActivityResponse> {
        let call = Call::new(&self.state, auth)?;
        role_may(call.who(), Action::Edit)?;
        let emit = call.emitter();
        let id = path_id(&id.0)?;
        let expected = if_match_h
            .0
            .as_deref()
            .map(|h| if_match(Some(h)))
            .transpose()?;
        let plan = check_plan(body.0)?;
        let view = call
            .write(move |tx, who: &Principal| {
                let (r, centre) = visible_activity(tx, who, &id)?;
                if !model::may_act(Action::Edit, standing(tx, who, &centre)?) {
                    return Err(forbidden(Action::Edit).into());
                }
                if expected.is_some_and(|v| v != r.version) {
                    return Err(AppError::precondition_failed().into());
                }
                let state = ActivityState::parse(&r.state).unwrap_or(ActivityState::Draft);
                model::next(state, Action::Edit).map_err(AppError::from)?;
                if plan.centre_id.as_ref().is_some_and(|c| *c != r.centre_id) {
                    return Err(AppError::field(
                        "centre_id",
                        "centre_fixed",
                        "centre_id：活动所属服务中心不能更改",
                        "centre_id: an activity stays with its centre",
                    )
                    .into());
                }
                let audience = check_audience(tx, &centre, &plan.audience)?;
                let mut v = ActivityValues::from_row(&r);
                write_plan(&mut v, &plan, audience);
                let row = repo::update(tx, &id, r.version, &v)?;
                repo::add_event(
                    tx,
                    &id,
                    "revised",
                    crate::clock::today(),
                    &who.user_id,
                    None,
                )?;
                audit::record(
                    tx,
                    &Actor::of(who),
                    "activity.revise",
                    "activity",
                    &id,
                    None,
                    serde_json::json!({ "kind": row.kind, "held_on": row.held_on }),
                )?;
                view(tx, &row, true)
            })
            .await?;
        publish(&self.state, &emit, &view.id, &view.centre_id).await;
        let tag = etag(view.version);
        Ok(ActivityResponse::Ok(Json(view), tag))
    }
}
