//! /api/v1/floating-members and /api/v1/floating-receipts: registering floating members, their
//! cases, the three printable documents and the outstanding receipts (the steps after
//! registration: `steps`; the views: `view`).
//!
//! Who sees a case: county-wide roles all; a scoped user the cases whose responsible branch lies
//! in their subtree (others answer 404, like another county's ids). Who changes one: branch
//! staff only (403 `branch_staff_only` for every other role); an illegal step is 409 with the
//! stable code of [`model::next`].

use chrono::NaiveDate;
use diesel::prelude::*;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde::{Deserialize, Serialize};

use super::documents::{self, Context, MemberFacts};
use super::model::{self, Action, CaseState};
use super::repo::{self, CaseRow, CaseValues, Filter};
use super::view::{
    FloatingCasePage, FloatingCaseView, OutstandingReceipt, OutstandingReceipts, view, views,
};
use crate::AppState;
use crate::api::idempotency::{self, IdempotencyKey};
use crate::api::{JsonBody, PageRequest, etag, parse_date, path_id};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Principal, Role};
use crate::db::schema::grids as g;
use crate::db::{DbResult, TenantTx};
use crate::deadlines::{self, NewObligation, ObligationKind, Period};
use crate::documents::{HtmlDocument, XlsxDocument};
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult, FieldError, Gather};
use crate::events::{Emitter, EventKind};
use crate::handler::Call;
use crate::members::model::Category;
use crate::org::model::OrgKind;
use crate::org::repo::OrgUnitRow;
use crate::org::scope::{self, Visibility};

#[derive(Tags)]
pub(super) enum ApiTags {
    /// 流动党员双重管理 / Floating members: registration, confirmation, activities, feedback
    FloatingMembers,
}

pub struct FloatingApi {
    pub state: AppState,
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

// ---------------------------------------------------------------- helpers --

pub(super) fn branch_staff_only(who: &Principal) -> Result<(), AppError> {
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

/// Tells `/events` subscribers who see the case's responsible branch that it changed.
pub(super) async fn publish(state: &AppState, emit: &Emitter, case_id: &str, branch_id: &str) {
    emit.workflow(
        state,
        EventKind::FloatingChanged,
        case_id,
        vec![branch_id.to_owned()],
    )
    .await;
}

pub(super) fn refused(r: model::Refused) -> AppError {
    AppError::conflict(r.code, r.zh, r.en)
}

/// Trimmed text of 1..=max characters without control characters (line breaks allowed in
/// long texts).
pub(crate) fn text(field: &str, v: &str, max: usize) -> Result<String, FieldError> {
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

pub(crate) fn opt_text(
    field: &str,
    v: Option<&str>,
    max: usize,
) -> Option<Result<String, FieldError>> {
    v.filter(|s| !s.trim().is_empty())
        .map(|s| text(field, s, max))
}

pub(crate) fn not_future(
    field: &str,
    d: NaiveDate,
    today: NaiveDate,
) -> Result<NaiveDate, FieldError> {
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

fn is_branch_kind(k: OrgKind) -> bool {
    matches!(
        k,
        OrgKind::Branch | OrgKind::PartyBranch | OrgKind::ServiceCentre
    )
}

/// A case the caller can see (its responsible branch is in their scope), or 404.
pub(super) fn visible_case(tx: &mut TenantTx<'_>, who: &Principal, id: &str) -> DbResult<CaseRow> {
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
    async fn document(
        &self,
        auth: Auth,
        id: String,
        doc: Doc,
    ) -> AppResult<crate::documents::Document> {
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id)?;
        let out = call
            .read(move |tx, who: &Principal| {
                let case = visible_case(tx, who, &id)?;
                let state = CaseState::parse(&case.state).unwrap_or(CaseState::Registered);
                model::next(state, Action::PrintDocuments).map_err(refused)?;
                render(tx, who, &case, doc)
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
        let call = Call::new(&self.state, auth)?;
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
        let (items, next_cursor) = call
            .read(move |tx, who: &Principal| {
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
        let call = Call::new(&self.state, auth)?;
        branch_staff_only(call.who())?;
        let emit = call.emitter();
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
        let (view, replayed) = call.write(move |tx, who: &Principal| {
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
                    who,
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
                    &Actor::of(who),
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
        if !replayed {
            publish(&self.state, &emit, &view.id, &view.branch_id).await;
        }
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
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id.0)?;
        let view = call
            .read(move |tx, who: &Principal| {
                let case = visible_case(tx, who, &id)?;
                view(tx, &case)
            })
            .await?;
        let tag = etag(view.version);
        Ok(CaseResponse::Ok(Json(view), tag))
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
        let call = Call::new(&self.state, auth)?;
        let as_of = match as_of.0 {
            Some(s) => parse_date("as_of", &s).map_err(|e| AppError::validation(vec![e]))?,
            None => crate::clock::today(),
        };
        let limit = i64::from(limit.0.map_or(200, |l| l.0));
        let out = call
            .read(move |tx, who: &Principal| {
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
