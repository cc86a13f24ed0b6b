//! /api/v1/registrations: registration at a service centre's window. The staff member fills in
//! the survey (the register's fields, checked as the register checks them, sealed with the
//! county key), calls the home organisation, records the signed pledge and the plaque and
//! handbook issued, and enters the member in the register from the survey: once, never a
//! second copy. Stalled registrations are listed.
//!
//! Who sees one: as for the centre's requests (404 outside the caller's scope). Who acts: the
//! centre's staff and its director (403 `centre_staff_only`); a step out of order is 409 with
//! the stable code of [`model::next`].

use chrono::NaiveDate;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde::{Deserialize, Serialize};

use super::model::{self, CallOutcome, RegistrationState, Step};
use super::repo::{self, Filter, RegistrationRow, RegistrationValues};
use crate::AppState;
use crate::api::{JsonBody, PageLimit, PageRequest, etag, if_match, path_id};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Principal};
use crate::centres::api::{acts_for, branch_staff, region, taking_centre};
use crate::centres::view::names;
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult, Gather};
use crate::floating::api::{not_future, opt_text, text};
use crate::handler::Call;
use crate::members::api::CreateMemberRequest;
use crate::org::repo::OrgUnitRow;
use crate::org::scope;
use crate::privacy::crypto::CountyKeys;
use crate::privacy::identity::{IdCardNumber, MobileNumber};
use crate::privacy::keys;

#[derive(Tags)]
enum ApiTags {
    /// 区域性党员服务中心：党员登记报到 / Service centres: registration at the window
    Registrations,
}

pub struct RegistrationsApi {
    pub state: AppState,
}

/// The field the survey is sealed under (AES-GCM AAD binds it).
const SURVEY: &str = "registration_survey";

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct TakeRegistrationRequest {
    /// The service centre. Default: the centre you are bound to.
    pub centre_id: Option<String>,
    /// Default today; not in the future.
    pub surveyed_on: Option<NaiveDate>,
    /// 专项调查表: the register's fields, checked as the register checks them (errors name the
    /// survey's fields).
    pub survey: CreateMemberRequest,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct RegistrationCallRequest {
    /// Default today.
    pub called_on: Option<NaiveDate>,
    /// Whom: the person and post at the home organisation (1–50 characters).
    pub whom: String,
    /// Default: the survey's home organisation.
    pub org_name: Option<String>,
    pub outcome: CallOutcome,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct RegistrationPledgeRequest {
    /// Default today.
    pub pledged_on: Option<NaiveDate>,
    /// Where the signed copy is kept (档案号 or file), 1–100 characters.
    pub reference: String,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct RegistrationIssueRequest {
    /// Default today.
    pub issued_on: Option<NaiveDate>,
    /// 亮明身份牌匾编号
    pub plaque_no: String,
    /// 党员服务手册编号
    pub handbook_no: String,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct RegistrationCloseRequest {
    /// Why the registration ends (not a party member, withdrew …), 1–200 characters.
    pub reason: String,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct RegistrationCall {
    pub called_on: NaiveDate,
    pub caller_name: String,
    pub whom: String,
    pub org_name: String,
    pub outcome: CallOutcome,
    pub outcome_label: String,
    #[oai(skip_serializing_if_is_none)]
    pub note: Option<String>,
}

/// A registration at the window (identifiers masked).
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct RegistrationView {
    pub id: String,
    pub centre_id: String,
    pub centre_name: String,
    pub state: RegistrationState,
    pub state_label: String,
    pub name: String,
    pub business_name: String,
    #[oai(skip_serializing_if_is_none)]
    pub id_number_masked: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub phone_masked: Option<String>,
    /// The home organisation as the survey names it.
    pub home_org: String,
    pub surveyed_on: NaiveDate,
    pub taken_by_name: String,
    #[oai(skip_serializing_if_is_none)]
    pub confirmed_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub pledged_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub pledge_reference: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub issued_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub plaque_no: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub handbook_no: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub entered_on: Option<NaiveDate>,
    /// The member entered in the register.
    #[oai(skip_serializing_if_is_none)]
    pub member_id: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub closed_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub close_reason: Option<String>,
    /// Why it has stalled (the home organisation did not confirm, or 10 days without a step).
    #[oai(skip_serializing_if_is_none)]
    pub stalled: Option<String>,
    /// The telephone confirmations (one registration only; lists leave them out).
    #[oai(default, skip_serializing_if_is_empty)]
    #[serde(default)]
    pub calls: Vec<RegistrationCall>,
    pub version: i64,
}

#[derive(Debug, Clone, Object)]
pub struct RegistrationPage {
    pub items: Vec<RegistrationView>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum RegistrationResponse {
    #[oai(status = 200)]
    Ok(Json<RegistrationView>, #[oai(header = "ETag")] String),
    #[oai(status = 201)]
    Created(
        Json<RegistrationView>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Location")] String,
    ),
}

fn staff_only() -> AppError {
    AppError::new(
        poem::http::StatusCode::FORBIDDEN,
        "centre_staff_only",
        "党员登记报到由该服务中心工作人员办理",
        "The centre's staff register members at its window",
    )
}

fn visible(
    tx: &mut TenantTx<'_>,
    who: &Principal,
    id: &str,
) -> DbResult<(RegistrationRow, OrgUnitRow)> {
    let r = repo::get(tx, id)?.ok_or_else(AppError::not_found)?;
    let centre = crate::org::repo::get(tx, &r.centre_id)?.ok_or_else(AppError::not_found)?;
    if !scope::visibility(tx, who.role, &who.user_id)?.sees(&centre) {
        return Err(AppError::not_found().into());
    }
    Ok((r, centre))
}

fn open_survey(keys: &CountyKeys, r: &RegistrationRow) -> DbResult<CreateMemberRequest> {
    let json = keys
        .decrypt(SURVEY, &r.survey_enc)
        .map_err(|_| AppError::internal(anyhow::anyhow!("a registration's survey did not open")))?;
    Ok(serde_json::from_str(&json).map_err(|_| {
        AppError::internal(anyhow::anyhow!("a registration's survey did not parse"))
    })?)
}

fn home_org(tx: &mut TenantTx<'_>, s: &CreateMemberRequest) -> DbResult<String> {
    if let Some(u) = s.membership_unit_id.as_deref()
        && uuid::Uuid::try_parse(u).is_ok()
        && let Some(unit) = crate::org::repo::get(tx, u)?
    {
        return Ok(unit.name);
    }
    Ok(s.membership_org_name.clone().unwrap_or_default())
}

fn views(
    tx: &mut TenantTx<'_>,
    keys: &CountyKeys,
    rows: &[RegistrationRow],
    with_calls: bool,
) -> DbResult<Vec<RegistrationView>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let calls = repo::calls(tx, &ids)?;
    let centres: Vec<&str> = rows.iter().map(|r| r.centre_id.as_str()).collect();
    let mut users: Vec<&str> = rows.iter().map(|r| r.taken_by.as_str()).collect();
    users.extend(calls.iter().map(|c| c.caller_id.as_str()));
    let n = names(tx, &centres, &[], &users)?;
    let today = crate::clock::today();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let survey = open_survey(keys, r)?;
        let mine: Vec<_> = calls.iter().filter(|c| c.registration_id == r.id).collect();
        let last = mine.last().and_then(|c| CallOutcome::parse(&c.outcome));
        let state = RegistrationState::parse(&r.state).unwrap_or(RegistrationState::Surveyed);
        out.push(RegistrationView {
            id: r.id.clone(),
            centre_id: r.centre_id.clone(),
            centre_name: n.get(&r.centre_id).cloned().unwrap_or_default(),
            state,
            state_label: state.label_zh().to_owned(),
            name: r.name.clone(),
            business_name: r.business_name.clone(),
            id_number_masked: survey
                .id_number
                .as_deref()
                .and_then(|s| IdCardNumber::parse("id_number", s).ok())
                .map(|i| i.masked()),
            phone_masked: survey
                .phone
                .as_deref()
                .and_then(|s| MobileNumber::parse("phone", s).ok())
                .map(|p| p.masked()),
            home_org: home_org(tx, &survey)?,
            surveyed_on: r.surveyed_on,
            taken_by_name: n.get(&r.taken_by).cloned().unwrap_or_default(),
            confirmed_on: r.confirmed_on,
            pledged_on: r.pledged_on,
            pledge_reference: r.pledge_reference.clone(),
            issued_on: r.issued_on,
            plaque_no: r.plaque_no.clone(),
            handbook_no: r.handbook_no.clone(),
            entered_on: r.entered_on,
            member_id: r.member_id.clone(),
            closed_on: r.closed_on,
            close_reason: r.close_reason.clone(),
            stalled: model::stalled(state, last, r.last_step_on, today).map(str::to_owned),
            calls: if with_calls {
                mine.iter()
                    .map(|c| {
                        let outcome =
                            CallOutcome::parse(&c.outcome).unwrap_or(CallOutcome::NoAnswer);
                        RegistrationCall {
                            called_on: c.called_on,
                            caller_name: n.get(&c.caller_id).cloned().unwrap_or_default(),
                            whom: c.whom.clone(),
                            org_name: c.org_name.clone(),
                            outcome,
                            outcome_label: outcome.label_zh().to_owned(),
                            note: c.note.clone(),
                        }
                    })
                    .collect()
            } else {
                Vec::new()
            },
            version: r.version,
        });
    }
    Ok(out)
}

fn one(
    tx: &mut TenantTx<'_>,
    keys: &CountyKeys,
    r: &RegistrationRow,
) -> DbResult<RegistrationView> {
    views(tx, keys, std::slice::from_ref(r), true)?
        .pop()
        .ok_or_else(|| AppError::not_found().into())
}

/// A step's day: given or today, not in the future, not before the registration's last step.
fn step_day(field: &str, given: Option<NaiveDate>, after: NaiveDate) -> DbResult<NaiveDate> {
    let today = crate::clock::today();
    let d = not_future(field, given.unwrap_or(today), today)
        .map_err(|e| AppError::validation(vec![e]))?;
    if d < after {
        return Err(AppError::field(
            field,
            "date_before_previous_step",
            format!("{field}：日期不能早于上一步"),
            format!("{field}: before the previous step"),
        )
        .into());
    }
    Ok(d)
}

type StepFn = dyn FnOnce(
        &mut TenantTx<'_>,
        &Principal,
        &CountyKeys,
        &RegistrationRow,
        &OrgUnitRow,
        &mut RegistrationValues,
    ) -> DbResult<serde_json::Value>
    + Send;

impl RegistrationsApi {
    /// One step: visible, by the centre's staff, at the expected version, in order; `f` fills
    /// in the step's values, then the registration and its audit entry are stored together.
    async fn step(
        &self,
        auth: Auth,
        id: String,
        if_match_h: Option<String>,
        step: Step,
        f: Box<StepFn>,
    ) -> AppResult<RegistrationResponse> {
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id)?;
        let expected = if_match_h
            .as_deref()
            .map(|h| if_match(Some(h)))
            .transpose()?;
        let master = *self.state.master_key.bytes();
        let view = call
            .write(move |tx, who: &Principal| {
                let (r, centre) = visible(tx, who, &id)?;
                acts_for(tx, who, &centre, staff_only)?;
                if expected.is_some_and(|v| v != r.version) {
                    return Err(AppError::precondition_failed().into());
                }
                let state = RegistrationState::parse(&r.state).unwrap_or(RegistrationState::Surveyed);
                let new = model::next(state, step)
                    .map_err(AppError::from)?;
                let keys = keys::load(tx, &master)?;
                let mut v = RegistrationValues::from_row(&r);
                v.state = new.as_str().to_owned();
                let details = f(tx, who, &keys, &r, &centre, &mut v)?;
                let row = repo::update(tx, &id, r.version, &v)?;
                audit::record(
                    tx,
                    &Actor::of(who),
                    &format!("registration.{}", new.as_str()),
                    "registration",
                    &id,
                    None,
                    serde_json::json!({ "from": state.as_str(), "to": new.as_str(), "details": details }),
                )?;
                one(tx, &keys, &row)
            })
            .await?;
        let tag = etag(view.version);
        Ok(RegistrationResponse::Ok(Json(view), tag))
    }
}

#[OpenApi(tag = "ApiTags::Registrations")]
impl RegistrationsApi {
    /// 党员登记报到 / Registrations you can see, the newest first; `stalled=true`: those stalled
    #[oai(path = "/registrations", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: Auth,
        centre_id: Query<Option<String>>,
        state: Query<Option<RegistrationState>>,
        /// Only those not entered or closed.
        open: Query<Option<bool>>,
        /// Only stalled ones (open, and the home organisation did not confirm or 10 days passed
        /// without a step).
        stalled: Query<Option<bool>>,
        limit: Query<Option<PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<RegistrationPage>> {
        let call = Call::new(&self.state, auth)?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let centre = centre_id.0.as_deref().map(path_id).transpose();
        let stalled_only = stalled.0.unwrap_or(false);
        let master = *self.state.master_key.bytes();
        let f = Filter {
            centre_id: centre.as_ref().ok().cloned().flatten(),
            state: state.0.map(RegistrationState::as_str),
            open: open.0.unwrap_or(false) || stalled_only,
        };
        let impossible = centre.is_err();
        let out = call
            .read(move |tx, who: &Principal| {
                if impossible {
                    return Ok(RegistrationPage {
                        items: Vec::new(),
                        next_cursor: None,
                    });
                }
                let vis = scope::visibility(tx, who.role, &who.user_id)?;
                let keys = keys::load(tx, &master)?;
                let rows = repo::list(tx, &vis, &f, &page)?;
                let (rows, next_cursor) = page.finish(rows, |r| &r.id);
                let mut items = views(tx, &keys, &rows, false)?;
                if stalled_only {
                    items.retain(|v| v.stalled.is_some());
                }
                Ok(RegistrationPage { items, next_cursor })
            })
            .await?;
        Ok(Json(out))
    }

    /// 填写专项调查表 / Take a registration at the window (the centre's staff)
    ///
    /// The survey is checked as the register checks a new member (422 naming the field) and
    /// must place the member in the centre's region; 409 `already_registered` when the ID-card
    /// number is on the register or on an open registration.
    #[oai(path = "/registrations", method = "post")]
    async fn take(
        &self,
        auth: Auth,
        body: JsonBody<TakeRegistrationRequest>,
    ) -> AppResult<RegistrationResponse> {
        let call = Call::new(&self.state, auth)?;
        branch_staff(call.who(), staff_only)?;
        let b = body.0;
        let today = crate::clock::today();
        let on = not_future("surveyed_on", b.surveyed_on.unwrap_or(today), today)
            .map_err(|e| AppError::validation(vec![e]))?;
        let named = b
            .centre_id
            .as_deref()
            .map(|c| path_id(c).unwrap_or_default());
        let master = *self.state.master_key.bytes();
        let view = call
            .write(move |tx, who: &Principal| {
                let centre = taking_centre(tx, who, named.as_deref())?;
                acts_for(tx, who, &centre, staff_only)?;
                let keys = keys::load(tx, &master)?;
                let region = region(tx, &centre)?;
                let values = crate::members::api::check(tx, &keys, &b.survey, &region)?;
                if let Some(bidx) = &values.id_number_bidx {
                    let f = crate::members::repo::Filter {
                        id_number_bidx: Some(bidx.clone()),
                        ..Default::default()
                    };
                    let one_row = PageRequest {
                        limit: 1,
                        after: None,
                    };
                    if !crate::members::repo::list(tx, &one_row, &f)?.is_empty()
                        || repo::open_with_id_number(tx, bidx)?.is_some()
                    {
                        return Err(AppError::conflict(
                            "already_registered",
                            "该身份证号的党员已在名册中或正在登记",
                            "A member with this ID-card number is registered or being registered",
                        )
                        .into());
                    }
                }
                let json = serde_json::to_string(&b.survey)
                    .map_err(|e| AppError::internal(anyhow::anyhow!(e)))?;
                let row = repo::insert(
                    tx,
                    &RegistrationValues {
                        centre_id: centre.id.clone(),
                        state: RegistrationState::Surveyed.as_str().to_owned(),
                        name: values.name.clone(),
                        business_name: values.business_name.clone(),
                        id_number_bidx: values.id_number_bidx.clone(),
                        survey_enc: keys.encrypt(SURVEY, &json),
                        surveyed_on: on,
                        taken_by: who.user_id.clone(),
                        confirmed_on: None,
                        pledged_on: None,
                        pledge_reference: None,
                        issued_on: None,
                        plaque_no: None,
                        handbook_no: None,
                        entered_on: None,
                        member_id: None,
                        closed_on: None,
                        close_reason: None,
                        last_step_on: on,
                    },
                )?;
                audit::record(
                    tx,
                    &Actor::of(who),
                    "registration.surveyed",
                    "registration",
                    &row.id,
                    None,
                    serde_json::json!({ "centre_id": row.centre_id, "surveyed_on": on }),
                )?;
                one(tx, &keys, &row)
            })
            .await?;
        let tag = etag(view.version);
        let location = format!("/api/v1/registrations/{}", view.id);
        Ok(RegistrationResponse::Created(Json(view), tag, location))
    }

    /// 党员登记报到 / One registration with its telephone confirmations
    #[oai(path = "/registrations/:id", method = "get")]
    async fn get(&self, auth: Auth, id: Path<String>) -> AppResult<RegistrationResponse> {
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id.0)?;
        let master = *self.state.master_key.bytes();
        let view = call
            .read(move |tx, who: &Principal| {
                let (r, _) = visible(tx, who, &id)?;
                let keys = keys::load(tx, &master)?;
                one(tx, &keys, &r)
            })
            .await?;
        let tag = etag(view.version);
        Ok(RegistrationResponse::Ok(Json(view), tag))
    }

    /// 电话确认党员身份 / Record a call to the home organisation (the centre's staff)
    #[oai(path = "/registrations/:id/calls", method = "post")]
    async fn call(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<RegistrationCallRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<RegistrationResponse> {
        branch_staff(&auth.0, staff_only)?;
        let b = body.0;
        let mut errs = Vec::new();
        let whom = text("whom", &b.whom, 50).gather(&mut errs);
        let org = opt_text("org_name", b.org_name.as_deref(), 100)
            .transpose()
            .gather(&mut errs)
            .flatten();
        let note = opt_text("note", b.note.as_deref(), 200)
            .transpose()
            .gather(&mut errs)
            .flatten();
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let (whom, outcome, given) = (whom.unwrap_or_default(), b.outcome, b.called_on);
        self.step(
            auth,
            id.0,
            if_match_h.0,
            Step::Call(outcome),
            Box::new(move |tx, who, keys, r, _, v| {
                let on = step_day("called_on", given, r.last_step_on)?;
                let org = match org {
                    Some(o) => o,
                    None => home_org(tx, &open_survey(keys, r)?)?,
                };
                repo::add_call(
                    tx,
                    &r.id,
                    on,
                    &who.user_id,
                    &whom,
                    &org,
                    outcome.as_str(),
                    note.as_deref(),
                )?;
                if outcome == CallOutcome::Confirmed {
                    v.confirmed_on = Some(on);
                }
                v.last_step_on = on;
                Ok(serde_json::json!({ "called_on": on, "outcome": outcome.as_str() }))
            }),
        )
        .await
    }

    /// 签订争先创优承诺书 / Record the signed pledge (the centre's staff)
    #[oai(path = "/registrations/:id/pledge", method = "post")]
    async fn pledge(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<RegistrationPledgeRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<RegistrationResponse> {
        branch_staff(&auth.0, staff_only)?;
        let reference =
            text("reference", &body.0.reference, 100).map_err(|e| AppError::validation(vec![e]))?;
        let given = body.0.pledged_on;
        self.step(
            auth,
            id.0,
            if_match_h.0,
            Step::Pledge,
            Box::new(move |_, _, _, r, _, v| {
                let on = step_day("pledged_on", given, r.last_step_on)?;
                v.pledged_on = Some(on);
                v.pledge_reference = Some(reference.clone());
                v.last_step_on = on;
                Ok(serde_json::json!({ "pledged_on": on, "reference": reference }))
            }),
        )
        .await
    }

    /// 发放牌匾和党员服务手册 / Record the plaque and handbook issued (the centre's staff)
    #[oai(path = "/registrations/:id/issue", method = "post")]
    async fn issue(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<RegistrationIssueRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<RegistrationResponse> {
        branch_staff(&auth.0, staff_only)?;
        let b = body.0;
        let mut errs = Vec::new();
        let plaque = text("plaque_no", &b.plaque_no, 30).gather(&mut errs);
        let handbook = text("handbook_no", &b.handbook_no, 30).gather(&mut errs);
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let (plaque, handbook, given) = (
            plaque.unwrap_or_default(),
            handbook.unwrap_or_default(),
            b.issued_on,
        );
        self.step(
            auth,
            id.0,
            if_match_h.0,
            Step::Issue,
            Box::new(move |_, _, _, r, _, v| {
                let on = step_day("issued_on", given, r.last_step_on)?;
                v.issued_on = Some(on);
                v.plaque_no = Some(plaque.clone());
                v.handbook_no = Some(handbook.clone());
                v.last_step_on = on;
                Ok(serde_json::json!({ "issued_on": on, "plaque_no": plaque, "handbook_no": handbook }))
            }),
        )
        .await
    }

    /// 录入党员名册 / Enter the member in the register from the survey (the centre's staff)
    ///
    /// Once: the register record is written from the survey, as `POST /members` writes one,
    /// placed in the centre's region.
    #[oai(path = "/registrations/:id/enter", method = "post")]
    async fn enter(
        &self,
        auth: Auth,
        id: Path<String>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<RegistrationResponse> {
        branch_staff(&auth.0, staff_only)?;
        self.step(
            auth,
            id.0,
            if_match_h.0,
            Step::Enter,
            Box::new(move |tx, who, keys, r, centre, v| {
                let survey = open_survey(keys, r)?;
                let region = region(tx, centre)?;
                let member = crate::members::api::register(tx, keys, who, &survey, &region)?;
                let on = crate::clock::today().max(r.last_step_on);
                v.entered_on = Some(on);
                v.member_id = Some(member.id.clone());
                v.last_step_on = on;
                Ok(serde_json::json!({ "member_id": member.id }))
            }),
        )
        .await
    }

    /// 终止登记 / Close a registration with a reason (the centre's staff)
    #[oai(path = "/registrations/:id/close", method = "post")]
    async fn close(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<RegistrationCloseRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<RegistrationResponse> {
        branch_staff(&auth.0, staff_only)?;
        let reason =
            text("reason", &body.0.reason, 200).map_err(|e| AppError::validation(vec![e]))?;
        self.step(
            auth,
            id.0,
            if_match_h.0,
            Step::Close,
            Box::new(move |_, _, _, r, _, v| {
                let on = crate::clock::today().max(r.last_step_on);
                v.closed_on = Some(on);
                v.close_reason = Some(reason.clone());
                v.last_step_on = on;
                Ok(serde_json::json!({ "reason": reason }))
            }),
        )
        .await
    }
}
