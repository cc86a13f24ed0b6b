//! The steps of a service request after it was taken: escalation to the centre director (the
//! 7-working-day clock in the deadline engine), extensions, handovers, the answer, the
//! follow-up visit and archiving.

use chrono::NaiveDate;
use poem_openapi::param::{Header, Path};
use poem_openapi::{Object, OpenApi};
use serde::{Deserialize, Serialize};

use super::api::{
    ApiTags, RequestResponse, centre_staff_only, in_years, is_director, may_own, publish,
    visible_request,
};
use super::model::{self, Action, AnswerMethod, Facts, FollowUpMethod, RequestState, Satisfaction};
use super::repo::{self, RequestRow, RequestValues};
use super::view::view;
use crate::AppState;
use crate::api::{JsonBody, etag, if_match, path_id};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Principal};
use crate::db::{DbResult, TenantTx};
use crate::deadlines::{self, NewObligation, ObligationKind, Period};
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult, FieldError, Gather};
use crate::floating::api::{not_future, text};
use crate::handler::Call;
use crate::org::repo::OrgUnitRow;
use poem_openapi::payload::Json;

pub struct ServiceRequestStepsApi {
    pub state: AppState,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct EscalateRequest {
    /// Default today; not before the request was taken.
    pub escalated_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ExtendRequest {
    /// Why the request needs longer (特殊情况), required.
    pub reason: String,
    /// The new due day, later than the current one.
    pub due_on: NaiveDate,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct HandOverRequest {
    /// Another staff member of the centre (branch staff who see it).
    pub to_user_id: String,
    pub reason: String,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    /// 办理结果 as told to the member.
    pub answer: String,
    pub method: AnswerMethod,
    /// Default today; not before the request was taken.
    pub answered_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct FollowUpRequest {
    pub method: FollowUpMethod,
    /// The member's opinion (征求意见), required.
    pub opinion: String,
    pub satisfaction: Satisfaction,
    /// Default today; not before the answer.
    pub followed_up_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ArchiveServiceRequest {
    /// Default today.
    pub archived_on: Option<NaiveDate>,
    /// 档案号
    pub archive_reference: Option<String>,
}

fn not_owner() -> AppError {
    AppError::new(
        poem::http::StatusCode::FORBIDDEN,
        "not_request_owner",
        "首问责任制：该诉求由首问责任人（或移交后的负责人）办理；已转办的由中心主任协调",
        "Only the request's owner (its first responder, unless handed over) acts on it; once \
         escalated, the centre director too",
    )
}

fn before(field: &str, zh: &str) -> AppError {
    AppError::field(
        field,
        "date_before_previous_step",
        format!("{field}：{zh}"),
        format!("{field}: the date is before the previous step's date"),
    )
}

/// A dated step's day: given or today, not in the future, not before `after`.
fn step_day(
    field: &str,
    given: Option<NaiveDate>,
    after: NaiveDate,
    zh: &str,
) -> DbResult<NaiveDate> {
    let today = crate::clock::today();
    let d = not_future(field, given.unwrap_or(today), today)
        .and_then(|d| in_years(field, d))
        .map_err(|e| AppError::validation(vec![e]))?;
    if d < after {
        return Err(before(field, zh).into());
    }
    Ok(d)
}

/// What a step did, for the request's history, its audit entry and the time line.
struct Done {
    kind: &'static str,
    on: NaiveDate,
    detail: Option<String>,
    audit: serde_json::Value,
}

type StepFn = dyn FnOnce(
        &mut TenantTx<'_>,
        &Principal,
        &RequestRow,
        &OrgUnitRow,
        &mut RequestValues,
    ) -> DbResult<Done>
    + Send;

impl ServiceRequestStepsApi {
    /// One step on a request: visible, at the expected version, by someone who may take it,
    /// allowed in its state; `f` fills in the step's values, then the request, its step and the
    /// audit entry are stored together.
    async fn step(
        &self,
        auth: Auth,
        id: String,
        if_match_h: Option<String>,
        action: Action,
        f: Box<StepFn>,
    ) -> AppResult<RequestResponse> {
        let call = Call::new(&self.state, auth)?;
        centre_staff_only(call.who())?;
        let emit = call.emitter();
        let id = path_id(&id)?;
        let expected = if_match_h
            .as_deref()
            .map(|h| if_match(Some(h)))
            .transpose()?;
        let view = call
            .write(move |tx, who: &Principal| {
                let r = visible_request(tx, who, &id)?;
                if expected.is_some_and(|v| v != r.version) {
                    return Err(AppError::precondition_failed().into());
                }
                let state = RequestState::parse(&r.state).unwrap_or(RequestState::Taken);
                let centre = crate::org::repo::get(tx, &r.centre_id)?.ok_or_else(AppError::not_found)?;
                let director = is_director(tx, &who.user_id, &centre)?;
                if !model::may_act(action, r.owner_id == who.user_id, director, state) {
                    return Err(not_owner().into());
                }
                let facts = Facts {
                    major: r.major,
                    followed_up: r.followed_up_on.is_some(),
                };
                let new = model::next(state, facts, action).map_err(AppError::from)?;
                let mut v = RequestValues::from_row(&r);
                v.state = new.as_str().to_owned();
                let done = f(tx, who, &r, &centre, &mut v)?;
                let row = repo::update(tx, &id, r.version, &v)?;
                repo::add_event(tx, &id, done.kind, done.on, &who.user_id, done.detail)?;
                audit::record(
                    tx,
                    &Actor::of(who),
                    &format!("service_request.{}", done.kind),
                    "service_request",
                    &id,
                    None,
                    serde_json::json!({ "from": state.as_str(), "to": new.as_str(), "details": done.audit }),
                )?;
                view(tx, &row, true)
            })
            .await?;
        publish(&self.state, &emit, &view.id, &view.centre_id).await;
        let tag = etag(view.version);
        Ok(RequestResponse::Ok(Json(view), tag))
    }
}

#[OpenApi(tag = "ApiTags::ServiceRequests")]
impl ServiceRequestStepsApi {
    /// 转办中心主任 / Escalate to the centre director: due in 7 working days (the first responder)
    ///
    /// Opens the request's `service_request` deadline: the seventh working day after it was
    /// received, on the county's calendar (holidays and 调休 workdays).
    #[oai(path = "/service-requests/:id/escalate", method = "post")]
    async fn escalate(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<EscalateRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<RequestResponse> {
        let given = body.0.escalated_on;
        self.step(
            auth,
            id.0,
            if_match_h.0,
            Action::Escalate,
            Box::new(move |tx, _, r, _, v| {
                let on = step_day(
                    "escalated_on",
                    given,
                    r.received_on,
                    "转办日期不能早于受理日期",
                )?;
                let rules = deadlines::repo::rules(tx)?;
                let calendar = deadlines::repo::calendar(tx)?;
                let due = rules
                    .due_after(ObligationKind::ServiceRequest, r.received_on, &calendar)
                    .unwrap_or(r.received_on);
                let obligation = deadlines::open(
                    tx,
                    NewObligation {
                        kind: ObligationKind::ServiceRequest,
                        period: Period::Anchored,
                        subject_type: "service_request",
                        subject_id: &r.id,
                        owner_org_unit_id: &r.centre_id,
                        member_id: Some(&r.member_id),
                        // No personal data in obligation titles: the category only.
                        title: format!(
                            "党员诉求办理（{}）",
                            model::RequestCategory::parse(&r.category)
                                .map_or("其他", |c| c.label_zh())
                        ),
                        due_on: due,
                    },
                )?;
                // The director (the branch's first secretary) hears of it through the
                // notification worker: a notice to the centre's branch, never the member's name.
                let centre = crate::org::repo::get(tx, &r.centre_id)?;
                if let Some(branch) = centre.as_ref().and_then(|c| c.parent_id.clone()) {
                    let centre_name = centre.map(|c| c.name).unwrap_or_default();
                    deadlines::notices::enqueue(
                        tx,
                        &[deadlines::notices::Notice {
                            topic: deadlines::notices::Topic::Escalated,
                            about: deadlines::notices::About::Obligation(obligation),
                            recipient_org_unit_id: branch,
                            subject: "【诉求转办】党员诉求待主任办理".into(),
                            body: format!(
                                "{centre_name}受理的党员诉求已转主任办理（限时办结），应于{due}前答复。"
                            ),
                        }],
                        chrono::Utc::now().naive_utc(),
                    )?;
                }
                v.escalated_on = Some(on);
                v.due_on = Some(due);
                Ok(Done {
                    kind: "escalated",
                    on,
                    detail: Some(format!("限时办结，{due}前答复")),
                    audit: serde_json::json!({ "escalated_on": on, "due_on": due }),
                })
            }),
        )
        .await
    }

    /// 延长办理期限 / Extend an escalated request's due day, with a reason (audited)
    #[oai(path = "/service-requests/:id/extend", method = "post")]
    async fn extend(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<ExtendRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<RequestResponse> {
        let b = body.0;
        let mut errs = Vec::new();
        let reason = text("reason", &b.reason, 500).gather(&mut errs);
        let due_on = in_years("due_on", b.due_on).gather(&mut errs);
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let (reason, due_on) = (reason.unwrap_or_default(), due_on.unwrap_or(b.due_on));
        self.step(
            auth,
            id.0,
            if_match_h.0,
            Action::Extend,
            Box::new(move |tx, _, r, _, v| {
                if !model::extension_ok(r.due_on, due_on) {
                    return Err(AppError::field(
                        "due_on",
                        "not_later",
                        "due_on：延长后的期限应晚于当前期限",
                        "due_on must be later than the current due day",
                    )
                    .into());
                }
                deadlines::reschedule(
                    tx,
                    ObligationKind::ServiceRequest,
                    &r.id,
                    Period::Anchored,
                    due_on,
                )?;
                v.due_on = Some(due_on);
                v.extensions = r.extensions + 1;
                let from = r.due_on.map(|d| d.to_string()).unwrap_or_default();
                Ok(Done {
                    kind: "extended",
                    on: crate::clock::today(),
                    detail: Some(format!("{from} → {due_on}：{reason}")),
                    audit: serde_json::json!({ "from": r.due_on, "to": due_on, "reason": reason }),
                })
            }),
        )
        .await
    }

    /// 移交 / Hand the request over to another staff member of the centre, with a reason
    #[oai(path = "/service-requests/:id/hand-over", method = "post")]
    async fn hand_over(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<HandOverRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<RequestResponse> {
        let b = body.0;
        let mut errs = Vec::new();
        let reason = text("reason", &b.reason, 500).gather(&mut errs);
        let to = path_id(&b.to_user_id).ok();
        let bad_user = || {
            FieldError::new(
                "to_user_id",
                "not_centre_staff",
                "to_user_id：不是该服务中心的工作人员",
                "to_user_id: not a staff member of the centre",
            )
        };
        if to.is_none() {
            errs.push(bad_user());
        }
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let (reason, to) = (reason.unwrap_or_default(), to.unwrap_or_default());
        self.step(
            auth,
            id.0,
            if_match_h.0,
            Action::HandOver,
            Box::new(move |tx, _, r, centre, v| {
                if to == r.owner_id || !may_own(tx, &to, centre)? {
                    return Err(AppError::validation(vec![bad_user()]).into());
                }
                v.owner_id = to.clone();
                Ok(Done {
                    kind: "handed_over",
                    on: crate::clock::today(),
                    detail: Some(reason.clone()),
                    audit: serde_json::json!({ "from": r.owner_id, "to": to, "reason": reason }),
                })
            }),
        )
        .await
    }

    /// 答复 / Record the answer given to the member (meets the deadline if escalated)
    #[oai(path = "/service-requests/:id/answer", method = "post")]
    async fn answer(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<AnswerRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<RequestResponse> {
        let b = body.0;
        let answer = text("answer", &b.answer, super::api::CONTENT_MAX)
            .map_err(|e| AppError::validation(vec![e]))?;
        let (method, given) = (b.method, b.answered_on);
        self.step(auth, id.0, if_match_h.0, Action::Answer, Box::new(move |tx, who, r, _, v| {
            let after = r.escalated_on.unwrap_or(r.received_on);
            let on = step_day("answered_on", given, after, "答复日期不能早于受理或转办日期")?;
            if r.escalated_on.is_some() {
                deadlines::close_on(
                    tx,
                    ObligationKind::ServiceRequest,
                    &r.id,
                    Period::Anchored,
                    &who.user_id,
                    on,
                )?;
            }
            v.answer = Some(answer);
            v.answer_method = Some(method.as_str().to_owned());
            v.answered_on = Some(on);
            let late = model::overdue(r.due_on, Some(on), on);
            Ok(Done {
                kind: "answered",
                on,
                detail: Some(method.label_zh().to_owned()),
                audit: serde_json::json!({ "answered_on": on, "method": method.as_str(), "late": late }),
            })
        }))
        .await
    }

    /// 回访 / Record the follow-up visit and the member's opinion (the owner)
    #[oai(path = "/service-requests/:id/follow-up", method = "post")]
    async fn follow_up(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<FollowUpRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<RequestResponse> {
        let b = body.0;
        let opinion =
            text("opinion", &b.opinion, 1000).map_err(|e| AppError::validation(vec![e]))?;
        let (method, satisfaction, given) = (b.method, b.satisfaction, b.followed_up_on);
        self.step(
            auth,
            id.0,
            if_match_h.0,
            Action::FollowUp,
            Box::new(move |_, _, r, _, v| {
                let after = r.answered_on.unwrap_or(r.received_on);
                let on = step_day("followed_up_on", given, after, "回访日期不能早于答复日期")?;
                v.follow_up_method = Some(method.as_str().to_owned());
                v.followed_up_on = Some(on);
                v.follow_up_opinion = Some(opinion);
                v.satisfaction = Some(satisfaction.as_str().to_owned());
                Ok(Done {
                    kind: "followed_up",
                    on,
                    detail: Some(format!(
                        "{}，{}",
                        method.label_zh(),
                        satisfaction.label_zh()
                    )),
                    audit: serde_json::json!({ "followed_up_on": on, "method": method.as_str(),
                    "satisfaction": satisfaction.as_str() }),
                })
            }),
        )
        .await
    }

    /// 归档 / Archive the 受(办)理表 (a major request only after its follow-up)
    #[oai(path = "/service-requests/:id/archive", method = "post")]
    async fn archive(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<ArchiveServiceRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<RequestResponse> {
        let b = body.0;
        let reference = match b
            .archive_reference
            .as_deref()
            .filter(|s| !s.trim().is_empty())
        {
            Some(s) => {
                Some(text("archive_reference", s, 100).map_err(|e| AppError::validation(vec![e]))?)
            }
            None => None,
        };
        let given = b.archived_on;
        self.step(
            auth,
            id.0,
            if_match_h.0,
            Action::Archive,
            Box::new(move |_, _, r, _, v| {
                let after = r.followed_up_on.or(r.answered_on).unwrap_or(r.received_on);
                let on = step_day(
                    "archived_on",
                    given,
                    after,
                    "归档日期不能早于答复或回访日期",
                )?;
                v.archived_on = Some(on);
                v.archive_reference = reference.clone();
                Ok(Done {
                    kind: "archived",
                    on,
                    detail: reference,
                    audit: serde_json::json!({ "archived_on": on }),
                })
            }),
        )
        .await
    }
}
