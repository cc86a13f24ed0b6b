//! HTTP for two-way reporting: issue, the two confirmations, re-issue, cancellation, lists and
//! the activity ledgers. Thin: parse, resolve the caller, call the service, shape the view.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde::{Deserialize, Serialize};

use super::model::{self, HandbookState};
use super::repo::{self, HandbookRow, LedgerRow};
use super::service::{self, Caller};
use crate::AppState;
use crate::api::idempotency::{self, IdempotencyKey};
use crate::api::{JsonBody, PageRequest, etag, if_match, path_id};
use crate::auth::Auth;
use crate::db::{DbResult, TenantTx};
use crate::error::{AppError, AppResult, FieldError, Gather};
use crate::events::{Emitter, EventKind};
use crate::handler::Call;
use crate::org::model::OrgKind;

#[derive(Tags)]
enum ApiTags {
    /// 双向报到与活动台账 / Two-way reporting and activity ledgers
    Reporting,
}

pub struct ReportingApi {
    pub state: AppState,
}

/// A handbook (《个体经营户党员服务手册》 with its 《活动证》) and where its reporting stands.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct HandbookView {
    pub id: String,
    /// The reporting this handbook belongs to (the first handbook's id; a re-issue keeps it).
    pub reporting_id: String,
    pub member_id: String,
    pub member_name: String,
    /// The issuing branch or party branch.
    pub branch_id: String,
    pub branch_name: String,
    /// The village holding the membership.
    pub village_id: String,
    pub village_name: String,
    /// 服务手册编号
    pub handbook_no: String,
    /// 活动证编号
    pub card_no: String,
    pub state: HandbookState,
    /// 中文状态
    pub state_label: String,
    pub issued_on: NaiveDate,
    /// The last day to complete the reporting (issue + 15 days by default; on time that day).
    pub due_on: NaiveDate,
    /// Open and past the due day (as of today, or the list's `as_of`).
    pub overdue: bool,
    /// Days past due: open ones as of today, completed ones when they completed.
    #[oai(skip_serializing_if_is_none)]
    pub days_late: Option<i64>,
    #[oai(skip_serializing_if_is_none)]
    pub village_reported_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub village_note: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub branch_reported_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub branch_note: Option<String>,
    /// The handbook this one replaced (re-issue).
    #[oai(skip_serializing_if_is_none)]
    pub replaces_id: Option<String>,
    /// The handbook that replaced this one.
    #[oai(skip_serializing_if_is_none)]
    pub replaced_by_id: Option<String>,
    /// Re-issued or cancelled on.
    #[oai(skip_serializing_if_is_none)]
    pub closed_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub close_reason: Option<String>,
    pub version: i64,
}

#[derive(Debug, Clone, Object)]
pub struct HandbookPage {
    pub items: Vec<HandbookView>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

fn views(
    tx: &mut TenantTx<'_>,
    rows: Vec<HandbookRow>,
    as_of: NaiveDate,
) -> DbResult<Vec<HandbookView>> {
    let mut units: Vec<String> = rows
        .iter()
        .flat_map(|r| [r.branch_id.clone(), r.village_id.clone()])
        .collect();
    units.sort();
    units.dedup();
    let units = repo::unit_names(tx, &units)?;
    let mut members: Vec<String> = rows.iter().map(|r| r.member_id.clone()).collect();
    members.sort();
    members.dedup();
    let members = repo::member_names(tx, &members)?;
    let name = |m: &HashMap<String, String>, id: &str| m.get(id).cloned().unwrap_or_default();
    Ok(rows
        .into_iter()
        .map(|r| {
            let state = r.state();
            HandbookView {
                member_name: name(&members, &r.member_id),
                branch_name: name(&units, &r.branch_id),
                village_name: name(&units, &r.village_id),
                state,
                state_label: state.label_zh().to_owned(),
                overdue: model::overdue(state, r.due_on, as_of),
                days_late: model::days_late(state, r.due_on, r.branch_reported_on, as_of),
                id: r.id,
                reporting_id: r.reporting_id,
                member_id: r.member_id,
                branch_id: r.branch_id,
                village_id: r.village_id,
                handbook_no: r.handbook_no,
                card_no: r.card_no,
                issued_on: r.issued_on,
                due_on: r.due_on,
                village_reported_on: r.village_reported_on,
                village_note: r.village_note,
                branch_reported_on: r.branch_reported_on,
                branch_note: r.branch_note,
                replaces_id: r.replaces_id,
                replaced_by_id: r.replaced_by_id,
                closed_on: r.closed_on,
                close_reason: r.close_reason,
                version: r.version,
            }
        })
        .collect())
}

fn view(tx: &mut TenantTx<'_>, row: HandbookRow) -> DbResult<HandbookView> {
    let today = crate::clock::today();
    views(tx, vec![row], today)?
        .pop()
        .ok_or_else(|| AppError::not_found().into())
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct IssueHandbookRequest {
    pub member_id: String,
    /// 发放日期 (default today; not in the future).
    pub issued_on: Option<NaiveDate>,
    /// 手册编号 for a pre-numbered handbook; generated (`AJ-2026-000123`) when absent.
    pub handbook_no: Option<String>,
    /// 活动证编号; generated (`AJ-HD-2026-000123`) when absent.
    pub card_no: Option<String>,
    /// The issuing branch or party branch, when the caller acts for several (default: the
    /// party branch of the grid serving the member's village, else the caller's unit).
    pub branch_id: Option<String>,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ConfirmReportRequest {
    /// The day the member reported (default today; not in the future, not before the step
    /// it follows).
    pub reported_on: Option<NaiveDate>,
    /// A note for the activity ledger.
    pub note: Option<String>,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ReissueHandbookRequest {
    /// Why (e.g. 手册遗失); required.
    pub reason: String,
    /// The new handbook's issue date (default today).
    pub issued_on: Option<NaiveDate>,
    pub handbook_no: Option<String>,
    pub card_no: Option<String>,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CancelHandbookRequest {
    /// Why; required.
    pub reason: String,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct Reissued {
    /// The lost handbook, now `reissued`.
    pub old: HandbookView,
    /// Its replacement, with the old one's progress and due day.
    pub new: HandbookView,
}

#[derive(ApiResponse)]
pub enum HandbookCreated {
    #[oai(status = 201)]
    Created(
        Json<HandbookView>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Location")] String,
        #[oai(header = "Idempotent-Replayed")] Option<String>,
    ),
}

#[derive(ApiResponse)]
pub enum HandbookResponse {
    #[oai(status = 200)]
    Ok(Json<HandbookView>, #[oai(header = "ETag")] String),
}

#[derive(ApiResponse)]
pub enum ReissuedResponse {
    #[oai(status = 201)]
    Created(
        Json<Reissued>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Location")] String,
    ),
}

/// One line of an activity ledger (活动台账).
#[derive(Debug, Clone, Object)]
pub struct LedgerEntry {
    pub id: String,
    pub org_unit_id: String,
    pub org_unit_name: String,
    pub member_id: String,
    pub member_name: String,
    /// `reporting` (报到).
    pub kind: String,
    /// The day it happened (the member reported).
    pub on: NaiveDate,
    #[oai(skip_serializing_if_is_none)]
    pub handbook_id: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub handbook_no: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub note: Option<String>,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Object)]
pub struct LedgerPage {
    pub items: Vec<LedgerEntry>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

fn opt_text(
    errs: &mut Vec<FieldError>,
    field: &str,
    v: Option<&str>,
    max: usize,
) -> Option<String> {
    v.and_then(|s| model::parse_text(field, s, max).gather(errs))
}

fn opt_number(errs: &mut Vec<FieldError>, field: &str, v: Option<&str>) -> Option<String> {
    v.and_then(|s| model::parse_number(field, s).gather(errs))
}

fn expected(h: Option<String>) -> AppResult<Option<i64>> {
    h.as_deref().map(|h| if_match(Some(h))).transpose()
}

fn when(
    errs: &mut Vec<FieldError>,
    field: &str,
    d: Option<NaiveDate>,
    today: NaiveDate,
) -> NaiveDate {
    let d = d.unwrap_or(today);
    model::check_date(field, d, today, None).gather(errs);
    d
}

#[OpenApi(tag = "ApiTags::Reporting")]
impl ReportingApi {
    /// 发放服务手册和活动证 / Issue a service handbook and activity card (branch staff)
    ///
    /// The member's membership must be held by a village of the county (409
    /// `membership_not_in_county` / `membership_not_in_village` otherwise) and have no reporting
    /// in progress (409 `reporting_in_progress`). Opens the `two_way_reporting` obligation, due
    /// 15 days after issue.
    #[oai(path = "/handbooks", method = "post")]
    async fn issue(
        &self,
        auth: Auth,
        body: JsonBody<IssueHandbookRequest>,
        #[oai(name = "Idempotency-Key", validator(pattern = r"^[!-~]{1,200}$"))] idem: Header<
            Option<String>,
        >,
    ) -> AppResult<HandbookCreated> {
        let call = Call::new(&self.state, auth)?;
        let emit = call.emitter();
        let key = IdempotencyKey::parse(idem.0.as_deref())?;
        let b = body.0;
        let req_hash = idempotency::request_hash("POST /handbooks", &b);
        let today = crate::clock::today();
        let mut errs = vec![];
        let issued_on = when(&mut errs, "issued_on", b.issued_on, today);
        let handbook_no = opt_number(&mut errs, "handbook_no", b.handbook_no.as_deref());
        let card_no = opt_number(&mut errs, "card_no", b.card_no.as_deref());
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let input = service::Issue {
            member_id: b.member_id.trim().to_owned(),
            issued_on,
            handbook_no,
            card_no,
            branch_id: b.branch_id.clone(),
        };
        let (v, replayed) = call
            .write(move |tx, c: &Caller| {
                if let Some(k) = &key
                    && let Some(stored) = idempotency::tenant_lookup(tx, &c.user_id, k, &req_hash)?
                {
                    return Ok((stored.into_body::<HandbookView>()?, true));
                }
                let row = service::issue(tx, c, &input)?;
                let v = view(tx, row)?;
                if let Some(k) = &key {
                    idempotency::tenant_store(tx, &c.user_id, k, &req_hash, 201, &v)?;
                }
                Ok((v, false))
            })
            .await?;
        publish(&self.state, &emit, &v).await;
        let location = format!("/api/v1/handbooks/{}", v.id);
        Ok(HandbookCreated::Created(
            Json(v.clone()),
            etag(v.version),
            location,
            replayed.then(|| "true".to_owned()),
        ))
    }

    /// 双向报到列表 / List handbooks in the caller's scope
    ///
    /// A handbook is in scope when its branch or its village is. `overdue=true` keeps open ones
    /// past their due day as of `as_of` (default today; the due day itself is on time).
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/handbooks", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        state: Query<Option<HandbookState>>,
        member_id: Query<Option<String>>,
        branch_id: Query<Option<String>>,
        village_id: Query<Option<String>>,
        overdue: Query<Option<bool>>,
        /// The day `overdue` is computed for (YYYY-MM-DD).
        as_of: Query<Option<NaiveDate>>,
        limit: Query<Option<crate::api::PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<HandbookPage>> {
        let call = Call::new(&self.state, auth)?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let as_of = as_of.0.unwrap_or_else(crate::clock::today);
        let ids = |v: Option<String>| v.map(|s| path_id(&s)).transpose();
        let mut f = repo::Filter {
            state: state.0,
            member_id: ids(member_id.0)?,
            branch_id: ids(branch_id.0)?,
            village_id: ids(village_id.0)?,
            overdue_as_of: overdue.0.filter(|o| *o).map(|_| as_of),
            units: None,
        };
        let out = call
            .read(move |tx, c: &Caller| {
                f.units = c.unit_ids(tx)?;
                let rows = repo::list(tx, &f, &page)?;
                let (rows, next_cursor) = page.finish(rows, |r| r.id.as_str());
                let items = views(tx, rows, as_of)?;
                Ok(HandbookPage { items, next_cursor })
            })
            .await?;
        Ok(Json(out))
    }

    /// 手册详情 / One handbook
    #[oai(path = "/handbooks/:id", method = "get")]
    async fn get(&self, auth: Auth, id: Path<String>) -> AppResult<HandbookResponse> {
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id.0)?;
        let v = call
            .read(move |tx, c: &Caller| {
                let (row, _, _) = service::visible(tx, c, &id)?;
                view(tx, row)
            })
            .await?;
        let tag = etag(v.version);
        Ok(HandbookResponse::Ok(Json(v), tag))
    }

    /// 村（社区）确认报到 / The village confirms the member reported (its recorder)
    ///
    /// Only the recorder of the handbook's village (403 `not_responsible_recorder`); a second
    /// confirmation is 409 `already_confirmed`. Writes the village's activity-ledger entry.
    #[oai(path = "/handbooks/:id/village-confirmation", method = "post")]
    async fn confirm_village(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<ConfirmReportRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<HandbookResponse> {
        self.confirm(auth, id, body, if_match_h, true).await
    }

    /// 分会支部确认报到 / The issuing branch confirms the member reported (completes it)
    ///
    /// Before the village's confirmation: 409 `not_reported_to_village`. Closes the
    /// `two_way_reporting` obligation as met on `reported_on`.
    #[oai(path = "/handbooks/:id/branch-confirmation", method = "post")]
    async fn confirm_branch(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<ConfirmReportRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<HandbookResponse> {
        self.confirm(auth, id, body, if_match_h, false).await
    }

    /// 补发手册 / Re-issue a lost handbook under new numbers (issuing branch)
    ///
    /// The old handbook is kept as `reissued`; the new one takes over its progress and its due
    /// day (the obligation carries over: the 15 days run from the first issue).
    #[oai(path = "/handbooks/:id/reissue", method = "post")]
    async fn reissue(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<ReissueHandbookRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<ReissuedResponse> {
        let call = Call::new(&self.state, auth)?;
        let emit = call.emitter();
        let id = path_id(&id.0)?;
        let expected_version = expected(if_match_h.0)?;
        let b = body.0;
        let today = crate::clock::today();
        let mut errs = vec![];
        let reason = model::parse_text("reason", &b.reason, 200).gather(&mut errs);
        let issued_on = when(&mut errs, "issued_on", b.issued_on, today);
        let handbook_no = opt_number(&mut errs, "handbook_no", b.handbook_no.as_deref());
        let card_no = opt_number(&mut errs, "card_no", b.card_no.as_deref());
        let Some(reason) = reason.filter(|_| errs.is_empty()) else {
            return Err(AppError::validation(errs));
        };
        let r = service::Reissue {
            reason,
            issued_on,
            handbook_no,
            card_no,
            expected_version,
        };
        let out = call
            .write(move |tx, c: &Caller| {
                let (old, new) = service::reissue(tx, c, &id, &r, today)?;
                Ok(Reissued {
                    old: view(tx, old)?,
                    new: view(tx, new)?,
                })
            })
            .await?;
        publish(&self.state, &emit, &out.new).await;
        let location = format!("/api/v1/handbooks/{}", out.new.id);
        let tag = etag(out.new.version);
        Ok(ReissuedResponse::Created(Json(out), tag, location))
    }

    /// 作废手册 / Cancel a handbook (issuing branch)
    ///
    /// Only an open reporting (issued or reported to the village); its obligation is withdrawn.
    #[oai(path = "/handbooks/:id/cancel", method = "post")]
    async fn cancel(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<CancelHandbookRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<HandbookResponse> {
        let call = Call::new(&self.state, auth)?;
        let emit = call.emitter();
        let id = path_id(&id.0)?;
        let expected_version = expected(if_match_h.0)?;
        let reason = model::parse_text("reason", &body.0.reason, 200)
            .map_err(|e| AppError::validation(vec![e]))?;
        let k = service::Cancel {
            reason,
            expected_version,
        };
        let today = crate::clock::today();
        let v = call
            .write(move |tx, c: &Caller| {
                let row = service::cancel(tx, c, &id, &k, today)?;
                view(tx, row)
            })
            .await?;
        publish(&self.state, &emit, &v).await;
        let tag = etag(v.version);
        Ok(HandbookResponse::Ok(Json(v), tag))
    }

    /// 活动台账 / The activity ledger of a village or a branch (and the units under it)
    ///
    /// The members who reported there and when. Units the caller cannot see, and units of other
    /// kinds, are 404.
    #[oai(path = "/org-units/:id/activity-ledger", method = "get")]
    async fn ledger(
        &self,
        auth: Auth,
        id: Path<String>,
        limit: Query<Option<crate::api::PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<LedgerPage>> {
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id.0)?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let out = call
            .read(move |tx, c: &Caller| {
                let unit = crate::org::repo::get(tx, &id)?
                    .filter(|u| c.sees(u))
                    .filter(|u| {
                        matches!(
                            u.kind(),
                            OrgKind::Village | OrgKind::Branch | OrgKind::PartyBranch
                        )
                    })
                    .ok_or_else(AppError::not_found)?;
                let ids = repo::subtree_ids(tx, &unit.path)?;
                let rows = repo::ledger(tx, &ids, &page)?;
                let (rows, next_cursor) = page.finish(rows, |r| r.id.as_str());
                let items = ledger_views(tx, rows)?;
                Ok(LedgerPage { items, next_cursor })
            })
            .await?;
        Ok(Json(out))
    }
}

/// Tells `/events` subscribers who see the handbook's branch or village that it changed.
async fn publish(state: &AppState, emit: &Emitter, v: &HandbookView) {
    let units = vec![v.branch_id.clone(), v.village_id.clone()];
    emit.workflow(state, EventKind::HandbookChanged, &v.id, units)
        .await;
}

impl ReportingApi {
    async fn confirm(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<ConfirmReportRequest>,
        if_match_h: Header<Option<String>>,
        village: bool,
    ) -> AppResult<HandbookResponse> {
        let call = Call::new(&self.state, auth)?;
        let emit = call.emitter();
        let id = path_id(&id.0)?;
        let expected_version = expected(if_match_h.0)?;
        let b = body.0;
        let today = crate::clock::today();
        let mut errs = vec![];
        let reported_on = b.reported_on.unwrap_or(today);
        let note = opt_text(&mut errs, "note", b.note.as_deref(), 200);
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let k = service::Confirm {
            reported_on,
            note,
            expected_version,
        };
        let v = call
            .write(move |tx, c: &Caller| {
                let row = if village {
                    service::confirm_village(tx, c, &id, &k, today)?
                } else {
                    service::confirm_branch(tx, c, &id, &k, today)?
                };
                view(tx, row)
            })
            .await?;
        publish(&self.state, &emit, &v).await;
        let tag = etag(v.version);
        Ok(HandbookResponse::Ok(Json(v), tag))
    }
}

fn ledger_views(tx: &mut TenantTx<'_>, rows: Vec<LedgerRow>) -> DbResult<Vec<LedgerEntry>> {
    let mut units: Vec<String> = rows.iter().map(|r| r.org_unit_id.clone()).collect();
    units.sort();
    units.dedup();
    let units = repo::unit_names(tx, &units)?;
    let mut members: Vec<String> = rows.iter().map(|r| r.member_id.clone()).collect();
    members.sort();
    members.dedup();
    let members = repo::member_names(tx, &members)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let handbook_no = match &r.handbook_id {
            Some(h) => repo::get(tx, h)?.map(|h| h.handbook_no),
            None => None,
        };
        out.push(LedgerEntry {
            org_unit_name: units.get(&r.org_unit_id).cloned().unwrap_or_default(),
            member_name: members.get(&r.member_id).cloned().unwrap_or_default(),
            id: r.id,
            org_unit_id: r.org_unit_id,
            member_id: r.member_id,
            kind: r.kind,
            on: r.happened_on,
            handbook_id: r.handbook_id,
            handbook_no,
            note: r.note,
            recorded_by: r.recorded_by,
            recorded_at: r.recorded_at.and_utc(),
        });
    }
    Ok(out)
}
