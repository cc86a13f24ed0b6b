//! The steps of an activity after it was drafted: submission to the association committee, its
//! approval or return with a reason, the notice to the audience (which fixes the roster and
//! goes out through the notification worker), and cancellation (with a notice to the roster if
//! it was already notified).

use chrono::NaiveDate;
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::{Deserialize, Serialize};

use super::api::{
    ActivityResponse, ApiTags, check_audience, forbidden, publish, role_may, standing,
    visible_activity,
};
use super::model::{self, Action, ActivityState, CentreActivityKind};
use super::repo::{self, ActivityRow, ActivityValues};
use super::view::{ActivityAudience, view};
use crate::AppState;
use crate::api::{JsonBody, etag, if_match, path_id};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Principal};
use crate::centres::api::region;
use crate::db::{DbResult, TenantTx};
use crate::deadlines::notices::{self, About, Notice, Topic};
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult};
use crate::floating::api::text;
use crate::handler::Call;
use crate::members::api::MemberQuery;
use crate::org::repo::OrgUnitRow;

/// The most members one activity's notice reaches: a centre's whole region in the largest
/// county is about a quarter of 50,000.
pub const ROSTER_MAX: usize = 20_000;

pub struct ActivityStepsApi {
    pub state: AppState,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ReturnActivityRequest {
    /// Why the committee returns the plan (required).
    pub reason: String,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CancelActivityRequest {
    /// Why the activity is called off (required; told to the roster if it was notified).
    pub reason: String,
}

/// What a step did, for the activity's history and its audit entry.
pub(super) struct Done {
    pub kind: &'static str,
    pub detail: Option<String>,
    pub audit: serde_json::Value,
}

pub(super) type StepFn = dyn FnOnce(
        &mut TenantTx<'_>,
        &Principal,
        &ActivityRow,
        &OrgUnitRow,
        &mut ActivityValues,
    ) -> DbResult<Done>
    + Send;

/// The members the activity is for: the centre's region narrowed by the audience, in register
/// order. More than [`ROSTER_MAX`] is refused (409 `audience_too_large`).
pub fn audience_members(
    tx: &mut TenantTx<'_>,
    centre: &OrgUnitRow,
    r: &ActivityRow,
) -> DbResult<Vec<String>> {
    let region = region(tx, centre)?;
    let a = ActivityAudience::of(r);
    let q = MemberQuery {
        unit: a.unit_id,
        grid: a.grid_id,
        category: a.category,
        market: a.market_id,
        ..MemberQuery::default()
    };
    let Some(f) = q.filter(tx, &region)? else {
        return Ok(Vec::new());
    };
    let members = crate::members::repo::all(tx, &f, ROSTER_MAX, |_| true)?.ok_or_else(|| {
        AppError::conflict(
            "audience_too_large",
            format!("参加对象超过{ROSTER_MAX}人，请按组织、网格、类别或市场缩小范围"),
            format!("The audience exceeds {ROSTER_MAX} members; narrow it by unit, grid, category or market"),
        )
    })?;
    Ok(members.into_iter().map(|m| m.id).collect())
}

/// The notice's text: the activity, never a member.
pub(super) fn notice_text(
    r: &ActivityRow,
    centre: &str,
    cancelled: Option<&str>,
) -> (String, String) {
    let kind = CentreActivityKind::parse(&r.kind).map_or("活动", |k| k.label_zh());
    let when = match &r.start_time {
        Some(t) => format!("{} {t}", r.held_on),
        None => r.held_on.to_string(),
    };
    match cancelled {
        None => (
            format!("【活动通知】{}", r.theme),
            format!(
                "{centre}定于{when}在{}举行{kind}：{}。请准时参加，不能参加的请向服务中心请假。",
                r.place, r.theme
            ),
        ),
        Some(reason) => (
            format!("【活动取消】{}", r.theme),
            format!(
                "{centre}原定于{when}在{}举行的{kind}“{}”取消：{reason}。",
                r.place, r.theme
            ),
        ),
    }
}

impl ActivityStepsApi {
    /// One step on an activity: visible, by someone whose standing allows it, at the expected
    /// version, allowed in its state; `f` fills in the step's values, then the activity, its
    /// step and the audit entry are stored together.
    pub(super) async fn step(
        &self,
        auth: Auth,
        id: String,
        if_match_h: Option<String>,
        action: Action,
        f: Box<StepFn>,
    ) -> AppResult<ActivityResponse> {
        let call = Call::new(&self.state, auth)?;
        role_may(call.who(), action)?;
        let emit = call.emitter();
        let id = path_id(&id)?;
        let expected = if_match_h
            .as_deref()
            .map(|h| if_match(Some(h)))
            .transpose()?;
        let view = call
            .write(move |tx, who: &Principal| {
                let (r, centre) = visible_activity(tx, who, &id)?;
                if !model::may_act(action, standing(tx, who, &centre)?) {
                    return Err(forbidden(action).into());
                }
                if expected.is_some_and(|v| v != r.version) {
                    return Err(AppError::precondition_failed().into());
                }
                let state = ActivityState::parse(&r.state).unwrap_or(ActivityState::Draft);
                let new = model::next(state, action).map_err(AppError::from)?;
                let mut v = ActivityValues::from_row(&r);
                v.state = new.as_str().to_owned();
                let done = f(tx, who, &r, &centre, &mut v)?;
                let row = repo::update(tx, &id, r.version, &v)?;
                repo::add_event(
                    tx,
                    &id,
                    done.kind,
                    crate::clock::today(),
                    &who.user_id,
                    done.detail,
                )?;
                audit::record(
                    tx,
                    &Actor::of(who),
                    &format!("activity.{}", done.kind),
                    "activity",
                    &id,
                    None,
                    serde_json::json!({ "from": state.as_str(), "to": new.as_str(), "details": done.audit }),
                )?;
                view(tx, &row, true)
            })
            .await?;
        publish(&self.state, &emit, &view.id, &view.centre_id).await;
        let tag = etag(view.version);
        Ok(ActivityResponse::Ok(Json(view), tag))
    }
}

fn decided(v: &mut ActivityValues, who: &Principal, on: NaiveDate) {
    v.decided_by = Some(who.user_id.clone());
    v.decided_on = Some(on);
}

#[OpenApi(tag = "ApiTags::Activities")]
impl ActivityStepsApi {
    /// 报协会党委审批 / Submit the plan to the association committee (the centre director)
    #[oai(path = "/activities/:id/submit", method = "post")]
    async fn submit(
        &self,
        auth: Auth,
        id: Path<String>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<ActivityResponse> {
        self.step(
            auth,
            id.0,
            if_match_h.0,
            Action::Submit,
            Box::new(|_, _, _, _, v| {
                v.return_reason = None;
                v.decided_by = None;
                v.decided_on = None;
                Ok(Done {
                    kind: "submitted",
                    detail: None,
                    audit: serde_json::json!({}),
                })
            }),
        )
        .await
    }

    /// 批准 / Approve the plan (the association committee)
    #[oai(path = "/activities/:id/approve", method = "post")]
    async fn approve(
        &self,
        auth: Auth,
        id: Path<String>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<ActivityResponse> {
        self.step(
            auth,
            id.0,
            if_match_h.0,
            Action::Approve,
            Box::new(|_, who, _, _, v| {
                decided(v, who, crate::clock::today());
                Ok(Done {
                    kind: "approved",
                    detail: None,
                    audit: serde_json::json!({}),
                })
            }),
        )
        .await
    }

    /// 退回 / Return the plan with a reason (the association committee)
    #[oai(path = "/activities/:id/return", method = "post")]
    async fn send_back(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<ReturnActivityRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<ActivityResponse> {
        role_may(&auth.0, Action::Return)?;
        let reason =
            text("reason", &body.0.reason, 500).map_err(|e| AppError::validation(vec![e]))?;
        self.step(
            auth,
            id.0,
            if_match_h.0,
            Action::Return,
            Box::new(move |_, who, _, _, v| {
                decided(v, who, crate::clock::today());
                v.return_reason = Some(reason.clone());
                Ok(Done {
                    kind: "returned",
                    detail: Some(reason.clone()),
                    audit: serde_json::json!({ "reason": reason }),
                })
            }),
        )
        .await
    }

    /// 通知参加人员 / Notify the audience (the centre's staff)
    ///
    /// Fixes the roster (every member of the audience now) and writes the notice; the
    /// notification worker delivers it: SMS to each member who agreed to SMS notices and has a
    /// mobile number on the register, the inbox of the centre's staff, the county's webhook.
    /// Not after the activity's day (409 `activity_date_passed`); an empty audience is 409
    /// `audience_empty`.
    #[oai(path = "/activities/:id/notify", method = "post")]
    async fn notify(
        &self,
        auth: Auth,
        id: Path<String>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<ActivityResponse> {
        self.step(
            auth,
            id.0,
            if_match_h.0,
            Action::Notify,
            Box::new(|tx, _, r, centre, v| {
                let today = crate::clock::today();
                model::may_notify(r.held_on, today).map_err(AppError::from)?;
                // The audience's units may have moved since the plan was approved.
                check_audience(tx, centre, &ActivityAudience::of(r))?;
                let members = audience_members(tx, centre, r)?;
                if members.is_empty() {
                    return Err(AppError::conflict(
                        "audience_empty",
                        "没有符合参加对象条件的党员，请修改活动方案",
                        "No member matches the audience; revise the plan",
                    )
                    .into());
                }
                repo::invite(tx, &r.id, &members)?;
                let (subject, body) = notice_text(r, &centre.name, None);
                notices::enqueue(
                    tx,
                    &[Notice {
                        topic: Topic::Activity,
                        about: About::Activity(r.id.clone()),
                        recipient_org_unit_id: centre.id.clone(),
                        subject,
                        body,
                    }],
                    chrono::Utc::now().naive_utc(),
                )?;
                v.notified_on = Some(today);
                Ok(Done {
                    kind: "notified",
                    detail: Some(format!("通知{}名党员", members.len())),
                    audit: serde_json::json!({ "members": members.len() }),
                })
            }),
        )
        .await
    }

    /// 取消活动 / Call the activity off, with a reason (the centre director)
    ///
    /// A notified activity's roster is told through the notification worker.
    #[oai(path = "/activities/:id/cancel", method = "post")]
    async fn cancel(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<CancelActivityRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<ActivityResponse> {
        role_may(&auth.0, Action::Cancel)?;
        let reason =
            text("reason", &body.0.reason, 500).map_err(|e| AppError::validation(vec![e]))?;
        self.step(
            auth,
            id.0,
            if_match_h.0,
            Action::Cancel,
            Box::new(move |tx, _, r, centre, _| {
                if r.state == ActivityState::Notified.as_str() {
                    let (subject, body) = notice_text(r, &centre.name, Some(&reason));
                    notices::enqueue(
                        tx,
                        &[Notice {
                            topic: Topic::ActivityCancelled,
                            about: About::Activity(r.id.clone()),
                            recipient_org_unit_id: centre.id.clone(),
                            subject,
                            body,
                        }],
                        chrono::Utc::now().naive_utc(),
                    )?;
                }
                Ok(Done {
                    kind: "cancelled",
                    detail: Some(reason.clone()),
                    audit: serde_json::json!({ "reason": reason }),
                })
            }),
        )
        .await
    }
}
