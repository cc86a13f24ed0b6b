//! /api/v1/filings: a recording unit's quarterly filings, from the generated draft to the
//! submission, and the printable 季报表 (the upper committee's review: `review`; the views:
//! `view`).

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde::{Deserialize, Serialize};

use super::document::{self, PrintLine, Sheet};
use super::model::{
    self, Action, FilingState, parse_quarter, quarter_ended, quarter_label, transition,
};
use super::repo::{self, FilingRow, NewFiling};
use super::view::{FilingPage, FilingView, full_view, page_of, unit_of};
use crate::AppState;
use crate::api::{JsonBody, PageRequest, etag, if_match, path_id};
use crate::audit::{self, Actor};
use crate::auth::Auth;
use crate::db::schema::{org_units as o, tenants as t};
use crate::db::{DbResult, TenantTx};
use crate::deadlines::{self, NewObligation, ObligationKind, Period};
use crate::documents::{HtmlDocument, XlsxDocument};
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult, FieldError, Gather};
use crate::events::{Emitter, EventKind};
use crate::handler::Call;
use crate::org::model::subtree_end;
use crate::org::repo::OrgUnitRow;
use crate::org::scope::Visibility;
use crate::records::model::check_text;
use crate::records::scope::Caller;
use crate::records::scope::pick_unit;

#[derive(Tags)]
pub(super) enum ApiTags {
    /// 季度报送备案 / Quarterly filing
    Filings,
}

pub struct FilingApi {
    pub state: AppState,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CreateFilingRequest {
    /// The quarter, e.g. `2026Q3`.
    #[oai(validator(max_length = 6))]
    pub period: String,
    /// Which of your recording units files; needed only when you act for several.
    pub recording_unit_id: Option<String>,
    /// 情况说明; default: a generated sentence.
    #[oai(validator(max_length = 2000))]
    pub summary: Option<String>,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct LineNote {
    pub member_id: String,
    #[oai(validator(max_length = 10))]
    pub item_code: String,
    /// Empty removes the note.
    #[oai(validator(max_length = 500))]
    pub note: String,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct UpdateFilingRequest {
    #[oai(validator(max_length = 2000))]
    pub summary: Option<String>,
    #[oai(validator(max_items = 500))]
    pub notes: Option<Vec<LineNote>>,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct SubmitFilingRequest {
    /// The day it was handed in (default today; not in the future, not before the quarter
    /// ended).
    pub submitted_on: Option<NaiveDate>,
}

#[derive(ApiResponse)]
pub enum FilingResponse {
    #[oai(status = 200)]
    Ok(Json<FilingView>, #[oai(header = "ETag")] String),
    #[oai(status = 201)]
    Created(
        Json<FilingView>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Location")] String,
    ),
}

pub(super) fn refused(r: model::Refused) -> AppError {
    AppError::conflict(r.code, r.zh, r.en)
}

fn not_recording_unit() -> AppError {
    AppError::new(
        poem::http::StatusCode::FORBIDDEN,
        "not_recording_unit",
        "只有报送单位本身可以编辑、报送该报送件",
        "Only the filing unit itself may edit or submit its filing",
    )
}

pub(super) fn date_field(
    field: &str,
    d: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<NaiveDate, FieldError> {
    let d = d.unwrap_or(today);
    if d > today {
        return Err(FieldError::new(
            field,
            "date_in_future",
            format!("{field}：日期不能晚于今天"),
            format!("{field} cannot be in the future"),
        ));
    }
    Ok(d)
}

pub fn county_name(tx: &mut TenantTx<'_>) -> DbResult<String> {
    let tid = tx.tid().to_owned();
    Ok(t::table
        .filter(t::id.eq(&tid))
        .select(t::name)
        .first::<String>(tx.conn())
        .optional()?
        .unwrap_or_default())
}

/// The filing at `id` if the caller sees its unit (404 otherwise, like another county's).
pub(super) fn visible(
    tx: &mut TenantTx<'_>,
    c: &Caller,
    id: &str,
) -> DbResult<(FilingRow, OrgUnitRow)> {
    let f = repo::get(tx, id)?.ok_or_else(AppError::not_found)?;
    let unit = unit_of(tx, &f)?;
    if !c.sees_unit(&unit) {
        return Err(AppError::not_found().into());
    }
    Ok((f, unit))
}

/// The due date of a quarter's filing by the county's rules.
fn due_on(tx: &mut TenantTx<'_>, period: Period) -> DbResult<NaiveDate> {
    deadlines::repo::rules(tx)?
        .due_for_period(ObligationKind::QuarterlyFiling, period)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("no due date for {period}")).into())
}

/// Opens the quarter's obligation for the unit (idempotent: the daily job's row is the same).
fn open_obligation(
    tx: &mut TenantTx<'_>,
    unit: &OrgUnitRow,
    period: Period,
    due: NaiveDate,
) -> DbResult<String> {
    deadlines::open(
        tx,
        NewObligation {
            kind: ObligationKind::QuarterlyFiling,
            period,
            subject_type: "org_unit",
            subject_id: &unit.id,
            owner_org_unit_id: &unit.id,
            member_id: None,
            title: format!("{}{}记实报送备案", unit.name, quarter_label(period)),
            due_on: due,
        },
    )
}

fn default_summary(unit: &str, period: Period, lines: &[repo::Line]) -> String {
    let mut members: Vec<&str> = lines.iter().map(|l| l.member_id.as_str()).collect();
    members.sort_unstable();
    members.dedup();
    let records: i32 = lines.iter().map(|l| l.count).sum();
    format!(
        "{unit}{}共记实{records}条，涉及党员{}名。",
        quarter_label(period),
        members.len()
    )
}

pub(super) fn audit_filing(
    tx: &mut TenantTx<'_>,
    who: &crate::auth::Principal,
    action: &str,
    f: &FilingRow,
    reason: Option<&str>,
) -> DbResult<()> {
    audit::record(
        tx,
        &Actor::of(who),
        action,
        "filing",
        &f.id,
        reason,
        serde_json::json!({ "unit_id": f.unit_id, "period": f.period, "state": f.state }),
    )
}

/// Tells `/events` subscribers who see the filing's unit that it changed (the committee above
/// sees the unit in its subtree; the county-wide roles see everything).
pub(super) async fn publish(state: &AppState, emit: &Emitter, v: &FilingView) {
    emit.workflow(
        state,
        EventKind::FilingChanged,
        &v.filing.id,
        vec![v.filing.unit_id.clone()],
    )
    .await;
}

impl FilingApi {
    /// Runs a change on a filing the caller's unit owns.
    async fn own_change<F>(&self, auth: Auth, id: String, f: F) -> AppResult<(FilingView, i64)>
    where
        F: FnOnce(&mut TenantTx<'_>, &Caller, FilingRow, &OrgUnitRow) -> DbResult<FilingRow>
            + Send
            + 'static,
    {
        let call = Call::new(&self.state, auth)?;
        let emit = call.emitter();
        let today = crate::clock::today();
        let out = call
            .write(move |tx, c: &Caller| {
                let (cur, unit) = visible(tx, c, &id)?;
                if !c.acts_for(&cur.unit_id) {
                    return Err(not_recording_unit().into());
                }
                let next = f(tx, c, cur, &unit)?;
                Ok((full_view(tx, &next, &unit, today)?, next.version))
            })
            .await?;
        publish(&self.state, &emit, &out.0).await;
        Ok(out)
    }

    async fn document(
        &self,
        auth: Auth,
        id: Path<String>,
    ) -> AppResult<crate::documents::Document> {
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id.0)?;
        let today = crate::clock::today();
        call.read(move |tx, c: &Caller| {
            let (f, unit) = visible(tx, c, &id)?;
            let v = full_view(tx, &f, &unit, today)?;
            let user: Option<String> = {
                use crate::db::schema::users as u;
                let tid = tx.tid().to_owned();
                u::table
                    .filter(u::tenant_id.eq(&tid).and(u::id.eq(&c.principal.user_id)))
                    .select(u::display_name)
                    .first(tx.conn())
                    .optional()?
            };
            let sheet = Sheet {
                county_name: county_name(tx)?,
                unit_name: unit.name.clone(),
                unit_kind: unit.kind(),
                upper_name: v.filing.upper_committee.clone(),
                period: f.period(),
                state: f.state(),
                summary: f.summary.clone(),
                due_on: f.due_on,
                submitted_on: f.submitted_on,
                days_late: v.filing.days_late,
                reviewed_on: f.reviewed_on,
                return_reason: f.return_reason.clone(),
                lines: v
                    .lines
                    .iter()
                    .map(|l| PrintLine {
                        member_name: l.member_name.clone(),
                        business_name: l.business_name.clone(),
                        category_label: l.category_label.clone(),
                        item_name: l.item_name.clone(),
                        count: l.count,
                        content: l.content.clone(),
                        note: l.note.clone().unwrap_or_default(),
                    })
                    .collect(),
                generated_by: user.unwrap_or_else(|| c.principal.role.label_zh().to_owned()),
                generated_at: crate::clock::beijing_minute(Utc::now()),
            };
            Ok(document::build(&sheet))
        })
        .await
    }
}

#[OpenApi(tag = "ApiTags::Filings")]
impl FilingApi {
    /// 生成季度报送件（草稿）/ Create a quarter's filing: a draft generated from your unit's records
    #[oai(path = "/filings", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        body: JsonBody<CreateFilingRequest>,
    ) -> AppResult<FilingResponse> {
        let call = Call::new(&self.state, auth)?;
        let emit = call.emitter();
        let b = body.0;
        let today = crate::clock::today();
        let period = parse_quarter(&b.period).ok_or_else(|| {
            AppError::field(
                "period",
                "invalid_period",
                "period：季度格式应为 2026Q3",
                "period: a quarter like 2026Q3",
            )
        })?;
        if period.bounds().is_none_or(|(first, _)| first > today) {
            return Err(AppError::field(
                "period",
                "period_not_begun",
                "period：该季度尚未开始",
                "period: the quarter has not begun",
            ));
        }
        let summary = b
            .summary
            .as_deref()
            .map(|s| check_text("summary", s, 2000, true))
            .transpose()
            .map_err(|e| AppError::validation(vec![e]))?;
        let requested = b.recording_unit_id.clone();
        let (view, version) = call
            .write(move |tx, c: &Caller| {
                let who = &c.principal;
                let requested = requested
                    .as_deref()
                    .map(|s| uuid::Uuid::try_parse(s).map_or(String::new(), |u| u.to_string()));
                let unit = pick_unit(c.units.clone(), requested.as_deref())?;
                let due = due_on(tx, period)?;
                let lines = repo::generate(tx, &unit.id, period)?;
                let summary =
                    summary.unwrap_or_else(|| default_summary(&unit.name, period, &lines));
                let f = repo::create(
                    tx,
                    &NewFiling {
                        unit_id: &unit.id,
                        unit_kind: unit.kind().as_str(),
                        period,
                        due_on: due,
                        summary: &summary,
                        created_on: today,
                    },
                    &who.user_id,
                )?;
                repo::replace_lines(tx, &f.id, &lines)?;
                open_obligation(tx, &unit, period, due)?;
                audit_filing(tx, who, "filing.create", &f, None)?;
                Ok((full_view(tx, &f, &unit, today)?, f.version))
            })
            .await?;
        let location = format!("/api/v1/filings/{}", view.filing.id);
        publish(&self.state, &emit, &view).await;
        Ok(FilingResponse::Created(Json(view), etag(version), location))
    }

    /// 报送件列表 / Filings of the units you see (your own units, or your committee's)
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/filings", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        unit_id: Query<Option<String>>,
        /// A quarter, e.g. `2026Q3`.
        period: Query<Option<String>>,
        state: Query<Option<FilingState>>,
        limit: Query<Option<crate::api::PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<FilingPage>> {
        let call = Call::new(&self.state, auth)?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let period = period
            .0
            .map(|p| {
                parse_quarter(&p).map(|p| p.to_string()).ok_or_else(|| {
                    AppError::field(
                        "period",
                        "invalid_period",
                        "period：季度格式应为 2026Q3",
                        "period: a quarter like 2026Q3",
                    )
                })
            })
            .transpose()?;
        let unit = unit_id.0.map(|s| path_id(&s)).transpose()?;
        let state = state.0;
        let today = crate::clock::today();
        let out = call
            .read(move |tx, c: &Caller| {
                let unit_ids = match unit {
                    Some(u) => {
                        let row = crate::org::repo::get(tx, &u)?
                            .filter(|r| c.sees_unit(r))
                            .ok_or_else(AppError::not_found)?;
                        Some(vec![row.id])
                    }
                    None => units_seen(tx, c)?,
                };
                let flt = repo::Filter {
                    unit_ids,
                    period,
                    state,
                    ..Default::default()
                };
                page_of(tx, &flt, &page, today)
            })
            .await?;
        Ok(Json(out))
    }

    /// 查看报送件 / Get a filing with its lines and history
    #[oai(path = "/filings/:id", method = "get")]
    async fn get(&self, auth: Auth, id: Path<String>) -> AppResult<FilingResponse> {
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id.0)?;
        let today = crate::clock::today();
        let (v, version) = call
            .read(move |tx, c: &Caller| {
                let (f, unit) = visible(tx, c, &id)?;
                Ok((full_view(tx, &f, &unit, today)?, f.version))
            })
            .await?;
        Ok(FilingResponse::Ok(Json(v), etag(version)))
    }

    /// 编辑报送件 / Edit the summary and line notes (draft or returned; your unit; If-Match)
    #[oai(path = "/filings/:id", method = "patch")]
    async fn update(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<UpdateFilingRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<FilingResponse> {
        let id = path_id(&id.0)?;
        let expected = if_match(Some(&if_match_h.0))?;
        let b = body.0;
        let mut errs = vec![];
        let summary = b
            .summary
            .as_deref()
            .map(|s| check_text("summary", s, 2000, true))
            .gather(&mut errs);
        let mut notes = vec![];
        for (i, n) in b.notes.unwrap_or_default().into_iter().enumerate() {
            let field = format!("notes[{i}].note");
            let note = if n.note.trim().is_empty() {
                Some(None)
            } else {
                check_text(&field, &n.note, 500, true)
                    .gather(&mut errs)
                    .map(Some)
            };
            let member = uuid::Uuid::try_parse(&n.member_id).map(|u| u.to_string());
            if member.is_err() {
                errs.push(FieldError::new(
                    format!("notes[{i}].member_id"),
                    "invalid_id",
                    format!("notes[{i}].member_id：编号格式不正确"),
                    "member_id is not a valid id",
                ));
            }
            if let (Some(note), Ok(member)) = (note, member) {
                notes.push((i, member, n.item_code.trim().to_owned(), note));
            }
        }
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let (v, version) = self
            .own_change(auth, id, move |tx, c, cur, _unit| {
                let who = &c.principal;
                transition(cur.state(), Action::Edit).map_err(refused)?;
                if cur.version != expected {
                    return Err(AppError::precondition_failed().into());
                }
                for (i, member, code, note) in &notes {
                    repo::set_note(
                        tx,
                        &cur.id,
                        member,
                        code,
                        note.as_deref(),
                        &format!("notes[{i}]"),
                    )?;
                }
                let mut next = cur.clone();
                if let Some(s) = summary {
                    next.summary = s;
                }
                let saved = repo::save(tx, &next, expected)?;
                audit_filing(tx, who, "filing.update", &saved, None)?;
                Ok(saved)
            })
            .await?;
        Ok(FilingResponse::Ok(Json(v), etag(version)))
    }

    /// 按最新记实刷新报送件 / Regenerate the lines from the records, keeping notes (draft or returned; If-Match)
    #[oai(path = "/filings/:id/refresh", method = "post")]
    async fn refresh(
        &self,
        auth: Auth,
        id: Path<String>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<FilingResponse> {
        let id = path_id(&id.0)?;
        let expected = if_match(Some(&if_match_h.0))?;
        let (v, version) = self
            .own_change(auth, id, move |tx, c, cur, _unit| {
                let who = &c.principal;
                transition(cur.state(), Action::Edit).map_err(refused)?;
                if cur.version != expected {
                    return Err(AppError::precondition_failed().into());
                }
                let lines = repo::generate(tx, &cur.unit_id, cur.period())?;
                repo::replace_lines(tx, &cur.id, &lines)?;
                let saved = repo::save(tx, &cur, expected)?;
                audit_filing(tx, who, "filing.refresh", &saved, None)?;
                Ok(saved)
            })
            .await?;
        Ok(FilingResponse::Ok(Json(v), etag(version)))
    }

    /// 报送上级党委 / Submit the filing to the upper committee (closes the quarter's obligation)
    #[oai(path = "/filings/:id/submit", method = "post")]
    async fn submit(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<SubmitFilingRequest>,
    ) -> AppResult<FilingResponse> {
        let id = path_id(&id.0)?;
        let today = crate::clock::today();
        let on = date_field("submitted_on", body.0.submitted_on, today)
            .map_err(|e| AppError::validation(vec![e]))?;
        let (v, version) = self
            .own_change(auth, id, move |tx, c, cur, unit| {
                let who = &c.principal;
                let to = transition(cur.state(), Action::Submit).map_err(refused)?;
                let period = cur.period();
                if !quarter_ended(period, on) {
                    return Err(AppError::conflict(
                        "period_not_ended",
                        format!("{}尚未结束，不能报送", quarter_label(period)),
                        format!("{period} has not ended; it cannot be filed yet"),
                    )
                    .into());
                }
                if let Some(r) = cur.reviewed_on.filter(|r| on < *r) {
                    return Err(AppError::field(
                        "submitted_on",
                        "before_review",
                        format!("submitted_on：不能早于退回日期 {r}"),
                        format!("submitted_on cannot be before the return on {r}"),
                    )
                    .into());
                }
                let now = repo::generate(tx, &cur.unit_id, period)?;
                if !repo::up_to_date(&repo::lines(tx, &cur.id)?, &now) {
                    return Err(AppError::conflict(
                        "draft_out_of_date",
                        "生成报送件后记实已有变更，请先刷新报送件（POST …/refresh）再报送",
                        "The records changed since the lines were generated; refresh first",
                    )
                    .into());
                }
                let mut next = cur.clone();
                next.state = to.as_str().to_owned();
                next.submitted_on = Some(on);
                next.first_submitted_on = cur.first_submitted_on.or(Some(on));
                next.submitted_by = Some(who.user_id.clone());
                next.reviewed_on = None;
                next.reviewed_by = None;
                next.return_reason = None;
                let saved = repo::save(tx, &next, cur.version)?;
                repo::event(tx, &saved.id, "submitted", on, &who.user_id, None)?;
                open_obligation(tx, unit, period, cur.due_on)?;
                // Met on the first submission's day; a resubmission after a return changes
                // nothing (the obligation stays met then).
                deadlines::close_on(
                    tx,
                    ObligationKind::QuarterlyFiling,
                    &unit.id,
                    period,
                    &who.user_id,
                    on,
                )?;
                audit_filing(tx, who, "filing.submit", &saved, None)?;
                Ok(saved)
            })
            .await?;
        Ok(FilingResponse::Ok(Json(v), etag(version)))
    }

    /// 季报表（xlsx）/ The printable filing form as an xlsx workbook
    #[oai(path = "/filings/:id/document.xlsx", method = "get")]
    async fn document_xlsx(&self, auth: Auth, id: Path<String>) -> AppResult<XlsxDocument> {
        self.document(auth, id).await?.xlsx_response()
    }

    /// 季报表（打印版 HTML）/ The printable filing form as A4 HTML
    #[oai(path = "/filings/:id/document.html", method = "get")]
    async fn document_html(&self, auth: Auth, id: Path<String>) -> AppResult<HtmlDocument> {
        Ok(self.document(auth, id).await?.html_response())
    }
}

/// Ids of the units in a subtree.
pub(super) fn units_under(tx: &mut TenantTx<'_>, path: &str) -> DbResult<Vec<String>> {
    let tid = tx.tid().to_owned();
    Ok(o::table
        .filter(o::tenant_id.eq(&tid))
        .filter(o::path.ge(path).and(o::path.lt(subtree_end(path))))
        .select(o::id)
        .load(tx.conn())?)
}

/// The units whose filings a caller sees (`None`: the county's).
fn units_seen(tx: &mut TenantTx<'_>, c: &Caller) -> DbResult<Option<Vec<String>>> {
    let mut ids = match &c.vis {
        Visibility::County => return Ok(None),
        Visibility::Subtree(p) => units_under(tx, p)?,
        Visibility::Nothing => vec![],
    };
    ids.extend(c.units.iter().map(|u| u.id.clone()));
    ids.sort_unstable();
    ids.dedup();
    Ok(Some(ids))
}
