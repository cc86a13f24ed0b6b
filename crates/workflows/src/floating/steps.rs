//! The steps of a floating-member case after registration, each by branch staff: the identity
//! confirmation, recorded activities, the secretary's evaluation, sending the form and letter,
//! reminders for the receipt, the receipt and filing.

use chrono::{NaiveDate, Utc};
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::{Deserialize, Serialize};

use super::api::{
    ApiTags, CaseResponse, branch_staff_only, not_future, opt_text, publish, refused, text,
    visible_case,
};
use super::model::{self, Action, ActivityKind, CaseState, ChaseMethod, SendMethod};
use super::repo::{self, ActivityRow, CaseRow, CaseValues, ChaseRow};
use super::view::{ActivityList, ActivityView, ChaseView, activity_view, chase_view, view};
use crate::AppState;
use crate::api::{JsonBody, etag, if_match, path_id};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Principal};
use crate::db::{DbResult, TenantTx};
use crate::deadlines::{self, ObligationKind, Period};
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult, Gather};
use crate::handler::Call;

pub struct FloatingStepsApi {
    pub state: AppState,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    /// 证明编号或说明 of the home branch's stamped proof of membership.
    pub proof_reference: String,
    /// The date on the proof.
    pub proof_date: NaiveDate,
    /// Default today.
    pub confirmed_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ActivityRequest {
    pub held_on: NaiveDate,
    pub kind: ActivityKind,
    pub content: String,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct EvaluationRequest {
    /// 评语 of the branch secretary (required).
    pub evaluation: String,
    /// The secretary's name, printed on the form.
    pub secretary_name: Option<String>,
    /// Default today.
    pub evaluated_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct SendRequest {
    pub method: SendMethod,
    /// Default today.
    pub sent_on: Option<NaiveDate>,
    /// e.g. the registered-mail number.
    pub note: Option<String>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ReceiptRequest {
    /// Who signed the receipt at the home branch.
    pub received_by: String,
    /// Default today.
    pub received_on: Option<NaiveDate>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ArchiveRequest {
    /// Default today.
    pub archived_on: Option<NaiveDate>,
    /// 档案号
    pub archive_reference: Option<String>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ChaseRequest {
    pub method: ChaseMethod,
    /// Default today.
    pub chased_on: Option<NaiveDate>,
    pub note: Option<String>,
}

#[derive(ApiResponse)]
pub enum ActivityCreated {
    #[oai(status = 201)]
    Created(Json<ActivityView>, #[oai(header = "ETag")] String),
}

#[derive(ApiResponse)]
pub enum ChaseCreated {
    #[oai(status = 201)]
    Created(Json<ChaseView>, #[oai(header = "ETag")] String),
}

fn before_previous(field: &str, zh: &str) -> AppError {
    AppError::field(
        field,
        "date_before_previous_step",
        format!("{field}：{zh}"),
        format!("{field}: the date is before the previous step's date"),
    )
}

/// The optional `If-Match` of a step: a stale version is 412.
fn check_version(expected: Option<i64>, case: &CaseRow) -> DbResult<()> {
    if expected.is_some_and(|v| v != case.version) {
        return Err(AppError::precondition_failed().into());
    }
    Ok(())
}

fn parse_if_match(h: Option<String>) -> Result<Option<i64>, AppError> {
    h.as_deref().map(|h| if_match(Some(h))).transpose()
}

impl FloatingStepsApi {
    /// One step on a case: visible, at the expected version, allowed in its state; `f` fills in
    /// the step's values (and may refuse), then the case is stored and audited.
    async fn step<F>(
        &self,
        auth: Auth,
        id: String,
        if_match_h: Option<String>,
        action: Action,
        audit_action: &'static str,
        f: F,
    ) -> AppResult<CaseResponse>
    where
        F: FnOnce(
                &mut TenantTx<'_>,
                &Principal,
                &CaseRow,
                &mut CaseValues,
            ) -> DbResult<serde_json::Value>
            + Send
            + 'static,
    {
        let call = Call::new(&self.state, auth)?;
        branch_staff_only(call.who())?;
        let emit = call.emitter();
        let id = path_id(&id)?;
        let expected = parse_if_match(if_match_h)?;
        let view = call.write(move |tx, who: &Principal| {
                let case = visible_case(tx, who, &id)?;
                check_version(expected, &case)?;
                let state = CaseState::parse(&case.state).unwrap_or(CaseState::Registered);
                let new = model::next(state, action).map_err(refused)?;
                let mut v = CaseValues::from_row(&case);
                v.state = new.as_str().to_owned();
                let details = f(tx, who, &case, &mut v)?;
                let row = repo::update(tx, &id, case.version, &v)?;
                audit::record(
                    tx,
                    &Actor::of(who),
                    audit_action,
                    "floating_case",
                    &id,
                    None,
                    serde_json::json!({ "from": state.as_str(), "to": new.as_str(), "details": details }),
                )?;
                view(tx, &row)
            })
            .await?;
        publish(&self.state, &emit, &view.id, &view.branch_id).await;
        let tag = etag(view.version);
        Ok(CaseResponse::Ok(Json(view), tag))
    }
}

#[OpenApi(tag = "ApiTags::FloatingMembers")]
impl FloatingStepsApi {
    /// 党员身份确认 / Record the home branch's stamped proof of membership (branch staff)
    #[oai(path = "/floating-members/:id/confirm", method = "post")]
    async fn confirm(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<ConfirmRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<CaseResponse> {
        let b = body.0;
        let today = crate::clock::today();
        let mut errs = Vec::new();
        let reference = text("proof_reference", &b.proof_reference, 200).gather(&mut errs);
        let proof_date = not_future("proof_date", b.proof_date, today).gather(&mut errs);
        let on =
            not_future("confirmed_on", b.confirmed_on.unwrap_or(today), today).gather(&mut errs);
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let (reference, proof_date, on) = (
            reference.unwrap_or_default(),
            proof_date.unwrap_or(today),
            on.unwrap_or(today),
        );
        self.step(
            auth,
            id.0,
            if_match_h.0,
            Action::Confirm,
            "floating.confirm",
            move |_, _, case, v| {
                if model::before_previous(on, Some(case.registered_on)) {
                    return Err(before_previous("confirmed_on", "确认日期不能早于登记日期").into());
                }
                v.proof_reference = Some(reference);
                v.proof_date = Some(proof_date);
                v.confirmed_on = Some(on);
                Ok(serde_json::json!({ "confirmed_on": on, "proof_date": proof_date }))
            },
        )
        .await
    }

    /// 参加组织活动备案 / Record organisational life, training, education or an activity (branch staff)
    #[oai(path = "/floating-members/:id/activities", method = "post")]
    async fn add_activity(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<ActivityRequest>,
    ) -> AppResult<ActivityCreated> {
        let call = Call::new(&self.state, auth)?;
        branch_staff_only(call.who())?;
        let emit = call.emitter();
        let id = path_id(&id.0)?;
        let b = body.0;
        let today = crate::clock::today();
        let mut errs = Vec::new();
        let held_on = not_future("held_on", b.held_on, today).gather(&mut errs);
        let content = text("content", &b.content, 500).gather(&mut errs);
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let (held_on, content) = (held_on.unwrap_or(today), content.unwrap_or_default());
        let (view, version, branch) = call.write(move |tx, who: &Principal| {
                let case = visible_case(tx, who, &id)?;
                let state = CaseState::parse(&case.state).unwrap_or(CaseState::Registered);
                model::next(state, Action::RecordActivity).map_err(refused)?;
                let row = ActivityRow {
                    tenant_id: tx.tid().to_owned(),
                    id: uuid::Uuid::now_v7().to_string(),
                    case_id: id.clone(),
                    held_on,
                    kind: b.kind.as_str().to_owned(),
                    content,
                    recorded_by: who.user_id.clone(),
                    created_at: Utc::now().naive_utc(),
                };
                repo::insert_activities(tx, std::slice::from_ref(&row))?;
                // An activity changes what the form prints: a new case version.
                let updated = repo::update(tx, &id, case.version, &CaseValues::from_row(&case))?;
                audit::record(
                    tx,
                    &Actor::of(who),
                    "floating.activity",
                    "floating_case",
                    &id,
                    None,
                    serde_json::json!({ "activity_id": row.id, "kind": row.kind, "held_on": held_on }),
                )?;
                Ok((activity_view(&row), updated.version, case.branch_id))
            })
            .await?;
        publish(&self.state, &emit, &view.case_id, &branch).await;
        Ok(ActivityCreated::Created(Json(view), etag(version)))
    }

    /// 活动记录 / A case's recorded activities, by date
    #[oai(path = "/floating-members/:id/activities", method = "get")]
    async fn activities(
        &self,
        auth: Auth,
        id: Path<String>,
        /// Only those held in this year.
        year: Query<Option<i32>>,
    ) -> AppResult<Json<ActivityList>> {
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id.0)?;
        // The year becomes a date range; one the database cannot hold (PostgreSQL's dates end
        // at 4713 BC) failed the query with a 500.
        if let Some(y) = year.0
            && !model::YEARS.contains(&y)
        {
            let (lo, hi) = (model::YEARS.start(), model::YEARS.end());
            return Err(AppError::field(
                "year",
                "out_of_range",
                format!("year：年份应在{lo}到{hi}之间"),
                format!("year must be between {lo} and {hi}"),
            ));
        }
        let items = call
            .read(move |tx, who: &Principal| {
                visible_case(tx, who, &id)?;
                let rows = repo::activities(tx, &id, year.0)?;
                Ok(rows.iter().map(activity_view).collect())
            })
            .await?;
        Ok(Json(ActivityList { items }))
    }

    /// 支部书记评语 / The branch secretary's evaluation for the year (branch staff; may be rewritten until sent)
    #[oai(path = "/floating-members/:id/evaluation", method = "post")]
    async fn evaluate(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<EvaluationRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<CaseResponse> {
        let b = body.0;
        let today = crate::clock::today();
        let mut errs = Vec::new();
        let evaluation = text("evaluation", &b.evaluation, 1000).gather(&mut errs);
        let secretary =
            opt_text("secretary_name", b.secretary_name.as_deref(), 50).gather(&mut errs);
        let on =
            not_future("evaluated_on", b.evaluated_on.unwrap_or(today), today).gather(&mut errs);
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let (evaluation, on) = (evaluation.unwrap_or_default(), on.unwrap_or(today));
        self.step(
            auth,
            id.0,
            if_match_h.0,
            Action::Evaluate,
            "floating.evaluate",
            move |_, _, case, v| {
                if model::before_previous(on, case.confirmed_on) {
                    return Err(
                        before_previous("evaluated_on", "评议日期不能早于身份确认日期").into(),
                    );
                }
                v.evaluation = Some(evaluation);
                v.secretary_name = secretary;
                v.evaluated_on = Some(on);
                Ok(serde_json::json!({ "evaluated_on": on }))
            },
        )
        .await
    }

    /// 寄发反馈表和函 / Mark the form and letter sent (branch staff); meets the year's deadline
    #[oai(path = "/floating-members/:id/send", method = "post")]
    async fn send(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<SendRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<CaseResponse> {
        let b = body.0;
        let today = crate::clock::today();
        let mut errs = Vec::new();
        let on = not_future("sent_on", b.sent_on.unwrap_or(today), today).gather(&mut errs);
        let note = opt_text("note", b.note.as_deref(), 200).gather(&mut errs);
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let on = on.unwrap_or(today);
        self.step(
            auth,
            id.0,
            if_match_h.0,
            Action::Send,
            "floating.send",
            move |tx, who, case, v| {
                if model::before_previous(on, case.evaluated_on) {
                    return Err(before_previous("sent_on", "寄发日期不能早于评议日期").into());
                }
                v.sent_on = Some(on);
                v.sent_method = Some(b.method.as_str().to_owned());
                v.sent_note = note;
                let closed = deadlines::close_on(
                    tx,
                    ObligationKind::FloatingFeedback,
                    &case.id,
                    Period::Year(case.year),
                    &who.user_id,
                    on,
                )?;
                Ok(serde_json::json!({ "sent_on": on, "method": b.method.as_str(), "deadline_met": closed }))
            },
        )
        .await
    }

    /// 催收回执 / Record a reminder for the outstanding receipt (branch staff)
    #[oai(path = "/floating-members/:id/chases", method = "post")]
    async fn chase(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<ChaseRequest>,
    ) -> AppResult<ChaseCreated> {
        let call = Call::new(&self.state, auth)?;
        branch_staff_only(call.who())?;
        let emit = call.emitter();
        let id = path_id(&id.0)?;
        let id_for_event = id.clone();
        let b = body.0;
        let today = crate::clock::today();
        let mut errs = Vec::new();
        let on = not_future("chased_on", b.chased_on.unwrap_or(today), today).gather(&mut errs);
        let note = opt_text("note", b.note.as_deref(), 200).gather(&mut errs);
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let on = on.unwrap_or(today);
        let (view, version, branch) = call.write(move |tx, who: &Principal| {
                let case = visible_case(tx, who, &id)?;
                let state = CaseState::parse(&case.state).unwrap_or(CaseState::Registered);
                model::next(state, Action::Chase).map_err(refused)?;
                if model::before_previous(on, case.sent_on) {
                    return Err(before_previous("chased_on", "催收日期不能早于寄发日期").into());
                }
                let row = ChaseRow {
                    tenant_id: tx.tid().to_owned(),
                    id: uuid::Uuid::now_v7().to_string(),
                    case_id: id.clone(),
                    chased_on: on,
                    method: b.method.as_str().to_owned(),
                    note,
                    recorded_by: who.user_id.clone(),
                    created_at: Utc::now().naive_utc(),
                };
                repo::insert_chases(tx, std::slice::from_ref(&row))?;
                let updated = repo::update(tx, &id, case.version, &CaseValues::from_row(&case))?;
                audit::record(
                    tx,
                    &Actor::of(who),
                    "floating.chase",
                    "floating_case",
                    &id,
                    None,
                    serde_json::json!({ "chase_id": row.id, "method": row.method, "chased_on": on }),
                )?;
                Ok((chase_view(&row), updated.version, case.branch_id))
            })
            .await?;
        publish(&self.state, &emit, &id_for_event, &branch).await;
        Ok(ChaseCreated::Created(Json(view), etag(version)))
    }

    /// 回执收回 / Record the receipt returned by the home branch (branch staff)
    #[oai(path = "/floating-members/:id/receipt", method = "post")]
    async fn receipt(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<ReceiptRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<CaseResponse> {
        let b = body.0;
        let today = crate::clock::today();
        let mut errs = Vec::new();
        let by = text("received_by", &b.received_by, 50).gather(&mut errs);
        let on = not_future("received_on", b.received_on.unwrap_or(today), today).gather(&mut errs);
        let note = opt_text("note", b.note.as_deref(), 200).gather(&mut errs);
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let (by, on) = (by.unwrap_or_default(), on.unwrap_or(today));
        self.step(
            auth,
            id.0,
            if_match_h.0,
            Action::ReturnReceipt,
            "floating.receipt",
            move |_, _, case, v| {
                if model::before_previous(on, case.sent_on) {
                    return Err(
                        before_previous("received_on", "收回回执日期不能早于寄发日期").into(),
                    );
                }
                v.received_on = Some(on);
                v.received_by = Some(by);
                v.receipt_note = note;
                Ok(serde_json::json!({ "received_on": on }))
            },
        )
        .await
    }

    /// 归档 / File the case once the receipt is back (branch staff)
    #[oai(path = "/floating-members/:id/archive", method = "post")]
    async fn archive(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<ArchiveRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<CaseResponse> {
        let b = body.0;
        let today = crate::clock::today();
        let mut errs = Vec::new();
        let on = not_future("archived_on", b.archived_on.unwrap_or(today), today).gather(&mut errs);
        let reference =
            opt_text("archive_reference", b.archive_reference.as_deref(), 100).gather(&mut errs);
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let on = on.unwrap_or(today);
        self.step(
            auth,
            id.0,
            if_match_h.0,
            Action::Archive,
            "floating.archive",
            move |_, _, case, v| {
                if model::before_previous(on, case.received_on) {
                    return Err(
                        before_previous("archived_on", "归档日期不能早于收回回执日期").into(),
                    );
                }
                v.archived_on = Some(on);
                v.archive_reference = reference;
                Ok(serde_json::json!({ "archived_on": on }))
            },
        )
        .await
    }
}
