//! /api/v1/floating-members and /api/v1/floating-receipts: the floating-member cases, their
//! steps, the three printable documents and the outstanding receipts.
//!
//! Who sees a case: county-wide roles all; a scoped user the cases whose responsible branch lies
//! in their subtree (others answer 404, like another county's ids). Who changes one: branch
//! staff only (403 `branch_staff_only` for every other role); an illegal step is 409 with the
//! stable code of [`model::next`].

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde::{Deserialize, Serialize};

use super::documents::{self, Context, MemberFacts};
use super::model::{self, Action, ActivityKind, CaseState, ChaseMethod, SendMethod};
use super::repo::{self, ActivityRow, CaseRow, CaseValues, ChaseRow, Filter};
use crate::AppState;
use crate::api::idempotency::{self, IdempotencyKey};
use crate::api::{JsonBody, PageRequest, etag, if_match, parse_date, path_id};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Principal, Role};
use crate::db::schema::{grids as g, members as m, org_units as o};
use crate::db::{DbResult, Mode, TenantTx};
use crate::deadlines::{self, NewObligation, ObligationKind, Period};
use crate::documents::{HtmlDocument, XlsxDocument};
use crate::error::{AppError, AppResult, FieldError, Gather};
use crate::members::model::Category;
use crate::org::model::OrgKind;
use crate::org::repo::OrgUnitRow;
use crate::org::scope::{self, Visibility};

#[derive(Tags)]
enum ApiTags {
    /// 流动党员双重管理 / Floating members: registration, confirmation, activities, feedback
    FloatingMembers,
}

pub struct FloatingApi {
    pub state: AppState,
}

// ------------------------------------------------------------------ views --

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct ChaseView {
    pub id: String,
    /// 催收日期
    pub chased_on: NaiveDate,
    pub method: ChaseMethod,
    #[oai(skip_serializing_if_is_none)]
    pub note: Option<String>,
    pub recorded_by: String,
}

fn chase_view(r: &ChaseRow) -> ChaseView {
    ChaseView {
        id: r.id.clone(),
        chased_on: r.chased_on,
        method: ChaseMethod::parse(&r.method).unwrap_or(ChaseMethod::Phone),
        note: r.note.clone(),
        recorded_by: r.recorded_by.clone(),
    }
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct ActivityView {
    pub id: String,
    pub case_id: String,
    pub held_on: NaiveDate,
    pub kind: ActivityKind,
    /// 组织生活 / 培训 / 教育 / 组织活动
    pub kind_label: String,
    pub content: String,
    pub recorded_by: String,
    pub created_at: DateTime<Utc>,
}

fn activity_view(r: &ActivityRow) -> ActivityView {
    let kind = ActivityKind::parse(&r.kind).unwrap_or(ActivityKind::Activity);
    ActivityView {
        id: r.id.clone(),
        case_id: r.case_id.clone(),
        held_on: r.held_on,
        kind,
        kind_label: kind.label_zh().to_owned(),
        content: r.content.clone(),
        recorded_by: r.recorded_by.clone(),
        created_at: r.created_at.and_utc(),
    }
}

#[derive(Debug, Clone, Object)]
pub struct ActivityList {
    pub items: Vec<ActivityView>,
}

/// A floating-member case: the registration (流动党员登记表) with the member's register
/// entry, and where the year's feedback stands.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct FloatingCaseView {
    pub id: String,
    pub member_id: String,
    pub member_name: String,
    /// 经营单位 (from the register)
    pub business_name: String,
    /// 组织关系所在地党组织 (from the register)
    pub home_org_name: String,
    /// 反馈年度
    pub year: i32,
    /// 反馈截止日期 (by default 30 November of the year)
    #[oai(skip_serializing_if_is_none)]
    pub due_on: Option<NaiveDate>,
    pub branch_id: String,
    pub branch_name: String,
    pub state: CaseState,
    pub state_label: String,
    /// 联系单位 of the home party organisation
    pub home_contact_unit: String,
    /// 组织关系所在地党组织通讯地址 (for the letter)
    #[oai(skip_serializing_if_is_none)]
    pub home_org_address: Option<String>,
    /// 来本地经营时间
    pub operating_since: NaiveDate,
    pub registered_on: NaiveDate,
    #[oai(skip_serializing_if_is_none)]
    pub note: Option<String>,
    /// 证明编号或说明 (the home branch's stamped proof)
    #[oai(skip_serializing_if_is_none)]
    pub proof_reference: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub proof_date: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub confirmed_on: Option<NaiveDate>,
    /// 评语
    #[oai(skip_serializing_if_is_none)]
    pub evaluation: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub secretary_name: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub evaluated_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub sent_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub sent_method: Option<SendMethod>,
    #[oai(skip_serializing_if_is_none)]
    pub sent_note: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub received_on: Option<NaiveDate>,
    /// Who signed the receipt at the home branch.
    #[oai(skip_serializing_if_is_none)]
    pub received_by: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub receipt_note: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub archived_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub archive_reference: Option<String>,
    /// Reminders for the outstanding receipt, oldest first.
    pub chases: Vec<ChaseView>,
    /// The reference printed on the form, letter and receipt.
    pub reference: String,
    pub registered_by: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Object)]
pub struct FloatingCasePage {
    pub items: Vec<FloatingCaseView>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

/// A sent case whose receipt has not come back.
#[derive(Debug, Clone, Object)]
pub struct OutstandingReceipt {
    pub case: FloatingCaseView,
    pub sent_on: NaiveDate,
    /// Days since it was sent, as of `as_of`.
    pub days_outstanding: i64,
    pub chase_count: i64,
    #[oai(skip_serializing_if_is_none)]
    pub last_chased_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Object)]
pub struct OutstandingReceipts {
    pub as_of: NaiveDate,
    /// Longest outstanding first.
    pub items: Vec<OutstandingReceipt>,
    /// More cases are outstanding than `limit` showed.
    pub truncated: bool,
}

// --------------------------------------------------------------- requests --

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct RegisterFloatingRequest {
    /// A member of the register whose category is `floating`.
    pub member_id: String,
    /// 联系单位: the home party organisation's contact unit (e.g. its township committee).
    /// Required unless carried over from the member's previous year.
    pub home_contact_unit: Option<String>,
    /// The home party organisation's postal address, for the letter.
    pub home_org_address: Option<String>,
    /// 来本地经营时间. Required unless carried over from the member's previous year.
    pub operating_since: Option<NaiveDate>,
    /// The responsible branch (party branch, branch or service centre). Default: the member's
    /// organisational-life unit when it is one of yours, else the unit you are bound to.
    pub branch_id: Option<String>,
    /// Default today; not in the future.
    pub registered_on: Option<NaiveDate>,
    /// 反馈年度: the registration's year (default) or the next.
    pub year: Option<i32>,
    pub note: Option<String>,
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

// -------------------------------------------------------------- responses --

#[derive(ApiResponse)]
pub enum CaseResponse {
    #[oai(status = 200)]
    Ok(Json<FloatingCaseView>, #[oai(header = "ETag")] String),
}

#[derive(ApiResponse)]
pub enum CaseCreated {
    #[oai(status = 201)]
    Created(
        Json<FloatingCaseView>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Location")] String,
        #[oai(header = "Idempotent-Replayed")] Option<String>,
    ),
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

// ---------------------------------------------------------------- helpers --

fn branch_staff_only(who: &Principal) -> Result<(), AppError> {
    if who.role == Role::BranchStaff {
        Ok(())
    } else {
        Err(AppError::new(
            poem::http::StatusCode::FORBIDDEN,
            "branch_staff_only",
            "流动党员登记和反馈由分会支部/服务中心工作人员办理",
            "Floating members are registered and fed back by branch staff",
        ))
    }
}

fn refused(r: model::Refused) -> AppError {
    AppError::conflict(r.code, r.zh, r.en)
}

/// Trimmed text of 1..=max characters without control characters (line breaks allowed in
/// long texts).
fn text(field: &str, v: &str, max: usize) -> Result<String, FieldError> {
    let t = v.trim();
    let bad_char = t.chars().any(|c| c.is_control() && c != '\n' && c != '\r');
    if t.is_empty() || t.chars().count() > max || bad_char {
        return Err(FieldError::new(
            field,
            if t.is_empty() {
                "required"
            } else {
                "invalid_text"
            },
            format!("{field}：应为1到{max}个字符"),
            format!("{field}: 1 to {max} characters"),
        ));
    }
    Ok(t.replace("\r\n", "\n"))
}

fn opt_text(field: &str, v: Option<&str>, max: usize) -> Option<Result<String, FieldError>> {
    v.filter(|s| !s.trim().is_empty())
        .map(|s| text(field, s, max))
}

fn not_future(field: &str, d: NaiveDate, today: NaiveDate) -> Result<NaiveDate, FieldError> {
    if d > today {
        return Err(FieldError::new(
            field,
            "date_in_future",
            format!("{field}：日期不能晚于今天"),
            format!("{field}: the date is in the future"),
        ));
    }
    Ok(d)
}

/// A registration date whose year (the default feedback year) the database accepts.
fn in_case_years(d: NaiveDate) -> Result<NaiveDate, FieldError> {
    let (lo, hi) = (model::YEARS.start(), model::YEARS.end());
    if model::YEARS.contains(&chrono::Datelike::year(&d)) {
        return Ok(d);
    }
    Err(FieldError::new(
        "registered_on",
        "out_of_range",
        format!("registered_on：登记日期应在{lo}年至{hi}年之间"),
        format!("registered_on must be between {lo} and {hi}"),
    ))
}

fn before_previous(field: &str, zh: &str) -> AppError {
    AppError::field(
        field,
        "date_before_previous_step",
        format!("{field}：{zh}"),
        format!("{field}: the date is before the previous step's date"),
    )
}

fn is_branch_kind(k: OrgKind) -> bool {
    matches!(
        k,
        OrgKind::Branch | OrgKind::PartyBranch | OrgKind::ServiceCentre
    )
}

/// A case the caller can see (its responsible branch is in their scope), or 404.
fn visible_case(tx: &mut TenantTx<'_>, who: &Principal, id: &str) -> DbResult<CaseRow> {
    let case = repo::get(tx, id)?.ok_or_else(AppError::not_found)?;
    let vis = scope::visibility(tx, who.role, &who.user_id)?;
    let sees = match &vis {
        Visibility::County => true,
        Visibility::Nothing => false,
        Visibility::Subtree(_) => {
            crate::org::repo::get(tx, &case.branch_id)?.is_some_and(|u| vis.sees(&u))
        }
    };
    if !sees {
        return Err(AppError::not_found().into());
    }
    Ok(case)
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

struct MemberBits {
    name: String,
    business_name: String,
    home_org_name: String,
}

/// Views for some cases: member and branch names, chases and due dates in a few queries.
fn views(tx: &mut TenantTx<'_>, rows: &[CaseRow]) -> DbResult<Vec<FloatingCaseView>> {
    use std::collections::HashMap;
    let tid = tx.tid().to_owned();
    let mut member_ids: Vec<&str> = rows.iter().map(|r| r.member_id.as_str()).collect();
    member_ids.sort_unstable();
    member_ids.dedup();
    let mut members: HashMap<String, MemberBits> = HashMap::new();
    for chunk in member_ids.chunks(500) {
        let got: Vec<(String, String, String, String)> = m::table
            .filter(m::tenant_id.eq(&tid).and(m::id.eq_any(chunk)))
            .select((m::id, m::name, m::business_name, m::membership_org_name))
            .load(tx.conn())?;
        for (id, name, business_name, home_org_name) in got {
            members.insert(
                id,
                MemberBits {
                    name,
                    business_name,
                    home_org_name,
                },
            );
        }
    }
    let mut branch_ids: Vec<&str> = rows.iter().map(|r| r.branch_id.as_str()).collect();
    branch_ids.sort_unstable();
    branch_ids.dedup();
    let mut branches: HashMap<String, String> = HashMap::new();
    for chunk in branch_ids.chunks(500) {
        let got: Vec<(String, String)> = o::table
            .filter(o::tenant_id.eq(&tid).and(o::id.eq_any(chunk)))
            .select((o::id, o::name))
            .load(tx.conn())?;
        branches.extend(got);
    }
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut chases: HashMap<String, Vec<ChaseView>> = HashMap::new();
    for c in repo::chases(tx, &ids)? {
        chases
            .entry(c.case_id.clone())
            .or_default()
            .push(chase_view(&c));
    }
    let rules = deadlines::repo::rules(tx)?;
    Ok(rows
        .iter()
        .map(|r| {
            let mb = members.get(&r.member_id);
            let state = CaseState::parse(&r.state).unwrap_or(CaseState::Registered);
            FloatingCaseView {
                id: r.id.clone(),
                member_id: r.member_id.clone(),
                member_name: mb.map(|b| b.name.clone()).unwrap_or_default(),
                business_name: mb.map(|b| b.business_name.clone()).unwrap_or_default(),
                home_org_name: mb.map(|b| b.home_org_name.clone()).unwrap_or_default(),
                year: r.year,
                due_on: rules
                    .due_for_period(ObligationKind::FloatingFeedback, Period::Year(r.year)),
                branch_id: r.branch_id.clone(),
                branch_name: branches.get(&r.branch_id).cloned().unwrap_or_default(),
                state,
                state_label: state.label_zh().to_owned(),
                home_contact_unit: r.home_contact_unit.clone(),
                home_org_address: r.home_org_address.clone(),
                operating_since: r.operating_since,
                registered_on: r.registered_on,
                note: r.note.clone(),
                proof_reference: r.proof_reference.clone(),
                proof_date: r.proof_date,
                confirmed_on: r.confirmed_on,
                evaluation: r.evaluation.clone(),
                secretary_name: r.secretary_name.clone(),
                evaluated_on: r.evaluated_on,
                sent_on: r.sent_on,
                sent_method: r.sent_method.as_deref().and_then(SendMethod::parse),
                sent_note: r.sent_note.clone(),
                received_on: r.received_on,
                received_by: r.received_by.clone(),
                receipt_note: r.receipt_note.clone(),
                archived_on: r.archived_on,
                archive_reference: r.archive_reference.clone(),
                chases: chases.remove(&r.id).unwrap_or_default(),
                reference: documents::reference(r),
                registered_by: r.registered_by.clone(),
                version: r.version,
                created_at: r.created_at.and_utc(),
                updated_at: r.updated_at.and_utc(),
            }
        })
        .collect())
}

fn view(tx: &mut TenantTx<'_>, row: &CaseRow) -> DbResult<FloatingCaseView> {
    views(tx, std::slice::from_ref(row))?
        .pop()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("case view vanished")).into())
}

/// The responsible branch of a new case: the one named, else the member's organisational-life
/// unit when it is a branch the caller sees, else the caller's own unit.
fn responsible_branch(
    tx: &mut TenantTx<'_>,
    who: &Principal,
    vis: &Visibility,
    named: Option<&str>,
    org_life_unit_id: Option<&str>,
) -> DbResult<OrgUnitRow> {
    let usable = |u: &OrgUnitRow| u.active && is_branch_kind(u.kind()) && vis.sees(u);
    if let Some(id) = named {
        let unit = uuid::Uuid::try_parse(id)
            .ok()
            .map(|_| crate::org::repo::get(tx, id))
            .transpose()?
            .flatten()
            .filter(|u| usable(u));
        return unit.ok_or_else(|| {
            AppError::field(
                "branch_id",
                "branch_not_found",
                "branch_id：不是你所在分会/支部/服务中心范围内的组织",
                "branch_id: no such branch, party branch or service centre in your scope",
            )
            .into()
        });
    }
    if let Some(id) = org_life_unit_id
        && let Some(u) = crate::org::repo::get(tx, id)?.filter(|u| usable(u))
    {
        return Ok(u);
    }
    let own = crate::users::repo::get(tx, &who.user_id)?.and_then(|u| u.org_unit_id);
    match own {
        Some(id) => match crate::org::repo::get(tx, &id)?.filter(|u| usable(u)) {
            Some(u) => Ok(u),
            None => Err(AppError::forbidden().into()),
        },
        None => Err(AppError::forbidden().into()),
    }
}

/// A document of a case, built from the register, the case and its activities of the year.
fn render(
    tx: &mut TenantTx<'_>,
    who: &Principal,
    case: &CaseRow,
    doc: Doc,
) -> DbResult<crate::documents::Document> {
    let tid = tx.tid().to_owned();
    let mem = crate::members::repo::get(tx, &case.member_id)?.ok_or_else(AppError::not_found)?;
    let market_name = match &mem.market_id {
        Some(mk) => crate::org::repo::get(tx, mk)?.map(|u| u.name),
        None => None,
    };
    let member = MemberFacts {
        name: mem.name.clone(),
        gender: mem.gender.clone(),
        birth_date: mem.birth_date,
        joined_party_on: mem.joined_party_on,
        membership_status: mem.membership_status.clone(),
        household_registration: mem.household_registration.clone(),
        business_name: mem.business_name.clone(),
        market_name,
        home_org_name: mem.membership_org_name.clone(),
    };
    let branch_name = crate::org::repo::get(tx, &case.branch_id)?
        .map(|u| u.name)
        .unwrap_or_default();
    let grid_name: Option<String> = g::table
        .filter(g::tenant_id.eq(&tid))
        .filter(g::party_branch_id.eq(&case.branch_id))
        .select(g::name)
        .first(tx.conn())
        .optional()?;
    let activities = repo::activities(tx, &case.id, Some(case.year))?;
    let printed_by = crate::users::repo::get(tx, &who.user_id)?
        .map(|u| u.display_name)
        .unwrap_or_default();
    let ctx = Context {
        case,
        member: &member,
        branch_name,
        grid_name,
        activities: &activities,
        printed_by,
        today: crate::clock::today(),
    };
    Ok(match doc {
        Doc::FeedbackForm => documents::feedback_form(&ctx),
        Doc::Letter => documents::letter(&ctx),
        Doc::ReceiptForm => documents::receipt_form(&ctx),
    })
}

#[derive(Clone, Copy)]
enum Doc {
    FeedbackForm,
    Letter,
    ReceiptForm,
}

impl FloatingApi {
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
        let tid = auth.0.tenant()?;
        branch_staff_only(&auth.0)?;
        let id = path_id(&id)?;
        let expected = parse_if_match(if_match_h)?;
        let who = auth.0;
        let view = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let case = visible_case(tx, &who, &id)?;
                check_version(expected, &case)?;
                let state = CaseState::parse(&case.state).unwrap_or(CaseState::Registered);
                let new = model::next(state, action).map_err(refused)?;
                let mut v = CaseValues::from_row(&case);
                v.state = new.as_str().to_owned();
                let details = f(tx, &who, &case, &mut v)?;
                let row = repo::update(tx, &id, case.version, &v)?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    audit_action,
                    "floating_case",
                    &id,
                    None,
                    serde_json::json!({ "from": state.as_str(), "to": new.as_str(), "details": details }),
                )?;
                view(tx, &row)
            })
            .await?;
        let tag = etag(view.version);
        Ok(CaseResponse::Ok(Json(view), tag))
    }

    async fn document(
        &self,
        auth: Auth,
        id: String,
        doc: Doc,
    ) -> AppResult<crate::documents::Document> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id)?;
        let who = auth.0;
        let out = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                let case = visible_case(tx, &who, &id)?;
                let state = CaseState::parse(&case.state).unwrap_or(CaseState::Registered);
                model::next(state, Action::PrintDocuments).map_err(refused)?;
                render(tx, &who, &case, doc)
            })
            .await?;
        Ok(out)
    }
}

// -------------------------------------------------------------- endpoints --

#[OpenApi(tag = "ApiTags::FloatingMembers")]
impl FloatingApi {
    /// 流动党员列表 / Floating-member cases you can see
    #[oai(path = "/floating-members", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: Auth,
        state: Query<Option<CaseState>>,
        year: Query<Option<i32>>,
        branch_id: Query<Option<String>>,
        member_id: Query<Option<String>>,
        limit: Query<Option<crate::api::PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<FloatingCasePage>> {
        let tid = auth.0.tenant()?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        // Ids that cannot exist filter everything out, like unknown ones.
        let branch = branch_id.0.as_deref().map(path_id).transpose();
        let member = member_id.0.as_deref().map(path_id).transpose();
        let impossible = branch.is_err() || member.is_err();
        let f = Filter {
            state: state.0.map(CaseState::as_str),
            year: year.0,
            branch_id: branch.ok().flatten(),
            member_id: member.ok().flatten(),
        };
        let who = auth.0;
        let (items, next_cursor) = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                if impossible {
                    return Ok((Vec::new(), None));
                }
                let vis = scope::visibility(tx, who.role, &who.user_id)?;
                let rows = repo::list(tx, &vis, &page, &f)?;
                let (rows, next) = page.finish(rows, |r| &r.id);
                Ok((views(tx, &rows)?, next))
            })
            .await?;
        Ok(Json(FloatingCasePage { items, next_cursor }))
    }

    /// 流动党员登记 / Register a floating member for a feedback year (branch staff)
    ///
    /// Opens the year's `floating_feedback` deadline (30 November by default) for the branch.
    /// A member already registered in an earlier year carries over the contact unit, the
    /// operating date and, when it was confirmed, the identity confirmation.
    #[oai(path = "/floating-members", method = "post")]
    async fn register(
        &self,
        auth: Auth,
        body: JsonBody<RegisterFloatingRequest>,
        #[oai(name = "Idempotency-Key", validator(pattern = r"^[!-~]{1,200}$"))] idem: Header<
            Option<String>,
        >,
    ) -> AppResult<CaseCreated> {
        let tid = auth.0.tenant()?;
        branch_staff_only(&auth.0)?;
        let key = IdempotencyKey::parse(idem.0.as_deref())?;
        let req = body.0;
        let today = crate::clock::today();
        let mut errs = Vec::new();
        let contact =
            opt_text("home_contact_unit", req.home_contact_unit.as_deref(), 100).gather(&mut errs);
        let address =
            opt_text("home_org_address", req.home_org_address.as_deref(), 200).gather(&mut errs);
        let note = opt_text("note", req.note.as_deref(), 500).gather(&mut errs);
        let registered_on = not_future("registered_on", req.registered_on.unwrap_or(today), today)
            .and_then(in_case_years)
            .gather(&mut errs);
        let since = req
            .operating_since
            .map(|d| not_future("operating_since", d, today))
            .gather(&mut errs);
        let year = registered_on.map(|r| req.year.unwrap_or(chrono::Datelike::year(&r)));
        if let (Some(r), Some(y)) = (registered_on, year)
            && !model::year_allowed(r, y)
        {
            errs.push(FieldError::new(
                "year",
                "invalid_year",
                "year：反馈年度应为登记当年或次年",
                "year: the registration's year or the next",
            ));
        }
        let member_id = match path_id(&req.member_id) {
            Ok(id) => Some(id),
            Err(_) => {
                errs.push(member_not_found());
                None
            }
        };
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let (registered_on, year, member_id) = (
            registered_on.unwrap_or(today),
            year.unwrap_or(2000),
            member_id.unwrap_or_default(),
        );
        let req_hash = idempotency::request_hash("POST /floating-members", &req);
        let who = auth.0;
        let (view, replayed) = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                if let Some(k) = &key
                    && let Some(stored) =
                        idempotency::tenant_lookup(tx, &who.user_id, k, &req_hash)?
                {
                    return Ok((stored.into_body::<FloatingCaseView>()?, true));
                }
                let vis = scope::visibility(tx, who.role, &who.user_id)?;
                let mem = crate::members::repo::get(tx, &member_id)?;
                let mem = match mem {
                    Some(mm) if crate::members::repo::visible(tx, &vis, &mm)? => mm,
                    _ => return Err(AppError::validation(vec![member_not_found()]).into()),
                };
                if mem.category != Category::Floating.as_str() {
                    return Err(AppError::field(
                        "member_id",
                        "not_floating_member",
                        "member_id：该党员的组织关系在本县，不属于流动党员",
                        "member_id: the member's membership is held in the county; not a floating member",
                    )
                    .into());
                }
                if mem.membership_org_name.trim().is_empty() {
                    return Err(AppError::field(
                        "member_id",
                        "home_org_missing",
                        "member_id：党员信息中缺少组织关系所在地党组织，请先在党员信息中补充",
                        "member_id: the register lacks the member's home party organisation",
                    )
                    .into());
                }
                let branch = responsible_branch(
                    tx,
                    &who,
                    &vis,
                    req.branch_id.as_deref(),
                    mem.org_life_unit_id.as_deref(),
                )?;
                // Enter once: a later year's case carries the registration and the proof over.
                let prev = repo::previous(tx, &member_id, year)?;
                let mut errs = Vec::new();
                let home_contact_unit = contact
                    .clone()
                    .or_else(|| prev.as_ref().map(|p| p.home_contact_unit.clone()));
                if home_contact_unit.is_none() {
                    errs.push(FieldError::new(
                        "home_contact_unit",
                        "required",
                        "home_contact_unit：请填写组织关系所在地党组织的联系单位",
                        "home_contact_unit is required",
                    ));
                }
                let operating_since = since.or_else(|| prev.as_ref().map(|p| p.operating_since));
                if operating_since.is_none() {
                    errs.push(FieldError::new(
                        "operating_since",
                        "required",
                        "operating_since：请填写来本地经营时间",
                        "operating_since is required",
                    ));
                }
                if !errs.is_empty() {
                    return Err(AppError::validation(errs).into());
                }
                let carried = prev.as_ref().filter(|p| p.proof_reference.is_some());
                let v = CaseValues {
                    member_id: member_id.clone(),
                    year,
                    branch_id: branch.id.clone(),
                    state: if carried.is_some() {
                        CaseState::Confirmed
                    } else {
                        CaseState::Registered
                    }
                    .as_str()
                    .to_owned(),
                    home_contact_unit: home_contact_unit.unwrap_or_default(),
                    home_org_address: address
                        .clone()
                        .or_else(|| prev.as_ref().and_then(|p| p.home_org_address.clone())),
                    operating_since: operating_since.unwrap_or(registered_on),
                    registered_on,
                    note: note.clone(),
                    proof_reference: carried.and_then(|p| p.proof_reference.clone()),
                    proof_date: carried.and_then(|p| p.proof_date),
                    confirmed_on: carried.and_then(|p| p.confirmed_on),
                    evaluation: None,
                    secretary_name: None,
                    evaluated_on: None,
                    sent_on: None,
                    sent_method: None,
                    sent_note: None,
                    received_on: None,
                    received_by: None,
                    receipt_note: None,
                    archived_on: None,
                    archive_reference: None,
                };
                let row = repo::insert(tx, &v, &who.user_id)?;
                let rules = deadlines::repo::rules(tx)?;
                let period = Period::Year(year);
                let due_on = rules
                    .due_for_period(ObligationKind::FloatingFeedback, period)
                    .or_else(|| NaiveDate::from_ymd_opt(year, 11, 30))
                    .unwrap_or(registered_on);
                deadlines::open(
                    tx,
                    NewObligation {
                        kind: ObligationKind::FloatingFeedback,
                        period,
                        subject_type: "floating_case",
                        subject_id: &row.id,
                        owner_org_unit_id: &row.branch_id,
                        member_id: Some(&row.member_id),
                        title: format!("{year}年度流动党员双重管理反馈：{}", mem.business_name),
                        due_on,
                    },
                )?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "floating.register",
                    "floating_case",
                    &row.id,
                    None,
                    serde_json::json!({
                        "member_id": row.member_id, "year": year, "branch_id": row.branch_id,
                        "carried_over_from": prev.map(|p| p.id), "state": row.state,
                    }),
                )?;
                let view = view(tx, &row)?;
                if let Some(k) = &key {
                    idempotency::tenant_store(tx, &who.user_id, k, &req_hash, 201, &view)?;
                }
                Ok((view, false))
            })
            .await?;
        let location = format!("/api/v1/floating-members/{}", view.id);
        let tag = etag(view.version);
        Ok(CaseCreated::Created(
            Json(view),
            tag,
            location,
            replayed.then(|| "true".to_owned()),
        ))
    }

    /// 查看流动党员记录 / Get a floating-member case
    #[oai(path = "/floating-members/:id", method = "get")]
    async fn get(&self, auth: Auth, id: Path<String>) -> AppResult<CaseResponse> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let who = auth.0;
        let view = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                let case = visible_case(tx, &who, &id)?;
                view(tx, &case)
            })
            .await?;
        let tag = etag(view.version);
        Ok(CaseResponse::Ok(Json(view), tag))
    }

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
        let tid = auth.0.tenant()?;
        branch_staff_only(&auth.0)?;
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
        let who = auth.0;
        let (view, version) = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let case = visible_case(tx, &who, &id)?;
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
                    &Actor::of(&who),
                    "floating.activity",
                    "floating_case",
                    &id,
                    None,
                    serde_json::json!({ "activity_id": row.id, "kind": row.kind, "held_on": held_on }),
                )?;
                Ok((activity_view(&row), updated.version))
            })
            .await?;
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
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let who = auth.0;
        let items = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                visible_case(tx, &who, &id)?;
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

    /// 双重管理反馈表（xlsx） / The feedback form as xlsx (after the evaluation)
    #[oai(path = "/floating-members/:id/feedback-form.xlsx", method = "get")]
    async fn feedback_form_xlsx(&self, auth: Auth, id: Path<String>) -> AppResult<XlsxDocument> {
        self.document(auth, id.0, Doc::FeedbackForm)
            .await?
            .xlsx_response()
    }

    /// 双重管理反馈表（打印） / The feedback form as print-ready HTML
    #[oai(path = "/floating-members/:id/feedback-form.html", method = "get")]
    async fn feedback_form_html(&self, auth: Auth, id: Path<String>) -> AppResult<HtmlDocument> {
        Ok(self
            .document(auth, id.0, Doc::FeedbackForm)
            .await?
            .html_response())
    }

    /// 函（xlsx） / The letter to the home branch as xlsx
    #[oai(path = "/floating-members/:id/letter.xlsx", method = "get")]
    async fn letter_xlsx(&self, auth: Auth, id: Path<String>) -> AppResult<XlsxDocument> {
        self.document(auth, id.0, Doc::Letter)
            .await?
            .xlsx_response()
    }

    /// 函（打印） / The letter to the home branch as print-ready HTML
    #[oai(path = "/floating-members/:id/letter.html", method = "get")]
    async fn letter_html(&self, auth: Auth, id: Path<String>) -> AppResult<HtmlDocument> {
        Ok(self
            .document(auth, id.0, Doc::Letter)
            .await?
            .html_response())
    }

    /// 回执（xlsx） / The receipt form the home branch fills in and returns, as xlsx
    #[oai(path = "/floating-members/:id/receipt-form.xlsx", method = "get")]
    async fn receipt_form_xlsx(&self, auth: Auth, id: Path<String>) -> AppResult<XlsxDocument> {
        self.document(auth, id.0, Doc::ReceiptForm)
            .await?
            .xlsx_response()
    }

    /// 回执（打印） / The receipt form as print-ready HTML
    #[oai(path = "/floating-members/:id/receipt-form.html", method = "get")]
    async fn receipt_form_html(&self, auth: Auth, id: Path<String>) -> AppResult<HtmlDocument> {
        Ok(self
            .document(auth, id.0, Doc::ReceiptForm)
            .await?
            .html_response())
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
        let tid = auth.0.tenant()?;
        branch_staff_only(&auth.0)?;
        let id = path_id(&id.0)?;
        let b = body.0;
        let today = crate::clock::today();
        let mut errs = Vec::new();
        let on = not_future("chased_on", b.chased_on.unwrap_or(today), today).gather(&mut errs);
        let note = opt_text("note", b.note.as_deref(), 200).gather(&mut errs);
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let on = on.unwrap_or(today);
        let who = auth.0;
        let (view, version) = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let case = visible_case(tx, &who, &id)?;
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
                    &Actor::of(&who),
                    "floating.chase",
                    "floating_case",
                    &id,
                    None,
                    serde_json::json!({ "chase_id": row.id, "method": row.method, "chased_on": on }),
                )?;
                Ok((chase_view(&row), updated.version))
            })
            .await?;
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

    /// 未收回回执 / Sent cases whose receipt is outstanding, longest first, in your scope
    #[oai(path = "/floating-receipts/outstanding", method = "get")]
    async fn outstanding(
        &self,
        auth: Auth,
        /// The day to count from (default today in China).
        as_of: Query<Option<String>>,
        /// Rows to return (1 to 500, default 200): one page, `truncated` says there were more.
        limit: Query<Option<crate::api::PageLimit<500>>>,
    ) -> AppResult<Json<OutstandingReceipts>> {
        let tid = auth.0.tenant()?;
        let as_of = match as_of.0 {
            Some(s) => parse_date("as_of", &s).map_err(|e| AppError::validation(vec![e]))?,
            None => crate::clock::today(),
        };
        let limit = i64::from(limit.0.map_or(200, |l| l.0));
        let who = auth.0;
        let out = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                let vis = scope::visibility(tx, who.role, &who.user_id)?;
                let mut rows = repo::outstanding(tx, &vis, limit + 1)?;
                let truncated = rows.len() as i64 > limit;
                rows.truncate(limit as usize);
                let views = views(tx, &rows)?;
                let items = rows
                    .iter()
                    .zip(views)
                    .map(|(r, v)| {
                        let sent_on = r.sent_on.unwrap_or(r.registered_on);
                        OutstandingReceipt {
                            sent_on,
                            days_outstanding: model::days_outstanding(sent_on, as_of),
                            chase_count: v.chases.len() as i64,
                            last_chased_on: v.chases.last().map(|c| c.chased_on),
                            case: v,
                        }
                    })
                    .collect();
                Ok(OutstandingReceipts {
                    as_of,
                    items,
                    truncated,
                })
            })
            .await?;
        Ok(Json(out))
    }
}

fn member_not_found() -> FieldError {
    FieldError::new(
        "member_id",
        "member_not_found",
        "member_id：党员不存在或不在你的管理范围内",
        "member_id: no such member in your scope",
    )
}
